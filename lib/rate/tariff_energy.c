/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tariff_energy.c: the calendar and energy parts of a tariff: seasons
 * and their months, holidays, TOU periods with hour ranges, tier lists,
 * price tables and one energy charge.
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
#include "core/money.h"
#include "core/banned.h"

int
br_tf_find_season(struct ld *l, const yaml_node_t *n, int *out)
{
	const char *s;
	size_t i;

	if (br_tf_get_scalar(l, n, "season", &s) != 0)
		return -1;
	if (strcmp(s, "all") == 0) {
		*out = -1;
		return 0;
	}
	for (i = 0; i < l->t->nseasons; i++)
		if (strcmp(l->t->seasons[i].name, s) == 0) {
			*out = (int)i;
			return 0;
		}
	return br_tf_fail(l, n, "season", "unknown season '%s'", s);
}

/* "6-9" or "7" */
int
br_tf_parse_months(struct ld *l, const yaml_node_t *n,
    struct br_tariff_season *s)
{
	const char *v, *dash;
	int64_t a = 0, b = 0;
	bool ok;

	if (br_tf_get_scalar(l, n, "months", &v) != 0)
		return -1;
	dash = strchr(v, '-');
	if (dash == NULL) {
		ok = br_int_parse(v, (size_t)-1, 1, 12, &a) == 0;
		b = a;
	} else
		ok = v[0] != '+' && dash[1] != '+' && br_int_parse(v,
		    (size_t)(dash - v), 1, 12, &a) == 0 && br_int_parse(
		    dash + 1, (size_t)-1, 1, 12, &b) == 0;
	if (!ok)
		return br_tf_fail(l, n, "months", "bad month range '%s' (e.g. 6-9)",
		    v);
	s->from_month = (int)a;
	s->to_month = (int)b;
	return 0;
}

int
br_tf_load_seasons(struct ld *l, const yaml_node_t *seq)
{
	struct br_tariff *t = l->t;
	const yaml_node_t *it, *kn, *vn;
	const char *k;
	int m;

	if (br_tf_expect(l, seq, YAML_SEQUENCE_NODE, "seasons") != 0)
		return -1;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_season *s;
		bool have_name = false, have_months = false;

		if (br_tf_expect(l, it, YAML_MAPPING_NODE, "seasons") != 0)
			return -1;
		if (t->nseasons == BR_TARIFF_MAX_SEASONS)
			return br_tf_fail(l, it, "seasons", "too many seasons");
		s = &t->seasons[t->nseasons];
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "name") == 0) {
				if (br_tf_get_text(l, vn, k, s->name,
				    sizeof(s->name)) != 0)
					return -1;
				have_name = true;
			} else if (strcmp(k, "months") == 0) {
				if (br_tf_parse_months(l, vn, s) != 0)
					return -1;
				have_months = true;
			} else
				return br_tf_unknown(l, kn, k);
		}
		if (!have_name)
			return br_tf_missing(l, it, "name");
		if (!have_months)
			return br_tf_missing(l, it, "months");
		if (strcmp(s->name, "all") == 0)
			return br_tf_fail(l, it, "name", "season name '%s' is "
			    "reserved", s->name);
		m = s->from_month;
		for (;;) {
			if (t->month_season[m] >= 0)
				return br_error_set(l->err, BR_ECONFIG,
				    t->file, br_tf_node_line(it), "key 'months': "
				    "month %d is in two seasons", m);
			t->month_season[m] = (int8_t)t->nseasons;
			if (m == s->to_month)
				break;
			m = m == 12 ? 1 : m + 1;
		}
		t->nseasons++;
	}
	for (m = 1; m <= 12 && t->nseasons > 0; m++)
		if (t->month_season[m] < 0)
			return br_error_set(l->err, BR_ECONFIG, t->file,
			    br_tf_node_line(seq), "key 'seasons': seasons do not "
			    "cover every month (month %d missing)", m);
	return 0;
}

int
br_tf_cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

