/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_bai2.c: the BAI2 parser against the shared samples (skipped when
 * BR_SAMPLES_DIR is unset), the copies in testdata/samples-pay, crafted
 * continuation edge cases, control-total mismatches and malformed input.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/bai2.h"
#include "fixture.h"
#include "core/banned.h"

#define MAXREC 64

struct coll {
	int n;
	struct br_payrec r[MAXREC];
	int fail_at;		/* callback fails on this record (1-based) */
};

static int
collect(void *ctx, const struct br_payrec *r, struct br_error *err)
{
	struct coll *c = ctx;

	if (c->fail_at > 0 && c->n + 1 == c->fail_at)
		return br_error_set(err, BR_EINTERNAL, NULL, 0, "stop");
	if (c->n < MAXREC)
		c->r[c->n] = *r;
	c->n++;
	return 0;
}

/* Shared samples dir "<base>/payments/bai2" or NULL (skip). */
#define shared_dir() fx_samples_dir("check_bai2", "payments/bai2")

#define copy_path(name) fx_srcfile("testdata/samples-pay", (name))

#define tmpfile_with(text) fx_tmpfile("/tmp/check_bai2_XXXXXX", (text))

static int
parse(const char *path, unsigned flags, struct coll *c,
    struct br_bai2_totals *t, struct br_error *err)
{
	memset(c, 0, sizeof(*c));
	br_error_clear(err);
	return br_bai2_parse_ex(path, flags, collect, c, t, NULL, err);
}

static int
parse_text(const char *text, unsigned flags, struct coll *c,
    struct br_bai2_totals *t, struct br_error *err)
{
	const char *p = tmpfile_with(text);
	int rc = parse(p, flags, c, t, err);

	unlink(p);
	return rc;
}

struct expect {
	const char *file;
	long groups, accounts, details;
	long long total;
};

static const struct expect valid[] = {
	{ "moj-blank-account-control-total.bai2", 1, 2, 0, 0 },
	{ "moj-citi-gbp-88-remittance.bai2", 1, 1, 1, 20001 },
	{ "moj-natwest-hhmmss-time-type699.bai2", 1, 1, 5, 143764 },
	{ "moj-svb-two-groups-99-no-slash.bai2", 2, 2, 2, 282030196 },
	{ "moov-sample1-cad-two-accounts.bai2", 1, 2, 17, 1280000 },
	{ "moov-sample2-bai-spec-example-fundstypes-S-V-D.bai2", 4, 5, 4,
	    345450000 },
	{ "moov-sample3-multiple-records-per-line.bai2", 1, 15, 26, 2508440 },
	{ "vh-daily-lockbox-type174.bai2", 1, 1, 1, 25001 },
	{ "vh-daily-with-summary-88s.bai2", 1, 1, 1, 50002 },
	{ "vh-eod-no-as-of-time.bai2", 1, 1, 1, 8325982 },
	{ "vh-eod-slash-leading-88-text.bai2", 1, 1, 1, 8325982 },
	{ "vh-eod-wire-88-text.bai2", 1, 1, 1, 8325982 },
};

