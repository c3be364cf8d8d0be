/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lockbox.h: BAI lockbox transmission parser (fixed width, the bank
 * variant of the 1987 BAI lockbox format, positions as FundersClub
 * bai-lockbox; records up to 160 characters, shorter lines padded).
 *
 *   1 immediate address header   (first record)
 *   2 service record             (optional)
 *   5 batch (detail) header      lockbox 8-14, deposit date YYMMDD 15-20
 *   6 check detail               batch 2-4, item 5-7, amount cents 8-17,
 *                                routing 18-26, DDA 27-36, check no 37-46,
 *                                check date MMDDYY 47-52, remitter 53-82
 *   4 overflow (stub data)       batch 2-4, item 5-7, type 8, seq 9-10,
 *                                last 11 (9 = last), data 12-41
 *   7 batch total                remittances 21-23, dollars 24-33
 *   8 lockbox (service) total    checks 21-24, dollars 25-34
 *   9 destination trailer        total records 2-7 (last record)
 *
 * One br_payrec (kind PAYMENT, credit) per check: amount, date = deposit
 * date of its batch, bank_ref = check number, name = remitter,
 * text = overflow data joined by spaces.  account_ref: when the first
 * overflow data is a valid scan line (scanline.h) its account number and
 * scan_line is set; otherwise the first overflow data as is.
 *
 * Verified: record order, numeric fields, overflow batch/item equal to
 * its check, 7 count and total against the checks of the batch, 8 count
 * and total against the checks since the previous 8, 9 record count.
 */
#ifndef BR_LOCKBOX_H
#define BR_LOCKBOX_H

#include <stdint.h>

#include "core/error.h"
#include "formats/payrec.h"

struct br_lockbox_totals {
	long batches;		/* 7 records */
	long checks;		/* 6 records */
	long records;		/* all records incl. 9 */
	int64_t total_cents;	/* sum of checks */
};

/* Same contract as br_nacha_parse. */
int br_lockbox_parse(const char *path, br_payrec_fn on_rec, void *ctx,
    struct br_lockbox_totals *totals, char sha_hex[65], struct br_error *err);

#endif
