/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_urdb.c: the URDB importer.  Every sample in shared/samples/urdb
 * (BR_SAMPLES_DIR; skipped when unset) either
 * converts to YAML that br_tariff_load accepts or fails with the expected
 * reasons; copies and synthetic files in testdata/urdb always run; and
 * converted tariffs bill hand-computed months through lib/rate.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/date.h"
#include "rate/rate.h"
#include "store/store.h"
#include "rate/tariff.h"
#include "core/tz.h"
#include "rate/urdb.h"
#include "fixture.h"
#include "core/banned.h"

#define D(y, m, d) br_date_days(y, m, d)
#define SYN_LABEL "bbbbbbbbbbbbbbbbbbbbbbb2"

/*
 * Expected outcome per sample: NULL = converts; else every "|"-separated
 * part must be a problem, and there must be no other problem.
 */
struct expect {
	const char *file;
	const char *problems;
};

static const struct expect samples[] = {
	{ "Jackson_EMC_A_Residential_Senior_LowIncome_2017.json", NULL },
	{ "coned_sc9_zoneJ_nyc.json", NULL },
	{ "entergy_ar_lps_tou.json", NULL },
	{ "fpl_gsld1.json", NULL },
	{ "fpl_gsldt1.json", NULL },
	{ "georgia_power_tou_gsd10.json", NULL },
	{ "ladwp_a3.json", NULL },
	{ "nipsco_gs_large_secondary.json", NULL },
	{ "peco_gs_ht_procurement3.json", "coincident demand charges "
	    "(coincidentratestructure) are not supported|sell rates (export "
	    "credit) in energyratestructure periods 0 are not supported" },
	{ "pge_a10.json", NULL },
	{ "pge_bev2s_2025.json", "reactive power charge "
	    "(demandreactivepowercharge 0.52 $/kVAR) is not supported: "
	    "billrun reads no kVAR data" },
	{ "pge_e19_secondary.json", NULL },
	{ "psco_residential_demand_rd.json", NULL },
	{ "reopt_custom_rate_0cadae26.json", NULL },
	{ "reopt_custom_rate_post.json", NULL },
	{ "reoptjl_synthetic_leap_year.json", NULL },
	{ "reoptjl_synthetic_multi_tier.json", NULL },
	{ "reoptjl_synthetic_subhourly.json", "sell rates (export credit) in "
	    "energyratestructure periods 0, 1, 2, 3, 4, 5, 6 are not "
	    "supported" },
	{ "reoptjl_synthetic_tiered_energy_demand.json", NULL },
	{ "reoptjl_synthetic_tiered_tou_demand.json", NULL },
	{ "sce_gs2_tou_b.json", NULL },
	{ "sce_tou8_optD_under2kV.json", "reactive power charge "
	    "(demandreactivepowercharge 0.66 $/kVAR) is not supported: billrun "
	    "reads no kVAR data" },
	{ "sce_tou8_reopt_case.json", "reactive power charge "
	    "(demandreactivepowercharge 0.51 $/kVAR) is not supported: billrun "
	    "reads no kVAR data" },
	{ "sce_tou_ev9_below2kV_2025.json", "reactive power charge "
	    "(demandreactivepowercharge 0.52 $/kVAR) is not supported: billrun "
	    "reads no kVAR data" },
	{ "sdge_al_tou_sec_above500kW.json", "reactive power charge "
	    "(demandreactivepowercharge 0.25 $/kVAR) is not supported: billrun "
	    "reads no kVAR data" },
	{ "sdge_ev_hp_eecc_cpp_d_2025.json", "reactive power charge "
	    "(demandreactivepowercharge 0.52 $/kVAR) is not supported: billrun "
	    "reads no kVAR data" },
	{ "smud_ci_tod3_sec_500_999kW.json", NULL },
	{ "smud_ci_tod4_sec_1000kW.json", NULL },
	{ "vepco_gs3_secondary.json", "reactive power charge "
	    "(demandreactivepowercharge 0.141 $/kVAR) is not supported: billrun "
	    "reads no kVAR data" },
	/* testdata/urdb only */
	{ "synthetic_tou_fuel.json", NULL },
	{ "synthetic_unsupported.json", "unknown URDB field 'tariffrider': it "
	    "may carry a charge|demandwindow 30 minutes: only 15-minute demand "
	    "is supported|fixedchargeunits '$/year' is not supported ($/month, "
	    "$/day)|energyratestructure[0][1]: the last tier has max 900 kWh: "
	    "usage above it has no rate" },
};

static const struct expect *
find_expect(const char *file)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (strcmp(samples[i].file, file) == 0)
			return &samples[i];
	return NULL;
}

/* Write YAML to a temporary file and load it as a tariff. */
static int
load_yaml(const char *yaml, size_t len, struct br_tariff *t,
    struct br_error *err)
{
	const char *path = fx_tmpfile_bytes("/tmp/check_urdb_XXXXXX", yaml,
	    len);
	int rc;

	rc = br_tariff_load(t, path, err);
	unlink(path);
	return rc;
}

static int
convert(const char *path, const char *const *ignore, size_t nignore,
    const char *label, struct br_urdb_result *r, struct br_error *err)
{
	struct br_urdb_opts o;

	memset(&o, 0, sizeof(o));
	o.source = path;
	o.ignore = ignore;
	o.nignore = nignore;
	o.label = label;
	o.code = "TEST";
	return br_urdb_convert_file(path, &o, r, err);
}

static void bill_smoke(const char *name, const struct br_tariff *t);

