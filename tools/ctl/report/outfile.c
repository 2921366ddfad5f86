// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report/outfile.c - a file the user keeps, written whole or not
 * at all: into a new PATH.tmp.XXXXXX, flushed and fsync()ed, then renamed
 * over PATH.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "main.h"
#include "report/outfile.h"

/* Not a file to replace (a pipe, a terminal, /dev/stdout): written as it is. */
static int write_through(const char *path, int (*fill)(FILE *f, void *ctx), void *ctx)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "we") : stdout;
	int ret;

	if (!f) {
		p_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	ret = fill(f, ctx);
	if (fflush(f) || ferror(f)) {
		p_err("cannot write %s: %s", strcmp(path, "-") ? path : "to stdout",
		      strerror(errno));
		ret = -1;
	}
	if (f != stdout && fclose(f) && !ret) {
		p_err("cannot write %s: %s", path, strerror(errno));
		ret = -1;
	}
	return ret ? -1 : 0;
}

/*
 * What a symbolic link @path names, followed to the end, also when that
 * file does not exist yet; NULL (errno) if it cannot be told.
 */
static char *link_target(const char *path)
{
	char *real = realpath(path, NULL), target[PATH_MAX], *joined;
	const char *slash;
	ssize_t n;

	if (real || errno != ENOENT)
		return real;
	/* Dangling: the link's own text, from the link's directory if relative. */
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return NULL;
	target[n] = '\0';
	slash = strrchr(path, '/');
	if (target[0] == '/' || !slash)
		return strdup(target);
	if (asprintf(&joined, "%.*s/%s", (int)(slash - path), path, target) < 0)
		return NULL;
	return joined;
}

int outfile_write(const char *path, int (*fill)(FILE *f, void *ctx), void *ctx)
{
	char *tmp, *real = NULL;
	struct stat st;
	mode_t mask, mode;
	size_t len;
	FILE *f;
	int fd, ret;

	if (!strcmp(path, "-") || (!stat(path, &st) && !S_ISREG(st.st_mode)))
		return write_through(path, fill, ctx);
	/* A symbolic link: the file it names is replaced, the link kept. */
	if (!lstat(path, &st) && S_ISLNK(st.st_mode)) {
		real = link_target(path);
		if (!real) {
			p_err("cannot follow the link %s: %s", path, strerror(errno));
			return -1;
		}
		path = real;
	}
	len = strlen(path);
	tmp = malloc(len + sizeof(".tmp.XXXXXX"));
	if (!tmp) {
		p_err("out of memory");
		free(real);
		return -1;
	}
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	/* A name of its own: no file of someone else's is truncated or removed. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		p_err("cannot write %s: %s", tmp, strerror(errno));
		free(tmp);
		free(real);
		return -1;
	}
	/* The mode and owner of the file it replaces; a new one's as open(2)'s. */
	if (!stat(path, &st)) {
		mode = st.st_mode & 07777;
		if (fchown(fd, st.st_uid, st.st_gid) && errno != EPERM)
			mode = 0;
	} else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	f = !mode || fchmod(fd, mode) ? NULL : fdopen(fd, "w");
	if (!f) {
		p_err("cannot write %s: %s", tmp, strerror(errno));
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
	free(real);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	free(real);
	return -1;
}
