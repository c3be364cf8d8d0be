/*
 * render.h: bill-render.  Turns the draft bills rate-apply left in the
 * store into plain-text bills (<out_dir>/<bill_id>.txt) and a bill
 * register CSV, and issues them: status draft -> issued plus a ledger
 * entry (kind bill, ref bill_id).  Held bills are listed in the register
 * but neither rendered nor issued.  See docs/bill-render.md.
 */
#ifndef BR_RENDER_H
#define BR_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "ledger.h"
#include "store.h"

#define BR_RENDER_WIDTH 78	/* columns of a text bill */

struct br_render_opts {
	const char *cycle_id;	/* required: bills of this cycle */
	const char *account_id;	/* NULL: every account of the cycle */
	const char *out_dir;	/* where <bill_id>.txt go; created if missing */
};

struct br_render_totals {
	long rendered;		/* bills written (draft or issued) */
	long held;		/* bills in hold, listed only */
	long issued_now;	/* drafts issued by this run */
	int64_t previous_cents, payments_cents, adjustments_cents;
	int64_t current_cents, due_cents;	/* over rendered bills */
};

/*
 * A render run.  The text bills are written to "<file>.tmp" and only
 * renamed into place by br_render_finish(ok = 1), so the tool can
 * commit the store and the files together.
 */
struct br_render {
	char **tmp;		/* OWNED: temporary paths written so far */
	size_t n, cap;
};

void br_render_init(struct br_render *r);
/* Remove any temporaries left and free memory. */
void br_render_release(struct br_render *r);

/*
 * Render every bill of opts->cycle_id (and opts->account_id) in bill_id
 * order, issue the drafts, and write the register CSV to reg: header
 * bill_id,account_id,name,period_start,period_end,bill_date,due_date,
 * status,previous_balance,payments,adjustments,current_charges,amount_due
 * then one row per bill, then a TOTAL row (count of rendered bills in the
 * account_id column, sums over rendered bills).  Must run inside a store
 * transaction.  OUT: *tot.  Returns 0, or -1 with err (BR_EUSAGE unknown
 * cycle, BR_EINPUT inconsistent bill, BR_ECANTCREATE/BR_EIO files).
 */
int br_render_run(struct br_render *r, struct br_store *st,
    const struct br_render_opts *opts, FILE *reg,
    struct br_render_totals *tot, struct br_error *err);

/*
 * ok = 1: rename every temporary into place; ok = 0: remove them.
 * Returns 0, or -1 with err (BR_ECANTCREATE) when a rename failed.
 */
int br_render_finish(struct br_render *r, int ok, struct br_error *err);

/*
 * Write the text of bill bill_id to f (status does not matter; nothing is
 * posted).  OUT: *ls (may be NULL) gets the account summary used.
 * Returns 0, or -1 with err (BR_EINPUT unknown bill or lines that do not
 * add up to the total).
 */
int br_render_bill(struct br_store *st, const char *bill_id, FILE *f,
    struct br_ledger_statement *ls, struct br_error *err);

#endif
