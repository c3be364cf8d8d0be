/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c: sealing and verifying the hash-chained audit log (see audit.h).
 *
 * Row content is serialized generically from SELECT * (column name, type
 * tag and value; a NULL column added after sealing began is left out,
 * see late_null), so the content hash needs no per-table code: the
 * audited tables and their key expressions are the table below and the
 * triggers in store.c's migration 2.
 */
#include "store/audit.h"

#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "core/money.h"
#include "core/sha256.h"
#include "core/banned.h"

struct audited {
	const char *table;
	const char *key;	/* SQL expression giving the row key */
	const char *lookup;	/* indexed WHERE clause for one key: ?1, and
				 * ?2 = the number after the last '/' when
				 * split is set */
	int split;
};

static const struct audited audited[] = {
	{"bill", "bill_id", "bill_id = ?1", 0},
	{"bill_line", "bill_id || '/' || seq", "bill_id = ?1 AND seq = ?2", 1},
	{"exception_decision", "exc_id || '/' || seq",
	    "exc_id = CAST(?1 AS INTEGER) AND seq = ?2", 1},
	{"ledger", "CAST(entry_id AS TEXT)",
	    "entry_id = CAST(?1 AS INTEGER)", 0},
	{"past_due", "pd_key", "pd_key = ?1", 0},
	{"payment", "CAST(payment_id AS TEXT)",
	    "payment_id = CAST(?1 AS INTEGER)", 0},
	{"payment_item", "item_key", "item_key = ?1", 0},
	{"deposit", "CAST(deposit_no AS TEXT)",
	    "deposit_no = CAST(?1 AS INTEGER)", 0},
};
#define NAUDITED (sizeof(audited) / sizeof(audited[0]))

struct buf {
	char *p;
	size_t len, cap;
};

/* Room for n more bytes (and a NUL) in b. */
static int
buf_room(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t nc = (b->len + n + 1) * 2;
		char *np = realloc(b->p, nc);
		if (np == NULL)
			return -1;
		b->p = np;
		b->cap = nc;
	}
	return 0;
}

