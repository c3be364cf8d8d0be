/*
 * bai2.c: BAI2 parser.  A physical line is cut into records at record
 * codes; 88 continuations are merged into the logical 03 or 16 record by
 * small state machines (03: a token queue consumed one summary group at a
 * time; 16: the index of the next field, then free text).  Account, group
 * and file trailers are checked against the sums and record counts.
 */
#include "formats/bai2.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "core/date.h"
#include "core/banned.h"

#define FLD_MAX		80	/* longer non-text fields are truncated */
#define NFLD		16	/* fields kept for 01/02/49/98/99 */
#define NPEND		64	/* 03 tokens waiting to form a group */

enum { F_TYPE, F_AMOUNT, F_FUNDS, F_EXTRA, F_BANKREF, F_CUSTREF, F_TEXT };

struct bai2 {
	const char *path;
	unsigned flags;
	long line;
	br_payrec_fn on_rec;
	void *ctx;
	struct br_error *err;
	struct br_bai2_totals *t;

	int code;		/* record being parsed (for messages) */
	int cur;		/* logical record 88s continue: 3, 16, other */
	int have_file, in_group, in_account, done;
	long nrec;		/* records so far (01..) */
	long grp_start, acct_start;
	long groups, accounts, g_accounts;
	int64_t acct_sum, grp_sum, file_sum;
	char asof[11];
	char originator[48];	/* 02 originator id "/" 03 account number */
	size_t orig_len;	/* length of the 02 part, with its "/" */
	char grp_ccy[4];	/* 02 currency code, "" = USD */
	char acct_ccy[4];	/* 03 currency code, "" = the group's */

	/* 03 summary tokens */
	char pend[NPEND][FLD_MAX];
	int npend;

	/* 16 state */
	int f16, extras_left, text_started, have16;
	struct br_payrec pr;
};

static const char *
rec_name(int code)
{
	switch (code) {
	case 1: return "01 file header";
	case 2: return "02 group header";
	case 3: return "03 account identifier";
	case 16: return "16 transaction detail";
	case 49: return "49 account trailer";
	case 88: return "88 continuation";
	case 98: return "98 group trailer";
	case 99: return "99 file trailer";
	default: return "record";
	}
}

