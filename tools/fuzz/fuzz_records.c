// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/fuzz_records.c - the records dump decodes: fetch-program
 * payloads of Go map and runtime probes (gotrace_print: fp_decode, the
 * map header and storage arithmetic, key printing), kernel-probe payloads,
 * and fetch programs put together from the input (fp_* builders, fp_decode).
 *
 * With MAPWATCH_FUZZ_GOBIN=PATH (a supported Go binary) the probes are
 * those `mapwatchctl dump` would attach to it; without, only kernel-probe
 * and built programs are decoded.  With MAPWATCH_FUZZ_LIBJVM=PATH (HotSpot's
 * libjvm.so), also the probes of `dump --jvm --methods '*.*' --alloc`
 * (usdttrace_print: GC pauses, method and allocation names).
 *
 * Input: byte 0 bit 0: JSON output (checked to parse); then records, each
 * { u16 sel, u8 flags, u8 tgid, u16 len } and len payload bytes (fewer if
 * the input ends).  sel bit 15: a kernel probe of type sel & 0xff; bit 14:
 * a program built from the payload's first bytes (see built()); bit 13: JVM
 * probe sel % their number; else probe sel % the number of Go probes.
 * flags bit 0: MAPWATCH_RECF_FAULT.
 */
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "go/gotrace.h"
#include "main.h"
#include "trace/kprobes.h"
#include "sdt/usdttrace.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gotrace gt;
static bool have_gt;
static struct usdttrace ut;
static volatile unsigned int sink;	/* what built() read: kept */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("MAPWATCH_FUZZ_GOBIN");
	struct mw_err err;

	(void)argc;
	(void)argv;
	bin_name = "mapwatchctl";
	if (path && *path) {
		if (gotrace_open(&gt, path, DUMP_KEY_MAX, true, &err)) {
			fprintf(stderr, "fuzz_records: %s\n", err.msg);
			return -1;
		}
		have_gt = gt.nr > 0;
		fprintf(stderr, "fuzz_records: %zu probes of %s\n", gt.nr, path);
	}
	usdttrace_init(&ut);
	path = getenv("MAPWATCH_FUZZ_LIBJVM");
	if (path && *path) {
		ut.jvm = ut.alloc = true;
		if (usdttrace_add_methods(&ut, "*.*", &err) ||
		    usdttrace_find(&ut, path, 0, NULL, &err) || usdttrace_open(&ut, &err)) {
			fprintf(stderr, "fuzz_records: %s\n", err.msg);
			return -1;
		}
		fprintf(stderr, "fuzz_records: %zu JVM probes of %s\n", ut.nr, path);
	}
	return 0;
}

/*
 * A program from the payload: byte 0 the number of fields (up to 8), then
 * a byte per field: bits 0-1 the kind (uint, int, bytes, str), bits 2-7 the
 * size (1, 2, 4, 8 by bits 2-3) or the copy's max (bits 2-7 + 1).  The rest
 * of the payload is decoded with it.  Returns the sum of the bytes decoded.
 */
static unsigned int built(const uint8_t *p, size_t len)
{
	static const unsigned int sizes[4] = { 1, 2, 4, 8 };
	static const char *const names[8] = { "a", "b", "c", "d", "e", "f", "g", "h" };
	struct fp_value vals[FP_MAX_FIELDS];
	unsigned int n, i, k, sum = 0;
	struct fprog prog;
	int v;

	if (!len)
		return 0;
	n = p[0] % 9;
	if (len < 1 + n)
		return 0;
	fp_init(&prog);
	v = fp_reg(&prog, 0);
	for (i = 0; i < n; i++) {
		unsigned int d = p[1 + i];

		switch (d & 3) {
		case 0:
		case 1:
			fp_emit(&prog, names[i], v, sizes[(d >> 2) & 3], d & 1);
			break;
		case 2:
			fp_copy(&prog, names[i], v, -1, (d >> 2) + 1);
			break;
		default:
			fp_str(&prog, names[i], v, (d >> 2) + 1);
			break;
		}
	}
	if (prog.error)
		abort();	/* the builder took every one of these */
	if (fp_decode(&prog, p + 1 + n, len - 1 - n, vals))
		return 0;
	for (i = 0; i < prog.nr_fields; i++) {
		const struct fp_value *x = fp_get(&prog, vals, names[i]);

		if (x != &vals[i])
			abort();
		for (k = 0; x->bytes && k < x->len; k++)	/* read every byte handed out */
			sum += x->bytes[k];
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t rec[(sizeof(struct mapwatch_rec_event) + 0x10000) / 8 + 1];
	struct mapwatch_rec_event *ev = (struct mapwatch_rec_event *)rec;
	json_writer_t *jw = NULL;
	char *out = NULL;
	size_t out_len = 0, off = 1;
	uint64_t t = 1000;
	FILE *f;

	if (!size)
		return 0;
	f = open_memstream(&out, &out_len);
	if (!f)
		abort();
	if (data[0] & 1) {
		jw = jsonw_new(f);
		if (!jw)
			abort();
		jsonw_start_array(jw);
	}
	while (off + 6 <= size) {
		unsigned int sel = fz_get(data, size, off, 2), flags = data[off + 2];
		size_t len = fz_get(data, size, off + 4, 2);

		off += 6;
		if (len > size - off)
			len = size - off;
		memset(ev, 0, sizeof(*ev));
		ev->hdr.type = MAPWATCH_REC_EVENT;
		ev->hdr.flags = flags & 1 ? MAPWATCH_RECF_FAULT : 0;
		ev->hdr.size = sizeof(*ev) + len;
		ev->time_ns = t += 977;
		ev->tgid = 100 + data[off - 3];
		ev->tid = ev->tgid + 1;
		ev->payload_size = len;
		memcpy(ev + 1, data + off, len);
		off += len;
		if (sel & 0x8000) {
			if (jw) {
				event_head_json(jw, "event", ev);
				kprobe_json_payload(jw, sel & 0xff, ev + 1, len);
				jsonw_end_object(jw);
			} else {
				kprobe_print_payload(f, sel & 0xff, ev + 1, len);
			}
		} else if ((sel & 0x2000) && ut.nr) {
			usdttrace_print(&ut, &ut.probes[sel % ut.nr], ev, f, jw);
		} else if ((sel & 0x4000) || !have_gt) {
			sink += built((const uint8_t *)(ev + 1), len);
		} else {
			gotrace_print(&gt, &gt.probes[sel % gt.nr], ev, f, jw);
		}
	}
	if (jw) {
		jsonw_end_array(jw);
		jsonw_destroy(&jw);	/* asserts the output is balanced */
	}
	fclose(f);
	if (data[0] & 1)
		fz_check_json("dump -j records", out, out_len);
	free(out);
	/* each input starts afresh: no maps known, no last events */
	if (have_gt) {
		tdestroy(gt.maps, free);
		gt.maps = NULL;
		memset(gt.last, 0, sizeof(gt.last));
	}
	memset(ut.gc, 0, sizeof(ut.gc));
	return 0;
}
