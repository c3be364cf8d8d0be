/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_nacha.c: the NACHA parser against the shared samples (skipped when
 * BR_SAMPLES_DIR is unset), the copies in testdata/samples-pay, and a
 * crafted autopay file with one field broken at a time.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/nacha.h"
#include "fixture.h"
#include "core/banned.h"

#define MAXREC 64

struct coll {
	int n;
	struct br_payrec r[MAXREC];
};

static int
collect(void *ctx, const struct br_payrec *r, struct br_error *err)
{
	struct coll *c = ctx;

	(void)err;
	if (c->n < MAXREC)
		c->r[c->n] = *r;
	c->n++;
	return 0;
}

#define shared_dir() fx_samples_dir("check_nacha", "payments/nacha")

#define copy_path(name) fx_srcfile("testdata/samples-pay", (name))

static int
parse(const char *path, struct coll *c, struct br_nacha_totals *t,
    struct br_error *err)
{
	memset(c, 0, sizeof(*c));
	br_error_clear(err);
	return br_nacha_parse(path, collect, c, t, NULL, err);
}

static int
parse_text(const char *text, struct coll *c, struct br_nacha_totals *t,
    struct br_error *err)
{
	const char *path = fx_tmpfile("/tmp/check_nacha_XXXXXX", text);
	int rc;

	rc = parse(path, c, t, err);
	unlink(path);
	return rc;
}

struct expect {
	const char *file;
	long entries, addenda, returns, nocs;
	long long debit, credit;
};

static const struct expect valid[] = {
	{ "ccd-debit.ach", 2, 0, 0, 0, 500125, 0 },
	{ "contested-dishonored-return-R07-R68-R71.ach", 1, 3, 1, 0, 0,
	    100000000 },
	{ "dishonored-return-R68.ach", 2, 2, 2, 0, 48000, 0 },
	{ "noc-COR-C01.ach", 1, 1, 0, 1, 0, 0 },
	{ "ppd-debit-autopay-style.ach", 1, 0, 0, 0, 200000000, 0 },
	{ "ppd-debit-multi-entry-usbank-example.ach", 48, 35, 0, 0, 5101000,
	    200 },
	{ "ppd-mixed-debit-credit.ach", 3, 0, 0, 0, 200000000, 200000000 },
	{ "return-CCD-prenote-R03.ach", 1, 1, 1, 0, 0, 1 },
	{ "return-PPD-R97-nonstandard-unpadded.ach", 1, 1, 1, 0, 0, 106161 },
	{ "return-WEB-R01-R03.ach", 2, 2, 2, 0, 12354, 4565 },
	{ "tel-reversal.ach", 2, 0, 0, 0, 685100, 685100 },
	{ "web-credit-with-addenda05.ach", 1, 1, 0, 0, 0, 10000 },
	{ "zero-entry-return-file-fiserv.ach", 0, 0, 0, 0, 0, 0 },
};

static const struct {
	const char *file;
	long line;
	const char *msg;
} invalid[] = {
	{ "INVALID-noc-C92-bad-change-code.ach", 4, "7 addenda: change code "
	    "(positions 4-6) 'C92' is not a NOC code (C01-C14, C61-C69)" },
	{ "INVALID-nonascii-utf8.ach", 3, "6 entry detail: byte 0xc2 at "
	    "position 67 is not printable ASCII" },
	{ "INVALID-rdfi-check-digit.ach", 3, "6 entry detail: check digit "
	    "(position 12) 5 does not match the ABA 3-7-1 check of receiving "
	    "DFI 23138010" },
	{ "INVALID-return-no-batch-controls.ach", 1, "5 batch header: file "
	    "header (1) missing: the file starts with a type 5 record" },
	{ "INVALID-return-no-file-header-control.ach", 1, "5 batch header: "
	    "file header (1) missing: the file starts with a type 5 record" },
};

