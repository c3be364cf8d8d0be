/*
 * urdb.c: URDB JSON -> billrun tariff YAML (docs/urdb-import.md).
 *
 * The JSON is parsed with json-c; every number is read from its source
 * text into exact fixed point (never through a double).  Months whose
 * schedules and charges are identical are grouped into seasons (runs of
 * consecutive months), each season's 24-hour weekday and weekend rows
 * become TOU periods with hour ranges, and the result is written as YAML
 * text.  Every URDB feature the tariff language cannot express is listed
 * in the result's problems and fails the conversion.
 */
#include "rate/urdb.h"

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

#define MAXP 64			/* URDB periods per structure */
#define MAXT 16			/* URDB tiers per period */
#define MAXC (2 * MAXP)		/* energy x demand period combinations */
#define P12 1000000000000LL	/* scale of exact dollar amounts */
#define UNLIMITED_MILLI 1000000000000LL	/* 1e9 units: "no limit" */

struct tier {
	int64_t rate;		/* rate + adj, dollars x 1e12 */
	int64_t max_milli;	/* cumulative limit, -1 = none */
	int64_t sell;		/* dollars x 1e12 */
	char unit[24];
	char text[96];		/* "0.01974 + adj 0.0283685" for comments */
};

struct structure {
	size_t n;		/* periods */
	size_t ntiers[MAXP];
	struct tier *t[MAXP];	/* OWNED each */
	bool present;
};

struct sched {
	bool present;
	int v[12][24];
};

struct buf {
	char *p;
	size_t n, cap;
	int oom;
};

struct cv {
	const struct br_urdb_opts *o;
	struct br_urdb_result *r;
	struct br_error *err;
	const char *src;
	json_object *root;	/* the tariff object */
	struct structure energy, demand, flat, coinc;
	struct sched ewd, ewe, dwd, dwe;
	int flatmonths[12];
	bool has_flatmonths;
	int64_t fuel[12];	/* dollars x 1e12 per kWh */
	char elabels[MAXP][32];
	uint64_t tou_tiered;	/* energy periods tiered inside TOU */
	uint64_t sell;		/* energy periods with a sell rate */
	uint64_t tou_demand;	/* TOU demand periods with a charge */
	uint64_t tou_demand_split;	/* ... in a weekday/weekend split */
	int64_t ratchet_ppm;		/* lookbackpercent, 0 = none */
	size_t ndemand;			/* demand entries written */
	int32_t eff, end;		/* version dates */
	bool has_end;
	int64_t fixed;			/* customer charge, dollars x 1e12 */
	const char *per, *fsrc;
	int ratchet_months;		/* lookbackrange */
	struct buf nem;		/* the version's net_metering section */
	struct buf cm;		/* header comments */
	struct buf y;		/* body */
};

static const char *const month_abbr[12] = { "jan", "feb", "mar", "apr",
	"may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" };

/* ---- small helpers ---------------------------------------------------- */

