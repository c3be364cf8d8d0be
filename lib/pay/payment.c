/*
 * payment.c: pay-reconcile, reading and posting.  A payment file (CSV by
 * column mapping, BAI2, NACHA or lockbox) is parsed whole into items and
 * validated (control totals by the parsers) before anything is stored;
 * then, keyed by its SHA-256 in import_file (stage payment), each item is
 * matched (scan line, account, bill number, else suspense) and posted, or
 * for NACHA returns the original payment is reversed and a fee charged.
 * Credits are applied to the oldest open charges (pay_apply.c).
 */
#include "pay/payment.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "formats/bai2.h"
#include "formats/camt.h"
#include "io/csvio.h"
#include "core/date.h"
#include "io/input.h"
#include "store/ledger.h"
#include "formats/lockbox.h"
#include "core/money.h"
#include "formats/nacha.h"
#include "formats/payrec.h"
#include "core/scanline.h"
#include "core/progress.h"
#include "core/banned.h"

/* Item kinds. */
enum { IT_PAYMENT, IT_RETURN, IT_NOC, IT_OTHER, IT_REFUND, IT_CHARGEBACK };

/* Default cap on one item's amount (setting amount_cap_cents). */
#define AMOUNT_CAP_DEFAULT	1000000000	/* 10,000,000.00 */

struct item {
	long line;
	long seq;		/* 0, or the Nth further item on the line */
	int kind;
	int64_t amount_cents;	/* >= 0 */
	int64_t signed_cents;	/* against the control total */
	char date[11];
	char account[128];
	char bill[64];
	char scan[80];
	char method[32];
	char reference[64];
	char code[8];		/* return or NOC code */
	char orig_trace[64];
	char corrected[32];
	char originator[48];	/* payrec.h */
	const char *cls;	/* BAI2/camt item class, or NULL */
	char hold[32];		/* exception code that holds the item in
				   suspense (currency, sub-cent), or "" */
	int traced;		/* 1: the item carries a bank reference */
	char *key;		/* OWNED: natural key (payment_item) */
};

struct reader {
	const char *file;
	const char *format;
	const char *as_of;
	const struct br_paymap *map;
	int c_date, c_amount, c_account, c_bill, c_scan, c_reference,
	    c_method, c_include;
	struct item *v;
	size_t n, cap;
	int64_t control_cents;
	int64_t cap_cents;	/* largest amount accepted for one item */
	char currency[4];	/* the utility's (setting currency) */
};

/* *acc += v, or -1 with err when the sum leaves int64 (never wraps). */
static int
add_cents(int64_t *acc, int64_t v, const char *file, long line,
    struct br_error *err)
{
	int64_t r;

	if (__builtin_add_overflow(*acc, v, &r))
		return br_error_set(err, BR_EINPUT, file, line, "amounts "
		    "overflow the total of the file");
	*acc = r;
	return 0;
}

/* An item's amount above the cap is refused (setting amount_cap_cents). */
static int
check_cap(const struct reader *r, long line, int64_t cents,
    struct br_error *err)
{
	char a[32], c[32];

	if (cents <= r->cap_cents && cents >= -r->cap_cents)
		return 0;
	return br_error_set(err, BR_EINPUT, r->file, line, "amount %s is "
	    "above the cap of %s per item (setting amount_cap_cents)",
	    br_cents_format(cents, a, sizeof(a)),
	    br_cents_format(r->cap_cents, c, sizeof(c)));
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

static struct item *
new_item(struct reader *r, struct br_error *err)
{
	struct item *it;

	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64;
		struct item *nv = realloc(r->v, nc * sizeof(*nv));
		if (nv == NULL) {
			br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
			return NULL;
		}
		r->v = nv;
		r->cap = nc;
	}
	it = &r->v[r->n++];
	memset(it, 0, sizeof(*it));
	return it;
}

/* Number items that share a physical line (BAI2 records per line). */
static void
set_line(struct reader *r, struct item *it, long line)
{
	it->line = line;
	if (r->n >= 2 && r->v[r->n - 2].line == line)
		it->seq = r->v[r->n - 2].seq + 1;
}

/* ---- CSV by mapping ---- */

