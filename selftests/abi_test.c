// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/abi_test.c - mapwatch ABI test: bad input.
 *
 * Every ioctl, mmap() and read() is fed what the header forbids and must
 * answer with the documented errno; after each case the session must still
 * work: an event made afterwards arrives as exactly one record.  Built for
 * 64-bit and, as abi_test_32, for 32-bit userspace (compat_ioctl).
 */
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "mapwatch_test.h"

/* A session and what the proof that it still works has set up in it. */
struct session {
	int fd;			/* -1: not open */
	int configured;		/* RING_CONFIG done */
	uint32_t probe_id;	/* 0: getpriority kprobe not attached */
	uint32_t uprobe_id;	/* 0: no uprobe attached by valid_arg() */
	uint64_t stride;
	int seq;		/* "who" of the next proof event */
};

/* The running kernel's major version (uname -r). */
static int kernel_major(void)
{
	struct utsname u;

	return uname(&u) ? -1 : atoi(u.release);
}

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* The ioctl number @cmd would have for a structure of @size bytes. */
static unsigned long ioc_resize(unsigned long cmd, size_t size)
{
	return (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       ((unsigned long)size << _IOC_SIZESHIFT);
}

#if defined(__i386__) || defined(__arm__)
/* The helper mwt_trigger's path: next to this program; 0 or -1. */
static int helper_path(char *path, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", path, len - sizeof("mwt_trigger"));

	if (n < 0)
		return -1;
	path[n] = '\0';
	strcpy(strrchr(path, '/') + 1, "mwt_trigger");
	return 0;
}

/*
 * Run mwt_trigger (64-bit) in a child that waits for @gate, making events
 * @who .. @who + @count - 1; its pid, or -1.
 */
static pid_t spawn_trigger(int who, int count, int gate)
{
	char path[PATH_MAX], first[16], nr[16];
	pid_t pid;
	char go;

	if (helper_path(path, sizeof(path)))
		return -1;
	snprintf(first, sizeof(first), "%d", who);
	snprintf(nr, sizeof(nr), "%d", count);
	pid = fork();
	if (pid == 0) {
		if (read(gate, &go, 1) != 1)
			_exit(3);
		execl(path, "mwt_trigger", first, nr, (char *)NULL);
		_exit(4);
	}
	return pid;
}

/*
 * mwt_trigger run as a traced process of @s (enabled while it runs); its
 * pid, untraced again, after it exited 0.
 */
static void run_trigger_traced(struct __test_metadata *_metadata, struct session *s, int who,
			       int count, uint32_t *tgid)
{
	siginfo_t info;
	int gate[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(gate));
	pid = spawn_trigger(who, count, gate[0]);
	ASSERT_LT(0, pid);
	close(gate[0]);
	ASSERT_EQ(0, mwt_pid(s->fd, MAPWATCH_PID_ADD, pid));
	ASSERT_EQ(0, mwt_enable(s->fd));
	ASSERT_EQ(1, write(gate[1], "g", 1));
	close(gate[1]);
	/* Untrace the helper while it is a zombie: its pid still names it. */
	ASSERT_EQ(0, waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
	ASSERT_EQ(0, mwt_disable(s->fd));
	ASSERT_EQ(0, mwt_pid(s->fd, MAPWATCH_PID_DEL, pid));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_EQ(CLD_EXITED, info.si_code);
	ASSERT_EQ(0, info.si_status);
	*tgid = pid;
}
#endif

#ifdef __arm__
/*
 * An arm64 kernel probes no AArch32 code (its arch_uprobe_analyze_insn()
 * refuses a 32-bit mm), and takes 4-byte-aligned offsets only, which a
 * Thumb function's is not.  The 32-bit build there probes the 64-bit
 * helper's trigger_probed() instead, as a 32-bit tool tracing a 64-bit
 * program would; the helper says where it is (mwt_trigger --offset).
 */
static int probed_binary(int *fd, uint64_t *offset)
{
	static int bin = -1;
	static uint64_t off;
	char path[PATH_MAX], cmd[PATH_MAX + 16];
	unsigned long long o;
	FILE *p;
	int ok;

	if (bin < 0) {
		if (helper_path(path, sizeof(path)))
			return -1;
		snprintf(cmd, sizeof(cmd), "'%s' --offset", path);
		p = popen(cmd, "r");
		if (!p)
			return -1;
		ok = fscanf(p, "%llu", &o) == 1;
		if (pclose(p) || !ok)
			return -1;
		bin = open(path, O_RDONLY | O_CLOEXEC);
		if (bin < 0)
			return -1;
		off = o;
	}
	*fd = bin;
	*offset = off;
	return 0;
}

/* The probed code runs in a traced process of @s. */
static void run_probed(struct __test_metadata *_metadata, struct session *s)
{
	uint32_t tgid;

	run_trigger_traced(_metadata, s, 0, 0, &tgid);
}
#else
/* What the uprobe cases probe: a function of this binary. */
__attribute__((noinline, used)) int abi_probed(int x)
{
	__asm__ __volatile__("" : "+r"(x) : : "memory");
	return x + 1;
}

static int (*volatile probed)(int) = abi_probed;

/* This binary open O_RDONLY, and abi_probed()'s offset in it; 0 or -1. */
static int probed_binary(int *fd, uint64_t *offset)
{
	static int bin = -1;
	static uint64_t off;

	if (bin < 0) {
		if (mwt_file_offset((const void *)abi_probed, &off, NULL, 0))
			return -1;
		bin = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		if (bin < 0)
			return -1;
	}
	*fd = bin;
	*offset = off;
	return 0;
}

/* The probed function runs in a traced process of @s, untraced again after. */
static void run_probed(struct __test_metadata *_metadata, struct session *s)
{
	ASSERT_EQ(0, mwt_pid(s->fd, MAPWATCH_PID_ADD, getpid()));
	ASSERT_EQ(0, mwt_enable(s->fd));
	ASSERT_EQ(8, probed(7));
	ASSERT_EQ(0, mwt_disable(s->fd));
	ASSERT_EQ(0, mwt_pid(s->fd, MAPWATCH_PID_DEL, getpid()));
}
#endif

/* A valid uprobe argument (above), no program. */
static void uprobe_arg(struct __test_metadata *_metadata, struct mapwatch_uprobe *up)
{
	uint64_t off;
	int bin;

	ASSERT_EQ(0, probed_binary(&bin, &off));
	memset(up, 0, sizeof(*up));
	up->size = sizeof(*up);
	up->fd = bin;
	up->offset = off;
}

static unsigned int possible_cpus(void)
{
	struct mapwatch_api api;
	int fd = mwt_open();

	if (fd < 0 || mwt_api(fd, MAPWATCH_ABI_MAJOR, &api))
		return 0;
	close(fd);
	return api.nr_cpus;
}

#ifdef __i386__
/*
 * A 32-bit task's getpriority() enters through the compat syscall table,
 * which the module does not probe: a 64-bit helper makes the event.  (An
 * arm64 kernel's compat table calls the same entry as a 64-bit task's.)
 */
static void make_proof_event(struct __test_metadata *_metadata, struct session *s, int who,
			     uint32_t *tgid)
{
	run_trigger_traced(_metadata, s, who, 1, tgid);
}
#else
static void make_proof_event(struct __test_metadata *_metadata, struct session *s, int who,
			     uint32_t *tgid)
{
	if (mwt_pid(s->fd, MAPWATCH_PID_ADD, getpid()))
		ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(0, mwt_enable(s->fd));
	mwt_event(who);
	ASSERT_EQ(0, mwt_disable(s->fd));
	*tgid = getpid();
}
#endif

/*
 * The session still works: after a (repeated) handshake, configuring and
 * attaching if the test has not, one event made now is read back as
 * exactly one record with the right payload.
 */
static void assert_session_works(struct __test_metadata *_metadata, struct session *s)
{
	struct mwt_recs rs = {};
	uint32_t tgid;
	int who;

	ASSERT_EQ(0, mwt_handshake(s->fd));
	if (!s->configured) {
		ASSERT_EQ(0, mwt_ring_config(s->fd, 4, 0, 0, 0, &s->stride));
		s->configured = 1;
	}
	if (!s->probe_id)
		ASSERT_EQ(0, mwt_attach(s->fd, MAPWATCH_KPROBE_GETPRIORITY, &s->probe_id));
	/* Whatever the test left unread goes first. */
	mwt_disable(s->fd);
	ASSERT_EQ(0, mwt_read_all(s->fd, &rs));
	mwt_recs_free(&rs);

	who = 0x4000 + s->seq++;
	make_proof_event(_metadata, s, who, &tgid);
	ASSERT_EQ(0, mwt_read_all(s->fd, &rs));
	ASSERT_EQ(1, rs.nr);
	ASSERT_EQ(MAPWATCH_REC_EVENT, rs.r[0].type);
	ASSERT_EQ(MWT_EVENT_SIZE, rs.r[0].size);
	ASSERT_EQ(s->probe_id, rs.r[0].probe_id);
	ASSERT_EQ(tgid, rs.r[0].tgid);
	ASSERT_EQ(MWT_WHICH, rs.r[0].which);
	ASSERT_EQ(who, rs.r[0].who);
	mwt_recs_free(&rs);
}

static void session_close(struct session *s)
{
	if (s->fd != -1)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/* A new session in place of @s, handshake done if @handshake. */
static int session_reopen(struct session *s, int handshake)
{
	session_close(s);
	s->fd = mwt_open();
	if (s->fd < 0 || !handshake)
		return s->fd < 0 ? -1 : 0;
	return mwt_handshake(s->fd);
}

/* ------------------------------------------------------------------------ */
/* Before and at the handshake.                                              */

FIXTURE(handshake) {
	struct session s;
};

FIXTURE_SETUP(handshake)
{
	self->s.fd = -1;
	ASSERT_EQ(0, session_reopen(&self->s, 0));
}

FIXTURE_TEARDOWN(handshake)
{
	session_close(&self->s);
}

TEST_F(handshake, ioctls_before_the_handshake_are_einval)
{
	struct mapwatch_ring_config cfg = { .size = sizeof(cfg), .data_pages = 1 };
	struct mapwatch_counters c = { .size = sizeof(c), .cpu = MAPWATCH_ALL_CPUS };
	struct mapwatch_pid pid = { .size = sizeof(pid), .op = MAPWATCH_PID_ADD, .pid = getpid() };
	struct mapwatch_kprobe kp = { .size = sizeof(kp), .type = MAPWATCH_KPROBE_GETPRIORITY };
	struct mapwatch_detach det = { .size = sizeof(det), .probe_id = 1 };
	struct mapwatch_probe_counters pc = { .size = sizeof(pc), .probe_id = 1 };
	struct mapwatch_uprobe up;
	int fd = self->s.fd;

	uprobe_arg(_metadata, &up);

	/* Every ioctl but the handshake waits for it. */
	ASSERT_EQ(-1, ioctl(fd, MAPWATCH_IOC_RING_CONFIG, &cfg));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(fd, MAPWATCH_IOC_ENABLE));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(fd, MAPWATCH_IOC_DISABLE));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(fd, MAPWATCH_IOC_COUNTERS, &c));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(fd, MAPWATCH_IOC_PID, &pid));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(fd, MAPWATCH_IOC_KPROBE_ATTACH, &kp));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(fd, MAPWATCH_IOC_DETACH, &det));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(fd, MAPWATCH_IOC_PROBE_COUNTERS, &pc));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, ioctl(fd, MAPWATCH_IOC_UPROBE_ATTACH, &up));
	ASSERT_EQ(EINVAL, errno);

	/* Nothing was configured by the refused calls. */
	assert_session_works(_metadata, &self->s);
}

