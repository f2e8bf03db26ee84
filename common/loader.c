// SPDX-License-Identifier: GPL-2.0
/* The common loader: see loader.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "bpfbox.h"
#include "kbtf.h"
#include "loader.h"
#include "uprobes.h"
#include "ustack.h"
#include "../bpf/bb_shared.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/*
 * libbpf's messages: shown as they come with -v; otherwise kept so that a
 * failure can name the program that failed and show the verifier's last
 * words.
 */
static char failed_prog[128];
static char last_warning[1024];
static char verifier_says[256];	/* the verifier's reason, from its log */

/* The reason is the line before "processed N insns" at the log's end. */
static void keep_verifier_reason(const char *log)
{
	const char *end = strstr(log, "\nprocessed "), *start;

	if (!end)
		return;
	for (start = end; start > log && start[-1] != '\n'; start--)
		;
	snprintf(verifier_says, sizeof(verifier_says), "%.*s", (int)(end - start), start);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	const char *p;
	va_list copy;

	/* Verifier logs come as one long string: print them whole. */
	va_copy(copy, ap);
	if (bb_opts.verbose && (level != LIBBPF_DEBUG || getenv("BPFBOX_DEBUG")))
		vfprintf(stderr, fmt, copy);
	va_end(copy);
	if (level == LIBBPF_WARN && strstr(fmt, "BEGIN PROG LOAD LOG")) {
		va_copy(copy, ap);
		(void)va_arg(copy, const char *);	/* the program's name */
		keep_verifier_reason(va_arg(copy, const char *));
		va_end(copy);
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	if (level != LIBBPF_WARN)
		return 0;
	p = strstr(line, "prog '");
	if (p && !failed_prog[0] && (strstr(line, "failed") || strstr(line, "error")))
		sscanf(p, "prog '%127[^']'", failed_prog);
	if (!strstr(line, "PROG LOAD LOG") && !strstr(line, "failed to load object")) {
		snprintf(last_warning, sizeof(last_warning), "%s", line);
		last_warning[strcspn(last_warning, "\n")] = 0;
	}
	return 0;
}

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

void bb_require_privileges(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		return;		/* cannot tell: let the kernel decide */
	if (has_cap(d, CAP_SYS_ADMIN))
		return;
	if (has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON))
		return;
	bb_die("needs root (or CAP_BPF and CAP_PERFMON) to load BPF programs");
}

static bool dir_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/*
 * In an initramfs nothing mounts tracefs; classic tracepoints and their
 * format files need it, so mount it where libbpf looks for it.
 */
const char *bb_tracefs(void)
{
	static const char *found;

	if (found)
		return found;
	if (dir_exists("/sys/kernel/debug/tracing/events"))
		return found = "/sys/kernel/debug/tracing";
	if (dir_exists("/sys/kernel/tracing/events"))
		return found = "/sys/kernel/tracing";
	mkdir("/sys/kernel/tracing", 0700);
	if (!mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		bb_info("mounted tracefs on /sys/kernel/tracing");
		return found = "/sys/kernel/tracing";
	}
	if (!mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    dir_exists("/sys/kernel/debug/tracing/events")) {
		bb_info("mounted debugfs on /sys/kernel/debug");
		return found = "/sys/kernel/debug/tracing";
	}
	return NULL;
}

static void require_btf(void)
{
	if (bb_opts.btf_path) {
		if (access(bb_opts.btf_path, R_OK))
			bb_die("--btf: cannot read %s: %s", bb_opts.btf_path, strerror(errno));
		return;
	}
	if (access(VMLINUX_BTF, R_OK))
		bb_die("this kernel has no BTF (%s is missing: CONFIG_DEBUG_INFO_BTF); "
		       "give a BTF file for it with --btf FILE", VMLINUX_BTF);
}

struct btf *bb_kernel_btf(void)
{
	static struct btf *btf;

	if (btf)
		return btf;
	require_btf();
	libbpf_set_print(libbpf_print);	/* its complaints: -v only, ours is the line */
	errno = 0;
	/* Our libbpf maps the sysfs file where it can (Linux 6.16+), instead of
	 * reading it 4K at a time and copying it (scripts/patches/libbpf). */
	btf = bb_opts.btf_path ? btf__parse(bb_opts.btf_path, NULL) : btf__load_vmlinux_btf();
	if (!btf)	/* errno may be libbpf's own (4000+): not strerror's */
		bb_die("cannot parse kernel BTF %s: %s",
		       bb_opts.btf_path ? bb_opts.btf_path : VMLINUX_BTF,
		       errno > 0 && errno < 4000 ? strerror(errno)
						 : "not a BTF file, nor an ELF file with .BTF");
	return btf;
}