static int
find_col(const struct br_csv_record *rec, const struct reader *r,
    const struct br_paymap_col *c, int required, int *out,
    struct br_error *err)
{
	*out = -1;
	if (c->name[0] == '\0')
		return 0;
	*out = br_csv_column(rec, c->name);
	if (*out < 0 && required)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "missing column '%s'", c->name);
	return 0;
}

static void
get_col(const struct br_csv_record *rec, const struct reader *r,
    const struct br_paymap_col *c, int idx, char *out, size_t n)
{
	if (idx < 0) {
		out[0] = '\0';
		return;
	}
	br_paymap_part(br_csv_field(rec, idx), r->map->separator, c->part,
	    out, n);
}

static int
on_csv(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct reader *r = ctx;
	const struct br_paymap *m = r->map;
	struct item *it;
	char buf[128];

	if (rec->index == 0) {
		if (find_col(rec, r, &m->date, 1, &r->c_date, err) != 0 ||
		    find_col(rec, r, &m->amount, 1, &r->c_amount, err) != 0 ||
		    find_col(rec, r, &m->account, 1, &r->c_account, err) != 0 ||
		    find_col(rec, r, &m->bill, 1, &r->c_bill, err) != 0 ||
		    find_col(rec, r, &m->scan_line, 1, &r->c_scan, err) != 0 ||
		    find_col(rec, r, &m->reference, 0, &r->c_reference,
		    err) != 0 ||
		    find_col(rec, r, &m->method, 0, &r->c_method, err) != 0)
			return -1;
		r->c_include = -1;
		if (m->include_column[0] != '\0' &&
		    (r->c_include = br_csv_column(rec, m->include_column)) < 0)
			return br_error_set(err, BR_EINPUT, r->file, rec->line,
			    "missing column '%s'", m->include_column);
		return 0;
	}
	if ((it = new_item(r, err)) == NULL)
		return -1;
	it->line = rec->line;
	it->kind = IT_PAYMENT;
	get_col(rec, r, &m->date, r->c_date, buf, sizeof(buf));
	if (br_paymap_date(m, buf, it->date) != 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "bad date '%s' in column '%s' (want %s)", buf, m->date.name,
		    m->date_format);
	get_col(rec, r, &m->amount, r->c_amount, buf, sizeof(buf));
	if (m->amount_cents) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(buf, &end, 10);
		if (buf[0] == '\0' || *end != '\0' || errno != 0)
			return br_error_set(err, BR_EINPUT, r->file, rec->line,
			    "bad amount '%s' in column '%s' (want cents)", buf,
			    m->amount.name);
		it->amount_cents = v;
	} else if (br_decimal_parse(buf, (size_t)-1, 2,
	    &it->amount_cents) != 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "bad amount '%s' in column '%s' (want dollars like 12.34)",
		    buf, m->amount.name);
	if (check_cap(r, rec->line, it->amount_cents, err) != 0)
		return -1;
	if (r->c_include >= 0 && strcmp(br_csv_field(rec, r->c_include),
	    m->include_value) != 0) {
		const char *v = br_csv_field(rec, r->c_include);

		/* Not a payment: a refund or a chargeback is posted as its
		 * own ledger kind; any other row (fee, adjustment) is
		 * counted, not posted. */
		it->kind = m->refund_value[0] && strcmp(v,
		    m->refund_value) == 0 ? IT_REFUND :
		    m->chargeback_value[0] && strcmp(v,
		    m->chargeback_value) == 0 ? IT_CHARGEBACK : IT_OTHER;
		it->signed_cents = it->amount_cents;
		it->amount_cents = it->amount_cents < 0 ? -it->amount_cents :
		    it->amount_cents;
		if (add_cents(&r->control_cents, it->signed_cents, r->file,
		    rec->line, err) != 0)
			return -1;
		if (it->kind != IT_OTHER && it->amount_cents == 0)
			return br_error_set(err, BR_EINPUT, r->file,
			    rec->line, "%s of 0.00", v);
		goto fields;
	}
	if (it->amount_cents <= 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "amount '%s' in column '%s' must be positive", buf,
		    m->amount.name);
	if (r->as_of != NULL && strcmp(it->date, r->as_of) > 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "date '%s' in column '%s' is after the as-of date %s",
		    it->date, m->date.name, r->as_of);
	it->signed_cents = it->amount_cents;
	if (add_cents(&r->control_cents, it->amount_cents, r->file, rec->line,
	    err) != 0)
		return -1;
