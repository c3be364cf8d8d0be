/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_bai2.c: BAI2 balance reports (br_bai2_parse_ex), strict and
 * lenient about trailer totals.
 */
#include "fuzz.h"
#include "fuzz_payrec.h"
#include "formats/bai2.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct br_bai2_totals tot;
	struct br_error err;
	char sha[65];
	const char *path = fuzz_write("in.bai2", data, size);

	br_error_clear(&err);
	fuzz_expect(br_bai2_parse(path, fuzz_on_rec, NULL, &tot, sha, &err),
	    &err);
	br_error_clear(&err);
	if (br_bai2_parse_ex(path, BR_BAI2_LENIENT, fuzz_on_rec, NULL, &tot,
	    NULL, &err) == 0)
		fuzz_payrec_sink += strlen(tot.warning);
	else
		fuzz_expect(-1, &err);
	return 0;
}
