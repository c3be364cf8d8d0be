/*
 * pdffont.c: the configured TrueType fonts, subset once per run for
 * libharu to embed (pdffont.h).
 */
#include "render/pdffont.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "render/ttfsubset.h"
#include "core/banned.h"

#define FONT_MAX (32L << 20)	/* larger files are not fonts we want */

static const char *const keys[BR_PDF_NFONTS] = {
	"pdf_font_regular", "pdf_font_bold", "pdf_font_ocr"
};

static const char *const defaults[BR_PDF_NFONTS] = {
	"/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
	"/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
	"/usr/share/fonts/truetype/ocr-a/OCRA.ttf"
};

const char *
br_pdf_font_setting(int i)
{
	return i >= 0 && i < BR_PDF_NFONTS ? keys[i] : "";
}

const char *
br_pdf_font_default(int i)
{
	return i >= 0 && i < BR_PDF_NFONTS ? defaults[i] : "";
}

static int
slurp(const char *path, unsigned char **buf, size_t *len, int *eno)
{
	FILE *f = fopen(path, "rb");
	long n = 0;

	*buf = NULL;
	*eno = 0;
	if (f == NULL) {
		*eno = errno;
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || n > FONT_MAX) {
		*eno = n > FONT_MAX ? EFBIG : errno;
		fclose(f);
		return -1;
	}
	if ((*buf = malloc(n > 0 ? (size_t)n : 1)) == NULL ||
	    fread(*buf, 1, (size_t)n, f) != (size_t)n) {
		*eno = *buf == NULL ? ENOMEM : EIO;
		free(*buf);
		*buf = NULL;
		fclose(f);
		return -1;
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

int
br_pdf_fonts_open(struct br_pdf_fonts *pf, struct br_store *st,
    struct br_error *err)
{
	uint32_t cps[256];
	int i;

	memset(pf, 0, sizeof(*pf));
	for (i = 0; i < BR_PDF_NFONTS; i++) {
		if (st == NULL)
			snprintf(pf->src[i], sizeof(pf->src[i]), "%s",
			    defaults[i]);
		else if (br_store_setting_get(st, keys[i], defaults[i],
		    pf->src[i], sizeof(pf->src[i]), err) < 0)
			return -1;
		if (pf->src[i][0] == '\0')
			snprintf(pf->src[i], sizeof(pf->src[i]), "%s",
			    defaults[i]);
	}
	for (i = 0; i < BR_PDF_NFONTS; i++) {
		unsigned char *font;
		size_t len, ncp;
		char why[200];
		int eno;

		if (i == BR_PDF_FONT_OCR) {
			/* The scan line: digits and space. */
			for (ncp = 0; ncp < 10; ncp++)
				cps[ncp] = '0' + (uint32_t)ncp;
			cps[ncp++] = ' ';
		} else {
			ncp = br_ttf_winansi(cps, sizeof(cps) / sizeof(cps[0]));
		}
		if (slurp(pf->src[i], &font, &len, &eno) != 0) {
			br_error_set(err, BR_ECONFIG, NULL, 0, "font file '%s' "
			    "(setting %s): %s%s", pf->src[i], keys[i],
			    strerror(eno), eno == ENOENT && strcmp(pf->src[i],
			    defaults[i]) == 0 ? (i == BR_PDF_FONT_OCR ?
			    " (install the Debian package fonts-ocr-a)" :
			    " (install the Debian package fonts-liberation2)") :
			    "");
			br_pdf_fonts_close(pf);
			return -1;
		}
		if (br_ttf_subset(font, len, cps, ncp, &pf->data[i],
		    &pf->len[i], why, sizeof(why)) != 0) {
			free(font);
			br_error_set(err, BR_ECONFIG, NULL, 0, "font file '%s' "
			    "(setting %s): %s", pf->src[i], keys[i], why);
			br_pdf_fonts_close(pf);
			return -1;
		}
		free(font);
	}
	pf->open = 1;
	return 0;
}

void
br_pdf_fonts_close(struct br_pdf_fonts *pf)
{
	int i;

	for (i = 0; i < BR_PDF_NFONTS; i++) {
		free(pf->data[i]);
		pf->data[i] = NULL;
		pf->len[i] = 0;
	}
	pf->open = 0;
}
