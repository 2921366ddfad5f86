/*
 * WeakChurn churns a java.util.WeakHashMap with a known, counted sequence of
 * calls and prints, as JSON lines on stdout, what it did: the ground truth a
 * tracer of HotSpot's method__entry and gc__begin/gc__end probes (mapwatch)
 * must reproduce. One file, standard library only (plus the JDK's
 * com.sun.management for reading VM flags); compiled once with
 * `javac --release 17`, the class runs on OpenJDK 17, 21 and 25.
 *
 * Usage:
 *
 *   java [-XX:...] -cp DIR WeakChurn [-scenario churn|nogc] [-rounds R] [-n N]
 *        [-gc-every K] [-anchors A] [-warmup W] [-settle-ms MS]
 *        [-wait none|stdin] [-wait-file PATH]
 *
 *   -scenario  churn (the default): rounds of puts, gets, containsKey,
 *              removes, System.gc() every K rounds, size()/isEmpty();
 *              nogc: the same with -gc-every 0 (no System.gc(); entries are
 *              expunged only if a GC happens by itself)
 *   -rounds    rounds in the traced section (default 10)
 *   -n         new keys put per round (default 1000)
 *   -gc-every  System.gc() after every K-th round (default 1; 0: never)
 *   -anchors   keys put before the traced section and held for the whole
 *              run (default 16, at least 1): size() is never 0, so every
 *              size() call runs expungeStaleEntries
 *   -warmup    keys per warm-up round (default 500; 2 rounds on another map)
 *   -settle-ms churn: after the last round, one more System.gc(), then
 *              size() every 10 ms until every dropped key is expunged or MS
 *              passed (default 2000; 0: no settle phase)
 *   -wait      stdin: once warm-up is done, print "ready PID" on stderr and
 *              wait for a line (or EOF) on stdin
 *   -wait-file also print "ready PID", then poll every 10 ms until PATH exists
 *
 * The JVM flags (-XX:+DTraceMethodProbes, -XX:+ExtendedDTraceProbes on 17
 * only, -Xint, -XX:+UseSerialGC, -Xmx...) are the harness's business; the
 * fixture only reports them ("start" record).
 *
 * Round r (1..R), on the traced map, with batch = N new Object() keys:
 *   put(batch[i], new int[]{r, i})        for every i   (all keys are new)
 *   get(batch[i])                         i % 4 == 0    (hits)
 *   get(new Object())                     i % 8 == 0    (misses)
 *   containsKey(batch[i])                 i % 4 == 1    (true)
 *   remove(batch[i])                      i % 8 == 2    (present; the key is
 *                                         then held until exit, so its entry
 *                                         is never enqueued)
 *   remove(new Object())                  once          (absent)
 *   keys i % 16 == 3 are held until exit ("survivors"); the batch is dropped
 *   System.gc()                           if K > 0 and r % K == 0
 *   size(), isEmpty()                     once each
 * The map is made before "ready" with a capacity whose threshold exceeds
 * anchors + R*N (+1), so put never resizes, whatever the GC does.
 *
 * Protocol: a harness starts the fixture with -wait stdin (or -wait-file),
 * reads "ready PID" from its stderr, attaches to PID, then writes a line.
 * Everything before "ready" (option parsing, class loading and linking of
 * every class the traced section uses, two warm-up rounds on another
 * WeakHashMap, a System.gc(), Thread.sleep, the MXBeans, the JSON output
 * path) is done; after it, the fixture prints "released", reads the GC
 * counters, calls WeakChurn.tracedBegin(), runs the rounds and the settle
 * phase, calls WeakChurn.tracedEnd(), reads the GC counters again and only
 * then prints the rest. Between the two markers the fixture's thread calls
 * nothing but the WeakHashMap methods it counts, new Object()/int[],
 * System.gc(), System.nanoTime(), Thread.sleep() and
 * GarbageCollectorMXBean.getCollectionCount() (native).
 *
 * Output: one JSON object per line; "ev" says which kind:
 *
 *   {"ev":"start","pid":N,"tid":T,"jtid":J,"java":"21.0.13","vm":"...",
 *    "vm_version":"...","vm_info":"mixed mode, sharing","java_home":"...",
 *    "libjvm":"/path/libjvm.so","collectors":["G1 Young Generation",...],
 *    "dtrace_method_probes":true|false|null,"extended_dtrace_probes":...,
 *    "jvm_args":[...],"scenario":"churn","rounds":R,"n":N,"gc_every":K,
 *    "anchors":A,"warmup":W,"settle_ms":MS,"capacity":C,"threshold":T,
 *    "size0":S}
 *   {"ev":"released"}                  the wait is over
 *   {"ev":"round","round":r,"put":..,"get":..,"get_hit":..,"get_miss":..,
 *    "contains_key":..,"remove":..,"remove_hit":..,"size":1,"is_empty":1,
 *    "gc":0|1,"size_seen":S,"size_no_expunge":E,"expunged":X,"gc_total":G}
 *       per round; expunged = entries expunged since the previous size()
 *       (E - S then), gc_total = collections (all MXBeans) after the round
 *   {"ev":"settle","gc":1,"size_calls":N,"size_seen":S,"expunged":X,
 *    "settled":true|false,"ms":M}
 *   {"ev":"gc","collector":"G1 Old Generation","before":B,"after":A,"delta":D}
 *       per GarbageCollectorMXBean, read just outside the markers
 *   {"ev":"gc_total","before":B,"after":A,"delta":D,"forced":F}
 *       F = System.gc() calls in the traced section
 *   {"ev":"calls","put":..,"get":..,"remove":..,"containsKey":..,"size":..,
 *    "isEmpty":..,"total":..}       the WeakHashMap calls the fixture made
 *   {"ev":"expect","class":C,"method":M,"sig":S,"count":N,"basis":B}
 *       method__entry events a tracer must count between the markers on
 *       the fixture's thread (jtid); basis "fixture" (the fixture's own
 *       calls), "derived" (WeakHashMap's bytecode, identical in 17.0.15,
 *       21.0.13 and 25.0.5) or "marker"
 *   {"ev":"error","msg":"..."}        a self-check failed (exit status 1)
 *   {"ev":"end","rounds":R,"calls":N,"expunged":X,"dropped":D,"forced_gc":F,
 *    "gc_delta":G,"settled":bool,"errors":E,"ms":M}
 *
 * What a tracer sees (method__entry needs -XX:+DTraceMethodProbes, or
 * -XX:+ExtendedDTraceProbes on 17; 21 and 25 reject the latter). The probe's
 * arguments are the Java thread id (Thread.getId(), "jtid" here, not the OS
 * tid), and the class, method and signature as pointer + length (modified
 * UTF-8, not NUL-terminated). Count events with that jtid between the entry
 * of WeakChurn.tracedBegin ()V and that of WeakChurn.tracedEnd ()V:
 *
 *   class java/util/WeakHashMap (fixture: P put, G get, R remove,
 *   C containsKey, S size, E isEmpty; X expunged entries, from size drops):
 *     put, get, remove, containsKey, isEmpty   P, G, R, C, E  exactly
 *     size                                     S + E  (isEmpty calls size)
 *     getEntry                                 C      (containsKey's)
 *     maskNull, hash, getTable                 P + G + R + C
 *     expungeStaleEntries                      P + G + R + C + S + E
 *                                              (getTable calls it; size
 *                                              calls it as size is never 0)
 *     indexFor                                 P + G + R + C + X
 *     resize, transfer, newTable               0
 *     matchesKey                               not asserted: called when
 *                                              identity hashes collide
 *   class java/util/WeakHashMap$Entry, <init>  P
 *   class java/lang/ref/ReferenceQueue, poll   expungeStaleEntries + X
 *     (one poll per expunged entry, one that returns null per call)
 * The "expect" records carry these numbers. Methods WeakHashMap inherits
 * (AbstractMap.toString, Map.getOrDefault...) report their own class.
 *
 * What a tracer cannot be compared on:
 *   - other threads: method__entry fires on every Java thread (Reference
 *     Handler, Finalizer, Common-Cleaner, an Attach Listener started by
 *     jcmd...) and JDK code uses WeakHashMap internally; filter on jtid.
 *     The probe has no receiver: events on the warm-up map (before ready)
 *     or on any other WeakHashMap of the same thread look the same.
 *   - before "ready" the JVM made thousands of WeakHashMap calls (class
 *     loading, the MXBeans, the warm-up); after tracedEnd the JVM's exit
 *     path may make some. Only the span between the markers is exact.
 *   - JIT: method__entry fires in interpreted, C1 and C2 code, including
 *     at the entry of inlined callees, so the counts above do not depend on
 *     the tier: gdb-oracle found them exact with -Xint, by default, and with
 *     -warmup 30000 (put, get, getTable and expungeStaleEntries C2-compiled
 *     before "ready", getTable inlined) on 17 and 25. A deoptimisation
 *     resumes in the interpreter without a new entry event, and an OSR
 *     entry fires none either (the frame's entry already did). Intrinsics
 *     (Object.hashCode in hash()) may fire in the interpreter and not in
 *     compiled code, which is why only WeakHashMap's own methods are
 *     listed. Warm-up: 2 rounds of -warmup keys before "ready" load and
 *     link every class and call site; nothing depends on how much got
 *     compiled.
 *   - how many entries an expunge removed: method__entry has no such
 *     argument; X comes from the fixture's size() results (E - S), and
 *     indexFor/poll counts are the tracer's way to it.
 *   - GC: gc__begin/gc__end (no flag needed) fire once per stop-the-world
 *     pause on the VM thread, not on the fixture's thread: match them by
 *     time (or by order in a single stream) against the markers. Measured
 *     with selftests/java/gdb-oracle on 17.0.15, 21.0.13 and 25.0.5:
 *       gc__begin == gc__end;
 *       gc__begin with full=1 == the delta of the full collector ("G1 Old
 *       Generation", "MarkSweepCompact", "PS MarkSweep"), == "forced" unless
 *       -XX:+DisableExplicitGC or -XX:+ExplicitGCInvokesConcurrent (then
 *       System.gc() is a concurrent cycle: full=0 pauses only);
 *       all gc__begin vs the gc_total delta: == with Serial, with G1 on 21
 *       and 25 ("G1 Concurrent GC" counts Remark and Cleanup) and with
 *       Parallel on 25; >= with G1 on 17 (Remark and Cleanup fire gc__begin,
 *       full=0, and are in no MXBean); <= with Parallel on 17 and 21
 *       (System.gc() is one pause counted in both "PS Scavenge" and "PS
 *       MarkSweep"). ZGC and Shenandoah: full is always 0 and their MXBeans
 *       count cycles, not pauses: no relation.
 *     G1 is the default on 2+ CPUs and about 2+ GB; a smaller VM gets
 *     Serial: give the collector explicitly. The MXBean counters are read
 *     just outside the markers; a pause that starts in that window (the
 *     fixture's thread is in native code there) would be counted on one
 *     side only: rare, but possible for pauses nobody forced.
 *
 * Exit status: 0; 2 on bad usage; 1 if a self-check failed (a get of a held
 * key returned null, a put found the key present, size() above the
 * no-expunge size, isEmpty() true...): "error" records say which.
 */

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.ref.Reference;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.WeakHashMap;

