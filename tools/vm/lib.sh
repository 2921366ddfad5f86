# shellcheck shell=bash
# Shared helpers for the tools/vm scripts and tools/vmrun. Source it, don't run it.
#
# Everything downloaded or generated lives outside the repo, in $CACHE:
#   $CACHE/apt/          private apt state (sources, lists, .debs)   -> tools/vm/apt
#   $CACHE/kernels/VER/  unpacked kernel image, modules, headers     -> tools/vm/kernel
#   $CACHE/chroot-trixie debootstrapped trixie for 7.x module builds -> tools/vm/kernel
#   $CACHE/build/        module build trees                          -> tools/vm/kbuild
#   $CACHE/initramfs/    busybox initramfs per kernel version        -> tools/vmrun
#   $CACHE/logs/         serial console logs of VM runs              -> tools/vmrun

CACHE=${MAPWATCH_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/mapwatch}
VM_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

PROG=${0##*/}

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

now() { date +%s.%N; }

# stage_done NAME T0: print the one-line timing of a slow stage on stderr.
stage_done() {
	local t1
	t1=$(now)
	awk -v n="$1" -v a="$2" -v b="$t1" 'BEGIN { printf "stage: %s (%.1f s)\n", n, b - a }' >&2
}

# timed NAME CMD...: run CMD and report how long it took.
timed() {
	local name=$1 t0
	shift
	t0=$(now)
	"$@"
	stage_done "$name" "$t0"
}

# with_lock FILE CMD...: run CMD holding an exclusive flock on FILE, so that
# concurrent runs (e.g. `make -j` building three kernels) don't fight over a
# cache directory. The lock is released when CMD returns.
with_lock() {
	local lockfile=$1
	shift
	mkdir -p "$(dirname "$lockfile")"
	(
		flock 9
		"$@"
	) 9>"$lockfile"
}

# need_cmd CMD PACKAGE: fail early with the Debian package to install.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found: apt-get install $2 (see tools/vm/host-packages)"
}
