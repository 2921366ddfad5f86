// SPDX-License-Identifier: GPL-2.0
/*
 * tools/lib/mapwatch.c - libmapwatch.  The consumer half of the ring
 * protocol is module/ring.c itself, built for userspace.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"
#include "mapwatch.h"
#include "../../module/ring.h"

/* The last failure of this thread: code MW_E_SYS, errnum the errno returned. */
static _Thread_local struct mw_err mw_last;

const char *mw_error(void)
{
	return mw_last.msg;
}

const struct mw_err *mw_last_err(void)
{
	return &mw_last;
}

int mw_fail(int err, const char *fmt, ...)
{
	va_list ap;

	mw_last.code = MW_E_SYS;
	mw_last.errnum = err;
	va_start(ap, fmt);
	vsnprintf(mw_last.msg, sizeof(mw_last.msg), fmt, ap);
	va_end(ap);
	return -err;
}

static int mw_ioctl(struct mw_session *s, unsigned long cmd, void *arg, const char *what)
{
	if (ioctl(s->fd, cmd, arg) == 0)
		return 0;
	return mw_fail(errno, "%s: %s", what, strerror(errno));
}

/* 1 if the file holds "1" (a sysctl that is on), 0 if not, -1 if unreadable. */
static int sysctl_on(const char *file)
{
	char c = 0;
	int fd = open(file, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -1;
	n = read(fd, &c, 1);
	close(fd);
	return n == 1 ? c == '1' : -1;
}

/* The device is missing: why, and the fix, as far as the host tells. */
static int no_device(const char *path)
{
	if (path && strcmp(path, MAPWATCH_DEVICE))
		return mw_fail(ENOENT, "%s does not exist (-d names the device; the module makes %s)",
			       path, MAPWATCH_DEVICE);
	if (!access("/sys/module/mapwatch", F_OK))
		return mw_fail(ENOENT, "the module is loaded but %s is missing: is devtmpfs"
			       " mounted on /dev?", MAPWATCH_DEVICE);
	if (access("/proc/modules", F_OK))
		return mw_fail(ENOENT, "%s does not exist, and this kernel cannot load modules"
			       " (built without CONFIG_MODULES): mapwatch needs one that can",
			       MAPWATCH_DEVICE);
	if (sysctl_on("/proc/sys/kernel/modules_disabled") == 1)
		return mw_fail(ENOENT, "%s does not exist, and loading modules is disabled until"
			       " the next boot (kernel.modules_disabled): load mapwatch at boot"
			       " (/etc/modules-load.d)", MAPWATCH_DEVICE);
	return mw_fail(ENOENT, "%s does not exist: load the module (modprobe mapwatch)",
		       MAPWATCH_DEVICE);
}

int mw_open(struct mw_session *s, const char *path, int flags)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = open(path ? path : MAPWATCH_DEVICE, O_RDWR | O_CLOEXEC | flags);
	if (s->fd < 0) {
		err = errno;
		if (err == ENOENT)
			return no_device(path);
		if (err == EACCES || err == EPERM)
			return mw_fail(err, "cannot open %s: %s (run as root or ask for the mapwatch group)",
				       path ? path : MAPWATCH_DEVICE, strerror(err));
		return mw_fail(err, "cannot open %s: %s", path ? path : MAPWATCH_DEVICE,
			       strerror(err));
	}
	s->api.size = sizeof(s->api);
	s->api.abi_major = MAPWATCH_ABI_MAJOR;
	if (ioctl(s->fd, MAPWATCH_IOC_API, &s->api)) {
		err = errno;
		if (err == EPROTO)
			mw_fail(err, "the module speaks ABI %u.%u, this tool %u.%u: install matching versions",
				s->api.abi_major, s->api.abi_minor, MAPWATCH_ABI_MAJOR,
				MAPWATCH_ABI_MINOR);
		else
			mw_fail(err, "handshake with the module failed: %s", strerror(err));
		close(s->fd);
		s->fd = -1;
		return -err;
	}
	return 0;
}

