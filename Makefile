# SPDX-License-Identifier: GPL-2.0
#
# mapwatch: a kernel module (module/, built by Kbuild) and mapwatchctl (tools/).
#
#   make                 module for the running kernel (or KDIR=...) and mapwatchctl
#   make check           every test: host unit tests, then the module's selftests in
#                        qemu on Debian's 6.1, 6.12 and 7.x kernels (KERNELS=...)
#   make check-quick     the inner loop: host tests, the module for 6.1, one
#                        boot (the selftests, one Go fixture)
#   make check-debug     the selftests on a debug kernel (KASAN, lockdep, kmemleak,
#                        UBSAN) under lockdown=integrity with a signed module
#   make check-debug7    the same detectors on the newest kernel (7.x)
#   make bench           what a probe hit costs: mapwatch next to a bare uprobe,
#                        uprobe_events and bpftrace, in the VM (tools/bench/run)
#   make fuzz            mapwatchctl's parsers under libFuzzer (FUZZ_SECONDS per target)
#   make demo            trace a bundled program inside the test VM, then report
#                        on examples/retention
#   make examples        settle six claims about Go map deletion by measurement:
#                        examples/claims traced in the VM, checked on the host
#                        (EXAMPLES_GO=1.19-default 1.27-default ... picks the Go builds)
#   make install         install the module (KDIR's kernel, if its build tree is
#                        there), mapwatchctl, its man page and bash completion, the
#                        UAPI header and the udev rule (udev/60-mapwatch.rules);
#                        DESTDIR= stages it all, PREFIX= (/usr/local) places it
#   make sign KEY= CERT= sign the built module with the kernel's sign-file

KDIR		?= /lib/modules/$(shell uname -r)/build
KERNELS		?= 6.1 6.12 7
PREFIX		?= /usr/local
MANDIR		?= $(PREFIX)/share/man
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
CACHE		?= $(or $(MAPWATCH_CACHE),$(XDG_CACHE_HOME),$(HOME)/.cache)/mapwatch
BUILD		:= build

CC		?= gcc
CFLAGS		?= -O2 -g
WFLAGS		:= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror
CPPFLAGS	+= -Iuapi -Imodule -Itools/ctl -Itools -I/usr/include/libnl3
SAN_TSAN	:= -O1 -g -fsanitize=thread -fno-sanitize-recover=all
SAN_ASAN	:= -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all

