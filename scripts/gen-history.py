#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate testdata/history: three consecutive monthly cycles (2026-08,
2026-09, 2026-10) of a small mixed utility in America/Denver, for the
replay test (scripts/check-history.sh).

Electric: TOU, TOU with NEM 2 netting and rooftop solar (delivered and
received channels), net billing (NBT) with solar, C&I TOU demand with a
ratchet (one meter with a x80 CT multiplier, one meter exchanged on
2026-10-12).  Water with sewer on winter average.  Gas on CCF meters
billed in therms.  One move-out/move-in on 2026-09-15/16 (partial bills).
Each cycle has its reads in reads/CYCLE/ and the payments for its bills
(received after the bill date) in payments/CYCLE/.

Deterministic (fixed seed); the output is committed, CI never runs this.
"""
import gzip, os, random, sys
from datetime import datetime, timedelta, timezone

out = sys.argv[1] if len(sys.argv) > 1 else "testdata/history"
rnd = random.Random(20260801)
MDT = timezone(timedelta(hours=-6))   # Aug-Oct 2026 are all MDT in Denver

def w(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(('"%s"' % c) if "," in str(c) else str(c)
                             for c in r) + "\n")

plan = ([("electric", "RES-TOU", "residential", "")] * 4 +
        [("electric", "RES-TOU-NEM2", "residential", "NEM2")] * 3 +
        [("electric", "RES-NBT", "residential", "NBT")] * 2 +
        [("electric", "GS-TOU-DEMAND", "commercial", "")] * 3 +
        [("water", "WATER-SEWER", "residential", "")] * 4 +
        [("gas", "GAS-CCF", "residential", "")] * 4)
names = ["Avery Cole", "Blake Ruiz", "Casey Lin", "Drew Patel", "Emery Stone",
         "Finley Ortiz", "Gray Novak", "Harper Quinn", "Indigo Park",
         "Juniper Cafe LLC", "Kestrel Machine Works", "Larkspur Grocery",
         "Morgan Wells", "Noel Brandt", "Oakley Shaw", "Parker Lowe",
         "Quinn Foster", "Reese Alvarez", "Sage Hollis", "Tatum Reyes"]
accounts, sps, meters, installs, agreements = [], [], [], [], []
for i, (kind, rate, cls, nem) in enumerate(plan, start=1):
    acct, sp = "C%04d" % i, "P%04d" % i
    addr = "%d Ridge Rd, Cedar Creek, CO 80000" % (10 * i)
    accounts.append((acct, names[i - 1], addr, "active", "R1"))
    sps.append((sp, kind, addr))
    unit = {"electric": "kWh", "water": "gal", "gas": "CCF"}[kind]
    mult = "80" if i == 11 else "1"
    mid = {"electric": "E", "water": "W", "gas": "G"}[kind] + "%06d" % (500000 + i)
    meters.append((mid, kind, unit, mult))
    end = "2026-10-11" if i == 12 else ""
    installs.append((mid, sp, "2020-01-01", end))
    aend = "2026-09-15" if i == 2 else ""
    agreements.append((acct, sp, "2020-01-01", aend, rate, cls, nem))
# Move-in at P0002 after C0002 leaves; meter exchange at P0012.
accounts.append(("C0021", "Wren Delgado", "20 Ridge Rd, Cedar Creek, CO 80000", "active", "R1"))
agreements.append(("C0021", "P0002", "2026-09-16", "", "RES-TOU", "residential", ""))
meters.append(("E500099", "electric", "kWh", "1"))
installs.append(("E500099", "P0012", "2026-10-12", ""))
accounts[1] = ("C0002", names[1], accounts[1][2], "inactive", "R1")

reg = os.path.join(out, "registry")
w(os.path.join(reg, "utility.csv"), ["key", "value"], [
    ("name", "Cedar Creek Cooperative"), ("timezone", "America/Denver"),
    ("address", "1 Co-op Way, Cedar Creek, CO 80000"),
    ("phone", "(555) 010-3000"), ("state", "CO"), ("rounding", "half_up")])
w(os.path.join(reg, "accounts.csv"),
  ["account_id", "name", "mailing_address", "status", "cycle_id"], sorted(accounts))
w(os.path.join(reg, "service_points.csv"), ["sp_id", "kind", "address"], sps)
w(os.path.join(reg, "meters.csv"), ["meter_id", "kind", "unit", "multiplier"], meters)
w(os.path.join(reg, "meter_installs.csv"),
  ["meter_id", "sp_id", "install_date", "remove_date"], installs)
w(os.path.join(reg, "agreements.csv"),
  ["account_id", "sp_id", "start_date", "end_date", "rate_code",
   "customer_class", "net_metering"], agreements)
cycles = [("2026-08", "2026-08-01", "2026-08-31", "2026-09-03", "2026-09-24"),
          ("2026-09", "2026-09-01", "2026-09-30", "2026-10-03", "2026-10-24"),
          ("2026-10", "2026-10-01", "2026-10-31", "2026-11-03", "2026-11-24")]
w(os.path.join(reg, "cycles.csv"),
  ["cycle_id", "period_start", "period_end", "bill_date", "due_date"], cycles)

def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S-06:00")

meter_of_sp = {}
for (mid, sp, a, b) in installs:
    meter_of_sp.setdefault(sp, []).append((mid, a, b))

scale = {m[0]: 0.7 + 0.7 * rnd.random() for m in meters}
for (cid, first, last, bdate, due) in cycles:
    y, mo = int(cid[:4]), int(cid[5:])
    start = datetime(y, mo, 1, tzinfo=MDT)
    days = int(last[8:])
    elec, hourly = [], []
    for i, (kind, rate, cls, nem) in enumerate(plan, start=1):
        sp = "P%04d" % i
        for (mid, inst, rem) in meter_of_sp[sp]:
            unit = [m for m in meters if m[0] == mid][0]
            sc = scale[mid]
            if kind == "electric":
                for q in range(days * 96):
                    t = start + timedelta(minutes=15 * q)
                    d = t.strftime("%Y-%m-%d")
                    if d < inst or (rem and d > rem):
                        continue
                    h = t.hour + t.minute / 60.0
                    if rate == "GS-TOU-DEMAND":
                        load = (6.0 if 7 <= h < 18 and t.weekday() < 5 else 1.5) * sc
                        load *= 0.85 + 0.3 * rnd.random()
                        if mid == "E500011":
                            load /= 80
                        solar = 0.0
                    else:
                        load = (0.15 + (0.35 if 16 <= h < 21 else 0) +
                                (0.1 if 6 <= h < 9 else 0)) * sc * (0.8 + 0.4 * rnd.random())
                        solar = 0.0
                        if nem:
                            sun = max(0.0, 1 - abs(h - 12.5) / 5.5)
                            cloud = 0.6 + 0.4 * rnd.random()
                            solar = 0.9 * sun * cloud * (1.0 if mo < 10 else 0.75)
                    deliv = max(0.0, load - solar)
                    recv = max(0.0, solar - load)
                    elec.append((mid, stamp(t), "delivered", "%.3f" % deliv))
                    if nem:
                        elec.append((mid, stamp(t), "received", "%.3f" % recv))
            else:
                for q in range(days * 24):
                    t = start + timedelta(hours=q)
                    h = t.hour
                    if kind == "water":
                        v = (4 + (30 if 6 <= h < 9 else 0) + (20 if 18 <= h < 21 else 0)) * sc
                        v *= (1.3 if mo == 8 else 1.0) * (0.6 + 0.8 * rnd.random())
                        if (h < 5 or h == 23) and rnd.random() < 0.9:
                            v = 0
                        v = "%d" % round(v)
                    else:
                        base = {8: 0.010, 9: 0.014, 10: 0.018}[mo]
                        v = (base + (0.03 if 5 <= h < 9 else 0)) * sc * (0.8 + 0.4 * rnd.random())
                        v = "%.3f" % v
                    hourly.append((mid, stamp(t), v))
    # A defect per cycle: a 30-minute gap (estimated) in one meter.
    gap = {("E500001", stamp(start + timedelta(days=9, hours=14))),
           ("E500001", stamp(start + timedelta(days=9, hours=14, minutes=15)))}
    elec = [r for r in elec if (r[0], r[1]) not in gap]
    rd = os.path.join(out, "reads", cid)
    os.makedirs(rd, exist_ok=True)
    with gzip.GzipFile(os.path.join(rd, "ami-%s.csv.gz" % cid), "wb", mtime=0) as f:
        f.write(b"meter_id,interval_start,interval_minutes,channel,unit,value\n")
        for r in elec:
            f.write(("%s,%s,15,%s,kWh,%s\n" % r).encode())
    w(os.path.join(rd, "hourly-%s.csv" % cid),
      ["meter_id", "interval_start", "interval_minutes", "value"],
      [(m, s, 60, v) for (m, s, v) in hourly])
    # Payments for this cycle's bills, received after the bill date
    # (posted at the end of the cycle's run; the next bill shows them).
    pays = []
    for n, a in enumerate(sorted(x[0] for x in accounts)):
        if (a == "C0021" and cid == "2026-08") or (a == "C0002" and cid == "2026-10"):
            continue
        if n % 5 == 4:
            continue       # not paid this month: a balance carries forward
        amt = [40, 65, 90, 120, 250][n % 5] + (300 if a in ("C0010", "C0011", "C0012") else 0)
        day = int(bdate[8:]) + 5 + n % 9
        pays.append(("%s-%02d" % (bdate[:7], day), a, "%.2f" % amt,
                     ["check", "ach", "card"][n % 3], "H%s%03d" % (cid[5:], n)))
    w(os.path.join(out, "payments", cid, "payments-%s.csv" % cid),
      ["date", "account_id", "amount", "method", "reference"], pays)
print("wrote", out)
