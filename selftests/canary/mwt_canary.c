// SPDX-License-Identifier: GPL-2.0
/*
 * mwt_canary: a test-only module whose load commits one deliberate bug,
 * chosen by its "bug" parameter, so that the debug tier proves each of its
 * detectors reports what it exists for (tools/check-debug, stage
 * detectors).  Never built into mapwatch, never installed.
 *
 *   lockdep  two mutexes taken in both orders: a possible circular
 *            locking dependency
 *   sleep    a GFP_KERNEL allocation under a spinlock: a sleeping
 *            function called from invalid context
 *   ubsan    a shift by more than the type's width
 *   leak     an allocation whose only pointer is dropped (kmemleak, once
 *            it is old enough to be scanned)
 *   kasan    a read one byte past a kmalloc()ed object
 *
 * The load succeeds after the bug (rmmod works), except for an unknown
 * bug name (-EINVAL).
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "lockdep, sleep, ubsan, leak or kasan");

static DEFINE_MUTEX(canary_a);
static DEFINE_MUTEX(canary_b);
static DEFINE_SPINLOCK(canary_lock);

/* A parameter: the compiler cannot see the shift is too wide. */
static unsigned int shift = 40;
module_param(shift, uint, 0444);
MODULE_PARM_DESC(shift, "the ubsan bug's shift (past 31 by default)");

static void *canary_ptr;

static void canary_lockdep(void)
{
	mutex_lock(&canary_a);
	mutex_lock(&canary_b);
	mutex_unlock(&canary_b);
	mutex_unlock(&canary_a);

	mutex_lock(&canary_b);
	mutex_lock(&canary_a);
	mutex_unlock(&canary_a);
	mutex_unlock(&canary_b);
}

static void canary_sleep(void)
{
	spin_lock(&canary_lock);
	kfree(kmalloc(16, GFP_KERNEL));
	spin_unlock(&canary_lock);
}

static void canary_ubsan(void)
{
	unsigned int one = 1;

	pr_info("mwt_canary: 1 << %u = %u\n", shift, one << shift);
}

static void canary_leak(void)
{
	/* kmemleak's hex dump of the object shows its first 16 bytes */
	WRITE_ONCE(canary_ptr, kstrdup("mwt-canary-leak-object", GFP_KERNEL));
	WRITE_ONCE(canary_ptr, NULL);
}

static void canary_kasan(void)
{
	char *p = kmalloc(17, GFP_KERNEL);

	if (!p)
		return;
	pr_info("mwt_canary: byte 17 of 17: %d\n", READ_ONCE(p[17]));
	kfree(p);
}

static const struct {
	const char *name;
	void (*fn)(void);
} canary_bugs[] = {
	{ "lockdep", canary_lockdep },
	{ "sleep", canary_sleep },
	{ "ubsan", canary_ubsan },
	{ "leak", canary_leak },
	{ "kasan", canary_kasan },
};

static int __init canary_init(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(canary_bugs); i++) {
		if (!strcmp(bug, canary_bugs[i].name)) {
			pr_info("mwt_canary: committing bug %s\n", bug);
			canary_bugs[i].fn();
			return 0;
		}
	}
	pr_err("mwt_canary: unknown bug \"%s\"\n", bug);
	return -EINVAL;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("mapwatch debug-tier test: deliberate bugs for the detectors");
MODULE_LICENSE("GPL");
