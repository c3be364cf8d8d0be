/*
 * validate.c: validate-reads, the stage between ami-import and rate-apply.
 *
 * For every (account, meter) in scope of a period it loads the interval
 * days of the delivered channel (and the received one when present) plus
 * the weeks before (like-day references), fills short gaps by linear
 * interpolation between the real values on both sides (across midnight
 * too), longer ones from like days or the prior-day profile, writes them
 * back with quality ESTIMATED and the method, then applies the rules of
 * vee_rules.h to each day, to runs across days (zeros, stuck, leak), to
 * the period against the meter's history (usage, high bill,
 * conservation) and to register reads (sum check), and records
 * exceptions (stage 'validate').  All checks are derived from the stored
 * values and quality bytes after estimation, so a second run finds the
 * same exceptions and changes nothing.  Finally it writes the exception
 * report CSV.
 */
#include "validate/validate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/money.h"
#include "core/tz.h"
#include "core/banned.h"

/* One stretch of days an account had a meter, clipped to the period. */
struct scope {
	char account_id[64];
	char meter_id[64];
	bool electric;
	unsigned kind;			/* enum br_vee_kind bit */
	bool net_metering;		/* agreement enrolled in net metering */
	int32_t from, to;		/* days checked, inclusive */
	int32_t sa_from;		/* agreement start */
	int32_t inst_from, inst_to;	/* meter installed, inclusive */
};

/* One loaded interval_day row (or a hole where there is none). */
struct vday {
	int32_t day;
	bool present;		/* an interval_day row exists */
	bool bad_count;		/* n differs from the day's length */
	bool dirty;		/* estimates were filled in */
	bool synthetic;		/* no row: made up for a forced estimate */
	int32_t interval_s, n;
	int64_t *values;	/* OWNED */
	uint8_t *quality;	/* OWNED */
};

/* One interval of the flattened sequence of loaded days. */
struct slot {
	struct vday *d;		/* BORROWED */
	int32_t k;		/* index within the day */
	bool brk;		/* not continuous with the previous slot */
};

struct ctx {
	struct br_store *st;
	const struct br_validate_opts *opts;
	struct br_tz tz;
	sqlite3_stmt *ins_exc;	/* OWNED */
	sqlite3_stmt *sel_day;	/* OWNED */
	sqlite3_stmt *upd_day;	/* OWNED */
	struct br_validate_summary *sum;
	struct br_vee_rules rules;
	bool forced;		/* the day being reported was force-estimated */
	bool has_registers;	/* the store has table register_read */
};

/* Is rule r enabled for scope sc's meter kind? */
static bool
rule_on(const struct ctx *c, enum br_vee_rule r, const struct scope *sc)
{
	return c->rules.rule[r].enabled && (c->rules.rule[r].kinds &
	    sc->kind) != 0;
}

static int64_t
param(const struct ctx *c, enum br_vee_rule r, int i)
{
	return br_vee_param(&c->rules, r, i);
}

/* Milli-units as a decimal with 3 places. */
static const char *
qty(int64_t v, char *buf, size_t n)
{
	return br_decimal_format(v, 3, 3, buf, n);
}

/* num/den as "2.25" (truncated to 2 places). */
static const char *
ratio_fmt(int64_t num, int64_t den, char *buf, size_t n)
{
	int64_t r = den > 0 ? num * 100 / den : 0;

	return br_decimal_format(r, 2, 2, buf, n);
}

static int32_t
date_or(const unsigned char *s, int32_t def)
{
	int32_t d;

	if (s == NULL || *s == '\0' ||
	    br_date_parse((const char *)s, (size_t)-1, &d) != 0)
		return def;
	return d;
}

static int
add_exception(struct ctx *c, enum br_vee_rule r, const struct scope *sc,
    int32_t day, const char *detail, struct br_error *err)
{
	sqlite3_stmt *s = c->ins_exc;
	const char *code = c->rules.rule[r].code;
	const char *severity = c->rules.rule[r].severity;
	const char *status = "open";
	char date[16];

	if (r == BR_VEE_GAP_ESTIMATED || r == BR_VEE_GAP_LIKE_DAY ||
	    (r == BR_VEE_GAP_FALLBACK && c->forced))
		status = "estimated";

	br_date_format(day, date, sizeof(date));
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, severity, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, sc->account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, sc->meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, date, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, detail, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, status, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return br_store_fail(c->st, "insert exception", err);
	return 0;
}

/* UTC instant at which interval k of day d starts. */
static int64_t
slot_start(const struct ctx *c, const struct vday *d, int32_t k)
{
	return br_tz_day_start(&c->tz, d->day) + (int64_t)k * d->interval_s;
}

/* Local "HH:MM" of instant t, "24:00" when t is the end of local day. */
static void
fmt_hhmm(const struct ctx *c, int32_t day, int64_t t, char *buf, size_t n)
{
	int64_t local = t + br_tz_offset(&c->tz, t);
	int64_t sod = local - br_floor_div(local, 86400) * 86400;

	if (br_tz_local_day(&c->tz, t) > day)
		sod = 86400;
	snprintf(buf, n, "%02d:%02d", (int)(sod / 3600),
	    (int)(sod / 60 % 60));
}

