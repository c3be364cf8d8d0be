/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render_pdf.c: the PDF bill (libharu), US letter, with embedded TrueType
 * fonts (Liberation Sans regular and bold, OCR-A for the scan line;
 * pdffont.h).  Page 1: utility and customer blocks, account summary,
 * usage history chart, service and meters, itemised charges, messages,
 * and the detachable remittance stub with the OCR scan line at the
 * bottom; content that does not fit continues on further pages.  The
 * same drawing code makes one PDF per bill and the print stream (all
 * bills of a run in one PDF, each starting on an odd page).
 * Deterministic: the creation and modification dates are the bill date
 * (the latest bill date for the print stream), libharu writes no /ID for
 * unencrypted documents, the fonts are a function of the font files, and
 * zlib is deterministic.
 *
 * The drawing surface (text, lines, boxes, pagination, amounts, wrapping,
 * the document setup and save) is in pdf_draw.c, shared through
 * pdf_int.h; this file draws the bill sections on it.
 *
 * Characters: every string drawn goes through br_pdf_put() (pdf_draw.c),
 * which also collects its code points.  A bill whose text stays inside WinAnsi is drawn once
 * with the run's cached single-byte subsets.  Otherwise it is drawn again
 * with its own UTF-8 (CID) subsets of its own code points
 * (br_pdf_bill_fonts), each string split into runs of the text face and
 * the CJK fallback; characters no face has are reported to the caller
 * (never a silent '?').  The print stream embeds the single-byte faces
 * once and draws a bill outside WinAnsi with that bill's own UTF-8
 * subsets, loaded into the stream under tags of their own.
 */
#include "render/render.h"
#include "render/pdf_int.h"

#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "core/money.h"
#include "render/pdffont.h"
#include "core/banned.h"

/*
 * The Intelligent Mail barcode, 65 bars from x, bottom at y: 22 bars per
 * inch, bars 0.02 in wide, full bar 0.145 in, tracker 0.048 in
 * (USPS-B-3200 ranges: pitch 20-24/in, width 0.015-0.025 in, full bar
 * 0.125-0.165 in, tracker 0.039-0.057 in).
 */
static void
draw_imb(struct pdf *p, float x, float y, const char *bars)
{
	const float pitch = 72.0f / 22, w = 1.44f, full = 10.44f;
	const float tr = 3.46f, t0 = y + (full - tr) / 2;
	int i;

	for (i = 0; bars[i] != '\0'; i++) {
		float b = bars[i] == 'F' || bars[i] == 'D' ? y : t0;
		float t = bars[i] == 'F' || bars[i] == 'A' ? y + full : t0 + tr;

		HPDF_Page_Rectangle(p->page, x + (float)i * pitch, b, w, t - b);
	}
	HPDF_Page_Fill(p->page);
}

/* Utility block, bill facts box, customer block. */
static void
draw_top(struct pdf *p)
{
	const struct br_bill_doc *d = p->d;
	char buf[256], a[48];
	float y;

	br_pdf_put(p, LEFT, TOP - 6, p->bold, 16, 'l', 300, d->uname);
	y = TOP - 22;
	if (d->uaddr[0] != '\0') {
		br_pdf_put(p, LEFT, y, p->reg, 9, 'l', 300, d->uaddr);
		y -= 11;
	}
	if (d->uphone[0] != '\0') {
		snprintf(buf, sizeof(buf), "Customer service: %s", d->uphone);
		br_pdf_put(p, LEFT, y, p->reg, 9, 'l', 300, buf);
	}

	/* Bill facts, top right. */
	br_pdf_box(p, 352, 652, RIGHT - 352, 112, 2);
	br_pdf_box(p, 352, 744, RIGHT - 352, 20, 0.2f);
	HPDF_Page_SetGrayFill(p->page, 1);
	br_pdf_put(p, 360, 750, p->bold, 10, 'l', 0,
	    d->replaces[0] ? "CORRECTED BILL" : "YOUR BILL");
	HPDF_Page_SetGrayFill(p->page, 0);
	br_pdf_label_value(p, 360, RIGHT - 8, 730, p->bold, 9, "Account number",
	    d->account_id);
	br_pdf_label_value(p, 360, RIGHT - 8, 717, p->reg, 9, "Bill number",
	    d->bill_id);
	br_pdf_label_value(p, 360, RIGHT - 8, 704, p->reg, 9, "Bill date",
	    d->bill_date);
	snprintf(buf, sizeof(buf), "%s to %s", d->period_start, d->period_end);
	br_pdf_label_value(p, 360, RIGHT - 8, 691, p->reg, 9, "Billing period",
	    buf);
	snprintf(buf, sizeof(buf), "%d", d->days);
	br_pdf_label_value(p, 360, RIGHT - 8, 678, p->reg, 9, "Days in period",
	    buf);
	br_pdf_hline(p, 352, RIGHT, 672, 0.5f);
	snprintf(buf, sizeof(buf), "Amount due by %s", d->due_date);
	br_pdf_label_value(p, 360, RIGHT - 8, 658, p->bold, 11, buf,
	    br_pdf_dollars(d->due_cents, a, sizeof(a)));

	/* Customer (window envelope position), the IMb above the name. */
	if (d->imb[0] != '\0')
		draw_imb(p, 72, 682, d->imb);
	br_pdf_put(p, 72, 672, p->bold, 10, 'l', 260, d->name);
	if (d->mailing[0] != '\0')
		br_pdf_put(p, 72, 659, p->reg, 10, 'l', 260, d->mailing);
	p->y = 626;
}

/*
 * "Questions about your bill? Call PHONE. Please pay by DATE." under
 * the account summary (a credit or zero balance asks for no payment:
 * no due date then), wrapped in x0..x1.  Returns the y below it.
 */
static float
draw_questions(struct pdf *p, float x0, float x1, float y)
{
	const struct br_bill_doc *d = p->d;
	char buf[300];
	float y0 = p->y;

	if (d->due_cents > 0)
		snprintf(buf, sizeof(buf), "Questions about your bill? Call "
		    "%s. Please pay by %s.", d->uphone[0] ? d->uphone :
		    "customer service", d->due_date);
	else
		snprintf(buf, sizeof(buf), "Questions about your bill? Call "
		    "%s.", d->uphone[0] ? d->uphone : "customer service");
	p->y = y;
	br_pdf_put_wrapped(p, x0 + 4, p->reg, 8, x1 - x0 - 8, buf);
	y = p->y;
	p->y = y0;
	return y;
}

