/* SPDX-License-Identifier: Apache-2.0 */
/*
 * regcheck.c: registry-check (regcheck.h).  Loads the cycle's period,
 * the meters, installs and agreements, the meters' interval sums per day
 * and register reads of the period, the import exceptions of the period
 * and the billed history per service point, then runs one function per
 * finding family.  Integer arithmetic only; findings sorted.
 */
#include "report/regcheck.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/date.h"
#include "core/reads.h"
#include "core/tz.h"
#include "io/csvio.h"
#include "io/html.h"
#include "report/review.h"
#include "core/grow.h"
#include "core/banned.h"

#define NO_DATA INT64_MIN

struct rc_meter {
	char id[64], kind[16], unit[16], cls[32];
	int64_t mult;		/* milli */
	bool retired;
	size_t first_inst, ninst;
	int64_t *day;		/* delivered sum per period day, NO_DATA */
	long ndays;		/* days with interval data (any channel) */
	long nregs;		/* register reads in the period */
	int64_t r0, r1;		/* first and last delivered register value */
	int64_t t0, t1;		/* their instants */
};

struct rc_install {
	size_t meter;
	char sp[64];
	int32_t from, to;
};

struct rc_agreement {
	char account[64], sp[64];
	int32_t from, to;
};

struct rc_ctx {
	struct br_store *st;
	struct br_regcheck *out;
	struct br_tz tz;
	int32_t ps, pe;		/* period, local days inclusive */
	int32_t ndays;
	struct rc_meter *m;
	size_t nm;
	struct rc_install *in;
	size_t nin;
	struct rc_install *insp;	/* copy of in[], by sp, from, meter */
	struct rc_agreement *ag;
	size_t nag;
};

static int
nomem(struct br_error *err)
{
	return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
}

static int
add(struct rc_ctx *c, const char *code, const char *sev, const char *meter,
    const char *sp, const char *account, const char *fix,
    struct br_error *err, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));

static int
add(struct rc_ctx *c, const char *code, const char *sev, const char *meter,
    const char *sp, const char *account, const char *fix,
    struct br_error *err, const char *fmt, ...)
{
	struct br_regcheck *o = c->out;
	struct br_regcheck_finding *f;
	va_list ap;

	if (br_grow((void **)&o->f, &o->cap, o->n, sizeof(*f)) != 0)
		return nomem(err);
	f = &o->f[o->n++];
	snprintf(f->code, sizeof(f->code), "%s", code);
	snprintf(f->severity, sizeof(f->severity), "%s", sev);
	snprintf(f->meter_id, sizeof(f->meter_id), "%s", meter ? meter : "");
	snprintf(f->sp_id, sizeof(f->sp_id), "%s", sp ? sp : "");
	snprintf(f->account_id, sizeof(f->account_id), "%s",
	    account ? account : "");
	snprintf(f->fix, sizeof(f->fix), "%s", fix);
	va_start(ap, fmt);
	vsnprintf(f->evidence, sizeof(f->evidence), fmt, ap);
	va_end(ap);
	if (sev[0] == 'h')
		o->holds++;
	else if (sev[0] == 'w')
		o->warns++;
	else
		o->infos++;
	return 0;
}

/* "1234.567" from milli-units; trim: drop trailing zeros of decimals. */
static const char *
milli(int64_t v, bool trim, char *buf, size_t n)
{
	uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	int len = snprintf(buf, n, "%s%" PRIu64 ".%03" PRIu64, v < 0 ? "-" : "",
	    a / 1000, a % 1000);

	if (trim && len > 0 && (size_t)len < n) {
		char *e = buf + len - 1;
		while (*e == '0')
			*e-- = '\0';
		if (*e == '.')
			*e = '\0';
	}
	return buf;
}

static const char *
day_str(int32_t d, char *buf, size_t n)
{
	if (d == INT32_MAX) {
		snprintf(buf, n, "open");
		return buf;
	}
	return br_date_format(d, buf, n);
}

static int32_t
text_day(sqlite3_stmt *s, int col, int32_t def)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	int32_t d;

	if (t == NULL || t[0] == '\0' ||
	    br_date_parse((const char *)t, (size_t)-1, &d) != 0)
		return def;
	return d;
}

static struct rc_meter *
meter_find(struct rc_ctx *c, const char *id)
{
	size_t lo = 0, hi = c->nm;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(id, c->m[mid].id);
		if (r == 0)
			return &c->m[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool
overlap(int32_t a0, int32_t a1, int32_t b0, int32_t b1)
{
	return a0 <= b1 && b0 <= a1;
}

/* Loading. */

static int
load_period(struct rc_ctx *c, const char *cycle, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT period_start, "
	    "period_end FROM bill_cycle WHERE cycle_id = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, cycle, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->ps = text_day(s, 0, 0);
		c->pe = text_day(s, 1, 0);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "unknown cycle '%s'", cycle);
	if (rc != SQLITE_ROW)
		return br_store_fail(c->st, "read bill_cycle", err);
	c->ndays = c->pe - c->ps + 1;
	if (c->ndays <= 0 || c->ndays > 400)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "cycle '%s' has a bad period", cycle);
	return br_store_timezone(c->st, &c->tz, err);
}

