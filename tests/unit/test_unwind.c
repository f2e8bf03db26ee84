// SPDX-License-Identifier: GPL-2.0
/*
 * Unwind rows (common/unwind.c) against GNU readelf's interpretation of the
 * same CFI (`readelf -wF`, binutils' own reader) as the oracle: every row
 * readelf prints for Debian's libc.so.6, libstdc++ and a few programs must
 * give the same CFA rule, return-address and frame-pointer save slots
 * here.  Then hand-made sections: .debug_frame, DWARF 64, garbage.
 */
#include "unit.h"
#include <elf.h>
#include "bpfbox.h"
#include "elfsyms.h"
#include "unwind.h"

struct expect {
	uint64_t pc;
	int cfa;		/* enum bb_cfa; BB_CFA_UNKNOWN: no row */
	int cfa_off, fp_off, ra_off;
};

/* One table line of readelf -wF: "LOC CFA reg... ra", columns as in @cols. */
static bool parse_row(char *line, char cols[][8], int ncols, struct expect *x)
{
	char *tok, *save;
	int i = -1;
	bool ra_undef = false;

	memset(x, 0, sizeof(*x));
	x->cfa = BB_CFA_UNKNOWN;
	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), i++) {
		if (i < 0) {
			x->pc = strtoull(tok, NULL, 16);
		} else if (i >= ncols) {
			return false;
		} else if (!strcmp(cols[i], "CFA")) {
			if (!strncmp(tok, "rsp+", 4))
				x->cfa = BB_CFA_SP, x->cfa_off = atoi(tok + 4);
			else if (!strncmp(tok, "rbp+", 4))
				x->cfa = BB_CFA_FP, x->cfa_off = atoi(tok + 4);
		} else if (!strcmp(cols[i], "rbp")) {
			if (tok[0] == 'c')
				x->fp_off = atoi(tok + 1);
			else if (strcmp(tok, "u"))
				x->fp_off = 9999;	/* another rule: no row */
		} else if (!strcmp(cols[i], "ra")) {
			if (tok[0] == 'c')
				x->ra_off = atoi(tok + 1);
			else if (!strcmp(tok, "u"))
				ra_undef = true;
			else
				x->ra_off = 9999;
		}
	}
	if (ra_undef)
		*x = (struct expect){ .pc = x->pc, .cfa = BB_CFA_END };
	else if (x->fp_off == 9999 || x->ra_off == 9999)
		x->cfa = BB_CFA_UNKNOWN;
	return i >= 1;
}

/* Compares every row readelf shows for @path; the number compared. */
static size_t compare_with_readelf(const char *path, size_t *bad)
{
	char cmd[PATH_MAX + 64], line[1024], cols[64][8], *tok, *save;
	struct bb_elfsyms *e = bb_elfsyms_open(path);
	const struct bb_unwind_row *r;
	struct expect x;
	int ncols = 0;
	size_t n = 0;
	FILE *p;

	*bad = 0;
	if (!e || bb_elfsyms_load(e, NULL, NULL))
		return 0;
	snprintf(cmd, sizeof(cmd), "readelf -wF '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		if (strstr(line, " CIE ")) {
			ncols = -1;	/* the CIE's own table: no addresses */
		} else if (strstr(line, " FDE ")) {
			ncols = 0;
		} else if (strstr(line, "   LOC ")) {
			if (ncols < 0)
				continue;
			ncols = 0;
			strtok_r(line, " \n", &save);
			while ((tok = strtok_r(NULL, " \n", &save)) && ncols < 64)
				snprintf(cols[ncols++], sizeof(cols[0]), "%s", tok);
		} else if (ncols > 0 && line[0] >= '0' && parse_row(line, cols, ncols, &x)) {
			r = bb_elfsyms_unwind(e, x.pc);
			n++;
			if (x.cfa == BB_CFA_UNKNOWN ? r == NULL :
			    r && r->cfa == x.cfa && (x.cfa == BB_CFA_END ||
			    (r->cfa_off == x.cfa_off && r->fp_off == x.fp_off &&
			     r->ra_off == x.ra_off)))
				continue;
			if (++*bad <= 3)
				unit_diag("%s at 0x%llx: readelf cfa %d%+d fp %d ra %d, here %d%+d fp %d ra %d",
					  path, (unsigned long long)x.pc, x.cfa, x.cfa_off, x.fp_off,
					  x.ra_off, r ? r->cfa : -1, r ? r->cfa_off : 0,
					  r ? r->fp_off : 0, r ? r->ra_off : 0);
		}
	}
	if (p)
		pclose(p);
	bb_elfsyms_put(e);
	return n;
}

static void test_against_readelf(void)
{
	static const char *const files[] = {
		"/lib/x86_64-linux-gnu/libc.so.6",
		"/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
		"/usr/bin/python3",
		"/bin/ls",
	};
	size_t i, n, bad;

	if (system("readelf --version >/dev/null 2>&1")) {
		CHECK(false, "readelf (binutils) is installed: it is the oracle");
		return;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (access(files[i], R_OK))
			continue;
		n = compare_with_readelf(files[i], &bad);
		CHECK(n > 100 && !bad, "%s: %zu rows as readelf -wF reads them (%zu differ)",
		      files[i], n, bad);
	}
}

