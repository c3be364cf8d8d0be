/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_vee.c: the VEE rules of validate-reads on small crafted days:
 * the rules file (defaults, overrides, file:line errors), each check
 * (spike, stuck, demand, reverse flow, rollover, clock, usage vs history,
 * high bill, leak, conservation, register sum check), like-day and fallback estimation, and
 * the disposition loop (decisions kept, statuses, forced estimates), and
 * the NEM12 samples that carry quality flags (sender estimates are never
 * overwritten; N intervals are estimated or reported).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "validate/disposition.h"
#include "formats/nem12.h"
#include "core/tz.h"
#include "store/store.h"
#include "validate/validate.h"
#include "validate/vee_rules.h"
#include "fixture.h"
#include "core/banned.h"

static char tmpdir[64];
static struct br_store *st;

static void
setup(void)
{
	fx_mkdtemp(tmpdir, sizeof(tmpdir), "/tmp/check_vee.XXXXXX");
	st = fx_store(tmpdir, "billing.db",
	    "INSERT INTO setting VALUES('timezone','America/Chicago');"
	    "INSERT INTO account(account_id,name) VALUES('A1','Ann');"
	    "INSERT INTO account(account_id,name) VALUES('A2','Bob');"
	    "INSERT INTO service_point VALUES('SP1','electric','1 Main');"
	    "INSERT INTO service_point VALUES('SP2','water','1 Main');"
	    "INSERT INTO meter VALUES('M1','electric','kWh',1000);"
	    "INSERT INTO meter VALUES('W1','water','gal',1000);"
	    "INSERT INTO meter_install VALUES('M1','SP1','2025-01-01',NULL);"
	    "INSERT INTO meter_install VALUES('W1','SP2','2025-01-01',NULL);"
	    "INSERT INTO service_agreement(account_id,sp_id,start_date,"
	    " end_date,rate_code) VALUES('A1','SP1','2025-01-01',NULL,"
	    " 'RES-FLAT');"
	    "INSERT INTO service_agreement(account_id,sp_id,start_date,"
	    " end_date,rate_code) VALUES('A2','SP2','2025-01-01',NULL,"
	    " 'WATER-RES');");
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

/* Store one day of n intervals of interval_s; q NULL means all actual. */
static void
put(const char *meter, const char *date, int channel, int32_t interval_s,
    int32_t n, const int64_t *v, const uint8_t *q)
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
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)", &err);
	ck_assert_ptr_nonnull(s);
	sqlite3_bind_text(s, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, channel);
	sqlite3_bind_int(s, 3, day_of(date));
	sqlite3_bind_int(s, 4, interval_s);
	sqlite3_bind_int(s, 5, n);
	sqlite3_bind_blob(s, 6, blob, 8 * n, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 7, qual, n, SQLITE_TRANSIENT);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
}

/* 96 quarter-hours of value x on meter M1, delivered. */
static void
flat(const char *date, int64_t x)
{
	int64_t v[96];
	int i;

	for (i = 0; i < 96; i++)
		v[i] = x;
	put("M1", date, 1, 900, 96, v, NULL);
}

static int32_t
get(const char *meter, const char *date, int64_t *v, uint8_t *q)
{
	struct br_error err;
	sqlite3_stmt *s;
	int32_t n;

	s = br_store_prepare(st, "SELECT n, vals, quality FROM interval_day"
	    " WHERE meter_id = ?1 AND channel = 1 AND day = ?2", &err);
	ck_assert_ptr_nonnull(s);
	sqlite3_bind_text(s, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, day_of(date));
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int(s, 0);
	br_store_unpack_values(sqlite3_column_blob(s, 1), n, v);
	memcpy(q, sqlite3_column_blob(s, 2), (size_t)n);
	sqlite3_finalize(s);
	return n;
}

/* Run validate over from..to (account acct or all) with rules (NULL =
 * defaults) and forced days; returns the report. */
static char *
run_with(const char *from, const char *to, const char *acct,
    const struct br_vee_rules *rules, const struct br_force_day *force,
    size_t nforce, struct br_validate_summary *sum)
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
	opts.account_id = acct;
	opts.rules = rules;
	opts.force = force;
	opts.nforce = nforce;
	if (rules != NULL)
		opts.zero_run_hours = (int32_t)(br_vee_param(rules,
		    BR_VEE_ZERO_RUN, 0) / 1000);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	rc = br_validate_run(st, &opts, f, sum, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	fclose(f);
	return buf;
}

static char *
run(const char *from, const char *to, const char *acct)
{
	struct br_validate_summary sum;

	return run_with(from, to, acct, NULL, NULL, 0, &sum);
}

/* Detail of the only exception with code on date ("" when none). */
static char last_detail[512];
static int
exc(const char *code, const char *date)
{
	struct br_error err;
	sqlite3_stmt *s;
	int n = 0;

	last_detail[0] = '\0';
	s = br_store_prepare(st, "SELECT detail FROM exception WHERE"
	    " code = ?1 AND date = ?2 ORDER BY exc_id", &err);
	ck_assert_ptr_nonnull(s);
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(last_detail, sizeof(last_detail), "%s",
		    (const char *)sqlite3_column_text(s, 0));
		n++;
	}
	sqlite3_finalize(s);
	return n;
}