static int
buf_add(struct buf *b, const char *s, size_t n)
{
	if (buf_room(b, n) != 0)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/*
 * Columns added to an audited table after rows of it were sealed, and
 * left out of the serialization while NULL: a row sealed before the
 * column existed serializes as it did then (its seal verifies), and a
 * value set on it later shows as an edit.  Only nullable columns whose
 * NULL means "not recorded" belong here (store.c's migration 12).
 */
static int
late_null(const char *name, int type)
{
	return type == SQLITE_NULL && strcmp(name, "rate_nano") == 0;
}

/*
 * Append one column to a serialized row: "name=" then the type tag and
 * value ("i<digits>", "n", "t<len>:<bytes>" or "b<len>:<hex>", FLOAT as
 * its text like TEXT) and ';'.  t is the SQLite type; v/len the bytes of
 * a TEXT, BLOB or FLOAT, i the value of an INTEGER.  The column's room is
 * reserved once and written in place (the seal serializes every audited
 * row of a run: appending piece by piece was a third of it).
 */
static int
put_col(struct buf *b, const char *name, size_t nl, int t,
    const unsigned char *v, size_t len, int64_t i)
{
	static const char hexd[] = "0123456789abcdef";
	char *p;

	/* name=, tag, up to 20 digits, ':', value (hex: twice), ';' */
	if (buf_room(b, nl + 24 + 2 * len) != 0)
		return -1;
	p = b->p + b->len;
	memcpy(p, name, nl);
	p += nl;
	*p++ = '=';
	switch (t) {
	case SQLITE_INTEGER:
		*p++ = 'i';
		p += br_int_format(p, i);
		break;
	case SQLITE_NULL:
		*p++ = 'n';
		break;
	default:
		*p++ = t == SQLITE_BLOB ? 'b' : 't';
		p += br_int_format(p, (int64_t)len);
		*p++ = ':';
		if (t != SQLITE_BLOB) {
			if (len > 0)
				memcpy(p, v, len);
			p += len;
			break;
		}
		for (size_t k = 0; k < len; k++) {
			*p++ = hexd[v[k] >> 4];
			*p++ = hexd[v[k] & 15];
		}
		break;
	}
	*p++ = ';';
	*p = '\0';
	b->len = (size_t)(p - b->p);
	return 0;
}

/* Serialize the current row of s (all columns from first_col) into b. */
static int
serialize(sqlite3_stmt *s, int first_col, struct buf *b)
{
	int i, n = sqlite3_column_count(s);

	b->len = 0;
	if (buf_room(b, 0) != 0)
		return -1;
	b->p[0] = '\0';
	for (i = first_col; i < n; i++) {
		const char *name = sqlite3_column_name(s, i);
		/* the value once (the sqlite3_value_* calls take no lock) */
		sqlite3_value *cv = sqlite3_column_value(s, i);
		int t = sqlite3_value_type(cv);
		const unsigned char *v = NULL;
		size_t len = 0;

		if (late_null(name, t))
			continue;
		if (t == SQLITE_FLOAT || t == SQLITE_TEXT || t == SQLITE_BLOB) {
			/* FLOAT: never used by billrun; keep exact */
			v = sqlite3_value_blob(cv);
			len = (size_t)sqlite3_value_bytes(cv);
		}
		if (put_col(b, name, strlen(name), t, v, len, t ==
		    SQLITE_INTEGER ? sqlite3_value_int64(cv) : 0) != 0)
			return -1;
	}
	return 0;
}

static void
chain_hash(const char *prev, int64_t seq, const char *tbl, const char *op,
    const char *key, const char *data, char out[65])
{
	struct br_sha256 h;
	char num[32], one[512];
	size_t n, lp = strlen(prev), lt = strlen(tbl), lo = strlen(op);
	size_t lk = strlen(key), ld = strlen(data);

	br_sha256_init(&h);
	if (lp + lt + lo + lk + ld + 28 <= sizeof(one)) {
		/* the message in one piece (one update, the common case) */
		char *p = one;
		memcpy(p, prev, lp);
		p += lp;
		*p++ = '|';
		p += br_int_format(p, seq);
		*p++ = '|';
		memcpy(p, tbl, lt);
		p += lt;
		*p++ = '|';
		memcpy(p, op, lo);
		p += lo;
		*p++ = '|';
		memcpy(p, key, lk);
		p += lk;
		*p++ = '|';
		memcpy(p, data, ld);
		p += ld;
		br_sha256_update(&h, one, (size_t)(p - one));
		br_sha256_final_hex(&h, out);
		return;
	}
	br_sha256_update(&h, prev, lp);
	num[0] = '|';
	n = 1 + br_int_format(num + 1, seq);
	num[n++] = '|';
	br_sha256_update(&h, num, n);
	br_sha256_update(&h, tbl, strlen(tbl));
	br_sha256_update(&h, "|", 1);
	br_sha256_update(&h, op, strlen(op));
	br_sha256_update(&h, "|", 1);
	br_sha256_update(&h, key, strlen(key));
	br_sha256_update(&h, "|", 1);
	br_sha256_update(&h, data, strlen(data));
	br_sha256_final_hex(&h, out);
}

/* SHA-256 of n bytes at p: raw into raw[32] and as hex into hex[65]. */
static void
content_digest(const char *p, size_t n, unsigned char raw[32], char hex[65])
{
	struct br_sha256 h;
	int i;

	br_sha256_init(&h);
	br_sha256_update(&h, p, n);
	br_sha256_final_hex(&h, hex);
	for (i = 0; i < 32; i++) {
		int hi = hex[2 * i], lo = hex[2 * i + 1];
		raw[i] = (unsigned char)(((hi <= '9' ? hi - '0' : hi - 'a' + 10)
		    << 4) | (lo <= '9' ? lo - '0' : lo - 'a' + 10));
	}
}

/* Lowercase hex of a 32-byte digest into hex[65]. */
static void
digest_hex(const unsigned char raw[32], char hex[65])
{
	static const char hexd[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = hexd[raw[i] >> 4];
		hex[2 * i + 1] = hexd[raw[i] & 15];
	}
	hex[64] = '\0';
}

static const struct audited *
find_audited(const char *tbl)
{
	size_t i;

	for (i = 0; i < NAUDITED; i++)
		if (strcmp(audited[i].table, tbl) == 0)
			return &audited[i];
	return NULL;
}

int
br_audit_head_seq(struct br_store *st, int64_t *seq, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st,
	    "SELECT coalesce(max(seq), 0) FROM audit_log", err);

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return br_store_fail(st, "read audit log", err);
	}
	*seq = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

