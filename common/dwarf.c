// SPDX-License-Identifier: GPL-2.0
/* Source lines and inlined calls from DWARF: see dwarf.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "bpfbox.h"
#include "cursor.h"
#include "dwarf.h"

const char *const bb_dwarf_section_names[BB_DW_NR] = {
	".debug_info", ".debug_abbrev", ".debug_line", ".debug_str", ".debug_line_str",
	".debug_addr", ".debug_str_offsets", ".debug_ranges", ".debug_rnglists",
	".debug_aranges",
};

/* Nesting deeper than this (inlines in inlines...) is cut at the outer end. */
#define MAX_CHAIN 16
/* References followed for a name (abstract_origin, specification). */
#define MAX_HOPS 8

/* ---- bounded reading ------------------------------------------------------- */


static struct bb_cur cur_at(const struct bb_dwarf_sections *s, int sec, uint64_t off)
{
	struct bb_cur c = { NULL, NULL, true };

	if (s->p[sec] && off <= s->len[sec])
		c = (struct bb_cur){ s->p[sec] + off, s->p[sec] + s->len[sec], false };
	return c;
}

static uint64_t uleb(struct bb_cur *c)
{
	return bb_cur_leb(c, false);
}

static int64_t sleb(struct bb_cur *c)
{
	return bb_cur_leb(c, true);
}

/* A NUL-terminated string at the cursor, or NULL (none before the end). */
static const char *rd_str(struct bb_cur *c)
{
	const uint8_t *nul;
	const char *s;

	if (c->bad || !(nul = memchr(c->p, 0, c->end - c->p))) {
		c->bad = true;
		return NULL;
	}
	s = (const char *)c->p;
	c->p = nul + 1;
	return s;
}

/* The string at @off of a string section, or NULL. */
static const char *sec_str(const struct bb_dwarf_sections *s, int sec, uint64_t off)
{
	struct bb_cur c = cur_at(s, sec, off);

	return rd_str(&c);
}

/* ---- units and abbreviations ------------------------------------------------ */

struct abbrev {
	uint64_t code;
	uint16_t tag;
	bool children;
	uint64_t spec;		/* offset of its (attribute, form) pairs in .debug_abbrev */
};

struct row {
	uint64_t addr;
	uint32_t line;
	uint32_t file;		/* END_SEQ: the sequence ends at addr */
};
#define END_SEQ UINT32_MAX

struct unit {
	uint64_t off, end, die;	/* header, end, first DIE: offsets in .debug_info */
	uint8_t version, addr_size, offset_size;
	uint64_t abbrev_off;
	struct abbrev *abbrevs;
	size_t nr_abbrevs;
	bool read, usable;	/* its root DIE read; usable: a compile unit */
	uint64_t low_pc, str_base, addr_base, rng_base, stmt_list;
	bool has_stmt, lines_read;
	struct row *rows;
	size_t nr_rows;
	const char **files;	/* by the line table's file numbers */
	size_t nr_files;
};

struct arange {
	uint64_t lo, hi, unit_off;
};

struct bb_dwarf {
	struct bb_dwarf_sections s;
	struct unit *units;
	size_t nr_units;
	bool units_read, aranges_read;
	struct arange *ar;
	size_t nr_ar;
	struct bb_dwarf *alt;	/* the supplementary file's (dwz), not ours to free */
};

struct bb_dwarf *bb_dwarf_new(const struct bb_dwarf_sections *s)
{
	struct bb_dwarf *d = bb_xcalloc(1, sizeof(*d));

	d->s = *s;
	return d;
}

void bb_dwarf_set_alt(struct bb_dwarf *d, struct bb_dwarf *alt)
{
	/* Not itself: its references there are to another file. */
	if (d && alt != d)
		d->alt = alt;
}

/*
 * .gnu_debugaltlink: the path, NUL, the build-id.  .debug_sup: version 5
 * (2 bytes), is_supplementary, the path, a ULEB128 length, the checksum
 * (dwz writes the build-id there).
 */
bool bb_dwarf_link(const uint8_t *p, size_t len, bool sup, struct bb_dwarf_link *out)
{
	struct bb_cur c;

	out->supplementary = false;
	if (!p)
		return false;
	c = (struct bb_cur){ p, p + len, false };
	if (sup) {
		if (bb_cur_le(&c, 2) != 5)
			return false;
		out->supplementary = bb_cur_le(&c, 1);
	}
	out->path = rd_str(&c);
	out->id_len = sup ? uleb(&c) : (size_t)(c.end - c.p);
	out->id = c.p;
	/* A path to follow, or a supplementary file's own (no path); an id of
	 * a build-id's size. */
	return bb_cur_need(&c, out->id_len) && out->id_len >= 2 && out->id_len <= 64 &&
	       (*out->path != 0) != out->supplementary;
}

