/* SPDX-License-Identifier: Apache-2.0 */
/*
 * urdb_json.c: reading the URDB JSON (docs/urdb-import.md).  The output
 * buffer and the notes and problems lists, exact fixed-point numbers read
 * from their source text (never through a double), case-insensitive field
 * access with camelCase aliases, and the rate structures and 12 x 24
 * schedules of a tariff item.
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

const char *const br_urdb_month_abbr[12] = { "jan", "feb", "mar", "apr",
	"may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" };

/* ---- small helpers ---------------------------------------------------- */

void
br_urdb_bput(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->n;
		va_start(ap, fmt);
		k = vsnprintf(b->p ? b->p + b->n : NULL, room, fmt, ap);
		va_end(ap);
		if (k < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)k < room) {
			b->n += (size_t)k;
			return;
		}
		size_t ncap = b->cap ? b->cap * 2 : 4096;
		while (ncap - b->n <= (size_t)k)
			ncap *= 2;
		char *np = realloc(b->p, ncap);
		if (np == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid. */
int
br_urdb_utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/*
 * Make text from the JSON safe for a YAML comment or a diagnostic line:
 * control characters become blanks, invalid UTF-8 bytes '?'.
 */
void
br_urdb_clean_text(char *s)
{
	unsigned char *u = (unsigned char *)s;

	while (*u) {
		int n = br_urdb_utf8_len(u);
		if (n == 0)
			*u++ = '?';
		else if (n == 1) {
			if (*u < 0x20 || *u == 0x7f)
				*u = ' ';
			u++;
		} else
			u += n;
	}
}

static int
push_msg(char ***v, size_t *n, const char *msg)
{
	char **nv;
	size_t len = strlen(msg) + 1;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], msg) == 0)
			return 0;
	if ((nv = realloc(*v, (*n + 1) * sizeof(char *))) == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = malloc(len)) == NULL)
		return -1;
	memcpy(nv[*n], msg, len);
	(*n)++;
	return 0;
}

void
br_urdb_note(struct cv *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	br_urdb_clean_text(msg);
	if (push_msg(&c->r->notes, &c->r->nnotes, msg) != 0)
		c->y.oom = 1;
}

static bool
ignored(const struct cv *c, const char *field)
{
	for (size_t i = 0; i < c->o->nignore; i++)
		if (strcasecmp(c->o->ignore[i], field) == 0)
			return true;
	return false;
}

/*
 * A feature that cannot be represented.  `field` is the URDB field; when
 * the caller listed it in ignore, it becomes a note instead.
 */

void
br_urdb_problem(struct cv *c, const char *field, const char *fmt, ...)
{
	char msg[480];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	br_urdb_clean_text(msg);
	if (ignored(c, field)) {
		br_urdb_note(c, "dropped by --ignore %s: %s", field, msg);
		br_urdb_bput(&c->cm, "# DROPPED (--ignore %s): %s\n", field, msg);
		return;
	}
	if (c->r->nproblems < 64) {
		char **nv = c->r->problems;
		size_t n = c->r->nproblems;
		if (push_msg(&nv, &n, msg) != 0)
			c->y.oom = 1;
		c->r->problems = nv;
		c->r->nproblems = n;
	}
}

/* ---- numbers ----------------------------------------------------------- */

/*
 * Exact decimal text (JSON number: -12.5e-3) to an integer scaled by
 * 10^scale, rounded half away from zero.  *exact tells whether rounding
 * dropped a non-zero digit.  Returns -1 for bad text or a value that does
 * not fit in 18 digits.
 */
int
br_urdb_dec_scaled(const char *s, int scale, int64_t *out, bool *exact)
{
	char dig[64];
	size_t nd = 0, i;
	long e10 = 0, ex = 0;
	bool neg = false, any = false, seen_point = false;
	int esign = 1;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			any = true;
			if (seen_point)
				e10--;
			if (nd == 0 && *s == '0')
				continue;	/* leading zero */
			if (nd >= sizeof(dig) - 1)
				return -1;
			dig[nd++] = *s;
		} else if (*s == '.' && !seen_point)
			seen_point = true;
		else
			break;
	}
	if (!any)
		return -1;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			esign = *s++ == '-' ? -1 : 1;
		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++)
			if ((ex = ex * 10 + (*s - '0')) > 1000)
				return -1;
	}
	if (*s != '\0')
		return -1;
	e10 += esign * ex + scale;
	/* value = dig x 10^e10 */
	int64_t v = 0;
	size_t keep = nd;
	bool half = false;
	*exact = true;
	if (e10 < 0) {
		size_t drop = (size_t)-e10;
		keep = drop >= nd ? 0 : nd - drop;
		if (drop <= nd)
			half = dig[keep] >= '5';
		for (i = keep; i < nd; i++)
			if (dig[i] != '0')
				*exact = false;
	}
	if (keep + (e10 > 0 ? (size_t)e10 : 0) > 18)
		return -1;
	for (i = 0; i < keep; i++)
		v = v * 10 + (dig[i] - '0');
	for (long k = 0; k < e10; k++)
		v *= 10;
	if (half)
		v++;
	*out = neg ? -v : v;
	return 0;
}

