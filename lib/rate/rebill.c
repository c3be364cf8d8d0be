/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rebill.c: cancel/rebill (rate-apply --rebill).  For every issued bill of
 * a cycle (or one account) the rating engine re-rates the same period into
 * a candidate bill <cycle>-<account>-R<n> (br_rate_opts.target).  Equal
 * lines: the candidate is dropped (unchanged).  An undercharge older than
 * the back-billing limit: dropped, exception REBILL_LIMIT (limited).
 * Otherwise the issued bill is cancelled and the candidate stays as the
 * draft corrected bill; bill-render posts the reversal of the cancelled
 * charge and the corrected charge, so the balance moves by new - old.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/money.h"
#include "rate/rate.h"
#include "rate/rebill.h"
#include "core/banned.h"

struct item {
	char account_id[64];
	char old_id[160];
	char new_id[160];
	char period_end[11];
	int64_t old_total;
};

struct ctx {
	struct br_store *st;
	const char *cycle_id;
	char as_of[11];
	int32_t as_of_day;
	struct item *v;
	size_t n, cap;
};

static const char *
col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

/* Run one statement with text parameters; 0 or -1. */
static int
exec_text(struct br_store *st, const char *sql, const char *a, const char *b,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return br_store_fail(st, "update bill", err);
	return 0;
}

static int
delete_bill(struct br_store *st, const char *bill_id, struct br_error *err)
{
	static const char *const sql[] = {
		"DELETE FROM bill_line WHERE bill_id = ?1",
		"DELETE FROM bill_meter WHERE bill_id = ?1",
		"DELETE FROM bill_sp WHERE bill_id = ?1",
		"DELETE FROM bill WHERE bill_id = ?1",
	};
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if (exec_text(st, sql[i], bill_id, NULL, err) != 0)
			return -1;
	return 0;
}

struct head {
	char bill_id[160], status[16], replaces[160];
	char bill_date[11], due_date[11], period_end[11];
	int64_t total;
};

/* The account's live (not cancelled) bill of the cycle; 1 found, 0 none. */
static int
find_head(struct ctx *c, const char *account_id, struct head *h,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT bill_id, status, "
	    "replaces, bill_date, due_date, period_end, total_cents FROM bill "
	    "WHERE account_id = ?1 AND cycle_id = ?2 AND status <> "
	    "'cancelled' ORDER BY bill_id LIMIT 1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->cycle_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(h->bill_id, sizeof(h->bill_id), "%s", col(s, 0));
		snprintf(h->status, sizeof(h->status), "%s", col(s, 1));
		snprintf(h->replaces, sizeof(h->replaces), "%s", col(s, 2));
		snprintf(h->bill_date, sizeof(h->bill_date), "%s", col(s, 3));
		snprintf(h->due_date, sizeof(h->due_date), "%s", col(s, 4));
		snprintf(h->period_end, sizeof(h->period_end), "%s",
		    col(s, 5));
		h->total = sqlite3_column_int64(s, 6);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return br_store_fail(c->st, "read bill", err);
	return rc == SQLITE_ROW;
}

static int
bill_exists(struct br_store *st, const char *bill_id, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT 1 FROM bill "
	    "WHERE bill_id = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return br_store_fail(st, "read bill", err);
	return rc == SQLITE_ROW;
}

/*
 * br_rate_opts.target: rate the account into a fresh -R<n> bill when its
 * live bill of the cycle is issued.  A pending (not yet issued) corrected
 * bill from an earlier --rebill is withdrawn first and its cancelled bill
 * restored, so rerunning --rebill recomputes it.
 */
static int
target(void *vctx, const char *account_id, struct br_rate_target *t,
    struct br_error *err)
{
	struct ctx *c = vctx;
	struct head h;
	struct item *it;
	int32_t bd, dd, od;
	int rc, k;

