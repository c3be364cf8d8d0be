/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nacha.c: NACHA ACH file parser.  Reads 94-character records line by
 * line, checks record order, field syntax and every control total, and
 * hands one br_payrec per entry detail (with its addenda) to the caller.
 */
#include "formats/nacha.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "core/scanline.h"
#include "core/banned.h"

#define NACHA_LEN	94
#define HASH_MOD	INT64_C(10000000000)

struct nacha {
	const char *path;
	long line;
	char rec[NACHA_LEN + 1];
	br_payrec_fn on_rec;
	void *ctx;
	struct br_error *err;

	/* file */
	int have_header, have_control;
	char file_date[11];
	long nrec;			/* records through the file control */
	long batches, entries, addenda, returns, nocs;
	int64_t hash, debits, credits;

	/* batch */
	int in_batch;
	char service_class[4];
	char batch_no[8];
	char sec[4];
	char company[11];		/* company identification 41-50 */
	char date[11];
	int reversal;
	long b_count;
	int64_t b_hash, b_debits, b_credits;

	/* pending entry */
	int have_entry;
	int entry_addenda_ind;
	long entry_addenda;
	struct br_payrec pr;
};

static const char *
rec_name(char t)
{
	switch (t) {
	case '1': return "1 file header";
	case '5': return "5 batch header";
	case '6': return "6 entry detail";
	case '7': return "7 addenda";
	case '8': return "8 batch control";
	case '9': return "9 file control";
	default: return "record";
	}
}

