/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_rate_struct.c: hand-computed bills for the tariff structures added
 * on top of flat/tier/TOU: minimum bill, riders and taxes, TOU demand and
 * ratchets, net metering over a year with carryover and true-up, net
 * billing, real-time prices, sewer on winter average, gas BTU factors and
 * a DST (fall-back) month of TOU demand.
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
load_text(const char *text, struct br_tariff *t)
{
	const char *path = fx_tmpfile("/tmp/check_rate_struct_XXXXXX", text);
	struct br_error err;

	if (br_tariff_load(t, path, &err) != 0)
		ck_abort_msg("%s:%ld: %s", err.file, err.line, err.msg);
	unlink(path);
}

struct days {
	struct br_interval_day *v;
	size_t n;
};

static void
make_days(struct days *d, int32_t first, int32_t last, int64_t per_slot,
    int channel)
{
	int32_t day, i;

	d->n = (size_t)(last - first + 1);
	d->v = calloc(d->n, sizeof(*d->v));
	for (day = first; day <= last; day++) {
		struct br_interval_day *x = &d->v[day - first];
		snprintf(x->meter_id, sizeof(x->meter_id), "M1");
		x->channel = channel;
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
	d->v = NULL;
	d->n = 0;
}

struct extra {
	const struct days *recv;
	const char *nem;
	int64_t bank;
	const struct br_rate_prior *prior;
	size_t nprior;
	struct br_rate_summary sum;
};

static int64_t
rate_x(const struct br_tariff *t, int32_t pfirst, int32_t plast,
    const struct days *d, struct extra *x, struct br_rate_lines *out)
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
	in.period_first = in.service_first = pfirst;
	in.period_last = in.service_last = plast;
	in.days = d->v;
	in.ndays = d->n;
	if (x) {
		if (x->recv) {
			in.recv = x->recv->v;
			in.nrecv = x->recv->n;
		}
		in.nem_program = x->nem;
		in.nem_bank_milli = x->bank;
		in.prior = x->prior;
		in.nprior = x->nprior;
		in.summary = &x->sum;
	}
	if (br_rate_compute(&in, out, &err) != 0)
		ck_abort_msg("rate: %s", err.msg);
	for (i = 0; i < out->n; i++)
		total += out->v[i].amount_cents;
	br_rate_cache_release(&cache);
	return total;
}

static const struct br_rate_line *
line(const struct br_rate_lines *l, const char *code)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].code, code) == 0)
			return &l->v[i];
	ck_abort_msg("no line %s", code);
	return NULL;
}

static bool
has_line(const struct br_rate_lines *l, const char *code)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].code, code) == 0)
			return true;
	return false;
}

#define D(y, m, d) br_date_days(y, m, d)

START_TEST(test_minimum_riders_taxes)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;
	size_t i;
	static const char *const order[] = { "CUSTOMER", "ENERGY", "MINIMUM",
	    "FUEL", "ECO_CREDIT", "FRANCHISE", "STATE_TAX", "CITY_TAX" };

	load_text("code: T1\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    customer_charge: {amount: 5.00}\n"
	    "    energy: [{rate: 0.10}]\n"
	    "    minimum: {amount: 20.00}\n"
	    "    riders:\n"
	    "      - {code: FUEL, name: Fuel adjustment, rate: 0.0125}\n"
	    "      - {code: ECO_CREDIT, rate: -0.002}\n"
	    "    taxes:\n"
	    "      - {code: FRANCHISE, name: Franchise fee, percent: 3,\n"
	    "         applies_to: [CUSTOMER, \"ENERGY*\", MINIMUM]}\n"
	    "      - {code: STATE_TAX, percent: 6.25}\n"
	    "      - {code: CITY_TAX, percent: 1, applies_to: [FRANCHISE]}\n",
	    &t);
	/* 2 kWh a day in October = 62 kWh */
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 0, 1);
	for (i = 0; i < d.n; i++)
		d.v[i].values[0] = 2000;
	/* 5.00 + 6.20 = 11.20 < 20.00: minimum 8.80; fuel 62 x 0.0125 =
	 * 0.775 -> 0.78; credit -0.124 -> -0.12; franchise 3 % of 20.00 =
	 * 0.60; state 6.25 % of 20.66 = 1.29125 -> 1.29; city 1 % of 0.60 =
	 * 0.006 -> 0.01 */
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 31), &d, NULL,
	    &l), 2256);
	ck_assert_uint_eq(l.n, 8);
	for (i = 0; i < 8; i++)
		ck_assert_str_eq(l.v[i].code, order[i]);
	ck_assert_int_eq(l.v[2].amount_cents, 880);
	ck_assert_int_eq(l.v[3].amount_cents, 78);
	ck_assert_int_eq(l.v[4].amount_cents, -12);
	ck_assert_int_eq(l.v[4].rate_micro, -2000);
	ck_assert_int_eq(l.v[5].amount_cents, 60);
	ck_assert_int_eq(l.v[5].quantity_milli, 20000);
	ck_assert_int_eq(l.v[5].rate_micro, 30000);
	ck_assert_str_eq(l.v[5].unit, "USD");
	ck_assert_int_eq(l.v[6].amount_cents, 129);
	ck_assert_int_eq(l.v[7].amount_cents, 1);
	ck_assert_str_eq(l.v[2].trace, "minimum bill: 20.000000/month x "
	    "31/31 days = 20.00; charges 11.20 below it by = 8.800000 -> 8.80 "
	    "(half_up); T1 MINIMUM; version 2026-01-01");
	ck_assert_str_eq(l.v[6].trace, "tax STATE_TAX 6.25% on 20.66 of the "
	    "charges above = 1.291250 -> 1.29 (half_up); T1 STATE_TAX; "
	    "version 2026-01-01");
	br_rate_lines_release(&l);

	/* 300 kWh: 5 + 30 = 35 >= 20, no minimum line; state tax 6.25 % of
	 * 38.15 = 2.384375 -> 2.38; city 1 % of 1.05 -> 0.01 */
	d.v[0].values[0] = 240000;
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 31), &d, NULL,
	    &l), 500 + 3000 + 375 - 60 + 105 + 238 + 1);
	ck_assert(!has_line(&l, "MINIMUM"));
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

static const char *const tou_demand =
    "code: T2\nunit: kWh\nversions:\n"
    "  - effective: 2026-01-01\n"
    "    energy:\n"
    "      - periods:\n"
    "          - {name: on_peak, days: weekday, hours: \"14:00-19:00\", "
    "rate: 0.10}\n"
    "          - {name: off_peak, rate: 0.05}\n"
    "    demand:\n"
    "      - {rate: 10.00, ratchet: {percent: 80, months: 11}}\n"
    "      - {period: on_peak, rate: 5.00}\n";