/* The (stable, hashed) exc_id of the one exception code on date. */
static long long
exc_id_of(const char *code, const char *date)
{
	struct br_error err;
	sqlite3_stmt *s;
	long long id;

	s = br_store_prepare(st, "SELECT exc_id FROM exception WHERE"
	    " code = ?1 AND date = ?2", &err);
	ck_assert_ptr_nonnull(s);
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	id = sqlite3_column_int64(s, 0);
	ck_assert_int_ne(sqlite3_step(s), SQLITE_ROW);
	sqlite3_finalize(s);
	return id;
}

static int
total_exc(void)
{
	struct br_error err;
	sqlite3_stmt *s = br_store_prepare(st, "SELECT count(*) FROM"
	    " exception", &err);
	int n;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

START_TEST(test_rules_defaults_and_file)
{
	struct br_vee_rules r;
	struct br_error err;
	char path[256], src[512];

	br_vee_rules_default(&r);
	ck_assert_str_eq(r.rule[BR_VEE_SPIKE].code, "SPIKE");
	ck_assert_str_eq(r.rule[BR_VEE_SPIKE].severity, "warn");
	ck_assert_int_eq(br_vee_param(&r, BR_VEE_SPIKE, 0), 1500);
	ck_assert_int_eq(br_vee_param(&r, BR_VEE_GAP_ESTIMATED, 0), 120000);
	ck_assert(!r.rule[BR_VEE_GAP_FALLBACK].enabled);
	ck_assert_uint_eq(r.rule[BR_VEE_LEAK].kinds, BR_VEE_WATER);
	ck_assert_str_eq(br_vee_param_name(BR_VEE_HIGH_USAGE, 1), "min_days");
	ck_assert_ptr_null(br_vee_param_name(BR_VEE_GAP, 0));

	fx_write_in(path, sizeof(path), tmpdir, "r.yaml",
	    "version: 1\nrules:\n"
	    "  SPIKE: { severity: hold, ratio: 1.25 }\n"
	    "  LEAK:\n    kinds: [water, gas]\n    enabled: false\n");
	ck_assert_int_eq(br_vee_rules_load(&r, path, &err), 0);
	ck_assert_str_eq(r.rule[BR_VEE_SPIKE].severity, "hold");
	ck_assert_int_eq(br_vee_param(&r, BR_VEE_SPIKE, 0), 1250);
	ck_assert_int_eq(br_vee_param(&r, BR_VEE_SPIKE, 1), 2000);
	ck_assert_uint_eq(r.rule[BR_VEE_LEAK].kinds,
	    BR_VEE_WATER | BR_VEE_GAS);
	ck_assert(!r.rule[BR_VEE_LEAK].enabled);

	/* The documented defaults file is the compiled-in table. */
	{
		struct br_vee_rules d, f;
		int i, k;

		snprintf(src, sizeof(src), "%s/testdata/vee-rules.yaml",
		    fx_srcdir());
		ck_assert_int_eq(br_vee_rules_load(&f, src, &err), 0);
		br_vee_rules_default(&d);
		for (i = 0; i < BR_VEE_NRULES; i++) {
			ck_assert_str_eq(d.rule[i].severity,
			    f.rule[i].severity);
			ck_assert(d.rule[i].enabled == f.rule[i].enabled);
			ck_assert(d.rule[i].customer_facing ==
			    f.rule[i].customer_facing);
			ck_assert_uint_eq(d.rule[i].kinds, f.rule[i].kinds);
			for (k = 0; k < BR_VEE_MAX_PARAMS; k++)
				ck_assert_int_eq(d.rule[i].param[k],
				    f.rule[i].param[k]);
		}
	}

	fx_write_in(path, sizeof(path), tmpdir, "b1.yaml",
	    "rules:\n  SPIKE:\n    ratio: 1.2\n"
	    "    severity: urgent\n");
	ck_assert_int_eq(br_vee_rules_load(&r, path, &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_int_eq(err.line, 4);
	fx_write_in(path, sizeof(path), tmpdir, "b2.yaml",
	    "rules:\n  SPIKE:\n    ratio: -1\n");
	ck_assert_int_eq(br_vee_rules_load(&r, path, &err), -1);
	ck_assert_int_eq(err.line, 3);
	fx_write_in(path, sizeof(path), tmpdir, "b3.yaml",
	    "rules:\n  SPIKE:\n    ratoi: 1\n");
	ck_assert_int_eq(br_vee_rules_load(&r, path, &err), -1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_ptr_nonnull(strstr(err.msg, "ratoi"));
	fx_write_in(path, sizeof(path), tmpdir, "b4.yaml",
	    "rules:\n  LEAK: { kinds: [steam] }\n");
	ck_assert_int_eq(br_vee_rules_load(&r, path, &err), -1);
	ck_assert_int_eq(err.line, 2);
	fx_write_in(path, sizeof(path), tmpdir, "b5.yaml",
	    "rules: [\n");
	ck_assert_int_eq(br_vee_rules_load(&r, path, &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_int_eq(br_vee_rules_load(&r, "/nonexistent/r.yaml", &err),
	    -1);
	ck_assert_int_eq(err.code, BR_ENOINPUT);
}
END_TEST

START_TEST(test_spike)
{
	int64_t v[96];
	int i;

	for (i = 0; i < 96; i++)
		v[i] = 1000;
	v[56] = 12000;		/* 14:00 */
	put("M1", "2026-10-05", 1, 900, 96, v, NULL);
	v[56] = 1400;		/* 1.4x: not a spike */
	put("M1", "2026-10-06", 1, 900, 96, v, NULL);
	v[56] = 2900;		/* 2.9x but only 1.9 above: under the floor */
	put("M1", "2026-10-07", 1, 900, 96, v, NULL);
	free(run("2026-10-05", "2026-10-07", "A1"));
	ck_assert_int_eq(exc("SPIKE", "2026-10-05"), 1);
	ck_assert_str_eq(last_detail, "peak 12.000 at 14:00 is 12.00x the "
	    "third-highest 1.000");
	ck_assert_int_eq(exc("SPIKE", "2026-10-06"), 0);
	ck_assert_int_eq(exc("SPIKE", "2026-10-07"), 0);
}
END_TEST

START_TEST(test_stuck_and_zero)
{
	struct br_vee_rules r;
	struct br_validate_summary sum;

	br_vee_rules_default(&r);
	r.rule[BR_VEE_STUCK].param[0] = 30000;	/* 30 h */
	flat("2026-10-05", 700);
	flat("2026-10-06", 700);
	flat("2026-10-07", 0);
	free(run_with("2026-10-05", "2026-10-07", "A1", &r, NULL, 0, &sum));
	ck_assert_int_eq(exc("STUCK", "2026-10-05"), 1);
	ck_assert_str_eq(last_detail, "192 intervals stuck at 0.700 (48 h "
	    "00 min), 2026-10-05 00:00 to 2026-10-07 00:00");
	/* Zeros are ZERO_RUN, not STUCK. */
	ck_assert_int_eq(exc("STUCK", "2026-10-07"), 0);
	ck_assert_int_eq(exc("ZERO_RUN", "2026-10-07"), 1);
	/* The default (96 h) does not fire on two days. */
	ck_assert_int_eq(br_store_exec(st, "DELETE FROM exception", NULL), 0);
	free(run("2026-10-05", "2026-10-07", "A1"));
	ck_assert_int_eq(exc("STUCK", "2026-10-05"), 0);
}
END_TEST

START_TEST(test_max_demand_and_rollover)
{
	int64_t v[96];
	int i;

	for (i = 0; i < 96; i++)
		v[i] = 500;
	v[40] = 30000;			/* 30 kWh in 15 min = 120 kW */
	v[50] = -99990000;		/* 00010 - 100000 on a 5-dial register */
	put("M1", "2026-10-05", 1, 900, 96, v, NULL);
	free(run("2026-10-05", "2026-10-05", "A1"));
	ck_assert_int_eq(exc("MAX_DEMAND", "2026-10-05"), 1);
	ck_assert_str_eq(last_detail, "demand 120.000 per hour at 10:00, "
	    "limit 100.000");
	ck_assert_int_eq(exc("ROLLOVER", "2026-10-05"), 1);
	ck_assert_str_eq(last_detail, "interval 51 (12:30) -99990.000: a "
	    "5-digit register rollover");
	ck_assert_int_eq(exc("NEGATIVE", "2026-10-05"), 1);
}
END_TEST

START_TEST(test_reverse_flow)
{
	int64_t v[96];
	struct br_error err;
	int i;

	for (i = 0; i < 96; i++)
		v[i] = i >= 48 && i < 52 ? 250 : 0;
	flat("2026-10-05", 500);
	put("M1", "2026-10-05", 2, 900, 96, v, NULL);
	free(run("2026-10-05", "2026-10-05", "A1"));
	ck_assert_int_eq(exc("REVERSE_FLOW", "2026-10-05"), 1);
	ck_assert_str_eq(last_detail, "received: 1.000 on 4 intervals, first "
	    "12:00; not enrolled in net metering");
	/* Enrolled: no exception. */
	ck_assert_int_eq(br_store_exec(st, "DELETE FROM exception;"
	    "UPDATE service_agreement SET net_metering = 'NEM2'", &err), 0);
	free(run("2026-10-05", "2026-10-05", "A1"));
	ck_assert_int_eq(exc("REVERSE_FLOW", "2026-10-05"), 0);
}
END_TEST

START_TEST(test_clock_vs_dst)
{
	int64_t v[100];
	int i;

	for (i = 0; i < 100; i++)
		v[i] = 500;
	put("M1", "2026-10-05", 1, 900, 100, v, NULL);	/* 24-hour day */
	put("M1", "2026-11-01", 1, 900, 96, v, NULL);	/* 25-hour day */
	free(run("2026-10-05", "2026-10-05", "A1"));
	free(run("2026-11-01", "2026-11-01", "A1"));
	ck_assert_int_eq(exc("CLOCK", "2026-10-05"), 1);
	ck_assert_str_eq(last_detail, "100 intervals of 900 s, expected 96 "
	    "(clock or time-sync error)");
	ck_assert_int_eq(exc("DST_COUNT", "2026-10-05"), 0);
	ck_assert_int_eq(exc("DST_COUNT", "2026-11-01"), 1);
	ck_assert_int_eq(exc("CLOCK", "2026-11-01"), 0);
}
END_TEST

START_TEST(test_usage_vs_history)
{
	int32_t d;
	char date[16];

	/* September 2026: 24 kWh/day; last October: 48 kWh/day. */
	for (d = day_of("2026-09-01"); d <= day_of("2026-09-30"); d++) {
		br_date_format(d, date, sizeof(date));
		flat(date, 250);
	}
	for (d = day_of("2025-10-01"); d <= day_of("2025-10-10"); d++) {
		br_date_format(d, date, sizeof(date));
		flat(date, 500);
	}
	/* October 2026, first 10 days: 96 kWh/day. */
	for (d = day_of("2026-10-01"); d <= day_of("2026-10-10"); d++) {
		br_date_format(d, date, sizeof(date));
		flat(date, 1000);
	}
	free(run("2026-10-01", "2026-10-10", "A1"));
	/* 4x the prior period; exactly 2x last year is not above 2x. */
	ck_assert_int_eq(exc("HIGH_USAGE", "2026-10-01"), 1);
	ck_assert_str_eq(last_detail, "average 96.000/day on 10 days vs "
	    "24.000/day on 10 days of the prior period "
	    "2026-09-21..2026-09-30 (4.00x, limit 2.00x)");
	ck_assert_int_eq(exc("LOW_USAGE", "2026-10-01"), 0);
	ck_assert_int_eq(exc("HIGH_BILL", "2026-10-01"), 1);
	ck_assert_str_eq(last_detail, "projected 960.000 for 10 days "
	    "(96.000/day on 10 days) vs 480.000 on the same period last year "
	    "2025-10-01..2025-10-10 (2.00x, limit 1.50x)");
}
END_TEST

START_TEST(test_low_usage)
{
	int32_t d;
	char date[16];

	for (d = day_of("2026-09-21"); d <= day_of("2026-09-30"); d++) {
		br_date_format(d, date, sizeof(date));
		flat(date, 1000);
	}
	for (d = day_of("2026-10-01"); d <= day_of("2026-10-10"); d++) {
		br_date_format(d, date, sizeof(date));
		flat(date, 100);
	}
	free(run("2026-10-01", "2026-10-10", "A1"));
	ck_assert_int_eq(exc("LOW_USAGE", "2026-10-01"), 1);
	ck_assert_str_eq(last_detail, "average 9.600/day on 10 days vs "
	    "96.000/day on 10 days of the prior period 2026-09-21..2026-09-30 "
	    "(0.10x, limit 0.50x)");
	ck_assert_int_eq(exc("HIGH_USAGE", "2026-10-01"), 0);
	ck_assert_int_eq(exc("HIGH_BILL", "2026-10-01"), 0);
	/* Too little history: nothing. */
	ck_assert_int_eq(br_store_exec(st, "DELETE FROM exception;"
	    "DELETE FROM interval_day WHERE day < 20727", NULL), 0);
	free(run("2026-10-01", "2026-10-10", "A1"));
	ck_assert_int_eq(exc("LOW_USAGE", "2026-10-01"), 0);
}
END_TEST

/* Hourly water days: 24 values. */
static void
water(const char *date, int64_t night, int64_t day)
{
	int64_t v[24];
	int h;

	for (h = 0; h < 24; h++)
		v[h] = h < 5 ? night : day;
	put("W1", date, 1, 3600, 24, v, NULL);
}

START_TEST(test_leak_and_conservation)
{
	water("2026-10-05", 0, 10000);		/* quiet night */
	water("2026-10-06", 2000, 10000);	/* flows all day ... */
	water("2026-10-07", 1500, 40000);	/* ... and the next */
	free(run("2026-10-05", "2026-10-07", "A2"));
	ck_assert_int_eq(exc("LEAK", "2026-10-05"), 1);
	ck_assert_str_eq(last_detail, "67 intervals of continuous flow, "
	    "lowest hour 1.500 (67 h 00 min), 2026-10-05 05:00 to 2026-10-08 "
	    "00:00");
	/* (190 + 200 + 767.5) / 3 = 385.833 gal/day: under the limit. */
	ck_assert_int_eq(exc("CONSERVATION", "2026-10-05"), 0);
	ck_assert_int_eq(br_store_exec(st, "DELETE FROM exception", NULL), 0);
	water("2026-10-05", 0, 40000);
	free(run("2026-10-05", "2026-10-07", "A2"));
	ck_assert_int_eq(exc("CONSERVATION", "2026-10-05"), 1);
	ck_assert_str_eq(last_detail, "average 575.833/day on 3 days, "
	    "threshold 500.000/day");
	/* Electric meters are not checked for leaks. */
	ck_assert_int_eq(exc("ZERO_RUN", "2026-10-05"), 0);
}
END_TEST

START_TEST(test_like_day_estimation)
{
	int64_t v[96];
	uint8_t q[96];
	struct br_validate_summary sum;
	char *r1, *r2;
	int i;

	/* 2026-10-13 is a Tuesday: like days Tue 10-06, Wed 10-07, Thu
	 * 10-08; 10-07 carries an estimate, so Tue 09-29 (week 2) is next. */
	flat("2026-10-06", 600);
	flat("2026-10-07", 900);
	flat("2026-10-08", 300);
	flat("2026-09-29", 1200);
	for (i = 0; i < 96; i++)
		q[i] = BR_Q_ACTUAL;
	for (i = 0; i < 96; i++)
		v[i] = 900;
	q[3] = BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE);
	put("M1", "2026-10-07", 1, 900, 96, v, q);
	for (i = 0; i < 96; i++) {
		v[i] = 100;
		q[i] = i >= 20 && i < 40 ? BR_Q_MISSING : BR_Q_ACTUAL;
		if (q[i] == BR_Q_MISSING)
			v[i] = 0;
	}
	put("M1", "2026-10-13", 1, 900, 96, v, q);
	r1 = run_with("2026-10-13", "2026-10-13", "A1", NULL, NULL, 0, &sum);
	ck_assert_int_eq(sum.estimated, 20);
	ck_assert_int_eq(get("M1", "2026-10-13", v, q), 96);
	/* (600 + 300 + 1200) / 3 = 700 */
	ck_assert_int_eq(v[20], 700);
	ck_assert_int_eq(v[39], 700);
	ck_assert_int_eq(q[20], BR_Q_WITH_METHOD(BR_Q_ESTIMATED,
	    BR_EST_LIKE_DAY));
	ck_assert_int_eq(v[19], 100);
	ck_assert_int_eq(q[19], BR_Q_ACTUAL);
	ck_assert_int_eq(exc("GAP_LIKE_DAY", "2026-10-13"), 1);
	ck_assert_str_eq(last_detail, "intervals 21-40 estimated "
	    "(05:00-10:00 -05:00)");
	ck_assert_int_eq(exc("GAP", "2026-10-13"), 0);
	/* Rerun: nothing new. */
	r2 = run_with("2026-10-13", "2026-10-13", "A1", NULL, NULL, 0, &sum);
	ck_assert_int_eq(sum.estimated, 0);
	ck_assert_str_eq(r1, r2);
	free(r1);
	free(r2);
}
END_TEST

START_TEST(test_dispositions_and_forced_fallback)
{
	int64_t v[96];
	uint8_t q[96];
	struct br_error err;
	struct br_disposition_result res;
	char path[256];
	sqlite3_stmt *s;
	int i;
	char csv[256];
	long long id;

	flat("2026-10-04", 400);
	for (i = 0; i < 96; i++) {
		v[i] = i >= 40 && i < 60 ? 0 : 100;
		q[i] = i >= 40 && i < 60 ? BR_Q_MISSING : BR_Q_ACTUAL;
	}
	put("M1", "2026-10-05", 1, 900, 96, v, q);
	free(run("2026-10-05", "2026-10-05", "A1"));
	ck_assert_int_eq(exc("GAP", "2026-10-05"), 1);
	id = exc_id_of("GAP", "2026-10-05");
	/* The id is the hash of the natural key, the same in every store. */
	ck_assert_int_eq(id, br_exception_id("validate", "GAP", "A1", "M1",
	    "2026-10-05", last_detail));

	/* An unknown id is an error with file:line. */
	snprintf(csv, sizeof(csv), "exception_id,decision,reviewer,note\n"
	    "%lld,hold,ann,\n7,release,ann,\n", id);
	fx_write_in(path, sizeof(path), tmpdir, "d0.csv", csv);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_disposition_apply(st, path, NULL, &res, &err), -1);
	br_disposition_release(&res);
	br_store_rollback(st);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 3);
	/* In a shard store an unknown id is another shard's: skipped. */
	st->shard.k = 2;
	st->shard.n = 3;
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_disposition_apply(st, path, NULL, &res, &err), 0);
	ck_assert_int_eq(res.applied, 1);
	ck_assert_int_eq(res.skipped, 1);
	br_disposition_release(&res);
	br_store_rollback(st);
	st->shard.k = st->shard.n = 0;

	snprintf(csv, sizeof(csv), "exception_id,decision,reviewer,note\n"
	    "%lld,hold,ann,wait\n%lld,estimate,bob,\"use the day before\"\n",
	    id, id);
	fx_write_in(path, sizeof(path), tmpdir, "d1.csv", csv);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_disposition_apply(st, path, NULL, &res, &err), 0);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	ck_assert_int_eq(res.applied, 2);
	ck_assert_int_eq((int)res.nforce, 1);
	ck_assert_str_eq(res.force[0].meter_id, "M1");
	{
		struct br_validate_summary sum;

		free(run_with("2026-10-05", "2026-10-05", "A1", NULL,
		    res.force, res.nforce, &sum));
		ck_assert_int_eq(sum.estimated, 20);
	}
	br_disposition_release(&res);
	ck_assert_int_eq(get("M1", "2026-10-05", v, q), 96);
	ck_assert_int_eq(v[40], 400);
	ck_assert_int_eq(q[40], BR_Q_WITH_METHOD(BR_Q_ESTIMATED,
	    BR_EST_FALLBACK));
	ck_assert_int_eq(v[39], 100);
	ck_assert_int_eq(exc("GAP_FALLBACK", "2026-10-05"), 1);
	/* Nothing holds the bill now (rate-apply's query). */
	s = br_store_prepare(st, "SELECT count(*) FROM exception WHERE"
	    " severity = 'hold' AND status IN ('open','held')", &err);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(s, 0), 0);
	sqlite3_finalize(s);

	/* A second file appends: seq 3; status follows the last one. */
	snprintf(csv, sizeof(csv), "decision,exception_id,reviewer\n"
	    "release,%lld,carl\n", id);
	fx_write_in(path, sizeof(path), tmpdir, "d2.csv", csv);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_disposition_apply(st, path, NULL, &res, &err), 0);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	br_disposition_release(&res);
	s = br_store_prepare(st, "SELECT group_concat(seq || decision ||"
	    " reviewer || note, ';') FROM (SELECT * FROM exception_decision"
	    " ORDER BY exc_id, seq)", &err);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 0),
	    "1holdannwait;2estimatebobuse the day before;3releasecarl");
	sqlite3_finalize(s);
	s = br_store_prepare(st, "SELECT status FROM exception WHERE"
	    " exc_id = ?1", &err);
	sqlite3_bind_int64(s, 1, id);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "released");
	sqlite3_finalize(s);
	ck_assert_int_gt(total_exc(), 1);
}
END_TEST

