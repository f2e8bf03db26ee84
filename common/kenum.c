// SPDX-License-Identifier: GPL-2.0
/*
 * Names of kernel enum values as the running kernel defines them: from
 * its BTF, else from the __print_symbolic() list of a tracepoint's format
 * file.  No tables compiled in: values differ between kernel versions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "bpfbox.h"
#include "kbtf.h"
#include "kenum.h"
#include "loader.h"
#include "record.h"

/* The running kernel's enum @name (32- or 64-bit values). */
static bool find_enum(struct bb_ktype *kt, const char *name)
{
	return bb_ktype_find(kt, name, BTF_KIND_ENUM) || bb_ktype_find(kt, name, BTF_KIND_ENUM64);
}

static long long enum_value(const struct btf_type *t, int i)
{
	if (btf_is_enum64(t))
		return btf_enum64_value(btf_enum64(t) + i);
	return btf_enum(t)[i].val;
}

static const char *enum_name(const struct bb_ktype *kt, int i)
{
	const struct btf_type *t = kt->t;

	return bb_ktype_str(kt, btf_is_enum64(t) ? btf_enum64(t)[i].name_off
						 : btf_enum(t)[i].name_off);
}

static const char *strip(const char *s, const char *prefix)
{
	size_t n = prefix ? strlen(prefix) : 0;

	return n && !strncmp(s, prefix, n) ? s + n : s;
}

int bb_kenum_from_btf(uint32_t table, const char *type, const char *prefix)
{
	struct bb_ktype kt;
	int i;

	if (!find_enum(&kt, type))
		return 0;
	for (i = 0; i < btf_vlen(kt.t); i++)
		bb_names_add(table, enum_value(kt.t, i), strip(enum_name(&kt, i), prefix));
	return i;
}

const char *bb_kenum_name(const char *type, long long value, const char *prefix)
{
	struct bb_ktype kt;
	int i;

	if (!find_enum(&kt, type))
		return NULL;
	for (i = 0; i < btf_vlen(kt.t); i++)
		if (enum_value(kt.t, i) == value)
			return strip(enum_name(&kt, i), prefix);
	return NULL;
}

/* Parses `{ 2, "NOT_SPECIFIED" }, ...` after __print_symbolic(REC->field, */
static int parse_symbolic(const char *p, uint32_t table)
{
	char name[128];
	long long v;
	int used, n = 0;

	while ((p = strchr(p, '{'))) {
		if (sscanf(p, "{ %lli , \"%127[^\"]\" }%n", &v, name, &used) < 2)
			break;
		bb_names_add(table, v, name);
		n++;
		p += 1;
	}
	return n;
}

int bb_kenum_from_tracefs(uint32_t table, const char *event, const char *field)
{
	const char *fs = bb_tracefs();
	char path[512], needle[128], *buf = NULL, *p;
	size_t cap = 0;
	FILE *f;
	int n = 0;

	if (!fs)
		return 0;
	snprintf(path, sizeof(path), "%s/events/%s/format", fs, event);
	f = fopen(path, "re");
	if (!f)
		return 0;
	snprintf(needle, sizeof(needle), "__print_symbolic(REC->%s,", field);
	while (getline(&buf, &cap, f) > 0) {
		p = strstr(buf, needle);
		if (p) {
			n = parse_symbolic(p + strlen(needle), table);
			break;
		}
	}
	free(buf);
	fclose(f);
	return n;
}