/* Check one file against the table; returns 1 when it converted. */
static int
check_file(const char *dir, const char *name)
{
	const struct expect *e = find_expect(name);
	struct br_urdb_result r;
	struct br_error err;
	struct br_tariff t;
	char path[1024];
	int rc, converted = 0;

	ck_assert_msg(e != NULL, "%s: sample missing from the table in "
	    "check_urdb.c", name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = convert(path, NULL, 0, strcmp(name, "synthetic_tou_fuel.json") ?
	    NULL : SYN_LABEL, &r, &err);
	if (e->problems == NULL) {
		ck_assert_msg(rc == 0, "%s: %s", name, err.msg);
		if (load_yaml(r.yaml, r.len, &t, &err) != 0)
			ck_abort_msg("%s: YAML does not load: line %ld: %s\n%s",
			    name, err.line, err.msg, r.yaml);
		ck_assert_str_eq(t.code, "TEST");
		ck_assert_int_ge((long)t.nversions, 1);
		bill_smoke(name, &t);
		br_tariff_release(&t);
		converted = 1;
	} else {
		char want[1024], *p, *save = NULL;
		size_t n = 0;
		ck_assert_msg(rc != 0, "%s: converted, expected failure", name);
		ck_assert_msg(err.code == BR_ECONFIG, "%s: %s", name, err.msg);
		ck_assert_ptr_null(r.yaml);
		snprintf(want, sizeof(want), "%s", e->problems);
		for (p = strtok_r(want, "|", &save); p;
		    p = strtok_r(NULL, "|", &save), n++) {
			size_t i;
			for (i = 0; i < r.nproblems; i++)
				if (strcmp(r.problems[i], p) == 0)
					break;
			ck_assert_msg(i < r.nproblems, "%s: missing problem "
			    "'%s' (first: '%s')", name, p, r.nproblems ?
			    r.problems[0] : "");
		}
		ck_assert_msg(r.nproblems == n, "%s: %zu problems, expected "
		    "%zu (first: %s)", name, r.nproblems, n, r.problems[0]);
		/* the error names the first problem */
		ck_assert_ptr_nonnull(strstr(err.msg, r.problems[0]));
		if (n == 1 && strncmp(e->problems, "reactive power", 14) == 0) {
			/* accepted knowingly, the rest converts and loads */
			static const char *const ign[] = {
				"demandreactivepowercharge" };
			struct br_urdb_result r2;
			ck_assert_int_eq(convert(path, ign, 1, NULL, &r2, &err),
			    0);
			if (load_yaml(r2.yaml, r2.len, &t, &err) != 0)
				ck_abort_msg("%s: line %ld: %s", name,
				    err.line, err.msg);
			br_tariff_release(&t);
			br_urdb_result_release(&r2);
		}
	}
	br_urdb_result_release(&r);
	return converted;
}

static int
check_dir(const char *dir, int *nfiles)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *names[128];
	size_t n = 0, i;
	int ok = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && n < 128) {
		size_t len = strlen(de->d_name);
		if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	for (i = 0; i < n; i++) {
		ok += check_file(dir, names[i]);
		free(names[i]);
	}
	*nfiles = (int)n;
	return ok;
}

START_TEST(test_shared_samples)
{
	char dir[1024];
	int n = 0, ok;

	if (fx_samples_dir("check_urdb", "urdb") == NULL)
		return;
	snprintf(dir, sizeof(dir), "%s/urdb", fx_samples());
	ok = check_dir(dir, &n);
	if (ok < 0)
		return;		/* no shared samples here (CI) */
	ck_assert_int_eq(n, 29);
	ck_assert_int_eq(ok, 20);
}
END_TEST

START_TEST(test_testdata_copies)
{
	char dir[1024];
	int n = 0, ok;

	snprintf(dir, sizeof(dir), "%s/testdata/urdb", fx_srcdir());
	ok = check_dir(dir, &n);
	ck_assert_int_eq(n, 14);
	ck_assert_int_eq(ok, 11);
}
END_TEST

/* ---- billing converted tariffs ------------------------------------------ */

struct days {
	struct br_interval_day *v;
	size_t n;
};

static void
make_days(const struct br_tz *tz, struct days *d, int32_t first,
    int32_t last, int64_t per_slot)
{
	d->n = (size_t)(last - first + 1);
	d->v = calloc(d->n, sizeof(*d->v));
	for (int32_t day = first; day <= last; day++) {
		struct br_interval_day *x = &d->v[day - first];
		snprintf(x->meter_id, sizeof(x->meter_id), "M1");
		x->channel = BR_CHANNEL_DELIVERED;
		x->day = day;
		x->interval_s = 900;
		x->n = br_tz_day_length(tz, day) / 900;
		x->values = calloc((size_t)x->n, sizeof(int64_t));
		x->quality = calloc((size_t)x->n, 1);
		for (int32_t i = 0; i < x->n; i++)
			x->values[i] = per_slot;
	}
}

static void
free_days(struct days *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].values);
		free(d->v[i].quality);
	}
	free(d->v);
}

/*
 * Convert testdata/urdb/<file>, load it and bill one month of constant
 * 15-minute usage in zone; returns the total in cents, lines in out.
 */
static int64_t
bill(const char *file, const char *label, const char *zone, int32_t first,
    int32_t last, int64_t per_slot, struct br_rate_lines *out,
    struct br_urdb_result *r)
{
	struct br_tariff t;
	struct br_tz tz;
	struct br_error err;
	struct br_rate_cache cache;
	struct br_rate_input in;
	struct days d;
	char path[1024];
	int64_t total = 0;

	snprintf(path, sizeof(path), "%s/testdata/urdb/%s", fx_srcdir(), file);
	if (convert(path, NULL, 0, label, r, &err) != 0)
		ck_abort_msg("%s: %s", file, err.msg);
	if (load_yaml(r->yaml, r->len, &t, &err) != 0)
		ck_abort_msg("%s: line %ld: %s", file, err.line, err.msg);
	if (br_tz_load(&tz, zone, &err) != 0)
		ck_abort_msg("tz: %s", err.msg);
	make_days(&tz, &d, first, last, per_slot);
	ck_assert_int_eq(br_rate_cache_init(&cache, &tz, first, last, &err),
	    0);
	memset(&in, 0, sizeof(in));
	memset(out, 0, sizeof(*out));
	in.tariff = &t;
	in.cache = &cache;
	in.period_first = in.service_first = first;
	in.period_last = in.service_last = last;
	in.days = d.v;
	in.ndays = d.n;
	if (br_rate_compute(&in, out, &err) != 0)
		ck_abort_msg("%s: rate: %s", file, err.msg);
	for (size_t i = 0; i < out->n; i++)
		total += out->v[i].amount_cents;
	br_rate_cache_release(&cache);
	free_days(&d);
	br_tz_release(&tz);
	br_tariff_release(&t);
	return total;
}

static int64_t
cents(const struct br_rate_lines *l, const char *code)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].code, code) == 0)
			return l->v[i].amount_cents;
	ck_abort_msg("no line %s", code);
	return -1;
}

