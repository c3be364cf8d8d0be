/* SPDX-License-Identifier: Apache-2.0 */
/*
 * read.c: reads a payment file whole into items (struct item): CSV by
 * column mapping, and the bank files (BAI2, NACHA, BAI lockbox, camt)
 * through their parsers' common record (payrec.h); detects a file's
 * format.  Validation (control totals, amount cap, currency) happens here,
 * before anything is stored.
 */
#include "pay/pay_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "formats/bai2.h"
#include "formats/camt.h"
#include "io/csvio.h"
#include "io/input.h"
#include "formats/lockbox.h"
#include "core/money.h"
#include "core/text.h"
#include "formats/nacha.h"
#include "formats/payrec.h"
#include "core/banned.h"

/* An item's amount above the cap is refused (setting amount_cap_cents). */
static int
check_cap(const struct reader *r, long line, int64_t cents,
    struct br_error *err)
{
	char a[32], c[32];

	if (cents <= r->cap_cents && cents >= -r->cap_cents)
		return 0;
	return br_error_set(err, BR_EINPUT, r->file, line, "amount %s is "
	    "above the cap of %s per item (setting amount_cap_cents)",
	    br_cents_format(cents, a, sizeof(a)),
	    br_cents_format(r->cap_cents, c, sizeof(c)));
}

/*
 * One text field of an item, as it will be stored: no control byte and
 * well-formed UTF-8 (a payer reference goes to the ledger and to every
 * report).  A field cut to its buffer may end inside a character: the
 * cut piece is dropped, not taken for bad input.
 */
static int
check_text(const struct reader *r, long line, char *s, size_t size,
    const char *field, struct br_error *err)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), k = br_utf8_check(s, n), i;
	bool cut = k != n && n == size - 1 && n - k < 4 && u[k] >= 0xc2 &&
	    u[k] <= 0xf4;

	for (i = k + 1; cut && i < n; i++)
		cut = u[i] >= 0x80 && u[i] <= 0xbf;
	if (cut) {			/* a lead byte, then continuations */
		s[k] = '\0';
		n = k;
	}
	return br_text_check(s, n, r->file, line, field, err);
}

/* Every text field of it; names: the file's columns, or NULL (bank). */
static int
check_item_text(const struct reader *r, struct item *it,
    const struct br_paymap *names, struct br_error *err)
{
#define TXT(f, col) check_text(r, it->line, it->f, sizeof(it->f), \
	names && names->col.name[0] ? names->col.name : #f, err)
	return TXT(account, account) || TXT(bill, bill) ||
	    TXT(scan, scan_line) || TXT(reference, reference) ||
	    TXT(method, method) ||
	    check_text(r, it->line, it->orig_trace, sizeof(it->orig_trace),
	    "original_trace", err) ||
	    check_text(r, it->line, it->corrected, sizeof(it->corrected),
	    "corrected_data", err) ||
	    check_text(r, it->line, it->originator, sizeof(it->originator),
	    "originator", err) ? -1 : 0;
#undef TXT
}

static struct item *
new_item(struct reader *r, struct br_error *err)
{
	struct item *it;

	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 64;
		struct item *nv = realloc(r->v, nc * sizeof(*nv));
		if (nv == NULL) {
			br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
			return NULL;
		}
		r->v = nv;
		r->cap = nc;
	}
	it = &r->v[r->n++];
	memset(it, 0, sizeof(*it));
	return it;
}

/* Number items that share a physical line (BAI2 records per line). */
static void
set_line(struct reader *r, struct item *it, long line)
{
	it->line = line;
	if (r->n >= 2 && r->v[r->n - 2].line == line)
		it->seq = r->v[r->n - 2].seq + 1;
}

/* ---- CSV by mapping ---- */

static int
find_col(const struct br_csv_record *rec, const struct reader *r,
    const struct br_paymap_col *c, int required, int *out,
    struct br_error *err)
{
	*out = -1;
	if (c->name[0] == '\0')
		return 0;
	*out = br_csv_column(rec, c->name);
	if (*out < 0 && required)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "missing column '%s'", c->name);
	return 0;
}

