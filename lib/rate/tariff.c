/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tariff.c: load a tariff YAML file (docs/tariff.md) into struct br_tariff.
 *
 * The whole file is parsed into a libyaml document, then walked node by
 * node; every error names the file, the 1-based line of the offending node
 * and the key.  Unknown keys are errors (a typo must not silently drop a
 * charge).
 *
 * This file owns the charges beyond energy (demand, riders, taxes, BTU,
 * net metering, sewer, customer), versions, the root and the public load
 * API.  Typed values are read in tariff_yaml.c, the calendar and energy
 * in tariff_energy.c, lookups in tariff_lookup.c; tariff_int.h is what
 * they share.
 */
#include "rate/tariff.h"
#include "rate/tariff_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "core/date.h"
#include "core/units.h"
#include "core/banned.h"

/* Every season must be matched by exactly one entry (season or all). */
static int
check_seasons(struct ld *l, const yaml_node_t *n, const char *key,
    const int *seasons, size_t count, bool required)
{
	size_t i, s, ns = l->t->nseasons ? l->t->nseasons : 1;
	char name[40];

	for (s = 0; s < ns; s++) {
		int hits = 0;
		for (i = 0; i < count; i++)
			if (seasons[i] < 0 || (size_t)seasons[i] == s)
				hits++;
		snprintf(name, sizeof(name), "%s", l->t->nseasons ?
		    l->t->seasons[s].name : "all");
		if (hits > 1)
			return br_tf_fail(l, n, key, "more than one entry applies "
			    "to season '%s'", name);
		if (hits == 0 && required)
			return br_tf_fail(l, n, key, "no entry for season '%s'",
			    name);
	}
	return 0;
}

static int
load_amount(struct ld *l, const yaml_node_t *map, const char *what,
    int64_t *amount, enum br_customer_per *per)
{
	const yaml_node_t *kn, *vn;
	const char *k, *s;
	bool have_amount = false;

	if (br_tf_expect(l, map, YAML_MAPPING_NODE, what) != 0)
		return -1;
	*per = BR_PER_MONTH;
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "amount") == 0) {
			if (br_tf_get_micro(l, vn, k, amount) != 0)
				return -1;
			have_amount = true;
		} else if (strcmp(k, "per") == 0) {
			if (br_tf_get_scalar(l, vn, k, &s) != 0)
				return -1;
			if (strcmp(s, "month") == 0)
				*per = BR_PER_MONTH;
			else if (strcmp(s, "day") == 0)
				*per = BR_PER_DAY;
			else
				return br_tf_fail(l, vn, k, "expected month or day, "
				    "not '%s'", s);
		} else
			return br_tf_unknown(l, kn, k);
	}
	if (!have_amount)
		return br_tf_missing(l, map, "amount");
	return 0;
}

static int
load_ratchet(struct ld *l, const yaml_node_t *map, struct br_tariff_demand *d)
{
	const yaml_node_t *kn, *vn;
	const char *k;
	bool have_pct = false, have_months = false;

	if (br_tf_expect(l, map, YAML_MAPPING_NODE, "ratchet") != 0)
		return -1;
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "percent") == 0) {
			if (br_tf_get_percent(l, vn, k, &d->ratchet_ppm) != 0)
				return -1;
			if (d->ratchet_ppm == 0 || d->ratchet_ppm > 1000000)
				return br_tf_fail(l, vn, k, "ratchet percent must be "
				    "above 0 and at most 100");
			have_pct = true;
		} else if (strcmp(k, "months") == 0) {
			if (br_tf_get_int(l, vn, k, 1, 36, &d->ratchet_months) != 0)
				return -1;
			have_months = true;
		} else
			return br_tf_unknown(l, kn, k);
	}
	if (!have_pct)
		return br_tf_missing(l, map, "percent");
	if (!have_months)
		return br_tf_missing(l, map, "months");
	return 0;
}

