/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render_int.h: private to lib/render/.  What the bill document model
 * (bill.c) shares with the render run (run.c): the bill query, the
 * per-run prepared-statement cache and the document fill.
 */
#ifndef BR_RENDER_INT_H
#define BR_RENDER_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "core/error.h"
#include "core/tz.h"
#include "render/render.h"
#include "store/store.h"

/* SELECT of the bill fields br_bill_from_stmt reads, without WHERE. */
extern const char br_bill_select[];

void br_bill_from_stmt(sqlite3_stmt *s, struct br_bill_doc *b);

/*
 * Prepared statements of a render run, by SQL text (struct br_bill_doc's
 * cache): each query is prepared once per run, not once per bill.
 */
#define BR_BILL_NCACHE 24

struct br_bill_stmt_cache {
	size_t n;
	char *sql[BR_BILL_NCACHE];
	sqlite3_stmt *s[BR_BILL_NCACHE];
	bool have_tz;		/* tz loaded (register read dates) */
	struct br_tz tz;
};

/* Prepare sql, or reuse it from cache (NULL: no cache). */
sqlite3_stmt *br_bill_prep(struct br_store *st, void *cache,
    const char *sql, struct br_error *err);
/* Done with s: reset a cached statement, finalize any other. */
void br_bill_unprep(void *cache, sqlite3_stmt *s);
void br_bill_cache_free(struct br_bill_stmt_cache *c);

/* The utility's name, address, phone and barcode settings into d. */
int br_bill_load_utility(struct br_store *st, struct br_bill_doc *d,
    struct br_error *err);
/*
 * Fill d (bill fields already set) from the store; the utility block is
 * copied from util when not NULL (a run reads the settings once).
 */
int br_bill_doc_fill(struct br_store *st, struct br_bill_doc *d,
    const struct br_bill_doc *util, struct br_error *err);

#endif
