/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rebill.h: cancel/rebill of issued bills (rate-apply --rebill).  Re-rates
 * the period of every issued bill in scope with the current store data and
 * tariffs; a bill whose lines changed is cancelled and replaced by a draft
 * corrected bill (bill.replaces) that bill-render issues as a delta.  See
 * docs/rebill.md.
 */
#ifndef BR_REBILL_H
#define BR_REBILL_H

#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

/* The back-bill limit in days, from the option or the setting: 0..this. */
#define BR_REBILL_LIMIT_MAX 36500

struct br_rebill_opts {
	const char *cycle_id;
	const char *account_id;		/* NULL: every account of the cycle */
	const char *rates_dir;		/* default "rates" */
	const char *as_of;		/* YYYY-MM-DD, "today" */
	long limit_days;		/* < 0: setting back_bill_limit_days,
					   else 365 */
};

struct br_rebill_stats {
	long checked, rebilled, unchanged, limited;
};

/*
 * Rebill the cycle (or one account) and write the report CSV to out:
 *   bill_id,new_bill_id,account_id,old_total,new_total,delta,status,reason
 * sorted by bill_id, status rebilled | unchanged | limited.  The caller
 * owns the transaction.  Returns 0 or -1 with err.
 */
int br_rebill_run(struct br_store *st, const struct br_rebill_opts *opts,
    FILE *out, struct br_rebill_stats *stats, struct br_error *err);

#endif
