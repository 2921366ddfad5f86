// Command mapfixture performs a known, deterministic sequence of Go map
// operations and prints, as JSON lines on stdout, what it did: the ground
// truth a tracer of the runtime's map functions (mapwatch) must reproduce.
// It uses only the standard library and builds with Go 1.19 through 1.27.
//
// Usage:
//
//	mapfixture [-scenario LIST] [-n N] [-duration D] [-workers W]
//	           [-wait none|stdin|signal] [-wait-file PATH] [-stop-file PATH]
//	           [-late-file PATH] [-hold-file PATH] [-pause-file PATH]
//
//	-scenario  comma-separated: basic, grow, reflect, goroutines, gc, hammer,
//	           service (alone: see scenarioService), all
//	           (all = basic,grow,reflect,goroutines; the default; gc: two
//	           runtime.GC() and a debug.FreeOSMemory())
//	-n         grow: entries per map (default 2000); goroutines: how many
//	           (default 4); hammer: iterations per worker (0 = use -duration)
//	-duration  hammer: how long (default 5s when -n is 0)
//	-workers   hammer: worker goroutines (default max(2, GOMAXPROCS))
//	-wait      before the first map operation, print "ready PID" on stderr
//	           and wait for a line on stdin (stdin) or for SIGUSR1 (signal)
//	-wait-file also print "ready PID", then poll every 10 ms until PATH exists
//	-stop-file hammer: also stop once PATH exists (checked every 4096
//	           iterations): a harness ends the run, not a clock
//	-late-file after the scenarios, print "made PID" on stderr, wait until
//	           PATH exists, then assign to each non-empty map one of its own
//	           keys and values through reflect (not recorded as an op): a
//	           tracer attached late sees every map once
//	-hold-file at the end, print "holding PID" on stderr and keep every map
//	           until PATH exists: a tracer can read them while they live
//	-pause-file service: stop the traffic once PATH exists (then -stop-file
//	           ends the program)
//
// hammer: each worker does delete(m, k) then m[k] = i for i = 0, 1, ...
// with k = i % window (int64 k, or the string "h<k>"), on a map of its own
// made without a hint; after its first iteration it writes "hammer MAP ADDR
// GOID KIND WINDOW" on stderr (unbuffered: a harness knows the workers are
// busy, and one that kills the fixture mid-run still knows their maps).
//
// A harness starts the fixture with a wait mode, reads "ready PID" from its
// stderr, attaches the tracer to PID, then releases it. Everything done
// before "ready" (flag parsing, size-class lookup, json warm-up, the layout
// self-check) may use maps; after it, the only map operations of the
// fixture's code are the recorded ones. The Go runtime and standard library
// may still touch their own maps (e.g. encoding/json's caches before Go
// 1.24, os/signal); those have other addresses.
//
// Output: one JSON object per line; "ev" says which kind:
//
//	{"ev":"start","pid":N,"go":"go1.24.4","goarch":"amd64","impl":"swiss"|"classic",
//	 "gomaxprocs":N,"scenario":"...","n":N,"layout":"ok"|"<error>",
//	 "cgo":bool (built with cgo: runtime/cgo linked), "cgo_pid_ok":bool}
//	{"ev":"op", ...}             one map operation, in program order per goroutine
//	{"ev":"shape","map":ID,"cause_seq":S,...}  a map's shape right after make/clone
//	{"ev":"goroutine","index":I,"goid":G}      goroutines scenario: who is who
//	{"ev":"hammer","map":ID,"addr":A,"goid":G,"assigns":N,"deletes":N,"window":W}
//	{"ev":"map","map":ID,...}    per map at the end: name, counts, storage
//	{"ev":"released","numgc":N}  the wait is over: GC cycles completed so far
//	{"ev":"gc","forced":3,"numgc_before":N,"numgc_after":N}  gc scenario
//	{"ev":"end","maps":N,"ops":N,"numgc":N}
//
// "op" records have: "op" (make, clone, assign, delete, clear, grow,
// grow_done), "map" (fixture id, 1..), "addr" (the map header address as a
// "0x..." hex string: what the runtime functions get as their map argument;
// all maps escape, so headers are on the heap and do not move), "goid"
// (runtime goroutine id, parsed from runtime.Stack), "kind" (key kind: int32
// int64 ptr string struct array), "count" (len() before the operation), and
// "seq" (global order in which records were written). Per op:
//
//	make:   "name", "ktype", "vtype", "hint" (-1: make without a size,
//	        runtime.makemap_small; otherwise the non-constant hint given to
//	        runtime.makemap / reflect.makemap), "via" (direct, reflect, json),
//	        "fn" (the function that made it, as the machine code has it: an
//	        inlined function's outermost caller)
//	clone:  maps.Clone (Go 1.21+): "src", "src_addr", "src_count"; the new
//	        map is this record's "map"/"addr"; "via":"maps.Clone"
//	assign: "key", "val", "new" (key was absent), "via" (direct, reflect, json)
//	delete: "key", "present", "via"
//	clear:  "via" (clear() or, before 1.21, the range-delete loop the
//	        compiler turns into runtime.mapclear; reflect.Value.Clear)
//	grow:   a growth step seen by comparing the map's runtime structures
//	        before and after the operation "cause_seq"/"cause_op" (json:
//	        cause_seq 0, after the whole Unmarshal): "how" = hashGrow or
//	        sameSizeGrow (classic), growToSmall, growToTable, grow (table
//	        capacity doubled) or split (swiss); from_*/to_* shape fields
//	        (classic: B, growing, same_size; swiss: dirlen, tables, capacity)
//	grow_done: classic only: oldbuckets released (evacuation finished, or
//	        a clear during growth)
//
// Keys: int32/int64 as JSON numbers; ptr as a "0x..." string; string as a
// JSON string (invalid UTF-8 would become U+FFFD; none is used); struct as
// {"A":..,"B":..,"C":..} and array as [..], both plus "kbytes": the raw key
// memory in hex (what the generic mapassign/mapdelete get a pointer to).
//
// "map" records (end of run, one per map) have "name", "kind", "ktype",
// "vtype", "addr", "goid" (creator), "len", the counts of recorded ops
// ("n_make", "n_clone", "n_assign", "n_delete", "n_clear", "n_grow",
// "n_grow_done") and the storage computed from the runtime structures
// through unsafe, with the layout of this Go version and map
// implementation (build tags; see classic.go and swiss.go):
//
//	classic: "B", "bucket_size", "nbuckets" (2^B plus pre-allocated overflow
//	  buckets when B >= 4, as makeBucketArray sizes them), "old_nbuckets",
//	  "overflow_buckets" (on the chains, outside the arrays), "noverflow",
//	  "nbuckets_check" (ok/MISMATCH/n/a: nbuckets verified against the
//	  pre-allocated overflow sentinel), "header_bytes", "bucket_bytes",
//	  "old_bytes", "overflow_bytes", "indirect_bytes", "bytes" (the sum)
//	swiss: "dirlen", "global_depth", "tables", "capacity", "group_size",
//	  "header_bytes", "directory_bytes", "table_bytes", "group_bytes",
//	  "indirect_bytes", "bytes" (the sum)
//
// Sizes are the objects' sizes, not rounded up to malloc size classes.
// Exit status: 0; 2 on bad usage; a panic (2) if something unexpected
// happened (e.g. a json error).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

