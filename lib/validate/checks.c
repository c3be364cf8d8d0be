/* SPDX-License-Identifier: Apache-2.0 */
/*
 * checks.c: validate-reads' checks, the rules of vee_rules.h: per day
 * (gaps, negative, rollover, spike, maximum demand, reverse flow), per
 * run of slots across days (zeros, stuck, leak), per period against the
 * meter's history (usage, high bill, conservation), register reads
 * (sum check) and clock shifts.  Each records exceptions through
 * br_val_add_exception (validate.c).
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

/*
 * Report runs within one day of slots that are missing (GAP, hold) or
 * linearly estimated (GAP_ESTIMATED, info).
 */
int
br_val_check_gaps(struct ctx *c, const struct scope *sc, const char *pfx,
    const struct vday *d, struct br_error *err)
{
	int32_t k = 0, j;
	char detail[256], t0[8], t1[8], off[8];

	while (k < d->n) {
		bool miss = (d->quality[k] & BR_Q_MISSING) != 0;
		int m = br_val_own_method(d->quality[k]);
		enum br_vee_rule r;
		const char *what;

		if (!miss && m == 0) {
			k++;
			continue;
		}
		j = k;
		while (j + 1 < d->n &&
		    (miss ? (d->quality[j + 1] & BR_Q_MISSING) != 0 :
		    br_val_own_method(d->quality[j + 1]) == m))
			j++;
		what = miss ? "missing" : "estimated";
		r = miss ? BR_VEE_GAP : m == BR_EST_LINEAR ?
		    BR_VEE_GAP_ESTIMATED : m == BR_EST_LIKE_DAY ?
		    BR_VEE_GAP_LIKE_DAY : BR_VEE_GAP_FALLBACK;
		if (!c->rules.rule[r].enabled && r == BR_VEE_GAP) {
			k = j + 1;
			continue;
		}
		if (d->bad_count) {
			/* Times are meaningless when the count is wrong. */
			if (j > k)
				snprintf(detail, sizeof(detail),
				    "%sintervals %d-%d %s", pfx, (int)k + 1,
				    (int)j + 1, what);
			else
				snprintf(detail, sizeof(detail),
				    "%sinterval %d %s", pfx, (int)k + 1, what);
		} else {
			int64_t a = slot_start(c, d, k);

			br_val_fmt_hhmm(c, d->day, a, t0, sizeof(t0));
			br_val_fmt_hhmm(c, d->day, slot_start(c, d, j + 1), t1,
			    sizeof(t1));
			br_val_fmt_offset(c, a, off, sizeof(off));
			if (j > k)
				snprintf(detail, sizeof(detail),
				    "%sintervals %d-%d %s (%s-%s %s)", pfx,
				    (int)k + 1, (int)j + 1, what, t0, t1, off);
			else
				snprintf(detail, sizeof(detail),
				    "%sinterval %d %s (%s-%s %s)", pfx,
				    (int)k + 1, what, t0, t1, off);
		}
		if (br_val_add_exception(c, r, sc, d->day, detail, err) != 0)
			return -1;
		k = j + 1;
	}
	return 0;
}

int
br_val_check_negative(struct ctx *c, const struct scope *sc, const char *pfx,
    const struct vday *d, struct br_error *err)
{
	int32_t k, first = -1, count = 0;
	char detail[256], t0[8];

	for (k = 0; k < d->n; k++)
		if ((d->quality[k] & BR_Q_MISSING) == 0 && d->values[k] < 0) {
			if (first < 0)
				first = k;
			count++;
		}
	if (count == 0)
		return 0;
	br_val_fmt_hhmm(c, d->day, slot_start(c, d, first), t0, sizeof(t0));
	snprintf(detail, sizeof(detail), "%s%d interval%s, first %s", pfx,
	    (int)count, count == 1 ? "" : "s", t0);
	return br_val_add_exception(c, BR_VEE_NEGATIVE, sc, d->day, detail, err);
}

static bool
actual_zero(const struct slot *s)
{
	uint8_t q = s->d->quality[s->k];

	return (q & (BR_Q_MISSING | BR_Q_ESTIMATED)) == 0 &&
	    s->d->values[s->k] == 0;
}

