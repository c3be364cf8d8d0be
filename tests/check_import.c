/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_import.c: registry loading and interval import: stamp to slot on
 * normal and DST days, fall-back ambiguity, units and multipliers,
 * re-import idempotency, re-sent day replacement, exceptions, and bad
 * input leaving the store unchanged.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/cmep.h"
#include "core/date.h"
#include "formats/greenbutton.h"
#include "import/import.h"
#include "formats/nem12.h"
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
	fx_mkdtemp(tmpdir, sizeof(tmpdir), "/tmp/check_import.XXXXXX");
	st = fx_store(tmpdir, "t.db", NULL);
	fx_registry(st, "testdata/cases/ami-import/registry");
}

static void
teardown(void)
{
	br_store_close(st);
	st = NULL;
	fx_rmrf(tmpdir);
}

/* Import text as file name in one transaction; returns br_import_file's
 * status (the transaction is rolled back on -1). */
static int
import_text(const char *name, const char *text, struct br_import_result *res,
    struct br_error *err)
{
	const char *path = fx_file(tmpdir, name, text);
	struct br_registry reg;
	struct br_tz tz;
	int rc;

	ck_assert_int_eq(br_store_begin(st, err), 0);
	ck_assert_int_eq(br_registry_init(&reg, st, err), 0);
	ck_assert_int_eq(br_store_timezone(st, &tz, err), 0);
	rc = br_import_file(st, &reg, &tz, path, "generic", res, err);
	if (rc < 0)
		br_store_rollback(st);
	else
		ck_assert_int_eq(br_store_commit(st, err), 0);
	br_tz_release(&tz);
	br_registry_release(&reg);
	return rc;
}

static int
import_ok(const char *name, const char *text)
{
	struct br_import_result res;
	struct br_error err;
	int rc;

	br_import_result_init(&res);
	rc = import_text(name, text, &res, &err);
	ck_assert_msg(rc >= 0, "%s:%ld: %s", err.file, err.line, err.msg);
	br_import_result_release(&res);
	return rc;
}

struct day {
	int32_t n, interval_s;
	int64_t version, file_id;
	int64_t v[1500];
	uint8_t q[1500];
};

/* Read one interval_day; returns 0 or 1 when absent. */
static int
get_day(const char *meter, int channel, const char *date, struct day *d)
{
	struct br_error err;
	sqlite3_stmt *s;
	int32_t day;
	int rc;

	ck_assert_int_eq(br_date_parse(date, (size_t)-1, &day), 0);
	s = br_store_prepare(st, "SELECT n, interval_s, vals, quality, "
	    "version, file_id FROM interval_day WHERE meter_id = ?1 AND "
	    "channel = ?2 AND day = ?3", &err);
	ck_assert_ptr_nonnull(s);
	sqlite3_bind_text(s, 1, meter, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, channel);
	sqlite3_bind_int(s, 3, day);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return 1;
	}
	d->n = sqlite3_column_int(s, 0);
	d->interval_s = sqlite3_column_int(s, 1);
	ck_assert_int_eq(sqlite3_column_bytes(s, 2), 8 * d->n);
	ck_assert_int_eq(sqlite3_column_bytes(s, 3), d->n);
	br_store_unpack_values(sqlite3_column_blob(s, 2), d->n, d->v);
	memcpy(d->q, sqlite3_column_blob(s, 3), (size_t)d->n);
	d->version = sqlite3_column_int64(s, 4);
	d->file_id = sqlite3_column_int64(s, 5);
	sqlite3_finalize(s);
	return 0;
}

#define count(sql) ((long)fx_scalar(st, (sql), 1))

START_TEST(test_slot_normal_and_dst_days)
{
	struct day d;

	import_ok("a.csv", "meter_id,interval_start,value\n"
	    "M1,2026-10-05T23:45:00,1\n"		/* normal: slot 95 */
	    "M1,2026-03-08T01:45:00,2\n"		/* spring: slot 7 */
	    "M1,2026-03-08T03:00:00,3\n"		/* CDT: slot 8 */
	    "M1,2026-03-08T23:45:00-05:00,4\n"	/* last of 92 */
	    "M1,2026-11-01T01:00:00-06:00,5\n"	/* CST 01:00: slot 8 */
	    "M1,2026-11-01T23:45:00-06:00,6\n");	/* last of 100 */
	ck_assert_int_eq(get_day("M1", BR_CHANNEL_DELIVERED, "2026-10-05",
	    &d), 0);
	ck_assert_int_eq(d.n, 96);
	ck_assert_int_eq(d.interval_s, 900);
	ck_assert_int_eq(d.v[95], 1000);
	ck_assert_int_eq(d.q[95], BR_Q_ACTUAL);
	ck_assert_int_eq(d.q[94], BR_Q_MISSING);
	ck_assert_int_eq(d.v[94], 0);
	ck_assert_int_eq(get_day("M1", BR_CHANNEL_DELIVERED, "2026-03-08",
	    &d), 0);
	ck_assert_int_eq(d.n, 92);
	ck_assert_int_eq(d.v[7], 2000);
	ck_assert_int_eq(d.v[8], 3000);
	ck_assert_int_eq(d.v[91], 4000);
	ck_assert_int_eq(get_day("M1", BR_CHANNEL_DELIVERED, "2026-11-01",
	    &d), 0);
	ck_assert_int_eq(d.n, 100);
	ck_assert_int_eq(d.v[8], 5000);
	ck_assert_int_eq(d.q[4], BR_Q_MISSING);
	ck_assert_int_eq(d.v[99], 6000);
}
END_TEST

