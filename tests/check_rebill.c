/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_rebill.c: rate-apply --rebill (lib/rate/rebill.c) on a temporary store:
 * corrected reads after issuing give a corrected bill whose ledger delta
 * is exactly new - old; nothing changed is a no-op; the back-billing limit
 * refuses an old undercharge but still refunds; whole cycle and one
 * account; rerunning after the corrected bill is issued is unchanged; a
 * pending corrected bill is recomputed, not stacked; a tariff correction
 * is explained by the rate versions; a constraint failure in a rating run
 * (its bill INSERTs are OR ROLLBACK, foreign keys off while it writes)
 * leaves the store as it was, foreign keys on.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/date.h"
#include "store/ledger.h"
#include "rate/rate.h"
#include "rate/rebill.h"
#include "render/render.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

static char dir[256];
static struct br_store *st;

static const char fixture[] =
    "INSERT INTO setting VALUES('name','Rebill Utility'),"
    "('timezone','America/Chicago');"
    "INSERT INTO account VALUES('A1','Ann','1 Main St','active','R1'),"
    "('A2','Bo','2 Main St','active','R1');"
    "INSERT INTO service_point VALUES('SP1','electric','1 Main St'),"
    "('SP2','electric','2 Main St');"
    "INSERT INTO meter VALUES('M1','electric','kWh',1000),"
    "('M2','electric','kWh',1000);"
    "INSERT INTO meter_install VALUES('M1','SP1','2020-01-01',NULL),"
    "('M2','SP2','2020-01-01',NULL);"
    "INSERT INTO service_agreement VALUES('A1','SP1','2020-01-01',NULL,"
    "'RES-FLAT','residential',''),"
    "('A2','SP2','2020-01-01',NULL,'RES-FLAT','residential','');"
    "INSERT INTO bill_cycle VALUES('2026-10','2026-10-01','2026-10-31',"
    "'2026-11-03','2026-11-24');";

static void
setup(void)
{
	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_rebill.XXXXXX");
	st = fx_store(dir, "billing.db", fixture);
}

static void
teardown(void)
{
	br_store_close(st);
	fx_rmrf(dir);
}

#define scalar(sql) fx_scalar(st, (sql), 0)

/* 24 hourly reads of value_milli each on 2026-10-14 (replacing any). */
static void
put_day_q(const char *meter, int64_t value_milli, unsigned char quality)
{
	struct br_error err;
	unsigned char vals[24 * 8], q[24];
	int64_t v[24];
	sqlite3_stmt *s;
	int i;

	for (i = 0; i < 24; i++)
		v[i] = value_milli;
	br_store_pack_values(v, 24, vals);
	memset(q, quality, sizeof(q));
	s = br_store_prepare(st, "INSERT OR REPLACE INTO interval_day(meter_id,"
	    " channel, day, interval_s, n, vals, quality, file_id) "
	    "VALUES(?1, 1, ?2, 3600, 24, ?3, ?4, 1)", &err);
	ck_assert_ptr_nonnull(s);
	sqlite3_bind_text(s, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, br_date_days(2026, 10, 14));
	sqlite3_bind_blob(s, 3, vals, sizeof(vals), SQLITE_STATIC);
	sqlite3_bind_blob(s, 4, q, sizeof(q), SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

static void
put_day(const char *meter, int64_t value_milli)
{
	put_day_q(meter, value_milli, BR_Q_ACTUAL);
}

static void
rate_cycle(void)
{
	struct br_rate_opts o;
	struct br_rate_stats stats;
	struct br_error err;

	memset(&o, 0, sizeof(o));
	o.cycle_id = "2026-10";
	o.rates_dir = BR_SOURCE_DIR "/rates";
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_rate_run(st, &o, NULL, &stats, &err), 0);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
}

static void
render(void)
{
	struct br_render_opts opts = { "2026-10", NULL, NULL, BR_RENDER_TEXT,
	    NULL, NULL, NULL, NULL, NULL };
	struct br_render_totals tot;
	struct br_render r;
	struct br_error err;
	char out[300], *reg = NULL;
	size_t len;
	FILE *f;

	snprintf(out, sizeof(out), "%s/bills", dir);
	opts.out_dir = out;
	br_render_init(&r);
	f = open_memstream(&reg, &len);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_render_run(&r, st, &opts, f, &tot, &err), 0);
	fclose(f);
	ck_assert_int_eq(br_render_finish(&r, 1, &err), 0);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	br_render_release(&r);
	free(reg);
}

