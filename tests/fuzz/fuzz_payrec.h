/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_payrec.h: callback for the bank file harnesses (BAI2, NACHA,
 * lockbox) reading every string of each record, so sanitizers see an
 * unterminated or out-of-bounds field.
 */
#ifndef BR_FUZZ_PAYREC_H
#define BR_FUZZ_PAYREC_H

#include "formats/payrec.h"

static volatile size_t fuzz_payrec_sink;

static inline int
fuzz_on_rec(void *ctx, const struct br_payrec *r, struct br_error *err)
{
	(void)ctx;
	(void)err;
	fuzz_payrec_sink += strlen(r->file) + strlen(r->date) +
	    strlen(r->txn_code) + strlen(r->sec_code) +
	    strlen(r->account_ref) + strlen(r->name) + strlen(r->bank_ref) +
	    strlen(r->return_code) + strlen(r->original_trace) +
	    strlen(r->noc_code) + strlen(r->corrected_data) +
	    strlen(r->scan_line) + strlen(r->text) +
	    (size_t)r->amount_cents + (size_t)r->kind + (size_t)r->debit;
	return 0;
}

#endif
