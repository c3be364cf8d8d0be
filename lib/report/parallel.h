/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parallel.h: the parallel run (parallel-compare): the legacy system's
 * bill extract for a cycle against billrun's bills of that cycle, per
 * account and line, with the cause of each difference, totals by rate
 * code and customer class, and pass/fail against a tolerance.
 */
#ifndef BR_PARALLEL_H
#define BR_PARALLEL_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

struct br_parallel_opts {
	const char *cycle_id;
	const char *legacy;	/* the extract CSV */
	const char *map;	/* YAML layout and code map, or NULL */
	const char *code_map;	/* CSV legacy_code,code, or NULL */
	FILE *html;		/* also write the page here, or NULL */
	int64_t tolerance_cents;	/* per bill, absolute */
};

struct br_parallel_stats {
	long bills, matched, within, differ, only_legacy, only_billrun;
	int64_t legacy_cents, billrun_cents;
	int pass;
};

/*
 * Compare and write the report CSV to out (docs/parallel-compare.md),
 * and the HTML page to o->html when set.  Reads the store only.  Returns
 * 0, or -1 with err (BR_EINPUT with file:line for a bad extract or code
 * map row, BR_ECONFIG for a bad YAML map, BR_ENOINPUT when missing).
 */
int br_parallel_run(struct br_store *st, const struct br_parallel_opts *o,
    FILE *out, struct br_parallel_stats *stats, struct br_error *err);

/*
 * The grand total, a CSV of its own: header result,bills,match,
 * within_tolerance,differ,only_legacy,only_billrun,legacy_total,
 * billrun_total,delta and one row (result PASS or FAIL; the counts of
 * the report's bill rows by outcome; the sums of their amounts).
 */
void br_parallel_summary_write(const struct br_parallel_stats *st, FILE *f);

#endif
