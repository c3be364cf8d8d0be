/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_pdfsubset.c: TrueType subsetting (br_pdf_subset, HarfBuzz's
 * hb-subset behind lib/render/pdffont.c) on the Debian
 * fonts the PDF bills embed (fonts-liberation2, fonts-ocr-a): the subset
 * maps the requested code points to glyphs with the source font's
 * advance widths, keeps composite glyph components (renumbered within
 * the subset), drops hinting, is deterministic, and rejects truncated or
 * corrupted fonts without crashing.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/pdffont.h"
#include "render/pdffont.h"
#include "core/banned.h"

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static unsigned
u16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t
u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Table tag of font f (len bytes), or NULL; *tlen its length. */
static const unsigned char *
table(const unsigned char *f, size_t len, const char *tag, size_t *tlen)
{
	unsigned n = u16(f + 4), i;

	for (i = 0; i < n; i++) {
		const unsigned char *e = f + 12 + i * 16;

		if (memcmp(e, tag, 4) == 0) {
			ck_assert_uint_le(u32(e + 8) + u32(e + 12), len);
			*tlen = u32(e + 12);
			return f + u32(e + 8);
		}
	}
	return NULL;
}

/* Glyph of cp in the (3,1) format 4 cmap; 0 when none. */
static unsigned
gid_of(const unsigned char *f, size_t len, unsigned cp)
{
	size_t tl;
	const unsigned char *c = table(f, len, "cmap", &tl), *t = NULL;
	unsigned i, segs;

	ck_assert_ptr_nonnull(c);
	for (i = 0; i < u16(c + 2); i++)
		if (u16(c + 4 + i * 8) == 3 && u16(c + 6 + i * 8) == 1 &&
		    u16(c + u32(c + 8 + i * 8)) == 4)
			t = c + u32(c + 8 + i * 8);
	ck_assert_ptr_nonnull(t);
	segs = u16(t + 6) / 2;
	for (i = 0; i < segs; i++) {
		unsigned end = u16(t + 14 + i * 2);
		unsigned start = u16(t + 16 + (segs + i) * 2);
		unsigned delta = u16(t + 16 + (2 * segs + i) * 2);
		const unsigned char *ro = t + 16 + (3 * segs + i) * 2;

		if (cp > end)
			continue;
		if (cp < start)
			return 0;
		if (u16(ro) == 0)
			return (cp + delta) & 0xFFFF;
		return (u16(ro + u16(ro) + (cp - start) * 2) + delta) & 0xFFFF;
	}
	return 0;
}

static unsigned
advance(const unsigned char *f, size_t len, unsigned g)
{
	size_t tl;
	const unsigned char *hhea = table(f, len, "hhea", &tl);
	const unsigned char *hmtx = table(f, len, "hmtx", &tl);
	unsigned nhm = u16(hhea + 34);

	return u16(hmtx + (g < nhm ? g : nhm - 1) * 4);
}

static const char *
font(int i)
{
	return br_pdf_font_default(i);
}

START_TEST(test_subset_maps_and_widths)
{
	uint32_t cps[] = { 'A', 'B', ' ', '0', 0xE9 /* e acute */, 0x20AC,
	    0x4E00 /* not in the font */ };
	unsigned char *src, *out, *out2;
	size_t len, olen, olen2, tl;
	char why[200];
	unsigned k, n;

	src = slurp(font(BR_PDF_FONT_REGULAR), &len);
	ck_assert_int_eq(br_pdf_subset(src, len, cps, 7, &out, &olen, why,
	    sizeof(why)), 0);
	ck_assert_uint_lt(olen, len / 10);
	/* Same input, same bytes. */
	ck_assert_int_eq(br_pdf_subset(src, len, cps, 7, &out2, &olen2, why,
	    sizeof(why)), 0);
	ck_assert_uint_eq(olen, olen2);
	ck_assert_int_eq(memcmp(out, out2, olen), 0);
	free(out2);
	n = u16(table(out, olen, "maxp", &tl) + 4);
	ck_assert_uint_ge(n, 7);	/* .notdef + 6 + components */
	ck_assert_uint_le(n, 10);
	for (k = 0; k < 6; k++) {
		unsigned g = gid_of(out, olen, cps[k]);

		ck_assert_uint_gt(g, 0);
		ck_assert_uint_lt(g, n);
		ck_assert_uint_eq(advance(out, olen, g),
		    advance(src, len, gid_of(src, len, cps[k])));
	}
	ck_assert_uint_eq(gid_of(out, olen, 0x4E00), 0);
	ck_assert_uint_eq(gid_of(out, olen, 'C'), 0);
	/* Hinting dropped; layout tables libharu never reads dropped. */
	ck_assert_ptr_null(table(out, olen, "fpgm", &tl));
	ck_assert_ptr_null(table(out, olen, "prep", &tl));
	ck_assert_ptr_null(table(out, olen, "GPOS", &tl));
	ck_assert_ptr_null(table(out, olen, "kern", &tl));
	ck_assert_ptr_nonnull(table(out, olen, "glyf", &tl));
	/* loca with n + 1 entries, short or long. */
	k = u16(table(out, olen, "head", &tl) + 50);
	table(out, olen, "loca", &tl);
	ck_assert_uint_eq(tl, (size_t)(n + 1) * (k ? 4 : 2));
	free(out);
	free(src);
}
END_TEST