/* Line codes: upper case letters, digits and '_'. */
static int
get_code(struct ld *l, const yaml_node_t *n, const char *key, char *buf,
    size_t size)
{
	size_t i;

	if (br_tf_get_text(l, n, key, buf, size) != 0)
		return -1;
	for (i = 0; buf[i]; i++)
		if (!((buf[i] >= 'A' && buf[i] <= 'Z') || buf[i] == '_' ||
		    (buf[i] >= '0' && buf[i] <= '9')))
			return br_tf_fail(l, n, key, "bad line code '%s' (A-Z, 0-9, "
			    "_)", buf);
	return 0;
}

static int
load_riders(struct ld *l, const yaml_node_t *seq, struct br_tariff_version *v)
{
	const yaml_node_t *it, *kn, *vn;
	const char *k;

	if (br_tf_expect(l, seq, YAML_SEQUENCE_NODE, "riders") != 0)
		return -1;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_rider *r;
		bool have_rate = false;
		if (br_tf_expect(l, it, YAML_MAPPING_NODE, "riders") != 0)
			return -1;
		if (v->nriders == BR_TARIFF_MAX_CHARGES)
			return br_tf_fail(l, it, "riders", "too many riders");
		r = &v->riders[v->nriders];
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "code") == 0) {
				if (get_code(l, vn, k, r->code,
				    sizeof(r->code)) != 0)
					return -1;
			} else if (strcmp(k, "name") == 0) {
				if (br_tf_get_text(l, vn, k, r->name,
				    sizeof(r->name)) != 0)
					return -1;
			} else if (strcmp(k, "rate") == 0) {
				if (br_tf_get_srate(l, vn, k, &r->rate_nano) != 0)
					return -1;
				have_rate = true;
			} else
				return br_tf_unknown(l, kn, k);
		}
		if (r->code[0] == '\0')
			return br_tf_missing(l, it, "code");
		if (!have_rate)
			return br_tf_missing(l, it, "rate");
		if (r->name[0] == '\0')
			memcpy(r->name, r->code, sizeof(r->code));
		v->nriders++;
	}
	return 0;
}

static int
load_taxes(struct ld *l, const yaml_node_t *seq, struct br_tariff_version *v)
{
	const yaml_node_t *it, *kn, *vn, *an;
	const char *k;

	if (br_tf_expect(l, seq, YAML_SEQUENCE_NODE, "taxes") != 0)
		return -1;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_tax *x;
		bool have_pct = false;
		if (br_tf_expect(l, it, YAML_MAPPING_NODE, "taxes") != 0)
			return -1;
		if (v->ntaxes == BR_TARIFF_MAX_CHARGES)
			return br_tf_fail(l, it, "taxes", "too many taxes");
		x = &v->taxes[v->ntaxes];
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "code") == 0) {
				if (get_code(l, vn, k, x->code,
				    sizeof(x->code)) != 0)
					return -1;
			} else if (strcmp(k, "name") == 0) {
				if (br_tf_get_text(l, vn, k, x->name,
				    sizeof(x->name)) != 0)
					return -1;
			} else if (strcmp(k, "percent") == 0) {
				if (br_tf_get_percent(l, vn, k, &x->ppm) != 0)
					return -1;
				have_pct = true;
			} else if (strcmp(k, "applies_to") == 0) {
				const char *s = br_tf_scalar(vn);
				if (s && strcmp(s, "all") == 0)
					continue;
				if (br_tf_expect(l, vn, YAML_SEQUENCE_NODE, k) != 0)
					return -1;
				FOR_ITEMS(l, vn, an) {
					if (x->napply == BR_TARIFF_MAX_APPLY)
						return br_tf_fail(l, an, k, "too "
						    "many line codes");
					if (br_tf_get_text(l, an, k,
					    x->apply[x->napply],
					    sizeof(x->apply[0])) != 0)
						return -1;
					x->napply++;
				}
				if (x->napply == 0)
					return br_tf_fail(l, vn, k, "empty list");
			} else
				return br_tf_unknown(l, kn, k);
		}
		if (x->code[0] == '\0')
			return br_tf_missing(l, it, "code");
		if (!have_pct)
			return br_tf_missing(l, it, "percent");
		if (x->name[0] == '\0')
			memcpy(x->name, x->code, sizeof(x->code));
		v->ntaxes++;
	}
	return 0;
}

