/* SPDX-License-Identifier: Apache-2.0 */
/*
 * charges.c: the charges of one rating segment (engine.c): customer,
 * energy (flat, tiered, TOU, real-time prices, net metering bank),
 * exports, demand (tiers, ratchets, TOU), sewer, minimum bill, riders,
 * taxes and the net-metering true-up.  Each appends one bill line per
 * charge with its calculation text; amounts are quantity x rate (exact
 * nano-dollars per unit) rounded half up at the micro-dollar, then to
 * cents by the tariff's rule.
 */
#include "rate/rate.h"
#include "rate/rate_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "core/banned.h"

/*
 * A bounded string being built: like snprintf into buf[cap] (the text
 * is cut at cap - 1 bytes and stays terminated), without snprintf's cost
 * per call.  A line's code, description, unit and trace are built with
 * it: rate-apply builds about 40 pieces per bill.
 */
struct text {
	char *buf;
	size_t len, cap;
};

static void
text_init(struct text *t, char *buf, size_t cap)
{
	t->buf = buf;
	t->len = 0;
	t->cap = cap;
	buf[0] = '\0';
}

/* Append at most max bytes of s (snprintf's "%.<max>s"). */
static void
text_addn(struct text *t, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n > t->cap - 1 - t->len)
		n = t->cap - 1 - t->len;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void
text_add(struct text *t, const char *s)
{
	text_addn(t, s, SIZE_MAX);
}

/* Append the decimal digits of v (snprintf's "%lld"). */
static void
text_int(struct text *t, int64_t v)
{
	char out[24];

	out[br_int_format(out, v)] = '\0';
	text_add(t, out);
}

/* Set buf[cap] to the concatenation of the strings up to NULL. */
static void
text_cat(char *buf, size_t cap, ...)
{
	struct text x;
	const char *s;
	va_list ap;

	text_init(&x, buf, cap);
	va_start(ap, cap);
	while ((s = va_arg(ap, const char *)) != NULL)
		text_add(&x, s);
	va_end(ap);
}