static const char *
trace_of(const struct br_rate_lines *l, const char *code)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].code, code) == 0)
			return l->v[i].trace;
	ck_abort_msg("no line %s", code);
	return NULL;
}

static bool
has_note(const struct br_urdb_result *r, const char *part)
{
	for (size_t i = 0; i < r->nnotes; i++)
		if (strstr(r->notes[i], part))
			return true;
	return false;
}

/*
 * Every converted tariff bills: January and July 2026 (America/Chicago,
 * both seasons of most tariffs), 1 kWh a slot plus a 3 kWh slot, rate
 * without error and with a positive total.
 */
static void
bill_smoke(const char *name, const struct br_tariff *t)
{
	static const int months[2] = { 1, 7 };
	struct br_tz tz;
	struct br_error err;

	if (br_tz_load(&tz, "America/Chicago", &err) != 0)
		ck_abort_msg("tz: %s", err.msg);
	for (int k = 0; k < 2; k++) {
		int32_t first = D(2026, months[k], 1);
		int32_t last = first + br_date_month_days(2026, months[k]) - 1;
		struct br_rate_cache cache;
		struct br_rate_input in;
		struct br_rate_lines l;
		struct days d;
		int64_t total = 0;
		make_days(&tz, &d, first, last, 1000);
		d.v[14].values[60] = 3000;
		ck_assert_int_eq(br_rate_cache_init(&cache, &tz, first, last,
		    &err), 0);
		memset(&in, 0, sizeof(in));
		memset(&l, 0, sizeof(l));
		in.tariff = t;
		in.cache = &cache;
		in.period_first = in.service_first = first;
		in.period_last = in.service_last = last;
		in.days = d.v;
		in.ndays = d.n;
		if (br_rate_compute(&in, &l, &err) != 0)
			ck_abort_msg("%s: month %d: %s", name, months[k],
			    err.msg);
		for (size_t i = 0; i < l.n; i++)
			total += l.v[i].amount_cents;
		ck_assert_msg(total > 0, "%s: month %d bills %lld", name,
		    months[k], (long long)total);
		br_rate_lines_release(&l);
		br_rate_cache_release(&cache);
		free_days(&d);
	}
	br_tz_release(&tz);
}

struct spike {
	int day, slot;		/* day index in the month, slot */
	int64_t value;
};

/* Convert testdata/urdb/<file> and bill a month with spikes. */
static int64_t
bill_spikes(const char *file, const char *zone, int32_t first, int32_t last,
    int64_t per_slot, const struct spike *sp, size_t nsp,
    struct br_rate_lines *out)
{
	struct br_urdb_result r;
	struct br_tariff t;
	struct br_tz tz;
	struct br_error err;
	struct br_rate_cache cache;
	struct br_rate_input in;
	struct days d;
	char path[1024];
	int64_t total = 0;

	snprintf(path, sizeof(path), "%s/testdata/urdb/%s", fx_srcdir(), file);
	if (convert(path, NULL, 0, NULL, &r, &err) != 0)
		ck_abort_msg("%s: %s", file, err.msg);
	if (load_yaml(r.yaml, r.len, &t, &err) != 0)
		ck_abort_msg("%s: line %ld: %s\n%s", file, err.line, err.msg,
		    r.yaml);
	ck_assert_int_eq(br_tz_load(&tz, zone, &err), 0);
	make_days(&tz, &d, first, last, per_slot);
	for (size_t i = 0; i < nsp; i++)
		d.v[sp[i].day].values[sp[i].slot] = sp[i].value;
	ck_assert_int_eq(br_rate_cache_init(&cache, &tz, first, last, &err),
	    0);
	memset(&in, 0, sizeof(in));
	memset(out, 0, sizeof(*out));
	in.tariff = &t;
	in.cache = &cache;
	in.period_first = in.service_first = first;
	in.period_last = in.service_last = last;
	in.days = d.v;
	in.ndays = d.n;
	if (br_rate_compute(&in, out, &err) != 0)
		ck_abort_msg("%s: rate: %s", file, err.msg);
	for (size_t i = 0; i < out->n; i++)
		total += out->v[i].amount_cents;
	br_rate_cache_release(&cache);
	free_days(&d);
	br_tz_release(&tz);
	br_tariff_release(&t);
	br_urdb_result_release(&r);
	return total;
}

/* NIPSCO GS-Large: energy blocks and flat demand in kW blocks. */
START_TEST(test_bill_nipsco_demand_blocks)
{
	struct br_rate_lines l;

	/* October 2026, 25 kWh a slot (100 kW): 74400 kWh; 30000 x
	 * 0.084598 = 2537.94, 44400 x 0.076898 = 3414.2712 -> 3414.27;
	 * demand 50 kW x 0 + 50 kW x 12.49 = 624.50; customer 954.50 */
	ck_assert_int_eq(bill_spikes("nipsco_gs_large_secondary.json",
	    "America/Chicago", D(2026, 10, 1), D(2026, 10, 31), 25000, NULL, 0,
	    &l), 253794 + 341427 + 0 + 62450 + 95450);
	ck_assert_int_eq(cents(&l, "ENERGY_T2"), 341427);
	ck_assert_int_eq(cents(&l, "DEMAND_T1"), 0);
	ck_assert_int_eq(cents(&l, "DEMAND_T2"), 62450);
	br_rate_lines_release(&l);
}
END_TEST

/* Georgia Power TOU-GSD-10: summer demand over two energy periods. */
START_TEST(test_bill_georgia_demand_two_periods)
{
	static const struct spike sp[] = {
		{ 14, 48, 10000 },	/* Wed Jul 15 12:00: p1, 40 kW */
		{ 15, 60, 5000 },	/* Thu Jul 16 15:00: p0, 20 kW */
	};
	struct br_rate_lines l;

	/* July 2026, 1 kW, 23 weekdays: p0 (14-19) 115 + 4.75 = 119.75 kWh
	 * x 0.184723 = 22.12; p1 (12-14, 19-21) 92 + 9.75 = 101.75 x
	 * 0.109881 = 11.18; p2 758.5 - 221.5 = 537 x 0.058247 = 31.28;
	 * demand outside p0 (p2 + p1) 40 kW x 6.539 = 261.56, p0 20 kW x
	 * 19.58 = 391.60; customer 261.32 */
	ck_assert_int_eq(bill_spikes("georgia_power_tou_gsd10.json",
	    "America/New_York", D(2026, 7, 1), D(2026, 7, 31), 250, sp, 2, &l),
	    2212 + 1118 + 3128 + 26156 + 39160 + 26132);
	ck_assert_int_eq(cents(&l, "DEMAND_P2_P1"), 26156);
	ck_assert_int_eq(cents(&l, "DEMAND_P0"), 39160);
	br_rate_lines_release(&l);
}
END_TEST

