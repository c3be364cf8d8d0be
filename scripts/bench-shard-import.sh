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
# and each as a ratio to the unsharded import.  --base DIR: also the N
# --shard imports with DIR's ami-import (an older build, same run).
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
if [ ! -s "$data/reads.csv.gz" ]; then
  mkdir -p "$data"
  "$bin/gen-bench" "$data" "$meters" "$days"
fi
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

echo "bench-shard-import: $meters meters, $days days ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
SHARD=
one=$(cpu "$bin/ami-import" --db "$db" -o /dev/null "$data/reads.csv.gz")
echo "unsharded import             cpu $one s"
for n in $shards; do
  if [ -n "$base" ]; then
    total=0; parts=""; k=1
    while [ $k -le "$n" ]; do
      SHARD="--shard $k/$n"
      c=$(cpu "$base/ami-import" --db "$db" --shard $k/$n -o /dev/null "$data/reads.csv.gz")
      total=$(sum "$total" "$c"); parts="$parts $c"
      k=$((k + 1))
    done
    echo "N=$n base --shard imports     cpu $total s (${parts# }) = $(ratio "$total" "$one") x unsharded"
  fi
  total=0; parts=""
  k=1
  while [ $k -le "$n" ]; do
    SHARD="--shard $k/$n"
    c=$(cpu "$bin/ami-import" --db "$db" --shard $k/$n -o /dev/null "$data/reads.csv.gz")
    total=$(sum "$total" "$c"); parts="$parts $c"
    k=$((k + 1))
  done
  echo "N=$n shard imports (--shard)  cpu $total s (${parts# }) = $(ratio "$total" "$one") x unsharded"
  rm -rf "$work/split"
  SHARD=
  sp=$(cpu "$bin/ami-import" --db "$db" --split "$n" --out-dir "$work/split" "$data/reads.csv.gz")
  total=$sp; parts=""
  k=1
  while [ $k -le "$n" ]; do
    SHARD="--shard $k/$n"
    c=$(cpu "$bin/ami-import" --db "$db" --shard $k/$n -o /dev/null "$work/split/shard-$k-of-$n/reads.csv")
    total=$(sum "$total" "$c"); parts="$parts $c"
    k=$((k + 1))
  done
  echo "N=$n --split + imports        cpu $total s (split $sp; ${parts# }) = $(ratio "$total" "$one") x unsharded"
  rm -rf "$work/split"
done
rm -f "$db" "$db-wal" "$db-shm"
