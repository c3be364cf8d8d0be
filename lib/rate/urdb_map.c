/* SPDX-License-Identifier: Apache-2.0 */
/*
 * urdb_map.c: mapping a URDB item to the tariff model.  Months whose
 * schedules and charges are identical become seasons (runs of
 * consecutive months), each season's weekday and weekend rows become TOU
 * periods with hour ranges, and the energy and demand charges of a
 * season are emitted as tariff YAML with their tiers.
 */
#include "rate/urdb.h"
#include "rate/urdb_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "core/date.h"
#include "io/input.h"
#include "core/money.h"
#include "rate/tariff.h"
#include "core/banned.h"

/* ---- seasons ----------------------------------------------------------- */

static bool
tiers_equal(const struct structure *s, size_t a, size_t b)
{
	if (s->ntiers[a] != s->ntiers[b])
		return false;
	for (size_t t = 0; t < s->ntiers[a]; t++)
		if (s->t[a][t].rate != s->t[b][t].rate ||
		    s->t[a][t].max_milli != s->t[b][t].max_milli)
			return false;
	return true;
}

static bool
month_eq(const struct cv *c, int a, int b)
{
	if (memcmp(c->ewd.v[a], c->ewd.v[b], sizeof(c->ewd.v[a])) ||
	    memcmp(c->ewe.v[a], c->ewe.v[b], sizeof(c->ewe.v[a])))
		return false;
	if (c->demand.present &&
	    (memcmp(c->dwd.v[a], c->dwd.v[b], sizeof(c->dwd.v[a])) ||
	    memcmp(c->dwe.v[a], c->dwe.v[b], sizeof(c->dwe.v[a]))))
		return false;
	if (c->flat.present && !tiers_equal(&c->flat,
	    (size_t)c->flatmonths[a], (size_t)c->flatmonths[b]))
		return false;
	return c->fuel[a] == c->fuel[b];
}

static bool
months_eq(struct cv *const *cs, size_t n, int a, int b)
{
	for (size_t i = 0; i < n; i++)
		if (!month_eq(cs[i], a, b))
			return false;
	return true;
}

/*
 * Runs of consecutive months with equal charges in every version; 0 = one
 * for the year.
 */
size_t
br_urdb_make_seasons(struct cv *const *cs, size_t nc, struct season *out)
{
	int start = -1, m, k;
	size_t n = 0;

	for (m = 0; m < 12; m++)
		if (!months_eq(cs, nc, m, (m + 11) % 12)) {
			start = m;
			break;
		}
	if (start < 0)
		return 0;
	for (k = 0; k < 12; k++) {
		m = (start + k) % 12;
		if (k == 0 || !months_eq(cs, nc, m, (m + 11) % 12)) {
			out[n].from = out[n].to = m;
			n++;
		} else
			out[n - 1].to = m;
	}
	for (size_t i = 0; i < n; i++) {
		if (out[i].from == out[i].to)
			snprintf(out[i].name, sizeof(out[i].name), "%s",
			    br_urdb_month_abbr[out[i].from]);
		else
			snprintf(out[i].name, sizeof(out[i].name), "%s_%s",
			    br_urdb_month_abbr[out[i].from], br_urdb_month_abbr[out[i].to]);
	}
	return n;
}

/* ---- TOU periods ------------------------------------------------------- */

static void
hours_text(uint32_t mask, char *b, size_t n)
{
	int h = 0, runs = 0;
	size_t len = 0;

	b[0] = '\0';
	while (h < 24) {
		if (!(mask & (1u << h))) {
			h++;
			continue;
		}
		int e = h;
		while (e < 24 && (mask & (1u << e)))
			e++;
		len += (size_t)snprintf(b + len, len < n ? n - len : 0,
		    "%s\"%02d:00-%02d:00\"", runs ? ", " : "", h, e);
		runs++;
		h = e;
	}
	if (runs > 1 && len + 2 < n) {
		memmove(b + 1, b, len + 1);
		b[0] = '[';
		b[len + 1] = ']';
		b[len + 2] = '\0';
	}
}

