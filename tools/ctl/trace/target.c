// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/trace/target.c - the processes dump traces: pids checked and
 * watched, a command started stopped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "trace/target.h"

/* Is any of @pids still running (not gone, not a zombie)? */
bool target_any_alive(const int *pids, int nr)
{
	char path[64], buf[512], *state;
	int i, fd;
	ssize_t n;

	for (i = 0; i < nr; i++) {
		snprintf(path, sizeof(path), "/proc/%d/stat", pids[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		/* "pid (comm) S ...": comm may hold ')' itself: the last one ends it. */
		state = strrchr(buf, ')');
		if (state && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X')
			return true;
	}
	return false;
}

/* Where execvp() would find @name; 0, or -1 if it would not. */
int target_find_program(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char cand[4096];

	if (strchr(name, '/')) {
		snprintf(buf, len, "%s", name);
		return access(buf, X_OK);
	}
	while (path && *path) {
		const char *colon = strchrnul(path, ':');

		snprintf(cand, sizeof(cand), "%.*s/%s", (int)(colon - path), path, name);
		if (!access(cand, X_OK) && strlen(cand) < len) {
			snprintf(buf, len, "%s", cand);
			return 0;
		}
		path = *colon ? colon + 1 : NULL;
	}
	return -1;
}

/* The flags field of /proc/PID/stat (PF_*), and its state; -1 if unreadable. */
static long long proc_flags(pid_t pid, char *state)
{
	char path[64], buf[1024], *p;
	unsigned long long flags;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* After the command's closing parenthesis: state ppid pgrp session tty tpgid flags. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %llu", state, &flags) != 2)
		return -1;
	return (long long)flags;
}

#define PF_KTHREAD_FLAG	0x00200000	/* include/linux/sched.h */

/*
 * Whether PID has a program dump can read, said in the user's terms: no
 * such process, a kernel thread, a zombie, or the right that is missing.
 */
int target_check_pid(pid_t pid)
{
	char path[64], link[8], state = '?';
	long long flags;

	if (kill(pid, 0) && errno == ESRCH) {
		p_err("no process %d", pid);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (readlink(path, link, sizeof(link)) >= 0)
		return 0;
	if (errno == EACCES || errno == EPERM) {
		p_err("not allowed to trace process %d: reading its program (%s) takes ptrace"
		      " rights over it (the same user and not setuid, or CAP_SYS_PTRACE)",
		      pid, path);
		return -1;
	}
	flags = errno == ENOENT ? proc_flags(pid, &state) : -1;
	if (flags >= 0 && (flags & PF_KTHREAD_FLAG))
		p_err("process %d is a kernel thread: it runs no program to trace", pid);
	else if (flags >= 0 && (state == 'Z' || state == 'X'))
		p_err("process %d has exited (state %c): nothing to trace", pid, state);
	else
		p_err("cannot read %s: %s", path, strerror(errno));
	return -1;
}

/* Start CMD stopped until it is in the session's filter. */
pid_t target_spawn(char **argv, int *go_fd, int out_fd)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		char c;

		close(pfd[1]);
		if (read(pfd[0], &c, 1) != 1)
			_exit(127);
		/* The stdout mapwatchctl was given, not the trace's pipe or file. */
		if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
			_exit(127);
		/* CMD gets stdin, stdout and stderr: none of our descriptors. */
		close_range(3, ~0U, 0);
		execvp(argv[0], argv);
		fprintf(stderr, "Error: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[0]);
	*go_fd = pfd[1];
	return pid;
}

