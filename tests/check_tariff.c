/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_tariff.c: loading the sample tariffs in rates/ and rejecting bad
 * tariff files with the right line and key.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "rate/tariff.h"
#include "fixture.h"
#include "core/banned.h"

static void
load_sample(const char *code, struct br_tariff *t)
{
	struct br_error err;
	char dir[512];

	br_error_clear(&err);
	snprintf(dir, sizeof(dir), "%s/rates", fx_srcdir());
	if (br_tariff_load_code(t, dir, code, &err) != 0)
		ck_abort_msg("%s: %s:%ld: %s", code, err.file, err.line,
		    err.msg);
}

START_TEST(test_samples_load)
{
	static const char *const codes[] = { "RES-FLAT", "RES-TIER",
	    "RES-TOU", "GS-DEMAND", "WATER-RES", "GAS-RES", "RES-TOU-NEM2",
	    "RES-NBT", "GS-TOU-DEMAND", "WATER-SEWER", "GAS-CCF", "RES-RTP" };
	struct br_tariff t;
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		load_sample(codes[i], &t);
		ck_assert_str_eq(t.code, codes[i]);
		ck_assert_uint_ge(t.nversions, 1);
		br_tariff_release(&t);
	}
}
END_TEST

START_TEST(test_sample_values)
{
	struct br_tariff t;
	const struct br_tariff_version *v;
	int s;

	load_sample("RES-FLAT", &t);
	v = &t.versions[0];
	ck_assert_int_eq(v->customer_micro, 12000000);
	ck_assert_int_eq(v->customer_per, BR_PER_MONTH);
	ck_assert_int_eq(v->energy[0].kind, BR_ENERGY_FLAT);
	ck_assert_int_eq(v->energy[0].rate_nano, 132500000);
	ck_assert_int_eq(t.rounding, BR_ROUND_HALF_UP);
	br_tariff_release(&t);

	load_sample("RES-TIER", &t);
	v = &t.versions[0];
	s = br_tariff_season_of(&t, br_date_days(2026, 7, 4));
	ck_assert_str_eq(t.seasons[s].name, "summer");
	s = br_tariff_season_of(&t, br_date_days(2026, 1, 4));
	ck_assert_str_eq(t.seasons[s].name, "winter");
	ck_assert_int_eq(v->nenergy, 2);
	ck_assert_int_eq(v->energy[0].ntiers, 3);
	ck_assert_int_eq(v->energy[0].tiers[0].upto_milli, 500000);
	ck_assert_int_eq(v->energy[0].tiers[1].rate_nano, 135000000);
	ck_assert_int_eq(v->energy[0].tiers[2].upto_milli, -1);
	br_tariff_release(&t);

	load_sample("RES-TOU", &t);
	v = &t.versions[0];
	/* weekday 14:00 is on-peak (period 0), 13:45 and 19:00 off-peak */
	ck_assert_int_eq(v->energy[0].slot_period[BR_DAY_WEEKDAY][56], 0);
	ck_assert_int_eq(v->energy[0].slot_period[BR_DAY_WEEKDAY][55], 1);
	ck_assert_int_eq(v->energy[0].slot_period[BR_DAY_WEEKDAY][76], 1);
	ck_assert_int_eq(v->energy[0].slot_period[BR_DAY_WEEKEND][60], 1);
	/* 2026-11-26 Thanksgiving (Thursday) is a holiday */
	ck_assert_int_eq(br_tariff_daytype(&t, br_date_days(2026, 11, 26)),
	    BR_DAY_WEEKEND);
	ck_assert_int_eq(br_tariff_daytype(&t, br_date_days(2026, 11, 25)),
	    BR_DAY_WEEKDAY);
	ck_assert_int_eq(br_tariff_daytype(&t, br_date_days(2026, 11, 28)),
	    BR_DAY_WEEKEND);
	br_tariff_release(&t);

	load_sample("WATER-RES", &t);
	ck_assert_str_eq(t.unit, "gal");
	ck_assert_int_eq(t.versions[0].energy[0].tiers[0].rate_nano, 4100000);
	ck_assert_int_eq(t.versions[0].energy[0].tiers[1].rate_nano, 5250000);
	br_tariff_release(&t);

	load_sample("GS-DEMAND", &t);
	ck_assert_int_eq(t.versions[0].ndemand, 1);
	ck_assert_int_eq(t.versions[0].demand[0].rate_nano, 12500000000);
	br_tariff_release(&t);
}
END_TEST

/* Write text to a temp file and load it; returns the load result. */
static int
load_text(const char *text, struct br_error *err)
{
	const char *path = fx_tmpfile("/tmp/check_tariff_XXXXXX", text);
	struct br_tariff t;
	int rc;

	br_error_clear(err);
	rc = br_tariff_load(&t, path, err);
	if (rc == 0)
		br_tariff_release(&t);
	unlink(path);
	return rc;
}

#define HEAD "code: X\nunit: kWh\n"

START_TEST(test_bad_rate)
{
	struct br_error err;

	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - rate: 0.1234567891\n", &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_int_eq(err.line, 6);
	ck_assert_ptr_nonnull(strstr(err.msg, "'rate'"));
	ck_assert_ptr_nonnull(strstr(err.msg, "more than 9 decimals"));
	ck_assert_ptr_nonnull(strstr(err.file, "check_tariff_"));

	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - rate: 1,5\n", &err), -1);
	ck_assert_int_eq(err.line, 6);
}
END_TEST

