"""selftests/java/churncheck.py: WeakChurn's output against what a tracer saw.

Shared by gdb-oracle (gdb breakpoints on the probes) and run (mapwatchctl).
A tracer's observations, RES, are a dict:

  hits    probe hits (informational)
  marks   ["begin", "end"]: the WeakChurn.tracedBegin/tracedEnd entries seen
          on the marker thread, in order
  jtid    the Java thread id the markers were seen on
  counts  [[class, method, signature, n], ...]: method__entry events on that
          thread between the markers
  other   [[class, method, signature, jtid, n], ...]: the same on other threads
  gc      [[kind, where, full, n], ...]: gc__begin/gc__end ("begin"/"end"),
          "in" or "out" of the span between the markers, full flag (begin)

check() prints one "ok"/"not ok" line per check, then "N passed, N failed",
and returns the number failed.
"""
import json

FULL_COLLECTORS = {"G1 Old Generation", "MarkSweepCompact", "PS MarkSweep"}


def check(out, rc, res, gc_only, prefix=""):
    recs = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    by = {}
    for r in recs:
        by.setdefault(r["ev"], []).append(r)
    start = by["start"][0]

    results = []

    def check1(ok, what):
        results.append(ok)
        print("%s%s %d - %s" % (prefix, "ok" if ok else "not ok", len(results), what))

    print(prefix + "# %s %s, jtid %s, collectors %s, flags %s" % (
        start["java"], start["vm_info"], start["jtid"], start["collectors"], start["jvm_args"]))
    print(prefix + "# probe hits %d, markers %s, seen on jtid %s" % (res["hits"], res["marks"], res["jtid"]))
    check1(rc == 0 and "end" in by, "fixture exit status %d, end record %s" % (rc, "end" in by))
    got = {(c, m, s): n for c, m, s, n in res["counts"]}
    if not gc_only:
        check1(res["marks"] == ["begin", "end"], "markers seen: %s" % res["marks"])
        check1(res["jtid"] == start["jtid"], "marker jtid %s == fixture jtid %s" % (res["jtid"], start["jtid"]))
        for e in by.get("expect", []):
            k = (e["class"], e["method"], e["sig"])
            check1(got.get(k, 0) == e["count"], "%s.%s%s: %d seen, %d expected (%s)" % (
                e["class"], e["method"], e["sig"], got.get(k, 0), e["count"], e["basis"]))
        asserted = {(e["class"], e["method"], e["sig"]) for e in by.get("expect", [])}
        for k in sorted(set(got) - asserted):
            print(prefix + "# not asserted: %s.%s%s %d" % (k[0], k[1], k[2], got[k]))
        for c, m, s, tid, n in sorted(res["other"]):
            print(prefix + "# other thread %s: %s.%s%s %d" % (tid, c, m, s, n))
    gc = {}
    for kind, where, full, n in res["gc"]:
        gc[(kind, where, full)] = n
    print(prefix + "# gc probes: %s" % sorted(res["gc"]))
    begins = sum(n for (k, w, f), n in gc.items() if k == "begin" and w == "in")
    fulls = sum(n for (k, w, f), n in gc.items() if k == "begin" and w == "in" and f)
    ends = sum(n for (k, w, f), n in gc.items() if k == "end" and w == "in")
    deltas = {g["collector"]: g["delta"] for g in by.get("gc", [])}
    total = by["gc_total"][0]
    full_delta = sum(d for c, d in deltas.items() if c in FULL_COLLECTORS)
    check1(begins == ends, "gc__begin %d == gc__end %d" % (begins, ends))
    family = {"G1 Old Generation": "g1", "MarkSweepCompact": "serial", "PS MarkSweep": "parallel"}
    fam = [family[c] for c in deltas if c in family]
    if len(fam) == 1:
        check1(fulls == full_delta, "gc__begin full=1: %d == full collectors' delta %d (forced %d)" % (
            fulls, full_delta, total["forced"]))
        major = int(start["java"].split(".")[0])
        # G1 before 21: Remark/Cleanup pauses are in no MXBean. Parallel before
        # 25: System.gc() also counts a scavenge in "PS Scavenge", one pause.
        rel = {"g1": "==" if major >= 21 else ">=", "serial": "==",
               "parallel": "==" if major >= 25 else "<="}[fam[0]]
        ok = {"==": begins == total["delta"], ">=": begins >= total["delta"],
              "<=": begins <= total["delta"]}[rel]
        check1(ok, "gc__begin %d %s gc_total delta %d (%s, JDK %d)" % (begins, rel, total["delta"], fam[0], major))
    else:
        print(prefix + "# collectors %s: pauses and MXBean counts not compared" % list(deltas))
    failed = results.count(False)
    print("%s%d passed, %d failed" % (prefix, len(results) - failed, failed))
    return failed
