/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_greenbutton.c: Green Button ESPI XML parser on the shared samples
 * (when present) and a synthetic feed: href resolution of ReadingType,
 * units and powerOfTenMultiplier, flow direction, quality, runs, DST
 * days, and rejections with file and line.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/greenbutton.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

struct run {
	char meter[64], unit[16];
	int channel;
	int64_t start, first, last, sum;
	int32_t interval_s, n;
	uint8_t q0, q1;
};

struct runs {
	struct run r[64];
	int n;
};

static int
collect(void *ctx, const struct br_ami_day *d, struct br_error *err)
{
	struct runs *rs = ctx;
	struct run *r;
	int32_t k;

	(void)err;
	if (rs->n >= 64)
		return 0;
	r = &rs->r[rs->n++];
	snprintf(r->meter, sizeof(r->meter), "%s", d->meter_id);
	snprintf(r->unit, sizeof(r->unit), "%s", d->unit);
	r->channel = d->channel;
	r->start = d->start_utc;
	r->interval_s = d->interval_s;
	r->n = d->n;
	r->first = d->values[0];
	r->last = d->values[d->n - 1];
	r->q0 = d->quality[0];
	r->q1 = d->n > 1 ? d->quality[1] : 0;
	r->sum = 0;
	for (k = 0; k < d->n; k++)
		r->sum += d->values[k];
	return 0;
}

static const char *
sample(const char *name)
{
	static char buf[600];
	struct stat sb;

	if (fx_samples() == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%s/ami/greenbutton-xml/%s", fx_samples(),
	    name);
	return stat(buf, &sb) == 0 ? buf : NULL;
}

#define write_tmp(text) fx_tmpfile("/tmp/check_gb.XXXXXX", (text))

START_TEST(test_electric_containerized)
{
	const char *p = sample("gbo-electric_containerized.xml");
	struct runs rs;
	struct br_gb_stats st;
	struct br_error err;

	if (p == NULL)
		return;
	memset(&rs, 0, sizeof(rs));
	ck_assert_msg(br_gb_parse(p, collect, &rs, NULL, &st, &err) == 0,
	    "%s", err.msg);
	ck_assert_int_eq(st.readings, 8);
	ck_assert_int_ge(rs.n, 1);
	ck_assert_str_eq(rs.r[0].meter, "RetailCustomer/3/UsagePoint/1");
	ck_assert_str_eq(rs.r[0].unit, "Wh");
	ck_assert_int_eq(rs.r[0].channel, BR_CHANNEL_DELIVERED);
	ck_assert_int_eq(rs.r[0].start, 1293868800);	/* 2011-01-01T08Z */
	ck_assert_int_eq(rs.r[0].interval_s, 3600);
	ck_assert_int_eq(rs.r[0].first, 450000);	/* 450 Wh */
}
END_TEST

START_TEST(test_openespi_dst_and_quality)
{
	char p[600], q[600];
	struct runs rs;
	struct br_error err;
	int i, n = 0;

	if (sample("openespi-test_usage_data_11.xml") == NULL)
		return;
	snprintf(p, sizeof(p), "%s", sample("openespi-test_usage_data_11.xml"));
	snprintf(q, sizeof(q), "%s", sample("openespi-test_usage_data_01.xml"));
	memset(&rs, 0, sizeof(rs));
	ck_assert_int_eq(br_gb_parse(p, collect, &rs, NULL, NULL, &err), 0);
	for (i = 0; i < rs.n; i++)
		n += rs.r[i].n;
	ck_assert_int_eq(n, 92);	/* 2012-03-11 US Eastern, 15 min */
	ck_assert_int_eq(rs.r[0].interval_s, 900);
	memset(&rs, 0, sizeof(rs));
	ck_assert_int_eq(br_gb_parse(q, collect, &rs, NULL, NULL, &err), 0);
	ck_assert_int_eq(rs.r[0].q0,
	    BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE));	/* 8 */
	ck_assert_int_eq(rs.r[0].q1, BR_Q_EDITED);		/* 7 */
}
END_TEST

