// SPDX-License-Identifier: GPL-2.0
/*
 * deeptrace's SQL protocols (see proto.h): PostgreSQL's frontend/backend
 * protocol v3 and MySQL's client/server protocol, and the statement text
 * shown as an endpoint, literals redacted.  Every length in these bytes is
 * untrusted: each read is bounded by what was captured.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "proto.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static bool printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f;
}

/* ---- statement text ------------------------------------------------------------ */

static bool ident_char(uint8_t c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Past the string literal opened by the quote at src[i]; '' (and, with
 * @backslash, \x) do not end it.  An unterminated one runs to the end. */
static size_t skip_string(const uint8_t *src, size_t n, size_t i, bool backslash)
{
	uint8_t q = src[i++];

	while (i < n && src[i]) {
		if (backslash && src[i] == '\\') {
			i += 2;
			continue;
		}
		if (src[i++] != q)
			continue;
		if (i < n && src[i] == q) {
			i++;
			continue;
		}
		return i;
	}
	return n;
}

/* A PostgreSQL dollar quote ($$ or $tag$) at src[i]: past its end, or i. */
static size_t skip_dollar(const uint8_t *src, size_t n, size_t i)
{
	size_t tag = i + 1, j;

	while (tag < n && (isalpha(src[tag]) || src[tag] == '_' ||
			   (tag > i + 1 && isdigit(src[tag]))))
		tag++;
	if (tag >= n || src[tag] != '$')
		return i;
	tag = tag + 1 - i;		/* the whole "$tag$" */
	for (j = i + tag; j + tag <= n && src[j]; j++)
		if (!memcmp(src + j, src + i, tag))
			return j + tag;
	return n;
}

/* Past the number at src[i]: digits, a fraction, an exponent, hex digits. */
static size_t skip_number(const uint8_t *src, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (isalnum(src[i]) || src[i] == '.')
			continue;
		if ((src[i] == '+' || src[i] == '-') && (src[i - 1] | 0x20) == 'e' &&
		    isdigit(src[i - 2]))
			continue;
		break;
	}
	return i;
}

/* Where the literal at src[i] ends, or i when none begins there. */
static size_t literal_end(const uint8_t *src, size_t n, size_t i, bool mysql)
{
	uint8_t c = src[i], before = i ? src[i - 1] : ' ';
	bool escape_prefix = (before | 0x20) == 'e' && (i < 2 || !ident_char(src[i - 2]));

	if (c == '\'' || (mysql && c == '"'))
		return skip_string(src, n, i, mysql || escape_prefix);
	if (ident_char(before))
		return i;
	if (isdigit(c) || (c == '.' && i + 1 < n && isdigit(src[i + 1])))
		return skip_number(src, n, i);
	if (c == '$' && !mysql)
		return skip_dollar(src, n, i);
	return i;
}

size_t dt_sql_text(char *dst, size_t size, const uint8_t *src, size_t n, bool redact,
		   bool mysql)
{
	size_t i = 0, o = 0, end;
	bool space = false, quoted = false;

	while (i < n && src[i] && o + 1 < size) {
		if (isspace(src[i])) {
			space = true;
			i++;
			continue;
		}
		if (space && o) {
			dst[o++] = ' ';
			if (o + 1 >= size)
				break;
		}
		space = false;
		if (src[i] == (mysql ? '`' : '"'))	/* a quoted identifier stays */
			quoted = !quoted;
		end = redact && !quoted ? literal_end(src, n, i, mysql) : i;
		if (end > i) {
			dst[o++] = '?';
			i = end;
			continue;
		}
		dst[o++] = printable(src[i]) ? src[i] : '.';
		i++;
	}
	dst[o] = 0;
	return o;
}

/* A C string of at most @n bytes at @p, as text. */
static void copy_cstr(char *dst, size_t size, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] && i + 1 < size; i++)
		dst[i] = printable(p[i]) ? p[i] : '.';
	dst[i] = 0;
}

