// SPDX-License-Identifier: GPL-2.0
/*
 * dropwatch: where and why the kernel drops packets.
 *
 * Reasons are named by the running kernel (its BTF enum skb_drop_reason,
 * else the tracepoint's format file); locations by /proc/kallsyms.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <bpf/bpf.h>
#include "../common/bpfbox.h"
#include "../common/agg.h"
#include "../common/filters.h"
#include "../common/kenum.h"
#include "../common/ksyms.h"
#include "../common/loader.h"
#include "../common/output.h"
#include "../common/pcap.h"
#include "../common/record.h"
#include "dropwatch.h"
#include "dropwatch.skel.h"

#define REASONS 1		/* names table of enum skb_drop_reason */
#define SUBSYS_SHIFT 16

enum { O_REASON = 256, O_ALL, O_PROTO, O_PORT, O_PCAP, O_SNAPLEN, O_LIST_REASONS };

static const struct bb_option dw_options[] = {
	{ "events", 'e', NULL, "one line per drop instead of the counted table" },
	{ "stack", 's', NULL, "kernel stack of each drop location" },
	{ "reason", O_REASON, "NAME[,NAME]", "only these drop reasons (see --list-reasons)" },
	{ "all", O_ALL, NULL, "also NOT_SPECIFIED drops (hidden by default: noise)" },
	{ "proto", O_PROTO, "PROTO", "only tcp, udp, icmp, icmpv6, sctp, or a number" },
	{ "port", O_PORT, "PORT", "only packets from or to this port" },
	{ "pcap", O_PCAP, "FILE", "write the dropped packets to a pcap file (implies --events)" },
	{ "snaplen", O_SNAPLEN, "N", "packet bytes kept per drop for --pcap (default 128, max 256)" },
	{ "cumulative", 'C', NULL, "tables count since start instead of per interval" },
	{ "list-reasons", O_LIST_REASONS, NULL, "print the drop reasons this kernel knows" },
	{ 0 }
};

static struct {
	bool events, stack, all, cumulative, list_reasons, snaplen_set;
	const char *reasons;
	const char *pcap_path;
	unsigned l4_proto, port, snaplen;
} cfg = { .snaplen = 128 };

static bool have_reasons;	/* the kernel passes a reason to the tracepoint */
static struct bb_pcap *pcap;
static unsigned long long pcap_skipped;	/* non-IP drops: no raw-IP framing */

static int parse_proto(const char *arg)
{
	static const struct { const char *name; unsigned num; } protos[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
		{ "icmp6", 58 }, { "sctp", 132 }, { "gre", 47 }, { "esp", 50 },
	};
	unsigned long long n;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (!strcasecmp(arg, protos[i].name))
			return protos[i].num;
	if (!bb_parse_uint(arg, 255, &n) && n)
		return n;
	return -1;
}

static int dw_parse(int key, const char *arg)
{
	unsigned long long n;
	int proto;

	switch (key) {
	case 'e': cfg.events = true; return 0;
	case 's': cfg.stack = true; return 0;
	case 'C': cfg.cumulative = true; return 0;
	case O_ALL: cfg.all = true; return 0;
	case O_LIST_REASONS: cfg.list_reasons = true; return 0;
	case O_REASON:
		if (!arg[strspn(arg, ", ")])
			return -1;	/* an empty list would hide every drop */
		cfg.reasons = arg;
		return 0;
	case O_PCAP: cfg.pcap_path = arg; cfg.events = true; return 0;
	case O_PROTO:
		proto = parse_proto(arg);
		if (proto < 0)
			return -1;
		cfg.l4_proto = proto;
		return 0;
	case O_PORT:
		if (bb_parse_uint(arg, 65535, &n) || !n)
			return -1;
		cfg.port = n;
		return 0;
	case O_SNAPLEN:
		if (bb_parse_uint(arg, DW_MAX_SNAP, &n) || !n)
			return -1;
		cfg.snaplen = n;
		cfg.snaplen_set = true;
		return 0;
	}
	return -1;
}

/*
 * Names: the core enum from BTF (tracefs as a fallback), plus reasons that
 * subsystems (mac80211, openvswitch) encode in the high 16 bits.
 */
