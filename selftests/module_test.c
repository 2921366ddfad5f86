// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/module_test.c - the module cannot be unloaded under a session.
 *
 * A session (an open file, or only a mapping of its rings) holds a
 * reference on the module: delete_module() fails with EWOULDBLOCK, the
 * errno behind rmmod's "Module mapwatch is in use".  Once the last
 * reference is gone it unloads, and loads again from $MAPWATCH_MODULE.
 * Run last: it unloads the module it tests.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "mapwatch_test.h"

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/* Until /dev/mapwatch exists (@present) or is gone; 0, or -1 after 10 s. */
static int wait_device(int present)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if ((access(MAPWATCH_DEVICE, F_OK) == 0) == present)
			return 0;
		usleep(10000);
	}
	return -1;
}

FIXTURE(module) {
	const char *path;	/* the .ko to reload, NULL: unknown */
	int fd;			/* -1: no session open */
	void *map;		/* MAP_FAILED: nothing mapped */
	size_t map_len;
};

FIXTURE_SETUP(module)
{
	self->fd = -1;
	self->map = MAP_FAILED;
	self->path = getenv("MAPWATCH_MODULE");
	if (self->path && !*self->path)
		self->path = NULL;
}

FIXTURE_TEARDOWN(module)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, self->map_len);
	if (self->fd != -1)
		close(self->fd);
	/* Whatever happened, leave the module loaded. */
	if (self->path && access(MAPWATCH_DEVICE, F_OK)) {
		load_module(self->path);
		wait_device(1);
	}
}

/* Unload, load again: the new instance works. */
static void reload(struct __test_metadata *_metadata, FIXTURE_DATA(module) *self)
{
	struct stat st;

	ASSERT_EQ(0, delete_module("mapwatch")) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, wait_device(0));
	ASSERT_EQ(-1, stat("/sys/module/mapwatch", &st));
	ASSERT_EQ(0, load_module(self->path)) TH_LOG("%s: %s", self->path, strerror(errno));
	ASSERT_EQ(0, wait_device(1));
	ASSERT_EQ(0, mwt_module_refcnt());
	ASSERT_EQ(0, mwt_session_works(31337)) TH_LOG("%s", mw_error());
}

TEST_F(module, rmmod_is_refused_while_a_session_is_open)
{
	if (!self->path)
		MWT_SKIP(return, "MAPWATCH_MODULE not set: cannot reload the module");
	ASSERT_EQ(0, mwt_module_refcnt()) TH_LOG("another session is open");

	self->fd = mwt_open();
	ASSERT_NE(-1, self->fd);
	/* Even before the handshake, an open file is a session. */
	ASSERT_EQ(1, mwt_module_refcnt());
	ASSERT_EQ(-1, delete_module("mapwatch"));
	ASSERT_EQ(EWOULDBLOCK, errno);
	ASSERT_EQ(0, mwt_handshake(self->fd));
	ASSERT_EQ(-1, delete_module("mapwatch"));
	ASSERT_EQ(EWOULDBLOCK, errno);
	/* Still loaded and working. */
	ASSERT_EQ(0, access(MAPWATCH_DEVICE, F_OK));
	ASSERT_EQ(0, mwt_session_works(1)) TH_LOG("%s", mw_error());

	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	ASSERT_EQ(0, mwt_module_refcnt());
	reload(_metadata, self);
}

TEST_F(module, rmmod_is_refused_while_only_a_mapping_remains)
{
	const struct mapwatch_ring_producer *prod;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t stride;

	if (!self->path)
		MWT_SKIP(return, "MAPWATCH_MODULE not set: cannot reload the module");
	ASSERT_EQ(0, mwt_module_refcnt()) TH_LOG("another session is open");

	self->fd = mwt_open();
	ASSERT_NE(-1, self->fd);
	ASSERT_EQ(0, mwt_handshake(self->fd));
	ASSERT_EQ(0, mwt_ring_config(self->fd, 2, 0, 0, 0, &stride));
	self->map_len = stride - page;
	self->map = mmap(NULL, self->map_len, PROT_READ, MAP_SHARED, self->fd,
			 MAPWATCH_MMAP_PRODUCER(0, stride, page));
	ASSERT_NE(MAP_FAILED, self->map);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;

	/* The mapping alone keeps the session, and the module, alive. */
	ASSERT_EQ(1, mwt_module_refcnt());
	ASSERT_EQ(-1, delete_module("mapwatch"));
	ASSERT_EQ(EWOULDBLOCK, errno);
	prod = self->map;
	ASSERT_EQ(2 * page, prod->data_size);
	ASSERT_EQ(0, prod->prod_pos);

	ASSERT_EQ(0, munmap(self->map, self->map_len));
	self->map = MAP_FAILED;
	ASSERT_EQ(0, mwt_module_refcnt());
	reload(_metadata, self);
}

MWT_HARNESS_MAIN
