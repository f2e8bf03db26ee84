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
#include "kenum.h"
#include "loader.h"
#include "record.h"

static const struct btf_type *find_enum(const struct btf *btf, const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);

	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM64);
	return id < 0 ? NULL : btf__type_by_id(btf, id);
}

static long long enum_value(const struct btf_type *t, int i)
{
	if (btf_is_enum64(t))
		return btf_enum64_value(btf_enum64(t) + i);
	return btf_enum(t)[i].val;
}

static const char *enum_name(const struct btf *btf, const struct btf_type *t, int i)
{
	__u32 off = btf_is_enum64(t) ? btf_enum64(t)[i].name_off : btf_enum(t)[i].name_off;

	return btf__name_by_offset(btf, off);
}

static const char *strip(const char *s, const char *prefix)
{
	size_t n = prefix ? strlen(prefix) : 0;

	return n && !strncmp(s, prefix, n) ? s + n : s;
}

int bb_kenum_from_btf(const struct btf *btf, uint32_t table, const char *type,
		      const char *prefix)
{
	const struct btf_type *t = find_enum(btf, type);
	int i, n = 0;

	if (!t)
		return 0;
	for (i = 0; i < btf_vlen(t); i++) {
		bb_names_add(table, enum_value(t, i), strip(enum_name(btf, t, i), prefix));
		n++;
	}
	return n;
}

int bb_kenum_value(const struct btf *btf, const char *type, const char *name, long long *out)
{
	const struct btf_type *t = find_enum(btf, type);
	int i;

	for (i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(enum_name(btf, t, i), name)) {
			*out = enum_value(t, i);
			return 0;
		}
	return -1;
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
