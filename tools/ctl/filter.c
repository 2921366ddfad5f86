// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/filter.c - mapwatchctl filter: a recorded trace, less the
 * records that do not match, written as a trace of the same format
 * (docs/trace-format.md) for report -i and export -i.
 *
 * The rules (the man page and docs/trace-format.md say them too): options
 * of different kinds AND, repeats of one kind OR.  The header, the
 * summary, lost records and error records are always kept: a filtered
 * trace must not hide that the run lost or could not decode records.  Map
 * records must pass every option; every other record only --pid and
 * --from/--to.  The map options that are about a map rather than one of
 * its records (--func, --min-bytes) use the report's model, so that a
 * map's lives are told apart as report tells them: a shadow model, fed
 * each record as it is read, says which life a record belongs to; for
 * --min-bytes a first reading of the whole trace gives each life's peak.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "report/model.h"
#include "report/outfile.h"
#include "trace/format.h"
#include "trace/read.h"

static const char *const op_names[NR_OPS] = {
	TRACE_OP_MAKE, TRACE_OP_ASSIGN, TRACE_OP_DELETE, TRACE_OP_CLEAR, TRACE_OP_GROW,
};

/* The record types with an event head that mapwatchctl knows. */
static const char *const event_types[] = {
	TRACE_MAP, TRACE_MAP_STATE, TRACE_GC, TRACE_SCAVENGE, TRACE_EVENT, TRACE_USDT,
	TRACE_JVM_GC, TRACE_JVM_METHOD, TRACE_JVM_ALLOC,
};

struct filter {
	/* what to keep; repeated options fill the arrays (sized for argc) */
	uint32_t *pids;
	uint64_t *maps, *goids;
	const char **funcs;
	size_t nr_pids, nr_maps, nr_goids, nr_funcs;
	unsigned int ops;		/* bit per OP_*; 0: any */
	bool has_min_bytes, has_from, has_to;
	uint64_t min_bytes, from_ns, to_ns;	/* the window, from the origin */
	json_object *desc;		/* the header's "filter" entry */

	const char *input;
	int fd;
	struct report first;		/* the first reading (--min-bytes) */
	const struct rmap **lives;	/* its maps by life number */
	struct report shadow;		/* the trace read so far */
	bool has_origin;
	uint64_t origin_ns;		/* the header's start, or the first event */
	uint64_t records, kept, dropped;
	FILE *out;
};

static int filter_help(void)
{
	help_print("Usage: %1$s filter -i FILE -w OUT [--pid PID]... [--map ADDR]...\n"
		"               [--op OP]... [--goroutine G]... [--func FUNC]...\n"
		"               [--min-bytes N] [--from S] [--to S]\n"
		"\n"
		"Write the records of the trace FILE (from '%1$s -j dump -w FILE') that\n"
		"match to OUT, a trace of the same format for report -i and export -i.\n"
		"Options of different kinds must all match; one repeated matches any of\n"
		"its values.  Map records must match every option; the other records\n"
		"(gc, scavenge, event, usdt, jvm_*) --pid and --from/--to only, so that\n"
		"the GC's context stays.  The header (given a \"filter\" entry), the\n"
		"summary (given \"filter_dropped\"), lost and error records are always\n"
		"kept: a filter never hides losses.\n"
		"\n"
		"  -i, --input FILE   the trace ('-' for stdin)\n"
		"  -w, --write OUT    the filtered trace, replaced whole or not at all\n"
		"                     ('-': stdout, not with -j)\n"
		"  -p, --pid PID      the records of process PID\n"
		"      --map ADDR     the records of the map at ADDR (0x... or decimal)\n"
		"      --op OP        map operations OP: make, assign, delete, clear, grow\n"
		"      --goroutine G  map operations of goroutine G\n"
		"      --func FUNC    the records of the maps made in FUNC (a make's at=,\n"
		"                     as report shows it; exactly, or as a glob)\n"
		"      --min-bytes N  the records of the maps whose peak bytes (as report\n"
		"                     computes them) reach N (FILE is read twice: not a\n"
		"                     pipe)\n"
		"      --from S, --to S\n"
		"                     records at S seconds after the trace's start (the\n"
		"                     header's; else its first event) or later, before S\n"
		"A trace cut short (no summary) is filtered all the same: OUT has no\n"
		"summary either, and filter exits 1.\n",
		bin_name);
	return 0;
}