void bb_dwarf_free(struct bb_dwarf *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nr_units; i++) {
		free(d->units[i].abbrevs);
		free(d->units[i].rows);
		free(d->units[i].files);
	}
	for (i = 0; i < BB_DW_NR; i++)
		free((void *)d->s.p[i]);
	free(d->units);
	free(d->ar);
	free(d);
}

/* The unit header at @c (DWARF 2-5, 32- or 64-bit); false: none to use. */
static bool unit_header(struct bb_cur *c, const uint8_t *base, struct unit *u)
{
	uint64_t len = bb_cur_le(c, 4);
	uint8_t type = 1;

	u->offset_size = 4;
	if (len == 0xffffffff) {
		u->offset_size = 8;
		len = bb_cur_le(c, 8);
	} else if (len >= 0xfffffff0) {
		c->bad = true;
	}
	if (c->bad || len > (uint64_t)(c->end - c->p))
		return c->bad = true, false;
	u->end = c->p - base + len;
	u->version = bb_cur_le(c, 2);
	if (u->version >= 5) {
		type = bb_cur_le(c, 1);
		u->addr_size = bb_cur_le(c, 1);
		u->abbrev_off = bb_cur_le(c, u->offset_size);
		if (type == 4 || type == 5)	/* skeleton, split: a dwo_id */
			bb_cur_le(c, 8);
	} else {
		u->abbrev_off = bb_cur_le(c, u->offset_size);
		u->addr_size = bb_cur_le(c, 1);
	}
	u->die = c->p - base;
	/* Compile, partial and skeleton units; not type units. */
	return !c->bad && u->version >= 2 && u->version <= 5 && (type == 1 || type == 3 ||
	       type == 4) && (u->addr_size == 4 || u->addr_size == 8) && u->die <= u->end;
}

static void read_units(struct bb_dwarf *d)
{
	const uint8_t *base = d->s.p[BB_DW_INFO];
	struct bb_cur c = cur_at(&d->s, BB_DW_INFO, 0);
	size_t cap = 0;
	struct unit u;

	d->units_read = true;
	while (!c.bad && c.p < c.end) {
		memset(&u, 0, sizeof(u));
		u.off = c.p - base;
		if (!unit_header(&c, base, &u)) {
			if (c.bad)
				break;
			c.p = base + u.end;
			continue;
		}
		if (d->nr_units == cap) {
			cap = cap ? 2 * cap : 16;
			d->units = bb_xrealloc(d->units, cap, sizeof(*d->units));
		}
		d->units[d->nr_units++] = u;
		c.p = base + u.end;
	}
}

/* The unit holding .debug_info offset @off (units are in order), or NULL. */
static struct unit *unit_of(struct bb_dwarf *d, uint64_t off)
{
	size_t lo = 0, hi;

	if (!d->units_read)
		read_units(d);
	hi = d->nr_units;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (off < d->units[mid].off)
			hi = mid;
		else if (off >= d->units[mid].end)
			lo = mid + 1;
		else
			return &d->units[mid];
	}
	return NULL;
}

#define DW_FORM_implicit_const 0x21

/* Skips one abbreviation's attribute specs; false when malformed. */
static bool skip_specs(struct bb_cur *c)
{
	uint64_t name, form;

	do {
		name = uleb(c);
		form = uleb(c);
		if (form == DW_FORM_implicit_const)
			sleb(c);
	} while ((name || form) && !c->bad);
	return !c->bad;
}

static void read_abbrevs(struct bb_dwarf *d, struct unit *u)
{
	struct bb_cur c = cur_at(&d->s, BB_DW_ABBREV, u->abbrev_off);
	size_t cap = 0;
	struct abbrev a;

	while (!c.bad && (a.code = uleb(&c))) {
		a.tag = uleb(&c);
		a.children = bb_cur_le(&c, 1);
		a.spec = c.p - d->s.p[BB_DW_ABBREV];
		if (!skip_specs(&c))
			break;
		if (u->nr_abbrevs == cap) {
			cap = cap ? 2 * cap : 64;
			u->abbrevs = bb_xrealloc(u->abbrevs, cap, sizeof(*u->abbrevs));
		}
		u->abbrevs[u->nr_abbrevs++] = a;
	}
}

