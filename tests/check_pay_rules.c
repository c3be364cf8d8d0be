/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_pay_rules.c: pay-reconcile rules on a temporary store: the YAML
 * column mapping, format detection, oldest-first application with partial
 * and over payments, late fees (rounding, minimum, grace boundary,
 * idempotence), aging buckets at their exact boundaries, and the
 * reconciliation balance with other items.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/ledger.h"
#include "pay/pay_apply.h"
#include "pay/payment.h"
#include "formats/paymap.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

static char dir[256];
static struct br_store *st;

static const char fixture[] =
    "INSERT INTO account VALUES('A1','Bob Hughes','','active','R1'),"
    "('A2','Carla Adams','','active','R1');";

static void
setup(void)
{
	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_pay_rules.XXXXXX");
	st = fx_store(dir, "billing.db", fixture);
}

static void
teardown(void)
{
	br_store_close(st);
	fx_rmrf(dir);
}

#define scalar(sql) fx_scalar(st, (sql), 0)

static void
exec(const char *sql)
{
	struct br_error err;

	ck_assert_int_eq(br_store_exec(st, sql, &err), 0);
}

/* Applied amount from the entry with ref cref to the one with ref dref. */
static int64_t
applied(const char *cref, const char *dref)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT COALESCE(SUM(a.amount_cents), 0) "
	    "FROM payment_application a JOIN ledger c ON c.entry_id = "
	    "a.credit_entry JOIN ledger d ON d.entry_id = a.charge_entry "
	    "WHERE c.ref = '%s' AND d.ref = '%s'", cref, dref);
	return scalar(sql);
}

