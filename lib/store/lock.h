/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lock.h: a busy store, told apart from a broken one.
 *
 * SQLite's own lock decides who writes; this file owns what a waiting run
 * learns about it.  The writer leaves an advisory note, <store>.lock,
 * holding "TOOL PID" (br_store_lock_note after its BEGIN, removed by
 * br_store_lock_clear before it closes).  A run that waited the busy
 * timeout for the lock fails with BR_EBUSY (exit 75, EX_TEMPFAIL: retry
 * later) and names the holder from the note when its process is alive,
 * "another process" otherwise.  The note is advice only: nothing waits on
 * it and a stale one is ignored.
 */
#ifndef BR_STORE_LOCK_H
#define BR_STORE_LOCK_H

#include "core/error.h"

struct br_store;

/* How long br_store_open's connections wait for a lock, in milliseconds
 * (process-wide; default 10,000).  Set before br_store_open. */
void br_store_set_busy_timeout(int ms);
int br_store_busy_timeout(void);

/* Write st's note "<tool> <pid>".  Returns 0 or -1 (BR_ECANTCREATE). */
int br_store_lock_note(struct br_store *st, const char *tool,
    struct br_error *err);
/* Remove the note when this process wrote it. */
void br_store_lock_clear(struct br_store *st);

/* Fill err with BR_EBUSY "what: store is busy (held by ...)"; returns -1. */
int br_store_busy_fail(struct br_store *st, const char *what,
    struct br_error *err);

#endif
