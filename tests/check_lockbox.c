/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_lockbox.c: the BAI lockbox parser against the shared samples
 * (skipped when BR_SAMPLES_DIR is unset), the synthetic scan-line file in
 * testdata/samples-pay, and crafted total and structure errors.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/lockbox.h"
#include "fixture.h"
#include "core/banned.h"

#define MAXREC 16

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

#define shared_dir() fx_samples_dir("check_lockbox", "payments/bai-lockbox")

#define copy_path(name) fx_srcfile("testdata/samples-pay", (name))

static int
parse(const char *path, struct coll *c, struct br_lockbox_totals *t,
    struct br_error *err)
{
	memset(c, 0, sizeof(*c));
	br_error_clear(err);
	return br_lockbox_parse(path, collect, c, t, NULL, err);
}

static int
parse_text(const char *text, struct coll *c, struct br_lockbox_totals *t,
    struct br_error *err)
{
	const char *path = fx_tmpfile("/tmp/check_lockbox_XXXXXX", text);
	int rc;

	rc = parse(path, c, t, err);
	unlink(path);
	return rc;
}

static void
check_one_check_sample(const char *path)
{
	struct coll c;
	struct br_lockbox_totals t;
	struct br_error err;

	ck_assert_int_eq(parse(path, &c, &t, &err), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_int_eq(t.checks, 1);
	ck_assert_int_eq(t.batches, 1);
	ck_assert_int_eq(t.records, 8);
	ck_assert_int_eq(t.total_cents, 700000);
	ck_assert_int_eq(c.r[0].amount_cents, 700000);
	ck_assert_int_eq(c.r[0].kind, BR_PAYREC_PAYMENT);
	ck_assert_str_eq(c.r[0].bank_ref, "0000000180");
	ck_assert_str_eq(c.r[0].name, "BOB E SMITH");
	ck_assert_str_eq(c.r[0].account_ref, "CE554");
	ck_assert_str_eq(c.r[0].text, "CE554");
	ck_assert_str_eq(c.r[0].date, "2016-05-23");
	ck_assert_str_eq(c.r[0].scan_line, "");
	ck_assert_int_eq(c.r[0].line, 4);
}

START_TEST(test_shared_samples)
{
	const char *dir = shared_dir();
	char path[1200];
	struct coll c;
	struct br_lockbox_totals t;
	struct br_error err;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/fc-lockbox-one-check-with-overflow."
	    "txt", dir);
	check_one_check_sample(path);
	snprintf(path, sizeof(path), "%s/fc-lockbox-empty.txt", dir);
	ck_assert_int_eq(parse(path, &c, &t, &err), 0);
	ck_assert_int_eq(c.n, 0);
	ck_assert_int_eq(t.records, 6);
	ck_assert_int_eq(t.total_cents, 0);
}
END_TEST

START_TEST(test_ci_copies)
{
	struct coll c;
	struct br_lockbox_totals t;
	struct br_error err;

	check_one_check_sample(copy_path("fc-lockbox-one-check-with-overflow."
	    "txt"));
	ck_assert_int_eq(parse(copy_path("synthetic-lockbox-scanline.txt"), &c,
	    &t, &err), 0);
	ck_assert_int_eq(c.n, 3);
	ck_assert_int_eq(t.batches, 2);
	ck_assert_int_eq(t.total_cents, 72245);
	ck_assert_str_eq(c.r[0].scan_line, "000000100100000123456");
	ck_assert_str_eq(c.r[0].account_ref, "1001");
	ck_assert_int_eq(c.r[0].amount_cents, 12345);
	ck_assert_str_eq(c.r[0].date, "2026-10-15");
	ck_assert_str_eq(c.r[1].account_ref, "INV 4411");
	ck_assert_str_eq(c.r[1].scan_line, "");
	ck_assert_str_eq(c.r[2].account_ref, "");
	ck_assert_str_eq(c.r[2].date, "2026-10-16");
	ck_assert_str_eq(c.r[2].name, "ACME HARDWARE LLC");
	ck_assert_int_eq(c.r[2].line, 10);
}
END_TEST

