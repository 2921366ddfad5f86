// Command cleared tests claim 6: "after delete() the value is still held by
// the map". A map[int]*value holds 1,000 values, each with a finalizer;
// 500 are deleted, the others stay. The program then runs GC cycles until
// the finalizers have run (at most 20 s) and prints, on the trace's
// clock, when the first and the last ran, and for how many values of
// either kind: a value the map still referenced could not be finalized.
package main

import (
	"runtime"
	"sync"
	"time"

	"mapwatch/claims/internal/look"
)

const (
	prog    = "cleared"
	entries = 1000
	deleted = 500 // keys 0..deleted-1
)

type value struct {
	id  int
	pad [1016]byte
}

var (
	m   map[int]*value
	mu  sync.Mutex
	fin []finished
)

type finished struct {
	id   int
	mono int64
}

func finalize(v *value) {
	t := look.Mono()
	mu.Lock()
	fin = append(fin, finished{v.id, t})
	mu.Unlock()
}

// fill is a function of its own: no pointer to a value outlives it on
// main's stack.
//
//go:noinline
func fill() {
	for i := 0; i < entries; i++ {
		v := &value{id: i}
		runtime.SetFinalizer(v, finalize)
		m[i] = v
	}
}

func main() {
	m = make(map[int]*value)
	look.Say(prog, "map", "map", look.Addr(m), "values", entries, "deleted", deleted)
	fill()
	for i := 0; i < deleted; i++ {
		delete(m, i)
	}
	look.Mark(prog, "deleted")
	for try := 0; try < 200; try++ {
		runtime.GC()
		time.Sleep(100 * time.Millisecond)
		mu.Lock()
		n := len(fin)
		mu.Unlock()
		if n >= deleted {
			break
		}
	}
	mu.Lock()
	var first, last int64
	nDel, nKept := 0, 0
	for _, f := range fin {
		if f.id < deleted {
			nDel++
		} else {
			nKept++
		}
		if first == 0 || f.mono < first {
			first = f.mono
		}
		if f.mono > last {
			last = f.mono
		}
	}
	mu.Unlock()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	look.Say(prog, "finalized", "deleted", nDel, "kept", nKept, "first_mono_ns", first,
		"last_mono_ns", last, "num_gc", ms.NumGC)
	look.Say(prog, "map", "len", len(m))
	runtime.KeepAlive(m)
}
