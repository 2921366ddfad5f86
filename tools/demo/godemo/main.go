// Command godemo is what `make demo` traces: a cache that fills up, is
// emptied with delete(), and keeps its storage, as Go maps never shrink.
// It imports no package that makes maps of its own at start-up, so the
// trace shows only its maps.
package main

import (
	"os"
	"strconv"
)

func main() {
	sessions := make(map[string]int)
	for i := 0; i < 12; i++ {
		sessions["user-"+strconv.Itoa(i)] = i
	}
	for i := 0; i < 12; i += 2 {
		delete(sessions, "user-"+strconv.Itoa(i))
	}

	hits := make(map[int64]int64, 4)
	for i := int64(0); i < 40; i++ {
		hits[i*7]++
	}
	for k := range hits {
		delete(hits, k)
	}
	clear(sessions)

	os.Stdout.WriteString("godemo: sessions " + strconv.Itoa(len(sessions)) +
		", hits " + strconv.Itoa(len(hits)) + " entries left\n")
}
