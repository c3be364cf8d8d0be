/* SPDX-License-Identifier: Apache-2.0 */
/*
 * review.c: the exception review page of a cycle (review.h): reads the
 * cycle's warn and hold exceptions with their last decision, the
 * projected (draft or held) bill and the last issued bill of each account,
 * and writes one self-contained HTML page.
 */
#include "report/review.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/exid.h"
#include "io/html.h"
#include "report/page.h"
#include "store/registry.h"
#include "core/banned.h"

struct exc {
	int64_t id;
	char stage[16], code[32], sev[8], account[64], meter[64], date[16];
	char detail[512], source[128], status[16];
	long line;
	char dec[16], reviewer[64], note[256], decided[16];
	char unit[16];
	char bill[64], bill_status[16], last_cycle[32];
	int64_t proj, last;	/* cents */
	int has_proj, has_last;
};

struct list {
	struct exc *v;
	size_t n, cap;
};

/* What each code checks, with the compiled-in thresholds
 * (lib/validate/vee_rules.c, docs/validate-reads.md). */
static const char *const rules[][2] = {
	{ "CLOCK", "interval timestamps off the interval grid" },
	{ "CLOCK_SHIFT", "hourly profile shifted against the recent days "
	    "(ratio 2, days 7, max_hours 3)" },
	{ "CONSERVATION", "water use above daily_limit 500 per day" },
	{ "DST_COUNT", "interval count does not match the day's length "
	    "(23 or 25 hours on DST days)" },
	{ "GAP", "missing intervals beyond the estimation limits, left "
	    "unestimated" },
	{ "GAP_ESTIMATED", "short gap filled by linear interpolation "
	    "(max_gap_minutes 120)" },
	{ "GAP_FALLBACK", "gap filled from the prior days' profile "
	    "(lookback_days 7)" },
	{ "GAP_LIKE_DAY", "gap filled from the average of like days "
	    "(same weekday of the last 4 weeks, at least 3 days)" },
	{ "HIGH_BILL", "projected usage above ratio 1.5 times the usual, "
	    "with at least min_days 7 of history" },
	{ "HIGH_USAGE", "period usage above ratio 2.0 times history "
	    "(min_days 7)" },
	{ "LEAK", "continuous flow: the lowest hourly flow stays above "
	    "min_flow 0 for hours 24 or more" },
	{ "LOW_USAGE", "period usage below ratio 0.5 times history "
	    "(min_days 7)" },
	{ "MAX_DEMAND", "interval demand above limit 100" },
	{ "MISSING_DAY", "no intervals at all for a day of the period" },
	{ "NEGATIVE", "an interval value below zero" },
	{ "REVERSE_FLOW", "energy received on a meter without net metering "
	    "(floor 0)" },
	{ "ROLLOVER", "an interval above max_interval 1000: register "
	    "rollover or reset" },
	{ "SPIKE", "an interval above ratio 1.5 times the like-day maximum "
	    "and above floor 2" },
	{ "STUCK", "the same non-zero value for hours 96 or more" },
	{ "SUM_CHECK", "interval sum differs from the register reads by "
	    "more than tolerance 1" },
	{ "UNKNOWN_METER", "reads for a meter not in the registry, not "
	    "stored (import)" },
	{ "ZERO_RUN", "zero usage for hours 24 or more in a row (electric)" },
};

static const char *
rule_text(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(rules[i][0], code) == 0)
			return rules[i][1];
	return "see docs/validate-reads.md, EXCEPTION CODES";
}

/* The rule's text and the thresholds validate-reads last ran with
 * (setting vee_rule.<CODE>), else the compiled-in defaults' text. */
static void
rule_para(FILE *f, struct br_store *st, const char *code)
{
	char key[64], val[256];

	snprintf(key, sizeof(key), "vee_rule.%s", code);
	br_html_start(f, "p", "class", "rule", NULL);
	br_html_textf(f, "Rule: %s.", rule_text(code));
	if (br_store_setting_get(st, key, "", val, sizeof(val), NULL) == 0) {
		br_html_raw(f, " ");
		br_html_elem(f, "span", "In force at the last validate-reads: ",
		    "class", "muted", NULL);
		br_html_elem(f, "code", val, NULL);
	}
	br_html_end(f, "p");
}

