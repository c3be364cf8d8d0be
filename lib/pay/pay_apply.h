/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pay_apply.h: what pay_apply.c owns: applying credits to the oldest open
 * charges (table payment_application) and assessing late fees with each
 * account's past due (table past_due).  See docs/pay-reconcile.md.
 */
#ifndef BR_PAY_APPLY_H
#define BR_PAY_APPLY_H

#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/*
 * Apply the account's unapplied credits (payments and other negative
 * entries, returned payments excepted) to its open charges (positive
 * entries but reversals), oldest first, in payment_application.
 * account_id NULL: every account.  0 or -1.
 */
int br_payment_settle(struct br_store *st, const char *account_id,
    struct br_error *err);

/*
 * Late fees as of as_of: for every bill whose due date + grace days is
 * before as_of and which still has an open amount, one ledger entry kind
 * fee, ref LATE-<bill_id>, dated as_of, of max(open * late_fee_pct_ppm /
 * 1e6, late_fee_min_cents) (settings; defaults 15000 ppm, 0, 0 days).
 * A bill already charged is skipped.  *count, *total_cents: fees posted.
 * Then records every account's past due as of as_of in table past_due
 * (open amount of its bills due before as_of, oldest due date), which
 * bill-render shows; see docs/pay-reconcile.md.
 */
int br_payment_late_fees(struct br_store *st, const char *as_of,
    long *count, int64_t *total_cents, struct br_error *err);

#endif
