/* SPDX-License-Identifier: Apache-2.0 */
/*
 * import_int.h: private to lib/import/.  The import context of one file
 * (struct ctx), the open meter-day and register accumulators, the writer
 * thread's hand-over, and the functions the import files share
 * (*).  Files and what each owns:
 *   import.c      one file end to end: open, detect, dispatch, savepoint
 *   rows.c        generic and vendor CSV rows: header, meter lookup,
 *                 units, local days, installs
 *   ami.c         NEM12/CMEP/Green Button days into the same accumulator
 *   days.c        the open meter-day table and writing a day to the store
 *   writer.c      batches of days and the writer thread
 *   registers.c   register reads (NEM12 500, NEM13 250, CMEP REG)
 *   exceptions.c  import exceptions: recording, per-meter, store, report
 *   shard.c       --shard: meters' home shards, what a shard keeps, the
 *                 line gate that passes over other shards' rows
 *   split.c       --split N: one pass writing per-shard copies of CSVs
 *   run.c         one ami-import run (br_import_run)
 */
#ifndef BR_IMPORT_INT_H
#define BR_IMPORT_INT_H

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

#define MAX_OPEN_DAYS (1 << 16)
#define MAX_OPEN_REGS (1 << 16)
/* Meter-days of up to POOL_N slots (15-minute data, 25-hour days) come
 * from CHUNK_BYTES blocks (huge pages where the kernel offers them): one
 * page fault per block instead of one per day. */
#define POOL_N 100
#define CHUNK_BYTES ((size_t)2 << 20)

enum { COL_METER, COL_START, COL_VALUE, COL_MINUTES, COL_CHANNEL, COL_UNIT,
	COL_QUALITY, NCOLS };

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
 * touches none of them until br_imp_flusher_wait() returns.  Written days come
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
	char sha[65];		/* its SHA-256, once read */
	const char *path;	/* the file as given, for diagnostics */
	struct br_import_result *res;
	int col[NCOLS];
	const char *names[NCOLS];	/* column names (vendor: mapped) */
	int64_t file_id;
	long ami_days;		/* days from an AMI parser, for progress */
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
	size_t last_id_len;	/* its length */
	long inst_mi;		/* install cache (-1: none): meter inst_mi, */
	int32_t inst_day;	/* of one install, is installed on inst_day */
	int maxcol;		/* highest column index used (CSV rows) */
	/* stamp cache: the bytes after "YYYY-MM-DDTHH:MM" of the last stamp
	 * and what they add to its seconds (":SS" minus any offset) */
	char stamp_tail[16];
	size_t stamp_tail_len;
	bool stamp_tail_ok;	/* the cache holds a tail */
	int32_t stamp_tail_adj;
	bool stamp_tail_zone;
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
	/* --shard: home shard per registry meter (OWNED; NULL unsharded)
	 * and the gate's cache of the last meter id it looked up (with a
	 * comma inside, read from quotes: no prefix match) */
	int *home;
	char gate_id[BR_REGISTRY_ID_MAX];
	long gate_len;
	int gate_home;
	bool gate_comma;
	/* statements and scratch */
	sqlite3_stmt *sel_day, *put_day, *ins_repl, *sel_ver, *put_ver;
	sqlite3_stmt *new_day;	/* insert unless the day is stored */
	sqlite3_stmt *sel_reg, *put_reg, *ins_reg_repl;
	int64_t *merge_vals;
	uint8_t *merge_q;
	unsigned char *blob;
	int32_t scratch_n;
};

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

/* exceptions.c */
int
br_imp_nomem(struct br_error *err);

