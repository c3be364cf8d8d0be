#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Go-live rehearsal generator (issue 22): a small utility moving from a
legacy billing system, with planted registry problems.  Writes, into the
directory given (default: this script's directory):

  registry/          billrun registry CSVs (utility, accounts, service
                     points, meters with meter_class and status,
                     installs, agreements, cycles)
  reads.csv.gz       hourly interval reads (generic CSV) for 2026-10
  registers.cmep     CMEP MEPMD01 register reads (KWHREG) for 2026-10
  legacy/            the legacy system's conversion files (br-convert(5)):
                     balances.csv (A009 carries a balance in, A001 a
                     credit), deposits.csv, history.csv (24 months per
                     service point, totals and on/off-peak for the two
                     commercial ones), nem_banks.csv (A010's bank),
                     ratchets.csv
  legacy_bills.csv   the legacy system's October bills (parallel-compare
                     extract) and legacy_codes.csv, its line-code map

Planted problems (PLANTED below lists them with the finding expected):
  S004  meter exchange on 10-15: the old meter's removal is recorded, the
        new meter M000104 is not installed (the swapped meter)
  M000006  the head-end sends it as 00000006 (a duplicate id by padding
        and prefix)
  M000007  transformer-rated 9S with multiplier 1: the CT ratio (40) is
        missing; its CMEP register carries the 40
  M000008  retired but still installed on active agreement A008
  (A meter installed on two service points at once is not planted here:
  ami-import refuses such a registry at load, naming file and line, as
  golden case ami-import/0014 shows; registry-check's
  METER_TWO_SERVICE_POINTS covers stores loaded before that check.)
  A012  active agreement on S012, which has no meter
  A009  a balance carried in (with aging), A001 a credit
  A010  a NEM bank carried in (the legacy bill applies it)
All agreements are on rates/RES-FLAT.yaml.  Golden cases:
testdata/cases/{registry-check,convert-import,parallel-compare}/.
Deterministic: no randomness, gzip mtime 0.
"""
import gzip, os, sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
reg = os.path.join(out, "registry")
os.makedirs(reg, exist_ok=True)

def w(name, rows):
    with open(os.path.join(reg, name), "w") as f:
        f.write("\n".join(rows) + "\n")

N = 12
w("utility.csv", ["key,value", "name,Rehearsal Municipal Utility",
                  "timezone,America/Chicago", "rounding,half_up"])
w("cycles.csv", ["cycle_id,period_start,period_end,bill_date,due_date",
                 "2026-10,2026-10-01,2026-10-31,2026-11-03,2026-11-24"])
w("accounts.csv", ["account_id,name,mailing_address,status,cycle_id"] +
  ["A%03d,Customer %d,%d Elm St,active,2026-10" % (i, i, i) for i in range(1, N + 1)])
w("service_points.csv", ["sp_id,kind,address"] +
  ["S%03d,electric,%d Elm St" % (i, i) for i in range(1, N + 2)])

# meter id, class, multiplier, status
meters = []
for i in range(1, N + 1):
    if i == 12:
        continue                       # S012 has no meter
    cls, mult, status = "2S", "1", "active"
    if i in (3, 7):
        cls = "9S"
        mult = "40" if i == 3 else "1"  # M000007: CT ratio missing
    if i == 8:
        status = "retired"
    meters.append(("M%06d" % i, cls, mult, status))
meters.append(("M000104", "2S", "1", "active"))   # the exchange's new meter
meters.sort()
w("meters.csv", ["meter_id,kind,unit,multiplier,meter_class,status"] +
  ["%s,electric,kWh,%s,%s,%s" % (m, mult, cls, st) for m, cls, mult, st in meters])

installs = []
for m, _, _, _ in meters:
    if m == "M000104":
        continue                       # exchange not recorded
    i = int(m[1:])
    remove = "2026-10-14" if i == 4 else ""
    installs.append("%s,S%03d,2020-01-01,%s" % (m, i, remove))
w("meter_installs.csv", ["meter_id,sp_id,install_date,remove_date"] + sorted(installs))
w("agreements.csv",
  ["account_id,sp_id,start_date,end_date,rate_code,customer_class,net_metering"] +
  ["A%03d,S%03d,2020-01-01,,%s,%s,%s" % (i, i,
     "RES-FLAT", "commercial" if i in (3, 7) else "residential",
     "") for i in range(1, N + 1)])

def kwh_per_hour(i, h):
    """Dial kWh of meter i in hour h of the day (deterministic shape)."""
    base = 400 + 90 * i + (300 if 17 <= h <= 21 else 0) + 15 * (h % 5)
    return base if i not in (3, 7) else base // 10   # CT meters: dial /40-ish

def send_id(m):
    return "00000006" if m == "M000006" else m

rows = ["meter_id,interval_start,interval_minutes,value"]
regs = []
for m, _, _, st in meters:
    i = int(m[1:])
    if st == "retired":
        continue                       # the retired meter sends nothing
    total = 0
    for d in range(1, 32):
        if m == "M000004" and d >= 15:
            continue                   # exchanged out
        if m == "M000104" and d < 15:
            continue
        for h in range(24):
            v = kwh_per_hour(i if m != "M000104" else 4, h)
            total += v
            rows.append("%s,2026-10-%02dT%02d:00:00,60,%d.%03d" %
                        (send_id(m), d, h, v // 1000, v % 1000))
    if m in ("M000001", "M000007"):
        # CMEP register (dial kWh); the importer applies the row's
        # Calculation Constant: 40 for M000007, whose registry lacks it.
        start = 50211 if m == "M000001" else 1234567
        end = start * 1000 + total
        regs.append("MEPMD01,20080501,REHEARSAL,UTIL,,%s,202611010000,%s,OK,E,"
                    "KWHREG,%s,00000000,2,202610010000,R0,%d.000,202611010000,R0,%d.%03d"
                    % (m, m, "40.0" if m == "M000007" else "1.0", start,
                       end // 1000, end % 1000))

with gzip.GzipFile(os.path.join(out, "reads.csv.gz"), "wb", mtime=0) as f:
    f.write(("\n".join(rows) + "\n").encode())
with open(os.path.join(out, "registers.cmep"), "w") as f:
    f.write("\n".join(regs) + "\n")

# The legacy system's conversion extract.
leg = os.path.join(out, "legacy")
os.makedirs(leg, exist_ok=True)

def lw(name, rows):
    with open(os.path.join(leg, name), "w") as f:
        f.write("\n".join(rows) + "\n")

lw("balances.csv", ["account_id,as_of,current,days_30,days_60,days_90_plus",
                    "A001,2026-09-30,-15.00,0,0,0",
                    "A009,2026-09-30,85.40,42.10,0.00,12.00"])
lw("deposits.csv", ["account_id,deposit_id,amount,paid_date",
                    "A003,DEP-1,500.00,2024-01-15",
                    "A009,DEP-1,150.00,2025-06-01"])
lw("nem_banks.csv", ["account_id,sp_id,bank_kwh,true_up_month",
                     "A010,S010,152.500,4"])
months = [(2024 + (9 + k) // 12, (9 + k) % 12 + 1) for k in range(24)]
mdays = lambda y, m: [31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
hist = ["sp_id,period_start,period_end,days,unit,tou_period,usage,peak_demand,amount"]
rat = ["sp_id,month,peak_demand_kw"]
for i in range(1, N + 1):
    true_mult = 40 if i in (3, 7) else 1
    day = sum(kwh_per_hour(i, h) for h in range(24)) * true_mult   # milli-kWh
    peak = max(kwh_per_hour(i, h) for h in range(24)) * true_mult  # kW (hourly)
    for y, m in months:
        nd = mdays(y, m)
        season = 120 if m in (6, 7, 8) else 100
        use = day * nd * season // 100
        amount = use * 12 // 1000 // 10 + 1000          # cents
        hist.append("S%03d,%04d-%02d-01,%04d-%02d-%02d,%d,kWh,,%d.%03d,%s,%d.%02d" % (
            i, y, m, y, m, nd, nd, use // 1000, use % 1000,
            "%d.%03d" % (peak // 1000, peak % 1000) if true_mult > 1 else "",
            amount // 100, amount % 100))
        if true_mult > 1:
            on = use * 30 // 100
            hist.append("S%03d,%04d-%02d-01,%04d-%02d-%02d,%d,kWh,on_peak,%d.%03d,,"
                        % (i, y, m, y, m, nd, nd, on // 1000, on % 1000))
            hist.append("S%03d,%04d-%02d-01,%04d-%02d-%02d,%d,kWh,off_peak,%d.%03d,,"
                        % (i, y, m, y, m, nd, nd, (use - on) // 1000, (use - on) % 1000))
            if (y, m) >= (2025, 10):
                rat.append("S%03d,%04d-%02d,%d.%03d" % (i, y, m, peak * season // 100 // 1000,
                                                     peak * season // 100 % 1000))
lw("history.csv", hist)
lw("ratchets.csv", rat)

# The legacy system's bill extract for October 2026 (what it billed, on
# its own, correct, meter records) and its line-code map.  Its rate: the
# same RES-FLAT prices, energy truncated to the cent (not half up), and a
# 15.00 customer charge for commercial accounts (its GS rate).
lw_map = ["legacy_code,code", "CUST,CUSTOMER", "KWH,ENERGY", "NEMCR,NEM_CREDIT"]
with open(os.path.join(out, "legacy_codes.csv"), "w") as f:
    f.write("\n".join(lw_map) + "\n")
bills = ["account_id,period,line_code,quantity,amount,total"]
for i in range(1, N + 1):
    true_mult = 40 if i in (3, 7) else 1
    kwh = sum(kwh_per_hour(i, h) for h in range(24)) * 31 * true_mult  # milli
    if i == 12:
        kwh = 300000                                 # legacy's meter there
    lines = [("CUST", 1000, 1500 if i in (3, 7) else 1200),
             ("KWH", kwh, kwh * 1325 // 100000)]
    if i == 10:
        lines.append(("NEMCR", 152500, -(152500 * 1325 // 100000)))
    total = sum(a for _, _, a in lines)
    for code, q, a in lines:
        bills.append("A%03d,2026-10,%s,%d.%03d,%s%d.%02d,%s%d.%02d" % (
            i, code, q // 1000, q % 1000, "-" if a < 0 else "", abs(a) // 100,
            abs(a) % 100, "-" if total < 0 else "", abs(total) // 100, abs(total) % 100))
with open(os.path.join(out, "legacy_bills.csv"), "w") as f:
    f.write("\n".join(bills) + "\n")