static void mw_unmap(struct mw_session *s)
{
	long page = s->api.page_size;
	unsigned int i;

	for (i = 0; s->cpu && i < s->nr_cpus; i++) {
		struct mw_cpu_ring *r = &s->cpu[i];

		if (!r->cons)
			continue;
		munmap(r->cons, page);
		munmap((void *)r->prod, page + r->data_size);
	}
	free(s->cpu);
	s->cpu = NULL;
}

int mw_configure(struct mw_session *s, uint32_t data_pages, uint32_t flags,
		 uint32_t watermark, uint32_t timer_ms)
{
	uint64_t page = s->api.page_size, stride;
	unsigned int i;
	int err;

	memset(&s->cfg, 0, sizeof(s->cfg));
	s->cfg.size = sizeof(s->cfg);
	s->cfg.data_pages = data_pages;
	s->cfg.flags = flags;
	s->cfg.watermark = watermark;
	s->cfg.timer_ms = timer_ms;
	err = mw_ioctl(s, MAPWATCH_IOC_RING_CONFIG, &s->cfg, "ring configuration");
	if (err == -EPERM) {
		/* ABI 1.4: the rings are locked memory, charged to RLIMIT_MEMLOCK. */
		struct rlimit rl = {};
		uint64_t need = (uint64_t)s->api.nr_cpus * (data_pages + 2) * page;

		getrlimit(RLIMIT_MEMLOCK, &rl);
		return mw_fail(EPERM,
			       "the rings (%u data pages on each of %u CPUs) would lock %llu KiB of memory, more than this user's RLIMIT_MEMLOCK allows (%llu KiB, with what its other sessions hold): raise it (ulimit -l), give CAP_IPC_LOCK, or ask for fewer pages",
			       data_pages, s->api.nr_cpus, (unsigned long long)(need >> 10),
			       rl.rlim_cur == RLIM_INFINITY ? 0ULL :
			       (unsigned long long)(rl.rlim_cur >> 10));
	}
	if (err)
		return err;

	stride = s->cfg.mmap_stride;
	s->nr_cpus = s->api.nr_cpus;
	s->cpu = calloc(s->nr_cpus, sizeof(*s->cpu));
	if (!s->cpu)
		return mw_fail(ENOMEM, "out of memory");
	for (i = 0; i < s->nr_cpus; i++) {
		struct mw_cpu_ring *r = &s->cpu[i];
		void *cons, *rest;

		cons = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd,
			    MAPWATCH_MMAP_CONSUMER(i, stride, page));
		if (cons == MAP_FAILED) {
			if (errno == EINVAL)
				continue;	/* not a possible CPU */
			err = mw_fail(errno, "mmap of cpu %u consumer page: %s", i,
				      strerror(errno));
			goto err_unmap;
		}
		rest = mmap(NULL, stride - page, PROT_READ, MAP_SHARED, s->fd,
			    MAPWATCH_MMAP_PRODUCER(i, stride, page));
		if (rest == MAP_FAILED) {
			err = mw_fail(errno, "mmap of cpu %u ring: %s", i, strerror(errno));
			munmap(cons, page);
			goto err_unmap;
		}
		r->cons = cons;
		r->prod = rest;
		r->data = (const uint8_t *)rest + page;
		r->data_size = stride - 2 * page;
	}
	return 0;

err_unmap:
	mw_unmap(s);
	return err;
}

int mw_enable(struct mw_session *s)
{
	return mw_ioctl(s, MAPWATCH_IOC_ENABLE, NULL, "enable");
}

int mw_disable(struct mw_session *s)
{
	return mw_ioctl(s, MAPWATCH_IOC_DISABLE, NULL, "disable");
}

/*
 * Does /proc number processes as our pid namespace does?  Not when the
 * caller entered a new namespace without mounting a /proc of its own:
 * then /proc/PID is another process.
 */
static bool mw_proc_is_ours(void)
{
	char link[32];
	ssize_t n = readlink("/proc/self", link, sizeof(link) - 1);

	if (n <= 0)
		return false;
	link[n] = '\0';
	return atoi(link) == getpid();
}

