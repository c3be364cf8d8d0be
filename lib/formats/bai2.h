/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bai2.h: BAI2 (BTRS) cash management balance report parser.
 *
 * Physical lines are split into records at a record code "NN," (01, 02,
 * 03, 16, 49, 88, 98, 99); several records may share a line when each
 * ends with '/'.  Fields are comma-separated, '/' ends a record early,
 * a record without '/' ends at the end of the line.  88 records continue
 * the preceding record at its next field: the 03 summary list (groups may
 * be split anywhere, even between type code and amount; a leftover of
 * empty tokens at the end of a physical record, the bank's stray ",/", is
 * dropped) or the 16 detail, whose text runs to the end of the line and
 * continues in 88s (an 88 may start with '/' then).  Inside text, '/' ends
 * the record only when followed by spaces and the end of the line or by
 * another record code.  A line that does not start with a record code
 * while a 16 text is open is a wrapped text line (not counted as record).
 *
 * Amounts are integer minor units (cents for USD); a leading sign is
 * accepted; an empty amount or control total counts as 0.
 *
 * Control totals (section 1.1.6 of the payments reference): per account,
 * every 03/88 summary and status amount (signed) plus every 16 amount
 * must equal the 49 control total, and the 49 record count must equal
 * the records 03..49; 98 total = sum of its 49 totals, number of accounts
 * and records 02..98; 99 total = sum of 98 totals, number of groups and
 * records 01..99.  A mismatch is an error unless BR_BAI2_LENIENT is set,
 * which counts mismatches in totals->mismatches and keeps the first
 * message in totals->warning.
 *
 * One br_payrec per 16 record: txn_code = type code, amount, date = the
 * group as-of date, bank_ref = bank reference, account_ref = customer
 * reference, text = 16 text and 88 continuations joined by spaces;
 * debit = type 400-699; item_class from br_bai2_class; kind PAYMENT for
 * class receipt, RETURN for debits of class return, reversal or reject
 * (return_code taken from an "Rnn" word in the text), OTHER for the rest
 * (status, summary, adjustments, credit-side returns and reversals,
 * non-customer credits, loan, custom 900-999 and unknown codes);
 * originator = 02 originator id "/" 03 account number; currency = the
 * 03 currency code, else the 02's, else USD.
 */
#ifndef BR_BAI2_H
#define BR_BAI2_H

#include <stdint.h>

#include "core/error.h"
#include "formats/payrec.h"

#define BR_BAI2_LENIENT	0x1u	/* trailer mismatches are not errors */

struct br_bai2_totals {
	long groups;		/* 02 records */
	long accounts;		/* 03 records */
	long details;		/* 16 records */
	long records;		/* records 01..99 as counted by the parser */
	int64_t file_total;	/* 99 file control total */
	int64_t credit_cents;	/* sum of 16 amounts, type 100-399 */
	int64_t debit_cents;	/* sum of 16 amounts, type 400-699 */
	long mismatches;	/* BR_BAI2_LENIENT: trailer mismatches */
	char warning[512];	/* first mismatch message, "" if none */
};

/*
 * Parse path ("-" = stdin, gzip accepted) strictly, calling on_rec per 16
 * record.  totals and sha_hex may be NULL.  Returns 0 or -1 with err
 * (BR_EINPUT naming file, line, record type and field).
 */
int br_bai2_parse(const char *path, br_payrec_fn on_rec, void *ctx,
    struct br_bai2_totals *totals, char sha_hex[65], struct br_error *err);

/*
 * The class of a type code per the BAI2 version 2 type code list:
 * "status", "summary", "receipt" (customer money: lockbox, deposits, ACH
 * and card credits, wires), "return", "reversal", "reject", "adjustment"
 * or "other" (any code the list does not define included).  Static.
 */
const char *br_bai2_class(int type);

/* The same with flags (BR_BAI2_LENIENT). */
int br_bai2_parse_ex(const char *path, unsigned flags, br_payrec_fn on_rec,
    void *ctx, struct br_bai2_totals *totals, char sha_hex[65],
    struct br_error *err);

#endif
