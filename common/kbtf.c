// SPDX-License-Identifier: GPL-2.0
/* Names in raw BTF bytes: see kbtf.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/btf.h>
#include "bpfbox.h"
#include "kbtf.h"
#include "loader.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

int bb_rawbtf_init(struct bb_rawbtf *b, const void *data, size_t size)
{
	struct btf_header hdr, *h = &hdr;
	uint64_t types, strs;

	if (size < sizeof(*h))
		return -1;
	memcpy(h, data, sizeof(*h));	/* (the image may be anywhere) */
	if (h->magic != BTF_MAGIC || h->version != BTF_VERSION ||
	    h->hdr_len < sizeof(*h) || h->hdr_len > size)
		return -1;
	types = (uint64_t)h->hdr_len + h->type_off;
	strs = (uint64_t)h->hdr_len + h->str_off;
	if (types + h->type_len > size || strs + h->str_len > size)
		return -1;
	b->types = (const unsigned char *)data + types;
	b->strs = (const char *)data + strs;
	b->types_len = h->type_len;
	b->strs_len = h->str_len;
	/* Types are read in place: they must be aligned (they are, in any
	 * image the kernel or a compiler wrote); strings must end. */
	if ((uintptr_t)b->types % 4 || !b->strs_len || b->strs[b->strs_len - 1])
		return -1;
	return 0;
}

const char *bb_rawbtf_str(const struct bb_rawbtf *b, uint32_t off)
{
	return off < b->strs_len ? b->strs + off : NULL;
}

/* Bytes after struct btf_type, by kind; -1 for a kind we do not know. */
static long type_extra(const struct btf_type *t)
{
	long vlen = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	}
	return -1;
}

/* 1 and *out when found, 0 when not, -1 when the walk cannot go on (a kind
 * this code does not know, or a type running past the section). */
static int rawbtf_walk(const struct bb_rawbtf *b, const char *name, int kind,
		       const struct btf_type **out)
{
	size_t off = 0;

	while (off + sizeof(struct btf_type) <= b->types_len) {
		const struct btf_type *t = (const void *)(b->types + off);
		long extra = type_extra(t);
		const char *s;

		if (extra < 0 || extra > (long)(b->types_len - off - sizeof(*t)))
			return -1;
		if (btf_kind(t) == kind && (s = bb_rawbtf_str(b, t->name_off)) && !strcmp(s, name)) {
			*out = t;
			return 1;
		}
		off += sizeof(*t) + extra;
	}
	return off == b->types_len ? 0 : -1;
}

const struct btf_type *bb_rawbtf_find(const struct bb_rawbtf *b, const char *name, int kind)
{
	const struct btf_type *t = NULL;

	return rawbtf_walk(b, name, kind, &t) > 0 ? t : NULL;
}

/* Before 6.16 sysfs cannot map it: one read buffer (a read returns 4 KB),
 * still cheaper than libbpf's parse (a copy, an index, every type checked). */
static void *read_whole(int fd, size_t size)
{
	char *buf = malloc(size);
	size_t got = 0;
	ssize_t n;

	while (buf && got < size) {
		n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	if (buf && got != size) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

/* Kept for the process's life: dropwatch looks names up again when it
 * prints them (as the libbpf parse it replaces was kept). */
static bool load_kernel_rawbtf(struct bb_rawbtf *b)
{
	int fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);
	bool mapped = false;
	struct stat st;
	void *p = NULL;

	if (fd < 0)
		return false;
	if (!fstat(fd, &st) && st.st_size > 0 && st.st_size < (1L << 30)) {
		p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		mapped = p != MAP_FAILED;
		if (!mapped)
			p = read_whole(fd, st.st_size);
	}
	close(fd);
	if (!p || p == MAP_FAILED)
		return false;
	if (!bb_rawbtf_init(b, p, st.st_size))
		return true;
	if (mapped)
		munmap(p, st.st_size);
	else
		free(p);
	return false;
}

const struct bb_rawbtf *bb_kernel_rawbtf(void)
{
	static struct bb_rawbtf raw;
	static int state = -1;	/* not tried yet */

	if (state < 0)
		state = !bb_opts.btf_path && load_kernel_rawbtf(&raw);
	return state ? &raw : NULL;
}

bool bb_ktype_find(struct bb_ktype *kt, const char *name, int kind)
{
	__s32 id;

	memset(kt, 0, sizeof(*kt));
	kt->raw = bb_kernel_rawbtf();
	if (kt->raw) {
		int found = rawbtf_walk(kt->raw, name, kind, &kt->t);

		if (found >= 0)
			return found;
		kt->raw = NULL;	/* a kind we do not know: libbpf may */
	}
	kt->btf = bb_kernel_btf();
	id = btf__find_by_name_kind(kt->btf, name, kind);
	kt->t = id < 0 ? NULL : btf__type_by_id(kt->btf, id);
	return kt->t;
}

const char *bb_ktype_str(const struct bb_ktype *kt, uint32_t off)
{
	const char *s = kt->raw ? bb_rawbtf_str(kt->raw, off) : btf__name_by_offset(kt->btf, off);

	return s ? s : "";
}
