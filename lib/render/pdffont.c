/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdffont.c: the configured TrueType fonts, subset with HarfBuzz for
 * libharu to embed (pdffont.h): once per run for WinAnsi bills, per
 * bill for the others.
 */
#include "render/pdffont.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hb.h>
#include <hb-subset.h>

#include "store/store.h"
#include "core/banned.h"

#define FONT_MAX (32L << 20)	/* larger files are not fonts we want */

static const char *const keys[BR_PDF_NFONTS] = {
	"pdf_font_regular", "pdf_font_bold", "pdf_font_ocr",
	"pdf_font_fallback"
};

static const char *const defaults[BR_PDF_NFONTS] = {
	"/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
	"/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
	"/usr/share/fonts/truetype/ocr-a/OCRA.ttf",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
};

static const char *const packages[BR_PDF_NFONTS] = {
	"fonts-liberation2", "fonts-liberation2", "fonts-ocr-a",
	"fonts-droid-fallback"
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

int
br_pdf_is_winansi(uint32_t cp)
{
	/* What the single-byte path prints: ASCII and Latin-1. */
	return (cp >= 0x20 && cp < 0x7F) || (cp >= 0xA0 && cp <= 0xFF);
}

size_t
br_pdf_winansi(uint32_t *cps, size_t n)
{
	/* cp1252 0x80-0x9F; 0 = undefined. */
	static const uint16_t hi[32] = {
		0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
		0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178
	};
	size_t k = 0;
	unsigned c;

	for (c = 0x20; c <= 0xFF; c++) {
		uint32_t cp = c < 0x7F || c >= 0xA0 ? c : c >= 0x80 ?
		    hi[c - 0x80] : 0;

		if (cp != 0 && k < n)
			cps[k++] = cp;
	}
	return k;
}

static hb_face_t *
face_of(const unsigned char *font, size_t len)
{
	hb_blob_t *b = hb_blob_create((const char *)font, (unsigned)len,
	    HB_MEMORY_MODE_READONLY, NULL, NULL);
	hb_face_t *f = hb_face_create(b, 0);

	hb_blob_destroy(b);
	return f;
}

static int
is_truetype(hb_face_t *f, char *why, size_t whylen)
{
	hb_blob_t *g;
	unsigned glen;

	if (hb_face_get_glyph_count(f) == 0) {
		snprintf(why, whylen, "not a TrueType font");
		return 0;
	}
	g = hb_face_reference_table(f, HB_TAG('g', 'l', 'y', 'f'));
	glen = hb_blob_get_length(g);
	hb_blob_destroy(g);
	if (glen == 0) {
		snprintf(why, whylen, "not a TrueType font with glyf "
		    "outlines (libharu cannot embed CFF)");
		return 0;
	}
	return 1;
}

int
br_pdf_subset(const unsigned char *font, size_t len, const uint32_t *cps,
    size_t ncp, unsigned char **out, size_t *outlen, char *why,
    size_t whylen)
{
	hb_face_t *f, *s = NULL;
	hb_subset_input_t *in = NULL;
	hb_blob_t *b = NULL;
	const char *data;
	unsigned n = 0;
	size_t i;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (len == 0 || len > (size_t)FONT_MAX) {
		snprintf(why, whylen, "not a TrueType font");
		return -1;
	}
	f = face_of(font, len);
	if (!is_truetype(f, why, whylen))
		goto out;
	if ((in = hb_subset_input_create_or_fail()) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (i = 0; i < ncp; i++)
		hb_set_add(hb_subset_input_unicode_set(in), cps[i]);
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	/* Layout tables: libharu draws glyph by glyph and never reads
	 * them. */
	hb_set_add(hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG),
	    HB_TAG('G', 'P', 'O', 'S'));
	hb_set_add(hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG),
	    HB_TAG('G', 'S', 'U', 'B'));
	hb_set_add(hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG),
	    HB_TAG('G', 'D', 'E', 'F'));
	hb_set_add(hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG),
	    HB_TAG('k', 'e', 'r', 'n'));
	if ((s = hb_subset_or_fail(f, in)) == NULL) {
		snprintf(why, whylen, "HarfBuzz cannot subset the font");
		goto out;
	}
	b = hb_face_reference_blob(s);
	data = hb_blob_get_data(b, &n);
	if (n == 0 || (*out = malloc(n)) == NULL) {
		snprintf(why, whylen, n == 0 ? "empty subset" :
		    "out of memory");
		goto out;
	}
	memcpy(*out, data, n);
	*outlen = n;
	rc = 0;