void dt_msg_merge(struct dt_msg *m, const struct dt_msg *next)
{
	if (!m->endpoint[0])
		memcpy(m->endpoint, next->endpoint, sizeof(m->endpoint));
	/* The first error stands; otherwise the last command's tag. */
	if (!m->error && next->detail[0])
		memcpy(m->detail, next->detail, sizeof(m->detail));
	m->error |= next->error;
	m->head = next->head;
	m->body = next->body;
	m->more = next->more;
	m->to_close = next->to_close;
	m->my_phase = next->my_phase;
	m->my_left = next->my_left;
}

/* ---- runs of messages (PostgreSQL's, a MySQL reply's packets) ------------------- */

/* The message at the end of the buffer is cut: its @rest bytes are skipped. */
static enum dt_parse run_cut(struct dt_msg *m, size_t len, uint64_t rest, bool end)
{
	m->head = len;
	m->body = rest;
	m->more = !end;
	return DT_PARSE_OK;
}

/* The run stops at @pos: at its @end, or where what follows is not here yet. */
static enum dt_parse run_stopped(struct dt_msg *m, size_t pos, bool end)
{
	if (!pos)
		return DT_PARSE_MORE;
	m->head = pos;
	m->more = !end;
	return DT_PARSE_OK;
}

/* ---- PostgreSQL ------------------------------------------------------------------ */

#define PG_PROTOCOL_3 196608		/* StartupMessage */
#define PG_SSL_REQUEST 80877103
#define PG_GSSENC_REQUEST 80877104
#define PG_CANCEL_REQUEST 80877102
#define PG_MAX_MSG (1u << 30)

static const char pg_frontend_types[] = "BCDEFHPQSXcdfp";
static const char pg_backend_types[] = "123ACDEGHIKNRSTVWZcdnstv";

/* A message with no type byte: the startup, SSL, GSS and cancel requests. */
static bool pg_startup(const uint8_t *buf, size_t len, uint32_t *code)
{
	uint32_t n;

	if (len < 8)
		return false;
	n = be32(buf);
	*code = be32(buf + 4);
	if (n < 8 || n > 10000)
		return false;
	return *code == PG_PROTOCOL_3 || *code == PG_SSL_REQUEST || *code == PG_GSSENC_REQUEST ||
	       *code == PG_CANCEL_REQUEST;
}

/* ErrorResponse's fields: "ERROR 42P01 relation "x" does not exist". */
static void pg_error(struct dt_msg *m, const uint8_t *p, size_t n)
{
	const uint8_t *sev = NULL, *code = NULL, *msg = NULL;
	char s[12], c[6], t[78];
	size_t i = 0, f;

	while (i < n && p[i]) {
		f = i + 1;
		if (p[i] == 'V' || (p[i] == 'S' && !sev))
			sev = p + f;
		else if (p[i] == 'C')
			code = p + f;
		else if (p[i] == 'M')
			msg = p + f;
		for (i = f; i < n && p[i]; i++)
			;
		i++;
	}
	if (m->error)
		return;
	m->error = true;
	copy_cstr(s, sizeof(s), sev ? sev : (const uint8_t *)"ERROR", sev ? p + n - sev : 6);
	copy_cstr(c, sizeof(c), code ? code : (const uint8_t *)"?", code ? p + n - code : 2);
	copy_cstr(t, sizeof(t), msg ? msg : (const uint8_t *)"", msg ? p + n - msg : 1);
	snprintf(m->detail, sizeof(m->detail), "%s %s %s", s, c, t);
}

/* A frontend message's fields; true when it ends the request. */
static bool pg_frontend(struct dt_msg *m, uint8_t type, const uint8_t *p, size_t n, bool redact)
{
	const uint8_t *nul;

	switch (type) {
	case 'Q':		/* simple query */
		dt_sql_text(m->endpoint, sizeof(m->endpoint), p, n, redact, false);
		return true;
	case 'P':		/* Parse: statement name, then its text */
		nul = memchr(p, 0, n);
		if (nul && !m->endpoint[0])
			dt_sql_text(m->endpoint, sizeof(m->endpoint), nul + 1, p + n - nul - 1,
				    redact, false);
		return false;
	case 'B':		/* Bind: portal, then the prepared statement */
		nul = memchr(p, 0, n);
		if (nul && !m->endpoint[0] && nul + 1 < p + n && nul[1]) {
			strcpy(m->endpoint, "EXECUTE ");
			copy_cstr(m->endpoint + 8, sizeof(m->endpoint) - 8, nul + 1,
				  p + n - nul - 1);
		}
		return false;
	case 'F':
		if (!m->endpoint[0])
			strcpy(m->endpoint, "(function call)");
		return true;
	case 'S':		/* Sync */
		return true;
	case 'p':		/* a password, SASL: part of the handshake */
		m->no_span = true;
		return true;
	case 'X':		/* Terminate */
		m->alone = true;
		return true;
	case 'd': case 'c': case 'f':	/* CopyData, CopyDone, CopyFail */
		m->alone = true;	/* answered by the COPY's reply */
		m->joins_request = true;
		return true;
	}
	return false;
}

