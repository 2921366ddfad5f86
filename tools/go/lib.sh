# shellcheck shell=bash
# Shared helpers for tools/go/*. Source it, don't run it.
#
# Builds on tools/vm/lib.sh (CACHE, log, die, now, stage_done, with_lock).
# Everything lives in the cache, outside the repo:
#   $CACHE/go/VERSION/root/          dpkg -x of golang-VERSION-go and -src
#   $CACHE/go/VERSION/packages       "name version" of what was unpacked
#   $CACHE/go/VERSION/gocache/       GOCACHE of that toolchain
#   $CACHE/go/gopath/                GOPATH (module cache stays empty: no proxy)
#   $CACHE/go-fixtures/VER-VARIANT/  built fixtures          -> tools/go/build-fixtures

# shellcheck source=tools/vm/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../vm" && pwd)/lib.sh"
GO_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # used by the scripts sourcing this file
TOP=$(cd "$GO_TOOLS/../.." && pwd)

# The Go versions Debian packages, and the suite that carries each one
# (checked with `tools/vm/apt packages SUITE '^golang-1\.[0-9]+-go$'`).
# shellcheck disable=SC2034
GO_VERSIONS=(1.19 1.21 1.22 1.23 1.24 1.25 1.26 1.27)
go_suite() {
	case $1 in
	1.19) echo bookworm ;;
	1.21 | 1.22 | 1.23) echo bookworm-backports ;;
	1.24) echo trixie ;;
	1.25 | 1.26 | 1.27) echo trixie-backports ;;
	*) return 1 ;;
	esac
}

go_dir() { echo "$CACHE/go/$1"; }
goroot() { echo "$CACHE/go/$1/root/usr/lib/go-$1"; }

# go_env VERSION: export the environment that pins a toolchain to itself and
# to the cache: no toolchain switching, no module proxy, no network.
go_env() {
	local v=$1
	export GOROOT
	GOROOT=$(goroot "$v")
	export PATH="$GOROOT/bin:$PATH"
	export GOTOOLCHAIN=local GOPROXY=off GOFLAGS='' GOSUMDB=off GONOSUMDB='' GOPRIVATE=''
	export GOCACHE="$CACHE/go/$v/gocache"
	export GOPATH="$CACHE/go/gopath"
	export GOMODCACHE="$GOPATH/pkg/mod"
	export GOENV=off GOWORK=off GO111MODULE=on
	# go 1.23+ keeps local telemetry counters under os.UserConfigDir: keep them in the cache.
	export XDG_CONFIG_HOME="$CACHE/go/config"
	export GOEXPERIMENT='' CGO_ENABLED=0
	# Native builds (GOOS/GOARCH of the toolchain: linux/amd64 here).
	unset GOOS GOARCH GOBIN GOAMD64 GOARM64 GOFIPS140 GODEBUG
}