/*
 * The account summary in x0..x1 from ytop, then the customer-service
 * line (with the due date when a payment is due).  Returns the y below
 * it.
 */
static float
draw_summary(struct pdf *p, float x0, float x1, float ytop)
{
	const struct br_bill_doc *d = p->d;
	const struct br_ledger_statement *ls = &d->ls;
	char a[48], label[64];
	float y = ytop;

	br_pdf_box(p, x0, y - 4, x1 - x0, 15, 0.88f);
	br_pdf_put(p, x0 + 4, y, p->bold, 9.5f, 'l', 0, "ACCOUNT SUMMARY");
	y -= 18;
	br_pdf_label_value(p, x0 + 4, x1 - 4, y, p->reg, 9, "Previous balance",
	    br_pdf_cents(ls->previous_cents, a, sizeof(a)));
	y -= 13;
	br_pdf_label_value(p, x0 + 4, x1 - 4, y, p->reg, 9,
	    ls->previous_bill_date[0] ? "Payments since last bill" :
	    "Payments", br_pdf_cents(ls->payments_cents, a, sizeof(a)));
	y -= 13;
	br_pdf_label_value(p, x0 + 4, x1 - 4, y, p->reg, 9, "Adjustments",
	    br_pdf_cents(ls->adjustments_cents, a, sizeof(a)));
	y -= 13;
	br_pdf_label_value(p, x0 + 4, x1 - 4, y, p->reg, 9, "Current charges",
	    br_pdf_cents(d->total_cents, a, sizeof(a)));
	y -= 6;
	br_pdf_hline(p, x1 - 80, x1 - 4, y, 0.6f);
	y -= 12;
	snprintf(label, sizeof(label), "Amount due by %s", d->due_date);
	br_pdf_label_value(p, x0 + 4, x1 - 4, y, p->bold, 10, label,
	    br_pdf_dollars(d->due_cents, a, sizeof(a)));
	y -= 14;
	if (d->past_due_cents > 0) {
		char buf[120];

		snprintf(buf, sizeof(buf), "PAST DUE since %s: %s. Please pay "
		    "it now.", d->past_due_since,
		    br_pdf_cents(d->past_due_cents, a, sizeof(a)));
		br_pdf_put(p, x0 + 4, y, p->bold, 8, 'l', x1 - x0 - 8, buf);
		y -= 11;
	}
	if (d->replaces[0] != '\0') {
		char b1[32], b2[32], b3[32], buf[200];

		snprintf(buf, sizeof(buf), "Replaces cancelled bill %s",
		    d->replaces);
		br_pdf_put(p, x0 + 4, y, p->bold, 8, 'l', x1 - x0 - 8, buf);
		y -= 11;
		snprintf(buf, sizeof(buf), "Cancelled %s, corrected %s, "
		    "difference %s", br_pdf_cents(d->replaced_cents, b1,
		    sizeof(b1)), br_pdf_cents(d->total_cents, b2, sizeof(b2)),
		    br_pdf_cents(d->total_cents - d->replaced_cents, b3,
		    sizeof(b3)));
		br_pdf_put(p, x0 + 4, y, p->reg, 8, 'l', x1 - x0 - 8, buf);
		y -= 11;
	}
	return draw_questions(p, x0, x1, y - 4);
}

static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr",
    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static int
month_of(const char *date, int *year)
{
	int m = 0;

	*year = 0;
	if (strlen(date) >= 7) {
		*year = (date[2] - '0') * 10 + (date[3] - '0');
		m = (date[5] - '0') * 10 + (date[6] - '0');
	}
	return m >= 1 && m <= 12 ? m : 0;
}

/* The legend of a chart with received bars, right-aligned at xr. */
static void
draw_legend(struct pdf *p, float xr, float y)
{
	float w = 62;

	br_pdf_box(p, xr - w - 62, y, 5, 5, 0.6f);
	br_pdf_put(p, xr - w - 55, y, p->reg, 6, 'l', 0, "delivered");
	br_pdf_box(p, xr - w, y, 5, 5, 0.72f);
	br_pdf_put(p, xr - w + 7, y, p->reg, 6, 'l', 0, "received (exported)");
}

/*
 * One series of the usage history, its block starting at ytop: the
 * label when the chart has more than one series (multi), bars ch high
 * (delivered above the axis, received below it, one scale), month
 * labels, this period and the same period last year.  Returns the
 * block's height.
 */
