//go:build !go1.24

package main

// runtime.hmap, Go 1.19-1.23: count, flags, B, noverflow, hash0, buckets,
// oldbuckets, nevacuate, extra.
const (
	hmapSize     = 48
	hmapExtraOff = 0x28
)