/* The source text of a JSON number (or of a numeric string). */
const char *
br_urdb_num_text(json_object *v)
{
	if (v == NULL)
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_int:
	case json_type_double:
		return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	case json_type_string:
		return json_object_get_string(v);
	default:
		return NULL;
	}
}

/* true when the JSON int saturated (a 39-digit 1e38 literal) */
static bool
num_huge(json_object *v)
{
	if (json_object_get_type(v) == json_type_int)
		return json_object_get_uint64(v) >= (uint64_t)INT64_MAX;
	return false;
}

/*
 * A JSON number that is exactly a whole number (`3`, `3.0`, `3e0`): a
 * period or structure index.  -1 for anything else (a string, null,
 * `1.5`, a saturated huge literal), never a truncation.
 */
int
br_urdb_get_index(json_object *v, int64_t *out)
{
	bool exact;
	int64_t x;

	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return -1;
	if (num_huge(v) || br_urdb_dec_scaled(br_urdb_num_text(v), 0, &x,
	    &exact) != 0 || !exact)
		return -1;
	*out = x;
	return 0;
}

/* Dollars (scale 12); -1 when not a number or out of range. */
int
br_urdb_get_money(json_object *v, int64_t *out)
{
	const char *s = br_urdb_num_text(v);
	bool exact;

	if (s == NULL || num_huge(v))
		return -1;
	return br_urdb_dec_scaled(s, 12, out, &exact);
}

/*
 * Scale 12 -> scale `scale` (6: micro-dollars, 9: nano-dollars), half
 * away from zero; *exact tells whether a non-zero digit was dropped.
 */
int64_t
br_urdb_round12(int64_t p12, int scale, bool *exact)
{
	int64_t d = 1, q, rem;
	int k;

	for (k = scale; k < 12; k++)
		d *= 10;
	q = p12 / d;
	rem = p12 % d;
	*exact = rem == 0;
	if (2 * rem >= d)
		q++;
	else if (2 * rem <= -d)
		q--;
	return q;
}

/*
 * Decimal text of scaled value v with trailing zeros trimmed.  Callers
 * pass scale 3, 6 or 12; 10^scale must fit int64_t, so 0..18.
 */
const char *
br_urdb_fmt_dec(int64_t v, int scale, int mindec, char *b, size_t n)
{
	int64_t p = 1, ip, fp;
	char frac[24];
	int k;

	if (scale < 0 || scale > 18)
		scale = 18;
	for (k = 0; k < scale; k++)
		p *= 10;
	ip = (v < 0 ? -v : v) / p;
	fp = (v < 0 ? -v : v) % p;
	snprintf(frac, sizeof(frac), "%0*lld", scale, (long long)fp);
	for (k = scale; k > mindec && frac[k - 1] == '0'; k--)
		frac[k - 1] = '\0';
	if (k == 0)
		snprintf(b, n, "%s%lld", v < 0 ? "-" : "", (long long)ip);
	else
		snprintf(b, n, "%s%lld.%s", v < 0 ? "-" : "", (long long)ip,
		    frac);
	return b;
}

/* ---- JSON field access (case-insensitive, with camelCase aliases) ------ */

json_object *
br_urdb_field(json_object *o, const char *name)
{
	json_object *hit = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	json_object_object_foreach(o, k, v) {
		if (strcasecmp(k, name) == 0) {
			hit = v;
			break;
		}
	}
	return hit;
}

/* field by any of its spellings (NULL-terminated list) */
json_object *
br_urdb_field_any(json_object *o, const char *const *names)
{
	json_object *v;

	for (; *names; names++)
		if ((v = br_urdb_field(o, *names)) != NULL)
			return v;
	return NULL;
}

const char *const br_urdb_f_demandunit[] = { "demandrateunit",
	"demandrateunits", NULL };
const char *const br_urdb_f_flatunit[] = { "flatdemandunit",
	"flatdemandunits", NULL };
const char *const br_urdb_f_reactive[] = { "demandreactivepowercharge",
	"demandreactpwrcharge", NULL };
