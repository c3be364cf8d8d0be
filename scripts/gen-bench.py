#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# The synthetic bench month of scripts/bench.sh, the reference generator:
#   scripts/gen-bench.py OUTDIR METERS DAYS
# writes OUTDIR/registry/*.csv and OUTDIR/reads.csv.gz (METERS * DAYS * 96
# 15-minute reads, October 2026).  gen-bench (tests/bench/gen_bench.c,
# built with the tools) writes the same files (the same CSV inside the
# gzip) much faster; tests/bench-gen.sh compares the two.
import gzip, os, sys
out, n, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
reg = os.path.join(out, "registry"); os.makedirs(reg, exist_ok=True)
def w(name, text):
    open(os.path.join(reg, name), "w").write(text)
rate = lambda i: "GS-TOU-DEMAND" if i % 4 == 3 else "RES-TOU"
w("utility.csv", "key,value\nname,Bench Utility\ntimezone,America/Chicago\nrounding,half_up\n")
w("cycles.csv", "cycle_id,period_start,period_end,bill_date,due_date\n"
  "2026-10,2026-10-01,2026-10-%02d,2026-11-03,2026-11-24\n" % days)
w("accounts.csv", "account_id,name,mailing_address,status,cycle_id\n" +
  "".join("A%07d,Customer %d,%d Main St,active,R1\n" % (i, i, i) for i in range(n)))
w("service_points.csv", "sp_id,kind,address\n" +
  "".join("S%07d,electric,%d Main St\n" % (i, i) for i in range(n)))
w("meters.csv", "meter_id,kind,unit,multiplier\n" +
  "".join("E%07d,electric,kWh,1\n" % i for i in range(n)))
w("meter_installs.csv", "meter_id,sp_id,install_date,remove_date\n" +
  "".join("E%07d,S%07d,2020-01-01,\n" % (i, i) for i in range(n)))
w("agreements.csv", "account_id,sp_id,start_date,end_date,rate_code,customer_class,net_metering\n" +
  "".join("A%07d,S%07d,2020-01-01,,%s,%s,\n" % (i, i, rate(i),
          "commercial" if rate(i) != "RES-TOU" else "residential") for i in range(n)))
stamps = ["2026-10-%02dT%02d:%02d:00-05:00" % (d + 1, s // 4, (s % 4) * 15)
          for d in range(days) for s in range(96)]
vals = ["%d.%03d" % (v // 1000, v % 1000) for v in range(40, 2600, 13)]
nv = len(vals)
with gzip.open(os.path.join(out, "reads.csv.gz"), "wt", compresslevel=1) as f:
    f.write("meter_id,interval_start,value\n")
    for i in range(n):
        pre = "E%07d," % i
        f.write("".join(pre + st + "," + vals[(i * 31 + k * 7) % nv] + "\n"
                        for k, st in enumerate(stamps)))
