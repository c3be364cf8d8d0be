/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf_draw.c: the drawing surface of the PDF bill (render_pdf.c draws
 * the bill sections on it, through pdf_int.h): text in the embedded
 * faces (WinAnsi single-byte, or UTF-8 runs of the text face and the
 * CJK fallback) with the code points drawn collected, lines, boxes,
 * pages and the content floor, headings, amounts, wrapped text, and the
 * document: fonts loaded from memory, dates, save to a stream.
 */
#include "render/pdf_int.h"

#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_fontdef.h>
#include <hpdf_streams.h>

#include "core/money.h"
#include "render/pdffont.h"
#include "core/banned.h"

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
void
br_pdf_to_winansi(const char *s, char *out, size_t n)
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

/* br_pdf_put() of a UTF-8 bill: runs of one font each. */
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

void
br_pdf_put(struct pdf *p, float x, float y, HPDF_Font font, float size,
    int align, float maxw, const char *s)
{
	char buf[512];
	float w;
	size_t n;

	if (p->dry)
		return;
	collect(p, s);
	if (p->utf8 && font != p->mono) {
		if (s[0] != '\0')
			put_utf8(p, x, y, font, size, align, maxw, s);
		return;
	}
	br_pdf_to_winansi(s, buf, sizeof(buf));
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

void
br_pdf_hline(struct pdf *p, float x0, float x1, float y, float w)
{
	if (p->dry)
		return;
	HPDF_Page_SetLineWidth(p->page, w);
	HPDF_Page_MoveTo(p->page, x0, y);
	HPDF_Page_LineTo(p->page, x1, y);
	HPDF_Page_Stroke(p->page);
}

void
br_pdf_box(struct pdf *p, float x, float y, float w, float h, float gray)
{
	if (p->dry)
		return;
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

void
br_pdf_new_page(struct pdf *p)
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
		br_pdf_put(p, LEFT, p->y, p->reg, 8, 'l', RIGHT - LEFT, buf);
		br_pdf_hline(p, LEFT, RIGHT, p->y - 6, 0.5f);
		p->y -= 24;
	}
}

/*
 * Make room for h points below y, continuing on a new page if needed.
 * Returns 1 when a page was added.
 */
int
br_pdf_need(struct pdf *p, float h)
{
	if (p->dry || p->y - h >= p->floor)
		return 0;
	br_pdf_new_page(p);
	return 1;
}

void
br_pdf_heading(struct pdf *p, const char *s)
{
	br_pdf_need(p, 30);
	br_pdf_box(p, LEFT, p->y - 4, RIGHT - LEFT, 15, 0.88f);
	br_pdf_put(p, LEFT + 4, p->y, p->bold, 9.5f, 'l', 0, s);
	p->y -= 18;
}

const char *
br_pdf_cents(int64_t v, char *buf, size_t n)
{
	return br_cents_format(v, buf, n);
}

const char *
br_pdf_dollars(int64_t v, char *buf, size_t n)
{
	char t[32];

	snprintf(buf, n, "%s$%s", v < 0 ? "-" : "", br_cents_format(v < 0 ?
	    -v : v, t, sizeof(t)));
	return buf;
}

void
br_pdf_label_value(struct pdf *p, float x, float xr, float y, HPDF_Font vf,
    float size, const char *label, const char *value)
{
	br_pdf_put(p, x, y, p->reg, size, 'l', 0, label);
	br_pdf_put(p, xr, y, vf, size, 'r', 0, value);
}

/* Width of s in font at size, as br_pdf_put() will draw it. */
static float
text_width(struct pdf *p, HPDF_Font font, float size, const char *s)
{
	char buf[512];

	if (p->utf8 && font != p->mono)
		return width_utf8(p, font, size, s);
	br_pdf_to_winansi(s, buf, sizeof(buf));
	return buf[0] ? width(font, size, buf) : 0;
}

/*
 * s at x, broken at spaces into lines no wider than maxw, 11 pt apart;
 * draw 0: only count.  Returns the number of lines.
 */
int
br_pdf_wrap_lines(struct pdf *p, float x, HPDF_Font font, float size,
    float maxw, const char *s, int draw)
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
			br_pdf_need(p, 12);
			br_pdf_put(p, x, p->y, font, size, 'l', maxw, line);
			p->y -= 11;
		}
		n++;
		s += cut;
		while (*s == ' ')
			s++;
	}
	return n;
}

