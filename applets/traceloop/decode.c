// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop's decoder: a recorded call (struct tl_call) checked, then
 * rendered as strace 6.1 renders it.
 *
 * Records may come from a file someone crafted: tl_call_valid() checks
 * every count, offset and length first, and the rendering only reads
 * blobs through blob_find(), inside data_len.  Output goes through
 * struct tl_out, which never writes past the caller's buffer.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "decode.h"
#include "fmt.h"
#include "sysdesc.h"
#include "xlat.h"

/* Every argument of a call, with what was captured for them. */
struct call_ctx {
	const struct tl_call *c;
	struct tl_out *o;
	unsigned fmt;		/* TL_FMT_* */
	bool returned;		/* the exit was seen: ret and outputs are valid */
	const char *name;
};

/* ---- validation ------------------------------------------------------------ */

static bool blob_valid(const struct tl_call *c, const struct tl_blob *b)
{
	if (b->arg >= TL_NR_ARGS || b->kind < TL_BLOB_STR || b->kind > TL_BLOB_IOV)
		return false;
	if ((unsigned)b->off + b->len > c->data_len)
		return false;
	/* Strings and argv end with their NUL (argv: its last string's). */
	if ((b->kind == TL_BLOB_STR || b->kind == TL_BLOB_ARGV) && b->len &&
	    c->data[b->off + b->len - 1])
		return false;
	if (b->kind == TL_BLOB_STR && !b->len && !(b->flags & TL_BLOB_FAULT))
		return false;
	return true;
}

int tl_call_valid(const struct tl_call *c, size_t len)
{
	unsigned i;

	if (!c || len < offsetof(struct tl_call, data))
		return -1;
	if (c->type != TL_EV_CALL || (c->arch != TL_ARCH_X86_64 && c->arch != TL_ARCH_ARM64))
		return -1;
	if (c->nr_blobs > TL_MAX_BLOBS || c->data_len > TL_DATA_MAX ||
	    len < offsetof(struct tl_call, data) + c->data_len)
		return -1;
	for (i = 0; i < c->nr_blobs; i++)
		if (!blob_valid(c, &c->blobs[i]))
			return -1;
	return 0;
}

/* The blob of @kind captured for argument @arg (not a faulted one). */
static const struct tl_blob *blob_find(const struct tl_call *c, unsigned arg, unsigned kind)
{
	unsigned i;

	for (i = 0; i < c->nr_blobs && i < TL_MAX_BLOBS; i++) {
		const struct tl_blob *b = &c->blobs[i];

		if (b->arg == arg && b->kind == kind && !(b->flags & TL_BLOB_FAULT) &&
		    (unsigned)b->off + b->len <= c->data_len && c->data_len <= TL_DATA_MAX)
			return b;
	}
	return NULL;
}

/* ---- values ------------------------------------------------------------------ */

static int64_t ret_errno(const struct tl_call *c)
{
	return c->ret < 0 && c->ret >= -4095 ? -c->ret : 0;
}

/* A named value, or a number in raw mode. */
static void put_xval(struct call_ctx *x, const struct tl_xlat *t, uint64_t v, const char *unknown)
{
	if (x->fmt & TL_FMT_RAW)
		tl_put_hex(x->o, v);
	else
		tl_put_xval(x->o, t, v, unknown);
}

static void put_flags(struct call_ctx *x, const struct tl_xlat *t, uint64_t v, const char *unknown)
{
	if (x->fmt & TL_FMT_RAW)
		tl_put_hex(x->o, v);
	else
		tl_put_flags(x->o, t, v, unknown);
}

static void put_signal(struct call_ctx *x, int sig)
{
	const char *name = x->fmt & TL_FMT_RAW ? NULL : tl_signal_name(sig);

	if (name)
		tl_put(x->o, name);
	else
		tl_putf(x->o, "%d", sig);
}

static const struct tl_xlat *open_flags_table(unsigned arch)
{
	return arch == TL_ARCH_ARM64 ? tl_open_flags_arm64 : tl_open_flags_x86_64;
}

/* O_RDONLY|O_CLOEXEC: the access mode always named, then the flags. */
static void put_open_flags(struct call_ctx *x, uint64_t v)
{
	uint32_t f = v;

	if (x->fmt & TL_FMT_RAW) {
		tl_put_hex(x->o, f);
		return;
	}
	tl_put(x->o, tl_xlat_find(tl_open_accmode, f & 3));
	if (f & ~3u) {
		tl_putc(x->o, '|');
		tl_put_flag_bits(x->o, open_flags_table(x->c->arch), f & ~3u, "O_???");
	}
}

static void put_mode(struct call_ctx *x, uint64_t v)
{
	tl_putf(x->o, "%#03o", (unsigned)v);
}

/* Bytes the process passed or got: a quoted string, "..." when more
 * existed than was captured; the pointer when nothing was. */
