package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// --- basic: every key kind, make with and without hint, assign (new and
// overwrite), delete (present and absent), clear, assign after clear.

func basicSeq[K comparable](g *gctx, o *kops[K], k []K) {
	for i := 0; i < 5; i++ {
		o.Assign(g, k[i], i+1)
	}
	o.Assign(g, k[1], 100) // overwrite: count unchanged
	o.Delete(g, k[2])      // present
	o.Delete(g, k[5])      // absent: the runtime is still called
	o.Clear(g)
	o.Assign(g, k[3], 3)
	o.Assign(g, k[0], 0)
	o.Delete(g, k[0])
}

var nodes [8]*node // pointer keys; kept alive for the whole run

func scenarioBasic(g *gctx) {
	for i := range nodes {
		nodes[i] = &node{n: i}
	}
	basicSeq(g, int32Map(g, "basic/int32", -1), []int32{1, -2, 3, 0x7fffffff, -0x80000000, 42})
	basicSeq(g, int64Map(g, "basic/int64", -1), []int64{1, -2, 3, 1 << 40, -1 << 63, 42})
	basicSeq(g, ptrMap(g, "basic/ptr", -1), nodes[:6])
	long := strings.Repeat("0123456789abcdef", 20) // 320 bytes
	basicSeq(g, stringMap(g, "basic/string", -1), []string{"a", "", "quote\"back\\slash\n", long, "żółw", "absent"})
	basicSeq(g, structMap(g, "basic/struct", -1), []skey{{1, 2, 3}, {-1, 0xffffffff, -3}, {0, 0, 0}, {7, 7, 7}, {1, 2, 4}, {9, 9, 9}})
	basicSeq(g, arrayMap(g, "basic/array", -1), []akey{{1, 2, 3}, {3, 2, 1}, {0, 0, 0}, {-1, -1, -1}, {1, 2, 4}, {9, 9, 9}})
	basicSeq(g, bigElemMap(g, "basic/bigelem", -1), []int64{10, 20, 30, 40, 50, 60})
	// make with a hint: small (<= 8 slots) and large.
	basicSeq(g, int64Map(g, "basic/int64-hint5", 5), []int64{1, 2, 3, 4, 5, 6})
	basicSeq(g, int64Map(g, "basic/int64-hint100", 100), []int64{1, 2, 3, 4, 5, 6})
	basicSeq(g, stringMap(g, "basic/string-hint100", 100), []string{"a", "b", "c", "d", "e", "f"})
	basicSeq(g, int32Map(g, "basic/int32-hint2000", 2000), []int32{1, 2, 3, 4, 5, 6})
}

// --- grow: maps grown from empty to n entries (many buckets/tables), churn
// (delete half, re-add), clear of a big map, and a pre-sized map.

func growSeq[K comparable](g *gctx, o *kops[K], n int, key func(int) K) {
	for i := 0; i < n; i++ {
		o.Assign(g, key(i), i)
	}
	for i := 0; i < n; i += 2 {
		o.Delete(g, key(i))
	}
	for i := n; i < n+n/2; i++ {
		o.Assign(g, key(i), i)
	}
}

func scenarioGrow(g *gctx, n int) {
	o := int64Map(g, "grow/int64", -1)
	growSeq(g, o, n, func(i int) int64 { return int64(i) * 7919 })
	o.Clear(g)
	for i := 0; i < 10; i++ {
		o.Assign(g, int64(i), i)
	}
	growSeq(g, stringMap(g, "grow/string", -1), n/2, func(i int) string { return "key-" + strconv.Itoa(i) })
	growSeq(g, structMap(g, "grow/struct", -1), n/4, func(i int) skey { return skey{int32(i), uint32(i * 3), int64(-i)} })
	growSeq(g, int32Map(g, "grow/int32", -1), n/4, func(i int) int32 { return int32(i) })
	ptrs := make([]*node, n/4+n/8+1)
	for i := range ptrs {
		ptrs[i] = &node{n: i}
	}
	growSeq(g, ptrMap(g, "grow/ptr", -1), n/4, func(i int) *node { return ptrs[i] })
	growSeq(g, int64Map(g, "grow/int64-hint", n), n, func(i int) int64 { return int64(i) })
}

// --- reflect: maps made and changed through reflect (SetMapIndex,
// MakeMapWithSize, Value.Clear), encoding/json (Unmarshal into an existing
// and into a nil map) and maps.Clone (Go 1.21+).

