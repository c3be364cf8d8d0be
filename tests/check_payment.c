/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_payment.c: pay-reconcile on a temporary store filled with SQL:
 * posting, suspense, closed accounts, duplicate files and a bad amount
 * that rolls back every file of the run.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pay/payment.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

static char dir[256];
static struct br_store *st;

static const char fixture[] =
    "INSERT INTO account VALUES('A1','Bob Hughes','','active','R1'),"
    "('A2','Carla Adams','','active','R1'),"
    "('A3','Dan Moss','','closed','R1');"
    "INSERT INTO ledger(account_id,date,kind,ref,amount_cents) VALUES"
    "('A1','2026-11-03','bill','2026-10-A1',6234),"
    "('A2','2026-11-03','bill','2026-10-A2',1000);";

static void
setup(void)
{
	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_payment.XXXXXX");
	st = fx_store(dir, "billing.db", fixture);
}

static void
teardown(void)
{
	br_store_close(st);
	fx_rmrf(dir);
}

#define scalar(sql) fx_scalar(st, (sql), 0)

/* One run in one transaction, as the tool does it. */
static int
run(const char *const *files, size_t n, struct br_payment_report *rep,
    struct br_error *err)
{
	int rc;

	br_payment_report_init(rep);
	ck_assert_int_eq(br_store_begin(st, err), 0);
	rc = br_payment_post_files(st, files, n, NULL, rep, err);
	if (rc == 0)
		ck_assert_int_eq(br_store_commit(st, err), 0);
	else
		br_store_rollback(st);
	return rc;
}

static const char pay1[] =
    "date,account_id,amount,method,reference\n"
    "2026-11-10,A1,50.00,check,R1\n"
    "2026-11-11,,20.5,ach,R2\n"
    "2026-11-12,A9,1,card,R3\n"
    "2026-11-13,A3,7.25,check,R4\n"
    "2026-11-14,A1,12.34,ach,R5\n";

START_TEST(test_payment_post_and_report)
{
	struct br_error err;
	struct br_payment_report rep;
	const char *files[1];
	char *buf = NULL;
	size_t len;
	FILE *f;

	files[0] = fx_file(dir, "pay1.csv", pay1);
	ck_assert_int_eq(run(files, 1, &rep, &err), 0);
	ck_assert_int_eq(rep.posted, 3);
	ck_assert_int_eq(rep.posted_cents, 5000 + 725 + 1234);
	ck_assert_int_eq(rep.suspense, 2);
	ck_assert_int_eq(rep.suspense_cents, 2050 + 100);
	ck_assert_int_eq(rep.rows[3].closed_account, 1);
	f = open_memstream(&buf, &len);
	br_payment_report_write(&rep, f);
	fclose(f);
	/* The report names files by base name, never by directory. */
	ck_assert_ptr_null(strstr(buf, files[0]));
	ck_assert_ptr_nonnull(strstr(buf,
	    "\npay1.csv,2,2026-11-10,A1,50.00,posted,12.34,account,"
	    "partial\n"));
	ck_assert_ptr_nonnull(strstr(buf,
	    "\npay1.csv,3,2026-11-11,,20.50,suspense,,,\n"));
	ck_assert_ptr_nonnull(strstr(buf,
	    "\npay1.csv,4,2026-11-12,A9,1.00,suspense,,,\n"));
	ck_assert_ptr_nonnull(strstr(buf,
	    "\npay1.csv,5,2026-11-13,A3,7.25,posted,-7.25,account,"
	    "credit balance; closed account\n"));
	ck_assert_ptr_nonnull(strstr(buf,
	    "\npay1.csv,6,2026-11-14,A1,12.34,posted,0.00,account,\n"));
	ck_assert_ptr_null(strstr(buf, "TOTAL"));
	ck_assert_int_eq(strncmp(buf,
	    "file,line,date,account_id,amount,status,balance_after,"
	    "matched_by,note\n", 70), 0);
	free(buf);
	/* The totals are a summary CSV of their own. */
	f = open_memstream(&buf, &len);
	br_payment_summary_write(&rep, f);
	fclose(f);
	ck_assert_str_eq(buf, "status,items,amount\n"
	    "posted,3,69.59\n"
	    "suspense,2,21.50\n"
	    "returned,0,0.00\n");
	free(buf);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM payment"), 5);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM payment "
	    "WHERE status = 'suspense' AND account_id IS NULL"), 1);
	ck_assert_int_eq(scalar("SELECT SUM(amount_cents) FROM ledger "
	    "WHERE kind = 'payment'"), -(5000 + 725 + 1234));
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM ledger l JOIN payment p "
	    "ON l.ref = 'P' || p.payment_id WHERE l.kind = 'payment' "
	    "AND l.date = p.received_date"), 3);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM exception WHERE "
	    "stage = 'payment' AND code = 'UNMATCHED_PAYMENT' "
	    "AND severity = 'warn'"), 2);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM exception WHERE "
	    "code = 'PAYMENT_CLOSED_ACCOUNT' AND account_id = 'A3' "
	    "AND line = 5"), 1);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM import_file WHERE "
	    "stage = 'payment' AND records = 5 AND length(sha256) = 64"), 1);
	br_payment_report_release(&rep);
}
END_TEST