fields:
	get_col(rec, r, &m->account, r->c_account, it->account,
	    sizeof(it->account));
	if (strlen(br_csv_field(rec, r->c_account)) >= sizeof(it->account))
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "account id too long in column '%s'", m->account.name);
	get_col(rec, r, &m->bill, r->c_bill, it->bill, sizeof(it->bill));
	get_col(rec, r, &m->scan_line, r->c_scan, it->scan, sizeof(it->scan));
	get_col(rec, r, &m->reference, r->c_reference, it->reference,
	    sizeof(it->reference));
	it->traced = it->reference[0] != '\0';
	get_col(rec, r, &m->method, r->c_method, it->method,
	    sizeof(it->method));
	if (it->method[0] == '\0')
		snprintf(it->method, sizeof(it->method), "%s",
		    m->method_default);
	return 0;
}

/* ---- bank files ---- */

static int
on_payrec(void *ctx, const struct br_payrec *p, struct br_error *err)
{
	struct reader *r = ctx;
	struct item *it;
	int nacha = strcmp(r->format, "nacha") == 0;

	if ((it = new_item(r, err)) == NULL)
		return -1;
	set_line(r, it, p->line);
	it->amount_cents = p->amount_cents;
	snprintf(it->date, sizeof(it->date), "%s", p->date);
	snprintf(it->account, sizeof(it->account), "%s", p->account_ref);
	snprintf(it->scan, sizeof(it->scan), "%s", p->scan_line);
	snprintf(it->reference, sizeof(it->reference), "%s", p->bank_ref);
	snprintf(it->code, sizeof(it->code), "%s",
	    p->kind == BR_PAYREC_NOC ? p->noc_code : p->return_code);
	snprintf(it->orig_trace, sizeof(it->orig_trace), "%s",
	    p->original_trace);
	snprintf(it->corrected, sizeof(it->corrected), "%s",
	    p->corrected_data);
	snprintf(it->originator, sizeof(it->originator), "%s", p->originator);
	it->cls = p->item_class;
	it->traced = p->bank_ref[0] != '\0';
	if (check_cap(r, p->line, p->amount_cents, err) != 0)
		return -1;
	if (p->sub_cent)
		snprintf(it->hold, sizeof(it->hold), "SUB_CENT_AMOUNT");
	else if (p->currency[0] != '\0' && strcmp(p->currency,
	    r->currency) != 0)
		snprintf(it->hold, sizeof(it->hold), "CURRENCY_MISMATCH");
	if (nacha)
		snprintf(it->method, sizeof(it->method), "ach-%s",
		    p->sec_code);
	else if (strcmp(r->format, "lockbox") == 0)
		snprintf(it->method, sizeof(it->method), "check");
	else if (strcmp(r->format, "camt") == 0)
		snprintf(it->method, sizeof(it->method), "camt-%s",
		    p->txn_code);
	else
		snprintf(it->method, sizeof(it->method), "bai2-%s",
		    p->txn_code);
	/* Signed as the file's own control totals count it: BAI2 nets
	 * credits and debits, NACHA and lockbox add every amount. */
	it->signed_cents = !nacha && p->debit ? -p->amount_cents :
	    p->amount_cents;
	switch (p->kind) {
	case BR_PAYREC_PAYMENT:
		/* NACHA: the utility's debits collect from customers; a
		 * credit entry pays someone, it is not AR cash. */
		it->kind = (nacha && !p->debit) || p->amount_cents == 0 ?
		    IT_OTHER : IT_PAYMENT;
		break;
	case BR_PAYREC_RETURN:
		it->kind = IT_RETURN;
		/* BAI2: the customer reference names the returned item;
		 * the account is not known. */
		if (!nacha && it->orig_trace[0] == '\0') {
			snprintf(it->orig_trace, sizeof(it->orig_trace), "%s",
			    p->account_ref);
			it->account[0] = '\0';
		}
		break;
	case BR_PAYREC_NOC:
		it->kind = IT_NOC;
		break;
	default:
		it->kind = IT_OTHER;
		break;
	}
	if (it->kind == IT_PAYMENT && r->as_of != NULL &&
	    strcmp(it->date, r->as_of) > 0)
		return br_error_set(err, BR_EINPUT, r->file, p->line,
		    "date %s is after the as-of date %s", it->date, r->as_of);
	return 0;
}