public final class WeakChurn {
    private static final PrintStream OUT = System.out;
    private static final float LOAD_FACTOR = 0.75f; // WeakHashMap's default

    // Options.
    private static String scenario = "churn";
    private static int rounds = 10, perRound = 1000, gcEvery = 1, anchorCount = 16;
    private static int warmup = 500, settleMs = 2000;
    private static String waitMode = "none", waitFile = null;

    // Keys held for the whole run: anchors, survivors, removed keys.
    private static Object[] held;
    private static int heldCount;

    // Errors found by the self-checks (printed after the traced section).
    private static final List<String> errors = new ArrayList<>();

    /** Counts of one run of rounds over one map (the warm-up has its own). */
    private static final class Counts {
        long put, get, getHit, getMiss, containsKey, remove, removeHit, size, isEmpty, gc;
        long survivors;     // keys put and held until exit (still in the map)
        long kept;          // entries that must stay: anchors + survivors
        long sizeNoExpunge; // what size() would return without any expunge
        long lastExpunged;  // sizeNoExpunge - size() at the latest size() call
        long gcTotal;       // round snapshots: collections after the round
        boolean record;     // check results and hold keys (not the warm-up)

        Counts copy() {
            Counts k = new Counts();
            k.put = put; k.get = get; k.getHit = getHit; k.getMiss = getMiss;
            k.containsKey = containsKey; k.remove = remove; k.removeHit = removeHit;
            k.size = size; k.isEmpty = isEmpty; k.gc = gc; k.survivors = survivors; k.kept = kept;
            k.sizeNoExpunge = sizeNoExpunge; k.lastExpunged = lastExpunged;
            return k;
        }
    }

