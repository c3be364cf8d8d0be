/* SPDX-License-Identifier: Apache-2.0 */
/*
 * espi.c: the Green Button Download My Data writer (espi.h).  Accounts,
 * their meters (installs on service points the account held), the
 * meter-days in the window and the bills come from the store with plain
 * SQL; the feed is written entry by entry (memory: one meter-day).
 *
 * Ids: hrefs are BASE/RetailCustomer/ACCOUNT/UsagePoint/METER/...
 * (ids percent-encoded), so ami-import of the feed finds the meter again
 * by the UsagePoint id; Atom ids are name-based UUIDs (RFC 9562 version
 * 8) of SHA-256 over the entry's self href.
 */
#include "export/espi.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/reads.h"
#include "core/sha256.h"
#include "core/tz.h"
#include "core/units.h"
#include "io/csvio.h"
#include "core/banned.h"

#define HREF_MAX 512

struct meter {
	char id[64], kind[16], unit[16], sp[64];
	int uom, power;			/* ESPI ReadingType */
	int64_t size;			/* value written = milli x size */
	int32_t from[8], to[8];		/* install x agreement windows */
	int nwin;
};

struct ex {
	struct br_store *st;
	const struct br_espi_opts *o;
	FILE *xml, *csv;
	struct br_espi_stats *stats;
	struct br_error *err;
	struct br_tz tz;
	const char *base;
	int32_t win_from, win_to;	/* local days, inclusive */
	int64_t feed_updated;
	char account[64];
};

/* ---- small writers ---- */