int
br_payment_detect(const char *path, const char **format,
    struct br_error *err)
{
	struct br_input *in = br_input_open(path, err);
	char buf[4096], what[128];
	long got = 0, len = 0;

	if (in == NULL)
		return -1;
	while (len < (long)sizeof(buf) && (got = br_input_read(in, buf + len,
	    sizeof(buf) - (size_t)len, err)) > 0)
		len += got;
	br_input_close(in);
	if (got < 0)
		return -1;
	{
		const char *nl = memchr(buf, '\n', (size_t)len);
		long first = nl ? (long)(nl - buf) : len;
		int digits2 = len >= 3 && buf[0] >= '0' && buf[0] <= '9' &&
		    buf[1] >= '0' && buf[1] <= '9' && buf[2] == ',';

		if (first > 0 && buf[first - 1] == '\r')
			first--;
		if ((got = br_camt_sniff(buf, (size_t)len, what,
		    sizeof(what))) >= 0)
			*format = got == 1 ? "camt" : "xml";
		else if (digits2)
			*format = "bai2";	/* 01, (or a broken 00,) */
		else if (len >= 3 && memcmp(buf, "101", 3) == 0)
			*format = "nacha";
		else if (first == 94 && (buf[0] == '5' || buf[0] == '6'))
			*format = "nacha";	/* headless NACHA */
		else if (len >= 1 && buf[0] == '1')
			*format = "lockbox";	/* immediate address header */
		else
			*format = "csv";
	}
	return 0;
}

static void
reader_release(struct reader *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].key);
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

