#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench.sh: a synthetic utility at a given size through the billing cycle,
# timing each stage and printing throughput and peak memory.
#
#   scripts/bench.sh [--bin DIR] [--meters N] [--days D] [--work DIR] [--render]
#                    [--progress] [--bulk]
#
# Generates (once per size, reused) N electric meters with accounts on
# RES-TOU (75 %) and GS-TOU-DEMAND (25 %), one month of 15-minute reads
# (October 2026, America/Chicago, N * D * 96 reads, generic CSV, gzip),
# then, into a fresh store: registry load, ami-import, validate-reads,
# rate-apply and (with --render) bill-render in text.  Prints per stage
# wall seconds, CPU seconds, throughput and peak resident memory (from
# GNU time), and the import+validate+rate total.  Benchmarks do not run
# in CI.  The month is written by the build's gen-bench (tests/bench/),
# else by scripts/gen-bench.py (python3): the same files.
# --bulk imports with ami-import --bulk (a rollback journal instead of the
# WAL for the import's transaction: each page written once; nothing else
# has the bench store open).
# --progress leaves the tools' stderr on the terminal, so their progress
# lines show, each stage ending with its -v line (counts and elapsed time;
# issue 19).
#
# --shards N runs every stage (registry load included) as N shard stores
# WORK/bench-shard-K.db, each tool with --shard K/N, JOBS shards at a
# time (-j, default the number of CPUs); a stage's wall time runs from
# its first shard's start to its last shard's end, its CPU is the sum
# over the shards, its peak the largest single process; per-shard
# figures follow each stage.  --only K[,K...] runs only those shards of
# N, one at a time on an otherwise idle bench (the per-shard cost on a
# machine with a core per shard, docs/performance.md).  Store sizes are
# the sum over the shards (WAL files listed apart).
usage() {
  echo "usage: bench.sh [--bin DIR] [--meters N] [--days D] [--work DIR] [--render] [--progress] [--bulk]" >&2
  echo "                [--shards N [-j JOBS] [--only K[,K...]]]" >&2
  exit 2
}
set -eu
bin=; meters=10000; days=31; work=/tmp/br-bench; render=0; progress=0
shards=0; jobs=; only=; bulk=
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --meters) meters=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --render) render=1; shift ;;
    --progress) progress=1; shift ;;
    --bulk) bulk=--bulk; shift ;;
    --shards) shards=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 && !/SPDX-License-Identifier/ {
      sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) usage ;;
  esac
done
case $shards in *[!0-9]*|'') usage ;; esac
[ "$shards" -le 1024 ] || usage
[ -z "$only$jobs" ] || [ "$shards" -gt 0 ] || usage
[ -n "$jobs" ] || jobs=$(nproc)
[ -z "$only" ] || jobs=1
case $jobs in *[!0-9]*|''|0) usage ;; esac
src=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$bin" ] || bin=$src/build
bin=$(cd "$bin" && pwd)
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 2; }
data=$work/$meters-$days
. "$src/scripts/bench-month.sh"
bench_month "$data" "$bin" "$src" "$meters" "$days"
reads=$((meters * days * 96))
if [ "$shards" -gt 0 ]; then
  . "$src/scripts/bench-shards.sh"
  exit 0
fi
db=$work/bench.db
rm -f "$db" "$db-wal" "$db-shm"
total=0
stage() {   # label count unit command...
  label=$1 count=$2 unit=$3; shift 3
  t0=$(date +%s.%N)
  set +e
  if [ $progress -eq 1 ]; then
    : >"$work/err.txt"
    /usr/bin/time -f "%U %S %M" -o "$work/time.txt" "$@" --progress -v >/dev/null
  else
    /usr/bin/time -f "%U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt"
  fi
  rc=$?
  set -e
  t1=$(date +%s.%N)
  [ $rc -le 1 ] || { echo "bench: $label failed ($rc)"; cat "$work/err.txt"; exit 1; }
  read -r u s m <"$work/time.txt"
  awk -v l="$label" -v n="$count" -v un="$unit" -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" -v m="$m" 'BEGIN {
    w = b - a; c = u + s; if (c <= 0) c = 0.001
    printf "%-15s wall %7.2f s  cpu %7.2f s  %12.0f %s/s (cpu)  peak %6.1f MiB\n",
      l, w, c, n / c, un, m / 1024 }'
  total=$(awk -v t="$total" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", t + b - a }')
}
echo "billrun bench: $meters meters, $days days, $reads reads ($(nproc) cores)${bulk:+, ami-import --bulk}"
"$bin/ami-import" --db "$db" --registry "$data/registry" -o /dev/null
# Earlier runs' dirty pages (a previous bench store is ~300 MiB) are
# written back now, not during the timed stages.
sync
stage ami-import "$reads" reads "$bin/ami-import" --db "$db" $bulk -o /dev/null "$data/reads.csv.gz"
stage validate-reads "$reads" reads "$bin/validate-reads" --db "$db" --cycle 2026-10 -o /dev/null
stage rate-apply "$meters" bills "$bin/rate-apply" --db "$db" --cycle 2026-10 --rates "$src/rates" -o /dev/null
echo "import+validate+rate: $total s wall"
if [ $render -eq 1 ]; then
  rm -rf "$work/bills"
  stage bill-render "$meters" bills "$bin/bill-render" --db "$db" --cycle 2026-10 --format text --out-dir "$work/bills" -o /dev/null
fi
ls -l "$db" | awk '{ printf "store: %.1f MiB\n", $5 / 1048576 }'
