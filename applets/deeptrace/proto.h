/* SPDX-License-Identifier: GPL-2.0 */
/*
 * deeptrace's protocol parsers: what one message's first bytes say (the
 * kernel sends a prefix of each syscall's payload), and how long the
 * message is, so that the stream finds the next one without its bytes.
 * Pure functions on untrusted bytes: anything malformed is BAD, never a
 * crash; the caller then makes an "unparsed" span.
 */
#ifndef DT_PROTO_H
#define DT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dt_proto { DT_PROTO_UNKNOWN, DT_PROTO_HTTP, DT_PROTO_REDIS, DT_PROTO_PGSQL, DT_PROTO_MYSQL,
	       DT_PROTO_DNS, DT_PROTO_NR };

enum dt_parse {
	DT_PARSE_OK,		/* a whole head: m->head bytes, m->body more to skip */
	DT_PARSE_MORE,		/* the head goes past the buffer (fields so far are set) */
	DT_PARSE_BAD,		/* not a message of this protocol */
};

#define DT_ENDPOINT_LEN 128

struct dt_msg {
	enum dt_proto proto;
	bool request;
	size_t head;		/* bytes of the message in the buffer */
	uint64_t body;		/* bytes after them (Content-Length, a bulk string) */
	bool chunked;		/* an HTTP chunked body follows the head */
	bool to_close;		/* an HTTP/1.0-style body: ends with the connection
				 * (or, for a MySQL reply, with the client's turn) */
	bool more;		/* after head + body the message goes on: parse
				 * what follows as its continuation (PostgreSQL:
				 * up to Sync, ReadyForQuery) */
	bool no_span;		/* a request (and its reply) of a handshake */
	bool alone;		/* expects no reply and answers nothing (MySQL's
				 * greeting, COM_QUIT, PostgreSQL's Terminate) */
	bool joins_request;	/* bytes of the request in flight, whose reply is
				 * still open (PostgreSQL's COPY FROM STDIN data) */
	uint32_t txid;		/* a DNS ID + 1: the answer matches its query by it */
	uint8_t command;	/* MySQL's command byte (COM_QUERY...) */
#define DT_MY_COM_STMT_PREPARE 0x16
	uint8_t my_phase;	/* MySQL: where a reply's packets are (sql.c) */
	uint32_t my_left;	/* MySQL: column definitions still to come */
	int status;		/* HTTP status; 0 elsewhere */
	bool error;		/* HTTP >= 500 or a 4xx, a Redis or SQL error */
	char endpoint[DT_ENDPOINT_LEN];	/* "GET /path", "GET key", SQL text */
	char host[64];
	char detail[96];	/* the reply: reason phrase, Redis reply or error,
				 * SQL command tag or error */
	char traceparent[56];
	char request_id[64];
	char uber_trace_id[64];
};

/* The protocol the bytes of a connection's first message look like. */
enum dt_proto dt_detect(const uint8_t *buf, size_t len);
const char *dt_proto_name(enum dt_proto p);
/* "http", "redis", "postgres", "mysql", "dns": the protocol, or DT_PROTO_NR. */
enum dt_proto dt_proto_by_name(const char *name);

/* One message at @buf: its fields into @m (zeroed first).  @redact hides
 * secrets (Redis AUTH arguments).  @head_req: the request this is the
 * response to was a HEAD (no body). */
enum dt_parse dt_parse_http(const uint8_t *buf, size_t len, bool head_req, struct dt_msg *m);
enum dt_parse dt_parse_redis(const uint8_t *buf, size_t len, bool redact, struct dt_msg *m);

/*
 * sql.c.  The messages of one side at @buf (@frontend: the client's); a
 * request or a reply is a run of PostgreSQL messages (up to Sync or Query,
 * up to ReadyForQuery), so m->more says the run goes on past head + body.
 * @resumes: the bytes after @len come with the next syscall (they were not
 * lost to the capture), so a message cut there is worth a DT_PARSE_MORE.
 * MySQL: a request is one packet; a reply is a run of packets up to its
 * end (OK, ERR, or a result set's last EOF), m->more saying it goes on;
 * @command: the request's (COM_STMT_PREPARE's OK names the statement; its
 * definitions are not framed: they end with the client's turn); @so_far:
 * the reply these bytes go on with, or NULL for a reply's first bytes.
 */
enum dt_parse dt_parse_pgsql(const uint8_t *buf, size_t len, bool frontend, bool redact,
			     bool resumes, struct dt_msg *m);
enum dt_parse dt_parse_mysql(const uint8_t *buf, size_t len, bool client, bool redact,
			     uint8_t command, const struct dt_msg *so_far, struct dt_msg *m);
bool dt_detect_pgsql(const uint8_t *buf, size_t len);
bool dt_detect_mysql(const uint8_t *buf, size_t len);
/* Folded into a fresh message's fields: @next, a continuation's. */
void dt_msg_merge(struct dt_msg *m, const struct dt_msg *next);

/* dns.c.  One DNS message (@tcp: after its 2-byte length): "A name" and,
 * for an answer, its RCODE and answer count. */
enum dt_parse dt_parse_dns(const uint8_t *buf, size_t len, bool tcp, struct dt_msg *m);
/* 1: a DNS message, 0: not one, -1: too short to say. */
int dt_detect_dns(const uint8_t *buf, size_t len, bool tcp);
/* A whole datagram that is a DNS query or answer, on any port: strictly
 * (standard query, one question of host name labels, class IN/CH/ANY, a
 * query with no records but EDNS's, every record whole, nothing after). */
bool dt_dns_datagram(const uint8_t *buf, size_t len);

/*
 * Statement text for an endpoint: whitespace runs folded into one space,
 * unprintable bytes as '.', up to a NUL or @n bytes; with @redact, string
 * and number literals become '?' (@mysql: "..." is a string too and
 * backslashes escape).  Returns the length written into @dst (< @size).
 */
size_t dt_sql_text(char *dst, size_t size, const uint8_t *src, size_t n, bool redact,
		   bool mysql);

/* An HTTP chunked body followed through the prefixes of what carries it. */
struct dt_chunks {
	enum { DT_CH_SIZE, DT_CH_EXT, DT_CH_SIZE_LF, DT_CH_DATA, DT_CH_DATA_CR, DT_CH_DATA_LF,
	       DT_CH_TRAILER, DT_CH_TRAILER_LF, DT_CH_DONE, DT_CH_LOST } state;
	uint64_t left;		/* data bytes of the current chunk */
	bool any_digit, line_empty;
};
/*
 * Feeds @len bytes of the body, of which the first @cap are known; returns
 * how many belong to it (< @len when it ended: DT_CH_DONE).  Framing bytes
 * that were not captured make it DT_CH_LOST (the caller then ends the
 * message when the other side speaks).
 */
size_t dt_chunks_feed(struct dt_chunks *c, const uint8_t *buf, size_t cap, size_t len);

#endif
