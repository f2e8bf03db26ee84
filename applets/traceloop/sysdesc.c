// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop's decoder: each syscall's classes and argument types, by name
 * (letters in sysdesc.h), and `-e trace=` specs built on them.
 *
 * Classes follow strace's documented meaning: %file takes a file name,
 * %desc takes or returns a file descriptor, %network is the socket API,
 * %process is the life cycle of processes, %signal, %memory (mappings),
 * %ipc (SysV IPC), %creds (ids and capabilities), %clock.  The table is
 * ours, sorted by name (the unit tests check it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "sysdesc.h"

#define F TL_CLASS_FILE
#define N TL_CLASS_NETWORK
#define P TL_CLASS_PROCESS
#define S TL_CLASS_SIGNAL
#define M TL_CLASS_MEMORY
#define D TL_CLASS_DESC
#define I TL_CLASS_IPC
#define CR TL_CLASS_CREDS
#define CL TL_CLASS_CLOCK
#define HEX TL_RET_HEX
#define SPC TL_RET_SPECIAL
#define OCT TL_RET_OCT

static const struct tl_sysdesc sysdescs[] = {
	{ "_sysctl", 0, 0, "p" },
	{ "accept", N | D, 0, "fNp" },
	{ "accept4", N | D, 0, "fNpC" },
	{ "access", F, 0, "sX" },
	{ "acct", F, 0, "s" },
	{ "add_key", 0, 0, "sspud" },
	{ "adjtimex", CL, 0, "p" },
	{ "afs_syscall", 0, 0, "" },
	{ "alarm", 0, 0, "u" },
	{ "arch_prctl", 0, 0, "!" },
	{ "bind", N | D, 0, "fnu" },
	{ "bpf", D, 0, "dpu" },
	{ "brk", M, HEX, "p" },
	{ "cachestat", D, 0, "fppu" },
	{ "capget", CR, 0, "pp" },
	{ "capset", CR, 0, "pp" },
	{ "chdir", F, 0, "s" },
	{ "chmod", F, 0, "so" },
	{ "chown", F, 0, "sdd" },
	{ "chroot", F, 0, "s" },
	{ "clock_adjtime", CL, 0, "Lp" },
	{ "clock_getres", CL, 0, "Lp" },
	{ "clock_gettime", CL, 0, "Lp" },
	{ "clock_nanosleep", 0, 0, "Lctp" },
	{ "clock_settime", CL, 0, "Lt" },
	{ "clone", P, 0, "!" },
	{ "clone3", P, 0, "pu" },
	{ "close", D, 0, "f" },
	{ "close_range", D, 0, "ddx" },
	{ "connect", N | D, 0, "fnu" },
	{ "copy_file_range", D, 0, "fpfpux" },
	{ "creat", F | D, 0, "so" },
	{ "create_module", 0, 0, "" },
	{ "delete_module", 0, 0, "sx" },
	{ "dup", D, 0, "f" },
	{ "dup2", D, 0, "ff" },
	{ "dup3", D, 0, "ffC" },
	{ "epoll_create", D, 0, "d" },
	{ "epoll_create1", D, 0, "C" },
	{ "epoll_ctl", D, 0, "fqfp" },
	{ "epoll_ctl_old", 0, 0, "" },
	{ "epoll_pwait", D, 0, "fpddpu" },
	{ "epoll_pwait2", D, 0, "fpdppu" },
	{ "epoll_wait", D, 0, "fpdd" },
	{ "epoll_wait_old", 0, 0, "" },
	{ "eventfd", D, 0, "u" },
	{ "eventfd2", D, 0, "uC" },
	{ "execve", F | P, 0, "sve" },
	{ "execveat", F | P | D, 0, "asveA" },
	{ "exit", P, 0, "d" },
	{ "exit_group", P, 0, "d" },
	{ "faccessat", F | D, 0, "asX" },
	{ "faccessat2", F | D, 0, "asXA" },
	{ "fadvise64", D, 0, "fldd" },
	{ "fallocate", D, 0, "fxll" },
	{ "fanotify_init", D, 0, "xx" },
	{ "fanotify_mark", F | D, 0, "fxxas" },
	{ "fchdir", D, 0, "f" },
	{ "fchmod", D, 0, "fo" },
	{ "fchmodat", F | D, 0, "aso" },
	{ "fchmodat2", F | D, 0, "asoA" },
	{ "fchown", D, 0, "fdd" },
	{ "fchownat", F | D, 0, "asddA" },
	{ "fcntl", D, SPC, "!" },
	{ "fdatasync", D, 0, "f" },
	{ "fgetxattr", D, 0, "fspu" },
	{ "finit_module", D, 0, "fsx" },
	{ "flistxattr", D, 0, "fpu" },
	{ "flock", D, 0, "fh" },
	{ "fork", P, 0, "" },
	{ "fremovexattr", D, 0, "fs" },
	{ "fsconfig", D, 0, "fdspd" },
	{ "fsetxattr", D, 0, "fspux" },
	{ "fsmount", D, 0, "fxx" },
	{ "fsopen", D, 0, "sx" },
	{ "fspick", F | D, 0, "asx" },
	{ "fstat", D, 0, "fp" },
	{ "fstatfs", D, 0, "fp" },
	{ "fsync", D, 0, "f" },
	{ "ftruncate", D, 0, "fl" },
	{ "futex", 0, 0, "!" },
	{ "futex_requeue", 0, 0, "pxdd" },
	{ "futex_wait", 0, 0, "pxxxpL" },
	{ "futex_waitv", 0, 0, "pxxpL" },
	{ "futex_wake", 0, 0, "pxdx" },
	{ "futimesat", F | D, 0, "asp" },
	{ "get_kernel_syms", 0, 0, "" },
	{ "get_mempolicy", M, 0, "ppupx" },
	{ "get_robust_list", 0, 0, "dpp" },
	{ "get_thread_area", 0, 0, "p" },
	{ "getcpu", 0, 0, "ppp" },
	{ "getcwd", F, 0, "pu" },
	{ "getdents", D, 0, "fpu" },
	{ "getdents64", D, 0, "fpu" },
	{ "getegid", CR, 0, "" },
	{ "geteuid", CR, 0, "" },
	{ "getgid", CR, 0, "" },
	{ "getgroups", CR, 0, "dp" },
	{ "getitimer", 0, 0, "dp" },
	{ "getpeername", N | D, 0, "fNp" },
	{ "getpgid", 0, 0, "d" },
	{ "getpgrp", 0, 0, "" },
	{ "getpid", 0, 0, "" },
	{ "getpmsg", 0, 0, "" },
	{ "getppid", 0, 0, "" },
	{ "getpriority", 0, 0, "Vd" },
	{ "getrandom", 0, 0, "guG" },
	{ "getresgid", CR, 0, "ppp" },
	{ "getresuid", CR, 0, "ppp" },
	{ "getrlimit", 0, 0, "rp" },
	{ "getrusage", 0, 0, "dp" },
	{ "getsid", 0, 0, "d" },
	{ "getsockname", N | D, 0, "fNp" },
	{ "getsockopt", N | D, 0, "fyzpp" },
	{ "gettid", 0, 0, "" },
	{ "gettimeofday", CL, 0, "pp" },
	{ "getuid", CR, 0, "" },
	{ "getxattr", F, 0, "sspu" },
	{ "init_module", 0, 0, "pus" },
	{ "inotify_add_watch", F | D, 0, "fsx" },
	{ "inotify_init", D, 0, "" },
	{ "inotify_init1", D, 0, "C" },
	{ "inotify_rm_watch", D, 0, "fd" },
	{ "io_cancel", 0, 0, "xpp" },
	{ "io_destroy", M, 0, "x" },
	{ "io_getevents", 0, 0, "xllpp" },
	{ "io_pgetevents", 0, 0, "xllppp" },
	{ "io_setup", M, 0, "up" },
	{ "io_submit", 0, 0, "xlp" },
	{ "io_uring_enter", D, 0, "fuuxpu" },
	{ "io_uring_register", D, 0, "fupu" },
	{ "io_uring_setup", D, 0, "up" },
	{ "ioctl", D, 0, "!" },
	{ "ioperm", 0, 0, "xud" },
	{ "iopl", 0, 0, "d" },
	{ "ioprio_get", 0, 0, "dd" },
	{ "ioprio_set", 0, 0, "ddd" },
	{ "kcmp", 0, 0, "ddduu" },
	{ "kexec_file_load", D, 0, "ffusx" },
	{ "kexec_load", 0, 0, "xupx" },
	{ "keyctl", 0, 0, "dxxxx" },
	{ "kill", S | P, 0, "dS" },
	{ "landlock_add_rule", D, 0, "fdpx" },
	{ "landlock_create_ruleset", D, 0, "pux" },
	{ "landlock_restrict_self", D, 0, "fx" },
	{ "lchown", F, 0, "sdd" },
	{ "lgetxattr", F, 0, "sspu" },
	{ "link", F, 0, "ss" },
	{ "linkat", F | D, 0, "asasA" },
	{ "listen", N | D, 0, "fd" },
	{ "listmount", 0, 0, "ppux" },
	{ "listxattr", F, 0, "spu" },
	{ "llistxattr", F, 0, "spu" },
	{ "lookup_dcookie", 0, 0, "xpu" },
	{ "lremovexattr", F, 0, "ss" },
	{ "lseek", D, 0, "flE" },
	{ "lsetxattr", F, 0, "sspux" },
	{ "lsm_get_self_attr", 0, 0, "dppx" },
	{ "lsm_list_modules", 0, 0, "ppx" },
	{ "lsm_set_self_attr", 0, 0, "dpux" },
	{ "lstat", F, 0, "sp" },
	{ "madvise", M, 0, "pum" },
	{ "map_shadow_stack", M, HEX, "pux" },
	{ "mbind", M, 0, "puxpux" },
	{ "membarrier", 0, 0, "dxd" },
	{ "memfd_create", D, 0, "sC" },
	{ "memfd_secret", D, 0, "x" },
	{ "migrate_pages", M, 0, "dupp" },
	{ "mincore", M, 0, "pup" },
	{ "mkdir", F, 0, "so" },
	{ "mkdirat", F | D, 0, "aso" },
	{ "mknod", F, 0, "sox" },
	{ "mknodat", F | D, 0, "asox" },
	{ "mlock", M, 0, "pu" },
	{ "mlock2", M, 0, "pux" },
	{ "mlockall", M, 0, "J" },
	{ "mmap", M | D, HEX, "puPFfx" },
	{ "modify_ldt", 0, 0, "dpu" },
	{ "mount", F, 0, "sssxp" },
	{ "mount_setattr", F | D, 0, "asApu" },
	{ "move_mount", F | D, 0, "asasx" },
	{ "move_pages", M, 0, "duppps" },
	{ "mprotect", M, 0, "puP" },
	{ "mq_getsetattr", D, 0, "fpp" },
	{ "mq_notify", D, 0, "fp" },
	{ "mq_open", D, 0, "sOop" },
	{ "mq_timedreceive", D, 0, "fpupp" },
	{ "mq_timedsend", D, 0, "fpuup" },
	{ "mq_unlink", 0, 0, "s" },
	{ "mremap", M, HEX, "puuUD" },
	{ "mseal", M, 0, "pux" },
	{ "msgctl", I, 0, "ddp" },
	{ "msgget", I, 0, "xx" },
	{ "msgrcv", I, 0, "dpulx" },
	{ "msgsnd", I, 0, "dpux" },
	{ "msync", M, 0, "puj" },
	{ "munlock", M, 0, "pu" },
	{ "munlockall", M, 0, "" },
	{ "munmap", M, 0, "pu" },
	{ "name_to_handle_at", F | D, 0, "asppA" },
	{ "nanosleep", 0, 0, "tp" },
	{ "newfstatat", F | D, 0, "aspA" },
	{ "nfsservctl", 0, 0, "" },
	{ "open", F | D, 0, "sOM" },
	{ "open_by_handle_at", D, 0, "fpO" },
	{ "open_tree", F | D, 0, "asx" },
	{ "openat", F | D, 0, "asOM" },
	{ "openat2", F | D, 0, "aspu" },
	{ "pause", S, 0, "" },
	{ "perf_event_open", D, 0, "pddfx" },
	{ "personality", 0, 0, "x" },
	{ "pidfd_getfd", D, 0, "ffx" },
	{ "pidfd_open", D, 0, "dx" },
	{ "pidfd_send_signal", S | P | D, 0, "fSpx" },
	{ "pipe", D, 0, "Q" },
	{ "pipe2", D, 0, "QC" },
	{ "pivot_root", F, 0, "ss" },
	{ "pkey_alloc", 0, 0, "xx" },
	{ "pkey_free", 0, 0, "d" },
	{ "pkey_mprotect", M, 0, "puPd" },
	{ "poll", D, SPC, "pud" },
	{ "ppoll", D, SPC, "putpu" },
	{ "prctl", 0, SPC, "!" },
	{ "pread64", D, 0, "fbul" },
	{ "preadv", D, 0, "fIul" },
	{ "preadv2", D, 0, "fIulx" },
	{ "prlimit64", 0, 0, "drpp" },
	{ "process_madvise", D, 0, "fpumx" },
	{ "process_mrelease", D, 0, "fx" },
	{ "process_vm_readv", 0, 0, "dpupux" },
	{ "process_vm_writev", 0, 0, "dpupux" },
	{ "pselect6", D, SPC, "dppptp" },
	{ "ptrace", 0, 0, "ddpp" },
	{ "putpmsg", 0, 0, "" },
	{ "pwrite64", D, 0, "fBul" },
	{ "pwritev", D, 0, "fiul" },
	{ "pwritev2", D, 0, "fiulx" },
	{ "query_module", 0, 0, "" },
	{ "quotactl", F, 0, "xsdp" },
	{ "quotactl_fd", D, 0, "fxdp" },
	{ "read", D, 0, "fbu" },
	{ "readahead", D, 0, "flu" },
	{ "readlink", F, 0, "sbu" },
	{ "readlinkat", F | D, 0, "asbu" },
	{ "readv", D, 0, "fIu" },
	{ "reboot", 0, 0, "xxxp" },
	{ "recvfrom", N | D, 0, "fbuwNp" },
	{ "recvmmsg", N | D, 0, "fpuwp" },
	{ "recvmsg", N | D, 0, "fpw" },
	{ "remap_file_pages", M, 0, "puPux" },
	{ "removexattr", F, 0, "ss" },
	{ "rename", F, 0, "ss" },
	{ "renameat", F | D, 0, "asas" },
	{ "renameat2", F | D, 0, "asasx" },
	{ "request_key", 0, 0, "sssd" },
	{ "restart_syscall", 0, 0, "" },
	{ "rmdir", F, 0, "s" },
	{ "rseq", 0, 0, "pxxx" },
	{ "rt_sigaction", S, 0, "Sppu" },
	{ "rt_sigpending", S, 0, "pu" },
	{ "rt_sigprocmask", S, 0, "Hppu" },
	{ "rt_sigqueueinfo", S | P, 0, "dSp" },
	{ "rt_sigreturn", S, 0, "p" },
	{ "rt_sigsuspend", S, 0, "pu" },
	{ "rt_sigtimedwait", S, 0, "pppu" },
	{ "rt_tgsigqueueinfo", S | P, 0, "ddSp" },
	{ "sched_get_priority_max", 0, 0, "d" },
	{ "sched_get_priority_min", 0, 0, "d" },
	{ "sched_getaffinity", 0, 0, "dup" },
	{ "sched_getattr", 0, 0, "dpux" },
	{ "sched_getparam", 0, 0, "dp" },
	{ "sched_getscheduler", 0, 0, "d" },
	{ "sched_rr_get_interval", 0, 0, "dp" },
	{ "sched_setaffinity", 0, 0, "dup" },
	{ "sched_setattr", 0, 0, "dpx" },
	{ "sched_setparam", 0, 0, "dp" },
	{ "sched_setscheduler", 0, 0, "ddp" },
	{ "sched_yield", 0, 0, "" },
	{ "seccomp", 0, 0, "dxp" },
	{ "security", 0, 0, "" },
	{ "select", D, SPC, "dpppp" },
	{ "semctl", I, 0, "dddx" },
	{ "semget", I, 0, "xdx" },
	{ "semop", I, 0, "dpu" },
	{ "semtimedop", I, 0, "dpup" },
	{ "sendfile", D, 0, "ffpu" },
	{ "sendmmsg", N | D, 0, "fpuw" },
	{ "sendmsg", N | D, 0, "fpw" },
	{ "sendto", N | D, 0, "fBuwnu" },
	{ "set_mempolicy", M, 0, "dpu" },
	{ "set_mempolicy_home_node", M, 0, "puux" },
	{ "set_robust_list", 0, 0, "pu" },
	{ "set_thread_area", 0, 0, "p" },
	{ "set_tid_address", 0, 0, "p" },
	{ "setdomainname", 0, 0, "su" },
	{ "setfsgid", CR, 0, "d" },
	{ "setfsuid", CR, 0, "d" },
	{ "setgid", CR, 0, "d" },
	{ "setgroups", CR, 0, "dp" },
	{ "sethostname", 0, 0, "su" },
	{ "setitimer", 0, 0, "dpp" },
	{ "setns", D, 0, "fK" },
	{ "setpgid", 0, 0, "dd" },
	{ "setpriority", 0, 0, "Vdd" },
	{ "setregid", CR, 0, "dd" },
	{ "setresgid", CR, 0, "ddd" },
	{ "setresuid", CR, 0, "ddd" },
	{ "setreuid", CR, 0, "dd" },
	{ "setrlimit", 0, 0, "rp" },
	{ "setsid", 0, 0, "" },
	{ "setsockopt", N | D, 0, "fyzpu" },
	{ "settimeofday", CL, 0, "pp" },
	{ "setuid", CR, 0, "d" },
	{ "setxattr", F, 0, "sspux" },
	{ "shmat", I | M, HEX, "dpx" },
	{ "shmctl", I, 0, "ddp" },
	{ "shmdt", I | M, 0, "p" },
	{ "shmget", I, 0, "xux" },
	{ "shutdown", N | D, 0, "fk" },
	{ "sigaltstack", S, 0, "pp" },
	{ "signalfd", S | D, 0, "fpu" },
	{ "signalfd4", S | D, 0, "fpuC" },
	{ "socket", N, 0, "YTR" },
	{ "socketpair", N, 0, "YTRQ" },
	{ "splice", D, 0, "fpfpux" },
	{ "stat", F, 0, "sp" },
	{ "statfs", F, 0, "sp" },
	{ "statmount", 0, 0, "ppux" },
	{ "statx", F | D, 0, "as12p" },
	{ "swapoff", F, 0, "s" },
	{ "swapon", F, 0, "sx" },
	{ "symlink", F, 0, "ss" },
	{ "symlinkat", F | D, 0, "sas" },
	{ "sync", 0, 0, "" },
	{ "sync_file_range", D, 0, "fllx" },
	{ "syncfs", D, 0, "f" },
	{ "sysfs", 0, 0, "dxx" },
	{ "sysinfo", 0, 0, "p" },
	{ "syslog", 0, 0, "dpd" },
	{ "tee", D, 0, "ffux" },
	{ "tgkill", S | P, 0, "ddS" },
	{ "time", CL, 0, "p" },
	{ "timer_create", 0, 0, "Lpp" },
	{ "timer_delete", 0, 0, "d" },
	{ "timer_getoverrun", 0, 0, "d" },
	{ "timer_gettime", 0, 0, "dp" },
	{ "timer_settime", 0, 0, "dxpp" },
	{ "timerfd_create", D, 0, "LC" },
	{ "timerfd_gettime", D, 0, "fp" },
	{ "timerfd_settime", D, 0, "fxpp" },
	{ "times", 0, 0, "p" },
	{ "tkill", S | P, 0, "dS" },
	{ "truncate", F, 0, "sl" },
	{ "tuxcall", 0, 0, "" },
	{ "umask", 0, OCT, "o" },
	{ "umount2", F, 0, "sx" },
	{ "uname", 0, 0, "p" },
	{ "unlink", F, 0, "s" },
	{ "unlinkat", F | D, 0, "asA" },
	{ "unshare", 0, 0, "K" },
	{ "uretprobe", 0, 0, "" },
	{ "uselib", F, 0, "s" },
	{ "userfaultfd", D, 0, "C" },
	{ "ustat", 0, 0, "xp" },
	{ "utime", F, 0, "sp" },
	{ "utimensat", F | D, 0, "aspA" },
	{ "utimes", F, 0, "sp" },
	{ "vfork", P, 0, "" },
	{ "vhangup", 0, 0, "" },
	{ "vmsplice", D, 0, "fpux" },
	{ "vserver", 0, 0, "" },
	{ "wait4", P, 0, "dZWp" },
	{ "waitid", P, 0, "ddpWp" },
	{ "write", D, 0, "fBu" },
	{ "writev", D, 0, "fiu" },
};

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tl_sysdesc *)elem)->name);
}