/* "-05:00" style offset at instant t. */
static void
fmt_offset(const struct ctx *c, int64_t t, char *buf, size_t n)
{
	int32_t off = br_tz_offset(&c->tz, t);
	char sign = off < 0 ? '-' : '+';

	if (off < 0)
		off = -off;
	snprintf(buf, n, "%c%02d:%02d", sign, (int)(off / 3600 % 100),
	    (int)(off / 60 % 60));
}

static void
free_days(struct vday *days, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(days[i].values);
		free(days[i].quality);
		days[i].values = NULL;
		days[i].quality = NULL;
	}
}

/*
 * Load days [from, to] of meter/channel into days[] (to - from + 1
 * entries, holes for days without a row).  Returns 0 or -1.
 */
static int
load_days(struct ctx *c, const char *meter_id, int channel, int32_t from,
    int32_t to, struct vday *days, struct br_error *err)
{
	sqlite3_stmt *s = c->sel_day;
	int32_t i;
	int rc;

	for (i = 0; i <= to - from; i++) {
		memset(&days[i], 0, sizeof(days[i]));
		days[i].day = from + i;
	}
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, channel);
	sqlite3_bind_int(s, 3, from);
	sqlite3_bind_int(s, 4, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t day = sqlite3_column_int(s, 0);
		struct vday *d = &days[day - from];
		int32_t n = sqlite3_column_int(s, 2);
		int32_t len;
		char date[16];

		d->interval_s = sqlite3_column_int(s, 1);
		d->n = n;
		br_date_format(day, date, sizeof(date));
		if (n <= 0 || n > 100000 || d->interval_s <= 0 ||
		    sqlite3_column_bytes(s, 3) != 8 * n ||
		    sqlite3_column_bytes(s, 4) != n) {
			sqlite3_reset(s);
			return br_error_set(err, BR_EINTERNAL, c->st->path, 0,
			    "corrupt interval_day row: meter '%s' channel %d "
			    "day %s", meter_id, channel, date);
		}
		d->values = malloc(sizeof(int64_t) * (size_t)n);
		d->quality = malloc((size_t)n);
		if (d->values == NULL || d->quality == NULL) {
			sqlite3_reset(s);
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		}
		br_store_unpack_values(sqlite3_column_blob(s, 3), n,
		    d->values);
		memcpy(d->quality, sqlite3_column_blob(s, 4), (size_t)n);
		d->present = true;
		len = br_tz_day_length(&c->tz, day);
		d->bad_count = len % d->interval_s != 0 ||
		    n != len / d->interval_s;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read interval_day", err);
	return 0;
}