/* Hash of the last sealed record with seq <= before ("" when none). */
static int
prev_sealed(struct br_store *st, int64_t before, char out[65],
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT hash FROM audit_seal "
	    "WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, before);
	out[0] = '\0';
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return br_store_fail(st, "read audit log", err);
	return 0;
}

/*
 * The row's content now, serialized into b ("" when the row is gone).
 * rows[] caches one prepared lookup per audited table.
 */
static int
lookup_content(struct br_store *st, sqlite3_stmt **rows, const char *tbl,
    const char *key, struct buf *b, struct br_error *err)
{
	const struct audited *a = find_audited(tbl);
	sqlite3_stmt *row;
	char sql[256];
	size_t ti;

	if (a == NULL)
		return br_error_set(err, BR_EINTERNAL, st->path, 0,
		    "audit log names unknown table '%s'", tbl);
	ti = (size_t)(a - audited);
	if (rows[ti] == NULL) {
		snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE %s",
		    a->table, a->lookup);
		if ((rows[ti] = br_store_prepare(st, sql, err)) == NULL)
			return -1;
	}
	row = rows[ti];
	sqlite3_reset(row);
	if (a->split) {
		const char *slash = strrchr(key, '/');
		int n = slash ? (int)(slash - key) : (int)strlen(key);
		sqlite3_bind_text(row, 1, key, n, SQLITE_TRANSIENT);
		sqlite3_bind_int64(row, 2, slash ? strtoll(slash + 1, NULL, 10) :
		    -1);
	} else
		sqlite3_bind_text(row, 1, key, -1, SQLITE_TRANSIENT);
	b->len = 0;
	if (buf_add(b, "", 0) != 0)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	switch (sqlite3_step(row)) {
	case SQLITE_ROW:
		if (serialize(row, 0, b) != 0)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		return 0;
	case SQLITE_DONE:
		return 0;
	default:	/* never seal a read error as "row gone" */
		return br_store_fail(st, "read audited row", err);
	}
}

/*
 * Sealing state.  Lookups of bill_line records, the bulk of a rating
 * run's records (a bill's lines come in seq order after the bill), walk
 * one range cursor per bill instead of seeking each line: the row the
 * cursor steps to is the row the point lookup would read.  Each row is
 * serialized into one reused buffer and only its digest is kept; seals
 * are appended SEAL_ROWS per INSERT statement.
 */
#define SEAL_ROWS 32

struct seal {
	struct br_store *st;
	sqlite3_stmt *rows[NAUDITED];	/* one point lookup per table */
	sqlite3_stmt *lines;		/* bill_line range cursor */
	int lines_live;			/* lines stands on line_seq */
	char line_bill[256];
	int64_t line_seq;
	sqlite3_stmt *ins[SEAL_ROWS + 1];	/* by row count, lazily */
	struct buf content;		/* the row being sealed */
	struct {
		int64_t seq;
		unsigned char digest[32];
		char hash[65];
	} pend[SEAL_ROWS];
	size_t npend;
};

/*
 * bill_line's row key/seq (key "bill_id/seq") from the range cursor:
 * 1 and the row serialized into b when it is the cursor's next row, 0
 * when the cursor cannot tell (the caller seeks instead), -1 on error.
 */
static int
next_line(struct seal *z, const char *key, struct buf *b,
    struct br_error *err)
{
	const char *slash = strrchr(key, '/');
	size_t blen;
	int64_t seq;
	int rc;

