//go:build !go1.21

package main

// Before Go 1.21: no clear builtin, no maps package, no reflect.Value.Clear.

import "reflect"

const haveClone = false

// clearMap: the compiler turns this exact loop into runtime.mapclear
// (cmd/compile/internal/walk/range.go, since Go 1.11).
func clearMap[K comparable, V any](m map[K]V) {
	for k := range m {
		delete(m, k)
	}
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V { panic("maps.Clone needs Go 1.21") }

func reflectClear(v reflect.Value) bool { return false }
