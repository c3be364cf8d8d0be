/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_render.c: bill-render on a temporary store filled with SQL:
 * exact text of a bill, held bills not rendered, issuing is idempotent,
 * the account summary (previous balance, payments, amount due).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/ledger.h"
#include "render/render.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

/* bill_line's columns before rate_nano (migration 12): NULL there */
#define LINE_COLS "(bill_id, seq, sp_id, code, description, " \
    "quantity_milli, unit, rate_micro, amount_cents, trace) "

static char dir[256];
static struct br_store *st;

static const char fixture[] =
    "INSERT INTO setting VALUES('name','Prairie Valley Utilities'),"
    "('address','1 Main St, Prairie Valley, IL 61000'),"
    "('phone','555-0100'),('timezone','America/Chicago');"
    "INSERT INTO account VALUES('A1','Bob Hughes',"
    "'107 Maple Ave, Prairie Valley, IL 61000','active','R1'),"
    "('A2','Carla Adams','114 Cedar Ln','active','R1');"
    "INSERT INTO service_point VALUES('SP1','electric','107 Maple Ave'),"
    "('SP2','electric','114 Cedar Ln');"
    "INSERT INTO meter VALUES('E1','electric','kWh',1000),"
    "('E2','electric','kWh',1000);"
    "INSERT INTO meter_install VALUES('E1','SP1','2019-05-01',NULL),"
    "('E2','SP2','2019-05-01',NULL);"
    "INSERT INTO service_agreement VALUES('A1','SP1','2019-05-01',NULL,"
    "'RES-FLAT','residential',''),"
    "('A2','SP2','2019-05-01',NULL,'RES-FLAT','residential','');"
    "INSERT INTO bill_cycle VALUES('2026-10','2026-10-01','2026-10-31',"
    "'2026-11-03','2026-11-24');"
    "INSERT INTO bill(bill_id,account_id,cycle_id,period_start,"
    "period_end,bill_date,due_date,status,total_cents) VALUES('2026-10-A1','A1','2026-10','2026-10-01',"
    "'2026-10-31','2026-11-03','2026-11-24','draft',6234),"
    "('2026-10-A2','A2','2026-10','2026-10-01','2026-10-31','2026-11-03',"
    "'2026-11-24','hold',1000);"
    "INSERT INTO bill_line" LINE_COLS "VALUES"
    "('2026-10-A1',1,'SP1','CUST','Customer charge',1000,'month',"
    "12000000,1200,''),"
    "('2026-10-A1',2,'SP1','ENERGY','Energy',412345,'kWh',122000,5031,''),"
    "('2026-10-A1',3,'SP1','TAX','Municipal tax 0.5%',0,'',0,3,''),"
    "('2026-10-A2',1,'SP2','CUST','Customer charge',1000,'month',"
    "10000000,1000,'');"
    "INSERT INTO bill_meter VALUES('2026-10-A1','E1',1,'kWh',412345,"
    "2500,0),('2026-10-A2','E2',1,'kWh',100000,0,0);"
    /* Last month's bill and a payment after it. */
    "INSERT INTO ledger(account_id,date,kind,ref,amount_cents) VALUES"
    "('A1','2026-10-03','bill','2026-09-A1',5000),"
    "('A1','2026-10-20','payment','P1',-4000),"
    "('A1','2026-11-10','payment','P2',-100);";