/* A backend message's fields; true when it ends the reply. */
static bool pg_backend(struct dt_msg *m, uint8_t type, const uint8_t *p, size_t n)
{
	uint32_t auth;

	switch (type) {
	case 'C':		/* CommandComplete: "SELECT 3", "INSERT 0 1" */
		if (!m->error)
			copy_cstr(m->detail, sizeof(m->detail), p, n);
		return false;
	case 'E':
		pg_error(m, p, n);
		return false;
	case 'I':
		if (!m->error)
			strcpy(m->detail, "EMPTY");
		return false;
	case 'G': case 'H': case 'W':	/* CopyIn-, CopyOut-, CopyBothResponse */
		if (!m->detail[0])	/* until CommandComplete says "COPY n" */
			strcpy(m->detail, type == 'G' ? "COPY IN" : type == 'H' ? "COPY OUT" :
			       "COPY BOTH");
		return false;
	case '1':		/* ParseComplete: what a lone Parse gets */
		if (!m->detail[0])
			strcpy(m->detail, "PARSE");
		return false;
	case 'R':		/* the server asks for a password: the client's turn */
		auth = n >= 4 ? be32(p) : 0;
		return auth != 0 && auth != 12;
	case 'Z':		/* ReadyForQuery */
		return true;
	}
	return false;
}

static enum dt_parse pg_startup_msg(const uint8_t *buf, size_t len, uint32_t code,
				    struct dt_msg *m)
{
	uint32_t n = be32(buf);

	m->head = n < len ? n : len;
	m->body = n - m->head;
	m->no_span = true;
	m->alone = code == PG_CANCEL_REQUEST;
	return DT_PARSE_OK;
}

/* A message whose fields matter, cut where the next syscall goes on: it
 * is better parsed whole, once the stream has its rest. */
static bool pg_wait_for_rest(uint8_t type, bool frontend, uint32_t n, bool resumes)
{
	return resumes && n <= 4096 && strchr(frontend ? "BPQ" : "CE", type);
}

enum dt_parse dt_parse_pgsql(const uint8_t *buf, size_t len, bool frontend, bool redact,
			     bool resumes, struct dt_msg *m)
{
	const char *types = frontend ? pg_frontend_types : pg_backend_types;
	size_t pos = 0, avail;
	uint32_t n, code;
	bool end = false;

	memset(m, 0, sizeof(*m));
	m->proto = DT_PROTO_PGSQL;
	m->request = frontend;
	if (frontend && pg_startup(buf, len, &code))
		return pg_startup_msg(buf, len, code, m);
	if (!frontend && len == 1 && (buf[0] == 'N' || buf[0] == 'S' || buf[0] == 'G')) {
		m->head = 1;	/* the answer to SSLRequest or GSSENCRequest */
		return DT_PARSE_OK;
	}
	while (len - pos >= 5) {
		n = be32(buf + pos + 1);
		if (!buf[pos] || !strchr(types, buf[pos]) || n < 4 || n > PG_MAX_MSG)
			return DT_PARSE_BAD;
		avail = len - pos - 5 < n - 4 ? len - pos - 5 : n - 4;
		if (n - 4 > avail && pg_wait_for_rest(buf[pos], frontend, n, resumes))
			break;
		end = frontend ? pg_frontend(m, buf[pos], buf + pos + 5, avail, redact) :
				 pg_backend(m, buf[pos], buf + pos + 5, avail);
		if (n - 4 > avail)
			return run_cut(m, len, n - 4 - avail, end);
		pos += 1 + n;
		if (end)
			break;
	}
	return run_stopped(m, pos, end);
}

