// SPDX-License-Identifier: GPL-2.0
/*
 * deeptrace: request spans and distributed traces from the network
 * syscalls of unmodified services.
 *
 * The kernel side (bpf/deeptrace.bpf.c) sends each socket read and write
 * with its connection, TCP sequence number, thread context and payload
 * prefix; stream.c frames messages per connection and pairs requests with
 * responses into spans (proto.c parses HTTP/1.x and Redis, sql.c PostgreSQL
 * and MySQL, dns.c DNS); trace.c links
 * spans into trees (thread context, TCP sequence, trace headers, then a
 * heuristic, each span saying which) and prints every trace once all its
 * spans have ended.
 */
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "../common/bpfbox.h"
#include "../common/filters.h"
#include "../common/loader.h"
#include "../common/output.h"
#include "../common/record.h"
#include "deeptrace.h"
#include "deeptrace.skel.h"
#include "deeptrace/span.h"

/* A span is linked, and its trace printed, this long after it ended: its
 * parent (which ends later) has had time to end too. */
#define SETTLE_NS 1000000000ULL

enum { O_SNAPLEN = 256, O_PORT, O_PROTOCOL, O_MIN_DURATION, O_NO_REDACT };

static const struct bb_option dt_options[] = {
	{ "snaplen", O_SNAPLEN, "N", "payload bytes captured per syscall (1-4096, default 1024)" },
	{ "port", O_PORT, "PORT", "only connections with this local or remote port" },
	{ "protocol", O_PROTOCOL, "P",
	  "only traces with a span of P: http, redis, postgres, mysql, dns, unknown" },
	{ "min-duration", O_MIN_DURATION, "T", "only traces whose root lasts T or more (e.g. 10ms)" },
	{ "no-redact", O_NO_REDACT, NULL, "show secrets (Redis AUTH, SQL literals) as they were sent" },
	{ 0 }
};

static struct {
	unsigned long long snaplen, port;
	enum dt_proto proto;
	double min_duration;
	bool no_redact;
} cfg = { .snaplen = DT_SNAP_DEFAULT, .proto = DT_PROTO_NR };

static int dt_parse(int key, const char *arg)
{
	switch (key) {
	case O_SNAPLEN:
		return bb_parse_uint(arg, DT_SNAP_MAX, &cfg.snaplen) || !cfg.snaplen ? -1 : 0;
	case O_PORT:
		return bb_parse_uint(arg, 65535, &cfg.port) || !cfg.port ? -1 : 0;
	case O_PROTOCOL:
		cfg.proto = dt_proto_by_name(arg);
		return cfg.proto == DT_PROTO_NR ? -1 : 0;
	case O_MIN_DURATION:
		return bb_parse_seconds(arg, &cfg.min_duration);
	case O_NO_REDACT:
		cfg.no_redact = true;
		return 0;
	}
	return -1;
}

static struct bb_hook hooks[] = {
	{ .what = "raw_syscalls:sys_enter", .progs = { "dt_enter_btf", "dt_enter_raw", "dt_enter_tp" } },
	{ .what = "raw_syscalls:sys_exit", .progs = { "dt_exit_btf", "dt_exit_raw", "dt_exit_tp" } },
};

static int dt_configure(void *s)
{
	struct deeptrace_bpf *skel = s;

	bb_filter_fill((struct bb_filter *)&skel->rodata->bb_cfg_filter);
	skel->rodata->cfg_snaplen = cfg.snaplen;
	skel->rodata->cfg_port = cfg.port;
	return 0;
}

/* Live or from a record file, events go through the same assembly. */
static bool started;

static void start_assembly(void)
{
	struct dt_trace_opts o = {
		.json = bb_opts.json,
		.only_proto = cfg.proto,
		.min_duration_ns = cfg.min_duration * 1e9,
	};

	if (started)
		return;
	started = true;
	dt_stream_init(dt_trace_add, !cfg.no_redact);
	dt_trace_init(&o);
}

/* A recorded event: its payload all there (the stream checks the rest). */
static const char *dt_check_event(void *data, size_t len)
{
	const struct dt_event *e = data;

	return len == sizeof(*e) + e->cap ? NULL : "deeptrace event of a wrong length";
}

