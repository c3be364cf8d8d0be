/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_audit.c: the hash-chained audit log (lib/store/audit.h): what sealing
 * stores and hashes, content as of the commit, rollback, changes made
 * outside billrun, deleted records, content seals (before migration 11)
 * and digest seals in one chain, and a version 3 store sealed by the
 * earlier scheme upgrading with its chain intact; row notes (bill lines
 * sealed from the values bound) against the read-back and its fallbacks.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/audit.h"
#include "core/sha256.h"
#include "render/render.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

static char dir[256];
static struct br_store *st;

static void
setup(void)
{
	fx_mkdtemp(dir, sizeof(dir), "/tmp/br-check-audit-XXXXXX");
	st = fx_store(dir, "a.db", "INSERT INTO account(account_id, "
	    "name) VALUES('A1', 'One')");
}

static void
teardown(void)
{
	br_store_close(st);
	st = NULL;
	fx_rmrf(dir);
}

/* Run sql as one billrun transaction (sealed at commit). */
static void
billrun_tx(const char *sql)
{
	struct br_error err;

	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_msg(br_store_exec(st, sql, &err) == 0, "%s", err.msg);
	ck_assert_msg(br_store_commit(st, &err) == 0, "%s", err.msg);
}

/* One text value of a query (row 1, column 1) into a static buffer. */
static const char *
value(const char *sql)
{
	static char buf[4096];
	struct br_error err;
	sqlite3_stmt *s = br_store_prepare(st, sql, &err);

	ck_assert_ptr_nonnull(s);
	buf[0] = '\0';
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(buf, sizeof(buf), "%s",
		    (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

/* SHA-256 of the string s as lowercase hex into out[65]; returns out. */
static char *
sha_hex(const char *s, char out[65])
{
	struct br_sha256 h;

	br_sha256_init(&h);
	br_sha256_update(&h, s, strlen(s));
	br_sha256_final_hex(&h, out);
	return out;
}

/* The chain hash of a record: SHA-256 of prev|seq|table|op|key|tail
 * (tail: the content's digest in hex, or a content seal's content). */
static char *
record_hash(const char *prev, int seq, const char *rec, const char *tail,
    char out[65])
{
	char msg[2048];

	snprintf(msg, sizeof(msg), "%s|%d|%s|%s", prev, seq, rec, tail);
	return sha_hex(msg, out);
}

/* The stored digest of record seq, lowercase hex (its own buffer: not
 * value()'s). */
static const char *
digest_of(int seq)
{
	static char out[65];
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT lower(hex(digest)) FROM audit_seal "
	    "WHERE seq = %d", seq);
	snprintf(out, sizeof(out), "%s", value(sql));
	return out;
}

/* audit-verify's findings (without the header) into a static buffer. */
static const char *
verify(struct br_audit_stats *stats)
{
	static char out[8192];
	struct br_error err;
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(br_audit_verify(st, f, stats, &err), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strchr(p, '\n'));
	snprintf(out, sizeof(out), "%s", strchr(p, '\n') + 1);
	free(p);
	return out;
}

#define BILL_SQL "INSERT INTO bill(bill_id, account_id, cycle_id, " \
	"period_start, period_end, bill_date, due_date, status, " \
	"total_cents) VALUES('B1', 'A1', '2026-10', '2026-10-01', " \
	"'2026-10-31', '2026-11-03', '2026-11-24', 'draft', 1234);"
#define BILL_DATA "bill_id=t2:B1;account_id=t2:A1;cycle_id=t7:2026-10;" \
	"period_start=t10:2026-10-01;period_end=t10:2026-10-31;" \
	"bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t5:draft;" \
	"total_cents=i%d;replaces=t0:;"

/* A seal stores the SHA-256 digest of the content (32 bytes, no content,
 * no prev_hash); the record hash is SHA-256 over prev | seq | table | op |
 * key | digest (lowercase hex), prev being the previous record's hash. */
START_TEST(test_seal_stores_digest_and_chain)
{
	struct br_audit_stats stats;
	char data[512], want[65], dh[65];

	billrun_tx(BILL_SQL);
	snprintf(data, sizeof(data), BILL_DATA, 1234);
	ck_assert_str_eq(value("SELECT tbl || ',' || op || ',' || row_key "
	    "FROM audit_log WHERE seq = 1"), "bill,I,B1");
	ck_assert_str_eq(value("SELECT typeof(data) || ',' || "
	    "typeof(prev_hash) || ',' || length(digest) FROM audit_seal "
	    "WHERE seq = 1"), "null,null,32");
	ck_assert_str_eq(digest_of(1), sha_hex(data, dh));
	record_hash("", 1, "bill|I|B1", dh, want);
	ck_assert_str_eq(value("SELECT hash FROM audit_seal WHERE seq = 1"),
	    want);

	billrun_tx("UPDATE bill SET total_cents = -7 WHERE bill_id = 'B1'");
	snprintf(data, sizeof(data), BILL_DATA, -7);
	ck_assert_str_eq(digest_of(2), sha_hex(data, dh));
	record_hash(want, 2, "bill|U|B1", dh, want);
	ck_assert_str_eq(value("SELECT hash FROM audit_seal WHERE seq = 2"),
	    want);

	ck_assert_str_eq(verify(&stats), "");
	ck_assert_int_eq(stats.records, 2);
	ck_assert_int_eq(stats.problems, 0);
	ck_assert_str_eq(stats.head, want);
}
END_TEST

/* Every SQLite type as the serializer writes it: integers, NULL, text
 * with its length in bytes (UTF-8, empty), blobs in lowercase hex, and
 * a REAL as its text. */
START_TEST(test_content_of_every_type)
{
	char dh[65];

	billrun_tx(BILL_SQL
	    "INSERT INTO bill_line(bill_id, seq, sp_id, code, description, "
	    "quantity_milli, unit, rate_micro, amount_cents, trace) "
	    "VALUES('B1', 1, '', 'ENERGY', 'Énergie €', -9223372036854775807,"
	    " '', 2.5, 0, X'00ff10a0');"
	    "INSERT INTO import_file(file_id, stage, sha256, name, format) "
	    "VALUES(1, 'pay', 'x', 'p.csv', 'csv');"
	    "INSERT INTO payment(file_id, line, account_id, amount_cents, "
	    "received_date, status) VALUES(1, 1, NULL, 5, '2026-11-01', "
	    "'suspense');");
	ck_assert_str_eq(value("SELECT lower(hex(digest)) FROM audit_seal s "
	    "JOIN audit_log a USING (seq) WHERE a.tbl = 'bill_line'"),
	    sha_hex("bill_id=t2:B1;seq=i1;sp_id=t0:;code=t6:ENERGY;"
	    "description=t12:Énergie €;quantity_milli=i-9223372036854775807;"
	    "unit=t0:;rate_micro=t3:2.5;amount_cents=i0;trace=b4:00ff10a0;",
	    dh));
	ck_assert_str_eq(value("SELECT lower(hex(digest)) FROM audit_seal s "
	    "JOIN audit_log a USING (seq) WHERE a.tbl = 'payment'"),
	    sha_hex("payment_id=i1;file_id=i1;line=i1;account_id=n;"
	    "amount_cents=i5;received_date=t10:2026-11-01;method=t0:;"
	    "reference=t0:;status=t8:suspense;item=i0;", dh));
}
END_TEST

/* bill_line.rate_nano (migration 12) is serialized when set and left
 * out when NULL, so a line sealed before the column existed (or without
 * an exact rate) keeps its content; setting or clearing it outside
 * billrun shows as an edit. */
START_TEST(test_rate_nano_content)
{
	struct br_audit_stats stats;
	struct br_error err;
	char dh[65];

	billrun_tx(BILL_SQL
	    "INSERT INTO bill_line(bill_id, seq, code, description, "
	    "rate_micro, amount_cents) VALUES('B1', 1, 'ENERGY', 'Energy', "
	    "48109, 750);"
	    "INSERT INTO bill_line(bill_id, seq, code, description, "
	    "rate_micro, amount_cents, rate_nano) VALUES('B1', 2, 'ENERGY', "
	    "'Energy', 48109, 750, 48108500);");
	ck_assert_str_eq(value("SELECT lower(hex(digest)) FROM audit_seal s "
	    "JOIN audit_log a USING (seq) WHERE a.row_key = 'B1/1'"),
	    sha_hex("bill_id=t2:B1;seq=i1;sp_id=t0:;code=t6:ENERGY;"
	    "description=t6:Energy;quantity_milli=i0;unit=t0:;"
	    "rate_micro=i48109;amount_cents=i750;trace=t0:;", dh));
	ck_assert_str_eq(value("SELECT lower(hex(digest)) FROM audit_seal s "
	    "JOIN audit_log a USING (seq) WHERE a.row_key = 'B1/2'"),
	    sha_hex("bill_id=t2:B1;seq=i2;sp_id=t0:;code=t6:ENERGY;"
	    "description=t6:Energy;quantity_milli=i0;unit=t0:;"
	    "rate_micro=i48109;amount_cents=i750;trace=t0:;"
	    "rate_nano=i48108500;", dh));
	ck_assert_str_eq(verify(&stats), "");
	/* outside billrun: one set, one cleared */
	ck_assert_int_eq(br_store_exec(st, "UPDATE bill_line SET rate_nano = "
	    "CASE seq WHEN 1 THEN 48108500 END", &err), 0);
	ck_assert_str_eq(verify(&stats),
	    "unsealed,bill_line,B1/1,4,change made outside billrun tools\n"
	    "unsealed,bill_line,B1/2,5,change made outside billrun tools\n"
	    "edited,bill_line,B1/1,2,row differs from its last audited "
	    "content\n"
	    "edited,bill_line,B1/2,3,row differs from its last audited "
	    "content\n");
}
END_TEST

/* Each record carries the row as of the commit: a row inserted then
 * updated in one run is sealed twice with its final content; a row
 * inserted and deleted in one run has empty content. */
START_TEST(test_content_as_of_commit)
{
	struct br_audit_stats stats;
	char data[512], dh[65], sql[256];

	billrun_tx(BILL_SQL
	    "UPDATE bill SET total_cents = 99 WHERE bill_id = 'B1';"
	    "INSERT INTO bill_line(bill_id, seq, code, description, "
	    "amount_cents) VALUES('B1', 1, 'X', 'x', 1);"
	    "DELETE FROM bill_line WHERE bill_id = 'B1';");
	snprintf(data, sizeof(data), BILL_DATA, 99);
	snprintf(sql, sizeof(sql), "SELECT group_concat(x, ',') FROM (SELECT "
	    "a.op || ':' || (lower(hex(s.digest)) = '%s') AS x FROM audit_log "
	    "a JOIN audit_seal s USING (seq) ORDER BY seq)", sha_hex("", dh));
	ck_assert_str_eq(value(sql), "I:0,U:0,I:1,D:1");
	ck_assert_str_eq(digest_of(1), sha_hex(data, dh));
	ck_assert_str_eq(digest_of(2), dh);
	ck_assert_str_eq(verify(&stats), "");
	ck_assert_int_eq(stats.records, 4);
}
END_TEST

/* Row notes (audit.h): bill lines sealed from the values noted get the
 * digests the read-back gives (audit-verify reads every row back and
 * compares); the seal falls back to reading rows back when a noted row
 * changed later in the run, a column was not given, or after a
 * rollback. */
static void
note_line_nano(const char *key, const char *bill, int64_t seq,
    const char *code, int64_t amount, size_t ncols, int64_t rate_nano)
{
	struct br_audit_col c[11] = {
		{ "trace", "t\xc3\xa9;x=y", 0, 0 }, { "bill_id", bill, 0, 0 },
		{ "seq", NULL, seq, 0 }, { "sp_id", "", 0, 0 },
		{ "code", code, 0, 0 }, { "description", "d", 0, 0 },
		{ "quantity_milli", NULL, -5, 0 }, { "unit", "kWh", 0, 0 },
		{ "rate_micro", NULL, 0, 0 },
		{ "amount_cents", NULL, amount, 0 },
		/* rate_nano: NULL (-1) or the exact rate */
		{ "rate_nano", NULL, rate_nano, rate_nano < 0 },
	};

	br_audit_note_row(st, key, ncols, c);
}

static void
note_line(const char *key, const char *bill, int64_t seq, const char *code,
    int64_t amount, size_t ncols)
{
	note_line_nano(key, bill, seq, code, amount, ncols, -1);
}

#define LINE_SQL(seq, code, amount) "INSERT INTO bill_line(bill_id, seq, " \
	"sp_id, code, description, quantity_milli, unit, rate_micro, " \
	"amount_cents, trace) VALUES('B1', " seq ", '', '" code "', 'd', " \
	"-5, 'kWh', 0, " amount ", 't\xc3\xa9;x=y');"

/* One transaction: the bill, two noted lines, then extra (or nothing). */
static void
noted_tx(size_t ncols, const char *code2, const char *extra, int rollback)
{
	struct br_error err;

	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_audit_note_begin(st, &err), 0);
	ck_assert_int_eq(br_store_exec(st, BILL_SQL LINE_SQL("1", "A", "7")
	    LINE_SQL("2", "B", "-3"), &err), 0);
	note_line("B1/1", "B1", 1, "A", 7, ncols);
	note_line("B1/2", "B1", 2, code2, -3, ncols);
	if (extra != NULL)
		ck_assert_msg(br_store_exec(st, extra, &err) == 0, "%s",
		    err.msg);
	if (rollback) {
		br_store_rollback(st);
		return;
	}
	ck_assert_msg(br_store_commit(st, &err) == 0, "%s", err.msg);
}

START_TEST(test_noted_lines_match_read_back)
{
	struct br_audit_stats stats;
	char dh[65];

	noted_tx(11, "B", NULL, 0);
	ck_assert_str_eq(digest_of(2), sha_hex("bill_id=t2:B1;seq=i1;"
	    "sp_id=t0:;code=t1:A;description=t1:d;quantity_milli=i-5;"
	    "unit=t3:kWh;rate_micro=i0;amount_cents=i7;"
	    "trace=t7:t\xc3\xa9;x=y;", dh));
	ck_assert_str_eq(verify(&stats), "");
	ck_assert_int_eq(stats.records, 3);
	/* the notes are what is sealed: a wrong one (a caller's bug)
	 * shows as a changed row */
	billrun_tx("DELETE FROM bill_line; DELETE FROM bill;");
	noted_tx(11, "WRONG", NULL, 0);
	ck_assert_ptr_nonnull(strstr(verify(&stats), "bill_line,B1/2"));
	/* an exact rate (rate_nano, migration 12) noted as it is stored */
	billrun_tx("DELETE FROM bill_line; DELETE FROM bill;");
	{
		struct br_error err;

		ck_assert_int_eq(br_store_begin(st, &err), 0);
		ck_assert_int_eq(br_audit_note_begin(st, &err), 0);
		ck_assert_int_eq(br_store_exec(st, BILL_SQL
		    "INSERT INTO bill_line(bill_id, seq, sp_id, code, "
		    "description, quantity_milli, unit, rate_micro, "
		    "amount_cents, trace, rate_nano) VALUES('B1', 1, '', 'A', "
		    "'d', -5, 'kWh', 0, 7, 't\xc3\xa9;x=y', 48108500);",
		    &err), 0);
		note_line_nano("B1/1", "B1", 1, "A", 7, 11, 48108500);
		ck_assert_msg(br_store_commit(st, &err) == 0, "%s", err.msg);
	}
	ck_assert_str_eq(verify(&stats), "");
	ck_assert_str_eq(value("SELECT lower(hex(s.digest)) FROM audit_seal s "
	    "JOIN audit_log a USING (seq) WHERE a.tbl = 'bill_line' "
	    "ORDER BY seq DESC LIMIT 1"), sha_hex("bill_id=t2:B1;seq=i1;"
	    "sp_id=t0:;code=t1:A;description=t1:d;quantity_milli=i-5;"
	    "unit=t3:kWh;rate_micro=i0;amount_cents=i7;"
	    "trace=t7:t\xc3\xa9;x=y;rate_nano=i48108500;", dh));
}
END_TEST

/* A note that is no longer the row (updated after, in the same run) is
 * not used: here the second note is even wrong, and the seal still
 * matches the rows. */
START_TEST(test_notes_fall_back)
{
	struct br_audit_stats stats;
	struct br_error err;

	noted_tx(11, "WRONG", "UPDATE bill_line SET amount_cents = 9 "
	    "WHERE seq = 1;", 0);
	ck_assert_str_eq(verify(&stats), "");
	ck_assert_int_eq(stats.records, 4);
	/* a column not given: read back (the wrong note unused) */
	billrun_tx("DELETE FROM bill_line; DELETE FROM bill;");
	noted_tx(10, "WRONG", NULL, 0);
	ck_assert_str_eq(verify(&stats), "");
	/* a rollback drops the notes; the next run notes nothing */
	billrun_tx("DELETE FROM bill_line; DELETE FROM bill;");
	noted_tx(11, "WRONG", NULL, 1);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_store_exec(st, BILL_SQL LINE_SQL("1", "A", "7")
	    LINE_SQL("2", "B", "-3"), &err), 0);
	note_line("B1/1", "B1", 1, "A", 7, 11);	/* no note set: ignored */
	ck_assert_msg(br_store_commit(st, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(verify(&stats), "");
}
END_TEST

/* A failed run leaves no audit trace. */
START_TEST(test_rollback_leaves_nothing)
{
	struct br_error err;

	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_store_exec(st, BILL_SQL, &err), 0);
	br_store_rollback(st);
	ck_assert_str_eq(value("SELECT count(*) FROM audit_log"), "0");
	ck_assert_str_eq(value("SELECT count(*) FROM audit_seal"), "0");
	ck_assert_str_eq(value("SELECT count(*) FROM bill"), "0");
}
END_TEST

/* Writes outside a billrun transaction (the sqlite3 shell) are logged by
 * the triggers but never sealed; the next billrun run seals only its own
 * records and chains them after the last sealed one. */
START_TEST(test_shell_write_is_unsealed)
{
	struct br_audit_stats stats;
	struct br_error err;
	char head[65], want[65];

	billrun_tx(BILL_SQL);
	snprintf(head, sizeof(head), "%s", value("SELECT hash FROM "
	    "audit_seal WHERE seq = 1"));
	ck_assert_int_eq(br_store_exec(st, "UPDATE bill SET total_cents = 1 "
	    "WHERE bill_id = 'B1'", &err), 0);
	billrun_tx("INSERT INTO ledger(account_id, date, kind, ref, "
	    "amount_cents) VALUES('A1', '2026-11-03', 'bill', 'B1', 1)");
	ck_assert_str_eq(value("SELECT group_concat(seq) FROM audit_seal"),
	    "1,3");
	record_hash(head, 3, "ledger|I|1", digest_of(3), want);
	ck_assert_str_eq(value("SELECT hash FROM audit_seal WHERE seq = 3"),
	    want);
	ck_assert_str_eq(verify(&stats),
	    "unsealed,bill,B1,2,change made outside billrun tools\n"
	    "edited,bill,B1,1,row differs from its last audited content\n");
	ck_assert_int_eq(stats.records, 3);
	ck_assert_int_eq(stats.problems, 2);
}
END_TEST

/* Edited, deleted and trailing deleted audit records are found. */
START_TEST(test_audit_records_tampered)
{
	struct br_audit_stats stats;
	struct br_error err;

	billrun_tx(BILL_SQL);
	billrun_tx("UPDATE bill SET total_cents = 5 WHERE bill_id = 'B1'");
	billrun_tx("UPDATE bill SET total_cents = 6 WHERE bill_id = 'B1'");
	/* a digest, or a field a digest seal does not have, edited */
	ck_assert_int_eq(br_store_exec(st, "UPDATE audit_seal SET data = '' "
	    "WHERE seq = 2", &err), 0);
	ck_assert_str_eq(verify(&stats), "audit-edited,bill,B1,2,audit record "
	    "does not match the hash chain\n");
	ck_assert_int_eq(br_store_exec(st, "UPDATE audit_seal SET data = NULL, "
	    "prev_hash = (SELECT hash FROM audit_seal WHERE seq = 1) "
	    "WHERE seq = 2", &err), 0);
	ck_assert_str_eq(verify(&stats), "audit-edited,bill,B1,2,audit record "
	    "does not match the hash chain\n");
	ck_assert_int_eq(br_store_exec(st, "UPDATE audit_seal SET prev_hash = "
	    "NULL, digest = zeroblob(32) WHERE seq = 2", &err), 0);
	ck_assert_str_eq(verify(&stats), "audit-edited,bill,B1,2,audit record "
	    "does not match the hash chain\n");
	ck_assert_int_eq(br_store_exec(st, "DELETE FROM audit_log WHERE "
	    "seq = 3", &err), 0);
	ck_assert_str_eq(verify(&stats),
	    "audit-edited,bill,B1,2,audit record does not match the hash "
	    "chain\n"
	    "audit-deleted,audit_log,,3,audit records 3-3 missing\n"
	    "edited,bill,B1,2,row differs from its last audited content\n");
	ck_assert_int_eq(stats.records, 2);
}
END_TEST

/* A row edited after its digest seal with the triggers bypassed is found
 * from the digest alone; a record re-hashed over a digest that matches
 * the edit still breaks the chain. */
START_TEST(test_edit_after_digest_seal)
{
	struct br_audit_stats stats;
	struct br_error err;

	billrun_tx(BILL_SQL);
	billrun_tx("UPDATE bill SET total_cents = 5 WHERE bill_id = 'B1'");
	ck_assert_str_eq(verify(&stats), "");
	ck_assert_int_eq(br_store_exec(st, "DROP TRIGGER audit_bill_u; "
	    "UPDATE bill SET total_cents = 6 WHERE bill_id = 'B1'", &err), 0);
	ck_assert_str_eq(verify(&stats), "edited,bill,B1,2,row differs from "
	    "its last audited content\n");
	ck_assert_int_eq(stats.problems, 1);
	/* the digest swapped for the edited row's: the chain says so */
	ck_assert_int_eq(br_store_exec(st, "UPDATE audit_seal SET digest = "
	    "(SELECT digest FROM audit_seal WHERE seq = 1) WHERE seq = 2; "
	    "UPDATE bill SET total_cents = 1234 WHERE bill_id = 'B1'",
	    &err), 0);
	ck_assert_str_eq(verify(&stats), "audit-edited,bill,B1,2,audit record "
	    "does not match the hash chain\n");
}
END_TEST

/* Content seals written before migration 11 (content and prev_hash, no
 * digest) and digest seals after them form one chain: it verifies clean,
 * a row or record edited on either side of the boundary is found. */
START_TEST(test_content_then_digest_seals)
{
	struct br_audit_stats stats;
	struct br_error err;
	char data[512], h1[65], h2[65], sql[2048];

	/* two records sealed the way a version 10 store sealed them */
	ck_assert_int_eq(br_store_exec(st, BILL_SQL
	    "UPDATE bill SET total_cents = 8 WHERE bill_id = 'B1'", &err), 0);
	snprintf(data, sizeof(data), BILL_DATA, 1234);
	record_hash("", 1, "bill|I|B1", data, h1);
	snprintf(sql, sizeof(sql), "INSERT INTO audit_seal(seq, data, "
	    "prev_hash, hash) VALUES(1, '%s', '', '%s')", data, h1);
	ck_assert_int_eq(br_store_exec(st, sql, &err), 0);
	snprintf(data, sizeof(data), BILL_DATA, 8);
	record_hash(h1, 2, "bill|U|B1", data, h2);
	snprintf(sql, sizeof(sql), "INSERT INTO audit_seal(seq, data, "
	    "prev_hash, hash) VALUES(2, '%s', '%s', '%s')", data, h1, h2);
	ck_assert_int_eq(br_store_exec(st, sql, &err), 0);
	ck_assert_str_eq(verify(&stats), "");
	ck_assert_str_eq(stats.head, h2);

	/* then digest seals chained on from the content seals' head */
	billrun_tx("UPDATE bill SET total_cents = 9 WHERE bill_id = 'B1';"
	    "INSERT INTO ledger(account_id, date, kind, ref, amount_cents) "
	    "VALUES('A1', '2026-11-03', 'bill', 'B1', 9)");
	ck_assert_str_eq(value("SELECT group_concat(typeof(data) || ':' || "
	    "typeof(digest), ',') FROM audit_seal"),
	    "text:null,text:null,null:blob,null:blob");
	record_hash(h2, 3, "bill|U|B1", digest_of(3), h1);
	ck_assert_str_eq(value("SELECT hash FROM audit_seal WHERE seq = 3"),
	    h1);
	ck_assert_str_eq(verify(&stats), "");
	ck_assert_int_eq(stats.records, 4);

	/* a content seal edited; a row edited after a digest seal */
	ck_assert_int_eq(br_store_exec(st, "UPDATE audit_seal SET data = "
	    "replace(data, 'i8;', 'i7;') WHERE seq = 2; DROP TRIGGER "
	    "audit_ledger_u; UPDATE ledger SET amount_cents = 10", &err), 0);
	ck_assert_str_eq(verify(&stats),
	    "audit-edited,bill,B1,2,audit record does not match the hash "
	    "chain\n"
	    "edited,ledger,1,4,row differs from its last audited content\n");
}
END_TEST

/* A version 3 store sealed by the earlier scheme (content and hashes in
 * audit_log) upgrades on open: the same findings and head as that
 * build's audit-verify, and new records chain on from it. */
/*
 * A review decision sealed as content before migration 7 added
 * exception_decision.decided_on (NOT NULL DEFAULT ''): its sealed
 * content has no decided_on, and the row now reads decided_on = ''.  It
 * verifies clean; a date set on it afterwards is an edit.
 */
START_TEST(test_decision_sealed_before_v7)
{
	static const char data[] = "exc_id=i1;seq=i1;decision=t7:release;"
	    "reviewer=t3:ann;note=t0:;";
	struct br_audit_stats stats;
	struct br_error err;
	char h[65], sql[1024];

	ck_assert_int_eq(br_store_exec(st, "INSERT INTO exception(exc_id, "
	    "stage, code, severity) VALUES(1, 'validate', 'GAP', 'hold');"
	    "INSERT INTO exception_decision(exc_id, seq, decision, reviewer) "
	    "VALUES(1, 1, 'release', 'ann')", &err), 0);
	record_hash("", 1, "exception_decision|I|1/1", data, h);
	snprintf(sql, sizeof(sql), "INSERT INTO audit_seal(seq, data, "
	    "prev_hash, hash) VALUES(1, '%s', '', '%s')", data, h);
	ck_assert_int_eq(br_store_exec(st, sql, &err), 0);
	ck_assert_str_eq(verify(&stats), "");
	ck_assert_int_eq(br_store_exec(st, "DROP TRIGGER "
	    "audit_exception_decision_u; UPDATE exception_decision SET "
	    "decided_on = '2026-11-02'", &err), 0);
	ck_assert_str_eq(verify(&stats), "edited,exception_decision,1/1,1,"
	    "row differs from its last audited content\n");
}
END_TEST

START_TEST(test_v3_store_upgrades)
{
	struct br_audit_stats stats;
	struct br_error err;
	char path[512], fixture[512], head[65], *sql;
	sqlite3 *db;
	FILE *f;
	long n;

	snprintf(fixture, sizeof(fixture), "%s/testdata/stores/v3-audit.sql",
	    fx_srcdir());
	f = fopen(fixture, "rb");
	ck_assert_msg(f != NULL, "%s", fixture);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	sql = calloc(1, (size_t)n + 1);
	ck_assert_int_eq(fread(sql, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	snprintf(path, sizeof(path), "%s/v3.db", dir);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(sql);

	br_store_close(st);
	st = br_store_open(path, 0, &err);
	ck_assert_msg(st != NULL, "%s", err.msg);
	ck_assert_int_eq(strtol(value("PRAGMA user_version"), NULL, 10),
	    BR_STORE_SCHEMA_VERSION);
	ck_assert_str_eq(value("SELECT count(*) || ',' || max(seq) FROM "
	    "audit_seal"), "47,47");
	ck_assert_str_eq(value("SELECT seq FROM sqlite_sequence WHERE "
	    "name = 'audit_log'"), "48");
	ck_assert_str_eq(value("SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'audit_log_key' OR (type = 'trigger' AND name LIKE "
	    "'audit_%')"), "24");	/* 15; payment_item's, past_due's (v5);
					 * deposit's (v9) */
	ck_assert_str_eq(verify(&stats),
	    "unsealed,bill_line,2026-10-A00001/1,48,change made outside "
	    "billrun tools\n"
	    "edited,bill_line,2026-10-A00001/1,20,row differs from its last "
	    "audited content\n");
	ck_assert_int_eq(stats.records, 48);
	ck_assert_str_eq(stats.head, "88448f74f356198b32d4bb57b1a0ac16c453820e"
	    "a09f967519df25da77e31697");
	/* Its lines keep no exact rate (migration 12) and print the 6
	 * decimals they always did. */
	ck_assert_str_eq(value("SELECT count(*) || ',' || count(rate_nano) "
	    "FROM bill_line"), "12,0");
	{
		struct br_ledger_statement ls;
		char *buf = NULL;
		size_t len;
		FILE *mf = open_memstream(&buf, &len);

		ck_assert_int_eq(br_render_bill(st, "2026-10-A00001", mf, &ls,
		    &err), 0);
		fclose(mf);
		ck_assert_ptr_nonnull(strstr(buf, "\n  Energy             "
		    "                  20.781 kWh       0.132500          2.75"
		    "\n"));
		free(buf);
	}

	/* A billrun write after the upgrade chains on from the old head,
	 * sealed by digest. */
	billrun_tx("UPDATE bill_line SET description = 'Energy' WHERE "
	    "bill_id = '2026-10-A00001' AND seq = 1");
	record_hash("88448f74f356198b32d4bb57b1a0ac16c453820ea09f967519df"
	    "25da77e31697", 49, "bill_line|U|2026-10-A00001/1", digest_of(49),
	    head);
	ck_assert_str_eq(value("SELECT hash FROM audit_seal WHERE seq = 49"),
	    head);
	ck_assert_str_eq(verify(&stats),
	    "unsealed,bill_line,2026-10-A00001/1,48,change made outside "
	    "billrun tools\n");
	ck_assert_int_eq(stats.records, 49);
	ck_assert_str_eq(stats.head, head);

	/* An old record's content edited is still found. */
	ck_assert_int_eq(br_store_exec(st, "UPDATE audit_seal SET data = "
	    "replace(data, 'i4057', 'i4058') WHERE seq = 43", &err), 0);
	ck_assert_str_eq(verify(&stats),
	    "audit-edited,ledger,1,43,audit record does not match the hash "
	    "chain\n"
	    "unsealed,bill_line,2026-10-A00001/1,48,change made outside "
	    "billrun tools\n"
	    "edited,ledger,1,43,row differs from its last audited content\n");
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("audit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_seal_stores_digest_and_chain);
	tcase_add_test(tc, test_content_of_every_type);
	tcase_add_test(tc, test_content_as_of_commit);
	tcase_add_test(tc, test_rate_nano_content);
	tcase_add_test(tc, test_rollback_leaves_nothing);
	tcase_add_test(tc, test_shell_write_is_unsealed);
	tcase_add_test(tc, test_audit_records_tampered);
	tcase_add_test(tc, test_edit_after_digest_seal);
	tcase_add_test(tc, test_content_then_digest_seals);
	tcase_add_test(tc, test_decision_sealed_before_v7);
	tcase_add_test(tc, test_v3_store_upgrades);
	tcase_add_test(tc, test_noted_lines_match_read_back);
	tcase_add_test(tc, test_notes_fall_back);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(audit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
