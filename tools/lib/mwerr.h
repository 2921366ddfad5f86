/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/lib/mwerr.h - the one error shape of mapwatchctl and tools/lib: a
 * code callers and tests tell apart, and a message for the user naming the
 * cause and the fix.  Parsers and tracers fill the caller's struct mw_err;
 * libmapwatch returns -errno and keeps the same struct per thread
 * (mw_last_err()).  Not err.h: with -I tools/lib (the selftests) that
 * would shadow the C library's <err.h>.
 */
#ifndef _MAPWATCH_LIB_MWERR_H
#define _MAPWATCH_LIB_MWERR_H

/* dump's buffer for these messages was 512: nothing it held whole is cut. */
#define MW_ERR_LEN	512

enum mw_errc {
	MW_OK,
	MW_E_IO,		/* cannot open, stat, map or read the file (errno in the message) */
	MW_E_NOT_ELF,		/* no ELF magic */
	MW_E_FORMAT,		/* ELF, but 32-bit, big-endian or another unsupported form */
	MW_E_ARCH,		/* a machine we do not decode (x86-64 and arm64 are) */
	MW_E_CORRUPT,		/* truncated, or headers or tables point outside the
				 * file, or disagree */
	MW_E_NOT_GO,		/* no Go build info */
	MW_E_GO_CORRUPT,	/* Go build info or pclntab is corrupt */
	MW_E_NO_FUNC,		/* asked for a function the binary lacks */
	MW_E_INVAL,		/* a bad argument: pattern, argument spec, option */
	MW_E_NOMEM,		/* out of memory */
	MW_E_SYS,		/* a system call failed: errnum says which errno */
};

struct mw_err {
	enum mw_errc code;
	int errnum;		/* MW_E_SYS: the errno; else 0 */
	char msg[MW_ERR_LEN];
};

/* Fill @err (when not NULL) with @code and the message; returns -1. */
int mw_err_set(struct mw_err *err, enum mw_errc code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
