/*
 * csvio.c: libcsv fed one physical line at a time so every record knows
 * the line it ends on; fields are copied into a reusable record buffer.
 */
#include "csvio.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input.h"
#include "banned.h"

struct reader {
	struct br_csv_record rec;
	size_t cap;		/* allocated fields/lens */
	char *pool;		/* field text storage */
	size_t pool_len, pool_cap;
	size_t *offs;		/* field offsets into pool */
	br_csv_cb cb;
	void *ctx;
	struct br_error *err;
	int status;		/* 0 go on, 1 stopped, -1 error */
	bool first_field;	/* for BOM stripping */
};

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
	if (r->rec.nfields == r->cap) {
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
			return;
		}
		r->offs = no;
		r->cap = nc;
	}
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

static void
on_record(int c, void *r_)
{
	struct reader *r = r_;
	size_t i;
	int rc;

	(void)c;
	if (r->status != 0)
		return;
	for (i = 0; i < r->rec.nfields; i++)
		r->rec.fields[i] = r->pool + r->offs[i];
	rc = r->cb(r->ctx, &r->rec, r->err);
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

int
br_csv_read(const char *path, br_csv_cb cb, void *ctx, char *sha_hex,
    struct br_error *err)
{
	struct csv_parser p;
	struct reader r;
	struct br_input *in;
	char *buf;
	const size_t bufsz = 1 << 18;
	long n = 0;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	if ((in = br_input_open(path, err)) == NULL)
		return -1;
	if ((buf = malloc(bufsz)) == NULL ||
	    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0) {
		free(buf);
		br_input_close(in);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	r.rec.file = in->name;
	r.rec.line = 1;
	r.cb = cb;
	r.ctx = ctx;
	r.err = err;
	r.first_field = true;
	while (r.status == 0 &&
	    (n = br_input_read(in, buf, bufsz, err)) > 0) {
		size_t off = 0, len = (size_t)n;
		while (off < len && r.status == 0) {
			char *nl = memchr(buf + off, '\n', len - off);
			size_t seg = nl ? (size_t)(nl - (buf + off)) + 1 :
			    len - off;
			if (csv_parse(&p, buf + off, seg, on_field, on_record,
			    &r) != seg) {
				br_error_set(err, BR_EINPUT, in->name, r.rec.line,
				    "malformed CSV: %s",
				    csv_strerror(csv_error(&p)));
				goto out;
			}
			off += seg;
			if (nl)
				r.rec.line++;
		}
	}
	if (r.status < 0 || n < 0)
		goto out;
	if (r.status == 0) {
		/* A final record without a newline ends on this line. */
		if (csv_fini(&p, on_field, on_record, &r) != 0) {
			br_error_set(err, BR_EINPUT, in->name, r.rec.line,
			    "malformed CSV: %s", csv_strerror(csv_error(&p)));
			goto out;
		}
		if (r.status < 0)
			goto out;
	}
	if (sha_hex != NULL) {
		/* Drain the rest so the hash covers the whole input. */
		while ((n = br_input_read(in, buf, bufsz, err)) > 0)
			;
		if (n < 0)
			goto out;
		br_input_sha256(in, sha_hex);
	}
	rc = 0;
out:
	csv_free(&p);
	free(buf);
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

void
br_csv_put(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
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