START_TEST(test_shared_samples)
{
	const char *dir = shared_dir();
	char path[1200];
	struct coll c;
	struct br_nacha_totals t;
	struct br_error err;
	size_t i;

	if (dir == NULL)
		return;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, valid[i].file);
		ck_assert_msg(parse(path, &c, &t, &err) == 0, "%s: %s",
		    valid[i].file, err.msg);
		ck_assert_int_eq(t.entries, valid[i].entries);
		ck_assert_int_eq(c.n, valid[i].entries);
		ck_assert_int_eq(t.addenda, valid[i].addenda);
		ck_assert_int_eq(t.returns, valid[i].returns);
		ck_assert_int_eq(t.nocs, valid[i].nocs);
		ck_assert_int_eq(t.debit_cents, valid[i].debit);
		ck_assert_int_eq(t.credit_cents, valid[i].credit);
	}
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, invalid[i].file);
		ck_assert_msg(parse(path, &c, &t, &err) == -1, "%s parsed",
		    invalid[i].file);
		ck_assert_int_eq(err.code, BR_EINPUT);
		ck_assert_int_eq(err.line, invalid[i].line);
		ck_assert_str_eq(err.msg, invalid[i].msg);
	}

	snprintf(path, sizeof(path), "%s/ccd-debit.ach", dir);
	ck_assert_int_eq(parse(path, &c, &t, &err), 0);
	ck_assert_int_eq(c.r[0].kind, BR_PAYREC_PAYMENT);
	ck_assert_int_eq(c.r[0].debit, 1);
	ck_assert_int_eq(c.r[0].amount_cents, 500000);
	ck_assert_str_eq(c.r[0].account_ref, "location1234567");
	ck_assert_str_eq(c.r[0].name, "Best Co. #123456789012");
	ck_assert_str_eq(c.r[0].date, "2019-08-16");
	ck_assert_str_eq(c.r[0].txn_code, "27");
	ck_assert_str_eq(c.r[0].sec_code, "CCD");
	ck_assert_str_eq(c.r[1].bank_ref, "031300010000002");
	ck_assert_int_eq(t.entry_hash, 46276020);

	snprintf(path, sizeof(path), "%s/dishonored-return-R68.ach", dir);
	ck_assert_int_eq(parse(path, &c, &t, &err), 0);
	ck_assert_str_eq(c.r[1].return_code, "R68");
	ck_assert_str_eq(c.r[1].name, "Adam Decaf");
	ck_assert_str_eq(c.r[1].original_trace, "059999990000301");
	ck_assert_str_eq(c.r[1].text, "Untimely Return");
	ck_assert_int_eq(c.r[1].line, 5);

	snprintf(path, sizeof(path), "%s/contested-dishonored-return-R07-R68-"
	    "R71.ach", dir);
	ck_assert_int_eq(parse(path, &c, &t, &err), 0);
	ck_assert_int_eq(c.r[0].kind, BR_PAYREC_RETURN);
	ck_assert_str_eq(c.r[0].return_code, "R71");

	snprintf(path, sizeof(path), "%s/return-PPD-R97-nonstandard-"
	    "unpadded.ach", dir);
	ck_assert_int_eq(parse(path, &c, &t, &err), 0);
	ck_assert_str_eq(c.r[0].return_code, "R97");
	ck_assert_str_eq(c.r[0].account_ref, "xxxxxxx3105");
	ck_assert_str_eq(c.r[0].date, "2021-07-02");

	snprintf(path, sizeof(path), "%s/web-credit-with-addenda05.ach", dir);
	ck_assert_int_eq(parse(path, &c, &t, &err), 0);
	ck_assert_str_eq(c.r[0].text, "PAY-GATE payment\\");
	ck_assert_str_eq(c.r[0].account_ref, "#789654");

	/* Batch count 5 for 4 batches: a warning, not an error. */
	snprintf(path, sizeof(path), "%s/ppd-debit-multi-entry-usbank-"
	    "example.ach", dir);
	ck_assert_int_eq(parse(path, &c, &t, &err), 0);
	ck_assert_int_eq(t.batches, 4);
	ck_assert_ptr_nonnull(strstr(t.warning, ":93: 9 file control: batch "
	    "count 5 does not match the 4 batches"));
	ck_assert_str_eq(c.r[0].account_ref, "A271");
	ck_assert_int_eq(c.r[0].amount_cents, 27000);
}
END_TEST