/* Runs of actual zeros of at least zero-run-hours, within sc's days. */
int
br_val_check_zero_runs(struct ctx *c, const struct scope *sc,
    struct slot *slots,
    size_t n, struct br_error *err)
{
	size_t i = 0, j;
	int64_t limit = (int64_t)c->opts->zero_run_hours * 3600;

	while (i < n) {
		int64_t secs;

		if (slots[i].d->day < sc->from || slots[i].d->day > sc->to ||
		    !actual_zero(&slots[i])) {
			i++;
			continue;
		}
		j = i;
		secs = slots[i].d->interval_s;
		while (j + 1 < n && !slots[j + 1].brk &&
		    slots[j + 1].d->day <= sc->to && actual_zero(&slots[j + 1])) {
			j++;
			secs += slots[j].d->interval_s;
		}
		if (secs >= limit) {
			char detail[256], d0[16], d1[16], t0[8], t1[8];
			int64_t a = slot_start(c, slots[i].d, slots[i].k);
			int64_t b = slot_start(c, slots[j].d, slots[j].k + 1);
			int32_t bday = br_tz_local_day(&c->tz, b);

			br_date_format(slots[i].d->day, d0, sizeof(d0));
			br_date_format(bday, d1, sizeof(d1));
			br_val_fmt_hhmm(c, slots[i].d->day, a, t0, sizeof(t0));
			br_val_fmt_hhmm(c, bday, b, t1, sizeof(t1));
			snprintf(detail, sizeof(detail),
			    "%zu intervals zero (%" PRId64 " h %02d min), "
			    "%s %s to %s %s", j - i + 1, secs / 3600,
			    (int)(secs / 60 % 60), d0, t0, d1, t1);
			if (br_val_add_exception(c, BR_VEE_ZERO_RUN, sc,
			    slots[i].d->day, detail, err) != 0)
				return -1;
		}
		i = j + 1;
	}
	return 0;
}

static bool
actual(const struct vday *d, int32_t k)
{
	return (d->quality[k] & (BR_Q_MISSING | BR_Q_ESTIMATED)) == 0;
}

/*
 * ROLLOVER: a negative actual interval v such that v + 10^digits units
 * (digits 4..9, a register that wrapped) is a plausible interval in
 * [0, max_interval].
 */
int
br_val_check_rollover(struct ctx *c, const struct scope *sc, const char *pfx,
    const struct vday *d, struct br_error *err)
{
	int64_t maxv = param(c, BR_VEE_ROLLOVER, 0);
	int32_t k;
	int digits;

	for (k = 0; k < d->n; k++) {
		int64_t wrap = 10000 * (int64_t)1000;

		if (!actual(d, k) || d->values[k] >= 0)
			continue;
		for (digits = 4; digits <= 9; digits++, wrap *= 10) {
			int64_t v = d->values[k] + wrap;
			char detail[256], t0[8], vb[32];

			if (v < 0 || v > maxv)
				continue;
			br_val_fmt_hhmm(c, d->day, slot_start(c, d, k), t0,
			    sizeof(t0));
			snprintf(detail, sizeof(detail), "%sinterval %d (%s) "
			    "%s: a %d-digit register rollover", pfx,
			    (int)k + 1, t0, qty(d->values[k], vb, sizeof(vb)),
			    digits);
			if (br_val_add_exception(c, BR_VEE_ROLLOVER, sc, d->day,
			    detail, err) != 0)
				return -1;
			break;
		}
	}
	return 0;
}

/*
 * SPIKE: on one local day, the highest actual interval exceeds the
 * third-highest by at least floor and by more than ratio times.
 */
int
br_val_check_spike(struct ctx *c, const struct scope *sc, const struct vday *d,
    struct br_error *err)
{
	int64_t top[3] = { INT64_MIN, INT64_MIN, INT64_MIN };
	int32_t k, at = -1;
	int64_t ratio = param(c, BR_VEE_SPIKE, 0);
	char detail[256], t0[8], a[32], b[32], r[32];

