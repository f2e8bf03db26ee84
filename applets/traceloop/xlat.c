// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop's decoder: names of values and flags, in the order strace
 * prints them (checked against strace 6.1's output on Debian 12).  Values
 * are the kernel's UAPI ones, written out so that a record from an arm64
 * host decodes the same on x86_64 and back.
 */
#include "xlat.h"

#define X(v, n) { v, n }
#define END { 0, NULL }

const struct tl_xlat tl_open_accmode[] = {
	X(0, "O_RDONLY"), X(1, "O_WRONLY"), X(2, "O_RDWR"), X(3, "O_ACCMODE"), END,
};

/* O_TMPFILE holds O_DIRECTORY's bit: it comes first and takes both. */
const struct tl_xlat tl_open_flags_x86_64[] = {
	X(00000100, "O_CREAT"), X(00000200, "O_EXCL"), X(00000400, "O_NOCTTY"),
	X(00001000, "O_TRUNC"), X(00002000, "O_APPEND"), X(00004000, "O_NONBLOCK"),
	X(04010000, "O_SYNC"), X(00010000, "O_DSYNC"), X(00040000, "O_DIRECT"),
	X(00100000, "O_LARGEFILE"), X(00400000, "O_NOFOLLOW"), X(01000000, "O_NOATIME"),
	X(02000000, "O_CLOEXEC"), X(010000000, "O_PATH"), X(020200000, "O_TMPFILE"),
	X(00200000, "O_DIRECTORY"), X(00020000, "FASYNC"), END,
};

/* arm64 swaps O_DIRECTORY/O_NOFOLLOW with O_DIRECT/O_LARGEFILE. */
const struct tl_xlat tl_open_flags_arm64[] = {
	X(00000100, "O_CREAT"), X(00000200, "O_EXCL"), X(00000400, "O_NOCTTY"),
	X(00001000, "O_TRUNC"), X(00002000, "O_APPEND"), X(00004000, "O_NONBLOCK"),
	X(04010000, "O_SYNC"), X(00010000, "O_DSYNC"), X(00200000, "O_DIRECT"),
	X(00400000, "O_LARGEFILE"), X(00100000, "O_NOFOLLOW"), X(01000000, "O_NOATIME"),
	X(02000000, "O_CLOEXEC"), X(010000000, "O_PATH"), X(020040000, "O_TMPFILE"),
	X(00040000, "O_DIRECTORY"), X(00020000, "FASYNC"), END,
};

const struct tl_xlat tl_at_flags[] = {
	X(0x100, "AT_SYMLINK_NOFOLLOW"), X(0x200, "AT_REMOVEDIR"), X(0x400, "AT_SYMLINK_FOLLOW"),
	X(0x800, "AT_NO_AUTOMOUNT"), X(0x1000, "AT_EMPTY_PATH"), X(0x8000, "AT_RECURSIVE"), END,
};

/* statx: the sync type (0x6000) is a value, named first. */
const struct tl_xlat tl_statx_sync[] = {
	X(0, "AT_STATX_SYNC_AS_STAT"), X(0x2000, "AT_STATX_FORCE_SYNC"),
	X(0x4000, "AT_STATX_DONT_SYNC"), END,
};

const struct tl_xlat tl_statx_mask[] = {
	X(0x7ff, "STATX_BASIC_STATS"), X(0x1, "STATX_TYPE"), X(0x2, "STATX_MODE"),
	X(0x4, "STATX_NLINK"), X(0x8, "STATX_UID"), X(0x10, "STATX_GID"), X(0x20, "STATX_ATIME"),
	X(0x40, "STATX_MTIME"), X(0x80, "STATX_CTIME"), X(0x100, "STATX_INO"),
	X(0x200, "STATX_SIZE"), X(0x400, "STATX_BLOCKS"), X(0x800, "STATX_BTIME"),
	X(0x1000, "STATX_MNT_ID"), X(0x2000, "STATX_DIOALIGN"), X(0x4000, "STATX_MNT_ID_UNIQUE"),
	X(0x8000, "STATX_SUBVOL"), X(0x10000, "STATX_WRITE_ATOMIC"), END,
};

/* faccessat2: 0x200 is AT_EACCESS there. */
const struct tl_xlat tl_at_flags_access[] = {
	X(0x100, "AT_SYMLINK_NOFOLLOW"), X(0x200, "AT_EACCESS"), X(0x1000, "AT_EMPTY_PATH"), END,
};

const struct tl_xlat tl_at_flags_unlink[] = {
	X(0x200, "AT_REMOVEDIR"), END,
};

const struct tl_xlat tl_mmap_prot[] = {
	X(0, "PROT_NONE"), X(0x1, "PROT_READ"), X(0x2, "PROT_WRITE"), X(0x4, "PROT_EXEC"),
	X(0x8, "PROT_SEM"), X(0x01000000, "PROT_GROWSDOWN"), X(0x02000000, "PROT_GROWSUP"), END,
};

const struct tl_xlat tl_mmap_prot_arm64[] = {
	X(0, "PROT_NONE"), X(0x1, "PROT_READ"), X(0x2, "PROT_WRITE"), X(0x4, "PROT_EXEC"),
	X(0x8, "PROT_SEM"), X(0x10, "PROT_BTI"), X(0x20, "PROT_MTE"),
	X(0x01000000, "PROT_GROWSDOWN"), X(0x02000000, "PROT_GROWSUP"), END,
};

/* The low four bits of mmap's flags are a type, not flags. */
const struct tl_xlat tl_mmap_type[] = {
	X(0, "MAP_FILE"), X(1, "MAP_SHARED"), X(2, "MAP_PRIVATE"), X(3, "MAP_SHARED_VALIDATE"),
	END,
};

const struct tl_xlat tl_mmap_flags[] = {
	X(0x10, "MAP_FIXED"), X(0x20, "MAP_ANONYMOUS"), X(0x40, "MAP_32BIT"),
	X(0x4000, "MAP_NORESERVE"), X(0x8000, "MAP_POPULATE"), X(0x10000, "MAP_NONBLOCK"),
	X(0x100, "MAP_GROWSDOWN"), X(0x800, "MAP_DENYWRITE"), X(0x1000, "MAP_EXECUTABLE"),
	X(0x2000, "MAP_LOCKED"), X(0x20000, "MAP_STACK"), X(0x40000, "MAP_HUGETLB"),
	X(0x80000, "MAP_SYNC"), X(0x100000, "MAP_FIXED_NOREPLACE"),
	X(0x4000000, "MAP_UNINITIALIZED"), END,
};

const struct tl_xlat tl_clone_flags[] = {
	X(0x80, "CLONE_NEWTIME"), X(0x100, "CLONE_VM"), X(0x200, "CLONE_FS"),
	X(0x400, "CLONE_FILES"), X(0x800, "CLONE_SIGHAND"), X(0x1000, "CLONE_PIDFD"),
	X(0x2000, "CLONE_PTRACE"), X(0x4000, "CLONE_VFORK"), X(0x8000, "CLONE_PARENT"),
	X(0x10000, "CLONE_THREAD"), X(0x20000, "CLONE_NEWNS"), X(0x40000, "CLONE_SYSVSEM"),
	X(0x80000, "CLONE_SETTLS"), X(0x100000, "CLONE_PARENT_SETTID"),
	X(0x200000, "CLONE_CHILD_CLEARTID"), X(0x800000, "CLONE_UNTRACED"),
	X(0x1000000, "CLONE_CHILD_SETTID"), X(0x2000000, "CLONE_NEWCGROUP"),
	X(0x4000000, "CLONE_NEWUTS"), X(0x8000000, "CLONE_NEWIPC"),
	X(0x10000000, "CLONE_NEWUSER"), X(0x20000000, "CLONE_NEWPID"),
	X(0x40000000, "CLONE_NEWNET"), X(0x80000000, "CLONE_IO"), END,
};

/* What unshare() and setns() accept. */
const struct tl_xlat tl_unshare_flags[] = {
	X(0x80, "CLONE_NEWTIME"), X(0x100, "CLONE_VM"), X(0x200, "CLONE_FS"),
	X(0x400, "CLONE_FILES"), X(0x800, "CLONE_SIGHAND"), X(0x10000, "CLONE_THREAD"),
	X(0x20000, "CLONE_NEWNS"), X(0x40000, "CLONE_SYSVSEM"), X(0x2000000, "CLONE_NEWCGROUP"),
	X(0x4000000, "CLONE_NEWUTS"), X(0x8000000, "CLONE_NEWIPC"),
	X(0x10000000, "CLONE_NEWUSER"), X(0x20000000, "CLONE_NEWPID"),
	X(0x40000000, "CLONE_NEWNET"), END,
};

const struct tl_xlat tl_wait_options[] = {
	X(0x1, "WNOHANG"), X(0x4, "WEXITED"), X(0x2, "WSTOPPED"), X(0x8, "WCONTINUED"),
	X(0x01000000, "WNOWAIT"), X(0x80000000, "__WCLONE"), X(0x40000000, "__WALL"),
	X(0x20000000, "__WNOTHREAD"), END,
};

const struct tl_xlat tl_getrandom_flags[] = {
	X(0x1, "GRND_NONBLOCK"), X(0x2, "GRND_RANDOM"), X(0x4, "GRND_INSECURE"), END,
};

const struct tl_xlat tl_access_modes[] = {
	X(0, "F_OK"), X(4, "R_OK"), X(2, "W_OK"), X(1, "X_OK"), END,
};

const struct tl_xlat tl_address_families[] = {
	X(0, "AF_UNSPEC"), X(1, "AF_UNIX"), X(2, "AF_INET"), X(3, "AF_AX25"), X(4, "AF_IPX"),
	X(5, "AF_APPLETALK"), X(6, "AF_NETROM"), X(7, "AF_BRIDGE"), X(8, "AF_ATMPVC"),
	X(9, "AF_X25"), X(10, "AF_INET6"), X(11, "AF_ROSE"), X(12, "AF_DECnet"),
	X(13, "AF_NETBEUI"), X(14, "AF_SECURITY"), X(15, "AF_KEY"), X(16, "AF_NETLINK"),
	X(17, "AF_PACKET"), X(18, "AF_ASH"), X(19, "AF_ECONET"), X(20, "AF_ATMSVC"),
	X(21, "AF_RDS"), X(22, "AF_SNA"), X(23, "AF_IRDA"), X(24, "AF_PPPOX"),
	X(25, "AF_WANPIPE"), X(26, "AF_LLC"), X(27, "AF_IB"), X(28, "AF_MPLS"), X(29, "AF_CAN"),
	X(30, "AF_TIPC"), X(31, "AF_BLUETOOTH"), X(32, "AF_IUCV"), X(33, "AF_RXRPC"),
	X(34, "AF_ISDN"), X(35, "AF_PHONET"), X(36, "AF_IEEE802154"), X(37, "AF_CAIF"),
	X(38, "AF_ALG"), X(39, "AF_NFC"), X(40, "AF_VSOCK"), X(41, "AF_KCM"),
	X(42, "AF_QIPCRTR"), X(43, "AF_SMC"), X(44, "AF_XDP"), X(45, "AF_MCTP"), END,
};

const struct tl_xlat tl_socket_types[] = {
	X(1, "SOCK_STREAM"), X(2, "SOCK_DGRAM"), X(3, "SOCK_RAW"), X(4, "SOCK_RDM"),
	X(5, "SOCK_SEQPACKET"), X(6, "SOCK_DCCP"), X(10, "SOCK_PACKET"), END,
};

const struct tl_xlat tl_socket_flags[] = {
	X(02000000, "SOCK_CLOEXEC"), X(00004000, "SOCK_NONBLOCK"), END,
};

const struct tl_xlat tl_inet_protocols[] = {
	X(0, "IPPROTO_IP"), X(1, "IPPROTO_ICMP"), X(2, "IPPROTO_IGMP"), X(4, "IPPROTO_IPIP"),
	X(6, "IPPROTO_TCP"), X(8, "IPPROTO_EGP"), X(12, "IPPROTO_PUP"), X(17, "IPPROTO_UDP"),
	X(22, "IPPROTO_IDP"), X(29, "IPPROTO_TP"), X(33, "IPPROTO_DCCP"), X(41, "IPPROTO_IPV6"),
	X(43, "IPPROTO_ROUTING"), X(44, "IPPROTO_FRAGMENT"), X(46, "IPPROTO_RSVP"),
	X(47, "IPPROTO_GRE"), X(50, "IPPROTO_ESP"), X(51, "IPPROTO_AH"), X(58, "IPPROTO_ICMPV6"),
	X(59, "IPPROTO_NONE"), X(60, "IPPROTO_DSTOPTS"), X(92, "IPPROTO_MTP"),
	X(94, "IPPROTO_BEETPH"), X(98, "IPPROTO_ENCAP"), X(103, "IPPROTO_PIM"),
	X(108, "IPPROTO_COMP"), X(115, "IPPROTO_L2TP"), X(132, "IPPROTO_SCTP"),
	X(135, "IPPROTO_MH"), X(136, "IPPROTO_UDPLITE"), X(137, "IPPROTO_MPLS"),
	X(143, "IPPROTO_ETHERNET"), X(255, "IPPROTO_RAW"), X(262, "IPPROTO_MPTCP"), END,
};

const struct tl_xlat tl_netlink_protocols[] = {
	X(0, "NETLINK_ROUTE"), X(1, "NETLINK_UNUSED"), X(2, "NETLINK_USERSOCK"),
	X(3, "NETLINK_FIREWALL"), X(4, "NETLINK_SOCK_DIAG"), X(5, "NETLINK_NFLOG"),
	X(6, "NETLINK_XFRM"), X(7, "NETLINK_SELINUX"), X(8, "NETLINK_ISCSI"),
	X(9, "NETLINK_AUDIT"), X(10, "NETLINK_FIB_LOOKUP"), X(11, "NETLINK_CONNECTOR"),
	X(12, "NETLINK_NETFILTER"), X(13, "NETLINK_IP6_FW"), X(14, "NETLINK_DNRTMSG"),
	X(15, "NETLINK_KOBJECT_UEVENT"), X(16, "NETLINK_GENERIC"), X(18, "NETLINK_SCSITRANSPORT"),
	X(19, "NETLINK_ECRYPTFS"), X(20, "NETLINK_RDMA"), X(21, "NETLINK_CRYPTO"),
	X(22, "NETLINK_SMC"), END,
};

const struct tl_xlat tl_sigprocmask_how[] = {
	X(0, "SIG_BLOCK"), X(1, "SIG_UNBLOCK"), X(2, "SIG_SETMASK"), END,
};

const struct tl_xlat tl_clocks[] = {
	X(0, "CLOCK_REALTIME"), X(1, "CLOCK_MONOTONIC"), X(2, "CLOCK_PROCESS_CPUTIME_ID"),
	X(3, "CLOCK_THREAD_CPUTIME_ID"), X(4, "CLOCK_MONOTONIC_RAW"),
	X(5, "CLOCK_REALTIME_COARSE"), X(6, "CLOCK_MONOTONIC_COARSE"), X(7, "CLOCK_BOOTTIME"),
	X(8, "CLOCK_REALTIME_ALARM"), X(9, "CLOCK_BOOTTIME_ALARM"), X(10, "CLOCK_SGI_CYCLE"),
	X(11, "CLOCK_TAI"), END,
};

const struct tl_xlat tl_timer_flags[] = {
	X(1, "TIMER_ABSTIME"), END,
};

const struct tl_xlat tl_whence[] = {
	X(0, "SEEK_SET"), X(1, "SEEK_CUR"), X(2, "SEEK_END"), X(3, "SEEK_DATA"), X(4, "SEEK_HOLE"),
	END,
};

const struct tl_xlat tl_rlimits[] = {
	X(0, "RLIMIT_CPU"), X(1, "RLIMIT_FSIZE"), X(2, "RLIMIT_DATA"), X(3, "RLIMIT_STACK"),
	X(4, "RLIMIT_CORE"), X(5, "RLIMIT_RSS"), X(6, "RLIMIT_NPROC"), X(7, "RLIMIT_NOFILE"),
	X(8, "RLIMIT_MEMLOCK"), X(9, "RLIMIT_AS"), X(10, "RLIMIT_LOCKS"),
	X(11, "RLIMIT_SIGPENDING"), X(12, "RLIMIT_MSGQUEUE"), X(13, "RLIMIT_NICE"),
	X(14, "RLIMIT_RTPRIO"), X(15, "RLIMIT_RTTIME"), END,
};

const struct tl_xlat tl_shutdown_how[] = {
	X(0, "SHUT_RD"), X(1, "SHUT_WR"), X(2, "SHUT_RDWR"), END,
};

const struct tl_xlat tl_madvise[] = {
	X(0, "MADV_NORMAL"), X(1, "MADV_RANDOM"), X(2, "MADV_SEQUENTIAL"), X(3, "MADV_WILLNEED"),
	X(4, "MADV_DONTNEED"), X(8, "MADV_FREE"), X(9, "MADV_REMOVE"), X(10, "MADV_DONTFORK"),
	X(11, "MADV_DOFORK"), X(12, "MADV_MERGEABLE"), X(13, "MADV_UNMERGEABLE"),
	X(14, "MADV_HUGEPAGE"), X(15, "MADV_NOHUGEPAGE"), X(16, "MADV_DONTDUMP"),
	X(17, "MADV_DODUMP"), X(18, "MADV_WIPEONFORK"), X(19, "MADV_KEEPONFORK"),
	X(20, "MADV_COLD"), X(21, "MADV_PAGEOUT"), X(22, "MADV_POPULATE_READ"),
	X(23, "MADV_POPULATE_WRITE"), X(24, "MADV_DONTNEED_LOCKED"), X(25, "MADV_COLLAPSE"),
	X(100, "MADV_HWPOISON"), X(101, "MADV_SOFT_OFFLINE"), END,
};

const struct tl_xlat tl_fcntl_cmds[] = {
	X(0, "F_DUPFD"), X(1, "F_GETFD"), X(2, "F_SETFD"), X(3, "F_GETFL"), X(4, "F_SETFL"),
	X(5, "F_GETLK"), X(6, "F_SETLK"), X(7, "F_SETLKW"), X(8, "F_SETOWN"), X(9, "F_GETOWN"),
	X(10, "F_SETSIG"), X(11, "F_GETSIG"), X(12, "F_GETLK64"), X(13, "F_SETLK64"),
	X(14, "F_SETLKW64"), X(15, "F_SETOWN_EX"), X(16, "F_GETOWN_EX"),
	X(17, "F_GETOWNER_UIDS"), X(36, "F_OFD_GETLK"), X(37, "F_OFD_SETLK"),
	X(38, "F_OFD_SETLKW"), X(1024, "F_SETLEASE"), X(1025, "F_GETLEASE"),
	X(1026, "F_NOTIFY"), X(1029, "F_CANCELLK"), X(1030, "F_DUPFD_CLOEXEC"),
	X(1031, "F_SETPIPE_SZ"), X(1032, "F_GETPIPE_SZ"), X(1033, "F_ADD_SEALS"),
	X(1034, "F_GET_SEALS"), X(1035, "F_GET_RW_HINT"), X(1036, "F_SET_RW_HINT"),
	X(1037, "F_GET_FILE_RW_HINT"), X(1038, "F_SET_FILE_RW_HINT"), END,
};

const struct tl_xlat tl_fd_flags[] = {
	X(1, "FD_CLOEXEC"), END,
};

const struct tl_xlat tl_lease_types[] = {
	X(0, "F_RDLCK"), X(1, "F_WRLCK"), X(2, "F_UNLCK"), END,
};

const struct tl_xlat tl_notify_flags[] = {
	X(0x1, "DN_ACCESS"), X(0x2, "DN_MODIFY"), X(0x4, "DN_CREATE"), X(0x8, "DN_DELETE"),
	X(0x10, "DN_RENAME"), X(0x20, "DN_ATTRIB"), X(0x80000000, "DN_MULTISHOT"), END,
};

const struct tl_xlat tl_seals[] = {
	X(0x1, "F_SEAL_SEAL"), X(0x2, "F_SEAL_SHRINK"), X(0x4, "F_SEAL_GROW"),
	X(0x8, "F_SEAL_WRITE"), X(0x10, "F_SEAL_FUTURE_WRITE"), X(0x20, "F_SEAL_EXEC"), END,
};

const struct tl_xlat tl_futex_cmds[] = {
	X(0, "FUTEX_WAIT"), X(1, "FUTEX_WAKE"), X(2, "FUTEX_FD"), X(3, "FUTEX_REQUEUE"),
	X(4, "FUTEX_CMP_REQUEUE"), X(5, "FUTEX_WAKE_OP"), X(6, "FUTEX_LOCK_PI"),
	X(7, "FUTEX_UNLOCK_PI"), X(8, "FUTEX_TRYLOCK_PI"), X(9, "FUTEX_WAIT_BITSET"),
	X(10, "FUTEX_WAKE_BITSET"), X(11, "FUTEX_WAIT_REQUEUE_PI"),
	X(12, "FUTEX_CMP_REQUEUE_PI"), X(13, "FUTEX_LOCK_PI2"), END,
};

const struct tl_xlat tl_futex_wake_ops[] = {
	X(0, "FUTEX_OP_SET"), X(1, "FUTEX_OP_ADD"), X(2, "FUTEX_OP_OR"), X(3, "FUTEX_OP_ANDN"),
	X(4, "FUTEX_OP_XOR"), END,
};

const struct tl_xlat tl_futex_wake_cmps[] = {
	X(0, "FUTEX_OP_CMP_EQ"), X(1, "FUTEX_OP_CMP_NE"), X(2, "FUTEX_OP_CMP_LT"),
	X(3, "FUTEX_OP_CMP_LE"), X(4, "FUTEX_OP_CMP_GT"), X(5, "FUTEX_OP_CMP_GE"), END,
};

/* The requests programs use most (asm-generic/ioctls.h, linux/sockios.h,
 * linux/fs.h); others are printed as _IOC(dir, type, nr, size). */
const struct tl_xlat tl_ioctls[] = {
	X(0x5401, "TCGETS"), X(0x5402, "TCSETS"), X(0x5403, "TCSETSW"), X(0x5404, "TCSETSF"),
	X(0x5405, "TCGETA"), X(0x5406, "TCSETA"), X(0x5407, "TCSETAW"), X(0x5408, "TCSETAF"),
	X(0x5409, "TCSBRK"), X(0x540A, "TCXONC"), X(0x540B, "TCFLSH"), X(0x540C, "TIOCEXCL"),
	X(0x540D, "TIOCNXCL"), X(0x540E, "TIOCSCTTY"), X(0x540F, "TIOCGPGRP"),
	X(0x5410, "TIOCSPGRP"), X(0x5411, "TIOCOUTQ"), X(0x5412, "TIOCSTI"),
	X(0x5413, "TIOCGWINSZ"), X(0x5414, "TIOCSWINSZ"), X(0x5415, "TIOCMGET"),
	X(0x5416, "TIOCMBIS"), X(0x5417, "TIOCMBIC"), X(0x5418, "TIOCMSET"),
	X(0x541B, "FIONREAD"), X(0x541C, "TIOCLINUX"), X(0x541D, "TIOCCONS"),
	X(0x5421, "FIONBIO"), X(0x5422, "TIOCNOTTY"), X(0x5423, "TIOCSETD"),
	X(0x5424, "TIOCGETD"), X(0x5429, "TIOCGSID"), X(0x80045430, "TIOCGPTN"),
	X(0x40045431, "TIOCSPTLCK"), X(0x5441, "TIOCGPTPEER"), X(0x5450, "FIONCLEX"),
	X(0x5451, "FIOCLEX"), X(0x5452, "FIOASYNC"), X(0x5460, "FIOQSIZE"),
	X(0x8901, "FIOSETOWN"), X(0x8902, "SIOCSPGRP"), X(0x8903, "FIOGETOWN"),
	X(0x8904, "SIOCGPGRP"), X(0x8905, "SIOCATMARK"), X(0x8910, "SIOCGIFNAME"),
	X(0x8912, "SIOCGIFCONF"), X(0x8913, "SIOCGIFFLAGS"), X(0x8914, "SIOCSIFFLAGS"),
	X(0x8915, "SIOCGIFADDR"), X(0x8921, "SIOCGIFMTU"), X(0x8927, "SIOCGIFHWADDR"),
	X(0x8933, "SIOCGIFINDEX"), X(0x80081272, "BLKGETSIZE64"), X(0x1260, "BLKGETSIZE"),
	X(0x1268, "BLKSSZGET"), X(0x40086602, "FS_IOC_SETFLAGS"), X(0x80086601, "FS_IOC_GETFLAGS"),
	X(0xc020660b, "FS_IOC_FIEMAP"), X(0x40049409, "BTRFS_IOC_CLONE or FICLONE"),
	X(0x4020940d, "BTRFS_IOC_CLONE_RANGE or FICLONERANGE"),
	END,
};

const struct tl_xlat tl_prctl_options[] = {
	X(1, "PR_SET_PDEATHSIG"), X(2, "PR_GET_PDEATHSIG"), X(3, "PR_GET_DUMPABLE"),
	X(4, "PR_SET_DUMPABLE"), X(5, "PR_GET_UNALIGN"), X(6, "PR_SET_UNALIGN"),
	X(7, "PR_GET_KEEPCAPS"), X(8, "PR_SET_KEEPCAPS"), X(9, "PR_GET_FPEMU"),
	X(10, "PR_SET_FPEMU"), X(11, "PR_GET_FPEXC"), X(12, "PR_SET_FPEXC"),
	X(13, "PR_GET_TIMING"), X(14, "PR_SET_TIMING"), X(15, "PR_SET_NAME"),
	X(16, "PR_GET_NAME"), X(19, "PR_GET_ENDIAN"), X(20, "PR_SET_ENDIAN"),
	X(21, "PR_GET_SECCOMP"), X(22, "PR_SET_SECCOMP"), X(23, "PR_CAPBSET_READ"),
	X(24, "PR_CAPBSET_DROP"), X(25, "PR_GET_TSC"), X(26, "PR_SET_TSC"),
	X(27, "PR_GET_SECUREBITS"), X(28, "PR_SET_SECUREBITS"), X(29, "PR_SET_TIMERSLACK"),
	X(30, "PR_GET_TIMERSLACK"), X(31, "PR_TASK_PERF_EVENTS_DISABLE"),
	X(32, "PR_TASK_PERF_EVENTS_ENABLE"), X(33, "PR_MCE_KILL"), X(34, "PR_MCE_KILL_GET"),
	X(35, "PR_SET_MM"), X(36, "PR_SET_CHILD_SUBREAPER"), X(37, "PR_GET_CHILD_SUBREAPER"),
	X(38, "PR_SET_NO_NEW_PRIVS"), X(39, "PR_GET_NO_NEW_PRIVS"), X(40, "PR_GET_TID_ADDRESS"),
	X(41, "PR_SET_THP_DISABLE"), X(42, "PR_GET_THP_DISABLE"),
	X(43, "PR_MPX_ENABLE_MANAGEMENT"), X(44, "PR_MPX_DISABLE_MANAGEMENT"),
	X(45, "PR_SET_FP_MODE"), X(46, "PR_GET_FP_MODE"), X(47, "PR_CAP_AMBIENT"),
	X(50, "PR_SVE_SET_VL"), X(51, "PR_SVE_GET_VL"), X(52, "PR_GET_SPECULATION_CTRL"),
	X(53, "PR_SET_SPECULATION_CTRL"), X(54, "PR_PAC_RESET_KEYS"),
	X(55, "PR_SET_TAGGED_ADDR_CTRL"), X(56, "PR_GET_TAGGED_ADDR_CTRL"),
	X(57, "PR_SET_IO_FLUSHER"), X(58, "PR_GET_IO_FLUSHER"),
	X(59, "PR_SET_SYSCALL_USER_DISPATCH"), X(60, "PR_PAC_SET_ENABLED_KEYS"),
	X(61, "PR_PAC_GET_ENABLED_KEYS"), X(62, "PR_SCHED_CORE"), X(63, "PR_SME_SET_VL"),
	X(64, "PR_SME_GET_VL"), X(65, "PR_SET_MDWE"), X(66, "PR_GET_MDWE"),
	X(0x53564d41, "PR_SET_VMA"), X(0x41555856, "PR_GET_AUXV"), END,
};

const struct tl_xlat tl_dumpable[] = {
	X(0, "SUID_DUMP_DISABLE"), X(1, "SUID_DUMP_USER"), X(2, "SUID_DUMP_ROOT"), END,
};

const struct tl_xlat tl_arch_prctl_codes[] = {
	X(0x1001, "ARCH_SET_GS"), X(0x1002, "ARCH_SET_FS"), X(0x1003, "ARCH_GET_FS"),
	X(0x1004, "ARCH_GET_GS"), X(0x1011, "ARCH_GET_CPUID"), X(0x1012, "ARCH_SET_CPUID"),
	X(0x1021, "ARCH_GET_XCOMP_SUPP"), X(0x1022, "ARCH_GET_XCOMP_PERM"),
	X(0x1023, "ARCH_REQ_XCOMP_PERM"), X(0x2001, "ARCH_MAP_VDSO_X32"),
	X(0x2002, "ARCH_MAP_VDSO_32"), X(0x2003, "ARCH_MAP_VDSO_64"), END,
};

/* The flags of the calls that make a descriptor, each named its own way. */
const struct tl_xlat tl_epoll_flags[] = { X(02000000, "EPOLL_CLOEXEC"), END };
const struct tl_xlat tl_eventfd_flags[] = {
	X(02000000, "EFD_CLOEXEC"), X(00004000, "EFD_NONBLOCK"), X(1, "EFD_SEMAPHORE"), END,
};
const struct tl_xlat tl_inotify_flags[] = {
	X(00004000, "IN_NONBLOCK"), X(02000000, "IN_CLOEXEC"), END,
};
const struct tl_xlat tl_signalfd_flags[] = {
	X(02000000, "SFD_CLOEXEC"), X(00004000, "SFD_NONBLOCK"), END,
};
const struct tl_xlat tl_timerfd_flags[] = {
	X(02000000, "TFD_CLOEXEC"), X(00004000, "TFD_NONBLOCK"), END,
};
const struct tl_xlat tl_memfd_flags[] = {
	X(1, "MFD_CLOEXEC"), X(2, "MFD_ALLOW_SEALING"), X(4, "MFD_HUGETLB"),
	X(8, "MFD_NOEXEC_SEAL"), X(0x10, "MFD_EXEC"), END,
};

const struct tl_xlat tl_socket_levels[] = {
	X(0, "SOL_IP"), X(1, "SOL_SOCKET"), X(6, "SOL_TCP"), X(17, "SOL_UDP"),
	X(41, "SOL_IPV6"), X(58, "SOL_ICMPV6"), X(132, "SOL_SCTP"), X(136, "SOL_UDPLITE"),
	X(255, "SOL_RAW"), X(263, "SOL_PACKET"), X(270, "SOL_NETLINK"), X(274, "SOL_ALG"),
	X(280, "SOL_TLS"), X(283, "SOL_XDP"), X(284, "SOL_MPTCP"), END,
};

const struct tl_xlat tl_sol_socket_opts[] = {
	X(1, "SO_DEBUG"), X(2, "SO_REUSEADDR"), X(3, "SO_TYPE"), X(4, "SO_ERROR"),
	X(5, "SO_DONTROUTE"), X(6, "SO_BROADCAST"), X(7, "SO_SNDBUF"), X(8, "SO_RCVBUF"),
	X(9, "SO_KEEPALIVE"), X(10, "SO_OOBINLINE"), X(11, "SO_NO_CHECK"), X(12, "SO_PRIORITY"),
	X(13, "SO_LINGER"), X(14, "SO_BSDCOMPAT"), X(15, "SO_REUSEPORT"), X(16, "SO_PASSCRED"),
	X(17, "SO_PEERCRED"), X(18, "SO_RCVLOWAT"), X(19, "SO_SNDLOWAT"),
	X(20, "SO_RCVTIMEO_OLD"), X(21, "SO_SNDTIMEO_OLD"), X(25, "SO_BINDTODEVICE"),
	X(26, "SO_ATTACH_FILTER"), X(27, "SO_DETACH_FILTER"), X(28, "SO_PEERNAME"),
	X(29, "SO_TIMESTAMP_OLD"), X(30, "SO_ACCEPTCONN"), X(31, "SO_PEERSEC"),
	X(32, "SO_SNDBUFFORCE"), X(33, "SO_RCVBUFFORCE"), X(34, "SO_PASSSEC"),
	X(36, "SO_MARK"), X(38, "SO_PROTOCOL"), X(39, "SO_DOMAIN"), X(40, "SO_RXQ_OVFL"),
	X(46, "SO_BUSY_POLL"), X(47, "SO_MAX_PACING_RATE"), X(49, "SO_INCOMING_CPU"),
	X(50, "SO_ATTACH_BPF"), X(57, "SO_COOKIE"), X(60, "SO_ZEROCOPY"),
	X(62, "SO_TIMESTAMP_NEW"), X(66, "SO_RCVTIMEO_NEW"), X(67, "SO_SNDTIMEO_NEW"), END,
};

const struct tl_xlat tl_sol_tcp_opts[] = {
	X(1, "TCP_NODELAY"), X(2, "TCP_MAXSEG"), X(3, "TCP_CORK"), X(4, "TCP_KEEPIDLE"),
	X(5, "TCP_KEEPINTVL"), X(6, "TCP_KEEPCNT"), X(7, "TCP_SYNCNT"), X(8, "TCP_LINGER2"),
	X(9, "TCP_DEFER_ACCEPT"), X(10, "TCP_WINDOW_CLAMP"), X(11, "TCP_INFO"),
	X(12, "TCP_QUICKACK"), X(13, "TCP_CONGESTION"), X(14, "TCP_MD5SIG"),
	X(18, "TCP_USER_TIMEOUT"), X(23, "TCP_FASTOPEN"), X(31, "TCP_ULP"),
	X(35, "TCP_ZEROCOPY_RECEIVE"), END,
};

const struct tl_xlat tl_sol_ip_opts[] = {
	X(1, "IP_TOS"), X(2, "IP_TTL"), X(3, "IP_HDRINCL"), X(4, "IP_OPTIONS"),
	X(8, "IP_RECVOPTS"), X(10, "IP_MTU_DISCOVER"), X(11, "IP_RECVERR"), X(14, "IP_MTU"),
	X(15, "IP_FREEBIND"), X(19, "IP_TRANSPARENT"), X(32, "IP_MULTICAST_IF"),
	X(33, "IP_MULTICAST_TTL"), X(34, "IP_MULTICAST_LOOP"), X(35, "IP_ADD_MEMBERSHIP"),
	X(36, "IP_DROP_MEMBERSHIP"), X(24, "IP_BIND_ADDRESS_NO_PORT"), END,
};

const struct tl_xlat tl_sol_ipv6_opts[] = {
	X(16, "IPV6_UNICAST_HOPS"), X(17, "IPV6_MULTICAST_IF"), X(18, "IPV6_MULTICAST_HOPS"),
	X(19, "IPV6_MULTICAST_LOOP"), X(20, "IPV6_ADD_MEMBERSHIP"),
	X(21, "IPV6_DROP_MEMBERSHIP"), X(23, "IPV6_MTU_DISCOVER"), X(24, "IPV6_MTU"),
	X(25, "IPV6_RECVERR"), X(26, "IPV6_V6ONLY"), X(67, "IPV6_TCLASS"), END,
};

const struct tl_xlat tl_msg_flags[] = {
	X(0x1, "MSG_OOB"), X(0x2, "MSG_PEEK"), X(0x4, "MSG_DONTROUTE"), X(0x8, "MSG_CTRUNC"),
	X(0x10, "MSG_PROBE"), X(0x20, "MSG_TRUNC"), X(0x40, "MSG_DONTWAIT"), X(0x80, "MSG_EOR"),
	X(0x100, "MSG_WAITALL"), X(0x200, "MSG_FIN"), X(0x400, "MSG_SYN"),
	X(0x800, "MSG_CONFIRM"), X(0x1000, "MSG_RST"), X(0x2000, "MSG_ERRQUEUE"),
	X(0x4000, "MSG_NOSIGNAL"), X(0x8000, "MSG_MORE"), X(0x10000, "MSG_WAITFORONE"),
	X(0x20000, "MSG_SENDPAGE_NOPOLICY"), X(0x40000, "MSG_BATCH"),
	X(0x4000000, "MSG_ZEROCOPY"), X(0x20000000, "MSG_FASTOPEN"),
	X(0x40000000, "MSG_CMSG_CLOEXEC"), X(0x80000000, "MSG_CMSG_COMPAT"), END,
};

const struct tl_xlat tl_epoll_ops[] = {
	X(1, "EPOLL_CTL_ADD"), X(2, "EPOLL_CTL_DEL"), X(3, "EPOLL_CTL_MOD"), END,
};

const struct tl_xlat tl_msync_flags[] = {
	X(1, "MS_ASYNC"), X(4, "MS_SYNC"), X(2, "MS_INVALIDATE"), END,
};

const struct tl_xlat tl_mlockall_flags[] = {
	X(1, "MCL_CURRENT"), X(2, "MCL_FUTURE"), X(4, "MCL_ONFAULT"), END,
};

const struct tl_xlat tl_mremap_flags[] = {
	X(1, "MREMAP_MAYMOVE"), X(2, "MREMAP_FIXED"), X(4, "MREMAP_DONTUNMAP"), END,
};

const struct tl_xlat tl_flock_ops[] = {
	X(1, "LOCK_SH"), X(2, "LOCK_EX"), X(4, "LOCK_NB"), X(8, "LOCK_UN"), X(32, "LOCK_MAND"),
	X(64, "LOCK_READ"), X(128, "LOCK_WRITE"), END,
};

const struct tl_xlat tl_priority_which[] = {
	X(0, "PRIO_PROCESS"), X(1, "PRIO_PGRP"), X(2, "PRIO_USER"), END,
};

const struct tl_xlat tl_seccomp_modes[] = {
	X(0, "SECCOMP_MODE_DISABLED"), X(1, "SECCOMP_MODE_STRICT"), X(2, "SECCOMP_MODE_FILTER"),
	END,
};

const struct tl_xlat tl_capabilities[] = {
	X(0, "CAP_CHOWN"), X(1, "CAP_DAC_OVERRIDE"), X(2, "CAP_DAC_READ_SEARCH"),
	X(3, "CAP_FOWNER"), X(4, "CAP_FSETID"), X(5, "CAP_KILL"), X(6, "CAP_SETGID"),
	X(7, "CAP_SETUID"), X(8, "CAP_SETPCAP"), X(9, "CAP_LINUX_IMMUTABLE"),
	X(10, "CAP_NET_BIND_SERVICE"), X(11, "CAP_NET_BROADCAST"), X(12, "CAP_NET_ADMIN"),
	X(13, "CAP_NET_RAW"), X(14, "CAP_IPC_LOCK"), X(15, "CAP_IPC_OWNER"),
	X(16, "CAP_SYS_MODULE"), X(17, "CAP_SYS_RAWIO"), X(18, "CAP_SYS_CHROOT"),
	X(19, "CAP_SYS_PTRACE"), X(20, "CAP_SYS_PACCT"), X(21, "CAP_SYS_ADMIN"),
	X(22, "CAP_SYS_BOOT"), X(23, "CAP_SYS_NICE"), X(24, "CAP_SYS_RESOURCE"),
	X(25, "CAP_SYS_TIME"), X(26, "CAP_SYS_TTY_CONFIG"), X(27, "CAP_MKNOD"),
	X(28, "CAP_LEASE"), X(29, "CAP_AUDIT_WRITE"), X(30, "CAP_AUDIT_CONTROL"),
	X(31, "CAP_SETFCAP"), X(32, "CAP_MAC_OVERRIDE"), X(33, "CAP_MAC_ADMIN"),
	X(34, "CAP_SYSLOG"), X(35, "CAP_WAKE_ALARM"), X(36, "CAP_BLOCK_SUSPEND"),
	X(37, "CAP_AUDIT_READ"), X(38, "CAP_PERFMON"), X(39, "CAP_BPF"),
	X(40, "CAP_CHECKPOINT_RESTORE"), END,
};
