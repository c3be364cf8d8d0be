/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pay_apply.c: applies credits to charges oldest first (table
 * payment_application) and assesses late fees.  A charge is a positive
 * ledger entry other than a reversal; a credit is a negative entry other
 * than the entry of a returned payment.  Charges are taken by date, then
 * entry id; credits in the same order.  With the late fees it records
 * each account's past due as of their date (table past_due).
 */
#include "pay/pay_apply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "store/ledger.h"
#include "core/money.h"
#include "core/banned.h"

struct open_entry {
	int64_t id;
	int64_t open;
};

/* Remaining amounts of charges (credit = 0) or credits (credit = 1). */
#define OPEN_CHARGES_SQL \
	"SELECT l.entry_id, l.amount_cents - COALESCE((SELECT " \
	"SUM(a.amount_cents) FROM payment_application a WHERE " \
	"a.charge_entry = l.entry_id), 0) FROM ledger l " \
	"WHERE l.account_id = ?1 AND l.amount_cents > 0 " \
	"AND l.kind <> 'reversal' ORDER BY l.date, l.entry_id"
#define OPEN_CREDITS_SQL \
	"SELECT l.entry_id, -l.amount_cents - COALESCE((SELECT " \
	"SUM(a.amount_cents) FROM payment_application a WHERE " \
	"a.credit_entry = l.entry_id), 0) FROM ledger l " \
	"WHERE l.account_id = ?1 AND l.amount_cents < 0 AND NOT EXISTS " \
	"(SELECT 1 FROM payment p WHERE l.kind = 'payment' AND " \
	"p.payment_id = CAST(substr(l.ref, 2) AS INTEGER) AND " \
	"p.status = 'returned') " \
	"ORDER BY l.date, l.entry_id"

static int
load_open(struct br_store *st, const char *sql, const char *account,
    struct open_entry **v, size_t *n, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, sql, err);
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t open = sqlite3_column_int64(s, 1);

		if (open <= 0)
			continue;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct open_entry *nv = realloc(*v, nc * sizeof(*nv));
			if (nv == NULL) {
				sqlite3_finalize(s);
				free(*v);
				*v = NULL;
				return br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			*v = nv;
			cap = nc;
		}
		(*v)[*n].id = sqlite3_column_int64(s, 0);
		(*v)[(*n)++].open = open;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(*v);
		*v = NULL;
		return br_store_fail(st, "read ledger", err);
	}
	return 0;
}

static int
settle_one(struct br_store *st, const char *account, struct br_error *err)
{
	struct open_entry *ch = NULL, *cr = NULL;
	size_t nch = 0, ncr = 0, i = 0, j = 0;
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (load_open(st, OPEN_CHARGES_SQL, account, &ch, &nch, err) != 0 ||
	    load_open(st, OPEN_CREDITS_SQL, account, &cr, &ncr, err) != 0)
		goto out;
	if (nch == 0 || ncr == 0) {
		rc = 0;
		goto out;
	}
	s = br_store_prepare(st, "INSERT INTO payment_application("
	    "credit_entry, charge_entry, amount_cents) VALUES(?1, ?2, ?3) "
	    "ON CONFLICT(credit_entry, charge_entry) DO UPDATE SET "
	    "amount_cents = amount_cents + excluded.amount_cents", err);
	if (s == NULL)
		goto out;
	while (i < nch && j < ncr) {
		int64_t a = ch[i].open < cr[j].open ? ch[i].open : cr[j].open;

		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, cr[j].id);
		sqlite3_bind_int64(s, 2, ch[i].id);
		sqlite3_bind_int64(s, 3, a);
		if (sqlite3_step(s) != SQLITE_DONE) {
			br_store_fail(st, "apply payment", err);
			goto out;
		}
		ch[i].open -= a;
		cr[j].open -= a;
		if (ch[i].open == 0)
			i++;
		if (cr[j].open == 0)
			j++;
	}
	rc = 0;
out:
	if (s != NULL)
		sqlite3_finalize(s);
	free(ch);
	free(cr);
	return rc;
}

int
br_payment_settle(struct br_store *st, const char *account_id,
    struct br_error *err)
{
	sqlite3_stmt *s;
	char **ids = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0, step;

	if (account_id != NULL)
		return settle_one(st, account_id, err);
	s = br_store_prepare(st, "SELECT DISTINCT account_id FROM ledger "
	    "ORDER BY account_id", err);
	if (s == NULL)
		return -1;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **nv = realloc(ids, nc * sizeof(*nv));
			if (nv == NULL) {
				rc = br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
				break;
			}
			ids = nv;
			cap = nc;
		}
		if ((ids[n] = strdup((const char *)sqlite3_column_text(s,
		    0))) == NULL) {
			rc = br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
			break;
		}
		n++;
	}
	sqlite3_finalize(s);
	if (rc == 0 && step != SQLITE_DONE)
		rc = br_store_fail(st, "read ledger", err);
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = settle_one(st, ids[i], err);
		free(ids[i]);
	}
	free(ids);
	return rc;
}

static int
get_int(struct br_store *st, const char *key, int64_t def, int64_t *out,
    struct br_error *err)
{
	char buf[64];
	int64_t v;
	int rc = br_store_setting_get(st, key, NULL, buf, sizeof(buf), err);