static const struct abbrev *find_abbrev(const struct unit *u, uint64_t code)
{
	size_t i;

	/* Codes are mostly 1, 2, 3... in order. */
	if (code - 1 < u->nr_abbrevs && u->abbrevs[code - 1].code == code)
		return &u->abbrevs[code - 1];
	for (i = 0; i < u->nr_abbrevs; i++)
		if (u->abbrevs[i].code == code)
			return &u->abbrevs[i];
	return NULL;
}

/* ---- DIEs ------------------------------------------------------------------ */

enum { A_NAME, A_LINKAGE, A_LOW, A_HIGH, A_RANGES, A_ORIGIN, A_SPEC, A_CALL_FILE, A_CALL_LINE,
       A_STMT, A_STR_BASE, A_ADDR_BASE, A_RNG_BASE, A_SIBLING, A_NR };

static int wanted_attr(uint64_t at)
{
	switch (at) {
	case 0x01: return A_SIBLING;
	case 0x03: return A_NAME;
	case 0x10: return A_STMT;
	case 0x11: return A_LOW;
	case 0x12: return A_HIGH;
	case 0x31: return A_ORIGIN;
	case 0x47: return A_SPEC;
	case 0x55: return A_RANGES;
	case 0x58: return A_CALL_FILE;
	case 0x59: return A_CALL_LINE;
	case 0x6e: case 0x2007: return A_LINKAGE;
	case 0x72: return A_STR_BASE;
	case 0x73: case 0x2133: return A_ADDR_BASE;
	case 0x74: return A_RNG_BASE;
	default: return -1;
	}
}

struct attr {
	uint16_t form;
	uint64_t u;		/* number, offset (references: in .debug_info), index */
	const char *str;	/* DW_FORM_string */
};

struct die {
	uint64_t off, next;	/* next: the DIE after its attributes */
	uint16_t tag;		/* 0: a null entry (end of siblings) */
	bool children;
	unsigned have;		/* bit per A_ */
	struct attr a[A_NR];
};

/* One attribute value of @form at @c. */
static void read_form(struct bb_cur *c, const struct unit *u, uint64_t form, int64_t implicit,
		      struct attr *v)
{
	v->form = form;
	v->str = NULL;
	switch (form) {
	case 0x01: v->u = bb_cur_le(c, u->addr_size); break;				/* addr */
	case 0x03: bb_cur_skip(c, bb_cur_le(c, 2)); break;					/* block2 */
	case 0x04: bb_cur_skip(c, bb_cur_le(c, 4)); break;					/* block4 */
	case 0x09: case 0x18: bb_cur_skip(c, uleb(c)); break;				/* block, exprloc */
	case 0x0a: bb_cur_skip(c, bb_cur_le(c, 1)); break;					/* block1 */
	case 0x0b: case 0x0c: case 0x11: case 0x25: case 0x29: v->u = bb_cur_le(c, 1); break;
	case 0x05: case 0x12: case 0x26: case 0x2a: v->u = bb_cur_le(c, 2); break;
	case 0x27: case 0x2b: v->u = bb_cur_le(c, 3); break;
	case 0x06: case 0x13: case 0x1c: case 0x28: case 0x2c: v->u = bb_cur_le(c, 4); break;
	case 0x07: case 0x14: case 0x20: case 0x24: v->u = bb_cur_le(c, 8); break;
	case 0x1e: bb_cur_skip(c, 16); break;						/* data16 */
	case 0x08: v->str = rd_str(c); break;					/* string */
	case 0x0d: v->u = sleb(c); break;					/* sdata */
	case 0x0f: case 0x15: case 0x1a: case 0x1b: case 0x22: case 0x23:
	case 0x1f01: case 0x1f02:
		v->u = uleb(c);
		break;
	case 0x0e: case 0x1f: case 0x17: case 0x1d: case 0x1f20: case 0x1f21:
		v->u = bb_cur_le(c, u->offset_size);
		break;
	case 0x10: v->u = bb_cur_le(c, u->version <= 2 ? u->addr_size : u->offset_size); break;
	case 0x19: v->u = 1; break;						/* flag_present */
	case DW_FORM_implicit_const: v->u = implicit; break;
	case 0x16:								/* indirect */
		form = uleb(c);
		if (form == 0x16 || form == DW_FORM_implicit_const)
			c->bad = true;
		else
			read_form(c, u, form, 0, v);
		return;
	default:
		c->bad = true;	/* a form we cannot skip: nothing after it can be read */
	}
	/* Unit-relative references, as .debug_info offsets. */
	if (form == 0x11 || form == 0x12 || form == 0x13 || form == 0x14 || form == 0x15)
		v->u += u->off;
}

