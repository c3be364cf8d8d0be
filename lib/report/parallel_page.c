/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parallel_page.c: the parallel run as one self-contained HTML page
 * (parallel-compare --html) through io/html, in the report pages' style
 * (br_report_css): the verdict, the bills, the line differences with
 * their causes, and the totals by rate code and class.  The same rows
 * as the CSV, with the verdict and grand totals of its summary
 * (br_parallel_stats); no timestamp.
 */
#include "report/parallel_int.h"

#include <stdbool.h>
#include <string.h>

#include "core/money.h"
#include "io/html.h"
#include "report/review.h"
#include "core/banned.h"

static void
th_row(FILE *f, const char *const *h, const bool *num, size_t n)
{
	size_t i;

	br_html_raw(f, "<table><thead><tr>");
	for (i = 0; i < n; i++)
		br_html_elem(f, "th", h[i], "class", num[i] ? "num" : NULL,
		    NULL);
	br_html_raw(f, "</tr></thead><tbody>\n");
}

static void
td_row(FILE *f, const char *cls, const char *const *v, const bool *num,
    size_t n)
{
	size_t i;

	br_html_start(f, "tr", "class", cls, NULL);
	for (i = 0; i < n; i++)
		br_html_elem(f, "td", v[i], "class", num[i] ? "num" : NULL,
		    NULL);
	br_html_raw(f, "</tr>\n");
}

/* The class of a bill row: FAIL red, within tolerance amber. */
static const char *
bill_class(const char *why)
{
	if (strncmp(why, "FAIL", 4) == 0)
		return "sev-hold";
	if (strncmp(why, "within", 6) == 0)
		return "sev-warn";
	return NULL;
}

static void
bills(FILE *f, const struct prow *v, size_t n)
{
	static const char *const h[] = { "account", "rate code", "class",
		"legacy", "billrun", "delta", "result" };
	static const bool num[] = { 0, 0, 0, 1, 1, 1, 0 };
	size_t i;

	br_html_elem(f, "h2", "Bills", NULL);
	th_row(f, h, num, 7);
	for (i = 0; i < n; i++) {
		const struct prow *r = &v[i];
		const char *c[] = { r->account, r->rate, r->cls, r->la, r->ba,
			r->delta, r->why };
		if (strcmp(r->kind, "bill") == 0)
			td_row(f, bill_class(r->why), c, num, 7);
	}
	br_html_raw(f, "</tbody></table>\n");
}

static void
lines(FILE *f, const struct prow *v, size_t n)
{
	static const char *const h[] = { "account", "code",
		"legacy quantity", "billrun quantity", "legacy", "billrun",
		"delta", "cause" };
	static const bool num[] = { 0, 0, 1, 1, 1, 1, 1, 0 };
	size_t i, k = 0;

	br_html_elem(f, "h2", "Line differences", NULL);
	for (i = 0; i < n; i++) {
		const struct prow *r = &v[i];
		const char *c[] = { r->account, r->code, r->lq, r->bq, r->la,
			r->ba, r->delta, r->why };
		if (strcmp(r->kind, "line") != 0)
			continue;
		if (k++ == 0)
			th_row(f, h, num, 8);
		td_row(f, NULL, c, num, 8);
	}
	if (k > 0)
		br_html_raw(f, "</tbody></table>\n");
	else
		br_html_elem(f, "p", "No line differs.", "class", "muted",
		    NULL);
}

static void
totals(FILE *f, const char *kind, const char *title, const struct prow *v,
    size_t n)
{
	static const bool num[] = { 0, 1, 1, 1, 1 };
	const char *h[] = { kind[0] == 'r' ? "rate code" : "class",
		"bills", "legacy", "billrun", "delta" };
	size_t i;

	br_html_elem(f, "h2", title, NULL);
	th_row(f, h, num, 5);
	for (i = 0; i < n; i++) {
		const struct prow *r = &v[i];
		char bills[32];
		const char *c[5];
		if (strcmp(r->kind, kind) != 0)
			continue;
		snprintf(bills, sizeof(bills), "%.*s",
		    (int)strcspn(r->why, " "), r->why);
		c[0] = kind[0] == 'r' ? r->rate : r->cls;
		c[1] = bills;
		c[2] = r->la;
		c[3] = r->ba;
		c[4] = r->delta;
		td_row(f, NULL, c, num, 5);
	}
	br_html_raw(f, "</tbody></table>\n");
}

void
br_parallel_page(FILE *f, const char *cycle_id,
    const struct br_parallel_stats *st, const struct prow *v, size_t n)
{
	char title[128], la[32], ba[32], delta[32];

	snprintf(title, sizeof(title), "Parallel run: cycle %s", cycle_id);
	br_html_page_begin(f, title, br_report_css);
	br_html_raw(f, "<header>");
	br_html_elem(f, "h1", title, NULL);
	br_html_start(f, "p", NULL);
	br_html_textf(f, "the legacy system's bills against billrun's, per "
	    "account and line; %ld bills", st->bills);
	br_html_end(f, "p");
	br_html_raw(f, "</header>\n<main>\n");
	br_html_start(f, "p", "class", st->pass ? "verdict down" :
	    "verdict sev-hold", NULL);
	br_html_textf(f, "%s: %ld bills, %ld match, %ld within tolerance, "
	    "%ld differ, %ld only legacy, %ld only billrun",
	    st->pass ? "PASS" : "FAIL", st->bills, st->matched, st->within,
	    st->differ, st->only_legacy, st->only_billrun);
	br_html_end(f, "p");
	br_html_start(f, "p", "class", "muted", NULL);
	br_html_textf(f, "Legacy total %s, billrun total %s, delta %s "
	    "(billrun minus legacy).",
	    br_cents_format(st->legacy_cents, la, sizeof(la)),
	    br_cents_format(st->billrun_cents, ba, sizeof(ba)),
	    br_cents_format(st->billrun_cents - st->legacy_cents, delta,
	    sizeof(delta)));
	br_html_end(f, "p");
	bills(f, v, n);
	lines(f, v, n);
	totals(f, "rate", "Totals by rate code", v, n);
	totals(f, "class", "Totals by class", v, n);
	br_html_raw(f, "</main>\n");
	br_html_page_end(f, NULL);
}
