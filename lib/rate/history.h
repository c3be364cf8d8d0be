/* SPDX-License-Identifier: Apache-2.0 */
/*
 * history.h: the legacy system's billing history, read by the cycle run
 * as if billrun had billed those months (private to lib/rate).
 *
 * convert-import (br-convert(5)) leaves the months before go-live in
 * tables legacy_usage, legacy_ratchet and legacy_nem_bank.  The ratchet
 * and the sewer winter average look back over prior bills; the NEM bank
 * of the first bill is the one the legacy system carried.
 */
#ifndef BR_RATE_HISTORY_H
#define BR_RATE_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "rate/rate.h"
#include "store/store.h"

struct br_rate_legacy {
	struct br_store *st;		/* BORROWED */
	sqlite3_stmt *q_prior;		/* OWNED */
	sqlite3_stmt *q_nem;		/* OWNED */
	/* the tables were empty at the open (most stores: no conversion);
	 * the queries are skipped (the run's transaction keeps them so) */
	int no_prior, no_nem;
};

int br_rate_legacy_open(struct br_rate_legacy *lg, struct br_store *st,
    struct br_error *err);
void br_rate_legacy_close(struct br_rate_legacy *lg);

/*
 * Append to (*v)[0..*n) the legacy months of service point sp_id that
 * end before `before` (YYYY-MM-DD), while account_id held it (an
 * agreement overlapping the month), and that none of the billrun bills
 * already in (*v)[0..*n) overlaps: usage in `unit` (the period total,
 * 0 for a month known only from the ratchet file) and the higher of the
 * period's peak demand and the ratchet file's demand for the month of
 * its end.  *v grows as needed (*cap its capacity).
 */
int br_rate_legacy_prior(struct br_rate_legacy *lg, const char *account_id,
    const char *sp_id, const char *unit, const char *before,
    struct br_rate_prior **v, size_t *n, size_t *cap, struct br_error *err);

/*
 * The NEM bank (kWh x 1000) and true-up month (1..12) the legacy system
 * kept for the account at the service point; *found 0 when it kept none.
 */
int br_rate_legacy_nem(struct br_rate_legacy *lg, const char *account_id,
    const char *sp_id, int64_t *bank_milli, int *true_up_month, int *found,
    struct br_error *err);

#endif
