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
APT=$VM_TOOLS/apt
# Where 7.x kernels' headers live and their modules (and the newest debug
# kernel) are built: trixie's userland (gcc-14).
CHROOT_DIR=$CACHE/chroot-trixie

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

# run_in_chroot CMD...: run CMD inside the trixie chroot with /proc and /dev
# mounted; the mounts live in a private mount namespace, so they disappear
# with the command even if it is killed.
run_in_chroot() {
	unshare --mount --propagation private /bin/bash -euc '
		c=$1; shift
		mount -t proc proc "$c/proc"
		mount --rbind /dev "$c/dev"
		exec chroot "$c" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"
	' run_in_chroot "$CHROOT_DIR" "$@"
}

# ensure_chroot DEP...: create the trixie chroot (once) and make sure the
# given packages are installed in it.
ensure_chroot() {
	local uri missing=() p t0
	if [[ ! -e $CHROOT_DIR/.complete ]]; then
		need_cmd debootstrap debootstrap
		uri=$("$APT" uri)
		rm -rf "$CHROOT_DIR.tmp"
		mkdir -p "$CACHE/debootstrap-debs"
		log "creating trixie chroot in $CHROOT_DIR (a few minutes)"
		t0=$(now)
		# minbase plus what kbuild needs; the keyring is the one that verified
		# the private apt lists.
		debootstrap --variant=minbase --arch=amd64 \
			--keyring="$("$APT" keyring)" \
			--cache-dir="$CACHE/debootstrap-debs" \
			--include="$(IFS=,; echo "$*")" \
			trixie "$CHROOT_DIR.tmp" "$uri" >"$CACHE/debootstrap.log" 2>&1 ||
			{ tail -n 30 "$CACHE/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
		printf 'deb %s trixie main\ndeb %s trixie-backports main\n' "$uri" "$uri" \
			>"$CHROOT_DIR.tmp/etc/apt/sources.list"
		touch "$CHROOT_DIR.tmp/.complete"
		mv "$CHROOT_DIR.tmp" "$CHROOT_DIR"
		stage_done "debootstrap trixie chroot" "$t0"
	fi
	for p in "$@"; do
		chroot "$CHROOT_DIR" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
			missing+=("$p")
	done
	if ((${#missing[@]})); then
		log "installing into the trixie chroot: ${missing[*]}"
		t0=$(now)
		{
			run_in_chroot apt-get -o Acquire::Languages=none update &&
				run_in_chroot env DEBIAN_FRONTEND=noninteractive \
					apt-get -y --no-install-recommends install "${missing[@]}"
		} >"$CACHE/chroot-install.log" 2>&1 ||
			{ tail -n 30 "$CACHE/chroot-install.log" >&2; die "installing into the chroot failed"; }
		stage_done "chroot package install" "$t0"
	fi
}