/* A decimal number, or hex with 0x when @hex; false if it is not one. */
static bool parse_num(const char *arg, bool hex, uint64_t *v)
{
	bool x = hex && (!strncmp(arg, "0x", 2) || !strncmp(arg, "0X", 2));
	const char *digits = x ? arg + 2 : arg;
	char *end;

	/* strtoull() would take a sign, spaces, and 0x without @hex. */
	if (!*digits || !strchr("0123456789abcdefABCDEF", *digits))
		return false;
	errno = 0;
	*v = strtoull(digits, &end, x ? 16 : 10);
	return !*end && !errno;
}

static int parse_u64(const char *opt, const char *arg, bool hex, uint64_t *v)
{
	if (parse_num(arg, hex, v))
		return 0;
	p_usage("%s %s: not a %snumber", opt, arg, hex ? "hex (0x...) or decimal " : "");
	return -1;
}

/* --from/--to S: seconds (fractions allowed), at least 0, at most ~31 years. */
static int parse_seconds(const char *opt, const char *arg, uint64_t *ns)
{
	char *end;
	double v = strtod(arg, &end);

	if (*end || !*arg || !isfinite(v) || v < 0 || v > 1e9) {
		p_usage("%s %s: not a number of seconds (0 or more)", opt, arg);
		return -1;
	}
	*ns = (uint64_t)(v * 1e9 + 0.5);	/* rounded: 0.1 s is 100000000 ns */
	return 0;
}

static bool known_event(const char *type)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(event_types); i++)
		if (!strcmp(type, event_types[i]))
			return true;
	return false;
}

/*
 * One record into a model.  Decode failures are counted, not printed:
 * they are copied to OUT, and report -i OUT says them.
 */
static int model_feed(struct report *r, json_object *o)
{
	const char *type = tr_str(o, "type");

	if (tr_str(o, "error") && !(type && !strcmp(type, TRACE_HEADER))) {
		r->records++;
		r->errors++;
		return 0;
	}
	return report_object(r, o);
}

static int first_object(void *ctx, json_object *o)
{
	return model_feed(&((struct filter *)ctx)->first, o);
}

/* The life of the map the record @o is about, as the shadow model has it now. */
static const struct rmap *record_life(const struct filter *x, json_object *o)
{
	if (!tr_has(o, "pid") || !tr_has(o, "map"))
		return NULL;
	return report_find_map(&x->shadow, (uint32_t)tr_u64(o, "pid"), tr_u64(o, "map"));
}

static bool func_matches(const struct filter *x, const struct rmap *m)
{
	size_t i;

	if (!m || !m->made_at[0])
		return false;
	/* Go names hold [ and *: a name is also matched as it is. */
	for (i = 0; i < x->nr_funcs; i++)
		if (!strcmp(x->funcs[i], m->made_at) || !fnmatch(x->funcs[i], m->made_at, 0))
			return true;
	return false;
}

static bool in_list(const uint64_t *list, size_t n, uint64_t v)
{
	while (n--)
		if (list[n] == v)
			return true;
	return false;
}

/*
 * The map options: a map record passes each one given; a map_state record
 * (a map's end, no operation) those that choose maps, not --op/--goroutine.
 */
static bool map_matches(const struct filter *x, json_object *o, bool state)
{
	const struct rmap *m = record_life(x, o);
	const char *op = tr_str(o, "op");
	int k;

	if (x->nr_maps && (!tr_has(o, "map") || !in_list(x->maps, x->nr_maps, tr_u64(o, "map"))))
		return false;
	if (x->ops && !state) {
		for (k = 0; k < NR_OPS && (!op || strcmp(op, op_names[k])); k++)
			;
		if (k == NR_OPS || !(x->ops & (1u << k)))
			return false;
	}
	if (x->nr_goids && !state && (!tr_has(o, "goid") ||
			    !in_list(x->goids, x->nr_goids, tr_u64(o, "goid"))))
		return false;
	if (x->nr_funcs && !func_matches(x, m))
		return false;
	/* A peak never known (no bytes) does not reach any N. */
	if (x->has_min_bytes) {
		const struct rmap *life = m && m->seq < x->first.nr_maps ? x->lives[m->seq] : NULL;

		if (!life || !life->have_bytes || life->peak_bytes < x->min_bytes)
			return false;
	}
	return true;
}

