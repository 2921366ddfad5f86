# shellcheck shell=bash
# selftests/go/lib.sh: what selftests/go/run and selftests/go/lifecycle share
# (sourced): starting a fixture and `mapwatchctl -j dump` on it, waiting.
# Needs CTL (mapwatchctl) set by the caller.

# wait_for COND-COMMAND...: poll every 10 ms for up to 60 s (a guard, not
# a measurement); 1 if never true.
wait_for() {
	local end=$((SECONDS + 60))
	while ((SECONDS < end)); do
		"$@" && return 0
		sleep 0.01
	done
	"$@"
}

# started TRACE DUMP_PID: dump wrote something (the array) or is gone.
# shellcheck disable=SC2317  # called through wait_for
started() { [[ -s $1 ]] || ! kill -0 "$2" 2>/dev/null; }

# gone PID: the process has exited (a zombie counts as exited).
# shellcheck disable=SC2317  # called through wait_for
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# fixture_start DIR BIN ARGS...: start BIN ARGS... -wait-file DIR/go with
# stdout in DIR/fixture.out and stderr in DIR/fixture.err; sets FPID (the
# shell's child) and PID (what the fixture printed as "ready PID").
fixture_start() {
	local dir=$1 bin=$2
	shift 2
	"$bin" "$@" -wait-file "$dir/go" >"$dir/fixture.out" 2>"$dir/fixture.err" &
	FPID=$!
	if ! wait_for grep -q '^ready ' "$dir/fixture.err"; then
		echo "the fixture never printed 'ready PID':"; sed 's/^/  /' "$dir/fixture.err"
		kill "$FPID" 2>/dev/null; wait "$FPID"
		return 1
	fi
	# shellcheck disable=SC2034  # for the caller
	PID=$(awk '/^ready /{print $2; exit}' "$dir/fixture.err")
}

# dump_start DIR ARGS...: start `mapwatchctl -j dump ARGS...` with stdout
# in DIR/trace.json and stderr in DIR/dump.err, and wait until its JSON
# array opens (probes attached, tracing enabled); sets DPID. On failure
# prints why, kills it and FPID, returns 1.
dump_start() {
	local dir=$1
	shift
	"$CTL" -j dump "$@" >"$dir/trace.json" 2>"$dir/dump.err" &
	DPID=$!
	wait_for started "$dir/trace.json" "$DPID"
	if [[ ! -s $dir/trace.json ]] || grep -q '"error"' "$dir/trace.json"; then
		echo "mapwatchctl dump did not start tracing:"
		sed 's/^/  /' "$dir/trace.json" "$dir/dump.err"
		kill "$FPID" "$DPID" 2>/dev/null; wait "$FPID" "$DPID"
		return 1
	fi
}

# reap PID WHAT FILE [TAIL]: wait for PID; 1 (with FILE, its stderr, and the
# end of TAIL) unless it exited with status 0.
reap() {
	local rc
	wait "$1"; rc=$?
	[[ $rc -eq 0 ]] && return 0
	echo "$2 exited with status $rc:"; sed 's/^/  /' "$3"
	[[ -z ${4:-} ]] || tail -c 300 "$4" | sed 's/^/  /'
	return 1
}

# dump_wait DIR, fixture_wait DIR: reap DPID, FPID.
dump_wait() { reap "$DPID" "mapwatchctl dump" "$1/dump.err" "$1/trace.json"; }
fixture_wait() { reap "$FPID" "the fixture" "$1/fixture.err"; }
