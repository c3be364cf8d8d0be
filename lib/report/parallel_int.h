/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parallel_int.h: private to lib/report/parallel*.c.  The layout of the
 * legacy bill extract (its column names, period format and line-code
 * map: parallel_map.c) and the report rows the comparison leaves for the
 * CSV and the HTML page (parallel_page.c).
 */
#ifndef BR_PARALLEL_INT_H
#define BR_PARALLEL_INT_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "report/parallel.h"

enum { PCOL_ACCOUNT, PCOL_PERIOD, PCOL_CODE, PCOL_QTY, PCOL_AMOUNT,
	PCOL_TOTAL, PCOL_N };

enum pperiod { PPERIOD_DASH, PPERIOD_COMPACT, PPERIOD_SLASH };

struct pcode {
	char from[40], to[40];
};

struct playout {
	char col[PCOL_N][64];	/* header names; col[PCOL_TOTAL] "" none */
	enum pperiod period;	/* YYYY-MM, YYYYMM, MM/YYYY */
	struct pcode *code;
	size_t ncode, capcode;
	int dup;		/* set() saw a code mapped twice */
};

/* The documented layout: account_id,period,line_code,... YYYY-MM. */
void br_pmap_init(struct playout *l);
void br_pmap_release(struct playout *l);
/* The YAML map (docs/man/br-parallel-map.5): BR_ECONFIG on a bad key. */
int br_pmap_yaml(struct playout *l, const char *path, struct br_error *err);
/* The CSV code map legacy_code,code: BR_EINPUT naming file and line. */
int br_pmap_csv(struct playout *l, const char *path, struct br_error *err);
/* billrun's code for a legacy code (the code itself when unmapped). */
const char *br_pmap_code(const struct playout *l, const char *code);
/* A period field as YYYY-MM in out[8]; -1 when it does not parse. */
int br_pmap_period(const struct playout *l, const char *f, char *out);

/* One report row (docs/parallel-compare.md), as written to the CSV. */
struct prow {
	char kind[8], account[64], rate[40], cls[40], code[40];
	char lq[32], bq[32], la[32], ba[32], delta[32];
	char why[160];
};

/* The HTML page of the rows (parallel_page.c). */
void br_parallel_page(FILE *f, const char *cycle_id,
    const struct br_parallel_stats *st, const struct prow *v, size_t n);

#endif
