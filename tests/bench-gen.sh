#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# gen-bench (tests/bench/gen_bench.c) writes the month of the reference
# scripts/gen-bench.py: the same registry files byte for byte and the
# same CSV inside reads.csv.gz (the gzip bytes differ), at 0, 1, 37 and 5
# meters over 1, 3, 31 and 120 days (3-digit days).  Skipped (77)
# without python3.
#
#   tests/bench-gen.sh BUILDDIR
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$src/build}" && pwd) || exit 1
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not found"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
for size in "0 1" "1 3" "37 31" "5 120"; do
  set -- $size
  rm -rf "$tmp/py" "$tmp/c"
  mkdir -p "$tmp/py" "$tmp/c"
  python3 "$src/scripts/gen-bench.py" "$tmp/py" "$1" "$2" || fail "gen-bench.py $1 $2 failed"
  "$bin/gen-bench" "$tmp/c" "$1" "$2" || fail "gen-bench $1 $2 failed"
  diff -r "$tmp/py/registry" "$tmp/c/registry" || fail "$1 meters, $2 days: registries differ"
  gzip -dc "$tmp/py/reads.csv.gz" >"$tmp/py/reads.csv" &&
    gzip -dc "$tmp/c/reads.csv.gz" >"$tmp/c/reads.csv" || fail "$1 meters, $2 days: gzip -d failed"
  cmp "$tmp/py/reads.csv" "$tmp/c/reads.csv" || fail "$1 meters, $2 days: reads differ"
  [ "$(wc -l <"$tmp/c/reads.csv")" -eq $(($1 * $2 * 96 + 1)) ] || fail "$1 meters, $2 days: line count"
  [ ! -e "$tmp/c/reads.csv.gz.tmp" ] || fail "reads.csv.gz.tmp left behind"
done
for bad in "$tmp/c x 1" "$tmp/c -1 3" "$tmp/c 1 0" "$tmp/c 1"; do
  "$bin/gen-bench" $bad 2>/dev/null
  [ $? -eq 2 ] || fail "gen-bench $bad: not a usage error"
done
"$bin/gen-bench" /nonexistent/dir 1 1 2>/dev/null
[ $? -eq 73 ] || fail "gen-bench into a missing folder: not 73"
echo "ok: gen-bench writes gen-bench.py's month"
