/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_registry.c: registry integrity at load (issue 16).  Overlapping
 * agreements on a service point and overlapping installs of a meter,
 * account and cycle ids outside the file-name character set, control
 * characters and NUL in any field, truncated rows and empty files are
 * refused with the file and line; meter ids with "/" load.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/registry.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

static char tmpdir[256], regdir[300];
static struct br_store *st;

static void
setup(void)
{
	char cmd[700];

	fx_mkdtemp(tmpdir, sizeof(tmpdir), "/tmp/check_registry.XXXXXX");
	snprintf(regdir, sizeof(regdir), "%s/reg", tmpdir);
	snprintf(cmd, sizeof(cmd), "cp -r '%s/testdata/cases/ami-import/"
	    "registry' '%s'", fx_srcdir(), regdir);
	ck_assert_int_eq(system(cmd), 0);
	st = fx_store(tmpdir, "t.db", NULL);
}

static void
teardown(void)
{
	br_store_close(st);
	fx_rmrf(tmpdir);
}

/* Load regdir in a transaction; on failure roll back and return -1. */
static int
load(struct br_error *err)
{
	struct br_error e2;

	ck_assert_int_eq(br_store_begin(st, &e2), 0);
	if (br_registry_load_dir(st, regdir, err) != 0) {
		br_store_rollback(st);
		return -1;
	}
	ck_assert_int_eq(br_store_commit(st, &e2), 0);
	return 0;
}

static void
put(const char *name, const char *text)
{
	fx_file(regdir, name, text);
}

/* Load must fail in name at line with msg inside the message. */
static void
refused(const char *name, long line, const char *msg)
{
	struct br_error err;

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(load(&err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_msg(strstr(err.file, name) != NULL, "%s:%ld: %s", err.file,
	    err.line, err.msg);
	ck_assert_int_eq(err.line, line);
	ck_assert_msg(strstr(err.msg, msg) != NULL, "%s", err.msg);
}

static const char agreements_hdr[] = "account_id,sp_id,start_date,end_date,"
    "rate_code,customer_class,net_metering\n";

START_TEST(test_agreements_overlap)
{
	char text[600];

	snprintf(text, sizeof(text), "%sA1,SP1,2020-01-01,,RES-FLAT,"
	    "residential,\nA2,SP2,2020-01-01,,GS-DEMAND,commercial,\n"
	    "A2,SP1,2026-10-10,2026-12-31,RES-FLAT,residential,\n",
	    agreements_hdr);
	put("agreements.csv", text);
	refused("agreements.csv", 4, "service point SP1: the agreement from "
	    "2020-01-01 (line 2) overlaps the agreement from 2026-10-10 "
	    "(line 4)");
	ck_assert_int_eq(fx_scalar(st, "SELECT count(*) FROM "
	    "service_agreement", 1), 0);	/* rolled back */
	/* Same start, two accounts. */
	snprintf(text, sizeof(text), "%sA1,SP1,2020-01-01,,RES-FLAT,"
	    "residential,\nA2,SP1,2020-01-01,2020-01-01,RES-FLAT,"
	    "residential,\n", agreements_hdr);
	put("agreements.csv", text);
	refused("agreements.csv", 3, "overlaps");
	/* Touching windows do not overlap; a later line closing the open
	 * agreement makes room for the next. */
	snprintf(text, sizeof(text), "%sA2,SP1,2026-10-10,,RES-FLAT,"
	    "residential,\nA1,SP1,2020-01-01,2026-10-09,RES-FLAT,"
	    "residential,\n", agreements_hdr);
	put("agreements.csv", text);
	ck_assert_int_eq(load(NULL), 0);
	/* A reload that reopens A1 overlaps A2 already in the store. */
	snprintf(text, sizeof(text), "%sA1,SP1,2020-01-01,,RES-FLAT,"
	    "residential,\n", agreements_hdr);
	put("agreements.csv", text);
	refused("agreements.csv", 2, "(line 0)");
}
END_TEST

START_TEST(test_installs_overlap)
{
	put("meter_installs.csv", "meter_id,sp_id,install_date,remove_date\n"
	    "M1,SP1,2020-01-01,2026-10-01\nM2,SP2,2026-10-02,\n"
	    "M1,SP2,2026-10-01,\n");
	refused("meter_installs.csv", 4, "meter M1: the install from "
	    "2020-01-01 (line 2) overlaps the install from 2026-10-01 "
	    "(line 4)");
	put("meter_installs.csv", "meter_id,sp_id,install_date,remove_date\n"
	    "M1,SP1,2020-01-01,2026-09-30\nM2,SP2,2026-10-02,\n"
	    "M1,SP2,2026-10-01,\n");
	ck_assert_int_eq(load(NULL), 0);
}
END_TEST

START_TEST(test_account_ids)
{
	static const char *bad[] = { "A/1", "-A1", ".A1", "_A1", "A 1",
	    "A1;rm", "..", "Ä1", "=1+2" };
	char text[300];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "account_id,name,mailing_address,"
		    "status,cycle_id\nA1,Ann,1 Main St,active,R1\n"
		    "%s,Bob,2 Main St,,R1\n", bad[i]);
		put("accounts.csv", text);
		refused("accounts.csv", 3, "bad id (letters, digits and -_. "
		    "only");
	}
	put("accounts.csv", "account_id,name,mailing_address,status,cycle_id\n"
	    "A1,Ann,1 Main St,active,R1\nA2,Bob,2 Main St,,R/1\n");
	refused("accounts.csv", 3, "in column 'cycle_id'");
	put("cycles.csv", "cycle_id,period_start,period_end,bill_date,"
	    "due_date\n2026/10,2026-10-01,2026-10-31,2026-11-03,2026-11-24\n");
	put("accounts.csv", "account_id,name,mailing_address,status,cycle_id\n"
	    "A1,Ann,1 Main St,active,R1\nA2,Bob,2 Main St,,R1\n"
	    "A2.x_y-Z,Cy,3 Main St,,R1\n");
	refused("cycles.csv", 2, "bad id");
}
END_TEST

