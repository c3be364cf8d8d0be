/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_nem12.c: the NEM12/NEM13 parser against every AEMO/nem-reader
 * sample (when $BR_SAMPLES_DIR is set), the copies in
 * testdata/samples-ami (always), and small synthetic files for options,
 * strict mode, quality mapping and error lines.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/date.h"
#include "formats/nem12.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

/* What a parse produced: the first day in full, totals, registers. */
struct got {
	int ndays;
	struct br_ami_day first;
	int64_t v[288];
	uint8_t q[288];
	int64_t sum_first;
	int nregs;
	struct br_ami_register regs[8];
	int fail_after;		/* callback returns -1 on this day (1-based) */
};

static int
on_day(void *ctx, const struct br_ami_day *d, struct br_error *err)
{
	struct got *g = ctx;
	int i;

	g->ndays++;
	if (g->fail_after && g->ndays == g->fail_after)
		return br_error_set(err, BR_EINTERNAL, NULL, 0, "stop here");
	if (g->ndays == 1) {
		g->first = *d;
		memcpy(g->v, d->values, (size_t)d->n * sizeof(int64_t));
		memcpy(g->q, d->quality, (size_t)d->n);
		g->first.values = g->v;
		g->first.quality = g->q;
		g->sum_first = 0;
		for (i = 0; i < d->n; i++)
			g->sum_first += d->values[i];
	}
	return 0;
}

static int
on_reg(void *ctx, const struct br_ami_register *r, struct br_error *err)
{
	struct got *g = ctx;

	(void)err;
	if (g->nregs < 8)
		g->regs[g->nregs] = *r;
	g->nregs++;
	return 0;
}

#define samples_dir() fx_samples_dir(NULL, "")
#define local_dir() fx_srcfile("testdata", "samples-ami")

static int
parse(const char *path, const struct br_nem12_opts *o, struct got *g,
    struct br_nem12_stats *st, struct br_error *err)
{
	memset(err, 0, sizeof(*err));
	return br_nem12_parse(path, o, on_day, on_reg, g, NULL, st, err);
}

static char *
utc(int64_t t)
{
	static char buf[4][32];
	static int k;

	k = (k + 1) % 4;
	return br_time_format_utc(t, buf[k], sizeof(buf[k]));
}

#define tmpfile_with(text) fx_tmpfile("/tmp/check_nem12_XXXXXX", (text))

struct valid_case {
	const char *file;
	long days, regs;
	unsigned flags;
	const char *meter, *suffix, *unit, *start;
	int n, interval_s;
	int64_t v0;
	int q0;
	int64_t vn;
	int qn;
	int64_t sum;
	const char *qmethod;
};

