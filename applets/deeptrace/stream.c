// SPDX-License-Identifier: GPL-2.0
/*
 * deeptrace's streams: per connection and direction, where each message
 * begins and ends, from the payload prefixes the kernel sends (keep-alive,
 * pipelining, a head split over several syscalls, bodies skipped by their
 * length without their bytes); requests wait in a queue per connection
 * for their responses (pipelining answers in order), and each pair is a
 * span.  Messages nobody can frame (an unknown protocol, framing bytes
 * that were not captured) end when the other side speaks: a "turn".
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "../../common/bpfbox.h"
#include "deeptrace.h"
#include "span.h"

#define CONN_BUCKETS 4096
#define QUEUE_MAX 64		/* requests in flight on one connection */
#define PARTIAL_MAX 8192	/* a head split over syscalls, kept at most */

/* M_NEXT: a run of messages (PostgreSQL's) goes on with the next bytes. */
enum msg_mode { M_LENGTH, M_CHUNKED, M_TURN, M_NEXT };

/* A message being read in one direction. */
struct msg {
	bool open;
	bool request;
	bool unparsed;
	uint8_t dir;		/* DT_INGRESS, DT_EGRESS */
	enum msg_mode mode;
	uint64_t left;		/* M_LENGTH: bytes still to come */
	struct dt_chunks chunks;
	uint64_t start_ns, end_ns, bytes;
	uint32_t seq, tid;
	bool has_seq;
	uint64_t ctx_id;
	uint8_t ctx_flags;
	struct dt_msg m;
};

/* A head cut by the end of a syscall, waiting for the rest. */
struct partial {
	size_t n;
	uint64_t start_ns;
	uint32_t seq, tid;
	bool has_seq;
	uint64_t ctx_id;
	uint8_t ctx_flags;
	uint8_t buf[PARTIAL_MAX];
};

struct conn {
	struct conn *next;	/* hash chain */
	struct conn *tnext;	/* TCP: chain of its addresses (the other end's lookup) */
	uint64_t sock;
	bool dgram;		/* UDP: a connection per peer of the socket */
	uint8_t role;
	enum dt_proto proto;
	bool proto_known;
	uint32_t pid;
	char comm[16];
	uint64_t cgroup;
	uint32_t netns;
	struct dt_addr local, peer;
	struct msg dir[2];
	struct partial *partial[2];
	struct msg queue[QUEUE_MAX];
	unsigned qhead, qlen;
	uint64_t total[2];	/* bytes each way since the trace began */
	/* The other end, on this host, closed after sending peer_sent bytes. */
	bool peer_closed;
	uint64_t peer_sent;
};

static struct conn *conns[CONN_BUCKETS];
/* TCP connections by (local, peer): the other end of one on this host. */
static struct conn *by_tuple[CONN_BUCKETS];
static void (*emit_span)(const struct dt_span *s);
static bool redact;
static struct dt_stream_stats stats;

void dt_stream_init(void (*emit)(const struct dt_span *s), bool redact_secrets)
{
	emit_span = emit;
	redact = redact_secrets;
}

const struct dt_stream_stats *dt_stream_stats(void)
{
	return &stats;
}

static unsigned bucket(uint64_t sock)
{
	return (sock >> 6 ^ sock >> 20) % CONN_BUCKETS;
}

/* A datagram socket talks to many peers (a DNS server): each is a
 * connection of its own.  A close (@e without a peer) ends them all. */
static bool conn_is(const struct conn *c, const struct dt_event *e)
{
	if (c->sock != e->sock)
		return false;
	if (!c->dgram || e->kind != DT_EV_MSG)
		return true;
	return c->peer.port == e->rport && c->peer.family == e->family &&
	       !memcmp(c->peer.addr, e->raddr, e->family == AF_INET ? 4 : 16);
}

static struct conn **conn_slot(const struct dt_event *e)
{
	struct conn **p = &conns[bucket(e->sock)];

