/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fixture.h: helpers shared by the Check suites (tests/check_*.c): where
 * the source tree and the shared samples are (and how a suite reports its
 * sample cases skipped), a private temporary
 * directory per test, small files written into it, and a temporary store
 * filled with SQL or with a registry directory from testdata.  Every
 * helper asserts (ck_assert) instead of returning an error, so a broken
 * fixture fails the test that uses it.  Header-only: every helper is
 * static inline.
 */
#ifndef BR_TESTS_FIXTURE_H
#define BR_TESTS_FIXTURE_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/registry.h"
#include "store/store.h"

#ifndef BR_SOURCE_DIR
#define BR_SOURCE_DIR "."
#endif

/* The source tree: $BR_SOURCE_DIR when set and non-empty, else the
 * compile-time BR_SOURCE_DIR. */
static inline const char *
fx_srcdir(void)
{
	const char *e = getenv("BR_SOURCE_DIR");

	return e && *e ? e : BR_SOURCE_DIR;
}

/*
 * The shared samples (../shared/samples): $BR_SAMPLES_DIR, which ctest
 * sets only when CMake found the folder at configure time; NULL when it
 * is unset or empty.  No default path is compiled in.
 */
static inline const char *
fx_samples(void)
{
	const char *e = getenv("BR_SAMPLES_DIR");

	return e && *e ? e : NULL;
}

/* Exit status ctest reports as "Skipped" (SKIP_RETURN_CODE in CMake). */
#define FX_SKIP 77

/*
 * Run suite s and return main's exit status.  Cases that need the shared
 * samples live in a TCase named and tagged "samples"; CMake registers
 * such a suite twice, as check_<x> (CK_EXCLUDE_TAGS=samples) and
 * check_<x>-samples (CK_RUN_CASE=samples), and the second is skipped
 * (FX_SKIP) when there are no samples, so ctest says "Skipped", not
 * "Passed".
 */
static inline int
fx_run(Suite *s)
{
	const char *only = getenv("CK_RUN_CASE");
	SRunner *sr;
	int failed;

	if (only != NULL && strcmp(only, "samples") == 0 &&
	    fx_samples() == NULL) {
		printf("BR_SAMPLES_DIR unset: shared sample cases skipped\n");
		srunner_free(srunner_create(s));	/* frees s */
		return FX_SKIP;
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* <source tree>/sub/name; returns the path, valid for the next 8 calls. */
static inline const char *
fx_srcfile(const char *sub, const char *name)
{
	static char ring[8][1024];
	static int k;

	k = (k + 1) % 8;
	snprintf(ring[k], sizeof(ring[k]), "%s/%s/%s", fx_srcdir(), sub, name);
	return ring[k];
}

/* <shared samples>/sub ("" for the top) when it is a directory (valid
 * until the next call); else NULL, after printing, when suite is not
 * NULL, that suite skips those cases. */
static inline const char *
fx_samples_dir(const char *suite, const char *sub)
{
	static char dir[512];
	struct stat sb;

	if (fx_samples() == NULL) {
		if (suite)
			printf("%s: BR_SAMPLES_DIR unset, shared sample cases "
			    "skipped\n", suite);
		return NULL;
	}
	snprintf(dir, sizeof(dir), "%s%s%s", fx_samples(), *sub ? "/" : "",
	    sub);
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		if (suite)
			printf("%s: %s not found, shared sample cases "
			    "skipped\n", suite, dir);
		return NULL;
	}
	return dir;
}

/* Create a fresh directory from the mkdtemp template tmpl into dir[n]. */
static inline void
fx_mkdtemp(char *dir, size_t n, const char *tmpl)
{
	snprintf(dir, n, "%s", tmpl);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Remove dir and everything below it (rm -rf); asserts it worked. */
static inline void
fx_rmrf(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Write text to path (created or truncated). */
static inline void
fx_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* Write the n bytes at data to path (created or truncated). */
static inline void
fx_write_bytes(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* Write text to dir/name, with the path in path[n]; returns path. */
static inline const char *
fx_write_in(char *path, size_t n, const char *dir, const char *name,
    const char *text)
{
	snprintf(path, n, "%s/%s", dir, name);
	fx_write(path, text);
	return path;
}

/* Write text to dir/name; returns the path, valid for the next 8 calls. */
static inline const char *
fx_file(const char *dir, const char *name, const char *text)
{
	static char ring[8][600];
	static int k;

	k = (k + 1) % 8;
	return fx_write_in(ring[k], sizeof(ring[k]), dir, name, text);
}

/* Write the n bytes at data to a new file from the mkstemp template
 * tmpl; returns its path, valid for the next 8 calls (the caller unlinks
 * it). */
static inline const char *
fx_tmpfile_bytes(const char *tmpl, const void *data, size_t n)
{
	static char ring[8][256];
	static int k;
	FILE *f;
	int fd;

	k = (k + 1) % 8;
	snprintf(ring[k], sizeof(ring[k]), "%s", tmpl);
	fd = mkstemp(ring[k]);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
	return ring[k];
}

/* Write text to a new file from the mkstemp template tmpl; as above. */
static inline const char *
fx_tmpfile(const char *tmpl, const char *text)
{
	return fx_tmpfile_bytes(tmpl, text, strlen(text));
}

/* Create the store dir/dbname, run sql on it when sql is not NULL, and
 * return it. */
static inline struct br_store *
fx_store(const char *dir, const char *dbname, const char *sql)
{
	struct br_error err;
	struct br_store *st;
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, dbname);
	memset(&err, 0, sizeof(err));
	st = br_store_open(path, BR_STORE_CREATE, &err);
	ck_assert_msg(st != NULL, "%s", err.msg);
	if (sql)
		ck_assert_msg(br_store_exec(st, sql, &err) == 0, "%s",
		    err.msg);
	return st;
}

/* Load the registry directory <source tree>/reldir into st in one
 * committed transaction. */
static inline void
fx_registry(struct br_store *st, const char *reldir)
{
	struct br_error err;
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", fx_srcdir(), reldir);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_msg(br_registry_load_dir(st, path, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
}

/* The first column of the first row of sql on st as an integer; when
 * there is no row, a failure if need_row, else -999. */
static inline int64_t
fx_scalar(struct br_store *st, const char *sql, int need_row)
{
	struct br_error err;
	sqlite3_stmt *s = br_store_prepare(st, sql, &err);
	int64_t v = -999;
	int rc;

	ck_assert_ptr_nonnull(s);
	rc = sqlite3_step(s);
	if (need_row)
		ck_assert_int_eq(rc, SQLITE_ROW);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

#endif
