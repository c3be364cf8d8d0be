/* SPDX-License-Identifier: Apache-2.0 */
/*
 * convert.c: convert-import (convert.h).  One loader per conversion
 * file: header by column name, each row checked (ids known to the
 * registry, dates, exact decimals) and upserted; opening balances also
 * posted to the ledger, one adjustment per non-zero aging bucket dated
 * back by the bucket's age so aging reports age them.  Every statement
 * is prepared once per run (struct cv_stmts), not once per row.
 */
#include "convert/convert.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "core/money.h"
#include "core/units.h"
#include "io/csvio.h"
#include "store/ledger.h"
#include "core/banned.h"

#define MAXCOLS 10

/* The lookups every file's rows share, prepared once per run. */
enum { Q_ACCOUNT, Q_SP, Q_LEDGER, Q_DEPOSIT, NQ };

static const char *const q_sql[NQ] = {
	"SELECT 1 FROM account WHERE account_id = ?1",
	"SELECT 1 FROM service_point WHERE sp_id = ?1",
	"SELECT amount_cents FROM ledger WHERE kind = 'adjustment' "
	"AND ref = ?1",
	"SELECT 1 FROM deposit WHERE account_id = ?1 AND deposit_id = ?2 "
	"AND amount_cents = ?3 AND paid_date = ?4",
};

struct cv {
	struct br_store *st;
	struct br_convert_stats *stats;
	const char *const *cols;
	unsigned required;
	int idx[MAXCOLS];
	sqlite3_stmt *stmt;		/* the file's upsert */
	sqlite3_stmt **q;		/* [NQ], BORROWED from the run */
	int (*row)(struct cv *, const struct br_csv_record *,
	    struct br_error *);
};

/* Step a lookup once and reset it: SQLITE_ROW (value in *v when v is
 * not NULL), SQLITE_DONE or an error code. */
static int
lookup(sqlite3_stmt *s, int64_t *v)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW && v != NULL)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

static const char *
fld(const struct cv *c, const struct br_csv_record *r, int col)
{
	return br_csv_field(r, c->idx[col]);
}

static int
bad(const struct cv *c, const struct br_csv_record *r, int col,
    const char *what, struct br_error *err)
{
	return br_error_set(err, BR_EINPUT, r->file, r->line,
	    "%s '%s' in column '%s'", what, fld(c, r, col), c->cols[col]);
}

/* A known id: lookup q selects 1 for ?1. */
static int
known(struct cv *c, const struct br_csv_record *r, int col, int q,
    struct br_error *err)
{
	sqlite3_stmt *s = c->q[q];
	int rc;

	if (fld(c, r, col)[0] == '\0')
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "empty column '%s'", c->cols[col]);
	sqlite3_bind_text(s, 1, fld(c, r, col), -1, SQLITE_STATIC);
	rc = lookup(s, NULL);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "lookup", err);
	return bad(c, r, col, "unknown", err);
}

static int
account(struct cv *c, const struct br_csv_record *r, int col,
    struct br_error *err)
{
	return known(c, r, col, Q_ACCOUNT, err);
}

static int
sp(struct cv *c, const struct br_csv_record *r, int col,
    struct br_error *err)
{
	return known(c, r, col, Q_SP, err);
}

static int
date(const struct cv *c, const struct br_csv_record *r, int col,
    int32_t *out, struct br_error *err)
{
	if (br_date_parse(fld(c, r, col), (size_t)-1, out) != 0)
		return bad(c, r, col, "bad date", err);
	return 0;
}

/* Exact decimal with at most scale decimals; empty is 0 when optional. */
static int
dec(const struct cv *c, const struct br_csv_record *r, int col, int scale,
    bool optional, bool nonneg, int64_t *out, struct br_error *err)
{
	const char *s = fld(c, r, col);

	if (optional && s[0] == '\0') {
		*out = 0;
		return 0;
	}
	if (br_decimal_parse(s, (size_t)-1, scale, out) != 0)
		return bad(c, r, col, scale == 2 ? "bad amount" :
		    "bad quantity", err);
	if (nonneg && *out < 0)
		return bad(c, r, col, "negative", err);
	return 0;
}

static int
step(struct cv *c, const struct br_csv_record *r, struct br_error *err)
{
	int rc = sqlite3_step(c->stmt);

	sqlite3_reset(c->stmt);
	sqlite3_clear_bindings(c->stmt);
	if (rc == SQLITE_DONE)
		return 0;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "rejected by the store: %s", sqlite3_errmsg(c->st->db));
	return br_store_fail(c->st, "write conversion", err);
}

