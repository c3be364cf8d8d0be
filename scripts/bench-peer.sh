#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench-peer.sh: billrun against a peer on the bench month.  The same
# RES-TOU bills are computed by billrun (registry load, ami-import,
# validate-reads, rate-apply into a fresh store, audit log on) and by
# DuckDB (scripts/peer/res-tou.mjs: one SQL run over the registry CSVs
# and reads.csv.gz, prices, TOU periods, holidays and rounding rule taken
# from rates/RES-TOU.yaml, local time in the utility's zone; no store, no
# validation, no audit log); every RES-TOU bill's lines (code, quantity,
# cents) and total must be equal to the cent; both times are printed side
# by side.
#
#   scripts/bench-peer.sh [--bin DIR] [--meters N] [--days D] [--work DIR]
#                         [--runs R] [--threads T] [--npm-dir DIR] [--bulk]
#
#   --bin      the billrun tools (default build/ of the source tree)
#   --meters   size of the bench month (default 10000), as scripts/bench.sh
#   --days     days of reads (default 31)
#   --work     where the month and the store go (default /tmp/br-bench;
#              the month is shared with bench.sh and reused)
#   --runs     timed runs, billrun then DuckDB in each (default 3); the
#              medians are printed at the end
#   --threads  DuckDB threads (default: every CPU, DuckDB's default)
#   --npm-dir  install @duckdb/node-api (the version pinned in
#              scripts/peer/package.json) there and keep it; default a
#              temporary folder removed at the end.  Needs node and npm.
#   --bulk     billrun imports with ami-import --bulk (the import's
#              transaction in a rollback journal: pages written once)
#
# Wall seconds and CPU (user + sys) of each process come from GNU time,
# so node's start and DuckDB's load count for the peer as the tools'
# starts count for billrun.  The bills are compared after the timing of
# each run (sqlite3 reads the store).  Benchmarks do not run in CI.
# Exit status: 0 every bill equal; 1 a bill differs (the first
# differences are printed); 2 usage or a missing tool; 70 a stage failed.
set -eu
bin=; meters=10000; days=31; work=/tmp/br-bench; runs=3; threads=; npmdir=; bulk=
usage() {
  echo "usage: bench-peer.sh [--bin DIR] [--meters N] [--days D] [--work DIR] [--runs R] [--threads T] [--npm-dir DIR] [--bulk]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --meters) meters=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --npm-dir) npmdir=$2; shift 2 ;;
    --bulk) bulk=--bulk; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 && !/SPDX-License-Identifier/ {
      sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) usage ;;
  esac
done
case $runs in ''|*[!0-9]*|0) usage ;; esac
src=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$bin" ] || bin=$src/build
bin=$(cd "$bin" && pwd)
for t in node npm sqlite3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench-peer: needs $t" >&2; exit 2; }
done

# The peer, installed outside the source tree.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
if [ -z "$npmdir" ]; then npmdir=$tmp/peer; fi
mkdir -p "$npmdir"
npmdir=$(cd "$npmdir" && pwd)
cp "$src/scripts/peer/package.json" "$src/scripts/peer/res-tou.mjs" "$npmdir/"
if [ ! -d "$npmdir/node_modules/@duckdb/node-api" ]; then
  echo "installing @duckdb/node-api into $npmdir ..." >&2
  (cd "$npmdir" && npm install --no-audit --no-fund --loglevel=error >&2) ||
    { echo "bench-peer: npm install failed" >&2; exit 2; }
fi

data=$work/$meters-$days
. "$src/scripts/bench-month.sh"
bench_month "$data" "$bin" "$src" "$meters" "$days"
cycle=2026-10
db=$work/peer.db

# timed LOG command...: runs it under GNU time; LOG gets "wall user sys
# maxrss_kb".  Exit statuses 0 and 1 (done, with exceptions) are success.
timed() {
  log=$1; shift
  set +e
  /usr/bin/time -f "%e %U %S %M" -o "$log" "$@" >/dev/null 2>"$tmp/err"
  rc=$?
  set -e
  [ $rc -le 1 ] || { echo "bench-peer: $* failed ($rc)" >&2; cat "$tmp/err" >&2; exit 70; }
}
# sum LOG...: "wall cpu peak_mib" over the logs.
sum() {
  cat "$@" | awk '{ w += $1; c += $2 + $3; if ($4 > m) m = $4 }
    END { printf "%.2f %.2f %.0f\n", w, c, m / 1024 }'
}