START_TEST(test_fallback_rule_holds)
{
	int64_t v[96];
	uint8_t q[96];
	struct br_vee_rules r;
	struct br_validate_summary sum;
	int i;

	br_vee_rules_default(&r);
	r.rule[BR_VEE_GAP_FALLBACK].enabled = true;
	flat("2026-10-04", 400);
	for (i = 0; i < 96; i++) {
		v[i] = i < 10 ? 0 : 100;
		q[i] = i < 10 ? BR_Q_MISSING : BR_Q_ACTUAL;
	}
	put("M1", "2026-10-05", 1, 900, 96, v, q);
	free(run_with("2026-10-05", "2026-10-05", "A1", &r, NULL, 0, &sum));
	ck_assert_int_eq(sum.estimated, 10);
	ck_assert_int_eq(exc("GAP_FALLBACK", "2026-10-05"), 1);
	ck_assert_str_eq(last_detail, "intervals 1-10 estimated "
	    "(00:00-02:30 -05:00)");
	ck_assert_int_gt(sum.warn_hold, 0);
}
END_TEST

START_TEST(test_summary_csv)
{
	struct br_validate_summary sum;
	struct br_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(&sum, 0, sizeof(sum));
	sum.ncodes = 3;
	snprintf(sum.codes[0].code, 32, "ZERO_RUN");
	snprintf(sum.codes[0].severity, 8, "warn");
	sum.codes[0].count = 2;
	snprintf(sum.codes[1].code, 32, "GAP");
	snprintf(sum.codes[1].severity, 8, "hold");
	sum.codes[1].count = 1;
	snprintf(sum.codes[2].code, 32, "GAP");
	snprintf(sum.codes[2].severity, 8, "info");
	sum.codes[2].count = 5;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(br_validate_write_summary(&sum, f, &err), 0);
	fclose(f);
	ck_assert_str_eq(buf, "code,severity,count\nGAP,hold,1\nGAP,info,5\n"
	    "ZERO_RUN,warn,2\n");
	free(buf);
}
END_TEST


