-- A store of schema version 3 sealed by billrun before the audit_seal
-- table (commit 002cdff), for check_audit's upgrade test: the bill-diff
-- case's registry and reads, rate-apply with rates-old, rate-apply with
-- rates-new (deletes and re-inserts the drafts in one transaction),
-- bill-render (issues: bill updates, ledger entries), then one bill line
-- edited in the sqlite3 shell.  Interval data and the other unaudited
-- rows were deleted before the dump.  audit-verify of that build:
--   unsealed,bill_line,2026-10-A00001/1,48,change made outside billrun tools
--   edited,bill_line,2026-10-A00001/1,20,row differs from its last audited content
--   head 88448f74f356198b32d4bb57b1a0ac16c453820ea09f967519df25da77e31697, 48 records
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE setting(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO setting VALUES('address','200 Main St, Prairie Valley, IL 61000');
INSERT INTO setting VALUES('name','Prairie Valley Municipal Utilities');
INSERT INTO setting VALUES('phone','(555) 010-2000');
INSERT INTO setting VALUES('rounding','half_up');
INSERT INTO setting VALUES('timezone','America/Chicago');
CREATE TABLE account(
  account_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  mailing_address TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active'
    CHECK(status IN ('active','inactive','closed')),
  cycle_id TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
INSERT INTO account VALUES('A00001','Bob Hughes','107 Maple Ave, Prairie Valley, IL 61000','active','R1');
INSERT INTO account VALUES('A00011','Luis Hughes','177 Maple Ave, Prairie Valley, IL 61000','active','R1');
INSERT INTO account VALUES('A00031','Jensen Hardware LLC','317 Maple Ave, Prairie Valley, IL 61000','active','R1');
CREATE TABLE service_point(
  sp_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK(kind IN ('electric','water','gas')),
  address TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
INSERT INTO service_point VALUES('SP0001','electric','107 Maple Ave, Prairie Valley, IL 61000');
INSERT INTO service_point VALUES('SP0011','electric','177 Maple Ave, Prairie Valley, IL 61000');
INSERT INTO service_point VALUES('SP0031','electric','317 Maple Ave, Prairie Valley, IL 61000');
INSERT INTO service_point VALUES('SP0036','water','107 Maple Ave, Prairie Valley, IL 61000');
CREATE TABLE meter(
  meter_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK(kind IN ('electric','water','gas')),
  unit TEXT NOT NULL,
  multiplier_milli INTEGER NOT NULL DEFAULT 1000 CHECK(multiplier_milli > 0)
) WITHOUT ROWID;
INSERT INTO meter VALUES('E9100001','electric','kWh',1000);
INSERT INTO meter VALUES('E9100011','electric','kWh',1000);
INSERT INTO meter VALUES('E9100031','electric','kWh',1000);
INSERT INTO meter VALUES('W9100036','water','gal',1000);
CREATE TABLE meter_install(
  meter_id TEXT NOT NULL REFERENCES meter(meter_id),
  sp_id TEXT NOT NULL REFERENCES service_point(sp_id),
  install_date TEXT NOT NULL,
  remove_date TEXT,
  PRIMARY KEY(meter_id, install_date)
) WITHOUT ROWID;
INSERT INTO meter_install VALUES('E9100001','SP0001','2019-05-01',NULL);
INSERT INTO meter_install VALUES('E9100011','SP0011','2019-05-01',NULL);
INSERT INTO meter_install VALUES('E9100031','SP0031','2019-05-01',NULL);
INSERT INTO meter_install VALUES('W9100036','SP0036','2019-05-01',NULL);
CREATE TABLE service_agreement(
  account_id TEXT NOT NULL REFERENCES account(account_id),
  sp_id TEXT NOT NULL REFERENCES service_point(sp_id),
  start_date TEXT NOT NULL,
  end_date TEXT,
  rate_code TEXT NOT NULL,
  customer_class TEXT NOT NULL DEFAULT 'residential',
  net_metering TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(account_id, sp_id, start_date)
) WITHOUT ROWID;
INSERT INTO service_agreement VALUES('A00001','SP0001','2019-05-01',NULL,'RES-FLAT','residential','');
INSERT INTO service_agreement VALUES('A00001','SP0036','2019-05-01',NULL,'WATER-RES','residential','');
INSERT INTO service_agreement VALUES('A00011','SP0011','2019-05-01',NULL,'RES-TIER','residential','');
INSERT INTO service_agreement VALUES('A00031','SP0031','2019-05-01',NULL,'GS-DEMAND','commercial','');
CREATE TABLE bill_cycle(
  cycle_id TEXT PRIMARY KEY,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  bill_date TEXT NOT NULL,
  due_date TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO bill_cycle VALUES('2026-10','2026-10-01','2026-10-03','2026-11-03','2026-11-24');
CREATE TABLE import_file(
  file_id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  name TEXT NOT NULL,
  format TEXT NOT NULL,
  records INTEGER NOT NULL DEFAULT 0,
  UNIQUE(stage, sha256)
);
CREATE TABLE interval_day(
  meter_id TEXT NOT NULL,
  channel INTEGER NOT NULL,
  day INTEGER NOT NULL,
  interval_s INTEGER NOT NULL,
  n INTEGER NOT NULL,
  vals BLOB NOT NULL,
  quality BLOB NOT NULL,
  file_id INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY(meter_id, channel, day)
) WITHOUT ROWID;
CREATE TABLE interval_replacement(
  meter_id TEXT NOT NULL,
  channel INTEGER NOT NULL,
  day INTEGER NOT NULL,
  old_file_id INTEGER NOT NULL,
  new_file_id INTEGER NOT NULL,
  old_version INTEGER NOT NULL,
  PRIMARY KEY(meter_id, channel, day, old_version)
) WITHOUT ROWID;
CREATE TABLE register_read(
  meter_id TEXT NOT NULL,
  channel INTEGER NOT NULL,
  read_utc INTEGER NOT NULL,
  value_milli INTEGER NOT NULL,
  file_id INTEGER NOT NULL, quality INTEGER NOT NULL DEFAULT 0, src_version TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY(meter_id, channel, read_utc)
) WITHOUT ROWID;
CREATE TABLE interval_src_version(
  meter_id TEXT NOT NULL,
  channel INTEGER NOT NULL,
  day INTEGER NOT NULL,
  src_version TEXT NOT NULL,
  PRIMARY KEY(meter_id, channel, day)
) WITHOUT ROWID;
CREATE TABLE exception(
  exc_id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  code TEXT NOT NULL,
  severity TEXT NOT NULL CHECK(severity IN ('info','warn','hold')),
  account_id TEXT NOT NULL DEFAULT '',
  meter_id TEXT NOT NULL DEFAULT '',
  date TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  line INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'open'
    CHECK(status IN ('open','released','held','estimated','overridden')),
  UNIQUE(stage, code, account_id, meter_id, date, detail)
);
CREATE TABLE exception_decision(
  exc_id INTEGER NOT NULL REFERENCES exception(exc_id),
  seq INTEGER NOT NULL,
  decision TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(exc_id, seq)
);
CREATE TABLE bill(
  bill_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES account(account_id),
  cycle_id TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  bill_date TEXT NOT NULL,
  due_date TEXT NOT NULL,
  status TEXT NOT NULL
    CHECK(status IN ('draft','hold','issued','cancelled')),
  total_cents INTEGER NOT NULL,
  replaces TEXT NOT NULL DEFAULT '',
  UNIQUE(account_id, cycle_id, replaces)
) WITHOUT ROWID;
INSERT INTO bill VALUES('2026-10-A00001','A00001','2026-10','2026-10-01','2026-10-03','2026-11-03','2026-11-24','issued',4057,'');
INSERT INTO bill VALUES('2026-10-A00011','A00011','2026-10','2026-10-01','2026-10-03','2026-11-03','2026-11-24','issued',2093,'');
INSERT INTO bill VALUES('2026-10-A00031','A00031','2026-10','2026-10-01','2026-10-03','2026-11-03','2026-11-24','issued',42346,'');
CREATE TABLE bill_line(
  bill_id TEXT NOT NULL REFERENCES bill(bill_id),
  seq INTEGER NOT NULL,
  sp_id TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL,
  description TEXT NOT NULL,
  quantity_milli INTEGER NOT NULL DEFAULT 0,
  unit TEXT NOT NULL DEFAULT '',
  rate_micro INTEGER NOT NULL DEFAULT 0,
  amount_cents INTEGER NOT NULL,
  trace TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(bill_id, seq)
) WITHOUT ROWID;
INSERT INTO bill_line VALUES('2026-10-A00001',1,'SP0001','CUSTOMER','Energy (edited in the shell)',333,'month',12000000,400,'customer charge: 12.000000/month x 1/3 days = 4.000000 -> 4.00 (half_up); RES-FLAT CUSTOMER; version 2026-01-01');
INSERT INTO bill_line VALUES('2026-10-A00001',2,'SP0001','ENERGY','Energy',20781,'kWh',132500,275,'energy: 20.781 kWh x 0.132500 = 2.753483 -> 2.75 (half_up); RES-FLAT ENERGY; version 2026-01-01');
INSERT INTO bill_line VALUES('2026-10-A00001',3,'SP0001','CUSTOMER','Customer charge',667,'month',12000000,800,'customer charge: 12.000000/month x 2/3 days = 8.000000 -> 8.00 (half_up); RES-FLAT CUSTOMER; version 2026-10-02');
INSERT INTO bill_line VALUES('2026-10-A00001',4,'SP0001','ENERGY','Energy',42121,'kWh',145000,611,'energy: 42.121 kWh x 0.145000 = 6.107545 -> 6.11 (half_up); RES-FLAT ENERGY; version 2026-10-02');
INSERT INTO bill_line VALUES('2026-10-A00001',5,'SP0036','CUSTOMER','Customer charge',1000,'month',18000000,1800,'customer charge: 18.000000/month x 3/3 days = 18.000000 -> 18.00 (half_up); WATER-RES CUSTOMER; version 2026-01-01');
INSERT INTO bill_line VALUES('2026-10-A00001',6,'SP0036','ENERGY_T1','Energy tier 1 (0.000-483.871 gal)',416000,'gal',4100,171,'tier 1 (0.000-483.871 prorated): 416.000 gal x 0.004100 = 1.705600 -> 1.71 (half_up); WATER-RES ENERGY_T1; version 2026-01-01');
INSERT INTO bill_line VALUES('2026-10-A00011',1,'SP0011','CUSTOMER','Customer charge, winter',1000,'month',10000000,1000,'customer charge: 10.000000/month x 3/3 days = 10.000000 -> 10.00 (half_up); RES-TIER CUSTOMER; version 2026-01-01; season winter');
INSERT INTO bill_line VALUES('2026-10-A00011',2,'SP0011','ENERGY_T1','Energy tier 1 (0.000-48.387 kWh), winter',48387,'kWh',110000,532,'tier 1 (0.000-48.387 prorated): 48.387 kWh x 0.110000 = 5.322570 -> 5.32 (half_up); RES-TIER ENERGY_T1; version 2026-01-01; season winter');
INSERT INTO bill_line VALUES('2026-10-A00011',3,'SP0011','ENERGY_T2','Energy tier 2 (48.387-96.774 kWh), winter',41560,'kWh',135000,561,'tier 2 (48.387-96.774 prorated): 41.560 kWh x 0.135000 = 5.610600 -> 5.61 (half_up); RES-TIER ENERGY_T2; version 2026-01-01; season winter');
INSERT INTO bill_line VALUES('2026-10-A00031',1,'SP0031','CUSTOMER','Customer charge',1000,'month',35000000,3500,'customer charge: 35.000000/month x 3/3 days = 35.000000 -> 35.00 (half_up); GS-DEMAND CUSTOMER; version 2026-01-01');
INSERT INTO bill_line VALUES('2026-10-A00031',2,'SP0031','ENERGY','Energy',777804,'kWh',85000,6611,'energy: 777.804 kWh x 0.085000 = 66.113340 -> 66.11 (half_up); GS-DEMAND ENERGY; version 2026-01-01');
INSERT INTO bill_line VALUES('2026-10-A00031',3,'SP0031','DEMAND','Demand (maximum 15-minute kW)',25788,'kW',12500000,32235,'demand: max 15-min 25.788 kW (2026-10-02T20:30:00Z) x 12.500000 = 322.350000 -> 322.35 (half_up); GS-DEMAND DEMAND; version 2026-01-01');
CREATE TABLE bill_meter(
  bill_id TEXT NOT NULL REFERENCES bill(bill_id),
  meter_id TEXT NOT NULL,
  channel INTEGER NOT NULL,
  unit TEXT NOT NULL,
  usage_milli INTEGER NOT NULL,
  estimated_milli INTEGER NOT NULL DEFAULT 0,
  missing_intervals INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(bill_id, meter_id, channel)
) WITHOUT ROWID;
CREATE TABLE bill_sp(
  bill_id TEXT NOT NULL REFERENCES bill(bill_id),
  sp_id TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  usage_milli INTEGER NOT NULL DEFAULT 0,
  demand_milli INTEGER NOT NULL DEFAULT 0,
  export_milli INTEGER NOT NULL DEFAULT 0,
  nem_bank_milli INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(bill_id, sp_id)
) WITHOUT ROWID;
CREATE TABLE payment(
  payment_id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES import_file(file_id),
  line INTEGER NOT NULL,
  account_id TEXT,
  amount_cents INTEGER NOT NULL,
  received_date TEXT NOT NULL,
  method TEXT NOT NULL DEFAULT '',
  reference TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK(status IN ('posted','suspense','returned')),
  item INTEGER NOT NULL DEFAULT 0,
  UNIQUE(file_id, line, item)
);
CREATE TABLE ledger(
  entry_id INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL,
  date TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('bill','payment','adjustment','fee','reversal')),
  ref TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  UNIQUE(kind, ref)
);
INSERT INTO ledger VALUES(1,'A00001','2026-11-03','bill','2026-10-A00001',4057);
INSERT INTO ledger VALUES(2,'A00011','2026-11-03','bill','2026-10-A00011',2093);
INSERT INTO ledger VALUES(3,'A00031','2026-11-03','bill','2026-10-A00031',42346);
CREATE TABLE payment_application(
  credit_entry INTEGER NOT NULL REFERENCES ledger(entry_id),
  charge_entry INTEGER NOT NULL REFERENCES ledger(entry_id),
  amount_cents INTEGER NOT NULL CHECK(amount_cents > 0),
  PRIMARY KEY(credit_entry, charge_entry)
);
CREATE TABLE run(
  run_id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  args TEXT NOT NULL,
  inputs TEXT NOT NULL DEFAULT '',
  outputs TEXT NOT NULL DEFAULT ''
);
CREATE TABLE audit_log(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl TEXT NOT NULL,
  op TEXT NOT NULL CHECK(op IN ('I','U','D')),
  row_key TEXT NOT NULL,
  data TEXT,
  prev_hash TEXT,
  hash TEXT
);
INSERT INTO audit_log VALUES(1,'bill','I','2026-10-A00001','bill_id=t14:2026-10-A00001;account_id=t6:A00001;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t5:draft;total_cents=i4004;replaces=t0:;','','e4f219e35d003b6bc4392c378a700427a1d91e4fd965bbf50bea0077083e4087');
INSERT INTO audit_log VALUES(2,'bill_line','I','2026-10-A00001/1','bill_id=t14:2026-10-A00001;seq=i1;sp_id=t6:SP0001;code=t8:CUSTOMER;description=t15:Customer charge;quantity_milli=i1000;unit=t5:month;rate_micro=i12000000;amount_cents=i1200;trace=t113:customer charge: 12.000000/month x 3/3 days = 12.000000 -> 12.00 (half_up); RES-FLAT CUSTOMER; version 2026-01-01;','e4f219e35d003b6bc4392c378a700427a1d91e4fd965bbf50bea0077083e4087','9714bad52780b694a95e1fd5e7b3cc921fee1634dbd699ef4038808a9b1dfbeb');
INSERT INTO audit_log VALUES(3,'bill_line','I','2026-10-A00001/2','bill_id=t14:2026-10-A00001;seq=i2;sp_id=t6:SP0001;code=t6:ENERGY;description=t6:Energy;quantity_milli=i62902;unit=t3:kWh;rate_micro=i132500;amount_cents=i833;trace=t95:energy: 62.902 kWh x 0.132500 = 8.334515 -> 8.33 (half_up); RES-FLAT ENERGY; version 2026-01-01;','9714bad52780b694a95e1fd5e7b3cc921fee1634dbd699ef4038808a9b1dfbeb','0837b8ba89a047bc5b74796e636ae6051808596e64d024e4214a2c1c050fba52');
INSERT INTO audit_log VALUES(4,'bill_line','I','2026-10-A00001/3','bill_id=t14:2026-10-A00001;seq=i3;sp_id=t6:SP0036;code=t8:CUSTOMER;description=t15:Customer charge;quantity_milli=i1000;unit=t5:month;rate_micro=i18000000;amount_cents=i1800;trace=t114:customer charge: 18.000000/month x 3/3 days = 18.000000 -> 18.00 (half_up); WATER-RES CUSTOMER; version 2026-01-01;','0837b8ba89a047bc5b74796e636ae6051808596e64d024e4214a2c1c050fba52','834af5c2074c04b14187a2274e659cdc2e1e2d38985b0e82a8c7e86c44a1180f');
INSERT INTO audit_log VALUES(5,'bill_line','I','2026-10-A00001/4','bill_id=t14:2026-10-A00001;seq=i4;sp_id=t6:SP0036;code=t9:ENERGY_T1;description=t33:Energy tier 1 (0.000-483.871 gal);quantity_milli=i416000;unit=t3:gal;rate_micro=i4100;amount_cents=i171;trace=t125:tier 1 (0.000-483.871 prorated): 416.000 gal x 0.004100 = 1.705600 -> 1.71 (half_up); WATER-RES ENERGY_T1; version 2026-01-01;','834af5c2074c04b14187a2274e659cdc2e1e2d38985b0e82a8c7e86c44a1180f','c12d1d77c172331c9db94b21f6c8051d39f2bde640fb815e3468f9b6d0a5d0a8');
INSERT INTO audit_log VALUES(6,'bill','I','2026-10-A00011','bill_id=t14:2026-10-A00011;account_id=t6:A00011;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t5:draft;total_cents=i2093;replaces=t0:;','c12d1d77c172331c9db94b21f6c8051d39f2bde640fb815e3468f9b6d0a5d0a8','dc0ef768ec248bf0f08a49f4a86790f0f3445af5f7226d569d726b688730ae4a');
INSERT INTO audit_log VALUES(7,'bill_line','I','2026-10-A00011/1','bill_id=t14:2026-10-A00011;seq=i1;sp_id=t6:SP0011;code=t8:CUSTOMER;description=t23:Customer charge, winter;quantity_milli=i1000;unit=t5:month;rate_micro=i10000000;amount_cents=i1000;trace=t128:customer charge: 10.000000/month x 3/3 days = 10.000000 -> 10.00 (half_up); RES-TIER CUSTOMER; version 2026-01-01; season winter;','dc0ef768ec248bf0f08a49f4a86790f0f3445af5f7226d569d726b688730ae4a','f6fe82d614830778f54b7cb2809397972e207e807e332e835b5f3426317c69bb');
INSERT INTO audit_log VALUES(8,'bill_line','I','2026-10-A00011/2','bill_id=t14:2026-10-A00011;seq=i2;sp_id=t6:SP0011;code=t9:ENERGY_T1;description=t40:Energy tier 1 (0.000-48.387 kWh), winter;quantity_milli=i48387;unit=t3:kWh;rate_micro=i110000;amount_cents=i532;trace=t137:tier 1 (0.000-48.387 prorated): 48.387 kWh x 0.110000 = 5.322570 -> 5.32 (half_up); RES-TIER ENERGY_T1; version 2026-01-01; season winter;','f6fe82d614830778f54b7cb2809397972e207e807e332e835b5f3426317c69bb','5d9508e50a4a9aebf192916f3949053b4d50431dce4316eef4c38ff01ea00503');
INSERT INTO audit_log VALUES(9,'bill_line','I','2026-10-A00011/3','bill_id=t14:2026-10-A00011;seq=i3;sp_id=t6:SP0011;code=t9:ENERGY_T2;description=t41:Energy tier 2 (48.387-96.774 kWh), winter;quantity_milli=i41560;unit=t3:kWh;rate_micro=i135000;amount_cents=i561;trace=t138:tier 2 (48.387-96.774 prorated): 41.560 kWh x 0.135000 = 5.610600 -> 5.61 (half_up); RES-TIER ENERGY_T2; version 2026-01-01; season winter;','5d9508e50a4a9aebf192916f3949053b4d50431dce4316eef4c38ff01ea00503','5c11d3fc036a439d13d6056e2a13b6df15c42a2fd95e913b8a5b2d4cb3e4aa5f');
INSERT INTO audit_log VALUES(10,'bill','I','2026-10-A00031','bill_id=t14:2026-10-A00031;account_id=t6:A00031;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t5:draft;total_cents=i42346;replaces=t0:;','5c11d3fc036a439d13d6056e2a13b6df15c42a2fd95e913b8a5b2d4cb3e4aa5f','e79a2ab0e4754e32d0a8975b8cdb2aa323a28bc0706522440388283b74496453');
INSERT INTO audit_log VALUES(11,'bill_line','I','2026-10-A00031/1','bill_id=t14:2026-10-A00031;seq=i1;sp_id=t6:SP0031;code=t8:CUSTOMER;description=t15:Customer charge;quantity_milli=i1000;unit=t5:month;rate_micro=i35000000;amount_cents=i3500;trace=t114:customer charge: 35.000000/month x 3/3 days = 35.000000 -> 35.00 (half_up); GS-DEMAND CUSTOMER; version 2026-01-01;','e79a2ab0e4754e32d0a8975b8cdb2aa323a28bc0706522440388283b74496453','af1d22f5da7b491f2ac99d32fe26ef3e905157c03054372956f64420bd9f00dc');
INSERT INTO audit_log VALUES(12,'bill_line','I','2026-10-A00031/2','bill_id=t14:2026-10-A00031;seq=i2;sp_id=t6:SP0031;code=t6:ENERGY;description=t6:Energy;quantity_milli=i777804;unit=t3:kWh;rate_micro=i85000;amount_cents=i6611;trace=t99:energy: 777.804 kWh x 0.085000 = 66.113340 -> 66.11 (half_up); GS-DEMAND ENERGY; version 2026-01-01;','af1d22f5da7b491f2ac99d32fe26ef3e905157c03054372956f64420bd9f00dc','5b3041e61ab231fab1a8a8d7170c37f77ed9f1e03bbee196fb441ff2100c78dd');
INSERT INTO audit_log VALUES(13,'bill_line','I','2026-10-A00031/3','bill_id=t14:2026-10-A00031;seq=i3;sp_id=t6:SP0031;code=t6:DEMAND;description=t29:Demand (maximum 15-minute kW);quantity_milli=i25788;unit=t2:kW;rate_micro=i12500000;amount_cents=i32235;trace=t134:demand: max 15-min 25.788 kW (2026-10-02T20:30:00Z) x 12.500000 = 322.350000 -> 322.35 (half_up); GS-DEMAND DEMAND; version 2026-01-01;','5b3041e61ab231fab1a8a8d7170c37f77ed9f1e03bbee196fb441ff2100c78dd','de5e6b7b3890860c3bbe091dd83517b54dbfe35b55f6730272061e7451457217');
INSERT INTO audit_log VALUES(14,'bill_line','D','2026-10-A00001/1','bill_id=t14:2026-10-A00001;seq=i1;sp_id=t6:SP0001;code=t8:CUSTOMER;description=t15:Customer charge;quantity_milli=i333;unit=t5:month;rate_micro=i12000000;amount_cents=i400;trace=t111:customer charge: 12.000000/month x 1/3 days = 4.000000 -> 4.00 (half_up); RES-FLAT CUSTOMER; version 2026-01-01;','de5e6b7b3890860c3bbe091dd83517b54dbfe35b55f6730272061e7451457217','2cfd67c84e4378e9386cbdc713a4cb706832075bd9a212199c843b65c37a64a1');
INSERT INTO audit_log VALUES(15,'bill_line','D','2026-10-A00001/2','bill_id=t14:2026-10-A00001;seq=i2;sp_id=t6:SP0001;code=t6:ENERGY;description=t6:Energy;quantity_milli=i20781;unit=t3:kWh;rate_micro=i132500;amount_cents=i275;trace=t95:energy: 20.781 kWh x 0.132500 = 2.753483 -> 2.75 (half_up); RES-FLAT ENERGY; version 2026-01-01;','2cfd67c84e4378e9386cbdc713a4cb706832075bd9a212199c843b65c37a64a1','4d89eed0b0b45840b4cab4a0d49d87ee8445664d0b0eb9cba35d2bf2a6195756');
INSERT INTO audit_log VALUES(16,'bill_line','D','2026-10-A00001/3','bill_id=t14:2026-10-A00001;seq=i3;sp_id=t6:SP0001;code=t8:CUSTOMER;description=t15:Customer charge;quantity_milli=i667;unit=t5:month;rate_micro=i12000000;amount_cents=i800;trace=t111:customer charge: 12.000000/month x 2/3 days = 8.000000 -> 8.00 (half_up); RES-FLAT CUSTOMER; version 2026-10-02;','4d89eed0b0b45840b4cab4a0d49d87ee8445664d0b0eb9cba35d2bf2a6195756','5ec16093e3563945503dc171f3cd822184b981ce03f41a827da66969c6988fb4');
INSERT INTO audit_log VALUES(17,'bill_line','D','2026-10-A00001/4','bill_id=t14:2026-10-A00001;seq=i4;sp_id=t6:SP0001;code=t6:ENERGY;description=t6:Energy;quantity_milli=i42121;unit=t3:kWh;rate_micro=i145000;amount_cents=i611;trace=t95:energy: 42.121 kWh x 0.145000 = 6.107545 -> 6.11 (half_up); RES-FLAT ENERGY; version 2026-10-02;','5ec16093e3563945503dc171f3cd822184b981ce03f41a827da66969c6988fb4','5e13ecd0b67b0294623a83fd60dce2d23715124022974f92a6f9646eb8b5fcc5');
INSERT INTO audit_log VALUES(18,'bill','D','2026-10-A00001','bill_id=t14:2026-10-A00001;account_id=t6:A00001;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t5:draft;total_cents=i4057;replaces=t0:;','5e13ecd0b67b0294623a83fd60dce2d23715124022974f92a6f9646eb8b5fcc5','69ff3fb9f496937cb92efc61448708067d961ce4d4b33e0118894ba65fbc7d74');
INSERT INTO audit_log VALUES(19,'bill','I','2026-10-A00001','bill_id=t14:2026-10-A00001;account_id=t6:A00001;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t5:draft;total_cents=i4057;replaces=t0:;','69ff3fb9f496937cb92efc61448708067d961ce4d4b33e0118894ba65fbc7d74','643b50ca94d8564062a97f61851a78ae9ca3fbb188cb40b5dbec1044bdd9aefe');
INSERT INTO audit_log VALUES(20,'bill_line','I','2026-10-A00001/1','bill_id=t14:2026-10-A00001;seq=i1;sp_id=t6:SP0001;code=t8:CUSTOMER;description=t15:Customer charge;quantity_milli=i333;unit=t5:month;rate_micro=i12000000;amount_cents=i400;trace=t111:customer charge: 12.000000/month x 1/3 days = 4.000000 -> 4.00 (half_up); RES-FLAT CUSTOMER; version 2026-01-01;','643b50ca94d8564062a97f61851a78ae9ca3fbb188cb40b5dbec1044bdd9aefe','5e15154434ceaa6e9e2f0310e9c047997c496f41436c04763053c37fa3a018f1');
INSERT INTO audit_log VALUES(21,'bill_line','I','2026-10-A00001/2','bill_id=t14:2026-10-A00001;seq=i2;sp_id=t6:SP0001;code=t6:ENERGY;description=t6:Energy;quantity_milli=i20781;unit=t3:kWh;rate_micro=i132500;amount_cents=i275;trace=t95:energy: 20.781 kWh x 0.132500 = 2.753483 -> 2.75 (half_up); RES-FLAT ENERGY; version 2026-01-01;','5e15154434ceaa6e9e2f0310e9c047997c496f41436c04763053c37fa3a018f1','5ca1844e5000e27f31a5b57b6d0412c32928ad49cbe72b0534dd1b9d931d89d3');
INSERT INTO audit_log VALUES(22,'bill_line','I','2026-10-A00001/3','bill_id=t14:2026-10-A00001;seq=i3;sp_id=t6:SP0001;code=t8:CUSTOMER;description=t15:Customer charge;quantity_milli=i667;unit=t5:month;rate_micro=i12000000;amount_cents=i800;trace=t111:customer charge: 12.000000/month x 2/3 days = 8.000000 -> 8.00 (half_up); RES-FLAT CUSTOMER; version 2026-10-02;','5ca1844e5000e27f31a5b57b6d0412c32928ad49cbe72b0534dd1b9d931d89d3','190701a82523129d819f8e861fa89fbf0bfbad2c731cf9a099871023a7025b3b');
INSERT INTO audit_log VALUES(23,'bill_line','I','2026-10-A00001/4','bill_id=t14:2026-10-A00001;seq=i4;sp_id=t6:SP0001;code=t6:ENERGY;description=t6:Energy;quantity_milli=i42121;unit=t3:kWh;rate_micro=i145000;amount_cents=i611;trace=t95:energy: 42.121 kWh x 0.145000 = 6.107545 -> 6.11 (half_up); RES-FLAT ENERGY; version 2026-10-02;','190701a82523129d819f8e861fa89fbf0bfbad2c731cf9a099871023a7025b3b','856ac29b784dae5e26fc641785d7c2751e35c0ffd3d113619f87beedafba4165');
INSERT INTO audit_log VALUES(24,'bill_line','I','2026-10-A00001/5','bill_id=t14:2026-10-A00001;seq=i5;sp_id=t6:SP0036;code=t8:CUSTOMER;description=t15:Customer charge;quantity_milli=i1000;unit=t5:month;rate_micro=i18000000;amount_cents=i1800;trace=t114:customer charge: 18.000000/month x 3/3 days = 18.000000 -> 18.00 (half_up); WATER-RES CUSTOMER; version 2026-01-01;','856ac29b784dae5e26fc641785d7c2751e35c0ffd3d113619f87beedafba4165','fa4f177d930d5ecb59d04c3e4e8da693cee8100aaf26aa33334fb71658fbf8b1');
INSERT INTO audit_log VALUES(25,'bill_line','I','2026-10-A00001/6','bill_id=t14:2026-10-A00001;seq=i6;sp_id=t6:SP0036;code=t9:ENERGY_T1;description=t33:Energy tier 1 (0.000-483.871 gal);quantity_milli=i416000;unit=t3:gal;rate_micro=i4100;amount_cents=i171;trace=t125:tier 1 (0.000-483.871 prorated): 416.000 gal x 0.004100 = 1.705600 -> 1.71 (half_up); WATER-RES ENERGY_T1; version 2026-01-01;','fa4f177d930d5ecb59d04c3e4e8da693cee8100aaf26aa33334fb71658fbf8b1','041b2704b94a6b8ea30805d786e4bcf237abec0f4f8a818d039971ed9264186f');
INSERT INTO audit_log VALUES(26,'bill_line','D','2026-10-A00011/1','bill_id=t14:2026-10-A00011;seq=i1;sp_id=t6:SP0011;code=t8:CUSTOMER;description=t23:Customer charge, winter;quantity_milli=i1000;unit=t5:month;rate_micro=i10000000;amount_cents=i1000;trace=t128:customer charge: 10.000000/month x 3/3 days = 10.000000 -> 10.00 (half_up); RES-TIER CUSTOMER; version 2026-01-01; season winter;','041b2704b94a6b8ea30805d786e4bcf237abec0f4f8a818d039971ed9264186f','134bd53aec40909bc5b6f69f2767cb5c593e8f65c1514f0b2abc48f6aee0bcfd');
INSERT INTO audit_log VALUES(27,'bill_line','D','2026-10-A00011/2','bill_id=t14:2026-10-A00011;seq=i2;sp_id=t6:SP0011;code=t9:ENERGY_T1;description=t40:Energy tier 1 (0.000-48.387 kWh), winter;quantity_milli=i48387;unit=t3:kWh;rate_micro=i110000;amount_cents=i532;trace=t137:tier 1 (0.000-48.387 prorated): 48.387 kWh x 0.110000 = 5.322570 -> 5.32 (half_up); RES-TIER ENERGY_T1; version 2026-01-01; season winter;','134bd53aec40909bc5b6f69f2767cb5c593e8f65c1514f0b2abc48f6aee0bcfd','d70c0d3df5a8b14eb91d2c9cffdaf09e1b6d774a070fedd3e91d68a67dac434b');
INSERT INTO audit_log VALUES(28,'bill_line','D','2026-10-A00011/3','bill_id=t14:2026-10-A00011;seq=i3;sp_id=t6:SP0011;code=t9:ENERGY_T2;description=t41:Energy tier 2 (48.387-96.774 kWh), winter;quantity_milli=i41560;unit=t3:kWh;rate_micro=i135000;amount_cents=i561;trace=t138:tier 2 (48.387-96.774 prorated): 41.560 kWh x 0.135000 = 5.610600 -> 5.61 (half_up); RES-TIER ENERGY_T2; version 2026-01-01; season winter;','d70c0d3df5a8b14eb91d2c9cffdaf09e1b6d774a070fedd3e91d68a67dac434b','ee7cb3b11ef72184de736190dc69f5f6caba376a54809de861004ef9c7afb717');
INSERT INTO audit_log VALUES(29,'bill','D','2026-10-A00011','bill_id=t14:2026-10-A00011;account_id=t6:A00011;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t5:draft;total_cents=i2093;replaces=t0:;','ee7cb3b11ef72184de736190dc69f5f6caba376a54809de861004ef9c7afb717','51c8beb3cebf33f634c3a3a3cf43b0eb4f4ac166a1caac78b0c2826f9a9f0b5d');
INSERT INTO audit_log VALUES(30,'bill','I','2026-10-A00011','bill_id=t14:2026-10-A00011;account_id=t6:A00011;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t5:draft;total_cents=i2093;replaces=t0:;','51c8beb3cebf33f634c3a3a3cf43b0eb4f4ac166a1caac78b0c2826f9a9f0b5d','e2695d3b3da3792a495eb4e4c6989463e2779f3990195cfeb886659aee3312d7');
INSERT INTO audit_log VALUES(31,'bill_line','I','2026-10-A00011/1','bill_id=t14:2026-10-A00011;seq=i1;sp_id=t6:SP0011;code=t8:CUSTOMER;description=t23:Customer charge, winter;quantity_milli=i1000;unit=t5:month;rate_micro=i10000000;amount_cents=i1000;trace=t128:customer charge: 10.000000/month x 3/3 days = 10.000000 -> 10.00 (half_up); RES-TIER CUSTOMER; version 2026-01-01; season winter;','e2695d3b3da3792a495eb4e4c6989463e2779f3990195cfeb886659aee3312d7','aaed7fcde7dc6827c57301bb1c78be045161dfca3782572480d3c3a81de598cc');
INSERT INTO audit_log VALUES(32,'bill_line','I','2026-10-A00011/2','bill_id=t14:2026-10-A00011;seq=i2;sp_id=t6:SP0011;code=t9:ENERGY_T1;description=t40:Energy tier 1 (0.000-48.387 kWh), winter;quantity_milli=i48387;unit=t3:kWh;rate_micro=i110000;amount_cents=i532;trace=t137:tier 1 (0.000-48.387 prorated): 48.387 kWh x 0.110000 = 5.322570 -> 5.32 (half_up); RES-TIER ENERGY_T1; version 2026-01-01; season winter;','aaed7fcde7dc6827c57301bb1c78be045161dfca3782572480d3c3a81de598cc','4635bdc135b4849ed583909ba987eb85ffc2b57a853497d281d566c9c16235c9');
INSERT INTO audit_log VALUES(33,'bill_line','I','2026-10-A00011/3','bill_id=t14:2026-10-A00011;seq=i3;sp_id=t6:SP0011;code=t9:ENERGY_T2;description=t41:Energy tier 2 (48.387-96.774 kWh), winter;quantity_milli=i41560;unit=t3:kWh;rate_micro=i135000;amount_cents=i561;trace=t138:tier 2 (48.387-96.774 prorated): 41.560 kWh x 0.135000 = 5.610600 -> 5.61 (half_up); RES-TIER ENERGY_T2; version 2026-01-01; season winter;','4635bdc135b4849ed583909ba987eb85ffc2b57a853497d281d566c9c16235c9','634e5e0d0a50cb5e2a24827cd764d54bad27d387eb91d225b59e8daca900af72');
INSERT INTO audit_log VALUES(34,'bill_line','D','2026-10-A00031/1','bill_id=t14:2026-10-A00031;seq=i1;sp_id=t6:SP0031;code=t8:CUSTOMER;description=t15:Customer charge;quantity_milli=i1000;unit=t5:month;rate_micro=i35000000;amount_cents=i3500;trace=t114:customer charge: 35.000000/month x 3/3 days = 35.000000 -> 35.00 (half_up); GS-DEMAND CUSTOMER; version 2026-01-01;','634e5e0d0a50cb5e2a24827cd764d54bad27d387eb91d225b59e8daca900af72','4fd13c831971dc1276d48f307f7301b64563018adfbf70f7d664cdc3cd51989e');
INSERT INTO audit_log VALUES(35,'bill_line','D','2026-10-A00031/2','bill_id=t14:2026-10-A00031;seq=i2;sp_id=t6:SP0031;code=t6:ENERGY;description=t6:Energy;quantity_milli=i777804;unit=t3:kWh;rate_micro=i85000;amount_cents=i6611;trace=t99:energy: 777.804 kWh x 0.085000 = 66.113340 -> 66.11 (half_up); GS-DEMAND ENERGY; version 2026-01-01;','4fd13c831971dc1276d48f307f7301b64563018adfbf70f7d664cdc3cd51989e','27e54a89c593ba08458da54f0aa22fbdb62e9f8adf366de8928e0933c8171889');
INSERT INTO audit_log VALUES(36,'bill_line','D','2026-10-A00031/3','bill_id=t14:2026-10-A00031;seq=i3;sp_id=t6:SP0031;code=t6:DEMAND;description=t29:Demand (maximum 15-minute kW);quantity_milli=i25788;unit=t2:kW;rate_micro=i12500000;amount_cents=i32235;trace=t134:demand: max 15-min 25.788 kW (2026-10-02T20:30:00Z) x 12.500000 = 322.350000 -> 322.35 (half_up); GS-DEMAND DEMAND; version 2026-01-01;','27e54a89c593ba08458da54f0aa22fbdb62e9f8adf366de8928e0933c8171889','dee3f11f18b0506f174e45a336561debfed22c25ef61160055a77017e36b63ce');
INSERT INTO audit_log VALUES(37,'bill','D','2026-10-A00031','bill_id=t14:2026-10-A00031;account_id=t6:A00031;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t5:draft;total_cents=i42346;replaces=t0:;','dee3f11f18b0506f174e45a336561debfed22c25ef61160055a77017e36b63ce','91ae34a62c8267a954e024e2c37a774b1fc599a77e6db7577cce315c75430aeb');
INSERT INTO audit_log VALUES(38,'bill','I','2026-10-A00031','bill_id=t14:2026-10-A00031;account_id=t6:A00031;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t5:draft;total_cents=i42346;replaces=t0:;','91ae34a62c8267a954e024e2c37a774b1fc599a77e6db7577cce315c75430aeb','ba09863c9b393f5b2339693bc12f17f2693714b705323ed72dad0a8a9228bb6f');
INSERT INTO audit_log VALUES(39,'bill_line','I','2026-10-A00031/1','bill_id=t14:2026-10-A00031;seq=i1;sp_id=t6:SP0031;code=t8:CUSTOMER;description=t15:Customer charge;quantity_milli=i1000;unit=t5:month;rate_micro=i35000000;amount_cents=i3500;trace=t114:customer charge: 35.000000/month x 3/3 days = 35.000000 -> 35.00 (half_up); GS-DEMAND CUSTOMER; version 2026-01-01;','ba09863c9b393f5b2339693bc12f17f2693714b705323ed72dad0a8a9228bb6f','59b8ecd9c45a0ee92a51dfe2438b431e4c3d9fe338907b1b5ed0f903e4bf628f');
INSERT INTO audit_log VALUES(40,'bill_line','I','2026-10-A00031/2','bill_id=t14:2026-10-A00031;seq=i2;sp_id=t6:SP0031;code=t6:ENERGY;description=t6:Energy;quantity_milli=i777804;unit=t3:kWh;rate_micro=i85000;amount_cents=i6611;trace=t99:energy: 777.804 kWh x 0.085000 = 66.113340 -> 66.11 (half_up); GS-DEMAND ENERGY; version 2026-01-01;','59b8ecd9c45a0ee92a51dfe2438b431e4c3d9fe338907b1b5ed0f903e4bf628f','bd30d22bef4facb6359ab7561a34ff94e0942d720eb695a2c96cd5bae88e0312');
INSERT INTO audit_log VALUES(41,'bill_line','I','2026-10-A00031/3','bill_id=t14:2026-10-A00031;seq=i3;sp_id=t6:SP0031;code=t6:DEMAND;description=t29:Demand (maximum 15-minute kW);quantity_milli=i25788;unit=t2:kW;rate_micro=i12500000;amount_cents=i32235;trace=t134:demand: max 15-min 25.788 kW (2026-10-02T20:30:00Z) x 12.500000 = 322.350000 -> 322.35 (half_up); GS-DEMAND DEMAND; version 2026-01-01;','bd30d22bef4facb6359ab7561a34ff94e0942d720eb695a2c96cd5bae88e0312','4ef5e7562d6a68a5c6f46401d4817a532f184f8127627b90ee1b968af82fad9e');
INSERT INTO audit_log VALUES(42,'bill','U','2026-10-A00001','bill_id=t14:2026-10-A00001;account_id=t6:A00001;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t6:issued;total_cents=i4057;replaces=t0:;','4ef5e7562d6a68a5c6f46401d4817a532f184f8127627b90ee1b968af82fad9e','4ebb0b3148f487ba1c76a60b6444e39be711234e56943ef913729f1fa911e7e1');
INSERT INTO audit_log VALUES(43,'ledger','I','1','entry_id=i1;account_id=t6:A00001;date=t10:2026-11-03;kind=t4:bill;ref=t14:2026-10-A00001;amount_cents=i4057;','4ebb0b3148f487ba1c76a60b6444e39be711234e56943ef913729f1fa911e7e1','bf32ee113f8bd3111db3d2a735b14aa8bcdd2b00e1670e372f1d3ebf8de26495');
INSERT INTO audit_log VALUES(44,'bill','U','2026-10-A00011','bill_id=t14:2026-10-A00011;account_id=t6:A00011;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t6:issued;total_cents=i2093;replaces=t0:;','bf32ee113f8bd3111db3d2a735b14aa8bcdd2b00e1670e372f1d3ebf8de26495','0ce4b3e8adacfb25d2a84e04ca4fcb68fab1bdb43caca52207950e81f6d6ab8c');
INSERT INTO audit_log VALUES(45,'ledger','I','2','entry_id=i2;account_id=t6:A00011;date=t10:2026-11-03;kind=t4:bill;ref=t14:2026-10-A00011;amount_cents=i2093;','0ce4b3e8adacfb25d2a84e04ca4fcb68fab1bdb43caca52207950e81f6d6ab8c','8c715c36fbe952505bc48c6b14df3bdb74f8908e59c1454534a3f9fce162d3cc');
INSERT INTO audit_log VALUES(46,'bill','U','2026-10-A00031','bill_id=t14:2026-10-A00031;account_id=t6:A00031;cycle_id=t7:2026-10;period_start=t10:2026-10-01;period_end=t10:2026-10-03;bill_date=t10:2026-11-03;due_date=t10:2026-11-24;status=t6:issued;total_cents=i42346;replaces=t0:;','8c715c36fbe952505bc48c6b14df3bdb74f8908e59c1454534a3f9fce162d3cc','babcf27bf5abf16214201b7694126d18a1ec1a2c48fc7f1e011586dce509a522');
INSERT INTO audit_log VALUES(47,'ledger','I','3','entry_id=i3;account_id=t6:A00031;date=t10:2026-11-03;kind=t4:bill;ref=t14:2026-10-A00031;amount_cents=i42346;','babcf27bf5abf16214201b7694126d18a1ec1a2c48fc7f1e011586dce509a522','88448f74f356198b32d4bb57b1a0ac16c453820ea09f967519df25da77e31697');
INSERT INTO audit_log VALUES(48,'bill_line','U','2026-10-A00001/1',NULL,NULL,NULL);
CREATE TABLE register_replacement(
  meter_id TEXT NOT NULL,
  channel INTEGER NOT NULL,
  read_utc INTEGER NOT NULL,
  old_file_id INTEGER NOT NULL,
  new_file_id INTEGER NOT NULL,
  old_version INTEGER NOT NULL,
  old_value_milli INTEGER NOT NULL,
  old_quality INTEGER NOT NULL,
  PRIMARY KEY(meter_id, channel, read_utc, old_version)
) WITHOUT ROWID;
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('audit_log',48);
CREATE INDEX meter_install_sp ON meter_install(sp_id);
CREATE INDEX service_agreement_sp ON service_agreement(sp_id);
CREATE INDEX bill_sp_sp ON bill_sp(sp_id, period_end);
CREATE INDEX ledger_account ON ledger(account_id, date);
CREATE INDEX payment_application_charge ON payment_application(charge_entry);
CREATE INDEX audit_log_key ON audit_log(tbl, row_key, seq);
CREATE TRIGGER audit_bill_i AFTER INSERT ON bill BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill', 'I', NEW.bill_id); END;
CREATE TRIGGER audit_bill_u AFTER UPDATE ON bill BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill', 'U', NEW.bill_id); END;
CREATE TRIGGER audit_bill_d AFTER DELETE ON bill BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill', 'D', OLD.bill_id); END;
CREATE TRIGGER audit_bill_line_i AFTER INSERT ON bill_line BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill_line', 'I', NEW.bill_id || '/' || NEW.seq); END;
CREATE TRIGGER audit_bill_line_u AFTER UPDATE ON bill_line BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill_line', 'U', NEW.bill_id || '/' || NEW.seq); END;
CREATE TRIGGER audit_bill_line_d AFTER DELETE ON bill_line BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('bill_line', 'D', OLD.bill_id || '/' || OLD.seq); END;
CREATE TRIGGER audit_exception_decision_i AFTER INSERT ON exception_decision BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('exception_decision', 'I', NEW.exc_id || '/' || NEW.seq); END;
CREATE TRIGGER audit_exception_decision_u AFTER UPDATE ON exception_decision BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('exception_decision', 'U', NEW.exc_id || '/' || NEW.seq); END;
CREATE TRIGGER audit_exception_decision_d AFTER DELETE ON exception_decision BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('exception_decision', 'D', OLD.exc_id || '/' || OLD.seq); END;
CREATE TRIGGER audit_ledger_i AFTER INSERT ON ledger BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('ledger', 'I', CAST(NEW.entry_id AS TEXT)); END;
CREATE TRIGGER audit_ledger_u AFTER UPDATE ON ledger BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('ledger', 'U', CAST(NEW.entry_id AS TEXT)); END;
CREATE TRIGGER audit_ledger_d AFTER DELETE ON ledger BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('ledger', 'D', CAST(OLD.entry_id AS TEXT)); END;
CREATE TRIGGER audit_payment_i AFTER INSERT ON payment BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('payment', 'I', CAST(NEW.payment_id AS TEXT)); END;
CREATE TRIGGER audit_payment_u AFTER UPDATE ON payment BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('payment', 'U', CAST(NEW.payment_id AS TEXT)); END;
CREATE TRIGGER audit_payment_d AFTER DELETE ON payment BEGIN INSERT INTO audit_log(tbl, op, row_key) VALUES('payment', 'D', CAST(OLD.payment_id AS TEXT)); END;
COMMIT;
PRAGMA user_version = 3;
