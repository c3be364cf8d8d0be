/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_shard.c: --shard K/N parsing, the account -> shard hash (pinned:
 * shard stores of one cycle must agree across versions), the stable
 * exception id and the SQL functions br_in_shard() and br_exc_id().
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/registry.h"
#include "store/shard.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

START_TEST(test_parse)
{
	struct br_shard sh;
	struct br_error err;
	static const char *const bad[] = { "", "1", "/3", "1/", "0/3", "4/3",
	    "1/0", "1/1025", "-1/3", "1/-3", "a/3", "1/3x", "1 /3", " 1/3",
	    "1//3", "+1/3" };
	size_t i;

	ck_assert_int_eq(br_shard_parse("1/1", &sh, &err), 0);
	ck_assert_int_eq(sh.k, 1);
	ck_assert_int_eq(sh.n, 1);
	ck_assert_int_eq(br_shard_parse("3/3", &sh, &err), 0);
	ck_assert_int_eq(sh.k, 3);
	ck_assert_int_eq(sh.n, 3);
	ck_assert_int_eq(br_shard_parse("1024/1024", &sh, &err), 0);
	ck_assert_int_eq(sh.n, 1024);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		br_error_clear(&err);
		ck_assert_msg(br_shard_parse(bad[i], &sh, &err) == -1,
		    "'%s' accepted", bad[i]);
		ck_assert_int_eq(err.code, BR_EUSAGE);
	}
	ck_assert_int_eq(br_shard_parse(NULL, &sh, &err), -1);
}
END_TEST

START_TEST(test_shard_of)
{
	struct br_shard sh = { 2, 3 };
	int count[3] = { 0, 0, 0 };
	char id[16];
	int i, k;

	/* Pinned values: FNV-1a 64 of the account id, mod N, plus one. */
	ck_assert_int_eq(br_shard_of("A00001", 3), 3);
	ck_assert_int_eq(br_shard_of("A00002", 3), 1);
	ck_assert_int_eq(br_shard_of("A00003", 3), 2);
	ck_assert_uint_eq(br_fnv1a(BR_FNV_OFFSET, "a", 1),
	    UINT64_C(0xaf63dc4c8601ec8c));
	/* No account: shard 1.  One shard: everything. */
	ck_assert_int_eq(br_shard_of("", 7), 1);
	ck_assert_int_eq(br_shard_of(NULL, 7), 1);
	ck_assert_int_eq(br_shard_of("A00001", 1), 1);
	ck_assert(br_shard_member(NULL, "A00002"));
	ck_assert(br_shard_member(&sh, "A00003"));
	ck_assert(!br_shard_member(&sh, "A00001"));
	ck_assert(!br_shard_member(&sh, ""));
	sh.k = 1;
	ck_assert(br_shard_member(&sh, ""));
	/* Every account in exactly one shard, all shards used. */
	for (i = 1; i <= 50; i++) {
		snprintf(id, sizeof(id), "A%05d", i);
		k = br_shard_of(id, 3);
		ck_assert(k >= 1 && k <= 3);
		count[k - 1]++;
	}
	ck_assert_int_eq(count[0], 19);
	ck_assert_int_eq(count[1], 16);
	ck_assert_int_eq(count[2], 15);
}
END_TEST

START_TEST(test_exception_id)
{
	int64_t a, b;

	/* Pinned: disposition files written against one store must work
	 * against any other store of the same data. */
	a = br_exception_id("validate", "GAP", "A1", "M1", "2026-10-05", "x");
	ck_assert(a == INT64_C(6697373872964366078));
	ck_assert(a > 0);
	/* Field boundaries count. */
	b = br_exception_id("validate", "GAP", "A1", "M1", "2026-10-0", "5x");
	ck_assert(a != b);
	b = br_exception_id("validate", "GAP", "A1M1", "", "2026-10-05", "x");
	ck_assert(a != b);
	b = br_exception_id("import", "GAP", "A1", "M1", "2026-10-05", "x");
	ck_assert(a != b);
	/* NULL is "". */
	ck_assert(br_exception_id("s", "c", NULL, NULL, NULL, NULL) ==
	    br_exception_id("s", "c", "", "", "", ""));
}
END_TEST

START_TEST(test_sql)
{
	char dir[64];
	struct br_error err;
	struct br_store *st;
	sqlite3_stmt *s;

	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_shard.XXXXXX");
	st = fx_store(dir, "billing.db", NULL);
	s = br_store_prepare(st, "SELECT br_exc_id('validate', 'GAP', 'A1',"
	    " 'M1', '2026-10-05', 'x'), br_in_shard('A00001'),"
	    " br_in_shard(''), br_in_shard(NULL)", &err);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert(sqlite3_column_int64(s, 0) == INT64_C(6697373872964366078));
	ck_assert_int_eq(sqlite3_column_int(s, 1), 1);	/* not sharded */
	ck_assert_int_eq(sqlite3_column_int(s, 2), 1);
	sqlite3_reset(s);
	st->shard.k = 2;
	st->shard.n = 3;
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(s, 1), 0);	/* A00001: 3 */
	ck_assert_int_eq(sqlite3_column_int(s, 2), 0);	/* '': shard 1 */
	ck_assert_int_eq(sqlite3_column_int(s, 3), 0);
	sqlite3_reset(s);
	st->shard.k = 3;
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(s, 1), 1);
	sqlite3_finalize(s);
	br_store_close(st);
	fx_rmrf(dir);
}
END_TEST