CTL_SRCS	:= $(wildcard tools/ctl/*.c tools/ctl/*/*.c tools/lib/*.c) module/ring.c
CTL_HDRS	:= $(wildcard tools/ctl/*.h tools/ctl/*/*.h tools/lib/*.h) module/ring.h \
		   module/ring_shim_user.h uapi/linux/mapwatch.h
CTL_LIBS	:= -lelf -lcapstone -ljson-c -lnl-genl-3 -lnl-3
TOOL_VERSION	:= $(shell sed -n 's/^\#define MAPWATCH_VERSION\t*"\(.*\)"/\1/p' module/internal.h)

STAGE		:= tools/stage

.PHONY: all module tools unit gobin-test bench fuzz fuzz-short check check-quick check-debug check-debug7 demo examples deps install sign clean help

all: tools
	@if [ -d "$(KDIR)" ]; then $(MAKE) module; else \
	  echo "note: no kernel build tree at $(KDIR): module not built (set KDIR=, or run 'make check', which builds it for its test kernels)"; fi

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools: tools/mapwatchctl

tools/mapwatchctl: $(CTL_SRCS) $(CTL_HDRS)
	$(CC) $(WFLAGS) $(CFLAGS) $(CPPFLAGS) -DMAPWATCH_TOOL_VERSION='"$(TOOL_VERSION)"' \
		-o $@ $(CTL_SRCS) $(CTL_LIBS)

$(BUILD)/ring_test.tsan: tools/tests/ring_test.c module/ring.c module/ring.h module/ring_shim_user.h
	@mkdir -p $(BUILD)
	$(CC) $(WFLAGS) $(SAN_TSAN) $(CPPFLAGS) -o $@ tools/tests/ring_test.c module/ring.c -lpthread

$(BUILD)/ring_test.asan: tools/tests/ring_test.c module/ring.c module/ring.h module/ring_shim_user.h
	@mkdir -p $(BUILD)
	$(CC) $(WFLAGS) $(SAN_ASAN) $(CPPFLAGS) -o $@ tools/tests/ring_test.c module/ring.c -lpthread

$(BUILD)/ring_bench: tools/bench/ring_bench.c module/ring.c module/ring.h module/ring_shim_user.h
	@mkdir -p $(BUILD)
	$(CC) $(WFLAGS) -O2 $(CPPFLAGS) -o $@ tools/bench/ring_bench.c module/ring.c

# The handler benchmark (tools/bench/run, in the VM): mapwatchctl's Go tracing
# code plans the probe, its main() renamed out of the way.
$(BUILD)/bench/ctl_main.o: tools/ctl/main.c $(CTL_HDRS)
	@mkdir -p $(BUILD)/bench
	$(CC) $(WFLAGS) $(CFLAGS) $(CPPFLAGS) -DMAPWATCH_TOOL_VERSION='"$(TOOL_VERSION)"' \
		-Dmain=mapwatchctl_main -c -o $@ $<

$(BUILD)/handler_bench: tools/bench/handler_bench.c module/bench.h $(CTL_SRCS) $(CTL_HDRS) \
		$(BUILD)/bench/ctl_main.o
	$(CC) $(WFLAGS) $(CFLAGS) $(CPPFLAGS) -DMAPWATCH_TOOL_VERSION='"$(TOOL_VERSION)"' -o $@ \
		tools/bench/handler_bench.c $(filter-out tools/ctl/main.c,$(CTL_SRCS)) \
		$(BUILD)/bench/ctl_main.o $(CTL_LIBS)

$(BUILD)/fetchprog_test: tools/tests/fetchprog_test.c tools/lib/fetchprog.c tools/lib/fetchprog.h
	@mkdir -p $(BUILD)
	$(CC) $(WFLAGS) $(SAN_ASAN) $(CPPFLAGS) -o $@ tools/tests/fetchprog_test.c tools/lib/fetchprog.c

MWERR_TEST_SRCS	:= tools/tests/mwerr_test.c tools/lib/mwerr.c tools/lib/mapwatch.c module/ring.c

$(BUILD)/mwerr_test: $(MWERR_TEST_SRCS) tools/lib/mwerr.h tools/lib/mapwatch.h \
		tools/lib/internal.h module/ring.h module/ring_shim_user.h
	@mkdir -p $(BUILD)
	$(CC) $(WFLAGS) $(SAN_ASAN) $(CPPFLAGS) -o $@ $(MWERR_TEST_SRCS) -lpthread

GOSTORAGE_TEST_SRCS := tools/tests/gostorage_test.c tools/ctl/go/gostorage.c tools/ctl/go/gover.c

$(BUILD)/gostorage_test: $(GOSTORAGE_TEST_SRCS) tools/ctl/go/gostorage.h tools/ctl/go/gover.h
	@mkdir -p $(BUILD)
	$(CC) $(WFLAGS) $(SAN_ASAN) $(CPPFLAGS) -o $@ $(GOSTORAGE_TEST_SRCS)

USDT_TEST_SRCS	:= tools/tests/usdt_test.c tools/ctl/sdt/notes.c tools/ctl/sdt/args.c \
		   tools/lib/elfbin.c tools/lib/fetchprog.c tools/lib/mwerr.c

# Also builds probe fixtures with gcc and <sys/sdt.h>, and runs mapwatchctl usdt.
$(BUILD)/usdt_test: $(USDT_TEST_SRCS) tools/ctl/sdt/notes.h tools/lib/elfbin.h \
		tools/lib/fetchprog.h tools/lib/mwerr.h
	@mkdir -p $(BUILD)
	$(CC) $(WFLAGS) $(SAN_ASAN) $(CPPFLAGS) -o $@ $(USDT_TEST_SRCS) -lelf -ljson-c

GOBIN_TEST_SRCS	:= tools/tests/gobin_test.c tools/ctl/go/gobin.c tools/ctl/go/prologue.c \
		   tools/lib/elfbin.c tools/lib/mwerr.c tools/ctl/go/gover.c

$(BUILD)/gobin_test.asan: $(GOBIN_TEST_SRCS) tools/ctl/go/gobin.h tools/lib/elfbin.h \
		tools/lib/mwerr.h tools/ctl/go/gover.h
	@mkdir -p $(BUILD)
	$(CC) $(WFLAGS) $(SAN_ASAN) $(CPPFLAGS) -o $@ $(GOBIN_TEST_SRCS) $(CTL_LIBS)

# mapwatchctl's Go binary reader on the Go fixtures (skips without them), ASan+UBSan.
gobin-test: $(BUILD)/gobin_test.asan tools/mapwatchctl
	$(BUILD)/gobin_test.asan
	tools/tests/options_check --go "$$(ls -d $(CACHE)/go-fixtures/*-default/mapfixture | \
		sort -V | tail -n1)" tools/mapwatchctl

# Host unit tests: the ring core under ThreadSanitizer and AddressSanitizer+UBSan,
# mapwatchctl's fetch-program builder and decoder, the error shape (mwerr.h,
# libmapwatch's per-thread last failure), its Go map storage
# arithmetic and its SDT (USDT) note reader under ASan+UBSan; report
# --openmetrics against report -j (python3-prometheus-client's parser); the
# trace format's names, document and versioning (docs/trace-format.md);
# the option parser (-j after the command, report passing dump's options on);
# each command's options in its getopt table, the man page and the bash
# completion, both ways, and the man page linting clean (doc_check); the
# claim checkers of make examples on synthetic traces, each claim both ways
# (examples_check).
unit: $(BUILD)/ring_test.tsan $(BUILD)/ring_test.asan $(BUILD)/fetchprog_test \
	$(BUILD)/mwerr_test $(BUILD)/gostorage_test $(BUILD)/usdt_test tools/mapwatchctl
	$(BUILD)/ring_test.tsan
	$(BUILD)/ring_test.asan
	$(BUILD)/fetchprog_test
	$(BUILD)/mwerr_test
	$(BUILD)/gostorage_test
	$(BUILD)/usdt_test tools/mapwatchctl
	tools/tests/openmetrics_check --top 1 --top 4 --top 0 --live \
		tools/tests/data/openmetrics-trace.json tools/tests/data/openmetrics-escape.json
	tools/tests/trace_format_check tools/tests/data/openmetrics-trace.json
	tools/tests/options_check tools/mapwatchctl
	tools/tests/doc_check --ctl tools/mapwatchctl
	tools/tests/examples_check

# BENCH_KERNELS: the kernels booted (tools/bench/run -k); BENCH_ARGS: more
# of its options (-n N, --reps R).
BENCH_KERNELS	?= 6.1 7
bench:
	tools/bench/run -k "$(BENCH_KERNELS)" $(BENCH_ARGS)

# mapwatchctl's ELF / Go build info / pclntab reader, trace reading and record
# decoding under libFuzzer with ASan+UBSan (clang-14, tools/fuzz/run): seeds from
# the Go fixtures when built; corpora and crashes in $(CACHE)/fuzz.
FUZZ_SECONDS	?= 300
fuzz:
	tools/fuzz/run -t $(FUZZ_SECONDS)

# The bounded run for tools/check: 25 s for each of the six targets.
fuzz-short:
	tools/fuzz/run -t 25

deps:
	tools/deps

# Every test; stages and timings are printed (tools/check).
check: deps
	KERNELS="$(KERNELS)" tools/check

# The inner loop: host checks, the module, one boot on the first kernel.
check-quick: deps
	KERNELS="$(KERNELS)" tools/check quick

# The debug-kernel tier: KASAN, lockdep, kmemleak, UBSAN, signed module
# under lockdown=integrity (tools/check-debug).
check-debug: deps tools/mapwatchctl
	make -s -C selftests
	tools/check-debug

# The same detectors on the newest kernel (linux-source 7.x, tools/vm/
# debug-kernel 7): kernel, module, the leaks boot.  Not run by .ci/run.
check-debug7: deps tools/mapwatchctl
	make -s -C selftests
	tools/check-debug 7

$(BUILD)/demo/godemo: tools/demo/godemo/main.go tools/demo/godemo/go.mod
	tools/demo/build-godemo $@

# Inside the test VM (Debian 6.1): load the module, trace a bundled Go program.
$(BUILD)/demo/retention: examples/retention/main.go examples/retention/go.mod
	tools/demo/build-godemo $@ examples/retention

demo: deps tools/mapwatchctl $(BUILD)/demo/godemo $(BUILD)/demo/retention
	@mkdir -p $(BUILD)/6.1
	tools/vm/kbuild 6.1 $(CURDIR) $(BUILD)/6.1
	tools/vmrun -k 6.1 -d $(CURDIR) -m $(BUILD)/6.1/mapwatch.ko -- \
		'mapwatchctl info && mapwatchctl dump -- $(BUILD)/demo/godemo && \
		 echo && echo "== mapwatchctl report --pages 4096 -k madvise -k munmap -- retention" && \
		 mapwatchctl report --pages 4096 -k madvise -k munmap -- $(BUILD)/demo/retention'

# The six claims of examples/claims (README, "Why doesn't my memory go
# down?"): each program built with the Go versions of EXAMPLES_GO, traced in
# the test VM (Debian 6.1), its verdict settled on the host from the trace
# and its output (tools/examples/vm).
EXAMPLES_GO	?=
examples: deps tools/mapwatchctl
	@mkdir -p $(BUILD)/6.1
	tools/vm/kbuild 6.1 $(CURDIR) $(BUILD)/6.1
	tools/examples/vm $(BUILD)/6.1/mapwatch.ko $(EXAMPLES_GO)

# The module under DESTDIR too (Kbuild's INSTALL_MOD_PATH); without KDIR's
# build tree, the rest only, as 'make' builds it.
install: all
	@if [ -d "$(KDIR)" ]; then \
	  $(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install; else \
	  echo "note: no kernel build tree at $(KDIR): module not installed (set KDIR=)"; fi
	install -D -m 0755 tools/mapwatchctl $(DESTDIR)$(PREFIX)/bin/mapwatchctl
	install -D -m 0644 docs/mapwatchctl.8 $(DESTDIR)$(MANDIR)/man8/mapwatchctl.8
	install -D -m 0644 tools/completion/mapwatchctl $(DESTDIR)$(BASHCOMPDIR)/mapwatchctl
	install -D -m 0644 uapi/linux/mapwatch.h $(DESTDIR)$(PREFIX)/include/linux/mapwatch.h
	install -D -m 0644 udev/60-mapwatch.rules $(DESTDIR)/etc/udev/rules.d/60-mapwatch.rules

# Sign mapwatch.ko (built by 'make module') with KDIR's own sign-file.
sign:
	@test -n "$(KEY)" -a -n "$(CERT)" || { echo "usage: make sign KEY=signing_key.pem CERT=signing_key.x509"; exit 2; }
	$(KDIR)/scripts/sign-file sha256 $(KEY) $(CERT) mapwatch.ko

clean:
	rm -rf $(BUILD) tools/mapwatchctl
	rm -f *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers module/*.o module/.*.cmd

help:
	@sed -n '3,/^[^#]/{/^#/s/^# \{0,1\}//p}' Makefile
