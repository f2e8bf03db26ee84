/* SPDX-License-Identifier: GPL-2.0 */
/* traceloop's decoder: the named values and flags it prints (xlat.c). */
#ifndef TL_XLAT_H
#define TL_XLAT_H

#include "fmt.h"

extern const struct tl_xlat tl_open_accmode[], tl_open_flags_x86_64[], tl_open_flags_arm64[];
extern const struct tl_xlat tl_at_flags[], tl_at_flags_access[], tl_at_flags_unlink[],
	tl_statx_sync[], tl_statx_mask[];
extern const struct tl_xlat tl_mmap_prot[], tl_mmap_prot_arm64[], tl_mmap_type[],
	tl_mmap_flags[];
extern const struct tl_xlat tl_clone_flags[], tl_unshare_flags[];
extern const struct tl_xlat tl_wait_options[], tl_getrandom_flags[], tl_access_modes[];
extern const struct tl_xlat tl_address_families[], tl_socket_types[], tl_socket_flags[];
extern const struct tl_xlat tl_inet_protocols[], tl_netlink_protocols[];
extern const struct tl_xlat tl_sigprocmask_how[], tl_clocks[], tl_timer_flags[];
extern const struct tl_xlat tl_whence[], tl_rlimits[], tl_shutdown_how[], tl_madvise[];
extern const struct tl_xlat tl_fcntl_cmds[], tl_fd_flags[], tl_lease_types[], tl_notify_flags[],
	tl_seals[];
extern const struct tl_xlat tl_futex_cmds[], tl_futex_wake_ops[], tl_futex_wake_cmps[];
extern const struct tl_xlat tl_ioctls[], tl_prctl_options[], tl_dumpable[],
	tl_arch_prctl_codes[];
extern const struct tl_xlat tl_epoll_flags[], tl_eventfd_flags[], tl_inotify_flags[],
	tl_signalfd_flags[], tl_timerfd_flags[], tl_memfd_flags[];
extern const struct tl_xlat tl_socket_levels[], tl_sol_socket_opts[], tl_sol_tcp_opts[],
	tl_sol_ip_opts[], tl_sol_ipv6_opts[], tl_msg_flags[];
extern const struct tl_xlat tl_epoll_ops[], tl_msync_flags[], tl_mlockall_flags[],
	tl_mremap_flags[], tl_flock_ops[], tl_priority_which[], tl_seccomp_modes[],
	tl_capabilities[];

#endif
