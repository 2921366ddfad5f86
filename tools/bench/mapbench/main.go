// Command mapbench is the benchmark fixture of make bench (tools/bench):
// a fixed number of Go map deletes and assigns, timed by the program itself.
// Standard library only; builds with Go 1.19 through 1.27.
//
// Usage:
//
//	mapbench [-n N] [-goroutines G] [-keys int|string] [-wait]
//
// Each of G goroutines (default 1) has a map of its own, filled with 1024
// keys before the timing starts (so the timed loop makes the map neither
// grow nor shrink: no allocation, no grow), then does N iterations (default
// 100000) of delete(m, k); m[k] = i with k the i%1024-th key: an int64 or
// a 16-byte string. The goroutines start together (a barrier) and are
// locked to their own OS threads; with G = 2 on 2 CPUs both are busy.
//
// With -wait the program prints "ready PID" on stderr once everything but
// the timed loop is done, and starts the loop when a line arrives on stdin:
// a harness attaches its tracer in between.
//
// Output, one JSON line on stdout:
//
//	{"keys":"int","goroutines":G,"iterations":N,"map_ops":2*N*G,
//	 "ns":WALL,"ns_per_op":WALL/(2*N)}
//
// WALL is the time from the barrier's release to the last goroutine's end;
// ns_per_op is the time one goroutine took per map operation.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

const window = 1024

func main() {
	n := flag.Int("n", 100000, "iterations (one delete and one assign each) per goroutine")
	goroutines := flag.Int("goroutines", 1, "goroutines, each with its own map")
	keys := flag.String("keys", "int", "key type: int or string")
	wait := flag.Bool("wait", false, `print "ready PID" on stderr, start on a line on stdin`)
	flag.Parse()
	if *n <= 0 || *goroutines <= 0 || (*keys != "int" && *keys != "string") {
		fmt.Fprintln(os.Stderr, "mapbench: -n and -goroutines must be positive, -keys int or string")
		os.Exit(2)
	}

	skeys := make([]string, window)
	for i := range skeys {
		skeys[i] = fmt.Sprintf("mapbench-k%06d", i)
	}
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for g := 0; g < *goroutines; g++ {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			if *keys == "int" {
				m := make(map[int64]int)
				for i := 0; i < window; i++ {
					m[int64(i)] = i
				}
				ready.Done()
				<-start
				for i := 0; i < *n; i++ {
					k := int64(i % window)
					delete(m, k)
					m[k] = i
				}
				if len(m) != window {
					panic("map size changed")
				}
			} else {
				m := make(map[string]int)
				for i := 0; i < window; i++ {
					m[skeys[i]] = i
				}
				ready.Done()
				<-start
				for i := 0; i < *n; i++ {
					k := skeys[i%window]
					delete(m, k)
					m[k] = i
				}
				if len(m) != window {
					panic("map size changed")
				}
			}
		}()
	}
	ready.Wait()
	if *wait {
		fmt.Fprintf(os.Stderr, "ready %d\n", os.Getpid())
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			fmt.Fprintln(os.Stderr, "mapbench: stdin closed before the start line")
			os.Exit(1)
		}
	}
	t0 := time.Now()
	close(start)
	done.Wait()
	wall := time.Since(t0).Nanoseconds()
	fmt.Printf("{\"keys\":%q,\"goroutines\":%d,\"iterations\":%d,\"map_ops\":%d,\"ns\":%d,\"ns_per_op\":%.1f}\n",
		*keys, *goroutines, *n, 2**n**goroutines, wall, float64(wall)/float64(2**n))
}
