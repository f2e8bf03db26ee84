// SPDX-License-Identifier: GPL-2.0
/*
 * .eh_frame / .debug_frame to unwind rows (unwind.h).  The format is the
 * DWARF one (DWARF 5, section 6.4) with the LSB's .eh_frame changes: CIE
 * ids, pc-relative pointer encodings, the "z" augmentation.  Only the
 * rules of three things are followed: the CFA, the return address and the
 * frame pointer; every other register's rule is read and dropped.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "bpfbox.h"
#include "cursor.h"
#include "unwind.h"

#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif

/* DW_EH_PE_*: pointer encodings (LSB 10.6.1). */
#define PE_OMIT		0xff
#define PE_FORMAT	0x0f
#define PE_APPL		0x70
#define PE_PCREL	0x10
#define PE_INDIRECT	0x80

/* Nested DW_CFA_remember_state deeper than this: the FDE is dropped. */
#define MAX_REMEMBER 16

static uint64_t get_uleb(struct bb_cur *c)
{
	return bb_cur_leb(c, false);
}

static int64_t get_sleb(struct bb_cur *c)
{
	return (int64_t)bb_cur_leb(c, true);
}

/* Where the section is: pc-relative pointers are relative to their own
 * link-time address. */
struct section {
	const uint8_t *base;
	size_t len;
	uint64_t addr;
	bool eh;
	unsigned fp, sp, ra;	/* DWARF register numbers of this machine */
};

/* An encoded pointer (DW_EH_PE_*); @c->bad when it cannot be decoded here. */
static uint64_t get_encoded(struct bb_cur *c, const struct section *s, uint8_t enc)
{
	uint64_t here = s->addr + (uint64_t)(c->p - s->base), v;

	if (enc == PE_OMIT)
		return 0;
	switch (enc & PE_FORMAT) {
	case 0x00: v = bb_cur_le(c, 8); break;
	case 0x01: v = get_uleb(c); break;
	case 0x02: v = bb_cur_le(c, 2); break;
	case 0x03: v = bb_cur_le(c, 4); break;
	case 0x04: v = bb_cur_le(c, 8); break;
	case 0x09: v = get_sleb(c); break;
	case 0x0a: v = (int16_t)bb_cur_le(c, 2); break;
	case 0x0b: v = (int32_t)bb_cur_le(c, 4); break;
	case 0x0c: v = bb_cur_le(c, 8); break;
	default: c->bad = true; return 0;
	}
	if ((enc & PE_APPL) == PE_PCREL)
		v += here;
	else if (enc & (PE_APPL | PE_INDIRECT))
		c->bad = true;	/* text/data/func-relative, indirect: not in a CFI we use */
	return v;
}

/* A register's rule, for the two registers followed. */
enum rule { R_SAME, R_UNDEF, R_OFFSET, R_OTHER };

struct regrule {
	uint8_t rule;
	int64_t off;
};

struct state {
	unsigned cfa_reg;
	int64_t cfa_off;
	bool cfa_expr;
	struct regrule fp, ra;
};

struct cie {
	uint64_t code_align;
	int64_t data_align;
	unsigned ra_reg;
	uint8_t fde_enc;
	unsigned addr_size;
	bool z;
	struct bb_cur insns;
};

/* One entry's header: its length field read; @c then covers its body. */
static bool entry(struct bb_cur *sec, struct bb_cur *body, bool *dwarf64)
{
	uint64_t len = bb_cur_le(sec, 4);

	*dwarf64 = len == 0xffffffff;
	if (*dwarf64)
		len = bb_cur_le(sec, 8);
	if (sec->bad || len > (uint64_t)(sec->end - sec->p))
		return false;
	body->p = sec->p;
	body->end = sec->p + len;
	body->bad = false;
	sec->p += len;
	return true;
}

