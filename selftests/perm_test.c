// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/perm_test.c - who may do what (ABI 1.3, uapi "Permissions").
 *
 * Each test opens its session as root, then becomes uid/gid 65534 with
 * exactly the capabilities it needs (or none) and checks every rule where
 * it applies: EACCES opening the device, EPERM attaching without
 * CAP_PERFMON, EPERM tracing every process without CAP_SYS_ADMIN, EACCES
 * adding a process without the proof of ptrace-attach rights
 * (MAPWATCH_PID_MEM_FD), success where the rules allow; and that a process
 * added without CAP_SYS_ADMIN stops being traced when its credentials
 * change (the events are counted as filtered instead).
 */
#include <dlfcn.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mapwatch_test.h"

#define NOBODY		65534
#define CAPBIT(c)	(1ULL << (c))

/* Permitted and effective capabilities of the calling thread. */
static int set_caps(uint64_t permitted, uint64_t effective)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {
		{ .permitted = (uint32_t)permitted, .effective = (uint32_t)effective },
		{ .permitted = (uint32_t)(permitted >> 32),
		  .effective = (uint32_t)(effective >> 32) },
	};

	return syscall(SYS_capset, &h, d);
}

/* Become uid/gid @id with these capabilities only, and stay dumpable. */
static int become(uid_t id, uint64_t permitted, uint64_t effective)
{
	if (setgroups(0, NULL) || setresgid(id, id, id) || prctl(PR_SET_KEEPCAPS, 1) ||
	    setresuid(id, id, id) || set_caps(permitted, effective))
		return -1;
	/* A change of euid cleared it; ptrace by the same user needs it. */
	return prctl(PR_SET_DUMPABLE, 1);
}

static int pid_ioctl(int fd, uint32_t op, pid_t pid, uint32_t flags, int mem_fd)
{
	struct mapwatch_pid arg = {
		.size = sizeof(arg), .op = op, .pid = pid, .flags = flags, .mem_fd = mem_fd,
	};

	return ioctl(fd, MAPWATCH_IOC_PID, &arg);
}

static int open_mem(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* A pid-filtered (or, with @flags, every-process) uprobe on this binary. */
static int uprobe_here(int fd, uint32_t flags)
{
	struct mapwatch_fetch_op op = { .code = MAPWATCH_FOP_CONST, .dst = 0, .imm = 1 };
	struct mapwatch_uprobe arg;
	uint64_t off;
	int bin, ret;

	if (mwt_file_offset((void *)uprobe_here, &off, NULL, 0))
		return -2;
	bin = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (bin < 0)
		return -2;
	ret = mwt_uprobe(fd, bin, off, &op, 1, flags, &arg);
	close(bin);
	return ret;
}

FIXTURE(perm) {
	struct mw_session s;
};

FIXTURE_SETUP(perm)
{
	self->s.fd = -1;
	ASSERT_EQ(0, mw_open(&self->s, NULL, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_configure(&self->s, 16, 0, 0, 0)) TH_LOG("%s", mw_error());
	ASSERT_TRUE(self->s.api.features & MAPWATCH_FEAT_PID_MEM_FD);
}

FIXTURE_TEARDOWN(perm)
{
	if (self->s.fd != -1)
		mw_close(&self->s);
}

TEST_F(perm, the_device_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(MAPWATCH_DEVICE, &st));
	ASSERT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, st.st_uid);
	ASSERT_EQ(0, become(NOBODY, 0, 0));
	ASSERT_EQ(-1, open(MAPWATCH_DEVICE, O_RDWR | O_CLOEXEC));
	ASSERT_EQ(EACCES, errno);
}

