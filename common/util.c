// SPDX-License-Identifier: GPL-2.0
/* Errors, memory, time, signals and JSON: the small things every applet uses. */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bpfbox.h"

volatile int bb_stop;

static const char *prog_name(void)
{
	return bb_current ? bb_current->name : "bpfbox";
}

static void vsay(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", prog_name());
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void (*bb_die_hook)(void) __attribute__((noreturn));

void bb_die(const char *fmt, ...)
{
	va_list ap;

	if (bb_die_hook)
		bb_die_hook();
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	exit(BB_EXIT_USAGE);
}

void bb_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

void bb_info(const char *fmt, ...)
{
	va_list ap;

	if (!bb_opts.verbose)
		return;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

void *bb_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		bb_die("out of memory");
	return p;
}

void *bb_xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		bb_die("out of memory");
	p = realloc(p, n * size > 0 ? n * size : 1);
	if (!p)
		bb_die("out of memory");
	return p;
}

char *bb_xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		bb_die("out of memory");
	return d;
}

uint64_t bb_now_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* BPF timestamps are CLOCK_BOOTTIME; this turns them into wall time. */
uint64_t bb_boot_wall_ns(void)
{
	return bb_now_ns(CLOCK_REALTIME) - bb_now_ns(CLOCK_BOOTTIME);
}

void bb_format_time(uint64_t boot_ns, uint64_t boot_wall_ns, char *buf, size_t len)
{
	/* localtime_r() per event is costly (it re-reads TZ): once a second. */
	static time_t cached_sec = -1;
	static char hms[16];
	uint64_t wall = boot_ns + boot_wall_ns;
	time_t sec = wall / 1000000000ULL;
	struct tm tm;

	if (sec != cached_sec) {
		localtime_r(&sec, &tm);
		snprintf(hms, sizeof(hms), "%02d:%02d:%02d", tm.tm_hour % 24, tm.tm_min % 60,
			 tm.tm_sec % 61);
		cached_sec = sec;
	}
	snprintf(buf, len, "%s.%06u", hms, (unsigned)(wall % 1000000000ULL / 1000));
}

static void on_signal(int sig)
{
	(void)sig;
	bb_stop = 1;
}

/* No SA_RESTART: a blocking epoll_wait() must return on Ctrl-C. */
void bb_install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

void bb_esc_to(const char *s, char *buf, size_t len)
{
	static const char named[] = "\t\n\v\f\r";	/* strace's; octal for the rest */
	static const char letter[] = "tnvfr";
	size_t o = 0;
	char e[5];

	for (; *s && len; s++) {
		unsigned char c = *s;
		const char *nm = c ? strchr(named, c) : NULL;

		if (!needs_escape(c))
			e[0] = c, e[1] = 0;
		else if (nm)
			snprintf(e, sizeof(e), "\\%c", letter[nm - named]);
		else
			snprintf(e, sizeof(e), "\\%o", c);
		if (o + strlen(e) >= len)
			break;
		memcpy(buf + o, e, strlen(e));
		o += strlen(e);
	}
	if (len)
		buf[o] = 0;
}

const char *bb_esc(const char *s)
{
	static char bufs[8][2048];
	static unsigned next;
	const char *p;
	char *buf;

	for (p = s; *p && !needs_escape(*p); p++)
		;
	if (!*p)
		return s;	/* the usual case: nothing to copy */
	buf = bufs[next++ % ARRAY_SIZE(bufs)];
	bb_esc_to(s, buf, sizeof(bufs[0]));
	return buf;
}

/* Needs no escape in a JSON string. */
static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c != 0x7f && c != '"' && c != '\\';
}

/*
 * --json output is mostly short plain strings, and a stdio call per byte
 * or per piece showed in profiles (deeptrace prints a span per request):
 * a key with its value is built in a buffer and written at once.
 */

/* @*s's plain bytes appended to @buf[@n..@cap); *s moves past them. */
static size_t put_plain(char *buf, size_t n, size_t cap, const char **s)
{
	const char *p = *s;

	while (json_plain(*p) && n < cap)
		buf[n++] = *p++;
	*s = p;
	return n;
}