START_TEST(test_shared_valid)
{
	const char *dir = shared_dir();
	char path[1200];
	struct coll c;
	struct br_bai2_totals t;
	struct br_error err;
	size_t i;

	if (dir == NULL)
		return;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, valid[i].file);
		ck_assert_msg(parse(path, 0, &c, &t, &err) == 0, "%s: %s",
		    valid[i].file, err.msg);
		ck_assert_int_eq(t.groups, valid[i].groups);
		ck_assert_int_eq(t.accounts, valid[i].accounts);
		ck_assert_int_eq(t.details, valid[i].details);
		ck_assert_int_eq(c.n, valid[i].details);
		ck_assert_int_eq(t.file_total, valid[i].total);
		ck_assert_int_eq(t.mismatches, 0);
	}

	/* Citi: 16 ended by '/' before the text, text from seven 88s. */
	snprintf(path, sizeof(path), "%s/moj-citi-gbp-88-remittance.bai2", dir);
	ck_assert_int_eq(parse(path, 0, &c, &t, &err), 0);
	ck_assert_str_eq(c.r[0].txn_code, "191");
	ck_assert_int_eq(c.r[0].amount_cents, 1);
	ck_assert_str_eq(c.r[0].date, "2015-07-15");
	ck_assert_str_eq(c.r[0].bank_ref, "1234567890");
	ck_assert_str_eq(c.r[0].account_ref, "RP12312312312312");
	ck_assert_int_eq(c.r[0].kind, BR_PAYREC_PAYMENT);
	ck_assert_int_eq(strncmp(c.r[0].text,
	    "FR:FP SIP INCOMING ENDT:20150715 TRID:", 38), 0);

	/* NatWest: 03 list continued by an 88, debit 699s, text over two
	 * 88s. */
	snprintf(path, sizeof(path), "%s/moj-natwest-hhmmss-time-type699.bai2",
	    dir);
	ck_assert_int_eq(parse(path, 0, &c, &t, &err), 0);
	ck_assert_str_eq(c.r[0].txn_code, "699");
	ck_assert_int_eq(c.r[0].debit, 1);
	ck_assert_int_eq(c.r[0].kind, BR_PAYREC_OTHER);
	ck_assert_int_eq(c.r[0].amount_cents, 971);
	ck_assert_int_eq(c.r[4].amount_cents, 89);
	ck_assert_int_eq(c.r[4].kind, BR_PAYREC_PAYMENT);
	ck_assert_ptr_nonnull(strstr(c.r[4].text, "CLIE NT SECCY AC TFR"));
	ck_assert_int_eq(t.debit_cents, 2765);
	ck_assert_int_eq(t.credit_cents, 89);
	ck_assert_int_eq(c.r[0].line, 5);

	/* Spec example: funds types S, V, D; 88 text after a 16 ended by
	 * '/'. */
	snprintf(path, sizeof(path), "%s/%s", dir,
	    "moov-sample2-bai-spec-example-fundstypes-S-V-D.bai2");
	ck_assert_int_eq(parse(path, 0, &c, &t, &err), 0);
	ck_assert_int_eq(c.r[0].amount_cents, 450000);
	ck_assert_str_eq(c.r[1].text, "LOCK BOX NO.68751");
	ck_assert_str_eq(c.r[2].txn_code, "218");
	ck_assert_str_eq(c.r[2].bank_ref, "SP4738");
	ck_assert_str_eq(c.r[2].account_ref, "YRC065321");
	ck_assert_str_eq(c.r[2].text,
	    "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO");
	ck_assert_str_eq(c.r[2].date, "2004-06-20");

	/* Several records per line and a wrapped text line. */
	snprintf(path, sizeof(path), "%s/%s", dir,
	    "moov-sample3-multiple-records-per-line.bai2");
	ck_assert_int_eq(parse(path, 0, &c, &t, &err), 0);
	ck_assert_int_eq(c.r[1].amount_cents, 500);
	ck_assert_int_eq(c.r[1].line, 3);
	ck_assert_str_eq(c.r[1].text, "TRANSFER   MSPBNA BANK        PPD");
	ck_assert_str_eq(c.r[0].text, "TRANSFER   PAYPAL             PPD");
	ck_assert_int_eq(t.records, 74);

	/* Lockbox-style 174 with an 88 text. */
	snprintf(path, sizeof(path), "%s/vh-daily-lockbox-type174.bai2", dir);
	ck_assert_int_eq(parse(path, 0, &c, &t, &err), 0);
	ck_assert_str_eq(c.r[0].account_ref, "50848");
	ck_assert_str_eq(c.r[0].text, "SAMPLE CONTINUATION TEXT,");

	/* 88 text starting with '/'. */
	snprintf(path, sizeof(path), "%s/vh-eod-slash-leading-88-text.bai2",
	    dir);
	ck_assert_int_eq(parse(path, 0, &c, &t, &err), 0);
	ck_assert_ptr_nonnull(strstr(c.r[0].text,
	    "2/AV MAIN 2/AVENUE DE ANGELLIST 3/MX /MEXICO ;"));
	ck_assert_ptr_nonnull(strstr(c.r[0].text, "OBI:=INVOICE 123456"));
}
END_TEST

