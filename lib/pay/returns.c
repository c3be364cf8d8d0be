/* SPDX-License-Identifier: Apache-2.0 */
/*
 * returns.c: posts returns (NACHA addenda 99, BAI2 returned items, camt
 * reversals) by reversing the one original payment every key agrees on,
 * within the return code's window, with the returned-payment fee; and
 * processor refunds and chargebacks.  Anything not certain goes to
 * suspense with an exception.
 */
#include "pay/pay_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "store/ledger.h"
#include "core/money.h"
#include "pay/pay_apply.h"
#include "core/sha256.h"
#include "core/banned.h"

/* ---- returns: matched to their original by every key (issue 15) ---- */

/* A payment a return could reverse. */
struct cand {
	long id;
	char account[128];
	int64_t amount;
	char date[11];
	int returned;		/* status returned already */
	char originator[48];
	const char *why;	/* first key that differs, NULL: all agree */
};

/* Unauthorized-debit return codes: 60 calendar days (Nacha Operating
 * Rules, Article Three, Subsection 3.13; moov-io/ach docs/returns.md). */
static int
unauthorized_code(const char *code)
{
	static const char *const codes[] = { "R05", "R07", "R10", "R11",
	    "R37", "R51", "R53" };
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

/*
 * The settlement window of return code `code`: setting return_window.<code>,
 * else the built-in (60 calendar days for unauthorized debits), else
 * setting return_window.default, else 2 banking days.  A value is a count
 * and a unit: "2b" banking days (Monday to Friday), "60c" calendar days.
 */
static int
return_window(struct br_store *st, const char *code, int *days, int *banking,
    struct br_error *err)
{
	char key[48], buf[32];
	int64_t v;
	size_t n;
	int rc;

	snprintf(key, sizeof(key), "return_window.%s", code);
	rc = code[0] ? br_store_setting_get(st, key, NULL, buf, sizeof(buf),
	    err) : 1;
	if (rc == 1 && unauthorized_code(code)) {
		*days = 60;
		*banking = 0;
		return 0;
	}
	if (rc == 1) {
		snprintf(key, sizeof(key), "return_window.default");
		rc = br_store_setting_get(st, key, NULL, buf, sizeof(buf), err);
	}
	if (rc < 0)
		return -1;
	if (rc == 1) {
		*days = 2;
		*banking = 1;
		return 0;
	}
	n = strlen(buf);
	if (n < 2 || br_int_parse(buf, n - 1, 0, 3660, &v) != 0 ||
	    (buf[n - 1] != 'b' && buf[n - 1] != 'c'))
		return br_error_set(err, BR_ECONFIG, NULL, 0, "setting %s: "
		    "'%s' is not a window like 2b (banking days) or 60c "
		    "(calendar days)", key, buf);
	*days = (int)v;
	*banking = buf[n - 1] == 'b';
	return 0;
}

/* 1 when ret is on or after paid and within the window after it. */
static int
in_window(const char *paid, const char *ret, int days, int banking)
{
	int32_t p, r, d;
	int k = 0;

	if (br_date_parse(paid, (size_t)-1, &p) != 0 ||
	    br_date_parse(ret, (size_t)-1, &r) != 0 || r < p)
		return 0;
	if (!banking)
		return r - p <= days;
	for (d = p; d < r; ) {
		int wd = br_date_weekday(++d);

		if (wd != 0 && wd != 6 && ++k > days)
			return 0;
	}
	return 1;
}

/* Account ids equal, leading zeros aside. */
static int
same_account(const char *a, const char *b)
{
	while (*a == '0' && a[1] != '\0')
		a++;
	while (*b == '0' && b[1] != '\0')
		b++;
	return strcmp(a, b) == 0;
}

/* Payments with reference ref (ACH payments only when ach). */
static int
load_cands(struct br_store *st, const char *ref, int ach, struct cand **v,
    size_t *n, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT p.payment_id, "
	    "COALESCE(p.account_id, ''), p.amount_cents, p.received_date, "
	    "p.status = 'returned', COALESCE((SELECT i.originator FROM "
	    "payment_item i WHERE i.payment_id = p.payment_id LIMIT 1), '') "
	    "FROM payment p WHERE p.reference = ?1 AND p.status <> 'suspense' "
	    "AND (?2 = 0 OR p.method LIKE 'ach%') ORDER BY p.payment_id", err);
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, ach);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cand *c;

		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct cand *nv = realloc(*v, nc * sizeof(*nv));

			if (nv == NULL) {
				sqlite3_finalize(s);
				return br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			*v = nv;
			cap = nc;
		}
		c = &(*v)[(*n)++];
		memset(c, 0, sizeof(*c));
		c->id = (long)sqlite3_column_int64(s, 0);
		snprintf(c->account, sizeof(c->account), "%s",
		    (const char *)sqlite3_column_text(s, 1));
		c->amount = sqlite3_column_int64(s, 2);
		snprintf(c->date, sizeof(c->date), "%s",
		    (const char *)sqlite3_column_text(s, 3));
		c->returned = sqlite3_column_int(s, 4);
		snprintf(c->originator, sizeof(c->originator), "%s",
		    (const char *)sqlite3_column_text(s, 5));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read payments", err);
	return 0;
}