static int
bad(struct nacha *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int
bad(struct nacha *p, const char *fmt, ...)
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
 * Digits at 1-based positions from..to into *v; -1 (and *v 0) when they
 * are not.  Returning -1 itself, not bad()'s value, lets gcc -O3 see
 * that callers read *v only after success (no -Wmaybe-uninitialized).
 */
static int
num(struct nacha *p, int from, int to, const char *field, int64_t *v)
{
	if (br_fixed_num(p->rec, from, to, v) != 0) {
		*v = 0;
		(void)bad(p, "%s (positions %d-%d) '%.*s' is not numeric",
		    field, from, to, to - from + 1, p->rec + from - 1);
		return -1;
	}
	return 0;
}

/* Copy positions from..to, trimmed of spaces, into dst of size n. */
static void
field(const struct nacha *p, int from, int to, char *dst, size_t n)
{
	br_fixed_field(p->rec, from, to, dst, n);
}

/* YYMMDD at pos into "20YY-MM-DD"; returns 0 or -1 if not a date. */
static int
yymmdd(const char *s, char out[11])
{
	int i, y, m, d;

	for (i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	y = 2000 + (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[2] - '0') * 10 + (s[3] - '0');
	d = (s[4] - '0') * 10 + (s[5] - '0');
	if (m < 1 || m > 12 || d < 1 || d > br_date_month_days(y, m))
		return -1;
	memcpy(out, "20", 2);
	memcpy(out + 2, s, 2);
	out[4] = '-';
	memcpy(out + 5, s + 2, 2);
	out[7] = '-';
	memcpy(out + 8, s + 4, 2);
	out[10] = '\0';
	return 0;
}

static int
flush_entry(struct nacha *p)
{
	int rc;

	if (!p->have_entry)
		return 0;
	p->have_entry = 0;
	if (p->entry_addenda_ind == 1 && p->entry_addenda == 0)
		return br_error_set(p->err, BR_EINPUT, p->path, p->pr.line,
		    "6 entry detail: addenda record indicator is 1 but no "
		    "addenda record follows");
	if (p->pr.kind == BR_PAYREC_RETURN)
		p->returns++;
	else if (p->pr.kind == BR_PAYREC_NOC)
		p->nocs++;
	if (p->on_rec == NULL)
		return 0;
	rc = p->on_rec(p->ctx, &p->pr, p->err);
	return rc < 0 ? -1 : 0;
}

static int
file_header(struct nacha *p)
{
	int64_t v;

	if (p->have_header)
		return bad(p, "second file header");
	p->have_header = 1;
	if (num(p, 24, 29, "file creation date", &v) < 0)
		return -1;
	if (yymmdd(p->rec + 23, p->file_date) < 0)
		return bad(p, "file creation date (positions 24-29) '%.6s' is "
		    "not a date", p->rec + 23);
	return 0;
}

static int
batch_header(struct nacha *p)
{
	char desc[11];
	int64_t v;

	if (p->in_batch)
		return bad(p, "batch header before the batch control of "
		    "batch %s", p->batch_no);
	if (num(p, 2, 4, "service class code", &v) < 0)
		return -1;
	if (v != 200 && v != 220 && v != 225 && v != 280)
		return bad(p, "service class code (positions 2-4) %03d is not "
		    "200, 220, 225 or 280", (int)v);
	if (num(p, 88, 94, "batch number", &v) < 0)
		return -1;
	p->in_batch = 1;
	memcpy(p->service_class, p->rec + 1, 3);
	p->service_class[3] = '\0';
	memcpy(p->batch_no, p->rec + 87, 7);
	p->batch_no[7] = '\0';
	field(p, 51, 53, p->sec, sizeof(p->sec));
	field(p, 41, 50, p->company, sizeof(p->company));
	field(p, 54, 63, desc, sizeof(desc));
	p->reversal = strcmp(desc, "REVERSAL") == 0;
	if (yymmdd(p->rec + 69, p->date) < 0)
		memcpy(p->date, p->file_date, sizeof(p->date));
	p->b_count = 0;
	p->b_hash = p->b_debits = p->b_credits = 0;
	p->batches++;
	return 0;
}

static int
is_debit_code(int tc, int *debit)
{
	switch (tc) {
	case 21: case 22: case 23: case 24:
	case 31: case 32: case 33: case 34:
	case 41: case 42: case 43:
	case 51: case 52: case 53:
		*debit = 0;
		return 0;
	case 26: case 27: case 28: case 29:
	case 36: case 37: case 38: case 39:
	case 46: case 47: case 48:
	case 55: case 56:
		*debit = 1;
		return 0;
	default:
		return -1;
	}
}

static int
entry_detail(struct nacha *p)
{
	int64_t tc, rdfi, amt, v;
	int debit;
	struct br_payrec *r = &p->pr;

	if (flush_entry(p) < 0)
		return -1;
	if (num(p, 2, 3, "transaction code", &tc) < 0)
		return -1;
	if (is_debit_code((int)tc, &debit) < 0)
		return bad(p, "transaction code (positions 2-3) %02d is not a "
		    "valid ACH transaction code", (int)tc);
	if (num(p, 4, 11, "receiving DFI identification", &rdfi) < 0 ||
	    num(p, 12, 12, "check digit", &v) < 0 ||
	    num(p, 30, 39, "amount", &amt) < 0)
		return -1;
	if (!br_aba_valid(p->rec + 3))
		return bad(p, "check digit (position 12) %c does not match the "
		    "ABA 3-7-1 check of receiving DFI %.8s", p->rec[11],
		    p->rec + 3);
	if (p->rec[78] != '0' && p->rec[78] != '1')
		return bad(p, "addenda record indicator (position 79) '%c' is "
		    "not 0 or 1", p->rec[78]);
	if (num(p, 80, 94, "trace number", &v) < 0)
		return -1;

	memset(r, 0, sizeof(*r));
	r->file = p->path;
	r->line = p->line;
	r->kind = p->reversal ? BR_PAYREC_REVERSAL : BR_PAYREC_PAYMENT;
	r->debit = debit;
	r->amount_cents = amt;
	memcpy(r->date, p->date, sizeof(r->date));
	snprintf(r->txn_code, sizeof(r->txn_code), "%02d", (int)tc);
	memcpy(r->sec_code, p->sec, sizeof(r->sec_code));
	snprintf(r->originator, sizeof(r->originator), "%s", p->company);
	field(p, 40, 54, r->account_ref, sizeof(r->account_ref));
	field(p, 55, 76, r->name, sizeof(r->name));
	if (r->account_ref[0] == '\0')
		memcpy(r->account_ref, r->name, sizeof(r->name));
	field(p, 80, 94, r->bank_ref, sizeof(r->bank_ref));

	p->have_entry = 1;
	p->entry_addenda_ind = p->rec[78] - '0';
	p->entry_addenda = 0;
	p->entries++;
	p->b_count++;
	p->b_hash = (p->b_hash + rdfi) % HASH_MOD;
	if (debit)
		p->b_debits += amt;
	else
		p->b_credits += amt;
	return 0;
}

static int
valid_change_code(const char *c)
{
	int n;

	if (c[0] != 'C' || c[1] < '0' || c[1] > '9' || c[2] < '0' ||
	    c[2] > '9')
		return 0;
	n = (c[1] - '0') * 10 + (c[2] - '0');
	return (n >= 1 && n <= 14) || (n >= 61 && n <= 69);
}

static void
append_text(struct br_payrec *r, const char *t)
{
	size_t n = strlen(r->text);

	if (*t == '\0')
		return;
	snprintf(r->text + n, sizeof(r->text) - n, "%s%s", n ? " " : "", t);
}

static int
addenda(struct nacha *p)
{
	struct br_payrec *r = &p->pr;
	char type[3], buf[96];
	int64_t v;

	if (!p->have_entry)
		return bad(p, "addenda record without a preceding entry detail");
	if (p->entry_addenda_ind != 1)
		return bad(p, "addenda record but the entry detail's addenda "
		    "record indicator is 0");
	memcpy(type, p->rec + 1, 2);
	type[2] = '\0';
	p->entry_addenda++;
	p->addenda++;
	p->b_count++;
	if (strcmp(type, "99") == 0) {
		if (p->rec[3] != 'R' || p->rec[4] < '0' || p->rec[4] > '9' ||
		    p->rec[5] < '0' || p->rec[5] > '9')
			return bad(p, "return reason code (positions 4-6) "
			    "'%.3s' is not R followed by two digits",
			    p->rec + 3);
		if (num(p, 7, 21, "original entry trace number", &v) < 0)
			return -1;
		r->kind = BR_PAYREC_RETURN;
		memcpy(r->return_code, p->rec + 3, 3);
		r->return_code[3] = '\0';
		field(p, 7, 21, r->original_trace, sizeof(r->original_trace));
		v = (p->rec[4] - '0') * 10 + (p->rec[5] - '0');
		if (v >= 61 && v <= 70)
			field(p, 59, 79, buf, sizeof(buf));
		else if (v >= 71 && v <= 77)
			buf[0] = '\0';
		else
			field(p, 36, 79, buf, sizeof(buf));
		append_text(r, buf);
	} else if (strcmp(type, "98") == 0) {
		if (!valid_change_code(p->rec + 3))
			return bad(p, "change code (positions 4-6) '%.3s' is "
			    "not a NOC code (C01-C14, C61-C69)", p->rec + 3);
		if (num(p, 7, 21, "original entry trace number", &v) < 0)
			return -1;
		r->kind = BR_PAYREC_NOC;
		memcpy(r->noc_code, p->rec + 3, 3);
		r->noc_code[3] = '\0';
		field(p, 7, 21, r->original_trace, sizeof(r->original_trace));
		field(p, 36, 64, r->corrected_data, sizeof(r->corrected_data));
	} else if (strcmp(type, "05") == 0 || strcmp(type, "02") == 0 ||
	    (type[0] == '1' && type[1] >= '0' && type[1] <= '8')) {
		field(p, 4, 83, buf, sizeof(buf));
		append_text(r, buf);
	} else {
		return bad(p, "addenda type code (positions 2-3) '%s' is not "
		    "02, 05, 10-18, 98 or 99", type);
	}
	return 0;
}

static int
batch_control(struct nacha *p)
{
	int64_t count, hash, deb, cred;

	if (flush_entry(p) < 0)
		return -1;
	if (!p->in_batch)
		return bad(p, "batch control without a batch header");
	if (num(p, 5, 10, "entry/addenda count", &count) < 0 ||
	    num(p, 11, 20, "entry hash", &hash) < 0 ||
	    num(p, 21, 32, "total debit entry dollar amount", &deb) < 0 ||
	    num(p, 33, 44, "total credit entry dollar amount", &cred) < 0)
		return -1;
	if (memcmp(p->rec + 1, p->service_class, 3) != 0)
		return bad(p, "service class code %.3s does not match batch "
		    "header %s", p->rec + 1, p->service_class);
	if (count != p->b_count)
		return bad(p, "entry/addenda count %lld does not match the %ld "
		    "entry and addenda records of the batch", (long long)count,
		    p->b_count);
	if (hash != p->b_hash)
		return bad(p, "entry hash %010lld does not match the sum of "
		    "receiving DFI identifications %010lld", (long long)hash,
		    (long long)p->b_hash);
	if (deb != p->b_debits)
		return bad(p, "total debit entry dollar amount %lld does not "
		    "match the sum of debit entries %lld", (long long)deb,
		    (long long)p->b_debits);
	if (cred != p->b_credits)
		return bad(p, "total credit entry dollar amount %lld does not "
		    "match the sum of credit entries %lld", (long long)cred,
		    (long long)p->b_credits);
	if (memcmp(p->rec + 87, p->batch_no, 7) != 0)
		return bad(p, "batch number %.7s does not match batch header "
		    "%s", p->rec + 87, p->batch_no);
	p->in_batch = 0;
	p->hash = (p->hash + p->b_hash) % HASH_MOD;
	p->debits += p->b_debits;
	p->credits += p->b_credits;
	return 0;
}

static int
file_control(struct nacha *p, struct br_nacha_totals *t)
{
	int64_t nb, blocks, count, hash, deb, cred;

	if (p->in_batch)
		return bad(p, "file control before the batch control of batch "
		    "%s", p->batch_no);
	if (num(p, 2, 7, "batch count", &nb) < 0 ||
	    num(p, 8, 13, "block count", &blocks) < 0 ||
	    num(p, 14, 21, "entry/addenda count", &count) < 0 ||
	    num(p, 22, 31, "entry hash", &hash) < 0 ||
	    num(p, 32, 43, "total debit entry dollar amount", &deb) < 0 ||
	    num(p, 44, 55, "total credit entry dollar amount", &cred) < 0)
		return -1;
	if (nb != p->batches && t != NULL)
		snprintf(t->warning, sizeof(t->warning), "%s:%ld: 9 file "
		    "control: batch count %lld does not match the %ld batches "
		    "of the file", p->path, p->line, (long long)nb, p->batches);
	if (blocks != (p->nrec + 9) / 10)
		return bad(p, "block count %lld does not match %ld records "
		    "(%ld blocks of 10)", (long long)blocks, p->nrec,
		    (p->nrec + 9) / 10);
	if (count != p->entries + p->addenda)
		return bad(p, "entry/addenda count %lld does not match the %ld "
		    "entry and addenda records of the file", (long long)count,
		    p->entries + p->addenda);
	if (hash != p->hash)
		return bad(p, "entry hash %010lld does not match the sum of "
		    "batch entry hashes %010lld", (long long)hash,
		    (long long)p->hash);
	if (deb != p->debits)
		return bad(p, "total debit entry dollar amount %lld does not "
		    "match the sum of debit entries %lld", (long long)deb,
		    (long long)p->debits);
	if (cred != p->credits)
		return bad(p, "total credit entry dollar amount %lld does not "
		    "match the sum of credit entries %lld", (long long)cred,
		    (long long)p->credits);
	p->have_control = 1;
	if (t != NULL) {
		t->batches = p->batches;
		t->entries = p->entries;
		t->addenda = p->addenda;
		t->returns = p->returns;
		t->nocs = p->nocs;
		t->entry_hash = hash;
		t->debit_cents = deb;
		t->credit_cents = cred;
	}
	return 0;
}

static int
one_record(struct nacha *p, const char *line, size_t n,
    struct br_nacha_totals *t)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c > 0x7e) {
			p->rec[0] = line[0];
			return bad(p, "byte 0x%02x at position %zu is not "
			    "printable ASCII", c, i + 1);
		}
	}
	for (i = NACHA_LEN; i < n; i++)
		if (line[i] != ' ') {
			p->rec[0] = line[0];
			return bad(p, "record is %zu characters long, expected "
			    "%d", n, NACHA_LEN);
		}
	if (n > NACHA_LEN)
		n = NACHA_LEN;
	memcpy(p->rec, line, n);
	memset(p->rec + n, ' ', NACHA_LEN - n);
	p->rec[NACHA_LEN] = '\0';

	if (p->have_control) {
		for (i = 0; i < NACHA_LEN; i++)
			if (p->rec[i] != '9')
				return br_error_set(p->err, BR_EINPUT, p->path,
				    p->line, "record after the file control "
				    "(only padding records of 9s may follow)");
		return 0;
	}
	p->nrec++;
	if (!p->have_header && p->rec[0] != '1')
		return bad(p, "file header (1) missing: the file starts with "
		    "a type %c record", p->rec[0]);
	if ((p->rec[0] == '6' || p->rec[0] == '7') && !p->in_batch)
		return bad(p, "entry outside a batch (no batch header)");
	switch (p->rec[0]) {
	case '1': return file_header(p);
	case '5': return batch_header(p);
	case '6': return entry_detail(p);
	case '7': return addenda(p);
	case '8': return batch_control(p);
	case '9': return file_control(p, t);
	default:
		return br_error_set(p->err, BR_EINPUT, p->path, p->line,
		    "unknown record type '%c' (expected 1, 5, 6, 7, 8 or 9)",
		    p->rec[0]);
	}
}

int
br_nacha_parse(const char *path, br_payrec_fn on_rec, void *ctx,
    struct br_nacha_totals *totals, char sha_hex[65], struct br_error *err)
{
	struct br_linereader lr;
	struct nacha *p;
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
	if (totals != NULL)
		memset(totals, 0, sizeof(*totals));
	while ((got = br_linereader_next(&lr, &line, &n, err)) == 1) {
		size_t k = n;

		p->line = lr.lineno;
		while (k > 0 && line[k - 1] == ' ')
			k--;
		if (k == 0)
			continue;	/* blank line */
		if ((rc = one_record(p, line, n, totals)) < 0)
			break;
	}
	if (got < 0)
		rc = -1;
	if (rc == 0 && !p->have_header)
		rc = br_error_set(err, BR_EINPUT, path, p->line,
		    "empty file: no file header (1)");
	else if (rc == 0 && !p->have_control)
		rc = br_error_set(err, BR_EINPUT, path, p->line,
		    "file control (9) missing at end of file");
	br_linereader_close(&lr, rc == 0 ? sha_hex : NULL);
	free(p);
	return rc;
}