/* YYYY-MM-DD of a day number (br_date_format without snprintf). */
static char *
fmt_day(int32_t day, char buf[16])
{
	int y, m, d, i;

	br_date_civil(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		return br_date_format(day, buf, 16);
	for (i = 3; i >= 0; i--, y /= 10)
		buf[i] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return buf;
}

/* YYYY-MM-DDTHH:MM:SSZ of secs (br_time_format_utc without snprintf). */
static char *
fmt_time(int64_t secs, char buf[32])
{
	int64_t days = br_floor_div(secs, 86400);
	int rem = (int)(secs - days * 86400);
	int f[3], i, y, m, d;

	if (days < INT32_MIN || days > INT32_MAX)
		return br_time_format_utc(secs, buf, 32);
	br_date_civil((int32_t)days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return br_time_format_utc(secs, buf, 32);
	fmt_day((int32_t)days, buf);
	f[0] = rem / 3600;
	f[1] = rem / 60 % 60;
	f[2] = rem % 60;
	buf[10] = 'T';
	for (i = 0; i < 3; i++) {
		buf[11 + 3 * i] = (char)('0' + f[i] / 10);
		buf[12 + 3 * i] = (char)('0' + f[i] % 10);
		buf[13 + 3 * i] = i < 2 ? ':' : 'Z';
	}
	buf[20] = '\0';
	return buf;
}

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
	out->n++;
	return 0;
}

/*
 * Append a line; calc is the "quantity x rate" part of the trace and
 * rate_nano the line's rate exactly (its rate_micro is it half up to 6
 * decimals, what the charges CSV shows).
 */
static int
add_line(struct br_rate_lines *out, const struct br_tariff *t,
    struct seg *s, const char *code, const char *desc, int64_t qty,
    const char *unit, int64_t rate_nano, int64_t micros, const char *calc,
    struct br_error *err)
{
	struct br_rate_line *l;
	struct text x;
	char mb[32], cb[32], vb[16];

	if (push_line(out, err) != 0)
		return -1;
	l = &out->v[out->n - 1];
	text_init(&x, l->code, sizeof(l->code));
	text_add(&x, code);
	text_init(&x, l->description, sizeof(l->description));
	text_add(&x, desc);
	if (s->season >= 0) {
		text_add(&x, ", ");
		text_add(&x, t->seasons[s->season].name);
	}
	l->quantity_milli = qty;
	text_init(&x, l->unit, sizeof(l->unit));
	text_add(&x, unit);
	l->rate_nano = rate_nano;
	l->rate_micro = br_rate_nano_to_micro(rate_nano);
	l->amount_cents = br_money_to_cents(micros, t->rounding);
	s->sum_cents += l->amount_cents;
	/* "<calc> = <micros> -> <cents> (<rounding>); <tariff> <code>;
	 * version <effective>[; season <name>]" */
	text_init(&x, l->trace, sizeof(l->trace));
	text_add(&x, calc);
	text_add(&x, " = ");
	text_add(&x, br_decimal_format(micros, 6, 6, mb, sizeof(mb)));
	text_add(&x, " -> ");
	text_add(&x, br_cents_format(l->amount_cents, cb, sizeof(cb)));
	text_add(&x, " (");
	text_add(&x, br_round_name(t->rounding));
	text_add(&x, "); ");
	text_add(&x, t->code);
	text_add(&x, " ");
	text_add(&x, code);
	text_add(&x, "; version ");
	text_add(&x, fmt_day(t->versions[s->ver].effective, vb));
	if (s->season >= 0) {
		text_add(&x, "; season ");
		text_add(&x, t->seasons[s->season].name);
	}
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

/*
 * A tariff rate (nano-dollars per unit) in a trace: at least 6 decimals,
 * up to 9 when the filed rate has them (br_rate_format_nano's rule).
 */
static char *
fmt_rate(int64_t rate_nano, char *buf)
{
	return br_rate_format_nano(rate_nano, buf, 32);
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

/* q (milli-units) x rate (nano-dollars per unit), half up to micros. */
static int
mul(int64_t q, int64_t rate_nano, int64_t *out, struct br_error *err)
{
	return br_money_mul_qty_nano(q, rate_nano, BR_ROUND_HALF_UP, out, err);
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
	struct text x;

	text_init(&x, calc, n);
	text_add(&x, what);
	if (per == BR_PER_DAY) {
		*qty = (int64_t)sdays * 1000;
		if (br_money_mul_qty_rate(*qty, amount, BR_ROUND_HALF_UP,
		    micros, err) != 0)
			return -1;
		text_add(&x, ": ");
		text_int(&x, sdays);
		text_add(&x, " days x ");
		text_add(&x, fmt6(amount, b1));
		text_add(&x, "/day");
		return 0;
	}
	*micros = br_div_round(amount * sdays, pdays, BR_ROUND_HALF_UP);
	*qty = br_div_round((int64_t)1000 * sdays, pdays, BR_ROUND_HALF_UP);
	text_add(&x, ": ");
	text_add(&x, fmt6(amount, b1));
	text_add(&x, "/month x ");
	text_int(&x, sdays);
	text_add(&x, "/");
	text_int(&x, pdays);
	text_add(&x, " days");
	return 0;
}

int
br_seg_rate_customer(const struct br_rate_input *in, struct seg *s,
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
	    v->customer_micro * 1000, micros, calc, err);
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
	size_t i, k, np = e->kind == BR_ENERGY_TOU ? e->nperiods : 1;
	char calc[768], b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];

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
	k = (size_t)snprintf(calc, sizeof(calc), "net metering %s: delivered "
	    "%s - received %s %s; bank %s + surplus %s - used %s = %s %s",
	    s->nem->program, fmt3(s->usage, b1), fmt3(s->recv, b2), t->unit,
	    fmt3(b0, b3), fmt3(added, b4), fmt3(used, b5), fmt3(*bank, b6),
	    t->unit);
	/* Delivered and received per TOU period, for the bill's table. */
	for (i = 0; e->kind == BR_ENERGY_TOU && i < np && k < sizeof(calc);
	    i++)
		k += (size_t)snprintf(calc + k, sizeof(calc) - k, "%s %s %s - "
		    "%s%s", i == 0 ? " [by period:" : ",", e->periods[i].name,
		    fmt3(s->per_usage[i], b1), fmt3(s->per_recv[i], b2),
		    i + 1 == np ? "]" : "");
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
		if (mul(q, tr->rate_nano, &micros, err) != 0)
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
		    fmt_rate(tr->rate_nano, b4));
		if (add_line(out, t, s, code, desc, q, t->unit,
		    tr->rate_nano, micros, calc, err) != 0)
			return -1;
		if (hi < 0)
			break;
		lo = hi;
	}
	return 0;
}

