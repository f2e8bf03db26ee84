// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop: a syscall flight recorder.  Every syscall of the traced
 * processes goes into a ring in the kernel (the last --size calls of each
 * process) while this program sleeps; the ring is printed, decoded like
 * strace, when it is asked for (SIGUSR1), when the process crashes (with
 * the signal and the crashing thread's stack), when it exits, and at the
 * end.  -f streams every call instead.
 *
 * Dumps are events like the others: a tl_dump header, the calls, the
 * signal and the end, printed at once or written with -w for `bpfbox
 * report`.  The decoding is applets/traceloop/decode.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <bpf/bpf.h>
#include "../common/bpfbox.h"
#include "../common/filters.h"
#include "../common/loader.h"
#include "../common/outfile.h"
#include "../common/output.h"
#include "../common/record.h"
#include "../common/target.h"
#include "../common/usyms.h"
#include "traceloop/decode.h"
#include "tl_record.h"
#include "traceloop.skel.h"

_Static_assert(TL_NR_SLOTS == TL_NR_MAX, "the recorder's tables cover the decoder's numbers");
_Static_assert(sizeof(struct tl_call) % 8 == 0, "mmap-able array values are 8-byte multiples");

#define CALL_HDR_LEN offsetof(struct tl_call, data)
#define DEFAULT_SIZE 512
#define DEFAULT_MAX_PROCS 32
#define MAX_CALLS_MEMORY (1ULL << 30)	/* the rings' memory at most */
#define LINE_MAX_LEN 4096

/* tl_dump.pad: what the dump holds. */
#define DUMP_THREADS 0x1		/* calls of several threads: [pid N] prefixes */

enum { O_SIZE = 256, O_MAX_PROCS, O_PERFETTO };

static const struct bb_option tl_options[] = {
	{ "command", 'c', "CMD", "run CMD (split into words like a shell, no expansion)" },
	{ "size", O_SIZE, "N", "calls kept per process (default 512)" },
	{ "max-procs", O_MAX_PROCS, "N", "processes recorded at once without -p/-c (default 32)" },
	{ "snaplen", 's', "N", "bytes of read/write data kept per call (0-256, default 32)" },
	{ "expr", 'e', "trace=SET", "only these syscalls: names and classes (%file, %network...), !SET" },
	{ "failed", 'Z', NULL, "only calls that failed" },
	{ "follow", 'f', NULL, "print every call as it returns instead of keeping a ring" },
	{ "summary", 'C', NULL, "per-syscall counts, errors and time at the end (like strace -c)" },
	{ "perfetto", O_PERFETTO, "FILE", "also write the calls dumped as a Chrome/Perfetto trace (JSON)" },
	{ 0 }
};

static struct {
	const char *command, *perfetto, *trace;
	unsigned long long size, max_procs, snaplen;
	bool failed, follow, summary;
} cfg = { .size = DEFAULT_SIZE, .max_procs = DEFAULT_MAX_PROCS, .snaplen = 32 };

static int tl_parse(int key, const char *arg)
{
	switch (key) {
	case 'c': cfg.command = arg; return 0;
	case O_SIZE: return bb_parse_uint(arg, 1 << 20, &cfg.size) || !cfg.size ? -1 : 0;
	case O_MAX_PROCS:
		return bb_parse_uint(arg, TL_MAX_RINGS, &cfg.max_procs) || !cfg.max_procs ? -1 : 0;
	case 's': return bb_parse_uint(arg, TL_PATH_MAX, &cfg.snaplen) ? -1 : 0;
	case 'e':
		if (strncmp(arg, "trace=", 6))
			bb_die("-e: only trace=SET is known ('%s')", arg);
		cfg.trace = arg + 6;
		return 0;
	case 'Z': cfg.failed = true; return 0;
	case 'f': cfg.follow = true; return 0;
	case 'C': cfg.summary = true; return 0;
	case O_PERFETTO: cfg.perfetto = arg; return 0;
	}
	return -1;
}

static struct bb_target target;
static bool have_target;
static struct traceloop_bpf *skel;
static const struct tl_call *calls;	/* the rings, mmap'ed */
static size_t calls_len;
static uint8_t trace_set[TL_NR_MAX / 8];

/* A syscall's name, or syscall_0x1c2 for a number the table does not have. */
static const char *syscall_name(unsigned arch, unsigned nr, char *buf, size_t len)
{
	const char *name = tl_syscall_name(arch, nr);

	if (name)
		return name;
	snprintf(buf, len, "syscall_0x%x", nr);
	return buf;
}

/* ---- what the kernel captures, by syscall name ---------------------------------- */

static const struct {
	const char *name;
	enum tl_capture cap;
} captures[] = {
	{ "open", TL_CAP_PATH0 }, { "creat", TL_CAP_PATH0 }, { "stat", TL_CAP_PATH0 },
	{ "lstat", TL_CAP_PATH0 }, { "access", TL_CAP_PATH0 }, { "chdir", TL_CAP_PATH0 },
	{ "chroot", TL_CAP_PATH0 }, { "mkdir", TL_CAP_PATH0 }, { "rmdir", TL_CAP_PATH0 },
	{ "unlink", TL_CAP_PATH0 }, { "truncate", TL_CAP_PATH0 }, { "chmod", TL_CAP_PATH0 },
	{ "chown", TL_CAP_PATH0 }, { "lchown", TL_CAP_PATH0 }, { "readlink", TL_CAP_PATH0 },
	{ "utime", TL_CAP_PATH0 }, { "utimes", TL_CAP_PATH0 }, { "mknod", TL_CAP_PATH0 },
	{ "statfs", TL_CAP_PATH0 }, { "acct", TL_CAP_PATH0 }, { "swapon", TL_CAP_PATH0 },
	{ "swapoff", TL_CAP_PATH0 }, { "umount2", TL_CAP_PATH0 }, { "getxattr", TL_CAP_PATH0 },
	{ "lgetxattr", TL_CAP_PATH0 }, { "setxattr", TL_CAP_PATH0 }, { "lsetxattr", TL_CAP_PATH0 },
	{ "listxattr", TL_CAP_PATH0 }, { "llistxattr", TL_CAP_PATH0 },
	{ "removexattr", TL_CAP_PATH0 }, { "lremovexattr", TL_CAP_PATH0 },
	{ "openat", TL_CAP_PATH1 }, { "openat2", TL_CAP_PATH1 }, { "newfstatat", TL_CAP_PATH1 },
	{ "unlinkat", TL_CAP_PATH1 }, { "mkdirat", TL_CAP_PATH1 },
	{ "mknodat", TL_CAP_PATH1 }, { "fchownat", TL_CAP_PATH1 }, { "futimesat", TL_CAP_PATH1 },
	{ "utimensat", TL_CAP_PATH1 }, { "fchmodat", TL_CAP_PATH1 }, { "fchmodat2", TL_CAP_PATH1 },
	{ "faccessat", TL_CAP_PATH1 }, { "faccessat2", TL_CAP_PATH1 }, { "readlinkat", TL_CAP_PATH1 },
	{ "statx", TL_CAP_PATH1 }, { "name_to_handle_at", TL_CAP_PATH1 },
	{ "inotify_add_watch", TL_CAP_PATH1 },
	{ "rename", TL_CAP_PATH0_PATH1 }, { "link", TL_CAP_PATH0_PATH1 },
	{ "symlink", TL_CAP_PATH0_PATH1 }, { "mount", TL_CAP_PATH0_PATH1 },
	{ "pivot_root", TL_CAP_PATH0_PATH1 },
	{ "renameat", TL_CAP_PATH1_PATH3 }, { "renameat2", TL_CAP_PATH1_PATH3 },
	{ "linkat", TL_CAP_PATH1_PATH3 }, { "symlinkat", TL_CAP_PATH0_PATH2 },
	{ "execve", TL_CAP_EXECVE }, { "execveat", TL_CAP_EXECVEAT },
	{ "write", TL_CAP_WRITE }, { "pwrite64", TL_CAP_WRITE },
	{ "read", TL_CAP_READ }, { "pread64", TL_CAP_READ },
	{ "writev", TL_CAP_WRITEV }, { "pwritev", TL_CAP_WRITEV }, { "pwritev2", TL_CAP_WRITEV },
	{ "readv", TL_CAP_READV }, { "preadv", TL_CAP_READV }, { "preadv2", TL_CAP_READV },
	{ "connect", TL_CAP_SOCKADDR1 }, { "bind", TL_CAP_SOCKADDR1 },
	{ "accept", TL_CAP_ACCEPT }, { "accept4", TL_CAP_ACCEPT },
	{ "getsockname", TL_CAP_ACCEPT }, { "getpeername", TL_CAP_ACCEPT },
	{ "sendto", TL_CAP_SENDTO }, { "recvfrom", TL_CAP_RECVFROM },
};

static void fill_captures(volatile __u8 *table, unsigned arch)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(captures); i++) {
		int nr = tl_syscall_number(arch, captures[i].name);

		if (nr >= 0 && nr < TL_NR_MAX)
			table[nr] = captures[i].cap;
	}
}

