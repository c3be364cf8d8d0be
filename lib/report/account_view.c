/* SPDX-License-Identifier: Apache-2.0 */
/*
 * account_view.c: the dispute view of one account and the meter reads CSV
 * (account_view.h).  Each section is one query into a small table
 * writer that prints aligned text or an HTML table.
 */
#include "report/account_view.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/exid.h"
#include "core/money.h"
#include "core/reads.h"
#include "core/tz.h"
#include "io/csvio.h"
#include "io/html.h"
#include "report/page.h"
#include "report/review.h"
#include "core/banned.h"

/* --- a table of text cells, printed aligned or as HTML --------------- */

#define TAB_MAXCOL 12

struct tab {
	FILE *f;
	int html;
	size_t ncol;
	const char *hdr[TAB_MAXCOL];
	unsigned num;		/* bit i: column i is numeric (right) */
	char **cell;		/* OWNED: nrows * ncol strings */
	size_t nrows, cap;
	int oom;
};

static void
tab_begin(struct tab *t, FILE *f, int html, unsigned num, ...)
{
	va_list ap;
	const char *h;

	memset(t, 0, sizeof(*t));
	t->f = f;
	t->html = html;
	t->num = num;
	va_start(ap, num);
	while ((h = va_arg(ap, const char *)) != NULL && t->ncol < TAB_MAXCOL)
		t->hdr[t->ncol++] = h;
	va_end(ap);
}

/* Append a row of ncol text cells (const char *, NULL as ""). */
static void
tab_row(struct tab *t, ...)
{
	va_list ap;
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 32;
		char **nv = realloc(t->cell, cap * t->ncol * sizeof(*nv));

		if (nv == NULL) {
			t->oom = 1;
			return;
		}
		t->cell = nv;
		t->cap = cap;
	}
	va_start(ap, t);
	for (i = 0; i < t->ncol; i++) {
		const char *s = va_arg(ap, const char *);

		t->cell[t->nrows * t->ncol + i] = strdup(s ? s : "");
		if (t->cell[t->nrows * t->ncol + i] == NULL)
			t->oom = 1;
	}
	va_end(ap);
	t->nrows++;
}

/* Display width of UTF-8 text (code points). */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
pad(FILE *f, const char *s, size_t w, int right)
{
	size_t n = width(s);

	if (right)
		for (; n < w; n++)
			fputc(' ', f);
	fputs(s, f);
	if (!right)
		for (; n < w; n++)
			fputc(' ', f);
}

static void
tab_text(struct tab *t)
{
	size_t w[TAB_MAXCOL], r, i;

	for (i = 0; i < t->ncol; i++)
		w[i] = width(t->hdr[i]);
	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncol; i++) {
			size_t n = width(t->cell[r * t->ncol + i]);

			/* The last column (detail, trace) is not padded. */
			if (i + 1 < t->ncol && n > w[i])
				w[i] = n;
		}
	for (r = 0; r <= t->nrows; r++) {
		for (i = 0; i < t->ncol; i++) {
			const char *s = r ? t->cell[(r - 1) * t->ncol + i] :
			    t->hdr[i];

			if (i + 1 == t->ncol && *s == '\0')
				break;
			if (i)
				fputs("  ", t->f);
			if (i + 1 == t->ncol)
				fputs(s, t->f);
			else
				pad(t->f, s, w[i], (t->num >> i) & 1);
		}
		fputc('\n', t->f);
	}
	if (t->nrows == 0)
		fputs("(none)\n", t->f);
}

static void
tab_html(struct tab *t)
{
	size_t r, i;

	br_html_raw(t->f, "<table><thead><tr>");
	for (i = 0; i < t->ncol; i++)
		br_html_elem(t->f, "th", t->hdr[i], "class", (t->num >> i) & 1
		    ? "num" : "", NULL);
	br_html_raw(t->f, "</tr></thead><tbody>\n");
	for (r = 0; r < t->nrows; r++) {
		br_html_raw(t->f, "<tr>");
		for (i = 0; i < t->ncol; i++)
			br_html_elem(t->f, "td", t->cell[r * t->ncol + i],
			    "class", (t->num >> i) & 1 ? "num" : "", NULL);
		br_html_raw(t->f, "</tr>\n");
	}
	if (t->nrows == 0) {
		fprintf(t->f, "<tr><td colspan=\"%zu\" class=\"muted\">"
		    "none</td></tr>\n", t->ncol);
	}
	br_html_raw(t->f, "</tbody></table>\n");
}