	for (k = 0; k < d->n; k++) {
		int64_t v = d->values[k];

		if (!actual(d, k))
			continue;
		if (v > top[0]) {
			top[2] = top[1];
			top[1] = top[0];
			top[0] = v;
			at = k;
		} else if (v > top[1]) {
			top[2] = top[1];
			top[1] = v;
		} else if (v > top[2]) {
			top[2] = v;
		}
	}
	if (top[2] == INT64_MIN || top[0] - top[2] < param(c, BR_VEE_SPIKE, 1))
		return 0;
	if (top[2] > 0 && top[0] * 1000 <= ratio * top[2])
		return 0;
	br_val_fmt_hhmm(c, d->day, slot_start(c, d, at), t0, sizeof(t0));
	if (top[2] > 0)
		snprintf(detail, sizeof(detail), "peak %s at %s is %sx the "
		    "third-highest %s", qty(top[0], a, sizeof(a)), t0,
		    ratio_fmt(top[0], top[2], r, sizeof(r)),
		    qty(top[2], b, sizeof(b)));
	else
		snprintf(detail, sizeof(detail), "peak %s at %s, third-highest "
		    "%s", qty(top[0], a, sizeof(a)), t0,
		    qty(top[2], b, sizeof(b)));
	return br_val_add_exception(c, BR_VEE_SPIKE, sc, d->day, detail, err);
}

/* MAX_DEMAND: the day's highest actual demand (per hour) above limit. */
int
br_val_check_max_demand(struct ctx *c, const struct scope *sc,
    const struct vday *d,
    struct br_error *err)
{
	int64_t best = INT64_MIN, limit = param(c, BR_VEE_MAX_DEMAND, 0);
	int32_t k, at = -1;
	char detail[256], t0[8], a[32], b[32];

	for (k = 0; k < d->n; k++) {
		int64_t dem;

		if (!actual(d, k))
			continue;
		dem = d->values[k] * 3600 / d->interval_s;
		if (dem > best) {
			best = dem;
			at = k;
		}
	}
	if (at < 0 || best <= limit)
		return 0;
	br_val_fmt_hhmm(c, d->day, slot_start(c, d, at), t0, sizeof(t0));
	snprintf(detail, sizeof(detail), "demand %s per hour at %s, limit %s",
	    qty(best, a, sizeof(a)), t0, qty(limit, b, sizeof(b)));
	return br_val_add_exception(c, BR_VEE_MAX_DEMAND, sc, d->day, detail, err);
}

/* REVERSE_FLOW: received energy on a meter not enrolled in net metering. */
int
br_val_check_reverse(struct ctx *c, const struct scope *sc,
    const struct vday *d,
    struct br_error *err)
{
	int64_t total = 0;
	int32_t k, cnt = 0, first = -1;
	char detail[256], t0[8], a[32];

	if (sc->net_metering)
		return 0;
	for (k = 0; k < d->n; k++)
		if ((d->quality[k] & BR_Q_MISSING) == 0 && d->values[k] > 0) {
			total += d->values[k];
			if (first < 0)
				first = k;
			cnt++;
		}
	if (cnt == 0 || total <= param(c, BR_VEE_REVERSE_FLOW, 0))
		return 0;
	br_val_fmt_hhmm(c, d->day, slot_start(c, d, first), t0, sizeof(t0));
	snprintf(detail, sizeof(detail), "received: %s on %d interval%s, "
	    "first %s; not enrolled in net metering",
	    qty(total, a, sizeof(a)), (int)cnt, cnt == 1 ? "" : "s", t0);
	return br_val_add_exception(c, BR_VEE_REVERSE_FLOW, sc, d->day, detail, err);
}

/* Report a run of slots i..j lasting secs as rule r, with a prefix text. */
static int
report_run(struct ctx *c, enum br_vee_rule r, const struct scope *sc,
    struct slot *slots, size_t i, size_t j, int64_t secs, const char *what,
    struct br_error *err)
{
	char detail[256], d0[16], d1[16], t0[8], t1[8];
	int64_t a = slot_start(c, slots[i].d, slots[i].k);
	int64_t b = slot_start(c, slots[j].d, slots[j].k + 1);
	int32_t bday = br_tz_local_day(&c->tz, b);

