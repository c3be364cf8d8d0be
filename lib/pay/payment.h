/* SPDX-License-Identifier: Apache-2.0 */
/*
 * payment.h: pay-reconcile.  Posts payment files (CSV described by a
 * column mapping, BAI2, NACHA, BAI lockbox) to the store: table payment,
 * the ledger (kind payment, ref P<payment_id>, negative amount), NACHA
 * returns (reversal + returned-payment fee), and the reconciliation and
 * aging reports.  A file already posted (same SHA-256) posts nothing.
 * Settlement and late fees: pay/pay_apply.h.  See docs/pay-reconcile.md.
 */
#ifndef BR_PAYMENT_H
#define BR_PAYMENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "formats/paymap.h"
#include "store/store.h"

/* Values of br_payment_row.status. */
enum br_pay_status {
	BR_PAY_POSTED,		/* payment posted to an account */
	BR_PAY_SUSPENSE,	/* no account matched */
	BR_PAY_RETURNED,	/* a return that reversed a payment */
	BR_PAY_RETURN_UNMATCHED, /* a return whose original was not found */
	BR_PAY_NOC,		/* notification of change: reported only */
	BR_PAY_OTHER,		/* not customer cash (bank debit, fee, ...) */
	BR_PAY_ALREADY,		/* item posted by an earlier file: skipped */
	BR_PAY_REFUND,		/* processor refund, ledger kind refund */
	BR_PAY_CHARGEBACK	/* processor chargeback, kind chargeback */
};

/* One item of a file as posted. */
struct br_payment_row {
	const char *file;	/* BORROWED from the caller's file list */
	long line;		/* line of the item */
	long payment_id;	/* payment.payment_id (the original for a
				   return), 0 if none */
	char date[11];
	char account_id[128];	/* matched account, else as received */
	int64_t amount_cents;	/* >= 0; refunds and chargebacks < 0 */
	int64_t signed_cents;	/* as counted against the file control */
	enum br_pay_status status;
	const char *matched_by;	/* scan_line, account, bill, trace or "" */
	int closed_account;	/* 1: posted to a closed account */
	int bad_scan_line;	/* 1: scan line check digit failed */
	int64_t balance_after_cents;
	int64_t fee_cents;	/* returned-payment fee posted */
	char note[96];		/* return / NOC code and data, item class */
	int earlier_file;	/* 1: its file was posted by an earlier run
				   (status BR_PAY_ALREADY) */
};

/* One input file. */
struct br_payment_file {
	const char *name;	/* base name */
	const char *format;	/* csv, bai2, nacha, lockbox, camt */
	int duplicate;		/* 1: already posted earlier, skipped */
	long records;		/* items in the file */
	int64_t control_cents;	/* per the file's control totals */
	int64_t posted_cents, suspense_cents, returned_cents, other_cents;
	long nocs;
	long already;		/* items posted by an earlier file */
};

struct br_payment_report {
	struct br_payment_row *rows;	/* OWNED, by file then line */
	size_t n, cap;
	struct br_payment_file *files;	/* OWNED, in processing order */
	size_t nfiles;
	long posted, suspense, returned;	/* counts */
	int64_t posted_cents, suspense_cents, returned_cents;
	long review;		/* items that need a decision (exit 1) */
};

/* Options of a posting run. */
struct br_payment_opts {
	const char *as_of;		/* may be NULL */
	const char *format;		/* auto, csv, bai2, nacha, lockbox,
					   camt */
	const struct br_paymap *map;	/* CSV mapping, NULL: default */
};

void br_payment_report_init(struct br_payment_report *rep);
void br_payment_report_release(struct br_payment_report *rep);

/* Detect the format of path from its first bytes: "bai2", "nacha",
 * "lockbox", "camt" (an ISO 20022 camt.053/054 XML document), "xml"
 * (any other XML: not supported) or "csv".  0 or -1 with err (file
 * missing). */
int br_payment_detect(const char *path, const char **format,
    struct br_error *err);

/*
 * Post every file of files[0..n) ("-" = stdin, gzip detected), in file
 * name order.  Must run inside a store transaction; on error the caller
 * rolls back.  OUT: rep.  Returns 0, or -1 with err: BR_EINPUT with file,
 * line and field for bad data or a control-total mismatch; BR_ENOINPUT
 * for a missing file.
 */
int br_payment_post_files_ex(struct br_store *st, const char *const *files,
    size_t n, const struct br_payment_opts *opts,
    struct br_payment_report *rep, struct br_error *err);

/* The same with format auto, the default CSV mapping and as_of. */
int br_payment_post_files(struct br_store *st, const char *const *files,
    size_t n, const char *as_of, struct br_payment_report *rep,
    struct br_error *err);

/* Posting report CSV, one row per payment item (no total rows); see
 * docs/pay-reconcile.md. */
void br_payment_report_write(const struct br_payment_report *rep, FILE *f);
/*
 * Its totals, a CSV of their own: header status,items,amount and the rows
 * posted (posted, refund, chargeback items), suspense (suspense items)
 * and returned (returned, return-unmatched items), amounts summed over
 * the items' amount column.
 */
void br_payment_summary_write(const struct br_payment_report *rep, FILE *f);

/* Daily cash reconciliation CSV, one row per file (no total row). */
void br_payment_recon_write(const struct br_payment_report *rep, FILE *f);
/*
 * Its totals: header files,duplicates,items,control_total,posted,
 * suspense,returns,other,nocs,check and one row, the count of posted and
 * duplicate file rows and the sums of the other columns.
 */
void br_payment_recon_summary_write(const struct br_payment_report *rep,
    FILE *f);

/*
 * Aging CSV as of as_of (settles first), one row per account (no total
 * row); its totals to sum unless NULL: header accounts,current,...,total
 * and one row, the number of accounts and the sum of every column.  0 or
 * -1.
 */
int br_payment_aging_write(struct br_store *st, const char *as_of, FILE *f,
    FILE *sum, struct br_error *err);

#endif
