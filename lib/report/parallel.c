/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parallel.c: parallel-compare (parallel.h).  Reads the legacy extract
 * (its layout and line-code map: parallel_map.c) into per account and
 * line sums, the
 * cycle's billrun bills likewise, sorts both and walks them together:
 * line rows for each difference with its cause, a bill row per account,
 * totals by rate code and by class; the grand total with PASS or FAIL
 * is the summary (br_parallel_summary_write), not a row; then the rows
 * as CSV and, when asked, as a page (parallel_page.c).
 */
#include "report/parallel.h"
#include "report/parallel_int.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "io/csvio.h"
#include "core/banned.h"

struct pl {
	char account[64], code[40];
	int64_t qty;		/* milli */
	int64_t cents;
	int64_t total;		/* legacy: the bill total column */
};

struct pl_set {
	struct pl *v;
	size_t n, cap;
};

struct pctx {
	struct br_store *st;
	const struct br_parallel_opts *o;
	char month[8];		/* YYYY-MM of the cycle's period end */
	struct pl_set legacy, billrun;
	struct playout lay;
	int idx[PCOL_N];
	struct prow *rows;	/* the report, in order */
	size_t nrows, caprows;
	int oom;		/* a row could not be kept */
};

static int
nomem(struct br_error *err)
{
	return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
}

static struct pl *
pl_add(struct pl_set *s)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		void *p = realloc(s->v, nc * sizeof(*s->v));
		if (p == NULL)
			return NULL;
		s->v = p;
		s->cap = nc;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	return &s->v[s->n++];
}

static int
on_legacy(void *ctx, const struct br_csv_record *r, struct br_error *err)
{
	struct pctx *c = ctx;
	struct pl *l;
	const char *f;
	char month[8];
	int i;

	if (r->index == 0) {
		for (i = 0; i < PCOL_N; i++) {
			c->idx[i] = -1;
			if (c->lay.col[i][0] == '\0')
				continue;	/* no total column */
			if ((c->idx[i] = br_csv_column(r, c->lay.col[i])) < 0)
				return br_error_set(err, BR_EINPUT, r->file,
				    r->line, "missing column '%s'",
				    c->lay.col[i]);
		}
		return 0;
	}
	f = br_csv_field(r, c->idx[PCOL_PERIOD]);
	if (br_pmap_period(&c->lay, f, month) != 0)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "bad period '%s'", f);
	if (strcmp(month, c->month) != 0)
		return 0;	/* another period */
	if ((l = pl_add(&c->legacy)) == NULL)
		return nomem(err);
	f = br_csv_field(r, c->idx[PCOL_ACCOUNT]);
	if (f[0] == '\0' || strlen(f) >= sizeof(l->account))
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "bad account_id '%s'", f);
	snprintf(l->account, sizeof(l->account), "%s", f);
	f = br_csv_field(r, c->idx[PCOL_CODE]);
	if (f[0] == '\0' || strlen(f) >= sizeof(l->code))
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "bad line_code '%s'", f);
	snprintf(l->code, sizeof(l->code), "%s", br_pmap_code(&c->lay, f));
	f = br_csv_field(r, c->idx[PCOL_QTY]);
	if (f[0] != '\0' && br_decimal_parse(f, (size_t)-1, 3, &l->qty) != 0)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "bad quantity '%s'", f);
	f = br_csv_field(r, c->idx[PCOL_AMOUNT]);
	if (br_decimal_parse(f, (size_t)-1, 2, &l->cents) != 0)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "bad amount '%s'", f);
	if (c->idx[PCOL_TOTAL] < 0)
		return 0;
	f = br_csv_field(r, c->idx[PCOL_TOTAL]);
	if (br_decimal_parse(f, (size_t)-1, 2, &l->total) != 0)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "bad total '%s'", f);
	return 0;
}