static void load_reason_names(void)
{
	if (bb_kenum_from_btf(REASONS, "skb_drop_reason", "SKB_DROP_REASON_") ||
	    bb_kenum_from_tracefs(REASONS, "skb/kfree_skb", "reason"))
		have_reasons = true;
}

static const char *subsys_name(__u32 subsys, char *buf, size_t len)
{
	const char *name = bb_kenum_name("skb_drop_reason_subsys", subsys,
					 "SKB_DROP_REASON_SUBSYS_");

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "SUBSYS%u", subsys);
	return buf;
}

static const char *reason_name(__u32 reason, char *buf, size_t len)
{
	const char *name = bb_names_get(REASONS, reason);
	char sub[48];

	if (name)
		return name;
	if (!have_reasons)
		return "-";
	if (reason >> SUBSYS_SHIFT && !bb_opts.read_file) {
		/* Remember it, so a record file carries the name too. */
		snprintf(buf, len, "%.40s:%u", subsys_name(reason >> SUBSYS_SHIFT, sub, sizeof(sub)),
			 reason & 0xffff);
		bb_names_add(REASONS, reason, buf);
		return bb_names_get(REASONS, reason);
	}
	snprintf(buf, len, "REASON_%u", reason);
	return buf;
}

static bool reason_value(const char *name, __u32 *out)
{
	char upper[128];
	uint64_t v;
	size_t i;

	for (i = 0; name[i] && i < sizeof(upper) - 1; i++)
		upper[i] = toupper((unsigned char)name[i]);
	upper[i] = 0;
	if (!strncmp(upper, "SKB_DROP_REASON_", 16))
		memmove(upper, upper + 16, strlen(upper + 16) + 1);
	if (bb_names_find(REASONS, upper, &v))
		return false;
	*out = v;
	return true;
}

static void list_reasons(void)
{
	unsigned v;

	if (!have_reasons) {
		printf("this kernel passes no drop reasons (added in Linux 5.17)\n");
		return;
	}
	for (v = 0; v < 1 << SUBSYS_SHIFT; v++)
		if (bb_names_get(REASONS, v))
			printf("%5u %s\n", v, bb_names_get(REASONS, v));
}

/* Reasons to hide unless --all: "not a drop" and "no reason given". */
static void set_skipped_reasons(struct dropwatch_bpf *skel)
{
	__u32 v;

	if (cfg.all || !have_reasons)
		return;
	if (reason_value("NOT_SPECIFIED", &v))
		skel->rodata->cfg_skip_reason[0] = v;
	if (reason_value("CONSUMED", &v) || reason_value("SKB_CONSUMED", &v))
		skel->rodata->cfg_skip_reason[1] = v;
}

static int dw_configure(void *s)
{
	struct dropwatch_bpf *skel = s;

	bb_filter_fill((struct bb_filter *)&skel->rodata->bb_cfg_filter);
	skel->rodata->cfg_events = cfg.events;
	skel->rodata->cfg_stack = cfg.stack;
	skel->rodata->cfg_parse = cfg.l4_proto || cfg.port;
	skel->rodata->cfg_reason_filter = cfg.reasons != NULL;
	skel->rodata->cfg_l4_proto = cfg.l4_proto;
	skel->rodata->cfg_port = cfg.port;
	skel->rodata->cfg_snaplen = cfg.pcap_path ? cfg.snaplen : 0;
	set_skipped_reasons(skel);
	bpf_map__set_max_entries(skel->maps.bb_events, bb_opts.buffer_size);
	if (!cfg.stack)
		bpf_map__set_max_entries(skel->maps.dw_stacks, 1);
	/* Rows allocated as drops come (6.1+): a new location or stack is rare.
	 * Preallocating 10,240 per-CPU rows was most of the kernel's share of
	 * the start-up; a row that cannot be had is a lost key, as when full. */
	bb_map_lazy(skel->maps.dw_drops);
	bb_map_lazy(skel->maps.dw_stacks);
	return 0;
}

static void fill_reason_filter(struct dropwatch_bpf *skel)
{
	char *list, *tok, *save = NULL;
	__u8 one = 1;
	__u32 v;

	if (!cfg.reasons)
		return;
	if (!have_reasons)
		bb_die("--reason: this kernel passes no drop reasons (added in Linux 5.17)");
	list = bb_xstrdup(cfg.reasons);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!reason_value(tok, &v))
			bb_die("--reason: this kernel has no drop reason '%s' "
			       "(dropwatch --list-reasons shows them)", tok);
		if (bpf_map__update_elem(skel->maps.dw_reasons, &v, sizeof(v), &one,
					 sizeof(one), BPF_ANY))
			bb_die("--reason: too many reasons");
	}
	free(list);
}

