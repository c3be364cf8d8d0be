/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_vendorcsv.c: vendor CSV column mappings: the Badger Beacon 360
 * sample mapping, defaults, unit and quality tables, and errors with the
 * mapping file and line.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/vendorcsv.h"
#include "fixture.h"
#include "core/banned.h"

#define write_tmp(text) fx_tmpfile("/tmp/check_vendorcsv.XXXXXX", (text))

START_TEST(test_beacon_mapping)
{
	struct br_vendor_map m;
	struct br_error err;
	char path[512], q;

	snprintf(path, sizeof(path), "%s/testdata/mappings/"
	    "badger-beacon360.yaml", fx_srcdir());
	ck_assert_msg(br_vendor_map_load(&m, path, &err) == 0, "%s",
	    err.msg);
	ck_assert_str_eq(m.name, "Badger Beacon 360");
	ck_assert_str_eq(m.col_meter, "Meter_ID");
	ck_assert_str_eq(m.col_time, "Flow_Time");
	ck_assert_str_eq(m.col_value, "Flow");
	ck_assert_str_eq(m.col_unit, "Flow_Unit");
	ck_assert_str_eq(m.col_quality, "Estimated_Flag");
	ck_assert_str_eq(m.col_channel, "");
	ck_assert_str_eq(m.time_zone, "America/Los_Angeles");
	ck_assert_int_eq(m.interval_minutes, 60);
	ck_assert_int_eq(m.interval_ending, 1);
	ck_assert_int_eq(m.snap, 1);
	ck_assert_int_eq(m.has_multiplier, 0);
	ck_assert_str_eq(br_vendor_unit(&m, "Gallons"), "gal");
	ck_assert_str_eq(br_vendor_unit(&m, "gallons"), "gal");
	ck_assert_str_eq(br_vendor_unit(&m, "kWh"), "kWh");
	ck_assert_int_eq(br_vendor_quality(&m, "0", &q), 0);
	ck_assert_int_eq(q, 'A');
	ck_assert_int_eq(br_vendor_quality(&m, "1", &q), 0);
	ck_assert_int_eq(q, 'E');
	ck_assert_int_eq(br_vendor_quality(&m, "", &q), 0);
	ck_assert_int_eq(q, 'A');
	ck_assert_int_eq(br_vendor_quality(&m, "2", &q), -1);
}
END_TEST

START_TEST(test_defaults_and_multiplier)
{
	struct br_vendor_map m;
	struct br_error err;
	const char *p = write_tmp("columns:\n  meter_id: SN\n  time: T\n"
	    "  value: V\nunit: kWh\nmultiplier: 0.125\n");

	ck_assert_msg(br_vendor_map_load(&m, p, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(m.interval_minutes, 15);
	ck_assert_int_eq(m.interval_ending, 0);
	ck_assert_int_eq(m.snap, 0);
	ck_assert_str_eq(m.unit, "kWh");
	ck_assert_int_eq(m.has_multiplier, 1);
	ck_assert_int_eq(m.multiplier_milli, 125);
	ck_assert_str_eq(m.time_zone, "");
	unlink(p);
}
END_TEST

static void
expect_error(const char *text, long line, const char *msg)
{
	struct br_vendor_map m;
	struct br_error err;
	const char *p = write_tmp(text);

	ck_assert_int_eq(br_vendor_map_load(&m, p, &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_str_eq(err.file, p);
	ck_assert_int_eq(err.line, line);
	ck_assert_msg(strstr(err.msg, msg) != NULL, "got '%s'", err.msg);
	unlink(p);
}

START_TEST(test_errors)
{
	struct br_vendor_map m;
	struct br_error err;

	expect_error("columns:\n  meter_id: SN\n  time: T\n", 1,
	    "mapping needs columns.meter_id, columns.time and columns.value");
	expect_error("columns:\n  meter_id: SN\n  stamp: T\n", 3,
	    "bad value 'T' for key 'columns.stamp'");
	expect_error("columns:\n  meter_id: SN\n  time: T\n  value: V\n"
	    "interval_minutes: 7\n", 5,
	    "bad value '7' for key 'interval_minutes'");
	expect_error("columns:\n  meter_id: SN\n  time: T\n  value: V\n"
	    "quality:\n  X: Z\n", 6, "bad value 'Z' for key 'quality.X'");
	expect_error("columns:\n  meter_id: SN\n  time: T\n  value: V\n"
	    "multiplier: -1\n", 5, "bad value '-1' for key 'multiplier'");
	expect_error("format: nem12\n", 1,
	    "bad value 'nem12' for key 'format'");
	expect_error("columns: [a, b]\n", 1, "unexpected list");
	expect_error("name: \"open\n", 2, "bad YAML");
	ck_assert_int_eq(br_vendor_map_load(&m, "/nonexistent/x.yaml", &err),
	    -1);
	ck_assert_int_eq(err.code, BR_ENOINPUT);
}
END_TEST

static Suite *
vendorcsv_suite(void)
{
	Suite *s = suite_create("vendorcsv");
	TCase *tc = tcase_create("vendorcsv");

	tcase_add_test(tc, test_beacon_mapping);
	tcase_add_test(tc, test_defaults_and_multiplier);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vendorcsv_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