TEST_F(perm, without_capabilities_nothing_attaches)
{
	int fd = self->s.fd, mem;

	ASSERT_EQ(0, become(NOBODY, 0, 0));
	ASSERT_EQ(-1, mwt_attach(fd, MAPWATCH_KPROBE_GETPRIORITY, NULL));
	ASSERT_EQ(EPERM, errno);
	ASSERT_EQ(-1, uprobe_here(fd, 0));
	ASSERT_EQ(EPERM, errno);
	ASSERT_EQ(-1, uprobe_here(fd, MAPWATCH_UPROBE_ALL_PROCESSES));
	ASSERT_EQ(EPERM, errno);
	/* Adding itself: the proof is needed, and its own memory is one. */
	ASSERT_EQ(-1, pid_ioctl(fd, MAPWATCH_PID_ADD, getpid(), 0, 0));
	ASSERT_EQ(EACCES, errno);
	mem = open_mem(getpid());
	ASSERT_LE(0, mem);
	ASSERT_EQ(0, pid_ioctl(fd, MAPWATCH_PID_ADD, getpid(), MAPWATCH_PID_MEM_FD, mem));
	close(mem);
	/* What it may do without capabilities: look and tidy up. */
	ASSERT_EQ(0, mwt_pid(fd, MAPWATCH_PID_DEL, getpid()));
}

TEST_F(perm, perfmon_attaches_but_not_to_every_process)
{
	int fd = self->s.fd;

	ASSERT_EQ(0, become(NOBODY, CAPBIT(CAP_PERFMON), CAPBIT(CAP_PERFMON)));
	ASSERT_EQ(0, mwt_attach(fd, MAPWATCH_KPROBE_GETPRIORITY, NULL));
	ASSERT_EQ(0, uprobe_here(fd, 0));
	ASSERT_EQ(-1, uprobe_here(fd, MAPWATCH_UPROBE_ALL_PROCESSES));
	ASSERT_EQ(EPERM, errno);
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid())) TH_LOG("%s", mw_error());
}

TEST_F(perm, another_users_process_is_refused)
{
	int fd = self->s.fd, mem;

	ASSERT_EQ(0, become(NOBODY, CAPBIT(CAP_PERFMON), CAPBIT(CAP_PERFMON)));
	/* init is root's: its memory does not open, and no proof: EACCES. */
	ASSERT_EQ(-1, open_mem(1));
	ASSERT_EQ(-1, pid_ioctl(fd, MAPWATCH_PID_ADD, 1, 0, 0));
	ASSERT_EQ(EACCES, errno);
	ASSERT_EQ(-EACCES, mw_pid(&self->s, MAPWATCH_PID_ADD, 1));
	/* A proof for another process does not count. */
	mem = open_mem(getpid());
	ASSERT_LE(0, mem);
	ASSERT_EQ(-1, pid_ioctl(fd, MAPWATCH_PID_ADD, 1, MAPWATCH_PID_MEM_FD, mem));
	ASSERT_EQ(EACCES, errno);
	close(mem);
}

TEST_F(perm, the_proof_is_checked)
{
	int fd = self->s.fd, mem, null;
	pid_t kid;

	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid) {
		pause();
		_exit(0);
	}
	mem = open_mem(getpid());
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, mem);
	ASSERT_LE(0, null);
	/* Even root's proof must be right when it is given. */
	EXPECT_EQ(-1, pid_ioctl(fd, MAPWATCH_PID_ADD, kid, MAPWATCH_PID_MEM_FD, mem));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, pid_ioctl(fd, MAPWATCH_PID_ADD, getpid(), MAPWATCH_PID_MEM_FD, null));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pid_ioctl(fd, MAPWATCH_PID_ADD, getpid(), MAPWATCH_PID_MEM_FD, 4000));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, pid_ioctl(fd, MAPWATCH_PID_ADD, getpid(), MAPWATCH_PID_MEM_FD, -1));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, pid_ioctl(fd, MAPWATCH_PID_ADD, getpid(), 2, mem));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, pid_ioctl(fd, MAPWATCH_PID_ADD, getpid(), MAPWATCH_PID_MEM_FD, mem));
	EXPECT_EQ(-1, pid_ioctl(fd, MAPWATCH_PID_DEL, getpid(), MAPWATCH_PID_MEM_FD, mem));
	EXPECT_EQ(EINVAL, errno);
	/* Root needs none. */
	EXPECT_EQ(0, pid_ioctl(fd, MAPWATCH_PID_ADD, kid, 0, 0));
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	close(mem);
	close(null);
}