TEST_F(handshake, reports_the_module)
{
	struct mapwatch_api api;

	ASSERT_EQ(0, mwt_api(self->s.fd, MAPWATCH_ABI_MAJOR, &api));
	/* The reply is the whole structure, the module's version of it. */
	ASSERT_EQ(MAPWATCH_API_SIZE_VER0, api.size);
	ASSERT_EQ(MAPWATCH_ABI_MAJOR, api.abi_major);
	ASSERT_EQ(MAPWATCH_ABI_MINOR, api.abi_minor);
	ASSERT_EQ(0, api.flags);
	/*
	 * x86-64 kernels have the uprobe fetch registers (ABI 1.1); 1.3:
	 * mem_fd; 1.4: the genl events group on every kernel of the bench
	 * (GENL_MCAST_CAP_SYS_ADMIN), dumpability where the kernel shows it
	 * to a module (before 7.0).
	 */
	ASSERT_EQ(MAPWATCH_FEAT_RING_OVERWRITE | MAPWATCH_FEAT_READ | MAPWATCH_FEAT_UPROBE |
		  MAPWATCH_FEAT_PID_MEM_FD | MAPWATCH_FEAT_GENL_EVENTS |
		  (kernel_major() < 7 ? MAPWATCH_FEAT_DUMPABLE : 0), api.features);
	/* getpriority and, ABI 1.2, madvise, munmap, mmap and exit. */
	ASSERT_EQ((1ULL << MAPWATCH_KPROBE_MAX) - 2, api.kprobes);
	/* One ring slot per possible CPU id; this process runs on one of them. */
	ASSERT_LE((unsigned int)sysconf(_SC_NPROCESSORS_ONLN), api.nr_cpus);
	ASSERT_LT((unsigned int)sched_getcpu(), api.nr_cpus);
	ASSERT_EQ(page_size(), api.page_size);
	ASSERT_EQ(MAPWATCH_MAX_RING_PAGES, api.max_ring_pages);
	ASSERT_EQ(MAPWATCH_MAX_PIDS, api.max_pids);
	ASSERT_EQ(MAPWATCH_MAX_PAYLOAD, api.max_payload);
	ASSERT_EQ(MAPWATCH_MAX_PROBES, api.max_probes);
	/* A NUL-terminated, non-empty version string. */
	ASSERT_NE(NULL, memchr(api.version, '\0', sizeof(api.version)));
	ASSERT_LT(0, strlen(api.version));
}

