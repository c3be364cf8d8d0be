/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bill.c: the bill document model.  Loads a bill into a struct
 * br_bill_doc from the store: the bill, bill_line and bill_meter rows
 * that rate-apply wrote, services and meters from the registry, register
 * reads, the ledger statement, the account's earlier bills for the usage
 * history, net-metering banks, the bill it replaces, the utility block,
 * the scan line and the Intelligent Mail barcode.  run.c drives a render
 * run over these documents.
 */
#include "render/render.h"
#include "render/render_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "render/imb.h"
#include "core/money.h"
#include "core/scanline.h"
#include "core/tz.h"
#include "core/banned.h"

const char br_bill_select[] =
    "SELECT b.bill_id, b.account_id, b.cycle_id, b.period_start, "
    "b.period_end, b.bill_date, b.due_date, b.status, b.total_cents, "
    "COALESCE(a.name, ''), COALESCE(a.mailing_address, ''), b.replaces "
    "FROM bill b LEFT JOIN account a ON a.account_id = b.account_id ";

void
br_bill_from_stmt(sqlite3_stmt *s, struct br_bill_doc *b)
{
	br_store_column_text(b->bill_id, sizeof(b->bill_id), s, 0);
	br_store_column_text(b->account_id, sizeof(b->account_id), s, 1);
	br_store_column_text(b->cycle_id, sizeof(b->cycle_id), s, 2);
	br_store_column_text(b->period_start, sizeof(b->period_start), s, 3);
	br_store_column_text(b->period_end, sizeof(b->period_end), s, 4);
	br_store_column_text(b->bill_date, sizeof(b->bill_date), s, 5);
	br_store_column_text(b->due_date, sizeof(b->due_date), s, 6);
	br_store_column_text(b->status, sizeof(b->status), s, 7);
	b->total_cents = sqlite3_column_int64(s, 8);
	br_store_column_text(b->name, sizeof(b->name), s, 9);
	br_store_column_text(b->mailing, sizeof(b->mailing), s, 10);
	br_store_column_text(b->replaces, sizeof(b->replaces), s, 11);
}

/*
 * Prepared statements of a render run, by SQL text: a run prepares each
 * query once instead of once per bill (parsing was a quarter of the
 * time).  Without a cache (br_bill_doc_load), prepare and finalize.
 */
sqlite3_stmt *
br_bill_prep(struct br_store *st, void *cache, const char *sql,
    struct br_error *err)
{
	struct br_bill_stmt_cache *c = cache;
	sqlite3_stmt *s;
	size_t i;

	if (c != NULL)
		for (i = 0; i < c->n; i++)
			if (strcmp(c->sql[i], sql) == 0) {
				sqlite3_reset(c->s[i]);
				sqlite3_clear_bindings(c->s[i]);
				return c->s[i];
			}
	if ((s = br_store_prepare(st, sql, err)) == NULL)
		return NULL;
	if (c != NULL && c->n < BR_BILL_NCACHE &&
	    (c->sql[c->n] = strdup(sql)) != NULL)
		c->s[c->n++] = s;
	return s;
}

/* Done with s: reset a cached statement, finalize any other. */
void
br_bill_unprep(void *cache, sqlite3_stmt *s)
{
	struct br_bill_stmt_cache *c = cache;
	size_t i;

	if (c != NULL)
		for (i = 0; i < c->n; i++)
			if (c->s[i] == s) {
				sqlite3_reset(s);
				return;
			}
	sqlite3_finalize(s);
}

void
br_bill_cache_free(struct br_bill_stmt_cache *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		sqlite3_finalize(c->s[i]);
		free(c->sql[i]);
	}
	c->n = 0;
	if (c->have_tz)
		br_tz_release(&c->tz);
	c->have_tz = false;
}

