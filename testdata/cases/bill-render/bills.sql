INSERT INTO bill(bill_id,account_id,cycle_id,period_start,period_end,bill_date,due_date,status,total_cents) VALUES
 ('2026-10-A1','A1','2026-10','2026-10-01','2026-10-31','2026-11-03','2026-11-24','draft',6234),
 ('2026-10-A2','A2','2026-10','2026-10-01','2026-10-31','2026-11-03','2026-11-24','draft',7350),
 ('2026-10-A3','A3','2026-10','2026-10-01','2026-10-31','2026-11-03','2026-11-24','hold',1000);
INSERT INTO bill_line(bill_id, seq, sp_id, code, description, quantity_milli, unit, rate_micro, amount_cents, trace) VALUES
 ('2026-10-A1',1,'SP1','CUST','Customer charge',1000,'month',12000000,1200,''),
 ('2026-10-A1',2,'SP1','ENERGY','Energy',412345,'kWh',122000,5031,''),
 ('2026-10-A1',3,'SP1','TAX','Municipal tax 0.5%',0,'',0,3,''),
 ('2026-10-A2',1,'SP2','CUST','Customer charge',1000,'month',12000000,1200,''),
 ('2026-10-A2',2,'SP2','ON','Energy on-peak',100000,'kWh',200000,2000,''),
 ('2026-10-A2',3,'SP2','OFF','Energy off-peak',250000,'kWh',80000,2000,''),
 ('2026-10-A2',4,'SP3','CUST','Water customer charge',1000,'month',18000000,1800,''),
 ('2026-10-A2',5,'SP3','T1','Water tier 1 (0.000-5000.000 gal)',850000,'gal',4100,350,''),
 ('2026-10-A3',1,'SP4','CUST','Customer charge',1000,'month',10000000,1000,'');
INSERT INTO bill_meter VALUES
 ('2026-10-A1','E1',1,'kWh',412345,2500,3),
 ('2026-10-A2','E2',1,'kWh',350000,0,0),
 ('2026-10-A2','E2',2,'kWh',12000,0,0),
 ('2026-10-A2','W3',1,'gal',850000,0,0),
 ('2026-10-A3','E4',1,'kWh',100000,0,0);
INSERT INTO ledger(account_id,date,kind,ref,amount_cents) VALUES
 ('A1','2026-10-03','bill','2026-09-A1',5000),
 ('A1','2026-10-20','payment','P1',-4000),
 ('A1','2026-11-10','payment','P2',-100),
 ('A2','2026-10-03','bill','2026-09-A2',3000),
 ('A2','2026-10-25','payment','P3',-3000),
 ('A2','2026-10-28','adjustment','ADJ1',-250);