/*
 * A target of the same user, with CAP_SETUID, traced by a user with
 * CAP_PERFMON (and CAP_SETUID, so that ptrace allows it): its
 * events count while its credentials stay; after setresuid() to another
 * user -- or, where the kernel lets a module see it, after making itself
 * undumpable -- they are filtered.
 */
enum change { CHANGE_UID, CHANGE_DUMPABLE };

static void traced_until_change(struct __test_metadata *_metadata, struct mw_session *s,
				enum change how, bool dropped_after)
{
	struct mapwatch_probe_counters before, after;
	int go[2], done[2], mem, status;
	uint32_t id;
	pid_t kid;
	char c;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid) {
		if (become(NOBODY, CAPBIT(CAP_SETUID), CAPBIT(CAP_SETUID)))
			_exit(10);
		if (write(done[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(11);
		mwt_events(0, 5);
		if (how == CHANGE_UID ? setresuid(NOBODY - 1, NOBODY - 1, NOBODY - 1) :
					prctl(PR_SET_DUMPABLE, 0))
			_exit(12);
		mwt_events(100, 7);
		_exit(0);
	}
	ASSERT_EQ(1, read(done[0], &c, 1));	/* it is nobody now */
	/* ptrace wants the target's capabilities among the tracer's (effective ones, for /proc). */
	ASSERT_EQ(0, become(NOBODY, CAPBIT(CAP_PERFMON) | CAPBIT(CAP_SETUID),
			    CAPBIT(CAP_PERFMON) | CAPBIT(CAP_SETUID)));
	mem = open_mem(kid);
	ASSERT_LE(0, mem) TH_LOG("open /proc/%d/mem: %s", kid, strerror(errno));
	ASSERT_EQ(0, pid_ioctl(s->fd, MAPWATCH_PID_ADD, kid, MAPWATCH_PID_MEM_FD, mem));
	close(mem);
	ASSERT_EQ(0, mw_kprobe_attach(s, MAPWATCH_KPROBE_GETPRIORITY, &id)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_enable(s));
	ASSERT_EQ(0, mwt_probe_counters(s->fd, id, &before));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(kid, waitpid(kid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("the target failed at step %d",
						 WEXITSTATUS(status));
	ASSERT_EQ(0, mwt_probe_counters(s->fd, id, &after));
	ASSERT_EQ(dropped_after ? 5 : 12, after.recorded - before.recorded);
	if (dropped_after)
		ASSERT_LE(7, after.filtered - before.filtered);
}

TEST_F(perm, a_change_of_credentials_stops_tracing)
{
	traced_until_change(_metadata, &self->s, CHANGE_UID, true);
}

/*
 * Up to 6.x a module reads dumpability from the mm; later kernels hide it
 * (uapi MAPWATCH_FEAT_DUMPABLE and module/compat.h): there the events go
 * on, and the handshake says so.  Which kernel has it is checked too, so
 * that the feature cannot vanish unnoticed.
 */
TEST_F(perm, an_undumpable_process_is_not_traced_where_the_kernel_tells)
{
	bool feat = self->s.api.features & MAPWATCH_FEAT_DUMPABLE;
	struct utsname u;

	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(atoi(u.release) < 7, feat);
	traced_until_change(_metadata, &self->s, CHANGE_DUMPABLE, feat);
}

/* This test binary's directory + @name, in @path. */
static int helper_path(char *path, size_t len, const char *name)
{
	ssize_t n = readlink("/proc/self/exe", path, len - 1);
	char *slash;

	if (n < 0)
		return -1;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash + 1 - path) + strlen(name) + 1 > len)
		return -1;
	strcpy(slash + 1, name);
	return 0;
}

/* Copy @from to @to with @mode (root's file). */
static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in, out, ret = -1;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	unlink(to);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (out >= 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, n) != n)
				break;
		if (!n && !fchown(out, 0, 0) && !fchmod(out, mode))
			ret = 0;
		close(out);
	}
	close(in);
	return ret;
}

