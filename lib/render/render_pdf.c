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
 * Characters: every string drawn goes through put(), which also collects
 * its code points.  A bill whose text stays inside WinAnsi is drawn once
 * with the run's cached single-byte subsets.  Otherwise it is drawn again
 * with its own UTF-8 (CID) subsets of its own code points
 * (br_pdf_bill_fonts), each string split into runs of the text face and
 * the CJK fallback; characters no face has are reported to the caller
 * (never a silent '?').  The print stream keeps the single-byte faces:
 * its characters outside WinAnsi are reported the same way.
 */
#include "render/render.h"

#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_fontdef.h>
#include <hpdf_streams.h>

#include "core/money.h"
#include "render/pdffont.h"
#include "core/banned.h"

#define PAGE_W	612.0f
#define PAGE_H	792.0f
#define LEFT	40.0f
#define RIGHT	572.0f
#define TOP	756.0f
#define STUB_TOP 216.0f		/* the tear-off line on page 1 (3 in) */
#define FLOOR1	(STUB_TOP + 14.0f)	/* content floor on page 1 */
#define FLOOR	48.0f		/* content floor on later pages */

struct pdf {
	HPDF_Doc doc;
	HPDF_Page page;
	HPDF_Font reg, bold, mono;
	float y, floor;
	int pageno;		/* page of the current bill, 1.. */
	int total;		/* pages in the document */
	HPDF_STATUS error, detail;
	const struct br_bill_doc *d;
	const struct br_pdf_fonts *pf;
	int utf8;		/* UTF-8 faces of this bill */
	HPDF_Font fb;		/* CJK fallback (utf8), or NULL */
	uint32_t *cps;		/* OWNED: code points drawn, unsorted */
	size_t ncp, capcp;
	int wide;		/* a code point outside WinAnsi was drawn */
};

static void
on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
	struct pdf *p = user;

	if (p->error == 0) {
		p->error = error_no;
		p->detail = detail_no;
	}
}

/*
 * UTF-8 to WinAnsi (the built-in fonts' encoding): Latin-1 code points
 * map to one byte, anything else becomes '?'.
 */
static void
winansi(const char *s, char *out, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;

	while (*u != '\0' && o + 1 < n) {
		if (*u < 0x80) {
			out[o++] = (char)*u++;
		} else if ((*u & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) {
			unsigned cp = ((unsigned)(*u & 0x1F) << 6) |
			    (unsigned)(u[1] & 0x3F);
			out[o++] = cp >= 0xA0 && cp <= 0xFF ? (char)cp : '?';
			u += 2;
		} else {
			out[o++] = '?';
			u++;
			while ((*u & 0xC0) == 0x80)
				u++;
		}
	}
	out[o] = '\0';
}

static float
width(HPDF_Font font, float size, const char *s)
{
	HPDF_TextWidth tw = HPDF_Font_TextWidth(font, (const HPDF_BYTE *)s,
	    (HPDF_UINT)strlen(s));

	return (float)tw.width * size / 1000.0f;
}

/*
 * Draw s at (x, y); align 'l', 'r' (x is the right edge) or 'c' (x is
 * the centre); text wider than maxw (0: no limit) is cut with "...".
 */
/* Next code point of UTF-8 *s (advanced); bad bytes give U+FFFD. */
static uint32_t
next_cp(const unsigned char **s)
{
	const unsigned char *u = *s;
	uint32_t cp;
	int n, i;

	if (*u < 0x80) {
		*s = u + 1;
		return *u;
	}
	n = (*u & 0xE0) == 0xC0 ? 1 : (*u & 0xF0) == 0xE0 ? 2 :
	    (*u & 0xF8) == 0xF0 ? 3 : 0;
	cp = n == 1 ? (uint32_t)(*u & 0x1F) : n == 2 ? (uint32_t)(*u & 0x0F) :
	    (uint32_t)(*u & 0x07);
	for (i = 1; i <= n; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*s = u + i;
			return 0xFFFD;
		}
		cp = cp << 6 | (uint32_t)(u[i] & 0x3F);
	}
	*s = u + (n ? n + 1 : 1);
	return n ? cp : 0xFFFD;
}

/* Remember the code points of s (the bill's own text). */
static void
collect(struct pdf *p, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (*u) {
		uint32_t cp = next_cp(&u);
		if (!br_pdf_is_winansi(cp))
			p->wide = 1;
		if (cp < 0x80)
			continue;	/* always in the subsets */
		if (p->ncp == p->capcp) {
			size_t nc = p->capcp ? p->capcp * 2 : 64;
			uint32_t *v = realloc(p->cps, nc * sizeof(*v));
			if (v == NULL) {
				p->error = HPDF_FAILD_TO_ALLOC_MEM;
				return;
			}
			p->cps = v;
			p->capcp = nc;
		}
		p->cps[p->ncp++] = cp;
	}
}

/* Face index (pdffont.h) of a document font. */
static int
face_index(const struct pdf *p, HPDF_Font font)
{
	return font == p->bold ? BR_PDF_FONT_BOLD : font == p->fb ?
	    BR_PDF_FONT_FALLBACK : BR_PDF_FONT_REGULAR;
}

/* The font a code point is drawn with: the face, else the fallback. */
static HPDF_Font
font_for(const struct pdf *p, HPDF_Font font, uint32_t cp)
{
	if (cp < 0x80 || p->fb == NULL ||
	    br_pdf_font_has(p->pf, face_index(p, font), cp) ||
	    !br_pdf_font_has(p->pf, BR_PDF_FONT_FALLBACK, cp))
		return font;
	return p->fb;
}