/* Grow *v (element size sz) so that one more element fits. */
static int
grow(void **v, size_t *cap, size_t n, size_t sz, struct br_error *err)
{
	void *nv;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 8;
	if ((nv = realloc(*v, nc * sz)) == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	*v = nv;
	*cap = nc;
	return 0;
}

static int
load_services(struct br_store *st, struct br_bill_doc *d,
    struct br_error *err)
{
	sqlite3_stmt *s = br_bill_prep(st, d->cache,
	    "SELECT sa.sp_id, sp.kind, sp.address, sa.rate_code, sa.start_date, "
	    "sa.net_metering, sa.customer_class FROM service_agreement sa "
	    "JOIN service_point sp "
	    "ON sp.sp_id = sa.sp_id WHERE sa.account_id = ?1 "
	    "AND sa.start_date <= ?3 AND (sa.end_date IS NULL OR "
	    "sa.end_date = '' OR sa.end_date >= ?2) "
	    "ORDER BY sa.sp_id, sa.start_date", err);
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, d->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, d->period_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, d->period_end, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_bill_service *v;

		if (grow((void **)&d->svc, &cap, d->nsvc, sizeof(*v), err)) {
			br_bill_unprep(d->cache, s);
			return -1;
		}
		v = &d->svc[d->nsvc++];
		br_store_column_text(v->sp_id, sizeof(v->sp_id), s, 0);
		br_store_column_text(v->kind, sizeof(v->kind), s, 1);
		br_store_column_text(v->address, sizeof(v->address), s, 2);
		br_store_column_text(v->rate_code, sizeof(v->rate_code), s, 3);
		br_store_column_text(v->start_date, sizeof(v->start_date), s, 4);
		br_store_column_text(v->net_metering, sizeof(v->net_metering), s, 5);
		br_store_column_text(v->customer_class,
		    sizeof(v->customer_class), s, 6);
	}
	br_bill_unprep(d->cache, s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read service agreements", err);
	return 0;
}

#define INSTALLED_IN_PERIOD \
	"mi.meter_id = bm.meter_id AND mi.install_date <= ?4 AND " \
	"(mi.remove_date IS NULL OR mi.remove_date = '' OR " \
	"mi.remove_date >= ?3)"

/*
 * Append the bill_meter rows matched by `where` (parameters: ?1 bill_id,
 * ?2 sp_id or account_id, ?3 period_start, ?4 period_end) with group
 * `group`.
 */
static int
load_meters(struct br_store *st, struct br_bill_doc *d, size_t *cap,
    const char *group, const char *p2, const char *where,
    struct br_error *err)
{
	char sql[1024];
	sqlite3_stmt *s;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT bm.meter_id, bm.channel, bm.unit, "
	    "bm.usage_milli, bm.estimated_milli, bm.missing_intervals, "
	    "COALESCE((SELECT multiplier_milli FROM meter m "
	    "WHERE m.meter_id = bm.meter_id), 1000), "
	    "COALESCE((SELECT kind FROM meter m "
	    "WHERE m.meter_id = bm.meter_id), '') "
	    "FROM bill_meter bm WHERE bm.bill_id = ?1 AND %s "
	    "ORDER BY bm.meter_id, bm.channel", where);
	if ((s = br_bill_prep(st, d->cache, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, d->bill_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, p2, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, d->period_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, d->period_end, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_bill_meterrow *m;

		if (grow((void **)&d->meters, cap, d->nmeters, sizeof(*m),
		    err)) {
			br_bill_unprep(d->cache, s);
			return -1;
		}
		m = &d->meters[d->nmeters++];
		memset(m, 0, sizeof(*m));
		snprintf(m->group, sizeof(m->group), "%s", group);
		br_store_column_text(m->meter_id, sizeof(m->meter_id), s, 0);
		m->channel = sqlite3_column_int(s, 1);
		br_store_column_text(m->unit, sizeof(m->unit), s, 2);
		m->usage_milli = sqlite3_column_int64(s, 3);
		m->estimated_milli = sqlite3_column_int64(s, 4);
		m->missing_intervals = sqlite3_column_int(s, 5);
		m->multiplier_milli = sqlite3_column_int64(s, 6);
		br_store_column_text(m->kind, sizeof(m->kind), s, 7);
		if (m->estimated_milli > 0)
			d->estimated = 1;
	}
	br_bill_unprep(d->cache, s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bill meters", err);
	return 0;
}

/*
 * The latest register read of meter m at or before instant t and after
 * instant after: 1 found, 0 none, -1 error.
 */
static int
read_at(struct br_store *st, struct br_bill_doc *d,
    const struct br_bill_meterrow *m, int64_t t, int64_t after,
    int64_t *at, int64_t *value, int *quality, struct br_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = br_bill_prep(st, d->cache, "SELECT read_utc, value_milli, quality "
	    "FROM register_read WHERE meter_id = ?1 AND channel = ?2 AND "
	    "read_utc <= ?3 AND read_utc > ?4 ORDER BY read_utc DESC LIMIT 1",
	    err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, m->meter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, m->channel);
	sqlite3_bind_int64(s, 3, t);
	sqlite3_bind_int64(s, 4, after);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*at = sqlite3_column_int64(s, 0);
		*value = sqlite3_column_int64(s, 1);
		*quality = sqlite3_column_int(s, 2);
	}
	br_bill_unprep(d->cache, s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return br_store_fail(st, "read register reads", err);
	return rc == SQLITE_ROW;
}

/* Register value (multiplier applied) as the dial shows it. */
static int64_t
dial(int64_t v, int64_t multiplier_milli)
{
	if (multiplier_milli <= 0 || multiplier_milli == 1000)
		return v;
	return br_div_round(v * 1000, multiplier_milli, BR_ROUND_HALF_UP);
}

/*
 * Previous and current register reads of every meter row: the latest
 * read at or before the start of the period (00:00 of period_start,
 * utility zone) and the latest read after it at or before the end of
 * the period (00:00 after period_end).  A register that went down
 * (rollover, meter change) is not shown.
 */
static int
load_reads(struct br_store *st, struct br_bill_doc *d, struct br_error *err)
{
	struct br_bill_stmt_cache *c = d->cache;
	struct br_tz local, *tz = &local;
	int32_t from, to;
	int64_t lo, hi;
	size_t i;
	int rc = 0;

	if (d->nmeters == 0)
		return 0;
	if (br_date_parse(d->period_start, (size_t)-1, &from) != 0 ||
	    br_date_parse(d->period_end, (size_t)-1, &to) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "bill '%s': bad billing period", d->bill_id);
	if (c != NULL && c->have_tz)
		tz = &c->tz;
	else {
		if (c != NULL)
			tz = &c->tz;
		if (br_store_timezone(st, tz, err) != 0)
			return -1;
		if (c != NULL)
			c->have_tz = true;
	}
	lo = br_tz_day_start(tz, from);
	hi = br_tz_day_start(tz, to + 1);
	for (i = 0; i < d->nmeters && rc == 0; i++) {
		struct br_bill_meterrow *m = &d->meters[i];
		int64_t pt, pv, ct, cv;
		int pq, cq, got;

		if ((got = read_at(st, d, m, lo, INT64_MIN, &pt, &pv, &pq,
		    err)) < 0 || (got && (got = read_at(st, d, m, hi, pt, &ct,
		    &cv, &cq, err)) < 0)) {
			rc = -1;
			break;
		}
		if (!got || cv < pv)
			continue;
		m->has_reads = 1;
		br_date_format(br_tz_local_day(tz, pt), m->prev_date,
		    sizeof(m->prev_date));
		br_date_format(br_tz_local_day(tz, ct), m->cur_date,
		    sizeof(m->cur_date));
		m->prev_dial_milli = dial(pv, m->multiplier_milli);
		m->cur_dial_milli = dial(cv, m->multiplier_milli);
		m->prev_estimated = (pq & BR_Q_ESTIMATED) != 0;
		m->cur_estimated = (cq & BR_Q_ESTIMATED) != 0;
		m->read_usage_milli = cv - pv;
	}
	if (tz == &local)
		br_tz_release(&local);
	return rc;
}

static int
load_all_meters(struct br_store *st, struct br_bill_doc *d,
    struct br_error *err)
{
	size_t i, cap = 0;

	for (i = 0; i < d->nsvc; i++) {
		if (i > 0 && strcmp(d->svc[i].sp_id, d->svc[i - 1].sp_id) == 0)
			continue;
		if (load_meters(st, d, &cap, d->svc[i].sp_id, d->svc[i].sp_id,
		    "EXISTS(SELECT 1 FROM meter_install mi WHERE "
		    "mi.sp_id = ?2 AND " INSTALLED_IN_PERIOD ")", err) != 0)
			return -1;
	}
	/* Meters billed but not installed on any of the account's points. */
	return load_meters(st, d, &cap, "", d->account_id, "NOT EXISTS("
	    "SELECT 1 FROM meter_install mi JOIN service_agreement sa "
	    "ON sa.sp_id = mi.sp_id AND sa.account_id = ?2 AND "
	    "sa.start_date <= ?4 AND (sa.end_date IS NULL OR "
	    "sa.end_date = '' OR sa.end_date >= ?3) WHERE "
	    INSTALLED_IN_PERIOD ")", err);
}

static int
load_items(struct br_store *st, struct br_bill_doc *d, struct br_error *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int64_t sum = 0;
	int rc;

	s = br_bill_prep(st, d->cache, "SELECT COUNT(DISTINCT sp_id) FROM bill_line "
	    "WHERE bill_id = ?1 AND sp_id <> ''", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, d->bill_id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		d->nsp_items = sqlite3_column_int(s, 0);
	br_bill_unprep(d->cache, s);
	s = br_bill_prep(st, d->cache, "SELECT sp_id, code, description, "
	    "quantity_milli, unit, rate_micro, amount_cents, CASE WHEN code "
	    "IN ('NEM_BANK', 'NEM_TRUEUP') THEN trace ELSE '' END, "
	    "COALESCE(rate_nano, rate_micro * 1000) "
	    "FROM bill_line WHERE bill_id = ?1 ORDER BY seq", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, d->bill_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_bill_item *it;

		if (grow((void **)&d->items, &cap, d->nitems, sizeof(*it),
		    err)) {
			br_bill_unprep(d->cache, s);
			return -1;
		}
		it = &d->items[d->nitems++];
		br_store_column_text(it->sp_id, sizeof(it->sp_id), s, 0);
		br_store_column_text(it->code, sizeof(it->code), s, 1);
		br_store_column_text(it->description, sizeof(it->description), s, 2);
		it->quantity_milli = sqlite3_column_int64(s, 3);
		br_store_column_text(it->unit, sizeof(it->unit), s, 4);
		it->rate_micro = sqlite3_column_int64(s, 5);
		it->amount_cents = sqlite3_column_int64(s, 6);
		br_store_column_text(it->nem_trace, sizeof(it->nem_trace), s,
		    7);
		it->rate_nano = sqlite3_column_int64(s, 8);
		sum += it->amount_cents;
	}
	br_bill_unprep(d->cache, s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bill lines", err);
	if (sum != d->total_cents) {
		char a[32], t[32];
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "bill '%s': lines add up to %s but the total is %s",
		    d->bill_id, br_cents_format(sum, a, sizeof(a)),
		    br_cents_format(d->total_cents, t, sizeof(t)));
	}
	return 0;
}

static int
period_days(const char *from, const char *to, int *days)
{
	int32_t d0, d1;

	if (br_date_parse(from, (size_t)-1, &d0) != 0 ||
	    br_date_parse(to, (size_t)-1, &d1) != 0 || d1 < d0)
		return -1;
	*days = (int)(d1 - d0 + 1);
	return 0;
}

/*
 * One series of the usage history: this bill and the account's earlier
 * bills (draft or issued, period ending before this one), at most
 * BR_RENDER_HISTORY, delivered and received usage of the meters of kind
 * h->kind in unit h->unit.  Months before go-live come from the
 * converted legacy history (legacy_usage, br-convert(5)): the period
 * totals of the account's service points of that kind while it held
 * them, summed per period; a legacy period
 * that a billrun bill of the account overlaps is left out (billrun's
 * bill takes precedence).  A legacy bar has no bill id and no received
 * usage (the legacy extract carries delivered usage only).
 */
/* A bill_meter row bm whose meter is of kind ?4. */
#define METER_KIND "COALESCE((SELECT m.kind FROM meter m " \
	"WHERE m.meter_id = bm.meter_id), '') = ?4"

static int
load_series(struct br_store *st, struct br_bill_doc *d,
    struct br_bill_series *h, struct br_error *err)
{
	struct br_bill_bar tmp[BR_RENDER_HISTORY];
	sqlite3_stmt *s;
	int rc, i, n = 0;

	s = br_bill_prep(st, d->cache, "SELECT b.bill_id, b.period_start, "
	    "b.period_end, (SELECT COALESCE(SUM(bm.usage_milli), 0) "
	    "FROM bill_meter bm WHERE bm.bill_id = b.bill_id AND "
	    "bm.channel = 1 AND bm.unit = ?3 AND " METER_KIND "), "
	    "(SELECT COALESCE(SUM(bm.usage_milli), 0) FROM bill_meter bm "
	    "WHERE bm.bill_id = b.bill_id AND bm.channel = 2 AND "
	    "bm.unit = ?3 AND " METER_KIND ") FROM bill b "
	    "WHERE b.bill_id = ?2 OR (b.account_id = ?1 AND "
	    "b.period_end < (SELECT period_start FROM bill WHERE bill_id = ?2) "
	    "AND b.status IN ('draft', 'issued')) "
	    "UNION ALL "
	    "SELECT '', lu.period_start, lu.period_end, SUM(lu.usage_milli), "
	    "0 FROM legacy_usage lu WHERE lu.unit = ?3 AND lu.tou_period = '' "
	    "AND COALESCE((SELECT sp.kind FROM service_point sp "
	    "WHERE sp.sp_id = lu.sp_id), '') = ?4 "
	    "AND lu.period_end < (SELECT period_start FROM bill "
	    "WHERE bill_id = ?2) "
	    "AND EXISTS (SELECT 1 FROM service_agreement sa "
	    "WHERE sa.account_id = ?1 AND sa.sp_id = lu.sp_id "
	    "AND sa.start_date <= lu.period_end AND (sa.end_date IS NULL "
	    "OR sa.end_date = '' OR sa.end_date >= lu.period_start)) "
	    "AND NOT EXISTS (SELECT 1 FROM bill b WHERE b.account_id = ?1 "
	    "AND b.status IN ('draft', 'issued') "
	    "AND b.period_start <= lu.period_end "
	    "AND b.period_end >= lu.period_start) "
	    "GROUP BY lu.period_start, lu.period_end "
	    "ORDER BY 3 DESC, 1 DESC LIMIT 13", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, d->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, d->bill_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, h->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, h->kind, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < BR_RENDER_HISTORY) {
		struct br_bill_bar *b = &tmp[n];

		br_store_column_text(b->bill_id, sizeof(b->bill_id), s, 0);
		br_store_column_text(b->period_start, sizeof(b->period_start), s, 1);
		br_store_column_text(b->period_end, sizeof(b->period_end), s, 2);
		b->usage_milli = sqlite3_column_int64(s, 3);
		b->received_milli = sqlite3_column_int64(s, 4);
		if (b->received_milli != 0)
			h->received = 1;
		if (period_days(b->period_start, b->period_end, &b->days) != 0)
			b->days = 0;
		n++;
	}
	br_bill_unprep(d->cache, s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return br_store_fail(st, "read usage history", err);
	h->n = n;
	for (i = 0; i < n; i++)
		h->bar[i] = tmp[n - 1 - i];
	return 0;
}

/*
 * Received kWh of a net-metering account's bars from rate-apply's
 * bill_sp.export_milli (the exports it netted or credited), for bills
 * whose bill_meter rows carry only the delivered channel.
 */
static int
load_exports(struct br_store *st, struct br_bill_doc *d,
    struct br_bill_series *h, struct br_error *err)
{
	sqlite3_stmt *s;
	int i, rc = SQLITE_DONE;

	s = br_bill_prep(st, d->cache, "SELECT COALESCE(SUM(export_milli), 0) "
	    "FROM bill_sp WHERE bill_id = ?1", err);
	if (s == NULL)
		return -1;
	for (i = 0; i < h->n; i++) {
		struct br_bill_bar *b = &h->bar[i];

		if (b->received_milli != 0)
			continue;
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, b->bill_id, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(s)) != SQLITE_ROW)
			break;
		b->received_milli = sqlite3_column_int64(s, 0);
		if (b->received_milli != 0)
			h->received = 1;
		rc = SQLITE_DONE;
	}
	br_bill_unprep(d->cache, s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read usage history exports", err);
	return 0;
}

/*
 * The usage history: a series per kind and unit of the bill's delivered
 * meters, in meter order (electric kWh and water gal are two series,
 * and so are gas CCF and water CCF: never one sum), at most
 * BR_RENDER_SERIES; the kind is the meter's (meter.kind).  Received kWh:
 * the received channel's bill_meter rows, else (net-metering accounts)
 * bill_sp's exports.
 */
static int
load_history(struct br_store *st, struct br_bill_doc *d,
    struct br_error *err)
{
	size_t i, k;
	int j, nem = 0;

	for (k = 0; k < d->nsvc; k++)
		nem |= d->svc[k].net_metering[0] != '\0';
	for (i = 0; i < d->nmeters && d->nhist < BR_RENDER_SERIES; i++) {
		const struct br_bill_meterrow *m = &d->meters[i];
		struct br_bill_series *h = &d->hist[d->nhist];

		if (m->channel != BR_CHANNEL_DELIVERED || m->unit[0] == '\0')
			continue;
		for (j = 0; j < d->nhist; j++)
			if (strcmp(d->hist[j].unit, m->unit) == 0 &&
			    strcmp(d->hist[j].kind, m->kind) == 0)
				break;
		if (j < d->nhist)
			continue;
		memset(h, 0, sizeof(*h));
		snprintf(h->unit, sizeof(h->unit), "%s", m->unit);
		snprintf(h->kind, sizeof(h->kind), "%s", m->kind);
		if (load_series(st, d, h, err) != 0)
			return -1;
		if (strcmp(h->unit, "kWh") == 0 && nem &&
		    load_exports(st, d, h, err) != 0)
			return -1;
		d->nhist++;
	}
	return 0;
}

/* tou row of (sp_id, period), appended when new; NULL: no memory. */
static struct br_bill_tou *
tou_row(struct br_bill_doc *d, size_t *cap, const char *sp_id,
    const char *period, size_t plen, const char *unit, struct br_error *err)
{
	struct br_bill_tou *t;
	size_t i;

	if (plen >= sizeof(t->period))
		plen = sizeof(t->period) - 1;
	for (i = 0; i < d->ntou; i++)
		if (strcmp(d->tou[i].sp_id, sp_id) == 0 &&
		    strncmp(d->tou[i].period, period, plen) == 0 &&
		    d->tou[i].period[plen] == '\0')
			return &d->tou[i];
	if (grow((void **)&d->tou, cap, d->ntou, sizeof(*t), err) != 0)
		return NULL;
	t = &d->tou[d->ntou++];
	memset(t, 0, sizeof(*t));
	snprintf(t->sp_id, sizeof(t->sp_id), "%s", sp_id);
	memcpy(t->period, period, plen);
	t->period[plen] = '\0';
	snprintf(t->unit, sizeof(t->unit), "%s", unit);
	return t;
}

/* "net metering P: delivered D - received R U; bank A + surplus S - used
 * X = B U ..." -> its fields (decimal text). */
static int
nem_fields(const char *t, char f[7][32], char *prog, char *unit)
{
	return sscanf(t, "net metering %31s delivered %31s - received %31s "
	    "%15[^;]; bank %31s + surplus %31s - used %31s = %31s",
	    prog, f[0], f[1], unit, f[2], f[3], f[4], f[5]) == 8;
}

#define TRACE_PERIODS 16	/* TOU periods of one NEM_BANK trace */

struct trace_period {		/* "NAME D - R" of a NEM_BANK trace */
	const char *name;
	size_t len;
	int64_t delivered_milli, received_milli;
	int64_t banked_milli, credit_milli, billed_milli;
};

/*
 * The "NAME D - R" items of "[by period: ...]" at p into per; returns
 * how many, or 0 when the text is not that.
 */
static size_t
trace_periods(const char *p, struct trace_period *per)
{
	const char *end = p + strcspn(p, "]"), *q, *r;
	size_t n = 0;

	while (p < end) {
		size_t len = strcspn(p, ",]");

		if (n == TRACE_PERIODS)
			return 0;
		if (p + len > end)
			len = (size_t)(end - p);
		/* "NAME D - R": from the right, R then " - " then D. */
		for (r = p + len; r > p && r[-1] != ' '; r--)
			;
		for (q = r - 3; q > p && q[-1] != ' '; q--)
			;
		if (q <= p || r - 3 < p || strncmp(r - 3, " - ", 3) != 0 ||
		    br_decimal_parse(q, (size_t)(r - 3 - q), 3,
		    &per[n].delivered_milli) != 0 ||
		    br_decimal_parse(r, (size_t)(p + len - r), 3,
		    &per[n].received_milli) != 0)
			return 0;
		per[n].name = p;
		per[n].len = (size_t)(q - 1 - p);
		n++;
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return n;
}

/*
 * Replay rate-apply's netting of one segment (lib/rate/charges.c,
 * net_energy): each period's surplus (received over delivered) goes
 * into the bank first; then, in period order, each positive net draws
 * what the bank holds, and the rest is billed.  Returns 1 when the
 * replay gives the trace's own surplus and used figures, else 0.
 */
static int
replay_bank(struct trace_period *per, size_t n, int64_t bank_in,
    int64_t surplus, int64_t used)
{
	int64_t bank, added = 0, taken = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t net = per[i].delivered_milli - per[i].received_milli;

		per[i].banked_milli = net < 0 ? -net : 0;
		per[i].billed_milli = net > 0 ? net : 0;
		added += per[i].banked_milli;
	}
	bank = bank_in + added;
	for (i = 0; i < n; i++) {
		int64_t take = per[i].billed_milli < bank ?
		    per[i].billed_milli : bank;

		per[i].credit_milli = take;
		per[i].billed_milli -= take;
		bank -= take;
		taken += take;
	}
	return added == surplus && taken == used;
}

/*
 * "[by period: on_peak 120.000 - 80.000, off_peak 267.903 - 137.535]"
 * of a NEM_BANK trace (rate-apply's netting per TOU period) into tou
 * rows, with the bank replayed (replay_bank), summed over the line's
 * segments (seasons, rate changes).  A trace that does not read or
 * replay adds nothing (tou_check then drops the service point's table).
 */
static int
tou_from_trace(struct br_bill_doc *d, size_t *cap,
    const struct br_bill_item *it, struct br_error *err)
{
	struct trace_period per[TRACE_PERIODS];
	const char *p = strstr(it->nem_trace, " [by period: ");
	char f[7][32], prog[32], unit[16];
	int64_t bank_in, surplus, used;
	size_t i, n;

	if (p == NULL || !nem_fields(it->nem_trace, f, prog, unit) ||
	    br_decimal_parse(f[2], (size_t)-1, 3, &bank_in) != 0 ||
	    br_decimal_parse(f[3], (size_t)-1, 3, &surplus) != 0 ||
	    br_decimal_parse(f[4], (size_t)-1, 3, &used) != 0)
		return 0;
	n = trace_periods(p + strlen(" [by period: "), per);
	if (n == 0 || !replay_bank(per, n, bank_in, surplus, used))
		return 0;
	for (i = 0; i < n; i++) {
		struct br_bill_tou *t = tou_row(d, cap, it->sp_id, per[i].name,
		    per[i].len, unit, err);

		if (t == NULL)
			return -1;
		t->bank = 1;
		t->delivered_milli += per[i].delivered_milli;
		t->received_milli += per[i].received_milli;
		t->banked_milli += per[i].banked_milli;
		t->credit_milli += per[i].credit_milli;
		t->billed_milli += per[i].billed_milli;
	}
	return 0;
}

/*
 * Sum of the quantities of sp_id's energy lines: of TOU period `period`
 * (ENERGY_<PERIOD>, ENERGY_<PERIOD>_T<n>), or of all of them (period
 * NULL: every code starting ENERGY).
 */
static int64_t
energy_billed(const struct br_bill_doc *d, const char *sp_id,
    const char *period)
{
	char up[40];
	int64_t q = 0;
	size_t i, n = 0;

	if (period != NULL) {
		for (n = 0; period[n] && n + 8 < sizeof(up); n++)
			up[7 + n] = (period[n] >= 'a' && period[n] <= 'z') ?
			    (char)(period[n] - 'a' + 'A') : period[n];
		memcpy(up, "ENERGY_", 7);
		n += 7;
		up[n] = '\0';
	}
	for (i = 0; i < d->nitems; i++) {
		const struct br_bill_item *it = &d->items[i];
		const char *c = it->code + n;

		if (strcmp(it->sp_id, sp_id) != 0)
			continue;
		if (period == NULL) {
			if (strncmp(it->code, "ENERGY", 6) == 0)
				q += it->quantity_milli;
			continue;
		}
		if (strncmp(it->code, up, n) != 0)
			continue;
		if (c[0] == '_' && c[1] == 'T' && c[2] != '\0')
			for (c += 2; *c >= '0' && *c <= '9'; c++)
				;
		if (*c == '\0')
			q += it->quantity_milli;
	}
	return q;
}

/*
 * 1 when the net-metering table of sp_id tells what was charged: its
 * delivered and received add up to the NEM_BANK traces' totals and
 * each period's billed kWh to the period's energy lines (all of them:
 * the energy lines hold nothing the table leaves out).
 */
static int
tou_check(const struct br_bill_doc *d, const char *sp_id)
{
	char f[7][32], prog[32], unit[16];
	int64_t dv = 0, rv = 0, billed = 0, v;
	size_t i;

	for (i = 0; i < d->nitems; i++) {
		const struct br_bill_item *it = &d->items[i];

		if (strcmp(it->sp_id, sp_id) != 0 ||
		    strcmp(it->code, "NEM_BANK") != 0)
			continue;
		if (!nem_fields(it->nem_trace, f, prog, unit) ||
		    br_decimal_parse(f[0], (size_t)-1, 3, &v) != 0)
			return 0;
		dv += v;
		if (br_decimal_parse(f[1], (size_t)-1, 3, &v) != 0)
			return 0;
		rv += v;
	}
	for (i = 0; i < d->ntou; i++) {
		const struct br_bill_tou *t = &d->tou[i];

		if (strcmp(t->sp_id, sp_id) != 0)
			continue;
		if (energy_billed(d, sp_id, t->period) != t->billed_milli)
			return 0;
		dv -= t->delivered_milli;
		rv -= t->received_milli;
		billed += t->billed_milli;
	}
	return dv == 0 && rv == 0 && energy_billed(d, sp_id, NULL) == billed;
}

/* Drop the net-metering rows of every service point tou_check fails. */
static void
tou_keep_checked(struct br_bill_doc *d)
{
	size_t i, k, j;

	for (i = 0; i < d->ntou; i++) {
		char sp[64];

		if (!d->tou[i].bank || tou_check(d, d->tou[i].sp_id))
			continue;
		snprintf(sp, sizeof(sp), "%s", d->tou[i].sp_id);
		for (k = j = 0; k < d->ntou; k++)
			if (strcmp(d->tou[k].sp_id, sp) != 0)
				d->tou[j++] = d->tou[k];
		d->ntou = j;
		i = (size_t)-1;		/* start over */
	}
}

/*
 * Net billing per TOU period: EXPORT_<P> lines ("Export credit NAME")
 * give the received energy, the service point's ENERGY_<P> and
 * ENERGY_<P>_T<n> lines the delivered energy.
 */
static int
tou_from_exports(struct br_bill_doc *d, size_t *cap,
    const struct br_bill_item *x, struct br_error *err)
{
	static const char pre[] = "Export credit ";
	const char *up = x->code + 7, *name = x->description;
	struct br_bill_tou *t;
	size_t i, n = strlen(up), nlen;

	if (strncmp(name, pre, sizeof(pre) - 1) != 0)
		return 0;
	name += sizeof(pre) - 1;
	nlen = strcspn(name, ",");
	for (i = 0; i < d->nitems; i++)
		if (strcmp(d->items[i].sp_id, x->sp_id) == 0 &&
		    strncmp(d->items[i].code, "ENERGY_", 7) == 0 &&
		    strncmp(d->items[i].code + 7, up, n) == 0)
			break;
	if (i == d->nitems)
		return 0;	/* energy not billed by period: no table */
	if ((t = tou_row(d, cap, x->sp_id, name, nlen, x->unit, err)) == NULL)
		return -1;
	t->received_milli += x->quantity_milli;
	for (i = 0; i < d->nitems; i++) {
		const struct br_bill_item *it = &d->items[i];

		if (strcmp(it->sp_id, x->sp_id) != 0 ||
		    strncmp(it->code, "ENERGY_", 7) != 0 ||
		    strncmp(it->code + 7, up, n) != 0 ||
		    !(it->code[7 + n] == '\0' || (it->code[7 + n] == '_' &&
		    it->code[8 + n] == 'T')))
			continue;
		t->delivered_milli += it->quantity_milli;
	}
	return 0;
}

/*
 * Delivered and received per TOU period of every service point whose
 * lines show them (net metering by period, net billing by period).
 */
static int
load_tou(struct br_bill_doc *d, struct br_error *err)
{
	size_t i, cap = 0;

	for (i = 0; i < d->nitems; i++) {
		const struct br_bill_item *it = &d->items[i];

		if (strcmp(it->code, "NEM_BANK") == 0) {
			if (tou_from_trace(d, &cap, it, err) != 0)
				return -1;
		} else if (strncmp(it->code, "EXPORT_", 7) == 0) {
			if (tou_from_exports(d, &cap, it, err) != 0)
				return -1;
		}
	}
	tou_keep_checked(d);
	return 0;
}

/* 1 when the store has table `name` (optional tables of other stages). */
static int
has_table(struct br_store *st, const char *name)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = ?1", -1, &s, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW;
}

/*
 * Net-metering banks: for every enrolled service point, the kWh credit
 * rate-apply carried over (bill_sp.nem_bank_milli), when the store keeps
 * one.
 */
static int
load_nem(struct br_store *st, struct br_bill_doc *d, struct br_error *err)
{
	sqlite3_stmt *s;
	size_t i, cap = 0;
	int rc;

	for (i = 0; i < d->nsvc; i++)
		if (d->svc[i].net_metering[0] != '\0')
			break;
	if (i == d->nsvc || !has_table(st, "bill_sp"))
		return 0;
	s = br_bill_prep(st, d->cache, "SELECT nem_bank_milli FROM bill_sp "
	    "WHERE bill_id = ?1 AND sp_id = ?2", err);
	if (s == NULL)
		return -1;
	for (i = 0; i < d->nsvc; i++) {
		struct br_bill_nem *n;

		if (d->svc[i].net_metering[0] == '\0' || (i > 0 &&
		    strcmp(d->svc[i].sp_id, d->svc[i - 1].sp_id) == 0))
			continue;
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, d->bill_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, d->svc[i].sp_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			continue;
		if (rc != SQLITE_ROW) {
			br_bill_unprep(d->cache, s);
			return br_store_fail(st, "read net-metering bank", err);
		}
		if (grow((void **)&d->nem, &cap, d->nnem, sizeof(*n), err)) {
			br_bill_unprep(d->cache, s);
			return -1;
		}
		n = &d->nem[d->nnem++];
		snprintf(n->sp_id, sizeof(n->sp_id), "%s", d->svc[i].sp_id);
		snprintf(n->program, sizeof(n->program), "%s",
		    d->svc[i].net_metering);
		n->bank_milli = sqlite3_column_int64(s, 0);
		snprintf(n->unit, sizeof(n->unit), "kWh");
	}
	br_bill_unprep(d->cache, s);
	return 0;
}

static int
load_replaced(struct br_store *st, struct br_bill_doc *d,
    struct br_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (d->replaces[0] == '\0')
		return 0;
	s = br_bill_prep(st, d->cache, "SELECT total_cents FROM bill "
	    "WHERE bill_id = ?1", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, d->replaces, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		d->replaced_cents = sqlite3_column_int64(s, 0);
	br_bill_unprep(d->cache, s);
	if (rc == SQLITE_DONE)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "bill '%s' replaces '%s', which is not in the store",
		    d->bill_id, d->replaces);
	if (rc != SQLITE_ROW)
		return br_store_fail(st, "read replaced bill", err);
	return 0;
}

/* The scan line: the digits of the account id and the amount due. */
static void
make_scanline(struct br_bill_doc *d)
{
	char digits[64];
	size_t n = 0;
	const char *p;
	struct br_error e;

	for (p = d->account_id; *p != '\0' && n < sizeof(digits) - 1; p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	digits[n] = '\0';
	d->scanline[0] = '\0';
	if (n == 0 || br_scanline_build(digits, d->due_cents > 0 ?
	    d->due_cents : 0, d->scanline, &e) != 0)
		d->scanline[0] = '\0';
}

/* 1 when s is n digits. */
static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[n] == '\0';
}

/*
 * The Intelligent Mail barcode: tracking code = barcode id, service type,
 * mailer id and serial (the digits of the account id, zero-filled to 9
 * digits with a 6-digit mailer id, to 6 with a 9-digit one; none when
 * the account id has no digits or too many); routing code = the ZIP or
 * ZIP+4 that ends the mailing address ("" when there is none).
 */
static void
make_imb(struct br_bill_doc *d)
{
	char serial[16], why[100];
	size_t n = 0, want, len, i;
	const char *p, *m = d->mailing;

	d->imb[0] = d->imb_tracking[0] = d->imb_routing[0] = '\0';
	if (d->imb_mid[0] == '\0')
		return;
	want = strlen(d->imb_mid) == 6 ? 9 : 6;
	for (p = d->account_id; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9' && n++ >= want)
			return;
	if (n == 0)
		return;
	memset(serial, '0', want - n);
	for (i = want - n, p = d->account_id; *p != '\0'; p++)
		if (*p >= '0' && *p <= '9')
			serial[i++] = *p;
	serial[want] = '\0';
	snprintf(d->imb_tracking, sizeof(d->imb_tracking),
	    "%.2s%.3s%.9s%.9s", d->imb_bid, d->imb_stid, d->imb_mid, serial);
	len = strlen(m);
	while (len > 0 && m[len - 1] == ' ')
		len--;
	if (len >= 10 && m[len - 5] == '-' && (len == 10 || m[len - 11] ==
	    ' ')) {
		char zip[16];

		snprintf(zip, sizeof(zip), "%.5s%.4s", m + len - 10,
		    m + len - 4);
		if (all_digits(zip, 9))
			snprintf(d->imb_routing, sizeof(d->imb_routing), "%s",
			    zip);
	} else if (len >= 5 && (len == 5 || m[len - 6] == ' ')) {
		char zip[8];

		snprintf(zip, sizeof(zip), "%.5s", m + len - 5);
		if (all_digits(zip, 5))
			snprintf(d->imb_routing, sizeof(d->imb_routing), "%s",
			    zip);
	}
	if (br_imb_encode(d->imb_tracking, d->imb_routing, d->imb, why,
	    sizeof(why)) != 0)
		d->imb[0] = d->imb_tracking[0] = d->imb_routing[0] = '\0';
}

/*
 * The utility's name, address and phone, and the Intelligent Mail
 * barcode settings (imb_mailer_id: 6 digits 000000-899999 or 9 digits
 * 900000000-999999999, "" for no barcode; imb_service_type: 3 digits;
 * imb_barcode_id: 2 digits, the second 0-4, default 00).
 */
int
br_bill_load_utility(struct br_store *st, struct br_bill_doc *d,
    struct br_error *err)
{
	size_t n;

	if (br_store_setting_get(st, "name", "", d->uname, sizeof(d->uname),
	    err) < 0 || br_store_setting_get(st, "address", "", d->uaddr,
	    sizeof(d->uaddr), err) < 0 || br_store_setting_get(st, "phone",
	    "", d->uphone, sizeof(d->uphone), err) < 0 ||
	    br_store_setting_get(st, "imb_mailer_id", "", d->imb_mid,
	    sizeof(d->imb_mid), err) < 0 ||
	    br_store_setting_get(st, "imb_service_type", "", d->imb_stid,
	    sizeof(d->imb_stid), err) < 0 ||
	    br_store_setting_get(st, "imb_barcode_id", "00", d->imb_bid,
	    sizeof(d->imb_bid), err) < 0)
		return -1;
	if (d->imb_mid[0] == '\0')
		return 0;
	n = strlen(d->imb_mid);
	if (!(n == 6 && all_digits(d->imb_mid, 6) && d->imb_mid[0] != '9') &&
	    !(n == 9 && all_digits(d->imb_mid, 9) && d->imb_mid[0] == '9'))
		return br_error_set(err, BR_ECONFIG, NULL, 0, "setting "
		    "imb_mailer_id '%s': 6 digits (000000-899999) or 9 digits "
		    "(900000000-999999999)", d->imb_mid);
	if (!all_digits(d->imb_stid, 3))
		return br_error_set(err, BR_ECONFIG, NULL, 0, "setting "
		    "imb_service_type '%s': 3 digits required with "
		    "imb_mailer_id", d->imb_stid);
	if (!all_digits(d->imb_bid, 2) || d->imb_bid[1] > '4')
		return br_error_set(err, BR_ECONFIG, NULL, 0, "setting "
		    "imb_barcode_id '%s': 2 digits, the second 0-4",
		    d->imb_bid);
	return 0;
}

/*
 * The account's past due as of the bill date, as pay-reconcile
 * --late-fees recorded it (table past_due); 0 when it was not run or
 * nothing was past due.  Not recomputed here.
 */
static int
load_past_due(struct br_store *st, struct br_bill_doc *d,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT amount_cents, "
	    "oldest_due_date FROM past_due WHERE pd_key = ?1 || '/' || ?2",
	    err);
	int rc;

	d->past_due_cents = 0;
	d->past_due_since[0] = '\0';
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, d->bill_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, d->account_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		d->past_due_cents = sqlite3_column_int64(s, 0);
		snprintf(d->past_due_since, sizeof(d->past_due_since), "%s",
		    (const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return br_store_fail(st, "read past due", err);
	return 0;
}

/*
 * Fill d (bill fields already set) from the store; the utility block is
 * copied from util when not NULL (a run reads the settings once).
 */
/* Hours in a LEAK detail "(744 h 00 min)"; -1 when absent. */
static long
leak_hours(const char *detail)
{
	const char *p = strstr(detail, " h ");
	long h = 0, mul = 1;

	if (p == NULL)
		return -1;
	while (p > detail && p[-1] >= '0' && p[-1] <= '9') {
		h += (p[-1] - '0') * mul;
		mul *= 10;
		p--;
	}
	return mul > 1 ? h : -1;
}

/*
 * Bill messages from the validation exceptions of the account in the
 * period (not overridden): LEAK (longest run per meter), HIGH_USAGE
 * (the ratio against the prior period or last year), estimates (GAP_*:
 * days per meter and the method).  At most 4, in meter and code order.
 */
static int
load_notes(struct br_store *st, struct br_bill_doc *d, struct br_error *err)
{
	sqlite3_stmt *s = br_bill_prep(st, d->cache, "SELECT meter_id, code, "
	    "min(date), count(*), max(detail), group_concat(detail, '|') "
	    "FROM exception WHERE stage = 'validate' AND account_id = ?1 AND "
	    "date BETWEEN ?2 AND ?3 AND status <> 'overridden' AND code IN "
	    "('LEAK', 'HIGH_USAGE', 'GAP_LIKE_DAY', 'GAP_FALLBACK') "
	    "GROUP BY meter_id, code ORDER BY meter_id, code", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, d->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, d->period_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, d->period_end, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && d->nnotes < 4) {
		const char *meter = (const char *)sqlite3_column_text(s, 0),
		    *code = (const char *)sqlite3_column_text(s, 1),
		    *date = (const char *)sqlite3_column_text(s, 2),
		    *all = (const char *)sqlite3_column_text(s, 5), *p;
		int n = sqlite3_column_int(s, 3);
		char *out = d->notes[d->nnotes];
		long h = -1, x;

		if (meter == NULL || code == NULL || date == NULL)
			continue;
		if (strcmp(code, "LEAK") == 0) {
			for (p = all; p != NULL && *p; p = strchr(p, '|')) {
				if (*p == '|')
					p++;
				if ((x = leak_hours(p)) > h)
					h = x;
			}
			if (h > 0)
				snprintf(out, 320, "Possible leak: water ran "
				    "without stopping for %ld hours from %s "
				    "(meter %s). Please check toilets, taps, "
				    "hoses and irrigation.", h, date, meter);
			else
				snprintf(out, 320, "Possible leak: water ran "
				    "without stopping from %s (meter %s).",
				    date, meter);
		} else if (strcmp(code, "HIGH_USAGE") == 0) {
			const char *r = strrchr((const char *)
			    sqlite3_column_text(s, 4), '(');
			const char *of = strstr((const char *)
			    sqlite3_column_text(s, 4), " of the ");
			int64_t ratio;
			char lbl[64] = "usual";
			size_t k = 0;

			if (of != NULL) {
				of += 8;
				while (of[k] && !(of[k] == ' ' && of[k + 1] >=
				    '0' && of[k + 1] <= '9') && k + 1 <
				    sizeof(lbl))
					k++;
				memcpy(lbl, of, k);
				lbl[k] = '\0';
			}
			if (r != NULL && br_decimal_parse(r + 1,
			    strcspn(r + 1, "x"), 2, &ratio) == 0)
				snprintf(out, 320, "High usage: meter %s used "
				    "%ld%% more per day this period than in "
				    "the %s.", meter, (long)(ratio - 100),
				    lbl);
			else
				snprintf(out, 320, "High usage: meter %s used "
				    "more than usual this period.", meter);
		} else
			snprintf(out, 320, "Estimated: meter %s did not send "
			    "reads for %d day%s from %s; that use was "
			    "estimated from %s and will be corrected when "
			    "actual reads arrive.", meter, n, n == 1 ? "" :
			    "s", date, strcmp(code, "GAP_LIKE_DAY") == 0 ?
			    "similar days" : "the days before");
		d->nnotes++;
	}
	br_bill_unprep(d->cache, s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    br_store_fail(st, "read exceptions", err);
}

int
br_bill_doc_fill(struct br_store *st, struct br_bill_doc *d,
    const struct br_bill_doc *util, struct br_error *err)
{
	if (period_days(d->period_start, d->period_end, &d->days) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "bill '%s': bad billing period '%s' to '%s'", d->bill_id,
		    d->period_start, d->period_end);
	if (util != NULL) {
		memcpy(d->uname, util->uname, sizeof(d->uname));
		memcpy(d->uaddr, util->uaddr, sizeof(d->uaddr));
		memcpy(d->uphone, util->uphone, sizeof(d->uphone));
		memcpy(d->imb_mid, util->imb_mid, sizeof(d->imb_mid));
		memcpy(d->imb_stid, util->imb_stid, sizeof(d->imb_stid));
		memcpy(d->imb_bid, util->imb_bid, sizeof(d->imb_bid));
	} else if (br_bill_load_utility(st, d, err) != 0) {
		return -1;
	}
	if (br_ledger_statement(st, d->account_id, d->bill_id, d->bill_date,
	    &d->ls, err) != 0 || load_past_due(st, d, err) != 0)
		return -1;
	d->due_cents = d->ls.previous_cents + d->ls.payments_cents +
	    d->ls.adjustments_cents + d->total_cents;
	if (load_services(st, d, err) != 0 || load_all_meters(st, d, err) != 0
	    || load_reads(st, d, err) != 0 || load_items(st, d, err) != 0 ||
	    load_tou(d, err) != 0 || load_history(st, d, err) != 0 ||
	    load_nem(st, d, err) != 0 || load_replaced(st, d, err) != 0 ||
	    load_notes(st, d, err) != 0)
		return -1;
	make_scanline(d);
	make_imb(d);
	return 0;
}

void
br_bill_doc_free(struct br_bill_doc *d)
{
	free(d->svc);
	free(d->meters);
	free(d->items);
	free(d->nem);
	free(d->tou);
	d->tou = NULL;
	d->ntou = 0;
	d->svc = NULL;
	d->meters = NULL;
	d->items = NULL;
	d->nem = NULL;
	d->nsvc = d->nmeters = d->nitems = d->nnem = 0;
}

int
br_bill_doc_load(struct br_store *st, const char *bill_id,
    struct br_bill_doc *d, struct br_error *err)
{
	char sql[512];
	sqlite3_stmt *s;
	int rc;

	memset(d, 0, sizeof(*d));
	snprintf(sql, sizeof(sql), "%s WHERE b.bill_id = ?1", br_bill_select);
	if ((s = br_store_prepare(st, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		br_bill_from_stmt(s, d);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "no bill '%s' in the store", bill_id);
	if (rc != SQLITE_ROW)
		return br_store_fail(st, "read bill", err);
	return br_bill_doc_fill(st, d, NULL, err);
}

int
br_bill_therm_line(const struct br_bill_doc *d,
    const struct br_bill_meterrow *m, char *buf, size_t n)
{
	int64_t energy = 0, largest = 0, therms, factor;
	char v[32], f[32], t[32];
	size_t i;

	buf[0] = '\0';
	if (m->channel == BR_CHANNEL_RECEIVED || m->usage_milli <= 0 ||
	    (strcmp(m->unit, "CCF") != 0 && strcmp(m->unit, "CF") != 0 &&
	    strcmp(m->unit, "MCF") != 0))
		return 0;
	for (i = 0; i < d->nitems; i++) {
		const struct br_bill_item *it = &d->items[i];
		if (strcmp(it->sp_id, m->group) != 0 ||
		    strcmp(it->unit, "therm") != 0)
			continue;
		if (strncmp(it->code, "ENERGY", 6) == 0)
			energy += it->quantity_milli;
		if (it->quantity_milli > largest)
			largest = it->quantity_milli;
	}
	therms = energy > 0 ? energy : largest;
	if (therms <= 0)
		return 0;
	factor = br_div_round(therms * 1000, m->usage_milli,
	    BR_ROUND_HALF_UP);
	snprintf(buf, n, "%s %s x %s therm/%s (heat content) = %s therm", br_decimal_format(m->usage_milli, 3, 3, v, sizeof(v)),
	    m->unit, br_decimal_format(factor, 3, 3, f, sizeof(f)), m->unit,
	    br_decimal_format(therms, 3, 3, t, sizeof(t)));
	return 1;
}

/*
 * ", summer" of a NEM_BANK line "Net metering kWh bank, summer" when
 * sp_id has several (seasons, rate changes), else "".
 */
static const char *
nem_segment(const struct br_bill_doc *d, const struct br_bill_item *it)
{
	static const char pre[] = "Net metering kWh bank";
	size_t i, nbank = 0;

	for (i = 0; i < d->nitems; i++)
		nbank += strcmp(d->items[i].sp_id, it->sp_id) == 0 &&
		    strcmp(d->items[i].code, "NEM_BANK") == 0;
	if (nbank < 2 || strncmp(it->description, pre, sizeof(pre) - 1) != 0)
		return "";
	return it->description + sizeof(pre) - 1;
}

int
br_bill_nem_line(const struct br_bill_doc *d, const char *sp_id, int k,
    char *buf, size_t n)
{
	char f[7][32], prog[32], unit[16], a[32], b[32];
	int64_t dv, rv, exp_q = 0, exp_c = 0;
	int line = 0, nexp = 0, nbank = 0, m;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < d->nitems; i++) {
		const struct br_bill_item *it = &d->items[i];
		if (strcmp(it->sp_id, sp_id) != 0)
			continue;
		if (strcmp(it->code, "NEM_BANK") == 0 &&
		    nem_fields(it->nem_trace, f, prog, unit)) {
			const char *seg = nem_segment(d, it);

			nbank++;
			prog[strcspn(prog, ":")] = '\0';
			if (br_decimal_parse(f[0], (size_t)-1, 3, &dv) != 0 ||
			    br_decimal_parse(f[1], (size_t)-1, 3, &rv) != 0)
				continue;
			if (line++ == k) {
				snprintf(buf, n, "Net metering %s%s: "
				    "delivered %s %s, received (exported) %s "
				    "%s, net %s %s", prog, seg, f[0], unit,
				    f[1], unit, br_decimal_format(dv - rv, 3,
				    3, a, sizeof(a)), unit);
				return 1;
			}
			if (line++ == k) {
				snprintf(buf, n, "Credit bank%s: carried in %s "
				    "%s, surplus added %s, used %s, carried "
				    "forward %s %s", seg, f[2], unit, f[3],
				    f[4], f[5], unit);
				return 1;
			}
		} else if (strcmp(it->code, "NEM_TRUEUP") == 0 &&
		    sscanf(it->nem_trace, "annual true-up %31s (month %d)",
		    prog, &m) == 2) {
			if (line++ == k) {
				snprintf(buf, n, "Annual true-up (month %d): "
				    "%s %s of banked credit settled, credit "
				    "%s", m, br_decimal_format(
				    it->quantity_milli, 3, 3, a, sizeof(a)),
				    it->unit, br_cents_format(
				    -it->amount_cents, b, sizeof(b)));
				return 1;
			}
		} else if (strncmp(it->code, "EXPORT", 6) == 0) {
			exp_q += it->quantity_milli;
			exp_c += it->amount_cents;
			nexp++;
		}
	}
	if (nexp > 0 && line++ == k) {
		snprintf(buf, n, "Net billing: exported %s kWh, export credit "
		    "%s", br_decimal_format(exp_q, 3, 3, a, sizeof(a)),
		    br_cents_format(-exp_c, b, sizeof(b)));
		return 1;
	}
	/* A bank this bill did not touch (no NEM_BANK line): its balance. */
	for (i = 0; nbank == 0 && i < d->nnem; i++)
		if (strcmp(d->nem[i].sp_id, sp_id) == 0 &&
		    d->nem[i].bank_milli != 0 && line++ == k) {
			snprintf(buf, n, "Net metering %s: credit bank carried "
			    "forward %s %s", d->nem[i].program,
			    br_decimal_format(d->nem[i].bank_milli, 3, 3, a,
			    sizeof(a)), d->nem[i].unit);
			return 1;
		}
	return 0;
}

/* The year of a date "YYYY-MM-DD" (digits assumed). */
static int
year4(const char *s)
{
	return (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
}

int
br_bill_series_last_year(const struct br_bill_series *h)
{
	const char *c;
	int i;

	if (h->n < 2 || strlen(h->bar[h->n - 1].period_end) != 10)
		return -1;
	c = h->bar[h->n - 1].period_end;
	for (i = 0; i < h->n - 1; i++) {
		const char *e = h->bar[i].period_end;
		if (strlen(e) == 10 && strncmp(e + 4, c + 4, 3) == 0 &&
		    year4(e) + 1 == year4(c))
			return i;
	}
	return -1;
}

const char *
br_bill_series_label(const struct br_bill_series *h, char *buf, size_t n)
{
	snprintf(buf, n, "%s", h->kind[0] ? h->kind : "usage");
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return buf;
}

void
br_bill_tou_columns(const struct br_bill_tou *t, int64_t v[6])
{
	v[0] = t->delivered_milli;
	v[1] = t->received_milli;
	v[2] = t->delivered_milli - t->received_milli;
	v[3] = t->banked_milli;
	v[4] = t->credit_milli;
	v[5] = t->billed_milli;
}