/* The rest of a string whose start is in @buf: escaped, closing quote. */
static void finish_string(FILE *f, char *buf, size_t n, const char *s)
{
	const char *run;

	if (!*s) {
		buf[n++] = '"';
		fwrite(buf, 1, n, f);
		return;
	}
	fwrite(buf, 1, n, f);
	for (;;) {
		for (run = s; json_plain(*s); s++)
			;
		if (s > run)
			fwrite(run, 1, s - run, f);
		if (!*s)
			break;
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fprintf(f, "\\u%04x", (unsigned char)*s);
		s++;
	}
	fputc('"', f);
}

void bb_json_escape(FILE *f, const char *s)
{
	char buf[256];
	size_t n;

	buf[0] = '"';
	n = put_plain(buf, 1, sizeof(buf) - 1, &s);
	finish_string(f, buf, n, s);
}

#define JSON_KEY_MAX 64

/* ',"key":' into @buf (at least JSON_KEY_MAX bytes); returns its length,
 * or 0 when it had to be written already (a key to escape). */
static size_t json_key(struct bb_json *j, const char *key, char *buf)
{
	bool comma = !j->first;
	const char *k = key;
	size_t n = 0;

	j->first = false;
	if (comma)
		buf[n++] = ',';
	buf[n++] = '"';
	n = put_plain(buf, n, JSON_KEY_MAX - 2, &k);
	if (*k) {	/* not short and plain: the general way */
		if (comma)
			fputc(',', j->f);
		bb_json_escape(j->f, key);
		fputc(':', j->f);
		return 0;
	}
	buf[n++] = '"';
	buf[n++] = ':';
	return n;
}

void bb_json_begin(struct bb_json *j, FILE *f)
{
	j->f = f;
	j->first = true;
	fputc('{', f);
}

void bb_json_str(struct bb_json *j, const char *key, const char *val)
{
	char buf[JSON_KEY_MAX + 256];
	size_t n = json_key(j, key, buf);

	buf[n++] = '"';
	n = put_plain(buf, n, sizeof(buf) - 1, &val);
	finish_string(j->f, buf, n, val);
}

void bb_json_u64(struct bb_json *j, const char *key, unsigned long long val)
{
	char buf[JSON_KEY_MAX + 24], digits[24], *p = digits + sizeof(digits);
	size_t n = json_key(j, key, buf);

	do {	/* printf's generic path costs more than the digits */
		*--p = '0' + val % 10;
		val /= 10;
	} while (val);
	while (p < digits + sizeof(digits))
		buf[n++] = *p++;
	fwrite(buf, 1, n, j->f);
}

void bb_json_i64(struct bb_json *j, const char *key, long long val)
{
	char buf[JSON_KEY_MAX + 24];
	size_t n = json_key(j, key, buf);

	n += snprintf(buf + n, sizeof(buf) - n, "%lld", val);
	fwrite(buf, 1, n, j->f);
}

void bb_json_raw(struct bb_json *j, const char *key, const char *raw)
{
	char buf[JSON_KEY_MAX];

	fwrite(buf, 1, json_key(j, key, buf), j->f);
	fputs(raw, j->f);
}

void bb_json_end(struct bb_json *j)
{
	fputs("}\n", j->f);
}

/*
 * A frame's text may carry source locations (usyms.c): the inlined calls
 * first, a line each ("leaf (x.h:10)"), then the frame's own line
 * ("main+0x1a (prog) (x.c:42)").  Where " (FILE:LINE)" starts in @s's
 * first @len bytes, and the location; false when it has none.
 */
static bool frame_src(const char *s, size_t len, size_t *cut, const char **file,
		      size_t *flen, unsigned *line)
{
	const char *open = NULL, *colon = NULL, *p;

	if (len < 6 || s[len - 1] != ')')
		return false;
	for (p = s + len - 2; p > s && *p >= '0' && *p <= '9'; p--)
		;
	if (*p != ':' || p == s + len - 2)
		return false;
	colon = p;
	for (; p > s + 1; p--)
		if (p[-1] == '(' && p[-2] == ' ') {
			open = p - 1;
			break;
		}
	if (!open || colon == open + 1)
		return false;
	*cut = open - 1 - s;
	*file = open + 1;
	*flen = colon - open - 1;
	*line = strtoul(colon + 1, NULL, 10);
	return true;
}