/* Width of UTF-8 s in points, from the faces' advances. */
static float
width_utf8(const struct pdf *p, HPDF_Font font, float size, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	long units = 0;

	while (*u) {
		uint32_t cp = next_cp(&u);
		HPDF_Font f = font_for(p, font, cp);
		units += br_pdf_advance(p->pf, face_index(p, f), cp);
	}
	return (float)units * size / 1000.0f;
}

/* put() of a UTF-8 bill: runs of one font each. */
static void
put_utf8(struct pdf *p, float x, float y, HPDF_Font font, float size,
    int align, float maxw, const char *s)
{
	char buf[1024], run[1024];
	const unsigned char *u;
	float w;
	size_t n;

	snprintf(buf, sizeof(buf) - 4, "%s", s);
	w = width_utf8(p, font, size, buf);
	if (maxw > 0 && w > maxw) {
		n = strlen(buf);
		while (n > 0 && w > maxw) {
			do
				n--;
			while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80);
			snprintf(buf + n, sizeof(buf) - n, "...");
			w = width_utf8(p, font, size, buf);
		}
	}
	if (align == 'r')
		x -= w;
	else if (align == 'c')
		x -= w / 2.0f;
	u = (const unsigned char *)buf;
	while (*u) {
		const unsigned char *start = u, *q = u;
		HPDF_Font f = font_for(p, font, next_cp(&q)), g;

		u = q;
		while (*u) {
			q = u;
			g = font_for(p, font, next_cp(&q));
			if (g != f)
				break;
			u = q;
		}
		memcpy(run, start, (size_t)(u - start));
		run[u - start] = '\0';
		HPDF_Page_BeginText(p->page);
		HPDF_Page_SetFontAndSize(p->page, f, size);
		HPDF_Page_TextOut(p->page, x, y, run);
		HPDF_Page_EndText(p->page);
		x += width_utf8(p, f, size, run);
	}
}

static void
put(struct pdf *p, float x, float y, HPDF_Font font, float size, int align,
    float maxw, const char *s)
{
	char buf[512];
	float w;
	size_t n;

	collect(p, s);
	if (p->utf8 && font != p->mono) {
		if (s[0] != '\0')
			put_utf8(p, x, y, font, size, align, maxw, s);
		return;
	}
	winansi(s, buf, sizeof(buf));
	if (buf[0] == '\0')
		return;		/* libharu's TrueType fonts reject "" */
	w = width(font, size, buf);
	if (maxw > 0 && w > maxw) {
		n = strlen(buf);
		while (n > 0 && w > maxw) {
			n--;
			snprintf(buf + n, sizeof(buf) - n, "...");
			w = width(font, size, buf);
		}
	}
	if (align == 'r')
		x -= w;
	else if (align == 'c')
		x -= w / 2.0f;
	HPDF_Page_BeginText(p->page);
	HPDF_Page_SetFontAndSize(p->page, font, size);
	HPDF_Page_TextOut(p->page, x, y, buf);
	HPDF_Page_EndText(p->page);
}

static void
hline(struct pdf *p, float x0, float x1, float y, float w)
{
	HPDF_Page_SetLineWidth(p->page, w);
	HPDF_Page_MoveTo(p->page, x0, y);
	HPDF_Page_LineTo(p->page, x1, y);
	HPDF_Page_Stroke(p->page);
}

static void
box(struct pdf *p, float x, float y, float w, float h, float gray)
{
	if (gray < 1.0f) {
		HPDF_Page_SetGrayFill(p->page, gray);
		HPDF_Page_Rectangle(p->page, x, y, w, h);
		HPDF_Page_Fill(p->page);
		HPDF_Page_SetGrayFill(p->page, 0);
	} else {
		HPDF_Page_SetLineWidth(p->page, 0.8f);
		HPDF_Page_Rectangle(p->page, x, y, w, h);
		HPDF_Page_Stroke(p->page);
	}
}

static void
new_page(struct pdf *p)
{
	char buf[600];

	p->page = HPDF_AddPage(p->doc);
	HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_LETTER,
	    HPDF_PAGE_PORTRAIT);
	p->pageno++;
	p->total++;
	p->y = TOP;
	p->floor = p->pageno == 1 ? FLOOR1 : FLOOR;
	if (p->pageno > 1) {
		snprintf(buf, sizeof(buf), "%s - account %s - bill %s "
		    "(continued, page %d)", p->d->uname, p->d->account_id,
		    p->d->bill_id, p->pageno);
		put(p, LEFT, p->y, p->reg, 8, 'l', RIGHT - LEFT, buf);
		hline(p, LEFT, RIGHT, p->y - 6, 0.5f);
		p->y -= 24;
	}
}

/*
 * Make room for h points below y, continuing on a new page if needed.
 * Returns 1 when a page was added.
 */
static int
need(struct pdf *p, float h)
{
	if (p->y - h >= p->floor)
		return 0;
	new_page(p);
	return 1;
}

static void
heading(struct pdf *p, const char *s)
{
	need(p, 30);
	box(p, LEFT, p->y - 4, RIGHT - LEFT, 15, 0.88f);
	put(p, LEFT + 4, p->y, p->bold, 9.5f, 'l', 0, s);
	p->y -= 18;
}

static const char *
cents(int64_t v, char *buf, size_t n)
{
	return br_cents_format(v, buf, n);
}

