// SPDX-License-Identifier: GPL-2.0
/*
 * nocfi: asm_leak, written in assembly, has no call frame information
 * (no .cfi directives) and keeps no frame pointer: nothing vouches for
 * its caller, so its stack must end with [...] right after it, not with
 * a frame made up from whatever %rbp holds.
 */
#include <stdlib.h>

__asm__(".text\n"
	".globl asm_leak\n"
	".type asm_leak, @function\n"
	"asm_leak:\n"
	"	sub $8, %rsp\n"
	"	mov $77, %edi\n"
	"	call malloc@PLT\n"
	"	add $8, %rsp\n"
	"	ret\n"
	".size asm_leak, .-asm_leak\n");

void *asm_leak(void);
void *volatile sink;

int main(void)
{
	sink = asm_leak();
	return 0;
}
