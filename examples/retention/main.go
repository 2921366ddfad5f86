// Command retention is the seed experiment of mapwatch's README ("Why
// doesn't my memory go down?"): it fills a map with 10,000 entries of
// 1 KiB values, deletes them all, forces a GC, and waits for the
// scavenger to return what it will to the OS. It prints the runtime's own
// view at each step, so a trace of it can be read next to these numbers.
package main

import (
	"fmt"
	"os"
	"runtime"
	"time"
)

const entries = 10000

type value [1024]byte

func stats(step string) runtime.MemStats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(os.Stdout, "retention: %-9s NumGC %d, HeapInuse %d KiB, HeapIdle %d KiB, HeapReleased %d KiB\n",
		step, ms.NumGC, ms.HeapInuse>>10, ms.HeapIdle>>10, ms.HeapReleased>>10)
	return ms
}

// cache escapes: the map lives on the heap for the whole run, as a
// long-lived cache would.
var cache map[int]value

func main() {
	cache = make(map[int]value)
	for i := 0; i < entries; i++ {
		var v value
		v[0] = byte(i)
		cache[i] = v
	}
	stats("filled")
	for i := 0; i < entries; i++ {
		delete(cache, i)
	}
	stats("deleted")
	runtime.GC()
	stats("gc")
	// The background scavenger returns free pages at its own pace: wait
	// until HeapReleased stops growing (at most 10 s).
	last := uint64(0)
	for i := 0; i < 20; i++ {
		time.Sleep(500 * time.Millisecond)
		ms := stats("scavenger")
		if i > 2 && ms.HeapReleased == last {
			break
		}
		last = ms.HeapReleased
	}
	fmt.Fprintf(os.Stdout, "retention: the map holds %d entries\n", len(cache))
	runtime.KeepAlive(cache)
}
