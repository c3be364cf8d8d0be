/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nacha.h: NACHA ACH file parser (originations, returns, NOCs).
 *
 * Records are 94 characters (shorter lines are padded with spaces, longer
 * ones may only carry trailing spaces); CR LF or LF line ends; padding
 * records of 94 '9's after the file control are skipped.  Structure:
 * 1 file header, then batches (5 header, 6 entries each followed by
 * its 7 addenda, 8 control), then 9 file control.
 *
 * One br_payrec per entry (6 record), emitted after its addenda:
 *   kind      RETURN when an addenda 99 follows (return_code, original
 *             trace), NOC for addenda 98 (noc_code, corrected_data),
 *             REVERSAL when the batch entry description is REVERSAL,
 *             else PAYMENT
 *   debit     from the transaction code (x6-x9, 55 debit; x1-x4 credit)
 *   account_ref  individual identification number (positions 40-54),
 *             or the individual name when that is blank
 *   bank_ref  trace number; date: effective entry date (the file creation
 *             date when it is blank or not a date)
 *
 * Verified, each mismatch an error naming line and field: record order,
 * numeric fields, transaction codes, the RDFI ABA check digit, return
 * and change code syntax (C01-C14, C61-C69), batch control (service
 * class, entry/addenda count, entry hash, total debits and credits, batch
 * number) and file control (batch count, block count, entry/addenda
 * count, entry hash, totals).  Bytes outside printable ASCII are an error.
 * The one soft check is the file control batch count: banks send files
 * whose batch count disagrees while every total balances (US Bank example
 * with batch numbers 1,3,4,5), so it is reported in totals->warning.
 */
#ifndef BR_NACHA_H
#define BR_NACHA_H

#include <stdint.h>

#include "core/error.h"
#include "formats/payrec.h"

struct br_nacha_totals {
	long batches;
	long entries;		/* 6 records */
	long addenda;		/* 7 records */
	long returns, nocs;
	int64_t entry_hash;	/* file control value */
	int64_t debit_cents;	/* file control total debits */
	int64_t credit_cents;	/* file control total credits */
	char warning[512];	/* non-fatal discrepancy, "" if none */
};

/*
 * Parse path ("-" = stdin, gzip accepted), calling on_rec per entry.
 * totals and sha_hex (content SHA-256) may be NULL.  Returns 0, or -1
 * with err (BR_EINPUT with file and line for bad data; the callback's
 * error as it left it).
 */
int br_nacha_parse(const char *path, br_payrec_fn on_rec, void *ctx,
    struct br_nacha_totals *totals, char sha_hex[65], struct br_error *err);

#endif
