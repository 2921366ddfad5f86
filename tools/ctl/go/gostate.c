// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/go/gostate.c - a Go map's header and swiss tables read from
 * /proc/PID/mem.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "go/gostate.h"

int gostate_open(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* @len bytes at @addr, whole; -errno (a short read: the memory is gone). */
static int gs_read(int fd, uint64_t addr, void *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len, (off_t)addr);

	if (n == (ssize_t)len)
		return 0;
	/* 0: the process has no mm any more (exited); short: unmapped. */
	if (n >= 0)
		return n ? -EIO : -ESRCH;
	return -errno;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The distinct tables of a swiss map's directory, and their capacity. */
static int gs_tables(int fd, const struct gover_layout *lay, const struct gostore_hdr *h,
		     struct gostore_tables *tabs)
{
	uint64_t *dir, n = h->dir_len, i;
	uint8_t tab[64];
	uint16_t cap;
	int ret;

	/* The directory doubles: a power of two (read once: h), bounded. */
	if ((n & (n - 1)) || !h->dir_ptr)
		return -EBADMSG;
	if (n > GOSTATE_MAX_DIR)
		return -E2BIG;
	if ((size_t)lay->tab_capacity + sizeof(cap) > sizeof(tab))
		return -EINVAL;
	dir = malloc(n * sizeof(*dir));
	if (!dir)
		return -ENOMEM;
	ret = gs_read(fd, h->dir_ptr, dir, n * sizeof(*dir));
	if (ret)
		goto out;
	/* A table of local depth d fills 2^(global-d) entries: count each once. */
	qsort(dir, n, sizeof(*dir), u64_cmp);
	for (i = 0; i < n; i++) {
		if (!dir[i]) {
			ret = -EBADMSG;
			goto out;
		}
		if (i && dir[i] == dir[i - 1])
			continue;
		ret = gs_read(fd, dir[i], tab, lay->tab_capacity + sizeof(cap));
		if (ret)
			goto out;
		memcpy(&cap, tab + lay->tab_capacity, sizeof(cap));
		/* A table's capacity is a power of two of at least one group. */
		if (cap < 8 || (cap & (cap - 1))) {
			ret = -EBADMSG;
			goto out;
		}
		tabs->tables++;
		tabs->capacity += cap;
	}
out:
	free(dir);
	return ret;
}

int gostate_read(int fd, const struct gover_layout *lay, uint64_t addr,
		 struct gostore_hdr *h, struct gostore_tables *tabs)
{
	uint8_t hdr[128];
	int ret;

	memset(tabs, 0, sizeof(*tabs));
	if (lay->hdr_size > sizeof(hdr))
		return -EINVAL;
	ret = gs_read(fd, addr, hdr, lay->hdr_size);
	if (ret)
		return ret;
	if (gostore_parse_hdr(lay, hdr, lay->hdr_size, h))
		return -EINVAL;
	/*
	 * Memory that no longer holds a map (freed, reused) can still pass a
	 * seed check the caller could not make (a seed drawn anew by a clear):
	 * what no map header can hold says it is not one.
	 */
	if (lay->impl != GOMAP_SWISS) {
		/* 8 slots a bucket, overflow ones counted 1 in 2^(B-15) from B 16: twice that */
		uint64_t slots;

		if (h->B > GOSTATE_MAX_B || (h->flags & ~0x0fu) || (h->count && !h->buckets))
			return -EBADMSG;
		slots = 16 * ((1ULL << h->B) +
			     ((uint64_t)h->noverflow << (h->B > 15 ? h->B - 15 : 0)));
		if (h->count > slots)
			return -EBADMSG;
		return 0;
	}
	if (h->dir_len) {
		ret = gs_tables(fd, lay, h, tabs);
		if (ret) {
			memset(tabs, 0, sizeof(*tabs));
			return ret;
		}
		if (h->count > tabs->capacity)
			return -EBADMSG;
	} else if (h->count > 8) {
		return -EBADMSG;	/* a small map is one group of 8 slots */
	}
	tabs->known = true;
	return 0;
}
