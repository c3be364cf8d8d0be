/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paymap.h: the column mapping of a CSV payment file (card processor
 * settlement, walk-in, lockbox CSV), read from a small YAML file:
 *
 *   columns:
 *     date: settlement_date      # required
 *     amount: amount             # required
 *     account: order_ref#1       # "#N": field N (1-based) of the value
 *     bill: order_ref#2          #   split on `separator`
 *     scan_line: scanline
 *     reference: auth_code
 *     method: card_brand
 *   separator: "|"
 *   date_format: YYYY-MM-DD      # or MM/DD/YYYY, YYYYMMDD (a longer
 *                                # value, e.g. with a time, is cut)
 *   amount_unit: dollars         # or cents
 *   method: card                 # used when there is no method column
 *   include_column: txn_type     # only rows whose column equals
 *   include_value: SALE          #   include_value are payments;
 *   refund_value: REFUND         #   these are refunds and
 *   chargeback_value: CHARGEBACK #   chargebacks (own ledger kinds),
 *                                #   any other value is not posted
 *
 * The default mapping is the foundation layout: date, account_id, amount,
 * method, reference (dollars, YYYY-MM-DD).
 */
#ifndef BR_PAYMAP_H
#define BR_PAYMAP_H

#include "core/error.h"

/* One mapped field: a column name and an optional part number. */
struct br_paymap_col {
	char name[64];		/* "" when not mapped */
	int part;		/* 0: whole value; N: Nth part on separator */
};

struct br_paymap {
	struct br_paymap_col date, amount, account, bill, scan_line,
	    reference, method;
	char separator;
	char date_format[16];	/* YYYY-MM-DD, MM/DD/YYYY, YYYYMMDD */
	int amount_cents;	/* 1: amounts are integer cents */
	char method_default[32];
	char include_column[64], include_value[64];
	char refund_value[64], chargeback_value[64];
};

/* The foundation layout. */
void br_paymap_default(struct br_paymap *m);

/* Load path; 0 or -1 with err (BR_EINPUT with file and line, or
 * BR_ENOINPUT). */
int br_paymap_load(struct br_paymap *m, const char *path,
    struct br_error *err);

/*
 * Parse date s per m->date_format into out (YYYY-MM-DD).  0 or -1.
 */
int br_paymap_date(const struct br_paymap *m, const char *s, char out[11]);

/* Extract part `part` (1-based; 0 whole) of s on sep into out. */
void br_paymap_part(const char *s, char sep, int part, char *out, size_t n);

#endif