/*
 * --pid and --from/--to.  A record without the field a test needs fails
 * it, unless its type is one this mapwatchctl does not know: it may not
 * be a process's record at all, and passes that test.
 */
static bool head_matches(const struct filter *x, json_object *o, bool known)
{
	uint64_t t;
	size_t i;

	if (x->nr_pids && tr_has(o, "pid")) {
		uint32_t pid = (uint32_t)tr_u64(o, "pid");

		for (i = 0; i < x->nr_pids && x->pids[i] != pid; i++)
			;
		if (i == x->nr_pids)
			return false;
	} else if (x->nr_pids && known) {
		return false;
	}
	if (!x->has_from && !x->has_to)
		return true;
	if (!tr_has(o, "time_ns") || !x->has_origin)
		return !known;
	t = tr_u64(o, "time_ns");
	/* Before the origin (out of order, no header): before any --from. */
	if (x->has_from && (t < x->origin_ns || t - x->origin_ns < x->from_ns))
		return false;
	if (x->has_to && t >= x->origin_ns && t - x->origin_ns >= x->to_ns)
		return false;
	return true;
}

/* The header gets this run's filter, after those of earlier runs. */
static int mark_header(struct filter *x, json_object *o)
{
	json_object *list;

	if (!json_object_object_get_ex(o, "filter", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		list = json_object_new_array();
		if (!list || json_object_object_add(o, "filter", list))
			return -ENOMEM;
	}
	return json_object_array_add(list, json_object_get(x->desc)) ? -ENOMEM : 0;
}

static int write_record(struct filter *x, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		return -ENOMEM;
	/* As dump writes a trace: one record a line. */
	if (x->kept)
		fputs(",\n", x->out);
	fputs(s, x->out);
	x->kept++;
	return 0;
}

static int filter_object(void *ctx, json_object *o)
{
	struct filter *x = ctx;
	const char *type = tr_str(o, "type");
	int ret = model_feed(&x->shadow, o);
	bool keep;

	if (ret)
		return ret;
	x->records++;
	if (!x->has_origin && type && !strcmp(type, TRACE_HEADER) && tr_has(o, "start_ns")) {
		x->has_origin = true;
		x->origin_ns = tr_u64(o, "start_ns");
	} else if (!x->has_origin && tr_has(o, "pid") && tr_has(o, "time_ns")) {
		x->has_origin = true;
		x->origin_ns = tr_u64(o, "time_ns");
	}
	if (!type || !strcmp(type, TRACE_LOST) || !strcmp(type, TRACE_ERROR) ||
	    !strcmp(type, TRACE_BUDGET)) {
		/* Losses, decode failures, mapwatchctl's own {"error": ...}, the cost. */
		keep = true;
	} else if (!strcmp(type, TRACE_HEADER)) {
		ret = mark_header(x, o);
		keep = true;
	} else if (!strcmp(type, TRACE_SUMMARY)) {
		/* Cumulative: a filtered trace filtered again. */
		ret = json_object_object_add(o, "filter_dropped", json_object_new_uint64(
				tr_u64(o, "filter_dropped") + x->dropped)) ? -ENOMEM : 0;
		keep = true;
	} else {
		bool state = !strcmp(type, TRACE_MAP_STATE);

		keep = head_matches(x, o, known_event(type)) &&
		       ((strcmp(type, TRACE_MAP) && !state) || map_matches(x, o, state));
	}
	if (ret)
		return ret;
	if (!keep) {
		x->dropped++;
		return 0;
	}
	return write_record(x, o);
}

static int filter_fill(FILE *f, void *ctx)
{
	struct filter *x = ctx;

	x->out = f;
	fputc('[', f);
	if (trace_read(x->fd, x->input, filter_object, x, NULL))
		return -1;
	/* Nothing at all: not a trace, and OUT is left as it was. */
	if (!x->shadow.records)
		return report_trace_whole(&x->shadow, x->input, false);
	/* Closed even when the trace was cut: OUT is valid JSON, without summary. */
	fputs("]\n", f);
	return 0;
}

/* The first reading, for --min-bytes: each life's peak bytes, by its number. */
static int read_first(struct filter *x)
{
	size_t i;

	if (lseek(x->fd, 0, SEEK_CUR) < 0) {
		p_err("%s: --min-bytes reads it twice, and it cannot be (a pipe?): %s", x->input,
		      strerror(errno));
		return -1;
	}
	if (trace_read(x->fd, x->input, first_object, x, NULL))
		return -1;
	if (!x->first.records)
		return report_trace_whole(&x->first, x->input, false);
	x->lives = calloc(x->first.nr_maps + 1, sizeof(*x->lives));
	if (!x->lives) {
		p_err("out of memory");
		return -1;
	}
	for (i = 0; i < x->first.nr_maps; i++)
		if (x->first.maps[i].seq < x->first.nr_maps)
			x->lives[x->first.maps[i].seq] = &x->first.maps[i];
	if (lseek(x->fd, 0, SEEK_SET)) {
		p_err("%s: cannot read it twice: %s", x->input, strerror(errno));
		return -1;
	}
	return 0;
}

static json_object *u64_list(const uint64_t *v, size_t n)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_object_array_add(a, json_object_new_uint64(v[i]));
	return a;
}

