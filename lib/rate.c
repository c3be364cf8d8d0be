/*
 * rate.c: the rating engine and the rate-apply cycle run.
 *
 * br_rate_compute splits the service days of a period into segments of
 * constant (tariff version, season), sums each segment's usage (per TOU
 * period through the per-day quarter-hour cache) and maximum demand, and
 * emits one bill line per charge with a complete trace.  Amounts are
 * quantity x rate rounded half up at the micro-dollar, then rounded to
 * cents by the tariff's rule; a bill total is the sum of line cents.
 *
 * br_rate_run walks the service agreements of a cycle in account order and
 * writes bills, bill lines, bill meters and the charges CSV.
 */
#include "rate.h"

#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "date.h"
#include "money.h"
#include "banned.h"

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
	if (c->quarter == NULL || c->nslots == NULL) {
		br_rate_cache_release(c);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	for (d = 0; d < c->ndays; d++) {
		int64_t start = br_tz_day_start(tz, first_day + d);
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
	c->quarter = c->nslots = NULL;
	c->ndays = 0;
}

/* Quarter hour of each slot of d: cached, or computed into buf. */
static const uint8_t *
day_quarters(struct br_rate_cache *c, const struct br_interval_day *d,
    uint8_t *buf)
{
	int32_t k = d->day - c->first_day, i;
	int64_t start;

	if (d->interval_s == 900 && k >= 0 && k < c->ndays &&
	    d->n <= c->nslots[k])
		return &c->quarter[(size_t)k * MAX_SLOTS];
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

struct seg {
	int32_t first, last;
	int ver, season;
	const struct br_tariff_energy *energy;
	const struct br_tariff_demand *demand;
	int64_t usage;
	int64_t per_usage[BR_TARIFF_MAX_PERIODS];
	int64_t demand_milli;		/* kW x 1000 */
	int64_t demand_at;		/* UTC start of the max interval */
	bool have_demand;
};

static int
push_line(struct br_rate_lines *out, struct br_error *err)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		struct br_rate_line *v = realloc(out->v, cap * sizeof(*v));
		if (v == NULL)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		out->v = v;
		out->cap = cap;
	}
	memset(&out->v[out->n], 0, sizeof(out->v[0]));
	out->n++;
	return 0;
}

/* Append a line; calc is the "quantity x rate" part of the trace. */
static int
add_line(struct br_rate_lines *out, const struct br_tariff *t,
    const struct seg *s, const char *code, const char *desc, int64_t qty,
    const char *unit, int64_t rate, int64_t micros, const char *calc,
    struct br_error *err)
{
	struct br_rate_line *l;
	char mb[32], cb[32], vb[16];

	if (push_line(out, err) != 0)
		return -1;
	l = &out->v[out->n - 1];
	snprintf(l->code, sizeof(l->code), "%s", code);
	if (s->season >= 0)
		snprintf(l->description, sizeof(l->description), "%s, %s",
		    desc, t->seasons[s->season].name);
	else
		snprintf(l->description, sizeof(l->description), "%s", desc);
	l->quantity_milli = qty;
	snprintf(l->unit, sizeof(l->unit), "%s", unit);
	l->rate_micro = rate;
	l->amount_cents = br_money_to_cents(micros, t->rounding);
	br_date_format(t->versions[s->ver].effective, vb, sizeof(vb));
	snprintf(l->trace, sizeof(l->trace), "%s = %s -> %s (%s); %s %s; "
	    "version %s%s%s", calc, br_decimal_format(micros, 6, 6, mb,
	    sizeof(mb)), br_cents_format(l->amount_cents, cb, sizeof(cb)),
	    br_round_name(t->rounding), t->code, code, vb,
	    s->season >= 0 ? "; season " : "",
	    s->season >= 0 ? t->seasons[s->season].name : "");
	return 0;
}

static char *
fmt3(int64_t v, char *buf)
{
	return br_decimal_format(v, 3, 3, buf, 32);
}

static char *
fmt6(int64_t v, char *buf)
{
	return br_decimal_format(v, 6, 6, buf, 32);
}

/* q x rate, or fail with the line's code named. */
static int
mul(int64_t q, int64_t rate, int64_t *out, struct br_error *err)
{
	return br_money_mul_qty_rate(q, rate, BR_ROUND_HALF_UP, out, err);
}

