/*
 * payment.c: pay-reconcile.  A payments file is read whole (it is small),
 * validated, and only then, keyed by its SHA-256 in import_file (stage
 * payment), posted: one payment row per line, a ledger credit when the
 * account exists, suspense and an UNMATCHED_PAYMENT exception otherwise.
 */
#include "payment.h"

#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "date.h"
#include "ledger.h"
#include "money.h"
#include "banned.h"

struct pending {
	long line;
	char date[11];
	char account_id[128];
	int64_t amount_cents;
	char *method;		/* OWNED */
	char *reference;	/* OWNED */
};

struct reader {
	const char *file;
	const char *as_of;
	int c_date, c_account, c_amount, c_method, c_reference;
	struct pending *v;
	size_t n, cap;
};

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

static void
reader_release(struct reader *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].method);
		free(r->v[i].reference);
	}
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

static int
on_record(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct reader *r = ctx;
	struct pending *p;
	const char *s;

	if (rec->index == 0) {
		static const char *const need[] = { "date", "account_id",
		    "amount" };
		size_t i;

		r->c_date = br_csv_column(rec, "date");
		r->c_account = br_csv_column(rec, "account_id");
		r->c_amount = br_csv_column(rec, "amount");
		r->c_method = br_csv_column(rec, "method");
		r->c_reference = br_csv_column(rec, "reference");
		for (i = 0; i < 3; i++)
			if (br_csv_column(rec, need[i]) < 0)
				return br_error_set(err, BR_EINPUT, r->file,
				    rec->line, "missing column '%s'", need[i]);
		return 0;
	}
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64;
		struct pending *nv = realloc(r->v, nc * sizeof(*nv));
		if (nv == NULL)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		r->v = nv;
		r->cap = nc;
	}
	p = &r->v[r->n];
	memset(p, 0, sizeof(*p));
	p->line = rec->line;
	s = br_csv_field(rec, r->c_date);
	{
		int32_t d;
		if (br_date_parse(s, (size_t)-1, &d) != 0)
			return br_error_set(err, BR_EINPUT, r->file, rec->line,
			    "bad date '%s' in column 'date' (want YYYY-MM-DD)",
			    s);
		br_date_format(d, p->date, sizeof(p->date));
	}
	if (r->as_of != NULL && strcmp(p->date, r->as_of) > 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "date '%s' in column 'date' is after the as-of date %s",
		    p->date, r->as_of);
	s = br_csv_field(rec, r->c_amount);
	if (br_decimal_parse(s, (size_t)-1, 2, &p->amount_cents) != 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "bad amount '%s' in column 'amount' "
		    "(want dollars like 12.34)", s);
	if (p->amount_cents <= 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "amount '%s' in column 'amount' must be positive", s);
	s = br_csv_field(rec, r->c_account);
	if (strlen(s) >= sizeof(p->account_id))
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "account id too long in column 'account_id'");
	snprintf(p->account_id, sizeof(p->account_id), "%s", s);
	p->method = strdup(r->c_method >= 0 ? br_csv_field(rec, r->c_method) :
	    "");
	p->reference = strdup(r->c_reference >= 0 ?
	    br_csv_field(rec, r->c_reference) : "");
	r->n++;
	if (p->method == NULL || p->reference == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	return 0;
}

/* Find the file by hash; *file_id = 0 when it is new (then inserted). */
static int
register_file(struct br_store *st, const char *name, const char *sha,
    long records, long *file_id, int *duplicate, struct br_error *err)
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
	    "format, records) VALUES('payment', ?1, ?2, 'csv', ?3)", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, records);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "record import file", err);
	}
	sqlite3_finalize(s);
	*file_id = (long)sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* Account status: 0 found (status copied), 1 no such account. */
static int
account_status(struct br_store *st, const char *account_id, char *status,
    size_t n, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st,
	    "SELECT status FROM account WHERE account_id = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(status, n, "%s",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read accounts", err);
	return 1;
}

static int
add_exception(struct br_store *st, const char *code, const char *file,
    const struct br_payment_row *row, const struct pending *p,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "INSERT INTO exception(stage, "
	    "code, severity, account_id, date, detail, source, line) "
	    "VALUES('payment', ?1, 'warn', ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT DO NOTHING", err);
	char detail[512], amt[32];

	if (s == NULL)
		return -1;
	snprintf(detail, sizeof(detail), "payment P%ld of %s reference '%s'",
	    row->payment_id, br_cents_format(row->amount_cents, amt,
	    sizeof(amt)), p->reference);
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, row->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, row->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, file, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, row->line);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "record exception", err);
	}
	sqlite3_finalize(s);
	return 0;
}

static int
post_one(struct br_store *st, const char *file, long file_id,
    const struct pending *p, struct br_payment_row *row,
    struct br_error *err)
{
	sqlite3_stmt *s;
	char status[16], ref[32];
	int found = 0;