static bool read_cie(const struct section *s, uint64_t off, struct cie *cie)
{
	struct bb_cur sec = { s->base + off, s->base + s->len, off > s->len }, c;
	const char *aug;
	uint64_t id, auglen;
	uint8_t version;
	bool d64;
	size_t i;

	if (sec.bad || !entry(&sec, &c, &d64))
		return false;
	id = bb_cur_le(&c, d64 ? 8 : 4);
	if (s->eh ? id != 0 : id != (d64 ? ~0ULL : 0xffffffffULL))
		return false;
	version = bb_cur_le(&c, 1);
	if (version != 1 && version != 3 && version != 4)
		return false;
	aug = (const char *)c.p;
	while (bb_cur_need(&c, 1) && *c.p)
		c.p++;
	c.p += !c.bad;
	memset(cie, 0, sizeof(*cie));
	cie->addr_size = 8;
	if (version == 4) {
		cie->addr_size = bb_cur_le(&c, 1);
		bb_cur_le(&c, 1);		/* segment selector size */
		if (cie->addr_size != 4 && cie->addr_size != 8)
			return false;
	}
	/* "eh" (an old GCC's extra pointer) and other unsized data: no way past. */
	if (aug[0] && aug[0] != 'z')
		return false;
	cie->code_align = get_uleb(&c);
	cie->data_align = get_sleb(&c);
	cie->ra_reg = version == 1 ? bb_cur_le(&c, 1) : get_uleb(&c);
	cie->fde_enc = 0;	/* absptr */
	if (aug[0] == 'z') {
		struct bb_cur data;

		cie->z = true;
		auglen = get_uleb(&c);
		if (!bb_cur_need(&c, auglen))
			return false;
		data = (struct bb_cur){ c.p, c.p + auglen, false };
		c.p += auglen;
		for (i = 1; aug[i] && !data.bad; i++) {
			if (aug[i] == 'R') {
				cie->fde_enc = bb_cur_le(&data, 1);
			} else if (aug[i] == 'P') {
				uint8_t enc = bb_cur_le(&data, 1);

				/* The personality may be indirect: skip its bytes only. */
				get_encoded(&data, s, enc & (PE_FORMAT | PE_APPL));
			} else if (aug[i] == 'L') {
				bb_cur_le(&data, 1);
			} else if (aug[i] != 'S' && aug[i] != 'B' && aug[i] != 'G') {
				break;	/* unknown: the length says where the rest ends */
			}
		}
	}
	cie->insns = c;
	return !c.bad && cie->code_align;
}

/* The row the state makes, as unwind.h describes it. */
static struct bb_unwind_row make_row(const struct section *s, const struct state *st,
				     uint64_t pc)
{
	struct bb_unwind_row r = { .pc = pc, .cfa = BB_CFA_UNKNOWN };

	if (st->ra.rule == R_UNDEF) {
		r.cfa = BB_CFA_END;
		return r;
	}
	if (st->cfa_expr || (st->cfa_reg != s->sp && st->cfa_reg != s->fp) ||
	    st->cfa_off < INT32_MIN || st->cfa_off > INT32_MAX)
		return r;
	if (st->ra.rule == R_OFFSET && st->ra.off && st->ra.off >= INT16_MIN &&
	    st->ra.off <= INT16_MAX)
		r.ra_off = st->ra.off;
	else if (st->ra.rule != R_SAME)
		return r;
	if (st->fp.rule == R_OFFSET && st->fp.off && st->fp.off >= INT16_MIN &&
	    st->fp.off <= INT16_MAX)
		r.fp_off = st->fp.off;
	else if (st->fp.rule != R_SAME && st->fp.rule != R_UNDEF)
		return r;
	r.cfa_off = st->cfa_off;
	r.cfa = st->cfa_reg == s->sp ? BB_CFA_SP : BB_CFA_FP;
	return r;
}

static bool same_rule(const struct bb_unwind_row *a, const struct bb_unwind_row *b)
{
	return a->cfa == b->cfa && a->cfa_off == b->cfa_off && a->ra_off == b->ra_off &&
	       a->fp_off == b->fp_off;
}

