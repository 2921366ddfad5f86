/* SPDX-License-Identifier: GPL-2.0 */
/* tools/ctl/go/gobin_internal.h - what gobin.c and prologue.c share. */
#ifndef _MAPWATCHCTL_GO_GOBIN_INTERNAL_H
#define _MAPWATCHCTL_GO_GOBIN_INTERNAL_H

#include <stdint.h>
#include <string.h>
#include <capstone/capstone.h>

#include "go/gobin.h"

struct gobin {
	struct elfbin eb;
	struct gobin_info info;
	struct gobin_func *funcs;	/* by address; names in the file or libelf's data */
	size_t nr_funcs;
	const struct gobin_func **by_name;
	struct gobin_func *pcln_funcs;
	size_t nr_pcln_funcs;
	csh cs;
	bool cs_open;
};

/* A little-endian u32 of the file (little-endian hosts only, as elfbin). */
static inline uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

#endif