void bb_map_lazy_if_safe(struct bpf_map *m)
{
	static int safe = -1;	/* configure runs on every load attempt */
	struct bb_ktype kt;

	/* bpf_mem_alloc (6.1) is what made it safe. */
	if (safe < 0)
		safe = bb_ktype_find(&kt, "bpf_mem_alloc", BTF_KIND_STRUCT);
	if (!safe)
		bpf_map__set_map_flags(m, bpf_map__map_flags(m) & ~BPF_F_NO_PREALLOC);
}

void bb_map_lazy(struct bpf_map *m)
{
	bpf_map__set_map_flags(m, bpf_map__map_flags(m) | BPF_F_NO_PREALLOC);
	bb_map_lazy_if_safe(m);
}

/* "tp_btf/kfree_skb" -> "tp_btf"; "tracepoint/skb/kfree_skb" -> "tracepoint". */
static void section_method(const struct bpf_program *p, char *buf, size_t len)
{
	const char *sec = bpf_program__section_name(p);

	snprintf(buf, len, "%.*s", (int)strcspn(sec, "/"), sec);
}

static bool needs_vmlinux_btf(const char *method)
{
	return !strcmp(method, "tp_btf") || !strncmp(method, "fentry", 6) ||
	       !strncmp(method, "fexit", 5) || !strcmp(method, "lsm");
}

static bool tracepoint_exists(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);
	const char *tp = strchr(sec, '/');
	const char *fs = bb_tracefs();
	char path[512];

	if (!fs || !tp)
		return false;
	snprintf(path, sizeof(path), "%s/events/%s", fs, tp + 1);
	return dir_exists(path);
}

/* Is @word one of the comma-separated words of @list? */
static bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (;;) {
		if (!strncmp(list, word, n) && (list[n] == ',' || !list[n]))
			return true;
		list = strchr(list, ',');
		if (!list++)
			return false;
	}
}

/* link_create of a uprobe.multi link for @pid on "/": its errno. */
static int uprobe_multi_errno(int prog, int pid)
{
	unsigned long offset = 0;
	LIBBPF_OPTS(bpf_link_create_opts, o, .uprobe_multi.path = "/",
		    .uprobe_multi.offsets = &offset, .uprobe_multi.cnt = 1,
		    .uprobe_multi.pid = pid);
	int fd = bpf_link_create(prog, -1, BPF_TRACE_UPROBE_MULTI, &o), err = errno;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return err;
}

/*
 * uprobe.multi links came in 6.6.  Older kernels may load the programs all
 * the same (6.1 checks no attach type for kprobe programs) and refuse only
 * the link, which the applet makes after the loader has committed to the
 * program: ask the kernel first, as libbpf does for USDT.  A link on a
 * directory fails with EBADF where the links exist (EINVAL before), and
 * with EINVAL for an invalid pid where they filter by process, not thread
 * (the first ones did not: those are not used).
 */
static bool have_uprobe_multi(void)
{
	static const struct bpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_UPROBE_MULTI);
	static int have = -1;
	int prog;

	if (have >= 0)
		return have;
	prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, NULL, "GPL", ret0, 2, &o);
	have = prog >= 0 && uprobe_multi_errno(prog, 0) == EBADF &&
	       uprobe_multi_errno(prog, -1) == EINVAL;
	if (prog >= 0)
		close(prog);
	if (!have)
		bb_info("no usable uprobe.multi links in this kernel (6.6+): single uprobes");
	return have;
}

/* Could this program work here?  Cheap checks only; the kernel decides. */
static bool candidate_usable(const struct bpf_program *p)
{
	char method[32];

	section_method(p, method, sizeof(method));
	if (bb_opts.attach && !in_list(bb_opts.attach, method))
		return false;
	if (needs_vmlinux_btf(method) && access(VMLINUX_BTF, R_OK))
		return false;
	if (!strcmp(method, "uprobe.multi") || !strcmp(method, "uretprobe.multi"))
		return have_uprobe_multi();
	if (!strcmp(method, "tracepoint"))
		return tracepoint_exists(p);
	return true;
}

static struct bpf_program *find_prog(struct bb_load *l, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(l->obj, name);

	if (!p)
		bb_die("internal error: no BPF program '%s'", name);
	return p;
}

