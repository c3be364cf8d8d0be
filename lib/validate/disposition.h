/*
 * disposition.h: the exception review loop.  A disposition file (CSV
 * with columns exception_id, decision, reviewer, note) records a person's
 * decision on each exception: release, hold, estimate or override.  Every
 * decision is appended to exception_decision (seq 1, 2, ... per
 * exception) and sets exception.status.  See docs/validate-reads.md.
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
 * caller's transaction).  Errors with file:line: an unknown exception id
 * (in a shard store, st->shard.n > 1, an unknown id is another shard's
 * and only counted in res->skipped),
 * a bad decision, an empty reviewer, a missing column (BR_EINPUT); an
 * unreadable file (BR_ENOINPUT).  Returns 0 or -1; release res with
 * br_disposition_release in both cases.
 */
int br_disposition_apply(struct br_store *st, const char *path,
    struct br_disposition_result *res, struct br_error *err);

void br_disposition_release(struct br_disposition_result *res);

#endif