	memset(&h, 0, sizeof(h));
	if ((rc = find_head(c, account_id, &h, err)) <= 0)
		return rc;
	if (strcmp(h.status, "issued") != 0 && h.replaces[0] != '\0') {
		char rep[160];
		snprintf(rep, sizeof(rep), "%s", h.replaces);
		if (delete_bill(c->st, h.bill_id, err) != 0 ||
		    exec_text(c->st, "UPDATE bill SET status = 'issued' "
		    "WHERE bill_id = ?1 AND status = 'cancelled'", rep, NULL,
		    err) != 0)
			return -1;
		if ((rc = find_head(c, account_id, &h, err)) <= 0)
			return rc;
	}
	if (strcmp(h.status, "issued") != 0)
		return 0;	/* never issued: plain rate-apply's business */
	for (k = 1; k < 1000; k++) {
		snprintf(t->bill_id, sizeof(t->bill_id), "%s-%s-R%d",
		    c->cycle_id, account_id, k);
		if ((rc = bill_exists(c->st, t->bill_id, err)) < 0)
			return -1;
		if (rc == 0)
			break;
	}
	snprintf(t->replaces, sizeof(t->replaces), "%s", h.bill_id);
	if (br_date_parse(h.bill_date, (size_t)-1, &od) != 0 ||
	    br_date_parse(h.due_date, (size_t)-1, &dd) != 0)
		return br_error_set(err, BR_EINPUT, c->st->path, 0,
		    "bad bill or due date on bill '%s'", h.bill_id);
	bd = c->as_of_day > od ? c->as_of_day : od;
	br_date_format(bd, t->bill_date, sizeof(t->bill_date));
	br_date_format(bd + (dd - od), t->due_date, sizeof(t->due_date));
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		it = realloc(c->v, cap * sizeof(*it));
		if (it == NULL)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		c->v = it;
		c->cap = cap;
	}
	it = &c->v[c->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->account_id, sizeof(it->account_id), "%s", account_id);
	snprintf(it->old_id, sizeof(it->old_id), "%s", h.bill_id);
	snprintf(it->new_id, sizeof(it->new_id), "%s", t->bill_id);
	snprintf(it->period_end, sizeof(it->period_end), "%s", h.period_end);
	it->old_total = h.total;
	return 1;
}