/* Append "P<id> <account> <amount> <date> (<why>)" to buf. */
static void
name_cand(char *buf, size_t n, const struct cand *c)
{
	char amt[32];
	size_t len = strlen(buf);

	if (len + 1 >= n)
		return;
	snprintf(buf + len, n - len, "%sP%ld %s %s %s%s%s%s", len ? "; " : "",
	    c->id, c->account[0] ? c->account : "-",
	    br_cents_format(c->amount, amt, sizeof(amt)), c->date,
	    c->why ? " (" : "", c->why ? c->why : "", c->why ? ")" : "");
}

/* The return goes to suspense: exception `code` naming the candidates. */
static int
return_suspense(struct br_store *st, const char *file, const struct item *it,
    struct br_payment_row *row, const char *code, const char *names,
    struct br_error *err)
{
	char detail[1024], amt[32];

	row->status = BR_PAY_RETURN_UNMATCHED;
	row->payment_id = 0;
	snprintf(row->account_id, sizeof(row->account_id), "%s", it->account);
	snprintf(row->note, sizeof(row->note), "%s%s%s", it->code,
	    it->code[0] ? " " : "", code);
	snprintf(detail, sizeof(detail), "return %s of %s for original "
	    "reference '%s' (originator '%s', account '%s', %s): %s",
	    it->code[0] ? it->code : "-", br_cents_format(it->amount_cents,
	    amt, sizeof(amt)), it->orig_trace, it->originator, it->account,
	    it->date, names[0] ? names : "no posted payment with that "
	    "reference");
	return br_pay_add_exception(st, code, "warn", file, row, detail, err);
}

/* Reverse payment c for return it: its own amount, fee per settings. */
static int
reverse_payment(struct br_store *st, struct acctcache *cache,
    const char *file, const struct item *it, const struct cand *c,
    struct br_payment_row *row, struct br_error *err)
{
	sqlite3_stmt *s;
	char ref[32], detail[256];
	int bad = 0;
	int64_t fee;

	row->status = BR_PAY_RETURNED;
	row->matched_by = "trace";
	row->payment_id = c->id;
	snprintf(row->account_id, sizeof(row->account_id), "%s", c->account);
	s = br_store_prepare(st, "UPDATE payment SET status = 'returned' "
	    "WHERE payment_id = ?1", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, c->id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "return payment", err);
	}
	sqlite3_finalize(s);
	/* The charges it paid open again with their own dates. */
	s = br_store_prepare(st, "DELETE FROM payment_application WHERE "
	    "credit_entry IN (SELECT entry_id FROM ledger WHERE "
	    "kind = 'payment' AND ref = 'P' || ?1)", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, c->id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "return payment", err);
	}
	sqlite3_finalize(s);
	snprintf(ref, sizeof(ref), "RET-P%ld", c->id);
	if (br_ledger_post(st, c->account, it->date, "reversal", ref,
	    c->amount, NULL, err) != 0)
		return -1;
	fee = br_pay_setting_int(st, "returned_payment_fee_cents", 2500, &bad, err);
	if (bad)
		return -1;
	if (fee > 0) {
		snprintf(ref, sizeof(ref), "NSF-P%ld", c->id);
		if (br_ledger_post(st, c->account, it->date, "fee", ref,
		    fee, NULL, err) != 0)
			return -1;
		row->fee_cents = fee;
	}
	if (br_payment_settle(st, c->account, err) != 0 ||
	    br_ledger_balance(st, c->account, &row->balance_after_cents,
	    err) != 0 || br_pay_cache_set(st, cache, c->account,
	    row->balance_after_cents, err) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "payment P%ld returned %s "
	    "(reference %s)", c->id, it->code, it->orig_trace);
	return br_pay_add_exception(st, "PAYMENT_RETURNED", "warn", file, row, detail,
	    err);
}

/*
 * A return (NACHA addenda 99, BAI2 returned item, camt reversal): the
 * original is the posted payment whose reference is the return's
 * original reference and whose originator, account, amount and date
 * (within the return code's window) agree with every key the return
 * carries.  Exactly one: reversed.  None, several, or one that differs
 * only in amount: suspense with RETURN_UNMATCHED, RETURN_AMBIGUOUS or
 * RETURN_AMOUNT_MISMATCH, nothing posted to any account.  0, 2 (--shard:
 * another shard's), -1.
 */
int
br_pay_post_return(struct br_store *st, struct acctcache *cache,
    const char *file, const char *format, const struct item *it,
    struct br_payment_row *row, struct br_error *err)
{
	struct cand *v = NULL, *full = NULL;
	char names[768] = "";
	size_t n = 0, i, nfull = 0, nclose = 0;
	int days = 0, banking = 0, rc = -1;
	int same_format = strcmp(format, "nacha") == 0;

