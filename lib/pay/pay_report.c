/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pay_report.c: the reports of pay-reconcile: the posting report, the
 * daily cash reconciliation (per file: control total vs posted, suspense,
 * returns and other items, with a check column that is 0 when the file
 * balances) and the aging of open charges by days past due, each with
 * its totals in a summary CSV of its own; the items of a file an earlier
 * run posted, listed again for a rerun's report.
 */
#include "pay/payment.h"
#include "pay/pay_int.h"

#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/money.h"
#include "pay/pay_apply.h"
#include "core/banned.h"

static const char *
status_name(enum br_pay_status s)
{
	switch (s) {
	case BR_PAY_POSTED: return "posted";
	case BR_PAY_SUSPENSE: return "suspense";
	case BR_PAY_RETURNED: return "returned";
	case BR_PAY_RETURN_UNMATCHED: return "return-unmatched";
	case BR_PAY_NOC: return "noc";
	case BR_PAY_ALREADY: return "already-posted";
	case BR_PAY_REFUND: return "refund";
	case BR_PAY_CHARGEBACK: return "chargeback";
	default: return "other";
	}
}

/* The original posting of item it of file_id: 1 found (status, account
 * and payment id filled), 0 not a payment of this store, -1. */
static int
earlier_payment(sqlite3_stmt *s, long file_id, const struct item *it,
    struct br_payment_row *row, char *status, size_t sn)
{
	const unsigned char *t;
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int64(s, 2, it->line);
	sqlite3_bind_int64(s, 3, it->seq);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -1;
	row->payment_id = (long)sqlite3_column_int64(s, 0);
	if ((t = sqlite3_column_text(s, 1)) != NULL)
		snprintf(row->account_id, sizeof(row->account_id), "%s",
		    (const char *)t);
	t = sqlite3_column_text(s, 2);
	snprintf(status, sn, "%s", t ? (const char *)t : "");
	return 1;
}

/*
 * Every item of a file posted by an earlier run, in file order, with
 * status already-posted: the account it was posted to and its posting
 * status then (posted, suspense, returned) for a payment, the item's own
 * fields otherwise.  --shard: a payment this store did not post is
 * another shard's; rows without an account are shard 1's.  Nothing is
 * posted and nothing counts towards the totals.
 */
int
br_pay_list_earlier(struct br_store *st, const struct reader *r,
    const char *base, long file_id, struct br_payment_report *rep,
    struct br_payment_file *pf, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT payment_id, "
	    "account_id, status FROM payment WHERE file_id = ?1 AND line = ?2 "
	    "AND item = ?3", err);
	char status[16];
	size_t i;
	int found;

	if (s == NULL)
		return -1;
	for (i = 0; i < r->n; i++) {
		const struct item *it = &r->v[i];
		struct br_payment_row *row = &rep->rows[rep->n];

		memset(row, 0, sizeof(*row));
		row->file = base;
		row->line = it->line;
		row->matched_by = "";
		row->status = BR_PAY_ALREADY;
		row->earlier_file = 1;
		snprintf(row->date, sizeof(row->date), "%s", it->date);
		snprintf(row->account_id, sizeof(row->account_id), "%s",
		    it->account);
		row->amount_cents = it->kind == IT_REFUND ||
		    it->kind == IT_CHARGEBACK || (it->kind == IT_OTHER &&
		    strcmp(r->format, "csv") == 0) ? it->signed_cents :
		    it->amount_cents;
		row->signed_cents = it->signed_cents;
		found = it->kind == IT_PAYMENT ? earlier_payment(s, file_id,
		    it, row, status, sizeof(status)) : 0;
		if (found < 0) {
			sqlite3_finalize(s);
			return br_store_fail(st, "read payments", err);
		}
		/* --shard: a payment posted elsewhere is another shard's
		 * (unsharded: one an earlier file carried). */
		if (it->kind == IT_PAYMENT && !found && st->shard.n > 0)
			continue;
		if (it->kind != IT_PAYMENT && !br_shard_member(&st->shard,
		    it->kind == IT_REFUND || it->kind == IT_CHARGEBACK ?
		    it->account : ""))
			continue;
		snprintf(row->note, sizeof(row->note), "already posted%s%s",
		    found ? ": " : "", found ? status : "");
		rep->n++;
		pf->already++;
	}
	sqlite3_finalize(s);
	return 0;
}

