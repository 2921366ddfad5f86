// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report/outfile.c - a file the user keeps, written whole or not
 * at all: into PATH.tmp, flushed and fsync()ed, then renamed over PATH.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "report/outfile.h"

int outfile_write(const char *path, int (*fill)(FILE *f, void *ctx), void *ctx)
{
	size_t len = strlen(path);
	char *tmp;
	FILE *f;
	int fd, ret;

	if (!strcmp(path, "-")) {
		ret = fill(stdout, ctx);
		if (fflush(stdout) || ferror(stdout)) {
			p_err("cannot write the metrics to stdout: %s", strerror(errno));
			return -1;
		}
		return ret ? -1 : 0;
	}
	tmp = malloc(len + sizeof(".tmp"));
	if (!tmp) {
		p_err("out of memory");
		return -1;
	}
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp", sizeof(".tmp"));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		p_err("cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	ret = fill(f, ctx);
	if (fflush(f) || ferror(f) || fsync(fileno(f))) {
		p_err("cannot write %s: %s", tmp, strerror(errno));
		fclose(f);
		goto fail;
	}
	if (fclose(f)) {
		p_err("cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (ret)
		goto fail;
	if (rename(tmp, path)) {
		p_err("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return -1;
}