/* One --rebill run, committed; *report gets the CSV (caller frees). */
static void
rebill(const char *account, const char *as_of, long limit, char **report,
    struct br_rebill_stats *stats)
{
	struct br_rebill_opts o;
	struct br_error err;
	size_t len;
	FILE *f;

	memset(&o, 0, sizeof(o));
	o.cycle_id = "2026-10";
	o.account_id = account;
	o.rates_dir = BR_SOURCE_DIR "/rates";
	o.as_of = as_of;
	o.limit_days = limit;
	f = open_memstream(report, &len);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_rebill_run(st, &o, f, stats, &err), 0);
	fclose(f);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
}

static int64_t
balance(const char *account)
{
	struct br_error err;
	int64_t b = 0;

	ck_assert_int_eq(br_ledger_balance(st, account, &b, &err), 0);
	return b;
}

/* October billed at 24 kWh each and issued: 12.00 + 24 x 0.1325 = 15.18 */
static void
issued_cycle(void)
{
	put_day("M1", 1000);
	put_day("M2", 1000);
	rate_cycle();
	render();
	ck_assert_int_eq(balance("A1"), 1518);
	ck_assert_int_eq(balance("A2"), 1518);
}

static const char header[] =
    "bill_id,new_bill_id,account_id,old_total,new_total,delta,status,"
    "reason\n";

START_TEST(test_corrected_reads_delta)
{
	struct br_rebill_stats stats;
	char *rep = NULL;
	int64_t before, after;

	issued_cycle();
	before = balance("A1");
	put_day("M1", 2000);	/* re-sent: 48 kWh, 12.00 + 6.36 */
	rebill(NULL, "2026-11-20", -1, &rep, &stats);
	ck_assert_str_eq(rep, "bill_id,new_bill_id,account_id,old_total,"
	    "new_total,delta,status,reason\n"
	    "2026-10-A1,2026-10-A1-R1,A1,15.18,18.36,3.18,rebilled,"
	    "reads: meter M1 usage 24.000 -> 48.000 kWh\n"
	    "2026-10-A2,,A2,15.18,15.18,0.00,unchanged,\n");
	free(rep);
	ck_assert_int_eq(stats.checked, 2);
	ck_assert_int_eq(stats.rebilled, 1);
	ck_assert_int_eq(stats.unchanged, 1);
	ck_assert_int_eq(stats.limited, 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE bill_id = "
	    "'2026-10-A1' AND status = 'cancelled'"), 1);
	ck_assert_int_eq(scalar("SELECT total_cents FROM bill WHERE bill_id = "
	    "'2026-10-A1-R1' AND status = 'draft' AND replaces = '2026-10-A1' "
	    "AND bill_date = '2026-11-20' AND due_date = '2026-12-11'"), 1836);
	/* not posted until bill-render issues it */
	ck_assert_int_eq(balance("A1"), before);
	render();
	after = balance("A1");
	ck_assert_int_eq(after - before, 1836 - 1518);
	ck_assert_int_eq(scalar("SELECT amount_cents FROM ledger WHERE "
	    "kind = 'reversal' AND ref = '2026-10-A1'"), -1518);
	ck_assert_int_eq(scalar("SELECT amount_cents FROM ledger WHERE "
	    "kind = 'bill' AND ref = '2026-10-A1-R1'"), 1836);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE bill_id = "
	    "'2026-10-A1-R1' AND status = 'issued'"), 1);
	ck_assert_int_eq(balance("A2"), 1518);
}
END_TEST

START_TEST(test_nothing_changed)
{
	struct br_rebill_stats stats;
	char *rep = NULL;

	issued_cycle();
	rebill(NULL, "2026-11-20", -1, &rep, &stats);
	ck_assert_str_eq(rep, "bill_id,new_bill_id,account_id,old_total,"
	    "new_total,delta,status,reason\n"
	    "2026-10-A1,,A1,15.18,15.18,0.00,unchanged,\n"
	    "2026-10-A2,,A2,15.18,15.18,0.00,unchanged,\n");
	free(rep);
	ck_assert_int_eq(stats.unchanged, 2);
	ck_assert_int_eq(stats.rebilled + stats.limited, 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill"), 2);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE status = "
	    "'issued'"), 2);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill_line WHERE "
	    "bill_id LIKE '%-R%'"), 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM ledger"), 2);
}
END_TEST