/* The first message of a connection a client opened before the trace: a
 * whole Query or Parse, or a long one whose text is all there is. */
static bool pg_detect_query(const uint8_t *buf, size_t len)
{
	uint32_t n;
	size_t i;

	if (len < 6 || (buf[0] != 'Q' && buf[0] != 'P'))
		return false;
	n = be32(buf + 1);
	if (n < 5 || n > PG_MAX_MSG)
		return false;
	if (n + 1 <= len)
		return buf[n] == 0;
	if (len < 64 || buf[0] != 'Q')
		return false;
	for (i = 5; i < len; i++)
		if (!printable(buf[i]) && !isspace(buf[i]))
			return false;
	return true;
}

bool dt_detect_pgsql(const uint8_t *buf, size_t len)
{
	uint32_t code;

	return (pg_startup(buf, len, &code) && (be32(buf) == len || code == PG_PROTOCOL_3)) ||
	       pg_detect_query(buf, len);
}

/* ---- MySQL --------------------------------------------------------------------- */

#define MY_COM_QUIT 0x01
#define MY_COM_INIT_DB 0x02
#define MY_COM_QUERY 0x03
#define MY_COM_PING 0x0e
#define MY_COM_STMT_PREPARE DT_MY_COM_STMT_PREPARE
#define MY_COM_STMT_EXECUTE 0x17
#define MY_COM_STMT_SEND_LONG_DATA 0x18
#define MY_COM_STMT_CLOSE 0x19
#define MY_COM_MAX 0x1f

