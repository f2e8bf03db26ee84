/* SPDX-License-Identifier: GPL-2.0 */
/*
 * deeptrace's spans: one request and its response on one connection
 * (stream.c makes them from the kernel's message events), linked into
 * traces and printed (trace.c).
 */
#ifndef DT_SPAN_H
#define DT_SPAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "proto.h"

struct dt_event;

enum dt_link { DT_LINK_NONE, DT_LINK_THREAD, DT_LINK_TCP_SEQ, DT_LINK_HEADER,
	       DT_LINK_HEURISTIC };
enum dt_span_kind { DT_SPAN_SERVER, DT_SPAN_CLIENT };

struct dt_addr {
	uint8_t family;		/* AF_INET, AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
};

static inline bool dt_same_addr(const struct dt_addr *a, const struct dt_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

struct dt_span {
	uint64_t id, parent;		/* ours, from 1; parent 0: a root */
	enum dt_link link;		/* how the parent was found */
	enum dt_span_kind kind;
	bool unparsed;			/* bytes no parser understood: timing only */
	uint64_t start_ns, end_ns;	/* request's first byte, response's last */
	uint32_t pid, tid;		/* the thread that read (server) or wrote
					 * (client) the request */
	char comm[16];
	uint64_t cgroup;
	uint32_t netns;
	struct dt_addr local, peer;
	uint64_t req_bytes, resp_bytes;
	uint32_t req_seq;		/* TCP sequence of the request's first byte */
	bool has_seq;
	uint64_t ctx_id;		/* the kernel's thread context, 0 if none */
	bool ctx_overlap;
	struct dt_msg req;		/* endpoint, host, trace headers */
	int status;			/* HTTP status */
	bool error;
	char detail[96];		/* the response: reason, reply, error text */
};

/* ---- stream.c: events to spans ---- */
struct dt_stream_stats {
	unsigned long long events, spans, orphans, queue_full, bad_events;
};
/* Spans go to @emit as they complete. */
void dt_stream_init(void (*emit)(const struct dt_span *s), bool redact);
/* One kernel event (untrusted length: checked). */
void dt_stream_event(const void *data, size_t len);
/* End: whatever is open becomes a span (a response cut by the end). */
void dt_stream_finish(void);
const struct dt_stream_stats *dt_stream_stats(void);

/* ---- trace.c: spans to traces ---- */
struct dt_trace_opts {
	bool json;
	enum dt_proto only_proto;	/* DT_PROTO_NR: all */
	uint64_t min_duration_ns;	/* of a trace's root */
};
void dt_trace_init(const struct dt_trace_opts *o);
void dt_trace_add(const struct dt_span *s);
/* Links and prints the traces whose spans all ended before @settled_ns
 * (all of them when @settled_ns is ~0). */
void dt_trace_flush(uint64_t settled_ns);
const char *dt_link_name(enum dt_link l);

#endif
