/* SPDX-License-Identifier: Apache-2.0 */
/*
 * payment.c: pay-reconcile, matching, posting and the file run.  Each
 * file is read whole into items (read.c), then, keyed by its SHA-256 in
 * import_file (stage payment) and each item by its natural key
 * (itemkey.c), every item is matched (scan line, account, bill number,
 * else suspense) and posted; returns, refunds and chargebacks are posted
 * by returns.c.  Credits are applied to the oldest open charges
 * (pay_apply.c).  Shared types and helpers: pay_int.h.
 */
#include "pay/pay_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/ledger.h"
#include "core/money.h"
#include "core/scanline.h"
#include "core/progress.h"
#include "pay/pay_apply.h"
#include "core/banned.h"

/* Default cap on one item's amount (setting amount_cap_cents). */
#define AMOUNT_CAP_DEFAULT	1000000000	/* 10,000,000.00 */

/* *acc += v, or -1 with err when the sum leaves int64 (never wraps). */
int
br_pay_add_cents(int64_t *acc, int64_t v, const char *file, long line,
    struct br_error *err)
{
	int64_t r;

	if (__builtin_add_overflow(*acc, v, &r))
		return br_error_set(err, BR_EINPUT, file, line, "amounts "
		    "overflow the total of the file");
	*acc = r;
	return 0;
}

void
br_payment_report_init(struct br_payment_report *rep)
{
	memset(rep, 0, sizeof(*rep));
}

void
br_payment_report_release(struct br_payment_report *rep)
{
	free(rep->rows);
	free(rep->files);
	memset(rep, 0, sizeof(*rep));
}

/* ---- posting ---- */

static int
register_file(struct br_store *st, const char *name, const char *format,
    const char *sha, long records, long *file_id, int *duplicate,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT file_id FROM import_file "
	    "WHERE stage = 'payment' AND sha256 = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*file_id = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW) {
		*duplicate = 1;
		return 0;
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read import files", err);
	*duplicate = 0;
	s = br_store_prepare(st, "INSERT INTO import_file(stage, sha256, name, "
	    "format, records) VALUES('payment', ?1, ?2, ?3, ?4)", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, records);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "record import file", err);
	}
	sqlite3_finalize(s);
	*file_id = (long)sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* One text column of a one-row query with one text parameter: 0 found,
 * 1 not found, -1 error. */
static int
lookup(struct br_store *st, const char *sql, const char *param, char *out,
    size_t n, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, param, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read store", err);
	return 1;
}

static int
account_exists(struct br_store *st, const char *id, char *status, size_t n,
    struct br_error *err)
{
	if (id[0] == '\0')
		return 1;
	return lookup(st, "SELECT status FROM account WHERE account_id = ?1",
	    id, status, n, err);
}

/*
 * Match it: scan line (check digit verified), account number (as is,
 * then without leading zeros), bill number; row->account_id and
 * row->matched_by set, "" for suspense.  0 or -1.
 */
int
br_pay_match(struct br_store *st, const struct item *it,
    struct br_payment_row *row, char *status, size_t sn, struct br_error *err)
{
	char acct[128];
	int rc;

	row->matched_by = "";
	if (it->scan[0] != '\0') {
		char sacct[11];
		int64_t due;
		struct br_error e2;

		if (br_scanline_parse(it->scan, strlen(it->scan), sacct, &due,
		    &e2) == 0) {
			if ((rc = account_exists(st, sacct, status, sn,
			    err)) < 0)
				return -1;
			if (rc == 0) {
				snprintf(row->account_id,
				    sizeof(row->account_id), "%s", sacct);
				row->matched_by = "scan_line";
				return 0;
			}
		} else
			row->bad_scan_line = 1;
	}
	if ((rc = account_exists(st, it->account, status, sn, err)) < 0)
		return -1;
	if (rc == 0) {
		snprintf(row->account_id, sizeof(row->account_id), "%s",
		    it->account);
		row->matched_by = "account";
		return 0;
	}
	{
		const char *p = it->account;

		while (*p == '0' && p[1] != '\0')
			p++;
		if (p != it->account) {
			if ((rc = account_exists(st, p, status, sn, err)) < 0)
				return -1;
			if (rc == 0) {
				snprintf(row->account_id,
				    sizeof(row->account_id), "%s", p);
				row->matched_by = "account";
				return 0;
			}
		}
	}
	/* Bill number: the bill column, else the account field may hold one. */
	{
		const char *b = it->bill[0] ? it->bill : it->account;

		if (b[0] != '\0') {
			rc = lookup(st, "SELECT account_id FROM bill "
			    "WHERE bill_id = ?1", b, acct, sizeof(acct), err);
			if (rc < 0)
				return -1;
			if (rc == 0 && account_exists(st, acct, status, sn,
			    err) == 0) {
				snprintf(row->account_id,
				    sizeof(row->account_id), "%s", acct);
				row->matched_by = "bill";
				return 0;
			}
		}
	}
	snprintf(row->account_id, sizeof(row->account_id), "%s", it->account);
	return 1;
}

