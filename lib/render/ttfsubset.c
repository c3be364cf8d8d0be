/*
 * ttfsubset.c: TrueType subsetting for the PDF bill fonts (ttfsubset.h).
 * Every offset read from the font is checked against the font's length;
 * a malformed font is an error, never a crash.
 */
#include "render/ttfsubset.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define MAXGLYPHS 65535

struct tbl {
	const unsigned char *p;
	size_t len;
};

struct font {
	const unsigned char *b;
	size_t len;
	struct tbl head, maxp, hhea, hmtx, loca, glyf, cmap, os2, name, post;
	unsigned nglyphs, nhm, longloca;
	const unsigned char *cmap4;	/* format 4 subtable */
	size_t cmap4len;
};

struct buf {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

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

static int
fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -1;
}

static void
put(struct buf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		unsigned char *np;

		while (nc < b->len + n)
			nc *= 2;
		if ((np = realloc(b->p, nc)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put16(struct buf *b, unsigned v)
{
	unsigned char c[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	put(b, c, 2);
}

static void
put32(struct buf *b, uint32_t v)
{
	unsigned char c[4] = { (unsigned char)(v >> 24),
	    (unsigned char)(v >> 16), (unsigned char)(v >> 8),
	    (unsigned char)v };

	put(b, c, 4);
}

static void
pad4(struct buf *b)
{
	static const unsigned char z[3];

	put(b, z, (4 - b->len % 4) % 4);
}

static void
set16(struct buf *b, size_t at, unsigned v)
{
	if (!b->oom && at + 2 <= b->len) {
		b->p[at] = (unsigned char)(v >> 8);
		b->p[at + 1] = (unsigned char)v;
	}
}

static int
find_tables(struct font *f, char *why, size_t whylen)
{
	static const struct {
		const char *tag;
		size_t off;
		size_t min;
	} want[] = {
		{ "head", offsetof(struct font, head), 54 },
		{ "maxp", offsetof(struct font, maxp), 6 },
		{ "hhea", offsetof(struct font, hhea), 36 },
		{ "hmtx", offsetof(struct font, hmtx), 4 },
		{ "loca", offsetof(struct font, loca), 4 },
		{ "glyf", offsetof(struct font, glyf), 1 },
		{ "cmap", offsetof(struct font, cmap), 4 },
		{ "OS/2", offsetof(struct font, os2), 78 },
		{ "name", offsetof(struct font, name), 6 },
		{ "post", offsetof(struct font, post), 32 },
	};
	unsigned n, i;
	size_t k;

	if (f->len < 12)
		return fail(why, whylen, "not a font file (too short)");
	if (u32(f->b) != 0x00010000 && u32(f->b) != 0x74727565)
		return fail(why, whylen, "not a TrueType font (%s)",
		    u32(f->b) == 0x4F54544F ? "CFF-flavoured OpenType" :
		    "unknown signature");
	n = u16(f->b + 4);
	if (12 + (size_t)n * 16 > f->len)
		return fail(why, whylen, "table directory past the end");
	for (i = 0; i < n; i++) {
		const unsigned char *e = f->b + 12 + (size_t)i * 16;
		uint32_t off = u32(e + 8), len = u32(e + 12);

		if (off > f->len || len > f->len - off)
			return fail(why, whylen, "table '%.4s' past the end",
			    (const char *)e);
		for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
			if (memcmp(e, want[k].tag, 4) == 0) {
				struct tbl *t = (struct tbl *)(void *)
				    ((char *)f + want[k].off);
				t->p = f->b + off;
				t->len = len;
			}
		}
	}
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		const struct tbl *t = (const struct tbl *)(const void *)
		    ((const char *)f + want[k].off);

		if (t->p == NULL || t->len < want[k].min)
			return fail(why, whylen, "table '%s' %s", want[k].tag,
			    t->p == NULL ? "missing" : "too short");
	}
	return 0;
}

static int
parse(struct font *f, char *why, size_t whylen)
{
	const unsigned char *c;
	unsigned i, n, best = 0;
	size_t need;

	if (find_tables(f, why, whylen) != 0)
		return -1;
	f->nglyphs = u16(f->maxp.p + 4);
	f->nhm = u16(f->hhea.p + 34);
	f->longloca = u16(f->head.p + 50) != 0;
	if (f->nglyphs == 0 || f->nhm == 0 || f->nhm > f->nglyphs)
		return fail(why, whylen, "bad glyph or metric count");
	need = (size_t)f->nhm * 4 + (size_t)(f->nglyphs - f->nhm) * 2;
	if (f->hmtx.len < need)
		return fail(why, whylen, "table 'hmtx' too short");
	if (f->loca.len < ((size_t)f->nglyphs + 1) * (f->longloca ? 4 : 2))
		return fail(why, whylen, "table 'loca' too short");
	c = f->cmap.p;
	n = u16(c + 2);
	if (4 + (size_t)n * 8 > f->cmap.len)
		return fail(why, whylen, "table 'cmap' too short");
	for (i = 0; i < n; i++) {
		unsigned pid = u16(c + 4 + i * 8), eid = u16(c + 6 + i * 8);
		uint32_t off = u32(c + 8 + i * 8);
		unsigned rank = pid == 3 && eid == 1 ? 2 : pid == 0 ? 1 : 0;

		if (rank <= best || f->cmap.len < 14 ||
		    off > f->cmap.len - 14 || u16(c + off) != 4)
			continue;
		if (u16(c + off + 2) < 16 || u16(c + off + 2) >
		    f->cmap.len - off)
			continue;
		best = rank;
		f->cmap4 = c + off;
		f->cmap4len = u16(c + off + 2);
	}
	if (f->cmap4 == NULL)
		return fail(why, whylen, "no Unicode cmap (format 4)");
	if (16 + (size_t)u16(f->cmap4 + 6) * 4 > f->cmap4len)
		return fail(why, whylen, "cmap format 4 subtable too short");
	return 0;
}

/* The glyph of code point cp in the font's format 4 cmap (0: none). */
static unsigned
lookup(const struct font *f, unsigned cp)
{
	const unsigned char *t = f->cmap4;
	unsigned segs = u16(t + 6) / 2, i;

	for (i = 0; i < segs; i++) {
		const unsigned char *end = t + 14 + i * 2;
		const unsigned char *start = t + 16 + (segs + i) * 2;
		const unsigned char *delta = t + 16 + (2 * segs + i) * 2;
		const unsigned char *ro = t + 16 + (3 * segs + i) * 2;
		size_t at;
		unsigned g;

		if (cp > u16(end))
			continue;
		if (cp < u16(start))
			return 0;
		if (u16(ro) == 0)
			return (cp + u16(delta)) & 0xFFFF;
		at = (size_t)(ro - t) + u16(ro) + (size_t)(cp - u16(start)) * 2;
		if (at + 2 > f->cmap4len)
			return 0;
		g = u16(t + at);
		return g == 0 ? 0 : (g + u16(delta)) & 0xFFFF;
	}
	return 0;
}

/* Bytes of glyph g in glyf (len 0 for an empty glyph); -1 if bad. */
static int
glyph(const struct font *f, unsigned g, const unsigned char **p, size_t *len)
{
	size_t a, b;

	if (f->longloca) {
		a = u32(f->loca.p + (size_t)g * 4);
		b = u32(f->loca.p + (size_t)g * 4 + 4);
	} else {
		a = (size_t)u16(f->loca.p + (size_t)g * 2) * 2;
		b = (size_t)u16(f->loca.p + (size_t)g * 2 + 2) * 2;
	}
	if (b < a || b > f->glyf.len || (b > a && b - a < 10))
		return -1;
	*p = f->glyf.p + a;
	*len = b - a;
	return 0;
}

/*
 * Walk composite glyph data (after the 10-byte header): call back with
 * the offset of each component's glyph index.  -1 if malformed.
 */
static int
components(const unsigned char *p, size_t len, size_t *at, size_t max,
    size_t *n, size_t *end)
{
	size_t o = 10;
	unsigned flags;

	*n = 0;
	do {
		if (o + 4 > len || *n == max)
			return -1;
		flags = u16(p + o);
		at[(*n)++] = o + 2;
		o += 4 + (flags & 1 ? 4u : 2u);
		if (flags & 8)
			o += 2;
		else if (flags & 0x40)
			o += 4;
		else if (flags & 0x80)
			o += 8;
		if (o > len)
			return -1;
	} while (flags & 0x20);
	*end = o;
	return 0;
}

struct map {
	unsigned *newid;	/* old gid -> new gid + 1 (0: not kept) */
	unsigned *old;		/* new gid -> old gid */
	unsigned n;
};

static int
keep(const struct font *f, struct map *m, unsigned g, int depth, char *why,
    size_t whylen)
{
	const unsigned char *p;
	size_t len, at[64], n, i, end;

	if (g >= f->nglyphs || m->newid[g] != 0)
		return 0;
	m->newid[g] = m->n + 1;
	m->old[m->n++] = g;
	if (glyph(f, g, &p, &len) != 0)
		return fail(why, whylen, "glyph %u: bad loca entry", g);
	if (len == 0 || (int16_t)u16(p) >= 0)
		return 0;
	if (depth > 8 || components(p, len, at, 64, &n, &end) != 0)
		return fail(why, whylen, "glyph %u: bad composite", g);
	for (i = 0; i < n; i++) {
		unsigned c = u16(p + at[i]);

		if (c >= f->nglyphs)
			return fail(why, whylen, "glyph %u: component %u out "
			    "of range", g, c);
		if (keep(f, m, c, depth + 1, why, whylen) != 0)
			return -1;
	}
	return 0;
}

/*
 * Glyph data without its hinting instructions: a simple glyph keeps its
 * header, contour ends, a zero instruction length and its outline; a
 * composite loses WE_HAVE_INSTRUCTIONS and the bytes after the last
 * component, and gets its component glyph ids renumbered.
 */
static void
put_glyf(const struct font *f, const struct map *m, struct buf *glyf,
    struct buf *loca)
{
	unsigned i;

	for (i = 0; i < m->n; i++) {
		const unsigned char *p;
		size_t len, at[64], n, k, base, end, ins;
		int nc;

		put32(loca, (uint32_t)glyf->len);
		if (glyph(f, m->old[i], &p, &len) != 0 || len == 0)
			continue;
		base = glyf->len;
		nc = (int16_t)u16(p);
		if (nc >= 0) {
			end = 10 + (size_t)nc * 2;
			if (end + 2 > len || end + 2 + u16(p + end) > len)
				continue;	/* bad glyph: left empty */
			ins = u16(p + end);
			put(glyf, p, end);
			put16(glyf, 0);
			put(glyf, p + end + 2 + ins, len - end - 2 - ins);
		} else {
			if (components(p, len, at, 64, &n, &end) != 0)
				continue;
			put(glyf, p, end);
			for (k = 0; k < n; k++) {
				set16(glyf, base + at[k] - 2,
				    u16(p + at[k] - 2) & ~0x100u);
				set16(glyf, base + at[k],
				    m->newid[u16(p + at[k])] - 1);
			}
		}
		pad4(glyf);
	}
	put32(loca, (uint32_t)glyf->len);
}

static void
put_hmtx(const struct font *f, const struct map *m, struct buf *b)
{
	unsigned i, g, adv, lsb;

	for (i = 0; i < m->n; i++) {
		g = m->old[i];
		adv = u16(f->hmtx.p +
		    (size_t)(g < f->nhm ? g : f->nhm - 1) * 4);
		lsb = g < f->nhm ? u16(f->hmtx.p + (size_t)g * 4 + 2) :
		    u16(f->hmtx.p + (size_t)f->nhm * 4 + (size_t)(g - f->nhm) *
		    2);
		put16(b, adv);
		put16(b, lsb);
	}
}

/*
 * The name table without the Macintosh duplicates and the long
 * descriptive strings: the Windows (platform 3) records of the copyright,
 * family, style, unique, full and PostScript names, version, trademark
 * and licence (name ids 0-7, 13, 14).  The whole table if that leaves
 * no PostScript name.
 */
static void
put_name(const struct font *f, struct buf *b)
{
	const unsigned char *t = f->name.p;
	size_t len = f->name.len, so, i, n, keep = 0, str = 0, ps = 0;
	struct buf strings = { NULL, 0, 0, 0 };

	n = u16(t + 2);
	so = u16(t + 4);
	if (6 + n * 12 > len || so > len)
		goto whole;
	for (i = 0; i < n; i++) {
		const unsigned char *r = t + 6 + i * 12;
		unsigned id = u16(r + 6);

		if (u16(r) != 3 || (id > 7 && id != 13 && id != 14))
			continue;
		if (so + u16(r + 10) + u16(r + 8) > len)
			goto whole;
		keep++;
		if (id == 6)
			ps = 1;
	}
	if (!ps)
		goto whole;
	put16(b, 0);
	put16(b, (unsigned)keep);
	put16(b, (unsigned)(6 + keep * 12));
	for (i = 0; i < n; i++) {
		const unsigned char *r = t + 6 + i * 12;
		unsigned id = u16(r + 6);

		if (u16(r) != 3 || (id > 7 && id != 13 && id != 14))
			continue;
		put(b, r, 8);
		put16(b, u16(r + 8));
		put16(b, (unsigned)str);
		put(&strings, t + so + u16(r + 10), u16(r + 8));
		str += u16(r + 8);
	}
	put(b, strings.p, strings.len);
	if (strings.oom)
		b->oom = 1;
	free(strings.p);
	return;
whole:
	put(b, t, len);
}

struct cpg {
	unsigned cp, gid;
};

static int
cmp_cpg(const void *a, const void *b)
{
	const struct cpg *x = a, *y = b;

	return x->cp < y->cp ? -1 : x->cp > y->cp;
}

/* cmap with one (3,1) format 4 subtable for the sorted pairs. */
static void
put_cmap(struct buf *b, const struct cpg *v, size_t n)
{
	unsigned start[600], end[600], delta[600];
	unsigned segs = 0, sr = 1, es = 0, i;
	size_t k;

	for (k = 0; k < n && segs < 599; k++) {
		if (segs > 0 && v[k].cp == end[segs - 1] + 1 &&
		    ((v[k].gid - v[k].cp) & 0xFFFF) == delta[segs - 1]) {
			end[segs - 1] = v[k].cp;
			continue;
		}
		start[segs] = end[segs] = v[k].cp;
		delta[segs] = (v[k].gid - v[k].cp) & 0xFFFF;
		segs++;
	}
	start[segs] = end[segs] = 0xFFFF;
	delta[segs] = 1;
	segs++;
	while (sr * 2 <= segs) {
		sr *= 2;
		es++;
	}
	put16(b, 0);			/* version */
	put16(b, 1);			/* one subtable */
	put16(b, 3);
	put16(b, 1);
	put32(b, 12);
	put16(b, 4);			/* format */
	put16(b, 16 + segs * 8);	/* length */
	put16(b, 0);			/* language */
	put16(b, segs * 2);
	put16(b, sr * 2);
	put16(b, es);
	put16(b, segs * 2 - sr * 2);
	for (i = 0; i < segs; i++)
		put16(b, end[i]);
	put16(b, 0);
	for (i = 0; i < segs; i++)
		put16(b, start[i]);
	for (i = 0; i < segs; i++)
		put16(b, delta[i]);
	for (i = 0; i < segs; i++)
		put16(b, 0);
}

static uint32_t
checksum(const unsigned char *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4)
		s += u32(p + i);
	if (i < len) {
		unsigned char t[4] = { 0, 0, 0, 0 };

		memcpy(t, p + i, len - i);
		s += u32(t);
	}
	return s;
}

int
br_ttf_subset(const unsigned char *font, size_t len, const uint32_t *cps,
    size_t ncp, unsigned char **out, size_t *outlen, char *why,
    size_t whylen)
{
	struct font f;
	struct map m;
	struct buf t[13], o;
	struct cpg *pairs = NULL;
	size_t np = 0, k, off;
	const char *tags[13] = { "OS/2", "cmap", "cvt ", "fpgm", "glyf",
	    "head", "hhea", "hmtx", "loca", "maxp", "name", "post", "prep" };
	unsigned ntab = 0, sr = 1, es = 0, i;
	size_t head_at = 0;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	memset(&f, 0, sizeof(f));
	memset(&m, 0, sizeof(m));
	memset(t, 0, sizeof(t));
	memset(&o, 0, sizeof(o));
	f.b = font;
	f.len = len;
	if (ncp > 512)
		return fail(why, whylen, "too many code points (%zu)", ncp);
	if (parse(&f, why, whylen) != 0)
		return -1;
	m.newid = calloc(f.nglyphs, sizeof(*m.newid));
	m.old = calloc(f.nglyphs, sizeof(*m.old));
	pairs = calloc(ncp ? ncp : 1, sizeof(*pairs));
	if (m.newid == NULL || m.old == NULL || pairs == NULL) {
		fail(why, whylen, "out of memory");
		goto done;
	}
	if (keep(&f, &m, 0, 0, why, whylen) != 0)
		goto done;
	for (k = 0; k < ncp; k++) {
		unsigned g = cps[k] < 0x10000 ? lookup(&f, cps[k]) : 0;

		if (g == 0 || g >= f.nglyphs)
			continue;
		if (keep(&f, &m, g, 0, why, whylen) != 0)
			goto done;
		pairs[np].cp = cps[k];
		pairs[np].gid = m.newid[g] - 1;
		np++;
	}
	qsort(pairs, np, sizeof(*pairs), cmp_cpg);
	for (k = 1, i = 1; k < np; k++)	/* drop duplicate code points */
		if (pairs[k].cp != pairs[i - 1].cp)
			pairs[i++] = pairs[k];
	if (np > 0)
		np = i;

	/* The tables, in tag order (the directory must be sorted). */
	put(&t[0], f.os2.p, f.os2.len);
	put_cmap(&t[1], pairs, np);
	/*
	 * cvt, fpgm, prep (hinting) go with the glyph instructions, but
	 * libharu 2.3.0 writes all 13 tables and fails on a zero-length one
	 * that ends its buffer at a multiple of 4096 bytes: a minimal
	 * table each (cvt two zero values; fpgm and prep one SVTCA[x]).
	 */
	{
		static const unsigned char zero[4], svtca[1] = { 0x01 };

		put(&t[2], zero, sizeof(zero));
		put(&t[3], svtca, sizeof(svtca));
		put(&t[12], svtca, sizeof(svtca));
	}
	put_glyf(&f, &m, &t[4], &t[8]);
	put(&t[5], f.head.p, 54);
	set16(&t[5], 8, 0);			/* checkSumAdjustment, */
	set16(&t[5], 10, 0);			/* set below */
	set16(&t[5], 50, 1);			/* long loca */
	put(&t[6], f.hhea.p, 36);
	set16(&t[6], 34, m.n);
	put_hmtx(&f, &m, &t[7]);
	put(&t[9], f.maxp.p, f.maxp.len);
	set16(&t[9], 4, m.n);
	put_name(&f, &t[10]);
	put(&t[11], f.post.p, 32);
	set16(&t[11], 0, 3);			/* version 3.0: no names */
	set16(&t[11], 2, 0);
	for (i = 0; i < 13; i++)
		if (t[i].len > 0)
			ntab++;
	while (sr * 2 <= ntab) {
		sr *= 2;
		es++;
	}
	put32(&o, 0x00010000);
	put16(&o, ntab);
	put16(&o, sr * 16);
	put16(&o, es);
	put16(&o, ntab * 16 - sr * 16);
	off = 12 + (size_t)ntab * 16;
	for (i = 0; i < 13; i++) {
		if (t[i].len == 0)
			continue;
		put(&o, tags[i], 4);
		put32(&o, t[i].oom ? 0 : checksum(t[i].p, t[i].len));
		put32(&o, (uint32_t)off);
		put32(&o, (uint32_t)t[i].len);
		off += (t[i].len + 3) / 4 * 4;
	}
	for (i = 0; i < 13; i++) {
		if (t[i].len == 0)
			continue;
		if (i == 5)
			head_at = o.len;
		put(&o, t[i].p, t[i].len);
		pad4(&o);
		if (t[i].oom)
			o.oom = 1;
	}
	if (o.oom) {
		fail(why, whylen, "out of memory");
		goto done;
	}
	{
		uint32_t adj = 0xB1B0AFBAu - checksum(o.p, o.len);

		o.p[head_at + 8] = (unsigned char)(adj >> 24);
		o.p[head_at + 9] = (unsigned char)(adj >> 16);
		o.p[head_at + 10] = (unsigned char)(adj >> 8);
		o.p[head_at + 11] = (unsigned char)adj;
	}
	*out = o.p;
	*outlen = o.len;
	o.p = NULL;
	rc = 0;
done:
	for (i = 0; i < 13; i++)
		free(t[i].p);
	free(o.p);
	free(pairs);
	free(m.newid);
	free(m.old);
	return rc;
}

size_t
br_ttf_winansi(uint32_t *cps, size_t n)
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