/* 1 when the two bills have the same lines (trace aside), 0 if not. */
static int
same_lines(struct br_store *st, const char *a, const char *b,
    struct br_error *err)
{
	static const char cols[] = "seq, sp_id, code, description, "
	    "quantity_milli, unit, rate_micro, amount_cents FROM bill_line";
	char sql[640];
	sqlite3_stmt *s;
	int rc, n;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM (SELECT %s WHERE "
	    "bill_id = ?1 EXCEPT SELECT %s WHERE bill_id = ?2) UNION ALL "
	    "SELECT COUNT(*) FROM (SELECT %s WHERE bill_id = ?2 EXCEPT "
	    "SELECT %s WHERE bill_id = ?1)", cols, cols, cols, cols);
	if ((s = br_store_prepare(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		n += sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "compare bill lines", err);
	return n == 0;
}

static void
add_reason(char *buf, size_t n, const char *text)
{
	size_t len = strlen(buf);

	if (len + 3 >= n)
		return;
	snprintf(buf + len, n - len, "%s%s", len ? "; " : "", text);
}

/* The distinct rate versions named in a bill's line traces, in order. */
static int
versions(struct br_store *st, const char *bill_id, char *buf, size_t n,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT substr(trace, "
	    "instr(trace, 'version ') + 8, 10) AS v FROM bill_line "
	    "WHERE bill_id = ?1 AND instr(trace, 'version ') > 0 "
	    "GROUP BY v ORDER BY MIN(seq)", err);
	size_t len;
	int rc;

	buf[0] = '\0';
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		len = strlen(buf);
		snprintf(buf + len, n - len, "%s%s", len ? "," : "", col(s, 0));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bill_line", err);
	return 0;
}

/*
 * Why the corrected bill differs (as bill-diff words it): rate versions,
 * meters whose usage or estimated part changed; otherwise the rates.
 */
static int
reason_of(struct br_store *st, const struct item *it, char *buf, size_t n,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT n.meter_id, n.unit, "
	    "COALESCE(o.usage_milli, 0), n.usage_milli, "
	    "COALESCE(o.estimated_milli, 0), n.estimated_milli "
	    "FROM bill_meter n LEFT JOIN bill_meter o ON o.bill_id = ?1 "
	    "AND o.meter_id = n.meter_id AND o.channel = n.channel "
	    "WHERE n.bill_id = ?2 ORDER BY n.meter_id, n.channel", err);
	char t[256], q1[32], q2[32], ov[100], nv[100];
	int rc;

	buf[0] = '\0';
	if (s == NULL)
		return -1;
	if (versions(st, it->old_id, ov, sizeof(ov), err) != 0 ||
	    versions(st, it->new_id, nv, sizeof(nv), err) != 0) {
		sqlite3_finalize(s);
		return -1;
	}
	if (strcmp(ov, nv) != 0) {
		snprintf(t, sizeof(t), "rate versions %s -> %s",
		    ov[0] ? ov : "none", nv[0] ? nv : "none");
		add_reason(buf, n, t);
	}
	sqlite3_bind_text(s, 1, it->old_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, it->new_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ou = sqlite3_column_int64(s, 2);
		int64_t nu = sqlite3_column_int64(s, 3);
		int64_t oe = sqlite3_column_int64(s, 4);
		int64_t ne = sqlite3_column_int64(s, 5);
		if (ou != nu) {
			snprintf(t, sizeof(t), "reads: meter %s usage %s -> "
			    "%s %s", col(s, 0), br_decimal_format(ou, 3, 3, q1,
			    sizeof(q1)), br_decimal_format(nu, 3, 3, q2,
			    sizeof(q2)), col(s, 1));
			add_reason(buf, n, t);
		}
		if (oe != ne) {
			snprintf(t, sizeof(t), "estimation: meter %s estimated "
			    "%s -> %s %s", col(s, 0), br_decimal_format(oe, 3,
			    3, q1, sizeof(q1)), br_decimal_format(ne, 3, 3, q2,
			    sizeof(q2)), col(s, 1));
			add_reason(buf, n, t);
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bill_meter", err);
	if (buf[0] == '\0')
		add_reason(buf, n, "rate: same reads, different charges");
	return 0;
}

static int64_t
bill_total(struct br_store *st, const char *bill_id, int *found,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT total_cents FROM bill "
	    "WHERE bill_id = ?1", err);
	int64_t v = 0;
	int rc;

	*found = -1;
	if (s == NULL)
		return 0;
	sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		br_store_fail(st, "read bill", err);
		return 0;
	}
	*found = rc == SQLITE_ROW;
	return v;
}

static int
record_limit(struct br_store *st, const struct item *it, int64_t delta,
    long days, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "INSERT INTO exception(exc_id, "
	    "stage, code, severity, account_id, meter_id, date, detail, "
	    "status) VALUES(br_exc_id('rebill', 'REBILL_LIMIT', ?1, '', ?2, "
	    "?3), 'rebill', 'REBILL_LIMIT', 'warn', ?1, '', ?2, ?3, 'open') "
	    "ON CONFLICT DO NOTHING", err);
	char detail[320], a[32];
	int rc;

	if (s == NULL)
		return -1;
	snprintf(detail, sizeof(detail), "bill %s undercharged by %s; "
	    "period ended more than %ld days ago: not rebilled", it->old_id,
	    br_cents_format(delta, a, sizeof(a)), days);
	sqlite3_bind_text(s, 1, it->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, it->period_end, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, detail, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "insert exception", err);
	return 0;
}

static int
item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->old_id,
	    ((const struct item *)b)->old_id);
}

static int
resolve_limit(struct br_store *st, const struct br_rebill_opts *o,
    long *days, struct br_error *err)
{
	char buf[32];
	int64_t v;
	int rc;

	if (o->limit_days >= 0) {
		*days = o->limit_days;
		return 0;
	}
	if ((rc = br_store_setting_get(st, "back_bill_limit_days", "365", buf,
	    sizeof(buf), err)) < 0)
		return -1;
	if (br_int_parse(buf, (size_t)-1, 0, BR_REBILL_LIMIT_MAX, &v) != 0)
		return br_error_set(err, BR_ECONFIG, st->path, 0,
		    "setting back_bill_limit_days '%s' is not a number of "
		    "days 0..%d", buf, BR_REBILL_LIMIT_MAX);
	*days = (long)v;
	return 0;
}

