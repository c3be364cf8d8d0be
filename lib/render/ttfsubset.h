/*
 * ttfsubset.h: cut a TrueType font down to the glyphs of a set of
 * Unicode code points, for embedding in PDF bills.
 *
 * libharu (2.3.0) embeds a TrueType font by copying its tables into every
 * PDF, 4 bytes at a time, with all of the font's glyph slots, hinting,
 * glyph names and metrics: about 25 kB compressed and several ms of CPU
 * per bill for a Liberation Sans face, most of it for glyphs a bill never
 * uses.  A run therefore subsets each font once to the WinAnsi repertoire
 * (the only characters the PDF bill can print) and lets libharu embed the
 * small font.
 *
 * The subset has the 13 tables libharu writes (OS/2, cmap, cvt, fpgm,
 * glyf, head, hhea, hmtx, loca, maxp, name, post, prep; the others, e.g.
 * GPOS, kern, GSUB, are dropped): glyph 0 (.notdef), the glyphs the
 * font's Unicode cmap gives for the code points, and the components of
 * composite glyphs, renumbered in that order; long loca; one full
 * metric per glyph; a format 4 cmap (3,1) for the kept code points; post
 * version 3 (no glyph names).  Hinting is dropped (glyph instructions, half of the glyph
 * data of Liberation Sans; cvt, fpgm and prep become minimal tables that
 * do nothing): a PDF is printed or viewed at resolutions where viewers
 * do not need it.  The output is a function of the input bytes only.
 */
#ifndef BR_TTFSUBSET_H
#define BR_TTFSUBSET_H

#include <stddef.h>
#include <stdint.h>

/*
 * Subset font (len bytes) to the code points cps[0..ncp-1] (each below
 * 0x10000; code points the font lacks are skipped).  On success returns
 * 0 and a malloc'd font in *out (*outlen bytes, to free()).  On a font
 * that is not a TrueType (glyf) font or is malformed returns -1 with a
 * message in why.
 */
int br_ttf_subset(const unsigned char *font, size_t len,
    const uint32_t *cps, size_t ncp, unsigned char **out, size_t *outlen,
    char *why, size_t whylen);

/* The Unicode code points of the WinAnsi (cp1252) characters 0x20-0xFF. */
size_t br_ttf_winansi(uint32_t *cps, size_t n);

#endif
