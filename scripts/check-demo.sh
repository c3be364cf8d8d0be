#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Golden test of the whole demo cycle: run scripts/run-cycle.sh on
# testdata/demo twice against one store (the second run must change
# nothing) and compare every output byte for byte with
# testdata/demo/expected/.
#   scripts/check-demo.sh BUILDDIR [--update]
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$src/build}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exp="$src/testdata/demo/expected"
fail=0
for pass in 1 2; do
  # Exit 1 is a completed cycle (the demo always holds a bill).
  TZ=UTC LC_ALL=C "$src/scripts/run-cycle.sh" --bin "$bin" --db "$work/billing.db" \
    --out "$work/out$pass" "$src/testdata/demo" 2026-10 2>"$work/log$pass"
  st=$?
  [ $st -le 1 ] || {
    echo "FAIL: run-cycle pass $pass failed ($st)"; cat "$work/log$pass"; exit 1; }
  [ $st -eq 1 ] && tail -n 1 "$work/log$pass" | grep -q ': 46 bills issued, 1 held (75.86 held), 3 exceptions open$' || {
    echo "FAIL: run-cycle pass $pass: exit $st, summary '$(tail -n 1 "$work/log$pass")'"; exit 1; }
done
# run-cycle writes the registry report to /dev/null: it must still be the
# device afterwards (outputs to non-regular files are written in place).
[ -c /dev/null ] || { echo "FAIL: /dev/null is no longer a device"; exit 1; }
# Every tool, the read-only audit-verify of the manifest included, closes
# the store cleanly: no -wal or -shm file is left beside it.
for f in "$work/billing.db-wal" "$work/billing.db-shm"; do
  [ ! -e "$f" ] || { echo "FAIL: run-cycle left $(basename "$f") behind"; exit 1; }
done
if [ "${2:-}" = "--update" ]; then
  rm -rf "$exp"
  mkdir -p "$exp"
  cp -R "$work/out1/." "$exp/"
  rm -f "$exp/billing.db" "$exp/manifest.txt"
  echo "updated $exp"
  exit 0
fi
for f in $(cd "$exp" && find . -type f | sort); do
  # Pass 2 re-imports the same files (no-op) and re-renders issued bills.
  if ! cmp -s "$exp/$f" "$work/out1/$f"; then
    echo "FAIL: $f differs from expected"; diff "$exp/$f" "$work/out1/$f" | head -20; fail=1
  fi
done
for f in exceptions.csv register.csv; do
  if ! cmp -s "$work/out1/$f" "$work/out2/$f"; then
    echo "FAIL: rerun changed $f"; diff "$work/out1/$f" "$work/out2/$f" | head -20; fail=1
  fi
done
# Pass 2's import and payment reports are complete (issue 19): the same
# rows as pass 1, listed from the store as already imported or posted.
if ! sed 's/,imported$/,already-imported/' "$work/out1/import-exceptions.csv" |
    cmp -s - "$work/out2/import-exceptions.csv"; then
  echo "FAIL: rerun's import-exceptions.csv is not pass 1's, already imported"; fail=1
fi
cut -d, -f1-5 "$work/out1/payments.csv" >"$work/p1"
cut -d, -f1-5 "$work/out2/payments.csv" >"$work/p2"
if ! cmp -s "$work/p1" "$work/p2"; then
  echo "FAIL: rerun's payments.csv does not list pass 1's items"; diff "$work/p1" "$work/p2" | head; fail=1
elif [ "$(tail -n +2 "$work/out2/payments.csv" | cut -d, -f6 | sort -u)" != already-posted ]; then
  echo "FAIL: rerun's payments.csv posted something"; fail=1
fi
# The manifest must name every output with its true hash.  (It is not in
# expected/: it also hashes rates/, which grows with new sample tariffs.)
m="$work/out1/manifest.txt"
[ -f "$m" ] || { echo "FAIL: no manifest.txt"; fail=1; }
nout=0
while read -r kind hash path; do
  [ "$kind" = output ] || continue
  nout=$((nout + 1))
  [ "$(sha256sum <"$work/out1/$path" | cut -c1-64)" = "$hash" ] || {
    echo "FAIL: manifest hash of $path is wrong"; fail=1; }
done <"$m"
[ "$nout" -eq "$(cd "$work/out1" && find . -type f ! -name 'billing.db*' ! -name manifest.txt | wc -l)" ] || {
  echo "FAIL: manifest lists $nout outputs"; fail=1; }
grep -q '^input .* reads/ami-electric-2026-10.csv.gz$' "$m" || { echo "FAIL: manifest misses an input"; fail=1; }
n=$(cd "$exp" && find . -type f | wc -l)
[ $fail -eq 0 ] && echo "demo cycle: $n expected files identical; rerun is a no-op"
exit $fail
