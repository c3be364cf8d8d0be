/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_core.c: money rounding, decimal parsing, civil dates, time zones
 * and DST days, SHA-256.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/money.h"
#include "core/text.h"
#include "core/sha256.h"
#include "core/tz.h"
#include "core/banned.h"

START_TEST(test_money_rounding_modes)
{
	/* 12.345 cents = 123450 micros */
	ck_assert_int_eq(br_money_to_cents(123450, BR_ROUND_HALF_UP), 12);
	ck_assert_int_eq(br_money_to_cents(125000, BR_ROUND_HALF_UP), 13);
	ck_assert_int_eq(br_money_to_cents(-125000, BR_ROUND_HALF_UP), -13);
	ck_assert_int_eq(br_money_to_cents(125000, BR_ROUND_HALF_EVEN), 12);
	ck_assert_int_eq(br_money_to_cents(135000, BR_ROUND_HALF_EVEN), 14);
	ck_assert_int_eq(br_money_to_cents(-135000, BR_ROUND_HALF_EVEN), -14);
	ck_assert_int_eq(br_money_to_cents(129999, BR_ROUND_DOWN), 12);
	ck_assert_int_eq(br_money_to_cents(-129999, BR_ROUND_DOWN), -12);
	ck_assert_int_eq(br_money_to_cents(120001, BR_ROUND_UP), 13);
	ck_assert_int_eq(br_money_to_cents(-120001, BR_ROUND_UP), -13);
	ck_assert_int_eq(br_money_to_cents(120000, BR_ROUND_UP), 12);
}
END_TEST

START_TEST(test_money_qty_rate)
{
	int64_t m;
	struct br_error err;

	/* 1234.567 kWh at $0.123456 = $152.414703552 */
	ck_assert_int_eq(br_money_mul_qty_rate(1234567, 123456,
	    BR_ROUND_HALF_UP, &m, &err), 0);
	ck_assert_int_eq(m, 152414704); /* 1234567*123456/1000 = 152414703.552 */
	ck_assert_int_eq(br_money_to_cents(m, BR_ROUND_HALF_UP), 15241);
	ck_assert_int_eq(br_money_mul_qty_rate(INT64_MAX, 1000000,
	    BR_ROUND_HALF_UP, &m, &err), -1);
	ck_assert_int_eq(br_money_mul_ppm(100000000, 62500, BR_ROUND_HALF_UP),
	    6250000);
}
END_TEST

/* q x rate_nano half up, asserting that it fits */
static int64_t
qn(int64_t q, int64_t rate_nano)
{
	int64_t m = 0;
	struct br_error err;

	ck_assert_int_eq(br_money_mul_qty_nano(q, rate_nano, BR_ROUND_HALF_UP,
	    &m, &err), 0);
	return m;
}
#define QN(q, r) qn((q), (r))