static void
bput(struct buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void
bput(struct buf *b, const char *fmt, ...)
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
static int
utf8_len(const unsigned char *s)
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
static void
clean_text(char *s)
{
	unsigned char *u = (unsigned char *)s;

	while (*u) {
		int n = utf8_len(u);
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

static void note(struct cv *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void
note(struct cv *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clean_text(msg);
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
static void problem(struct cv *c, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void
problem(struct cv *c, const char *field, const char *fmt, ...)
{
	char msg[480];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clean_text(msg);
	if (ignored(c, field)) {
		note(c, "dropped by --ignore %s: %s", field, msg);
		bput(&c->cm, "# DROPPED (--ignore %s): %s\n", field, msg);
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
static int
dec_scaled(const char *s, int scale, int64_t *out, bool *exact)
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
static const char *
num_text(json_object *v)
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

/* Dollars (scale 12); -1 when not a number or out of range. */
static int
get_money(json_object *v, int64_t *out)
{
	const char *s = num_text(v);
	bool exact;

	if (s == NULL || num_huge(v))
		return -1;
	return dec_scaled(s, 12, out, &exact);
}

/* scale 12 -> micro-dollars, half away from zero */
static int64_t
to_micro(int64_t p12, bool *exact)
{
	int64_t q = p12 / 1000000, rem = p12 % 1000000;

	*exact = rem == 0;
	if (rem >= 500000)
		q++;
	else if (rem <= -500000)
		q--;
	return q;
}

/* Decimal text of scaled value v with trailing zeros trimmed. */
static const char *
fmt_dec(int64_t v, int scale, int mindec, char *b, size_t n)
{
	int64_t p = 1, ip, fp;
	char frac[24];
	int k;

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

static json_object *
field(json_object *o, const char *name)
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
static json_object *
field_any(json_object *o, const char *const *names)
{
	json_object *v;

	for (; *names; names++)
		if ((v = field(o, *names)) != NULL)
			return v;
	return NULL;
}

static const char *const F_DEMANDUNIT[] = { "demandrateunit",
	"demandrateunits", NULL };
static const char *const F_FLATUNIT[] = { "flatdemandunit",
	"flatdemandunits", NULL };
static const char *const F_REACTIVE[] = { "demandreactivepowercharge",
	"demandreactpwrcharge", NULL };
static const char *const F_DGRULES[] = { "dgrules", NULL };

static const char *
str_field(json_object *o, const char *name)
{
	json_object *v = field(o, name);

	return v && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* Fields that carry no charge (metadata, applicability, comments). */
static const char *const info_fields[] = {
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

static int
bad(struct cv *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int
bad(struct cv *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return br_error_set(c->err, BR_EINPUT, c->src, 0, "%s", msg);
}

static void
structure_free(struct structure *s)
{
	for (size_t p = 0; p < s->n; p++)
		free(s->t[p]);
	memset(s, 0, sizeof(*s));
}

/*
 * name[period][tier] = {rate, adj, max, unit, sell}.  demand: limits are
 * kW, energy: kWh.  Limits of 0 (REopt) and >= 1e9 mean "no limit".
 */
static int
load_structure(struct cv *c, const char *name, struct structure *s)
{
	json_object *a = field(c->root, name);
	size_t np, nt, p, t;

	if (a == NULL || json_object_is_type(a, json_type_null))
		return 0;
	if (!json_object_is_type(a, json_type_array))
		return bad(c, "%s: expected an array of periods", name);
	np = json_object_array_length(a);
	if (np > MAXP)
		return bad(c, "%s: %zu periods (at most %d)", name, np, MAXP);
	s->present = np > 0;
	for (p = 0; p < np; p++) {
		json_object *pa = json_object_array_get_idx(a, p);
		if (!json_object_is_type(pa, json_type_array) ||
		    (nt = json_object_array_length(pa)) == 0)
			return bad(c, "%s[%zu]: expected a non-empty array of "
			    "tiers", name, p);
		if (nt > MAXT)
			return bad(c, "%s[%zu]: %zu tiers (at most %d)", name,
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
				return bad(c, "%s[%zu][%zu]: expected an "
				    "object", name, p, t);
			tr->max_milli = -1;
			json_object_object_foreach(o, k, v) {
				if (strcasecmp(k, "rate") == 0) {
					if (get_money(v, &rate) != 0)
						return bad(c, "%s[%zu][%zu]: bad "
						    "rate", name, p, t);
					have = true;
				} else if (strcasecmp(k, "adj") == 0) {
					if (get_money(v, &adj) != 0)
						return bad(c, "%s[%zu][%zu]: bad "
						    "adj", name, p, t);
					have = true;
				} else if (strcasecmp(k, "sell") == 0) {
					if (get_money(v, &tr->sell) != 0)
						return bad(c, "%s[%zu][%zu]: bad "
						    "sell", name, p, t);
				} else if (strcasecmp(k, "max") == 0) {
					const char *x = num_text(v);
					int64_t m;
					bool ex;
					if (x == NULL)
						return bad(c, "%s[%zu][%zu]: bad "
						    "max", name, p, t);
					if (num_huge(v) ||
					    dec_scaled(x, 3, &m, &ex) != 0 ||
					    m >= UNLIMITED_MILLI)
						m = -1;
					else if (m < 0 || !ex)
						return bad(c, "%s[%zu][%zu]: max "
						    "'%s' is negative or has "
						    "more than 3 decimals",
						    name, p, t, x);
					else if (m == 0)
						m = -1;	/* REopt: last tier */
					tr->max_milli = m;
				} else if (strcasecmp(k, "unit") == 0) {
					if (!json_object_is_type(v,
					    json_type_string))
						return bad(c, "%s[%zu][%zu]: bad "
						    "unit", name, p, t);
					snprintf(tr->unit, sizeof(tr->unit),
					    "%s", json_object_get_string(v));
				} else
					problem(c, name, "%s[%zu][%zu]: unknown "
					    "key '%s'", name, p, t, k);
			}
			if (!have)
				return bad(c, "%s[%zu][%zu]: no rate", name, p,
				    t);
			if (__builtin_add_overflow(rate, adj, &tr->rate))
				return bad(c, "%s[%zu][%zu]: rate out of "
				    "range", name, p, t);
			if (adj != 0)
				snprintf(tr->text, sizeof(tr->text),
				    "%s + adj %s", fmt_dec(rate, 12, 0, b1,
				    sizeof(b1)), fmt_dec(adj, 12, 0, b2,
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
	json_object *a = field(c->root, name);

	if (a == NULL || json_object_is_type(a, json_type_null))
		return 0;
	if (!json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) != 12)
		return bad(c, "%s: expected 12 rows (months)", name);
	for (size_t m = 0; m < 12; m++) {
		json_object *row = json_object_array_get_idx(a, m);
		if (!json_object_is_type(row, json_type_array) ||
		    json_object_array_length(row) != 24)
			return bad(c, "%s[%zu]: expected 24 hours", name, m);
		for (size_t h = 0; h < 24; h++) {
			json_object *x = json_object_array_get_idx(row, h);
			int64_t v;
			if (!json_object_is_type(x, json_type_int) &&
			    !json_object_is_type(x, json_type_double))
				return bad(c, "%s[%zu][%zu]: expected a period "
				    "number", name, m, h);
			v = json_object_get_int64(x);
			if (v < 0 || (size_t)v >= nper)
				return bad(c, "%s[%zu][%zu]: period %lld does "
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
static int
load_pair(struct cv *c, const struct structure *s, const char *wd,
    const char *we, struct sched *swd, struct sched *swe)
{
	if (!s->present)
		return 0;
	if (load_sched(c, wd, swd, s->n) != 0 ||
	    load_sched(c, we, swe, s->n) != 0)
		return -1;
	if (!swd->present && !swe->present) {
		if (s->n != 1)
			return bad(c, "%s: %zu periods but no %s", wd, s->n,
			    wd);
		swd->present = swe->present = true;	/* zeros */
		return 0;
	}
	if (!swd->present)
		return bad(c, "%s missing (%s given)", wd, we);
	if (!swe->present)
		return bad(c, "%s missing (%s given)", we, wd);
	return 0;
}

/* ---- seasons ----------------------------------------------------------- */

struct season {
	int from, to;		/* months 0..11, inclusive, may wrap */
	char name[16];
};

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
static size_t
make_seasons(struct cv *const *cs, size_t nc, struct season *out)
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
			    month_abbr[out[i].from]);
		else
			snprintf(out[i].name, sizeof(out[i].name), "%s_%s",
			    month_abbr[out[i].from], month_abbr[out[i].to]);
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

/* micro-dollar rate text for a scale-12 amount; notes rounding */
static int
rate_text(struct cv *c, const char *what, const char *field_name,
    int64_t p12, char *b, size_t n)
{
	bool exact;
	int64_t micro = to_micro(p12, &exact);
	char x[48];

	if (p12 < 0) {
		problem(c, field_name, "%s: negative rate %s (a credit) is not "
		    "supported", what, fmt_dec(p12, 12, 0, x, sizeof(x)));
		return -1;
	}
	fmt_dec(micro, 6, 2, b, n);
	if (!exact)
		note(c, "%s: %s rounded half up to %s (the tariff language "
		    "has 6 decimals)", what, fmt_dec(p12, 12, 0, x, sizeof(x)),
		    b);
	return 0;
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
static void
period_names(struct cv *c)
{
	json_object *a = field(c->root, "energytoulabels");
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
			problem(c, name, "%s[%zu][%zu]: a tier without max "
			    "before the last tier", name, p, t);
			ok = false;
		} else if (t > 0 && tr[t - 1].max_milli >= 0 &&
		    tr[t].max_milli <= tr[t - 1].max_milli) {
			problem(c, name, "%s[%zu]: tier limits do not "
			    "increase", name, p);
			ok = false;
		}
	}
	if (tr[nt - 1].max_milli >= 0) {
		problem(c, name, "%s[%zu][%zu]: the last tier has max %s %s: "
		    "usage above it has no rate", name, p, nt - 1,
		    fmt_dec(tr[nt - 1].max_milli, 3, 0, mb, sizeof(mb)), unit);
		ok = false;
	}
	if (nt > BR_TARIFF_MAX_TIERS) {
		problem(c, name, "%s[%zu]: %zu tiers (the tariff language "
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

	bput(&c->y, "[");
	for (size_t t = 0; t < nt; t++) {
		snprintf(what, sizeof(what), "%s[%zu][%zu]", name, p, t);
		if (rate_text(c, what, name, tr[t].rate + add, rb,
		    sizeof(rb)) != 0)
			return -1;
		if (t + 1 < nt)
			bput(&c->y, "{upto: %s, rate: %s}, ",
			    fmt_dec(tr[t].max_milli, 3, 0, mb, sizeof(mb)), rb);
		else
			bput(&c->y, "{rate: %s}]", rb);
		if (tr[t].text[0])
			bput(src, "%s%s: %s", src->n ? "; " : "", what,
			    tr[t].text);
	}
	return 0;
}

/* One season's energy entry (season NULL: the whole year). */
static void
emit_energy(struct cv *c, const struct season *s, int m)
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
	bput(&c->y, "      - ");
	if (s)
		bput(&c->y, "season: %s\n        ", s->name);
	if (c->fuel[m] != 0)
		bput(&c->y, "# rates include fueladjustmentsmonthly %s\n"
		    "        ", fmt_dec(c->fuel[m], 12, 0, rb, sizeof(rb)));
	if (pl->nc == 1) {
		const struct tier *tr = c->energy.t[only];
		nt = c->energy.ntiers[only];
		for (t = 0; t < nt; t++) {
			if (tr[t].unit[0] && strcmp(tr[t].unit, "kWh") != 0)
				problem(c, "energyratestructure",
				    "energyratestructure[%d][%zu]: tier unit "
				    "'%s' is not supported (only kWh per "
				    "month)", only, t, tr[t].unit);
			if (t + 1 < nt && tr[t].max_milli < 0)
				problem(c, "energyratestructure",
				    "energyratestructure[%d][%zu]: a tier "
				    "without max before the last tier", only,
				    t);
			if (t > 0 && t + 1 < nt && tr[t - 1].max_milli >= 0 &&
			    tr[t].max_milli <= tr[t - 1].max_milli)
				problem(c, "energyratestructure",
				    "energyratestructure[%d]: tier limits do "
				    "not increase", only);
		}
		if (tr[nt - 1].max_milli >= 0)
			problem(c, "energyratestructure",
			    "energyratestructure[%d][%zu]: the last tier has "
			    "max %s kWh: usage above it has no rate", only,
			    nt - 1, fmt_dec(tr[nt - 1].max_milli, 3, 0, mb,
			    sizeof(mb)));
		if (nt == 1) {
			snprintf(what, sizeof(what),
			    "energyratestructure[%d][0]", only);
			if (rate_text(c, what, "energyratestructure",
			    tr[0].rate + c->fuel[m], rb, sizeof(rb)) != 0)
				goto out;
			bput(&c->y, "rate: %s   # %s%s%s\n", rb, what,
			    SEP(tr[0].text), tr[0].text);
			goto out;
		}
		if (nt > BR_TARIFF_MAX_TIERS)
			problem(c, "energyratestructure", "energyratestructure"
			    "[%d]: %zu tiers (the tariff language allows %d)",
			    only, nt, BR_TARIFF_MAX_TIERS);
		bput(&c->y, "tiers:   # limits per billing period\n");
		for (t = 0; t < nt; t++) {
			snprintf(what, sizeof(what),
			    "energyratestructure[%d][%zu]", only, t);
			if (rate_text(c, what, "energyratestructure",
			    tr[t].rate + c->fuel[m], rb, sizeof(rb)) != 0)
				goto out;
			if (t + 1 < nt)
				bput(&c->y, "          - {upto: %s, rate: %s}"
				    "   # %s%s%s\n", fmt_dec(tr[t].max_milli,
				    3, 0, mb, sizeof(mb)), rb, what,
				    SEP(tr[t].text), tr[t].text);
			else
				bput(&c->y, "          - {rate: %s}   # %s%s%s"
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
		problem(c, "energyweekdayschedule", "energy schedule of %s "
		    "needs %zu time-of-use period entries (the tariff "
		    "language allows %d)", sname, pl->ne,
		    BR_TARIFF_MAX_PERIODS);
	bput(&c->y, "periods:\n");
	for (size_t i = 0; i < pl->ne; i++) {
		const struct entry *e = &pl->ent[i];
		int ep = pl->ce[e->period];
		char hb[256];
		bput(&c->y, "          - {name: %s%s", pl->cname[e->period],
		    e->suffix);
		if (e->days)
			bput(&c->y, ", days: %s", e->days == 1 ? "weekday" :
			    "weekend");
		if (e->hours) {
			hours_text(e->hours, hb, sizeof(hb));
			bput(&c->y, ", hours: %s", hb);
		}
		nt = c->energy.ntiers[ep];
		if (nt > 1 && !(c->tou_tiered & ((uint64_t)1 << ep))) {
			struct buf src = { NULL, 0, 0, 0 };
			bool ok = tiers_ok(c, "energyratestructure",
			    (size_t)ep, c->energy.t[ep], nt, "kWh");
			for (t = 0; t < nt; t++)
				if (c->energy.t[ep][t].unit[0] && strcmp(
				    c->energy.t[ep][t].unit, "kWh") != 0) {
					problem(c, "energyratestructure",
					    "energyratestructure[%d][%zu]: "
					    "tier unit '%s' is not supported "
					    "(only kWh per month)", ep, t,
					    c->energy.t[ep][t].unit);
					ok = false;
				}
			bput(&c->y, ", tiers: ");
			if (ok && tiers_flow(c, "energyratestructure",
			    (size_t)ep, c->energy.t[ep], nt, c->fuel[m],
			    &src) != 0) {
				free(src.p);
				goto out;
			}
			if (!ok)
				bput(&c->y, "[]");
			bput(&c->y, "}   # energyratestructure[%d], limits per "
			    "billing period%s%s\n", ep, src.n ? "; " : "",
			    src.n ? src.p : "");
			free(src.p);
			continue;
		}
		snprintf(what, sizeof(what), "energyratestructure[%d][0]", ep);
		if (rate_text(c, what, "energyratestructure",
		    c->energy.t[ep][0].rate + c->fuel[m], rb, sizeof(rb)) != 0)
			goto out;
		bput(&c->y, ", rate: %s}   # %s%s%s\n", rb, what,
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
		problem(c, name, "tiered demand charges on the monthly "
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
static void
emit_demand(struct cv *c, const struct season *s, int m, bool *header)
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
			bput(&c->y, "    demand:\n");
			*header = true;
		}
		c->ndemand++;
		bput(&c->y, "      - {");
		if (s)
			bput(&c->y, "season: %s, ", s->name);
		if (md.ts != NULL) {
			bput(&c->y, "tiers: ");
			if (tiers_flow(c, md.tname, md.tp, md.ts->t[md.tp],
			    md.ts->ntiers[md.tp], md.total, &src) != 0) {
				free(src.p);
				return;
			}
		} else {
			snprintf(sname, sizeof(sname), "demand %s", s ?
			    s->name : "");
			if (rate_text(c, sname, "flatdemandstructure",
			    md.total, rb, sizeof(rb)) != 0)
				return;
			bput(&c->y, "rate: %s", rb);
		}
		if (c->ratchet_ppm) {
			char pb[48];
			bput(&c->y, ", ratchet: {percent: %s, months: %d}",
			    fmt_dec(c->ratchet_ppm, 4, 0, pb, sizeof(pb)),
			    c->ratchet_months);
		}
		bput(&c->y, "}   # ");
		if (md.ts != NULL)
			bput(&c->y, "%s[%zu] (kW blocks)%s%s%s%s", md.tname,
			    md.tp, md.len ? ", every block + " : "", md.what,
			    src.n ? "; " : "", src.n ? src.p : "");
		else
			bput(&c->y, "%s", md.what);
		bput(&c->y, "%s\n", c->ratchet_ppm ?
		    "; ratchet: lookbackpercent, lookbackrange" : "");
		free(src.p);
	} else if (c->ratchet_ppm)
		problem(c, "lookbackpercent", "demand ratchet (lookbackpercent) "
		    "without a monthly maximum demand charge in %s", s ? s->name
		    : "all months");
	for (size_t i = 0; i < ntou; i++) {
		char w2[64];
		struct buf src = { NULL, 0, 0, 0 };
		int p = tou[i].p;
		if (!*header) {
			bput(&c->y, "    demand:\n");
			*header = true;
		}
		c->ndemand++;
		bput(&c->y, "      - {");
		if (s)
			bput(&c->y, "season: %s, ", s->name);
		if (tou[i].tiered) {
			bput(&c->y, "period: %s, tiers: ", tou[i].name);
			if (tiers_flow(c, "demandratestructure", (size_t)p,
			    c->demand.t[p], c->demand.ntiers[p], 0, &src) !=
			    0) {
				free(src.p);
				return;
			}
			bput(&c->y, "}   # demandratestructure[%d] (kW blocks)"
			    "%s%s\n", p, src.n ? "; " : "", src.n ? src.p :
			    "");
			free(src.p);
			continue;
		}
		snprintf(w2, sizeof(w2), "demandratestructure[%d][0]", p);
		if (rate_text(c, w2, "demandratestructure", tou[i].rate, rb,
		    sizeof(rb)) != 0)
			return;
		bput(&c->y, "period: %s, rate: %s}   # %s%s%s\n", tou[i].name,
		    rb, w2, SEP(c->demand.t[p][0].text),
		    c->demand.t[p][0].text);
	}
}

/* ---- feature checks ---------------------------------------------------- */

/* true when the JSON value (number, array of numbers, nested) is non-zero */
static bool
nonzero(json_object *v)
{
	int64_t x;

	if (v == NULL)
		return false;
	switch (json_object_get_type(v)) {
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (nonzero(json_object_array_get_idx(v, i)))
				return true;
		return false;
	case json_type_object: {
		json_object *r = field(v, "rate"), *a = field(v, "adj");
		return nonzero(r) || nonzero(a);
	}
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_null:
		return false;
	case json_type_string:
		if (get_money(v, &x) == 0)
			return x != 0;
		return json_object_get_string_len(v) > 0;
	default:
		return get_money(v, &x) != 0 || x != 0;
	}
}

static void
check_unit(struct cv *c, const char *const *names, const char *what)
{
	json_object *u = field_any(c->root, names);
	const char *s;

	if (u == NULL || json_object_is_type(u, json_type_null))
		return;
	s = json_object_is_type(u, json_type_string) ?
	    json_object_get_string(u) : "?";
	if (strcasecmp(s, "kW") != 0)
		problem(c, names[0], "%s: demand unit '%s' is not supported "
		    "(only kW)", names[0], s);
	(void)what;
}

static void check_ratchet(struct cv *c);

static void
check_features(struct cv *c)
{
	json_object *v;
	const char *s;

	json_object_object_foreach(c->root, k, val) {
		const char *const *f;
		for (f = info_fields; *f; f++)
			if (strcasecmp(*f, k) == 0)
				break;
		if (*f == NULL)
			problem(c, k, "unknown URDB field '%s': it may carry a "
			    "charge", k);
		(void)val;
	}
	if (nonzero(field(c->root, "fixedchargeeaaddl")))
		problem(c, "fixedchargeeaaddl", "fixedchargeeaaddl: a charge "
		    "per additional meter is not supported");
	if (nonzero(field(c->root, "annualmincharge")))
		problem(c, "annualmincharge", "annualmincharge: annual minimum "
		    "charges are not supported");
	if (nonzero(field(c->root, "coincidentratestructure")))
		problem(c, "coincidentratestructure", "coincident demand "
		    "charges (coincidentratestructure) are not supported");
	if (nonzero(v = field_any(c->root, F_REACTIVE)))
		problem(c, "demandreactivepowercharge", "reactive power charge"
		    " (demandreactivepowercharge %s $/kVAR) is not supported: "
		    "billrun reads no kVAR data", num_text(v) ? num_text(v) :
		    "?");
	if (nonzero(field(c->root, "demandratchetpercentage")))
		problem(c, "demandratchetpercentage", "demand ratchets "
		    "(demandratchetpercentage) are not supported");
	check_ratchet(c);
	if (nonzero(field(c->root, "realtimepricing")))
		problem(c, "realtimepricing", "realtimepricing: real-time "
		    "prices are not supported by the importer");
	if ((v = field(c->root, "demandwindow")) != NULL &&
	    (s = num_text(v)) != NULL && strcmp(s, "15") != 0 &&
	    strcmp(s, "15.0") != 0 && strcmp(s, "0") != 0)
		problem(c, "demandwindow", "demandwindow %s minutes: only 15-"
		    "minute demand is supported", s);
	for (size_t p = 0; p < c->energy.n; p++)
		for (size_t t = 0; t < c->energy.ntiers[p]; t++) {
			const char *u = c->energy.t[p][t].unit;
			if (c->energy.t[p][t].sell != 0)
				c->sell |= (uint64_t)1 << p;
			if (u[0] && strcmp(u, "kWh") != 0)
				problem(c, "energyratestructure",
				    "energyratestructure[%zu][%zu]: tier unit "
				    "'%s' is not supported (only kWh per "
				    "month)", p, t, u);
		}
	for (size_t p = 0; p < c->demand.n; p++)
		for (size_t t = 0; t < c->demand.ntiers[p]; t++) {
			const char *u = c->demand.t[p][t].unit;
			if (u[0] && strcasecmp(u, "kW") != 0)
				problem(c, "demandratestructure",
				    "demandratestructure[%zu][%zu]: unit '%s' "
				    "is not supported (only kW)", p, t, u);
		}
	if (nonzero(field(c->root, "flatdemandstructure")))
		check_unit(c, F_FLATUNIT, "flat demand");
	if (nonzero(field(c->root, "demandratestructure")))
		check_unit(c, F_DEMANDUNIT, "demand");
	if (field(c->root, "energyattrs") || field(c->root, "demandattrs"))
		note(c, "energyattrs/demandattrs are notes in URDB and are not "
		    "applied (check them for riders and discounts)");
}

/*
 * mincharge + minchargeunits ($/month, $/day) or the legacy
 * minmonthlycharge: the version's minimum bill.
 */
static void
emit_minimum(struct cv *c)
{
	json_object *v = field(c->root, "mincharge");
	const char *src = "mincharge", *per = "month", *u;
	int64_t amt;
	char b[48];

	if (!nonzero(v)) {
		v = field(c->root, "minmonthlycharge");
		src = "minmonthlycharge";
	} else if (nonzero(field(c->root, "minmonthlycharge")))
		note(c, "minmonthlycharge ignored: mincharge is given");
	if (!nonzero(v))
		return;
	if (get_money(v, &amt) != 0) {
		problem(c, src, "%s: not a number", src);
		return;
	}
	if (strcmp(src, "mincharge") == 0 &&
	    (u = str_field(c->root, "minchargeunits")) != NULL) {
		if (strcmp(u, "$/day") == 0)
			per = "day";
		else if (strcmp(u, "$/month") != 0) {
			problem(c, "minchargeunits", "minchargeunits '%s' is "
			    "not supported ($/month, $/day)", u);
			return;
		}
	}
	if (rate_text(c, src, src, amt, b, sizeof(b)) == 0)
		bput(&c->y, "    minimum: {amount: %s, per: %s}   # %s\n", b,
		    per, src);
}

static const char *
mask_list(uint64_t m, char *b, size_t n)
{
	size_t len = 0;

	b[0] = '\0';
	for (int p = 0; p < 64; p++)
		if (m & ((uint64_t)1 << p))
			len += (size_t)snprintf(b + len, len < n ? n - len : 0,
			    "%s%d", len ? ", " : "", p);
	return b;
}

/* One problem per feature, naming the URDB periods involved. */
static void
report_masks(struct cv *c)
{
	char b[256];

	if (c->sell)
		problem(c, "sell", "sell rates (export credit) in "
		    "energyratestructure periods %s are not supported",
		    mask_list(c->sell, b, sizeof(b)));
	if (c->tou_tiered)
		problem(c, "energyratestructure", "tiered energy in a "
		    "time-of-use period that needs several entries (split by "
		    "demand periods or day types: energyratestructure periods "
		    "%s) is not supported", mask_list(c->tou_tiered, b,
		    sizeof(b)));
	if (c->tou_demand)
		problem(c, "demandratestructure", "time-of-use demand charges "
		    "over hours of more energy periods than a line code can "
		    "name (demandratestructure periods %s) are not supported",
		    mask_list(c->tou_demand, b, sizeof(b)));
	if (c->tou_demand_split)
		problem(c, "demandratestructure", "time-of-use demand charges "
		    "in an energy period whose weekday and weekend hours need "
		    "separate entries (demandratestructure periods %s) are not "
		    "supported", mask_list(c->tou_demand_split, b, sizeof(b)));
}

/*
 * URDB v8 ratchet: billing demand = max(peak, lookbackpercent x the
 * highest peak of the lookbackrange months before).  The language has
 * exactly that on the monthly maximum demand (ratchet: percent, months).
 * lookbackmonths (specific calendar months) has no equivalent.
 */
static void
check_ratchet(struct cv *c)
{
	json_object *pv = field(c->root, "lookbackpercent"),
	    *rv = field(c->root, "lookbackrange"),
	    *mv = field(c->root, "lookbackmonths");
	int64_t ppm, range;
	bool exact;
	const char *x;

	if (!nonzero(pv))
		return;
	if (nonzero(mv)) {
		problem(c, "lookbackmonths", "demand ratchet over specific "
		    "months (lookbackmonths) is not supported");
		return;
	}
	if ((x = num_text(pv)) == NULL || dec_scaled(x, 6, &ppm, &exact) != 0 ||
	    !exact || ppm <= 0 || ppm > 1000000) {
		problem(c, "lookbackpercent", "lookbackpercent '%s': expected "
		    "a fraction above 0 and at most 1 with at most 6 decimals",
		    x ? x : "?");
		return;
	}
	if ((x = num_text(rv)) == NULL || dec_scaled(x, 0, &range, &exact) !=
	    0 || !exact || range < 1 || range > 36) {
		problem(c, "lookbackrange", "demand ratchet: lookbackrange "
		    "'%s' is not a number of months from 1 to 36", x ? x :
		    "missing");
		return;
	}
	c->ratchet_ppm = ppm;
	c->ratchet_months = (int)range;
}

/* all sell rates (every period and tier) when they are one value */
static bool
uniform_sell(const struct cv *c, int64_t *sell)
{
	bool first = true;

	for (size_t p = 0; p < c->energy.n; p++)
		for (size_t t = 0; t < c->energy.ntiers[p]; t++) {
			if (first)
				*sell = c->energy.t[p][t].sell;
			else if (c->energy.t[p][t].sell != *sell)
				return false;
			first = false;
		}
	return true;
}

/*
 * dgrules / usenetmetering: how exports of generating customers are paid.
 * With opts.nem_program the rule becomes a net_metering program:
 * "Net Metering" -> netting with a kWh bank (the true-up rate comes from
 * the command line: URDB has none); "Net Billing Instantaneous" -> net
 * billing with exports credited at the sell rate.
 */
static void
check_dg(struct cv *c)
{
	json_object *v = field_any(c->root, F_DGRULES);
	const char *rule = NULL, *prog = c->o->nem_program;
	char rb[64], b[48];
	int64_t sell = 0;
	int tum = c->o->nem_true_up_month ? c->o->nem_true_up_month : 12;

	if (v && json_object_is_type(v, json_type_string))
		rule = json_object_get_string(v);
	else if ((v = field(c->root, "usenetmetering")) != NULL &&
	    json_object_get_boolean(v))
		rule = "Net Metering";
	if (rule == NULL || rule[0] == '\0') {
		if (prog)
			problem(c, "dgrules", "--nem-program %s: the tariff "
			    "has no dgrules (no rule for exports)", prog);
		return;
	}
	snprintf(rb, sizeof(rb), "%s", rule);
	clean_text(rb);
	if (prog == NULL) {
		note(c, "dgrules '%s' not represented: rate-apply refuses "
		    "agreements with a net_metering program on this tariff "
		    "(see --nem-program)", rb);
		bput(&c->cm, "# dgrules: %s (not represented: no "
		    "net_metering section)\n", rb);
		return;
	}
	if (strcasecmp(rule, "Net Metering") == 0) {
		int64_t sur;
		bool ex;
		if (c->sell)
			problem(c, "sell", "net metering (dgrules Net Metering) "
			    "with sell rates: exports are netted, not sold");
		if (c->o->nem_surplus == NULL || dec_scaled(c->o->nem_surplus,
		    12, &sur, &ex) != 0 || sur < 0) {
			problem(c, "dgrules", "net metering (dgrules Net "
			    "Metering) needs --nem-surplus-rate (URDB has no "
			    "true-up rate)");
			return;
		}
		if (rate_text(c, "--nem-surplus-rate", "dgrules", sur, b,
		    sizeof(b)) != 0)
			return;
		bput(&c->nem, "    net_metering:   # dgrules: %s\n      - "
		    "{program: %s, mode: netting, surplus_rate: %s, "
		    "true_up_month: %d}\n", rb, prog, b, tum);
		return;
	}
	if (strcasecmp(rule, "Net Billing Instantaneous") == 0) {
		if (!uniform_sell(c, &sell)) {
			problem(c, "sell", "net billing with sell rates that "
			    "differ by period or tier is not supported");
			return;
		}
		c->sell = 0;	/* the sell rate is the export credit */
		if (rate_text(c, "sell", "sell", sell, b, sizeof(b)) != 0)
			return;
		bput(&c->nem, "    net_metering:   # dgrules: %s\n      - "
		    "{program: %s, mode: billing, export: {rate: %s}}\n", rb,
		    prog, b);
		return;
	}
	problem(c, "dgrules", "dgrules '%s' is not supported (Net Metering, "
	    "Net Billing Instantaneous)", rb);
}

/* ---- driver ------------------------------------------------------------ */

static json_object *
unwrap(struct cv *c, json_object *top)
{
	json_object *v, *items;

	if ((v = field(top, "Scenario")) != NULL)
		top = field(v, "Site") ? field(v, "Site") : v;
	if ((v = field(top, "Site")) != NULL)
		top = v;
	if ((v = field(top, "ElectricTariff")) != NULL)
		top = v;
	if ((v = field(top, "urdb_response")) != NULL)
		top = v;
	items = field(top, "items");
	if (items == NULL)
		return top;
	if (!json_object_is_type(items, json_type_array) ||
	    json_object_array_length(items) == 0) {
		bad(c, "items: expected a non-empty array of tariffs");
		return NULL;
	}
	if (c->o->all_items)
		return items;
	size_t n = json_object_array_length(items);
	for (size_t i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(items, i);
		const char *l = str_field(it, "label");
		if (c->o->label == NULL && n == 1)
			return it;
		if (c->o->label && l && strcmp(l, c->o->label) == 0)
			return it;
	}
	{
		char list[400];
		size_t len = 0;
		for (size_t i = 0; i < n && i < 6; i++) {
			json_object *it = json_object_array_get_idx(items, i);
			const char *l = str_field(it, "label");
			char lb[40];
			snprintf(lb, sizeof(lb), "%s", l ? l : "?");
			clean_text(lb);
			len += (size_t)snprintf(list + len, len < sizeof(list) ?
			    sizeof(list) - len : 0, "%s%s", i ? ", " : "",
			    i == 5 ? "..." : lb);
		}
		if (c->o->label)
			bad(c, "items: no tariff with label '%s' (labels: %s)",
			    c->o->label, list);
		else
			bad(c, "items: %zu tariffs; choose one with --label "
			    "(labels: %s)", n, list);
	}
	return NULL;
}

/* startdate/enddate: epoch seconds or "YYYY-MM-DD hh:mm:ss" -> UTC day */
static int
get_day(struct cv *c, const char *name, int32_t *out)
{
	json_object *v = field(c->root, name);
	const char *s;
	int64_t secs;
	bool exact;

	if (v == NULL || json_object_is_type(v, json_type_null))
		return 1;
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (strlen(s) >= 10 && br_date_parse(s, 10, out) == 0)
			return 0;
		if (dec_scaled(s, 0, &secs, &exact) != 0)
			return bad(c, "%s: bad date '%s'", name, s);
	} else if ((s = num_text(v)) == NULL ||
	    dec_scaled(s, 0, &secs, &exact) != 0)
		return bad(c, "%s: bad date", name);
	if (secs < 0 || secs > 253402300799LL)
		return bad(c, "%s: date out of range", name);
	*out = (int32_t)br_floor_div(secs, 86400);
	return 0;
}

static void
yaml_str(struct buf *b, const char *s, size_t max)
{
	char t[512];
	size_t k;

	snprintf(t, sizeof(t), "%s", s);
	clean_text(t);
	/* cut at max bytes, not inside a UTF-8 sequence */
	for (k = 0; t[k]; ) {
		int n = utf8_len((const unsigned char *)t + k);
		if (k + (size_t)n > max)
			break;
		k += (size_t)n;
	}
	t[k] = '\0';
	bput(b, "\"");
	for (k = 0; t[k]; k++)
		if (t[k] == '"' || t[k] == '\\')
			bput(b, "\\%c", t[k]);
		else
			bput(b, "%c", t[k]);
	bput(b, "\"");
}

static void
comment_line(struct buf *b, const char *key, const char *val)
{
	char t[256];
	size_t k = 0;

	if (val == NULL || val[0] == '\0')
		return;
	snprintf(t, sizeof(t), "%s", val);
	clean_text(t);
	while (t[k]) {
		int n = utf8_len((const unsigned char *)t + k);
		if (k + (size_t)n > 200)
			break;
		k += (size_t)n;
	}
	t[k] = '\0';
	bput(b, "# %s: %s\n", key, t);
}

static bool
code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 32 || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return false;
	return true;
}

static void
derive_code(struct cv *c, char *out, size_t n)
{
	const char *l = str_field(c->root, "label"), *base;
	size_t k = 0;

	if (c->o->code) {
		if (strlen(c->o->code) >= n)
			snprintf(out, n, ".");	/* rejected by code_ok */
		else
			snprintf(out, n, "%s", c->o->code);
		return;
	}
	if (l && strlen(l) <= 24) {
		snprintf(out, n, "URDB-%s", l);
		if (code_ok(out))
			return;
	}
	base = strrchr(c->src, '/') ? strrchr(c->src, '/') + 1 : c->src;
	for (; base[k] && base[k] != '.' && k + 1 < n && k < 31; k++)
		out[k] = isalnum((unsigned char)base[k]) || base[k] == '-' ?
		    base[k] : '_';
	out[k] = '\0';
	if (k == 0)
		snprintf(out, n, "URDB");
}

/* Load one tariff object (c->root): structures, checks, charges, dates. */
static int
load_item(struct cv *c)
{
	size_t i;
	int rc;

	if (!json_object_is_type(c->root, json_type_object))
		return bad(c, "expected a URDB tariff object");
	if (load_structure(c, "energyratestructure", &c->energy) != 0 ||
	    load_structure(c, "demandratestructure", &c->demand) != 0 ||
	    load_structure(c, "flatdemandstructure", &c->flat) != 0)
		return -1;
	if (!c->energy.present)
		return bad(c, "energyratestructure missing: no energy charge");
	if (load_pair(c, &c->energy, "energyweekdayschedule",
	    "energyweekendschedule", &c->ewd, &c->ewe) != 0 ||
	    load_pair(c, &c->demand, "demandweekdayschedule",
	    "demandweekendschedule", &c->dwd, &c->dwe) != 0)
		return -1;
	if (c->flat.present) {
		json_object *fm = field(c->root, "flatdemandmonths");
		if (fm == NULL && c->flat.n == 1)
			memset(c->flatmonths, 0, sizeof(c->flatmonths));
		else if (fm == NULL || !json_object_is_type(fm,
		    json_type_array) || json_object_array_length(fm) != 12)
			return bad(c, "flatdemandmonths: expected 12 structure "
			    "indexes");
		for (i = 0; fm && i < 12; i++) {
			int64_t x = json_object_get_int64(
			    json_object_array_get_idx(fm, i));
			if (x < 0 || (size_t)x >= c->flat.n)
				return bad(c, "flatdemandmonths[%zu]: structure "
				    "%lld does not exist", i, (long long)x);
			c->flatmonths[i] = (int)x;
		}
	}
	{
		json_object *fa = field(c->root, "fueladjustmentsmonthly");
		if (fa && json_object_is_type(fa, json_type_array)) {
			if (json_object_array_length(fa) != 12)
				return bad(c, "fueladjustmentsmonthly: expected "
				    "12 values");
			for (i = 0; i < 12; i++)
				if (get_money(json_object_array_get_idx(fa, i),
				    &c->fuel[i]) != 0)
					return bad(c, "fueladjustmentsmonthly"
					    "[%zu]: bad number", i);
		}
	}
	check_features(c);
	check_dg(c);
	period_names(c);

	/* fixed charge */
	json_object *fv = field(c->root, "fixedchargefirstmeter");
	c->per = "month";
	c->fsrc = NULL;
	if (fv && !json_object_is_type(fv, json_type_null))
		c->fsrc = "fixedchargefirstmeter";
	else if ((fv = field(c->root, "fixedmonthlycharge")) != NULL &&
	    !json_object_is_type(fv, json_type_null))
		c->fsrc = "fixedmonthlycharge";
	if (c->fsrc && get_money(fv, &c->fixed) != 0)
		return bad(c, "%s: bad number", c->fsrc);
	if (c->fsrc && strcmp(c->fsrc, "fixedchargefirstmeter") == 0) {
		const char *u = str_field(c->root, "fixedchargeunits");
		if (u == NULL || strcmp(u, "$/month") == 0)
			c->per = "month";
		else if (strcmp(u, "$/day") == 0)
			c->per = "day";
		else {
			problem(c, "fixedchargeunits", "fixedchargeunits '%s' "
			    "is not supported ($/month, $/day)", u);
			c->fixed = 0;
		}
	}

	/* dates */
	if (c->o->has_effective)
		c->eff = c->o->effective;
	else if ((rc = get_day(c, "startdate", &c->eff)) < 0)
		return -1;
	else if (rc > 0) {
		c->eff = br_date_days(1970, 1, 1);
		note(c, "no startdate: effective from 1970-01-01 (use "
		    "--effective)");
	}
	if ((rc = get_day(c, "enddate", &c->end)) < 0)
		return -1;
	c->has_end = rc == 0;
	return 0;
}

/* The version block of c (into c->y). */
static void
emit_version(struct cv *c, const struct season *seasons, size_t ns)
{
	char b1[48], b2[48];
	size_t i;
	bool dh = false;

	bput(&c->y, "  - effective: %s\n", br_date_format(c->eff, b1,
	    sizeof(b1)));
	if (c->fixed != 0 && rate_text(c, c->fsrc, c->fsrc, c->fixed, b2,
	    sizeof(b2)) == 0)
		bput(&c->y, "    customer_charge: {amount: %s, per: %s}"
		    "   # %s\n", b2, c->per, c->fsrc);
	emit_minimum(c);
	if (c->nem.p)
		bput(&c->y, "%s", c->nem.p);
	bput(&c->y, "    energy:\n");
	for (i = 0; i < (ns ? ns : 1); i++)
		emit_energy(c, ns ? &seasons[i] : NULL,
		    ns ? seasons[i].from : 0);
	for (i = 0; i < (ns ? ns : 1); i++)
		emit_demand(c, ns ? &seasons[i] : NULL,
		    ns ? seasons[i].from : 0, &dh);
	report_masks(c);
	if (c->ndemand > BR_TARIFF_MAX_DEMAND)
		problem(c, "demandratestructure", "the demand charges need %zu "
		    "entries (the tariff language allows %d)", c->ndemand,
		    BR_TARIFF_MAX_DEMAND);
}

/* code, name, unit, seasons (from the latest version's object) */
static void
emit_top(struct cv *c, struct buf *b, const struct season *seasons,
    size_t ns)
{
	char nm[256];
	const char *u = str_field(c->root, "utility"),
	    *n = str_field(c->root, "name");
	size_t i;

	bput(b, "code: %s\nname: ", c->r->code);
	snprintf(nm, sizeof(nm), "%s%s%s", u ? u : "", u && n ? " - " : "",
	    n ? n : (u ? "" : c->r->code));
	yaml_str(b, nm, sizeof(((struct br_tariff *)0)->name) - 1);
	bput(b, "\nunit: kWh\nrounding: half_up\n");
	if (ns > 0) {
		bput(b, "seasons:\n");
		for (i = 0; i < ns; i++) {
			if (seasons[i].from == seasons[i].to)
				bput(b, "  - {name: %s, months: %d}\n",
				    seasons[i].name, seasons[i].from + 1);
			else
				bput(b, "  - {name: %s, months: %d-%d}\n",
				    seasons[i].name, seasons[i].from + 1,
				    seasons[i].to + 1);
		}
	}
	bput(b, "versions:\n");
}

static void
emit_comments(struct cv *c, struct buf *h)
{
	const char *base = strrchr(c->src, '/') ? strrchr(c->src, '/') + 1 :
	    c->src;

	bput(h, "# Converted from URDB by urdb-import (docs/urdb-import.md)"
	    "\n");
	comment_line(h, "source file", base);
	comment_line(h, "label", str_field(c->root, "label"));
	comment_line(h, "uri", str_field(c->root, "uri"));
	comment_line(h, "utility", str_field(c->root, "utility"));
	comment_line(h, "rate", str_field(c->root, "name"));
	comment_line(h, "sector", str_field(c->root, "sector"));
	comment_line(h, "servicetype", str_field(c->root, "servicetype"));
}

static void
end_note(struct cv *c, struct buf *h)
{
	char b1[16];

	if (!c->has_end)
		return;
	br_date_format(c->end, b1, sizeof(b1));
	bput(h, "# enddate: %s (a later version must be added by hand; this "
	    "one stays in effect)\n", b1);
	note(c, "enddate %s: the tariff language has no end date; the "
	    "version stays in effect until a later one", b1);
}

static int
finish(struct cv *c)
{
	if (c->y.oom || c->cm.oom || c->nem.oom)
		return br_error_set(c->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	if (c->r->nproblems > 0)
		return br_error_set(c->err, BR_ECONFIG, c->src, 0,
		    "%s%s", c->r->problems[0], c->r->nproblems > 1 ?
		    " (and more features that cannot be represented)" : "");
	return 0;
}

static void
cv_free(struct cv *c)
{
	structure_free(&c->energy);
	structure_free(&c->demand);
	structure_free(&c->flat);
	free(c->cm.p);
	free(c->nem.p);
	free(c->y.p);
}

/*
 * --all-items: every tariff of "items" becomes a version, in startdate
 * order; seasons are the runs of months equal in every version.
 */
static int
convert_all(struct cv *c, json_object *items)
{
	size_t n = json_object_array_length(items), i, j, ns;
	struct cv **cs = calloc(n ? n : 1, sizeof(*cs));
	struct season seasons[12];
	struct buf body = { 0 }, h = { 0 };
	int rc = -1;
	char b1[16];

	if (cs == NULL)
		return br_error_set(c->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	for (i = 0; i < n; i++) {
		if ((cs[i] = calloc(1, sizeof(struct cv))) == NULL) {
			br_error_set(c->err, BR_ENOMEM, NULL, 0,
			    "out of memory");
			goto out;
		}
		cs[i]->o = c->o;
		cs[i]->r = c->r;
		cs[i]->err = c->err;
		cs[i]->src = c->src;
		cs[i]->root = json_object_array_get_idx(items, i);
		if (load_item(cs[i]) != 0)
			goto out;
	}
	/* startdate order (stable) */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && cs[j - 1]->eff > cs[j]->eff; j--) {
			struct cv *t = cs[j];
			cs[j] = cs[j - 1];
			cs[j - 1] = t;
		}
	for (i = 1; i < n; i++)
		if (cs[i]->eff == cs[i - 1]->eff) {
			bad(c, "items: two tariffs take effect on %s",
			    br_date_format(cs[i]->eff, b1, sizeof(b1)));
			goto out;
		}
	c->root = cs[n - 1]->root;
	derive_code(c, c->r->code, sizeof(c->r->code));
	if (!code_ok(c->r->code)) {
		br_error_set(c->err, BR_EUSAGE, NULL, 0, "bad rate code '%s'",
		    c->r->code);
		goto out;
	}
	ns = make_seasons(cs, n, seasons);
	if (ns > BR_TARIFF_MAX_SEASONS)
		problem(c, "energyweekdayschedule", "the schedules need %zu "
		    "seasons (the tariff language allows %d)", ns,
		    BR_TARIFF_MAX_SEASONS);
	emit_top(c, &body, seasons, ns);
	for (i = 0; i < n; i++) {
		emit_version(cs[i], seasons, ns);
		if (cs[i]->y.p)
			bput(&body, "%s", cs[i]->y.p);
	}
	emit_comments(cs[n - 1], &h);
	for (i = 0; i < n; i++) {
		const char *l = str_field(cs[i]->root, "label");
		char lb[40];
		snprintf(lb, sizeof(lb), "%s", l ? l : "?");
		clean_text(lb);
		bput(&h, "# version %s: label %s\n", br_date_format(cs[i]->eff,
		    b1, sizeof(b1)), lb);
	}
	end_note(cs[n - 1], &h);
	bput(&h, "# Rates are URDB rate + adj in dollars; hours are local "
	    "wall-clock time.\n");
	for (i = 0; i < n; i++)
		if (cs[i]->cm.p)
			bput(&h, "%s", cs[i]->cm.p);
	if (body.p)
		bput(&h, "%s", body.p);
	free(body.p);
	body.p = NULL;
	c->y = h;
	h.p = NULL;
	for (i = 0; i < n; i++)
		if (cs[i]->y.oom || cs[i]->cm.oom || cs[i]->nem.oom)
			c->y.oom = 1;
	rc = finish(c);
out:
	for (i = 0; i < n; i++)
		if (cs[i]) {
			cv_free(cs[i]);
			free(cs[i]);
		}
	free(cs);
	free(body.p);
	free(h.p);
	return rc;
}

static int
convert(struct cv *c, json_object *top)
{
	struct season seasons[12];
	size_t ns;
	struct cv *one = c;

	if ((c->root = unwrap(c, top)) == NULL)
		return -1;
	if (json_object_is_type(c->root, json_type_array)) {
		if (!c->o->all_items || json_object_array_length(c->root) == 0)
			return bad(c, "expected a URDB tariff object");
		return convert_all(c, c->root);
	}
	derive_code(c, c->r->code, sizeof(c->r->code));
	if (!code_ok(c->r->code))
		return br_error_set(c->err, BR_EUSAGE, NULL, 0, "bad rate code "
		    "'%s' (letters, digits, '-', '_', '.'; at most 31; it is "
		    "also the file name rates/CODE.yaml)", c->o->code ?
		    c->o->code : c->r->code);
	if (load_item(c) != 0)
		return -1;
	ns = make_seasons(&one, 1, seasons);
	if (ns > BR_TARIFF_MAX_SEASONS)
		problem(c, "energyweekdayschedule", "the schedules need %zu "
		    "seasons (the tariff language allows %d)", ns,
		    BR_TARIFF_MAX_SEASONS);
	struct buf body = { 0 }, h = { 0 };
	emit_top(c, &body, seasons, ns);
	emit_version(c, seasons, ns);
	if (c->y.p)
		bput(&body, "%s", c->y.p);
	emit_comments(c, &h);
	end_note(c, &h);
	bput(&h, "# Rates are URDB rate + adj in dollars; hours are local "
	    "wall-clock time.\n");
	if (c->cm.p)
		bput(&h, "%s", c->cm.p);
	if (body.p)
		bput(&h, "%s", body.p);
	if (body.oom)
		h.oom = 1;
	free(body.p);
	free(c->y.p);
	c->y = h;
	return finish(c);
}

int
br_urdb_convert(const char *text, size_t len, const struct br_urdb_opts *o,
    struct br_urdb_result *r, struct br_error *err)
{
	struct json_tokener *tok;
	json_object *top;
	struct cv c;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.r = r;
	c.err = err;
	c.src = o->source ? o->source : "-";
	if (strcmp(c.src, "-") == 0)
		c.src = "<stdin>";
	if ((tok = json_tokener_new_ex(64)) == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	if (len > (size_t)INT32_MAX - 1)
		len = (size_t)INT32_MAX - 1;
	top = json_tokener_parse_ex(tok, text, (int)len);
	if (top == NULL || json_tokener_get_parse_end(tok) < len) {
		enum json_tokener_error je = json_tokener_get_error(tok);
		size_t off = json_tokener_get_parse_end(tok), k;
		long line = 1;
		for (k = 0; k < off && k < len; k++)
			if (text[k] == '\n')
				line++;
		while (top && off < len && (text[off] == ' ' ||
		    text[off] == '\n' || text[off] == '\r' || text[off] == '\t'))
			off++;
		if (top == NULL || off < len) {
			json_object_put(top);
			json_tokener_free(tok);
			return br_error_set(err, BR_EINPUT, c.src, line,
			    "bad JSON: %s", top ? "trailing data" :
			    je == json_tokener_continue ? "unexpected end of "
			    "input" : json_tokener_error_desc(je));
		}
	}
	json_tokener_free(tok);
	rc = convert(&c, top);
	json_object_put(top);
	structure_free(&c.energy);
	structure_free(&c.demand);
	structure_free(&c.flat);
	free(c.cm.p);
	free(c.nem.p);
	if (rc != 0) {
		free(c.y.p);
		return -1;
	}
	r->yaml = c.y.p;
	r->len = c.y.n;
	return 0;
}

int
br_urdb_convert_file(const char *path, const struct br_urdb_opts *opts,
    struct br_urdb_result *r, struct br_error *err)
{
	struct br_input *in;
	char *text = NULL, *nt;
	size_t n = 0, cap = 0;
	long k;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((in = br_input_open(path, err)) == NULL)
		return -1;
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 1 << 17;
			if (cap > (size_t)64 << 20) {
				free(text);
				br_input_close(in);
				return br_error_set(err, BR_EINPUT, path, 0,
				    "file too large for a tariff");
			}
			if ((nt = realloc(text, cap)) == NULL) {
				free(text);
				br_input_close(in);
				return br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			text = nt;
		}
		if ((k = br_input_read(in, text + n, cap - n - 1, err)) < 0) {
			free(text);
			br_input_close(in);
			return -1;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	br_input_close(in);
	text[n] = '\0';
	rc = br_urdb_convert(text, n, opts, r, err);
	free(text);
	return rc;
}

void
br_urdb_result_release(struct br_urdb_result *r)
{
	size_t i;

	free(r->yaml);
	for (i = 0; i < r->nproblems; i++)
		free(r->problems[i]);
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->problems);
	free(r->notes);
	memset(r, 0, sizeof(*r));
}