static const struct bb_rec_shape dt_event_shape = {
	.min_len = sizeof(struct dt_event),
	.max_len = sizeof(struct dt_event) + DT_SNAP_MAX,
	.strings = { { offsetof(struct dt_event, comm), BB_COMM_LEN } },
	.check = dt_check_event,
};

static void dt_print_event(const void *data, size_t len)
{
	start_assembly();
	dt_stream_event(data, len);
}

static void print_stats(void)
{
	const struct dt_stream_stats *st = dt_stream_stats();
	struct bb_json j;

	if (!bb_opts.json) {
		fprintf(stderr, "deeptrace: %llu events, %llu spans; %llu responses without their "
			"request (begun before the trace), %llu requests dropped (over 64 in "
			"flight), %llu malformed events\n", st->events, st->spans, st->orphans,
			st->queue_full, st->bad_events);
		return;
	}
	bb_json_begin(&j, stdout);
	bb_json_str(&j, "type", "summary");
	bb_json_u64(&j, "events", st->events);
	bb_json_u64(&j, "spans", st->spans);
	bb_json_u64(&j, "orphan_responses", st->orphans);
	bb_json_u64(&j, "requests_dropped", st->queue_full);
	bb_json_u64(&j, "malformed_events", st->bad_events);
	bb_json_end(&j);
}

static void finish(void)
{
	start_assembly();
	dt_stream_finish();
	dt_trace_flush(~0ULL);
	print_stats();
}

static void dt_tick(void *ctx, bool final)
{
	(void)ctx;
	if (bb_recording())
		return;
	start_assembly();
	if (final)
		finish();
	else
		dt_trace_flush(bb_now_ns(CLOCK_BOOTTIME) - SETTLE_NS);
}

static const struct bb_skel_ops dt_skel = BB_SKEL_OPS(deeptrace_bpf);

static int dt_main(int argc, char **argv)
{
	struct bb_load l = { .ops = &dt_skel, .hooks = hooks, .nr_hooks = ARRAY_SIZE(hooks),
			     .configure = dt_configure };
	struct bb_loop *loop;

	if (argc)
		bb_die("unexpected argument '%s' (filters are options: -p, --comm, --port...)",
		       argv[0]);
	if (bb_opts.write_file)
		bb_record_open(bb_opts.write_file, 0);
	bb_load_attach(&l);
	start_assembly();
	fprintf(stderr, "deeptrace: tracing socket syscalls (%s); Ctrl-C to stop\n",
		hooks[0].method);
	bb_install_signals();
	loop = bb_loop_new();
	bb_loop_add_ringbuf(loop, bpf_map__fd(((struct deeptrace_bpf *)l.skel)->maps.bb_events),
			    bb_on_event, NULL);
	bb_loop_on_tick(loop, dt_tick, NULL);
	bb_session_run(&l, loop);
	return 0;
}

BB_APPLET(deeptrace,
	.name = "deeptrace",
	.summary = "request spans and traces (HTTP, Redis, SQL, DNS) from socket syscalls",
	.usage = "[OPTIONS]",
	.description =
	"Follows the socket reads and writes of every process (or of those the\n"
	"filters keep), frames requests and responses per connection, and prints\n"
	"each request as a tree of spans across threads and processes: no change\n"
	"to the services.  Each span says how its parent was found (link=thread,\n"
	"tcp_seq, header or heuristic).  Authorization and cookies are never\n"
	"shown; Redis AUTH arguments and SQL literals ('...', 42) are hidden\n"
	"(as ?) unless --no-redact.\n"
	"Examples:\n"
	"  deeptrace                             every request on the host\n"
	"  deeptrace --port 80 --min-duration 50ms   slow requests through port 80\n"
	"  deeptrace --json -d 10 > spans.json   one span per line, for jq\n"
	"  deeptrace -w t.bbr; bpfbox report t.bbr   record now, assemble later\n",
	.common = BB_OPT_OUTPUT | BB_OPT_TASK | BB_OPT_NETNS | BB_OPT_BPF,
	.options = dt_options,
	.parse = dt_parse,
	.lost_other = "socket calls not followed (more threads in a call than the table holds)",
	.main = dt_main,
	.print_event = dt_print_event,
	.event_shape = &dt_event_shape,
	.report_end = finish,
);