TEST_F(handshake, wrong_abi_major_is_eproto)
{
	static const uint32_t majors[] = { 0, MAPWATCH_ABI_MAJOR + 1, 0xffffffff };
	struct mapwatch_api api;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(majors); i++) {
		/* Refused, with the module's version written back. */
		ASSERT_EQ(-1, mwt_api(self->s.fd, majors[i], &api));
		ASSERT_EQ(EPROTO, errno);
		ASSERT_EQ(MAPWATCH_ABI_MAJOR, api.abi_major);
		ASSERT_EQ(MAPWATCH_ABI_MINOR, api.abi_minor);
		ASSERT_EQ(MAPWATCH_API_SIZE_VER0, api.size);
		ASSERT_EQ(page_size(), api.page_size);
		ASSERT_LT(0, strlen(api.version));
	}
	/* The session still waits for a handshake it can accept. */
	ASSERT_EQ(-1, mwt_ring_config(self->s.fd, 1, 0, 0, 0, NULL));
	ASSERT_EQ(EINVAL, errno);

	assert_session_works(_metadata, &self->s);
}

TEST_F(handshake, can_be_repeated_and_changes_nothing)
{
	struct mapwatch_api api;

	ASSERT_EQ(0, mwt_handshake(self->s.fd));
	ASSERT_EQ(0, mwt_ring_config(self->s.fd, 2, 0, 0, 0, &self->s.stride));
	self->s.configured = 1;
	/* Again after configuring: accepted, the rings stay as they were. */
	ASSERT_EQ(0, mwt_api(self->s.fd, MAPWATCH_ABI_MAJOR, &api));
	ASSERT_EQ(-1, mwt_ring_config(self->s.fd, 2, 0, 0, 0, NULL));
	ASSERT_EQ(EBUSY, errno);
	/* A wrong major later does not undo the handshake. */
	ASSERT_EQ(-1, mwt_api(self->s.fd, 0, &api));
	ASSERT_EQ(EPROTO, errno);
	ASSERT_EQ(0, mwt_enable(self->s.fd));
	ASSERT_EQ(0, mwt_disable(self->s.fd));

	assert_session_works(_metadata, &self->s);
}

TEST_F(handshake, mmap_and_read_before_ring_config_fail)
{
	char buf[256];

	/* mmap before RING_CONFIG: ENODEV, also before the handshake. */
	ASSERT_EQ(MAP_FAILED, mmap(NULL, page_size(), PROT_READ, MAP_SHARED, self->s.fd, 0));
	ASSERT_EQ(ENODEV, errno);
	/* read() with no rings: EINVAL. */
	ASSERT_EQ(-1, read(self->s.fd, buf, sizeof(buf)));
	ASSERT_EQ(EINVAL, errno);

	ASSERT_EQ(0, mwt_handshake(self->s.fd));
	ASSERT_EQ(MAP_FAILED, mmap(NULL, page_size(), PROT_READ, MAP_SHARED, self->s.fd, 0));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(-1, read(self->s.fd, buf, sizeof(buf)));
	ASSERT_EQ(EINVAL, errno);

	assert_session_works(_metadata, &self->s);
}

/* ------------------------------------------------------------------------ */
/* After the handshake.                                                      */

FIXTURE(abi) {
	struct session s;
	void *map;		/* a mapping the test made, or MAP_FAILED */
	size_t map_len;
};

FIXTURE_SETUP(abi)
{
	self->s.fd = -1;
	self->map = MAP_FAILED;
	ASSERT_EQ(0, session_reopen(&self->s, 1));
}

FIXTURE_TEARDOWN(abi)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, self->map_len);
	session_close(&self->s);
}

static void configure(struct __test_metadata *_metadata, struct session *s, uint32_t pages)
{
	ASSERT_EQ(0, mwt_ring_config(s->fd, pages, 0, 0, 0, &s->stride));
	s->configured = 1;
}

static void attach(struct __test_metadata *_metadata, struct session *s)
{
	ASSERT_EQ(0, mwt_attach(s->fd, MAPWATCH_KPROBE_GETPRIORITY, &s->probe_id));
}

/*
 * Each ioctl that takes a structure, and how to make a valid argument for
 * it in @s (configuring or attaching first when the ioctl needs it).
 */
struct ioc {
	const char *name;
	unsigned long cmd;
	uint32_t ver0;		/* the smallest size accepted */
	uint32_t known;		/* this ABI's size: the module reads and writes no more */
	int writes_back;
};