static int
load_meters(struct rc_ctx *c, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT meter_id, kind, "
	    "unit, multiplier_milli, coalesce(a.meter_class, ''), "
	    "coalesce(a.status, 'active') FROM meter LEFT JOIN meter_attr a "
	    "USING(meter_id) ORDER BY meter_id", err);
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct rc_meter *m;
		int32_t i;
		if (br_grow((void **)&c->m, &cap, c->nm, sizeof(*m)) != 0)
			goto nomem;
		m = &c->m[c->nm];
		memset(m, 0, sizeof(*m));
		if ((m->day = malloc((size_t)c->ndays * sizeof(int64_t))) ==
		    NULL)
			goto nomem;
		c->nm++;
		for (i = 0; i < c->ndays; i++)
			m->day[i] = NO_DATA;
		br_store_column_text(m->id, sizeof(m->id), s, 0);
		br_store_column_text(m->kind, sizeof(m->kind), s, 1);
		br_store_column_text(m->unit, sizeof(m->unit), s, 2);
		m->mult = sqlite3_column_int64(s, 3);
		br_store_column_text(m->cls, sizeof(m->cls), s, 4);
		m->retired = strcmp((const char *)sqlite3_column_text(s, 5),
		    "retired") == 0;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read meters", err);
	return 0;
nomem:
	sqlite3_finalize(s);
	return nomem(err);
}


static int
cmp_in_sp(const void *a, const void *b)
{
	const struct rc_install *x = a, *y = b;
	int r = strcmp(x->sp, y->sp);

	if (r != 0)
		return r;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->meter < y->meter ? -1 : x->meter > y->meter;
}

static int
load_installs(struct rc_ctx *c, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT meter_id, sp_id, "
	    "install_date, remove_date FROM meter_install ORDER BY meter_id, "
	    "install_date", err);
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct rc_meter *m = meter_find(c,
		    (const char *)sqlite3_column_text(s, 0));
		struct rc_install *in;
		if (m == NULL)
			continue;	/* the store's foreign key forbids it */
		if (br_grow((void **)&c->in, &cap, c->nin, sizeof(*in)) != 0) {
			sqlite3_finalize(s);
			return nomem(err);
		}
		in = &c->in[c->nin];
		in->meter = (size_t)(m - c->m);
		br_store_column_text(in->sp, sizeof(in->sp), s, 1);
		in->from = text_day(s, 2, INT32_MAX);
		in->to = text_day(s, 3, INT32_MAX);
		if (m->ninst == 0)
			m->first_inst = c->nin;
		m->ninst++;
		c->nin++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read meter installs", err);
	if ((c->insp = malloc((c->nin ? c->nin : 1) * sizeof(*c->insp))) ==
	    NULL)
		return nomem(err);
	if (c->nin > 0) {
		memcpy(c->insp, c->in, c->nin * sizeof(*c->insp));
		qsort(c->insp, c->nin, sizeof(*c->insp), cmp_in_sp);
	}
	return 0;
}

/* Agreements whose window overlaps the period, by sp, start, account. */
static int
load_agreements(struct rc_ctx *c, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT account_id, sp_id, "
	    "start_date, end_date FROM service_agreement ORDER BY sp_id, "
	    "start_date, account_id", err);
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct rc_agreement *a;
		int32_t from = text_day(s, 2, INT32_MAX);
		int32_t to = text_day(s, 3, INT32_MAX);
		if (!overlap(from, to, c->ps, c->pe))
			continue;
		if (br_grow((void **)&c->ag, &cap, c->nag, sizeof(*a)) != 0) {
			sqlite3_finalize(s);
			return nomem(err);
		}
		a = &c->ag[c->nag++];
		br_store_column_text(a->account, sizeof(a->account), s, 0);
		br_store_column_text(a->sp, sizeof(a->sp), s, 1);
		a->from = from;
		a->to = to;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read agreements", err);
	c->out->agreements = (long)c->nag;
	return 0;
}

