// SPDX-License-Identifier: GPL-2.0
/*
 * deeptrace's parsers (applets/deeptrace/proto.c, sql.c) on any bytes: HTTP
 * with and without a HEAD before it, Redis, PostgreSQL and MySQL from
 * either side, DNS over UDP and TCP, statement text with and without redaction into a buffer of
 * the input's first byte's size, detection, and chunked framing fed
 * in two pieces with part of it "not captured".  A parser may say BAD;
 * it must never read past the buffer (ASan: the input is an exact heap
 * copy) nor claim more bytes than it was given.
 */
#include <stdlib.h>
#include <string.h>
#include "../../applets/deeptrace/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_msg(enum dt_parse r, const struct dt_msg *m, size_t len)
{
	if (r == DT_PARSE_OK && (m->head > len || !m->head))
		abort();
	if (memchr(m->endpoint, 0, sizeof(m->endpoint)) == NULL ||
	    memchr(m->detail, 0, sizeof(m->detail)) == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *b = malloc(size ? size : 1);
	struct dt_chunks c = { 0 };
	struct dt_msg m, prev = { 0 };
	size_t half = size / 2, n;

	memcpy(b, data, size);
	check_msg(dt_parse_http(b, size, false, &m), &m, size);
	check_msg(dt_parse_http(b, size, true, &m), &m, size);
	check_msg(dt_parse_redis(b, size, true, &m), &m, size);
	check_msg(dt_parse_redis(b, size, false, &m), &m, size);
	for (n = 0; n < 8; n++) {
		check_msg(dt_parse_pgsql(b, size, n & 1, n & 2, n & 4, &m), &m, size);
		if (m.more && m.head > size)
			abort();
		/* A reply's first bytes, or its continuation in each phase. */
		prev.my_phase = size ? b[0] % 6 : 0;
		prev.my_left = size > 1 ? b[1] : 0;
		check_msg(dt_parse_mysql(b, size, n & 1, n & 2, n & 4 ? DT_MY_COM_STMT_PREPARE : 3,
					 n & 1 ? NULL : &prev, &m), &m, size);
		check_msg(dt_parse_dns(b, size, n & 1, &m), &m, size);
		dt_detect_dns(b, size, n & 1);
		dt_dns_datagram(b, size);
	}
	if (size) {
		char t[256];
		size_t tsize = 1 + b[0];

		if (dt_sql_text(t, tsize, b, size, true, b[0] & 1) >= tsize ||
		    dt_sql_text(t, tsize, b, size, false, b[0] & 2) >= tsize || strlen(t) >= tsize)
			abort();
	}
	dt_detect(b, size);
	/* The second half's first bytes are "not captured". */
	n = dt_chunks_feed(&c, b, half, half);
	n += dt_chunks_feed(&c, b + half, (size - half) / 2, size - half);
	if (n > size)
		abort();
	free(b);
	return 0;
}