static struct exc *
push(struct list *l, struct br_error *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct exc *nv = realloc(l->v, cap * sizeof(*nv));

		if (nv == NULL) {
			br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
			return NULL;
		}
		l->v = nv;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static int
load_exceptions(struct br_store *st, const char *from, const char *to,
    struct list *l, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT e.exc_id, e.stage, "
	    "e.code, e.severity, e.account_id, e.meter_id, e.date, e.detail, "
	    "e.source, e.line, e.status, COALESCE(m.unit, '') FROM exception e"
	    " LEFT JOIN meter m ON m.meter_id = e.meter_id"
	    " WHERE e.severity IN ('warn', 'hold') AND e.date >= ?1"
	    " AND e.date <= ?2 AND br_exc_in_shard(e.account_id, e.meter_id)"
	    " ORDER BY e.severity = 'warn', e.code, e.account_id, e.meter_id,"
	    " e.date, e.exc_id", err);
	struct exc *e;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, to, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((e = push(l, err)) == NULL) {
			sqlite3_finalize(s);
			return -1;
		}
		e->id = sqlite3_column_int64(s, 0);
		br_store_column_text(e->stage, sizeof(e->stage), s, 1);
		br_store_column_text(e->code, sizeof(e->code), s, 2);
		br_store_column_text(e->sev, sizeof(e->sev), s, 3);
		br_store_column_text(e->account, sizeof(e->account), s, 4);
		br_store_column_text(e->meter, sizeof(e->meter), s, 5);
		br_store_column_text(e->date, sizeof(e->date), s, 6);
		br_store_column_text(e->detail, sizeof(e->detail), s, 7);
		br_store_column_text(e->source, sizeof(e->source), s, 8);
		e->line = (long)sqlite3_column_int64(s, 9);
		br_store_column_text(e->status, sizeof(e->status), s, 10);
		br_store_column_text(e->unit, sizeof(e->unit), s, 11);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read exceptions", err);
	return 0;
}

/* Does table tbl have column col?  (decided_on came with decisions in
 * one line; older stores lack it.) */
static int
has_column(struct br_store *st, const char *tbl, const char *col)
{
	char sql[128];
	sqlite3_stmt *s;
	int found = 0;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", tbl);
	if ((s = br_store_prepare(st, sql, NULL)) == NULL)
		return 0;
	while (sqlite3_step(s) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(s, 1), col) == 0)
			found = 1;
	sqlite3_finalize(s);
	return found;
}

/* The last decision, the cycle's bill and the last issued bill. */
static int
load_context(struct br_store *st, const char *cycle, const char *from,
    struct list *l, struct br_error *err)
{
	sqlite3_stmt *dq, *bq, *lq;
	int rc = -1, dated = has_column(st, "exception_decision",
	    "decided_on");
	size_t i;

