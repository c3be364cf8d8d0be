/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_rate.c: hand-computed bills from the rating engine: flat, tiered
 * across tiers, seasonal split, TOU with weekends and a holiday, demand,
 * the 100-slot DST day (15-minute, half-hourly and hourly), leap-day
 * February and the rounding modes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "core/money.h"
#include "rate/rate.h"
#include "store/store.h"
#include "rate/tariff.h"
#include "core/tz.h"
#include "fixture.h"
#include "core/banned.h"

static struct br_tz tz;

static void
setup(void)
{
	struct br_error err;

	if (br_tz_load(&tz, "America/Chicago", &err) != 0)
		ck_abort_msg("tz: %s", err.msg);
}

static void
teardown(void)
{
	br_tz_release(&tz);
}

static void
load(const char *code, struct br_tariff *t)
{
	struct br_error err;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/rates", fx_srcdir());
	if (br_tariff_load_code(t, dir, code, &err) != 0)
		ck_abort_msg("%s: %s", code, err.msg);
}

static void
load_text(const char *text, struct br_tariff *t)
{
	const char *path = fx_tmpfile("/tmp/check_rate_XXXXXX", text);
	struct br_error err;

	if (br_tariff_load(t, path, &err) != 0)
		ck_abort_msg("%s:%ld: %s", path, err.line, err.msg);
	unlink(path);
}

/* One meter's days first..last, every slot = per_slot milli-units. */
struct days {
	struct br_interval_day *v;
	size_t n;
};

static void
make_days(struct days *d, int32_t first, int32_t last, int64_t per_slot)
{
	int32_t day, i;

	d->n = (size_t)(last - first + 1);
	d->v = calloc(d->n, sizeof(*d->v));
	for (day = first; day <= last; day++) {
		struct br_interval_day *x = &d->v[day - first];
		snprintf(x->meter_id, sizeof(x->meter_id), "M1");
		x->channel = BR_CHANNEL_DELIVERED;
		x->day = day;
		x->interval_s = 900;
		x->n = br_tz_day_length(&tz, day) / 900;
		x->values = calloc((size_t)x->n, sizeof(int64_t));
		x->quality = calloc((size_t)x->n, 1);
		for (i = 0; i < x->n; i++)
			x->values[i] = per_slot;
	}
}

static void
free_days(struct days *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].values);
		free(d->v[i].quality);
	}
	free(d->v);
}

/* Rate and return the bill total in cents; lines left in out. */
static int64_t
rate(const struct br_tariff *t, int32_t pfirst, int32_t plast,
    int32_t sfirst, int32_t slast, const struct days *d,
    struct br_rate_lines *out)
{
	struct br_rate_cache cache;
	struct br_rate_input in;
	struct br_error err;
	int64_t total = 0;
	size_t i;

	ck_assert_int_eq(br_rate_cache_init(&cache, &tz, pfirst, plast, &err),
	    0);
	memset(&in, 0, sizeof(in));
	memset(out, 0, sizeof(*out));
	in.tariff = t;
	in.cache = &cache;
	in.period_first = pfirst;
	in.period_last = plast;
	in.service_first = sfirst;
	in.service_last = slast;
	in.days = d->v;
	in.ndays = d->n;
	if (br_rate_compute(&in, out, &err) != 0)
		ck_abort_msg("rate: %s", err.msg);
	for (i = 0; i < out->n; i++)
		total += out->v[i].amount_cents;
	br_rate_cache_release(&cache);
	return total;
}

static const struct br_rate_line *
line(const struct br_rate_lines *l, const char *code, int nth)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].code, code) == 0 && nth-- == 0)
			return &l->v[i];
	ck_abort_msg("no line %s", code);
	return NULL;
}

#define D(y, m, d) br_date_days(y, m, d)

