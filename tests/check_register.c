/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_register.c: register reads stored by ami-import (NEM12 500, NEM13
 * 250, CMEP ...REG): meter matching, multiplier and unit scale, install
 * exceptions, idempotent re-import, corrected re-sends replacing (and
 * recorded), older re-sends ignored, and a v2 store upgrading to v3.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/import.h"
#include "store/registry.h"
#include "store/store.h"
#include "core/tz.h"
#include "fixture.h"
#include "core/banned.h"

static char tmpdir[256];
static struct br_store *st;

static void
setup(void)
{
	fx_mkdtemp(tmpdir, sizeof(tmpdir), "/tmp/check_register.XXXXXX");
	st = fx_store(tmpdir, "t.db", NULL);
	/* M1 kWh x1, M2 kWh x40 installed 2026-10-02, W1 gal, M3 kWh x0.5;
	 * America/Chicago. */
	fx_registry(st, "testdata/cases/ami-import/registry");
}

static void
teardown(void)
{
	br_store_close(st);
	st = NULL;
	fx_rmrf(tmpdir);
}

/* Import text as file name; returns br_import_file's status. */
static int
import_as(const char *name, const char *text, struct br_import_result *res,
    struct br_error *err)
{
	char path[512];
	struct br_registry reg;
	struct br_tz tz;
	int rc;

	fx_write_in(path, sizeof(path), tmpdir, name, text);
	ck_assert_int_eq(br_store_begin(st, err), 0);
	ck_assert_int_eq(br_registry_init(&reg, st, err), 0);
	ck_assert_int_eq(br_store_timezone(st, &tz, err), 0);
	rc = br_import_file(st, &reg, &tz, path, "auto", res, err);
	if (rc < 0)
		br_store_rollback(st);
	else
		ck_assert_int_eq(br_store_commit(st, err), 0);
	br_tz_release(&tz);
	br_registry_release(&reg);
	return rc;
}

static int
import_ok(const char *name, const char *text, struct br_import_result *res)
{
	struct br_error err;
	int rc;

	br_import_result_init(res);
	rc = import_as(name, text, res, &err);
	ck_assert_msg(rc >= 0, "%s:%ld: %s", err.file, err.line, err.msg);
	return rc;
}

#define count(sql) ((long)fx_scalar(st, (sql), 1))

/* All register_read rows as "meter|ch|utc|value|file|q|srcver|ver;...". */
static const char *
reads(void)
{
	static char buf[2048];
	struct br_error err;
	sqlite3_stmt *s = br_store_prepare(st, "SELECT meter_id || '|' || "
	    "channel || '|' || datetime(read_utc, 'unixepoch') || '|' || "
	    "value_milli || '|' || file_id || '|' || quality || '|' || "
	    "src_version || '|' || version FROM register_read "
	    "ORDER BY meter_id, channel, read_utc", &err);
	size_t n = 0;

	ck_assert_ptr_nonnull(s);
	buf[0] = '\0';
	while (sqlite3_step(s) == SQLITE_ROW && n < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s;",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

/* Exceptions of the run as "code meter date detail;..." */
static const char *
excs(const struct br_import_result *res)
{
	static char buf[2048];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < res->nexc && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s %s %s %s;",
		    res->exc[i].code, res->exc[i].meter_id, res->exc[i].date,
		    res->exc[i].detail);
	return buf;
}

static const char half_hours[] = "0.025,0.025,0.025,0.025,0.025,0.025,"
    "0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,"
    "0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,"
    "0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,"
    "0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025,0.025";

/* NEM12 for NMI M2 (x40): one day, then a 500 read at time and value. */
static const char *
nem12(const char *update, const char *read_time, const char *index)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "100,NEM12,202610060000,MDP1,RET1\n"
	    "200,M2,E1,E1,E1,N1,SER2,kWh,30,\n"
	    "300,20261005,%s,A,,,%s,\n"
	    "500,N,,%s,%s\n"
	    "900\n", half_hours, update, read_time, index);
	return buf;
}