	dq = br_store_prepare(st, dated ? "SELECT decision, reviewer, note, "
	    "decided_on FROM exception_decision WHERE exc_id = ?1 ORDER BY seq"
	    " DESC LIMIT 1" : "SELECT decision, reviewer, note, '' FROM "
	    "exception_decision WHERE exc_id = ?1 ORDER BY seq DESC LIMIT 1",
	    err);
	bq = br_store_prepare(st, "SELECT bill_id, status, total_cents FROM "
	    "bill WHERE account_id = ?1 AND cycle_id = ?2 AND status <> "
	    "'cancelled' ORDER BY replaces DESC, bill_id DESC LIMIT 1", err);
	lq = br_store_prepare(st, "SELECT cycle_id, total_cents FROM bill "
	    "WHERE account_id = ?1 AND status = 'issued' AND period_end < ?2 "
	    "ORDER BY period_end DESC, bill_id DESC LIMIT 1", err);
	if (dq == NULL || bq == NULL || lq == NULL)
		goto out;
	for (i = 0; i < l->n; i++) {
		struct exc *e = &l->v[i];

		sqlite3_reset(dq);
		sqlite3_bind_int64(dq, 1, e->id);
		if (sqlite3_step(dq) == SQLITE_ROW) {
			br_store_column_text(e->dec, sizeof(e->dec), dq, 0);
			br_store_column_text(e->reviewer, sizeof(e->reviewer),
			    dq, 1);
			br_store_column_text(e->note, sizeof(e->note), dq, 2);
			br_store_column_text(e->decided, sizeof(e->decided),
			    dq, 3);
		}
		if (e->account[0] == '\0')
			continue;
		sqlite3_reset(bq);
		sqlite3_bind_text(bq, 1, e->account, -1, SQLITE_STATIC);
		sqlite3_bind_text(bq, 2, cycle, -1, SQLITE_STATIC);
		if (sqlite3_step(bq) == SQLITE_ROW) {
			br_store_column_text(e->bill, sizeof(e->bill), bq, 0);
			br_store_column_text(e->bill_status,
			    sizeof(e->bill_status), bq, 1);
			e->proj = sqlite3_column_int64(bq, 2);
			e->has_proj = 1;
		}
		sqlite3_reset(lq);
		sqlite3_bind_text(lq, 1, e->account, -1, SQLITE_STATIC);
		sqlite3_bind_text(lq, 2, from, -1, SQLITE_STATIC);
		if (sqlite3_step(lq) == SQLITE_ROW) {
			br_store_column_text(e->last_cycle,
			    sizeof(e->last_cycle), lq, 0);
			e->last = sqlite3_column_int64(lq, 1);
			e->has_last = 1;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(dq);
	sqlite3_finalize(bq);
	sqlite3_finalize(lq);
	return rc;
}

static int
cmp_acct(const void *a, const void *b)
{
	const struct exc *x = *(const struct exc *const *)a;
	const struct exc *y = *(const struct exc *const *)b;

	return strcmp(x->account, y->account);
}

/* Accounts of e[0..n) and the sums of their projected and last bills,
 * each account counted once. */
static void
stake(const struct exc *e, size_t n, long *accounts, int64_t *proj,
    int64_t *last, int64_t *change, long *nlast, struct br_error *err)
{
	const struct exc **p = malloc((n ? n : 1) * sizeof(*p));
	size_t i, k = 0;

	*accounts = *nlast = 0;
	*proj = *last = *change = 0;
	if (p == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		if (e[i].account[0])
			p[k++] = &e[i];
	qsort(p, k, sizeof(*p), cmp_acct);
	for (i = 0; i < k; i++) {
		if (i > 0 && strcmp(p[i]->account, p[i - 1]->account) == 0)
			continue;
		(*accounts)++;
		*proj += p[i]->has_proj ? p[i]->proj : 0;
		if (p[i]->has_last) {
			(*nlast)++;
			*last += p[i]->last;
			*change += (p[i]->has_proj ? p[i]->proj : 0) -
			    p[i]->last;
		}
	}
	free(p);
}

static void
money_cell(FILE *f, int64_t cents)
{
	char m[48];

	br_html_elem(f, "td", br_page_money(cents, m, sizeof(m)), "class",
	    "num", NULL);
}

static void
header(FILE *f, struct br_store *st, const char *cycle, const char *from,
    const char *to)
{
	char name[256];

	if (br_store_setting_get(st, "name", "", name, sizeof(name), NULL) < 0)
		name[0] = '\0';
	br_html_raw(f, "<header>");
	br_html_start(f, "h1", NULL);
	br_html_textf(f, "Exception review: cycle %s", cycle);
	br_html_end(f, "h1");
	br_html_start(f, "p", NULL);
	br_html_textf(f, "%s%sbilling period %s to %s; holds first, then "
	    "warnings, by code", name, name[0] ? " \xc2\xb7 " : "", from, to);
	br_html_end(f, "p");
	br_html_raw(f, "</header>\n");
	br_html_raw(f, "<div class=\"toolbar\"><label>Reviewer "
	    "<input id=\"reviewer\" autocomplete=\"off\" placeholder=\"your "
	    "name\"></label><button id=\"download\" type=\"button\">Download "
	    "dispositions CSV</button><span id=\"count\" class=\"muted\">0 "
	    "decisions</span><span id=\"msg\" role=\"status\"></span>"
	    "</div>\n");
}

static void
summary_table(FILE *f, const struct exc *v, size_t n, struct br_error *err)
{
	size_t i = 0, j;

	br_html_raw(f, "<h2>Summary</h2>\n<table id=\"summary\"><thead><tr>"
	    "<th>severity</th><th>code</th><th class=\"num\">exceptions</th>"
	    "<th class=\"num\">open</th><th class=\"num\">accounts</th>"
	    "<th class=\"num\">projected bills</th><th class=\"num\">last "
	    "bills</th><th class=\"num\">change vs last</th></tr></thead>"
	    "<tbody>\n");
	while (i < n) {
		long open = 0, acc, nlast;
		int64_t proj, last, change;
		char href[48];

		for (j = i; j < n && strcmp(v[j].code, v[i].code) == 0 &&
		    strcmp(v[j].sev, v[i].sev) == 0; j++)
			open += strcmp(v[j].status, "open") == 0;
		stake(v + i, j - i, &acc, &proj, &last, &change, &nlast,
		    err);
		snprintf(href, sizeof(href), "#%s-%s", v[i].sev, v[i].code);
		br_html_raw(f, "<tr>");
		br_html_elem(f, "td", v[i].sev, "class", strcmp(v[i].sev,
		    "hold") == 0 ? "sev-hold" : "sev-warn", NULL);
		br_html_raw(f, "<td>");
		br_html_elem(f, "a", v[i].code, "href", href, NULL);
		br_html_raw(f, "</td>");
		fprintf(f, "<td class=\"num\">%zu</td><td class=\"num\">%ld"
		    "</td><td class=\"num\">%ld</td>", j - i, open, acc);
		money_cell(f, proj);
		if (nlast) {
			money_cell(f, last);
			money_cell(f, change);
		} else {
			br_html_raw(f, "<td class=\"num muted\">none</td>"
			    "<td class=\"num muted\">\xe2\x80\x94</td>");
		}
		br_html_raw(f, "</tr>\n");
		i = j;
	}
	if (n == 0)
		br_html_raw(f, "<tr><td colspan=\"8\">no warn or hold "
		    "exceptions in this cycle</td></tr>\n");
	br_html_raw(f, "</tbody></table>\n");
}

static void
bill_text(FILE *f, const struct exc *e)
{
	char a[48], b[48], d[48];

	if (!e->has_proj) {
		br_html_elem(f, "div", "no bill rated for this cycle", "class",
		    "muted", NULL);
		return;
	}
	br_page_money(e->proj, a, sizeof(a));
	br_html_start(f, "div", NULL);
	br_html_textf(f, "bill %s (%s): %s", e->bill, e->bill_status, a);
	br_html_end(f, "div");
	if (!e->has_last) {
		br_html_elem(f, "div", "no earlier issued bill", "class",
		    "muted", NULL);
		return;
	}
	br_page_money(e->last, b, sizeof(b));
	br_page_money(e->proj - e->last, d, sizeof(d));
	br_html_start(f, "div", "class", e->proj > e->last ? "up" : "down",
	    NULL);
	br_html_textf(f, "last bill %s: %s (%s%s)", e->last_cycle, b,
	    e->proj >= e->last ? "+" : "", d);
	br_html_end(f, "div");
}

static void
decision_cell(FILE *f, const struct exc *e, const char *idtxt)
{
	br_html_raw(f, "<td class=\"dec\">");
	if (e->dec[0]) {
		br_html_start(f, "div", "class", "muted", NULL);
		br_html_textf(f, "%s by %s%s%s%s%s", e->dec, e->reviewer,
		    e->decided[0] ? " on " : "", e->decided, e->note[0] ?
		    ": " : "", e->note);
		br_html_end(f, "div");
	}
	br_html_start(f, "select", "class", "decision", "aria-label", idtxt,
	    NULL);
	br_html_raw(f, "<option value=\"\">(no decision)</option>"
	    "<option value=\"release\">release</option>"
	    "<option value=\"override\">override</option>"
	    "<option value=\"keep\">keep</option></select>");
	br_html_start(f, "input", "class", "rev", "placeholder",
	    "reviewer (default: above)", "aria-label", "reviewer", NULL);
	br_html_start(f, "input", "class", "note", "placeholder", "note",
	    "aria-label", "note", NULL);
	br_html_raw(f, "</td>");
}

static int
exception_row(FILE *f, struct br_store *st, const struct exc *e,
    struct br_error *err)
{
	char idtxt[BR_EXID_SIZE];
	int32_t day;

	br_exid_format(e->id, idtxt, sizeof(idtxt));
	br_html_start(f, "tr", "class", "exc", "id", idtxt, "data-id", idtxt,
	    NULL);
	br_html_raw(f, "<td>");
	br_html_elem(f, "div", idtxt, "class", "id", NULL);
	br_html_start(f, "div", NULL);
	br_html_textf(f, "account %s", e->account[0] ? e->account :
	    "(none)");
	br_html_end(f, "div");
	br_html_start(f, "div", NULL);
	br_html_textf(f, "meter %s", e->meter[0] ? e->meter : "(none)");
	br_html_end(f, "div");
	br_html_start(f, "div", NULL);
	br_html_textf(f, "date %s", e->date);
	br_html_end(f, "div");
	br_html_start(f, "div", NULL);
	br_html_textf(f, "%s stage, status %s", e->stage, e->status);
	br_html_end(f, "div");
	if (e->source[0]) {
		br_html_start(f, "div", "class", "muted", NULL);
		br_html_textf(f, "%s:%ld", e->source, e->line);
		br_html_end(f, "div");
	}
	br_html_raw(f, "</td><td>");
	br_html_elem(f, "div", e->detail, "class", "detail", NULL);
	bill_text(f, e);
	br_html_raw(f, "</td><td>");
	if (e->meter[0] && br_date_parse(e->date, (size_t)-1, &day) == 0) {
		if (br_page_day_chart(st, f, e->meter, e->unit[0] ? e->unit :
		    "units", day, err) != 0)
			return -1;
	} else {
		br_html_elem(f, "p", "no meter-day to chart", "class", "muted",
		    NULL);
	}
	br_html_raw(f, "</td>");
	decision_cell(f, e, idtxt);
	br_html_raw(f, "</tr>\n");
	return 0;
}

static int
groups(FILE *f, struct br_store *st, const struct exc *v, size_t n,
    struct br_error *err)
{
	size_t i = 0, j, k;

	while (i < n) {
		char anchor[48];

		for (j = i; j < n && strcmp(v[j].code, v[i].code) == 0 &&
		    strcmp(v[j].sev, v[i].sev) == 0; j++)
			;
		snprintf(anchor, sizeof(anchor), "%s-%s", v[i].sev, v[i].code);
		br_html_start(f, "h2", "id", anchor, NULL);
		br_html_elem(f, "span", v[i].sev, "class", strcmp(v[i].sev,
		    "hold") == 0 ? "sev-hold" : "sev-warn", NULL);
		br_html_textf(f, " %s: %zu exception%s", v[i].code, j - i,
		    j - i == 1 ? "" : "s");
		br_html_end(f, "h2");
		rule_para(f, st, v[i].code);
		br_html_raw(f, "<table class=\"group\"><colgroup><col "
		    "class=\"c-id\"><col class=\"c-detail\"><col "
		    "class=\"c-chart\"><col class=\"c-dec\"></colgroup><thead>"
		    "<tr><th>exception</th><th>detail and bill</th>"
		    "<th>intervals</th><th>decision</th></tr></thead><tbody>\n");
		for (k = i; k < j; k++)
			if (exception_row(f, st, &v[k], err) != 0)
				return -1;
		br_html_raw(f, "</tbody></table>\n");
		i = j;
	}
	return 0;
}

/* The download script: decisions to the disposition CSV. */
static const char script[] =
    "(function () {\n"
    "  'use strict';\n"
    "  var main = document.getElementById('review');\n"
    "  var msg = document.getElementById('msg');\n"
    "  function q(v) {\n"
    "    v = String(v);\n"
    "    return /[\",\\r\\n]/.test(v) ? '\"' + v.replace(/\"/g, '\"\"') + "
    "'\"' : v;\n"
    "  }\n"
    "  function rows() { return document.querySelectorAll('tr.exc'); }\n"
    "  function count() {\n"
    "    var n = 0;\n"
    "    rows().forEach(function (tr) {\n"
    "      if (tr.querySelector('select.decision').value) n++;\n"
    "    });\n"
    "    document.getElementById('count').textContent = n + (n === 1 ? "
    "' decision' : ' decisions');\n"
    "  }\n"
    "  document.addEventListener('change', count);\n"
    "  document.getElementById('download').addEventListener('click', "
    "function () {\n"
    "    var def = document.getElementById('reviewer').value.trim();\n"
    "    var out = ['exception_id,decision,reviewer,note'], bad = [];\n"
    "    rows().forEach(function (tr) {\n"
    "      var d = tr.querySelector('select.decision').value;\n"
    "      if (!d) return;\n"
    "      var r = tr.querySelector('input.rev').value.trim() || def;\n"
    "      if (!r) { bad.push(tr.getAttribute('data-id')); return; }\n"
    "      out.push([tr.getAttribute('data-id'), d, r,\n"
    "        tr.querySelector('input.note').value.trim()].map(q).join(','));"
    "\n"
    "    });\n"
    "    if (bad.length) {\n"
    "      msg.textContent = 'reviewer missing for ' + bad.join(', ');\n"
    "      return;\n"
    "    }\n"
    "    if (out.length === 1) { msg.textContent = 'no decisions chosen';"
    " return; }\n"
    "    var blob = new Blob([out.join('\\n') + '\\n'], "
    "{type: 'text/csv'});\n"
    "    var a = document.createElement('a');\n"
    "    a.href = URL.createObjectURL(blob);\n"
    "    a.download = 'dispositions-' + main.getAttribute('data-cycle') + "
    "'.csv';\n"
    "    document.body.appendChild(a);\n"
    "    a.click();\n"
    "    document.body.removeChild(a);\n"
    "    msg.textContent = (out.length - 1) + ' decisions saved as ' + "
    "a.download;\n"
    "  });\n"
    "})();\n";

int
br_review_write(struct br_store *st, const char *cycle_id, FILE *out,
    struct br_review_summary *sum, struct br_error *err)
{
	struct list l = { NULL, 0, 0 };
	char from[16], to[16], title[96];
	struct br_error e2;
	size_t i;
	int rc = -1;

	br_error_clear(&e2);
	if (br_registry_cycle_period(st, cycle_id, from, to, err) != 0 ||
	    load_exceptions(st, from, to, &l, err) != 0 ||
	    load_context(st, cycle_id, from, &l, err) != 0)
		goto out;
	snprintf(title, sizeof(title), "Exception review %s", cycle_id);
	br_html_page_begin(out, title, br_report_css);
	header(out, st, cycle_id, from, to);
	br_html_start(out, "main", "id", "review", "data-cycle", cycle_id,
	    NULL);
	summary_table(out, l.v, l.n, &e2);
	if (groups(out, st, l.v, l.n, err) != 0)
		goto out;
	br_html_raw(out, "<p class=\"muted\">Choose a decision per exception "
	    "(release: bill as read; override: bill as read and close the "
	    "exception as overridden; keep: keep the bill on hold), then "
	    "download the CSV and apply it with <code>validate-reads "
	    "--dispositions FILE</code>.</p>\n</main>\n");
	br_html_page_end(out, script);
	if (e2.code != BR_OK) {
		*err = e2;
		goto out;
	}
	if (sum) {
		memset(sum, 0, sizeof(*sum));
		for (i = 0; i < l.n; i++) {
			if (strcmp(l.v[i].sev, "hold") == 0)
				sum->holds++;
			else
				sum->warns++;
			sum->open += strcmp(l.v[i].status, "open") == 0;
		}
		stake(l.v, l.n, &sum->accounts, &sum->at_stake_cents,
		    &(int64_t){0}, &(int64_t){0}, &(long){0}, err);
	}
	rc = 0;
out:
	free(l.v);
	return rc;
}