static float
draw_series(struct pdf *p, const struct br_bill_series *h, float x0,
    float x1, float ytop, float ch, int multi)
{
	const struct br_bill_bar *c = &h->bar[h->n - 1];
	char buf[200], q[48], r[48], avg[48], lbl[32];
	int64_t maxd = 0, maxr = 0, all;
	float y = ytop, base, axis, span = ch - 10, up, bw, x;
	int i, m, yr, ly;

	br_decimal_format(c->days > 0 ? c->usage_milli / c->days : 0, 3, 1,
	    avg, sizeof(avg));
	br_decimal_format(c->usage_milli, 3, 0, q, sizeof(q));
	ly = br_bill_series_last_year(h);
	if (multi) {
		/* "Water (gal)    3886 this period, 125.4/day; last year
		 * 3500" on one line above the chart. */
		snprintf(buf, sizeof(buf), "%s (%s)", br_bill_series_label(h,
		    lbl, sizeof(lbl)), h->unit);
		br_pdf_put(p, x0 + 4, y - 7, p->bold, 7.5f, 'l', 0, buf);
		if (h->received)
			snprintf(buf, sizeof(buf), "%s delivered, %s "
			    "received", q, br_decimal_format(
			    c->received_milli, 3, 0, r, sizeof(r)));
		else
			snprintf(buf, sizeof(buf), "%s this period, %s/day", q,
			    avg);
		if (ly >= 0) {
			size_t l = strlen(buf);
			snprintf(buf + l, sizeof(buf) - l, "; last year %s",
			    br_decimal_format(h->bar[ly].usage_milli, 3, 0, r,
			    sizeof(r)));
		}
		br_pdf_put(p, x1 - 4, y - 7, p->reg, 7, 'r', x1 - x0 - 70, buf);
		y -= 10;
	}
	base = y - ch;
	for (i = 0; i < h->n; i++) {
		if (h->bar[i].usage_milli > maxd)
			maxd = h->bar[i].usage_milli;
		if (h->bar[i].received_milli > maxr)
			maxr = h->bar[i].received_milli;
	}
	all = maxd + maxr;
	up = all > 0 ? span * (float)(maxd * 1000 / all) / 1000.0f : span;
	axis = base + (span - up);
	if (h->received)
		draw_legend(p, x1 - 4, base + ch - 6);
	br_pdf_put(p, x0 + 2, base + ch - 6, p->reg, 6, 'l', 0,
	    br_decimal_format(maxd, 3, 0, r, sizeof(r)));
	if (maxr > 0)
		br_pdf_put(p, x0 + 2, base + 1, p->reg, 6, 'l', 0,
		    br_decimal_format(maxr, 3, 0, r, sizeof(r)));
	br_pdf_hline(p, x0 + 2, x1 - 2, axis, 0.5f);
	bw = (x1 - x0 - 28) / BR_RENDER_HISTORY;
	for (i = 0; i < h->n; i++) {
		const struct br_bill_bar *b = &h->bar[i];
		int64_t pd = all > 0 && b->usage_milli > 0 ?
		    b->usage_milli * 1000 / all : 0;
		int64_t pr = all > 0 && b->received_milli > 0 ?
		    b->received_milli * 1000 / all : 0;
		int cur = i == h->n - 1;

		x = x0 + 24 + (float)(BR_RENDER_HISTORY - h->n + i) * bw;
		br_pdf_box(p, x + 2, axis, bw - 4, (float)pd * span / 1000.0f,
		    cur ? 0.15f : 0.6f);
		if (pr > 0) {
			float hr = (float)pr * span / 1000.0f;
			br_pdf_box(p, x + 2, axis - hr, bw - 4, hr,
			    cur ? 0.45f : 0.72f);
		}
		m = month_of(b->period_end, &yr);
		br_pdf_put(p, x + bw / 2, base - 8, p->reg, 6, 'c', 0,
		    m ? months[m - 1] : "?");
		if (m == 1 || i == 0) {
			snprintf(buf, sizeof(buf), "%02d", yr);
			br_pdf_put(p, x + bw / 2, base - 15, p->reg, 6, 'c', 0,
			    buf);
		}
	}
	if (multi)
		return ytop - (base - 15) + 6;
	/* This period: average per day, and the same month last year. */
	if (h->received)
		snprintf(buf, sizeof(buf), "This period: %s %s delivered, %s "
		    "received, %d days", q, h->unit, br_decimal_format(
		    c->received_milli, 3, 0, r, sizeof(r)), c->days);
	else
		snprintf(buf, sizeof(buf), "This period: %s %s, %d days, "
		    "average %s %s/day", q, h->unit, c->days, avg, h->unit);
	br_pdf_put(p, x0 + 4, base - 26, p->reg, 7.5f, 'l', x1 - x0 - 8, buf);
	if (ly < 0)
		return ytop - (base - 26) + 16;
	snprintf(buf, sizeof(buf), "Same period last year: %s %s",
	    br_decimal_format(h->bar[ly].usage_milli, 3, 0, q, sizeof(q)),
	    h->unit);
	br_pdf_put(p, x0 + 4, base - 36, p->reg, 7.5f, 'l', x1 - x0 - 8, buf);
	return ytop - (base - 36) + 16;
}

/*
 * The usage history in the box x0..x1, top at ytop: one chart per
 * service unit (an electric + water account gets a kWh and a gal
 * chart, never one sum), 60 points high, or 28 each when there are
 * more.  Returns the height it takes (120, or 130 with the "Same period
 * last year" line, for one series), so the next section starts below
 * it.
 */
static float
draw_history(struct pdf *p, float x0, float x1, float ytop)
{
	const struct br_bill_doc *d = p->d;
	char buf[160];
	float y = ytop - 18;
	int k, n = 0;

	for (k = 0; k < d->nhist; k++)
		n += d->hist[k].n > 0;
	if (n == 1)
		snprintf(buf, sizeof(buf), "USAGE HISTORY (%s)",
		    d->hist[0].unit);
	else
		snprintf(buf, sizeof(buf), "USAGE HISTORY%s", n == 0 ?
		    " (no metered usage)" : "");
	br_pdf_box(p, x0, ytop - 4, x1 - x0, 15, 0.88f);
	br_pdf_put(p, x0 + 4, ytop, p->bold, 9.5f, 'l', 0, buf);
	if (n == 0)
		return 120;
	for (k = 0; k < d->nhist; k++)
		if (d->hist[k].n > 0)
			y -= draw_series(p, &d->hist[k], x0, x1, y,
			    n == 1 ? 60 : 28, n > 1);
	return ytop - y + (n > 1 ? 6 : 0);
}

/* The agreements i..j-1 of one service point, a line each. */
static void
draw_rates(struct pdf *p, size_t i, size_t j)
{
	const struct br_bill_doc *d = p->d;
	char buf[300];

	for (; i < j; i++) {
		if (strcmp(d->svc[i].start_date, d->period_start) > 0)
			snprintf(buf, sizeof(buf), "Rate schedule: %s "
			    "(from %s)", d->svc[i].rate_code,
			    d->svc[i].start_date);
		else
			snprintf(buf, sizeof(buf), "Rate schedule: %s",
			    d->svc[i].rate_code);
		if (d->svc[i].net_metering[0] != '\0') {
			size_t n = strlen(buf);
			snprintf(buf + n, sizeof(buf) - n,
			    "   Net metering: %s", d->svc[i].net_metering);
		}
		br_pdf_need(p, 12);
		br_pdf_put(p, LEFT + 12, p->y, p->reg, 8.5f, 'l',
		    RIGHT - LEFT - 20, buf);
		p->y -= 11;
	}
}

/*
 * Register reads under a meter row: "Previous read 2026-10-01
 * 2210.250   Current read 2026-11-01 2386.967 (estimated)   Read usage
 * 176.717 x 40 = 7068.680 kWh".
 */
static void
draw_reads(struct pdf *p, const struct br_bill_meterrow *m)
{
	char buf[400], a[48], b[48], c[48], x[128];

	br_decimal_format(m->prev_dial_milli, 3, 3, a, sizeof(a));
	br_decimal_format(m->cur_dial_milli, 3, 3, b, sizeof(b));
	br_decimal_format(m->read_usage_milli, 3, 3, c, sizeof(c));
	if (m->multiplier_milli != 1000) {
		char d[48];

		br_decimal_format(m->cur_dial_milli - m->prev_dial_milli, 3, 3,
		    d, sizeof(d));
		snprintf(x, sizeof(x), "%s x ", d);
		br_decimal_format(m->multiplier_milli, 3, 0, d, sizeof(d));
		snprintf(x + strlen(x), sizeof(x) - strlen(x), "%s = ", d);
	} else
		x[0] = '\0';
	snprintf(buf, sizeof(buf), "Previous read %s  %s%s     Current read "
	    "%s  %s%s     Read usage %s%s %s", m->prev_date, a,
	    m->prev_estimated ? " (estimated)" : "", m->cur_date, b,
	    m->cur_estimated ? " (estimated)" : "", x, c, m->unit);
	br_pdf_need(p, 10);
	br_pdf_put(p, LEFT + 20, p->y, p->reg, 7.5f, 'l', RIGHT - LEFT - 24,
	    buf);
	p->y -= 10;
}

