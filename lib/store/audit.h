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
