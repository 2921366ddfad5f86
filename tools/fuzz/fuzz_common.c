// SPDX-License-Identifier: GPL-2.0
/* tools/fuzz/fuzz_common.c - helpers of the libFuzzer harnesses (fuzz_common.h). */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <json-c/json.h>

#include "lib/json_writer.h"
#include "main.h"
#include "fuzz_common.h"

const char *fz_memfd_put(int *fd, const char *name, const uint8_t *data, size_t size)
{
	static char path[4][32];
	static unsigned int next;
	char *p = path[next++ % 4];

	if (*fd < 0) {
		*fd = memfd_create(name, MFD_CLOEXEC);
		if (*fd < 0) {
			perror("memfd_create");
			abort();
		}
	}
	if (ftruncate(*fd, 0) || (size && pwrite(*fd, data, size, 0) != (ssize_t)size)) {
		perror("memfd write");
		abort();
	}
	snprintf(p, sizeof(path[0]), "/proc/self/fd/%d", *fd);
	return p;
}

void fz_run_file_cmd(int (*cmd)(int argc, char **argv), const char *what, int *fd,
		     const char *name, const uint8_t *data, size_t size)
{
	char *argv[3], *out = NULL;
	size_t out_len = 0;
	FILE *f = NULL;

	/* As main() calls a command: its name before argv, getopt restarted. */
	argv[0] = (char *)what;
	argv[1] = (char *)fz_memfd_put(fd, name, data, size);
	argv[2] = NULL;
	optind = 0;
	json_output = size && (data[size - 1] & 1);
	if (json_output) {
		f = open_memstream(&out, &out_len);
		if (!f || !(json_wtr = jsonw_new(f)))
			abort();
	}
	cmd(1, argv + 1);
	if (json_output) {
		jsonw_destroy(&json_wtr);	/* asserts the output is balanced */
		fclose(f);
		fz_check_json(what, out, out_len);
		free(out);
		json_output = false;
	}
}

void *fz_copy(const uint8_t *data, size_t size)
{
	void *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	if (size)
		memcpy(copy, data, size);
	return copy;
}

void fz_quiet_stdout(void)
{
	if (!freopen("/dev/null", "w", stdout))
		abort();
}

void fz_check_json(const char *what, const char *text, size_t len)
{
	json_tokener *tok = json_tokener_new();
	size_t off = 0;

	if (!tok)
		abort();
	while (off < len) {
		enum json_tokener_error e;
		json_object *o;

		if (strchr(" \t\r\n", text[off])) {
			off++;
			continue;
		}
		o = json_tokener_parse_ex(tok, text + off, (int)(len - off));
		e = json_tokener_get_error(tok);
		if (e != json_tokener_success) {
			fprintf(stderr, "%s: invalid JSON output at byte %zu: %s\n%.*s\n", what,
				off + json_tokener_get_parse_end(tok), json_tokener_error_desc(e),
				(int)(len < 4096 ? len : 4096), text);
			{	/* the bytes at the error, NULs and all */
				size_t at = off + json_tokener_get_parse_end(tok), i;

				fprintf(stderr, "bytes at %zu:", at);
				for (i = at > 8 ? at - 8 : 0; i < len && i < at + 24; i++)
					fprintf(stderr, " %02x", (unsigned char)text[i]);
				fputc('\n', stderr);
			}
			abort();
		}
		off += json_tokener_get_parse_end(tok);
		json_object_put(o);
		json_tokener_reset(tok);
	}
	json_tokener_free(tok);
}

uint64_t fz_get(const uint8_t *data, size_t size, size_t off, unsigned int bytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < bytes && off + i < size; i++)
		v |= (uint64_t)data[off + i] << (8 * i);
	return v;
}