static const struct valid_case valid[] = {
	{ "aemo-NEM12_000000000000002_CNRGYMDP_NEMMCO.csv", 16, 0, 0, "NEM1202022", "B1", "kWh", "2005-03-31T14:00:00Z", 48, 1800, 0, 0, 0, 0, 0, "A" },
	{ "aemo-NEM12_000000000000004_CNRGYMDP_NEMMCO.csv", 3, 0, 0, "NEM1204062", "E1", "kWh", "2004-05-26T14:00:00Z", 48, 1800, 0, 66, 780, 66, 31286, "V" },
	{ "aemo-NEM12_000000000000005_CNRGYMDP_NEMMCO.csv", 4, 0, 0, "NEM1205082", "E1", "kWh", "2005-03-19T14:00:00Z", 96, 900, 32250, 0, 283050, 0, 10641300, "A" },
	{ "aemo-NEM12_000000000000008_CNRGYMDP_NEMMCO.csv", 2, 0, 0, "NEM1208142", "E1", "kWh", "2005-03-31T14:00:00Z", 48, 1800, 18300, 0, 72600, 66, 2987100, "V" },
	{ "aemo-NEM12_000000000000009_CNRGYMDP_NEMMCO.csv", 7, 4, 0, "NEM1209162", "E1", "kWh", "2005-03-09T14:00:00Z", 48, 1800, 325800, 0, 325950, 0, 19342350, "A" },
	{ "aemo-NEM12_05050200008000000_GLOBALM_NEMMCO.csv", 2, 0, 0, "NEM1208145", "E1", "Wh", "2004-12-31T14:00:00Z", 96, 900, 8888000, 0, 8888000, 0, 817387000, "V" },
	{ "aemo-NEM12_05062000001000000_GLOBALM_EASTENGY.csv", 6, 0, 0, "NEM1210185", "E1", "Wh", "2004-12-31T14:00:00Z", 96, 900, 10000000, 0, 10000000, 0, 960000000, "A" },
	{ "aemo-NEM12_08150_05031502_WBAYM_NEMMCO.V01.csv", 2, 0, 0, "NEM1208150", "E1", "kWh", "2005-03-14T14:00:00Z", 48, 1800, 91560, 0, 123470, 66, 6416400, "V" },
	{ "aemo-NEM12_SCENARIO1005032705_ENERGEXM_NEMMCO.V05.csv", 10, 0, 0, "NEM1210184", "E1", "kWh", "2005-03-26T14:00:00Z", 48, 1800, 1445640, 0, 1490420, 0, 69882070, "A" },
	{ "aemo-NEM12_SCENARIO4_UNITEDDP_NEMMCO.csv", 3, 0, 0, "NEM1314069", "E1", "kWh", "2005-03-31T14:00:00Z", 48, 1800, 0, 66, 432, 66, 24736, "V" },
	{ "aemo-NEM12_Scenario10_ETSAMDP_NEMMCO.csv", 8, 5, 0, "NEM1210191", "E1", "kWh", "2005-01-09T14:00:00Z", 48, 1800, 11000, 0, 36000, 0, 1520000, "A" },
	{ "aemo-NEM12_mdffl0000000008_ACTEWM_NEMMCO.txt.csv", 2, 0, 0, "NEM1208141", "E1", "kWh", "2004-10-31T14:00:00Z", 96, 900, 0, 0, 2601, 0, 314621, "A" },
	{ "aemo-nem12_S02_INTEGM_NEMMCO.csv", 16, 0, 0, "NEM1202026", "E1", "kWh", "2004-02-29T14:00:00Z", 96, 900, 1500, 66, 1500, 66, 144000, "S15" },
	{ "aemo-nem12_SCENARIO02NEM1202023_ELECTDSM_NEMMCO.csv", 16, 0, 0, "NEM1202023", "B1", "kWh", "2005-04-19T14:00:00Z", 96, 900, 0, 0, 2833, 0, 251296, "A" },
	{ "nemreader-Example_NEM12_actual_interval.csv", 2, 0, 0, "VABD000163", "E1", "kWh", "2004-01-31T14:00:00Z", 48, 1800, 1111, 0, 1111, 0, 53328, "A" },
	{ "nemreader-Example_NEM12_different_interval_length.csv", 3, 0, 0, "C123", "E1", "kWh", "2004-04-01T14:00:00Z", 48, 1800, 9000, 0, 6000, 0, 254000, "A" },
	{ "nemreader-Example_NEM12_month_solar.csv", 62, 0, 0, "NMI1234567", "B1", "kWh", "2023-02-28T14:00:00Z", 288, 300, 0, 0, 0, 0, 23166, "A" },
	{ "nemreader-Example_NEM12_multiple_meters.csv", 12, 0, 0, "NCDE001111", "E1", "Wh", "2003-12-03T14:00:00Z", 96, 900, 10000, 0, 10000, 0, 960000, "A" },
	{ "nemreader-Example_NEM12_multiple_quality.csv", 1, 0, 0, "CCCC123456", "E1", "kWh", "2004-04-16T14:00:00Z", 48, 1800, 18023, 66, 14733, 66, 896990, "V" },
	{ "nemreader-Example_NEM12_no_scheduled_read.csv", 1, 0, 0, "NMI111", "E1", "kWh", "2019-09-03T14:00:00Z", 96, 900, 3760, 0, 0, 0, 5840, "A" },
	{ "nemreader-Example_NEM12_partialchannel.csv", 32, 0, 0, "NMI1234567", "B1", "kWh", "2023-02-28T14:00:00Z", 288, 300, 0, 0, 0, 0, 23166, "A" },
	{ "nemreader-Example_NEM12_substituted_interval.csv", 2, 0, 0, "VBCD000022", "E1", "kWh", "2003-07-31T14:00:00Z", 48, 1800, 2312, 66, 2312, 66, 110976, "F14" },
	{ "nemreader-Example_NEM12_upper_case_units.csv", 2, 0, 0, "VABD000163", "E1", "kWh", "2004-01-31T14:00:00Z", 48, 1800, 1111, 0, 1111, 0, 53328, "A" },
	{ "nemreader-Example_WesternPower.csv", 4, 0, 0, "9999999999", "E1", "kWh", "2023-03-17T14:00:00Z", 48, 1800, 0, 0, 0, 0, 0, "A" },
};