int mw_pid(struct mw_session *s, uint32_t op, int pid)
{
	struct mapwatch_pid arg = { .size = sizeof(arg), .op = op, .pid = pid };
	int mem_fd = -1, mem_errno = 0, ret = 0;
	char path[64];

	/*
	 * The proof of ptrace-attach rights a caller without CAP_SYS_ADMIN
	 * needs (ABI 1.3): the process's /proc/PID/mem, which only opens
	 * for those who have them.
	 */
	if (op == MAPWATCH_PID_ADD && (s->api.features & MAPWATCH_FEAT_PID_MEM_FD) &&
	    mw_proc_is_ours()) {
		snprintf(path, sizeof(path), "/proc/%d/mem", pid);
		mem_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (mem_fd >= 0) {
			arg.flags |= MAPWATCH_PID_MEM_FD;
			arg.mem_fd = mem_fd;
		} else {
			mem_errno = errno;
		}
	} else if (op == MAPWATCH_PID_ADD) {
		mem_errno = ENOENT;	/* no /proc of our pid namespace */
	} else {
		arg.size = MAPWATCH_PID_SIZE_VER0;	/* also for modules before ABI 1.3 */
	}
	if (ioctl(s->fd, MAPWATCH_IOC_PID, &arg))
		ret = -1;
	/*
	 * A proof can fail where no proof is needed: the memory of a process
	 * whose main thread has exited opens as nobody's.  An admin may go on.
	 */
	if (ret && errno == EACCES && mem_fd >= 0) {
		arg.flags &= ~MAPWATCH_PID_MEM_FD;
		arg.mem_fd = 0;
		ret = ioctl(s->fd, MAPWATCH_IOC_PID, &arg) ? -1 : 0;
	}
	if (mem_fd >= 0)
		close(mem_fd);
	if (!ret)
		return 0;
	switch (errno) {
	case ESRCH:
		return mw_fail(errno, "no process %d", pid);
	case ENOSPC:
		return mw_fail(errno, "at most %u processes per session", s->api.max_pids);
	case EACCES:
		if (mem_errno)
			return mw_fail(errno, "pid %d: no right to trace it: tracing a process needs"
				       " the right to ptrace it (/proc/%d/mem: %s) or CAP_SYS_ADMIN",
				       pid, pid, strerror(mem_errno));
		return mw_fail(errno, "pid %d: no right to trace it: /proc/%d/mem did not prove the"
			       " right to ptrace it (its main thread exited, or it exec'd meanwhile)"
			       " and CAP_SYS_ADMIN is missing", pid, pid);
	default:
		return mw_fail(errno, "pid %d: %s", pid, strerror(errno));
	}
}

static int mw_probes_full(struct mw_session *s)
{
	return mw_fail(ENOSPC, "at most %u probes per session (detach some, or open another session)",
		       s->api.max_probes);
}

int mw_kprobe_attach(struct mw_session *s, uint32_t type, uint32_t *probe_id)
{
	struct mapwatch_kprobe arg = { .size = sizeof(arg), .type = type };

	if (ioctl(s->fd, MAPWATCH_IOC_KPROBE_ATTACH, &arg) == 0) {
		if (probe_id)
			*probe_id = arg.probe_id;
		return 0;
	}
	if (errno == ENOSPC)
		return mw_probes_full(s);
	if (errno == EPERM)
		return mw_fail(EPERM, "attaching a probe needs CAP_PERFMON or CAP_SYS_ADMIN");
	return mw_fail(errno, "kprobe attach: %s", strerror(errno));
}