START_TEST(test_nem12_500_stored_with_multiplier)
{
	struct br_import_result res;

	import_ok("a.nem12", nem12("20261006010000", "20261006000000",
	    "1000.5"), &res);
	/* 500 IndexRead is the dial: kWh x 40 in milli; 00:00 AEST is
	 * 14:00Z the day before.  The intervals already carry the
	 * multiplier and are stored as sent (25 Wh). */
	ck_assert_str_eq(reads(),
	    "M2|1|2026-10-05 14:00:00|40020000|1|0|20261006010000|1;");
	ck_assert_int_eq(res.registers, 1);
	ck_assert_int_eq(count("SELECT records FROM import_file"), 49);
	br_import_result_release(&res);

	/* The same file again: skipped, nothing changes (its import_file
	 * row is rolled back too). */
	ck_assert_int_eq(import_ok("a-again.nem12", nem12("20261006010000",
	    "20261006000000", "1000.5"), &res), 1);
	br_import_result_release(&res);
	ck_assert_str_eq(reads(),
	    "M2|1|2026-10-05 14:00:00|40020000|1|0|20261006010000|1;");

	/* A corrected re-send (newer UpdateDateTime) replaces the read and
	 * the replacement is recorded. */
	import_ok("b.nem12", nem12("20261007010000", "20261006000000",
	    "1000.6"), &res);
	ck_assert_int_eq(res.reg_replaced, 1);
	br_import_result_release(&res);
	ck_assert_str_eq(reads(),
	    "M2|1|2026-10-05 14:00:00|40024000|2|0|20261007010000|2;");
	ck_assert_int_eq(count("SELECT COUNT(*) FROM register_replacement "
	    "WHERE meter_id = 'M2' AND old_file_id = 1 AND new_file_id = 2 "
	    "AND old_version = 1 AND old_value_milli = 40020000 AND "
	    "old_quality = 0"), 1);

	/* An older re-send does not replace. */
	import_ok("c.nem12", nem12("20261006120000", "20261006000000",
	    "999"), &res);
	ck_assert_int_eq(res.reg_stale, 1);
	ck_assert_int_eq(res.reg_replaced, 0);
	br_import_result_release(&res);
	ck_assert_str_eq(reads(),
	    "M2|1|2026-10-05 14:00:00|40024000|2|0|20261007010000|2;");
	ck_assert_int_eq(count("SELECT COUNT(*) FROM register_replacement"),
	    1);
}
END_TEST

START_TEST(test_nem12_500_outside_install)
{
	struct br_import_result res;

	/* M2 is installed from 2026-10-02 (Chicago): a read on 09-20 is
	 * OUTSIDE_INSTALL and not stored, like an interval. */
	import_ok("a.nem12", "100,NEM12,202610060000,MDP1,RET1\n"
	    "200,M2,E1,E1,E1,N1,SER2,kWh,30,\n"
	    "500,N,,20260920120000,10\n"
	    "900\n", &res);
	ck_assert_str_eq(reads(), "");
	ck_assert_str_eq(excs(&res), "FORMAT_WARNING   NEM12 file holds no "
	    "interval data;OUTSIDE_INSTALL M2 2026-09-19 1 reads dated "
	    "outside any install window (2026-09-19..2026-09-19), not "
	    "stored;");
	br_import_result_release(&res);
}
END_TEST

static const char nem13[] =
    "100,NEM13,202604101030,MDA1,Ret1\n"
    /* M3 (x0.5) through suffix 11: previous actual, current forward
     * estimate E64 */
    "250,M3,11,1,11,11,SER3,E,001000,20260901000000,A,,,001100.5,"
    "20261001000000,E64,,,50.25,kWh,20261101,20261002000000,\n"
    "550,N,,E,\n"
    /* suffix 41 of M1 has no registry meter M1-41: UNKNOWN_METER */
    "250,M1,1141,2,41,41,SER1,E,000950,20260901000000,A,,,001015,"
    "20261001000000,A,,,65,kWh,20261101,20261002000000,\n"
    "900\n";