START_TEST(test_tou_demand_ratchet)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;
	struct br_rate_prior prior[2];
	struct extra x;

	load_text(tou_demand, &t);
	/* 1 kW all month; Wed 10-14 15:00 local 8 kW (on-peak); Sat 10-17
	 * 02:00 local 12 kW (off-peak) */
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 250, 1);
	d.v[13].values[60] = 2000;
	d.v[16].values[8] = 3000;
	memset(prior, 0, sizeof(prior));
	prior[0].period_first = D(2026, 8, 1);
	prior[0].period_last = D(2026, 8, 31);
	prior[0].demand_milli = 20000;
	prior[1].period_first = D(2025, 10, 1);	/* 12 months back: out */
	prior[1].period_last = D(2025, 10, 31);
	prior[1].demand_milli = 30000;
	memset(&x, 0, sizeof(x));
	x.prior = prior;
	x.nprior = 2;
	/* on-peak 22 weekdays x 20 slots x 0.25 + 1.75 = 111.75 x 0.10 =
	 * 11.175 -> 11.18; off-peak 748.5 - 111.75 = 636.75 x 0.05 = 31.84;
	 * demand max 12 kW < 80 % x 20 = 16 kW: 160.00; on-peak 8 x 5 */
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 31), &d, &x,
	    &l), 1118 + 3184 + 16000 + 4000);
	ck_assert_int_eq(line(&l, "ENERGY_ON_PEAK")->quantity_milli, 111750);
	ck_assert_int_eq(line(&l, "DEMAND")->quantity_milli, 16000);
	ck_assert_str_eq(line(&l, "DEMAND")->trace, "demand: max 15-min "
	    "12.000 kW (2026-10-17T07:00:00Z); ratchet 80% x prior max 20.000 "
	    "kW since 2025-11-01 = 16.000 kW (billed); billed 16.000 kW x "
	    "10.000000 = 160.000000 -> 160.00 (half_up); T2 DEMAND; version "
	    "2026-01-01");
	ck_assert_int_eq(line(&l, "DEMAND_ON_PEAK")->quantity_milli, 8000);
	ck_assert_str_eq(line(&l, "DEMAND_ON_PEAK")->trace, "demand on_peak: "
	    "max 15-min 8.000 kW (2026-10-14T20:00:00Z) x 5.000000 = "
	    "40.000000 -> 40.00 (half_up); T2 DEMAND_ON_PEAK; version "
	    "2026-01-01");
	ck_assert_int_eq(x.sum.demand_milli, 16000);
	br_rate_lines_release(&l);

	/* no prior bills: measured demand */
	x.nprior = 0;
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 31), &d, &x,
	    &l), 1118 + 3184 + 12000 + 4000);
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

/* November 2026: 1 November is the fall-back day (100 slots). */
START_TEST(test_dst_month_tou_demand)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;

	load_text(tou_demand, &t);
	make_days(&d, D(2026, 11, 1), D(2026, 11, 30), 250, 1);
	ck_assert_int_eq(d.v[0].n, 100);
	/* slot 8 of the fall-back day is the second 01:00 (CST, 07:00Z) */
	d.v[0].values[8] = 2500;
	/* Nov 2026: 21 weekdays (26th Thanksgiving is not a holiday here):
	 * on-peak 21 x 5 = 105 kWh; total 100 + 29 x 96 = 2884 slots x 0.25
	 * = 721 + 2.25 = 723.25 kWh */
	ck_assert_int_eq(rate_x(&t, D(2026, 11, 1), D(2026, 11, 30), &d, NULL,
	    &l), 1050 + 3091 + 10000 + 500);
	ck_assert_int_eq(line(&l, "ENERGY_OFF_PEAK")->quantity_milli, 618250);
	ck_assert_str_eq(line(&l, "DEMAND")->trace, "demand: max 15-min "
	    "10.000 kW (2026-11-01T07:00:00Z); ratchet 80% of 11 prior months: "
	    "no prior bills; billed 10.000 kW x 10.000000 = 100.000000 -> "
	    "100.00 (half_up); T2 DEMAND; version 2026-01-01");
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_nem_year_true_up)
{
	static const int64_t recv_kwh[12] = { 200, 300, 600, 800, 900, 700,
	    400, 300, 500, 450, 200, 450 };
	static const int64_t energy_kwh[12] = { 300, 200, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0 };
	static const int64_t bank_kwh[12] = { 0, 0, 100, 400, 800, 1000, 900,
	    700, 700, 650, 350, 0 };
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d, r;
	struct extra x;
	int64_t bank = 0, year = 0;
	int m;

	load_text("code: T3\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    customer_charge: {amount: 10.00}\n"
	    "    energy: [{rate: 0.20}]\n"
	    "    net_metering:\n"
	    "      - {program: NEM2, mode: netting, surplus_rate: 0.03, "
	    "true_up_month: 12}\n", &t);
	for (m = 1; m <= 12; m++) {
		int32_t first = D(2026, m, 1);
		int32_t last = first + br_date_month_days(2026, m) - 1;
		make_days(&d, first, last, 0, 1);
		make_days(&r, first, last, 0, 2);
		d.v[0].values[0] = 500000;
		r.v[1].values[3] = recv_kwh[m - 1] * 1000;
		memset(&x, 0, sizeof(x));
		x.recv = &r;
		x.nem = "NEM2";
		x.bank = bank;
		year += rate_x(&t, first, last, &d, &x, &l);
		ck_assert_int_eq(line(&l, "ENERGY")->quantity_milli,
		    energy_kwh[m - 1] * 1000);
		ck_assert_int_eq(x.sum.nem_bank_milli, bank_kwh[m - 1] * 1000);
		ck_assert_int_eq(x.sum.export_milli, recv_kwh[m - 1] * 1000);
		if (m == 12) {
			/* bank 300 kWh before true-up x 0.03 = 9.00 credit */
			ck_assert_int_eq(line(&l, "NEM_BANK")->quantity_milli,
			    300000);
			ck_assert_int_eq(line(&l, "NEM_TRUEUP")->amount_cents,
			    -900);
			ck_assert_str_eq(line(&l, "NEM_TRUEUP")->trace,
			    "annual true-up NEM2 (month 12): bank 300.000 kWh x "
			    "-0.030000 = -9.000000 -> -9.00 (half_up); T3 "
			    "NEM_TRUEUP; version 2026-01-01");
		} else
			ck_assert(!has_line(&l, "NEM_TRUEUP"));
		if (m == 7)
			ck_assert_str_eq(line(&l, "NEM_BANK")->trace,
			    "net metering NEM2: delivered 500.000 - received "
			    "400.000 kWh; bank 1000.000 + surplus 0.000 - used "
			    "100.000 = 900.000 kWh = 0.000000 -> 0.00 "
			    "(half_up); T3 NEM_BANK; version 2026-01-01");
		bank = x.sum.nem_bank_milli;
		br_rate_lines_release(&l);
		free_days(&d);
		free_days(&r);
	}
	/* 12 x 10.00 + 60.00 + 40.00 - 9.00 */
	ck_assert_int_eq(year, 21100);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_nem_unknown_program)
{
	struct br_tariff t;
	struct br_rate_cache cache;
	struct br_rate_input in;
	struct br_rate_lines l = { NULL, 0, 0 };
	struct br_error err;
	struct days d;

	load_text("code: T3\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy: [{rate: 0.20}]\n", &t);
	make_days(&d, D(2026, 10, 1), D(2026, 10, 2), 100, 1);
	ck_assert_int_eq(br_rate_cache_init(&cache, &tz, D(2026, 10, 1),
	    D(2026, 10, 2), &err), 0);
	memset(&in, 0, sizeof(in));
	in.tariff = &t;
	in.cache = &cache;
	in.period_first = in.service_first = D(2026, 10, 1);
	in.period_last = in.service_last = D(2026, 10, 2);
	in.days = d.v;
	in.ndays = d.n;
	in.nem_program = "NEM2";
	ck_assert_int_eq(br_rate_compute(&in, &l, &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "no net metering program "
	    "'NEM2'"));
	br_rate_lines_release(&l);
	br_rate_cache_release(&cache);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_net_billing_tou_export)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d, r;
	struct extra x;

	load_text("code: T4\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy: [{rate: 0.30}]\n"
	    "    net_metering:\n"
	    "      - program: NBT\n"
	    "        mode: billing\n"
	    "        export:\n"
	    "          periods:\n"
	    "            - {name: evening, hours: \"17:00-21:00\", rate: 0.12}\n"
	    "            - {name: other, rate: 0.04}\n", &t);
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 500, 1);
	make_days(&r, D(2026, 10, 1), D(2026, 10, 31), 100, 2);
	memset(&x, 0, sizeof(x));
	x.recv = &r;
	x.nem = "NBT";
	/* 1488 kWh x 0.30 = 446.40; evening 16 x 31 x 0.1 = 49.6 kWh x 0.12
	 * = 5.952 -> -5.95; other 248 kWh x 0.04 = -9.92 */
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 31), &d, &x,
	    &l), 44640 - 595 - 992);
	ck_assert_int_eq(line(&l, "EXPORT_EVENING")->quantity_milli, 49600);
	ck_assert_int_eq(line(&l, "EXPORT_EVENING")->rate_micro, -120000);
	ck_assert_int_eq(line(&l, "EXPORT_OTHER")->amount_cents, -992);
	ck_assert_int_eq(x.sum.export_milli, 297600);
	br_rate_lines_release(&l);
	free_days(&d);
	free_days(&r);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_real_time_prices)
{
	char dir[64], path[600], yaml[600];
	struct br_tariff t;
	struct br_rate_lines l;
	struct br_error err;
	struct days d;
	FILE *f;
	int h;

	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_rate_rtp_XXXXXX");
	snprintf(path, sizeof(path), "%s/prices.csv", dir);
	f = fopen(path, "w");
	fputs("hour,price\n", f);
	/* local day 2026-10-01 (CDT) is 05:00Z .. 05:00Z next day */
	for (h = 0; h < 24; h++)
		fprintf(f, "2026-10-%02dT%02d:00Z,0.%02d\n", h < 19 ? 1 : 2,
		    (h + 5) % 24, h + 1);
	fclose(f);
	fx_write_in(yaml, sizeof(yaml), dir, "RTP.yaml",
	    "code: RTP\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy: [{prices: prices.csv, adder: 0.005}]\n");
	if (br_tariff_load(&t, yaml, &err) != 0)
		ck_abort_msg("%s:%ld: %s", err.file, err.line, err.msg);
	make_days(&d, D(2026, 10, 1), D(2026, 10, 1), 1000, 1);
	/* 4 kWh an hour x (0.01 + ... + 0.24) = 12.00, adder 96 x 0.005 */
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 1), &d, NULL,
	    &l), 1248);
	ck_assert_str_eq(l.v[0].code, "ENERGY_RTP");
	ck_assert_int_eq(l.v[0].rate_micro, 130000);
	br_rate_lines_release(&l);
	free_days(&d);
	/* a day without prices is an error, not a zero */
	{
		struct br_rate_cache cache;
		struct br_rate_input in;
		make_days(&d, D(2026, 10, 2), D(2026, 10, 2), 1000, 1);
		br_rate_cache_init(&cache, &tz, D(2026, 10, 2), D(2026, 10, 2),
		    &err);
		memset(&in, 0, sizeof(in));
		memset(&l, 0, sizeof(l));
		in.tariff = &t;
		in.cache = &cache;
		in.period_first = in.service_first = D(2026, 10, 2);
		in.period_last = in.service_last = D(2026, 10, 2);
		in.days = d.v;
		in.ndays = d.n;
		ck_assert_int_eq(br_rate_compute(&in, &l, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "no price"));
		br_rate_cache_release(&cache);
		free_days(&d);
	}
	br_tariff_release(&t);
	fx_rmrf(dir);
}
END_TEST

