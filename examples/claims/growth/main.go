// Command growth tests claim 4: "a map grows when the load factor passes
// 6.5". It fills a map[uint64]uint64 made without a size hint with
// 20,000 entries, one at a time: every growth is in the trace with len()
// and the size when it began (classic: B, 2^B buckets of 8 slots; swiss:
// the table's capacity and the entries in it).
package main

import (
	"runtime"

	"mapwatch/claims/internal/look"
)

const (
	prog    = "growth"
	entries = 20000
)

var m map[uint64]uint64

func main() {
	m = make(map[uint64]uint64)
	for i := uint64(0); i < entries; i++ {
		m[i] = i
	}
	look.SayShape(prog, "filled", m)
	look.Mark(prog, "filled")
	runtime.KeepAlive(m)
}