#define IOC(name, ver0, type, writes_back) \
	{ #name, MAPWATCH_IOC_##name, ver0, sizeof(struct type), writes_back }

static const struct ioc iocs[] = {
	IOC(API, MAPWATCH_API_SIZE_VER0, mapwatch_api, 1),
	IOC(RING_CONFIG, MAPWATCH_RING_CONFIG_SIZE_VER0, mapwatch_ring_config, 1),
	IOC(COUNTERS, MAPWATCH_COUNTERS_SIZE_VER0, mapwatch_counters, 1),
	/* ABI 1.3 added mem_fd */
	IOC(PID, MAPWATCH_PID_SIZE_VER0, mapwatch_pid, 0),
	IOC(KPROBE_ATTACH, MAPWATCH_KPROBE_SIZE_VER0, mapwatch_kprobe, 1),
	IOC(DETACH, MAPWATCH_DETACH_SIZE_VER0, mapwatch_detach, 0),
	/* ABI 1.2 added "missed" */
	IOC(PROBE_COUNTERS, MAPWATCH_PROBE_COUNTERS_SIZE_VER0, mapwatch_probe_counters, 1),
	IOC(UPROBE_ATTACH, MAPWATCH_UPROBE_SIZE_VER0, mapwatch_uprobe, 1),
};
#define NR_IOCS	(ARRAY_SIZE(iocs))

/*
 * Fill @buf with a valid argument of @ioc for session @s, whose state is
 * prepared so that the call can succeed.  The size field is left to the
 * caller.
 */
static void valid_arg(struct __test_metadata *_metadata, struct session *s,
		      const struct ioc *ioc, void *buf)
{
	memset(buf, 0, ioc->ver0);
	switch (ioc->cmd) {
	case MAPWATCH_IOC_API:
		((struct mapwatch_api *)buf)->abi_major = MAPWATCH_ABI_MAJOR;
		break;
	case MAPWATCH_IOC_RING_CONFIG:
		/* Once per session: a new one each time. */
		ASSERT_EQ(0, session_reopen(s, 1));
		((struct mapwatch_ring_config *)buf)->data_pages = 1;
		break;
	case MAPWATCH_IOC_COUNTERS:
		if (!s->configured)
			configure(_metadata, s, 1);
		((struct mapwatch_counters *)buf)->cpu = MAPWATCH_ALL_CPUS;
		break;
	case MAPWATCH_IOC_PID:
		/* Adding ourselves must be new each time. */
		ASSERT_EQ(0, mwt_pid(s->fd, MAPWATCH_PID_CLEAR, 0));
		((struct mapwatch_pid *)buf)->op = MAPWATCH_PID_ADD;
		((struct mapwatch_pid *)buf)->pid = getpid();
		break;
	case MAPWATCH_IOC_KPROBE_ATTACH:
		/* Attaching must be new each time. */
		if (s->probe_id)
			ASSERT_EQ(0, mwt_detach(s->fd, s->probe_id));
		s->probe_id = 0;
		((struct mapwatch_kprobe *)buf)->type = MAPWATCH_KPROBE_GETPRIORITY;
		break;
	case MAPWATCH_IOC_DETACH:
		if (!s->probe_id)
			attach(_metadata, s);
		((struct mapwatch_detach *)buf)->probe_id = s->probe_id;
		break;
	case MAPWATCH_IOC_PROBE_COUNTERS:
		if (!s->probe_id)
			attach(_metadata, s);
		((struct mapwatch_probe_counters *)buf)->probe_id = s->probe_id;
		break;
	case MAPWATCH_IOC_UPROBE_ATTACH:
		/* One at a time: the previous case's probe goes first. */
		if (s->uprobe_id)
			ASSERT_EQ(0, mwt_detach(s->fd, s->uprobe_id));
		s->uprobe_id = 0;
		uprobe_arg(_metadata, buf);
		break;
	}
}

/* What a successful call did to @s. */
static void after_success(struct session *s, const struct ioc *ioc, const void *buf)
{
	switch (ioc->cmd) {
	case MAPWATCH_IOC_RING_CONFIG:
		s->configured = 1;
		s->stride = ((const struct mapwatch_ring_config *)buf)->mmap_stride;
		break;
	case MAPWATCH_IOC_KPROBE_ATTACH:
		s->probe_id = ((const struct mapwatch_kprobe *)buf)->probe_id;
		break;
	case MAPWATCH_IOC_DETACH:
		s->probe_id = 0;
		break;
	case MAPWATCH_IOC_UPROBE_ATTACH:
		s->uprobe_id = ((const struct mapwatch_uprobe *)buf)->probe_id;
		break;
	}
}

/* Two pages, so a structure may be a page long. */
static uint8_t argbuf[2 * 65536] __attribute__((aligned(65536)));

static int call(struct session *s, const struct ioc *ioc, uint32_t size)
{
	*(uint32_t *)argbuf = size;
	return ioctl(s->fd, ioc_resize(ioc->cmd, size), argbuf);
}

TEST_F(abi, size_below_version0_is_einval)
{
	size_t i, j;

	for (i = 0; i < NR_IOCS; i++) {
		const struct ioc *ioc = &iocs[i];
		const uint32_t sizes[] = { 0, 4, ioc->ver0 / 2, ioc->ver0 - 4, ioc->ver0 - 1 };

		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			valid_arg(_metadata, &self->s, ioc, argbuf);
			ASSERT_EQ(-1, call(&self->s, ioc, sizes[j]))
				TH_LOG("%s size %u", ioc->name, sizes[j]);
			ASSERT_EQ(EINVAL, errno) TH_LOG("%s size %u", ioc->name, sizes[j]);
		}
	}
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, size_above_with_nonzero_tail_is_e2big)
{
	size_t i, j;

	for (i = 0; i < NR_IOCS; i++) {
		const struct ioc *ioc = &iocs[i];
		/* (extra bytes, which of them is not zero) */
		const uint32_t cases[][2] = { { 1, 0 }, { 8, 0 }, { 8, 7 }, { 64, 63 } };

		for (j = 0; j < ARRAY_SIZE(cases); j++) {
			uint32_t size = ioc->known + cases[j][0];

			valid_arg(_metadata, &self->s, ioc, argbuf);
			memset(argbuf + ioc->known, 0, cases[j][0]);
			argbuf[ioc->known + cases[j][1]] = 0x5a;
			ASSERT_EQ(-1, call(&self->s, ioc, size))
				TH_LOG("%s size %u", ioc->name, size);
			ASSERT_EQ(E2BIG, errno) TH_LOG("%s size %u", ioc->name, size);
		}
	}
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, size_above_with_zero_tail_is_accepted)
{
	size_t i, j, k;

	for (i = 0; i < NR_IOCS; i++) {
		const struct ioc *ioc = &iocs[i];
		const uint32_t sizes[] = { ioc->known + 1, ioc->known + 8, ioc->known + 64,
					   page_size() };

		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			valid_arg(_metadata, &self->s, ioc, argbuf);
			memset(argbuf + ioc->ver0, 0, sizes[j] - ioc->ver0);
			ASSERT_EQ(0, call(&self->s, ioc, sizes[j]))
				TH_LOG("%s size %u: %s", ioc->name, sizes[j], strerror(errno));
			after_success(&self->s, ioc, argbuf);
			/* The reply says how much of it the module knew... */
			if (ioc->writes_back)
				ASSERT_EQ(ioc->known, *(uint32_t *)argbuf) TH_LOG("%s", ioc->name);
			/* ...and writes nothing beyond what it knew. */
			for (k = ioc->known; k < sizes[j]; k++)
				ASSERT_EQ(0, argbuf[k]) TH_LOG("%s: byte %zu", ioc->name, k);
		}
	}
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, size_above_a_page_is_e2big)
{
	size_t i;

	/* The module reads at most a page, whatever the tail holds. */
	for (i = 0; i < NR_IOCS; i++) {
		const struct ioc *ioc = &iocs[i];
		uint32_t size = page_size() + 8;

		valid_arg(_metadata, &self->s, ioc, argbuf);
		memset(argbuf + ioc->ver0, 0, size - ioc->ver0);
		ASSERT_EQ(-1, call(&self->s, ioc, size)) TH_LOG("%s", ioc->name);
		ASSERT_EQ(E2BIG, errno) TH_LOG("%s", ioc->name);
	}
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, unknown_flags_are_einval)
{
	struct mapwatch_api api = { .size = sizeof(api), .abi_major = MAPWATCH_ABI_MAJOR };
	struct mapwatch_ring_config cfg = { .size = sizeof(cfg), .data_pages = 1 };
	struct mapwatch_pid pid = { .size = sizeof(pid), .op = MAPWATCH_PID_ADD, .pid = getpid() };
	struct mapwatch_kprobe kp = { .size = sizeof(kp), .type = MAPWATCH_KPROBE_GETPRIORITY };
	struct mapwatch_uprobe up;
	int bit;

	uprobe_arg(_metadata, &up);
	for (bit = 0; bit < 32; bit++) {
		/* The handshake takes no flags at all. */
		api.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_API, &api)) TH_LOG("bit %d", bit);
		ASSERT_EQ(EINVAL, errno);
		/* Rings: only MAPWATCH_RING_FLAG_MASK. */
		if (!(MAPWATCH_RING_FLAG_MASK & (1U << bit))) {
			cfg.flags = 1U << bit;
			ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_RING_CONFIG, &cfg))
				TH_LOG("bit %d", bit);
			ASSERT_EQ(EINVAL, errno);
		}
		pid.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_PID, &pid)) TH_LOG("bit %d", bit);
		ASSERT_EQ(EINVAL, errno);
		kp.flags = 1U << bit;
		ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_KPROBE_ATTACH, &kp))
			TH_LOG("bit %d", bit);
		ASSERT_EQ(EINVAL, errno);
		/* Uprobes: only MAPWATCH_UPROBE_FLAG_MASK. */
		if (!(MAPWATCH_UPROBE_FLAG_MASK & (1U << bit))) {
			up.flags = 1U << bit;
			ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_UPROBE_ATTACH, &up))
				TH_LOG("bit %d", bit);
			ASSERT_EQ(EINVAL, errno);
		}
	}
	/* None of the refused calls configured, traced or attached anything. */
	ASSERT_EQ(-1, mwt_pid(self->s.fd, MAPWATCH_PID_DEL, getpid()));
	ASSERT_EQ(ENOENT, errno);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, reserved_fields_are_einval)
{
	struct mapwatch_api api = { .size = sizeof(api), .abi_major = MAPWATCH_ABI_MAJOR };
	struct mapwatch_ring_config cfg = { .size = sizeof(cfg), .data_pages = 1 };
	struct mapwatch_pid clear = { .size = sizeof(clear), .op = MAPWATCH_PID_CLEAR };
	struct mapwatch_uprobe up;

	/* API's old __reserved is max_probes since ABI 1.2: an out field. */
	api.max_probes = 1;
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_API, &api));
	ASSERT_EQ(MAPWATCH_MAX_PROBES, api.max_probes);
	cfg.__reserved = 1;
	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_RING_CONFIG, &cfg));
	ASSERT_EQ(EINVAL, errno);
	/* PID_CLEAR: "pid must be 0". */
	clear.pid = getpid();
	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_PID, &clear));
	ASSERT_EQ(EINVAL, errno);
	uprobe_arg(_metadata, &up);
	up.__reserved = 1;
	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_UPROBE_ATTACH, &up));
	ASSERT_EQ(EINVAL, errno);
	up.__reserved = 0x80000000;
	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_UPROBE_ATTACH, &up));
	ASSERT_EQ(EINVAL, errno);

	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, out_fields_are_ignored_on_input)
{
	struct mapwatch_api api = { .size = sizeof(api), .abi_major = MAPWATCH_ABI_MAJOR };
	struct mapwatch_ring_config cfg = { .size = sizeof(cfg), .data_pages = 2 };
	struct mapwatch_kprobe kp = { .size = sizeof(kp), .type = MAPWATCH_KPROBE_GETPRIORITY };
	struct mapwatch_counters c;
	struct mapwatch_probe_counters pc;
	struct mapwatch_uprobe up;

	/* A structure the module filled before can be passed in again. */
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_API, &api));
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_API, &api));

	cfg.mmap_stride = 12345;
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_RING_CONFIG, &cfg));
	ASSERT_EQ((2 + 2) * page_size(), cfg.mmap_stride);
	self->s.configured = 1;

	kp.probe_id = 77;
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_KPROBE_ATTACH, &kp));
	ASSERT_NE(0, kp.probe_id);
	self->s.probe_id = kp.probe_id;

	ASSERT_EQ(0, mwt_counters(self->s.fd, MAPWATCH_ALL_CPUS, &c));
	c.written = c.produced = c.wakeups = 99;
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_COUNTERS, &c));
	ASSERT_EQ(0, c.written);
	ASSERT_EQ(0, c.produced);

	ASSERT_EQ(0, mwt_probe_counters(self->s.fd, kp.probe_id, &pc));
	pc.hits = pc.filtered = pc.recorded = pc.faults = 99;
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_PROBE_COUNTERS, &pc));
	ASSERT_EQ(0, pc.recorded);
	ASSERT_EQ(0, pc.faults);

	uprobe_arg(_metadata, &up);
	up.probe_id = 77;
	up.payload_max = 99;
	up.bad_op = 5;
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_UPROBE_ATTACH, &up));
	ASSERT_NE(0, up.probe_id);
	ASSERT_NE(77, up.probe_id);
	ASSERT_NE(kp.probe_id, up.probe_id);
	ASSERT_EQ(0, up.payload_max);

	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, ring_sizes)
{
	static const struct { uint32_t pages; int err; } sizes[] = {
		{ 0, EINVAL },
		{ 1, 0 },
		{ 2, 0 },
		{ 3, EINVAL },
		{ 4, 0 },
		{ 6, EINVAL },
		{ 7, EINVAL },
		{ 12, EINVAL },
		{ 64, 0 },
		{ MAPWATCH_MAX_RING_PAGES - 1, EINVAL },
		{ MAPWATCH_MAX_RING_PAGES, 0 },
		{ MAPWATCH_MAX_RING_PAGES + 1, EINVAL },
		{ 2 * MAPWATCH_MAX_RING_PAGES, EINVAL },
		{ 0x80000000, EINVAL },
		{ 0xffffffff, EINVAL },
	};
	uint64_t stride;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ASSERT_EQ(0, session_reopen(&self->s, 1));
		if (sizes[i].err) {
			ASSERT_EQ(-1, mwt_ring_config(self->s.fd, sizes[i].pages, 0, 0, 0, NULL))
				TH_LOG("%u pages", sizes[i].pages);
			ASSERT_EQ(sizes[i].err, errno) TH_LOG("%u pages", sizes[i].pages);
			continue;
		}
		ASSERT_EQ(0, mwt_ring_config(self->s.fd, sizes[i].pages, 0, 0, 0, &stride))
			TH_LOG("%u pages: %s", sizes[i].pages, strerror(errno));
		/* Consumer page, producer page, data pages. */
		ASSERT_EQ((sizes[i].pages + 2ULL) * page_size(), stride);
	}
	ASSERT_EQ(0, session_reopen(&self->s, 1));
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, watermark_and_timer_limits)
{
	const uint32_t data_size = 4 * page_size();
	static const struct { uint32_t wm_minus_size; uint32_t timer; int err; } cases[] = {
		/* watermark relative to the data size (0: the data size) */
		{ 0, 0, 0 },
		{ 1, 0, EINVAL },
		{ 0, MAPWATCH_MAX_TIMER_MS, 0 },
		{ 0, MAPWATCH_MAX_TIMER_MS + 1, EINVAL },
		{ 0, 0xffffffff, EINVAL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, session_reopen(&self->s, 1));
		if (cases[i].err) {
			ASSERT_EQ(-1, mwt_ring_config(self->s.fd, 4, 0,
						      data_size + cases[i].wm_minus_size,
						      cases[i].timer, NULL)) TH_LOG("case %zu", i);
			ASSERT_EQ(cases[i].err, errno);
		} else {
			ASSERT_EQ(0, mwt_ring_config(self->s.fd, 4, 0,
						     data_size + cases[i].wm_minus_size,
						     cases[i].timer, NULL)) TH_LOG("case %zu", i);
		}
	}
	/* A watermark beyond 32 bits of data. */
	ASSERT_EQ(0, session_reopen(&self->s, 1));
	ASSERT_EQ(-1, mwt_ring_config(self->s.fd, 1, 0, 0xffffffff, 0, NULL));
	ASSERT_EQ(EINVAL, errno);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, ring_config_twice_is_ebusy)
{
	configure(_metadata, &self->s, 2);
	/* Same or different, a second configuration is refused. */
	ASSERT_EQ(-1, mwt_ring_config(self->s.fd, 2, 0, 0, 0, NULL));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(-1, mwt_ring_config(self->s.fd, 8, MAPWATCH_RING_OVERWRITE, 0, 0, NULL));
	ASSERT_EQ(EBUSY, errno);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, enable_and_counters_before_ring_config_are_enodev)
{
	struct mapwatch_counters c;

	ASSERT_EQ(-1, mwt_enable(self->s.fd));
	ASSERT_EQ(ENODEV, errno);
	ASSERT_EQ(-1, mwt_counters(self->s.fd, MAPWATCH_ALL_CPUS, &c));
	ASSERT_EQ(ENODEV, errno);
	/* Disabling a session that never ran is harmless. */
	ASSERT_EQ(0, mwt_disable(self->s.fd));
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, bad_pointers_are_efault)
{
	long page = page_size();
	uint8_t *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *unmapped;
	size_t i, j;

	ASSERT_NE(MAP_FAILED, pages);
	/* The second page is unmapped: a structure may run into it. */
	ASSERT_EQ(0, munmap(pages + page, page));
	unmapped = pages + page;
	configure(_metadata, &self->s, 1);
	attach(_metadata, &self->s);

	for (i = 0; i < NR_IOCS; i++) {
		const struct ioc *ioc = &iocs[i];
		void *straddle = pages + page - 4;
		void *bad[] = {
			NULL,
			(void *)1,
			unmapped,
			straddle,	/* size readable, the rest not */
#ifdef __x86_64__
			(void *)0xffffffff81000000UL,	/* kernel text */
#endif
		};

		*(uint32_t *)straddle = ioc->ver0;
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			ASSERT_EQ(-1, ioctl(self->s.fd, ioc->cmd, bad[j]))
				TH_LOG("%s, pointer %zu", ioc->name, j);
			ASSERT_EQ(EFAULT, errno) TH_LOG("%s, pointer %zu", ioc->name, j);
		}
	}
	munmap(pages, page);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, unwritable_reply_is_efault)
{
	long page = page_size();
	struct mapwatch_api *api;
	struct mapwatch_counters *c;
	struct mapwatch_probe_counters *pc;
	uint8_t *ro;

	configure(_metadata, &self->s, 1);
	attach(_metadata, &self->s);
	ro = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	api = (void *)ro;
	c = (void *)(ro + 128);
	pc = (void *)(ro + 256);
	api->size = sizeof(*api);
	api->abi_major = MAPWATCH_ABI_MAJOR;
	c->size = sizeof(*c);
	c->cpu = MAPWATCH_ALL_CPUS;
	pc->size = sizeof(*pc);
	pc->probe_id = self->s.probe_id;
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));

	/* Readable arguments whose reply cannot be written. */
	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_API, api));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_COUNTERS, c));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_PROBE_COUNTERS, pc));
	ASSERT_EQ(EFAULT, errno);
	munmap(ro, page);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, unwritable_reply_leaves_no_probe_behind)
{
	long page = page_size();
	struct mapwatch_kprobe *kp;
	uint8_t *ro;

	configure(_metadata, &self->s, 1);
	ro = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	kp = (void *)ro;
	kp->size = sizeof(*kp);
	kp->type = MAPWATCH_KPROBE_GETPRIORITY;
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));

	/* The caller never learns the id: the attach must not have happened. */
	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_KPROBE_ATTACH, kp));
	ASSERT_EQ(EFAULT, errno);
	/* So attaching again works (not EEXIST). */
	attach(_metadata, &self->s);
	munmap(ro, page);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, unwritable_ring_config_reply_leaves_no_rings)
{
	long page = page_size();
	struct mapwatch_ring_config *cfg;
	uint8_t *ro;

	ro = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	cfg = (void *)ro;
	cfg->size = sizeof(*cfg);
	cfg->data_pages = 1;
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));

	/* The caller never learns the stride: the rings must not exist. */
	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_RING_CONFIG, cfg));
	ASSERT_EQ(EFAULT, errno);
	munmap(ro, page);
	ASSERT_EQ(-1, mwt_enable(self->s.fd));
	ASSERT_EQ(ENODEV, errno);
	/* So configuring again works (not EBUSY). */
	configure(_metadata, &self->s, 1);
	ASSERT_EQ((uint64_t)3 * page, self->s.stride);
	attach(_metadata, &self->s);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, unwritable_uprobe_reply_leaves_no_probe_behind)
{
	long page = page_size();
	struct mapwatch_uprobe *up, good;
	struct mwt_recs rs = {};
	uint8_t *ro;

	configure(_metadata, &self->s, 1);
	ro = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	up = (void *)ro;
	uprobe_arg(_metadata, up);
	ASSERT_EQ(0, mprotect(ro, page, PROT_READ));

	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_UPROBE_ATTACH, up));
	ASSERT_EQ(EFAULT, errno);
	munmap(ro, page);
	/* The probed code runs in a traced process: nobody records it. */
	run_probed(_metadata, &self->s);
	ASSERT_EQ(0, mwt_read_all(self->s.fd, &rs));
	ASSERT_EQ(0, rs.nr);
	mwt_recs_free(&rs);
	/* Where a probe attached with a writable reply records that run once. */
	uprobe_arg(_metadata, &good);
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_UPROBE_ATTACH, &good));
	run_probed(_metadata, &self->s);
	ASSERT_EQ(0, mwt_read_all(self->s.fd, &rs));
	ASSERT_EQ(1, rs.nr);
	ASSERT_EQ(MAPWATCH_REC_EVENT, rs.r[0].type);
	ASSERT_EQ(good.probe_id, rs.r[0].probe_id);
	mwt_recs_free(&rs);
	ASSERT_EQ(0, mwt_detach(self->s.fd, good.probe_id));
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, counters_cpu_out_of_range_is_einval)
{
	struct mapwatch_counters c;
	unsigned int nr = possible_cpus();
	const uint32_t cpus[] = { nr, nr + 1, 0x10000, MAPWATCH_ALL_CPUS - 1 };
	size_t i;

	ASSERT_LT(0, nr);
	configure(_metadata, &self->s, 1);
	for (i = 0; i < ARRAY_SIZE(cpus); i++) {
		ASSERT_EQ(-1, mwt_counters(self->s.fd, cpus[i], &c)) TH_LOG("cpu %u", cpus[i]);
		ASSERT_EQ(EINVAL, errno);
	}
	/* The CPU this runs on and all of them are fine. */
	ASSERT_EQ(0, mwt_counters(self->s.fd, sched_getcpu(), &c));
	ASSERT_EQ(sched_getcpu(), (int)c.cpu);
	ASSERT_EQ(0, mwt_counters(self->s.fd, MAPWATCH_ALL_CPUS, &c));
	ASSERT_EQ(MAPWATCH_ALL_CPUS, c.cpu);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, writable_mmap_beyond_the_consumer_page_is_eperm)
{
	long page = page_size();
	uint64_t stride;
	size_t i;

	configure(_metadata, &self->s, 4);
	stride = self->s.stride;
	const struct { uint64_t off, len; } maps[] = {
		{ page, page },			/* producer page */
		{ 2 * page, page },		/* first data page */
		{ stride - page, page },	/* last data page */
		{ 0, 2 * page },		/* consumer + producer */
		{ page, stride - page },	/* producer + data */
		{ 0, stride },			/* the whole region */
	};

	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		void *p = mmap(NULL, maps[i].len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       self->s.fd, maps[i].off);

		ASSERT_EQ(MAP_FAILED, p) TH_LOG("case %zu", i);
		ASSERT_EQ(EPERM, errno) TH_LOG("case %zu", i);
	}
	/* Exactly the consumer page may be writable. */
	self->map_len = page;
	self->map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->s.fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, mprotect_cannot_make_ring_pages_writable)
{
	long page = page_size();
	uint64_t stride;
	size_t i;

	configure(_metadata, &self->s, 4);
	stride = self->s.stride;
	const struct { uint64_t off, len; } maps[] = {
		{ page, page },
		{ 2 * page, page },
		{ page, stride - page },
		{ 0, stride },
	};

	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		void *p = mmap(NULL, maps[i].len, PROT_READ, MAP_SHARED, self->s.fd,
			       maps[i].off);

		ASSERT_NE(MAP_FAILED, p) TH_LOG("case %zu", i);
		/* Read-only for good. */
		ASSERT_EQ(-1, mprotect(p, maps[i].len, PROT_READ | PROT_WRITE))
			TH_LOG("case %zu", i);
		ASSERT_EQ(EACCES, errno);
		munmap(p, maps[i].len);
	}
	/* The consumer page mapped read-only may become writable. */
	self->map_len = page;
	self->map = mmap(NULL, page, PROT_READ, MAP_SHARED, self->s.fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	ASSERT_EQ(0, mprotect(self->map, page, PROT_READ | PROT_WRITE));
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, mmap_beyond_a_cpu_region_is_einval)
{
	long page = page_size();
	unsigned int nr = possible_cpus();
	uint64_t stride;
	size_t i;

	ASSERT_LT(0, nr);
	configure(_metadata, &self->s, 4);
	stride = self->s.stride;
	const struct { uint64_t off, len; } maps[] = {
		{ 0, stride + page },			/* CPU 0 and into CPU 1 */
		{ stride - page, 2 * page },		/* last data page and beyond */
		{ 2 * page, stride },			/* data pages and beyond */
		{ (uint64_t)nr * stride, page },	/* no such CPU */
		{ (uint64_t)nr * stride + page, page },
		{ 1ULL << 40, page },
	};

	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		void *p = mmap(NULL, maps[i].len, PROT_READ, MAP_SHARED, self->s.fd,
			       maps[i].off);

		ASSERT_EQ(MAP_FAILED, p) TH_LOG("case %zu", i);
		ASSERT_EQ(EINVAL, errno) TH_LOG("case %zu", i);
	}
	/* The last CPU's whole region maps. */
	self->map_len = stride;
	self->map = mmap(NULL, stride, PROT_READ, MAP_SHARED, self->s.fd,
			 (uint64_t)(nr - 1) * stride);
	ASSERT_NE(MAP_FAILED, self->map);
	assert_session_works(_metadata, &self->s);
}