START_TEST(test_payment_duplicate_file)
{
	struct br_error err;
	struct br_payment_report rep;
	const char *files[2];

	files[0] = fx_file(dir, "pay1.csv", pay1);
	ck_assert_int_eq(run(files, 1, &rep, &err), 0);
	br_payment_report_release(&rep);
	/* Same content under another name, and the same file again. */
	files[0] = fx_file(dir, "copy.csv", pay1);
	files[1] = fx_file(dir, "pay1.csv", pay1);
	ck_assert_int_eq(run(files, 2, &rep, &err), 0);
	/* Nothing posted; every item listed again as already posted, with
	 * the first posting (issue 19: a rerun's report is complete). */
	ck_assert_int_eq(rep.n, 10);
	for (size_t i = 0; i < rep.n; i++) {
		ck_assert_int_eq(rep.rows[i].status, BR_PAY_ALREADY);
		ck_assert_int_eq(rep.rows[i].earlier_file, 1);
		ck_assert_ptr_nonnull(strstr(rep.rows[i].note,
		    "already posted"));
	}
	ck_assert_int_eq(rep.nfiles, 2);
	ck_assert_int_eq(rep.files[0].duplicate, 1);
	ck_assert_int_eq(rep.files[1].duplicate, 1);
	ck_assert_int_eq(rep.files[0].already, 5);
	ck_assert_int_eq(rep.posted, 0);
	ck_assert_int_eq(rep.suspense, 0);
	ck_assert_int_eq(rep.review, 0);
	br_payment_report_release(&rep);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM payment"), 5);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM ledger "
	    "WHERE kind = 'payment'"), 3);
}
END_TEST

START_TEST(test_payment_bad_amount_rolls_back)
{
	struct br_error err;
	struct br_payment_report rep;
	const char *files[2];

	files[0] = fx_file(dir, "a.csv", pay1);
	files[1] = fx_file(dir, "b.csv", "account_id,date,amount\n"
	    "A1,2026-11-20,5.00\n"
	    "A2,2026-11-21,0.00\n");
	ck_assert_int_eq(run(files, 2, &rep, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_str_eq(err.file, files[1]);
	ck_assert_int_eq(err.line, 3);
	ck_assert_ptr_nonnull(strstr(err.msg, "'amount'"));
	br_payment_report_release(&rep);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM payment"), 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM import_file"), 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM ledger "
	    "WHERE kind = 'payment'"), 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM exception"), 0);
}
END_TEST