static void explain_no_candidate(struct bb_hook *h)
{
	if (bb_opts.attach && !h->rejected)
		bb_die("cannot attach to %s with --attach %s on this kernel", h->what,
		       bb_opts.attach);
	if (h->rejected)
		bb_die("the kernel rejected every way to attach to %s (last error: %s); "
		       "-v shows the details", h->what,
		       verifier_says[0] ? verifier_says : last_warning[0] ? last_warning : "?");
	bb_die("this kernel has no %s hook that bpfbox can use", h->what);
}

/* Autoload exactly the chosen program of each hook (and the uprobes'). */
static void choose_programs(struct bb_load *l)
{
	struct bpf_program *p;
	size_t i, j;

	bpf_object__for_each_program(p, l->obj)
		bpf_program__set_autoload(p, false);
	for (i = 0; i < l->nr_hooks; i++) {
		struct bb_hook *h = &l->hooks[i];

		h->chosen = NULL;
		for (j = 0; j < BB_HOOK_MAX_PROGS && h->progs[j]; j++) {
			bool pick;

			p = find_prog(l, h->progs[j]);
			pick = !h->chosen && !(h->rejected & (1U << j)) && candidate_usable(p);

			bpf_program__set_autoload(p, pick);
			if (pick)
				h->chosen = h->progs[j];
		}
		if (!h->chosen && !h->optional)
			explain_no_candidate(h);
	}
	if (l->uprobes)
		bb_uprobes_autoload(l->uprobes, l->obj);
}

/* Mark @prog as not working here; false when it is not a hook candidate. */
static bool reject(struct bb_load *l, const char *prog)
{
	size_t i, j;

	for (i = 0; i < l->nr_hooks; i++)
		for (j = 0; j < BB_HOOK_MAX_PROGS && l->hooks[i].progs[j]; j++)
			if (!strcmp(l->hooks[i].progs[j], prog)) {
				l->hooks[i].rejected |= 1U << j;
				bb_info("%s: program %s failed here (%s), trying the next way",
					l->hooks[i].what, prog,
					verifier_says[0] ? verifier_says : last_warning);
				return true;
			}
	return false;
}

static void open_skel(struct bb_load *l)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = bb_opts.btf_path);

	l->skel = l->ops->open(&opts);
	if (!l->skel)
		bb_die("cannot open the BPF object: %s", strerror(errno));
	l->obj = *(*(struct bpf_object_skeleton **)l->skel)->obj;
}

static void close_skel(struct bb_load *l)
{
	size_t i;

	for (i = 0; l->links && i < l->nr_hooks; i++)
		bpf_link__destroy(l->links[i]);
	free(l->links);
	l->links = NULL;
	l->ops->destroy(l->skel);
	l->skel = NULL;
	l->obj = NULL;
}

/* After a failed load: say which kernel feature is missing, if one is. */
static void explain_maps(struct bb_load *l)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, l->obj) {
		enum bpf_map_type t = bpf_map__type(m);

		if (libbpf_probe_bpf_map_type(t, NULL) == 0)
			bb_die("this kernel lacks BPF maps of type %s (needed by map %s)",
			       libbpf_bpf_map_type_str(t), bpf_map__name(m));
	}
}

static void die_load(struct bb_load *l, int err)
{
	if (err == -EPERM || err == -EACCES)
		bb_die("the kernel refused to load BPF programs (%s): are you root, "
		       "is kernel.unprivileged_bpf_disabled or lockdown in the way?",
		       strerror(-err));
	explain_maps(l);
	if (failed_prog[0])
		bb_die("the BPF verifier rejected program %s: %s%s", failed_prog,
		       verifier_says[0] ? verifier_says : last_warning,
		       bb_opts.verbose ? "" : " (run with -v for the verifier log)");
	bb_die("cannot load the BPF programs: %s (%s)", strerror(-err), last_warning);
}

/* Attaches every chosen program; returns the failing one's name or NULL. */
static const char *attach_all(struct bb_load *l)
{
	size_t i;

	l->links = bb_xcalloc(l->nr_hooks, sizeof(*l->links));
	for (i = 0; i < l->nr_hooks; i++) {
		struct bb_hook *h = &l->hooks[i];
		struct bpf_program *p;
		char method[32];

		if (!h->chosen) {
			bb_info("%s: not in this kernel (optional): not traced", h->what);
			continue;
		}
		p = find_prog(l, h->chosen);
		section_method(p, method, sizeof(method));
		free((char *)h->method);	/* an earlier attempt's */
		h->method = bb_xstrdup(method);
		if (h->manual)
			continue;
		l->links[i] = bpf_program__attach(p);
		if (!l->links[i]) {
			snprintf(last_warning, sizeof(last_warning), "attach %s: %s",
				 h->chosen, strerror(errno));
			if (errno == EPERM || errno == EACCES)
				die_load(l, -errno);
			return h->chosen;
		}
		bb_info("%s: attached %s (%s)", h->what, h->chosen, h->method);
	}
	return NULL;
}