START_TEST(test_ci_copies)
{
	struct coll c;
	struct br_nacha_totals t;
	struct br_error err;
	char sha[65];

	ck_assert_int_eq(parse(copy_path("return-WEB-R01-R03.ach"), &c, &t,
	    &err), 0);
	ck_assert_int_eq(c.n, 2);
	ck_assert_int_eq(c.r[0].kind, BR_PAYREC_RETURN);
	ck_assert_str_eq(c.r[0].return_code, "R01");
	ck_assert_str_eq(c.r[0].original_trace, "091400600000001");
	ck_assert_int_eq(c.r[0].amount_cents, 12354);
	ck_assert_int_eq(c.r[0].debit, 1);
	ck_assert_str_eq(c.r[0].txn_code, "26");
	ck_assert_str_eq(c.r[0].account_ref, "MjMxNDAwMjAtOGQ");
	ck_assert_str_eq(c.r[0].name, "Paul Jones");
	ck_assert_str_eq(c.r[0].bank_ref, "091000017611242");
	ck_assert_str_eq(c.r[0].date, "2000-01-01");
	ck_assert_str_eq(c.r[1].return_code, "R03");
	ck_assert_int_eq(c.r[1].debit, 0);
	ck_assert_int_eq(c.r[1].amount_cents, 4565);
	ck_assert_int_eq(t.batches, 2);
	ck_assert_int_eq(t.entry_hash, 18280120);

	ck_assert_int_eq(parse(copy_path("noc-COR-C01.ach"), &c, &t, &err), 0);
	ck_assert_int_eq(c.r[0].kind, BR_PAYREC_NOC);
	ck_assert_str_eq(c.r[0].noc_code, "C01");
	ck_assert_str_eq(c.r[0].corrected_data, "1918171614");
	ck_assert_str_eq(c.r[0].original_trace, "121042880000001");
	ck_assert_int_eq(c.r[0].amount_cents, 0);
	ck_assert_str_eq(c.r[0].sec_code, "COR");

	ck_assert_int_eq(parse(copy_path("tel-reversal.ach"), &c, &t, &err), 0);
	ck_assert_int_eq(c.n, 2);
	ck_assert_int_eq(c.r[0].kind, BR_PAYREC_REVERSAL);
	ck_assert_int_eq(c.r[1].kind, BR_PAYREC_REVERSAL);
	ck_assert_int_eq(c.r[1].amount_cents, 685100);

	ck_assert_int_eq(parse(copy_path("INVALID-rdfi-check-digit.ach"), &c,
	    &t, &err), -1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_ptr_nonnull(strstr(err.msg, "check digit (position 12)"));
	ck_assert_int_eq(c.n, 0);

	br_error_clear(&err);
	ck_assert_int_eq(br_nacha_parse(copy_path("tel-reversal.ach"), NULL,
	    NULL, NULL, sha, &err), 0);
	ck_assert_int_eq(strlen(sha), 64);
}
END_TEST

/* A crafted utility autopay file: two PPD debits, one with addenda 05. */
static const char *base[] = {
	"101 09100001912345678902610150800A094101FIRST BANK             CITY UTILITIES                 ",
	"5225CITY UTILITIES                      1234567890PPDUTIL PYMT OCT 26261015   1091000010000001",
	"62709100001912345678         00000123451001           JANE Q CUSTOMER         0091000010000001",
	"62709100001987654321         00000067891002           JOHN SMITH              1091000010000002",
	"705AUTOPAY OCT 2026                                                                00010000002",
	"822500000300182000020000000191340000000000001234567890                         091000010000001",
	"9000001000001000000030018200002000000019134000000000000                                       ",
};
#define NBASE ((int)(sizeof(base) / sizeof(base[0])))

/* The base file with line `at` (0-based) replaced by repl (NULL = drop),
 * or with extra appended when at == NBASE. */
static void
build(char *out, size_t n, int at, const char *repl)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i <= NBASE; i++) {
		const char *l = i < NBASE ? base[i] : NULL;

		if (i == at)
			l = repl;
		if (l == NULL)
			continue;
		len += (size_t)snprintf(out + len, n - len, "%s\n", l);
	}
}