int
br_tf_load_holidays(struct ld *l, const yaml_node_t *seq)
{
	struct br_tariff *t = l->t;
	const yaml_node_t *it;

	if (br_tf_expect(l, seq, YAML_SEQUENCE_NODE, "holidays") != 0)
		return -1;
	free(t->holidays);
	t->nholidays = 0;
	/* top >= start: libyaml's item stack never runs backwards */
	t->holidays = calloc((size_t)(seq->data.sequence.items.top -
	    seq->data.sequence.items.start) + 1, sizeof(int32_t));
	if (t->holidays == NULL)
		return br_error_set(l->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	FOR_ITEMS(l, seq, it) {
		if (br_tf_get_date(l, it, "holidays", &t->holidays[t->nholidays]) !=
		    0)
			return -1;
		t->nholidays++;
	}
	if (t->nholidays > 1)
		qsort(t->holidays, t->nholidays, sizeof(int32_t), br_tf_cmp_day);
	return 0;
}

/*
 * A tier list: cumulative limits `upto` (increasing), the last tier
 * unlimited.  Used by tiered energy, tiers inside a TOU period and demand
 * kW blocks; `unit` names the quantity in messages.
 */
int
br_tf_load_tier_list(struct ld *l, const yaml_node_t *seq,
    struct br_tariff_tier *tiers, size_t *ntiers)
{
	const yaml_node_t *it, *kn, *vn;
	const char *k;

	if (br_tf_expect(l, seq, YAML_SEQUENCE_NODE, "tiers") != 0)
		return -1;
	*ntiers = 0;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_tier *tr;
		bool have_rate = false;
		size_t n = *ntiers;

		if (br_tf_expect(l, it, YAML_MAPPING_NODE, "tiers") != 0)
			return -1;
		if (n == BR_TARIFF_MAX_TIERS)
			return br_tf_fail(l, it, "tiers", "too many tiers");
		if (n > 0 && tiers[n - 1].upto_milli < 0)
			return br_tf_fail(l, it, "tiers", "a tier follows the last "
			    "(unlimited) tier");
		tr = &tiers[n];
		tr->upto_milli = -1;
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "upto") == 0) {
				if (br_tf_get_qty(l, vn, k, &tr->upto_milli) != 0)
					return -1;
				if (n > 0 && tr->upto_milli <=
				    tiers[n - 1].upto_milli)
					return br_tf_fail(l, vn, k, "tier limits "
					    "must increase");
			} else if (strcmp(k, "rate") == 0) {
				if (br_tf_get_rate(l, vn, k, &tr->rate_nano) != 0)
					return -1;
				have_rate = true;
			} else
				return br_tf_unknown(l, kn, k);
		}
		if (!have_rate)
			return br_tf_missing(l, it, "rate");
		(*ntiers)++;
	}
	if (*ntiers == 0 || tiers[*ntiers - 1].upto_milli >= 0)
		return br_tf_fail(l, seq, "tiers", "the last tier must have no "
		    "'upto' limit");
	return 0;
}

static int
load_tiers(struct ld *l, const yaml_node_t *seq, struct br_tariff_energy *e)
{
	return br_tf_load_tier_list(l, seq, e->tiers, &e->ntiers);
}

static int
two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "HH:MM-HH:MM" on quarter hours; 24:00 allowed as an end. */
static int
parse_hours(struct ld *l, const yaml_node_t *n, int *from, int *to)
{
	const char *s;
	int h1, m1, h2, m2;

	if (br_tf_get_scalar(l, n, "hours", &s) != 0)
		return -1;
	if (strlen(s) != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':' ||
	    (h1 = two_digits(s)) < 0 || (m1 = two_digits(s + 3)) < 0 ||
	    (h2 = two_digits(s + 6)) < 0 || (m2 = two_digits(s + 9)) < 0 ||
	    h1 > 23 || h2 > 24 || m1 % 15 || m2 % 15 || m1 > 45 || m2 > 45 ||
	    (h2 == 24 && m2 != 0) || h1 * 60 + m1 >= h2 * 60 + m2)
		return br_tf_fail(l, n, "hours", "bad hour range '%s' (HH:MM-HH:MM "
		    "in local time, quarter hours, start before end)", s);
	*from = (h1 * 60 + m1) / 15;
	*to = (h2 * 60 + m2) / 15;
	return 0;
}

