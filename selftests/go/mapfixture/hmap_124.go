//go:build go1.24 && !go1.26 && !goexperiment.swissmap

package main

// runtime.hmap, Go 1.24/1.25 with GOEXPERIMENT=noswissmap: clearSeq (uint64,
// golang/go#70189) sits between nevacuate and extra.
const (
	hmapSize     = 56
	hmapExtraOff = 0x30
)