/*
 * *out = round_half_up(a x b / c) (b >= 0, c > 0), a being an exact sum of
 * milli-units x nano-dollar prices (1e-12 dollars); fails when a x b or
 * the result does not fit.
 */
static int
muldiv(br_i128 a, int64_t b, br_i128 c, int64_t *out, struct br_error *err)
{
	const br_i128 lim = ((br_i128)1 << 125);
	br_i128 p, q, r;

	if (a > lim || a < -lim || (b > 1 && (a > lim / b || a < -lim / b)))
		goto overflow;
	p = a * b;
	q = p / c;
	r = p % c;
	if (r < 0)
		r = -r;
	if (2 * r >= c)
		q += p < 0 ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		goto overflow;
	*out = (int64_t)q;
	return 0;
overflow:
	return br_error_set(err, BR_EINPUT, NULL, 0, "charge at hourly prices "
	    "overflows");
}

int
br_seg_rate_energy(const struct br_rate_input *in, struct seg *s, int64_t *bank,
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
		if (mul(usage, e->rate_nano, &micros, err) != 0)
			return -1;
		s->billed_energy += usage;
		text_cat(calc, sizeof(calc), "energy: ", fmt3(usage, b1), " ",
		    t->unit, conv, " x ", fmt_rate(e->rate_nano, b2), NULL);
		return add_line(out, t, s, "ENERGY", "Energy", usage,
		    t->unit, e->rate_nano, micros, calc, err);
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
			if (mul(q, p->rate_nano, &micros, err) != 0)
				return -1;
			s->billed_energy += q;
			text_cat(code, sizeof(code), "ENERGY_", up, NULL);
			text_cat(desc, sizeof(desc), "Energy ", p->name, NULL);
			text_cat(calc, sizeof(calc), "period ", p->name, ": ",
			    fmt3(q, b1), " ", t->unit, " x ",
			    fmt_rate(p->rate_nano, b2), NULL);
			if (add_line(out, t, s, code, desc, q, t->unit,
			    p->rate_nano, micros, calc, err) != 0)
				return -1;
		}
		return 0;
	case BR_ENERGY_PRICES: {
		int64_t avg;
		if (muldiv(s->rtp_pico, 1, 1000000, &micros, err) != 0)
			return -1;
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
			avg = micros = 0;
			if (s->usage > 0 && (muldiv(s->rtp_pico, 1,
			    (br_i128)s->usage * 1000, &avg, err) != 0 ||
			    muldiv(s->rtp_pico, usage, (br_i128)s->usage *
			    1000000, &micros, err) != 0))
				return -1;
			snprintf(calc, sizeof(calc), "real-time prices (%s, "
			    "adder %s): delivered %s %s x hourly price = %s, "
			    "average %s; net billed %s %s = %s x %s/%s",
			    t->prices[e->prices].name, fmt_rate(e->adder_nano,
			    b1), fmt3(s->usage, b2), t->unit, fmt6(all, b3),
			    fmt6(avg, b4), fmt3(usage, b5), t->unit, b3, b5,
			    b2);
		} else
			snprintf(calc, sizeof(calc), "real-time prices (%s, "
			    "adder %s): %s %s x hourly price, average %s",
			    t->prices[e->prices].name, fmt_rate(e->adder_nano,
			    b1), fmt3(usage, b2), t->unit, fmt6(avg, b3));
		return add_line(out, t, s, "ENERGY_RTP", "Energy at real-time "
		    "prices", usage, t->unit, avg * 1000, micros, calc, err);
	}
	}
	return br_error_set(err, BR_EINTERNAL, t->file, 0, "bad energy kind");
}

