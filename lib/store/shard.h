/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shard.h: scale-out by account.  A shard store holds the accounts whose
 * stable hash falls in shard K of N (K is 1-based: 1..N, N <= 1024), the
 * meters and reads of those accounts' service points and their payments.
 * Data that belongs to no account goes to the home shard of its meter
 * when the meter has one (br_shard_meter_home), else (unknown meters,
 * unmatched payments) to shard 1, so every exception is reported exactly
 * once.  See docs/scale-out.md.
 *
 * Also the stable exception id: exception.exc_id is a 63-bit hash of the
 * exception's natural key, so the same exception has the same id in every
 * store (a shard store, the unsharded store, a rebuilt store).
 */
#ifndef BR_SHARD_H
#define BR_SHARD_H

#include <stdint.h>

#include <sqlite3.h>

#include "core/error.h"

#define BR_SHARD_MAX 1024

struct br_shard {
	int k;		/* 1..n; 0 = not sharded */
	int n;		/* number of shards; 0 = not sharded */
};

/*
 * Parse "K/N" (1 <= K <= N <= BR_SHARD_MAX) into sh.  Returns 0 or -1
 * (BR_EUSAGE).
 */
int br_shard_parse(const char *s, struct br_shard *sh, struct br_error *err);

/* The 1-based shard of an account id among n; "" or NULL is shard 1. */
int br_shard_of(const char *account_id, int n);

/*
 * True when account_id belongs to shard sh (always true when sh is NULL
 * or not sharded).  "" / NULL (no account) belongs to shard 1.
 */
int br_shard_member(const struct br_shard *sh, const char *account_id);

/* FNV-1a 64 of n bytes, continuing from h (start with BR_FNV_OFFSET). */
#define BR_FNV_OFFSET UINT64_C(0xcbf29ce484222325)
uint64_t br_fnv1a(uint64_t h, const void *p, size_t n);

/*
 * The stable exception id of the natural key (stage, code, account_id,
 * meter_id, date, detail): a positive 63-bit integer.
 */
int64_t br_exception_id(const char *stage, const char *code,
    const char *account_id, const char *meter_id, const char *date,
    const char *detail);

struct br_store;
struct br_registry;
struct br_registry_meter;

/*
 * The home shard of meter m among n: when every account with an agreement
 * (any dates) on a service point the meter is (or was) installed on falls
 * in one shard, that shard; 0 when there is no such account or they fall
 * in several (a move across shards).  Data of a meter with a home shard
 * that is tied to no account (reads outside its installs, days without an
 * agreement, their exceptions) goes to the home shard; that is what lets
 * ami-import --shard pass over other shards' meters unread.
 */
int br_shard_meter_home(const struct br_registry *reg,
    const struct br_registry_meter *m, int n);

/*
 * True when data of (account_id, meter home) belongs to shard sh: an
 * account by its hash, no account ("" / NULL) by the meter's home shard
 * (home from br_shard_meter_home, 0 = none: shard 1).
 */
int br_shard_member_home(const struct br_shard *sh, const char *account_id,
    int home);

/*
 * br_shard_member_home for a row of the store's exception table
 * (account_id, meter_id): the meter's home shard is read from the store's
 * registry tables (only for rows without an account).  Returns 1, 0, or
 * -1 with err.
 */
int br_shard_member_exc(struct br_store *st, const char *account_id,
    const char *meter_id, struct br_error *err);

/*
 * Run store st as shard sh (NULL or {0, 0}: unsharded), inside the run's
 * transaction.  A store remembers the shard it first ran as (setting
 * 'shard' = "K/N") and refuses (BR_ECONFIG) a run as another shard or
 * without --shard, so shard stores are never mixed up.  Sets st->shard.
 * Returns 0 or -1.
 */
int br_shard_bind(struct br_store *st, const struct br_shard *sh,
    struct br_error *err);

/*
 * Register the SQL functions of this module on db:
 *   br_exc_id(stage, code, account_id, meter_id, date, detail)
 *       -> br_exception_id of the arguments (NULL counts as "")
 *   br_in_shard(account_id)
 *       -> 1 when the account belongs to *sh, else 0; sh may change
 *          after registering (the pointer is kept: it must outlive db)
 *   br_exc_in_shard(account_id, meter_id)
 *       -> br_shard_member_exc: an exception row without an account
 *          belongs to its meter's home shard (else shard 1)
 * br_store_open registers them with the store's own shard.
 */
int br_shard_sql_register(sqlite3 *db, const struct br_shard *sh);

#endif
