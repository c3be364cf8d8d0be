/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c: opening, migrating and transacting the SQLite store.
 *
 * The schema is created by migrations[]; migration i moves user_version
 * from i to i+1.  Never edit a released migration: append a new one.
 */
#include "store/store.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/lock.h"
#include "core/tz.h"
#include "core/banned.h"

/*
 * The audit triggers: created by migration 2, and again (unchanged) by
 * migration 4 after it rebuilds audit_log.
 */
#define AUDIT_TRIGGERS \
	"CREATE TRIGGER audit_bill_i AFTER INSERT ON bill BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill', 'I', NEW.bill_id); END;\n" \
	"CREATE TRIGGER audit_bill_u AFTER UPDATE ON bill BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill', 'U', NEW.bill_id); END;\n" \
	"CREATE TRIGGER audit_bill_d AFTER DELETE ON bill BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill', 'D', OLD.bill_id); END;\n" \
	"CREATE TRIGGER audit_bill_line_i AFTER INSERT ON bill_line BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill_line', 'I', NEW.bill_id || '/' || NEW.seq); END;\n" \
	"CREATE TRIGGER audit_bill_line_u AFTER UPDATE ON bill_line BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill_line', 'U', NEW.bill_id || '/' || NEW.seq); END;\n" \
	"CREATE TRIGGER audit_bill_line_d AFTER DELETE ON bill_line BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill_line', 'D', OLD.bill_id || '/' || OLD.seq); END;\n" \
	"CREATE TRIGGER audit_exception_decision_i AFTER INSERT ON exception_decision BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('exception_decision', 'I', NEW.exc_id || '/' || NEW.seq); END;\n" \
	"CREATE TRIGGER audit_exception_decision_u AFTER UPDATE ON exception_decision BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('exception_decision', 'U', NEW.exc_id || '/' || NEW.seq); END;\n" \
	"CREATE TRIGGER audit_exception_decision_d AFTER DELETE ON exception_decision BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('exception_decision', 'D', OLD.exc_id || '/' || OLD.seq); END;\n" \
	"CREATE TRIGGER audit_ledger_i AFTER INSERT ON ledger BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('ledger', 'I', CAST(NEW.entry_id AS TEXT)); END;\n" \
	"CREATE TRIGGER audit_ledger_u AFTER UPDATE ON ledger BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('ledger', 'U', CAST(NEW.entry_id AS TEXT)); END;\n" \
	"CREATE TRIGGER audit_ledger_d AFTER DELETE ON ledger BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('ledger', 'D', CAST(OLD.entry_id AS TEXT)); END;\n" \
	"CREATE TRIGGER audit_payment_i AFTER INSERT ON payment BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('payment', 'I', CAST(NEW.payment_id AS TEXT)); END;\n" \
	"CREATE TRIGGER audit_payment_u AFTER UPDATE ON payment BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('payment', 'U', CAST(NEW.payment_id AS TEXT)); END;\n" \
	"CREATE TRIGGER audit_payment_d AFTER DELETE ON payment BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('payment', 'D', CAST(OLD.payment_id AS TEXT)); END;\n"

