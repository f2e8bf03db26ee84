// SPDX-License-Identifier: GPL-2.0
/* deeptrace's protocol parsers: see proto.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "proto.h"

static const char *const proto_names[DT_PROTO_NR] = {
	"unknown", "http", "redis", "postgres", "mysql", "dns"
};

const char *dt_proto_name(enum dt_proto p)
{
	return p < DT_PROTO_NR ? proto_names[p] : "?";
}

enum dt_proto dt_proto_by_name(const char *name)
{
	int p;

	for (p = 0; p < DT_PROTO_NR; p++)
		if (!strcmp(name, proto_names[p]))
			return p;
	return DT_PROTO_NR;
}

/* Copies @n bytes of @src as printable text (others become '.'). */
static void copy_text(char *dst, size_t size, const uint8_t *src, size_t n)
{
	size_t i;

	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '.';
	dst[n] = 0;
}

/* The line at @p (up to CRLF) inside [p, end): its length, or -1 if no CRLF. */
static long line_len(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *q;

	for (q = p; q + 1 < end; q++)
		if (q[0] == '\r' && q[1] == '\n')
			return q - p;
	return -1;
}

/* ---- HTTP/1.x --------------------------------------------------------------------- */

static const char *const http_methods[] = {
	"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE",
};

/* The method at @buf (followed by a space), or NULL. */
static const char *http_method(const uint8_t *buf, size_t len)
{
	size_t i, n;

	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++) {
		n = strlen(http_methods[i]);
		if (len > n && !memcmp(buf, http_methods[i], n) && buf[n] == ' ')
			return http_methods[i];
	}
	return NULL;
}

static bool http_response_start(const uint8_t *buf, size_t len)
{
	return len >= 12 && !memcmp(buf, "HTTP/1.", 7) && buf[8] == ' ';
}