static int
tab_end(struct tab *t, struct br_error *err)
{
	size_t i;
	int oom = t->oom;

	if (!oom) {
		if (t->html)
			tab_html(t);
		else
			tab_text(t);
	}
	for (i = 0; i < t->nrows * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
	t->cell = NULL;
	if (oom)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	return 0;
}

static void
section(FILE *f, int html, const char *title)
{
	if (html) {
		br_html_elem(f, "h2", title, NULL);
	} else {
		fprintf(f, "\n== %s ==\n", title);
	}
}

/* --- the view --------------------------------------------------------- */

struct view {
	struct br_store *st;
	FILE *f;
	int html;
	const char *account;
	char bill[64], pstart[16], pend[16], cycle[32];
	char unit[16];		/* the unit charted */
};

static char *
qty(int64_t milli, char *buf, size_t n)
{
	return br_decimal_format(milli, 3, 3, buf, n);
}

static char *
cents(int64_t c, char *buf, size_t n)
{
	return br_cents_format(c, buf, n);
}

static int
fail(struct view *v, sqlite3_stmt *s, const char *what, struct br_error *err)
{
	sqlite3_finalize(s);
	return br_store_fail(v->st, what, err);
}

static int
account_section(struct view *v, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(v->st, "SELECT name, "
	    "mailing_address, status, cycle_id FROM account WHERE account_id"
	    " = ?1", err);
	char name[256] = "", addr[256] = "", status[16] = "", cyc[32] = "";
	struct tab t;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, v->account, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		br_store_column_text(name, sizeof(name), s, 0);
		br_store_column_text(addr, sizeof(addr), s, 1);
		br_store_column_text(status, sizeof(status), s, 2);
		br_store_column_text(cyc, sizeof(cyc), s, 3);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "unknown account '%s'", v->account);
	if (v->html) {
		br_html_raw(v->f, "<header>");
		br_html_start(v->f, "h1", NULL);
		br_html_textf(v->f, "Account %s: %s", v->account, name);
		br_html_end(v->f, "h1");
		br_html_start(v->f, "p", NULL);
		br_html_textf(v->f, "%s \xc2\xb7 %s \xc2\xb7 bill cycle group "
		    "%s \xc2\xb7 bill %s (%s to %s)", addr, status, cyc,
		    v->bill, v->pstart, v->pend);
		br_html_end(v->f, "p");
		br_html_raw(v->f, "</header>\n<main>\n");
	} else {
		fprintf(v->f, "account %s: %s\n%s\nstatus %s, cycle group %s; "
		    "bill %s (%s to %s)\n", v->account, name, addr, status,
		    cyc, v->bill, v->pstart, v->pend);
	}
	section(v->f, v->html, "Service agreements and meters");
	s = br_store_prepare(v->st, "SELECT a.sp_id, p.kind, p.address, "
	    "a.rate_code, a.customer_class, a.net_metering, a.start_date, "
	    "COALESCE(a.end_date, ''), COALESCE(group_concat(i.meter_id || ' ("
	    "' || i.install_date || COALESCE(' to ' || i.remove_date, '') || "
	    "')', ', '), '') FROM service_agreement a JOIN service_point p "
	    "USING(sp_id) LEFT JOIN (SELECT * FROM meter_install ORDER BY "
	    "meter_id, install_date) i ON i.sp_id = a.sp_id WHERE "
	    "a.account_id = ?1 GROUP BY a.sp_id, a.start_date ORDER BY "
	    "a.start_date, a.sp_id", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, v->account, -1, SQLITE_STATIC);
	tab_begin(&t, v->f, v->html, 0, "service point", "kind", "address",
	    "rate", "class", "net metering", "from", "to", "meters", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		tab_row(&t, sqlite3_column_text(s, 0), sqlite3_column_text(s,
		    1), sqlite3_column_text(s, 2), sqlite3_column_text(s, 3),
		    sqlite3_column_text(s, 4), sqlite3_column_text(s, 5),
		    sqlite3_column_text(s, 6), sqlite3_column_text(s, 7),
		    sqlite3_column_text(s, 8));
	if (rc != SQLITE_DONE) {
		tab_end(&t, err);
		return fail(v, s, "read agreements", err);
	}
	sqlite3_finalize(s);
	return tab_end(&t, err);
}

/* The bill shown in detail: cycle's bill, else the latest. */
static int
pick_bill(struct view *v, const char *cycle, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(v->st, "SELECT bill_id, "
	    "period_start, period_end, cycle_id FROM bill WHERE account_id = "
	    "?1 AND (?2 IS NULL OR cycle_id = ?2) AND status <> 'cancelled' "
	    "ORDER BY period_end DESC, replaces DESC, bill_id DESC LIMIT 1",
	    err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, v->account, -1, SQLITE_STATIC);
	if (cycle)
		sqlite3_bind_text(s, 2, cycle, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		br_store_column_text(v->bill, sizeof(v->bill), s, 0);
		br_store_column_text(v->pstart, sizeof(v->pstart), s, 1);
		br_store_column_text(v->pend, sizeof(v->pend), s, 2);
		br_store_column_text(v->cycle, sizeof(v->cycle), s, 3);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && cycle)
		return br_error_set(err, BR_EUSAGE, NULL, 0, "account '%s' "
		    "has no bill in cycle '%s'", v->account, cycle);
	if (rc != SQLITE_ROW)
		snprintf(v->bill, sizeof(v->bill), "(none)");
	return 0;
}

#define MAXBILLS 24

static int
usage_section(struct view *v, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(v->st, "SELECT * FROM (SELECT "
	    "b.bill_id, b.period_start, b.period_end, b.status, b.total_cents,"
	    " COALESCE((SELECT SUM(usage_milli) FROM bill_meter m WHERE "
	    "m.bill_id = b.bill_id AND m.channel = 1 AND m.unit = ?3), 0), "
	    "COALESCE((SELECT SUM(estimated_milli) FROM bill_meter m WHERE "
	    "m.bill_id = b.bill_id AND m.channel = 1 AND m.unit = ?3), 0) "
	    "FROM bill b WHERE b.account_id = ?1 AND b.status <> 'cancelled' "
	    "AND b.period_end <= ?2 ORDER BY b.period_end DESC, b.replaces "
	    "DESC LIMIT 24) ORDER BY 3, 1", err);
	int64_t val[MAXBILLS];
	char lab[MAXBILLS][16], title[96];
	const char *labp[MAXBILLS], *cls[MAXBILLS];
	struct tab t;
	size_t n = 0, i;
	int rc;

	if (s == NULL)
		return -1;
	snprintf(title, sizeof(title), "Usage by bill, 24 months (%s)",
	    v->unit);
	section(v->f, v->html, title);
	sqlite3_bind_text(s, 1, v->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, v->pend[0] ? v->pend : "9999", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 3, v->unit, -1, SQLITE_STATIC);
	tab_begin(&t, v->f, v->html, 0x38, "bill", "period", "status",
	    "usage", "estimated", "total", v->html ? NULL : "", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < MAXBILLS) {
		char per[32], u[32], e[32], tot[32], bar[48];
		int64_t use = sqlite3_column_int64(s, 5);

		snprintf(per, sizeof(per), "%s..%s", sqlite3_column_text(s, 1),
		    sqlite3_column_text(s, 2));
		val[n] = use;
		snprintf(lab[n], sizeof(lab[n]), "%.7s",
		    (const char *)sqlite3_column_text(s, 2));
		labp[n] = lab[n];
		cls[n] = strcmp((const char *)sqlite3_column_text(s, 0),
		    v->bill) == 0 ? "bar cur" : sqlite3_column_int64(s, 6) ?
		    "bar est" : "bar";
		bar[0] = '\0';
		tab_row(&t, sqlite3_column_text(s, 0), per,
		    sqlite3_column_text(s, 3), qty(use, u, sizeof(u)),
		    qty(sqlite3_column_int64(s, 6), e, sizeof(e)),
		    cents(sqlite3_column_int64(s, 4), tot, sizeof(tot)), bar);
		n++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		tab_end(&t, err);
		return fail(v, s, "read bills", err);
	}
	sqlite3_finalize(s);
	if (!v->html) {
		/* Text bars: 30 columns at the largest usage. */
		int64_t max = 1;

		for (i = 0; i < n; i++)
			if (val[i] > max)
				max = val[i];
		for (i = 0; i < n; i++) {
			char *c = t.cell[i * t.ncol + t.ncol - 1];
			size_t k, len = (size_t)(val[i] * 30 / max);
			char *nb = realloc(c, len + 1);

			if (nb == NULL)
				continue;
			for (k = 0; k < len; k++)
				nb[k] = '#';
			nb[len] = '\0';
			t.cell[i * t.ncol + t.ncol - 1] = nb;
		}
	}
	if (v->html && n > 0)
		br_svg_bar_chart(v->f, 720, 170, v->unit, val, labp, cls, n,
		    "usage by bill");
	return tab_end(&t, err);
}

static const char *const methods[] = { "", "linear", "like_day",
    "fallback", "source" };

/* Interval totals of meter over the bill period, with quality counts. */
static int
interval_totals(struct view *v, const char *meter, int64_t *sum,
    long q[5], long m[5], struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(v->st, "SELECT n, vals, quality "
	    "FROM interval_day WHERE meter_id = ?1 AND channel = 1 AND day "
	    "BETWEEN ?2 AND ?3 ORDER BY day", err);
	int32_t d0, d1;
	int rc;

	*sum = 0;
	memset(q, 0, 5 * sizeof(long));
	memset(m, 0, 5 * sizeof(long));
	if (s == NULL)
		return -1;
	if (br_date_parse(v->pstart, (size_t)-1, &d0) != 0 ||
	    br_date_parse(v->pend, (size_t)-1, &d1) != 0) {
		sqlite3_finalize(s);
		return 0;
	}
	sqlite3_bind_text(s, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, d0);
	sqlite3_bind_int(s, 3, d1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t n = sqlite3_column_int(s, 0), i;
		const unsigned char *vb = sqlite3_column_blob(s, 1);
		const unsigned char *qb = sqlite3_column_blob(s, 2);

		if (n < 0 || sqlite3_column_bytes(s, 1) < 8 * n ||
		    sqlite3_column_bytes(s, 2) < n)
			continue;
		for (i = 0; i < n; i++) {
			int64_t x;
			unsigned mt = BR_Q_METHOD(qb[i]);

			if (qb[i] & BR_Q_MISSING) {
				q[1]++;
				continue;
			}
			br_store_unpack_values(vb + 8 * i, 1, &x);
			*sum += x;
			if (qb[i] & BR_Q_ESTIMATED)
				q[2]++;
			else
				q[0]++;
			if (qb[i] & BR_Q_EDITED)
				q[3]++;
			if (qb[i] & BR_Q_SUSPECT)
				q[4]++;
			if (mt >= 1 && mt <= 4)
				m[mt]++;
		}
	}
	if (rc != SQLITE_DONE)
		return fail(v, s, "read intervals", err);
	sqlite3_finalize(s);
	return 0;
}

/* "18234.000 (2026-10-01, actual)" of the register read nearest the
 * period edge: at or before start (first=1), at or after end. */
static int
register_at(struct view *v, const char *meter, int first, char *buf,
    size_t n, int64_t *val, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(v->st, first ?
	    "SELECT read_utc, value_milli, quality FROM register_read WHERE "
	    "meter_id = ?1 AND channel = 1 AND read_utc <= ?2 ORDER BY "
	    "read_utc DESC LIMIT 1" : "SELECT read_utc, value_milli, quality "
	    "FROM register_read WHERE meter_id = ?1 AND channel = 1 AND "
	    "read_utc >= ?2 ORDER BY read_utc LIMIT 1", err);
	int32_t d;
	int rc;

	buf[0] = '\0';
	*val = INT64_MIN;
	if (s == NULL)
		return -1;
	if (br_date_parse(first ? v->pstart : v->pend, (size_t)-1, &d) != 0) {
		sqlite3_finalize(s);
		return 0;
	}
	/* Day bounds in UTC with a day's slack for the zone. */
	sqlite3_bind_text(s, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, first ? ((int64_t)d + 1) * 86400 :
	    ((int64_t)d) * 86400);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char num[32], day[16];
		int32_t rd = (int32_t)br_floor_div(sqlite3_column_int64(s, 0),
		    86400);

		*val = sqlite3_column_int64(s, 1);
		snprintf(buf, n, "%s (%s, %s)", qty(*val, num, sizeof(num)),
		    br_date_format(rd, day, sizeof(day)),
		    sqlite3_column_int(s, 2) & BR_Q_ESTIMATED ? "estimated" :
		    "actual");
	} else if (rc != SQLITE_DONE) {
		return fail(v, s, "read register", err);
	}
	sqlite3_finalize(s);
	return 0;
}

