/* SPDX-License-Identifier: Apache-2.0 */
/*
 * split.c: ami-import --split N --out-dir D.  One pass over each generic
 * or vendor CSV file writes D/shard-K-of-N/<name> for K = 1..N (<name>:
 * the file's name without ".gz"; the copies are plain text): the header
 * line to every shard, each row to the home shard of its meter
 * (store/shard.h), and to every shard the rows whose meter has no home
 * shard (moves across shards, no agreement), unknown meters and rows not
 * read plainly (quoted line breaks, control bytes): an import --shard K/N
 * of shard K's copies stores what an import of the originals stores in
 * shard K.  Rows keep their order; blank lines are dropped.  NEM12, CMEP
 * and Green Button are refused (BR_EUSAGE).  See docs/ami-import.md.
 * One SSE2 scan per line finds its LF or the first byte that needs the
 * general way (quotes, control bytes); runs of lines of one copy are
 * queued in place in the input's chunk and written with one writev(2)
 * per copy per chunk (docs/performance.md, "The split made cheap").
 */
#include "import/import_int.h"

#include <errno.h>
#include <sys/stat.h>

#include "io/atomic.h"
#include "core/banned.h"

/* Pieces of a chunk queued per shard copy before one writev. */
#define SPLIT_IOV 256

struct split {
	const struct br_registry *reg;
	int n;
	int *home;		/* OWNED: home shard per registry meter */
	struct br_atomic *out;	/* OWNED: n shard copies of this file */
	struct iovec *iov;	/* OWNED: n * SPLIT_IOV queued pieces */
	int *niov;		/* OWNED: queued per copy */
	int col;		/* meter column, -1 until the header */
	const char *file;
	long line;
	bool open_quote;	/* a quoted field goes on to the next line */
	char *rec;		/* OWNED: a line cut by a chunk's end */
	size_t rec_len, rec_cap;
	long *rows;		/* rows to shard K (1..n), to all (0) */
	char last_id[BR_REGISTRY_ID_MAX + 1];	/* the previous row's meter, */
	long last_len;		/* with a comma after it (last_len + 1) */
	bool last_comma;	/* it has a comma inside (quoted) */
	int last_home;
};

/* Write shard k's queued pieces. */
static int
flush_one(struct split *sp, int k, struct br_error *err)
{
	int n = sp->niov[k - 1];

	sp->niov[k - 1] = 0;
	return br_atomic_writev(&sp->out[k - 1], sp->iov + (size_t)(k - 1) *
	    SPLIT_IOV, n, err);
}

/* Write every shard's queued pieces (before the chunk they point into is
 * handed back, or the cut line is overwritten). */
static int
flush_all(struct split *sp, struct br_error *err)
{
	int k;

	for (k = 1; k <= sp->n; k++)
		if (sp->niov[k - 1] > 0 && flush_one(sp, k, err) != 0)
			return -1;
	return 0;
}

/* Queue s[0..len) for dest (0: every shard, -1: none); a piece right
 * after the previous one of a copy lengthens it. */
static int
put_to(struct split *sp, int dest, const char *s, size_t len,
    struct br_error *err)
{
	int k, last;
	struct iovec *v;

	if (dest < 0 || len == 0)
		return 0;
	k = dest == 0 ? 1 : dest;
	last = dest == 0 ? sp->n : dest;
	for (; k <= last; k++) {
		int *n = &sp->niov[k - 1];
		v = sp->iov + (size_t)(k - 1) * SPLIT_IOV;
		if (*n > 0 && (const char *)v[*n - 1].iov_base +
		    v[*n - 1].iov_len == s) {
			v[*n - 1].iov_len += len;
			continue;
		}
		if (*n == SPLIT_IOV && flush_one(sp, k, err) != 0)
			return -1;
		v[*n].iov_base = (void *)s;
		v[*n].iov_len = len;
		(*n)++;
	}
	return 0;
}

/* The meter column of the header line (generic or the vendor mapping). */
static int
header(struct split *sp, const char *s, size_t len, const char *name,
    struct br_error *err)
{
	size_t nlen = strlen(name), i = 0;
	int k = 0;

	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i <= len) {
		const char *f = s + i, *comma = memchr(f, ',', len - i);
		size_t flen = (size_t)((comma ? comma : s + len) - f);
		while (flen > 0 && (*f == ' ' || *f == '"')) {
			f++;
			flen--;
		}
		while (flen > 0 && (f[flen - 1] == ' ' || f[flen - 1] == '"' ||
		    f[flen - 1] == '\r'))
			flen--;
		if (flen == nlen && strncasecmp(f, name, nlen) == 0) {
			sp->col = k;
			return 0;
		}
		if (comma == NULL)
			break;
		i = (size_t)(comma - s) + 1;
		k++;
	}
	return br_error_set(err, BR_EINPUT, sp->file, 1,
	    "missing column '%s'", name);
}