/* Every composite glyph's components are glyphs of the subset. */
START_TEST(test_subset_composites)
{
	uint32_t cps[256];
	unsigned char *src, *out;
	size_t len, olen, tl, gl, n, k, composites = 0;
	unsigned lf;
	const unsigned char *loca, *glyf;
	char why[200];

	n = br_pdf_winansi(cps, 256);
	ck_assert_uint_eq(n, 218);
	src = slurp(font(BR_PDF_FONT_BOLD), &len);
	ck_assert_int_eq(br_pdf_subset(src, len, cps, n, &out, &olen, why,
	    sizeof(why)), 0);
	n = u16(table(out, olen, "maxp", &tl) + 4);
	lf = u16(table(out, olen, "head", &tl) + 50);
	loca = table(out, olen, "loca", &tl);
	glyf = table(out, olen, "glyf", &gl);
	for (k = 0; k < n; k++) {
		size_t a = lf ? u32(loca + k * 4) : 2u * u16(loca + k * 2),
		    b = lf ? u32(loca + k * 4 + 4) : 2u * u16(loca + k * 2 + 2),
		    o;
		unsigned flags;

		ck_assert_uint_le(a, b);
		ck_assert_uint_le(b, gl);
		if (b == a)
			continue;
		if ((int16_t)u16(glyf + a) >= 0) {
			/* Simple glyph: no instructions left. */
			unsigned nc = u16(glyf + a);

			ck_assert_uint_eq(u16(glyf + a + 10 + nc * 2), 0);
			continue;
		}
		composites++;
		o = a + 10;
		do {
			flags = u16(glyf + o);
			ck_assert_uint_lt(u16(glyf + o + 2), n);
			ck_assert_uint_eq(flags & 0x100, 0);
			o += 4 + (flags & 1 ? 4 : 2) + (flags & 8 ? 2 :
			    flags & 0x40 ? 4 : flags & 0x80 ? 8 : 0);
		} while (flags & 0x20);
	}
	ck_assert_uint_gt(composites, 10);	/* accented letters */
	free(out);
	free(src);
}
END_TEST

START_TEST(test_subset_ocr_digits)
{
	uint32_t cps[] = { '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' };
	unsigned char *src, *out;
	size_t len, olen;
	char why[200];
	unsigned k;

	src = slurp(font(BR_PDF_FONT_OCR), &len);
	ck_assert_int_eq(br_pdf_subset(src, len, cps, 10, &out, &olen, why,
	    sizeof(why)), 0);
	for (k = 0; k < 10; k++)
		ck_assert_uint_eq(gid_of(out, olen, cps[k]), k + 1);
	/* OCR-A is monospaced. */
	ck_assert_uint_eq(advance(out, olen, 1), advance(out, olen, 10));
	ck_assert_uint_lt(olen, 8000);
	free(out);
	free(src);
}
END_TEST

/* Truncated and corrupted fonts fail cleanly (run under ASan in CI). */
START_TEST(test_subset_malformed)
{
	uint32_t cps[256];
	unsigned char *src, *bad, *out;
	size_t len, olen, n, cut, i;
	char why[200];
	unsigned seed = 12345;

	n = br_pdf_winansi(cps, 256);
	src = slurp(font(BR_PDF_FONT_OCR), &len);
	ck_assert_int_eq(br_pdf_subset(src, 11, cps, n, &out, &olen, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "not a TrueType font"));
	memcpy(why, "", 1);
	ck_assert_int_eq(br_pdf_subset((const unsigned char *)"OTTO0000"
	    "00000000", 16, cps, n, &out, &olen, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "TrueType"));
	for (cut = 12; cut < len; cut += len / 97 + 1) {
		if (br_pdf_subset(src, cut, cps, n, &out, &olen, why,
		    sizeof(why)) == 0)
			free(out);
	}
	bad = malloc(len);
	ck_assert_ptr_nonnull(bad);
	for (i = 0; i < 300; i++) {
		size_t j;

		memcpy(bad, src, len);
		for (j = 0; j < 8; j++) {
			seed = seed * 1103515245u + 12345u;
			bad[(seed >> 8) % len] = (unsigned char)(seed >> 24);
		}
		if (br_pdf_subset(bad, len, cps, n, &out, &olen, why,
		    sizeof(why)) == 0)
			free(out);
	}
	free(bad);
	free(src);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pdfsubset");
	TCase *tc = tcase_create("pdfsubset");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_subset_maps_and_widths);
	tcase_add_test(tc, test_subset_composites);
	tcase_add_test(tc, test_subset_ocr_digits);
	tcase_add_test(tc, test_subset_malformed);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