static int
cmp_pl(const void *a, const void *b)
{
	const struct pl *x = a, *y = b;
	int r = strcmp(x->account, y->account);

	return r != 0 ? r : strcmp(x->code, y->code);
}

/* Sum rows of equal account and code (sorted first). */
static void
fold(struct pl_set *s)
{
	size_t i, o = 0;

	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_pl);
	for (i = 0; i < s->n; i++) {
		if (o > 0 && cmp_pl(&s->v[o - 1], &s->v[i]) == 0) {
			s->v[o - 1].qty += s->v[i].qty;
			s->v[o - 1].cents += s->v[i].cents;
			continue;
		}
		s->v[o++] = s->v[i];
	}
	s->n = o;
}

static int
load_billrun(struct pctx *c, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT b.account_id, "
	    "l.code, sum(l.quantity_milli), sum(l.amount_cents) FROM bill b "
	    "JOIN bill_line l USING(bill_id) WHERE b.cycle_id = ?1 AND "
	    "b.status <> 'cancelled' GROUP BY b.account_id, l.code", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, c->o->cycle_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct pl *l = pl_add(&c->billrun);
		if (l == NULL) {
			sqlite3_finalize(s);
			return nomem(err);
		}
		br_store_column_text(l->account, sizeof(l->account), s, 0);
		br_store_column_text(l->code, sizeof(l->code), s, 1);
		l->qty = sqlite3_column_int64(s, 2);
		l->cents = sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read bills", err);
	return 0;
}

static int
load_month(struct pctx *c, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT substr(period_end, "
	    "1, 7) FROM bill_cycle WHERE cycle_id = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, c->o->cycle_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		br_store_column_text(c->month, sizeof(c->month), s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "unknown cycle '%s'", c->o->cycle_id);
	if (rc != SQLITE_ROW)
		return br_store_fail(c->st, "read bill_cycle", err);
	return 0;
}

/* Rate code, class and the bill's status of an account in the cycle. */
static void
account_info(struct pctx *c, const char *account, char *rate, size_t nr,
    char *cls, size_t nc, char *status, size_t ns)
{
	sqlite3_stmt *s = br_store_prepare(c->st, "SELECT a.rate_code, "
	    "a.customer_class, coalesce((SELECT status FROM bill WHERE "
	    "account_id = ?1 AND cycle_id = ?2 AND status <> 'cancelled' "
	    "ORDER BY bill_id DESC LIMIT 1), '') FROM service_agreement a "
	    "WHERE a.account_id = ?1 ORDER BY a.start_date DESC, a.sp_id "
	    "LIMIT 1", NULL);

	snprintf(rate, nr, "?");
	snprintf(cls, nc, "?");
	status[0] = '\0';
	if (s == NULL)
		return;
	sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->o->cycle_id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		br_store_column_text(rate, nr, s, 0);
		br_store_column_text(cls, nc, s, 1);
		br_store_column_text(status, ns, s, 2);
	}
	sqlite3_finalize(s);
}

/* A quantity in milli-units, or an empty cell when that side has none
 * (row() keeps buf, not the return). */
static const char *
qty(int64_t v, bool have, char *buf, size_t n)
{
	if (!have) {
		buf[0] = '\0';
		return buf;
	}
	return br_decimal_format(v, 3, 3, buf, n);
}

