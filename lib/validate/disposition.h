/* SPDX-License-Identifier: Apache-2.0 */
/*
 * disposition.h: the exception review loop.  A disposition file (CSV
 * with columns exception_id, decision, reviewer, note) or one decision
 * on the command line records a person's decision on an exception:
 * release, keep (or hold), estimate or override.  Every decision is
 * appended to exception_decision (seq 1, 2, ... per exception) with its
 * reviewer and date and sets exception.status.  Ids are read as
 * "EX-" + 13 Crockford digits or as the old decimal ids (core/exid.h).
 * See docs/validate-reads.md.
 */
#ifndef BR_DISPOSITION_H
#define BR_DISPOSITION_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"


/* A meter day whose gaps a reviewer asked to estimate. */
struct br_force_day {
	char meter_id[64];
	int32_t day;
};

struct br_disposition_result {
	long applied;			/* decisions recorded */
	long skipped;			/* ids of another shard (--shard) */
	struct br_force_day *force;	/* OWNED: 'estimate' decisions on
					 * GAP and MISSING_DAY exceptions */
	size_t nforce;
};

/*
 * Apply the dispositions in CSV file path to store st (inside the
 * caller's transaction), each dated as_of (YYYY-MM-DD).  Errors with file:line: an unknown exception id
 * (in a shard store, st->shard.n > 1, an unknown id is another shard's
 * and only counted in res->skipped),
 * a bad decision, an empty reviewer, a missing column (BR_EINPUT); an
 * unreadable file (BR_ENOINPUT).  Returns 0 or -1; release res with
 * br_disposition_release in both cases.
 */
int br_disposition_apply(struct br_store *st, const char *path,
    const char *as_of, struct br_disposition_result *res,
    struct br_error *err);

/*
 * Apply one decision (validate-reads --release/--override/--keep ID
 * --reviewer NAME [--note TEXT]) as br_disposition_apply does a file
 * row; errors name no file (an unknown id is BR_EINPUT; in a shard store
 * it is another shard's and counted in res->skipped).
 */
int br_disposition_one(struct br_store *st, const char *id,
    const char *decision, const char *reviewer, const char *note,
    const char *as_of, struct br_disposition_result *res,
    struct br_error *err);

void br_disposition_release(struct br_disposition_result *res);

#endif