/* REopt custom rate: tiers inside a TOU period, demand blocks, demand
 * over two energy periods. */
START_TEST(test_bill_reopt_tou_tiers)
{
	struct br_rate_lines l;

	/* January 2026 (jan_feb), 2 kW: p1 on the 9 weekend days 432 kWh:
	 * 355 x 0.054 = 19.17 + 77 x 0.073 = 5.621 -> 5.62; p2 (weekdays
	 * 11-19) 22 x 16 = 352 x 0.082 = 28.864 -> 28.86; p3 22 x 32 =
	 * 704 x 0.095 = 66.88; demand p2 2 kW x 10.68 (first block) =
	 * 21.36, p3 + p1 2 kW x 14.35 = 28.70 */
	ck_assert_int_eq(bill_spikes("reopt_custom_rate_post.json",
	    "America/Chicago", D(2026, 1, 1), D(2026, 1, 31), 500, NULL, 0, &l),
	    1917 + 562 + 2886 + 6688 + 2136 + 2870);
	ck_assert_int_eq(cents(&l, "ENERGY_P1_T1"), 1917);
	ck_assert_int_eq(cents(&l, "ENERGY_P1_T2"), 562);
	ck_assert_int_eq(cents(&l, "DEMAND_P2_T1"), 2136);
	ck_assert_int_eq(cents(&l, "DEMAND_P3_P1"), 2870);
	br_rate_lines_release(&l);
}
END_TEST

START_TEST(test_bill_jackson_tiers)
{
	struct br_rate_lines l;
	struct br_urdb_result r;

	/* October (season oct_apr), 0.5 kWh a slot = 1488 kWh:
	 * 650 x 0.0896 = 58.24, 350 x 0.0831 = 29.085 -> 29.09,
	 * 488 x 0.0821 = 40.0648 -> 40.06, customer 5.50 */
	ck_assert_int_eq(bill("Jackson_EMC_A_Residential_Senior_LowIncome_"
	    "2017.json", NULL, "America/New_York", D(2026, 10, 1),
	    D(2026, 10, 31), 500, &l, &r), 13289);
	ck_assert_int_eq(cents(&l, "CUSTOMER"), 550);
	ck_assert_int_eq(cents(&l, "ENERGY_T1"), 5824);
	ck_assert_int_eq(cents(&l, "ENERGY_T2"), 2909);
	ck_assert_int_eq(cents(&l, "ENERGY_T3"), 4006);
	ck_assert_int_eq(l.n, 4);
	ck_assert(has_note(&r, "dgrules 'Net Metering' not represented"));
	br_rate_lines_release(&l);
	br_urdb_result_release(&r);

	/* July (season may_sep): 1 kWh a slot = 2976 kWh:
	 * 650 x 0.0896 = 58.24, 350 x 0.1121 = 39.235 -> 39.24,
	 * 1976 x 0.1181 = 233.3656 -> 233.37 */
	ck_assert_int_eq(bill("Jackson_EMC_A_Residential_Senior_LowIncome_"
	    "2017.json", NULL, "America/New_York", D(2026, 7, 1),
	    D(2026, 7, 31), 1000, &l, &r), 550 + 5824 + 3924 + 23337);
	br_rate_lines_release(&l);
	br_urdb_result_release(&r);
}
END_TEST

START_TEST(test_bill_pge_a10_tou_daily)
{
	struct br_rate_lines l;
	struct br_urdb_result r;

	/* October 2026 (summer May-Oct), 1 kWh a slot (4 kW), 22 weekdays
	 * and 9 weekend days.  p3 weekday 08-12 + 18-21: 22 x 7 h x 4 = 616
	 * kWh x 0.29771 = 183.38936; p4 weekday 12-18: 528 x 0.29771 =
	 * 157.19088; p2 the rest: (22 x 11 + 9 x 24) x 4 = 1832 x 0.27092 =
	 * 496.32544; customer 11.51068 x 31 days = 356.83108; demand 4 kW x
	 * 24.38 = 97.52 */
	ck_assert_int_eq(bill("pge_a10.json", NULL, "America/Los_Angeles",
	    D(2026, 10, 1), D(2026, 10, 31), 1000, &l, &r), 129126);
	ck_assert_int_eq(cents(&l, "ENERGY_P3"), 18339);
	ck_assert_int_eq(cents(&l, "ENERGY_P4"), 15719);
	ck_assert_int_eq(cents(&l, "ENERGY_P2"), 49633);
	ck_assert_int_eq(cents(&l, "CUSTOMER"), 35683);
	ck_assert_int_eq(cents(&l, "DEMAND"), 9752);
	ck_assert_int_eq(l.n, 5);
	br_rate_lines_release(&l);
	br_urdb_result_release(&r);
}
END_TEST

START_TEST(test_bill_psco_adj_rounded)
{
	struct br_rate_lines l;
	struct br_urdb_result r;

	/* 0.01974 + adj 0.0283685 = 0.0481085, held exactly (7 decimals,
	 * no rounding note); October (demand season oct_may 7.76 + 1.38 =
	 * 9.14): 744 kWh x 0.0481085 = 35.792724 -> 35.79; 1 kW x 9.14;
	 * 15.91 */
	ck_assert_int_eq(bill("psco_residential_demand_rd.json", NULL,
	    "America/Denver", D(2026, 10, 1), D(2026, 10, 31), 250, &l, &r),
	    3579 + 914 + 1591);
	ck_assert_int_eq(cents(&l, "ENERGY"), 3579);
	ck_assert_int_eq(cents(&l, "DEMAND"), 914);
	ck_assert_ptr_nonnull(strstr(r.yaml, "rate: 0.0481085   #"));
	ck_assert(!has_note(&r, "energyratestructure[0][0]: 0.0481085 "
	    "rounded"));
	ck_assert_ptr_nonnull(strstr(trace_of(&l, "ENERGY"),
	    "744.000 kWh x 0.0481085 = 35.792724 -> 35.79"));
	br_rate_lines_release(&l);
	br_urdb_result_release(&r);
	/* July: demand 10.08 + 1.43 = 11.51 */
	ck_assert_int_eq(bill("psco_residential_demand_rd.json", NULL,
	    "America/Denver", D(2026, 7, 1), D(2026, 7, 31), 250, &l, &r),
	    3579 + 1151 + 1591);
	br_rate_lines_release(&l);
	br_urdb_result_release(&r);
}
END_TEST