static void put_bytes(struct call_ctx *x, unsigned arg, size_t want, unsigned how)
{
	const struct tl_blob *b = blob_find(x->c, arg, TL_BLOB_BYTES);
	uint64_t p = x->c->args[arg];

	if (p && !want && !b) {
		tl_put(x->o, "\"\"");	/* nothing to capture: read() = 0 */
		return;
	}
	if (!b || !p) {
		tl_put_ptr(x->o, p);
		return;
	}
	tl_put_quoted(x->o, x->c->data + b->off, b->len < want ? b->len : want,
		      b->len < want || (b->flags & TL_BLOB_TRUNC), how);
}

static void put_path(struct call_ctx *x, unsigned arg)
{
	const struct tl_blob *b = blob_find(x->c, arg, TL_BLOB_STR);
	uint64_t p = x->c->args[arg];

	if (!b || !p) {
		tl_put_ptr(x->o, p);
		return;
	}
	tl_put_quoted(x->o, x->c->data + b->off, b->len - 1, b->flags & TL_BLOB_TRUNC, 0);
}

/* ["ls", "-l"]: the captured strings of argv, "..." after them when the
 * rest was not captured. */
static void put_argv(struct call_ctx *x, unsigned arg)
{
	const struct tl_blob *b = blob_find(x->c, arg, TL_BLOB_ARGV);
	const uint8_t *s, *end;
	bool first = true;

	if (!b || !x->c->args[arg]) {
		tl_put_ptr(x->o, x->c->args[arg]);
		return;
	}
	s = x->c->data + b->off;
	end = s + b->len;
	tl_putc(x->o, '[');
	while (s < end) {
		const uint8_t *nul = memchr(s, 0, end - s);

		if (!nul)	/* tl_call_valid: the last byte is a NUL */
			break;
		if (!first)
			tl_put(x->o, ", ");
		tl_put_quoted(x->o, s, nul - s, false, 0);
		first = false;
		s = nul + 1;
	}
	if (b->flags & TL_BLOB_TRUNC)
		tl_put(x->o, first ? "..." : ", ...");
	tl_putc(x->o, ']');
}

/* readv/writev: the captured bytes of the first buffers, joined. */
static void put_iov(struct call_ctx *x, unsigned arg, size_t want)
{
	const struct tl_blob *b = blob_find(x->c, arg, TL_BLOB_IOV);

	if (!b || !x->c->args[arg]) {
		tl_put_ptr(x->o, x->c->args[arg]);
		return;
	}
	tl_put(x->o, "[{iov_base=");
	tl_put_quoted(x->o, x->c->data + b->off, b->len < want ? b->len : want,
		      (want != SIZE_MAX && b->len < want) || (b->flags & TL_BLOB_TRUNC), 0);
	tl_put(x->o, "}]");
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")} */
static void put_sockaddr_bytes(struct call_ctx *x, const uint8_t *s, size_t n)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned family;

	if (n < 2) {
		tl_put(x->o, "{}");
		return;
	}
	family = s[0] | s[1] << 8;	/* sa_family_t in host order (both arches: LE) */
	tl_put(x->o, "{sa_family=");
	put_xval(x, tl_address_families, family, "AF_???");
	if (family == 2 && n >= 8) {
		inet_ntop(AF_INET, s + 4, addr, sizeof(addr));
		tl_putf(x->o, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")", get_be16(s + 2),
			addr);
	} else if (family == 10 && n >= 24) {
		inet_ntop(AF_INET6, s + 8, addr, sizeof(addr));
		tl_putf(x->o, ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u)", get_be16(s + 2),
			ntohl(get_u32(s + 4)));
		tl_putf(x->o, ", inet_pton(AF_INET6, \"%s\", &sin6_addr)", addr);
		if (n >= 28)
			tl_putf(x->o, ", sin6_scope_id=%u", get_u32(s + 24));
	} else if (family == 1 && n > 2) {
		const uint8_t *path = s + 2, *nul;
		size_t len = n - 2;

		/* Abstract names start with a NUL and may hold more. */
		tl_put(x->o, ", sun_path=");
		if (path[0] == 0) {
			tl_putc(x->o, '@');
			path++;
			len--;
		}
		nul = memchr(path, 0, len);
		tl_put_quoted(x->o, path, nul ? (size_t)(nul - path) : len, false, 0);
	} else if (family == 16 && n >= 12) {
		tl_putf(x->o, ", nl_pid=%u, nl_groups=%08x", get_u32(s + 4), get_u32(s + 8));
	} else if (family != 1 && n > 2) {
		tl_put(x->o, ", sa_data=");
		tl_put_quoted(x->o, s + 2, n - 2 > 14 ? 14 : n - 2, false, 0);
	}
	tl_putc(x->o, '}');
}

static void put_sockaddr(struct call_ctx *x, unsigned arg)
{
	const struct tl_blob *b = blob_find(x->c, arg, TL_BLOB_SOCKADDR);

	if (!b || !x->c->args[arg])
		tl_put_ptr(x->o, x->c->args[arg]);
	else
		put_sockaddr_bytes(x, x->c->data + b->off, b->len);
}