	br_date_format(slots[i].d->day, d0, sizeof(d0));
	br_date_format(bday, d1, sizeof(d1));
	br_val_fmt_hhmm(c, slots[i].d->day, a, t0, sizeof(t0));
	br_val_fmt_hhmm(c, bday, b, t1, sizeof(t1));
	snprintf(detail, sizeof(detail), "%zu intervals %s (%" PRId64
	    " h %02d min), %s %s to %s %s", j - i + 1, what, secs / 3600,
	    (int)(secs / 60 % 60), d0, t0, d1, t1);
	return br_val_add_exception(c, r, sc, slots[i].d->day, detail, err);
}

/* STUCK: the same non-zero actual value for at least `hours`. */
int
br_val_check_stuck(struct ctx *c, const struct scope *sc, struct slot *slots,
    size_t n, struct br_error *err)
{
	size_t i = 0, j;
	int64_t limit = param(c, BR_VEE_STUCK, 0) * 36 / 10;

	while (i < n) {
		int64_t secs, v;
		char what[64], vb[32];

		if (slots[i].d->day < sc->from || slots[i].d->day > sc->to ||
		    !actual(slots[i].d, slots[i].k) ||
		    slots[i].d->values[slots[i].k] == 0) {
			i++;
			continue;
		}
		v = slots[i].d->values[slots[i].k];
		j = i;
		secs = slots[i].d->interval_s;
		while (j + 1 < n && !slots[j + 1].brk &&
		    slots[j + 1].d->day <= sc->to &&
		    actual(slots[j + 1].d, slots[j + 1].k) &&
		    slots[j + 1].d->values[slots[j + 1].k] == v) {
			j++;
			secs += slots[j].d->interval_s;
		}
		if (limit > 0 && secs >= limit && j > i) {
			/* Formatted only for a run that is reported: this
			 * loop sees every run of equal values. */
			snprintf(what, sizeof(what), "stuck at %s",
			    qty(v, vb, sizeof(vb)));
			if (report_run(c, BR_VEE_STUCK, sc, slots, i, j, secs,
			    what, err) != 0)
				return -1;
		}
		i = j + 1;
	}
	return 0;
}

/*
 * LEAK (continuous flow): at least `hours` consecutive clock hours each
 * with flow above min_flow (no hour without use), from actual or
 * estimated values; hours start at slots with local minute 0.
 */
int
br_val_check_leak(struct ctx *c, const struct scope *sc, struct slot *slots,
    size_t n, struct br_error *err)
{
	int64_t need = param(c, BR_VEE_LEAK, 0) / 1000;
	int64_t minflow = param(c, BR_VEE_LEAK, 1);
	int64_t hours = 0, low = INT64_MAX;
	size_t i = 0, run0 = 0, last = 0;

	if (need <= 0)
		return 0;
	while (i < n) {
		/* One hour: slots i..e-1 of one continuous stretch. */
		size_t e = i;
		int64_t sum = 0, secs = 0;
		bool ok = true;

		do {
			if ((slots[e].d->quality[slots[e].k] & BR_Q_MISSING))
				ok = false;
			sum += slots[e].d->values[slots[e].k];
			secs += slots[e].d->interval_s;
			e++;
		} while (e < n && !slots[e].brk && secs < 3600);
		ok = ok && secs == 3600 && slots[i].d->day >= sc->from &&
		    slots[i].d->day <= sc->to && sum > minflow;
		if (ok) {
			if (hours == 0) {
				run0 = i;
				low = sum;
			}
			hours++;
			last = e - 1;
			if (sum < low)
				low = sum;
		}
		if ((!ok || e >= n || slots[e].brk) && hours > 0) {
			if (hours >= need) {
				char what[64], lb[32];

				snprintf(what, sizeof(what), "of continuous "
				    "flow, lowest hour %s",
				    qty(low, lb, sizeof(lb)));
				if (report_run(c, BR_VEE_LEAK, sc, slots, run0,
				    last, hours * 3600, what, err) != 0)
					return -1;
			}
			hours = 0;
		}
		i = e;
	}
	return 0;
}