static int
meters_section(struct view *v, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(v->st, "SELECT meter_id, channel, "
	    "unit, usage_milli, estimated_milli, missing_intervals FROM "
	    "bill_meter WHERE bill_id = ?1 ORDER BY meter_id, channel", err);
	struct tab t;
	int rc;

	if (s == NULL)
		return -1;
	section(v->f, v->html, "Meters on the bill: register and interval "
	    "totals");
	sqlite3_bind_text(s, 1, v->bill, -1, SQLITE_STATIC);
	tab_begin(&t, v->f, v->html, 0x1c, "meter", "unit", "billed",
	    "interval sum", "register delta", "register start",
	    "register end", "intervals a/e/m/edited/suspect", "methods",
	    NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *meter = (const char *)sqlite3_column_text(s, 0);
		char b[32], is[32], rd[32] = "", r0[80], r1[80], qs[96];
		char ms[96] = "";
		int64_t sum, v0, v1;
		long q[5], m[5];
		int k;

		if (sqlite3_column_int(s, 1) != 1)
			continue;
		if (interval_totals(v, meter, &sum, q, m, err) != 0 ||
		    register_at(v, meter, 1, r0, sizeof(r0), &v0, err) != 0 ||
		    register_at(v, meter, 0, r1, sizeof(r1), &v1, err) != 0)
			goto bad;
		if (v0 != INT64_MIN && v1 != INT64_MIN)
			qty(v1 - v0, rd, sizeof(rd));
		snprintf(qs, sizeof(qs), "%ld/%ld/%ld/%ld/%ld", q[0], q[2],
		    q[1], q[3], q[4]);
		for (k = 1; k <= 4; k++)
			if (m[k]) {
				size_t l = strlen(ms);

				snprintf(ms + l, sizeof(ms) - l, "%s%s %ld",
				    l ? ", " : "", methods[k], m[k]);
			}
		tab_row(&t, meter, sqlite3_column_text(s, 2),
		    qty(sqlite3_column_int64(s, 3), b, sizeof(b)),
		    qty(sum, is, sizeof(is)), rd, r0, r1, qs, ms);
	}
	if (rc != SQLITE_DONE) {
		br_store_fail(v->st, "read bill meters", err);
		goto bad;
	}
	sqlite3_finalize(s);
	return tab_end(&t, err);
bad:
	sqlite3_finalize(s);
	tab_end(&t, NULL);
	return -1;
}