static const char *base[] = {
	"100UTILITYCO109999999912610150800",
	"50010000022222261015UTILITYCO10999999991",
	"6001001000001234505500270700123455550000001001101226JANE Q CUSTOMER",
	"40010016019000000100100000123456",
	"6001002000000990005500270700098765430000002002101126JOHN SMITH",
	"700100000222222610150020000022245",
	"8000000002222226101500020000022245",
	"9000008",
};
#define NBASE ((int)(sizeof(base) / sizeof(base[0])))

static void
build(char *out, size_t n, int at, const char *repl)
{
	size_t len = 0;
	int i;

	for (i = 0; i <= NBASE; i++) {
		const char *l = i < NBASE ? base[i] : NULL;

		if (i == at)
			l = repl;
		if (l != NULL)
			len += (size_t)snprintf(out + len, n - len, "%s\n", l);
	}
}

START_TEST(test_crafted)
{
	static const struct {
		int at;
		const char *repl;
		long line;
		const char *msg;
	} cases[] = {
		{ 5, "700100000222222610150030000022245", 6, "7 batch total: "
		    "number of remittances 3 does not match the 2 checks of the "
		    "batch" },
		{ 5, "700100000222222610150020000022246", 6, "7 batch total: "
		    "check dollar total 22246 does not match the sum of check "
		    "amounts 22245" },
		{ 6, "8000000002222226101500020000022240", 7, "8 lockbox total: "
		    "check dollar total 22240 does not match the sum of check "
		    "amounts 22245" },
		{ 6, "8000000002222226101500010000022245", 7, "8 lockbox total: "
		    "total number of checks 1 does not match the 2 checks of the "
		    "lockbox" },
		{ 7, "9000009", 8, "9 trailer: total number of records 9 does "
		    "not match the 8 records of the file" },
		{ 3, "40010026019000000100100000123456", 4, "4 overflow: "
		    "batch/item 001/002 does not match the check detail "
		    "001/001" },
		{ 2, "600100100000123X5", 3, "6 check detail: check amount "
		    "(positions 8-17) '00000123X5' is not numeric" },
		{ 1, "50010000022222261345", 2, "5 batch header: deposit date "
		    "(positions 15-20) '261345' is not a YYMMDD date" },
		{ 0, "50010000022222261015", 1, "5 batch header: 1 header "
		    "missing: the file starts with a type 5 record" },
		{ 7, NULL, 7, "9 trailer missing at end of file" },
		{ 8, "9000009", 9, "9 trailer: record after the 9 trailer" },
		{ 5, "X", 6, "unknown record type 'X' (expected 1, 2, 4, 5, 6, 7, "
		    "8 or 9)" },
		{ 1, "6001001000001234505500270700123455550000001001101226", 2,
		    "6 check detail: check detail outside a batch" },
	};
	char text[2048];
	struct coll c;
	struct br_lockbox_totals t;
	struct br_error err;
	size_t i;

	build(text, sizeof(text), -1, NULL);
	ck_assert_int_eq(parse_text(text, &c, &t, &err), 0);
	ck_assert_int_eq(c.n, 2);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build(text, sizeof(text), cases[i].at, cases[i].repl);
		ck_assert_msg(parse_text(text, &c, &t, &err) == -1,
		    "case %zu parsed", i);
		ck_assert_int_eq(err.code, BR_EINPUT);
		ck_assert_msg(err.line == cases[i].line, "case %zu: line %ld",
		    i, err.line);
		ck_assert_msg(strcmp(err.msg, cases[i].msg) == 0,
		    "case %zu: '%s'", i, err.msg);
	}
}
END_TEST

START_TEST(test_robust_mutations)
{
	char text[2048], mut[2048];
	struct coll c;
	struct br_lockbox_totals t;
	struct br_error err;
	size_t n, k;
	unsigned seed = 99;
	static const char alphabet[] = "0123456789 \n456789";

	build(text, sizeof(text), -1, NULL);
	n = strlen(text);
	for (k = 0; k < n; k += 3) {
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
	Suite *s = suite_create("lockbox");
	TCase *tc = tcase_create("lockbox");
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