/* The DIE at .debug_info offset @off of unit @u; false when malformed. */
static bool read_die(struct bb_dwarf *d, struct unit *u, uint64_t off, struct die *die)
{
	struct bb_cur c = cur_at(&d->s, BB_DW_INFO, off), ac;
	const struct abbrev *ab;
	uint64_t code, name, form;
	int64_t implicit;
	struct attr v;
	int k;

	if (off < u->die || off >= u->end)
		return false;
	c.end = d->s.p[BB_DW_INFO] + u->end;
	die->off = off;
	die->have = 0;
	die->tag = 0;
	die->children = false;
	code = uleb(&c);
	if (code && !(ab = find_abbrev(u, code)))
		return false;
	if (code) {
		die->tag = ab->tag;
		die->children = ab->children;
		ac = cur_at(&d->s, BB_DW_ABBREV, ab->spec);
		for (;;) {
			name = uleb(&ac);
			form = uleb(&ac);
			implicit = form == DW_FORM_implicit_const ? sleb(&ac) : 0;
			if ((!name && !form) || ac.bad || c.bad)
				break;
			read_form(&c, u, form, implicit, &v);
			k = wanted_attr(name);
			if (k >= 0) {
				die->a[k] = v;
				die->have |= 1u << k;
			}
		}
		if (ac.bad)
			return false;
	}
	die->next = c.p - d->s.p[BB_DW_INFO];
	return !c.bad;
}

static bool has(const struct die *die, int k)
{
	return die->have & (1u << k);
}

static const char *attr_str(struct bb_dwarf *d, const struct unit *u, const struct attr *a)
{
	struct bb_cur c;

	switch (a->form) {
	case 0x08:
		return a->str;
	case 0x0e:
		return sec_str(&d->s, BB_DW_STR, a->u);
	case 0x1f:
		return sec_str(&d->s, BB_DW_LINE_STR, a->u);
	case 0x1d: case 0x1f21:		/* strp_sup, GNU_strp_alt: the alt file's */
		return d->alt ? sec_str(&d->alt->s, BB_DW_STR, a->u) : NULL;
	case 0x1a: case 0x25: case 0x26: case 0x27: case 0x28: case 0x1f02:
		if (a->u > UINT32_MAX)
			return NULL;
		c = cur_at(&d->s, BB_DW_STR_OFFSETS, u->str_base + a->u * u->offset_size);
		return c.bad ? NULL : sec_str(&d->s, BB_DW_STR, bb_cur_le(&c, u->offset_size));
	default:
		return NULL;
	}
}

static bool is_addrx(uint16_t form)
{
	return form == 0x1b || (form >= 0x29 && form <= 0x2c) || form == 0x1f01;
}

/* An address: DW_FORM_addr, or an index into .debug_addr. */
static bool addr_at(struct bb_dwarf *d, const struct unit *u, uint64_t index, uint64_t *addr)
{
	struct bb_cur c;

	if (index > UINT32_MAX)
		return false;
	c = cur_at(&d->s, BB_DW_ADDR, u->addr_base + index * u->addr_size);
	*addr = bb_cur_le(&c, u->addr_size);
	return !c.bad;
}

static bool attr_addr(struct bb_dwarf *d, const struct unit *u, const struct attr *a,
		      uint64_t *addr)
{
	if (is_addrx(a->form))
		return addr_at(d, u, a->u, addr);
	*addr = a->u;
	return a->form == 0x01;
}

/* The root DIE's bases, read once; false when the unit is none to use. */
static bool unit_ready(struct bb_dwarf *d, struct unit *u)
{
	struct die die;

	if (u->read)
		return u->usable;
	u->read = true;
	read_abbrevs(d, u);
	if (!read_die(d, u, u->die, &die) ||
	    (die.tag != 0x11 && die.tag != 0x3c && die.tag != 0x4a))
		return false;
	u->str_base = has(&die, A_STR_BASE) ? die.a[A_STR_BASE].u : 0;
	u->addr_base = has(&die, A_ADDR_BASE) ? die.a[A_ADDR_BASE].u : 0;
	u->rng_base = has(&die, A_RNG_BASE) ? die.a[A_RNG_BASE].u : 0;
	if (has(&die, A_LOW))
		attr_addr(d, u, &die.a[A_LOW], &u->low_pc);
	u->has_stmt = has(&die, A_STMT);
	u->stmt_list = die.a[A_STMT].u;
	return u->usable = true;
}

/* ---- address ranges -------------------------------------------------------- */

/* Where a DIE's code is, as to an address: */
enum { ELSEWHERE, HOLDS, NO_RANGE };

/* DWARF 2-4: .debug_ranges, pairs of addresses, base-address entries.
 * NO_RANGE: the list ends at once (gcc writes an empty first range so). */