/* balances.csv */

static const char *const balance_cols[] = { "account_id", "as_of",
	"current", "days_30", "days_60", "days_90_plus", NULL };

static int
post_bucket(struct cv *c, const struct br_csv_record *r, int32_t as_of,
    int age, const char *bucket, int64_t cents, struct br_error *err)
{
	char ref[96], day[16];
	int posted;
	sqlite3_stmt *s = c->q[Q_LEDGER];
	int64_t have = 0;
	int rc;

	if (cents == 0)
		return 0;
	snprintf(ref, sizeof(ref), "OPEN-%s-%s", fld(c, r, 0), bucket);
	br_date_format(as_of - age, day, sizeof(day));
	if (br_ledger_post(c->st, fld(c, r, 0), day, "adjustment", ref, cents,
	    &posted, err) != 0)
		return -1;
	if (posted) {
		c->stats->ledger_entries++;
		return 0;
	}
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
	if ((rc = lookup(s, &have)) != SQLITE_ROW)
		return br_store_fail(c->st, "read ledger", err);
	if (have != cents)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "opening balance %s of account '%s' already loaded with "
		    "another amount (%lld cents)", bucket, fld(c, r, 0),
		    (long long)have);
	return 0;
}

static int
balance_row(struct cv *c, const struct br_csv_record *r,
    struct br_error *err)
{
	static const char *const bucket[] = { "current", "30", "60", "90" };
	static const int age[] = { 0, 30, 60, 90 };
	int64_t v[4];
	int32_t as_of;
	int i;

	if (account(c, r, 0, err) != 0 || date(c, r, 1, &as_of, err) != 0)
		return -1;
	for (i = 0; i < 4; i++)
		if (dec(c, r, i + 2, 2, true, false, &v[i], err) != 0)
			return -1;
	sqlite3_bind_text(c->stmt, 1, fld(c, r, 0), -1, SQLITE_STATIC);
	sqlite3_bind_text(c->stmt, 2, fld(c, r, 1), -1, SQLITE_STATIC);
	for (i = 0; i < 4; i++)
		sqlite3_bind_int64(c->stmt, i + 3, v[i]);
	if (step(c, r, err) != 0)
		return -1;
	c->stats->balances++;
	for (i = 0; i < 4; i++)
		if (post_bucket(c, r, as_of, age[i], bucket[i], v[i], err) != 0)
			return -1;
	return 0;
}

/* deposits.csv */

static const char *const deposit_cols[] = { "account_id", "deposit_id",
	"amount", "paid_date", NULL };

/* A deposit loaded before must have the same amount and date. */
static int
same_deposit(struct cv *c, const struct br_csv_record *r, int64_t cents,
    struct br_error *err)
{
	sqlite3_stmt *s = c->q[Q_DEPOSIT];
	int rc;

	sqlite3_bind_text(s, 1, fld(c, r, 0), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, fld(c, r, 1), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, cents);
	sqlite3_bind_text(s, 4, fld(c, r, 3), -1, SQLITE_STATIC);
	rc = lookup(s, NULL);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read deposit", err);
	return br_error_set(err, BR_EINPUT, r->file, r->line, "deposit '%s' "
	    "of account '%s' already loaded with another amount or date",
	    fld(c, r, 1), fld(c, r, 0));
}

static int
deposit_row(struct cv *c, const struct br_csv_record *r,
    struct br_error *err)
{
	int64_t cents;
	int32_t d;

	if (account(c, r, 0, err) != 0)
		return -1;
	if (fld(c, r, 1)[0] == '\0')
		return bad(c, r, 1, "empty", err);
	if (dec(c, r, 2, 2, false, true, &cents, err) != 0 ||
	    date(c, r, 3, &d, err) != 0)
		return -1;
	if (cents == 0)
		return bad(c, r, 2, "zero", err);
	sqlite3_bind_text(c->stmt, 1, fld(c, r, 0), -1, SQLITE_STATIC);
	sqlite3_bind_text(c->stmt, 2, fld(c, r, 1), -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->stmt, 3, cents);
	sqlite3_bind_text(c->stmt, 4, fld(c, r, 3), -1, SQLITE_STATIC);
	if (step(c, r, err) != 0)
		return -1;
	if (sqlite3_changes(c->st->db) == 0 && same_deposit(c, r, cents,
	    err) != 0)
		return -1;
	c->stats->deposits++;
	return 0;
}