/* NEM12 days into interval_day (whole local days only). */
struct nemctx {
	struct br_tz *tz;
	int days;
};

static int
nem_day(void *vctx, const struct br_ami_day *d, struct br_error *err)
{
	struct nemctx *c = vctx;
	char date[16], sql[1024], id[80];
	int32_t day;

	(void)err;
	snprintf(id, sizeof(id), "%s%s", d->meter_id, d->nmi_suffix);
	if (d->channel != BR_CHANNEL_DELIVERED &&
	    d->channel != BR_CHANNEL_RECEIVED)
		return 0;
	if ((int64_t)d->n * d->interval_s != 86400 ||
	    br_tz_day_start(c->tz, br_tz_local_day(c->tz, d->start_utc)) !=
	    d->start_utc)
		return 0;
	day = br_tz_local_day(c->tz, d->start_utc);
	br_date_format(day, date, sizeof(date));
	snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO meter VALUES('%s',"
	    "'electric','kWh',1000);"
	    "INSERT OR IGNORE INTO service_point VALUES('SP%s','electric','');"
	    "INSERT OR IGNORE INTO meter_install VALUES('%s','SP%s',"
	    "'2000-01-01',NULL);"
	    "INSERT OR IGNORE INTO account(account_id,name) VALUES('N%s','x');"
	    "INSERT OR IGNORE INTO service_agreement(account_id,sp_id,"
	    "start_date,rate_code,net_metering) VALUES('N%s','SP%s',"
	    "'2000-01-01','RES-FLAT','NEM');", id, id, id, id, id, id, id);
	ck_assert_int_eq(br_store_exec(st, sql, NULL), 0);
	ck_assert_int_le(d->n, 100);
	put(id, date, d->channel, d->interval_s, d->n, d->values,
	    d->quality);
	c->days++;
	return 0;
}