START_TEST(test_nem13_250_stored)
{
	struct br_import_result res;

	import_ok("a.nem13", nem13, &res);
	/* Both reads of the record, dials x 0.5; the current one
	 * estimated by the sender (BR_Q_ESTIMATED | method source = 66). */
	ck_assert_str_eq(reads(),
	    "M3|1|2026-08-31 14:00:00|500000|1|0|20261002000000|1;"
	    "M3|1|2026-09-30 14:00:00|550250|1|66|20261002000000|1;");
	ck_assert_str_eq(excs(&res), "UNKNOWN_METER M1-41 2026-09-30 1 reads "
	    "for a meter not in the registry, not stored;");
	br_import_result_release(&res);
}
END_TEST

/*
 * The next NEM13 file of M3: its previous read is the actual read at the
 * instant the first file estimated (a newer version): it replaces the
 * estimate.  In the same file, a current read beats a previous-read echo
 * of the same instant, and of two current reads of one instant the last
 * is kept (DUPLICATE_READ).
 */
START_TEST(test_nem13_actual_replaces_estimate)
{
	struct br_import_result res;

	import_ok("a.nem13", nem13, &res);
	br_import_result_release(&res);
	import_ok("b.nem13", "100,NEM13,202611101030,MDA1,Ret1\n"
	    "250,M3,11,1,11,11,SER3,E,001100.8,20261001000000,A,,,001190,"
	    "20261101000000,A,,,89.2,kWh,20261201,20261102000000,\n"
	    "250,M3,11,1,11,11,SER3,E,001190,20261101000000,A,,,001195,"
	    "20261101000000,A,,,0,kWh,20261201,20261102000000,\n"
	    "900\n", &res);
	ck_assert_int_eq(res.reg_replaced, 1);
	ck_assert_str_eq(excs(&res), "DUPLICATE_READ M3 2026-10-31 1 "
	    "duplicate register reads on channel delivered at "
	    "2026-10-31T14:00:00Z, last kept;");
	br_import_result_release(&res);
	ck_assert_str_eq(reads(),
	    "M3|1|2026-08-31 14:00:00|500000|1|0|20261002000000|1;"
	    "M3|1|2026-09-30 14:00:00|550400|2|0|20261102000000|2;"
	    "M3|1|2026-10-31 14:00:00|597500|2|0|20261102000000|1;");
	ck_assert_int_eq(count("SELECT COUNT(*) FROM register_replacement "
	    "WHERE old_value_milli = 550250 AND old_quality = 66"), 1);
}
END_TEST

/* CMEP: W1 (gal) register row with three triples, the third a no-read. */
static const char *
cmep(const char *stamp, const char *second)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "MEPMD01,20080501,SENSUS,X:1,1,W1,%s,W1,"
	    "OK,W,GALREG,1.0,00000100,3,202610050700,R0,12000,"
	    "202610060700,R0,%s,202610070700,N32,12000\n", stamp, second);
	return buf;
}

START_TEST(test_cmep_register_rows)
{
	struct br_import_result res;

	import_ok("a.txt", cmep("202610061000", "12480"), &res);
	/* Chicago 07:00 CDT = 12:00Z; the N32 placeholder is not kept. */
	ck_assert_str_eq(reads(),
	    "W1|1|2026-10-05 12:00:00|12000000|1|0|202610061000|1;"
	    "W1|1|2026-10-06 12:00:00|12480000|1|0|202610061000|1;");
	ck_assert_int_eq(res.registers, 2);
	br_import_result_release(&res);
	/* A later file with the same reads only records its newer version;
	 * one with a different value for an instant replaces that read. */
	import_ok("b.txt", cmep("202610071000", "12480"), &res);
	ck_assert_int_eq(res.registers, 0);
	ck_assert_int_eq(res.reg_replaced, 0);
	br_import_result_release(&res);
	import_ok("c.txt", cmep("202610081000", "12490"), &res);
	ck_assert_int_eq(res.reg_replaced, 1);
	br_import_result_release(&res);
	ck_assert_str_eq(reads(),
	    "W1|1|2026-10-05 12:00:00|12000000|1|0|202610081000|1;"
	    "W1|1|2026-10-06 12:00:00|12490000|3|0|202610081000|2;");
}
END_TEST