static int ranges_hold(struct bb_dwarf *d, const struct unit *u, uint64_t off, uint64_t pc)
{
	struct bb_cur c = cur_at(&d->s, BB_DW_RANGES, off);
	uint64_t base = u->low_pc, lo, hi, max = u->addr_size == 4 ? UINT32_MAX : UINT64_MAX;
	bool first = true;

	while (!c.bad) {
		lo = bb_cur_le(&c, u->addr_size);
		hi = bb_cur_le(&c, u->addr_size);
		if (c.bad || (!lo && !hi))
			return first && !c.bad ? NO_RANGE : ELSEWHERE;
		first = false;
		if (lo == max)
			base = hi;
		else if (pc >= base + lo && pc < base + hi)
			return HOLDS;
	}
	return ELSEWHERE;
}

/* DWARF 5: .debug_rnglists entries (DW_RLE_*). */
static bool rnglist_holds(struct bb_dwarf *d, const struct unit *u, uint64_t off, uint64_t pc)
{
	struct bb_cur c = cur_at(&d->s, BB_DW_RNGLISTS, off);
	uint64_t base = u->low_pc, lo, hi;
	bool ok;

	while (!c.bad) {
		ok = true;
		switch (bb_cur_le(&c, 1)) {
		case 0:			/* end_of_list */
			return false;
		case 1:			/* base_addressx */
			if (!addr_at(d, u, uleb(&c), &base))
				return false;
			continue;
		case 2:			/* startx_endx */
			ok = addr_at(d, u, uleb(&c), &lo) && addr_at(d, u, uleb(&c), &hi);
			break;
		case 3:			/* startx_length */
			ok = addr_at(d, u, uleb(&c), &lo);
			hi = lo + uleb(&c);
			break;
		case 4:			/* offset_pair */
			lo = base + uleb(&c);
			hi = base + uleb(&c);
			break;
		case 5:			/* base_address */
			base = bb_cur_le(&c, u->addr_size);
			continue;
		case 6:			/* start_end */
			lo = bb_cur_le(&c, u->addr_size);
			hi = bb_cur_le(&c, u->addr_size);
			break;
		case 7:			/* start_length */
			lo = bb_cur_le(&c, u->addr_size);
			hi = lo + uleb(&c);
			break;
		default:
			return false;
		}
		if (ok && !c.bad && pc >= lo && pc < hi)
			return true;
	}
	return false;
}

static int die_holds(struct bb_dwarf *d, const struct unit *u, const struct die *die,
		     uint64_t pc)
{
	uint64_t lo, hi, off = die->a[A_RANGES].u;
	struct bb_cur c;

	if (has(die, A_LOW) && has(die, A_HIGH)) {
		if (!attr_addr(d, u, &die->a[A_LOW], &lo))
			return ELSEWHERE;
		if (die->a[A_HIGH].form == 0x01 || is_addrx(die->a[A_HIGH].form)) {
			if (!attr_addr(d, u, &die->a[A_HIGH], &hi))
				return ELSEWHERE;
		} else {
			hi = lo + die->a[A_HIGH].u;	/* DWARF 4+: a length */
		}
		return pc >= lo && pc < hi ? HOLDS : ELSEWHERE;
	}
	if (!has(die, A_RANGES))
		return ELSEWHERE;
	if (u->version < 5)
		return ranges_hold(d, u, off, pc);
	if (die->a[A_RANGES].form == 0x23) {	/* rnglistx: an offset from the base */
		if (off > UINT32_MAX)
			return ELSEWHERE;
		c = cur_at(&d->s, BB_DW_RNGLISTS, u->rng_base + off * u->offset_size);
		off = u->rng_base + bb_cur_le(&c, u->offset_size);
		if (c.bad)
			return ELSEWHERE;
	}
	return rnglist_holds(d, u, off, pc) ? HOLDS : ELSEWHERE;
}

/* ---- which unit ------------------------------------------------------------ */

