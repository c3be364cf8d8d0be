/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cmep.c: CMEP MEPMD01 (br_cmep_parse), UTC interval-start stamps
 * and local (America/Los_Angeles) interval-ending stamps.
 */
#include "fuzz.h"
#include "fuzz_ami.h"
#include "formats/cmep.h"
#include "core/tz.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct br_tz tz;
	static int have_tz;
	struct br_cmep_opts o = { .tz = NULL };
	struct br_cmep_stats stats;
	struct br_error err;
	char sha[65];
	const char *path = fuzz_write("in.txt", data, size);

	if (!have_tz && br_tz_load(&tz, "America/Los_Angeles", &err) != 0)
		abort();
	have_tz = 1;
	br_error_clear(&err);
	fuzz_expect(br_cmep_parse(path, &o, fuzz_on_day, fuzz_on_register,
	    NULL, sha, &stats, &err), &err);
	o.tz = &tz;
	o.interval_ending = true;
	br_error_clear(&err);
	fuzz_expect(br_cmep_parse(path, &o, fuzz_on_day, fuzz_on_register,
	    NULL, NULL, NULL, &err), &err);
	return 0;
}