/* Exports credited under net billing (NEM 3.0 style). */
int
br_seg_rate_exports(const struct br_rate_input *in, struct seg *s,
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
		if (mul(s->recv, x->rate_nano, &micros, err) != 0)
			return -1;
		snprintf(calc, sizeof(calc), "net billing %s: exported %s %s "
		    "x -%s", s->nem->program, fmt3(s->recv, b1), t->unit,
		    fmt_rate(x->rate_nano, b2));
		return add_line(out, t, s, "EXPORT", "Export credit", s->recv,
		    t->unit, -x->rate_nano, -micros, calc, err);
	case BR_ENERGY_TOU:
		for (i = 0; i < x->nperiods; i++) {
			const struct br_tariff_period *p = &x->periods[i];
			if (mul(s->per_exp[i], p->rate_nano, &micros, err))
				return -1;
			upper_name(p->name, up, sizeof(up));
			snprintf(code, sizeof(code), "EXPORT_%s", up);
			snprintf(desc, sizeof(desc), "Export credit %s",
			    p->name);
			snprintf(calc, sizeof(calc), "net billing %s: exported "
			    "%s %s in %s x -%s", s->nem->program,
			    fmt3(s->per_exp[i], b1), t->unit, p->name,
			    fmt_rate(p->rate_nano, b2));
			if (add_line(out, t, s, code, desc, s->per_exp[i],
			    t->unit, -p->rate_nano, -micros, calc,
			    err) != 0)
				return -1;
		}
		return 0;
	case BR_ENERGY_PRICES: {
		int64_t avg;
		if (muldiv(s->exp_pico, 1, 1000000, &micros, err) != 0)
			return -1;
		avg = s->recv > 0 ? br_div_round(micros * 1000, s->recv,
		    BR_ROUND_HALF_UP) : 0;
		snprintf(calc, sizeof(calc), "net billing %s: exported %s %s "
		    "x hourly export price (%s, adder %s), average -%s",
		    s->nem->program, fmt3(s->recv, b1), t->unit,
		    t->prices[x->prices].name, fmt_rate(x->adder_nano, b2),
		    fmt6(avg, b3));
		return add_line(out, t, s, "EXPORT", "Export credit at hourly "
		    "prices", s->recv, t->unit, -avg * 1000, -micros, calc,
		    err);
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
		if (mul(q, tr->rate_nano, &micros, err) != 0)
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
		    "", fmt3(q, b3), fmt_rate(tr->rate_nano, b4), pr);
		if (add_line(out, t, s, tc, td, q, "kW", tr->rate_nano,
		    micros, calc, err) != 0)
			return -1;
		if (hi < 0)
			break;
		lo = hi;
	}
	return 0;
}

