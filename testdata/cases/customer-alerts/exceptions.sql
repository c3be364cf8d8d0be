INSERT INTO exception(stage, code, severity, account_id, meter_id, date, detail, status) VALUES
 ('validate','LEAK','warn','U1','W2','2026-10-03','300 intervals of continuous flow, lowest hour 2.000 (300 h 00 min), 2026-10-03 00:00 to 2026-10-15 12:00','open'),
 ('validate','LEAK','warn','U1','W2','2026-10-20','40 intervals of continuous flow, lowest hour 1.000 (40 h 00 min), 2026-10-20 00:00 to 2026-10-21 16:00','open'),
 ('validate','HIGH_USAGE','warn','U1','E1/A#2','2026-10-01','average 38.200/day on 30 days vs 16.100/day on 31 days of the same period last year 2025-10-01..2025-10-31 (2.37x, limit 2.00x)','open'),
 ('validate','GAP_LIKE_DAY','warn','U2','G3','2026-10-12','intervals 1-24 estimated (00:00-24:00 -06:00)','estimated'),
 ('validate','GAP_LIKE_DAY','warn','U2','G3','2026-10-13','intervals 1-24 estimated (00:00-24:00 -06:00)','estimated'),
 ('validate','GAP_ESTIMATED','info','U2','G3','2026-10-14','interval 3 estimated (02:00-03:00 -06:00)','open'),
 ('validate','CONSERVATION','warn','U1','W2','2026-10-05','used 900.000 gal, limit 500.000','open'),
 ('validate','LEAK','warn','U3','E4','2026-10-05','50 intervals of continuous flow (50 h 00 min)','overridden'),
 ('validate','HIGH_USAGE','warn','U3','E4','2026-09-01','average 9.000/day on 30 days vs 3.000/day on 30 days of the prior period 2026-08-01..2026-08-31 (3.00x, limit 2.00x)','open'),
 ('import','UNKNOWN_METER','warn','','X9','2026-10-05','5 reads','open');
INSERT INTO bill(bill_id,account_id,cycle_id,period_start,period_end,bill_date,due_date,status,total_cents) VALUES
 ('2026-10-U1','U1','2026-10','2026-10-01','2026-10-31','2026-11-03','2026-11-24','draft',9321),
 ('2026-10-U2','U2','2026-10','2026-10-01','2026-10-31','2026-11-03','2026-11-24','hold',1500);
INSERT INTO bill_line(bill_id, seq, sp_id, code, description, quantity_milli, unit, rate_micro, amount_cents, trace) VALUES
 ('2026-10-U1',1,'SP1','ENERGY','Energy',300000,'kWh',100000,3000,''),
 ('2026-10-U1',2,'SP2','WATER','Water',9000000,'gal',6000,5400,''),
 ('2026-10-U1',3,'','TAX','Tax',0,'',0,921,''),
 ('2026-10-U2',1,'SP3','GAS','Gas',400,'CCF',1000000,1500,'');
INSERT INTO past_due(pd_key, account_id, as_of, amount_cents, oldest_due_date) VALUES
 ('2026-11-03/U2','U2','2026-11-03',4210,'2026-10-24'),
 ('2026-11-03/U3','U3','2026-11-03',0,'2026-10-24'),
 ('2026-10-03/U1','U1','2026-10-03',999,'2026-09-24');