START_TEST(test_sewer_winter_average)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;
	struct br_rate_prior prior[5];
	struct extra x;
	static const int ym[5][3] = { { 2025, 12, 5000 }, { 2026, 1, 6000 },
	    { 2026, 2, 7000 }, { 2026, 3, 20000 }, { 2024, 12, 100000 } };
	int i;

	load_text("code: T6\nunit: gal\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    customer_charge: {amount: 18.00}\n"
	    "    energy: [{rate: 0.004}]\n"
	    "    sewer: {winter_months: 12-2, rate: 0.006, "
	    "customer_charge: 9.00}\n", &t);
	make_days(&d, D(2026, 7, 1), D(2026, 7, 31), 0, 1);
	d.v[3].values[0] = 10000000;
	memset(prior, 0, sizeof(prior));
	for (i = 0; i < 5; i++) {
		prior[i].period_first = D(ym[i][0], ym[i][1], 1);
		prior[i].period_last = D(ym[i][0], ym[i][1],
		    br_date_month_days(ym[i][0], ym[i][1]));
		prior[i].usage_milli = (int64_t)ym[i][2] * 1000;
	}
	memset(&x, 0, sizeof(x));
	x.prior = prior;
	x.nprior = 5;
	/* 18.00 + 10000 x 0.004 + 9.00 + min(10000, 6000) x 0.006 */
	ck_assert_int_eq(rate_x(&t, D(2026, 7, 1), D(2026, 7, 31), &d, &x,
	    &l), 1800 + 4000 + 900 + 3600);
	ck_assert_int_eq(line(&l, "SEWER")->quantity_milli, 6000000);
	ck_assert_str_eq(line(&l, "SEWER")->trace, "sewer: winter average "
	    "6000.000 gal over 3 bills x 31/31 days = 6000.000, actual "
	    "10000.000, billed the lower; 6000.000 gal x 0.006000 = 36.000000 "
	    "-> 36.00 (half_up); T6 SEWER; version 2026-01-01");
	ck_assert_int_eq(x.sum.usage_milli, 10000000);
	br_rate_lines_release(&l);
	/* no winter history: actual usage */
	x.nprior = 0;
	ck_assert_int_eq(rate_x(&t, D(2026, 7, 1), D(2026, 7, 31), &d, &x,
	    &l), 1800 + 4000 + 900 + 6000);
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