static int
exceptions_section(struct view *v, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(v->st, "SELECT e.exc_id, e.date, "
	    "e.code, e.severity, e.status, e.meter_id, e.detail, "
	    "COALESCE((SELECT group_concat(d.decision || ' by ' || d.reviewer"
	    " || CASE WHEN d.note <> '' THEN ': ' || d.note ELSE '' END, "
	    "'; ') FROM (SELECT * FROM exception_decision WHERE exc_id = "
	    "e.exc_id ORDER BY seq) d), '') FROM exception e WHERE "
	    "e.account_id = ?1 ORDER BY e.date, e.code, e.exc_id", err);
	struct tab t;
	int rc;

	if (s == NULL)
		return -1;
	section(v->f, v->html, "Exceptions and decisions");
	sqlite3_bind_text(s, 1, v->account, -1, SQLITE_STATIC);
	tab_begin(&t, v->f, v->html, 0, "exception", "date", "code",
	    "severity", "status", "meter", "decisions", "detail", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char id[BR_EXID_SIZE];

		tab_row(&t, br_exid_format(sqlite3_column_int64(s, 0), id,
		    sizeof(id)), sqlite3_column_text(s, 1),
		    sqlite3_column_text(s, 2), sqlite3_column_text(s, 3),
		    sqlite3_column_text(s, 4), sqlite3_column_text(s, 5),
		    sqlite3_column_text(s, 7), sqlite3_column_text(s, 6));
	}
	if (rc != SQLITE_DONE) {
		tab_end(&t, NULL);
		return fail(v, s, "read exceptions", err);
	}
	sqlite3_finalize(s);
	return tab_end(&t, err);
}