START_TEST(test_shared_parse_only)
{
	const char *dir = shared_dir();
	static const char *files[] = {
		"moov-sample4-no-slash-newline-continuations-ach-returns.bai2",
		"moov-sample5-slash-in-text-issue113.bai2",
	};
	char path[1200];
	struct coll c;
	struct br_bai2_totals t;
	struct br_error err;
	int i, k, found = 0;

	if (dir == NULL)
		return;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		ck_assert_int_eq(parse(path, 0, &c, &t, &err), -1);
		ck_assert_int_eq(err.code, BR_EINPUT);
		ck_assert_int_eq(err.line, 22);
		ck_assert_ptr_nonnull(strstr(err.msg, "49 account trailer: "
		    "control total -1260161341762 does not match"));
		ck_assert_int_eq(parse(path, BR_BAI2_LENIENT, &c, &t, &err), 0);
		ck_assert_int_eq(t.mismatches, 8);
		ck_assert_ptr_nonnull(strstr(t.warning, ":22: 49 account"));
		ck_assert_int_eq(c.n, i == 0 ? 17 : 20);
		for (k = 0; k < c.n && k < MAXREC; k++) {
			if (strcmp(c.r[k].txn_code, "557") != 0)
				continue;
			found++;
			ck_assert_int_eq(c.r[k].kind, BR_PAYREC_RETURN);
			ck_assert_str_eq(c.r[k].return_code, "R02");
			ck_assert_int_eq(c.r[k].debit, 1);
			ck_assert_int_eq(c.r[k].amount_cents, 200000);
			ck_assert_str_eq(c.r[k].account_ref, "021000080000030");
		}
	}
	ck_assert_int_eq(found, 2);
	/* A '/' inside the customer reference is data. */
	ck_assert_str_eq(c.r[2].account_ref, "AB/GS/RPFILERP0001/RPBA0001");
}
END_TEST

START_TEST(test_shared_invalid)
{
	const char *dir = shared_dir();
	char path[1200];
	struct coll c;
	struct br_bai2_totals t;
	struct br_error err;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/vh-INVALID-control-total-off-by-one."
	    "bai2", dir);
	ck_assert_int_eq(parse(path, 0, &c, &t, &err), -1);
	ck_assert_int_eq(err.line, 15);
	ck_assert_str_eq(err.msg, "49 account trailer: control total 8325983 "
	    "does not match the sum of detail amounts 8325982");
	ck_assert_str_eq(err.file, path);
	snprintf(path, sizeof(path), "%s/moov-invalid-parse-error.bai2", dir);
	ck_assert_int_eq(parse(path, 0, &c, &t, &err), -1);
	ck_assert_int_eq(err.line, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "01 file header"));
}
END_TEST