/* Printing, shared by live output and `bpfbox report`. */

static void format_addr(const __u8 *a, int ver, __u16 port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(ver == 6 ? AF_INET6 : AF_INET, a, ip, sizeof(ip));
	if (ver == 6)
		snprintf(buf, len, port ? "[%s]:%u" : "%s", ip, port);
	else
		snprintf(buf, len, port ? "%s:%u" : "%s", ip, port);
}

static const char *l4_name(__u8 proto, char *buf, size_t len)
{
	switch (proto) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmpv6";
	case 132: return "sctp";
	}
	snprintf(buf, len, "proto%u", proto);
	return buf;
}

/* Frames above the drop location are the tracing machinery: skip them. */
static int frames_from_location(const uint64_t *frames, int n, __u64 location)
{
	int i;

	for (i = 0; i < n; i++)
		if (frames[i] == location)
			return i;
	return 0;
}

static void kernel_frame(uint64_t addr, char *buf, size_t len)
{
	bb_ksyms_format(bb_kernel_syms(), addr, buf, len);
}

static void print_frames_text(const uint64_t *frames, int n)
{
	bb_print_frames("        ", frames, n, kernel_frame, NULL);
}

static void event_json(const struct dropwatch_event *e, const char *when, const char *loc,
		       const char *reason, const char *src, const char *dst, int nframes)
{
	int skip = frames_from_location((const uint64_t *)e->frames, nframes, e->location);
	struct bb_json j;
	char proto[16];

	bb_json_begin(&j, stdout);
	bb_json_str(&j, "time", when);
	bb_json_u64(&j, "cpu", e->cpu);
	bb_json_u64(&j, "pid", e->tgid);
	bb_json_u64(&j, "tid", e->pid);
	bb_json_str(&j, "comm", e->comm);
	bb_json_u64(&j, "netns", e->netns);
	bb_json_u64(&j, "ifindex", e->ifindex);
	bb_json_str(&j, "dev", e->ifname);
	if (e->ip_version) {
		bb_json_str(&j, "proto", l4_name(e->l4_proto, proto, sizeof(proto)));
		bb_json_str(&j, "src", src);
		bb_json_str(&j, "dst", dst);
	}
	bb_json_u64(&j, "len", e->pkt_len);
	bb_json_str(&j, "reason", reason);
	bb_json_u64(&j, "reason_code", e->reason);
	bb_json_str(&j, "location", loc);
	if (nframes)
		bb_json_frames(&j, "stack", (const uint64_t *)e->frames + skip, nframes - skip,
			       kernel_frame);
	bb_json_end(&j);
}

static void pcap_event(const struct dropwatch_event *e)
{
	if (!e->caplen) {
		pcap_skipped++;
		return;
	}
	bb_pcap_write(pcap, e->ts_ns + bb_wall_base, e->data, e->caplen, e->pkt_len);
}

static void dw_print_event(const void *data, size_t len)
{
	const struct dropwatch_event *e = data;
	char when[32], loc[256], rbuf[64], src[64] = "", dst[64] = "", proto[16];
	const char *reason;
	int nframes, skip;

	/* The kernel's or checked by dw_event_shape: nr_frames fits. */
	nframes = len >= sizeof(*e) ? e->nr_frames : 0;
	if (pcap && len >= sizeof(*e))
		pcap_event(e);
	bb_format_time(e->ts_ns, bb_wall_base, when, sizeof(when));
	bb_ksyms_format(bb_kernel_syms(), e->location, loc, sizeof(loc));
	reason = reason_name(e->reason, rbuf, sizeof(rbuf));
	if (e->ip_version) {
		format_addr(e->saddr, e->ip_version, e->sport, src, sizeof(src));
		format_addr(e->daddr, e->ip_version, e->dport, dst, sizeof(dst));
	}
	if (bb_opts.json) {
		event_json(e, when, loc, reason, src, dst, nframes);
		return;
	}
	printf("%s cpu%-2u %7u %-15s %-8s ", when, e->cpu, e->tgid, bb_esc(e->comm),
	       e->ifname[0] ? bb_esc(e->ifname) : "-");
	if (e->ip_version)
		printf("%-6s %s > %s ", l4_name(e->l4_proto, proto, sizeof(proto)), src, dst);
	else
		printf("l3:0x%04x ", e->l3_proto);
	printf("len %u %s %s\n", e->pkt_len, bb_esc(reason), bb_esc(loc));
	skip = frames_from_location((const uint64_t *)e->frames, nframes, e->location);
	print_frames_text((const uint64_t *)e->frames + skip, nframes - skip);
}