static void
load_nem12(const char *path, const char *from, const char *to, int days)
{
	struct br_nem12_opts o;
	struct br_error err;
	struct br_tz tz;
	struct nemctx c;

	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(br_tz_load(&tz, "Australia/Brisbane", &err), 0);
	c.tz = &tz;
	c.days = 0;
	ck_assert_int_eq(br_store_exec(st, "UPDATE setting SET value ="
	    " 'Australia/Brisbane' WHERE key = 'timezone'", &err), 0);
	ck_assert_msg(br_nem12_parse(path, &o, nem_day, NULL, &c, NULL, NULL,
	    &err) == 0, "%s", err.msg);
	br_tz_release(&tz);
	ck_assert_int_eq(c.days, days);
	(void)from;
	(void)to;
}

START_TEST(test_nem12_multiple_quality)
{
	char path[512];
	struct br_validate_summary sum;
	int64_t v0[48], v1[48];
	uint8_t q0[48], q1[48];

	snprintf(path, sizeof(path), "%s/testdata/samples-ami/"
	    "nemreader-Example_NEM12_multiple_quality.csv", fx_srcdir());
	load_nem12(path, "2004-04-17", "2004-04-17", 1);
	ck_assert_int_eq(get("CCCC123456E1", "2004-04-17", v0, q0), 48);
	/* F14 (1-20) and S14 (25-48) are sender estimates. */
	ck_assert(q0[0] & BR_Q_ESTIMATED);
	ck_assert_int_eq(q0[20], BR_Q_ACTUAL);
	free(run_with("2004-04-17", "2004-04-17", NULL, NULL, NULL, 0, &sum));
	ck_assert_int_eq(sum.estimated, 0);
	ck_assert_int_eq(get("CCCC123456E1", "2004-04-17", v1, q1), 48);
	ck_assert(memcmp(v0, v1, sizeof(v0)) == 0);
	ck_assert(memcmp(q0, q1, sizeof(q0)) == 0);
	ck_assert_int_eq(exc("GAP", "2004-04-17"), 0);
	ck_assert_int_eq(exc("GAP_ESTIMATED", "2004-04-17"), 0);
	ck_assert_int_eq(exc("NEGATIVE", "2004-04-17"), 0);
}
END_TEST

