/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.h: management and regulatory reports computed from the store:
 * unbilled revenue for a cycle, and the monthly sales report in the shape
 * of Form EIA-861M.
 */
#ifndef BR_REPORT_H
#define BR_REPORT_H

#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

/*
 * Unbilled revenue for cycle_id, as CSV on out:
 *   category,account_id,sp_id,meter_id,unit,read_quantity,billed_quantity,
 *   unbilled_quantity,estimated_revenue,detail
 * categories: unbilled_reads (delivered energy read by AMI in the period
 * but not on any bill of the cycle), no_reads (active account with an
 * agreement but no reads), inactive_reading (meter reading on an
 * inactive or closed account, or on a service point with no agreement),
 * estimated_reads (usage of issued bills from estimated intervals),
 * held_bill and unissued_draft (bills of the cycle on hold or not yet
 * issued, at their amounts, held ones with their hold codes).
 * estimated_revenue prices unbilled and estimated quantity at the
 * cycle's average billed revenue per unit of the same rate code (half-up
 * to cents).  Sorted by category, account, service point, meter; no
 * total row: *nrows gets the number of findings and *revenue_cents
 * (if not NULL) the sum of the rows' estimated_revenue, for
 * br_report_unbilled_summary.
 */
int br_report_unbilled(struct br_store *st, const char *cycle_id, FILE *out,
    long *nrows, int64_t *revenue_cents, struct br_error *err);
/* The unbilled report's totals: header findings,estimated_revenue and
 * one row. */
void br_report_unbilled_summary(FILE *out, long nrows,
    int64_t revenue_cents);

struct br_eia_opts {
	const char *month;		/* YYYY-MM: bills dated in the month */
	const char *sector_map;		/* CSV customer_class,sector or NULL */
	const char *const *exclude_prefixes; /* more line codes not revenue */
	size_t nexclude;
};

/*
 * EIA-861M style monthly sales CSV on out:
 *   year,month,state,part,sector,revenue_thousand_dollars,sales_mwh,
 *   customers,average_price_cents_per_kwh
 * one row per sector (residential, commercial, industrial,
 * transportation) and a total, then the net-metering rows
 * (customers, energy received MWh) by sector.
 */
int br_report_eia861m(struct br_store *st, const struct br_eia_opts *opts,
    FILE *out, struct br_error *err);

#endif
