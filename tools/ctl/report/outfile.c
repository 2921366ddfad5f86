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

int outfile_open(struct outfile *o, const char *path)
{
	struct stat st;
	mode_t mask, mode;
	bool chown_failed = false;
	size_t len;
	int fd;

	memset(o, 0, sizeof(*o));
	o->name = path;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	/* Not a file to replace (a pipe, a terminal, /dev/stdout): written as it is. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "we");
		if (!o->f) {
			p_err("cannot write %s: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	/* A symbolic link: the file it names is replaced, the link kept. */
	if (!lstat(path, &st) && S_ISLNK(st.st_mode)) {
		o->real = link_target(path);
		if (!o->real) {
			p_err("cannot follow the link %s: %s", path, strerror(errno));
			return -1;
		}
		path = o->real;
	}
	len = strlen(path);
	o->tmp = malloc(len + sizeof(".tmp.XXXXXX"));
	if (!o->tmp) {
		p_err("out of memory");
		goto fail;
	}
	memcpy(o->tmp, path, len);
	memcpy(o->tmp + len, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	/* A name of its own: no file of someone else's is truncated or removed. */
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		p_err("cannot write %s: %s", path, strerror(errno));
		goto fail;
	}
	/* The mode and owner of the file it replaces; a new one's as open(2)'s. */
	if (!stat(path, &st)) {
		mode = st.st_mode & 07777;
		if (fchown(fd, st.st_uid, st.st_gid) && errno != EPERM)
			chown_failed = true;
	} else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	/* A mode of 0000 is a mode too: only a failed fchown() stops here. */
	o->f = chown_failed || fchmod(fd, mode) ? NULL : fdopen(fd, "w");
	if (!o->f) {
		p_err("cannot write %s: %s", o->tmp, strerror(errno));
		close(fd);
		unlink(o->tmp);
		goto fail;
	}
	o->dest = path;
	return 0;
fail:
	free(o->tmp);
	free(o->real);
	memset(o, 0, sizeof(*o));
	return -1;
}

static void outfile_free(struct outfile *o)
{
	free(o->tmp);
	free(o->real);
	memset(o, 0, sizeof(*o));
}

int outfile_commit(struct outfile *o)
{
	const char *shown = o->tmp ? o->tmp : strcmp(o->name, "-") ? o->name : "to stdout";
	int ret = 0;

	if (fflush(o->f) || ferror(o->f) || (o->tmp && fsync(fileno(o->f)))) {
		p_err("cannot write %s: %s", shown, strerror(errno));
		ret = -1;
	}
	if (o->f != stdout && fclose(o->f) && !ret) {
		p_err("cannot write %s: %s", shown, strerror(errno));
		ret = -1;
	}
	if (o->tmp && !ret && rename(o->tmp, o->dest)) {
		p_err("cannot rename %s to %s: %s", o->tmp, o->dest, strerror(errno));
		ret = -1;
	}
	if (o->tmp && ret) {
		if (o->keep)
			p_err("what was written is kept in %s", o->tmp);
		else
			unlink(o->tmp);
	}
	outfile_free(o);
	return ret;
}

void outfile_keep(struct outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	outfile_free(o);
}

void outfile_abort(struct outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	else if (o->f)
		fflush(o->f);
	if (o->tmp)
		unlink(o->tmp);
	outfile_free(o);
}

int outfile_write(const char *path, int (*fill)(FILE *f, void *ctx), void *ctx)
{
	struct outfile o;

	if (outfile_open(&o, path))
		return -1;
	if (fill(o.f, ctx)) {
		outfile_abort(&o);
		return -1;
	}
	return outfile_commit(&o);
}
