/*
 * check_store.c: the store (create, migrate, reopen, transactions, value
 * packing), CSV reading with line numbers, and gzip input.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "csvio.h"
#include "input.h"
#include "store.h"
#include "banned.h"

static char dir[256];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/br-check-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

START_TEST(test_store_create_reopen_and_version)
{
	char p[300], v[64];
	struct br_error err;
	struct br_store *st;

	path_in(p, sizeof(p), "b.db");
	ck_assert_ptr_null(br_store_open(p, 0, &err));
	ck_assert_int_eq(err.code, BR_ENOINPUT);
	st = br_store_open(p, BR_STORE_CREATE, &err);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(br_store_setting_set(st, "timezone",
	    "America/Chicago", &err), 0);
	br_store_close(st);
	st = br_store_open(p, 0, &err);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(br_store_setting_get(st, "timezone", NULL, v,
	    sizeof(v), &err), 0);
	ck_assert_str_eq(v, "America/Chicago");
	ck_assert_int_eq(br_store_setting_get(st, "nope", "dflt", v,
	    sizeof(v), &err), 1);
	ck_assert_str_eq(v, "dflt");
	ck_assert_int_eq(br_store_exec(st, "PRAGMA user_version = 99", &err),
	    0);
	br_store_close(st);
	ck_assert_ptr_null(br_store_open(p, 0, &err));
	ck_assert_int_eq(err.code, BR_ECONFIG);
}
END_TEST

START_TEST(test_store_rollback_leaves_store_unchanged)
{
	char p[300], v[64];
	struct br_error err;
	struct br_store *st;

	path_in(p, sizeof(p), "r.db");
	st = br_store_open(p, BR_STORE_CREATE, &err);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_store_setting_set(st, "name", "X", &err), 0);
	br_store_rollback(st);
	ck_assert_int_eq(br_store_setting_get(st, "name", "", v, sizeof(v),
	    &err), 1);
	/* Closing with an open transaction rolls it back too. */
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_store_setting_set(st, "name", "Y", &err), 0);
	br_store_close(st);
	st = br_store_open(p, 0, &err);
	ck_assert_int_eq(br_store_setting_get(st, "name", "", v, sizeof(v),
	    &err), 1);
	br_store_close(st);
}
END_TEST

START_TEST(test_store_pack_roundtrip)
{
	int64_t in[4] = {0, -1, 1234567890123LL, INT64_MIN}, out[4];
	unsigned char buf[32];

	br_store_pack_values(in, 4, buf);
	ck_assert_int_eq(buf[8], 0xff);
	br_store_unpack_values(buf, 4, out);
	ck_assert_mem_eq(in, out, sizeof(in));
}
END_TEST

struct collect {
	char text[1024];
	long lines[16];
	int n;
};

static int
collect_cb(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct collect *c = ctx;
	size_t i, len = strlen(c->text);

	(void)err;
	for (i = 0; i < rec->nfields; i++)
		len += (size_t)snprintf(c->text + len, sizeof(c->text) - len,
		    "%s[%s]", i ? "," : "", rec->fields[i]);
	len += (size_t)snprintf(c->text + len, sizeof(c->text) - len, ";");
	c->lines[c->n++] = rec->line;
	if (strcmp(br_csv_field(rec, 0), "stop") == 0)
		return br_error_set(err, BR_EINPUT, NULL, 0, "stop here");
	return 0;
}

static void
write_file(const char *p, const char *s)
{
	FILE *f = fopen(p, "w");

	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	fclose(f);
}