static int
cmp_btu(const void *a, const void *b)
{
	int32_t x = ((const struct br_tariff_btu *)a)->ym;
	int32_t y = ((const struct br_tariff_btu *)b)->ym;

	return (x > y) - (x < y);
}

/* btu_factors: [{month: 2026-10, factor: 1.041}, ...] */
static int
load_btu(struct ld *l, const yaml_node_t *seq, struct br_tariff_version *v)
{
	const yaml_node_t *it, *kn, *vn;
	const char *k, *s;
	size_t i;

	if (br_tf_expect(l, seq, YAML_SEQUENCE_NODE, "btu_factors") != 0)
		return -1;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_btu *b;
		bool have_m = false, have_f = false;
		if (br_tf_expect(l, it, YAML_MAPPING_NODE, "btu_factors") != 0)
			return -1;
		if (v->nbtu == BR_TARIFF_MAX_BTU)
			return br_tf_fail(l, it, "btu_factors", "too many months");
		b = &v->btu[v->nbtu];
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "month") == 0) {
				char buf[16];
				int32_t day;
				int y, m, d;
				if (br_tf_get_scalar(l, vn, k, &s) != 0)
					return -1;
				snprintf(buf, sizeof(buf), "%.7s-01", s);
				if (strlen(s) != 7 ||
				    br_date_parse(buf, (size_t)-1, &day) != 0)
					return br_tf_fail(l, vn, k, "bad month '%s' "
					    "(YYYY-MM)", s);
				br_date_civil(day, &y, &m, &d);
				b->ym = y * 12 + m - 1;
				have_m = true;
			} else if (strcmp(k, "factor") == 0) {
				if (br_tf_get_micro(l, vn, k, &b->factor_micro) != 0)
					return -1;
				if (b->factor_micro == 0)
					return br_tf_fail(l, vn, k, "zero factor");
				have_f = true;
			} else
				return br_tf_unknown(l, kn, k);
		}
		if (!have_m)
			return br_tf_missing(l, it, "month");
		if (!have_f)
			return br_tf_missing(l, it, "factor");
		v->nbtu++;
	}
	qsort(v->btu, v->nbtu, sizeof(v->btu[0]), cmp_btu);
	for (i = 1; i < v->nbtu; i++)
		if (v->btu[i].ym == v->btu[i - 1].ym)
			return br_tf_fail(l, seq, "btu_factors", "a month appears "
			    "twice");
	return 0;
}

