/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c: unbilled revenue and EIA-861M sales from the store.
 *
 * Both reports are SQL over the store plus integer arithmetic here; the
 * interval sums use the same rule as rating (missing slots count zero,
 * estimates count).  All money is integer cents; MWh and thousand-dollar
 * figures are rounded half-up from exact integers.
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/money.h"
#include "store/registry.h"
#include "core/banned.h"

/* --- unbilled revenue ------------------------------------------------ */

/*
 * Sum of a meter's delivered values over local days [d0, d1]: the values
 * BLOB is summed in C (one row per meter-day).
 */
static int
meter_read_usage(sqlite3_stmt *s, const char *meter, int32_t d0, int32_t d1,
    int64_t *usage, long *days)
{
	int rc;

	*usage = 0;
	*days = 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, meter, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, d0);
	sqlite3_bind_int(s, 3, d1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t n = sqlite3_column_int(s, 0), i;
		const unsigned char *v = sqlite3_column_blob(s, 1);
		const unsigned char *q = sqlite3_column_blob(s, 2);
		if (sqlite3_column_bytes(s, 1) < n * 8 ||
		    sqlite3_column_bytes(s, 2) < n)
			return -1;
		for (i = 0; i < n; i++) {
			int64_t x;
			if (q[i] & 1)	/* BR_Q_MISSING */
				continue;
			br_store_unpack_values(v + 8 * i, 1, &x);
			*usage += x;
		}
		(*days)++;
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

struct finding {
	char category[24], account[64], sp[64], meter[64], unit[16];
	int64_t read, billed, revenue_cents;
	int64_t unbilled;	/* held/draft: usage; estimated: estimates */
	int has_unbilled, priced, no_qty;
	char detail[160];
};

struct findings {
	struct finding *v;
	size_t n, cap;
};

static struct finding *
add_finding(struct findings *f)
{
	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 64;
		struct finding *nv = realloc(f->v, nc * sizeof(*nv));
		if (nv == NULL)
			return NULL;
		f->v = nv;
		f->cap = nc;
	}
	memset(&f->v[f->n], 0, sizeof(f->v[0]));
	return &f->v[f->n++];
}

static int
finding_cmp(const void *a_, const void *b_)
{
	const struct finding *a = a_, *b = b_;
	int c = strcmp(a->category, b->category);

	if (c == 0)
		c = strcmp(a->account, b->account);
	if (c == 0)
		c = strcmp(a->sp, b->sp);
	if (c == 0)
		c = strcmp(a->meter, b->meter);
	return c;
}

static void
fill_meter(struct finding *x, const char *acct, const char *sp,
    const char *meter, const char *unit, int64_t read, int64_t billed)
{
	snprintf(x->account, sizeof(x->account), "%s", acct);
	snprintf(x->sp, sizeof(x->sp), "%s", sp);
	snprintf(x->meter, sizeof(x->meter), "%s", meter);
	snprintf(x->unit, sizeof(x->unit), "%s", unit);
	x->read = read;
	x->billed = billed;
}

/* An issued bill's usage from estimated intervals, priced at the cycle
 * average of the rate code (as unbilled_reads are). */
static int
estimated_row(struct br_store *st, sqlite3_stmt *price, const char *cycle,
    const char *rate, struct finding *x, int64_t est, struct br_error *err)
{
	int64_t amt = 0, qty = 0;

	(void)st;
	(void)err;
	snprintf(x->category, sizeof(x->category), "estimated_reads");
	sqlite3_reset(price);
	sqlite3_bind_text(price, 1, cycle, -1, SQLITE_STATIC);
	sqlite3_bind_text(price, 2, rate, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(price) == SQLITE_ROW) {
		amt = sqlite3_column_int64(price, 0);
		qty = sqlite3_column_int64(price, 1);
	}
	sqlite3_reset(price);
	if (qty > 0)
		x->revenue_cents = br_div_round(est * amt, qty,
		    BR_ROUND_HALF_UP);
	x->unbilled = est;
	x->has_unbilled = 1;
	x->priced = 1;
	snprintf(x->detail, sizeof(x->detail), "billed on estimated "
	    "intervals, priced at the cycle average for %s", rate);
	return 0;
}

/*
 * The cycle's bills not issued: held (with the open or kept hold codes
 * of the account in the period) and rated drafts, at their amounts.
 */