struct invalid_case {
	const char *file;
	int rc;
	long line, days;
	unsigned flags;
	const char *msg;
};

/* The documented outcome of every nem12-invalid sample (see
 * docs/formats-nem12-cmep.md). */
static const struct invalid_case invalid[] = {
	{ "goaemo-NEM12_000000000000021_CNRGYMDP_NEMMCO.csv", -1, 2, 0, 0, "300 record before any 200 record" },
	{ "goaemo-NEM12_000000000000022_CNRGYMDP_NEMMCO.csv", -1, 2, 0, 0, "200 record: NMISuffix 'E1' is not listed in NMIConfiguration 'E2'" },
	{ "goaemo-NEM12_000000000000023_CNRGYMDP_NEMMCO.csv", -1, 4, 0, 0, "400 record: QualityMethod 'V' is not allowed in a 400 record" },
	{ "goaemo-NEM12_000000000000024_CNRGYMDP_NEMMCO.csv", -1, 4, 0, 0, "400 record: bad QualityMethod 'T'" },
	{ "goaemo-NEM12_000000000000025_CNRGYMDP_NEMMCO.csv", -1, 3, 1, 0, "missing 900 end record" },
	{ "goaemo-NEM12_DerpyNMIConfig_CNRGYMDP_NEMMCO.csv", 0, 0, 8, 4, "" },
	{ "goaemo-NEM12_EmptyCells300Record_CNRGYMDP_NEMMCO.csv", -1, 3, 0, 0, "300 record: IntervalValue1 is empty but its quality is not N" },
	{ "goaemo-NEM12_EmptyCells400Record_CNRGYMDP_NEMMCO.csv", -1, 7, 3, 0, "400 record: field 'StartInterval' is '', expected a number" },
	{ "goaemo-NEM12_InvalidIntervalDataLength_CNRGYMDP_NEMMCO.csv", -1, 3, 0, 0, "300 record: expected 48 interval values for IntervalLength 30, found 44" },
	{ "nemreader-Example_NEM12_15min_200_30min_300.csv", -1, 3, 0, 0, "300 record: expected 96 interval values for IntervalLength 15, found 48" },
	{ "nemreader-Example_NEM12_30min_200_15min_300.csv", -1, 3, 0, 0, "300 record: expected 48 interval values for IntervalLength 30, found 96" },
	{ "nemreader-Example_NEM12_30min_200_15min_400.csv", -1, 3, 0, 0, "300 record: expected 48 interval values for IntervalLength 30, found 96" },
	{ "nemreader-Example_NEM12_empty.csv", 0, 0, 0, 0, "" },
	{ "nemreader-Example_NEM12_incomplete_interval.csv", -1, 3, 0, 0, "300 record: expected 48 interval values for IntervalLength 30, found 0" },
	{ "nemreader-Example_NEM12_missing_header.csv", 0, 0, 2, 1, "" },
	{ "nemreader-Example_NEM12_powercor.csv", 0, 0, 4, 3, "" },
	{ "nemreader-Example_NEM12_powercor_missing_fields.csv", 0, 0, 4, 11, "" },
};

static void
check_valid(const char *dir, const struct valid_case *c)
{
	char path[1024];
	struct got g;
	struct br_nem12_stats st;
	struct br_error err;
	const struct br_ami_day *d = &g.first;

	memset(&g, 0, sizeof(g));
	snprintf(path, sizeof(path), "%s/%s", dir, c->file);
	ck_assert_msg(parse(path, NULL, &g, &st, &err) == 0, "%s: %s",
	    c->file, err.msg);
	ck_assert_int_eq(st.days, c->days);
	ck_assert_int_eq(g.ndays, c->days);
	ck_assert_int_eq(st.registers, c->regs);
	ck_assert_uint_eq(st.flags, c->flags);
	ck_assert_int_eq(st.version, 12);
	ck_assert_str_eq(d->meter_id, c->meter);
	ck_assert_str_eq(d->nmi_suffix, c->suffix);
	ck_assert_str_eq(d->unit, c->unit);
	ck_assert_str_eq(utc(d->start_utc), c->start);
	ck_assert_int_eq(d->n, c->n);
	ck_assert_int_eq(d->interval_s, c->interval_s);
	ck_assert_int_eq(d->n * d->interval_s, 86400);
	ck_assert_int_eq(d->values[0], c->v0);
	ck_assert_int_eq(d->quality[0], c->q0);
	ck_assert_int_eq(d->values[d->n - 1], c->vn);
	ck_assert_int_eq(d->quality[d->n - 1], c->qn);
	ck_assert_int_eq(g.sum_first, c->sum);
	ck_assert_str_eq(d->qmethod, c->qmethod);
}