/* The home shard of the meter id[0..n) (0: none, unknown), kept as the
 * previous row's meter. */
static int
meter_home(struct split *sp, const char *id, long n)
{
	const struct br_registry_meter *m;

	if (n != sp->last_len || memcmp(id, sp->last_id, (size_t)n) != 0) {
		m = br_registry_meter_find(sp->reg, id);
		sp->last_home = m != NULL ? sp->home[m - sp->reg->meters] : 0;
		memcpy(sp->last_id, id, (size_t)n);
		sp->last_id[n] = ',';
		sp->last_len = n;
		sp->last_comma = memchr(id, ',', (size_t)n) != NULL;
	}
	return sp->last_home;
}

/*
 * Where one complete line s[0..len) (without its LF) goes, into *dest: 0
 * every shard (the header; rows of no home shard, unknown meters, not
 * read plainly, inside a quoted field running over lines), K the home
 * shard of its meter, -1 nowhere (blank).
 */
static int
route(struct split *sp, const char *s, size_t len, const char *meter_col,
    int *dest, struct br_error *err)
{
	char id[BR_REGISTRY_ID_MAX];
	long n;
	int check;

	sp->line++;
	*dest = 0;
	if (len > (size_t)BR_CSV_LINE_MAX + 1)
		return br_error_set(err, BR_EINPUT, sp->file, sp->line,
		    "line longer than %d bytes", BR_CSV_LINE_MAX);
	if (sp->open_quote) {
		/* Inside a quoted field: an odd count of quotes ends it. */
		const char *q = s, *end = s + len;
		size_t quotes = 0;
		while ((q = memchr(q, '"', (size_t)(end - q))) != NULL) {
			quotes++;
			q++;
		}
		sp->open_quote = (quotes & 1) == 0;
		return 0;
	}
	if (len == 0 || (len == 1 && s[0] == '\r')) {
		*dest = -1;	/* blank: the reader skips it too */
		return 0;
	}
	check = br_imp_line_check(s, len);
	sp->open_quote = check == 1;
	if (sp->col < 0)
		return header(sp, s, len, meter_col, err);
	if (check == 0 && (n = br_imp_line_meter(s, len, sp->col, id,
	    sizeof(id))) >= 0)
		*dest = meter_home(sp, id, n);
	sp->rows[*dest]++;
	return 0;
}

/*
 * The plain line at p (no quote or control byte before its LF, at most
 * BR_CSV_LINE_MAX bytes): where it goes, as route() would say.  A row
 * that starts with the previous row's meter and a comma (meter column 0)
 * is that meter's without a lookup.
 */
static int
route_plain(struct split *sp, const char *p, size_t len)
{
	char id[BR_REGISTRY_ID_MAX];
	long n;
	int dest = 0;

	sp->line++;
	if (sp->col == 0 && sp->last_len > 0 && !sp->last_comma &&
	    br_imp_has_prefix(p, len, sp->last_id, (size_t)sp->last_len + 1))
		dest = sp->last_home;
	else if ((n = br_imp_line_meter(p, len, sp->col, id, sizeof(id))) >=
	    0)
		dest = meter_home(sp, id, n);
	sp->rows[dest]++;
	return dest;
}

/* Append s[0..n) to the cut line; -1 with err when it grows too long. */
static int
carry(struct split *sp, const char *s, size_t n, struct br_error *err)
{
	if (sp->rec_len + n > (size_t)BR_CSV_LINE_MAX + 3)
		return br_error_set(err, BR_EINPUT, sp->file, sp->line + 1,
		    "line longer than %d bytes", BR_CSV_LINE_MAX);
	if (sp->rec_len + n > sp->rec_cap) {
		size_t nc = (sp->rec_len + n) * 2;
		char *p = realloc(sp->rec, nc);
		if (p == NULL)
			return br_imp_nomem(err);
		sp->rec = p;
		sp->rec_cap = nc;
	}
	memcpy(sp->rec + sp->rec_len, s, n);
	sp->rec_len += n;
	return 0;
}

