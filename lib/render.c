/*
 * render.c: bill-render.  Reads bill, bill_line and bill_meter rows that
 * rate-apply wrote, the registry (account, service points, agreements,
 * meter installs) and the ledger, and writes a fixed-width plain-text bill
 * per account plus the bill register.  Issuing a draft posts its total to
 * the ledger (kind bill, ref bill_id) and is idempotent.
 */
#include "render.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvio.h"
#include "date.h"
#include "money.h"
#include "banned.h"

struct bill_row {
	char bill_id[128];
	char account_id[64];
	char cycle_id[64];
	char period_start[11], period_end[11];
	char bill_date[11], due_date[11];
	char status[16];
	int64_t total_cents;
	char name[256];
	char mailing[512];
};

struct agreement {
	char sp_id[64];
	char kind[16];
	char address[256];
	char rate_code[64];
	char start_date[11];
};

static void
col_text(sqlite3_stmt *s, int i, char *buf, size_t n)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(buf, n, "%s", t ? (const char *)t : "");
}

static const char bill_select[] =
    "SELECT b.bill_id, b.account_id, b.cycle_id, b.period_start, "
    "b.period_end, b.bill_date, b.due_date, b.status, b.total_cents, "
    "COALESCE(a.name, ''), COALESCE(a.mailing_address, '') "
    "FROM bill b LEFT JOIN account a ON a.account_id = b.account_id ";

static void
bill_from_stmt(sqlite3_stmt *s, struct bill_row *b)
{
	col_text(s, 0, b->bill_id, sizeof(b->bill_id));
	col_text(s, 1, b->account_id, sizeof(b->account_id));
	col_text(s, 2, b->cycle_id, sizeof(b->cycle_id));
	col_text(s, 3, b->period_start, sizeof(b->period_start));
	col_text(s, 4, b->period_end, sizeof(b->period_end));
	col_text(s, 5, b->bill_date, sizeof(b->bill_date));
	col_text(s, 6, b->due_date, sizeof(b->due_date));
	col_text(s, 7, b->status, sizeof(b->status));
	b->total_cents = sqlite3_column_int64(s, 8);
	col_text(s, 9, b->name, sizeof(b->name));
	col_text(s, 10, b->mailing, sizeof(b->mailing));
}

static void
rule(FILE *f, int c)
{
	int i;

	for (i = 0; i < BR_RENDER_WIDTH; i++)
		fputc(c, f);
	fputc('\n', f);
}

/* "  label ......... amount" with the amount ending in column 78. */
static void
amount_line(FILE *f, const char *label, int64_t cents)
{
	char buf[32];

	fprintf(f, "  %-60s%16s\n", label,
	    br_cents_format(cents, buf, sizeof(buf)));
}

static const char *
milli(int64_t v, char *buf, size_t n)
{
	return br_decimal_format(v, 3, 3, buf, n);
}

static int
load_agreements(struct br_store *st, const struct bill_row *b,
    struct agreement **out, size_t *nout, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st,
	    "SELECT sa.sp_id, sp.kind, sp.address, sa.rate_code, sa.start_date "
	    "FROM service_agreement sa JOIN service_point sp "
	    "ON sp.sp_id = sa.sp_id WHERE sa.account_id = ?1 "
	    "AND sa.start_date <= ?3 AND (sa.end_date IS NULL OR "
	    "sa.end_date = '' OR sa.end_date >= ?2) "
	    "ORDER BY sa.sp_id, sa.start_date", err);
	struct agreement *v = NULL, *nv;
	size_t n = 0, cap = 0;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, b->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, b->period_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, b->period_end, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				sqlite3_finalize(s);
				return br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			v = nv;
		}
		col_text(s, 0, v[n].sp_id, sizeof(v[n].sp_id));
		col_text(s, 1, v[n].kind, sizeof(v[n].kind));
		col_text(s, 2, v[n].address, sizeof(v[n].address));
		col_text(s, 3, v[n].rate_code, sizeof(v[n].rate_code));
		col_text(s, 4, v[n].start_date, sizeof(v[n].start_date));
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return br_store_fail(st, "read service agreements", err);
	}
	*out = v;
	*nout = n;
	return 0;
}

/*
 * Print the bill_meter rows matched by `where` (parameters: ?1 bill_id,
 * ?2 sp_id or account_id, ?3 period_start, ?4 period_end).  *estimated
 * is set when any has estimated usage.
 */