	row->matched_by = "";
	snprintf(row->note, sizeof(row->note), "%s", it->code);
	if (it->orig_trace[0] == '\0')
		return return_suspense(st, file, it, row, "RETURN_UNMATCHED",
		    "the return carries no original reference", err);
	if (return_window(st, it->code, &days, &banking, err) != 0 ||
	    load_cands(st, it->orig_trace, strcmp(format, "nacha") == 0, &v,
	    &n, err) != 0)
		goto out;
	/* --shard: a return of a payment this store does not hold goes to
	 * the shard of the account the return names. */
	if (n == 0 && !br_shard_member(&st->shard, it->account)) {
		rc = 2;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct cand *c = &v[i];

		/* Originator identities compare within one format: a
		 * NACHA company id, a camt account, a BAI2 bank/account. */
		if (same_format && it->originator[0] && c->originator[0] &&
		    strcmp(it->originator, c->originator) != 0)
			c->why = "originator differs";
		else if (it->account[0] && !same_account(it->account,
		    c->account))
			c->why = "account differs";
		else if (!in_window(c->date, it->date, days, banking))
			c->why = "outside the return window";
		else if (c->returned)
			c->why = "already returned";
		else if (c->amount != it->amount_cents) {
			c->why = "amount differs";
			nclose++;
		} else {
			nfull++;
			full = c;
		}
	}
	if (nfull == 1) {
		rc = reverse_payment(st, cache, file, it, full, row, err);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (nfull == 0 || v[i].why == NULL)
			name_cand(names, sizeof(names), &v[i]);
	rc = return_suspense(st, file, it, row, nfull > 1 ? "RETURN_AMBIGUOUS" :
	    nclose > 0 ? "RETURN_AMOUNT_MISMATCH" : "RETURN_UNMATCHED", names,
	    err);
out:
	free(v);
	return rc;
}

/* ---- refunds and chargebacks (processor files) ---- */

/*
 * A refund or chargeback of a processor file: the account's charge of
 * its own ledger kind (refund, chargeback; positive: the customer owes
 * it again), ref RF-/CB- and the item key's hash.  A chargeback always
 * needs a decision (CHARGEBACK); a refund when it leaves the account
 * owing (REFUND_REVIEW).  No account: suspense.  0, 2 (--shard), -1.
 */
int
br_pay_post_refund(struct br_store *st, struct acctcache *cache,
    const char *file, const struct item *it, struct br_payment_row *row,
    struct br_error *err)
{
	int cb = it->kind == IT_CHARGEBACK, rc, posted;
	char status[16] = "", ref[40], hex[65], detail[256], amt[32];
	struct br_sha256 h;
	int64_t before;

	if ((rc = br_pay_match(st, it, row, status, sizeof(status), err)) < 0)
		return -1;
	if (st->shard.n > 1) {
		char owner[128];

		if (rc == 0)
			snprintf(owner, sizeof(owner), "%s", row->account_id);
		else if (br_pay_bill_account(st, it, owner, sizeof(owner), err) != 0)
			return -1;
		if (!br_shard_member(&st->shard, owner))
			return 2;
	}
	row->amount_cents = -it->amount_cents;
	snprintf(row->note, sizeof(row->note), "%s", cb ? "chargeback" :
	    "refund");
	if (rc == 1) {
		row->status = BR_PAY_SUSPENSE;
		snprintf(detail, sizeof(detail), "%s of %s reference '%s' "
		    "names no account", cb ? "chargeback" : "refund",
		    br_cents_format(it->amount_cents, amt, sizeof(amt)),
		    it->reference);
		return br_pay_add_exception(st, cb ? "CHARGEBACK_UNMATCHED" :
		    "REFUND_UNMATCHED", "warn", file, row, detail, err);
	}
	row->status = cb ? BR_PAY_CHARGEBACK : BR_PAY_REFUND;
	br_sha256_init(&h);
	br_sha256_update(&h, it->key, strlen(it->key));
	br_sha256_final_hex(&h, hex);
	snprintf(ref, sizeof(ref), "%s-%.16s", cb ? "CB" : "RF", hex);
	if (br_ledger_balance(st, row->account_id, &before, err) != 0 ||
	    br_ledger_post(st, row->account_id, it->date, cb ? "chargeback" :
	    "refund", ref, it->amount_cents, &posted, err) != 0 ||
	    br_payment_settle(st, row->account_id, err) != 0 ||
	    br_ledger_balance(st, row->account_id, &row->balance_after_cents,
	    err) != 0 || br_pay_cache_set(st, cache, row->account_id,
	    row->balance_after_cents, err) != 0)
		return -1;
	if (!cb && row->balance_after_cents <= 0)
		return 0;
	snprintf(detail, sizeof(detail), "%s %s of %s reference '%s' (balance "
	    "before %s): %s", cb ? "chargeback" : "refund", ref,
	    br_cents_format(it->amount_cents, amt, sizeof(amt)), it->reference,
	    br_cents_format(before, hex, sizeof(hex)), cb ? "dispute: re-bill "
	    "or write off" : "refund larger than the credit balance");
	return br_pay_add_exception(st, cb ? "CHARGEBACK" : "REFUND_REVIEW", "warn",
	    file, row, detail, err);
}