/*
 * A child of the same user, traced without CAP_SYS_ADMIN through the
 * proof, execs mwt_trigger (50 syscall() calls): a plain copy, or a
 * setuid-root one.  The probe sits in libc's syscall(), shared by both.
 * After the setuid exec the process is not traced any more, and the
 * uprobe filter says so: the breakpoint is not even put into it, so it
 * never traps (hits 0).  The plain copy traps and records every call.
 * Returns the probe's counters, or fails the test.
 */
static void exec_traced_child(struct __test_metadata *_metadata, struct mw_session *s,
			      bool setuid_root, struct mapwatch_probe_counters *pc)
{
	struct mapwatch_fetch_op op = { .code = MAPWATCH_FOP_CONST, .dst = 0, .imm = 1 };
	char trigger[PATH_MAX], libc[PATH_MAX];
	const char *copy = "/tmp/mwt_trigger_copy";
	struct mapwatch_uprobe up;
	int gate[2], mem, bin, status;
	uint64_t off;
	void *fn;
	pid_t kid;
	char c;

	ASSERT_EQ(0, helper_path(trigger, sizeof(trigger), "mwt_trigger"));
	ASSERT_EQ(0, copy_file(trigger, copy, setuid_root ? 04755 : 0755))
		TH_LOG("%s: %s", copy, strerror(errno));
	fn = dlsym(RTLD_DEFAULT, "syscall");
	ASSERT_NE(NULL, fn);
	ASSERT_EQ(0, mwt_file_offset(fn, &off, libc, sizeof(libc)));
	ASSERT_EQ(0, pipe(gate));
	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid) {
		if (become(NOBODY, 0, 0) || read(gate[0], &c, 1) != 1)
			_exit(10);
		execl(copy, "mwt_trigger", "0", "50", (char *)NULL);
		_exit(11);
	}
	ASSERT_EQ(0, become(NOBODY, CAPBIT(CAP_PERFMON), CAPBIT(CAP_PERFMON)));
	bin = open(libc, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, bin);
	ASSERT_EQ(0, mwt_uprobe(s->fd, bin, off, &op, 1, 0, &up)) TH_LOG("%s", strerror(errno));
	close(bin);
	/* The child is nobody's now (or about to be: its memory opens once it is). */
	for (mem = -1; mem < 0; usleep(1000))
		mem = open_mem(kid);
	ASSERT_EQ(0, pid_ioctl(s->fd, MAPWATCH_PID_ADD, kid, MAPWATCH_PID_MEM_FD, mem));
	close(mem);
	ASSERT_EQ(0, mw_enable(s));
	ASSERT_EQ(1, write(gate[1], "g", 1));
	ASSERT_EQ(kid, waitpid(kid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, mwt_probe_counters(s->fd, up.probe_id, pc));
}

TEST_F(perm, a_setuid_exec_takes_the_breakpoints_out)
{
	struct mapwatch_probe_counters pc;

	exec_traced_child(_metadata, &self->s, true, &pc);
	ASSERT_EQ(0, pc.hits) TH_LOG("filtered %llu", (unsigned long long)pc.filtered);
	ASSERT_EQ(0, pc.recorded);
}

TEST_F(perm, a_plain_exec_stays_traced)
{
	struct mapwatch_probe_counters pc;

	exec_traced_child(_metadata, &self->s, false, &pc);
	ASSERT_LE(50, pc.recorded);
	ASSERT_EQ(pc.hits, pc.recorded);
}

/*
 * PID ADD racing a setuid exec of the process it adds: the tracer opened
 * the proof before the exec, and the exec installs its mm before it
 * commits root's credentials.  Whichever way each round goes -- ADD first
 * (the process is then traced while its credentials stay, and the exec
 * changes them), the exec first (the proof no longer matches: EACCES) --
 * no event of the setuid process is ever recorded.  A race: many rounds,
 * each a fork and an exec; it proves nothing when it passes, and shows the
 * defect when it fails.
 */