START_TEST(test_gas_btu_factor)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;
	size_t i;

	load_text("code: T7\nunit: therm\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy: [{rate: 1.00}]\n"
	    "    btu_factor: 1.030\n"
	    "    btu_factors:\n"
	    "      - {month: 2026-11, factor: 1.050}\n", &t);
	/* 1 CCF a day, Oct 16 .. Nov 15 (Nov 1 has 100 slots) */
	make_days(&d, D(2026, 10, 16), D(2026, 11, 15), 0, 1);
	for (i = 0; i < d.n; i++)
		d.v[i].values[0] = 1000;
	/* 16 x 1.030 + 15 x 1.050 = 32.230 therm */
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 16), D(2026, 11, 15), &d, NULL,
	    &l), 3223);
	ck_assert_int_eq(l.v[0].quantity_milli, 32230);
	ck_assert_str_eq(l.v[0].trace, "energy: 32.230 therm (31.000 CCF "
	    "converted per day by the BTU factor) x 1.000000 = 32.230000 -> "
	    "32.23 (half_up); T7 ENERGY; version 2026-01-01");
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

/* Mid-period version change with taxes: each part taxed on its lines. */
START_TEST(test_version_change_taxes)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;

	load_text("code: T8\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    customer_charge: {amount: 31.00}\n"
	    "    energy: [{rate: 0.10}]\n"
	    "    taxes: [{code: TAX, percent: 10}]\n"
	    "  - effective: 2026-10-21\n"
	    "    customer_charge: {amount: 62.00}\n"
	    "    energy: [{rate: 0.20}]\n"
	    "    taxes: [{code: TAX, percent: 5}]\n", &t);
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 0, 1);
	for (size_t i = 0; i < d.n; i++)
		d.v[i].values[0] = 10000;
	/* 20 days: 20.00 + 200 kWh x 0.10 = 40.00, tax 4.00;
	 * 11 days: 22.00 + 110 x 0.20 = 44.00, tax 2.20 */
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 31), &d, NULL,
	    &l), 4000 + 400 + 4400 + 220);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_str_eq(l.v[2].code, "TAX");
	ck_assert_int_eq(l.v[2].amount_cents, 400);
	ck_assert_int_eq(l.v[5].amount_cents, 220);
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

/*
 * Tiers inside TOU periods: Oct 20 - Nov 18 2026 (30 days) with a version
 * change on Nov 10 and the fall-back day (Sun Nov 1, 100 slots) inside.
 * prorate: true, so each part's limit is the sum over its months of
 * limit x days / days of the month.
 */
START_TEST(test_tou_period_tiers)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;
	const struct br_rate_line *x;

	load_text("code: TT\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - prorate: true\n"
	    "        periods:\n"
	    "          - name: on_peak\n"
	    "            days: weekday\n"
	    "            hours: \"14:00-19:00\"\n"
	    "            tiers: [{upto: 100, rate: 0.20}, {rate: 0.30}]\n"
	    "          - {name: off_peak, tiers: [{upto: 600, rate: 0.08}, "
	    "{rate: 0.10}]}\n"
	    "  - effective: 2026-11-10\n"
	    "    energy:\n"
	    "      - prorate: true\n"
	    "        periods:\n"
	    "          - name: on_peak\n"
	    "            days: weekday\n"
	    "            hours: \"14:00-19:00\"\n"
	    "            tiers: [{upto: 100, rate: 0.22}, {rate: 0.33}]\n"
	    "          - {name: off_peak, rate: 0.09}\n", &t);
	make_days(&d, D(2026, 10, 20), D(2026, 11, 18), 250, 1);
	ck_assert_int_eq(d.v[12].n, 100);	/* Nov 1 */
	/*
	 * Part 1, Oct 20 - Nov 9 (12 October + 9 November days): limits
	 * 100 x 12/31 = 38.710 + 100 x 9/30 = 30 -> 68.710 kWh on-peak and
	 * 600 x 12/31 = 232.258 + 180 = 412.258 kWh off-peak.  15 weekdays
	 * x 20 slots x 0.25 = 75 kWh on-peak: 68.710 x 0.20 = 13.742 ->
	 * 13.74, 6.290 x 0.30 = 1.887 -> 1.89.  20 x 96 + 100 slots = 505
	 * kWh, off-peak 430: 412.258 x 0.08 = 32.98064 -> 32.98, 17.742 x
	 * 0.10 = 1.7742 -> 1.77.
	 * Part 2, Nov 10-18 (9 days): on-peak limit 100 x 9/30 = 30; 7
	 * weekdays = 35 kWh: 30 x 0.22 = 6.60, 5 x 0.33 = 1.65; off-peak
	 * 216 - 35 = 181 x 0.09 = 16.29.
	 */
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 20), D(2026, 11, 18), &d, NULL,
	    &l), 1374 + 189 + 3298 + 177 + 660 + 165 + 1629);
	ck_assert_int_eq(l.n, 7);
	x = &l.v[0];
	ck_assert_str_eq(x->code, "ENERGY_ON_PEAK_T1");
	ck_assert_int_eq(x->quantity_milli, 68710);
	ck_assert_str_eq(x->description, "Energy on_peak tier 1 "
	    "(0.000-68.710 kWh)");
	ck_assert_str_eq(x->trace, "period on_peak tier 1 (0.000-68.710 "
	    "prorated): 68.710 kWh x 0.200000 = 13.742000 -> 13.74 (half_up); "
	    "TT ENERGY_ON_PEAK_T1; version 2026-01-01");
	ck_assert_str_eq(l.v[1].code, "ENERGY_ON_PEAK_T2");
	ck_assert_int_eq(l.v[1].quantity_milli, 6290);
	ck_assert_str_eq(l.v[2].code, "ENERGY_OFF_PEAK_T1");
	ck_assert_int_eq(l.v[2].quantity_milli, 412258);
	ck_assert_str_eq(l.v[3].code, "ENERGY_OFF_PEAK_T2");
	ck_assert_int_eq(l.v[3].quantity_milli, 17742);
	ck_assert_str_eq(l.v[3].trace, "period off_peak tier 2 "
	    "(412.258- prorated): 17.742 kWh x 0.100000 = 1.774200 -> 1.77 "
	    "(half_up); TT ENERGY_OFF_PEAK_T2; version 2026-01-01");
	ck_assert_str_eq(l.v[4].code, "ENERGY_ON_PEAK_T1");
	ck_assert_int_eq(l.v[4].quantity_milli, 30000);
	ck_assert_str_eq(l.v[5].code, "ENERGY_ON_PEAK_T2");
	ck_assert_int_eq(l.v[5].quantity_milli, 5000);
	ck_assert_str_eq(l.v[6].code, "ENERGY_OFF_PEAK");
	ck_assert_int_eq(l.v[6].quantity_milli, 181000);
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

static const char *const tou_ratchet =
    "code: TR\nunit: kWh\nversions:\n"
    "  - effective: 2026-01-01\n"
    "    energy:\n"
    "      - periods:\n"
    "          - {name: on_peak, days: weekday, hours: \"14:00-19:00\", "
    "rate: 0.10}\n"
    "          - {name: off_peak, rate: 0.05}\n"
    "    demand:\n"
    "      - {period: on_peak, rate: 5.00, ratchet: {percent: 75, "
    "months: 2}}\n";