START_TEST(test_shared_valid)
{
	const char *s = samples_dir();
	char dir[600];
	size_t i;

	if (s == NULL) {
		printf("check_nem12: no shared samples, skipping\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/ami/nem12", s);
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		check_valid(dir, &valid[i]);
}
END_TEST

START_TEST(test_shared_invalid)
{
	const char *s = samples_dir();
	char path[1024];
	size_t i;

	if (s == NULL) {
		printf("check_nem12: no shared samples, skipping\n");
		return;
	}
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		const struct invalid_case *c = &invalid[i];
		struct got g;
		struct br_nem12_stats st;
		struct br_error err;
		int rc;

		memset(&g, 0, sizeof(g));
		snprintf(path, sizeof(path), "%s/ami/nem12-invalid/%s", s,
		    c->file);
		rc = parse(path, NULL, &g, &st, &err);
		ck_assert_msg(rc == c->rc, "%s: rc %d", c->file, rc);
		ck_assert_int_eq(st.days, c->days);
		ck_assert_uint_eq(st.flags, c->flags);
		if (rc != 0) {
			ck_assert_int_eq(err.code, BR_EINPUT);
			ck_assert_int_eq(err.line, c->line);
			ck_assert_str_eq(err.msg, c->msg);
			ck_assert_ptr_nonnull(strstr(err.file, c->file));
		}
	}
}
END_TEST

START_TEST(test_shared_strict)
{
	const char *s = samples_dir();
	struct br_nem12_opts o = { .strict = true };
	char path[1024];
	struct got g;
	struct br_error err;

	if (s == NULL)
		return;
	snprintf(path, sizeof(path), "%s/ami/nem12-invalid/%s", s,
	    "nemreader-Example_NEM12_missing_header.csv");
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(path, &o, &g, NULL, &err), -1);
	ck_assert_int_eq(err.line, 2);
	ck_assert_str_eq(err.msg, "200 record: missing 100 header record");
	snprintf(path, sizeof(path), "%s/ami/nem12-invalid/%s", s,
	    "goaemo-NEM12_DerpyNMIConfig_CNRGYMDP_NEMMCO.csv");
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(path, &o, &g, NULL, &err), -1);
	ck_assert_int_eq(err.line, 2);
	ck_assert_str_eq(err.msg, "200 record: field 'NMIConfiguration' is "
	    "empty");
}
END_TEST

START_TEST(test_shared_details)
{
	const char *s = samples_dir();
	char path[1024];
	struct got g;
	struct br_nem12_stats st;
	struct br_error err;

	if (s == NULL)
		return;
	/* 500 records with IndexRead: register reads at ReadDateTime AEST. */
	snprintf(path, sizeof(path), "%s/ami/nem12/%s", s,
	    "aemo-NEM12_000000000000009_CNRGYMDP_NEMMCO.csv");
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(path, NULL, &g, &st, &err), 0);
	ck_assert_int_eq(g.nregs, 4);
	ck_assert_int_eq(g.regs[0].line, 4);
	ck_assert_str_eq(g.regs[0].trans_code, "N");
	ck_assert_int_eq(g.regs[0].value_milli, 1000000);
	ck_assert_str_eq(utc(g.regs[0].read_utc), "2005-03-10T20:20:00Z");
	ck_assert_int_eq(g.regs[3].value_milli, 1300000);
	/* the unit of the 200 record, the version of the 300 before it */
	ck_assert_str_eq(g.regs[0].unit, "kWh");
	ck_assert_str_eq(g.regs[0].version, "20050311014137");
	/* first channel E1 of a file that also has a 10-minute V1 channel */
	snprintf(path, sizeof(path), "%s/ami/nem12/%s", s,
	    "nemreader-Example_NEM12_different_interval_length.csv");
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(path, NULL, &g, &st, &err), 0);
	ck_assert_int_eq(g.first.channel, BR_CHANNEL_DELIVERED);
	/* N quality: value 0 and flagged missing, never an actual zero. */
	snprintf(path, sizeof(path), "%s/ami/nem12/%s", s,
	    "aemo-NEM12_SCENARIO1005032705_ENERGEXM_NEMMCO.V05.csv");
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(path, NULL, &g, &st, &err), 0);
	ck_assert_int_eq(st.days, 10);
}
END_TEST

