/* SPDX-License-Identifier: Apache-2.0 */
/*
 * estimate.c: validate-reads' estimation.  Fills short gaps by linear
 * interpolation between the real values on both sides (across midnight
 * too), longer ones from like days or the prior-day profile, and makes
 * up the days a forced estimate needs; the quality byte records the
 * method (own_method reads it back).
 */
#include "validate/validate.h"
#include "validate/validate_int.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "core/tz.h"
#include "core/banned.h"

static bool
slot_missing(const struct slot *s)
{
	return (s->d->quality[s->k] & BR_Q_MISSING) != 0;
}

/*
 * Fill every run of missing slots no longer than max-gap that has a value
 * on both sides: v = left + round_half_up((right - left) * i / (len + 1)).
 */
void
br_val_estimate(struct ctx *c, struct slot *slots, size_t n)
{
	size_t i = 0, j, m;

	while (i < n) {
		int64_t left, right;
		int32_t step;

		if (!slot_missing(&slots[i])) {
			i++;
			continue;
		}
		j = i;
		while (j + 1 < n && !slots[j + 1].brk &&
		    slot_missing(&slots[j + 1]))
			j++;
		m = j - i + 1;
		step = slots[i].d->interval_s;
		if (i > 0 && !slots[i].brk && j + 1 < n && !slots[j + 1].brk &&
		    (int64_t)m * step <=
		    (int64_t)c->opts->max_gap_minutes * 60) {
			left = slots[i - 1].d->values[slots[i - 1].k];
			right = slots[j + 1].d->values[slots[j + 1].k];
			for (size_t t = 0; t < m; t++) {
				struct slot *s = &slots[i + t];

				s->d->values[s->k] = left + br_div_round(
				    (right - left) * (int64_t)(t + 1),
				    (int64_t)m + 1, BR_ROUND_HALF_UP);
				s->d->quality[s->k] = BR_Q_WITH_METHOD(
				    BR_Q_ESTIMATED, BR_EST_LINEAR);
				s->d->dirty = true;
				c->sum->estimated++;
			}
		}
		i = j + 1;
	}
}

/* Like-day offsets (days from the same weekday a week earlier), WA
 * Metering Code 2012 method 14: Tue <- Tue, Wed, Thu; Wed <- Wed, Tue, Thu;
 * Thu <- Thu, Wed, Tue; the other days only themselves. */
static const int like_off[7][3] = {
	{ 0, 9, 9 }, { 0, 9, 9 }, { 0, 1, 2 }, { 0, -1, 1 }, { 0, -1, -2 },
	{ 0, 9, 9 }, { 0, 9, 9 },
};

bool
br_val_forced_day(const struct ctx *c, const struct scope *sc, int32_t day)
{
	size_t i;

	for (i = 0; i < c->opts->nforce; i++)
		if (c->opts->force[i].day == day &&
		    strcmp(c->opts->force[i].meter_id, sc->meter_id) == 0)
			return true;
	return false;
}

/* A day usable as a reference for d: same shape, all actual, none
 * negative. */
bool
br_val_reference_day(const struct vday *r, const struct vday *d)
{
	int32_t k;

	if (!r->present || r->bad_count || r->n != d->n ||
	    r->interval_s != d->interval_s)
		return false;
	for (k = 0; k < r->n; k++)
		if ((r->quality[k] & (BR_Q_MISSING | BR_Q_ESTIMATED)) != 0 ||
		    r->values[k] < 0)
			return false;
	return true;
}

static bool
day_has_missing(const struct vday *d)
{
	int32_t k;

	for (k = 0; k < d->n; k++)
		if ((d->quality[k] & BR_Q_MISSING) != 0)
			return true;
	return false;
}

/*
 * Estimate the intervals still missing on days[i] beyond the linear
 * limit: like-day averaging (up to `days` like days of the last `weeks`
 * weeks, nearest week first, in like_off order, excluding days with any
 * missing, estimated or negative interval), then the prior-day profile
 * (the same intervals, actual and not negative, of the nearest earlier
 * days within lookback_days).
 * days[0] is day first; only days >= first are looked at.
 */