static const char expected_a1[] =
    "==============================================================================\n"
    "Prairie Valley Utilities\n"
    "1 Main St, Prairie Valley, IL 61000\n"
    "Phone: 555-0100\n"
    "==============================================================================\n"
    "Bob Hughes\n"
    "107 Maple Ave, Prairie Valley, IL 61000\n"
    "\n"
    "Account number:  A1\n"
    "Bill number:     2026-10-A1\n"
    "Billing period:  2026-10-01 to 2026-10-31 (31 days)\n"
    "Bill date:       2026-11-03\n"
    "Due date:        2026-11-24\n"
    "\n"
    "------------------------------------------------------------------------------\n"
    "ACCOUNT SUMMARY\n"
    "  Previous balance                                                       50.00\n"
    "  Payments since last bill                                              -40.00\n"
    "  Current charges                                                        62.34\n"
    "                                                                  ------------\n"
    "  AMOUNT DUE BY 2026-11-24                                               72.34\n"
    "------------------------------------------------------------------------------\n"
    "\n"
    "USAGE HISTORY: ELECTRIC (kWh)\n"
    "  Period                    Days     Delivered\n"
    "  2026-10-01 to 2026-10-31    31       412.345\n"
    "  This period: average 13.301 kWh/day\n"
    "\n"
    "SERVICE POINT SP1 (electric)\n"
    "  Service address: 107 Maple Ave\n"
    "  Rate: RES-FLAT\n"
    "    Meter E1             delivered        412.345 kWh    estimated 2.500\n"
    "\n"
    "CURRENT CHARGES\n"
    "  Description                        Quantity Unit          Rate        Amount\n"
    "  Customer charge                       1.000 month    12.000000         12.00\n"
    "  Energy                              412.345 kWh       0.122000         50.31\n"
    "  Municipal tax 0.5%                                                      0.03\n"
    "                                                                  ------------\n"
    "  Total current charges                                                  62.34\n"
    "\n"
    "MESSAGES\n"
    "  This bill includes estimated usage.\n"
    "\n"
    "==============================================================================\n";

static void
setup(void)
{
	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_render.XXXXXX");
	st = fx_store(dir, "billing.db", fixture);
}

static void
teardown(void)
{
	br_store_close(st);
	fx_rmrf(dir);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

#define scalar(sql) fx_scalar(st, (sql), 0)

/* One full render run into dir/bills with the register in *reg. */
static int
run(char **reg, struct br_render_totals *tot, struct br_error *err)
{
	struct br_render_opts opts = { "2026-10", NULL, NULL, BR_RENDER_TEXT,
	    NULL, NULL, NULL, NULL, NULL };
	struct br_render r;
	char out[300];
	size_t len;
	FILE *f;
	int rc;

	snprintf(out, sizeof(out), "%s/bills", dir);
	opts.out_dir = out;
	br_render_init(&r);
	f = open_memstream(reg, &len);
	ck_assert_int_eq(br_store_begin(st, err), 0);
	rc = br_render_run(&r, st, &opts, f, tot, err);
	fclose(f);
	if (rc == 0)
		rc = br_render_finish(&r, 1, err);
	if (rc == 0)
		ck_assert_int_eq(br_store_commit(st, err), 0);
	else
		br_store_rollback(st);
	br_render_release(&r);
	return rc;
}

START_TEST(test_render_bill_text)
{
	struct br_error err;
	struct br_ledger_statement ls;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(br_render_bill(st, "2026-10-A1", f, &ls, &err), 0);
	fclose(f);
	ck_assert_str_eq(buf, expected_a1);
	ck_assert_str_eq(ls.previous_bill_date, "2026-10-03");
	ck_assert_int_eq(ls.previous_cents, 5000);
	ck_assert_int_eq(ls.payments_cents, -4000);
	free(buf);
}
END_TEST

/* The exact rate (bill_line.rate_nano) prints with 6 to 9 decimals; a
 * rate wider than its column takes the room from the amount's, so the
 * line keeps its 78 columns and the amount its right edge. */
START_TEST(test_render_exact_rate)
{
	struct br_error err;
	struct br_ledger_statement ls;
	char *buf = NULL;
	size_t len;
	FILE *f;

	ck_assert_msg(br_store_exec(st, "UPDATE bill_line SET rate_nano = "
	    "CASE seq WHEN 1 THEN 12123456789 WHEN 2 THEN 122000500 END "
	    "WHERE bill_id = '2026-10-A1'", &err) == 0, "%s", err.msg);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(br_render_bill(st, "2026-10-A1", f, &ls, &err), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\n"
	    "  Customer charge                       1.000 month  12.123456789"
	    "        12.00\n"
	    "  Energy                              412.345 kWh      0.1220005"
	    "         50.31\n"));
	free(buf);
}
END_TEST

