/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftests/uapi_layout.h - the byte layout of every structure in
 * uapi/linux/mapwatch.h, as data: (struct, field, offset, size) in
 * declaration order, and (struct, size, size constant).  The same numbers
 * must hold for 32- and 64-bit userspace; fields are contiguous, so no
 * structure has an implicit hole.  A change here is an ABI change.
 */
#ifndef _MAPWATCH_UAPI_LAYOUT_H
#define _MAPWATCH_UAPI_LAYOUT_H

#define MWT_UAPI_FIELDS(F)						\
	F(mapwatch_api, size, 0, 4)					\
	F(mapwatch_api, abi_major, 4, 4)				\
	F(mapwatch_api, abi_minor, 8, 4)				\
	F(mapwatch_api, flags, 12, 4)					\
	F(mapwatch_api, features, 16, 8)				\
	F(mapwatch_api, kprobes, 24, 8)					\
	F(mapwatch_api, nr_cpus, 32, 4)					\
	F(mapwatch_api, page_size, 36, 4)				\
	F(mapwatch_api, max_ring_pages, 40, 4)				\
	F(mapwatch_api, max_pids, 44, 4)				\
	F(mapwatch_api, max_payload, 48, 4)				\
	F(mapwatch_api, max_probes, 52, 4)				\
	F(mapwatch_api, version, 56, 32)				\
	F(mapwatch_ring_config, size, 0, 4)				\
	F(mapwatch_ring_config, flags, 4, 4)				\
	F(mapwatch_ring_config, data_pages, 8, 4)			\
	F(mapwatch_ring_config, watermark, 12, 4)			\
	F(mapwatch_ring_config, timer_ms, 16, 4)			\
	F(mapwatch_ring_config, __reserved, 20, 4)			\
	F(mapwatch_ring_config, mmap_stride, 24, 8)			\
	F(mapwatch_ring_consumer, cons_pos, 0, 8)			\
	F(mapwatch_ring_producer, prod_pos, 0, 8)			\
	F(mapwatch_ring_producer, tail_pos, 8, 8)			\
	F(mapwatch_ring_producer, data_size, 16, 8)			\
	F(mapwatch_ring_producer, cpu, 24, 4)				\
	F(mapwatch_ring_producer, flags, 28, 4)				\
	F(mapwatch_ring_producer, written, 32, 8)			\
	F(mapwatch_ring_producer, lost_full, 40, 8)			\
	F(mapwatch_ring_producer, lost_nested, 48, 8)			\
	F(mapwatch_ring_producer, lost_overwritten, 56, 8)		\
	F(mapwatch_ring_producer, lost_reported, 64, 8)			\
	F(mapwatch_rec_hdr, type, 0, 2)					\
	F(mapwatch_rec_hdr, flags, 2, 2)				\
	F(mapwatch_rec_hdr, size, 4, 4)					\
	F(mapwatch_rec_event, hdr, 0, 8)				\
	F(mapwatch_rec_event, time_ns, 8, 8)				\
	F(mapwatch_rec_event, tgid, 16, 4)				\
	F(mapwatch_rec_event, tid, 20, 4)				\
	F(mapwatch_rec_event, probe_id, 24, 4)				\
	F(mapwatch_rec_event, cpu, 28, 2)				\
	F(mapwatch_rec_event, payload_size, 30, 2)			\
	F(mapwatch_rec_lost, hdr, 0, 8)					\
	F(mapwatch_rec_lost, time_ns, 8, 8)				\
	F(mapwatch_rec_lost, lost, 16, 8)				\
	F(mapwatch_rec_lost, cpu, 24, 4)				\
	F(mapwatch_rec_lost, __reserved, 28, 4)				\
	F(mapwatch_counters, size, 0, 4)				\
	F(mapwatch_counters, cpu, 4, 4)					\
	F(mapwatch_counters, produced, 8, 8)				\
	F(mapwatch_counters, written, 16, 8)				\
	F(mapwatch_counters, lost_full, 24, 8)				\
	F(mapwatch_counters, lost_nested, 32, 8)			\
	F(mapwatch_counters, lost_overwritten, 40, 8)			\
	F(mapwatch_counters, lost_reported, 48, 8)			\
	F(mapwatch_counters, wakeups, 56, 8)				\
	F(mapwatch_pid, size, 0, 4)					\
	F(mapwatch_pid, op, 4, 4)					\
	F(mapwatch_pid, pid, 8, 4)					\
	F(mapwatch_pid, flags, 12, 4)					\
	F(mapwatch_pid, mem_fd, 16, 4)					\
	F(mapwatch_pid, __reserved, 20, 4)				\
	F(mapwatch_kp_getpriority, which, 0, 4)				\
	F(mapwatch_kp_getpriority, who, 4, 4)				\
	F(mapwatch_kp_madvise, start, 0, 8)				\
	F(mapwatch_kp_madvise, len, 8, 8)				\
	F(mapwatch_kp_madvise, advice, 16, 4)				\
	F(mapwatch_kp_madvise, __reserved, 20, 4)			\
	F(mapwatch_kp_munmap, start, 0, 8)				\
	F(mapwatch_kp_munmap, len, 8, 8)				\
	F(mapwatch_kp_mmap, addr, 0, 8)					\
	F(mapwatch_kp_mmap, len, 8, 8)					\
	F(mapwatch_kp_mmap, prot, 16, 4)				\
	F(mapwatch_kp_mmap, flags, 20, 4)				\
	F(mapwatch_kp_mmap, fd, 24, 4)					\
	F(mapwatch_kp_mmap, __reserved, 28, 4)				\
	F(mapwatch_kp_mmap, off, 32, 8)					\
	F(mapwatch_kp_mmap, ret, 40, 8)					\
	F(mapwatch_kp_exit, code, 0, 8)					\
	F(mapwatch_kp_exit, group_dead, 8, 4)				\
	F(mapwatch_kp_exit, __reserved, 12, 4)				\
	F(mapwatch_kprobe, size, 0, 4)					\
	F(mapwatch_kprobe, type, 4, 4)					\
	F(mapwatch_kprobe, flags, 8, 4)					\
	F(mapwatch_kprobe, probe_id, 12, 4)				\
	F(mapwatch_detach, size, 0, 4)					\
	F(mapwatch_detach, probe_id, 4, 4)				\
	F(mapwatch_detach, nr_ids, 8, 4)				\
	F(mapwatch_detach, reserved, 12, 4)				\
	F(mapwatch_detach, ids, 16, 8)					\
	F(mapwatch_probe_counters, size, 0, 4)				\
	F(mapwatch_probe_counters, probe_id, 4, 4)			\
	F(mapwatch_probe_counters, hits, 8, 8)				\
	F(mapwatch_probe_counters, filtered, 16, 8)			\
	F(mapwatch_probe_counters, recorded, 24, 8)			\
	F(mapwatch_probe_counters, faults, 32, 8)			\
	F(mapwatch_probe_counters, missed, 40, 8)			\
	F(mapwatch_fetch_op, code, 0, 1)				\
	F(mapwatch_fetch_op, dst, 1, 1)					\
	F(mapwatch_fetch_op, src, 2, 1)					\
	F(mapwatch_fetch_op, size, 3, 1)				\
	F(mapwatch_fetch_op, flags, 4, 2)				\
	F(mapwatch_fetch_op, max, 6, 2)					\
	F(mapwatch_fetch_op, imm, 8, 8)					\
	F(mapwatch_uprobe, size, 0, 4)					\
	F(mapwatch_uprobe, flags, 4, 4)					\
	F(mapwatch_uprobe, fd, 8, 4)					\
	F(mapwatch_uprobe, nr_ops, 12, 4)				\
	F(mapwatch_uprobe, offset, 16, 8)				\
	F(mapwatch_uprobe, ref_ctr_offset, 24, 8)			\
	F(mapwatch_uprobe, ops, 32, 8)					\
	F(mapwatch_uprobe, probe_id, 40, 4)				\
	F(mapwatch_uprobe, payload_max, 44, 4)				\
	F(mapwatch_uprobe, bad_op, 48, 4)				\
	F(mapwatch_uprobe, __reserved, 52, 4)