/* snprintf that may cut (hrefs and titles are bounded by design). */
static void bfmt(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
bfmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

static void
xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Percent-encode everything but RFC 3986 unreserved characters. */
static void
pct(char *dst, size_t n, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;

	for (; *s && k + 4 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			dst[k++] = (char)c;
		else {
			dst[k++] = '%';
			dst[k++] = hex[c >> 4];
			dst[k++] = hex[c & 15];
		}
	}
	dst[k] = '\0';
}

static void
stamp(char *buf, size_t n, int64_t t)
{
	char tmp[32];

	br_time_format_utc(t, tmp, sizeof(tmp));	/* ...THH:MM:SSZ */
	bfmt(buf, n, "%s", tmp);
}

/* urn:uuid of SHA-256(name), version 8, RFC 9562 variant. */
static void
uuid_of(char out[46], const char *name)
{
	struct br_sha256 s;
	char h[65];

	br_sha256_init(&s);
	br_sha256_update(&s, name, strlen(name));
	br_sha256_final_hex(&s, h);
	h[12] = '8';
	h[16] = "89ab"[(h[16] >= 'a' ? h[16] - 'a' + 10 : h[16] - '0') & 3];
	bfmt(out, 46, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8,
	    h + 12, h + 16, h + 20);
}

/* Entry head: id, self/up/related links, title. */
static void
entry_open(struct ex *x, const char *self, const char *up,
    const char *const *rel, int nrel, const char *title)
{
	char id[46];
	int i;

	uuid_of(id, self);
	fprintf(x->xml, "  <entry>\n    <id>%s</id>\n", id);
	fprintf(x->xml, "    <link rel=\"self\" href=\"");
	xml_text(x->xml, self);
	fprintf(x->xml, "\"/>\n    <link rel=\"up\" href=\"");
	xml_text(x->xml, up);
	fputs("\"/>\n", x->xml);
	for (i = 0; i < nrel; i++) {
		fputs("    <link rel=\"related\" href=\"", x->xml);
		xml_text(x->xml, rel[i]);
		fputs("\"/>\n", x->xml);
	}
	fputs("    <title>", x->xml);
	xml_text(x->xml, title);
	fputs("</title>\n    <content>\n", x->xml);
}

static void
entry_close(struct ex *x, int64_t updated)
{
	char t[40];

	stamp(t, sizeof(t), updated);
	fprintf(x->xml, "    </content>\n    <published>%s</published>\n"
	    "    <updated>%s</updated>\n  </entry>\n", t, t);
}

unsigned long
br_espi_dst_rule(int month, int week, int wday, long time_s)
{
	unsigned long op = week >= 5 ? 7 : (unsigned long)week + 1;
	unsigned long dow = wday == 0 ? 7 : (unsigned long)wday;

	if (time_s < 0)
		time_s = 0;
	return ((unsigned long)month & 15) << 28 | (op & 7) << 25 |
	    (dow & 7) << 17 | ((unsigned long)(time_s / 3600) & 31) << 12 |
	    ((unsigned long)(time_s % 3600) & 0xFFF);
}

/* ---- store queries ---- */

static int
sql_fail(struct ex *x, const char *what)
{
	return br_store_fail(x->st, what, x->err);
}

/* Day of 'YYYY-MM-DD' text, or def when NULL/empty/bad. */
static int32_t
day_of(sqlite3_stmt *s, int col, int32_t def)
{
	const char *t = (const char *)sqlite3_column_text(s, col);
	int32_t d;

	if (t == NULL || t[0] == '\0' || br_date_parse(t, strlen(t), &d) != 0)
		return def;
	return d;
}

static int
meter_unit(struct meter *m)
{
	const struct br_unit *u = br_unit_find(m->unit);
	int64_t size;

	if (u == NULL)
		return -1;
	switch (u->family) {
	case BR_UNIT_WH: m->uom = 72; break;
	case BR_UNIT_CF: m->uom = 119; break;
	case BR_UNIT_GAL: m->uom = 128; break;
	case BR_UNIT_THERM: m->uom = 169; break;
	default: return -1;
	}
	/* milli-units x size base units x 10^-3, the power as high as the
	 * size allows: kWh -> Wh x 10^0, CCF -> CF x 10^-1, gal -> 10^-3. */
	size = u->size;
	m->power = -3;
	while (m->power < 0 && size % 10 == 0) {
		size /= 10;
		m->power++;
	}
	m->size = size;
	return 0;
}

/* The meters of x->account with their windows, sorted by meter id. */
static int
load_meters(struct ex *x, struct meter **out, size_t *nout)
{
	static const char sql[] =
	    "SELECT m.meter_id, m.kind, m.unit, sa.sp_id,"
	    " max(mi.install_date, sa.start_date),"
	    " min(coalesce(nullif(mi.remove_date, ''), '9999-12-31'),"
	    "     coalesce(nullif(sa.end_date, ''), '9999-12-31'))"
	    " FROM service_agreement sa"
	    " JOIN meter_install mi ON mi.sp_id = sa.sp_id"
	    " JOIN meter m ON m.meter_id = mi.meter_id"
	    " WHERE sa.account_id = ?1"
	    " ORDER BY m.meter_id, 5";
	sqlite3_stmt *s = br_store_prepare(x->st, sql, x->err);
	struct meter *v = NULL, *m;
	size_t n = 0;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, x->account, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t from = day_of(s, 4, INT32_MIN),
		    to = day_of(s, 5, INT32_MAX);
		char id[64];

		if (from > to)
			continue;
		br_store_column_text(id, sizeof(id), s, 0);
		if (n == 0 || strcmp(v[n - 1].id, id) != 0) {
			void *p = realloc(v, (n + 1) * sizeof(*v));
			if (p == NULL) {
				sqlite3_finalize(s);
				free(v);
				return br_error_set(x->err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			v = p;
			m = &v[n++];
			memset(m, 0, sizeof(*m));
			memcpy(m->id, id, sizeof(id));
			br_store_column_text(m->kind, sizeof(m->kind), s, 1);
			br_store_column_text(m->unit, sizeof(m->unit), s, 2);
			br_store_column_text(m->sp, sizeof(m->sp), s, 3);
			if (meter_unit(m) != 0) {
				sqlite3_finalize(s);
				br_error_set(x->err, BR_EINPUT, NULL, 0,
				    "meter '%s': unit '%s' has no ESPI uom",
				    m->id, m->unit);
				free(v);
				return -1;
			}
		}
		m = &v[n - 1];
		if (m->nwin < 8) {
			m->from[m->nwin] = from;
			m->to[m->nwin++] = to;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return sql_fail(x, "read meters");
	}
	*out = v;
	*nout = n;
	return 0;
}

static bool
in_windows(const struct meter *m, int32_t day)
{
	for (int i = 0; i < m->nwin; i++)
		if (day >= m->from[i] && day <= m->to[i])
			return true;
	return false;
}

/* ---- entries ---- */

static void
usage_point_href(struct ex *x, const struct meter *m, char *buf, size_t n)
{
	char a[200], mid[200];

	pct(a, sizeof(a), x->account);
	pct(mid, sizeof(mid), m->id);
	bfmt(buf, n, "%s/RetailCustomer/%s/UsagePoint/%s", x->base, a,
	    mid);
}

static int
service_kind(const char *kind)
{
	if (strcmp(kind, "gas") == 0)
		return 1;
	if (strcmp(kind, "water") == 0)
		return 2;
	return 0;
}

static int
commodity(const char *kind)
{
	if (strcmp(kind, "gas") == 0)
		return 7;	/* naturalGas */
	if (strcmp(kind, "water") == 0)
		return 9;	/* potableWater */
	return 1;		/* electricity SecondaryMetered */
}

static void
write_ltp(struct ex *x)
{
	char self[HREF_MAX], up[HREF_MAX];
	const struct br_tz *z = &x->tz;
	unsigned long start = 0, end = 0;
	long dst = 0;

	bfmt(self, sizeof(self), "%s/LocalTimeParameters/01", x->base);
	bfmt(up, sizeof(up), "%s/LocalTimeParameters", x->base);
	if (z->has_rule && z->has_dst && z->start.kind == 'M' &&
	    z->end.kind == 'M') {
		start = br_espi_dst_rule(z->start.month, z->start.week,
		    z->start.wday, z->start.time_s);
		end = br_espi_dst_rule(z->end.month, z->end.week,
		    z->end.wday, z->end.time_s);
		dst = (long)z->dst_off - z->std_off;
	}
	entry_open(x, self, up, NULL, 0, z->name);
	fprintf(x->xml, "      <LocalTimeParameters xmlns=\"http://naesb.org/"
	    "espi\">\n        <dstEndRule>%08lX</dstEndRule>\n"
	    "        <dstOffset>%ld</dstOffset>\n"
	    "        <dstStartRule>%08lX</dstStartRule>\n"
	    "        <tzOffset>%ld</tzOffset>\n"
	    "      </LocalTimeParameters>\n", end, dst, start,
	    (long)(z->has_rule ? z->std_off : br_tz_offset(z,
	    x->feed_updated)));
	entry_close(x, x->feed_updated);
}

/* Last stored interval end of meter m in the window (0: none). */
static int
meter_last_end(struct ex *x, const struct meter *m, int64_t *end)
{
	static const char sql[] =
	    "SELECT day FROM interval_day WHERE meter_id = ?1"
	    " AND day BETWEEN ?2 AND ?3 ORDER BY day DESC";
	sqlite3_stmt *s = br_store_prepare(x->st, sql, x->err);
	int rc;

	if (s == NULL)
		return -1;
	*end = 0;
	sqlite3_bind_text(s, 1, m->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, x->win_from);
	sqlite3_bind_int(s, 3, x->win_to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t d = sqlite3_column_int(s, 0);
		if (in_windows(m, d)) {
			*end = br_tz_day_start(&x->tz, d + 1);
			break;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    sql_fail(x, "read interval days");
}

static void
write_usage_point(struct ex *x, const struct meter *m, int64_t updated)
{
	char self[HREF_MAX], up[HREF_MAX], r1[HREF_MAX], r2[HREF_MAX],
	    r3[HREF_MAX], title[200];
	const char *rel[3] = {r1, r2, r3};

	usage_point_href(x, m, self, sizeof(self));
	bfmt(up, sizeof(up), "%.*s", (int)(strrchr(self, '/') - self),
	    self);
	bfmt(r1, sizeof(r1), "%s/MeterReading", self);
	bfmt(r2, sizeof(r2), "%s/UsageSummary", self);
	bfmt(r3, sizeof(r3), "%s/LocalTimeParameters/01", x->base);
	bfmt(title, sizeof(title), "%s meter %s at service point %s",
	    m->kind, m->id, m->sp);
	entry_open(x, self, up, rel, 3, title);
	fprintf(x->xml, "      <UsagePoint xmlns=\"http://naesb.org/espi\">\n"
	    "        <ServiceCategory>\n          <kind>%d</kind>\n"
	    "        </ServiceCategory>\n      </UsagePoint>\n",
	    service_kind(m->kind));
	entry_close(x, updated);
}

static void
write_reading_type(struct ex *x, const struct meter *m, int channel,
    int32_t interval_s, const char *self, const char *mr_self,
    int64_t updated)
{
	char up[HREF_MAX], title[160];

	(void)mr_self;
	bfmt(up, sizeof(up), "%s/ReadingType", x->base);
	bfmt(title, sizeof(title), "%s %s, %d-minute intervals",
	    m->unit, channel == BR_CHANNEL_RECEIVED ? "received" :
	    "delivered", (int)(interval_s / 60));
	entry_open(x, self, up, NULL, 0, title);
	fprintf(x->xml, "      <ReadingType xmlns=\"http://naesb.org/espi\">\n"
	    "        <accumulationBehaviour>4</accumulationBehaviour>\n"
	    "        <commodity>%d</commodity>\n"
	    "        <currency>840</currency>\n"
	    "        <dataQualifier>12</dataQualifier>\n"
	    "        <flowDirection>%d</flowDirection>\n"
	    "        <intervalLength>%ld</intervalLength>\n"
	    "        <kind>%d</kind>\n"
	    "        <powerOfTenMultiplier>%d</powerOfTenMultiplier>\n"
	    "        <timeAttribute>0</timeAttribute>\n"
	    "        <uom>%d</uom>\n"
	    "      </ReadingType>\n", commodity(m->kind),
	    channel == BR_CHANNEL_RECEIVED ? 19 : 1, (long)interval_s,
	    m->uom == 72 || m->uom == 169 ? 12 : 58, m->power, m->uom);
	entry_close(x, updated);
}

/* ESPI QualityOfReading of a stored quality byte; -1: write none. */
static int
quality_code(uint8_t q)
{
	if (q & BR_Q_EDITED)
		return 7;		/* manually edited */
	if (q & BR_Q_ESTIMATED)
		return BR_Q_METHOD(q) == BR_EST_LINEAR ? 9 : 8;
	if (q & BR_Q_SUSPECT)
		return 10;		/* questionable */
	return -1;
}

static void
fmt_milli(char *buf, size_t n, int64_t v)
{
	bfmt(buf, n, "%s%" PRId64 ".%03" PRId64, v < 0 ? "-" : "",
	    (v < 0 ? -v : v) / 1000, (v < 0 ? -v : v) % 1000);
}

struct day_row {
	int32_t day, is, n;
	const unsigned char *vals, *q;
};

static void
write_block(struct ex *x, const struct meter *m, const char *mr_self,
    const struct day_row *d)
{
	char self[HREF_MAX], up[HREF_MAX], date[16];
	int64_t t0 = br_tz_day_start(&x->tz, d->day), end = t0;
	int32_t k;

	br_date_format(d->day, date, sizeof(date));
	bfmt(up, sizeof(up), "%s/IntervalBlock", mr_self);
	bfmt(self, sizeof(self), "%s/%s", up, date);
	entry_open(x, self, up, NULL, 0, date);
	fprintf(x->xml, "      <IntervalBlock xmlns=\"http://naesb.org/espi\">\n"
	    "        <interval>\n          <duration>%ld</duration>\n"
	    "          <start>%" PRId64 "</start>\n        </interval>\n",
	    (long)d->n * d->is, t0);
	for (k = 0; k < d->n; k++) {
		int64_t v;
		int qc;

		if (d->q[k] & BR_Q_MISSING)
			continue;
		br_store_unpack_values(d->vals + 8 * k, 1, &v);
		fputs("        <IntervalReading>\n", x->xml);
		if ((qc = quality_code(d->q[k])) >= 0)
			fprintf(x->xml, "          <ReadingQuality>\n"
			    "            <quality>%d</quality>\n"
			    "          </ReadingQuality>\n", qc);
		fprintf(x->xml, "          <timePeriod>\n"
		    "            <duration>%ld</duration>\n"
		    "            <start>%" PRId64 "</start>\n"
		    "          </timePeriod>\n"
		    "          <value>%" PRId64 "</value>\n"
		    "        </IntervalReading>\n", (long)d->is,
		    t0 + (int64_t)k * d->is, v * m->size);
		x->stats->readings++;
	}
	fputs("      </IntervalBlock>\n", x->xml);
	end = t0 + (int64_t)d->n * d->is;
	entry_close(x, end);
	x->stats->days++;
	(void)m;
}

static void
write_csv_day(struct ex *x, const struct meter *m, int channel,
    const struct day_row *d)
{
	char date[16], use[32], n[16], est[16], miss[16];
	int64_t sum = 0, v;
	long ne = 0, nm = 0;
	int32_t k;
	const char *f[10];

	for (k = 0; k < d->n; k++) {
		if (d->q[k] & BR_Q_MISSING) {
			nm++;
			continue;
		}
		if (d->q[k] & BR_Q_ESTIMATED)
			ne++;
		br_store_unpack_values(d->vals + 8 * k, 1, &v);
		sum += v;
	}
	br_date_format(d->day, date, sizeof(date));
	fmt_milli(use, sizeof(use), sum);
	bfmt(n, sizeof(n), "%ld", (long)d->n);
	bfmt(est, sizeof(est), "%ld", ne);
	bfmt(miss, sizeof(miss), "%ld", nm);
	f[0] = x->account; f[1] = m->id; f[2] = m->sp; f[3] = date;
	f[4] = channel == BR_CHANNEL_RECEIVED ? "received" : "delivered";
	f[5] = m->unit; f[6] = use; f[7] = n; f[8] = est; f[9] = miss;
	br_csv_row(x->csv, 10, f);
}

/* MeterReading, ReadingType and the IntervalBlocks of one channel. */
static int
write_channel(struct ex *x, const struct meter *m, int channel,
    int64_t updated)
{
	static const char sql[] =
	    "SELECT day, interval_s, n, vals, quality FROM interval_day"
	    " WHERE meter_id = ?1 AND channel = ?2 AND day BETWEEN ?3 AND ?4"
	    " ORDER BY day";
	char up_href[HREF_MAX], self[HREF_MAX], up[HREF_MAX], blocks[HREF_MAX],
	    rt[HREF_MAX], mid[200], title[160];
	const char *rel[2] = {blocks, rt};
	sqlite3_stmt *s = br_store_prepare(x->st, sql, x->err);
	bool head = false;
	int rc;

	if (s == NULL)
		return -1;
	usage_point_href(x, m, up_href, sizeof(up_href));
	bfmt(up, sizeof(up), "%s/MeterReading", up_href);
	bfmt(self, sizeof(self), "%s/%d", up, channel);
	bfmt(blocks, sizeof(blocks), "%s/IntervalBlock", self);
	pct(mid, sizeof(mid), m->id);
	bfmt(rt, sizeof(rt), "%s/ReadingType/%s.%d", x->base, mid,
	    channel);
	sqlite3_bind_text(s, 1, m->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, channel);
	sqlite3_bind_int(s, 3, x->win_from);
	sqlite3_bind_int(s, 4, x->win_to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct day_row d;

		d.day = sqlite3_column_int(s, 0);
		d.is = sqlite3_column_int(s, 1);
		d.n = sqlite3_column_int(s, 2);
		d.vals = sqlite3_column_blob(s, 3);
		d.q = sqlite3_column_blob(s, 4);
		if (!in_windows(m, d.day) || d.n <= 0 || d.is <= 0 ||
		    sqlite3_column_bytes(s, 3) < 8 * d.n ||
		    sqlite3_column_bytes(s, 4) < d.n)
			continue;
		if (!head) {
			bfmt(title, sizeof(title), "%s %s",
			    m->id, channel == BR_CHANNEL_RECEIVED ?
			    "received" : "delivered");
			entry_open(x, self, up, rel, 2, title);
			fputs("      <MeterReading xmlns=\"http://naesb.org/"
			    "espi\"/>\n", x->xml);
			entry_close(x, updated);
			write_reading_type(x, m, channel, d.is, rt, self,
			    updated);
			head = true;
		}
		write_block(x, m, self, &d);
		if (x->csv != NULL)
			write_csv_day(x, m, channel, &d);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(x, "read interval days");
}

/* One UsageSummary per bill that metered m, in the window. */
static int
write_summaries(struct ex *x, const struct meter *m)
{
	static const char sql[] =
	    "SELECT b.bill_id, b.period_start, b.period_end, b.bill_date,"
	    " bm.usage_milli, bm.estimated_milli,"
	    " (SELECT coalesce(sum(l.amount_cents), 0) FROM bill_line l"
	    "   WHERE l.bill_id = b.bill_id AND l.sp_id = ?2),"
	    " b.total_cents"
	    " FROM bill b JOIN bill_meter bm ON bm.bill_id = b.bill_id"
	    " WHERE bm.meter_id = ?1 AND bm.channel = 1"
	    " AND b.account_id = ?3 AND b.status <> 'cancelled'"
	    " ORDER BY b.period_end, b.bill_id";
	char up_href[HREF_MAX], self[HREF_MAX], up[HREF_MAX], bill[64],
	    bid[200], title[160];
	sqlite3_stmt *s = br_store_prepare(x->st, sql, x->err);
	int rc;

	if (s == NULL)
		return -1;
	usage_point_href(x, m, up_href, sizeof(up_href));
	bfmt(up, sizeof(up), "%s/UsageSummary", up_href);
	sqlite3_bind_text(s, 1, m->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, m->sp, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->account, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t ps = day_of(s, 1, 0), pe = day_of(s, 2, 0),
		    bd = day_of(s, 3, 0);
		int64_t t0 = br_tz_day_start(&x->tz, ps),
		    t1 = br_tz_day_start(&x->tz, pe + 1),
		    tb = br_tz_day_start(&x->tz, bd);
		int64_t use = sqlite3_column_int64(s, 4),
		    est = sqlite3_column_int64(s, 5),
		    sp_cents = sqlite3_column_int64(s, 6),
		    total = sqlite3_column_int64(s, 7);

		if (pe < x->win_from || pe > x->win_to || !in_windows(m, pe))
			continue;
		br_store_column_text(bill, sizeof(bill), s, 0);
		pct(bid, sizeof(bid), bill);
		bfmt(self, sizeof(self), "%s/%s", up, bid);
		bfmt(title, sizeof(title), "Bill %s", bill);
		entry_open(x, self, up, NULL, 0, title);
		/* Costs in hundred-thousandths of the currency. */
		fprintf(x->xml,
		    "      <UsageSummary xmlns=\"http://naesb.org/espi\">\n"
		    "        <billingPeriod>\n"
		    "          <duration>%" PRId64 "</duration>\n"
		    "          <start>%" PRId64 "</start>\n"
		    "        </billingPeriod>\n"
		    "        <billLastPeriod>%" PRId64 "</billLastPeriod>\n"
		    "        <costAdditionalLastPeriod>%" PRId64
		    "</costAdditionalLastPeriod>\n"
		    "        <currency>840</currency>\n"
		    "        <overallConsumptionLastPeriod>\n"
		    "          <powerOfTenMultiplier>%d</powerOfTenMultiplier>\n"
		    "          <timeStamp>%" PRId64 "</timeStamp>\n"
		    "          <uom>%d</uom>\n"
		    "          <value>%" PRId64 "</value>\n"
		    "        </overallConsumptionLastPeriod>\n"
		    "        <qualityOfReading>%d</qualityOfReading>\n"
		    "        <statusTimeStamp>%" PRId64 "</statusTimeStamp>\n"
		    "        <commodity>%d</commodity>\n"
		    "      </UsageSummary>\n", t1 - t0, t0,
		    sp_cents * 1000, (total - sp_cents) * 1000, m->power, t1,
		    m->uom, use * m->size, est != 0 ? 8 : 17, tb,
		    commodity(m->kind));
		entry_close(x, tb);
		x->stats->summaries++;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : sql_fail(x, "read bills");
}

static int
write_account(struct ex *x)
{
	struct meter *m = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (load_meters(x, &m, &n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		int64_t updated;
		if (meter_last_end(x, &m[i], &updated) != 0)
			goto out;
		if (updated == 0)
			updated = br_tz_day_start(&x->tz, x->win_to + 1);
		write_usage_point(x, &m[i], updated);
		x->stats->meters++;
		if (write_channel(x, &m[i], BR_CHANNEL_DELIVERED,
		    updated) != 0 ||
		    write_channel(x, &m[i], BR_CHANNEL_RECEIVED,
		    updated) != 0 || write_summaries(x, &m[i]) != 0)
			goto out;
	}
	x->stats->accounts++;
	rc = 0;
out:
	free(m);
	return rc;
}

/* Window end when only an account is given: its last stored day. */
static int
account_last_day(struct ex *x, int32_t *day)
{
	static const char sql[] =
	    "SELECT max(d.day) FROM interval_day d"
	    " JOIN meter_install mi ON mi.meter_id = d.meter_id"
	    " JOIN service_agreement sa ON sa.sp_id = mi.sp_id"
	    " WHERE sa.account_id = ?1";
	sqlite3_stmt *s = br_store_prepare(x->st, sql, x->err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, x->o->account_id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return sql_fail(x, "read interval days");
	}
	*day = sqlite3_column_type(s, 0) == SQLITE_NULL ? 0 :
	    sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int
window(struct ex *x)
{
	int y, mo, d, months = x->o->months > 0 ? x->o->months : 24;

	if (x->o->cycle_id != NULL) {
		sqlite3_stmt *s = br_store_prepare(x->st, "SELECT period_end "
		    "FROM bill_cycle WHERE cycle_id = ?1", x->err);
		int rc;
		if (s == NULL)
			return -1;
		sqlite3_bind_text(s, 1, x->o->cycle_id, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			x->win_to = day_of(s, 0, 0);
		sqlite3_finalize(s);
		if (rc != SQLITE_ROW)
			return br_error_set(x->err, BR_EUSAGE, NULL, 0,
			    "unknown cycle '%s'", x->o->cycle_id);
	} else if (account_last_day(x, &x->win_to) != 0)
		return -1;
	br_date_civil(x->win_to, &y, &mo, &d);
	mo -= months;
	while (mo < 1) {
		mo += 12;
		y--;
	}
	if (d > br_date_month_days(y, mo))
		d = br_date_month_days(y, mo);
	x->win_from = br_date_days(y, mo, d) + 1;
	x->feed_updated = br_tz_day_start(&x->tz, x->win_to + 1);
	return 0;
}

static int
write_feed(struct ex *x)
{
	static const char sql[] =
	    "SELECT DISTINCT a.account_id FROM account a"
	    " JOIN service_agreement sa ON sa.account_id = a.account_id"
	    " LEFT JOIN bill_cycle c ON c.cycle_id = ?2"
	    " WHERE (?1 IS NULL OR a.account_id = ?1)"
	    " AND (?2 IS NULL OR (a.status <> 'closed'"
	    "  AND sa.start_date <= c.period_end"
	    "  AND coalesce(nullif(sa.end_date, ''), '9999-12-31')"
	    "   >= c.period_start))"
	    " AND br_in_shard(a.account_id) ORDER BY a.account_id";
	char self[HREF_MAX], id[46], t[40], key[300];
	sqlite3_stmt *s;
	int rc;

	bfmt(key, sizeof(key), "feed/%s/%s/%d", x->o->account_id ?
	    x->o->account_id : "", x->o->cycle_id ? x->o->cycle_id : "",
	    (int)x->win_to);
	uuid_of(id, key);
	stamp(t, sizeof(t), x->feed_updated);
	bfmt(self, sizeof(self), "%s/Batch/RetailCustomer", x->base);
	fprintf(x->xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	    "  <id>%s</id>\n  <title>Green Button Download My Data</title>\n"
	    "  <updated>%s</updated>\n  <link rel=\"self\" href=\"", id, t);
	xml_text(x->xml, self);
	fputs("\"/>\n", x->xml);
	write_ltp(x);
	if ((s = br_store_prepare(x->st, sql, x->err)) == NULL)
		return -1;
	if (x->o->account_id)
		sqlite3_bind_text(s, 1, x->o->account_id, -1, SQLITE_STATIC);
	if (x->o->cycle_id)
		sqlite3_bind_text(s, 2, x->o->cycle_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		br_store_column_text(x->account, sizeof(x->account), s, 0);
		if (write_account(x) != 0) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sql_fail(x, "read accounts");
	if (x->o->account_id != NULL && x->stats->accounts == 0)
		return br_error_set(x->err, BR_EUSAGE, NULL, 0,
		    "unknown account '%s'%s%s", x->o->account_id,
		    x->o->cycle_id ? " in cycle " : "",
		    x->o->cycle_id ? x->o->cycle_id : "");
	fputs("</feed>\n", x->xml);
	return 0;
}

int
br_espi_export(struct br_store *st, const struct br_espi_opts *o,
    FILE *xml, FILE *csv, struct br_espi_stats *stats, struct br_error *err)
{
	struct br_espi_stats dummy;
	struct ex x;
	int rc;

	if (stats == NULL)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	if (o->account_id == NULL && o->cycle_id == NULL)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "give an account or a cycle to export");
	memset(&x, 0, sizeof(x));
	x.st = st;
	x.o = o;
	x.xml = xml;
	x.csv = csv;
	x.stats = stats;
	x.err = err;
	x.base = o->base ? o->base : "/espi/1_1/resource";
	if (br_store_timezone(st, &x.tz, err) != 0)
		return -1;
	if (csv != NULL)
		fputs("account_id,meter_id,sp_id,date,direction,unit,usage,"
		    "intervals,estimated_intervals,missing_intervals\n", csv);
	rc = window(&x) == 0 && write_feed(&x) == 0 ? 0 : -1;
	br_tz_release(&x.tz);
	if (rc == 0 && (ferror(xml) || (csv != NULL && ferror(csv))))
		return br_error_set(err, BR_EIO, NULL, 0, "write failed");
	return rc;
}