START_TEST(test_ci_copies)
{
	struct coll c;
	struct br_bai2_totals t;
	struct br_error err;
	char sha[65];

	ck_assert_int_eq(parse(copy_path("moj-svb-two-groups-99-no-slash.bai2"),
	    0, &c, &t, &err), 0);
	ck_assert_int_eq(t.file_total, 282030196);
	ck_assert_int_eq(c.n, 2);
	ck_assert_str_eq(c.r[1].date, "2022-02-02");
	ck_assert_int_eq(c.r[1].amount_cents, 905800);
	ck_assert_str_eq(c.r[1].bank_ref, "150675");
	ck_assert_str_eq(c.r[1].text, "SOME PAYMENT ACH OFFSET");
	ck_assert_int_eq(parse(copy_path("moov-sample2-bai-spec-example-"
	    "fundstypes-S-V-D.bai2"), 0, &c, &t, &err), 0);
	ck_assert_int_eq(t.file_total, 345450000);
	ck_assert_int_eq(parse(copy_path("vh-eod-slash-leading-88-text.bai2"),
	    0, &c, &t, &err), 0);
	ck_assert_int_eq(c.r[0].amount_cents, 8325982);
	ck_assert_int_eq(parse(copy_path("vh-INVALID-control-total-off-by-one."
	    "bai2"), 0, &c, &t, &err), -1);
	ck_assert_int_eq(err.line, 15);
	ck_assert_ptr_nonnull(strstr(err.msg, "control total 8325983"));
	/* Lenient: the same file parses with one counted mismatch per
	 * trailer level. */
	ck_assert_int_eq(parse(copy_path("vh-INVALID-control-total-off-by-one."
	    "bai2"), BR_BAI2_LENIENT, &c, &t, &err), 0);
	ck_assert_int_eq(t.mismatches, 1);
	/* Content hash. */
	br_error_clear(&err);
	ck_assert_int_eq(br_bai2_parse(copy_path("moj-svb-two-groups-99-no-"
	    "slash.bai2"), NULL, NULL, NULL, sha, &err), 0);
	ck_assert_int_eq(strlen(sha), 64);
}
END_TEST

START_TEST(test_crafted_continuations)
{
	struct coll c;
	struct br_bai2_totals t;
	struct br_error err;

	/* A summary group split between type code and amount (045/ then
	 * 88,4626045), a stray ",/" leftover, CRLF line ends, a 16 split
	 * before its amount, and two records on one line. */
	ck_assert_int_eq(parse_text(
	    "01,SENDER,RECV,261015,0800,7,80,1,2/\r\n"
	    "02,RECV,SENDER,1,261014,2400,USD,2/\r\n"
	    "03,555,USD,010,1000,,,045/\r\n"
	    "88,4626045,,,100,150000,2,,,/\r\n"
	    "16,115/\r\n"
	    "88,100000,Z,BREF1,1001,LOCKBOX DEPOSIT/\r\n"
	    "16,165,50000,0,BREF2,1002/  88,AUTOPAY SETTLEMENT\r\n"
	    "49,4927045,7/\r\n"
	    "98,4927045,1,9/\r\n"
	    "99,4927045,1,11/\r\n", 0, &c, &t, &err), 0);
	ck_assert_int_eq(c.n, 2);
	ck_assert_str_eq(c.r[0].txn_code, "115");
	ck_assert_int_eq(c.r[0].amount_cents, 100000);
	ck_assert_str_eq(c.r[0].bank_ref, "BREF1");
	ck_assert_str_eq(c.r[0].account_ref, "1001");
	ck_assert_str_eq(c.r[0].text, "LOCKBOX DEPOSIT");
	ck_assert_str_eq(c.r[0].date, "2026-10-14");
	ck_assert_int_eq(c.r[0].line, 5);
	ck_assert_str_eq(c.r[1].text, "AUTOPAY SETTLEMENT");
	ck_assert_int_eq(c.r[1].line, 7);
	ck_assert_int_eq(t.credit_cents, 150000);

	/* 16 text without '/', its 88 text, negative status amount, no
	 * slash on 99. */
	ck_assert_int_eq(parse_text(
	    "01,S,R,261015,0800,7,,,2/\n"
	    "02,R,S,1,261014,,,2/\n"
	    "03,555,,015,-2500,,/\n"
	    "16,555,2500,,BR,1001,RETURNED ITEM R01 NSF, CHECK 1234\n"
	    "88,SECOND LINE / WITH SLASH\n"
	    "49,0,4/\n"
	    "98,0,1,6/\n"
	    "99,0,1,8\n", 0, &c, &t, &err), 0);
	ck_assert_int_eq(c.r[0].kind, BR_PAYREC_RETURN);
	ck_assert_str_eq(c.r[0].return_code, "R01");
	ck_assert_str_eq(c.r[0].text,
	    "RETURNED ITEM R01 NSF, CHECK 1234 SECOND LINE / WITH SLASH");

	/* Funds type D split across a physical record. */
	ck_assert_int_eq(parse_text(
	    "01,S,R,261015,0800,7,,,2/\n"
	    "02,R,S,1,261014,,,2/\n"
	    "03,555,,190,700,4,D,2/\n"
	    "88,0,300,1,400/\n"
	    "49,700,3/\n"
	    "98,700,1,5/\n"
	    "99,700,1,7/\n", 0, &c, &t, &err), 0);
	ck_assert_int_eq(c.n, 0);
}
END_TEST