static int
lines_section(struct view *v, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(v->st, "SELECT seq, sp_id, code, "
	    "description, quantity_milli, unit, COALESCE(rate_nano, "
	    "rate_micro * 1000), amount_cents, trace FROM bill_line "
	    "WHERE bill_id = ?1 ORDER BY seq", err);
	char title[128];
	struct tab t;
	int rc;

	if (s == NULL)
		return -1;
	snprintf(title, sizeof(title), "Bill %s: lines and calculation",
	    v->bill);
	section(v->f, v->html, title);
	sqlite3_bind_text(s, 1, v->bill, -1, SQLITE_STATIC);
	tab_begin(&t, v->f, v->html, 0xd1, "#", "service point", "code",
	    "description", "quantity", "unit", "rate", "amount", "trace",
	    NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char seq[16], q[32], r[32], a[32];

		snprintf(seq, sizeof(seq), "%d", sqlite3_column_int(s, 0));
		tab_row(&t, seq, sqlite3_column_text(s, 1),
		    sqlite3_column_text(s, 2), sqlite3_column_text(s, 3),
		    qty(sqlite3_column_int64(s, 4), q, sizeof(q)),
		    sqlite3_column_text(s, 5),
		    br_rate_format_nano(sqlite3_column_int64(s, 6), r,
		    sizeof(r)), cents(sqlite3_column_int64(s, 7), a, sizeof(a)),
		    sqlite3_column_text(s, 8));
	}
	if (rc != SQLITE_DONE) {
		tab_end(&t, NULL);
		return fail(v, s, "read bill lines", err);
	}
	sqlite3_finalize(s);
	return tab_end(&t, err);
}

