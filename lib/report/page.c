/* SPDX-License-Identifier: Apache-2.0 */
/*
 * page.c: the stylesheet, money text, meter-day reads and the flagged-day
 * chart shared by the report pages (page.h).
 */
#include "report/page.h"

#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "core/reads.h"
#include "io/html.h"
#include "report/review.h"
#include "core/banned.h"

const char br_report_css[] =
    "body{font:14px/1.4 system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "Arial,sans-serif;margin:0;color:#1d2330;background:#f4f6f9}\n"
    "header{background:#1f3a5f;color:#fff;padding:14px 24px}\n"
    "header h1{margin:0;font-size:20px}header p{margin:4px 0 0;"
    "opacity:.85}\n"
    "main{padding:16px 24px}\n"
    "h2{font-size:17px;margin:26px 0 6px}h3{font-size:15px;margin:18px 0 "
    "6px}\n"
    "table{border-collapse:collapse;background:#fff;margin:6px 0 12px}\n"
    "th,td{border:1px solid #d5dae3;padding:5px 8px;text-align:left;"
    "vertical-align:top}\n"
    "th{background:#e9edf3;font-weight:600}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".sev-hold{color:#a4141b;font-weight:600}.sev-warn{color:#8a5a00;"
    "font-weight:600}\n"
    ".rule{color:#444;margin:2px 0 8px;max-width:70em}\n"
    ".id{font-family:ui-monospace,Menlo,Consolas,monospace;"
    "font-size:12px}\n"
    ".muted{color:#667}.up{color:#a4141b}.down{color:#1b6e2a}\n"
    ".toolbar{position:sticky;top:0;background:#fff;border-bottom:1px "
    "solid #d5dae3;padding:8px 24px;display:flex;gap:12px;"
    "align-items:center;z-index:1}\n"
    "button{background:#1f3a5f;color:#fff;border:0;border-radius:4px;"
    "padding:6px 12px;font:inherit;cursor:pointer}\n"
    "input,select{font:inherit;padding:2px 4px;margin:2px 0}\n"
    "table.group{width:100%;max-width:1400px;table-layout:fixed}\n"
    "col.c-id{width:15em}col.c-detail{width:20em}col.c-chart{width:490px}"
    "col.c-dec{width:auto}\n"
    "td.dec{min-width:13em}td.dec input,td.dec select{width:100%;"
    "box-sizing:border-box}\n"
    "svg.chart{background:#fff;display:block}\n"
    ".axis{stroke:#889;stroke-width:1}.grid{stroke:#dde;stroke-width:1;"
    "stroke-dasharray:3 3}\n"
    ".tick,.legend{font-size:10px;fill:#445}\n"
    "polyline{fill:none;stroke-width:1.6}\n"
    ".s0{stroke:#c0392b}.s1{stroke:#7f8c9d}.s2{stroke:#2e7dbe;"
    "stroke-dasharray:4 3}\n"
    ".mark{fill:#f39c12;stroke:#7a4a00;stroke-width:.5}\n"
    ".bar{fill:#7fa7d1}.bar.cur{fill:#1f3a5f}.bar.est{fill:#f0b35a}\n"
    "pre{white-space:pre-wrap;margin:0;font-size:12px}\n"
    "@media print{.toolbar,button{display:none}}\n";

char *
br_page_money(int64_t cents, char *buf, size_t n)
{
	char num[48];

	br_cents_format(cents < 0 ? -cents : cents, num, sizeof(num));
	snprintf(buf, n, "%s$%s", cents < 0 ? "-" : "", num);
	return buf;
}

int
br_page_read_day(struct br_store *st, const char *meter, int channel,
    int32_t day, struct br_page_day *d, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT interval_s, n, vals, "
	    "quality FROM interval_day WHERE meter_id = ?1 AND channel = ?2 "
	    "AND day = ?3", err);
	int rc;

	d->day = day;
	d->n = 0;
	d->interval_s = 0;
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, meter, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, channel);
	sqlite3_bind_int(s, 3, day);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		int32_t n = sqlite3_column_int(s, 1);

		if (n < 0 || n > (int32_t)(sizeof(d->v) / sizeof(d->v[0])) ||
		    sqlite3_column_bytes(s, 2) < 8 * n ||
		    sqlite3_column_bytes(s, 3) < n) {
			sqlite3_finalize(s);
			return br_error_set(err, BR_EINTERNAL, st->path, 0,
			    "corrupt interval_day row of meter %s", meter);
		}
		d->interval_s = sqlite3_column_int(s, 0);
		d->n = n;
		br_store_unpack_values(sqlite3_column_blob(s, 2), n, d->v);
		memcpy(d->q, sqlite3_column_blob(s, 3), (size_t)n);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read interval_day", err);
	return 0;
}