static int
print_meters(struct br_store *st, const struct bill_row *b, const char *p2,
    const char *where, FILE *f, bool *estimated, struct br_error *err)
{
	char sql[1024], q[32], e[32], line[160];
	sqlite3_stmt *s;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT bm.meter_id, bm.channel, bm.unit, "
	    "bm.usage_milli, bm.estimated_milli, bm.missing_intervals "
	    "FROM bill_meter bm WHERE bm.bill_id = ?1 AND %s "
	    "ORDER BY bm.meter_id, bm.channel", where);
	if ((s = br_store_prepare(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, b->bill_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p2, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, b->period_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, b->period_end, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t est = sqlite3_column_int64(s, 4);
		int ch = sqlite3_column_int(s, 1);

		snprintf(line, sizeof(line), "    Meter %-14s %-9s %14s %-6s",
		    (const char *)sqlite3_column_text(s, 0),
		    ch == BR_CHANNEL_RECEIVED ? "received" : "delivered",
		    milli(sqlite3_column_int64(s, 3), q, sizeof(q)),
		    (const char *)sqlite3_column_text(s, 2));
		if (est > 0) {
			*estimated = true;
			fprintf(f, "%s estimated %s\n", line,
			    milli(est, e, sizeof(e)));
		} else {
			/* Drop the trailing blanks of the unit column. */
			size_t n = strlen(line);
			while (n > 0 && line[n - 1] == ' ')
				line[--n] = '\0';
			fprintf(f, "%s\n", line);
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bill meters", err);
	return 0;
}

#define INSTALLED_IN_PERIOD \
	"mi.meter_id = bm.meter_id AND mi.install_date <= ?4 AND " \
	"(mi.remove_date IS NULL OR mi.remove_date = '' OR " \
	"mi.remove_date >= ?3)"

static int
print_service(struct br_store *st, const struct bill_row *b, FILE *f,
    bool *estimated, struct br_error *err)
{
	struct agreement *ag = NULL;
	size_t nag = 0, i, j;
	char other[1024];

	if (load_agreements(st, b, &ag, &nag, err) != 0)
		return -1;
	for (i = 0; i < nag; i = j) {
		fprintf(f, "SERVICE POINT %s (%s)\n", ag[i].sp_id, ag[i].kind);
		if (ag[i].address[0] != '\0')
			fprintf(f, "  Service address: %s\n", ag[i].address);
		for (j = i; j < nag && strcmp(ag[j].sp_id, ag[i].sp_id) == 0;
		    j++) {
			if (strcmp(ag[j].start_date, b->period_start) > 0)
				fprintf(f, "  Rate: %s from %s\n",
				    ag[j].rate_code, ag[j].start_date);
			else
				fprintf(f, "  Rate: %s\n", ag[j].rate_code);
		}
		if (print_meters(st, b, ag[i].sp_id, "EXISTS(SELECT 1 FROM "
		    "meter_install mi WHERE mi.sp_id = ?2 AND "
		    INSTALLED_IN_PERIOD ")", f, estimated, err) != 0) {
			free(ag);
			return -1;
		}
		fputc('\n', f);
	}
	free(ag);
	/* Meters billed but not installed on any of the account's points. */
	snprintf(other, sizeof(other), "NOT EXISTS(SELECT 1 FROM "
	    "meter_install mi JOIN service_agreement sa ON sa.sp_id = mi.sp_id "
	    "AND sa.account_id = ?2 AND sa.start_date <= ?4 AND "
	    "(sa.end_date IS NULL OR sa.end_date = '' OR sa.end_date >= ?3) "
	    "WHERE %s)", INSTALLED_IN_PERIOD);
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *mf = open_memstream(&buf, &len);
		int rc;

		if (mf == NULL)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		rc = print_meters(st, b, b->account_id, other, mf, estimated,
		    err);
		fclose(mf);
		if (rc == 0 && len > 0)
			fprintf(f, "OTHER METERS\n%s\n", buf);
		free(buf);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int
print_charges(struct br_store *st, const struct bill_row *b, FILE *f,
    struct br_error *err)
{
	sqlite3_stmt *s;
	int rc, nsp = 0;
	int64_t sum = 0;
	char prev_sp[64] = "", q[32], r[32], a[32];

	s = br_store_prepare(st, "SELECT COUNT(DISTINCT sp_id) FROM bill_line "
	    "WHERE bill_id = ?1 AND sp_id <> ''", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, b->bill_id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		nsp = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = br_store_prepare(st, "SELECT sp_id, description, quantity_milli, "
	    "unit, rate_micro, amount_cents FROM bill_line WHERE bill_id = ?1 "
	    "ORDER BY seq", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, b->bill_id, -1, SQLITE_STATIC);
	fprintf(f, "CURRENT CHARGES\n");
	fprintf(f, "  %-30s %12s %-6s %11s %13s\n", "Description", "Quantity",
	    "Unit", "Rate", "Amount");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *sp = (const char *)sqlite3_column_text(s, 0);
		const char *desc = (const char *)sqlite3_column_text(s, 1);
		int64_t qty = sqlite3_column_int64(s, 2);
		int64_t rate = sqlite3_column_int64(s, 4);
		int64_t amt = sqlite3_column_int64(s, 5);

		if (nsp > 1 && sp[0] != '\0' && strcmp(sp, prev_sp) != 0) {
			fprintf(f, "  Service point %s\n", sp);
			snprintf(prev_sp, sizeof(prev_sp), "%s", sp);
		}
		if (strlen(desc) > 30)
			fprintf(f, "  %s\n  %-30s", desc, "");
		else
			fprintf(f, "  %-30s", desc);
		if (qty != 0 || rate != 0)
			fprintf(f, " %12s %-6s %11s",
			    br_decimal_format(qty, 3, 3, q, sizeof(q)),
			    (const char *)sqlite3_column_text(s, 3),
			    br_decimal_format(rate, 6, 6, r, sizeof(r)));
		else
			fprintf(f, " %12s %-6s %11s", "", "", "");
		fprintf(f, " %13s\n", br_cents_format(amt, a, sizeof(a)));
		sum += amt;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bill lines", err);
	if (sum != b->total_cents) {
		char t[32];
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "bill '%s': lines add up to %s but the total is %s",
		    b->bill_id, br_cents_format(sum, a, sizeof(a)),
		    br_cents_format(b->total_cents, t, sizeof(t)));
	}
	fprintf(f, "  %76s\n", "------------");
	amount_line(f, "Total current charges", b->total_cents);
	fputc('\n', f);
	return 0;
}

static int
render_text(struct br_store *st, const struct bill_row *b, FILE *f,
    struct br_ledger_statement *ls, struct br_error *err)
{
	char uname[256], uaddr[512], uphone[64], amt[32];
	int32_t d0, d1;
	int64_t due;
	bool estimated = false;

	if (br_store_setting_get(st, "name", "", uname, sizeof(uname), err) < 0
	    || br_store_setting_get(st, "address", "", uaddr, sizeof(uaddr),
	    err) < 0 || br_store_setting_get(st, "phone", "", uphone,
	    sizeof(uphone), err) < 0)
		return -1;
	if (br_date_parse(b->period_start, (size_t)-1, &d0) != 0 ||
	    br_date_parse(b->period_end, (size_t)-1, &d1) != 0 || d1 < d0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "bill '%s': bad billing period '%s' to '%s'", b->bill_id,
		    b->period_start, b->period_end);
	if (br_ledger_statement(st, b->account_id, b->bill_id, b->bill_date,
	    ls, err) != 0)
		return -1;
	due = ls->previous_cents + ls->payments_cents +
	    ls->adjustments_cents + b->total_cents;

	rule(f, '=');
	fprintf(f, "%s\n", uname);
	if (uaddr[0] != '\0')
		fprintf(f, "%s\n", uaddr);
	if (uphone[0] != '\0')
		fprintf(f, "Phone: %s\n", uphone);
	rule(f, '=');
	fprintf(f, "%s\n", b->name);
	if (b->mailing[0] != '\0')
		fprintf(f, "%s\n", b->mailing);
	fputc('\n', f);
	fprintf(f, "Account number:  %s\n", b->account_id);
	fprintf(f, "Bill number:     %s\n", b->bill_id);
	fprintf(f, "Billing period:  %s to %s (%ld days)\n", b->period_start,
	    b->period_end, (long)(d1 - d0 + 1));
	fprintf(f, "Bill date:       %s\n", b->bill_date);
	fprintf(f, "Due date:        %s\n", b->due_date);
	fputc('\n', f);
	rule(f, '-');
	fprintf(f, "ACCOUNT SUMMARY\n");
	amount_line(f, "Previous balance", ls->previous_cents);
	amount_line(f, ls->previous_bill_date[0] ? "Payments since last bill" :
	    "Payments", ls->payments_cents);
	if (ls->adjustments_cents != 0)
		amount_line(f, "Adjustments", ls->adjustments_cents);
	amount_line(f, "Current charges", b->total_cents);
	fprintf(f, "  %76s\n", "------------");
	{
		char label[64];
		snprintf(label, sizeof(label), "AMOUNT DUE BY %s", b->due_date);
		amount_line(f, label, due);
	}
	rule(f, '-');
	fputc('\n', f);
	if (print_service(st, b, f, &estimated, err) != 0 ||
	    print_charges(st, b, f, err) != 0)
		return -1;
	if (estimated || due < 0) {
		fprintf(f, "MESSAGES\n");
		if (estimated)
			fprintf(f, "  This bill includes estimated usage.\n");
		if (due < 0)
			fprintf(f, "  Your account has a credit of %s. "
			    "No payment is due.\n",
			    br_cents_format(-due, amt, sizeof(amt)));
		fputc('\n', f);
	}
	rule(f, '=');
	return 0;
}

int
br_render_bill(struct br_store *st, const char *bill_id, FILE *f,
    struct br_ledger_statement *ls, struct br_error *err)
{
	char sql[512];
	struct bill_row b;
	struct br_ledger_statement tmp;
	sqlite3_stmt *s;
	int rc;

	snprintf(sql, sizeof(sql), "%s WHERE b.bill_id = ?1", bill_select);
	if ((s = br_store_prepare(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		bill_from_stmt(s, &b);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "no bill '%s' in the store", bill_id);
	if (rc != SQLITE_ROW)
		return br_store_fail(st, "read bill", err);
	return render_text(st, &b, f, ls ? ls : &tmp, err);
}

void
br_render_init(struct br_render *r)
{
	memset(r, 0, sizeof(*r));
}

void
br_render_release(struct br_render *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		unlink(r->tmp[i]);
		free(r->tmp[i]);
	}
	free(r->tmp);
	memset(r, 0, sizeof(*r));
}

int
br_render_finish(struct br_render *r, int ok, struct br_error *err)
{
	size_t i, n;
	int rc = 0;

	for (i = 0; i < r->n; i++) {
		if (ok && rc == 0) {
			char final[1024];

			n = strlen(r->tmp[i]);
			snprintf(final, sizeof(final), "%.*s", (int)(n - 4),
			    r->tmp[i]);
			if (rename(r->tmp[i], final) != 0)
				rc = br_error_set(err, BR_ECANTCREATE, NULL, 0,
				    "cannot create '%s': %s", final,
				    strerror(errno));
		}
		unlink(r->tmp[i]);
		free(r->tmp[i]);
	}
	free(r->tmp);
	memset(r, 0, sizeof(*r));
	return rc;
}

/* Write the text bill to <dir>/<bill_id>.txt.tmp and remember it. */
static int
write_bill(struct br_render *r, struct br_store *st, const char *dir,
    const struct bill_row *b, struct br_ledger_statement *ls,
    struct br_error *err)
{
	char path[1024];
	FILE *f;
	int rc, werr;

	if (strchr(b->bill_id, '/') != NULL || b->bill_id[0] == '.')
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "bill id '%s' cannot be a file name", b->bill_id);
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		char **nt = realloc(r->tmp, nc * sizeof(*nt));
		if (nt == NULL)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		r->tmp = nt;
		r->cap = nc;
	}
	snprintf(path, sizeof(path), "%s/%s.txt.tmp", dir, b->bill_id);
	if ((f = fopen(path, "w")) == NULL)
		return br_error_set(err, BR_ECANTCREATE, NULL, 0,
		    "cannot create '%s': %s", path, strerror(errno));
	if ((r->tmp[r->n] = strdup(path)) == NULL) {
		fclose(f);
		unlink(path);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	r->n++;
	rc = render_text(st, b, f, ls, err);
	werr = fflush(f) != 0 || ferror(f);
	if (fclose(f) != 0)
		werr = 1;
	if (rc == 0 && werr) {
		path[strlen(path) - 4] = '\0';
		return br_error_set(err, BR_EIO, NULL, 0,
		    "write error on '%s': %s", path, strerror(errno));
	}
	return rc;
}

static int
issue(struct br_store *st, const struct bill_row *b, int *issued_now,
    struct br_error *err)
{
	sqlite3_stmt *s;
	int posted;

	*issued_now = 0;
	if (strcmp(b->status, "draft") == 0) {
		s = br_store_prepare(st, "UPDATE bill SET status = 'issued' "
		    "WHERE bill_id = ?1 AND status = 'draft'", err);
		if (s == NULL)
			return -1;
		sqlite3_bind_text(s, 1, b->bill_id, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			sqlite3_finalize(s);
			return br_store_fail(st, "issue bill", err);
		}
		sqlite3_finalize(s);
		*issued_now = 1;
	}
	return br_ledger_post(st, b->account_id, b->bill_date, "bill",
	    b->bill_id, b->total_cents, &posted, err);
}

static void
register_row(FILE *reg, const struct bill_row *b, const char *status,
    const struct br_ledger_statement *ls, int64_t due)
{
	char p[32], y[32], a[32], c[32], d[32];
	const char *row[13];

	row[0] = b->bill_id;
	row[1] = b->account_id;
	row[2] = b->name;
	row[3] = b->period_start;
	row[4] = b->period_end;
	row[5] = b->bill_date;
	row[6] = b->due_date;
	row[7] = status;
	row[8] = ls ? br_cents_format(ls->previous_cents, p, sizeof(p)) : "";
	row[9] = ls ? br_cents_format(ls->payments_cents, y, sizeof(y)) : "";
	row[10] = ls ? br_cents_format(ls->adjustments_cents, a, sizeof(a)) :
	    "";
	row[11] = br_cents_format(b->total_cents, c, sizeof(c));
	row[12] = ls ? br_cents_format(due, d, sizeof(d)) : "";
	br_csv_row(reg, 13, row);
}

static int
cycle_exists(struct br_store *st, const char *cycle_id, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT 1 FROM bill_cycle "
	    "WHERE cycle_id = ?1 UNION ALL SELECT 1 FROM bill "
	    "WHERE cycle_id = ?1 LIMIT 1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, cycle_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bill cycles", err);
	return br_error_set(err, BR_EUSAGE, NULL, 0, "unknown cycle '%s'",
	    cycle_id);
}

int
br_render_run(struct br_render *r, struct br_store *st,
    const struct br_render_opts *opts, FILE *reg,
    struct br_render_totals *tot, struct br_error *err)
{
	static const char *const header[13] = { "bill_id", "account_id",
	    "name", "period_start", "period_end", "bill_date", "due_date",
	    "status", "previous_balance", "payments", "adjustments",
	    "current_charges", "amount_due" };
	char sql[768], cnt[32], p[32], y[32], a[32], c[32], d[32];
	const char *row[13];
	sqlite3_stmt *s;
	struct bill_row b;
	int rc;

	memset(tot, 0, sizeof(*tot));
	if (cycle_exists(st, opts->cycle_id, err) != 0)
		return -1;
	if (mkdir(opts->out_dir, 0777) != 0 && errno != EEXIST)
		return br_error_set(err, BR_ECANTCREATE, NULL, 0,
		    "cannot create directory '%s': %s", opts->out_dir,
		    strerror(errno));
	snprintf(sql, sizeof(sql), "%s WHERE b.cycle_id = ?1 AND "
	    "(?2 IS NULL OR b.account_id = ?2) AND b.status IN "
	    "('draft', 'hold', 'issued') ORDER BY b.bill_id", bill_select);
	if ((s = br_store_prepare(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, opts->cycle_id, -1, SQLITE_STATIC);
	if (opts->account_id != NULL)
		sqlite3_bind_text(s, 2, opts->account_id, -1, SQLITE_STATIC);
	br_csv_row(reg, 13, header);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_ledger_statement ls;
		int now;
		int64_t due;

		bill_from_stmt(s, &b);
		if (strcmp(b.status, "hold") == 0) {
			tot->held++;
			register_row(reg, &b, "hold", NULL, 0);
			continue;
		}
		if (write_bill(r, st, opts->out_dir, &b, &ls, err) != 0 ||
		    issue(st, &b, &now, err) != 0) {
			sqlite3_finalize(s);
			return -1;
		}
		due = ls.previous_cents + ls.payments_cents +
		    ls.adjustments_cents + b.total_cents;
		register_row(reg, &b, "issued", &ls, due);
		tot->rendered++;
		tot->issued_now += now;
		tot->previous_cents += ls.previous_cents;
		tot->payments_cents += ls.payments_cents;
		tot->adjustments_cents += ls.adjustments_cents;
		tot->current_cents += b.total_cents;
		tot->due_cents += due;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bills", err);
	snprintf(cnt, sizeof(cnt), "%ld", tot->rendered);
	row[0] = "TOTAL";
	row[1] = cnt;
	row[2] = row[3] = row[4] = row[5] = row[6] = row[7] = "";
	row[8] = br_cents_format(tot->previous_cents, p, sizeof(p));
	row[9] = br_cents_format(tot->payments_cents, y, sizeof(y));
	row[10] = br_cents_format(tot->adjustments_cents, a, sizeof(a));
	row[11] = br_cents_format(tot->current_cents, c, sizeof(c));
	row[12] = br_cents_format(tot->due_cents, d, sizeof(d));
	br_csv_row(reg, 13, row);
	return 0;
}