static const char *const migrations[] = {
	/* 0 -> 1: the foundation schema. */
	"CREATE TABLE setting(\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE account(\n"
	"  account_id TEXT PRIMARY KEY,\n"
	"  name TEXT NOT NULL,\n"
	"  mailing_address TEXT NOT NULL DEFAULT '',\n"
	"  status TEXT NOT NULL DEFAULT 'active'\n"
	"    CHECK(status IN ('active','inactive','closed')),\n"
	"  cycle_id TEXT NOT NULL DEFAULT ''\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE service_point(\n"
	"  sp_id TEXT PRIMARY KEY,\n"
	"  kind TEXT NOT NULL CHECK(kind IN ('electric','water','gas')),\n"
	"  address TEXT NOT NULL DEFAULT ''\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE meter(\n"
	"  meter_id TEXT PRIMARY KEY,\n"
	"  kind TEXT NOT NULL CHECK(kind IN ('electric','water','gas')),\n"
	"  unit TEXT NOT NULL,\n"
	"  multiplier_milli INTEGER NOT NULL DEFAULT 1000 CHECK(multiplier_milli > 0)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE meter_install(\n"
	"  meter_id TEXT NOT NULL REFERENCES meter(meter_id),\n"
	"  sp_id TEXT NOT NULL REFERENCES service_point(sp_id),\n"
	"  install_date TEXT NOT NULL,\n"
	"  remove_date TEXT,\n"
	"  PRIMARY KEY(meter_id, install_date)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX meter_install_sp ON meter_install(sp_id);\n"
	"CREATE TABLE service_agreement(\n"
	"  account_id TEXT NOT NULL REFERENCES account(account_id),\n"
	"  sp_id TEXT NOT NULL REFERENCES service_point(sp_id),\n"
	"  start_date TEXT NOT NULL,\n"
	"  end_date TEXT,\n"
	"  rate_code TEXT NOT NULL,\n"
	"  customer_class TEXT NOT NULL DEFAULT 'residential',\n"
	"  net_metering TEXT NOT NULL DEFAULT '',\n"
	"  PRIMARY KEY(account_id, sp_id, start_date)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX service_agreement_sp ON service_agreement(sp_id);\n"
	"CREATE TABLE bill_cycle(\n"
	"  cycle_id TEXT PRIMARY KEY,\n"
	"  period_start TEXT NOT NULL,\n"
	"  period_end TEXT NOT NULL,\n"
	"  bill_date TEXT NOT NULL,\n"
	"  due_date TEXT NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE import_file(\n"
	"  file_id INTEGER PRIMARY KEY,\n"
	"  stage TEXT NOT NULL,\n"
	"  sha256 TEXT NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  format TEXT NOT NULL,\n"
	"  records INTEGER NOT NULL DEFAULT 0,\n"
	"  UNIQUE(stage, sha256)\n"
	");\n"
	"CREATE TABLE interval_day(\n"
	"  meter_id TEXT NOT NULL,\n"
	"  channel INTEGER NOT NULL,\n"
	"  day INTEGER NOT NULL,\n"
	"  interval_s INTEGER NOT NULL,\n"
	"  n INTEGER NOT NULL,\n"
	"  vals BLOB NOT NULL,\n"
	"  quality BLOB NOT NULL,\n"
	"  file_id INTEGER NOT NULL,\n"
	"  version INTEGER NOT NULL DEFAULT 1,\n"
	"  PRIMARY KEY(meter_id, channel, day)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE interval_replacement(\n"
	"  meter_id TEXT NOT NULL,\n"
	"  channel INTEGER NOT NULL,\n"
	"  day INTEGER NOT NULL,\n"
	"  old_file_id INTEGER NOT NULL,\n"
	"  new_file_id INTEGER NOT NULL,\n"
	"  old_version INTEGER NOT NULL,\n"
	"  PRIMARY KEY(meter_id, channel, day, old_version)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE register_read(\n"
	"  meter_id TEXT NOT NULL,\n"
	"  channel INTEGER NOT NULL,\n"
	"  read_utc INTEGER NOT NULL,\n"
	"  value_milli INTEGER NOT NULL,\n"
	"  file_id INTEGER NOT NULL,\n"
	"  PRIMARY KEY(meter_id, channel, read_utc)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE interval_src_version(\n"
	"  meter_id TEXT NOT NULL,\n"
	"  channel INTEGER NOT NULL,\n"
	"  day INTEGER NOT NULL,\n"
	"  src_version TEXT NOT NULL,\n"
	"  PRIMARY KEY(meter_id, channel, day)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE exception(\n"
	"  exc_id INTEGER PRIMARY KEY,\n"
	"  stage TEXT NOT NULL,\n"
	"  code TEXT NOT NULL,\n"
	"  severity TEXT NOT NULL CHECK(severity IN ('info','warn','hold')),\n"
	"  account_id TEXT NOT NULL DEFAULT '',\n"
	"  meter_id TEXT NOT NULL DEFAULT '',\n"
	"  date TEXT NOT NULL DEFAULT '',\n"
	"  detail TEXT NOT NULL DEFAULT '',\n"
	"  source TEXT NOT NULL DEFAULT '',\n"
	"  line INTEGER NOT NULL DEFAULT 0,\n"
	"  status TEXT NOT NULL DEFAULT 'open'\n"
	"    CHECK(status IN ('open','released','held','estimated','overridden')),\n"
	"  UNIQUE(stage, code, account_id, meter_id, date, detail)\n"
	");\n"
	"CREATE TABLE exception_decision(\n"
	"  exc_id INTEGER NOT NULL REFERENCES exception(exc_id),\n"
	"  seq INTEGER NOT NULL,\n"
	"  decision TEXT NOT NULL,\n"
	"  reviewer TEXT NOT NULL,\n"
	"  note TEXT NOT NULL DEFAULT '',\n"
	"  PRIMARY KEY(exc_id, seq)\n"
	");\n"
	"CREATE TABLE bill(\n"
	"  bill_id TEXT PRIMARY KEY,\n"
	"  account_id TEXT NOT NULL REFERENCES account(account_id),\n"
	"  cycle_id TEXT NOT NULL,\n"
	"  period_start TEXT NOT NULL,\n"
	"  period_end TEXT NOT NULL,\n"
	"  bill_date TEXT NOT NULL,\n"
	"  due_date TEXT NOT NULL,\n"
	"  status TEXT NOT NULL\n"
	"    CHECK(status IN ('draft','hold','issued','cancelled')),\n"
	"  total_cents INTEGER NOT NULL,\n"
	"  replaces TEXT NOT NULL DEFAULT '',\n"
	"  UNIQUE(account_id, cycle_id, replaces)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE bill_line(\n"
	"  bill_id TEXT NOT NULL REFERENCES bill(bill_id),\n"
	"  seq INTEGER NOT NULL,\n"
	"  sp_id TEXT NOT NULL DEFAULT '',\n"
	"  code TEXT NOT NULL,\n"
	"  description TEXT NOT NULL,\n"
	"  quantity_milli INTEGER NOT NULL DEFAULT 0,\n"
	"  unit TEXT NOT NULL DEFAULT '',\n"
	"  rate_micro INTEGER NOT NULL DEFAULT 0,\n"
	"  amount_cents INTEGER NOT NULL,\n"
	"  trace TEXT NOT NULL DEFAULT '',\n"
	"  PRIMARY KEY(bill_id, seq)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE bill_meter(\n"
	"  bill_id TEXT NOT NULL REFERENCES bill(bill_id),\n"
	"  meter_id TEXT NOT NULL,\n"
	"  channel INTEGER NOT NULL,\n"
	"  unit TEXT NOT NULL,\n"
	"  usage_milli INTEGER NOT NULL,\n"
	"  estimated_milli INTEGER NOT NULL DEFAULT 0,\n"
	"  missing_intervals INTEGER NOT NULL DEFAULT 0,\n"
	"  PRIMARY KEY(bill_id, meter_id, channel)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE bill_sp(\n"
	"  bill_id TEXT NOT NULL REFERENCES bill(bill_id),\n"
	"  sp_id TEXT NOT NULL,\n"
	"  period_start TEXT NOT NULL,\n"
	"  period_end TEXT NOT NULL,\n"
	"  usage_milli INTEGER NOT NULL DEFAULT 0,\n"
	"  demand_milli INTEGER NOT NULL DEFAULT 0,\n"
	"  export_milli INTEGER NOT NULL DEFAULT 0,\n"
	"  nem_bank_milli INTEGER NOT NULL DEFAULT 0,\n"
	"  PRIMARY KEY(bill_id, sp_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX bill_sp_sp ON bill_sp(sp_id, period_end);\n"
	"CREATE TABLE payment(\n"
	"  payment_id INTEGER PRIMARY KEY,\n"
	"  file_id INTEGER NOT NULL REFERENCES import_file(file_id),\n"
	"  line INTEGER NOT NULL,\n"
	"  account_id TEXT,\n"
	"  amount_cents INTEGER NOT NULL,\n"
	"  received_date TEXT NOT NULL,\n"
	"  method TEXT NOT NULL DEFAULT '',\n"
	"  reference TEXT NOT NULL DEFAULT '',\n"
	"  status TEXT NOT NULL CHECK(status IN ('posted','suspense','returned')),\n"
	"  item INTEGER NOT NULL DEFAULT 0,\n"
	"  UNIQUE(file_id, line, item)\n"
	");\n"
	"CREATE TABLE ledger(\n"
	"  entry_id INTEGER PRIMARY KEY,\n"
	"  account_id TEXT NOT NULL,\n"
	"  date TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK(kind IN ('bill','payment','adjustment','fee','reversal')),\n"
	"  ref TEXT NOT NULL,\n"
	"  amount_cents INTEGER NOT NULL,\n"
	"  UNIQUE(kind, ref)\n"
	");\n"
	"CREATE INDEX ledger_account ON ledger(account_id, date);\n"
	"CREATE TABLE payment_application(\n"
	"  credit_entry INTEGER NOT NULL REFERENCES ledger(entry_id),\n"
	"  charge_entry INTEGER NOT NULL REFERENCES ledger(entry_id),\n"
	"  amount_cents INTEGER NOT NULL CHECK(amount_cents > 0),\n"
	"  PRIMARY KEY(credit_entry, charge_entry)\n"
	");\n"
	"CREATE INDEX payment_application_charge ON "
	"payment_application(charge_entry);\n"
	"CREATE TABLE run(\n"
	"  run_id INTEGER PRIMARY KEY,\n"
	"  stage TEXT NOT NULL,\n"
	"  args TEXT NOT NULL,\n"
	"  inputs TEXT NOT NULL DEFAULT '',\n"
	"  outputs TEXT NOT NULL DEFAULT ''\n"
	");\n",
	/* 1 -> 2: the hash-chained audit log (lib/store/audit.h).  Triggers
	 * record every change to bills, bill lines, payments, the ledger and
	 * exception decisions; br_store_commit seals them. */
	"CREATE TABLE audit_log(\n"
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  tbl TEXT NOT NULL,\n"
	"  op TEXT NOT NULL CHECK(op IN ('I','U','D')),\n"
	"  row_key TEXT NOT NULL,\n"
	"  data TEXT,\n"
	"  prev_hash TEXT,\n"
	"  hash TEXT\n"
	");\n"
	"CREATE INDEX audit_log_key ON audit_log(tbl, row_key, seq);\n"
	AUDIT_TRIGGERS,
	/* 2 -> 3: register reads are stored by ami-import (NEM12 500, NEM13
	 * 250, CMEP ...REG).  register_read gains the read's quality (actual
	 * or estimated by the sender), the sender's version (NEM
	 * UpdateDateTime, CMEP file Time Stamp: an older re-send does not
	 * replace) and a row version; a read replaced by a later file is
	 * recorded in register_replacement, as interval_replacement does for
	 * days.  Existing rows (none were written before) read as actual,
	 * version 1. */
	"ALTER TABLE register_read ADD COLUMN quality INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE register_read ADD COLUMN src_version TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE register_read ADD COLUMN version INTEGER NOT NULL DEFAULT 1;\n"
	"CREATE TABLE register_replacement(\n"
	"  meter_id TEXT NOT NULL,\n"
	"  channel INTEGER NOT NULL,\n"
	"  read_utc INTEGER NOT NULL,\n"
	"  old_file_id INTEGER NOT NULL,\n"
	"  new_file_id INTEGER NOT NULL,\n"
	"  old_version INTEGER NOT NULL,\n"
	"  old_value_milli INTEGER NOT NULL,\n"
	"  old_quality INTEGER NOT NULL,\n"
	"  PRIMARY KEY(meter_id, channel, read_utc, old_version)\n"
	") WITHOUT ROWID;\n",
	/* 3 -> 4: sealing writes each record's content and hashes once, to
	 * audit_seal (appended in seq order at commit), instead of growing
	 * every trigger-made audit_log row in place; records sealed before
	 * move there with their hashes unchanged.  audit_log keeps what the
	 * triggers write, rebuilt without audit_log_key (maintaining it cost
	 * several times the audit rows' own I/O; audit-verify sorts instead)
	 * and with the op check as comparisons (an IN list built a temporary
	 * b-tree for every audit row).  The triggers are unchanged. */
	"CREATE TABLE audit_seal(\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  data TEXT,\n"
	"  prev_hash TEXT,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"INSERT INTO audit_seal(seq, data, prev_hash, hash)\n"
	"  SELECT seq, data, prev_hash, hash FROM audit_log\n"
	"  WHERE hash IS NOT NULL ORDER BY seq;\n"
	"DROP TRIGGER audit_bill_i;\n"
	"DROP TRIGGER audit_bill_u;\n"
	"DROP TRIGGER audit_bill_d;\n"
	"DROP TRIGGER audit_bill_line_i;\n"
	"DROP TRIGGER audit_bill_line_u;\n"
	"DROP TRIGGER audit_bill_line_d;\n"
	"DROP TRIGGER audit_exception_decision_i;\n"
	"DROP TRIGGER audit_exception_decision_u;\n"
	"DROP TRIGGER audit_exception_decision_d;\n"
	"DROP TRIGGER audit_ledger_i;\n"
	"DROP TRIGGER audit_ledger_u;\n"
	"DROP TRIGGER audit_ledger_d;\n"
	"DROP TRIGGER audit_payment_i;\n"
	"DROP TRIGGER audit_payment_u;\n"
	"DROP TRIGGER audit_payment_d;\n"
	"CREATE TABLE audit_log_v4(\n"
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  tbl TEXT NOT NULL,\n"
	"  op TEXT NOT NULL CHECK(op = 'I' OR op = 'U' OR op = 'D'),\n"
	"  row_key TEXT NOT NULL\n"
	");\n"
	"INSERT INTO audit_log_v4(seq, tbl, op, row_key)\n"
	"  SELECT seq, tbl, op, row_key FROM audit_log ORDER BY seq;\n"
	"DELETE FROM sqlite_sequence WHERE name = 'audit_log_v4';\n"
	"INSERT INTO sqlite_sequence(name, seq)\n"
	"  SELECT 'audit_log_v4', seq FROM sqlite_sequence WHERE name = 'audit_log';\n"
	"DROP TABLE audit_log;\n"
	"ALTER TABLE audit_log_v4 RENAME TO audit_log;\n"
	AUDIT_TRIGGERS,
	/* 4 -> 5: payments.  payment_item holds the natural key of every
	 * item a payment file carried (format, originator, reference,
	 * amount, date, account, occurrence in the file: docs/
	 * pay-reconcile.md), so an item is posted once whatever the file's
	 * bytes, and the originator identity returns are matched by (with
	 * the payment's reference, now indexed).  past_due holds each
	 * account's past-due amount as of a bill date, computed once by
	 * pay-reconcile --late-fees and read by bill-render.  The
	 * ledger gains the kinds refund and chargeback (card processor
	 * files): the table is rebuilt with its rows, ids, index and audit
	 * triggers unchanged; payment_application is rebuilt first so that
	 * its references follow the new table. */
	"CREATE TABLE payment_item(\n"
	"  item_key TEXT PRIMARY KEY,\n"
	"  file_id INTEGER NOT NULL REFERENCES import_file(file_id),\n"
	"  line INTEGER NOT NULL,\n"
	"  originator TEXT NOT NULL DEFAULT '',\n"
	"  traced INTEGER NOT NULL DEFAULT 0,\n"
	"  payment_id INTEGER\n"
	");\n"
	"CREATE INDEX payment_item_payment ON payment_item(payment_id);\n"
	"CREATE INDEX payment_reference ON payment(reference);\n"
	"CREATE TABLE past_due(\n"
	"  pd_key TEXT PRIMARY KEY,\n"
	"  account_id TEXT NOT NULL,\n"
	"  as_of TEXT NOT NULL,\n"
	"  amount_cents INTEGER NOT NULL,\n"
	"  oldest_due_date TEXT NOT NULL\n"
	");\n"
	"CREATE TRIGGER audit_past_due_i AFTER INSERT ON past_due BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('past_due', 'I', NEW.pd_key); END;\n"
	"CREATE TRIGGER audit_past_due_u AFTER UPDATE ON past_due BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('past_due', 'U', NEW.pd_key); END;\n"
	"CREATE TRIGGER audit_past_due_d AFTER DELETE ON past_due BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('past_due', 'D', OLD.pd_key); END;\n"
	"CREATE TRIGGER audit_payment_item_i AFTER INSERT ON payment_item BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('payment_item', 'I', NEW.item_key); END;\n"
	"CREATE TRIGGER audit_payment_item_u AFTER UPDATE ON payment_item BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('payment_item', 'U', NEW.item_key); END;\n"
	"CREATE TRIGGER audit_payment_item_d AFTER DELETE ON payment_item BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('payment_item', 'D', OLD.item_key); END;\n"
	"CREATE TABLE ledger_v5(\n"
	"  entry_id INTEGER PRIMARY KEY,\n"
	"  account_id TEXT NOT NULL,\n"
	"  date TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK(kind IN ('bill','payment','adjustment','fee','reversal','refund','chargeback')),\n"
	"  ref TEXT NOT NULL,\n"
	"  amount_cents INTEGER NOT NULL,\n"
	"  UNIQUE(kind, ref)\n"
	");\n"
	"INSERT INTO ledger_v5 SELECT entry_id, account_id, date, kind, ref, amount_cents FROM ledger ORDER BY entry_id;\n"
	"CREATE TABLE payment_application_v5(\n"
	"  credit_entry INTEGER NOT NULL REFERENCES ledger_v5(entry_id),\n"
	"  charge_entry INTEGER NOT NULL REFERENCES ledger_v5(entry_id),\n"
	"  amount_cents INTEGER NOT NULL CHECK(amount_cents > 0),\n"
	"  PRIMARY KEY(credit_entry, charge_entry)\n"
	");\n"
	"INSERT INTO payment_application_v5 SELECT credit_entry, charge_entry, amount_cents FROM payment_application ORDER BY credit_entry, charge_entry;\n"
	"DROP TABLE payment_application;\n"
	"DROP TABLE ledger;\n"
	"ALTER TABLE ledger_v5 RENAME TO ledger;\n"
	"ALTER TABLE payment_application_v5 RENAME TO payment_application;\n"
	"CREATE INDEX ledger_account ON ledger(account_id, date);\n"
	"CREATE INDEX payment_application_charge ON payment_application(charge_entry);\n"
	"CREATE TRIGGER audit_ledger_i AFTER INSERT ON ledger BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('ledger', 'I', CAST(NEW.entry_id AS TEXT)); END;\n"
	"CREATE TRIGGER audit_ledger_u AFTER UPDATE ON ledger BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('ledger', 'U', CAST(NEW.entry_id AS TEXT)); END;\n"
	"CREATE TRIGGER audit_ledger_d AFTER DELETE ON ledger BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('ledger', 'D', CAST(OLD.entry_id AS TEXT)); END;\n",
	/* 5 -> 6: the run record (lib/store/runlog.h): every writing run's
	 * tool, version, cycle, counts, start and end (UTC) and exit status
	 * beside the existing stage (the tool), args, inputs and outputs.
	 * Not audited: times never reach the audit chain.  Each sealed
	 * audit record carries the run_id of the run that made it (outside
	 * the hash: the sequence is the same in every replay). */
	"ALTER TABLE run ADD COLUMN version TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE run ADD COLUMN cycle_id TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE run ADD COLUMN counts TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE run ADD COLUMN started TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE run ADD COLUMN ended TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE run ADD COLUMN status INTEGER NOT NULL DEFAULT 0;\n"
	"CREATE INDEX run_cycle ON run(cycle_id, run_id);\n"
	"ALTER TABLE audit_seal ADD COLUMN run_id INTEGER;\n",
	/* 6 -> 7: every review decision records its date (validate-reads
	 * --as-of); decisions made before read as ''. */
	"ALTER TABLE exception_decision ADD COLUMN decided_on TEXT NOT NULL "
	"DEFAULT '';\n",
	/* 7 -> 8: customer contacts for alerts (registry accounts.csv
	 * optional email, phone, sms_opt_in; customer-alerts), in their own
	 * table so that account keeps its columns. */
	"CREATE TABLE account_contact(\n"
	"  account_id TEXT PRIMARY KEY REFERENCES account(account_id),\n"
	"  email TEXT NOT NULL DEFAULT '',\n"
	"  phone TEXT NOT NULL DEFAULT '',\n"
	"  sms_opt_in INTEGER NOT NULL DEFAULT 0 CHECK(sms_opt_in IN (0, 1))\n"
	") WITHOUT ROWID;\n",
	/* 8 -> 9: registry-check's meter attributes (docs/registry-check.md),
	 * from two optional columns of meters.csv: the meter's class (ANSI
	 * form or "self-contained" / "transformer-rated" / "dial", for the
	 * usual multipliers of its class) and its status (a retired meter
	 * must not stay on an active agreement).  Its own table, so the meter
	 * table keeps its shape; IF NOT EXISTS keeps the step rerunnable. */
	"CREATE TABLE IF NOT EXISTS meter_attr(\n"
	"  meter_id TEXT PRIMARY KEY REFERENCES meter(meter_id),\n"
	"  meter_class TEXT NOT NULL DEFAULT '',\n"
	"  status TEXT NOT NULL DEFAULT 'active'\n"
	"    CHECK(status IN ('active','retired'))\n"
	") WITHOUT ROWID;\n"
	/* ... and convert-import's legacy tables (docs/man/br-convert.5):
	 * opening balances by aging bucket (also posted to the ledger as
	 * adjustments OPEN-<account>-<bucket>), open deposits (audited like
	 * the ledger), the legacy billed history per service point, NEM
	 * banks and demand ratchet history.  Never counted as billrun bills
	 * (EIA-861M, unbilled revenue read bill and bill_sp only). */
	"CREATE TABLE IF NOT EXISTS legacy_balance(\n"
	"  account_id TEXT PRIMARY KEY REFERENCES account(account_id),\n"
	"  as_of TEXT NOT NULL,\n"
	"  current_cents INTEGER NOT NULL,\n"
	"  days_30_cents INTEGER NOT NULL,\n"
	"  days_60_cents INTEGER NOT NULL,\n"
	"  days_90_cents INTEGER NOT NULL\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS deposit(\n"
	"  deposit_no INTEGER PRIMARY KEY,\n"
	"  account_id TEXT NOT NULL REFERENCES account(account_id),\n"
	"  deposit_id TEXT NOT NULL,\n"
	"  amount_cents INTEGER NOT NULL CHECK(amount_cents > 0),\n"
	"  paid_date TEXT NOT NULL,\n"
	"  UNIQUE(account_id, deposit_id)\n"
	");\n"
	"CREATE TRIGGER IF NOT EXISTS audit_deposit_i AFTER INSERT ON deposit BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('deposit', 'I', CAST(NEW.deposit_no AS TEXT)); END;\n"
	"CREATE TRIGGER IF NOT EXISTS audit_deposit_u AFTER UPDATE ON deposit BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('deposit', 'U', CAST(NEW.deposit_no AS TEXT)); END;\n"
	"CREATE TRIGGER IF NOT EXISTS audit_deposit_d AFTER DELETE ON deposit BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('deposit', 'D', CAST(OLD.deposit_no AS TEXT)); END;\n"
	"CREATE TABLE IF NOT EXISTS legacy_usage(\n"
	"  sp_id TEXT NOT NULL REFERENCES service_point(sp_id),\n"
	"  period_start TEXT NOT NULL,\n"
	"  period_end TEXT NOT NULL,\n"
	"  days INTEGER NOT NULL,\n"
	"  unit TEXT NOT NULL,\n"
	"  tou_period TEXT NOT NULL DEFAULT '',\n"
	"  usage_milli INTEGER NOT NULL,\n"
	"  peak_demand_milli INTEGER NOT NULL DEFAULT 0,\n"
	"  amount_cents INTEGER NOT NULL DEFAULT 0,\n"
	"  PRIMARY KEY(sp_id, period_start, unit, tou_period)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS legacy_nem_bank(\n"
	"  account_id TEXT NOT NULL REFERENCES account(account_id),\n"
	"  sp_id TEXT NOT NULL REFERENCES service_point(sp_id),\n"
	"  bank_milli INTEGER NOT NULL CHECK(bank_milli >= 0),\n"
	"  true_up_month INTEGER NOT NULL CHECK(true_up_month BETWEEN 1 AND 12),\n"
	"  PRIMARY KEY(account_id, sp_id)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE IF NOT EXISTS legacy_ratchet(\n"
	"  sp_id TEXT NOT NULL REFERENCES service_point(sp_id),\n"
	"  month TEXT NOT NULL,\n"
	"  demand_milli INTEGER NOT NULL CHECK(demand_milli >= 0),\n"
	"  PRIMARY KEY(sp_id, month)\n"
	") WITHOUT ROWID;\n",
	/* 9 -> 10: interval_replacement rebuilt with its key columns first.
	 * SQLite 3.40.1's PRAGMA integrity_check reports "NULL value in
	 * interval_replacement.old_file_id" (and new_file_id) for every row
	 * of a WITHOUT ROWID table whose last declared column is part of the
	 * PRIMARY KEY (old_version); the rows are sound.  Declared key first,
	 * the check is clean (docs/robustness.md).  No index, trigger or
	 * reference names the table. */
	"CREATE TABLE interval_replacement_v10(\n"
	"  meter_id TEXT NOT NULL,\n"
	"  channel INTEGER NOT NULL,\n"
	"  day INTEGER NOT NULL,\n"
	"  old_version INTEGER NOT NULL,\n"
	"  old_file_id INTEGER NOT NULL,\n"
	"  new_file_id INTEGER NOT NULL,\n"
	"  PRIMARY KEY(meter_id, channel, day, old_version)\n"
	") WITHOUT ROWID;\n"
	"INSERT INTO interval_replacement_v10(meter_id, channel, day,\n"
	"  old_version, old_file_id, new_file_id)\n"
	"  SELECT meter_id, channel, day, old_version, old_file_id, new_file_id\n"
	"  FROM interval_replacement;\n"
	"DROP TABLE interval_replacement;\n"
	"ALTER TABLE interval_replacement_v10 RENAME TO interval_replacement;\n",
	/* 10 -> 11: a seal stores the SHA-256 digest of the row's content
	 * (32 bytes) instead of the content (a few hundred bytes: most of
	 * what a rating run wrote), and the chain hashes the digest's hex
	 * (lib/store/audit.h).  Records sealed before keep their content and
	 * prev_hash (digest NULL) and verify as before; the chain goes on
	 * from their last hash. */
	"ALTER TABLE audit_seal ADD COLUMN digest BLOB;\n",
	/* 11 -> 12: a bill line keeps the exact filed rate (nano-dollars per
	 * unit) when it has more than 6 decimals, so the bill prints
	 * 0.0481085 and not the display rate 0.048109 (rate_micro, kept).
	 * NULL when rate_micro is the rate exactly, and on every line rated
	 * before: those print rate_micro as they always did.  The audit
	 * serialization leaves a NULL rate_nano out (lib/store/audit.c), so
	 * rows sealed before this step verify clean and no hash of a store
	 * without 7-decimal rates changes. */
	"ALTER TABLE bill_line ADD COLUMN rate_nano INTEGER;\n",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))
