// Command keep tests claim 1: "delete() keeps the map's storage; a map
// never gives it back". It fills a map[uint64]uint64 with 10,000 entries,
// deletes them all, runs two GC cycles, then writes one entry: the trace
// has the bytes the map held at the fill, at the deletes and at that
// last write (keys and values are 8 bytes, stored in the slots: the
// figure is the map's own structures only).
package main

import (
	"runtime"

	"mapwatch/claims/internal/look"
)

const (
	prog    = "keep"
	entries = 10000
)

// m escapes: the map lives on the heap, as a long-lived cache does.
var m map[uint64]uint64

func main() {
	m = make(map[uint64]uint64)
	for i := uint64(0); i < entries; i++ {
		m[i] = i
	}
	look.SayShape(prog, "filled", m)
	look.Mark(prog, "filled")
	for i := uint64(0); i < entries; i++ {
		delete(m, i)
	}
	look.SayShape(prog, "deleted", m)
	look.Mark(prog, "deleted")
	runtime.GC()
	runtime.GC()
	look.Mark(prog, "gc")
	m[entries] = entries // its trace event has the bytes after the GCs
	look.SayShape(prog, "written", m)
	look.Mark(prog, "written")
	runtime.KeepAlive(m)
}
