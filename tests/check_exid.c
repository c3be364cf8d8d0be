/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_exid.c: exception ids as EX- + 13 Crockford base32 digits
 * (lib/core/exid.h): round trip, fixed width, order, old decimal ids,
 * rejected forms (spreadsheet-mangled numbers among them).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/exid.h"

START_TEST(test_format)
{
	char b[BR_EXID_SIZE];

	ck_assert_str_eq(br_exid_format(1, b, sizeof(b)), "EX-0000000000001");
	ck_assert_str_eq(br_exid_format(INT64_MAX, b, sizeof(b)),
	    "EX-7ZZZZZZZZZZZZ");
	ck_assert_str_eq(br_exid_format(95647407670577494, b, sizeof(b)),
	    "EX-02MYESXYY8JAP");
	ck_assert_uint_eq(strlen(b), BR_EXID_LEN);
}
END_TEST

START_TEST(test_round_trip_order)
{
	int64_t ids[] = { 1, 31, 32, 1023, 95647407670577494,
	    248898682569198505, 3728221303640292349, INT64_MAX - 1, INT64_MAX };
	char a[BR_EXID_SIZE], b[BR_EXID_SIZE];
	size_t i;
	int64_t got;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		br_exid_format(ids[i], a, sizeof(a));
		ck_assert_int_eq(br_exid_parse(a, &got), 0);
		ck_assert_int_eq(got, ids[i]);
		if (i > 0) {
			br_exid_format(ids[i - 1], b, sizeof(b));
			ck_assert_int_lt(strcmp(b, a), 0);
		}
	}
}
END_TEST

START_TEST(test_parse_forms)
{
	int64_t id = 0;

	ck_assert_int_eq(br_exid_parse("ex-02myesxyy8jap", &id), 0);
	ck_assert_int_eq(id, 95647407670577494);
	/* Crockford: O reads as 0, I and L as 1. */
	ck_assert_int_eq(br_exid_parse("EX-OOOOOOOOOOOOI", &id), 0);
	ck_assert_int_eq(id, 1);
	ck_assert_int_eq(br_exid_parse("EX-000000000000L", &id), 0);
	ck_assert_int_eq(id, 1);
	ck_assert_int_eq(br_exid_parse("95647407670577494", &id), 0);
	ck_assert_int_eq(id, 95647407670577494);
	ck_assert_int_eq(br_exid_parse("9223372036854775807", &id), 0);
	ck_assert_int_eq(id, INT64_MAX);
}
END_TEST

START_TEST(test_parse_rejects)
{
	static const char *const bad[] = {
		"", "0", "EX-0000000000000", "EX-", "EX-000000000001",
		"EX-00000000000001", "EX-8000000000000",
		"EX-ZZZZZZZZZZZZZ", "EX-000000000000U", "EX-00000000000 1",
		"9.56474E+16", "9223372036854775808", "-5", "+5", " 12", "12 ",
		"EX 0000000000001", "1e3",
	};
	size_t i;
	int64_t id = 42;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(br_exid_parse(bad[i], &id) == -1, "accepted '%s'",
		    bad[i]);
		ck_assert_int_eq(id, 42);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("exid");
	TCase *tc = tcase_create("exid");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_round_trip_order);
	tcase_add_test(tc, test_parse_forms);
	tcase_add_test(tc, test_parse_rejects);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