/* A meter's home shard: the in-memory registry and the store's tables
 * (br_shard_member_exc, br_exc_in_shard) agree; data without an account
 * goes to the home shard, else shard 1. */
START_TEST(test_meter_home)
{
	char dir[64];
	struct br_error err;
	struct br_store *st;
	struct br_registry reg;
	struct br_shard sh = { 2, 3 };
	size_t i, homed = 0;
	int k, home;

	ck_assert_int_eq(br_shard_member_home(&sh, "", 2), 1);
	ck_assert_int_eq(br_shard_member_home(&sh, "", 3), 0);
	ck_assert_int_eq(br_shard_member_home(&sh, "", 0), 0);
	sh.k = 1;
	ck_assert_int_eq(br_shard_member_home(&sh, NULL, 0), 1);
	ck_assert_int_eq(br_shard_member_home(&sh, "A00001", 1),
	    br_shard_of("A00001", 3) == 1);
	ck_assert_int_eq(br_shard_member_home(NULL, "", 2), 1);

	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_shard.XXXXXX");
	st = fx_store(dir, "billing.db", NULL);
	fx_registry(st, "testdata/demo/registry");
	memset(&reg, 0, sizeof(reg));
	ck_assert_int_eq(br_registry_init(&reg, st, &err), 0);
	for (i = 0; i < reg.nmeters; i++) {
		home = br_shard_meter_home(&reg, &reg.meters[i], 3);
		ck_assert(home >= 0 && home <= 3);
		homed += home > 0;
		for (k = 1; k <= 3; k++) {
			st->shard.k = k;
			st->shard.n = 3;
			ck_assert_int_eq(br_shard_member_exc(st, "",
			    reg.meters[i].meter_id, &err),
			    (home > 0 ? home : 1) == k);
		}
		/* A meter at home among 3 is at home in the one shard. */
		if (home > 0)
			ck_assert_int_eq(br_shard_meter_home(&reg,
			    &reg.meters[i], 1), 1);
	}
	ck_assert(homed > 0);
	/* Shard 3 of 3: an unknown meter's row is shard 1's. */
	ck_assert_int_eq(fx_scalar(st, "SELECT br_exc_in_shard('', 'NOSUCH')",
	    1), 0);
	ck_assert_int_eq(fx_scalar(st, "SELECT br_exc_in_shard('A00001', '')",
	    1), br_shard_of("A00001", 3) == 3);
	br_registry_release(&reg);
	br_store_close(st);
	fx_rmrf(dir);
}
END_TEST

START_TEST(test_bind)
{
	char dir[64];
	struct br_error err;
	struct br_store *st;
	struct br_shard two = { 2, 3 }, one = { 1, 3 };
	char path[128];

	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_shard.XXXXXX");
	st = fx_store(dir, "billing.db", NULL);
	/* Unsharded on an unsharded store: nothing recorded. */
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_shard_bind(st, NULL, &err), 0);
	ck_assert_int_eq(st->shard.n, 0);
	/* The first sharded run makes it shard 2/3 for good. */
	ck_assert_int_eq(br_shard_bind(st, &two, &err), 0);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	ck_assert_int_eq(st->shard.k, 2);
	ck_assert_int_eq(st->shard.n, 3);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_shard_bind(st, &two, &err), 0);
	ck_assert_int_eq(br_shard_bind(st, &one, &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "run with --shard 2/3"));
	ck_assert_int_eq(br_shard_bind(st, NULL, &err), -1);
	br_store_rollback(st);
	br_store_close(st);
	snprintf(path, sizeof(path), "%s/billing.db", dir);
	unlink(path);

	/* A store with unsharded data cannot become a shard store. */
	st = fx_store(dir, "billing.db", "INSERT INTO interval_day VALUES("
	    "'M1', 1, 20000, 900, 0, x'', x'', 1, 1)");
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_shard_bind(st, &one, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "unsharded data"));
	br_store_rollback(st);
	br_store_close(st);
	fx_rmrf(dir);
}
END_TEST

static Suite *
shard_suite(void)
{
	Suite *s = suite_create("shard");
	TCase *tc = tcase_create("shard");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_shard_of);
	tcase_add_test(tc, test_exception_id);
	tcase_add_test(tc, test_sql);
	tcase_add_test(tc, test_meter_home);
	tcase_add_test(tc, test_bind);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(shard_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
