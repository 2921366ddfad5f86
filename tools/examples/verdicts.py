"""tools/examples/verdicts.py DIR: the host half of tools/examples/run --check.

For each build recorded in DIR (DIR/order; DIR/NAME/PROG/ has trace.json,
program.out, dump.err, rc), print the six verdicts with their figures,
require each to be the README's (claims.EXPECTED), and require the
opposite verdict for a copy of the trace and output changed to show the
claim's opposite (opposite.py). Exit 1 on any failure.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import claims  # noqa: E402
import opposite  # noqa: E402


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    top = argv[1]
    names = (read(os.path.join(top, "order")) or "").split()
    failures = turned = tried = 0
    for name in names:
        runs = []
        for _, prog, _, _ in claims.CLAIMS:
            d = os.path.join(top, name, prog)
            rc = (read(os.path.join(d, "rc")) or "").strip()
            runs.append((prog, d, rc))
        head = None
        for prog, d, rc in runs:
            n = claims.BY_PROG[prog][0]
            if rc != "0":
                print("claim %d: undecided\n  %s/%s: the traced run failed (status %s): %s"
                      % (n, name, prog, rc or "?",
                         (read(os.path.join(d, "dump.err")) or "").strip()[-300:]))
                failures += 1
                continue
            try:
                trace = claims.load_trace(os.path.join(d, "trace.json"))
                text = claims.load_output(os.path.join(d, "program.out"))
            except claims.Undecided as e:
                print("claim %d: undecided\n  %s" % (n, e))
                failures += 1
                continue
            if head is None:
                hdr = trace[0] if trace and trace[0].get("type") == "header" else {}
                go = [b for b in hdr.get("binaries", []) if b.get("role") == "go"] or [{}]
                head = (go[0].get("go_version", "?"), go[0].get("map_impl", "?"))
                print("== %s, %s maps (%s), kernel %s" % (head + (name, hdr.get("kernel", "?"))))
            t0 = time.time()
            n, verdict, why = claims.check(prog, trace, text)
            print("claim %d: %s\n  %s" % (n, verdict, why))
            if verdict == "undecided":
                failures += 1
                continue
            want = claims.expected(n, head[1])
            if verdict != want:
                print("  FAIL: the README says claim %d is %s for %s maps: the runtime, or "
                      "the measurement, changed" % (n, want, head[1]))
                failures += 1
            # The same checker on a copy showing the opposite.
            copied = opposite.make(prog, trace, text, verdict)
            tried += 1
            if copied is None:
                print("  FAIL: no opposite of this case to check the checker with")
                failures += 1
                continue
            _, v2, why2 = claims.check(prog, copied[0], copied[1])
            if v2 != opposite.flipped(verdict):
                print("  FAIL: a copy changed to show the opposite got '%s': %s" % (v2, why2))
                failures += 1
            else:
                turned += 1
            if time.time() - t0 > 30:
                print("  (checked in %.0f s)" % (time.time() - t0))
    print("# %d build(s) checked; %d of %d copies changed to show the opposite got the "
          "opposite verdict; %d failure(s)" % (len(names), turned, tried, failures))
    if not names:
        print("# nothing recorded in %s" % top)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