/* A decimal field of a header, bounded; -1 if it is not one. */
static long long parse_decimal(const uint8_t *p, size_t n)
{
	long long v = 0;
	size_t i;

	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (!n || n > 15)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static bool header_is(const uint8_t *line, size_t name_len, const char *name)
{
	return strlen(name) == name_len && !strncasecmp((const char *)line, name, name_len);
}

/* One header line: the fields it gives.  -1: malformed (no colon). */
static int http_header(const uint8_t *line, size_t n, struct dt_msg *m, long long *clen)
{
	const uint8_t *colon = memchr(line, ':', n), *v;
	size_t name_len, vlen;

	if (!colon || colon == line)
		return -1;
	name_len = colon - line;
	v = colon + 1;
	vlen = line + n - v;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	if (header_is(line, name_len, "content-length")) {
		*clen = parse_decimal(v, vlen);
		if (*clen < 0)
			return -1;
	} else if (header_is(line, name_len, "transfer-encoding")) {
		m->chunked = vlen >= 7 && !strncasecmp((const char *)v + vlen - 7, "chunked", 7);
	} else if (header_is(line, name_len, "host")) {
		copy_text(m->host, sizeof(m->host), v, vlen);
	} else if (header_is(line, name_len, "traceparent")) {
		copy_text(m->traceparent, sizeof(m->traceparent), v, vlen);
	} else if (header_is(line, name_len, "x-request-id")) {
		copy_text(m->request_id, sizeof(m->request_id), v, vlen);
	} else if (header_is(line, name_len, "uber-trace-id")) {
		copy_text(m->uber_trace_id, sizeof(m->uber_trace_id), v, vlen);
	}
	return 0;
}

/* The start line; false if it is not HTTP/1.x. */
static bool http_start_line(const uint8_t *p, size_t n, struct dt_msg *m)
{
	const char *method = http_method(p, n);
	const uint8_t *target, *sp;
	long long status;

	if (method) {
		m->request = true;
		target = p + strlen(method) + 1;
		sp = memchr(target, ' ', p + n - target);
		if (!sp || p + n - sp < 9 || memcmp(sp + 1, "HTTP/1.", 7))
			return false;
		snprintf(m->endpoint, sizeof(m->endpoint), "%s ", method);
		copy_text(m->endpoint + strlen(m->endpoint),
			  sizeof(m->endpoint) - strlen(m->endpoint), target, sp - target);
		return true;
	}
	if (!http_response_start(p, n))
		return false;
	if (n > 12 && p[12] != ' ')
		return false;
	status = parse_decimal(p + 9, 3);
	if (status < 100 || status > 999)
		return false;
	m->status = status;
	m->error = status >= 400;
	copy_text(m->detail, sizeof(m->detail), p + 9, n - 9);
	return true;
}

/* The body's length once the head is known. */
static void http_body(struct dt_msg *m, long long clen, bool head_req)
{
	if (m->request) {
		m->body = clen > 0 ? clen : 0;
		return;
	}
	if (head_req || m->status < 200 || m->status == 204 || m->status == 304) {
		m->chunked = false;
		return;
	}
	if (m->chunked)
		return;
	if (clen >= 0)
		m->body = clen;
	else
		m->to_close = true;
}

enum dt_parse dt_parse_http(const uint8_t *buf, size_t len, bool head_req, struct dt_msg *m)
{
	const uint8_t *p = buf, *end = buf + len;
	long long clen = -1;
	long n;

	memset(m, 0, sizeof(*m));
	m->proto = DT_PROTO_HTTP;
	n = line_len(p, end);
	if (n < 0) {
		/* The start line alone may say enough (a long URL). */
		if (!http_method(buf, len) && !http_response_start(buf, len))
			return DT_PARSE_BAD;
		http_start_line(buf, len, m);
		return DT_PARSE_MORE;
	}
	if (!http_start_line(p, n, m))
		return DT_PARSE_BAD;
	for (p += n + 2; ; p += n + 2) {
		n = line_len(p, end);
		if (n < 0)
			return DT_PARSE_MORE;
		if (n == 0)
			break;
		if (http_header(p, n, m, &clen))
			return DT_PARSE_BAD;
	}
	m->head = p + 2 - buf;
	http_body(m, clen, head_req);
	return DT_PARSE_OK;
}

/* Chunked bodies: a byte-at-a-time machine, so that a chunk's framing may
 * be split anywhere between syscalls. */
static bool chunk_byte(struct dt_chunks *c, uint8_t b)
{
	switch (c->state) {
	case DT_CH_SIZE:
		if (isxdigit(b)) {
			if (c->left >> 56)
				return false;
			c->left = c->left * 16 + (isdigit(b) ? b - '0' : (b | 0x20) - 'a' + 10);
			c->any_digit = true;
			return true;
		}
		if (!c->any_digit)
			return false;
		c->state = b == '\r' ? DT_CH_SIZE_LF : DT_CH_EXT;
		return b == '\r' || b == ';' || b == ' ' || b == '\t';
	case DT_CH_EXT:
		if (b == '\r')
			c->state = DT_CH_SIZE_LF;
		return true;
	case DT_CH_SIZE_LF:
		if (b != '\n')
			return false;
		c->state = c->left ? DT_CH_DATA : DT_CH_TRAILER;
		c->line_empty = true;
		return true;
	case DT_CH_DATA_CR:
		c->state = DT_CH_DATA_LF;
		return b == '\r';
	case DT_CH_DATA_LF:
		c->state = DT_CH_SIZE;
		c->any_digit = false;
		return b == '\n';
	case DT_CH_TRAILER:
		if (b == '\r') {
			c->state = DT_CH_TRAILER_LF;
			return true;
		}
		c->line_empty = false;
		return true;
	case DT_CH_TRAILER_LF:
		if (b != '\n')
			return false;
		c->state = c->line_empty ? DT_CH_DONE : DT_CH_TRAILER;
		c->line_empty = true;
		return true;
	default:
		return false;
	}
}

size_t dt_chunks_feed(struct dt_chunks *c, const uint8_t *buf, size_t cap, size_t len)
{
	size_t pos = 0, take;

	if (cap > len)
		cap = len;
	while (pos < len && c->state != DT_CH_DONE && c->state != DT_CH_LOST) {
		if (c->state == DT_CH_DATA) {
			take = len - pos < c->left ? len - pos : c->left;
			c->left -= take;
			pos += take;
			if (!c->left)
				c->state = DT_CH_DATA_CR;
			continue;
		}
		if (pos >= cap || !chunk_byte(c, buf[pos])) {
			c->state = DT_CH_LOST;
			break;
		}
		pos++;
	}
	return pos;
}

/* ---- Redis RESP ------------------------------------------------------------------- */

#define RESP_MAX_DEPTH 4
#define RESP_MAX_ITEMS 1000000

struct resp_walk {
	const uint8_t *buf;
	size_t len, pos;
	uint64_t beyond;	/* a last bulk string's bytes past the buffer */
	int items;		/* bulk strings seen at depth 1 (command, key) */
	const uint8_t *item[2];
	size_t item_len[2];
};

/* A signed decimal up to CRLF at w->pos; 1 ok, 0 need more, -1 bad. */
static int resp_number(struct resp_walk *w, long long *v)
{
	long n = line_len(w->buf + w->pos, w->buf + w->len);
	const uint8_t *p = w->buf + w->pos;
	bool neg = false;
	long i = 0;

	if (n < 0)
		return w->len - w->pos > 20 ? -1 : 0;
	if (n > 0 && p[0] == '-')
		neg = true, i = 1;
	if (i == n || n > 19)
		return -1;
	for (*v = 0; i < n; i++) {
		if (!isdigit(p[i]))
			return -1;
		*v = *v * 10 + (p[i] - '0');
	}
	if (neg)
		*v = -*v;
	w->pos += n + 2;
	return 1;
}

/* One value at w->pos: 1 whole, 0 runs past the buffer, -1 malformed. */
static int resp_value(struct resp_walk *w, int depth, bool last)
{
	long long n, i;
	uint8_t type;
	long l;
	int r;

	if (w->pos >= w->len)
		return 0;
	type = w->buf[w->pos++];
	switch (type) {
	case '+': case '-':
		l = line_len(w->buf + w->pos, w->buf + w->len);
		if (l < 0)
			return 0;
		w->pos += l + 2;
		return 1;
	case ':':
		return resp_number(w, &n);
	case '$':
		r = resp_number(w, &n);
		if (r <= 0 || n == -1)
			return r;
		if (n < 0 || n > 512LL << 20)
			return -1;
		if (depth == 1 && w->items < 2) {
			w->item[w->items] = w->buf + w->pos;
			w->item_len[w->items] = w->len - w->pos < (size_t)n ? w->len - w->pos : (size_t)n;
		}
		if (depth == 1)
			w->items++;
		if (w->len - w->pos < (uint64_t)n + 2) {
			if (!last)
				return 0;
			/* The last value's bytes may be skipped without them. */
			w->beyond = n + 2 - (w->len - w->pos);
			w->pos = w->len;
			return 1;
		}
		w->pos += n + 2;
		return 1;
	case '*':
		r = resp_number(w, &n);
		if (r <= 0 || n == -1)
			return r;
		if (n < 0 || n > RESP_MAX_ITEMS || depth >= RESP_MAX_DEPTH)
			return -1;
		for (i = 0; i < n; i++) {
			r = resp_value(w, depth + 1, last && i == n - 1);
			if (r <= 0)
				return r;
			if (w->beyond)
				return 1;
		}
		return 1;
	}
	return -1;
}

static void redis_request_endpoint(struct dt_msg *m, const struct resp_walk *w, bool redact)
{
	char cmd[32];
	size_t i;

	copy_text(cmd, sizeof(cmd), w->item[0], w->item_len[0]);
	for (i = 0; cmd[i]; i++)
		cmd[i] = toupper((unsigned char)cmd[i]);
	if (w->items < 2 || !w->item[1]) {
		snprintf(m->endpoint, sizeof(m->endpoint), "%s", cmd);
		return;
	}
	if (redact && (!strcmp(cmd, "AUTH") || !strcmp(cmd, "HELLO"))) {
		snprintf(m->endpoint, sizeof(m->endpoint), "%s ***", cmd);
		return;
	}
	snprintf(m->endpoint, sizeof(m->endpoint), "%s ", cmd);
	copy_text(m->endpoint + strlen(m->endpoint), sizeof(m->endpoint) - strlen(m->endpoint),
		  w->item[1], w->item_len[1] > 64 ? 64 : w->item_len[1]);
}

static void redis_reply_detail(struct dt_msg *m, const uint8_t *buf, size_t len)
{
	const uint8_t *cr = memchr(buf, '\r', len);
	size_t n = cr ? (size_t)(cr - buf) : len;

	m->error = buf[0] == '-';
	if (len >= 5 && !memcmp(buf, "$-1\r\n", 5))
		snprintf(m->detail, sizeof(m->detail), "nil");
	else
		copy_text(m->detail, sizeof(m->detail), buf, n > 80 ? 80 : n);
}

enum dt_parse dt_parse_redis(const uint8_t *buf, size_t len, bool redact, struct dt_msg *m)
{
	struct resp_walk w = { .buf = buf, .len = len };
	int r;

	memset(m, 0, sizeof(*m));
	m->proto = DT_PROTO_REDIS;
	if (!len || !strchr("*+-:$", buf[0]))
		return DT_PARSE_BAD;
	/* A request is an array of bulk strings; anything else is a reply
	 * (an array reply's first element is rarely a bulk command). */
	m->request = len > 1 && buf[0] == '*' && isdigit(buf[1]);
	r = resp_value(&w, 0, true);
	if (r < 0)
		return DT_PARSE_BAD;
	if (m->request) {
		if (!w.items)
			m->request = false;
		else
			redis_request_endpoint(m, &w, redact);
	}
	if (!m->request)
		redis_reply_detail(m, buf, len);
	if (!r)
		return DT_PARSE_MORE;
	m->head = w.pos;
	m->body = w.beyond;
	return DT_PARSE_OK;
}

/* ---- detection -------------------------------------------------------------------- */

enum dt_proto dt_detect(const uint8_t *buf, size_t len)
{
	if (!len)
		return DT_PROTO_UNKNOWN;
	if (http_method(buf, len) || (len >= 7 && !memcmp(buf, "HTTP/1.", 7)))
		return DT_PROTO_HTTP;
	if (len >= 4 && buf[0] == '*' && isdigit(buf[1]) && memchr(buf, '$', len))
		return DT_PROTO_REDIS;
	/* The SQL protocols' checks are strict (exact lengths, known codes),
	 * before Redis's loose one on replies. */
	if (dt_detect_pgsql(buf, len))
		return DT_PROTO_PGSQL;
	if (dt_detect_mysql(buf, len))
		return DT_PROTO_MYSQL;
	if (len >= 3 && strchr("+-:$", buf[0]) && line_len(buf, buf + len) > 0)
		return DT_PROTO_REDIS;
	return DT_PROTO_UNKNOWN;
}
