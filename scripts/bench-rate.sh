#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench-rate.sh: rate-apply throughput on a month of interval data.
#
# Usage: scripts/bench-rate.sh [--runs N] [--hourly] [--compare OLD_BUILD]
#                              [--keep DIR] [BUILD_DIR [METERS]]
#   BUILD_DIR  directory with ami-import and rate-apply (default build)
#   METERS     number of meters (default 10000)
#   --runs N   time rate-apply N times, each on a fresh copy of the store
#              (default 1), and print the median
#   --hourly   hourly data (24 slots a day) instead of 15-minute (96)
#   --compare OLD_BUILD
#              also time OLD_BUILD's rate-apply, alternating with
#              BUILD_DIR run by run (each build gets a store made by its
#              own ami-import, so schema versions may differ)
#   --keep DIR leave each build's prepared store (before rating) in DIR
#              as new.db (and old.db): for callgrind or sqlite3 stats
#
# Builds a store in a temporary directory: METERS commercial accounts on
# rates/GS-TOU-DEMAND.yaml (seasons, TOU energy, maximum demand with an
# 80 % ratchet, TOU demand, a rider and two taxes), registry loaded with
# ami-import, then 31 interval_day rows per meter (October 2026, 96 or
# 24 slots, varied values) inserted directly with the sqlite3 CLI.
# Times `rate-apply --cycle 2026-10` (reading the store, rating, writing
# bills, lines and the charges CSV) and prints bills/s and intervals/s,
# by wall clock and per CPU second (user+sys, GNU time): the machine is
# often shared, so CPU time is the steadier figure.
# The audit log stays on (as in production): its seal at commit is part
# of the figure.  BENCH_AUDIT=0 drops the triggers to isolate rating.
# Needs sqlite3 and awk.  Removes the temporary directory at the end.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
runs=1 slots=96 old= keep=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--hourly) slots=24; shift ;;
	--compare) old=$(cd "$2" && pwd); shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "usage: bench-rate.sh [--runs N] [--hourly]" \
	    "[--compare OLD_BUILD] [--keep DIR] [BUILD_DIR [METERS]]" >&2
	    exit 64 ;;
	*) break ;;
	esac
done
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
# SLOTS little-endian int64 values: 0.5 .. 4.3 kWh (x4 per hour slot)
hex=$(awk -v n=$slots 'BEGIN { for (s = 0; s < n; s++) {
  v = (500 + (s * 37 % 97) * 40) * 96 / n
  for (b = 0; b < 8; b++) { printf "%02X", v % 256; v = int(v / 256) } } }')

# prepare BUILD DB: registry, then the month of interval days
prepare() {
	"$1/ami-import" --db "$2" --registry "$reg" >/dev/null
	sqlite3 "$2" "
INSERT INTO import_file(file_id, stage, sha256, name, format)
  VALUES(1, 'bench', 'bench', 'bench', 'bench');
WITH RECURSIVE d(day) AS (
  SELECT CAST(julianday('2026-10-01') - julianday('1970-01-01') AS INTEGER)
  UNION ALL SELECT day + 1 FROM d
  WHERE day < CAST(julianday('2026-10-31') - julianday('1970-01-01') AS INTEGER))
INSERT INTO interval_day(meter_id, channel, day, interval_s, n, vals,
  quality, file_id)
SELECT m.meter_id, 1, d.day, $((86400 / slots)), $slots, X'$hex',
  zeroblob($slots), 1
FROM meter m, d ORDER BY m.meter_id, d.day;"
	if [ "${BENCH_AUDIT:-1}" = 0 ]; then
		sqlite3 "$2" "SELECT 'DROP TRIGGER ' || name || ';'
		    FROM sqlite_master WHERE type = 'trigger'
		    AND name LIKE 'audit%'" | sqlite3 "$2"
	fi
	sqlite3 "$2" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
}

intervals=$((meters * 31 * slots))
# one timed run: LABEL BUILD TEMPLATE; appends "label wall cpu" to results
run() {
	rm -f "$tmp/run.db" "$tmp/run.db-wal" "$tmp/run.db-shm" "$tmp/cpu"
	cp "$3" "$tmp/run.db"
	timer=
	[ -x /usr/bin/time ] && timer="/usr/bin/time -f %U_%S -o $tmp/cpu"
	t0=$(date +%s%N)
	$timer "$2/rate-apply" --db "$tmp/run.db" --cycle 2026-10 \
	    --rates "$src/rates" -o "$tmp/charges.csv"
	t1=$(date +%s%N)
	bills=$(sqlite3 "$tmp/run.db" "SELECT count(*) FROM bill")
	cpu=0
	[ -s "$tmp/cpu" ] && cpu=$(tr _ ' ' <"$tmp/cpu" |
	    awk '{ print $1 + $2 }')
	awk -v l="$1" -v ns=$((t1 - t0)) -v b="$bills" -v i="$intervals" \
	    -v c="$cpu" 'BEGIN { s = ns / 1e9
	  printf "%s: %d bills, %d intervals in %.3f s wall", l, b, i, s
	  printf " (%.0f bills/s, %.1fM intervals/s)", b / s, i / s / 1e6
	  if (c > 0) printf "; cpu %.3f s: %.0f bills/s per cpu second", c, b / c
	  printf "\n" }'
	echo "$1 $((t1 - t0)) $cpu $bills" >>"$tmp/results"
}

prepare "$bin" "$tmp/new.db"
[ -n "$old" ] && prepare "$old" "$tmp/old.db"
if [ -n "$keep" ]; then
	mkdir -p "$keep"
	cp "$tmp/new.db" "$keep/new.db"
	[ -n "$old" ] && cp "$tmp/old.db" "$keep/old.db"
fi
: >"$tmp/results"
k=0
while [ $k -lt "$runs" ]; do
	k=$((k + 1))
	[ -n "$old" ] && run old "$old" "$tmp/old.db"
	run new "$bin" "$tmp/new.db"
done
# medians per build
for l in ${old:+old} new; do
	awk -v l=$l '$1 == l { w[++n] = $2; c[n] = $3; b = $4 }
	function med(v, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }
	END { s = med(w, n) / 1e9; cs = med(c, n)
	  printf "median of %d, %s: %.3f s wall, %.0f bills/s", n, l, s, b / s
	  if (cs > 0) printf "; cpu %.3f s, %.0f bills/s per cpu second", cs, b / cs
	  printf "\n" }' "$tmp/results"
done