int
br_seg_rate_demand(const struct br_rate_input *in, struct seg *s,
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
			text_cat(dw, sizeof(dw), "demand", NULL);
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
			struct text x;

			text_cat(code, sizeof(code), "DEMAND_", up, NULL);
			text_init(&x, desc, sizeof(desc));
			text_add(&x, "Demand ");
			text_addn(&x, dm->period, 40);
			text_add(&x, dm->totalize ? " (totalized " : " (");
			text_add(&x, "maximum 15-minute kW)");
		} else {
			kw = dm->totalize ? s->tot_kw : s->demand_milli;
			at = dm->totalize ? s->tot_at : s->demand_at;
			have = dm->totalize ? s->have_tot : s->have_demand;
			text_cat(code, sizeof(code), "DEMAND", NULL);
			text_cat(desc, sizeof(desc), "Demand (", dm->totalize ?
			    "totalized " : "", "maximum 15-minute kW)", NULL);
		}
		billed = kw;
		rt[0] = '\0';
		if (dm->ratchet_ppm > 0) {
			int32_t from;
			int64_t prior = prior_max_demand(in,
			    dm->ratchet_months, &from, p >= 0 ? code : NULL);
			if (prior < 0) {
				struct text x;

				text_init(&x, rt, sizeof(rt));
				text_add(&x, "; ratchet ");
				text_add(&x, fmt_pct(dm->ratchet_ppm, b3));
				text_add(&x, "% of ");
				text_int(&x, dm->ratchet_months);
				text_add(&x, " prior months: no prior bills");
			} else {
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
			fmt_time(at, atb);
		else
			text_cat(atb, sizeof(atb), "no data", NULL);
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
		if (mul(billed, dm->rate_nano, &micros, err) != 0)
			return -1;
		if (sdays != pdays)
			micros = br_div_round(micros * sdays, pdays,
			    BR_ROUND_HALF_UP);
		if (dm->ratchet_ppm > 0)
			text_cat(calc, sizeof(calc), dw, p >= 0 ? " " : "",
			    p >= 0 ? dm->period : "", ": max 15-min ",
			    fmt3(kw, b1), " kW (", atb, ")", rt, "; billed ",
			    fmt3(billed, b2), " kW x ",
			    fmt_rate(dm->rate_nano, b4), pr, NULL);
		else
			text_cat(calc, sizeof(calc), dw, p >= 0 ? " " : "",
			    p >= 0 ? dm->period : "", ": max 15-min ",
			    fmt3(kw, b1), " kW (", atb, ") x ",
			    fmt_rate(dm->rate_nano, b4), pr, NULL);
		if (add_line(out, t, s, code, desc, billed, "kW",
		    dm->rate_nano, micros, calc, err) != 0)
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
int
br_seg_rate_sewer(const struct br_rate_input *in, struct seg *s,
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
		    "charge", qty, "month", sw->customer_micro * 1000, micros,
		    calc,
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
	if (mul(vol, sw->rate_nano, &micros, err) != 0)
		return -1;
	snprintf(calc, sizeof(calc), "sewer: %s; %s %s x %s", why,
	    fmt3(vol, b1), t->unit, fmt_rate(sw->rate_nano, b2));
	return add_line(out, t, s, "SEWER", "Sewer (winter average)", vol,
	    t->unit, sw->rate_nano, micros, calc, err);
}

int
br_seg_rate_minimum(const struct br_rate_input *in, struct seg *s,
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
	    v->minimum_per == BR_PER_DAY ? "day" : "month",
	    v->minimum_micro * 1000,
	    (min_cents - have) * BR_MICROS_PER_CENT, calc, err);
}

int
br_seg_rate_riders(const struct br_rate_input *in, struct seg *s,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	const struct br_tariff_version *v = &t->versions[s->ver];
	int64_t micros;
	char calc[256], b1[32], b2[32];
	size_t i;

	for (i = 0; i < v->nriders; i++) {
		const struct br_tariff_rider *r = &v->riders[i];
		if (mul(s->billed_energy, r->rate_nano, &micros, err) != 0)
			return -1;
		text_cat(calc, sizeof(calc), "rider ", r->code, ": ",
		    fmt3(s->billed_energy, b1), " ", t->unit, " billed x ",
		    fmt_rate(r->rate_nano, b2), NULL);
		if (add_line(out, t, s, r->code, r->name, s->billed_energy,
		    t->unit, r->rate_nano, micros, calc, err) != 0)
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

int
br_seg_rate_taxes(const struct br_rate_input *in, struct seg *s,
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
		text_cat(calc, sizeof(calc), "tax ", x->code, " ",
		    fmt_pct(x->ppm, b1), "% on ",
		    br_cents_format(base, b2, sizeof(b2)), " of ", x->napply ?
		    "the listed lines" : "the charges above", NULL);
		if (add_line(out, t, s, x->code, x->name, base * 10, "USD",
		    x->ppm * 1000, micros, calc, err) != 0)
			return -1;
	}
	return 0;
}

/* Net metering true-up: settle the bank at the surplus rate. */
int
br_seg_rate_trueup(const struct br_rate_input *in, struct seg *s, int64_t *bank,
    struct br_rate_lines *out, struct br_error *err)
{
	const struct br_tariff *t = in->tariff;
	int y, m, d, tum;
	int64_t micros;
	char calc[256], b1[32], b2[32];

	if (s->nem == NULL || s->nem->mode != BR_NEM_NETTING)
		return 0;
	tum = in->nem_true_up_month ? in->nem_true_up_month :
	    s->nem->true_up_month;
	br_date_civil(in->period_last, &y, &m, &d);
	if (s->last != in->service_last || m != tum)
		return 0;
	if (mul(*bank, s->nem->surplus_nano, &micros, err) != 0)
		return -1;
	snprintf(calc, sizeof(calc), "annual true-up %s (month %d): bank %s "
	    "%s x -%s", s->nem->program, tum,
	    fmt3(*bank, b1), t->unit, fmt_rate(s->nem->surplus_nano, b2));
	if (add_line(out, t, s, "NEM_TRUEUP", "Net surplus compensation",
	    *bank, t->unit, -s->nem->surplus_nano, -micros, calc,
	    err) != 0)
		return -1;
	*bank = 0;
	return 0;
}