/* Rates per unit are exact nano-dollars; amounts stay at 6 decimals. */
START_TEST(test_exact_rates)
{
	struct br_error err;
	struct br_tariff t;
	const char *path = fx_tmpfile("/tmp/check_tariff_XXXXXX", HEAD
	    "versions:\n"
	    "  - effective: 2026-01-01\n"
	    "    customer_charge: {amount: 12.345678, per: month}\n"
	    "    energy:\n"
	    "      - rate: 0.0481085\n"
	    "    demand:\n"
	    "      - rate: 9.123456789\n"
	    "    riders:\n"
	    "      - {code: CREDIT, name: Credit, rate: -0.000000001}\n");

	ck_assert_int_eq(br_tariff_load(&t, path, &err), 0);
	unlink(path);
	ck_assert_int_eq(t.versions[0].customer_micro, 12345678);
	ck_assert_int_eq(t.versions[0].energy[0].rate_nano, 48108500);
	ck_assert_int_eq(t.versions[0].demand[0].rate_nano, 9123456789);
	ck_assert_int_eq(t.versions[0].riders[0].rate_nano, -1);
	br_tariff_release(&t);

	/* out of range: above $1,000,000 per unit, and int64 overflow */
	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - rate: 1000000.000000001\n", &err), -1);
	ck_assert_int_eq(err.line, 6);
	ck_assert_str_eq(err.msg, "key 'rate': rate '1000000.000000001' is "
	    "out of range (at most 1000000 dollars per unit)");
	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - rate: 99999999999999999999\n", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "out of range"));
	/* a credit rider may be negative, an energy rate may not */
	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - rate: -0.01\n", &err), -1);
	ck_assert_str_eq(err.msg, "key 'rate': negative rate '-0.01'");
	/* amounts keep 6 decimals */
	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - effective: 2026-01-01\n"
	    "    customer_charge: {amount: 12.0000001, per: month}\n"
	    "    energy:\n"
	    "      - rate: 0.1\n", &err), -1);
	ck_assert_int_eq(err.line, 5);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad amount '12.0000001'"));
	/* strict integers: month ranges and integer keys */
	ck_assert_int_eq(load_text(HEAD "seasons:\n"
	    "  - {name: summer, months: 6-+9}\n"
	    "versions: []\n", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad month range '6-+9'"));
	ck_assert_int_eq(load_text(HEAD "seasons:\n"
	    "  - {name: summer, months: \"6 \"}\n"
	    "versions: []\n", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad month range"));
}
END_TEST

START_TEST(test_unknown_key)
{
	struct br_error err;

	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - effective: 2026-01-01\n"
	    "    customer_charge: {amount: 10, per: month}\n"
	    "    energy:\n"
	    "      - rate: 0.1\n"
	    "        rtae: 0.2\n", &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_int_eq(err.line, 8);
	ck_assert_str_eq(err.msg, "unknown key 'rtae'");

	ck_assert_int_eq(load_text(HEAD "colour: red\nversions: []\n", &err),
	    -1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_str_eq(err.msg, "unknown key 'colour'");
}
END_TEST

START_TEST(test_missing_version)
{
	struct br_error err;

	ck_assert_int_eq(load_text(HEAD "name: no versions\n", &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_int_eq(err.line, 1);
	ck_assert_str_eq(err.msg, "missing key 'versions'");

	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - energy:\n"
	    "      - rate: 0.1\n", &err), -1);
	ck_assert_int_eq(err.line, 4);
	ck_assert_str_eq(err.msg, "missing key 'effective'");

	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - effective: 2026-02-01\n"
	    "    energy: [{rate: 0.1}]\n"
	    "  - effective: 2026-01-01\n"
	    "    energy: [{rate: 0.1}]\n", &err), -1);
	ck_assert_int_eq(err.line, 6);
}
END_TEST

START_TEST(test_bad_yaml_and_structure)
{
	struct br_error err;

	ck_assert_int_eq(load_text(HEAD "versions: [\n  - x: : y\n", &err),
	    -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "bad YAML"));
	ck_assert_int_gt(err.line, 2);

	/* TOU periods must cover the whole day */
	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - periods:\n"
	    "          - {name: on, days: weekday, hours: \"14:00-19:00\", "
	    "rate: 0.2}\n", &err), -1);
	ck_assert_int_eq(err.line, 7);
	ck_assert_ptr_nonnull(strstr(err.msg, "weekday 00:00"));

	/* season must exist, seasons must cover the year */
	ck_assert_int_eq(load_text(HEAD "seasons:\n"
	    "  - {name: summer, months: 6-9}\n"
	    "versions: []\n", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "month 1 missing"));

	ck_assert_int_eq(load_text(HEAD "rounding: sideways\n"
	    "versions: []\n", &err), -1);
	ck_assert_int_eq(err.line, 3);

	ck_assert_int_eq(load_text(HEAD "versions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - tiers:\n"
	    "          - {upto: 500, rate: 0.1}\n", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "last tier"));
}
END_TEST

static Suite *
tariff_suite(void)
{
	Suite *s = suite_create("tariff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_samples_load);
	tcase_add_test(tc, test_sample_values);
	tcase_add_test(tc, test_bad_rate);
	tcase_add_test(tc, test_exact_rates);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_missing_version);
	tcase_add_test(tc, test_bad_yaml_and_structure);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tariff_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