static const char *
dollars(int64_t v, char *buf, size_t n)
{
	char t[32];

	snprintf(buf, n, "%s$%s", v < 0 ? "-" : "", br_cents_format(v < 0 ?
	    -v : v, t, sizeof(t)));
	return buf;
}

static void
label_value(struct pdf *p, float x, float xr, float y, HPDF_Font vf,
    float size, const char *label, const char *value)
{
	put(p, x, y, p->reg, size, 'l', 0, label);
	put(p, xr, y, vf, size, 'r', 0, value);
}

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

	put(p, LEFT, TOP - 6, p->bold, 16, 'l', 300, d->uname);
	y = TOP - 22;
	if (d->uaddr[0] != '\0') {
		put(p, LEFT, y, p->reg, 9, 'l', 300, d->uaddr);
		y -= 11;
	}
	if (d->uphone[0] != '\0') {
		snprintf(buf, sizeof(buf), "Customer service: %s", d->uphone);
		put(p, LEFT, y, p->reg, 9, 'l', 300, buf);
	}

	/* Bill facts, top right. */
	box(p, 352, 652, RIGHT - 352, 112, 2);
	box(p, 352, 744, RIGHT - 352, 20, 0.2f);
	HPDF_Page_SetGrayFill(p->page, 1);
	put(p, 360, 750, p->bold, 10, 'l', 0,
	    d->replaces[0] ? "CORRECTED BILL" : "YOUR BILL");
	HPDF_Page_SetGrayFill(p->page, 0);
	label_value(p, 360, RIGHT - 8, 730, p->bold, 9, "Account number",
	    d->account_id);
	label_value(p, 360, RIGHT - 8, 717, p->reg, 9, "Bill number",
	    d->bill_id);
	label_value(p, 360, RIGHT - 8, 704, p->reg, 9, "Bill date",
	    d->bill_date);
	snprintf(buf, sizeof(buf), "%s to %s", d->period_start, d->period_end);
	label_value(p, 360, RIGHT - 8, 691, p->reg, 9, "Billing period", buf);
	snprintf(buf, sizeof(buf), "%d", d->days);
	label_value(p, 360, RIGHT - 8, 678, p->reg, 9, "Days in period", buf);
	hline(p, 352, RIGHT, 672, 0.5f);
	snprintf(buf, sizeof(buf), "Amount due by %s", d->due_date);
	label_value(p, 360, RIGHT - 8, 658, p->bold, 11, buf,
	    dollars(d->due_cents, a, sizeof(a)));

	/* Customer (window envelope position), the IMb above the name. */
	if (d->imb[0] != '\0')
		draw_imb(p, 72, 682, d->imb);
	put(p, 72, 672, p->bold, 10, 'l', 260, d->name);
	if (d->mailing[0] != '\0')
		put(p, 72, 659, p->reg, 10, 'l', 260, d->mailing);
	p->y = 626;
}

