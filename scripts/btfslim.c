// SPDX-License-Identifier: GPL-2.0
/*
 * btfslim: a build tool that makes a linked BPF object smaller before it is
 * embedded in bpfbox, keeping everything the loader and the verifier use.
 *
 *   btfslim OBJ.o     rewrites OBJ.o in place
 *
 * Two things go, both only bulk to the loader:
 *
 * - .BTF.ext's line_info but each function's first line (needed are
 *   func_info, without which a program with subprograms is refused, and
 *   the CO-RE relocations): it puts source lines into the verifier's log
 *   and bpftool's dumps.  The kernel wants a line where each function
 *   starts, and libbpf warns about a program without one: those stay.  The
 *   source text of the other lines leaves .BTF's string table with them.
 * - the bodies of kernel structs that are only pointed to: vmlinux.h gives
 *   every struct a program names in full, and each pulls in what its
 *   members point to (deeptrace.o held 270 structs for the few it reads).
 *   A struct is kept whole where its layout can matter: a CO-RE relocation
 *   starts from it, something holds it by value, a map's key or value is
 *   it (libbpf sizes them), a global function's argument points to it (the
 *   verifier checks those), or a global variable is one.  Reached only
 *   through pointers it becomes a forward declaration: CO-RE takes any
 *   pointer for a pointer, and each further dereference is a relocation of
 *   its own, rooted at that struct.
 *
 * .BTF is rebuilt from what is kept, in the same order, with a string table
 * holding only the strings still referred to; .BTF.ext's type ids and
 * strings are moved to the new ones.
 *
 * `make BTF_LINES=1` skips this tool, for a verifier log with source lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>

#define BTF_EXT_MAGIC 0xeB9F

/* .BTF.ext's header (linux/btf.h has none for it; libbpf keeps its own). */
struct ext_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t func_info_off;
	uint32_t func_info_len;
	uint32_t line_info_off;
	uint32_t line_info_len;
	uint32_t core_relo_off;		/* present when hdr_len >= 32 */
	uint32_t core_relo_len;
};

/* Where a record of an info table holds a type id and a string offset. */
struct rec_fields {
	uint32_t min_rec_size;
	uint32_t type_off;
	int str_off;			/* -1: none */
};

/* func_info: insn_off, type_id; bpf_core_relo: insn_off, type_id,
 * access_str_off, kind. */
static const struct rec_fields func_recs = { 8, 4, -1 };
static const struct rec_fields core_recs = { 16, 4, 8 };
/* line_info: insn_off, file_name_off, line_off, line_col (only checked:
 * no type id, its strings are moved by func_lines()). */
static const struct rec_fields line_recs = { 16, 0, -1 };

/*
 * What becomes of an old type: dropped; weak (a struct only pointed to,
 * made a forward declaration, or a modifier or typedef on the way to one);
 * kept; kept with everything it points to kept too (maps: libbpf sizes
 * their keys and values).
 */
enum keep { DROP, WEAK, STRONG, DEEP };

static const char *prog_name = "btfslim";
static const char *obj_path;
static struct btf *old;
static struct btf *new;
static uint32_t nr_types;		/* old ids: 1..nr_types-1 */
static unsigned char *keep;		/* enum keep, by old id */
static uint32_t *new_id;		/* by old id */

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog_name, obj_path, what);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* The offset in the new string table of the old table's string at off. */
static uint32_t move_str(uint32_t off)
{
	const char *s = btf__str_by_offset(old, off);
	int r;

	if (!s)
		die(".BTF.ext names a string .BTF does not have");
	r = btf__add_str(new, s);
	if (r < 0)
		die("cannot add a string to the new .BTF");
	return r;
}

typedef void (*ref_fn)(uint32_t *id, int lvl);

/* Calls fn on every type id field of t (t is writable: libbpf's copy). */
static void visit_refs(struct btf_type *t, ref_fn fn, int lvl)
{
	int i, n = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		fn(&t->type, lvl);
		break;
	case BTF_KIND_ARRAY:
		fn(&btf_array(t)->type, lvl);
		fn(&btf_array(t)->index_type, lvl);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < n; i++)
			fn(&btf_members(t)[i].type, lvl);
		break;
	case BTF_KIND_FUNC_PROTO:
		fn(&t->type, lvl);
		for (i = 0; i < n; i++)
			fn(&btf_params(t)[i].type, lvl);
		break;
	case BTF_KIND_DATASEC:
		for (i = 0; i < n; i++)
			fn(&btf_var_secinfos(t)[i].type, lvl);
		break;
	default:
		break;
	}
}