/* Append text to the registry file name. */
static void
append(const char *name, const void *text, size_t n)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", regdir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "ab"));
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_meter_ids)
{
	static const char gb[] = "RetailCustomer/3/UsagePoint/1,electric,Wh,"
	    "\n";
	static const char ctl[] = "\"M\x01\",electric,kWh,1\n";
	static const char nul[] = "E9100001\0X,electric,kWh,1\n";
	struct br_error err;
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "cp '%s/meters.csv' '%s/meters.orig'",
	    regdir, regdir);
	ck_assert_int_eq(system(cmd), 0);
	append("meters.csv", gb, sizeof(gb) - 1);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(load(&err) == 0, "%s", err.msg);
	ck_assert_int_eq(fx_scalar(st, "SELECT count(*) FROM meter WHERE "
	    "meter_id = 'RetailCustomer/3/UsagePoint/1'", 1), 1);
	append("meters.csv", ctl, sizeof(ctl) - 1);
	refused("meters.csv", 7, "control character 0x01 in field 1");
	snprintf(cmd, sizeof(cmd), "cp '%s/meters.orig' '%s/meters.csv'",
	    regdir, regdir);
	ck_assert_int_eq(system(cmd), 0);
	append("meters.csv", nul, sizeof(nul) - 1);
	refused("meters.csv", 6, "control character 0x00 in field 1");
}
END_TEST

START_TEST(test_control_in_name)
{
	put("accounts.csv", "account_id,name,mailing_address,status,cycle_id\n"
	    "A1,\"Ann\nAMOUNT DUE: $0.00\",1 Main St,active,R1\n"
	    "A2,Bob,2 Main St,,R1\n");
	refused("accounts.csv", 3, "control character 0x0a in field 2");
	/* Latin-1, not UTF-8: refused (stored text is printed on bills). */
	put("accounts.csv", "account_id,name,mailing_address,status,cycle_id\n"
	    "A1,Ann,1 Main St,active,R1\nA2,Ren\xe9" "e,2 Main St,,R1\n");
	refused("accounts.csv", 3, "field 2 is not UTF-8 (byte 4, 0xe9) in "
	    "column 'name'");
	put("accounts.csv", "account_id,name,mailing_address,status,cycle_id\n"
	    "A1,Ann,1 Main St,active,R1\nA2,Ren\xc3\xa9" "e,2 Main St,,R1\n");
	ck_assert_int_eq(load(NULL), 0);
}
END_TEST

START_TEST(test_truncated_and_empty)
{
	struct br_error err;

	put("agreements.csv", "account_id,sp_id,start_date,end_date,rate_code,"
	    "customer_class,net_metering\nA1,SP1,2020-01-01,,RES-FLAT,"
	    "residential,\nA2,SP2,2020-01-01,,RES-FLA");
	refused("agreements.csv", 3, "5 fields where the header has 7");
	put("agreements.csv", "");
	refused("agreements.csv", 1, "empty registry file");
	put("agreements.csv", agreements_hdr);	/* header only: no rows */
	memset(&err, 0, sizeof(err));
	ck_assert_msg(load(&err) == 0, "%s", err.msg);
	put("accounts.csv", "");
	refused("accounts.csv", 1, "empty registry file");
}
END_TEST


