// Package look is what the claim programs share: the clock mapwatch's
// trace uses, the lines the checker (tools/examples/check) reads, and a
// look at a map's runtime structures (classic.go, swiss.go) to print
// next to what the trace shows of them.
//
// Every line a program prints for the checker is
//
//	PROG: WHAT key=value key=value ...
//
// and a "mark" line (Mark) says when, on the trace's clock, a phase of
// the program ended.
package look

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"syscall"
	"unsafe"
)

// Mono is CLOCK_MONOTONIC in nanoseconds: the clock of the trace's
// time_ns, so the checker can order the program's lines against it.
func Mono() int64 {
	var ts syscall.Timespec
	const clockMonotonic = 1
	_, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic,
		uintptr(unsafe.Pointer(&ts)), 0)
	if e != 0 {
		Fail("clock_gettime: %v", e)
	}
	return ts.Nano()
}

// Say prints "PROG: WHAT" and the pairs, in the order given.
func Say(prog, what string, kv ...interface{}) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", prog, what)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, " %v=%v", kv[i], kv[i+1])
	}
	fmt.Println(b.String())
}

// Mark says that phase NAME ended now.
func Mark(prog, name string) {
	Say(prog, "mark", "phase", name, "mono_ns", Mono())
}

// Fail prints why on stderr and exits 1: the checker then has no result.
func Fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "error: "+format+"\n", args...)
	os.Exit(1)
}

// Hist is a histogram as "k:n,k:n" in key order ("-" when empty).
func Hist(h map[int]int) string {
	if len(h) == 0 {
		return "-"
	}
	keys := make([]int, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d:%d", k, h[k])
	}
	return strings.Join(parts, ",")
}

type eface struct {
	typ, data unsafe.Pointer
}

// mapParts: a map's type descriptor and its header (a map value is a
// pointer to the header).
func mapParts(m interface{}) (typ, hdr unsafe.Pointer) {
	e := (*eface)(unsafe.Pointer(&m))
	return e.typ, e.data
}

func at(p unsafe.Pointer, off uintptr) unsafe.Pointer { return unsafe.Add(p, off) }

// Addr is the map header's address, as the trace's "map" field has it.
func Addr(m interface{}) string {
	_, h := mapParts(m)
	return fmt.Sprintf("%d", uintptr(h))
}

// Shape is what a map's storage is made of, read from its structures:
// classic, 2^B buckets and the overflow buckets chained from them; swiss,
// the directory, its distinct tables and their slots.
type Shape struct {
	Impl     string
	Len      int
	B        int // classic
	Buckets  int // classic: 2^B
	Overflow int // classic: overflow buckets in the chains
	Growing  bool
	DirLen   int // swiss
	Tables   int // swiss
	Capacity int // slots: classic 8*(buckets+overflow), swiss over all tables
}

// Pairs is the shape as key=value pairs for Say.
func (s Shape) Pairs() []interface{} {
	if s.Impl == "classic" {
		return []interface{}{"impl", s.Impl, "len", s.Len, "B", s.B, "buckets", s.Buckets,
			"overflow", s.Overflow, "growing", s.Growing, "slots", s.Capacity}
	}
	return []interface{}{"impl", s.Impl, "len", s.Len, "dirlen", s.DirLen, "tables", s.Tables,
		"slots", s.Capacity}
}

// SayShape prints "PROG: shape phase=PHASE map=ADDR impl=... ...".
func SayShape(prog, phase string, m interface{}) {
	kv := append([]interface{}{"phase", phase, "map", Addr(m)}, ShapeOf(m).Pairs()...)
	Say(prog, "shape", kv...)
}

// Placement is where a map[uint64]uint64's keys are, against where their
// hash sends them: Disp counts keys by their distance in buckets or groups
// from that home (modulo the number of them), Chains counts buckets
// (classic) by the length of the chain they head, in buckets.
type Placement struct {
	Impl   string
	Keys   int
	Units  int // buckets (classic) or groups (swiss) of 8 slots
	Disp   map[int]int
	Chains map[int]int
}