/*
 * Usage of meter/channel on local days a..b from the store: the sum of
 * the non-missing values of the days with at most half their intervals
 * missing, and the number of those days.
 */
static int
window_usage(struct ctx *c, const char *meter_id, int32_t a, int32_t b,
    int64_t *sum, int32_t *ndays, struct br_error *err)
{
	sqlite3_stmt *s = c->sel_day;
	int rc;

	*sum = 0;
	*ndays = 0;
	if (a > b)
		return 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, BR_CHANNEL_DELIVERED);
	sqlite3_bind_int(s, 3, a);
	sqlite3_bind_int(s, 4, b);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t n = sqlite3_column_int(s, 2), k, miss = 0;
		const unsigned char *v = sqlite3_column_blob(s, 3);
		const unsigned char *q = sqlite3_column_blob(s, 4);
		int64_t daysum = 0, x;

		if (n <= 0 || sqlite3_column_bytes(s, 3) != 8 * n ||
		    sqlite3_column_bytes(s, 4) != n)
			continue;
		for (k = 0; k < n; k++) {
			if (q[k] & BR_Q_MISSING) {
				miss++;
				continue;
			}
			br_store_unpack_values(v + 8 * k, 1, &x);
			daysum += x;
		}
		if (2 * miss > n)
			continue;
		*sum += daysum;
		(*ndays)++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read interval_day", err);
	return 0;
}

/*
 * Usage of the legacy system's billed periods (legacy_usage, converted
 * by convert-import) on local days a..b at the meter's service points:
 * each period's total prorated by its days inside a..b (rounded half-up),
 * and the number of those days.  A month billrun has no intervals for is
 * read as if billrun had billed it.
 */
static int
legacy_usage(struct ctx *c, const char *meter_id, int32_t a, int32_t b,
    int64_t *sum, int32_t *ndays, struct br_error *err)
{
	sqlite3_stmt *s = c->sel_legacy;
	char da[16], db[16];
	int rc;

	*sum = 0;
	*ndays = 0;
	if (a > b)
		return 0;
	br_date_format(a, da, sizeof(da));
	br_date_format(b, db, sizeof(db));
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, da, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, db, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *t0 = sqlite3_column_text(s, 0);
		const unsigned char *t1 = sqlite3_column_text(s, 1);
		int32_t p0, p1, o0, o1;

		if (t0 == NULL || t1 == NULL ||
		    br_date_parse((const char *)t0, (size_t)-1, &p0) != 0 ||
		    br_date_parse((const char *)t1, (size_t)-1, &p1) != 0 ||
		    p1 < p0)
			continue;
		o0 = p0 > a ? p0 : a;
		o1 = p1 < b ? p1 : b;
		*sum += br_div_round(sqlite3_column_int64(s, 2) *
		    (o1 - o0 + 1), p1 - p0 + 1, BR_ROUND_HALF_UP);
		*ndays += o1 - o0 + 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read legacy_usage", err);
	return 0;
}

/*
 * Period checks of the delivered channel against the account's own
 * history (days on or after its agreement start): HIGH_USAGE and
 * LOW_USAGE (average daily use vs the prior period of the same length
 * and the same days 365 days earlier), HIGH_BILL (use projected over the
 * whole scope vs last year's, else the prior period's; a window without
 * enough interval days reads the legacy history instead) and CONSERVATION
 * (average daily use above daily_limit).  Dated on the scope's first day.
 */
