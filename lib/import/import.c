/*
 * import.c: the interval importer: generic interval CSV, NEM12/NEM13 and
 * CMEP MEPMD01 (parsers in nem12.c and cmep.c feed runs of intervals
 * through ingest_run into the same day accumulator and store writer).
 *
 * Rows stream through libcsv (br_csv_read); each is checked, converted to
 * a UTC instant, placed in the slot of its local day and accumulated in
 * an open-addressing hash of open meter-days.  The days are written at
 * the end of the file (or whenever MAX_OPEN_DAYS are open), merged with
 * any existing row: slots of the new file replace old slots, and a row
 * from a different file is recorded in interval_replacement with its
 * version bumped.  Values: fixed-point milli-units of the meter's unit,
 * times the registry multiplier, rounded half-up once.  The whole file is
 * one savepoint: a file whose SHA-256 was imported before is rolled back
 * and reported as skipped.
 */
#include "import/import.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "formats/cmep.h"
#include "io/csvio.h"
#include "core/date.h"
#include "formats/greenbutton.h"
#include "io/input.h"
#include "core/money.h"
#include "core/units.h"
#include "formats/nem12.h"
#include "formats/vendorcsv.h"
#include "core/banned.h"

#define MAX_OPEN_DAYS (1 << 16)
#define MAX_OPEN_REGS (1 << 16)
/* Meter-days of up to POOL_N slots (15-minute data, 25-hour days) come
 * from CHUNK_BYTES blocks (huge pages where the kernel offers them): one
 * page fault per block instead of one per day. */
#define POOL_N 100
#define CHUNK_BYTES ((size_t)2 << 20)

enum { COL_METER, COL_START, COL_VALUE, COL_MINUTES, COL_CHANNEL, COL_UNIT,
	COL_QUALITY, NCOLS };
static const char *const col_names[NCOLS] = { "meter_id", "interval_start",
	"value", "interval_minutes", "channel", "unit", "quality" };

struct day_acc {
	size_t meter;		/* index in reg->meters */
	int channel;
	int32_t day;
	int32_t interval_s, n;
	int32_t cap_n;		/* slots allocated (reuse: >= n) */
	bool pooled;		/* in a ctx.chunks block, else malloc'd */
	struct day_acc *next_free;	/* in ctx.free_days */
	int64_t start;		/* UTC start of the local day */
	long first_line;
	long dups;		/* slots given more than once */
	uint8_t *quality;	/* n entries, after values */
	uint8_t *seen;		/* n entries: slot given by this file */
	char version[32];	/* highest source version (UpdateDateTime) */
	int64_t *sv;		/* OWNED, NULL or n: source version per slot */
	int64_t values[];	/* n entries */
};

/* One register read of this file, normalised, waiting for flush_regs. */
struct reg_acc {
	size_t meter;		/* index in reg->meters */
	int channel;
	int64_t t;		/* UTC instant of the read */
	int64_t value;		/* milli-units of the meter's unit */
	uint8_t quality;
	bool echo;		/* a NEM13 PreviousRegisterRead */
	long line, seq;		/* seq: order in the file */
	char version[32];	/* source version, "" when none */
};

struct meter_stat {		/* per registry meter, this file (parser) */
	long outside_rows, outside_line;
	int32_t outside_first, outside_last;
	long removed_rows, removed_line;	/* after the last removal */
	int32_t removed_first, removed_last;
	long dupinst_rows, dupinst_line;	/* two installs at once */
	int32_t dupinst_first, dupinst_last;
};

struct noacct_stat {		/* per registry meter, this file (writer) */
	long days, line;
	int32_t first, last;
};

/*
 * The writer thread of a generic or vendor CSV import.  When the open-day
 * table is full, the parser moves its days into batch and hands it over;
 * the writer sorts and writes it while the parser fills the emptied
 * table.  The parser waits for the batch before the next hand-over and
 * before it touches the store itself (register flush, end of file,
 * error).  While a batch is out, the writer owns the store connection
 * and statements, the merge scratch, c->exc, c->noacct and the counters
 * res->days, replaced and stale, and the batch's day buffers; the parser
 * touches none of them until flusher_wait() returns.  Written days come
 * back in groups through the returned list (under mu), so the parser
 * reuses them at once: the two batches share about one batch of buffers.
 */
struct flusher {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* busy or quit changed */
	bool started;		/* thread running (mu, cv initialised) */
	bool busy;		/* batch handed over, not written yet */
	bool quit;
	struct open_day *batch;	/* OWNED, nbatch days (parser: reclaim) */
	size_t nbatch, batch_cap;
	struct day_acc *returned;	/* (mu) written days, for the parser */
	int rc;			/* result of the last batch */
	struct br_error err;	/* its error */
	char file[sizeof(((struct br_error *)0)->file)];	/* where the */
	long line;		/* parser was when it handed the batch over */
};

struct unknown_meter {
	char *id;		/* OWNED */
	long rows, first_line;
	int32_t first_day;	/* or INT32_MIN when unknown */
};

/* A local day as UTC [start, end), cached by day number. */
struct day_span {
	int32_t day;
	bool valid;
	int64_t start, end;
};

#define DAY_SPANS 64

struct ctx {
	struct br_store *st;
	const struct br_registry *reg;
	const struct br_tz *tz;
	const struct br_tz *stz;	/* zone of local stamps (source) */
	const struct br_import_opts *o;
	int fmt;		/* enum br_import_format, resolved */
	const char *source;	/* basename of the file */
	struct br_import_result *res;
	int col[NCOLS];
	const char *names[NCOLS];	/* column names (vendor: mapped) */
	int64_t file_id;
	long rows;
	/* open meter-days */
	struct open_day *slots;
	size_t cap, count;
	struct day_acc *last;
	struct day_acc *free_days;	/* written days kept for reuse */
	void **chunks;			/* OWNED: blocks of POOL_N-slot days */
	size_t nchunks, chunk_cap;
	char *chunk_at, *chunk_end;	/* unused part of the last block */
	struct day_span spans[DAY_SPANS];
	struct br_time_cache tcache;
	long max_days;		/* flush at this many open days */
	struct flusher *fl;	/* OWNED; NULL: batches written inline */
	/* per meter */
	struct meter_stat *mstat;
	struct noacct_stat *noacct;
	struct unknown_meter *unknown;
	size_t nunknown, unknown_cap;
	int32_t cur_day;	/* local day cache: [cur_start, cur_end) */
	int64_t cur_start, cur_end;
	const char *last_id;	/* BORROWED: id of the previous row */
	unsigned nem_flags;	/* NEM12 out-of-spec flags of the file */
	long nem_days;		/* NEM12 300 records */
	long coarse, coarse_reads, coarse_line;	/* runs not sub-hourly */
	int32_t coarse_s;
	int nem_version;	/* 12 or 13 */
	char ami_key[80];	/* AMI run meter key of ami_mi */
	long ami_mi;		/* its meter index (LONG_MIN: none) */
	long last_meter;	/* its meter index, or -1 - unknown index */
	/* pending exceptions of this file */
	struct br_import_exc *exc;
	size_t nexc, exc_cap;
	/* register reads of this file, written at the end (or every
	 * MAX_OPEN_REGS) by flush_regs */
	struct reg_acc *regs;
	size_t nregs, regs_cap;
	long reg_seq;
	/* statements and scratch */
	sqlite3_stmt *sel_day, *put_day, *ins_repl, *sel_ver, *put_ver;
	sqlite3_stmt *sel_reg, *put_reg, *ins_reg_repl;
	int64_t *merge_vals;
	uint8_t *merge_q;
	unsigned char *blob;
	int32_t scratch_n;
};

void
br_import_result_init(struct br_import_result *res)
{
	memset(res, 0, sizeof(*res));
}

void
br_import_result_release(struct br_import_result *res)
{
	free(res->exc);
	memset(res, 0, sizeof(*res));
}

static int
nomem(struct br_error *err)
{
	return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
}

