//go:build cgo

package main

// With CGO_ENABLED=1 the fixture links runtime/cgo (and so is linked
// externally, with gcc, against libc): the "cgo" variant of the fixtures.

// #include <unistd.h>
import "C"

const cgoEnabled = true

// cgoGetpid calls into C once, so the cgo call path is exercised too.
func cgoGetpid() int { return int(C.getpid()) }