const char *const br_urdb_f_dgrules[] = { "dgrules", NULL };

const char *
br_urdb_str_field(json_object *o, const char *name)
{
	json_object *v = br_urdb_field(o, name);

	return v && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* Fields that carry no charge (metadata, applicability, comments). */
const char *const br_urdb_info_fields[] = {
	"label", "uri", "utility", "utility_name", "eiaid", "name", "sector",
	"servicetype", "description", "source", "sourceparent",
	"sourcereference", "startdate", "enddate", "approved", "is_default",
	"supersedes", "supercedes", "revisions", "latest_update", "country",
	"voltagecategory", "phasewiring", "peakkwcapacitymin",
	"peakkwcapacitymax", "peakkwcapacityhistory", "peakkwhusagemin",
	"peakkwhusagemax", "peakkwhusagehistory", "mindemand", "maxdemand",
	"voltageminimum", "voltagemaximum", "servicemax", "energytoulabels",
	"demandtoulabels", "energycomments", "demandcomments",
	"basicinformationcomments", "energyattrs", "demandattrs",
	"demandunits", "demandrateunit", "demandrateunits", "flatdemandunit",
	"flatdemandunits", "coincidentrateunit", "dgrules", "usenetmetering",
	"energyratestructure", "energyweekdayschedule",
	"energyweekendschedule", "demandratestructure",
	"demandweekdayschedule", "demandweekendschedule",
	"flatdemandstructure", "flatdemandmonths", "coincidentratestructure",
	"coincidentschedule", "fixedchargefirstmeter", "fixedchargeeaaddl",
	"fixedchargeunits", "fixedmonthlycharge", "mincharge",
	"minchargeunits", "minmonthlycharge", "annualmincharge",
	"demandreactivepowercharge", "demandreactpwrcharge", "demandwindow",
	"demandratchetpercentage", "lookbackpercent", "lookbackrange",
	"lookbackmonths", "fueladjustmentsmonthly", "realtimepricing",
	"is_default", "fixedkeyvals", "energykeyvals", "demandkeyvals",
	"fixedattrs", "utilityname", "ratename", "id", "_id",
	NULL
};

/* ---- structures and schedules ----------------------------------------- */

int
br_urdb_bad(struct cv *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return br_error_set(c->err, BR_EINPUT, c->src, 0, "%s", msg);
}

void
br_urdb_structure_free(struct structure *s)
{
	for (size_t p = 0; p < s->n; p++)
		free(s->t[p]);
	memset(s, 0, sizeof(*s));
}

/*
 * name[period][tier] = {rate, adj, max, unit, sell}.  demand: limits are
 * kW, energy: kWh.  Limits of 0 (REopt) and >= 1e9 mean "no limit".
 */
int
br_urdb_load_structure(struct cv *c, const char *name, struct structure *s)
{
	json_object *a = br_urdb_field(c->root, name);
	size_t np, nt, p, t;

	if (a == NULL || json_object_is_type(a, json_type_null))
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return br_urdb_bad(c, "%s: expected an array of periods", name);
	np = json_object_array_length(a);
	if (np > MAXP)
		return br_urdb_bad(c, "%s: %zu periods (at most %d)", name, np, MAXP);
	s->present = np > 0;
	for (p = 0; p < np; p++) {
		json_object *pa = json_object_array_get_idx(a, p);
		if (!json_object_is_type(pa, json_type_array) ||
		    (nt = json_object_array_length(pa)) == 0)
			return br_urdb_bad(c, "%s[%zu]: expected a non-empty array of "
			    "tiers", name, p);
		if (nt > MAXT)
			return br_urdb_bad(c, "%s[%zu]: %zu tiers (at most %d)", name,
			    p, nt, MAXT);
		if ((s->t[p] = calloc(nt, sizeof(struct tier))) == NULL)
			return br_error_set(c->err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		s->ntiers[p] = nt;
		s->n = p + 1;
		for (t = 0; t < nt; t++) {
			json_object *o = json_object_array_get_idx(pa, t);
			struct tier *tr = &s->t[p][t];
			int64_t rate = 0, adj = 0;
			char b1[40], b2[40];
			bool have = false;
			if (!json_object_is_type(o, json_type_object))
				return br_urdb_bad(c, "%s[%zu][%zu]: expected an "
				    "object", name, p, t);
			tr->max_milli = -1;
			json_object_object_foreach(o, k, v) {
				if (strcasecmp(k, "rate") == 0) {
					if (br_urdb_get_money(v, &rate) != 0)
						return br_urdb_bad(c, "%s[%zu][%zu]: bad "
						    "rate", name, p, t);
					have = true;
				} else if (strcasecmp(k, "adj") == 0) {
					if (br_urdb_get_money(v, &adj) != 0)
						return br_urdb_bad(c, "%s[%zu][%zu]: bad "
						    "adj", name, p, t);
					have = true;
				} else if (strcasecmp(k, "sell") == 0) {
					if (br_urdb_get_money(v, &tr->sell) != 0)
						return br_urdb_bad(c, "%s[%zu][%zu]: bad "
						    "sell", name, p, t);
				} else if (strcasecmp(k, "max") == 0) {
					const char *x = br_urdb_num_text(v);
					int64_t m;
					bool ex;
					if (x == NULL)
						return br_urdb_bad(c, "%s[%zu][%zu]: bad "
						    "max", name, p, t);
					if (num_huge(v) ||
					    br_urdb_dec_scaled(x, 3, &m, &ex) != 0 ||
					    m >= UNLIMITED_MILLI)
						m = -1;
					else if (m < 0 || !ex)
						return br_urdb_bad(c, "%s[%zu][%zu]: max "
						    "'%s' is negative or has "
						    "more than 3 decimals",
						    name, p, t, x);
					else if (m == 0)
						m = -1;	/* REopt: last tier */
					tr->max_milli = m;
				} else if (strcasecmp(k, "unit") == 0) {
					if (!json_object_is_type(v,
					    json_type_string))
						return br_urdb_bad(c, "%s[%zu][%zu]: bad "
						    "unit", name, p, t);
					snprintf(tr->unit, sizeof(tr->unit),
					    "%s", json_object_get_string(v));
				} else
					br_urdb_problem(c, name, "%s[%zu][%zu]: unknown "
					    "key '%s'", name, p, t, k);
			}
			if (!have)
				return br_urdb_bad(c, "%s[%zu][%zu]: no rate", name, p,
				    t);
			if (__builtin_add_overflow(rate, adj, &tr->rate))
				return br_urdb_bad(c, "%s[%zu][%zu]: rate out of "
				    "range", name, p, t);
			if (adj != 0)
				snprintf(tr->text, sizeof(tr->text),
				    "%s + adj %s", br_urdb_fmt_dec(rate, 12, 0, b1,
				    sizeof(b1)), br_urdb_fmt_dec(adj, 12, 0, b2,
				    sizeof(b2)));
			else
				tr->text[0] = '\0';
		}
	}
	return 0;
}

static int
load_sched(struct cv *c, const char *name, struct sched *sc, size_t nper)
{
	json_object *a = br_urdb_field(c->root, name);

	if (a == NULL || json_object_is_type(a, json_type_null))
		return 0;
	if (!json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) != 12)
		return br_urdb_bad(c, "%s: expected 12 rows (months)", name);
	for (size_t m = 0; m < 12; m++) {
		json_object *row = json_object_array_get_idx(a, m);
		if (!json_object_is_type(row, json_type_array) ||
		    json_object_array_length(row) != 24)
			return br_urdb_bad(c, "%s[%zu]: expected 24 hours", name, m);
		for (size_t h = 0; h < 24; h++) {
			json_object *x = json_object_array_get_idx(row, h);
			int64_t v;
			if (br_urdb_get_index(x, &v) != 0)
				return br_urdb_bad(c, "%s[%zu][%zu]: expected a period "
				    "number", name, m, h);
			if (v < 0 || (size_t)v >= nper)
				return br_urdb_bad(c, "%s[%zu][%zu]: period %lld does "
				    "not exist (%zu periods)", name, m, h,
				    (long long)v, nper);
			sc->v[m][h] = (int)v;
		}
	}
	sc->present = true;
	return 0;
}

/* Schedules of a structure: weekend defaults to weekday; one period
 * without schedules is all-day. */
int
br_urdb_load_pair(struct cv *c, const struct structure *s, const char *wd,
    const char *we, struct sched *swd, struct sched *swe)
{
	if (!s->present)
		return 0;
	if (load_sched(c, wd, swd, s->n) != 0 ||
	    load_sched(c, we, swe, s->n) != 0)
		return -1;
	if (!swd->present && !swe->present) {
		if (s->n != 1)
			return br_urdb_bad(c, "%s: %zu periods but no %s", wd, s->n,
			    wd);
		swd->present = swe->present = true;	/* zeros */
		return 0;
	}
	if (!swd->present)
		return br_urdb_bad(c, "%s missing (%s given)", wd, we);
	if (!swe->present)
		return br_urdb_bad(c, "%s missing (%s given)", we, wd);
	return 0;
}