static void
get_col(const struct br_csv_record *rec, const struct reader *r,
    const struct br_paymap_col *c, int idx, char *out, size_t n)
{
	if (idx < 0) {
		out[0] = '\0';
		return;
	}
	br_paymap_part(br_csv_field(rec, idx), r->map->separator, c->part,
	    out, n);
}

static int
on_csv(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct reader *r = ctx;
	const struct br_paymap *m = r->map;
	struct item *it;
	char buf[128];

	if (rec->index == 0) {
		if (find_col(rec, r, &m->date, 1, &r->c_date, err) != 0 ||
		    find_col(rec, r, &m->amount, 1, &r->c_amount, err) != 0 ||
		    find_col(rec, r, &m->account, 1, &r->c_account, err) != 0 ||
		    find_col(rec, r, &m->bill, 1, &r->c_bill, err) != 0 ||
		    find_col(rec, r, &m->scan_line, 1, &r->c_scan, err) != 0 ||
		    find_col(rec, r, &m->reference, 0, &r->c_reference,
		    err) != 0 ||
		    find_col(rec, r, &m->method, 0, &r->c_method, err) != 0)
			return -1;
		r->c_include = -1;
		if (m->include_column[0] != '\0' &&
		    (r->c_include = br_csv_column(rec, m->include_column)) < 0)
			return br_error_set(err, BR_EINPUT, r->file, rec->line,
			    "missing column '%s'", m->include_column);
		return 0;
	}
	if ((it = new_item(r, err)) == NULL)
		return -1;
	it->line = rec->line;
	it->kind = IT_PAYMENT;
	get_col(rec, r, &m->date, r->c_date, buf, sizeof(buf));
	if (br_paymap_date(m, buf, it->date) != 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "bad date '%s' in column '%s' (want %s)", buf, m->date.name,
		    m->date_format);
	get_col(rec, r, &m->amount, r->c_amount, buf, sizeof(buf));
	if (m->amount_cents) {
		int64_t v;

		if (br_int_parse(buf, (size_t)-1, INT64_MIN, INT64_MAX,
		    &v) != 0)
			return br_error_set(err, BR_EINPUT, r->file, rec->line,
			    "bad amount '%s' in column '%s' (want cents)", buf,
			    m->amount.name);
		it->amount_cents = v;
	} else if (br_decimal_parse(buf, (size_t)-1, 2,
	    &it->amount_cents) != 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "bad amount '%s' in column '%s' (want dollars like 12.34)",
		    buf, m->amount.name);
	if (check_cap(r, rec->line, it->amount_cents, err) != 0)
		return -1;
	if (r->c_include >= 0 && strcmp(br_csv_field(rec, r->c_include),
	    m->include_value) != 0) {
		const char *v = br_csv_field(rec, r->c_include);

		/* Not a payment: a refund or a chargeback is posted as its
		 * own ledger kind; any other row (fee, adjustment) is
		 * counted, not posted. */
		it->kind = m->refund_value[0] && strcmp(v,
		    m->refund_value) == 0 ? IT_REFUND :
		    m->chargeback_value[0] && strcmp(v,
		    m->chargeback_value) == 0 ? IT_CHARGEBACK : IT_OTHER;
		it->signed_cents = it->amount_cents;
		it->amount_cents = it->amount_cents < 0 ? -it->amount_cents :
		    it->amount_cents;
		if (br_pay_add_cents(&r->control_cents, it->signed_cents, r->file,
		    rec->line, err) != 0)
			return -1;
		if (it->kind != IT_OTHER && it->amount_cents == 0)
			return br_error_set(err, BR_EINPUT, r->file,
			    rec->line, "%s of 0.00", v);
		goto fields;
	}
	if (it->amount_cents <= 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "amount '%s' in column '%s' must be positive", buf,
		    m->amount.name);
	if (r->as_of != NULL && strcmp(it->date, r->as_of) > 0)
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "date '%s' in column '%s' is after the as-of date %s",
		    it->date, m->date.name, r->as_of);
	it->signed_cents = it->amount_cents;
	if (br_pay_add_cents(&r->control_cents, it->amount_cents, r->file, rec->line,
	    err) != 0)
		return -1;