static const char cycles_hdr[] = "cycle_id,period_start,period_end,"
    "bill_date,due_date\n";

/* Put cycles.csv: the header, then rows. */
static void
put_cycles(const char *rows)
{
	char text[600];

	snprintf(text, sizeof(text), "%s%s", cycles_hdr, rows);
	put("cycles.csv", text);
}

START_TEST(test_cycle_dates)
{
	struct br_error err;

	put_cycles("2026-10,2026-10-01,2026-10-31,2026-11-03,2026-11-24\n"
	    "2026-11,2026-11-01,2026-11-31,2026-12-03,2026-12-24\n");
	refused("cycles.csv", 3, "bad date '2026-11-31' in column "
	    "'period_end'");
	put_cycles("2026-10,2026-10-01,2026-10-31,2026-11-03,2026-11-24\n"
	    "2026-11,2026-11-01,2026-11-30,2026-12-03,2026-13-01\n");
	refused("cycles.csv", 3, "bad date '2026-13-01' in column 'due_date'");
	put_cycles("2026-10,2026-10-31,2026-10-01,2026-11-03,2026-11-24\n");
	refused("cycles.csv", 2, "period end before period start");
	put_cycles("2026-10,2026-10-01,2026-10-31,2026-10-30,2026-11-24\n");
	refused("cycles.csv", 2, "bill date before period end");
	put_cycles("2026-10,2026-10-01,2026-10-31,2026-11-03,2026-11-02\n");
	refused("cycles.csv", 2, "due date before bill date");
	put_cycles("2026,2026-01-01,2027-01-02,2027-01-03,2027-01-24\n");
	refused("cycles.csv", 2, "period longer than 366 days");
	put_cycles("2024,2024-01-01,2024-12-31,2025-01-03,2025-01-24\n");
	memset(&err, 0, sizeof(err));
	ck_assert_msg(load(&err) == 0, "%s", err.msg);	/* a leap year */
}
END_TEST

START_TEST(test_cycle_overlap)
{
	struct br_error err;

	/* Overlapping periods: rate-apply would bill the shared days
	 * twice.  The message names both cycles and both lines. */
	put_cycles("2026-10,2026-10-01,2026-10-31,2026-11-03,2026-11-24\n"
	    "2026-11,2026-11-01,2026-11-30,2026-12-03,2026-12-24\n"
	    "R2-10,2026-10-15,2026-11-14,2026-11-17,2026-12-08\n");
	refused("cycles.csv", 4, "cycles 2026-10 and R2-10: the period from "
	    "2026-10-01 (line 2) overlaps the period from 2026-10-15 (line "
	    "4)");
	/* One cycle twice in a file: the first would be lost silently. */
	put_cycles("2026-10,2026-10-01,2026-10-31,2026-11-03,2026-11-24\n"
	    "2026-10,2026-10-01,2026-10-30,2026-11-03,2026-11-24\n");
	refused("cycles.csv", 3, "cycle '2026-10' is already on line 2");
	/* Adjacent periods load; a later load that moves a cycle onto
	 * one loaded before is refused (line 0: the row in the store). */
	put_cycles("2026-10,2026-10-01,2026-10-31,2026-11-03,2026-11-24\n"
	    "2026-11,2026-11-01,2026-11-30,2026-12-03,2026-12-24\n");
	memset(&err, 0, sizeof(err));
	ck_assert_msg(load(&err) == 0, "%s", err.msg);
	put_cycles("2026-11,2026-10-31,2026-11-30,2026-12-03,2026-12-24\n");
	refused("cycles.csv", 2, "overlaps the period from 2026-10-31 (line "
	    "2)");
}
END_TEST

static Suite *
registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("integrity");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_agreements_overlap);
	tcase_add_test(tc, test_installs_overlap);
	tcase_add_test(tc, test_account_ids);
	tcase_add_test(tc, test_meter_ids);
	tcase_add_test(tc, test_control_in_name);
	tcase_add_test(tc, test_truncated_and_empty);
	tcase_add_test(tc, test_cycle_dates);
	tcase_add_test(tc, test_cycle_overlap);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(registry_suite());
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
