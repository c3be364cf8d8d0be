INSERT INTO setting VALUES('returned_payment_fee_cents', '1500');
INSERT INTO bill(bill_id,account_id,cycle_id,period_start,period_end,bill_date,due_date,status,total_cents) VALUES
 ('2026-10-A1','A1','2026-10','2026-10-01','2026-10-31','2026-11-03','2026-11-24','draft',6234);
INSERT INTO bill_line(bill_id, seq, sp_id, code, description, quantity_milli, unit, rate_micro, amount_cents, trace) VALUES
 ('2026-10-A1',1,'SP1','CUST','Customer charge',1000,'month',12000000,1200,''),
 ('2026-10-A1',2,'SP1','ENERGY','Energy',412345,'kWh',122000,5031,''),
 ('2026-10-A1',3,'SP1','TAX','Municipal tax 0.5%',0,'',0,3,'');