static struct btf_type *old_type(uint32_t id)
{
	if (id >= nr_types)
		die("a type id out of range");
	return (struct btf_type *)btf__type_by_id(old, id);
}

static void mark(uint32_t id, int lvl);

static void mark_ref(uint32_t *id, int lvl)
{
	mark(*id, lvl);
}

/* Only a named struct or union can stand as a forward declaration; the
 * modifiers and typedefs on the way to one stay as they are. */
static bool can_be_weak(const struct btf_type *t)
{
	if (btf_is_composite(t))
		return t->name_off != 0;
	return btf_is_mod(t) || btf_is_typedef(t) || btf_is_fwd(t);
}

static void mark(uint32_t id, int lvl)
{
	struct btf_type *t;

	if (id == 0 || keep[id] >= lvl)
		return;
	t = old_type(id);
	if (lvl == WEAK && !can_be_weak(t))
		lvl = STRONG;
	if (keep[id] >= lvl)
		return;
	keep[id] = lvl;
	if (lvl == WEAK) {
		if (!btf_is_composite(t) && !btf_is_fwd(t))
			mark(t->type, WEAK);
	} else if (btf_is_ptr(t)) {
		mark(t->type, lvl == DEEP ? DEEP : WEAK);
	} else {
		visit_refs(t, mark_ref, lvl);
	}
}

/* A global function's pointer arguments: the verifier checks what they
 * point to (the context's type, or a size). */
static void mark_global_func_args(const struct btf_type *func)
{
	const struct btf_type *proto = old_type(func->type);
	int i;

	if (btf_vlen(func) != BTF_FUNC_GLOBAL || !btf_is_func_proto(proto))
		return;
	for (i = 0; i < btf_vlen(proto); i++) {
		const struct btf_type *arg = old_type(btf_params(proto)[i].type);

		if (btf_is_ptr(arg))
			mark(arg->type, STRONG);
	}
}

/* What stays whole, besides the types .BTF.ext names. */
static void mark_roots(void)
{
	uint32_t id;

	for (id = 1; id < nr_types; id++) {
		const struct btf_type *t = old_type(id);

		if (btf_is_datasec(t)) {
			const char *name = btf__name_by_offset(old, t->name_off);

			mark(id, name && !strcmp(name, ".maps") ? DEEP : STRONG);
		} else if (btf_is_var(t) || btf_is_decl_tag(t)) {
			mark(id, STRONG);
		} else if (btf_is_func(t)) {
			mark(id, STRONG);
			mark_global_func_args(t);
		}
	}
}

static void remap_ref(uint32_t *id, int lvl)
{
	(void)lvl;
	if (*id >= nr_types || (*id && !new_id[*id]))
		die("a kept type refers to a dropped one");
	*id = new_id[*id];
}

/* .BTF rebuilt from the kept types, in their order. */
static void rebuild_btf(void)
{
	uint32_t id, next = 1;

	new = btf__new_empty();
	if (!new)
		die("cannot create a BTF");
	for (id = 1; id < nr_types; id++)
		if (keep[id] != DROP)
			new_id[id] = next++;
	for (id = 1; id < nr_types; id++) {
		const struct btf_type *t = old_type(id);
		bool as_fwd = keep[id] == WEAK && btf_is_composite(t);
		int r;

		if (keep[id] == DROP)
			continue;
		if (as_fwd)
			r = btf__add_fwd(new, btf__name_by_offset(old, t->name_off),
					 btf_is_union(t) ? BTF_FWD_UNION : BTF_FWD_STRUCT);
		else
			r = btf__add_type(new, old, t);
		if (r != (int)new_id[id])
			die("cannot copy a BTF type");
		if (!as_fwd)
			visit_refs((struct btf_type *)btf__type_by_id(new, r), remap_ref, 0);
	}
}

/*
 * Walks one .BTF.ext info table (rec_size, then per section: name offset,
 * count, records).  Without dst, marks the types its records name as kept;
 * with it, copies the table there with type ids and strings moved to the
 * new .BTF.  Returns the table's length.
 */