/* An amount in cents, likewise. */
static const char *
money(int64_t v, bool have, char *buf, size_t n)
{
	if (!have) {
		buf[0] = '\0';
		return buf;
	}
	return br_cents_format(v, buf, n);
}
/* The cause of a line difference. */
static void
cause(const struct pl *l, const struct pl *b, char *buf, size_t n)
{
	static const int k[] = { 10, 20, 30, 40, 50, 60, 80, 100, 120 };
	size_t i;

	if (b == NULL) {
		snprintf(buf, n, "missing in billrun: registry, tariff or a "
		    "legacy-only charge");
		return;
	}
	if (l == NULL) {
		snprintf(buf, n, "missing in legacy: registry or tariff");
		return;
	}
	if (l->qty != b->qty) {
		for (i = 0; i < sizeof(k) / sizeof(k[0]) && b->qty > 0; i++) {
			int64_t r = l->qty * 1000 / b->qty, w = k[i] * 1000;
			int64_t r2 = b->qty * 1000 / (l->qty ? l->qty : 1);
			if ((r >= w - w / 10 && r <= w + w / 10) ||
			    (r2 >= w - w / 10 && r2 <= w + w / 10)) {
				snprintf(buf, n, "usage differs by x%d: "
				    "multiplier", k[i]);
				return;
			}
		}
		snprintf(buf, n, "usage differs: reads or multiplier");
		return;
	}
	if (l->cents - b->cents <= 1 && b->cents - l->cents <= 1)
		snprintf(buf, n, "same usage, 1 cent: rounding");
	else
		snprintf(buf, n, "same usage, different amount: rate or "
		    "proration");
}

struct group {
	char key[80];
	int64_t legacy, billrun;
	long bills;
};

static void
group_add(struct group *g, size_t *n, size_t cap, const char *key,
    int64_t legacy, int64_t billrun)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp(g[i].key, key) == 0)
			break;
	if (i == *n) {
		if (*n == cap)
			return;
		snprintf(g[i].key, sizeof(g[i].key), "%s", key);
		g[i].legacy = g[i].billrun = 0;
		g[i].bills = 0;
		(*n)++;
	}
	g[i].legacy += legacy;
	g[i].billrun += billrun;
	g[i].bills++;
}

static int
cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->key,
	    ((const struct group *)b)->key);
}

static void
row(struct pctx *c, const char *kind, const char *account, const char *rate,
    const char *cls, const char *code, const char *lq, const char *bq,
    int64_t la, bool hl, int64_t ba, bool hb, const char *why)
{
	struct prow *r;

	if (c->nrows == c->caprows) {
		size_t nc = c->caprows ? c->caprows * 2 : 64;
		void *p = realloc(c->rows, nc * sizeof(*c->rows));
		if (p == NULL) {
			c->oom = 1;
			return;
		}
		c->rows = p;
		c->caprows = nc;
	}
	r = &c->rows[c->nrows++];
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	snprintf(r->account, sizeof(r->account), "%s", account);
	snprintf(r->rate, sizeof(r->rate), "%s", rate);
	snprintf(r->cls, sizeof(r->cls), "%s", cls);
	snprintf(r->code, sizeof(r->code), "%s", code);
	snprintf(r->lq, sizeof(r->lq), "%s", lq);
	snprintf(r->bq, sizeof(r->bq), "%s", bq);
	money(la, hl, r->la, sizeof(r->la));
	money(ba, hb, r->ba, sizeof(r->ba));
	money(ba - la, true, r->delta, sizeof(r->delta));
	snprintf(r->why, sizeof(r->why), "%s", why);
}

static void
write_csv(const struct pctx *c, FILE *out)
{
	static const char *const hdr[] = { "kind", "account_id", "rate_code",
		"class", "code", "legacy_quantity", "billrun_quantity",
		"legacy_amount", "billrun_amount", "delta", "cause" };
	size_t i;

	br_csv_row(out, 11, hdr);
	for (i = 0; i < c->nrows; i++) {
		const struct prow *r = &c->rows[i];
		const char *f[11] = { r->kind, r->account, r->rate, r->cls,
			r->code, r->lq, r->bq, r->la, r->ba, r->delta, r->why };
		br_csv_row(out, 11, f);
	}
}

#define NGROUP 256