static int
popcount24(uint32_t x)
{
	int k = 0;

	for (; x; x &= x - 1)
		k++;
	return k;
}

struct entry {
	int period;		/* URDB period */
	int days;		/* 0 all, 1 weekday, 2 weekend */
	uint32_t hours;		/* 0 = catch-all */
	const char *suffix;
};

/*
 * Turn a season's 24-hour weekday/weekend rows into an ordered list of
 * period entries (first match wins in the tariff language).  The period
 * with the most hours comes last as the catch-all; a period whose hours
 * differ by day type gets one entry when earlier entries already claim
 * the difference, else one entry per day type.
 */
static size_t
plan_periods(const int *wd, const int *we, struct entry *out, size_t max)
{
	uint32_t W[MAXC] = { 0 }, E[MAXC] = { 0 }, uwd = 0xffffff,
	    uwe = 0xffffff;
	bool used[MAXC] = { false };
	int catch = -1, p, h;
	size_t n = 0;

	for (h = 0; h < 24; h++) {
		W[wd[h]] |= 1u << h;
		E[we[h]] |= 1u << h;
		used[wd[h]] = used[we[h]] = true;
	}
	for (p = 0; p < MAXC; p++)
		if (used[p] && (catch < 0 || popcount24(W[p]) +
		    popcount24(E[p]) > popcount24(W[catch]) +
		    popcount24(E[catch])))
			catch = p;
	for (;;) {
		int pick = -1, days = 0;
		uint32_t hrs = 0;
		for (p = 0; p < MAXC && pick < 0; p++) {
			if (!used[p] || p == catch)
				continue;
			if (W[p] == E[p]) {
				pick = p, days = 0, hrs = W[p];
			} else if (E[p] == 0) {
				pick = p, days = 1, hrs = W[p];
			} else if (W[p] == 0) {
				pick = p, days = 2, hrs = E[p];
			} else if (((E[p] & ~W[p]) & uwd) == 0 &&
			    ((W[p] & ~E[p]) & uwe) == 0) {
				pick = p, days = 0, hrs = W[p] | E[p];
			}
		}
		if (pick < 0) {
			for (p = 0; p < MAXC; p++)
				if (used[p] && p != catch)
					break;
			if (p == MAXC)
				break;
			/* split: weekday entry now, weekend part later */
			if (n < max)
				out[n++] = (struct entry){ p, 1, W[p],
				    "_weekday" };
			uwd &= ~W[p];
			W[p] = 0;
			if (n < max)
				out[n++] = (struct entry){ p, 2, E[p],
				    "_weekend" };
			uwe &= ~E[p];
			used[p] = false;
			continue;
		}
		if (n < max)
			out[n++] = (struct entry){ pick, days, hrs, "" };
		if (days != 2)
			uwd &= ~W[pick];
		if (days != 1)
			uwe &= ~E[pick];
		used[pick] = false;
	}
	if (n < max)
		out[n++] = (struct entry){ catch, 0, 0, "" };
	return n;
}

/* ---- emission ---------------------------------------------------------- */

#define SEP(text) ((text)[0] ? ": " : "")

/*
 * Text of a scale-12 dollar value rounded to `scale` decimals (9 for a
 * rate per unit, 6 for an amount), noting any rounding; negative values
 * are refused.
 */
static int
dollar_text(struct cv *c, const char *what, const char *field_name,
    int64_t p12, int scale, const char *why, char *b, size_t n)
{
	bool exact;
	int64_t v = br_urdb_round12(p12, scale, &exact);
	char x[48];

	if (p12 < 0) {
		br_urdb_problem(c, field_name, "%s: negative rate %s (a credit) is not "
		    "supported", what, br_urdb_fmt_dec(p12, 12, 0, x, sizeof(x)));
		return -1;
	}
	br_urdb_fmt_dec(v, scale, 2, b, n);
	if (!exact)
		br_urdb_note(c, "%s: %s rounded half up to %s (%s)", what,
		    br_urdb_fmt_dec(p12, 12, 0, x, sizeof(x)), b, why);
	return 0;
}

