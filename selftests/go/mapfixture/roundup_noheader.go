//go:build !go1.22 || (go1.22 && !go1.23 && !goexperiment.allocheaders)

package main

// roundupsize as in the runtime before malloc headers (Go <= 1.21, and 1.22
// with GOEXPERIMENT=noallocheaders): the object's size class, or pages.
func roundupsize(size uintptr, noscan bool) uintptr {
	if size < maxSmallSize {
		return classSize(size)
	}
	return roundupLarge(size)
}
