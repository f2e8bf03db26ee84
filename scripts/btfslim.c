// SPDX-License-Identifier: GPL-2.0
/*
 * btfslim: a build tool that makes a linked BPF object smaller before it is
 * embedded in bpfbox, keeping everything the loader and the verifier use.
 *
 *   btfslim OBJ.o     rewrites OBJ.o in place
 *
 * .BTF.ext carries three tables: func_info (needed: a program with
 * subprograms is refused without it), CO-RE relocations (needed) and
 * line_info (optional: it only puts source lines into the verifier's log
 * and into bpftool's dumps).  line_info is dropped, and with it the source
 * text and file names it points to in .BTF's string table: .BTF is rebuilt
 * type by type (same ids, same order) into a string table holding only the
 * strings something still refers to.  Most of a BPF object's size is that
 * text (memleak.o: 146 KB of its 290 KB).
 *
 * `make BTF_LINES=1` skips this tool, for a verifier log with source lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
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

/* Where a string offset sits in a record, for the records rewritten. */
struct rec_strings {
	uint32_t min_rec_size;
	int nr;
	uint32_t offs[2];
};

static const char *prog_name = "btfslim";
static const char *obj_path;

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
static uint32_t move_str(const struct btf *old, struct btf *new, uint32_t off)
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

/*
 * Copies one .BTF.ext info table (rec_size, then per section: name offset,
 * count, records) from src to dst, with its section names' and the records'
 * string offsets moved to the new table.  Returns the bytes written.
 */
static uint32_t copy_info(const uint8_t *src, uint32_t len, uint8_t *dst,
			  const struct rec_strings *rs, const struct btf *old,
			  struct btf *new)
{
	uint32_t rec_size, pos = 4;

	if (len == 0)
		return 0;
	if (len < 4)
		die(".BTF.ext table too short");
	rec_size = get32(src);
	if (rec_size < rs->min_rec_size || rec_size > 256)
		die(".BTF.ext record size unexpected");
	memcpy(dst, src, len);
	while (pos < len) {
		uint32_t nr, i;
		int k;

		if (len - pos < 8)
			die(".BTF.ext section header truncated");
		put32(dst + pos, move_str(old, new, get32(src + pos)));
		nr = get32(src + pos + 4);
		pos += 8;
		if (nr > (len - pos) / rec_size)
			die(".BTF.ext records truncated");
		for (i = 0; i < nr; i++, pos += rec_size)
			for (k = 0; k < rs->nr; k++)
				put32(dst + pos + rs->offs[k],
				      move_str(old, new, get32(src + pos + rs->offs[k])));
	}
	return len;
}

/* .BTF rebuilt type by type: ids kept, strings only those types name. */
static struct btf *rebuild_btf(const struct btf *old)
{
	struct btf *new = btf__new_empty();
	uint32_t id, n = btf__type_cnt(old);

	if (!new)
		die("cannot create a BTF");
	for (id = 1; id < n; id++)
		if (btf__add_type(new, old, btf__type_by_id(old, id)) != (int)id)
			die("cannot copy a BTF type");
	return new;
}

/* A new .BTF.ext: func_info and CO-RE relocations, no line_info. */
static uint8_t *rebuild_ext(const uint8_t *ext, size_t size, const struct btf *old,
			    struct btf *new, size_t *new_size)
{
	static const struct rec_strings func_recs = { 8, 0, { 0 } };
	/* bpf_core_relo: insn_off, type_id, access_str_off, kind */
	static const struct rec_strings core_recs = { 16, 1, { 8 } };
	struct ext_header h = { 0 };
	uint8_t *out, *body;
	uint32_t func_len, core_len = 0;

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
	    (uint64_t)h.core_relo_off + h.core_relo_len > size - h.hdr_len)
		die(".BTF.ext: a table lies outside the section");

	out = xmalloc(size);
	memcpy(out, ext, h.hdr_len);
	body = out + h.hdr_len;
	ext += h.hdr_len;
	func_len = copy_info(ext + h.func_info_off, h.func_info_len, body,
			     &func_recs, old, new);
	if (h.hdr_len >= 32)
		core_len = copy_info(ext + h.core_relo_off, h.core_relo_len,
				     body + func_len, &core_recs, old, new);
	h.func_info_off = 0;
	h.func_info_len = func_len;
	h.line_info_off = func_len;
	h.line_info_len = 0;
	h.core_relo_off = func_len;
	h.core_relo_len = core_len;
	memcpy(out, &h, h.hdr_len >= 32 ? 32 : 24);
	*new_size = h.hdr_len + func_len + core_len;
	return out;
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
	struct btf *old, *new;
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
	new = rebuild_btf(old);
	ext = rebuild_ext(ext_data->d_buf, ext_data->d_size, old, new, &ext_size);
	raw = btf__raw_data(new, &raw_size);
	if (!raw)
		die("cannot write the new .BTF");
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
