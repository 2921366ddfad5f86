// Command noshrink tests claim 3: "a lazy shrink happens on the next
// write when the load falls under 1/4". It fills a map[uint64]uint64
// with 10,000 entries, deletes 9,000 (the load is then at most 1/10 of
// what it was at the fill, so under 1/4 of the capacity, which held
// 10,000), then writes 2,000 new keys, each followed by a delete of an
// old one (len() stays 1,000), and runs a GC. The trace has the size
// class (B, dirlen) and bytes at every write; the program prints the
// storage it finds in the map's structures after each phase.
package main

import (
	"runtime"

	"mapwatch/claims/internal/look"
)

const (
	prog    = "noshrink"
	entries = 10000
	kept    = 1000
	writes  = 2000
)

var m map[uint64]uint64

func main() {
	m = make(map[uint64]uint64)
	for i := uint64(0); i < entries; i++ {
		m[i] = i
	}
	look.SayShape(prog, "filled", m)
	look.Mark(prog, "filled")
	for i := uint64(0); i < entries-kept; i++ {
		delete(m, i)
	}
	look.SayShape(prog, "deleted", m)
	look.Mark(prog, "deleted")
	for j := uint64(0); j < writes; j++ {
		m[entries+j] = j
		delete(m, entries-kept+j)
	}
	look.SayShape(prog, "rewritten", m)
	look.Mark(prog, "rewritten")
	runtime.GC()
	m[entries+writes] = 0 // its trace event has the bytes after the GC
	look.SayShape(prog, "gc", m)
	look.Mark(prog, "gc")
	runtime.KeepAlive(m)
}