/*
 * Route the complete lines of data[0..n) (the cut line before them
 * first), queueing runs of lines of one destination as one piece; the
 * bytes after the last LF are left to carry.  Returns the end of the
 * last complete line, or NULL with err.
 */
static const char *
split_chunk(struct split *sp, const char *data, long n, const char *meter_col,
    struct br_error *err)
{
	const char *p = data, *end = data + n, *nl, *q, *run = data;
	int run_dest = -1, dest;
	size_t len;

	if (sp->rec_len > 0) {	/* the cut line ends in this chunk */
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return p;
		if (carry(sp, p, (size_t)(nl - p) + 1, err) != 0 ||
		    route(sp, sp->rec, sp->rec_len - 1, meter_col, &dest,
		    err) != 0 || put_to(sp, dest, sp->rec, sp->rec_len,
		    err) != 0)
			return NULL;
		sp->rec_len = 0;
		p = run = nl + 1;
	}
	while (p < end) {
		/* The first special byte: the LF of a plain line (a CR just
		 * before it), or the line goes the general way. */
		q = p + br_imp_first_special(p, (size_t)(end - p));
		if (q < end && *q == '\r' && q + 1 < end && q[1] == '\n')
			q++;
		if (q < end && *q == '\n' && sp->col >= 0 && !sp->open_quote &&
		    q > p && !(q == p + 1 && *p == '\r') &&
		    (size_t)(q - p) <= (size_t)BR_CSV_LINE_MAX) {
			nl = q;
			dest = route_plain(sp, p, (size_t)(nl - p));
		} else {
			if (q < end && *q == '\n')
				nl = q;
			else if ((nl = memchr(q, '\n', (size_t)(end - q))) ==
			    NULL)
				break;
			if (route(sp, p, (size_t)(nl - p), meter_col, &dest,
			    err) != 0)
				return NULL;
		}
		if (dest != run_dest) {
			len = run_dest < 0 ? 0 : (size_t)(p - run);
			if (put_to(sp, run_dest, run, len, err) != 0)
				return NULL;
			run = p;
			run_dest = dest;
		}
		p = nl + 1;
	}
	if (put_to(sp, run_dest, run, run_dest < 0 ? 0 : (size_t)(p - run),
	    err) != 0)
		return NULL;
	return p;
}

/* Read path once, routing its lines into the open shard copies. */
static int
split_lines(struct split *sp, const char *path, const char *meter_col,
    struct br_error *err)
{
	struct br_input *in;
	char *data;
	const char *p;
	long n;
	int rc = -1, dest;

	if ((in = br_input_open_ahead_flags(path, BR_INPUT_NO_HASH, err)) ==
	    NULL)
		return -1;
	sp->file = in->name;
	while ((n = br_input_next(in, &data, err)) > 0) {
		if ((p = split_chunk(sp, data, n, meter_col, err)) == NULL ||
		    flush_all(sp, err) != 0)
			goto out;
		if (p < data + n && carry(sp, p, (size_t)(data + n - p),
		    err) != 0)
			goto out;
	}
	if (n < 0)
		goto out;
	/* A last line without a LF gets one. */
	if (sp->rec_len > 0 && (carry(sp, "\n", 1, err) != 0 ||
	    route(sp, sp->rec, sp->rec_len - 1, meter_col, &dest, err) != 0 ||
	    put_to(sp, dest, sp->rec, sp->rec_len, err) != 0 ||
	    flush_all(sp, err) != 0))
		goto out;
	if (sp->col < 0)
		br_error_set(err, BR_EINPUT, sp->file, 1, "no header line");
	else
		rc = 0;
out:
	br_input_close(in);
	return rc;
}

/* D/shard-K-of-N/ for every K (and D itself). */
static int
make_dirs(const char *dir, int n, struct br_error *err)
{
	char path[512];
	int k;

	for (k = 0; k <= n; k++) {
		if (k == 0)
			snprintf(path, sizeof(path), "%s", dir);
		else if (snprintf(path, sizeof(path), "%s/shard-%d-of-%d", dir,
		    k, n) >= (int)sizeof(path))
			return br_error_set(err, BR_EUSAGE, NULL, 0,
			    "--out-dir too long");
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return br_error_set(err, BR_ECANTCREATE, path, 0,
			    "cannot create directory: %s", strerror(errno));
	}
	return 0;
}

