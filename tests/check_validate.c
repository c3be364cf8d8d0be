/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_validate.c: validate-reads on small stores built directly with
 * SQL: linear gap estimation with exact rounding, long gaps, negatives,
 * zero runs across midnight, missing days, DST day lengths, idempotence.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "store/store.h"
#include "validate/validate.h"
#include "core/exid.h"
#include "fixture.h"
#include "core/banned.h"

static char tmpdir[64];
static struct br_store *st;

static void
setup(void)
{
	fx_mkdtemp(tmpdir, sizeof(tmpdir), "/tmp/check_validate.XXXXXX");
	st = fx_store(tmpdir, "billing.db",
	    "INSERT INTO setting VALUES('timezone','America/Chicago');"
	    "INSERT INTO account(account_id,name) VALUES('A1','Ann');"
	    "INSERT INTO service_point VALUES('SP1','electric','1 Main');"
	    "INSERT INTO meter VALUES('M1','electric','kWh',1000);"
	    "INSERT INTO meter_install VALUES('M1','SP1','2026-01-01',NULL);"
	    "INSERT INTO service_agreement(account_id,sp_id,start_date,"
	    " end_date,rate_code) VALUES('A1','SP1','2026-01-01',NULL,"
	    " 'RES-FLAT');"
	    "INSERT INTO bill_cycle VALUES('2026-10','2026-10-05',"
	    " '2026-10-07','2026-10-10','2026-10-30');");
}

static void
teardown(void)
{
	br_store_close(st);
	fx_rmrf(tmpdir);
}

static int32_t
day_of(const char *s)
{
	int32_t d;

	ck_assert_int_eq(br_date_parse(s, (size_t)-1, &d), 0);
	return d;
}