int
br_imp_add_exc(struct ctx *c, const char *code, const char *account,
    const char *meter, int32_t day, long line, struct br_error *err,
    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

int
br_imp_meter_exceptions(struct ctx *c, struct br_error *err);

int
br_imp_store_exceptions(struct ctx *c, struct br_error *err);

int
br_imp_earlier_exceptions(struct br_store *st, const char *sha,
    struct br_import_result *res, struct br_error *err);

/* days.c */
const struct day_span *
br_imp_day_span(struct ctx *c, int32_t day);

struct day_acc *
br_imp_day_get(struct ctx *c, size_t meter, int channel, int32_t day,
    int32_t interval_s, long line, struct br_error *err);

void
br_imp_span_add(long *count, int32_t *first, int32_t *last, long *line,
    int32_t day, long at_line);

int
br_imp_day_write(struct ctx *c, struct day_acc *a, struct br_error *err);

/* writer.c */
void
br_imp_take_returned(struct ctx *c);

int
br_imp_flusher_wait(struct ctx *c, struct br_error *err);

void
br_imp_flusher_stop(struct ctx *c);

int
br_imp_flush_days(struct ctx *c, struct br_error *err);

int
br_imp_flush_days_async(struct ctx *c, const struct br_csv_record *rec,
    struct br_error *err);

void
br_imp_free_days(struct ctx *c);

/* rows.c */
int32_t
br_imp_local_day(struct ctx *c, int64_t t);

int
br_imp_convert_value(int64_t v, const char *unit, const struct br_registry_meter *m,
    int64_t mult_milli, int64_t *out);

long
br_imp_meter_lookup(struct ctx *c, const char *id, long line, struct br_error *err);

bool
br_imp_install_check(struct ctx *c, long mi, int32_t day, long line);

int
br_imp_on_record(void *ctx, const struct br_csv_record *rec, struct br_error *err);

/* shard.c */
int
br_imp_shard_init(struct ctx *c, struct br_error *err);

bool
br_imp_in_shard(const struct ctx *c, const char *account, size_t meter);

bool
br_imp_in_shard_id(const struct ctx *c, const char *account,
    const char *meter_id);

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Whether s[0..len) starts with key[0..klen) (klen <= len); key has 16
 * readable bytes.  One 16-byte compare for short keys (meter ids). */
static inline bool
br_imp_has_prefix(const char *s, size_t len, const char *key, size_t klen)
{
	if (klen > len)
		return false;
#if defined(__SSE2__)
	if (len >= 16 && klen <= 16) {
		unsigned want = (1u << klen) - 1, m;
		m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		    _mm_loadu_si128((const __m128i *)(const void *)s),
		    _mm_loadu_si128((const __m128i *)(const void *)key)));
		return (m & want) == want;
	}
#endif
	return memcmp(s, key, klen) == 0;
}

/* Offset of the first byte of s[0..len) that is a control byte (LF and
 * CR too), DEL or a quote; len when none. */
size_t
br_imp_first_special(const char *s, size_t len);

/*
 * Check the complete line s[0..len) (without its LF) the way the CSV
 * reader would before passing it over: 0 when it is at most
 * BR_CSV_LINE_MAX bytes, holds no control byte (a CR before the LF aside)
 * and an even number of quotes; 1 when all holds but the quotes are odd
 * (a quoted field goes on past the line); -1 otherwise.
 */
int
br_imp_line_check(const char *s, size_t len);

/*
 * The meter id (column col) of the line s[0..len) into id[size]: plain
 * or in quotes ("id", no quote inside).  Returns its length, or -1 when
 * it cannot be read this way (a short row, a quoted field running past
 * the line, an empty id, blanks at its edges, a control byte or quote in
 * it).  Only the fields up to col are looked at: br_imp_line_check the
 * line before passing it over.
 */
long
br_imp_line_meter(const char *s, size_t len, int col, char *id,
    size_t size);

int
br_imp_gate(void *ctx, const char *s, size_t len, long line,
    struct br_error *err);

/* ami.c */
const struct br_registry_meter *
br_imp_ami_meter_find(const struct ctx *c, const char *key,
    const char *meter_id, const char *suffix, const char *serial);

int
br_imp_ami_skip(void *ctx, const char *meter_id, const char *suffix,
    const char *serial);

long
br_imp_ami_meter_of(struct ctx *c, const char *meter_id, const char *suffix,
    const char *serial, long line, struct br_error *err);

int
br_imp_on_ami_day(void *ctx, const struct br_ami_day *d, struct br_error *err);

/* registers.c */
int
br_imp_flush_regs(struct ctx *c, struct br_error *err);

int
br_imp_on_ami_register(void *ctx, const struct br_ami_register *r,
    struct br_error *err);

#endif