/* Sum the delivered channel per meter and day of the period. */
static int
load_intervals(struct rc_ctx *c, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT meter_id, channel, "
	    "day, n, vals FROM interval_day WHERE day BETWEEN ?1 AND ?2 "
	    "ORDER BY meter_id, channel, day", err);
	struct rc_meter *m = NULL;
	int32_t last_day = INT32_MIN;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, c->ps);
	sqlite3_bind_int(s, 2, c->pe);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(s, 0);
		int32_t day = sqlite3_column_int(s, 2);
		int32_t n = sqlite3_column_int(s, 3), i;
		const unsigned char *v = sqlite3_column_blob(s, 4);
		int64_t sum = 0;
		if (m == NULL || strcmp(m->id, id) != 0) {
			m = meter_find(c, id);
			last_day = INT32_MIN;
		}
		if (m == NULL)
			continue;
		if (day != last_day)
			m->ndays++;	/* days with data, any channel */
		last_day = day;
		if (sqlite3_column_int(s, 1) != BR_CHANNEL_DELIVERED || v ==
		    NULL || sqlite3_column_bytes(s, 4) < 8 * n)
			continue;
		for (i = 0; i < n; i++) {
			int64_t x;
			br_store_unpack_values(v + 8 * i, 1, &x);
			sum += x;
		}
		m->day[day - c->ps] = sum;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read interval days", err);
	return 0;
}

/* First and last delivered register read inside the period (the read
 * at the start of the day after it included). */
static int
load_registers(struct rc_ctx *c, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT meter_id, channel, "
	    "read_utc, value_milli FROM register_read WHERE read_utc BETWEEN "
	    "?1 AND ?2 ORDER BY meter_id, channel, read_utc", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, br_tz_day_start(&c->tz, c->ps));
	sqlite3_bind_int64(s, 2, br_tz_day_start(&c->tz, c->pe + 1));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct rc_meter *m = meter_find(c,
		    (const char *)sqlite3_column_text(s, 0));
		int64_t t = sqlite3_column_int64(s, 2);
		int64_t v = sqlite3_column_int64(s, 3);
		if (m == NULL)
			continue;
		m->nregs++;
		if (sqlite3_column_int(s, 1) != BR_CHANNEL_DELIVERED)
			continue;
		if (m->t0 == 0 && m->t1 == 0) {
			m->t0 = t;
			m->r0 = v;
		}
		m->t1 = t;
		m->r1 = v;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read register reads", err);
	return 0;
}

/* Checks. */

struct idref {
	char norm[64], id[64], kind[16];
	bool registry;
};

struct rc_ids {
	struct idref *v;
	size_t n, cap;
};

static int
idref_add(struct rc_ids *ids, const char *id, const char *kind,
    bool registry)
{
	struct idref *r;

	if (br_grow((void **)&ids->v, &ids->cap, ids->n, sizeof(*r)) != 0)
		return -1;
	r = &ids->v[ids->n++];
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	r->registry = registry;
	br_regcheck_normalize_id(id, r->norm, sizeof(r->norm));
	return 0;
}

/* The import's meter-matching exceptions of the period. */
static int
check_import(struct rc_ctx *c, struct rc_ids *ids, struct br_error *err)
{
	static const struct {
		const char *exc, *code, *fix;
	} map[] = {
		{ "UNKNOWN_METER", "READS_UNKNOWN_METER",
		  "add the meter and its install to the registry, or correct "
		  "the id the head-end sends (see DUPLICATE_METER_ID)" },
		{ "OUTSIDE_INSTALL", "READS_NOT_INSTALLED",
		  "record the install (meter_installs.csv) on the service "
		  "point the meter is on, or correct its install date" },
		{ "REMOVED_METER", "READS_AFTER_REMOVAL",
		  "the meter still reads after its removal: check the "
		  "exchange (swapped meters?) and its remove date" },
	};
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT code, meter_id, "
	    "min(date), max(date), count(*), min(detail) FROM exception WHERE "
	    "stage = 'import' AND code IN ('UNKNOWN_METER', 'OUTSIDE_INSTALL', "
	    "'REMOVED_METER') AND date BETWEEN ?1 AND ?2 GROUP BY code, "
	    "meter_id ORDER BY code, meter_id", err);
	char d0[16], d1[16];
	int rc;
	size_t i;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, br_date_format(c->ps, d0, sizeof(d0)), -1,
	    SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, br_date_format(c->pe, d1, sizeof(d1)), -1,
	    SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(s, 0);
		const char *meter = (const char *)sqlite3_column_text(s, 1);
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strcmp(code, map[i].exc) == 0)
				break;
		if (i == sizeof(map) / sizeof(map[0]))
			continue;
		if (add(c, map[i].code, "hold", meter, "", "", map[i].fix, err,
		    "import %s x%d %s..%s: %s", code, sqlite3_column_int(s, 4),
		    (const char *)sqlite3_column_text(s, 2),
		    (const char *)sqlite3_column_text(s, 3),
		    (const char *)sqlite3_column_text(s, 5)) != 0)
			goto fail;
		if (i == 0 && idref_add(ids, meter, "", false) != 0) {
			nomem(err);
			goto fail;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read exceptions", err);
	return 0;
fail:
	sqlite3_finalize(s);
	return -1;
}

