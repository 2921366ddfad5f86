// SPDX-License-Identifier: GPL-2.0
/*
 * tools/lib/json_writer.c - a small streaming JSON writer: it tracks
 * nesting to place commas and newlines, and escapes strings.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

#include "lib/json_writer.h"

struct json_writer {
	FILE *f;
	unsigned int depth;
	bool pretty;
	bool first;		/* no element written yet at this depth */
	bool after_name;	/* a name was written, its value comes next */
};

json_writer_t *jsonw_new(FILE *f)
{
	json_writer_t *w = calloc(1, sizeof(*w));

	if (w) {
		w->f = f;
		w->first = true;
	}
	return w;
}

void jsonw_destroy(json_writer_t **w)
{
	assert((*w)->depth == 0);
	/* Nothing written, nothing to end. */
	if (!(*w)->first)
		fputc('\n', (*w)->f);
	fflush((*w)->f);
	free(*w);
	*w = NULL;
}

void jsonw_pretty(json_writer_t *w, bool on)
{
	w->pretty = on;
}

static void jsonw_indent(json_writer_t *w)
{
	unsigned int i;

	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (i = 0; i < w->depth; i++)
		fputs("    ", w->f);
}

/*
 * Separate this element from the previous one at the same depth; top-level
 * values (an error, then a report) by a newline: a stream of JSON values.
 */
static void jsonw_eor(json_writer_t *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (!w->first)
		fputc(w->depth ? ',' : '\n', w->f);
	if (w->depth)
		jsonw_indent(w);
	w->first = false;
}

/*
 * The length of the UTF-8 sequence at @s (1 to 4), or 0 if it is not one:
 * a stray continuation byte, a sequence cut short, an overlong form, a
 * surrogate or a code point above U+10FFFF (RFC 3629).
 */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also the terminating NUL */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD, so it stays valid. */
static void jsonw_puts(json_writer_t *w, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', w->f);
	while (*s) {
		unsigned char c = *s;

		/* Printable ASCII but the two escaped: written as one run. */
		for (n = 0; s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\'; n++)
			;
		if (n) {
			fwrite(s, 1, n, w->f);
			s += n;
			continue;
		}
		switch (c) {
		case '"':  fputs("\\\"", w->f); break;
		case '\\': fputs("\\\\", w->f); break;
		case '\n': fputs("\\n", w->f); break;
		case '\t': fputs("\\t", w->f); break;
		case '\r': fputs("\\r", w->f); break;
		default:
			if (c < 0x20) {
				fprintf(w->f, "\\u%04x", c);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", w->f);
				break;
			}
			fwrite(s, 1, n, w->f);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', w->f);
}

/* @v in decimal: printf's work without its format parsing (every event's fields). */
static void put_u64(FILE *f, uint64_t v)
{
	char buf[20];
	size_t i = sizeof(buf);

	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	fwrite(buf + i, 1, sizeof(buf) - i, f);
}

static void jsonw_open(json_writer_t *w, char c)
{
	jsonw_eor(w);
	fputc(c, w->f);
	w->depth++;
	w->first = true;
}

static void jsonw_close(json_writer_t *w, char c)
{
	assert(w->depth > 0);
	w->depth--;
	if (!w->first)
		jsonw_indent(w);
	fputc(c, w->f);
	w->first = false;
}

void jsonw_start_object(json_writer_t *w) { jsonw_open(w, '{'); }
void jsonw_end_object(json_writer_t *w) { jsonw_close(w, '}'); }
void jsonw_start_array(json_writer_t *w) { jsonw_open(w, '['); }
void jsonw_end_array(json_writer_t *w) { jsonw_close(w, ']'); }

void jsonw_name(json_writer_t *w, const char *name)
{
	jsonw_eor(w);
	jsonw_puts(w, name);
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_name = true;
}

void jsonw_string(json_writer_t *w, const char *s)
{
	jsonw_eor(w);
	jsonw_puts(w, s);
}

void jsonw_uint(json_writer_t *w, uint64_t v)
{
	jsonw_eor(w);
	put_u64(w->f, v);
}

void jsonw_int(json_writer_t *w, int64_t v)
{
	jsonw_eor(w);
	fprintf(w->f, "%" PRId64, v);
}

void jsonw_bool(json_writer_t *w, bool v)
{
	jsonw_eor(w);
	fputs(v ? "true" : "false", w->f);
}

void jsonw_null(json_writer_t *w)
{
	jsonw_eor(w);
	fputs("null", w->f);
}

void jsonw_string_field(json_writer_t *w, const char *name, const char *s)
{
	jsonw_name(w, name);
	jsonw_string(w, s);
}

void jsonw_uint_field(json_writer_t *w, const char *name, uint64_t v)
{
	jsonw_name(w, name);
	jsonw_uint(w, v);
}

void jsonw_int_field(json_writer_t *w, const char *name, int64_t v)
{
	jsonw_name(w, name);
	jsonw_int(w, v);
}

void jsonw_bool_field(json_writer_t *w, const char *name, bool v)
{
	jsonw_name(w, name);
	jsonw_bool(w, v);
}

void jsonw_milli(json_writer_t *w, uint64_t v)
{
	jsonw_eor(w);
	fprintf(w->f, "%" PRIu64 ".%03" PRIu64, v / 1000, v % 1000);
}

void jsonw_milli_field(json_writer_t *w, const char *name, uint64_t v)
{
	jsonw_name(w, name);
	jsonw_milli(w, v);
}

void jsonw_fixed3_field(json_writer_t *w, const char *name, double v)
{
	jsonw_milli_field(w, name, v > 0 ? (uint64_t)(v * 1000 + 0.5) : 0);
}