void bb_frame_plain(char *frame)
{
	char *last = strrchr(frame, '\n');
	const char *file;
	size_t cut, flen;
	unsigned line;

	if (last)
		memmove(frame, last + 1, strlen(last + 1) + 1);
	if (frame_src(frame, strlen(frame), &cut, &file, &flen, &line))
		frame[cut] = 0;
}

void bb_frame_function(char *frame)
{
	char *p = frame, *cut = NULL;

	bb_frame_plain(frame);
	/* The last "+0x" that hex digits follow: a C++ name may hold blanks
	 * and "+" (operator+), a module "++" (libstdc++). */
	while ((p = strstr(p, "+0x"))) {
		if (p[3] && strchr("0123456789abcdef", p[3]))
			cut = p;
		p += 3;
	}
	if (cut)
		*cut = 0;
	else
		frame[strcspn(frame, " ")] = 0;	/* "0x7f00...", "[...]" */
}

void bb_print_frames(const char *indent, const uint64_t *frames, int n, bb_frame_fmt fmt,
		     const char *none)
{
	char sym[BB_FRAME_TEXT], *line, *nl;
	int i;

	for (i = 0; i < n; i++) {
		fmt(frames[i], sym, sizeof(sym));
		for (line = sym; line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = 0;
			printf("%s%s\n", indent, bb_esc(line));
		}
	}
	if (!n && none)
		printf("%s%s\n", indent, none);
}

static void json_src(struct bb_json *j, const char *s, size_t len)
{
	const char *file;
	size_t cut, flen;
	unsigned line;
	char buf[BB_FRAME_TEXT];

	if (!frame_src(s, len, &cut, &file, &flen, &line) || flen >= sizeof(buf))
		return;
	memcpy(buf, file, flen);
	buf[flen] = 0;
	fputs("\"file\":", j->f);
	bb_json_escape(j->f, buf);
	fprintf(j->f, ",\"line\":%u", line);
}

/* {"file":..,"line":..,"inlined":[{"function":..,"file":..,"line":..}]} */
static void json_frame_src(struct bb_json *j, const char *sym)
{
	const char *last = strrchr(sym, '\n'), *p, *nl;
	char name[BB_FRAME_TEXT];
	const char *file;
	size_t cut, flen;
	unsigned line;

	last = last ? last + 1 : sym;
	fputc('{', j->f);
	json_src(j, last, strlen(last));
	if (last != sym) {
		fputs(",\"inlined\":[", j->f);
		for (p = sym; p < last; p = nl + 1) {
			nl = strchr(p, '\n');
			cut = nl - p;
			if (!frame_src(p, nl - p, &cut, &file, &flen, &line))
				cut = nl - p;
			snprintf(name, sizeof(name), "%.*s", (int)cut, p);
			fputs(p == sym ? "{\"function\":" : ",{\"function\":", j->f);
			bb_json_escape(j->f, name);
			fputc(',', j->f);
			json_src(j, p, nl - p);
			fputc('}', j->f);
		}
		fputc(']', j->f);
	}
	fputc('}', j->f);
}

void bb_json_frames(struct bb_json *j, const char *key, const uint64_t *frames, int n,
		    bb_frame_fmt fmt)
{
	char sym[BB_FRAME_TEXT], src_key[64];
	bool src = false;
	size_t len;
	int i;

	bb_json_raw(j, key, "[");
	for (i = 0; i < n; i++) {
		fmt(frames[i], sym, sizeof(sym));
		len = strlen(sym);
		bb_frame_plain(sym);
		src = src || strlen(sym) != len;
		if (i)
			fputc(',', j->f);
		bb_json_escape(j->f, sym);
	}
	fputc(']', j->f);
	if (!src)
		return;
	/* The source locations, a frame each, beside the frames' names. */
	snprintf(src_key, sizeof(src_key), "%s_src", key);
	bb_json_raw(j, src_key, "[");
	for (i = 0; i < n; i++) {
		fmt(frames[i], sym, sizeof(sym));
		if (i)
			fputc(',', j->f);
		json_frame_src(j, sym);
	}
	fputc(']', j->f);
}