	while (*p && !conn_is(*p, e))
		p = &(*p)->next;
	return p;
}

static unsigned tuple_bucket(const struct dt_addr *local, const struct dt_addr *peer)
{
	unsigned h = 2166136261u, i, n = local->family == AF_INET ? 4 : 16;

	for (i = 0; i < n; i++)
		h = (h ^ local->addr[i] ^ peer->addr[i] << 8) * 16777619u;
	return (h ^ local->port ^ (unsigned)peer->port << 16) % CONN_BUCKETS;
}

/* The other end of TCP connection @c, if it is traced on this host too:
 * in the bucket of its own (local, peer), which are @c's swapped. */
static struct conn *other_end(const struct conn *c)
{
	struct conn *o;

	for (o = by_tuple[tuple_bucket(&c->peer, &c->local)]; o; o = o->tnext)
		if (o != c && dt_same_addr(&o->local, &c->peer) && dt_same_addr(&o->peer, &c->local))
			return o;
	return NULL;
}

static void tuple_unlink(struct conn *c)
{
	struct conn **p;

	if (c->dgram)
		return;
	for (p = &by_tuple[tuple_bucket(&c->local, &c->peer)]; *p; p = &(*p)->tnext)
		if (*p == c) {
			*p = c->tnext;
			return;
		}
}

static void set_addr(struct dt_addr *a, uint8_t family, const uint8_t *addr, uint16_t port)
{
	a->family = family;
	memcpy(a->addr, addr, family == AF_INET ? 4 : 16);
	a->port = port;
}

static struct conn *conn_get(const struct dt_event *e)
{
	struct conn **p = conn_slot(e), *c = *p;

	if (c) {
		if (e->role && !c->role)
			c->role = e->role;
		return c;
	}
	c = bb_xcalloc(1, sizeof(*c));
	c->sock = e->sock;
	c->dgram = e->sock_type != SOCK_STREAM;
	c->role = e->role;
	c->pid = e->pid;
	memcpy(c->comm, e->comm, sizeof(c->comm));
	c->comm[sizeof(c->comm) - 1] = 0;
	c->cgroup = e->cgroup;
	c->netns = e->netns;
	set_addr(&c->local, e->family, e->laddr, e->lport);
	set_addr(&c->peer, e->family, e->raddr, e->rport);
	*p = c;
	if (!c->dgram) {
		unsigned b = tuple_bucket(&c->local, &c->peer);

		c->tnext = by_tuple[b];
		by_tuple[b] = c;
	}
	return c;
}

/* Which way requests go: a server reads them, a client writes them.  A
 * connection older than the trace: the parser's word, else the ports (the
 * side with the ephemeral port is the client). */
static bool is_request(const struct conn *c, int dir, const struct dt_msg *m, bool parsed)
{
	if (c->role == DT_ROLE_SERVER)
		return dir == DT_INGRESS;
	if (c->role == DT_ROLE_CLIENT)
		return dir == DT_EGRESS;
	if (parsed)
		return m->request;
	return (c->local.port < c->peer.port) == (dir == DT_INGRESS);
}

