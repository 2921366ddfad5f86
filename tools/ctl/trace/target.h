/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/trace/target.h - what dump traces: a process named by its pid
 * (checked, and said what is wrong with it), or a command it starts.
 */
#ifndef _MAPWATCHCTL_TRACE_TARGET_H
#define _MAPWATCHCTL_TRACE_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Is any of @pids still running (not gone, not a zombie)? */
bool target_any_alive(const int *pids, int nr);
/* @name as execvp() would find it on PATH, into @buf; -1 if not found. */
int target_find_program(const char *name, char *buf, size_t len);
/*
 * Whether @pid has a program dump can read; -1 (printed) naming what is
 * wrong: no such process, a kernel thread, a zombie, the right missing.
 */
int target_check_pid(pid_t pid);
/*
 * Fork @argv stopped until a byte is written to *@go_fd (once it is in
 * the session's filter), its stdout @out_fd if not -1 (the one we were
 * given, when ours already goes to the trace); the child's pid, or -1.
 */
pid_t target_spawn(char **argv, int *go_fd, int out_fd);

#endif