fields:
	get_col(rec, r, &m->account, r->c_account, it->account,
	    sizeof(it->account));
	if (strlen(br_csv_field(rec, r->c_account)) >= sizeof(it->account))
		return br_error_set(err, BR_EINPUT, r->file, rec->line,
		    "account id too long in column '%s'", m->account.name);
	get_col(rec, r, &m->bill, r->c_bill, it->bill, sizeof(it->bill));
	get_col(rec, r, &m->scan_line, r->c_scan, it->scan, sizeof(it->scan));
	get_col(rec, r, &m->reference, r->c_reference, it->reference,
	    sizeof(it->reference));
	it->traced = it->reference[0] != '\0';
	get_col(rec, r, &m->method, r->c_method, it->method,
	    sizeof(it->method));
	if (it->method[0] == '\0')
		snprintf(it->method, sizeof(it->method), "%s",
		    m->method_default);
	return check_item_text(r, it, m, err);
}

/* ---- bank files ---- */

static int
on_payrec(void *ctx, const struct br_payrec *p, struct br_error *err)
{
	struct reader *r = ctx;
	struct item *it;
	int nacha = strcmp(r->format, "nacha") == 0;

	if ((it = new_item(r, err)) == NULL)
		return -1;
	set_line(r, it, p->line);
	it->amount_cents = p->amount_cents;
	snprintf(it->date, sizeof(it->date), "%s", p->date);
	snprintf(it->account, sizeof(it->account), "%s", p->account_ref);
	snprintf(it->scan, sizeof(it->scan), "%s", p->scan_line);
	snprintf(it->reference, sizeof(it->reference), "%s", p->bank_ref);
	snprintf(it->code, sizeof(it->code), "%s",
	    p->kind == BR_PAYREC_NOC ? p->noc_code : p->return_code);
	snprintf(it->orig_trace, sizeof(it->orig_trace), "%s",
	    p->original_trace);
	snprintf(it->corrected, sizeof(it->corrected), "%s",
	    p->corrected_data);
	snprintf(it->originator, sizeof(it->originator), "%s", p->originator);
	it->cls = p->item_class;
	it->traced = p->bank_ref[0] != '\0';
	if (check_cap(r, p->line, p->amount_cents, err) != 0)
		return -1;
	if (p->sub_cent)
		snprintf(it->hold, sizeof(it->hold), "SUB_CENT_AMOUNT");
	else if (p->currency[0] != '\0' && strcmp(p->currency,
	    r->currency) != 0)
		snprintf(it->hold, sizeof(it->hold), "CURRENCY_MISMATCH");
	if (nacha)
		snprintf(it->method, sizeof(it->method), "ach-%s",
		    p->sec_code);
	else if (strcmp(r->format, "lockbox") == 0)
		snprintf(it->method, sizeof(it->method), "check");
	else if (strcmp(r->format, "camt") == 0)
		snprintf(it->method, sizeof(it->method), "camt-%s",
		    p->txn_code);
	else
		snprintf(it->method, sizeof(it->method), "bai2-%s",
		    p->txn_code);
	/* Signed as the file's own control totals count it: BAI2 nets
	 * credits and debits, NACHA and lockbox add every amount. */
	it->signed_cents = !nacha && p->debit ? -p->amount_cents :
	    p->amount_cents;
	switch (p->kind) {
	case BR_PAYREC_PAYMENT:
		/* NACHA: the utility's debits collect from customers; a
		 * credit entry pays someone, it is not AR cash. */
		it->kind = (nacha && !p->debit) || p->amount_cents == 0 ?
		    IT_OTHER : IT_PAYMENT;
		break;
	case BR_PAYREC_RETURN:
		it->kind = IT_RETURN;
		/* BAI2: the customer reference names the returned item;
		 * the account is not known. */
		if (!nacha && it->orig_trace[0] == '\0') {
			snprintf(it->orig_trace, sizeof(it->orig_trace), "%s",
			    p->account_ref);
			it->account[0] = '\0';
		}
		break;
	case BR_PAYREC_NOC:
		it->kind = IT_NOC;
		break;
	default:
		it->kind = IT_OTHER;
		break;
	}
	if (it->kind == IT_PAYMENT && r->as_of != NULL &&
	    strcmp(it->date, r->as_of) > 0)
		return br_error_set(err, BR_EINPUT, r->file, p->line,
		    "date %s is after the as-of date %s", it->date, r->as_of);
	return check_item_text(r, it, NULL, err);
}

