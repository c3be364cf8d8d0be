INSERT INTO bill(bill_id,account_id,cycle_id,period_start,period_end,bill_date,due_date,status,total_cents) VALUES
 ('2026-10-U1','U1','2026-10','2026-10-02','2026-11-01','2026-11-03','2026-11-24','issued',4321),
 ('2026-10-U2','U2','2026-10','2026-10-02','2026-11-01','2026-11-03','2026-11-24','issued',1500),
 ('2026-09-U2','U2','2026-09','2026-09-02','2026-10-01','2026-10-03','2026-10-24','cancelled',1400);
INSERT INTO bill_line(bill_id, seq, sp_id, code, description, quantity_milli, unit, rate_micro, amount_cents, trace) VALUES
 ('2026-10-U1',1,'SP1','CUST','Customer charge',1000,'month',12000000,1200,''),
 ('2026-10-U1',2,'SP1','ENERGY','Energy',30000,'kWh',100000,2100,''),
 ('2026-10-U1',3,'SP2','WATER','Water',62500,'gal',10000,900,''),
 ('2026-10-U1',4,'','TAX','Tax',0,'',0,121,''),
 ('2026-10-U2',1,'SP3','GAS','Gas',400,'CCF',1000000,1500,'');
INSERT INTO bill_meter VALUES
 ('2026-10-U1','E1/A#2',1,'kWh',30000,900,1),
 ('2026-10-U1','E1/A#2',2,'kWh',3750,0,0),
 ('2026-10-U1','W2',1,'gal',62500,0,0),
 ('2026-10-U2','G3',1,'CCF',400,33,0);
