// SPDX-License-Identifier: GPL-2.0
/*
 * deeptrace's user space (applets/deeptrace/): the HTTP and Redis parsers
 * on captured and malformed bytes, message framing from payload prefixes
 * (keep-alive, pipelining, split heads and bodies, chunked bodies, bytes
 * that were not captured), and the linking rules.
 */
#include "unit.h"
#include <sys/socket.h>
#include "bpfbox.h"
#include "deeptrace.h"
#include "../../applets/deeptrace/span.h"

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1

/* ---- parsers ---- */

static void test_http(void)
{
	struct dt_msg m;
	static const char req[] =
		"GET /api/users?id=7 HTTP/1.1\r\nHost: shop.local\r\n"
		"Authorization: Bearer secret\r\n"
		"traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
		"X-Request-Id: abc-123\r\nContent-Length: 5\r\n\r\nhello";

	CHECK(dt_parse_http(S(req), false, &m) == DT_PARSE_OK, "http: a request parses");
	CHECK(m.request, "http: it is a request");
	CHECK_STR(m.endpoint, "GET /api/users?id=7", "http: endpoint");
	CHECK_STR(m.host, "shop.local", "http: host");
	CHECK_STR(m.request_id, "abc-123", "http: x-request-id (any case)");
	CHECK_STR(m.traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		  "http: traceparent");
	CHECK_U64(m.head, sizeof(req) - 1 - 5, "http: head ends after the blank line");
	CHECK_U64(m.body, 5, "http: Content-Length body");
	CHECK(!strstr(m.endpoint, "secret") && !strstr(m.host, "secret") &&
	      !strstr(m.detail, "secret"), "http: Authorization is kept nowhere");

	CHECK(dt_parse_http(S("HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\n"), false, &m) ==
	      DT_PARSE_OK, "http: a response parses");
	CHECK(!m.request && m.status == 404 && m.error && m.body == 10,
	      "http: status 404, an error, 10 bytes of body");
	CHECK_STR(m.detail, "404 Not Found", "http: reason phrase");

	CHECK(dt_parse_http(S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"), true, &m) ==
	      DT_PARSE_OK && m.body == 0, "http: the answer to a HEAD has no body");
	CHECK(dt_parse_http(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), false, &m) ==
	      DT_PARSE_OK && m.chunked, "http: chunked");
	CHECK(dt_parse_http(S("HTTP/1.0 200 OK\r\nServer: x\r\n\r\n"), false, &m) == DT_PARSE_OK &&
	      m.to_close, "http: no length: the body ends with the connection");
	CHECK(dt_parse_http(S("HTTP/1.1 204 No Content\r\n\r\n"), false, &m) == DT_PARSE_OK &&
	      !m.to_close && !m.body, "http: 204 has no body");

	CHECK(dt_parse_http(S("GET /a HTTP/1.1\r\nHost: x\r\n"), false, &m) == DT_PARSE_MORE &&
	      !strcmp(m.endpoint, "GET /a"), "http: a cut head: MORE, the start line known");
	CHECK(dt_parse_http(S("GET /very/long/url/cut"), false, &m) == DT_PARSE_MORE &&
	      !strcmp(m.endpoint, ""), "http: a cut start line: MORE");
	CHECK(dt_parse_http(S("GET /a HTTP/1.1\r\nContent-Length: -4\r\n\r\n"), false, &m) ==
	      DT_PARSE_BAD, "http: negative Content-Length is BAD");
	CHECK(dt_parse_http(S("GET /a HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"),
			    false, &m) == DT_PARSE_BAD, "http: huge Content-Length is BAD");
	CHECK(dt_parse_http(S("GET /a HTTP/1.1\r\nno colon here\r\n\r\n"), false, &m) ==
	      DT_PARSE_BAD, "http: a header without a colon is BAD");
	CHECK(dt_parse_http(S("GET /a FTP/1.1\r\n\r\n"), false, &m) == DT_PARSE_BAD,
	      "http: not HTTP/1.x is BAD");
	CHECK(dt_parse_http(S("HTTP/1.1 2x0 OK\r\n\r\n"), false, &m) == DT_PARSE_BAD,
	      "http: a status that is no number is BAD");
	CHECK(dt_parse_http(S("GET /\x01\xff HTTP/1.1\r\n\r\n"), false, &m) == DT_PARSE_OK &&
	      !strcmp(m.endpoint, "GET /.."), "http: unprintable bytes are shown as dots");
}

static void test_chunks(void)
{
	static const char body[] = "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	size_t len = sizeof(body) - 1 - 4, split, n;
	struct dt_chunks c;
	bool all = true;

	/* Fed in two pieces cut at every position: the same end. */
	for (split = 0; split <= len; split++) {
		memset(&c, 0, sizeof(c));
		n = dt_chunks_feed(&c, (const uint8_t *)body, split, split);
		n += dt_chunks_feed(&c, (const uint8_t *)body + split, sizeof(body) - 1 - split,
				    sizeof(body) - 1 - split);
		if (n != len || c.state != DT_CH_DONE)
			all = false;
	}
	CHECK(all, "chunks: cut anywhere, the body ends before NEXT (%zu bytes)", len);

	/* The data of a chunk need not be captured; its framing must. */
	memset(&c, 0, sizeof(c));
	n = dt_chunks_feed(&c, S("10000\r\n"), 7);
	n += dt_chunks_feed(&c, NULL, 0, 65536);
	n += dt_chunks_feed(&c, S("\r\n0\r\n\r\n"), 7);
	CHECK(n == 7 + 65536 + 7 && c.state == DT_CH_DONE, "chunks: data skipped without its bytes");
	memset(&c, 0, sizeof(c));
	dt_chunks_feed(&c, S("4\r\nWiki"), 7);
	dt_chunks_feed(&c, NULL, 0, 10);
	CHECK(c.state == DT_CH_LOST, "chunks: framing not captured: LOST");
	memset(&c, 0, sizeof(c));
	dt_chunks_feed(&c, S("zz\r\n"), 4);
	CHECK(c.state == DT_CH_LOST, "chunks: garbage: LOST");
	memset(&c, 0, sizeof(c));
	dt_chunks_feed(&c, S("ffffffffffffffffff\r\n"), 20);
	CHECK(c.state == DT_CH_LOST, "chunks: a size over 2^64: LOST");
}

static void test_redis(void)
{
	static const char pipe[] = "*2\r\n$3\r\nGET\r\n$6\r\nuser:1\r\n*1\r\n$4\r\nPING\r\n";
	struct dt_msg m;

	CHECK(dt_parse_redis(S(pipe), true, &m) == DT_PARSE_OK && m.request,
	      "redis: a request parses");
	CHECK_STR(m.endpoint, "GET user:1", "redis: command and key");
	CHECK_U64(m.head, 25, "redis: the first of two pipelined commands");
	CHECK(dt_parse_redis((const uint8_t *)pipe + 25, sizeof(pipe) - 1 - 25, true, &m) ==
	      DT_PARSE_OK && !strcmp(m.endpoint, "PING") && m.head == 14, "redis: the second");
	CHECK(dt_parse_redis(S("*2\r\n$4\r\nauth\r\n$6\r\nsecret\r\n"), true, &m) == DT_PARSE_OK &&
	      !strcmp(m.endpoint, "AUTH ***"), "redis: AUTH's password redacted");
	CHECK(dt_parse_redis(S("*2\r\n$4\r\nauth\r\n$6\r\nsecret\r\n"), false, &m) == DT_PARSE_OK &&
	      !strcmp(m.endpoint, "AUTH secret"), "redis: ... unless --no-redact");
	CHECK(dt_parse_redis(S("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\nxxxx"), true, &m) ==
	      DT_PARSE_OK && m.body == 100000 + 2 - 4, "redis: a big last value skipped by length");
	CHECK(dt_parse_redis(S("*3\r\n$3\r\nSET\r\n$100\r\nxx"), true, &m) == DT_PARSE_MORE &&
	      !strcmp(m.endpoint, "SET xx"), "redis: a cut request: MORE, what is there shown");

	CHECK(dt_parse_redis(S("-ERR unknown command\r\n"), true, &m) == DT_PARSE_OK && m.error &&
	      !strcmp(m.detail, "-ERR unknown command"), "redis: an error reply");
	CHECK(dt_parse_redis(S("$-1\r\n"), true, &m) == DT_PARSE_OK && !strcmp(m.detail, "nil"),
	      "redis: nil");
	CHECK(dt_parse_redis(S("*2\r\n:1\r\n+OK\r\n"), true, &m) == DT_PARSE_OK && !m.request &&
	      m.head == 13, "redis: an array reply");
	CHECK(dt_parse_redis(S("$-7\r\n"), true, &m) == DT_PARSE_BAD, "redis: $-7 is BAD");
	CHECK(dt_parse_redis(S("*99999999999\r\n"), true, &m) == DT_PARSE_BAD,
	      "redis: a huge array is BAD");
	CHECK(dt_parse_redis(S("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"), true, &m) == DT_PARSE_BAD,
	      "redis: nesting too deep is BAD");
	CHECK(dt_parse_redis(S("?what\r\n"), true, &m) == DT_PARSE_BAD, "redis: no type: BAD");
	CHECK(dt_parse_redis(S(":12a\r\n"), true, &m) == DT_PARSE_BAD, "redis: bad integer: BAD");
}

