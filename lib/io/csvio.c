/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csvio.c: CSV read one physical line at a time so every record knows the
 * line it ends on.  Plain lines (no quote, blank, tab or stray CR) are
 * split at the commas in place; all others go through libcsv, whose
 * fields are copied into a reusable record buffer.
 */
#include "io/csvio.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/input.h"
#include "core/banned.h"

struct reader {
	struct br_csv_record rec;
	size_t cap;		/* allocated fields/lens/offs */
	char *pool;		/* field text storage */
	size_t pool_len, pool_cap;
	size_t *offs;		/* field offsets into pool; fast path: commas */
	br_csv_cb cb;
	void *ctx;
	struct br_error *err;
	int status;		/* 0 go on, 1 stopped, -1 error */
	bool first_field;	/* for BOM stripping */
	size_t rec_bytes;	/* bytes given to libcsv for this record */
};

/* A control byte: C0 (NUL, LF and CR inside a field included) or DEL. */
static bool
control_byte(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* -1 with the error set when s[0..len) holds a control byte. */
static int
check_field(struct reader *r, const char *s, size_t len, size_t i)
{
	size_t k;

	for (k = 0; k < len; k++)
		if (control_byte((unsigned char)s[k])) {
			r->status = br_error_set(r->err, BR_EINPUT,
			    r->rec.file, r->rec.line, "control character "
			    "0x%02x in field %zu", (unsigned char)s[k], i + 1);
			return -1;
		}
	return 0;
}

/* Room for at least one more field in fields/lens/offs. */
static int
grow_fields(struct reader *r)
{
	size_t nc = r->cap ? r->cap * 2 : 32;
	char **nf = realloc(r->rec.fields, nc * sizeof(*nf));
	size_t *nl = nf ? realloc(r->rec.lens, nc * sizeof(*nl)) : NULL;
	size_t *no = nl ? realloc(r->offs, nc * sizeof(*no)) : NULL;

	if (nf)
		r->rec.fields = nf;
	if (nl)
		r->rec.lens = nl;
	if (no == NULL) {
		r->status = br_error_set(r->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
		return -1;
	}
	r->offs = no;
	r->cap = nc;
	return 0;
}

static void
on_field(void *data, size_t len, void *r_)
{
	struct reader *r = r_;
	const char *s = data;

	if (r->status != 0)
		return;
	if (r->first_field) {
		r->first_field = false;
		if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
			s += 3;
			len -= 3;
		}
	}
	if (check_field(r, s, len, r->rec.nfields) != 0)
		return;
	if (r->rec.nfields == r->cap && grow_fields(r) != 0)
		return;
	if (r->pool_len + len + 1 > r->pool_cap) {
		size_t nc = (r->pool_len + len + 1) * 2;
		char *np = realloc(r->pool, nc);
		if (np == NULL) {
			r->status = br_error_set(r->err, BR_ENOMEM, NULL, 0,
			    "out of memory");
			return;
		}
		r->pool = np;
		r->pool_cap = nc;
	}
	memcpy(r->pool + r->pool_len, s, len);
	r->pool[r->pool_len + len] = '\0';
	r->offs[r->rec.nfields] = r->pool_len;
	r->rec.lens[r->rec.nfields] = len;
	r->pool_len += len + 1;
	r->rec.nfields++;
}

/* Hand the record in r->rec (fields set) to the callback. */
static void
deliver(struct reader *r)
{
	int rc = r->cb(r->ctx, &r->rec, r->err);

	if (rc < 0) {
		if (r->err && r->err->file[0] == '\0') {
			snprintf(r->err->file, sizeof(r->err->file), "%s",
			    r->rec.file);
			r->err->line = r->rec.line;
		}
		r->status = -1;
	} else if (rc > 0)
		r->status = 1;
	r->rec.nfields = 0;
	r->pool_len = 0;
	r->rec.index++;
}

static void
on_record(int c, void *r_)
{
	struct reader *r = r_;
	size_t i;

	(void)c;
	r->rec_bytes = 0;
	if (r->status != 0)
		return;
	for (i = 0; i < r->rec.nfields; i++)
		r->rec.fields[i] = r->pool + r->offs[i];
	deliver(r);
}

/*
 * The fast path.  Most lines of a large file hold no quote, blank or
 * control byte (other than a CR before the LF): there libcsv's record is exactly the
 * split at the commas, so scan_line finds the line end and the commas in
 * one pass and the fields are used in place in the read buffer.  Every
 * other line (and the first, for the BOM) goes through libcsv, as does
 * any line while libcsv holds part of a record (a quoted field spanning
 * lines).
 *
 * scan_line: s[0..n) with at least SCAN_PAD readable bytes after s + n.
 * Returns the offset of the first LF (n when none).  *plain: no special
 * byte before it; then *len is the content length (without CR LF) and
 * r->offs[0..*ncomma) the comma offsets.  Returns (size_t)-1 when out of
 * memory (r->status set).
 */
#define SCAN_PAD 16	/* <= BR_INPUT_TAILROOM */

#if defined(__SSE2__)
#include <emmintrin.h>

static size_t
scan_line(struct reader *r, const char *s, size_t n, bool *plain,
    size_t *len, size_t *ncomma)
{
	const __m128i vnl = _mm_set1_epi8('\n'), vcomma = _mm_set1_epi8(',');
	const __m128i vq = _mm_set1_epi8('"'), vsp = _mm_set1_epi8(' ');
	const __m128i v1f = _mm_set1_epi8(0x1f), vdel = _mm_set1_epi8(0x7f);
	size_t i, nc = 0;
	const char *nl;

	for (i = 0; i < n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)
		    (s + i));
		unsigned valid = n - i >= 16 ? 0xFFFFu : (1u << (n - i)) - 1;
		unsigned mnl = (unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(v, vnl)) & valid;
		unsigned mcomma = (unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(v, vcomma));
		/* quote, blank, DEL, or any C0 byte (tab, CR, NUL...) */
		unsigned mspec = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(v, vq), _mm_cmpeq_epi8(v, vsp)),
		    _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, v1f), v),
		    _mm_cmpeq_epi8(v, vdel))));
		unsigned before = mnl ? (1u << __builtin_ctz(mnl)) - 1 : valid;

		mcomma &= before;
		mspec &= before;
		if (mspec) {
			size_t at = i + (size_t)__builtin_ctz(mspec);
			mcomma &= (1u << __builtin_ctz(mspec)) - 1;
			for (; mcomma; mcomma &= mcomma - 1) {
				if (nc == r->cap && grow_fields(r) != 0)
					return (size_t)-1;
				r->offs[nc++] = i + (size_t)__builtin_ctz(mcomma);
			}
			if (s[at] == '\r' && at + 1 < n && s[at + 1] == '\n') {
				*plain = true;
				*len = at;
				*ncomma = nc;
				return at + 1;
			}
			*plain = false;
			nl = memchr(s + at, '\n', n - at);
			return nl ? (size_t)(nl - s) : n;
		}
		for (; mcomma; mcomma &= mcomma - 1) {
			if (nc == r->cap && grow_fields(r) != 0)
				return (size_t)-1;
			r->offs[nc++] = i + (size_t)__builtin_ctz(mcomma);
		}
		if (mnl) {
			*plain = true;
			*len = i + (size_t)__builtin_ctz(mnl);
			*ncomma = nc;
			return *len;
		}
	}
	*plain = true;
	*len = n;
	*ncomma = nc;
	return n;
}
#else
static int
special_byte(unsigned char ch)
{
	return ch == '"' || ch == ' ' || control_byte(ch);
}