/* The header's "filter" entry: the options given, as docs/trace-format.md says. */
static json_object *describe(const struct filter *x)
{
	json_object *d = json_object_new_object(), *a;
	size_t i;

	if (!d)
		return NULL;
	json_object_object_add(d, "mapwatchctl", json_object_new_string(MAPWATCH_TOOL_VERSION));
	if (x->nr_pids) {
		a = json_object_new_array();
		for (i = 0; a && i < x->nr_pids; i++)
			json_object_array_add(a, json_object_new_uint64(x->pids[i]));
		json_object_object_add(d, "pids", a);
	}
	if (x->nr_maps)
		json_object_object_add(d, "maps", u64_list(x->maps, x->nr_maps));
	if (x->ops) {
		a = json_object_new_array();
		for (i = 0; a && i < NR_OPS; i++)
			if (x->ops & (1u << i))
				json_object_array_add(a, json_object_new_string(op_names[i]));
		json_object_object_add(d, "ops", a);
	}
	if (x->nr_goids)
		json_object_object_add(d, "goroutines", u64_list(x->goids, x->nr_goids));
	if (x->nr_funcs) {
		a = json_object_new_array();
		for (i = 0; a && i < x->nr_funcs; i++)
			json_object_array_add(a, json_object_new_string(x->funcs[i]));
		json_object_object_add(d, "funcs", a);
	}
	if (x->has_min_bytes)
		json_object_object_add(d, "min_bytes", json_object_new_uint64(x->min_bytes));
	if (x->has_from)
		json_object_object_add(d, "from_ns", json_object_new_uint64(x->from_ns));
	if (x->has_to)
		json_object_object_add(d, "to_ns", json_object_new_uint64(x->to_ns));
	return d;
}

static int parse_op(struct filter *x, const char *arg)
{
	int k;

	for (k = 0; k < NR_OPS && strcmp(arg, op_names[k]); k++)
		;
	if (k == NR_OPS) {
		p_usage("--op %s: not a map operation (make, assign, delete, clear, grow)", arg);
		return -1;
	}
	x->ops |= 1u << k;
	return 0;
}

