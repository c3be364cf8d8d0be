/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_payments.c: a payments CSV posted by br_payment_post_files into an
 * in-memory store with a fixed registry, then the posting report; the
 * transaction is rolled back.
 */
#include "fuzz.h"
#include "pay/payment.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct br_store *st = fuzz_store();
	struct br_payment_report rep;
	struct br_error err;
	const char *files[1];

	files[0] = fuzz_write("payments.csv", data, size);
	br_error_clear(&err);
	if (br_store_begin(st, &err) != 0)
		abort();
	br_payment_report_init(&rep);
	if (br_payment_post_files(st, files, 1, "2026-12-31", &rep, &err) == 0)
		br_payment_report_write(&rep, fuzz_devnull());
	else
		fuzz_expect(-1, &err);
	br_payment_report_release(&rep);
	br_store_rollback(st);
	return 0;
}