int
br_pay_add_exception(struct br_store *st, const char *code,
    const char *severity, const char *file,
    const struct br_payment_row *row, const char *detail,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "INSERT INTO exception(exc_id, "
	    "stage, code, severity, account_id, date, detail, source, line) "
	    "VALUES(br_exc_id('payment', ?1, ?3, '', ?4, ?5), 'payment', ?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7) "
	    "ON CONFLICT DO NOTHING", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, row->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, row->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, row->line);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "record exception", err);
	}
	sqlite3_finalize(s);
	return 0;
}

static int
payment_exception(struct br_store *st, const char *code, const char *file,
    const struct br_payment_row *row, const struct item *it,
    struct br_error *err)
{
	char detail[512], amt[32];

	snprintf(detail, sizeof(detail), "payment P%ld of %s reference '%s'",
	    row->payment_id, br_cents_format(row->amount_cents, amt,
	    sizeof(amt)), it->reference);
	return br_pay_add_exception(st, code, "warn", file, row, detail, err);
}

/* ---- account balances of one file (linear settlement) ---- */

/*
 * The ledger balance of each account a file touches, read once and kept
 * up to date as the file posts; the accounts to settle (apply credits to
 * charges) once, at the end of the file, instead of after every payment
 * (which read all the account's open items each time: quadratic).
 */
struct acct_bal {
	char *id;		/* OWNED; NULL: free slot */
	int64_t bal;
	int dirty;		/* posted to since the last settlement */
};

struct acctcache {
	struct acct_bal *v;	/* OWNED, open addressing */
	size_t cap, n;
};