/*
 * Net billing per TOU period of service point sp_id: a small table of
 * delivered, received and net energy (kept on one page).
 */
static void
draw_tou_exports(struct pdf *p, const char *sp_id)
{
	const struct br_bill_doc *d = p->d;
	char a[48], b[48], c[48];
	size_t i, n = 0;

	for (i = 0; i < d->ntou; i++)
		n += strcmp(d->tou[i].sp_id, sp_id) == 0 && !d->tou[i].bank;
	if (n == 0)
		return;
	br_pdf_need(p, 13 + 10.0f * (float)n);
	br_pdf_put(p, LEFT + 12, p->y, p->bold, 8, 'l', 0, "TOU period");
	br_pdf_put(p, 300, p->y, p->bold, 8, 'r', 0, "Delivered");
	br_pdf_put(p, 400, p->y, p->bold, 8, 'r', 0, "Received (exported)");
	br_pdf_put(p, 480, p->y, p->bold, 8, 'r', 0, "Net");
	p->y -= 10;
	for (i = 0; i < d->ntou; i++) {
		const struct br_bill_tou *t = &d->tou[i];

		if (strcmp(t->sp_id, sp_id) != 0 || t->bank)
			continue;
		br_pdf_put(p, LEFT + 20, p->y, p->reg, 8, 'l', 120, t->period);
		br_pdf_put(p, 300, p->y, p->reg, 8, 'r', 0, br_decimal_format(
		    t->delivered_milli, 3, 3, a, sizeof(a)));
		br_pdf_put(p, 400, p->y, p->reg, 8, 'r', 0, br_decimal_format(
		    t->received_milli, 3, 3, b, sizeof(b)));
		br_pdf_put(p, 480, p->y, p->reg, 8, 'r', 0, br_decimal_format(
		    t->delivered_milli - t->received_milli, 3, 3, c,
		    sizeof(c)));
		br_pdf_put(p, 486, p->y, p->reg, 8, 'l', 0, t->unit);
		p->y -= 10;
	}
	p->y -= 3;
}

/* Right edges of the net-metering table's six amount columns. */
static const float bank_x[6] = { 250, 313, 376, 439, 502, RIGHT - 4 };

static void
bank_row(struct pdf *p, HPDF_Font font, const char *label,
    const int64_t v[6])
{
	char b[48];
	int j;

	br_pdf_put(p, LEFT + 20, p->y, font, 8, 'l', 150, label);
	for (j = 0; j < 6; j++)
		br_pdf_put(p, bank_x[j], p->y, font, 8, 'r', 0,
		    br_decimal_format(v[j], 3, 3, b, sizeof(b)));
	p->y -= 10;
}

/*
 * Net metering per TOU period of service point sp_id: delivered,
 * received, net, the surplus put in the credit bank, the banked credit
 * drawn, and the kWh billed (the energy lines' quantities), a total row
 * when there are several periods, and what the columns mean (kept on
 * one page).
 */
static void
draw_tou_bank(struct pdf *p, const char *sp_id)
{
	static const char *const head[6] = { "Delivered", "Received", "Net",
	    "To bank", "From bank", "Billed" };
	const struct br_bill_doc *d = p->d;
	int64_t v[6], tot[6] = { 0 };
	char buf[64];
	size_t i, n = 0;
	int j;

	for (i = 0; i < d->ntou; i++)
		n += strcmp(d->tou[i].sp_id, sp_id) == 0 && d->tou[i].bank;
	if (n == 0)
		return;
	br_pdf_need(p, 13 + 12.0f * (float)(n + (n > 1)) + 24);
	for (i = 0; i < d->ntou; i++)
		if (strcmp(d->tou[i].sp_id, sp_id) == 0 && d->tou[i].bank)
			break;
	snprintf(buf, sizeof(buf), "TOU period (%s)", d->tou[i].unit);
	br_pdf_put(p, LEFT + 12, p->y, p->bold, 8, 'l', 0, buf);
	for (j = 0; j < 6; j++)
		br_pdf_put(p, bank_x[j], p->y, p->bold, 8, 'r', 0, head[j]);
	p->y -= 10;
	for (; i < d->ntou; i++) {
		const struct br_bill_tou *t = &d->tou[i];

		if (strcmp(t->sp_id, sp_id) != 0 || !t->bank)
			continue;
		br_bill_tou_columns(t, v);
		for (j = 0; j < 6; j++)
			tot[j] += v[j];
		bank_row(p, p->reg, t->period, v);
	}
	if (n > 1) {
		p->y -= 2;
		br_pdf_hline(p, bank_x[0] - 45, RIGHT - 4, p->y + 8.5f, 0.5f);
		bank_row(p, p->bold, "Total", tot);
	}
	br_pdf_put_wrapped(p, LEFT + 20, p->reg, 7, RIGHT - LEFT - 24,
	    "Billed = net + to bank - from bank: a period's surplus goes to "
	    "your credit bank, and banked credit pays for the periods' net "
	    "use in the order listed. The Billed kWh are the energy charged "
	    "below.");
	p->y -= 2;
}

/* The meter table's header; continued: on a new page, with the
 * section's name. */
static void
meter_header(struct pdf *p, int continued)
{
	if (continued) {
		br_pdf_put(p, LEFT + 4, p->y, p->bold, 9.5f, 'l', 0,
		    "SERVICE AND METERS (continued)");
		p->y -= 14;
	}
	br_pdf_put(p, LEFT + 12, p->y, p->bold, 8, 'l', 0, "Meter");
	br_pdf_put(p, 170, p->y, p->bold, 8, 'l', 0, "Register");
	br_pdf_put(p, 300, p->y, p->bold, 8, 'r', 0, "Multiplier");
	br_pdf_put(p, 400, p->y, p->bold, 8, 'r', 0, "Usage");
	br_pdf_put(p, 406, p->y, p->bold, 8, 'l', 0, "Unit");
	br_pdf_put(p, RIGHT - 4, p->y, p->bold, 8, 'r', 0, "Estimated");
	p->y -= 11;
}