static int
bad(struct bai2 *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int
bad(struct bai2 *p, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return br_error_set(p->err, BR_EINPUT, p->path, p->line, "%s: %s",
	    rec_name(p->code), msg);
}

/* Copy src into dst of size n, truncating. */
static void
copy_trunc(char *dst, size_t n, const char *src)
{
	size_t k = strlen(src);

	if (k >= n)
		k = n - 1;
	memcpy(dst, src, k);
	dst[k] = '\0';
}

/* A trailer check failed: error, or a counted warning when lenient. */
static int
mismatch(struct bai2 *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int
mismatch(struct bai2 *p, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!(p->flags & BR_BAI2_LENIENT))
		return br_error_set(p->err, BR_EINPUT, p->path, p->line,
		    "%s: %s", rec_name(p->code), msg);
	if (p->t != NULL && p->t->mismatches++ == 0) {
		char full[1200];

		snprintf(full, sizeof(full), "%s:%ld: %s: %s", p->path,
		    p->line, rec_name(p->code), msg);
		copy_trunc(p->t->warning, sizeof(p->t->warning), full);
	}
	return 0;
}

/* Two digits and a comma at s (n bytes available): the code, else -1. */
static int
code_at(const char *s, size_t n)
{
	if (n < 3 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] != ',')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/*
 * 1 when the '/' at s[j] ends the record: only spaces follow to the end
 * of the line, or spaces and another record code.  *next is where the
 * next record starts.
 */
static int
slash_ends(const char *s, size_t n, size_t j, size_t *next)
{
	size_t k;

	for (k = j + 1; k < n && s[k] == ' '; k++)
		;
	if (k >= n || code_at(s + k, n - k) >= 0) {
		*next = k;
		return 1;
	}
	return 0;
}

/*
 * Read one non-text field at *i: up to ',' (record goes on) or a
 * record-ending '/' or the end of the line (record ends: *end = 1; a '/'
 * followed by other text is part of the field, as in customer references
 * like AB/GS/0001).  Copied trimmed into out.
 */
static void
next_field(const char *s, size_t n, size_t *i, char out[FLD_MAX], int *end)
{
	size_t a = *i, b, k, next = n;

	*end = 0;
	while (*i < n && s[*i] != ',') {
		if (s[*i] == '/' && slash_ends(s, n, *i, &next)) {
			*end = 1;
			break;
		}
		(*i)++;
	}
	b = *i;
	if (*i >= n)
		*end = 1;
	else if (*end)
		*i = next;
	else
		(*i)++;
	while (a < b && s[a] == ' ')
		a++;
	while (b > a && s[b - 1] == ' ')
		b--;
	k = b - a < FLD_MAX - 1 ? b - a : FLD_MAX - 1;
	memcpy(out, s + a, k);
	out[k] = '\0';
}

/* Signed amount; empty is 0.  Returns 0 or -1. */
static int
parse_amount(const char *f, int allow_sign, int64_t *v)
{
	int64_t x = 0;
	int neg = 0, nd = 0;

	if (allow_sign && (*f == '+' || *f == '-'))
		neg = *f++ == '-';
	for (; *f; f++, nd++) {
		if (*f < '0' || *f > '9' || nd >= 18)
			return -1;
		x = x * 10 + (*f - '0');
	}
	*v = neg ? -x : x;
	return 0;
}

static int
three_digits(const char *f)
{
	return strlen(f) == 3 && f[0] >= '0' && f[0] <= '9' && f[1] >= '0' &&
	    f[1] <= '9' && f[2] >= '0' && f[2] <= '9';
}

static int
yymmdd(const char *f, char out[11])
{
	int i, y, m, d;

	if (strlen(f) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		if (f[i] < '0' || f[i] > '9')
			return -1;
	y = 2000 + (f[0] - '0') * 10 + (f[1] - '0');
	m = (f[2] - '0') * 10 + (f[3] - '0');
	d = (f[4] - '0') * 10 + (f[5] - '0');
	if (m < 1 || m > 12 || d < 1 || d > br_date_month_days(y, m))
		return -1;
	memcpy(out, "20", 2);
	memcpy(out + 2, f, 2);
	out[4] = '-';
	memcpy(out + 5, f + 2, 2);
	out[7] = '-';
	memcpy(out + 8, f + 4, 2);
	out[10] = '\0';
	return 0;
}

/* ---- 03 summary groups ---- */

/* Consume complete {type, amount, count, funds[+extras]} groups. */
static int
consume_groups(struct bai2 *p)
{
	int need, k, m;
	int64_t amt, nd;
	const char *funds;

	for (;;) {
		while (p->npend > 0 && p->pend[0][0] == '\0') {
			memmove(p->pend[0], p->pend[1],
			    (size_t)(p->npend - 1) * FLD_MAX);
			p->npend--;
		}
		if (p->npend < 4)
			return 0;
		funds = p->pend[3];
		if (strcmp(funds, "S") == 0)
			need = 7;
		else if (strcmp(funds, "V") == 0)
			need = 6;
		else if (strcmp(funds, "D") == 0) {
			if (p->npend < 5)
				return 0;
			if (parse_amount(p->pend[4], 0, &nd) < 0 || nd > 25)
				return bad(p, "funds type D: distribution count "
				    "'%s' is not a number up to 25",
				    p->pend[4]);
			need = 5 + 2 * (int)nd;
		} else if (funds[0] == '\0' || (funds[1] == '\0' &&
		    (funds[0] == '0' || funds[0] == '1' || funds[0] == '2' ||
		    funds[0] == 'Z')))
			need = 4;
		else
			return bad(p, "funds type '%s' of type code %s is not "
			    "0, 1, 2, Z, S, V or D", funds, p->pend[0]);
		if (p->npend < need)
			return 0;
		if (!three_digits(p->pend[0]))
			return bad(p, "type code '%s' is not 3 digits",
			    p->pend[0]);
		if (parse_amount(p->pend[1], 1, &amt) < 0)
			return bad(p, "amount '%s' of type code %s is not a "
			    "number", p->pend[1], p->pend[0]);
		if (parse_amount(p->pend[2], 0, &nd) < 0)
			return bad(p, "item count '%s' of type code %s is not "
			    "a number", p->pend[2], p->pend[0]);
		p->acct_sum += amt;
		m = p->npend - need;
		for (k = 0; k < m; k++)
			memcpy(p->pend[k], p->pend[k + need], FLD_MAX);
		p->npend = m;
	}
}

/* Feed the fields of one physical 03 or 88 record from *i. */
static int
feed03(struct bai2 *p, const char *s, size_t n, size_t *i, int first)
{
	char f[FLD_MAX];
	int end = 0, k = 0;

	while (!end) {
		next_field(s, n, i, f, &end);
		if (first && k < 2) {
			if (k == 0)	/* account number */
				snprintf(p->originator + p->orig_len,
				    sizeof(p->originator) - p->orig_len, "%s",
				    f);
			else
				snprintf(p->acct_ccy, sizeof(p->acct_ccy),
				    "%.3s", f);
			k++;	/* account number, currency */
			continue;
		}
		if (p->npend >= NPEND)
			return bad(p, "more than %d summary fields without a "
			    "complete group", NPEND);
		memcpy(p->pend[p->npend++], f, FLD_MAX);
	}
	if (consume_groups(p) < 0)
		return -1;
	for (k = 0; k < p->npend; k++)
		if (p->pend[k][0] != '\0')
			return 0;	/* a split group: keep it */
	p->npend = 0;
	return 0;
}

static int
end03(struct bai2 *p)
{
	if (p->npend > 0) {
		p->code = 3;
		return bad(p, "incomplete summary group starting with type "
		    "code '%s'", p->pend[0]);
	}
	return 0;
}

/* ---- 16 details ---- */

static void
append_text(struct br_payrec *r, const char *s, size_t n)
{
	size_t have = strlen(r->text);

	while (n > 0 && s[0] == ' ') {
		s++;
		n--;
	}
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n == 0)
		return;
	snprintf(r->text + have, sizeof(r->text) - have, "%s%.*s",
	    have ? " " : "", (int)n, s);
}

/* Text from *i to a record-ending '/' or the end of the line. */
static void
read_text(struct bai2 *p, const char *s, size_t n, size_t *i)
{
	size_t j, k;

	if (!p->text_started && *i < n && s[*i] == '/') {
		(*i)++;		/* text may not start with '/': empty */
		return;
	}
	p->text_started = 1;
	for (j = *i; j < n; j++) {
		if (s[j] == '/' && slash_ends(s, n, j, &k)) {
			append_text(&p->pr, s + *i, j - *i);
			*i = k;
			return;
		}
	}
	append_text(&p->pr, s + *i, n - *i);
	*i = n;
}

static int
feed16(struct bai2 *p, const char *s, size_t n, size_t *i)
{
	struct br_payrec *r = &p->pr;
	char f[FLD_MAX];
	int64_t v;
	int end = 0;

	while (!end) {
		if (p->f16 == F_TEXT) {
			read_text(p, s, n, i);
			return 0;
		}
		next_field(s, n, i, f, &end);
		switch (p->f16) {
		case F_TYPE:
			if (!three_digits(f))
				return bad(p, "type code '%s' is not 3 digits",
				    f);
			memcpy(r->txn_code, f, 4);
			p->f16 = F_AMOUNT;
			break;
		case F_AMOUNT:
			if (f[0] == '\0' || parse_amount(f, 0, &v) < 0)
				return bad(p, "amount '%s' is not an unsigned "
				    "number", f);
			r->amount_cents = v;
			p->f16 = F_FUNDS;
			break;
		case F_FUNDS:
			if (strcmp(f, "S") == 0)
				p->extras_left = 3;
			else if (strcmp(f, "V") == 0)
				p->extras_left = 2;
			else if (strcmp(f, "D") == 0)
				p->extras_left = -1;
			else if (f[0] == '\0' || (f[1] == '\0' && (f[0] == '0' ||
			    f[0] == '1' || f[0] == '2' || f[0] == 'Z')))
				p->extras_left = 0;
			else
				return bad(p, "funds type '%s' is not 0, 1, 2, "
				    "Z, S, V or D", f);
			p->f16 = p->extras_left ? F_EXTRA : F_BANKREF;
			break;
		case F_EXTRA:
			if (p->extras_left < 0) {
				if (parse_amount(f, 0, &v) < 0 || v > 25)
					return bad(p, "funds type D: "
					    "distribution count '%s' is not a "
					    "number up to 25", f);
				p->extras_left = 2 * (int)v;
			} else {
				p->extras_left--;
			}
			if (p->extras_left == 0)
				p->f16 = F_BANKREF;
			break;
		case F_BANKREF:
			copy_trunc(r->bank_ref, sizeof(r->bank_ref), f);
			p->f16 = F_CUSTREF;
			break;
		case F_CUSTREF:
			copy_trunc(r->account_ref, sizeof(r->account_ref), f);
			p->f16 = F_TEXT;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* "Rnn" as a word in the text: the ACH return reason. */
static void
find_return_code(struct br_payrec *r)
{
	const char *t = r->text;
	size_t i, n = strlen(t);

	for (i = 0; i + 3 <= n; i++) {
		if (t[i] != 'R' || t[i + 1] < '0' || t[i + 1] > '9' ||
		    t[i + 2] < '0' || t[i + 2] > '9')
			continue;
		if (i > 0 && ((t[i - 1] >= 'A' && t[i - 1] <= 'Z') ||
		    (t[i - 1] >= 'a' && t[i - 1] <= 'z') ||
		    (t[i - 1] >= '0' && t[i - 1] <= '9')))
			continue;
		if (i + 3 < n && ((t[i + 3] >= 'A' && t[i + 3] <= 'Z') ||
		    (t[i + 3] >= 'a' && t[i + 3] <= 'z') ||
		    (t[i + 3] >= '0' && t[i + 3] <= '9')))
			continue;
		memcpy(r->return_code, t + i, 3);
		r->return_code[3] = '\0';
		return;
	}
}

/*
 * Every type code of the BAI Cash Management Balance Reporting
 * Specifications, Version 2 (type code list), with its direction and
 * the class pay-reconcile gives it (docs/formats-bank.md has the table
 * with descriptions and its source).  Sorted by code.
 */
enum { BAI2_STATUS, BAI2_SUMMARY, BAI2_RECEIPT, BAI2_RETURN, BAI2_REVERSAL,
    BAI2_REJECT, BAI2_ADJUSTMENT, BAI2_OTHER };

static const struct bai2_type {
	short code;
	char dir;		/* 'C' credit, 'D' debit, '-' neither */
	unsigned char cls;	/* BAI2_* */
} bai2_types[] = {
	{ 10, '-', BAI2_STATUS },
	{ 11, '-', BAI2_STATUS },
	{ 12, '-', BAI2_STATUS },
	{ 15, '-', BAI2_STATUS },
	{ 20, '-', BAI2_STATUS },
	{ 21, '-', BAI2_STATUS },
	{ 22, '-', BAI2_STATUS },
	{ 24, '-', BAI2_STATUS },
	{ 25, '-', BAI2_STATUS },
	{ 30, '-', BAI2_STATUS },
	{ 37, '-', BAI2_STATUS },
	{ 39, '-', BAI2_STATUS },
	{ 40, '-', BAI2_STATUS },
	{ 41, '-', BAI2_STATUS },
	{ 42, '-', BAI2_STATUS },
	{ 43, '-', BAI2_STATUS },
	{ 44, '-', BAI2_STATUS },
	{ 45, '-', BAI2_STATUS },
	{ 50, '-', BAI2_STATUS },
	{ 51, '-', BAI2_STATUS },
	{ 54, '-', BAI2_STATUS },
	{ 55, '-', BAI2_STATUS },
	{ 56, '-', BAI2_STATUS },
	{ 57, '-', BAI2_STATUS },
	{ 59, '-', BAI2_STATUS },
	{ 60, '-', BAI2_STATUS },
	{ 61, '-', BAI2_STATUS },
	{ 62, '-', BAI2_STATUS },
	{ 63, '-', BAI2_STATUS },
	{ 65, '-', BAI2_STATUS },
	{ 66, '-', BAI2_STATUS },
	{ 67, '-', BAI2_STATUS },
	{ 68, '-', BAI2_STATUS },
	{ 70, '-', BAI2_STATUS },
	{ 72, '-', BAI2_STATUS },
	{ 73, '-', BAI2_STATUS },
	{ 74, '-', BAI2_STATUS },
	{ 75, '-', BAI2_STATUS },
	{ 76, '-', BAI2_STATUS },
	{ 77, '-', BAI2_STATUS },
	{ 78, '-', BAI2_STATUS },
	{ 79, '-', BAI2_STATUS },
	{ 80, '-', BAI2_STATUS },
	{ 81, '-', BAI2_STATUS },
	{ 82, '-', BAI2_STATUS },
	{ 83, '-', BAI2_STATUS },
	{ 84, '-', BAI2_STATUS },
	{ 85, '-', BAI2_STATUS },
	{ 86, '-', BAI2_STATUS },
	{ 87, '-', BAI2_STATUS },
	{ 88, '-', BAI2_STATUS },
	{ 100, 'C', BAI2_SUMMARY },
	{ 101, 'C', BAI2_SUMMARY },
	{ 102, 'C', BAI2_SUMMARY },
	{ 105, 'C', BAI2_SUMMARY },
	{ 106, 'C', BAI2_SUMMARY },
	{ 107, 'C', BAI2_SUMMARY },
	{ 108, 'C', BAI2_RECEIPT },
	{ 109, 'C', BAI2_SUMMARY },
	{ 110, 'C', BAI2_SUMMARY },
	{ 115, 'C', BAI2_RECEIPT },
	{ 116, 'C', BAI2_RECEIPT },
	{ 118, 'C', BAI2_ADJUSTMENT },
	{ 120, 'C', BAI2_SUMMARY },
	{ 121, 'C', BAI2_RECEIPT },
	{ 122, 'C', BAI2_RECEIPT },
	{ 123, 'C', BAI2_RETURN },
	{ 130, 'C', BAI2_SUMMARY },
	{ 131, 'C', BAI2_SUMMARY },
	{ 135, 'C', BAI2_OTHER },
	{ 136, 'C', BAI2_RECEIPT },
	{ 140, 'C', BAI2_SUMMARY },
	{ 142, 'C', BAI2_RECEIPT },
	{ 143, 'C', BAI2_RECEIPT },
	{ 145, 'C', BAI2_OTHER },
	{ 146, 'C', BAI2_SUMMARY },
	{ 147, 'C', BAI2_RECEIPT },
	{ 150, 'C', BAI2_SUMMARY },
	{ 155, 'C', BAI2_RECEIPT },
	{ 156, 'C', BAI2_RECEIPT },
	{ 158, 'C', BAI2_RECEIPT },
	{ 159, 'C', BAI2_SUMMARY },
	{ 160, 'C', BAI2_SUMMARY },
	{ 162, 'C', BAI2_SUMMARY },
	{ 163, 'C', BAI2_SUMMARY },
	{ 164, 'C', BAI2_RECEIPT },
	{ 165, 'C', BAI2_RECEIPT },
	{ 166, 'C', BAI2_RECEIPT },
	{ 167, 'C', BAI2_SUMMARY },
	{ 168, 'C', BAI2_SUMMARY },
	{ 169, 'C', BAI2_SUMMARY },
	{ 170, 'C', BAI2_SUMMARY },
	{ 171, 'C', BAI2_OTHER },
	{ 172, 'C', BAI2_ADJUSTMENT },
	{ 173, 'C', BAI2_RECEIPT },
	{ 174, 'C', BAI2_RECEIPT },
	{ 175, 'C', BAI2_RECEIPT },
	{ 176, 'C', BAI2_RECEIPT },
	{ 178, 'C', BAI2_SUMMARY },
	{ 180, 'C', BAI2_SUMMARY },
	{ 182, 'C', BAI2_SUMMARY },
	{ 184, 'C', BAI2_RECEIPT },
	{ 185, 'C', BAI2_SUMMARY },
	{ 186, 'C', BAI2_SUMMARY },
	{ 187, 'C', BAI2_RECEIPT },
	{ 188, 'C', BAI2_SUMMARY },
	{ 189, 'C', BAI2_ADJUSTMENT },
	{ 190, 'C', BAI2_SUMMARY },
	{ 191, 'C', BAI2_RECEIPT },
	{ 195, 'C', BAI2_RECEIPT },
	{ 196, 'C', BAI2_ADJUSTMENT },
	{ 198, 'C', BAI2_OTHER },
	{ 200, 'C', BAI2_SUMMARY },
	{ 201, 'C', BAI2_OTHER },
	{ 202, 'C', BAI2_OTHER },
	{ 205, 'C', BAI2_SUMMARY },
	{ 206, 'C', BAI2_RECEIPT },
	{ 207, 'C', BAI2_SUMMARY },
	{ 208, 'C', BAI2_RECEIPT },
	{ 210, 'C', BAI2_SUMMARY },
	{ 212, 'C', BAI2_OTHER },
	{ 213, 'C', BAI2_OTHER },
	{ 214, 'C', BAI2_OTHER },
	{ 215, 'C', BAI2_SUMMARY },
	{ 216, 'C', BAI2_RECEIPT },
	{ 218, 'C', BAI2_OTHER },
	{ 221, 'C', BAI2_OTHER },
	{ 222, 'C', BAI2_RECEIPT },
	{ 224, 'C', BAI2_OTHER },
	{ 226, 'C', BAI2_OTHER },
	{ 227, 'C', BAI2_OTHER },
	{ 229, 'C', BAI2_OTHER },
	{ 230, 'C', BAI2_SUMMARY },
	{ 231, 'C', BAI2_SUMMARY },
	{ 232, 'C', BAI2_OTHER },
	{ 233, 'C', BAI2_OTHER },
	{ 234, 'C', BAI2_OTHER },
	{ 235, 'C', BAI2_OTHER },
	{ 236, 'C', BAI2_OTHER },
	{ 237, 'C', BAI2_OTHER },
	{ 238, 'C', BAI2_OTHER },
	{ 239, 'C', BAI2_SUMMARY },
	{ 240, 'C', BAI2_OTHER },
	{ 241, 'C', BAI2_OTHER },
	{ 242, 'C', BAI2_OTHER },
	{ 243, 'C', BAI2_OTHER },
	{ 244, 'C', BAI2_OTHER },
	{ 245, 'C', BAI2_SUMMARY },
	{ 246, 'C', BAI2_OTHER },
	{ 247, 'C', BAI2_OTHER },
	{ 248, 'C', BAI2_ADJUSTMENT },
	{ 249, 'C', BAI2_OTHER },
	{ 250, 'C', BAI2_SUMMARY },
	{ 251, 'C', BAI2_SUMMARY },
	{ 252, 'C', BAI2_REVERSAL },
	{ 254, 'C', BAI2_ADJUSTMENT },
	{ 255, 'C', BAI2_RETURN },
	{ 256, 'C', BAI2_SUMMARY },
	{ 257, 'C', BAI2_RETURN },
	{ 258, 'C', BAI2_REVERSAL },
	{ 260, 'C', BAI2_SUMMARY },
	{ 261, 'C', BAI2_REJECT },
	{ 263, 'C', BAI2_OTHER },
	{ 266, 'C', BAI2_RETURN },
	{ 268, 'C', BAI2_ADJUSTMENT },
	{ 270, 'C', BAI2_SUMMARY },
	{ 271, 'C', BAI2_SUMMARY },
	{ 274, 'C', BAI2_OTHER },
	{ 275, 'C', BAI2_OTHER },
	{ 276, 'C', BAI2_ADJUSTMENT },
	{ 277, 'C', BAI2_OTHER },
	{ 278, 'C', BAI2_ADJUSTMENT },
	{ 280, 'C', BAI2_SUMMARY },
	{ 281, 'C', BAI2_OTHER },
	{ 285, 'C', BAI2_SUMMARY },
	{ 286, 'C', BAI2_OTHER },
	{ 294, 'C', BAI2_SUMMARY },
	{ 295, 'C', BAI2_OTHER },
	{ 301, 'C', BAI2_RECEIPT },
	{ 302, 'C', BAI2_SUMMARY },
	{ 303, 'C', BAI2_SUMMARY },
	{ 304, 'C', BAI2_SUMMARY },
	{ 305, 'C', BAI2_SUMMARY },
	{ 306, 'C', BAI2_OTHER },
	{ 307, 'C', BAI2_SUMMARY },
	{ 308, 'C', BAI2_OTHER },
	{ 309, 'C', BAI2_SUMMARY },
	{ 310, 'C', BAI2_SUMMARY },
	{ 315, 'C', BAI2_SUMMARY },
	{ 316, 'C', BAI2_SUMMARY },
	{ 318, 'C', BAI2_SUMMARY },
	{ 319, 'C', BAI2_SUMMARY },
	{ 320, 'C', BAI2_SUMMARY },
	{ 321, 'C', BAI2_SUMMARY },
	{ 324, 'C', BAI2_SUMMARY },
	{ 325, 'C', BAI2_SUMMARY },
	{ 326, 'C', BAI2_SUMMARY },
	{ 327, 'C', BAI2_SUMMARY },
	{ 328, 'C', BAI2_SUMMARY },
	{ 329, 'C', BAI2_SUMMARY },
	{ 330, 'C', BAI2_SUMMARY },
	{ 331, 'C', BAI2_OTHER },
	{ 332, 'C', BAI2_SUMMARY },
	{ 336, 'C', BAI2_SUMMARY },
	{ 338, 'C', BAI2_SUMMARY },
	{ 340, 'C', BAI2_SUMMARY },
	{ 341, 'C', BAI2_SUMMARY },
	{ 342, 'C', BAI2_OTHER },
	{ 343, 'C', BAI2_SUMMARY },
	{ 344, 'C', BAI2_OTHER },
	{ 345, 'C', BAI2_OTHER },
	{ 346, 'C', BAI2_OTHER },
	{ 347, 'C', BAI2_OTHER },
	{ 348, 'C', BAI2_OTHER },
	{ 349, 'C', BAI2_OTHER },
	{ 350, 'C', BAI2_SUMMARY },
	{ 351, 'C', BAI2_OTHER },
	{ 352, 'C', BAI2_SUMMARY },
	{ 353, 'C', BAI2_OTHER },
	{ 354, 'C', BAI2_OTHER },
	{ 355, 'C', BAI2_SUMMARY },
	{ 356, 'C', BAI2_SUMMARY },
	{ 357, 'C', BAI2_ADJUSTMENT },
	{ 358, 'C', BAI2_ADJUSTMENT },
	{ 359, 'C', BAI2_ADJUSTMENT },
	{ 361, 'C', BAI2_SUMMARY },
	{ 362, 'C', BAI2_OTHER },
	{ 363, 'C', BAI2_ADJUSTMENT },
	{ 364, 'C', BAI2_OTHER },
	{ 366, 'C', BAI2_RECEIPT },
	{ 367, 'C', BAI2_OTHER },
	{ 368, 'C', BAI2_ADJUSTMENT },
	{ 369, 'C', BAI2_OTHER },
	{ 370, 'C', BAI2_SUMMARY },
	{ 372, 'C', BAI2_ADJUSTMENT },
	{ 373, 'C', BAI2_OTHER },
	{ 374, 'C', BAI2_OTHER },
	{ 376, 'C', BAI2_ADJUSTMENT },
	{ 377, 'C', BAI2_OTHER },
	{ 378, 'C', BAI2_OTHER },
	{ 379, 'C', BAI2_OTHER },
	{ 381, 'C', BAI2_ADJUSTMENT },
	{ 382, 'C', BAI2_OTHER },
	{ 383, 'C', BAI2_ADJUSTMENT },
	{ 384, 'C', BAI2_OTHER },
	{ 385, 'C', BAI2_SUMMARY },
	{ 386, 'C', BAI2_ADJUSTMENT },
	{ 387, 'C', BAI2_OTHER },
	{ 388, 'C', BAI2_ADJUSTMENT },
	{ 389, 'C', BAI2_SUMMARY },
	{ 390, 'C', BAI2_SUMMARY },
	{ 391, 'C', BAI2_RECEIPT },
	{ 392, 'C', BAI2_OTHER },
	{ 393, 'C', BAI2_RECEIPT },
	{ 394, 'C', BAI2_OTHER },
	{ 395, 'C', BAI2_REVERSAL },
	{ 397, 'C', BAI2_ADJUSTMENT },
	{ 398, 'C', BAI2_ADJUSTMENT },
	{ 399, 'C', BAI2_RECEIPT },
	{ 400, 'D', BAI2_SUMMARY },
	{ 401, 'D', BAI2_SUMMARY },
	{ 402, 'D', BAI2_SUMMARY },
	{ 403, 'D', BAI2_SUMMARY },
	{ 406, 'D', BAI2_SUMMARY },
	{ 408, 'D', BAI2_ADJUSTMENT },
	{ 409, 'D', BAI2_OTHER },
	{ 410, 'D', BAI2_SUMMARY },
	{ 412, 'D', BAI2_SUMMARY },
	{ 415, 'D', BAI2_OTHER },
	{ 416, 'D', BAI2_SUMMARY },
	{ 420, 'D', BAI2_SUMMARY },
	{ 421, 'D', BAI2_OTHER },
	{ 422, 'D', BAI2_OTHER },
	{ 423, 'D', BAI2_RETURN },
	{ 430, 'D', BAI2_SUMMARY },
	{ 435, 'D', BAI2_OTHER },
	{ 445, 'D', BAI2_OTHER },
	{ 446, 'D', BAI2_SUMMARY },
	{ 447, 'D', BAI2_OTHER },
	{ 450, 'D', BAI2_SUMMARY },
	{ 451, 'D', BAI2_OTHER },
	{ 452, 'D', BAI2_OTHER },
	{ 455, 'D', BAI2_OTHER },
	{ 458, 'D', BAI2_OTHER },
	{ 459, 'D', BAI2_SUMMARY },
	{ 462, 'D', BAI2_OTHER },
	{ 463, 'D', BAI2_SUMMARY },
	{ 464, 'D', BAI2_OTHER },
	{ 465, 'D', BAI2_SUMMARY },
	{ 466, 'D', BAI2_OTHER },
	{ 467, 'D', BAI2_SUMMARY },
	{ 468, 'D', BAI2_RETURN },
	{ 469, 'D', BAI2_OTHER },
	{ 470, 'D', BAI2_SUMMARY },
	{ 471, 'D', BAI2_SUMMARY },
	{ 472, 'D', BAI2_OTHER },
	{ 474, 'D', BAI2_OTHER },
	{ 475, 'D', BAI2_OTHER },
	{ 476, 'D', BAI2_OTHER },
	{ 477, 'D', BAI2_OTHER },
	{ 478, 'D', BAI2_SUMMARY },
	{ 479, 'D', BAI2_OTHER },
	{ 480, 'D', BAI2_SUMMARY },
	{ 481, 'D', BAI2_OTHER },
	{ 482, 'D', BAI2_SUMMARY },
	{ 484, 'D', BAI2_OTHER },
	{ 485, 'D', BAI2_OTHER },
	{ 486, 'D', BAI2_SUMMARY },
	{ 487, 'D', BAI2_OTHER },
	{ 489, 'D', BAI2_ADJUSTMENT },
	{ 490, 'D', BAI2_SUMMARY },
	{ 491, 'D', BAI2_OTHER },
	{ 493, 'D', BAI2_OTHER },
	{ 495, 'D', BAI2_OTHER },
	{ 496, 'D', BAI2_ADJUSTMENT },
	{ 498, 'D', BAI2_OTHER },
	{ 500, 'D', BAI2_SUMMARY },
	{ 501, 'D', BAI2_OTHER },
	{ 502, 'D', BAI2_OTHER },
	{ 505, 'D', BAI2_SUMMARY },
	{ 506, 'D', BAI2_OTHER },
	{ 507, 'D', BAI2_SUMMARY },
	{ 508, 'D', BAI2_OTHER },
	{ 510, 'D', BAI2_SUMMARY },
	{ 512, 'D', BAI2_OTHER },
	{ 513, 'D', BAI2_OTHER },
	{ 514, 'D', BAI2_OTHER },
	{ 515, 'D', BAI2_SUMMARY },
	{ 516, 'D', BAI2_OTHER },
	{ 518, 'D', BAI2_OTHER },
	{ 522, 'D', BAI2_OTHER },
	{ 524, 'D', BAI2_OTHER },
	{ 526, 'D', BAI2_OTHER },
	{ 527, 'D', BAI2_OTHER },
	{ 529, 'D', BAI2_OTHER },
	{ 530, 'D', BAI2_SUMMARY },
	{ 531, 'D', BAI2_OTHER },
	{ 532, 'D', BAI2_SUMMARY },
	{ 533, 'D', BAI2_OTHER },
	{ 534, 'D', BAI2_SUMMARY },
	{ 535, 'D', BAI2_OTHER },
	{ 536, 'D', BAI2_SUMMARY },
	{ 537, 'D', BAI2_SUMMARY },
	{ 538, 'D', BAI2_OTHER },
	{ 539, 'D', BAI2_SUMMARY },
	{ 540, 'D', BAI2_OTHER },
	{ 541, 'D', BAI2_OTHER },
	{ 542, 'D', BAI2_OTHER },
	{ 543, 'D', BAI2_OTHER },
	{ 544, 'D', BAI2_OTHER },
	{ 546, 'D', BAI2_OTHER },
	{ 547, 'D', BAI2_OTHER },
	{ 548, 'D', BAI2_ADJUSTMENT },
	{ 549, 'D', BAI2_OTHER },
	{ 550, 'D', BAI2_SUMMARY },
	{ 551, 'D', BAI2_SUMMARY },
	{ 552, 'D', BAI2_REVERSAL },
	{ 554, 'D', BAI2_ADJUSTMENT },
	{ 555, 'D', BAI2_RETURN },
	{ 556, 'D', BAI2_SUMMARY },
	{ 557, 'D', BAI2_RETURN },
	{ 558, 'D', BAI2_REVERSAL },
	{ 560, 'D', BAI2_SUMMARY },
	{ 561, 'D', BAI2_REJECT },
	{ 563, 'D', BAI2_OTHER },
	{ 564, 'D', BAI2_OTHER },
	{ 566, 'D', BAI2_RETURN },
	{ 567, 'D', BAI2_OTHER },
	{ 568, 'D', BAI2_ADJUSTMENT },
	{ 570, 'D', BAI2_SUMMARY },
	{ 574, 'D', BAI2_OTHER },
	{ 575, 'D', BAI2_OTHER },
	{ 577, 'D', BAI2_OTHER },
	{ 578, 'D', BAI2_ADJUSTMENT },
	{ 580, 'D', BAI2_SUMMARY },
	{ 581, 'D', BAI2_OTHER },
	{ 583, 'D', BAI2_SUMMARY },
	{ 584, 'D', BAI2_SUMMARY },
	{ 585, 'D', BAI2_SUMMARY },
	{ 586, 'D', BAI2_SUMMARY },
	{ 587, 'D', BAI2_SUMMARY },
	{ 588, 'D', BAI2_SUMMARY },
	{ 590, 'D', BAI2_SUMMARY },
	{ 594, 'D', BAI2_SUMMARY },
	{ 595, 'D', BAI2_OTHER },
	{ 596, 'D', BAI2_SUMMARY },
	{ 597, 'D', BAI2_OTHER },
	{ 601, 'D', BAI2_SUMMARY },
	{ 602, 'D', BAI2_SUMMARY },
	{ 610, 'D', BAI2_SUMMARY },
	{ 611, 'D', BAI2_SUMMARY },
	{ 612, 'D', BAI2_SUMMARY },
	{ 613, 'D', BAI2_SUMMARY },
	{ 614, 'D', BAI2_SUMMARY },
	{ 616, 'D', BAI2_OTHER },
	{ 617, 'D', BAI2_SUMMARY },
	{ 618, 'D', BAI2_SUMMARY },
	{ 621, 'D', BAI2_SUMMARY },
	{ 622, 'D', BAI2_OTHER },
	{ 623, 'D', BAI2_SUMMARY },
	{ 625, 'D', BAI2_SUMMARY },
	{ 626, 'D', BAI2_SUMMARY },
	{ 627, 'D', BAI2_OTHER },
	{ 628, 'D', BAI2_SUMMARY },
	{ 629, 'D', BAI2_OTHER },
	{ 630, 'D', BAI2_SUMMARY },
	{ 631, 'D', BAI2_ADJUSTMENT },
	{ 632, 'D', BAI2_SUMMARY },
	{ 633, 'D', BAI2_OTHER },
	{ 634, 'D', BAI2_ADJUSTMENT },
	{ 640, 'D', BAI2_SUMMARY },
	{ 641, 'D', BAI2_OTHER },
	{ 644, 'D', BAI2_OTHER },
	{ 646, 'D', BAI2_SUMMARY },
	{ 650, 'D', BAI2_SUMMARY },
	{ 651, 'D', BAI2_OTHER },
	{ 654, 'D', BAI2_OTHER },
	{ 655, 'D', BAI2_SUMMARY },
	{ 656, 'D', BAI2_OTHER },
	{ 657, 'D', BAI2_OTHER },
	{ 658, 'D', BAI2_OTHER },
	{ 659, 'D', BAI2_ADJUSTMENT },
	{ 661, 'D', BAI2_OTHER },
	{ 662, 'D', BAI2_OTHER },
	{ 663, 'D', BAI2_ADJUSTMENT },
	{ 664, 'D', BAI2_OTHER },
	{ 665, 'D', BAI2_SUMMARY },
	{ 666, 'D', BAI2_OTHER },
	{ 667, 'D', BAI2_OTHER },
	{ 668, 'D', BAI2_ADJUSTMENT },
	{ 669, 'D', BAI2_OTHER },
	{ 670, 'D', BAI2_SUMMARY },
	{ 672, 'D', BAI2_ADJUSTMENT },
	{ 673, 'D', BAI2_OTHER },
	{ 674, 'D', BAI2_OTHER },
	{ 676, 'D', BAI2_ADJUSTMENT },
	{ 677, 'D', BAI2_OTHER },
	{ 678, 'D', BAI2_OTHER },
	{ 679, 'D', BAI2_OTHER },
	{ 681, 'D', BAI2_ADJUSTMENT },
	{ 682, 'D', BAI2_OTHER },
	{ 683, 'D', BAI2_ADJUSTMENT },
	{ 684, 'D', BAI2_OTHER },
	{ 685, 'D', BAI2_SUMMARY },
	{ 686, 'D', BAI2_ADJUSTMENT },
	{ 687, 'D', BAI2_OTHER },
	{ 688, 'D', BAI2_ADJUSTMENT },
	{ 689, 'D', BAI2_SUMMARY },
	{ 690, 'D', BAI2_SUMMARY },
	{ 691, 'D', BAI2_OTHER },
	{ 692, 'D', BAI2_OTHER },
	{ 693, 'D', BAI2_OTHER },
	{ 694, 'D', BAI2_REVERSAL },
	{ 695, 'D', BAI2_ADJUSTMENT },
	{ 696, 'D', BAI2_OTHER },
	{ 697, 'D', BAI2_OTHER },
	{ 698, 'D', BAI2_OTHER },
	{ 699, 'D', BAI2_OTHER },
	{ 701, '-', BAI2_STATUS },
	{ 703, '-', BAI2_STATUS },
	{ 705, '-', BAI2_STATUS },
	{ 706, 'C', BAI2_OTHER },
	{ 707, '-', BAI2_STATUS },
	{ 708, 'C', BAI2_OTHER },
	{ 709, '-', BAI2_STATUS },
	{ 720, 'C', BAI2_SUMMARY },
	{ 721, 'C', BAI2_OTHER },
	{ 722, 'C', BAI2_OTHER },
	{ 723, 'C', BAI2_OTHER },
	{ 724, 'C', BAI2_OTHER },
	{ 725, 'C', BAI2_OTHER },
	{ 726, 'C', BAI2_OTHER },
	{ 727, 'C', BAI2_OTHER },
	{ 728, 'C', BAI2_OTHER },
	{ 760, 'D', BAI2_SUMMARY },
	{ 827, 'C', BAI2_SUMMARY },
	{ 828, 'D', BAI2_SUMMARY },
	{ 829, 'C', BAI2_SUMMARY },
	{ 890, '-', BAI2_OTHER },
	{ 906, '-', BAI2_OTHER },
	{ 907, '-', BAI2_OTHER },
};

static const char *const bai2_class_names[] = { "status", "summary",
    "receipt", "return", "reversal", "reject", "adjustment", "other" };

static int
cmp_type(const void *k, const void *e)
{
	return *(const int *)k - ((const struct bai2_type *)e)->code;
}

const char *
br_bai2_class(int type)
{
	const struct bai2_type *t = bsearch(&type, bai2_types,
	    sizeof(bai2_types) / sizeof(bai2_types[0]), sizeof(bai2_types[0]),
	    cmp_type);

	return bai2_class_names[t != NULL ? t->cls : BAI2_OTHER];
}

static int
end16(struct bai2 *p)
{
	struct br_payrec *r = &p->pr;
	int type;

	if (!p->have16)
		return 0;
	p->have16 = 0;
	if (p->f16 < F_FUNDS) {
		p->code = 16;
		return bad(p, "record ends before the amount field");
	}
	type = (r->txn_code[0] - '0') * 100 + (r->txn_code[1] - '0') * 10 +
	    (r->txn_code[2] - '0');
	r->debit = type >= 400 && type <= 699;
	r->item_class = br_bai2_class(type);
	if (strcmp(r->item_class, "receipt") == 0) {
		r->kind = BR_PAYREC_PAYMENT;
	} else if (r->debit && (strcmp(r->item_class, "return") == 0 ||
	    strcmp(r->item_class, "reversal") == 0 ||
	    strcmp(r->item_class, "reject") == 0)) {
		/* Money taken back from the utility: the reversal of a
		 * customer's payment, matched like a NACHA return. */
		r->kind = BR_PAYREC_RETURN;
		find_return_code(r);
	} else {
		r->kind = BR_PAYREC_OTHER;
		if (strcmp(r->item_class, "other") != 0)
			find_return_code(r);
	}
	if (p->t != NULL) {
		if (type >= 100 && type <= 399)
			p->t->credit_cents += r->amount_cents;
		else if (r->debit)
			p->t->debit_cents += r->amount_cents;
	}
	p->acct_sum += r->amount_cents;
	if (p->on_rec != NULL && p->on_rec(p->ctx, r, p->err) < 0)
		return -1;
	return 0;
}

/* End the logical record that 88s could still continue. */
static int
end_logical(struct bai2 *p)
{
	int rc = 0;

	if (p->cur == 3)
		rc = end03(p);
	else if (p->cur == 16)
		rc = end16(p);
	p->cur = 0;
	return rc;
}

/* Read all fields of a simple record into f (at most NFLD kept). */
static int
read_fields(const char *s, size_t n, size_t *i, char f[NFLD][FLD_MAX])
{
	char tmp[FLD_MAX];
	int end = 0, k = 0;

	while (!end) {
		next_field(s, n, i, k < NFLD ? f[k] : tmp, &end);
		if (k < NFLD)
			k++;
	}
	for (end = k; end < NFLD; end++)
		f[end][0] = '\0';
	return k;
}

static int
trailer_num(struct bai2 *p, const char *f, const char *what, int sign,
    int64_t *v)
{
	if (parse_amount(f, sign, v) < 0)
		return bad(p, "%s '%s' is not a number", what, f);
	return 0;
}

/* One record starting at *i (the record code); advances *i. */
static int
one_record(struct bai2 *p, int code, const char *s, size_t n, size_t *i)
{
	char f[NFLD][FLD_MAX];
	int64_t total = 0, cnt = 0, nacc = 0;
	struct br_bai2_totals *t = p->t;

	p->code = code;
	*i += 3;
	if (p->done)
		return bad(p, "record after the 99 file trailer");
	if (!p->have_file && code != 1)
		return bad(p, "file must start with an 01 file header");
	p->nrec++;
	if (code == 88) {
		if (p->cur == 3)
			return feed03(p, s, n, i, 0);
		if (p->cur == 16)
			return feed16(p, s, n, i);
		if (p->cur == 0)
			return bad(p, "continuation without a record to "
			    "continue");
		read_fields(s, n, i, f);
		return 0;
	}
	if (end_logical(p) < 0)
		return -1;
	p->code = code;
	switch (code) {
	case 1:
		if (p->have_file)
			return bad(p, "second file header");
		read_fields(s, n, i, f);
		p->have_file = 1;
		p->cur = 1;
		return 0;
	case 2:
		if (p->in_group)
			return bad(p, "group header inside group (missing 98 "
			    "group trailer)");
		read_fields(s, n, i, f);
		if (yymmdd(f[3], p->asof) < 0)
			return bad(p, "as-of date '%s' is not YYMMDD", f[3]);
		snprintf(p->originator, sizeof(p->originator), "%.30s/", f[1]);
		snprintf(p->grp_ccy, sizeof(p->grp_ccy), "%.3s", f[5]);
		p->orig_len = strlen(p->originator);
		p->in_group = 1;
		p->grp_start = p->nrec;
		p->grp_sum = 0;
		p->g_accounts = 0;
		p->groups++;
		p->cur = 2;
		return 0;
	case 3:
		if (!p->in_group || p->in_account)
			return bad(p, "account identifier %s",
			    p->in_account ? "inside an account (missing 49 "
			    "account trailer)" : "outside a group");
		p->in_account = 1;
		p->acct_start = p->nrec;
		p->acct_sum = 0;
		p->acct_ccy[0] = '\0';
		p->npend = 0;
		p->accounts++;
		p->g_accounts++;
		p->cur = 3;
		return feed03(p, s, n, i, 1);
	case 16:
		if (!p->in_account)
			return bad(p, "transaction detail outside an account");
		memset(&p->pr, 0, sizeof(p->pr));
		p->pr.file = p->path;
		p->pr.line = p->line;
		memcpy(p->pr.date, p->asof, sizeof(p->pr.date));
		memcpy(p->pr.originator, p->originator,
		    sizeof(p->pr.originator));
		snprintf(p->pr.currency, sizeof(p->pr.currency), "%s",
		    p->acct_ccy[0] ? p->acct_ccy : p->grp_ccy[0] ? p->grp_ccy :
		    "USD");
		p->f16 = F_TYPE;
		p->extras_left = 0;
		p->text_started = 0;
		p->have16 = 1;
		p->cur = 16;
		if (t != NULL)
			t->details++;
		return feed16(p, s, n, i);
	case 49:
		if (!p->in_account)
			return bad(p, "account trailer without an account");
		read_fields(s, n, i, f);
		if (trailer_num(p, f[0], "account control total", 1,
		    &total) < 0 || trailer_num(p, f[1], "number of records",
		    0, &cnt) < 0)
			return -1;
		if (total != p->acct_sum && mismatch(p, "control total %lld "
		    "does not match the sum of detail amounts %lld",
		    (long long)total, (long long)p->acct_sum) < 0)
			return -1;
		if (cnt != p->nrec - p->acct_start + 1 && mismatch(p,
		    "number of records %lld does not match the %ld records "
		    "03..49", (long long)cnt, p->nrec - p->acct_start + 1) < 0)
			return -1;
		p->grp_sum += total;
		p->in_account = 0;
		p->cur = 49;
		return 0;
	case 98:
		if (!p->in_group || p->in_account)
			return bad(p, "group trailer %s", p->in_account ?
			    "inside an account (missing 49 account trailer)" :
			    "without a group");
		read_fields(s, n, i, f);
		if (trailer_num(p, f[0], "group control total", 1,
		    &total) < 0 || trailer_num(p, f[1], "number of accounts",
		    0, &nacc) < 0 || trailer_num(p, f[2], "number of records",
		    0, &cnt) < 0)
			return -1;
		if (total != p->grp_sum && mismatch(p, "control total %lld "
		    "does not match the sum of account control totals %lld",
		    (long long)total, (long long)p->grp_sum) < 0)
			return -1;
		if (nacc != p->g_accounts && mismatch(p, "number of accounts "
		    "%lld does not match the %ld accounts of the group",
		    (long long)nacc, p->g_accounts) < 0)
			return -1;
		if (cnt != p->nrec - p->grp_start + 1 && mismatch(p,
		    "number of records %lld does not match the %ld records "
		    "02..98", (long long)cnt, p->nrec - p->grp_start + 1) < 0)
			return -1;
		p->file_sum += total;
		p->in_group = 0;
		p->cur = 98;
		return 0;
	case 99:
		if (p->in_group)
			return bad(p, "file trailer inside a group (missing 98 "
			    "group trailer)");
		read_fields(s, n, i, f);
		if (trailer_num(p, f[0], "file control total", 1,
		    &total) < 0 || trailer_num(p, f[1], "number of groups",
		    0, &nacc) < 0 || trailer_num(p, f[2], "number of records",
		    0, &cnt) < 0)
			return -1;
		if (total != p->file_sum && mismatch(p, "control total %lld "
		    "does not match the sum of group control totals %lld",
		    (long long)total, (long long)p->file_sum) < 0)
			return -1;
		if (nacc != p->groups && mismatch(p, "number of groups %lld "
		    "does not match the %ld groups of the file",
		    (long long)nacc, p->groups) < 0)
			return -1;
		if (cnt != p->nrec && mismatch(p, "number of records %lld "
		    "does not match the %ld records 01..99", (long long)cnt,
		    p->nrec) < 0)
			return -1;
		if (t != NULL)
			t->file_total = total;
		p->done = 1;
		p->cur = 99;
		return 0;
	default:
		return bad(p, "unknown record code %02d", code);
	}
}

static int
one_line(struct bai2 *p, const char *s, size_t n)
{
	size_t i = 0;
	int code;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= n)
			break;
		code = code_at(s + i, n - i);
		if (code < 0) {
			if (i == 0 && p->cur == 16 && p->f16 == F_TEXT) {
				read_text(p, s, n, &i);	/* wrapped text */
				continue;
			}
			p->code = 0;
			if (!p->have_file)
				return br_error_set(p->err, BR_EINPUT, p->path,
				    p->line, "01 file header: file must start "
				    "with record code 01");
			return br_error_set(p->err, BR_EINPUT, p->path,
			    p->line, "%s: expected a record code ('NN,') at "
			    "column %zu", p->cur == 0 ? "record" :
			    rec_name(p->cur), i + 1);
		}
		if (one_record(p, code, s, n, &i) < 0)
			return -1;
	}
	return 0;
}

int
br_bai2_parse_ex(const char *path, unsigned flags, br_payrec_fn on_rec,
    void *ctx, struct br_bai2_totals *totals, char sha_hex[65],
    struct br_error *err)
{
	struct br_linereader lr;
	struct bai2 *p;
	const char *line = NULL;
	size_t n = 0, k;
	int rc = 0, got;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	if (br_linereader_open(&lr, path, err) < 0) {
		free(p);
		return -1;
	}
	if (totals != NULL)
		memset(totals, 0, sizeof(*totals));
	p->path = path;
	p->flags = flags;
	p->on_rec = on_rec;
	p->ctx = ctx;
	p->err = err;
	p->t = totals;
	while ((got = br_linereader_next(&lr, &line, &n, err)) == 1) {
		p->line = lr.lineno;
		for (k = 0; k < n; k++)
			if ((unsigned char)line[k] < 0x20 && line[k] != '\t')
				break;
		if (k < n) {
			rc = br_error_set(err, BR_EINPUT, path, p->line,
			    "control character 0x%02x at column %zu",
			    (unsigned char)line[k], k + 1);
			break;
		}
		if ((rc = one_line(p, line, n)) < 0)
			break;
	}
	if (got < 0)
		rc = -1;
	if (rc == 0 && !p->have_file)
		rc = br_error_set(err, BR_EINPUT, path, p->line,
		    "empty file: no 01 file header");
	else if (rc == 0 && !p->done)
		rc = br_error_set(err, BR_EINPUT, path, p->line,
		    "99 file trailer missing at end of file");
	if (rc == 0 && totals != NULL) {
		totals->groups = p->groups;
		totals->accounts = p->accounts;
		totals->records = p->nrec;
	}
	br_linereader_close(&lr, rc == 0 ? sha_hex : NULL);
	free(p);
	return rc;
}

int
br_bai2_parse(const char *path, br_payrec_fn on_rec, void *ctx,
    struct br_bai2_totals *totals, char sha_hex[65], struct br_error *err)
{
	return br_bai2_parse_ex(path, 0, on_rec, ctx, totals, sha_hex, err);
}
