"""The checkers of the claim programs (examples/claims): each reads a
program's trace (`mapwatchctl -j dump` output, docs/trace-format.md) and
its own output, and settles one claim of the article on Go map deletion:

  1 keep      delete() keeps the map's storage; a map never gives it back
  2 probing   Go maps use "open addressing with linear probing"
  3 noshrink  a "lazy shrink" happens on the next write when the load
              falls under 1/4
  4 growth    a map grows when the load factor passes 6.5
  5 freed     after deleting 10,000 entries whose values are *[1024]byte,
              Alloc barely drops
  6 cleared   after delete() the value is still held by the map

A checker returns (verdict, why): "confirmed" or "refuted", and one line
with the figures it decided on. It raises Undecided when the measurement
cannot settle the claim (a trace cut short or with losses, a phase
missing, the program and the trace disagreeing): never a verdict by
default.

The programs' lines are "PROG: WHAT key=value ..." (examples/claims/
internal/look); "mark" lines give, on the trace's clock
(CLOCK_MONOTONIC), when a phase ended.
"""
import json
import re


class Undecided(Exception):
    """The measurement cannot settle the claim; the message says why."""


# --- reading ---------------------------------------------------------------

def load_trace(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise Undecided("%s: not a trace: %s" % (path, e))


def load_output(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        raise Undecided("%s: %s" % (path, e))


PAIR = re.compile(r"(\w+)=(\S+)")


def num(v):
    if v in ("true", "false"):
        return v == "true"
    try:
        return int(v)
    except ValueError:
        return v


class Output:
    """A program's lines: what -> [dict of its pairs]."""

    def __init__(self, prog, text):
        self.prog = prog
        self.lines = {}
        for line in text.splitlines():
            head, sep, rest = line.partition(": ")
            if head != prog or not sep:
                continue
            what, _, rest = rest.partition(" ")
            self.lines.setdefault(what, []).append(
                {k: num(v) for k, v in PAIR.findall(rest)})

    def all(self, what):
        return self.lines.get(what, [])

    def one(self, what, **match):
        for d in self.all(what):
            if all(d.get(k) == v for k, v in match.items()):
                return d
        want = " ".join("%s=%s" % kv for kv in match.items())
        raise Undecided("the program printed no '%s: %s %s' line" % (self.prog, what, want))

    def mark(self, phase):
        return self.one("mark", phase=phase)["mono_ns"]


class Trace:
    """A complete trace without losses, and the program's process in it."""

    def __init__(self, recs):
        if not recs or recs[0].get("type") != "header":
            raise Undecided("the trace has no header")
        if recs[-1].get("type") != "summary":
            raise Undecided("the trace was cut short (no summary)")
        self.header, self.summary = recs[0], recs[-1]
        lost = sum(self.summary.get(k, 0) for k in
                   ("lost_ring_full", "lost_nested", "lost_overwritten"))
        lost += sum(r.get("lost", 0) for r in recs if r.get("type") == "lost")
        if lost:
            raise Undecided("the trace lost %d events: it cannot show what happened" % lost)
        errs = [r for r in recs if r.get("type") == "error"]
        if errs:
            raise Undecided("the trace has %d undecodable records" % len(errs))
        go = [b for b in self.header.get("binaries", []) if b.get("role") == "go"]
        if not go or not self.header.get("pids"):
            raise Undecided("the trace is not of a Go program")
        self.impl = go[0].get("map_impl")
        self.go = go[0].get("go_version", "?")
        self.pid = self.header["pids"][0]
        self.events = [r for r in recs[1:-1] if r.get("pid") == self.pid]

    def map_events(self, addr, before_ns):
        """The events of the map at addr made (last) before before_ns."""
        evs = [e for e in self.events if e.get("type") == "map" and e.get("map") == addr]
        made = [i for i, e in enumerate(evs) if e["op"] == "make" and e["time_ns"] < before_ns]
        if not made:
            raise Undecided("no make of the program's map (0x%x) in the trace" % addr)
        return evs[made[-1]:]

    def gc(self, op, after_ns=0, before_ns=None):
        """The GC records of op (start, mark_end, end) in (after_ns, before_ns)."""
        return [e for e in self.events if e.get("type") == "gc" and e["op"] == op
                and e["time_ns"] > after_ns and (before_ns is None or e["time_ns"] < before_ns)]

    def gc_ends(self, after_ns=0, before_ns=None):
        return self.gc("end", after_ns, before_ns)

    def in_range(self, t):
        """t is on the trace's clock: after tracing began, and within a
        minute of the last event (the program may end some time after)."""
        return bool(self.events) and \
            self.header.get("start_ns", 0) <= t <= self.events[-1]["time_ns"] + 60 * 10**9


def size(e):
    """The size class of a map event: B (classic) or dirlen (swiss)."""
    return e.get("B", e.get("dirlen"))


def size_name(impl):
    return "B" if impl == "classic" else "dirlen"


def between(evs, t0, t1, op=None):
    return [e for e in evs if t0 < e["time_ns"] < t1 and (op is None or e["op"] == op)]


def need(cond, why):
    if not cond:
        raise Undecided(why)


def common(prog, trace, text, first_mark=None):
    """The trace and the output, their clocks checked to agree on the
    program's first mark (or its first line with a mono_ns)."""
    tr = Trace(trace)
    out = Output(prog, text)
    if first_mark:
        t0 = out.mark(first_mark)
    else:
        t0 = next((d["mono_ns"] for lines in out.lines.values() for d in lines
                   if "mono_ns" in d), None)
        need(t0 is not None, "the program printed no time")
    need(tr.in_range(t0), "the program's clock and the trace's disagree (mark %s at %d ns "
         "is outside the trace)" % (first_mark, t0))
    return tr, out


def cycles(gcs):
    """The cycle numbers of gc end records, as "cycle 3" or "cycles 1-2"."""
    c = [g.get("cycle") for g in gcs]
    if None in c:
        return "%d cycle(s)" % len(c)
    return "cycle %d" % c[0] if len(c) == 1 else "cycles %d-%d" % (c[0], c[-1])


def mb(n):
    return "%.2f MB" % (n / 1e6)


def ms(ns):
    return "%.1f ms" % (ns / 1e6)


# --- claim 1 ---------------------------------------------------------------

def check_keep(trace, text):
    """Claim 1: the bytes the map holds at the fill, at its deletes and at a
    write after they emptied it and two GC cycles ran."""
    tr, out = common("keep", trace, text, "filled")
    filled = out.one("shape", phase="filled")
    tf, td, tg = out.mark("filled"), out.mark("deleted"), out.mark("gc")
    evs = tr.map_events(filled["map"], tf)
    dels = between(evs, tf, td, "delete")
    need(dels, "no delete of the map traced between the fill and the end of the deletes")
    need(all("bytes" in e for e in dels), "a delete of the map has no bytes figure")
    peak = dels[0]
    need(peak["count"] == filled["len"],
         "the first delete saw len() %d, the program filled %d" % (peak["count"], filled["len"]))
    need(dels[-1]["count"] == 1 and len(dels) == filled["len"],
         "%d deletes traced, the last at len() %d: the map was not emptied by them"
         % (len(dels), dels[-1]["count"]))
    gcs = tr.gc_ends(td, tg)
    need(gcs, "no GC cycle ended between the deletes and the write after them")
    after = [e for e in evs if e["time_ns"] > tg and e["op"] == "assign" and "bytes" in e]
    need(after, "no write of the map with a bytes figure after the GC")
    w = after[0]
    need(w["count"] == 0, "the write after the GC found len() %d, not an empty map" % w["count"])
    low = min(e["bytes"] for e in dels + [w])
    sz = size_name(tr.impl)
    verdict = "confirmed" if low >= peak["bytes"] else "refuted"
    why = ("%d entries held %d bytes (%s=%d); %d deletes emptied it, GC %s ended, and "
           "the next write found len() 0 and %d bytes (%s=%d); the least at any delete or "
           "that write: %d bytes"
           % (peak["count"], peak["bytes"], sz, size(peak), len(dels), cycles(gcs),
              w["bytes"], sz, size(w), low))
    return verdict, why


# --- claim 2 ---------------------------------------------------------------

TRIANGULAR = {i * (i + 1) // 2 for i in range(64)}


def parse_hist(s):
    if s in ("-", "", None):
        return {}
    return {int(k): int(v) for k, v in (p.split(":") for p in str(s).split(","))}


def storage_between_growths(evs):
    """(times bytes rose at a non-growth event with the size class
    unchanged and no growth between, bytes added): classic overflow
    buckets; an open-addressing table adds storage at growths only. Not
    counted: a map's first storage (a classic map made without buckets
    gets its first one at its first insert)."""
    n = added = 0
    prev = None
    grew = False
    empty = min((e["bytes"] for e in evs if "bytes" in e), default=0)
    for e in evs:
        if e["op"] == "grow":
            grew = True
            continue
        if "bytes" not in e:
            continue
        if prev is not None and not grew and size(e) == size(prev) and \
                prev["bytes"] > empty and \
                e["bytes"] > prev["bytes"] and e["op"] in ("assign", "delete"):
            n += 1
            added += e["bytes"] - prev["bytes"]
        prev, grew = e, False
    return n, added


def same_size_grows(evs):
    """Classic growths that kept B (the size class of the map's next
    event after the growth's start): re-packing overflow buckets."""
    n = 0
    for i, e in enumerate(evs):
        if e["op"] != "grow" or e["variant"] != "start":
            continue
        nxt = next((x for x in evs[i + 1:] if x["op"] != "grow"), None)
        if nxt is not None and size(nxt) == size(e):
            n += 1
    return n


def check_probing(trace, text):
    """Claim 2: where the keys of a full map are against their hash's home
    (the program reads the map's structures), and where the trace shows
    storage being added: at growths only (open addressing), or at inserts
    between them too (overflow buckets), plus classic same-size growths."""
    tr, out = common("probing", trace, text, "filled")
    pl = out.one("placement")
    filled = out.one("shape", phase="filled")
    churn = out.one("churn")
    tf, tc = out.mark("filled"), out.mark("churned")
    need(pl["impl"] == tr.impl, "the program was built with %s maps, the trace decoded %s"
         % (pl["impl"], tr.impl))
    evs = tr.map_events(pl["map"], tf)
    fill = [e for e in evs if e["time_ns"] < tf and e["op"] != "make"]
    assigns = [e for e in fill if e["op"] == "assign"]
    need(assigns, "no assign of the map traced")
    need(assigns[-1]["count"] + 1 == pl["keys"] and len(assigns) == pl["keys"],
         "the trace has %d assigns up to len() %d, the program placed %d keys"
         % (len(assigns), assigns[-1]["count"] + 1, pl["keys"]))
    if tr.impl == "classic":
        need(size(assigns[-1]) == filled["B"], "the trace's B %d is not the program's %d"
             % (size(assigns[-1]), filled["B"]))
    cevs = tr.map_events(churn["map"], tc)
    over_n, over_bytes = storage_between_growths(fill)
    c_over_n, c_over_bytes = storage_between_growths(cevs)
    same = same_size_grows(cevs) if tr.impl == "classic" else 0
    disp = parse_hist(pl["displacement"])
    chains = parse_hist(pl["chains"])
    home = disp.get(0, 0)
    away = {d: n for d, n in disp.items() if d > 0}
    longest = max(chains) if chains else 1
    unit = "bucket" if tr.impl == "classic" else "group"
    figures = ("%d keys in %d %ss of 8 slots (%.2f a %s): %d at their hash's %s, away: %s; "
               % (pl["keys"], pl["units"], unit, pl["keys"] / pl["units"], unit, home, unit,
                  ", ".join("%d by %d" % (n, d) for d, n in sorted(away.items())) or "none"))
    trace_fig = ("trace: storage added between growths %d times (+%d bytes) while filling, "
                 "%d times (+%d bytes) in %d churn rounds, %d same-size growths"
                 % (over_n, over_bytes, c_over_n, c_over_bytes, churn["rounds"], same))
    if tr.impl == "classic":
        need(same == churn["same_size_growths"],
             "the trace has %d same-size growths of the churned map, the program saw %d"
             % (same, churn["same_size_growths"]))
    chained = (longest > 1 and not away) or over_n + c_over_n > 0 or same > 0
    open_addr = away and longest == 1 and over_n + c_over_n == 0 and same == 0
    if chained:
        cf = ", ".join("%d of %d bucket%s" % (c, b, "s" if b > 1 else "")
                       for b, c in sorted(chains.items()))
        return "refuted", (
            "buckets of 8 slots with overflow chains, not open addressing: " + figures +
            "chains: %s; %s" % (cf or "none read", trace_fig))
    need(open_addr, "neither chains nor open addressing shown: " + figures + trace_fig)
    small = {d: n for d, n in away.items() if d <= 10}
    off = sum(n for d, n in small.items() if d not in TRIANGULAR)
    need(small and max(small) > 1,
         "the displaced keys are all 1 %s away: linear and quadratic probing look alike" % unit)
    if off == 0:
        return "refuted", (
            "open addressing, but probing quadratic (probe i looks i*(i+1)/2 %ss from "
            "home), not linear: %snone at 2, 4, 5, 7, 8 or 9; %s (probes are not in the "
            "trace: no function runs per probe)" % (unit, figures, trace_fig))
    return "confirmed", (
        "open addressing with linear probing: %s%d of the keys 2..10 %ss away at a "
        "non-triangular distance; %s" % (figures, off, unit, trace_fig))


# --- claim 3 ---------------------------------------------------------------

def table_slots(shape):
    """The slots of the map's table(s) proper: classic 8 * 2^B (not the
    overflow buckets), swiss every table's."""
    return 8 * shape["buckets"] if shape.get("impl") == "classic" else shape["slots"]


def check_noshrink(trace, text):
    """Claim 3: the size class and bytes at every write after the load fell
    under 1/4, and the slots the program finds in the map afterwards."""
    tr, out = common("noshrink", trace, text, "filled")
    filled = out.one("shape", phase="filled")
    tf, tw, tg = out.mark("filled"), out.mark("rewritten"), out.mark("gc")
    evs = tr.map_events(filled["map"], tf)
    after = [e for e in evs if e["time_ns"] > tf and "bytes" in e]
    need(after, "no event of the map after the fill")
    peak = max(e["count"] for e in evs)
    base = after[0]
    need(base["count"] == peak == filled["len"],
         "the first op after the fill saw len() %d, the peak was %d, the program filled %d"
         % (base["count"], peak, filled["len"]))
    # len() <= peak/4 < capacity/4: the capacity held the peak's entries.
    low = [e for e in after if e["op"] == "assign" and 4 * e["count"] < peak]
    need(low, "no write while len() was under 1/4 of the peak")
    first = low[0]
    later = [e for e in evs if e["time_ns"] >= first["time_ns"] and "bytes" in e]
    smallest = min(later, key=lambda e: (size(e), e["bytes"]))
    least = min(e["bytes"] for e in later)
    end = [e for e in evs if e["time_ns"] > tw and "bytes" in e]
    need(end, "no event of the map after the rewrites and the GC")
    last = end[-1]
    same = same_size_grows(later) if tr.impl == "classic" else 0
    shapes = [out.one("shape", phase=p) for p in ("filled", "deleted", "rewritten", "gc")]
    slots = [table_slots(s) for s in shapes]
    sz = size_name(tr.impl)
    shrank_trace = size(smallest) < size(base)
    shrank_prog = min(slots[1:]) < slots[0]
    verdict = "confirmed" if shrank_trace or shrank_prog else "refuted"
    gcs = tr.gc_ends(tw, tg + 1)
    why = ("%d entries in %d bytes (%s=%d); deletes took len() to %d, under 1/4 of that and "
           "so of the capacity; %d writes followed, and from the first of them on %s was "
           "never under %d nor bytes under %d; at the last op (after GC %s): %d bytes for %d "
           "entries%s; "
           "the program's table slots at the fill, deletes, writes, GC: %s"
           % (peak, base["bytes"], sz, size(base), first["count"], len(low), sz,
              size(smallest), least, cycles(gcs) if gcs else "none", last["bytes"],
              last["count"],
              "; same-size growths (overflow re-packed): %d" % same if same else "",
              ", ".join(str(s) for s in slots)))
    return verdict, why


# --- claim 4 ---------------------------------------------------------------

MAX_TABLE = 1024   # swiss maxTableCapacity: a full table splits in two

def check_growth(trace, text):
    """Claim 4: len() and the size at each growth of a map filled one
    entry at a time. Classic: the load at a hashGrow is len()/2^B entries a
    bucket of 8 slots; swiss: a table's table_used per 8 of its
    table_capacity slots at each rehash. The claim holds if every growth
    came with the insert that took the load past 6.5 (len() <= 6.5 a
    bucket/group < len()+1), not before nor after."""
    tr, out = common("growth", trace, text, "filled")
    filled = out.one("shape", phase="filled")
    tf = out.mark("filled")
    evs = tr.map_events(filled["map"], tf)
    last = [e for e in evs if e["op"] == "assign"][-1]
    need(last["count"] + 1 == filled["len"], "the last assign saw len() %d, the program "
         "filled %d" % (last["count"], filled["len"]))
    rows = []      # (entries, units of 8 slots, label)
    note = ""
    if tr.impl == "classic":
        unit, what = "bucket", "len()@B"
        for i, e in enumerate(evs):
            if e["op"] != "grow" or e["variant"] != "start":
                continue
            nxt = next((x for x in evs[i + 1:] if x["op"] != "grow"), None)
            need(nxt is not None and size(nxt) == e["B"] + 1,
                 "a growth at len() %d, B=%d did not double the buckets" % (e["count"], e["B"]))
            if e["B"] == 0:   # one bucket: it grows when its 8 slots are full
                note = "; the one bucket of B=0 grew when full, at len() %d" % e["count"]
            else:
                rows.append((e["count"], 1 << e["B"], "%d@B=%d" % (e["count"], e["B"])))
    else:
        unit, what = "group", "table_used/table_capacity"
        for e in evs:
            if e["op"] == "grow" and e["variant"] == "rehash":
                need("table_capacity" in e and "table_used" in e,
                     "a rehash without table_used/table_capacity (a trace of an older "
                     "mapwatchctl)")
                rows.append((e["table_used"], e["table_capacity"] // 8,
                             "%d/%d" % (e["table_used"], e["table_capacity"])))
        splits = sum(1 for _, n, _ in rows if 8 * n >= MAX_TABLE)
        if splits:
            note = "; %d of them split a full %d-slot table in two" % (splits, MAX_TABLE)
    need(len(rows) >= 3, "%d growths traced: too few to tell a rule" % len(rows))
    at = sorted({round(u / n, 3) for u, n, _ in rows})
    ok = all(u <= 6.5 * n < u + 1 for u, n, _ in rows)
    labels = [lab for _, _, lab in rows]
    shown = labels if len(labels) <= 8 else labels[:5] + ["..."] + labels[-2:]
    why = ("%d growths of a map filled to %d entries, %s: %s%s; entries per %s of 8 slots "
           "when it grew: %s"
           % (len(rows), filled["len"], what, " ".join(shown), note, unit,
              ", ".join("%g" % a for a in at)))
    return ("confirmed" if ok else "refuted"), why


# --- claim 5 ---------------------------------------------------------------

def check_freed(trace, text):
    """Claim 5: Alloc (runtime.MemStats, the program's) after the fill,
    after the deletes and after runtime.GC(), against the GC cycles the
    trace has between those readings."""
    tr, out = common("freed", trace, text)
    info = out.one("map")
    st = {p: out.one("memstats", phase=p) for p in ("filled", "deleted", "gc")}
    tf, td, tg = st["filled"]["mono_ns"], st["deleted"]["mono_ns"], st["gc"]["mono_ns"]
    evs = tr.map_events(info["map"], tf)
    dels = between(evs, tf, td, "delete")
    need(len(dels) == info["values"], "%d deletes traced, the program made %d"
         % (len(dels), info["values"]))
    # A cycle that began before the last delete may keep what it deletes
    # (the write barrier shades the pointer a delete overwrites).
    gcs = tr.gc_ends(dels[-1]["time_ns"], tg)
    need(gcs and tr.gc("start", dels[-1]["time_ns"], gcs[-1]["time_ns"]),
         "no GC cycle began after the last delete and ended before the last reading")
    cycles = [g.get("cycle") for g in gcs]
    need(st["gc"]["num_gc"] in cycles or None in cycles,
         "the program read NumGC %d; the trace's cycles since the deletes: %s"
         % (st["gc"]["num_gc"], cycles))
    need(not tr.gc_ends(tf, td) or st["deleted"]["num_gc"] > st["filled"]["num_gc"],
         "a GC cycle ended during the deletes but the program's NumGC did not move")
    values = info["values"] * info["value_bytes"]
    drop = st["deleted"]["alloc"] - st["gc"]["alloc"]
    held = [e["bytes"] for e in evs if "bytes" in e]
    released = sum(e["len"] for e in tr.events if e.get("type") == "scavenge")
    verdict = "confirmed" if drop < values / 2 else "refuted"
    why = ("Alloc %s after the fill, %s after %d deletes, %s after GC cycle %s (traced "
           "ending %s after the last delete): %s freed of %d x %d-byte values (%s); the map "
           "itself still held %d bytes at its last op; the scavenger returned %d bytes"
           % (mb(st["filled"]["alloc"]), mb(st["deleted"]["alloc"]), len(dels),
              mb(st["gc"]["alloc"]), cycles[-1] if cycles[-1] is not None else "?",
              ms(gcs[-1]["time_ns"] - dels[-1]["time_ns"]), mb(drop), info["values"],
              info["value_bytes"], mb(values), held[-1] if held else -1, released))
    return verdict, why


# --- claim 6 ---------------------------------------------------------------

def check_cleared(trace, text):
    """Claim 6: the finalizers of deleted values (the program's clock)
    against the deletes and the GC cycles in the trace; the values still in
    the map are the control."""
    tr, out = common("cleared", trace, text, "deleted")
    info = next((d for d in out.all("map") if "values" in d), None)
    need(info, "the program did not say which map it made")
    fin = out.one("finalized")
    remaining = [d for d in out.all("map") if "len" in d]
    td = out.mark("deleted")
    evs = tr.map_events(info["map"], td)
    dels = [e for e in evs if e["op"] == "delete" and e["time_ns"] < td]
    need(len(dels) == info["deleted"], "%d deletes traced, the program made %d"
         % (len(dels), info["deleted"]))
    need(remaining and remaining[0]["len"] == info["values"] - info["deleted"],
         "the map does not hold the values that were not deleted")
    need(fin["kept"] == 0, "%d values still in the map were finalized: the experiment is "
         "broken" % fin["kept"])
    last_del = dels[-1]["time_ns"]
    # The first cycle that began after the deletes (one running during
    # them keeps what they overwrite: the write barrier shades it), and
    # the end of its marking, where what is unreachable is known.
    starts = tr.gc("start", last_del)
    need(starts, "no GC cycle began after the deletes")
    marked = tr.gc("mark_end", starts[0]["time_ns"])
    need(marked, "the GC cycle that began after the deletes has no end of marking traced")
    g1 = marked[0]
    ncyc = len(tr.gc_ends(last_del))
    n = fin["deleted"]
    if n == 0:
        return "confirmed", (
            "%d deletes traced; %d GC cycle(s) ended after them (the first finished marking "
            "%s after the last delete), and none of the %d deleted values was finalized"
            % (len(dels), ncyc, ms(g1["time_ns"] - last_del), info["deleted"]))
    need(n == info["deleted"], "%d of the %d deleted values were finalized: the rest may "
         "still be referenced" % (n, info["deleted"]))
    need(fin["first_mono_ns"] > g1["time_ns"],
         "a finalizer ran %s before the first GC cycle after the deletes finished marking"
         % ms(g1["time_ns"] - fin["first_mono_ns"]))
    return "refuted", (
        "%d deletes traced (len() %d to %d); GC cycle %s began %s after the last one and "
        "finished marking %s after it; the finalizers of all %d deleted values ran %s to "
        "%s after the deletes, and none of the %d values still in the map: nothing held "
        "the deleted values"
        % (len(dels), dels[0]["count"], dels[-1]["count"] - 1, g1.get("cycle", "?"),
           ms(starts[0]["time_ns"] - last_del), ms(g1["time_ns"] - last_del), n,
           ms(fin["first_mono_ns"] - last_del), ms(fin["last_mono_ns"] - last_del),
           remaining[0]["len"]))


# claim number, program, checker, its one-line statement
CLAIMS = [
    (1, "keep", check_keep, "delete() keeps the map's storage; a map never gives it back"),
    (2, "probing", check_probing, 'Go maps use "open addressing with linear probing"'),
    (3, "noshrink", check_noshrink,
     'a "lazy shrink" happens on the next write when the load falls under 1/4'),
    (4, "growth", check_growth, "a map grows when the load factor passes 6.5"),
    (5, "freed", check_freed,
     "after deleting 10,000 entries whose values are *[1024]byte, Alloc barely drops"),
    (6, "cleared", check_cleared, "after delete() the value is still held by the map"),
]
BY_PROG = {prog: (n, fn, text) for n, prog, fn, text in CLAIMS}

# What the README says each run shows, by claim and map implementation.
EXPECTED = {1: "confirmed", 2: "refuted", 3: "refuted",
            4: {"classic": "confirmed", "swiss": "refuted"}, 5: "refuted", 6: "refuted"}


def expected(n, impl):
    e = EXPECTED[n]
    return e[impl] if isinstance(e, dict) else e


def check(prog, trace, text):
    """(claim number, verdict or "undecided", why) for program prog."""
    n, fn, _ = BY_PROG[prog]
    try:
        verdict, why = fn(trace, text)
    except Undecided as e:
        return n, "undecided", str(e)
    except (KeyError, TypeError, ValueError, IndexError) as e:
        return n, "undecided", "the trace or the output is not as expected: %r" % (e,)
    return n, verdict, why
