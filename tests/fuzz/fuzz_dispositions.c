/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_dispositions.c: the exception disposition CSV
 * (br_disposition_apply) against a store holding three exceptions.  On
 * success every decision is dated, every status valid and the applied
 * count matches the rows added; on failure the error contract holds.
 * Each input runs in a transaction that is rolled back.
 */
#include "fuzz.h"
#include "validate/disposition.h"
#include "core/banned.h"

static int64_t
count(struct br_store *st, const char *sql)
{
	sqlite3_stmt *s = br_store_prepare(st, sql, NULL);
	int64_t n;

	if (s == NULL || sqlite3_step(s) != SQLITE_ROW)
		abort();
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int seeded;
	struct br_store *st = fuzz_store();
	struct br_disposition_result res;
	struct br_error err;
	int rc;

	br_error_clear(&err);
	if (!seeded) {
		/* 1 = EX-0000000000001, 95647407670577494 = EX-02MYESXYY8JAP */
		if (br_store_begin(st, &err) != 0 || br_store_exec(st,
		    "INSERT INTO exception(exc_id, stage, code, severity, "
		    "account_id, meter_id, date, detail) VALUES"
		    "(1, 'validate', 'GAP', 'hold', 'A1', 'M1', '2026-10-05', "
		    "'g'),"
		    "(95647407670577494, 'validate', 'NEGATIVE', 'hold', 'A1', "
		    "'M1', '2026-10-08', 'n'),"
		    "(248898682569198505, 'validate', 'LEAK', 'warn', 'A1', "
		    "'W1', '2026-10-01', 'l')", &err) != 0 ||
		    br_store_commit(st, &err) != 0)
			abort();
		seeded = 1;
	}
	if (br_store_begin(st, &err) != 0)
		abort();
	rc = br_disposition_apply(st, fuzz_write("D.csv", data, size),
	    "2026-11-02", &res, &err);
	fuzz_expect(rc, &err);
	if (rc == 0) {
		if (count(st, "SELECT count(*) FROM exception_decision") !=
		    res.applied || res.skipped != 0)
			abort();
		if (count(st, "SELECT count(*) FROM exception_decision WHERE "
		    "decided_on <> '2026-11-02' OR reviewer = ''") != 0)
			abort();
		if (count(st, "SELECT count(*) FROM exception WHERE status NOT "
		    "IN ('open', 'released', 'held', 'estimated', "
		    "'overridden')") != 0)
			abort();
		if ((long)res.nforce > res.applied)
			abort();
	}
	br_disposition_release(&res);
	br_store_rollback(st);
	return 0;
}