static uint32_t walk_info(const uint8_t *src, uint32_t len, uint8_t *dst,
			  const struct rec_fields *rf)
{
	uint32_t rec_size, pos = 4;

	if (len == 0)
		return 0;
	if (len < 4)
		die(".BTF.ext table too short");
	rec_size = get32(src);
	if (rec_size < rf->min_rec_size || rec_size > 256)
		die(".BTF.ext record size unexpected");
	if (dst)
		memcpy(dst, src, len);
	while (pos < len) {
		uint32_t nr, i;

		if (len - pos < 8)
			die(".BTF.ext section header truncated");
		if (dst)
			put32(dst + pos, move_str(get32(src + pos)));
		nr = get32(src + pos + 4);
		pos += 8;
		if (nr > (len - pos) / rec_size)
			die(".BTF.ext records truncated");
		for (i = 0; i < nr; i++, pos += rec_size) {
			uint32_t type = get32(src + pos + rf->type_off);

			if (!dst) {
				if (rf != &line_recs)
					mark(type, STRONG);
				continue;
			}
			remap_ref(&type, 0);
			put32(dst + pos + rf->type_off, type);
			if (rf->str_off >= 0)
				put32(dst + pos + rf->str_off,
				      move_str(get32(src + pos + rf->str_off)));
		}
	}
	return len;
}

static struct ext_header read_ext_header(const uint8_t *ext, size_t size)
{
	struct ext_header h = { 0 };

	if (size < 24)
		die(".BTF.ext too short");
	memcpy(&h, ext, 24);
	if (h.magic != BTF_EXT_MAGIC)
		die(".BTF.ext: bad magic (or not little endian)");
	if (h.hdr_len < 24 || h.hdr_len > size)
		die(".BTF.ext: bad header length");
	if (h.hdr_len >= 32)
		memcpy(&h.core_relo_off, ext + 24, 8);
	if ((uint64_t)h.func_info_off + h.func_info_len > size - h.hdr_len ||
	    (uint64_t)h.line_info_off + h.line_info_len > size - h.hdr_len ||
	    (uint64_t)h.core_relo_off + h.core_relo_len > size - h.hdr_len)
		die(".BTF.ext: a table lies outside the section");
	return h;
}

/* Marks the types .BTF.ext's func_info and CO-RE relocations name. */
static void mark_ext_roots(const uint8_t *ext, size_t size)
{
	struct ext_header h = read_ext_header(ext, size);

	ext += h.hdr_len;
	walk_info(ext + h.func_info_off, h.func_info_len, NULL, &func_recs);
	walk_info(ext + h.core_relo_off, h.core_relo_len, NULL, &core_recs);
}

/*
 * The records of a func_info or line_info table's section named name (its
 * record count in *nr, its record size in *rec_size), or NULL.
 */
static const uint8_t *find_info_sec(const uint8_t *tab, uint32_t len, const char *name,
				    uint32_t *nr, uint32_t *rec_size)
{
	uint32_t pos = 4;

	*rec_size = get32(tab);		/* walk_info checked the table */
	while (pos < len) {
		const char *n = btf__str_by_offset(old, get32(tab + pos));

		*nr = get32(tab + pos + 4);
		pos += 8;
		if (n && !strcmp(n, name))
			return tab + pos;
		pos += *nr * *rec_size;
	}
	return NULL;
}

/*
 * line_info reduced to the first line of each function (program or
 * subprogram): the kernel wants one where each starts, and libbpf warns
 * about every program without one.  The verifier's log still names the
 * function it is in.  Returns the new table's length, written to dst.
 */
static uint32_t func_lines(const uint8_t *lines, uint32_t line_len, const uint8_t *funcs,
			   uint32_t func_len, uint8_t *dst)
{
	uint32_t pos = 4, out = 4, rec_size;

	if (!line_len || !func_len)
		return 0;
	walk_info(lines, line_len, NULL, &line_recs);
	rec_size = get32(lines);
	put32(dst, rec_size);
	while (pos < line_len) {
		const char *name = btf__str_by_offset(old, get32(lines + pos));
		uint32_t nr = get32(lines + pos + 4), nf, frec, i, j, kept = 0;
		const uint8_t *recs = lines + pos + 8, *f;

		pos += 8 + nr * rec_size;
		f = name ? find_info_sec(funcs, func_len, name, &nf, &frec) : NULL;
		if (!f)
			continue;
		for (i = 0; i < nf; i++) {
			uint32_t start = get32(f + i * frec);
			uint8_t *rec = dst + out + 8 + kept * rec_size;

			for (j = 0; j < nr && get32(recs + j * rec_size) != start; j++)
				;
			if (j == nr)
				die("a function has no line_info at its start");
			memcpy(rec, recs + j * rec_size, rec_size);
			put32(rec + 4, move_str(get32(rec + 4)));	/* file name */
			put32(rec + 8, move_str(get32(rec + 8)));	/* the line */
			kept++;
		}
		if (!kept)
			continue;
		put32(dst + out, move_str(get32(lines + pos - 8 - nr * rec_size)));
		put32(dst + out + 4, kept);
		out += 8 + kept * rec_size;
	}
	return out > 4 ? out : 0;
}