static void make_span(struct conn *c, const struct msg *req, const struct msg *resp)
{
	struct dt_span s = {};
	/* Without a role (UDP, a connection older than the trace): a server
	 * reads its requests. */
	bool server = c->role == DT_ROLE_SERVER ||
		      (c->role == DT_ROLE_UNKNOWN && req->dir == DT_INGRESS);

	s.kind = server ? DT_SPAN_SERVER : DT_SPAN_CLIENT;
	s.unparsed = req->unparsed || resp->unparsed;
	s.start_ns = req->start_ns;
	s.end_ns = resp->end_ns > req->end_ns ? resp->end_ns : req->end_ns;
	s.pid = c->pid;
	s.tid = req->tid;
	memcpy(s.comm, c->comm, sizeof(s.comm));
	s.cgroup = c->cgroup;
	s.netns = c->netns;
	s.local = c->local;
	s.peer = c->peer;
	s.req_bytes = req->bytes;
	s.resp_bytes = resp->bytes;
	s.req_seq = req->seq;
	s.has_seq = req->has_seq;
	s.ctx_id = req->ctx_id;
	s.ctx_overlap = req->ctx_flags & DT_CTX_OVERLAP;
	s.req = req->m;
	if (s.unparsed && !s.req.endpoint[0])
		snprintf(s.req.endpoint, sizeof(s.req.endpoint), "(%s bytes)",
			 req->unparsed ? "unparsed" : dt_proto_name(req->m.proto));
	s.req.proto = c->proto;
	s.status = resp->m.status;
	/* As OpenTelemetry has it: a 4xx is the client's error, not the server's. */
	s.error = resp->m.error && !(server && s.status >= 400 && s.status < 500);
	memcpy(s.detail, resp->m.detail, sizeof(s.detail));
	stats.spans++;
	emit_span(&s);
}

/* An answer that names its query (DNS): that query to the queue's head
 * (answers come in any order).  False if it is not there. */
static bool match_txid(struct conn *c, uint32_t txid)
{
	struct msg *q, tmp;
	unsigned i;

	if (!txid)
		return true;
	for (i = 0; i < c->qlen; i++) {
		q = &c->queue[(c->qhead + i) % QUEUE_MAX];
		if (q->m.txid != txid)
			continue;
		tmp = *q;
		*q = c->queue[c->qhead];
		c->queue[c->qhead] = tmp;
		return true;
	}
	return false;
}

/*
 * Data a client sends while the server's reply is still open (PostgreSQL's
 * COPY FROM STDIN: the server asked for it), parsed as such or unframed
 * (its framing past the capture): bytes of the request in flight, which
 * the server has not answered yet, not a request of their own.
 */
static bool joins_request(struct conn *c, int dir)
{
	struct msg *m = &c->dir[dir], *reply = &c->dir[!dir], *req;

	if (!m->request || !(m->m.joins_request || (m->unparsed && c->proto == DT_PROTO_PGSQL)) ||
	    !reply->open || reply->mode != M_NEXT || !c->qlen)
		return false;
	req = &c->queue[(c->qhead + c->qlen - 1) % QUEUE_MAX];
	req->bytes += m->bytes;
	req->end_ns = m->end_ns;
	return true;
}

/* A message is whole: a request waits for its response, a response ends
 * the oldest request's span (or the one whose ID it bears). */
static void complete(struct conn *c, int dir)
{
	struct msg *m = &c->dir[dir];

	m->open = false;
	if (joins_request(c, dir))
		return;
	if (m->m.alone)
		return;
	if (m->request) {
		if (c->qlen == QUEUE_MAX) {
			stats.queue_full++;
			c->qhead = (c->qhead + 1) % QUEUE_MAX;
			c->qlen--;
		}
		c->queue[(c->qhead + c->qlen++) % QUEUE_MAX] = *m;
		return;
	}
	if (!c->qlen || !match_txid(c, m->m.txid)) {
		stats.orphans++;	/* its request came before the trace */
		return;
	}
	if (!c->queue[c->qhead].m.no_span)
		make_span(c, &c->queue[c->qhead], m);
	c->qhead = (c->qhead + 1) % QUEUE_MAX;
	c->qlen--;
}

/* The request a response answers: a HEAD's has no body. */
static bool answers_head(const struct conn *c)
{
	return c->qlen && !strncmp(c->queue[c->qhead].m.endpoint, "HEAD ", 5);
}