static void push_row(struct bb_unwind_rows *rows, const struct bb_unwind_row *r,
		     size_t fde_first)
{
	if (rows->nr > fde_first && same_rule(&rows->v[rows->nr - 1], r))
		return;		/* no change: the previous row goes on */
	if (rows->nr > fde_first && rows->v[rows->nr - 1].pc == r->pc) {
		rows->v[rows->nr - 1] = *r;	/* an empty range: replaced */
		return;
	}
	if (rows->nr == rows->cap) {
		rows->cap = rows->cap ? 2 * rows->cap : 256;
		rows->v = bb_xrealloc(rows->v, rows->cap, sizeof(*rows->v));
	}
	rows->v[rows->nr++] = *r;
}

static struct regrule *followed(const struct section *s, struct state *st, uint64_t reg)
{
	if (reg == s->fp)
		return &st->fp;
	if (reg == s->ra)
		return &st->ra;
	return NULL;
}

struct prog {
	const struct section *s;
	const struct cie *cie;
	const struct state *initial;	/* after the CIE's instructions: DW_CFA_restore */
	struct state st;
	struct state saved[MAX_REMEMBER];
	unsigned depth;
	uint64_t loc, end;		/* end 0: the CIE's program (no rows) */
	struct bb_unwind_rows *rows;
	size_t fde_first;
};

static void set_reg(struct prog *p, uint64_t reg, uint8_t rule, int64_t off)
{
	struct regrule *r = followed(p->s, &p->st, reg);

	if (r)
		*r = (struct regrule){ rule, off };
}

static void restore_reg(struct prog *p, uint64_t reg)
{
	struct regrule *r = followed(p->s, &p->st, reg);

	if (r && p->initial)
		*r = *followed(p->s, (struct state *)p->initial, reg);
}

/* Advances the location: the rows so far hold up to the new one. */
static bool advance(struct prog *p, uint64_t delta)
{
	struct bb_unwind_row r;

	if (!p->end)
		return false;	/* a CIE has no addresses */
	r = make_row(p->s, &p->st, p->loc);
	push_row(p->rows, &r, p->fde_first);
	if (delta > p->end - p->loc)
		return false;
	p->loc += delta;
	return p->loc < p->end;
}