/* One meter installed on two service points on the same days. */
static int
check_two_sp(struct rc_ctx *c, struct br_error *err)
{
	char a0[16], a1[16], b0[16], b1[16];
	size_t i, j, k;

	for (i = 0; i < c->nm; i++) {
		const struct rc_meter *m = &c->m[i];
		for (j = 0; j < m->ninst; j++)
			for (k = j + 1; k < m->ninst; k++) {
				const struct rc_install *x =
				    &c->in[m->first_inst + j];
				const struct rc_install *y =
				    &c->in[m->first_inst + k];
				if (!overlap(x->from, x->to, y->from, y->to) ||
				    !overlap(x->from, x->to, c->ps, c->pe) ||
				    !overlap(y->from, y->to, c->ps, c->pe))
					continue;
				if (add(c, "METER_TWO_SERVICE_POINTS", "hold",
				    m->id, y->sp, "", "close the older install "
				    "(remove_date) or correct the service point",
				    err, "installed on %s %s..%s and on %s "
				    "%s..%s", x->sp,
				    day_str(x->from, a0, sizeof(a0)),
				    day_str(x->to, a1, sizeof(a1)), y->sp,
				    day_str(y->from, b0, sizeof(b0)),
				    day_str(y->to, b1, sizeof(b1))) != 0)
					return -1;
			}
	}
	return 0;
}