static size_t
scan_line(struct reader *r, const char *s, size_t n, bool *plain,
    size_t *len, size_t *ncomma)
{
	size_t i, nc = 0;
	const char *nl;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n')
			break;
		if (ch == ',') {
			if (nc == r->cap && grow_fields(r) != 0)
				return (size_t)-1;
			r->offs[nc++] = i;
		} else if (special_byte(ch)) {
			if (ch == '\r' && i + 1 < n && s[i + 1] == '\n') {
				*plain = true;
				*len = i;
				*ncomma = nc;
				return i + 1;
			}
			*plain = false;
			nl = memchr(s + i, '\n', n - i);
			return nl ? (size_t)(nl - s) : n;
		}
	}
	*plain = true;
	*len = i;
	*ncomma = nc;
	return i;
}
#endif

/* Deliver the plain line s[0..len) with commas at r->offs[0..nc). */
static void
fast_record(struct reader *r, char *s, size_t len, size_t nc)
{
	size_t k, from = 0;

	if (len == 0)
		return;		/* blank line: libcsv skips it too */
	if (len > BR_CSV_LINE_MAX) {
		r->status = br_error_set(r->err, BR_EINPUT, r->rec.file,
		    r->rec.line, "line longer than %d bytes", BR_CSV_LINE_MAX);
		return;
	}
	if (nc + 1 > r->cap && grow_fields(r) != 0)
		return;
	for (k = 0; k <= nc; k++) {
		size_t to = k < nc ? r->offs[k] : len;
		r->rec.fields[k] = s + from;
		r->rec.lens[k] = to - from;
		s[to] = '\0';
		from = to + 1;
	}
	r->rec.nfields = nc + 1;
	deliver(r);
}

