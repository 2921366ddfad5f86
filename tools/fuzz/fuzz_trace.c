// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/fuzz_trace.c - a recorded trace (what `mapwatchctl -j dump
 * -w FILE` writes) read back as `report -i FILE` (plain, then -j),
 * `export --svg OUT --perfetto OUT --pprof OUT -i FILE` and `filter -i
 * FILE -w OUT` (options chosen by the input's size) read it, and filter's
 * OUT read again by report.  The JSON they write is checked to parse, the
 * profile to gunzip and unpack with every index in it pointing into its
 * tables.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "main.h"
#include "fuzz_common.h"
#include "profile.pb-c.h"

/* export writes its files whole or not at all: real files, in a directory. */
static char out_dir[] = "/tmp/mapwatch-fuzz-trace.XXXXXX";
static char svg_path[64], pf_path[64], pp_path[64], ft_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);

static void remove_out_dir(void)
{
	unlink(svg_path);
	unlink(pf_path);
	unlink(pp_path);
	unlink(ft_path);
	rmdir(out_dir);
}
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	bin_name = "mapwatchctl";
	fz_quiet_stdout();
	if (!mkdtemp(out_dir))
		abort();
	snprintf(svg_path, sizeof(svg_path), "%s/maps.svg", out_dir);
	snprintf(pf_path, sizeof(pf_path), "%s/perfetto.json", out_dir);
	snprintf(pp_path, sizeof(pp_path), "%s/maps.pb.gz", out_dir);
	snprintf(ft_path, sizeof(ft_path), "%s/filtered.json", out_dir);
	atexit(remove_out_dir);
	return 0;
}

/* The whole of file PATH, or NULL if there is none. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t end = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
	char *buf;

	if (fd < 0)
		return NULL;
	if (end < 0)
		abort();
	buf = malloc(end + 1);
	if (!buf || pread(fd, buf, end, 0) != end)
		abort();
	buf[end] = 0;
	*len = end;
	close(fd);
	return buf;
}

/* export --pprof's file: gzip, a profile.proto message, consistent. */
static void check_pprof(const char *gz, size_t gz_len)
{
	Perftools__Profiles__Profile *p;
	size_t cap = 1 << 16, i, j;
	z_stream z = { 0 };
	uint8_t *buf = malloc(cap);
	int zr = Z_OK;

	if (!buf || inflateInit2(&z, 15 + 16) != Z_OK)
		abort();
	z.next_in = (uint8_t *)gz;
	z.avail_in = gz_len;
	while (zr != Z_STREAM_END) {
		if (z.total_out == cap && !(buf = realloc(buf, cap *= 2)))
			abort();
		z.next_out = buf + z.total_out;
		z.avail_out = cap - z.total_out;
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END)
			abort();	/* not gzip */
	}
	p = perftools__profiles__profile__unpack(NULL, z.total_out, buf);
	inflateEnd(&z);
	free(buf);
	if (!p || !p->n_string_table || p->string_table[0][0] || p->n_sample_type != 4 ||
	    p->default_sample_type >= (int64_t)p->n_string_table)
		abort();
	for (i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];

		if (s->n_value != 4 || !s->n_location_id)
			abort();
		for (j = 0; j < s->n_location_id; j++)
			if (!s->location_id[j] || s->location_id[j] > p->n_location)
				abort();
		for (j = 0; j < s->n_label; j++)
			if (s->label[j]->key <= 0 || s->label[j]->key >= (int64_t)p->n_string_table ||
			    s->label[j]->str >= (int64_t)p->n_string_table)
				abort();
	}
	for (i = 0; i < p->n_location; i++)
		if (p->location[i]->id != i + 1 || p->location[i]->n_line != 1 ||
		    p->location[i]->line[0]->function_id != p->function[i]->id)
			abort();
	for (i = 0; i < p->n_function; i++)
		if (p->function[i]->name <= 0 ||
		    p->function[i]->name >= (int64_t)p->n_string_table)
			abort();
	perftools__profiles__profile__free_unpacked(p, NULL);
}

/*
 * filter with one of a few sets of options (size picks it): what it wrote
 * must parse, and be read by report; a failure leaves no file, unless
 * the trace was cut short (written all the same, exit 1).
 */
static void fuzz_filter(const char *input, size_t size)
{
	static const char *const sets[][12] = {
		{ "--pid", "441", "--op", "assign" },
		{ "--map", "0x1000", "--goroutine", "1", "--pid", "77" },
		{ "--func", "main.*", "--min-bytes", "48" },
		{ "--from", "0", "--to", "0.000002", "--op", "make", "--op", "grow" },
		{ NULL },
		{ "--min-bytes", "0", "--func", "main.(*T[go.shape.string,\"q\"]).f", "--to", "300" },
	};
	const char *const *set = sets[(size >> 1) % ARRAY_LEN(sets)];
	char *argv[20] = { "filter", "-i", (char *)input, "-w", ft_path }, *out;
	char *rep[4] = { "report", "-i", ft_path, NULL };
	int argc = 4, ok;
	size_t len;

	while (*set && argc < (int)ARRAY_LEN(argv) - 2)
		argv[++argc] = (char *)*set++;
	unlink(ft_path);
	json_output = false;
	optind = 0;
	ok = !do_filter(argc, argv + 1);
	out = slurp(ft_path, &len);
	if (ok && !out)
		abort();		/* filtered, yet no file */
	if (!out)
		return;
	fz_check_json("filter", out, len);
	free(out);
	optind = 0;
	do_report(2, rep + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int in_fd = -1;
	/* As main() calls a command: its name first, getopt restarted each time. */
	char *report[4] = { "report", "-i", NULL, NULL }, *export[12], *out = NULL;
	size_t out_len = 0;
	FILE *f;
	int ret;

	report[2] = (char *)fz_memfd_put(&in_fd, "fuzz-trace", data, size);

	json_output = false;
	optind = 0;
	do_report(2, report + 1);

	json_output = true;
	f = open_memstream(&out, &out_len);
	if (!f || !(json_wtr = jsonw_new(f)))
		abort();
	optind = 0;
	do_report(2, report + 1);
	jsonw_destroy(&json_wtr);	/* asserts the output is balanced */
	fclose(f);
	fz_check_json("report -j", out, out_len);
	free(out);
	json_output = false;

	unlink(svg_path);
	unlink(pf_path);
	unlink(pp_path);
	export[0] = "export";
	export[1] = "--svg";
	export[2] = svg_path;
	export[3] = "--perfetto";
	export[4] = pf_path;
	export[5] = "-i";
	export[6] = report[2];
	export[7] = "--top";
	export[8] = size & 1 ? "0" : "3";
	export[9] = "--pprof";
	export[10] = pp_path;
	export[11] = NULL;
	optind = 0;
	/*
	 * Whole or not at all: a file there parses.  A failed export may have
	 * written it (a cut trace: what it holds, then exit 1).
	 */
	ret = do_export(10, export + 1);
	out = slurp(pf_path, &out_len);
	if (!out && !ret)
		abort();	/* exported, yet no file */
	if (out)
		fz_check_json("export --perfetto", out, out_len);
	free(out);
	out = slurp(pp_path, &out_len);
	if (!out && !ret)
		abort();
	if (out)
		check_pprof(out, out_len);
	free(out);
	fuzz_filter(report[2], size);
	return 0;
}