static int
unissued_bills(struct br_store *st, const char *cycle, const char *from,
    const char *to, struct findings *f, int64_t *total, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT b.bill_id, "
	    "b.account_id, b.status, b.total_cents, "
	    "(SELECT coalesce(group_concat(code, ' '), '') FROM (SELECT "
	    "DISTINCT e.code FROM exception e WHERE e.account_id = "
	    "b.account_id AND e.severity = 'hold' AND e.status IN ('open', "
	    "'held') AND e.date BETWEEN ?2 AND ?3 ORDER BY e.code)), "
	    "(SELECT count(DISTINCT unit) FROM bill_meter WHERE bill_id = "
	    "b.bill_id AND channel = 1), (SELECT coalesce(min(unit), '') FROM "
	    "bill_meter WHERE bill_id = b.bill_id AND channel = 1), (SELECT "
	    "coalesce(sum(usage_milli), 0) FROM bill_meter WHERE bill_id = "
	    "b.bill_id AND channel = 1) FROM bill b WHERE b.cycle_id = ?1 AND "
	    "b.status IN ('hold', 'draft') ORDER BY b.account_id, b.bill_id",
	    err);
	struct finding *x;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, cycle, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int held = strcmp((const char *)sqlite3_column_text(s, 2),
		    "hold") == 0;

		if ((x = add_finding(f)) == NULL) {
			sqlite3_finalize(s);
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		}
		snprintf(x->category, sizeof(x->category), "%s", held ?
		    "held_bill" : "unissued_draft");
		br_store_column_text(x->account, sizeof(x->account), s, 1);
		x->revenue_cents = sqlite3_column_int64(s, 3);
		x->priced = 1;
		x->no_qty = 1;
		if (sqlite3_column_int(s, 5) == 1) {
			br_store_column_text(x->unit, sizeof(x->unit), s, 6);
			x->unbilled = sqlite3_column_int64(s, 7);
			x->has_unbilled = 1;
		}
		if (held)
			snprintf(x->detail, sizeof(x->detail), "bill %s on "
			    "hold: %s", sqlite3_column_text(s, 0),
			    *sqlite3_column_text(s, 4) ? (const char *)
			    sqlite3_column_text(s, 4) : "no open hold "
			    "exception (rerun rate-apply)");
		else
			snprintf(x->detail, sizeof(x->detail), "bill %s rated, "
			    "not issued", sqlite3_column_text(s, 0));
		*total += x->revenue_cents;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read unissued bills", err);
	return 0;
}

void
br_report_unbilled_summary(FILE *out, long nrows, int64_t revenue_cents)
{
	static const char *const hdr[2] = { "findings", "estimated_revenue" };
	char n[32], rev[32];
	const char *row[2];

	snprintf(n, sizeof(n), "%ld", nrows);
	row[0] = n;
	row[1] = br_cents_format(revenue_cents, rev, sizeof(rev));
	br_csv_row(out, 2, hdr);
	br_csv_row(out, 2, row);
}

