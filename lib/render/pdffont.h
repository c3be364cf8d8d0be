/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdffont.h: the TrueType fonts embedded in the PDF bills, subset with
 * HarfBuzz's subsetter (hb-subset.h).
 *
 * Four faces, each a file path in a store setting with the Debian path
 * as default:
 *
 *   pdf_font_regular   /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf
 *   pdf_font_bold      /usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf
 *   pdf_font_ocr       /usr/share/fonts/truetype/ocr-a/OCRA.ttf
 *   pdf_font_fallback  /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
 *
 * (Debian packages fonts-liberation2, fonts-ocr-a, fonts-droid-fallback.
 * Liberation Sans has the metrics of Helvetica/Arial and covers Latin,
 * Latin Extended, Vietnamese, Greek and Cyrillic; Droid Sans Fallback is
 * a TrueType CJK face: libharu 2.3 loads glyf outlines, not CFF.  The
 * fallback is optional: without its file, CJK characters are reported
 * missing.)
 *
 * br_pdf_fonts_open() reads each file once per run and makes the cached
 * subsets: the WinAnsi characters for the text faces, the digits and
 * space for the OCR-A scan line face.  A bill whose text stays inside
 * WinAnsi embeds those.  A bill with other characters gets its own
 * subsets from its own text (br_pdf_bill_fonts), so a bill's PDF never
 * depends on which other bills were rendered in the same run.
 */
#ifndef BR_PDFFONT_H
#define BR_PDFFONT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct br_store;

enum { BR_PDF_FONT_REGULAR, BR_PDF_FONT_BOLD, BR_PDF_FONT_OCR,
    BR_PDF_FONT_FALLBACK, BR_PDF_NFONTS };

struct br_pdf_fonts {
	int open;
	unsigned char *data[BR_PDF_NFONTS];	/* OWNED: cached subsets
						 * (fallback: none) */
	size_t len[BR_PDF_NFONTS];
	unsigned char *raw[BR_PDF_NFONTS];	/* OWNED: the font files
						 * (NULL: no fallback) */
	size_t rawlen[BR_PDF_NFONTS];
	void *face[BR_PDF_NFONTS];		/* OWNED: hb_face_t */
	char src[BR_PDF_NFONTS][512];	/* the configured font files */
};

/* The fonts of one bill outside WinAnsi (br_pdf_bill_fonts). */
#define BR_PDF_MISSING_MAX 8
struct br_pdf_bill_fonts {
	unsigned char *data[BR_PDF_NFONTS];	/* OWNED: subsets; OCR and an
						 * unused fallback: NULL */
	size_t len[BR_PDF_NFONTS];
	uint32_t missing[BR_PDF_MISSING_MAX];	/* in no face, ascending */
	int nmissing;				/* may exceed the array */
};

/* The setting key and the default path of font i. */
const char *br_pdf_font_setting(int i);
const char *br_pdf_font_default(int i);

/*
 * Read the font settings from st (st may be NULL: the defaults) and
 * prepare the subsets.  Returns 0, or -1 with err: BR_ECONFIG when a
 * font file is missing, unreadable or not a TrueType (glyf) font (the
 * message names the file and the setting; a missing default fallback is
 * not an error), BR_ENOMEM.
 */
int br_pdf_fonts_open(struct br_pdf_fonts *pf, struct br_store *st,
    struct br_error *err);

/* Free everything (safe on a zeroed or closed struct). */
void br_pdf_fonts_close(struct br_pdf_fonts *pf);

/* Advance of cp in face i in 1/1000 em (0: no glyph). */
long br_pdf_advance(const struct br_pdf_fonts *pf, int i, uint32_t cp);

/* Nonzero when face i of pf maps code point cp to a glyph. */
int br_pdf_font_has(const struct br_pdf_fonts *pf, int i, uint32_t cp);

/*
 * Subsets for a bill whose text has the code points cps[0..ncp-1]
 * (any order, repeats allowed): the text faces get WinAnsi plus those
 * they have, the fallback those neither text face has; the rest are
 * listed as missing.  Returns 0, or -1 with err (BR_ENOMEM,
 * BR_ECONFIG).  Free with br_pdf_bill_fonts_free.
 */
int br_pdf_bill_fonts(const struct br_pdf_fonts *pf, const uint32_t *cps,
    size_t ncp, struct br_pdf_bill_fonts *bf, struct br_error *err);
void br_pdf_bill_fonts_free(struct br_pdf_bill_fonts *bf);

/*
 * Subset a TrueType font (len bytes) to the code points cps[0..ncp-1]
 * with hb-subset (hinting dropped: bills are printed or viewed at
 * resolutions where viewers do not need it).  On success 0 and a
 * malloc'd font in *out (*outlen bytes).  A font that is not TrueType
 * with glyf outlines, or is malformed: -1 with a message in why.  The
 * output is a function of the input bytes only.
 */
int br_pdf_subset(const unsigned char *font, size_t len,
    const uint32_t *cps, size_t ncp, unsigned char **out, size_t *outlen,
    char *why, size_t whylen);

/* The Unicode code points of the WinAnsi (cp1252) characters 0x20-0xFF. */
size_t br_pdf_winansi(uint32_t *cps, size_t n);

/* Nonzero when cp is a WinAnsi character. */
int br_pdf_is_winansi(uint32_t cp);

#endif