_Static_assert(NMIGRATIONS == BR_STORE_SCHEMA_VERSION,
    "store.h's BR_STORE_SCHEMA_VERSION is the number of migrations");

int
br_store_fail(struct br_store *st, const char *what, struct br_error *err)
{
	enum br_errcode code = BR_EINTERNAL;

	/* A full disk or an I/O error is not a bug: exit 74, not 70. */
	switch (sqlite3_errcode(st->db) & 0xff) {
	case SQLITE_FULL:
	case SQLITE_IOERR:
		code = BR_EIO;
		break;
	case SQLITE_NOMEM:
		code = BR_ENOMEM;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		/* Another run holds the store: retry later (exit 75). */
		return br_store_busy_fail(st, what, err);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		code = BR_EINPUT;
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		code = BR_ECANTCREATE;
		break;
	default:
		break;
	}
	return br_error_set(err, code, st->path, 0, "%s: %s", what,
	    sqlite3_errmsg(st->db));
}

void
br_store_column_text(char *dst, size_t n, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

int
br_store_exec(struct br_store *st, const char *sql, struct br_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		br_store_fail(st, "store", err);
		if (msg != NULL && err != NULL && err->code != BR_EBUSY)
			snprintf(err->msg, sizeof(err->msg), "store: %s", msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
br_store_prepare(struct br_store *st, const char *sql, struct br_error *err)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		br_store_fail(st, "prepare", err);
		return NULL;
	}
	return stmt;
}

sqlite3_stmt *
br_store_prepare_rows(struct br_store *st, const char *head, int ncols,
    int nrows, struct br_error *err)
{
	size_t hl = strlen(head), len = hl;
	sqlite3_stmt *stmt;
	char *sql;
	int r, c;

	if ((sql = malloc(hl + (size_t)nrows * (2 * (size_t)ncols + 2) +
	    1)) == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	memcpy(sql, head, hl);
	for (r = 0; r < nrows; r++) {
		if (r > 0)
			sql[len++] = ',';
		sql[len++] = '(';
		for (c = 0; c < ncols; c++) {
			if (c > 0)
				sql[len++] = ',';
			sql[len++] = '?';
		}
		sql[len++] = ')';
	}
	sql[len] = '\0';
	stmt = br_store_prepare(st, sql, err);
	free(sql);
	return stmt;
}

static int
user_version(struct br_store *st, int *out, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "PRAGMA user_version", err);

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return br_store_fail(st, "read schema version", err);
	}
	*out = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int
migrate(struct br_store *st, struct br_error *err)
{
	int v, i;
	char sql[64];

	if (user_version(st, &v, err) != 0)
		return -1;
	if (v > NMIGRATIONS)
		return br_error_set(err, BR_ECONFIG, st->path, 0,
		    "store schema version %d is newer than this billrun (%d)",
		    v, NMIGRATIONS);
	if (v == NMIGRATIONS)
		return 0;
	/*
	 * Take the write lock, then read the version again: another tool
	 * starting at the same time may have migrated in between (it then
	 * failed with "table setting already exists").
	 */
	if (br_store_exec(st, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	if (user_version(st, &v, err) != 0)
		goto fail;
	if (v >= NMIGRATIONS) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return v == NMIGRATIONS ? 0 : br_error_set(err, BR_ECONFIG,
		    st->path, 0, "store schema version %d is newer than this "
		    "billrun (%d)", v, NMIGRATIONS);
	}
	for (i = v; i < NMIGRATIONS; i++)
		if (br_store_exec(st, migrations[i], err) != 0)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", NMIGRATIONS);
	if (br_store_exec(st, sql, err) != 0 ||
	    br_store_exec(st, "COMMIT", err) != 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/*
 * Statement journals (the undo of one statement inside a transaction;
 * every INSERT that fires an audit trigger has one) are kept in memory,
 * never spilled to a temporary file.  SQLite spills them past 64 KiB by
 * default; with 16 KiB pages one bill line's insert touches more than
 * that, and rate-apply wrote 325,000 journal pages to a temporary file
 * for 10,000 bills (650,000 pwrites, a third of its CPU).  Every billrun
 * statement changes the rows of one key (one bill, one payment, one
 * meter-day), so a statement journal holds a few pages.  (Spill limits
 * of 256 KiB and more made SQLite 3.40 report SQLITE_FULL on the demo
 * cycle's rerun; 64-128 KiB and never-spill pass every test.)
 * sqlite3_config must precede SQLite's initialization: done once, before
 * the first open (a later call is refused and harmless).
 */
static void
stmt_journal_in_memory(void)
{
	static bool done;

	if (!done) {
		done = true;
		(void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
		/* No memory statistics (billrun reads none): each of
		 * SQLite's allocations then skips a mutex and two counter
		 * updates (7 % of rate-apply's instructions under
		 * callgrind). */
		(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	}
}

/*
 * Pragmas and migrations of a read-write open.  Tools starting at once on
 * a new store can get SQLITE_BUSY here without the busy handler (WAL
 * setup and recovery do not wait): retried every 20 ms for up to 10 s,
 * like the busy timeout.  The store file is memory-mapped (up to 2 GiB,
 * SQLite's default limit): validate-reads and rate-apply read a month of
 * interval days, which pread copied page by page from the page cache
 * (docs/decisions.md).
 */
static int
setup_rw(struct br_store *st, struct br_error *err)
{
	int tries;

	for (tries = 0;; tries++) {
		if (br_store_exec(st, "PRAGMA page_size=16384;"
		    "PRAGMA journal_mode=WAL;"
		    "PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
		    "PRAGMA mmap_size=2147418112", err) == 0
		    && migrate(st, err) == 0)
			return 0;
		if ((sqlite3_errcode(st->db) & 0xff) != SQLITE_BUSY ||
		    tries >= 500)
			return -1;
		sqlite3_sleep(20);
	}
}

/*
 * Reopen a read-only store as immutable (issue 16 item 16).  A WAL store
 * whose folder the reader may not write cannot be read the normal way:
 * SQLite must create the -shm file ("attempt to write a readonly
 * database").  When no -wal file exists no writer has the store open (a
 * writer creates it in that folder), so the file alone is the store.
 * Returns 0, or -1 with the SQLite handle unchanged.
 */
static int
reopen_immutable(struct br_store *st)
{
	static const char hex[] = "0123456789abcdef";
	char uri[sizeof(st->path) * 3 + 32], wal[sizeof(st->path) + 8];
	sqlite3 *db = NULL;
	const unsigned char *p;
	size_t k;

	if ((sqlite3_extended_errcode(st->db) & 0xff) != SQLITE_READONLY)
		return -1;
	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	if (access(wal, F_OK) == 0)
		return -1;
	k = (size_t)snprintf(uri, sizeof(uri), "file:");
	for (p = (const unsigned char *)st->path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 ||
		    *p >= 0x7f) {
			uri[k++] = '%';
			uri[k++] = hex[*p >> 4];
			uri[k++] = hex[*p & 15];
		} else
			uri[k++] = (char)*p;
	}
	snprintf(uri + k, sizeof(uri) - k, "?immutable=1");
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	    NULL) != SQLITE_OK || br_shard_sql_register(db, &st->shard) != 0) {
		sqlite3_close(db);
		return -1;
	}
	sqlite3_close(st->db);
	st->db = db;
	return 0;
}

/* The read-only setup: query_only, and the schema this build knows. */
static int
setup_ro(struct br_store *st, struct br_error *err)
{
	int v;

	if (br_store_exec(st, "PRAGMA query_only=ON", NULL) != 0 ||
	    user_version(st, &v, NULL) != 0) {
		if (reopen_immutable(st) != 0 ||
		    br_store_exec(st, "PRAGMA query_only=ON", err) != 0 ||
		    user_version(st, &v, err) != 0)
			return br_store_fail(st, "read schema version", err);
	}
	if (v != NMIGRATIONS)
		return br_error_set(err, BR_ECONFIG, st->path, 0,
		    "store schema version %d, expected %d", v, NMIGRATIONS);
	return 0;
}

static int enter_bulk(struct br_store *st, struct br_error *err);

struct br_store *
br_store_open(const char *path, int flags, struct br_error *err)
{
	struct br_store *st;
	int oflags;

	if (!(flags & BR_STORE_CREATE) && access(path, F_OK) != 0) {
		br_error_set(err, BR_ENOINPUT, path, 0,
		    "store does not exist (run ami-import --registry first)");
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	snprintf(st->path, sizeof(st->path), "%s", path);
	/*
	 * A read-only store is opened read-write with query_only on when
	 * the file allows it (SQLite falls back to read-only by itself for
	 * a write-protected file): only a read-write connection checkpoints
	 * and removes the -wal and -shm files when it closes, so a report
	 * run leaves the store directory as the cycle left it.
	 */
	stmt_journal_in_memory();
	oflags = SQLITE_OPEN_READWRITE | ((flags & BR_STORE_CREATE) ?
	    SQLITE_OPEN_CREATE : 0) | ((flags & BR_STORE_ONE_THREAD) ?
	    SQLITE_OPEN_NOMUTEX : 0);
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		br_error_set(err, (flags & BR_STORE_CREATE) ? BR_ECANTCREATE :
		    BR_ENOINPUT, path, 0, "cannot open store: %s",
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		br_store_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, br_store_busy_timeout());
	if (br_shard_sql_register(st->db, &st->shard) != 0) {
		br_store_fail(st, "register SQL functions", err);
		br_store_close(st);
		return NULL;
	}
	if (!(flags & BR_STORE_READONLY)) {
		/*
		 * A new store gets 16 KiB pages (a no-op on an existing
		 * one): a month of interval days is written once to the WAL
		 * and once to the store, one write per page, and 4 KiB pages
		 * made those writes a fifth of an import's CPU.
		 */
		if (setup_rw(st, err) != 0 || ((flags & BR_STORE_BULK) &&
		    enter_bulk(st, err) != 0)) {
			br_store_close(st);
			return NULL;
		}
	} else if (setup_ro(st, err) != 0) {
		br_store_close(st);
		return NULL;
	}
	return st;
}

/*
 * BR_STORE_BULK: a rollback journal for this run.  SQLite changes the
 * mode only when this is the store's one connection (it answers with the
 * mode in force): the run then stays in the WAL, as without the flag.
 * synchronous=FULL: in a rollback journal NORMAL may lose the last
 * transaction at a power failure; FULL syncs the journal's header too.
 */
static int
enter_bulk(struct br_store *st, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "PRAGMA journal_mode=DELETE",
	    err);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		st->bulk = strcmp((const char *)sqlite3_column_text(s, 0),
		    "delete") == 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && (sqlite3_errcode(st->db) & 0xff) !=
	    SQLITE_BUSY)
		return br_store_fail(st, "set journal mode", err);
	if (st->bulk && br_store_exec(st, "PRAGMA synchronous=FULL", err) != 0)
		return -1;
	return 0;
}

void
br_store_close(struct br_store *st)
{
	if (st == NULL)
		return;
	if (st->in_tx)
		br_store_rollback(st);
	/* back to the WAL; when another connection holds the store now,
	 * the next billrun open does it (setup_rw) */
	if (st->bulk)
		(void)sqlite3_exec(st->db, "PRAGMA journal_mode=WAL", NULL,
		    NULL, NULL);
	sqlite3_close(st->db);
	free(st);
}

int
br_store_begin(struct br_store *st, struct br_error *err)
{
	if (br_store_exec(st, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	st->in_tx = true;
	st->run_id = 0;
	if (br_audit_head_seq(st, &st->audit_from, err) != 0) {
		br_store_rollback(st);
		return -1;
	}
	return 0;
}

int
br_store_commit(struct br_store *st, struct br_error *err)
{
	if (br_audit_seal(st, st->audit_from, err) != 0) {
		br_store_rollback(st);
		return -1;
	}
	if (br_store_exec(st, "COMMIT", err) != 0) {
		br_store_rollback(st);
		return -1;
	}
	st->in_tx = false;
	return 0;
}

void
br_store_rollback(struct br_store *st)
{
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = false;
}

int
br_store_setting_get(struct br_store *st, const char *key, const char *def,
    char *buf, size_t n, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st,
	    "SELECT value FROM setting WHERE key = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		return 0;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read setting", err);
	snprintf(buf, n, "%s", def ? def : "");
	return 1;
}

int
br_store_setting_set(struct br_store *st, const char *key, const char *value,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st,
	    "INSERT INTO setting(key, value) VALUES(?1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "write setting", err);
	}
	sqlite3_finalize(s);
	return 0;
}

/*
 * Values are little-endian int64s; one 8-byte copy each (the byte loop
 * this replaces was 18 % of validate-reads' CPU: GCC did not merge it),
 * and on a little-endian machine one copy of the whole day.
 */
void
br_store_pack_values(const int64_t *v, int32_t n, unsigned char *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n > 0)
		memcpy(out, v, 8 * (size_t)n);
#else
	int32_t i;

	for (i = 0; i < n; i++) {
		uint64_t u = htole64((uint64_t)v[i]);
		memcpy(out + 8 * (size_t)i, &u, 8);
	}
#endif
}

void
br_store_unpack_values(const unsigned char *in, int32_t n, int64_t *v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n > 0)
		memcpy(v, in, 8 * (size_t)n);
#else
	int32_t i;

	for (i = 0; i < n; i++) {
		uint64_t u;
		memcpy(&u, in + 8 * (size_t)i, 8);
		v[i] = (int64_t)le64toh(u);
	}
#endif
}

int
br_store_timezone(struct br_store *st, struct br_tz *tz, struct br_error *err)
{
	char name[128];

	if (br_store_setting_get(st, "timezone", "UTC", name, sizeof(name),
	    err) < 0)
		return -1;
	return br_tz_load(tz, name, err);
}
