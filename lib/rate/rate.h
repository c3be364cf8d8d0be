/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rate.h: the rating engine.  Turns a tariff, a billing period and the
 * interval days of one service point into bill lines with a trace, and
 * drives a whole cycle over the store (rate-apply).
 */
#ifndef BR_RATE_H
#define BR_RATE_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"
#include "rate/tariff.h"
#include "core/tz.h"

struct br_rate_line {
	char code[40];			/* CUSTOMER, ENERGY, ENERGY_T1, ... */
	char description[96];
	int64_t quantity_milli;
	char unit[16];
	int64_t rate_micro;		/* shown: half up to 6 decimals */
	int64_t rate_nano;		/* exact (rate_micro x 1000 when the
					 * line's rate is not a tariff's) */
	int64_t amount_cents;
	char trace[1024];
};

struct br_rate_lines {
	struct br_rate_line *v;		/* OWNED */
	size_t n, cap;
};

void br_rate_lines_release(struct br_rate_lines *l);

/*
 * Per-day local time cache: for every local day of a range, the local
 * quarter hour (0..95) each 15-minute slot starts in.  Built once per run
 * and shared by every meter and tariff, so TOU classification is two
 * table lookups per interval.
 */
struct br_rate_cache {
	const struct br_tz *tz;		/* BORROWED */
	int32_t first_day, ndays;
	uint8_t *quarter;		/* OWNED: ndays x 100 */
	uint8_t *nslots;		/* OWNED: ndays */
	int64_t *start;			/* OWNED: UTC start of each local day */
};

int br_rate_cache_init(struct br_rate_cache *c, const struct br_tz *tz,
    int32_t first_day, int32_t last_day, struct br_error *err);
void br_rate_cache_release(struct br_rate_cache *c);

/* What an earlier bill of the service point recorded (table bill_sp). */
struct br_rate_prior {
	int32_t period_first, period_last;	/* local days */
	int64_t usage_milli;			/* delivered, tariff unit */
	int64_t demand_milli;			/* billed (ratcheted) kW */
	int64_t nem_bank_milli;			/* kWh bank after it */
};

/*
 * A TOU demand line of an earlier bill (table bill_line, code
 * DEMAND_<PERIOD>, unit kW): the billed kW of that period.  Read only for
 * tariffs with a ratchet on a TOU demand period.
 */
struct br_rate_prior_demand {
	int32_t period_first, period_last;	/* the bill's service days */
	char code[40];				/* DEMAND_ON_PEAK */
	int64_t demand_milli;			/* billed (ratcheted) kW */
};

/* Filled by br_rate_compute when br_rate_input.summary is set. */
struct br_rate_summary {
	int64_t usage_milli;		/* delivered, tariff unit */
	int64_t demand_milli;		/* billed maximum demand (DEMAND) */
	int64_t export_milli;		/* received channel */
	int64_t nem_bank_milli;		/* kWh bank after this bill */
};

struct br_rate_input {
	const struct br_tariff *tariff;
	struct br_rate_cache *cache;
	int32_t period_first, period_last;	/* the cycle, local days */
	int32_t service_first, service_last;	/* agreement within it */
	const struct br_interval_day *days;	/* delivered channel */
	size_t ndays;
	const struct br_interval_day *recv;	/* received channel (NEM) */
	size_t nrecv;
	const char *nem_program;	/* agreement's net_metering, "" none */
	int64_t nem_bank_milli;		/* kWh bank carried in */
	int nem_true_up_month;		/* 1..12 the account's own (converted
					   from the legacy system), 0 the
					   tariff's */
	const struct br_rate_prior *prior;	/* earlier bills, any order */
	size_t nprior;
	const struct br_rate_prior_demand *prior_pdem;	/* TOU ratchets */
	size_t nprior_pdem;
	struct br_rate_summary *summary;	/* optional output */
};

/*
 * Rate one service point: append its lines to out.  A version change or
 * season change inside the period splits it into segments rated
 * separately (monthly amounts and limits prorated by days).  Returns 0 or
 * -1 (BR_ECONFIG when no tariff version is in effect).
 */
int br_rate_compute(const struct br_rate_input *in, struct br_rate_lines *out,
    struct br_error *err);

/* Usage of one interval day: non-missing sum, estimated part, missing. */
void br_rate_day_usage(const struct br_interval_day *d, int64_t *usage_milli,
    int64_t *estimated_milli, int64_t *missing_intervals);

/*
 * Where an account's bill goes when br_rate_opts.target is set (rebill,
 * lib/rate/rebill.c): a fresh bill id, the bill it replaces, its dates.
 */
struct br_rate_target {
	char bill_id[160];
	char replaces[160];
	char bill_date[11], due_date[11];
};

struct br_rate_opts {
	const char *cycle_id;
	const char *rates_dir;		/* default "rates" */
	const char *account_id;		/* NULL: every account */
	/*
	 * NULL: bill <cycle>-<account> (normal run).  Else called once per
	 * account before rating: returns 1 to rate the account into *t
	 * (the id must be free), 0 to skip it, -1 on error.
	 */
	int (*target)(void *ctx, const char *account_id,
	    struct br_rate_target *t, struct br_error *err);
	void *target_ctx;
	/* NULL, or called for every bill put on hold with its amount and
	 * its hold exception codes ("NEGATIVE SUM_CHECK"): rate-apply -v
	 * names them. */
	void (*notice)(void *ctx, const char *bill_id, int64_t total_cents,
	    const char *hold_codes);
	void *notice_ctx;
};

struct br_rate_stats {
	long bills, held, lines, skipped_issued;
};

/*
 * rate-apply: bill every account of the cycle (see docs/pipeline.md),
 * replacing its draft/hold bills in the store, and write the charges CSV
 * to out (NULL: no CSV).  The caller owns the transaction.  Returns 0 or -1.
 */
int br_rate_run(struct br_store *st, const struct br_rate_opts *opts,
    FILE *out, struct br_rate_stats *stats, struct br_error *err);

#endif