static void row_json(const struct bb_agg_row *r, const char *when, const char *loc,
		     const char *reason, const uint64_t *frames, int n, bool final)
{
	const struct dropwatch_key *k = r->key;
	struct bb_json j;

	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", final ? "total" : "interval");
	bb_json_str(&j, "time", when);
	bb_json_u64(&j, "count", r->val.count);
	bb_json_u64(&j, "bytes", r->val.bytes);
	bb_json_str(&j, "location", loc);
	bb_json_str(&j, "reason", reason);
	bb_json_u64(&j, "reason_code", k->reason);
	if (n)
		bb_json_frames(&j, "stack", frames, n, kernel_frame);
	bb_json_end(&j);
}

static void dw_print_table(const struct bb_agg_table *t, bool final)
{
	char when[32], loc[256], rbuf[64];
	uint64_t frames[BB_MAX_STACK];
	size_t i;

	bb_format_time(t->ts_ns, bb_wall_base, when, sizeof(when));
	if (!bb_opts.json) {
		printf("%s %s: %llu drops\n", when, final ? "total" : "interval",
		       (unsigned long long)t->total_count);
		if (t->nr)
			printf("%10s  %-40s %s\n", "COUNT", "LOCATION", "REASON");
	}
	for (i = 0; i < t->nr; i++) {
		const struct bb_agg_row *r = &t->rows[i];
		const struct dropwatch_key *k = r->key;
		int n = bb_stack_frames(k->stack_id, frames, BB_MAX_STACK);
		int skip = frames_from_location(frames, n, k->location);
		const char *reason = reason_name(k->reason, rbuf, sizeof(rbuf));

		bb_ksyms_format(bb_kernel_syms(), k->location, loc, sizeof(loc));
		if (bb_opts.json) {
			row_json(r, when, loc, reason, frames + skip, n - skip, final);
			continue;
		}
		printf("%10llu  %-40s %s\n", (unsigned long long)r->val.count, bb_esc(loc),
		       bb_esc(reason));
		print_frames_text(frames + skip, n - skip);
	}
	if (!bb_opts.json)
		printf("\n");
}

/* A recorded drop: the short event (no frames, no bytes) or the whole one. */
static const char *dw_check_event(void *data, size_t len)
{
	const struct dropwatch_event *e = data;

	if (len != DW_EVENT_HEAD_SIZE && len != sizeof(*e))
		return "drop event of a wrong length";
	if (e->ip_version != 0 && e->ip_version != 4 && e->ip_version != 6)
		return "drop event of an unknown IP version";
	if (len == sizeof(*e) && (e->nr_frames > BB_MAX_STACK || e->caplen > DW_MAX_SNAP))
		return "drop event with more frames or bytes than it has room for";
	return NULL;
}

static const struct bb_rec_shape dw_event_shape = {
	.min_len = DW_EVENT_HEAD_SIZE,
	.max_len = sizeof(struct dropwatch_event),
	.strings = { { offsetof(struct dropwatch_event, comm), BB_COMM_LEN },
		     { offsetof(struct dropwatch_event, ifname), 16 } },
	.check = dw_check_event,
};

static void dw_mark_addrs(const void *data, size_t len, enum bb_mark_kind kind)
{
	const struct dropwatch_event *e = data;
	const struct dropwatch_key *k = data;
	size_t i;

	switch (kind) {
	case BB_MARK_KEY:
		bb_ksym_mark(k->location);
		break;
	case BB_MARK_EVENT:
		bb_ksym_mark(e->location);
		for (i = 0; len >= sizeof(*e) && i < e->nr_frames && i < BB_MAX_STACK; i++)
			bb_ksym_mark(e->frames[i]);
		break;
	}
}