static void
draw_service(struct pdf *p)
{
	const struct br_bill_doc *d = p->d;
	char buf[400], q[48], e[48], x[48];
	size_t i, j, k;
	int other = 0;

	br_pdf_heading(p, "SERVICE AND METERS");
	for (i = 0; i <= d->nsvc; i = j) {
		const char *group;

		if (i == d->nsvc) {
			for (k = 0; k < d->nmeters; k++)
				if (d->meters[k].group[0] == '\0')
					other = 1;
			if (!other)
				break;
			group = "";
			j = i + 1;
			br_pdf_need(p, 40);
			br_pdf_put(p, LEFT + 4, p->y, p->bold, 9, 'l', 0,
			    "Other meters");
			p->y -= 12;
		} else {
			const struct br_bill_service *sv = &d->svc[i];

			group = sv->sp_id;
			br_pdf_need(p, 40);
			for (j = i; j < d->nsvc && strcmp(d->svc[j].sp_id,
			    sv->sp_id) == 0; j++)
				;
			snprintf(buf, sizeof(buf), "Service point %s (%s)%s%s",
			    sv->sp_id, sv->kind, sv->address[0] ? ", " : "",
			    sv->address);
			br_pdf_put(p, LEFT + 4, p->y, p->bold, 9, 'l', 330,
			    buf);
			if (j == i + 1 && strcmp(sv->start_date,
			    d->period_start) <= 0 && sv->net_metering[0] ==
			    '\0') {
				/* One rate for the whole period: same line. */
				snprintf(buf, sizeof(buf), "Rate schedule: %s",
				    sv->rate_code);
				br_pdf_put(p, RIGHT - 4, p->y, p->reg, 8.5f,
				    'r', 190, buf);
				p->y -= 12;
			} else {
				p->y -= 12;
				draw_rates(p, i, j);
			}
			for (k = 0; br_bill_nem_line(d, sv->sp_id, (int)k,
			    buf, sizeof(buf)); k++) {
				br_pdf_need(p, 12);
				br_pdf_put(p, LEFT + 12, p->y, p->reg, 8.5f,
				    'l', RIGHT - LEFT - 16, buf);
				p->y -= 11;
			}
			draw_tou_bank(p, sv->sp_id);
			draw_tou_exports(p, sv->sp_id);
		}
		br_pdf_need(p, 24);
		meter_header(p, 0);
		for (k = 0; k < d->nmeters; k++) {
			const struct br_bill_meterrow *m = &d->meters[k];

			if (strcmp(m->group, group) != 0)
				continue;
			if (br_pdf_need(p, 11))
				meter_header(p, 1);
			br_pdf_put(p, LEFT + 12, p->y, p->reg, 8.5f, 'l', 120,
			    m->meter_id);
			br_pdf_put(p, 170, p->y, p->reg, 8.5f, 'l', 0,
			    m->channel == BR_CHANNEL_RECEIVED ?
			    "received (export)" : "delivered");
			br_pdf_put(p, 300, p->y, p->reg, 8.5f, 'r', 0,
			    br_decimal_format(m->multiplier_milli, 3, 0, x,
			    sizeof(x)));
			br_pdf_put(p, 400, p->y, p->reg, 8.5f, 'r', 0,
			    br_decimal_format(m->usage_milli, 3, 3, q,
			    sizeof(q)));
			br_pdf_put(p, 406, p->y, p->reg, 8.5f, 'l', 0, m->unit);
			br_pdf_put(p, RIGHT - 4, p->y, m->estimated_milli > 0 ?
			    p->bold : p->reg, 8.5f, 'r', 0,
			    m->estimated_milli > 0 ? br_decimal_format(
			    m->estimated_milli, 3, 3, e, sizeof(e)) : "-");
			p->y -= 11;
			if (m->has_reads)
				draw_reads(p, m);
			if (br_bill_therm_line(d, m, buf, sizeof(buf))) {
				char tl[440];
				br_pdf_need(p, 10);
				snprintf(tl, sizeof(tl), "Billed: %s", buf);
				br_pdf_put(p, LEFT + 20, p->y, p->reg, 7.5f,
				    'l', RIGHT - LEFT - 24, tl);
				p->y -= 10;
			}
		}
		p->y -= 3;
	}
	br_pdf_need(p, 12);
	br_pdf_put(p, LEFT + 4, p->y, p->reg, 7, 'l', 0,
	    "Usage is measured from "
	    "interval (smart meter) data and includes the meter multiplier.");
	for (k = 0; k < d->nmeters && !d->meters[k].has_reads; k++)
		;
	if (k < d->nmeters) {
		p->y -= 9;
		br_pdf_need(p, 12);
		br_pdf_put(p, LEFT + 4, p->y, p->reg, 7, 'l', 0,
		    "Reads are the "
		    "meter's register (dial) readings; read usage is their "
		    "difference times the multiplier.");
	}
	p->y -= 14;
}

/*
 * Taxes and fees: rate-apply writes a percentage tax as a line in unit
 * USD (quantity = the taxed amount, rate = the fraction); codes with TAX
 * count too.
 */
static int
is_tax(const struct br_bill_item *it)
{
	return strcmp(it->unit, "USD") == 0 || strstr(it->code, "TAX") != NULL;
}

static void
charges_header(struct pdf *p, int continued)
{
	if (continued) {
		br_pdf_put(p, LEFT + 4, p->y, p->bold, 9.5f, 'l', 0,
		    "CURRENT CHARGES (continued)");
		p->y -= 14;
	}
	br_pdf_put(p, LEFT + 12, p->y, p->bold, 8, 'l', 0, "Description");
	br_pdf_put(p, 360, p->y, p->bold, 8, 'r', 0, "Quantity");
	br_pdf_put(p, 366, p->y, p->bold, 8, 'l', 0, "Unit");
	br_pdf_put(p, 480, p->y, p->bold, 8, 'r', 0, "Rate ($/unit)");
	br_pdf_put(p, RIGHT - 4, p->y, p->bold, 8, 'r', 0, "Amount ($)");
	p->y -= 12;
}