START_TEST(test_local_time_ambiguity)
{
	struct day d;
	struct br_import_result res;
	struct br_error err;

	import_ok("a.csv", "meter_id,interval_start,value,quality\n"
	    "M1,2026-11-01T01:30:00,1,A\n"	/* CDT: slot 6 */
	    "M1,2026-11-01T01:30:00,2,E\n"	/* CST: slot 10 */
	    "M1,2026-11-01T01:45:00,3,A\n");	/* CDT: slot 7 */
	ck_assert_int_eq(get_day("M1", BR_CHANNEL_DELIVERED, "2026-11-01",
	    &d), 0);
	ck_assert_int_eq(d.v[6], 1000);
	ck_assert_int_eq(d.v[10], 2000);
	ck_assert_int_eq(d.q[10],
	    BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE));
	ck_assert_int_eq(d.v[7], 3000);
	ck_assert_int_eq(d.q[11], BR_Q_MISSING);

	/* Spring-forward gap: the wall time does not exist. */
	br_import_result_init(&res);
	ck_assert_int_eq(import_text("b.csv", "meter_id,interval_start,value\n"
	    "M1,2026-03-08T02:30:00,1\n", &res, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 2);
	ck_assert_ptr_nonnull(strstr(err.msg, "nonexistent local time"));
	br_import_result_release(&res);
}
END_TEST

START_TEST(test_units_and_multiplier)
{
	struct day d;

	/* M2 x40, M3 x0.5, M1 x1. */
	import_ok("a.csv", "meter_id,interval_start,unit,value\n"
	    "M2,2026-10-05T00:00:00-05:00,Wh,1500\n"	/* 1.5 kWh x40 */
	    "M2,2026-10-05T00:15:00-05:00,kWh,0.001\n"	/* x40 = 40 */
	    "M3,2026-10-05T00:00:00-05:00,kWh,0.001\n"	/* 0.5 -> 1 */
	    "M3,2026-10-05T00:15:00-05:00,,0.003\n"	/* 1.5 -> 2 */
	    "M3,2026-10-05T00:30:00-05:00,kWh,-0.001\n"	/* -0.5 -> -1 */
	    "M1,2026-10-05T00:00:00-05:00,Wh,0.5\n"	/* 0.5 -> 1 */
	    "M1,2026-10-05T00:15:00-05:00,Wh,0.4\n"	/* 0.4 -> 0 */
	    "W1,2026-10-05T00:00:00-05:00,gal,7.25\n");
	ck_assert_int_eq(get_day("M2", 1, "2026-10-05", &d), 0);
	ck_assert_int_eq(d.v[0], 60000);
	ck_assert_int_eq(d.v[1], 40);
	ck_assert_int_eq(get_day("M3", 1, "2026-10-05", &d), 0);
	ck_assert_int_eq(d.v[0], 1);
	ck_assert_int_eq(d.v[1], 2);
	ck_assert_int_eq(d.v[2], -1);
	ck_assert_int_eq(get_day("M1", 1, "2026-10-05", &d), 0);
	ck_assert_int_eq(d.v[0], 1);
	ck_assert_int_eq(d.v[1], 0);
	ck_assert_int_eq(d.q[1], BR_Q_ACTUAL);
	ck_assert_int_eq(get_day("W1", 1, "2026-10-05", &d), 0);
	ck_assert_int_eq(d.v[0], 7250);
}
END_TEST

START_TEST(test_unit_mismatch_is_error)
{
	struct br_import_result res;
	struct br_error err;

	br_import_result_init(&res);
	ck_assert_int_eq(import_text("a.csv", "meter_id,interval_start,unit,"
	    "value\nW1,2026-10-05T00:00:00-05:00,kWh,1\n", &res, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "column 'unit'"));
	br_import_result_release(&res);
}
END_TEST

static const char reads_a[] = "meter_id,interval_start,value\n"
    "M1,2026-10-05T00:00:00-05:00,1.5\n"
    "M1,2026-10-05T00:15:00-05:00,2.5\n"
    "M1,2026-10-06T00:00:00-05:00,3.5\n";