/* Copy of base[i] with text at 1-based position pos. */
static const char *
patch(int i, int pos, const char *text)
{
	static char buf[200];

	snprintf(buf, sizeof(buf), "%s", base[i]);
	memcpy(buf + pos - 1, text, strlen(text));
	return buf;
}

START_TEST(test_crafted)
{
	static const struct {
		int at, pos;
		const char *text;
		long line;
		const char *msg;
	} cases[] = {
		{ 5, 21, "000000019135", 6, "8 batch control: total debit "
		    "entry dollar amount 19135 does not match the sum of debit "
		    "entries 19134" },
		{ 5, 11, "0018200003", 6, "8 batch control: entry hash "
		    "0018200003 does not match the sum of receiving DFI "
		    "identifications 0018200002" },
		{ 5, 5, "000004", 6, "8 batch control: entry/addenda count 4 "
		    "does not match the 3 entry and addenda records of the "
		    "batch" },
		{ 5, 33, "000000000001", 6, "8 batch control: total credit "
		    "entry dollar amount 1 does not match the sum of credit "
		    "entries 0" },
		{ 5, 2, "220", 6, "8 batch control: service class code 220 does "
		    "not match batch header 225" },
		{ 6, 44, "000000000005", 7, "9 file control: total credit entry "
		    "dollar amount 5 does not match the sum of credit entries "
		    "0" },
		{ 6, 8, "000002", 7, "9 file control: block count 2 does not "
		    "match 7 records (1 blocks of 10)" },
		{ 6, 14, "00000002", 7, "9 file control: entry/addenda count 2 "
		    "does not match the 3 entry and addenda records of the "
		    "file" },
		{ 2, 30, "00000123X5", 3, "6 entry detail: amount (positions "
		    "30-39) '00000123X5' is not numeric" },
		{ 2, 2, "99", 3, "6 entry detail: transaction code (positions "
		    "2-3) 99 is not a valid ACH transaction code" },
		{ 3, 79, "0", 5, "7 addenda: addenda record but the entry "
		    "detail's addenda record indicator is 0" },
		{ 4, 2, "06", 5, "7 addenda: addenda type code (positions 2-3) "
		    "'06' is not 02, 05, 10-18, 98 or 99" },
		{ 2, 79, "1", 3, "6 entry detail: addenda record indicator is 1 "
		    "but no addenda record follows" },
		{ 0, 24, "261399", 1, "1 file header: file creation date "
		    "(positions 24-29) '261399' is not a date" },
		{ 1, 2, "123", 2, "5 batch header: service class code "
		    "(positions 2-4) 123 is not 200, 220, 225 or 280" },
	};
	char text[4096], *p;
	struct coll c;
	struct br_nacha_totals t;
	struct br_error err;
	size_t i;

	build(text, sizeof(text), -1, NULL);
	ck_assert_int_eq(parse_text(text, &c, &t, &err), 0);
	ck_assert_int_eq(c.n, 2);
	ck_assert_str_eq(c.r[0].account_ref, "1001");
	ck_assert_str_eq(c.r[0].date, "2026-10-15");
	ck_assert_int_eq(c.r[0].amount_cents, 12345);
	ck_assert_str_eq(c.r[0].sec_code, "PPD");
	ck_assert_str_eq(c.r[1].text, "AUTOPAY OCT 2026");
	ck_assert_int_eq(c.r[1].line, 4);
	ck_assert_int_eq(t.debit_cents, 19134);
	ck_assert_str_eq(t.warning, "");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build(text, sizeof(text), cases[i].at,
		    patch(cases[i].at, cases[i].pos, cases[i].text));
		ck_assert_msg(parse_text(text, &c, &t, &err) == -1,
		    "case %zu parsed", i);
		ck_assert_int_eq(err.code, BR_EINPUT);
		ck_assert_msg(err.line == cases[i].line, "case %zu: line %ld",
		    i, err.line);
		ck_assert_msg(strcmp(err.msg, cases[i].msg) == 0,
		    "case %zu: '%s'", i, err.msg);
	}

	/* Missing file control; record after it; trailing non-blank text;
	 * CRLF and 9s padding are fine. */
	build(text, sizeof(text), 6, NULL);
	ck_assert_int_eq(parse_text(text, &c, &t, &err), -1);
	ck_assert_str_eq(err.msg, "file control (9) missing at end of file");
	build(text, sizeof(text), NBASE, base[2]);
	ck_assert_int_eq(parse_text(text, &c, &t, &err), -1);
	ck_assert_int_eq(err.line, 8);
	build(text, sizeof(text), NBASE, "9999999999999999999999999999999999"
	    "999999999999999999999999999999999999999999999999999999999999");
	ck_assert_int_eq(parse_text(text, &c, &t, &err), 0);
	build(text, sizeof(text), 2, "62709100001912345678         0000012345"
	    "1001           JANE Q CUSTOMER         0091000010000001 X");
	ck_assert_int_eq(parse_text(text, &c, &t, &err), -1);
	ck_assert_str_eq(err.msg, "6 entry detail: record is 96 characters "
	    "long, expected 94");
	build(text, sizeof(text), -1, NULL);
	for (p = text; (p = strchr(p, '\n')) != NULL; p++)
		*p = '\r';	/* CR only: one long line, rejected */
	ck_assert_int_eq(parse_text(text, &c, &t, &err), -1);
	ck_assert_int_eq(parse_text("", &c, &t, &err), -1);
	ck_assert_str_eq(err.msg, "empty file: no file header (1)");
}
END_TEST