/* A rate per unit: exact to 9 decimals (nano-dollars), as the tariff. */
int
br_urdb_rate_text(struct cv *c, const char *what, const char *field_name,
    int64_t p12, char *b, size_t n)
{
	return dollar_text(c, what, field_name, p12, 9, "the tariff language "
	    "holds rates to 9 decimals", b, n);
}

/* An amount per month or day (customer charge, minimum): 6 decimals. */
int
br_urdb_amount_text(struct cv *c, const char *what, const char *field_name,
    int64_t p12, char *b, size_t n)
{
	return dollar_text(c, what, field_name, p12, 6, "the tariff language "
	    "has 6 decimals for amounts", b, n);
}

static void
sanitize_name(const char *in, char *out, size_t n)
{
	size_t k = 0;
	bool us = false;

	for (; *in && k + 1 < n; in++) {
		unsigned char ch = (unsigned char)*in;
		if (isalnum(ch)) {
			out[k++] = (char)tolower(ch);
			us = false;
		} else if (k > 0 && !us) {
			out[k++] = '_';
			us = true;
		}
	}
	while (k > 0 && out[k - 1] == '_')
		k--;
	out[k] = '\0';
}

/* energytoulabels[p] as a period name when usable, else p<index> */
void
br_urdb_period_names(struct cv *c)
{
	json_object *a = br_urdb_field(c->root, "energytoulabels");
	size_t p, q;

	for (p = 0; p < c->energy.n; p++) {
		json_object *v = a && json_object_is_type(a, json_type_array) &&
		    p < json_object_array_length(a) ?
		    json_object_array_get_idx(a, p) : NULL;
		c->elabels[p][0] = '\0';
		if (v && json_object_is_type(v, json_type_string))
			sanitize_name(json_object_get_string(v),
			    c->elabels[p], 20);
	}
	for (p = 0; p < c->energy.n; p++) {
		bool dup = c->elabels[p][0] == '\0';
		for (q = 0; q < c->energy.n && !dup; q++)
			if (q != p && strcmp(c->elabels[p], c->elabels[q]) == 0)
				dup = true;
		if (dup)
			snprintf(c->elabels[p], sizeof(c->elabels[p]), "p%zu",
			    p);
	}
}

static void
month_list(const struct season *s, char *b, size_t n)
{
	if (s == NULL)
		snprintf(b, n, "all months");
	else
		snprintf(b, n, "%s", s->name);
}

/* a structure period whose tiers all have one rate: that rate */
static bool
single_rate(const struct structure *s, size_t p, int64_t *rate)
{
	for (size_t t = 1; t < s->ntiers[p]; t++)
		if (s->t[p][t].rate != s->t[p][0].rate)
			return false;
	*rate = s->t[p][0].rate;
	return true;
}

/*
 * A season's TOU plan.  Each hour belongs to a combination (energy period,
 * TOU demand period with a charge, or -1); every combination becomes one
 * billrun energy period, so that a TOU demand charge can name the energy
 * period whose hours it covers (the language measures TOU demand over the
 * slots of one energy period).  Energy rates of the split periods are the
 * same, so energy is billed as before.
 */
struct plan {
	int nc;
	int ce[MAXC], cd[MAXC];		/* energy period, demand period/-1 */
	char cname[MAXC][40];
	int wd[24], we[24];		/* combination per hour */
	struct entry ent[2 * MAXC + 1];
	size_t ne;
};

/* demand period p of month m covers every hour of both day types */
static bool
demand_all_hours(const struct cv *c, int m, int p)
{
	for (int h = 0; h < 24; h++)
		if (c->dwd.v[m][h] != p || c->dwe.v[m][h] != p)
			return false;
	return true;
}

static bool
demand_charged(const struct cv *c, int p)
{
	int64_t r;

	return !single_rate(&c->demand, (size_t)p, &r) || r != 0;
}