int
br_val_check_usage(struct ctx *c, const struct scope *sc, struct br_error *err)
{
	static const char *const label[4] = { "prior period",
	    "same period last year", "prior period (legacy history)",
	    "same period last year (legacy history)" };
	int64_t cur, hsum[2], cavg, havg[2];
	int32_t cdays, hdays[2], len = sc->to - sc->from + 1, w;
	int32_t wa[2], wb[2];
	char detail[320], a[32], b[32], r[32], l[32], lim[32], d0[16], d1[16];
	bool base_ok[2];
	int bw, legacy[2] = { 0, 0 };

	if (window_usage(c, sc->meter_id, sc->from, sc->to, &cur, &cdays,
	    err) != 0)
		return -1;
	if (cdays == 0)
		return 0;
	cavg = br_div_round(cur, cdays, BR_ROUND_HALF_UP);
	wa[0] = sc->from - len;
	wb[0] = sc->from - 1;
	wa[1] = sc->from - 365;
	wb[1] = sc->to - 365;
	for (w = 0; w < 2; w++) {
		if (wa[w] < sc->sa_from)
			wa[w] = sc->sa_from;
		if (window_usage(c, sc->meter_id, wa[w], wb[w], &hsum[w],
		    &hdays[w], err) != 0)
			return -1;
		havg[w] = hdays[w] ? br_div_round(hsum[w], hdays[w],
		    BR_ROUND_HALF_UP) : 0;
		br_date_format(wa[w], d0, sizeof(d0));
		br_date_format(wb[w], d1, sizeof(d1));
		if (hdays[w] == 0 || havg[w] <= 0)
			continue;
		if (rule_on(c, BR_VEE_HIGH_USAGE, sc) &&
		    hdays[w] * (int64_t)1000 >= param(c, BR_VEE_HIGH_USAGE, 1) &&
		    cavg * 1000 > param(c, BR_VEE_HIGH_USAGE, 0) * havg[w]) {
			snprintf(detail, sizeof(detail), "average %s/day on %d "
			    "day%s vs %s/day on %d day%s of the %s %s..%s "
			    "(%sx, limit %sx)", qty(cavg, a, sizeof(a)),
			    (int)cdays, cdays == 1 ? "" : "s",
			    qty(havg[w], b, sizeof(b)), (int)hdays[w],
			    hdays[w] == 1 ? "" : "s", label[w], d0, d1,
			    ratio_fmt(cavg, havg[w], r, sizeof(r)),
			    br_decimal_format(param(c, BR_VEE_HIGH_USAGE, 0),
			    3, 2, l, sizeof(l)));
			if (br_val_add_exception(c, BR_VEE_HIGH_USAGE, sc, sc->from,
			    detail, err) != 0)
				return -1;
		}
		if (rule_on(c, BR_VEE_LOW_USAGE, sc) &&
		    hdays[w] * (int64_t)1000 >= param(c, BR_VEE_LOW_USAGE, 1) &&
		    cavg * 1000 < param(c, BR_VEE_LOW_USAGE, 0) * havg[w]) {
			snprintf(detail, sizeof(detail), "average %s/day on %d "
			    "day%s vs %s/day on %d day%s of the %s %s..%s "
			    "(%sx, limit %sx)", qty(cavg, a, sizeof(a)),
			    (int)cdays, cdays == 1 ? "" : "s",
			    qty(havg[w], b, sizeof(b)), (int)hdays[w],
			    hdays[w] == 1 ? "" : "s", label[w], d0, d1,
			    ratio_fmt(cavg, havg[w], r, sizeof(r)),
			    br_decimal_format(param(c, BR_VEE_LOW_USAGE, 0),
			    3, 2, l, sizeof(l)));
			if (br_val_add_exception(c, BR_VEE_LOW_USAGE, sc, sc->from,
			    detail, err) != 0)
				return -1;
		}
	}
	for (w = 0; w < 2; w++) {
		base_ok[w] = havg[w] > 0 && hdays[w] * (int64_t)1000 >=
		    param(c, BR_VEE_HIGH_BILL, 1);
		if (base_ok[w] || !rule_on(c, BR_VEE_HIGH_BILL, sc))
			continue;
		if (legacy_usage(c, sc->meter_id, wa[w], wb[w], &hsum[w],
		    &hdays[w], err) != 0)
			return -1;
		havg[w] = hdays[w] ? br_div_round(hsum[w], hdays[w],
		    BR_ROUND_HALF_UP) : 0;
		base_ok[w] = havg[w] > 0 && hdays[w] * (int64_t)1000 >=
		    param(c, BR_VEE_HIGH_BILL, 1);
		legacy[w] = 2;
	}
	bw = base_ok[1] ? 1 : base_ok[0] ? 0 : -1;
	if (bw >= 0 && rule_on(c, BR_VEE_HIGH_BILL, sc) &&
	    cavg * 1000 > param(c, BR_VEE_HIGH_BILL, 0) * havg[bw]) {
		br_date_format(wa[bw], d0, sizeof(d0));
		br_date_format(wb[bw], d1, sizeof(d1));
		snprintf(detail, sizeof(detail), "projected %s for %d days "
		    "(%s/day on %d day%s) vs %s on the %s %s..%s (%sx, "
		    "limit %sx)", qty(cavg * len, a, sizeof(a)), (int)len,
		    qty(cavg, b, sizeof(b)), (int)cdays, cdays == 1 ? "" : "s",
		    qty(havg[bw] * len, l, sizeof(l)), label[bw + legacy[bw]],
		    d0, d1,
		    ratio_fmt(cavg, havg[bw], r, sizeof(r)),
		    br_decimal_format(param(c, BR_VEE_HIGH_BILL, 0), 3, 2,
		    lim, sizeof(lim)));
		if (br_val_add_exception(c, BR_VEE_HIGH_BILL, sc, sc->from, detail,
		    err) != 0)
			return -1;
	}
	if (rule_on(c, BR_VEE_CONSERVATION, sc) &&
	    cavg > param(c, BR_VEE_CONSERVATION, 0)) {
		snprintf(detail, sizeof(detail), "average %s/day on %d day%s, "
		    "threshold %s/day", qty(cavg, a, sizeof(a)), (int)cdays,
		    cdays == 1 ? "" : "s",
		    qty(param(c, BR_VEE_CONSERVATION, 0), b, sizeof(b)));
		if (br_val_add_exception(c, BR_VEE_CONSERVATION, sc, sc->from,
		    detail, err) != 0)
			return -1;
	}
	return 0;
}

