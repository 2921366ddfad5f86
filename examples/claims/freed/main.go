// Command freed tests claim 5: "after deleting 10,000 entries whose values
// are *[1024]byte, Alloc barely drops". It is that program: a
// map[int]*[1024]byte of 10,000 entries, all deleted, then runtime.GC();
// it prints runtime.MemStats after each step with the time on the
// trace's clock, which has the GC cycles and the scavenger's releases.
package main

import (
	"runtime"

	"mapwatch/claims/internal/look"
)

const (
	prog    = "freed"
	entries = 10000
)

var m map[int]*[1024]byte

func stats(phase string) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	look.Say(prog, "memstats", "phase", phase, "mono_ns", look.Mono(), "num_gc", ms.NumGC,
		"alloc", ms.Alloc, "heap_inuse", ms.HeapInuse, "heap_released", ms.HeapReleased)
}

func main() {
	m = make(map[int]*[1024]byte)
	look.Say(prog, "map", "map", look.Addr(m), "values", entries, "value_bytes", 1024)
	for i := 0; i < entries; i++ {
		m[i] = new([1024]byte)
	}
	stats("filled")
	for i := 0; i < entries; i++ {
		delete(m, i)
	}
	stats("deleted")
	runtime.GC()
	stats("gc")
	runtime.KeepAlive(m)
}