/* {tv_sec=1, tv_nsec=0} when the 16 bytes were captured. */
static void put_timespec(struct call_ctx *x, unsigned arg)
{
	const struct tl_blob *b = blob_find(x->c, arg, TL_BLOB_BYTES);

	if (!b || b->len < 16 || !x->c->args[arg]) {
		tl_put_ptr(x->o, x->c->args[arg]);
		return;
	}
	tl_putf(x->o, "{tv_sec=%lld, tv_nsec=%lld}", (long long)get_u64(x->c->data + b->off),
		(long long)get_u64(x->c->data + b->off + 8));
}

/* wait4's status: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}] */
static void put_wait_status(struct call_ctx *x, unsigned arg)
{
	const struct tl_blob *b = blob_find(x->c, arg, TL_BLOB_BYTES);
	uint32_t s;

	if (!b || b->len < 4 || !x->returned || x->c->ret <= 0 || !x->c->args[arg]) {
		tl_put_ptr(x->o, x->c->args[arg]);
		return;
	}
	s = get_u32(x->c->data + b->off);
	tl_put(x->o, "[{");
	if ((s & 0x7f) == 0) {
		tl_putf(x->o, "WIFEXITED(s) && WEXITSTATUS(s) == %u", (s >> 8) & 0xff);
	} else if ((s & 0xff) == 0x7f) {
		tl_put(x->o, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
		put_signal(x, (s >> 8) & 0xff);
	} else if (s == 0xffff) {
		tl_put(x->o, "WIFCONTINUED(s)");
	} else {
		tl_put(x->o, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		put_signal(x, s & 0x7f);
		if (s & 0x80)
			tl_put(x->o, " && WCOREDUMP(s)");
	}
	tl_put(x->o, "}]");
}

/* pipe's two fds: [3, 4] */
static void put_fd_pair(struct call_ctx *x, unsigned arg)
{
	const struct tl_blob *b = blob_find(x->c, arg, TL_BLOB_BYTES);

	if (!b || b->len < 8 || !x->returned || x->c->ret || !x->c->args[arg])
		tl_put_ptr(x->o, x->c->args[arg]);
	else
		tl_putf(x->o, "[%d, %d]", (int)get_u32(x->c->data + b->off),
			(int)get_u32(x->c->data + b->off + 4));
}

static void put_socket_type(struct call_ctx *x, uint64_t v)
{
	uint32_t t = v;
	const char *name = tl_xlat_find(tl_socket_types, t & 0xf);

	if (x->fmt & TL_FMT_RAW) {
		tl_put_hex(x->o, t);
		return;
	}
	if (name) {
		tl_put(x->o, name);
		t &= ~0xfu;
		if (!t)
			return;
		tl_putc(x->o, '|');
	}
	tl_put_flags(x->o, tl_socket_flags, t, "SOCK_???");
}

static void put_socket_protocol(struct call_ctx *x, uint64_t domain, uint64_t v)
{
	if (x->fmt & TL_FMT_RAW) {
		tl_putf(x->o, "%d", (int)v);
	} else if (domain == 2 || domain == 10) {
		tl_put_xval(x->o, tl_inet_protocols, (uint32_t)v, "IPPROTO_???");
	} else if (domain == 16) {
		tl_put_xval(x->o, tl_netlink_protocols, (uint32_t)v, "NETLINK_???");
	} else if (domain == 17) {
		uint16_t proto = ntohs((uint16_t)v);

		if (proto == 3)
			tl_put(x->o, "htons(ETH_P_ALL)");
		else
			tl_putf(x->o, "htons(%#x /* ETH_P_??? */)", proto);
	} else {
		tl_putf(x->o, "%d", (int)v);
	}
}

/* The flags of calls that make descriptors: O_CLOEXEC is EFD_CLOEXEC for
 * eventfd2, SOCK_CLOEXEC for accept4... as strace names them. */
static void put_fd_flags(struct call_ctx *x, uint64_t v)
{
	static const struct {
		const char *call;
		const struct tl_xlat *flags;
		const char *unknown;
	} named[] = {
		{ "accept4", tl_socket_flags, "SOCK_???" },
		{ "epoll_create1", tl_epoll_flags, "EPOLL_???" },
		{ "eventfd2", tl_eventfd_flags, "EFD_???" },
		{ "inotify_init1", tl_inotify_flags, "IN_???" },
		{ "memfd_create", tl_memfd_flags, "MFD_???" },
		{ "signalfd4", tl_signalfd_flags, "SFD_???" },
		{ "timerfd_create", tl_timerfd_flags, "TFD_???" },
	};
	unsigned i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (!strcmp(x->name, named[i].call)) {
			put_flags(x, named[i].flags, (uint32_t)v, named[i].unknown);
			return;
		}
	put_flags(x, open_flags_table(x->c->arch), (uint32_t)v, "O_???");
}

/* setsockopt(3, SOL_SOCKET, SO_REUSEADDR, ...): the option's names depend on the level. */
static void put_sockopt(struct call_ctx *x, uint64_t level, uint64_t v)
{
	switch ((uint32_t)level) {
	case 1:
		put_xval(x, tl_sol_socket_opts, (uint32_t)v, "SO_???");
		return;
	case 6:
		put_xval(x, tl_sol_tcp_opts, (uint32_t)v, "TCP_???");
		return;
	case 0:
		put_xval(x, tl_sol_ip_opts, (uint32_t)v, "IP_???");
		return;
	case 41:
		put_xval(x, tl_sol_ipv6_opts, (uint32_t)v, "IPV6_???");
		return;
	}
	tl_putf(x->o, "%u", (uint32_t)v);
}

/* AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW */
static void put_statx_flags(struct call_ctx *x, uint64_t v)
{
	uint32_t f = v;

	if (x->fmt & TL_FMT_RAW) {
		tl_put_hex(x->o, f);
		return;
	}
	tl_put_xval(x->o, tl_statx_sync, f & 0x6000, "AT_STATX_???");
	if (f & ~0x6000u) {
		tl_putc(x->o, '|');
		tl_put_flag_bits(x->o, tl_at_flags, f & ~0x6000u, "AT_???");
	}
}

static const struct tl_xlat *at_flags_for(const char *name)
{
	if (!strncmp(name, "faccessat", 9))
		return tl_at_flags_access;
	if (!strcmp(name, "unlinkat"))
		return tl_at_flags_unlink;
	return tl_at_flags;
}

/* The value an output buffer is worth: what the call returned. */
static size_t ret_bytes(struct call_ctx *x)
{
	return x->returned && x->c->ret > 0 ? (size_t)x->c->ret : 0;
}

/* Arguments that are a value or flags of one table: letter, table, text for the unknown. */
static const struct {
	char letter;
	bool flags;
	const struct tl_xlat *table;
	const char *unknown;
} table_args[] = {
	{ 'K', true, tl_unshare_flags, "CLONE_???" },
	{ 'W', true, tl_wait_options, "W???" },
	{ 'G', true, tl_getrandom_flags, "GRND_???" },
	{ 'X', true, tl_access_modes, "?_OK" },
	{ 'Y', false, tl_address_families, "AF_???" },
	{ 'H', false, tl_sigprocmask_how, "SIG_???" },
	{ 'L', false, tl_clocks, "CLOCK_???" },
	{ 'c', true, tl_timer_flags, "TIMER_???" },
	{ 'E', false, tl_whence, "SEEK_???" },
	{ 'r', false, tl_rlimits, "RLIMIT_???" },
	{ 'k', false, tl_shutdown_how, "SHUT_???" },
	{ 'm', false, tl_madvise, "MADV_???" },
	{ 'y', false, tl_socket_levels, "SOL_??" },
	{ 'w', true, tl_msg_flags, "MSG_???" },
	{ 'q', false, tl_epoll_ops, "EPOLL_CTL_???" },
	{ 'j', true, tl_msync_flags, "MS_???" },
	{ 'J', true, tl_mlockall_flags, "MCL_???" },
	{ 'U', true, tl_mremap_flags, "MREMAP_???" },
	{ 'h', true, tl_flock_ops, "LOCK_???" },
	{ 'V', false, tl_priority_which, "PRIO_???" },
	{ '2', true, tl_statx_mask, "STATX_???" },
};

/* Letters whose memory the call fills: shown once it returned without error. */
static bool filled_by_call(char t)
{
	return t == 'b' || t == 'g' || t == 'I' || t == 'N';
}

/* One argument of a described call; false when it is left out (open's
 * mode without O_CREAT). */
static bool put_arg(struct call_ctx *x, const char *sig, unsigned i)
{
	const struct tl_call *c = x->c;
	uint64_t v = c->args[i];
	char t = sig[i];
	unsigned k;

	for (k = 0; k < sizeof(table_args) / sizeof(table_args[0]); k++)
		if (table_args[k].letter == t) {
			(table_args[k].flags ? put_flags : put_xval)(x, table_args[k].table,
								     (uint32_t)v,
								     table_args[k].unknown);
			return true;
		}
	if (filled_by_call(t) && !(x->returned && c->ret >= 0)) {
		tl_put_ptr(x->o, v);
		return true;
	}
	switch (t) {
	case 'd':
	case 'f':
		tl_putf(x->o, "%d", (int)v);
		break;
	case 'a':
		if ((int)v == -100 && !(x->fmt & TL_FMT_RAW))
			tl_put(x->o, "AT_FDCWD");
		else
			tl_putf(x->o, "%d", (int)v);
		break;
	case 'l':
		tl_putf(x->o, "%lld", (long long)v);
		break;
	case 'u':
		tl_putf(x->o, "%llu", (unsigned long long)v);
		break;
	case 'x':
		tl_put_hex(x->o, v);
		break;
	case 'o':
		put_mode(x, v);
		break;
	case 's':
		put_path(x, i);
		break;
	case 'v':
		put_argv(x, i);
		break;
	case 'b':
		put_bytes(x, i, ret_bytes(x), 0);
		break;
	case 'g':
		put_bytes(x, i, ret_bytes(x), TL_QUOTE_HEX);
		break;
	case 'B':
		put_bytes(x, i, i + 1 < TL_NR_ARGS ? c->args[i + 1] : 0, 0);
		break;
	case 'i':
		put_iov(x, i, SIZE_MAX);	/* the total is not known */
		break;
	case 'I':
		put_iov(x, i, ret_bytes(x));
		break;
	case 'n':
		put_sockaddr(x, i);
		break;
	case 'N':
		put_sockaddr(x, i);
		break;
	case 't':
		put_timespec(x, i);
		break;
	case 'O':
		put_open_flags(x, v);
		break;
	case 'C':
		put_fd_flags(x, v);
		break;
	case 'M':
		/* O_CREAT or __O_TMPFILE (the same bits on both arches) */
		if (!i || !(c->args[i - 1] & (0100 | 020000000)))
			return false;
		put_mode(x, v);
		break;
	case 'A':
		put_flags(x, at_flags_for(x->name), (uint32_t)v, "AT_???");
		break;
	case 'P':
		put_flags(x, c->arch == TL_ARCH_ARM64 ? tl_mmap_prot_arm64 : tl_mmap_prot,
			  (uint32_t)v, "PROT_???");
		break;
	case 'F': {
		uint32_t f = v, huge = f >> 26 & 0x3f;

		if (x->fmt & TL_FMT_RAW) {
			tl_put_hex(x->o, f);
			break;
		}
		tl_put_xval(x->o, tl_mmap_type, f & 0xf, "MAP_???");
		f &= ~0xfu & ~(0x3fu << 26);
		if (f) {
			tl_putc(x->o, '|');
			tl_put_flag_bits(x->o, tl_mmap_flags, f, "MAP_???");
		}
		if (huge)
			tl_putf(x->o, "|%u<<MAP_HUGE_SHIFT", huge);
		break;
	}
	case 'S':
		put_signal(x, (int)v);
		break;
	case 'T':
		put_socket_type(x, v);
		break;
	case 'R':
		put_socket_protocol(x, c->args[0], v);
		break;
	case 'Z':
		put_wait_status(x, i);
		break;
	case 'z':
		put_sockopt(x, c->args[i - (i > 0)], v);
		break;
	case 'D':
		if (!i || !(c->args[i - 1] & 2))	/* MREMAP_FIXED */
			return false;
		tl_put_ptr(x->o, v);
		break;
	case '1':
		put_statx_flags(x, v);
		break;
	case 'Q':
		put_fd_pair(x, i);
		break;
	case 'e':
	case 'p':
	default:
		tl_put_ptr(x->o, v);
		break;
	}
	return true;
}

static void put_args_sig(struct call_ctx *x, const char *sig)
{
	unsigned i, n = strlen(sig);
	bool first = true;

	for (i = 0; i < n && i < TL_NR_ARGS; i++) {
		size_t mark = x->o->len;

		if (!first)
			tl_put(x->o, ", ");
		if (!put_arg(x, sig, i)) {
			/* left out: take back the separator */
			x->o->len = mark;
			if (mark < x->o->size)
				x->o->buf[mark] = 0;
			continue;
		}
		first = false;
	}
}

/* ---- calls printed by functions of their own ------------------------------- */

/* clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|...|SIGCHLD, child_tidptr=0x...) */
static void put_clone(struct call_ctx *x)
{
	const __u64 *a = x->c->args;
	uint64_t flags = a[0], sig = flags & 0xff;
	/* x86_64: flags, stack, parent_tid, child_tid, tls; arm64: ..., tls, child_tid */
	unsigned child_tid = x->c->arch == TL_ARCH_ARM64 ? 4 : 3;
	unsigned tls = x->c->arch == TL_ARCH_ARM64 ? 3 : 4;

	tl_put(x->o, "child_stack=");
	tl_put_ptr(x->o, a[1]);
	tl_put(x->o, ", flags=");
	if (x->fmt & TL_FMT_RAW) {
		tl_put_hex(x->o, flags);
	} else {
		flags &= ~0xffull;
		if (flags)
			tl_put_flag_bits(x->o, tl_clone_flags, flags, "CLONE_???");
		if (sig) {
			if (flags)
				tl_putc(x->o, '|');
			put_signal(x, sig);
		}
		if (!flags && !sig)
			tl_putc(x->o, '0');
	}
	if (a[0] & (0x100000 | 0x1000)) {	/* CLONE_PARENT_SETTID, CLONE_PIDFD */
		tl_put(x->o, ", parent_tid=");
		tl_put_ptr(x->o, a[2]);
	}
	if (a[0] & 0x80000) {			/* CLONE_SETTLS */
		tl_put(x->o, ", tls=");
		tl_put_ptr(x->o, a[tls]);
	}
	if (a[0] & (0x1000000 | 0x200000)) {	/* CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID */
		tl_put(x->o, ", child_tidptr=");
		tl_put_ptr(x->o, a[child_tid]);
	}
}

enum { FA_NONE, FA_DEC, FA_HEX, FA_PTR, FA_FDFLAGS, FA_OPENFLAGS, FA_LEASE, FA_NOTIFY,
       FA_SEALS };

static int fcntl_arg_kind(uint32_t cmd)
{
	switch (cmd) {
	case 1: case 3: case 9: case 11: case 1025: case 1032: case 1034:
		return FA_NONE;
	case 2:
		return FA_FDFLAGS;
	case 4:
		return FA_OPENFLAGS;
	case 5: case 6: case 7: case 15: case 16: case 36: case 37: case 38:
	case 1035: case 1036: case 1037: case 1038:
		return FA_PTR;
	case 1024:
		return FA_LEASE;
	case 1026:
		return FA_NOTIFY;
	case 1033:
		return FA_SEALS;
	case 0: case 8: case 10: case 12: case 13: case 14: case 17: case 1029: case 1030:
	case 1031:
		return FA_DEC;
	}
	return FA_HEX;
}

static void put_fcntl(struct call_ctx *x)
{
	const __u64 *a = x->c->args;
	uint32_t cmd = a[1];

	tl_putf(x->o, "%d, ", (int)a[0]);
	put_xval(x, tl_fcntl_cmds, cmd, "F_???");
	switch (fcntl_arg_kind(cmd)) {
	case FA_NONE:
		return;
	case FA_DEC:
		tl_putf(x->o, ", %lld", (long long)(int)a[2]);
		return;
	case FA_PTR:
		tl_put(x->o, ", ");
		tl_put_ptr(x->o, a[2]);
		return;
	case FA_FDFLAGS:
		tl_put(x->o, ", ");
		put_flags(x, tl_fd_flags, (uint32_t)a[2], "FD_???");
		return;
	case FA_OPENFLAGS:
		tl_put(x->o, ", ");
		put_open_flags(x, a[2]);
		return;
	case FA_LEASE:
		tl_put(x->o, ", ");
		put_xval(x, tl_lease_types, (uint32_t)a[2], "F_???");
		return;
	case FA_NOTIFY:
		tl_put(x->o, ", ");
		put_flags(x, tl_notify_flags, (uint32_t)a[2], "DN_???");
		return;
	case FA_SEALS:
		tl_put(x->o, ", ");
		put_flags(x, tl_seals, (uint32_t)a[2], "F_SEAL_???");
		return;
	}
	tl_put(x->o, ", ");
	tl_put_hex(x->o, a[2]);
}

/* FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_EQ<<24|0 */
static void put_futex_wake_op(struct call_ctx *x, uint32_t v)
{
	if (x->fmt & TL_FMT_RAW) {
		tl_put_hex(x->o, v);
		return;
	}
	if (v >> 28 & 8)
		tl_put(x->o, "FUTEX_OP_OPARG_SHIFT<<28|");
	tl_put_xval(x->o, tl_futex_wake_ops, v >> 28 & 7, "FUTEX_OP_???");
	tl_putf(x->o, "<<28|%#x<<12|", v >> 12 & 0xfff);
	tl_put_xval(x->o, tl_futex_wake_cmps, v >> 24 & 0xf, "FUTEX_OP_CMP_???");
	tl_putf(x->o, "<<24|%#x", v & 0xfff);
}

/*
 * Which arguments each futex command takes, after uaddr and op:
 * v val, t timeout, V val2 (as a number), 2 uaddr2, 3 val3, b bitset,
 * w the wake op.
 */
static const char *const futex_args[] = {
	[0] = "vt", [1] = "v", [2] = "v", [3] = "vV2", [4] = "vV23", [5] = "vV2w",
	[6] = "t", [7] = "", [8] = "", [9] = "vtb", [10] = "vb", [11] = "vt2",
	[12] = "vV23", [13] = "t",
};

static void put_futex(struct call_ctx *x)
{
	const __u64 *a = x->c->args;
	uint32_t op = a[1], cmd = op & 127;
	const char *name = tl_xlat_find(tl_futex_cmds, cmd);
	const char *args;

	tl_put_ptr(x->o, a[0]);
	tl_put(x->o, ", ");
	if ((op & ~(127u | 128 | 256)) || !name || (x->fmt & TL_FMT_RAW)) {
		if (x->fmt & TL_FMT_RAW)
			tl_put_hex(x->o, op);
		else
			tl_putf(x->o, "%#x /* FUTEX_??? */", op);
		tl_putf(x->o, ", %u, ", (uint32_t)a[2]);
		tl_put_ptr(x->o, a[3]);
		tl_put(x->o, ", ");
		tl_put_ptr(x->o, a[4]);
		tl_putf(x->o, ", %#x", (uint32_t)a[5]);
		return;
	}
	tl_put(x->o, name);
	if (op & 128)
		tl_put(x->o, "_PRIVATE");
	if (op & 256)
		tl_put(x->o, "|FUTEX_CLOCK_REALTIME");
	for (args = futex_args[cmd]; *args; args++) {
		tl_put(x->o, ", ");
		switch (*args) {
		case 'v':
			tl_putf(x->o, "%u", (uint32_t)a[2]);
			break;
		case 't':
			put_timespec(x, 3);
			break;
		case 'V':
			tl_putf(x->o, "%u", (uint32_t)a[3]);
			break;
		case '2':
			tl_put_ptr(x->o, a[4]);
			break;
		case '3':
			tl_putf(x->o, "%u", (uint32_t)a[5]);
			break;
		case 'b':
			if ((uint32_t)a[5] == 0xffffffff)
				tl_put(x->o, "FUTEX_BITSET_MATCH_ANY");
			else
				tl_put_hex(x->o, (uint32_t)a[5]);
			break;
		case 'w':
			put_futex_wake_op(x, a[5]);
			break;
		}
	}
}

/* A request not in the table: _IOC(_IOC_READ|_IOC_WRITE, 0xbe, 0xef, 0x1ead) */
static void put_ioctl_request(struct call_ctx *x, uint32_t req)
{
	static const char *const dirs[] = { "_IOC_NONE", "_IOC_WRITE", "_IOC_READ",
					    "_IOC_READ|_IOC_WRITE" };
	const char *name = tl_xlat_find(tl_ioctls, req);

	if (name && !(x->fmt & TL_FMT_RAW)) {
		tl_put(x->o, name);
		return;
	}
	if (x->fmt & TL_FMT_RAW) {
		tl_put_hex(x->o, req);
		return;
	}
	tl_putf(x->o, "_IOC(%s, %#x, %#x, %#x)", dirs[req >> 30], req >> 8 & 0xff, req & 0xff,
		req >> 16 & 0x3fff);
}

static void put_ioctl(struct call_ctx *x)
{
	const __u64 *a = x->c->args;
	uint32_t req = a[1];

	tl_putf(x->o, "%d, ", (int)a[0]);
	put_ioctl_request(x, req);
	if (req == 0x5450 || req == 0x5451)	/* FIONCLEX, FIOCLEX: no argument */
		return;
	tl_put(x->o, ", ");
	if (req == 0x40049409)			/* FICLONE: a descriptor */
		tl_putf(x->o, "%d", (int)a[2]);
	else if (tl_xlat_find(tl_ioctls, req))
		tl_put_ptr(x->o, a[2]);
	else
		tl_put_hex(x->o, a[2]);
}

static void put_prctl(struct call_ctx *x)
{
	const __u64 *a = x->c->args;
	uint32_t opt = a[0];
	const char *name = tl_xlat_find(tl_prctl_options, opt);
	unsigned i;

	if (!name || (x->fmt & TL_FMT_RAW)) {
		put_xval(x, tl_prctl_options, opt, "PR_???");
		for (i = 1; i < 5; i++) {
			tl_put(x->o, ", ");
			tl_put_hex(x->o, a[i]);
		}
		return;
	}
	tl_put(x->o, name);
	switch (opt) {
	case 3: case 7: case 13: case 21: case 27: case 30: case 31: case 32: case 34:
	case 39: case 42: case 46: case 56: case 58:
		return;		/* PR_GET_* answered by the return value */
	case 2: case 5: case 9: case 11: case 16: case 19: case 25: case 37: case 40:
		tl_put(x->o, ", ");	/* PR_GET_* into a pointer */
		tl_put_ptr(x->o, a[1]);
		return;
	case 15:
		tl_put(x->o, ", ");
		put_path(x, 1);
		return;
	case 1:
		tl_put(x->o, ", ");
		put_signal(x, (int)a[1]);
		return;
	case 4:
		tl_put(x->o, ", ");
		tl_put_xval(x->o, tl_dumpable, a[1], "SUID_DUMP_???");
		return;
	case 23: case 24:
		tl_put(x->o, ", ");
		tl_put_xval(x->o, tl_capabilities, a[1], "CAP_???");
		return;
	case 22:
		tl_put(x->o, ", ");
		tl_put_xval(x->o, tl_seccomp_modes, a[1], "SECCOMP_MODE_???");
		for (i = 2; i < 5; i++) {
			tl_put(x->o, ", ");
			tl_put_hex(x->o, a[i]);
		}
		return;
	case 8: case 29: case 36:
		tl_putf(x->o, ", %llu", (unsigned long long)a[1]);
		return;
	case 38: case 41:
		tl_putf(x->o, ", %llu, %llu, %llu, %llu", (unsigned long long)a[1],
			(unsigned long long)a[2], (unsigned long long)a[3],
			(unsigned long long)a[4]);
		return;
	}
	for (i = 1; i < 5; i++) {
		tl_put(x->o, ", ");
		tl_put_hex(x->o, a[i]);
	}
}

static void put_arch_prctl(struct call_ctx *x)
{
	put_xval(x, tl_arch_prctl_codes, (uint32_t)x->c->args[0], "ARCH_???");
	tl_put(x->o, ", ");
	tl_put_hex(x->o, x->c->args[1]);
}

static const struct {
	const char *name;
	void (*put)(struct call_ctx *x);
} special_calls[] = {
	{ "arch_prctl", put_arch_prctl }, { "clone", put_clone }, { "fcntl", put_fcntl },
	{ "futex", put_futex }, { "ioctl", put_ioctl }, { "prctl", put_prctl },
};

static void put_special(struct call_ctx *x)
{
	unsigned i;

	for (i = 0; i < sizeof(special_calls) / sizeof(special_calls[0]); i++)
		if (!strcmp(x->name, special_calls[i].name)) {
			special_calls[i].put(x);
			return;
		}
}

/* ---- return values --------------------------------------------------------- */

static void put_errno_ret(struct tl_out *o, int err)
{
	const char *name = tl_errno_name(err);

	if (name)
		tl_putf(o, "-1 %s (%s)", name, tl_errno_text(err));
	else
		tl_putf(o, "-1 (errno %d)", err);
}

/* fcntl's F_GETFL/F_GETFD/F_GET_SEALS and prctl's PR_GET_DUMPABLE show
 * what the number means: "0x8001 (flags O_WRONLY|O_LARGEFILE)". */
static bool put_special_ret(const struct tl_call *c, const char *name, struct tl_out *o)
{
	uint32_t v = c->ret;

	if (!strcmp(name, "fcntl")) {
		struct call_ctx x = { .c = c, .o = o };

		switch ((uint32_t)c->args[1]) {
		case 3:
			tl_putf(o, "%#x (flags ", v);
			put_open_flags(&x, v);
			tl_putc(o, ')');
			return true;
		case 1:
			if (!v)
				return false;
			tl_putf(o, "%#x (flags ", v);
			tl_put_flags(o, tl_fd_flags, v, "FD_???");
			tl_putc(o, ')');
			return true;
		case 1034:
			if (!v)
				return false;
			tl_putf(o, "%#x (seals ", v);
			tl_put_flags(o, tl_seals, v, "F_SEAL_???");
			tl_putc(o, ')');
			return true;
		}
		return false;
	}
	/* poll and select: nothing ready before the timeout */
	if (!strcmp(name, "poll") || !strcmp(name, "ppoll") || !strcmp(name, "select") ||
	    !strcmp(name, "pselect6")) {
		if (c->ret)
			return false;
		tl_put(o, "0 (Timeout)");
		return true;
	}
	if (!strcmp(name, "prctl") && (uint32_t)c->args[0] == 3 && tl_xlat_find(tl_dumpable, v)) {
		tl_putf(o, "%u (%s)", v, tl_xlat_find(tl_dumpable, v));
		return true;
	}
	return false;
}

static size_t format_ret(const struct tl_call *c, const struct tl_sysdesc *d, struct tl_out *o)
{
	int64_t err = ret_errno(c);

	if (c->flags & TL_CALL_NORETURN)
		tl_putc(o, '?');
	else if (err)
		put_errno_ret(o, err);
	else if (d && d->ret == TL_RET_HEX && c->ret)
		tl_putf(o, "%#llx", (unsigned long long)c->ret);
	else if (d && d->ret == TL_RET_OCT)
		tl_putf(o, "%#03llo", (unsigned long long)c->ret);
	else if (!(d && d->ret == TL_RET_SPECIAL && put_special_ret(c, d->name, o)))
		tl_putf(o, "%lld", (long long)c->ret);
	return o->len;
}

size_t tl_format_ret(const struct tl_call *c, char *buf, size_t size)
{
	struct tl_out o;

	tl_out_init(&o, buf, size);
	return format_ret(c, tl_sysdesc_find(tl_syscall_name(c->arch, c->nr)), &o);
}

/* ---- the whole call ------------------------------------------------------- */

size_t tl_format_call(const struct tl_call *c, unsigned flags, char *buf, size_t size)
{
	const char *name = tl_syscall_name(c->arch, c->nr);
	const struct tl_sysdesc *d = tl_sysdesc_find(name);
	struct tl_out o;
	struct call_ctx x = {
		.c = c, .o = &o, .fmt = flags, .name = name,
		.returned = !(c->flags & (TL_CALL_UNFINISHED | TL_CALL_NORETURN)),
	};

	tl_out_init(&o, buf, size);
	if (name)
		tl_put(&o, name);
	else
		tl_putf(&o, "syscall_%#x", c->nr);
	tl_putc(&o, '(');
	if (!d) {
		/* Not described: all six, as strace prints an unknown one. */
		put_args_sig(&x, "xxxxxx");
	} else if (d->args[0] == '!') {
		put_special(&x);
	} else {
		put_args_sig(&x, d->args);
	}
	tl_putc(&o, ')');
	if (c->flags & TL_CALL_UNFINISHED) {
		tl_put(&o, " <unfinished ...>");
		return o.len;
	}
	tl_put(&o, " = ");
	return format_ret(c, d, &o);
}
