/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_units.c: the one unit table (core/units.h) and the one UTC-offset
 * parser (br_utc_offset_parse in core/date.h), at their limits.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/units.h"
#include "core/banned.h"

START_TEST(test_unit_find_and_uses)
{
	const struct br_unit *u = br_unit_find("KWH");
	char buf[64];

	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->name, "kWh");
	ck_assert_int_eq(u->family, BR_UNIT_WH);
	ck_assert_int_eq(u->size, 1000);
	ck_assert_uint_eq(u->kinds, BR_UNIT_ELECTRIC);
	ck_assert_ptr_null(br_unit_find("furlong"));
	/* exact spelling for meters and tariffs */
	ck_assert_ptr_nonnull(br_unit_for("Wh", BR_UNIT_METER));
	ck_assert_ptr_null(br_unit_for("Wh", BR_UNIT_TARIFF));
	ck_assert_ptr_null(br_unit_for("kwh", BR_UNIT_METER));
	ck_assert_ptr_null(br_unit_for("kgal", BR_UNIT_METER));
	ck_assert_ptr_null(br_unit_for("kW", BR_UNIT_METER));
	ck_assert_str_eq(br_unit_names(BR_UNIT_TARIFF, buf, sizeof(buf)),
	    "kWh, gal, therm, CCF");
	ck_assert_str_eq(br_unit_names(BR_UNIT_METER, buf, sizeof(buf)),
	    "kWh, Wh, gal, therm, CCF");
	ck_assert_str_eq(br_unit_names(BR_UNIT_METER, buf, 9), "kWh, Wh");
	/* NEM12 UOMs: energy and the non-billed demand/reactive ones */
	ck_assert_uint_ne(br_unit_find("kvarh")->uses & BR_UNIT_NEM12, 0);
	ck_assert_uint_eq(br_unit_find("CF")->uses & BR_UNIT_NEM12, 0);
}
END_TEST

START_TEST(test_unit_espi_and_ratio)
{
	int64_t num = 0, den = 0;

	ck_assert_str_eq(br_unit_from_espi(72)->name, "Wh");
	ck_assert_str_eq(br_unit_from_espi(169)->name, "therm");
	ck_assert_str_eq(br_unit_from_espi(119)->name, "CF");
	ck_assert_str_eq(br_unit_from_espi(128)->name, "gal");
	ck_assert_ptr_null(br_unit_from_espi(0));
	ck_assert_ptr_null(br_unit_from_espi(38));	/* W: not stored */
	ck_assert_int_eq(br_unit_ratio(br_unit_find("kWh"),
	    br_unit_find("Wh"), 7, &num, &den), 0);
	ck_assert_int_eq(num, 7000);
	ck_assert_int_eq(den, 1);
	ck_assert_int_eq(br_unit_ratio(br_unit_find("CF"),
	    br_unit_find("CCF"), 250, &num, &den), 0);
	ck_assert_int_eq(num, 250);
	ck_assert_int_eq(den, 100);
	ck_assert_int_eq(br_unit_ratio(br_unit_find("therm"),
	    br_unit_find("CCF"), 1, &num, &den), -2);
	ck_assert_int_eq(br_unit_ratio(br_unit_find("kW"),
	    br_unit_find("kW"), 1, &num, &den), -2);
	ck_assert_int_eq(br_unit_ratio(NULL, br_unit_find("Wh"), 1, &num,
	    &den), -2);
	ck_assert_int_eq(br_unit_ratio(br_unit_find("MWh"),
	    br_unit_find("Wh"), INT64_MAX / 1000, &num, &den), -1);
}
END_TEST

static int
off(const char *s, int32_t *v)
{
	return br_utc_offset_parse(s, strlen(s), v);
}

START_TEST(test_utc_offset_limits)
{
	int32_t v = 1;

	ck_assert_int_eq(off("+14:00", &v), 0);
	ck_assert_int_eq(v, 14 * 3600);
	ck_assert_int_eq(off("-14:00", &v), 0);
	ck_assert_int_eq(v, -14 * 3600);
	ck_assert_int_eq(off("+1400", &v), 0);
	ck_assert_int_eq(off("-12", &v), 0);
	ck_assert_int_eq(v, -12 * 3600);
	ck_assert_int_eq(off("+05:45", &v), 0);
	ck_assert_int_eq(v, 5 * 3600 + 45 * 60);
	ck_assert_int_eq(off("-00:00", &v), 0);
	ck_assert_int_eq(v, 0);
	v = 99;
	ck_assert_int_eq(off("+14:01", &v), -1);
	ck_assert_int_eq(off("-14:01", &v), -1);
	ck_assert_int_eq(off("+15", &v), -1);
	ck_assert_int_eq(off("+18:00", &v), -1);
	ck_assert_int_eq(off("+10:60", &v), -1);
	ck_assert_int_eq(off("10:00", &v), -1);
	ck_assert_int_eq(off("+8", &v), -1);
	ck_assert_int_eq(off("+10:0", &v), -1);
	ck_assert_int_eq(off("+10:000", &v), -1);
	ck_assert_int_eq(off("+1a", &v), -1);
	ck_assert_int_eq(off("", &v), -1);
	ck_assert_int_eq(v, 99);	/* untouched on error */
}
END_TEST

START_TEST(test_utc_offset_in_stamps)
{
	int64_t t;
	bool z;
	const char *a = "2024-01-01T14:00:00+14:00";
	const char *b = "2024-01-01T00:00:00+14:01";
	const char *c = "2024-01-01T00:00:00-1400";

	ck_assert_int_eq(br_time_parse(a, strlen(a), &t, &z), 0);
	ck_assert(z);
	ck_assert_int_eq(t, 1704067200);	/* 2024-01-01T00:00:00Z */
	ck_assert_int_eq(br_time_parse(b, strlen(b), &t, &z), -1);
	ck_assert_int_eq(br_time_parse(c, strlen(c), &t, &z), 0);
	ck_assert_int_eq(t, 1704067200 + 14 * 3600);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("units");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_unit_find_and_uses);
	tcase_add_test(tc, test_unit_espi_and_ratio);
	tcase_add_test(tc, test_utc_offset_limits);
	tcase_add_test(tc, test_utc_offset_in_stamps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
