/* SPDX-License-Identifier: GPL-2.0 */
/* Turning filter arguments (pids, namespaces, cgroups) into kernel ids. */
#ifndef BB_FILTERS_H
#define BB_FILTERS_H

#include "../bpf/bb_shared.h"

unsigned bb_parse_pid(const char *arg);
unsigned long long bb_parse_cgroup(const char *arg);
unsigned bb_parse_ns(const char *arg, const char *type);
void bb_filter_fill(struct bb_filter *f);

#endif