/* Store one day of n intervals; q NULL means all actual. */
static void
put_day(const char *date, int channel, int32_t n, const int64_t *v,
    const uint8_t *q)
{
	struct br_error err;
	unsigned char blob[8 * 100];
	uint8_t qual[100];
	sqlite3_stmt *s;

	ck_assert_int_le(n, 100);
	br_store_pack_values(v, n, blob);
	if (q == NULL)
		memset(qual, BR_Q_ACTUAL, sizeof(qual));
	else
		memcpy(qual, q, (size_t)n);
	s = br_store_prepare(st, "INSERT OR REPLACE INTO interval_day(meter_id,"
	    " channel, day, interval_s, n, vals, quality, file_id)"
	    " VALUES('M1', ?1, ?2, 900, ?3, ?4, ?5, 1)", &err);
	ck_assert_ptr_nonnull(s);
	sqlite3_bind_int(s, 1, channel);
	sqlite3_bind_int(s, 2, day_of(date));
	sqlite3_bind_int(s, 3, n);
	sqlite3_bind_blob(s, 4, blob, 8 * n, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 5, qual, n, SQLITE_TRANSIENT);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

/* Read back one day; returns n. */
static int32_t
get_day(const char *date, int64_t *v, uint8_t *q)
{
	struct br_error err;
	sqlite3_stmt *s;
	int32_t n;

	s = br_store_prepare(st, "SELECT n, vals, quality FROM interval_day"
	    " WHERE meter_id = 'M1' AND channel = 1 AND day = ?1", &err);
	ck_assert_ptr_nonnull(s);
	sqlite3_bind_int(s, 1, day_of(date));
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int(s, 0);
	br_store_unpack_values(sqlite3_column_blob(s, 1), n, v);
	memcpy(q, sqlite3_column_blob(s, 2), (size_t)n);
	sqlite3_finalize(s);
	return n;
}

static void
fill(int64_t *v, int32_t n, int64_t x)
{
	int32_t i;

	for (i = 0; i < n; i++)
		v[i] = x;
}

/* Run validate over from..to in a transaction; returns the report. */
static char *
run(const char *from, const char *to, struct br_validate_summary *sum)
{
	struct br_validate_opts opts;
	struct br_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	ck_assert_ptr_nonnull(f);
	br_validate_opts_init(&opts);
	opts.from_day = day_of(from);
	opts.to_day = day_of(to);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	rc = br_validate_run(st, &opts, f, sum, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	fclose(f);
	return buf;
}

/* Number of exceptions with code (and detail when not NULL) on date. */
static int
count_exc(const char *code, const char *date, const char *detail)
{
	struct br_error err;
	sqlite3_stmt *s;
	int n;

	s = br_store_prepare(st, "SELECT count(*) FROM exception WHERE"
	    " code = ?1 AND date = ?2 AND (?3 IS NULL OR detail = ?3)", &err);
	ck_assert_ptr_nonnull(s);
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	if (detail)
		sqlite3_bind_text(s, 3, detail, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 3);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* A text dump of interval_day and exception, to compare runs. */
static char *
dump(void)
{
	struct br_error err;
	sqlite3_stmt *s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	s = br_store_prepare(st, "SELECT meter_id || channel || day ||"
	    " hex(vals) || hex(quality) || version FROM interval_day"
	    " UNION ALL SELECT exc_id || stage || code || severity ||"
	    " account_id || meter_id || date || detail || status"
	    " FROM exception ORDER BY 1", &err);
	ck_assert_ptr_nonnull(s);
	while (sqlite3_step(s) == SQLITE_ROW)
		fprintf(f, "%s\n", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	fclose(f);
	return buf;
}

START_TEST(test_validate_short_gap_linear)
{
	int64_t v[96];
	uint8_t q[96];
	struct br_validate_summary sum;
	char *r1, *r2, *d1, *d2;

	fill(v, 96, 1000);
	memset(q, BR_Q_ACTUAL, sizeof(q));
	v[12] = 2000;
	v[10] = v[11] = 0;
	q[10] = q[11] = BR_Q_MISSING;
	put_day("2026-10-05", 1, 96, v, q);
	r1 = run("2026-10-05", "2026-10-05", &sum);
	ck_assert_int_eq(sum.estimated, 2);
	ck_assert_int_eq(sum.warn_hold, 0);
	ck_assert_int_eq(get_day("2026-10-05", v, q), 96);
	/* 1000 + 1000/3 = 1333.33 -> 1333; 1000 + 2000/3 = 1666.67 -> 1667 */
	ck_assert_int_eq(v[10], 1333);
	ck_assert_int_eq(v[11], 1667);
	ck_assert_int_eq(q[10], BR_Q_WITH_METHOD(BR_Q_ESTIMATED,
	    BR_EST_LINEAR));
	ck_assert_int_eq(q[11], q[10]);
	ck_assert_int_eq(v[9], 1000);
	ck_assert_int_eq(q[9], BR_Q_ACTUAL);
	ck_assert_int_eq(count_exc("GAP_ESTIMATED", "2026-10-05",
	    "intervals 11-12 estimated (02:30-03:00 -05:00)"), 1);
	ck_assert_int_eq(count_exc("GAP", "2026-10-05", NULL), 0);
	ck_assert_ptr_nonnull(strstr(r1, "GAP_ESTIMATED,info,A1,M1,"
	    "2026-10-05,intervals 11-12 estimated (02:30-03:00 -05:00),,0,"
	    "estimated\n"));

	/* Second run: nothing re-estimated, same store, same report. */
	d1 = dump();
	r2 = run("2026-10-05", "2026-10-05", &sum);
	d2 = dump();
	ck_assert_int_eq(sum.estimated, 0);
	ck_assert_str_eq(r1, r2);
	ck_assert_str_eq(d1, d2);
	free(r1);
	free(r2);
	free(d1);
	free(d2);
}
END_TEST

START_TEST(test_validate_gap_across_midnight)
{
	int64_t v[96], w[96];
	uint8_t q[96], p[96];
	struct br_validate_summary sum;
	char *r;

	fill(v, 96, 100);
	fill(w, 96, 100);
	memset(q, 0, sizeof(q));
	memset(p, 0, sizeof(p));
	v[94] = 400;
	q[95] = BR_Q_MISSING;
	p[0] = BR_Q_MISSING;
	w[1] = 100;
	put_day("2026-10-05", 1, 96, v, q);
	put_day("2026-10-06", 1, 96, w, p);
	r = run("2026-10-05", "2026-10-06", &sum);
	ck_assert_int_eq(sum.estimated, 2);
	get_day("2026-10-05", v, q);
	get_day("2026-10-06", w, p);
	/* 400 -> 100 over 3 steps: 300, 200 */
	ck_assert_int_eq(v[95], 300);
	ck_assert_int_eq(w[0], 200);
	ck_assert_int_eq(count_exc("GAP_ESTIMATED", "2026-10-05",
	    "interval 96 estimated (23:45-24:00 -05:00)"), 1);
	ck_assert_int_eq(count_exc("GAP_ESTIMATED", "2026-10-06",
	    "interval 1 estimated (00:00-00:15 -05:00)"), 1);
	free(r);
}
END_TEST

START_TEST(test_validate_long_gap_stays_missing)
{
	int64_t v[96];
	uint8_t q[96];
	struct br_validate_summary sum;
	char *r;
	int i;

	fill(v, 96, 1000);
	memset(q, 0, sizeof(q));
	for (i = 10; i < 19; i++) {	/* 9 intervals = 135 min > 120 */
		v[i] = 0;
		q[i] = BR_Q_MISSING;
	}
	q[0] = BR_Q_MISSING;		/* day edge, no neighbour day */
	put_day("2026-10-05", 1, 96, v, q);
	r = run("2026-10-05", "2026-10-05", &sum);
	ck_assert_int_eq(sum.estimated, 0);
	ck_assert_int_gt(sum.warn_hold, 0);
	get_day("2026-10-05", v, q);
	for (i = 10; i < 19; i++)
		ck_assert_int_eq(q[i], BR_Q_MISSING);
	ck_assert_int_eq(q[0], BR_Q_MISSING);
	ck_assert_int_eq(count_exc("GAP", "2026-10-05",
	    "intervals 11-19 missing (02:30-04:45 -05:00)"), 1);
	ck_assert_int_eq(count_exc("GAP", "2026-10-05",
	    "interval 1 missing (00:00-00:15 -05:00)"), 1);
	ck_assert_ptr_nonnull(strstr(r, ",GAP,hold,A1,M1,2026-10-05,"));
	free(r);
}
END_TEST

START_TEST(test_validate_eight_interval_gap_estimated)
{
	int64_t v[96];
	uint8_t q[96];
	struct br_validate_summary sum;
	char *r;
	int i;

	fill(v, 96, 0);
	memset(q, 0, sizeof(q));
	v[9] = 900;
	for (i = 10; i < 18; i++)	/* 8 intervals = 120 min: estimated */
		q[i] = BR_Q_MISSING;
	v[18] = 0;
	put_day("2026-10-05", 1, 96, v, q);
	r = run("2026-10-05", "2026-10-05", &sum);
	ck_assert_int_eq(sum.estimated, 8);
	get_day("2026-10-05", v, q);
	/* 900 -> 0 in 9 steps of 100 */
	for (i = 10; i < 18; i++)
		ck_assert_int_eq(v[i], 900 - 100 * (i - 9));
	free(r);
}
END_TEST

START_TEST(test_validate_negative)
{
	int64_t v[96];
	struct br_validate_summary sum;
	char *r;

	fill(v, 96, 500);
	v[5] = -100;
	v[7] = -1;
	put_day("2026-10-05", 1, 96, v, NULL);
	r = run("2026-10-05", "2026-10-05", &sum);
	ck_assert_int_eq(count_exc("NEGATIVE", "2026-10-05",
	    "2 intervals, first 01:15"), 1);
	ck_assert_int_eq(sum.warn_hold, 1);
	free(r);
}
END_TEST

START_TEST(test_validate_zero_run_across_midnight)
{
	int64_t v[96], w[96];
	struct br_validate_summary sum;
	char *r;
	int i;

	fill(v, 96, 500);
	fill(w, 96, 500);
	for (i = 48; i < 96; i++)
		v[i] = 0;
	for (i = 0; i < 48; i++)
		w[i] = 0;
	put_day("2026-10-05", 1, 96, v, NULL);
	put_day("2026-10-06", 1, 96, w, NULL);
	r = run("2026-10-05", "2026-10-06", &sum);
	ck_assert_int_eq(count_exc("ZERO_RUN", "2026-10-05",
	    "96 intervals zero (24 h 00 min), 2026-10-05 12:00 to "
	    "2026-10-06 12:00"), 1);
	ck_assert_ptr_nonnull(strstr(r, ",ZERO_RUN,warn,A1,M1,2026-10-05,"));
	free(r);

	/* One interval shorter than 24 h is not flagged. */
	w[47] = 1;
	put_day("2026-10-06", 1, 96, w, NULL);
	ck_assert_int_eq(br_store_exec(st, "DELETE FROM exception", NULL), 0);
	r = run("2026-10-05", "2026-10-06", &sum);
	ck_assert_int_eq(count_exc("ZERO_RUN", "2026-10-05", NULL), 0);
	ck_assert_int_eq(sum.warn_hold, 0);
	free(r);
}
END_TEST

START_TEST(test_validate_missing_day)
{
	int64_t v[96];
	struct br_validate_summary sum;
	char *r, want[512], id[BR_EXID_SIZE];

	fill(v, 96, 500);
	put_day("2026-10-05", 1, 96, v, NULL);
	put_day("2026-10-07", 1, 96, v, NULL);
	r = run("2026-10-05", "2026-10-07", &sum);
	ck_assert_int_eq(count_exc("MISSING_DAY", "2026-10-06",
	    "no intervals"), 1);
	ck_assert_int_eq(count_exc("MISSING_DAY", "2026-10-05", NULL), 0);
	ck_assert_int_eq(sum.rows, 1);
	/* exception_id: the stable hash of the natural key
	 * (lib/store/shard.h), written EX- + Crockford base32. */
	br_exid_format(br_exception_id("validate", "MISSING_DAY", "A1", "M1",
	    "2026-10-06", "no intervals"), id, sizeof(id));
	snprintf(want, sizeof(want), "exception_id,stage,code,severity,"
	    "account_id,meter_id,date,detail,source,line,status\n"
	    "%s,validate,MISSING_DAY,hold,A1,M1,2026-10-06,no intervals,,0,"
	    "open\n", id);
	ck_assert_str_eq(r, want);
	free(r);
}
END_TEST

START_TEST(test_validate_dst_day_count)
{
	int64_t v[100];
	struct br_validate_summary sum;
	char *r;

	fill(v, 100, 500);
	/* 2026-03-08: spring forward, 23 hours = 92 intervals. */
	put_day("2026-03-08", 1, 92, v, NULL);
	r = run("2026-03-08", "2026-03-08", &sum);
	ck_assert_int_eq(count_exc("DST_COUNT", "2026-03-08", NULL), 0);
	ck_assert_int_eq(sum.warn_hold, 0);
	free(r);
	put_day("2026-03-08", 1, 96, v, NULL);
	r = run("2026-03-08", "2026-03-08", &sum);
	ck_assert_int_eq(count_exc("DST_COUNT", "2026-03-08",
	    "96 intervals of 900 s, expected 92"), 1);
	free(r);
	/* 2026-11-01: fall back, 25 hours = 100 intervals. */
	put_day("2026-11-01", 1, 100, v, NULL);
	r = run("2026-11-01", "2026-11-01", &sum);
	ck_assert_int_eq(sum.warn_hold, 0);
	free(r);
}
END_TEST

START_TEST(test_validate_cycle_and_scope)
{
	struct br_validate_opts opts;
	struct br_validate_summary sum;
	struct br_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int64_t v[96];

	fill(v, 96, 500);
	put_day("2026-10-05", 1, 96, v, NULL);
	put_day("2026-10-06", 1, 96, v, NULL);
	put_day("2026-10-07", 1, 96, v, NULL);
	ck_assert_int_eq(br_store_exec(st,
	    "INSERT INTO exception(stage,code,severity,account_id,meter_id,"
	    " date,detail) VALUES('import','DUPLICATE_READ','warn','A1','M1',"
	    " '2026-10-06','x'),('import','DUPLICATE_READ','warn','A2','M9',"
	    " '2026-10-06','y')", &err), 0);
	br_validate_opts_init(&opts);
	opts.cycle_id = "2026-10";
	opts.account_id = "A1";
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_validate_run(st, &opts, f, &sum, &err), 0);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	fclose(f);
	ck_assert_int_eq(sum.from_day, day_of("2026-10-05"));
	ck_assert_int_eq(sum.to_day, day_of("2026-10-07"));
	ck_assert_int_eq(sum.rows, 1);
	ck_assert_ptr_nonnull(strstr(buf, ",import,DUPLICATE_READ,warn,A1,"));
	free(buf);

	opts.cycle_id = "nope";
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(br_validate_run(st, &opts, f, &sum, &err), -1);
	ck_assert_int_eq(err.code, BR_EUSAGE);
	fclose(f);
	free(buf);
}
END_TEST

START_TEST(test_validate_error_rolls_back)
{
	struct br_validate_opts opts;
	struct br_error err;
	char *buf = NULL, *before;
	size_t len = 0;
	FILE *f;
	int64_t v[96];
	uint8_t q[96];

	fill(v, 96, 1000);
	memset(q, 0, sizeof(q));
	q[10] = BR_Q_MISSING;
	put_day("2026-10-05", 1, 96, v, q);
	/* A second account whose meter has a corrupt row (short BLOB). */
	ck_assert_int_eq(br_store_exec(st,
	    "INSERT INTO account(account_id,name) VALUES('A2','Bo');"
	    "INSERT INTO service_point VALUES('SP2','electric','2 Main');"
	    "INSERT INTO meter VALUES('M2','electric','kWh',1000);"
	    "INSERT INTO meter_install VALUES('M2','SP2','2026-01-01',NULL);"
	    "INSERT INTO service_agreement(account_id,sp_id,start_date,"
	    " end_date,rate_code) VALUES('A2','SP2','2026-01-01',NULL,"
	    " 'RES-FLAT');"
	    "INSERT INTO interval_day VALUES('M2',1,20731,900,96,"
	    " zeroblob(760),zeroblob(96),1,1);", &err), 0);
	before = dump();
	br_validate_opts_init(&opts);
	opts.from_day = day_of("2026-10-05");
	opts.to_day = day_of("2026-10-05");
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_validate_run(st, &opts, f, NULL, &err), -1);
	ck_assert_int_eq(err.code, BR_EINTERNAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "corrupt interval_day row"));
	br_store_rollback(st);
	fclose(f);
	free(buf);
	buf = dump();
	ck_assert_str_eq(before, buf);	/* M1's estimate was rolled back */
	free(before);
	free(buf);
}
END_TEST

static Suite *
validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("validate");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_validate_short_gap_linear);
	tcase_add_test(tc, test_validate_gap_across_midnight);
	tcase_add_test(tc, test_validate_long_gap_stays_missing);
	tcase_add_test(tc, test_validate_eight_interval_gap_estimated);
	tcase_add_test(tc, test_validate_negative);
	tcase_add_test(tc, test_validate_zero_run_across_midnight);
	tcase_add_test(tc, test_validate_missing_day);
	tcase_add_test(tc, test_validate_dst_day_count);
	tcase_add_test(tc, test_validate_cycle_and_scope);
	tcase_add_test(tc, test_validate_error_rolls_back);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(validate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
