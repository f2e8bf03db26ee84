// SPDX-License-Identifier: GPL-2.0
/*
 * traceloop's decoder: the bounded output buffer, strace's string quoting
 * and its way of printing named values and flags.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"

void tl_out_init(struct tl_out *o, char *buf, size_t size)
{
	o->buf = buf;
	o->size = buf ? size : 0;
	o->len = 0;
	if (o->size)
		buf[0] = 0;
}

void tl_putn(struct tl_out *o, const char *s, size_t n)
{
	/* Room for @n bytes and the NUL, or as many as fit. */
	if (o->len + 1 < o->size) {
		size_t room = o->size - 1 - o->len;
		size_t k = n < room ? n : room;

		memcpy(o->buf + o->len, s, k);
		o->buf[o->len + k] = 0;
	}
	o->len += n;
}

void tl_put(struct tl_out *o, const char *s)
{
	tl_putn(o, s, strlen(s));
}

void tl_putc(struct tl_out *o, char c)
{
	tl_putn(o, &c, 1);
}

void tl_putf(struct tl_out *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* Callers print numbers and short names: never more than tmp. */
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	tl_putn(o, tmp, n);
}

void tl_put_ptr(struct tl_out *o, uint64_t v)
{
	if (v)
		tl_putf(o, "%#llx", (unsigned long long)v);
	else
		tl_put(o, "NULL");
}

void tl_put_hex(struct tl_out *o, uint64_t v)
{
	tl_putf(o, "%#llx", (unsigned long long)v);
}

/*
 * strace's escaping: \" \\ and \f \n \r \t \v by name, other control and
 * non-ASCII bytes in octal, as short as the next character allows (a
 * following octal digit forces three digits: "\0001").
 */
static void put_escaped(struct tl_out *o, uint8_t c, int next)
{
	static const char named[] = "\f\n\r\t\v", letters[] = "fnrtv";
	const char *p;
	char tmp[5];

	if (c == '"' || c == '\\') {
		tmp[0] = '\\';
		tmp[1] = c;
		tl_putn(o, tmp, 2);
	} else if (c >= 0x20 && c < 0x7f) {
		tl_putc(o, c);
	} else if (c && (p = memchr(named, c, sizeof(named) - 1))) {
		tmp[0] = '\\';
		tmp[1] = letters[p - named];
		tl_putn(o, tmp, 2);
	} else if (next >= '0' && next <= '7') {
		tl_putf(o, "\\%03o", c);
	} else {
		tl_putf(o, "\\%o", c);
	}
}

void tl_put_quoted(struct tl_out *o, const uint8_t *s, size_t n, bool more, unsigned how)
{
	size_t i;

	tl_putc(o, '"');
	for (i = 0; i < n; i++) {
		if (how & TL_QUOTE_HEX)
			tl_putf(o, "\\x%02x", s[i]);
		else
			put_escaped(o, s[i], i + 1 < n ? s[i + 1] : -1);
	}
	tl_putc(o, '"');
	if (more)
		tl_put(o, "...");
}

const char *tl_xlat_find(const struct tl_xlat *x, uint64_t val)
{
	for (; x && x->name; x++)
		if (x->val == val)
			return x->name;
	return NULL;
}

void tl_put_xval(struct tl_out *o, const struct tl_xlat *x, uint64_t val, const char *unknown)
{
	const char *name = tl_xlat_find(x, val);

	if (name)
		tl_put(o, name);
	else if (!val)
		tl_putf(o, "0 /* %s */", unknown);
	else
		tl_putf(o, "%#llx /* %s */", (unsigned long long)val, unknown);
}

bool tl_put_flag_bits(struct tl_out *o, const struct tl_xlat *x, uint64_t val,
		      const char *unknown)
{
	bool any = false;

	for (; x && x->name; x++) {
		if (!x->val || (val & x->val) != x->val)
			continue;
		if (any)
			tl_putc(o, '|');
		tl_put(o, x->name);
		any = true;
		val &= ~x->val;
	}
	if (!val)
		return any;
	if (any)
		tl_putf(o, "|%#llx", (unsigned long long)val);
	else
		tl_putf(o, "%#llx /* %s */", (unsigned long long)val, unknown);
	return true;
}

void tl_put_flags(struct tl_out *o, const struct tl_xlat *x, uint64_t val, const char *unknown)
{
	const char *zero;

	if (val) {
		tl_put_flag_bits(o, x, val, unknown);
		return;
	}
	zero = tl_xlat_find(x, 0);
	tl_put(o, zero ? zero : "0");
}
