// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/info.c - mapwatchctl info: what the loaded module offers.
 */
#include <stdio.h>
#include <string.h>

#include "main.h"
#include "trace/kprobes.h"
#include "lib/mapwatch.h"

static void info_plain(const struct mapwatch_api *api)
{
	unsigned int t;

	printf("module version:  %s\n", api->version);
	printf("abi:             %u.%u (tool %u.%u)\n", api->abi_major, api->abi_minor,
	       MAPWATCH_ABI_MAJOR, MAPWATCH_ABI_MINOR);
	printf("cpus:            %u\n", api->nr_cpus);
	printf("page size:       %u\n", api->page_size);
	printf("ring pages:      1..%u per cpu (power of two)\n", api->max_ring_pages);
	printf("pids/session:    %u\n", api->max_pids);
	printf("probes/session:  %u\n", api->max_probes);
	printf("max payload:     %u bytes\n", api->max_payload);
	printf("features:       %s%s%s%s\n",
	       api->features & MAPWATCH_FEAT_RING_OVERWRITE ? " overwrite" : "",
	       api->features & MAPWATCH_FEAT_READ ? " read" : "",
	       api->features & MAPWATCH_FEAT_UPROBE ? " uprobe" : "",
	       api->features & MAPWATCH_FEAT_PID_MEM_FD ? " pid-mem-fd" : "");
	printf("kprobes:        ");
	for (t = 1; t < 64; t++)
		if (api->kprobes & (1ULL << t))
			printf(" %s", kprobe_name(t));
	printf("\n");
}

static void info_json(const struct mapwatch_api *api)
{
	unsigned int t;

	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "module_version", api->version);
	jsonw_uint_field(json_wtr, "abi_major", api->abi_major);
	jsonw_uint_field(json_wtr, "abi_minor", api->abi_minor);
	jsonw_uint_field(json_wtr, "nr_cpus", api->nr_cpus);
	jsonw_uint_field(json_wtr, "page_size", api->page_size);
	jsonw_uint_field(json_wtr, "max_ring_pages", api->max_ring_pages);
	jsonw_uint_field(json_wtr, "max_pids", api->max_pids);
	jsonw_uint_field(json_wtr, "max_probes", api->max_probes);
	jsonw_uint_field(json_wtr, "max_payload_bytes", api->max_payload);
	jsonw_bool_field(json_wtr, "ring_overwrite", api->features & MAPWATCH_FEAT_RING_OVERWRITE);
	jsonw_bool_field(json_wtr, "read", api->features & MAPWATCH_FEAT_READ);
	jsonw_bool_field(json_wtr, "uprobe", api->features & MAPWATCH_FEAT_UPROBE);
	jsonw_bool_field(json_wtr, "pid_mem_fd", api->features & MAPWATCH_FEAT_PID_MEM_FD);
	jsonw_name(json_wtr, "kprobes");
	jsonw_start_array(json_wtr);
	for (t = 1; t < 64; t++)
		if (api->kprobes & (1ULL << t))
			jsonw_string(json_wtr, kprobe_name(t));
	jsonw_end_array(json_wtr);
	jsonw_end_object(json_wtr);
}

static int info_help(void)
{
	help_print(
		"Usage: %s info\n"
		"\n"
		"The module's version and ABI, its features, the kernel probes it has,\n"
		"and its limits (CPUs, ring pages, traced processes, probes, payload).\n"
		"With -j, one JSON object.\n",
		bin_name);
	return 0;
}

int do_info(int argc, char **argv)
{
	struct mw_session s;
	int err = cmd_options("info", &argc, &argv, info_help);

	if (err)
		return err < 0 ? -1 : 0;
	if (argc) {
		p_usage("'info' takes no argument, got '%s'", argv[0]);
		return -1;
	}
	err = mw_open(&s, device_path, 0);
	if (err) {
		p_err("%s", mw_error());
		return -1;
	}
	if (json_output)
		info_json(&s.api);
	else
		info_plain(&s.api);
	mw_close(&s);
	return 0;
}
