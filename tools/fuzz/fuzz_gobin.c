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

#include "../ctl/main.h"
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
	char *argv[2], *out = NULL;
	size_t out_len = 0;
	FILE *f = NULL;
	void *copy;

	argv[0] = (char *)fz_memfd_put(&fd, "fuzz-gobin", data, size);
	argv[1] = NULL;
	json_output = size && (data[size - 1] & 1);
	if (json_output) {
		f = open_memstream(&out, &out_len);
		if (!f || !(json_wtr = jsonw_new(f)))
			abort();
	}
	do_symbols(1, argv);
	if (json_output) {
		jsonw_destroy(&json_wtr);	/* asserts the output is balanced */
		fclose(f);
		fz_check_json("symbols -j", out, out_len);
		free(out);
		json_output = false;
	}

	copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	fz_gobin_open_exercise(copy, size, NULL);
	free(copy);
	return 0;
}