START_TEST(test_ngma_fractional_start_rejected)
{
	const char *p = sample("gbo-ngma_gas_provider_2024-07-16.xml");
	struct br_error err;

	if (p == NULL)
		return;
	ck_assert_int_eq(br_gb_parse(p, NULL, NULL, NULL, NULL, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 52);
	ck_assert_msg(strstr(err.msg, "'1721154384.66136' is not whole "
	    "seconds") != NULL, "%s", err.msg);
}
END_TEST

/* Synthetic: block before its ReadingType, prefixes, export, power -3. */
static const char feed[] =
    "<?xml version=\"1.0\"?>\n"
    "<atom:feed xmlns:atom=\"http://www.w3.org/2005/Atom\" "
    "xmlns:espi=\"http://naesb.org/espi\">\n"
    "<atom:entry><atom:link rel=\"self\" href=\"http://x/resource/U/7/"
    "UsagePoint/2/MeterReading/9/IntervalBlock/1\"/>\n"
    "<atom:link rel=\"up\" href=\"http://x/resource/U/7/UsagePoint/2/"
    "MeterReading/9/IntervalBlock\"/>\n"
    "<atom:content><espi:IntervalBlock>\n"
    "<espi:IntervalReading><espi:timePeriod><espi:duration>900"
    "</espi:duration><espi:start>1700000100</espi:start></espi:timePeriod>"
    "<espi:value>1500</espi:value></espi:IntervalReading>\n"
    "<espi:IntervalReading><espi:timePeriod><espi:duration>900"
    "</espi:duration><espi:start>1700001000</espi:start></espi:timePeriod>"
    "<espi:value>2501</espi:value></espi:IntervalReading>\n"
    "<espi:IntervalReading><espi:timePeriod><espi:duration>900"
    "</espi:duration><espi:start>1700003700</espi:start></espi:timePeriod>"
    "<espi:value>7</espi:value></espi:IntervalReading>\n"
    "</espi:IntervalBlock></atom:content></atom:entry>\n"
    "<atom:entry><atom:link rel=\"self\" href=\"http://x/resource/U/7/"
    "UsagePoint/2/MeterReading/9\"/>\n"
    "<atom:link rel=\"related\" href=\"http://x/resource/ReadingType/4\"/>"
    "<atom:content><espi:MeterReading/></atom:content></atom:entry>\n"
    "<atom:entry><atom:link rel=\"self\" href=\"http://x/resource/"
    "ReadingType/3\"/><atom:content><espi:ReadingType><espi:uom>72"
    "</espi:uom></espi:ReadingType></atom:content></atom:entry>\n"
    "<atom:entry><atom:link rel=\"self\" href=\"http://x/resource/"
    "ReadingType/4\"/><atom:content><espi:ReadingType>"
    "<espi:flowDirection>19</espi:flowDirection><espi:uom>72</espi:uom>"
    "<espi:powerOfTenMultiplier>-3</espi:powerOfTenMultiplier>"
    "</espi:ReadingType></atom:content></atom:entry>\n"
    "</atom:feed>\n";

START_TEST(test_synthetic_resolution)
{
	const char *p = write_tmp(feed);
	struct runs rs;
	struct br_error err;

	memset(&rs, 0, sizeof(rs));
	ck_assert_msg(br_gb_parse(p, collect, &rs, NULL, NULL, &err) == 0,
	    "%s:%ld: %s", err.file, err.line, err.msg);
	ck_assert_int_eq(rs.n, 2);	/* gap after the second reading */
	ck_assert_str_eq(rs.r[0].meter, "U/7/UsagePoint/2");
	ck_assert_int_eq(rs.r[0].channel, BR_CHANNEL_RECEIVED);
	ck_assert_int_eq(rs.r[0].n, 2);
	ck_assert_int_eq(rs.r[0].first, 1500);	/* 1500 mWh = 1500 milli-Wh */
	ck_assert_int_eq(rs.r[0].last, 2501);
	ck_assert_int_eq(rs.r[1].start, 1700003700);
	ck_assert_int_eq(rs.r[1].first, 7);
	unlink(p);
}
END_TEST

START_TEST(test_errors)
{
	struct br_error err;
	const char *p;

	p = write_tmp("<feed><entry><content><IntervalBlock><IntervalReading>"
	    "\n<timePeriod><duration>900</duration><start>1</start>"
	    "</timePeriod><value>1</value></IntervalReading></IntervalBlock>"
	    "</content></entry></feed>\n");
	ck_assert_int_eq(br_gb_parse(p, NULL, NULL, NULL, NULL, &err), -1);
	ck_assert_int_eq(err.line, 1);
	ck_assert_msg(strstr(err.msg, "cannot resolve its ReadingType") !=
	    NULL, "%s", err.msg);
	unlink(p);
	p = write_tmp("<feed>\n<entry>\n</feed>\n");
	ck_assert_int_eq(br_gb_parse(p, NULL, NULL, NULL, NULL, &err), -1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_msg(strstr(err.msg, "XML: mismatched tag") != NULL, "%s",
	    err.msg);
	unlink(p);
}
END_TEST

/* A one-reading feed with the given ReadingType multiplier element. */
static const char *
power_feed(const char *power_elem, const char *start)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
	    "<feed><entry><link rel=\"self\" href=\"/r/UsagePoint/1/"
	    "MeterReading/1/IntervalBlock/1\"/>\n"
	    "<link rel=\"up\" href=\"/r/UsagePoint/1/MeterReading/1/"
	    "IntervalBlock\"/><content><IntervalBlock><IntervalReading>"
	    "<timePeriod><duration>3600</duration><start>%s</start>"
	    "</timePeriod><value>1500000</value></IntervalReading>"
	    "</IntervalBlock></content></entry>\n"
	    "<entry><link rel=\"self\" href=\"/r/ReadingType/1\"/>\n"
	    "<content><ReadingType><uom>72</uom>\n%s\n</ReadingType>"
	    "</content></entry></feed>\n", start, power_elem);
	return buf;
}