START_TEST(test_paymap)
{
	struct br_paymap m;
	struct br_error err;
	char out[64];
	const char *p;

	p = fx_file(dir, "m.yaml", "# card\ncolumns:\n  date: d\n  amount: a\n"
	    "  account: ref#1\n  bill: ref#2\nseparator: \"/\"\n"
	    "date_format: MM/DD/YYYY\namount_unit: cents\nmethod: card\n"
	    "include_column: type\ninclude_value: SALE\n");
	ck_assert_int_eq(br_paymap_load(&m, p, &err), 0);
	ck_assert_str_eq(m.account.name, "ref");
	ck_assert_int_eq(m.account.part, 1);
	ck_assert_int_eq(m.bill.part, 2);
	ck_assert_int_eq(m.separator, '/');
	ck_assert_int_eq(m.amount_cents, 1);
	ck_assert_str_eq(m.method_default, "card");
	ck_assert_str_eq(m.include_value, "SALE");
	ck_assert_str_eq(m.reference.name, "");
	ck_assert_int_eq(br_paymap_date(&m, "11/09/2026", out), 0);
	ck_assert_str_eq(out, "2026-11-09");
	ck_assert_int_eq(br_paymap_date(&m, "2026-11-09", out), -1);
	ck_assert_int_eq(br_paymap_date(&m, "13/09/2026", out), -1);
	br_paymap_part("10000505|B7", '|', 2, out, sizeof(out));
	ck_assert_str_eq(out, "B7");
	br_paymap_part("10000505|B7", '|', 1, out, sizeof(out));
	ck_assert_str_eq(out, "10000505");
	br_paymap_part("10000505", '|', 3, out, sizeof(out));
	ck_assert_str_eq(out, "");
	br_paymap_default(&m);
	ck_assert_int_eq(br_paymap_date(&m, "2026-11-09 10:00:00", out), 0);
	ck_assert_str_eq(out, "2026-11-09");
	ck_assert_int_eq(br_paymap_date(&m, "2026-11-09x", out), -1);

	/* Errors name file and line. */
	p = fx_file(dir, "bad.yaml", "columns:\n  date: d\n  amount: a\n"
	    "  colour: red\n");
	ck_assert_int_eq(br_paymap_load(&m, p, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 4);
	ck_assert_ptr_nonnull(strstr(err.msg, "columns.colour"));
	p = fx_file(dir, "bad.yaml", "columns:\n  amount: a\n");
	ck_assert_int_eq(br_paymap_load(&m, p, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "columns.date"));
	p = fx_file(dir, "bad.yaml",
	    "amount_unit: euros\ncolumns:\n  date: d\n");
	ck_assert_int_eq(br_paymap_load(&m, p, &err), -1);
	ck_assert_int_eq(err.line, 1);
	p = fx_file(dir, "bad.yaml", "columns:\n  date: d#0\n  amount: a\n");
	ck_assert_int_eq(br_paymap_load(&m, p, &err), -1);
	ck_assert_int_eq(br_paymap_load(&m, "/nonexistent/x.yaml", &err), -1);
	ck_assert_int_eq(err.code, BR_ENOINPUT);
}
END_TEST

START_TEST(test_detect)
{
	struct br_error err;
	const char *f;
	char rec[200];

	ck_assert_int_eq(br_payment_detect(fx_file(dir, "a", "01,X,Y/\n"), &f,
	    &err), 0);
	ck_assert_str_eq(f, "bai2");
	ck_assert_int_eq(br_payment_detect(fx_file(dir, "a", "00,X/\n"), &f,
	    &err), 0);
	ck_assert_str_eq(f, "bai2");
	ck_assert_int_eq(br_payment_detect(fx_file(dir, "a", "101 0914\n"), &f,
	    &err), 0);
	ck_assert_str_eq(f, "nacha");
	memset(rec, ' ', 94);
	rec[0] = '5';
	rec[94] = '\n';
	rec[95] = '\0';
	ck_assert_int_eq(br_payment_detect(fx_file(dir, "a", rec), &f, &err),
	    0);
	ck_assert_str_eq(f, "nacha");
	ck_assert_int_eq(br_payment_detect(fx_file(dir, "a", "100UTILITY\n"),
	    &f, &err), 0);
	ck_assert_str_eq(f, "lockbox");
	ck_assert_int_eq(br_payment_detect(fx_file(dir, "a", "date,amount\n"),
	    &f, &err), 0);
	ck_assert_str_eq(f, "csv");
	ck_assert_int_eq(br_payment_detect(fx_file(dir, "a", ""), &f, &err), 0);
	ck_assert_str_eq(f, "csv");
	ck_assert_int_eq(br_payment_detect("/nonexistent/p.csv", &f, &err),
	    -1);
	ck_assert_int_eq(err.code, BR_ENOINPUT);
}
END_TEST

static int
post(const char *path, struct br_payment_report *rep, struct br_error *err)
{
	const char *files[1];
	int rc;

	files[0] = path;
	br_payment_report_init(rep);
	ck_assert_int_eq(br_store_begin(st, err), 0);
	rc = br_payment_post_files(st, files, 1, NULL, rep, err);
	if (rc == 0)
		ck_assert_int_eq(br_store_commit(st, err), 0);
	else
		br_store_rollback(st);
	return rc;
}

START_TEST(test_oldest_first)
{
	struct br_payment_report rep;
	struct br_error err;

	exec("INSERT INTO ledger(account_id,date,kind,ref,amount_cents) VALUES"
	    "('A1','2026-10-05','bill','B2',6000),"
	    "('A1','2026-09-05','bill','B1',4000),"
	    "('A1','2026-11-05','bill','B3',3000)");
	/* Partial: B1 whole, B2 in part, B3 untouched. */
	ck_assert_int_eq(post(fx_file(dir, "p1.csv", "date,account_id,amount\n"
	    "2026-11-10,A1,50.00\n"), &rep, &err), 0);
	ck_assert_int_eq(applied("P1", "B1"), 4000);
	ck_assert_int_eq(applied("P1", "B2"), 1000);
	ck_assert_int_eq(applied("P1", "B3"), 0);
	ck_assert_int_eq(rep.rows[0].balance_after_cents, 8000);
	br_payment_report_release(&rep);
	/* Overpayment: B2 and B3 paid, 20.00 credit stays unapplied. */
	ck_assert_int_eq(post(fx_file(dir, "p2.csv", "date,account_id,amount\n"
	    "2026-11-11,A1,100.00\n"), &rep, &err), 0);
	ck_assert_int_eq(applied("P2", "B2"), 5000);
	ck_assert_int_eq(applied("P2", "B3"), 3000);
	ck_assert_int_eq(rep.rows[0].balance_after_cents, -2000);
	br_payment_report_release(&rep);
	/* The credit pays the next charge when settling. */
	exec("INSERT INTO ledger(account_id,date,kind,ref,amount_cents) VALUES"
	    "('A1','2026-12-05','bill','B4',3500)");
	ck_assert_int_eq(br_payment_settle(st, "A1", &err), 0);
	ck_assert_int_eq(applied("P2", "B4"), 2000);
	ck_assert_int_eq(br_payment_settle(st, NULL, &err), 0);
	ck_assert_int_eq(scalar("SELECT SUM(amount_cents) FROM "
	    "payment_application"), 15000);
}
END_TEST

START_TEST(test_late_fees)
{
	struct br_error err;
	long n;
	int64_t total;

	exec("INSERT INTO setting VALUES('late_fee_pct_ppm','15000'),"
	    "('late_fee_min_cents','200'),('late_fee_grace_days','5');"
	    "INSERT INTO bill(bill_id,account_id,cycle_id,period_start,"
	    "period_end,bill_date,due_date,status,total_cents) VALUES"
	    "('B1','A1','c1','2026-09-01','2026-09-30','2026-10-01',"
	    "'2026-10-20','issued',33333),"
	    "('B2','A2','c1','2026-09-01','2026-09-30','2026-10-01',"
	    "'2026-10-20','issued',1000),"
	    "('B3','A2','c2','2026-10-01','2026-10-31','2026-11-01',"
	    "'2026-11-20','issued',5000);"
	    "INSERT INTO ledger(account_id,date,kind,ref,amount_cents) VALUES"
	    "('A1','2026-10-01','bill','B1',33333),"
	    "('A2','2026-10-01','bill','B2',1000),"
	    "('A2','2026-11-01','bill','B3',5000)");
	/* Due 10-20 + 5 grace = 10-25: nothing on 10-25 itself. */
	ck_assert_int_eq(br_payment_late_fees(st, "2026-10-25", &n, &total,
	    &err), 0);
	ck_assert_int_eq(n, 0);
	/* 10-26: B1 333.33 x 1.5% = 4.99995 -> 5.00; B2 0.15 -> min 2.00. */
	ck_assert_int_eq(br_payment_late_fees(st, "2026-10-26", &n, &total,
	    &err), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(total, 700);
	ck_assert_int_eq(scalar("SELECT amount_cents FROM ledger WHERE "
	    "ref = 'LATE-B1' AND kind = 'fee' AND date = '2026-10-26'"), 500);
	ck_assert_int_eq(scalar("SELECT amount_cents FROM ledger WHERE "
	    "ref = 'LATE-B2'"), 200);
	/* Again, later: B1 and B2 are not charged twice; B3 not yet due. */
	ck_assert_int_eq(br_payment_late_fees(st, "2026-11-20", &n, &total,
	    &err), 0);
	ck_assert_int_eq(n, 0);
	/* A paid bill is not charged. */
	exec("INSERT INTO ledger(account_id,date,kind,ref,amount_cents) VALUES"
	    "('A2','2026-11-21','adjustment','CR1',-10000)");
	ck_assert_int_eq(br_payment_late_fees(st, "2026-12-31", &n, &total,
	    &err), 0);
	ck_assert_int_eq(n, 0);
	/* A bad setting is a configuration error. */
	exec("UPDATE setting SET value = '1.5%' WHERE key = 'late_fee_pct_ppm'");
	ck_assert_int_eq(br_payment_late_fees(st, "2026-12-31", &n, &total,
	    &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
}
END_TEST

START_TEST(test_aging_boundaries)
{
	struct br_error err;
	char *buf = NULL, *sbuf = NULL;
	size_t len = 0, slen = 0;
	FILE *f, *sf;

	exec("INSERT INTO bill(bill_id,account_id,cycle_id,period_start,"
	    "period_end,bill_date,due_date,status,total_cents) VALUES"
	    "('B1','A1','c1','2026-07-01','2026-07-31','2026-07-05',"
	    "'2026-08-01','issued',100);"
	    "INSERT INTO ledger(account_id,date,kind,ref,amount_cents) VALUES"
	    "('A1','2026-07-05','bill','B1',100),"      /* due 08-01: 91 */
	    "('A1','2026-08-02','adjustment','D90',200),"
	    "('A1','2026-08-31','adjustment','D61',400),"
	    "('A1','2026-09-01','adjustment','D60',800),"
	    "('A1','2026-09-30','adjustment','D31',1600),"
	    "('A1','2026-10-01','adjustment','D30',3200),"
	    "('A1','2026-10-30','adjustment','D1',6400),"
	    "('A1','2026-10-31','adjustment','D0',12800),"
	    "('A2','2026-10-01','payment','X1',-500)");
	f = open_memstream(&buf, &len);
	sf = open_memstream(&sbuf, &slen);
	ck_assert_int_eq(br_payment_aging_write(st, "2026-10-31", f, sf,
	    &err), 0);
	fclose(f);
	fclose(sf);
	ck_assert_str_eq(buf,
	    "account_id,current,days_1_30,days_31_60,days_61_90,"
	    "days_over_90,credit,total\n"
	    "A1,128.00,96.00,24.00,6.00,1.00,0.00,255.00\n"
	    "A2,0.00,0.00,0.00,0.00,0.00,-5.00,-5.00\n");
	ck_assert_str_eq(sbuf,
	    "accounts,current,days_1_30,days_31_60,days_61_90,"
	    "days_over_90,credit,total\n"
	    "2,128.00,96.00,24.00,6.00,1.00,-5.00,250.00\n");
	free(buf);
	free(sbuf);
}
END_TEST

START_TEST(test_recon_balances)
{
	struct br_payment_report rep;
	struct br_payment_opts o;
	struct br_paymap m;
	struct br_error err;
	const char *files[1];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(br_paymap_load(&m, fx_file(dir, "m.yaml",
	    "columns:\n  date: d\n  amount: amt\n  account: ref#1\n"
	    "  bill: ref#2\ninclude_column: type\ninclude_value: SALE\n"),
	    &err), 0);
	files[0] = fx_file(dir, "card.csv", "d,type,amt,ref\n"
	    "2026-11-01,SALE,10.00,A1|x\n"
	    "2026-11-01,SALE,5.00,Q9|nobill\n"
	    "2026-11-01,REFUND,-3.00,A1|x\n");
	memset(&o, 0, sizeof(o));
	o.format = "auto";
	o.map = &m;
	br_payment_report_init(&rep);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_payment_post_files_ex(st, files, 1, &o, &rep,
	    &err), 0);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	f = open_memstream(&buf, &len);
	br_payment_recon_write(&rep, f);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf,
	    "\ncard.csv,csv,posted,3,12.00,10.00,5.00,0.00,-3.00,0,0.00\n"));
	free(buf);
	ck_assert_int_eq(rep.rows[2].status, BR_PAY_OTHER);
	br_payment_report_release(&rep);
	/* Negative amount on a payment row is an error with the column. */
	files[0] = fx_file(dir, "card2.csv", "d,type,amt,ref\n"
	    "2026-11-01,SALE,-1.00,A1|x\n");
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_payment_post_files_ex(st, files, 1, &o, &rep,
	    &err), -1);
	br_store_rollback(st);
	ck_assert_int_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.msg, "column 'amt'"));
	br_payment_report_release(&rep);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pay_rules");
	TCase *tc = tcase_create("pay_rules");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_paymap);
	tcase_add_test(tc, test_detect);
	tcase_add_test(tc, test_oldest_first);
	tcase_add_test(tc, test_late_fees);
	tcase_add_test(tc, test_aging_boundaries);
	tcase_add_test(tc, test_recon_balances);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
