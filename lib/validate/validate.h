/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.h: the validate-reads stage.  Checks the interval days of every
 * meter in scope for one billing period against the VEE rules
 * (vee_rules.h), estimates gaps (linear, like-day, prior-day fallback;
 * written back into interval_day with the method in the quality byte),
 * flags pre-bill anomalies (usage vs history, high bill, leak,
 * conservation, register sum check), records exceptions (stage
 * 'validate') and writes the exception report CSV and its summary.
 * See docs/validate-reads.md.
 */
#ifndef BR_VALIDATE_H
#define BR_VALIDATE_H

#include <stdint.h>
#include <stdio.h>

#include "validate/disposition.h"
#include "core/error.h"
#include "store/store.h"
#include "validate/vee_rules.h"

struct br_validate_opts {
	const char *cycle_id;	/* --cycle; NULL when from/to are given */
	int32_t from_day;	/* --from, local day (used without cycle) */
	int32_t to_day;		/* --to, inclusive */
	const char *account_id;	/* --account; NULL for every account */
	int32_t max_gap_minutes; /* --max-gap-minutes, default 120 */
	int32_t zero_run_hours;	/* --zero-run-hours, default 24 */
	const struct br_vee_rules *rules; /* BORROWED; NULL: the defaults.
				 * max_gap_minutes and zero_run_hours above
				 * win over the rules' parameters */
	const struct br_force_day *force; /* BORROWED: days to estimate
				 * beyond the limits ('estimate' decisions) */
	size_t nforce;
};

#define BR_VALIDATE_MAX_CODES 32

struct br_validate_code_count {
	char code[32];		/* exception code, e.g. "GAP" */
	char severity[8];	/* info, warn or hold */
	long count;		/* report rows with this code and severity */
};

struct br_validate_summary {
	int32_t from_day, to_day;	/* the period validated */
	long meters;			/* meter scopes (account, meter) checked */
	long days;			/* meter-days checked, all channels */
	long estimated;			/* intervals estimated by this run */
	long rows;			/* exception report rows */
	long warn_hold;			/* rows with severity warn or hold */
	long open_warn_hold;		/* of them, stage validate and still
					 * open (no decision, not estimated) */
	size_t ncodes;
	struct br_validate_code_count codes[BR_VALIDATE_MAX_CODES];
};

/* Fill opts with the defaults (no period, all accounts, 120 min, 24 h,
 * the compiled-in rules). */
void br_validate_opts_init(struct br_validate_opts *opts);

/*
 * Validate the period of opts against store st, which the caller has put
 * in a transaction (br_store_begin): estimates gaps in interval_day,
 * inserts 'validate' exceptions, and writes the exception report CSV
 * (every stage's exceptions for the scope and period, sorted) to out.
 * OUT: sum (may be NULL) gets the counts.
 * Returns 0, or -1 with err: BR_EUSAGE for an unknown cycle or a bad
 * period, BR_ECONFIG for a bad time zone, BR_EINTERNAL for store
 * failures or a corrupt interval_day row.  The caller rolls back on -1.
 */
int br_validate_run(struct br_store *st, const struct br_validate_opts *opts,
    FILE *out, struct br_validate_summary *sum, struct br_error *err);

/*
 * Write the summary by code as CSV "code,severity,count" (sorted by code,
 * then severity) to out.  Returns 0, or -1 with err (BR_EIO).
 */
int br_validate_write_summary(const struct br_validate_summary *sum,
    FILE *out, struct br_error *err);

#endif