void
br_val_estimate_beyond(struct ctx *c, const struct scope *sc, struct vday *days,
    int32_t first, size_t i, bool forced)
{
	struct vday *d = &days[i];
	const struct vday *ref[16];
	int nref = 0, want, weeks, wd, w, o;
	int32_t k, back;

	if (!d->present || d->bad_count || !day_has_missing(d))
		return;
	want = (int)(param(c, BR_VEE_GAP_LIKE_DAY, 1) / 1000);
	weeks = (int)(param(c, BR_VEE_GAP_LIKE_DAY, 0) / 1000);
	if (want > 16)
		want = 16;
	if (forced || rule_on(c, BR_VEE_GAP_LIKE_DAY, sc)) {
		wd = br_date_weekday(d->day);
		for (w = 1; w <= weeks && nref < want; w++)
			for (o = 0; o < 3 && nref < want; o++) {
				int32_t cd;

				if (like_off[wd][o] == 9)
					continue;
				cd = d->day - 7 * w + like_off[wd][o];
				if (cd < first || cd >= d->day)
					continue;
				if (br_val_reference_day(&days[cd - first], d))
					ref[nref++] = &days[cd - first];
			}
	}
	if (nref > 0) {
		for (k = 0; k < d->n; k++) {
			int64_t sum = 0;
			int t;

			if ((d->quality[k] & BR_Q_MISSING) == 0)
				continue;
			for (t = 0; t < nref; t++)
				sum += ref[t]->values[k];
			d->values[k] = br_div_round(sum, nref,
			    BR_ROUND_HALF_UP);
			d->quality[k] = BR_Q_WITH_METHOD(BR_Q_ESTIMATED,
			    BR_EST_LIKE_DAY);
			d->dirty = true;
			c->sum->estimated++;
		}
		return;
	}
	if (!forced && !rule_on(c, BR_VEE_GAP_FALLBACK, sc))
		return;
	back = (int32_t)(param(c, BR_VEE_GAP_FALLBACK, 0) / 1000);
	for (k = 1; k <= back && d->day - k >= first; k++) {
		const struct vday *r = &days[d->day - k - first];
		int32_t j;

		if (!r->present || r->bad_count || r->n != d->n ||
		    r->interval_s != d->interval_s)
			continue;
		for (j = 0; j < d->n; j++) {
			if ((d->quality[j] & BR_Q_MISSING) == 0 ||
			    (r->quality[j] & (BR_Q_MISSING |
			    BR_Q_ESTIMATED)) != 0 || r->values[j] < 0)
				continue;
			d->values[j] = r->values[j];
			d->quality[j] = BR_Q_WITH_METHOD(BR_Q_ESTIMATED,
			    BR_EST_FALLBACK);
			d->dirty = true;
			c->sum->estimated++;
		}
		if (!day_has_missing(d))
			return;
	}
}

/*
 * A reviewer asked to estimate a day without any row (MISSING_DAY): make
 * it up as all-missing, with the interval length of the nearest earlier
 * day that has one, so that like-day / fallback estimation can fill it.
 */
int
br_val_synth_day(struct ctx *c, struct vday *days, int32_t first, size_t i,
    struct br_error *err)
{
	struct vday *d = &days[i];
	int32_t len = br_tz_day_length(&c->tz, d->day), k;
	size_t j;

	for (j = i; j-- > 0;)
		if (days[j].present && !days[j].bad_count)
			break;
	(void)first;
	if (j == (size_t)-1 || len % days[j].interval_s != 0)
		return 0;
	d->interval_s = days[j].interval_s;
	d->n = len / d->interval_s;
	d->values = calloc((size_t)d->n, sizeof(*d->values));
	d->quality = malloc((size_t)d->n);
	if (d->values == NULL || d->quality == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	for (k = 0; k < d->n; k++)
		d->quality[k] = BR_Q_MISSING;
	d->present = d->synthetic = true;
	d->bad_count = false;
	return 0;
}

/* Estimation method of interval quality q when validate wrote it. */
int
br_val_own_method(uint8_t q)
{
	int m = BR_Q_METHOD(q);

	if ((q & BR_Q_MISSING) != 0 || (q & BR_Q_ESTIMATED) == 0)
		return 0;
	return m == BR_EST_LINEAR || m == BR_EST_LIKE_DAY ||
	    m == BR_EST_FALLBACK ? m : 0;
}