    private static GarbageCollectorMXBean[] gcBeans;

    public static void main(String[] args) throws Exception {
        parseArgs(args);
        // Everything the traced section uses is loaded, linked and run once here.
        gcBeans = ManagementFactory.getGarbageCollectorMXBeans().toArray(new GarbageCollectorMXBean[0]);
        long maxSize = (long) anchorCount + (long) rounds * perRound;
        int capacity = 1;
        while ((int) (capacity * LOAD_FACTOR) <= maxSize + 1) {
            if (capacity >= (1 << 30)) usage("-rounds * -n too large");
            capacity <<= 1;
        }
        int threshold = (int) (capacity * LOAD_FACTOR);
        held = new Object[anchorCount + rounds * (perRound / 8 + perRound / 16 + 2)];
        warmUp();
        WeakHashMap<Object, int[]> map = new WeakHashMap<>(capacity, LOAD_FACTOR);
        for (int i = 0; i < anchorCount; i++) {
            Object k = new Object();
            hold(k);
            map.put(k, new int[] {0, i});
        }
        Counts c = new Counts();
        c.record = true;
        c.sizeNoExpunge = c.kept = anchorCount;
        long size0 = map.size(); // not counted: before "ready"
        c.lastExpunged = c.sizeNoExpunge - size0;
        long expunged0 = c.lastExpunged;
        Counts[] rows = new Counts[rounds];

        Json start = new Json("start").i("pid", ProcessHandle.current().pid()).i("tid", osTid())
                .i("jtid", jtid()).s("thread", Thread.currentThread().getName())
                .s("java", System.getProperty("java.version")).s("vm", System.getProperty("java.vm.name"))
                .s("vm_version", System.getProperty("java.vm.version")).s("vm_info", System.getProperty("java.vm.info"))
                .s("java_home", System.getProperty("java.home")).s("libjvm", mappedLibjvm());
        List<String> names = new ArrayList<>();
        for (GarbageCollectorMXBean b : gcBeans) names.add(b.getName());
        start.strs("collectors", names)
                .raw("dtrace_method_probes", vmFlag("DTraceMethodProbes"))
                .raw("extended_dtrace_probes", vmFlag("ExtendedDTraceProbes"))
                .strs("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments())
                .s("scenario", scenario).i("rounds", rounds).i("n", perRound).i("gc_every", gcEvery)
                .i("anchors", anchorCount).i("warmup", warmup).i("settle_ms", settleMs)
                .i("capacity", capacity).i("threshold", threshold).i("size0", size0);
        emit(start);
        OUT.flush();

        if (!waitMode.equals("none") || waitFile != null) {
            System.err.println("ready " + ProcessHandle.current().pid());
            System.err.flush();
            if (waitMode.equals("stdin")) {
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }
            while (waitFile != null && !Files.exists(Paths.get(waitFile))) {
                Thread.sleep(10);
            }
        }
        emit(new Json("released"));
        OUT.flush();

        // ---- traced section: nothing but counted calls between the markers ----
        long[] gcBefore = gcCounts();
        long t0 = System.nanoTime();
        tracedBegin();
        for (int r = 1; r <= rounds; r++) {
            runRound(map, c, r);
            rows[r - 1] = c.copy();
            rows[r - 1].gcTotal = gcTotal();
        }
        long[] settle = settle(map, c);
        tracedEnd();
        long[] gcAfter = gcCounts();
        long ms = (System.nanoTime() - t0) / 1000000;
        // ---- end of the traced section ----

        Counts p = new Counts();
        p.lastExpunged = expunged0;
        for (int r = 1; r <= rounds; r++) {
            Counts k = rows[r - 1];
            emit(new Json("round").i("round", r).i("put", k.put - p.put).i("get", k.get - p.get)
                    .i("get_hit", k.getHit - p.getHit).i("get_miss", k.getMiss - p.getMiss)
                    .i("contains_key", k.containsKey - p.containsKey).i("remove", k.remove - p.remove)
                    .i("remove_hit", k.removeHit - p.removeHit).i("size", k.size - p.size)
                    .i("is_empty", k.isEmpty - p.isEmpty).i("gc", k.gc - p.gc)
                    .i("size_seen", k.sizeNoExpunge - k.lastExpunged).i("size_no_expunge", k.sizeNoExpunge)
                    .i("expunged", k.lastExpunged - p.lastExpunged).i("gc_total", k.gcTotal));
            p = k;
        }
        if (settle != null) {
            emit(new Json("settle").i("gc", settle[0]).i("size_calls", settle[1]).i("size_seen", settle[2])
                    .i("expunged", settle[3]).b("settled", settle[4] != 0).i("ms", settle[5]));
        }
        long totalBefore = 0, totalAfter = 0;
        for (int i = 0; i < gcBeans.length; i++) {
            emit(new Json("gc").s("collector", gcBeans[i].getName()).i("before", gcBefore[i])
                    .i("after", gcAfter[i]).i("delta", gcAfter[i] - gcBefore[i]));
            totalBefore += gcBefore[i];
            totalAfter += gcAfter[i];
        }
        emit(new Json("gc_total").i("before", totalBefore).i("after", totalAfter)
                .i("delta", totalAfter - totalBefore).i("forced", c.gc));
        long calls = c.put + c.get + c.remove + c.containsKey + c.size + c.isEmpty;
        emit(new Json("calls").i("put", c.put).i("get", c.get).i("remove", c.remove)
                .i("containsKey", c.containsKey).i("size", c.size).i("isEmpty", c.isEmpty).i("total", calls));
        long expunged = c.lastExpunged - expunged0;
        long keyed = c.put + c.get + c.remove + c.containsKey;
        long expunges = keyed + c.size + c.isEmpty;
        String whm = "java/util/WeakHashMap";
        expect(whm, "put", "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;", c.put, "fixture");
        expect(whm, "get", "(Ljava/lang/Object;)Ljava/lang/Object;", c.get, "fixture");
        expect(whm, "remove", "(Ljava/lang/Object;)Ljava/lang/Object;", c.remove, "fixture");
        expect(whm, "containsKey", "(Ljava/lang/Object;)Z", c.containsKey, "fixture");
        expect(whm, "isEmpty", "()Z", c.isEmpty, "fixture");
        expect(whm, "size", "()I", c.size + c.isEmpty, "derived");
        expect(whm, "getEntry", "(Ljava/lang/Object;)Ljava/util/WeakHashMap$Entry;", c.containsKey, "derived");
        expect(whm, "maskNull", "(Ljava/lang/Object;)Ljava/lang/Object;", keyed, "derived");
        expect(whm, "hash", "(Ljava/lang/Object;)I", keyed, "derived");
        expect(whm, "getTable", "()[Ljava/util/WeakHashMap$Entry;", keyed, "derived");
        expect(whm, "expungeStaleEntries", "()V", expunges, "derived");
        expect(whm, "indexFor", "(II)I", keyed + expunged, "derived");
        expect(whm, "resize", "(I)V", 0, "derived");
        expect(whm + "$Entry", "<init>",
                "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/ref/ReferenceQueue;ILjava/util/WeakHashMap$Entry;)V",
                c.put, "derived");
        expect("java/lang/ref/ReferenceQueue", "poll", "()Ljava/lang/ref/Reference;", expunges + expunged, "derived");
        expect("WeakChurn", "tracedBegin", "()V", 1, "marker");
        expect("WeakChurn", "tracedEnd", "()V", 1, "marker");
        for (String e : errors) emit(new Json("error").s("msg", e));
        long dropped = c.put - c.removeHit - c.survivors;
        emit(new Json("end").i("rounds", rounds).i("calls", calls).i("expunged", expunged).i("dropped", dropped)
                .i("forced_gc", c.gc).i("gc_delta", totalAfter - totalBefore)
                .b("settled", settle != null && settle[4] != 0).i("errors", errors.size()).i("ms", ms));
        OUT.flush();
        System.exit(errors.isEmpty() ? 0 : 1);
    }

    /** The markers: a tracer counts between their method__entry events. */
    static void tracedBegin() {
        marker++;
    }

    static void tracedEnd() {
        marker++;
    }

    private static int marker;

    /** One round on map (see the header); c counts every call. */
    private static void runRound(WeakHashMap<Object, int[]> map, Counts c, int r) {
        Object[] batch = new Object[perRound];
        for (int i = 0; i < perRound; i++) {
            batch[i] = new Object();
            int[] old = map.put(batch[i], new int[] {r, i});
            c.put++;
            c.sizeNoExpunge++;
            if (old != null) fail(c, "round " + r + ": put of a new key found a value");
        }
        for (int i = 0; i < perRound; i++) {
            if (i % 4 == 0) {
                int[] v = map.get(batch[i]);
                c.get++;
                c.getHit++;
                if (v == null || v[0] != r || v[1] != i) fail(c, "round " + r + ": get of held key " + i + " missed");
            }
            if (i % 8 == 0) {
                int[] v = map.get(new Object());
                c.get++;
                c.getMiss++;
                if (v != null) fail(c, "round " + r + ": get of a fresh key hit");
            }
            if (i % 4 == 1) {
                boolean in = map.containsKey(batch[i]);
                c.containsKey++;
                if (!in) fail(c, "round " + r + ": containsKey of held key " + i + " false");
            }
            if (i % 8 == 2) {
                int[] v = map.remove(batch[i]);
                c.remove++;
                if (v != null) {
                    c.removeHit++;
                    c.sizeNoExpunge--;
                } else {
                    fail(c, "round " + r + ": remove of held key " + i + " found nothing");
                }
                if (c.record) hold(batch[i]); // never cleared, so never enqueued
            }
            if (i % 16 == 3 && c.record) {
                hold(batch[i]);
                c.survivors++;
                c.kept++;
            }
        }
        int[] v = map.remove(new Object());
        c.remove++;
        if (v != null) fail(c, "round " + r + ": remove of a fresh key found a value");
        batch = null; // the rest of the keys are garbage now
        if (gcEvery > 0 && r % gcEvery == 0) {
            System.gc();
            c.gc++;
        }
        observeSize(map, c);
        boolean empty = map.isEmpty();
        c.isEmpty++;
        if (empty) fail(c, "round " + r + ": isEmpty() with anchors held");
    }

    /** size(): how many entries were expunged so far. */
    private static long observeSize(WeakHashMap<Object, int[]> map, Counts c) {
        int s = map.size();
        c.size++;
        if (s > c.sizeNoExpunge) fail(c, "size() " + s + " above " + c.sizeNoExpunge);
        c.lastExpunged = c.sizeNoExpunge - s;
        return s;
    }

    /**
     * After the last round (churn): one more System.gc(), then size() every
     * 10 ms until only the kept entries are left or settleMs passed (the
     * Reference Handler thread enqueues cleared entries after the GC,
     * asynchronously). Returns {gc, size calls, last size, expunged in this
     * phase, settled, ms}.
     */
    private static long[] settle(WeakHashMap<Object, int[]> map, Counts c) throws InterruptedException {
        if (gcEvery == 0 || settleMs == 0) return null;
        long t0 = System.nanoTime(), calls0 = c.size, expunged0 = c.lastExpunged;
        System.gc();
        c.gc++;
        long s;
        while ((s = observeSize(map, c)) > c.kept && System.nanoTime() - t0 < settleMs * 1000000L) {
            Thread.sleep(10);
        }
        return new long[] {1, c.size - calls0, s, c.lastExpunged - expunged0, s == c.kept ? 1 : 0,
            (System.nanoTime() - t0) / 1000000};
    }

    /**
     * Two rounds on a map of its own, a settle phase, the GC counters and the
     * clock: every class and call site of the traced section is loaded and
     * linked before "ready". Its counts are thrown away.
     */
    private static void warmUp() throws InterruptedException {
        int saved = perRound, savedSettle = settleMs, savedEvery = gcEvery;
        perRound = Math.max(warmup, 16);
        gcEvery = 1;
        settleMs = Math.min(Math.max(settleMs, 1), 200);
        WeakHashMap<Object, int[]> m = new WeakHashMap<>(1 << 12, LOAD_FACTOR);
        Counts c = new Counts();
        Object anchor = new Object();
        m.put(anchor, new int[] {0, 0});
        c.sizeNoExpunge = c.kept = 1;
        for (int r = 1; r <= 2; r++) runRound(m, c, r);
        settle(m, c);
        Reference.reachabilityFence(anchor);
        gcCounts();
        gcTotal();
        c.copy();
        Thread.sleep(1);
        perRound = saved;
        settleMs = savedSettle;
        gcEvery = savedEvery;
    }

    private static void hold(Object k) {
        held[heldCount++] = k;
    }

    private static void fail(Counts c, String msg) {
        if (c.record && errors.size() < 20) errors.add(msg);
    }

    private static long[] gcCounts() {
        long[] n = new long[gcBeans.length];
        for (int i = 0; i < n.length; i++) n[i] = gcBeans[i].getCollectionCount();
        return n;
    }

    private static long gcTotal() {
        long t = 0;
        for (GarbageCollectorMXBean b : gcBeans) t += Math.max(0, b.getCollectionCount());
        return t;
    }

    private static void expect(String cls, String method, String sig, long count, String basis) {
        emit(new Json("expect").s("class", cls).s("method", method).s("sig", sig).i("count", count)
                .s("basis", basis));
    }

    @SuppressWarnings("deprecation") // getId: threadId() is 19+; same value
    private static long jtid() {
        return Thread.currentThread().getId();
    }

    /** The OS thread id of the calling thread (/proc/thread-self = PID/task/TID). */
    private static long osTid() {
        try {
            Path p = Files.readSymbolicLink(Paths.get("/proc/thread-self"));
            return Long.parseLong(p.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The libjvm.so this process mapped (what a tracer probes). */
    private static String mappedLibjvm() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/maps"))) {
                int i = line.indexOf('/');
                if (i >= 0 && line.endsWith("/libjvm.so")) return line.substring(i);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no /proc
        }
        return null;
    }

    /** A HotSpot flag's value as JSON (true/false), null if this VM lacks it. */
    private static String vmFlag(String name) {
        try {
            com.sun.management.HotSpotDiagnosticMXBean hs =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            String v = hs.getVMOption(name).getValue();
            return v.equals("true") || v.equals("false") ? v : Json.quote(v);
        } catch (RuntimeException | LinkageError e) {
            return "null";
        }
    }

    private static void parseArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("-help") || a.equals("--help")) {
                System.err.println(USAGE);
                System.exit(0);
            }
            if (i + 1 >= args.length) usage("missing value for " + a);
            String v = args[++i];
            switch (a) {
                case "-scenario":
                    if (v.equals("nogc")) gcEvery = 0;
                    else if (!v.equals("churn")) usage("unknown scenario " + v);
                    scenario = v;
                    break;
                case "-rounds": rounds = intArg(a, v, 1); break;
                case "-n": perRound = intArg(a, v, 1); break;
                case "-gc-every": gcEvery = intArg(a, v, 0); break;
                case "-anchors": anchorCount = intArg(a, v, 1); break;
                case "-warmup": warmup = intArg(a, v, 0); break;
                case "-settle-ms": settleMs = intArg(a, v, 0); break;
                case "-wait":
                    if (!v.equals("none") && !v.equals("stdin")) usage("bad -wait " + v);
                    waitMode = v;
                    break;
                case "-wait-file": waitFile = v; break;
                default: usage("unknown option " + a);
            }
        }
        if (scenario.equals("nogc")) gcEvery = 0;
    }

    private static int intArg(String opt, String v, int min) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        usage(opt + " wants an integer >= " + min + ", not " + v);
        return 0;
    }

    private static final String USAGE = "usage: java -cp DIR WeakChurn [-scenario churn|nogc] [-rounds R] [-n N]\n"
            + "       [-gc-every K] [-anchors A] [-warmup W] [-settle-ms MS] [-wait none|stdin] [-wait-file PATH]";

    private static void usage(String msg) {
        System.err.println("WeakChurn: " + msg);
        System.err.println(USAGE);
        System.exit(2);
    }

    private static void emit(Json j) {
        OUT.println(j.done());
    }

    /** A JSON object built in order: {"ev":"...",...}. */
    private static final class Json {
        private final StringBuilder sb = new StringBuilder(256);

        Json(String ev) {
            sb.append("{\"ev\":").append(quote(ev));
        }

        Json i(String k, long v) {
            return raw(k, Long.toString(v));
        }

        Json b(String k, boolean v) {
            return raw(k, v ? "true" : "false");
        }

        Json s(String k, String v) {
            return raw(k, v == null ? "null" : quote(v));
        }

        Json strs(String k, List<String> vs) {
            StringBuilder a = new StringBuilder("[");
            for (String v : vs) a.append(a.length() > 1 ? "," : "").append(quote(v));
            return raw(k, a.append(']').toString());
        }

        Json raw(String k, String json) {
            sb.append(',').append(quote(k)).append(':').append(json);
            return this;
        }

        String done() {
            return sb.append('}').toString();
        }

        static String quote(String s) {
            StringBuilder q = new StringBuilder(s.length() + 2).append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '"' || ch == '\\') q.append('\\').append(ch);
                else if (ch < 0x20) q.append(String.format("\\u%04x", (int) ch));
                else q.append(ch);
            }
            return q.append('"').toString();
        }
    }
}