static enum dt_parse parse(struct conn *c, int dir, const uint8_t *buf, size_t len,
			   bool resumes, struct dt_msg *m)
{
	/* Which side speaks, for protocols whose two sides share codes. */
	bool client_side = is_request(c, dir, NULL, false);
	int dns;

	if (!c->proto_known && (c->local.port == 53 || c->peer.port == 53 ||
				(c->dgram && dt_dns_datagram(buf, len)))) {
		/* No magic: the port, and a sane header (a server may read a
		 * TCP query's length a byte at a time: wait for more); on
		 * another port, a datagram that is strictly a DNS message. */
		dns = dt_detect_dns(buf, len, !c->dgram);
		if (dns < 0 && !c->dgram) {
			memset(m, 0, sizeof(*m));
			return DT_PARSE_MORE;
		}
		c->proto = DT_PROTO_DNS;
		c->proto_known = dns > 0;
	}
	if (!c->proto_known) {
		c->proto = dt_detect(buf, len);
		c->proto_known = c->proto != DT_PROTO_UNKNOWN;
	}
	switch (c->proto) {
	case DT_PROTO_HTTP:
		return dt_parse_http(buf, len, answers_head(c), m);
	case DT_PROTO_REDIS:
		return dt_parse_redis(buf, len, redact, m);
	case DT_PROTO_PGSQL:
		return dt_parse_pgsql(buf, len, client_side, redact, resumes, m);
	case DT_PROTO_MYSQL:
		return dt_parse_mysql(buf, len, client_side, redact,
				      c->qlen ? c->queue[c->qhead].m.command : 0,
				      c->dir[dir].open ? &c->dir[dir].m : NULL, m);
	case DT_PROTO_DNS:
		return dt_parse_dns(buf, len, !c->dgram, m);
	default:
		memset(m, 0, sizeof(*m));
		return DT_PARSE_BAD;
	}
}

/* Where a new message begins: its times and thread context. */
static void msg_begin(struct msg *m, const struct dt_event *e, size_t pos,
		      const struct partial *p)
{
	m->open = true;
	m->bytes = 0;
	m->dir = e->dir;
	m->end_ns = e->end_ns;
	if (p) {
		m->start_ns = p->start_ns;
		m->seq = p->seq;
		m->has_seq = p->has_seq;
		m->tid = p->tid;
		m->ctx_id = p->ctx_id;
		m->ctx_flags = p->ctx_flags;
		return;
	}
	/* A request is sent when the write begins, received when the read ends. */
	m->start_ns = e->dir == DT_EGRESS ? e->start_ns : e->end_ns;
	m->seq = e->tcp_seq + pos;
	m->has_seq = e->sock_type == SOCK_STREAM;
	m->tid = e->tid;
	m->ctx_id = e->ctx_id;
	m->ctx_flags = e->ctx_flags;
}

static void keep_partial(struct conn *c, int dir, const struct dt_event *e, size_t pos,
			 const uint8_t *buf, size_t n, bool first)
{
	struct partial *p = c->partial[dir];

	if (!p)
		p = c->partial[dir] = bb_xcalloc(1, sizeof(*p));
	if (first) {
		struct msg m = {};

		msg_begin(&m, e, pos, NULL);
		p->start_ns = m.start_ns;
		p->seq = m.seq;
		p->has_seq = m.has_seq;
		p->tid = m.tid;
		p->ctx_id = m.ctx_id;
		p->ctx_flags = m.ctx_flags;
	}
	if (buf != p->buf)
		memcpy(p->buf, buf, n);
	p->n = n;
}

/* A message's head and body are over: the message too, unless it is a run
 * that goes on (M_NEXT: the next bytes are parsed as its continuation). */
static void head_and_body_done(struct conn *c, int dir)
{
	struct msg *m = &c->dir[dir];

	if (m->m.more)
		m->mode = M_NEXT;
	else
		complete(c, dir);
}

/*
 * A message, or a run's next part (M_NEXT), starts at @pos of the event;
 * returns the bytes of the event it takes from there.
 */