static int
add_exc(struct ctx *c, const char *code, const char *account,
    const char *meter, int32_t day, long line, struct br_error *err,
    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

static int
add_exc(struct ctx *c, const char *code, const char *account,
    const char *meter, int32_t day, long line, struct br_error *err,
    const char *fmt, ...)
{
	struct br_import_exc *e;
	va_list ap;

	if (c->nexc == c->exc_cap) {
		size_t nc = c->exc_cap ? c->exc_cap * 2 : 16;
		void *p = realloc(c->exc, nc * sizeof(*c->exc));
		if (p == NULL)
			return nomem(err);
		c->exc = p;
		c->exc_cap = nc;
	}
	e = &c->exc[c->nexc++];
	memset(e, 0, sizeof(*e));
	snprintf(e->code, sizeof(e->code), "%s", code);
	snprintf(e->severity, sizeof(e->severity), "warn");
	snprintf(e->account_id, sizeof(e->account_id), "%s",
	    account ? account : "");
	snprintf(e->meter_id, sizeof(e->meter_id), "%s", meter);
	if (day != INT32_MIN)
		br_date_format(day, e->date, sizeof(e->date));
	snprintf(e->source, sizeof(e->source), "%s", c->source);
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	return 0;
}

/*
 * Open meter-days: open addressing, linear probing.  The key sits in the
 * table (no pointer chase per probe) and sorts as (meter, channel, day):
 * meter index above bit 34 (fewer than 2^30 meters), channel (1 or 2) in
 * bits 32-33, the day with its sign bit flipped below.
 */
struct open_day {
	uint64_t key;
	struct day_acc *a;	/* NULL: free slot */
};

static uint64_t
day_key(size_t meter, int channel, int32_t day)
{
	return (uint64_t)meter << 34 | (uint64_t)(channel & 3) << 32 |
	    ((uint32_t)day ^ 0x80000000u);
}

static size_t
day_hash(uint64_t h, size_t mask)
{
	/* murmur3 finalizer: consecutive meters and days spread out. */
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 33;
	return (size_t)h & mask;
}

static struct open_day *
day_slot(struct ctx *c, uint64_t key)
{
	size_t i = day_hash(key, c->cap - 1);

	for (;; i = (i + 1) & (c->cap - 1))
		if (c->slots[i].a == NULL || c->slots[i].key == key)
			return &c->slots[i];
}

static int
day_table_grow(struct ctx *c, struct br_error *err)
{
	size_t oc = c->cap, nc = oc ? oc * 2 : 256, i;
	struct open_day *old = c->slots;

	if ((c->slots = calloc(nc, sizeof(*c->slots))) == NULL) {
		c->slots = old;
		return nomem(err);
	}
	c->cap = nc;
	for (i = 0; i < oc; i++)
		if (old[i].a != NULL)
			*day_slot(c, old[i].key) = old[i];
	free(old);
	return 0;
}

/* Start and end of local day (cached: a file cycles through its days). */
static const struct day_span *
day_span(struct ctx *c, int32_t day)
{
	struct day_span *sp = &c->spans[(uint32_t)day % DAY_SPANS];

	if (!sp->valid || sp->day != day) {
		sp->day = day;
		sp->start = br_tz_day_start(c->tz, day);
		sp->end = br_tz_day_start(c->tz, day + 1);
		sp->valid = true;
	}
	return sp;
}

static size_t
day_bytes(int32_t n)
{
	size_t b = sizeof(struct day_acc) + (size_t)n * (sizeof(int64_t) + 2);

	return (b + 63) & ~(size_t)63;
}

/* A new meter-day buffer for n slots. */
static struct day_acc *
day_alloc(struct ctx *c, int32_t n)
{
	size_t b = day_bytes(POOL_N);
	struct day_acc *a;

	if (n > POOL_N) {
		if ((a = malloc(day_bytes(n))) == NULL)
			return NULL;
		a->cap_n = n;
		a->pooled = false;
		return a;
	}
	if (c->chunk_at == NULL || (size_t)(c->chunk_end - c->chunk_at) < b) {
		void *blk;
		if (c->nchunks == c->chunk_cap) {
			size_t nc = c->chunk_cap ? c->chunk_cap * 2 : 16;
			void *p = realloc(c->chunks, nc * sizeof(*c->chunks));
			if (p == NULL)
				return NULL;
			c->chunks = p;
			c->chunk_cap = nc;
		}
		if ((blk = aligned_alloc(CHUNK_BYTES, CHUNK_BYTES)) == NULL)
			return NULL;
#ifdef MADV_HUGEPAGE
		(void)madvise(blk, CHUNK_BYTES, MADV_HUGEPAGE);
#endif
		c->chunks[c->nchunks++] = blk;
		c->chunk_at = blk;
		c->chunk_end = c->chunk_at + CHUNK_BYTES;
	}
	a = (struct day_acc *)(void *)c->chunk_at;
	c->chunk_at += b;
	a->cap_n = POOL_N;
	a->pooled = true;
	return a;
}

static void take_returned(struct ctx *c);

static struct day_acc *
day_get(struct ctx *c, size_t meter, int channel, int32_t day,
    int32_t interval_s, long line, struct br_error *err)
{
	struct open_day *slot;
	struct day_acc *a;
	const struct day_span *sp;
	uint64_t key;
	int32_t n;

	if (c->last != NULL && c->last->meter == meter &&
	    c->last->channel == channel && c->last->day == day)
		return c->last;
	if ((c->count + 1) * 2 > c->cap && day_table_grow(c, err) != 0)
		return NULL;
	key = day_key(meter, channel, day);
	slot = day_slot(c, key);
	if (slot->a != NULL)
		return c->last = slot->a;
	sp = day_span(c, day);
	n = (int32_t)((sp->end - sp->start) / interval_s);
	if (c->free_days == NULL && c->fl != NULL && c->fl->started)
		take_returned(c);
	if ((a = c->free_days) != NULL && a->cap_n >= n)
		c->free_days = a->next_free;
	else if ((a = day_alloc(c, n)) == NULL) {
		nomem(err);
		return NULL;
	}
	a->meter = meter;
	a->channel = channel;
	a->day = day;
	a->interval_s = interval_s;
	a->n = n;
	a->start = sp->start;
	a->first_line = line;
	a->dups = 0;
	a->version[0] = '\0';
	a->sv = NULL;
	a->quality = (uint8_t *)(a->values + n);
	a->seen = a->quality + n;
	memset(a->values, 0, (size_t)n * sizeof(int64_t));
	memset(a->quality, BR_Q_MISSING, (size_t)n);
	memset(a->seen, 0, (size_t)n);
	slot->key = key;
	slot->a = a;
	c->count++;
	return c->last = a;
}

/* Make sure the merge scratch holds n slots. */
static int
scratch(struct ctx *c, int32_t n, struct br_error *err)
{
	void *v, *q, *b;

	if (n <= c->scratch_n)
		return 0;
	v = realloc(c->merge_vals, (size_t)n * sizeof(int64_t));
	if (v != NULL)
		c->merge_vals = v;
	q = realloc(c->merge_q, (size_t)n);
	if (q != NULL)
		c->merge_q = q;
	b = realloc(c->blob, (size_t)n * 8);
	if (b != NULL)
		c->blob = b;
	if (v == NULL || q == NULL || b == NULL)
		return nomem(err);
	c->scratch_n = n;
	return 0;
}

static void
span_add(long *count, int32_t *first, int32_t *last, long *line,
    int32_t day, long at_line)
{
	if (*count == 0 || day < *first)
		*first = day;
	if (*count == 0 || day > *last)
		*last = day;
	if (*count == 0 || at_line < *line)
		*line = at_line;
	(*count)++;
}

/* Write one open meter-day, merging with the stored row. */
static int
day_write(struct ctx *c, struct day_acc *a, struct br_error *err)
{
	const struct br_registry_meter *m = &c->reg->meters[a->meter];
	const char *sp = br_registry_install_sp(c->reg, m, a->day);
	const char *account = sp ? br_registry_account(c->reg, sp, a->day) :
	    NULL;
	int64_t version = 1;
	int32_t i;
	int rc;

	/* --shard: another shard's meter-day (no account: shard 1). */
	if (!br_shard_member(&c->st->shard, account))
		return 0;

	/* A day re-sent with an older source version does not replace. */
	if (a->version[0] != '\0') {
		sqlite3_bind_text(c->sel_ver, 1, m->meter_id, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(c->sel_ver, 2, a->channel);
		sqlite3_bind_int(c->sel_ver, 3, a->day);
		rc = sqlite3_step(c->sel_ver);
		if (rc == SQLITE_ROW && strcmp((const char *)
		    sqlite3_column_text(c->sel_ver, 0), a->version) > 0) {
			sqlite3_reset(c->sel_ver);
			c->res->stale++;
			return 0;
		}
		sqlite3_reset(c->sel_ver);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return br_store_fail(c->st, "read source version",
			    err);
	}
	if (account == NULL) {
		struct noacct_stat *na = &c->noacct[a->meter];
		span_add(&na->days, &na->first, &na->last, &na->line, a->day,
		    a->first_line);
	}
	if (a->dups > 0 && add_exc(c, "DUPLICATE_READ", account, m->meter_id,
	    a->day, a->first_line, err,
	    "%ld duplicate reads on channel %s, last kept", a->dups,
	    a->channel == BR_CHANNEL_RECEIVED ? "received" : "delivered") != 0)
		return -1;
	if (scratch(c, a->n, err) != 0)
		return -1;
	memcpy(c->merge_vals, a->values, (size_t)a->n * sizeof(int64_t));
	memcpy(c->merge_q, a->quality, (size_t)a->n);

	sqlite3_bind_text(c->sel_day, 1, m->meter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(c->sel_day, 2, a->channel);
	sqlite3_bind_int(c->sel_day, 3, a->day);
	rc = sqlite3_step(c->sel_day);
	if (rc == SQLITE_ROW) {
		int32_t old_is = sqlite3_column_int(c->sel_day, 0);
		int32_t old_n = sqlite3_column_int(c->sel_day, 1);
		const unsigned char *ov = sqlite3_column_blob(c->sel_day, 2);
		int ovlen = sqlite3_column_bytes(c->sel_day, 2);
		const unsigned char *oq = sqlite3_column_blob(c->sel_day, 3);
		int oqlen = sqlite3_column_bytes(c->sel_day, 3);
		int64_t old_file = sqlite3_column_int64(c->sel_day, 4);
		int64_t old_version = sqlite3_column_int64(c->sel_day, 5);

		/*
		 * Same layout: keep old slots this file did not send, and
		 * old values where this file sends only "missing".
		 */
		if (old_is == a->interval_s && old_n == a->n &&
		    ovlen == 8 * old_n && oqlen == old_n) {
			br_store_unpack_values(ov, old_n, c->merge_vals);
			for (i = 0; i < a->n; i++) {
				if (a->seen[i] && (!(a->quality[i] &
				    BR_Q_MISSING) || (oq[i] & BR_Q_MISSING))) {
					c->merge_vals[i] = a->values[i];
					c->merge_q[i] = a->quality[i];
				} else
					c->merge_q[i] = oq[i];
			}
		}
		version = old_version;
		if (old_file != c->file_id) {
			version = old_version + 1;
			sqlite3_bind_text(c->ins_repl, 1, m->meter_id, -1,
			    SQLITE_STATIC);
			sqlite3_bind_int(c->ins_repl, 2, a->channel);
			sqlite3_bind_int(c->ins_repl, 3, a->day);
			sqlite3_bind_int64(c->ins_repl, 4, old_file);
			sqlite3_bind_int64(c->ins_repl, 5, c->file_id);
			sqlite3_bind_int64(c->ins_repl, 6, old_version);
			rc = sqlite3_step(c->ins_repl);
			sqlite3_reset(c->ins_repl);
			if (rc != SQLITE_DONE) {
				sqlite3_reset(c->sel_day);
				return br_store_fail(c->st,
				    "record replacement", err);
			}
			c->res->replaced++;
		}
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(c->sel_day);
		return br_store_fail(c->st, "read interval day", err);
	}
	sqlite3_reset(c->sel_day);

	br_store_pack_values(c->merge_vals, a->n, c->blob);
	sqlite3_bind_text(c->put_day, 1, m->meter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(c->put_day, 2, a->channel);
	sqlite3_bind_int(c->put_day, 3, a->day);
	sqlite3_bind_int(c->put_day, 4, a->interval_s);
	sqlite3_bind_int(c->put_day, 5, a->n);
	sqlite3_bind_blob(c->put_day, 6, c->blob, 8 * a->n, SQLITE_STATIC);
	sqlite3_bind_blob(c->put_day, 7, c->merge_q, a->n, SQLITE_STATIC);
	sqlite3_bind_int64(c->put_day, 8, c->file_id);
	sqlite3_bind_int64(c->put_day, 9, version);
	rc = sqlite3_step(c->put_day);
	sqlite3_reset(c->put_day);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "write interval day", err);
	if (a->version[0] != '\0') {
		sqlite3_bind_text(c->put_ver, 1, m->meter_id, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(c->put_ver, 2, a->channel);
		sqlite3_bind_int(c->put_ver, 3, a->day);
		sqlite3_bind_text(c->put_ver, 4, a->version, -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(c->put_ver);
		sqlite3_reset(c->put_ver);
		if (rc != SQLITE_DONE)
			return br_store_fail(c->st, "write source version",
			    err);
	}
	c->res->days++;
	return 0;
}

static int
cmp_open_day(const void *a_, const void *b_)
{
	const struct open_day *a = a_, *b = b_;

	return a->key < b->key ? -1 : a->key > b->key;
}

/* Sort the batch od[0..k) by key and write it; stops at the first error. */
static int
write_batch(struct ctx *c, struct open_day *od, size_t k,
    struct br_error *err)
{
	size_t i;

	if (k > 1)
		qsort(od, k, sizeof(*od), cmp_open_day);
	for (i = 0; i < k; i++)
		if (day_write(c, od[i].a, err) != 0)
			return -1;
	return 0;
}

/* Hand the written days from to .. (linked by next_free) to the parser. */
static void
return_days(struct flusher *fl, struct day_acc *from, struct day_acc *to)
{
	if (from == NULL)
		return;
	pthread_mutex_lock(&fl->mu);
	to->next_free = fl->returned;
	fl->returned = from;
	pthread_mutex_unlock(&fl->mu);
}

#define RETURN_DAYS 256		/* days the writer returns at a time */

/* write_batch on the writer thread, returning the days as it goes. */
static int
write_batch_returning(struct ctx *c, struct flusher *fl,
    struct br_error *err)
{
	struct open_day *od = fl->batch;
	struct day_acc *head = NULL, *tail = NULL;
	size_t i, k = fl->nbatch, n = 0;
	int rc = 0;

	if (k > 1)
		qsort(od, k, sizeof(*od), cmp_open_day);
	for (i = 0; i < k; i++) {
		struct day_acc *a = od[i].a;
		if ((rc = day_write(c, a, err)) != 0)
			break;
		free(a->sv);
		a->sv = NULL;
		a->next_free = head;
		head = a;
		if (tail == NULL)
			tail = a;
		od[i].a = NULL;
		if (++n == RETURN_DAYS) {
			return_days(fl, head, tail);
			head = tail = NULL;
			n = 0;
		}
	}
	return_days(fl, head, tail);
	return rc;
}

/* Take the days the writer has returned so far (parser). */
static void
take_returned(struct ctx *c)
{
	struct flusher *fl = c->fl;
	struct day_acc *a, *last;

	pthread_mutex_lock(&fl->mu);
	a = fl->returned;
	fl->returned = NULL;
	pthread_mutex_unlock(&fl->mu);
	if (a == NULL)
		return;
	for (last = a; last->next_free != NULL; last = last->next_free)
		;
	last->next_free = c->free_days;
	c->free_days = a;
}

/* Give the written batch's day buffers back to the free list. */
static void
reclaim_days(struct ctx *c, struct open_day *od, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		struct day_acc *a = od[i].a;
		if (a == NULL)
			continue;	/* returned by the writer */
		free(a->sv);
		a->sv = NULL;
		a->next_free = c->free_days;
		c->free_days = a;
		od[i].a = NULL;
	}
}

/* Move the open days to dst[0..k) (dst may be c->slots); empty the table. */
static size_t
take_days(struct ctx *c, struct open_day *dst)
{
	size_t i, k = 0;

	for (i = 0; i < c->cap; i++)
		if (c->slots[i].a != NULL) {
			struct open_day od = c->slots[i];
			c->slots[i].a = NULL;
			dst[k++] = od;
		}
	c->count = 0;
	c->last = NULL;
	return k;
}

static void *
flusher_main(void *arg)
{
	struct ctx *c = arg;
	struct flusher *fl = c->fl;
	int rc;

	pthread_mutex_lock(&fl->mu);
	for (;;) {
		while (!fl->busy && !fl->quit)
			pthread_cond_wait(&fl->cv, &fl->mu);
		if (!fl->busy)
			break;
		pthread_mutex_unlock(&fl->mu);
		br_error_clear(&fl->err);
		rc = write_batch_returning(c, fl, &fl->err);
		pthread_mutex_lock(&fl->mu);
		fl->rc = rc;
		fl->busy = false;
		pthread_cond_broadcast(&fl->cv);
	}
	pthread_mutex_unlock(&fl->mu);
	return NULL;
}

/*
 * Wait until the writer has written the batch it holds (if any) and
 * reclaim its days.  The batch's error becomes this call's, placed where
 * the parser was when it handed the batch over (as a flush inline there
 * would have reported it).
 */
static int
flusher_wait(struct ctx *c, struct br_error *err)
{
	struct flusher *fl = c->fl;

	if (fl == NULL || !fl->started)
		return 0;
	pthread_mutex_lock(&fl->mu);
	while (fl->busy)
		pthread_cond_wait(&fl->cv, &fl->mu);
	pthread_mutex_unlock(&fl->mu);
	take_returned(c);
	reclaim_days(c, fl->batch, fl->nbatch);
	fl->nbatch = 0;
	if (fl->rc != 0) {
		fl->rc = 0;
		if (err != NULL) {
			*err = fl->err;
			if (err->file[0] == '\0' && fl->file[0] != '\0') {
				snprintf(err->file, sizeof(err->file), "%s",
				    fl->file);
				err->line = fl->line;
			}
		}
		return -1;
	}
	return 0;
}

/* Wait for the writer (errors dropped: the caller has one) and end it. */
static void
flusher_stop(struct ctx *c)
{
	struct flusher *fl = c->fl;

	if (fl == NULL)
		return;
	if (fl->started) {
		(void)flusher_wait(c, NULL);
		pthread_mutex_lock(&fl->mu);
		fl->quit = true;
		pthread_cond_broadcast(&fl->cv);
		pthread_mutex_unlock(&fl->mu);
		pthread_join(fl->thread, NULL);
		pthread_cond_destroy(&fl->cv);
		pthread_mutex_destroy(&fl->mu);
	}
	free(fl->batch);
	free(fl);
	c->fl = NULL;
}

/* Write every open day (in key order) and empty the table. */
static int
flush_days(struct ctx *c, struct br_error *err)
{
	size_t k;
	int rc;

	if (flusher_wait(c, err) != 0)
		return -1;
	k = take_days(c, c->slots);
	rc = write_batch(c, c->slots, k, err);
	reclaim_days(c, c->slots, k);
	return rc;
}

/*
 * Start the writer thread (once per file).  Returns false when batches
 * are to be written inline: threads not wanted or not available.
 */
static bool
flusher_start(struct ctx *c)
{
	struct flusher *fl;

	if (c->fl != NULL)
		return c->fl->started;
	if ((fl = calloc(1, sizeof(*fl))) == NULL)
		return false;
	c->fl = fl;
	if (c->o->no_writer_thread || !sqlite3_threadsafe())
		return false;
	if (pthread_mutex_init(&fl->mu, NULL) != 0)
		return false;
	if (pthread_cond_init(&fl->cv, NULL) != 0) {
		pthread_mutex_destroy(&fl->mu);
		return false;
	}
	if (pthread_create(&fl->thread, NULL, flusher_main, c) != 0) {
		pthread_cond_destroy(&fl->cv);
		pthread_mutex_destroy(&fl->mu);
		return false;
	}
	fl->started = true;
	return true;
}

/*
 * The open-day table is full at record rec: hand its days to the writer
 * (after the previous batch is written) and go on parsing into the
 * emptied table; without the writer, write them here.
 */
static int
flush_days_async(struct ctx *c, const struct br_csv_record *rec,
    struct br_error *err)
{
	struct flusher *fl;

	if (!flusher_start(c))
		return flush_days(c, err);
	fl = c->fl;
	if (flusher_wait(c, err) != 0)
		return -1;
	if (fl->batch_cap < c->count) {
		void *p = realloc(fl->batch, c->count * sizeof(*fl->batch));
		if (p == NULL)
			return flush_days(c, err);
		fl->batch = p;
		fl->batch_cap = c->count;
	}
	fl->nbatch = take_days(c, fl->batch);
	snprintf(fl->file, sizeof(fl->file), "%s", rec->file);
	fl->line = rec->line;
	pthread_mutex_lock(&fl->mu);
	fl->busy = true;
	pthread_cond_broadcast(&fl->cv);
	pthread_mutex_unlock(&fl->mu);
	return 0;
}

static void
free_days(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++)
		if (c->slots[i].a != NULL) {
			free(c->slots[i].a->sv);
			if (!c->slots[i].a->pooled)
				free(c->slots[i].a);
		}
	free(c->slots);
	c->slots = NULL;
	c->cap = c->count = 0;
	c->last = NULL;
	while (c->free_days != NULL) {
		struct day_acc *a = c->free_days;
		c->free_days = a->next_free;
		if (!a->pooled)
			free(a);
	}
	for (i = 0; i < c->nchunks; i++)
		free(c->chunks[i]);
	free(c->chunks);
	c->chunks = NULL;
	c->nchunks = c->chunk_cap = 0;
	c->chunk_at = c->chunk_end = NULL;
}

/*
 * Local day of UTC instant t: the day whose [start, next day's start)
 * holds t.  Rows come in time order, so the current day or one near it
 * (counted from the current day in 24-hour steps, then one either side
 * for DST) usually holds t; the spans are cached.
 */
static int32_t
local_day(struct ctx *c, int64_t t)
{
	const struct day_span *sp;
	int32_t d;
	int k;

	if (t >= c->cur_start && t < c->cur_end)
		return c->cur_day;
	if (c->cur_end > c->cur_start) {
		d = c->cur_day + (int32_t)br_floor_div(t - c->cur_start, 86400);
		for (k = 0; k < 3; k++) {
			sp = day_span(c, d + (k == 0 ? 0 : k == 1 ? -1 : 1));
			if (t >= sp->start && t < sp->end)
				goto found;
		}
	}
	/* The wall-clock day; after a fall-back across midnight the
	 * repeated hour lies in the next day's span. */
	d = br_tz_local_day(c->tz, t);
	for (k = 0; k < 3; k++) {
		sp = day_span(c, d + (k == 0 ? 0 : k == 1 ? 1 : -1));
		if (t >= sp->start && t < sp->end)
			goto found;
	}
	sp = day_span(c, d);
found:
	c->cur_day = sp->day;
	c->cur_start = sp->start;
	c->cur_end = sp->end;
	return c->cur_day;
}

/* Row parsing. */

static int
bad_field(const struct ctx *c, const struct br_csv_record *rec, int col,
    const char *what, struct br_error *err)
{
	return br_error_set(err, BR_EINPUT, rec->file, rec->line,
	    "%s '%s' in column '%s'", what, br_csv_field(rec, c->col[col]),
	    c->names[col]);
}

static int
on_header(struct ctx *c, const struct br_csv_record *rec,
    struct br_error *err)
{
	const struct br_vendor_map *vm = c->o->vendor;
	int i;

	for (i = 0; i < NCOLS; i++)
		c->names[i] = col_names[i];
	if (c->fmt == BR_FMT_VENDOR) {
		c->names[COL_METER] = vm->col_meter;
		c->names[COL_START] = vm->col_time;
		c->names[COL_VALUE] = vm->col_value;
		c->names[COL_MINUTES] = NULL;
		c->names[COL_CHANNEL] = vm->col_channel;
		c->names[COL_UNIT] = vm->col_unit;
		c->names[COL_QUALITY] = vm->col_quality;
	}
	for (i = 0; i < NCOLS; i++) {
		c->col[i] = c->names[i] && c->names[i][0] ?
		    br_csv_column(rec, c->names[i]) : -1;
		if (c->col[i] < 0 && (i <= COL_VALUE || (c->fmt ==
		    BR_FMT_VENDOR && c->names[i] && c->names[i][0])))
			return br_error_set(err, BR_EINPUT, rec->file,
			    rec->line, "missing column '%s'", c->names[i]);
	}
	return 0;
}

static long
unknown_find(struct ctx *c, const char *id, long line, struct br_error *err)
{
	size_t i;
	struct unknown_meter *u;

	for (i = 0; i < c->nunknown; i++)
		if (strcmp(c->unknown[i].id, id) == 0)
			return (long)i;
	if (c->nunknown == c->unknown_cap) {
		size_t nc = c->unknown_cap ? c->unknown_cap * 2 : 8;
		void *p = realloc(c->unknown, nc * sizeof(*c->unknown));
		if (p == NULL) {
			nomem(err);
			return -2;
		}
		c->unknown = p;
		c->unknown_cap = nc;
	}
	u = &c->unknown[c->nunknown];
	if ((u->id = strdup(id)) == NULL) {
		nomem(err);
		return -2;
	}
	u->rows = 0;
	u->first_line = line;
	u->first_day = INT32_MIN;
	return (long)c->nunknown++;
}

/*
 * Value in milli-units of the meter's unit times the multiplier:
 * v (milli of the sent unit) * size(sent) / size(meter's) *
 * multiplier_milli / 1000, rounded half-up once.  Returns -2 when the
 * units do not convert, -1 on overflow.
 */
static int
convert_value(int64_t v, const char *unit, const struct br_registry_meter *m,
    int64_t mult_milli, int64_t *out)
{
	int64_t num, den = 1000;

	if (unit[0] != '\0' && strcasecmp(unit, m->unit) != 0) {
		int64_t to_size;
		int rc = br_unit_ratio(br_unit_find(unit),
		    br_unit_find(m->unit), v, &v, &to_size);
		if (rc != 0)
			return rc;
		den *= to_size;
	}
	if (__builtin_mul_overflow(v, mult_milli, &num))
		return -1;
	if (num == den * v) {		/* multiplier 1, same unit: exact */
		*out = v;
		return 0;
	}
	*out = br_div_round(num, den, BR_ROUND_HALF_UP);
	return 0;
}

/* strcmp(a, b) == 0 for short ids, inline. */
static inline bool
same_id(const char *a, const char *b)
{
	for (; *a == *b; a++, b++)
		if (*a == '\0')
			return true;
	return false;
}

/*
 * Meter index of id (cached for runs of rows of one meter): >= 0 a
 * registry meter, < -1 - k the k-th unknown meter; -2 - ... never: on
 * error returns LONG_MIN with err.
 */
static long
meter_lookup(struct ctx *c, const char *id, long line, struct br_error *err)
{
	const struct br_registry_meter *m;
	long mi;

	if (c->last_id != NULL && same_id(c->last_id, id))
		return c->last_meter;
	m = br_registry_meter_find(c->reg, id);
	if (m != NULL) {
		mi = (long)(m - c->reg->meters);
		c->last_id = m->meter_id;
	} else {
		long u = unknown_find(c, id, line, err);
		if (u < -1)
			return LONG_MIN;
		mi = -1 - u;
		c->last_id = c->unknown[u].id;
	}
	c->last_meter = mi;
	return mi;
}

/*
 * Is meter mi installed on local day?  Counts reads outside every install
 * window (after the last removal: REMOVED_METER, else OUTSIDE_INSTALL) and
 * reads on a day two install windows cover (DUPLICATE_METER: the meter id
 * is on two service points at once; the latest install is used).
 */
static bool
install_check(struct ctx *c, long mi, int32_t day, long line)
{
	const struct br_registry_meter *m = &c->reg->meters[mi];
	struct meter_stat *ms = &c->mstat[mi];
	size_t i, hits = 0;
	int32_t last_to = INT32_MIN;

	if (m->ninstalls == 1) {
		const struct br_registry_install *in =
		    &c->reg->installs[m->first_install];
		if (in->from_day <= day && day <= in->to_day)
			return true;
		last_to = in->to_day;
	} else {
		for (i = 0; i < m->ninstalls; i++) {
			const struct br_registry_install *in =
			    &c->reg->installs[m->first_install + i];
			if (in->from_day <= day && day <= in->to_day)
				hits++;
			if (in->to_day > last_to)
				last_to = in->to_day;
		}
		if (hits > 1)
			span_add(&ms->dupinst_rows, &ms->dupinst_first,
			    &ms->dupinst_last, &ms->dupinst_line, day, line);
		if (hits > 0)
			return true;
	}
	if (m->ninstalls > 0 && last_to != BR_REGISTRY_OPEN_END &&
	    day > last_to)
		span_add(&ms->removed_rows, &ms->removed_first,
		    &ms->removed_last, &ms->removed_line, day, line);
	else
		span_add(&ms->outside_rows, &ms->outside_first,
		    &ms->outside_last, &ms->outside_line, day, line);
	return false;
}

static int
on_row(struct ctx *c, const struct br_csv_record *rec, struct br_error *err)
{
	const char *id = br_csv_field(rec, c->col[COL_METER]);
	const char *stamp = br_csv_field(rec, c->col[COL_START]);
	const char *value = br_csv_field(rec, c->col[COL_VALUE]);
	const char *minutes = br_csv_field(rec, c->col[COL_MINUTES]);
	const char *channel_s = br_csv_field(rec, c->col[COL_CHANNEL]);
	const char *unit = br_csv_field(rec, c->col[COL_UNIT]);
	const char *quality_s = br_csv_field(rec, c->col[COL_QUALITY]);
	const struct br_registry_meter *m = NULL;
	struct day_acc *a;
	int64_t secs, t, t_later = 0, v = 0, stored = 0, idx;
	int32_t interval_s = 900, day;
	int channel = BR_CHANNEL_DELIVERED, rc;
	uint8_t quality = BR_Q_ACTUAL;
	bool has_zone, ambiguous = false, missing = false;
	const struct br_vendor_map *vm = c->fmt == BR_FMT_VENDOR ?
	    c->o->vendor : NULL;
	int64_t mult;
	char qv[2] = "";
	long mi;

	c->rows++;
	if (vm != NULL) {
		/* Vendor spellings to ours; fixed interval and unit. */
		interval_s = vm->interval_minutes * 60;
		unit = c->col[COL_UNIT] >= 0 ? br_vendor_unit(vm, unit) :
		    vm->unit;
		if (br_vendor_quality(vm, quality_s, qv) != 0)
			return bad_field(c, rec, COL_QUALITY,
			    "quality code not in the mapping", err);
		quality_s = qv;
	}
	if (id[0] == '\0')
		return br_error_set(err, BR_EINPUT, rec->file, rec->line,
		    "empty column 'meter_id'");
	if (br_time_parse_cached(&c->tcache, stamp, strlen(stamp), &secs,
	    &has_zone) != 0)
		return bad_field(c, rec, COL_START, "bad timestamp", err);
	if (vm != NULL && vm->snap) {
		/* Nearest boundary: "00:59" hour-ending is 01:00. */
		int64_t is = vm->interval_minutes * 60;
		secs = br_floor_div(secs + is / 2, is) * is;
	}
	if (minutes[0] != '\0') {
		int64_t mins;
		if (br_decimal_parse(minutes, (size_t)-1, 0, &mins) != 0 ||
		    mins <= 0 || mins > 60 || 60 % mins != 0)
			return bad_field(c, rec, COL_MINUTES,
			    "bad interval length", err);
		interval_s = (int32_t)mins * 60;
	}
	if (channel_s[0] == '\0' || strcasecmp(channel_s, "delivered") == 0)
		channel = BR_CHANNEL_DELIVERED;
	else if (strcasecmp(channel_s, "received") == 0)
		channel = BR_CHANNEL_RECEIVED;
	else
		return bad_field(c, rec, COL_CHANNEL, "bad channel", err);
	if (quality_s[0] == '\0' || strcmp(quality_s, "A") == 0)
		quality = BR_Q_ACTUAL;
	else if (strcmp(quality_s, "E") == 0)
		quality = BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE);
	else if (strcmp(quality_s, "M") == 0)
		missing = true;
	else
		return bad_field(c, rec, COL_QUALITY, "bad quality", err);
	if (value[0] == '\0')
		missing = true;
	else if (br_decimal_parse(value, (size_t)-1, 3, &v) != 0)
		return bad_field(c, rec, COL_VALUE, "bad value", err);

	/* Which meter (rows usually come grouped by meter). */
	if ((mi = meter_lookup(c, id, rec->line, err)) == LONG_MIN)
		return -1;

	/* UTC instant of the interval start. */
	if (has_zone)
		t = secs;
	else {
		rc = br_tz_local_to_utc(c->stz, secs, false, &t);
		if (rc < 0)
			return bad_field(c, rec, COL_START,
			    "nonexistent local time", err);
		if (rc == 1) {
			ambiguous = true;
			br_tz_local_to_utc(c->stz, secs, true, &t_later);
		}
	}
	if (c->o->interval_ending) {
		t -= interval_s;
		t_later -= interval_s;
	}
	day = local_day(c, t);

	if (mi < 0) {
		struct unknown_meter *u = &c->unknown[-1 - mi];
		if (u->rows++ == 0)
			u->first_day = day;
		return 0;
	}
	m = &c->reg->meters[mi];
	if (!install_check(c, mi, day, rec->line))
		return 0;
	if (!missing) {
		mult = vm != NULL && vm->has_multiplier ? vm->multiplier_milli :
		    m->multiplier_milli;
		rc = convert_value(v, unit, m, mult, &stored);
		if (rc == -2)
			return bad_field(c, rec, COL_UNIT,
			    "unit does not match the meter's", err);
		if (rc < 0)
			return bad_field(c, rec, COL_VALUE, "value too large",
			    err);
	}

	if ((a = day_get(c, (size_t)mi, channel, day, interval_s, rec->line,
	    err)) == NULL)
		return -1;
	if (a->interval_s != interval_s)
		return bad_field(c, rec, COL_MINUTES,
		    "inconsistent interval length", err);
	if ((t - a->start) % interval_s != 0)
		return bad_field(c, rec, COL_START,
		    "interval start off the interval grid", err);
	idx = (t - a->start) / interval_s;
	if (ambiguous && a->seen[idx]) {
		/* Second occurrence of a fall-back wall time: standard time. */
		t = t_later;
		day = local_day(c, t);
		if ((a = day_get(c, (size_t)mi, channel, day, interval_s,
		    rec->line, err)) == NULL)
			return -1;
		idx = (t - a->start) / interval_s;
	}
	if (a->seen[idx])
		a->dups++;
	a->seen[idx] = 1;
	a->values[idx] = missing ? 0 : stored;
	a->quality[idx] = missing ? (uint8_t)BR_Q_MISSING : quality;
	if ((long)c->count >= c->max_days)
		return flush_days_async(c, rec, err);
	return 0;
}

static int
on_record(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct ctx *c = ctx;

	if (rec->index == 0)
		return on_header(c, rec, err);
	return on_row(c, rec, err);
}

/*
 * Is an AMI stream the first of its direction, which may fall back to the
 * NMI and the serial?  NEM12 suffix digit 1 (E1, B1); NEM13 numeric
 * suffix "11" (first meter, first register: "41" ... need NMI-SUFFIX).
 */
static bool
first_stream(const char *suffix)
{
	if (suffix[0] >= '0' && suffix[0] <= '9')
		return strcmp(suffix, "11") == 0;
	return suffix[1] == '1';
}

/*
 * Registry meter of an AMI run or register read.  NEM12/NEM13
 * (docs/ami-import.md, "Meter matching"): "NMI-SUFFIX" (e.g.
 * NEM1210184-E2) when the registry has it; else, for the first data
 * stream of a direction (first_stream), the NMI, then the
 * MeterSerialNumber.  Other suffixes (E2 controlled load ...) never fall
 * back to the NMI: they would overwrite the E1 data of the same channel.
 * CMEP: the Meter ID, then field 5.  An unknown meter is recorded under
 * the first id tried.
 */
static long
ami_meter_of(struct ctx *c, const char *meter_id, const char *suffix,
    const char *serial, long line, struct br_error *err)
{
	const struct br_registry_meter *m;
	char key[80];
	bool nem = suffix[0] != '\0';
	long mi;

	if (nem)
		snprintf(key, sizeof(key), "%s-%s", meter_id, suffix);
	else
		snprintf(key, sizeof(key), "%s", meter_id);
	if (c->ami_mi != LONG_MIN && strcmp(c->ami_key, key) == 0)
		return c->ami_mi;
	if ((m = br_registry_meter_find(c->reg, key)) == NULL &&
	    (!nem || first_stream(suffix)) &&
	    (m = br_registry_meter_find(c->reg, meter_id)) == NULL &&
	    serial[0] != '\0')
		m = br_registry_meter_find(c->reg, serial);
	if (m != NULL)
		mi = (long)(m - c->reg->meters);
	else if (nem && first_stream(suffix))
		mi = meter_lookup(c, meter_id, line, err);
	else
		mi = meter_lookup(c, key, line, err);
	if (mi == LONG_MIN)
		return mi;
	snprintf(c->ami_key, sizeof(c->ami_key), "%s", key);
	c->ami_mi = mi;
	return mi;
}

static long
ami_meter(struct ctx *c, const struct br_ami_day *d, struct br_error *err)
{
	return ami_meter_of(c, d->meter_id, d->nmi_suffix, d->serial, d->line,
	    err);
}

/*
 * One run of intervals from a parser (NEM12 300 record, CMEP row): each
 * interval goes to the slot of its local day.  Values are engineering
 * values already (NEM12 includes the meter multiplier, CMEP applies its
 * Calculation Constant): only the unit is converted.
 */
static int
on_ami_day(void *ctx, const struct br_ami_day *d, struct br_error *err)
{
	struct ctx *c = ctx;
	const struct br_registry_meter *m;
	struct day_acc *a;
	int64_t stored, nv = 0;
	int32_t k, is = d->interval_s, checked_day = INT32_MIN;
	bool installed = false;
	const char *p;
	long mi;
	int rc;

	/* Source version as a number (14 digits: CCYYMMDDhhmmss). */
	for (p = d->version; *p >= '0' && *p <= '9' && nv < INT64_MAX / 100;
	    p++)
		nv = nv * 10 + (*p - '0');

	if (d->channel != BR_CHANNEL_DELIVERED &&
	    d->channel != BR_CHANNEL_RECEIVED) {
		c->res->other++;
		return 0;
	}
	c->rows += d->n;
	if (d->n <= 0)
		return 0;
	if (is <= 0 || 3600 % is != 0) {
		/* Daily or monthly bins (Green Button): not interval data
		 * for the day slots; counted and reported once per file. */
		if (c->coarse++ == 0) {
			c->coarse_line = d->line;
			c->coarse_s = is;
		}
		c->coarse_reads += d->n;
		return 0;
	}
	if ((mi = ami_meter(c, d, err)) == LONG_MIN)
		return -1;
	if (mi < 0) {
		struct unknown_meter *u = &c->unknown[-1 - mi];
		if (u->rows == 0)
			u->first_day = local_day(c, d->start_utc);
		u->rows += d->n;
		return 0;
	}
	m = &c->reg->meters[mi];
	if (convert_value(0, d->unit, m, 1000, &stored) == -2)
		return br_error_set(err, BR_EINPUT, d->file, d->line,
		    "unit '%s' of meter '%s' does not convert to the "
		    "registry unit '%s'", d->unit, d->meter_id, m->unit);
	for (k = 0; k < d->n; k++) {
		int64_t t = d->start_utc + (int64_t)k * is, idx;
		int32_t day = local_day(c, t);
		bool missing = (d->quality[k] & BR_Q_MISSING) != 0;

		if (day != checked_day) {
			checked_day = day;
			installed = install_check(c, mi, day, d->line);
		}
		if (!installed)
			continue;
		stored = 0;
		if (!missing) {
			rc = convert_value(d->values[k], d->unit, m, 1000,
			    &stored);
			if (rc < 0)
				return br_error_set(err, BR_EINPUT, d->file,
				    d->line, "interval %ld: value too large",
				    (long)k + 1);
		}
		if ((a = day_get(c, (size_t)mi, d->channel, day, is, d->line,
		    err)) == NULL)
			return -1;
		if (a->interval_s != is)
			return br_error_set(err, BR_EINPUT, d->file, d->line,
			    "interval length %ld min differs from an earlier "
			    "record of meter '%s' on the same day",
			    (long)is / 60, m->meter_id);
		if ((t - a->start) % is != 0)
			return br_error_set(err, BR_EINPUT, d->file, d->line,
			    "interval %ld starts off the %ld-minute grid",
			    (long)k + 1, (long)is / 60);
		if (nv > 0 && a->sv == NULL &&
		    (a->sv = calloc((size_t)a->n, sizeof(int64_t))) == NULL)
			return nomem(err);
		if (strcmp(d->version, a->version) > 0)
			snprintf(a->version, sizeof(a->version), "%s",
			    d->version);
		idx = (t - a->start) / is;
		/* A slot re-sent with a later version replaces, an older
		 * one is ignored, an equal one is a duplicate. */
		if (a->seen[idx] && a->sv != NULL) {
			if (nv < a->sv[idx])
				continue;
			if (nv == a->sv[idx])
				a->dups++;
		} else if (a->seen[idx])
			a->dups++;
		if (a->sv != NULL)
			a->sv[idx] = nv;
		a->seen[idx] = 1;
		a->values[idx] = stored;
		a->quality[idx] = missing ? (uint8_t)BR_Q_MISSING :
		    d->quality[k];
		if ((long)c->count >= c->max_days &&
		    flush_days(c, err) != 0)
			return -1;
	}
	return 0;
}

/* Register reads: NEM12 500, NEM13 250, CMEP ...REG triples. */

static int
cmp_reg(const void *a_, const void *b_)
{
	const struct reg_acc *a = a_, *b = b_;

	if (a->meter != b->meter)
		return a->meter < b->meter ? -1 : 1;
	if (a->channel != b->channel)
		return a->channel < b->channel ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * Write one register read (the one this file keeps for its meter,
 * channel and instant; dups: other reads of that key in this file with
 * the same version).  A stored read of another file is replaced unless
 * its source version is newer, and the replacement is recorded in
 * register_replacement (version + 1); an identical read changes nothing.
 */
static int
reg_write(struct ctx *c, const struct reg_acc *r, long dups,
    struct br_error *err)
{
	const struct br_registry_meter *m = &c->reg->meters[r->meter];
	int32_t day = local_day(c, r->t);
	const char *sp = br_registry_install_sp(c->reg, m, day);
	const char *account = sp ? br_registry_account(c->reg, sp, day) :
	    NULL;
	const char *chan = r->channel == BR_CHANNEL_RECEIVED ? "received" :
	    "delivered";
	char sv[32], stamp[24];
	int64_t version = 1;
	int rc;

	if (!br_shard_member(&c->st->shard, account))
		return 0;
	br_time_format_utc(r->t, stamp, sizeof(stamp));
	if (dups > 0 && add_exc(c, "DUPLICATE_READ", account, m->meter_id,
	    day, r->line, err, "%ld duplicate register reads on channel %s "
	    "at %s, last kept", dups, chan, stamp) != 0)
		return -1;
	snprintf(sv, sizeof(sv), "%s", r->version);
	sqlite3_bind_text(c->sel_reg, 1, m->meter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(c->sel_reg, 2, r->channel);
	sqlite3_bind_int64(c->sel_reg, 3, r->t);
	rc = sqlite3_step(c->sel_reg);
	if (rc == SQLITE_ROW) {
		int64_t ov = sqlite3_column_int64(c->sel_reg, 0);
		int oq = sqlite3_column_int(c->sel_reg, 1);
		int64_t ofile = sqlite3_column_int64(c->sel_reg, 2);
		const unsigned char *osv = sqlite3_column_text(c->sel_reg, 3);
		int64_t over = sqlite3_column_int64(c->sel_reg, 4);
		char old_sv[32];

		snprintf(old_sv, sizeof(old_sv), "%s",
		    osv ? (const char *)osv : "");
		sqlite3_reset(c->sel_reg);
		version = over;
		/* Written by this file before a flush: an echo of a previous
		 * read never overwrites it. */
		if (ofile == c->file_id && r->echo)
			return 0;
		if (ofile != c->file_id) {
			if (sv[0] != '\0' && strcmp(old_sv, sv) > 0) {
				c->res->reg_stale++;
				return 0;
			}
			if (ov == r->value && oq == r->quality &&
			    strcmp(old_sv, sv) >= 0)
				return 0;	/* the same read again */
			if (sv[0] == '\0' || strcmp(old_sv, sv) > 0)
				snprintf(sv, sizeof(sv), "%s", old_sv);
			if (ov != r->value || oq != r->quality) {
				version = over + 1;
				sqlite3_bind_text(c->ins_reg_repl, 1,
				    m->meter_id, -1, SQLITE_STATIC);
				sqlite3_bind_int(c->ins_reg_repl, 2,
				    r->channel);
				sqlite3_bind_int64(c->ins_reg_repl, 3, r->t);
				sqlite3_bind_int64(c->ins_reg_repl, 4, ofile);
				sqlite3_bind_int64(c->ins_reg_repl, 5,
				    c->file_id);
				sqlite3_bind_int64(c->ins_reg_repl, 6, over);
				sqlite3_bind_int64(c->ins_reg_repl, 7, ov);
				sqlite3_bind_int(c->ins_reg_repl, 8, oq);
				rc = sqlite3_step(c->ins_reg_repl);
				sqlite3_reset(c->ins_reg_repl);
				if (rc != SQLITE_DONE)
					return br_store_fail(c->st,
					    "record register replacement",
					    err);
				c->res->reg_replaced++;
			} else {
				/* Same read, newer version: keep the
				 * row, remember the version. */
				sqlite3_stmt *u = c->put_reg;
				sqlite3_bind_text(u, 1, m->meter_id, -1,
				    SQLITE_STATIC);
				sqlite3_bind_int(u, 2, r->channel);
				sqlite3_bind_int64(u, 3, r->t);
				sqlite3_bind_int64(u, 4, ov);
				sqlite3_bind_int64(u, 5, ofile);
				sqlite3_bind_int(u, 6, oq);
				sqlite3_bind_text(u, 7, sv, -1, SQLITE_STATIC);
				sqlite3_bind_int64(u, 8, over);
				rc = sqlite3_step(u);
				sqlite3_reset(u);
				if (rc != SQLITE_DONE)
					return br_store_fail(c->st,
					    "write register read", err);
				return 0;
			}
		}
	} else {
		sqlite3_reset(c->sel_reg);
		if (rc != SQLITE_DONE)
			return br_store_fail(c->st, "read register_read", err);
	}
	sqlite3_bind_text(c->put_reg, 1, m->meter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(c->put_reg, 2, r->channel);
	sqlite3_bind_int64(c->put_reg, 3, r->t);
	sqlite3_bind_int64(c->put_reg, 4, r->value);
	sqlite3_bind_int64(c->put_reg, 5, c->file_id);
	sqlite3_bind_int(c->put_reg, 6, r->quality);
	sqlite3_bind_text(c->put_reg, 7, sv, -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->put_reg, 8, version);
	rc = sqlite3_step(c->put_reg);
	sqlite3_reset(c->put_reg);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "write register read", err);
	c->res->registers++;
	return 0;
}

/*
 * Write the register reads collected so far, in key order.  Several
 * reads of one meter, channel and instant in the file: the highest
 * source version wins; at equal versions a current read beats a NEM13
 * previous-read echo, and of two current reads the last is kept (a
 * DUPLICATE_READ).
 */
static int
flush_regs(struct ctx *c, struct br_error *err)
{
	size_t i, j;

	if (flusher_wait(c, err) != 0)
		return -1;
	if (c->nregs > 1)
		qsort(c->regs, c->nregs, sizeof(*c->regs), cmp_reg);
	for (i = 0; i < c->nregs; i = j) {
		const struct reg_acc *best = &c->regs[i];
		long dups = 0;

		for (j = i + 1; j < c->nregs && c->regs[j].meter ==
		    best->meter && c->regs[j].channel == best->channel &&
		    c->regs[j].t == best->t; j++) {
			const struct reg_acc *x = &c->regs[j];
			int v = strcmp(x->version, best->version);

			if (v < 0 || (v == 0 && x->echo && !best->echo))
				continue;
			if (v == 0 && !x->echo && !best->echo)
				dups++;
			best = x;
		}
		if (reg_write(c, best, dups, err) != 0)
			return -1;
	}
	c->nregs = 0;
	return 0;
}

/* Queue one register read of registry meter mi. */
static int
reg_add(struct ctx *c, long mi, const struct br_ami_register *r, int64_t t,
    int64_t v, uint8_t q, bool echo, struct br_error *err)
{
	const struct br_registry_meter *m = &c->reg->meters[mi];
	struct reg_acc *a;
	int64_t stored, mult;
	int rc;

	if (q & BR_Q_MISSING)
		return 0;	/* a no-read placeholder: nothing to keep */
	if (!install_check(c, mi, local_day(c, t), r->line))
		return 0;
	/* Register dials exclude the meter multiplier (MDFF); CMEP values
	 * already carry the row's Calculation Constant. */
	mult = c->fmt == BR_FMT_NEM12 ? m->multiplier_milli : 1000;
	rc = convert_value(v, r->unit, m, mult, &stored);
	if (rc < 0)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "%sregister read too large", echo ? "previous " : "");
	if (c->nregs == c->regs_cap) {
		size_t nc = c->regs_cap ? c->regs_cap * 2 : 64;
		void *p = realloc(c->regs, nc * sizeof(*c->regs));
		if (p == NULL)
			return nomem(err);
		c->regs = p;
		c->regs_cap = nc;
	}
	a = &c->regs[c->nregs++];
	a->meter = (size_t)mi;
	a->channel = r->channel;
	a->t = t;
	a->value = stored;
	a->quality = q;
	a->echo = echo;
	a->line = r->line;
	a->seq = c->reg_seq++;
	snprintf(a->version, sizeof(a->version), "%s", r->version);
	if (c->nregs >= MAX_OPEN_REGS)
		return flush_regs(c, err);
	return 0;
}

/*
 * One register read from a parser: matched to a registry meter like the
 * intervals, checked against the install windows (same exceptions),
 * converted to milli-units of the meter's unit.  A NEM13 record's
 * previous read is kept as a read of its own instant (CMEP's previous
 * triple is handed out on its own).
 */
static int
on_ami_register(void *ctx, const struct br_ami_register *r,
    struct br_error *err)
{
	struct ctx *c = ctx;
	int64_t probe;
	long mi;

	if (r->channel != BR_CHANNEL_DELIVERED &&
	    r->channel != BR_CHANNEL_RECEIVED) {
		c->res->other++;
		return 0;
	}
	c->rows++;
	if ((mi = ami_meter_of(c, r->meter_id, r->nmi_suffix, r->serial,
	    r->line, err)) == LONG_MIN)
		return -1;
	if (mi < 0) {
		struct unknown_meter *u = &c->unknown[-1 - mi];
		if (u->rows++ == 0)
			u->first_day = local_day(c, r->read_utc);
		return 0;
	}
	if (convert_value(0, r->unit, &c->reg->meters[mi], 1000, &probe) == -2)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "unit '%s' of register read of meter '%s' does not "
		    "convert to the registry unit '%s'", r->unit, r->meter_id,
		    c->reg->meters[mi].unit);
	/* NEM13 only: a CMEP row hands out each of its triples anyway. */
	if (c->fmt == BR_FMT_NEM12 && r->has_previous && reg_add(c, mi, r,
	    r->prev_utc, r->prev_milli, r->prev_quality, true, err) != 0)
		return -1;
	return reg_add(c, mi, r, r->read_utc, r->value_milli, r->quality,
	    false, err);
}

/* Aggregated per-meter exceptions of this file. */
static int
meter_exceptions(struct ctx *c, struct br_error *err)
{
	size_t i;
	char d1[11], d2[11];

	if (c->fmt == BR_FMT_NEM12 && (c->nem_flags & (BR_AMI_F_NO_HEADER |
	    BR_AMI_F_MULTI_BLOCK | BR_AMI_F_EMPTY_CONFIG |
	    BR_AMI_F_SHORT_RECORD)) != 0 && add_exc(c, "FORMAT_WARNING", NULL,
	    "", INT32_MIN, 1, err, "NEM12 file out of spec, accepted:%s%s%s%s",
	    (c->nem_flags & BR_AMI_F_NO_HEADER) ? " no 100 header;" : "",
	    (c->nem_flags & BR_AMI_F_MULTI_BLOCK) ?
	    " several 100..900 blocks (later blocks win);" : "",
	    (c->nem_flags & BR_AMI_F_EMPTY_CONFIG) ?
	    " empty NMIConfiguration;" : "",
	    (c->nem_flags & BR_AMI_F_SHORT_RECORD) ?
	    " 300 records without UpdateDateTime;" : "") != 0)
		return -1;
	if (c->fmt == BR_FMT_NEM12 && c->nem_version == 12 &&
	    c->nem_days == 0 && add_exc(c, "FORMAT_WARNING", NULL, "",
	    INT32_MIN, 1, err, "NEM12 file holds no interval data") != 0)
		return -1;
	if (c->coarse > 0 && add_exc(c, "FORMAT_WARNING", NULL, "",
	    INT32_MIN, c->coarse_line, err, "%ld readings in intervals that do "
	    "not divide an hour (first: %ld s), not stored", c->coarse_reads,
	    (long)c->coarse_s) != 0)
		return -1;
	for (i = 0; i < c->nunknown; i++) {
		const struct unknown_meter *u = &c->unknown[i];
		if (add_exc(c, "UNKNOWN_METER", NULL, u->id, u->first_day,
		    u->first_line, err, "%ld reads for a meter not in the "
		    "registry, not stored", u->rows) != 0)
			return -1;
	}
	for (i = 0; i < c->reg->nmeters; i++) {
		const struct meter_stat *ms = &c->mstat[i];
		const char *id = c->reg->meters[i].meter_id;
		if (ms->outside_rows > 0 && add_exc(c, "OUTSIDE_INSTALL",
		    NULL, id, ms->outside_first, ms->outside_line, err,
		    "%ld reads dated outside any install window (%s..%s), "
		    "not stored", ms->outside_rows,
		    br_date_format(ms->outside_first, d1, sizeof(d1)),
		    br_date_format(ms->outside_last, d2, sizeof(d2))) != 0)
			return -1;
		if (ms->removed_rows > 0 && add_exc(c, "REMOVED_METER",
		    NULL, id, ms->removed_first, ms->removed_line, err,
		    "%ld reads dated after the meter's removal (%s..%s), "
		    "not stored", ms->removed_rows,
		    br_date_format(ms->removed_first, d1, sizeof(d1)),
		    br_date_format(ms->removed_last, d2, sizeof(d2))) != 0)
			return -1;
		if (ms->dupinst_rows > 0 && add_exc(c, "DUPLICATE_METER",
		    NULL, id, ms->dupinst_first, ms->dupinst_line, err,
		    "%ld reads on days the meter is installed on two service "
		    "points (%s..%s), latest install used", ms->dupinst_rows,
		    br_date_format(ms->dupinst_first, d1, sizeof(d1)),
		    br_date_format(ms->dupinst_last, d2, sizeof(d2))) != 0)
			return -1;
		const struct noacct_stat *na = &c->noacct[i];
		if (na->days > 0 && add_exc(c, "NO_ACCOUNT", NULL, id,
		    na->first, na->line, err,
		    "%ld meter-days with no service agreement (%s..%s)",
		    na->days, br_date_format(na->first, d1, sizeof(d1)),
		    br_date_format(na->last, d2, sizeof(d2))) != 0)
			return -1;
	}
	return 0;
}

/* Insert the pending exceptions and move them to res with their ids. */
static int
store_exceptions(struct ctx *c, struct br_error *err)
{
	sqlite3_stmt *ins = NULL, *sel = NULL;
	size_t i;
	int rc = -1;

	if ((ins = br_store_prepare(c->st, "INSERT INTO exception(exc_id, "
	    "stage, code, severity, account_id, meter_id, date, detail, source, "
	    "line) VALUES(br_exc_id('import', ?1, ?3, ?4, ?5, ?6), 'import', "
	    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT DO NOTHING", err)) == NULL ||
	    (sel = br_store_prepare(c->st, "SELECT exc_id, severity, source, "
	    "line, status FROM exception WHERE stage = 'import' AND code = ?1 "
	    "AND account_id = ?2 AND meter_id = ?3 AND date = ?4 AND "
	    "detail = ?5", err)) == NULL)
		goto out;
	for (i = 0; i < c->nexc; i++) {
		struct br_import_exc *e = &c->exc[i];
		struct br_import_result *res = c->res;
		const unsigned char *txt;

		/* --shard: the exceptions without an account (meter and
		 * file level, counted over the whole file) go to shard 1. */
		if (!br_shard_member(&c->st->shard, e->account_id))
			continue;

		sqlite3_bind_text(ins, 1, e->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, e->severity, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, e->account_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, e->meter_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, e->date, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, e->detail, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 7, e->source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 8, e->line);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			br_store_fail(c->st, "write exception", err);
			goto out;
		}
		sqlite3_reset(ins);
		sqlite3_bind_text(sel, 1, e->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(sel, 2, e->account_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(sel, 3, e->meter_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(sel, 4, e->date, -1, SQLITE_STATIC);
		sqlite3_bind_text(sel, 5, e->detail, -1, SQLITE_STATIC);
		if (sqlite3_step(sel) != SQLITE_ROW) {
			br_store_fail(c->st, "read exception", err);
			goto out;
		}
		e->exc_id = sqlite3_column_int64(sel, 0);
		txt = sqlite3_column_text(sel, 1);
		snprintf(e->severity, sizeof(e->severity), "%s",
		    txt ? (const char *)txt : "");
		txt = sqlite3_column_text(sel, 2);
		snprintf(e->source, sizeof(e->source), "%s",
		    txt ? (const char *)txt : "");
		e->line = (long)sqlite3_column_int64(sel, 3);
		txt = sqlite3_column_text(sel, 4);
		snprintf(e->status, sizeof(e->status), "%s",
		    txt ? (const char *)txt : "");
		sqlite3_reset(sel);
		if (res->nexc == res->exc_cap) {
			size_t nc = res->exc_cap ? res->exc_cap * 2 : 16;
			void *p = realloc(res->exc, nc * sizeof(*res->exc));
			if (p == NULL) {
				nomem(err);
				goto out;
			}
			res->exc = p;
			res->exc_cap = nc;
		}
		res->exc[res->nexc++] = *e;
	}
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(sel);
	return rc;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	if (strcmp(path, "-") == 0)
		return "<stdin>";
	return s ? s + 1 : path;
}

static void
ctx_release(struct ctx *c)
{
	size_t i;

	flusher_stop(c);
	free_days(c);
	free(c->mstat);
	free(c->noacct);
	for (i = 0; i < c->nunknown; i++)
		free(c->unknown[i].id);
	free(c->unknown);
	free(c->exc);
	sqlite3_finalize(c->sel_day);
	sqlite3_finalize(c->put_day);
	sqlite3_finalize(c->ins_repl);
	sqlite3_finalize(c->sel_ver);
	sqlite3_finalize(c->put_ver);
	sqlite3_finalize(c->sel_reg);
	sqlite3_finalize(c->put_reg);
	sqlite3_finalize(c->ins_reg_repl);
	free(c->regs);
	free(c->merge_vals);
	free(c->merge_q);
	free(c->blob);
}

/* Import the file inside savepoint "br_import". */
static int
import_body(struct ctx *c, const char *path, int fmt, struct br_error *err)
{
	sqlite3_stmt *s;
	const char *format = br_import_format_name(fmt);
	char sha[65];
	int rc;

	if ((s = br_store_prepare(c->st, "INSERT INTO import_file(stage, "
	    "sha256, name, format) VALUES('import', '', ?1, ?2)", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, c->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, format, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "record import file", err);
	c->file_id = sqlite3_last_insert_rowid(c->st->db);

	if ((c->sel_day = br_store_prepare(c->st, "SELECT interval_s, n, "
	    "vals, quality, file_id, version FROM interval_day WHERE "
	    "meter_id = ?1 AND channel = ?2 AND day = ?3", err)) == NULL ||
	    (c->put_day = br_store_prepare(c->st, "INSERT INTO interval_day("
	    "meter_id, channel, day, interval_s, n, vals, quality, file_id, "
	    "version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT("
	    "meter_id, channel, day) DO UPDATE SET interval_s = "
	    "excluded.interval_s, n = excluded.n, vals = excluded.vals, "
	    "quality = excluded.quality, file_id = excluded.file_id, "
	    "version = excluded.version", err)) == NULL ||
	    (c->ins_repl = br_store_prepare(c->st, "INSERT INTO "
	    "interval_replacement(meter_id, channel, day, old_file_id, "
	    "new_file_id, old_version) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	    err)) == NULL ||
	    (c->sel_ver = br_store_prepare(c->st, "SELECT src_version FROM "
	    "interval_src_version WHERE meter_id = ?1 AND channel = ?2 AND "
	    "day = ?3", err)) == NULL ||
	    (c->put_ver = br_store_prepare(c->st, "INSERT INTO "
	    "interval_src_version(meter_id, channel, day, src_version) "
	    "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(meter_id, channel, day) DO "
	    "UPDATE SET src_version = excluded.src_version", err)) == NULL ||
	    (c->sel_reg = br_store_prepare(c->st, "SELECT value_milli, "
	    "quality, file_id, src_version, version FROM register_read WHERE "
	    "meter_id = ?1 AND channel = ?2 AND read_utc = ?3", err)) == NULL ||
	    (c->put_reg = br_store_prepare(c->st, "INSERT INTO register_read("
	    "meter_id, channel, read_utc, value_milli, file_id, quality, "
	    "src_version, version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT(meter_id, channel, read_utc) DO UPDATE SET "
	    "value_milli = excluded.value_milli, file_id = excluded.file_id, "
	    "quality = excluded.quality, src_version = excluded.src_version, "
	    "version = excluded.version", err)) == NULL ||
	    (c->ins_reg_repl = br_store_prepare(c->st, "INSERT INTO "
	    "register_replacement(meter_id, channel, read_utc, old_file_id, "
	    "new_file_id, old_version, old_value_milli, old_quality) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err)) == NULL)
		return -1;

	switch (fmt) {
	case BR_FMT_NEM12: {
		struct br_nem12_opts no;
		struct br_nem12_stats ns;
		memset(&no, 0, sizeof(no));
		memset(&ns, 0, sizeof(ns));
		no.has_offset = c->o->has_nem_offset != 0;
		no.utc_offset_s = c->o->nem_offset_s;
		rc = br_nem12_parse(path, &no, on_ami_day, on_ami_register, c,
		    sha, &ns, err);
		c->nem_flags = ns.flags;
		c->nem_days = ns.days;
		c->nem_version = ns.version;
		break;
	}
	case BR_FMT_CMEP: {
		struct br_cmep_opts co;
		memset(&co, 0, sizeof(co));
		co.tz = c->stz;
		co.interval_ending = c->o->interval_ending != 0;
		rc = br_cmep_parse(path, &co, on_ami_day, on_ami_register, c,
		    sha, NULL, err);
		break;
	}
	case BR_FMT_GREENBUTTON:
		rc = br_gb_parse(path, on_ami_day, c, sha, NULL, err);
		break;
	default:
		rc = br_csv_read(path, on_record, c, sha, err);
		break;
	}
	/* A batch still being written came before any error of the parse. */
	if (flusher_wait(c, err) != 0 || rc != 0)
		return -1;
	if (flush_days(c, err) != 0 || flush_regs(c, err) != 0)
		return -1;

	/* Already imported?  Then this whole file is a no-op. */
	if ((s = br_store_prepare(c->st, "SELECT 1 FROM import_file WHERE "
	    "stage = 'import' AND sha256 = ?1", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read import files", err);

	if (meter_exceptions(c, err) != 0)
		return -1;
	if ((s = br_store_prepare(c->st, "UPDATE import_file SET sha256 = ?1, "
	    "records = ?2 WHERE file_id = ?3", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, c->rows);
	sqlite3_bind_int64(s, 3, c->file_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "record import file", err);
	return store_exceptions(c, err);
}

static const char *const format_names[] = { "auto", "generic", "nem12",
	"cmep", "vendor", "greenbutton" };

const char *
br_import_format_name(int fmt)
{
	if (fmt < 0 || (size_t)fmt >= sizeof(format_names) /
	    sizeof(format_names[0]))
		return "?";
	return format_names[fmt];
}

int
br_import_format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(format_names[i], name) == 0)
			return (int)i;
	return -1;
}

int
br_import_detect(const char *path, struct br_error *err)
{
	struct br_input *in;
	char buf[512];
	const char *p, *end;
	long n;

	if (strcmp(path, "-") == 0)
		return BR_FMT_GENERIC;
	if ((in = br_input_open(path, err)) == NULL)
		return -1;
	n = br_input_read(in, buf, sizeof(buf) - 1, err);
	br_input_close(in);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	p = buf;
	end = buf + n;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && (*p == '\r' || *p == '\n' || *p == ' ' ||
	    *p == '\t'))
		p++;
	if (strncmp(p, "100,", 4) == 0 || strncmp(p, "200,", 4) == 0 ||
	    strncmp(p, "250,", 4) == 0)
		return BR_FMT_NEM12;
	if (strncmp(p, "MEPMD01,", 8) == 0 || strncmp(p, "MEPMD02,", 8) == 0)
		return BR_FMT_CMEP;
	if (*p == '<')
		return BR_FMT_GREENBUTTON;
	return BR_FMT_GENERIC;
}

int
br_import_file(struct br_store *st, const struct br_registry *reg,
    const struct br_tz *tz, const char *path, const char *format,
    struct br_import_result *res, struct br_error *err)
{
	struct br_import_opts o;

	memset(&o, 0, sizeof(o));
	if ((o.format = br_import_format_parse(format)) < 0)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "unknown format '%s'", format);
	return br_import_file_opts(st, reg, tz, path, &o, res, err);
}

int
br_import_file_opts(struct br_store *st, const struct br_registry *reg,
    const struct br_tz *tz, const char *path,
    const struct br_import_opts *o, struct br_import_result *res,
    struct br_error *err)
{
	static const struct br_import_opts defaults;
	struct ctx c;
	long days = res->days, replaced = res->replaced;
	long stale = res->stale, other = res->other;
	long registers = res->registers, reg_replaced = res->reg_replaced;
	long reg_stale = res->reg_stale;
	size_t nexc = res->nexc;
	int rc, fmt;

	if (o == NULL)
		o = &defaults;
	fmt = o->format;
	if (fmt == BR_FMT_AUTO && o->vendor != NULL)
		fmt = BR_FMT_VENDOR;
	if (fmt == BR_FMT_AUTO && (fmt = br_import_detect(path, err)) < 0)
		return -1;
	if (fmt == BR_FMT_VENDOR && o->vendor == NULL)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "format vendor needs a column mapping (--mapping)");
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.reg = reg;
	c.tz = tz;
	c.stz = o->source_tz ? o->source_tz : tz;
	c.fmt = fmt;
	c.o = o;
	c.res = res;
	c.source = base_name(path);
	c.last_meter = -1;
	c.ami_mi = LONG_MIN;
	c.max_days = o->max_open_days > 0 ? o->max_open_days : MAX_OPEN_DAYS;
	if (reg->nmeters > 0 &&
	    ((c.mstat = calloc(reg->nmeters, sizeof(*c.mstat))) == NULL ||
	    (c.noacct = calloc(reg->nmeters, sizeof(*c.noacct))) == NULL)) {
		free(c.mstat);
		return nomem(err);
	}
	if (br_store_exec(st, "SAVEPOINT br_import", err) != 0) {
		ctx_release(&c);
		return -1;
	}
	rc = import_body(&c, path, fmt, err);
	ctx_release(&c);	/* the writer thread has ended */
	if (rc != 0) {
		/* Error or already imported: undo this file entirely. */
		sqlite3_exec(st->db, "ROLLBACK TO br_import", NULL, NULL, NULL);
		res->days = days;
		res->replaced = replaced;
		res->stale = stale;
		res->other = other;
		res->registers = registers;
		res->reg_replaced = reg_replaced;
		res->reg_stale = reg_stale;
		res->nexc = nexc;
	}
	if (br_store_exec(st, "RELEASE br_import", rc < 0 ? NULL : err) != 0)
		return -1;
	if (rc == 0) {
		res->files++;
		res->rows += c.rows;
	} else if (rc == 1)
		res->skipped++;
	return rc;
}

static int
cmp_exc(const void *a_, const void *b_)
{
	const struct br_import_exc *a = a_, *b = b_;
	int r;

	if ((r = strcmp(a->account_id, b->account_id)) != 0 ||
	    (r = strcmp(a->meter_id, b->meter_id)) != 0 ||
	    (r = strcmp(a->date, b->date)) != 0 ||
	    (r = strcmp(a->code, b->code)) != 0 ||
	    (r = strcmp(a->detail, b->detail)) != 0)
		return r;
	return a->exc_id < b->exc_id ? -1 : a->exc_id > b->exc_id;
}

void
br_import_report_write(FILE *f, struct br_import_result *res)
{
	size_t i;
	char id[24], line[24];

	if (res->nexc > 0)
		qsort(res->exc, res->nexc, sizeof(*res->exc), cmp_exc);
	fputs("exc_id,stage,code,severity,account_id,meter_id,date,detail,"
	    "source,line,status\n", f);
	for (i = 0; i < res->nexc; i++) {
		const struct br_import_exc *e = &res->exc[i];
		const char *row[11];
		snprintf(id, sizeof(id), "%lld", (long long)e->exc_id);
		snprintf(line, sizeof(line), "%ld", e->line);
		row[0] = id;
		row[1] = "import";
		row[2] = e->code;
		row[3] = e->severity;
		row[4] = e->account_id;
		row[5] = e->meter_id;
		row[6] = e->date;
		row[7] = e->detail;
		row[8] = e->source;
		row[9] = line;
		row[10] = e->status;
		br_csv_row(f, 11, row);
	}
}