/* (struct, size, the header's size constant or the size itself) */
#define MWT_UAPI_STRUCTS(S)						\
	S(mapwatch_api, 88, MAPWATCH_API_SIZE_VER0)			\
	S(mapwatch_ring_config, 32, MAPWATCH_RING_CONFIG_SIZE_VER0)	\
	S(mapwatch_ring_consumer, 8, 8)					\
	S(mapwatch_ring_producer, 72, 72)				\
	S(mapwatch_rec_hdr, 8, 8)					\
	S(mapwatch_rec_event, 32, 32)					\
	S(mapwatch_rec_lost, 32, 32)					\
	S(mapwatch_counters, 64, MAPWATCH_COUNTERS_SIZE_VER0)		\
	S(mapwatch_pid, 24, MAPWATCH_PID_SIZE_VER1)			\
	S(mapwatch_kp_getpriority, 8, 8)				\
	S(mapwatch_kp_madvise, 24, 24)					\
	S(mapwatch_kp_munmap, 16, 16)					\
	S(mapwatch_kp_mmap, 48, 48)					\
	S(mapwatch_kp_exit, 16, 16)					\
	S(mapwatch_kprobe, 16, MAPWATCH_KPROBE_SIZE_VER0)		\
	S(mapwatch_detach, 24, MAPWATCH_DETACH_SIZE_VER1)		\
	S(mapwatch_probe_counters, 48, MAPWATCH_PROBE_COUNTERS_SIZE_VER1) \
	S(mapwatch_fetch_op, 16, 16)					\
	S(mapwatch_uprobe, 56, MAPWATCH_UPROBE_SIZE_VER0)

/* Ioctl numbers, identical for 32- and 64-bit callers; never renumbered. */
#define MWT_UAPI_IOCTLS(I)						\
	I(MAPWATCH_IOC_API, 0xc058e700u)				\
	I(MAPWATCH_IOC_RING_CONFIG, 0xc020e701u)			\
	I(MAPWATCH_IOC_ENABLE, 0x0000e702u)				\
	I(MAPWATCH_IOC_DISABLE, 0x0000e703u)				\
	I(MAPWATCH_IOC_COUNTERS, 0xc040e704u)				\
	I(MAPWATCH_IOC_PID, 0x4010e705u)				\
	I(MAPWATCH_IOC_KPROBE_ATTACH, 0xc010e706u)			\
	I(MAPWATCH_IOC_DETACH, 0x4008e707u)				\
	I(MAPWATCH_IOC_PROBE_COUNTERS, 0xc028e708u)			\
	I(MAPWATCH_IOC_UPROBE_ATTACH, 0xc038e710u)

#define MWT_SIZEOF_FIELD(s, f)	sizeof(((struct s *)0)->f)

#endif /* _MAPWATCH_UAPI_LAYOUT_H */
