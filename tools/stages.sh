# shellcheck shell=bash
# tools/stages.sh: the stage runner of tools/check and tools/check-debug
# (sourced; they set STAGE_LOGS, the directory for each stage's log).
#
#   stage NAME CMD...   run CMD in this shell, its output shown and kept in
#                       $STAGE_LOGS/NAME.log; a failure is added to failed[]
#   stage_bg NAME CMD...  run CMD in the background, at most $STAGE_JOBS
#                       (default: the number of CPUs) at a time: for the VM
#                       stages, each a single-threaded qemu; its output is
#                       kept in its log and shown whole when it ends
#   stages_wait         wait for every background stage
#   stages_end TITLE    the total time and the verdict; for each failed
#                       stage, first the lines of its log that say why: a CI
#                       report keeps only the tail of a long output, and a
#                       failing assertion may be thousands of lines above it

: "${STAGE_LOGS:?set by the script that sources tools/stages.sh}"
failed=()
t_all=$(date +%s)

stage() {
	local name=$1 t0 rc fd tee_pid
	shift
	t0=$(date +%s)
	mkdir -p "$STAGE_LOGS"
	echo "== stage $name"
	# CMD runs in this shell (a stage may set what a later one uses).
	exec {fd}> >(tee "$STAGE_LOGS/$name.log")
	tee_pid=$!
	"$@" >&"$fd" 2>&1
	rc=$?
	exec {fd}>&-
	wait "$tee_pid"
	if [ $rc -eq 0 ]; then
		echo "== stage $name: ok ($(($(date +%s) - t0)) s)"
	else
		echo "== stage $name: FAILED, status $rc ($(($(date +%s) - t0)) s)"
		failed+=("$name")
	fi
	return $rc
}

STAGE_JOBS=${STAGE_JOBS:-$(nproc)}
bg_names=()

# Report the background stages that ended; the number still running in bg_running.
stages_reap() {
	local name rest=() t0 rc
	bg_running=0
	for name in "${bg_names[@]}"; do
		if [ ! -f "$STAGE_LOGS/$name.rc" ]; then
			rest+=("$name")
			bg_running=$((bg_running + 1))
			continue
		fi
		rc=$(cat "$STAGE_LOGS/$name.rc")
		t0=$(cat "$STAGE_LOGS/$name.t0")
		echo "== stage $name (in the background)"
		cat "$STAGE_LOGS/$name.log"
		if [ "$rc" -eq 0 ]; then
			echo "== stage $name: ok ($(($(date +%s) - t0)) s)"
		else
			echo "== stage $name: FAILED, status $rc ($(($(date +%s) - t0)) s)"
			failed+=("$name")
		fi
		rm -f "$STAGE_LOGS/$name.rc" "$STAGE_LOGS/$name.t0"
	done
	bg_names=("${rest[@]}")
}

stage_bg() {
	local name=$1
	shift
	mkdir -p "$STAGE_LOGS"
	rm -f "$STAGE_LOGS/$name.rc"
	while stages_reap; [ "$bg_running" -ge "$STAGE_JOBS" ]; do
		sleep 2
	done
	date +%s >"$STAGE_LOGS/$name.t0"
	echo "== stage $name: started in the background ($STAGE_JOBS at a time)"
	# The status file is written last: its presence says the stage ended.
	( "$@" >"$STAGE_LOGS/$name.log" 2>&1; echo $? >"$STAGE_LOGS/$name.rc.tmp" &&
		mv "$STAGE_LOGS/$name.rc.tmp" "$STAGE_LOGS/$name.rc" ) </dev/null &
	bg_names+=("$name")
}

stages_wait() {
	while stages_reap; [ "$bg_running" -gt 0 ]; do
		sleep 2
	done
	wait
}

# What says why a stage failed: TAP failures (nested ones too), harness
# assertions and timeouts, kernel splats, vmrun's verdicts, errors.
STAGE_WHY='not ok|Expected|[Tt]imeout|timed out|FAIL|[Ee]rror|BUG:|WARNING:|KASAN|UBSAN|splat|refcnt|^#   pid '

stages_end() {
	local title=$1 name n
	echo "== $title: $(($(date +%s) - t_all)) s"
	[ ${#failed[@]} -ne 0 ] || return 0
	for name in "${failed[@]}"; do
		n=$(grep -cE "$STAGE_WHY" "$STAGE_LOGS/$name.log")
		echo "== why $name failed ($n lines of $STAGE_LOGS/$name.log):"
		grep -nE "$STAGE_WHY" "$STAGE_LOGS/$name.log" | head -n 60 | cut -c1-400
		[ "$n" -le 60 ] || echo "   ... $((n - 60)) more"
	done
	echo "== FAILED: ${failed[*]}"
	return 1
}