/* Fetch-and-add in BPF (5.12+): one tiny program tells. */
static bool kernel_has_atomic_fetch(void)
{
	const struct bpf_insn prog[] = {
		{ .code = 0x7a, .dst_reg = 10, .off = -8, .imm = 0 },	/* *(u64 *)(r10 - 8) = 0 */
		{ .code = 0xb7, .dst_reg = 1, .imm = 1 },		/* r1 = 1 */
		{ .code = 0xdb, .dst_reg = 10, .src_reg = 1, .off = -8,
		  .imm = 0x01 /* BPF_ADD */ | 0x01 /* BPF_FETCH */ },
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },		/* r0 = 0 */
		{ .code = 0x95 },					/* exit */
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", prog, ARRAY_SIZE(prog),
			       NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static unsigned nr_rings(void)
{
	return have_target ? 1 : cfg.max_procs;
}

static int tl_configure(void *s)
{
	struct traceloop_bpf *sk = s;
	unsigned rings = nr_rings();

	bb_filter_fill((struct bb_filter *)&sk->rodata->bb_cfg_filter);
	if (have_target)
		((struct bb_filter *)&sk->rodata->bb_cfg_filter)->tgid = target.pid;
	sk->rodata->cfg_size = cfg.size;
	sk->rodata->cfg_max_rings = rings;
	sk->rodata->cfg_snaplen = cfg.snaplen;
	sk->rodata->cfg_self = getpid();
	sk->rodata->cfg_arch = tl_native_arch();
	sk->rodata->cfg_failed_only = cfg.failed;
	sk->rodata->cfg_follow = cfg.follow;
	sk->rodata->cfg_summary = cfg.summary;
	sk->rodata->cfg_has_trace = cfg.trace != NULL;
	memcpy((void *)sk->rodata->cfg_trace, trace_set, sizeof(trace_set));
	fill_captures(sk->rodata->cfg_capture, tl_native_arch());
	bpf_map__set_max_entries(sk->maps.tl_calls, rings * cfg.size);
	bpf_map__set_max_entries(sk->maps.tl_slots, rings);
	bpf_map__set_max_entries(sk->maps.tl_rings, rings + 8192);
	bb_map_lazy_if_safe(sk->maps.tl_threads);
	return 0;
}

/* ---- printing ------------------------------------------------------------------ */

static FILE *perfetto;
static bool perfetto_first = true;
static bool dump_threads;	/* the dump being printed has several threads */

static void perfetto_open(void)
{
	if (!cfg.perfetto)
		return;
	perfetto = bb_create_output_file(cfg.perfetto);
	fprintf(perfetto, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
}

static void perfetto_sep(void)
{
	fputs(perfetto_first ? "" : ",\n", perfetto);
	perfetto_first = false;
}

/* Threads named once: Perfetto shows a track per thread under its process. */
static void perfetto_name_thread(const struct tl_call *c)
{
	static __u32 *named;
	static size_t nr, cap;
	size_t i;

	for (i = 0; i < nr; i++)
		if (named[i] == c->tid)
			return;
	if (nr == cap) {
		cap = cap ? 2 * cap : 16;
		named = bb_xrealloc(named, cap, sizeof(*named));
	}
	named[nr++] = c->tid;
	perfetto_sep();
	fprintf(perfetto, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":",
		c->tgid, c->tid);
	bb_json_escape(perfetto, c->comm);
	fputs("}}", perfetto);
}

/* One slice per call; one still running lasts until @now. */
static void perfetto_call(const struct tl_call *c, const char *line, uint64_t now)
{
	uint64_t end = c->exit_ns ? c->exit_ns : now > c->enter_ns ? now : c->enter_ns;
	char buf[32];
	const char *name = syscall_name(c->arch, c->nr, buf, sizeof(buf));

	if (!perfetto)
		return;
	perfetto_name_thread(c);
	perfetto_sep();
	fprintf(perfetto, "{\"ph\":\"X\",\"cat\":\"syscall\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u,"
		"\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"call\":", name, c->tgid, c->tid,
		(c->enter_ns + bb_wall_base) / 1e3, (end - c->enter_ns) / 1e3);
	bb_json_escape(perfetto, line);
	fputs("}}", perfetto);
}

static void perfetto_close(void)
{
	if (!perfetto)
		return;
	fprintf(perfetto, "\n]}\n");
	bb_close_output_file(perfetto, cfg.perfetto);	/* a write error: one line, exit 2 */
	perfetto = NULL;
}

static void print_call_json(const struct tl_call *c, const char *line)
{
	const char *name = tl_syscall_name(c->arch, c->nr);
	char ts[32], raw[8 * 24];
	struct bb_json j;
	int i, n = 0;

	bb_format_time(c->enter_ns, bb_wall_base, ts, sizeof(ts));
	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", "call");
	bb_json_u64(&j, "seq", c->seq);
	bb_json_u64(&j, "pid", c->tgid);
	bb_json_u64(&j, "tid", c->tid);
	bb_json_str(&j, "comm", c->comm);
	bb_json_str(&j, "time", ts);
	bb_json_u64(&j, "enter_ns", c->enter_ns);
	if (c->exit_ns)
		bb_json_u64(&j, "duration_ns", c->exit_ns - c->enter_ns);
	bb_json_u64(&j, "nr", c->nr);
	if (name)
		bb_json_str(&j, "syscall", name);
	for (i = 0; i < TL_NR_ARGS; i++)
		n += snprintf(raw + n, sizeof(raw) - n, "%s%llu", i ? "," : "[",
			      (unsigned long long)c->args[i]);
	snprintf(raw + n, sizeof(raw) - n, "]");
	bb_json_raw(&j, "args", raw);
	if (c->flags & TL_CALL_UNFINISHED)
		bb_json_raw(&j, "unfinished", "true");
	else if (c->flags & TL_CALL_NORETURN)
		bb_json_raw(&j, "noreturn", "true");
	else {
		bb_json_i64(&j, "ret", c->ret);
		if (c->ret < 0 && c->ret >= -4095 && tl_errno_name(-c->ret))
			bb_json_str(&j, "errno", tl_errno_name(-c->ret));
	}
	bb_json_str(&j, "line", line);
	bb_json_end(&j);
}

static void print_call(const struct tl_call *c, size_t len)
{
	char line[LINE_MAX_LEN], ts[32];

	if (tl_call_valid(c, len))
		bb_die("corrupt syscall record (%zu bytes)", len);
	tl_format_call(c, 0, line, sizeof(line));
	perfetto_call(c, line, bb_now_ns(CLOCK_BOOTTIME));
	if (bb_opts.json) {
		print_call_json(c, line);
		return;
	}
	bb_format_time(c->enter_ns, bb_wall_base, ts, sizeof(ts));
	if (dump_threads || c->tid != c->tgid || (cfg.follow && !have_target))
		printf("[pid %5u] ", c->tid);
	if (c->exit_ns)
		printf("%s %s <%llu.%06llu>\n", ts, line,
		       (unsigned long long)(c->exit_ns - c->enter_ns) / 1000000000,
		       (unsigned long long)(c->exit_ns - c->enter_ns) / 1000 % 1000000);
	else
		printf("%s %s\n", ts, line);
}

static const char *const dump_reasons[] = {
	[TL_DUMP_SIGNAL] = "SIGUSR1", [TL_DUMP_CRASH] = "crash",
	[TL_DUMP_EXIT] = "exit", [TL_DUMP_END] = "end",
};

static const char *dump_reason(unsigned r)
{
	return r < ARRAY_SIZE(dump_reasons) && dump_reasons[r] ? dump_reasons[r] : "?";
}

static void print_dump(const struct tl_dump *d)
{
	struct bb_json j;

	dump_threads = d->pad & DUMP_THREADS;
	if (!bb_opts.json) {
		printf("=== traceloop: pid %u, dump at %s: the last %llu calls; %llu older ones "
		       "overwritten ===\n", d->tgid, dump_reason(d->reason),
		       (unsigned long long)d->held, (unsigned long long)d->overwritten);
		return;
	}
	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", "dump");
	bb_json_u64(&j, "pid", d->tgid);
	bb_json_str(&j, "reason", dump_reason(d->reason));
	bb_json_u64(&j, "held", d->held);
	bb_json_u64(&j, "overwritten", d->overwritten);
	bb_json_end(&j);
}

static const char *signal_name(int sig, char *buf, size_t len)
{
	const char *n = tl_signal_name(sig);

	if (n)
		return n;
	snprintf(buf, len, "signal %d", sig);
	return buf;
}

static struct bb_usyms *stack_syms;	/* the crashing process's, for its stack */

static void format_frame(uint64_t addr, char *buf, size_t len)
{
	bb_usym_format(stack_syms, addr, buf, len);
}

static void print_signal(const struct tl_signal *s)
{
	const char *code = tl_sigcode_name(s->signo, s->code);
	uint64_t frames[BB_MAX_STACK];
	char sigbuf[24], codebuf[16];
	const char *sig = signal_name(s->signo, sigbuf, sizeof(sigbuf));
	int n = bb_stack_frames(s->stack_id, frames, BB_MAX_STACK);
	struct bb_json j;

	if (!code) {
		snprintf(codebuf, sizeof(codebuf), "%d", s->code);
		code = codebuf;
	}
	if (bb_opts.json) {
		bb_json_begin(&j, stdout);
		bb_json_str(&j, "type", "signal");
		bb_json_u64(&j, "pid", s->tgid);
		bb_json_u64(&j, "tid", s->tid);
		bb_json_str(&j, "signal", sig);
		bb_json_str(&j, "code", code);
		bb_json_u64(&j, "addr", s->addr);
		bb_json_frames(&j, "stack", frames, n, format_frame);
		bb_json_end(&j);
		return;
	}
	if (dump_threads || s->tid != s->tgid)
		printf("[pid %5u] ", s->tid);
	printf("--- %s {si_signo=%s, si_code=%s, si_addr=0x%llx} ---\n", sig, sig, code,
	       (unsigned long long)s->addr);
	printf("    thread %u (%s) stack:\n", s->tid, bb_esc(s->comm));
	bb_print_frames("      ", frames, n, format_frame, "[stack lost]");
}

static void print_exit(const struct tl_exit *e)
{
	int sig = e->exit_code & 0x7f;
	char buf[24];
	struct bb_json j;

	if (bb_opts.json) {
		bb_json_begin(&j, stdout);
		bb_json_str(&j, "type", "exit");
		bb_json_u64(&j, "pid", e->tgid);
		if (sig)
			bb_json_str(&j, "killed_by", signal_name(sig, buf, sizeof(buf)));
		else
			bb_json_u64(&j, "status", (e->exit_code >> 8) & 0xff);
		bb_json_end(&j);
		return;
	}
	if (sig)
		printf("+++ pid %u killed by %s%s +++\n", e->tgid, signal_name(sig, buf, sizeof(buf)),
		       e->exit_code & 0x80 ? " (core dumped)" : "");
	else
		printf("+++ pid %u exited with %d +++\n", e->tgid, (e->exit_code >> 8) & 0xff);
}

/* A record from a file: each kind at its size, a call's blobs inside it,
 * every name terminated.  Printers then read only what was checked. */
static const char *tl_check_event(void *data, size_t len)
{
	__u8 type = *(__u8 *)data;
	struct tl_call *c = data;
	struct tl_signal *sig = data;
	struct tl_exit *ex = data;

	switch (type) {
	case TL_EV_CALL:
		if (len < offsetof(struct tl_call, data) || tl_call_valid(c, len))
			return "syscall record malformed";
		bb_rec_terminate(c->comm, sizeof(c->comm));
		return NULL;
	case TL_EV_DUMP:
		return len == sizeof(struct tl_dump) ? NULL : "dump record of a wrong length";
	case TL_EV_SIGNAL:
		if (len != sizeof(*sig))
			return "signal record of a wrong length";
		bb_rec_terminate(sig->comm, sizeof(sig->comm));
		return NULL;
	case TL_EV_EXIT:
		if (len != sizeof(*ex))
			return "exit record of a wrong length";
		bb_rec_terminate(ex->comm, sizeof(ex->comm));
		return NULL;
	}
	return "traceloop record of an unknown type";
}

static const struct bb_rec_shape tl_event_shape = {
	.min_len = sizeof(struct tl_dump) < sizeof(struct tl_exit) ?
		   sizeof(struct tl_dump) : sizeof(struct tl_exit),
	.max_len = sizeof(struct tl_call),
	.check = tl_check_event,
};

static void tl_print_event(const void *data, size_t len)
{
	const __u8 *type = data;

	if (len < 1)
		bb_die("corrupt traceloop record (empty)");
	switch (*type) {
	case TL_EV_CALL:
		print_call(data, len);
		return;
	case TL_EV_DUMP:
		if (len == sizeof(struct tl_dump)) {
			print_dump(data);
			return;
		}
		break;
	case TL_EV_SIGNAL:
		if (len == sizeof(struct tl_signal)) {
			print_signal(data);
			return;
		}
		break;
	case TL_EV_EXIT:
		if (len == sizeof(struct tl_exit)) {
			print_exit(data);
			return;
		}
		break;
	}
	bb_die("corrupt traceloop record (type %u, %zu bytes)", *type, len);
}

/* -w: a signal's stack goes into the file as text, with its process's symbols. */
static void tl_mark_addrs(const void *data, size_t len, enum bb_mark_kind kind)
{
	const struct tl_signal *s = data;
	uint64_t frames[BB_MAX_STACK];

	if (kind != BB_MARK_EVENT || len != sizeof(*s) || s->type != TL_EV_SIGNAL)
		return;
	bb_usym_record_stack(stack_syms, frames, bb_stack_frames(s->stack_id, frames, BB_MAX_STACK));
}

/* ---- dumps ---------------------------------------------------------------------- */

/* What is known of a traced process between its crash and its end. */
struct proc {
	__u32 tgid;
	bool crashed;
	struct tl_signal sig;
	struct bb_usyms *syms;	/* opened at the crash (none for the target: target.syms) */
};

static struct proc *procs;
static size_t nr_procs;
static unsigned long long dumps, calls_dumped;

static struct proc *proc_find(__u32 tgid, bool create)
{
	size_t i;

	for (i = 0; i < nr_procs; i++)
		if (procs[i].tgid == tgid)
			return &procs[i];
	if (!create)
		return NULL;
	procs = bb_xrealloc(procs, nr_procs + 1, sizeof(*procs));
	memset(&procs[nr_procs], 0, sizeof(*procs));
	procs[nr_procs].tgid = tgid;
	return &procs[nr_procs++];
}

static void proc_forget(__u32 tgid)
{
	struct proc *p = proc_find(tgid, false);

	if (!p)
		return;
	if (p->syms)
		bb_usyms_close(p->syms);
	*p = procs[--nr_procs];
}

static int cmp_enter(const void *a, const void *b)
{
	const struct tl_call *x = a, *y = b;

	return (x->enter_ns > y->enter_ns) - (x->enter_ns < y->enter_ns);
}

/* Calls of @tgid still in progress (from the per-thread table): appended. */
static size_t read_unfinished(__u32 tgid, struct tl_call **v, size_t n, size_t *cap)
{
	int fd = bpf_map__fd(skel->maps.tl_threads);
	__u32 tid, *prev = NULL;
	struct tl_call c;

	while (!bpf_map_get_next_key(fd, prev, &tid)) {
		prev = &tid;
		if (bpf_map_lookup_elem(fd, &tid, &c) || c.type != TL_EV_CALL || c.tgid != tgid ||
		    !c.enter_ns)
			continue;
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*v = bb_xrealloc(*v, *cap, sizeof(**v));
		}
		c.flags |= TL_CALL_UNFINISHED;
		c.exit_ns = 0;
		c.seq = ~0ULL;	/* after the ring's calls */
		c.nr_blobs = c.data_len = 0;	/* what an entry read is in the ring's copy only */
		(*v)[n++] = c;
	}
	return n;
}

/* The call numbered @seq of @tgid's ring @r, copied into @c; false when
 * the slot holds another call by now (the process runs on during the dump). */
static bool read_call(__u32 tgid, const struct tl_ring *r, __u64 seq, struct tl_call *c)
{
	const struct tl_call *s = &calls[(size_t)r->slot * cfg.size + seq % cfg.size];

	memcpy(c, s, sizeof(*c));
	__sync_synchronize();
	return c->seq == seq && c->tgid == tgid && s->seq == seq &&
	       !tl_call_valid(c, sizeof(*c));
}

/* Calls of more than one thread in the ring (from @first on) or in progress? */
static bool several_threads(const struct tl_ring *r, __u64 first, const struct tl_call *busy,
			    size_t nr_busy)
{
	__u32 tid = 0;
	__u64 seq;
	size_t i;

	for (seq = first; seq < r->next_seq; seq++) {
		__u32 t = calls[(size_t)r->slot * cfg.size + seq % cfg.size].tid;

		if (tid && t != tid)
			return true;
		tid = t;
	}
	for (i = 0; i < nr_busy; i++) {
		if (tid && busy[i].tid != tid)
			return true;
		tid = busy[i].tid;
	}
	return false;
}

static void emit_call(const struct tl_call *c)
{
	bb_emit_event(c, CALL_HDR_LEN + c->data_len);
}

/*
 * Prints (or records) the ring of @tgid, after a header saying how many
 * calls it held and how many older ones were overwritten, then the calls
 * in progress, the fatal signal and the end when there are.  The ring is
 * read in place, in sequence order: a slot rewritten meanwhile is left
 * out, and counted.  Returns false when @tgid has no ring.
 */
static bool dump_ring(__u32 tgid, enum tl_dump_reason reason, const struct tl_exit *end)
{
	static struct tl_call *busy;
	static size_t cap;
	struct tl_dump d = { .type = TL_EV_DUMP, .reason = reason, .tgid = tgid };
	struct proc *p = proc_find(tgid, false);
	unsigned long long changed = 0, shown = 0;
	struct tl_call c;
	struct tl_ring r;
	size_t nr_busy = 0, i;
	uint64_t t0;
	__u64 seq;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.tl_rings), &tgid, &r) ||
	    r.slot == TL_NO_SLOT || r.slot >= nr_rings())
		return false;
	if (!cfg.follow) {
		t0 = bb_now_ns(CLOCK_MONOTONIC);
		if (!end)
			nr_busy = read_unfinished(tgid, &busy, 0, &cap);
		qsort(busy, nr_busy, sizeof(*busy), cmp_enter);
		d.held = r.next_seq < cfg.size ? r.next_seq : cfg.size;
		d.overwritten = r.next_seq - d.held;
		d.ts_ns = bb_now_ns(CLOCK_BOOTTIME);
		if (several_threads(&r, d.overwritten, busy, nr_busy))
			d.pad |= DUMP_THREADS;
		bb_emit_event(&d, sizeof(d));
		for (seq = d.overwritten; seq < r.next_seq; seq++) {
			if (!read_call(tgid, &r, seq, &c)) {
				changed++;
				continue;
			}
			emit_call(&c);
			shown++;
		}
		for (i = 0; i < nr_busy; i++)
			emit_call(&busy[i]);
		if (changed)
			bb_warn("pid %u: %llu calls were overwritten while the ring was read", tgid,
				changed);
		dumps++;
		calls_dumped += shown + nr_busy;
		fflush(stdout);
		bb_info("pid %u: %llu calls dumped in %.1f ms", tgid, shown + nr_busy,
			(bb_now_ns(CLOCK_MONOTONIC) - t0) / 1e6);
	}
	stack_syms = p && p->syms ? p->syms : target.syms;
	if (p && p->crashed)
		bb_emit_event(&p->sig, sizeof(p->sig));
	if (end)
		bb_emit_event(end, sizeof(*end));
	fflush(stdout);
	return true;
}