/* libcsv's state between records (ROW_NOT_BEGUN in libcsv.c). */
#define CSV_ROW_NOT_BEGUN 0

/* Feed s[0..n) to libcsv; -1 with err on malformed CSV. */
static int
slow_parse(struct csv_parser *p, struct reader *r, const char *s, size_t n)
{
	size_t body = n;

	if (body > 0 && s[body - 1] == '\n')	/* the line end is not counted */
		body--;
	if (body > 0 && s[body - 1] == '\r')
		body--;
	r->rec_bytes += body;
	if (r->rec_bytes > (size_t)BR_CSV_LINE_MAX)
		return r->status = br_error_set(r->err, BR_EINPUT,
		    r->rec.file, r->rec.line, "line longer than %d bytes",
		    BR_CSV_LINE_MAX);
	if (csv_parse(p, s, n, on_field, on_record, r) != n)
		return br_error_set(r->err, BR_EINPUT, r->rec.file, r->rec.line,
		    "malformed CSV: %s", csv_strerror(csv_error(p)));
	return 0;
}

int
br_csv_read(const char *path, br_csv_cb cb, void *ctx, char *sha_hex,
    struct br_error *err)
{
	return br_csv_read_gated(path, NULL, cb, ctx, sha_hex, err);
}

/* Offer the complete line at s (before at most n bytes) to the gate:
 * its length when passed over, 0 to read it, -1 on error. */
static long
gate_line(struct reader *r, br_csv_gate gate, const char *s, size_t n)
{
	const char *nl = memchr(s, '\n', n);
	int g;

	if (nl == NULL)
		return 0;
	if ((g = gate(r->ctx, s, (size_t)(nl - s), r->rec.line,
	    r->err)) < 0) {
		if (r->err->file[0] == '\0') {
			snprintf(r->err->file, sizeof(r->err->file), "%s",
			    r->rec.file);
			r->err->line = r->rec.line;
		}
		r->status = -1;
		return -1;
	}
	return g > 0 ? nl - s + 1 : 0;
}