static int
load_nem(struct ld *l, const yaml_node_t *seq, struct br_tariff_version *v)
{
	const yaml_node_t *it, *kn, *vn;
	const char *k, *s;

	if (br_tf_expect(l, seq, YAML_SEQUENCE_NODE, "net_metering") != 0)
		return -1;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_nem *nm;
		bool have_surplus = false, have_exp = false;
		if (br_tf_expect(l, it, YAML_MAPPING_NODE, "net_metering") != 0)
			return -1;
		if (v->nnem == 2)
			return br_tf_fail(l, it, "net_metering", "at most two "
			    "programs");
		nm = &v->nem[v->nnem];
		nm->exp_prices = -1;
		nm->true_up_month = 12;
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "program") == 0) {
				if (br_tf_get_text(l, vn, k, nm->program,
				    sizeof(nm->program)) != 0)
					return -1;
			} else if (strcmp(k, "mode") == 0) {
				if (br_tf_get_scalar(l, vn, k, &s) != 0)
					return -1;
				if (strcmp(s, "netting") == 0)
					nm->mode = BR_NEM_NETTING;
				else if (strcmp(s, "billing") == 0)
					nm->mode = BR_NEM_BILLING;
				else
					return br_tf_fail(l, vn, k, "expected "
					    "netting or billing, not '%s'", s);
			} else if (strcmp(k, "surplus_rate") == 0) {
				if (br_tf_get_rate(l, vn, k, &nm->surplus_nano) != 0)
					return -1;
				have_surplus = true;
			} else if (strcmp(k, "true_up_month") == 0) {
				if (br_tf_get_int(l, vn, k, 1, 12,
				    &nm->true_up_month) != 0)
					return -1;
			} else if (strcmp(k, "export") == 0) {
				if (br_tf_load_energy_one(l, vn, &nm->exp) != 0)
					return -1;
				if (nm->exp.kind == BR_ENERGY_TIERED ||
				    br_tf_period_tiers(&nm->exp))
					return br_tf_fail(l, vn, k, "exports take a "
					    "rate, periods or prices (no "
					    "tiers)");
				if (nm->exp.season >= 0)
					return br_tf_fail(l, vn, k, "no season here "
					    "(use versions per season)");
				have_exp = true;
			} else
				return br_tf_unknown(l, kn, k);
		}
		if (nm->program[0] == '\0')
			return br_tf_missing(l, it, "program");
		if (nm->mode == BR_NEM_NONE)
			return br_tf_missing(l, it, "mode");
		if (nm->mode == BR_NEM_NETTING && !have_surplus)
			return br_tf_missing(l, it, "surplus_rate");
		if (nm->mode == BR_NEM_BILLING && !have_exp)
			return br_tf_missing(l, it, "export");
		if (nm->mode == BR_NEM_NETTING && have_exp)
			return br_tf_fail(l, it, "export", "netting has no export "
			    "prices (surplus_rate at true-up)");
		if (nm->mode == BR_NEM_BILLING && have_surplus)
			return br_tf_fail(l, it, "surplus_rate", "only netting has "
			    "a surplus rate");
		if (v->nnem == 1 && strcmp(v->nem[0].program, nm->program) ==
		    0)
			return br_tf_fail(l, it, "program", "program '%s' twice",
			    nm->program);
		v->nnem++;
	}
	return 0;
}

static int
load_sewer(struct ld *l, const yaml_node_t *map, struct br_tariff_version *v)
{
	const yaml_node_t *kn, *vn;
	const char *k;
	struct br_tariff_season tmp;
	bool have_rate = false, have_months = false;

	if (br_tf_expect(l, map, YAML_MAPPING_NODE, "sewer") != 0)
		return -1;
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "rate") == 0) {
			if (br_tf_get_rate(l, vn, k, &v->sewer.rate_nano) != 0)
				return -1;
			have_rate = true;
		} else if (strcmp(k, "customer_charge") == 0) {
			if (br_tf_get_micro(l, vn, k, &v->sewer.customer_micro) != 0)
				return -1;
		} else if (strcmp(k, "winter_months") == 0) {
			if (br_tf_parse_months(l, vn, &tmp) != 0)
				return -1;
			v->sewer.from_month = tmp.from_month;
			v->sewer.to_month = tmp.to_month;
			have_months = true;
		} else
			return br_tf_unknown(l, kn, k);
	}
	if (!have_rate)
		return br_tf_missing(l, map, "rate");
	if (!have_months)
		return br_tf_missing(l, map, "winter_months");
	v->sewer.on = true;
	return 0;
}

/*
 * period: NAME, or a list of names: the demand is the maximum over the
 * intervals of all of them (a demand period spanning several energy
 * periods).  The line code is DEMAND_ + the names joined by '_'.
 */
static int
load_demand_periods(struct ld *l, const yaml_node_t *n,
    struct br_tariff_demand *d)
{
	const yaml_node_t *it;
	size_t i, len = 0;

