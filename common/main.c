// SPDX-License-Identifier: GPL-2.0
/* The program's entry point; everything else is testable in common/applet.c. */
#include "bpfbox.h"

int main(int argc, char **argv)
{
	return bb_main(argc, argv);
}
