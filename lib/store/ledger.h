/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ledger.h: the account ledger (table ledger).  Charges are positive,
 * payments negative, amounts in cents; an account's balance is the sum of
 * its entries.  (kind, ref) is unique, so posting is idempotent.
 */
#ifndef BR_LEDGER_H
#define BR_LEDGER_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * Post one entry.  *posted (may be NULL) is 1 when the entry was inserted
 * and 0 when an entry with the same kind and ref already existed (nothing
 * is changed then).  kind is one of bill, payment, adjustment, fee,
 * reversal.  Returns 0, or -1 with err (BR_EINTERNAL).
 */
int br_ledger_post(struct br_store *st, const char *account_id,
    const char *date, const char *kind, const char *ref,
    int64_t amount_cents, int *posted, struct br_error *err);

/* OUT: *balance_cents = sum of every entry of the account.  0 or -1. */
int br_ledger_balance(struct br_store *st, const char *account_id,
    int64_t *balance_cents, struct br_error *err);

/*
 * The account summary printed on a bill.  With P = the date of the
 * account's latest other bill entry dated before bill_date ("" if none):
 *   previous_cents    = sum of entries dated <= P (0 when P is "")
 *   payments_cents    = sum of payment entries dated in (P, bill_date]
 *                       (negative: money received)
 *   adjustments_cents = sum of all other entries dated in (P, bill_date],
 *                       this bill's own entry excluded
 * so previous + payments + adjustments + this bill's charge is the ledger
 * balance as of bill_date including the bill: the amount due.
 * fees_cents and returned_cents are the fee and returned-payment entries
 * among the adjustments (same period).  Entries
 * dated after bill_date never change a bill, so rendering is repeatable.
 */
struct br_ledger_statement {
	char previous_bill_date[11];	/* P, "" when no earlier bill */
	int64_t previous_cents;
	int64_t payments_cents;
	int64_t adjustments_cents;
	/* Parts of adjustments_cents, for bills that itemise them: */
	int64_t fees_cents;		/* kind fee (late, returned payment) */
	int64_t returned_cents;		/* kind reversal of a returned
					   payment (ref RET-P...) */
};

/* OUT: *out for bill bill_ref of account_id dated bill_date.  0 or -1. */
int br_ledger_statement(struct br_store *st, const char *account_id,
    const char *bill_ref, const char *bill_date,
    struct br_ledger_statement *out, struct br_error *err);

#endif