/* A ratchet on a TOU demand period, over two prior months. */
START_TEST(test_tou_demand_period_ratchet)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;
	struct br_rate_prior prior[1];
	struct br_rate_prior_demand pd[5];
	struct br_rate_input in;
	struct br_rate_cache cache;
	struct br_error err;
	int64_t total;
	size_t i;

	load_text(tou_ratchet, &t);
	ck_assert(t.tou_ratchet);
	memset(pd, 0, sizeof(pd));
	/* July is before the window (Aug 1 - Sep 30 for October) */
	pd[0].period_first = D(2026, 7, 1);
	pd[0].period_last = D(2026, 7, 31);
	snprintf(pd[0].code, sizeof(pd[0].code), "DEMAND_ON_PEAK");
	pd[0].demand_milli = 40000;
	pd[1].period_first = D(2026, 8, 1);
	pd[1].period_last = D(2026, 8, 31);
	snprintf(pd[1].code, sizeof(pd[1].code), "DEMAND_ON_PEAK");
	pd[1].demand_milli = 20000;
	pd[2].period_first = D(2026, 9, 1);
	pd[2].period_last = D(2026, 9, 30);
	snprintf(pd[2].code, sizeof(pd[2].code), "DEMAND_ON_PEAK");
	pd[2].demand_milli = 16000;
	/* another period's line and the bill_sp maximum do not count */
	pd[3] = pd[2];
	snprintf(pd[3].code, sizeof(pd[3].code), "DEMAND_OFF_PEAK");
	pd[3].demand_milli = 90000;
	memset(prior, 0, sizeof(prior));
	prior[0].period_first = D(2026, 9, 1);
	prior[0].period_last = D(2026, 9, 30);
	prior[0].demand_milli = 100000;

	/* October: 1 kW, Wed Oct 14 15:00 local 8 kW on-peak */
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 250, 1);
	d.v[13].values[60] = 2000;
	br_rate_cache_init(&cache, &tz, D(2026, 10, 1), D(2026, 11, 30), &err);
	memset(&in, 0, sizeof(in));
	memset(&l, 0, sizeof(l));
	in.tariff = &t;
	in.cache = &cache;
	in.period_first = in.service_first = D(2026, 10, 1);
	in.period_last = in.service_last = D(2026, 10, 31);
	in.days = d.v;
	in.ndays = d.n;
	in.prior = prior;
	in.nprior = 1;
	in.prior_pdem = pd;
	in.nprior_pdem = 4;
	ck_assert_int_eq(br_rate_compute(&in, &l, &err), 0);
	/* on-peak 111.75 x 0.10 = 11.18; off-peak 634 x 0.05 = 31.70;
	 * demand 8 kW < 75 % x max(20, 16) = 15 kW: 15 x 5 = 75.00 */
	for (total = 0, i = 0; i < l.n; i++)
		total += l.v[i].amount_cents;
	ck_assert_int_eq(total, 1118 + 3170 + 7500);
	ck_assert_int_eq(line(&l, "DEMAND_ON_PEAK")->quantity_milli, 15000);
	ck_assert_str_eq(line(&l, "DEMAND_ON_PEAK")->trace, "demand on_peak: "
	    "max 15-min 8.000 kW (2026-10-14T20:00:00Z); ratchet 75% x prior "
	    "max on_peak 20.000 kW since 2026-08-01 = 15.000 kW (billed); "
	    "billed 15.000 kW x 5.000000 = 75.000000 -> 75.00 (half_up); TR "
	    "DEMAND_ON_PEAK; version 2026-01-01");
	br_rate_lines_release(&l);
	free_days(&d);

	/* November: October's billed 15 kW joins the window (Sep 1 - Oct
	 * 31): 75 % x max(16, 15) = 12 kW, below the measured 20 kW */
	pd[4].period_first = D(2026, 10, 1);
	pd[4].period_last = D(2026, 10, 31);
	snprintf(pd[4].code, sizeof(pd[4].code), "DEMAND_ON_PEAK");
	pd[4].demand_milli = 15000;
	make_days(&d, D(2026, 11, 1), D(2026, 11, 30), 250, 1);
	d.v[2].values[61] = 5000;	/* Tue Nov 3 15:15 CST */
	in.period_first = in.service_first = D(2026, 11, 1);
	in.period_last = in.service_last = D(2026, 11, 30);
	in.days = d.v;
	in.ndays = d.n;
	in.nprior_pdem = 5;
	ck_assert_int_eq(br_rate_compute(&in, &l, &err), 0);
	ck_assert_int_eq(line(&l, "DEMAND_ON_PEAK")->quantity_milli, 20000);
	ck_assert_str_eq(line(&l, "DEMAND_ON_PEAK")->trace, "demand on_peak: "
	    "max 15-min 20.000 kW (2026-11-03T21:15:00Z); ratchet 75% x prior "
	    "max on_peak 16.000 kW since 2026-09-01 = 12.000 kW; billed "
	    "20.000 kW x 5.000000 = 100.000000 -> 100.00 (half_up); TR "
	    "DEMAND_ON_PEAK; version 2026-01-01");
	br_rate_lines_release(&l);
	free_days(&d);
	br_rate_cache_release(&cache);
	br_tariff_release(&t);
}
END_TEST