START_TEST(test_payment_bad_fields)
{
	struct br_error err;
	struct br_payment_report rep;
	const char *files[1];

	files[0] = fx_file(dir, "d.csv", "date,account_id,amount\n"
	    "2026-02-30,A1,5.00\n");
	ck_assert_int_eq(run(files, 1, &rep, &err), -1);
	ck_assert_int_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.msg, "'date'"));
	br_payment_report_release(&rep);
	files[0] = fx_file(dir, "d.csv", "date,account_id,amount\n"
	    "2026-11-01,A1,5.001\n");
	ck_assert_int_eq(run(files, 1, &rep, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad amount '5.001'"));
	br_payment_report_release(&rep);
	files[0] = fx_file(dir, "d.csv", "date,account,amount\n");
	ck_assert_int_eq(run(files, 1, &rep, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "missing column 'account_id'"));
	ck_assert_int_eq(err.line, 1);
	br_payment_report_release(&rep);
	files[0] = fx_file(dir, "d.csv", "date,account_id,amount\n"
	    "2026-11-01,A1,-5\n");
	ck_assert_int_eq(run(files, 1, &rep, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "must be positive"));
	br_payment_report_release(&rep);
}
END_TEST

/* Issue 16 item 6: an amount above the cap (default 10,000,000.00 per
 * item, setting amount_cap_cents) is refused; sums never wrap. */
START_TEST(test_payment_amount_cap_and_overflow)
{
	struct br_error err;
	struct br_payment_report rep;
	const char *files[1];

	files[0] = fx_file(dir, "cap.csv", "date,account_id,amount\n"
	    "2026-11-01,A1,10000000.00\n2026-11-01,A1,10000000.01\n");
	ck_assert_int_eq(run(files, 1, &rep, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 3);
	ck_assert_ptr_nonnull(strstr(err.msg, "above the cap of "
	    "10000000.00"));
	br_payment_report_release(&rep);
	ck_assert_int_eq(br_store_exec(st, "INSERT INTO setting VALUES("
	    "'amount_cap_cents', '9223372036854775807')", &err), 0);
	files[0] = fx_file(dir, "big.csv", "date,account_id,amount\n"
	    "2026-11-01,,90000000000000000\n"
	    "2026-11-01,,90000000000000000\n");
	ck_assert_int_eq(run(files, 1, &rep, &err), -1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_ptr_nonnull(strstr(err.msg, "overflow"));
	br_payment_report_release(&rep);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM payment"), 0);
}
END_TEST

/* Item keys: a re-saved file posts nothing; two identical trace-less
 * items of one file are two payments. */
START_TEST(test_payment_item_keys)
{
	struct br_error err;
	struct br_payment_report rep;
	const char *files[1];

	files[0] = fx_file(dir, "k.csv", "date,account_id,amount\n"
	    "2026-11-01,A1,40.00\n2026-11-01,A1,40.00\n");
	ck_assert_int_eq(run(files, 1, &rep, &err), 0);
	ck_assert_int_eq(rep.posted, 2);
	br_payment_report_release(&rep);
	files[0] = fx_file(dir, "k.csv", "date,account_id,amount\r\n"
	    "2026-11-01,A1,40.00\r\n2026-11-01,A1,40.00\r\n\r\n");
	ck_assert_int_eq(run(files, 1, &rep, &err), 0);
	ck_assert_int_eq(rep.posted, 0);
	ck_assert_int_eq(rep.files[0].already, 2);
	ck_assert_int_eq(rep.review, 0);
	br_payment_report_release(&rep);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM payment"), 2);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM payment_item"), 2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("payment");
	TCase *tc = tcase_create("payment");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_payment_post_and_report);
	tcase_add_test(tc, test_payment_duplicate_file);
	tcase_add_test(tc, test_payment_bad_amount_rolls_back);
	tcase_add_test(tc, test_payment_bad_fields);
	tcase_add_test(tc, test_payment_amount_cap_and_overflow);
	tcase_add_test(tc, test_payment_item_keys);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
