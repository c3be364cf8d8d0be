/* SPDX-License-Identifier: Apache-2.0 */
/*
 * history.c: the legacy billing history (convert-import's tables) as
 * prior bills of the rating engine, and the NEM bank carried in.  See
 * history.h and docs/man/br-convert.5.
 */
#include "rate/history.h"

#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/banned.h"

/*
 * One row per legacy period: the history's totals joined with the
 * ratchet file's demand of the month the period ends in, then the
 * ratchet months that have no history row.
 */
static const char prior_sql[] =
    "WITH held(pstart, pend) AS (SELECT start_date, "
    "COALESCE(NULLIF(end_date, ''), '9999-12-31') FROM service_agreement "
    "WHERE account_id = ?4 AND sp_id = ?1) "
    "SELECT lu.period_start, lu.period_end, lu.usage_milli, "
    "MAX(lu.peak_demand_milli, COALESCE(lr.demand_milli, 0)) "
    "FROM legacy_usage lu LEFT JOIN legacy_ratchet lr "
    "ON lr.sp_id = lu.sp_id AND lr.month = substr(lu.period_end, 1, 7) "
    "WHERE lu.sp_id = ?1 AND lu.unit = ?2 AND lu.tou_period = '' "
    "AND lu.period_end < ?3 AND EXISTS (SELECT 1 FROM held "
    "WHERE pstart <= lu.period_end AND pend >= lu.period_start) "
    "UNION ALL "
    "SELECT m.first, m.last, 0, m.demand_milli FROM (SELECT "
    "lr.month || '-01' AS first, date(lr.month || '-01', '+1 month', "
    "'-1 day') AS last, lr.demand_milli, lr.month FROM legacy_ratchet lr "
    "WHERE lr.sp_id = ?1) m WHERE m.last < ?3 "
    "AND EXISTS (SELECT 1 FROM held WHERE pstart <= m.last "
    "AND pend >= m.first) AND NOT EXISTS (SELECT 1 FROM legacy_usage lu "
    "WHERE lu.sp_id = ?1 AND lu.unit = ?2 AND lu.tou_period = '' "
    "AND substr(lu.period_end, 1, 7) = m.month) "
    "ORDER BY 2 DESC";

/* *empty = whether the query sql returns 0 (its one value). */
static int
is_empty(struct br_store *st, const char *sql, int *empty,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, sql, err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	*empty = rc == SQLITE_ROW && sqlite3_column_int(s, 0) == 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return br_store_fail(st, "read legacy history", err);
	return 0;
}

int
br_rate_legacy_open(struct br_rate_legacy *lg, struct br_store *st,
    struct br_error *err)
{
	memset(lg, 0, sizeof(*lg));
	lg->st = st;
	lg->q_prior = br_store_prepare(st, prior_sql, err);
	if (lg->q_prior == NULL)
		return -1;
	lg->q_nem = br_store_prepare(st, "SELECT bank_milli, true_up_month "
	    "FROM legacy_nem_bank WHERE account_id = ?1 AND sp_id = ?2", err);
	if (lg->q_nem == NULL || is_empty(st, "SELECT EXISTS(SELECT 1 FROM "
	    "legacy_usage) OR EXISTS(SELECT 1 FROM legacy_ratchet)",
	    &lg->no_prior, err) != 0 || is_empty(st, "SELECT EXISTS(SELECT 1 "
	    "FROM legacy_nem_bank)", &lg->no_nem, err) != 0) {
		br_rate_legacy_close(lg);
		return -1;
	}
	return 0;
}

void
br_rate_legacy_close(struct br_rate_legacy *lg)
{
	sqlite3_finalize(lg->q_prior);
	sqlite3_finalize(lg->q_nem);
	lg->q_prior = lg->q_nem = NULL;
}

/* Does one of the billrun bills v[0..n) overlap days first..last? */
static int
billed(const struct br_rate_prior *v, size_t n, int32_t first, int32_t last)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].period_first <= last && v[i].period_last >= first)
			return 1;
	return 0;
}

static int
day(struct br_rate_legacy *lg, sqlite3_stmt *s, int col, int32_t *out,
    struct br_error *err)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	if (t == NULL || br_date_parse((const char *)t, (size_t)-1, out) != 0)
		return br_error_set(err, BR_EINPUT, lg->st->path, 0,
		    "bad date '%s' in the legacy history", t ? (const char *)t
		    : "");
	return 0;
}

int
br_rate_legacy_prior(struct br_rate_legacy *lg, const char *account_id,
    const char *sp_id, const char *unit, const char *before,
    struct br_rate_prior **v,
    size_t *n, size_t *cap, struct br_error *err)
{
	sqlite3_stmt *s = lg->q_prior;
	size_t nbill = *n;
	int rc;

	if (lg->no_prior)
		return 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, sp_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, unit, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, before, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, account_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_rate_prior p;

		memset(&p, 0, sizeof(p));
		if (day(lg, s, 0, &p.period_first, err) != 0 ||
		    day(lg, s, 1, &p.period_last, err) != 0)
			goto fail;
		if (billed(*v, nbill, p.period_first, p.period_last))
			continue;
		p.usage_milli = sqlite3_column_int64(s, 2);
		p.demand_milli = sqlite3_column_int64(s, 3);
		if (*n == *cap) {
			size_t c = *cap ? 2 * *cap : 16;
			struct br_rate_prior *nv = realloc(*v, c * sizeof(*nv));
			if (nv == NULL) {
				br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
				goto fail;
			}
			*v = nv;
			*cap = c;
		}
		(*v)[(*n)++] = p;
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(lg->st, "read legacy_usage", err);
	sqlite3_reset(s);
	return 0;
fail:
	sqlite3_reset(s);
	return -1;
}

int
br_rate_legacy_nem(struct br_rate_legacy *lg, const char *account_id,
    const char *sp_id, int64_t *bank_milli, int *true_up_month, int *found,
    struct br_error *err)
{
	sqlite3_stmt *s = lg->q_nem;
	int rc;

	*bank_milli = 0;
	*true_up_month = 0;
	*found = 0;
	if (lg->no_nem)
		return 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, sp_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*bank_milli = sqlite3_column_int64(s, 0);
		*true_up_month = sqlite3_column_int(s, 1);
		*found = 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return br_store_fail(lg->st, "read legacy_nem_bank", err);
	return 0;
}