/* The AEMO sample with N (missing) intervals (shared samples). */
START_TEST(test_nem12_missing_quality)
{
	const char *dir = fx_samples_dir("check_vee", "ami/nem12");
	char path[1024];
	struct br_validate_summary sum;
	FILE *f;
	char *r;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir,
	    "aemo-NEM12_SCENARIO1005032705_ENERGEXM_NEMMCO.V05.csv");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: missing from the samples", path);
	fclose(f);
	load_nem12(path, NULL, NULL, 10);
	r = run_with("2005-03-27", "2005-03-31", NULL, NULL, NULL, 0, &sum);
	/* 12-hour N runs are too long to interpolate and have no like
	 * days: they stay missing and hold the bill. */
	ck_assert_int_eq(sum.estimated, 0);
	ck_assert_ptr_nonnull(strstr(r, ",GAP,hold,"));
	ck_assert_ptr_nonnull(strstr(r, "NEM1210184E1,2005-03-28,intervals "
	    "25-48 missing (12:00-24:00 +10:00)"));
	ck_assert_ptr_nonnull(strstr(r, "NEM1210184B2,2005-03-28,received: "
	    "intervals 1-24 missing (00:00-12:00 +10:00)"));
	ck_assert_ptr_nonnull(strstr(r, "NEM1210184E2,2005-03-28,intervals "
	    "1-24 missing (00:00-12:00 +10:00)"));
	free(r);
}
END_TEST


