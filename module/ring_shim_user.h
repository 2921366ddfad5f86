/* SPDX-License-Identifier: GPL-2.0 */
/*
 * the few kernel primitives ring.c uses, for its
 * userspace build (unit tests under TSan/ASan, benchmarks).  Memory ordering
 * maps onto C11 atomics so ThreadSanitizer sees the same pairs the kernel
 * relies on.
 */
#ifndef _MAPWATCH_RING_SHIM_USER_H
#define _MAPWATCH_RING_SHIM_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

/* The kernel's names for the UAPI's types, so pointers to ABI fields match. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;

/* Single-copy atomic, unordered: what READ_ONCE()/WRITE_ONCE() give. */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
/* Acquire and release, as paired in ring.c and by its readers. */
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
/* Release: pairs with smp_load_acquire() of the same location. */
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* A writer and what interrupts it run on one thread: a signal fence. */
#define barrier()		__atomic_signal_fence(__ATOMIC_SEQ_CST)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define likely(x)		__builtin_expect(!!(x), 1)
#define NOKPROBE_SYMBOL(f)

#endif /* _MAPWATCH_RING_SHIM_USER_H */