/* history.csv */

static const char *const history_cols[] = { "sp_id", "period_start",
	"period_end", "days", "unit", "tou_period", "usage", "peak_demand",
	"amount", NULL };

static int
history_row(struct cv *c, const struct br_csv_record *r,
    struct br_error *err)
{
	int32_t d0, d1;
	int64_t days, usage, peak, amount;

	if (sp(c, r, 0, err) != 0 || date(c, r, 1, &d0, err) != 0 ||
	    date(c, r, 2, &d1, err) != 0)
		return -1;
	if (d1 < d0)
		return bad(c, r, 2, "period end before period start", err);
	if (dec(c, r, 3, 0, true, true, &days, err) != 0)
		return -1;
	if (days == 0)
		days = d1 - d0 + 1;
	else if (days != d1 - d0 + 1)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "days %lld but the period has %d", (long long)days,
		    (int)(d1 - d0 + 1));
	if (br_unit_find(fld(c, r, 4)) == NULL)
		return bad(c, r, 4, "unknown unit", err);
	if (dec(c, r, 6, 3, false, false, &usage, err) != 0 ||
	    dec(c, r, 7, 3, true, true, &peak, err) != 0 ||
	    dec(c, r, 8, 2, true, false, &amount, err) != 0)
		return -1;
	sqlite3_bind_text(c->stmt, 1, fld(c, r, 0), -1, SQLITE_STATIC);
	sqlite3_bind_text(c->stmt, 2, fld(c, r, 1), -1, SQLITE_STATIC);
	sqlite3_bind_text(c->stmt, 3, fld(c, r, 2), -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->stmt, 4, days);
	sqlite3_bind_text(c->stmt, 5, br_unit_find(fld(c, r, 4))->name, -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(c->stmt, 6, fld(c, r, 5), -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->stmt, 7, usage);
	sqlite3_bind_int64(c->stmt, 8, peak);
	sqlite3_bind_int64(c->stmt, 9, amount);
	if (step(c, r, err) != 0)
		return -1;
	c->stats->history++;
	return 0;
}

/* nem_banks.csv */

static const char *const nem_cols[] = { "account_id", "sp_id", "bank_kwh",
	"true_up_month", NULL };

static int
nem_row(struct cv *c, const struct br_csv_record *r, struct br_error *err)
{
	int64_t bank, month;

	if (account(c, r, 0, err) != 0 || sp(c, r, 1, err) != 0 ||
	    dec(c, r, 2, 3, false, true, &bank, err) != 0 ||
	    dec(c, r, 3, 0, false, true, &month, err) != 0)
		return -1;
	if (month < 1 || month > 12)
		return bad(c, r, 3, "month not 1..12", err);
	sqlite3_bind_text(c->stmt, 1, fld(c, r, 0), -1, SQLITE_STATIC);
	sqlite3_bind_text(c->stmt, 2, fld(c, r, 1), -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->stmt, 3, bank);
	sqlite3_bind_int64(c->stmt, 4, month);
	if (step(c, r, err) != 0)
		return -1;
	c->stats->nem_banks++;
	return 0;
}

/* ratchets.csv */

static const char *const ratchet_cols[] = { "sp_id", "month",
	"peak_demand_kw", NULL };

static int
ratchet_row(struct cv *c, const struct br_csv_record *r,
    struct br_error *err)
{
	char day[16];
	int32_t d;
	int64_t kw;

	if (sp(c, r, 0, err) != 0)
		return -1;
	snprintf(day, sizeof(day), "%.8s-01", fld(c, r, 1));
	if (strlen(fld(c, r, 1)) != 7 ||
	    br_date_parse(day, (size_t)-1, &d) != 0)
		return bad(c, r, 1, "bad month (YYYY-MM)", err);
	if (dec(c, r, 2, 3, false, true, &kw, err) != 0)
		return -1;
	sqlite3_bind_text(c->stmt, 1, fld(c, r, 0), -1, SQLITE_STATIC);
	sqlite3_bind_text(c->stmt, 2, fld(c, r, 1), -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->stmt, 3, kw);
	if (step(c, r, err) != 0)
		return -1;
	c->stats->ratchets++;
	return 0;
}

