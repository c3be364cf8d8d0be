/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_greenbutton.c: Green Button ESPI XML (br_gb_parse, expat).
 */
#include "fuzz.h"
#include "fuzz_ami.h"
#include "formats/greenbutton.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct br_gb_stats stats;
	struct br_error err;
	char sha[65];
	const char *path = fuzz_write("in.xml", data, size);

	br_error_clear(&err);
	fuzz_expect(br_gb_parse(path, fuzz_on_day, NULL, sha, &stats, &err),
	    &err);
	return 0;
}
