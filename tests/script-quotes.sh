#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# An apostrophe and a double quote in every string option of every
# script (issue 19): paths (--bin, --db, --out, --rates, --stores, -o,
# --summary, --work, DATADIR, DB, the reports to merge) hold both and
# work, byte for byte as the demo's expected outputs; ids (--account,
# CYCLE, gen-jobs's --cycle and --image) that the registry's charset does
# not allow are refused with a message naming the option (exit 2), before
# any work.
#   tests/script-quotes.sh BUILDDIR
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
q="o'q\"d"                      # the awkward part of every name below
T="$tmp/$q"
mkdir -p "$T" || exit 1
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
S="$src/scripts"
exp="$src/testdata/demo/expected"
ln -s "$build" "$T/bin $q"
cp -R "$src/testdata/demo" "$T/data $q"
cp -R "$src/rates" "$T/rates $q"
bin="$T/bin $q"; data="$T/data $q"; rates="$T/rates $q"

# Expect exit 2 and a message naming what was refused.
refused() {   # what-the-message-names command...
  name=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  st=$?
  if [ $st -eq 2 ] && grep -q -- "$name" "$tmp/err"; then ok "refused: $name ($(head -1 "$tmp/err"))"
  else bad "not refused ($st): $*"; cat "$tmp/err"; fi
}

# run-cycle.sh: every path option quoted; the outputs are the demo's.
out="$T/out $q"
TZ=UTC LC_ALL=C "$S/run-cycle.sh" --bin "$bin" --db "$T/db $q.db" --out "$out" \
  --rates "$rates" "$data" 2026-10 2>"$tmp/log"
st=$?
if [ $st -le 1 ] && [ -f "$out/manifest.txt" ]; then
  same=1
  for f in register.csv register-summary.csv charges.csv payments.csv payments-summary.csv \
           exceptions.csv import-exceptions.csv alerts.csv; do
    cmp -s "$exp/$f" "$out/$f" || { bad "run-cycle: $f differs from the demo's"; same=0; }
  done
  [ $same -eq 1 ] && ok "run-cycle.sh with quoted --bin, --db, --out, --rates, DATADIR"
else
  bad "run-cycle.sh failed ($st)"; tail -5 "$tmp/log"
fi
TZ=UTC LC_ALL=C "$S/run-cycle.sh" --bin "$bin" --db "$T/db $q.db" --out "$out" \
  --rates "$rates" --rerun "$data" 2026-10 2>"$tmp/log"
st=$?
if [ $st -le 1 ] && [ -f "$out/run-2/manifest.txt" ] && cmp -s "$exp/register.csv" "$out/run-2/register.csv"; then
  ok "run-cycle.sh --rerun into '$out/run-2'"
else bad "run-cycle.sh --rerun ($st)"; tail -5 "$tmp/log"; fi
for a in "A00001'" 'A00001"' "A'1\"x"; do
  refused "--account" "$S/run-cycle.sh" --bin "$bin" --out "$T/never" --account "$a" "$data" 2026-10
done
refused "cycle '2026'10'" "$S/run-cycle.sh" --bin "$bin" --out "$T/never" "$data" "2026'10"
refused 'cycle .2026"10.' "$S/run-cycle.sh" --bin "$bin" --out "$T/never" "$data" '2026"10'
[ ! -e "$T/never/manifest.txt" ] || bad "a refused run-cycle wrote outputs"

# run-shards.sh: quoted --bin, --out, --stores, --rates and DATADIR.
sh_out="$T/shards $q"
TZ=UTC LC_ALL=C "$S/run-shards.sh" --bin "$bin" --out "$sh_out" --stores "$T/stores $q" \
  --rates "$rates" -j 2 2 "$data" 2026-10 2>"$tmp/log"
st=$?
if [ $st -le 1 ] && cmp -s "$exp/register.csv" "$sh_out/register.csv" &&
   cmp -s "$exp/register-summary.csv" "$sh_out/register-summary.csv" &&
   cmp -s "$exp/payments.csv" "$sh_out/payments.csv" &&
   [ -f "$T/stores $q/shard-2.db" ]; then
  ok "run-shards.sh with quoted --bin, --out, --stores, --rates, DATADIR"
else bad "run-shards.sh ($st)"; tail -5 "$tmp/log"; fi
rm -f "$sh_out/register.csv"
"$S/run-shards.sh" --merge --out "$sh_out" 2 2>"$tmp/log" && cmp -s "$exp/register.csv" "$sh_out/register.csv" &&
  ok "run-shards.sh --merge --out quoted" || { bad "run-shards.sh --merge"; cat "$tmp/log"; }
refused "cycle '20'26'" "$S/run-shards.sh" --bin "$bin" --out "$T/never" 2 "$data" "20'26"

# merge-reports.sh: quoted report paths and --summary.
"$S/merge-reports.sh" --summary "$T/sum $q.csv" register "$sh_out/shard-1/register.csv" \
  "$sh_out/shard-2/register.csv" >"$T/merged $q.csv" 2>"$tmp/err" &&
  cmp -s "$exp/register.csv" "$T/merged $q.csv" && cmp -s "$exp/register-summary.csv" "$T/sum $q.csv" &&
  ok "merge-reports.sh with quoted --summary and reports" || { bad "merge-reports.sh"; cat "$tmp/err"; }

# what-if.sh: quoted --bin, --rates, -o, --summary and DB; ids refused.
"$S/what-if.sh" --bin "$bin" --account A00001 --rates "$rates" -o "$T/impact $q.csv" \
  --summary "$T/impact $q-total.csv" "$T/db $q.db" 2026-10 2>"$tmp/err"
st=$?
if [ $st -le 1 ] && head -1 "$T/impact $q.csv" | grep -q '^bill_id,' &&
   head -1 "$T/impact $q-total.csv" | grep -q '^bills_compared,'; then
  ok "what-if.sh with quoted --bin, --rates, -o, --summary, DB"
else bad "what-if.sh ($st)"; cat "$tmp/err"; fi
for a in "A00001'" 'A00001"'; do
  refused "--account" "$S/what-if.sh" --bin "$bin" --account "$a" "$T/db $q.db" 2026-10 "$rates"
done
refused "cycle" "$S/what-if.sh" --bin "$bin" "$T/db $q.db" "2026'10\"" "$rates"

# bench.sh and bench-import.sh: a quoted --bin and --work (tiny sizes).
if [ -x /usr/bin/time ]; then
  "$S/bench.sh" --bin "$bin" --meters 4 --days 1 --work "$T/bench $q" >"$tmp/out" 2>"$tmp/err" &&
    grep -q rate "$tmp/out" && ok "bench.sh with quoted --bin and --work" ||
    { bad "bench.sh"; cat "$tmp/err"; }
fi
if command -v python3 >/dev/null; then
  "$S/bench-import.sh" --bin "$bin" --meters 3 --days 1 --work "$T/bi $q" >"$tmp/out" 2>"$tmp/err" &&
    ok "bench-import.sh with quoted --bin and --work" || { bad "bench-import.sh"; cat "$tmp/err"; }
fi

# scale/gen-jobs.sh: the values go into a YAML file and a shell script.
refused "usage" "$S/scale/gen-jobs.sh" k8s --cycle "2026'10"
refused "usage" "$S/scale/gen-jobs.sh" k8s --image 'billrun"x'

[ $fail -eq 0 ] && echo "script quotes: every script takes quoted paths and refuses quoted ids"
exit $fail
