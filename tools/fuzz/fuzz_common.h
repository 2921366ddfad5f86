/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/fuzz/fuzz_common.h - what the libFuzzer harnesses share: inputs
 * handed over as a file (/proc/self/fd/N of a memfd, for the entry points
 * that take a path), and the check that JSON output parses.
 */
#ifndef _MAPWATCH_FUZZ_COMMON_H
#define _MAPWATCH_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Replace the memfd's contents with DATA; its path ("/proc/self/fd/N"). */
const char *fz_memfd_put(int *fd, const char *name, const uint8_t *data, size_t size);
/* stdout to /dev/null: the commands print their results there. */
void fz_quiet_stdout(void);
/*
 * Abort (a finding) unless TEXT is a sequence of complete JSON values, as a
 * program would read mapwatchctl's -j output.
 */
void fz_check_json(const char *what, const char *text, size_t len);
/*
 * `mapwatchctl [-j] CMD FILE` with DATA as FILE (a memfd named NAME, kept
 * in *FD between runs): -j when DATA's last byte is odd, its output
 * checked with fz_check_json().
 */
void fz_run_file_cmd(int (*cmd)(int argc, char **argv), const char *what, int *fd,
		     const char *name, const uint8_t *data, size_t size);
/* A malloc'ed copy of DATA (at least 1 byte): the readers get their own. */
void *fz_copy(const uint8_t *data, size_t size);
/* A little-endian integer from a possibly short input; 0 past its end. */
uint64_t fz_get(const uint8_t *data, size_t size, size_t off, unsigned int bytes);

#endif