out:
	hb_blob_destroy(b);
	hb_face_destroy(s);
	hb_subset_input_destroy(in);
	hb_face_destroy(f);
	return rc;
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
br_pdf_font_has(const struct br_pdf_fonts *pf, int i, uint32_t cp)
{
	hb_codepoint_t g;

	if (i < 0 || i >= BR_PDF_NFONTS || pf->face[i] == NULL)
		return 0;
	return hb_font_get_nominal_glyph((hb_font_t *)pf->face[i], cp, &g);
}

long
br_pdf_advance(const struct br_pdf_fonts *pf, int i, uint32_t cp)
{
	hb_font_t *f;
	hb_codepoint_t g;
	int upem;

	if (i < 0 || i >= BR_PDF_NFONTS || pf->face[i] == NULL)
		return 0;
	f = (hb_font_t *)pf->face[i];
	if (!hb_font_get_nominal_glyph(f, cp, &g))
		g = 0;		/* .notdef is drawn */
	upem = (int)hb_face_get_upem(hb_font_get_face(f));
	return upem > 0 ? (long)hb_font_get_glyph_h_advance(f, g) * 1000 /
	    upem : 0;
}

static int
load_face(struct br_pdf_fonts *pf, int i, struct br_error *err)
{
	char why[200];
	hb_face_t *f;
	int eno;

	if (slurp(pf->src[i], &pf->raw[i], &pf->rawlen[i], &eno) != 0) {
		if (i == BR_PDF_FONT_FALLBACK && eno == ENOENT &&
		    strcmp(pf->src[i], defaults[i]) == 0)
			return 0;	/* optional: CJK reported missing */
		return br_error_set(err, BR_ECONFIG, NULL, 0, "font file '%s' "
		    "(setting %s): %s%s%s%s", pf->src[i], keys[i],
		    strerror(eno), eno == ENOENT && strcmp(pf->src[i],
		    defaults[i]) == 0 ? " (install the Debian package " : "",
		    eno == ENOENT && strcmp(pf->src[i], defaults[i]) == 0 ?
		    packages[i] : "", eno == ENOENT && strcmp(pf->src[i],
		    defaults[i]) == 0 ? ")" : "");
	}
	f = face_of(pf->raw[i], pf->rawlen[i]);
	if (!is_truetype(f, why, sizeof(why))) {
		hb_face_destroy(f);
		return br_error_set(err, BR_ECONFIG, NULL, 0, "font file '%s' "
		    "(setting %s): %s", pf->src[i], keys[i], why);
	}
	/* A font object answers cmap lookups (hb_font_get_nominal_glyph). */
	pf->face[i] = hb_font_create(f);
	hb_face_destroy(f);
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
		size_t ncp;
		char why[200];

		if (load_face(pf, i, err) != 0) {
			br_pdf_fonts_close(pf);
			return -1;
		}
		if (i == BR_PDF_FONT_FALLBACK)
			continue;	/* subset per bill only */
		if (i == BR_PDF_FONT_OCR) {
			/* The scan line: digits and space. */
			for (ncp = 0; ncp < 10; ncp++)
				cps[ncp] = '0' + (uint32_t)ncp;
			cps[ncp++] = ' ';
		} else {
			ncp = br_pdf_winansi(cps, sizeof(cps) / sizeof(cps[0]));
		}
		if (br_pdf_subset(pf->raw[i], pf->rawlen[i], cps, ncp,
		    &pf->data[i], &pf->len[i], why, sizeof(why)) != 0) {
			br_error_set(err, BR_ECONFIG, NULL, 0, "font file '%s' "
			    "(setting %s): %s", pf->src[i], keys[i], why);
			br_pdf_fonts_close(pf);
			return -1;
		}
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
		free(pf->raw[i]);
		if (pf->face[i] != NULL)
			hb_font_destroy((hb_font_t *)pf->face[i]);
		pf->data[i] = pf->raw[i] = NULL;
		pf->face[i] = NULL;
		pf->len[i] = pf->rawlen[i] = 0;
	}
	pf->open = 0;
}

