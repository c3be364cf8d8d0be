INSERT INTO bill(bill_id,account_id,cycle_id,period_start,period_end,bill_date,due_date,status,total_cents) VALUES
 ('2026-11-A1','A1','2026-11','2026-11-01','2026-11-30','2026-12-03','2026-12-24','draft',1200);
INSERT INTO bill_line(bill_id, seq, sp_id, code, description, quantity_milli, unit, rate_micro, amount_cents, trace) VALUES
 ('2026-11-A1',1,'SP1','CUST','Customer charge',1000,'month',12000000,1200,'');