START_TEST(test_not_issued_out_of_scope)
{
	struct br_rebill_stats stats;
	char *rep = NULL;

	put_day("M1", 1000);
	rate_cycle();		/* drafts only */
	rebill(NULL, "2026-11-20", -1, &rep, &stats);
	ck_assert_str_eq(rep, header);
	free(rep);
	ck_assert_int_eq(stats.checked, 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE status = "
	    "'draft'"), 2);
}
END_TEST

START_TEST(test_back_bill_limit)
{
	struct br_rebill_stats stats;
	struct br_error err;
	char *rep = NULL;

	issued_cycle();
	put_day("M1", 2000);	/* undercharged: +3.18 */
	put_day("M2", 500);	/* overcharged: -1.59 */
	/* 2027-12-01 is 396 days after 2026-10-31 */
	rebill(NULL, "2027-12-01", 365, &rep, &stats);
	ck_assert_str_eq(rep, "bill_id,new_bill_id,account_id,old_total,"
	    "new_total,delta,status,reason\n"
	    "2026-10-A1,,A1,15.18,18.36,3.18,limited,"
	    "reads: meter M1 usage 24.000 -> 48.000 kWh; undercharge outside "
	    "the 365-day back-billing limit\n"
	    "2026-10-A2,2026-10-A2-R1,A2,15.18,13.59,-1.59,rebilled,"
	    "reads: meter M2 usage 24.000 -> 12.000 kWh\n");
	free(rep);
	ck_assert_int_eq(stats.limited, 1);
	ck_assert_int_eq(stats.rebilled, 1);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE bill_id = "
	    "'2026-10-A1' AND status = 'issued'"), 1);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE account_id "
	    "= 'A1'"), 1);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM exception WHERE "
	    "stage = 'rebill' AND code = 'REBILL_LIMIT' AND severity = 'warn' "
	    "AND account_id = 'A1' AND date = '2026-10-31' AND detail LIKE "
	    "'%undercharged by 3.18%'"), 1);
	render();
	ck_assert_int_eq(balance("A1"), 1518);
	ck_assert_int_eq(balance("A2"), 1359);

	/* within the limit (setting back_bill_limit_days when no option) */
	ck_assert_int_eq(br_store_setting_set(st, "back_bill_limit_days",
	    "400", &err), 0);
	rebill("A1", "2027-12-01", -1, &rep, &stats);
	ck_assert_int_eq(stats.rebilled, 1);
	free(rep);
}
END_TEST

START_TEST(test_limit_setting)
{
	struct br_rebill_stats stats;
	struct br_error err;
	char *rep = NULL;

	issued_cycle();
	ck_assert_int_eq(br_store_setting_set(st, "back_bill_limit_days",
	    "30", &err), 0);
	put_day("M1", 2000);
	rebill(NULL, "2026-12-15", -1, &rep, &stats);	/* 45 days */
	free(rep);
	ck_assert_int_eq(stats.limited, 1);
	ck_assert_int_eq(stats.rebilled, 0);
	/* the option overrides the setting */
	rebill(NULL, "2026-12-15", 60, &rep, &stats);
	free(rep);
	ck_assert_int_eq(stats.limited, 0);
	ck_assert_int_eq(stats.rebilled, 1);
	/* the default without a setting is 365 days */
	ck_assert_int_eq(br_store_exec(st, "DELETE FROM setting WHERE key = "
	    "'back_bill_limit_days'", &err), 0);
	rebill(NULL, "2027-10-30", -1, &rep, &stats);	/* 364 days */
	free(rep);
	ck_assert_int_eq(stats.limited, 0);
}
END_TEST

/* Issue 16: the setting goes through br_int_parse: an overflowing or
 * blank-led value is a config error, not LONG_MAX or 30 days. */