static int
ledger_section(struct view *v, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(v->st, "SELECT l.date, l.kind, "
	    "l.ref, l.amount_cents, COALESCE(p.method || ' ' || p.reference "
	    "|| ' (' || p.status || ')', '') FROM ledger l LEFT JOIN payment p"
	    " ON l.kind IN ('payment', 'reversal') AND l.ref = 'P' || "
	    "p.payment_id WHERE l.account_id = ?1 ORDER BY l.date, "
	    "l.entry_id", err);
	int64_t bal = 0;
	struct tab t;
	int rc;

	if (s == NULL)
		return -1;
	section(v->f, v->html, "Bills, payments, returns and fees");
	sqlite3_bind_text(s, 1, v->account, -1, SQLITE_STATIC);
	tab_begin(&t, v->f, v->html, 0x18, "date", "kind", "reference",
	    "amount", "balance", "payment", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char a[32], b[32];

		bal += sqlite3_column_int64(s, 3);
		tab_row(&t, sqlite3_column_text(s, 0),
		    sqlite3_column_text(s, 1), sqlite3_column_text(s, 2),
		    cents(sqlite3_column_int64(s, 3), a, sizeof(a)),
		    cents(bal, b, sizeof(b)), sqlite3_column_text(s, 4));
	}
	if (rc != SQLITE_DONE) {
		tab_end(&t, NULL);
		return fail(v, s, "read ledger", err);
	}
	sqlite3_finalize(s);
	return tab_end(&t, err);
}