static int
save_day(struct ctx *c, const char *meter_id, int channel,
    const struct vday *d, struct br_error *err)
{
	sqlite3_stmt *s = c->upd_day;
	unsigned char *blob = malloc(8 * (size_t)d->n);

	if (blob == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	br_store_pack_values(d->values, d->n, blob);
	sqlite3_reset(s);
	sqlite3_bind_blob(s, 1, blob, 8 * d->n, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 2, d->quality, d->n, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, channel);
	sqlite3_bind_int(s, 5, d->day);
	sqlite3_bind_int(s, 6, d->interval_s);
	sqlite3_bind_int(s, 7, d->n);
	free(blob);
	if (sqlite3_step(s) != SQLITE_DONE)
		return br_store_fail(c->st, "update interval_day", err);
	return 0;
}

/*
 * Flatten the present days with a correct interval count into slots[];
 * brk marks where time is not continuous (a hole, a bad day, or a change
 * of interval length).  Returns the number of slots.
 */
static size_t
flatten(struct vday *days, size_t ndays, struct slot *slots)
{
	size_t i, n = 0;
	bool cont = false;
	int32_t prev_s = 0;
	int32_t k;

	for (i = 0; i < ndays; i++) {
		struct vday *d = &days[i];

		if (!d->present || d->bad_count) {
			cont = false;
			continue;
		}
		for (k = 0; k < d->n; k++) {
			slots[n].d = d;
			slots[n].k = k;
			slots[n].brk = k == 0 &&
			    (!cont || prev_s != d->interval_s);
			n++;
		}
		cont = true;
		prev_s = d->interval_s;
	}
	return n;
}

static bool
slot_missing(const struct slot *s)
{
	return (s->d->quality[s->k] & BR_Q_MISSING) != 0;
}

/*
 * Fill every run of missing slots no longer than max-gap that has a value
 * on both sides: v = left + round_half_up((right - left) * i / (len + 1)).
 */
static void
estimate(struct ctx *c, struct slot *slots, size_t n)
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

static bool
forced_day(const struct ctx *c, const struct scope *sc, int32_t day)
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
static bool
reference_day(const struct vday *r, const struct vday *d)
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
static void
estimate_beyond(struct ctx *c, const struct scope *sc, struct vday *days,
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
				if (reference_day(&days[cd - first], d))
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
static int
synth_day(struct ctx *c, struct vday *days, int32_t first, size_t i,
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
static int
own_method(uint8_t q)
{
	int m = BR_Q_METHOD(q);

	if ((q & BR_Q_MISSING) != 0 || (q & BR_Q_ESTIMATED) == 0)
		return 0;
	return m == BR_EST_LINEAR || m == BR_EST_LIKE_DAY ||
	    m == BR_EST_FALLBACK ? m : 0;
}

/*
 * Report runs within one day of slots that are missing (GAP, hold) or
 * linearly estimated (GAP_ESTIMATED, info).
 */
static int
check_gaps(struct ctx *c, const struct scope *sc, const char *pfx,
    const struct vday *d, struct br_error *err)
{
	int32_t k = 0, j;
	char detail[256], t0[8], t1[8], off[8];

	while (k < d->n) {
		bool miss = (d->quality[k] & BR_Q_MISSING) != 0;
		int m = own_method(d->quality[k]);
		enum br_vee_rule r;
		const char *what;

		if (!miss && m == 0) {
			k++;
			continue;
		}
		j = k;
		while (j + 1 < d->n &&
		    (miss ? (d->quality[j + 1] & BR_Q_MISSING) != 0 :
		    own_method(d->quality[j + 1]) == m))
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

			fmt_hhmm(c, d->day, a, t0, sizeof(t0));
			fmt_hhmm(c, d->day, slot_start(c, d, j + 1), t1,
			    sizeof(t1));
			fmt_offset(c, a, off, sizeof(off));
			if (j > k)
				snprintf(detail, sizeof(detail),
				    "%sintervals %d-%d %s (%s-%s %s)", pfx,
				    (int)k + 1, (int)j + 1, what, t0, t1, off);
			else
				snprintf(detail, sizeof(detail),
				    "%sinterval %d %s (%s-%s %s)", pfx,
				    (int)k + 1, what, t0, t1, off);
		}
		if (add_exception(c, r, sc, d->day, detail, err) != 0)
			return -1;
		k = j + 1;
	}
	return 0;
}

static int
check_negative(struct ctx *c, const struct scope *sc, const char *pfx,
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
	fmt_hhmm(c, d->day, slot_start(c, d, first), t0, sizeof(t0));
	snprintf(detail, sizeof(detail), "%s%d interval%s, first %s", pfx,
	    (int)count, count == 1 ? "" : "s", t0);
	return add_exception(c, BR_VEE_NEGATIVE, sc, d->day, detail, err);
}

static bool
actual_zero(const struct slot *s)
{
	uint8_t q = s->d->quality[s->k];

	return (q & (BR_Q_MISSING | BR_Q_ESTIMATED)) == 0 &&
	    s->d->values[s->k] == 0;
}

/* Runs of actual zeros of at least zero-run-hours, within sc's days. */
static int
check_zero_runs(struct ctx *c, const struct scope *sc, struct slot *slots,
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
			fmt_hhmm(c, slots[i].d->day, a, t0, sizeof(t0));
			fmt_hhmm(c, bday, b, t1, sizeof(t1));
			snprintf(detail, sizeof(detail),
			    "%zu intervals zero (%" PRId64 " h %02d min), "
			    "%s %s to %s %s", j - i + 1, secs / 3600,
			    (int)(secs / 60 % 60), d0, t0, d1, t1);
			if (add_exception(c, BR_VEE_ZERO_RUN, sc,
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
static int
check_rollover(struct ctx *c, const struct scope *sc, const char *pfx,
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
			fmt_hhmm(c, d->day, slot_start(c, d, k), t0,
			    sizeof(t0));
			snprintf(detail, sizeof(detail), "%sinterval %d (%s) "
			    "%s: a %d-digit register rollover", pfx,
			    (int)k + 1, t0, qty(d->values[k], vb, sizeof(vb)),
			    digits);
			if (add_exception(c, BR_VEE_ROLLOVER, sc, d->day,
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
static int
check_spike(struct ctx *c, const struct scope *sc, const struct vday *d,
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
	fmt_hhmm(c, d->day, slot_start(c, d, at), t0, sizeof(t0));
	if (top[2] > 0)
		snprintf(detail, sizeof(detail), "peak %s at %s is %sx the "
		    "third-highest %s", qty(top[0], a, sizeof(a)), t0,
		    ratio_fmt(top[0], top[2], r, sizeof(r)),
		    qty(top[2], b, sizeof(b)));
	else
		snprintf(detail, sizeof(detail), "peak %s at %s, third-highest "
		    "%s", qty(top[0], a, sizeof(a)), t0,
		    qty(top[2], b, sizeof(b)));
	return add_exception(c, BR_VEE_SPIKE, sc, d->day, detail, err);
}

/* MAX_DEMAND: the day's highest actual demand (per hour) above limit. */
static int
check_max_demand(struct ctx *c, const struct scope *sc, const struct vday *d,
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
	fmt_hhmm(c, d->day, slot_start(c, d, at), t0, sizeof(t0));
	snprintf(detail, sizeof(detail), "demand %s per hour at %s, limit %s",
	    qty(best, a, sizeof(a)), t0, qty(limit, b, sizeof(b)));
	return add_exception(c, BR_VEE_MAX_DEMAND, sc, d->day, detail, err);
}

/* REVERSE_FLOW: received energy on a meter not enrolled in net metering. */
static int
check_reverse(struct ctx *c, const struct scope *sc, const struct vday *d,
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
	fmt_hhmm(c, d->day, slot_start(c, d, first), t0, sizeof(t0));
	snprintf(detail, sizeof(detail), "received: %s on %d interval%s, "
	    "first %s; not enrolled in net metering",
	    qty(total, a, sizeof(a)), (int)cnt, cnt == 1 ? "" : "s", t0);
	return add_exception(c, BR_VEE_REVERSE_FLOW, sc, d->day, detail, err);
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
	fmt_hhmm(c, slots[i].d->day, a, t0, sizeof(t0));
	fmt_hhmm(c, bday, b, t1, sizeof(t1));
	snprintf(detail, sizeof(detail), "%zu intervals %s (%" PRId64
	    " h %02d min), %s %s to %s %s", j - i + 1, what, secs / 3600,
	    (int)(secs / 60 % 60), d0, t0, d1, t1);
	return add_exception(c, r, sc, slots[i].d->day, detail, err);
}

/* STUCK: the same non-zero actual value for at least `hours`. */
static int
check_stuck(struct ctx *c, const struct scope *sc, struct slot *slots,
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
static int
check_leak(struct ctx *c, const struct scope *sc, struct slot *slots,
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
 * Period checks of the delivered channel against the account's own
 * history (days on or after its agreement start): HIGH_USAGE and
 * LOW_USAGE (average daily use vs the prior period of the same length
 * and the same days 365 days earlier), HIGH_BILL (use projected over the
 * whole scope vs last year's, else the prior period's) and CONSERVATION
 * (average daily use above daily_limit).  Dated on the scope's first day.
 */
static int
check_usage(struct ctx *c, const struct scope *sc, struct br_error *err)
{
	static const char *const label[2] = { "prior period",
	    "same period last year" };
	int64_t cur, hsum[2], cavg, havg[2];
	int32_t cdays, hdays[2], len = sc->to - sc->from + 1, w;
	int32_t wa[2], wb[2];
	char detail[320], a[32], b[32], r[32], l[32], lim[32], d0[16], d1[16];
	bool base_ok[2];
	int bw;

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
			if (add_exception(c, BR_VEE_HIGH_USAGE, sc, sc->from,
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
			if (add_exception(c, BR_VEE_LOW_USAGE, sc, sc->from,
			    detail, err) != 0)
				return -1;
		}
	}
	for (w = 0; w < 2; w++)
		base_ok[w] = havg[w] > 0 && hdays[w] * (int64_t)1000 >=
		    param(c, BR_VEE_HIGH_BILL, 1);
	bw = base_ok[1] ? 1 : base_ok[0] ? 0 : -1;
	if (bw >= 0 && rule_on(c, BR_VEE_HIGH_BILL, sc) &&
	    cavg * 1000 > param(c, BR_VEE_HIGH_BILL, 0) * havg[bw]) {
		br_date_format(wa[bw], d0, sizeof(d0));
		br_date_format(wb[bw], d1, sizeof(d1));
		snprintf(detail, sizeof(detail), "projected %s for %d days "
		    "(%s/day on %d day%s) vs %s on the %s %s..%s (%sx, "
		    "limit %sx)", qty(cavg * len, a, sizeof(a)), (int)len,
		    qty(cavg, b, sizeof(b)), (int)cdays, cdays == 1 ? "" : "s",
		    qty(havg[bw] * len, l, sizeof(l)), label[bw], d0, d1,
		    ratio_fmt(cavg, havg[bw], r, sizeof(r)),
		    br_decimal_format(param(c, BR_VEE_HIGH_BILL, 0), 3, 2,
		    lim, sizeof(lim)));
		if (add_exception(c, BR_VEE_HIGH_BILL, sc, sc->from, detail,
		    err) != 0)
			return -1;
	}
	if (rule_on(c, BR_VEE_CONSERVATION, sc) &&
	    cavg > param(c, BR_VEE_CONSERVATION, 0)) {
		snprintf(detail, sizeof(detail), "average %s/day on %d day%s, "
		    "threshold %s/day", qty(cavg, a, sizeof(a)), (int)cdays,
		    cdays == 1 ? "" : "s",
		    qty(param(c, BR_VEE_CONSERVATION, 0), b, sizeof(b)));
		if (add_exception(c, BR_VEE_CONSERVATION, sc, sc->from,
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
static int
check_sum(struct ctx *c, const struct scope *sc, int channel,
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
				if (add_exception(c, BR_VEE_SUM_CHECK, sc,
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
static int
check_clock_shift(struct ctx *c, const struct scope *sc, struct vday *days,
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
	    !reference_day(d, d))
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
		if (!reference_day(r, d))
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
	return add_exception(c, BR_VEE_CLOCK_SHIFT, sc, d->day, detail, err);
}

/* Validate one channel of one scope. */
static int
check_channel(struct ctx *c, const struct scope *sc, int channel,
    struct br_error *err)
{
	int32_t lo = sc->from - 1 >= sc->inst_from ? sc->from - 1 : sc->from;
	int32_t hi = sc->to + 1 <= sc->inst_to ? sc->to + 1 : sc->to;
	int32_t hist = (int32_t)(param(c, BR_VEE_GAP_LIKE_DAY, 0) / 1000) * 7
	    + 2, back = (int32_t)(param(c, BR_VEE_GAP_FALLBACK, 0) / 1000);
	int32_t first, off;
	size_t ndays, nslots = 0, i;
	struct vday *days;
	struct slot *slots = NULL;
	const char *pfx = channel == BR_CHANNEL_RECEIVED ? "received: " : "";
	bool any = false, delivered = channel == BR_CHANNEL_DELIVERED;
	int rc = -1;

	if (hist > 400)
		hist = 400;
	if (back > hist)
		hist = back > 400 ? 400 : back;
	first = sc->from - hist;
	if (first < sc->inst_from)
		first = sc->inst_from;
	if (first > lo)
		first = lo;
	off = lo - first;
	ndays = (size_t)(hi - first + 1);
	if ((days = calloc(ndays, sizeof(*days))) == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	if (load_days(c, sc->meter_id, channel, first, hi, days, err) != 0)
		goto out;
	for (i = 0; i < ndays; i++) {
		if (days[i].day >= sc->from && days[i].day <= sc->to &&
		    days[i].present)
			any = true;
		if (days[i].present && (int32_t)i >= off)
			nslots += (size_t)days[i].n;
	}
	if (!any && !delivered) {
		rc = 0;
		goto out;
	}
	if ((slots = calloc(nslots + 1, sizeof(*slots))) == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	nslots = flatten(days + off, ndays - (size_t)off, slots);
	if (c->rules.rule[BR_VEE_GAP_ESTIMATED].enabled)
		estimate(c, slots, nslots);
	for (i = 0; i < ndays; i++) {
		bool forced;

		if (days[i].day < sc->from || days[i].day > sc->to)
			continue;
		forced = forced_day(c, sc, days[i].day);
		if (forced && !days[i].present &&
		    synth_day(c, days, first, i, err) != 0)
			goto out;
		estimate_beyond(c, sc, days, first, i, forced);
		if (days[i].synthetic && !days[i].dirty) {
			/* Nothing to estimate from: the day stays absent. */
			free(days[i].values);
			free(days[i].quality);
			days[i].values = NULL;
			days[i].quality = NULL;
			days[i].present = days[i].synthetic = false;
		}
	}
	for (i = 0; i < ndays; i++)
		if (days[i].dirty &&
		    save_day(c, sc->meter_id, channel, &days[i], err) != 0)
			goto out;
	for (i = 0; i < ndays; i++) {
		struct vday *d = &days[i];
		char detail[128];

		if (d->day < sc->from || d->day > sc->to)
			continue;
		c->sum->days++;
		c->forced = forced_day(c, sc, d->day);
		if (!d->present) {
			snprintf(detail, sizeof(detail), "%sno intervals",
			    pfx);
			if (rule_on(c, BR_VEE_MISSING_DAY, sc) &&
			    add_exception(c, BR_VEE_MISSING_DAY, sc, d->day,
			    detail, err) != 0)
				goto out;
			continue;
		}
		if (d->bad_count) {
			int32_t len = br_tz_day_length(&c->tz, d->day);
			enum br_vee_rule r = len == 86400 ? BR_VEE_CLOCK :
			    BR_VEE_DST_COUNT;

			if (len == 86400)
				snprintf(detail, sizeof(detail),
				    "%s%d intervals of %d s, expected %d "
				    "(clock or time-sync error)", pfx,
				    (int)d->n, (int)d->interval_s,
				    (int)(len / d->interval_s));
			else
				snprintf(detail, sizeof(detail),
				    "%s%d intervals of %d s, expected %d", pfx,
				    (int)d->n, (int)d->interval_s,
				    (int)(len / d->interval_s));
			if (rule_on(c, r, sc) && add_exception(c, r, sc,
			    d->day, detail, err) != 0)
				goto out;
		}
		if (check_gaps(c, sc, pfx, d, err) != 0 ||
		    (rule_on(c, BR_VEE_NEGATIVE, sc) &&
		    check_negative(c, sc, pfx, d, err) != 0) ||
		    (rule_on(c, BR_VEE_ROLLOVER, sc) &&
		    check_rollover(c, sc, pfx, d, err) != 0))
			goto out;
		if (delivered && rule_on(c, BR_VEE_SPIKE, sc) &&
		    check_spike(c, sc, d, err) != 0)
			goto out;
		if (delivered && rule_on(c, BR_VEE_MAX_DEMAND, sc) &&
		    check_max_demand(c, sc, d, err) != 0)
			goto out;
		if (delivered && rule_on(c, BR_VEE_CLOCK_SHIFT, sc) &&
		    check_clock_shift(c, sc, days, first, i, err) != 0)
			goto out;
		if (!delivered && rule_on(c, BR_VEE_REVERSE_FLOW, sc) &&
		    check_reverse(c, sc, d, err) != 0)
			goto out;
	}
	c->forced = false;
	if (delivered && rule_on(c, BR_VEE_ZERO_RUN, sc) &&
	    check_zero_runs(c, sc, slots, nslots, err) != 0)
		goto out;
	if (delivered && rule_on(c, BR_VEE_STUCK, sc) &&
	    check_stuck(c, sc, slots, nslots, err) != 0)
		goto out;
	if (delivered && rule_on(c, BR_VEE_LEAK, sc) &&
	    check_leak(c, sc, slots, nslots, err) != 0)
		goto out;
	if (delivered && check_usage(c, sc, err) != 0)
		goto out;
	if (c->has_registers && rule_on(c, BR_VEE_SUM_CHECK, sc) &&
	    check_sum(c, sc, channel, days, first, ndays, err) != 0)
		goto out;
	rc = 0;
out:
	free(slots);
	free_days(days, ndays);
	free(days);
	return rc;
}

/*
 * Collect the (account, meter, days) scopes: meters installed on a
 * service point under an agreement overlapping [from, to].
 */
static int
load_scopes(struct ctx *c, int32_t from, int32_t to, struct scope **out,
    size_t *nout, struct br_error *err)
{
	sqlite3_stmt *s;
	struct scope *v = NULL;
	size_t n = 0, cap = 0;
	char dfrom[16], dto[16];
	int rc;

	*out = NULL;
	*nout = 0;
	br_date_format(from, dfrom, sizeof(dfrom));
	br_date_format(to, dto, sizeof(dto));
	s = br_store_prepare(c->st,
	    "SELECT sa.account_id, mi.meter_id, m.kind, mi.install_date,"
	    " mi.remove_date, sa.start_date, sa.end_date, sa.net_metering"
	    " FROM service_agreement sa"
	    " JOIN meter_install mi ON mi.sp_id = sa.sp_id"
	    " JOIN meter m ON m.meter_id = mi.meter_id"
	    " WHERE sa.start_date <= ?2"
	    " AND (sa.end_date IS NULL OR sa.end_date = ''"
	    "  OR sa.end_date >= ?1)"
	    " AND mi.install_date <= ?2"
	    " AND (mi.remove_date IS NULL OR mi.remove_date = ''"
	    "  OR mi.remove_date >= ?1)"
	    " AND (?3 IS NULL OR sa.account_id = ?3)"
	    " AND br_in_shard(sa.account_id)"
	    " ORDER BY sa.account_id, mi.meter_id, mi.install_date,"
	    " sa.start_date", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, dfrom, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, dto, -1, SQLITE_TRANSIENT);
	if (c->opts->account_id != NULL)
		sqlite3_bind_text(s, 3, c->opts->account_id, -1,
		    SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 3);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct scope sc;
		int32_t sa_from, sa_to;

		memset(&sc, 0, sizeof(sc));
		snprintf(sc.account_id, sizeof(sc.account_id), "%s",
		    (const char *)sqlite3_column_text(s, 0));
		snprintf(sc.meter_id, sizeof(sc.meter_id), "%s",
		    (const char *)sqlite3_column_text(s, 1));
		sc.electric = strcmp((const char *)sqlite3_column_text(s, 2),
		    "electric") == 0;
		sc.kind = br_vee_kind_bit((const char *)sqlite3_column_text(s,
		    2));
		sc.net_metering = sqlite3_column_text(s, 7) != NULL &&
		    sqlite3_column_text(s, 7)[0] != '\0';
		sc.inst_from = date_or(sqlite3_column_text(s, 3), INT32_MIN);
		sc.inst_to = date_or(sqlite3_column_text(s, 4), INT32_MAX);
		sa_from = date_or(sqlite3_column_text(s, 5), INT32_MIN);
		sa_to = date_or(sqlite3_column_text(s, 6), INT32_MAX);
		sc.sa_from = sa_from;
		sc.from = from;
		if (sc.inst_from > sc.from)
			sc.from = sc.inst_from;
		if (sa_from > sc.from)
			sc.from = sa_from;
		sc.to = to;
		if (sc.inst_to < sc.to)
			sc.to = sc.inst_to;
		if (sa_to < sc.to)
			sc.to = sa_to;
		if (sc.from > sc.to)
			continue;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct scope *nv = realloc(v, ncap * sizeof(*v));

			if (nv == NULL) {
				free(v);
				sqlite3_finalize(s);
				return br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			v = nv;
			cap = ncap;
		}
		v[n++] = sc;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return br_store_fail(c->st, "read registry", err);
	}
	*out = v;
	*nout = n;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted BORROWED pointers to the scopes' account and meter ids. */
struct scope_index {
	const char **accounts;	/* OWNED array, n entries */
	const char **meters;	/* OWNED array, n entries */
	size_t n;
};

static int
scope_index_init(struct scope_index *ix, const struct scope *v, size_t n,
    struct br_error *err)
{
	size_t i;

	ix->n = n;
	ix->accounts = malloc((n + 1) * sizeof(*ix->accounts));
	ix->meters = malloc((n + 1) * sizeof(*ix->meters));
	if (ix->accounts == NULL || ix->meters == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	for (i = 0; i < n; i++) {
		ix->accounts[i] = v[i].account_id;
		ix->meters[i] = v[i].meter_id;
	}
	qsort(ix->accounts, n, sizeof(*ix->accounts), cmp_str);
	qsort(ix->meters, n, sizeof(*ix->meters), cmp_str);
	return 0;
}

static void
scope_index_release(struct scope_index *ix)
{
	free(ix->accounts);
	free(ix->meters);
	ix->accounts = ix->meters = NULL;
}

static bool
in_scope(const struct scope_index *ix, const char *account_id,
    const char *meter_id)
{
	return bsearch(&account_id, ix->accounts, ix->n,
	    sizeof(*ix->accounts), cmp_str) != NULL ||
	    (meter_id[0] != '\0' && bsearch(&meter_id, ix->meters, ix->n,
	    sizeof(*ix->meters), cmp_str) != NULL);
}

static void
count_code(struct br_validate_summary *sum, const char *code,
    const char *severity)
{
	size_t i;

	for (i = 0; i < sum->ncodes; i++)
		if (strcmp(sum->codes[i].code, code) == 0 &&
		    strcmp(sum->codes[i].severity, severity) == 0) {
			sum->codes[i].count++;
			return;
		}
	if (sum->ncodes == BR_VALIDATE_MAX_CODES)
		return;
	snprintf(sum->codes[i].code, sizeof(sum->codes[i].code), "%s", code);
	snprintf(sum->codes[i].severity, sizeof(sum->codes[i].severity), "%s",
	    severity);
	sum->codes[i].count = 1;
	sum->ncodes++;
}

/*
 * The report: every exception dated in the period whose account or meter
 * is in scope; without --account also the unattributed ones (account '').
 */
static int
write_report(struct ctx *c, const struct scope_index *ix, int32_t from,
    int32_t to, FILE *out, struct br_error *err)
{
	static const char *const header[] = { "exc_id", "stage", "code",
	    "severity", "account_id", "meter_id", "date", "detail", "source",
	    "line", "status" };
	sqlite3_stmt *s;
	char dfrom[16], dto[16];
	int rc;

	br_date_format(from, dfrom, sizeof(dfrom));
	br_date_format(to, dto, sizeof(dto));
	s = br_store_prepare(c->st,
	    "SELECT exc_id, stage, code, severity, account_id, meter_id, date,"
	    " detail, source, line, status FROM exception"
	    " WHERE date >= ?1 AND date <= ?2"
	    " ORDER BY account_id, meter_id, date, code, detail, exc_id", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, dfrom, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, dto, -1, SQLITE_TRANSIENT);
	br_csv_row(out, 11, header);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *f[11];
		char id[24], line[24];
		int i;

		for (i = 0; i < 11; i++) {
			const unsigned char *t = sqlite3_column_text(s, i);
			f[i] = t ? (const char *)t : "";
		}
		if (!(f[4][0] == '\0' && c->opts->account_id == NULL) &&
		    !in_scope(ix, f[4], f[5]))
			continue;
		/* --shard: another shard's account; unattributed ones are
		 * reported by shard 1 only. */
		if (!br_shard_member(&c->st->shard, f[4]))
			continue;
		snprintf(id, sizeof(id), "%" PRId64,
		    (int64_t)sqlite3_column_int64(s, 0));
		snprintf(line, sizeof(line), "%" PRId64,
		    (int64_t)sqlite3_column_int64(s, 9));
		f[0] = id;
		f[9] = line;
		br_csv_row(out, 11, f);
		c->sum->rows++;
		if (strcmp(f[3], "warn") == 0 || strcmp(f[3], "hold") == 0)
			c->sum->warn_hold++;
		count_code(c->sum, f[2], f[3]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read exceptions", err);
	/* Flush here so a write error rolls the run back. */
	if (fflush(out) != 0 || ferror(out))
		return br_error_set(err, BR_EIO, NULL, 0,
		    "cannot write the exception report: %s", strerror(errno));
	return 0;
}

static int
resolve_period(struct ctx *c, int32_t *from, int32_t *to,
    struct br_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (c->opts->cycle_id == NULL) {
		*from = c->opts->from_day;
		*to = c->opts->to_day;
	} else {
		s = br_store_prepare(c->st, "SELECT period_start, period_end"
		    " FROM bill_cycle WHERE cycle_id = ?1", err);
		if (s == NULL)
			return -1;
		sqlite3_bind_text(s, 1, c->opts->cycle_id, -1,
		    SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			sqlite3_finalize(s);
			if (rc != SQLITE_DONE)
				return br_store_fail(c->st, "read bill_cycle",
				    err);
			return br_error_set(err, BR_EUSAGE, NULL, 0,
			    "unknown cycle '%s'", c->opts->cycle_id);
		}
		*from = date_or(sqlite3_column_text(s, 0), INT32_MIN);
		*to = date_or(sqlite3_column_text(s, 1), INT32_MIN);
		sqlite3_finalize(s);
		if (*from == INT32_MIN || *to == INT32_MIN)
			return br_error_set(err, BR_ECONFIG, c->st->path, 0,
			    "cycle '%s' has a bad period", c->opts->cycle_id);
	}
	if (*from > *to)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "period ends before it starts");
	if (*to - *from > 366)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "period longer than 367 days");
	return 0;
}

void
br_validate_opts_init(struct br_validate_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->max_gap_minutes = 120;
	opts->zero_run_hours = 24;
}

static int
cmp_code(const void *a, const void *b)
{
	const struct br_validate_code_count *x = a, *y = b;
	int r = strcmp(x->code, y->code);

	return r ? r : strcmp(x->severity, y->severity);
}

int
br_validate_write_summary(const struct br_validate_summary *sum, FILE *out,
    struct br_error *err)
{
	static const char *const header[] = { "code", "severity", "count" };
	struct br_validate_code_count v[BR_VALIDATE_MAX_CODES];
	size_t i;

	memcpy(v, sum->codes, sum->ncodes * sizeof(v[0]));
	qsort(v, sum->ncodes, sizeof(v[0]), cmp_code);
	br_csv_row(out, 3, header);
	for (i = 0; i < sum->ncodes; i++) {
		char n[24];
		const char *f[3];

		snprintf(n, sizeof(n), "%ld", v[i].count);
		f[0] = v[i].code;
		f[1] = v[i].severity;
		f[2] = n;
		br_csv_row(out, 3, f);
	}
	if (fflush(out) != 0 || ferror(out))
		return br_error_set(err, BR_EIO, NULL, 0,
		    "cannot write the summary: %s", strerror(errno));
	return 0;
}

int
br_validate_run(struct br_store *st, const struct br_validate_opts *opts,
    FILE *out, struct br_validate_summary *sum, struct br_error *err)
{
	struct br_validate_summary local;
	struct ctx c;
	struct scope *v = NULL;
	struct scope_index ix = { NULL, NULL, 0 };
	size_t n = 0, i;
	int32_t from = 0, to = 0;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.opts = opts;
	c.sum = sum ? sum : &local;
	memset(c.sum, 0, sizeof(*c.sum));
	if (opts->rules != NULL)
		c.rules = *opts->rules;
	else
		br_vee_rules_default(&c.rules);
	if (opts->max_gap_minutes < 0 || opts->zero_run_hours <= 0)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "bad --max-gap-minutes or --zero-run-hours");
	if (br_store_timezone(st, &c.tz, err) != 0)
		return -1;
	if (resolve_period(&c, &from, &to, err) != 0)
		goto out;
	c.sum->from_day = from;
	c.sum->to_day = to;
	c.ins_exc = br_store_prepare(st, "INSERT INTO exception(exc_id, stage,"
	    " code, severity, account_id, meter_id, date, detail, status)"
	    " VALUES(br_exc_id('validate', ?1, ?3, ?4, ?5, ?6), 'validate',"
	    " ?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT DO NOTHING", err);
	if (c.ins_exc == NULL)
		goto out;
	c.sel_day = br_store_prepare(st, "SELECT day, interval_s, n, vals,"
	    " quality FROM interval_day WHERE meter_id = ?1 AND channel = ?2"
	    " AND day BETWEEN ?3 AND ?4 ORDER BY day", err);
	if (c.sel_day == NULL)
		goto out;
	/* Inserts only the rows of force-estimated missing days (file 0). */
	c.upd_day = br_store_prepare(st, "INSERT INTO interval_day(meter_id,"
	    " channel, day, interval_s, n, vals, quality, file_id)"
	    " VALUES(?3, ?4, ?5, ?6, ?7, ?1, ?2, 0)"
	    " ON CONFLICT(meter_id, channel, day) DO UPDATE SET"
	    " vals = excluded.vals, quality = excluded.quality", err);
	if (c.upd_day == NULL)
		goto out;
	if (load_scopes(&c, from, to, &v, &n, err) != 0)
		goto out;
	{
		sqlite3_stmt *t = br_store_prepare(st, "SELECT 1 FROM"
		    " sqlite_master WHERE type = 'table'"
		    " AND name = 'register_read'", err);

		if (t == NULL)
			goto out;
		c.has_registers = sqlite3_step(t) == SQLITE_ROW;
		sqlite3_finalize(t);
	}
	for (i = 0; i < n; i++) {
		c.sum->meters++;
		if (check_channel(&c, &v[i], BR_CHANNEL_DELIVERED, err) != 0 ||
		    check_channel(&c, &v[i], BR_CHANNEL_RECEIVED, err) != 0)
			goto out;
	}
	if (scope_index_init(&ix, v, n, err) != 0 ||
	    write_report(&c, &ix, from, to, out, err) != 0)
		goto out;
	rc = 0;
out:
	scope_index_release(&ix);
	free(v);
	sqlite3_finalize(c.ins_exc);
	sqlite3_finalize(c.sel_day);
	sqlite3_finalize(c.upd_day);
	br_tz_release(&c.tz);
	return rc;
}
