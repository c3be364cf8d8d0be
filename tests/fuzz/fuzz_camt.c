/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_camt.c: ISO 20022 camt.053/054 statements (br_camt_parse).
 */
#include "fuzz.h"
#include "fuzz_payrec.h"
#include "formats/camt.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct br_camt_totals tot;
	struct br_error err;
	char sha[65], what[128];

	br_error_clear(&err);
	(void)br_camt_sniff((const char *)data, size, what, sizeof(what));
	if (br_camt_parse(fuzz_write("in.xml", data, size), fuzz_on_rec, NULL,
	    &tot, sha, &err) == 0)
		fuzz_payrec_sink += strlen(tot.message) + strlen(sha) +
		    (size_t)tot.items;
	else
		fuzz_expect(-1, &err);
	return 0;
}