static int
audit_section(struct view *v, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(v->st, "SELECT l.seq, l.tbl, "
	    "l.op, l.row_key, COALESCE(substr(a.hash, 1, 16), 'unsealed') "
	    "FROM audit_log l LEFT JOIN audit_seal a USING(seq) WHERE "
	    "(l.tbl = 'bill' AND l.row_key IN (SELECT bill_id FROM bill WHERE"
	    " account_id = ?1)) OR (l.tbl = 'bill_line' AND substr(l.row_key,"
	    " 1, instr(l.row_key, '/') - 1) IN (SELECT bill_id FROM bill "
	    "WHERE account_id = ?1)) OR (l.tbl = 'ledger' AND l.row_key IN "
	    "(SELECT CAST(entry_id AS TEXT) FROM ledger WHERE account_id = "
	    "?1)) OR (l.tbl = 'payment' AND l.row_key IN (SELECT "
	    "CAST(payment_id AS TEXT) FROM payment WHERE account_id = ?1)) OR"
	    " (l.tbl = 'exception_decision' AND substr(l.row_key, 1, "
	    "instr(l.row_key || '/', '/') - 1) IN (SELECT CAST(exc_id AS TEXT)"
	    " FROM exception WHERE account_id = ?1)) ORDER BY l.seq", err);
	struct tab t;
	int rc;

	if (s == NULL)
		return -1;
	section(v->f, v->html, "Audit records touching the account");
	sqlite3_bind_text(s, 1, v->account, -1, SQLITE_STATIC);
	tab_begin(&t, v->f, v->html, 1, "seq", "table", "op", "record",
	    "seal (hash)", NULL);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		tab_row(&t, sqlite3_column_text(s, 0),
		    sqlite3_column_text(s, 1), sqlite3_column_text(s, 2),
		    sqlite3_column_text(s, 3), sqlite3_column_text(s, 4));
	if (rc != SQLITE_DONE) {
		tab_end(&t, NULL);
		return fail(v, s, "read audit log", err);
	}
	sqlite3_finalize(s);
	return tab_end(&t, err);
}

/* The unit of the account's first delivered meter on any bill. */
static void
pick_unit(struct view *v)
{
	sqlite3_stmt *s = br_store_prepare(v->st, "SELECT m.unit FROM "
	    "bill_meter m JOIN bill b USING(bill_id) WHERE b.account_id = ?1 "
	    "AND m.channel = 1 GROUP BY m.unit ORDER BY COUNT(*) DESC, m.unit "
	    "LIMIT 1", NULL);

	snprintf(v->unit, sizeof(v->unit), "kWh");
	if (s == NULL)
		return;
	sqlite3_bind_text(s, 1, v->account, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		br_store_column_text(v->unit, sizeof(v->unit), s, 0);
	sqlite3_finalize(s);
}

int
br_account_view(struct br_store *st, const struct br_account_view_opts *opts,
    FILE *out, struct br_error *err)
{
	struct view v;
	char title[128];

	memset(&v, 0, sizeof(v));
	v.st = st;
	v.f = out;
	v.html = opts->html;
	v.account = opts->account_id;
	if (pick_bill(&v, opts->cycle_id, err) != 0)
		return -1;
	pick_unit(&v);
	if (v.html) {
		snprintf(title, sizeof(title), "Account %s", v.account);
		br_html_page_begin(out, title, br_report_css);
	}
	if (account_section(&v, err) != 0 || usage_section(&v, err) != 0 ||
	    meters_section(&v, err) != 0 || exceptions_section(&v, err) != 0
	    || lines_section(&v, err) != 0 || ledger_section(&v, err) != 0 ||
	    audit_section(&v, err) != 0)
		return -1;
	if (v.html) {
		br_html_raw(out, "</main>\n");
		br_html_page_end(out, NULL);
	}
	return 0;
}

/* --- meter reads CSV --------------------------------------------------- */

static void
quality_text(uint8_t q, char *buf, size_t n)
{
	static const char *const names[] = { "missing", "estimated",
	    "edited", "suspect" };
	size_t i, l = 0;

	buf[0] = '\0';
	for (i = 0; i < 4; i++)
		if (q & (1u << i)) {
			snprintf(buf + l, n - l, "%s%s", l ? "+" : "",
			    names[i]);
			l = strlen(buf);
		}
	if (l == 0)
		snprintf(buf, n, "actual");
}

static void
local_time(const struct br_tz *tz, int64_t utc, char *buf, size_t n)
{
	int32_t off = br_tz_offset(tz, utc);
	int64_t loc = utc + off;
	int32_t day = (int32_t)br_floor_div(loc, 86400);
	int64_t sec = loc - (int64_t)day * 86400;
	int y, m, d, ao = off < 0 ? -off : off;

	br_date_civil(day, &y, &m, &d);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d%c%02d:%02d", y, m, d,
	    (int)(sec / 3600), (int)(sec % 3600 / 60), off < 0 ? '-' : '+',
	    ao / 3600, ao % 3600 / 60);
}

