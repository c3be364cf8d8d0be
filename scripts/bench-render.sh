#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Benchmark bill-render PDF output: builds a store with N accounts (default
# 10000), each with a draft bill for cycle 2026-10 (three bill lines, one
# meter) and 12 earlier issued bills (so the usage history chart has 13
# bars), then times `bill-render --format pdf` and prints bills/s.
#
#   scripts/bench-render.sh [BUILDDIR [N]]
#
# Needs sqlite3.  Works in a temporary directory that is removed at exit.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$src/build}" && pwd)
n=${2:-10000}
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cd "$work"

"$bin/ami-import" --db billing.db --registry "$src/testdata/cases/bill-render/registry" >/dev/null
sqlite3 billing.db <<EOF
BEGIN;
CREATE TEMP TABLE k AS WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL
  SELECT i + 1 FROM k WHERE i < $n) SELECT i, printf('B%06d', i) AS a FROM k;
CREATE TEMP TABLE mo AS WITH RECURSIVE mo(j) AS (SELECT 0 UNION ALL
  SELECT j + 1 FROM mo WHERE j < 11) SELECT j,
  date('2025-10-01', printf('+%d months', j)) AS ps,
  date('2025-10-01', printf('+%d months', j + 1), '-1 day') AS pe FROM mo;
INSERT INTO account SELECT a, 'Customer ' || i, i || ' Bench St, Prairie Valley, IL 61000',
  'active', 'R1' FROM k;
INSERT INTO service_point SELECT 'S' || a, 'electric', i || ' Bench St' FROM k;
INSERT INTO meter SELECT 'M' || a, 'electric', 'kWh', 1000 FROM k;
INSERT INTO meter_install SELECT 'M' || a, 'S' || a, '2019-05-01', NULL FROM k;
INSERT INTO service_agreement SELECT a, 'S' || a, '2019-05-01', NULL, 'RES-FLAT',
  'residential', '' FROM k;
INSERT INTO bill(bill_id, account_id, cycle_id, period_start, period_end,
  bill_date, due_date, status, total_cents)
  SELECT substr(ps, 1, 7) || '-' || a, a, substr(ps, 1, 7), ps, pe, pe, pe,
  'issued', 5000 FROM k, mo;
INSERT INTO bill_meter SELECT substr(ps, 1, 7) || '-' || a, 'M' || a, 1, 'kWh',
  (300 + (i * 7 + j * 31) % 500) * 1000, 0, 0 FROM k, mo;
INSERT INTO bill(bill_id, account_id, cycle_id, period_start, period_end,
  bill_date, due_date, status, total_cents)
  SELECT '2026-10-' || a, a, '2026-10', '2026-10-01', '2026-10-31', '2026-11-03',
  '2026-11-24', 'draft', 1200 + (412 + i % 300) * 122 / 10 + 3 FROM k;
INSERT INTO bill_line(bill_id, seq, sp_id, code, description, quantity_milli,
  unit, rate_micro, amount_cents, trace) SELECT '2026-10-' || a, 1, 'S' || a, 'CUST', 'Customer charge',
  1000, 'month', 12000000, 1200, '' FROM k;
INSERT INTO bill_line(bill_id, seq, sp_id, code, description, quantity_milli,
  unit, rate_micro, amount_cents, trace) SELECT '2026-10-' || a, 2, 'S' || a, 'ENERGY', 'Energy',
  (412 + i % 300) * 1000, 'kWh', 122000, (412 + i % 300) * 122 / 10, '' FROM k;
INSERT INTO bill_line(bill_id, seq, sp_id, code, description, quantity_milli,
  unit, rate_micro, amount_cents, trace) SELECT '2026-10-' || a, 3, 'S' || a, 'TAX', 'Municipal tax',
  0, '', 0, 3, '' FROM k;
INSERT INTO bill_meter SELECT '2026-10-' || a, 'M' || a, 1, 'kWh',
  (412 + i % 300) * 1000, 0, 0 FROM k;
INSERT INTO ledger(account_id, date, kind, ref, amount_cents)
  SELECT a, pe, 'bill', substr(ps, 1, 7) || '-' || a, 5000 FROM k, mo WHERE j = 11;
COMMIT;
EOF
t0=$(date +%s%N)
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "%U %S" -o cpu.txt \
    "$bin/bill-render" --db billing.db --cycle 2026-10 --format pdf --out-dir bills -o register.csv
else
  "$bin/bill-render" --db billing.db --cycle 2026-10 --format pdf --out-dir bills -o register.csv
fi
t1=$(date +%s%N)
got=$(ls bills | grep -c '\.pdf$')
ms=$(( (t1 - t0) / 1000000 ))
[ "$ms" -gt 0 ] || ms=1
echo "bill-render: $got PDF bills in $ms ms wall: $(( got * 1000 / ms )) bills/s"
# CPU time (user + sys) tells the rate on a machine busy with other work.
if [ -f cpu.txt ]; then
  awk -v n="$got" '{ c = $1 + $2; if (c <= 0) c = 0.001;
    printf "bill-render: %.2f s CPU: %d bills/s per core\n", c, n / c }' cpu.txt
fi
[ "$got" -eq "$n" ]