static void
build_plan(const struct cv *c, int m, struct plan *pl)
{
	int dt, h, k;

	pl->nc = 0;
	for (dt = 0; dt < 2; dt++)
		for (h = 0; h < 24; h++) {
			int e = dt ? c->ewe.v[m][h] : c->ewd.v[m][h], d = -1;
			if (c->demand.present) {
				d = dt ? c->dwe.v[m][h] : c->dwd.v[m][h];
				if (!demand_charged(c, d) ||
				    demand_all_hours(c, m, d))
					d = -1;
			}
			for (k = 0; k < pl->nc; k++)
				if (pl->ce[k] == e && pl->cd[k] == d)
					break;
			if (k == pl->nc) {
				pl->ce[k] = e;
				pl->cd[k] = d;
				pl->nc++;
			}
			(dt ? pl->we : pl->wd)[h] = k;
		}
	for (k = 0; k < pl->nc; k++) {
		int shared = 0;
		for (int j = 0; j < pl->nc; j++)
			if (pl->ce[j] == pl->ce[k])
				shared++;
		if (shared == 1 || pl->cd[k] < 0)
			snprintf(pl->cname[k], sizeof(pl->cname[k]), "%s",
			    c->elabels[pl->ce[k]]);
		else
			snprintf(pl->cname[k], sizeof(pl->cname[k]), "%s_d%d",
			    c->elabels[pl->ce[k]], pl->cd[k]);
	}
	pl->ne = pl->nc > 1 ? plan_periods(pl->wd, pl->we, pl->ent,
	    sizeof(pl->ent) / sizeof(pl->ent[0])) : 0;
}

/* true when combination k is one entry (not split by day type) */
static bool
plan_whole(const struct plan *pl, int k)
{
	for (size_t i = 0; i < pl->ne; i++)
		if (pl->ent[i].period == k && pl->ent[i].suffix[0])
			return false;
	return true;
}

/*
 * Check tiers of structure `name` period p as a billrun tier list: the
 * last tier unlimited, limits increasing, at most BR_TARIFF_MAX_TIERS.
 * Returns false (with a problem reported) when it cannot be written.
 */
static bool
tiers_ok(struct cv *c, const char *name, size_t p, const struct tier *tr,
    size_t nt, const char *unit)
{
	char mb[48];
	bool ok = true;

	for (size_t t = 0; t + 1 < nt; t++) {
		if (tr[t].max_milli < 0) {
			br_urdb_problem(c, name, "%s[%zu][%zu]: a tier without max "
			    "before the last tier", name, p, t);
			ok = false;
		} else if (t > 0 && tr[t - 1].max_milli >= 0 &&
		    tr[t].max_milli <= tr[t - 1].max_milli) {
			br_urdb_problem(c, name, "%s[%zu]: tier limits do not "
			    "increase", name, p);
			ok = false;
		}
	}
	if (tr[nt - 1].max_milli >= 0) {
		br_urdb_problem(c, name, "%s[%zu][%zu]: the last tier has max %s %s: "
		    "usage above it has no rate", name, p, nt - 1,
		    br_urdb_fmt_dec(tr[nt - 1].max_milli, 3, 0, mb, sizeof(mb)), unit);
		ok = false;
	}
	if (nt > BR_TARIFF_MAX_TIERS) {
		br_urdb_problem(c, name, "%s[%zu]: %zu tiers (the tariff language "
		    "allows %d)", name, p, nt, BR_TARIFF_MAX_TIERS);
		ok = false;
	}
	return ok;
}

/*
 * Write a flow list of tiers: [{upto: A, rate: R}, ..., {rate: Z}], each
 * rate plus `add` (dollars x 1e12: fuel adjustment, or single-rate
 * charges on the same quantity).  The sources go to *src.
 */