static void
draw_summary(struct pdf *p, float x0, float x1, float ytop)
{
	const struct br_bill_doc *d = p->d;
	const struct br_ledger_statement *ls = &d->ls;
	char a[48], label[64];
	float y = ytop;

	box(p, x0, y - 4, x1 - x0, 15, 0.88f);
	put(p, x0 + 4, y, p->bold, 9.5f, 'l', 0, "ACCOUNT SUMMARY");
	y -= 18;
	label_value(p, x0 + 4, x1 - 4, y, p->reg, 9, "Previous balance",
	    cents(ls->previous_cents, a, sizeof(a)));
	y -= 13;
	label_value(p, x0 + 4, x1 - 4, y, p->reg, 9,
	    ls->previous_bill_date[0] ? "Payments since last bill" :
	    "Payments", cents(ls->payments_cents, a, sizeof(a)));
	y -= 13;
	label_value(p, x0 + 4, x1 - 4, y, p->reg, 9, "Adjustments",
	    cents(ls->adjustments_cents, a, sizeof(a)));
	y -= 13;
	label_value(p, x0 + 4, x1 - 4, y, p->reg, 9, "Current charges",
	    cents(d->total_cents, a, sizeof(a)));
	y -= 6;
	hline(p, x1 - 80, x1 - 4, y, 0.6f);
	y -= 12;
	snprintf(label, sizeof(label), "Amount due by %s", d->due_date);
	label_value(p, x0 + 4, x1 - 4, y, p->bold, 10, label,
	    dollars(d->due_cents, a, sizeof(a)));
	y -= 14;
	if (d->past_due_cents > 0) {
		char buf[120];

		snprintf(buf, sizeof(buf), "PAST DUE since %s: %s. Please pay "
		    "it now.", d->past_due_since, cents(d->past_due_cents, a,
		    sizeof(a)));
		put(p, x0 + 4, y, p->bold, 8, 'l', x1 - x0 - 8, buf);
		y -= 11;
	}
	if (d->replaces[0] != '\0') {
		char b1[32], b2[32], b3[32], buf[200];

		snprintf(buf, sizeof(buf), "Replaces cancelled bill %s",
		    d->replaces);
		put(p, x0 + 4, y, p->bold, 8, 'l', x1 - x0 - 8, buf);
		y -= 11;
		snprintf(buf, sizeof(buf), "Cancelled %s, corrected %s, "
		    "difference %s", cents(d->replaced_cents, b1, sizeof(b1)),
		    cents(d->total_cents, b2, sizeof(b2)),
		    cents(d->total_cents - d->replaced_cents, b3, sizeof(b3)));
		put(p, x0 + 4, y, p->reg, 8, 'l', x1 - x0 - 8, buf);
	}
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

/*
 * The usage history bar chart in the box x0..x1, top at ytop.  Returns
 * the height it takes: 120, or 130 with the "Same period last year"
 * line, which would otherwise sit under the next section's header.
 */
static float
draw_history(struct pdf *p, float x0, float x1, float ytop)
{
	const struct br_bill_doc *d = p->d;
	const float ch = 60.0f, base = ytop - 18 - ch;
	char buf[160], q[48];
	int64_t max = 0;
	float bw, x;
	int i, m, yr, cy, cm;

	snprintf(buf, sizeof(buf), "USAGE HISTORY (%s)", d->hist_unit[0] ?
	    d->hist_unit : "no metered usage");
	box(p, x0, ytop - 4, x1 - x0, 15, 0.88f);
	put(p, x0 + 4, ytop, p->bold, 9.5f, 'l', 0, buf);
	if (d->nhist == 0)
		return 120;
	for (i = 0; i < d->nhist; i++)
		if (d->hist[i].usage_milli > max)
			max = d->hist[i].usage_milli;
	put(p, x0 + 2, base + ch - 6, p->reg, 6, 'l', 0,
	    br_decimal_format(max, 3, 0, q, sizeof(q)));
	hline(p, x0 + 2, x1 - 2, base, 0.5f);
	bw = (x1 - x0 - 28) / BR_RENDER_HISTORY;
	for (i = 0; i < d->nhist; i++) {
		const struct br_bill_bar *b = &d->hist[i];
		int64_t permille = max > 0 ? b->usage_milli * 1000 / max : 0;
		float h = (float)(permille < 0 ? 0 : permille) * (ch - 10) /
		    1000.0f;

		x = x0 + 24 + (float)(BR_RENDER_HISTORY - d->nhist + i) * bw;
		box(p, x + 2, base, bw - 4, h, i == d->nhist - 1 ? 0.15f :
		    0.6f);
		m = month_of(b->period_end, &yr);
		put(p, x + bw / 2, base - 8, p->reg, 6, 'c', 0,
		    m ? months[m - 1] : "?");
		if (m == 1 || i == 0) {
			snprintf(buf, sizeof(buf), "%02d", yr);
			put(p, x + bw / 2, base - 15, p->reg, 6, 'c', 0, buf);
		}
	}
	/* This period: average per day, and the same month last year. */
	{
		const struct br_bill_bar *c = &d->hist[d->nhist - 1];
		char avg[48];

		br_decimal_format(c->days > 0 ? c->usage_milli / c->days : 0,
		    3, 1, avg, sizeof(avg));
		snprintf(buf, sizeof(buf), "This period: %s %s, %d days, "
		    "average %s %s/day", br_decimal_format(c->usage_milli, 3,
		    0, q, sizeof(q)), d->hist_unit, c->days, avg, d->hist_unit);
		put(p, x0 + 4, base - 26, p->reg, 7.5f, 'l', x1 - x0 - 8, buf);
		cm = month_of(c->period_end, &cy);
		for (i = 0; i < d->nhist - 1; i++) {
			m = month_of(d->hist[i].period_end, &yr);
			if (m == cm && yr == cy - 1) {
				snprintf(buf, sizeof(buf), "Same period last "
				    "year: %s %s", br_decimal_format(
				    d->hist[i].usage_milli, 3, 0, q,
				    sizeof(q)), d->hist_unit);
				put(p, x0 + 4, base - 36, p->reg, 7.5f, 'l',
				    x1 - x0 - 8, buf);
				return 130;
			}
		}
	}
	return 120;
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
		need(p, 12);
		put(p, LEFT + 12, p->y, p->reg, 8.5f, 'l', RIGHT - LEFT - 20,
		    buf);
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
	need(p, 10);
	put(p, LEFT + 20, p->y, p->reg, 7.5f, 'l', RIGHT - LEFT - 24, buf);
	p->y -= 10;
}

static void
draw_service(struct pdf *p)
{
	const struct br_bill_doc *d = p->d;
	char buf[400], q[48], e[48], x[48];
	size_t i, j, k;
	int other = 0;

	heading(p, "SERVICE AND METERS");
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
			need(p, 40);
			put(p, LEFT + 4, p->y, p->bold, 9, 'l', 0,
			    "Other meters");
			p->y -= 12;
		} else {
			const struct br_bill_service *sv = &d->svc[i];

			group = sv->sp_id;
			need(p, 40);
			for (j = i; j < d->nsvc && strcmp(d->svc[j].sp_id,
			    sv->sp_id) == 0; j++)
				;
			snprintf(buf, sizeof(buf), "Service point %s (%s)%s%s",
			    sv->sp_id, sv->kind, sv->address[0] ? ", " : "",
			    sv->address);
			put(p, LEFT + 4, p->y, p->bold, 9, 'l', 330, buf);
			if (j == i + 1 && strcmp(sv->start_date,
			    d->period_start) <= 0 && sv->net_metering[0] ==
			    '\0') {
				/* One rate for the whole period: same line. */
				snprintf(buf, sizeof(buf), "Rate schedule: %s",
				    sv->rate_code);
				put(p, RIGHT - 4, p->y, p->reg, 8.5f, 'r', 190,
				    buf);
				p->y -= 12;
			} else {
				p->y -= 12;
				draw_rates(p, i, j);
			}
			for (k = 0; k < d->nnem; k++) {
				if (strcmp(d->nem[k].sp_id, sv->sp_id) != 0)
					continue;
				snprintf(buf, sizeof(buf), "Net-metering "
				    "credit balance carried forward: %s %s",
				    br_decimal_format(d->nem[k].bank_milli, 3,
				    3, q, sizeof(q)), d->nem[k].unit);
				need(p, 12);
				put(p, LEFT + 12, p->y, p->reg, 8.5f, 'l', 0,
				    buf);
				p->y -= 11;
			}
			for (k = 0; br_bill_nem_line(d, sv->sp_id, (int)k,
			    buf, sizeof(buf)); k++) {
				need(p, 12);
				put(p, LEFT + 12, p->y, p->reg, 8.5f, 'l',
				    RIGHT - LEFT - 16, buf);
				p->y -= 11;
			}
		}
		need(p, 24);
		put(p, LEFT + 12, p->y, p->bold, 8, 'l', 0, "Meter");
		put(p, 170, p->y, p->bold, 8, 'l', 0, "Register");
		put(p, 300, p->y, p->bold, 8, 'r', 0, "Multiplier");
		put(p, 400, p->y, p->bold, 8, 'r', 0, "Usage");
		put(p, 406, p->y, p->bold, 8, 'l', 0, "Unit");
		put(p, RIGHT - 4, p->y, p->bold, 8, 'r', 0, "Estimated");
		p->y -= 11;
		for (k = 0; k < d->nmeters; k++) {
			const struct br_bill_meterrow *m = &d->meters[k];

			if (strcmp(m->group, group) != 0)
				continue;
			need(p, 11);
			put(p, LEFT + 12, p->y, p->reg, 8.5f, 'l', 120,
			    m->meter_id);
			put(p, 170, p->y, p->reg, 8.5f, 'l', 0,
			    m->channel == BR_CHANNEL_RECEIVED ?
			    "received (export)" : "delivered");
			put(p, 300, p->y, p->reg, 8.5f, 'r', 0,
			    br_decimal_format(m->multiplier_milli, 3, 0, x,
			    sizeof(x)));
			put(p, 400, p->y, p->reg, 8.5f, 'r', 0,
			    br_decimal_format(m->usage_milli, 3, 3, q,
			    sizeof(q)));
			put(p, 406, p->y, p->reg, 8.5f, 'l', 0, m->unit);
			put(p, RIGHT - 4, p->y, m->estimated_milli > 0 ?
			    p->bold : p->reg, 8.5f, 'r', 0,
			    m->estimated_milli > 0 ? br_decimal_format(
			    m->estimated_milli, 3, 3, e, sizeof(e)) : "-");
			p->y -= 11;
			if (m->has_reads)
				draw_reads(p, m);
			if (br_bill_therm_line(d, m, buf, sizeof(buf))) {
				char tl[440];
				need(p, 10);
				snprintf(tl, sizeof(tl), "Billed: %s", buf);
				put(p, LEFT + 20, p->y, p->reg, 7.5f, 'l',
				    RIGHT - LEFT - 24, tl);
				p->y -= 10;
			}
		}
		p->y -= 3;
	}
	need(p, 12);
	put(p, LEFT + 4, p->y, p->reg, 7, 'l', 0, "Usage is measured from "
	    "interval (smart meter) data and includes the meter multiplier.");
	for (k = 0; k < d->nmeters && !d->meters[k].has_reads; k++)
		;
	if (k < d->nmeters) {
		p->y -= 9;
		need(p, 12);
		put(p, LEFT + 4, p->y, p->reg, 7, 'l', 0, "Reads are the "
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
		put(p, LEFT + 4, p->y, p->bold, 9.5f, 'l', 0,
		    "CURRENT CHARGES (continued)");
		p->y -= 14;
	}
	put(p, LEFT + 12, p->y, p->bold, 8, 'l', 0, "Description");
	put(p, 360, p->y, p->bold, 8, 'r', 0, "Quantity");
	put(p, 366, p->y, p->bold, 8, 'l', 0, "Unit");
	put(p, 480, p->y, p->bold, 8, 'r', 0, "Rate ($/unit)");
	put(p, RIGHT - 4, p->y, p->bold, 8, 'r', 0, "Amount ($)");
	p->y -= 12;
}