static void test_detect(void)
{
	CHECK(dt_detect(S("POST /x HTTP/1.1\r\n")) == DT_PROTO_HTTP, "detect: http request");
	CHECK(dt_detect(S("HTTP/1.1 200 OK\r\n")) == DT_PROTO_HTTP, "detect: http response");
	CHECK(dt_detect(S("*1\r\n$4\r\nPING\r\n")) == DT_PROTO_REDIS, "detect: redis");
	CHECK(dt_detect(S("\x16\x03\x01\x02\x00")) == DT_PROTO_UNKNOWN, "detect: TLS is unknown");
}

/* ---- SQL: PostgreSQL, MySQL, statement text ---- */

/* Message builders: a PostgreSQL message (type, then a big-endian length)
 * or a MySQL packet (little-endian length, sequence) appended at b[*n]. */
static void pg_put(uint8_t *b, size_t *n, char type, const void *body, size_t len)
{
	uint32_t l = len + 4;

	b[(*n)++] = type;
	b[(*n)++] = l >> 24, b[(*n)++] = l >> 16, b[(*n)++] = l >> 8, b[(*n)++] = l;
	memcpy(b + *n, body, len);
	*n += len;
}

#define PG(b, n, type, lit) pg_put(b, n, type, lit, sizeof(lit))	/* with the NUL */
#define PGN(b, n, type, lit) pg_put(b, n, type, lit, sizeof(lit) - 1)

static void my_put(uint8_t *b, size_t *n, uint8_t seq, const void *body, size_t len)
{
	b[(*n)++] = len, b[(*n)++] = len >> 8, b[(*n)++] = len >> 16, b[(*n)++] = seq;
	memcpy(b + *n, body, len);
	*n += len;
}

#define MY(b, n, seq, lit) my_put(b, n, seq, lit, sizeof(lit) - 1)

static void test_sql_text(void)
{
	char t[DT_ENDPOINT_LEN];

	dt_sql_text(t, sizeof(t), S("SELECT  *\n\tFROM t WHERE name = 'bob''s' AND id=42"), true,
		    false);
	CHECK_STR(t, "SELECT * FROM t WHERE name = ? AND id=?", "sql: strings, numbers, spaces");
	dt_sql_text(t, sizeof(t), S("SELECT * FROM t WHERE name = 'bob''s' AND id=42"), false,
		    false);
	CHECK_STR(t, "SELECT * FROM t WHERE name = 'bob''s' AND id=42", "sql: --no-redact keeps them");
	dt_sql_text(t, sizeof(t), S("select t1.c2, \"Col 3\" from t1 where x in (1, -2.5e+3, .5, 0x1F)"),
		    true, false);
	CHECK_STR(t, "select t1.c2, \"Col 3\" from t1 where x in (?, -?, ?, ?)",
		  "sql: identifiers with digits and PostgreSQL's \"quoted\" ones stay");
	dt_sql_text(t, sizeof(t), S("insert into u values ($1, $$secret$$, $q$a$b$q$, E'it\\'s')"),
		    true, false);
	CHECK_STR(t, "insert into u values ($1, ?, ?, E?)",
		  "sql: PostgreSQL's parameters stay; dollar quotes and E'' strings go");
	dt_sql_text(t, sizeof(t), S("SELECT \"pw\", 'it\\'s secret' FROM t"), true, true);
	CHECK_STR(t, "SELECT ?, ? FROM t", "sql: MySQL's \"strings\" and backslash escapes");
	dt_sql_text(t, sizeof(t), S("SELECT 'unterminated secret"), true, false);
	CHECK_STR(t, "SELECT ?", "sql: an unterminated string hides the rest");
	dt_sql_text(t, sizeof(t), S("SELECT 1\0garbage"), true, false);
	CHECK_STR(t, "SELECT ?", "sql: stops at a NUL");
	dt_sql_text(t, 8, S("SELECT abcdefgh"), false, false);
	CHECK_STR(t, "SELECT ", "sql: bounded by the destination");
	dt_sql_text(t, sizeof(t), S("  \x01x\xff  "), false, false);
	CHECK_STR(t, ".x.", "sql: trimmed, unprintable bytes as dots");
}