static int
tiers_flow(struct cv *c, const char *name, size_t p, const struct tier *tr,
    size_t nt, int64_t add, struct buf *src)
{
	char rb[48], mb[48], what[96];

	br_urdb_bput(&c->y, "[");
	for (size_t t = 0; t < nt; t++) {
		snprintf(what, sizeof(what), "%s[%zu][%zu]", name, p, t);
		if (br_urdb_rate_text(c, what, name, tr[t].rate + add, rb,
		    sizeof(rb)) != 0)
			return -1;
		if (t + 1 < nt)
			br_urdb_bput(&c->y, "{upto: %s, rate: %s}, ",
			    br_urdb_fmt_dec(tr[t].max_milli, 3, 0, mb, sizeof(mb)), rb);
		else
			br_urdb_bput(&c->y, "{rate: %s}]", rb);
		if (tr[t].text[0])
			br_urdb_bput(src, "%s%s: %s", src->n ? "; " : "", what,
			    tr[t].text);
	}
	return 0;
}

/* One season's energy entry (season NULL: the whole year). */
void
br_urdb_emit_energy(struct cv *c, const struct season *s, int m)
{
	struct plan *pl = calloc(1, sizeof(*pl));
	size_t t, nt;
	int only;
	char rb[48], mb[48], what[96], sname[32];

	if (pl == NULL) {
		c->y.oom = 1;
		goto out;
	}
	month_list(s, sname, sizeof(sname));
	build_plan(c, m, pl);
	only = pl->ce[0];
	br_urdb_bput(&c->y, "      - ");
	if (s)
		br_urdb_bput(&c->y, "season: %s\n        ", s->name);
	if (c->fuel[m] != 0)
		br_urdb_bput(&c->y, "# rates include fueladjustmentsmonthly %s\n"
		    "        ", br_urdb_fmt_dec(c->fuel[m], 12, 0, rb, sizeof(rb)));
	if (pl->nc == 1) {
		const struct tier *tr = c->energy.t[only];
		nt = c->energy.ntiers[only];
		for (t = 0; t < nt; t++) {
			if (tr[t].unit[0] && strcmp(tr[t].unit, "kWh") != 0)
				br_urdb_problem(c, "energyratestructure",
				    "energyratestructure[%d][%zu]: tier unit "
				    "'%s' is not supported (only kWh per "
				    "month)", only, t, tr[t].unit);
			if (t + 1 < nt && tr[t].max_milli < 0)
				br_urdb_problem(c, "energyratestructure",
				    "energyratestructure[%d][%zu]: a tier "
				    "without max before the last tier", only,
				    t);
			if (t > 0 && t + 1 < nt && tr[t - 1].max_milli >= 0 &&
			    tr[t].max_milli <= tr[t - 1].max_milli)
				br_urdb_problem(c, "energyratestructure",
				    "energyratestructure[%d]: tier limits do "
				    "not increase", only);
		}
		if (tr[nt - 1].max_milli >= 0)
			br_urdb_problem(c, "energyratestructure",
			    "energyratestructure[%d][%zu]: the last tier has "
			    "max %s kWh: usage above it has no rate", only,
			    nt - 1, br_urdb_fmt_dec(tr[nt - 1].max_milli, 3, 0, mb,
			    sizeof(mb)));
		if (nt == 1) {
			snprintf(what, sizeof(what),
			    "energyratestructure[%d][0]", only);
			if (br_urdb_rate_text(c, what, "energyratestructure",
			    tr[0].rate + c->fuel[m], rb, sizeof(rb)) != 0)
				goto out;
			br_urdb_bput(&c->y, "rate: %s   # %s%s%s\n", rb, what,
			    SEP(tr[0].text), tr[0].text);
			goto out;
		}
		if (nt > BR_TARIFF_MAX_TIERS)
			br_urdb_problem(c, "energyratestructure", "energyratestructure"
			    "[%d]: %zu tiers (the tariff language allows %d)",
			    only, nt, BR_TARIFF_MAX_TIERS);
		br_urdb_bput(&c->y, "tiers:   # limits per billing period\n");
		for (t = 0; t < nt; t++) {
			snprintf(what, sizeof(what),
			    "energyratestructure[%d][%zu]", only, t);
			if (br_urdb_rate_text(c, what, "energyratestructure",
			    tr[t].rate + c->fuel[m], rb, sizeof(rb)) != 0)
				goto out;
			if (t + 1 < nt)
				br_urdb_bput(&c->y, "          - {upto: %s, rate: %s}"
				    "   # %s%s%s\n", br_urdb_fmt_dec(tr[t].max_milli,
				    3, 0, mb, sizeof(mb)), rb, what,
				    SEP(tr[t].text), tr[t].text);
			else
				br_urdb_bput(&c->y, "          - {rate: %s}   # %s%s%s"
				    "\n", rb, what, SEP(tr[t].text),
				    tr[t].text);
		}
		goto out;
	}
	/* time of use: a tiered period must be one entry (its tiers
	 * count the whole URDB period's usage) */
	for (int k = 0; k < pl->nc; k++) {
		int ep = pl->ce[k], parts = 0;
		if (c->energy.ntiers[ep] <= 1)
			continue;
		for (size_t i = 0; i < pl->ne; i++)
			if (pl->ce[pl->ent[i].period] == ep)
				parts++;
		if (parts != 1)
			c->tou_tiered |= (uint64_t)1 << ep;
	}
	if (pl->ne > BR_TARIFF_MAX_PERIODS)
		br_urdb_problem(c, "energyweekdayschedule", "energy schedule of %s "
		    "needs %zu time-of-use period entries (the tariff "
		    "language allows %d)", sname, pl->ne,
		    BR_TARIFF_MAX_PERIODS);
	br_urdb_bput(&c->y, "periods:\n");
	for (size_t i = 0; i < pl->ne; i++) {
		const struct entry *e = &pl->ent[i];
		int ep = pl->ce[e->period];
		char hb[256];
		br_urdb_bput(&c->y, "          - {name: %s%s", pl->cname[e->period],
		    e->suffix);
		if (e->days)
			br_urdb_bput(&c->y, ", days: %s", e->days == 1 ? "weekday" :
			    "weekend");
		if (e->hours) {
			hours_text(e->hours, hb, sizeof(hb));
			br_urdb_bput(&c->y, ", hours: %s", hb);
		}
		nt = c->energy.ntiers[ep];
		if (nt > 1 && !(c->tou_tiered & ((uint64_t)1 << ep))) {
			struct buf src = { NULL, 0, 0, 0 };
			bool ok = tiers_ok(c, "energyratestructure",
			    (size_t)ep, c->energy.t[ep], nt, "kWh");
			for (t = 0; t < nt; t++)
				if (c->energy.t[ep][t].unit[0] && strcmp(
				    c->energy.t[ep][t].unit, "kWh") != 0) {
					br_urdb_problem(c, "energyratestructure",
					    "energyratestructure[%d][%zu]: "
					    "tier unit '%s' is not supported "
					    "(only kWh per month)", ep, t,
					    c->energy.t[ep][t].unit);
					ok = false;
				}
			br_urdb_bput(&c->y, ", tiers: ");
			if (ok && tiers_flow(c, "energyratestructure",
			    (size_t)ep, c->energy.t[ep], nt, c->fuel[m],
			    &src) != 0) {
				free(src.p);
				goto out;
			}
			if (!ok)
				br_urdb_bput(&c->y, "[]");
			br_urdb_bput(&c->y, "}   # energyratestructure[%d], limits per "
			    "billing period%s%s\n", ep, src.n ? "; " : "",
			    src.n ? src.p : "");
			free(src.p);
			continue;
		}
		snprintf(what, sizeof(what), "energyratestructure[%d][0]", ep);
		if (br_urdb_rate_text(c, what, "energyratestructure",
		    c->energy.t[ep][0].rate + c->fuel[m], rb, sizeof(rb)) != 0)
			goto out;
		br_urdb_bput(&c->y, ", rate: %s}   # %s%s%s\n", rb, what,
		    SEP(c->energy.t[ep][0].text), c->energy.t[ep][0].text);
	}
out:
	free(pl);
}