static int
load_periods(struct ld *l, const yaml_node_t *seq, struct br_tariff_energy *e)
{
	const yaml_node_t *it, *kn, *vn, *hit;
	const char *k, *s;
	int dt, q;

	if (br_tf_expect(l, seq, YAML_SEQUENCE_NODE, "periods") != 0)
		return -1;
	memset(e->slot_period, 0xff, sizeof(e->slot_period));
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_period *p;
		bool days[2] = { true, true }, have_rate = false;
		bool hours[96];
		bool have_hours = false;
		int from, to;

		if (br_tf_expect(l, it, YAML_MAPPING_NODE, "periods") != 0)
			return -1;
		if (e->nperiods == BR_TARIFF_MAX_PERIODS)
			return br_tf_fail(l, it, "periods", "too many periods");
		p = &e->periods[e->nperiods];
		memset(hours, 0, sizeof(hours));
		p->name[0] = '\0';
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "name") == 0) {
				if (br_tf_get_text(l, vn, k, p->name,
				    sizeof(p->name)) != 0)
					return -1;
			} else if (strcmp(k, "rate") == 0) {
				if (have_rate)
					return br_tf_fail(l, vn, k, "give either rate "
					    "or tiers");
				if (br_tf_get_rate(l, vn, k, &p->rate_nano) != 0)
					return -1;
				have_rate = true;
			} else if (strcmp(k, "tiers") == 0) {
				if (have_rate)
					return br_tf_fail(l, vn, k, "give either rate "
					    "or tiers");
				if (br_tf_load_tier_list(l, vn, p->tiers,
				    &p->ntiers) != 0)
					return -1;
				have_rate = true;
			} else if (strcmp(k, "days") == 0) {
				if (br_tf_get_scalar(l, vn, k, &s) != 0)
					return -1;
				if (strcmp(s, "weekday") == 0)
					days[BR_DAY_WEEKEND] = false;
				else if (strcmp(s, "weekend") == 0)
					days[BR_DAY_WEEKDAY] = false;
				else if (strcmp(s, "all") != 0)
					return br_tf_fail(l, vn, k, "expected weekday,"
					    " weekend or all, not '%s'", s);
			} else if (strcmp(k, "hours") == 0) {
				have_hours = true;
				if (vn->type == YAML_SEQUENCE_NODE) {
					FOR_ITEMS(l, vn, hit) {
						if (parse_hours(l, hit, &from,
						    &to) != 0)
							return -1;
						for (q = from; q < to; q++)
							hours[q] = true;
					}
				} else {
					if (parse_hours(l, vn, &from, &to) != 0)
						return -1;
					for (q = from; q < to; q++)
						hours[q] = true;
				}
			} else
				return br_tf_unknown(l, kn, k);
		}
		if (p->name[0] == '\0')
			return br_tf_missing(l, it, "name");
		if (!have_rate)
			return br_tf_missing(l, it, "rate' or 'tiers");
		if (!have_hours)
			memset(hours, 1, sizeof(hours));
		/* first matching period wins */
		for (dt = 0; dt < 2; dt++)
			for (q = 0; q < 96; q++)
				if (days[dt] && hours[q] &&
				    e->slot_period[dt][q] == 0xff)
					e->slot_period[dt][q] =
					    (uint8_t)e->nperiods;
		e->nperiods++;
	}
	for (dt = 0; dt < 2; dt++)
		for (q = 0; q < 96; q++)
			if (e->slot_period[dt][q] == 0xff) {
				char what[64];
				snprintf(what, sizeof(what), "%s %02d:%02d",
				    dt ? "weekend" : "weekday", q / 4,
				    q % 4 * 15);
				return br_tf_fail(l, seq, "periods", "no period "
				    "covers %s (end with a catch-all period)",
				    what);
			}
	return 0;
}