static void read_aranges(struct bb_dwarf *d)
{
	struct bb_cur c = cur_at(&d->s, BB_DW_ARANGES, 0), set;
	const uint8_t *base = d->s.p[BB_DW_ARANGES];
	size_t cap = 0;
	uint64_t len, unit_off, lo, n;
	unsigned osize, asize, align;

	d->aranges_read = true;
	while (!c.bad && c.p < c.end) {
		osize = 4;
		set = c;
		len = bb_cur_le(&c, 4);
		if (len == 0xffffffff) {
			osize = 8;
			len = bb_cur_le(&c, 8);
		}
		if (c.bad || len > (uint64_t)(c.end - c.p))
			break;
		set.end = c.p + len;
		set.p = c.p;
		c.p += len;
		if (bb_cur_le(&set, 2) != 2)
			continue;
		unit_off = bb_cur_le(&set, osize);
		asize = bb_cur_le(&set, 1);
		if (bb_cur_le(&set, 1) || (asize != 4 && asize != 8))
			continue;	/* segmented: none of ours */
		/* Tuples are aligned to twice the address size from the set's start. */
		align = (set.p - base) % (2 * asize);
		if (align)
			bb_cur_skip(&set, 2 * asize - align);
		while (!set.bad) {
			lo = bb_cur_le(&set, asize);
			n = bb_cur_le(&set, asize);
			if (set.bad || (!lo && !n))
				break;
			if (d->nr_ar == cap) {
				cap = cap ? 2 * cap : 64;
				d->ar = bb_xrealloc(d->ar, cap, sizeof(*d->ar));
			}
			d->ar[d->nr_ar++] = (struct arange){ lo, lo + n, unit_off };
		}
	}
}

/* The unit whose code holds @pc: by .debug_aranges, else by each unit's
 * own ranges. */
static struct unit *find_unit(struct bb_dwarf *d, uint64_t pc)
{
	struct unit *u;
	struct die die;
	size_t i;

	if (!d->units_read)
		read_units(d);
	if (!d->aranges_read)
		read_aranges(d);
	for (i = 0; i < d->nr_ar; i++) {
		if (pc < d->ar[i].lo || pc >= d->ar[i].hi)
			continue;
		u = unit_of(d, d->ar[i].unit_off);
		if (u && u->off == d->ar[i].unit_off && unit_ready(d, u))
			return u;
	}
	for (i = 0; i < d->nr_units; i++) {
		u = &d->units[i];
		if (unit_ready(d, u) && read_die(d, u, u->die, &die) &&
		    die_holds(d, u, &die, pc) == HOLDS)
			return u;
	}
	return NULL;
}

/* ---- line tables ----------------------------------------------------------- */

static void add_file(struct unit *u, size_t *cap, const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (u->nr_files == *cap) {
		*cap = *cap ? 2 * *cap : 32;
		u->files = bb_xrealloc(u->files, *cap, sizeof(*u->files));
	}
	u->files[u->nr_files++] = slash ? slash + 1 : path;
}

/* DWARF 5 directory or file entries: formats, then entries; the paths of
 * files kept when @files. */
static bool v5_entries(struct bb_dwarf *d, struct unit *u, struct bb_cur *c, size_t *cap,
		       bool files)
{
	uint64_t fmt[32][2], n, i;
	unsigned nfmt = bb_cur_le(c, 1), k;
	const char *path;
	struct attr v;

	if (nfmt > 32)
		return false;
	for (k = 0; k < nfmt; k++) {
		fmt[k][0] = uleb(c);
		fmt[k][1] = uleb(c);
	}
	n = uleb(c);
	for (i = 0; i < n && !c->bad; i++) {
		const uint8_t *at = c->p;

		path = NULL;
		for (k = 0; k < nfmt && !c->bad; k++) {
			if (fmt[k][1] == DW_FORM_implicit_const || fmt[k][1] == 0x16)
				return false;
			read_form(c, u, fmt[k][1], 0, &v);
			if (fmt[k][0] == 1)	/* DW_LNCT_path */
				path = attr_str(d, u, &v);
		}
		/* An entry of no bytes: a count that could run for ever. */
		if (c->p == at)
			return false;
		if (files)
			add_file(u, cap, path);
	}
	return !c->bad;
}

/* DWARF 2-4: include directories, then file entries, each list ended by "". */
static bool v4_entries(struct unit *u, struct bb_cur *c, size_t *cap)
{
	const char *s;

	while ((s = rd_str(c)) && *s)
		;
	add_file(u, cap, NULL);		/* numbered from 1 */
	while ((s = rd_str(c)) && *s) {
		uleb(c);
		uleb(c);
		uleb(c);
		add_file(u, cap, s);
	}
	return !c->bad;
}

struct lstate {
	uint64_t addr;
	uint32_t file, line;
	struct row *rows;
	size_t nr, cap;
};

static void emit(struct lstate *st, bool end)
{
	if (st->nr == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 256;
		st->rows = bb_xrealloc(st->rows, st->cap, sizeof(*st->rows));
	}
	st->rows[st->nr++] = (struct row){ st->addr, st->line, end ? END_SEQ : st->file };
}