/* Issue 16: absent powerOfTenMultiplier = 0, not -1 (was 10x low). */
START_TEST(test_power_absent_is_zero)
{
	struct runs rs;
	struct br_error err;
	const char *p = write_tmp(power_feed("", "1700000000"));

	memset(&rs, 0, sizeof(rs));
	ck_assert_msg(br_gb_parse(p, collect, &rs, NULL, NULL, &err) == 0,
	    "%s", err.msg);
	ck_assert_int_eq(rs.n, 1);
	ck_assert_int_eq(rs.r[0].first, 1500000000);	/* 1,500,000 Wh */
	unlink(p);
	p = write_tmp(power_feed("<powerOfTenMultiplier> 3 "
	    "</powerOfTenMultiplier>", "1700000000"));
	memset(&rs, 0, sizeof(rs));
	ck_assert_msg(br_gb_parse(p, collect, &rs, NULL, NULL, &err) == 0,
	    "%s", err.msg);
	ck_assert_int_eq(rs.r[0].first, INT64_C(1500000000000)); /* 1.5 GWh */
	unlink(p);
}
END_TEST

/* Issue 16: -13, 13, -100, 2^31, 32768, text: an error at the line. */
START_TEST(test_power_out_of_range)
{
	static const char *bad[] = { "-13", "13", "-100", "2147483648",
	    "32768", "-2147483649", "1e2", "x", "", "0x3" };
	struct br_error err;
	char elem[100];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *p;
		snprintf(elem, sizeof(elem), "<powerOfTenMultiplier>%s"
		    "</powerOfTenMultiplier>", bad[i]);
		p = write_tmp(power_feed(elem, "1700000000"));
		ck_assert_int_eq(br_gb_parse(p, NULL, NULL, NULL, NULL, &err),
		    -1);
		ck_assert_int_eq(err.code, BR_EINPUT);
		ck_assert_str_eq(err.file, p);
		ck_assert_int_eq(err.line, 5);	/* the element's line */
		ck_assert_msg(strstr(err.msg, "powerOfTenMultiplier") != NULL &&
		    strstr(err.msg, "from -12 to 12") != NULL, "%s: %s",
		    bad[i], err.msg);
		unlink(p);
	}
}
END_TEST