func main() {
	scen := flag.String("scenario", "all", "comma-separated: basic, grow, reflect, goroutines, gc, hammer, all")
	n := flag.Int("n", -1, "size: grow entries / goroutines / hammer iterations per worker")
	dur := flag.Duration("duration", 0, "hammer: duration (default 5s when -n is 0)")
	workers := flag.Int("workers", 0, "hammer: workers (default max(2, GOMAXPROCS))")
	wait := flag.String("wait", "none", "none, stdin or signal (SIGUSR1)")
	waitFile := flag.String("wait-file", "", "poll until this file exists before starting")
	stopFile := flag.String("stop-file", "", "hammer: stop once this file exists")
	lateFile := flag.String("late-file", "", "after the scenarios, print \"made PID\", wait for this file, touch each map")
	holdFile := flag.String("hold-file", "", "at the end, print \"holding PID\" and keep the maps until this file exists")
	pauseFile := flag.String("pause-file", "", "service: stop the traffic once this file exists")
	flag.Parse()
	if flag.NArg() > 0 {
		usage("unexpected arguments")
	}
	var run []string
	for _, s := range strings.Split(*scen, ",") {
		switch s {
		case "all":
			run = append(run, "basic", "grow", "reflect", "goroutines")
		case "basic", "grow", "reflect", "goroutines", "gc", "hammer", "service":
			run = append(run, s)
		default:
			usage("unknown scenario " + s)
		}
	}
	if *workers <= 0 {
		*workers = runtime.GOMAXPROCS(0)
		if *workers < 2 {
			*workers = 2
		}
	}

	// Everything that may use maps internally happens before "ready".
	initSizeClasses()
	warmUp()
	layout := "ok"
	if err := selfCheck(); err != nil {
		layout = err.Error()
	}
	var sigs chan os.Signal
	if *wait == "signal" {
		sigs = make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGUSR1)
	} else if *wait != "none" && *wait != "stdin" {
		usage("bad -wait " + *wait)
	}

	emit(newObj("start").i("pid", int64(os.Getpid())).s("go", runtime.Version()).
		s("goarch", runtime.GOARCH).s("impl", implName).i("gomaxprocs", int64(runtime.GOMAXPROCS(0))).
		s("scenario", strings.Join(run, ",")).i("n", int64(*n)).s("layout", layout).
		bl("cgo", cgoEnabled).bl("cgo_pid_ok", cgoGetpid() == os.Getpid() || !cgoEnabled))
	flush()

	if *wait != "none" || *waitFile != "" {
		fmt.Fprintf(os.Stderr, "ready %d\n", os.Getpid())
		switch *wait {
		case "stdin":
			bufio.NewReader(os.Stdin).ReadString('\n')
		case "signal":
			<-sigs
		}
		for *waitFile != "" {
			if _, err := os.Stat(*waitFile); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	emit(newObj("released").i("numgc", int64(numGC())))
	g := newG()
	for _, s := range run {
		switch s {
		case "basic":
			scenarioBasic(g)
		case "grow":
			scenarioGrow(g, pick(*n, 2000))
		case "reflect":
			scenarioReflect(g)
		case "goroutines":
			scenarioGoroutines(pick(*n, 4))
		case "gc":
			scenarioGC()
		case "hammer":
			d := *dur
			if *n <= 0 && d == 0 && *stopFile == "" {
				d = 5 * time.Second
			}
			scenarioHammer(*workers, pick(*n, 0), d, *stopFile)
		case "service":
			scenarioService(pick(*n, 100000), *pauseFile, *stopFile)
		}
		flush()
	}

	if *lateFile != "" {
		fmt.Fprintf(os.Stderr, "made %d\n", os.Getpid())
		waitFor(*lateFile)
		touchMaps()
	}

	var ops int64
	for _, t := range reg {
		r := newObj("map").i("map", t.id).s("name", t.name).s("kind", t.kind).s("ktype", t.ktype).
			s("vtype", t.vtype).hex("addr", t.addr).i("goid", t.goid).i("len", int64(mapLen(t.m)))
		c := t.ops
		r.i("n_make", c.make).i("n_clone", c.clone).i("n_assign", c.assign).i("n_delete", c.del).
			i("n_clear", c.clear).i("n_grow", c.grow).i("n_grow_done", c.growDone)
		storage(t.m, r)
		emit(r)
		ops += c.make + c.clone + c.assign + c.del + c.clear
	}
	emit(newObj("end").i("maps", int64(len(reg))).i("ops", ops).i("numgc", int64(numGC())))
	flush()
	if *holdFile != "" {
		fmt.Fprintf(os.Stderr, "holding %d\n", os.Getpid())
		waitFor(*holdFile)
		runtime.KeepAlive(reg)
		runtime.KeepAlive(emptied)
	}
}

// emptied is touchMaps' map emptied by deletes, kept to the end.
var emptied map[int64]int64

// waitFor polls every 10 ms until path exists.
func waitFor(path string) {
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// touchMaps assigns to each non-empty map one of its keys with its own
// value (reflect: one traced assign, no change): a tracer attached after
// the maps were made sees each of them once (-late-file). Not recorded as
// an op: only a test of state read from the process uses it.
func touchMaps() {
	// A map emptied by its deletes after the attach (its seed drawn anew):
	// still the same live map when read at the end.
	emptied = make(map[int64]int64)
	emptied[1] = 1
	delete(emptied, 1)
	_, hdr := mapParts(emptied)
	fmt.Fprintf(os.Stderr, "emptied 0x%x\n", uintptr(hdr))
	for _, t := range reg {
		v := reflect.ValueOf(t.m)
		if v.Len() == 0 {
			continue
		}
		k := v.MapKeys()[0]
		v.SetMapIndex(k, v.MapIndex(k))
	}
}

// numGC is runtime.MemStats.NumGC: GC cycles completed so far.
func numGC() uint32 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.NumGC
}

// scenarioGC forces two GC cycles, then debug.FreeOSMemory (a third cycle,
// then the scavenger returns every free page to the OS).
func scenarioGC() {
	before := numGC()
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	emit(newObj("gc").i("forced", 3).i("numgc_before", int64(before)).
		i("numgc_after", int64(numGC())))
}

func pick(n, def int) int {
	if n < 0 {
		return def
	}
	return n
}

func usage(msg string) {
	fmt.Fprintf(os.Stderr, "mapfixture: %s\n", msg)
	flag.Usage()
	os.Exit(2)
}

// warmUp runs encoding/json once per map type the reflect scenario decodes,
// so its lazy initialisation (type caches) happens before "ready".
func warmUp() {
	var a map[string]int
	var b map[int64]int
	json.Unmarshal([]byte(`{"w":1}`), &a)
	json.Unmarshal([]byte(`{"1":1}`), &b)
}

// selfCheck builds maps of each implementation shape (small, one table /
// few buckets, many tables / buckets) and checks the layout assumptions.
func selfCheck() error {
	for _, size := range []int{0, 5, 100, 5000} {
		m := make(map[int64]int)
		s := make(map[string]int)
		for i := 0; i < size; i++ {
			m[int64(i)] = i
			s[fmt.Sprint(i)] = i
		}
		if err := layoutCheck(m, len(m)); err != nil {
			return fmt.Errorf("map[int64]int len %d: %v", size, err)
		}
		if err := layoutCheck(s, len(s)); err != nil {
			return fmt.Errorf("map[string]int len %d: %v", size, err)
		}
	}
	return nil
}
