// SPDX-License-Identifier: GPL-2.0
/*
 * `bpfbox report` on any bytes: the record reader, its checks, and every
 * applet's printers (text and JSON) behind them.  Seeds: real recordings
 * of each applet (tests/fuzz/corpus/report/).
 */
#include "fuzz.h"
#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct bb_applet *reader = bb_find_applet("report");
	char path[64];
	int json, fd;

	fuzz_init();
	fd = fuzz_file(data, size, path, sizeof(path));
	for (json = 0; json < 2; json++) {
		bb_opts.json = json;
		bb_current = reader;
		if (!setjmp(fuzz_jump))
			bb_report_file(path);
		fuzz_close_fds(fd);
		bb_names_clear();
	}
	return 0;
}
