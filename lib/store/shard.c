/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shard.c: shard specifications ("K/N"), the account -> shard hash
 * (FNV-1a 64 of the account id, modulo N, plus one), a meter's home shard
 * (where its data without an account goes), the stable exception id (a
 * 63-bit hash of the exception's natural key) and the SQL functions
 * br_in_shard(), br_exc_in_shard() and br_exc_id() the stage queries use.
 */
#include "store/shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/registry.h"
#include "store/store.h"
#include "core/banned.h"

int
br_shard_parse(const char *s, struct br_shard *sh, struct br_error *err)
{
	const char *slash;
	char *end;
	long k, n;

	if (s == NULL || (slash = strchr(s, '/')) == NULL || slash == s ||
	    slash[1] == '\0')
		goto bad;
	if (*s < '0' || *s > '9' || slash[1] < '0' || slash[1] > '9')
		goto bad;
	k = strtol(s, &end, 10);
	if (end != slash)
		goto bad;
	n = strtol(slash + 1, &end, 10);
	if (*end != '\0')
		goto bad;
	if (n < 1 || n > BR_SHARD_MAX || k < 1 || k > n)
		goto bad;
	sh->k = (int)k;
	sh->n = (int)n;
	return 0;
bad:
	return br_error_set(err, BR_EUSAGE, NULL, 0,
	    "bad shard '%s' (want K/N with 1 <= K <= N <= %d)",
	    s ? s : "", BR_SHARD_MAX);
}

uint64_t
br_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

int
br_shard_of(const char *account_id, int n)
{
	uint64_t h;

	if (n <= 1 || account_id == NULL || *account_id == '\0')
		return 1;
	h = br_fnv1a(BR_FNV_OFFSET, account_id, strlen(account_id));
	return (int)(h % (uint64_t)n) + 1;
}

int
br_shard_member(const struct br_shard *sh, const char *account_id)
{
	if (sh == NULL || sh->n <= 0)
		return 1;
	return br_shard_of(account_id, sh->n) == sh->k;
}

/* Fold account shard s into the home so far: 0 none yet, -1 several. */
static int
fold_home(int home, int s)
{
	if (home == 0 || home == s)
		return s;
	return -1;
}

int
br_shard_meter_home(const struct br_registry *reg,
    const struct br_registry_meter *m, int n)
{
	size_t i, j, lo, hi;
	int home = 0;

	for (i = 0; i < m->ninstalls && home >= 0; i++) {
		const char *sp = reg->installs[m->first_install + i].sp_id;
		lo = 0;
		hi = reg->nagreements;
		while (lo < hi) {	/* first agreement of sp */
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(reg->agreements[mid].sp_id, sp) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (j = lo; j < reg->nagreements && home >= 0 &&
		    strcmp(reg->agreements[j].sp_id, sp) == 0; j++)
			home = fold_home(home, br_shard_of(
			    reg->agreements[j].account_id, n));
	}
	return home < 0 ? 0 : home;
}

int
br_shard_member_home(const struct br_shard *sh, const char *account_id,
    int home)
{
	if (sh == NULL || sh->n <= 0)
		return 1;
	if (account_id != NULL && *account_id != '\0')
		return br_shard_of(account_id, sh->n) == sh->k;
	return (home > 0 ? home : 1) == sh->k;
}

/* br_shard_meter_home from the store's tables (the same rows). */
static int
store_meter_home(sqlite3 *db, const char *meter_id, int n, int *home)
{
	sqlite3_stmt *s;
	int rc, h = 0;

	if (sqlite3_prepare_v2(db, "SELECT DISTINCT sa.account_id FROM "
	    "meter_install mi JOIN service_agreement sa ON sa.sp_id = "
	    "mi.sp_id WHERE mi.meter_id = ?1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, meter_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && h >= 0) {
		const unsigned char *a = sqlite3_column_text(s, 0);
		h = fold_home(h, br_shard_of(a ? (const char *)a : "", n));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	*home = h < 0 ? 0 : h;
	return 0;
}

int
br_shard_member_exc(struct br_store *st, const char *account_id,
    const char *meter_id, struct br_error *err)
{
	int home = 0;

	if (st->shard.n <= 0)
		return 1;
	if ((account_id == NULL || *account_id == '\0') && meter_id != NULL &&
	    *meter_id != '\0' &&
	    store_meter_home(st->db, meter_id, st->shard.n, &home) != 0)
		return br_store_fail(st, "read meter home shard", err);
	return br_shard_member_home(&st->shard, account_id, home);
}

int64_t
br_exception_id(const char *stage, const char *code, const char *account_id,
    const char *meter_id, const char *date, const char *detail)
{
	const char *f[6];
	uint64_t h = BR_FNV_OFFSET;
	int i;

	f[0] = stage;
	f[1] = code;
	f[2] = account_id;
	f[3] = meter_id;
	f[4] = date;
	f[5] = detail;
	for (i = 0; i < 6; i++) {
		const char *s = f[i] ? f[i] : "";
		/* Unit separator between fields: ("ab","c") != ("a","bc"). */
		h = br_fnv1a(h, s, strlen(s));
		h = br_fnv1a(h, "\x1f", 1);
	}
	/* Final avalanche (splitmix64), so similar keys spread. */
	h ^= h >> 30;
	h *= UINT64_C(0xbf58476d1ce4e5b9);
	h ^= h >> 27;
	h *= UINT64_C(0x94d049bb133111eb);
	h ^= h >> 31;
	h &= UINT64_C(0x7fffffffffffffff);
	return h == 0 ? 1 : (int64_t)h;
}

static const char *
arg_text(sqlite3_value *v)
{
	const unsigned char *s = sqlite3_value_text(v);

	return s ? (const char *)s : "";
}

static void
sql_exc_id(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int64(ctx, br_exception_id(arg_text(argv[0]),
	    arg_text(argv[1]), arg_text(argv[2]), arg_text(argv[3]),
	    arg_text(argv[4]), arg_text(argv[5])));
}

static void
sql_in_shard(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct br_shard *sh = sqlite3_user_data(ctx);

	(void)argc;
	sqlite3_result_int(ctx, br_shard_member(sh, arg_text(argv[0])));
}

static void
sql_exc_in_shard(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct br_shard *sh = sqlite3_user_data(ctx);
	const char *account = arg_text(argv[0]), *meter = arg_text(argv[1]);
	int home = 0;

	(void)argc;
	if (sh != NULL && sh->n > 0 && *account == '\0' && *meter != '\0' &&
	    store_meter_home(sqlite3_context_db_handle(ctx), meter, sh->n,
	    &home) != 0) {
		sqlite3_result_error(ctx, "cannot read meter home shard", -1);
		return;
	}
	sqlite3_result_int(ctx, br_shard_member_home(sh, account, home));
}

int
br_shard_sql_register(sqlite3 *db, const struct br_shard *sh)
{
	if (sqlite3_create_function(db, "br_exc_id", 6, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, sql_exc_id, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "br_in_shard", 1, SQLITE_UTF8,
	    (void *)sh, sql_in_shard, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "br_exc_in_shard", 2, SQLITE_UTF8,
	    (void *)sh, sql_exc_in_shard, NULL, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

int
br_shard_bind(struct br_store *st, const struct br_shard *sh,
    struct br_error *err)
{
	char want[32] = "", have[32];
	int rc;

	if (sh != NULL && sh->n > 0)
		snprintf(want, sizeof(want), "%d/%d", sh->k, sh->n);
	if ((rc = br_store_setting_get(st, "shard", "", have, sizeof(have),
	    err)) < 0)
		return -1;
	if (strcmp(have, want) != 0) {
		if (have[0] != '\0')
			return br_error_set(err, BR_ECONFIG, st->path, 0,
			    "store holds shard %s: run with --shard %s", have,
			    have);
		/* A store becomes a shard store on its first sharded run,
		 * before it holds reads, bills or payments of all accounts. */
		sqlite3_stmt *s = br_store_prepare(st, "SELECT EXISTS(SELECT 1 "
		    "FROM interval_day) OR EXISTS(SELECT 1 FROM bill) OR "
		    "EXISTS(SELECT 1 FROM payment)", err);

		if (s == NULL)
			return -1;
		if (sqlite3_step(s) != SQLITE_ROW) {
			sqlite3_finalize(s);
			return br_store_fail(st, "read store", err);
		}
		rc = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		if (rc)
			return br_error_set(err, BR_ECONFIG, st->path, 0,
			    "store holds unsharded data: --shard %s needs a "
			    "new store", want);
		if (br_store_setting_set(st, "shard", want, err) != 0)
			return -1;
	}
	st->shard.k = want[0] ? sh->k : 0;
	st->shard.n = want[0] ? sh->n : 0;
	return 0;
}