	if (slash == NULL || (blen = (size_t)(slash - key)) >=
	    sizeof(z->line_bill))
		return 0;
	seq = strtoll(slash + 1, NULL, 10);
	if (!z->lines_live || seq != z->line_seq + 1 ||
	    strncmp(z->line_bill, key, blen) != 0 ||
	    z->line_bill[blen] != '\0') {
		/* start a cursor at this line */
		z->lines_live = 0;
		if (z->lines == NULL && (z->lines = br_store_prepare(z->st,
		    "SELECT * FROM bill_line WHERE bill_id = ?1 AND seq >= ?2 "
		    "ORDER BY seq", err)) == NULL)
			return -1;
		sqlite3_reset(z->lines);
		sqlite3_bind_text(z->lines, 1, key, (int)blen,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(z->lines, 2, seq);
		memcpy(z->line_bill, key, blen);
		z->line_bill[blen] = '\0';
	}
	rc = sqlite3_step(z->lines);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return br_store_fail(z->st, "read audited row", err);
	if (rc == SQLITE_ROW && sqlite3_column_type(z->lines, 1) ==
	    SQLITE_INTEGER && sqlite3_column_int64(z->lines, 1) == seq) {
		if (serialize(z->lines, 0, b) != 0)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		z->lines_live = 1;
		z->line_seq = seq;
		return 1;
	}
	sqlite3_reset(z->lines);
	z->lines_live = 0;
	return 0;
}

/* The INSERT of n seals (1 <= n <= SEAL_ROWS), prepared once. */
static sqlite3_stmt *
seal_insert(struct seal *z, size_t n, struct br_error *err)
{
	static const char head[] = "INSERT INTO audit_seal(seq, digest, "
	    "hash, run_id) VALUES";

	if (z->ins[n] == NULL)
		z->ins[n] = br_store_prepare_rows(z->st, head, 4, (int)n, err);
	return z->ins[n];
}

/* Append the pending seals. */
static int
seal_flush(struct seal *z, struct br_error *err)
{
	sqlite3_stmt *s;
	size_t i;
	int rc;

	if (z->npend == 0)
		return 0;
	if ((s = seal_insert(z, z->npend, err)) == NULL)
		return -1;
	for (i = 0; i < z->npend; i++) {
		int k = (int)i * 4;
		sqlite3_bind_int64(s, k + 1, z->pend[i].seq);
		sqlite3_bind_blob(s, k + 2, z->pend[i].digest, 32,
		    SQLITE_STATIC);
		sqlite3_bind_text(s, k + 3, z->pend[i].hash, -1,
		    SQLITE_STATIC);
		if (z->st->run_id > 0)
			sqlite3_bind_int64(s, k + 4, z->st->run_id);
		else
			sqlite3_bind_null(s, k + 4);
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	z->npend = 0;
	if (rc != SQLITE_DONE)
		return br_store_fail(z->st, "seal audit log", err);
	return 0;
}

/*
 * Row notes (audit.h): the digests of the bill_line rows the running
 * transaction inserted, in insert order, taken from the values bound.
 * One set at a time (the tools are single-threaded, one store each).
 */
#define NOTE_MAX_COLS 32
#define NOTE_MAX_ROWS (1 << 20)	/* then read back, as without notes */

static struct {
	struct br_store *st;		/* NULL: no notes */
	int64_t from_seq;		/* st->audit_from when begun */
	int ncols;			/* bill_line's columns, table order */
	char *names[NOTE_MAX_COLS];
	size_t nlen[NOTE_MAX_COLS];
	const char *given[NOTE_MAX_COLS];	/* cols[at[i]].name last time */
	size_t at[NOTE_MAX_COLS];
	struct buf keys;		/* the keys, each NUL-terminated */
	unsigned char (*digest)[32];
	size_t n, cap;
	struct buf content;
	int broken;			/* a note failed: use none */
} notes;

static void
notes_drop(void)
{
	int i;

	if (notes.st != NULL)
		sqlite3_rollback_hook(notes.st->db, NULL, NULL);
	for (i = 0; i < notes.ncols; i++)
		free(notes.names[i]);
	free(notes.keys.p);
	free(notes.digest);
	free(notes.content.p);
	memset(&notes, 0, sizeof(notes));
}

/* A rollback undoes the rows noted (the hook stays: it is harmless). */
static void
notes_rollback(void *arg)
{
	(void)arg;
	notes.st = NULL;
	notes_drop();
}

int
br_audit_note_begin(struct br_store *st, struct br_error *err)
{
	sqlite3_stmt *s;
	int i, n;

	notes_drop();
	if (!st->in_tx)
		return 0;
	if ((s = br_store_prepare(st, "SELECT * FROM bill_line LIMIT 0",
	    err)) == NULL)
		return -1;
	n = sqlite3_column_count(s);
	for (i = 0; i < n && i < NOTE_MAX_COLS; i++) {
		const char *name = sqlite3_column_name(s, i);
		if (name == NULL || (notes.names[i] = strdup(name)) == NULL)
			break;
		notes.nlen[i] = strlen(name);
		notes.ncols = i + 1;
	}
	sqlite3_finalize(s);
	if (n == 0 || notes.ncols != n) {
		notes_drop();
		return 0;	/* not noted: the seal reads the rows back */
	}
	notes.st = st;
	notes.from_seq = st->audit_from;
	sqlite3_rollback_hook(st->db, notes_rollback, NULL);
	return 0;
}

/* The serialized row of cols in the table's column order into b. */
static int
note_serialize(size_t ncols, const struct br_audit_col *cols,
    struct buf *b)
{
	int i;

	b->len = 0;
	if (buf_room(b, 0) != 0)
		return -1;
	b->p[0] = '\0';
	for (i = 0; i < notes.ncols; i++) {
		const struct br_audit_col *c = NULL;
		size_t k = notes.at[i];
		/* the caller's column array is the same each time: the
		 * name pointer found last time is checked, not searched */
		if (k < ncols && cols[k].name == notes.given[i])
			c = &cols[k];
		for (k = 0; c == NULL && k < ncols; k++)
			if (strcmp(cols[k].name, notes.names[i]) == 0) {
				c = &cols[k];
				notes.at[i] = k;
				notes.given[i] = cols[k].name;
			}
		if (c == NULL)	/* a column not given: read it back */
			return -1;
		if (c->null) {	/* as serialize: left out, or tagged n */
			if (!late_null(notes.names[i], SQLITE_NULL) &&
			    put_col(b, notes.names[i], notes.nlen[i],
			    SQLITE_NULL, NULL, 0, 0) != 0)
				return -1;
			continue;
		}
		if (c->text != NULL ? put_col(b, notes.names[i], notes.nlen[i],
		    SQLITE_TEXT, (const unsigned char *)c->text,
		    strlen(c->text), 0) : put_col(b, notes.names[i],
		    notes.nlen[i], SQLITE_INTEGER, NULL, 0, c->num))
			return -1;
	}
	return 0;
}

void
br_audit_note_row(struct br_store *st, const char *key, size_t ncols,
    const struct br_audit_col *cols)
{
	char dhex[65];

	if (notes.st != st || notes.broken)
		return;
	if (notes.n == notes.cap) {
		size_t cap = notes.cap ? 2 * notes.cap : 1024;
		unsigned char (*d)[32];
		if (notes.n >= NOTE_MAX_ROWS || (d = realloc(notes.digest,
		    cap * sizeof(*d))) == NULL) {
			notes.broken = 1;
			return;
		}
		notes.digest = d;
		notes.cap = cap;
	}
	if (note_serialize(ncols, cols, &notes.content) != 0 ||
	    buf_add(&notes.keys, key, strlen(key) + 1) != 0) {
		notes.broken = 1;
		return;
	}
	content_digest(notes.content.p, notes.content.len,
	    notes.digest[notes.n++], dhex);
}

/*
 * Whether the notes hold this transaction's bill_line rows as of now: the
 * transaction's bill_line audit records are exactly one insert per note,
 * in the notes' order (no update, delete or other insert since: each
 * would have left a record).
 */
static int
notes_valid(struct br_store *st, int64_t from_seq, struct br_error *err)
{
	sqlite3_stmt *s;
	const char *key = notes.keys.p;
	size_t i = 0;
	int rc, ok = 1;

	if (notes.st != st || notes.broken || notes.from_seq != from_seq ||
	    notes.n == 0)
		return 0;
	s = br_store_prepare(st, "SELECT op, row_key FROM audit_log WHERE "
	    "seq > ?1 AND tbl = 'bill_line' ORDER BY seq", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, from_seq);
	while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *op = (const char *)sqlite3_column_text(s, 0);
		const char *k = (const char *)sqlite3_column_text(s, 1);
		if (i == notes.n || op == NULL || k == NULL ||
		    strcmp(op, "I") != 0 || strcmp(k, key) != 0)
			ok = 0;
		else {
			key += strlen(key) + 1;
			i++;
		}
	}
	if (ok && rc != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "read audit log", err);
	}
	sqlite3_finalize(s);
	return ok && i == notes.n;
}