billrun() {
  rm -f "$db" "$db-wal" "$db-shm"
  sync
  timed "$tmp/t.reg" "$bin/ami-import" --db "$db" --registry "$data/registry" -o /dev/null
  timed "$tmp/t.imp" "$bin/ami-import" --db "$db" $bulk -o /dev/null "$data/reads.csv.gz"
  timed "$tmp/t.val" "$bin/validate-reads" --db "$db" --cycle $cycle -o /dev/null
  timed "$tmp/t.rate" "$bin/rate-apply" --db "$db" --cycle $cycle --rates "$src/rates" -o /dev/null
}

peer() {
  rm -f "$tmp/peer.csv"
  timed "$tmp/t.peer" node "$npmdir/res-tou.mjs" "$data" "$src/rates" $cycle RES-TOU "$tmp/peer.csv" $threads
}

# The store's RES-TOU bills in the peer's form, both sorted; 0 if equal.
check() {
  sqlite3 -csv "$db" "
    SELECT b.account_id, l.seq, l.code, l.quantity_milli, l.amount_cents
    FROM bill b JOIN bill_line l USING (bill_id)
    WHERE b.cycle_id = '$cycle' AND b.account_id IN (SELECT account_id
      FROM service_agreement WHERE rate_code = 'RES-TOU')
    UNION ALL
    SELECT account_id, 0, 'TOTAL', 0, total_cents FROM bill
    WHERE cycle_id = '$cycle' AND account_id IN (SELECT account_id
      FROM service_agreement WHERE rate_code = 'RES-TOU')" |
    LC_ALL=C sort >"$tmp/billrun.sorted"
  LC_ALL=C sort "$tmp/peer.csv" >"$tmp/peer.sorted"
  nbills=$(grep -c ',0,TOTAL,' "$tmp/billrun.sorted" || true)
  if [ "$nbills" -gt 0 ] && cmp -s "$tmp/billrun.sorted" "$tmp/peer.sorted"; then
    return 0
  fi
  echo "bench-peer: bills differ (billrun $(wc -l <"$tmp/billrun.sorted") rows, DuckDB $(wc -l <"$tmp/peer.sorted") rows; account,seq,code,quantity_milli,cents):" >&2
  diff "$tmp/billrun.sorted" "$tmp/peer.sorted" | sed -n '1,20p' >&2
  return 1
}

echo "bench-peer: $meters meters, $days days, $((meters * days * 96)) reads, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)${bulk:+, ami-import --bulk}"
printf '%-4s %-8s %8s %8s %7s  %s\n' run engine wall_s cpu_s peak_MiB stages
: >"$tmp/b.all"; : >"$tmp/p.all"
r=1
while [ $r -le "$runs" ]; do
  billrun
  read -r bw bc bm <<EOF
$(sum "$tmp/t.reg" "$tmp/t.imp" "$tmp/t.val" "$tmp/t.rate")
EOF
  stages=$(for s in reg imp val rate; do read -r w u y m <"$tmp/t.$s"; printf '%s %s/%.2f  ' $s "$w" "$(echo "$u $y" | awk '{ print $1 + $2 }')"; done)
  printf '%-4s %-8s %8s %8s %7s  %s(wall/cpu s)\n' $r billrun "$bw" "$bc" "$bm" "$stages"
  echo "$bw $bc" >>"$tmp/b.all"
  peer
  read -r pw pc pm <<EOF
$(sum "$tmp/t.peer")
EOF
  printf '%-4s %-8s %8s %8s %7s  %s\n' $r duckdb "$pw" "$pc" "$pm" "$(grep -o 'query.*' "$tmp/err" || true)"
  echo "$pw $pc" >>"$tmp/p.all"
  check || exit 1
  r=$((r + 1))
done
med() {   # column file: the median
  cut -d' ' -f"$1" "$2" | sort -n | awk '{ v[NR] = $1 } END {
    printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
bw=$(med 1 "$tmp/b.all"); bc=$(med 2 "$tmp/b.all")
pw=$(med 1 "$tmp/p.all"); pc=$(med 2 "$tmp/p.all")
echo "bills: $nbills RES-TOU bills, every line and total equal to the cent in every run"
echo "median of $runs: billrun $bw s wall, $bc s CPU; DuckDB $pw s wall, $pc s CPU"
awk -v a="$bw" -v b="$pw" -v c="$bc" -v d="$pc" 'BEGIN {
  printf "billrun / DuckDB: %.2fx wall, %.2fx CPU (goal: wall <= 0.40x)\n", a / b, c / d }'
rm -f "$db" "$db-wal" "$db-shm"
