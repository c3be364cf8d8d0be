/*
 * tariff.c: load a tariff YAML file (docs/tariff.md) into struct br_tariff.
 *
 * The whole file is parsed into a libyaml document, then walked node by
 * node; every error names the file, the 1-based line of the offending node
 * and the key.  Unknown keys are errors (a typo must not silently drop a
 * charge).
 */
#include "rate/tariff.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "core/date.h"
#include "core/units.h"
#include "core/banned.h"

struct ld {
	yaml_document_t *doc;
	struct br_tariff *t;
	struct br_error *err;
};

static long
node_line(const yaml_node_t *n)
{
	return n ? (long)n->start_mark.line + 1 : 0;
}

static int fail(struct ld *l, const yaml_node_t *n, const char *key,
    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int
fail(struct ld *l, const yaml_node_t *n, const char *key, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return br_error_set(l->err, BR_ECONFIG, l->t->file, node_line(n),
	    "key '%s': %s", key, msg);
}

static const char *
scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static int
get_scalar(struct ld *l, const yaml_node_t *n, const char *key,
    const char **out)
{
	if ((*out = scalar(n)) == NULL)
		return fail(l, n, key, "expected a scalar value");
	return 0;
}

static int
get_text(struct ld *l, const yaml_node_t *n, const char *key, char *buf,
    size_t size)
{
	const char *s;

	if (get_scalar(l, n, key, &s) != 0)
		return -1;
	if (strlen(s) == 0 || strlen(s) >= size)
		return fail(l, n, key, "empty or too long value '%s'", s);
	snprintf(buf, size, "%s", s);
	return 0;
}

/* Money rate: decimal dollars, at most 6 decimals. */
static int
get_rate(struct ld *l, const yaml_node_t *n, const char *key, int64_t *out)
{
	const char *s;

	if (get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_decimal_parse(s, (size_t)-1, 6, out) != 0)
		return fail(l, n, key, "bad rate '%s' (a decimal number of "
		    "dollars with at most 6 decimals)", s);
	if (*out < 0)
		return fail(l, n, key, "negative rate '%s'", s);
	return 0;
}

/* Signed rate (riders may be credits). */
static int
get_srate(struct ld *l, const yaml_node_t *n, const char *key, int64_t *out)
{
	const char *s;

	if (get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_decimal_parse(s, (size_t)-1, 6, out) != 0)
		return fail(l, n, key, "bad rate '%s' (a decimal number of "
		    "dollars with at most 6 decimals)", s);
	return 0;
}

/* Percent with at most 4 decimals -> parts per million (6.25 -> 62500). */
static int
get_percent(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out)
{
	const char *s;

	if (get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_decimal_parse(s, (size_t)-1, 4, out) != 0 || *out < 0 ||
	    *out > 100000000)
		return fail(l, n, key, "bad percent '%s' (0 to 10000 with at "
		    "most 4 decimals)", s);
	return 0;
}

static int
get_int(struct ld *l, const yaml_node_t *n, const char *key, long lo,
    long hi, int *out)
{
	const char *s;
	char *end;
	long v;

	if (get_scalar(l, n, key, &s) != 0)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return fail(l, n, key, "bad integer '%s' (%ld to %ld)", s, lo,
		    hi);
	*out = (int)v;
	return 0;
}

static int
get_qty(struct ld *l, const yaml_node_t *n, const char *key, int64_t *out)
{
	const char *s;

	if (get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_decimal_parse(s, (size_t)-1, 3, out) != 0 || *out <= 0)
		return fail(l, n, key, "bad quantity '%s' (a positive decimal "
		    "with at most 3 decimals)", s);
	return 0;
}

static int
get_date(struct ld *l, const yaml_node_t *n, const char *key, int32_t *out)
{
	const char *s;

	if (get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_date_parse(s, (size_t)-1, out) != 0)
		return fail(l, n, key, "bad date '%s' (YYYY-MM-DD)", s);
	return 0;
}

static int
get_bool(struct ld *l, const yaml_node_t *n, const char *key, bool *out)
{
	const char *s;

	if (get_scalar(l, n, key, &s) != 0)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		*out = false;
	else
		return fail(l, n, key, "expected true or false, not '%s'", s);
	return 0;
}

static int
expect(struct ld *l, const yaml_node_t *n, yaml_node_type_t type,
    const char *key)
{
	if (n == NULL || n->type != type)
		return fail(l, n, key, "expected a %s", type ==
		    YAML_MAPPING_NODE ? "mapping" : "list");
	return 0;
}

#define FOR_PAIRS(l, map, kn, vn, kname)				\
	for (yaml_node_pair_t *p_##kn = (map)->data.mapping.pairs.start;	\
	    p_##kn < (map)->data.mapping.pairs.top &&			\
	    ((kn) = yaml_document_get_node((l)->doc, p_##kn->key)) != NULL &&	\
	    ((vn) = yaml_document_get_node((l)->doc, p_##kn->value)) != NULL &&	\
	    ((kname) = scalar(kn) ? scalar(kn) : "?") != NULL; p_##kn++)

#define FOR_ITEMS(l, seq, vn)						\
	for (yaml_node_item_t *i_##vn = (seq)->data.sequence.items.start;	\
	    i_##vn < (seq)->data.sequence.items.top &&			\
	    ((vn) = yaml_document_get_node((l)->doc, *i_##vn)) != NULL; i_##vn++)

static int
unknown(struct ld *l, const yaml_node_t *kn, const char *key)
{
	return br_error_set(l->err, BR_ECONFIG, l->t->file, node_line(kn),
	    "unknown key '%s'", key);
}

static int
missing(struct ld *l, const yaml_node_t *n, const char *key)
{
	return br_error_set(l->err, BR_ECONFIG, l->t->file, node_line(n),
	    "missing key '%s'", key);
}

static int
find_season(struct ld *l, const yaml_node_t *n, int *out)
{
	const char *s;
	size_t i;

	if (get_scalar(l, n, "season", &s) != 0)
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
	return fail(l, n, "season", "unknown season '%s'", s);
}

/* "6-9" or "7" */
static int
parse_months(struct ld *l, const yaml_node_t *n, struct br_tariff_season *s)
{
	const char *v;
	char *end;
	long a, b;

	if (get_scalar(l, n, "months", &v) != 0)
		return -1;
	errno = 0;
	a = strtol(v, &end, 10);
	b = a;
	if (*end == '-')
		b = strtol(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == v || a < 1 || a > 12 ||
	    b < 1 || b > 12)
		return fail(l, n, "months", "bad month range '%s' (e.g. 6-9)",
		    v);
	s->from_month = (int)a;
	s->to_month = (int)b;
	return 0;
}

static int
load_seasons(struct ld *l, const yaml_node_t *seq)
{
	struct br_tariff *t = l->t;
	const yaml_node_t *it, *kn, *vn;
	const char *k;
	int m;

	if (expect(l, seq, YAML_SEQUENCE_NODE, "seasons") != 0)
		return -1;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_season *s;
		bool have_name = false, have_months = false;

		if (expect(l, it, YAML_MAPPING_NODE, "seasons") != 0)
			return -1;
		if (t->nseasons == BR_TARIFF_MAX_SEASONS)
			return fail(l, it, "seasons", "too many seasons");
		s = &t->seasons[t->nseasons];
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "name") == 0) {
				if (get_text(l, vn, k, s->name,
				    sizeof(s->name)) != 0)
					return -1;
				have_name = true;
			} else if (strcmp(k, "months") == 0) {
				if (parse_months(l, vn, s) != 0)
					return -1;
				have_months = true;
			} else
				return unknown(l, kn, k);
		}
		if (!have_name)
			return missing(l, it, "name");
		if (!have_months)
			return missing(l, it, "months");
		if (strcmp(s->name, "all") == 0)
			return fail(l, it, "name", "season name '%s' is "
			    "reserved", s->name);
		m = s->from_month;
		for (;;) {
			if (t->month_season[m] >= 0)
				return br_error_set(l->err, BR_ECONFIG,
				    t->file, node_line(it), "key 'months': "
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
			    node_line(seq), "key 'seasons': seasons do not "
			    "cover every month (month %d missing)", m);
	return 0;
}

static int
cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static int
load_holidays(struct ld *l, const yaml_node_t *seq)
{
	struct br_tariff *t = l->t;
	const yaml_node_t *it;

	if (expect(l, seq, YAML_SEQUENCE_NODE, "holidays") != 0)
		return -1;
	free(t->holidays);
	t->nholidays = 0;
	t->holidays = calloc(seq->data.sequence.items.top -
	    seq->data.sequence.items.start + 1, sizeof(int32_t));
	if (t->holidays == NULL)
		return br_error_set(l->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	FOR_ITEMS(l, seq, it) {
		if (get_date(l, it, "holidays", &t->holidays[t->nholidays]) !=
		    0)
			return -1;
		t->nholidays++;
	}
	if (t->nholidays > 1)
		qsort(t->holidays, t->nholidays, sizeof(int32_t), cmp_day);
	return 0;
}

/*
 * A tier list: cumulative limits `upto` (increasing), the last tier
 * unlimited.  Used by tiered energy, tiers inside a TOU period and demand
 * kW blocks; `unit` names the quantity in messages.
 */
static int
load_tier_list(struct ld *l, const yaml_node_t *seq,
    struct br_tariff_tier *tiers, size_t *ntiers)
{
	const yaml_node_t *it, *kn, *vn;
	const char *k;

	if (expect(l, seq, YAML_SEQUENCE_NODE, "tiers") != 0)
		return -1;
	*ntiers = 0;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_tier *tr;
		bool have_rate = false;
		size_t n = *ntiers;

		if (expect(l, it, YAML_MAPPING_NODE, "tiers") != 0)
			return -1;
		if (n == BR_TARIFF_MAX_TIERS)
			return fail(l, it, "tiers", "too many tiers");
		if (n > 0 && tiers[n - 1].upto_milli < 0)
			return fail(l, it, "tiers", "a tier follows the last "
			    "(unlimited) tier");
		tr = &tiers[n];
		tr->upto_milli = -1;
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "upto") == 0) {
				if (get_qty(l, vn, k, &tr->upto_milli) != 0)
					return -1;
				if (n > 0 && tr->upto_milli <=
				    tiers[n - 1].upto_milli)
					return fail(l, vn, k, "tier limits "
					    "must increase");
			} else if (strcmp(k, "rate") == 0) {
				if (get_rate(l, vn, k, &tr->rate_micro) != 0)
					return -1;
				have_rate = true;
			} else
				return unknown(l, kn, k);
		}
		if (!have_rate)
			return missing(l, it, "rate");
		(*ntiers)++;
	}
	if (*ntiers == 0 || tiers[*ntiers - 1].upto_milli >= 0)
		return fail(l, seq, "tiers", "the last tier must have no "
		    "'upto' limit");
	return 0;
}

static int
load_tiers(struct ld *l, const yaml_node_t *seq, struct br_tariff_energy *e)
{
	return load_tier_list(l, seq, e->tiers, &e->ntiers);
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

	if (get_scalar(l, n, "hours", &s) != 0)
		return -1;
	if (strlen(s) != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':' ||
	    (h1 = two_digits(s)) < 0 || (m1 = two_digits(s + 3)) < 0 ||
	    (h2 = two_digits(s + 6)) < 0 || (m2 = two_digits(s + 9)) < 0 ||
	    h1 > 23 || h2 > 24 || m1 % 15 || m2 % 15 || m1 > 45 || m2 > 45 ||
	    (h2 == 24 && m2 != 0) || h1 * 60 + m1 >= h2 * 60 + m2)
		return fail(l, n, "hours", "bad hour range '%s' (HH:MM-HH:MM "
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

	if (expect(l, seq, YAML_SEQUENCE_NODE, "periods") != 0)
		return -1;
	memset(e->slot_period, 0xff, sizeof(e->slot_period));
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_period *p;
		bool days[2] = { true, true }, have_rate = false;
		bool hours[96];
		bool have_hours = false;
		int from, to;

		if (expect(l, it, YAML_MAPPING_NODE, "periods") != 0)
			return -1;
		if (e->nperiods == BR_TARIFF_MAX_PERIODS)
			return fail(l, it, "periods", "too many periods");
		p = &e->periods[e->nperiods];
		memset(hours, 0, sizeof(hours));
		p->name[0] = '\0';
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "name") == 0) {
				if (get_text(l, vn, k, p->name,
				    sizeof(p->name)) != 0)
					return -1;
			} else if (strcmp(k, "rate") == 0) {
				if (have_rate)
					return fail(l, vn, k, "give either rate "
					    "or tiers");
				if (get_rate(l, vn, k, &p->rate_micro) != 0)
					return -1;
				have_rate = true;
			} else if (strcmp(k, "tiers") == 0) {
				if (have_rate)
					return fail(l, vn, k, "give either rate "
					    "or tiers");
				if (load_tier_list(l, vn, p->tiers,
				    &p->ntiers) != 0)
					return -1;
				have_rate = true;
			} else if (strcmp(k, "days") == 0) {
				if (get_scalar(l, vn, k, &s) != 0)
					return -1;
				if (strcmp(s, "weekday") == 0)
					days[BR_DAY_WEEKEND] = false;
				else if (strcmp(s, "weekend") == 0)
					days[BR_DAY_WEEKDAY] = false;
				else if (strcmp(s, "all") != 0)
					return fail(l, vn, k, "expected weekday,"
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
				return unknown(l, kn, k);
		}
		if (p->name[0] == '\0')
			return missing(l, it, "name");
		if (!have_rate)
			return missing(l, it, "rate' or 'tiers");
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
				return fail(l, seq, "periods", "no period "
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

	if (get_scalar(l, n, "prices", &rel) != 0)
		return -1;
	if (rel[0] == '\0' || rel[0] == '/' || strstr(rel, ".."))
		return fail(l, n, "prices", "bad price file '%s' (a path "
		    "relative to the rates directory)", rel);
	if (t->nprices == BR_TARIFF_MAX_PRICES)
		return fail(l, n, "prices", "too many price files");
	pt = &t->prices[t->nprices];
	if (strlen(rel) >= sizeof(pt->name))
		return fail(l, n, "prices", "price file name '%s' too long",
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
		return fail(l, n, "prices", "cannot open price file '%s': %s",
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
		    br_decimal_parse(comma + 1, (size_t)-1, 6, &price) != 0) {
			br_error_set(l->err, BR_ECONFIG, pt->file, lineno,
			    "bad price row '%s' (hour,price: an hour with a "
			    "zone, e.g. 2026-10-01T05:00Z, and dollars with at "
			    "most 6 decimals)", line);
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
	if ((pt->price_micro = malloc(pt->n * sizeof(int64_t))) == NULL) {
		br_error_set(l->err, BR_ENOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	for (i = 0; i < pt->n; i++)
		pt->price_micro[i] = INT64_MIN;
	for (i = 0; i < cnt; i++) {
		if (pt->price_micro[hours[i] - lo] != INT64_MIN) {
			br_error_set(l->err, BR_ECONFIG, pt->file, 0,
			    "hour %s appears twice", "(duplicate)");
			goto fail;
		}
		pt->price_micro[hours[i] - lo] = vals[i];
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
	free(pt->price_micro);
	pt->price_micro = NULL;
	return -1;
}

/* Does some TOU period of e bill by tiers? */
static bool
period_tiers(const struct br_tariff_energy *e)
{
	size_t i;

	for (i = 0; i < e->nperiods; i++)
		if (e->periods[i].ntiers > 0)
			return true;
	return false;
}

static int
load_energy_one(struct ld *l, const yaml_node_t *map,
    struct br_tariff_energy *e)
{
	const yaml_node_t *kn, *vn;
	const char *k;
	int kinds = 0;
	bool have_adder = false;

	if (expect(l, map, YAML_MAPPING_NODE, "energy") != 0)
		return -1;
	e->season = -1;
	e->prices = -1;
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "season") == 0) {
			if (find_season(l, vn, &e->season) != 0)
				return -1;
		} else if (strcmp(k, "rate") == 0) {
			if (get_rate(l, vn, k, &e->rate_micro) != 0)
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
			if (get_bool(l, vn, k, &e->prorate) != 0)
				return -1;
		} else if (strcmp(k, "prices") == 0) {
			if (load_prices(l, vn, &e->prices) != 0)
				return -1;
			e->kind = BR_ENERGY_PRICES;
			kinds++;
		} else if (strcmp(k, "adder") == 0) {
			if (get_srate(l, vn, k, &e->adder_micro) != 0)
				return -1;
			have_adder = true;
		} else
			return unknown(l, kn, k);
	}
	if (kinds != 1)
		return fail(l, map, "energy", "give exactly one of rate, tiers, "
		    "periods or prices");
	if (have_adder && e->kind != BR_ENERGY_PRICES)
		return fail(l, map, "adder", "only prices take an adder");
	if (e->prorate && e->kind != BR_ENERGY_TIERED &&
	    !(e->kind == BR_ENERGY_TOU && period_tiers(e)))
		return fail(l, map, "prorate", "only tiers can be prorated");
	return 0;
}

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
			return fail(l, n, key, "more than one entry applies "
			    "to season '%s'", name);
		if (hits == 0 && required)
			return fail(l, n, key, "no entry for season '%s'",
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

	if (expect(l, map, YAML_MAPPING_NODE, what) != 0)
		return -1;
	*per = BR_PER_MONTH;
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "amount") == 0) {
			if (get_rate(l, vn, k, amount) != 0)
				return -1;
			have_amount = true;
		} else if (strcmp(k, "per") == 0) {
			if (get_scalar(l, vn, k, &s) != 0)
				return -1;
			if (strcmp(s, "month") == 0)
				*per = BR_PER_MONTH;
			else if (strcmp(s, "day") == 0)
				*per = BR_PER_DAY;
			else
				return fail(l, vn, k, "expected month or day, "
				    "not '%s'", s);
		} else
			return unknown(l, kn, k);
	}
	if (!have_amount)
		return missing(l, map, "amount");
	return 0;
}

static int
load_ratchet(struct ld *l, const yaml_node_t *map, struct br_tariff_demand *d)
{
	const yaml_node_t *kn, *vn;
	const char *k;
	bool have_pct = false, have_months = false;

	if (expect(l, map, YAML_MAPPING_NODE, "ratchet") != 0)
		return -1;
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "percent") == 0) {
			if (get_percent(l, vn, k, &d->ratchet_ppm) != 0)
				return -1;
			if (d->ratchet_ppm == 0 || d->ratchet_ppm > 1000000)
				return fail(l, vn, k, "ratchet percent must be "
				    "above 0 and at most 100");
			have_pct = true;
		} else if (strcmp(k, "months") == 0) {
			if (get_int(l, vn, k, 1, 36, &d->ratchet_months) != 0)
				return -1;
			have_months = true;
		} else
			return unknown(l, kn, k);
	}
	if (!have_pct)
		return missing(l, map, "percent");
	if (!have_months)
		return missing(l, map, "months");
	return 0;
}

/* Line codes: upper case letters, digits and '_'. */
static int
get_code(struct ld *l, const yaml_node_t *n, const char *key, char *buf,
    size_t size)
{
	size_t i;

	if (get_text(l, n, key, buf, size) != 0)
		return -1;
	for (i = 0; buf[i]; i++)
		if (!((buf[i] >= 'A' && buf[i] <= 'Z') || buf[i] == '_' ||
		    (buf[i] >= '0' && buf[i] <= '9')))
			return fail(l, n, key, "bad line code '%s' (A-Z, 0-9, "
			    "_)", buf);
	return 0;
}

static int
load_riders(struct ld *l, const yaml_node_t *seq, struct br_tariff_version *v)
{
	const yaml_node_t *it, *kn, *vn;
	const char *k;

	if (expect(l, seq, YAML_SEQUENCE_NODE, "riders") != 0)
		return -1;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_rider *r;
		bool have_rate = false;
		if (expect(l, it, YAML_MAPPING_NODE, "riders") != 0)
			return -1;
		if (v->nriders == BR_TARIFF_MAX_CHARGES)
			return fail(l, it, "riders", "too many riders");
		r = &v->riders[v->nriders];
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "code") == 0) {
				if (get_code(l, vn, k, r->code,
				    sizeof(r->code)) != 0)
					return -1;
			} else if (strcmp(k, "name") == 0) {
				if (get_text(l, vn, k, r->name,
				    sizeof(r->name)) != 0)
					return -1;
			} else if (strcmp(k, "rate") == 0) {
				if (get_srate(l, vn, k, &r->rate_micro) != 0)
					return -1;
				have_rate = true;
			} else
				return unknown(l, kn, k);
		}
		if (r->code[0] == '\0')
			return missing(l, it, "code");
		if (!have_rate)
			return missing(l, it, "rate");
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

	if (expect(l, seq, YAML_SEQUENCE_NODE, "taxes") != 0)
		return -1;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_tax *x;
		bool have_pct = false;
		if (expect(l, it, YAML_MAPPING_NODE, "taxes") != 0)
			return -1;
		if (v->ntaxes == BR_TARIFF_MAX_CHARGES)
			return fail(l, it, "taxes", "too many taxes");
		x = &v->taxes[v->ntaxes];
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "code") == 0) {
				if (get_code(l, vn, k, x->code,
				    sizeof(x->code)) != 0)
					return -1;
			} else if (strcmp(k, "name") == 0) {
				if (get_text(l, vn, k, x->name,
				    sizeof(x->name)) != 0)
					return -1;
			} else if (strcmp(k, "percent") == 0) {
				if (get_percent(l, vn, k, &x->ppm) != 0)
					return -1;
				have_pct = true;
			} else if (strcmp(k, "applies_to") == 0) {
				const char *s = scalar(vn);
				if (s && strcmp(s, "all") == 0)
					continue;
				if (expect(l, vn, YAML_SEQUENCE_NODE, k) != 0)
					return -1;
				FOR_ITEMS(l, vn, an) {
					if (x->napply == BR_TARIFF_MAX_APPLY)
						return fail(l, an, k, "too "
						    "many line codes");
					if (get_text(l, an, k,
					    x->apply[x->napply],
					    sizeof(x->apply[0])) != 0)
						return -1;
					x->napply++;
				}
				if (x->napply == 0)
					return fail(l, vn, k, "empty list");
			} else
				return unknown(l, kn, k);
		}
		if (x->code[0] == '\0')
			return missing(l, it, "code");
		if (!have_pct)
			return missing(l, it, "percent");
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

	if (expect(l, seq, YAML_SEQUENCE_NODE, "btu_factors") != 0)
		return -1;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_btu *b;
		bool have_m = false, have_f = false;
		if (expect(l, it, YAML_MAPPING_NODE, "btu_factors") != 0)
			return -1;
		if (v->nbtu == BR_TARIFF_MAX_BTU)
			return fail(l, it, "btu_factors", "too many months");
		b = &v->btu[v->nbtu];
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "month") == 0) {
				char buf[16];
				int32_t day;
				int y, m, d;
				if (get_scalar(l, vn, k, &s) != 0)
					return -1;
				snprintf(buf, sizeof(buf), "%.7s-01", s);
				if (strlen(s) != 7 ||
				    br_date_parse(buf, (size_t)-1, &day) != 0)
					return fail(l, vn, k, "bad month '%s' "
					    "(YYYY-MM)", s);
				br_date_civil(day, &y, &m, &d);
				b->ym = y * 12 + m - 1;
				have_m = true;
			} else if (strcmp(k, "factor") == 0) {
				if (get_rate(l, vn, k, &b->factor_micro) != 0)
					return -1;
				if (b->factor_micro == 0)
					return fail(l, vn, k, "zero factor");
				have_f = true;
			} else
				return unknown(l, kn, k);
		}
		if (!have_m)
			return missing(l, it, "month");
		if (!have_f)
			return missing(l, it, "factor");
		v->nbtu++;
	}
	qsort(v->btu, v->nbtu, sizeof(v->btu[0]), cmp_btu);
	for (i = 1; i < v->nbtu; i++)
		if (v->btu[i].ym == v->btu[i - 1].ym)
			return fail(l, seq, "btu_factors", "a month appears "
			    "twice");
	return 0;
}