/*
 * The triggers append (table, op, key) to audit_log.  Sealing walks this
 * transaction's records in seq order, serializes each row as of the
 * commit, digests it, chains the hash over the digest and appends (seq,
 * digest, hash) to audit_seal: both tables only ever grow at their end.
 */
int
br_audit_seal(struct br_store *st, int64_t from_seq, struct br_error *err)
{
	sqlite3_stmt *sel = NULL;
	struct seal *z;
	char prev[65];
	size_t ti, note = 0;
	int rc = -1, src, noted;

	if ((z = calloc(1, sizeof(*z))) == NULL) {
		notes_drop();
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	z->st = st;
	if ((noted = notes_valid(st, from_seq, err)) < 0 ||
	    prev_sealed(st, from_seq, prev, err) != 0)
		goto out;
	sel = br_store_prepare(st, "SELECT seq, tbl, op, row_key FROM "
	    "audit_log WHERE seq > ?1 ORDER BY seq", err);
	if (sel == NULL)
		goto out;
	sqlite3_bind_int64(sel, 1, from_seq);
	while ((src = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *tbl = (const char *)sqlite3_column_text(sel, 1);
		const char *op = (const char *)sqlite3_column_text(sel, 2);
		const char *key = (const char *)sqlite3_column_text(sel, 3);
		struct buf *b = &z->content;
		char dhex[65];
		int got = 0;

		z->pend[z->npend].seq = sqlite3_column_int64(sel, 0);
		if (noted && strcmp(tbl, "bill_line") == 0) {
			/* notes_valid: the note-th note is this record's */
			memcpy(z->pend[z->npend].digest, notes.digest[note++],
			    32);
			digest_hex(z->pend[z->npend].digest, dhex);
		} else {
			if (strcmp(tbl, "bill_line") == 0 &&
			    (got = next_line(z, key, b, err)) < 0)
				goto out;
			if (!got && lookup_content(st, z->rows, tbl, key, b,
			    err) != 0)
				goto out;
			content_digest(b->p, b->len, z->pend[z->npend].digest,
			    dhex);
		}
		chain_hash(prev, z->pend[z->npend].seq, tbl, op, key, dhex,
		    z->pend[z->npend].hash);
		memcpy(prev, z->pend[z->npend].hash, sizeof(prev));
		if (++z->npend == SEAL_ROWS && seal_flush(z, err) != 0)
			goto out;
	}
	if (src != SQLITE_DONE) {
		br_store_fail(st, "read audit log", err);
		goto out;
	}
	if (seal_flush(z, err) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(z->lines);
	for (ti = 0; ti < NAUDITED; ti++)
		sqlite3_finalize(z->rows[ti]);
	for (ti = 0; ti <= SEAL_ROWS; ti++)
		sqlite3_finalize(z->ins[ti]);
	free(z->content.p);
	free(z);
	notes_drop();
	return rc;
}

static void
finding(FILE *out, struct br_audit_stats *stats, const char *kind,
    const char *tbl, const char *key, int64_t seq, const char *detail)
{
	char num[32];
	const char *row[5];

	snprintf(num, sizeof(num), "%lld", (long long)seq);
	row[0] = kind;
	row[1] = tbl;
	row[2] = key;
	row[3] = seq ? num : "";
	row[4] = detail;
	br_csv_row(out, 5, row);
	stats->problems++;
}

/*
 * Whether seal row s (columns data, prev_hash, hash, digest from first)
 * of record (seq, tbl, op, key) chains on from prev.  A content seal
 * (before migration 11) hashes its content and stores prev_hash; a digest
 * seal hashes the digest's hex and has neither content nor prev_hash.
 */
static int
seal_chains(sqlite3_stmt *s, int first, const char *prev, int64_t seq,
    const char *tbl, const char *op, const char *key)
{
	const char *data = (const char *)sqlite3_column_text(s, first);
	const char *ph = (const char *)sqlite3_column_text(s, first + 1);
	const char *hash = (const char *)sqlite3_column_text(s, first + 2);
	char h[65], dhex[65];

	if (sqlite3_column_type(s, first + 3) == SQLITE_NULL) {
		chain_hash(prev, seq, tbl, op, key, data ? data : "", h);
		return ph != NULL && strcmp(ph, prev) == 0 &&
		    strcmp(h, hash) == 0;
	}
	if (sqlite3_column_type(s, first + 3) != SQLITE_BLOB ||
	    sqlite3_column_bytes(s, first + 3) != 32 ||
	    sqlite3_column_type(s, first) != SQLITE_NULL || ph != NULL)
		return 0;
	digest_hex(sqlite3_column_blob(s, first + 3), dhex);
	chain_hash(prev, seq, tbl, op, key, dhex, h);
	return strcmp(h, hash) == 0;
}

/* Walk the chain in seq order. */
static int
verify_chain(struct br_store *st, FILE *out, struct br_audit_stats *stats,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT a.seq, a.tbl, a.op, "
	    "a.row_key, s.data, s.prev_hash, s.hash, s.digest FROM audit_log a "
	    "LEFT JOIN audit_seal s ON s.seq = a.seq ORDER BY a.seq", err);
	char prev[65] = "", detail[160];
	int64_t expect = 1;
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(s, 0);
		const char *tbl = (const char *)sqlite3_column_text(s, 1);
		const char *op = (const char *)sqlite3_column_text(s, 2);
		const char *key = (const char *)sqlite3_column_text(s, 3);
		const char *hash = (const char *)sqlite3_column_text(s, 6);

		stats->records++;
		if (seq != expect) {
			snprintf(detail, sizeof(detail), "audit records %lld-%lld "
			    "missing", (long long)expect, (long long)seq - 1);
			finding(out, stats, "audit-deleted", "audit_log", "",
			    expect, detail);
		}
		expect = seq + 1;
		if (hash == NULL) {
			finding(out, stats, "unsealed", tbl, key, seq,
			    "change made outside billrun tools");
			continue;
		}
		if (!seal_chains(s, 4, prev, seq, tbl, op, key))
			finding(out, stats, "audit-edited", tbl, key, seq,
			    "audit record does not match the hash chain");
		snprintf(prev, sizeof(prev), "%s", hash);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read audit log", err);
	memcpy(stats->head, prev, sizeof(stats->head));
	/* Seals beyond the last audit record: the last records were
	 * deleted (a gap inside the log is found above). */
	s = br_store_prepare(st, "SELECT min(seq), max(seq) FROM audit_seal "
	    "WHERE seq > ?1", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, expect - 1);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL) {
		int64_t lo = sqlite3_column_int64(s, 0);
		snprintf(detail, sizeof(detail), "audit records %lld-%lld "
		    "missing", (long long)lo,
		    (long long)sqlite3_column_int64(s, 1));
		finding(out, stats, "audit-deleted", "audit_log", "", lo,
		    detail);
		rc = SQLITE_DONE;
	} else if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read audit log", err);
	return 0;
}

/*
 * Whether the serialized row b is the sealed content of aud's record:
 * its content (column 2, a content seal) or digest (column 4).
 */
static int
content_matches(sqlite3_stmt *aud, const struct buf *b)
{
	unsigned char raw[32];
	char hex[65];

	if (sqlite3_column_type(aud, 4) == SQLITE_NULL)
		return strcmp(b->p, sqlite3_column_type(aud, 2) == SQLITE_NULL ?
		    "" : (const char *)sqlite3_column_text(aud, 2)) == 0;
	content_digest(b->p, b->len, raw, hex);
	return sqlite3_column_bytes(aud, 4) == 32 &&
	    memcmp(sqlite3_column_blob(aud, 4), raw, 32) == 0;
}

/*
 * A review decision sealed as content before migration 7 added
 * exception_decision.decided_on (NOT NULL DEFAULT '', the table's last
 * column): its sealed content ends before decided_on, and the row reads
 * '' there now, the same row.  Whether the serialized row b is aud's
 * content seal with that default column after it.  (Columns added since
 * are nullable and left out while NULL: see late_null.)
 */
static int
pre_v7_decision(const struct audited *a, sqlite3_stmt *aud,
    const struct buf *b)
{
	static const char tail[] = "decided_on=t0:;";
	const size_t tn = sizeof(tail) - 1;
	const char *data;
	size_t dn;

	if (strcmp(a->table, "exception_decision") != 0 ||
	    sqlite3_column_type(aud, 4) != SQLITE_NULL ||
	    (data = (const char *)sqlite3_column_text(aud, 2)) == NULL)
		return 0;
	dn = (size_t)sqlite3_column_bytes(aud, 2);
	return b->len == dn + tn && memcmp(b->p, data, dn) == 0 &&
	    memcmp(b->p + dn, tail, tn) == 0;
}

/* Compare one table's rows with the last sealed audit record per key. */
static int
verify_table(struct br_store *st, const struct audited *a, FILE *out,
    struct br_audit_stats *stats, struct br_error *err)
{
	sqlite3_stmt *cur = NULL, *aud = NULL;
	struct buf b = {NULL, 0, 0};
	char sql[512];
	int rc = -1, rc_cur, rc_aud;

	snprintf(sql, sizeof(sql), "SELECT CAST(%s AS TEXT) AS br_key, * "
	    "FROM %s ORDER BY br_key", a->key, a->table);
	if ((cur = br_store_prepare(st, sql, err)) == NULL)
		goto out;
	/* The last sealed record per key: SQLite takes the bare columns
	 * from the row of max(seq). */
	aud = br_store_prepare(st, "SELECT a.row_key, a.op, s.data, "
	    "max(a.seq), s.digest FROM audit_log a JOIN audit_seal s "
	    "ON s.seq = a.seq "
	    "WHERE a.tbl = ?1 GROUP BY a.row_key ORDER BY a.row_key", err);
	if (aud == NULL)
		goto out;
	sqlite3_bind_text(aud, 1, a->table, -1, SQLITE_STATIC);
	rc_cur = sqlite3_step(cur);
	rc_aud = sqlite3_step(aud);
	while (rc_cur == SQLITE_ROW || rc_aud == SQLITE_ROW) {
		const char *ck = rc_cur == SQLITE_ROW ?
		    (const char *)sqlite3_column_text(cur, 0) : NULL;
		const char *ak = rc_aud == SQLITE_ROW ?
		    (const char *)sqlite3_column_text(aud, 0) : NULL;
		int c = ck == NULL ? 1 : ak == NULL ? -1 : strcmp(ck, ak);

		if (c < 0) {
			finding(out, stats, "unaudited", a->table, ck, 0,
			    "row is not in the audit log");
			rc_cur = sqlite3_step(cur);
			continue;
		}
		if (c > 0) {
			if (strcmp((const char *)sqlite3_column_text(aud, 1),
			    "D") != 0)
				finding(out, stats, "deleted", a->table, ak,
				    sqlite3_column_int64(aud, 3),
				    "row deleted outside billrun tools");
			rc_aud = sqlite3_step(aud);
			continue;
		}
		if (serialize(cur, 1, &b) != 0) {
			br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
			goto out;
		}
		if (strcmp((const char *)sqlite3_column_text(aud, 1), "D") == 0)
			finding(out, stats, "reappeared", a->table, ck,
			    sqlite3_column_int64(aud, 3),
			    "row deleted by billrun exists again");
		else if (!content_matches(aud, &b) &&
		    !pre_v7_decision(a, aud, &b))
			finding(out, stats, "edited", a->table, ck,
			    sqlite3_column_int64(aud, 3),
			    "row differs from its last audited content");
		rc_cur = sqlite3_step(cur);
		rc_aud = sqlite3_step(aud);
	}
	if (rc_cur != SQLITE_DONE || rc_aud != SQLITE_DONE) {
		br_store_fail(st, "verify audit log", err);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(cur);
	sqlite3_finalize(aud);
	free(b.p);
	return rc;
}

int
br_audit_verify(struct br_store *st, FILE *out, struct br_audit_stats *stats,
    struct br_error *err)
{
	static const char *const hdr[] = {"kind", "table", "key", "seq",
	    "detail"};
	size_t i;

	memset(stats, 0, sizeof(*stats));
	br_csv_row(out, 5, hdr);
	if (verify_chain(st, out, stats, err) != 0)
		return -1;
	for (i = 0; i < NAUDITED; i++)
		if (verify_table(st, &audited[i], out, stats, err) != 0)
			return -1;
	return 0;
}

int
br_audit_check_anchor(struct br_store *st, const char *label,
    const char *head, int64_t seq, FILE *out, struct br_audit_stats *stats,
    struct br_error *err)
{
	sqlite3_stmt *s;
	char detail[400];
	int rc;

	if (seq == 0)
		return 0;		/* the log was empty then */
	if ((s = br_store_prepare(st, "SELECT s.hash FROM audit_seal s JOIN "
	    "audit_log a ON a.seq = s.seq WHERE s.seq = ?1", err)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, seq);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		snprintf(detail, sizeof(detail), "audit record %lld, the chain "
		    "head recorded in %s, is gone", (long long)seq, label);
		finding(out, stats, "anchor-missing", "audit_seal", label, seq,
		    detail);
	} else if (rc == SQLITE_ROW && strcmp((const char *)
	    sqlite3_column_text(s, 0), head) != 0) {
		snprintf(detail, sizeof(detail), "audit record %lld does not "
		    "have the hash %s recorded in %s: the chain was rewritten",
		    (long long)seq, head, label);
		finding(out, stats, "anchor-mismatch", "audit_seal", label, seq,
		    detail);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return br_store_fail(st, "read audit log", err);
	return 0;
}