void
br_payment_report_write(const struct br_payment_report *rep, FILE *f)
{
	static const char *const header[9] = { "file", "line", "date",
	    "account_id", "amount", "status", "balance_after", "matched_by",
	    "note" };
	char line[32], amt[32], bal[32];
	const char *row[9];
	size_t i;

	br_csv_row(f, 9, header);
	for (i = 0; i < rep->n; i++) {
		const struct br_payment_row *p = &rep->rows[i];
		int has_bal = p->status == BR_PAY_POSTED ||
		    p->status == BR_PAY_RETURNED ||
		    p->status == BR_PAY_REFUND ||
		    p->status == BR_PAY_CHARGEBACK;

		snprintf(line, sizeof(line), "%ld", p->line);
		row[0] = p->file;
		row[1] = line;
		row[2] = p->date;
		row[3] = p->account_id;
		row[4] = br_cents_format(p->amount_cents, amt, sizeof(amt));
		row[5] = status_name(p->status);
		row[6] = has_bal ? br_cents_format(p->balance_after_cents, bal,
		    sizeof(bal)) : "";
		row[7] = p->matched_by ? p->matched_by : "";
		row[8] = p->note;
		br_csv_row(f, 9, row);
	}
}

void
br_payment_summary_write(const struct br_payment_report *rep, FILE *f)
{
	static const char *const header[3] = { "status", "items", "amount" };
	static const char *const names[3] = { "posted", "suspense",
	    "returned" };
	const long n[3] = { rep->posted, rep->suspense, rep->returned };
	const int64_t c[3] = { rep->posted_cents, rep->suspense_cents,
	    rep->returned_cents };
	char items[32], amt[32];
	const char *row[3];
	int i;

	br_csv_row(f, 3, header);
	for (i = 0; i < 3; i++) {
		snprintf(items, sizeof(items), "%ld", n[i]);
		row[0] = names[i];
		row[1] = items;
		row[2] = br_cents_format(c[i], amt, sizeof(amt));
		br_csv_row(f, 3, row);
	}
}

/* One file's recon row (status posted). */
static void
recon_row(FILE *f, const struct br_payment_file *pf)
{
	int64_t check = pf->control_cents - pf->posted_cents -
	    pf->suspense_cents - pf->returned_cents - pf->other_cents;
	char b[8][32];
	const char *row[11];

	row[0] = pf->name;
	row[1] = pf->format;
	row[2] = "posted";
	snprintf(b[0], sizeof(b[0]), "%ld", pf->records);
	row[3] = b[0];
	row[4] = br_cents_format(pf->control_cents, b[1], 32);
	row[5] = br_cents_format(pf->posted_cents, b[2], 32);
	row[6] = br_cents_format(pf->suspense_cents, b[3], 32);
	row[7] = br_cents_format(pf->returned_cents, b[4], 32);
	row[8] = br_cents_format(pf->other_cents, b[5], 32);
	snprintf(b[6], sizeof(b[6]), "%ld", pf->nocs);
	row[9] = b[6];
	row[10] = br_cents_format(check, b[7], 32);
	br_csv_row(f, 11, row);
}

void
br_payment_recon_write(const struct br_payment_report *rep, FILE *f)
{
	static const char *const header[11] = { "file", "format", "status",
	    "items", "control_total", "posted", "suspense", "returns",
	    "other", "nocs", "check" };
	const char *row[11];
	size_t i;

	br_csv_row(f, 11, header);
	for (i = 0; i < rep->nfiles; i++) {
		const struct br_payment_file *pf = &rep->files[i];

		if (!pf->duplicate) {
			recon_row(f, pf);
			continue;
		}
		row[0] = pf->name;
		row[1] = pf->format;
		row[2] = "duplicate";
		row[3] = "0";
		row[4] = row[5] = row[6] = row[7] = row[8] = row[10] = "0.00";
		row[9] = "0";
		br_csv_row(f, 11, row);
	}
}

void
br_payment_recon_summary_write(const struct br_payment_report *rep,
    FILE *f)
{
	static const char *const header[10] = { "files", "duplicates",
	    "items", "control_total", "posted", "suspense", "returns",
	    "other", "nocs", "check" };
	struct br_payment_file t;
	long files = 0, dups = 0;
	char b[10][32];
	const char *row[10];
	size_t i;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < rep->nfiles; i++) {
		const struct br_payment_file *pf = &rep->files[i];

		if (pf->duplicate) {
			dups++;
			continue;
		}
		files++;
		t.records += pf->records;
		t.control_cents += pf->control_cents;
		t.posted_cents += pf->posted_cents;
		t.suspense_cents += pf->suspense_cents;
		t.returned_cents += pf->returned_cents;
		t.other_cents += pf->other_cents;
		t.nocs += pf->nocs;
	}
	snprintf(b[0], 32, "%ld", files);
	snprintf(b[1], 32, "%ld", dups);
	snprintf(b[2], 32, "%ld", t.records);
	snprintf(b[8], 32, "%ld", t.nocs);
	row[0] = b[0];
	row[1] = b[1];
	row[2] = b[2];
	row[3] = br_cents_format(t.control_cents, b[3], 32);
	row[4] = br_cents_format(t.posted_cents, b[4], 32);
	row[5] = br_cents_format(t.suspense_cents, b[5], 32);
	row[6] = br_cents_format(t.returned_cents, b[6], 32);
	row[7] = br_cents_format(t.other_cents, b[7], 32);
	row[8] = b[8];
	row[9] = br_cents_format(t.control_cents - t.posted_cents -
	    t.suspense_cents - t.returned_cents - t.other_cents, b[9], 32);
	br_csv_row(f, 10, header);
	br_csv_row(f, 10, row);
}

