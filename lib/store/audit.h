/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.h: the tamper-evident audit log.
 *
 * Triggers (schema migration 2) append one audit_log row (seq, table, op,
 * key) for every insert, update and delete on bill, bill_line, payment,
 * ledger (charges, payments, adjustments, fees) and exception_decision.
 * When a billrun tool commits, br_audit_seal() serializes each new
 * record's row as of the commit, digests it and chains it by SHA-256,
 * appending (seq, digest, hash) to audit_seal (schema migration 11;
 * digest the 32-byte SHA-256 of the content):
 *
 *   hash = SHA-256(prev | seq | table | op | key | hex(digest))
 *
 * prev being the previous sealed record's hash.  Seals made before
 * migration 11 hold (seq, content, prev_hash, hash), digest NULL, with
 *
 *   hash = SHA-256(prev_hash | seq | table | op | key | content)
 *
 * and verify as before; one chain runs through both kinds.
 *
 * Changes made outside billrun (the sqlite3 shell) stay unsealed, and
 * br_audit_verify() reports them, together with any row edited or deleted
 * after it was audited and any audit record edited or removed.
 */
#ifndef BR_AUDIT_H
#define BR_AUDIT_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

/* Highest audit_log seq now (0 when empty). */
int br_audit_head_seq(struct br_store *st, int64_t *seq, struct br_error *err);

/*
 * Seal the audit records with seq > from_seq (those this transaction
 * made).
 * Called by br_store_commit.  Returns 0 or -1.
 */
int br_audit_seal(struct br_store *st, int64_t from_seq, struct br_error *err);

/*
 * Row notes: a writer that inserts many audited rows can hand the seal
 * each row's values as it binds them, so the seal digests them instead of
 * reading every row back at the commit.  Only bill_line is noted (the bulk
 * of a rating run's records).  br_audit_note_begin (inside the
 * transaction) starts an empty set; br_audit_note_row notes one inserted
 * row: its key as the trigger writes it ("bill_id/seq") and every column
 * by name (text, or num when text is NULL), values exactly as bound.  The
 * seal uses the notes only when this transaction's bill_line audit records
 * are exactly one insert per note, in order, and every column of the
 * table was given; otherwise (or after a rollback, which drops them) it
 * reads the rows back as always: the digests are the same either way.
 * The seal drops the notes.
 */
struct br_audit_col {
	const char *name;
	const char *text;	/* TEXT value, or NULL for an INTEGER */
	int64_t num;
	int null;		/* the column is NULL (text and num unused) */
};

int br_audit_note_begin(struct br_store *st, struct br_error *err);
void br_audit_note_row(struct br_store *st, const char *key, size_t ncols,
    const struct br_audit_col *cols);

struct br_audit_stats {
	long records;		/* audit rows checked */
	long problems;		/* findings written */
	char head[65];		/* hash of the last sealed record */
};

/*
 * Verify the chain and every audited table against it.  Each finding is a
 * CSV row `kind,table,key,seq,detail` on out (sorted by table, key), after
 * a header.  Returns 0 (check stats->problems) or -1 on a store error.
 */
int br_audit_verify(struct br_store *st, FILE *out,
    struct br_audit_stats *stats, struct br_error *err);

/*
 * Check the chain against a head recorded outside the store (a run
 * manifest's "audit HEAD RECORDS" line, label naming it): audit record seq
 * must still exist and carry hash head.  A missing record is finding
 * "anchor-missing", another hash "anchor-mismatch" (the chain was
 * rewritten, say to hide a deleted payment), both on out with stats
 * counted.  seq 0 (an empty log then) checks nothing.  Call after
 * br_audit_verify (which checks the chain up to the head is consistent).
 * Returns 0 or -1 on a store error.
 */
int br_audit_check_anchor(struct br_store *st, const char *label,
    const char *head, int64_t seq, FILE *out, struct br_audit_stats *stats,
    struct br_error *err);

#endif