static void
charge_row(struct pdf *p, const struct br_bill_item *it)
{
	char q[48], r[64], a[48], pct[48];

	if (need(p, 11))
		charges_header(p, 1);
	put(p, LEFT + 12, p->y, p->reg, 8.5f, 'l', 250, it->description);
	if (strcmp(it->unit, "USD") == 0) {
		/* A percentage of an amount: "on 1047.53 USD at 3.00%". */
		put(p, 360, p->y, p->reg, 8.5f, 'r', 0, br_decimal_format(
		    it->quantity_milli, 3, 2, q, sizeof(q)));
		put(p, 366, p->y, p->reg, 8.5f, 'l', 40, it->unit);
		snprintf(r, sizeof(r), "%s%%", br_decimal_format(
		    it->rate_micro, 4, 2, pct, sizeof(pct)));
		put(p, 480, p->y, p->reg, 8.5f, 'r', 0, r);
	} else if (it->quantity_milli != 0 || it->rate_micro != 0) {
		put(p, 360, p->y, p->reg, 8.5f, 'r', 0, br_decimal_format(
		    it->quantity_milli, 3, 3, q, sizeof(q)));
		put(p, 366, p->y, p->reg, 8.5f, 'l', 40, it->unit);
		put(p, 480, p->y, p->reg, 8.5f, 'r', 0, br_decimal_format(
		    it->rate_micro, 6, 6, r, sizeof(r)));
	}
	put(p, RIGHT - 4, p->y, p->reg, 8.5f, 'r', 0,
	    cents(it->amount_cents, a, sizeof(a)));
	p->y -= 11;
}

