/* SPDX-License-Identifier: Apache-2.0 */
/*
 * account_view.h: the dispute view of one account (account-view(1)):
 * the account and its agreements, 24 months of usage by bill with a
 * chart, the selected bill's register and interval totals per meter with
 * quality and estimation method, the account's exceptions and their
 * decisions, every line of the bill with its calculation trace, the
 * ledger (bills, payments, returns, fees) with the running balance, and
 * the audit records touching the account; as text or one self-contained
 * HTML page.  Also the interval reads of one meter as CSV.  Reads only;
 * output sorted, no timestamps.  See docs/account-view.md.
 */
#ifndef BR_ACCOUNT_VIEW_H
#define BR_ACCOUNT_VIEW_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

struct br_account_view_opts {
	const char *account_id;
	const char *cycle_id;	/* bill shown in detail; NULL: the latest */
	int html;		/* 1: HTML page, 0: text */
};

/*
 * Write the view of opts->account_id to out.  Returns 0, or -1 with err:
 * BR_EUSAGE for an unknown account or an account without a bill of
 * cycle_id, BR_EINTERNAL for store failures.
 */
int br_account_view(struct br_store *st,
    const struct br_account_view_opts *opts, FILE *out, struct br_error *err);

/*
 * The intervals of meter on local days from_day..to_day (inclusive), all
 * channels, as CSV on out:
 *   meter_id,channel,local_time,value,unit,quality,method
 * local_time is the interval start in the utility's zone with its UTC
 * offset (2026-10-08T12:30-05:00); quality is actual, estimated,
 * missing, edited or suspect (several joined by '+'); method linear,
 * like_day, fallback, source or empty.  Returns 0, or -1 with err
 * (BR_EUSAGE for an unknown meter, BR_ECONFIG for a bad zone).
 */
int br_account_reads(struct br_store *st, const char *meter,
    int32_t from_day, int32_t to_day, FILE *out, struct br_error *err);

#endif