START_TEST(test_bill_reopt_flat)
{
	struct br_rate_lines l;
	struct br_urdb_result r;

	/* 744 kWh x 0.20 = 148.80, 1 kW x 10 = 10.00; no startdate */
	ck_assert_int_eq(bill("reopt_custom_rate_0cadae26.json", NULL,
	    "America/Chicago", D(2026, 10, 1), D(2026, 10, 31), 250, &l, &r),
	    15880);
	ck_assert(has_note(&r, "no startdate: effective from 1970-01-01"));
	br_rate_lines_release(&l);
	br_urdb_result_release(&r);
}
END_TEST

START_TEST(test_bill_synthetic_tou_fuel)
{
	struct br_rate_lines l;
	struct br_urdb_result r;

	/* October (oct_mar, fuel 0.001), 1 kWh a slot, 22 weekdays + 9
	 * weekend days.  super_off_peak 00-06 every day: 744 kWh x 0.051 =
	 * 37.944; peak weekday 17-21: 352 x 0.251 = 88.352; peak weekend
	 * 12-16: 144 x 0.251 = 36.144; off_peak: 1736 x 0.1135 = 197.036;
	 * customer 0.50 x 31 = 15.50; demand 4 kW x 5 = 20.00 */
	ck_assert_int_eq(bill("synthetic_tou_fuel.json", SYN_LABEL,
	    "America/Chicago", D(2026, 10, 1), D(2026, 10, 31), 1000, &l, &r),
	    39497);
	ck_assert_int_eq(cents(&l, "ENERGY_SUPER_OFF_PEAK"), 3794);
	ck_assert_int_eq(cents(&l, "ENERGY_PEAK_WEEKDAY"), 8835);
	ck_assert_int_eq(cents(&l, "ENERGY_PEAK_WEEKEND"), 3614);
	ck_assert_int_eq(cents(&l, "ENERGY_OFF_PEAK"), 19704);
	ck_assert_int_eq(cents(&l, "CUSTOMER"), 1550);
	ck_assert_int_eq(cents(&l, "DEMAND"), 2000);
	ck_assert_str_eq(r.code, "TEST");
	br_rate_lines_release(&l);
	br_urdb_result_release(&r);

	/* July (jun_sep, fuel 0.003), 23 weekdays + 8 weekend days.
	 * super_off_peak weekend 12-14 + 18-20: 128 kWh x 0.053 = 6.784;
	 * peak weekday 12-20 + weekend 14-18: 864 x 0.253 = 218.592;
	 * off_peak 1984 x 0.1155 = 229.152; 15.50; 4 kW x 8.50 = 34.00 */
	ck_assert_int_eq(bill("synthetic_tou_fuel.json", SYN_LABEL,
	    "America/Chicago", D(2026, 7, 1), D(2026, 7, 31), 1000, &l, &r),
	    678 + 21859 + 22915 + 1550 + 3400);
	ck_assert_int_eq(cents(&l, "ENERGY_PEAK"), 21859);
	ck_assert(strstr(r.yaml, "{name: peak, hours: \"12:00-20:00\", "
	    "rate: 0.253}") != NULL);
	br_rate_lines_release(&l);
	br_urdb_result_release(&r);
}
END_TEST

START_TEST(test_bill_fpl_minimum)
{
	struct br_rate_lines l;
	struct br_urdb_result r;

	/* October, 0.25 kWh a slot: 744 kWh x (0.01958 + 0.03544) =
	 * 40.93488 -> 40.93; 1 kW x (13.59 + 2.06) = 15.65; customer 88.67;
	 * charges 145.25 are below the 6833.67 minimum: +6688.42 */
	ck_assert_int_eq(bill("fpl_gsld1.json", NULL, "America/New_York",
	    D(2026, 10, 1), D(2026, 10, 31), 250, &l, &r), 683367);
	ck_assert_int_eq(cents(&l, "ENERGY"), 4093);
	ck_assert_int_eq(cents(&l, "DEMAND"), 1565);
	ck_assert_int_eq(cents(&l, "MINIMUM"), 668842);
	ck_assert_ptr_nonnull(strstr(r.yaml, "    minimum: {amount: 6833.67, "
	    "per: month}   # mincharge\n"));
	br_rate_lines_release(&l);
	br_urdb_result_release(&r);
}
END_TEST