/* Index of the first install on sp in insp[] (nin when none). */
static size_t
sp_first(const struct rc_ctx *c, const char *sp)
{
	size_t lo = 0, hi = c->nin;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->insp[mid].sp, sp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Per active agreement: retired meters on it, days without a meter,
 * installed meters that sent nothing. */
static int
check_agreement(struct rc_ctx *c, const struct rc_agreement *a,
    struct br_error *err)
{
	int32_t w0 = a->from > c->ps ? a->from : c->ps;
	int32_t w1 = a->to < c->pe ? a->to : c->pe, d;
	size_t first = sp_first(c, a->sp), i;
	long uncovered = 0;
	char s0[16], s1[16], t0[16], t1[16];

	for (d = w0; d <= w1; d++) {
		for (i = first; i < c->nin && strcmp(c->insp[i].sp, a->sp) ==
		    0; i++)
			if (c->insp[i].from <= d && d <= c->insp[i].to)
				break;
		if (i == c->nin || strcmp(c->insp[i].sp, a->sp) != 0)
			uncovered++;
	}
	day_str(w0, s0, sizeof(s0));
	day_str(w1, s1, sizeof(s1));
	if (uncovered == (long)(w1 - w0 + 1)) {
		if (add(c, "AGREEMENT_NO_METER", "hold", "", a->sp, a->account,
		    "record the meter installed at the service point "
		    "(meter_installs.csv)", err, "agreement active %s..%s, no "
		    "meter installed on any of its %ld days", s0, s1,
		    uncovered) != 0)
			return -1;
	} else if (uncovered > 0) {
		if (add(c, "AGREEMENT_METER_GAP", "warn", "", a->sp, a->account,
		    "check the exchange dates: the old meter's remove date "
		    "and the new one's install date", err, "agreement active "
		    "%s..%s, %ld of its %d days without an installed meter",
		    s0, s1, uncovered, (int)(w1 - w0 + 1)) != 0)
			return -1;
	}
	for (i = first; i < c->nin && strcmp(c->insp[i].sp, a->sp) == 0;
	    i++) {
		const struct rc_install *in = &c->insp[i];
		const struct rc_meter *m = &c->m[in->meter];
		if (!overlap(in->from, in->to, w0, w1))
			continue;
		day_str(in->from, t0, sizeof(t0));
		day_str(in->to, t1, sizeof(t1));
		if (m->retired && add(c, "RETIRED_METER_ON_AGREEMENT", "hold",
		    m->id, a->sp, a->account, "record the replacement meter's "
		    "install and this meter's remove date, or correct its "
		    "status", err, "meter status retired, installed %s..%s; "
		    "agreement active %s..%s", t0, t1, s0, s1) != 0)
			return -1;
		if (m->ndays == 0 && m->nregs == 0 && add(c, "METER_NO_READS",
		    "warn", m->id, a->sp, a->account, "check the meter's "
		    "communication at the head-end; the cycle will estimate "
		    "or hold it", err, "installed %s..%s, agreement active "
		    "%s..%s: 0 interval days and 0 register reads in the "
		    "period", t0, t1, s0, s1) != 0)
			return -1;
	}
	return 0;
}

static int
cmp_idref(const void *a, const void *b)
{
	const struct idref *x = a, *y = b;
	int r = strcmp(x->norm, y->norm);

	return r != 0 ? r : strcmp(x->id, y->id);
}

static bool
kinds_match(const struct idref *x, const struct idref *y)
{
	return x->kind[0] == '\0' || y->kind[0] == '\0' ||
	    strcmp(x->kind, y->kind) == 0;
}

static int
check_duplicates(struct rc_ctx *c, struct rc_ids *ids, struct br_error *err)
{
	size_t i, j, k;

	for (i = 0; i < c->nm; i++)
		if (idref_add(ids, c->m[i].id, c->m[i].kind, true) != 0)
			return nomem(err);
	if (ids->n > 1)
		qsort(ids->v, ids->n, sizeof(*ids->v), cmp_idref);
	for (i = 0; i < ids->n; i = j) {
		char list[240];
		size_t len = 0;
		bool dup = false;
		for (j = i + 1; j < ids->n && strcmp(ids->v[j].norm,
		    ids->v[i].norm) == 0; j++)
			;
		if (j - i < 2)
			continue;
		for (k = i + 1; k < j; k++)
			if (strcmp(ids->v[k].id, ids->v[k - 1].id) != 0 &&
			    kinds_match(&ids->v[i], &ids->v[k]))
				dup = true;
		if (!dup)
			continue;
		list[0] = '\0';
		for (k = i; k < j && len < sizeof(list); k++) {
			if (k > i && strcmp(ids->v[k].id, ids->v[k - 1].id) ==
			    0)
				continue;
			len += (size_t)snprintf(list + len, sizeof(list) - len,
			    "%s%s (%s)", k > i ? ", " : "", ids->v[k].id,
			    ids->v[k].registry ? "registry" :
			    "reads, not in registry");
		}
		if (add(c, "DUPLICATE_METER_ID", "warn", ids->v[i].id, "", "",
		    "keep one id: map the head-end's id to the registry's, or "
		    "merge the registry rows", err, "ids %s normalize to %s",
		    list, ids->v[i].norm) != 0)
			return -1;
	}
	return 0;
}

enum rc_class { CLS_NONE, CLS_UNKNOWN, CLS_SELF, CLS_CT, CLS_DIAL };

static enum rc_class
class_of(const char *cls)
{
	static const char *const self[] = { "self-contained", "1S", "2S",
		"12S", "14S", "15S", "16S", "17S", "25S", NULL };
	static const char *const ct[] = { "transformer-rated", "3S", "4S",
		"5S", "6S", "8S", "9S", "10S", "26S", "29S", "35S", "36S",
		"45S", "46S", "56S", "66S", NULL };
	int i;

	if (cls[0] == '\0')
		return CLS_NONE;
	for (i = 0; self[i] != NULL; i++)
		if (strcasecmp(cls, self[i]) == 0)
			return CLS_SELF;
	for (i = 0; ct[i] != NULL; i++)
		if (strcasecmp(cls, ct[i]) == 0)
			return CLS_CT;
	if (strcasecmp(cls, "dial") == 0)
		return CLS_DIAL;
	return CLS_UNKNOWN;
}

/* CT primary / 5 A times a PT ratio: the usual transformer-rated
 * multipliers. */
static bool
usual_ct(int64_t mult_milli)
{
	static const int ct[] = { 10, 15, 20, 30, 40, 60, 80, 100, 120, 160,
		200, 240, 300, 320, 400, 500, 600, 800, 1000, 1200 };
	static const int pt[] = { 1, 2, 4, 20, 60, 120 };
	size_t i, j;

	for (i = 0; i < sizeof(ct) / sizeof(ct[0]); i++)
		for (j = 0; j < sizeof(pt) / sizeof(pt[0]); j++)
			if (mult_milli == (int64_t)ct[i] * pt[j] * 1000)
				return true;
	return false;
}

static int
check_class(struct rc_ctx *c, struct br_error *err)
{
	char mb[32];
	size_t i;

	for (i = 0; i < c->nm; i++) {
		const struct rc_meter *m = &c->m[i];
		enum rc_class k = class_of(m->cls);
		const char *usual = NULL;
		milli(m->mult, true, mb, sizeof(mb));
		if (k == CLS_NONE)
			continue;
		if (k == CLS_UNKNOWN) {
			if (add(c, "METER_CLASS_UNKNOWN", "info", m->id, "", "",
			    "use an ANSI form (2S, 9S ...), self-contained, "
			    "transformer-rated or dial", err, "meter_class "
			    "'%s' not known; multiplier %s not checked",
			    m->cls, mb) != 0)
				return -1;
			continue;
		}
		if (k == CLS_SELF && m->mult != 1000)
			usual = "1 (self-contained)";
		else if (k == CLS_CT && !usual_ct(m->mult))
			usual = "CT primary/5 x PT ratio (10, 20, 40, 80, 120, "
			    "... not 1)";
		else if (k == CLS_DIAL && m->mult != 1000 && m->mult !=
		    10000 && m->mult != 100000 && m->mult != 1000000)
			usual = "1, 10, 100 or 1000 (dial)";
		if (usual != NULL && add(c, "MULTIPLIER_UNUSUAL_FOR_CLASS",
		    "hold", m->id, "", "", "check the nameplate and the CT/PT "
		    "ratios on site; correct multiplier in meters.csv and "
		    "re-import", err, "multiplier %s, class %s: usual %s", mb,
		    m->cls, usual) != 0)
			return -1;
	}
	return 0;
}

/* Register advance against the interval sum of the same days. */
static int
check_register(struct rc_ctx *c, struct br_error *err)
{
	char ab[32], sb[32], rb[32], mb[32], d0s[16], d1s[16];
	size_t i;

	for (i = 0; i < c->nm; i++) {
		const struct rc_meter *m = &c->m[i];
		int32_t d0, d1, d;
		int64_t sum = 0, adv, ratio;
		if (m->t1 <= m->t0)
			continue;
		d0 = br_tz_local_day(&c->tz, m->t0);
		d1 = br_tz_local_day(&c->tz, m->t1);
		if (m->t1 == br_tz_day_start(&c->tz, d1))
			d1--;	/* read at midnight ends the day before */
		if (d0 < c->ps || d1 > c->pe || d1 < d0)
			continue;
		for (d = d0; d <= d1 && m->day[d - c->ps] != NO_DATA; d++)
			sum += m->day[d - c->ps];
		adv = m->r1 - m->r0;
		if (d <= d1 || sum <= 0 || adv <= 0)
			continue;
		ratio = adv * 1000 / sum;
		if (ratio < 1500 && ratio > 667)
			continue;
		if (add(c, "MULTIPLIER_REGISTER_VS_INTERVAL", "hold", m->id,
		    "", "", "one source carries a multiplier the other lacks: "
		    "compare the registry multiplier with the head-end's and "
		    "re-import", err, "register advance %s vs interval sum %s "
		    "%s over %s..%s: ratio %s (registry multiplier %s)",
		    milli(adv, false, ab, sizeof(ab)),
		    milli(sum, false, sb, sizeof(sb)), m->unit,
		    day_str(d0, d0s, sizeof(d0s)),
		    day_str(d1, d1s, sizeof(d1s)),
		    milli(ratio, false, rb, sizeof(rb)),
		    milli(m->mult, true, mb, sizeof(mb))) != 0)
			return -1;
	}
	return 0;
}

struct rc_hist {
	char sp[64];
	int64_t usage;	/* milli */
	int64_t days;
	char unit[16];	/* legacy: the unit; billed: "" (the meter's) */
};

/* History before the period per service point, sorted by sp: legacy
 * (convert-import's totals, tou_period '') or billed (billrun's issued
 * bills). */
static int
load_history(struct rc_ctx *c, bool legacy, struct rc_hist **out,
    size_t *n, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(c->st, legacy ?
	    "SELECT sp_id, sum(usage_milli), sum(days), unit FROM "
	    "legacy_usage WHERE tou_period = '' AND period_end < ?1 GROUP BY "
	    "sp_id, unit ORDER BY sp_id, unit" :
	    "SELECT sp_id, "
	    "sum(bill_sp.usage_milli), sum(CAST(julianday(bill_sp.period_end) - "
	    "julianday(bill_sp.period_start) AS INTEGER) + 1), '' FROM bill_sp "
	    "JOIN bill USING(bill_id) "
	    "WHERE bill.status = 'issued' AND "
	    "bill_sp.period_end < ?1 GROUP BY sp_id ORDER BY sp_id", err);
	size_t cap = 0;
	char d0[16];
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, br_date_format(c->ps, d0, sizeof(d0)), -1,
	    SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct rc_hist *h;
		if (br_grow((void **)out, &cap, *n, sizeof(*h)) != 0) {
			sqlite3_finalize(s);
			return nomem(err);
		}
		h = &(*out)[(*n)++];
		br_store_column_text(h->sp, sizeof(h->sp), s, 0);
		h->usage = sqlite3_column_int64(s, 1);
		h->days = sqlite3_column_int64(s, 2);
		br_store_column_text(h->unit, sizeof(h->unit), s, 3);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read history", err);
	return 0;
}

/* The CT/PT-like ratio that ratio (milli) is within 10 % of, or 0. */
static int
ct_ratio(int64_t ratio)
{
	static const int k[] = { 10, 20, 30, 40, 50, 60, 80, 100, 120, 160,
		200, 240, 300, 400, 600, 800, 1000 };
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		int64_t want = (int64_t)k[i] * 1000;
		if (ratio >= want - want / 10 && ratio <= want + want / 10)
			return k[i];
	}
	return 0;
}