START_TEST(test_shared_nem13)
{
	const char *s = samples_dir();
	char path[1024];
	struct got g;
	struct br_nem12_stats st;
	struct br_error err;
	const struct br_ami_register *r;

	if (s == NULL)
		return;
	snprintf(path, sizeof(path), "%s/ami/nem13/%s", s,
	    "nemreader-Example_NEM13_consumption_data.csv");
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(path, NULL, &g, &st, &err), 0);
	ck_assert_int_eq(st.version, 13);
	ck_assert_int_eq(g.ndays, 0);
	ck_assert_int_eq(g.nregs, 1);
	r = &g.regs[0];
	ck_assert_str_eq(r->meter_id, "VABC005890");
	ck_assert_str_eq(r->register_id, "1");
	ck_assert_str_eq(r->nmi_suffix, "11");
	ck_assert_str_eq(r->serial, "METSER123");
	ck_assert_int_eq(r->channel, BR_CHANNEL_DELIVERED);
	ck_assert_str_eq(r->unit, "kWh");
	ck_assert_int_eq(r->has_previous, 1);
	ck_assert_int_eq(r->prev_milli, 6342800);
	ck_assert_str_eq(utc(r->prev_utc), "2003-10-04T23:30:55Z");
	ck_assert_int_eq(r->value_milli, 7654900);
	ck_assert_str_eq(utc(r->read_utc), "2004-01-07T00:03:33Z");
	ck_assert_int_eq(r->quality, BR_Q_ACTUAL);
	ck_assert_int_eq(r->has_quantity, 1);
	ck_assert_int_eq(r->quantity_milli, 1312100);
	/* the leading space of " 20040108100333" is trimmed */
	ck_assert_str_eq(r->version, "20040108100333");
}
END_TEST

/* Runs on the copies in testdata/samples-ami: always (CI). */
START_TEST(test_local_copies)
{
	char path[1024];
	struct got g;
	struct br_nem12_stats st;
	struct br_error err;
	const struct br_ami_register *r;
	int i;

	snprintf(path, sizeof(path), "%s/%s", local_dir(),
	    "nemreader-Example_NEM12_multiple_quality.csv");
	memset(&g, 0, sizeof(g));
	ck_assert_msg(parse(path, NULL, &g, &st, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(g.ndays, 1);
	ck_assert_str_eq(g.first.meter_id, "CCCC123456");
	ck_assert_str_eq(g.first.serial, "METSER123");
	ck_assert_int_eq(g.first.line, 3);
	ck_assert_str_eq(g.first.qmethod, "V");
	ck_assert_str_eq(utc(g.first.start_utc), "2004-04-16T14:00:00Z");
	/* 400 1-20 F14, 21-24 A, 25-48 S14 */
	for (i = 0; i < 48; i++) {
		uint8_t want = (i >= 20 && i < 24) ? BR_Q_ACTUAL :
		    BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE);
		ck_assert_int_eq(g.q[i], want);
	}
	ck_assert_int_eq(g.v[0], 18023);
	ck_assert_int_eq(g.v[47], 14733);

	snprintf(path, sizeof(path), "%s/%s", local_dir(),
	    "nemreader-Example_NEM12_actual_interval.csv");
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(path, NULL, &g, &st, &err), 0);
	ck_assert_int_eq(g.ndays, 2);
	ck_assert_int_eq(g.v[0], 1111);
	ck_assert_str_eq(g.first.version, "20040202120025");
	ck_assert_int_eq(g.first.reason, -1);

	snprintf(path, sizeof(path), "%s/%s", local_dir(),
	    "nemreader-Example_NEM13_forward_estimate.csv");
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(path, NULL, &g, &st, &err), 0);
	ck_assert_int_eq(g.nregs, 2);
	r = &g.regs[1];
	ck_assert_int_eq(r->line, 4);
	ck_assert_str_eq(r->nmi_suffix, "41");
	ck_assert_str_eq(r->serial, "MET5678");
	ck_assert_int_eq(r->prev_milli, 950000);
	ck_assert_int_eq(r->value_milli, 10015000);
	ck_assert_int_eq(r->quality,
	    BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE));
	ck_assert_str_eq(utc(r->read_utc), "2004-04-07T14:00:00Z");
	ck_assert_int_eq(r->quantity_milli, 65000);

	snprintf(path, sizeof(path), "%s/%s", local_dir(),
	    "nemreader-Example_NEM12_15min_200_30min_300.csv");
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(path, NULL, &g, &st, &err), -1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_str_eq(err.msg, "300 record: expected 96 interval values "
	    "for IntervalLength 15, found 48");
}
END_TEST