static int parse_args(struct filter *x, int argc, char **argv, const char **out)
{
	static const struct option options[] = {
		{ "input",	required_argument,	NULL, 'i' },
		{ "write",	required_argument,	NULL, 'w' },
		{ "pid",	required_argument,	NULL, 'p' },
		{ "map",	required_argument,	NULL, 'M' },
		{ "op",		required_argument,	NULL, 'O' },
		{ "goroutine",	required_argument,	NULL, 'G' },
		{ "func",	required_argument,	NULL, 'F' },
		{ "min-bytes",	required_argument,	NULL, 'B' },
		{ "from",	required_argument,	NULL, 'A' },
		{ "to",		required_argument,	NULL, 'Z' },
		{ "help",	no_argument,		NULL, 'h' },
		COMMON_OPTIONS,
		{ NULL,		0,			NULL, 0 },
	};
	int opt, next;
	uint64_t v;

	while ((opt = cmd_getopt("filter", argc, argv, "+i:w:p:hj", options, &next)) >= 0) {
		switch (opt) {
		case 'i':
			x->input = optarg;
			break;
		case 'w':
			*out = optarg;
			break;
		case 'p':
			if (!parse_num(optarg, false, &v) || !v || v > UINT32_MAX) {
				p_usage("'%s' is not a pid", optarg);
				return -1;
			}
			x->pids[x->nr_pids++] = (uint32_t)v;
			break;
		case 'M':
			if (parse_u64("--map", optarg, true, &x->maps[x->nr_maps++]))
				return -1;
			break;
		case 'O':
			if (parse_op(x, optarg))
				return -1;
			break;
		case 'G':
			if (parse_u64("--goroutine", optarg, false, &x->goids[x->nr_goids++]))
				return -1;
			break;
		case 'F':
			x->funcs[x->nr_funcs++] = optarg;
			break;
		case 'B':
			if (parse_u64("--min-bytes", optarg, false, &x->min_bytes))
				return -1;
			x->has_min_bytes = true;
			break;
		case 'A':
			if (parse_seconds("--from", optarg, &x->from_ns))
				return -1;
			x->has_from = true;
			break;
		case 'Z':
			if (parse_seconds("--to", optarg, &x->to_ns))
				return -1;
			x->has_to = true;
			break;
		case 'h':
			filter_help();
			return 1;
		default:
			return -1;
		}
	}
	if (next < argc) {
		p_usage("unexpected '%s'; see '%s filter help'", argv[next], bin_name);
		return -1;
	}
	if (!x->input || !*out) {
		p_usage("filter needs -i FILE (a recorded trace) and -w OUT (the filtered trace)");
		return -1;
	}
	if (x->has_from && x->has_to && x->to_ns <= x->from_ns) {
		p_usage("--to must be after --from: nothing would be kept");
		return -1;
	}
	if (!strcmp(*out, "-") && json_output) {
		p_usage("-w -: stdout would hold the trace and the JSON result; give a file");
		return -1;
	}
	return 0;
}

/* -j: what was done, one object; else a line on stderr. */
static void print_result(const struct filter *x, const char *out)
{
	if (!json_output) {
		p_info("filter: %" PRIu64 " of %" PRIu64 " records kept, %" PRIu64 " dropped",
		       x->kept, x->records, x->dropped);
		return;
	}
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "input", x->input);
	jsonw_string_field(json_wtr, "output", out);
	jsonw_uint_field(json_wtr, "records", x->records);
	jsonw_uint_field(json_wtr, "kept", x->kept);
	jsonw_uint_field(json_wtr, "dropped", x->dropped);
	/* false: the trace has no summary, it was cut short (exit 1) */
	jsonw_bool_field(json_wtr, "complete", x->shadow.summary);
	jsonw_end_object(json_wtr);
}

int do_filter(int argc, char **argv)
{
	struct filter x = { .fd = -1 };
	const char *out = NULL;
	int ret = -1;

	if (argc && !strcmp(argv[0], "help"))
		return filter_help();
	/* Each repeatable option at most once per argument. */
	x.pids = calloc(argc + 1, sizeof(*x.pids));
	x.maps = calloc(argc + 1, sizeof(*x.maps));
	x.goids = calloc(argc + 1, sizeof(*x.goids));
	x.funcs = calloc(argc + 1, sizeof(*x.funcs));
	if (!x.pids || !x.maps || !x.goids || !x.funcs) {
		p_err("out of memory");
		goto out;
	}
	ret = parse_args(&x, argc, argv, &out);
	if (ret) {
		ret = ret > 0 ? 0 : -1;
		goto out;
	}
	ret = -1;
	x.desc = describe(&x);
	if (!x.desc) {
		p_err("out of memory");
		goto out;
	}
	x.fd = strcmp(x.input, "-") ? open(x.input, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (x.fd < 0) {
		p_err("cannot open %s: %s", x.input, strerror(errno));
		goto out;
	}
	if (x.has_min_bytes && read_first(&x))
		goto out;
	if (outfile_write(out, filter_fill, &x))
		goto out;
	print_result(&x, out);
	ret = 0;
	/* Written all the same, as report prints its figures: exit 1 says. */
	if (!x.shadow.summary) {
		if (!json_output)
			p_err("%s: the trace has no summary: it was cut short; %s holds what"
			      " matched of what it holds, without a summary either", x.input, out);
		ret = -1;
	}
out:
	if (x.fd >= 0 && strcmp(x.input, "-"))
		close(x.fd);
	json_object_put(x.desc);
	free(x.lives);
	report_free(&x.first);
	report_free(&x.shadow);
	free(x.pids);
	free(x.maps);
	free(x.goids);
	free(x.funcs);
	return ret;
}