START_TEST(test_crafted_errors)
{
	static const struct {
		const char *text;
		long line;
		const char *msg;
	} cases[] = {
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "03,555,,010,100,,/\n16,115,300,,,/\n49,401,3/\n"
		  "98,401,1,5/\n99,401,1,7/\n", 5,
		  "49 account trailer: control total 401 does not match the "
		  "sum of detail amounts 400" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "03,555,,010,100,,/\n16,115,300,,,/\n49,400,4/\n"
		  "98,400,1,6/\n99,400,1,8/\n", 5,
		  "49 account trailer: number of records 4 does not match the "
		  "3 records 03..49" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "03,555,,010,100,,/\n49,100,2/\n98,101,1,4/\n99,101,1,6/\n",
		  5, "98 group trailer: control total 101 does not match the "
		  "sum of account control totals 100" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "03,555,,010,100,,/\n49,100,2/\n98,100,1,4/\n99,100,2,6/\n",
		  6, "99 file trailer: number of groups 2 does not match the 1 "
		  "groups of the file" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "03,555,,010,100,,/\n16,115,12a,,,/\n", 4,
		  "16 transaction detail: amount '12a' is not an unsigned "
		  "number" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "03,555,,010,100,,/\n16,11,1,,,/\n", 4,
		  "16 transaction detail: type code '11' is not 3 digits" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261399,,,2/\n", 2,
		  "02 group header: as-of date '261399' is not YYMMDD" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "03,555,,010,100,,Q/\n", 3,
		  "03 account identifier: funds type 'Q' of type code 010 is "
		  "not 0, 1, 2, Z, S, V or D" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "03,555,,010,100,,,110/\n49,100,2/\n", 4,
		  "03 account identifier: incomplete summary group starting "
		  "with type code '110'" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "03,555,,010,100,X,/\n", 3,
		  "03 account identifier: item count 'X' of type code 010 is "
		  "not a number" },
		{ "01,S,R,261015,0800,7,,,2/\n16,115,1,,,/\n", 2,
		  "16 transaction detail: transaction detail outside an "
		  "account" },
		{ "01,S,R,261015,0800,7,,,2/\n77,1/\n", 2,
		  "record: unknown record code 77" },
		{ "01,S,R,261015,0800,7,,,2/\nHELLO\n", 2,
		  "01 file header: expected a record code ('NN,') at column 1" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n", 2,
		  "99 file trailer missing at end of file" },
		{ "", 0, "empty file: no 01 file header" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "49,0,1/\n", 3, "49 account trailer: account trailer without "
		  "an account" },
		{ "01,S,R,261015,0800,7,,,2/\n02,R,S,1,261014,,,2/\n"
		  "98,0,0,2/\n99,0,1,4/\n01,X/\n", 5,
		  "01 file header: record after the 99 file trailer" },
	};
	struct coll c;
	struct br_bai2_totals t;
	struct br_error err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(parse_text(cases[i].text, 0, &c, &t, &err) == -1,
		    "case %zu parsed", i);
		ck_assert_int_eq(err.code, BR_EINPUT);
		ck_assert_msg(err.line == cases[i].line, "case %zu: line %ld",
		    i, err.line);
		ck_assert_msg(strcmp(err.msg, cases[i].msg) == 0,
		    "case %zu: '%s'", i, err.msg);
	}
}
END_TEST