/* Issue 16: a line break stored in a name (by a release before the
 * registry refused it) is escaped, never printed as a line of its own. */
START_TEST(test_render_text_escapes_controls)
{
	struct br_error err;
	struct br_ledger_statement ls;
	char *buf = NULL;
	size_t len;
	FILE *f;

	ck_assert_msg(br_store_exec(st, "UPDATE account SET name = 'Ann' || "
	    "char(10) || 'AMOUNT DUE: $0.00' || char(13, 27) WHERE "
	    "account_id = 'A1'", &err) == 0, "%s", err.msg);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(br_render_bill(st, "2026-10-A1", f, &ls, &err), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf,
	    "\nAnn\\x0aAMOUNT DUE: $0.00\\x0d\\x1b\n"));
	ck_assert_ptr_null(strstr(buf, "\nAMOUNT DUE: $0.00"));
	ck_assert_ptr_null(strchr(buf, '\r'));
	free(buf);
}
END_TEST

/* Issue 16: a symlink planted at bills/<bill>.txt.tmp is not followed:
 * its target is left alone and the bill is written. */
START_TEST(test_render_tmp_symlink_not_followed)
{
	struct br_error err;
	struct br_render_totals tot;
	char *reg = NULL, path[300], victim[300], *text;

	snprintf(path, sizeof(path), "%s/bills", dir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fx_write(victim, "keep\n");
	snprintf(path, sizeof(path), "%s/bills/2026-10-A1.txt.tmp", dir);
	ck_assert_int_eq(symlink(victim, path), 0);
	ck_assert_msg(run(&reg, &tot, &err) == 0, "%s", err.msg);
	free(reg);
	text = slurp(victim);
	ck_assert_str_eq(text, "keep\n");
	free(text);
	ck_assert_int_ne(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/bills/2026-10-A1.txt", dir);
	text = slurp(path);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, expected_a1);
	free(text);
}
END_TEST

START_TEST(test_render_run_issues_once)
{
	struct br_error err;
	struct br_render_totals tot;
	char *reg = NULL, *reg2 = NULL, path[300], *text;

	ck_assert_int_eq(run(&reg, &tot, &err), 0);
	ck_assert_int_eq(tot.rendered, 1);
	ck_assert_int_eq(tot.held, 1);
	ck_assert_int_eq(tot.issued_now, 1);
	ck_assert_str_eq(reg,
	    "bill_id,account_id,name,period_start,period_end,bill_date,"
	    "due_date,status,previous_balance,payments,adjustments,"
	    "current_charges,amount_due,hold_reason\n"
	    "2026-10-A1,A1,Bob Hughes,2026-10-01,2026-10-31,2026-11-03,"
	    "2026-11-24,issued,50.00,-40.00,0.00,62.34,72.34,\n"
	    "2026-10-A2,A2,Carla Adams,2026-10-01,2026-10-31,2026-11-03,"
	    "2026-11-24,hold,,,,10.00,,\n");
	{
		char *sum = NULL;
		size_t slen;
		FILE *sf = open_memstream(&sum, &slen);

		ck_assert_int_eq(br_render_summary(sf, &tot), 0);
		fclose(sf);
		ck_assert_str_eq(sum, "bills,held,previous_balance,payments,"
		    "adjustments,current_charges,amount_due\n"
		    "1,1,50.00,-40.00,0.00,62.34,72.34\n");
		free(sum);
	}
	snprintf(path, sizeof(path), "%s/bills/2026-10-A1.txt", dir);
	text = slurp(path);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, expected_a1);
	free(text);
	snprintf(path, sizeof(path), "%s/bills/2026-10-A2.txt", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM ledger "
	    "WHERE kind = 'bill' AND ref = '2026-10-A1' "
	    "AND amount_cents = 6234 AND date = '2026-11-03'"), 1);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill "
	    "WHERE status = 'issued'"), 1);

	/* Second run: same files and register, nothing posted twice. */
	ck_assert_int_eq(run(&reg2, &tot, &err), 0);
	ck_assert_int_eq(tot.issued_now, 0);
	ck_assert_str_eq(reg2, reg);
	text = slurp(path);
	ck_assert_ptr_null(text);
	snprintf(path, sizeof(path), "%s/bills/2026-10-A1.txt", dir);
	text = slurp(path);
	ck_assert_str_eq(text, expected_a1);
	free(text);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM ledger "
	    "WHERE kind = 'bill'"), 2);
	ck_assert_int_eq(scalar("SELECT SUM(amount_cents) FROM ledger "
	    "WHERE account_id = 'A1'"), 5000 - 4000 - 100 + 6234);
	free(reg);
	free(reg2);
}
END_TEST