/* Parse the whole file.  OUT: sha. */
static int
read_file(struct reader *r, const char *name, char sha[65],
    struct br_error *err)
{
	if (strcmp(r->format, "csv") == 0) {
		if (br_csv_read(name, on_csv, r, sha, err) != 0)
			return -1;
		if (r->c_amount < 0)
			return br_error_set(err, BR_EINPUT, name, 1,
			    "empty file: missing header with column '%s'",
			    r->map->amount.name);
		return 0;
	}
	if (strcmp(r->format, "bai2") == 0) {
		struct br_bai2_totals t;

		if (br_bai2_parse(name, on_payrec, r, &t, sha, err) != 0)
			return -1;
		r->control_cents = t.credit_cents - t.debit_cents;
		return 0;
	}
	if (strcmp(r->format, "nacha") == 0) {
		struct br_nacha_totals t;

		if (br_nacha_parse(name, on_payrec, r, &t, sha, err) != 0)
			return -1;
		r->control_cents = t.debit_cents + t.credit_cents;
		return 0;
	}
	if (strcmp(r->format, "camt") == 0) {
		struct br_camt_totals t;

		if (br_camt_parse(name, on_payrec, r, &t, sha, err) != 0)
			return -1;
		if (__builtin_sub_overflow(t.credit_cents, t.debit_cents,
		    &r->control_cents))
			return br_error_set(err, BR_EINPUT, name, 0, "amounts "
			    "overflow the total of the file");
		return 0;
	}
	if (strcmp(r->format, "lockbox") == 0) {
		struct br_lockbox_totals t;

		if (br_lockbox_parse(name, on_payrec, r, &t, sha, err) != 0)
			return -1;
		r->control_cents = t.total_cents;
		return 0;
	}
	if (strcmp(r->format, "xml") == 0) {
		char buf[4096], what[128] = "";
		struct br_input *in = br_input_open(name, err);
		long got, len = 0;

		if (in == NULL)
			return -1;
		while (len < (long)sizeof(buf) && (got = br_input_read(in,
		    buf + len, sizeof(buf) - (size_t)len, err)) > 0)
			len += got;
		br_input_close(in);
		br_camt_sniff(buf, (size_t)len, what, sizeof(what));
		return br_error_set(err, BR_EINPUT, name, 1, "unsupported "
		    "format: XML document %s is not an ISO 20022 camt.053 or "
		    "camt.054", what);
	}
	return br_error_set(err, BR_EINPUT, name, 0, "unsupported format "
	    "'%s'", r->format);
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
static int
match(struct br_store *st, const struct item *it, struct br_payment_row *row,
    char *status, size_t sn, struct br_error *err)
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

static int
add_exception(struct br_store *st, const char *code, const char *severity,
    const char *file, const struct br_payment_row *row, const char *detail,
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
	return add_exception(st, code, "warn", file, row, detail, err);
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
static int
cache_set(struct br_store *st, struct acctcache *c, const char *id,
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
static int
bill_account(struct br_store *st, const struct item *it, char *out, size_t n,
    struct br_error *err)
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

	if ((rc = match(st, it, row, status, sizeof(status), err)) < 0)
		return -1;
	found = rc == 0;
	if (st->shard.n > 1) {
		char owner[128];

		if (found)
			snprintf(owner, sizeof(owner), "%s", row->account_id);
		else if (bill_account(st, it, owner, sizeof(owner), err) != 0)
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
		if (add_exception(st, "SCAN_LINE_CHECK_DIGIT", "warn", file,
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

static int64_t
setting_int(struct br_store *st, const char *key, int64_t def, int *bad,
    struct br_error *err)
{
	char buf[64], *end;
	long long v;
	int rc = br_store_setting_get(st, key, NULL, buf, sizeof(buf), err);

	if (rc < 0) {
		*bad = 1;
		return def;
	}
	if (rc == 1)
		return def;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (buf[0] == '\0' || *end != '\0' || errno != 0 || v < 0) {
		*bad = 1;
		br_error_set(err, BR_ECONFIG, NULL, 0,
		    "setting %s: '%s' is not a non-negative integer", key, buf);
		return def;
	}
	return v;
}

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
	char key[48], buf[32], *end;
	long v;
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
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || v < 0 || v > 3660 ||
	    (strcmp(end, "b") != 0 && strcmp(end, "c") != 0))
		return br_error_set(err, BR_ECONFIG, NULL, 0, "setting %s: "
		    "'%s' is not a window like 2b (banking days) or 60c "
		    "(calendar days)", key, buf);
	*days = (int)v;
	*banking = *end == 'b';
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
	return add_exception(st, code, "warn", file, row, detail, err);
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
	fee = setting_int(st, "returned_payment_fee_cents", 2500, &bad, err);
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
	    err) != 0 || cache_set(st, cache, c->account,
	    row->balance_after_cents, err) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "payment P%ld returned %s "
	    "(reference %s)", c->id, it->code, it->orig_trace);
	return add_exception(st, "PAYMENT_RETURNED", "warn", file, row, detail,
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
static int
post_return(struct br_store *st, struct acctcache *cache, const char *file,
    const char *format, const struct item *it, struct br_payment_row *row,
    struct br_error *err)
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
static int
post_refund(struct br_store *st, struct acctcache *cache, const char *file,
    const struct item *it, struct br_payment_row *row, struct br_error *err)
{
	int cb = it->kind == IT_CHARGEBACK, rc, posted;
	char status[16] = "", ref[40], hex[65], detail[256], amt[32];
	struct br_sha256 h;
	int64_t before;

	if ((rc = match(st, it, row, status, sizeof(status), err)) < 0)
		return -1;
	if (st->shard.n > 1) {
		char owner[128];

		if (rc == 0)
			snprintf(owner, sizeof(owner), "%s", row->account_id);
		else if (bill_account(st, it, owner, sizeof(owner), err) != 0)
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
		return add_exception(st, cb ? "CHARGEBACK_UNMATCHED" :
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
	    err) != 0 || cache_set(st, cache, row->account_id,
	    row->balance_after_cents, err) != 0)
		return -1;
	if (!cb && row->balance_after_cents <= 0)
		return 0;
	snprintf(detail, sizeof(detail), "%s %s of %s reference '%s' (balance "
	    "before %s): %s", cb ? "chargeback" : "refund", ref,
	    br_cents_format(it->amount_cents, amt, sizeof(amt)), it->reference,
	    br_cents_format(before, hex, sizeof(hex)), cb ? "dispute: re-bill "
	    "or write off" : "refund larger than the credit balance");
	return add_exception(st, cb ? "CHARGEBACK" : "REFUND_REVIEW", "warn",
	    file, row, detail, err);
}

/* ---- item keys (payment_item): nothing is posted twice ---- */

/* By key, then file order (the items are one array). */
static int
cmp_keyidx(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : (x > y) - (x < y);
}

/*
 * Give every item its natural key: format, originator, reference,
 * signed amount, date, account, bill, scan line, method and kind, then
 * its occurrence among the file's items with the same fields (two
 * genuine identical checks stay two); an item without a bank reference
 * also carries the file's base name (see post_file).  *plen[i]: length
 * of the key without the name.
 */
static int
build_keys(struct reader *r, const char *base, size_t **plen,
    struct br_error *err)
{
	struct item **idx;
	size_t i, occ = 0;
	char buf[1024];

	*plen = NULL;
	if (r->n == 0)
		return 0;
	idx = malloc(r->n * sizeof(*idx));
	*plen = calloc(r->n, sizeof(**plen));
	if (idx == NULL || *plen == NULL) {
		free(idx);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	for (i = 0; i < r->n; i++) {
		struct item *it = &r->v[i];

		snprintf(buf, sizeof(buf), "%s|%s|%s|%lld|%s|%s|%s|%s|%s|%d",
		    r->format, it->originator, it->reference,
		    (long long)it->signed_cents, it->date, it->account,
		    it->bill, it->scan, it->method, it->kind);
		if ((it->key = strdup(buf)) == NULL) {
			free(idx);
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		}
		idx[i] = it;
	}
	qsort(idx, r->n, sizeof(*idx), cmp_keyidx);
	/* Occurrence numbers first (plen holds them for a moment). */
	for (i = 0; i < r->n; i++) {
		occ = i > 0 && strcmp(idx[i - 1]->key, idx[i]->key) == 0 ?
		    occ + 1 : 1;
		(*plen)[idx[i] - r->v] = occ;
	}
	for (i = 0; i < r->n; i++) {
		struct item *it = &r->v[i];
		int n = snprintf(buf, sizeof(buf), "%s|#%zu", it->key,
		    (*plen)[i]);

		if (n < 0 || (size_t)n >= sizeof(buf) - 1)
			n = (int)sizeof(buf) - 2;
		(*plen)[i] = (size_t)n;
		if (!it->traced)
			snprintf(buf + n, sizeof(buf) - (size_t)n, "|%s", base);
		free(it->key);
		if ((it->key = strdup(buf)) == NULL) {
			free(idx);
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		}
	}
	free(idx);
	return 0;
}

/*
 * 0: a new item; 1: posted already (same key: a re-sent file); 2: a
 * trace-less item another file (other name) carried already.  -1.
 */
static int
key_state(struct br_store *st, const struct item *it, size_t plen,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT 1 FROM payment_item "
	    "WHERE item_key = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, it->key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read payment items", err);
	if (it->traced)
		return 0;
	/* Keys of the same item from files of other names: "<prefix>|..." */
	s = br_store_prepare(st, "SELECT 1 FROM payment_item WHERE item_key > "
	    "?1 || '|' AND item_key < ?1 || '}' LIMIT 1", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, it->key, (int)plen, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 2;
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read payment items", err);
	return 0;
}

static int
record_key(struct br_store *st, long file_id, const struct item *it,
    long payment_id, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "INSERT INTO payment_item("
	    "item_key, file_id, line, originator, traced, payment_id) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, it->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, file_id);
	sqlite3_bind_int64(s, 3, it->line);
	sqlite3_bind_text(s, 4, it->originator, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, it->traced);
	if (payment_id > 0)
		sqlite3_bind_int64(s, 6, payment_id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "record payment item", err);
	}
	sqlite3_finalize(s);
	return 0;
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
	if ((rt != NULL && add_cents(rt, row->amount_cents, row->file,
	    row->line, err) != 0) ||
	    add_cents(ft, row->signed_cents, row->file, row->line, err) != 0)
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

		r.cap_cents = setting_int(st, "amount_cap_cents",
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
	if (read_file(&r, name, sha, err) != 0)
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
		rc = 0;
		goto out;
	}
	if (grow_rows(rep, r.n, err) != 0 ||
	    build_keys(&r, base, &plen, err) != 0)
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
		if ((ks = key_state(st, it, plen[i], err)) < 0)
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
		if (record_key(st, file_id, it, it->kind == IT_PAYMENT ?
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
			if ((prc = post_return(st, &cache, base, format, it,
			    row, err)) < 0)
				goto out;
			break;
		case IT_REFUND:
		case IT_CHARGEBACK:
			if ((prc = post_refund(st, &cache, base, it, row,
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
	reader_release(&r);
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
