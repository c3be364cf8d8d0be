/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf_int.h: private to lib/render/render_pdf.c and pdf_draw.c.  The
 * PDF bill's page geometry and drawing state (struct pdf), and the
 * drawing surface pdf_draw.c gives the bill sections of render_pdf.c:
 * text, lines, boxes, pagination, amounts, wrapping and the document
 * setup and save.
 */
#ifndef BR_PDF_INT_H
#define BR_PDF_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hpdf.h>

#include "core/error.h"
#include "render/pdffont.h"
#include "render/render.h"

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
	int dry;		/* measuring: nothing drawn, no page breaks */
};

/* UTF-8 to WinAnsi: Latin-1 maps to one byte, anything else is '?'. */
void br_pdf_to_winansi(const char *s, char *out, size_t n);

/*
 * Draw s at (x, y); align 'l', 'r' (x is the right edge) or 'c' (x is
 * the centre); text wider than maxw (0: no limit) is cut with "...".
 */
void br_pdf_put(struct pdf *p, float x, float y, HPDF_Font font, float size,
    int align, float maxw, const char *s);
void br_pdf_hline(struct pdf *p, float x0, float x1, float y, float w);
void br_pdf_box(struct pdf *p, float x, float y, float w, float h,
    float gray);
void br_pdf_new_page(struct pdf *p);
int br_pdf_need(struct pdf *p, float h);
void br_pdf_heading(struct pdf *p, const char *s);
const char *br_pdf_cents(int64_t v, char *buf, size_t n);
const char *br_pdf_dollars(int64_t v, char *buf, size_t n);
void br_pdf_label_value(struct pdf *p, float x, float xr, float y,
    HPDF_Font vf, float size, const char *label, const char *value);
int br_pdf_wrap_lines(struct pdf *p, float x, HPDF_Font font, float size,
    float maxw, const char *s, int draw);
void br_pdf_put_wrapped(struct pdf *p, float x, HPDF_Font font, float size,
    float maxw, const char *s);

int br_pdf_save(struct pdf *p, FILE *f, const char *what,
    struct br_error *err);
int br_pdf_doc_new(struct pdf *p, const struct br_pdf_fonts *pf,
    const struct br_pdf_bill_fonts *bf, const char *what,
    struct br_error *err);
void br_pdf_set_dates(struct pdf *p, const char *date);
/* Print stream: draw with bill fonts bf (NULL: back to the saved faces). */
int br_pdf_use_bill_fonts(struct pdf *p, const struct br_pdf_bill_fonts *bf,
    long k, HPDF_Font save[3]);

#endif
