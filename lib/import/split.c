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
 */
#include "import/import_int.h"

#include <errno.h>
#include <sys/stat.h>

#include "io/atomic.h"
#include "core/banned.h"

struct split {
	const struct br_registry *reg;
	int n;
	int *home;		/* OWNED: home shard per registry meter */
	struct br_atomic *out;	/* OWNED: n shard copies of this file */
	int col;		/* meter column, -1 until the header */
	const char *file;
	long line;
	bool open_quote;	/* a quoted field goes on to the next line */
	char *rec;		/* OWNED: a line cut by a chunk's end */
	size_t rec_len, rec_cap;
	long *rows;		/* rows to shard K (1..n), to all (0) */
	char last_id[BR_REGISTRY_ID_MAX];	/* the previous row's meter */
	long last_len;
	int last_home;
};

static int
put(struct split *sp, int k, const char *s, size_t len, struct br_error *err)
{
	FILE *f = sp->out[k - 1].f;

	if (fwrite(s, 1, len, f) != len)
		return br_error_set(err, BR_EIO, sp->out[k - 1].path, 0,
		    "cannot write: %s", strerror(errno));
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
	const struct br_registry_meter *m;
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
	    sizeof(id))) >= 0) {
		if (n != sp->last_len || memcmp(id, sp->last_id, (size_t)n)) {
			m = br_registry_meter_find(sp->reg, id);
			sp->last_home = m != NULL ?
			    sp->home[m - sp->reg->meters] : 0;
			memcpy(sp->last_id, id, (size_t)n);
			sp->last_len = n;
		}
		*dest = sp->last_home;
	}
	sp->rows[*dest]++;
	return 0;
}

/* Write s[0..len) to dest (0: every shard). */
static int
put_to(struct split *sp, int dest, const char *s, size_t len,
    struct br_error *err)
{
	int k;

	if (len == 0)
		return 0;
	for (k = 1; k <= sp->n; k++)
		if ((dest == 0 || dest == k) && put(sp, k, s, len, err) != 0)
			return -1;
	return 0;
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

/* Read path once, routing its lines into the open shard copies. */
static int
split_lines(struct split *sp, const char *path, const char *meter_col,
    struct br_error *err)
{
	struct br_input *in;
	char *data;
	long n;
	int rc = -1, dest;

	if ((in = br_input_open_ahead_flags(path, BR_INPUT_NO_HASH, err)) ==
	    NULL)
		return -1;
	sp->file = in->name;
	while ((n = br_input_next(in, &data, err)) > 0) {
		const char *p = data, *end = data + n, *nl, *run = data;
		int run_dest = -1;

		/* Lines of one destination in a row are written at once. */
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			if (sp->rec_len > 0) {
				if (carry(sp, p, (size_t)(nl - p) + 1,
				    err) != 0 || route(sp, sp->rec,
				    sp->rec_len - 1, meter_col, &dest,
				    err) != 0 || put_to(sp, dest, sp->rec,
				    dest < 0 ? 0 : sp->rec_len, err) != 0)
					goto out;
				sp->rec_len = 0;
				run = nl + 1;
			} else {
				if (route(sp, p, (size_t)(nl - p), meter_col,
				    &dest, err) != 0)
					goto out;
				if (dest != run_dest) {
					if (put_to(sp, run_dest, run, run_dest <
					    0 ? 0 : (size_t)(p - run), err) != 0)
						goto out;
					run = p;
					run_dest = dest;
				}
			}
			p = nl + 1;
		}
		if (put_to(sp, run_dest, run, run_dest < 0 ? 0 :
		    (size_t)(p - run), err) != 0)
			goto out;
		if (p < end && carry(sp, p, (size_t)(end - p), err) != 0)
			goto out;
	}
	if (n < 0)
		goto out;
	/* A last line without a LF gets one. */
	if (sp->rec_len > 0 && (carry(sp, "\n", 1, err) != 0 ||
	    route(sp, sp->rec, sp->rec_len - 1, meter_col, &dest, err) != 0 ||
	    put_to(sp, dest, sp->rec, dest < 0 ? 0 : sp->rec_len, err) != 0))
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
	free(sp.home);
	free(sp.rec);
	return rc;
}