static void
draw_charges(struct pdf *p)
{
	const struct br_bill_doc *d = p->d;
	char prev_sp[64] = "", buf[128], a[48];
	int64_t taxes = 0;
	size_t i;
	int ntax = 0;

	heading(p, "CURRENT CHARGES");
	need(p, 24);
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
			if (need(p, 22))
				charges_header(p, 1);
			snprintf(buf, sizeof(buf), "Service point %s",
			    it->sp_id);
			put(p, LEFT + 4, p->y, p->bold, 8.5f, 'l', 0, buf);
			p->y -= 11;
			snprintf(prev_sp, sizeof(prev_sp), "%s", it->sp_id);
		}
		charge_row(p, it);
	}
	if (ntax > 0) {
		if (need(p, 22))
			charges_header(p, 1);
		put(p, LEFT + 4, p->y, p->bold, 8.5f, 'l', 0,
		    "Taxes and surcharges");
		p->y -= 11;
		for (i = 0; i < d->nitems; i++)
			if (is_tax(&d->items[i]))
				charge_row(p, &d->items[i]);
		need(p, 11);
		label_value(p, LEFT + 12, RIGHT - 4, p->y, p->reg, 8.5f,
		    "Total taxes and surcharges", cents(taxes, a, sizeof(a)));
		p->y -= 11;
	}
	need(p, 18);
	hline(p, RIGHT - 80, RIGHT - 4, p->y + 6, 0.6f);
	p->y -= 4;
	label_value(p, LEFT + 12, RIGHT - 4, p->y, p->bold, 9.5f,
	    "Total current charges", cents(d->total_cents, a, sizeof(a)));
	p->y -= 14;
}

/* Width of s in font at size, as put() will draw it. */
static float
text_width(struct pdf *p, HPDF_Font font, float size, const char *s)
{
	char buf[512];

	if (p->utf8 && font != p->mono)
		return width_utf8(p, font, size, s);
	winansi(s, buf, sizeof(buf));
	return buf[0] ? width(font, size, buf) : 0;
}

/*
 * s at x, broken at spaces into lines no wider than maxw, 11 pt apart;
 * draw 0: only count.  Returns the number of lines.
 */
static int
wrap_lines(struct pdf *p, float x, HPDF_Font font, float size, float maxw,
    const char *s, int draw)
{
	char line[400];
	size_t k, cut;
	int n = 0;

	while (*s) {
		snprintf(line, sizeof(line), "%s", s);
		cut = strlen(line);
		while (text_width(p, font, size, line) > maxw) {
			for (k = cut - 1; k > 0 && line[k] != ' '; k--)
				;
			if (k == 0)
				break;
			cut = k;
			line[cut] = '\0';
		}
		if (draw) {
			need(p, 12);
			put(p, x, p->y, font, size, 'l', maxw, line);
			p->y -= 11;
		}
		n++;
		s += cut;
		while (*s == ' ')
			s++;
	}
	return n;
}

static void
put_wrapped(struct pdf *p, float x, HPDF_Font font, float size, float maxw,
    const char *s)
{
	wrap_lines(p, x, font, size, maxw, s, 1);
}