	d->nperiods = 0;
	if (n->type == YAML_SEQUENCE_NODE) {
		FOR_ITEMS(l, n, it) {
			if (d->nperiods == BR_TARIFF_MAX_PERIODS)
				return br_tf_fail(l, it, "period", "too many "
				    "periods");
			if (br_tf_get_text(l, it, "period", d->periods[d->nperiods],
			    sizeof(d->periods[0])) != 0)
				return -1;
			for (i = 0; i < d->nperiods; i++)
				if (strcmp(d->periods[i],
				    d->periods[d->nperiods]) == 0)
					return br_tf_fail(l, it, "period", "period "
					    "'%s' twice", d->periods[i]);
			d->nperiods++;
		}
		if (d->nperiods == 0)
			return br_tf_fail(l, n, "period", "empty list");
	} else {
		if (br_tf_get_text(l, n, "period", d->periods[0],
		    sizeof(d->periods[0])) != 0)
			return -1;
		d->nperiods = 1;
	}
	d->period[0] = '\0';
	for (i = 0; i < d->nperiods; i++)
		len += (size_t)snprintf(d->period + len, sizeof(d->period) -
		    len, "%s%s", i ? "+" : "", d->periods[i]);
	if (len >= sizeof(d->period))
		return br_tf_fail(l, n, "period", "period names too long");
	return 0;
}

/* TOU demand names a period of every season's energy entry it covers. */
static int
check_demand(struct ld *l, const yaml_node_t *dn, struct br_tariff_version *v)
{
	size_t i, j, e, p;
	size_t ns = l->t->nseasons ? l->t->nseasons : 1;

	for (i = 0; i < v->ndemand; i++) {
		const struct br_tariff_demand *d = &v->demand[i];
		for (j = 0; j < i; j++)
			if (strcmp(v->demand[j].period, d->period) == 0 &&
			    (d->season < 0 || v->demand[j].season < 0 ||
			    d->season == v->demand[j].season))
				return br_tf_fail(l, dn, "demand", "more than one "
				    "entry applies to one season and period");
		if (d->period[0] == '\0')
			continue;
		/* DEMAND_<NAMES>[_T<n>] must fit a line code */
		if (strlen(d->period) > (d->ntiers ? 28u : 31u))
			return br_tf_fail(l, dn, "period", "period names '%s' too "
			    "long for a line code (at most %d characters "
			    "together)", d->period, d->ntiers ? 28 : 31);
		if (d->ratchet_ppm && d->ntiers > 0)
			return br_tf_fail(l, dn, "ratchet", "a ratchet on a TOU "
			    "demand period cannot be combined with tiers "
			    "(the prior billed demand of a period is read "
			    "from its DEMAND_<PERIOD> line)");
		if (d->ratchet_ppm)
			l->t->tou_ratchet = true;
		for (size_t s = 0; s < ns; s++) {
			if (d->season >= 0 && (size_t)d->season != s)
				continue;
			for (size_t q = 0; q < d->nperiods; q++) {
				bool found = false;
				for (e = 0; e < v->nenergy; e++) {
					const struct br_tariff_energy *en =
					    &v->energy[e];
					if (en->season >= 0 &&
					    (size_t)en->season != s)
						continue;
					for (p = 0; en->kind == BR_ENERGY_TOU &&
					    p < en->nperiods; p++)
						if (strcmp(en->periods[p].name,
						    d->periods[q]) == 0)
							found = true;
				}
				if (!found)
					return br_tf_fail(l, dn, "period", "demand "
					    "period '%s' is not a TOU energy "
					    "period of season '%s'",
					    d->periods[q], l->t->nseasons ?
					    l->t->seasons[s].name : "all");
			}
		}
	}
	return 0;
}

static int
load_customer(struct ld *l, const yaml_node_t *map,
    struct br_tariff_version *v)
{
	const yaml_node_t *kn, *vn;
	const char *k, *s;
	bool have_amount = false;