/* One event, unread, in the session's rings. */
static void one_event_pending(struct __test_metadata *_metadata, struct session *s)
{
	uint32_t tgid;

	if (!s->configured)
		configure(_metadata, s, 1);
	if (!s->probe_id)
		attach(_metadata, s);
	make_proof_event(_metadata, s, 7, &tgid);
}

TEST_F(abi, read_with_a_tiny_buffer_is_einval)
{
	uint8_t buf[MWT_EVENT_SIZE];
	const size_t sizes[] = { 0, 1, 8, sizeof(struct mapwatch_rec_hdr),
				 MWT_EVENT_SIZE - 8, MWT_EVENT_SIZE - 1 };
	size_t i;

	one_event_pending(_metadata, &self->s);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ASSERT_EQ(-1, read(self->s.fd, buf, sizes[i])) TH_LOG("%zu bytes", sizes[i]);
		ASSERT_EQ(EINVAL, errno) TH_LOG("%zu bytes", sizes[i]);
	}
	/* The record is still there, whole, for a buffer that fits it. */
	ASSERT_EQ(MWT_EVENT_SIZE, read(self->s.fd, buf, sizeof(buf)));
	ASSERT_EQ(MAPWATCH_REC_EVENT, ((struct mapwatch_rec_hdr *)buf)->type);
	ASSERT_EQ(7, ((struct mapwatch_kp_getpriority *)(buf + 32))->who);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, read_into_a_bad_buffer_is_efault)
{
	uint8_t buf[256];

	one_event_pending(_metadata, &self->s);
	/* Through syscall(): the compiler would refuse the bad buffers. */
	ASSERT_EQ(-1, syscall(SYS_read, self->s.fd, NULL, 4096));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, syscall(SYS_read, self->s.fd, 1, 4096));
	ASSERT_EQ(EFAULT, errno);
	/* Nothing was consumed by the failed reads. */
	ASSERT_EQ(MWT_EVENT_SIZE, read(self->s.fd, buf, sizeof(buf)));
	ASSERT_EQ(7, ((struct mapwatch_kp_getpriority *)(buf + 32))->who);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, bad_consumer_position_is_eio)
{
	struct mapwatch_ring_consumer *cons;
	const struct mapwatch_ring_producer *prod;
	long page = page_size();
	uint8_t buf[256];
	int cpu = sched_getcpu();
	uint64_t prod_pos;
	size_t i;

	ASSERT_EQ(0, mwt_pin(cpu));
	one_event_pending(_metadata, &self->s);
	self->map_len = 2 * page;
	self->map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, self->s.fd,
			 MAPWATCH_MMAP_CONSUMER(cpu, self->s.stride, page));
	ASSERT_NE(MAP_FAILED, self->map);
	prod = mmap(NULL, page, PROT_READ, MAP_SHARED, self->s.fd,
		    MAPWATCH_MMAP_PRODUCER(cpu, self->s.stride, page));
	ASSERT_NE(MAP_FAILED, prod);
	cons = self->map;
	prod_pos = prod->prod_pos;
	ASSERT_EQ(MWT_EVENT_SIZE, prod_pos);

	/* Positions that are not a record boundary before prod_pos. */
	const uint64_t bad[] = { 4, prod_pos + 8, prod_pos + 1, prod->data_size + prod_pos,
				 (uint64_t)-8 };
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		cons->cons_pos = bad[i];
		ASSERT_EQ(-1, read(self->s.fd, buf, sizeof(buf))) TH_LOG("cons_pos %llu",
									 (unsigned long long)bad[i]);
		ASSERT_EQ(EIO, errno);
	}
	/* A valid position again: the stream continues from there. */
	cons->cons_pos = 0;
	ASSERT_EQ(MWT_EVENT_SIZE, read(self->s.fd, buf, sizeof(buf)));
	ASSERT_EQ(prod_pos, cons->cons_pos);
	munmap((void *)prod, page);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, unknown_ioctls_are_enotty)
{
	struct termios t;
	char buf[64] = {};
	const unsigned long cmds[] = {
		_IO(MAPWATCH_IOC_MAGIC, 0x09),
		_IOWR(MAPWATCH_IOC_MAGIC, 0x11, struct mapwatch_uprobe),  /* reserved, 1.1 */
		_IOWR(MAPWATCH_IOC_MAGIC, 0x1f, struct mapwatch_kprobe),
		_IOW(MAPWATCH_IOC_MAGIC, 0xff, uint64_t),
		_IO(MAPWATCH_IOC_MAGIC + 1, 0x00),
		_IOWR('x', 0x06, struct mapwatch_kprobe),
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ASSERT_EQ(-1, ioctl(self->s.fd, cmds[i], buf)) TH_LOG("cmd %#lx", cmds[i]);
		ASSERT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
	/* Not a terminal either. */
	ASSERT_EQ(-1, tcgetattr(self->s.fd, &t));
	ASSERT_EQ(ENOTTY, errno);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, pid_errors)
{
	static const struct { uint32_t op; int32_t pid; int err; } cases[] = {
		{ MAPWATCH_PID_ADD, 0, EINVAL },
		{ MAPWATCH_PID_ADD, -1, EINVAL },
		{ MAPWATCH_PID_ADD, INT32_MIN, EINVAL },
		{ MAPWATCH_PID_DEL, 0, EINVAL },
		{ MAPWATCH_PID_DEL, -1, EINVAL },
		{ MAPWATCH_PID_CLEAR, 1, EINVAL },
		{ MAPWATCH_PID_CLEAR, -1, EINVAL },
		{ 0, 1, EINVAL },
		{ 4, 1, EINVAL },
		{ 0xffffffff, 1, EINVAL },
		/* pid_max is at most 4194304: these name no process. */
		{ MAPWATCH_PID_ADD, 4194305, ESRCH },
		{ MAPWATCH_PID_ADD, INT32_MAX, ESRCH },
		{ MAPWATCH_PID_DEL, INT32_MAX, ESRCH },
		/* Not traced yet. */
		{ MAPWATCH_PID_DEL, 1, ENOENT },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(-1, mwt_pid(self->s.fd, cases[i].op, cases[i].pid))
			TH_LOG("op %u pid %d", cases[i].op, cases[i].pid);
		ASSERT_EQ(cases[i].err, errno) TH_LOG("op %u pid %d", cases[i].op, cases[i].pid);
	}
	/* A duplicate, also when named by another thread of the group. */
	ASSERT_EQ(0, mwt_pid(self->s.fd, MAPWATCH_PID_ADD, getpid()));
	ASSERT_EQ(-1, mwt_pid(self->s.fd, MAPWATCH_PID_ADD, getpid()));
	ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(-1, mwt_pid(self->s.fd, MAPWATCH_PID_ADD, mwt_gettid()));
	ASSERT_EQ(EEXIST, errno);
	/* CLEAR of an empty set is fine, DEL after CLEAR is ENOENT. */
	ASSERT_EQ(0, mwt_pid(self->s.fd, MAPWATCH_PID_CLEAR, 0));
	ASSERT_EQ(0, mwt_pid(self->s.fd, MAPWATCH_PID_CLEAR, 0));
	ASSERT_EQ(-1, mwt_pid(self->s.fd, MAPWATCH_PID_DEL, getpid()));
	ASSERT_EQ(ENOENT, errno);
	assert_session_works(_metadata, &self->s);
}

/*
 * 65 forks and 64 ADDs, each waiting for an RCU grace period: in the debug
 * VM (KASAN under TCG) on a loaded host that took more than the harness's
 * default 30 s once.  The limit is a safety net, not a measure.
 */
TEST_F_TIMEOUT(abi, too_many_pids_is_enospc, 120)
{
	pid_t kids[MAPWATCH_MAX_PIDS + 1];
	int gate[2], i, nr = 0;

	ASSERT_EQ(0, pipe(gate));
	/* Processes that wait until the gate closes. */
	for (i = 0; i <= MAPWATCH_MAX_PIDS; i++) {
		char c;

		kids[i] = fork();
		if (kids[i] == 0) {
			close(gate[1]);
			_exit(read(gate[0], &c, 1) == 0 ? 0 : 1);
		}
		ASSERT_LT(0, kids[i]);
		nr++;
	}
	close(gate[0]);
	for (i = 0; i < MAPWATCH_MAX_PIDS; i++)
		ASSERT_EQ(0, mwt_pid(self->s.fd, MAPWATCH_PID_ADD, kids[i])) TH_LOG("pid %d", i);
	/* The 65th is refused, also for a process already traced... */
	ASSERT_EQ(-1, mwt_pid(self->s.fd, MAPWATCH_PID_ADD, kids[MAPWATCH_MAX_PIDS]));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(-1, mwt_pid(self->s.fd, MAPWATCH_PID_ADD, kids[0]));
	ASSERT_EQ(EEXIST, errno);
	/* ...until one leaves the set. */
	ASSERT_EQ(0, mwt_pid(self->s.fd, MAPWATCH_PID_DEL, kids[0]));
	ASSERT_EQ(0, mwt_pid(self->s.fd, MAPWATCH_PID_ADD, kids[MAPWATCH_MAX_PIDS]));
	ASSERT_EQ(-1, mwt_pid(self->s.fd, MAPWATCH_PID_ADD, kids[0]));
	ASSERT_EQ(ENOSPC, errno);

	close(gate[1]);
	for (i = 0; i < nr; i++)
		ASSERT_EQ(kids[i], waitpid(kids[i], NULL, 0));
	ASSERT_EQ(0, mwt_pid(self->s.fd, MAPWATCH_PID_CLEAR, 0));
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, kprobe_errors)
{
	static const uint32_t types[] = { 0, MAPWATCH_KPROBE_MAX, 31, 32, 63, 64, 65,
					  0x80000000, 0xffffffff };
	uint32_t id;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		ASSERT_EQ(-1, mwt_attach(self->s.fd, types[i], &id)) TH_LOG("type %u", types[i]);
		ASSERT_EQ(EOPNOTSUPP, errno) TH_LOG("type %u", types[i]);
	}
	/* One probe of a type per session. */
	attach(_metadata, &self->s);
	ASSERT_EQ(-1, mwt_attach(self->s.fd, MAPWATCH_KPROBE_GETPRIORITY, &id));
	ASSERT_EQ(EEXIST, errno);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, unknown_probe_ids_are_enoent)
{
	struct mapwatch_probe_counters pc;
	uint32_t old;

	ASSERT_EQ(-1, mwt_detach(self->s.fd, 0));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, mwt_detach(self->s.fd, 1));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, mwt_probe_counters(self->s.fd, 1, &pc));
	ASSERT_EQ(ENOENT, errno);
	/* A detached probe's id is gone, and not reused. */
	attach(_metadata, &self->s);
	old = self->s.probe_id;
	ASSERT_EQ(0, mwt_detach(self->s.fd, old));
	ASSERT_EQ(-1, mwt_detach(self->s.fd, old));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, mwt_probe_counters(self->s.fd, old, &pc));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, mwt_detach(self->s.fd, old + 1));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, mwt_detach(self->s.fd, 0xffffffff));
	ASSERT_EQ(ENOENT, errno);
	attach(_metadata, &self->s);
	ASSERT_NE(old, self->s.probe_id);
	assert_session_works(_metadata, &self->s);
}

TEST_F(abi, another_sessions_probe_id_is_enoent)
{
	struct session other = { .fd = -1 };
	struct mapwatch_probe_counters pc;

	ASSERT_EQ(0, session_reopen(&other, 1));
	attach(_metadata, &self->s);
	attach(_metadata, &other);
	ASSERT_EQ(0, mwt_detach(other.fd, other.probe_id));
	attach(_metadata, &other);
	ASSERT_NE(self->s.probe_id, other.probe_id);
	/* Probe ids name probes of this session only. */
	ASSERT_EQ(-1, mwt_probe_counters(self->s.fd, other.probe_id, &pc));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(-1, mwt_detach(self->s.fd, other.probe_id));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, mwt_probe_counters(other.fd, other.probe_id, &pc));
	session_close(&other);
	assert_session_works(_metadata, &self->s);
}

MWT_HARNESS_MAIN