#define HDR "100,NEM12,202601010000,A,B\n"
#define V48(x) x "," x "," x "," x "," x "," x "," x "," x "," x "," x "," \
	x "," x "," x "," x "," x "," x "," x "," x "," x "," x "," x "," x "," \
	x "," x "," x "," x "," x "," x "," x "," x "," x "," x "," x "," x "," \
	x "," x "," x "," x "," x "," x "," x "," x "," x "," x "," x "," x "," \
	x "," x

START_TEST(test_synthetic_offset_and_quality)
{
	const char *p = tmpfile_with(HDR
	    "200,WA00000001,E1B1,1,B1,N1,S1,kwh,30,\n"
	    "300,20260301," V48("0.5") ",N,,,20260302010203,\n"
	    "300,20260302," V48("1.25") ",A,79,,202603030102,\n"
	    "900\n");
	struct br_nem12_opts o = { .has_offset = true, .utc_offset_s = 28800 };
	struct got g;
	struct br_nem12_stats st;
	struct br_error err;

	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(p, &o, &g, &st, &err), 0);
	ck_assert_int_eq(g.ndays, 2);
	ck_assert_str_eq(utc(g.first.start_utc), "2026-02-28T16:00:00Z");
	ck_assert_int_eq(g.first.channel, BR_CHANNEL_RECEIVED);
	ck_assert_str_eq(g.first.unit, "kWh");
	/* N: value forced to 0, flagged missing */
	ck_assert_int_eq(g.v[0], 0);
	ck_assert_int_eq(g.q[0], BR_Q_MISSING);
	ck_assert_int_eq(g.sum_first, 0);
	ck_assert_uint_eq(st.flags, BR_AMI_F_EVENT);
	unlink(p);

	/* the default clock is AEST, UTC+10 */
	p = tmpfile_with(HDR "200,N1,E1,1,E1,N1,S1,WH,30\n"
	    "300,20260301," V48("7") ",A,,,,\n900\n");
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(p, NULL, &g, &st, &err), 0);
	ck_assert_str_eq(utc(g.first.start_utc), "2026-02-28T14:00:00Z");
	ck_assert_int_eq(g.v[47], 7000);
	ck_assert_str_eq(g.first.unit, "Wh");
	unlink(p);
}
END_TEST