START_TEST(test_unit_mismatch_is_error)
{
	struct br_import_result res;
	struct br_error err;

	br_import_result_init(&res);
	/* CF into the kWh meter M1. */
	ck_assert_int_eq(import_as("a.txt", "MEPMD01,20080501,S,X:1,1,M1,"
	    "202610061000,M1,OK,W,CFREG,1.0,00000100,1,202610050700,R0,5\n",
	    &res, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 1);
	ck_assert_str_eq(err.msg, "unit 'CF' of register read of meter 'M1' "
	    "does not convert to the registry unit 'kWh'");
	br_import_result_release(&res);
	ck_assert_str_eq(reads(), "");
}
END_TEST

/* A store of schema version 2 (before register reads were stored)
 * upgrades on open: its rows read as actual, version 1. */
START_TEST(test_v2_store_upgrades)
{
	struct br_error err;
	char path[512];

	ck_assert_int_eq(br_store_exec(st, "DROP TABLE payment_item;"
	    "DROP INDEX payment_reference; DROP TABLE past_due;"
	    "DROP TABLE register_replacement;"
	    "ALTER TABLE register_read DROP COLUMN quality;"
	    "ALTER TABLE register_read DROP COLUMN src_version;"
	    "ALTER TABLE register_read DROP COLUMN version;"
	    "ALTER TABLE exception_decision DROP COLUMN decided_on;"
	    "INSERT INTO register_read VALUES('M1', 1, 1791122400, 5000, 0);"
	    "DROP TABLE account_contact;"	/* migration 7 */
	    /* migration 12 */
	    "ALTER TABLE bill_line DROP COLUMN rate_nano;"
	    /* version 2 had no deposit table (migration 8 -> 9 adds it and its
	     * audit triggers, which migration 4's audit_log rename would
	     * otherwise meet) */
	    "DROP TABLE deposit;"
	    /* the audit log as version 2 made it (migration 4 moves it) */
	    "DROP TABLE audit_seal; DROP TABLE audit_log;"
	    "CREATE TABLE audit_log(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	    " tbl TEXT NOT NULL, op TEXT NOT NULL CHECK(op IN ('I','U','D')),"
	    " row_key TEXT NOT NULL, data TEXT, prev_hash TEXT, hash TEXT);"
	    "CREATE INDEX audit_log_key ON audit_log(tbl, row_key, seq);"
	    /* the run table as version 1 made it (migration 6 extends it) */
	    "DROP INDEX run_cycle; ALTER TABLE run DROP COLUMN version;"
	    "ALTER TABLE run DROP COLUMN cycle_id;"
	    "ALTER TABLE run DROP COLUMN counts;"
	    "ALTER TABLE run DROP COLUMN started;"
	    "ALTER TABLE run DROP COLUMN ended;"
	    "ALTER TABLE run DROP COLUMN status;"
	    "PRAGMA user_version = 2", &err), 0);
	br_store_close(st);
	snprintf(path, sizeof(path), "%s/t.db", tmpdir);
	st = br_store_open(path, 0, &err);
	ck_assert_msg(st != NULL, "%s", err.msg);
	ck_assert_int_eq(count("PRAGMA user_version"),
	    BR_STORE_SCHEMA_VERSION);
	ck_assert_str_eq(reads(), "M1|1|2026-10-04 14:00:00|5000|0|0||1;");
	ck_assert_int_eq(count("SELECT COUNT(*) FROM register_replacement"),
	    0);
}
END_TEST

static Suite *
register_suite(void)
{
	Suite *s = suite_create("register");
	TCase *tc = tcase_create("register");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_nem12_500_stored_with_multiplier);
	tcase_add_test(tc, test_nem12_500_outside_install);
	tcase_add_test(tc, test_nem13_250_stored);
	tcase_add_test(tc, test_nem13_actual_replaces_estimate);
	tcase_add_test(tc, test_cmep_register_rows);
	tcase_add_test(tc, test_unit_mismatch_is_error);
	tcase_add_test(tc, test_v2_store_upgrades);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(register_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