	memset(row, 0, sizeof(*row));
	row->file = file;
	row->line = p->line;
	snprintf(row->date, sizeof(row->date), "%s", p->date);
	snprintf(row->account_id, sizeof(row->account_id), "%s",
	    p->account_id);
	row->amount_cents = p->amount_cents;
	if (p->account_id[0] != '\0') {
		int rc = account_status(st, p->account_id, status,
		    sizeof(status), err);
		if (rc < 0)
			return -1;
		found = rc == 0;
	}
	row->suspense = !found;
	row->closed_account = found && strcmp(status, "closed") == 0;
	s = br_store_prepare(st, "INSERT INTO payment(file_id, line, "
	    "account_id, amount_cents, received_date, method, reference, "
	    "status) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int64(s, 2, p->line);
	if (p->account_id[0] != '\0')
		sqlite3_bind_text(s, 3, p->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, p->amount_cents);
	sqlite3_bind_text(s, 5, p->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, p->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, p->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, found ? "posted" : "suspense", -1,
	    SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "record payment", err);
	}
	sqlite3_finalize(s);
	row->payment_id = (long)sqlite3_last_insert_rowid(st->db);
	if (!found)
		return add_exception(st, "UNMATCHED_PAYMENT", file, row, p,
		    err);
	snprintf(ref, sizeof(ref), "P%ld", row->payment_id);
	if (br_ledger_post(st, p->account_id, p->date, "payment", ref,
	    -p->amount_cents, NULL, err) != 0 ||
	    br_ledger_balance(st, p->account_id, &row->balance_after_cents,
	    err) != 0)
		return -1;
	if (row->closed_account)
		return add_exception(st, "PAYMENT_CLOSED_ACCOUNT", file, row,
		    p, err);
	return 0;
}

static int
post_file(struct br_store *st, const char *name, const char *as_of,
    struct br_payment_report *rep, struct br_error *err)
{
	struct reader r;
	struct br_payment_file *pf = &rep->files[rep->nfiles];
	const char *base;
	char sha[65];
	long file_id = 0;
	size_t i;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.file = name;
	r.as_of = as_of;
	r.c_date = r.c_account = r.c_amount = -1;
	if (br_csv_read(name, on_record, &r, sha, err) != 0)
		goto out;
	if (r.c_amount < 0) {
		br_error_set(err, BR_EINPUT, name, 1,
		    "empty file: missing header with column 'amount'");
		goto out;
	}
	/* Reports and the store name the file by its base name, so a cycle
	 * replays identically from any directory. */
	base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	pf->name = base;
	pf->records = (long)r.n;
	if (register_file(st, base, sha, (long)r.n, &file_id, &pf->duplicate,
	    err) != 0)
		goto out;
	rep->nfiles++;
	if (pf->duplicate) {
		rc = 0;
		goto out;
	}
	if (rep->n + r.n > rep->cap) {
		size_t nc = rep->cap ? rep->cap : 64;
		struct br_payment_row *nv;

		while (nc < rep->n + r.n)
			nc *= 2;
		if ((nv = realloc(rep->rows, nc * sizeof(*nv))) == NULL) {
			br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
			goto out;
		}
		rep->rows = nv;
		rep->cap = nc;
	}
	for (i = 0; i < r.n; i++) {
		struct br_payment_row *row = &rep->rows[rep->n];

		if (post_one(st, base, file_id, &r.v[i], row, err) != 0)
			goto out;
		rep->n++;
		if (row->suspense) {
			rep->suspense++;
			rep->suspense_cents += row->amount_cents;
		} else {
			rep->posted++;
			rep->posted_cents += row->amount_cents;
		}
	}
	rc = 0;
out:
	reader_release(&r);
	return rc;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
br_payment_post_files(struct br_store *st, const char *const *files,
    size_t n, const char *as_of, struct br_payment_report *rep,
    struct br_error *err)
{
	const char **sorted;
	size_t i;
	int rc = 0;

	if ((sorted = malloc((n ? n : 1) * sizeof(*sorted))) == NULL ||
	    (rep->files = calloc(n ? n : 1, sizeof(*rep->files))) == NULL) {
		free(sorted);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	memcpy(sorted, files, n * sizeof(*sorted));
	/* Stable order: by name, so the running balances are repeatable. */
	qsort(sorted, n, sizeof(*sorted), cmp_name);
	for (i = 0; i < n && rc == 0; i++)
		rc = post_file(st, sorted[i], as_of, rep, err);
	free(sorted);
	return rc;
}

void
br_payment_report_write(const struct br_payment_report *rep, FILE *f)
{
	static const char *const header[7] = { "file", "line", "date",
	    "account_id", "amount", "status", "balance_after" };
	char line[32], amt[32], bal[32];
	const char *row[7];
	size_t i;

	br_csv_row(f, 7, header);
	for (i = 0; i < rep->n; i++) {
		const struct br_payment_row *p = &rep->rows[i];

		snprintf(line, sizeof(line), "%ld", p->line);
		row[0] = p->file;
		row[1] = line;
		row[2] = p->date;
		row[3] = p->account_id;
		row[4] = br_cents_format(p->amount_cents, amt, sizeof(amt));
		row[5] = p->suspense ? "suspense" : "posted";
		row[6] = p->suspense ? "" : br_cents_format(
		    p->balance_after_cents, bal, sizeof(bal));
		br_csv_row(f, 7, row);
	}
	row[0] = "TOTAL";
	row[1] = line;
	row[2] = row[3] = row[6] = "";
	row[4] = amt;
	snprintf(line, sizeof(line), "%ld", rep->posted);
	br_cents_format(rep->posted_cents, amt, sizeof(amt));
	row[5] = "posted";
	br_csv_row(f, 7, row);
	snprintf(line, sizeof(line), "%ld", rep->suspense);
	br_cents_format(rep->suspense_cents, amt, sizeof(amt));
	row[5] = "suspense";
	br_csv_row(f, 7, row);
}