static void
draw_messages(struct pdf *p)
{
	const struct br_bill_doc *d = p->d;
	char buf[300], a[48], b[48], c[48];
	float h = 18 + 13;	/* heading, the questions line */
	int k;

	/* The section stays whole: it moves to the next page (with the
	 * continued-page header) rather than leave a line behind. */
	h += d->estimated ? 13 : 0;
	h += d->replaces[0] != '\0' ? 12 : 0;
	h += d->due_cents < 0 ? 12 : 0;
	for (k = 0; k < d->nnotes; k++)
		h += 11.0f * (float)wrap_lines(p, LEFT + 4, p->reg, 8.5f,
		    RIGHT - LEFT - 8, d->notes[k], 0);
	need(p, h);
	heading(p, "MESSAGES");
	if (d->estimated) {
		need(p, 13);
		put(p, LEFT + 4, p->y, p->bold, 9.5f, 'l', 0, "ESTIMATED: "
		    "this bill includes estimated usage.");
		p->y -= 13;
	}
	for (k = 0; k < d->nnotes; k++)
		put_wrapped(p, LEFT + 4, p->reg, 8.5f, RIGHT - LEFT - 8,
		    d->notes[k]);
	if (d->replaces[0] != '\0') {
		need(p, 13);
		snprintf(buf, sizeof(buf), "This corrected bill replaces bill "
		    "%s, which is cancelled. Cancelled charges %s, corrected "
		    "charges %s, difference %s.", d->replaces,
		    cents(d->replaced_cents, a, sizeof(a)),
		    cents(d->total_cents, b, sizeof(b)),
		    cents(d->total_cents - d->replaced_cents, c, sizeof(c)));
		put(p, LEFT + 4, p->y, p->reg, 8.5f, 'l', RIGHT - LEFT - 8,
		    buf);
		p->y -= 12;
	}
	if (d->due_cents < 0) {
		need(p, 13);
		snprintf(buf, sizeof(buf), "Your account has a credit of %s. "
		    "No payment is due.", cents(-d->due_cents, a, sizeof(a)));
		put(p, LEFT + 4, p->y, p->reg, 8.5f, 'l', 0, buf);
		p->y -= 12;
	}
	need(p, 13);
	/* A credit or zero balance asks for no payment ("No payment is
	 * due" above): no due date then. */
	if (d->due_cents > 0)
		snprintf(buf, sizeof(buf), "Questions about your bill? Call "
		    "%s. Please pay by %s.", d->uphone[0] ? d->uphone :
		    "customer service", d->due_date);
	else
		snprintf(buf, sizeof(buf), "Questions about your bill? Call "
		    "%s.", d->uphone[0] ? d->uphone : "customer service");
	put(p, LEFT + 4, p->y, p->reg, 8.5f, 'l', RIGHT - LEFT - 8, buf);
	p->y -= 12;
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
	hline(p, 18, PAGE_W - 18, STUB_TOP, 0.7f);
	HPDF_Page_SetDash(p->page, NULL, 0, 0);
	put(p, PAGE_W / 2, STUB_TOP - 11, p->reg, 7, 'c', 0,
	    "Please detach and return this portion with your payment. "
	    "Make checks payable to the utility named below.");

	put(p, LEFT, 186, p->bold, 11, 'l', 280, d->uname);
	put(p, LEFT, 174, p->reg, 8.5f, 'l', 280, "Remit to:");
	put(p, LEFT, 163, p->reg, 8.5f, 'l', 280, d->uaddr);

	box(p, 340, 104, RIGHT - 340, 92, 2);
	label_value(p, 348, RIGHT - 8, 182, p->bold, 9, "Account number",
	    d->account_id);
	if (svc[0] != '\0') {
		put(p, 348, 169, p->reg, 9, 'l', 0, "Service address");
		put(p, RIGHT - 8, 169, p->reg, 9, 'r', 120, svc);
	}
	label_value(p, 348, RIGHT - 8, 156, p->reg, 9, "Due date",
	    d->due_date);
	label_value(p, 348, RIGHT - 8, 141, p->bold, 11, "Amount due",
	    dollars(d->due_cents > 0 ? d->due_cents : 0, a, sizeof(a)));
	put(p, 348, 116, p->reg, 9, 'l', 0, "Amount enclosed");
	box(p, 450, 110, RIGHT - 8 - 450, 18, 2);
	put(p, 456, 116, p->reg, 9, 'l', 0, "$");

	put(p, 72, 128, p->bold, 10, 'l', 250, d->name);
	if (d->mailing[0] != '\0')
		put(p, 72, 115, p->reg, 10, 'l', 250, d->mailing);

	if (d->scanline[0] != '\0') {
		snprintf(buf, sizeof(buf), "%s", d->scanline);
		put(p, RIGHT - 8, 40, p->mono, 12, 'r', 0, buf);
	}
	p->page = cur;
}

static int
save(struct pdf *p, FILE *f, const char *what, struct br_error *err)
{
	HPDF_BYTE buf[8192];
	HPDF_UINT32 len;
	HPDF_STATUS rc;

	if (HPDF_SaveToStream(p->doc) != HPDF_OK || p->error != 0)
		return br_error_set(err, BR_EINTERNAL, NULL, 0,
		    "%s: PDF error 0x%04X (detail %u)", what,
		    (unsigned)p->error, (unsigned)p->detail);
	HPDF_ResetStream(p->doc);
	do {
		len = sizeof(buf);
		rc = HPDF_ReadFromStream(p->doc, buf, &len);
		if (rc != HPDF_OK && rc != HPDF_STREAM_EOF)
			return br_error_set(err, BR_EINTERNAL, NULL, 0,
			    "%s: PDF stream error 0x%04X", what, (unsigned)rc);
		if (len > 0 && fwrite(buf, 1, len, f) != len)
			return br_error_set(err, BR_EIO, NULL, 0,
			    "%s: PDF write error", what);
	} while (rc == HPDF_OK);
	return 0;
}

static int
date_of(const char *s, HPDF_Date *dt)
{
	memset(dt, 0, sizeof(*dt));
	if (strlen(s) != 10)
		return -1;
	dt->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
	    (s[2] - '0') * 10 + (s[3] - '0');
	dt->month = (s[5] - '0') * 10 + (s[6] - '0');
	dt->day = (s[8] - '0') * 10 + (s[9] - '0');
	dt->ind = 'Z';
	return 0;
}

/*
 * Load font i of pf into the document from memory and return its name
 * (NULL on error, p->error set).  HPDF_LoadTTFontFromFile() reads a font
 * through stdio with an lseek() per glyph lookup, several hundred system
 * calls per PDF; this is the same sequence (libharu 2.3.0, hpdf_doc.c
 * LoadTTFontFromStream) over a memory stream, with a fixed subset tag
 * per face.
 */
static const char *
load_font(struct pdf *p, const unsigned char *data, size_t len, int i)
{
	char tag[7] = "BRPDFA";
	HPDF_Stream s;
	HPDF_FontDef def;

	if ((s = HPDF_MemStream_New(p->doc->mmgr, 8192)) == NULL)
		return NULL;
	if (HPDF_Stream_Write(s, data, (HPDF_UINT)len) != HPDF_OK) {
		HPDF_Stream_Free(s);
		return NULL;
	}
	/* On failure the stream is freed with the font definition. */
	if ((def = HPDF_TTFontDef_Load(p->doc->mmgr, s, HPDF_TRUE)) == NULL)
		return NULL;
	if (HPDF_Doc_RegisterFontDef(p->doc, def) != HPDF_OK)
		return NULL;
	tag[5] = (char)('A' + i);
	HPDF_TTFontDef_SetTagName(def, tag);
	return def->base_font;
}

