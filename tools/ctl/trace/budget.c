// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/trace/budget.c - dump --budget: plan the per-operation
 * probes' windows, and measure what a hit costs (trace/budget.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/fetchprog.h"
#include "lib/mapwatch.h"
#include "trace/budget.h"

void budget_init(struct budget *b, double percent, uint64_t hit_ns)
{
	memset(b, 0, sizeof(*b));
	b->share = percent / 100;
	b->hit_ns = hit_ns;
	b->period_ns = BUDGET_FIRST_PERIOD_NS;
	b->window_ns = BUDGET_FIRST_WINDOW_NS;
}

static uint64_t clamp_period(double p)
{
	if (!(p < BUDGET_MAX_PERIOD_NS))
		return BUDGET_MAX_PERIOD_NS;
	return p < BUDGET_PERIOD_NS ? BUDGET_PERIOD_NS : (uint64_t)p;
}

void budget_plan(struct budget *b, const struct budget_sample *s)
{
	uint64_t trap = s->hits * b->hit_ns, out = s->period_ns - s->window_ns;
	double u, r, k, f, w, room;

	b->periods++;
	b->windows += s->window_ns != 0;
	b->hits += s->hits;
	b->armed_ns += s->window_ns;
	b->elapsed_ns += s->period_ns;
	b->proc_ns += s->proc_ns;
	b->tool_ns += s->tool_ns;
	if (!s->period_ns || !s->window_ns)
		return;

	b->period_ns = BUDGET_PERIOD_NS;
	if (!s->hits) {
		/*
		 * Nothing to pay for, nothing measured: the first window's
		 * length again (a longer one would take a burst whole).
		 */
		b->window_ns = BUDGET_FIRST_WINDOW_NS;
		return;
	}
	/* The processes' own CPU per ns, the traps taken out. */
	u = (double)(s->proc_ns > trap ? s->proc_ns - trap : 0) / s->period_ns;
	/* Our CPU per ns between windows: reading maps, rare events, refreshes. */
	f = out && s->tool_ns > s->tool_window_ns ?
	    (double)(s->tool_ns - s->tool_window_ns) / out : 0;
	r = (double)s->hits / s->window_ns;
	k = b->hit_ns + (double)s->tool_window_ns / s->hits;
	/*
	 * What is left of the budget, per ns, once the costs between windows
	 * are paid; planned at BUDGET_AIM of it: what the plan cannot see
	 * (the next window's rate, arming's cost to the process) stays within.
	 */
	room = BUDGET_AIM * b->share * u - f;
	w = room > 0 ? room * b->period_ns / (r * k) : 0;
	if (w >= b->period_ns) {
		b->window_ns = b->period_ns;	/* the budget does not bind */
		return;
	}
	b->window_ns = BUDGET_MIN_WINDOW_NS;
	if (w >= BUDGET_MIN_WINDOW_NS) {
		b->window_ns = (uint64_t)w;
		return;
	}
	/*
	 * Too short to be worth arming: the shortest window, less often.  No
	 * room at all (the costs between windows take the budget already):
	 * the longest period, and what is spent says so.
	 */
	b->period_ns = room > 0 ? clamp_period(BUDGET_MIN_WINDOW_NS * r * k / room) :
				  BUDGET_MAX_PERIOD_NS;
}

double budget_spent(const struct budget *b)
{
	uint64_t trap = b->hits * b->hit_ns;

	if (b->proc_ns <= trap)
		return b->hits || b->tool_ns ? 100.0 : 0;
	return 100.0 * (double)(trap + b->tool_ns) / (double)(b->proc_ns - trap);
}

double budget_armed(const struct budget *b)
{
	return b->elapsed_ns ? 100.0 * (double)b->armed_ns / b->elapsed_ns : 100;
}

/* ------------------------------------------------------------------------ */
/* Calibration: a probe on a function of our own.                            */

/*
 * Its first instruction is where the probe goes, as in a Go function
 * after the stack check: a push of the frame pointer (the instruction
 * decides how the kernel steps over the breakpoint, so it matters).
 */
uint64_t mw_budget_target(const uint64_t *words);
#if defined(__x86_64__)
#define ARG0_REG	MAPWATCH_REG_X86_DI
__asm__(".pushsection .text\n"
	".globl mw_budget_target\n"
	".type mw_budget_target, @function\n"
	"mw_budget_target:\n"
	"	push %rbp\n"
	"	mov %rsp, %rbp\n"
	"	mov (%rdi), %rax\n"
	"	pop %rbp\n"
	"	ret\n"
	".size mw_budget_target, .-mw_budget_target\n"
	".popsection\n");