static int
check_history_sp(struct rc_ctx *c, const char *sp, const char *account,
    const struct rc_hist *h, struct br_error *err)
{
	size_t first = sp_first(c, sp), i;
	const struct rc_meter *only = NULL;
	int64_t sum = 0, days = 0, cur, old, up, down;
	char cb[32], hb[32], mb[32];
	int32_t d;
	int k;

	for (i = first; i < c->nin && strcmp(c->insp[i].sp, sp) == 0; i++) {
		const struct rc_install *in = &c->insp[i];
		const struct rc_meter *m = &c->m[in->meter];
		if (!overlap(in->from, in->to, c->ps, c->pe))
			continue;
		if (h->unit[0] != '\0' && strcasecmp(h->unit, m->unit) != 0)
			return 0;	/* legacy history of another unit */
		only = only == NULL || only == m ? m : NULL;
		for (d = in->from > c->ps ? in->from : c->ps;
		    d <= in->to && d <= c->pe; d++)
			if (m->day[d - c->ps] != NO_DATA) {
				sum += m->day[d - c->ps];
				days++;
			}
	}
	if (days == 0 || h->days <= 0 || h->usage <= 0 || sum <= 0)
		return 0;
	cur = sum / days;		/* milli-units a day */
	old = h->usage / h->days;
	if (cur <= 0 || old <= 0)
		return 0;
	up = cur * 1000 / old;
	down = old * 1000 / cur;
	if ((k = ct_ratio(up)) == 0 && (k = ct_ratio(down)) == 0)
		return 0;
	return add(c, "MULTIPLIER_HISTORY_RATIO", "hold",
	    only ? only->id : "", sp, account, "the multiplier changed by a "
	    "CT/PT ratio: check the registry multiplier against the legacy "
	    "system's and the site", err, "%s/day now (%lld days) vs %s/day "
	    "%s history (%lld days): %s%d (registry multiplier %s)",
	    milli(cur, false, cb, sizeof(cb)), (long long)days,
	    milli(old, false, hb, sizeof(hb)),
	    h->unit[0] ? "legacy" : "billed",
	    (long long)h->days, ct_ratio(up) ? "x" : "1/", k,
	    only ? milli(only->mult, true, mb, sizeof(mb)) : "several");
}

