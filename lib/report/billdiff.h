/* SPDX-License-Identifier: Apache-2.0 */
/*
 * billdiff.h: compare the bills of two stores (two runs of a cycle, or an
 * actual run and a what-if run) account by account and line by line, and
 * say why each line changed: rate version, rate, reads, estimation.
 */
#ifndef BR_BILLDIFF_H
#define BR_BILLDIFF_H

#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

struct br_billdiff_opts {
	const char *cycle_id;	/* NULL: every cycle */
	const char *account_id;	/* NULL: every account */
};

struct br_billdiff_stats {
	long bills_compared, bills_changed, bills_added, bills_removed;
	long lines_changed;
	int64_t old_total_cents, new_total_cents;
};

/*
 * Write the difference report CSV to out:
 *   bill_id,account_id,sp_id,code,change,old_quantity,new_quantity,
 *   old_amount,new_amount,delta,reason
 * one row per changed, added or removed line (change = changed | added |
 * removed | bill-added | bill-removed), sorted by bill_id, sp_id, code,
 * then a bill-total row per changed bill (its old and new total).  No
 * grand total: that is the summary.  Reads both stores only.  Returns 0
 * or -1 with err.
 */
int br_billdiff_run(struct br_store *old_st, struct br_store *new_st,
    const struct br_billdiff_opts *opts, FILE *out,
    struct br_billdiff_stats *stats, struct br_error *err);

/*
 * The summary CSV: header bills_compared,bills_changed,bills_added,
 * bills_removed,old_total,new_total,delta and one row.  bills_changed,
 * _added, _removed count the report's bill-total, bill-added and
 * bill-removed rows; old_total and new_total are every bill's (unchanged
 * ones too); delta is new_total - old_total, the sum of the report's
 * delta over those three kinds of rows.
 */
void br_billdiff_summary_write(const struct br_billdiff_stats *st, FILE *f);

#endif