static size_t
hash_id(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
cache_release(struct acctcache *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++)
		free(c->v[i].id);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static struct acct_bal *
cache_slot(struct acctcache *c, const char *id)
{
	size_t i = hash_id(id) & (c->cap - 1);

	while (c->v[i].id != NULL && strcmp(c->v[i].id, id) != 0)
		i = (i + 1) & (c->cap - 1);
	return &c->v[i];
}

/* The entry of account id, its balance read from the ledger the first
 * time.  NULL with err. */
static struct acct_bal *
cache_get(struct br_store *st, struct acctcache *c, const char *id,
    struct br_error *err)
{
	struct acct_bal *b;

	if (2 * (c->n + 1) > c->cap) {
		struct acctcache g = { NULL, c->cap ? c->cap * 2 : 64, 0 };
		size_t i;

		if ((g.v = calloc(g.cap, sizeof(*g.v))) == NULL) {
			br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
			return NULL;
		}
		for (i = 0; i < c->cap; i++)
			if (c->v[i].id != NULL)
				*cache_slot(&g, c->v[i].id) = c->v[i];
		g.n = c->n;
		free(c->v);
		*c = g;
	}
	b = cache_slot(c, id);
	if (b->id != NULL)
		return b;
	if (br_ledger_balance(st, id, &b->bal, err) != 0)
		return NULL;
	if ((b->id = strdup(id)) == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	b->dirty = 0;
	c->n++;
	return b;
}

/* After a step that settled account id and read its balance itself. */
int
br_pay_cache_set(struct br_store *st, struct acctcache *c, const char *id,
    int64_t bal, struct br_error *err)
{
	struct acct_bal *b = cache_get(st, c, id, err);

	if (b == NULL)
		return -1;
	b->bal = bal;
	b->dirty = 0;
	return 0;
}

static int
cmp_bal(const void *a, const void *b)
{
	return strcmp((*(struct acct_bal *const *)a)->id,
	    (*(struct acct_bal *const *)b)->id);
}

/* Settle every account posted to, once, in account order. */
static int
cache_settle(struct br_store *st, struct acctcache *c, struct br_error *err)
{
	struct acct_bal **d;
	size_t i, k = 0;
	int rc = 0;

	if (c->n == 0)
		return 0;
	if ((d = malloc(c->n * sizeof(*d))) == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	for (i = 0; i < c->cap; i++)
		if (c->v[i].id != NULL && c->v[i].dirty)
			d[k++] = &c->v[i];
	qsort(d, k, sizeof(*d), cmp_bal);
	for (i = 0; i < k && rc == 0; i++) {
		rc = br_payment_settle(st, d[i]->id, err);
		d[i]->dirty = 0;
	}
	free(d);
	return rc;
}

/*
 * --shard: the account an unmatched payment's bill number names (bill ids
 * are <cycle_id>-<account_id>): the shard holding that account's bills
 * decides the payment.  "" when it names none (shard 1).
 */
int
br_pay_bill_account(struct br_store *st, const struct item *it, char *out,
    size_t n, struct br_error *err)
{
	const char *b = it->bill[0] ? it->bill : it->account;
	int rc;

	out[0] = '\0';
	if (b[0] == '\0')
		return 0;
	rc = lookup(st, "SELECT a.account_id FROM bill_cycle c JOIN account a "
	    "ON a.account_id = substr(?1, length(c.cycle_id) + 2) "
	    "WHERE substr(?1, 1, length(c.cycle_id) + 1) = c.cycle_id || '-' "
	    "ORDER BY a.account_id LIMIT 1", b, out, n, err);
	if (rc == 1)
		out[0] = '\0';
	return rc < 0 ? -1 : 0;
}

/*
 * Post payment item it as payment_id (numbered as an unsharded run
 * numbers it); hold, when not "", is the exception code that keeps it in
 * suspense whatever it matches (currency, sub-cent amount, a trace-less
 * duplicate of another file's item).  0 done, 2 another shard's payment
 * (nothing stored), -1.
 */
static int
post_payment(struct br_store *st, struct acctcache *cache, const char *file,
    long file_id, int64_t payment_id, const struct item *it,
    const char *hold, struct br_payment_row *row, struct br_error *err)
{
	struct acct_bal *b;
	sqlite3_stmt *s;
	char status[16] = "", ref[32];
	int rc, found, posted;

	if ((rc = br_pay_match(st, it, row, status, sizeof(status), err)) < 0)
		return -1;
	found = rc == 0;
	if (st->shard.n > 1) {
		char owner[128];

		if (found)
			snprintf(owner, sizeof(owner), "%s", row->account_id);
		else if (br_pay_bill_account(st, it, owner, sizeof(owner), err) != 0)
			return -1;
		if (!br_shard_member(&st->shard, owner))
			return 2;
	}
	if (hold[0] != '\0') {
		found = 0;
		row->matched_by = "";
		snprintf(row->note, sizeof(row->note), "%s", hold);
	}
	row->status = found ? BR_PAY_POSTED : BR_PAY_SUSPENSE;
	row->closed_account = found && strcmp(status, "closed") == 0;
	s = br_store_prepare(st, "INSERT INTO payment(file_id, line, "
	    "account_id, amount_cents, received_date, method, reference, "
	    "status, item, payment_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10)", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int64(s, 2, it->line);
	if (row->account_id[0] != '\0')
		sqlite3_bind_text(s, 3, row->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, it->amount_cents);
	sqlite3_bind_text(s, 5, it->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, it->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, it->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, found ? "posted" : "suspense", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, it->seq);
	sqlite3_bind_int64(s, 10, payment_id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "record payment", err);
	}
	sqlite3_finalize(s);
	row->payment_id = (long)payment_id;
	if (row->bad_scan_line) {
		char detail[160];

		snprintf(detail, sizeof(detail), "scan line '%s' fails its "
		    "check digit", it->scan);
		if (br_pay_add_exception(st, "SCAN_LINE_CHECK_DIGIT", "warn", file,
		    row, detail, err) != 0)
			return -1;
	}
	if (!found)
		return payment_exception(st, hold[0] ? hold :
		    "UNMATCHED_PAYMENT", file, row, it, err);
	snprintf(ref, sizeof(ref), "P%ld", row->payment_id);
	if ((b = cache_get(st, cache, row->account_id, err)) == NULL ||
	    br_ledger_post(st, row->account_id, it->date, "payment", ref,
	    -it->amount_cents, &posted, err) != 0)
		return -1;
	if (!posted)
		return br_error_set(err, BR_EINTERNAL, NULL, 0, "ledger entry "
		    "payment %s exists already (ledger edited by hand?)", ref);
	/* Applied to charges when the file ends (cache_settle). */
	b->bal -= it->amount_cents;
	b->dirty = 1;
	row->balance_after_cents = b->bal;
	/* Partial payment: something stays owed; overpayment: a credit. */
	if (row->balance_after_cents > 0)
		snprintf(row->note, sizeof(row->note), "partial");
	else if (row->balance_after_cents < 0)
		snprintf(row->note, sizeof(row->note), "credit balance");
	if (row->closed_account) {
		snprintf(row->note + strlen(row->note), sizeof(row->note) -
		    strlen(row->note), "%sclosed account",
		    row->note[0] ? "; " : "");
		return payment_exception(st, "PAYMENT_CLOSED_ACCOUNT", file,
		    row, it, err);
	}
	return 0;
}

int64_t
br_pay_setting_int(struct br_store *st, const char *key, int64_t def, int *bad,
    struct br_error *err)
{
	char buf[64];
	int64_t v;
	int rc = br_store_setting_get(st, key, NULL, buf, sizeof(buf), err);

	if (rc < 0) {
		*bad = 1;
		return def;
	}
	if (rc == 1)
		return def;
	if (br_int_parse(buf, (size_t)-1, 0, INT64_MAX, &v) != 0) {
		*bad = 1;
		br_error_set(err, BR_ECONFIG, NULL, 0,
		    "setting %s: '%s' is not a non-negative integer", key, buf);
		return def;
	}
	return v;
}

static int
grow_rows(struct br_payment_report *rep, size_t more, struct br_error *err)
{
	size_t nc = rep->cap ? rep->cap : 64;
	struct br_payment_row *nv;

	if (rep->n + more <= rep->cap)
		return 0;
	while (nc < rep->n + more)
		nc *= 2;
	if ((nv = realloc(rep->rows, nc * sizeof(*nv))) == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	rep->rows = nv;
	rep->cap = nc;
	return 0;
}

/* Add row to the report's and the file's totals (overflow-checked). */
static int
count_row(struct br_payment_report *rep, struct br_payment_file *pf,
    const struct br_payment_row *row, struct br_error *err)
{
	int64_t *rt = NULL, *ft;
	long *rn = NULL;

	switch (row->status) {
	case BR_PAY_POSTED:
	case BR_PAY_REFUND:
	case BR_PAY_CHARGEBACK:
		rn = &rep->posted;
		rt = &rep->posted_cents;
		ft = &pf->posted_cents;
		break;
	case BR_PAY_SUSPENSE:
		rn = &rep->suspense;
		rt = &rep->suspense_cents;
		ft = &pf->suspense_cents;
		break;
	case BR_PAY_RETURNED:
	case BR_PAY_RETURN_UNMATCHED:
		rn = &rep->returned;
		rt = &rep->returned_cents;
		ft = &pf->returned_cents;
		break;
	default:
		ft = &pf->other_cents;
		break;
	}
	if (row->status == BR_PAY_SUSPENSE ||
	    row->status == BR_PAY_RETURN_UNMATCHED ||
	    row->status == BR_PAY_CHARGEBACK ||
	    (row->status == BR_PAY_REFUND && row->balance_after_cents > 0))
		rep->review++;
	if (rn != NULL)
		(*rn)++;
	if ((rt != NULL && br_pay_add_cents(rt, row->amount_cents, row->file,
	    row->line, err) != 0) ||
	    br_pay_add_cents(ft, row->signed_cents, row->file, row->line, err) != 0)
		return -1;
	return 0;
}

static int
post_file(struct br_store *st, const char *name,
    const struct br_payment_opts *o, const struct br_paymap *map,
    int64_t *next_id, struct br_payment_report *rep, struct br_error *err)
{
	struct reader r;
	struct br_payment_file *pf = &rep->files[rep->nfiles];
	const char *base, *format = o->format;
	char sha[65];
	long file_id = 0;
	size_t i, *plen = NULL;
	struct acctcache cache = { NULL, 0, 0 };
	int rc = -1, prc;

	/* Standard input cannot be read twice: it is CSV unless forced. */
	if ((format == NULL || strcmp(format, "auto") == 0) &&
	    strcmp(name, "-") == 0)
		format = "csv";
	else if (format == NULL || strcmp(format, "auto") == 0)
		if (br_payment_detect(name, &format, err) != 0)
			return -1;
	memset(&r, 0, sizeof(r));
	r.file = name;
	r.format = format;
	r.as_of = o->as_of;
	r.map = map;
	r.c_date = r.c_account = r.c_amount = -1;
	{
		int bad = 0, grc;

		r.cap_cents = br_pay_setting_int(st, "amount_cap_cents",
		    AMOUNT_CAP_DEFAULT, &bad, err);
		if (bad)
			goto out;
		grc = br_store_setting_get(st, "currency", NULL, r.currency,
		    sizeof(r.currency), err);
		if (grc < 0)
			goto out;
		if (grc == 1)
			snprintf(r.currency, sizeof(r.currency), "USD");
	}
	if (br_pay_read_file(&r, name, sha, err) != 0)
		goto out;
	/* Reports and the store name the file by its base name, so a cycle
	 * replays identically from any directory. */
	base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	pf->name = base;
	pf->format = format;
	pf->records = (long)r.n;
	pf->control_cents = r.control_cents;
	if (register_file(st, base, format, sha, (long)r.n, &file_id,
	    &pf->duplicate, err) != 0)
		goto out;
	rep->nfiles++;
	if (pf->duplicate) {
		/* The report of a rerun is complete: the file's items as
		 * the earlier run posted them. */
		if (grow_rows(rep, r.n, err) == 0 &&
		    br_pay_list_earlier(st, &r, base, file_id, rep, pf,
		    err) == 0)
			rc = 0;
		goto out;
	}
	if (grow_rows(rep, r.n, err) != 0 ||
	    br_pay_build_keys(&r, base, &plen, err) != 0)
		goto out;
	for (i = 0; i < r.n; i++) {
		const struct item *it = &r.v[i];
		struct br_payment_row *row = &rep->rows[rep->n];
		int ks;

		br_progress("payments", (long)i + 1, (long)r.n);
		memset(row, 0, sizeof(*row));
		row->file = base;
		row->line = it->line;
		row->matched_by = "";
		snprintf(row->date, sizeof(row->date), "%s", it->date);
		snprintf(row->account_id, sizeof(row->account_id), "%s",
		    it->account);
		/* Refunds, chargebacks and other processor rows are
		 * reported with their sign. */
		row->amount_cents = it->kind == IT_REFUND ||
		    it->kind == IT_CHARGEBACK || (it->kind == IT_OTHER &&
		    strcmp(format, "csv") == 0) ? it->signed_cents :
		    it->amount_cents;
		row->signed_cents = it->signed_cents;
		prc = 0;
		if ((ks = br_pay_key_state(st, it, plen[i], err)) < 0)
			goto out;
		if (ks == 1) {
			/* Posted by an earlier file (a re-sent file with
			 * other bytes): listed, nothing posted. */
			row->status = BR_PAY_ALREADY;
			snprintf(row->note, sizeof(row->note),
			    "already posted");
			pf->already++;
			goto count;
		}
		/* Every shard records every key (and numbers every
		 * payment, docs/scale-out.md), so all agree on what is
		 * new. */
		if (br_pay_record_key(st, file_id, it, it->kind == IT_PAYMENT ?
		    (long)(*next_id + 1) : 0, err) != 0)
			goto out;
		/* --shard: rows tied to no account (NOC, other records,
		 * non-NACHA returns) are shard 1's. */
		if (it->kind != IT_PAYMENT && it->kind != IT_REFUND &&
		    it->kind != IT_CHARGEBACK && !(it->kind == IT_RETURN &&
		    strcmp(format, "nacha") == 0) &&
		    !br_shard_member(&st->shard, ""))
			continue;
		switch (it->kind) {
		case IT_PAYMENT:
			if ((prc = post_payment(st, &cache, base, file_id,
			    ++*next_id, it, ks == 2 ? "DUPLICATE_SUSPECT" :
			    it->hold, row, err)) < 0)
				goto out;
			break;
		case IT_RETURN:
			if ((prc = br_pay_post_return(st, &cache, base, format, it,
			    row, err)) < 0)
				goto out;
			break;
		case IT_REFUND:
		case IT_CHARGEBACK:
			if ((prc = br_pay_post_refund(st, &cache, base, it, row,
			    err)) < 0)
				goto out;
			break;
		case IT_NOC:
			row->status = BR_PAY_NOC;
			snprintf(row->note, sizeof(row->note), "%s %s",
			    it->code, it->corrected);
			pf->nocs++;
			break;
		default:
			row->status = BR_PAY_OTHER;
			if (it->cls != NULL)
				snprintf(row->note, sizeof(row->note), "%s%s%s",
				    it->cls, it->code[0] ? " " : "", it->code);
			break;
		}
		if (prc == 2)
			continue;	/* --shard: another shard's item */
count:
		rep->n++;
		if (count_row(rep, pf, row, err) != 0)
			goto out;
	}
	rc = cache_settle(st, &cache, err);
out:
	cache_release(&cache);
	free(plen);
	br_pay_reader_release(&r);
	return rc;
}

/* The highest payment id this store has seen (docs/scale-out.md). */
static int
payment_id_high(struct br_store *st, int64_t *out, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT MAX(COALESCE((SELECT "
	    "MAX(payment_id) FROM payment), 0), COALESCE((SELECT CAST(value AS "
	    "INTEGER) FROM setting WHERE key = 'payment_id_high'), 0))", err);

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return br_store_fail(st, "read payment ids", err);
	}
	*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
br_payment_post_files_ex(struct br_store *st, const char *const *files,
    size_t n, const struct br_payment_opts *opts,
    struct br_payment_report *rep, struct br_error *err)
{
	struct br_paymap defmap;
	const char **sorted;
	char high[32];
	int64_t next_id = 0;
	size_t i;
	int rc = 0;

	br_paymap_default(&defmap);
	/* Payment ids continue from the highest one this store has seen: its
	 * own payments, or in a shard store also other shards' (setting
	 * payment_id_high, kept by shard runs). */
	if (payment_id_high(st, &next_id, err) != 0)
		return -1;
	if ((sorted = malloc((n ? n : 1) * sizeof(*sorted))) == NULL ||
	    (rep->files = calloc(n ? n : 1, sizeof(*rep->files))) == NULL) {
		free(sorted);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	if (n > 0)
		memcpy(sorted, files, n * sizeof(*sorted));
	/* Stable order: by name, so the running balances are repeatable. */
	qsort(sorted, n, sizeof(*sorted), cmp_name);
	for (i = 0; i < n && rc == 0; i++)
		rc = post_file(st, sorted[i], opts, opts->map ? opts->map :
		    &defmap, &next_id, rep, err);
	free(sorted);
	if (rc == 0 && st->shard.n > 1) {
		snprintf(high, sizeof(high), "%lld", (long long)next_id);
		rc = br_store_setting_set(st, "payment_id_high", high, err);
	}
	return rc;
}

int
br_payment_post_files(struct br_store *st, const char *const *files,
    size_t n, const char *as_of, struct br_payment_report *rep,
    struct br_error *err)
{
	struct br_payment_opts o;

	memset(&o, 0, sizeof(o));
	o.as_of = as_of;
	o.format = "auto";
	return br_payment_post_files_ex(st, files, n, &o, rep, err);
}