const struct tl_sysdesc *tl_sysdesc_find(const char *name)
{
	if (!name)
		return NULL;
	return bsearch(name, sysdescs, sizeof(sysdescs) / sizeof(sysdescs[0]), sizeof(sysdescs[0]),
		       cmp_name);
}

const struct tl_sysdesc *tl_sysdesc_table(unsigned *count)
{
	*count = sizeof(sysdescs) / sizeof(sysdescs[0]);
	return sysdescs;
}

unsigned tl_syscall_classes(unsigned arch, unsigned nr)
{
	const struct tl_sysdesc *d = tl_sysdesc_find(tl_syscall_name(arch, nr));

	return d ? d->classes : 0;
}

static const struct {
	const char *name;
	unsigned mask;
} class_names[] = {
	{ "file", TL_CLASS_FILE }, { "network", TL_CLASS_NETWORK }, { "net", TL_CLASS_NETWORK },
	{ "process", TL_CLASS_PROCESS }, { "signal", TL_CLASS_SIGNAL },
	{ "memory", TL_CLASS_MEMORY }, { "desc", TL_CLASS_DESC }, { "ipc", TL_CLASS_IPC },
	{ "creds", TL_CLASS_CREDS }, { "clock", TL_CLASS_CLOCK },
};

static void bit_set(uint8_t *bitmap, unsigned nr, bool on)
{
	if (on)
		bitmap[nr / 8] |= 1u << (nr % 8);
	else
		bitmap[nr / 8] &= ~(1u << (nr % 8));
}