TEST_F_TIMEOUT(perm, pid_add_racing_a_setuid_exec_never_traces_it, 300)
{
	const char *copy = "/tmp/mwt_trigger_race";
	char trigger[PATH_MAX], n[16];
	int rounds = 300, i, added = 0, refused = 0, gate[2], mem, status, ret;
	struct mapwatch_probe_counters pc;
	uint32_t id;
	pid_t kid;

	ASSERT_EQ(0, helper_path(trigger, sizeof(trigger), "mwt_trigger"));
	ASSERT_EQ(0, copy_file(trigger, copy, 04755)) TH_LOG("%s: %s", copy, strerror(errno));
	ASSERT_EQ(0, mw_kprobe_attach(&self->s, MAPWATCH_KPROBE_GETPRIORITY, &id))
		TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_enable(&self->s));
	ASSERT_EQ(0, become(NOBODY, CAPBIT(CAP_PERFMON), CAPBIT(CAP_PERFMON)));
	for (i = 0; i < rounds; i++) {
		ASSERT_EQ(0, pipe(gate));
		kid = fork();
		ASSERT_LE(0, kid);
		if (!kid) {
			char c;

			if (read(gate[0], &c, 1) != 1)
				_exit(10);
			snprintf(n, sizeof(n), "%d", i * 10);
			execl(copy, "mwt_trigger", n, "3", (char *)NULL);
			_exit(11);
		}
		close(gate[0]);
		mem = open_mem(kid);
		ASSERT_LE(0, mem);
		/*
		 * Let it go, and add it while it execs: 0 to 3 ms later, so
		 * that the rounds span the exec (in the VM it takes about that).
		 */
		ASSERT_EQ(1, write(gate[1], "g", 1));
		usleep((i % 60) * 50);
		ret = pid_ioctl(self->s.fd, MAPWATCH_PID_ADD, kid, MAPWATCH_PID_MEM_FD, mem);
		if (ret)
			ASSERT_EQ(EACCES, errno) TH_LOG("round %d", i);
		added += !ret;
		refused += !!ret;
		close(mem);
		close(gate[1]);
		ASSERT_EQ(kid, waitpid(kid, &status, 0));
		ASSERT_EQ(0, status);
		if (!ret)
			ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_DEL, kid));
	}
	ASSERT_EQ(0, mwt_probe_counters(self->s.fd, id, &pc));
	TH_LOG("%d rounds: added before the exec %d, refused after it %d; %llu hits filtered",
	       rounds, added, refused, (unsigned long long)pc.filtered);
	ASSERT_EQ(0, pc.recorded);
	ASSERT_EQ(rounds, added + refused);
}

/*
 * Rings are locked memory: charged to the configuring user against its
 * RLIMIT_MEMLOCK, all its sessions together, given back at close; not
 * charged with CAP_IPC_LOCK.
 */
