/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine.c: the rating engine, pure: a bill from intervals and a tariff.
 *
 * br_rate_compute splits the service days of a period into segments of
 * constant (tariff version, season), sums each segment's usage (per TOU
 * period through the per-day quarter-hour cache) and maximum demand, and
 * emits one bill line per charge with a complete trace.  Rates are exact
 * nano-dollars per unit; amounts are quantity x rate rounded half up at
 * the micro-dollar, then rounded to cents by the tariff's rule; a bill
 * total is the sum of line cents.
 *
 * No SQL here: everything the engine needs comes in struct br_rate_input
 * (cycle.c loads it from the store and writes what comes out).  This file
 * owns the quarter-hour cache, the segments and their usage and demand
 * sums, and br_rate_compute; the charges of a segment, one bill line
 * each, are in charges.c (struct seg is shared through rate_int.h).
 */
#include "rate/rate.h"
#include "rate/rate_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "core/banned.h"

#define MAX_SEGMENTS 16
#define MAX_SLOTS 100

void
br_rate_lines_release(struct br_rate_lines *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int
quarter_of(const struct br_tz *tz, int64_t t)
{
	int64_t local = t + br_tz_offset(tz, t);

	return (int)((local - br_floor_div(local, 86400) * 86400) / 900);
}

int
br_rate_cache_init(struct br_rate_cache *c, const struct br_tz *tz,
    int32_t first_day, int32_t last_day, struct br_error *err)
{
	int32_t d, i, n;

	memset(c, 0, sizeof(*c));
	c->tz = tz;
	c->first_day = first_day;
	c->ndays = last_day >= first_day ? last_day - first_day + 1 : 0;
	c->quarter = calloc((size_t)c->ndays + 1, MAX_SLOTS);
	c->nslots = calloc((size_t)c->ndays + 1, 1);
	c->start = calloc((size_t)c->ndays + 1, sizeof(int64_t));
	if (c->quarter == NULL || c->nslots == NULL || c->start == NULL) {
		br_rate_cache_release(c);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	for (d = 0; d < c->ndays; d++) {
		int64_t start = br_tz_day_start(tz, first_day + d);
		c->start[d] = start;
		n = br_tz_day_length(tz, first_day + d) / 900;
		if (n > MAX_SLOTS)
			n = MAX_SLOTS;
		c->nslots[d] = (uint8_t)n;
		for (i = 0; i < n; i++)
			c->quarter[(size_t)d * MAX_SLOTS + (size_t)i] =
			    (uint8_t)quarter_of(tz, start + (int64_t)i * 900);
	}
	return 0;
}

void
br_rate_cache_release(struct br_rate_cache *c)
{
	free(c->quarter);
	free(c->nslots);
	free(c->start);
	c->quarter = c->nslots = NULL;
	c->start = NULL;
	c->ndays = 0;
}

/* UTC start of local day `day`: cached when inside the range. */
static int64_t
day_start(const struct br_rate_cache *c, int32_t day)
{
	int32_t k = day - c->first_day;

	if (k >= 0 && k < c->ndays)
		return c->start[k];
	return br_tz_day_start(c->tz, day);
}

/*
 * Quarter hour of each slot of d: cached, or computed into buf.  Slot i
 * of a day of step x 15-minute intervals (hourly: step 4) starts where
 * the day's 15-minute slot i x step starts, so its quarter is that
 * slot's, cached (hourly data spent a tenth of rate-apply converting
 * every interval's start to local time).
 */
static const uint8_t *
day_quarters(struct br_rate_cache *c, const struct br_interval_day *d,
    uint8_t *buf)
{
	int32_t k = d->day - c->first_day, i;
	int64_t start;

	if (k >= 0 && k < c->ndays && d->n > 0 && d->interval_s > 0 &&
	    d->interval_s % 900 == 0) {
		int32_t step = d->interval_s / 900;
		const uint8_t *q = &c->quarter[(size_t)k * MAX_SLOTS];

		if (step == 1 && d->n <= c->nslots[k])
			return q;
		if ((int64_t)(d->n - 1) * step < c->nslots[k]) {
			for (i = 0; i < d->n; i++)
				buf[i] = q[i * step];
			return buf;
		}
	}
	start = br_tz_day_start(c->tz, d->day);
	for (i = 0; i < d->n; i++)
		buf[i] = (uint8_t)quarter_of(c->tz, start +
		    (int64_t)i * d->interval_s);
	return buf;
}

void
br_rate_day_usage(const struct br_interval_day *d, int64_t *usage_milli,
    int64_t *estimated_milli, int64_t *missing_intervals)
{
	int32_t i;

	for (i = 0; i < d->n; i++) {
		if (d->quality[i] & BR_Q_MISSING) {
			(*missing_intervals)++;
			continue;
		}
		*usage_milli += d->values[i];
		if (d->quality[i] & BR_Q_ESTIMATED)
			*estimated_milli += d->values[i];
	}
}

static const struct br_tariff_energy *
energy_for(const struct br_tariff_version *v, int season)
{
	size_t i;

	for (i = 0; i < v->nenergy; i++)
		if (v->energy[i].season < 0 || v->energy[i].season == season)
			return &v->energy[i];
	return NULL;
}

static void
demand_for(const struct br_tariff_version *v, struct seg *s)
{
	const struct br_tariff_energy *e = s->energy;
	size_t i, p;

	s->ndem = 0;
	for (i = 0; i < v->ndemand; i++) {
		const struct br_tariff_demand *d = &v->demand[i];
		if (d->season >= 0 && d->season != s->season)
			continue;
		s->dem[s->ndem] = d;
		s->dem_mask[s->ndem] = 0;
		if (d->totalize)
			s->any_total = true;
		for (size_t q = 0; e->kind == BR_ENERGY_TOU &&
		    q < d->nperiods; q++)
			for (p = 0; p < e->nperiods; p++)
				if (strcmp(e->periods[p].name,
				    d->periods[q]) == 0)
					s->dem_mask[s->ndem] |= 1u << p;
		s->ndem++;
	}
	s->any_demand = s->ndem > 0;
}

/* Merge a day's maximum raw value at slot i into (kw, at). */
static void
merge_max(int64_t v, int32_t i, const struct br_interval_day *d,
    int64_t start, int64_t *kw_out, int64_t *at, bool *have)
{
	int64_t kw = br_div_round(v * 3600, d->interval_s, BR_ROUND_HALF_UP);
	int64_t t = start + (int64_t)i * d->interval_s;

	if (!*have || kw > *kw_out || (kw == *kw_out && t < *at)) {
		*kw_out = kw;
		*at = t;
		*have = true;
	}
}

/* Sum one delivered day into its segment. */
static int
accumulate(const struct br_rate_input *in, struct seg *s,
    const struct br_interval_day *d, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_energy *e = s->energy;
	const struct br_tariff_version *ver = &t->versions[s->ver];
	uint8_t buf[1440];
	const uint8_t *q = NULL, *map = NULL;
	const int64_t *vals = d->values;
	const uint8_t *qual = d->quality;
	int64_t start = 0, use = 0, per[BR_TARIFF_MAX_PERIODS] = { 0 };
	int64_t dmax = -1, pmax[BR_TARIFF_MAX_PERIODS], btu;
	int32_t dmax_i = 0, pmax_i[BR_TARIFF_MAX_PERIODS], i, n = d->n;
	size_t p, np = 0;

	if (n > 1440)
		return 0;
	if (e->kind == BR_ENERGY_TOU) {
		q = day_quarters(in->cache, d, buf);
		map = e->slot_period[br_tariff_daytype(t, d->day)];
		np = e->nperiods;
	}
	if (s->any_demand || e->kind == BR_ENERGY_PRICES)
		start = day_start(in->cache, d->day);
	for (p = 0; p < BR_TARIFF_MAX_PERIODS; p++)
		pmax[p] = -1;
	if (map && !s->any_demand) {
		/* hot loop: TOU energy only */
		for (i = 0; i < n; i++) {
			int64_t v = qual[i] & BR_Q_MISSING ? 0 : vals[i];
			per[map[q[i]]] += v;
		}
		for (p = 0; p < np; p++)
			use += per[p];
	} else if (map) {
		for (i = 0; i < n; i++) {
			int64_t v;
			uint8_t pp;
			if (qual[i] & BR_Q_MISSING)
				continue;
			v = vals[i];
			pp = map[q[i]];
			per[pp] += v;
			if (v > dmax) {
				dmax = v;
				dmax_i = i;
			}
			if (v > pmax[pp]) {
				pmax[pp] = v;
				pmax_i[pp] = i;
			}
		}
		for (p = 0; p < np; p++)
			use += per[p];
	} else if (e->kind == BR_ENERGY_PRICES) {
		const struct br_price_table *pt = &t->prices[e->prices];
		for (i = 0; i < n; i++) {
			int64_t v, pr;
			bool ok;
			if (qual[i] & BR_Q_MISSING)
				continue;
			v = vals[i];
			use += v;
			if (v > dmax) {
				dmax = v;
				dmax_i = i;
			}
			pr = br_price_at(pt, start + (int64_t)i * d->interval_s,
			    &ok);
			if (!ok) {
				char tb[32];
				return br_error_set(err, BR_ECONFIG, pt->file,
				    0, "no price for the hour of %s",
				    br_time_format_utc(start + (int64_t)i *
				    d->interval_s, tb, sizeof(tb)));
			}
			s->rtp_pico += (br_i128)v * (pr + e->adder_nano);
		}
	} else {
		for (i = 0; i < n; i++) {
			int64_t v;
			if (qual[i] & BR_Q_MISSING)
				continue;
			v = vals[i];
			use += v;
			if (v > dmax) {
				dmax = v;
				dmax_i = i;
			}
		}
	}
	s->raw_usage += use;
	btu = br_tariff_btu_at(ver, d->day);
	if (btu != 0) {
		use = br_div_round(use * btu, 1000000, BR_ROUND_HALF_UP);
		for (p = 0; p < np; p++)
			per[p] = br_div_round(per[p] * btu, 1000000,
			    BR_ROUND_HALF_UP);
	}
	s->usage += use;
	for (p = 0; p < np; p++)
		s->per_usage[p] += per[p];
	if (s->any_demand) {
		if (dmax >= 0)
			merge_max(dmax, dmax_i, d, start, &s->demand_milli,
			    &s->demand_at, &s->have_demand);
		for (p = 0; p < np; p++)
			if (pmax[p] >= 0)
				merge_max(pmax[p], pmax_i[p], d, start,
				    &s->pdem[p], &s->pdem_at[p],
				    &s->have_pdem[p]);
	}
	return 0;
}

/* Sum one received (exported) day into its segment. */
static int
accumulate_recv(const struct br_rate_input *in, struct seg *s,
    const struct br_interval_day *d, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_energy *e = s->energy, *x = &s->nem->exp;
	uint8_t buf[1440];
	const uint8_t *q = NULL, *emap = NULL, *xmap = NULL;
	int64_t start = day_start(in->cache, d->day);
	int32_t i;
	enum br_daytype dt = br_tariff_daytype(t, d->day);

	if (d->n > 1440)
		return 0;
	q = day_quarters(in->cache, d, buf);
	if (e->kind == BR_ENERGY_TOU)
		emap = e->slot_period[dt];
	if (s->nem->mode == BR_NEM_BILLING && x->kind == BR_ENERGY_TOU)
		xmap = x->slot_period[dt];
	for (i = 0; i < d->n; i++) {
		int64_t v;
		if (d->quality[i] & BR_Q_MISSING)
			continue;
		v = d->values[i];
		s->recv += v;
		if (emap)
			s->per_recv[emap[q[i]]] += v;
		if (xmap)
			s->per_exp[xmap[q[i]]] += v;
		if (s->nem->mode == BR_NEM_BILLING &&
		    x->kind == BR_ENERGY_PRICES) {
			const struct br_price_table *pt = &t->prices[x->prices];
			bool ok;
			int64_t pr = br_price_at(pt, start + (int64_t)i *
			    d->interval_s, &ok);
			if (!ok) {
				char tb[32];
				return br_error_set(err, BR_ECONFIG, pt->file,
				    0, "no export price for the hour of %s",
				    br_time_format_utc(start + (int64_t)i *
				    d->interval_s, tb, sizeof(tb)));
			}
			s->exp_pico += (br_i128)v * (pr + x->adder_nano);
		}
	}
	return 0;
}

static const struct br_tariff_nem *
nem_for(const struct br_tariff_version *v, const char *program)
{
	size_t i;

	if (program == NULL || program[0] == '\0')
		return NULL;
	for (i = 0; i < v->nnem; i++)
		if (strcmp(v->nem[i].program, program) == 0)
			return &v->nem[i];
	return NULL;
}

/* Keep the higher (earlier on ties) of kw at t in (*m, *at). */
static void
keep_max(int64_t kw, int64_t t, int64_t *m, int64_t *at, bool *have)
{
	if (!*have || kw > *m || (kw == *m && t < *at)) {
		*m = kw;
		*at = t;
		*have = true;
	}
}

/*
 * Totalized demand: the kW of every meter of the service point summed
 * per local quarter hour (an interval of 30 or 60 minutes gives its kW
 * to each quarter it covers), then the maximum over each segment and per
 * TOU energy period.  Only for segments with a totalized demand entry.
 */
static int
totalize(const struct br_rate_input *in, struct seg *segs, int nsegs,
    struct br_error *err)
{
	int32_t first = in->service_first, ndays = in->service_last -
	    in->service_first + 1, day;
	int64_t *kw = calloc((size_t)ndays * MAX_SLOTS, sizeof(int64_t));
	uint8_t *has = calloc((size_t)ndays * MAX_SLOTS, 1), buf[MAX_SLOTS];
	char seen[32][64];
	int nseen = 0, k, rc = -1;
	size_t i;

	if (kw == NULL || has == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < in->ndays; i++) {
		const struct br_interval_day *d = &in->days[i];
		int32_t j, x, per, nq;
		size_t off;
		if (d->day < first || d->day > in->service_last)
			continue;
		if (d->interval_s % 900 != 0) {
			br_error_set(err, BR_ECONFIG, in->tariff->file, 0,
			    "totalized demand needs intervals of 15 minutes "
			    "or a multiple (meter '%s' has %d seconds)",
			    d->meter_id, d->interval_s);
			goto out;
		}
		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k], d->meter_id) == 0)
				break;
		if (k == nseen && nseen < 32)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s",
			    d->meter_id);
		per = d->interval_s / 900;
		nq = br_tz_day_length(in->cache->tz, d->day) / 900;
		off = (size_t)(d->day - first) * MAX_SLOTS;
		for (j = 0; j < d->n; j++) {
			int64_t v;
			if (d->quality[j] & BR_Q_MISSING)
				continue;
			v = br_div_round(d->values[j] * 3600, d->interval_s,
			    BR_ROUND_HALF_UP);
			for (x = 0; x < per; x++) {
				int32_t q = j * per + x;
				if (q >= nq || q >= MAX_SLOTS)
					break;
				kw[off + (size_t)q] += v;
				has[off + (size_t)q] = 1;
			}
		}
	}
	for (k = 0; k < nsegs; k++) {
		struct seg *s = &segs[k];
		const struct br_tariff_energy *e = s->energy;
		if (!s->any_total)
			continue;
		s->nmeters = nseen;
		for (day = s->first; day <= s->last; day++) {
			struct br_interval_day qd;
			const uint8_t *qs = NULL, *map = NULL;
			int64_t start = day_start(in->cache, day);
			size_t off = (size_t)(day - first) * MAX_SLOTS;
			int32_t q, nq = br_tz_day_length(in->cache->tz, day) /
			    900;
			if (nq > MAX_SLOTS)
				nq = MAX_SLOTS;
			if (e->kind == BR_ENERGY_TOU) {
				memset(&qd, 0, sizeof(qd));
				qd.day = day;
				qd.interval_s = 900;
				qd.n = nq;
				qs = day_quarters(in->cache, &qd, buf);
				map = e->slot_period[br_tariff_daytype(
				    in->tariff, day)];
			}
			for (q = 0; q < nq; q++) {
				int64_t t = start + (int64_t)q * 900;
				if (!has[off + (size_t)q])
					continue;
				keep_max(kw[off + (size_t)q], t, &s->tot_kw,
				    &s->tot_at, &s->have_tot);
				if (map) {
					uint8_t p = map[qs[q]];
					keep_max(kw[off + (size_t)q], t,
					    &s->tpdem[p], &s->tpdem_at[p],
					    &s->have_tpdem[p]);
				}
			}
		}
	}
	rc = 0;
