// SPDX-License-Identifier: GPL-2.0
/*
 * dump --budget's planner (tools/ctl/trace/budget.c) on periods whose
 * windows, periods and costs are worked out by hand from trace/budget.h's
 * rule: window = (BUDGET_AIM * B * u - f) * period / (r * k).  The planner
 * against a real process is selftests/go/lifecycle's service test and make
 * bench-icount.
 */
#include <stdio.h>
#include <stdlib.h>

#include "trace/budget.h"

static int failures, checks;

#define EXPECT_NEAR(what, got, want, tol) do {					\
	double g_ = (got), w_ = (want);						\
	checks++;								\
	if (g_ < w_ - (tol) || g_ > w_ + (tol)) {				\
		failures++;							\
		fprintf(stderr, "FAIL %s:%d: %s = %.3f, expected %.3f\n",	\
			__FILE__, __LINE__, what, g_, w_);			\
	}									\
} while (0)

/* 1 %, a hit costing 3000 ns; the first plan is 2 ms in a quarter second. */
static void fresh(struct budget *b)
{
	budget_init(b, 1, 3000);
	EXPECT_NEAR("first window", b->window_ns, 2000000, 0);
	EXPECT_NEAR("first period", b->period_ns, 250000000, 0);
}

/*
 * 5000 hits in a 10 ms window of a 1 s period, the process busy all the
 * time (1e9 ns of CPU, 15e6 of them the traps), our CPU 50 ms, all in the
 * window: u = 0.985, f = 0, r = 5e-4 /ns, k = 3000 + 10000 = 13000 ns,
 * room = 0.75 * 0.01 * 0.985 = 0.0073875 /ns, w = 7.3875e6 / 6.5 =
 * 1.1365 ms: under the 2 ms minimum, so 2 ms every 2e6 * 6.5 / 0.0073875
 * = 1759.73 ms.  Spent: (15e6 + 50e6) / 985e6 = 6.599 %.
 */
static void test_binding(void)
{
	struct budget b;
	struct budget_sample s = {
		.period_ns = 1000000000, .window_ns = 10000000, .hits = 5000,
		.proc_ns = 1000000000, .tool_window_ns = 50000000, .tool_ns = 50000000,
	};

	fresh(&b);
	budget_plan(&b, &s);
	EXPECT_NEAR("binding: window", b.window_ns, 2000000, 0);
	EXPECT_NEAR("binding: period (ms)", b.period_ns / 1e6, 1759.73, 0.01);
	EXPECT_NEAR("binding: spent %", budget_spent(&b), 6.599, 0.001);
	EXPECT_NEAR("binding: armed %", budget_armed(&b), 1.0, 1e-9);
}

/*
 * 1000 hits in 10 ms, no CPU of ours: r = 1e-4 /ns, k = 3000, r * k = 0.3;
 * u = (1e9 - 3e6) / 1e9 = 0.997, room = 0.0074775, w = 7.4775e6 / 0.3 =
 * 24.925 ms every second.
 */
static void test_window(void)
{
	struct budget b;
	struct budget_sample s = {
		.period_ns = 1000000000, .window_ns = 10000000, .hits = 1000,
		.proc_ns = 1000000000,
	};

	fresh(&b);
	budget_plan(&b, &s);
	EXPECT_NEAR("window (ms)", b.window_ns / 1e6, 24.925, 0.001);
	EXPECT_NEAR("window: period", b.period_ns, 1000000000, 0);
}

/* 10 hits in 10 ms: r * k = 0.003, w = 2.49 s: the probes stay armed. */
static void test_not_binding(void)
{
	struct budget b;
	struct budget_sample s = {
		.period_ns = 1000000000, .window_ns = 10000000, .hits = 10,
		.proc_ns = 1000000000,
	};

	fresh(&b);
	budget_plan(&b, &s);
	EXPECT_NEAR("not binding: window = period", b.window_ns, b.period_ns, 0);
	EXPECT_NEAR("not binding: period", b.period_ns, 1000000000, 0);
}

/* No hit in the window: nothing measured, the first window's length again. */
static void test_no_hits(void)
{
	struct budget b;
	struct budget_sample s = {
		.period_ns = 1000000000, .window_ns = 2000000, .proc_ns = 500000000,
		.tool_ns = 1000000,
	};

	fresh(&b);
	budget_plan(&b, &s);
	EXPECT_NEAR("no hits: window", b.window_ns, 2000000, 0);
	EXPECT_NEAR("no hits: period", b.period_ns, 1000000000, 0);
	/* 1 ms of ours against 500 ms of the process's. */
	EXPECT_NEAR("no hits: spent %", budget_spent(&b), 0.2, 1e-9);
}

/*
 * Our CPU between windows alone (100 ms over the 990 ms outside the window)
 * is more than the budget: no room, the longest period.
 */
static void test_no_room(void)
{
	struct budget b;
	struct budget_sample s = {
		.period_ns = 1000000000, .window_ns = 10000000, .hits = 1000,
		.proc_ns = 1000000000, .tool_ns = 100000000,
	};

	fresh(&b);
	budget_plan(&b, &s);
	EXPECT_NEAR("no room: window", b.window_ns, BUDGET_MIN_WINDOW_NS, 0);
	EXPECT_NEAR("no room: period", b.period_ns, BUDGET_MAX_PERIOD_NS, 0);
}

/* A sample with no window (arming failed) or no time changes no plan. */
static void test_empty_samples(void)
{
	struct budget b;
	struct budget_sample none = { .period_ns = 1000000000, .proc_ns = 1000000000 };
	struct budget_sample zero = { 0 };

	fresh(&b);
	budget_plan(&b, &none);
	budget_plan(&b, &zero);
	EXPECT_NEAR("empty: window", b.window_ns, 2000000, 0);
	EXPECT_NEAR("empty: period", b.period_ns, 250000000, 0);
	EXPECT_NEAR("empty: periods", b.periods, 2, 0);
	EXPECT_NEAR("empty: windows", b.windows, 0, 0);
	EXPECT_NEAR("empty: armed %", budget_armed(&b), 0, 0);
	EXPECT_NEAR("empty: spent %", budget_spent(&b), 0, 0);
}

/* Sums over several periods: armed 30 ms of 3 s, spent over all of them. */
static void test_sums(void)
{
	struct budget b;
	struct budget_sample s = {
		.period_ns = 1000000000, .window_ns = 10000000, .hits = 1000,
		.proc_ns = 1000000000, .tool_window_ns = 1000000, .tool_ns = 2000000,
	};
	int i;

	fresh(&b);
	for (i = 0; i < 3; i++)
		budget_plan(&b, &s);
	EXPECT_NEAR("sums: hits", b.hits, 3000, 0);
	EXPECT_NEAR("sums: armed %", budget_armed(&b), 1.0, 1e-9);
	/* (3000 * 3000 + 6e6) / (3e9 - 9e6) = 15e6 / 2.991e9 */
	EXPECT_NEAR("sums: spent %", budget_spent(&b), 0.50150, 0.00001);
}

int main(void)
{
	test_binding();
	test_window();
	test_not_binding();
	test_no_hits();
	test_no_room();
	test_empty_samples();
	test_sums();
	printf("budget_test: %d checks, %d failed\n", checks, failures);
	return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