/*
 * The monthly maximum demand charge of a season: single-rate charges on
 * the month's maximum (flat demand, all-hours TOU demand) add up; one of
 * them may be tiered (kW blocks), the others then add to every block.
 */
struct mdem {
	int64_t total;			/* single rates, dollars x 1e12 */
	const struct structure *ts;	/* the tiered one, NULL none */
	size_t tp;
	const char *tname;
	char what[200];
	size_t len;
};

static void
mdem_add(struct cv *c, struct mdem *md, const char *name,
    const struct structure *st, size_t p, const char *extra)
{
	int64_t r;

	if (single_rate(st, p, &r)) {
		if (r == 0)
			return;
		md->total += r;
		md->len += (size_t)snprintf(md->what + md->len, md->len <
		    sizeof(md->what) ? sizeof(md->what) - md->len : 0,
		    "%s%s[%zu][0]%s%s%s", md->len ? " + " : "", name, p, extra,
		    SEP(st->t[p][0].text), st->t[p][0].text);
		return;
	}
	if (md->ts != NULL) {
		br_urdb_problem(c, name, "tiered demand charges on the monthly "
		    "maximum in both %s[%zu] and %s[%zu] are not supported",
		    md->tname, md->tp, name, p);
		return;
	}
	if (!tiers_ok(c, name, p, st->t[p], st->ntiers[p], "kW"))
		return;
	md->ts = st;
	md->tp = p;
	md->tname = name;
}