#elif defined(__aarch64__)
#define ARG0_REG	0
__asm__(".pushsection .text\n"
	".globl mw_budget_target\n"
	".type mw_budget_target, %function\n"
	"mw_budget_target:\n"
	"	str x30, [sp, #-16]!\n"
	"	ldr x0, [x0]\n"
	"	ldr x30, [sp], #16\n"
	"	ret\n"
	".size mw_budget_target, .-mw_budget_target\n"
	".popsection\n");
#else
#error "no calibration target for this architecture"
#endif

#define CALIB_CALLS	2000
#define CALIB_ROUNDS	3
#define CALIB_WORDS	8

/* The offset in the file of @addr's mapping, from /proc/self/maps. */
static int file_offset(uintptr_t addr, char *path, size_t len, uint64_t *off)
{
	char line[4096 + 128];
	FILE *f = fopen("/proc/self/maps", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, pgoff;
		int n = 0;

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*u %n", &start, &end, &pgoff, &n) < 3 ||
		    !n || addr < start || addr >= end)
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(path, len, "%s", line + n);
		*off = addr - start + pgoff;
		ret = path[0] == '/' ? 0 : -ENOENT;
		break;
	}
	fclose(f);
	return ret;
}

static uint64_t thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t calls_ns(const uint64_t *words)
{
	uint64_t t0 = thread_ns();
	int i;

	/* A direct call (an asm function is never inlined): no indirect branch. */
	for (i = 0; i < CALIB_CALLS; i++)
		mw_budget_target(words);
	return thread_ns() - t0;
}

static int drop_record(void *ctx, unsigned int cpu, const struct mapwatch_rec_hdr *hdr)
{
	(void)ctx;
	(void)cpu;
	(void)hdr;
	return 0;
}

/* A calibration failure: the library's message, said to be the calibration's. */
static int calib_fail(struct mw_err *err)
{
	*err = *mw_last_err();
	memmove(err->msg + 13, err->msg, sizeof(err->msg) - 13);
	memcpy(err->msg, "calibration: ", 13);
	err->msg[sizeof(err->msg) - 1] = 0;
	return -1;
}

int budget_calibrate(const char *device, uint64_t *ns_per_hit, struct mw_err *err)
{
	static const uint64_t words[CALIB_WORDS] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint64_t off = 0, best = UINT64_MAX, traced, bare;
	struct mw_session s;
	struct fprog p;
	char path[4096];
	uint32_t id;
	int fd, ret, i, v;

	if (file_offset((uintptr_t)mw_budget_target, path, sizeof(path), &off))
		return mw_err_set(err, MW_E_IO, "calibration: no file maps mapwatchctl's code");
	fp_init(&p);
	v = fp_reg(&p, ARG0_REG);
	for (i = 0; i < CALIB_WORDS; i++) {
		int w = fp_load(&p, v, 8 * i, 8, false);

		fp_emit(&p, "w", w, 8, false);
		fp_free(&p, w);
	}
	if (p.error)
		return mw_err_set(err, MW_E_INVAL, "calibration: %s", p.error);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mw_err_set(err, MW_E_IO, "calibration: cannot open %s: %s", path,
				  strerror(errno));
	if (mw_open(&s, device, 0)) {
		close(fd);
		return calib_fail(err);
	}
	ret = mw_configure(&s, 64, 0, 0, 0);
	if (!ret)
		ret = mw_pid(&s, MAPWATCH_PID_ADD, getpid());
	if (!ret)
		ret = mw_enable(&s);
	/*
	 * With the probe and without it, in turns, the least difference of
	 * the rounds: TCG's time is noisy, and what is not the probe's only
	 * adds to a round.
	 */
	for (i = 0; !ret && i < CALIB_ROUNDS; i++) {
		ret = mw_uprobe_attach(&s, fd, off, 0, p.ops, p.nr_ops, 0, &id);
		if (ret)
			break;
		traced = calls_ns(words);
		ret = mw_detach(&s, id);
		bare = calls_ns(words);
		mw_drain(&s, drop_record, NULL);
		if (!ret && traced > bare && traced - bare < best)
			best = traced - bare;
	}
	if (ret)
		calib_fail(err);
	mw_close(&s);
	close(fd);
	if (ret)
		return -1;
	if (best == UINT64_MAX)
		return mw_err_set(err, MW_E_IO, "calibration: the probe on %s did not cost a thing "
				  "(never hit?)", path);
	*ns_per_hit = best / CALIB_CALLS;
	return 0;
}