START_TEST(test_reimport_is_noop)
{
	struct day d1, d2;
	struct br_import_result res;
	struct br_error err;

	ck_assert_int_eq(import_ok("a.csv", reads_a), 0);
	ck_assert_int_eq(get_day("M1", 1, "2026-10-05", &d1), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM interval_day"), 2);
	/* Same content under another name: skipped. */
	br_import_result_init(&res);
	ck_assert_int_eq(import_text("again.csv", reads_a, &res, &err), 1);
	ck_assert_int_eq(res.skipped, 1);
	ck_assert_int_eq(res.files, 0);
	ck_assert_int_eq(res.nexc, 0);
	br_import_result_release(&res);
	ck_assert_int_eq(count("SELECT count(*) FROM interval_day"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM import_file"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM interval_replacement"),
	    0);
	ck_assert_int_eq(get_day("M1", 1, "2026-10-05", &d2), 0);
	ck_assert_int_eq(d2.version, d1.version);
	ck_assert_int_eq(d2.file_id, d1.file_id);
	ck_assert_mem_eq(d2.v, d1.v, sizeof(int64_t) * 96);
	ck_assert_mem_eq(d2.q, d1.q, 96);
}
END_TEST

START_TEST(test_resent_day_replaces)
{
	struct day d;

	import_ok("a.csv", reads_a);
	import_ok("b.csv", "meter_id,interval_start,value\n"
	    "M1,2026-10-05T00:00:00-05:00,,\n"	/* missing: keeps old */
	    "M1,2026-10-05T00:15:00-05:00,9\n"
	    "M1,2026-10-05T00:30:00-05:00,,\n");
	ck_assert_int_eq(get_day("M1", 1, "2026-10-05", &d), 0);
	ck_assert_int_eq(d.v[0], 1500);		/* kept from a.csv */
	ck_assert_int_eq(d.q[0], BR_Q_ACTUAL);
	ck_assert_int_eq(d.v[1], 9000);		/* replaced by b.csv */
	ck_assert_int_eq(d.q[2], BR_Q_MISSING);
	ck_assert_int_eq(d.version, 2);
	ck_assert_int_eq(d.file_id, 2);
	ck_assert_int_eq(count("SELECT count(*) FROM interval_replacement "
	    "WHERE meter_id = 'M1' AND old_file_id = 1 AND new_file_id = 2 "
	    "AND old_version = 1"), 1);
	/* SQLite 3.40.1 reported every replacement's file ids as NULL
	 * before schema 10 (key columns first; docs/robustness.md). */
	ck_assert_int_eq(count("SELECT count(*) FROM pragma_integrity_check "
	    "WHERE integrity_check <> 'ok'"), 0);
	/* The other day was not re-sent. */
	ck_assert_int_eq(get_day("M1", 1, "2026-10-06", &d), 0);
	ck_assert_int_eq(d.version, 1);
	ck_assert_int_eq(d.file_id, 1);
}
END_TEST

START_TEST(test_unknown_meter_exception)
{
	struct br_import_result res;
	struct br_error err;

	br_import_result_init(&res);
	ck_assert_int_eq(import_text("a.csv", "meter_id,interval_start,value\n"
	    "M1,2026-10-05T00:00:00-05:00,1\n"
	    "ZZ,2026-10-05T00:00:00-05:00,1\n"
	    "ZZ,2026-10-05T00:15:00-05:00,1\n", &res, &err), 0);
	ck_assert_int_eq(res.nexc, 1);
	ck_assert_str_eq(res.exc[0].code, "UNKNOWN_METER");
	ck_assert_str_eq(res.exc[0].meter_id, "ZZ");
	ck_assert_str_eq(res.exc[0].source, "a.csv");
	ck_assert_int_eq(res.exc[0].line, 3);
	ck_assert_ptr_nonnull(strstr(res.exc[0].detail, "2 reads"));
	br_import_result_release(&res);
	ck_assert_int_eq(count("SELECT count(*) FROM interval_day WHERE "
	    "meter_id = 'ZZ'"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM exception WHERE "
	    "code = 'UNKNOWN_METER' AND stage = 'import'"), 1);
}
END_TEST

START_TEST(test_bad_value_leaves_store_unchanged)
{
	struct br_import_result res;
	struct br_error err;

	import_ok("a.csv", reads_a);
	br_import_result_init(&res);
	ck_assert_int_eq(import_text("bad.csv", "meter_id,interval_start,value\n"
	    "M1,2026-10-07T00:00:00-05:00,1\n"
	    "M1,2026-10-07T00:15:00-05:00,12x\n", &res, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 3);
	ck_assert_ptr_nonnull(strstr(err.file, "bad.csv"));
	ck_assert_str_eq(err.msg, "bad value '12x' in column 'value'");
	ck_assert_int_eq(res.nexc, 0);
	br_import_result_release(&res);
	ck_assert_int_eq(count("SELECT count(*) FROM interval_day"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM import_file"), 1);
}
END_TEST

START_TEST(test_registry_bad_field)
{
	struct br_error err;
	char cmd[1024], dir[300];

	snprintf(dir, sizeof(dir), "%s/reg", tmpdir);
	snprintf(cmd, sizeof(cmd), "cp -r '%s/testdata/cases/ami-import/"
	    "registry' '%s' && printf 'M1,SP1,2026-13-01,\\n' >> "
	    "'%s/meter_installs.csv'", fx_srcdir(), dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_registry_load_dir(st, dir, &err), -1);
	br_store_rollback(st);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 6);
	ck_assert_str_eq(err.msg,
	    "bad date '2026-13-01' in column 'install_date'");
	/* Loading the good registry again is a no-op upsert. */
	snprintf(dir, sizeof(dir), "%s/testdata/cases/ami-import/registry",
	    fx_srcdir());
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_registry_load_dir(st, dir, &err), 0);
	ck_assert_int_eq(br_store_commit(st, &err), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM meter_install"), 4);
	ck_assert_int_eq(count("SELECT count(*) FROM meter WHERE "
	    "meter_id = 'M3' AND multiplier_milli = 500"), 1);
}
END_TEST

START_TEST(test_meter_exchange_matching)
{
	struct br_import_result res;
	struct br_error err;
	struct day d;
	size_t i;
	int seen_outside = 0, seen_noacct = 0;

	/* M1 leaves SP1 after 2026-10-10 and goes to SP4 (no agreement)
	 * from 2026-10-20. */
	ck_assert_int_eq(br_store_exec(st, "UPDATE meter_install SET "
	    "remove_date = '2026-10-10' WHERE meter_id = 'M1';"
	    "INSERT INTO meter_install VALUES('M1', 'SP4', '2026-10-20', "
	    "NULL)", &err), 0);
	br_import_result_init(&res);
	ck_assert_int_eq(import_text("a.csv", "meter_id,interval_start,value\n"
	    "M1,2026-10-11T04:45:00Z,1\n"	/* 10-10 23:45 local: in */
	    "M1,2026-10-11T05:00:00Z,2\n"	/* 10-11 00:00 local: out */
	    "M1,2026-10-15T12:00:00Z,3\n"	/* out */
	    "M1,2026-10-20T12:00:00Z,4\n", &res, &err), 0);	/* SP4 */
	for (i = 0; i < res.nexc; i++) {
		const struct br_import_exc *e = &res.exc[i];
		if (strcmp(e->code, "OUTSIDE_INSTALL") == 0) {
			seen_outside++;
			ck_assert_str_eq(e->date, "2026-10-11");
			ck_assert_int_eq(e->line, 3);
			ck_assert_ptr_nonnull(strstr(e->detail, "2 reads"));
		} else if (strcmp(e->code, "NO_ACCOUNT") == 0) {
			seen_noacct++;
			ck_assert_str_eq(e->date, "2026-10-20");
			ck_assert_str_eq(e->account_id, "");
			ck_assert_int_eq(e->line, 5);
		}
	}
	ck_assert_int_eq(res.nexc, 2);
	ck_assert_int_eq(seen_outside, 1);
	ck_assert_int_eq(seen_noacct, 1);
	br_import_result_release(&res);
	ck_assert_int_eq(get_day("M1", 1, "2026-10-10", &d), 0);
	ck_assert_int_eq(d.v[95], 1000);
	ck_assert_int_eq(get_day("M1", 1, "2026-10-11", &d), 1);
	ck_assert_int_eq(get_day("M1", 1, "2026-10-15", &d), 1);
	ck_assert_int_eq(get_day("M1", 1, "2026-10-20", &d), 0);
}
END_TEST


/*
 * Real AMI samples: each file is parsed once to learn its meters and
 * expected reads (last value per meter, channel and instant, file
 * order), a registry with those meters is written, the file is imported
 * into a fresh store, and every stored non-missing slot must equal the
 * expected read exactly (and all expected reads must be stored).
 */
struct exp_read {
	char meter[80];
	int channel;
	int64_t t, v;
	uint8_t q;
	long seq;
};

struct sample_ctx {
	struct exp_read *r;
	size_t n, cap;
	char ids[64][80], units[64][16];
	int nids;
};

static const char *
meter_unit(const char *u)
{
	if (strcasecmp(u, "Wh") == 0 || strcasecmp(u, "kWh") == 0)
		return "kWh";
	if (strcasecmp(u, "CF") == 0 || strcasecmp(u, "CCF") == 0)
		return "CCF";
	return u;
}

/* Milli-units of u converted to the meter unit, half up (v >= 0). */
static int64_t
expect_conv(int64_t v, const char *u)
{
	if (strcasecmp(u, "Wh") == 0)
		return (v + 500) / 1000;
	if (strcasecmp(u, "CF") == 0)
		return (v + 50) / 100;
	return v;
}

static int
collect_day(void *ctx, const struct br_ami_day *d, struct br_error *err)
{
	struct sample_ctx *sc = ctx;
	char id[80];
	int32_t k;
	int i;

	(void)err;
	if (d->channel != BR_CHANNEL_DELIVERED &&
	    d->channel != BR_CHANNEL_RECEIVED)
		return 0;
	if (d->interval_s <= 0 || 3600 % d->interval_s != 0)
		return 0;	/* daily/monthly bins are not stored */
	/* NMI for suffix digit 1 (E1, B1), else NMI-SUFFIX. */
	if (d->nmi_suffix[0] == '\0' || d->nmi_suffix[1] == '1')
		snprintf(id, sizeof(id), "%s", d->meter_id);
	else
		snprintf(id, sizeof(id), "%s-%s", d->meter_id, d->nmi_suffix);
	for (i = 0; i < sc->nids; i++)
		if (strcmp(sc->ids[i], id) == 0)
			break;
	if (i == sc->nids) {
		ck_assert_int_lt(sc->nids, 64);
		snprintf(sc->ids[i], sizeof(sc->ids[i]), "%s", id);
		snprintf(sc->units[i], sizeof(sc->units[i]), "%s",
		    meter_unit(d->unit));
		sc->nids++;
	}
	for (k = 0; k < d->n; k++) {
		struct exp_read *e;
		if (d->quality[k] & BR_Q_MISSING)
			continue;
		if (sc->n == sc->cap) {
			sc->cap = sc->cap ? sc->cap * 2 : 1024;
			sc->r = realloc(sc->r, sc->cap * sizeof(*sc->r));
			ck_assert_ptr_nonnull(sc->r);
		}
		e = &sc->r[sc->n];
		snprintf(e->meter, sizeof(e->meter), "%s", id);
		e->channel = d->channel;
		e->t = d->start_utc + (int64_t)k * d->interval_s;
		e->v = expect_conv(d->values[k], d->unit);
		e->q = d->quality[k];
		e->seq = (long)sc->n++;
	}
	return 0;
}

static int
cmp_exp(const void *a_, const void *b_)
{
	const struct exp_read *a = a_, *b = b_;
	int r = strcmp(a->meter, b->meter);

	if (r != 0)
		return r;
	if (a->channel != b->channel)
		return a->channel < b->channel ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
cmp_key(const void *a_, const void *b_)
{
	const struct exp_read *a = a_, *b = b_;
	int r = strcmp(a->meter, b->meter);

	if (r != 0)
		return r;
	if (a->channel != b->channel)
		return a->channel < b->channel ? -1 : 1;
	return a->t < b->t ? -1 : a->t > b->t;
}

/* Import sample path (format fmt) into a fresh store; check every read. */
static void
check_sample(const char *path, int fmt, const char *zone, int ending,
    long *nreads)
{
	struct sample_ctx sc;
	struct br_error err;
	struct br_store *s2;
	struct br_registry reg;
	struct br_tz tz;
	struct br_import_result res;
	struct br_import_opts o;
	char dir[300], dbp[400], buf[2048];
	FILE *f;
	sqlite3_stmt *q;
	size_t i, k, matched = 0;
	int rc;

	memset(&sc, 0, sizeof(sc));
	ck_assert_int_eq(br_tz_load(&tz, zone, &err), 0);
	if (fmt == BR_FMT_NEM12) {
		struct br_nem12_opts no;
		memset(&no, 0, sizeof(no));
		rc = br_nem12_parse(path, &no, collect_day, NULL, &sc, NULL,
		    NULL, &err);
	} else if (fmt == BR_FMT_GREENBUTTON) {
		rc = br_gb_parse(path, collect_day, &sc, NULL, NULL, &err);
	} else {
		struct br_cmep_opts co;
		memset(&co, 0, sizeof(co));
		co.tz = &tz;
		co.interval_ending = ending != 0;
		rc = br_cmep_parse(path, &co, collect_day, NULL, &sc, NULL,
		    NULL, &err);
	}
	ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
	if (sc.n > 0)
		qsort(sc.r, sc.n, sizeof(*sc.r), cmp_exp);
	for (i = 0, k = 0; i < sc.n; i++) {	/* last per key wins */
		if (k > 0 && cmp_key(&sc.r[k - 1], &sc.r[i]) == 0)
			sc.r[k - 1] = sc.r[i];
		else
			sc.r[k++] = sc.r[i];
	}
	sc.n = k;

	snprintf(dir, sizeof(dir), "%s/reg", tmpdir);
	snprintf(buf, sizeof(buf), "rm -rf '%s' '%s/s.db'*; mkdir '%s'", dir,
	    tmpdir, dir);
	ck_assert_int_eq(system(buf), 0);
	snprintf(buf, sizeof(buf), "key,value\nname,T\ntimezone,%s\n", zone);
	fx_file(dir, "utility.csv", buf);
	fx_file(dir, "accounts.csv", "account_id,name,mailing_address,"
	    "status,cycle_id\nA1,Ann,x,active,\n");
	snprintf(buf, sizeof(buf), "%s/meters.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(buf, "w"));
	fputs("meter_id,kind,unit,multiplier\n", f);
	for (i = 0; i < (size_t)sc.nids; i++)
		fprintf(f, "%s,%s,%s,1\n", sc.ids[i],
		    strcmp(sc.units[i], "kWh") == 0 ? "electric" :
		    strcmp(sc.units[i], "therm") == 0 ? "gas" : "water",
		    sc.units[i]);
	fclose(f);
	snprintf(buf, sizeof(buf), "%s/service_points.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(buf, "w"));
	fputs("sp_id,kind,address\n", f);
	for (i = 0; i < (size_t)sc.nids; i++)
		fprintf(f, "SP%zu,%s,x\n", i, strcmp(sc.units[i], "kWh") == 0 ?
		    "electric" : "water");
	fclose(f);
	snprintf(buf, sizeof(buf), "%s/meter_installs.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(buf, "w"));
	fputs("meter_id,sp_id,install_date,remove_date\n", f);
	for (i = 0; i < (size_t)sc.nids; i++)
		fprintf(f, "%s,SP%zu,1990-01-01,\n", sc.ids[i], i);
	fclose(f);
	snprintf(buf, sizeof(buf), "%s/agreements.csv", dir);
	ck_assert_ptr_nonnull(f = fopen(buf, "w"));
	fputs("account_id,sp_id,start_date,end_date,rate_code,"
	    "customer_class,net_metering\n", f);
	for (i = 0; i < (size_t)sc.nids; i++)
		fprintf(f, "A1,SP%zu,1990-01-01,,R,,\n", i);
	fclose(f);

	snprintf(dbp, sizeof(dbp), "%s/s.db", tmpdir);
	ck_assert_ptr_nonnull(s2 = br_store_open(dbp, BR_STORE_CREATE, &err));
	ck_assert_int_eq(br_store_begin(s2, &err), 0);
	ck_assert_msg(br_registry_load_dir(s2, dir, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(br_registry_init(&reg, s2, &err), 0);
	memset(&o, 0, sizeof(o));
	o.format = BR_FMT_AUTO;		/* detection must find fmt */
	o.interval_ending = ending;
	ck_assert_int_eq(br_import_detect(path, &err), fmt);
	br_import_result_init(&res);
	rc = br_import_file_opts(s2, &reg, &tz, path, &o, &res, &err);
	ck_assert_msg(rc == 0, "%s:%ld: %s", path, err.line, err.msg);
	for (i = 0; i < res.nexc; i++)
		ck_assert_msg(strcmp(res.exc[i].code, "FORMAT_WARNING") == 0,
		    "%s: exception %s %s", path, res.exc[i].code,
		    res.exc[i].detail);
	ck_assert_int_eq(br_store_commit(s2, &err), 0);
	br_import_result_release(&res);
	br_registry_release(&reg);

	ck_assert_ptr_nonnull(q = br_store_prepare(s2, "SELECT meter_id, "
	    "channel, day, interval_s, n, vals, quality FROM interval_day",
	    &err));
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct exp_read key, *e;
		int32_t day = sqlite3_column_int(q, 2);
		int32_t is = sqlite3_column_int(q, 3), n = sqlite3_column_int(q,
		    4), j;
		int64_t vals[300];
		const uint8_t *qual = sqlite3_column_blob(q, 6);
		int64_t start = br_tz_day_start(&tz, day);

		ck_assert_int_le(n, 300);
		ck_assert_int_eq(br_tz_day_length(&tz, day), n * is);
		br_store_unpack_values(sqlite3_column_blob(q, 5), n, vals);
		memset(&key, 0, sizeof(key));
		snprintf(key.meter, sizeof(key.meter), "%s",
		    (const char *)sqlite3_column_text(q, 0));
		key.channel = sqlite3_column_int(q, 1);
		for (j = 0; j < n; j++) {
			key.t = start + (int64_t)j * is;
			e = sc.n ? bsearch(&key, sc.r, sc.n, sizeof(*sc.r),
			    cmp_key) : NULL;
			if (qual[j] & BR_Q_MISSING) {
				ck_assert_msg(e == NULL, "%s: %s slot %d of "
				    "day %d stored missing", path, key.meter,
				    j, day);
				continue;
			}
			ck_assert_msg(e != NULL, "%s: %s unexpected slot %d",
			    path, key.meter, j);
			ck_assert_msg(e->v == vals[j] && e->q == qual[j],
			    "%s: %s ch %d day %d slot %d: stored %lld q %d, "
			    "want %lld q %d", path, key.meter, key.channel,
			    day, j, (long long)vals[j], qual[j],
			    (long long)e->v, e->q);
			matched++;
		}
	}
	sqlite3_finalize(q);
	ck_assert_msg(matched == sc.n, "%s: %zu of %zu reads stored", path,
	    matched, sc.n);
	br_store_close(s2);
	br_tz_release(&tz);
	free(sc.r);
	*nreads += (long)matched;
}

#define samples_dir() fx_samples_dir(NULL, "ami")

static void
check_sample_dir(const char *dir, const char *sub, int fmt, const char *zone,
    int ending, const char *skip)
{
	char path[800];
	DIR *d;
	struct dirent *de;
	long files = 0, reads = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (strstr(de->d_name, ".txt") == NULL &&
		    strstr(de->d_name, ".csv") == NULL &&
		    strstr(de->d_name, ".xml") == NULL))
			continue;
		if (skip != NULL && strstr(de->d_name, skip) != NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, de->d_name);
		check_sample(path, fmt, zone, ending, &reads);
		files++;
	}
	closedir(d);
	ck_assert_int_gt(files, 0);
	ck_assert_int_gt(reads, 0);
}

START_TEST(test_samples_nem12)
{
	const char *dir = samples_dir();

	/* NEM time is AEST; Brisbane keeps AEST all year: day = NEM day. */
	if (dir != NULL)
		check_sample_dir(dir, "nem12", BR_FMT_NEM12,
		    "Australia/Brisbane", 0, NULL);
	else
		fprintf(stderr, "check_import: no shared samples, NEM12 "
		    "cases use testdata/samples-ami only\n");
}
END_TEST

START_TEST(test_samples_nem12_other_zone)
{
	const char *dir = samples_dir();

	/*
	 * A US utility zone: NEM days split across two local days.  The
	 * ...005 sample switches 15 -> 30 minutes between NEM days, so one
	 * Chicago day would mix lengths: rejected (documented limit).
	 */
	if (dir != NULL)
		check_sample_dir(dir, "nem12", BR_FMT_NEM12,
		    "America/Chicago", 0, "000000000000005");
}
END_TEST

START_TEST(test_samples_cmep)
{
	const char *dir = samples_dir();

	if (dir != NULL)
		check_sample_dir(dir, "cmep", BR_FMT_CMEP,
		    "America/Los_Angeles", 1, NULL);
}
END_TEST

START_TEST(test_samples_greenbutton)
{
	const char *dir = samples_dir();

	/*
	 * Eastern time (the OpenESPI 15-minute day of 2012-03-11 has 92
	 * readings).  The NGMA gas feed and the containerized gas sample
	 * carry fractional epoch starts: rejected (test_greenbutton_reject).
	 */
	if (dir != NULL)
		check_sample_dir(dir, "greenbutton-xml", BR_FMT_GREENBUTTON,
		    "America/New_York", 0, "gas_");
}
END_TEST

START_TEST(test_samples_copied)
{
	char path[600];
	long reads = 0;

	snprintf(path, sizeof(path), "%s/testdata/samples-ami/"
	    "nemreader-Example_NEM12_actual_interval.csv", fx_srcdir());
	check_sample(path, BR_FMT_NEM12, "Australia/Brisbane", 0, &reads);
	ck_assert_int_eq(reads, 48);
	snprintf(path, sizeof(path), "%s/testdata/samples-ami/"
	    "ami-connect-sensus-water-real-rows.txt", fx_srcdir());
	check_sample(path, BR_FMT_CMEP, "America/Los_Angeles", 1, &reads);
	ck_assert_int_gt(reads, 48);
}
END_TEST


/*
 * Every nem12-invalid sample is either rejected with its file and a line
 * or imported with a FORMAT_WARNING exception (docs/ami-import.md).
 */
START_TEST(test_samples_nem12_invalid)
{
	const char *dir = samples_dir();
	char path[800];
	DIR *d;
	struct dirent *de;
	int rejected = 0, flagged = 0;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/nem12-invalid", dir);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((de = readdir(d)) != NULL) {
		struct br_import_result res;
		struct br_error err;
		struct br_registry reg;
		struct br_tz tz;
		size_t i;
		int rc, warned = 0;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/nem12-invalid/%s", dir,
		    de->d_name);
		br_import_result_init(&res);
		ck_assert_int_eq(br_store_begin(st, &err), 0);
		ck_assert_int_eq(br_registry_init(&reg, st, &err), 0);
		ck_assert_int_eq(br_store_timezone(st, &tz, &err), 0);
		rc = br_import_file(st, &reg, &tz, path, "auto", &res, &err);
		br_store_rollback(st);
		br_tz_release(&tz);
		br_registry_release(&reg);
		if (rc < 0) {
			ck_assert_int_eq(err.code, BR_EINPUT);
			ck_assert_msg(strstr(err.file, de->d_name) != NULL &&
			    err.line > 0 && err.msg[0] != '\0', "%s: %s:%ld",
			    de->d_name, err.file, err.line);
			rejected++;
		} else {
			ck_assert_int_eq(rc, 0);
			for (i = 0; i < res.nexc; i++)
				if (strcmp(res.exc[i].code, "FORMAT_WARNING")
				    == 0 && res.exc[i].line > 0)
					warned = 1;
			ck_assert_msg(warned, "%s accepted without a warning",
			    de->d_name);
			flagged++;
		}
		br_import_result_release(&res);
	}
	closedir(d);
	ck_assert_int_eq(rejected, 12);
	ck_assert_int_eq(flagged, 5);
}
END_TEST

/*
 * The writer thread: batches of max_open_days meter-days written on a
 * second thread while the next batch is parsed must leave the store and
 * the report exactly as writing each batch inline (the code path of
 * no_writer_thread, and of every release before the thread).
 */

/* Everything an import leaves in the store and its report, as text. */
static char *
store_dump(struct br_import_result *res)
{
	static const char *const q[] = {
		"SELECT meter_id, channel, day, interval_s, n, hex(vals), "
		"hex(quality), file_id, version FROM interval_day ORDER BY 1, "
		"2, 3",
		"SELECT * FROM interval_replacement ORDER BY 1, 2, 3, 4",
		"SELECT exc_id, code, account_id, meter_id, date, detail, "
		"source, line FROM exception ORDER BY 1",
		"SELECT file_id, sha256, name, records FROM import_file "
		"ORDER BY 1"
	};
	struct br_error err;
	char *buf = NULL;
	size_t len = 0, i;
	int k;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		sqlite3_stmt *s = br_store_prepare(st, q[i], &err);
		ck_assert_ptr_nonnull(s);
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (k = 0; k < sqlite3_column_count(s); k++)
				fprintf(f, "%s|", sqlite3_column_text(s, k) ?
				    (const char *)sqlite3_column_text(s, k) :
				    "NULL");
			fputc('\n', f);
		}
		sqlite3_finalize(s);
	}
	fprintf(f, "days %ld replaced %ld stale %ld rows %ld\n", res->days,
	    res->replaced, res->stale, res->rows);
	br_import_report_write(f, res);
	fclose(f);
	return buf;
}

/*
 * Import text with options in a transaction that is rolled back
 * afterwards (the store is left as it was); *dump: the store and report
 * as the import left them (NULL on error).  Returns the import status.
 */
static int
import_dump(const char *name, const char *text,
    const struct br_import_opts *o, char **dump, struct br_error *err)
{
	const char *path = fx_file(tmpdir, name, text);
	struct br_import_result res;
	struct br_registry reg;
	struct br_tz tz;
	struct br_error e2;
	int rc;

	br_import_result_init(&res);
	ck_assert_int_eq(br_store_begin(st, &e2), 0);
	ck_assert_int_eq(br_registry_init(&reg, st, &e2), 0);
	ck_assert_int_eq(br_store_timezone(st, &tz, &e2), 0);
	br_error_clear(err);
	rc = br_import_file_opts(st, &reg, &tz, path, o, &res, err);
	*dump = rc >= 0 ? store_dump(&res) : NULL;
	br_store_rollback(st);
	br_tz_release(&tz);
	br_registry_release(&reg);
	br_import_result_release(&res);
	return rc;
}

/*
 * Rows for meters M1, M3 (no agreement) and M2 (installed 2026-10-02)
 * over eight days, then M1's first day re-sent: with batches of three
 * meter-days it comes back after its first batch was written.
 */
static char *
batch_text(const char *tail)
{
	static const char *const meters[] = { "M1", "M3", "M2" };
	char *buf = NULL;
	size_t len = 0;
	int d, m, h;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	fputs("meter_id,interval_start,value\n", f);
	for (m = 0; m < 3; m++)
		for (d = 1; d <= 8; d++)
			for (h = 0; h < 24; h += 5)
				fprintf(f, "%s,2026-10-%02dT%02d:00:00-05:00,"
				    "%d.%d\n", meters[m], d, h, m + 1, d * 10 + h);
	/* The last slot again (its day is still open: a duplicate), and
	 * a day of the first batch again. */
	fputs("M2,2026-10-08T20:00:00-05:00,7\n", f);
	fputs("M1,2026-10-01T05:00:00-05:00,8\n", f);
	fputs("M1,2026-10-01T10:00:00-05:00,\n", f);	/* missing */
	fputs("M1,2026-10-01T23:00:00-05:00,4\n", f);	/* a new slot */
	fputs(tail, f);
	fclose(f);
	return buf;
}

START_TEST(test_writer_thread_same_store)
{
	struct br_import_opts o;
	struct br_error err;
	char *text = batch_text(""), *inline_dump, *thread_dump, *dflt;
	long batch;

	memset(&o, 0, sizeof(o));
	o.format = BR_FMT_GENERIC;
	for (batch = 1; batch <= 7; batch += 2) {
		o.max_open_days = batch;
		o.no_writer_thread = 1;
		ck_assert_int_eq(import_dump("b.csv", text, &o, &inline_dump,
		    &err), 0);
		o.no_writer_thread = 0;
		ck_assert_int_eq(import_dump("b.csv", text, &o, &thread_dump,
		    &err), 0);
		ck_assert_str_eq(thread_dump, inline_dump);
		free(thread_dump);
		free(inline_dump);
	}
	/* A slot sent again after its day was written: the later value;
	 * one sent as missing keeps the earlier value, as merging with a
	 * stored row does; duplicates count within a batch only. */
	o.max_open_days = 3;
	ck_assert_int_eq(import_dump("b.csv", text, &o, &thread_dump, &err),
	    0);
	ck_assert_ptr_nonnull(strstr(thread_dump, "DUPLICATE_READ"));
	ck_assert_ptr_nonnull(strstr(thread_dump, "NO_ACCOUNT"));
	ck_assert_ptr_nonnull(strstr(thread_dump, "OUTSIDE_INSTALL"));
	o.max_open_days = 0;
	ck_assert_int_eq(import_dump("b.csv", text, &o, &dflt, &err), 0);
	ck_assert_str_ne(thread_dump, dflt);
	free(thread_dump);
	free(dflt);
	/* The batch boundaries decide the merge (committed, to look). */
	{
		struct br_import_result res;
		struct br_registry reg;
		struct br_tz tz;
		struct day d;
		const char *path = fx_file(tmpdir, "b.csv", text);

		br_import_result_init(&res);
		ck_assert_int_eq(br_store_begin(st, &err), 0);
		ck_assert_int_eq(br_registry_init(&reg, st, &err), 0);
		ck_assert_int_eq(br_store_timezone(st, &tz, &err), 0);
		o.max_open_days = 3;
		ck_assert_int_eq(br_import_file_opts(st, &reg, &tz, path, &o,
		    &res, &err), 0);
		ck_assert_int_eq(br_store_commit(st, &err), 0);
		br_tz_release(&tz);
		br_registry_release(&reg);
		br_import_result_release(&res);
		ck_assert_int_eq(get_day("M1", 1, "2026-10-01", &d), 0);
		ck_assert_int_eq(d.v[20], 8000);	/* 05:00 re-sent */
		ck_assert_int_eq(d.v[40], 1200);	/* 10:00 kept */
		ck_assert_int_eq(d.q[40], BR_Q_ACTUAL);
		ck_assert_int_eq(d.v[92], 4000);	/* 23:00 added */
		ck_assert_int_eq(d.version, 1);
		ck_assert_int_eq(count("SELECT count(*) FROM "
		    "interval_replacement"), 0);
	}
	free(text);
}
END_TEST

/* Run text both ways with batches of three; the results must agree. */
static void
both_fail(const char *text, struct br_error *err)
{
	struct br_import_opts o;
	struct br_error e1;
	char *dump;

	memset(&o, 0, sizeof(o));
	o.format = BR_FMT_GENERIC;
	o.max_open_days = 3;
	o.no_writer_thread = 1;
	ck_assert_int_eq(import_dump("e.csv", text, &o, &dump, &e1), -1);
	o.no_writer_thread = 0;
	ck_assert_int_eq(import_dump("e.csv", text, &o, &dump, err), -1);
	ck_assert_int_eq(err->code, e1.code);
	ck_assert_str_eq(err->file, e1.file);
	ck_assert_int_eq(err->line, e1.line);
	ck_assert_str_eq(err->msg, e1.msg);
	ck_assert_int_eq(count("SELECT count(*) FROM interval_day"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM import_file"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM exception"), 0);
}

START_TEST(test_writer_thread_errors)
{
	struct br_error err;
	char *text;

	/* A bad row in a later batch while earlier ones are written. */
	text = batch_text("M1,2026-10-02T00:00:00-05:00,12x\n");
	both_fail(text, &err);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 126);
	ck_assert_str_eq(err.msg, "bad value '12x' in column 'value'");
	ck_assert_ptr_nonnull(strstr(err.file, "e.csv"));

	/* A batch whose write fails (M3 on 2026-10-06, the fifth of nine
	 * batches): that error, not the bad row parsed after it. */
	ck_assert_int_eq(br_store_exec(st, "CREATE TEMP TRIGGER boom BEFORE "
	    "INSERT ON interval_day WHEN NEW.meter_id = 'M3' AND NEW.day = "
	    "20732 BEGIN SELECT RAISE(ABORT, 'boom'); END", &err), 0);
	both_fail(text, &err);
	ck_assert_str_eq(err.msg, "write interval day: boom");
	ck_assert_int_eq(err.code, BR_EINTERNAL);
	free(text);
	/* The same without the bad row: the failed batch is found at the
	 * next hand-over or at the end of the file. */
	text = batch_text("");
	both_fail(text, &err);
	ck_assert_str_eq(err.msg, "write interval day: boom");
	free(text);
	ck_assert_int_eq(br_store_exec(st, "DROP TRIGGER boom", &err), 0);

	/* Every meter-day failing in turn, the bad row after it: the
	 * failed batch may still be out when the bad row is parsed, or be
	 * the end-of-file flush (then the bad row comes first). */
	text = batch_text("M1,2026-10-02T00:00:00-05:00,12x\n");
	{
		static const char *const meters[] = { "M1", "M2", "M3" };
		char sql[300];
		int m, d;

		for (m = 0; m < 3; m++)
			for (d = 20727; d <= 20734; d++) {
				snprintf(sql, sizeof(sql), "CREATE TEMP "
				    "TRIGGER boom BEFORE INSERT ON "
				    "interval_day WHEN NEW.meter_id = '%s' "
				    "AND NEW.day = %d BEGIN SELECT "
				    "RAISE(ABORT, 'boom'); END", meters[m], d);
				ck_assert_int_eq(br_store_exec(st, sql, &err),
				    0);
				both_fail(text, &err);
				ck_assert(err.code == BR_EINTERNAL ||
				    err.line == 126);
				ck_assert_int_eq(br_store_exec(st,
				    "DROP TRIGGER boom", &err), 0);
			}
	}
	free(text);
}
END_TEST

static Suite *
import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("import");
	TCase *ts = tcase_create("samples");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_add_test(tc, test_slot_normal_and_dst_days);
	tcase_add_test(tc, test_local_time_ambiguity);
	tcase_add_test(tc, test_units_and_multiplier);
	tcase_add_test(tc, test_unit_mismatch_is_error);
	tcase_add_test(tc, test_reimport_is_noop);
	tcase_add_test(tc, test_resent_day_replaces);
	tcase_add_test(tc, test_unknown_meter_exception);
	tcase_add_test(tc, test_bad_value_leaves_store_unchanged);
	tcase_add_test(tc, test_registry_bad_field);
	tcase_add_test(tc, test_meter_exchange_matching);
	tcase_add_test(ts, test_samples_nem12);
	tcase_add_test(ts, test_samples_nem12_other_zone);
	tcase_add_test(ts, test_samples_cmep);
	tcase_add_test(tc, test_samples_copied);
	tcase_add_test(ts, test_samples_nem12_invalid);
	tcase_add_test(ts, test_samples_greenbutton);
	tcase_add_test(tc, test_writer_thread_same_store);
	tcase_add_test(tc, test_writer_thread_errors);
	tcase_set_timeout(tc, 60);
	tcase_set_timeout(ts, 60);
	suite_add_tcase(s, tc);
	tcase_set_tags(ts, "samples");
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return fx_run(import_suite());
}
