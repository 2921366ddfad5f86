package main

import (
	"runtime"
	"sync"
	"unsafe"
)

// gctx is the goroutine doing the operations, with its runtime goroutine id.
type gctx struct{ goid int64 }

// curGoid parses the "goroutine N [" header that runtime.Stack writes; this
// is the same number as runtime.g.goid, which a tracer reads through R14.
func curGoid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	const p = "goroutine "
	if len(b) < len(p) || string(b[:len(p)]) != p {
		panic("runtime.Stack: unexpected header " + string(b))
	}
	var n int64
	for _, c := range b[len(p):] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func newG() *gctx { return &gctx{goid: curGoid()} }

// opCounts counts the recorded operations of one map (no map here: the
// fixture's bookkeeping must not itself do map operations).
type opCounts struct{ make, assign, del, clear, clone, grow, growDone int64 }

// tmap is one map the fixture made and tracks.
type tmap struct {
	id           int64
	name         string // scenario/what, unique
	kind         string // key kind: int32 int64 ptr string struct array
	ktype, vtype string // Go types
	m            interface{}
	addr         uintptr
	goid         int64
	shape        shape
	ops          opCounts
}

var (
	regMu sync.Mutex
	reg   []*tmap
)

// eface is the layout of an interface{}: type descriptor, then data; for a
// map the data word is the map header pointer itself.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

func mapParts(m interface{}) (typ, hdr unsafe.Pointer) {
	e := (*eface)(unsafe.Pointer(&m))
	return e.typ, e.data
}

// cloneFn is the function cloneMap ran as (go121.go).
var cloneFn string

// funcName names the function skip frames above its caller as the machine
// code has it (the outermost function when inlined), which is what a
// tracer finds from return addresses.
func funcName(skip int) string {
	pc, _, _, ok := runtime.Caller(skip + 1)
	if !ok {
		return ""
	}
	f := runtime.FuncForPC(pc)
	if f == nil {
		return ""
	}
	if o := runtime.FuncForPC(f.Entry()); o != nil {
		return o.Name()
	}
	return f.Name()
}

// register records a new map ("make" op, or "clone" when src != nil).
func register(g *gctx, name, kind, ktype, vtype string, m interface{}, hint int, via string, src *tmap) *tmap {
	_, hdr := mapParts(m)
	regMu.Lock()
	t := &tmap{id: int64(len(reg) + 1), name: name, kind: kind, ktype: ktype, vtype: vtype,
		m: m, addr: uintptr(hdr), goid: g.goid}
	reg = append(reg, t)
	regMu.Unlock()
	op := "make"
	if src != nil {
		op = "clone"
	}
	r := t.opRec(g, op, 0)
	// After make/clone: a make event is at its return. Not for a map that
	// encoding/json made: it is registered when Unmarshal has filled it.
	if hdr != nil && via != "json" {
		r.u("bytes", storage(m, nil))
	}
	r.s("name", name).s("ktype", ktype).s("vtype", vtype)
	if src != nil {
		r.i("src", src.id).hex("src_addr", src.addr).i("src_count", int64(mapLen(src.m)))
		t.ops.clone++
	} else {
		r.i("hint", int64(hint))
		t.ops.make++
	}
	// The function that made the map: register's caller, or cloneMap's.
	fn := funcName(1)
	if via == "maps.Clone" {
		fn = cloneFn
	}
	r.s("via", via).s("fn", fn)
	seq := emit(r)
	t.shape = getShape(m)
	// A map made with a hint may already have groups/tables (swiss) or
	// buckets: report its initial shape.
	sr := newObj("shape").i("map", t.id).i("cause_seq", seq)
	shapeFields(sr, "", t.shape)
	emit(sr)
	return t
}

// opRec starts an "op" record for map t.
func (t *tmap) opRec(g *gctx, op string, count int) *obj {
	r := newObj("op").s("op", op).i("map", t.id).hex("addr", t.addr).i("goid", g.goid)
	r.s("kind", t.kind).i("count", int64(count))
	return r
}

// after checks the map's shape after an operation whose record got sequence
// number seq, and emits "grow" (and classic "grow_done") records for changes.
func (t *tmap) after(g *gctx, seq int64, cause string) {
	ns := getShape(t.m)
	if ns == t.shape {
		return
	}
	for _, ev := range shapeChanges(t.shape, ns) {
		op := "grow"
		if ev.how == "grow_done" {
			op = "grow_done"
			t.ops.growDone++
		} else {
			t.ops.grow++
		}
		r := t.opRec(g, op, mapLen(t.m)).s("how", ev.how).i("cause_seq", seq).s("cause_op", cause)
		shapeFields(r, "from_", ev.from)
		shapeFields(r, "to_", ev.to)
		emit(r)
	}
	t.shape = ns
}

// mapLen is len() of any map, from the count/used word at offset 0 that
// len() itself reads (both implementations).
func mapLen(m interface{}) int {
	_, hdr := mapParts(m)
	if hdr == nil {
		return 0
	}
	return int(*(*int)(hdr))
}

// kops drives one map with key type K. The map operations themselves are in
// the closures, written with concrete types, so that the compiler emits the
// same runtime calls as in ordinary code (fast variants, generic path).
type kops[K comparable] struct {
	t      *tmap
	assign func(K, int)
	del    func(K)
	clear  func()
	has    func(K) bool
	length func() int
	key    func(*obj, K) // adds "key" (and "kbytes" for memory keys)
	via    string
}

// bytesBefore is the map's storage before an operation, as its event sees it.
func (t *tmap) bytesBefore() (uint64, bool) {
	if _, hdr := mapParts(t.m); hdr == nil {
		return 0, false
	}
	return storage(t.m, nil), true
}

func (t *tmap) opRecBytes(g *gctx, op string, count int, b uint64, ok bool) *obj {
	r := t.opRec(g, op, count)
	if ok {
		r.u("bytes", b)
	}
	return r
}

func (o *kops[K]) Assign(g *gctx, k K, v int) {
	n, had := o.length(), o.has(k)
	b, ok := o.t.bytesBefore()
	o.assign(k, v)
	r := o.t.opRecBytes(g, "assign", n, b, ok)
	o.key(r, k)
	r.i("val", int64(v)).bl("new", !had).s("via", o.via)
	o.t.ops.assign++
	o.t.after(g, emit(r), "assign")
}

func (o *kops[K]) Delete(g *gctx, k K) {
	n, had := o.length(), o.has(k)
	b, ok := o.t.bytesBefore()
	o.del(k)
	r := o.t.opRecBytes(g, "delete", n, b, ok)
	o.key(r, k)
	r.bl("present", had).s("via", o.via)
	o.t.ops.del++
	o.t.after(g, emit(r), "delete")
}

func (o *kops[K]) Clear(g *gctx) {
	n := o.length()
	b, ok := o.t.bytesBefore()
	o.clear()
	r := o.t.opRecBytes(g, "clear", n, b, ok).s("via", o.via)
	o.t.ops.clear++
	o.t.after(g, emit(r), "clear")
}
