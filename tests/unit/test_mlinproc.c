// SPDX-License-Identifier: GPL-2.0
/* memleak's in-process engine, its pure parts (applets/memleak/inproc.c):
 * which programs it preloads into, told from their ELF headers. */
#include <elf.h>
#include <string.h>
#include "unit.h"
#include "../../applets/memleak/inproc.h"

static unsigned char img[512];

/* A 64-bit ELF header with one program header of @type at 64, its
 * contents (@interp) at 200. */
static size_t make_elf(uint32_t type, const char *interp)
{
	Elf64_Ehdr *eh = (void *)img;
	Elf64_Phdr ph = { .p_type = type, .p_offset = 200, .p_filesz = strlen(interp) + 1 };

	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_phoff = 64;
	eh->e_phentsize = sizeof(ph);
	eh->e_phnum = 1;
	memcpy(img + 64, &ph, sizeof(ph));
	strcpy((char *)img + 200, interp);
	return sizeof(img);
}

int main(void)
{
	char out[64];
	size_t n;

	n = make_elf(PT_INTERP, "/lib64/ld-linux-x86-64.so.2");
	CHECK(ml_elf_interp(img, n, out, sizeof(out)) == 1 &&
	      !strcmp(out, "/lib64/ld-linux-x86-64.so.2"), "a dynamic program's interpreter");
	CHECK(ml_interp_kind(out) == ML_PROG_GLIBC, "ld-linux is glibc's");
	CHECK(ml_interp_kind("/lib/ld-musl-x86_64.so.1") == ML_PROG_OTHER, "musl's is another");
	CHECK(ml_interp_kind("/lib/ld-linux-aarch64.so.1") == ML_PROG_GLIBC, "arm64's glibc");
	n = make_elf(PT_LOAD, "");
	CHECK(ml_elf_interp(img, n, out, sizeof(out)) == 0 && !out[0], "no PT_INTERP: static");
	n = make_elf(PT_INTERP, "/lib64/ld-linux-x86-64.so.2");
	CHECK(ml_elf_interp(img, 100, out, sizeof(out)) == -1, "headers cut short: refused");
	CHECK(ml_elf_interp(img, 210, out, sizeof(out)) == -1, "the path cut short: refused");
	((Elf64_Ehdr *)img)->e_phnum = 60000;
	CHECK(ml_elf_interp(img, n, out, sizeof(out)) == 1, "a huge e_phnum reads within bounds");
	((Elf64_Ehdr *)img)->e_phnum = 1;
	CHECK(ml_elf_interp(img, n, out, 8) == 1 && strlen(out) == 7, "a short buffer: cut, ended");
	img[EI_CLASS] = ELFCLASS32;
	CHECK(ml_elf_interp(img, n, out, sizeof(out)) == -1, "32-bit: not ours");
	CHECK(ml_elf_interp((const unsigned char *)"#!/bin/sh\n", 10, out, sizeof(out)) == -1,
	      "not ELF");
	return unit_done();
}