TEST(rings_are_charged_to_memlock)
{
	struct mapwatch_ring_config cfg = { .size = sizeof(cfg), .data_pages = 4 };
	struct mapwatch_api api;
	long page = sysconf(_SC_PAGESIZE);
	int fd[4], i, ncpu;
	struct rlimit rl;
	size_t one;

	for (i = 0; i < 4; i++) {
		fd[i] = mwt_open();
		ASSERT_LE(0, fd[i]);
		ASSERT_EQ(0, mwt_api(fd[i], MAPWATCH_ABI_MAJOR, &api));
	}
	ncpu = api.nr_cpus;
	/* A session with 4 data pages per CPU: consumer + producer + 4 pages each. */
	one = (size_t)ncpu * 6 * page;
	/* Room for one such session and a half. */
	rl.rlim_cur = rl.rlim_max = one + one / 2;
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &rl));
	/* CAP_IPC_LOCK permitted, not effective until the end. */
	ASSERT_EQ(0, become(NOBODY, CAPBIT(CAP_IPC_LOCK), 0));
	ASSERT_EQ(0, ioctl(fd[0], MAPWATCH_IOC_RING_CONFIG, &cfg)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(-1, ioctl(fd[1], MAPWATCH_IOC_RING_CONFIG, &cfg));
	ASSERT_EQ(EPERM, errno);
	/* Larger than the limit alone; libmapwatch names the limit and the ways out. */
	cfg.data_pages = 64;
	ASSERT_EQ(-1, ioctl(fd[2], MAPWATCH_IOC_RING_CONFIG, &cfg));
	ASSERT_EQ(EPERM, errno);
	{
		struct mw_session ms = { .fd = fd[2], .api = api };

		ASSERT_EQ(-EPERM, mw_configure(&ms, 64, 0, 0, 0));
		ASSERT_NE(NULL, strstr(mw_error(), "RLIMIT_MEMLOCK")) TH_LOG("%s", mw_error());
		ASSERT_NE(NULL, strstr(mw_error(), "CAP_IPC_LOCK")) TH_LOG("%s", mw_error());
	}
	/* The first session's charge comes back when it closes. */
	close(fd[0]);
	cfg.data_pages = 4;
	ASSERT_EQ(0, ioctl(fd[1], MAPWATCH_IOC_RING_CONFIG, &cfg)) TH_LOG("%s", strerror(errno));
	/* CAP_IPC_LOCK: not charged. */
	ASSERT_EQ(0, set_caps(CAPBIT(CAP_IPC_LOCK), CAPBIT(CAP_IPC_LOCK)));
	cfg.data_pages = 64;
	ASSERT_EQ(0, ioctl(fd[3], MAPWATCH_IOC_RING_CONFIG, &cfg)) TH_LOG("%s", strerror(errno));
	for (i = 1; i < 4; i++)
		close(fd[i]);
}

/*
 * In a new pid namespace (its /proc still the parent's): the opener names
 * its own child by the namespace's pid, the records carry that pid, and
 * the parent namespace's processes cannot be named.  Exit codes name the
 * step that failed.
 */
static int ns_opener(pid_t outsider)
{
	struct mwt_recs rs = {};
	struct mw_session s;
	int go[2], i, status;
	uint32_t id;
	pid_t kid;
	char c;

	if (getpid() != 1 || pipe(go))
		return 10;
	kid = fork();
	if (kid < 0)
		return 11;
	if (!kid) {
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		mwt_events(0, 3);
		_exit(0);
	}
	if (mw_open(&s, NULL, 0) || mw_configure(&s, 16, 0, 0, 0))
		return 12;
	if (mw_pid(&s, MAPWATCH_PID_ADD, outsider) != -ESRCH)
		return 13;	/* a pid of the parent namespace means nothing here */
	if (mw_pid(&s, MAPWATCH_PID_ADD, kid) ||
	    mw_kprobe_attach(&s, MAPWATCH_KPROBE_GETPRIORITY, &id) || mw_enable(&s))
		return 14;
	if (write(go[1], "g", 1) != 1 || waitpid(kid, &status, 0) != kid || status)
		return 15;
	if (mw_disable(&s) || mwt_read_all(s.fd, &rs))
		return 16;
	if (rs.nr != 3)
		return 17;
	for (i = 0; i < 3; i++)
		if (rs.r[i].tgid != (uint32_t)kid || rs.r[i].tid != (uint32_t)kid)
			return 18;
	mwt_recs_free(&rs);
	mw_close(&s);
	return 0;
}

TEST(pids_are_the_openers_namespace)
{
	pid_t outsider = getpid(), kid;
	int status;

	ASSERT_EQ(0, unshare(CLONE_NEWPID));
	kid = fork();
	ASSERT_LE(0, kid);
	if (!kid)
		_exit(ns_opener(outsider));
	ASSERT_EQ(kid, waitpid(kid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("step %d failed", WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