static int
check_history_src(struct rc_ctx *c, bool legacy, struct br_error *err)
{
	struct rc_hist *h = NULL;
	size_t nh = 0, i, j;
	int rc = 0;

	if (load_history(c, legacy, &h, &nh, err) != 0)
		return -1;
	/* Both lists are sorted by sp: walk them together. */
	for (i = 0, j = 0; i < c->nag && rc == 0; i++) {
		const struct rc_agreement *a = &c->ag[i];
		size_t k;
		if (i > 0 && strcmp(a->sp, c->ag[i - 1].sp) == 0)
			continue;
		while (j < nh && strcmp(h[j].sp, a->sp) < 0)
			j++;
		for (k = j; k < nh && strcmp(h[k].sp, a->sp) == 0 && rc == 0;
		    k++)
			rc = check_history_sp(c, a->sp, a->account, &h[k], err);
	}
	free(h);
	return rc;
}

static int
check_history(struct rc_ctx *c, struct br_error *err)
{
	if (check_history_src(c, true, err) != 0)
		return -1;
	return check_history_src(c, false, err);
}

void
br_regcheck_normalize_id(const char *id, char *out, size_t n)
{
	size_t p = 0, digits = 0, i, len = strlen(id), o = 0;
	const char *s;

	while (p < len && isalpha((unsigned char)id[p]))
		p++;
	for (i = p; i < len && isdigit((unsigned char)id[i]); i++)
		digits++;
	s = id;
	if (p >= 1 && p <= 6 && p < len && strchr("-_:./", id[p]) != NULL)
		s = id + p + 1;
	else if (p >= 1 && p <= 4 && digits >= 4 && p + digits == len)
		s = id + p;
	for (i = 0; s[i] != '\0' && isdigit((unsigned char)s[i]); i++)
		;
	if (s[i] == '\0')	/* all digits: drop the zero padding */
		while (s[0] == '0' && s[1] != '\0')
			s++;
	for (; *s != '\0' && o + 1 < n; s++)
		out[o++] = (char)toupper((unsigned char)*s);
	if (n > 0)
		out[o] = '\0';
}

static int
sev_rank(const char *s)
{
	return s[0] == 'h' ? 0 : s[0] == 'w' ? 1 : 2;
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct br_regcheck_finding *x = a, *y = b;
	int r;

	if ((r = sev_rank(x->severity) - sev_rank(y->severity)) != 0)
		return r;
	if ((r = strcmp(x->code, y->code)) != 0)
		return r;
	if ((r = strcmp(x->meter_id, y->meter_id)) != 0)
		return r;
	if ((r = strcmp(x->sp_id, y->sp_id)) != 0)
		return r;
	if ((r = strcmp(x->account_id, y->account_id)) != 0)
		return r;
	return strcmp(x->evidence, y->evidence);
}

