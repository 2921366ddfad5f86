# shellcheck shell=bash
# Shared helpers for tools/java/*. Source it, don't run it.
#
# Builds on tools/vm/lib.sh (CACHE, log, die, now, stage_done, with_lock).
# Everything lives in the cache, outside the repo:
#   $CACHE/java/VERSION/root/       dpkg -x of openjdk-VERSION-jre-headless and
#                                   the trixie libraries it needs (21, 25)
#   $CACHE/java/VERSION/packages    "name version" of what was unpacked
#   $CACHE/java/patchelf/           dpkg -x of bookworm's patchelf (the tool
#                                   that points the launchers at root's ld.so)
#   $CACHE/java-fixtures/classes/   compiled fixtures   -> tools/java/build-fixture
# JDK 17 is the host's own (openjdk-17-jdk-headless, tools/host-packages); its
# javac compiles the fixtures for all versions (--release 17).

# shellcheck source=tools/vm/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../vm" && pwd)/lib.sh"
JAVA_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # used by the scripts sourcing this file
TOP=$(cd "$JAVA_TOOLS/../.." && pwd)

# The JDK versions, and where each comes from (checked with
# `tools/vm/apt packages SUITE '^openjdk-2[15]-'`: bookworm and its backports
# carry neither 21 nor 25; trixie carries both).
# shellcheck disable=SC2034
JAVA_VERSIONS=(17 21 25)
java_suite() {
	case $1 in
	17) echo host ;;
	21 | 25) echo trixie ;;
	*) return 1 ;;
	esac
}

# The host's JDK 17 (javac included).
HOST_JDK17=/usr/lib/jvm/java-17-openjdk-amd64

# The libraries of trixie that the JRE links against and bookworm has only in
# older versions (libjvm.so and the launcher need GLIBC_2.38, so the whole
# glibc must come along: the host's ld.so cannot load a newer libc.so.6).
# zlib1g keeps libzip/libjli off the host's zlib.
# shellcheck disable=SC2034
JAVA_LIB_PACKAGES=(libc6 libgcc-s1 libstdc++6 zlib1g)

java_dir() { echo "$CACHE/java/$1"; }

# java_home VERSION: the JAVA_HOME of that version.
java_home() {
	case $1 in
	17) echo "$HOST_JDK17" ;;
	*) echo "$CACHE/java/$1/root/usr/lib/jvm/java-$1-openjdk-amd64" ;;
	esac
}

# java_libdir VERSION: where the unpacked trixie libraries (and ld.so) are.
java_libdir() { echo "$CACHE/java/$1/root/usr/lib/x86_64-linux-gnu"; }