	if (br_tf_expect(l, map, YAML_MAPPING_NODE, "customer_charge") != 0)
		return -1;
	v->customer_per = BR_PER_MONTH;
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "amount") == 0) {
			if (br_tf_get_micro(l, vn, k, &v->customer_micro) != 0)
				return -1;
			have_amount = true;
		} else if (strcmp(k, "per") == 0) {
			if (br_tf_get_scalar(l, vn, k, &s) != 0)
				return -1;
			if (strcmp(s, "month") == 0)
				v->customer_per = BR_PER_MONTH;
			else if (strcmp(s, "day") == 0)
				v->customer_per = BR_PER_DAY;
			else
				return br_tf_fail(l, vn, k, "expected month or day, "
				    "not '%s'", s);
		} else
			return br_tf_unknown(l, kn, k);
	}
	if (!have_amount)
		return br_tf_missing(l, map, "amount");
	return 0;
}

static int
load_version(struct ld *l, const yaml_node_t *map,
    struct br_tariff_version *v)
{
	const yaml_node_t *kn, *vn, *it, *en = NULL, *dn = NULL;
	const char *k;
	bool have_eff = false;
	int seasons[BR_TARIFF_MAX_CHARGES];
	size_t i;

	if (br_tf_expect(l, map, YAML_MAPPING_NODE, "versions") != 0)
		return -1;
	v->line = br_tf_node_line(map);
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "effective") == 0) {
			if (br_tf_get_date(l, vn, k, &v->effective) != 0)
				return -1;
			have_eff = true;
		} else if (strcmp(k, "customer_charge") == 0) {
			if (load_customer(l, vn, v) != 0)
				return -1;
		} else if (strcmp(k, "energy") == 0) {
			if (br_tf_expect(l, vn, YAML_SEQUENCE_NODE, k) != 0)
				return -1;
			en = vn;
			FOR_ITEMS(l, vn, it) {
				if (v->nenergy == BR_TARIFF_MAX_CHARGES)
					return br_tf_fail(l, it, k, "too many "
					    "entries");
				if (br_tf_load_energy_one(l, it,
				    &v->energy[v->nenergy]) != 0)
					return -1;
				v->nenergy++;
			}
		} else if (strcmp(k, "demand") == 0) {
			const yaml_node_t *dk, *dv;
			const char *dkey;
			if (br_tf_expect(l, vn, YAML_SEQUENCE_NODE, k) != 0)
				return -1;
			dn = vn;
			FOR_ITEMS(l, vn, it) {
				struct br_tariff_demand *d;
				bool have_rate = false;
				if (br_tf_expect(l, it, YAML_MAPPING_NODE, k) != 0)
					return -1;
				if (v->ndemand == BR_TARIFF_MAX_DEMAND)
					return br_tf_fail(l, it, k, "too many "
					    "entries");
				d = &v->demand[v->ndemand];
				d->season = -1;
				FOR_PAIRS(l, it, dk, dv, dkey) {
					if (strcmp(dkey, "season") == 0) {
						if (br_tf_find_season(l, dv,
						    &d->season) != 0)
							return -1;
					} else if (strcmp(dkey, "rate") == 0) {
						if (have_rate)
							return br_tf_fail(l, dv, dkey,
							    "give either rate "
							    "or tiers");
						if (br_tf_get_rate(l, dv, dkey,
						    &d->rate_nano) != 0)
							return -1;
						have_rate = true;
					} else if (strcmp(dkey, "tiers") == 0) {
						if (have_rate)
							return br_tf_fail(l, dv, dkey,
							    "give either rate "
							    "or tiers");
						if (br_tf_load_tier_list(l, dv,
						    d->tiers, &d->ntiers) != 0)
							return -1;
						have_rate = true;
					} else if (strcmp(dkey, "period") ==
					    0) {
						if (load_demand_periods(l, dv,
						    d) != 0)
							return -1;
					} else if (strcmp(dkey, "totalize") ==
					    0) {
						if (br_tf_get_bool(l, dv, dkey,
						    &d->totalize) != 0)
							return -1;
					} else if (strcmp(dkey, "ratchet") ==
					    0) {
						if (load_ratchet(l, dv, d) != 0)
							return -1;
					} else
						return br_tf_unknown(l, dk, dkey);
				}
				if (!have_rate)
					return br_tf_missing(l, it, "rate' or "
					    "'tiers");
				v->ndemand++;
			}
		} else if (strcmp(k, "minimum") == 0) {
			if (load_amount(l, vn, k, &v->minimum_micro,
			    &v->minimum_per) != 0)
				return -1;
		} else if (strcmp(k, "riders") == 0) {
			if (load_riders(l, vn, v) != 0)
				return -1;
		} else if (strcmp(k, "taxes") == 0) {
			if (load_taxes(l, vn, v) != 0)
				return -1;
		} else if (strcmp(k, "btu_factor") == 0) {
			if (br_tf_get_micro(l, vn, k, &v->btu_micro) != 0)
				return -1;
			if (v->btu_micro == 0)
				return br_tf_fail(l, vn, k, "zero factor");
		} else if (strcmp(k, "btu_factors") == 0) {
			if (load_btu(l, vn, v) != 0)
				return -1;
		} else if (strcmp(k, "net_metering") == 0) {
			if (load_nem(l, vn, v) != 0)
				return -1;
		} else if (strcmp(k, "sewer") == 0) {
			if (load_sewer(l, vn, v) != 0)
				return -1;
		} else
			return br_tf_unknown(l, kn, k);
	}
	if (!have_eff)
		return br_tf_missing(l, map, "effective");
	if (check_demand(l, dn, v) != 0)
		return -1;
	if (en == NULL)
		return br_tf_missing(l, map, "energy");
	for (i = 0; i < v->nenergy; i++)
		seasons[i] = v->energy[i].season;
	if (check_seasons(l, en, "energy", seasons, v->nenergy, true) != 0)
		return -1;
	return 0;
}