static void
charge_row(struct pdf *p, const struct br_bill_item *it)
{
	char q[48], r[64], a[48], pct[48];

	if (br_pdf_need(p, 11))
		charges_header(p, 1);
	br_pdf_put(p, LEFT + 12, p->y, p->reg, 8.5f, 'l', 250, it->description);
	if (strcmp(it->unit, "USD") == 0) {
		/* A percentage of an amount: "on 1047.53 USD at 3.00%". */
		br_pdf_put(p, 360, p->y, p->reg, 8.5f, 'r', 0,
		    br_decimal_format(it->quantity_milli, 3, 2, q, sizeof(q)));
		br_pdf_put(p, 366, p->y, p->reg, 8.5f, 'l', 40, it->unit);
		snprintf(r, sizeof(r), "%s%%", br_decimal_format(
		    it->rate_micro, 4, 2, pct, sizeof(pct)));
		br_pdf_put(p, 480, p->y, p->reg, 8.5f, 'r', 0, r);
	} else if (it->quantity_milli != 0 || it->rate_micro != 0) {
		br_pdf_put(p, 360, p->y, p->reg, 8.5f, 'r', 0,
		    br_decimal_format(it->quantity_milli, 3, 3, q, sizeof(q)));
		br_pdf_put(p, 366, p->y, p->reg, 8.5f, 'l', 40, it->unit);
		br_pdf_put(p, 480, p->y, p->reg, 8.5f, 'r', 0,
		    br_rate_format_nano(it->rate_nano, r, sizeof(r)));
	}
	br_pdf_put(p, RIGHT - 4, p->y, p->reg, 8.5f, 'r', 0,
	    br_pdf_cents(it->amount_cents, a, sizeof(a)));
	p->y -= 11;
}

static void
draw_charges(struct pdf *p)
{
	const struct br_bill_doc *d = p->d;
	char prev_sp[64] = "", buf[128], a[48];
	int64_t taxes = 0;
	size_t i, nlast = 0;
	int ntax = 0;

	/* The last row keeps the total company (not when the tax block
	 * ends the table). */
	for (i = 0; i < d->nitems && nlast != (size_t)-1; i++)
		nlast = is_tax(&d->items[i]) ? (size_t)-1 : i + 1;
	br_pdf_heading(p, "CURRENT CHARGES");
	br_pdf_need(p, 24);
	charges_header(p, 0);
	for (i = 0; i < d->nitems; i++) {
		const struct br_bill_item *it = &d->items[i];

		if (is_tax(it)) {
			ntax++;
			taxes += it->amount_cents;
			continue;
		}
		if (d->nsp_items > 1 && it->sp_id[0] != '\0' &&
		    strcmp(it->sp_id, prev_sp) != 0) {
			if (br_pdf_need(p, 22))
				charges_header(p, 1);
			snprintf(buf, sizeof(buf), "Service point %s",
			    it->sp_id);
			br_pdf_put(p, LEFT + 4, p->y, p->bold, 8.5f, 'l', 0,
			    buf);
			p->y -= 11;
			snprintf(prev_sp, sizeof(prev_sp), "%s", it->sp_id);
		}
		if (i + 1 == nlast && br_pdf_need(p, 11 + 18))
			charges_header(p, 1);	/* the total keeps a row */
		charge_row(p, it);
	}
	if (ntax > 0) {
		if (br_pdf_need(p, 22))
			charges_header(p, 1);
		br_pdf_put(p, LEFT + 4, p->y, p->bold, 8.5f, 'l', 0,
		    "Taxes and surcharges");
		p->y -= 11;
		for (i = 0; i < d->nitems; i++)
			if (is_tax(&d->items[i]))
				charge_row(p, &d->items[i]);
		br_pdf_need(p, 11);
		br_pdf_label_value(p, LEFT + 12, RIGHT - 4, p->y, p->reg, 8.5f,
		    "Total taxes and surcharges", br_pdf_cents(taxes, a,
		    sizeof(a)));
		p->y -= 11;
	}
	br_pdf_need(p, 18);
	br_pdf_hline(p, RIGHT - 80, RIGHT - 4, p->y + 6, 0.6f);
	p->y -= 4;
	br_pdf_label_value(p, LEFT + 12, RIGHT - 4, p->y, p->bold, 9.5f,
	    "Total current charges", br_pdf_cents(d->total_cents, a,
	    sizeof(a)));
	p->y -= 14;
}

/* 1 when the bill has a message for the MESSAGES section. */
static int
has_messages(const struct br_bill_doc *d)
{
	return d->estimated || d->nnotes > 0 || d->replaces[0] != '\0' ||
	    d->due_cents < 0;
}

static void
draw_messages(struct pdf *p)
{
	const struct br_bill_doc *d = p->d;
	char buf[300], a[48], b[48], c[48];
	int k;

	br_pdf_heading(p, "MESSAGES");
	if (d->estimated) {
		br_pdf_need(p, 13);
		br_pdf_put(p, LEFT + 4, p->y, p->bold, 9.5f, 'l', 0,
		    "ESTIMATED: "
		    "this bill includes estimated usage.");
		p->y -= 13;
	}
	for (k = 0; k < d->nnotes; k++)
		br_pdf_put_wrapped(p, LEFT + 4, p->reg, 8.5f, RIGHT - LEFT - 8,
		    d->notes[k]);
	if (d->replaces[0] != '\0') {
		br_pdf_need(p, 13);
		snprintf(buf, sizeof(buf), "This corrected bill replaces bill "
		    "%s, which is cancelled. Cancelled charges %s, corrected "
		    "charges %s, difference %s.", d->replaces,
		    br_pdf_cents(d->replaced_cents, a, sizeof(a)),
		    br_pdf_cents(d->total_cents, b, sizeof(b)),
		    br_pdf_cents(d->total_cents - d->replaced_cents, c,
		    sizeof(c)));
		br_pdf_put(p, LEFT + 4, p->y, p->reg, 8.5f, 'l',
		    RIGHT - LEFT - 8, buf);
		p->y -= 12;
	}
	if (d->due_cents < 0) {
		br_pdf_need(p, 13);
		snprintf(buf, sizeof(buf), "Your account has a credit of %s. "
		    "No payment is due.", br_pdf_cents(-d->due_cents, a,
		    sizeof(a)));
		br_pdf_put(p, LEFT + 4, p->y, p->reg, 8.5f, 'l', 0, buf);
		p->y -= 12;
	}
}

/*
 * Draw section fn: when it does not fit in the rest of the page but
 * fits on a fresh one, it moves there whole (a continued page carries
 * whole sections, never a stray line); a section longer than a page
 * flows over pages, its table header repeated.  The last tail points
 * of the section are the space after it, which need not fit.
 */
