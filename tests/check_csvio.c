/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_csvio.c: br_csv_read record splitting, line numbers and errors on
 * the inputs where a plain comma split and RFC 4180 differ (quotes, blanks,
 * CR, BOM, NUL, lines longer than the read buffer).  The expected strings
 * are what the libcsv-only reader produced; the fast path for plain lines
 * must give exactly the same records.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/csvio.h"
#include "fixture.h"
#include "core/banned.h"

struct sink {
	char *out;
	size_t len, cap;
	long stop_at;		/* return 1 at this index, -1 never */
	long fail_at;		/* return -1 at this index, -1 never */
	long records;
	unsigned long long field_bytes;
	int lines_match;	/* every record: line == index + 1 */
	int quiet;		/* count only */
	int unterminated;	/* fields without their NUL */
};

static void
put(struct sink *s, const char *p, size_t n)
{
	if (s->len + n + 1 > s->cap) {
		s->cap = (s->len + n + 1) * 2;
		s->out = realloc(s->out, s->cap);
		ck_assert_ptr_nonnull(s->out);
	}
	memcpy(s->out + s->len, p, n);
	s->len += n;
	s->out[s->len] = '\0';
}

static int
on_rec(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct sink *s = ctx;
	char buf[64];
	size_t i, k;

	s->records++;
	if (rec->line != rec->index + 1)
		s->lines_match = 0;
	/* No ck_assert per field: Check marks every assertion through a
	 * pipe, too slow for 200,000 records in the sanitizer build. */
	for (i = 0; i < rec->nfields; i++) {
		s->field_bytes += rec->lens[i];
		if (rec->fields[i][rec->lens[i]] != '\0')
			s->unterminated++;
	}
	if (!s->quiet) {
		snprintf(buf, sizeof(buf), "L%ld#%ld:", rec->line, rec->index);
		put(s, buf, strlen(buf));
		for (i = 0; i < rec->nfields; i++) {
			snprintf(buf, sizeof(buf), "%s%zu=", i ? "|" : "",
			    rec->lens[i]);
			put(s, buf, strlen(buf));
			for (k = 0; k < rec->lens[i]; k++) {
				char ch = rec->fields[i][k];
				if (ch == '\n')
					put(s, "\\n", 2);
				else if (ch == '\r')
					put(s, "\\r", 2);
				else if (ch == '\0')
					put(s, "\\0", 2);
				else if (ch == '\t')
					put(s, "\\t", 2);
				else
					put(s, &ch, 1);
			}
		}
		put(s, "\n", 1);
	}
	if (rec->index == s->stop_at)
		return 1;
	if (rec->index == s->fail_at) {
		err->file[0] = '\0';
		snprintf(err->msg, sizeof(err->msg), "stop here");
		return -1;
	}
	return 0;
}

/* Write n bytes of data to a temporary file; returns its path (static). */
static const char *
tmpfile_with(const char *data, size_t n)
{
	static char path[64];

	snprintf(path, sizeof(path), "check_csvio_%ld.csv", (long)getpid());
	fx_write_bytes(path, data, n);
	return path;
}

static int
run(const char *data, size_t n, struct sink *s, struct br_error *err)
{
	const char *path = tmpfile_with(data, n);
	int rc;

	br_error_clear(err);
	rc = br_csv_read(path, on_rec, s, NULL, err);
	unlink(path);
	return rc;
}

static void
sink_init(struct sink *s)
{
	memset(s, 0, sizeof(*s));
	s->stop_at = s->fail_at = -1;
	s->lines_match = 1;
	put(s, "", 0);
}

static void
expect(const char *data, size_t n, const char *want)
{
	struct sink s;
	struct br_error err;

	sink_init(&s);
	ck_assert_int_eq(run(data, n, &s, &err), 0);
	ck_assert_str_eq(s.out, want);
	free(s.out);
}

#define EXPECT(lit, want) expect(lit, sizeof(lit) - 1, want)

