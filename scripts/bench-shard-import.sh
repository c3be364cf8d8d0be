#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench-shard-import.sh: CPU of ami-import as N shards against one
# unsharded import of the bench month (scripts/bench.sh's data, made by
# gen-bench when missing).  For each N it prints the CPU (user + sys,
# GNU time) of
#   shard:  the N imports --shard K/N of the whole file (each passes over
#           the rows of other shards' meters), summed;
#   split:  ami-import --split N once, then the N imports --shard K/N of
#           the shard copies, summed;
# and each as a ratio to the unsharded import.  --base DIR: also the
# unsharded import, the N --shard imports and the split with DIR's
# ami-import (an older build), alternating with this build's in the same
# run, its ratios to its own unsharded import.
# Stores go to the work directory and are removed after each run.
#
#   scripts/bench-shard-import.sh [--bin DIR] [--base DIR] [--meters M]
#                                 [--days D] [--work DIR] [--shards "2 4"]
set -eu
bin=; base=; meters=10000; days=31; work=/tmp/br-bench; shards="2 4"
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --base) base=$(cd "$2" && pwd); shift 2 ;;
    --meters) meters=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    *) echo "usage: bench-shard-import.sh [--bin DIR] [--base DIR] [--meters M] [--days D] [--work DIR] [--shards \"2 4\"]" >&2; exit 2 ;;
  esac
done
src=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$bin" ] || bin=$src/build
bin=$(cd "$bin" && pwd)
[ -x /usr/bin/time ] || { echo "bench-shard-import: needs GNU time" >&2; exit 2; }
data=$work/$meters-$days
. "$src/scripts/bench-month.sh"
bench_month "$data" "$bin" "$src" "$meters" "$days"
db=$work/shard-bench.db
cpu() {	# cpu COMMAND...: run it, print its user + sys seconds
  rm -f "$db" "$db-wal" "$db-shm"
  "$bin/ami-import" --db "$db" $SHARD --registry "$data/registry" -o /dev/null
  /usr/bin/time -f "%U %S" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" ||
    [ $? -eq 1 ] || { cat "$work/err.txt" >&2; exit 1; }
  awk '{ printf "%.2f\n", $1 + $2 }' "$work/time.txt"
}
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# shard_imports PREFIX BIN N ONE: the N --shard K/N imports of the whole
# file, and their ratio to ONE (that build's unsharded import).
shard_imports() {
  total=0; parts=""; k=1
  while [ $k -le "$3" ]; do
    SHARD="--shard $k/$3"
    c=$(cpu "$2/ami-import" --db "$db" --shard $k/$3 -o /dev/null "$data/reads.csv.gz")
    total=$(sum "$total" "$c"); parts="$parts $c"
    k=$((k + 1))
  done
  printf "N=%s %-25s cpu %s s (%s) = %s x unsharded\n" "$3" "${1}--shard K/N imports" "$total" "${parts# }" "$(ratio "$total" "$4")"
}
# split_imports PREFIX BIN N ONE: --split N, then the N imports of the
# copies.
split_imports() {
  rm -rf "$work/split"
  SHARD=
  sp=$(cpu "$2/ami-import" --db "$db" --split "$3" --out-dir "$work/split" "$data/reads.csv.gz")
  total=$sp; parts=""; k=1
  while [ $k -le "$3" ]; do
    SHARD="--shard $k/$3"
    c=$(cpu "$2/ami-import" --db "$db" --shard $k/$3 -o /dev/null "$work/split/shard-$k-of-$3/reads.csv")
    total=$(sum "$total" "$c"); parts="$parts $c"
    k=$((k + 1))
  done
  printf "N=%s %-25s cpu %s s (split %s; %s) = %s x unsharded\n" "$3" "${1}--split + imports" "$total" "$sp" "${parts# }" "$(ratio "$total" "$4")"
  rm -rf "$work/split"
}

echo "bench-shard-import: $meters meters, $days days ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
SHARD=
if [ -n "$base" ]; then
  one_base=$(cpu "$base/ami-import" --db "$db" -o /dev/null "$data/reads.csv.gz")
  echo "base unsharded import        cpu $one_base s"
fi
one=$(cpu "$bin/ami-import" --db "$db" -o /dev/null "$data/reads.csv.gz")
echo "unsharded import             cpu $one s"
for n in $shards; do
  # Old and new alternate, so load changes hit both alike; each build's
  # ratios are to its own unsharded import.
  [ -z "$base" ] || shard_imports "base " "$base" "$n" "$one_base"
  shard_imports "" "$bin" "$n" "$one"
  [ -z "$base" ] || split_imports "base " "$base" "$n" "$one_base"
  split_imports "" "$bin" "$n" "$one"
done
rm -f "$db" "$db-wal" "$db-shm"