/* The line number program's rows, from @c to its end. */
static void run_program(struct bb_cur *c, struct lstate *st, unsigned min_len,
			int line_base, unsigned line_range, unsigned opcode_base,
			const uint8_t *op_lengths)
{
	uint64_t len, adj;
	const uint8_t *next;
	unsigned op, i;

	st->addr = 0;
	st->file = 1;
	st->line = 1;
	while (!c->bad && c->p < c->end) {
		op = bb_cur_le(c, 1);
		if (op >= opcode_base) {
			adj = op - opcode_base;
			st->addr += adj / line_range * min_len;
			st->line += line_base + (int)(adj % line_range);
			emit(st, false);
			continue;
		}
		switch (op) {
		case 0:				/* extended */
			len = uleb(c);
			if (c->bad || !len || len > (uint64_t)(c->end - c->p)) {
				c->bad = true;
				break;
			}
			next = c->p + len;
			op = bb_cur_le(c, 1);
			if (op == 1) {		/* end_sequence */
				emit(st, true);
				st->addr = 0;
				st->file = 1;
				st->line = 1;
			} else if (op == 2) {	/* set_address */
				st->addr = bb_cur_le(c, len - 1 == 4 ? 4 : 8);
			}
			c->p = next;
			break;
		case 1: emit(st, false); break;				/* copy */
		case 2: st->addr += uleb(c) * min_len; break;		/* advance_pc */
		case 3: st->line += sleb(c); break;			/* advance_line */
		case 4: st->file = uleb(c); break;			/* set_file */
		case 8: st->addr += (255 - opcode_base) / line_range * min_len; break;
		case 9: st->addr += bb_cur_le(c, 2); break;			/* fixed_advance_pc */
		default:		/* column, flags, isa...: operands skipped */
			for (i = 0; i < op_lengths[op - 1]; i++)
				uleb(c);
		}
	}
}

static void read_lines(struct bb_dwarf *d, struct unit *u)
{
	struct bb_cur c = cur_at(&d->s, BB_DW_LINE, u->stmt_list);
	unsigned osize = 4, version, min_len, line_range, opcode_base;
	struct lstate st = { 0 };
	const uint8_t *end, *program, *op_lengths;
	uint64_t len, hlen;
	size_t cap = 0;
	int line_base;
	bool ok;

	u->lines_read = true;
	len = bb_cur_le(&c, 4);
	if (len == 0xffffffff) {
		osize = 8;
		len = bb_cur_le(&c, 8);
	}
	if (c.bad || len > (uint64_t)(c.end - c.p))
		return;
	end = c.p + len;
	c.end = end;
	version = bb_cur_le(&c, 2);
	if (version < 2 || version > 5)
		return;
	if (version >= 5)
		bb_cur_skip(&c, 2);		/* address and segment selector sizes */
	hlen = bb_cur_le(&c, osize);
	if (c.bad || hlen > (uint64_t)(end - c.p))
		return;
	program = c.p + hlen;
	min_len = bb_cur_le(&c, 1);
	if (version >= 4)
		bb_cur_le(&c, 1);		/* maximum operations per instruction: VLIW only */
	bb_cur_le(&c, 1);			/* default_is_stmt */
	line_base = (int8_t)bb_cur_le(&c, 1);
	line_range = bb_cur_le(&c, 1);
	opcode_base = bb_cur_le(&c, 1);
	op_lengths = c.p;
	bb_cur_skip(&c, opcode_base ? opcode_base - 1 : 0);
	if (c.bad || !line_range || !opcode_base)
		return;
	if (version >= 5)
		ok = v5_entries(d, u, &c, &cap, false) && v5_entries(d, u, &c, &cap, true);
	else
		ok = v4_entries(u, &c, &cap);
	if (!ok)
		return;
	c.p = program;
	run_program(&c, &st, min_len, line_base, line_range, opcode_base, op_lengths);
	u->rows = st.rows;
	u->nr_rows = st.nr;
}

/* The row in effect at @pc: the last one at or below it in a sequence that
 * goes on past it. */
static const struct row *find_row(struct unit *u, uint64_t pc)
{
	const struct row *best = NULL;
	size_t i;

	for (i = 0; i + 1 < u->nr_rows; i++) {
		const struct row *r = &u->rows[i];

		if (r->file != END_SEQ && r->addr <= pc && pc < r[1].addr &&
		    (!best || r->addr >= best->addr))
			best = r;
	}
	return best;
}

static const char *file_name(const struct unit *u, uint64_t i)
{
	return i < u->nr_files ? u->files[i] : NULL;
}

/* ---- the inlined chain -------------------------------------------------------- */

/* ref_sup4, ref_sup8, GNU_ref_alt: a DIE of the alt file (dwz -m). */
static bool is_alt_ref(uint16_t form)
{
	return form == 0x1c || form == 0x24 || form == 0x1f20;
}

