/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.h: the SQLite store (one file) shared by every stage.
 *
 * Schema version lives in PRAGMA user_version; migrations are in store.c.
 * The store runs in WAL mode.  Each tool run is one transaction:
 * br_store_begin() at the start, br_store_commit() only when everything
 * succeeded, br_store_rollback() otherwise, so a failed run leaves the
 * store as it was.  See docs/store.md for every table.
 *
 * Conventions inside the store:
 *  - dates are TEXT 'YYYY-MM-DD' (local calendar dates of the utility);
 *    interval_day.day is INTEGER days since 1970-01-01 (local date).
 *  - money is INTEGER cents (bill lines, ledger, payments);
 *    rates and unrounded amounts are INTEGER micro-dollars.
 *  - quantities are INTEGER milli-units of the meter's unit.
 */
#ifndef BR_STORE_H
#define BR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/error.h"
#include "core/reads.h"
#include "store/shard.h"

#define BR_STORE_SCHEMA_VERSION 12

struct br_store {
	sqlite3 *db;
	char path[512];
	bool in_tx;
	int64_t audit_from;	/* audit_log seq when the transaction began */
	int64_t run_id;		/* this transaction's run row (runlog.h), or 0:
				 * the audit records sealed carry it */
	struct br_shard shard;	/* --shard K/N of this run; {0, 0} = all
				 * (SQL br_in_shard(), lib/store/shard.h) */
	bool bulk;		/* in a rollback journal for this run, back to
				 * the WAL at close (BR_STORE_BULK) */
};

enum br_store_open_flags {
	BR_STORE_CREATE = 1 << 0,	/* create the file if missing */
	BR_STORE_READONLY = 1 << 1,
	/* one thread uses the connection: opened without SQLite's
	 * per-call connection mutex (SQLITE_OPEN_NOMUTEX) */
	BR_STORE_ONE_THREAD = 1 << 2,
	/*
	 * A large write (ami-import --bulk): the run's transaction goes
	 * through a rollback journal instead of the WAL, so the pages it adds
	 * are written once, to the store (the WAL writes every page twice:
	 * to the WAL, then to the store at the checkpoint).  Other
	 * connections wait for the commit, readers included (exit 75 after
	 * the busy timeout).  Taken only when no other connection has the
	 * store open; otherwise the run stays in the WAL.  The store goes
	 * back to the WAL when the run closes it (a killed run's store: at
	 * the next open, after SQLite rolls the journal back).
	 */
	BR_STORE_BULK = 1 << 3
};

/*
 * Open (and create/migrate when BR_STORE_CREATE) the store at path.
 * A missing file without BR_STORE_CREATE is BR_ENOINPUT.  A file with a
 * newer schema than this build knows is BR_ECONFIG.
 * Returns an owned handle (free with br_store_close) or NULL with err.
 */
struct br_store *br_store_open(const char *path, int flags,
    struct br_error *err);

/* Close; rolls back an open transaction.  NULL is a no-op. */
void br_store_close(struct br_store *st);

int br_store_begin(struct br_store *st, struct br_error *err);
int br_store_commit(struct br_store *st, struct br_error *err);
void br_store_rollback(struct br_store *st);

/* Run SQL with no result rows.  Returns 0 or -1 (BR_EINTERNAL). */
int br_store_exec(struct br_store *st, const char *sql, struct br_error *err);

/*
 * Prepare a statement; on failure err gets the SQLite message.
 * Returns an owned statement (sqlite3_finalize) or NULL.
 */
sqlite3_stmt *br_store_prepare(struct br_store *st, const char *sql,
    struct br_error *err);
/*
 * Prepare a multi-row INSERT: head (up to "VALUES") followed by nrows
 * groups of ncols parameters, "(?,?),(?,?)", bound in row order (row r's
 * column c is parameter r * ncols + c + 1).  For writers that cache one
 * statement per row count.  Returns an owned statement or NULL.
 */
sqlite3_stmt *br_store_prepare_rows(struct br_store *st, const char *head,
    int ncols, int nrows, struct br_error *err);

/* Copy column col of the current row of s into dst (size n) as text;
 * NULL becomes "", longer text is cut to n - 1 bytes. */
void br_store_column_text(char *dst, size_t n, sqlite3_stmt *s, int col);

/* Fill err from the connection's last error; returns -1. */
int br_store_fail(struct br_store *st, const char *what, struct br_error *err);

/*
 * Utility settings (table setting): name, timezone, address, phone ...
 * br_store_setting_get copies the value into buf (NUL-terminated) and
 * returns 0, or returns 1 when the key is absent (buf gets def or "").
 */
int br_store_setting_get(struct br_store *st, const char *key,
    const char *def, char *buf, size_t n, struct br_error *err);
int br_store_setting_set(struct br_store *st, const char *key,
    const char *value, struct br_error *err);

struct br_tz;
/*
 * Load the utility time zone (setting 'timezone', default "UTC") into tz.
 * Returns 0 or -1 (BR_ECONFIG for an unknown zone).
 */
int br_store_timezone(struct br_store *st, struct br_tz *tz,
    struct br_error *err);

/*
 * Interval days.  Values are int64 milli-units packed little-endian,
 * quality one byte per interval.  n = day length / interval_s.
 */
struct br_interval_day {
	char meter_id[64];
	int channel;		/* enum br_channel */
	int32_t day;		/* local day, days since 1970-01-01 */
	int32_t interval_s;	/* 900 for 15 minutes */
	int32_t n;		/* number of intervals in this day */
	int64_t *values;	/* milli-units, n entries */
	uint8_t *quality;	/* n entries, enum br_quality | method */
};

/* Pack/unpack helpers for the values BLOB (8 bytes LE per interval). */
void br_store_pack_values(const int64_t *v, int32_t n, unsigned char *out);
void br_store_unpack_values(const unsigned char *in, int32_t n, int64_t *v);

#endif
