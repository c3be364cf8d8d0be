/* SPDX-License-Identifier: Apache-2.0 */
/*
 * billdiff.c: the bill-diff engine.  Both stores' bill lines are loaded
 * sorted by (bill, service point, code, occurrence) and merged; bill_meter
 * rows give the read-side reasons (usage, estimated usage, missing
 * intervals), bill line traces the tariff-side ones (version, rate).
 */
#include "report/billdiff.h"

#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "core/money.h"
#include "core/banned.h"

struct line {
	char bill_id[96], account_id[64], sp_id[64], code[48];
	int occ;			/* occurrence of (bill, sp, code) */
	int64_t qty_milli, rate_micro, amount_cents;
	int64_t rate_nano;		/* the rate the bill prints: exact, or
					 * rate_micro x 1000 where not kept */
	char version[16];		/* "version YYYY-MM-DD" in the trace */
	char unit[16];
};

struct meter {
	char bill_id[96], meter_id[64];
	int channel;
	int64_t usage_milli, estimated_milli, missing;
};

struct side {
	struct line *lines;
	size_t nlines;
	struct meter *meters;
	size_t nmeters;
	char **bills;			/* bill ids present, sorted */
	char **bill_accounts;
	int64_t *bill_totals;
	size_t nbills;
};

static void
side_free(struct side *s)
{
	size_t i;

	for (i = 0; i < s->nbills; i++) {
		free(s->bills[i]);
		free(s->bill_accounts[i]);
	}
	free(s->bills);
	free(s->bill_accounts);
	free(s->bill_totals);
	free(s->lines);
	free(s->meters);
	memset(s, 0, sizeof(*s));
}

static void
trace_version(const char *trace, char *out, size_t n)
{
	const char *p = strstr(trace, "version ");

	out[0] = '\0';
	if (p != NULL)
		snprintf(out, n, "%.10s", p + 8);
}

static int
bind_scope(sqlite3_stmt *s, const struct br_billdiff_opts *o)
{
	sqlite3_bind_text(s, 1, o->cycle_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, o->account_id, -1, SQLITE_STATIC);
	return 0;
}

#define SCOPE " (?1 IS NULL OR b.cycle_id = ?1) AND " \
	"(?2 IS NULL OR b.account_id = ?2) AND b.status <> 'cancelled' "

static int
line_cmp(const struct line *a, const struct line *b)
{
	int c = strcmp(a->bill_id, b->bill_id);

	if (c == 0)
		c = strcmp(a->sp_id, b->sp_id);
	if (c == 0)
		c = strcmp(a->code, b->code);
	if (c == 0)
		c = strcmp(a->version, b->version);
	if (c == 0)
		c = (a->occ > b->occ) - (a->occ < b->occ);
	return c;
}

static int
line_qcmp(const void *a, const void *b)
{
	return line_cmp(a, b);
}