static void
section(struct pdf *p, void (*fn)(struct pdf *), float tail)
{
	float y = p->y, floor = p->floor, h;

	p->dry = 1;
	p->y = 0;
	p->floor = -1e9f;
	fn(p);
	h = -p->y;
	p->dry = 0;
	p->y = y;
	p->floor = floor;
	h -= tail;
	if (p->y - h < p->floor && h <= TOP - 24 - FLOOR)
		br_pdf_new_page(p);
	fn(p);
}

/* The remittance stub below the tear-off line of page 1. */
static void
draw_stub(struct pdf *p, HPDF_Page page1)
{
	const struct br_bill_doc *d = p->d;
	HPDF_Page cur = p->page;
	HPDF_UINT16 dash[] = { 4, 3 };
	char buf[256], a[48];
	const char *svc = d->nsvc > 0 ? d->svc[0].address : "";

	p->page = page1;
	HPDF_Page_SetDash(p->page, dash, 2, 0);
	br_pdf_hline(p, 18, PAGE_W - 18, STUB_TOP, 0.7f);
	HPDF_Page_SetDash(p->page, NULL, 0, 0);
	br_pdf_put(p, PAGE_W / 2, STUB_TOP - 11, p->reg, 7, 'c', 0,
	    "Please detach and return this portion with your payment. "
	    "Make checks payable to the utility named below.");

	br_pdf_put(p, LEFT, 186, p->bold, 11, 'l', 280, d->uname);
	if (d->uaddr[0] != '\0') {
		br_pdf_put(p, LEFT, 174, p->reg, 8.5f, 'l', 280, "Remit to:");
		br_pdf_put(p, LEFT, 163, p->reg, 8.5f, 'l', 280, d->uaddr);
	}

	br_pdf_box(p, 340, 104, RIGHT - 340, 92, 2);
	br_pdf_label_value(p, 348, RIGHT - 8, 182, p->bold, 9, "Account number",
	    d->account_id);
	if (svc[0] != '\0') {
		br_pdf_put(p, 348, 169, p->reg, 9, 'l', 0, "Service address");
		br_pdf_put(p, RIGHT - 8, 169, p->reg, 9, 'r', 120, svc);
	}
	br_pdf_label_value(p, 348, RIGHT - 8, 156, p->reg, 9, "Due date",
	    d->due_date);
	br_pdf_label_value(p, 348, RIGHT - 8, 141, p->bold, 11, "Amount due",
	    br_pdf_dollars(d->due_cents > 0 ? d->due_cents : 0, a, sizeof(a)));
	br_pdf_put(p, 348, 116, p->reg, 9, 'l', 0, "Amount enclosed");
	br_pdf_box(p, 450, 110, RIGHT - 8 - 450, 18, 2);
	br_pdf_put(p, 456, 116, p->reg, 9, 'l', 0, "$");

	br_pdf_put(p, 72, 128, p->bold, 10, 'l', 250, d->name);
	if (d->mailing[0] != '\0')
		br_pdf_put(p, 72, 115, p->reg, 10, 'l', 250, d->mailing);

	if (d->scanline[0] != '\0') {
		snprintf(buf, sizeof(buf), "%s", d->scanline);
		br_pdf_put(p, RIGHT - 8, 40, p->mono, 12, 'r', 0, buf);
	}
	p->page = cur;
}

/* Draw bill d on new pages of p->doc; returns its number of pages. */
static int
draw_bill(struct pdf *p, const struct br_bill_doc *d)
{
	HPDF_Page page1;
	float left;

	p->d = d;
	p->pageno = 0;
	br_pdf_new_page(p);
	page1 = p->page;
	draw_top(p);
	left = draw_summary(p, LEFT, 300, p->y);
	p->y -= draw_history(p, 316, RIGHT, p->y);
	if (left - 6 < p->y)
		p->y = left - 6;
	section(p, draw_service, 14);
	section(p, draw_charges, 14);
	if (has_messages(d))
		section(p, draw_messages, 0);
	draw_stub(p, page1);
	return p->pageno;
}

/* The code points p drew that no face has (stream: outside WinAnsi). */
static void
report_missing(const struct pdf *p, const struct br_pdf_bill_fonts *bf,
    struct br_pdf_glyphs *miss)
{
	size_t i;
	int k;

	if (miss == NULL)
		return;
	memset(miss, 0, sizeof(*miss));
	if (bf != NULL) {
		for (k = 0; k < bf->nmissing && k < BR_PDF_MISSING_MAX; k++)
			miss->cp[k] = bf->missing[k];
		miss->n = bf->nmissing;
		return;
	}
	for (i = 0; i < p->ncp; i++) {
		if (br_pdf_is_winansi(p->cps[i]))
			continue;
		for (k = 0; k < miss->n && k < BR_PDF_MISSING_MAX; k++)
			if (miss->cp[k] == p->cps[i])
				break;
		if (k < miss->n && k < BR_PDF_MISSING_MAX)
			continue;
		if (miss->n < BR_PDF_MISSING_MAX)
			miss->cp[miss->n] = p->cps[i];
		miss->n++;
	}
}

/* Draw d in a new document: single-byte faces, or when its text leaves
 * WinAnsi, again with its own UTF-8 subsets.  OUT: *n pages. */
static int
doc_bill(struct pdf *p, const struct br_bill_doc *d,
    const struct br_pdf_fonts *pf, const char *what,
    struct br_pdf_glyphs *miss, int *n, struct br_error *err)
{
	struct br_pdf_bill_fonts bf;
	int rc;

	if (br_pdf_doc_new(p, pf, NULL, what, err) != 0)
		return -1;
	*n = draw_bill(p, d);
	if (!p->wide || p->error != 0) {
		report_missing(p, NULL, miss);
		return 0;
	}
	rc = br_pdf_bill_fonts(pf, p->cps, p->ncp, &bf, err);
	HPDF_Free(p->doc);
	free(p->cps);
	p->doc = NULL;
	p->cps = NULL;
	if (rc != 0)
		return -1;
	rc = br_pdf_doc_new(p, pf, &bf, what, err);
	if (rc == 0) {
		*n = draw_bill(p, d);
		report_missing(p, &bf, miss);
	}
	br_pdf_bill_fonts_free(&bf);
	return rc;
}

