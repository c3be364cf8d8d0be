/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ledger.c: posting to the account ledger and the balance figures that
 * bill-render prints.  Used by bill-render (kinds bill, reversal) and
 * pay-reconcile (kinds payment, reversal, fee).
 */
#include "store/ledger.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

int
br_ledger_post(struct br_store *st, const char *account_id,
    const char *date, const char *kind, const char *ref,
    int64_t amount_cents, int *posted, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st,
	    "INSERT INTO ledger(account_id, date, kind, ref, amount_cents) "
	    "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(kind, ref) DO NOTHING",
	    err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, amount_cents);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "post ledger entry", err);
	}
	sqlite3_finalize(s);
	if (posted != NULL)
		*posted = sqlite3_changes(st->db) > 0;
	return 0;
}

/* Run a one-row, one-column integer query with text parameters. */
static int
query_sum(struct br_store *st, const char *sql, const char *p1,
    const char *p2, const char *p3, int64_t *out, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, sql, err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, p1, -1, SQLITE_STATIC);
	if (p2 != NULL)
		sqlite3_bind_text(s, 2, p2, -1, SQLITE_STATIC);
	if (p3 != NULL)
		sqlite3_bind_text(s, 3, p3, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return br_store_fail(st, "read ledger", err);
	}
	*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

int
br_ledger_balance(struct br_store *st, const char *account_id,
    int64_t *balance_cents, struct br_error *err)
{
	return query_sum(st, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger "
	    "WHERE account_id = ?1", account_id, NULL, NULL, balance_cents,
	    err);
}

int
br_ledger_statement(struct br_store *st, const char *account_id,
    const char *bill_ref, const char *bill_date,
    struct br_ledger_statement *out, struct br_error *err)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof(*out));
	s = br_store_prepare(st, "SELECT MAX(date) FROM ledger "
	    "WHERE account_id = ?1 AND kind = 'bill' AND ref <> ?2 "
	    "AND date < ?3", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, bill_ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, bill_date, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return br_store_fail(st, "read ledger", err);
	}
	if (sqlite3_column_type(s, 0) != SQLITE_NULL)
		snprintf(out->previous_bill_date,
		    sizeof(out->previous_bill_date), "%s",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (out->previous_bill_date[0] != '\0' &&
	    query_sum(st, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger "
	    "WHERE account_id = ?1 AND date <= ?2", account_id,
	    out->previous_bill_date, NULL, &out->previous_cents, err) != 0)
		return -1;
	if (query_sum(st, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger "
	    "WHERE account_id = ?1 AND kind = 'payment' AND date > ?2 "
	    "AND date <= ?3", account_id, out->previous_bill_date, bill_date,
	    &out->payments_cents, err) != 0)
		return -1;
	s = br_store_prepare(st, "SELECT COALESCE(SUM(amount_cents), 0) "
	    "FROM ledger WHERE account_id = ?1 AND kind <> 'payment' "
	    "AND NOT (kind = 'bill' AND ref = ?4) AND date > ?2 AND date <= ?3",
	    err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, out->previous_bill_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, bill_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, bill_ref, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return br_store_fail(st, "read ledger", err);
	}
	out->adjustments_cents = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (query_sum(st, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger "
	    "WHERE account_id = ?1 AND kind = 'fee' AND date > ?2 "
	    "AND date <= ?3", account_id, out->previous_bill_date, bill_date,
	    &out->fees_cents, err) != 0 ||
	    query_sum(st, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger "
	    "WHERE account_id = ?1 AND kind = 'reversal' AND ref LIKE 'RET-P%' "
	    "AND date > ?2 AND date <= ?3", account_id,
	    out->previous_bill_date, bill_date, &out->returned_cents,
	    err) != 0)
		return -1;
	return 0;
}