	*out = def;
	if (rc < 0)
		return -1;
	if (rc == 1)
		return 0;
	if (br_int_parse(buf, (size_t)-1, 0, INT64_MAX, &v) != 0)
		return br_error_set(err, BR_ECONFIG, NULL, 0, "setting %s: '%s' "
		    "is not a non-negative integer", key, buf);
	*out = v;
	return 0;
}

/* Open amounts of bill charges due before ?1, per account. */
#define PAST_DUE_SQL \
	"SELECT account_id, SUM(open) AS amt, MIN(due_date) AS oldest " \
	"FROM (SELECT l.account_id, b.due_date, l.amount_cents - " \
	"COALESCE((SELECT SUM(a.amount_cents) FROM payment_application a " \
	"WHERE a.charge_entry = l.entry_id), 0) AS open FROM ledger l " \
	"JOIN bill b ON b.bill_id = l.ref WHERE l.kind = 'bill' AND " \
	"l.amount_cents > 0 AND b.due_date < ?1) WHERE open > 0 " \
	"GROUP BY account_id"

/*
 * Past due as of as_of, computed once here (table past_due, key
 * "<as_of>/<account>"): the open amount of the account's bills whose
 * due date is before as_of, and the oldest such due date.  bill-render
 * reads it.  Rows change only when their values do (rerun: no audit
 * noise); an account no longer past due loses its row for that date.
 */
static int
past_due(struct br_store *st, const char *as_of, struct br_error *err)
{
	static const char *const sql[2] = {
		"INSERT INTO past_due(pd_key, account_id, as_of, amount_cents, "
		"oldest_due_date) SELECT ?1 || '/' || account_id, account_id, "
		"?1, amt, oldest FROM (" PAST_DUE_SQL ") WHERE true "
		"ON CONFLICT(pd_key) DO UPDATE SET amount_cents = "
		"excluded.amount_cents, oldest_due_date = "
		"excluded.oldest_due_date WHERE amount_cents <> "
		"excluded.amount_cents OR oldest_due_date <> "
		"excluded.oldest_due_date",
		"DELETE FROM past_due WHERE as_of = ?1 AND account_id NOT IN "
		"(SELECT account_id FROM (" PAST_DUE_SQL "))",
	};
	int i;

	for (i = 0; i < 2; i++) {
		sqlite3_stmt *s = br_store_prepare(st, sql[i], err);

		if (s == NULL)
			return -1;
		sqlite3_bind_text(s, 1, as_of, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			return br_store_fail(st, "record past due", err);
		}
		sqlite3_finalize(s);
	}
	return 0;
}

int
br_payment_late_fees(struct br_store *st, const char *as_of, long *count,
    int64_t *total_cents, struct br_error *err)
{
	sqlite3_stmt *s;
	int64_t ppm, min, grace;
	int32_t asof;
	int rc = 0, step;

	*count = 0;
	*total_cents = 0;
	if (br_date_parse(as_of, (size_t)-1, &asof) != 0)
		return br_error_set(err, BR_EUSAGE, NULL, 0, "bad as-of date");
	if (get_int(st, "late_fee_pct_ppm", 15000, &ppm, err) != 0 ||
	    get_int(st, "late_fee_min_cents", 0, &min, err) != 0 ||
	    get_int(st, "late_fee_grace_days", 0, &grace, err) != 0 ||
	    br_payment_settle(st, NULL, err) != 0)
		return -1;
	/* Bills past due + grace with an open amount and no late fee yet. */
	s = br_store_prepare(st, "SELECT b.bill_id, l.account_id, b.due_date, "
	    "l.amount_cents - COALESCE((SELECT SUM(a.amount_cents) FROM "
	    "payment_application a WHERE a.charge_entry = l.entry_id), 0) "
	    "FROM ledger l JOIN bill b ON b.bill_id = l.ref "
	    "WHERE l.kind = 'bill' AND l.amount_cents > 0 AND NOT EXISTS "
	    "(SELECT 1 FROM ledger f WHERE f.kind = 'fee' AND "
	    "f.ref = 'LATE-' || b.bill_id) ORDER BY b.bill_id", err);
	if (s == NULL)
		return -1;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *bill = (const char *)sqlite3_column_text(s, 0);
		const char *acct = (const char *)sqlite3_column_text(s, 1);
		const char *due = (const char *)sqlite3_column_text(s, 2);
		int64_t open = sqlite3_column_int64(s, 3), fee;
		int32_t dd;
		char ref[160];

		if (open <= 0 || br_date_parse(due, (size_t)-1, &dd) != 0 ||
		    (int64_t)dd + grace >= asof)
			continue;
		fee = br_div_round(open * ppm, 1000000, BR_ROUND_HALF_UP);
		if (fee < min)
			fee = min;
		if (fee <= 0)
			continue;
		snprintf(ref, sizeof(ref), "LATE-%s", bill);
		if ((rc = br_ledger_post(st, acct, as_of, "fee", ref, fee, NULL,
		    err)) != 0)
			break;
		(*count)++;
		*total_cents += fee;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = br_store_fail(st, "read bills", err);
	sqlite3_finalize(s);
	if (rc == 0)
		rc = br_payment_settle(st, NULL, err);
	if (rc == 0)
		rc = past_due(st, as_of, err);
	return rc;
}