/* Buckets: current, 1-30, 31-60, 61-90, 90+, credit, total. */
#define NB 7

static void
aging_row(FILE *f, const char *account, const int64_t *v)
{
	char b[NB][32];
	const char *row[NB + 1];
	int i;

	row[0] = account;
	for (i = 0; i < NB; i++)
		row[i + 1] = br_cents_format(v[i], b[i], sizeof(b[i]));
	br_csv_row(f, NB + 1, row);
}

/* The aging summary: the accounts and every bucket's total. */
static void
aging_summary(FILE *f, long accounts, const int64_t *tot)
{
	static const char *const header[NB + 1] = { "accounts", "current",
	    "days_1_30", "days_31_60", "days_61_90", "days_over_90",
	    "credit", "total" };
	char n[24];

	br_csv_row(f, NB + 1, header);
	snprintf(n, sizeof(n), "%ld", accounts);
	aging_row(f, n, tot);
}

int
br_payment_aging_write(struct br_store *st, const char *as_of, FILE *f,
    FILE *sum, struct br_error *err)
{
	long accounts = 0;
	static const char *const header[NB + 1] = { "account_id", "current",
	    "days_1_30", "days_31_60", "days_61_90", "days_over_90",
	    "credit", "total" };
	sqlite3_stmt *s;
	int64_t acc[NB], tot[NB];
	char cur[128] = "";
	int32_t asof;
	int rc, have = 0;

	if (br_date_parse(as_of, (size_t)-1, &asof) != 0)
		return br_error_set(err, BR_EUSAGE, NULL, 0, "bad as-of date");
	if (br_payment_settle(st, NULL, err) != 0)
		return -1;
	/* Open charges (due date: the bill's, else the entry's date) and
	 * unapplied credits (due "" marks a credit). */
	s = br_store_prepare(st, "SELECT l.account_id, "
	    "COALESCE((SELECT b.due_date FROM bill b WHERE l.kind = 'bill' "
	    "AND b.bill_id = l.ref), l.date), l.amount_cents - COALESCE(("
	    "SELECT SUM(a.amount_cents) FROM payment_application a WHERE "
	    "a.charge_entry = l.entry_id), 0) FROM ledger l "
	    "WHERE l.amount_cents > 0 AND l.kind <> 'reversal' "
	    "UNION ALL SELECT l.account_id, '', l.amount_cents + COALESCE(("
	    "SELECT SUM(a.amount_cents) FROM payment_application a WHERE "
	    "a.credit_entry = l.entry_id), 0) FROM ledger l "
	    "WHERE l.amount_cents < 0 AND NOT EXISTS (SELECT 1 FROM payment p "
	    "WHERE l.kind = 'payment' AND l.ref = 'P' || p.payment_id AND "
	    "p.status = 'returned') ORDER BY 1", err);
	if (s == NULL)
		return -1;
	memset(tot, 0, sizeof(tot));
	memset(acc, 0, sizeof(acc));
	br_csv_row(f, NB + 1, header);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(s, 0);
		const char *due = (const char *)sqlite3_column_text(s, 1);
		int64_t open = sqlite3_column_int64(s, 2);
		int32_t dd;
		int b;

		if (open == 0)
			continue;
		if (have && strcmp(a, cur) != 0) {
			aging_row(f, cur, acc);
			accounts++;
			memset(acc, 0, sizeof(acc));
		}
		snprintf(cur, sizeof(cur), "%s", a);
		have = 1;
		if (due[0] == '\0')
			b = 5;
		else if (br_date_parse(due, (size_t)-1, &dd) != 0 ||
		    asof - dd <= 0)
			b = 0;
		else if (asof - dd <= 30)
			b = 1;
		else if (asof - dd <= 60)
			b = 2;
		else if (asof - dd <= 90)
			b = 3;
		else
			b = 4;
		acc[b] += open;
		acc[6] += open;
		tot[b] += open;
		tot[6] += open;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read ledger", err);
	if (have) {
		aging_row(f, cur, acc);
		accounts++;
	}
	if (sum != NULL)
		aging_summary(sum, accounts, tot);
	return 0;
}