static int
on_record(void *ctx, const struct br_csv_record *r, struct br_error *err)
{
	struct cv *c = ctx;
	int i;

	if (r->index == 0) {
		for (i = 0; c->cols[i] != NULL; i++) {
			c->idx[i] = br_csv_column(r, c->cols[i]);
			if (c->idx[i] < 0 && (c->required & (1u << i)))
				return br_error_set(err, BR_EINPUT, r->file,
				    r->line, "missing column '%s'",
				    c->cols[i]);
		}
		return 0;
	}
	return c->row(c, r, err);
}

struct cv_file {
	const char *name;
	const char *const *cols;
	unsigned required;
	const char *sql;
	int (*row)(struct cv *, const struct br_csv_record *,
	    struct br_error *);
};

static const struct cv_file files[] = {
	{ "balances.csv", balance_cols, 0x3,
	  "INSERT INTO legacy_balance(account_id, as_of, current_cents, "
	  "days_30_cents, days_60_cents, days_90_cents) VALUES(?1, ?2, ?3, ?4, "
	  "?5, ?6) ON CONFLICT(account_id) DO UPDATE SET as_of = "
	  "excluded.as_of, current_cents = excluded.current_cents, "
	  "days_30_cents = excluded.days_30_cents, days_60_cents = "
	  "excluded.days_60_cents, days_90_cents = excluded.days_90_cents",
	  balance_row },
	{ "deposits.csv", deposit_cols, 0xf,
	  "INSERT INTO deposit(account_id, deposit_id, amount_cents, "
	  "paid_date) VALUES(?1, ?2, ?3, ?4) ON CONFLICT(account_id, "
	  "deposit_id) DO NOTHING", deposit_row },
	{ "history.csv", history_cols, 0x57,
	  "INSERT INTO legacy_usage(sp_id, period_start, period_end, days, "
	  "unit, tou_period, usage_milli, peak_demand_milli, amount_cents) "
	  "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(sp_id, "
	  "period_start, unit, tou_period) DO UPDATE SET period_end = "
	  "excluded.period_end, days = excluded.days, usage_milli = "
	  "excluded.usage_milli, peak_demand_milli = "
	  "excluded.peak_demand_milli, amount_cents = excluded.amount_cents",
	  history_row },
	{ "nem_banks.csv", nem_cols, 0xf,
	  "INSERT INTO legacy_nem_bank(account_id, sp_id, bank_milli, "
	  "true_up_month) VALUES(?1, ?2, ?3, ?4) ON CONFLICT(account_id, "
	  "sp_id) DO UPDATE SET bank_milli = excluded.bank_milli, "
	  "true_up_month = excluded.true_up_month", nem_row },
	{ "ratchets.csv", ratchet_cols, 0x7,
	  "INSERT INTO legacy_ratchet(sp_id, month, demand_milli) VALUES(?1, "
	  "?2, ?3) ON CONFLICT(sp_id, month) DO UPDATE SET demand_milli = "
	  "excluded.demand_milli", ratchet_row },
};

static void
finalize_all(sqlite3_stmt **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sqlite3_finalize(v[i]);
		v[i] = NULL;
	}
}

int
br_convert_load_dir(struct br_store *st, const char *dir,
    struct br_convert_stats *stats, struct br_error *err)
{
	sqlite3_stmt *q[NQ] = { NULL }, *up[sizeof(files) / sizeof(files[0])];
	char path[1024];
	size_t i;
	int found = 0, rc = -1;

	memset(stats, 0, sizeof(*stats));
	memset(up, 0, sizeof(up));
	for (i = 0; i < NQ; i++)
		if ((q[i] = br_store_prepare(st, q_sql[i], err)) == NULL)
			goto out;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct cv c;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		if (access(path, F_OK) != 0)
			continue;
		found++;
		memset(&c, 0, sizeof(c));
		c.st = st;
		c.stats = stats;
		c.cols = files[i].cols;
		c.required = files[i].required;
		c.row = files[i].row;
		c.q = q;
		if ((c.stmt = up[i] = br_store_prepare(st, files[i].sql,
		    err)) == NULL)
			goto out;
		if (br_csv_read(path, on_record, &c, NULL, err) != 0)
			goto out;
	}
	if (found == 0) {
		br_error_set(err, BR_ENOINPUT, dir, 0, "no conversion "
		    "file (balances.csv, deposits.csv, history.csv, "
		    "nem_banks.csv, ratchets.csv): %s", strerror(ENOENT));
		goto out;
	}
	rc = 0;
out:
	finalize_all(up, sizeof(up) / sizeof(up[0]));
	finalize_all(q, NQ);
	return rc;
}