/* Demand kW blocks on the monthly maximum (ratcheted) and a TOU period. */
START_TEST(test_tiered_demand)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;
	struct br_rate_prior prior[1];
	struct extra x;

	load_text("code: TD\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - periods:\n"
	    "          - {name: on_peak, days: weekday, hours: \"14:00-19:00\","
	    " rate: 0.10}\n"
	    "          - {name: off_peak, rate: 0.05}\n"
	    "    demand:\n"
	    "      - tiers: [{upto: 50, rate: 10.00}, {upto: 200, rate: 8.00},"
	    " {rate: 6.00}]\n"
	    "        ratchet: {percent: 80, months: 11}\n"
	    "      - {period: on_peak, tiers: [{upto: 10, rate: 3.00}, "
	    "{rate: 2.00}]}\n", &t);
	/* 1 kW; Wed Oct 14 15:00 local 8 kW; Sat Oct 17 02:00 local 72 kW */
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 250, 1);
	d.v[13].values[60] = 2000;
	d.v[16].values[8] = 18000;
	memset(&x, 0, sizeof(x));
	/* energy: on-peak 111.75 x 0.10 = 11.18, off-peak 744 + 1.75 +
	 * 17.75 - 111.75 = 651.75 x 0.05 = 32.5875 -> 32.59; demand 72 kW:
	 * 50 x 10 = 500.00 + 22 x 8 = 176.00 (no third block); on-peak 8
	 * kW x 3 = 24.00 */
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 31), &d, &x,
	    &l), 1118 + 3259 + 50000 + 17600 + 2400);
	ck_assert_int_eq(line(&l, "DEMAND_T1")->quantity_milli, 50000);
	ck_assert_str_eq(line(&l, "DEMAND_T1")->description, "Demand (maximum "
	    "15-minute kW) tier 1 (0.000-50.000 kW)");
	ck_assert_str_eq(line(&l, "DEMAND_T2")->trace, "demand: max 15-min "
	    "72.000 kW (2026-10-17T07:00:00Z); ratchet 80% of 11 prior months: "
	    "no prior bills; billed 72.000 kW; tier 2 (50.000-200.000 kW): "
	    "22.000 kW x 8.000000 = 176.000000 -> 176.00 (half_up); TD "
	    "DEMAND_T2; version 2026-01-01");
	ck_assert(!has_line(&l, "DEMAND_T3"));
	ck_assert_int_eq(line(&l, "DEMAND_ON_PEAK_T1")->quantity_milli, 8000);
	ck_assert(!has_line(&l, "DEMAND_ON_PEAK_T2"));
	ck_assert_int_eq(x.sum.demand_milli, 72000);
	br_rate_lines_release(&l);

	/* prior billed 100 kW: 80 kW billed, 50 x 10 + 30 x 8 = 740.00 */
	memset(prior, 0, sizeof(prior));
	prior[0].period_first = D(2026, 9, 1);
	prior[0].period_last = D(2026, 9, 30);
	prior[0].demand_milli = 100000;
	x.prior = prior;
	x.nprior = 1;
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 31), &d, &x,
	    &l), 1118 + 3259 + 50000 + 24000 + 2400);
	ck_assert_int_eq(line(&l, "DEMAND_T2")->quantity_milli, 30000);
	ck_assert_int_eq(x.sum.demand_milli, 80000);
	br_rate_lines_release(&l);

	/* half the period (move-in Oct 17): amounts x 15/31 days */
	{
		struct br_rate_cache cache;
		struct br_rate_input in;
		struct br_error err;
		memset(&in, 0, sizeof(in));
		memset(&l, 0, sizeof(l));
		br_rate_cache_init(&cache, &tz, D(2026, 10, 1), D(2026, 10, 31),
		    &err);
		in.tariff = &t;
		in.cache = &cache;
		in.period_first = D(2026, 10, 1);
		in.period_last = D(2026, 10, 31);
		in.service_first = D(2026, 10, 17);
		in.service_last = D(2026, 10, 31);
		in.days = d.v;
		in.ndays = d.n;
		ck_assert_int_eq(br_rate_compute(&in, &l, &err), 0);
		/* 500.00 x 15/31 = 241.935484 -> 241.94; 22 x 8 x 15/31 =
		 * 85.16129 -> 85.16 */
		ck_assert_int_eq(line(&l, "DEMAND_T1")->amount_cents, 24194);
		ck_assert_int_eq(line(&l, "DEMAND_T2")->amount_cents, 8516);
		ck_assert_ptr_nonnull(strstr(line(&l, "DEMAND_T2")->trace,
		    "22.000 kW x 8.000000 x 15/31 days = 85.161290"));
		br_rate_lines_release(&l);
		br_rate_cache_release(&cache);
	}
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

/*
 * Hourly prices and adders with 9 decimals are exact: 156 kWh (1.625 a
 * quarter hour) at 0.0481085 with adder -0.000000001 = 156 x 0.048108499
 * = 7.504925844 -> 7.504926 -> 7.50 (at 6 decimals, 0.048109: 7.51).
 */
START_TEST(test_real_time_prices_nano)
{
	char dir[64], path[600], yaml[600];
	struct br_tariff t;
	struct br_rate_lines l;
	struct br_error err;
	struct days d;
	FILE *f;
	int h;

	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_rate_rtp_XXXXXX");
	snprintf(path, sizeof(path), "%s/prices.csv", dir);
	f = fopen(path, "w");
	for (h = 0; h < 24; h++)
		fprintf(f, "2026-10-%02dT%02d:00Z,0.0481085\n", h < 19 ? 1 : 2,
		    (h + 5) % 24);
	fclose(f);
	fx_write_in(yaml, sizeof(yaml), dir, "RTP.yaml",
	    "code: RTP\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy: [{prices: prices.csv, adder: -0.000000001}]\n");
	if (br_tariff_load(&t, yaml, &err) != 0)
		ck_abort_msg("%s:%ld: %s", err.file, err.line, err.msg);
	ck_assert_int_eq(t.prices[0].price_nano[0], 48108500);
	make_days(&d, D(2026, 10, 1), D(2026, 10, 1), 1625, 1);
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 1), &d, NULL,
	    &l), 750);
	ck_assert_int_eq(l.v[0].rate_micro, 48109);	/* average, display */
	ck_assert_str_eq(strstr(l.v[0].trace, "adder"), "adder -0.000000001): "
	    "156.000 kWh x hourly price, average 0.048109 = 7.504926 -> 7.50 "
	    "(half_up); RTP ENERGY_RTP; version 2026-01-01");
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);

	/* a price with 10 decimals is refused with the file and line */
	f = fopen(path, "w");
	fputs("hour,price\n2026-10-01T05:00Z,0.0481085001\n", f);
	fclose(f);
	ck_assert_int_eq(br_tariff_load(&t, yaml, &err), -1);
	ck_assert_int_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.file, "prices.csv"));
	ck_assert_ptr_nonnull(strstr(err.msg, "at most 9 decimals"));
	fx_rmrf(dir);
}
END_TEST

/*
 * Net metering (monthly netting) on real-time prices, October to
 * December 2026 with the bank carried and the true-up in December.
 * Prices: 0.25 in UTC hours 22-01, else 0.05; adder 0.01.
 */