START_TEST(test_bill_smud_tou_demand)
{
	struct br_rate_lines l;
	struct br_urdb_result r;
	struct br_tariff t;
	struct br_tz tz;
	struct br_error err;
	struct br_rate_cache cache;
	struct br_rate_input in;
	struct days d;
	char path[1024];
	int64_t total = 0;

	/* July 2026 (jun_sep), 1 kWh a slot (4 kW), one 3 kWh slot (12 kW)
	 * on Saturday July 4 at 10:00.  p3 weekday 16-21: 23 x 5 h x 4 =
	 * 460 kWh x 0.2297 = 105.662; p4: 2978 - 460 = 2518 x 0.1121 =
	 * 282.2678; demand (all hours) 12 kW x 5.539 = 66.468; TOU demand
	 * in p3 4 kW x 11.609 = 46.436; customer 2339.50 */
	snprintf(path, sizeof(path), "%s/testdata/urdb/smud_ci_tod3_sec_500_"
	    "999kW.json", fx_srcdir());
	ck_assert_int_eq(convert(path, NULL, 0, NULL, &r, &err), 0);
	if (load_yaml(r.yaml, r.len, &t, &err) != 0)
		ck_abort_msg("line %ld: %s", err.line, err.msg);
	ck_assert_int_eq(br_tz_load(&tz, "America/Los_Angeles", &err), 0);
	make_days(&tz, &d, D(2026, 7, 1), D(2026, 7, 31), 1000);
	d.v[3].values[40] = 3000;
	ck_assert_int_eq(br_rate_cache_init(&cache, &tz, D(2026, 7, 1),
	    D(2026, 7, 31), &err), 0);
	memset(&in, 0, sizeof(in));
	memset(&l, 0, sizeof(l));
	in.tariff = &t;
	in.cache = &cache;
	in.period_first = in.service_first = D(2026, 7, 1);
	in.period_last = in.service_last = D(2026, 7, 31);
	in.days = d.v;
	in.ndays = d.n;
	if (br_rate_compute(&in, &l, &err) != 0)
		ck_abort_msg("rate: %s", err.msg);
	for (size_t i = 0; i < l.n; i++)
		total += l.v[i].amount_cents;
	ck_assert_int_eq(cents(&l, "ENERGY_P3"), 10566);
	ck_assert_int_eq(cents(&l, "ENERGY_P4"), 28227);
	ck_assert_int_eq(cents(&l, "DEMAND"), 6647);
	ck_assert_int_eq(cents(&l, "DEMAND_P3"), 4644);
	ck_assert_int_eq(cents(&l, "CUSTOMER"), 233950);
	ck_assert_int_eq(total, 284034);
	br_rate_cache_release(&cache);
	free_days(&d);
	br_tz_release(&tz);
	br_tariff_release(&t);
	br_rate_lines_release(&l);
	br_urdb_result_release(&r);
}
END_TEST

/* ---- options and edge cases -------------------------------------------- */

static int
conv_text(const char *json, struct br_urdb_result *r, struct br_error *err)
{
	struct br_urdb_opts o;

	memset(&o, 0, sizeof(o));
	o.source = "x.json";
	return br_urdb_convert(json, strlen(json), &o, r, err);
}

START_TEST(test_ignore_reactive)
{
	static const char *const ign[] = { "demandreactivepowercharge" };
	struct br_urdb_result r;
	struct br_error err;
	struct br_tariff t;
	char path[1024];

	snprintf(path, sizeof(path), "%s/testdata/urdb/sdge_ev_hp_eecc_cpp_"
	    "d_2025.json", fx_srcdir());
	ck_assert_int_eq(convert(path, ign, 1, NULL, &r, &err), 0);
	ck_assert(has_note(&r, "dropped by --ignore demandreactivepowercharge"
	    ": reactive power charge (demandreactivepowercharge 0.52 $/kVAR)"));
	ck_assert_ptr_nonnull(strstr(r.yaml, "# DROPPED (--ignore "
	    "demandreactivepowercharge): reactive power charge"));
	if (load_yaml(r.yaml, r.len, &t, &err) != 0)
		ck_abort_msg("line %ld: %s", err.line, err.msg);
	/* six TOU periods in two seasons (summer Jun-Oct, winter Nov-May
	 * with a different March-April schedule) */
	ck_assert_int_eq((long)t.nseasons, 4);
	br_tariff_release(&t);
	br_urdb_result_release(&r);
}
END_TEST