START_TEST(test_sum_check)
{
	struct br_error err;
	char sql[512];
	int64_t t5, t7, t8;

	flat("2026-10-05", 500);
	flat("2026-10-06", 500);
	flat("2026-10-07", 500);
	/* 2026-10-05 00:00 -05:00 = 05:00Z */
	t5 = (int64_t)day_of("2026-10-05") * 86400 + 5 * 3600;
	t7 = t5 + 2 * 86400;
	t8 = t7 + 86400;
	snprintf(sql, sizeof(sql), "INSERT INTO register_read(meter_id, "
	    "channel, read_utc, value_milli, file_id) VALUES"
	    "('M1',1,%lld,1000000,1),('M1',1,%lld,1100000,1),"
	    "('M1',1,%lld,1148500,1)", (long long)t5, (long long)t7,
	    (long long)t8);
	ck_assert_int_eq(br_store_exec(st, sql, &err), 0);
	free(run("2026-10-05", "2026-10-07", "A1"));
	/* 100 on the register, 96 in the intervals: off by 4. */
	ck_assert_int_eq(exc("SUM_CHECK", "2026-10-05"), 1);
	ck_assert_str_eq(last_detail, "register advance 100.000 from "
	    "2026-10-05T05:00:00Z to 2026-10-07T05:00:00Z vs interval sum "
	    "96.000 (difference 4.000, tolerance 1.000)");
	/* 48.5 vs 48: within one unit. */
	ck_assert_int_eq(exc("SUM_CHECK", "2026-10-07"), 0);
}
END_TEST