START_TEST(test_nem_real_time_prices)
{
	char dir[64], path[600], yaml[600];
	static const int64_t night[3] = { 300, 301, 200 };	/* at 0.06 */
	static const int64_t evening[3] = { 100, 100, 50 };	/* at 0.26 */
	static const int64_t recv[3] = { 600, 130, 500 };
	static const int64_t billed[3] = { 0, 71, 0 };
	static const int64_t bank_after[3] = { 200, 0, 0 };
	static const int64_t totals[3] = { 1000, 1780, 250 };
	struct br_tariff t;
	struct br_rate_lines l;
	struct br_error err;
	struct days d, r;
	struct extra x;
	int64_t bank = 0, hr;
	FILE *f;
	int m;

	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_rate_nemrtp_XXXXXX");
	snprintf(path, sizeof(path), "%s/prices.csv", dir);
	f = fopen(path, "w");
	fputs("hour,price\n", f);
	for (hr = (int64_t)D(2026, 10, 1) * 24; hr < (int64_t)D(2027, 1, 2) *
	    24; hr++) {
		char tb[32];
		int h = (int)(hr % 24);
		br_time_format_utc(hr * 3600, tb, sizeof(tb));
		fprintf(f, "%s,%s\n", tb, h >= 22 || h <= 1 ? "0.25" : "0.05");
	}
	fclose(f);
	fx_write_in(yaml, sizeof(yaml), dir, "NR.yaml",
	    "code: NR\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    customer_charge: {amount: 10.00}\n"
	    "    energy: [{prices: prices.csv, adder: 0.01}]\n"
	    "    net_metering:\n"
	    "      - {program: NEM2, mode: netting, surplus_rate: 0.03, "
	    "true_up_month: 12}\n");
	if (br_tariff_load(&t, yaml, &err) != 0)
		ck_abort_msg("%s:%ld: %s", err.file, err.line, err.msg);
	for (m = 10; m <= 12; m++) {
		int32_t first = D(2026, m, 1);
		int32_t last = first + br_date_month_days(2026, m) - 1;
		const struct br_rate_line *e;
		make_days(&d, first, last, 0, 1);
		make_days(&r, first, last, 0, 2);
		/* local midnight of the 1st (05:00Z or 06:00Z): 0.05 */
		d.v[0].values[0] = night[m - 10] * 1000;
		/* 18:00 local on the 2nd (23:00Z CDT, 00:00Z CST): 0.25 */
		d.v[1].values[72] = evening[m - 10] * 1000;
		r.v[2].values[48] = recv[m - 10] * 1000;
		memset(&x, 0, sizeof(x));
		x.recv = &r;
		x.nem = "NEM2";
		x.bank = bank;
		ck_assert_int_eq(rate_x(&t, first, last, &d, &x, &l),
		    totals[m - 10]);
		e = line(&l, "ENERGY_RTP");
		ck_assert_int_eq(e->quantity_milli, billed[m - 10] * 1000);
		ck_assert_int_eq(x.sum.nem_bank_milli, bank_after[m - 10] *
		    1000);
		if (m == 11) {
			/* 401 kWh valued 301 x 0.06 + 100 x 0.26 = 44.06;
			 * net 401 - 130 = 271, bank 200 used: 71 kWh billed
			 * = 44.06 x 71/401 = 7.801147 -> 7.80 */
			ck_assert_int_eq(e->amount_cents, 780);
			ck_assert_int_eq(e->rate_micro, 109875);
			ck_assert_str_eq(strstr(e->trace, "prices.csv"),
			    "prices.csv, adder 0.010000): delivered 401.000 kWh "
			    "x hourly price = 44.060000, average 0.109875; net "
			    "billed 71.000 kWh = 44.060000 x 71.000/401.000 = "
			    "7.801147 -> 7.80 (half_up); NR ENERGY_RTP; version "
			    "2026-01-01");
		}
		if (m == 12) {
			/* bank 250 kWh x 0.03 = 7.50 credit */
			ck_assert_int_eq(line(&l, "NEM_TRUEUP")->amount_cents,
			    -750);
			ck_assert_int_eq(line(&l, "NEM_BANK")->quantity_milli,
			    250000);
		} else
			ck_assert(!has_line(&l, "NEM_TRUEUP"));
		bank = x.sum.nem_bank_milli;
		br_rate_lines_release(&l);
		free_days(&d);
		free_days(&r);
	}
	br_tariff_release(&t);
	fx_rmrf(dir);
}
END_TEST

/* A demand period spanning two energy periods: the higher maximum. */
START_TEST(test_demand_period_list)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d;

	load_text("code: TL\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - periods:\n"
	    "          - {name: on_peak, days: weekday, hours: \"14:00-19:00\","
	    " rate: 0.10}\n"
	    "          - {name: shoulder, days: weekday, hours: "
	    "\"10:00-14:00\", rate: 0.07}\n"
	    "          - {name: off_peak, rate: 0.05}\n"
	    "    demand:\n"
	    "      - {period: [shoulder, on_peak], rate: 2.00}\n"
	    "      - {period: off_peak, rate: 1.00}\n", &t);
	/* 1 kW; Wed Oct 14 11:00 local 6 kW (shoulder), 15:00 5 kW */
	make_days(&d, D(2026, 10, 1), D(2026, 10, 31), 250, 1);
	d.v[13].values[44] = 1500;
	d.v[13].values[60] = 1250;
	/* on-peak 110 + 1 = 111 x 0.10 = 11.10; shoulder 22 x 4 + 1.25 =
	 * 89.25 x 0.07 = 6.2475 -> 6.25; off-peak 746.25 - 200.25 = 546 x
	 * 0.05 = 27.30; demand 6 kW x 2 = 12.00, off-peak 1 kW x 1 */
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 31), &d, NULL,
	    &l), 1110 + 625 + 2730 + 1200 + 100);
	ck_assert_str_eq(line(&l, "DEMAND_SHOULDER_ON_PEAK")->description,
	    "Demand shoulder+on_peak (maximum 15-minute kW)");
	ck_assert_str_eq(line(&l, "DEMAND_SHOULDER_ON_PEAK")->trace,
	    "demand shoulder+on_peak: max 15-min 6.000 kW "
	    "(2026-10-14T16:00:00Z) x 2.000000 = 12.000000 -> 12.00 (half_up); "
	    "TL DEMAND_SHOULDER_ON_PEAK; version 2026-01-01");
	br_rate_lines_release(&l);
	free_days(&d);
	br_tariff_release(&t);
}
END_TEST

/*
 * Totalized demand: a 15-minute meter and an hourly meter at one service
 * point, summed per quarter hour (the hourly kW in each of its quarters).
 */
START_TEST(test_totalized_demand)
{
	struct br_tariff t;
	struct br_rate_lines l;
	struct days d1, d2, all;
	int32_t i;

	load_text("code: TZ\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n"
	    "    energy:\n"
	    "      - periods:\n"
	    "          - {name: on_peak, days: weekday, hours: \"14:00-19:00\","
	    " rate: 0.10}\n"
	    "          - {name: off_peak, rate: 0.05}\n"
	    "    demand:\n"
	    "      - {rate: 10.00, totalize: true}\n"
	    "      - {period: on_peak, rate: 5.00, totalize: true}\n", &t);
	/* M1: 15-minute, 1 kW, Wed Oct 14 15:00 local 8 kW */
	make_days(&d1, D(2026, 10, 1), D(2026, 10, 31), 250, 1);
	d1.v[13].values[60] = 2000;
	/* M2: hourly, 1 kW, Oct 14 15:00 8 kW, Sat Oct 17 02:00 12 kW */
	make_days(&d2, D(2026, 10, 1), D(2026, 10, 31), 0, 1);
	for (size_t k = 0; k < d2.n; k++) {
		snprintf(d2.v[k].meter_id, sizeof(d2.v[k].meter_id), "M2");
		d2.v[k].interval_s = 3600;
		d2.v[k].n = 24;
		for (i = 0; i < 24; i++)
			d2.v[k].values[i] = 1000;
	}
	d2.v[13].values[15] = 8000;
	d2.v[16].values[2] = 12000;
	all.n = d1.n + d2.n;
	all.v = calloc(all.n, sizeof(*all.v));
	memcpy(all.v, d1.v, d1.n * sizeof(*all.v));
	memcpy(all.v + d1.n, d2.v, d2.n * sizeof(*all.v));
	/*
	 * Totalized: Oct 14 15:00-15:15 8 + 8 = 16 kW (the single meters
	 * peak at 8 and 12 kW); on-peak the same quarter.  Energy on-peak
	 * 111.75 + 117 = 228.75 x 0.10 = 22.875 -> 22.88; off-peak 745.75 +
	 * 762 - 228.75 = 1279 x 0.05 = 63.95; demand 16 x 10 + 16 x 5.
	 */
	ck_assert_int_eq(rate_x(&t, D(2026, 10, 1), D(2026, 10, 31), &all,
	    NULL, &l), 2288 + 6395 + 16000 + 8000);
	ck_assert_int_eq(line(&l, "DEMAND")->quantity_milli, 16000);
	ck_assert_str_eq(line(&l, "DEMAND")->description, "Demand (totalized "
	    "maximum 15-minute kW)");
	ck_assert_str_eq(line(&l, "DEMAND")->trace, "totalized demand (2 "
	    "meters): max 15-min 16.000 kW (2026-10-14T20:00:00Z) x 10.000000 "
	    "= 160.000000 -> 160.00 (half_up); TZ DEMAND; version 2026-01-01");
	ck_assert_int_eq(line(&l, "DEMAND_ON_PEAK")->quantity_milli, 16000);
	br_rate_lines_release(&l);
	free(all.v);
	free_days(&d1);
	free_days(&d2);
	br_tariff_release(&t);
}
END_TEST