/*
 * A new document with the embedded fonts: the cached single-byte
 * subsets of pf, or (bf not NULL) the bill's own UTF-8 subsets for the
 * text faces and the fallback.  -1 with err.
 */
static int
doc_new(struct pdf *p, const struct br_pdf_fonts *pf,
    const struct br_pdf_bill_fonts *bf, const char *what,
    struct br_error *err)
{
	const char *name[BR_PDF_NFONTS] = {NULL, NULL, NULL, NULL};
	const char *enc = bf != NULL ? "UTF-8" : "WinAnsiEncoding";
	int i;

	memset(p, 0, sizeof(*p));
	p->pf = pf;
	if ((p->doc = HPDF_New(on_error, p)) == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0,
		    "cannot create a PDF document");
	HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL);
	HPDF_SetInfoAttr(p->doc, HPDF_INFO_CREATOR, "billrun bill-render");
	if (bf != NULL)
		HPDF_UseUTFEncodings(p->doc);
	for (i = 0; i < BR_PDF_NFONTS; i++) {
		if (bf != NULL && i != BR_PDF_FONT_OCR) {
			if (bf->data[i] != NULL)
				name[i] = load_font(p, bf->data[i], bf->len[i],
				    i);
		} else if (pf->data[i] != NULL)
			name[i] = load_font(p, pf->data[i], pf->len[i], i);
	}
	if (p->error == 0 && name[0] && name[1] && name[2]) {
		p->reg = HPDF_GetFont(p->doc, name[BR_PDF_FONT_REGULAR], enc);
		p->bold = HPDF_GetFont(p->doc, name[BR_PDF_FONT_BOLD], enc);
		p->mono = HPDF_GetFont(p->doc, name[BR_PDF_FONT_OCR],
		    "WinAnsiEncoding");
		if (name[BR_PDF_FONT_FALLBACK] != NULL)
			p->fb = HPDF_GetFont(p->doc,
			    name[BR_PDF_FONT_FALLBACK], enc);
		p->utf8 = bf != NULL;
	}
	if (p->error != 0 || !p->reg || !p->bold || !p->mono) {
		br_error_set(err, BR_ECONFIG, NULL, 0, "%s: cannot load the "
		    "PDF fonts (%s, %s, %s): libharu error 0x%04X", what,
		    pf->src[0], pf->src[1], pf->src[2], (unsigned)p->error);
		HPDF_Free(p->doc);
		p->doc = NULL;
		return -1;
	}
	return 0;
}

static void
set_dates(struct pdf *p, const char *date)
{
	HPDF_Date dt;

	if (date_of(date, &dt) == 0) {
		HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_CREATION_DATE, dt);
		HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_MOD_DATE, dt);
	}
}

/* Draw bill d on new pages of p->doc; returns its number of pages. */
static int
draw_bill(struct pdf *p, const struct br_bill_doc *d)
{
	HPDF_Page page1;

	p->d = d;
	p->pageno = 0;
	new_page(p);
	page1 = p->page;
	draw_top(p);
	draw_summary(p, LEFT, 300, p->y);
	p->y -= draw_history(p, 316, RIGHT, p->y);
	draw_service(p);
	draw_charges(p);
	draw_messages(p);
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

	if (doc_new(p, pf, NULL, what, err) != 0)
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
	rc = doc_new(p, pf, &bf, what, err);
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
	set_dates(&p, d->bill_date);
	snprintf(title, sizeof(title), "Bill %s", d->bill_id);
	HPDF_SetInfoAttr(p.doc, HPDF_INFO_TITLE, title);
	winansi(d->uname, uname, sizeof(uname));
	HPDF_SetInfoAttr(p.doc, HPDF_INFO_AUTHOR, uname);
	if (pages != NULL)
		*pages = n;
	if (f != NULL)
		rc = save(&p, f, what, err);
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
};

struct br_pdf_stream *
br_pdf_stream_new(const struct br_pdf_fonts *pf, const char *cycle_id,
    struct br_error *err)
{
	struct br_pdf_stream *ps = calloc(1, sizeof(*ps));

	if (ps == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	if (doc_new(&ps->p, pf, NULL, "print stream", err) != 0) {
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
	struct pdf *p = &ps->p;

	*first_page = p->total + 1;
	p->ncp = 0;
	*pages = draw_bill(p, d);
	report_missing(p, NULL, miss);
	if (p->total % 2 != 0) {
		/* Duplex: the next bill starts on the front of a sheet. */
		p->page = HPDF_AddPage(p->doc);
		HPDF_Page_SetSize(p->page, HPDF_PAGE_SIZE_LETTER,
		    HPDF_PAGE_PORTRAIT);
		p->total++;
		put(p, PAGE_W / 2, PAGE_H / 2, p->reg, 8, 'c', 0,
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
		put(p, PAGE_W / 2, PAGE_H / 2, p->reg, 8, 'c', 0,
		    "No bills.");
	}
	set_dates(p, ps->date);
	return save(p, f, "print stream", err);
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