static void
ctx_free(struct rc_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nm; i++)
		free(c->m[i].day);
	free(c->m);
	free(c->in);
	free(c->insp);
	free(c->ag);
	br_tz_release(&c->tz);
}

int
br_regcheck_run(struct br_store *st, const char *cycle_id,
    struct br_regcheck *out, struct br_error *err)
{
	struct rc_ctx c;
	struct rc_ids ids = { NULL, 0, 0 };
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.out = out;
	if (load_period(&c, cycle_id, err) != 0 || load_meters(&c, err) != 0 || load_installs(&c, err) != 0 ||
	    load_agreements(&c, err) != 0 || load_intervals(&c, err) != 0 ||
	    load_registers(&c, err) != 0)
		goto done;
	out->meters = (long)c.nm;
	if (check_import(&c, &ids, err) != 0 || check_two_sp(&c, err) != 0)
		goto done;
	for (i = 0; i < c.nag; i++)
		if (check_agreement(&c, &c.ag[i], err) != 0)
			goto done;
	if (check_duplicates(&c, &ids, err) != 0 ||
	    check_class(&c, err) != 0 || check_register(&c, err) != 0 ||
	    check_history(&c, err) != 0)
		goto done;
	if (out->n > 1)
		qsort(out->f, out->n, sizeof(*out->f), cmp_finding);
	rc = 0;
done:
	free(ids.v);
	ctx_free(&c);
	if (rc != 0)
		br_regcheck_release(out);
	return rc;
}

void
br_regcheck_write_csv(const struct br_regcheck *rc, FILE *out)
{
	static const char *const hdr[] = { "code", "severity", "meter_id",
		"sp_id", "account_id", "evidence", "suggested_fix" };
	size_t i;

	br_csv_row(out, 7, hdr);
	for (i = 0; i < rc->n; i++) {
		const struct br_regcheck_finding *f = &rc->f[i];
		const char *row[7] = { f->code, f->severity, f->meter_id,
			f->sp_id, f->account_id, f->evidence, f->fix };
		br_csv_row(out, 7, row);
	}
}

void
br_regcheck_release(struct br_regcheck *rc)
{
	free(rc->f);
	memset(rc, 0, sizeof(*rc));
}

void
br_regcheck_write_html(const struct br_regcheck *rc, const char *cycle_id,
    FILE *out)
{
	static const char *const sev[] = { "hold", "warn", "info" };
	char title[128];
	size_t i, k;

	snprintf(title, sizeof(title), "Registry check, cycle %s", cycle_id);
	br_html_page_begin(out, title, br_report_css);
	/* header and main give the page its margins (br_report_css has
	 * body{margin:0}), as on the review page */
	br_html_raw(out, "<header>");
	br_html_elem(out, "h1", title, NULL);
	br_html_start(out, "p", NULL);
	br_html_textf(out, "%ld meters and %ld agreements active in the "
	    "period checked: %ld hold, %ld warn, %ld info findings.",
	    rc->meters, rc->agreements, rc->holds, rc->warns, rc->infos);
	br_html_end(out, "p");
	br_html_raw(out, "</header>\n<main>\n");
	for (k = 0; k < 3; k++) {
		bool any = false;
		for (i = 0; i < rc->n; i++) {
			const struct br_regcheck_finding *f = &rc->f[i];
			if (strcmp(f->severity, sev[k]) != 0)
				continue;
			if (!any) {
				br_html_start(out, "h2", NULL);
				br_html_textf(out, "%s", sev[k]);
				br_html_end(out, "h2");
				br_html_raw(out, "<table><thead><tr><th>code</th>"
				    "<th>meter</th><th>service point</th>"
				    "<th>account</th><th>evidence</th>"
				    "<th>suggested fix</th></tr></thead><tbody>\n");
				any = true;
			}
			br_html_start(out, "tr", "class", k == 0 ? "sev-hold" :
			    k == 1 ? "sev-warn" : "sev-info", NULL);
			br_html_elem(out, "td", f->code, NULL);
			br_html_elem(out, "td", f->meter_id, NULL);
			br_html_elem(out, "td", f->sp_id, NULL);
			br_html_elem(out, "td", f->account_id, NULL);
			br_html_elem(out, "td", f->evidence, NULL);
			br_html_elem(out, "td", f->fix, NULL);
			br_html_end(out, "tr");
			br_html_raw(out, "\n");
		}
		if (any)
			br_html_raw(out, "</tbody></table>\n");
	}
	if (rc->n == 0)
		br_html_elem(out, "p", "No findings.", NULL);
	br_html_raw(out, "</main>\n");
	br_html_page_end(out, NULL);
}
