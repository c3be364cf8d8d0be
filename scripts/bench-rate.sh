#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench-rate.sh: rate-apply throughput on a month of 15-minute data.
#
# Usage: scripts/bench-rate.sh [BUILD_DIR [METERS]]
#   BUILD_DIR  directory with ami-import and rate-apply (default build)
#   METERS     number of meters (default 10000)
#
# Builds a store in a temporary directory: METERS commercial accounts on
# rates/GS-TOU-DEMAND.yaml (seasons, TOU energy, maximum demand with an
# 80 % ratchet, TOU demand, a rider and two taxes), registry loaded with
# ami-import, then 31 interval_day rows per meter (October 2026, 96
# slots, varied values) inserted directly with the sqlite3 CLI.  Times
# one `rate-apply --cycle 2026-10` (reading the store, rating, writing
# bills, lines and the charges CSV) and prints bills/s and intervals/s.
# The audit log stays on (as in production): its seal at commit is part
# of the figure.  BENCH_AUDIT=0 drops the triggers to isolate rating.
# Needs sqlite3 and awk.  Removes the temporary directory at the end.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$src/build}
meters=${2:-10000}
bin=$(cd "$bin" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
reg=$tmp/registry
mkdir "$reg"
printf 'key,value\nname,Bench Utility\ntimezone,America/Chicago\nrounding,half_up\n' >"$reg/utility.csv"
printf 'cycle_id,period_start,period_end,bill_date,due_date\n2026-10,2026-10-01,2026-10-31,2026-11-03,2026-11-24\n' >"$reg/cycles.csv"
awk -v n="$meters" -v d="$reg" 'BEGIN {
  a = d "/accounts.csv"; s = d "/service_points.csv"; m = d "/meters.csv"
  i = d "/meter_installs.csv"; g = d "/agreements.csv"
  print "account_id,name,mailing_address,status,cycle_id" > a
  print "sp_id,kind,address" > s
  print "meter_id,kind,unit,multiplier" > m
  print "meter_id,sp_id,install_date,remove_date" > i
  print "account_id,sp_id,start_date,end_date,rate_code,customer_class,net_metering" > g
  for (k = 1; k <= n; k++) {
    printf "A%06d,Bench %d,%d Main St,active,R1\n", k, k, k > a
    printf "S%06d,electric,%d Main St\n", k, k > s
    printf "M%06d,electric,kWh,1\n", k > m
    printf "M%06d,S%06d,2020-01-01,\n", k, k > i
    printf "A%06d,S%06d,2020-01-01,,GS-TOU-DEMAND,commercial,\n", k, k > g
  }
}'
"$bin/ami-import" --db "$tmp/b.db" --registry "$reg" >/dev/null
# 96 little-endian int64 values: 0.5 .. 4.3 kWh
hex=$(awk 'BEGIN { for (s = 0; s < 96; s++) { v = 500 + (s * 37 % 97) * 40
  for (b = 0; b < 8; b++) { printf "%02X", v % 256; v = int(v / 256) } } }')
sqlite3 "$tmp/b.db" "
INSERT INTO import_file(file_id, stage, sha256, name, format)
  VALUES(1, 'bench', 'bench', 'bench', 'bench');
WITH RECURSIVE d(day) AS (
  SELECT CAST(julianday('2026-10-01') - julianday('1970-01-01') AS INTEGER)
  UNION ALL SELECT day + 1 FROM d
  WHERE day < CAST(julianday('2026-10-31') - julianday('1970-01-01') AS INTEGER))
INSERT INTO interval_day(meter_id, channel, day, interval_s, n, vals,
  quality, file_id)
SELECT m.meter_id, 1, d.day, 900, 96, X'$hex', zeroblob(96), 1
FROM meter m, d ORDER BY m.meter_id, d.day;"
if [ "${BENCH_AUDIT:-1}" = 0 ]; then
  sqlite3 "$tmp/b.db" "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master
    WHERE type = 'trigger' AND name LIKE 'audit%'" | sqlite3 "$tmp/b.db"
fi
intervals=$((meters * 31 * 96))
timer=
[ -x /usr/bin/time ] && timer="/usr/bin/time -f %U_%S -o $tmp/cpu"
t0=$(date +%s%N)
$timer "$bin/rate-apply" --db "$tmp/b.db" --cycle 2026-10 \
    --rates "$src/rates" -o "$tmp/charges.csv"
t1=$(date +%s%N)
bills=$(sqlite3 "$tmp/b.db" "SELECT count(*) FROM bill")
cpu=0
[ -s "$tmp/cpu" ] && cpu=$(tr _ ' ' <"$tmp/cpu" | awk '{ print $1 + $2 }')
awk -v ns=$((t1 - t0)) -v b="$bills" -v i="$intervals" -v c="$cpu" 'BEGIN {
  s = ns / 1e9
  printf "rate-apply: %d bills, %d intervals in %.3f s wall\n", b, i, s
  printf "bills/s: %.0f\nintervals/s: %.0f\n", b / s, i / s
  if (c > 0)
    printf "cpu: %.3f s (user+sys): %.0f bills/s, %.0f intervals/s per cpu second\n", c, b / c, i / c }'