START_TEST(test_render_bad_total_rolls_back)
{
	struct br_error err;
	struct br_render_totals tot;
	char *reg = NULL, path[300];

	ck_assert_int_eq(br_store_exec(st, "UPDATE bill SET total_cents = 1 "
	    "WHERE bill_id = '2026-10-A1'", &err), 0);
	ck_assert_int_eq(run(&reg, &tot, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill "
	    "WHERE status = 'issued'"), 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM ledger "
	    "WHERE kind = 'bill'"), 1);
	snprintf(path, sizeof(path), "%s/bills/2026-10-A1.txt", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/bills/2026-10-A1.txt.tmp", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	free(reg);
}
END_TEST

START_TEST(test_render_unknown_cycle)
{
	struct br_error err;
	struct br_render_totals tot;
	struct br_render_opts opts = { "2099-01", NULL, "bills",
	    BR_RENDER_TEXT, NULL, NULL, NULL, NULL, NULL };
	struct br_render r;
	FILE *f = fopen("/dev/null", "w");

	br_render_init(&r);
	ck_assert_int_eq(br_render_run(&r, st, &opts, f, &tot, &err), -1);
	ck_assert_int_eq(err.code, BR_EUSAGE);
	br_render_release(&r);
	fclose(f);
}
END_TEST

START_TEST(test_render_credit_and_first_bill)
{
	struct br_error err;
	char *buf = NULL;
	size_t len;
	FILE *f;

	/* No earlier bill: payments are all before this bill. */
	ck_assert_int_eq(br_store_exec(st, "DELETE FROM ledger;"
	    "INSERT INTO ledger(account_id,date,kind,ref,amount_cents) VALUES"
	    "('A1','2026-10-20','payment','P1',-10000)", &err), 0);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(br_render_bill(st, "2026-10-A1", f, NULL, &err), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf,
	    "  Previous balance                                                        0.00\n"
	    "  Payments                                                             -100.00\n"));
	ck_assert_ptr_nonnull(strstr(buf,
	    "  AMOUNT DUE BY 2026-11-24                                              -37.66\n"));
	ck_assert_ptr_nonnull(strstr(buf,
	    "  Your account has a credit of 37.66. No payment is due.\n"));
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("render");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_render_bill_text);
	tcase_add_test(tc, test_render_exact_rate);
	tcase_add_test(tc, test_render_text_escapes_controls);
	tcase_add_test(tc, test_render_tmp_symlink_not_followed);
	tcase_add_test(tc, test_render_run_issues_once);
	tcase_add_test(tc, test_render_bad_total_rolls_back);
	tcase_add_test(tc, test_render_unknown_cycle);
	tcase_add_test(tc, test_render_credit_and_first_bill);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