void bb_load_attach(struct bb_load *l)
{
	int attempt, err;

	bb_require_privileges();
	require_btf();
	libbpf_set_print(libbpf_print);
	for (attempt = 0; attempt < 32; attempt++) {
		const char *bad;

		open_skel(l);
		choose_programs(l);
		if (l->configure && l->configure(l->skel))
			bb_die("cannot configure the BPF object");
		/* Uprobes take user stacks: the unwinder's tables at full size. */
		if (l->uprobes)
			bb_ustack_size(l->obj);
		failed_prog[0] = verifier_says[0] = 0;
		err = bpf_object__load(l->obj);
		if (err) {
			if (!failed_prog[0] || !reject(l, failed_prog))
				die_load(l, err);
			close_skel(l);
			continue;
		}
		bad = attach_all(l);
		if (!bad) {
			bb_ustack_use(l->obj);
			return;
		}
		if (!reject(l, bad))
			bb_die("cannot attach %s: %s", bad, last_warning);
		close_skel(l);
	}
	bb_die("cannot find a working set of BPF programs (%s)", last_warning);
}

void bb_detach(struct bb_load *l)
{
	size_t i;

	if (l->uprobes)
		bb_uprobes_detach(l->uprobes);
	for (i = 0; l->links && i < l->nr_hooks; i++) {
		bpf_link__destroy(l->links[i]);
		l->links[i] = NULL;
	}
}

void bb_unload(struct bb_load *l)
{
	if (l->skel)
		close_skel(l);
}

unsigned long long bb_percpu_sum(int map_fd, unsigned key)
{
	int n = libbpf_num_possible_cpus();
	unsigned long long sum = 0, *vals;
	int i;

	if (n <= 0)
		return 0;
	vals = bb_xcalloc(n, sizeof(*vals));
	if (!bpf_map_lookup_elem(map_fd, &key, vals))
		for (i = 0; i < n; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

void bb_lost_read(struct bb_load *l, struct bb_lost_report *r)
{
	struct bpf_map *m = bpf_object__find_map_by_name(l->obj, "bb_lost");
	size_t i;

	memset(r, 0, sizeof(*r));
	if (m) {
		int fd = bpf_map__fd(m);

		r->ringbuf = bb_percpu_sum(fd, BB_LOST_RINGBUF);
		r->agg = bb_percpu_sum(fd, BB_LOST_AGG);
		r->stack = bb_percpu_sum(fd, BB_LOST_STACK);
		r->applet = bb_percpu_sum(fd, BB_LOST_APPLET);
	}
	/* A program that fires while it already runs on that CPU is skipped. */
	for (i = 0; i < l->nr_hooks; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!l->hooks[i].chosen)
			continue;
		if (!bpf_prog_get_info_by_fd(bpf_program__fd(find_prog(l, l->hooks[i].chosen)),
					     &info, &len))
			r->missed += info.recursion_misses;
	}
}

bool bb_lost_any(const struct bb_lost_report *r)
{
	return r->ringbuf || r->agg || r->stack || r->applet || r->missed;
}

static void lost_json(const struct bb_lost_report *r)
{
	struct bb_json j;

	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", "lost");
	bb_json_u64(&j, "lost_events", r->ringbuf);
	bb_json_u64(&j, "lost_keys", r->agg);
	bb_json_u64(&j, "lost_stacks", r->stack);
	bb_json_u64(&j, "lost_other", r->applet);
	bb_json_u64(&j, "missed", r->missed);
	bb_json_end(&j);
	fflush(stdout);
}

void bb_lost_print(const struct bb_lost_report *r)
{
	/* JSON consumers always get the figures, zero or not. */
	if (bb_opts.json)
		lost_json(r);
	if (!bb_lost_any(r)) {
		bb_info("no events lost");
		return;
	}
	bb_warn("lost in the kernel: %llu events (ring buffer full: try --buffer-size), "
		"%llu keys (aggregation map full), %llu stacks, %llu %s, "
		"%llu hits missed (program busy on that CPU)",
		r->ringbuf, r->agg, r->stack, r->applet,
		bb_current && bb_current->lost_other ? bb_current->lost_other : "other", r->missed);
}