START_TEST(test_flat)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;
	int64_t use = 0, est = 0, miss = 0;

	load("RES-FLAT", &t);
	/* Oct 2026: 31 days x 96 slots x 0.250 kWh = 744 kWh, but one slot
	 * missing and one estimated at 0.500 */
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 250);
	d.v[3].quality[10] = BR_Q_MISSING;
	d.v[3].values[10] = 0;
	d.v[4].quality[11] = BR_Q_ESTIMATED;
	d.v[4].values[11] = 500;
	br_rate_day_usage(&d.v[3], &use, &est, &miss);
	br_rate_day_usage(&d.v[4], &use, &est, &miss);
	ck_assert_int_eq(use, 95 * 250 + 95 * 250 + 500);
	ck_assert_int_eq(est, 500);
	ck_assert_int_eq(miss, 1);
	/* 744 - 0.25 + 0.25 = 744.000 kWh x 0.1325 = 98.58 */
	ck_assert_int_eq(rate(&t, D(2026, 10, 1), D(2026, 10, 31),
	    D(2026, 10, 1), D(2026, 10, 31), &d, &l), 1200 + 9858);
	ck_assert_int_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].code, "CUSTOMER");
	ck_assert_int_eq(l.v[0].amount_cents, 1200);
	ck_assert_str_eq(l.v[1].code, "ENERGY");
	ck_assert_int_eq(l.v[1].quantity_milli, 744000);
	ck_assert_int_eq(l.v[1].rate_micro, 132500);
	ck_assert_str_eq(l.v[1].trace, "energy: 744.000 kWh x 0.132500 = "
	    "98.580000 -> 98.58 (half_up); RES-FLAT ENERGY; version "
	    "2026-01-01");
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_tiered)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;

	load("RES-TIER", &t);
	/* 40 kWh a day = 1240 kWh in October (winter):
	 * 500 x 0.11 = 55.00, 500 x 0.135 = 67.50, 240 x 0.16 = 38.40 */
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 0);
	for (size_t i = 0; i < d.n; i++)
		d.v[i].values[0] = 40000;
	ck_assert_int_eq(rate(&t, D(2026, 10, 1), D(2026, 10, 31),
	    D(2026, 10, 1), D(2026, 10, 31), &d, &l),
	    1000 + 5500 + 6750 + 3840);
	ck_assert_int_eq(line(&l, "ENERGY_T1", 0)->quantity_milli, 500000);
	ck_assert_int_eq(line(&l, "ENERGY_T2", 0)->quantity_milli, 500000);
	ck_assert_int_eq(line(&l, "ENERGY_T3", 0)->quantity_milli, 240000);
	ck_assert_str_eq(line(&l, "ENERGY_T1", 0)->trace, "tier 1 "
	    "(0.000-500.000 prorated): 500.000 kWh x 0.110000 = 55.000000 -> "
	    "55.00 (half_up); RES-TIER ENERGY_T1; version 2026-01-01; season "
	    "winter");
	br_rate_lines_release(&l);
	free_days(&d);

	/* July (summer): 60.00 + 75.00 + 43.20 + 10.00 */
	make_days(&d, D(2026, 7, 1), D(2026, 7, 31), 0);
	for (size_t i = 0; i < d.n; i++)
		d.v[i].values[0] = 40000;
	ck_assert_int_eq(rate(&t, D(2026, 7, 1), D(2026, 7, 31),
	    D(2026, 7, 1), D(2026, 7, 31), &d, &l), 1000 + 6000 + 7500 + 4320);
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_season_split)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;

	load("RES-TIER", &t);
	/* Sep 16 .. Oct 15 (30 days), 20 kWh a day.  Summer Sep 16-30:
	 * customer 10 x 15/30 = 5.00; limit 500 x 15/30 = 250: 250 x 0.12 =
	 * 30.00, 50 x 0.15 = 7.50.  Winter Oct 1-15: customer 5.00; limit
	 * 500 x 15/31 = 241.935: 241.935 x 0.11 = 26.61285 -> 26.61,
	 * 58.065 x 0.135 = 7.838775 -> 7.84. */
	make_days(&d, D(2026, 9, 16), D(2026, 10, 15), 0);
	for (size_t i = 0; i < d.n; i++)
		d.v[i].values[5] = 20000;
	ck_assert_int_eq(rate(&t, D(2026, 9, 16), D(2026, 10, 15),
	    D(2026, 9, 16), D(2026, 10, 15), &d, &l),
	    500 + 3000 + 750 + 500 + 2661 + 784);
	ck_assert_int_eq(l.n, 6);
	ck_assert_int_eq(line(&l, "ENERGY_T1", 1)->quantity_milli, 241935);
	ck_assert_int_eq(line(&l, "ENERGY_T2", 1)->quantity_milli, 58065);
	ck_assert_str_eq(line(&l, "ENERGY_T1", 1)->description,
	    "Energy tier 1 (0.000-241.935 kWh), winter");
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_tou_weekend_holiday_dst)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;

	load("RES-TOU", &t);
	/* October 2026: 22 weekdays, 9 weekend days, 0.1 kWh a slot.
	 * on-peak 22 x 20 x 0.1 = 44 kWh x 0.165 = 7.26;
	 * off-peak 297.6 - 44 = 253.6 x 0.09 = 22.824 -> 22.82 */
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 100);
	ck_assert_int_eq(rate(&t, D(2026, 10, 1), D(2026, 10, 31),
	    D(2026, 10, 1), D(2026, 10, 31), &d, &l), 1400 + 726 + 2282);
	ck_assert_int_eq(line(&l, "ENERGY_ON_PEAK", 0)->quantity_milli, 44000);
	ck_assert_int_eq(line(&l, "ENERGY_OFF_PEAK", 0)->quantity_milli,
	    253600);
	br_rate_lines_release(&l);
	free_days(&d);

	/* November 2026: Nov 1 (Sunday) has 100 slots; Thanksgiving Nov 26
	 * is a holiday: 20 weekdays.  2884 slots = 288.4 kWh; on-peak 40 kWh
	 * x 0.165 = 6.60; off 248.4 x 0.09 = 22.356 -> 22.36 */
	make_days(&d, D(2026, 11, 1), D(2026, 11, 30), 100);
	ck_assert_int_eq(d.v[0].n, 100);
	ck_assert_int_eq(rate(&t, D(2026, 11, 1), D(2026, 11, 30),
	    D(2026, 11, 1), D(2026, 11, 30), &d, &l), 1400 + 660 + 2236);
	ck_assert_int_eq(line(&l, "ENERGY_OFF_PEAK", 0)->quantity_milli,
	    248400);
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_dst_quarters)
{
	struct br_rate_cache c;
	struct br_error err;
	const uint8_t *q;
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;

	/* Nov 1 2026: 00:00 CDT .. 01:45 CDT, 01:00 CST .. 23:45 CST */
	ck_assert_int_eq(br_rate_cache_init(&c, &tz, D(2026, 11, 1),
	    D(2026, 11, 2), &err), 0);
	ck_assert_int_eq(c.nslots[0], 100);
	ck_assert_int_eq(c.nslots[1], 96);
	q = c.quarter;
	ck_assert_int_eq(q[0], 0);
	ck_assert_int_eq(q[7], 7);
	ck_assert_int_eq(q[8], 4);
	ck_assert_int_eq(q[12], 8);
	ck_assert_int_eq(q[99], 95);
	br_rate_cache_release(&c);

	/* Every day on-peak 01:00-02:00: on Nov 1 that hour happens twice */
	load_text("code: X\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - periods:\n"
	    "          - {name: night, hours: \"01:00-02:00\", rate: 0.5}\n"
	    "          - {name: other, rate: 0.1}\n", &t);
	make_days(&d, D(2026, 11, 1), D(2026, 11, 1), 1000);
	rate(&t, D(2026, 11, 1), D(2026, 11, 1), D(2026, 11, 1),
	    D(2026, 11, 1), &d, &l);
	ck_assert_int_eq(line(&l, "ENERGY_NIGHT", 0)->quantity_milli, 8000);
	ck_assert_int_eq(line(&l, "ENERGY_OTHER", 0)->quantity_milli, 92000);
	ck_assert_int_eq(line(&l, "ENERGY_NIGHT", 0)->amount_cents, 400);
	br_rate_lines_release(&l);
	free_days(&d);

	/* Hourly (and half-hourly) days read their quarters from the
	 * 15-minute cache: Nov 1 has 25 hours, 01:00 twice; Nov 2 24. */
	make_days(&d, D(2026, 11, 1), D(2026, 11, 2), 0);
	for (size_t k = 0; k < d.n; k++) {
		int32_t step = k == 0 ? 4 : 2;
		d.v[k].interval_s = 900 * step;
		d.v[k].n /= step;
		for (int32_t i = 0; i < d.v[k].n; i++)
			d.v[k].values[i] = 1000 * step / 4;
	}
	ck_assert_int_eq(d.v[0].n, 25);
	ck_assert_int_eq(d.v[1].n, 48);
	rate(&t, D(2026, 11, 1), D(2026, 11, 2), D(2026, 11, 1),
	    D(2026, 11, 2), &d, &l);
	/* Nov 1: 2 x 1 kWh at night, 23 other; Nov 2: 2 x 0.5, 46 x 0.5 */
	ck_assert_int_eq(line(&l, "ENERGY_NIGHT", 0)->quantity_milli, 3000);
	ck_assert_int_eq(line(&l, "ENERGY_OTHER", 0)->quantity_milli, 46000);
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_demand)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;

	load("GS-DEMAND", &t);
	/* 1 kWh per slot (4 kW) and one 3.086 kWh slot (12.344 kW) on
	 * Oct 14 at local 19:15 (00:15Z Oct 15).  Energy 2976 - 1 + 3.086 =
	 * 2978.086 kWh x 0.085 = 253.13731 -> 253.14; demand 12.344 x 12.50
	 * = 154.30; customer 35.00 */
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 1000);
	d.v[13].values[77] = 3086;
	ck_assert_int_eq(rate(&t, D(2026, 10, 1), D(2026, 10, 31),
	    D(2026, 10, 1), D(2026, 10, 31), &d, &l), 3500 + 25314 + 15430);
	ck_assert_int_eq(line(&l, "DEMAND", 0)->quantity_milli, 12344);
	ck_assert_str_eq(line(&l, "DEMAND", 0)->unit, "kW");
	ck_assert_str_eq(line(&l, "DEMAND", 0)->trace, "demand: max 15-min "
	    "12.344 kW (2026-10-15T00:15:00Z) x 12.500000 = 154.300000 -> "
	    "154.30 (half_up); GS-DEMAND DEMAND; version 2026-01-01");
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_leap_february)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;

	load("RES-TIER", &t);
	/* Feb 2028 (29 days) x 20 kWh = 580: 55.00 + 80 x 0.135 = 10.80 */
	make_days(&d, D(2028, 2, 1), D(2028, 2, 29), 0);
	for (size_t i = 0; i < d.n; i++)
		d.v[i].values[40] = 20000;
	ck_assert_int_eq(rate(&t, D(2028, 2, 1), D(2028, 2, 29),
	    D(2028, 2, 1), D(2028, 2, 29), &d, &l), 1000 + 5500 + 1080);
	br_rate_lines_release(&l);
	/* service from Feb 15 (15 days): customer 10 x 15/29 = 5.17;
	 * limit 500 x 15/29 = 258.621: x 0.11 = 28.44831 -> 28.45;
	 * 300 - 258.621 = 41.379 x 0.135 = 5.586165 -> 5.59 */
	ck_assert_int_eq(rate(&t, D(2028, 2, 1), D(2028, 2, 29),
	    D(2028, 2, 15), D(2028, 2, 29), &d, &l), 517 + 2845 + 559);
	ck_assert_int_eq(line(&l, "ENERGY_T1", 0)->quantity_milli, 258621);
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_rounding_modes)
{
	static const char *const modes[] = { "half_up", "half_even", "down",
	    "up" };
	/* 1.000 kWh x 0.125 = 0.125000; 3 kWh: 0.375; customer 0 */
	static const int64_t want1[] = { 13, 12, 12, 13 };
	static const int64_t want3[] = { 38, 38, 37, 38 };
	char text[512];
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(text, sizeof(text), "code: R\nunit: kWh\n"
		    "rounding: %s\nversions:\n  - effective: 2026-01-01\n"
		    "    energy: [{rate: 0.125}]\n", modes[i]);
		load_text(text, &t);
		make_days(&d, D(2026, 10, 1), D(2026, 10, 1), 0);
		d.v[0].values[0] = 1000;
		ck_assert_int_eq(rate(&t, D(2026, 10, 1), D(2026, 10, 1),
		    D(2026, 10, 1), D(2026, 10, 1), &d, &l), want1[i]);
		br_rate_lines_release(&l);
		d.v[0].values[0] = 3000;
		ck_assert_int_eq(rate(&t, D(2026, 10, 1), D(2026, 10, 1),
		    D(2026, 10, 1), D(2026, 10, 1), &d, &l), want3[i]);
		br_rate_lines_release(&l);
		free_days(&d);
		br_tariff_release(&t);
	}
}
END_TEST

