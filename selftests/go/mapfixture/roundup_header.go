//go:build go1.23 || (go1.22 && goexperiment.allocheaders)

package main

// roundupsize as in the runtime with malloc headers (Go 1.22+): objects with
// pointers larger than 512 bytes carry an 8-byte header inside their size
// class, and the usable size excludes it.
func roundupsize(size uintptr, noscan bool) uintptr {
	const mallocHeaderSize, minSizeForMallocHeader = 8, 512
	req := size
	if req <= maxSmallSize-mallocHeaderSize {
		if !noscan && req > minSizeForMallocHeader {
			req += mallocHeaderSize
		}
		return classSize(req) - (req - size)
	}
	return roundupLarge(size)
}