START_TEST(test_forced_missing_day)
{
	int64_t v[96];
	uint8_t q[96];
	struct br_error err;
	struct br_disposition_result res;
	struct br_validate_summary sum;
	char path[256];
	char csv[256];

	flat("2026-10-06", 600);
	flat("2026-10-07", 900);
	flat("2026-10-08", 300);
	flat("2026-10-12", 500);
	free(run("2026-10-13", "2026-10-13", "A1"));
	ck_assert_int_eq(exc("MISSING_DAY", "2026-10-13"), 1);
	snprintf(csv, sizeof(csv), "exception_id,decision,reviewer\n"
	    "%lld,estimate,ann\n", exc_id_of("MISSING_DAY", "2026-10-13"));
	fx_write_in(path, sizeof(path), tmpdir, "d.csv", csv);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_disposition_apply(st, path, NULL, &res, &err), 0);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	ck_assert_int_eq((int)res.nforce, 1);
	free(run_with("2026-10-13", "2026-10-13", "A1", NULL, res.force,
	    res.nforce, &sum));
	br_disposition_release(&res);
	ck_assert_int_eq(sum.estimated, 96);
	ck_assert_int_eq(get("M1", "2026-10-13", v, q), 96);
	ck_assert_int_eq(v[0], 600);	/* (600 + 900 + 300) / 3 */
	ck_assert_int_eq(q[95], BR_Q_WITH_METHOD(BR_Q_ESTIMATED,
	    BR_EST_LIKE_DAY));
	ck_assert_int_eq(exc("GAP_LIKE_DAY", "2026-10-13"), 1);
	ck_assert_str_eq(last_detail, "intervals 1-96 estimated "
	    "(00:00-24:00 -05:00)");
	/* A rerun without decisions changes nothing. */
	free(run_with("2026-10-13", "2026-10-13", "A1", NULL, NULL, 0, &sum));
	ck_assert_int_eq(sum.estimated, 0);
	ck_assert_int_eq(exc("MISSING_DAY", "2026-10-13"), 1);
}
END_TEST


/* A day with peaks at 07-09 and 18-21, shifted by sh hours. */
static void
peaky(const char *date, int sh)
{
	int64_t v[96];
	int k;

	for (k = 0; k < 96; k++) {
		int hh = ((k / 4 - sh) % 24 + 24) % 24;

		v[k] = (hh >= 7 && hh < 9) || (hh >= 18 && hh < 21) ? 300 :
		    100;
	}
	put("M1", date, 1, 900, 96, v, NULL);
}

START_TEST(test_clock_shift)
{
	struct br_vee_rules r;
	struct br_validate_summary sum;
	int32_t d;
	char date[16];

	for (d = day_of("2026-10-05"); d <= day_of("2026-10-11"); d++) {
		br_date_format(d, date, sizeof(date));
		peaky(date, 0);
	}
	peaky("2026-10-12", 2);
	/* Off by default. */
	free(run("2026-10-11", "2026-10-12", "A1"));
	ck_assert_int_eq(exc("CLOCK_SHIFT", "2026-10-12"), 0);
	br_vee_rules_default(&r);
	r.rule[BR_VEE_CLOCK_SHIFT].enabled = true;
	free(run_with("2026-10-11", "2026-10-12", "A1", &r, NULL, 0, &sum));
	ck_assert_int_eq(exc("CLOCK_SHIFT", "2026-10-11"), 0);
	ck_assert_int_eq(exc("CLOCK_SHIFT", "2026-10-12"), 1);
	ck_assert_str_eq(last_detail, "hourly profile matches the previous 7 "
	    "days shifted by +2 h (error 0.000 vs 6.400 unshifted)");
}
END_TEST

static Suite *
vee_suite(void)
{
	Suite *s = suite_create("vee");
	TCase *tc = tcase_create("vee");
	TCase *ts = tcase_create("samples");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_set_timeout(ts, 60);
	tcase_add_test(tc, test_rules_defaults_and_file);
	tcase_add_test(tc, test_spike);
	tcase_add_test(tc, test_stuck_and_zero);
	tcase_add_test(tc, test_max_demand_and_rollover);
	tcase_add_test(tc, test_reverse_flow);
	tcase_add_test(tc, test_clock_vs_dst);
	tcase_add_test(tc, test_usage_vs_history);
	tcase_add_test(tc, test_low_usage);
	tcase_add_test(tc, test_leak_and_conservation);
	tcase_add_test(tc, test_like_day_estimation);
	tcase_add_test(tc, test_dispositions_and_forced_fallback);
	tcase_add_test(tc, test_fallback_rule_holds);
	tcase_add_test(tc, test_summary_csv);
	tcase_add_test(tc, test_sum_check);
	tcase_add_test(tc, test_forced_missing_day);
	tcase_add_test(tc, test_clock_shift);
	tcase_add_test(tc, test_nem12_multiple_quality);
	tcase_add_test(ts, test_nem12_missing_quality);
	suite_add_tcase(s, tc);
	tcase_set_tags(ts, "samples");
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return fx_run(vee_suite());
}
