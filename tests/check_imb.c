/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_imb.c: the Intelligent Mail barcode encoder (lib/render/imb.c) against
 * the USPS-B-3200 example vectors (tracking 01234567094987654321 with
 * no ZIP, a 5-, 9- and 11-digit routing code; the same four strings are
 * in several independent implementations) and one bar string made by the
 * USPS encoder at postalpro.usps.com (barcode id 23, service type 270,
 * mailer id 592831, serial 482031240, ZIP 96713024817), plus input
 * checks.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "render/imb.h"
#include "core/banned.h"

static const struct {
	const char *tracking, *routing, *bars;
} vectors[] = {
	{ "01234567094987654321", "",
	  "ATTFATTDTTADTAATTDTDTATTDAFDDFADFDFTFFFFFTATFAAAATDFFTDAADFTFDTDT" },
	{ "01234567094987654321", "01234",
	  "DTTAFADDTTFTDTFTFDTDDADADAFADFATDDFTAAAFDTTADFAAATDFDTDFADDDTDFFT" },
	{ "01234567094987654321", "012345678",
	  "ADFTTAFDTTTTFATTADTAAATFTFTATDAAAFDDADATATDTDTTDFDTDATADADTDFFTFA" },
	{ "01234567094987654321", "01234567891",
	  "AADTFFDFTDADTAADAATFDTDDAAADDTDTTDAFADADDDTFFFDDTTTADFAAADFTDAADA" },
	{ "23270592831482031240", "96713024817",
	  "DDADATADTAATDTTTDFDTTFTFFADTFTDFTATAAFTTFATDAATATDATATFADAADDTFDT" },
};

START_TEST(test_usps_vectors)
{
	char bars[BR_IMB_BARS + 1], why[100];

	ck_assert_int_eq(br_imb_encode(vectors[_i].tracking,
	    vectors[_i].routing, bars, why, sizeof(why)), 0);
	ck_assert_str_eq(bars, vectors[_i].bars);
}
END_TEST

START_TEST(test_bad_input)
{
	char bars[BR_IMB_BARS + 1], why[100];

	ck_assert_int_eq(br_imb_encode("0123456709498765432", "", bars, why,
	    sizeof(why)), -1);
	ck_assert_str_eq(why, "tracking code must be 20 digits");
	ck_assert_int_eq(br_imb_encode("0123456709498765432X", "", bars,
	    why, sizeof(why)), -1);
	ck_assert_int_eq(br_imb_encode("05234567094987654321", "", bars,
	    why, sizeof(why)), -1);
	ck_assert_str_eq(why, "second digit of the barcode id must be 0-4");
	ck_assert_int_eq(br_imb_encode("01234567094987654321", "1234", bars,
	    why, sizeof(why)), -1);
	ck_assert_str_eq(why, "routing code must be 0, 5, 9 or 11 digits");
	ck_assert_int_eq(br_imb_encode("01234567094987654321", "6170-",
	    bars, why, sizeof(why)), -1);
}
END_TEST

/* The largest values still encode (codeword A stays in range). */
START_TEST(test_extremes)
{
	char bars[BR_IMB_BARS + 1], why[100];
	size_t i;

	ck_assert_int_eq(br_imb_encode("94999999999999999999", "99999999999",
	    bars, why, sizeof(why)), 0);
	ck_assert_uint_eq(strlen(bars), BR_IMB_BARS);
	for (i = 0; i < BR_IMB_BARS; i++)
		ck_assert(strchr("FADT", bars[i]) != NULL);
	ck_assert_int_eq(br_imb_encode("00000000000000000000", "", bars,
	    why, sizeof(why)), 0);
	ck_assert_uint_eq(strlen(bars), BR_IMB_BARS);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("imb");
	TCase *tc = tcase_create("imb");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_usps_vectors, 0,
	    (int)(sizeof(vectors) / sizeof(vectors[0])));
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_extremes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