/* The process ended and was dumped: its ring slot goes back to the pool. */
static void release_ring(__u32 tgid)
{
	int rings = bpf_map__fd(skel->maps.tl_rings);
	struct tl_ring r;
	__u32 key, *prev = NULL;

	if (!bpf_map_lookup_elem(rings, &tgid, &r) && r.slot != TL_NO_SLOT)
		bpf_map_delete_elem(bpf_map__fd(skel->maps.tl_slots), &r.slot);
	bpf_map_delete_elem(rings, &tgid);
	if (r.slot == TL_NO_SLOT)
		return;
	/* Processes that found no free ring may have one now: they ask again. */
	while (!bpf_map_get_next_key(rings, prev, &key)) {
		if (!bpf_map_lookup_elem(rings, &key, &r) && r.slot == TL_NO_SLOT &&
		    !bpf_map_delete_elem(rings, &key))
			continue;	/* deleted: the same prev finds the next */
		prev = &key;
	}
	proc_forget(tgid);
}

/* Every ring, now (SIGUSR1, the end). */
static void dump_all(enum tl_dump_reason reason)
{
	int fd = bpf_map__fd(skel->maps.tl_rings);
	__u32 key, *prev = NULL, *tgids = NULL;
	size_t n = 0, i;

	while (!bpf_map_get_next_key(fd, prev, &key)) {
		tgids = bb_xrealloc(tgids, n + 1, sizeof(*tgids));
		tgids[n++] = key;
		prev = &tgids[n - 1];
	}
	for (i = 0; i < n; i++)
		dump_ring(tgids[i], reason, NULL);
	free(tgids);
}