out:
	free(kw);
	free(has);
	return rc;
}

int
br_rate_compute(const struct br_rate_input *in, struct br_rate_lines *out,
    struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	struct seg segs[MAX_SEGMENTS];
	int nsegs = 0, k;
	int32_t day;
	int64_t bank = in->nem_bank_milli;
	size_t i;
	char b[16];

	/* segments cover every service day; each is zeroed when it starts
	 * (the whole array is ~55 KB: zeroing it was 1.5 % of a bill) */
	for (day = in->service_first; day <= in->service_last; day++) {
		int ver = br_tariff_version_at(t, day);
		int season = br_tariff_season_of(t, day);
		struct seg *s;
		if (ver < 0)
			return br_error_set(err, BR_ECONFIG, t->file, 0,
			    "no version of rate '%s' is in effect on %s",
			    t->code, br_date_format(day, b, sizeof(b)));
		if (nsegs > 0 && segs[nsegs - 1].ver == ver &&
		    segs[nsegs - 1].season == season) {
			segs[nsegs - 1].last = day;
			continue;
		}
		if (nsegs == MAX_SEGMENTS)
			return br_error_set(err, BR_ECONFIG, t->file, 0,
			    "rate '%s' changes more than %d times in one "
			    "period", t->code, MAX_SEGMENTS);
		s = &segs[nsegs];
		memset(s, 0, sizeof(*s));
		s->first = s->last = day;
		s->ver = ver;
		s->season = season;
		s->energy = energy_for(&t->versions[ver], season);
		if (s->energy == NULL)
			return br_error_set(err, BR_ECONFIG, t->file,
			    t->versions[ver].line, "rate '%s' has no energy "
			    "charge for this season", t->code);
		demand_for(&t->versions[ver], s);
		if (in->nem_program && in->nem_program[0]) {
			s->nem = nem_for(&t->versions[ver], in->nem_program);
			if (s->nem == NULL)
				return br_error_set(err, BR_ECONFIG, t->file,
				    t->versions[ver].line, "rate '%s' has no "
				    "net metering program '%s' (version %s)",
				    t->code, in->nem_program, br_date_format(
				    t->versions[ver].effective, b, sizeof(b)));
		}
		nsegs++;
	}
	for (i = 0; i < in->ndays; i++) {
		const struct br_interval_day *d = &in->days[i];
		if (d->day < in->service_first || d->day > in->service_last)
			continue;
		for (k = 0; k < nsegs; k++)
			if (d->day >= segs[k].first && d->day <= segs[k].last)
				break;
		if (accumulate(in, &segs[k], d, err) != 0)
			return -1;
	}
	for (k = 0; k < nsegs; k++)
		if (segs[k].any_total) {
			if (totalize(in, segs, nsegs, err) != 0)
				return -1;
			break;
		}
	for (i = 0; i < in->nrecv; i++) {
		const struct br_interval_day *d = &in->recv[i];
		if (d->day < in->service_first || d->day > in->service_last)
			continue;
		for (k = 0; k < nsegs; k++)
			if (d->day >= segs[k].first && d->day <= segs[k].last)
				break;
		if (segs[k].nem && accumulate_recv(in, &segs[k], d, err) != 0)
			return -1;
	}
	if (in->summary)
		memset(in->summary, 0, sizeof(*in->summary));
	for (k = 0; k < nsegs; k++) {
		struct seg *s = &segs[k];
		s->line0 = out->n;
		if (br_seg_rate_customer(in, s, out, err) != 0 ||
		    br_seg_rate_energy(in, s, &bank, out, err) != 0 ||
		    br_seg_rate_demand(in, s, out, err) != 0 ||
		    br_seg_rate_exports(in, s, out, err) != 0 ||
		    br_seg_rate_sewer(in, s, out, err) != 0 ||
		    br_seg_rate_minimum(in, s, out, err) != 0 ||
		    br_seg_rate_trueup(in, s, &bank, out, err) != 0 ||
		    br_seg_rate_riders(in, s, out, err) != 0 ||
		    br_seg_rate_taxes(in, s, out, err) != 0)
			return -1;
		if (in->summary) {
			in->summary->usage_milli += s->usage;
			in->summary->export_milli += s->recv;
		}
	}
	if (in->summary)
		in->summary->nem_bank_milli = bank;
	return 0;
}
