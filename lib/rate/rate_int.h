/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rate_int.h: private to lib/rate/engine.c and charges.c.  One segment
 * of a billing period (constant tariff version and season) with its
 * usage and demand sums, and the charge functions the engine calls on
 * it, each appending bill lines with their trace.
 */
#ifndef BR_RATE_INT_H
#define BR_RATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/money.h"
#include "rate/rate.h"
#include "rate/tariff.h"

struct seg {
	int32_t first, last;
	int ver, season;
	const struct br_tariff_energy *energy;
	const struct br_tariff_nem *nem;	/* NULL: no net metering */
	size_t ndem;
	const struct br_tariff_demand *dem[BR_TARIFF_MAX_DEMAND];
	unsigned dem_mask[BR_TARIFF_MAX_DEMAND]; /* energy periods, 0: any */
	bool any_demand;
	int64_t usage;				/* delivered, tariff unit */
	int64_t per_usage[BR_TARIFF_MAX_PERIODS];
	int64_t raw_usage;			/* meter unit (CCF for gas) */
	int64_t recv;				/* received (exported) */
	int64_t per_recv[BR_TARIFF_MAX_PERIODS]; /* by energy period */
	int64_t per_exp[BR_TARIFF_MAX_PERIODS];	/* by export period */
	br_i128 rtp_pico;			/* sum milli-units x nano-dollar
						 * price: 1e-12 $, exact */
	br_i128 exp_pico;			/* export credits at hourly prices */
	int64_t demand_milli;			/* kW x 1000, any interval */
	int64_t demand_at;
	bool have_demand;
	int64_t pdem[BR_TARIFF_MAX_PERIODS];	/* max kW per TOU period */
	int64_t pdem_at[BR_TARIFF_MAX_PERIODS];
	bool have_pdem[BR_TARIFF_MAX_PERIODS];
	bool any_total;				/* a totalized demand entry */
	int64_t tot_kw, tot_at;			/* totalized, any interval */
	bool have_tot;
	int64_t tpdem[BR_TARIFF_MAX_PERIODS];	/* totalized per TOU period */
	int64_t tpdem_at[BR_TARIFF_MAX_PERIODS];
	bool have_tpdem[BR_TARIFF_MAX_PERIODS];
	int nmeters;				/* meters summed (trace) */
	int64_t sum_cents;			/* lines so far (minimum bill) */
	size_t line0;				/* first line of the segment */
	int64_t billed_energy;			/* units on energy lines */
};

int br_seg_rate_customer(const struct br_rate_input *in, struct seg *s, struct
    br_rate_lines *out, struct br_error *err);
int br_seg_rate_energy(const struct br_rate_input *in, struct seg *s, int64_t
    *bank, struct br_rate_lines *out, struct br_error *err);
int br_seg_rate_exports(const struct br_rate_input *in, struct seg *s, struct
    br_rate_lines *out, struct br_error *err);
int br_seg_rate_demand(const struct br_rate_input *in, struct seg *s, struct
    br_rate_lines *out, struct br_error *err);
int br_seg_rate_sewer(const struct br_rate_input *in, struct seg *s, struct
    br_rate_lines *out, struct br_error *err);
int br_seg_rate_minimum(const struct br_rate_input *in, struct seg *s, struct
    br_rate_lines *out, struct br_error *err);
int br_seg_rate_riders(const struct br_rate_input *in, struct seg *s, struct
    br_rate_lines *out, struct br_error *err);
int br_seg_rate_taxes(const struct br_rate_input *in, struct seg *s, struct
    br_rate_lines *out, struct br_error *err);
int br_seg_rate_trueup(const struct br_rate_input *in, struct seg *s, int64_t
    *bank, struct br_rate_lines *out, struct br_error *err);

#endif
