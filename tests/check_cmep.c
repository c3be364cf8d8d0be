/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_cmep.c: the CMEP MEPMD01 parser on the real Sensus rows (shared
 * samples when present, the copy in testdata/samples-ami always) with the
 * interval-sum = register-delta check, and synthetic rows for DST,
 * runs, quality, constants and errors.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/cmep.h"
#include "core/date.h"
#include "store/store.h"
#include "core/tz.h"
#include "fixture.h"
#include "core/banned.h"

#define MAXREC 8

struct got {
	int ndays, nregs;
	struct br_ami_day days[MAXREC];
	int64_t v[MAXREC][32];
	uint8_t q[MAXREC][32];
	int64_t sum[MAXREC];
	struct br_ami_register regs[MAXREC];
};

static int
on_day(void *ctx, const struct br_ami_day *d, struct br_error *err)
{
	struct got *g = ctx;
	int i, k = g->ndays++;

	(void)err;
	ck_assert_int_lt(k, MAXREC);
	ck_assert_int_le(d->n, 32);
	g->days[k] = *d;
	g->sum[k] = 0;
	for (i = 0; i < d->n; i++) {
		g->v[k][i] = d->values[i];
		g->q[k][i] = d->quality[i];
		g->sum[k] += d->values[i];
	}
	return 0;
}

static int
on_reg(void *ctx, const struct br_ami_register *r, struct br_error *err)
{
	struct got *g = ctx;

	(void)err;
	ck_assert_int_lt(g->nregs, MAXREC);
	g->regs[g->nregs++] = *r;
	return 0;
}

static char *
utc(int64_t t)
{
	static char buf[4][32];
	static int k;

	k = (k + 1) % 4;
	return br_time_format_utc(t, buf[k], sizeof(buf[k]));
}

#define tmpfile_with(text) fx_tmpfile("/tmp/check_cmep_XXXXXX", (text))

static struct br_tz pacific;

static void
setup(void)
{
	struct br_error err;

	ck_assert_int_eq(br_tz_load(&pacific, "America/Los_Angeles", &err), 0);
}

static void
teardown(void)
{
	br_tz_release(&pacific);
}

static int
parse(const char *path, bool ending, struct got *g, struct br_cmep_stats *st,
    struct br_error *err)
{
	struct br_cmep_opts o = { .tz = &pacific, .interval_ending = ending };

	memset(g, 0, sizeof(*g));
	memset(err, 0, sizeof(*err));
	return br_cmep_parse(path, &o, on_day, on_reg, g, NULL, st, err);
}