static void
expect_error(const char *text, long line, const char *msg)
{
	const char *p = tmpfile_with(text);
	struct got g;
	struct br_error err;

	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(parse(p, NULL, &g, NULL, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, line);
	ck_assert_str_eq(err.msg, msg);
	unlink(p);
}

START_TEST(test_synthetic_errors)
{
	expect_error("", 0, "empty file: no 100 header record");
	expect_error(HDR "200,N1,E1,1,E1,N1,S1,kWh,7\n900\n", 2,
	    "200 record: field 'IntervalLength' is '7', expected 5, 15 or 30 "
	    "(10 for non-energy channels)");
	expect_error(HDR "200,N1,E1,1,E1,N1,S1,furlong,30\n900\n", 2,
	    "200 record: field 'UOM' is 'furlong', not a known unit");
	expect_error(HDR "200,N1,E1,1,E1,N1,S1,kWh,30\n"
	    "300,20260231," V48("1") ",A,,,,\n900\n", 3,
	    "300 record: field 'IntervalDate' is '20260231', expected a date "
	    "CCYYMMDD");
	expect_error(HDR "200,N1,E1,1,E1,N1,S1,kWh,30\n"
	    "300,20260301," V48("1") ",X12,,,,\n900\n", 3,
	    "300 record: bad QualityMethod 'X12'");
	expect_error(HDR "200,N1,E1,1,E1,N1,S1,kWh,30\n"
	    "300,20260301," V48("1") ",V,,,,\n400,1,47,A,,\n900\n", 3,
	    "300 record: QualityMethod V but interval 48 is not covered by a "
	    "400 record");
	expect_error(HDR "200,N1,E1,1,E1,N1,S1,kWh,30\n"
	    "300,20260301," V48("1") ",V,,,,\n400,0,48,A,,\n900\n", 4,
	    "400 record: interval range 0-48 outside 1..48");
	expect_error(HDR "200,N1,E1,1,E1,N1,S1,kWh,30\n"
	    "300,20260301," V48("-1") ",A,,,,\n900\n", 3,
	    "300 record: IntervalValue1 is negative");
	expect_error(HDR "200,N1,E1,1,E1,N1,S1,kWh,30\n"
	    "300,20260301," V48("1.2345") ",A,,,,\n900\n", 3,
	    "300 record: IntervalValue1 is '1.2345', not a decimal number "
	    "with at most 3 decimals");
	expect_error(HDR "400,1,2,A,,\n900\n", 2,
	    "400 record without a preceding 300 record");
	expect_error(HDR "999\n900\n", 2, "unknown record indicator '999'");
	expect_error("300,20260301\n", 1,
	    "missing 100 header record (first record is '300')");
	expect_error(HDR "200,N1,E1,1,E1,N1,S1,kWh,30\n" HDR, 3,
	    "100 record: a new header before the 900 end record of the "
	    "previous block");
}
END_TEST

START_TEST(test_callback_error_and_sha)
{
	const char *p = tmpfile_with(HDR "200,N1,E1,1,E1,N1,S1,kWh,30\n"
	    "300,20260301," V48("1") ",A,,,,\n"
	    "300,20260302," V48("1") ",A,,,,\n900\n");
	struct got g;
	struct br_error err;
	char sha[65];

	memset(&g, 0, sizeof(g));
	g.fail_after = 2;
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(br_nem12_parse(p, NULL, on_day, NULL, &g, NULL, NULL,
	    &err), -1);
	ck_assert_int_eq(err.code, BR_EINTERNAL);
	ck_assert_str_eq(err.msg, "stop here");
	ck_assert_int_eq(err.line, 4);
	memset(&g, 0, sizeof(g));
	ck_assert_int_eq(br_nem12_parse(p, NULL, NULL, NULL, NULL, sha, NULL,
	    &err), 0);
	ck_assert_int_eq((int)strlen(sha), 64);
	unlink(p);
}
END_TEST

START_TEST(test_units_and_suffix)
{
	ck_assert_str_eq(br_nem12_unit("KWH"), "kWh");
	ck_assert_str_eq(br_nem12_unit("kvarh"), "kVArh");
	ck_assert_str_eq(br_nem12_unit("VARH"), "VArh");
	ck_assert_str_eq(br_nem12_unit(""), "");
	ck_assert_ptr_null(br_nem12_unit("CF"));
	ck_assert_int_eq(br_nem12_suffix_channel("E2"), BR_CHANNEL_DELIVERED);
	ck_assert_int_eq(br_nem12_suffix_channel("B1"), BR_CHANNEL_RECEIVED);
	ck_assert_int_eq(br_nem12_suffix_channel("Q1"), BR_AMI_CHANNEL_OTHER);
}
END_TEST

static Suite *
nem12_suite(void)
{
	Suite *s = suite_create("nem12");
	TCase *tc = tcase_create("core");
	TCase *ts = tcase_create("samples");

	tcase_add_test(ts, test_shared_valid);
	tcase_add_test(ts, test_shared_invalid);
	tcase_add_test(ts, test_shared_strict);
	tcase_add_test(ts, test_shared_details);
	tcase_add_test(ts, test_shared_nem13);
	tcase_add_test(tc, test_local_copies);
	tcase_add_test(tc, test_synthetic_offset_and_quality);
	tcase_add_test(tc, test_synthetic_errors);
	tcase_add_test(tc, test_callback_error_and_sha);
	tcase_add_test(tc, test_units_and_suffix);
	suite_add_tcase(s, tc);
	tcase_set_tags(ts, "samples");
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return fx_run(nem12_suite());
}