/* One item of a spec: "all", "%class", or a syscall name. */
static int spec_item(unsigned arch, const char *item, uint8_t *bitmap, bool on, char *err,
		     size_t errlen)
{
	unsigned i, nr, mask = 0;
	int n;

	if (!strcmp(item, "none"))
		return 0;
	if (!strcmp(item, "all")) {
		for (nr = 0; nr < TL_NR_MAX; nr++)
			if (tl_syscall_name(arch, nr))
				bit_set(bitmap, nr, on);
		return 0;
	}
	if (item[0] == '%') {
		for (i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
			if (!strcmp(item + 1, class_names[i].name))
				mask = class_names[i].mask;
		if (!mask) {
			snprintf(err, errlen, "unknown syscall class '%s' (%%file, %%network, "
				 "%%process, %%signal, %%memory, %%desc, %%ipc, %%creds, %%clock)",
				 item);
			return -1;
		}
		for (nr = 0; nr < TL_NR_MAX; nr++)
			if (tl_syscall_classes(arch, nr) & mask)
				bit_set(bitmap, nr, on);
		return 0;
	}
	n = tl_syscall_number(arch, item);
	if (n < 0) {
		snprintf(err, errlen, "unknown syscall '%s'", item);
		return -1;
	}
	bit_set(bitmap, n, on);
	return 0;
}

int tl_parse_trace_spec(unsigned arch, const char *spec, uint8_t *bitmap, char *err,
			size_t errlen)
{
	char item[64];
	const char *p, *end;
	bool negate = false;
	size_t n;

	if (!spec || !*spec) {
		snprintf(err, errlen, "empty syscall list");
		return -1;
	}
	if (!tl_syscall_name(arch, 0) && !tl_syscall_name(arch, 1)) {
		snprintf(err, errlen, "unknown architecture %u", arch);
		return -1;
	}
	/* "!a,b" negates the whole list, as strace's does. */
	if (*spec == '!') {
		negate = true;
		spec++;
	}
	memset(bitmap, negate ? 0xff : 0, TL_NR_MAX / 8);
	for (p = spec; ; p = end + 1) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		n = end - p;
		if (!n) {
			snprintf(err, errlen, "empty name in syscall list '%s'", spec);
			return -1;
		}
		if (n >= sizeof(item)) {
			snprintf(err, errlen, "unknown syscall '%.*s...'", 20, p);
			return -1;
		}
		memcpy(item, p, n);
		item[n] = 0;
		if (spec_item(arch, item, bitmap, !negate, err, errlen))
			return -1;
		if (!*end)
			break;
	}
	return 0;
}
