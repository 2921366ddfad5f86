package main

// One constructor per key kind. Each makes a map with concrete types, so the
// compiler picks the runtime functions ordinary code gets:
//
//	kind    Go key type   assign                delete
//	int32   int32         mapassign_fast32      mapdelete_fast32
//	int64   int64         mapassign_fast64      mapdelete_fast64
//	ptr     *node         mapassign_fast64ptr   mapdelete_fast64
//	string  string        mapassign_faststr     mapdelete_faststr
//	struct  skey (16 B)   mapassign             mapdelete   (generic: key by pointer)
//	array   [3]int32      mapassign             mapdelete   (generic)
//	bigelem int64 key, [200]byte elem: mapassign/mapdelete_fast64 (elem > 128 B)
//
// hint < 0 is make(map[K]V) (runtime.makemap_small); hint >= 0 is
// make(map[K]V, hint) with a non-constant hint (runtime.makemap). The
// constructors are not inlined so that the hint stays non-constant. Every
// map escapes (the registry keeps it), so its header is on the heap.

import (
	"strconv"
	"unsafe"
)

type node struct{ n int }

// skey is 16 bytes of plain memory: not 4 or 8 bytes, so no fast variant.
type skey struct {
	A int32
	B uint32
	C int64
}

type akey [3]int32

// kbytes adds the raw key memory in hex, as a tracer reading the key pointer
// of the generic mapassign/mapdelete sees it.
func kbytes(r *obj, p unsafe.Pointer, n uintptr) {
	const hexd = "0123456789abcdef"
	b := unsafe.Slice((*byte)(p), n)
	h := make([]byte, 0, 2*n+2)
	h = append(h, '"')
	for _, c := range b {
		h = append(h, hexd[c>>4], hexd[c&15])
	}
	r.raw("kbytes", append(h, '"'))
}

//go:noinline
func int32Map(g *gctx, name string, hint int) *kops[int32] {
	var m map[int32]int
	if hint < 0 {
		m = make(map[int32]int)
	} else {
		m = make(map[int32]int, hint)
	}
	return &kops[int32]{
		t:      register(g, name, "int32", "int32", "int", m, hint, "direct", nil),
		assign: func(k int32, v int) { m[k] = v },
		del:    func(k int32) { delete(m, k) },
		clear:  func() { clearMap(m) },
		has:    func(k int32) bool { _, ok := m[k]; return ok },
		length: func() int { return len(m) },
		key:    func(r *obj, k int32) { r.i("key", int64(k)) },
		via:    "direct",
	}
}

//go:noinline
func int64Map(g *gctx, name string, hint int) *kops[int64] {
	var m map[int64]int
	if hint < 0 {
		m = make(map[int64]int)
	} else {
		m = make(map[int64]int, hint)
	}
	return int64Ops(register(g, name, "int64", "int64", "int", m, hint, "direct", nil), m)
}

func int64Ops(t *tmap, m map[int64]int) *kops[int64] {
	return &kops[int64]{
		t:      t,
		assign: func(k int64, v int) { m[k] = v },
		del:    func(k int64) { delete(m, k) },
		clear:  func() { clearMap(m) },
		has:    func(k int64) bool { _, ok := m[k]; return ok },
		length: func() int { return len(m) },
		key:    func(r *obj, k int64) { r.i("key", k) },
		via:    "direct",
	}
}

//go:noinline
func ptrMap(g *gctx, name string, hint int) *kops[*node] {
	var m map[*node]int
	if hint < 0 {
		m = make(map[*node]int)
	} else {
		m = make(map[*node]int, hint)
	}
	return &kops[*node]{
		t:      register(g, name, "ptr", "*main.node", "int", m, hint, "direct", nil),
		assign: func(k *node, v int) { m[k] = v },
		del:    func(k *node) { delete(m, k) },
		clear:  func() { clearMap(m) },
		has:    func(k *node) bool { _, ok := m[k]; return ok },
		length: func() int { return len(m) },
		key:    func(r *obj, k *node) { r.hex("key", uintptr(unsafe.Pointer(k))) },
		via:    "direct",
	}
}

//go:noinline
func stringMap(g *gctx, name string, hint int) *kops[string] {
	var m map[string]int
	if hint < 0 {
		m = make(map[string]int)
	} else {
		m = make(map[string]int, hint)
	}
	return stringOps(register(g, name, "string", "string", "int", m, hint, "direct", nil), m)
}

func stringOps(t *tmap, m map[string]int) *kops[string] {
	return &kops[string]{
		t:      t,
		assign: func(k string, v int) { m[k] = v },
		del:    func(k string) { delete(m, k) },
		clear:  func() { clearMap(m) },
		has:    func(k string) bool { _, ok := m[k]; return ok },
		length: func() int { return len(m) },
		key:    func(r *obj, k string) { r.s("key", k) },
		via:    "direct",
	}
}

//go:noinline
func structMap(g *gctx, name string, hint int) *kops[skey] {
	var m map[skey]int
	if hint < 0 {
		m = make(map[skey]int)
	} else {
		m = make(map[skey]int, hint)
	}
	return &kops[skey]{
		t:      register(g, name, "struct", "main.skey", "int", m, hint, "direct", nil),
		assign: func(k skey, v int) { m[k] = v },
		del:    func(k skey) { delete(m, k) },
		clear:  func() { clearMap(m) },
		has:    func(k skey) bool { _, ok := m[k]; return ok },
		length: func() int { return len(m) },
		key: func(r *obj, k skey) {
			r.raw("key", subObj().i("A", int64(k.A)).i("B", int64(k.B)).i("C", k.C).close())
			kbytes(r, unsafe.Pointer(&k), unsafe.Sizeof(k))
		},
		via: "direct",
	}
}

//go:noinline
func arrayMap(g *gctx, name string, hint int) *kops[akey] {
	var m map[akey]int
	if hint < 0 {
		m = make(map[akey]int)
	} else {
		m = make(map[akey]int, hint)
	}
	return &kops[akey]{
		t:      register(g, name, "array", "[3]int32", "int", m, hint, "direct", nil),
		assign: func(k akey, v int) { m[k] = v },
		del:    func(k akey) { delete(m, k) },
		clear:  func() { clearMap(m) },
		has:    func(k akey) bool { _, ok := m[k]; return ok },
		length: func() int { return len(m) },
		key: func(r *obj, k akey) {
			b := []byte{'['}
			for i, x := range k {
				if i > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendInt(b, int64(x), 10)
			}
			r.raw("key", append(b, ']'))
			kbytes(r, unsafe.Pointer(&k), unsafe.Sizeof(k))
		},
		via: "direct",
	}
}

type bigElem [200]byte

//go:noinline
func bigElemMap(g *gctx, name string, hint int) *kops[int64] {
	var m map[int64]bigElem
	if hint < 0 {
		m = make(map[int64]bigElem)
	} else {
		m = make(map[int64]bigElem, hint)
	}
	return &kops[int64]{
		t:      register(g, name, "int64", "int64", "[200]uint8", m, hint, "direct", nil),
		assign: func(k int64, v int) { m[k] = bigElem{byte(v)} },
		del:    func(k int64) { delete(m, k) },
		clear:  func() { clearMap(m) },
		has:    func(k int64) bool { _, ok := m[k]; return ok },
		length: func() int { return len(m) },
		key:    func(r *obj, k int64) { r.i("key", k) },
		via:    "direct",
	}
}