static int
load_versions(struct ld *l, const yaml_node_t *seq)
{
	struct br_tariff *t = l->t;
	const yaml_node_t *it;
	size_t n, i;

	if (br_tf_expect(l, seq, YAML_SEQUENCE_NODE, "versions") != 0)
		return -1;
	n = (size_t)(seq->data.sequence.items.top -
	    seq->data.sequence.items.start);
	if (n == 0)
		return br_tf_fail(l, seq, "versions", "no versions");
	if ((t->versions = calloc(n, sizeof(*t->versions))) == NULL)
		return br_error_set(l->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	FOR_ITEMS(l, seq, it) {
		if (load_version(l, it, &t->versions[t->nversions]) != 0)
			return -1;
		t->nversions++;
	}
	for (i = 1; i < t->nversions; i++)
		if (t->versions[i].effective <= t->versions[i - 1].effective)
			return br_error_set(l->err, BR_ECONFIG, t->file,
			    t->versions[i].line, "key 'effective': versions "
			    "must be in increasing effective date order");
	return 0;
}

static int
load_root(struct ld *l, const yaml_node_t *root)
{
	struct br_tariff *t = l->t;
	const yaml_node_t *kn, *vn, *versions = NULL, *seasons = NULL;
	const yaml_node_t *holidays = NULL;
	const char *k, *s;
	bool have_rounding = false;
	char names[64];

	if (root == NULL)
		return br_error_set(l->err, BR_ECONFIG, t->file, 1,
		    "empty tariff file");
	if (br_tf_expect(l, root, YAML_MAPPING_NODE, "(top level)") != 0)
		return -1;
	/* seasons first: energy entries refer to them */
	FOR_PAIRS(l, root, kn, vn, k) {
		if (strcmp(k, "seasons") == 0)
			seasons = vn;
		else if (strcmp(k, "versions") == 0)
			versions = vn;
		else if (strcmp(k, "holidays") == 0)
			holidays = vn;
	}
	if (seasons && br_tf_load_seasons(l, seasons) != 0)
		return -1;
	if (holidays && br_tf_load_holidays(l, holidays) != 0)
		return -1;
	FOR_PAIRS(l, root, kn, vn, k) {
		if (strcmp(k, "code") == 0) {
			if (br_tf_get_text(l, vn, k, t->code, sizeof(t->code)) != 0)
				return -1;
		} else if (strcmp(k, "name") == 0) {
			if (br_tf_get_text(l, vn, k, t->name, sizeof(t->name)) != 0)
				return -1;
		} else if (strcmp(k, "unit") == 0) {
			if (br_tf_get_text(l, vn, k, t->unit, sizeof(t->unit)) != 0)
				return -1;
			if (br_unit_for(t->unit, BR_UNIT_TARIFF) == NULL)
				return br_tf_fail(l, vn, k, "unknown unit '%s' (%s)",
				    t->unit, br_unit_names(BR_UNIT_TARIFF,
				    names, sizeof(names)));
		} else if (strcmp(k, "rounding") == 0) {
			if (br_tf_get_scalar(l, vn, k, &s) != 0)
				return -1;
			if (br_round_parse(s, &t->rounding) != 0)
				return br_tf_fail(l, vn, k, "unknown rounding '%s' "
				    "(half_up, half_even, down, up)", s);
			have_rounding = true;
		} else if (strcmp(k, "seasons") && strcmp(k, "versions") &&
		    strcmp(k, "holidays"))
			return br_tf_unknown(l, kn, k);
	}
	if (t->code[0] == '\0')
		return br_tf_missing(l, root, "code");
	if (t->unit[0] == '\0')
		return br_tf_missing(l, root, "unit");
	if (!have_rounding)
		t->rounding = BR_ROUND_HALF_UP;
	if (versions == NULL)
		return br_tf_missing(l, root, "versions");
	if (load_versions(l, versions) != 0)
		return -1;
	for (size_t i = 0; i < t->nversions; i++)
		if (t->versions[i].ndemand > 0 && strcmp(t->unit, "kWh") != 0)
			return br_error_set(l->err, BR_ECONFIG, t->file,
			    t->versions[i].line, "key 'demand': demand "
			    "charges need unit kWh");
	return 0;
}

int
br_tariff_load(struct br_tariff *t, const char *path, struct br_error *err)
{
	FILE *f;
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ld l;
	int rc, m;

	memset(t, 0, sizeof(*t));
	snprintf(t->file, sizeof(t->file), "%s", path);
	for (m = 0; m <= 12; m++)
		t->month_season[m] = -1;
	if ((f = fopen(path, "rb")) == NULL)
		return br_error_set(err, BR_ENOINPUT, path, 0,
		    "cannot open tariff: %s", strerror(errno));
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		br_error_set(err, BR_ECONFIG, path,
		    (long)parser.problem_mark.line + 1, "bad YAML: %s",
		    parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	l.doc = &doc;
	l.t = t;
	l.err = err;
	rc = load_root(&l, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (rc != 0)
		br_tariff_release(t);
	return rc;
}

int
br_tariff_load_code(struct br_tariff *t, const char *dir, const char *code,
    struct br_error *err)
{
	char path[512];

	if (code[0] == '\0' || code[0] == '.' || strchr(code, '/') != NULL)
		return br_error_set(err, BR_ECONFIG, NULL, 0,
		    "bad rate code '%s'", code);
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, code);
	if (br_tariff_load(t, path, err) != 0)
		return -1;
	if (strcmp(t->code, code) != 0) {
		br_error_set(err, BR_ECONFIG, path, 0, "key 'code': file "
		    "defines '%s', expected '%s'", t->code, code);
		br_tariff_release(t);
		return -1;
	}
	return 0;
}

void
br_tariff_release(struct br_tariff *t)
{
	size_t i;

	for (i = 0; i < t->nprices; i++) {
		free(t->prices[i].price_nano);
		t->prices[i].price_nano = NULL;
	}
	t->nprices = 0;
	free(t->holidays);
	free(t->versions);
	t->holidays = NULL;
	t->versions = NULL;
	t->nholidays = t->nversions = 0;
}