/* quantity (milli-units) x rate (nano-dollars): half up at the micro */
START_TEST(test_money_qty_nano)
{
	int64_t m;
	struct br_error err;

	/* 156 kWh x $0.0481085 = 7.504926 exactly (6 decimals: 0.048109
	 * would give 7.505004 -> 7.51) */
	m = QN(156000, 48108500);
	ck_assert_int_eq(m, 7504926);
	ck_assert_int_eq(br_money_to_cents(m, BR_ROUND_HALF_UP), 750);
	/* exactly half a micro-dollar rounds away from zero */
	ck_assert_int_eq(QN(1000, 500), 1);		/* 0.5 -> 1 */
	ck_assert_int_eq(QN(1000, 499), 0);		/* 0.499 -> 0 */
	ck_assert_int_eq(QN(1, 1500000), 2);		/* 1.5 -> 2 */
	ck_assert_int_eq(QN(1, 2500000), 3);		/* 2.5 -> 3, not even */
	ck_assert_int_eq(QN(1, 1499999), 1);		/* 1.499999 -> 1 */
	ck_assert_int_eq(QN(3, 500000), 2);		/* 1.5 -> 2 */
	/* credits (negative rates) and negative quantities mirror */
	ck_assert_int_eq(QN(1000, -500), -1);		/* -0.5 -> -1 */
	ck_assert_int_eq(QN(1000, -499), 0);
	ck_assert_int_eq(QN(-1, 2500000), -3);
	ck_assert_int_eq(QN(-3, -500000), 2);
	ck_assert_int_eq(QN(500000, -2000000), -1000000); /* 500 x -0.002 */
	/* the largest that fits, and overflow refused (no wrap) */
	ck_assert_int_eq(QN(INT64_MAX, 1000000), INT64_MAX);
	ck_assert_int_eq(QN(INT64_MIN, 1000000), INT64_MIN);
	m = 42;
	ck_assert_int_eq(br_money_mul_qty_nano(INT64_MAX, 1000001,
	    BR_ROUND_HALF_UP, &m, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(m, 42);
	ck_assert_int_eq(br_money_mul_qty_nano(INT64_MIN, BR_RATE_MAX_NANO,
	    BR_ROUND_HALF_UP, &m, &err), -1);
	ck_assert_int_eq(br_money_mul_qty_nano(INT64_MAX, -BR_RATE_MAX_NANO,
	    BR_ROUND_HALF_UP, &m, &err), -1);
}
END_TEST

START_TEST(test_rate_parse_format_nano)
{
	int64_t v = 7;
	char buf[32];

	ck_assert_int_eq(br_rate_parse_nano("0.0481085", (size_t)-1, &v), 0);
	ck_assert_int_eq(v, 48108500);
	ck_assert_int_eq(br_rate_parse_nano("0.123456789", (size_t)-1, &v), 0);
	ck_assert_int_eq(v, 123456789);
	ck_assert_int_eq(br_rate_parse_nano("0.1234567890", (size_t)-1, &v), 0);
	ck_assert_int_eq(v, 123456789);
	ck_assert_int_eq(br_rate_parse_nano("-0.000000001", (size_t)-1, &v), 0);
	ck_assert_int_eq(v, -1);
	ck_assert_int_eq(br_rate_parse_nano("1000000", (size_t)-1, &v), 0);
	ck_assert_int_eq(v, BR_RATE_MAX_NANO);
	ck_assert_int_eq(br_rate_parse_nano("0.25x", 4, &v), 0);
	ck_assert_int_eq(v, 250000000);
	v = 7;
	ck_assert_int_eq(br_rate_parse_nano("0.1234567891", (size_t)-1, &v),
	    BR_RATE_EDECIMALS);
	ck_assert_int_eq(br_rate_parse_nano("-1.00000000050", (size_t)-1, &v),
	    BR_RATE_EDECIMALS);
	ck_assert_int_eq(br_rate_parse_nano("1000000.000000001", (size_t)-1,
	    &v), BR_RATE_ERANGE);
	ck_assert_int_eq(br_rate_parse_nano("-1000001", (size_t)-1, &v),
	    BR_RATE_ERANGE);
	ck_assert_int_eq(br_rate_parse_nano("99999999999999999999", (size_t)-1,
	    &v), BR_RATE_ERANGE);
	ck_assert_int_eq(br_rate_parse_nano("1e-3", (size_t)-1, &v),
	    BR_RATE_ESYNTAX);
	ck_assert_int_eq(br_rate_parse_nano(" 1", (size_t)-1, &v),
	    BR_RATE_ESYNTAX);
	ck_assert_int_eq(br_rate_parse_nano("1.2.3", (size_t)-1, &v),
	    BR_RATE_ESYNTAX);
	ck_assert_int_eq(br_rate_parse_nano(".", (size_t)-1, &v),
	    BR_RATE_ESYNTAX);
	ck_assert_int_eq(br_rate_parse_nano("", (size_t)-1, &v),
	    BR_RATE_ESYNTAX);
	ck_assert_int_eq(br_rate_parse_nano("1\0", 2, &v), BR_RATE_ESYNTAX);
	ck_assert_int_eq(v, 7);

	/* at least 6 decimals; up to 9 with trailing zeros past 6 trimmed */
	ck_assert_str_eq(br_rate_format_nano(120000000, buf, sizeof(buf)),
	    "0.120000");
	ck_assert_str_eq(br_rate_format_nano(48108500, buf, sizeof(buf)),
	    "0.0481085");
	ck_assert_str_eq(br_rate_format_nano(123456789, buf, sizeof(buf)),
	    "0.123456789");
	ck_assert_str_eq(br_rate_format_nano(1, buf, sizeof(buf)),
	    "0.000000001");
	ck_assert_str_eq(br_rate_format_nano(-2000000, buf, sizeof(buf)),
	    "-0.002000");
	ck_assert_str_eq(br_rate_format_nano(0, buf, sizeof(buf)), "0.000000");
	ck_assert_str_eq(br_rate_format_nano(12500000000, buf, sizeof(buf)),
	    "12.500000");
	ck_assert_str_eq(br_rate_format_nano(-BR_RATE_MAX_NANO, buf,
	    sizeof(buf)), "-1000000.000000");
	ck_assert_int_eq(br_rate_nano_to_micro(48108500), 48109);
	ck_assert_int_eq(br_rate_nano_to_micro(-48108500), -48109);
	ck_assert_int_eq(br_rate_nano_to_micro(48108499), 48108);
}
END_TEST

START_TEST(test_money_decimal_parse_format)
{
	int64_t v;
	char buf[32];

	ck_assert_int_eq(br_decimal_parse("12.5", (size_t)-1, 3, &v), 0);
	ck_assert_int_eq(v, 12500);
	ck_assert_int_eq(br_decimal_parse("-0.001", (size_t)-1, 3, &v), 0);
	ck_assert_int_eq(v, -1);
	ck_assert_int_eq(br_decimal_parse("1.2340", (size_t)-1, 3, &v), 0);
	ck_assert_int_eq(v, 1234);
	ck_assert_int_eq(br_decimal_parse("1.2345", (size_t)-1, 3, &v), -1);
	ck_assert_int_eq(br_decimal_parse("1e3", (size_t)-1, 3, &v), -1);
	ck_assert_int_eq(br_decimal_parse("", (size_t)-1, 3, &v), -1);
	ck_assert_int_eq(br_decimal_parse(".", (size_t)-1, 3, &v), -1);
	ck_assert_int_eq(br_decimal_parse(" 1", (size_t)-1, 3, &v), -1);
	ck_assert_int_eq(br_decimal_parse("99999999999999999999", (size_t)-1,
	    3, &v), -1);
	/* br_int_format: "%lld" without snprintf, the extremes included */
	{
		static const int64_t in[] = { 0, 7, -7, 1234567890,
		    INT64_MAX, INT64_MIN };
		char got[24], want[24];
		size_t i;

		for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
			got[br_int_format(got, in[i])] = '\0';
			snprintf(want, sizeof(want), "%lld", (long long)in[i]);
			ck_assert_str_eq(got, want);
		}
	}
	/* br_int_parse: whole numbers in an explicit range, no saturation */
	ck_assert_int_eq(br_int_parse("-12", (size_t)-1, -12, 12, &v), 0);
	ck_assert_int_eq(v, -12);
	ck_assert_int_eq(br_int_parse("+12", (size_t)-1, -12, 12, &v), 0);
	ck_assert_int_eq(br_int_parse("13", (size_t)-1, -12, 12, &v), -1);
	ck_assert_int_eq(br_int_parse("2147483648", (size_t)-1, -12, 12, &v),
	    -1);
	ck_assert_int_eq(br_int_parse("-9223372036854775808", (size_t)-1,
	    INT64_MIN, INT64_MAX, &v), 0);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(br_int_parse("9223372036854775808", (size_t)-1,
	    INT64_MIN, INT64_MAX, &v), -1);
	ck_assert_int_eq(br_int_parse("1.0", (size_t)-1, 0, 9, &v), -1);
	ck_assert_int_eq(br_int_parse("-", (size_t)-1, -9, 9, &v), -1);
	ck_assert_int_eq(br_int_parse("10\0999", 6, 0, 99999, &v), -1);
	ck_assert_int_eq(br_int_parse("10\0999", 2, 0, 99999, &v), 0);
	ck_assert_int_eq(v, 10);
	/* br_utf8_check: well-formed UTF-8 only */
	ck_assert_uint_eq(br_utf8_check("a\xc3\xa9\xe2\x82\xac\xf0\x9f"
	    "\x98\x80", 10), 10);
	ck_assert_uint_eq(br_utf8_check("ab\xe9", 3), 2);	/* Latin-1 */
	ck_assert_uint_eq(br_utf8_check("\xc0\xaf", 2), 0);	/* overlong */
	ck_assert_uint_eq(br_utf8_check("\xed\xa0\x80", 3), 0); /* surrogate */
	ck_assert_uint_eq(br_utf8_check("\xf4\x90\x80\x80", 4), 0);
	ck_assert_uint_eq(br_utf8_check("x\xe2\x82", 3), 1);	/* cut */
	ck_assert(br_text_has_control("a\nb", 3));
	ck_assert(!br_text_has_control("a b\xc3\xa9", 5));
	ck_assert_str_eq(br_cents_format(-5, buf, sizeof(buf)), "-0.05");
	ck_assert_str_eq(br_cents_format(123456, buf, sizeof(buf)), "1234.56");
	ck_assert_str_eq(br_decimal_format(1500, 3, 3, buf, sizeof(buf)),
	    "1.500");
}
END_TEST

START_TEST(test_date_civil)
{
	int y, m, d;
	int32_t days;
	char buf[16];

	ck_assert_int_eq(br_date_days(1970, 1, 1), 0);
	ck_assert_int_eq(br_date_days(2000, 3, 1), 11017);
	br_date_civil(br_date_days(2024, 2, 29), &y, &m, &d);
	ck_assert_int_eq(y * 10000 + m * 100 + d, 20240229);
	ck_assert_int_eq(br_date_weekday(br_date_days(2026, 11, 25)), 3);
	ck_assert_int_eq(br_date_weekday(br_date_days(1969, 12, 27)), 6);
	ck_assert_int_eq(br_date_parse("2023-02-29", (size_t)-1, &days), -1);
	ck_assert_int_eq(br_date_parse("2024-02-29", (size_t)-1, &days), 0);
	ck_assert_str_eq(br_date_format(days, buf, sizeof(buf)), "2024-02-29");
}
END_TEST

START_TEST(test_time_parse)
{
	int64_t t;
	bool z;
	char buf[32];

	ck_assert_int_eq(br_time_parse("2026-03-08T02:15:00-05:00",
	    (size_t)-1, &t, &z), 0);
	ck_assert(z);
	ck_assert_str_eq(br_time_format_utc(t, buf, sizeof(buf)),
	    "2026-03-08T07:15:00Z");
	ck_assert_int_eq(br_time_parse("2026-03-08 02:15", (size_t)-1, &t, &z),
	    0);
	ck_assert(!z);
	ck_assert_int_eq(br_time_parse("2026-03-08T25:00", (size_t)-1, &t, &z),
	    -1);
}
END_TEST

static void
check_zone(const char *name)
{
	struct br_tz tz;
	struct br_error err;
	int32_t d;
	int64_t t;

	ck_assert_msg(br_tz_load(&tz, name, &err) == 0, "%s", err.msg);
	/* US DST 2026: starts 2026-03-08, ends 2026-11-01. */
	d = br_date_days(2026, 3, 8);
	ck_assert_int_eq(br_tz_day_length(&tz, d), 82800);
	ck_assert_int_eq(br_tz_day_length(&tz, d) / 900, 92);
	ck_assert_int_eq(br_tz_day_length(&tz, br_date_days(2026, 11, 1)),
	    90000);
	ck_assert_int_eq(br_tz_day_length(&tz, br_date_days(2026, 7, 4)),
	    86400);
	/* Local midnight of 2026-07-04 CDT is 05:00Z. */
	ck_assert_int_eq(br_tz_day_start(&tz, br_date_days(2026, 7, 4)),
	    (int64_t)br_date_days(2026, 7, 4) * 86400 + 5 * 3600);
	ck_assert_int_eq(br_tz_offset(&tz,
	    (int64_t)br_date_days(2026, 1, 15) * 86400), -6 * 3600);
	/* 02:30 on spring-forward day does not exist; 01:30 on fall-back
	 * day is ambiguous. */
	ck_assert_int_eq(br_tz_local_to_utc(&tz,
	    (int64_t)br_date_days(2026, 3, 8) * 86400 + 9000, false, &t), -1);
	ck_assert_int_eq(br_tz_local_to_utc(&tz,
	    (int64_t)br_date_days(2026, 11, 1) * 86400 + 5400, false, &t), 1);
	ck_assert_int_eq(t, (int64_t)br_date_days(2026, 11, 1) * 86400 +
	    5400 + 5 * 3600);
	ck_assert_int_eq(br_tz_local_to_utc(&tz,
	    (int64_t)br_date_days(2026, 11, 1) * 86400 + 5400, true, &t), 1);
	ck_assert_int_eq(t, (int64_t)br_date_days(2026, 11, 1) * 86400 +
	    5400 + 6 * 3600);
	/* Far future: the POSIX rule carries on (2040-03-11 is DST start). */
	ck_assert_int_eq(br_tz_day_length(&tz, br_date_days(2040, 3, 11)),
	    82800);
	br_tz_release(&tz);
}

/* The cached parser agrees with br_time_parse on a run of stamps where
 * the date repeats, changes, and is malformed after a good one. */
START_TEST(test_time_parse_cached)
{
	static const char *const stamps[] = {
		"2026-10-01T00:00:00Z", "2026-10-01T00:15:00Z",
		"2026-10-01T23:45:00-05:00", "2026-10-01T24:00",
		"2026-10-01T24:15", "2026-10-01X00:00", "2026-10-01 01:00+0130",
		"2026-10-02T00:00:00Z", "2026-10-02", "2026-10-02T00:0",
		"2026-02-30T00:00Z", "2026-10-02T00:00:00+19:00",
		"2028-02-29T12:00:00+05", "2028-02-29T12:00:00+05:",
		"2026-10-02T00:00:00Z", "2026-1O-02T00:00:00Z",
		"2026-10-02T00:00:00Z"
	};
	struct br_time_cache tc;
	size_t i;

	memset(&tc, 0, sizeof(tc));
	for (i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
		int64_t t1 = -1, t2 = -1;
		bool z1 = false, z2 = false;
		int r1 = br_time_parse(stamps[i], (size_t)-1, &t1, &z1);
		int r2 = br_time_parse_cached(&tc, stamps[i], (size_t)-1, &t2,
		    &z2);
		ck_assert_msg(r1 == r2, "%s: %d vs %d", stamps[i], r1, r2);
		if (r1 == 0) {
			ck_assert_int_eq(t1, t2);
			ck_assert_int_eq(z1, z2);
		}
	}
}
END_TEST

START_TEST(test_tz_chicago_file)
{
	check_zone("America/Chicago");
}
END_TEST

START_TEST(test_tz_posix_rule)
{
	check_zone("CST6CDT,M3.2.0,M11.1.0");
}
END_TEST

START_TEST(test_tz_fixed_and_bad)
{
	struct br_tz tz;
	struct br_error err;

	ck_assert_int_eq(br_tz_load(&tz, "UTC", &err), 0);
	ck_assert_int_eq(br_tz_day_length(&tz, br_date_days(2026, 3, 8)),
	    86400);
	br_tz_release(&tz);
	ck_assert_int_eq(br_tz_load(&tz, "Australia/Brisbane", &err), 0);
	ck_assert_int_eq(br_tz_offset(&tz, 1700000000), 36000);
	br_tz_release(&tz);
	ck_assert_int_eq(br_tz_load(&tz, "Nowhere/Atlantis", &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
}
END_TEST

START_TEST(test_sha256_vectors)
{
	struct br_sha256 s;
	char hex[65];
	char big[1000];

	br_sha256_init(&s);
	br_sha256_update(&s, "abc", 3);
	br_sha256_final_hex(&s, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	br_sha256_init(&s);
	br_sha256_final_hex(&s, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	memset(big, 'a', sizeof(big));
	br_sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		br_sha256_update(&s, big, sizeof(big));
	br_sha256_final_hex(&s, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_money_rounding_modes);
	tcase_add_test(tc, test_money_qty_rate);
	tcase_add_test(tc, test_money_qty_nano);
	tcase_add_test(tc, test_rate_parse_format_nano);
	tcase_add_test(tc, test_money_decimal_parse_format);
	tcase_add_test(tc, test_date_civil);
	tcase_add_test(tc, test_time_parse);
	tcase_add_test(tc, test_time_parse_cached);
	tcase_add_test(tc, test_tz_chicago_file);
	tcase_add_test(tc, test_tz_posix_rule);
	tcase_add_test(tc, test_tz_fixed_and_bad);
	tcase_add_test(tc, test_sha256_vectors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