/* Tier limit for a segment (docs/tariff.md "Proration"). */
static int64_t
seg_limit(const struct br_rate_input *in, const struct seg *s,
    const struct br_tariff_energy *e, int64_t upto)
{
	int32_t pdays = in->period_last - in->period_first + 1;
	int32_t d = s->first;
	int64_t sum = 0;

	if (!e->prorate)
		return br_div_round(upto * (s->last - s->first + 1), pdays,
		    BR_ROUND_HALF_UP);
	while (d <= s->last) {
		int y, m, dd, dim;
		int32_t month_last, n;
		br_date_civil(d, &y, &m, &dd);
		dim = br_date_month_days(y, m);
		month_last = d + (dim - dd);
		if (month_last > s->last)
			month_last = s->last;
		n = month_last - d + 1;
		sum += br_div_round(upto * n, dim, BR_ROUND_HALF_UP);
		d = month_last + 1;
	}
	return sum;
}

static int
rate_customer(const struct br_rate_input *in, const struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_version *v = &t->versions[s->ver];
	int32_t pdays = in->period_last - in->period_first + 1;
	int32_t sdays = s->last - s->first + 1;
	int64_t micros, qty;
	char calc[160], b1[32];

	if (v->customer_micro == 0)
		return 0;
	if (v->customer_per == BR_PER_DAY) {
		qty = (int64_t)sdays * 1000;
		if (mul(qty, v->customer_micro, &micros, err) != 0)
			return -1;
		snprintf(calc, sizeof(calc), "customer charge: %d days x "
		    "%s/day", sdays, fmt6(v->customer_micro, b1));
		return add_line(out, t, s, "CUSTOMER", "Customer charge", qty,
		    "day", v->customer_micro, micros, calc, err);
	}
	micros = br_div_round(v->customer_micro * sdays, pdays,
	    BR_ROUND_HALF_UP);
	qty = br_div_round((int64_t)1000 * sdays, pdays, BR_ROUND_HALF_UP);
	snprintf(calc, sizeof(calc), "customer charge: %s/month x %d/%d days",
	    fmt6(v->customer_micro, b1), sdays, pdays);
	return add_line(out, t, s, "CUSTOMER", "Customer charge", qty, "month",
	    v->customer_micro, micros, calc, err);
}

static void
upper_name(const char *name, char *buf, size_t n)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < n; i++)
		buf[i] = (name[i] >= 'a' && name[i] <= 'z') ?
		    (char)(name[i] - 'a' + 'A') : name[i];
	buf[i] = '\0';
}

static int
rate_energy(const struct br_rate_input *in, const struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_energy *e = s->energy;
	int64_t micros, lo = 0;
	char calc[256], code[40], desc[96], b1[32], b2[32], b3[32], b4[32];
	size_t i;

	switch (e->kind) {
	case BR_ENERGY_FLAT:
		if (mul(s->usage, e->rate_micro, &micros, err) != 0)
			return -1;
		snprintf(calc, sizeof(calc), "energy: %s %s x %s",
		    fmt3(s->usage, b1), t->unit, fmt6(e->rate_micro, b2));
		return add_line(out, t, s, "ENERGY", "Energy", s->usage,
		    t->unit, e->rate_micro, micros, calc, err);
	case BR_ENERGY_TIERED:
		for (i = 0; i < e->ntiers; i++) {
			const struct br_tariff_tier *tr = &e->tiers[i];
			int64_t hi = tr->upto_milli < 0 ? -1 :
			    seg_limit(in, s, e, tr->upto_milli);
			int64_t q = s->usage - lo;
			if (hi >= 0 && s->usage > hi)
				q = hi - lo;
			if (q < 0)
				q = 0;
			if (q == 0 && i > 0)
				break;
			if (mul(q, tr->rate_micro, &micros, err) != 0)
				return -1;
			snprintf(code, sizeof(code), "ENERGY_T%zu", i + 1);
			if (hi >= 0)
				snprintf(desc, sizeof(desc), "Energy tier %zu "
				    "(%s-%s %s)", i + 1, fmt3(lo, b1),
				    fmt3(hi, b2), t->unit);
			else
				snprintf(desc, sizeof(desc), "Energy tier %zu "
				    "(over %s %s)", i + 1, fmt3(lo, b1),
				    t->unit);
			snprintf(calc, sizeof(calc), "tier %zu (%s-%s%s): %s "
			    "%s x %s", i + 1, fmt3(lo, b1), hi >= 0 ?
			    fmt3(hi, b2) : "", e->prorate ? " prorated" : "",
			    fmt3(q, b3), t->unit, fmt6(tr->rate_micro, b4));
			if (add_line(out, t, s, code, desc, q, t->unit,
			    tr->rate_micro, micros, calc, err) != 0)
				return -1;
			if (hi < 0)
				break;
			lo = hi;
		}
		return 0;
	case BR_ENERGY_TOU:
		for (i = 0; i < e->nperiods; i++) {
			const struct br_tariff_period *p = &e->periods[i];
			int64_t q = s->per_usage[i];
			char up[32];
			if (mul(q, p->rate_micro, &micros, err) != 0)
				return -1;
			upper_name(p->name, up, sizeof(up));
			snprintf(code, sizeof(code), "ENERGY_%s", up);
			snprintf(desc, sizeof(desc), "Energy %s", p->name);
			snprintf(calc, sizeof(calc), "period %s: %s %s x %s",
			    p->name, fmt3(q, b1), t->unit,
			    fmt6(p->rate_micro, b2));
			if (add_line(out, t, s, code, desc, q, t->unit,
			    p->rate_micro, micros, calc, err) != 0)
				return -1;
		}
		return 0;
	}
	return br_error_set(err, BR_EINTERNAL, t->file, 0, "bad energy kind");
}

