/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lockbox.c: BAI fixed-width lockbox transmission parser with batch,
 * lockbox and record-count verification; stub overflow data that is a
 * valid scan line becomes the payment's account reference.
 */
#include "formats/lockbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/scanline.h"
#include "core/banned.h"

#define LB_MAX	160

struct lockbox {
	const char *path;
	long line;
	char rec[LB_MAX + 1];
	br_payrec_fn on_rec;
	void *ctx;
	struct br_error *err;

	int have_header, have_trailer, in_batch;
	long records, batches, checks;
	int64_t total;
	char date[11];
	char lockbox_no[8];	/* batch header positions 8-14 */
	long b_checks, l_checks;
	int64_t b_total, l_total;

	int have_check, n_overflow;
	char batch_item[7];
	struct br_payrec pr;
};

static const char *
rec_name(char t)
{
	switch (t) {
	case '1': return "1 header";
	case '2': return "2 service record";
	case '4': return "4 overflow";
	case '5': return "5 batch header";
	case '6': return "6 check detail";
	case '7': return "7 batch total";
	case '8': return "8 lockbox total";
	case '9': return "9 trailer";
	default: return "record";
	}
}

static int
bad(struct lockbox *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int
bad(struct lockbox *p, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return br_error_set(p->err, BR_EINPUT, p->path, p->line, "%s: %s",
	    rec_name(p->rec[0]), msg);
}

/*
 * The number in positions from..to into *v; -1 (and *v 0) when it is
 * not one.  Returning -1 itself, not bad()'s value, lets gcc -O3 see
 * that callers read *v only after success (no -Wmaybe-uninitialized).
 */
static int
num(struct lockbox *p, int from, int to, const char *field, int64_t *v)
{
	if (br_fixed_num(p->rec, from, to, v) != 0) {
		*v = 0;
		(void)bad(p, "%s (positions %d-%d) '%.*s' is not numeric",
		    field, from, to, to - from + 1, p->rec + from - 1);
		return -1;
	}
	return 0;
}

static void
field(const struct lockbox *p, int from, int to, char *dst, size_t n)
{
	br_fixed_field(p->rec, from, to, dst, n);
}

/* Date from 6 digits at s in order "YMD" or "MDY" into YYYY-MM-DD. */
static int
date6(const char *s, int mdy, char out[11])
{
	int i, y, m, d;
	const char *ys = mdy ? s + 4 : s, *ms = mdy ? s : s + 2,
	    *ds = mdy ? s + 2 : s + 4;

	for (i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	y = 2000 + (ys[0] - '0') * 10 + (ys[1] - '0');
	m = (ms[0] - '0') * 10 + (ms[1] - '0');
	d = (ds[0] - '0') * 10 + (ds[1] - '0');
	if (m < 1 || m > 12 || d < 1 || d > br_date_month_days(y, m))
		return -1;
	memcpy(out, "20", 2);
	memcpy(out + 2, ys, 2);
	out[4] = '-';
	memcpy(out + 5, ms, 2);
	out[7] = '-';
	memcpy(out + 8, ds, 2);
	out[10] = '\0';
	return 0;
}

static int
flush_check(struct lockbox *p)
{
	if (!p->have_check)
		return 0;
	p->have_check = 0;
	if (p->on_rec == NULL)
		return 0;
	return p->on_rec(p->ctx, &p->pr, p->err) < 0 ? -1 : 0;
}

static int
check_detail(struct lockbox *p)
{
	struct br_payrec *r = &p->pr;
	int64_t v, amt;
	char d[11];

	if (num(p, 2, 4, "batch number", &v) < 0 ||
	    num(p, 5, 7, "item number", &v) < 0 ||
	    num(p, 8, 17, "check amount", &amt) < 0)
		return -1;
	if (p->rec[46] != ' ' && date6(p->rec + 46, 1, d) < 0)
		return bad(p, "check date (positions 47-52) '%.6s' is not a "
		    "MMDDYY date", p->rec + 46);
	memset(r, 0, sizeof(*r));
	r->file = p->path;
	r->line = p->line;
	r->kind = BR_PAYREC_PAYMENT;
	r->amount_cents = amt;
	memcpy(r->date, p->date, sizeof(r->date));
	memcpy(r->txn_code, "6", 2);
	memcpy(r->originator, p->lockbox_no, sizeof(p->lockbox_no));
	field(p, 37, 46, r->bank_ref, sizeof(r->bank_ref));
	field(p, 53, 82, r->name, sizeof(r->name));
	memcpy(p->batch_item, p->rec + 1, 6);
	p->batch_item[6] = '\0';
	p->have_check = 1;
	p->n_overflow = 0;
	p->checks++;
	p->b_checks++;
	p->l_checks++;
	p->total += amt;
	p->b_total += amt;
	p->l_total += amt;
	return 0;
}

static int
overflow(struct lockbox *p)
{
	struct br_payrec *r = &p->pr;
	char data[32], acct[11];
	struct br_error serr;
	int64_t v, amt;
	size_t n;

	if (!p->have_check)
		return bad(p, "overflow record without a preceding check "
		    "detail");
	if (num(p, 2, 4, "batch number", &v) < 0 ||
	    num(p, 5, 7, "item number", &v) < 0)
		return -1;
	if (memcmp(p->rec + 1, p->batch_item, 6) != 0)
		return bad(p, "batch/item %.3s/%.3s does not match the check "
		    "detail %.3s/%.3s", p->rec + 1, p->rec + 4, p->batch_item,
		    p->batch_item + 3);
	field(p, 12, 41, data, sizeof(data));
	if (p->n_overflow++ == 0) {
		if (br_scanline_parse(data, strlen(data), acct, &amt,
		    &serr) == 0) {
			snprintf(r->account_ref, sizeof(r->account_ref), "%s",
			    acct);
			snprintf(r->scan_line, sizeof(r->scan_line), "%s",
			    data);
		} else {
			snprintf(r->account_ref, sizeof(r->account_ref), "%s",
			    data);
		}
	}
	n = strlen(r->text);
	if (data[0] != '\0')
		snprintf(r->text + n, sizeof(r->text) - n, "%s%s",
		    n ? " " : "", data);
	return 0;
}

static int
batch_total(struct lockbox *p)
{
	int64_t cnt, amt;

	if (!p->in_batch)
		return bad(p, "batch total without a batch header");
	if (num(p, 21, 23, "number of remittances", &cnt) < 0 ||
	    num(p, 24, 33, "check dollar total", &amt) < 0)
		return -1;
	if (cnt != p->b_checks)
		return bad(p, "number of remittances %lld does not match the "
		    "%ld checks of the batch", (long long)cnt, p->b_checks);
	if (amt != p->b_total)
		return bad(p, "check dollar total %lld does not match the sum "
		    "of check amounts %lld", (long long)amt,
		    (long long)p->b_total);
	p->in_batch = 0;
	p->batches++;
	return 0;
}

static int
lockbox_total(struct lockbox *p)
{
	int64_t cnt, amt;

	if (p->in_batch)
		return bad(p, "lockbox total before the batch total");
	if (num(p, 21, 24, "total number of checks", &cnt) < 0 ||
	    num(p, 25, 34, "check dollar total", &amt) < 0)
		return -1;
	if (cnt != p->l_checks)
		return bad(p, "total number of checks %lld does not match the "
		    "%ld checks of the lockbox", (long long)cnt, p->l_checks);
	if (amt != p->l_total)
		return bad(p, "check dollar total %lld does not match the sum "
		    "of check amounts %lld", (long long)amt,
		    (long long)p->l_total);
	p->l_checks = 0;
	p->l_total = 0;
	return 0;
}

static int
one_record(struct lockbox *p, const char *line, size_t n)
{
	int64_t v;
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] > 0x7e)
			return br_error_set(p->err, BR_EINPUT, p->path,
			    p->line, "%s: byte 0x%02x at position %zu is not "
			    "printable ASCII", rec_name(line[0]),
			    (unsigned char)line[i], i + 1);
	if (n > LB_MAX)
		return br_error_set(p->err, BR_EINPUT, p->path, p->line,
		    "%s: record is %zu characters long, at most %d allowed",
		    rec_name(line[0]), n, LB_MAX);
	memcpy(p->rec, line, n);
	memset(p->rec + n, ' ', LB_MAX - n);
	p->rec[LB_MAX] = '\0';
	if (p->have_trailer)
		return bad(p, "record after the 9 trailer");
	p->records++;
	if (!p->have_header && p->rec[0] != '1')
		return bad(p, "1 header missing: the file starts with a type "
		    "%c record", p->rec[0]);
	if (p->rec[0] != '4' && flush_check(p) < 0)
		return -1;
	switch (p->rec[0]) {
	case '1':
		if (p->have_header)
			return bad(p, "second header record");
		p->have_header = 1;
		return 0;
	case '2':
		return 0;
	case '5':
		if (p->in_batch)
			return bad(p, "batch header before the batch total");
		if (num(p, 8, 14, "lockbox number", &v) < 0)
			return -1;
		memcpy(p->lockbox_no, p->rec + 7, 7);
		p->lockbox_no[7] = '\0';
		if (date6(p->rec + 14, 0, p->date) < 0)
			return bad(p, "deposit date (positions 15-20) '%.6s' is "
			    "not a YYMMDD date", p->rec + 14);
		p->in_batch = 1;
		p->b_checks = 0;
		p->b_total = 0;
		return 0;
	case '6':
		if (!p->in_batch)
			return bad(p, "check detail outside a batch");
		return check_detail(p);
	case '4':
		return overflow(p);
	case '7':
		return batch_total(p);
	case '8':
		return lockbox_total(p);
	case '9':
		if (p->in_batch)
			return bad(p, "trailer before the batch total");
		if (num(p, 2, 7, "total number of records", &v) < 0)
			return -1;
		if (v != p->records)
			return bad(p, "total number of records %lld does not "
			    "match the %ld records of the file", (long long)v,
			    p->records);
		p->have_trailer = 1;
		return 0;
	default:
		return br_error_set(p->err, BR_EINPUT, p->path, p->line,
		    "unknown record type '%c' (expected 1, 2, 4, 5, 6, 7, 8 "
		    "or 9)", p->rec[0]);
	}
}