int
br_csv_read_gated(const char *path, br_csv_gate gate, br_csv_cb cb,
    void *ctx, char *sha_hex, struct br_error *err)
{
	struct csv_parser p;
	struct reader r;
	struct br_input *in;
	char *data, *pend = NULL;	/* pend: a line's start, next chunk */
	size_t plen = 0;
	long n = 0;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	if ((in = br_input_open_ahead(path, err)) == NULL)
		return -1;
	if ((pend = malloc(BR_INPUT_HEADROOM)) == NULL ||
	    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0) {
		free(pend);
		br_input_close(in);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	r.rec.file = in->name;
	r.rec.line = 1;
	r.cb = cb;
	r.ctx = ctx;
	r.err = err;
	r.first_field = true;
	/*
	 * Lines are parsed in place in the input's chunks; the start of a
	 * line cut by a chunk's end is put in front of the next chunk (its
	 * headroom).  A line part longer than the headroom goes to libcsv,
	 * which keeps the part record across calls.
	 */
	while (r.status == 0 && (n = br_input_next(in, &data, err)) > 0) {
		char *buf = data - plen;
		size_t have = plen + (size_t)n, off = 0;

		memcpy(buf, pend, plen);
		plen = 0;
		while (off < have && r.status == 0) {
			size_t len = 0, nc = 0, seg;
			bool plain = false;
			size_t at;
			long g;

			if (gate != NULL && r.rec.index > 0 &&
			    p.pstate == CSV_ROW_NOT_BEGUN) {
				if ((g = gate_line(&r, gate, buf + off,
				    have - off)) < 0)
					goto out;
				if (g > 0) {
					off += (size_t)g;
					r.rec.line++;
					r.rec.index++;
					continue;
				}
			}
			at = scan_line(&r, buf + off, have - off, &plain, &len,
			    &nc);
			if (at == (size_t)-1)
				goto out;
			if (at == have - off)
				break;		/* no LF in this chunk */
			seg = at + 1;
			if (plain && !r.first_field &&
			    p.pstate == CSV_ROW_NOT_BEGUN)
				fast_record(&r, buf + off, len, nc);
			else if (slow_parse(&p, &r, buf + off, seg) != 0)
				goto out;
			off += seg;
			r.rec.line++;
		}
		if (r.status != 0)
			break;
		if (have - off > BR_INPUT_HEADROOM) {
			if (slow_parse(&p, &r, buf + off, have - off) != 0)
				goto out;
		} else {
			plen = have - off;
			memcpy(pend, buf + off, plen);
		}
	}
	if (r.status < 0 || n < 0)
		goto out;
	if (r.status == 0) {
		/* A final record without a newline ends on this line. */
		if (plen > 0 && slow_parse(&p, &r, pend, plen) != 0)
			goto out;
		if (r.status == 0 &&
		    csv_fini(&p, on_field, on_record, &r) != 0) {
			br_error_set(err, BR_EINPUT, in->name, r.rec.line,
			    "malformed CSV: %s", csv_strerror(csv_error(&p)));
			goto out;
		}
		if (r.status < 0)
			goto out;
	}
	if (sha_hex != NULL) {
		/* Drain the rest so the hash covers the whole input. */
		while ((n = br_input_next(in, &data, err)) > 0)
			;
		if (n < 0)
			goto out;
		br_input_sha256(in, sha_hex);
	}
	rc = 0;
out:
	csv_free(&p);
	free(pend);
	free(r.rec.fields);
	free(r.rec.lens);
	free(r.offs);
	free(r.pool);
	br_input_close(in);
	return rc;
}

int
br_csv_column(const struct br_csv_record *hdr, const char *name)
{
	size_t i, nlen = strlen(name);

	for (i = 0; i < hdr->nfields; i++) {
		const char *f = hdr->fields[i];
		size_t len = hdr->lens[i];
		while (len > 0 && (*f == ' ' || *f == '\t')) {
			f++;
			len--;
		}
		while (len > 0 && (f[len - 1] == ' ' || f[len - 1] == '\t' ||
		    f[len - 1] == '\r'))
			len--;
		if (len == nlen && strncasecmp(f, name, len) == 0)
			return (int)i;
	}
	return -1;
}

const char *
br_csv_field(const struct br_csv_record *rec, int i)
{
	if (i < 0 || (size_t)i >= rec->nfields)
		return "";
	return rec->fields[i];
}

/* A number as the writers format them: -?digits(.digits)? */
static bool
numeric_cell(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	size_t n = strspn(p, "0123456789");

	if (n == 0)
		return false;
	p += n;
	if (*p == '.') {
		n = strspn(++p, "0123456789");
		if (n == 0)
			return false;
		p += n;
	}
	return *p == '\0';
}

bool
br_csv_needs_neutralising(const char *s)
{
	return (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r') && !numeric_cell(s);
}

void
br_csv_put(FILE *f, const char *s)
{
	bool neutral = br_csv_needs_neutralising(s);

	if (!neutral && strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (neutral)
		fputc('\'', f);
	while (*s != '\0') {	/* runs between quotes in one write each */
		size_t n = strcspn(s, "\"");

		fwrite(s, 1, n, f);
		s += n;
		if (*s == '"') {
			fputs("\"\"", f);
			s++;
		}
	}
	fputc('"', f);
}

void
br_csv_row(FILE *f, size_t n, const char *const *fields)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		br_csv_put(f, fields[i]);
	}
	fputc('\n', f);
}
