//go:build go1.21

package main

// Go 1.21+: the clear builtin, maps.Clone and reflect.Value.Clear.

import (
	"maps"
	"reflect"
)

const haveClone = true

// clearMap compiles to runtime.mapclear.
func clearMap[K comparable, V any](m map[K]V) { clear(m) }

// cloneMap is maps.Clone: runtime.mapclone via the maps package.
// cloneMap is maps.Clone in a function of its own, never inlined, which
// records its name in cloneFn: the function a tracer sees making the clone.
//
//go:noinline
func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	cloneFn = funcName(0)
	return maps.Clone(m)
}

// reflectClear is reflect.Value.Clear (reflect.mapclear); ok=false before 1.21.
func reflectClear(v reflect.Value) bool { v.Clear(); return true }
