/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_paymap.c: a payment CSV with its YAML column mapping.  The input
 * is split at the first form feed (\f): the mapping YAML before it
 * (br_paymap_load), the payments CSV after it.  A mapping that loads is
 * used to post the CSV into an in-memory store with the fixed registry
 * (br_payment_post_files_ex, format csv), then the posting report is
 * written; the transaction is rolled back.  Without a form feed the whole
 * input is the mapping and a fixed CSV is posted with it.
 */
#include "fuzz.h"
#include "pay/payment.h"
#include "core/banned.h"

static const char fixed_csv[] = "Account,Amount,Date,Ref,Type\n"
    "A1,12.34,2026-10-05,R1,CARD\nA2,\"1,000.00\",10/06/2026,R2,ACH\n"
    "A9,5,2026-10-07,R3,\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct br_store *st = fuzz_store();
	struct br_paymap map;
	struct br_payment_opts o;
	struct br_payment_report rep;
	struct br_error err;
	const uint8_t *ff = size ? memchr(data, '\f', size) : NULL;
	size_t mlen = ff ? (size_t)(ff - data) : size;
	const char *files[1];

	br_error_clear(&err);
	br_paymap_default(&map);
	if (br_paymap_load(&map, fuzz_write("map.yaml", data, mlen),
	    &err) != 0) {
		fuzz_expect(-1, &err);
		return 0;
	}
	if (ff != NULL)
		files[0] = fuzz_write("payments.csv", ff + 1, size - mlen - 1);
	else
		files[0] = fuzz_write("payments.csv", fixed_csv,
		    sizeof(fixed_csv) - 1);
	memset(&o, 0, sizeof(o));
	o.as_of = "2026-12-31";
	o.format = "csv";
	o.map = &map;
	if (br_store_begin(st, &err) != 0)
		abort();
	br_payment_report_init(&rep);
	if (br_payment_post_files_ex(st, files, 1, &o, &rep, &err) == 0)
		br_payment_report_write(&rep, fuzz_devnull());
	else
		fuzz_expect(-1, &err);
	br_payment_report_release(&rep);
	br_store_rollback(st);
	return 0;
}