int
br_account_reads(struct br_store *st, const char *meter, int32_t from_day,
    int32_t to_day, FILE *out, struct br_error *err)
{
	sqlite3_stmt *s = NULL;
	struct br_tz tz;
	char unit[16] = "";
	int rc = -1, r;

	memset(&tz, 0, sizeof(tz));
	if (br_store_timezone(st, &tz, err) != 0)
		return -1;
	if ((s = br_store_prepare(st, "SELECT unit FROM meter WHERE meter_id"
	    " = ?1", err)) == NULL)
		goto out;
	sqlite3_bind_text(s, 1, meter, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW) {
		br_error_set(err, BR_EUSAGE, NULL, 0, "unknown meter '%s'",
		    meter);
		goto out;
	}
	br_store_column_text(unit, sizeof(unit), s, 0);
	sqlite3_finalize(s);
	if ((s = br_store_prepare(st, "SELECT channel, day, interval_s, n, "
	    "vals, quality FROM interval_day WHERE meter_id = ?1 AND day "
	    "BETWEEN ?2 AND ?3 ORDER BY channel, day", err)) == NULL)
		goto out;
	sqlite3_bind_text(s, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, from_day);
	sqlite3_bind_int(s, 3, to_day);
	fputs("meter_id,channel,local_time,value,unit,quality,method\n", out);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		int ch = sqlite3_column_int(s, 0);
		int64_t t0 = br_tz_day_start(&tz, sqlite3_column_int(s, 1));
		int32_t ivs = sqlite3_column_int(s, 2);
		int32_t n = sqlite3_column_int(s, 3), i;
		const unsigned char *vb = sqlite3_column_blob(s, 4);
		const unsigned char *qb = sqlite3_column_blob(s, 5);

		if (n < 0 || sqlite3_column_bytes(s, 4) < 8 * n ||
		    sqlite3_column_bytes(s, 5) < n) {
			br_error_set(err, BR_EINTERNAL, st->path, 0,
			    "corrupt interval_day row of meter %s", meter);
			goto out;
		}
		for (i = 0; i < n; i++) {
			char lt[40], val[32], q[48];
			int64_t x;
			unsigned mt = BR_Q_METHOD(qb[i]);

			br_store_unpack_values(vb + 8 * i, 1, &x);
			local_time(&tz, t0 + (int64_t)i * ivs, lt, sizeof(lt));
			quality_text(qb[i], q, sizeof(q));
			fprintf(out, "%s,%d,%s,%s,", meter, ch, lt,
			    qb[i] & BR_Q_MISSING ? "" : br_decimal_format(x, 3,
			    3, val, sizeof(val)));
			br_csv_put(out, unit);
			fprintf(out, ",%s,%s\n", q, mt <= 4 ? methods[mt] :
			    "");
		}
	}
	if (r != SQLITE_DONE) {
		br_store_fail(st, "read intervals", err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	br_tz_release(&tz);
	return rc;
}