static size_t start_message(struct conn *c, int dir, const struct dt_event *e, size_t pos)
{
	struct partial *p = c->partial[dir];
	bool continued = p && p->n;
	size_t avail = e->cap > pos ? e->cap - pos : 0, n = avail, before = 0, base;
	const uint8_t *buf = e->data + pos;
	struct msg *m = &c->dir[dir];
	bool next = m->open;
	struct dt_msg got;
	enum dt_parse r;

	if (continued) {
		before = p->n;
		if (before + avail > PARTIAL_MAX)
			n = avail = PARTIAL_MAX - before;
		memcpy(p->buf + before, buf, avail);
		buf = p->buf;
		n = before + avail;
		p->n = 0;
	}
	r = n ? parse(c, dir, buf, n, !c->dgram && pos + avail == e->bytes, &got) : DT_PARSE_BAD;
	if (!n)
		memset(&got, 0, sizeof(got));
	if (c->dgram && r == DT_PARSE_OK) {	/* a datagram is one message */
		got.body = e->bytes - pos - got.head;
		got.more = got.chunked = got.to_close = false;
	}
	if (r == DT_PARSE_MORE && !c->dgram && pos + avail == e->bytes && n < PARTIAL_MAX) {
		keep_partial(c, dir, e, pos, buf, n, !continued);
		return e->bytes - pos;
	}
	if (next) {
		m->end_ns = e->end_ns;
		if (r == DT_PARSE_OK)
			dt_msg_merge(&m->m, &got);
	} else {
		msg_begin(m, e, pos, continued ? p : NULL);
		m->m = got;
		m->unparsed = r == DT_PARSE_BAD;
		m->request = is_request(c, dir, &m->m, r != DT_PARSE_BAD);
		if (c->dgram && got.txid) {
			/* No sequence numbers: the DNS ID names the exchange
			 * at both ends (the tcp_seq rule). */
			m->seq = got.txid - 1;
			m->has_seq = true;
		}
	}
	base = next ? m->bytes : 0;
	if (r != DT_PARSE_OK || got.head <= before) {
		/* Unframed: everything until the other side speaks. */
		m->mode = M_TURN;
		m->bytes = base + before + e->bytes - pos;
		return e->bytes - pos;
	}
	m->bytes = base + got.head;
	if (got.chunked) {
		m->mode = M_CHUNKED;
		memset(&m->chunks, 0, sizeof(m->chunks));
	} else if (got.to_close) {
		m->mode = M_TURN;
	} else {
		m->mode = M_LENGTH;
		m->left = got.body;
		if (!m->left)
			head_and_body_done(c, dir);
	}
	return got.head - before;
}

/* Bytes of the message open in @dir; returns how many it takes. */
static size_t continue_message(struct conn *c, int dir, const struct dt_event *e, size_t pos)
{
	struct msg *m = &c->dir[dir];
	size_t len = e->bytes - pos, take;

	m->end_ns = e->end_ns;
	switch (m->mode) {
	case M_LENGTH:
		take = len < m->left ? len : m->left;
		m->left -= take;
		m->bytes += take;
		if (!m->left)
			head_and_body_done(c, dir);
		return take;
	case M_CHUNKED:
		take = dt_chunks_feed(&m->chunks, e->data + pos, e->cap > pos ? e->cap - pos : 0,
				      len);
		m->bytes += take;
		if (m->chunks.state == DT_CH_DONE) {
			complete(c, dir);
			return take;
		}
		if (m->chunks.state != DT_CH_LOST)
			return take;
		m->mode = M_TURN;	/* framing not captured: until the other side */
		m->bytes += len - take;
		return len;
	default:
		m->bytes += len;
		return len;
	}
}

/*
 * What the other end sends until it closes is all there is to read: once
 * the reads have come to it, a message that ends with the connection
 * (unframed, or an HTTP body to the close) is over, though this end has
 * not closed yet (a client that exits without close(): its span would
 * wait for the end of the trace, its server's child span long settled).
 */