START_TEST(test_limit_setting_bad)
{
	static const char *const bad[] = { "99999999999999999999", " 30",
	    "30 ", "36501", "-1", "" };
	struct br_rebill_opts o;
	struct br_rebill_stats stats;
	struct br_error err;
	char *rep = NULL;
	size_t i, len;
	FILE *f;

	issued_cycle();
	memset(&o, 0, sizeof(o));
	o.cycle_id = "2026-10";
	o.rates_dir = BR_SOURCE_DIR "/rates";
	o.as_of = "2026-12-15";
	o.limit_days = -1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(br_store_setting_set(st,
		    "back_bill_limit_days", bad[i], &err), 0);
		f = open_memstream(&rep, &len);
		ck_assert_int_eq(br_store_begin(st, &err), 0);
		memset(&err, 0, sizeof(err));
		ck_assert_msg(br_rebill_run(st, &o, f, &stats, &err) == -1,
		    "'%s' accepted", bad[i]);
		ck_assert_int_eq(err.code, BR_ECONFIG);
		ck_assert_ptr_nonnull(strstr(err.msg, "back_bill_limit_days"));
		br_store_rollback(st);
		fclose(f);
		free(rep);
		rep = NULL;
	}
}
END_TEST

START_TEST(test_whole_cycle_and_account)
{
	struct br_rebill_stats stats;
	char *rep = NULL;

	issued_cycle();
	put_day("M1", 2000);
	put_day("M2", 3000);
	rebill("A2", "2026-11-20", -1, &rep, &stats);
	ck_assert_str_eq(rep, "bill_id,new_bill_id,account_id,old_total,"
	    "new_total,delta,status,reason\n"
	    "2026-10-A2,2026-10-A2-R1,A2,15.18,21.54,6.36,rebilled,"
	    "reads: meter M2 usage 24.000 -> 72.000 kWh\n");
	free(rep);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE account_id = "
	    "'A1'"), 1);
	rebill(NULL, "2026-11-20", -1, &rep, &stats);
	free(rep);
	/* A2's pending corrected bill is recomputed, not stacked */
	ck_assert_int_eq(stats.checked, 2);
	ck_assert_int_eq(stats.rebilled, 2);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill"), 4);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE status = "
	    "'cancelled'"), 2);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE status = "
	    "'draft' AND bill_id LIKE '%-R1'"), 2);
	render();
	ck_assert_int_eq(balance("A1"), 1836);
	ck_assert_int_eq(balance("A2"), 2154);
}
END_TEST

START_TEST(test_rerun_after_issue)
{
	struct br_rebill_stats stats;
	char *rep = NULL;

	issued_cycle();
	put_day("M2", 500);
	rebill(NULL, "2026-11-20", -1, &rep, &stats);
	free(rep);
	render();
	rebill(NULL, "2026-11-21", -1, &rep, &stats);
	ck_assert_str_eq(rep, "bill_id,new_bill_id,account_id,old_total,"
	    "new_total,delta,status,reason\n"
	    "2026-10-A1,,A1,15.18,15.18,0.00,unchanged,\n"
	    "2026-10-A2-R1,,A2,13.59,13.59,0.00,unchanged,\n");
	free(rep);
	ck_assert_int_eq(stats.rebilled + stats.limited, 0);
	/* a second correction replaces the corrected bill: -R2 */
	put_day("M2", 250);
	rebill(NULL, "2026-11-25", -1, &rep, &stats);
	free(rep);
	ck_assert_int_eq(stats.rebilled, 1);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE bill_id = "
	    "'2026-10-A2-R2' AND replaces = '2026-10-A2-R1'"), 1);
	render();
	ck_assert_int_eq(balance("A2"), 1280);	/* 12.00 + 6 x 0.1325 */
	ck_assert_int_eq(scalar("SELECT amount_cents FROM ledger WHERE "
	    "kind = 'reversal' AND ref = '2026-10-A2-R1'"), -1359);
}
END_TEST

/* Same quantities now marked estimated: the charges are the same. */
START_TEST(test_estimated_same_charges)
{
	struct br_rebill_stats stats;
	char *rep = NULL;

	issued_cycle();
	put_day_q("M1", 1000, BR_Q_ESTIMATED);
	rebill(NULL, "2026-11-20", -1, &rep, &stats);
	free(rep);
	ck_assert_int_eq(stats.unchanged, 2);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill"), 2);
}
END_TEST