/* A new .BTF.ext: func_info, the functions' first lines, CO-RE relocations. */
static uint8_t *rebuild_ext(const uint8_t *ext, size_t size, size_t *new_size)
{
	struct ext_header h = read_ext_header(ext, size);
	uint32_t func_len, line_len, core_len;
	uint8_t *out, *body;

	out = xmalloc(size);
	memcpy(out, ext, h.hdr_len);
	body = out + h.hdr_len;
	ext += h.hdr_len;
	func_len = walk_info(ext + h.func_info_off, h.func_info_len, body, &func_recs);
	line_len = func_lines(ext + h.line_info_off, h.line_info_len,
			      ext + h.func_info_off, h.func_info_len, body + func_len);
	core_len = walk_info(ext + h.core_relo_off, h.core_relo_len,
			     body + func_len + line_len, &core_recs);
	h.func_info_off = 0;
	h.func_info_len = func_len;
	h.line_info_off = func_len;
	h.line_info_len = line_len;
	h.core_relo_off = func_len + line_len;
	h.core_relo_len = core_len;
	memcpy(out, &h, h.hdr_len >= 32 ? 32 : 24);
	*new_size = h.hdr_len + func_len + line_len + core_len;
	return out;
}

/* What is written must read back with libbpf's own parsers. */
static void check_parses(const void *btf_raw, uint32_t btf_size, const uint8_t *ext,
			 size_t ext_size)
{
	struct btf *btf = btf__new(btf_raw, btf_size);
	struct btf_ext *e = btf_ext__new(ext, ext_size);

	if (!btf || !e)
		die("internal error: libbpf cannot read the new .BTF or .BTF.ext");
	btf_ext__free(e);
	btf__free(btf);
}

static Elf_Scn *find_section(Elf *elf, size_t shstrndx, const char *name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			die("bad section header");
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

static void replace_data(Elf_Scn *scn, void *buf, size_t size)
{
	Elf_Data *d = elf_getdata(scn, NULL);

	if (!d || elf_getdata(scn, d))
		die("a BTF section is not one piece");
	d->d_buf = buf;
	d->d_size = size;
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
}

int main(int argc, char **argv)
{
	Elf_Scn *btf_scn, *ext_scn;
	Elf_Data *btf_data, *ext_data;
	const void *raw;
	uint8_t *ext, *btf_copy;
	size_t shstrndx, ext_size;
	uint32_t raw_size;
	Elf *elf;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJ.o\n", prog_name);
		return 2;
	}
	obj_path = argv[1];
	if (elf_version(EV_CURRENT) == EV_NONE)
		die("libelf too old");
	fd = open(obj_path, O_RDWR);
	if (fd < 0)
		die(strerror(errno));
	elf = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx))
		die("not an ELF object");
	btf_scn = find_section(elf, shstrndx, ".BTF");
	ext_scn = find_section(elf, shstrndx, ".BTF.ext");
	if (!btf_scn || !ext_scn)
		die("no .BTF or .BTF.ext section");
	btf_data = elf_getdata(btf_scn, NULL);
	ext_data = elf_getdata(ext_scn, NULL);
	if (!btf_data || !ext_data)
		die("cannot read the BTF sections");

	old = btf__new(btf_data->d_buf, btf_data->d_size);
	if (!old)
		die("cannot parse .BTF");
	nr_types = btf__type_cnt(old);
	keep = xmalloc(nr_types);
	new_id = xmalloc(nr_types * sizeof(*new_id));
	mark_roots();
	mark_ext_roots(ext_data->d_buf, ext_data->d_size);
	rebuild_btf();
	ext = rebuild_ext(ext_data->d_buf, ext_data->d_size, &ext_size);
	raw = btf__raw_data(new, &raw_size);
	if (!raw)
		die("cannot write the new .BTF");
	check_parses(raw, raw_size, ext, ext_size);
	/* libelf writes from d_buf at elf_update(): keep a copy of our own. */
	btf_copy = xmalloc(raw_size);
	memcpy(btf_copy, raw, raw_size);

	replace_data(btf_scn, btf_copy, raw_size);
	replace_data(ext_scn, ext, ext_size);
	if (elf_update(elf, ELF_C_WRITE) < 0)
		die(elf_errmsg(-1));
	elf_end(elf);
	close(fd);
	btf__free(new);
	btf__free(old);
	return 0;
}
