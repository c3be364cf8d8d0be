/*
 * pdffont.h: the TrueType fonts embedded in the PDF bills.
 *
 * Three faces, each a file path in a store setting with the Debian path
 * as default:
 *
 *   pdf_font_regular  /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf
 *   pdf_font_bold     /usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf
 *   pdf_font_ocr      /usr/share/fonts/truetype/ocr-a/OCRA.ttf
 *
 * (Debian packages fonts-liberation2 and fonts-ocr-a.  Liberation Sans
 * has the metrics of Helvetica/Arial, so the layout of the bill does not
 * depend on which of them a viewer substitutes.)
 *
 * br_pdf_fonts_open() reads each file once per run and subsets it
 * (ttfsubset.h: the WinAnsi characters for the text faces, the digits
 * and space for the OCR-A scan line face); every PDF of the run embeds
 * the subsets from memory.
 */
#ifndef BR_PDFFONT_H
#define BR_PDFFONT_H

#include "core/error.h"

struct br_store;

enum { BR_PDF_FONT_REGULAR, BR_PDF_FONT_BOLD, BR_PDF_FONT_OCR,
    BR_PDF_NFONTS };

struct br_pdf_fonts {
	int open;
	unsigned char *data[BR_PDF_NFONTS];	/* OWNED: subset fonts */
	size_t len[BR_PDF_NFONTS];
	char src[BR_PDF_NFONTS][512];	/* the configured font files */
};

/* The setting key and the default path of font i. */
const char *br_pdf_font_setting(int i);
const char *br_pdf_font_default(int i);

/*
 * Read the font settings from st (st may be NULL: the defaults) and
 * prepare the subsets.  Returns 0, or -1 with err: BR_ECONFIG when a
 * font file is missing, unreadable or not a TrueType font (the message
 * names the file and the setting), BR_ENOMEM.
 */
int br_pdf_fonts_open(struct br_pdf_fonts *pf, struct br_store *st,
    struct br_error *err);

/* Free the subsets (safe on a zeroed or closed struct). */
void br_pdf_fonts_close(struct br_pdf_fonts *pf);

#endif
