/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_regcheck.c: registry-check's meter id normalization (duplicate
 * ids by case, zero padding and vendor prefix) and that distinct ids
 * stay distinct.  The findings themselves are golden cases
 * (testdata/cases/registry-check).
 */
#include <check.h>
#include <stdlib.h>

#include "report/regcheck.h"

static const char *
norm(const char *id)
{
	static char buf[64];

	br_regcheck_normalize_id(id, buf, sizeof(buf));
	return buf;
}

START_TEST(test_normalize_duplicates)
{
	ck_assert_str_eq(norm("M000006"), "6");
	ck_assert_str_eq(norm("00000006"), "6");
	ck_assert_str_eq(norm("6"), "6");
	ck_assert_str_eq(norm("LG-0012345"), "12345");
	ck_assert_str_eq(norm("itron:12345"), "12345");
	ck_assert_str_eq(norm("ab12cd"), "AB12CD");
	ck_assert_str_eq(norm("Ab12Cd"), "AB12CD");
	ck_assert_str_eq(norm("0"), "0");
	ck_assert_str_eq(norm(""), "");
}
END_TEST

START_TEST(test_normalize_keeps_distinct)
{
	/* Short ids keep their letters: M1 and W1 are two meters. */
	ck_assert_str_eq(norm("M1"), "M1");
	ck_assert_str_eq(norm("W1"), "W1");
	ck_assert_str_eq(norm("M000060"), "60");
	/* A long letter prefix is not a vendor prefix. */
	ck_assert_str_eq(norm("METERX12345"), "METERX12345");
	/* Inner zeros and mixed ids are kept. */
	ck_assert_str_eq(norm("E100200"), "100200");
	ck_assert_str_eq(norm("0A01"), "0A01");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("regcheck");
	TCase *tc = tcase_create("normalize");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_normalize_duplicates);
	tcase_add_test(tc, test_normalize_keeps_distinct);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