/* A tariff corrected after issuing: a new version for October. */
START_TEST(test_tariff_change)
{
	struct br_rebill_stats stats;
	struct br_rebill_opts o;
	struct br_error err;
	char rates[300], path[320], *rep = NULL;
	size_t len;
	FILE *f;

	issued_cycle();
	snprintf(rates, sizeof(rates), "%s/rates", dir);
	ck_assert_int_eq(mkdir(rates, 0777), 0);
	snprintf(path, sizeof(path), "%s/RES-FLAT.yaml", rates);
	fx_write(path, "code: RES-FLAT\nname: Flat\nunit: kWh\n"
	    "rounding: half_up\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    customer_charge: {amount: 12.00, per: month}\n"
	    "    energy:\n      - rate: 0.1325\n"
	    "  - effective: 2026-10-01\n"
	    "    customer_charge: {amount: 10.00, per: month}\n"
	    "    energy:\n      - rate: 0.1325\n");
	memset(&o, 0, sizeof(o));
	o.cycle_id = "2026-10";
	o.account_id = "A1";
	o.rates_dir = rates;
	o.as_of = "2026-11-20";
	o.limit_days = -1;
	f = open_memstream(&rep, &len);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_rebill_run(st, &o, f, &stats, &err), 0);
	fclose(f);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	ck_assert_str_eq(rep, "bill_id,new_bill_id,account_id,old_total,"
	    "new_total,delta,status,reason\n"
	    "2026-10-A1,2026-10-A1-R1,A1,15.18,13.18,-2.00,rebilled,"
	    "rate versions 2026-01-01 -> 2026-10-01\n");
	free(rep);
	render();
	ck_assert_int_eq(balance("A1"), 1318);
}
END_TEST

/* A bill the run cannot insert (another bill of A2 for the cycle holds
 * UNIQUE(account_id, cycle_id, replaces)) fails the run and rolls the
 * whole transaction back: A1's bill, written before, and its audit
 * records are gone, and foreign key enforcement is back on. */
START_TEST(test_failed_run_leaves_store)
{
	struct br_rate_opts o;
	struct br_rate_stats stats;
	struct br_error err;

	put_day("M1", 1000);
	put_day("M2", 1000);
	ck_assert_int_eq(br_store_exec(st, "INSERT INTO bill(bill_id, "
	    "account_id, cycle_id, period_start, period_end, bill_date, "
	    "due_date, status, total_cents) VALUES('OTHER', 'A2', '2026-10', "
	    "'2026-10-01', '2026-10-31', '2026-11-03', '2026-11-24', 'draft', "
	    "1)", &err), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM audit_log"), 1);
	memset(&o, 0, sizeof(o));
	o.cycle_id = "2026-10";
	o.rates_dir = BR_SOURCE_DIR "/rates";
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_rate_run(st, &o, NULL, &stats, &err), -1);
	ck_assert_msg(strstr(err.msg, "UNIQUE") != NULL, "%s", err.msg);
	br_store_rollback(st);
	ck_assert_int_eq(scalar("SELECT count(*) FROM bill"), 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM bill_line"), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM audit_log"), 1);
	ck_assert_int_eq(scalar("PRAGMA foreign_keys"), 1);
	/* and enforced: a line of a bill that does not exist */
	ck_assert_int_ne(br_store_exec(st, "INSERT INTO bill_line(bill_id, "
	    "seq, code, description, amount_cents) VALUES('NONE', 1, 'X', "
	    "'x', 1)", &err), 0);
	/* the blocking bill gone, the same run succeeds */
	ck_assert_int_eq(br_store_exec(st, "DELETE FROM bill WHERE "
	    "bill_id = 'OTHER'", &err), 0);
	rate_cycle();
	ck_assert_int_eq(scalar("SELECT count(*) FROM bill"), 2);
	ck_assert_int_eq(scalar("PRAGMA foreign_keys"), 1);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("rebill");
	TCase *tc = tcase_create("rebill");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_corrected_reads_delta);
	tcase_add_test(tc, test_nothing_changed);
	tcase_add_test(tc, test_not_issued_out_of_scope);
	tcase_add_test(tc, test_back_bill_limit);
	tcase_add_test(tc, test_limit_setting);
	tcase_add_test(tc, test_limit_setting_bad);
	tcase_add_test(tc, test_whole_cycle_and_account);
	tcase_add_test(tc, test_rerun_after_issue);
	tcase_add_test(tc, test_tariff_change);
	tcase_add_test(tc, test_estimated_same_charges);
	tcase_add_test(tc, test_failed_run_leaves_store);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