/*
 * SUM_CHECK: for each pair of consecutive actual register reads (table
 * register_read, same meter and channel, value_milli on the scale of the
 * intervals) inside the scope's days, the register advance must equal the
 * sum of the intervals between the two instants within tolerance.  Pairs
 * with a missing interval, a read off an interval boundary or a
 * decreasing register (rollover, meter change) are not compared.
 */
int
br_val_check_sum(struct ctx *c, const struct scope *sc, int channel,
    struct vday *days, int32_t first, size_t ndays, struct br_error *err)
{
	sqlite3_stmt *s;
	int64_t lo = br_tz_day_start(&c->tz, sc->from);
	int64_t hi = br_tz_day_start(&c->tz, sc->to + 1);
	int64_t pa = 0, pv = 0, tol = param(c, BR_VEE_SUM_CHECK, 0);
	bool have = false;
	int rc;

	/* Estimated register reads (quality BR_Q_ESTIMATED, e.g. a NEM13
	 * forward estimate) are not measurements: the pairs skip them. */
	s = br_store_prepare(c->st, "SELECT read_utc, value_milli FROM"
	    " register_read WHERE meter_id = ?1 AND channel = ?2"
	    " AND read_utc BETWEEN ?3 AND ?4 AND (quality & 2) = 0"
	    " ORDER BY read_utc", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, sc->meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, channel);
	sqlite3_bind_int64(s, 3, lo);
	sqlite3_bind_int64(s, 4, hi);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t b = sqlite3_column_int64(s, 0);
		int64_t bv = sqlite3_column_int64(s, 1);
		int64_t sum = 0, covered = 0;
		bool ok = true;
		size_t i;