int
br_render_pdf(const struct br_bill_doc *d, const struct br_pdf_fonts *pf,
    FILE *f, int *pages, struct br_pdf_glyphs *miss, struct br_error *err)
{
	struct pdf p;
	char title[200], uname[256], what[200];
	int rc = 0, n;

	snprintf(what, sizeof(what), "bill '%s'", d->bill_id);
	if (doc_bill(&p, d, pf, what, miss, &n, err) != 0)
		return -1;
	br_pdf_set_dates(&p, d->bill_date);
	snprintf(title, sizeof(title), "Bill %s", d->bill_id);
	HPDF_SetInfoAttr(p.doc, HPDF_INFO_TITLE, title);
	br_pdf_to_winansi(d->uname, uname, sizeof(uname));
	HPDF_SetInfoAttr(p.doc, HPDF_INFO_AUTHOR, uname);
	if (pages != NULL)
		*pages = n;
	if (f != NULL)
		rc = br_pdf_save(&p, f, what, err);
	else if (p.error != 0)
		rc = br_error_set(err, BR_EINTERNAL, NULL, 0, "%s: PDF error "
		    "0x%04X (detail %u)", what, (unsigned)p.error,
		    (unsigned)p.detail);
	HPDF_Free(p.doc);
	free(p.cps);
	return rc;
}

struct br_pdf_stream {
	struct pdf p;
	char date[11];		/* latest bill date */
	char title[200];
	long nwide;		/* bills drawn with their own UTF-8 fonts */
};

/* 1 when s has a byte outside ASCII. */
static int
nonascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/*
 * 1 when some text of d may leave WinAnsi (a byte outside ASCII in the
 * names, addresses, descriptions and messages): the stream then lays the
 * bill out once more to learn its characters.  A field missed here is
 * still reported (GLYPH_MISSING), never dropped silently.
 */
static int
doc_maybe_wide(const struct br_bill_doc *d)
{
	size_t i;
	int k;

	if (nonascii(d->uname) || nonascii(d->uaddr) || nonascii(d->name) ||
	    nonascii(d->mailing) || nonascii(d->uphone))
		return 1;
	for (i = 0; i < d->nsvc; i++)
		if (nonascii(d->svc[i].address) || nonascii(d->svc[i].sp_id) ||
		    nonascii(d->svc[i].rate_code))
			return 1;
	for (i = 0; i < d->nitems; i++)
		if (nonascii(d->items[i].description) ||
		    nonascii(d->items[i].unit))
			return 1;
	for (k = 0; k < d->nnotes; k++)
		if (nonascii(d->notes[k]))
			return 1;
	return 0;
}

struct br_pdf_stream *
br_pdf_stream_new(const struct br_pdf_fonts *pf, const char *cycle_id,
    struct br_error *err)
{
	struct br_pdf_stream *ps = calloc(1, sizeof(*ps));

	if (ps == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	if (br_pdf_doc_new(&ps->p, pf, NULL, "print stream", err) != 0) {
		free(ps);
		return NULL;
	}
	snprintf(ps->title, sizeof(ps->title), "Bills of cycle %s",
	    cycle_id);
	HPDF_SetInfoAttr(ps->p.doc, HPDF_INFO_TITLE, ps->title);
	return ps;
}

int
br_pdf_stream_add(struct br_pdf_stream *ps, const struct br_bill_doc *d,
    int *first_page, int *pages, struct br_pdf_glyphs *miss,
    struct br_error *err)
{
	struct pdf *p = &ps->p, scratch;
	struct br_pdf_bill_fonts bf;
	HPDF_Font save[3];
	int own = 0, rc;

	*first_page = p->total + 1;
	if (doc_maybe_wide(d)) {
		/* Its characters (a layout of its own), then its fonts. */
		if (br_pdf_doc_new(&scratch, p->pf, NULL, "print stream",
		    err) != 0)
			return -1;
		draw_bill(&scratch, d);
		rc = !scratch.wide ? 0 : br_pdf_bill_fonts(p->pf, scratch.cps,
		    scratch.ncp, &bf, err);
		own = rc == 0 && scratch.wide;
		HPDF_Free(scratch.doc);
		free(scratch.cps);
		if (rc != 0)
			return -1;
		if (own && br_pdf_use_bill_fonts(p, &bf, ps->nwide++,
		    save) != 0) {
			br_pdf_bill_fonts_free(&bf);
			return br_error_set(err, BR_EINTERNAL, NULL, 0, "print "
			    "stream, bill '%s': cannot load its fonts "
			    "(libharu error 0x%04X)", d->bill_id,
			    (unsigned)p->error);
		}
	}
	p->ncp = 0;
	*pages = draw_bill(p, d);
	report_missing(p, own ? &bf : NULL, miss);
	if (own) {
		br_pdf_use_bill_fonts(p, NULL, 0, save);
		br_pdf_bill_fonts_free(&bf);
	}
	if (p->total % 2 != 0) {
		/* Duplex: the next bill starts on the front of a sheet. */
		p->page = HPDF_AddPage(p->doc);
		HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_LETTER,
		    HPDF_PAGE_PORTRAIT);
		p->total++;
		br_pdf_put(p, PAGE_W / 2, PAGE_H / 2, p->reg, 8, 'c', 0,
		    "This page is intentionally blank.");
	}
	if (strcmp(d->bill_date, ps->date) > 0)
		snprintf(ps->date, sizeof(ps->date), "%s", d->bill_date);
	if (p->error != 0)
		return br_error_set(err, BR_EINTERNAL, NULL, 0, "print stream, "
		    "bill '%s': PDF error 0x%04X (detail %u)", d->bill_id,
		    (unsigned)p->error, (unsigned)p->detail);
	return 0;
}

int
br_pdf_stream_pages(const struct br_pdf_stream *ps)
{
	return ps->p.total;
}

int
br_pdf_stream_save(struct br_pdf_stream *ps, FILE *f, struct br_error *err)
{
	struct pdf *p = &ps->p;

	if (p->total == 0) {
		/* No bill: one blank page, a PDF must have one. */
		p->page = HPDF_AddPage(p->doc);
		HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_LETTER,
		    HPDF_PAGE_PORTRAIT);
		br_pdf_put(p, PAGE_W / 2, PAGE_H / 2, p->reg, 8, 'c', 0,
		    "No bills.");
	}
	br_pdf_set_dates(p, ps->date);
	return br_pdf_save(p, f, "print stream", err);
}

void
br_pdf_stream_free(struct br_pdf_stream *ps)
{
	if (ps == NULL)
		return;
	HPDF_Free(ps->p.doc);
	free(ps->p.cps);
	free(ps);
}