int
br_rebill_run(struct br_store *st, const struct br_rebill_opts *opts,
    FILE *out, struct br_rebill_stats *stats, struct br_error *err)
{
	static const char *const header[8] = { "bill_id", "new_bill_id",
	    "account_id", "old_total", "new_total", "delta", "status",
	    "reason" };
	struct br_rate_opts ro;
	struct br_rate_stats rs;
	struct ctx c;
	long limit = 365;
	size_t i;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.cycle_id = opts->cycle_id;
	if (opts->as_of != NULL) {
		if (br_date_parse(opts->as_of, (size_t)-1, &c.as_of_day) != 0)
			return br_error_set(err, BR_EUSAGE, NULL, 0,
			    "bad --as-of date '%s'", opts->as_of);
	} else {
		c.as_of_day = br_date_days(1970, 1, 1) +
		    (int32_t)(time(NULL) / 86400);
	}
	br_date_format(c.as_of_day, c.as_of, sizeof(c.as_of));
	if (resolve_limit(st, opts, &limit, err) != 0)
		return -1;
	memset(&ro, 0, sizeof(ro));
	ro.cycle_id = opts->cycle_id;
	ro.rates_dir = opts->rates_dir ? opts->rates_dir : "rates";
	ro.account_id = opts->account_id;
	ro.target = target;
	ro.target_ctx = &c;
	if (br_rate_run(st, &ro, NULL, &rs, err) != 0)
		goto done;
	if (c.n > 1)
		qsort(c.v, c.n, sizeof(c.v[0]), item_cmp);
	br_csv_row(out, 8, header);
	for (i = 0; i < c.n; i++) {
		const struct item *it = &c.v[i];
		char reason[1024] = "", t[256], a[32], b[32], d[32];
		const char *row[8], *status, *new_id = it->new_id;
		int64_t nt, delta;
		int32_t pe;
		int found, same;

		stats->checked++;
		nt = bill_total(st, it->new_id, &found, err);
		if (found < 0)
			goto done;
		if (found == 0) {
			br_error_set(err, BR_EINTERNAL, NULL, 0,
			    "rebill of '%s' was not written", it->old_id);
			goto done;
		}
		delta = nt - it->old_total;
		if ((same = same_lines(st, it->old_id, it->new_id, err)) < 0)
			goto done;
		if (same && delta == 0) {
			status = "unchanged";
			new_id = "";
			stats->unchanged++;
			if (delete_bill(st, it->new_id, err) != 0)
				goto done;
		} else {
			if (reason_of(st, it, reason, sizeof(reason), err) != 0)
				goto done;
			if (br_date_parse(it->period_end, (size_t)-1, &pe) != 0)
				pe = c.as_of_day;
			if (delta > 0 && c.as_of_day - pe > limit) {
				status = "limited";
				new_id = "";
				stats->limited++;
				snprintf(t, sizeof(t), "undercharge outside the "
				    "%ld-day back-billing limit", limit);
				add_reason(reason, sizeof(reason), t);
				if (delete_bill(st, it->new_id, err) != 0 ||
				    record_limit(st, it, delta, limit, err) != 0)
					goto done;
			} else {
				status = "rebilled";
				stats->rebilled++;
				if (exec_text(st, "UPDATE bill SET status = "
				    "'cancelled' WHERE bill_id = ?1 AND status "
				    "= 'issued'", it->old_id, NULL, err) != 0)
					goto done;
			}
		}
		row[0] = it->old_id;
		row[1] = new_id;
		row[2] = it->account_id;
		row[3] = br_cents_format(it->old_total, a, sizeof(a));
		row[4] = br_cents_format(nt, b, sizeof(b));
		row[5] = br_cents_format(delta, d, sizeof(d));
		row[6] = status;
		row[7] = reason;
		br_csv_row(out, 8, row);
	}
	rc = 0;
done:
	free(c.v);
	return rc;
}