// reflectOps drives a map through reflect.Value; K is the key type.
func reflectOps[K comparable](t *tmap, rv reflect.Value, keyf func(*obj, K)) *kops[K] {
	return &kops[K]{
		t:      t,
		assign: func(k K, v int) { rv.SetMapIndex(reflect.ValueOf(k), reflect.ValueOf(v)) },
		del:    func(k K) { rv.SetMapIndex(reflect.ValueOf(k), reflect.Value{}) },
		clear: func() {
			if !reflectClear(rv) {
				panic("reflect.Value.Clear needs Go 1.21")
			}
		},
		has:    func(k K) bool { return rv.MapIndex(reflect.ValueOf(k)).IsValid() },
		length: func() int { return rv.Len() },
		key:    keyf,
		via:    "reflect",
	}
}

// jsonAssigns records what json.Unmarshal did to map t: one assign per
// member of the object, in order; before lists the keys present before.
func jsonAssigns[K comparable](g *gctx, t *tmap, before []K, members []K, vals []int, keyf func(*obj, K)) {
	present := append([]K(nil), before...)
	for i, k := range members {
		had := false
		for _, p := range present {
			if p == k {
				had = true
			}
		}
		r := t.opRec(g, "assign", len(present))
		keyf(r, k)
		r.i("val", int64(vals[i])).bl("new", !had).s("via", "json")
		t.ops.assign++
		emit(r)
		if !had {
			present = append(present, k)
		}
	}
}

func scenarioReflect(g *gctx) {
	strKey := func(r *obj, k string) { r.s("key", k) }
	intKey := func(r *obj, k int64) { r.i("key", k) }

	// reflect.MakeMapWithSize + SetMapIndex (reflect.mapassign_faststr0).
	rv := reflect.MakeMapWithSize(reflect.TypeOf(map[string]int(nil)), 10)
	t := register(g, "reflect/string", "string", "string", "int", rv.Interface(), 10, "reflect", nil)
	o := reflectOps[string](t, rv, strKey)
	for i := 0; i < 200; i++ { // grows through the reflect path
		o.Assign(g, "r"+strconv.Itoa(i), i)
	}
	o.Assign(g, "r7", -7)
	o.Delete(g, "r8")
	o.Delete(g, "nope")
	if haveClone { // reflect.Value.Clear and maps.Clone arrived together (1.21)
		o.Clear(g)
	}
	o.Assign(g, "after", 1)

	// reflect.MakeMap, int64 keys (reflect.mapassign0: generic, key by pointer).
	rv2 := reflect.MakeMap(reflect.TypeOf(map[int64]int(nil)))
	t2 := register(g, "reflect/int64", "int64", "int64", "int", rv2.Interface(), 0, "reflect", nil)
	o2 := reflectOps[int64](t2, rv2, intKey)
	for i := int64(0); i < 20; i++ {
		o2.Assign(g, i*i, int(i))
	}
	o2.Delete(g, 4)

	// reflect on a map made directly.
	d := int32Map(g, "reflect/int32-direct", -1)
	d.Assign(g, 1, 1)
	m32 := d.t.m.(map[int32]int)
	o3 := reflectOps[int32](d.t, reflect.ValueOf(m32), func(r *obj, k int32) { r.i("key", int64(k)) })
	o3.Assign(g, 2, 2)
	o3.Delete(g, 1)

	// encoding/json into an existing map: assigns only.
	ms := make(map[string]int)
	tj := register(g, "json/existing", "string", "string", "int", ms, -1, "direct", nil)
	oj := stringOps(tj, ms)
	oj.Assign(g, "pre", 0)
	js := `{"a":1,"b":2,"a":3,"pre":5}`
	if err := json.Unmarshal([]byte(js), &ms); err != nil {
		panic(err)
	}
	jsonAssigns(g, tj, []string{"pre"}, []string{"a", "b", "a", "pre"}, []int{1, 2, 3, 5}, strKey)
	tj.after(g, 0, "json")

	// encoding/json into a nil map: reflect.MakeMap (hint 0), then assigns.
	var mn map[string]int
	if err := json.Unmarshal([]byte(`{"x":1,"y":2,"x":4}`), &mn); err != nil {
		panic(err)
	}
	tn := register(g, "json/nil-string", "string", "string", "int", mn, 0, "json", nil)
	jsonAssigns(g, tn, nil, []string{"x", "y", "x"}, []int{1, 2, 4}, strKey)
	tn.after(g, 0, "json")

	var mi map[int64]int
	if err := json.Unmarshal([]byte(`{"1":10,"-2":20,"300":30}`), &mi); err != nil {
		panic(err)
	}
	ti := register(g, "json/nil-int64", "int64", "int64", "int", mi, 0, "json", nil)
	jsonAssigns(g, ti, nil, []int64{1, -2, 300}, []int{10, 20, 30}, intKey)
	ti.after(g, 0, "json")

	if !haveClone {
		return
	}
	// maps.Clone: small, grown and empty sources; then the clone is changed.
	src := stringMap(g, "clone/src-string", -1)
	for i := 0; i < 5; i++ {
		src.Assign(g, "c"+strconv.Itoa(i), i)
	}
	cs := cloneMap(src.t.m.(map[string]int))
	c := stringOps(register(g, "clone/dst-string", "string", "string", "int", cs, -1, "maps.Clone", src.t), cs)
	c.Assign(g, "new", 1)
	c.Delete(g, "c0")

	src2 := int64Map(g, "clone/src-int64", -1)
	for i := 0; i < 300; i++ {
		src2.Assign(g, int64(i), i)
	}
	ci := cloneMap(src2.t.m.(map[int64]int))
	c2 := int64Ops(register(g, "clone/dst-int64", "int64", "int64", "int", ci, -1, "maps.Clone", src2.t), ci)
	c2.Assign(g, 1000, 1)
	c2.Delete(g, 0)

	src3 := int64Map(g, "clone/src-empty", -1)
	ce := cloneMap(src3.t.m.(map[int64]int))
	c3 := int64Ops(register(g, "clone/dst-empty", "int64", "int64", "int", ce, -1, "maps.Clone", src3.t), ce)
	c3.Assign(g, 1, 1)
}