static void
load_bad(const char *text, const char *needle)
{
	const char *path = fx_tmpfile("/tmp/check_rate_struct_XXXXXX", text);
	struct br_tariff t;
	struct br_error err;

	ck_assert_int_eq(br_tariff_load(&t, path, &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	if (strstr(err.msg, needle) == NULL)
		ck_abort_msg("'%s' lacks '%s'", err.msg, needle);
	unlink(path);
}

START_TEST(test_bad_structures)
{
	const char *head = "code: X\nunit: kWh\nversions:\n"
	    "  - effective: 2026-01-01\n    energy: [{rate: 0.1}]\n";
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s    taxes: [{code: T, percent: 6.123456}]"
	    "\n", head);
	load_bad(buf, "bad percent");
	snprintf(buf, sizeof(buf), "%s    riders: [{code: lower, rate: 1}]\n",
	    head);
	load_bad(buf, "bad line code");
	snprintf(buf, sizeof(buf), "%s    demand: [{rate: 1, period: on_peak}]"
	    "\n", head);
	load_bad(buf, "not a TOU energy period");
	snprintf(buf, sizeof(buf), "%s    demand: [{rate: 1, ratchet: "
	    "{percent: 80}}]\n", head);
	load_bad(buf, "missing key 'months'");
	snprintf(buf, sizeof(buf), "%s    net_metering: [{program: NEM2, "
	    "mode: netting}]\n", head);
	load_bad(buf, "missing key 'surplus_rate'");
	snprintf(buf, sizeof(buf), "%s    net_metering: [{program: NBT, "
	    "mode: billing, export: {tiers: [{rate: 1}]}}]\n", head);
	load_bad(buf, "exports take");
	snprintf(buf, sizeof(buf), "%s    btu_factors: [{month: 2026-13, "
	    "factor: 1}]\n", head);
	load_bad(buf, "bad month");
	snprintf(buf, sizeof(buf), "%s    sewer: {rate: 0.1}\n", head);
	load_bad(buf, "missing key 'winter_months'");
	load_bad("code: X\nunit: kWh\nversions:\n  - effective: 2026-01-01\n"
	    "    energy: [{prices: nosuch.csv}]\n", "cannot open price file");
	load_bad("code: X\nunit: kWh\nversions:\n  - effective: 2026-01-01\n"
	    "    energy: [{prices: ../x.csv}]\n", "bad price file");
	snprintf(buf, sizeof(buf), "%s    demand: [{rate: 1, tiers: [{rate: 2}]}]"
	    "\n", head);
	load_bad(buf, "give either rate or tiers");
	snprintf(buf, sizeof(buf), "%s    demand: [{tiers: [{upto: 50, rate: "
	    "2}]}]\n", head);
	load_bad(buf, "the last tier must have no 'upto'");
	snprintf(buf, sizeof(buf), "%s    demand: [{season: all}]\n", head);
	load_bad(buf, "missing key 'rate' or 'tiers'");
	load_bad("code: X\nunit: kWh\nversions:\n  - effective: 2026-01-01\n"
	    "    energy:\n      - periods:\n          - {name: a, rate: 1, "
	    "tiers: [{rate: 1}]}\n", "give either rate or tiers");
	load_bad("code: X\nunit: kWh\nversions:\n  - effective: 2026-01-01\n"
	    "    energy:\n      - periods:\n          - {name: a, tiers: "
	    "[{upto: 10, rate: 1}, {upto: 5, rate: 2}, {rate: 3}]}\n",
	    "tier limits must increase");
	load_bad("code: X\nunit: kWh\nversions:\n  - effective: 2026-01-01\n"
	    "    energy:\n      - prorate: true\n        periods: [{name: a, "
	    "rate: 1}]\n", "only tiers can be prorated");
	load_bad("code: X\nunit: kWh\nversions:\n  - effective: 2026-01-01\n"
	    "    energy:\n      - periods: [{name: a, rate: 1}]\n"
	    "    demand: [{period: a, tiers: [{upto: 5, rate: 1}, {rate: 2}], "
	    "ratchet: {percent: 80, months: 11}}]\n",
	    "cannot be combined with tiers");
	load_bad("code: X\nunit: kWh\nversions:\n  - effective: 2026-01-01\n"
	    "    energy: [{rate: 0.1}]\n    net_metering: [{program: NBT, "
	    "mode: billing, export: {periods: [{name: a, tiers: [{rate: 1}]}]}}]"
	    "\n", "exports take");
	load_bad("code: X\nunit: kWh\nversions:\n  - effective: 2026-01-01\n"
	    "    energy:\n      - periods: [{name: a, rate: 1}]\n"
	    "    demand: [{period: [a, b], rate: 1}]\n",
	    "demand period 'b' is not a TOU energy period");
	load_bad("code: X\nunit: kWh\nversions:\n  - effective: 2026-01-01\n"
	    "    energy:\n      - periods: [{name: a, rate: 1}]\n"
	    "    demand: [{period: [a, a], rate: 1}]\n", "period 'a' twice");
	snprintf(buf, sizeof(buf), "%s    demand: [{rate: 1, totalize: maybe}]"
	    "\n", head);
	load_bad(buf, "expected true or false");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("rate_struct");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_minimum_riders_taxes);
	tcase_add_test(tc, test_tou_demand_ratchet);
	tcase_add_test(tc, test_dst_month_tou_demand);
	tcase_add_test(tc, test_nem_year_true_up);
	tcase_add_test(tc, test_nem_unknown_program);
	tcase_add_test(tc, test_net_billing_tou_export);
	tcase_add_test(tc, test_real_time_prices);
	tcase_add_test(tc, test_real_time_prices_nano);
	tcase_add_test(tc, test_sewer_winter_average);
	tcase_add_test(tc, test_gas_btu_factor);
	tcase_add_test(tc, test_version_change_taxes);
	tcase_add_test(tc, test_bad_structures);
	tcase_add_test(tc, test_tou_period_tiers);
	tcase_add_test(tc, test_tou_demand_period_ratchet);
	tcase_add_test(tc, test_tiered_demand);
	tcase_add_test(tc, test_nem_real_time_prices);
	tcase_add_test(tc, test_demand_period_list);
	tcase_add_test(tc, test_totalized_demand);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