/* ---- events --------------------------------------------------------------------- */

static void on_signal_event(const struct tl_signal *s)
{
	struct proc *p = proc_find(s->tgid, true);

	p->crashed = true;
	p->sig = *s;
	/* Its memory map, for the stack, while it may still be there. */
	if (!p->syms && !(have_target && (int)s->tgid == target.pid))
		p->syms = bb_usyms_open(s->tgid);
}

/* With a target, its end is always shown; without, only an end in error. */
static void on_exit_event(const struct tl_exit *e)
{
	struct proc *p = proc_find(e->tgid, false);
	bool crashed = p && p->crashed;

	if (have_target || crashed || e->exit_code)
		dump_ring(e->tgid, crashed ? TL_DUMP_CRASH : TL_DUMP_EXIT, e);
	release_ring(e->tgid);
}

static int tl_on_event(void *ctx, void *data, size_t len)
{
	const __u8 *type = data;

	(void)ctx;
	if (len >= CALL_HDR_LEN && *type == TL_EV_CALL)
		return bb_emit_event(data, len);
	if (len == sizeof(struct tl_signal) && *type == TL_EV_SIGNAL)
		on_signal_event(data);
	else if (len == sizeof(struct tl_exit) && *type == TL_EV_EXIT)
		on_exit_event(data);
	return 0;
}