/* One DW_CFA_* instruction; false ends the program (its end, or garbage). */
static bool step(struct prog *p, struct bb_cur *c)
{
	const struct cie *cie = p->cie;
	uint8_t op = bb_cur_le(c, 1), low = op & 0x3f;
	uint64_t reg, v;

	if (c->bad)
		return false;
	switch (op >> 6) {
	case 1: return advance(p, low * cie->code_align);			/* advance_loc */
	case 2: set_reg(p, low, R_OFFSET, (int64_t)get_uleb(c) * cie->data_align); return !c->bad;
	case 3: restore_reg(p, low); return true;
	}
	switch (op) {
	case 0x00: return true;							/* nop */
	case 0x01:								/* set_loc */
		v = get_encoded(c, p->s, p->s->eh ? cie->fde_enc : 0);
		return !c->bad && v >= p->loc && advance(p, v - p->loc);
	case 0x02: v = bb_cur_le(c, 1); return !c->bad && advance(p, v * cie->code_align);
	case 0x03: v = bb_cur_le(c, 2); return !c->bad && advance(p, v * cie->code_align);
	case 0x04: v = bb_cur_le(c, 4); return !c->bad && advance(p, v * cie->code_align);
	case 0x05:								/* offset_extended */
		reg = get_uleb(c);
		set_reg(p, reg, R_OFFSET, (int64_t)get_uleb(c) * cie->data_align);
		break;
	case 0x06: restore_reg(p, get_uleb(c)); break;				/* restore_extended */
	case 0x07: set_reg(p, get_uleb(c), R_UNDEF, 0); break;			/* undefined */
	case 0x08: set_reg(p, get_uleb(c), R_SAME, 0); break;			/* same_value */
	case 0x09: set_reg(p, get_uleb(c), R_OTHER, 0); get_uleb(c); break;	/* register */
	case 0x0a:								/* remember_state */
		if (p->depth == MAX_REMEMBER)
			return false;
		p->saved[p->depth++] = p->st;
		break;
	case 0x0b:								/* restore_state */
		if (!p->depth)
			return false;
		/* The CFA is restored too (DWARF 5 says so; GCC relies on it). */
		p->st = p->saved[--p->depth];
		break;
	case 0x0c:								/* def_cfa */
		p->st.cfa_reg = get_uleb(c);
		p->st.cfa_off = get_uleb(c);
		p->st.cfa_expr = false;
		break;
	case 0x0d: p->st.cfa_reg = get_uleb(c); p->st.cfa_expr = false; break;	/* def_cfa_register */
	case 0x0e: p->st.cfa_off = get_uleb(c); break;				/* def_cfa_offset */
	case 0x0f:								/* def_cfa_expression */
		v = get_uleb(c);
		p->st.cfa_expr = true;
		if (bb_cur_need(c, v))
			c->p += v;
		break;
	case 0x10:								/* expression */
	case 0x16:								/* val_expression */
		set_reg(p, get_uleb(c), R_OTHER, 0);
		v = get_uleb(c);
		if (bb_cur_need(c, v))
			c->p += v;
		break;
	case 0x11:								/* offset_extended_sf */
		reg = get_uleb(c);
		set_reg(p, reg, R_OFFSET, get_sleb(c) * cie->data_align);
		break;
	case 0x12:								/* def_cfa_sf */
		p->st.cfa_reg = get_uleb(c);
		p->st.cfa_off = get_sleb(c) * cie->data_align;
		p->st.cfa_expr = false;
		break;
	case 0x13: p->st.cfa_off = get_sleb(c) * cie->data_align; break;	/* def_cfa_offset_sf */
	case 0x14:								/* val_offset */
		reg = get_uleb(c);
		get_uleb(c);
		set_reg(p, reg, R_OTHER, 0);
		break;
	case 0x15:								/* val_offset_sf */
		reg = get_uleb(c);
		get_sleb(c);
		set_reg(p, reg, R_OTHER, 0);
		break;
	case 0x2d: break;		/* GNU_window_save / AARCH64_negate_ra_state */
	case 0x2e: get_uleb(c); break;						/* GNU_args_size */
	case 0x2f:						/* GNU_negative_offset_extended */
		reg = get_uleb(c);
		set_reg(p, reg, R_OFFSET, -(int64_t)get_uleb(c) * cie->data_align);
		break;
	default:
		return false;	/* unknown: its operands cannot be skipped */
	}
	return !c->bad;
}

/* Runs a program; false when it stopped on something it cannot read. */
static bool run(struct prog *p, struct bb_cur c)
{
	while (c.p < c.end)
		if (!step(p, &c))
			return p->end && p->loc >= p->end;	/* past the FDE's end: done */
	return true;
}

/* The initial rules: the CFA nowhere, every register keeping its value
 * (the return address in a link register until saved, on arm64). */
static void initial_state(struct state *st)
{
	memset(st, 0, sizeof(*st));
	st->cfa_reg = ~0u;
	st->fp.rule = R_SAME;
	st->ra.rule = R_SAME;
}

static bool read_fde(const struct section *s, struct bb_unwind_rows *rows, struct bb_cur *c,
		     uint64_t cie_off)
{
	struct prog p = { .s = s, .rows = rows, .fde_first = rows->nr };
	struct bb_unwind_row end;
	struct state init;
	struct cie cie;
	uint64_t begin, range;

	if (!read_cie(s, cie_off, &cie))
		return false;
	begin = get_encoded(c, s, s->eh ? cie.fde_enc : 0);
	if (!s->eh && cie.addr_size == 4)
		begin = (uint32_t)begin;
	range = get_encoded(c, s, s->eh ? cie.fde_enc & PE_FORMAT : 0);
	if (cie.z) {
		uint64_t n = get_uleb(c);

		if (bb_cur_need(c, n))
			c->p += n;
	}
	if (c->bad || !range || begin + range < begin)
		return false;
	initial_state(&init);
	p.cie = &cie;
	p.st = init;
	run(&p, cie.insns);	/* the CIE's instructions make the initial rules */
	init = p.st;
	p.initial = &init;
	p.depth = 0;
	p.loc = begin;
	p.end = begin + range;
	if (!run(&p, *c))
		initial_state(&p.st), p.st.cfa_expr = true;	/* garbage: unknown from here */
	if (p.loc < p.end)
		advance(&p, 0);	/* the last rule, up to the end */
	/* Past the end nothing is known, unless another FDE starts there. */
	end = (struct bb_unwind_row){ .pc = p.end, .cfa = BB_CFA_UNKNOWN };
	push_row(rows, &end, p.fde_first);
	return true;
}