START_TEST(test_version_change_prorates)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;

	/* New customer charge and rate from Oct 21: 20/31 and 11/31 */
	load_text("code: V\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    customer_charge: {amount: 31.00, per: month}\n"
	    "    energy: [{rate: 0.10}]\n"
	    "  - effective: 2026-10-21\n"
	    "    customer_charge: {amount: 62.00}\n"
	    "    energy: [{rate: 0.20}]\n", &t);
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 0);
	for (size_t i = 0; i < d.n; i++)
		d.v[i].values[0] = 10000;
	/* 20.00 + 200 x 0.10 = 20.00; 22.00 + 110 x 0.20 = 22.00 */
	ck_assert_int_eq(rate(&t, D(2026, 10, 1), D(2026, 10, 31),
	    D(2026, 10, 1), D(2026, 10, 31), &d, &l), 2000 + 2000 + 2200 +
	    2200);
	ck_assert_int_eq(l.n, 4);
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

static Suite *
rate_suite(void)
{
	Suite *s = suite_create("rate");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_flat);
	tcase_add_test(tc, test_tiered);
	tcase_add_test(tc, test_season_split);
	tcase_add_test(tc, test_tou_weekend_holiday_dst);
	tcase_add_test(tc, test_dst_quarters);
	tcase_add_test(tc, test_demand);
	tcase_add_test(tc, test_leap_february);
	tcase_add_test(tc, test_rounding_modes);
	tcase_add_test(tc, test_version_change_prorates);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rate_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