/* A function's name: its linkage name, else its name, else its abstract
 * origin's or its declaration's (dwz moves those to partial units, of
 * this file or of the alt one). */
static const char *die_name(struct bb_dwarf *d, struct unit *u, struct die die)
{
	const char *name = NULL, *s;
	const struct attr *ref;
	int hop;

	for (hop = 0; hop < MAX_HOPS; hop++) {
		if (has(&die, A_LINKAGE) && (s = attr_str(d, u, &die.a[A_LINKAGE])))
			return s;
		if (!name && has(&die, A_NAME))
			name = attr_str(d, u, &die.a[A_NAME]);
		if (name && !has(&die, A_ORIGIN) && !has(&die, A_SPEC))
			break;
		ref = has(&die, A_ORIGIN) ? &die.a[A_ORIGIN] :
		      has(&die, A_SPEC) ? &die.a[A_SPEC] : NULL;
		if (ref && is_alt_ref(ref->form))
			d = d->alt;
		if (!ref || !d || !(u = unit_of(d, ref->u)) || !unit_ready(d, u) ||
		    !read_die(d, u, ref->u, &die))
			break;
	}
	return name;
}

struct scope {
	struct die die;
	int depth;
};

static bool is_func(uint16_t tag)
{
	return tag == 0x2e || tag == 0x1d;	/* subprogram, inlined_subroutine */
}

/* The functions (and inlined calls) holding @pc in @u, outermost first.
 * An inlined call of no range (gcc's DWARF 4, above) is one when a call
 * inside it holds @pc, as the DIE tree says (addr2line, llvm-addr2line). */
static int find_scopes(struct bb_dwarf *d, struct unit *u, uint64_t pc, struct scope *sc)
{
	struct scope maybe[MAX_CHAIN];
	uint64_t off = u->die;
	struct die die;
	int depth = 0, n = 0, nm = 0, where, i;

	if (!read_die(d, u, off, &die) || !die.children)
		return 0;
	off = die.next;
	depth = 1;
	while (depth > 0 && read_die(d, u, off, &die)) {
		off = die.next;
		if (!die.tag) {
			depth--;
			continue;
		}
		/* Past the function found: nothing after it holds @pc. */
		if (n && depth <= sc[0].depth)
			break;
		while (nm && maybe[nm - 1].depth >= depth)
			nm--;		/* no longer around this DIE */
		where = is_func(die.tag) ? die_holds(d, u, &die, pc) : ELSEWHERE;
		/* Ranges of siblings do not overlap: what holds @pc nests. */
		if (where == HOLDS && n < MAX_CHAIN && (!n || depth > sc[n - 1].depth)) {
			for (i = 0; n && i < nm && n < MAX_CHAIN - 1; i++)
				if (maybe[i].depth > sc[n - 1].depth)
					sc[n++] = maybe[i];
			sc[n++] = (struct scope){ die, depth };
		} else if (where == NO_RANGE && die.children && nm < MAX_CHAIN) {
			maybe[nm++] = (struct scope){ die, depth };
		}
		if (!die.children)
			continue;
		/* A function elsewhere: over its children at once. */
		if (is_func(die.tag) && where == ELSEWHERE && has(&die, A_SIBLING) &&
		    die.a[A_SIBLING].u > die.off && die.a[A_SIBLING].u < u->end)
			off = die.a[A_SIBLING].u;
		else
			depth++;
	}
	return n;
}

int bb_dwarf_lookup(struct bb_dwarf *d, uint64_t pc, struct bb_srcline *out, int max)
{
	struct scope sc[MAX_CHAIN];
	const struct row *row = NULL;
	struct unit *u;
	int n, i, k = 0;

	if (!d || max <= 0 || !(u = find_unit(d, pc)))
		return 0;
	if (u->has_stmt && !u->lines_read)
		read_lines(d, u);
	row = find_row(u, pc);
	n = find_scopes(d, u, pc, sc);
	if (!n && !row)
		return 0;
	out[k].name = n ? die_name(d, u, sc[n - 1].die) : NULL;
	out[k].file = row ? file_name(u, row->file) : NULL;
	out[k++].line = row ? row->line : 0;
	/* Each inlined call's site is a line in the function it is inlined into. */
	for (i = n - 1; i > 0 && k < max; i--) {
		const struct die *call = &sc[i].die;

		out[k].name = die_name(d, u, sc[i - 1].die);
		out[k].file = has(call, A_CALL_FILE) ? file_name(u, call->a[A_CALL_FILE].u) : NULL;
		out[k++].line = has(call, A_CALL_LINE) ? call->a[A_CALL_LINE].u : 0;
	}
	return k;
}
