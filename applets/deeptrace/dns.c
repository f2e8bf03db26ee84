// SPDX-License-Identifier: GPL-2.0
/*
 * deeptrace's DNS parser (see proto.h): the header and the question of a
 * query or an answer, over UDP (a datagram) or TCP (a 2-byte length
 * first).  The name's labels are read within the captured bytes; a
 * compression pointer or a label past them ends the name.
 */
#include <stdio.h>
#include <string.h>
#include "proto.h"

#define DNS_HEADER 12

static unsigned be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static const char *qtype_name(unsigned t, char *tmp, size_t size)
{
	static const struct { unsigned short t; char name[6]; } types[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" }, { 15, "MX" },
		{ 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" }, { 64, "SVCB" }, { 65, "HTTPS" },
		{ 255, "ANY" },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].t == t)
			return types[i].name;
	snprintf(tmp, size, "TYPE%u", t);
	return tmp;
}

static const char *const rcode_names[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
};

/*
 * The question's name at @p (up to @end) as dotted text into @out;
 * returns the bytes after it, or NULL when it runs past @end or is
 * malformed.  A name that cannot be read whole keeps what was read.
 */
static const uint8_t *question_name(const uint8_t *p, const uint8_t *end, char *out, size_t size)
{
	size_t o = 0, i, total = 0;
	uint8_t n;

	out[0] = 0;
	while (p < end) {
		n = *p++;
		if (!n) {
			if (!o)
				snprintf(out, size, ".");
			return p;
		}
		if (n > 63 || (total += n + 1) > 255 || n > end - p)
			return NULL;	/* a pointer, a bad label, or cut */
		for (i = 0; i < n && o + 2 < size; i++)
			out[o++] = p[i] > 0x20 && p[i] < 0x7f ? p[i] : '?';
		if (o + 1 < size)
			out[o++] = '.';
		out[o] = 0;
		p += n;
	}
	return NULL;
}

enum dt_parse dt_parse_dns(const uint8_t *buf, size_t len, bool tcp, struct dt_msg *m)
{
	const uint8_t *h = buf + (tcp ? 2 : 0), *end = buf + len, *q;
	unsigned flags, rcode, mlen;
	char name[DT_ENDPOINT_LEN - 12], tmp[12];
	size_t nl;

	memset(m, 0, sizeof(*m));
	m->proto = DT_PROTO_DNS;
	if (len < (size_t)(h - buf) + DNS_HEADER)
		return tcp ? DT_PARSE_MORE : DT_PARSE_BAD;
	m->head = len;
	if (tcp) {
		mlen = be16(buf);
		if (mlen < DNS_HEADER)
			return DT_PARSE_BAD;
		if (len >= 2 + mlen) {
			m->head = 2 + mlen;
			end = buf + m->head;
		} else {
			m->body = 2 + mlen - len;
		}
	}
	flags = be16(h + 2);
	if ((flags >> 11 & 0xf) > 6 || be16(h + 4) != 1)	/* an opcode; one question */
		return DT_PARSE_BAD;
	m->request = !(flags & 0x8000);
	m->txid = be16(h) + 1;
	q = question_name(h + DNS_HEADER, end, name, sizeof(name));
	nl = strlen(name);
	if (nl > 1 && name[nl - 1] == '.')
		name[nl - 1] = 0;
	if (q && end - q >= 2)
		snprintf(m->endpoint, sizeof(m->endpoint), "%s %s",
			 qtype_name(be16(q), tmp, sizeof(tmp)), name);
	else
		snprintf(m->endpoint, sizeof(m->endpoint), "? %s", name);
	if (m->request)
		return DT_PARSE_OK;
	rcode = flags & 0xf;
	m->error = rcode != 0;
	if (rcode < sizeof(rcode_names) / sizeof(rcode_names[0]))
		snprintf(m->detail, sizeof(m->detail), "%s, ANSWER: %u", rcode_names[rcode],
			 be16(h + 6));
	else
		snprintf(m->detail, sizeof(m->detail), "RCODE%u, ANSWER: %u", rcode, be16(h + 6));
	return DT_PARSE_OK;
}

int dt_detect_dns(const uint8_t *buf, size_t len, bool tcp)
{
	const uint8_t *h = buf + (tcp ? 2 : 0);
	char name[8];

	if (len < (size_t)(h - buf) + DNS_HEADER + 5)
		return -1;
	if (tcp && be16(buf) < DNS_HEADER + 5)
		return 0;
	return (h[2] >> 3 & 0xf) == 0 && be16(h + 4) == 1 && !(h[3] & 0x40) &&
	       question_name(h + DNS_HEADER, buf + len, name, sizeof(name));
}

/* ---- DNS by content, on any port -------------------------------------------- */

#define DNS_MAX_RECORDS 256

/* A host name's label bytes (and '*' of a wildcard, '_' of a service). */
static bool label_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '*';
}

/* Past the name at buf[i] (labels of host name bytes, then a zero or a
 * compression pointer to an earlier byte), or 0 when it is not one. */
static size_t strict_name(const uint8_t *buf, size_t len, size_t i)
{
	size_t start = i, total = 0, k;

	while (i < len) {
		uint8_t n = buf[i];

		if (!n)
			return i + 1;
		if ((n & 0xc0) == 0xc0) {	/* a pointer: past the header, earlier */
			size_t to = i + 1 < len ? (size_t)(n & 0x3f) << 8 | buf[i + 1] : 0;

			return to >= DNS_HEADER && to < start ? i + 2 : 0;
		}
		if (n > 63 || (total += n + 1) > 255 || n >= len - i)
			return 0;
		for (k = 1; k <= n; k++)
			if (!label_char(buf[i + k]))
				return 0;
		i += n + 1;
	}
	return 0;
}

/* Past the @count resource records from buf[i], or 0. */
static size_t strict_records(const uint8_t *buf, size_t len, size_t i, unsigned count)
{
	while (count--) {
		i = strict_name(buf, len, i);
		if (!i || len - i < 10 || len - i - 10 < be16(buf + i + 8))
			return 0;
		i += 10 + be16(buf + i + 8);
	}
	return i;
}

bool dt_dns_datagram(const uint8_t *buf, size_t len)
{
	unsigned flags, an, ns, ar, qclass;
	size_t i;

	if (len < DNS_HEADER + 5)
		return false;
	flags = be16(buf + 2);
	an = be16(buf + 6), ns = be16(buf + 8), ar = be16(buf + 10);
	/* QUERY, one question, Z clear; a query: no AA, TC, RA, RCODE, answers */
	if ((flags & 0x7840) || be16(buf + 4) != 1)
		return false;
	if (!(flags & 0x8000) && ((flags & 0x068f) || an || ns || ar > 1))
		return false;
	if ((flags & 0xf) > 10 || an + ns + ar > DNS_MAX_RECORDS)
		return false;
	i = strict_name(buf, len, DNS_HEADER);
	if (!i || buf[i - 1] != 0 || len - i < 4 || !be16(buf + i))
		return false;
	qclass = be16(buf + i + 2) & 0x7fff;	/* mDNS: the top bit asks for unicast */
	if (qclass != 1 && qclass != 3 && qclass != 255)
		return false;
	/* The records, then nothing: the datagram is all there (its size is
	 * at most the capture's). */
	return strict_records(buf, len, i + 4, an + ns + ar) == len;
}