static void
write_groups(struct pctx *c, const char *kind, struct group *g, size_t n)
{
	size_t i;

	if (n > 1)
		qsort(g, n, sizeof(*g), cmp_group);
	for (i = 0; i < n; i++) {
		char why[48];
		snprintf(why, sizeof(why), "%ld bills", g[i].bills);
		row(c, kind, "", kind[0] == 'r' ? g[i].key : "",
		    kind[0] == 'c' ? g[i].key : "", "", "", "", g[i].legacy,
		    true, g[i].billrun, true, why);
	}
}

static int
compare(struct pctx *c, struct br_parallel_stats *st)
{
	struct group *rates = calloc(NGROUP, sizeof(*rates));
	struct group *classes = calloc(NGROUP, sizeof(*classes));
	size_t nr = 0, nc = 0, i = 0, j = 0;

	if (rates == NULL || classes == NULL) {
		free(rates);
		free(classes);
		return -1;
	}
	while (i < c->legacy.n || j < c->billrun.n) {
		const char *acct;
		char rate[40], cls[40], status[16], why[160], q1[32], q2[32];
		int64_t lt = 0, bt = 0;
		bool hl = false, hb = false, lines_differ = false;
		if (j == c->billrun.n || (i < c->legacy.n &&
		    strcmp(c->legacy.v[i].account,
		    c->billrun.v[j].account) <= 0))
			acct = c->legacy.v[i].account;
		else
			acct = c->billrun.v[j].account;
		account_info(c, acct, rate, sizeof(rate), cls, sizeof(cls),
		    status, sizeof(status));
		while ((i < c->legacy.n && strcmp(c->legacy.v[i].account,
		    acct) == 0) || (j < c->billrun.n &&
		    strcmp(c->billrun.v[j].account, acct) == 0)) {
			const struct pl *l = NULL, *b = NULL;
			int r;
			if (i < c->legacy.n && strcmp(c->legacy.v[i].account,
			    acct) == 0)
				l = &c->legacy.v[i];
			if (j < c->billrun.n && strcmp(c->billrun.v[j].account,
			    acct) == 0)
				b = &c->billrun.v[j];
			r = l == NULL ? 1 : b == NULL ? -1 :
			    strcmp(l->code, b->code);
			if (r < 0)
				b = NULL;
			else if (r > 0)
				l = NULL;
			if (l != NULL) {
				lt += l->cents;
				hl = true;
				i++;
			}
			if (b != NULL) {
				bt += b->cents;
				hb = true;
				j++;
			}
			if (l != NULL && b != NULL && l->qty == b->qty &&
			    l->cents == b->cents)
				continue;
			lines_differ = true;
			cause(l, b, why, sizeof(why));
			row(c, "line", acct, rate, cls, l ? l->code : b->code,
			    qty(l ? l->qty : 0, l != NULL, q1, sizeof(q1)),
			    qty(b ? b->qty : 0, b != NULL, q2, sizeof(q2)),
			    l ? l->cents : 0, l != NULL, b ? b->cents : 0,
			    b != NULL, why);
		}
		st->bills++;
		st->legacy_cents += lt;
		st->billrun_cents += bt;
		if (!hb) {
			st->only_legacy++;
			snprintf(why, sizeof(why), "FAIL: no billrun bill: "
			    "registry (agreement, meter) or the cycle");
		} else if (!hl) {
			st->only_billrun++;
			snprintf(why, sizeof(why), "FAIL: no legacy bill: "
			    "registry (account not billed by legacy)");
		} else if (!lines_differ) {
			st->matched++;
			snprintf(why, sizeof(why), "match");
		} else if (bt - lt <= c->o->tolerance_cents &&
		    lt - bt <= c->o->tolerance_cents) {
			st->within++;
			snprintf(why, sizeof(why), "within tolerance");
		} else {
			st->differ++;
			snprintf(why, sizeof(why), "FAIL: differs");
		}
		if (strcmp(status, "hold") == 0)
			strncat(why, " (billrun bill held)",
			    sizeof(why) - strlen(why) - 1);
		row(c, "bill", acct, rate, cls, "", "", "", lt, hl, bt, hb,
		    why);
		group_add(rates, &nr, NGROUP, rate, lt, bt);
		group_add(classes, &nc, NGROUP, cls, lt, bt);
	}
	write_groups(c, "rate", rates, nr);
	write_groups(c, "class", classes, nc);
	st->pass = st->differ == 0 && st->only_legacy == 0 &&
	    st->only_billrun == 0;
	free(rates);
	free(classes);
	return c->oom ? -1 : 0;
}

