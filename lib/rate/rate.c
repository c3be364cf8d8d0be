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
#include "rate/rate.h"

#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
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
	int64_t rtp_nano;			/* sum kWh x price, 1e-9 $ */
	int64_t exp_nano;			/* export credits at hourly prices */
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
    struct seg *s, const char *code, const char *desc, int64_t qty,
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
	s->sum_cents += l->amount_cents;
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

/* Percent in ppm as "6.25" (no trailing zeros). */
static char *
fmt_pct(int64_t ppm, char *buf)
{
	size_t n;

	br_decimal_format(ppm, 4, 4, buf, 32);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
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

/* A monthly amount prorated by days, or a daily amount x days. */
static int
monthly(const struct br_rate_input *in, const struct seg *s, int64_t amount,
    enum br_customer_per per, const char *what, int64_t *micros,
    int64_t *qty, char *calc, size_t n, struct br_error *err)
{
	int32_t pdays = in->period_last - in->period_first + 1;
	int32_t sdays = s->last - s->first + 1;
	char b1[32];

	if (per == BR_PER_DAY) {
		*qty = (int64_t)sdays * 1000;
		if (mul(*qty, amount, micros, err) != 0)
			return -1;
		snprintf(calc, n, "%s: %d days x %s/day", what, sdays,
		    fmt6(amount, b1));
		return 0;
	}
	*micros = br_div_round(amount * sdays, pdays, BR_ROUND_HALF_UP);
	*qty = br_div_round((int64_t)1000 * sdays, pdays, BR_ROUND_HALF_UP);
	snprintf(calc, n, "%s: %s/month x %d/%d days", what,
	    fmt6(amount, b1), sdays, pdays);
	return 0;
}

static int
rate_customer(const struct br_rate_input *in, struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_version *v = &t->versions[s->ver];
	int64_t micros, qty;
	char calc[160];

	if (v->customer_micro == 0)
		return 0;
	if (monthly(in, s, v->customer_micro, v->customer_per,
	    "customer charge", &micros, &qty, calc, sizeof(calc), err) != 0)
		return -1;
	return add_line(out, t, s, "CUSTOMER", "Customer charge", qty,
	    v->customer_per == BR_PER_DAY ? "day" : "month",
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

/*
 * Net metering (mode netting): net each energy period (or the total),
 * bank negative nets as kWh and draw positive nets from the bank in
 * period order.  Fills q/per with the billed quantities and appends the
 * NEM_NET line (amount 0) whose trace shows the netting.
 */
static int
net_energy(const struct br_rate_input *in, struct seg *s, int64_t *bank,
    int64_t *q, int64_t *per, struct br_rate_lines *out,
    struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_energy *e = s->energy;
	int64_t b0 = *bank, added = 0, used = 0, n, take;
	size_t i, np = e->kind == BR_ENERGY_TOU ? e->nperiods : 1;
	char calc[400], b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];

	for (i = 0; i < np; i++) {
		n = e->kind == BR_ENERGY_TOU ? s->per_usage[i] -
		    s->per_recv[i] : s->usage - s->recv;
		if (n < 0) {
			added += -n;
			n = 0;
		}
		per[i] = n;
	}
	*bank += added;
	for (i = 0; i < np; i++) {
		take = per[i] < *bank ? per[i] : *bank;
		per[i] -= take;
		*bank -= take;
		used += take;
	}
	*q = 0;
	for (i = 0; i < np; i++)
		*q += per[i];
	snprintf(calc, sizeof(calc), "net metering %s: delivered %s - "
	    "received %s %s; bank %s + surplus %s - used %s = %s %s",
	    s->nem->program, fmt3(s->usage, b1), fmt3(s->recv, b2), t->unit,
	    fmt3(b0, b3), fmt3(added, b4), fmt3(used, b5), fmt3(*bank, b6),
	    t->unit);
	return add_line(out, t, s, "NEM_BANK", "Net metering kWh bank",
	    *bank, t->unit, 0, 0, calc, err);
}

/*
 * Bill `usage` through tiers (cumulative limits, prorated for the segment
 * by seg_limit): one line per tier reached, tier 1 always.  Codes are
 * <code>T<n>, descriptions <desc>tier <n> (...), traces <calc>tier <n>.
 */
static int
bill_tiers(const struct br_rate_input *in, struct seg *s,
    const struct br_tariff_tier *tiers, size_t ntiers, int64_t usage,
    const char *code_prefix, const char *desc_prefix,
    const char *calc_prefix, const char *conv, struct br_rate_lines *out,
    struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_energy *e = s->energy;
	int64_t micros, lo = 0;
	char calc[768], code[40], desc[96], b1[32], b2[32], b3[32], b4[32];
	size_t i;

	for (i = 0; i < ntiers; i++) {
		const struct br_tariff_tier *tr = &tiers[i];
		int64_t hi = tr->upto_milli < 0 ? -1 :
		    seg_limit(in, s, e, tr->upto_milli);
		int64_t q = usage - lo;
		if (hi >= 0 && usage > hi)
			q = hi - lo;
		if (q < 0)
			q = 0;
		if (q == 0 && i > 0)
			break;
		if (mul(q, tr->rate_micro, &micros, err) != 0)
			return -1;
		s->billed_energy += q;
		snprintf(code, sizeof(code), "%sT%zu", code_prefix, i + 1);
		if (hi >= 0)
			snprintf(desc, sizeof(desc), "%stier %zu (%s-%s %s)",
			    desc_prefix, i + 1, fmt3(lo, b1), fmt3(hi, b2),
			    t->unit);
		else
			snprintf(desc, sizeof(desc), "%stier %zu (over %s %s)",
			    desc_prefix, i + 1, fmt3(lo, b1), t->unit);
		snprintf(calc, sizeof(calc), "%stier %zu (%s-%s%s): %s %s%s x "
		    "%s", calc_prefix, i + 1, fmt3(lo, b1), hi >= 0 ?
		    fmt3(hi, b2) : "", e->prorate ? " prorated" : "",
		    fmt3(q, b3), t->unit, i == 0 ? conv : "",
		    fmt6(tr->rate_micro, b4));
		if (add_line(out, t, s, code, desc, q, t->unit,
		    tr->rate_micro, micros, calc, err) != 0)
			return -1;
		if (hi < 0)
			break;
		lo = hi;
	}
	return 0;
}

/* round_half_up(a x b / c) without overflow (c > 0). */
static int64_t
muldiv(int64_t a, int64_t b, int64_t c)
{
	br_i128 p = (br_i128)a * b;
	br_i128 q = p / c, r = p % c;

	if (r < 0)
		r = -r;
	if (2 * r >= c)
		q += p < 0 ? -1 : 1;
	return (int64_t)q;
}

static int
rate_energy(const struct br_rate_input *in, struct seg *s, int64_t *bank,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_energy *e = s->energy;
	const struct br_tariff_version *v = &t->versions[s->ver];
	int64_t micros, usage = s->usage;
	int64_t per[BR_TARIFF_MAX_PERIODS];
	char calc[768], code[40], desc[96], b1[32], b2[32], b3[32], b4[32];
	char b5[32], conv[96] = "";
	size_t i;

	memcpy(per, s->per_usage, sizeof(per));
	if (s->nem && s->nem->mode == BR_NEM_NETTING &&
	    net_energy(in, s, bank, &usage, per, out, err) != 0)
		return -1;
	if (br_tariff_btu_at(v, s->first) != 0 && s->raw_usage != s->usage)
		snprintf(conv, sizeof(conv), " (%s CCF converted per day by "
		    "the BTU factor)", fmt3(s->raw_usage, b1));
	switch (e->kind) {
	case BR_ENERGY_FLAT:
		if (mul(usage, e->rate_micro, &micros, err) != 0)
			return -1;
		s->billed_energy += usage;
		snprintf(calc, sizeof(calc), "energy: %s %s%s x %s",
		    fmt3(usage, b1), t->unit, conv, fmt6(e->rate_micro, b2));
		return add_line(out, t, s, "ENERGY", "Energy", usage,
		    t->unit, e->rate_micro, micros, calc, err);
	case BR_ENERGY_TIERED:
		return bill_tiers(in, s, e->tiers, e->ntiers, usage, "ENERGY_",
		    "Energy ", "", conv, out, err);
	case BR_ENERGY_TOU:
		for (i = 0; i < e->nperiods; i++) {
			const struct br_tariff_period *p = &e->periods[i];
			int64_t q = per[i];
			char up[32], cp[48], dp[48], tp[48];
			upper_name(p->name, up, sizeof(up));
			if (p->ntiers > 0) {
				snprintf(cp, sizeof(cp), "ENERGY_%s_", up);
				snprintf(dp, sizeof(dp), "Energy %s ", p->name);
				snprintf(tp, sizeof(tp), "period %s ", p->name);
				if (bill_tiers(in, s, p->tiers, p->ntiers, q,
				    cp, dp, tp, "", out, err) != 0)
					return -1;
				continue;
			}
			if (mul(q, p->rate_micro, &micros, err) != 0)
				return -1;
			s->billed_energy += q;
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
	case BR_ENERGY_PRICES: {
		int64_t avg;
		micros = br_div_round(s->rtp_nano, 1000, BR_ROUND_HALF_UP);
		avg = usage > 0 ? br_div_round(micros * 1000, usage,
		    BR_ROUND_HALF_UP) : 0;
		s->billed_energy += usage;
		if (usage != s->usage) {
			/*
			 * Netting: the net kWh left after the bank are
			 * priced at the delivered energy's average hourly
			 * price: value x net / delivered, rounded once.
			 */
			int64_t all = micros;
			avg = s->usage > 0 ? muldiv(s->rtp_nano, 1, s->usage) :
			    0;
			micros = s->usage > 0 ? muldiv(s->rtp_nano, usage,
			    s->usage * (int64_t)1000) : 0;
			snprintf(calc, sizeof(calc), "real-time prices (%s, "
			    "adder %s): delivered %s %s x hourly price = %s, "
			    "average %s; net billed %s %s = %s x %s/%s",
			    t->prices[e->prices].name, fmt6(e->adder_micro,
			    b1), fmt3(s->usage, b2), t->unit, fmt6(all, b3),
			    fmt6(avg, b4), fmt3(usage, b5), t->unit, b3, b5,
			    b2);
		} else
			snprintf(calc, sizeof(calc), "real-time prices (%s, "
			    "adder %s): %s %s x hourly price, average %s",
			    t->prices[e->prices].name, fmt6(e->adder_micro,
			    b1), fmt3(usage, b2), t->unit, fmt6(avg, b3));
		return add_line(out, t, s, "ENERGY_RTP", "Energy at real-time "
		    "prices", usage, t->unit, avg, micros, calc, err);
	}
	}
	return br_error_set(err, BR_EINTERNAL, t->file, 0, "bad energy kind");
}

/* Exports credited under net billing (NEM 3.0 style). */
static int
rate_exports(const struct br_rate_input *in, struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_energy *x;
	int64_t micros;
	char calc[768], code[40], desc[96], b1[32], b2[32], b3[32], up[32];
	size_t i;

	if (s->nem == NULL || s->nem->mode != BR_NEM_BILLING)
		return 0;
	x = &s->nem->exp;
	switch (x->kind) {
	case BR_ENERGY_FLAT:
		if (mul(s->recv, x->rate_micro, &micros, err) != 0)
			return -1;
		snprintf(calc, sizeof(calc), "net billing %s: exported %s %s "
		    "x -%s", s->nem->program, fmt3(s->recv, b1), t->unit,
		    fmt6(x->rate_micro, b2));
		return add_line(out, t, s, "EXPORT", "Export credit", s->recv,
		    t->unit, -x->rate_micro, -micros, calc, err);
	case BR_ENERGY_TOU:
		for (i = 0; i < x->nperiods; i++) {
			const struct br_tariff_period *p = &x->periods[i];
			if (mul(s->per_exp[i], p->rate_micro, &micros, err))
				return -1;
			upper_name(p->name, up, sizeof(up));
			snprintf(code, sizeof(code), "EXPORT_%s", up);
			snprintf(desc, sizeof(desc), "Export credit %s",
			    p->name);
			snprintf(calc, sizeof(calc), "net billing %s: exported "
			    "%s %s in %s x -%s", s->nem->program,
			    fmt3(s->per_exp[i], b1), t->unit, p->name,
			    fmt6(p->rate_micro, b2));
			if (add_line(out, t, s, code, desc, s->per_exp[i],
			    t->unit, -p->rate_micro, -micros, calc, err) != 0)
				return -1;
		}
		return 0;
	case BR_ENERGY_PRICES: {
		int64_t avg;
		micros = br_div_round(s->exp_nano, 1000, BR_ROUND_HALF_UP);
		avg = s->recv > 0 ? br_div_round(micros * 1000, s->recv,
		    BR_ROUND_HALF_UP) : 0;
		snprintf(calc, sizeof(calc), "net billing %s: exported %s %s "
		    "x hourly export price (%s, adder %s), average -%s",
		    s->nem->program, fmt3(s->recv, b1), t->unit,
		    t->prices[x->prices].name, fmt6(x->adder_micro, b2),
		    fmt6(avg, b3));
		return add_line(out, t, s, "EXPORT", "Export credit at hourly "
		    "prices", s->recv, t->unit, -avg, -micros, calc, err);
	}
	default:
		break;
	}
	return br_error_set(err, BR_EINTERNAL, t->file, 0, "bad export kind");
}

/*
 * Maximum billed demand of prior bills whose periods start within the
 * `months` calendar months before the period: the bill_sp maximum demand
 * (code NULL) or the billed kW of the TOU demand line `code`.
 */
static int64_t
prior_max_demand(const struct br_rate_input *in, int months, int32_t *from,
    const char *code)
{
	int y, m, d;
	int64_t best = -1;
	size_t i;

	br_date_civil(in->period_first, &y, &m, &d);
	m -= months;
	while (m < 1) {
		m += 12;
		y--;
	}
	if (d > br_date_month_days(y, m))
		d = br_date_month_days(y, m);
	*from = br_date_days(y, m, d);
	if (code != NULL) {
		for (i = 0; i < in->nprior_pdem; i++) {
			const struct br_rate_prior_demand *p =
			    &in->prior_pdem[i];
			if (p->period_first >= *from &&
			    p->period_last < in->period_first &&
			    strcmp(p->code, code) == 0 &&
			    p->demand_milli > best)
				best = p->demand_milli;
		}
		return best;
	}
	for (i = 0; i < in->nprior; i++)
		if (in->prior[i].period_first >= *from &&
		    in->prior[i].period_last < in->period_first &&
		    in->prior[i].demand_milli > best)
			best = in->prior[i].demand_milli;
	return best;
}

/* Demand kW blocks: one line per block reached (block 1 always). */
static int
demand_tiers(const struct br_rate_input *in, struct seg *s,
    const struct br_tariff_demand *dm, const char *code, const char *desc,
    int64_t billed, const char *head, const char *pr, int32_t sdays,
    int32_t pdays, struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	int64_t lo = 0, micros;
	char tc[48], td[128], calc[512], b1[32], b2[32], b3[32], b4[32];
	size_t i;

	for (i = 0; i < dm->ntiers; i++) {
		const struct br_tariff_tier *tr = &dm->tiers[i];
		int64_t hi = tr->upto_milli, q = billed - lo;
		if (hi >= 0 && billed > hi)
			q = hi - lo;
		if (q < 0)
			q = 0;
		if (q == 0 && i > 0)
			break;
		if (mul(q, tr->rate_micro, &micros, err) != 0)
			return -1;
		if (sdays != pdays)
			micros = br_div_round(micros * sdays, pdays,
			    BR_ROUND_HALF_UP);
		snprintf(tc, sizeof(tc), "%s_T%zu", code, i + 1);
		if (hi >= 0)
			snprintf(td, sizeof(td), "%s tier %zu (%s-%s kW)", desc,
			    i + 1, fmt3(lo, b1), fmt3(hi, b2));
		else
			snprintf(td, sizeof(td), "%s tier %zu (over %s kW)",
			    desc, i + 1, fmt3(lo, b1));
		snprintf(calc, sizeof(calc), "%s; tier %zu (%s-%s kW): %s kW x "
		    "%s%s", head, i + 1, fmt3(lo, b1), hi >= 0 ? fmt3(hi, b2) :
		    "", fmt3(q, b3), fmt6(tr->rate_micro, b4), pr);
		if (add_line(out, t, s, tc, td, q, "kW", tr->rate_micro,
		    micros, calc, err) != 0)
			return -1;
		if (hi < 0)
			break;
		lo = hi;
	}
	return 0;
}

static int
rate_demand(const struct br_rate_input *in, struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	int32_t pdays = in->period_last - in->period_first + 1;
	int32_t sdays = s->last - s->first + 1;
	int64_t micros, kw, at, billed;
	char calc[640], b1[32], b2[32], b3[32], b4[32], atb[32];
	char pr[48] = "", rt[160] = "", code[40], desc[96], up[32];
	char head[384];
	size_t k;
	bool have;

	for (k = 0; k < s->ndem; k++) {
		const struct br_tariff_demand *dm = s->dem[k];
		int p = s->dem_mask[k] ? 0 : -1;
		const int64_t *pk = dm->totalize ? s->tpdem : s->pdem;
		const int64_t *pa = dm->totalize ? s->tpdem_at : s->pdem_at;
		const bool *ph = dm->totalize ? s->have_tpdem : s->have_pdem;
		char dw[48];
		if (dm->totalize)
			snprintf(dw, sizeof(dw), "totalized demand (%d meter%s)",
			    s->nmeters, s->nmeters == 1 ? "" : "s");
		else
			snprintf(dw, sizeof(dw), "demand");
		if (p >= 0) {
			/* the highest of the periods (earliest on ties) */
			kw = at = 0;
			have = false;
			for (size_t q = 0; q < BR_TARIFF_MAX_PERIODS; q++)
				if ((s->dem_mask[k] & (1u << q)) && ph[q] &&
				    (!have || pk[q] > kw || (pk[q] == kw &&
				    pa[q] < at))) {
					kw = pk[q];
					at = pa[q];
					have = true;
				}
			upper_name(dm->period, up, sizeof(up));
			for (char *c = up; *c; c++)
				if (*c == '+')
					*c = '_';
			snprintf(code, sizeof(code), "DEMAND_%s", up);
			snprintf(desc, sizeof(desc), "Demand %.40s (%smaximum "
			    "15-minute kW)", dm->period, dm->totalize ?
			    "totalized " : "");
		} else {
			kw = dm->totalize ? s->tot_kw : s->demand_milli;
			at = dm->totalize ? s->tot_at : s->demand_at;
			have = dm->totalize ? s->have_tot : s->have_demand;
			snprintf(code, sizeof(code), "DEMAND");
			snprintf(desc, sizeof(desc), "Demand (%smaximum 15-minute "
			    "kW)", dm->totalize ? "totalized " : "");
		}
		billed = kw;
		rt[0] = '\0';
		if (dm->ratchet_ppm > 0) {
			int32_t from;
			int64_t prior = prior_max_demand(in,
			    dm->ratchet_months, &from, p >= 0 ? code : NULL);
			if (prior < 0)
				snprintf(rt, sizeof(rt), "; ratchet %s%% of "
				    "%d prior months: no prior bills",
				    fmt_pct(dm->ratchet_ppm, b3), dm->ratchet_months);
			else {
				int64_t r = br_div_round(prior *
				    dm->ratchet_ppm, 1000000,
				    BR_ROUND_HALF_UP);
				snprintf(rt, sizeof(rt), "; ratchet %s%% x "
				    "prior max %s%s%s kW since %s = %s kW%s",
				    fmt_pct(dm->ratchet_ppm, b3), p >= 0 ?
				    dm->period : "", p >= 0 ? " " : "",
				    fmt3(prior, b4),
				    br_date_format(from, pr, sizeof(pr)),
				    fmt3(r, b1), r > kw ? " (billed)" : "");
				if (r > billed)
					billed = r;
			}
		}
		pr[0] = '\0';
		if (sdays != pdays)
			snprintf(pr, sizeof(pr), " x %d/%d days", sdays, pdays);
		if (have)
			br_time_format_utc(at, atb, sizeof(atb));
		else
			snprintf(atb, sizeof(atb), "no data");
		if (p < 0 && in->summary && billed >
		    in->summary->demand_milli)
			in->summary->demand_milli = billed;
		if (dm->ntiers > 0) {
			snprintf(head, sizeof(head), "%s%s%s: max 15-min "
			    "%s kW (%s)%s; billed %s kW", dw, p >= 0 ? " " : "",
			    p >= 0 ? dm->period : "", fmt3(kw, b1), atb, rt,
			    fmt3(billed, b2));
			if (demand_tiers(in, s, dm, code, desc, billed, head,
			    pr, sdays, pdays, out, err) != 0)
				return -1;
			continue;
		}
		if (mul(billed, dm->rate_micro, &micros, err) != 0)
			return -1;
		if (sdays != pdays)
			micros = br_div_round(micros * sdays, pdays,
			    BR_ROUND_HALF_UP);
		if (dm->ratchet_ppm > 0)
			snprintf(calc, sizeof(calc), "%s%s%s: max 15-min "
			    "%s kW (%s)%s; billed %s kW x %s%s", dw, p >= 0 ?
			    " " : "", p >= 0 ? dm->period : "", fmt3(kw, b1), atb,
			    rt, fmt3(billed, b2), fmt6(dm->rate_micro, b4),
			    pr);
		else
			snprintf(calc, sizeof(calc), "%s%s%s: max 15-min "
			    "%s kW (%s) x %s%s", dw, p >= 0 ? " " : "", p >= 0 ?
			    dm->period : "", fmt3(kw, b1), atb,
			    fmt6(dm->rate_micro, b4), pr);
		if (add_line(out, t, s, code, desc, billed, "kW",
		    dm->rate_micro, micros, calc, err) != 0)
			return -1;
	}
	return 0;
}

static bool
in_months(int m, int from, int to)
{
	return from <= to ? m >= from && m <= to : m >= from || m <= to;
}

/* Sewer on the winter average of prior bills (docs/tariff.md). */
static int
rate_sewer(const struct br_rate_input *in, struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_sewer *sw = &t->versions[s->ver].sewer;
	int32_t pdays = in->period_last - in->period_first + 1;
	int32_t sdays = s->last - s->first + 1;
	int64_t micros, qty, sum = 0, cnt = 0, vol, cap;
	char calc[320], b1[32], b2[32], b3[32], why[160];
	size_t i;

	if (!sw->on)
		return 0;
	if (sw->customer_micro) {
		if (monthly(in, s, sw->customer_micro, BR_PER_MONTH,
		    "sewer base charge", &micros, &qty, calc, sizeof(calc),
		    err) != 0 || add_line(out, t, s, "SEWER_BASE", "Sewer base "
		    "charge", qty, "month", sw->customer_micro, micros, calc,
		    err) != 0)
			return -1;
	}
	for (i = 0; i < in->nprior; i++) {
		const struct br_rate_prior *p = &in->prior[i];
		int y, m, d;
		br_date_civil(p->period_last, &y, &m, &d);
		if (p->period_last < in->period_first &&
		    p->period_last >= in->period_first - 366 &&
		    in_months(m, sw->from_month, sw->to_month)) {
			sum += p->usage_milli;
			cnt++;
		}
	}
	if (cnt == 0) {
		vol = s->usage;
		snprintf(why, sizeof(why), "no winter bills in the prior 12 "
		    "months: actual %s %s", fmt3(s->usage, b1), t->unit);
	} else {
		cap = br_div_round(br_div_round(sum, cnt, BR_ROUND_HALF_UP) *
		    sdays, pdays, BR_ROUND_HALF_UP);
		vol = s->usage < cap ? s->usage : cap;
		snprintf(why, sizeof(why), "winter average %s %s over %lld "
		    "bills x %d/%d days = %s, actual %s, billed the lower",
		    fmt3(br_div_round(sum, cnt, BR_ROUND_HALF_UP), b1),
		    t->unit, (long long)cnt, sdays, pdays, fmt3(cap, b2),
		    fmt3(s->usage, b3));
	}
	if (mul(vol, sw->rate_micro, &micros, err) != 0)
		return -1;
	snprintf(calc, sizeof(calc), "sewer: %s; %s %s x %s", why,
	    fmt3(vol, b1), t->unit, fmt6(sw->rate_micro, b2));
	return add_line(out, t, s, "SEWER", "Sewer (winter average)", vol,
	    t->unit, sw->rate_micro, micros, calc, err);
}

static int
rate_minimum(const struct br_rate_input *in, struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_version *v = &t->versions[s->ver];
	int64_t micros, qty, min_cents, have;
	char calc[320], what[64], b1[32], b2[32];

	if (v->minimum_micro == 0)
		return 0;
	if (monthly(in, s, v->minimum_micro, v->minimum_per, "minimum bill",
	    &micros, &qty, what, sizeof(what), err) != 0)
		return -1;
	min_cents = br_money_to_cents(micros, t->rounding);
	have = s->sum_cents;
	if (have >= min_cents)
		return 0;
	snprintf(calc, sizeof(calc), "%s = %s; charges %s below it by",
	    what, br_cents_format(min_cents, b1, sizeof(b1)),
	    br_cents_format(have, b2, sizeof(b2)));
	return add_line(out, t, s, "MINIMUM", "Minimum bill adjustment", qty,
	    v->minimum_per == BR_PER_DAY ? "day" : "month", v->minimum_micro,
	    (min_cents - have) * BR_MICROS_PER_CENT, calc, err);
}

static int
rate_riders(const struct br_rate_input *in, struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_version *v = &t->versions[s->ver];
	int64_t micros;
	char calc[256], b1[32], b2[32];
	size_t i;

	for (i = 0; i < v->nriders; i++) {
		const struct br_tariff_rider *r = &v->riders[i];
		if (mul(s->billed_energy, r->rate_micro, &micros, err) != 0)
			return -1;
		snprintf(calc, sizeof(calc), "rider %s: %s %s billed x %s",
		    r->code, fmt3(s->billed_energy, b1), t->unit,
		    fmt6(r->rate_micro, b2));
		if (add_line(out, t, s, r->code, r->name, s->billed_energy,
		    t->unit, r->rate_micro, micros, calc, err) != 0)
			return -1;
	}
	return 0;
}

static bool
tax_applies(const struct br_tariff_tax *x, const char *code, bool is_tax)
{
	size_t i, n;

	if (x->napply == 0)
		return !is_tax;
	for (i = 0; i < x->napply; i++) {
		n = strlen(x->apply[i]);
		if (n > 0 && x->apply[i][n - 1] == '*' ?
		    strncmp(x->apply[i], code, n - 1) == 0 :
		    strcmp(x->apply[i], code) == 0)
			return true;
	}
	return false;
}

static int
rate_taxes(const struct br_rate_input *in, struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_version *v = &t->versions[s->ver];
	size_t i, j, first_tax = out->n;
	char calc[320], b1[32], b2[32];

	for (i = 0; i < v->ntaxes; i++) {
		const struct br_tariff_tax *x = &v->taxes[i];
		int64_t base = 0, micros;
		for (j = s->line0; j < out->n; j++)
			if (tax_applies(x, out->v[j].code, j >= first_tax))
				base += out->v[j].amount_cents;
		micros = br_money_mul_ppm(base * BR_MICROS_PER_CENT, x->ppm,
		    BR_ROUND_HALF_UP);
		snprintf(calc, sizeof(calc), "tax %s %s%% on %s of %s", x->code,
		    fmt_pct(x->ppm, b1),
		    br_cents_format(base, b2, sizeof(b2)), x->napply ?
		    "the listed lines" : "the charges above");
		if (add_line(out, t, s, x->code, x->name, base * 10, "USD",
		    x->ppm, micros, calc, err) != 0)
			return -1;
	}
	return 0;
}

/* Net metering true-up: settle the bank at the surplus rate. */
static int
rate_trueup(const struct br_rate_input *in, struct seg *s, int64_t *bank,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	int y, m, d;
	int64_t micros;
	char calc[256], b1[32], b2[32];

	if (s->nem == NULL || s->nem->mode != BR_NEM_NETTING)
		return 0;
	br_date_civil(in->period_last, &y, &m, &d);
	if (s->last != in->service_last || m != s->nem->true_up_month)
		return 0;
	if (mul(*bank, s->nem->surplus_micro, &micros, err) != 0)
		return -1;
	snprintf(calc, sizeof(calc), "annual true-up %s (month %d): bank %s "
	    "%s x -%s", s->nem->program, s->nem->true_up_month,
	    fmt3(*bank, b1), t->unit, fmt6(s->nem->surplus_micro, b2));
	if (add_line(out, t, s, "NEM_TRUEUP", "Net surplus compensation",
	    *bank, t->unit, -s->nem->surplus_micro, -micros, calc, err) != 0)
		return -1;
	*bank = 0;
	return 0;
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
			s->rtp_nano += v * (pr + e->adder_micro);
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
			s->exp_nano += v * (pr + x->adder_micro);
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

	memset(segs, 0, sizeof(segs));
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
		if (rate_customer(in, s, out, err) != 0 ||
		    rate_energy(in, s, &bank, out, err) != 0 ||
		    rate_demand(in, s, out, err) != 0 ||
		    rate_exports(in, s, out, err) != 0 ||
		    rate_sewer(in, s, out, err) != 0 ||
		    rate_minimum(in, s, out, err) != 0 ||
		    rate_trueup(in, s, &bank, out, err) != 0 ||
		    rate_riders(in, s, out, err) != 0 ||
		    rate_taxes(in, s, out, err) != 0)
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

/* ---- rate-apply over the store ---- */

struct agreement {
	char account_id[64];
	char sp_id[64];
	char rate_code[32];
	char net_metering[16];		/* program code, "" none */
	int32_t first, last;		/* service days within the cycle */
	struct br_rate_summary sum;	/* filled when rated */
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
	sqlite3_stmt *q_bill, *q_hold, *q_inst, *q_days, *q_prior, *q_pdem;
	sqlite3_stmt *d_line, *d_meter, *d_bill, *d_sp;
	sqlite3_stmt *i_bill, *i_line, *i_meter, *i_sp;
	struct br_rate_prior *prior;
	size_t nprior, capprior;
	struct br_rate_prior_demand *pdem;	/* TOU ratchets only */
	size_t npdem, cappdem;
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

/* Forget the loaded days; their buffers (1440 slots) are reused. */
static void
free_days(struct run *r)
{
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

/* Read one meter's days of a channel in [first, last] into r->days. */
static int
load_meter_days(struct run *r, const char *meter_id, const char *unit,
    int32_t first, int32_t last, int channel)
{
	sqlite3_stmt *s = r->q_days;
	struct meter_use scratch, *mu = &scratch;
	int rc;

	memset(&scratch, 0, sizeof(scratch));
	if (channel == BR_CHANNEL_DELIVERED &&
	    (mu = meter_use(r, meter_id, unit)) == NULL)
		return br_error_set(r->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, first);
	sqlite3_bind_int(s, 3, last);
	sqlite3_bind_int(s, 4, channel);
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
			memset(d + r->capdays, 0, (cap - r->capdays) *
			    sizeof(*d));
			r->days = d;
			r->capdays = cap;
		}
		d = &r->days[r->ndays];
		if (d->values == NULL) {
			d->values = malloc(1440 * sizeof(int64_t));
			d->quality = malloc(1440);
			if (d->values == NULL || d->quality == NULL) {
				free(d->values);
				free(d->quality);
				d->values = NULL;
				d->quality = NULL;
				return br_error_set(r->err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
		}
		snprintf(d->meter_id, sizeof(d->meter_id), "%s", meter_id);
		d->channel = channel;
		d->day = sqlite3_column_int(s, 0);
		d->interval_s = sqlite3_column_int(s, 1);
		d->n = n;
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

/* Earlier bills of the account at the service point, latest first. */
static int
load_prior(struct run *r, const struct agreement *a)
{
	sqlite3_stmt *s = r->q_prior;
	int rc;

	r->nprior = 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, a->account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, a->sp_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_rate_prior *p;
		if (r->nprior == r->capprior) {
			size_t cap = r->capprior ? 2 * r->capprior : 16;
			p = realloc(r->prior, cap * sizeof(*p));
			if (p == NULL)
				return br_error_set(r->err, BR_ENOMEM, NULL,
				    0, "out of memory");
			r->prior = p;
			r->capprior = cap;
		}
		p = &r->prior[r->nprior];
		if (parse_day(r, col(s, 0), "bill_sp", &p->period_first) ||
		    parse_day(r, col(s, 1), "bill_sp", &p->period_last))
			return -1;
		p->usage_milli = sqlite3_column_int64(s, 2);
		p->demand_milli = sqlite3_column_int64(s, 3);
		p->nem_bank_milli = sqlite3_column_int64(s, 4);
		r->nprior++;
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read bill_sp", r->err);
	return 0;
}

/*
 * TOU demand lines of earlier bills of the account at the service point
 * (for ratchets on TOU demand periods): per bill and code the highest
 * billed kW (a bill split by a season or version change has one line per
 * part).
 */
static int
load_prior_pdem(struct run *r, const struct agreement *a)
{
	sqlite3_stmt *s = r->q_pdem;
	int rc;

	r->npdem = 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, a->account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, a->sp_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_rate_prior_demand *p;
		if (r->npdem == r->cappdem) {
			size_t cap = r->cappdem ? 2 * r->cappdem : 16;
			p = realloc(r->pdem, cap * sizeof(*p));
			if (p == NULL)
				return br_error_set(r->err, BR_ENOMEM, NULL,
				    0, "out of memory");
			r->pdem = p;
			r->cappdem = cap;
		}
		p = &r->pdem[r->npdem];
		if (parse_day(r, col(s, 0), "bill_sp", &p->period_first) ||
		    parse_day(r, col(s, 1), "bill_sp", &p->period_last))
			return -1;
		snprintf(p->code, sizeof(p->code), "%s", col(s, 2));
		p->demand_milli = sqlite3_column_int64(s, 3);
		r->npdem++;
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read bill_line", r->err);
	return 0;
}

/* Rate one agreement: append its lines to lines. */
static int
rate_agreement(struct run *r, struct agreement *a,
    struct br_rate_lines *lines)
{
	const struct br_tariff *t = tariff(r, a);
	struct br_rate_input in;
	sqlite3_stmt *s = r->q_inst;
	size_t n0 = lines->n, i, ndeliv;
	int rc;
	struct { char id[64], unit[16]; int32_t from, to; } inst[32];
	size_t ninst = 0;
	bool ccf_ok;

	if (t == NULL)
		return -1;
	/* gas: a CCF meter on a therm rate needs a BTU factor */
	ccf_ok = strcmp(t->unit, "therm") == 0;
	for (i = 0; i < t->nversions && ccf_ok; i++)
		if (t->versions[i].btu_micro == 0 &&
		    t->versions[i].nbtu == 0)
			ccf_ok = false;
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
		if (strcmp(unit, t->unit) != 0 && !(ccf_ok &&
		    strcmp(unit, "CCF") == 0))
			return br_error_set(r->err, BR_ECONFIG, t->file, 0,
			    "meter '%s' at service point '%s' measures %s "
			    "but rate '%s' bills %s", meter, a->sp_id, unit,
			    t->code, t->unit);
		if (strcmp(unit, "CCF") != 0 && ccf_ok)
			return br_error_set(r->err, BR_ECONFIG, t->file, 0,
			    "meter '%s' at service point '%s' measures %s "
			    "but rate '%s' converts CCF by a BTU factor",
			    meter, a->sp_id, unit, t->code);
		if (ninst == sizeof(inst) / sizeof(inst[0]))
			return br_error_set(r->err, BR_EINPUT, r->st->path, 0,
			    "too many meters at service point '%s'", a->sp_id);
		snprintf(inst[ninst].id, sizeof(inst[0].id), "%s", meter);
		snprintf(inst[ninst].unit, sizeof(inst[0].unit), "%s", unit);
		inst[ninst].from = from;
		inst[ninst].to = to;
		ninst++;
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read meter_install", r->err);
	for (i = 0; i < ninst; i++)
		if (load_meter_days(r, inst[i].id, inst[i].unit, inst[i].from,
		    inst[i].to, BR_CHANNEL_DELIVERED) != 0)
			return -1;
	ndeliv = r->ndays;
	for (i = 0; a->net_metering[0] && i < ninst; i++)
		if (load_meter_days(r, inst[i].id, inst[i].unit, inst[i].from,
		    inst[i].to, BR_CHANNEL_RECEIVED) != 0)
			return -1;
	if (load_prior(r, a) != 0)
		return -1;
	r->npdem = 0;
	if (t->tou_ratchet && load_prior_pdem(r, a) != 0)
		return -1;
	memset(&in, 0, sizeof(in));
	in.tariff = t;
	in.cache = &r->cache;
	in.period_first = r->first;
	in.period_last = r->last;
	in.service_first = a->first;
	in.service_last = a->last;
	in.days = r->days;
	in.ndays = ndeliv;
	in.recv = r->days + ndeliv;
	in.nrecv = r->ndays - ndeliv;
	in.nem_program = a->net_metering;
	in.prior = r->prior;
	in.nprior = r->nprior;
	in.prior_pdem = r->pdem;
	in.nprior_pdem = r->npdem;
	in.nem_bank_milli = r->nprior ? r->prior[0].nem_bank_milli : 0;
	in.summary = &a->sum;
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
bill_account(struct run *r, struct agreement *a, size_t n)
{
	struct br_rate_lines lines = { NULL, 0, 0 };
	char bill_id[160], status[16] = "", seq[24], qb[32], rb[32], cb[32];
	const char *st;
	struct br_rate_target tg;
	int64_t total = 0;
	size_t i;
	int rc, held;

	if (r->o->target != NULL) {
		/* rebill: the callback names a fresh bill */
		memset(&tg, 0, sizeof(tg));
		if ((rc = r->o->target(r->o->target_ctx, a->account_id, &tg,
		    r->err)) <= 0)
			return rc;
		snprintf(bill_id, sizeof(bill_id), "%s", tg.bill_id);
		goto rate;
	}
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
	sqlite3_bind_text(r->d_sp, 1, bill_id, -1, SQLITE_TRANSIENT);
	if (step_done(r, r->d_line, "delete bill_line") != 0 ||
	    step_done(r, r->d_sp, "delete bill_sp") != 0 ||
	    step_done(r, r->d_meter, "delete bill_meter") != 0 ||
	    step_done(r, r->d_bill, "delete bill") != 0)
		return -1;
rate:
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
	if (r->o->target != NULL) {
		sqlite3_bind_text(r->i_bill, 8, tg.bill_date, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(r->i_bill, 9, tg.due_date, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(r->i_bill, 10, tg.replaces, -1,
		    SQLITE_TRANSIENT);
	}
	rc = step_done(r, r->i_bill, "insert bill");
	if (r->o->target != NULL) {
		sqlite3_bind_text(r->i_bill, 8, r->bill_date, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(r->i_bill, 9, r->due_date, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(r->i_bill, 10, "", -1, SQLITE_STATIC);
	}
	if (rc != 0)
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
		if (r->out != NULL)
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
	for (i = 0; i < n; i++) {
		sqlite3_stmt *s = r->i_sp;
		char d1[16], d2[16];
		sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, a[i].sp_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, br_date_format(a[i].first, d1,
		    sizeof(d1)), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, br_date_format(a[i].last, d2,
		    sizeof(d2)), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 5, a[i].sum.usage_milli);
		sqlite3_bind_int64(s, 6, a[i].sum.demand_milli);
		sqlite3_bind_int64(s, 7, a[i].sum.export_milli);
		sqlite3_bind_int64(s, 8, a[i].sum.nem_bank_milli);
		if (step_done(r, s, "insert bill_sp") != 0)
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
		    "FROM interval_day WHERE meter_id = ?1 AND channel = ?4 "
		    "AND day >= ?2 AND day <= ?3 ORDER BY day" },
		{ &r->d_line, "DELETE FROM bill_line WHERE bill_id = ?1" },
		{ &r->d_meter, "DELETE FROM bill_meter WHERE bill_id = ?1" },
		{ &r->d_bill, "DELETE FROM bill WHERE bill_id = ?1" },
		{ &r->d_sp, "DELETE FROM bill_sp WHERE bill_id = ?1" },
		{ &r->q_prior, "SELECT bs.period_start, bs.period_end, "
		    "bs.usage_milli, bs.demand_milli, bs.nem_bank_milli "
		    "FROM bill_sp bs JOIN bill b ON b.bill_id = bs.bill_id "
		    "WHERE b.account_id = ?1 AND bs.sp_id = ?2 AND "
		    "b.status <> 'cancelled' AND bs.period_end < ?3 "
		    "ORDER BY bs.period_end DESC LIMIT 40" },
		{ &r->q_pdem, "SELECT bs.period_start, bs.period_end, "
		    "bl.code, MAX(bl.quantity_milli) FROM bill_line bl "
		    "JOIN bill_sp bs ON bs.bill_id = bl.bill_id AND "
		    "bs.sp_id = bl.sp_id JOIN bill b ON b.bill_id = bl.bill_id "
		    "WHERE b.account_id = ?1 AND bl.sp_id = ?2 AND "
		    "b.status <> 'cancelled' AND bs.period_end < ?3 AND "
		    "bl.unit = 'kW' AND bl.code LIKE 'DEMAND\\_%' ESCAPE '\\' "
		    "GROUP BY bl.bill_id, bl.code "
		    "ORDER BY bs.period_end DESC, bl.code LIMIT 400" },
		{ &r->i_sp, "INSERT INTO bill_sp(bill_id, sp_id, period_start, "
		    "period_end, usage_milli, demand_milli, export_milli, "
		    "nem_bank_milli) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
		    "ON CONFLICT(bill_id, sp_id) DO UPDATE SET "
		    "period_start = MIN(period_start, excluded.period_start), "
		    "period_end = MAX(period_end, excluded.period_end), "
		    "usage_milli = usage_milli + excluded.usage_milli, "
		    "demand_milli = MAX(demand_milli, excluded.demand_milli), "
		    "export_milli = export_milli + excluded.export_milli, "
		    "nem_bank_milli = excluded.nem_bank_milli" },
		{ &r->i_bill, "INSERT INTO bill(bill_id, account_id, cycle_id, "
		    "period_start, period_end, bill_date, due_date, status, "
		    "total_cents, replaces) VALUES(?1, ?2, ?5, ?6, ?7, ?8, ?9, "
		    "?3, ?4, ?10)" },
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
	sqlite3_bind_text(r->q_prior, 3, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->q_pdem, 3, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->q_hold, 3, r->pend, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 5, r->cycle, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 6, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 7, r->pend, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 8, r->bill_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 9, r->due_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 10, "", -1, SQLITE_STATIC);
	return 0;
}

static int
load_agreements(struct run *r, struct agreement **out, size_t *nout)
{
	sqlite3_stmt *s = br_store_prepare(r->st, "SELECT sa.account_id, "
	    "sa.sp_id, sa.rate_code, sa.start_date, "
	    "COALESCE(sa.end_date, ''), sa.net_metering "
	    "FROM service_agreement sa "
	    "JOIN account a ON a.account_id = sa.account_id "
	    "WHERE a.status <> 'closed' AND sa.start_date <= ?2 "
	    "AND (sa.end_date IS NULL OR sa.end_date = '' OR "
	    "sa.end_date >= ?1) AND (?3 IS NULL OR sa.account_id = ?3) "
	    "AND br_in_shard(sa.account_id) "
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
		snprintf(a->net_metering, sizeof(a->net_metering), "%s",
		    col(s, 5));
		memset(&a->sum, 0, sizeof(a->sum));
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
	    &r->i_line, &r->i_meter, &r->q_prior, &r->d_sp, &r->i_sp,
	    &r->q_pdem };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sqlite3_finalize(*all[i]);
	for (i = 0; i < r->ntariffs; i++)
		br_tariff_release(&r->tariffs[i]);
	free(r->tariffs);
	for (i = 0; i < r->capdays; i++) {
		free(r->days[i].values);
		free(r->days[i].quality);
	}
	free(r->days);
	free(r->meters);
	free(r->line_sp);
	free(r->prior);
	free(r->pdem);
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
	if (out != NULL)
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