static int
load_nem(struct ld *l, const yaml_node_t *seq, struct br_tariff_version *v)
{
	const yaml_node_t *it, *kn, *vn;
	const char *k, *s;

	if (expect(l, seq, YAML_SEQUENCE_NODE, "net_metering") != 0)
		return -1;
	FOR_ITEMS(l, seq, it) {
		struct br_tariff_nem *nm;
		bool have_surplus = false, have_exp = false;
		if (expect(l, it, YAML_MAPPING_NODE, "net_metering") != 0)
			return -1;
		if (v->nnem == 2)
			return fail(l, it, "net_metering", "at most two "
			    "programs");
		nm = &v->nem[v->nnem];
		nm->exp_prices = -1;
		nm->true_up_month = 12;
		FOR_PAIRS(l, it, kn, vn, k) {
			if (strcmp(k, "program") == 0) {
				if (get_text(l, vn, k, nm->program,
				    sizeof(nm->program)) != 0)
					return -1;
			} else if (strcmp(k, "mode") == 0) {
				if (get_scalar(l, vn, k, &s) != 0)
					return -1;
				if (strcmp(s, "netting") == 0)
					nm->mode = BR_NEM_NETTING;
				else if (strcmp(s, "billing") == 0)
					nm->mode = BR_NEM_BILLING;
				else
					return fail(l, vn, k, "expected "
					    "netting or billing, not '%s'", s);
			} else if (strcmp(k, "surplus_rate") == 0) {
				if (get_rate(l, vn, k, &nm->surplus_micro) != 0)
					return -1;
				have_surplus = true;
			} else if (strcmp(k, "true_up_month") == 0) {
				if (get_int(l, vn, k, 1, 12,
				    &nm->true_up_month) != 0)
					return -1;
			} else if (strcmp(k, "export") == 0) {
				if (load_energy_one(l, vn, &nm->exp) != 0)
					return -1;
				if (nm->exp.kind == BR_ENERGY_TIERED ||
				    period_tiers(&nm->exp))
					return fail(l, vn, k, "exports take a "
					    "rate, periods or prices (no "
					    "tiers)");
				if (nm->exp.season >= 0)
					return fail(l, vn, k, "no season here "
					    "(use versions per season)");
				have_exp = true;
			} else
				return unknown(l, kn, k);
		}
		if (nm->program[0] == '\0')
			return missing(l, it, "program");
		if (nm->mode == BR_NEM_NONE)
			return missing(l, it, "mode");
		if (nm->mode == BR_NEM_NETTING && !have_surplus)
			return missing(l, it, "surplus_rate");
		if (nm->mode == BR_NEM_BILLING && !have_exp)
			return missing(l, it, "export");
		if (nm->mode == BR_NEM_NETTING && have_exp)
			return fail(l, it, "export", "netting has no export "
			    "prices (surplus_rate at true-up)");
		if (nm->mode == BR_NEM_BILLING && have_surplus)
			return fail(l, it, "surplus_rate", "only netting has "
			    "a surplus rate");
		if (v->nnem == 1 && strcmp(v->nem[0].program, nm->program) ==
		    0)
			return fail(l, it, "program", "program '%s' twice",
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

	if (expect(l, map, YAML_MAPPING_NODE, "sewer") != 0)
		return -1;
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "rate") == 0) {
			if (get_rate(l, vn, k, &v->sewer.rate_micro) != 0)
				return -1;
			have_rate = true;
		} else if (strcmp(k, "customer_charge") == 0) {
			if (get_rate(l, vn, k, &v->sewer.customer_micro) != 0)
				return -1;
		} else if (strcmp(k, "winter_months") == 0) {
			if (parse_months(l, vn, &tmp) != 0)
				return -1;
			v->sewer.from_month = tmp.from_month;
			v->sewer.to_month = tmp.to_month;
			have_months = true;
		} else
			return unknown(l, kn, k);
	}
	if (!have_rate)
		return missing(l, map, "rate");
	if (!have_months)
		return missing(l, map, "winter_months");
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
				return fail(l, it, "period", "too many "
				    "periods");
			if (get_text(l, it, "period", d->periods[d->nperiods],
			    sizeof(d->periods[0])) != 0)
				return -1;
			for (i = 0; i < d->nperiods; i++)
				if (strcmp(d->periods[i],
				    d->periods[d->nperiods]) == 0)
					return fail(l, it, "period", "period "
					    "'%s' twice", d->periods[i]);
			d->nperiods++;
		}
		if (d->nperiods == 0)
			return fail(l, n, "period", "empty list");
	} else {
		if (get_text(l, n, "period", d->periods[0],
		    sizeof(d->periods[0])) != 0)
			return -1;
		d->nperiods = 1;
	}
	d->period[0] = '\0';
	for (i = 0; i < d->nperiods; i++)
		len += (size_t)snprintf(d->period + len, sizeof(d->period) -
		    len, "%s%s", i ? "+" : "", d->periods[i]);
	if (len >= sizeof(d->period))
		return fail(l, n, "period", "period names too long");
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
				return fail(l, dn, "demand", "more than one "
				    "entry applies to one season and period");
		if (d->period[0] == '\0')
			continue;
		/* DEMAND_<NAMES>[_T<n>] must fit a line code */
		if (strlen(d->period) > (d->ntiers ? 28u : 31u))
			return fail(l, dn, "period", "period names '%s' too "
			    "long for a line code (at most %d characters "
			    "together)", d->period, d->ntiers ? 28 : 31);
		if (d->ratchet_ppm && d->ntiers > 0)
			return fail(l, dn, "ratchet", "a ratchet on a TOU "
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
					return fail(l, dn, "period", "demand "
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

	if (expect(l, map, YAML_MAPPING_NODE, "customer_charge") != 0)
		return -1;
	v->customer_per = BR_PER_MONTH;
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "amount") == 0) {
			if (get_rate(l, vn, k, &v->customer_micro) != 0)
				return -1;
			have_amount = true;
		} else if (strcmp(k, "per") == 0) {
			if (get_scalar(l, vn, k, &s) != 0)
				return -1;
			if (strcmp(s, "month") == 0)
				v->customer_per = BR_PER_MONTH;
			else if (strcmp(s, "day") == 0)
				v->customer_per = BR_PER_DAY;
			else
				return fail(l, vn, k, "expected month or day, "
				    "not '%s'", s);
		} else
			return unknown(l, kn, k);
	}
	if (!have_amount)
		return missing(l, map, "amount");
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

	if (expect(l, map, YAML_MAPPING_NODE, "versions") != 0)
		return -1;
	v->line = node_line(map);
	FOR_PAIRS(l, map, kn, vn, k) {
		if (strcmp(k, "effective") == 0) {
			if (get_date(l, vn, k, &v->effective) != 0)
				return -1;
			have_eff = true;
		} else if (strcmp(k, "customer_charge") == 0) {
			if (load_customer(l, vn, v) != 0)
				return -1;
		} else if (strcmp(k, "energy") == 0) {
			if (expect(l, vn, YAML_SEQUENCE_NODE, k) != 0)
				return -1;
			en = vn;
			FOR_ITEMS(l, vn, it) {
				if (v->nenergy == BR_TARIFF_MAX_CHARGES)
					return fail(l, it, k, "too many "
					    "entries");
				if (load_energy_one(l, it,
				    &v->energy[v->nenergy]) != 0)
					return -1;
				v->nenergy++;
			}
		} else if (strcmp(k, "demand") == 0) {
			const yaml_node_t *dk, *dv;
			const char *dkey;
			if (expect(l, vn, YAML_SEQUENCE_NODE, k) != 0)
				return -1;
			dn = vn;
			FOR_ITEMS(l, vn, it) {
				struct br_tariff_demand *d;
				bool have_rate = false;
				if (expect(l, it, YAML_MAPPING_NODE, k) != 0)
					return -1;
				if (v->ndemand == BR_TARIFF_MAX_DEMAND)
					return fail(l, it, k, "too many "
					    "entries");
				d = &v->demand[v->ndemand];
				d->season = -1;
				FOR_PAIRS(l, it, dk, dv, dkey) {
					if (strcmp(dkey, "season") == 0) {
						if (find_season(l, dv,
						    &d->season) != 0)
							return -1;
					} else if (strcmp(dkey, "rate") == 0) {
						if (have_rate)
							return fail(l, dv, dkey,
							    "give either rate "
							    "or tiers");
						if (get_rate(l, dv, dkey,
						    &d->rate_micro) != 0)
							return -1;
						have_rate = true;
					} else if (strcmp(dkey, "tiers") == 0) {
						if (have_rate)
							return fail(l, dv, dkey,
							    "give either rate "
							    "or tiers");
						if (load_tier_list(l, dv,
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
						if (get_bool(l, dv, dkey,
						    &d->totalize) != 0)
							return -1;
					} else if (strcmp(dkey, "ratchet") ==
					    0) {
						if (load_ratchet(l, dv, d) != 0)
							return -1;
					} else
						return unknown(l, dk, dkey);
				}
				if (!have_rate)
					return missing(l, it, "rate' or "
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
			if (get_rate(l, vn, k, &v->btu_micro) != 0)
				return -1;
			if (v->btu_micro == 0)
				return fail(l, vn, k, "zero factor");
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
			return unknown(l, kn, k);
	}
	if (!have_eff)
		return missing(l, map, "effective");
	if (check_demand(l, dn, v) != 0)
		return -1;
	if (en == NULL)
		return missing(l, map, "energy");
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

	if (expect(l, seq, YAML_SEQUENCE_NODE, "versions") != 0)
		return -1;
	n = (size_t)(seq->data.sequence.items.top -
	    seq->data.sequence.items.start);
	if (n == 0)
		return fail(l, seq, "versions", "no versions");
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
	if (expect(l, root, YAML_MAPPING_NODE, "(top level)") != 0)
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
	if (seasons && load_seasons(l, seasons) != 0)
		return -1;
	if (holidays && load_holidays(l, holidays) != 0)
		return -1;
	FOR_PAIRS(l, root, kn, vn, k) {
		if (strcmp(k, "code") == 0) {
			if (get_text(l, vn, k, t->code, sizeof(t->code)) != 0)
				return -1;
		} else if (strcmp(k, "name") == 0) {
			if (get_text(l, vn, k, t->name, sizeof(t->name)) != 0)
				return -1;
		} else if (strcmp(k, "unit") == 0) {
			if (get_text(l, vn, k, t->unit, sizeof(t->unit)) != 0)
				return -1;
			if (br_unit_for(t->unit, BR_UNIT_TARIFF) == NULL)
				return fail(l, vn, k, "unknown unit '%s' (%s)",
				    t->unit, br_unit_names(BR_UNIT_TARIFF,
				    names, sizeof(names)));
		} else if (strcmp(k, "rounding") == 0) {
			if (get_scalar(l, vn, k, &s) != 0)
				return -1;
			if (br_round_parse(s, &t->rounding) != 0)
				return fail(l, vn, k, "unknown rounding '%s' "
				    "(half_up, half_even, down, up)", s);
			have_rounding = true;
		} else if (strcmp(k, "seasons") && strcmp(k, "versions") &&
		    strcmp(k, "holidays"))
			return unknown(l, kn, k);
	}
	if (t->code[0] == '\0')
		return missing(l, root, "code");
	if (t->unit[0] == '\0')
		return missing(l, root, "unit");
	if (!have_rounding)
		t->rounding = BR_ROUND_HALF_UP;
	if (versions == NULL)
		return missing(l, root, "versions");
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
		free(t->prices[i].price_micro);
		t->prices[i].price_micro = NULL;
	}
	t->nprices = 0;
	free(t->holidays);
	free(t->versions);
	t->holidays = NULL;
	t->versions = NULL;
	t->nholidays = t->nversions = 0;
}

int
br_tariff_version_at(const struct br_tariff *t, int32_t day)
{
	int i;

	for (i = (int)t->nversions - 1; i >= 0; i--)
		if (t->versions[i].effective <= day)
			return i;
	return -1;
}

int
br_tariff_season_of(const struct br_tariff *t, int32_t day)
{
	int y, m, d;

	if (t->nseasons == 0)
		return -1;
	br_date_civil(day, &y, &m, &d);
	return t->month_season[m];
}

enum br_daytype
br_tariff_daytype(const struct br_tariff *t, int32_t day)
{
	int wd = br_date_weekday(day);

	if (wd == 0 || wd == 6)
		return BR_DAY_WEEKEND;
	if (t->nholidays && bsearch(&day, t->holidays, t->nholidays,
	    sizeof(int32_t), cmp_day))
		return BR_DAY_WEEKEND;
	return BR_DAY_WEEKDAY;
}

int64_t
br_tariff_btu_at(const struct br_tariff_version *v, int32_t day)
{
	int y, m, d;
	size_t i;

	if (v->nbtu == 0)
		return v->btu_micro;
	br_date_civil(day, &y, &m, &d);
	for (i = 0; i < v->nbtu; i++)
		if (v->btu[i].ym == y * 12 + m - 1)
			return v->btu[i].factor_micro;
	return v->btu_micro;
}

int64_t
br_price_at(const struct br_price_table *p, int64_t t, bool *ok)
{
	int64_t h = br_floor_div(t, 3600) - p->first_hour;

	if (h < 0 || (size_t)h >= p->n || p->price_micro[h] == INT64_MIN) {
		*ok = false;
		return -1;
	}
	*ok = true;
	return p->price_micro[h];
}