// --- goroutines: n goroutines released together, each with its own maps.

func scenarioGoroutines(n int) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			g := newG()
			emit(newObj("goroutine").i("index", int64(w)).i("goid", g.goid))
			a := int64Map(g, "goroutines/"+strconv.Itoa(w)+"/int64", -1)
			s := stringMap(g, "goroutines/"+strconv.Itoa(w)+"/string", -1)
			<-start
			for i := 0; i < 50; i++ {
				a.Assign(g, int64(w*1000+i), i)
				s.Assign(g, "g"+strconv.Itoa(w)+"-"+strconv.Itoa(i), i)
			}
			for i := 0; i < 50; i += 5 {
				a.Delete(g, int64(w*1000+i))
				s.Delete(g, "g"+strconv.Itoa(w)+"-"+strconv.Itoa(i))
			}
			s.Clear(g)
		}(w)
	}
	// Let the goroutines reach the barrier (they run on both CPUs).
	time.Sleep(20 * time.Millisecond)
	close(start)
	wg.Wait()
}

// --- hammer: workers loop delete+assign on their own map (a fixed window
// of keys, so the map stops growing) until n iterations or the duration.
// Nothing is printed per operation; a summary per worker at the end.

func scenarioHammer(workers, n int, d time.Duration, stopFile string) {
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	const window = 1024
	// done is asked every 4096 iterations.
	done := func() bool {
		if d > 0 && time.Now().After(deadline) {
			return true
		}
		if stopFile != "" {
			_, err := os.Stat(stopFile)
			return err == nil
		}
		return false
	}
	started := func(t *tmap, g *gctx) {
		fmt.Fprintf(os.Stderr, "hammer %d 0x%x %d %s %d\n", t.id, t.addr, g.goid, t.kind, window)
	}
	skeys := make([]string, window)
	for i := range skeys {
		skeys[i] = "h" + strconv.Itoa(i)
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			g := newG()
			var assigns, deletes int64
			var t *tmap
			if w%2 == 0 {
				m := make(map[int64]int)
				t = register(g, "hammer/"+strconv.Itoa(w)+"/int64", "int64", "int64", "int", m, -1, "direct", nil)
				for i := 0; n == 0 || i < n; i++ {
					if i%4096 == 0 && done() {
						break
					}
					k := int64(i % window)
					delete(m, k)
					m[k] = i
					assigns++
					deletes++
					if i == 0 {
						started(t, g)
					}
				}
			} else {
				m := make(map[string]int)
				t = register(g, "hammer/"+strconv.Itoa(w)+"/string", "string", "string", "int", m, -1, "direct", nil)
				for i := 0; n == 0 || i < n; i++ {
					if i%4096 == 0 && done() {
						break
					}
					k := skeys[i%window]
					delete(m, k)
					m[k] = i
					assigns++
					deletes++
					if i == 0 {
						started(t, g)
					}
				}
			}
			t.ops.assign, t.ops.del = assigns, deletes
			t.shape = getShape(t.m)
			emit(newObj("hammer").i("map", t.id).hex("addr", t.addr).i("goid", g.goid).
				i("assigns", assigns).i("deletes", deletes).i("window", window))
		}(w)
	}
	wg.Wait()
}
