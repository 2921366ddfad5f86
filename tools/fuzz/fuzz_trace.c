// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/fuzz_trace.c - a recorded trace (what `mapwatchctl -j dump
 * -w FILE` writes) read back as `report -i FILE` (plain, then -j) and
 * `export --svg OUT --perfetto OUT -i FILE` read it.  The JSON they write is
 * checked to parse.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "fuzz_common.h"

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

/* The whole of memfd FD. */
static char *slurp(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	char *buf;

	if (end < 0)
		abort();
	buf = malloc(end + 1);
	if (!buf || pread(fd, buf, end, 0) != end)
		abort();
	buf[end] = 0;
	*len = end;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int in_fd = -1, svg_fd = -1, pf_fd = -1;
	char *report[3] = { "-i", NULL, NULL }, *export[8], *out = NULL;
	size_t out_len = 0;
	FILE *f;

	report[1] = (char *)fz_memfd_put(&in_fd, "fuzz-trace", data, size);

	json_output = false;
	do_report(2, report);

	json_output = true;
	f = open_memstream(&out, &out_len);
	if (!f || !(json_wtr = jsonw_new(f)))
		abort();
	do_report(2, report);
	jsonw_destroy(&json_wtr);	/* asserts the output is balanced */
	fclose(f);
	fz_check_json("report -j", out, out_len);
	free(out);
	json_output = false;

	export[0] = "--svg";
	export[1] = (char *)fz_memfd_put(&svg_fd, "fuzz-svg", NULL, 0);
	export[2] = "--perfetto";
	export[3] = (char *)fz_memfd_put(&pf_fd, "fuzz-perfetto", NULL, 0);
	export[4] = "-i";
	export[5] = report[1];
	export[6] = "--top";
	export[7] = size & 1 ? "0" : "3";
	if (!do_export(8, export)) {
		out = slurp(pf_fd, &out_len);
		fz_check_json("export --perfetto", out, out_len);
		free(out);
	}
	return 0;
}