START_TEST(test_numbers_and_dates)
{
	struct br_urdb_result r;
	struct br_error err;

	/* exponent, string number, 39-digit max, float epoch, code */
	ck_assert_int_eq(conv_text("{\"label\":\"abc\",\"startdate\":"
	    "1401580800.0,\"energyratestructure\":[[{\"rate\":1.5e-2,"
	    "\"adj\":\"0.0000004\",\"max\":1000000000000000000000000000000000"
	    "00000}]]}", &r, &err), 0);
	ck_assert_ptr_nonnull(strstr(r.yaml, "code: URDB-abc\n"));
	ck_assert_ptr_nonnull(strstr(r.yaml, "effective: 2014-06-01\n"));
	ck_assert_ptr_nonnull(strstr(r.yaml, "rate: 0.0150004   #"));
	ck_assert(!has_note(&r, "0.0150004 rounded"));
	br_urdb_result_release(&r);

	/* more than 9 decimals: rounded half up at the ninth, noted */
	ck_assert_int_eq(conv_text("{\"energyratestructure\":[[{\"rate\":"
	    "0.12345678950}]]}", &r, &err), 0);
	ck_assert_ptr_nonnull(strstr(r.yaml, "rate: 0.12345679   #"));
	ck_assert(has_note(&r, "0.1234567895 rounded half up to 0.12345679 "
	    "(the tariff language holds rates to 9 decimals)"));
	br_urdb_result_release(&r);

	/* 7 decimals kept exactly; string date; camelCase unit */
	ck_assert_int_eq(conv_text("{\"startdate\":\"2019-03-01 00:00:00\","
	    "\"energyratestructure\":[[{\"rate\":0.1234565}]],"
	    "\"flatdemandstructure\":[[{\"rate\":2}]],\"flatDemandUnits\":"
	    "\"kW\"}", &r, &err), 0);
	ck_assert_ptr_nonnull(strstr(r.yaml, "rate: 0.1234565   #"));
	ck_assert_ptr_nonnull(strstr(r.yaml, "effective: 2019-03-01\n"));
	ck_assert_ptr_nonnull(strstr(r.yaml, "demand:\n      - {rate: 2.00}"));
	br_urdb_result_release(&r);

	/* a credit below zero and hp demand cannot be represented */
	ck_assert_int_eq(conv_text("{\"energyratestructure\":[[{\"rate\":0.01,"
	    "\"adj\":-0.02}]],\"flatdemandstructure\":[[{\"rate\":2}]],"
	    "\"flatdemandunit\":\"hp\"}", &r, &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_int_eq((long)r.nproblems, 2);
	ck_assert_str_eq(r.problems[0], "flatdemandunit: demand unit 'hp' is "
	    "not supported (only kW)");
	ck_assert_str_eq(r.problems[1], "energyratestructure[0][0]: negative "
	    "rate -0.01 (a credit) is not supported");
	br_urdb_result_release(&r);

	/* malformed JSON: line of the error */
	ck_assert_int_eq(conv_text("{\n\"energyratestructure\": [[{\"rate\": "
	    "0.1,}]]\n}", &r, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 2);
	br_urdb_result_release(&r);

	/* schedule pointing at a missing period */
	ck_assert_int_eq(conv_text("{\"energyratestructure\":[[{\"rate\":0.1}"
	    "],[{\"rate\":0.2}]],\"energyweekdayschedule\":[[0,0,0,0,0,0,0,0,"
	    "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2]]}", &r, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_str_eq(err.msg, "energyweekdayschedule: expected 12 rows "
	    "(months)");
	br_urdb_result_release(&r);

	/* indexes are whole numbers: 1.0 is period 1, 1.5 is refused, not
	 * truncated to 1; a structure index given as a string is refused,
	 * not read as 0 */
	{
		char js[2048], row[128];
		size_t k, n;
		const char *last[] = { "1.0", "1.5" };
		for (int c = 0; c < 2; c++) {
			snprintf(row, sizeof(row), "[0,0,0,0,0,0,0,0,0,0,0,0,"
			    "0,0,0,0,0,0,0,0,0,0,0,%s]", last[c]);
			n = (size_t)snprintf(js, sizeof(js), "{\"startdate\":"
			    "\"2026-01-01\",\"energyratestructure\":[[{\"rate\":"
			    "0.1}],[{\"rate\":0.2}]],\"energyweekdayschedule\":[");
			for (k = 0; k < 24; k++)
				n += (size_t)snprintf(js + n, sizeof(js) - n,
				    "%s%s", row, k == 11 ? "],\"energyweekend"
				    "schedule\":[" : k == 23 ? "]}" : ",");
			ck_assert_int_eq(conv_text(js, &r, &err), c == 0 ? 0 : -1);
			if (c == 1) {
				ck_assert_int_eq(err.code, BR_EINPUT);
				ck_assert_str_eq(err.msg, "energyweekdayschedule[0][23]: "
				    "expected a period number");
			}
			br_urdb_result_release(&r);
		}
	}
	ck_assert_int_eq(conv_text("{\"startdate\":\"2026-01-01\","
	    "\"energyratestructure\":[[{\"rate\":0.1}]],"
	    "\"flatdemandstructure\":[[{\"rate\":10}],[{\"rate\":12}]],"
	    "\"flatdemandmonths\":[0,0,0,0,0,\"1\",1,1,1,0,0,0]}", &r, &err),
	    -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_str_eq(err.msg, "flatdemandmonths[5]: expected a structure "
	    "index");
	br_urdb_result_release(&r);

	/* several items need --label */
	ck_assert_int_eq(conv_text("{\"items\":[{\"label\":\"a\"},"
	    "{\"label\":\"b\"}]}", &r, &err), -1);
	ck_assert_str_eq(err.msg, "items: 2 tariffs; choose one with --label "
	    "(labels: a, b)");
	br_urdb_result_release(&r);
}
END_TEST

START_TEST(test_ratchet_lookback)
{
	struct br_urdb_result r;
	struct br_error err;
	struct br_tariff t;
	struct br_tz tz;
	struct br_rate_cache cache;
	struct br_rate_input in;
	struct br_rate_prior prior;
	struct br_rate_lines l;
	struct days d;

	ck_assert_int_eq(conv_text("{\"startdate\":\"2026-01-01\","
	    "\"energyratestructure\":[[{\"rate\":0.1}]],"
	    "\"flatdemandstructure\":[[{\"rate\":10}]],"
	    "\"flatdemandmonths\":[0,0,0,0,0,0,0,0,0,0,0,0],"
	    "\"lookbackpercent\":0.8,\"lookbackrange\":11,"
	    "\"lookbackmonths\":[]}", &r, &err), 0);
	ck_assert_ptr_nonnull(strstr(r.yaml, "      - {rate: 10.00, ratchet: "
	    "{percent: 80, months: 11}}"));
	if (load_yaml(r.yaml, r.len, &t, &err) != 0)
		ck_abort_msg("line %ld: %s", err.line, err.msg);
	/* October 1 kW; the July bill had 10 kW: billed 80 % = 8 kW */
	ck_assert_int_eq(br_tz_load(&tz, "America/Chicago", &err), 0);
	make_days(&tz, &d, D(2026, 10, 1), D(2026, 10, 31), 250);
	ck_assert_int_eq(br_rate_cache_init(&cache, &tz, D(2026, 10, 1),
	    D(2026, 10, 31), &err), 0);
	memset(&prior, 0, sizeof(prior));
	prior.period_first = D(2026, 7, 1);
	prior.period_last = D(2026, 7, 31);
	prior.demand_milli = 10000;
	memset(&in, 0, sizeof(in));
	memset(&l, 0, sizeof(l));
	in.tariff = &t;
	in.cache = &cache;
	in.period_first = in.service_first = D(2026, 10, 1);
	in.period_last = in.service_last = D(2026, 10, 31);
	in.days = d.v;
	in.ndays = d.n;
	in.prior = &prior;
	in.nprior = 1;
	if (br_rate_compute(&in, &l, &err) != 0)
		ck_abort_msg("rate: %s", err.msg);
	ck_assert_int_eq(cents(&l, "DEMAND"), 8000);
	ck_assert_int_eq(cents(&l, "ENERGY"), 7440);
	br_rate_lines_release(&l);
	br_rate_cache_release(&cache);
	free_days(&d);
	br_tz_release(&tz);
	br_tariff_release(&t);
	br_urdb_result_release(&r);

	/* specific months and a ratchet without demand are refused */
	ck_assert_int_eq(conv_text("{\"energyratestructure\":[[{\"rate\":"
	    "0.1}]],\"lookbackpercent\":0.5,\"lookbackmonths\":[1,0,0,0,0,"
	    "0,0,0,0,0,0,0]}", &r, &err), -1);
	ck_assert_str_eq(r.problems[0], "demand ratchet over specific months "
	    "(lookbackmonths) is not supported");
	br_urdb_result_release(&r);
	ck_assert_int_eq(conv_text("{\"energyratestructure\":[[{\"rate\":"
	    "0.1}]],\"lookbackpercent\":0.5,\"lookbackrange\":12}", &r,
	    &err), -1);
	ck_assert_str_eq(r.problems[0], "demand ratchet (lookbackpercent) "
	    "without a monthly maximum demand charge in all months");
	br_urdb_result_release(&r);
}
END_TEST

START_TEST(test_nem_netting)
{
	struct br_urdb_opts o;
	struct br_urdb_result r;
	struct br_error err;
	struct br_tariff t;
	struct br_tz tz;
	struct br_rate_cache cache;
	struct br_rate_input in;
	struct br_rate_lines l;
	struct days d, x;
	char path[1024];
	int64_t total = 0;

	memset(&o, 0, sizeof(o));
	snprintf(path, sizeof(path), "%s/testdata/urdb/Jackson_EMC_A_"
	    "Residential_Senior_LowIncome_2017.json", fx_srcdir());
	o.source = path;
	o.code = "J";
	o.nem_program = "NEM2";
	o.nem_surplus = "0.03";
	ck_assert_int_eq(br_urdb_convert_file(path, &o, &r, &err), 0);
	ck_assert_ptr_nonnull(strstr(r.yaml, "    net_metering:   # dgrules: "
	    "Net Metering\n      - {program: NEM2, mode: netting, "
	    "surplus_rate: 0.03, true_up_month: 12}\n"));
	if (load_yaml(r.yaml, r.len, &t, &err) != 0)
		ck_abort_msg("line %ld: %s", err.line, err.msg);
	/* October: 1488 kWh delivered, 744 received: 744 kWh net:
	 * 650 x 0.0896 = 58.24, 94 x 0.0831 = 7.8114 -> 7.81, 5.50 */
	ck_assert_int_eq(br_tz_load(&tz, "America/New_York", &err), 0);
	make_days(&tz, &d, D(2026, 10, 1), D(2026, 10, 31), 500);
	make_days(&tz, &x, D(2026, 10, 1), D(2026, 10, 31), 250);
	for (size_t i = 0; i < x.n; i++)
		x.v[i].channel = BR_CHANNEL_RECEIVED;
	ck_assert_int_eq(br_rate_cache_init(&cache, &tz, D(2026, 10, 1),
	    D(2026, 10, 31), &err), 0);
	memset(&in, 0, sizeof(in));
	memset(&l, 0, sizeof(l));
	in.tariff = &t;
	in.cache = &cache;
	in.period_first = in.service_first = D(2026, 10, 1);
	in.period_last = in.service_last = D(2026, 10, 31);
	in.days = d.v;
	in.ndays = d.n;
	in.recv = x.v;
	in.nrecv = x.n;
	in.nem_program = "NEM2";
	if (br_rate_compute(&in, &l, &err) != 0)
		ck_abort_msg("rate: %s", err.msg);
	for (size_t i = 0; i < l.n; i++)
		total += l.v[i].amount_cents;
	ck_assert_int_eq(cents(&l, "ENERGY_T1"), 5824);
	ck_assert_int_eq(cents(&l, "ENERGY_T2"), 781);
	ck_assert_int_eq(total, 5824 + 781 + 550);
	br_rate_lines_release(&l);
	br_rate_cache_release(&cache);
	free_days(&d);
	free_days(&x);
	br_tz_release(&tz);
	br_tariff_release(&t);
	br_urdb_result_release(&r);

	/* without a surplus rate the rule cannot be written */
	o.nem_surplus = NULL;
	ck_assert_int_eq(br_urdb_convert_file(path, &o, &r, &err), -1);
	ck_assert_str_eq(r.problems[0], "net metering (dgrules Net Metering) "
	    "needs --nem-surplus-rate (URDB has no true-up rate)");
	br_urdb_result_release(&r);
}
END_TEST

START_TEST(test_all_items_versions)
{
	struct br_urdb_opts o;
	struct br_urdb_result r;
	struct br_error err;
	struct br_tariff t;
	struct br_rate_lines l;
	struct br_urdb_result r2;
	char path[1024];

	memset(&o, 0, sizeof(o));
	snprintf(path, sizeof(path), "%s/testdata/urdb/synthetic_tou_fuel.json",
	    fx_srcdir());
	o.source = path;
	o.all_items = true;
	ck_assert_int_eq(br_urdb_convert_file(path, &o, &r, &err), 0);
	/* code from the latest item; versions in startdate order */
	ck_assert_str_eq(r.code, "URDB-bbbbbbbbbbbbbbbbbbbbbbb2");
	ck_assert_ptr_nonnull(strstr(r.yaml, "# version 2020-01-01: label "
	    "aaaaaaaaaaaaaaaaaaaaaaa1\n# version 2026-01-01: label "
	    "bbbbbbbbbbbbbbbbbbbbbbb2\n"));
	ck_assert_ptr_nonnull(strstr(r.yaml, "versions:\n  - effective: "
	    "2020-01-01\n    energy:\n      - season: apr_may\n        rate: "
	    "0.10"));
	if (load_yaml(r.yaml, r.len, &t, &err) != 0)
		ck_abort_msg("line %ld: %s", err.line, err.msg);
	ck_assert_int_eq((long)t.nversions, 2);
	br_tariff_release(&t);
	br_urdb_result_release(&r);
	(void)l;
	(void)r2;
}
END_TEST

static Suite *
urdb_suite(void)
{
	Suite *s = suite_create("urdb");
	TCase *tc = tcase_create("core");
	TCase *ts = tcase_create("samples");

	tcase_set_timeout(tc, 60);
	tcase_set_timeout(ts, 60);
	tcase_add_test(ts, test_shared_samples);
	tcase_add_test(tc, test_testdata_copies);
	tcase_add_test(tc, test_bill_jackson_tiers);
	tcase_add_test(tc, test_bill_pge_a10_tou_daily);
	tcase_add_test(tc, test_bill_psco_adj_rounded);
	tcase_add_test(tc, test_bill_reopt_flat);
	tcase_add_test(tc, test_bill_synthetic_tou_fuel);
	tcase_add_test(tc, test_bill_smud_tou_demand);
	tcase_add_test(tc, test_bill_fpl_minimum);
	tcase_add_test(tc, test_ignore_reactive);
	tcase_add_test(tc, test_numbers_and_dates);
	tcase_add_test(tc, test_ratchet_lookback);
	tcase_add_test(tc, test_nem_netting);
	tcase_add_test(tc, test_all_items_versions);
	tcase_add_test(tc, test_bill_nipsco_demand_blocks);
	tcase_add_test(tc, test_bill_georgia_demand_two_periods);
	tcase_add_test(tc, test_bill_reopt_tou_tiers);
	suite_add_tcase(s, tc);
	tcase_set_tags(ts, "samples");
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return fx_run(urdb_suite());
}