static void read_to_peer_close(struct conn *c)
{
	struct msg *m = &c->dir[DT_INGRESS];

	if (c->peer_closed && m->open && m->mode == M_TURN &&
	    c->total[DT_INGRESS] >= c->peer_sent)
		complete(c, DT_INGRESS);
}

static void on_message(const struct dt_event *e)
{
	struct conn *c = conn_get(e);
	int dir = e->dir, other = !dir;
	size_t pos = 0, took;

	/* The other side's unframed message is over; so is a request run
	 * (the server answers once it ends), and a MySQL reply (the client
	 * speaks after it: no pipelining). */
	if (c->dir[other].open && (c->dir[other].mode == M_TURN ||
				   (c->dir[other].mode == M_NEXT &&
				    (c->dir[other].request || c->proto == DT_PROTO_MYSQL))))
		complete(c, other);
	while (pos < e->bytes) {
		if (c->dir[dir].open && c->dir[dir].mode != M_NEXT)
			took = continue_message(c, dir, e, pos);
		else
			took = start_message(c, dir, e, pos);
		if (!took)	/* cannot happen; never loop forever on bad input */
			break;
		pos += took;
	}
	c->total[dir] += e->bytes;
	if (dir == DT_INGRESS)
		read_to_peer_close(c);
}

static void conn_finish(struct conn *c)
{
	int d;

	/* Requests first: a response cut by the close still ends its span. */
	for (d = 0; d < 2; d++)
		if (c->dir[d].open && c->dir[d].request)
			complete(c, d);
	for (d = 0; d < 2; d++)
		if (c->dir[d].open)
			complete(c, d);
}

static void conn_free(struct conn *c)
{
	tuple_unlink(c);
	free(c->partial[0]);
	free(c->partial[1]);
	free(c);
}

/* A datagram socket's peer with nothing in flight: forgotten (a DNS
 * server hears from a new port per query; the socket may live for days). */
static void drop_idle_peer(const struct dt_event *e)
{
	struct conn **p = conn_slot(e), *c = *p;

	if (!c || !c->dgram || c->qlen || c->dir[0].open || c->dir[1].open ||
	    (c->partial[0] && c->partial[0]->n) || (c->partial[1] && c->partial[1]->n))
		return;
	*p = c->next;
	conn_free(c);
}

/* A close, or a new connection on a struct sock we knew: the old one is over. */
static void conn_end(const struct dt_event *e)
{
	struct conn **p, *c;

	while ((c = *(p = conn_slot(e)))) {
		struct conn *o = c->dgram ? NULL : other_end(c);

		if (o) {
			o->peer_closed = true;
			o->peer_sent = c->total[DT_EGRESS];
			read_to_peer_close(o);
		}
		conn_finish(c);
		*p = c->next;
		conn_free(c);
	}
}

void dt_stream_event(const void *data, size_t len)
{
	const struct dt_event *e = data;

	stats.events++;
	if (len < sizeof(*e) || e->cap > DT_SNAP_MAX || len != sizeof(*e) + e->cap ||
	    e->dir > DT_EGRESS || (e->family != AF_INET && e->family != AF_INET6 &&
				   e->kind == DT_EV_MSG)) {
		stats.bad_events++;
		return;
	}
	if (e->kind == DT_EV_CLOSE || e->kind == DT_EV_OPEN) {
		conn_end(e);
	} else if (e->kind == DT_EV_MSG) {
		on_message(e);
		drop_idle_peer(e);
	} else {
		stats.bad_events++;
	}
}

void dt_stream_finish(void)
{
	struct conn *c, *next;
	size_t b;

	for (b = 0; b < CONN_BUCKETS; b++) {
		for (c = conns[b]; c; c = next) {
			next = c->next;
			conn_finish(c);
			conn_free(c);
		}
		conns[b] = NULL;
		by_tuple[b] = NULL;
	}
}