static int
cmp_cp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
br_pdf_bill_fonts(const struct br_pdf_fonts *pf, const uint32_t *cps,
    size_t ncp, struct br_pdf_bill_fonts *bf, struct br_error *err)
{
	uint32_t *face = NULL, *fb = NULL;
	size_t nw, nface = 0, nfb = 0, i;
	char why[200];
	int k, rc = -1;

	memset(bf, 0, sizeof(*bf));
	if ((face = malloc((ncp + 256) * sizeof(*face))) == NULL ||
	    (fb = malloc((ncp + 1) * sizeof(*fb))) == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	nw = br_pdf_winansi(face, 256);
	nface = nw;
	for (i = 0; i < ncp; i++) {
		uint32_t cp = cps[i];
		if (cp < 0x20)
			continue;
		if (br_pdf_font_has(pf, BR_PDF_FONT_REGULAR, cp) ||
		    br_pdf_font_has(pf, BR_PDF_FONT_BOLD, cp))
			face[nface++] = cp;
		else if (br_pdf_font_has(pf, BR_PDF_FONT_FALLBACK, cp))
			fb[nfb++] = cp;
		else {
			for (k = 0; k < bf->nmissing && k < BR_PDF_MISSING_MAX;
			    k++)
				if (bf->missing[k] == cp)
					break;
			if (k < bf->nmissing && k < BR_PDF_MISSING_MAX)
				continue;
			if (bf->nmissing < BR_PDF_MISSING_MAX)
				bf->missing[bf->nmissing] = cp;
			bf->nmissing++;
		}
	}
	qsort(bf->missing, (size_t)(bf->nmissing < BR_PDF_MISSING_MAX ?
	    bf->nmissing : BR_PDF_MISSING_MAX), sizeof(uint32_t), cmp_cp);
	for (k = BR_PDF_FONT_REGULAR; k <= BR_PDF_FONT_BOLD; k++)
		if (br_pdf_subset(pf->raw[k], pf->rawlen[k], face, nface,
		    &bf->data[k], &bf->len[k], why, sizeof(why)) != 0) {
			br_error_set(err, BR_ECONFIG, NULL, 0, "font file "
			    "'%s': %s", pf->src[k], why);
			goto out;
		}
	if (nfb > 0 && br_pdf_subset(pf->raw[BR_PDF_FONT_FALLBACK],
	    pf->rawlen[BR_PDF_FONT_FALLBACK], fb, nfb,
	    &bf->data[BR_PDF_FONT_FALLBACK], &bf->len[BR_PDF_FONT_FALLBACK],
	    why, sizeof(why)) != 0) {
		br_error_set(err, BR_ECONFIG, NULL, 0, "font file '%s': %s",
		    pf->src[BR_PDF_FONT_FALLBACK], why);
		goto out;
	}
	rc = 0;
out:
	free(face);
	free(fb);
	if (rc != 0)
		br_pdf_bill_fonts_free(bf);
	return rc;
}

void
br_pdf_bill_fonts_free(struct br_pdf_bill_fonts *bf)
{
	int i;

	for (i = 0; i < BR_PDF_NFONTS; i++) {
		free(bf->data[i]);
		bf->data[i] = NULL;
		bf->len[i] = 0;
	}
}