/* ---- hand-made sections ---------------------------------------------------- */

static size_t put(uint8_t *b, size_t at, const void *v, size_t n)
{
	memcpy(b + at, v, n);
	return at + n;
}

/* A .debug_frame (DWARF 4 CIE, absolute addresses): push rbp; mov rsp,rbp. */
static void test_debug_frame(void)
{
	uint8_t b[128] = { 0 };
	uint32_t len, id = 0xffffffff, cie_at = 0;
	uint64_t begin = 0x1000, range = 0x40;
	static const uint8_t cie_body[] = {
		4, 0, 8, 0,		/* version 4, augmentation "", address size 8, segment 0 */
		1, 0x78, 16,		/* code align 1, data align -8, ra column 16 */
		0x0c, 7, 8,		/* def_cfa rsp+8 */
		0x90, 1,		/* offset r16 at cfa-8 */
	};
	static const uint8_t fde_insns[] = {
		0x41,			/* advance 1 */
		0x0e, 16, 0x86, 2,	/* def_cfa_offset 16; offset r6 at cfa-16 */
		0x43,			/* advance 3 */
		0x0d, 6,		/* def_cfa_register rbp */
		0x4a,			/* advance 10 */
		0x0c, 7, 8,		/* def_cfa rsp+8 (after leave) */
	};
	struct bb_unwind_rows rows = { 0 };
	const struct bb_unwind_row *r;
	size_t at = 0;

	len = 4 + sizeof(cie_body);
	at = put(b, at, &len, 4);
	at = put(b, at, &id, 4);
	at = put(b, at, cie_body, sizeof(cie_body));
	len = 4 + 16 + sizeof(fde_insns);
	at = put(b, at, &len, 4);
	at = put(b, at, &cie_at, 4);
	at = put(b, at, &begin, 8);
	at = put(b, at, &range, 8);
	at = put(b, at, fde_insns, sizeof(fde_insns));
	CHECK_U64(bb_unwind_parse(&rows, b, at, 0, false, EM_X86_64), 1, ".debug_frame: one FDE");
	bb_unwind_sort(&rows);
	r = bb_unwind_find(&rows, 0x1000);
	CHECK(r && r->cfa == BB_CFA_SP && r->cfa_off == 8 && r->ra_off == -8 && !r->fp_off,
	      "at entry: CFA = rsp+8, return address at CFA-8");
	r = bb_unwind_find(&rows, 0x1004);
	CHECK(r && bb_unwind_is_fp_frame(r), "after mov rsp,rbp: a frame-pointer frame");
	r = bb_unwind_find(&rows, 0x100e);
	CHECK(r && r->cfa == BB_CFA_SP && r->cfa_off == 8, "after leave: rsp+8 again");
	CHECK(!bb_unwind_find(&rows, 0x1040) && !bb_unwind_find(&rows, 0xfff),
	      "nothing known outside the FDE");
	CHECK_U64(bb_unwind_parse(&rows, b, at, 0, true, EM_X86_64), 0,
		  "the same bytes as .eh_frame: no CIE with id 0, nothing read");
	CHECK_U64(bb_unwind_parse(&rows, b, at, 0, false, 3 /* EM_386 */), 0,
		  "an unknown machine: nothing read");
	bb_unwind_free(&rows);
}

/* Every prefix and many corruptions of libc's .eh_frame: no crash, and
 * every row found is one of the four kinds. */
static void test_garbage(void)
{
	uint8_t b[512];
	struct bb_unwind_rows rows = { 0 };
	unsigned seed = 1, i, j;
	size_t k;
	bool sane = true;

	for (i = 0; i < 2000; i++) {
		for (j = 0; j < sizeof(b); j++) {
			seed = seed * 1103515245 + 12345;
			b[j] = seed >> 16;
		}
		/* Plausible headers: small lengths, CIE ids, "zR". */
		b[0] = 20 + i % 40, b[1] = b[2] = b[3] = 0;
		b[4] = b[5] = b[6] = b[7] = 0;
		b[8] = 1, b[9] = 'z', b[10] = 'R', b[11] = 0;
		bb_unwind_parse(&rows, b, sizeof(b) - i % 200, 0x1000, i & 1, EM_X86_64);
	}
	bb_unwind_sort(&rows);
	for (k = 0; k < rows.nr; k++)
		sane &= rows.v[k].cfa <= BB_CFA_END;
	CHECK(sane, "random sections: no crash, %zu rows, all well-formed", rows.nr);
	bb_unwind_free(&rows);
}

int main(void)
{
	bb_elfsyms_want_unwind();
	test_against_readelf();
	test_debug_frame();
	test_garbage();
	return unit_done();
}
