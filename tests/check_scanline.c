/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_scanline.c: check-digit schemes against the vectors in
 * samples/payments/synthetic/check-digit-vectors.tsv (read when present,
 * and the same values inline for CI), and scan line build/parse.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/scanline.h"
#include "fixture.h"
#include "core/banned.h"

START_TEST(test_inline_vectors)
{
	static const char creditron[] =
	    "00345678901110296000000000010000000001000";

	ck_assert_int_eq(br_mod10_digit("7992739871", 10, BR_MOD10_RIGHT), 3);
	ck_assert_int_eq(br_mod10_digit(creditron, strlen(creditron),
	    BR_MOD10_LEFT), 8);
	ck_assert_int_eq(br_mod11_digit("0012345678", 10), 5);
	ck_assert_int_eq(br_mod11_digit("1000010100", 10), 7);
	ck_assert_int_eq(br_mod11_digit("0000000001", 10), 9);
	ck_assert_int_eq(br_aba_valid("021000021"), 1);
	ck_assert_int_eq(br_aba_valid("091000019"), 1);
	ck_assert_int_eq(br_aba_valid("231380104"), 1);
	ck_assert_int_eq(br_aba_valid("121042882"), 1);
	ck_assert_int_eq(br_aba_valid("231380105"), 0);
	ck_assert_int_eq(br_aba_valid("23138010X"), 0);
	ck_assert_int_eq(br_mod10_digit("12a", 3, BR_MOD10_LEFT), -1);
	ck_assert_int_eq(br_mod10_digit("", 0, BR_MOD10_LEFT), -1);
	ck_assert_int_eq(br_mod11_digit("", 0), -1);
}
END_TEST

START_TEST(test_vector_file)
{
	char path[1024], line[512], scheme[64], input[128], want[32];
	FILE *f;
	int checked = 0, d;
	const char *dir = fx_samples_dir("check_scanline",
	    "payments/synthetic");

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/check-digit-vectors.tsv", dir);
	if ((f = fopen(path, "r")) == NULL) {
		printf("check_scanline: %s not found, vector file skipped\n",
		    path);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *t1, *t2, *t3;

		if (line[0] == '#' || (t1 = strchr(line, '\t')) == NULL)
			continue;
		*t1++ = '\0';
		if ((t2 = strchr(t1, '\t')) == NULL)
			continue;
		*t2++ = '\0';
		if ((t3 = strchr(t2, '\t')) != NULL)
			*t3 = '\0';
		snprintf(scheme, sizeof(scheme), "%.63s", line);
		snprintf(input, sizeof(input), "%.127s", t1);
		snprintf(want, sizeof(want), "%.31s", t2);
		if (strcmp(scheme, "LUHN_MOD10_RIGHT") == 0)
			d = br_mod10_digit(input, strlen(input),
			    BR_MOD10_RIGHT);
		else if (strcmp(scheme, "MOD10_W21_LEFT_DIGITSUM") == 0)
			d = br_mod10_digit(input, strlen(input), BR_MOD10_LEFT);
		else if (strcmp(scheme, "MOD11_W2TO7_RIGHT") == 0)
			d = br_mod11_digit(input, strlen(input));
		else if (strcmp(scheme, "ABA_3_7_1") == 0) {
			ck_assert_msg(br_aba_valid(input) ==
			    (strcmp(want, "VALID") == 0), "ABA %s", input);
			checked++;
			continue;
		} else
			continue;	/* RF mod 97, Swiss recursive: unused */
		ck_assert_msg(d == want[0] - '0' && want[1] == '\0',
		    "%s %s: got %d want %s", scheme, input, d, want);
		checked++;
	}
	fclose(f);
	ck_assert_int_ge(checked, 10);
}
END_TEST

START_TEST(test_scanline_build_parse)
{
	char out[BR_SCANLINE_LEN + 1], acct[11];
	int64_t amt;
	struct br_error err;

	br_error_clear(&err);
	ck_assert_int_eq(br_scanline_build("1001", 12345, out, &err), 0);
	ck_assert_str_eq(out, "000000100100000123456");
	ck_assert_int_eq(br_scanline_parse(out, strlen(out), acct, &amt,
	    &err), 0);
	ck_assert_str_eq(acct, "1001");
	ck_assert_int_eq(amt, 12345);
	/* Spaces around are fine. */
	ck_assert_int_eq(br_scanline_parse("  000000100100000123456 ", 24,
	    acct, &amt, &err), 0);
	/* Full-width account, maximum amount, all zero. */
	ck_assert_int_eq(br_scanline_build("9876543210", INT64_C(9999999999),
	    out, &err), 0);
	ck_assert_int_eq(br_scanline_parse(out, strlen(out), acct, &amt,
	    &err), 0);
	ck_assert_str_eq(acct, "9876543210");
	ck_assert_int_eq(amt, INT64_C(9999999999));
	ck_assert_int_eq(br_scanline_build("0", 0, out, &err), 0);
	ck_assert_str_eq(out, "000000000000000000000");
	ck_assert_int_eq(br_scanline_parse(out, strlen(out), acct, &amt,
	    &err), 0);
	ck_assert_str_eq(acct, "0");

	/* Every single-digit error is caught by mod 10. */
	ck_assert_int_eq(br_scanline_build("4411", 9900, out, &err), 0);
	for (int i = 0; i < BR_SCANLINE_LEN; i++) {
		char bad[BR_SCANLINE_LEN + 1];

		memcpy(bad, out, sizeof(bad));
		bad[i] = (char)('0' + (bad[i] - '0' + 1) % 10);
		ck_assert_int_eq(br_scanline_parse(bad, BR_SCANLINE_LEN, acct,
		    &amt, &err), -1);
	}
	ck_assert_int_eq(br_scanline_parse("000000100100000123457", 21, acct,
	    &amt, &err), -1);
	ck_assert_str_eq(err.msg, "scan line: check digit 7 does not match "
	    "computed 6");
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(br_scanline_parse("00000010010000012345", 20, acct,
	    &amt, &err), -1);
	ck_assert_str_eq(err.msg, "scan line: length 20, expected 21 digits");
	ck_assert_int_eq(br_scanline_parse("0000001001000001234 6", 21, acct,
	    &amt, &err), -1);
	ck_assert_str_eq(err.msg, "scan line: character 20 is not a digit");
	ck_assert_int_eq(br_scanline_build("12345678901", 1, out, &err), -1);
	ck_assert_int_eq(br_scanline_build("", 1, out, &err), -1);
	ck_assert_int_eq(br_scanline_build("12A4", 1, out, &err), -1);
	ck_assert_int_eq(br_scanline_build("1", -1, out, &err), -1);
	ck_assert_int_eq(br_scanline_build("1", INT64_C(10000000000), out,
	    &err), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("scanline");
	TCase *tc = tcase_create("scanline");
	TCase *ts = tcase_create("samples");

	tcase_add_test(tc, test_inline_vectors);
	tcase_add_test(ts, test_vector_file);
	tcase_add_test(tc, test_scanline_build_parse);
	suite_add_tcase(s, tc);
	tcase_set_tags(ts, "samples");
	suite_add_tcase(s, ts);
	return fx_run(s);
}