START_TEST(test_robust_mutations)
{
	char text[4096], mut[4096];
	struct coll c;
	struct br_nacha_totals t;
	struct br_error err;
	size_t n, k;
	unsigned seed = 777;
	static const char alphabet[] = "0123456789 \n6789RC";

	build(text, sizeof(text), -1, NULL);
	n = strlen(text);
	for (k = 0; k < n; k += 5) {
		memcpy(mut, text, k);
		mut[k] = '\0';
		(void)parse_text(mut, &c, &t, &err);
	}
	for (k = 0; k < 300; k++) {
		memcpy(mut, text, n + 1);
		seed = seed * 1103515245u + 12345u;
		mut[(seed >> 8) % n] = alphabet[(seed >> 20) %
		    (sizeof(alphabet) - 1)];
		(void)parse_text(mut, &c, &t, &err);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nacha");
	TCase *tc = tcase_create("nacha");
	TCase *ts = tcase_create("samples");

	tcase_set_timeout(tc, 60);
	tcase_set_timeout(ts, 60);
	tcase_add_test(ts, test_shared_samples);
	tcase_add_test(tc, test_ci_copies);
	tcase_add_test(tc, test_crafted);
	tcase_add_test(tc, test_robust_mutations);
	suite_add_tcase(s, tc);
	tcase_set_tags(ts, "samples");
	suite_add_tcase(s, ts);
	return fx_run(s);
}