void
br_pdf_put_wrapped(struct pdf *p, float x, HPDF_Font font, float size,
    float maxw, const char *s)
{
	br_pdf_wrap_lines(p, x, font, size, maxw, s, 1);
}

int
br_pdf_save(struct pdf *p, FILE *f, const char *what, struct br_error *err)
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
load_font_tag(struct pdf *p, const unsigned char *data, size_t len,
    const char *tag, int unique)
{
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
	if (unique) {
		/*
		 * A second face of the same name in the document (a print
		 * stream): libharu registers fonts by name, so this one is
		 * registered as "NAME-TAG" (the subset tag keeps the name
		 * written in the PDF unique too).
		 */
		char u[HPDF_LIMIT_MAX_NAME_LEN + 1];

		snprintf(u, sizeof(u), "%.*s-%s", HPDF_LIMIT_MAX_NAME_LEN - 8,
		    def->base_font, tag);
		memcpy(def->base_font, u, sizeof(u));
	}
	if (HPDF_Doc_RegisterFontDef(p->doc, def) != HPDF_OK)
		return NULL;	/* def freed */
	HPDF_TTFontDef_SetTagName(def, (char *)tag);
	return def->base_font;
}

static const char *
load_font(struct pdf *p, const unsigned char *data, size_t len, int i)
{
	char tag[7] = "BRPDFA";

	tag[5] = (char)('A' + i);
	return load_font_tag(p, data, len, tag, 0);
}

/*
 * Switch p (a print stream) to the UTF-8 subsets bf of one bill, loaded
 * into the stream's document with subset tags of their own ("U" and
 * five letters counting k x faces + face, k the stream's k-th such
 * bill: unique in a stream of up to 2.9 million of them).
 * br_pdf_use_bill_fonts(p, NULL, ...) restores the single-byte faces
 * saved in save.  -1 on failure.
 */
int
br_pdf_use_bill_fonts(struct pdf *p, const struct br_pdf_bill_fonts *bf,
    long k, HPDF_Font save[3])
{
	const char *name[BR_PDF_NFONTS] = {NULL, NULL, NULL, NULL};
	char tag[7];
	long n;
	int i, j;

	if (bf == NULL) {
		p->reg = save[0];
		p->bold = save[1];
		p->fb = save[2];
		p->utf8 = 0;
		return 0;
	}
	save[0] = p->reg;
	save[1] = p->bold;
	save[2] = p->fb;
	if (k == 0)	/* once per document: a second call is an error */
		HPDF_UseUTFEncodings(p->doc);
	for (i = 0; i < BR_PDF_NFONTS; i++) {
		if (i == BR_PDF_FONT_OCR || bf->data[i] == NULL)
			continue;
		n = k * BR_PDF_NFONTS + i;
		tag[0] = 'U';
		for (j = 5; j >= 1; j--, n /= 26)
			tag[j] = (char)('A' + n % 26);
		tag[6] = '\0';
		name[i] = load_font_tag(p, bf->data[i], bf->len[i], tag, 1);
	}
	if (p->error != 0 || name[BR_PDF_FONT_REGULAR] == NULL ||
	    name[BR_PDF_FONT_BOLD] == NULL)
		return -1;
	p->reg = HPDF_GetFont(p->doc, name[BR_PDF_FONT_REGULAR], "UTF-8");
	p->bold = HPDF_GetFont(p->doc, name[BR_PDF_FONT_BOLD], "UTF-8");
	p->fb = name[BR_PDF_FONT_FALLBACK] != NULL ? HPDF_GetFont(p->doc,
	    name[BR_PDF_FONT_FALLBACK], "UTF-8") : NULL;
	p->utf8 = 1;
	return p->reg != NULL && p->bold != NULL ? 0 : -1;
}

/*
 * A new document with the embedded fonts: the cached single-byte
 * subsets of pf, or (bf not NULL) the bill's own UTF-8 subsets for the
 * text faces and the fallback.  -1 with err.
 */
int
br_pdf_doc_new(struct pdf *p, const struct br_pdf_fonts *pf,
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

void
br_pdf_set_dates(struct pdf *p, const char *date)
{
	HPDF_Date dt;

	if (date_of(date, &dt) == 0) {
		HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_CREATION_DATE, dt);
		HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_MOD_DATE, dt);
	}
}
