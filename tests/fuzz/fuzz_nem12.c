/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_nem12.c: NEM12/NEM13 (br_nem12_parse), lenient with the AEST
 * default offset, then strict with the Western Power offset.
 */
#include "fuzz.h"
#include "fuzz_ami.h"
#include "formats/nem12.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct br_nem12_opts o = { .strict = false };
	struct br_nem12_stats stats;
	struct br_error err;
	char sha[65];
	const char *path = fuzz_write("in.csv", data, size);

	br_error_clear(&err);
	fuzz_expect(br_nem12_parse(path, &o, fuzz_on_day, fuzz_on_register,
	    NULL, sha, &stats, &err), &err);
	o.strict = true;
	o.has_offset = true;
	o.utc_offset_s = 28800;
	br_error_clear(&err);
	fuzz_expect(br_nem12_parse(path, &o, fuzz_on_day, fuzz_on_register,
	    NULL, NULL, NULL, &err), &err);
	return 0;
}