		if (have && bv >= pv) {
			for (i = 0; i < ndays && ok; i++) {
				struct vday *d = &days[i];
				int32_t k;

				if (d->day < first || !d->present ||
				    d->bad_count)
					continue;
				for (k = 0; k < d->n; k++) {
					int64_t t = slot_start(c, d, k);

					if (t < pa || t + d->interval_s > b)
						continue;
					if (d->quality[k] & BR_Q_MISSING)
						ok = false;
					sum += d->values[k];
					covered += d->interval_s;
				}
			}
			if (ok && covered == b - pa &&
			    (bv - pv - sum > tol || sum - (bv - pv) > tol)) {
				char detail[320], x[32], y[32], z[32], w[32];
				char t0[24], t1[24];

				br_time_format_utc(pa, t0, sizeof(t0));
				br_time_format_utc(b, t1, sizeof(t1));
				snprintf(detail, sizeof(detail), "%sregister "
				    "advance %s from %s to %s vs interval sum "
				    "%s (difference %s, tolerance %s)",
				    channel == BR_CHANNEL_RECEIVED ?
				    "received: " : "",
				    qty(bv - pv, x, sizeof(x)), t0, t1,
				    qty(sum, y, sizeof(y)),
				    qty(bv - pv - sum, z, sizeof(z)),
				    qty(tol, w, sizeof(w)));
				if (br_val_add_exception(c, BR_VEE_SUM_CHECK, sc,
				    br_tz_local_day(&c->tz, pa), detail,
				    err) != 0) {
					sqlite3_finalize(s);
					return -1;
				}
			}
		}
		pa = b;
		pv = bv;
		have = true;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read register_read", err);
	return 0;
}

/*
 * CLOCK_SHIFT (heuristic, off by default): the day's hourly profile
 * matches the average profile of the previous `days` days (24-hour days,
 * all actual, same interval length) better when shifted by 1..max_hours
 * hours: the error (sum of absolute hourly differences over the hours
 * both sides cover, scaled to 24 hours) at the best shift is more than
 * `ratio` times smaller than unshifted.
 */
int
br_val_check_clock_shift(struct ctx *c, const struct scope *sc,
    struct vday *days,
    int32_t first, size_t i, struct br_error *err)
{
	struct vday *d = &days[i];
	int64_t h[24], ref[24], e0 = 0, best = INT64_MAX;
	int32_t want = (int32_t)(param(c, BR_VEE_CLOCK_SHIFT, 1) / 1000);
	int32_t maxh = (int32_t)(param(c, BR_VEE_CLOCK_SHIFT, 2) / 1000);
	int32_t per, k, nref = 0, back, sh, bs = 0;
	char detail[256], a[32], b[32];

	if (!d->present || d->bad_count || d->interval_s <= 0 ||
	    3600 % d->interval_s != 0 || d->n * d->interval_s != 86400 ||
	    !br_val_reference_day(d, d))
		return 0;
	per = 3600 / d->interval_s;
	memset(h, 0, sizeof(h));
	memset(ref, 0, sizeof(ref));
	for (k = 0; k < d->n; k++)
		h[k / per] += d->values[k];
	for (back = 1; nref < want && (int32_t)i - back >= 0 &&
	    back <= 2 * want; back++) {
		struct vday *r = &days[i - (size_t)back];

		(void)first;
		if (!br_val_reference_day(r, d))
			continue;
		for (k = 0; k < r->n; k++)
			ref[k / per] += r->values[k];
		nref++;
	}
	if (nref == 0)
		return 0;
	for (sh = -maxh; sh <= maxh; sh++) {
		int64_t e = 0;
		int32_t hh, cnt = 0;

		for (hh = 0; hh < 24; hh++) {
			int32_t rh = hh - sh;
			int64_t x;

			if (rh < 0 || rh >= 24)
				continue;
			x = h[hh] * nref - ref[rh];
			e += x < 0 ? -x : x;
			cnt++;
		}
		e = e * 24 / (cnt ? cnt : 1);
		if (sh == 0)
			e0 = e;
		else if (e < best) {
			best = e;
			bs = sh;
		}
	}
	if (best == INT64_MAX || e0 == 0 ||
	    best * param(c, BR_VEE_CLOCK_SHIFT, 0) >= e0 * 1000)
		return 0;
	snprintf(detail, sizeof(detail), "hourly profile matches the previous "
	    "%d day%s shifted by %+d h (error %s vs %s unshifted)", (int)nref,
	    nref == 1 ? "" : "s", (int)bs,
	    qty(br_div_round(best, nref, BR_ROUND_HALF_UP), a, sizeof(a)),
	    qty(br_div_round(e0, nref, BR_ROUND_HALF_UP), b, sizeof(b)));
	return br_val_add_exception(c, BR_VEE_CLOCK_SHIFT, sc, d->day, detail, err);
}