int
br_payment_detect(const char *path, const char **format,
    struct br_error *err)
{
	struct br_input *in = br_input_open(path, err);
	char buf[4096], what[128];
	long got = 0, len = 0;

	if (in == NULL)
		return -1;
	while (len < (long)sizeof(buf) && (got = br_input_read(in, buf + len,
	    sizeof(buf) - (size_t)len, err)) > 0)
		len += got;
	br_input_close(in);
	if (got < 0)
		return -1;
	{
		const char *nl = memchr(buf, '\n', (size_t)len);
		long first = nl ? (long)(nl - buf) : len;
		int digits2 = len >= 3 && buf[0] >= '0' && buf[0] <= '9' &&
		    buf[1] >= '0' && buf[1] <= '9' && buf[2] == ',';

		if (first > 0 && buf[first - 1] == '\r')
			first--;
		if ((got = br_camt_sniff(buf, (size_t)len, what,
		    sizeof(what))) >= 0)
			*format = got == 1 ? "camt" : "xml";
		else if (digits2)
			*format = "bai2";	/* 01, (or a broken 00,) */
		else if (len >= 3 && memcmp(buf, "101", 3) == 0)
			*format = "nacha";
		else if (first == 94 && (buf[0] == '5' || buf[0] == '6'))
			*format = "nacha";	/* headless NACHA */
		else if (len >= 1 && buf[0] == '1')
			*format = "lockbox";	/* immediate address header */
		else
			*format = "csv";
	}
	return 0;
}

void
br_pay_reader_release(struct reader *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].key);
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

/* Parse the whole file.  OUT: sha. */
int
br_pay_read_file(struct reader *r, const char *name, char sha[65],
    struct br_error *err)
{
	if (strcmp(r->format, "csv") == 0) {
		if (br_csv_read(name, on_csv, r, sha, err) != 0)
			return -1;
		if (r->c_amount < 0)
			return br_error_set(err, BR_EINPUT, name, 1,
			    "empty file: missing header with column '%s'",
			    r->map->amount.name);
		return 0;
	}
	if (strcmp(r->format, "bai2") == 0) {
		struct br_bai2_totals t;

		if (br_bai2_parse(name, on_payrec, r, &t, sha, err) != 0)
			return -1;
		r->control_cents = t.credit_cents - t.debit_cents;
		return 0;
	}
	if (strcmp(r->format, "nacha") == 0) {
		struct br_nacha_totals t;

		if (br_nacha_parse(name, on_payrec, r, &t, sha, err) != 0)
			return -1;
		r->control_cents = t.debit_cents + t.credit_cents;
		return 0;
	}
	if (strcmp(r->format, "camt") == 0) {
		struct br_camt_totals t;

		if (br_camt_parse(name, on_payrec, r, &t, sha, err) != 0)
			return -1;
		if (__builtin_sub_overflow(t.credit_cents, t.debit_cents,
		    &r->control_cents))
			return br_error_set(err, BR_EINPUT, name, 0, "amounts "
			    "overflow the total of the file");
		return 0;
	}
	if (strcmp(r->format, "lockbox") == 0) {
		struct br_lockbox_totals t;

		if (br_lockbox_parse(name, on_payrec, r, &t, sha, err) != 0)
			return -1;
		r->control_cents = t.total_cents;
		return 0;
	}
	if (strcmp(r->format, "xml") == 0) {
		char buf[4096], what[128] = "";
		struct br_input *in = br_input_open(name, err);
		long got, len = 0;

		if (in == NULL)
			return -1;
		while (len < (long)sizeof(buf) && (got = br_input_read(in,
		    buf + len, sizeof(buf) - (size_t)len, err)) > 0)
			len += got;
		br_input_close(in);
		br_camt_sniff(buf, (size_t)len, what, sizeof(what));
		return br_error_set(err, BR_EINPUT, name, 1, "unsupported "
		    "format: XML document %s is not an ISO 20022 camt.053 or "
		    "camt.054", what);
	}
	return br_error_set(err, BR_EINPUT, name, 0, "unsupported format "
	    "'%s'", r->format);
}