static int on_usr1(void *ctx)
{
	struct signalfd_siginfo si;
	int fd = *(int *)ctx;

	while (read(fd, &si, sizeof(si)) == sizeof(si))
		;
	dump_all(TL_DUMP_SIGNAL);
	fprintf(stderr, "traceloop: SIGUSR1: rings dumped to %s; still recording\n",
		bb_opts.write_file ? bb_opts.write_file : "standard output");
	return 0;
}

static void watch_usr1(struct bb_loop *lp)
{
	static int fd;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		bb_die("signalfd: %s", strerror(errno));
	bb_loop_add_fd(lp, fd, on_usr1, &fd);
}

/* ---- summary (-C) ---------------------------------------------------------------- */

struct stat_row {
	unsigned nr;
	struct tl_stat s;
};

static int cmp_row(const void *a, const void *b)
{
	const struct stat_row *x = a, *y = b;

	if (x->s.ns != y->s.ns)
		return x->s.ns > y->s.ns ? -1 : 1;
	return (x->s.calls < y->s.calls) - (x->s.calls > y->s.calls);
}

static void print_summary_json(const struct stat_row *rows, unsigned n)
{
	struct bb_json j;
	char buf[32];
	unsigned i;

	for (i = 0; i < n; i++) {
		bb_json_begin(&j, stdout);
		bb_json_str(&j, "type", "summary");
		bb_json_str(&j, "syscall", syscall_name(tl_native_arch(), rows[i].nr, buf, sizeof(buf)));
		bb_json_u64(&j, "calls", rows[i].s.calls);
		bb_json_u64(&j, "errors", rows[i].s.errors);
		bb_json_u64(&j, "ns", rows[i].s.ns);
		bb_json_end(&j);
	}
}

