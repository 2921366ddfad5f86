/* SPDX-License-Identifier: GPL-2.0 */
/* tools/fuzz/gobin_exercise.h - what the gobin harnesses do with an opened binary. */
#ifndef _MAPWATCH_FUZZ_GOBIN_EXERCISE_H
#define _MAPWATCH_FUZZ_GOBIN_EXERCISE_H

#include "go/gobin.h"

/*
 * Look functions up by name and address, walk .symtab's objects and place
 * the probes of a few functions (capstone over their bytes), as
 * `mapwatchctl symbols` and dump do.
 */
void fz_gobin_exercise(struct gobin *gb);
/*
 * Open the ELF image at @elf (not taken over) with gobin_open_mem(); abort (a finding) if
 * it fails without saying why.  Opened, it goes through @check (if any)
 * and fz_gobin_exercise(), then is closed.
 */
void fz_gobin_open_exercise(void *elf, size_t len,
			    void (*check)(struct gobin *gb));

#endif