int
br_lockbox_parse(const char *path, br_payrec_fn on_rec, void *ctx,
    struct br_lockbox_totals *totals, char sha_hex[65], struct br_error *err)
{
	struct br_linereader lr;
	struct lockbox *p;
	const char *line = NULL;
	size_t n = 0;
	int rc = 0, got;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	if (br_linereader_open(&lr, path, err) < 0) {
		free(p);
		return -1;
	}
	p->path = path;
	p->on_rec = on_rec;
	p->ctx = ctx;
	p->err = err;
	while ((got = br_linereader_next(&lr, &line, &n, err)) == 1) {
		size_t k = n;

		p->line = lr.lineno;
		while (k > 0 && line[k - 1] == ' ')
			k--;
		if (k == 0)
			continue;
		if ((rc = one_record(p, line, k)) < 0)
			break;
	}
	if (got < 0)
		rc = -1;
	if (rc == 0 && !p->have_header)
		rc = br_error_set(err, BR_EINPUT, path, p->line,
		    "empty file: no 1 header record");
	else if (rc == 0 && !p->have_trailer)
		rc = br_error_set(err, BR_EINPUT, path, p->line,
		    "9 trailer missing at end of file");
	if (rc == 0 && totals != NULL) {
		totals->batches = p->batches;
		totals->checks = p->checks;
		totals->records = p->records;
		totals->total_cents = p->total;
	}
	br_linereader_close(&lr, rc == 0 ? sha_hex : NULL);
	free(p);
	return rc;
}