/* The real Sensus rows: 24 hour-ending Pacific intervals + register. */
static void
check_real_rows(const char *path)
{
	struct got g;
	struct br_cmep_stats st;
	struct br_error err;
	const struct br_ami_day *d = &g.days[0];

	ck_assert_msg(parse(path, true, &g, &st, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(st.rows, 2);
	ck_assert_int_eq(g.ndays, 1);
	ck_assert_int_eq(g.nregs, 2);
	ck_assert_str_eq(d->meter_id, "B74741489");
	ck_assert_str_eq(d->serial, "B74741489");
	ck_assert_str_eq(d->unit, "CF");
	ck_assert_int_eq(d->channel, BR_CHANNEL_DELIVERED);
	ck_assert_int_eq(d->line, 1);
	ck_assert_int_eq(d->interval_s, 3600);
	ck_assert_int_eq(d->n, 24);
	/* first stamp 2026-06-02 08:00 PDT ends the 07:00-08:00 hour */
	ck_assert_str_eq(utc(d->start_utc), "2026-06-02T14:00:00Z");
	ck_assert_int_eq(g.v[0][0], 8000);
	ck_assert_int_eq(g.v[0][23], 13000);
	ck_assert_int_eq(g.q[0][0], BR_Q_ACTUAL);
	ck_assert_str_eq(d->version, "202606031515");
	/* registers on the 07:00 PDT boundaries */
	ck_assert_int_eq(g.regs[0].line, 2);
	ck_assert_str_eq(g.regs[0].unit, "CF");
	ck_assert_str_eq(utc(g.regs[0].read_utc), "2026-06-02T14:00:00Z");
	ck_assert_int_eq(g.regs[0].value_milli, 2931567000);
	ck_assert_int_eq(g.regs[0].has_previous, 0);
	ck_assert_str_eq(utc(g.regs[1].read_utc), "2026-06-03T14:00:00Z");
	ck_assert_int_eq(g.regs[1].value_milli, 2932046000);
	ck_assert_int_eq(g.regs[1].has_previous, 1);
	ck_assert_int_eq(g.regs[1].has_quantity, 1);
	ck_assert_int_eq(g.regs[1].quantity_milli, 479000);
	/* sum check: the intervals span exactly the two register reads and
	 * add up to the register delta (479 CF) */
	ck_assert_int_eq(d->start_utc, g.regs[0].read_utc);
	ck_assert_int_eq(d->start_utc + 24 * 3600, g.regs[1].read_utc);
	ck_assert_int_eq(g.sum[0], g.regs[1].value_milli -
	    g.regs[0].value_milli);
}

START_TEST(test_local_real_rows)
{
	check_real_rows(fx_srcfile("testdata/samples-ami",
	    "ami-connect-sensus-water-real-rows.txt"));
}
END_TEST

START_TEST(test_shared_samples)
{
	const char *base = fx_samples_dir(NULL, "");
	char path[1024];
	struct got g;
	struct br_cmep_stats st;
	struct br_error err;

	if (base == NULL) {
		printf("check_cmep: no shared samples, skipping\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/ami/cmep/%s", base,
	    "ami-connect-sensus-water-real-rows.txt");
	check_real_rows(path);
	snprintf(path, sizeof(path), "%s/ami/cmep/%s", base,
	    "ami-connect-sensus-water-bare-id-modeled-row.txt");
	ck_assert_int_eq(parse(path, true, &g, &st, &err), 0);
	ck_assert_int_eq(g.ndays, 1);
	/* the id is handed out as sent; normalising B-prefixes is the
	 * importer's (registry lookup's) job */
	ck_assert_str_eq(g.days[0].meter_id, "68567673");
	ck_assert_int_eq(g.days[0].n, 2);
	ck_assert_str_eq(utc(g.days[0].start_utc), "2026-06-03T12:00:00Z");
	ck_assert_int_eq(g.v[0][0], 3000);
	ck_assert_int_eq(g.v[0][1], 4000);
}
END_TEST

#define H(units, iv, n) "MEPMD01,20080501,S,U:1,R1,M1,202611021200,M1,OK,E," \
	units ",1.0," iv "," n ","

START_TEST(test_fall_back_and_runs)
{
	/* 01:00 PDT, 01:00 PST (repeated wall hour), 02:00 PST, hour-ending;
	 * then a row with a gap (05:00 missing) and empty stamps */
	const char *p = tmpfile_with(
	    H("KWH", "00000100", "3") "202611010100,R0,1,202611010100,R0,2,"
	    "202611010200,R0,3\n"
	    H("kwh", "00000100", "4") "202611010400,R0,1,,R0,2,"
	    "202611010700,N32,9,,E1,4\n");
	struct got g;
	struct br_cmep_stats st;
	struct br_error err;

	ck_assert_msg(parse(p, true, &g, &st, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(g.ndays, 3);
	ck_assert_str_eq(g.days[0].unit, "kWh");
	ck_assert_int_eq(g.days[0].n, 3);
	ck_assert_str_eq(utc(g.days[0].start_utc), "2026-11-01T07:00:00Z");
	ck_assert_int_eq(g.sum[0], 6000);
	/* 03:00-04:00 and 04:00-05:00 PST, then 06:00-08:00 PST */
	ck_assert_int_eq(g.days[1].n, 2);
	ck_assert_str_eq(utc(g.days[1].start_utc), "2026-11-01T11:00:00Z");
	ck_assert_int_eq(g.days[2].n, 2);
	ck_assert_str_eq(utc(g.days[2].start_utc), "2026-11-01T14:00:00Z");
	ck_assert_int_eq(g.v[2][0], 0);		/* N32: missing, not zero */
	ck_assert_int_eq(g.q[2][0], BR_Q_MISSING);
	ck_assert_int_eq(g.q[2][1],
	    BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE));
	unlink(p);
}
END_TEST

START_TEST(test_utc_start_constant_skip)
{
	const char *p = tmpfile_with(
	    "MEPMD02,20080501,S,U:1,R1,M1,202611021200,M1,OK,E,KWH,1.0,"
	    "00000015,1,202601010000,R0,1\n"
	    "MEPMD01,20080501,S,U:1,R1,M1,202611021200,M1,History,E,KWH,1.0,"
	    "00000015,1,202601010000,R0,1\n"
	    "MEPMD01,20080501,S,U:1,R1,M1,202611021200,M1,OK,E,KWH,0.5,"
	    "00000015,2,202601010000,R0,1.001,202601010015,R0,3\n");
	struct got g;
	struct br_cmep_stats st;
	struct br_error err;

	memset(&g, 0, sizeof(g));
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(br_cmep_parse(p, NULL, on_day, on_reg, &g, NULL, &st,
	    &err), 0);
	ck_assert_int_eq(st.rows, 3);
	ck_assert_int_eq(st.skipped, 2);
	ck_assert_int_eq(g.ndays, 1);
	ck_assert_str_eq(utc(g.days[0].start_utc), "2026-01-01T00:00:00Z");
	ck_assert_int_eq(g.days[0].interval_s, 900);
	ck_assert_int_eq(g.v[0][0], 501);	/* 1.001 x 0.5, half up */
	ck_assert_int_eq(g.v[0][1], 1500);
	ck_assert_int_eq(g.days[0].line, 3);
	unlink(p);
}
END_TEST

static void
expect_error(const char *text, long line, const char *msg)
{
	const char *p = tmpfile_with(text);
	struct got g;
	struct br_error err;

	ck_assert_int_eq(parse(p, true, &g, NULL, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, line);
	ck_assert_str_eq(err.msg, msg);
	unlink(p);
}

START_TEST(test_errors)
{
	expect_error("", 0, "empty file: no MEPMD01 records");
	expect_error(H("KWH", "00000100", "2") "202606010100,R0,1\n", 1,
	    "MEPMD01 record: Count is 2 but the record has 17 fields, "
	    "expected 20");
	expect_error(H("KWH", "00000100", "1") "202603080230,R0,1\n", 1,
	    "MEPMD01 record: triple 1: local time '202603080230' does not "
	    "exist (DST gap)");
	expect_error(H("KWH", "01000100", "1") "202606010100,R0,1\n", 1,
	    "MEPMD01 record: field 'Interval' is '01000100', expected "
	    "00DDHHMM");
	expect_error(H("KWH", "00000100", "1") "202606010100,R0,\n", 1,
	    "MEPMD01 record: triple 1: Value is empty");
	expect_error(H("KWH", "00000100", "1") "2026060101,R0,1\n", 1,
	    "MEPMD01 record: triple 1: Date/Time is '2026060101', expected "
	    "CCYYMMDDHHMM");
	expect_error(H("KWH", "00000100", "1") "202606010100,R0,1e3\n", 1,
	    "MEPMD01 record: triple 1: Value '1e3' is not a decimal number "
	    "with at most 3 decimals");
}
END_TEST

static Suite *
cmep_suite(void)
{
	Suite *s = suite_create("cmep");
	TCase *tc = tcase_create("core");
	TCase *ts = tcase_create("samples");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_add_test(tc, test_local_real_rows);
	tcase_add_test(ts, test_shared_samples);
	tcase_add_test(tc, test_fall_back_and_runs);
	tcase_add_test(tc, test_utc_start_constant_skip);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	tcase_set_tags(ts, "samples");
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return fx_run(cmep_suite());
}
