/* SPDX-License-Identifier: Apache-2.0 */
/*
 * review.h: the exception review page of a cycle (exceptions.html): one
 * self-contained HTML file (inline CSS, SVG and a little script, no
 * network) listing the cycle's warn and hold exceptions, holds first,
 * grouped by code with counts and the money at stake, each with its rule,
 * detail, a chart of the meter's intervals and a decision column whose
 * button downloads the disposition CSV validate-reads --dispositions
 * takes.  Output is deterministic (sorted, no timestamps).  See
 * docs/review.md.
 */
#ifndef BR_REVIEW_H
#define BR_REVIEW_H

#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

struct br_review_summary {
	long holds;		/* hold exceptions listed */
	long warns;		/* warn exceptions listed */
	long open;		/* of them, still open (no decision) */
	long accounts;		/* accounts with a listed exception */
	int64_t at_stake_cents;	/* projected bills of those accounts */
};

/*
 * Write the review page of cycle_id from store st to out.  Reads only.
 * OUT: sum (may be NULL).  Returns 0, or -1 with err: BR_EUSAGE for an
 * unknown cycle, BR_EINTERNAL for store failures.
 */
int br_review_write(struct br_store *st, const char *cycle_id, FILE *out,
    struct br_review_summary *sum, struct br_error *err);

/* The CSS and the chart series classes the report pages share. */
extern const char br_report_css[];

#endif