static void print_summary(void)
{
	int fd = bpf_map__fd(skel->maps.tl_stats), ncpu = libbpf_num_possible_cpus();
	struct tl_stat *percpu = bb_xcalloc(ncpu, sizeof(*percpu)), total = { 0 };
	struct stat_row *rows = bb_xcalloc(TL_NR_MAX, sizeof(*rows));
	unsigned nr, n = 0, i;
	int c;

	for (nr = 0; nr < TL_NR_MAX; nr++) {
		if (bpf_map_lookup_elem(fd, &nr, percpu))
			continue;
		rows[n] = (struct stat_row){ .nr = nr };
		for (c = 0; c < ncpu; c++) {
			rows[n].s.calls += percpu[c].calls;
			rows[n].s.errors += percpu[c].errors;
			rows[n].s.ns += percpu[c].ns;
		}
		if (rows[n].s.calls) {
			total.calls += rows[n].s.calls;
			total.errors += rows[n].s.errors;
			total.ns += rows[n].s.ns;
			n++;
		}
	}
	qsort(rows, n, sizeof(*rows), cmp_row);
	if (bb_opts.json) {
		print_summary_json(rows, n);
		goto out;
	}
	printf("%% time     seconds  usecs/call     calls    errors syscall\n"
	       "------ ----------- ----------- --------- --------- ----------------\n");
	for (i = 0; i < n; i++) {
		char buf[32];
		const char *name = syscall_name(tl_native_arch(), rows[i].nr, buf, sizeof(buf));
		char errors[24] = "";

		if (rows[i].s.errors)	/* (blank for none, as strace's) */
			snprintf(errors, sizeof(errors), "%llu", (unsigned long long)rows[i].s.errors);
		printf("%6.2f %11.6f %11llu %9llu %9s %s\n",
		       total.ns ? 100.0 * rows[i].s.ns / total.ns : 0.0, rows[i].s.ns / 1e9,
		       (unsigned long long)(rows[i].s.ns / 1000 / rows[i].s.calls),
		       (unsigned long long)rows[i].s.calls, errors, name);
	}
	printf("------ ----------- ----------- --------- --------- ----------------\n"
	       "100.00 %11.6f %11llu %9llu %9llu total\n", total.ns / 1e9,
	       (unsigned long long)(total.calls ? total.ns / 1000 / total.calls : 0),
	       (unsigned long long)total.calls, (unsigned long long)total.errors);
out:
	free(rows);
	free(percpu);
}

