/* SPDX-License-Identifier: Apache-2.0 */
/*
 * regcheck.h: registry-check, the pre-go-live (and every cycle) audit of
 * the registry against the imported reads of a bill cycle: meters that
 * read but are not installed or are installed twice, retired meters and
 * empty service points on active agreements, silent meters, duplicate
 * meter ids, and multiplier checks (register vs intervals, intervals vs
 * history, multiplier vs meter class).  docs/registry-check.md lists the
 * finding codes.
 */
#ifndef BR_REGCHECK_H
#define BR_REGCHECK_H

#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

struct br_regcheck_finding {
	char code[40];
	char severity[8];	/* hold | warn | info */
	char meter_id[64];
	char sp_id[64];
	char account_id[64];
	char evidence[320];	/* the values compared */
	char fix[200];		/* the suggested fix */
};

struct br_regcheck {
	struct br_regcheck_finding *f;	/* OWNED, sorted after the run */
	size_t n, cap;
	long holds, warns, infos;
	long meters, agreements;	/* examined */
};

/*
 * Check the registry of st against the reads of bill cycle cycle_id
 * (its period_start..period_end).  Fills rc (release with
 * br_regcheck_release) with the findings sorted by severity (hold, warn,
 * info), code, meter, service point, account.  Reads only.  Returns 0,
 * or -1 with err (BR_EINPUT for an unknown cycle).
 */
int br_regcheck_run(struct br_store *st, const char *cycle_id,
    struct br_regcheck *rc, struct br_error *err);

/* Write the findings CSV (header code,severity,meter_id,sp_id,
 * account_id,evidence,suggested_fix). */
void br_regcheck_write_csv(const struct br_regcheck *rc, FILE *out);

/* Write the findings as a self-contained HTML page (io/html.h), one
 * table per severity. */
void br_regcheck_write_html(const struct br_regcheck *rc,
    const char *cycle_id, FILE *out);

void br_regcheck_release(struct br_regcheck *rc);

/* The normalized form of a meter id used to find duplicates: upper case,
 * a vendor prefix (1-6 letters before a separator - _ : . /, or 1-4
 * letters before 4 or more digits and nothing else) and the zero
 * padding of an all-digit rest removed.  Writes at most n bytes to out. */
void br_regcheck_normalize_id(const char *id, char *out, size_t n);

#endif