static uint32_t le_n(const uint8_t *p, int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* A length-encoded integer at p[0..n), or -1. */
static long long lenenc(const uint8_t *p, size_t n)
{
	if (n >= 1 && p[0] < 0xfb)
		return p[0];
	if (n >= 3 && p[0] == 0xfc)
		return le_n(p + 1, 2);
	if (n >= 4 && p[0] == 0xfd)
		return le_n(p + 1, 3);
	if (n >= 9 && p[0] == 0xfe)
		return le_n(p + 1, 4) | (long long)(le_n(p + 5, 4) & 0x7fffffff) << 32;
	return -1;
}

static void mysql_command(struct dt_msg *m, const uint8_t *p, size_t n, bool redact)
{
	m->command = p[0];
	switch (p[0]) {
	case MY_COM_QUERY:
	case MY_COM_STMT_PREPARE:
		dt_sql_text(m->endpoint, sizeof(m->endpoint), p + 1, n - 1, redact, true);
		break;
	case MY_COM_STMT_EXECUTE:
		if (n >= 5)
			snprintf(m->endpoint, sizeof(m->endpoint), "EXECUTE #%u", le_n(p + 1, 4));
		break;
	case MY_COM_INIT_DB:
		strcpy(m->endpoint, "USE ");
		copy_cstr(m->endpoint + 4, sizeof(m->endpoint) - 4, p + 1, n - 1);
		break;
	case MY_COM_PING:
		strcpy(m->endpoint, "PING");
		break;
	case MY_COM_QUIT: case MY_COM_STMT_CLOSE: case MY_COM_STMT_SEND_LONG_DATA:
		m->alone = true;	/* no reply */
		break;
	default:
		snprintf(m->endpoint, sizeof(m->endpoint), "COM_0x%02x", p[0]);
	}
}

/*
 * A reply is framed packet by packet, so that an ERR after a result set's
 * rows is seen: where the reply is (m->my_phase) goes from one syscall's
 * bytes to the next's through the stream (dt_msg_merge).
 */
enum {
	MY_FIRST,		/* the reply's first packet, or the next result's */
	MY_COLUMNS,		/* m->my_left column definitions to come */
	MY_AFTER_COLUMNS,	/* the columns' EOF (no CLIENT_DEPRECATE_EOF) or a row */
	MY_ROWS,		/* rows, until EOF/OK (0xfe) or ERR */
	MY_BIG,			/* a row over 16 MiB: the packet that goes on with it */
};
#define MY_MAX_COLUMNS 4096
#define MY_MORE_RESULTS 0x0008		/* SERVER_MORE_RESULTS_EXISTS */
#define MY_PACKET_MAX 0xffffff

static void mysql_error(struct dt_msg *m, const uint8_t *p, size_t n)
{
	if (m->error || n < 3)
		return;
	m->error = true;
	snprintf(m->detail, sizeof(m->detail), "ERR %u ", le_n(p + 1, 2));
	if (n >= 9 && p[3] == '#') {
		copy_cstr(m->detail + strlen(m->detail), 6, p + 4, 5);
		strcat(m->detail, " ");
		p += 6, n -= 6;
	}
	copy_cstr(m->detail + strlen(m->detail), sizeof(m->detail) - strlen(m->detail), p + 3,
		  n - 3);
}

/* An OK packet's status flags (after its two length-encoded integers), or 0. */
static unsigned mysql_ok_status(const uint8_t *p, size_t n)
{
	size_t i = 1;
	int k;

	for (k = 0; k < 2; k++) {
		if (i >= n)
			return 0;
		i += p[i] < 0xfb ? 1 : p[i] == 0xfc ? 3 : p[i] == 0xfd ? 4 : 9;
	}
	return i + 2 <= n ? le_n(p + i, 2) : 0;
}

/* The end of a result set (EOF, or OK with 0xfe): does another result follow? */
static bool mysql_more_results(const uint8_t *p, size_t n, uint32_t full)
{
	if (full == 5)		/* EOF: 0xfe, warnings, status */
		return n >= 5 && (le_n(p + 3, 2) & MY_MORE_RESULTS);
	return mysql_ok_status(p, n) & MY_MORE_RESULTS;
}

/* A reply's first packet (or a further result's): OK, ERR, EOF or a result
 * set's column count.  True when the reply ends with it. */
static bool mysql_first(struct dt_msg *m, const uint8_t *p, size_t n, uint32_t full,
			uint8_t command)
{
	long long v;

	if (p[0] == 0x00 && command == MY_COM_STMT_PREPARE && n >= 5) {
		if (!m->detail[0])
			snprintf(m->detail, sizeof(m->detail), "prepared #%u", le_n(p + 1, 4));
		m->to_close = true;	/* its definitions are not framed */
		return true;
	}
	if (p[0] == 0x00 && n >= 7) {
		if (!m->detail[0])
			snprintf(m->detail, sizeof(m->detail), "OK %lld", lenenc(p + 1, n - 1));
		return !(mysql_ok_status(p, n) & MY_MORE_RESULTS);
	}
	if (p[0] == 0xff) {
		mysql_error(m, p, n);
		return true;
	}
	if (p[0] == 0xfe && full < 9) {
		if (!m->detail[0])
			strcpy(m->detail, "EOF");
		return true;
	}
	v = lenenc(p, n);
	if (v <= 0 || v > MY_MAX_COLUMNS || p[0] == 0xfb) {
		/* An auth switch, LOCAL INFILE's request, garbage: until the
		 * client speaks. */
		m->to_close = true;
		return true;
	}
	if (!m->detail[0])
		snprintf(m->detail, sizeof(m->detail), "%lld column%s", v, v == 1 ? "" : "s");
	m->my_phase = MY_COLUMNS;
	m->my_left = v;
	return false;
}

/* One packet of a reply, @n of its @full bytes at @p; true when it ends the reply. */
static bool mysql_reply_packet(struct dt_msg *m, const uint8_t *p, size_t n, uint32_t full,
			       uint8_t command)
{
	uint8_t phase = m->my_phase;

	if (full == MY_PACKET_MAX && phase != MY_FIRST) {
		m->my_phase = MY_BIG;	/* the next packet goes on with this one */
		return false;
	}
	if (phase == MY_BIG) {
		m->my_phase = MY_ROWS;
		return false;
	}
	if (phase == MY_COLUMNS) {
		if (!--m->my_left)
			m->my_phase = MY_AFTER_COLUMNS;
		return false;
	}
	if (!n)			/* not captured (a packet cut at its start) */
		return false;
	switch (phase) {
	case MY_FIRST:
		return mysql_first(m, p, n, full, command);
	case MY_AFTER_COLUMNS:
		m->my_phase = MY_ROWS;
		if (p[0] == 0xfe && full == 5)
			return false;	/* the columns' EOF: rows follow */
		break;
	}
	if (p[0] == 0xff) {		/* an error after (some of) the rows */
		mysql_error(m, p, n);
		return true;
	}
	if (p[0] != 0xfe)		/* a row: 0xfe would start a string over 16 MiB */
		return false;
	if (!mysql_more_results(p, n, full))
		return true;
	m->my_phase = MY_FIRST;
	return false;
}

/* A packet cut after @n of its @full bytes whose fields matter (OK, ERR,
 * EOF, a column count; not a row's or a column's data): better parsed
 * whole with the next syscall's bytes, if they were not lost to the
 * capture (then it is unframed, and the reply ends with the client's turn). */
static bool mysql_wait_for_rest(const struct dt_msg *m, const uint8_t *p, size_t n, uint32_t full)
{
	if (full > 4096 || m->my_phase == MY_COLUMNS || m->my_phase == MY_BIG)
		return false;
	return m->my_phase == MY_FIRST || !n || p[0] >= 0xfe;
}

/* A reply's packets; @so_far: the reply they go on with, or NULL. */
static enum dt_parse mysql_reply(const uint8_t *buf, size_t len, uint8_t command,
				 const struct dt_msg *so_far, struct dt_msg *m)
{
	size_t pos = 0, avail;
	uint32_t n;
	bool end = false;

	if (so_far) {
		m->my_phase = so_far->my_phase;
		m->my_left = so_far->my_left;
	} else if (len >= 5 && !buf[3] && buf[4] == 10) {
		m->head = len < 4 + le_n(buf, 3) ? len : 4 + le_n(buf, 3);
		m->body = 4 + le_n(buf, 3) - m->head;
		m->alone = true;	/* the server's greeting */
		return DT_PARSE_OK;
	}
	while (len - pos >= 4) {
		n = le_n(buf + pos, 3);
		avail = len - pos - 4 < n ? len - pos - 4 : n;
		if (avail < n && mysql_wait_for_rest(m, buf + pos + 4, avail, n))
			break;
		end = mysql_reply_packet(m, buf + pos + 4, avail, n, command);
		if (n > avail)
			return run_cut(m, len, n - avail, end);
		pos += 4 + n;
		if (end)
			break;
	}
	return run_stopped(m, pos, end);
}

enum dt_parse dt_parse_mysql(const uint8_t *buf, size_t len, bool client, bool redact,
			     uint8_t command, const struct dt_msg *so_far, struct dt_msg *m)
{
	uint32_t n;
	size_t avail;

	memset(m, 0, sizeof(*m));
	m->proto = DT_PROTO_MYSQL;
	m->request = client;
	if (!client)
		return mysql_reply(buf, len, command, so_far, m);
	if (len < 5)
		return DT_PARSE_MORE;
	n = le_n(buf, 3);
	if (!n)
		return DT_PARSE_BAD;
	avail = len - 4 < n ? len - 4 : n;
	m->head = 4 + avail;
	m->body = n - avail;
	if (buf[3])	/* sequence 1 and on: the handshake's answer */
		m->no_span = true;
	else if (buf[4] > MY_COM_MAX)
		return DT_PARSE_BAD;
	else
		mysql_command(m, buf + 4, avail, redact);
	return DT_PARSE_OK;
}

bool dt_detect_mysql(const uint8_t *buf, size_t len)
{
	uint32_t n;
	size_t i;

	if (len < 5 || buf[3])
		return false;
	n = le_n(buf, 3);
	if (n + 4 == len && buf[4] && strchr("\x01\x02\x03\x0e\x16\x17\x19", buf[4]))
		return true;		/* a command, alone in its write */
	if (buf[4] != 10 || n < 20 || n + 4 > len)
		return false;
	for (i = 5; i < len && buf[i]; i++)	/* the greeting's server version */
		if (!printable(buf[i]))
			return false;
	return i > 5 && i < len;
}