START_TEST(test_csv_lines_quotes_bom_crlf)
{
	char p[300];
	struct collect c;
	struct br_error err;

	memset(&c, 0, sizeof(c));
	path_in(p, sizeof(p), "a.csv");
	write_file(p, "\xEF\xBB\xBFid,name\r\n1,\"a, b\"\r\n\r\n2,\"two\nlines\""
	    "\n3,last");
	ck_assert_int_eq(br_csv_read(p, collect_cb, &c, NULL, &err), 0);
	ck_assert_str_eq(c.text,
	    "[id],[name];[1],[a, b];[2],[two\nlines];[3],[last];");
	ck_assert_int_eq(c.n, 4);
	ck_assert_int_eq(c.lines[0], 1);
	ck_assert_int_eq(c.lines[1], 2);
	ck_assert_int_eq(c.lines[2], 5);
	ck_assert_int_eq(c.lines[3], 6);
}
END_TEST

START_TEST(test_csv_callback_error_gets_file_and_line)
{
	char p[300];
	struct collect c;
	struct br_error err;

	memset(&c, 0, sizeof(c));
	memset(&err, 0, sizeof(err));
	path_in(p, sizeof(p), "b.csv");
	write_file(p, "h\nok\nstop\nnever\n");
	ck_assert_int_eq(br_csv_read(p, collect_cb, &c, NULL, &err), -1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_str_eq(err.file, p);
	ck_assert_int_eq(c.n, 3);
}
END_TEST

START_TEST(test_csv_malformed_quote)
{
	char p[300];
	struct collect c;
	struct br_error err;

	memset(&c, 0, sizeof(c));
	path_in(p, sizeof(p), "c.csv");
	write_file(p, "a,b\n1,\"x\"y\n");
	ck_assert_int_eq(br_csv_read(p, collect_cb, &c, NULL, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 2);
}
END_TEST

START_TEST(test_gzip_same_hash_as_plain)
{
	char p[300], pg[300], h1[65], h2[65];
	struct collect c1, c2;
	struct br_error err;
	gzFile gz;
	const char *text = "a,b\n1,2\n3,4\n";

	memset(&c1, 0, sizeof(c1));
	memset(&c2, 0, sizeof(c2));
	path_in(p, sizeof(p), "d.csv");
	path_in(pg, sizeof(pg), "d.csv.gz");
	write_file(p, text);
	gz = gzopen(pg, "wb");
	gzputs(gz, text);
	gzclose(gz);
	ck_assert_int_eq(br_csv_read(p, collect_cb, &c1, h1, &err), 0);
	ck_assert_int_eq(br_csv_read(pg, collect_cb, &c2, h2, &err), 0);
	ck_assert_str_eq(c1.text, c2.text);
	ck_assert_str_eq(h1, h2);
}
END_TEST

START_TEST(test_gzip_truncated_is_an_error)
{
	char pg[300], buf[4096];
	struct br_error err;
	struct br_input *in;
	gzFile gz;
	FILE *f;
	long n, size;
	int i;

	path_in(pg, sizeof(pg), "t.gz");
	gz = gzopen(pg, "wb");
	for (i = 0; i < 2000; i++)
		gzprintf(gz, "line %d with some text to compress\n", i * 7919);
	gzclose(gz);
	f = fopen(pg, "r+");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	ck_assert_int_eq(truncate(pg, size / 2), 0);
	in = br_input_open(pg, &err);
	ck_assert_ptr_nonnull(in);
	while ((n = br_input_read(in, buf, sizeof(buf), &err)) > 0)
		;
	ck_assert_int_eq(n, -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	br_input_close(in);
	ck_assert_ptr_null(br_input_open("/nonexistent/x.csv", &err));
	ck_assert_int_eq(err.code, BR_ENOINPUT);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_store_create_reopen_and_version);
	tcase_add_test(tc, test_store_rollback_leaves_store_unchanged);
	tcase_add_test(tc, test_store_pack_roundtrip);
	tcase_add_test(tc, test_csv_lines_quotes_bom_crlf);
	tcase_add_test(tc, test_csv_callback_error_gets_file_and_line);
	tcase_add_test(tc, test_csv_malformed_quote);
	tcase_add_test(tc, test_gzip_same_hash_as_plain);
	tcase_add_test(tc, test_gzip_truncated_is_an_error);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