static int
load(struct br_store *st, const struct br_billdiff_opts *o, struct side *sd,
    struct br_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	s = br_store_prepare(st, "SELECT b.bill_id, b.account_id, "
	    "b.total_cents FROM bill b WHERE" SCOPE "ORDER BY b.bill_id", err);
	if (s == NULL)
		return -1;
	bind_scope(s, o);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sd->nbills == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char **b = realloc(sd->bills, nc * sizeof(*b));
			char **a = b ? realloc(sd->bill_accounts,
			    nc * sizeof(*a)) : NULL;
			int64_t *t = a ? realloc(sd->bill_totals,
			    nc * sizeof(*t)) : NULL;
			if (b)
				sd->bills = b;
			if (a)
				sd->bill_accounts = a;
			if (t == NULL) {
				sqlite3_finalize(s);
				return br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			sd->bill_totals = t;
			cap = nc;
		}
		sd->bills[sd->nbills] = strdup(
		    (const char *)sqlite3_column_text(s, 0));
		sd->bill_accounts[sd->nbills] = strdup(
		    (const char *)sqlite3_column_text(s, 1));
		sd->bill_totals[sd->nbills] = sqlite3_column_int64(s, 2);
		sd->nbills++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bills", err);

	cap = 0;
	s = br_store_prepare(st, "SELECT l.bill_id, b.account_id, l.sp_id, "
	    "l.code, l.quantity_milli, l.rate_micro, l.amount_cents, l.trace, "
	    "l.unit, l.rate_nano FROM bill_line l JOIN bill b ON "
	    "b.bill_id = l.bill_id "
	    "WHERE" SCOPE "ORDER BY l.bill_id, l.sp_id, l.code, l.seq", err);
	/* Lines are then sorted by (bill, sp, code, version) in C, since the
	 * version lives inside the trace text. */
	if (s == NULL)
		return -1;
	bind_scope(s, o);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct line *l;
		if (sd->nlines == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct line *nv = realloc(sd->lines, nc * sizeof(*nv));
			if (nv == NULL) {
				sqlite3_finalize(s);
				return br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			sd->lines = nv;
			cap = nc;
		}
		l = &sd->lines[sd->nlines];
		memset(l, 0, sizeof(*l));
		br_store_column_text(l->bill_id, sizeof(l->bill_id), s, 0);
		br_store_column_text(l->account_id, sizeof(l->account_id), s, 1);
		br_store_column_text(l->sp_id, sizeof(l->sp_id), s, 2);
		br_store_column_text(l->code, sizeof(l->code), s, 3);
		l->qty_milli = sqlite3_column_int64(s, 4);
		l->rate_micro = sqlite3_column_int64(s, 5);
		l->amount_cents = sqlite3_column_int64(s, 6);
		trace_version((const char *)sqlite3_column_text(s, 7),
		    l->version, sizeof(l->version));
		br_store_column_text(l->unit, sizeof(l->unit), s, 8);
		l->rate_nano = sqlite3_column_type(s, 9) != SQLITE_NULL ?
		    sqlite3_column_int64(s, 9) : l->rate_micro * 1000;
		sd->nlines++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bill lines", err);
	{
		size_t k;
		/* Stable: same-key lines keep their seq order (occ). */
		for (k = 0; k < sd->nlines; k++)
			sd->lines[k].occ = (int)k;
		if (sd->nlines > 1)
			qsort(sd->lines, sd->nlines, sizeof(*sd->lines),
			    line_qcmp);
		for (k = 0; k < sd->nlines; k++) {
			struct line *l = &sd->lines[k], *p = l - 1;
			int same = k > 0 && strcmp(p->bill_id, l->bill_id) == 0 &&
			    strcmp(p->sp_id, l->sp_id) == 0 &&
			    strcmp(p->code, l->code) == 0 &&
			    strcmp(p->version, l->version) == 0;
			l->occ = same ? p->occ + 1 : 0;
		}
	}

	cap = 0;
	s = br_store_prepare(st, "SELECT m.bill_id, m.meter_id, m.channel, "
	    "m.usage_milli, m.estimated_milli, m.missing_intervals "
	    "FROM bill_meter m JOIN bill b ON b.bill_id = m.bill_id WHERE"
	    SCOPE "ORDER BY m.bill_id, m.meter_id, m.channel", err);
	if (s == NULL)
		return -1;
	bind_scope(s, o);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct meter *m;
		if (sd->nmeters == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct meter *nv = realloc(sd->meters,
			    nc * sizeof(*nv));
			if (nv == NULL) {
				sqlite3_finalize(s);
				return br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			sd->meters = nv;
			cap = nc;
		}
		m = &sd->meters[sd->nmeters++];
		br_store_column_text(m->bill_id, sizeof(m->bill_id), s, 0);
		br_store_column_text(m->meter_id, sizeof(m->meter_id), s, 1);
		m->channel = sqlite3_column_int(s, 2);
		m->usage_milli = sqlite3_column_int64(s, 3);
		m->estimated_milli = sqlite3_column_int64(s, 4);
		m->missing = sqlite3_column_int64(s, 5);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bill meters", err);
	return 0;
}

/* Append "; "-separated text to a bounded buffer. */
static void
add_reason(char *buf, size_t n, const char *text)
{
	size_t len = strlen(buf);

	if (len > 0 && len + 2 < n) {
		buf[len++] = ';';
		buf[len++] = ' ';
		buf[len] = '\0';
	}
	snprintf(buf + len, n - len, "%s", text);
}

/* First index of bill in a side's meters (sorted by bill id). */
static size_t
meters_from(const struct side *s, const char *bill)
{
	size_t lo = 0, hi = s->nmeters;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(s->meters[mid].bill_id, bill) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct meter *
find_meter(const struct side *s, size_t from, const char *bill,
    const struct meter *like)
{
	size_t j;

	for (j = from; j < s->nmeters &&
	    strcmp(s->meters[j].bill_id, bill) == 0; j++)
		if (strcmp(s->meters[j].meter_id, like->meter_id) == 0 &&
		    s->meters[j].channel == like->channel)
			return &s->meters[j];
	return NULL;
}

/* Read-side reasons of one bill: meters whose usage/estimates changed. */
static void
meter_reasons(const struct side *o, const struct side *n, const char *bill,
    char *buf, size_t len)
{
	size_t i, j, o0 = meters_from(o, bill), n0 = meters_from(n, bill);
	char t[256], a[32], b[32];

	buf[0] = '\0';
	for (i = o0; i < o->nmeters && strcmp(o->meters[i].bill_id, bill) == 0;
	    i++) {
		const struct meter *mo = &o->meters[i];
		const struct meter *mn = find_meter(n, n0, bill, mo);
		if (mn == NULL) {
			snprintf(t, sizeof(t), "meter %s no longer billed",
			    mo->meter_id);
			add_reason(buf, len, t);
			continue;
		}
		if (mn->usage_milli != mo->usage_milli) {
			snprintf(t, sizeof(t), "reads: meter %s usage %s -> %s",
			    mo->meter_id,
			    br_decimal_format(mo->usage_milli, 3, 3, a,
			    sizeof(a)), br_decimal_format(mn->usage_milli, 3,
			    3, b, sizeof(b)));
			add_reason(buf, len, t);
		}
		if (mn->estimated_milli != mo->estimated_milli) {
			snprintf(t, sizeof(t), "estimation: meter %s estimated "
			    "%s -> %s", mo->meter_id,
			    br_decimal_format(mo->estimated_milli, 3, 3, a,
			    sizeof(a)), br_decimal_format(mn->estimated_milli,
			    3, 3, b, sizeof(b)));
			add_reason(buf, len, t);
		}
		if (mn->missing != mo->missing) {
			snprintf(t, sizeof(t), "reads: meter %s missing "
			    "intervals %lld -> %lld", mo->meter_id,
			    (long long)mo->missing, (long long)mn->missing);
			add_reason(buf, len, t);
		}
	}
	for (j = n0; j < n->nmeters && strcmp(n->meters[j].bill_id, bill) == 0;
	    j++) {
		if (find_meter(o, o0, bill, &n->meters[j]) == NULL) {
			snprintf(t, sizeof(t), "meter %s newly billed",
			    n->meters[j].meter_id);
			add_reason(buf, len, t);
		}
	}
}

static void
put_row(FILE *f, const char *bill, const char *acct, const char *sp,
    const char *code, const char *change, const struct line *lo,
    const struct line *ln, const char *reason)
{
	char oq[32] = "", nq[32] = "", oa[32] = "", na[32] = "", d[32] = "";
	const char *row[11];

	if (lo) {
		br_decimal_format(lo->qty_milli, 3, 3, oq, sizeof(oq));
		br_cents_format(lo->amount_cents, oa, sizeof(oa));
	}
	if (ln) {
		br_decimal_format(ln->qty_milli, 3, 3, nq, sizeof(nq));
		br_cents_format(ln->amount_cents, na, sizeof(na));
	}
	br_cents_format((ln ? ln->amount_cents : 0) -
	    (lo ? lo->amount_cents : 0), d, sizeof(d));
	row[0] = bill; row[1] = acct; row[2] = sp; row[3] = code;
	row[4] = change; row[5] = oq; row[6] = nq; row[7] = oa; row[8] = na;
	row[9] = d; row[10] = reason;
	br_csv_row(f, 11, row);
}

/* The distinct rate versions on a bill's lines, in order, comma-joined. */
static void
bill_versions(const struct side *s, size_t from, const char *bill, char *buf,
    size_t n)
{
	size_t k, len;

	buf[0] = '\0';
	for (k = from; k < s->nlines && strcmp(s->lines[k].bill_id, bill) == 0;
	    k++) {
		const char *v = s->lines[k].version;
		const char *hit = v[0] ? strstr(buf, v) : buf;
		if (v[0] == '\0' || hit != NULL)
			continue;
		len = strlen(buf);
		snprintf(buf + len, n - len, "%s%s", len ? "," : "", v);
	}
}

/* Compare the lines of one bill present on both sides. */
static int
diff_bill(const struct side *o, const struct side *n, const char *bill,
    const char *acct, FILE *out, struct br_billdiff_stats *st)
{
	size_t i = 0, j = 0;
	char meters[1024], reason[1600], buf[128];
	char over[128], nver[128], vreason[300] = "";
	int changed = 0;

	meter_reasons(o, n, bill, meters, sizeof(meters));
	while (i < o->nlines && strcmp(o->lines[i].bill_id, bill) < 0)
		i++;
	while (j < n->nlines && strcmp(n->lines[j].bill_id, bill) < 0)
		j++;
	bill_versions(o, i, bill, over, sizeof(over));
	bill_versions(n, j, bill, nver, sizeof(nver));
	if (strcmp(over, nver) != 0)
		snprintf(vreason, sizeof(vreason), "rate versions %s -> %s",
		    over[0] ? over : "none", nver[0] ? nver : "none");
	for (;;) {
		const struct line *lo = i < o->nlines &&
		    strcmp(o->lines[i].bill_id, bill) == 0 ? &o->lines[i] :
		    NULL;
		const struct line *ln = j < n->nlines &&
		    strcmp(n->lines[j].bill_id, bill) == 0 ? &n->lines[j] :
		    NULL;
		int c;

		if (lo == NULL && ln == NULL)
			break;
		c = lo == NULL ? 1 : ln == NULL ? -1 : line_cmp(lo, ln);
		reason[0] = '\0';
		if (c < 0) {
			add_reason(reason, sizeof(reason), "line no longer "
			    "charged");
			if (vreason[0])
				add_reason(reason, sizeof(reason), vreason);
			if (meters[0])
				add_reason(reason, sizeof(reason), meters);
			put_row(out, bill, acct, lo->sp_id, lo->code,
			    "removed", lo, NULL, reason);
			i++;
			changed++;
			continue;
		}
		if (c > 0) {
			add_reason(reason, sizeof(reason), "new charge");
			if (vreason[0])
				add_reason(reason, sizeof(reason), vreason);
			if (meters[0])
				add_reason(reason, sizeof(reason), meters);
			put_row(out, bill, acct, ln->sp_id, ln->code, "added",
			    NULL, ln, reason);
			j++;
			changed++;
			continue;
		}
		if (lo->amount_cents != ln->amount_cents ||
		    lo->qty_milli != ln->qty_milli ||
		    lo->rate_nano != ln->rate_nano) {
			if (vreason[0] && lo->qty_milli != ln->qty_milli)
				add_reason(reason, sizeof(reason), vreason);
			if (lo->rate_nano != ln->rate_nano) {
				char a[32], b[32];
				snprintf(buf, sizeof(buf), "rate %s -> %s",
				    br_rate_format_nano(lo->rate_nano, a,
				    sizeof(a)), br_rate_format_nano(
				    ln->rate_nano, b, sizeof(b)));
				add_reason(reason, sizeof(reason), buf);
			}
			if (lo->qty_milli != ln->qty_milli) {
				if (meters[0])
					add_reason(reason, sizeof(reason),
					    meters);
				else if (vreason[0] == '\0')
					add_reason(reason, sizeof(reason),
					    "quantity allocation changed "
					    "(same reads)");
			}
			if (reason[0] == '\0')
				add_reason(reason, sizeof(reason),
				    "rounding or computation changed");
			put_row(out, bill, acct, lo->sp_id, lo->code,
			    "changed", lo, ln, reason);
			changed++;
		}
		i++;
		j++;
	}
	st->lines_changed += changed;
	return changed;
}

int
br_billdiff_run(struct br_store *old_st, struct br_store *new_st,
    const struct br_billdiff_opts *opts, FILE *out,
    struct br_billdiff_stats *stats, struct br_error *err)
{
	struct side o, n;
	struct br_billdiff_stats st;
	static const char *const hdr[] = {"bill_id", "account_id", "sp_id",
	    "code", "change", "old_quantity", "new_quantity", "old_amount",
	    "new_amount", "delta", "reason"};
	size_t i = 0, j = 0;
	int rc = -1;
	char a[32], b[32], d[32];

	memset(&o, 0, sizeof(o));
	memset(&n, 0, sizeof(n));
	memset(&st, 0, sizeof(st));
	if (load(old_st, opts, &o, err) != 0 || load(new_st, opts, &n, err)
	    != 0)
		goto out;
	br_csv_row(out, 11, hdr);
	while (i < o.nbills || j < n.nbills) {
		int c = i == o.nbills ? 1 : j == n.nbills ? -1 :
		    strcmp(o.bills[i], n.bills[j]);
		if (c < 0) {
			const char *row[11] = {o.bills[i], o.bill_accounts[i],
			    "", "", "bill-removed", "", "",
			    br_cents_format(o.bill_totals[i], a, sizeof(a)),
			    "", br_cents_format(-o.bill_totals[i], d,
			    sizeof(d)), "bill only in the old run"};
			br_csv_row(out, 11, row);
			st.bills_removed++;
			st.old_total_cents += o.bill_totals[i];
			i++;
			continue;
		}
		if (c > 0) {
			const char *row[11] = {n.bills[j], n.bill_accounts[j],
			    "", "", "bill-added", "", "", "",
			    br_cents_format(n.bill_totals[j], b, sizeof(b)),
			    br_cents_format(n.bill_totals[j], d, sizeof(d)),
			    "bill only in the new run"};
			br_csv_row(out, 11, row);
			st.bills_added++;
			st.new_total_cents += n.bill_totals[j];
			j++;
			continue;
		}
		st.bills_compared++;
		st.old_total_cents += o.bill_totals[i];
		st.new_total_cents += n.bill_totals[j];
		if (diff_bill(&o, &n, o.bills[i], o.bill_accounts[i], out,
		    &st) > 0 || o.bill_totals[i] != n.bill_totals[j]) {
			const char *row[11] = {o.bills[i], o.bill_accounts[i],
			    "", "", "bill-total", "", "",
			    br_cents_format(o.bill_totals[i], a, sizeof(a)),
			    br_cents_format(n.bill_totals[j], b, sizeof(b)),
			    br_cents_format(n.bill_totals[j] - o.bill_totals[i],
			    d, sizeof(d)), "bill total"};
			br_csv_row(out, 11, row);
			st.bills_changed++;
		}
		i++;
		j++;
	}
	if (stats)
		*stats = st;
	rc = 0;
out:
	side_free(&o);
	side_free(&n);
	return rc;
}

void
br_billdiff_summary_write(const struct br_billdiff_stats *st, FILE *f)
{
	static const char *const hdr[7] = {"bills_compared", "bills_changed",
	    "bills_added", "bills_removed", "old_total", "new_total",
	    "delta"};
	char n[4][24], a[32], b[32], d[32];
	const char *row[7];

	snprintf(n[0], sizeof(n[0]), "%ld", st->bills_compared);
	snprintf(n[1], sizeof(n[1]), "%ld", st->bills_changed);
	snprintf(n[2], sizeof(n[2]), "%ld", st->bills_added);
	snprintf(n[3], sizeof(n[3]), "%ld", st->bills_removed);
	row[0] = n[0];
	row[1] = n[1];
	row[2] = n[2];
	row[3] = n[3];
	row[4] = br_cents_format(st->old_total_cents, a, sizeof(a));
	row[5] = br_cents_format(st->new_total_cents, b, sizeof(b));
	row[6] = br_cents_format(st->new_total_cents - st->old_total_cents, d,
	    sizeof(d));
	br_csv_row(f, 7, hdr);
	br_csv_row(f, 7, row);
}
