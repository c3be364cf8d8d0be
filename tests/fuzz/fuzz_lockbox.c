/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_lockbox.c: BAI lockbox transmissions (br_lockbox_parse).
 */
#include "fuzz.h"
#include "fuzz_payrec.h"
#include "formats/lockbox.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct br_lockbox_totals tot;
	struct br_error err;
	char sha[65];

	br_error_clear(&err);
	if (br_lockbox_parse(fuzz_write("in.txt", data, size), fuzz_on_rec,
	    NULL, &tot, sha, &err) == 0)
		fuzz_payrec_sink += strlen(sha) + (size_t)tot.checks;
	else
		fuzz_expect(-1, &err);
	return 0;
}