static void tl_tick(void *ctx, bool final)
{
	(void)ctx;
	if (!final)
		return;
	dump_all(TL_DUMP_END);
	if (cfg.summary)	/* (the maps are unloaded after this tick) */
		print_summary();
}

/* ---- main ----------------------------------------------------------------------- */

static struct bb_hook hooks[] = {
	{ .what = "raw_syscalls:sys_enter",
	  .progs = { "tl_enter_btf", "tl_enter_raw", "tl_enter_tp" } },
	{ .what = "raw_syscalls:sys_exit",	/* (without fetch-and-add: *_old) */
	  .progs = { "tl_exit_btf", "tl_exit_raw", "tl_exit_tp" } },
	{ .what = "signal:signal_deliver",
	  .progs = { "tl_signal_btf", "tl_signal_raw", "tl_signal_tp" } },
	{ .what = "sched:sched_process_exit",
	  .progs = { "tl_task_exit_btf", "tl_task_exit_raw", "tl_task_exit_tp" } },
};
static const char *const exits_old[][3] = {
	{ "tl_exit_btf_old", "tl_exit_raw_old", "tl_exit_tp_old" },
	{ "tl_task_exit_btf_old", "tl_task_exit_raw_old", "tl_task_exit_tp_old" },
};

/* Before 5.12 the programs that commit calls are those without fetch-and-add. */
static void choose_exit_programs(void)
{
	int i;

	if (kernel_has_atomic_fetch())
		return;
	bb_info("no fetch-and-add in BPF (before 5.12): threads of a process share a ring "
		"without it");
	for (i = 0; i < 3; i++) {
		hooks[1].progs[i] = exits_old[0][i];
		hooks[3].progs[i] = exits_old[1][i];
	}
}