int mw_uprobe_attach(struct mw_session *s, int fd, uint64_t offset, uint64_t ref_ctr_offset,
		     const struct mapwatch_fetch_op *ops, uint32_t nr_ops, uint32_t flags,
		     uint32_t *probe_id)
{
	struct mapwatch_uprobe arg = {
		.size = sizeof(arg),
		.flags = flags,
		.fd = fd,
		.nr_ops = nr_ops,
		.offset = offset,
		.ref_ctr_offset = ref_ctr_offset,
		.ops = (uintptr_t)ops,
		.bad_op = MAPWATCH_ALL_OPS_VALID,
	};

	if (ioctl(s->fd, MAPWATCH_IOC_UPROBE_ATTACH, &arg) == 0) {
		if (probe_id)
			*probe_id = arg.probe_id;
		return 0;
	}
	switch (errno) {
	case EINVAL:
		if (arg.bad_op != MAPWATCH_ALL_OPS_VALID && arg.bad_op < nr_ops)
			return mw_fail(EINVAL, "uprobe at offset %#llx: fetch op %u is invalid",
				       (unsigned long long)offset, arg.bad_op);
		return mw_fail(EINVAL, "uprobe at offset %#llx: invalid (offset beyond the file, not a regular file, or payload above %u bytes)",
			       (unsigned long long)offset, s->api.max_payload);
	case EPERM:
		if (flags & MAPWATCH_UPROBE_ALL_PROCESSES)
			return mw_fail(EPERM, "tracing every process running a binary needs"
				       " CAP_SYS_ADMIN");
		return mw_fail(EPERM, "attaching a probe needs CAP_PERFMON or CAP_SYS_ADMIN");
	case ENOSPC:
		return mw_probes_full(s);
	default:
		return mw_fail(errno, "uprobe at offset %#llx: %s", (unsigned long long)offset,
			       strerror(errno));
	}
}

int mw_detach(struct mw_session *s, uint32_t probe_id)
{
	struct mapwatch_detach arg = { .size = sizeof(arg), .probe_id = probe_id };

	return mw_ioctl(s, MAPWATCH_IOC_DETACH, &arg, "detach");
}

int mw_detach_ids(struct mw_session *s, const uint32_t *ids, uint32_t nr, uint32_t *done)
{
	struct mapwatch_detach arg = {
		.size = sizeof(arg), .nr_ids = nr, .ids = (uintptr_t)ids,
	};
	int ret = 0;

	*done = 0;
	if (!nr)
		return 0;
	if (s->api.abi_major > 1 || s->api.abi_minor >= 5) {
		ret = mw_ioctl(s, MAPWATCH_IOC_DETACH, &arg, "detach");
		if (!ret)
			*done = nr;
		return ret;
	}
	/* Before ABI 1.5: one by one, each waiting for its handlers. */
	while (*done < nr && !(ret = mw_detach(s, ids[*done])))
		(*done)++;
	return ret;
}

int mw_counters(struct mw_session *s, uint32_t cpu, struct mapwatch_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->cpu = cpu;
	return mw_ioctl(s, MAPWATCH_IOC_COUNTERS, c, "counters");
}

int mw_probe_counters(struct mw_session *s, uint32_t probe_id, struct mapwatch_probe_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->probe_id = probe_id;
	return mw_ioctl(s, MAPWATCH_IOC_PROBE_COUNTERS, c, "probe counters");
}

long mw_drain(struct mw_session *s, mw_record_fn fn, void *ctx)
{
	long count = 0;
	unsigned int i;

	for (i = 0; i < s->nr_cpus; i++) {
		struct mw_cpu_ring *r = &s->cpu[i];
		const struct mapwatch_rec_hdr *hdr;
		u64 pos, end;
		int stop = 0;
		u32 sz;

		if (!r->cons)
			continue;
		/* Pairs with the producer's smp_store_release() at commit. */
		end = smp_load_acquire(&r->prod->prod_pos);
		pos = mapwatch_ring_read_start(r->prod, READ_ONCE(r->cons->cons_pos));
		while (!stop && (hdr = mapwatch_ring_next(r->data, r->data_size, &pos, end, &sz))) {
			if (hdr == MAPWATCH_ERR_REC)
				return mw_fail(EIO, "cpu %u: inconsistent record stream at %llu",
					       i, (unsigned long long)pos);
			stop = fn(ctx, i, hdr);
			pos += sz;
			count++;
		}
		/* Pairs with the producer's smp_load_acquire() of cons_pos. */
		smp_store_release(&r->cons->cons_pos, pos);
		if (stop)
			break;
	}
	return count;
}

int mw_wait(struct mw_session *s, int timeout_ms)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return mw_fail(errno, "poll: %s", strerror(errno));
	return n;
}

void mw_close(struct mw_session *s)
{
	mw_unmap(s);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
