/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pay_int.h: private to lib/pay (never included outside it): the items a
 * payment file is read into (struct item, struct reader) and the
 * functions the posting files share.  payment.c matches, posts and runs
 * the files; read.c reads a file into items; returns.c posts returns,
 * refunds and chargebacks; itemkey.c keys items so none posts twice.
 */
#ifndef BR_PAY_INT_H
#define BR_PAY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "formats/paymap.h"
#include "pay/payment.h"
#include "store/store.h"

/* Item kinds. */
enum { IT_PAYMENT, IT_RETURN, IT_NOC, IT_OTHER, IT_REFUND, IT_CHARGEBACK };

struct item {
	long line;
	long seq;		/* 0, or the Nth further item on the line */
	int kind;
	int64_t amount_cents;	/* >= 0 */
	int64_t signed_cents;	/* against the control total */
	char date[11];
	char account[128];
	char bill[64];
	char scan[80];
	char method[32];
	char reference[64];
	char code[8];		/* return or NOC code */
	char orig_trace[64];
	char corrected[32];
	char originator[48];	/* payrec.h */
	const char *cls;	/* BAI2/camt item class, or NULL */
	char hold[32];		/* exception code that holds the item in
				   suspense (currency, sub-cent), or "" */
	int traced;		/* 1: the item carries a bank reference */
	char *key;		/* OWNED: natural key (payment_item) */
};

struct reader {
	const char *file;
	const char *format;
	const char *as_of;
	const struct br_paymap *map;
	int c_date, c_amount, c_account, c_bill, c_scan, c_reference,
	    c_method, c_include;
	struct item *v;
	size_t n, cap;
	int64_t control_cents;
	int64_t cap_cents;	/* largest amount accepted for one item */
	char currency[4];	/* the utility's (setting currency) */
};

/* Account balances of one file (payment.c). */
struct acctcache;

/* payment.c: matching and posting helpers. */
int br_pay_add_cents(int64_t *acc, int64_t v, const char *file, long line,
    struct br_error *err);
int64_t br_pay_setting_int(struct br_store *st, const char *key,
    int64_t def, int *bad, struct br_error *err);
int br_pay_match(struct br_store *st, const struct item *it,
    struct br_payment_row *row, char *status, size_t sn,
    struct br_error *err);
int br_pay_bill_account(struct br_store *st, const struct item *it,
    char *out, size_t n, struct br_error *err);
int br_pay_add_exception(struct br_store *st, const char *code,
    const char *severity, const char *file,
    const struct br_payment_row *row, const char *detail,
    struct br_error *err);
int br_pay_cache_set(struct br_store *st, struct acctcache *c,
    const char *id, int64_t bal, struct br_error *err);

/* read.c: a payment file into items. */
void br_pay_reader_release(struct reader *r);
int br_pay_read_file(struct reader *r, const char *name, char sha[65],
    struct br_error *err);

/* returns.c: returns, refunds and chargebacks.  0, 2 (--shard), -1. */
int br_pay_post_return(struct br_store *st, struct acctcache *cache,
    const char *file, const char *format, const struct item *it,
    struct br_payment_row *row, struct br_error *err);
int br_pay_post_refund(struct br_store *st, struct acctcache *cache,
    const char *file, const struct item *it, struct br_payment_row *row,
    struct br_error *err);

/* pay_report.c: the items of a file an earlier run posted, listed as
 * already posted with their original posting (rep->rows has room). */
int br_pay_list_earlier(struct br_store *st, const struct reader *r,
    const char *base, long file_id, struct br_payment_report *rep,
    struct br_payment_file *pf, struct br_error *err);

/* itemkey.c: item keys (table payment_item). */
int br_pay_build_keys(struct reader *r, const char *base, size_t **plen,
    struct br_error *err);
int br_pay_key_state(struct br_store *st, const struct item *it,
    size_t plen, struct br_error *err);
int br_pay_record_key(struct br_store *st, long file_id,
    const struct item *it, long payment_id, struct br_error *err);

#endif