int
br_report_unbilled(struct br_store *st, const char *cycle_id, FILE *out,
    long *nrows, int64_t *revenue_cents, struct br_error *err)
{
	static const char *const hdr[] = {"category", "account_id", "sp_id",
	    "meter_id", "unit", "read_quantity", "billed_quantity",
	    "unbilled_quantity", "estimated_revenue", "detail"};
	char from[11], to[11];
	int32_t d0, d1;
	sqlite3_stmt *m = NULL, *days = NULL, *price = NULL;
	struct findings f = {NULL, 0, 0};
	int64_t tot_unbilled_rev = 0;
	size_t i;
	int rc = -1, src;

	if (br_registry_cycle_period(st, cycle_id, from, to, err) != 0)
		return -1;
	br_date_parse(from, (size_t)-1, &d0);
	br_date_parse(to, (size_t)-1, &d1);
	/*
	 * Every meter installed during the period, with the agreement (if
	 * any) of its service point overlapping the period, the account's
	 * status, and what the cycle's bills billed for the meter.
	 */
	m = br_store_prepare(st,
	    "SELECT mi.meter_id, mi.sp_id, me.unit, "
	    "  coalesce(sa.account_id, ''), coalesce(a.status, ''), "
	    "  coalesce(sa.rate_code, ''), "
	    "  (SELECT coalesce(sum(bm.usage_milli), 0) FROM bill_meter bm "
	    "     JOIN bill b ON b.bill_id = bm.bill_id "
	    "    WHERE bm.meter_id = mi.meter_id AND bm.channel = 1 "
	    "      AND b.cycle_id = ?1 AND b.status <> 'cancelled'), "
	    "  max(mi.install_date, ?2), "
	    "  min(coalesce(mi.remove_date, ?3), ?3), "
	    "  (SELECT coalesce(sum(bm.estimated_milli), 0) FROM bill_meter bm "
	    "     JOIN bill b ON b.bill_id = bm.bill_id "
	    "    WHERE bm.meter_id = mi.meter_id AND bm.channel = 1 "
	    "      AND b.cycle_id = ?1 AND b.status = 'issued') "
	    "FROM meter_install mi JOIN meter me ON me.meter_id = mi.meter_id "
	    "LEFT JOIN service_agreement sa ON sa.sp_id = mi.sp_id "
	    "  AND sa.start_date <= ?3 AND coalesce(sa.end_date, ?3) >= ?2 "
	    "LEFT JOIN account a ON a.account_id = sa.account_id "
	    "WHERE mi.install_date <= ?3 AND coalesce(mi.remove_date, ?3) >= ?2 "
	    "ORDER BY mi.meter_id, mi.install_date", err);
	days = m ? br_store_prepare(st, "SELECT n, vals, quality FROM "
	    "interval_day WHERE meter_id = ?1 AND channel = 1 AND day "
	    "BETWEEN ?2 AND ?3", err) : NULL;
	/* Average billed revenue per unit by rate code in this cycle. */
	price = days ? br_store_prepare(st,
	    "SELECT coalesce(sum(l.amount_cents), 0), "
	    "  (SELECT coalesce(sum(bm.usage_milli), 0) FROM bill_meter bm "
	    "     JOIN bill b2 ON b2.bill_id = bm.bill_id "
	    "     JOIN meter_install mi ON mi.meter_id = bm.meter_id "
	    "     JOIN service_agreement sa ON sa.sp_id = mi.sp_id "
	    "       AND sa.account_id = b2.account_id "
	    "    WHERE b2.cycle_id = ?1 AND sa.rate_code = ?2 "
	    "      AND bm.channel = 1 AND b2.status <> 'cancelled') "
	    "FROM bill_line l JOIN bill b ON b.bill_id = l.bill_id "
	    "JOIN service_agreement sa ON sa.sp_id = l.sp_id "
	    "  AND sa.account_id = b.account_id "
	    "WHERE b.cycle_id = ?1 AND sa.rate_code = ?2 "
	    "  AND b.status <> 'cancelled'", err) : NULL;
	if (price == NULL)
		goto out;
	sqlite3_bind_text(m, 1, cycle_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(m, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(m, 3, to, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(m)) == SQLITE_ROW) {
		char meter[64], sp[64], unit[16], acct[64], status[16];
		char rate[64], w0[11], w1[11];
		int64_t read, billed;
		long ndays;
		int32_t a0, a1;
		struct finding *x;

		br_store_column_text(meter, sizeof(meter), m, 0);
		br_store_column_text(sp, sizeof(sp), m, 1);
		br_store_column_text(unit, sizeof(unit), m, 2);
		br_store_column_text(acct, sizeof(acct), m, 3);
		br_store_column_text(status, sizeof(status), m, 4);
		br_store_column_text(rate, sizeof(rate), m, 5);
		billed = sqlite3_column_int64(m, 6);
		br_store_column_text(w0, sizeof(w0), m, 7);
		br_store_column_text(w1, sizeof(w1), m, 8);
		if (br_date_parse(w0, (size_t)-1, &a0) ||
		    br_date_parse(w1, (size_t)-1, &a1)) {
			br_error_set(err, BR_EINPUT, st->path, 0,
			    "bad install dates for meter '%s'", meter);
			goto out;
		}
		if (meter_read_usage(days, meter, a0, a1, &read, &ndays)) {
			br_store_fail(st, "read interval days", err);
			goto out;
		}
		if (sqlite3_column_int64(m, 9) > 0) {
			if ((x = add_finding(&f)) == NULL ||
			    estimated_row(st, price, cycle_id, rate, x,
			    sqlite3_column_int64(m, 9), err) != 0)
				goto nomem;
			fill_meter(x, acct, sp, meter, unit, read, billed);
			tot_unbilled_rev += x->revenue_cents;
		}
		if (acct[0] != '\0' && strcmp(status, "active") == 0 &&
		    ndays == 0) {
			if ((x = add_finding(&f)) == NULL)
				goto nomem;
			snprintf(x->category, sizeof(x->category), "no_reads");
			snprintf(x->detail, sizeof(x->detail), "no interval "
			    "data from %s to %s", w0, w1);
		} else if (ndays > 0 && (acct[0] == '\0' ||
		    strcmp(status, "active") != 0)) {
			if ((x = add_finding(&f)) == NULL)
				goto nomem;
			snprintf(x->category, sizeof(x->category),
			    "inactive_reading");
			if (acct[0] != '\0')
				snprintf(x->detail, sizeof(x->detail), "meter "
				    "reads on a %s account (%ld days)", status,
				    ndays);
			else
				snprintf(x->detail, sizeof(x->detail), "meter "
				    "reads on a service point with no agreement "
				    "(%ld days)", ndays);
		} else if (read > billed && ndays > 0) {
			int64_t amt = 0, qty = 0;
			if ((x = add_finding(&f)) == NULL)
				goto nomem;
			snprintf(x->category, sizeof(x->category),
			    "unbilled_reads");
			sqlite3_reset(price);
			sqlite3_bind_text(price, 1, cycle_id, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(price, 2, rate, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(price) == SQLITE_ROW) {
				amt = sqlite3_column_int64(price, 0);
				qty = sqlite3_column_int64(price, 1);
			}
			if (qty > 0)
				x->revenue_cents = br_div_round((read - billed) *
				    amt, qty, BR_ROUND_HALF_UP);
			tot_unbilled_rev += x->revenue_cents;
			snprintf(x->detail, sizeof(x->detail), qty > 0 ?
			    "priced at the cycle average for %s" :
			    "no billed %s usage to price from", rate);
		} else
			continue;
		fill_meter(x, acct, sp, meter, unit, read, billed);
	}
	if (src != SQLITE_DONE) {
		br_store_fail(st, "read meters", err);
		goto out;
	}
	if (unissued_bills(st, cycle_id, from, to, &f, &tot_unbilled_rev,
	    err) != 0)
		goto out;
	if (f.n > 1)
		qsort(f.v, f.n, sizeof(*f.v), finding_cmp);
	br_csv_row(out, 10, hdr);
	for (i = 0; i < f.n; i++) {
		struct finding *x = &f.v[i];
		char r[32], b[32], u[32], rev[32];
		int unb = strcmp(x->category, "unbilled_reads") == 0;
		int priced = x->priced || unb;
		const char *row[10] = {x->category, x->account, x->sp,
		    x->meter, x->unit,
		    x->no_qty ? "" : br_decimal_format(x->read, 3, 3, r,
		    sizeof(r)),
		    x->no_qty ? "" : br_decimal_format(x->billed, 3, 3, b,
		    sizeof(b)),
		    unb ? br_decimal_format(x->read - x->billed, 3, 3, u,
		    sizeof(u)) : x->has_unbilled ? br_decimal_format(
		    x->unbilled, 3, 3, u, sizeof(u)) : "",
		    priced ? br_cents_format(x->revenue_cents, rev,
		    sizeof(rev)) : "", x->detail};
		br_csv_row(out, 10, row);
	}
	if (nrows)
		*nrows = (long)f.n;
	if (revenue_cents)
		*revenue_cents = tot_unbilled_rev;
	rc = 0;
	goto out;
nomem:
	br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
out:
	sqlite3_finalize(m);
	sqlite3_finalize(days);
	sqlite3_finalize(price);
	free(f.v);
	return rc;
}

/* --- EIA-861M -------------------------------------------------------- */

static const char *const sectors[] = {"residential", "commercial",
    "industrial", "transportation"};
#define NSECTORS 4

struct sector_map {
	char cls[32][64];
	int sector[32];
	int n;
};

static int
map_cb(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct sector_map *m = ctx;
	int k;

	if (rec->index == 0)
		return 0;
	if (rec->nfields < 2)
		return br_error_set(err, BR_ECONFIG, NULL, 0,
		    "expected 'customer_class,sector'");
	for (k = 0; k < NSECTORS; k++)
		if (strcmp(rec->fields[1], sectors[k]) == 0)
			break;
	if (k == NSECTORS)
		return br_error_set(err, BR_ECONFIG, NULL, 0,
		    "unknown EIA sector '%s' in column 'sector'",
		    rec->fields[1]);
	if (m->n == 32)
		return br_error_set(err, BR_ECONFIG, NULL, 0,
		    "too many customer classes (32 at most)");
	snprintf(m->cls[m->n], sizeof(m->cls[0]), "%s", rec->fields[0]);
	m->sector[m->n++] = k;
	return 0;
}

static int
sector_of(const struct sector_map *m, const char *cls)
{
	int i;

	for (i = 0; i < m->n; i++)
		if (strcmp(m->cls[i], cls) == 0)
			return m->sector[i];
	for (i = 0; i < NSECTORS; i++)
		if (strcmp(sectors[i], cls) == 0)
			return i;
	return -1;
}

struct eia_acc {
	int64_t revenue_cents, sales_milli, nem_recv_milli;
	long customers, nem_customers;
};

static void
eia_row(FILE *out, int y, int mo, const char *state, const char *sector,
    const struct eia_acc *a)
{
	char rev[32], mwh[32], cust[32], price[32], ys[8], ms[8];
	/* thousand dollars, one decimal: cents / 10^4 -> tenths */
	int64_t rev_tenths = br_div_round(a->revenue_cents, 10000,
	    BR_ROUND_HALF_UP);
	int64_t mwh_whole = br_div_round(a->sales_milli, 1000000,
	    BR_ROUND_HALF_UP);
	const char *row[9];

	snprintf(ys, sizeof(ys), "%d", y);
	snprintf(ms, sizeof(ms), "%d", mo);
	br_decimal_format(rev_tenths, 1, 1, rev, sizeof(rev));
	snprintf(mwh, sizeof(mwh), "%lld", (long long)mwh_whole);
	snprintf(cust, sizeof(cust), "%ld", a->customers);
	/* cents/kWh with two decimals = revenue_cents * 100 / kWh */
	if (a->sales_milli > 0)
		br_decimal_format(br_div_round(a->revenue_cents * 100000,
		    a->sales_milli, BR_ROUND_HALF_UP), 2, 2, price,
		    sizeof(price));
	else
		price[0] = '\0';
	row[0] = ys; row[1] = ms; row[2] = state; row[3] = "A";
	row[4] = sector; row[5] = rev; row[6] = mwh; row[7] = cust;
	row[8] = price;
	br_csv_row(out, 9, row);
}

static int
excluded(const struct br_eia_opts *o, const char *code)
{
	size_t i;

	for (i = 0; i < o->nexclude; i++)
		if (strncmp(code, o->exclude_prefixes[i],
		    strlen(o->exclude_prefixes[i])) == 0)
			return 1;
	return 0;
}

int
br_report_eia861m(struct br_store *st, const struct br_eia_opts *opts,
    FILE *out, struct br_error *err)
{
	static const char *const hdr[] = {"year", "month", "state", "part",
	    "sector", "revenue_thousand_dollars", "sales_mwh", "customers",
	    "average_price_cents_per_kwh"};
	struct sector_map map;
	struct eia_acc acc[NSECTORS + 1];
	sqlite3_stmt *s = NULL;
	char state[64], first[11], last[11], prev_acct[64] = "";
	int y, mo, k, rc = -1, src, prev_sector = -1;
	int64_t y64, mo64;
	int32_t d0;

	memset(&map, 0, sizeof(map));
	memset(acc, 0, sizeof(acc));
	if (strlen(opts->month) != 7 || opts->month[4] != '-' ||
	    br_int_parse(opts->month, 4, 1, 9999, &y64) != 0 ||
	    br_int_parse(opts->month + 5, 2, 1, 12, &mo64) != 0)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "bad month '%s' (want YYYY-MM)", opts->month);
	y = (int)y64;
	mo = (int)mo64;
	d0 = br_date_days(y, mo, 1);
	br_date_format(d0, first, sizeof(first));
	br_date_format(d0 + br_date_month_days(y, mo) - 1, last, sizeof(last));
	if (opts->sector_map && br_csv_read(opts->sector_map, map_cb, &map,
	    NULL, err) != 0)
		return -1;
	if (br_store_setting_get(st, "state", "", state, sizeof(state),
	    err) < 0)
		return -1;
	/*
	 * Per electric bill and service point dated in the month (billing-
	 * cycle basis, as EIA allows): revenue (lines, less excluded codes,
	 * summed in C), sales (bill_sp usage), exports, class, NEM program.
	 */
	s = br_store_prepare(st,
	    "SELECT b.account_id, sa.customer_class, sa.net_metering, "
	    "  l.code, l.amount_cents, "
	    "  coalesce((SELECT usage_milli FROM bill_sp x WHERE x.bill_id = "
	    "    b.bill_id AND x.sp_id = l.sp_id), 0), "
	    "  coalesce((SELECT export_milli FROM bill_sp x WHERE x.bill_id = "
	    "    b.bill_id AND x.sp_id = l.sp_id), 0), l.sp_id, l.seq, l.unit "
	    "FROM bill b JOIN bill_line l ON l.bill_id = b.bill_id "
	    "JOIN service_point sp ON sp.sp_id = l.sp_id "
	    "JOIN service_agreement sa ON sa.sp_id = l.sp_id "
	    "  AND sa.account_id = b.account_id "
	    "  AND sa.start_date <= b.period_end "
	    "  AND coalesce(sa.end_date, b.period_end) >= b.period_start "
	    "WHERE sp.kind = 'electric' AND b.status = 'issued' "
	    "  AND b.bill_date BETWEEN ?1 AND ?2 "
	    "ORDER BY b.account_id, b.bill_id, l.sp_id, l.seq", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, last, -1, SQLITE_STATIC);
	{
		char prev_key[160] = "";
		while ((src = sqlite3_step(s)) == SQLITE_ROW) {
			const char *acct = (const char *)sqlite3_column_text(s, 0);
			const char *cls = (const char *)sqlite3_column_text(s, 1);
			const char *nem = (const char *)sqlite3_column_text(s, 2);
			const char *code = (const char *)sqlite3_column_text(s, 3);
			const char *sp = (const char *)sqlite3_column_text(s, 7);
			char key[160];
			int sec = sector_of(&map, cls);

			if (sec < 0) {
				br_error_set(err, BR_ECONFIG, NULL, 0,
				    "customer class '%s' (account '%s') has no "
				    "EIA sector: add it to the sector map",
				    cls, acct);
				goto out;
			}
			if (strcmp(acct, prev_acct) != 0 || sec != prev_sector) {
				/* Customers: once per account per sector. */
				acc[sec].customers++;
				if (nem[0])
					acc[sec].nem_customers++;
				snprintf(prev_acct, sizeof(prev_acct), "%s", acct);
				prev_sector = sec;
			}
			snprintf(key, sizeof(key), "%s|%s", acct, sp);
			if (strcmp(key, prev_key) != 0) {
				acc[sec].sales_milli += sqlite3_column_int64(s, 5);
				acc[sec].nem_recv_milli +=
				    sqlite3_column_int64(s, 6);
				snprintf(prev_key, sizeof(prev_key), "%s", key);
			}
			/* Percentage taxes and fees are lines in USD. */
			if (!excluded(opts, code) && strcmp((const char *)
			    sqlite3_column_text(s, 9), "USD") != 0)
				acc[sec].revenue_cents +=
				    sqlite3_column_int64(s, 4);
		}
	}
	if (src != SQLITE_DONE) {
		br_store_fail(st, "read bills", err);
		goto out;
	}
	br_csv_row(out, 9, hdr);
	for (k = 0; k < NSECTORS; k++) {
		acc[NSECTORS].revenue_cents += acc[k].revenue_cents;
		acc[NSECTORS].sales_milli += acc[k].sales_milli;
		acc[NSECTORS].customers += acc[k].customers;
		acc[NSECTORS].nem_customers += acc[k].nem_customers;
		acc[NSECTORS].nem_recv_milli += acc[k].nem_recv_milli;
		eia_row(out, y, mo, state, sectors[k], &acc[k]);
	}
	eia_row(out, y, mo, state, "total", &acc[NSECTORS]);
	for (k = 0; k <= NSECTORS; k++) {
		struct eia_acc nm;
		char sec[48];
		memset(&nm, 0, sizeof(nm));
		nm.customers = acc[k].nem_customers;
		nm.sales_milli = acc[k].nem_recv_milli;
		snprintf(sec, sizeof(sec), "net_metering_%s",
		    k < NSECTORS ? sectors[k] : "total");
		eia_row(out, y, mo, state, sec, &nm);
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}