static int
rate_demand(const struct br_rate_input *in, const struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	int32_t pdays = in->period_last - in->period_first + 1;
	int32_t sdays = s->last - s->first + 1;
	int64_t micros;
	char calc[256], b1[32], b2[32], at[32], pr[48] = "";

	if (s->demand == NULL)
		return 0;
	if (mul(s->demand_milli, s->demand->rate_micro, &micros, err) != 0)
		return -1;
	if (sdays != pdays) {
		micros = br_div_round(micros * sdays, pdays,
		    BR_ROUND_HALF_UP);
		snprintf(pr, sizeof(pr), " x %d/%d days", sdays, pdays);
	}
	if (s->have_demand)
		br_time_format_utc(s->demand_at, at, sizeof(at));
	else
		snprintf(at, sizeof(at), "no data");
	snprintf(calc, sizeof(calc), "demand: max 15-min %s kW (%s) x %s%s",
	    fmt3(s->demand_milli, b1), at, fmt6(s->demand->rate_micro, b2),
	    pr);
	return add_line(out, t, s, "DEMAND", "Demand (maximum 15-minute kW)",
	    s->demand_milli, "kW", s->demand->rate_micro, micros, calc, err);
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

static const struct br_tariff_demand *
demand_for(const struct br_tariff_version *v, int season)
{
	size_t i;

	for (i = 0; i < v->ndemand; i++)
		if (v->demand[i].season < 0 || v->demand[i].season == season)
			return &v->demand[i];
	return NULL;
}

static void
accumulate(const struct br_rate_input *in, struct seg *s,
    const struct br_interval_day *d)
{
	const struct br_tariff_energy *e = s->energy;
	uint8_t buf[1440];
	const uint8_t *q = NULL, *map = NULL;
	int64_t start = 0;
	int32_t i;

	if (e->kind == BR_ENERGY_TOU) {
		if (d->n > 1440)
			return;
		q = day_quarters(in->cache, d, buf);
		map = e->slot_period[br_tariff_daytype(in->tariff, d->day)];
	}
	if (s->demand)
		start = br_tz_day_start(in->cache->tz, d->day);
	for (i = 0; i < d->n; i++) {
		int64_t v;
		if (d->quality[i] & BR_Q_MISSING)
			continue;
		v = d->values[i];
		s->usage += v;
		if (map)
			s->per_usage[map[q[i]]] += v;
		if (s->demand) {
			int64_t kw = br_div_round(v * 3600, d->interval_s,
			    BR_ROUND_HALF_UP);
			if (!s->have_demand || kw > s->demand_milli) {
				s->demand_milli = kw;
				s->demand_at = start + (int64_t)i *
				    d->interval_s;
				s->have_demand = true;
			} else if (kw == s->demand_milli && start +
			    (int64_t)i * d->interval_s < s->demand_at)
				s->demand_at = start + (int64_t)i *
				    d->interval_s;
		}
	}
}

int
br_rate_compute(const struct br_rate_input *in, struct br_rate_lines *out,
    struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	struct seg segs[MAX_SEGMENTS];
	int nsegs = 0, k;
	int32_t day;
	size_t i;
	char b[16];

	memset(segs, 0, sizeof(segs));
	for (day = in->service_first; day <= in->service_last; day++) {
		int ver = br_tariff_version_at(t, day);
		int season = br_tariff_season_of(t, day);
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
		segs[nsegs].first = segs[nsegs].last = day;
		segs[nsegs].ver = ver;
		segs[nsegs].season = season;
		segs[nsegs].energy = energy_for(&t->versions[ver], season);
		segs[nsegs].demand = demand_for(&t->versions[ver], season);
		if (segs[nsegs].energy == NULL)
			return br_error_set(err, BR_ECONFIG, t->file,
			    t->versions[ver].line, "rate '%s' has no energy "
			    "charge for this season", t->code);
		nsegs++;
	}
	for (i = 0; i < in->ndays; i++) {
		const struct br_interval_day *d = &in->days[i];
		if (d->day < in->service_first || d->day > in->service_last)
			continue;
		for (k = 0; k < nsegs; k++)
			if (d->day >= segs[k].first && d->day <= segs[k].last)
				break;
		accumulate(in, &segs[k], d);
	}
	for (k = 0; k < nsegs; k++)
		if (rate_customer(in, &segs[k], out, err) != 0 ||
		    rate_energy(in, &segs[k], out, err) != 0 ||
		    rate_demand(in, &segs[k], out, err) != 0)
			return -1;
	return 0;
}

/* ---- rate-apply over the store ---- */

struct agreement {
	char account_id[64];
	char sp_id[64];
	char rate_code[32];
	int32_t first, last;		/* service days within the cycle */
};

struct meter_use {
	char meter_id[64];
	char unit[16];
	int64_t usage, estimated, missing;
};

struct run {
	struct br_store *st;
	const struct br_rate_opts *o;
	FILE *out;
	struct br_rate_stats *stats;
	struct br_error *err;
	char cycle[64], pstart[11], pend[11], bill_date[11], due_date[11];
	int32_t first, last;
	struct br_tz tz;
	struct br_rate_cache cache;
	struct br_tariff *tariffs;	/* loaded so far */
	size_t ntariffs;
	sqlite3_stmt *q_bill, *q_hold, *q_inst, *q_days;
	sqlite3_stmt *d_line, *d_meter, *d_bill;
	sqlite3_stmt *i_bill, *i_line, *i_meter;
	/* per service point */
	struct br_interval_day *days;
	size_t ndays, capdays;
	struct meter_use *meters;
	size_t nmeters, capmeters;
	char (*line_sp)[64];		/* sp_id per line of the bill */
	size_t capsp;
};

static const char *
col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

static int
parse_day(struct run *r, const char *s, const char *what, int32_t *out)
{
	if (br_date_parse(s, (size_t)-1, out) != 0)
		return br_error_set(r->err, BR_EINPUT, r->st->path, 0,
		    "bad date '%s' in %s", s, what);
	return 0;
}

static int
load_cycle(struct run *r)
{
	sqlite3_stmt *s = br_store_prepare(r->st, "SELECT period_start, "
	    "period_end, bill_date, due_date FROM bill_cycle "
	    "WHERE cycle_id = ?1", r->err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, r->o->cycle_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return br_store_fail(r->st, "read bill_cycle", r->err);
		return br_error_set(r->err, BR_EUSAGE, NULL, 0,
		    "no bill cycle '%s' in the store", r->o->cycle_id);
	}
	snprintf(r->cycle, sizeof(r->cycle), "%s", r->o->cycle_id);
	snprintf(r->pstart, sizeof(r->pstart), "%s", col(s, 0));
	snprintf(r->pend, sizeof(r->pend), "%s", col(s, 1));
	snprintf(r->bill_date, sizeof(r->bill_date), "%s", col(s, 2));
	snprintf(r->due_date, sizeof(r->due_date), "%s", col(s, 3));
	sqlite3_finalize(s);
	if (parse_day(r, r->pstart, "bill_cycle", &r->first) != 0 ||
	    parse_day(r, r->pend, "bill_cycle", &r->last) != 0)
		return -1;
	if (r->last < r->first)
		return br_error_set(r->err, BR_EINPUT, r->st->path, 0,
		    "bill cycle '%s' ends before it starts", r->cycle);
	return 0;
}

static const struct br_tariff *
tariff(struct run *r, const struct agreement *a)
{
	struct br_tariff *v;
	size_t i;

	for (i = 0; i < r->ntariffs; i++)
		if (strcmp(r->tariffs[i].code, a->rate_code) == 0)
			return &r->tariffs[i];
	v = realloc(r->tariffs, (r->ntariffs + 1) * sizeof(*v));
	if (v == NULL) {
		br_error_set(r->err, BR_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	r->tariffs = v;
	if (br_tariff_load_code(&v[r->ntariffs], r->o->rates_dir,
	    a->rate_code, r->err) != 0) {
		if (r->err->code == BR_ENOINPUT) {
			char path[512];
			snprintf(path, sizeof(path), "%s/%s.yaml",
			    r->o->rates_dir, a->rate_code);
			br_error_set(r->err, BR_ECONFIG, path, 0,
			    "unknown rate code '%s' in the agreement of "
			    "account '%s' at service point '%s'",
			    a->rate_code, a->account_id, a->sp_id);
		}
		return NULL;
	}
	return &v[r->ntariffs++];
}

static void
free_days(struct run *r)
{
	size_t i;

	for (i = 0; i < r->ndays; i++) {
		free(r->days[i].values);
		free(r->days[i].quality);
	}
	r->ndays = 0;
}

static struct meter_use *
meter_use(struct run *r, const char *meter_id, const char *unit)
{
	size_t i;

	for (i = 0; i < r->nmeters; i++)
		if (strcmp(r->meters[i].meter_id, meter_id) == 0)
			return &r->meters[i];
	if (r->nmeters == r->capmeters) {
		size_t cap = r->capmeters ? 2 * r->capmeters : 8;
		struct meter_use *v = realloc(r->meters, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		r->meters = v;
		r->capmeters = cap;
	}
	memset(&r->meters[r->nmeters], 0, sizeof(r->meters[0]));
	snprintf(r->meters[r->nmeters].meter_id, 64, "%s", meter_id);
	snprintf(r->meters[r->nmeters].unit, 16, "%s", unit);
	return &r->meters[r->nmeters++];
}

/* Read one meter's delivered days in [first, last] into r->days. */
static int
load_meter_days(struct run *r, const char *meter_id, const char *unit,
    int32_t first, int32_t last)
{
	sqlite3_stmt *s = r->q_days;
	struct meter_use *mu = meter_use(r, meter_id, unit);
	int rc;

	if (mu == NULL)
		return br_error_set(r->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, first);
	sqlite3_bind_int(s, 3, last);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_interval_day *d;
		int32_t n = sqlite3_column_int(s, 2);
		if (n <= 0 || n > 1440 ||
		    sqlite3_column_bytes(s, 3) != 8 * n ||
		    sqlite3_column_bytes(s, 4) != n)
			return br_error_set(r->err, BR_EINPUT, r->st->path, 0,
			    "corrupt interval_day row for meter '%s' day %d",
			    meter_id, sqlite3_column_int(s, 0));
		if (r->ndays == r->capdays) {
			size_t cap = r->capdays ? 2 * r->capdays : 64;
			d = realloc(r->days, cap * sizeof(*d));
			if (d == NULL)
				return br_error_set(r->err, BR_ENOMEM, NULL,
				    0, "out of memory");
			r->days = d;
			r->capdays = cap;
		}
		d = &r->days[r->ndays];
		memset(d, 0, sizeof(*d));
		snprintf(d->meter_id, sizeof(d->meter_id), "%s", meter_id);
		d->channel = BR_CHANNEL_DELIVERED;
		d->day = sqlite3_column_int(s, 0);
		d->interval_s = sqlite3_column_int(s, 1);
		d->n = n;
		d->values = malloc((size_t)n * sizeof(int64_t));
		d->quality = malloc((size_t)n);
		if (d->values == NULL || d->quality == NULL) {
			free(d->values);
			free(d->quality);
			return br_error_set(r->err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		}
		r->ndays++;
		if (d->interval_s <= 0)
			return br_error_set(r->err, BR_EINPUT, r->st->path, 0,
			    "bad interval length for meter '%s'", meter_id);
		br_store_unpack_values(sqlite3_column_blob(s, 3), n,
		    d->values);
		memcpy(d->quality, sqlite3_column_blob(s, 4), (size_t)n);
		br_rate_day_usage(d, &mu->usage, &mu->estimated,
		    &mu->missing);
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read interval_day", r->err);
	return 0;
}

/* Rate one agreement: append its lines to lines. */
static int
rate_agreement(struct run *r, const struct agreement *a,
    struct br_rate_lines *lines)
{
	const struct br_tariff *t = tariff(r, a);
	struct br_rate_input in;
	sqlite3_stmt *s = r->q_inst;
	size_t n0 = lines->n, i;
	int rc;

	if (t == NULL)
		return -1;
	free_days(r);
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, a->sp_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t from, to = a->last;
		const char *meter = col(s, 0), *unit = col(s, 3);
		if (parse_day(r, col(s, 1), "meter_install", &from) != 0)
			return -1;
		if (col(s, 2)[0] != '\0' &&
		    parse_day(r, col(s, 2), "meter_install", &to) != 0)
			return -1;
		if (from < a->first)
			from = a->first;
		if (to > a->last)
			to = a->last;
		if (from > to)
			continue;
		if (strcmp(unit, t->unit) != 0)
			return br_error_set(r->err, BR_ECONFIG, t->file, 0,
			    "meter '%s' at service point '%s' measures %s "
			    "but rate '%s' bills %s", meter, a->sp_id, unit,
			    t->code, t->unit);
		if (load_meter_days(r, meter, unit, from, to) != 0)
			return -1;
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read meter_install", r->err);
	memset(&in, 0, sizeof(in));
	in.tariff = t;
	in.cache = &r->cache;
	in.period_first = r->first;
	in.period_last = r->last;
	in.service_first = a->first;
	in.service_last = a->last;
	in.days = r->days;
	in.ndays = r->ndays;
	if (br_rate_compute(&in, lines, r->err) != 0)
		return -1;
	if (lines->n > r->capsp) {
		size_t cap = lines->cap;
		char (*v)[64] = realloc(r->line_sp, cap * sizeof(*v));
		if (v == NULL)
			return br_error_set(r->err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		r->line_sp = v;
		r->capsp = cap;
	}
	for (i = n0; i < lines->n; i++)
		snprintf(r->line_sp[i], 64, "%s", a->sp_id);
	return 0;
}

static int
step_done(struct run *r, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, what, r->err);
	return 0;
}

/* Bill one account from its agreements a[0..n). */
static int
bill_account(struct run *r, const struct agreement *a, size_t n)
{
	struct br_rate_lines lines = { NULL, 0, 0 };
	char bill_id[160], status[16] = "", seq[24], qb[32], rb[32], cb[32];
	const char *st;
	int64_t total = 0;
	size_t i;
	int rc, held;

	snprintf(bill_id, sizeof(bill_id), "%s-%s", r->cycle, a->account_id);
	sqlite3_reset(r->q_bill);
	sqlite3_bind_text(r->q_bill, 1, bill_id, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(r->q_bill)) == SQLITE_ROW)
		snprintf(status, sizeof(status), "%s", col(r->q_bill, 0));
	sqlite3_reset(r->q_bill);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return br_store_fail(r->st, "read bill", r->err);
	if (status[0] && strcmp(status, "draft") && strcmp(status, "hold")) {
		r->stats->skipped_issued++;
		return 0;
	}
	sqlite3_bind_text(r->d_line, 1, bill_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->d_meter, 1, bill_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->d_bill, 1, bill_id, -1, SQLITE_TRANSIENT);
	if (step_done(r, r->d_line, "delete bill_line") != 0 ||
	    step_done(r, r->d_meter, "delete bill_meter") != 0 ||
	    step_done(r, r->d_bill, "delete bill") != 0)
		return -1;

	r->nmeters = 0;
	for (i = 0; i < n; i++)
		if (rate_agreement(r, &a[i], &lines) != 0)
			goto fail;
	for (i = 0; i < lines.n; i++)
		total += lines.v[i].amount_cents;

	sqlite3_reset(r->q_hold);
	sqlite3_bind_text(r->q_hold, 1, a->account_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(r->q_hold);
	sqlite3_reset(r->q_hold);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		br_store_fail(r->st, "read exception", r->err);
		goto fail;
	}
	held = rc == SQLITE_ROW;
	st = held ? "hold" : "draft";

	sqlite3_bind_text(r->i_bill, 1, bill_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->i_bill, 2, a->account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->i_bill, 3, st, -1, SQLITE_STATIC);
	sqlite3_bind_int64(r->i_bill, 4, total);
	if (step_done(r, r->i_bill, "insert bill") != 0)
		goto fail;
	for (i = 0; i < lines.n; i++) {
		const struct br_rate_line *l = &lines.v[i];
		const char *row[12];
		sqlite3_stmt *s = r->i_line;
		sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 2, (int64_t)i + 1);
		sqlite3_bind_text(s, 3, r->line_sp[i], -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, l->code, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, l->description, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 6, l->quantity_milli);
		sqlite3_bind_text(s, 7, l->unit, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 8, l->rate_micro);
		sqlite3_bind_int64(s, 9, l->amount_cents);
		sqlite3_bind_text(s, 10, l->trace, -1, SQLITE_TRANSIENT);
		if (step_done(r, s, "insert bill_line") != 0)
			goto fail;
		snprintf(seq, sizeof(seq), "%zu", i + 1);
		row[0] = bill_id;
		row[1] = a->account_id;
		row[2] = st;
		row[3] = seq;
		row[4] = r->line_sp[i];
		row[5] = l->code;
		row[6] = l->description;
		row[7] = br_decimal_format(l->quantity_milli, 3, 3, qb,
		    sizeof(qb));
		row[8] = l->unit;
		row[9] = br_decimal_format(l->rate_micro, 6, 6, rb,
		    sizeof(rb));
		row[10] = br_cents_format(l->amount_cents, cb, sizeof(cb));
		row[11] = l->trace;
		br_csv_row(r->out, 12, row);
	}
	for (i = 0; i < r->nmeters; i++) {
		const struct meter_use *m = &r->meters[i];
		sqlite3_stmt *s = r->i_meter;
		sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, m->meter_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, m->unit, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 4, m->usage);
		sqlite3_bind_int64(s, 5, m->estimated);
		sqlite3_bind_int64(s, 6, m->missing);
		if (step_done(r, s, "insert bill_meter") != 0)
			goto fail;
	}
	r->stats->bills++;
	r->stats->held += held;
	r->stats->lines += (long)lines.n;
	br_rate_lines_release(&lines);
	return 0;
fail:
	br_rate_lines_release(&lines);
	return -1;
}

static int
prepare_all(struct run *r)
{
	struct { sqlite3_stmt **s; const char *sql; } q[] = {
		{ &r->q_bill, "SELECT status FROM bill WHERE bill_id = ?1" },
		{ &r->q_hold, "SELECT 1 FROM exception WHERE account_id = ?1 "
		    "AND severity = 'hold' AND status IN ('open','held') "
		    "AND date >= ?2 AND date <= ?3 LIMIT 1" },
		{ &r->q_inst, "SELECT mi.meter_id, mi.install_date, "
		    "COALESCE(mi.remove_date, ''), m.unit FROM meter_install mi "
		    "JOIN meter m ON m.meter_id = mi.meter_id "
		    "WHERE mi.sp_id = ?1 ORDER BY mi.meter_id, mi.install_date" },
		{ &r->q_days, "SELECT day, interval_s, n, vals, quality "
		    "FROM interval_day WHERE meter_id = ?1 AND channel = 1 "
		    "AND day >= ?2 AND day <= ?3 ORDER BY day" },
		{ &r->d_line, "DELETE FROM bill_line WHERE bill_id = ?1" },
		{ &r->d_meter, "DELETE FROM bill_meter WHERE bill_id = ?1" },
		{ &r->d_bill, "DELETE FROM bill WHERE bill_id = ?1" },
		{ &r->i_bill, "INSERT INTO bill(bill_id, account_id, cycle_id, "
		    "period_start, period_end, bill_date, due_date, status, "
		    "total_cents) VALUES(?1, ?2, ?5, ?6, ?7, ?8, ?9, ?3, ?4)" },
		{ &r->i_line, "INSERT INTO bill_line(bill_id, seq, sp_id, code, "
		    "description, quantity_milli, unit, rate_micro, "
		    "amount_cents, trace) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		    "?8, ?9, ?10)" },
		{ &r->i_meter, "INSERT INTO bill_meter(bill_id, meter_id, "
		    "channel, unit, usage_milli, estimated_milli, "
		    "missing_intervals) VALUES(?1, ?2, 1, ?3, ?4, ?5, ?6)" },
	};
	size_t i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if ((*q[i].s = br_store_prepare(r->st, q[i].sql, r->err)) ==
		    NULL)
			return -1;
	sqlite3_bind_text(r->q_hold, 2, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->q_hold, 3, r->pend, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 5, r->cycle, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 6, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 7, r->pend, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 8, r->bill_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 9, r->due_date, -1, SQLITE_STATIC);
	return 0;
}

static int
load_agreements(struct run *r, struct agreement **out, size_t *nout)
{
	sqlite3_stmt *s = br_store_prepare(r->st, "SELECT sa.account_id, "
	    "sa.sp_id, sa.rate_code, sa.start_date, "
	    "COALESCE(sa.end_date, '') FROM service_agreement sa "
	    "JOIN account a ON a.account_id = sa.account_id "
	    "WHERE a.status <> 'closed' AND sa.start_date <= ?2 "
	    "AND (sa.end_date IS NULL OR sa.end_date = '' OR "
	    "sa.end_date >= ?1) AND (?3 IS NULL OR sa.account_id = ?3) "
	    "ORDER BY sa.account_id, sa.sp_id, sa.start_date", r->err);
	struct agreement *v = NULL, *a;
	size_t n = 0, cap = 0;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->pend, -1, SQLITE_STATIC);
	if (r->o->account_id)
		sqlite3_bind_text(s, 3, r->o->account_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			a = realloc(v, cap * sizeof(*a));
			if (a == NULL) {
				br_error_set(r->err, BR_ENOMEM, NULL, 0,
				    "out of memory");
				goto fail;
			}
			v = a;
		}
		a = &v[n];
		snprintf(a->account_id, sizeof(a->account_id), "%s", col(s, 0));
		snprintf(a->sp_id, sizeof(a->sp_id), "%s", col(s, 1));
		snprintf(a->rate_code, sizeof(a->rate_code), "%s", col(s, 2));
		if (parse_day(r, col(s, 3), "service_agreement", &a->first))
			goto fail;
		a->last = r->last;
		if (col(s, 4)[0] && parse_day(r, col(s, 4),
		    "service_agreement", &a->last))
			goto fail;
		if (a->first < r->first)
			a->first = r->first;
		if (a->last > r->last)
			a->last = r->last;
		n++;
	}
	if (rc != SQLITE_DONE) {
		br_store_fail(r->st, "read service_agreement", r->err);
		goto fail;
	}
	sqlite3_finalize(s);
	*out = v;
	*nout = n;
	return 0;
fail:
	sqlite3_finalize(s);
	free(v);
	return -1;
}