static const struct bb_skel_ops tl_skel = BB_SKEL_OPS(traceloop_bpf);

static void map_rings(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	void *p;

	calls_len = ((size_t)nr_rings() * cfg.size * sizeof(struct tl_call) + page - 1) &
		    ~(page - 1);
	/* Populated now: page faults at a dump would make it slow (1 s for 45 MB
	 * in a VM), and a dump comes when something went wrong. */
	p = mmap(NULL, calls_len, PROT_READ, MAP_SHARED | MAP_POPULATE,
		 bpf_map__fd(skel->maps.tl_calls), 0);
	if (p == MAP_FAILED)
		bb_die("cannot map the rings: %s", strerror(errno));
	calls = p;
}

static void parse_trace_set(void)
{
	char err[256];

	if (cfg.trace &&
	    tl_parse_trace_spec(tl_native_arch(), cfg.trace, trace_set, err, sizeof(err)))
		bb_die("-e trace=%s: %s", cfg.trace, err);
}

static void say_what(void)
{
	char who[64];

	if (have_target)
		snprintf(who, sizeof(who), "pid %d", target.pid);
	else
		snprintf(who, sizeof(who), "every process%s (%llu at once)",
			 bb_opts.cgroup_id || bb_opts.mntns || bb_opts.comm[0] || bb_opts.tid ?
			 " selected" : "", cfg.max_procs);
	if (cfg.follow)
		fprintf(stderr, "traceloop: following %s (%s); Ctrl-C to stop\n", who,
			hooks[0].method);
	else
		fprintf(stderr, "traceloop: recording the last %llu syscalls of %s (%s); "
			"kill -USR1 %d dumps, Ctrl-C ends\n", cfg.size, who, hooks[0].method,
			(int)getpid());
}

static int tl_main(int argc, char **argv)
{
	struct bb_load l = { .ops = &tl_skel, .hooks = hooks, .nr_hooks = ARRAY_SIZE(hooks),
			     .configure = tl_configure };
	struct bb_loop *loop;

	parse_trace_set();
	if ((unsigned long long)(argc || cfg.command || bb_opts.tgid ? 1 : cfg.max_procs) *
	    cfg.size * sizeof(struct tl_call) > MAX_CALLS_MEMORY)
		bb_die("--size %llu x %llu processes needs more than 1 GiB of rings", cfg.size,
		       argc || cfg.command || bb_opts.tgid ? 1 : cfg.max_procs);
	have_target = bb_target_choose(&target, cfg.command, argc, argv);
	if (bb_opts.write_file)
		bb_record_open(bb_opts.write_file, 0);
	perfetto_open();
	choose_exit_programs();
	bb_load_attach(&l);
	skel = l.skel;
	map_rings();
	bb_stacks_use_map(bpf_map__fd(skel->maps.tl_stacks), &stack_syms);
	stack_syms = target.syms;
	/* Before say_what()'s line: a SIGINT sent on seeing it must stop us
	 * with a dump, not kill us. */
	bb_install_signals();
	say_what();
	bb_target_run(&target);
	stack_syms = target.syms;
	loop = bb_loop_new();
	bb_opts.interval = 0;
	bb_loop_add_ringbuf(loop, bpf_map__fd(skel->maps.bb_events), tl_on_event, NULL);
	bb_loop_on_tick(loop, tl_tick, NULL);
	watch_usr1(loop);
	if (have_target)
		bb_target_watch(&target, loop);
	bb_session_run(&l, loop);
	munmap((void *)calls, calls_len);
	perfetto_close();
	if (!cfg.follow && !bb_opts.json)
		fprintf(stderr, "traceloop: %llu dump%s, %llu calls shown\n", dumps,
			dumps == 1 ? "" : "s", calls_dumped);
	bb_target_finish(&target);
	return 0;
}

BB_APPLET(traceloop,
	.name = "traceloop",
	.summary = "syscall flight recorder: the last calls of a process, dumped on a crash",
	.usage = "[-p PID | -c CMD | -- CMD [ARGS]]",
	.description =
	"Records every syscall of the selected processes into a ring in the kernel\n"
	"(the last --size calls of each), decoded like strace when dumped: on\n"
	"SIGUSR1 to bpfbox, when the process crashes (signal, fault address, stack),\n"
	"when it exits, and at the end (Ctrl-C, --duration).  -f prints every call.\n"
	"Without -p/-c: every process (or --cgroup, --mntns, --comm), a ring each;\n"
	"those are dumped when they crash or exit in error, and at the end.\n"
	"Examples:\n"
	"  traceloop -- ./server --port 8080        dumps its last 512 calls if it dies\n"
	"  traceloop -p 1234 --size 4096 -e trace=%file,%network\n"
	"  traceloop --cgroup /sys/fs/cgroup/system.slice/nginx.service -Z\n"
	"  traceloop -f -c 'ls /' --perfetto ls.json\n",
	.common = BB_OPT_OUTPUT | BB_OPT_TASK | BB_OPT_BPF,
	.options = tl_options,
	.parse = tl_parse,
	.lost_other = "syscalls not recorded (no free ring: --max-procs; or the thread table was full)",
	.main = tl_main,
	.print_event = tl_print_event,
	.event_shape = &tl_event_shape,
	.mark_addrs = tl_mark_addrs,
);