/* Public sample: gas with powerOfTenMultiplier -3; without it, x1000. */
START_TEST(test_gas_direct_power)
{
	const char *p = sample("gbo-gas_direct.xml");
	struct runs rs;
	struct br_error err;
	char *text, *a, *b;
	size_t n;
	FILE *f;

	if (p == NULL)
		return;
	memset(&rs, 0, sizeof(rs));
	ck_assert_msg(br_gb_parse(p, collect, &rs, NULL, NULL, &err) == 0,
	    "%s", err.msg);
	ck_assert_str_eq(rs.r[0].unit, "therm");
	ck_assert_int_eq(rs.r[0].first, 37000);	/* 37000 x 10^-3 therm */
	ck_assert_ptr_nonnull(f = fopen(p, "rb"));
	ck_assert_ptr_nonnull(text = calloc(1, 1 << 16));
	n = fread(text, 1, (1 << 16) - 1, f);
	fclose(f);
	text[n] = '\0';
	ck_assert_ptr_nonnull(a = strstr(text, "<powerOfTenMultiplier>"));
	ck_assert_ptr_nonnull(b = strstr(a, "</powerOfTenMultiplier>"));
	b += strlen("</powerOfTenMultiplier>");
	memmove(a, b, strlen(b) + 1);
	p = write_tmp(text);
	free(text);
	memset(&rs, 0, sizeof(rs));
	ck_assert_msg(br_gb_parse(p, collect, &rs, NULL, NULL, &err) == 0,
	    "%s", err.msg);
	ck_assert_int_eq(rs.r[0].first, 37000000);	/* 37000 therm */
	unlink(p);
}
END_TEST

/* Issue 16: start INT64_MAX overflowed start + duration (UBSan). */
START_TEST(test_start_overflow)
{
	struct br_error err;
	const char *p = write_tmp(power_feed("", "9223372036854775807"));

	ck_assert_int_eq(br_gb_parse(p, NULL, NULL, NULL, NULL, &err), -1);
	ck_assert_int_eq(err.line, 2);	/* the IntervalReading */
	ck_assert_msg(strstr(err.msg, "beyond the time range") != NULL, "%s",
	    err.msg);
	unlink(p);
	p = write_tmp(power_feed("", "99999999999999999999"));
	ck_assert_int_eq(br_gb_parse(p, NULL, NULL, NULL, NULL, &err), -1);
	ck_assert_msg(strstr(err.msg, "is not whole seconds") != NULL, "%s",
	    err.msg);
	unlink(p);
}
END_TEST

static Suite *
gb_suite(void)
{
	Suite *s = suite_create("greenbutton");
	TCase *tc = tcase_create("greenbutton");
	TCase *ts = tcase_create("samples");

	tcase_add_test(ts, test_electric_containerized);
	tcase_add_test(ts, test_openespi_dst_and_quality);
	tcase_add_test(ts, test_ngma_fractional_start_rejected);
	tcase_add_test(tc, test_synthetic_resolution);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_power_absent_is_zero);
	tcase_add_test(tc, test_power_out_of_range);
	tcase_add_test(ts, test_gas_direct_power);
	tcase_add_test(tc, test_start_overflow);
	suite_add_tcase(s, tc);
	tcase_set_tags(ts, "samples");
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return fx_run(gb_suite());
}