static void
run_release(struct run *r)
{
	sqlite3_stmt **all[] = { &r->q_bill, &r->q_hold, &r->q_inst,
	    &r->q_days, &r->d_line, &r->d_meter, &r->d_bill, &r->i_bill,
	    &r->i_line, &r->i_meter };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sqlite3_finalize(*all[i]);
	for (i = 0; i < r->ntariffs; i++)
		br_tariff_release(&r->tariffs[i]);
	free(r->tariffs);
	free_days(r);
	free(r->days);
	free(r->meters);
	free(r->line_sp);
	br_rate_cache_release(&r->cache);
	br_tz_release(&r->tz);
}

int
br_rate_run(struct br_store *st, const struct br_rate_opts *opts, FILE *out,
    struct br_rate_stats *stats, struct br_error *err)
{
	static const char *const header[12] = { "bill_id", "account_id",
	    "status", "seq", "sp_id", "code", "description", "quantity",
	    "unit", "rate", "amount", "trace" };
	struct run r;
	struct agreement *ag = NULL;
	size_t nag = 0, i, j;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	memset(stats, 0, sizeof(*stats));
	r.st = st;
	r.o = opts;
	r.out = out;
	r.stats = stats;
	r.err = err;
	if (load_cycle(&r) != 0)
		return -1;
	if (br_store_timezone(st, &r.tz, err) != 0)
		return -1;
	if (br_rate_cache_init(&r.cache, &r.tz, r.first, r.last, err) != 0 ||
	    prepare_all(&r) != 0 || load_agreements(&r, &ag, &nag) != 0)
		goto done;
	/* load every tariff first: a bad one fails before any output */
	for (i = 0; i < nag; i++)
		if (tariff(&r, &ag[i]) == NULL)
			goto done;
	br_csv_row(out, 12, header);
	for (i = 0; i < nag; i = j) {
		for (j = i + 1; j < nag && strcmp(ag[j].account_id,
		    ag[i].account_id) == 0; j++)
			;
		if (bill_account(&r, &ag[i], j - i) != 0)
			goto done;
	}
	rc = 0;
done:
	free(ag);
	run_release(&r);
	return rc;
}