/* Read an hourly price CSV (path relative to the tariff file). */
static int
load_prices(struct ld *l, const yaml_node_t *n, int *out)
{
	struct br_tariff *t = l->t;
	struct br_price_table *pt;
	const char *rel;
	char line[256], dir[sizeof(t->file)], *slash;
	FILE *f;
	long lineno = 0;
	int64_t *hours = NULL, *vals = NULL, lo = 0, hi = 0;
	size_t cnt = 0, cap = 0, i;

	if (br_tf_get_scalar(l, n, "prices", &rel) != 0)
		return -1;
	if (rel[0] == '\0' || rel[0] == '/' || strstr(rel, ".."))
		return br_tf_fail(l, n, "prices", "bad price file '%s' (a path "
		    "relative to the rates directory)", rel);
	if (t->nprices == BR_TARIFF_MAX_PRICES)
		return br_tf_fail(l, n, "prices", "too many price files");
	pt = &t->prices[t->nprices];
	if (strlen(rel) >= sizeof(pt->name))
		return br_tf_fail(l, n, "prices", "price file name '%s' too long",
		    rel);
	snprintf(pt->name, sizeof(pt->name), "%s", rel);
	memcpy(dir, t->file, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash) {
		slash[1] = '\0';
		snprintf(pt->file, sizeof(pt->file), "%s%s", dir, rel);
	} else
		snprintf(pt->file, sizeof(pt->file), "%s", rel);
	if ((f = fopen(pt->file, "r")) == NULL)
		return br_tf_fail(l, n, "prices", "cannot open price file '%s': %s",
		    pt->file, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *comma, *end = line + strlen(line);
		int64_t secs, price;
		bool zone;
		lineno++;
		while (end > line && (end[-1] == '\n' || end[-1] == '\r'))
			*--end = '\0';
		if (lineno == 1 && strcmp(line, "hour,price") == 0)
			continue;
		comma = strchr(line, ',');
		if (comma == NULL || br_time_parse(line, (size_t)(comma - line),
		    &secs, &zone) != 0 || !zone || secs % 3600 != 0 ||
		    br_rate_parse_nano(comma + 1, (size_t)-1, &price) != 0) {
			br_error_set(l->err, BR_ECONFIG, pt->file, lineno,
			    "bad price row '%s' (hour,price: an hour with a "
			    "zone, e.g. 2026-10-01T05:00Z, and dollars with at "
			    "most 9 decimals, at most 1000000)", line);
			goto fail;
		}
		if (cnt == cap) {
			int64_t *a, *b;
			cap = cap ? 2 * cap : 1024;
			a = realloc(hours, cap * sizeof(*a));
			if (a)
				hours = a;
			b = realloc(vals, cap * sizeof(*b));
			if (b)
				vals = b;
			if (a == NULL || b == NULL) {
				br_error_set(l->err, BR_ENOMEM, NULL, 0,
				    "out of memory");
				goto fail;
			}
		}
		hours[cnt] = secs / 3600;
		vals[cnt] = price;
		if (cnt == 0 || hours[cnt] < lo)
			lo = hours[cnt];
		if (cnt == 0 || hours[cnt] > hi)
			hi = hours[cnt];
		cnt++;
	}
	fclose(f);
	f = NULL;
	if (cnt == 0 || hi - lo > 24 * 366 * 20) {
		br_error_set(l->err, BR_ECONFIG, pt->file, lineno,
		    "price file has no rows or spans more than 20 years");
		goto fail;
	}
	pt->first_hour = lo;
	pt->n = (size_t)(hi - lo + 1);
	if ((pt->price_nano = malloc(pt->n * sizeof(int64_t))) == NULL) {
		br_error_set(l->err, BR_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	for (i = 0; i < pt->n; i++)
		pt->price_nano[i] = INT64_MIN;
	for (i = 0; i < cnt; i++) {
		if (pt->price_nano[hours[i] - lo] != INT64_MIN) {
			br_error_set(l->err, BR_ECONFIG, pt->file, 0,
			    "hour %s appears twice", "(duplicate)");
			goto fail;
		}
		pt->price_nano[hours[i] - lo] = vals[i];
	}
	free(hours);
	free(vals);
	*out = (int)t->nprices++;
	return 0;
fail:
	if (f)
		fclose(f);
	free(hours);
	free(vals);
	free(pt->price_nano);
	pt->price_nano = NULL;
	return -1;
}

/* Does some TOU period of e bill by tiers? */
bool
br_tf_period_tiers(const struct br_tariff_energy *e)
{
	size_t i;

	for (i = 0; i < e->nperiods; i++)
		if (e->periods[i].ntiers > 0)
			return true;
	return false;
}

int
br_tf_load_energy_one(struct ld *l, const yaml_node_t *map,
    struct br_tariff_energy *e)
{
	const yaml_node_t *kn, *vn;
	const char *k;
	int kinds = 0;
	bool have_adder = false;

	if (br_tf_expect(l, map, YAML_MAPPING_NODE, "energy") != 0)
		return -1;
	e->season = -1;
	e->prices = -1;
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "season") == 0) {
			if (br_tf_find_season(l, vn, &e->season) != 0)
				return -1;
		} else if (strcmp(k, "rate") == 0) {
			if (br_tf_get_rate(l, vn, k, &e->rate_nano) != 0)
				return -1;
			e->kind = BR_ENERGY_FLAT;
			kinds++;
		} else if (strcmp(k, "tiers") == 0) {
			if (load_tiers(l, vn, e) != 0)
				return -1;
			e->kind = BR_ENERGY_TIERED;
			kinds++;
		} else if (strcmp(k, "periods") == 0) {
			if (load_periods(l, vn, e) != 0)
				return -1;
			e->kind = BR_ENERGY_TOU;
			kinds++;
		} else if (strcmp(k, "prorate") == 0) {
			if (br_tf_get_bool(l, vn, k, &e->prorate) != 0)
				return -1;
		} else if (strcmp(k, "prices") == 0) {
			if (load_prices(l, vn, &e->prices) != 0)
				return -1;
			e->kind = BR_ENERGY_PRICES;
			kinds++;
		} else if (strcmp(k, "adder") == 0) {
			if (br_tf_get_srate(l, vn, k, &e->adder_nano) != 0)
				return -1;
			have_adder = true;
		} else
			return br_tf_unknown(l, kn, k);
	}
	if (kinds != 1)
		return br_tf_fail(l, map, "energy", "give exactly one of rate, tiers, "
		    "periods or prices");
	if (have_adder && e->kind != BR_ENERGY_PRICES)
		return br_tf_fail(l, map, "adder", "only prices take an adder");
	if (e->prorate && e->kind != BR_ENERGY_TIERED &&
	    !(e->kind == BR_ENERGY_TOU && br_tf_period_tiers(e)))
		return br_tf_fail(l, map, "prorate", "only tiers can be prorated");
	return 0;
}