static const char *const wdays[] = { "Sunday", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday" };

/* Average of the like days (same n) into avg; missing where none. */
static int
like_average(struct br_store *st, const char *meter, const struct
    br_page_day *d, struct br_page_day *avg, int *ndays,
    struct br_error *err)
{
	static struct br_page_day w;
	int64_t sum[300];
	int cnt[300], k;
	int32_t i;

	memset(sum, 0, sizeof(sum));
	memset(cnt, 0, sizeof(cnt));
	*ndays = 0;
	for (k = 1; k <= 4; k++) {
		if (br_page_read_day(st, meter, BR_CHANNEL_DELIVERED,
		    d->day - 7 * k, &w, err) != 0)
			return -1;
		if (w.n == 0 || w.n != d->n)
			continue;
		(*ndays)++;
		for (i = 0; i < w.n; i++)
			if (!(w.q[i] & BR_Q_MISSING)) {
				sum[i] += w.v[i];
				cnt[i]++;
			}
	}
	avg->n = *ndays ? d->n : 0;
	for (i = 0; i < avg->n; i++) {
		avg->v[i] = cnt[i] ? br_div_round(sum[i], cnt[i],
		    BR_ROUND_HALF_UP) : 0;
		avg->q[i] = cnt[i] ? 0 : BR_Q_MISSING;
	}
	return 0;
}

int
br_page_day_chart(struct br_store *st, FILE *f, const char *meter,
    const char *unit, int32_t day, struct br_error *err)
{
	static struct br_page_day d, like, ly;
	static const char *const ticks[] = { "00:00", "06:00", "12:00",
	    "18:00", "24:00" };
	struct br_chart_series s[3];
	uint8_t est[300], miss[3][300];
	char lab[3][96], ds[16], aria[160];
	size_t ns = 0;
	int nlike, k;
	int32_t i;

	if (br_page_read_day(st, meter, BR_CHANNEL_DELIVERED, day, &d, err)
	    != 0 || like_average(st, meter, &d, &like, &nlike, err) != 0 ||
	    br_page_read_day(st, meter, BR_CHANNEL_DELIVERED, day - 364, &ly,
	    err) != 0)
		return -1;
	br_date_format(day, ds, sizeof(ds));
	if (d.n == 0) {
		br_html_elem(f, "p", "no intervals stored for this meter on "
		    "this day", "class", "muted", NULL);
		return 0;
	}
	for (i = 0; i < d.n; i++) {
		est[i] = (d.q[i] & BR_Q_ESTIMATED) != 0;
		miss[0][i] = (d.q[i] & BR_Q_MISSING) != 0;
		miss[1][i] = i < like.n && (like.q[i] & BR_Q_MISSING);
		miss[2][i] = i < ly.n && (ly.q[i] & BR_Q_MISSING);
	}
	snprintf(lab[0], sizeof(lab[0]), "%s %s (estimated intervals marked)",
	    wdays[br_date_weekday(day)], ds);
	s[ns++] = (struct br_chart_series){ lab[0], "s0", d.v, est, miss[0],
	    (size_t)d.n };
	if (like.n) {
		snprintf(lab[1], sizeof(lab[1]), "like days: average of %d "
		    "%s%s before", nlike, wdays[br_date_weekday(day)],
		    nlike == 1 ? "" : "s");
		s[ns++] = (struct br_chart_series){ lab[1], "s1", like.v,
		    NULL, miss[1], (size_t)like.n };
	}
	if (ly.n) {
		br_date_format(day - 364, ds, sizeof(ds));
		snprintf(lab[2], sizeof(lab[2]), "same weekday last year, %s",
		    ds);
		s[ns++] = (struct br_chart_series){ lab[2], "s2", ly.v, NULL,
		    miss[2], (size_t)ly.n };
	}
	k = d.interval_s > 0 ? d.interval_s / 60 : 0;
	snprintf(aria, sizeof(aria), "%s per %d min interval, meter %s",
	    unit, k, meter);
	br_svg_line_chart(f, 460, 150 + 14 * (int)ns, unit, s, ns, ticks, 5,
	    aria);
	return 0;
}
