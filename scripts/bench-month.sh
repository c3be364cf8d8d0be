# SPDX-License-Identifier: Apache-2.0
# bench-month.sh: the bench month of the benchmark scripts, sourced by
# bench.sh, bench-peer.sh and bench-shard-import.sh; not a command of its
# own.  bench_month DATA BIN SRC METERS DAYS writes DATA/reads.csv.gz and
# DATA/registry once (reused after) with BIN's gen-bench, else
# SRC/scripts/gen-bench.py (the same files).
bench_month() {
  [ -s "$1/reads.csv.gz" ] && return 0
  mkdir -p "$1"
  echo "generating $4 meters x $5 days ..." >&2
  if [ -x "$2/gen-bench" ]; then
    "$2/gen-bench" "$1" "$4" "$5"
  else
    python3 "$3/scripts/gen-bench.py" "$1" "$4" "$5"
  fi
}