static void test_pgsql(void)
{
	uint8_t b[512];
	size_t n = 0;
	struct dt_msg m;
	static const uint8_t ssl[] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
	static const uint8_t startup[] = { 0, 0, 0, 17, 0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'p',
					    0, 0, 0 };
	static const uint8_t auth_ok[] = { 0, 0, 0, 0 }, auth_md5[] = { 0, 0, 0, 5, 1, 2, 3, 4 };

	CHECK(dt_parse_pgsql(ssl, sizeof(ssl), true, true, false, &m) == DT_PARSE_OK && m.no_span &&
	      m.head == 8 && !m.more, "pgsql: SSLRequest: a handshake request");
	CHECK(dt_parse_pgsql(S("N"), false, true, false, &m) == DT_PARSE_OK && m.head == 1 && !m.more,
	      "pgsql: the one-byte answer to it");
	CHECK(dt_parse_pgsql(startup, sizeof(startup), true, true, false, &m) == DT_PARSE_OK &&
	      m.no_span && m.head == 17, "pgsql: StartupMessage: a handshake request");
	CHECK(dt_detect(ssl, sizeof(ssl)) == DT_PROTO_PGSQL &&
	      dt_detect(startup, sizeof(startup)) == DT_PROTO_PGSQL, "pgsql: detected by its startup");

	PG(b, &n, 'Q', "SELECT * FROM users WHERE id = 7");
	CHECK(dt_parse_pgsql(b, n, true, true, false, &m) == DT_PARSE_OK && m.request && m.head == n &&
	      !m.more && !m.body, "pgsql: a simple Query is a whole request");
	CHECK_STR(m.endpoint, "SELECT * FROM users WHERE id = ?", "pgsql: its text, redacted");
	CHECK(dt_detect(b, n) == DT_PROTO_PGSQL, "pgsql: a Query detected (connection older than the trace)");
	CHECK(dt_parse_pgsql(b, 10, true, true, false, &m) == DT_PARSE_OK && m.head == 10 &&
	      m.body == n - 10 && !strcmp(m.endpoint, "SELEC"), "pgsql: a cut Query: its bytes skipped");
	CHECK(dt_parse_pgsql(b, 3, true, true, false, &m) == DT_PARSE_MORE, "pgsql: a cut header: MORE");

	n = 0;
	PGN(b, &n, 'T', "\0\1x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
	PGN(b, &n, 'D', "\0\1\0\0\0\1" "7");
	PG(b, &n, 'C', "SELECT 1");
	PGN(b, &n, 'Z', "I");
	CHECK(dt_parse_pgsql(b, n, false, true, false, &m) == DT_PARSE_OK && m.head == n && !m.more &&
	      !m.error, "pgsql: a reply runs to ReadyForQuery");
	CHECK_STR(m.detail, "SELECT 1", "pgsql: its command tag");
	CHECK(dt_parse_pgsql(b, n - 6, false, true, false, &m) == DT_PARSE_OK && m.head == n - 6 && m.more,
	      "pgsql: without ReadyForQuery the run goes on");

	n = 0;
	PGN(b, &n, 'E', "SERROR\0VERROR\0C42P01\0Mrelation \"nope\" does not exist\0P15\0\0");
	PGN(b, &n, 'Z', "I");
	CHECK(dt_parse_pgsql(b, n, false, true, false, &m) == DT_PARSE_OK && m.error && !m.more,
	      "pgsql: an ErrorResponse is an error");
	CHECK_STR(m.detail, "ERROR 42P01 relation \"nope\" does not exist",
		  "pgsql: severity, SQLSTATE, message");

	n = 0;
	PGN(b, &n, 'P', "s1\0SELECT name FROM users WHERE id = $1\0\0\0");
	PGN(b, &n, 'B', "\0s1\0\0\0\0\1\0\0\0\0014\0\0");
	PGN(b, &n, 'D', "P\0");
	PGN(b, &n, 'E', "\0\0\0\0\0");
	CHECK(dt_parse_pgsql(b, n, true, true, false, &m) == DT_PARSE_OK && m.more && m.head == n,
	      "pgsql: Parse Bind Describe Execute: the run waits for Sync");
	CHECK_STR(m.endpoint, "SELECT name FROM users WHERE id = $1", "pgsql: Parse's text");
	PGN(b, &n, 'S', "");
	CHECK(dt_parse_pgsql(b, n, true, true, false, &m) == DT_PARSE_OK && !m.more && m.head == n,
	      "pgsql: ... Sync ends it");
	n = 0;
	PGN(b, &n, 'B', "\0s1\0\0\0\0\1\0\0\0\0014\0\0");
	PGN(b, &n, 'E', "\0\0\0\0\0");
	PGN(b, &n, 'S', "");
	CHECK(dt_parse_pgsql(b, n, true, true, false, &m) == DT_PARSE_OK &&
	      !strcmp(m.endpoint, "EXECUTE s1"), "pgsql: a prepared statement run again: its name");

	n = 0;
	pg_put(b, &n, 'R', auth_md5, sizeof(auth_md5));
	CHECK(dt_parse_pgsql(b, n, false, true, false, &m) == DT_PARSE_OK && !m.more,
	      "pgsql: a password asked: the client's turn");
	n = 0;
	pg_put(b, &n, 'R', auth_ok, sizeof(auth_ok));
	PGN(b, &n, 'S', "a\0b\0");
	PGN(b, &n, 'K', "\0\0\0\1\0\0\0\2");
	CHECK(dt_parse_pgsql(b, n, false, true, false, &m) == DT_PARSE_OK && m.more,
	      "pgsql: AuthenticationOk: the run goes on to ReadyForQuery");
	PGN(b, &n, 'x', "");
	CHECK(dt_parse_pgsql(b, n, false, true, false, &m) == DT_PARSE_BAD, "pgsql: an unknown type is BAD");
	b[0] = 'Q', b[1] = 0x7f;
	CHECK(dt_parse_pgsql(b, 40, true, true, false, &m) == DT_PARSE_BAD, "pgsql: a huge length is BAD");
	n = 0;
	PGN(b, &n, 'X', "");
	CHECK(dt_parse_pgsql(b, n, true, true, false, &m) == DT_PARSE_OK && m.alone,
	      "pgsql: Terminate expects no reply");
}

static void test_mysql(void)
{
	uint8_t b[512];
	size_t n = 0;
	struct dt_msg m;

	MY(b, &n, 0, "\x0a" "10.11.6-MariaDB\0\1\0\0\0abcdefgh\0\xfe\xf7\x2d\2\0\xff\x81\x15");
	CHECK(dt_detect(b, n) == DT_PROTO_MYSQL, "mysql: detected by the server's greeting");
	CHECK(dt_parse_mysql(b, n, false, true, 3, NULL, &m) == DT_PARSE_OK && m.alone,
	      "mysql: the greeting answers nothing");
	n = 0;
	MY(b, &n, 1, "\x85\xa6\xff\x01\0\0\0\x01\x21");
	CHECK(dt_parse_mysql(b, n, true, true, 3, NULL, &m) == DT_PARSE_OK && m.no_span,
	      "mysql: the handshake's answer (sequence 1) makes no span");

	n = 0;
	MY(b, &n, 0, "\x03SELECT name FROM users WHERE id = 7 AND pw = \"x\"");
	CHECK(dt_detect(b, n) == DT_PROTO_MYSQL, "mysql: a COM_QUERY detected");
	CHECK(dt_parse_mysql(b, n, true, true, 3, NULL, &m) == DT_PARSE_OK && m.request && m.head == n &&
	      !m.body, "mysql: COM_QUERY parses");
	CHECK_STR(m.endpoint, "SELECT name FROM users WHERE id = ? AND pw = ?", "mysql: its text");
	CHECK(dt_parse_mysql(b, 12, true, true, 3, NULL, &m) == DT_PARSE_OK && m.head == 12 &&
	      m.body == n - 12, "mysql: a cut packet: the rest skipped");
	CHECK(dt_parse_mysql(b, 3, true, true, 3, NULL, &m) == DT_PARSE_MORE, "mysql: a cut header: MORE");
	n = 0;
	MY(b, &n, 0, "\x17\x05\0\0\0\0\1\0\0\0");
	CHECK(dt_parse_mysql(b, n, true, true, 3, NULL, &m) == DT_PARSE_OK &&
	      !strcmp(m.endpoint, "EXECUTE #5"), "mysql: COM_STMT_EXECUTE: the statement id");
	n = 0;
	MY(b, &n, 0, "\x01");
	CHECK(dt_parse_mysql(b, n, true, true, 3, NULL, &m) == DT_PARSE_OK && m.alone,
	      "mysql: COM_QUIT expects no reply");
	n = 0;
	MY(b, &n, 0, "\x7f");
	CHECK(dt_parse_mysql(b, n, true, true, 3, NULL, &m) == DT_PARSE_BAD, "mysql: an unknown command is BAD");

	n = 0;
	MY(b, &n, 1, "\0\1\0\2\0\0\0");
	CHECK(dt_parse_mysql(b, n, false, true, 3, NULL, &m) == DT_PARSE_OK && !m.error && !m.more &&
	      m.head == n && !strcmp(m.detail, "OK 1"), "mysql: OK, one row affected: the reply's end");
	n = 0;
	MY(b, &n, 1, "\xff\x7a\x04#42S02Table 'db.nope' doesn't exist");
	CHECK(dt_parse_mysql(b, n, false, true, 3, NULL, &m) == DT_PARSE_OK && m.error,
	      "mysql: ERR is an error");
	CHECK_STR(m.detail, "ERR 1146 42S02 Table 'db.nope' doesn't exist", "mysql: code, state, text");
	n = 0;
	MY(b, &n, 1, "\0\3\0\0\0\1\0\1\0\0\0\0");
	CHECK(dt_parse_mysql(b, n, false, true, DT_MY_COM_STMT_PREPARE, NULL, &m) == DT_PARSE_OK &&
	      !strcmp(m.detail, "prepared #3"), "mysql: COM_STMT_PREPARE's OK names the statement");
	n = 0;
	MY(b, &n, 1, "\x02");
	CHECK(dt_parse_mysql(b, n, false, true, 3, NULL, &m) == DT_PARSE_OK && !strcmp(m.detail, "2 columns"),
	      "mysql: a result set's column count");
}

/*
 * Bytes captured from Debian's servers (strace -xx of the clients): MariaDB
 * 10.11 answering the mariadb client, PostgreSQL 15 answering psql.
 */
/* SELECT id, (SELECT name FROM shop.users u2 WHERE u2.id <= u1.id) FROM
 * shop.users u1: two column definitions, their EOF, the row (1, alice),
 * then ERR 1242 for the second row. */
static const uint8_t my_rows_err[] =
	"\x02\x00\x00\x01\x02\x01\x26\x00\x00\x02\x03\x64\x65\x66\x04\x73"
	"\x68\x6f\x70\x02\x75\x31\x05\x75\x73\x65\x72\x73\x02\x69\x64\x02"
	"\x69\x64\x00\x0c\x3f\x00\x0b\x00\x00\x00\x03\x00\x00\x00\x00\x00"
	"\x18\x00\x00\x03\x03\x64\x65\x66\x00\x00\x00\x01\x6e\x00\x00\x0c"
	"\x21\x00\xfd\xff\x02\x00\xfc\x00\x00\x27\x00\x00\x05\x00\x00\x04"
	"\xfe\x00\x00\x22\x00\x08\x00\x00\x05\x01\x31\x05\x61\x6c\x69\x63"
	"\x65\x29\x00\x00\x06\xff\xda\x04\x23\x32\x31\x30\x30\x30\x53\x75"
	"\x62\x71\x75\x65\x72\x79\x20\x72\x65\x74\x75\x72\x6e\x73\x20\x6d"
	"\x6f\x72\x65\x20\x74\x68\x61\x6e\x20\x31\x20\x72\x6f\x77";
/* SELECT id, name FROM shop.users: columns, EOF, two rows, EOF. */
static const uint8_t my_rows_ok[] =
	"\x02\x00\x00\x01\x02\x01\x29\x00\x00\x02\x03\x64\x65\x66\x04\x73"
	"\x68\x6f\x70\x05\x75\x73\x65\x72\x73\x05\x75\x73\x65\x72\x73\x02"
	"\x69\x64\x02\x69\x64\x00\x0c\x3f\x00\x0b\x00\x00\x00\x03\x00\x00"
	"\x00\x00\x00\x2d\x00\x00\x03\x03\x64\x65\x66\x04\x73\x68\x6f\x70"
	"\x05\x75\x73\x65\x72\x73\x05\x75\x73\x65\x72\x73\x04\x6e\x61\x6d"
	"\x65\x04\x6e\x61\x6d\x65\x00\x0c\x21\x00\xfd\xff\x02\x00\xfc\x10"
	"\x00\x00\x00\x00\x05\x00\x00\x04\xfe\x00\x00\x22\x00\x08\x00\x00"
	"\x05\x01\x31\x05\x61\x6c\x69\x63\x65\x06\x00\x00\x06\x01\x32\x03"
	"\x62\x6f\x62\x05\x00\x00\x07\xfe\x00\x00\x22\x00";
/* CALL shop.p(), a procedure that SELECTs a row, then SIGNALs: the result
 * set's EOF says more results follow (0x0008); the ERR comes in a read of
 * its own. */
static const uint8_t my_call_rs[] =
	"\x02\x00\x00\x01\x01\x01\x29\x00\x00\x02\x03\x64\x65\x66\x04\x73"
	"\x68\x6f\x70\x05\x75\x73\x65\x72\x73\x05\x75\x73\x65\x72\x73\x02"
	"\x69\x64\x02\x69\x64\x00\x0c\x3f\x00\x0b\x00\x00\x00\x03\x00\x00"
	"\x00\x00\x00\x05\x00\x00\x03\xfe\x00\x00\x2a\x40\x02\x00\x00\x04"
	"\x01\x31\x05\x00\x00\x05\xfe\x00\x00\x2a\x40";
static const uint8_t my_call_err[] =
	"\x0d\x00\x00\x06\xff\x6c\x06\x23\x34\x35\x30\x30\x30\x62\x6f\x6f"
	"\x6d";
/* COPY users TO STDOUT: CopyOutResponse, two CopyData, CopyDone,
 * CommandComplete, ReadyForQuery. */
static const uint8_t pg_copy_out[] =
	"\x48\x00\x00\x00\x0b\x00\x00\x02\x00\x00\x00\x00\x64\x00\x00\x00"
	"\x0c\x31\x09\x61\x6c\x69\x63\x65\x0a\x64\x00\x00\x00\x0a\x32\x09"
	"\x62\x6f\x62\x0a\x63\x00\x00\x00\x04\x43\x00\x00\x00\x0b\x43\x4f"
	"\x50\x59\x20\x32\x00\x5a\x00\x00\x00\x05\x49";
/* \\copy users FROM a file (COPY users FROM STDIN): the query, the
 * server's CopyInResponse, psql's CopyData and CopyDone in one write, the
 * server's CommandComplete; then a file with a bad line: ErrorResponse. */
static const uint8_t pg_copy_in_q[] =
	"\x51\x00\x00\x00\x1c\x43\x4f\x50\x59\x20\x20\x75\x73\x65\x72\x73"
	"\x20\x46\x52\x4f\x4d\x20\x53\x54\x44\x49\x4e\x20\x00";
static const uint8_t pg_copy_in_g[] =
	"\x47\x00\x00\x00\x0b\x00\x00\x02\x00\x00\x00\x00";
static const uint8_t pg_copy_in_d[] =
	"\x64\x00\x00\x00\x13\x33\x09\x63\x61\x72\x6f\x6c\x0a\x34\x09\x64"
	"\x61\x76\x65\x0a\x63\x00\x00\x00\x04";
static const uint8_t pg_copy_in_c[] =
	"\x43\x00\x00\x00\x0b\x43\x4f\x50\x59\x20\x32\x00\x5a\x00\x00\x00"
	"\x05\x49";
static const uint8_t pg_copy_bad_d[] =
	"\x64\x00\x00\x00\x0e\x35\x09\x65\x76\x65\x0a\x78\x09\x79\x0a\x63"
	"\x00\x00\x00\x04";
static const uint8_t pg_copy_bad_e[] =
	"\x45\x00\x00\x00\x8a\x53\x45\x52\x52\x4f\x52\x00\x56\x45\x52\x52"
	"\x4f\x52\x00\x43\x32\x32\x50\x30\x32\x00\x4d\x69\x6e\x76\x61\x6c"
	"\x69\x64\x20\x69\x6e\x70\x75\x74\x20\x73\x79\x6e\x74\x61\x78\x20"
	"\x66\x6f\x72\x20\x74\x79\x70\x65\x20\x69\x6e\x74\x65\x67\x65\x72"
	"\x3a\x20\x22\x78\x22\x00\x57\x43\x4f\x50\x59\x20\x75\x73\x65\x72"
	"\x73\x2c\x20\x6c\x69\x6e\x65\x20\x32\x2c\x20\x63\x6f\x6c\x75\x6d"
	"\x6e\x20\x69\x64\x3a\x20\x22\x78\x22\x00\x46\x6e\x75\x6d\x75\x74"
	"\x69\x6c\x73\x2e\x63\x00\x4c\x32\x33\x32\x00\x52\x70\x67\x5f\x73"
	"\x74\x72\x74\x6f\x69\x6e\x74\x33\x32\x00\x00\x5a\x00\x00\x00\x05"
	"\x49";

#define B(a) a, sizeof(a) - 1

static void test_sql_captured(void)
{
	struct dt_msg m, next;
	size_t cut, n = sizeof(my_rows_err) - 1;
	bool all = true;

	CHECK(dt_parse_mysql(B(my_rows_err), false, true, 3, NULL, &m) == DT_PARSE_OK && m.error &&
	      !m.more && m.head == n, "mysql captured: an ERR after a row ends the reply, an error");
	CHECK_STR(m.detail, "ERR 1242 21000 Subquery returns more than 1 row",
		  "mysql captured: the error after the rows is the reply");
	/* cut anywhere: the first part goes on, the rest (after the cut
	 * packet's skipped bytes) ends with the error */
	for (cut = 1; cut < n; cut++) {
		enum dt_parse r = dt_parse_mysql(my_rows_err, cut, false, true, 3, NULL, &m);
		size_t at = m.head + m.body;

		if (r == DT_PARSE_MORE)		/* the first header is cut */
			continue;
		if (r != DT_PARSE_OK || !m.more || at > n ||
		    dt_parse_mysql(my_rows_err + at, n - at, false, true, 3, &m, &next) != DT_PARSE_OK)
			all = false;
		dt_msg_merge(&m, &next);
		if (!m.error || strcmp(m.detail, "ERR 1242 21000 Subquery returns more than 1 row") ||
		    next.more)
			all = false;
	}
	CHECK(all, "mysql captured: the reply cut at any byte: the error still found");
	CHECK(dt_parse_mysql(B(my_rows_ok), false, true, 3, NULL, &m) == DT_PARSE_OK && !m.error &&
	      !m.more && m.head == sizeof(my_rows_ok) - 1 && !strcmp(m.detail, "2 columns"),
	      "mysql captured: a result set ends with its last EOF");
	CHECK(dt_parse_mysql(B(my_call_rs), false, true, 3, NULL, &m) == DT_PARSE_OK && m.more &&
	      m.head == sizeof(my_call_rs) - 1 && !strcmp(m.detail, "1 column"),
	      "mysql captured: CALL's result set says more results follow");
	CHECK(dt_parse_mysql(B(my_call_err), false, true, 3, &m, &next) == DT_PARSE_OK && next.error &&
	      !next.more, "mysql captured: the SIGNAL's ERR ends CALL's reply");
	dt_msg_merge(&m, &next);
	CHECK_STR(m.detail, "ERR 1644 45000 boom", "mysql captured: the SIGNAL is the reply");

	CHECK(dt_parse_pgsql(B(pg_copy_out), false, true, false, &m) == DT_PARSE_OK && !m.more &&
	      m.head == sizeof(pg_copy_out) - 1 && !strcmp(m.detail, "COPY 2"),
	      "pgsql captured: COPY TO STDOUT's data in the reply, its tag");
	CHECK(dt_parse_pgsql(B(pg_copy_in_q), true, true, false, &m) == DT_PARSE_OK && !m.more &&
	      !strcmp(m.endpoint, "COPY users FROM STDIN"), "pgsql captured: COPY FROM STDIN");
	CHECK(dt_parse_pgsql(B(pg_copy_in_g), false, true, false, &m) == DT_PARSE_OK && m.more &&
	      !strcmp(m.detail, "COPY IN"), "pgsql captured: CopyInResponse: the reply goes on");
	CHECK(dt_parse_pgsql(B(pg_copy_in_d), true, true, false, &m) == DT_PARSE_OK &&
	      m.head == 20 && m.alone && m.joins_request,
	      "pgsql captured: CopyData: bytes of the COPY request");
	CHECK(dt_parse_pgsql(pg_copy_in_d + 20, 5, true, true, false, &m) == DT_PARSE_OK &&
	      m.head == 5 && m.joins_request, "pgsql captured: CopyDone too");
	CHECK(dt_parse_pgsql(B(pg_copy_in_c), false, true, false, &m) == DT_PARSE_OK && !m.more &&
	      !strcmp(m.detail, "COPY 2"), "pgsql captured: COPY's tag ends the reply");
	CHECK(dt_parse_pgsql(B(pg_copy_bad_e), false, true, false, &m) == DT_PARSE_OK && !m.more &&
	      m.error, "pgsql captured: a bad COPY line: an error");
	CHECK_STR(m.detail, "ERROR 22P02 invalid input syntax for type integer: \"x\"",
		  "pgsql captured: COPY's error");
}

/* ---- DNS ---- */

/* A DNS message: header, one question for @name (dotted), @an answers
 * (counted only), after a 2-byte length when @tcp. */
static size_t dns_put(uint8_t *b, bool tcp, unsigned id, unsigned flags, const char *name,
		      unsigned qtype, unsigned an)
{
	uint8_t *h = b + (tcp ? 2 : 0), *p = h + 12;
	const char *dot;
	size_t n;

	memset(h, 0, 12);
	h[0] = id >> 8, h[1] = id, h[2] = flags >> 8, h[3] = flags, h[5] = 1, h[7] = an;
	while (*name) {
		dot = strchr(name, '.');
		n = dot ? (size_t)(dot - name) : strlen(name);
		*p++ = n;
		memcpy(p, name, n);
		p += n;
		name += n + !!dot;
	}
	*p++ = 0;
	*p++ = qtype >> 8, *p++ = qtype, *p++ = 0, *p++ = 1;
	if (tcp)
		b[0] = (p - h) >> 8, b[1] = p - h;
	return p - b;
}

static void test_dns(void)
{
	uint8_t b[300];
	size_t n;
	struct dt_msg m;

	n = dns_put(b, false, 0x1234, 0x0100, "shop.test", 1, 0);
	CHECK(dt_detect_dns(b, n, false) && !dt_detect_dns(b, n, true), "dns: a UDP query detected");
	CHECK(dt_parse_dns(b, n, false, &m) == DT_PARSE_OK && m.request && m.txid == 0x1235 &&
	      m.head == n, "dns: a query, its ID");
	CHECK_STR(m.endpoint, "A shop.test", "dns: type and name");
	n = dns_put(b, false, 0x1234, 0x8183, "nope.test", 28, 0);
	CHECK(dt_parse_dns(b, n, false, &m) == DT_PARSE_OK && !m.request && m.error,
	      "dns: NXDOMAIN is an error");
	CHECK_STR(m.detail, "NXDOMAIN, ANSWER: 0", "dns: rcode and answers");
	CHECK_STR(m.endpoint, "AAAA nope.test", "dns: the answer's question");
	n = dns_put(b, true, 7, 0x8180, "shop.test", 1, 2);
	CHECK(dt_detect_dns(b, n, true), "dns: over TCP detected (the length first)");
	CHECK(dt_parse_dns(b, n, true, &m) == DT_PARSE_OK && m.head == n && !m.body &&
	      !strcmp(m.detail, "NOERROR, ANSWER: 2"), "dns: over TCP");
	CHECK(dt_parse_dns(b, 20, true, &m) == DT_PARSE_OK && m.head == 20 && m.body == n - 20,
	      "dns: over TCP, cut: the rest skipped");
	CHECK(dt_parse_dns(b, 5, true, &m) == DT_PARSE_MORE, "dns: a cut TCP header: MORE");
	b[2 + 12] = 0xc0;
	CHECK(dt_parse_dns(b, n, true, &m) == DT_PARSE_OK && !strcmp(m.endpoint, "? "),
	      "dns: a pointer in the question: no name, no crash");
	n = dns_put(b, false, 1, 0x0100, "shop.test", 1, 0);
	b[5] = 2;
	CHECK(dt_parse_dns(b, n, false, &m) == DT_PARSE_BAD && !dt_detect_dns(b, n, false),
	      "dns: two questions: not a DNS message we parse");
	CHECK(dt_parse_dns(S("GET / HTTP/1.1\r\n\r\n"), false, &m) == DT_PARSE_BAD ||
	      !dt_detect_dns(S("GET / HTTP/1.1\r\n\r\n"), false), "dns: HTTP is not DNS");
}

/* DNS on any port: dig's query (EDNS with a cookie) and dnsmasq's answer,
 * captured (strace -xx of dig against Debian's dnsmasq); and UDP payloads
 * that are not DNS, which must not be taken for it. */
static const uint8_t dig_query[] =
	"\x65\xac\x01\x20\x00\x01\x00\x00\x00\x00\x00\x01\x04\x73\x68\x6f"
	"\x70\x04\x74\x65\x73\x74\x00\x00\x01\x00\x01\x00\x00\x29\x04\xd0"
	"\x00\x00\x00\x00\x00\x0c\x00\x0a\x00\x08\x72\x3c\xe5\xa6\x4d\x62"
	"\xd6\x04";
static const uint8_t dnsmasq_answer[] =
	"\x66\xc3\x85\x80\x00\x01\x00\x01\x00\x00\x00\x01\x04\x73\x68\x6f"
	"\x70\x04\x74\x65\x73\x74\x00\x00\x01\x00\x01\xc0\x0c\x00\x01\x00"
	"\x01\x00\x00\x00\x00\x00\x04\x7f\x00\x00\x07\x00\x00\x29\x04\xd0"
	"\x00\x00\x00\x00\x00\x00";

static void test_dns_content(void)
{
	static const struct { const char *what; const char *b; size_t n; } not_dns[] = {
		/* NTP v4 client request */
		{ "NTP", "\x23\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
			 "\0\0\0\0\0\0\0\0\xe9\x3c\x1a\x2b\x11\x22\x33\x44", 48 },
		{ "statsd", "page.views:1|c", 14 },
		{ "memcached over UDP", "\0\1\0\0\0\1\0\0get foo\r\n", 17 },
		{ "syslog", "<34>Oct 11 22:14:15 host su: 'su root' failed", 46 },
		/* SNMPv2c get-request, community "public" */
		{ "SNMP", "\x30\x26\x02\x01\x01\x04\x06public\xa0\x19\x02\x04\x1a\x2b\x3c\x4d\x02\x01"
			  "\0\x02\x01\0\x30\x0b\x30\x09\x06\x05\x2b\x06\x01\x02\x01\x05\0", 40 },
		{ "a query with a byte after it", "\x12\x34\x01\0\0\1\0\0\0\0\0\0\4shop\4test\0\0\1\0\1X", 28 },
		{ "a query with a space in a label", "\x12\x34\x01\0\0\1\0\0\0\0\0\0\4sh p\4test\0\0\1\0\1", 27 },
		{ "a query with an answer", "\x12\x34\x01\0\0\1\0\1\0\0\0\0\4shop\4test\0\0\1\0\1", 27 },
		{ "class 9", "\x12\x34\x01\0\0\1\0\0\0\0\0\0\4shop\4test\0\0\1\0\x09", 27 },
		{ "an answer's record cut", "\x12\x34\x81\x80\0\1\0\1\0\0\0\0\4shop\4test\0\0\1\0\1\xc0\x0c\0\1\0\1\0\0\0\0\0\4\x7f\0", 41 },
	};
	uint8_t b[64];
	uint64_t rnd = 7;
	unsigned i, k, hits = 0;
	struct dt_msg m;

	CHECK(dt_dns_datagram(B(dig_query)), "dns by content: dig's query (EDNS, a cookie)");
	CHECK(dt_dns_datagram(B(dnsmasq_answer)), "dns by content: dnsmasq's answer (a pointer)");
	CHECK(!dt_dns_datagram(dig_query, sizeof(dig_query) - 2),
	      "dns by content: a datagram cut short is not taken");
	CHECK(dt_parse_dns(B(dig_query), false, &m) == DT_PARSE_OK && m.request &&
	      !strcmp(m.endpoint, "A shop.test"), "dns by content: dig's query parses");
	for (i = 0; i < ARRAY_SIZE(not_dns); i++)
		CHECK(!dt_dns_datagram((const uint8_t *)not_dns[i].b, not_dns[i].n),
		      "dns by content: %s is not DNS", not_dns[i].what);
	/* random datagrams, and dig's query with one random byte changed in
	 * its header's counts and flags: none strictly DNS */
	for (i = 0; i < 100000; i++) {
		size_t n = 17 + unit_rand(&rnd) % (sizeof(b) - 17);

		for (k = 0; k < n; k++)
			b[k] = unit_rand(&rnd);
		hits += dt_dns_datagram(b, n);
	}
	CHECK_U64(hits, 0, "dns by content: 100000 random datagrams: none taken");
	for (i = 0, hits = 0; i < 256; i++) {
		memcpy(b, dig_query, sizeof(dig_query) - 1);
		b[6] = i;	/* ANCOUNT's high byte */
		b[7] = i;
		hits += dt_dns_datagram(b, sizeof(dig_query) - 1);
	}
	CHECK_U64(hits, 1, "dns by content: a query with answers is not one (but ANCOUNT 0)");
}

/* Random and mutated bytes through every parser: no crash, no overread
 * (the buffers are exact heap copies: ASan or a fault would say). */
static void test_garbage(void)
{
#define SEED(lit) { lit, sizeof(lit) - 1 }
	static const struct { const char *b; size_t n; } seeds[] = {
		SEED("GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
		SEED("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
		SEED("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"),
		SEED("Q\0\0\0\x0fSELECT 'a'\0Z\0\0\0\5I"),
		SEED("\x20\0\0\0\x03SELECT \"x\", 1.5e3 FROM t\xff\xfe"),
	};
	uint64_t rnd = 42;
	unsigned i, k;
	struct dt_msg m, prev = { 0 };
	struct dt_chunks c;

	for (i = 0; i < 30000; i++) {
		const char *seed = seeds[i % 5].b;
		size_t len = seeds[i % 5].n - unit_rand(&rnd) % 8;
		char t[32];
		uint8_t *b = malloc(len + 1);

		memcpy(b, seed, len);
		for (k = 0; k < 1 + unit_rand(&rnd) % 4; k++)
			b[unit_rand(&rnd) % len] = unit_rand(&rnd);
		dt_parse_http(b, len, i & 1, &m);
		dt_parse_redis(b, len, true, &m);
		dt_parse_pgsql(b, len, i & 1, i & 2, i & 4, &m);
		prev.my_phase = i % 6;
		prev.my_left = i % 3;
		dt_parse_mysql(b, len, i & 1, i & 2, i & 4 ? DT_MY_COM_STMT_PREPARE : 3,
			       i & 8 ? &prev : NULL, &m);
		dt_sql_text(t, sizeof(t), b, len, true, i & 1);
		dt_parse_dns(b, len, i & 1, &m);
		dt_detect_dns(b, len, i & 2);
		dt_dns_datagram(b, len);
		dt_detect(b, len);
		memset(&c, 0, sizeof(c));
		dt_chunks_feed(&c, b, len, len + unit_rand(&rnd) % 100);
		free(b);
	}
	CHECK(true, "garbage: 30000 mutated messages parsed without a crash");
}

/* ---- streams: events in, spans out ---- */

static struct dt_span spans[64];
static unsigned nspans;

static void collect(const struct dt_span *s)
{
	if (nspans < ARRAY_SIZE(spans))
		spans[nspans++] = *s;
}

static uint64_t clock_ns = 1000000;

/* One event on connection @sock: @data is the payload, @bytes what moved
 * (more than @data: the rest was not captured). */
static void evb(uint64_t sock, int role, int dir, const void *data, size_t cap, uint32_t bytes,
		uint32_t seq)
{
	struct dt_event *e = calloc(1, sizeof(*e) + cap);

	e->kind = DT_EV_MSG;
	e->sock = sock;
	e->role = role;
	e->dir = dir;
	e->family = AF_INET;
	e->sock_type = SOCK_STREAM;
	e->lport = role == DT_ROLE_SERVER ? 80 : 40000;
	e->rport = role == DT_ROLE_SERVER ? 40000 : 80;
	e->pid = e->tid = 7;
	e->start_ns = clock_ns;
	e->end_ns = clock_ns += 1000;
	e->bytes = bytes ? bytes : cap;
	e->cap = cap;
	e->tcp_seq = seq;
	memcpy(e->data, data, cap);
	dt_stream_event(e, sizeof(*e) + cap);
	free(e);
}

static void ev(uint64_t sock, int role, int dir, const char *data, uint32_t bytes, uint32_t seq)
{
	evb(sock, role, dir, data, data ? strlen(data) : 0, bytes, seq);
}

static void test_stream(void)
{
	dt_stream_init(collect, true);

	/* keep-alive: two requests, each answered, the second's response in
	 * three writes (head cut in the middle, body past the capture). */
	ev(1, DT_ROLE_SERVER, DT_INGRESS, "GET /one HTTP/1.1\r\nHost: a\r\n\r\n", 0, 100);
	ev(1, DT_ROLE_SERVER, DT_EGRESS, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0, 0);
	ev(1, DT_ROLE_SERVER, DT_INGRESS, "GET /two HTTP/1.1\r\n\r\n", 0, 131);
	ev(1, DT_ROLE_SERVER, DT_EGRESS, "HTTP/1.1 500 Oops\r\nConte", 0, 0);
	ev(1, DT_ROLE_SERVER, DT_EGRESS, "nt-Length: 3000\r\n\r\nxx", 0, 0);
	CHECK_U64(nspans, 1, "stream: the second response is not over yet");
	ev(1, DT_ROLE_SERVER, DT_EGRESS, "xxxx", 2998, 0);
	CHECK_U64(nspans, 2, "stream: keep-alive: two spans");
	CHECK(!strcmp(spans[0].req.endpoint, "GET /one") && spans[0].status == 200 &&
	      spans[0].kind == DT_SPAN_SERVER && spans[0].req_seq == 100,
	      "stream: first span GET /one -> 200, server, seq 100");
	CHECK(!strcmp(spans[1].req.endpoint, "GET /two") && spans[1].status == 500 &&
	      spans[1].error && spans[1].resp_bytes == 24 + 21 + 2998 && spans[1].req_seq == 131,
	      "stream: second span GET /two -> 500 over three writes (%llu bytes)",
	      (unsigned long long)spans[1].resp_bytes);

	/* pipelining: three commands in one write, replies in two reads. */
	nspans = 0;
	ev(2, DT_ROLE_CLIENT, DT_EGRESS, "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n"
	   "*1\r\n$4\r\nPING\r\n", 0, 5000);
	ev(2, DT_ROLE_CLIENT, DT_INGRESS, "$1\r\nA\r\n-ERR no\r\n", 0, 0);
	ev(2, DT_ROLE_CLIENT, DT_INGRESS, "+PONG\r\n", 0, 0);
	CHECK_U64(nspans, 3, "stream: pipelined redis: three spans");
	CHECK(nspans == 3 && !strcmp(spans[0].req.endpoint, "GET a") &&
	      !strcmp(spans[1].req.endpoint, "GET b") && spans[1].error &&
	      !strcmp(spans[2].req.endpoint, "PING") && !strcmp(spans[2].detail, "+PONG") &&
	      spans[1].req_seq == 5000 + 20 && spans[0].kind == DT_SPAN_CLIENT,
	      "stream: in order, the error on the second, seq of each command");

	/* a chunked response, its framing cut across reads */
	nspans = 0;
	ev(3, DT_ROLE_CLIENT, DT_EGRESS, "GET /c HTTP/1.1\r\n\r\n", 0, 1);
	ev(3, DT_ROLE_CLIENT, DT_INGRESS, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r", 0,
	   0);
	ev(3, DT_ROLE_CLIENT, DT_INGRESS, "\nhello\r\n0\r\n", 0, 0);
	CHECK_U64(nspans, 0, "stream: chunked: not over before the last CRLF");
	ev(3, DT_ROLE_CLIENT, DT_INGRESS, "\r\n", 0, 0);
	CHECK_U64(nspans, 1, "stream: chunked: over");

	/* an unknown protocol: a span per turn; the last ends at close */
	nspans = 0;
	ev(4, DT_ROLE_CLIENT, DT_EGRESS, "\x16\x03\x01hello", 0, 0);
	ev(4, DT_ROLE_CLIENT, DT_INGRESS, "\x16\x03\x03world", 300, 0);
	ev(4, DT_ROLE_CLIENT, DT_EGRESS, "\x17\x03\x03req2", 0, 0);
	CHECK(nspans == 1 && spans[0].unparsed && spans[0].resp_bytes == 300,
	      "stream: unknown protocol: a span when the client speaks again");
	{
		struct dt_event c = { .kind = DT_EV_CLOSE, .sock = 4 };

		ev(4, DT_ROLE_CLIENT, DT_INGRESS, "\x17\x03\x03resp2", 0, 0);
		dt_stream_event(&c, sizeof(c));
	}
	CHECK(nspans == 2 && spans[1].unparsed, "stream: ... and at close");

	/* garbage in an HTTP connection: unparsed, and the stream goes on */
	nspans = 0;
	ev(5, DT_ROLE_SERVER, DT_INGRESS, "GET /x HTTP/1.1\r\nbad header\r\n\r\n", 0, 0);
	ev(5, DT_ROLE_SERVER, DT_EGRESS, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 0, 0);
	ev(5, DT_ROLE_SERVER, DT_INGRESS, "GET /y HTTP/1.1\r\n\r\n", 0, 0);
	ev(5, DT_ROLE_SERVER, DT_EGRESS, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0);
	CHECK(nspans == 2 && spans[0].unparsed && spans[0].status == 400 &&
	      !strcmp(spans[1].req.endpoint, "GET /y") && !spans[1].unparsed,
	      "stream: a malformed request is an unparsed span; the next one parses");

	/* truncated and lying events are counted, never read past */
	{
		struct dt_event e = { .kind = DT_EV_MSG, .cap = 100, .family = AF_INET };
		unsigned long long bad = dt_stream_stats()->bad_events;

		dt_stream_event(&e, sizeof(e));
		dt_stream_event(&e, 10);
		CHECK_U64(dt_stream_stats()->bad_events, bad + 2, "stream: malformed events counted");
	}
	dt_stream_finish();
}

/* ---- linking ---- */

/* PostgreSQL and MySQL conversations: handshakes make no span, a reply in
 * pieces cut anywhere, an extended-query run over two writes. */
static void test_stream_sql(void)
{
	static const uint8_t ssl[] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
	static const uint8_t startup[] = { 0, 0, 0, 13, 0, 3, 0, 0, 'u', 0, 'p', 0, 0 };
	static const uint8_t auth_ok[] = { 0, 0, 0, 0 };
	struct dt_event close = { .kind = DT_EV_CLOSE, .sock = 20 };
	uint8_t b[512], q[32];
	size_t n = 0, qn = 0, cut, rs;
	bool all = true;

	dt_stream_init(collect, true);
	nspans = 0;
	evb(20, DT_ROLE_CLIENT, DT_EGRESS, ssl, sizeof(ssl), 0, 0);
	ev(20, DT_ROLE_CLIENT, DT_INGRESS, "N", 0, 0);
	evb(20, DT_ROLE_CLIENT, DT_EGRESS, startup, sizeof(startup), 0, 0);
	pg_put(b, &n, 'R', auth_ok, sizeof(auth_ok));
	PGN(b, &n, 'S', "a\0b\0");
	evb(20, DT_ROLE_CLIENT, DT_INGRESS, b, n, 0, 0);
	n = 0;
	PGN(b, &n, 'Z', "I");
	evb(20, DT_ROLE_CLIENT, DT_INGRESS, b, n, 0, 0);
	CHECK_U64(nspans, 0, "stream: pgsql: the handshake makes no span");
	PG(q, &qn, 'Q', "select 1");
	evb(20, DT_ROLE_CLIENT, DT_EGRESS, q, qn, 0, 100);
	n = 0;
	PGN(b, &n, 'T', "\0\1x\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
	PGN(b, &n, 'D', "\0\1\0\0\0\1" "1");
	PG(b, &n, 'C', "SELECT 1");
	PGN(b, &n, 'Z', "I");
	/* the reply in two reads, cut at every byte */
	for (cut = 1; cut < n; cut++) {
		unsigned before = nspans;

		evb(20, DT_ROLE_CLIENT, DT_INGRESS, b, cut, 0, 0);
		if (nspans != before)
			all = false;
		evb(20, DT_ROLE_CLIENT, DT_INGRESS, b + cut, n - cut, 0, 0);
		if (nspans != before + 1 || strcmp(spans[nspans - 1].detail, "SELECT 1") ||
		    spans[nspans - 1].resp_bytes != n)
			all = false;
		if (cut + 1 < n)	/* the next query */
			evb(20, DT_ROLE_CLIENT, DT_EGRESS, q, qn, 0, 100);
	}
	CHECK(all && nspans == n - 1, "stream: pgsql: a reply cut anywhere: one span, its tag (%u)",
	      nspans);
	CHECK(!strcmp(spans[0].req.endpoint, "select ?") && spans[0].req_seq == 100 &&
	      spans[0].req.proto == DT_PROTO_PGSQL, "stream: pgsql: the statement, its sequence");

	/* extended query: Parse/Bind/Execute in one write, Sync in the next;
	 * the error reply is cut past the capture */
	nspans = 0;
	n = 0;
	PGN(b, &n, 'P', "\0SELECT * FROM nope WHERE id = $1\0\0\0");
	PGN(b, &n, 'B', "\0\0\0\0\0\1\0\0\0\0014\0\0");
	PGN(b, &n, 'E', "\0\0\0\0\0");
	evb(20, DT_ROLE_CLIENT, DT_EGRESS, b, n, 0, 0);
	n = 0;
	PGN(b, &n, 'S', "");
	evb(20, DT_ROLE_CLIENT, DT_EGRESS, b, n, 0, 0);
	n = 0;
	PGN(b, &n, 'E', "SERROR\0VERROR\0C42P01\0Mrelation \"nope\" does not exist\0P15\0\0");
	PGN(b, &n, 'Z', "I");
	evb(20, DT_ROLE_CLIENT, DT_INGRESS, b, n, 0, 0);
	CHECK(nspans == 1 && spans[0].error &&
	      !strcmp(spans[0].req.endpoint, "SELECT * FROM nope WHERE id = $1") &&
	      !strcmp(spans[0].detail, "ERROR 42P01 relation \"nope\" does not exist"),
	      "stream: pgsql: an extended query over two writes, its error");
	n = 0;
	PGN(b, &n, 'X', "");
	evb(20, DT_ROLE_CLIENT, DT_EGRESS, b, n, 0, 0);
	dt_stream_event(&close, sizeof(close));
	CHECK_U64(nspans, 1, "stream: pgsql: Terminate and close: no other span");

	/* MySQL, seen by the server: greeting, login, a result set, an error */
	nspans = 0;
	n = 0;
	MY(b, &n, 0, "\x0a" "10.11.6-MariaDB\0\1\0\0\0abcdefgh\0\xfe\xf7\x2d\2\0\xff\x81\x15");
	evb(21, DT_ROLE_SERVER, DT_EGRESS, b, n, 0, 0);
	n = 0;
	MY(b, &n, 1, "\x85\xa6\xff\x01\0\0\0\x01\x21root\0");
	evb(21, DT_ROLE_SERVER, DT_INGRESS, b, n, 0, 0);
	n = 0;
	MY(b, &n, 2, "\0\0\0\2\0\0\0");
	evb(21, DT_ROLE_SERVER, DT_EGRESS, b, n, 0, 0);
	n = 0;
	MY(b, &n, 0, "\x03select * from t where a = 'x'");
	evb(21, DT_ROLE_SERVER, DT_INGRESS, b, n, 0, 7);
	CHECK_U64(nspans, 0, "stream: mysql: the handshake makes no span");
	n = 0;
	MY(b, &n, 1, "\x01");
	MY(b, &n, 2, "\x03" "def\0\0\0\1a\0\x0c\x3f\0\1\0\0\0\3\0\0\0\0\0");
	MY(b, &n, 3, "\xfe\0\0\2\0");
	evb(21, DT_ROLE_SERVER, DT_EGRESS, b, n, 0, 0);
	rs = n;
	n = 0;
	MY(b, &n, 4, "\x01" "1");
	MY(b, &n, 5, "\xfe\0\0\2\0");
	evb(21, DT_ROLE_SERVER, DT_EGRESS, b, n, 0, 0);
	rs += n;
	n = 0;
	MY(b, &n, 0, "\x03select * from nope");
	evb(21, DT_ROLE_SERVER, DT_INGRESS, b, n, 0, 0);
	CHECK(nspans == 1 && !strcmp(spans[0].req.endpoint, "select * from t where a = ?") &&
	      !strcmp(spans[0].detail, "1 column") && spans[0].kind == DT_SPAN_SERVER &&
	      spans[0].resp_bytes == rs, "stream: mysql: a result set ends with the next command (%llu)",
	      (unsigned long long)spans[0].resp_bytes);
	n = 0;
	MY(b, &n, 1, "\xff\x7a\x04#42S02Table 'db.nope' doesn't exist");
	evb(21, DT_ROLE_SERVER, DT_EGRESS, b, n, 0, 0);
	n = 0;
	MY(b, &n, 0, "\x01");
	evb(21, DT_ROLE_SERVER, DT_INGRESS, b, n, 0, 0);
	close.sock = 21;
	dt_stream_event(&close, sizeof(close));
	CHECK(nspans == 2 && spans[1].error &&
	      !strcmp(spans[1].detail, "ERR 1146 42S02 Table 'db.nope' doesn't exist"),
	      "stream: mysql: the error; COM_QUIT and close make no span");
}

/* The captured exchanges through the stream, as the client sees them. */
static void test_stream_captured(void)
{
	static const uint8_t quit[] = { 1, 0, 0, 0, 1 };
	struct dt_event close = { .kind = DT_EV_CLOSE, .sock = 22 };
	size_t cut, n = sizeof(my_rows_err) - 1;
	bool all = true;

	dt_stream_init(collect, true);
	nspans = 0;
	evb(22, DT_ROLE_CLIENT, DT_EGRESS, B(pg_copy_in_q), 0, 0);
	evb(22, DT_ROLE_CLIENT, DT_INGRESS, B(pg_copy_in_g), 0, 0);
	evb(22, DT_ROLE_CLIENT, DT_EGRESS, B(pg_copy_in_d), 0, 0);
	CHECK_U64(nspans, 0, "stream captured: COPY FROM STDIN: no span before the server's tag");
	evb(22, DT_ROLE_CLIENT, DT_INGRESS, B(pg_copy_in_c), 0, 0);
	CHECK(nspans == 1 && !spans[0].error && !strcmp(spans[0].detail, "COPY 2") &&
	      spans[0].req_bytes == sizeof(pg_copy_in_q) - 1 + sizeof(pg_copy_in_d) - 1 &&
	      spans[0].resp_bytes == sizeof(pg_copy_in_g) - 1 + sizeof(pg_copy_in_c) - 1,
	      "stream captured: COPY FROM STDIN: one span, the data its request's bytes (%llu)",
	      nspans ? (unsigned long long)spans[0].req_bytes : 0ULL);
	evb(22, DT_ROLE_CLIENT, DT_EGRESS, B(pg_copy_in_q), 0, 0);
	evb(22, DT_ROLE_CLIENT, DT_INGRESS, B(pg_copy_in_g), 0, 0);
	/* the data's framing not captured: unparsed bytes, still the request's */
	evb(22, DT_ROLE_CLIENT, DT_EGRESS, pg_copy_bad_d, 0, 4000, 0);
	evb(22, DT_ROLE_CLIENT, DT_INGRESS, B(pg_copy_bad_e), 0, 0);
	CHECK(nspans == 2 && spans[1].error && !strncmp(spans[1].detail, "ERROR 22P02 ", 12) &&
	      spans[1].req_bytes == sizeof(pg_copy_in_q) - 1 + 4000,
	      "stream captured: a COPY's data past the capture, its error: one span");
	evb(22, DT_ROLE_CLIENT, DT_EGRESS, "X\0\0\0\4", 5, 0, 0);
	dt_stream_event(&close, sizeof(close));
	CHECK_U64(nspans, 2, "stream captured: COPY: no other span");

	/* MySQL: the error after the rows, the reply in two reads cut at
	 * every byte: the span ends with the error, before the client speaks */
	for (cut = 1; cut < n; cut++) {
		nspans = 0;
		evb(23, DT_ROLE_CLIENT, DT_EGRESS, "\4\0\0\0\3" "sel", 8, 0, 0);
		evb(23, DT_ROLE_CLIENT, DT_INGRESS, my_rows_err, cut, 0, 0);
		evb(23, DT_ROLE_CLIENT, DT_INGRESS, my_rows_err + cut, n - cut, 0, 0);
		if (nspans != 1 || !spans[0].error || spans[0].resp_bytes != n ||
		    strcmp(spans[0].detail, "ERR 1242 21000 Subquery returns more than 1 row"))
			all = false;
	}
	CHECK(all, "stream captured: mysql: an error after rows, the reply cut anywhere: one span, the error");
	/* CALL: the result set, then the SIGNAL's ERR in a read of its own */
	nspans = 0;
	evb(23, DT_ROLE_CLIENT, DT_EGRESS, "\x0e\0\0\0\3" "CALL shop.p()", 18, 0, 0);
	evb(23, DT_ROLE_CLIENT, DT_INGRESS, B(my_call_rs), 0, 0);
	CHECK_U64(nspans, 0, "stream captured: mysql: CALL's reply goes on after its result set");
	evb(23, DT_ROLE_CLIENT, DT_INGRESS, B(my_call_err), 0, 0);
	CHECK(nspans == 1 && spans[0].error && !strcmp(spans[0].detail, "ERR 1644 45000 boom") &&
	      !strcmp(spans[0].req.endpoint, "CALL shop.p()"),
	      "stream captured: mysql: CALL's SIGNAL after its rows: one span, the error");
	evb(23, DT_ROLE_CLIENT, DT_EGRESS, quit, sizeof(quit), 0, 0);
	close.sock = 23;
	dt_stream_event(&close, sizeof(close));
	CHECK_U64(nspans, 1, "stream captured: mysql: COM_QUIT and close: no other span");
}

/* DNS over UDP: answers out of order matched by ID; a server socket's
 * peers are connections of their own. */
static void udp_ev(uint64_t sock, int dir, uint16_t lport, uint16_t rport, uint8_t rlast,
		   const uint8_t *data, size_t cap)
{
	struct dt_event *e = calloc(1, sizeof(*e) + cap);

	e->kind = DT_EV_MSG;
	e->sock = sock;
	e->dir = dir;
	e->family = AF_INET;
	e->sock_type = SOCK_DGRAM;
	e->lport = lport;
	e->rport = rport;
	e->laddr[0] = e->raddr[0] = 127, e->raddr[3] = rlast;
	e->pid = e->tid = 9;
	e->start_ns = clock_ns;
	e->end_ns = clock_ns += 1000;
	e->bytes = e->cap = cap;
	memcpy(e->data, data, cap);
	dt_stream_event(e, sizeof(*e) + cap);
	free(e);
}

static void test_stream_dns(void)
{
	struct dt_event close = { .kind = DT_EV_CLOSE, .sock = 30 };
	uint8_t b[300];
	size_t n;

	dt_stream_init(collect, true);
	nspans = 0;
	n = dns_put(b, false, 100, 0x0100, "shop.test", 1, 0);
	udp_ev(30, DT_EGRESS, 40000, 53, 1, b, n);
	n = dns_put(b, false, 101, 0x0100, "shop.test", 28, 0);
	udp_ev(30, DT_EGRESS, 40000, 53, 1, b, n);
	n = dns_put(b, false, 101, 0x8180, "shop.test", 28, 0);
	udp_ev(30, DT_INGRESS, 40000, 53, 1, b, n);
	n = dns_put(b, false, 100, 0x8180, "shop.test", 1, 1);
	udp_ev(30, DT_INGRESS, 40000, 53, 1, b, n);
	CHECK(nspans == 2 && !strcmp(spans[0].req.endpoint, "AAAA shop.test") &&
	      !strcmp(spans[0].detail, "NOERROR, ANSWER: 0") &&
	      !strcmp(spans[1].req.endpoint, "A shop.test") &&
	      !strcmp(spans[1].detail, "NOERROR, ANSWER: 1") && spans[1].kind == DT_SPAN_CLIENT &&
	      spans[1].has_seq && spans[1].req_seq == 100,
	      "stream: dns: answers out of order, matched by ID (the ID as the sequence)");
	dt_stream_event(&close, sizeof(close));

	/* a server socket, two clients' queries before either answer */
	nspans = 0;
	n = dns_put(b, false, 7, 0x0100, "a.test", 1, 0);
	udp_ev(31, DT_INGRESS, 53, 40001, 1, b, n);
	n = dns_put(b, false, 7, 0x0100, "b.test", 1, 0);
	udp_ev(31, DT_INGRESS, 53, 40002, 2, b, n);
	n = dns_put(b, false, 7, 0x8183, "b.test", 1, 0);
	udp_ev(31, DT_EGRESS, 53, 40002, 2, b, n);
	n = dns_put(b, false, 7, 0x8180, "a.test", 1, 1);
	udp_ev(31, DT_EGRESS, 53, 40001, 1, b, n);
	CHECK(nspans == 2 && !strcmp(spans[0].req.endpoint, "A b.test") && spans[0].error &&
	      spans[0].peer.port == 40002 && !strcmp(spans[1].req.endpoint, "A a.test") &&
	      !spans[1].error && spans[1].kind == DT_SPAN_SERVER,
	      "stream: dns: one server socket, a connection per peer");
	n = dns_put(b, false, 9, 0x8180, "c.test", 1, 1);
	udp_ev(31, DT_EGRESS, 53, 40001, 1, b, n);
	close.sock = 31;
	dt_stream_event(&close, sizeof(close));
	CHECK_U64(nspans, 2, "stream: dns: an answer to no query we saw: no span");

	/* another port: dig's query and dnsmasq's answer (IDs made to match),
	 * then a client's datagrams that are not DNS */
	nspans = 0;
	memcpy(b, dig_query, sizeof(dig_query) - 1);
	udp_ev(32, DT_EGRESS, 40003, 5300, 1, b, sizeof(dig_query) - 1);
	memcpy(b, dnsmasq_answer, sizeof(dnsmasq_answer) - 1);
	b[0] = dig_query[0], b[1] = dig_query[1];
	udp_ev(32, DT_INGRESS, 40003, 5300, 1, b, sizeof(dnsmasq_answer) - 1);
	CHECK(nspans == 1 && spans[0].req.proto == DT_PROTO_DNS &&
	      !strcmp(spans[0].req.endpoint, "A shop.test") &&
	      !strcmp(spans[0].detail, "NOERROR, ANSWER: 1"),
	      "stream: dns on port 5300, by its content");
	close.sock = 32;
	dt_stream_event(&close, sizeof(close));
	nspans = 0;
	udp_ev(33, DT_EGRESS, 40004, 5301, 1, (const uint8_t *)"page.views:1|c", 14);
	udp_ev(33, DT_INGRESS, 40004, 5301, 1, (const uint8_t *)"ok", 2);
	close.sock = 33;
	dt_stream_event(&close, sizeof(close));
	CHECK(nspans == 1 && spans[0].req.proto == DT_PROTO_UNKNOWN,
	      "stream: a datagram that is not DNS on another port: unknown");
}

static struct dt_span span(uint32_t pid, enum dt_span_kind kind, uint64_t start, uint64_t end,
			   const char *local, const char *peer, uint32_t seq)
{
	struct dt_span s = { .pid = pid, .tid = pid, .kind = kind, .start_ns = start,
			     .end_ns = end, .req_seq = seq, .has_seq = seq != 0 };

	s.local.family = s.peer.family = AF_INET;
	s.local.addr[0] = s.peer.addr[0] = 10;
	s.local.addr[3] = local[0] - '0';
	s.local.port = atoi(local + 2);
	s.peer.addr[3] = peer[0] - '0';
	s.peer.port = atoi(peer + 2);
	snprintf(s.req.endpoint, sizeof(s.req.endpoint), "GET /%u", pid);
	s.req.proto = DT_PROTO_HTTP;
	return s;
}

static void test_links(void)
{
	struct dt_trace_opts o = { .json = true, .only_proto = DT_PROTO_NR };
	struct dt_span s[8];
	char *path = unit_path("links.json"), *out;
	int fd, saved = dup(1);
	size_t len, i;

	/* 1 curl -> 2 nginx server (tcp_seq) -> 3 nginx client (thread) and
	 * 4 nginx client (an overlapped context: heuristic); 5 a server span
	 * of another process that 6 (a client span carrying the same
	 * x-request-id around it) called without a matching sequence. */
	s[0] = span(1, DT_SPAN_CLIENT, 100, 900, "1:40000", "2:80", 555);
	s[1] = span(2, DT_SPAN_SERVER, 110, 890, "2:80", "1:40000", 555);
	s[1].ctx_id = 77;
	s[2] = span(2, DT_SPAN_CLIENT, 120, 300, "2:50000", "3:8080", 9);
	s[2].ctx_id = 77;
	s[3] = span(2, DT_SPAN_CLIENT, 400, 800, "2:50001", "3:8080", 19);
	s[3].ctx_id = 78;
	s[3].ctx_overlap = true;
	s[4] = span(5, DT_SPAN_SERVER, 2010, 2090, "5:80", "6:1234", 0);
	s[5] = span(6, DT_SPAN_CLIENT, 2000, 2100, "6:1234", "5:80", 0);
	strcpy(s[4].req.request_id, "req-1");
	strcpy(s[5].req.request_id, "req-1");
	/* 7: same sequence, other addresses: not a match; a root. */
	s[6] = span(7, DT_SPAN_SERVER, 150, 160, "2:80", "9:40000", 555);
	dt_trace_init(&o);
	for (i = 0; i < 7; i++)
		dt_trace_add(&s[i]);
	fflush(stdout);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	dt_trace_flush(~0ULL);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	out = unit_read_file(path, &len);
	CHECK_CONTAINS(out, "\"span_id\":1,\"parent_id\":0,\"link\":\"root\"", "links: curl is a root");
	CHECK_CONTAINS(out, "\"span_id\":2,\"parent_id\":1,\"link\":\"tcp_seq\"",
		       "links: nginx's server span: tcp_seq to curl's");
	CHECK_CONTAINS(out, "\"span_id\":3,\"parent_id\":2,\"link\":\"thread\"",
		       "links: its upstream call: thread");
	CHECK_CONTAINS(out, "\"span_id\":4,\"parent_id\":2,\"link\":\"heuristic\"",
		       "links: an overlapped context: heuristic");
	CHECK_CONTAINS(out, "\"span_id\":5,\"parent_id\":6,\"link\":\"header\"",
		       "links: x-request-id: header");
	CHECK_CONTAINS(out, "\"span_id\":7,\"parent_id\":0,\"link\":\"root\"",
		       "links: the same sequence on another connection is no link");
	CHECK_U64(unit_count_lines(out), 7, "links: seven spans printed");
	free(out);
	free(path);
}

int main(void)
{
	test_http();
	test_chunks();
	test_redis();
	test_detect();
	test_sql_text();
	test_pgsql();
	test_mysql();
	test_sql_captured();
	test_dns();
	test_dns_content();
	test_garbage();
	test_stream();
	test_stream_sql();
	test_stream_captured();
	test_stream_dns();
	test_links();
	return unit_done();
}