static struct bb_hook dw_hooks[] = {
	{ .what = "skb:kfree_skb",
	  .progs = { "dw_tp_btf", "dw_tp_btf_noreason", "dw_raw_tp", "dw_raw_tp_noreason",
		     "dw_tracepoint" } },
};

static const struct bb_skel_ops dw_skel = BB_SKEL_OPS(dropwatch_bpf);

/* Before loading anything: a bad path is the user's error, said first. */
static void open_outputs(void)
{
	if (cfg.pcap_path)
		pcap = bb_pcap_open(cfg.pcap_path, BB_LINKTYPE_RAW, cfg.snaplen);
	if (bb_opts.write_file)
		bb_record_open(bb_opts.write_file, 0);
}

static void close_pcap(void)
{
	if (pcap) {
		bb_info("%llu packets written to %s", (unsigned long long)bb_pcap_count(pcap),
			cfg.pcap_path);
		if (pcap_skipped)
			bb_warn("%llu non-IP drops not written to %s", pcap_skipped, cfg.pcap_path);
		bb_pcap_close(pcap);
	}
}

static int dw_main(int argc, char **argv)
{
	struct bb_load l = { .ops = &dw_skel, .hooks = dw_hooks, .nr_hooks = 1,
			     .configure = dw_configure };
	struct dropwatch_bpf *skel;
	struct bb_agg_view view;
	struct bb_loop *loop;

	if (argc)
		bb_die("unexpected argument '%s' (see dropwatch --help)", argv[0]);
	if (cfg.snaplen_set && !cfg.pcap_path)
		bb_die("--snaplen is for --pcap: give both, or neither");
	if (cfg.cumulative && cfg.events)
		bb_die("--cumulative is for the counted tables, not --events or --pcap");
	load_reason_names();
	if (cfg.list_reasons) {
		list_reasons();
		return 0;
	}
	open_outputs();
	bb_load_attach(&l);
	skel = l.skel;
	if (strstr(dw_hooks[0].chosen, "noreason"))
		have_reasons = false;
	if (!have_reasons)
		bb_warn("this kernel passes no drop reasons (added in Linux 5.17): "
			"showing locations only");
	fill_reason_filter(skel);
	if (cfg.stack)
		bb_stacks_use_map(bpf_map__fd(skel->maps.dw_stacks), NULL);
	bb_install_signals();
	fprintf(stderr, "dropwatch: watching %s (%s); Ctrl-C to stop\n",
		dw_hooks[0].what, dw_hooks[0].method);
	/* Drops are counted from here on; /proc/kallsyms is read when the
	 * first symbol is printed (or recorded), not before. */
	loop = bb_loop_new();
	if (cfg.events) {
		bb_loop_add_ringbuf(loop, bpf_map__fd(skel->maps.bb_events), bb_on_event, NULL);
	} else {
		bb_agg_view_init(&view, bpf_map__fd(skel->maps.dw_drops),
				 sizeof(struct dropwatch_key), false);
		view.cumulative = cfg.cumulative;
		bb_loop_on_tick(loop, bb_agg_view_tick, &view);
	}
	bb_session_run(&l, loop);
	close_pcap();
	return 0;
}

BB_APPLET(dropwatch,
	.name = "dropwatch",
	.summary = "kernel packet drops: reason, location, packet",
	.description =
	"Counts packets the kernel drops, by location and reason, every interval.\n"
	"Examples:\n"
	"  dropwatch                          top drop locations, every second\n"
	"  dropwatch --events --proto tcp     one line per dropped TCP packet\n"
	"  dropwatch --reason NO_SOCKET -s    with kernel stacks\n"
	"  dropwatch --pcap drops.pcap        dropped packets for Wireshark\n"
	"  dropwatch --netns blue -d 10 --json\n",
	.common = BB_OPT_OUTPUT | BB_OPT_TASK | BB_OPT_NETNS | BB_OPT_BPF,
	.options = dw_options,
	.parse = dw_parse,
	.main = dw_main,
	.print_event = dw_print_event,
	.event_shape = &dw_event_shape,
	.print_table = dw_print_table,
	.agg_key_sizes = { sizeof(struct dropwatch_key) },
	.mark_addrs = dw_mark_addrs,
);
