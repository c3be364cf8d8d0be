/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bai2.c: BAI2 parser.  A physical line is cut into records at record
 * codes; 88 continuations are merged into the logical 03 or 16 record by
 * small state machines (03: a token queue consumed one summary group at a
 * time; 16: the index of the next field, then free text).  Account, group
 * and file trailers are checked against the sums and record counts.  The
 * type code classification (br_bai2_class) is in bai2_codes.c.
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

/*
 * Read all fields of a simple record into f (at most NFLD kept, the
 * ones the record lacks left empty).  Every field is emptied first, by
 * an index bounded by NFLD alone: clearing "from k on" after the loop
 * made gcc 12 -O3 see a write past f (-Wstringop-overflow).
 */
static int
read_fields(const char *s, size_t n, size_t *i, char f[NFLD][FLD_MAX])
{
	char tmp[FLD_MAX];
	int end = 0, k = 0;
	size_t j;

	for (j = 0; j < NFLD; j++)
		f[j][0] = '\0';
	while (!end) {
		next_field(s, n, i, k < NFLD ? f[k] : tmp, &end);
		if (k < NFLD)
			k++;
	}
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