/* The name of path's shard copies: its base name without ".gz". */
static void
copy_name(const char *path, char *name, size_t size)
{
	const char *b = strrchr(path, '/');
	size_t len;

	snprintf(name, size, "%s", b ? b + 1 : path);
	len = strlen(name);
	if (len > 3 && strcmp(name + len - 3, ".gz") == 0)
		name[len - 3] = '\0';
}

/* Split one file into the N copies; the copies are renamed into place
 * only when the whole file was read. */
static int
split_file(struct split *sp, const char *path, const char *dir,
    const struct br_import_opts *o, struct br_error *err)
{
	char name[256], out[768];
	int fmt = o->format, k, rc = -1;
	const char *meter_col = "meter_id";

	if (fmt == BR_FMT_AUTO && o->vendor != NULL)
		fmt = BR_FMT_VENDOR;
	if (strcmp(path, "-") == 0)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "--split reads files, not standard input");
	if (fmt == BR_FMT_AUTO && (fmt = br_import_detect(path, err)) < 0)
		return -1;
	if (fmt != BR_FMT_GENERIC && fmt != BR_FMT_VENDOR)
		return br_error_set(err, BR_EUSAGE, path, 0, "--split reads "
		    "generic and vendor CSV only, not %s (import it with "
		    "--shard K/N in every shard)", br_import_format_name(fmt));
	if (fmt == BR_FMT_VENDOR)
		meter_col = o->vendor->col_meter;
	copy_name(path, name, sizeof(name));
	for (k = 1; k <= sp->n; k++) {
		snprintf(out, sizeof(out), "%s/shard-%d-of-%d/%s", dir, k,
		    sp->n, name);
		if (br_atomic_open(&sp->out[k - 1], out, err) != 0)
			goto out;
	}
	memset(sp->niov, 0, (size_t)sp->n * sizeof(*sp->niov));
	sp->col = -1;
	sp->line = 0;
	sp->open_quote = false;
	sp->rec_len = 0;
	sp->last_len = -1;
	if (split_lines(sp, path, meter_col, err) != 0)
		goto out;
	for (k = 0; k < sp->n; k++)
		if (br_atomic_commit(&sp->out[k], err) != 0)
			goto out;
	rc = 0;
out:
	for (k = 0; k < sp->n; k++)
		br_atomic_abort(&sp->out[k]);	/* those not committed */
	return rc;
}

int
br_import_split(const struct br_registry *reg, const struct br_import_opts *o,
    int n, const char *dir, char **files, int nfiles, long rows[2],
    struct br_error *err)
{
	struct split sp;
	int i, j, rc = -1;
	char a[256], b[256];

	memset(&sp, 0, sizeof(sp));
	sp.reg = reg;
	sp.n = n;
	if (sp.n < 1 || sp.n > BR_SHARD_MAX)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "bad --split %d (want 1 to %d)", sp.n, BR_SHARD_MAX);
	for (i = 0; i < nfiles; i++)
		for (j = 0; j < i; j++) {
			copy_name(files[i], a, sizeof(a));
			copy_name(files[j], b, sizeof(b));
			if (strcmp(a, b) == 0)
				return br_error_set(err, BR_EUSAGE, NULL, 0,
				    "--split: two input files are named "
				    "'%s'", a);
		}
	if (make_dirs(dir, sp.n, err) != 0)
		return -1;
	if ((sp.out = calloc((size_t)sp.n, sizeof(*sp.out))) == NULL ||
	    (sp.rows = calloc((size_t)sp.n + 1, sizeof(*sp.rows))) == NULL ||
	    (sp.niov = calloc((size_t)sp.n, sizeof(*sp.niov))) == NULL ||
	    (sp.iov = calloc((size_t)sp.n * SPLIT_IOV, sizeof(*sp.iov))) ==
	    NULL ||
	    (reg->nmeters > 0 && (sp.home = calloc(reg->nmeters,
	    sizeof(*sp.home))) == NULL)) {
		br_imp_nomem(err);
		goto out;
	}
	for (i = 0; i < (int)reg->nmeters; i++)
		sp.home[i] = br_shard_meter_home(reg, &reg->meters[i], sp.n);
	for (i = 0; i < nfiles; i++)
		if (split_file(&sp, files[i], dir, o, err) != 0)
			goto out;
	rows[0] = rows[1] = 0;
	for (i = 1; i <= sp.n; i++)
		rows[0] += sp.rows[i];
	rows[1] = sp.rows[0];
	rc = 0;
out:
	free(sp.out);
	free(sp.rows);
	free(sp.niov);
	free(sp.iov);
	free(sp.home);
	free(sp.rec);
	return rc;
}
