/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_nacha.c: NACHA ACH files (br_nacha_parse).
 */
#include "fuzz.h"
#include "fuzz_payrec.h"
#include "formats/nacha.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct br_nacha_totals tot;
	struct br_error err;
	char sha[65];

	br_error_clear(&err);
	if (br_nacha_parse(fuzz_write("in.ach", data, size), fuzz_on_rec, NULL,
	    &tot, sha, &err) == 0)
		fuzz_payrec_sink += strlen(tot.warning) + strlen(sha);
	else
		fuzz_expect(-1, &err);
	return 0;
}