/* data must fail at line with msg. */
static void
expect_err(const char *data, size_t n, long line, const char *msg)
{
	struct sink s;
	struct br_error err;

	sink_init(&s);
	ck_assert_int_eq(run(data, n, &s, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, line);
	ck_assert_str_eq(err.msg, msg);
	ck_assert_ptr_nonnull(strstr(err.file, "check_csvio_"));
	free(s.out);
}

#define EXPECT_ERR(lit, line, msg) expect_err(lit, sizeof(lit) - 1, line, msg)

START_TEST(test_plain_and_crlf)
{
	EXPECT("a,b,c\n1,22,333\n",
	    "L1#0:1=a|1=b|1=c\nL2#1:1=1|2=22|3=333\n");
	EXPECT("h1,h2\r\nx,y\r\n\r\nz,w\r\n",
	    "L1#0:2=h1|2=h2\nL2#1:1=x|1=y\nL4#2:1=z|1=w\n");
	EXPECT("h\n\n,,\na,,b,\n",
	    "L1#0:1=h\nL3#1:0=|0=|0=\nL4#2:1=a|0=|1=b|0=\n");
	EXPECT("h\nx,y", "L1#0:1=h\nL2#1:1=x|1=y\n");
	EXPECT("h\nx,y\r", "L1#0:1=h\nL2#1:1=x|1=y\n");
}
END_TEST

START_TEST(test_blanks_trimmed)
{
	EXPECT("h\n\n   \n a , b \n\tc\t,d\n",
	    "L1#0:1=h\nL4#1:1=a|1=b\nL5#2:1=c|1=d\n");
	EXPECT("h\nx y,z\n", "L1#0:1=h\nL2#1:3=x y|1=z\n");
}
END_TEST

START_TEST(test_quotes)
{
	EXPECT("h,v\n\"a,b\",\"c\"\"d\"\ny,z\n",
	    "L1#0:1=h|1=v\nL2#1:3=a,b|3=c\"d\nL3#2:1=y|1=z\n");
	EXPECT("h\n\" q \" , r\n", "L1#0:1=h\nL2#1:3= q |1=r\n");
	/* Issue 16: a line break inside a quoted field is a control
	 * character like any other (it forged lines in text bills). */
	EXPECT_ERR("h,v\n\"a,b\",x\n\"multi\nline\",x\ny,z\n", 4,
	    "control character 0x0a in field 1");
	EXPECT_ERR("h\n1\n\"a\nb\nc\"\n2\n", 5,
	    "control character 0x0a in field 1");
}
END_TEST

START_TEST(test_cr_bom_nul)
{
	static const char nul[] = "h\nab\0cd,e\n";

	EXPECT("h\ra,b\rc\n", "L1#0:1=h\nL1#1:1=a|1=b\nL1#2:1=c\n");
	EXPECT("\xEF\xBB\xBFmeter_id,v\nx,1\n",
	    "L1#0:8=meter_id|1=v\nL2#1:1=x|1=1\n");
	/* Issue 16: a NUL cut the field short for every strcmp after. */
	expect_err(nul, sizeof(nul) - 1, 2, "control character 0x00 in "
	    "field 1");
	EXPECT_ERR("h\nok,\"a\tb\"\n", 2, "control character 0x09 in "
	    "field 2");
	EXPECT_ERR("h\nok,a\x01\n", 2, "control character 0x01 in field 2");
	EXPECT_ERR("h\nok,a\x7f\n", 2, "control character 0x7f in field 2");
	EXPECT_ERR("h\nok,\"a\rb\"\n", 2, "control character 0x0d in "
	    "field 2");
	EXPECT("h\nok,\xc3\xa9\xe2\x82\xac\n",
	    "L1#0:1=h\nL2#1:2=ok|5=\xc3\xa9\xe2\x82\xac\n");
}
END_TEST

/* Issue 16: a line longer than BR_CSV_LINE_MAX is an error (a 2 MB gzip
 * bomb of one line grew to 4.2 GB), on the fast path and through libcsv,
 * with or without a final newline; a line of exactly the limit loads. */
START_TEST(test_line_max)
{
	size_t n = BR_CSV_LINE_MAX + 64, k;
	char *data = malloc(n + 16);
	int variant;

	ck_assert_ptr_nonnull(data);
	for (variant = 0; variant < 3; variant++) {
		struct sink s;
		struct br_error err;
		size_t len = 2;

		memcpy(data, "h\n", 2);
		if (variant == 1)
			data[len++] = '"';
		for (k = 0; k < BR_CSV_LINE_MAX + 1; k++)
			data[len++] = (char)('a' + k % 26);
		if (variant == 1)
			data[len++] = '"';
		if (variant != 2)
			data[len++] = '\n';
		sink_init(&s);
		s.quiet = 1;
		ck_assert_int_eq(run(data, len, &s, &err), -1);
		ck_assert_int_eq(err.line, 2);
		ck_assert_str_eq(err.msg, "line longer than 1048576 bytes");
		free(s.out);
	}
	{
		struct sink s;
		struct br_error err;
		size_t len = 2;

		memcpy(data, "h\n", 2);
		for (k = 0; k < BR_CSV_LINE_MAX; k++)
			data[len++] = (char)('a' + k % 26);
		data[len++] = '\n';
		sink_init(&s);
		s.quiet = 1;
		ck_assert_int_eq(run(data, len, &s, &err), 0);
		ck_assert_int_eq(s.records, 2);
		free(s.out);
	}
	free(data);
}
END_TEST

START_TEST(test_errors)
{
	struct sink s;
	struct br_error err;
	static const char unterminated[] = "h\nx\n\"abc";
	static const char unterminated_nl[] = "h\nx\n\"abc\n";
	static const char stray[] = "h\nok\nab\"c,d\n";

	sink_init(&s);
	ck_assert_int_eq(run(unterminated, sizeof(unterminated) - 1, &s,
	    &err), 0);
	/* libcsv without CSV_STRICT_FINI: an open quote at the end is
	 * closed by the end of input. */
	ck_assert_str_eq(s.out, "L1#0:1=h\nL2#1:1=x\nL3#2:3=abc\n");
	free(s.out);
	/* ... but the line break it swallowed is a control character. */
	sink_init(&s);
	ck_assert_int_eq(run(unterminated_nl, sizeof(unterminated_nl) - 1, &s,
	    &err), -1);
	ck_assert_str_eq(err.msg, "control character 0x0a in field 1");
	free(s.out);

	sink_init(&s);
	ck_assert_int_eq(run(stray, sizeof(stray) - 1, &s, &err), -1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_str_eq(err.msg, "malformed CSV: error parsing data while "
	    "strict checking enabled");
	free(s.out);

	/* A callback error gets the record's file and line. */
	sink_init(&s);
	s.fail_at = 2;
	ck_assert_int_eq(run("h\na\n\nb\nc\n", 10, &s, &err), -1);
	ck_assert_int_eq(err.line, 4);
	ck_assert_str_eq(err.msg, "stop here");
	ck_assert_ptr_nonnull(strstr(err.file, "check_csvio_"));
	free(s.out);

	/* Returning 1 stops without error. */
	sink_init(&s);
	s.stop_at = 1;
	ck_assert_int_eq(run("h\na\nb\nc\n", 8, &s, &err), 0);
	ck_assert_str_eq(s.out, "L1#0:1=h\nL2#1:1=a\n");
	free(s.out);
}
END_TEST

/* Many short lines (several read chunks: every chunk boundary falls
 * inside some line) and a few lines longer than the 64 KiB a cut line may
 * carry into the next chunk (those go through libcsv in parts). */
START_TEST(test_long_and_many)
{
	size_t cap = 12u << 20, n = 0, i, k;
	char *data = malloc(cap);
	unsigned long long want_bytes = 0;
	long want_records = 0;
	struct sink s;
	struct br_error err;

	ck_assert_ptr_nonnull(data);
	n += (size_t)snprintf(data + n, cap - n, "meter_id,stamp,value\n");
	want_bytes += 8 + 5 + 5;
	want_records++;
	for (i = 0; i < 200000; i++) {
		int w = snprintf(data + n, cap - n,
		    "E%07zu,2026-10-%02zuT%02zu:%02zu:00Z,%zu.%03zu\n", i % 977,
		    1 + i % 28, i / 4 % 24, i % 4 * 15, i % 5000, i % 1000);
		want_bytes += (unsigned long long)w - 3;
		want_records++;
		n += (size_t)w;
		if (i % 20000 == 19999) {
			/* one field of 100,000 bytes, then a short one */
			for (k = 0; k < 100000; k++)
				data[n++] = (char)('a' + k % 26);
			memcpy(data + n, ",z\n", 3);
			n += 3;
			want_bytes += 100001;
			want_records++;
		}
	}
	sink_init(&s);
	s.quiet = 1;
	ck_assert_int_eq(run(data, n, &s, &err), 0);
	ck_assert_int_eq(s.records, want_records);
	ck_assert_uint_eq(s.field_bytes, want_bytes);
	ck_assert_int_eq(s.lines_match, 1);
	ck_assert_int_eq(s.unterminated, 0);
	free(s.out);
	free(data);
}
END_TEST

/* Issue 16: formula cells neutralised (OWASP), signed numbers (an E.164
 * phone for the alerts vendor among them) left alone. */
START_TEST(test_put_neutralises)
{
	static const char *const in[] = { "=1+2", "+1", "-1+2", "@SUM(A1)",
	    "\tx", "\rx", "-", "-12.50", "-3", "12", "0.5", "a=b", "-.5",
	    "-1.", "=\"a\",b", "+15550100001", "+", "+1-2", "" };
	static const char want[] = "\"'=1+2\",+1,\"'-1+2\","
	    "\"'@SUM(A1)\",\"'\tx\",\"'\rx\",\"'-\",-12.50,-3,12,0.5,a=b,"
	    "\"'-.5\",\"'-1.\",\"'=\"\"a\"\",b\",+15550100001,\"'+\","
	    "\"'+1-2\",\n";
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	ck_assert_ptr_nonnull(f);
	br_csv_row(f, sizeof(in) / sizeof(in[0]), in);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(buf, want);
	free(buf);
}
END_TEST

/* Quotes doubled wherever they stand: first, last, side by side. */
START_TEST(test_put_quotes)
{
	static const char *const in[] = { "\"", "\"\"a,\"", "a\"b\"\"c",
	    "x\n\"" };
	static const char want[] = "\"\"\"\",\"\"\"\"\"a,\"\"\","
	    "\"a\"\"b\"\"\"\"c\",\"x\n\"\"\"\n";
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	ck_assert_ptr_nonnull(f);
	br_csv_row(f, sizeof(in) / sizeof(in[0]), in);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(buf, want);
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("csvio");
	TCase *tc = tcase_create("csvio");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_plain_and_crlf);
	tcase_add_test(tc, test_blanks_trimmed);
	tcase_add_test(tc, test_quotes);
	tcase_add_test(tc, test_cr_bom_nul);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_long_and_many);
	tcase_add_test(tc, test_line_max);
	tcase_add_test(tc, test_put_neutralises);
	tcase_add_test(tc, test_put_quotes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