/* The legacy total column against its own lines. */
static int
check_totals(struct pctx *c, struct br_error *err)
{
	size_t i, k;

	if (c->idx[PCOL_TOTAL] < 0)
		return 0;	/* the map names no total column */
	for (i = 0; i < c->legacy.n; i = k) {
		int64_t sum = 0;
		for (k = i; k < c->legacy.n && strcmp(c->legacy.v[k].account,
		    c->legacy.v[i].account) == 0; k++)
			sum += c->legacy.v[k].cents;
		if (sum != c->legacy.v[i].total)
			return br_error_set(err, BR_EINPUT, c->o->legacy, 0,
			    "account '%s': total %lld cents but its lines sum "
			    "to %lld", c->legacy.v[i].account,
			    (long long)c->legacy.v[i].total, (long long)sum);
	}
	return 0;
}

int
br_parallel_run(struct br_store *st, const struct br_parallel_opts *o,
    FILE *out, struct br_parallel_stats *stats, struct br_error *err)
{
	struct pctx c;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	memset(stats, 0, sizeof(*stats));
	c.st = st;
	c.o = o;
	br_pmap_init(&c.lay);
	if (load_month(&c, err) != 0)
		goto done;
	if (o->map != NULL && br_pmap_yaml(&c.lay, o->map, err) != 0)
		goto done;
	if (o->code_map != NULL && br_pmap_csv(&c.lay, o->code_map, err) != 0)
		goto done;
	if (br_csv_read(o->legacy, on_legacy, &c, NULL, err) != 0 ||
	    load_billrun(&c, err) != 0)
		goto done;
	/* Totals are per bill: check before folding lines together. */
	if (c.legacy.n > 1)
		qsort(c.legacy.v, c.legacy.n, sizeof(*c.legacy.v), cmp_pl);
	if (check_totals(&c, err) != 0)
		goto done;
	fold(&c.legacy);
	fold(&c.billrun);
	if (compare(&c, stats) != 0) {
		nomem(err);
		goto done;
	}
	write_csv(&c, out);
	if (o->html != NULL)
		br_parallel_page(o->html, o->cycle_id, stats, c.rows, c.nrows);
	rc = 0;
done:
	free(c.legacy.v);
	free(c.billrun.v);
	free(c.rows);
	br_pmap_release(&c.lay);
	return rc;
}

void
br_parallel_summary_write(const struct br_parallel_stats *st, FILE *f)
{
	static const char *const hdr[10] = { "result", "bills", "match",
	    "within_tolerance", "differ", "only_legacy", "only_billrun",
	    "legacy_total", "billrun_total", "delta" };
	const long n[6] = { st->bills, st->matched, st->within, st->differ,
	    st->only_legacy, st->only_billrun };
	char b[6][24], a[32], c[32], d[32];
	const char *r[10];
	int i;

	r[0] = st->pass ? "PASS" : "FAIL";
	for (i = 0; i < 6; i++) {
		snprintf(b[i], sizeof(b[i]), "%ld", n[i]);
		r[i + 1] = b[i];
	}
	r[7] = br_cents_format(st->legacy_cents, a, sizeof(a));
	r[8] = br_cents_format(st->billrun_cents, c, sizeof(c));
	r[9] = br_cents_format(st->billrun_cents - st->legacy_cents, d,
	    sizeof(d));
	br_csv_row(f, 10, hdr);
	br_csv_row(f, 10, r);
}