/* One season's demand entry; nothing when the season has no charge. */
void
br_urdb_emit_demand(struct cv *c, const struct season *s, int m, bool *header)
{
	int64_t r;
	char rb[48], sname[32];
	size_t ntou = 0;
	struct mdem md;
	struct {
		int p;
		int64_t rate;
		bool tiered;
		char name[170];
	} tou[MAXP];

	memset(&md, 0, sizeof(md));
	month_list(s, sname, sizeof(sname));
	if (c->flat.present)
		mdem_add(c, &md, "flatdemandstructure", &c->flat,
		    (size_t)c->flatmonths[m], "");
	if (c->demand.present) {
		struct plan *pl = calloc(1, sizeof(*pl));
		bool used[MAXP] = { false };
		if (pl == NULL) {
			c->y.oom = 1;
			return;
		}
		build_plan(c, m, pl);
		for (int h = 0; h < 24; h++)
			used[c->dwd.v[m][h]] = used[c->dwe.v[m][h]] = true;
		for (size_t p = 0; p < c->demand.n; p++) {
			int k, hits = 0;
			bool single;
			if (!used[p] || !demand_charged(c, (int)p))
				continue;
			if (demand_all_hours(c, m, (int)p)) {
				/* all day, every day: the monthly maximum */
				mdem_add(c, &md, "demandratestructure",
				    &c->demand, p, " (all hours)");
				continue;
			}
			single = single_rate(&c->demand, p, &r);
			/* the billrun periods (combinations) of its hours:
			 * one name, or a list when it spans several energy
			 * periods */
			char names[160] = "", label[160] = "";
			size_t nl = 0, ll = 0;
			bool whole = true;
			for (k = 0; k < pl->nc; k++)
				if (pl->cd[k] == (int)p) {
					hits++;
					if (!plan_whole(pl, k))
						whole = false;
					nl += (size_t)snprintf(names + nl,
					    nl < sizeof(names) ? sizeof(names) -
					    nl : 0, "%s%s", hits > 1 ? ", " : "",
					    pl->cname[k]);
					ll += (size_t)snprintf(label + ll,
					    ll < sizeof(label) ? sizeof(label) -
					    ll : 0, "%s%s", hits > 1 ? "+" : "",
					    pl->cname[k]);
				}
			if (!whole) {
				c->tou_demand_split |= (uint64_t)1 << p;
				continue;
			}
			if (ll > (single ? 31u : 28u) ||
			    hits > BR_TARIFF_MAX_PERIODS) {
				c->tou_demand |= (uint64_t)1 << p;
				continue;
			}
			if (!single && !tiers_ok(c, "demandratestructure", p,
			    c->demand.t[p], c->demand.ntiers[p], "kW"))
				continue;
			if (ntou < sizeof(tou) / sizeof(tou[0])) {
				tou[ntou].p = (int)p;
				tou[ntou].rate = single ? r : 0;
				tou[ntou].tiered = !single;
				snprintf(tou[ntou].name, sizeof(tou[ntou].name),
				    hits > 1 ? "[%s]" : "%s", names);
				ntou++;
			}
		}
		free(pl);
	}
	if (md.total != 0 || md.ts != NULL) {
		struct buf src = { NULL, 0, 0, 0 };
		if (!*header) {
			br_urdb_bput(&c->y, "    demand:\n");
			*header = true;
		}
		c->ndemand++;
		br_urdb_bput(&c->y, "      - {");
		if (s)
			br_urdb_bput(&c->y, "season: %s, ", s->name);
		if (md.ts != NULL) {
			br_urdb_bput(&c->y, "tiers: ");
			if (tiers_flow(c, md.tname, md.tp, md.ts->t[md.tp],
			    md.ts->ntiers[md.tp], md.total, &src) != 0) {
				free(src.p);
				return;
			}
		} else {
			snprintf(sname, sizeof(sname), "demand %s", s ?
			    s->name : "");
			if (br_urdb_rate_text(c, sname, "flatdemandstructure",
			    md.total, rb, sizeof(rb)) != 0)
				return;
			br_urdb_bput(&c->y, "rate: %s", rb);
		}
		if (c->ratchet_ppm) {
			char pb[48];
			br_urdb_bput(&c->y, ", ratchet: {percent: %s, months: %d}",
			    br_urdb_fmt_dec(c->ratchet_ppm, 4, 0, pb, sizeof(pb)),
			    c->ratchet_months);
		}
		br_urdb_bput(&c->y, "}   # ");
		if (md.ts != NULL)
			br_urdb_bput(&c->y, "%s[%zu] (kW blocks)%s%s%s%s", md.tname,
			    md.tp, md.len ? ", every block + " : "", md.what,
			    src.n ? "; " : "", src.n ? src.p : "");
		else
			br_urdb_bput(&c->y, "%s", md.what);
		br_urdb_bput(&c->y, "%s\n", c->ratchet_ppm ?
		    "; ratchet: lookbackpercent, lookbackrange" : "");
		free(src.p);
	} else if (c->ratchet_ppm)
		br_urdb_problem(c, "lookbackpercent", "demand ratchet (lookbackpercent) "
		    "without a monthly maximum demand charge in %s", s ? s->name
		    : "all months");
	for (size_t i = 0; i < ntou; i++) {
		char w2[64];
		struct buf src = { NULL, 0, 0, 0 };
		int p = tou[i].p;
		if (!*header) {
			br_urdb_bput(&c->y, "    demand:\n");
			*header = true;
		}
		c->ndemand++;
		br_urdb_bput(&c->y, "      - {");
		if (s)
			br_urdb_bput(&c->y, "season: %s, ", s->name);
		if (tou[i].tiered) {
			br_urdb_bput(&c->y, "period: %s, tiers: ", tou[i].name);
			if (tiers_flow(c, "demandratestructure", (size_t)p,
			    c->demand.t[p], c->demand.ntiers[p], 0, &src) !=
			    0) {
				free(src.p);
				return;
			}
			br_urdb_bput(&c->y, "}   # demandratestructure[%d] (kW blocks)"
			    "%s%s\n", p, src.n ? "; " : "", src.n ? src.p :
			    "");
			free(src.p);
			continue;
		}
		snprintf(w2, sizeof(w2), "demandratestructure[%d][0]", p);
		if (br_urdb_rate_text(c, w2, "demandratestructure", tou[i].rate, rb,
		    sizeof(rb)) != 0)
			return;
		br_urdb_bput(&c->y, "period: %s, rate: %s}   # %s%s%s\n", tou[i].name,
		    rb, w2, SEP(c->demand.t[p][0].text),
		    c->demand.t[p][0].text);
	}
}
