/* SPDX-License-Identifier: Apache-2.0 */
/*
 * payrec.h: the parsed payment record shared by the bank file parsers
 * (bai2.h, nacha.h, lockbox.h), and the small line reader they share.
 *
 * A parser calls on_rec once per money item in file order.  The record is
 * only valid during the call (copy what you keep).  Amounts are integer
 * cents, never negative: the direction is in `debit` and `kind`.
 *
 * The line reader is header-only (static inline) because the three
 * parsers are its only users; it splits on LF, drops a CR before it, and
 * counts physical lines from 1.
 */
#ifndef BR_PAYREC_H
#define BR_PAYREC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "io/input.h"

/* Values of br_payrec.kind. */
#define BR_PAYREC_PAYMENT	'P'	/* money received for a customer */
#define BR_PAYREC_RETURN	'R'	/* returned item (NSF, R-code) */
#define BR_PAYREC_NOC		'N'	/* NACHA notification of change, $0 */
#define BR_PAYREC_REVERSAL	'V'	/* NACHA batch described REVERSAL */
#define BR_PAYREC_OTHER		'O'	/* bank debit, fee, info: not AR cash */

struct br_payrec {
	const char *file;	/* input path as given */
	long line;		/* physical line of the item's first record */
	char kind;		/* BR_PAYREC_* */
	int debit;		/* 1 when the record is a debit (NACHA
				   transaction code, BAI2 type 400-699) */
	int64_t amount_cents;	/* >= 0 */
	char date[11];		/* YYYY-MM-DD: BAI2 as-of date, NACHA
				   effective entry date, lockbox deposit date */
	char txn_code[4];	/* BAI2 type code "115", NACHA "27",
				   lockbox "6" */
	char sec_code[4];	/* NACHA SEC code (PPD, WEB, ...), else "" */
	char account_ref[64];	/* customer identification (see parsers) */
	char name[64];		/* NACHA individual name, lockbox remitter */
	char bank_ref[64];	/* NACHA trace, BAI2 bank reference,
				   lockbox check number */
	char return_code[8];	/* R01.. for returns (camt: ISO reason
				   code such as AM04), else "" */
	char original_trace[64];/* NACHA returns and NOCs, camt EndToEndId */
	char noc_code[4];	/* C01.. for NOCs, else "" */
	char corrected_data[32];/* NOC corrected data, trimmed */
	char scan_line[80];	/* lockbox stub scan line when present */
	char text[512];		/* BAI2 16 text with 88s, NACHA addenda
				   information, lockbox overflow memo */
	char originator[48];	/* who sent the item: NACHA company
				   identification, BAI2 originator/account,
				   lockbox number, camt account */
	const char *item_class;	/* BAI2 and camt: "receipt", "return",
				   "reversal", "reject", "adjustment",
				   "other" (static string); NULL elsewhere */
	char currency[4];	/* ISO 4217 when the file says, else "" */
	int sub_cent;		/* 1: the amount had a fraction of a cent
				   (camt); amount_cents is truncated */
};

/* Callback: return 0 to go on, -1 (after filling err) to stop parsing. */
typedef int (*br_payrec_fn)(void *ctx, const struct br_payrec *r,
    struct br_error *err);

/* ---- line reader shared by the parsers (not for other modules) ---- */

#define BR_LINE_MAX	65536

struct br_linereader {
	struct br_input *in;
	char *buf;
	size_t cap, len, pos;
	long lineno;
	int eof;
};

static inline int
br_linereader_open(struct br_linereader *lr, const char *path,
    struct br_error *err)
{
	memset(lr, 0, sizeof(*lr));
	if ((lr->in = br_input_open(path, err)) == NULL)
		return -1;
	lr->cap = BR_LINE_MAX + 1;
	if ((lr->buf = malloc(lr->cap)) == NULL) {
		br_input_close(lr->in);
		lr->in = NULL;
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	return 0;
}

/*
 * Next line into line and n (not NUL-terminated; valid until the next call).
 * Returns 1, 0 at end of input, or -1 with err.
 */
static inline int
br_linereader_next(struct br_linereader *lr, const char **line, size_t *n,
    struct br_error *err)
{
	char *nl;
	long got;

	for (;;) {
		nl = lr->len > lr->pos ?
		    memchr(lr->buf + lr->pos, '\n', lr->len - lr->pos) : NULL;
		if (nl != NULL || (lr->eof && lr->pos < lr->len)) {
			size_t end = nl ? (size_t)(nl - lr->buf) : lr->len;

			*line = lr->buf + lr->pos;
			*n = end - lr->pos;
			if (*n > 0 && (*line)[*n - 1] == '\r')
				(*n)--;
			lr->pos = nl ? end + 1 : end;
			lr->lineno++;
			return 1;
		}
		if (lr->eof)
			return 0;
		if (lr->pos > 0) {
			memmove(lr->buf, lr->buf + lr->pos, lr->len - lr->pos);
			lr->len -= lr->pos;
			lr->pos = 0;
		}
		if (lr->len >= lr->cap - 1)
			return br_error_set(err, BR_EINPUT, lr->in->name,
			    lr->lineno + 1, "line longer than %d bytes",
			    BR_LINE_MAX);
		got = br_input_read(lr->in, lr->buf + lr->len,
		    lr->cap - 1 - lr->len, err);
		if (got < 0)
			return -1;
		if (got == 0)
			lr->eof = 1;
		lr->len += (size_t)got;
	}
}

/* Close; when sha_hex is not NULL and the file was read to the end,
 * store the content hash. */
static inline void
br_linereader_close(struct br_linereader *lr, char *sha_hex)
{
	if (lr->in != NULL && sha_hex != NULL)
		br_input_sha256(lr->in, sha_hex);
	br_input_close(lr->in);
	free(lr->buf);
	lr->in = NULL;
	lr->buf = NULL;
}

/*
 * Fixed-width records (NACHA, lockbox): positions are 1-based and
 * inclusive, as in the bank specifications.
 */

/* Digits at positions from..to of rec into *v; -1 when one is not a digit. */
static inline int
br_fixed_num(const char *rec, int from, int to, int64_t *v)
{
	int64_t x = 0;
	int i;

	for (i = from; i <= to; i++) {
		char c = rec[i - 1];

		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (c - '0');
	}
	*v = x;
	return 0;
}

/* Copy positions from..to of rec, trimmed of spaces, into dst of size n. */
static inline void
br_fixed_field(const char *rec, int from, int to, char *dst, size_t n)
{
	const char *s = rec + from - 1;
	size_t len = (size_t)(to - from + 1);

	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

#endif