static bool machine_regs(unsigned machine, struct section *s)
{
	if (machine == EM_X86_64) {
		s->fp = 6, s->sp = 7, s->ra = 16;	/* rbp, rsp, the return address column */
		return true;
	}
	if (machine == EM_AARCH64) {
		s->fp = 29, s->sp = 31, s->ra = 30;	/* x29, sp, x30 (lr) */
		return true;
	}
	return false;
}

size_t bb_unwind_parse(struct bb_unwind_rows *rows, const uint8_t *sec, size_t len,
		       uint64_t sec_addr, bool eh, unsigned machine)
{
	struct section s = { .base = sec, .len = len, .addr = sec_addr, .eh = eh };
	struct bb_cur c = { sec, sec + len, false }, body;
	const uint8_t *id_at;
	uint64_t id, cie_off;
	size_t fdes = 0;
	bool d64;

	if (!sec || !machine_regs(machine, &s))
		return 0;
	while (c.p < c.end) {
		if (!entry(&c, &body, &d64))
			break;
		if (eh && body.p == body.end)
			break;		/* a zero length ends .eh_frame */
		id_at = body.p;
		id = bb_cur_le(&body, d64 ? 8 : 4);
		if (body.bad)
			continue;
		if (eh ? !id : id == (d64 ? ~0ULL : 0xffffffffULL))
			continue;	/* a CIE: read when an FDE names it */
		/* .eh_frame: back from the id field; .debug_frame: from the start. */
		if (eh) {
			if (id > (uint64_t)(id_at - sec))
				continue;
			cie_off = (uint64_t)(id_at - sec) - id;
		} else {
			cie_off = id;
		}
		fdes += read_fde(&s, rows, &body, cie_off);
	}
	return fdes;
}

static int cmp_row(const void *a, const void *b)
{
	const struct bb_unwind_row *x = a, *y = b;

	if (x->pc != y->pc)
		return x->pc < y->pc ? -1 : 1;
	/* At one address a real rule wins over another FDE's end marker. */
	return (x->cfa == BB_CFA_UNKNOWN) - (y->cfa == BB_CFA_UNKNOWN);
}

void bb_unwind_sort(struct bb_unwind_rows *rows)
{
	size_t i, n = 0;

	if (!rows->nr)
		return;
	qsort(rows->v, rows->nr, sizeof(*rows->v), cmp_row);
	for (i = 0; i < rows->nr; i++) {
		if (i && rows->v[i - 1].pc == rows->v[i].pc)
			continue;	/* the first at an address wins */
		if (n && same_rule(&rows->v[n - 1], &rows->v[i]))
			continue;	/* goes on as before */
		rows->v[n++] = rows->v[i];
	}
	rows->nr = n;
}

const struct bb_unwind_row *bb_unwind_find(const struct bb_unwind_rows *rows, uint64_t pc)
{
	size_t lo = 0, hi = rows->nr, mid;
	const struct bb_unwind_row *r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rows->v[mid].pc <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	r = &rows->v[lo - 1];
	return r->cfa == BB_CFA_UNKNOWN ? NULL : r;
}

void bb_unwind_free(struct bb_unwind_rows *rows)
{
	free(rows->v);
	memset(rows, 0, sizeof(*rows));
}
