// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/fuzz_gobin.c - a whole file as `mapwatchctl symbols FILE`
 * reads it: ELF headers, Go build info, .symtab or .gopclntab, the map
 * functions' probe placement (capstone), the fetch programs (gotrace_open).
 * Then the same bytes through gobin_open_mem(), the in-memory entry point.
 * The last byte's low bit picks JSON output, checked to parse.
 */
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "fuzz_common.h"
#include "gobin_exercise.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	bin_name = "mapwatchctl";
	fz_quiet_stdout();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	void *copy;

	fz_run_file_cmd(do_symbols, "symbols -j", &fd, "fuzz-gobin", data, size);
	copy = fz_copy(data, size);
	fz_gobin_open_exercise(copy, size, NULL);
	free(copy);
	return 0;
}
