/*
 * payment.h: pay-reconcile.  Posts payment CSV files (header
 * date,account_id,amount,method,reference; columns found by name) to the
 * store: table payment, the ledger (kind payment, ref P<payment_id>,
 * negative amount) and exceptions (stage payment).  A file already posted
 * (same SHA-256) posts nothing.  See docs/pay-reconcile.md.
 */
#ifndef BR_PAYMENT_H
#define BR_PAYMENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "store.h"

/* One payment as posted. */
struct br_payment_row {
	const char *file;	/* BORROWED from the caller's file list */
	long line;		/* CSV line of the payment */
	long payment_id;	/* payment.payment_id */
	char date[11];		/* received date, YYYY-MM-DD */
	char account_id[128];	/* "" when the file had none */
	int64_t amount_cents;	/* > 0: money received */
	int suspense;		/* 1: unknown or empty account, not posted */
	int closed_account;	/* 1: posted to a closed account */
	int64_t balance_after_cents; /* account balance after posting */
};

/* One input file. */
struct br_payment_file {
	const char *name;	/* BORROWED from the caller's file list */
	int duplicate;		/* 1: already posted earlier, skipped */
	long records;		/* payments in the file */
};

struct br_payment_report {
	struct br_payment_row *rows;	/* OWNED, sorted by file, line */
	size_t n, cap;
	struct br_payment_file *files;	/* OWNED, in processing order */
	size_t nfiles;
	long posted, suspense;		/* counts */
	int64_t posted_cents, suspense_cents;
};

void br_payment_report_init(struct br_payment_report *rep);
void br_payment_report_release(struct br_payment_report *rep);

/*
 * Post every file of files[0..n) ("-" = stdin, gzip detected), in file
 * name order.  as_of (may be NULL): payments dated after it are an error.
 * Must run inside a store transaction; on error the caller rolls back.
 * OUT: rep.  Returns 0, or -1 with err: BR_EINPUT with file, line and
 * column for a bad date, amount (<= 0 or not a decimal with at most two
 * fractional digits) or missing column; BR_ENOINPUT for a missing file.
 */
int br_payment_post_files(struct br_store *st, const char *const *files,
    size_t n, const char *as_of, struct br_payment_report *rep,
    struct br_error *err);

/*
 * Write the posting report CSV: header
 * file,line,date,account_id,amount,status,balance_after, one row per
 * payment, then "TOTAL,<count>,,,<amount>,posted," and the same for
 * suspense.
 */
void br_payment_report_write(const struct br_payment_report *rep, FILE *f);

#endif
