package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// scenarioService is -scenario service: a service that was started long
// before anyone looked.  It makes three maps of its own (not tracked, so
// their traffic carries no bookkeeping): "sessions" with n int64 keys,
// "names" with n/10 string keys and "config" with 100, prints a
// "service_map" record per map (name, addr, len, storage) and "serving
// PID" on stderr, then runs steady traffic on one goroutine: a delete and
// an assign on sessions (its size stays n) and a lookup in names, again
// and again.  Once a second it prints {"ev":"rate","ops":N,"ns":T}: the
// map operations of that second.  When pauseFile exists the traffic stops
// for good: the maps' records again, their state now, a "pause" record
// with every operation done, and "paused PID" on stderr; the maps are kept
// until stopFile exists.
func scenarioService(n int, pauseFile, stopFile string) {
	sessions := make(map[int64]int64)
	for i := 0; i < n; i++ {
		sessions[int64(i)] = int64(i)
	}
	names := make(map[string]int64)
	keys := make([]string, n/10+1)
	for i := range keys {
		keys[i] = "name-" + strconv.Itoa(i)
		names[keys[i]] = int64(i)
	}
	config := make(map[int64]int64)
	for i := 0; i < 100; i++ {
		config[int64(i)] = int64(i)
	}
	maps := []struct {
		name string
		m    interface{}
	}{{"sessions", sessions}, {"names", names}, {"config", config}}
	report := func() {
		for _, sm := range maps {
			_, hdr := mapParts(sm.m)
			r := newObj("service_map").s("name", sm.name).hex("addr", uintptr(hdr)).
				i("len", int64(mapLen(sm.m)))
			storage(sm.m, r)
			emit(r)
		}
		flush()
	}
	report()
	fmt.Fprintf(os.Stderr, "serving %d\n", os.Getpid())

	var total, ops, sum int64
	start := time.Now()
	tick, check := start, start
	next := int64(n)
	for {
		// The oldest key out, a new one in: the size stays n.
		delete(sessions, next-int64(n))
		sessions[next] = next
		sum += names[keys[next%int64(len(keys))]]
		next++
		ops += 3
		if next&1023 != 0 {
			continue
		}
		now := time.Now()
		if now.Sub(tick) >= time.Second {
			emit(newObj("rate").i("ops", ops).i("ns", int64(now.Sub(tick))))
			flush()
			total += ops
			ops = 0
			tick = now
		}
		if pauseFile != "" && now.Sub(check) >= 100*time.Millisecond {
			check = now
			if _, err := os.Stat(pauseFile); err == nil {
				break
			}
		}
	}
	total += ops
	report()
	emit(newObj("pause").i("ops", total).i("ns", int64(time.Since(start))).i("sum", sum))
	flush()
	fmt.Fprintf(os.Stderr, "paused %d\n", os.Getpid())
	if stopFile != "" {
		waitFor(stopFile)
	}
}
