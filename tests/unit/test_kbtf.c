// SPDX-License-Identifier: GPL-2.0
/*
 * Raw BTF lookups (common/kbtf.c): images written by libbpf's BTF writer
 * are the oracle, then cut, misaligned and given kinds we do not know; and
 * the running kernel's BTF, when readable, against libbpf's parse of it.
 */
#include "unit.h"
#include <bpf/btf.h>
#include "bpfbox.h"
#include "kbtf.h"

/* An image with one type of each shape the walker has to step over. */
static struct btf *sample(void)
{
	struct btf *b = btf__new_empty();
	int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int s, p;

	btf__add_ptr(b, i32);
	btf__add_array(b, i32, i32, 4);
	s = btf__add_struct(b, "pair", 8);
	btf__add_field(b, "a", i32, 0, 0);
	btf__add_field(b, "b", i32, 32, 0);
	p = btf__add_func_proto(b, i32);
	btf__add_func_param(b, "x", i32);
	btf__add_func(b, "f", BTF_FUNC_GLOBAL, p);
	btf__add_typedef(b, "pair_t", s);
	btf__add_var(b, "v", BTF_VAR_GLOBAL_ALLOCATED, i32);
	btf__add_datasec(b, ".data", 4);
	btf__add_datasec_var_info(b, btf__type_cnt(b) - 2, 0, 4);
	btf__add_enum64(b, "big", 8, false);
	btf__add_enum64_value(b, "BIG_ONE", 1ULL << 40);
	btf__add_enum(b, "color", 4);
	btf__add_enum_value(b, "COLOR_RED", 0);
	btf__add_enum_value(b, "COLOR_BLUE", 7);
	btf__add_union(b, "u", 4);
	btf__add_field(b, "i", i32, 0, 0);
	btf__add_float(b, "float", 4);
	btf__add_decl_tag(b, "tag", s, -1);
	btf__add_type_tag(b, "tt", i32);
	return b;
}

/* An aligned copy of raw BTF (as the kernel's mapping is). */
static void *raw_copy(const struct btf *b, uint32_t *size)
{
	const void *raw = btf__raw_data(b, size);
	void *copy = malloc(*size);

	memcpy(copy, raw, *size);
	return copy;
}

static void test_sample(void)
{
	struct btf *b = sample();
	const struct btf_type *t;
	struct bb_rawbtf r;
	uint32_t size;
	void *raw = raw_copy(b, &size);

	CHECK(!bb_rawbtf_init(&r, raw, size), "a libbpf-written image is accepted");
	t = bb_rawbtf_find(&r, "color", BTF_KIND_ENUM);
	CHECK(t && btf_vlen(t) == 2, "enum color found, 2 values");
	if (t) {
		CHECK_STR(bb_rawbtf_str(&r, btf_enum(t)[1].name_off), "COLOR_BLUE",
			  "its second name");
		CHECK(btf_enum(t)[1].val == 7, "its second value");
	}
	t = bb_rawbtf_find(&r, "big", BTF_KIND_ENUM64);
	CHECK(t && btf_enum64_value(btf_enum64(t)) == 1ULL << 40, "enum64 value");
	CHECK(bb_rawbtf_find(&r, "pair", BTF_KIND_STRUCT), "struct found");
	CHECK(!bb_rawbtf_find(&r, "pair", BTF_KIND_UNION), "not as another kind");
	CHECK(bb_rawbtf_find(&r, "tt", BTF_KIND_TYPE_TAG), "the last type found");
	CHECK(!bb_rawbtf_find(&r, "nope", BTF_KIND_STRUCT), "a missing name is not found");
	CHECK(!bb_rawbtf_str(&r, r.strs_len), "a string past the section is NULL");
	free(raw);
	btf__free(b);
}

/* Every cut of the image: refused, or lookups inside what is left. */
static void test_cut(void)
{
	struct btf *b = sample();
	struct bb_rawbtf r;
	uint32_t size, n, accepted = 0, wrong = 0;
	void *raw = raw_copy(b, &size);

	for (n = 0; n < size; n++) {
		void *cut = malloc(n ? n : 1);

		memcpy(cut, raw, n);
		if (!bb_rawbtf_init(&r, cut, n)) {
			accepted++;
			bb_rawbtf_find(&r, "tt", BTF_KIND_TYPE_TAG);
		}
		free(cut);
	}
	/* The header's lengths cover the whole image: no cut fits them. */
	CHECK(accepted == 0, "no cut image accepted (%u were)", accepted);
	/* The header kept, the type section said to be shorter: */
	for (n = 0; n < ((struct btf_header *)raw)->type_len; n++) {
		struct btf_header *h = raw;
		uint32_t len = h->type_len;

		h->type_len = n;
		if (!bb_rawbtf_init(&r, raw, size) &&
		    bb_rawbtf_find(&r, "tt", BTF_KIND_TYPE_TAG))
			wrong++;
		h->type_len = len;
	}
	CHECK(wrong == 0, "a type past a shortened type section is never found");
	free(raw);
	btf__free(b);
}

static void test_bad(void)
{
	struct btf *b = sample();
	struct bb_rawbtf r;
	uint32_t size;
	unsigned char *raw = raw_copy(b, &size), *odd = malloc(size + 1);
	struct btf_header *h = (void *)raw;
	struct btf_type *first = (void *)(raw + h->hdr_len + h->type_off);

	memcpy(odd + 1, raw, size);
	CHECK(bb_rawbtf_init(&r, odd + 1, size), "misaligned types are refused");
	raw[size - 1] = 'x';
	CHECK(bb_rawbtf_init(&r, raw, size), "strings that do not end are refused");
	raw[size - 1] = 0;
	first->info = (first->info & ~(0x1fU << 24)) | (31U << 24);
	CHECK(!bb_rawbtf_init(&r, raw, size), "an unknown kind: the image is still accepted");
	CHECK(!bb_rawbtf_find(&r, "color", BTF_KIND_ENUM), "but nothing after it is found");
	h->magic = 0x9feb;
	CHECK(bb_rawbtf_init(&r, raw, size), "other-endian images are refused");
	free(odd);
	free(raw);
	btf__free(b);
}

/* The running kernel's BTF: the same answers as libbpf's parse. */
static void test_kernel(void)
{
	static const struct { const char *name; int kind; } q[] = {
		{ "skb_drop_reason", BTF_KIND_ENUM }, { "bpf_mem_alloc", BTF_KIND_STRUCT },
		{ "task_struct", BTF_KIND_STRUCT }, { "sk_buff", BTF_KIND_STRUCT },
		{ "no_such_type_here", BTF_KIND_STRUCT },
	};
	struct btf *b = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	struct bb_rawbtf r;
	uint32_t size;
	void *raw;
	size_t i;

	if (!b) {
		unit_diag("no readable kernel BTF: comparison skipped");
		return;
	}
	raw = raw_copy(b, &size);
	CHECK(!bb_rawbtf_init(&r, raw, size), "the kernel's BTF is accepted");
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		const struct btf_type *t = bb_rawbtf_find(&r, q[i].name, q[i].kind);
		__s32 id = btf__find_by_name_kind(b, q[i].name, q[i].kind);

		CHECK(!t == (id < 0), "kernel %s: found by both or by neither", q[i].name);
		if (t && id >= 0)
			CHECK(btf_vlen(t) == btf_vlen(btf__type_by_id(b, id)),
			      "kernel %s: same members", q[i].name);
	}
	free(raw);
	btf__free(b);
}

int main(void)
{
	test_sample();
	test_cut();
	test_bad();
	test_kernel();
	return unit_done();
}
