#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate testdata/demo: a small utility (America/Chicago) with 50 meters
and one month (2026-10) of reads: 15-minute electric, hourly water and gas,
and CMEP register (dial) reads of four meters.

Deterministic (fixed seed); the output is committed, so CI never runs this.
Seeded defects: short gaps (estimated), one long gap (bill hold), a
negative interval (hold), an unknown meter, a water leak (continuous
flow on W9100040), and suspense payments.

Usage: scripts/gen-demo.py [OUTDIR]   (default testdata/demo)
"""
import gzip, os, random, sys
from datetime import date, datetime, timedelta, timezone

out = sys.argv[1] if len(sys.argv) > 1 else "testdata/demo"
rnd = random.Random(20261001)
CDT = timezone(timedelta(hours=-5))  # all of Oct 2026 is CDT in Chicago

streets = ["Oak St", "Maple Ave", "Cedar Ln", "Elm St", "Prairie Rd",
           "Mill St", "Church St", "Main St", "Lake Dr", "Hill Rd"]
first = ["Ann", "Bob", "Carla", "Dev", "Elena", "Frank", "Grace", "Hugo",
         "Iris", "Jon", "Kim", "Luis", "Mona", "Ned", "Olga", "Pat"]
last = ["Adams", "Baker", "Clark", "Diaz", "Evans", "Fischer", "Garcia",
        "Hughes", "Ito", "Jensen", "Khan", "Lopez", "Moore", "Nowak"]

def w(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(('"%s"' % c) if ("," in str(c)) else str(c)
                             for c in r) + "\n")

# --- registry -----------------------------------------------------------
plan = ([("electric", "RES-FLAT", "residential")] * 10 +
        [("electric", "RES-TIER", "residential")] * 10 +
        [("electric", "RES-TOU", "residential")] * 10 +
        [("electric", "GS-DEMAND", "commercial")] * 5 +
        [("water", "WATER-RES", "residential")] * 10 +
        [("gas", "GAS-RES", "residential")] * 5)
accounts, sps, meters, installs, agreements = [], [], [], [], []
acct_of_sp = {}
for i, (kind, rate, cls) in enumerate(plan, start=1):
    sp = "SP%04d" % i
    addr = "%d %s, Prairie Valley, IL 61000" % (100 + 7 * i, streets[i % 10])
    if kind == "water" and i - 35 <= 3:
        # The first three water service points belong to electric
        # customers 1..3 (one bill with two service points).
        acct = "A%05d" % (i - 35)
        addr = [s for s in sps if s[0] == "SP%04d" % (i - 35)][0][2]
    else:
        acct = "A%05d" % i
        name = "%s %s" % (first[i % 16], last[(i * 7) % 14])
        if cls == "commercial":
            name = "%s %s LLC" % (last[(i * 3) % 14], ["Foods", "Hardware",
                                   "Auto", "Dental", "Bakery"][i % 5])
        accounts.append((acct, name, addr, "active", "R1"))
    sps.append((sp, kind, addr))
    unit = {"electric": "kWh", "water": "gal", "gas": "therm"}[kind]
    mult = "40" if rate == "GS-DEMAND" and i % 2 == 0 else "1"
    mid = {"electric": "E", "water": "W", "gas": "G"}[kind] + "%07d" % (
        9100000 + i)
    meters.append((mid, kind, unit, mult))
    installs.append((mid, sp, "2019-05-01", ""))
    agreements.append((acct, sp, "2019-05-01", "", rate, cls, ""))
    acct_of_sp[sp] = acct

reg = os.path.join(out, "registry")
w(os.path.join(reg, "utility.csv"), ["key", "value"], [
    ("name", "Prairie Valley Municipal Utilities"),
    ("timezone", "America/Chicago"),
    ("address", "200 Main St, Prairie Valley, IL 61000"),
    ("phone", "(555) 010-2000"),
    ("rounding", "half_up")])
w(os.path.join(reg, "accounts.csv"),
  ["account_id", "name", "mailing_address", "status", "cycle_id"],
  sorted(accounts))
w(os.path.join(reg, "service_points.csv"), ["sp_id", "kind", "address"], sps)
w(os.path.join(reg, "meters.csv"), ["meter_id", "kind", "unit", "multiplier"],
  meters)
w(os.path.join(reg, "meter_installs.csv"),
  ["meter_id", "sp_id", "install_date", "remove_date"], installs)
w(os.path.join(reg, "agreements.csv"),
  ["account_id", "sp_id", "start_date", "end_date", "rate_code",
   "customer_class", "net_metering"], agreements)
w(os.path.join(reg, "cycles.csv"),
  ["cycle_id", "period_start", "period_end", "bill_date", "due_date"],
  [("2026-10", "2026-10-01", "2026-10-31", "2026-11-03", "2026-11-24")])

# --- reads --------------------------------------------------------------
start = datetime(2026, 10, 1, tzinfo=CDT)
days = 31

def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S-05:00")

def res_kwh(h, scale):
    base = 0.18 + (0.25 if 17 <= h < 22 else 0) + (0.12 if 6 <= h < 9 else 0)
    return base * scale * (0.8 + 0.4 * rnd.random())

elec = []  # (meter, stamp, value, quality)
for (mid, kind, unit, mult), (k, rate, cls) in zip(meters, plan):
    if kind != "electric":
        continue
    scale = 0.7 + 0.8 * rnd.random()
    for q in range(days * 96):
        t = start + timedelta(minutes=15 * q)
        h = t.hour
        if rate == "GS-DEMAND":
            v = (5.0 if 7 <= h < 18 and t.weekday() < 5 else 1.2) * scale
            v *= 0.85 + 0.3 * rnd.random()
            if mult == "40":
                v /= 40
        else:
            v = res_kwh(h, scale)
        elec.append([mid, stamp(t), "%.3f" % v, "A"])

def drop(mid, first_q, count):
    ts = {stamp(start + timedelta(minutes=15 * q))
          for q in range(first_q, first_q + count)}
    elec[:] = [r for r in elec if not (r[0] == mid and r[1] in ts)]

# Seeded defects.
drop("E9100003", 96 * 4 + 40, 3)      # 45-minute gap: estimated
drop("E9100012", 96 * 9 + 8, 2)       # 30-minute gap: estimated
drop("E9100021", 96 * 14 + 60, 1)     # one missing interval: estimated
drop("E9100025", 96 * 20 + 4, 24)     # 6-hour gap: bill hold
for r in elec:                         # negative interval: bill hold
    if r[0] == "E9100017" and r[1] == stamp(start + timedelta(minutes=15 * (96 * 7 + 50))):
        r[2] = "-0.250"
for q in range(96 * 2):                # a meter nobody knows
    t = start + timedelta(minutes=15 * q)
    elec.append(["E9999999", stamp(t), "%.3f" % (0.2 + 0.1 * rnd.random()), "A"])

os.makedirs(os.path.join(out, "reads"), exist_ok=True)
with gzip.GzipFile(os.path.join(out, "reads", "ami-electric-2026-10.csv.gz"),
                   "wb", mtime=0) as f:
    f.write(b"meter_id,interval_start,interval_minutes,channel,unit,value,quality\n")
    for r in elec:
        f.write(("%s,%s,15,delivered,kWh,%s,%s\n" % tuple(r)).encode())

hourly = []
for (mid, kind, unit, mult) in meters:
    if kind == "electric":
        continue
    scale = 0.6 + 0.8 * rnd.random()
    for q in range(days * 24):
        t = start + timedelta(hours=q)
        h = t.hour
        if kind == "water":
            v = (3 + (25 if 6 <= h < 9 else 0) + (18 if 18 <= h < 21 else 0)) * scale
            v = round(v * (0.6 + 0.8 * rnd.random()))
            if (h < 5 or h == 23) and rnd.random() < 0.9:
                v = 0                      # quiet nights: no flow
            if mid == "W9100040":
                v += 2                     # a running toilet: never zero
            v = "%d" % v
        else:
            v = "%.3f" % ((0.04 + (0.05 if 5 <= h < 9 else 0)) * scale * (0.8 + 0.4 * rnd.random()))
        hourly.append((mid, stamp(t), v))
w(os.path.join(out, "reads", "hourly-water-gas-2026-10.csv"),
  ["meter_id", "interval_start", "interval_minutes", "value"],
  [(m, s, 60, v) for (m, s, v) in hourly])

# Register (dial) reads of four meters, CMEP MEPMD01 register rows in
# utility wall time: 00:00 on 10-01, 10-16 and 11-01, so bill-render shows
# previous/current reads for the October period.  Each register advance
# equals the sum of the meter's intervals (validate-reads SUM_CHECK
# passes).  E9100032 has multiplier 40: its dial moves by the sum of the
# sent values (already divided by 40) and the row's Calculation Constant
# 40 brings the stored register to the billing scale.  E9100002's 11-01
# read is an estimate (quality E): bills mark it.
def milli_sum(rows, mid, before):
    return sum(int(round(float(r[2]) * 1000)) for r in rows
               if r[0] == mid and r[1] < before)

def fmt_milli(m):
    return "%d.%03d" % (m // 1000, m % 1000)

registers = [  # meter, commodity, unit, constant, first dial, rows
    ("E9100001", "E", "KWHREG", "1.0", 18234000, elec),
    ("E9100002", "E", "KWHREG", "1.0", 7345500, elec),
    ("E9100032", "E", "KWHREG", "40", 2210250, elec),
    ("W9100036", "W", "GALREG", "1.0", 1402300000,
     [(m, st, v) for (m, st, v) in hourly]),
]
mid_month = stamp(start + timedelta(days=15))
end_month = stamp(start + timedelta(days=days))
with open(os.path.join(out, "reads", "registers-2026-10.cmep"), "w",
          newline="") as f:
    for mid, com, units, const, dial0, rows in registers:
        d1 = dial0 + milli_sum(rows, mid, mid_month)
        d2 = dial0 + milli_sum(rows, mid, end_month)
        q2 = "E0" if mid == "E9100002" else "R0"
        f.write("MEPMD01,20080501,PVMU-AMI,PVMU:1,%s,%s,202611010600,%s,"
                "OK,%s,%s,%s,00000000,3,202610010000,R0,%s,"
                "202610160000,R0,%s,202611010000,%s,%s\n"
                % (mid, mid, mid, com, units, const, fmt_milli(dial0),
                   fmt_milli(d1), q2, fmt_milli(d2)))

# --- payments -----------------------------------------------------------
pays = []
for n, a in enumerate(sorted(x[0] for x in accounts)):
    if n % 4 == 3:
        continue  # no payment yet
    amt = [45, 60, 75, 90, 120, 150][n % 6] + (0 if n % 5 else 0.5)
    if a.startswith("A0003"):
        amt += 300
    pays.append(("2026-11-%02d" % (10 + n % 12), a, "%.2f" % amt,
                 ["check", "ach", "card", "cash"][n % 4], "REF%05d" % (7000 + n)))
pays.append(("2026-11-18", "A99999", "80.00", "check", "REF07999"))
pays.append(("2026-11-19", "", "25.00", "cash", "WALKIN-0001"))
w(os.path.join(out, "payments", "payments-2026-11.csv"),
  ["date", "account_id", "amount", "method", "reference"], pays)
print("wrote %s: %d accounts, %d meters, %d electric rows, %d hourly rows, %d payments"
      % (out, len(accounts), len(meters), len(elec), len(hourly), len(pays)))