START_TEST(test_callback_stops)
{
	struct coll c;
	struct br_error err;
	const char *p = copy_path("moj-svb-two-groups-99-no-slash.bai2");

	memset(&c, 0, sizeof(c));
	c.fail_at = 2;
	br_error_clear(&err);
	ck_assert_int_eq(br_bai2_parse(p, collect, &c, NULL, NULL, &err), -1);
	ck_assert_int_eq(err.code, BR_EINTERNAL);
	ck_assert_int_eq(c.n, 1);
	ck_assert_int_eq(br_bai2_parse("/nonexistent/x.bai2", collect, &c,
	    NULL, NULL, &err), -1);
	ck_assert_int_eq(err.code, BR_ENOINPUT);
}
END_TEST

/* Every prefix and many byte mutations of a sample: no crash. */
START_TEST(test_robust_mutations)
{
	FILE *f = fopen(copy_path("moov-sample2-bai-spec-example-fundstypes-"
	    "S-V-D.bai2"), "rb");
	char buf[4096], mut[4096];
	size_t n, k;
	struct coll c;
	struct br_bai2_totals t;
	struct br_error err;
	unsigned seed = 12345;
	static const char alphabet[] = ",/0123456789 \n88SVDZ-+";

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	for (k = 0; k < n; k += 7) {
		memcpy(mut, buf, k);
		mut[k] = '\0';
		(void)parse_text(mut, 0, &c, &t, &err);
	}
	for (k = 0; k < 400; k++) {
		memcpy(mut, buf, n);
		mut[n] = '\0';
		seed = seed * 1103515245u + 12345u;
		mut[(seed >> 8) % n] = alphabet[(seed >> 20) %
		    (sizeof(alphabet) - 1)];
		seed = seed * 1103515245u + 12345u;
		mut[(seed >> 8) % n] = alphabet[(seed >> 20) %
		    (sizeof(alphabet) - 1)];
		(void)parse_text(mut, k % 2 ? BR_BAI2_LENIENT : 0, &c, &t,
		    &err);
	}
}
END_TEST

/* The BAI2 v2 type code classes (docs/formats-bank.md): one code of each. */
START_TEST(test_type_code_classes)
{
	static const struct { int code; const char *cls; } v[] = {
		{ 10, "status" }, { 100, "summary" }, { 115, "receipt" },
		{ 142, "receipt" }, { 195, "receipt" }, { 301, "receipt" },
		{ 555, "return" }, { 557, "return" }, { 257, "return" },
		{ 468, "return" }, { 552, "reversal" }, { 558, "reversal" },
		{ 561, "reject" }, { 261, "reject" }, { 357, "adjustment" },
		{ 631, "adjustment" }, { 118, "adjustment" }, { 354, "other" },
		{ 475, "other" }, { 890, "other" }, { 999, "other" },
		{ 169, "summary" }, { 0, "other" },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(strcmp(br_bai2_class(v[i].code), v[i].cls) == 0,
		    "%d: %s, want %s", v[i].code, br_bai2_class(v[i].code),
		    v[i].cls);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bai2");
	TCase *tc = tcase_create("bai2");
	TCase *ts = tcase_create("samples");

	tcase_set_timeout(tc, 60);
	tcase_set_timeout(ts, 60);
	tcase_add_test(ts, test_shared_valid);
	tcase_add_test(ts, test_shared_parse_only);
	tcase_add_test(ts, test_shared_invalid);
	tcase_add_test(tc, test_ci_copies);
	tcase_add_test(tc, test_crafted_continuations);
	tcase_add_test(tc, test_crafted_errors);
	tcase_add_test(tc, test_callback_stops);
	tcase_add_test(tc, test_robust_mutations);
	tcase_add_test(tc, test_type_code_classes);
	suite_add_tcase(s, tc);
	tcase_set_tags(ts, "samples");
	suite_add_tcase(s, ts);
	return fx_run(s);
}
