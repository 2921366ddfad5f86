package main

import (
	"runtime/metrics"
	"sort"
)

// Malloc size classes of the running runtime, taken from the bucket bounds of
// the /gc/heap/allocs-by-size:bytes histogram (bound i is class i's size + 1;
// the last bound is +Inf). Read once at start-up, before "ready": the
// metrics package keeps its descriptions in a map.
var sizeClasses []uintptr

const (
	pageSize     = 8192
	maxSmallSize = 32768
)

func initSizeClasses() {
	s := []metrics.Sample{{Name: "/gc/heap/allocs-by-size:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		panic("runtime/metrics: no /gc/heap/allocs-by-size:bytes histogram")
	}
	for _, b := range s[0].Value.Float64Histogram().Buckets[1:] {
		if b > maxSmallSize+1 { // +Inf
			break
		}
		sizeClasses = append(sizeClasses, uintptr(b)-1)
	}
}

// classSize is the smallest size class >= size (size <= maxSmallSize).
func classSize(size uintptr) uintptr {
	i := sort.Search(len(sizeClasses), func(i int) bool { return sizeClasses[i] >= size })
	return sizeClasses[i]
}

// roundupLarge is the runtime's rounding of a large object: whole pages.
func roundupLarge(size uintptr) uintptr { return (size + pageSize - 1) &^ (pageSize - 1) }
