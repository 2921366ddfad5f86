"""Copies of a claim program's trace and output changed so that the
claim's opposite holds: what the checker must then conclude the other way.
Used by tools/examples/verdicts.py on the traces `make examples` recorded,
and by tools/tests/examples_check on synthetic ones.

make(prog, trace, text, verdict) returns (trace, text) showing the
opposite of verdict (the verdict the checker gave the originals), or None
when this module cannot turn that case around.
"""
import copy
import re

import claims


def _events(trace, addr):
    return [r for r in trace if r.get("type") == "map" and r.get("map") == addr]


def _line(text, prog, what, match, **changes):
    """text with the pairs of the first "PROG: WHAT" line holding the
    pairs of match set to changes."""
    out, done = [], False
    for line in text.splitlines():
        head, _, rest = line.partition(": ")
        if not done and head == prog and rest.split(" ")[0] == what and \
                all(re.search(r"\b%s=%s(\s|$)" % (k, re.escape(str(v))), rest)
                    for k, v in match.items()):
            for k, v in changes.items():
                rest, n = re.subn(r"\b%s=\S+" % k, "%s=%s" % (k, v), rest)
                if not n:
                    rest += " %s=%s" % (k, v)
            line, done = "%s: %s" % (head, rest), True
        out.append(line)
    assert done, "no %s: %s line %s" % (prog, what, match)
    return "\n".join(out) + "\n"


def _size_key(e):
    return "B" if "B" in e else "dirlen"


def keep(trace, text, verdict):
    """The map gives storage back: from its second delete on, every event
    of the map has a quarter of its bytes and a smaller size class."""
    if verdict != "confirmed":
        return None
    out = claims.Output("keep", text)
    tf = out.mark("filled")
    evs = [e for e in _events(trace, out.one("shape", phase="filled")["map"])
           if e["time_ns"] > tf and e["op"] != "make"]
    for e in evs[1:]:
        if "bytes" in e:
            e["bytes"] //= 4
        k = _size_key(e)
        e[k] = max(0, e[k] - 2)
    return trace, text


def probing(trace, text, verdict):
    """Open addressing with linear probing: the program found keys 1, 2, 3,
    4 units from home (fewer the farther) and no chain longer than one
    bucket; the trace adds storage at growths only and has no same-size
    growth."""
    if verdict != "refuted":
        return None
    out = claims.Output("probing", text)
    pl = out.one("placement")
    keys = pl["keys"]
    far = [keys // 4, keys // 8, keys // 16, keys // 32]
    disp = "0:%d,1:%d,2:%d,3:%d,4:%d" % ((keys - sum(far),) + tuple(far))
    text = _line(text, "probing", "placement", {}, displacement=disp,
                 chains="1:%d" % pl["units"] if pl["impl"] == "classic" else "-")
    text = _line(text, "probing", "churn", {}, same_size_growths=0)
    for addr in (pl["map"], out.one("churn")["map"]):
        evs = _events(trace, addr)
        prev = None
        for i, e in enumerate(evs):
            if e["op"] == "grow":
                nxt = next((x for x in evs[i + 1:] if x["op"] != "grow"), None)
                if e["variant"] == "start" and nxt is not None and \
                        claims.size(nxt) == claims.size(e):
                    trace.remove(e)     # a same-size growth
                else:
                    prev = None
                continue
            if "bytes" not in e:
                continue
            if prev is not None and claims.size(e) == claims.size(prev):
                e["bytes"] = prev["bytes"]
            prev = e
    return trace, text


def noshrink(trace, text, verdict):
    """A shrink: from the first write under 1/4 of the peak's entries on,
    the map's size class is one less and its bytes half; the program finds
    half the buckets or slots after the rewrites."""
    if verdict != "refuted":
        return None
    out = claims.Output("noshrink", text)
    filled = out.one("shape", phase="filled")
    evs = _events(trace, filled["map"])
    peak = max(e["count"] for e in evs)
    low = [i for i, e in enumerate(evs) if e["op"] == "assign" and 4 * e["count"] < peak]
    for e in evs[low[0] + 1:]:
        k = _size_key(e)
        e[k] = max(0, e[k] - 1)
        if "bytes" in e:
            e["bytes"] //= 2
    for phase in ("rewritten", "gc"):
        s = out.one("shape", phase=phase)
        if s["impl"] == "classic":
            text = _line(text, "noshrink", "shape", {"phase": phase},
                         B=s["B"] - 1, buckets=s["buckets"] // 2)
        else:
            text = _line(text, "noshrink", "shape", {"phase": phase}, slots=s["slots"] // 2)
    return trace, text


def growth(trace, text, verdict):
    """Classic (confirmed): every growth from B >= 1 comes at 7 entries a
    bucket, not 6.5. Swiss (refuted): every rehash comes when its table
    holds 6.5 entries a group, the first insert past 6.5."""
    out = claims.Output("growth", text)
    evs = _events(trace, out.one("shape", phase="filled")["map"])
    if verdict == "confirmed":
        starts = [e for e in evs if e["op"] == "grow" and e.get("variant") == "start"
                  and e.get("B", 0) >= 1]
        if not starts:
            return None
        for e in starts:
            e["count"] = 7 << e["B"]
    else:
        rehash = [e for e in evs if e["op"] == "grow" and e.get("variant") == "rehash"]
        if not rehash:
            return None
        for e in rehash:
            e["table_used"] = 13 * e["table_capacity"] // 16
    return trace, text


def freed(trace, text, verdict):
    """Alloc barely drops: after the GC it is 1% below its figure after the
    deletes."""
    if verdict != "refuted":
        return None
    out = claims.Output("freed", text)
    alloc = out.one("memstats", phase="deleted")["alloc"]
    return trace, _line(text, "freed", "memstats", {"phase": "gc"}, alloc=alloc * 99 // 100)


def cleared(trace, text, verdict):
    """The map held the deleted values: no finalizer of theirs ran."""
    if verdict != "refuted":
        return None
    return trace, _line(text, "cleared", "finalized", {}, deleted=0, first_mono_ns=0,
                        last_mono_ns=0)


BY_PROG = {"keep": keep, "probing": probing, "noshrink": noshrink, "growth": growth,
           "freed": freed, "cleared": cleared}


def make(prog, trace, text, verdict):
    return BY_PROG[prog](copy.deepcopy(trace), text, verdict)


def flipped(verdict):
    return {"confirmed": "refuted", "refuted": "confirmed"}[verdict]
