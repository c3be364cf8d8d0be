#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run one billing cycle end to end:
#   registry load, AMI import, validation (VEE), rating, late fees and
#   past due as of the bill date, bill rendering and payment posting.
#
# Usage: scripts/run-cycle.sh [--bin DIR] [--db PATH] [--out DIR]
#                             [--rates DIR] [--shard K/N] [--rerun]
#                             [--account ID] DATADIR CYCLE
#
#   DATADIR  holds registry/ (CSV), reads/ (*.csv, *.csv.gz), payments/
#            (*.csv, optional), or per-cycle reads/CYCLE/ and
#            payments/CYCLE/
#   CYCLE    the bill cycle id (cycles.csv), e.g. 2026-10
#   --bin    directory holding the tools (default: build/ of the source
#            tree, else this script's own directory when the tools are
#            installed beside it, else PATH)
#   --rates  tariff directory (default: DATADIR/rates, else ./rates, else
#            PREFIX/share/billrun/rates of an installation, else the
#            source tree's rates/)
#   --db     store path (default OUT/billing.db)
#   --out    output directory (default out/CYCLE)
#   --shard  run every stage with --shard K/N: the store and outputs hold
#            only shard K's accounts (scripts/run-shards.sh runs all N
#            and merges; docs/scale-out.md)
#   --rerun  OUT holds a finished run (its manifest.txt): write this run
#            to OUT/run-N/ (N = 2, 3, ...: the first without a manifest)
#            with its own manifest, into the same store; earlier runs'
#            files stay as they were.  Without --rerun such an OUT is
#            refused (exit 73).  A folder without manifest.txt (a run
#            that did not finish) is simply written over.
#   --account  one-account rerun: validate, rate and render only account
#            ID (its bill is replaced while still a draft or on hold);
#            import and payments run as usual (files already imported or
#            posted are skipped by their hash)
#
# Outputs in OUT: import-exceptions.csv, exceptions.csv, charges.csv,
# alerts.csv (customer-alerts: leak, high usage, estimated bill),
# exceptions.html (the review page), register.csv and its totals
# register-summary.csv, bills/*.txt, payments.csv and payments-summary.csv,
# audit.csv (the audit chain checked against the previous cycle's manifest
# beside OUT, when there is one), and manifest.txt (SHA-256 of
# every input, tariff and output: the replay record of the run).  A stage exit status of 1 means
# "done, data exceptions found" and the cycle goes on; any other non-zero
# status stops the cycle with a message naming the stage.  The last line
# says bills issued, held, amount held and exceptions open; exit 1 when a
# bill is held or an exception open (the cycle completed), 0 when clean.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
bin=""
rates=""
db=""
out=""
shard=""
rerun=0
account=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --shard) shard=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --rerun) rerun=1; shift ;;
    --account) account=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 && !/SPDX-License-Identifier/ {
      sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) echo "run-cycle: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || { echo "usage: run-cycle.sh [--bin DIR] [--db PATH] [--out DIR] [--rates DIR] [--shard K/N] [--rerun] [--account ID] DATADIR CYCLE" >&2; exit 2; }
data=$1
cycle=$2
# Account and cycle ids keep the registry's charset (letters, digits and
# -_., starting with a letter or digit: they become file names,
# docs/pipeline.md section 1); anything else is refused before any work.
id_ok() { case $1 in ''|[-_.]*|*[!A-Za-z0-9._-]*) return 1 ;; esac; return 0; }
[ -z "$account" ] || id_ok "$account" || {
  echo "run-cycle: --account '$account' is not an account id (letters, digits and -_. only, starting with a letter or digit)" >&2; exit 2; }
id_ok "$cycle" || {
  echo "run-cycle: cycle '$cycle' is not a cycle id (letters, digits and -_. only, starting with a letter or digit)" >&2; exit 2; }
[ -d "$data/registry" ] || { echo "run-cycle: '$data/registry' not found" >&2; exit 66; }
[ -n "$bin" ] || { [ -x "$src/build/ami-import" ] && bin="$src/build"; } ||
  { [ -x "$here/ami-import" ] && bin="$here"; }
[ -n "$bin" ] && PATH="$(cd "$bin" && pwd):$PATH"
[ -n "$out" ] || out="out/$cycle"
mkdir -p "$out" || exit 73
[ -n "$db" ] || db="$out/billing.db"
# An earlier finished run (its manifest.txt) is never written over.
if [ -f "$out/manifest.txt" ]; then
  [ $rerun -eq 1 ] || {
    echo "run-cycle: '$out' holds a finished run (manifest.txt); give --rerun to write OUT/run-N/ beside it" >&2; exit 73; }
  n=2
  while [ -f "$out/run-$n/manifest.txt" ]; do n=$((n + 1)); done
  out="$out/run-$n"
  rm -rf "$out"
  mkdir -p "$out" || exit 73
  echo "run-cycle: rerun: outputs in $out" >&2
fi
if [ -z "$rates" ]; then
  for r in "$data/rates" ./rates "$src/share/billrun/rates" "$src/rates"; do
    [ -d "$r" ] && { rates=$r; break; }
  done
  [ -n "$rates" ] || {
    echo "run-cycle: no rates directory (--rates DIR, ./rates or $src/share/billrun/rates)" >&2; exit 66; }
fi
[ -d "$rates" ] || { echo "run-cycle: rates directory '$rates' not found" >&2; exit 66; }

stage() {
  name=$1; shift
  if [ -n "$shard" ]; then
    # --shard K/N after the tool name (the tool's own option).
    tool=$1; shift
    set -- "$tool" --shard "$shard" "$@"
  fi
  "$@"
  rc=$?
  if [ $rc -gt 1 ]; then
    echo "run-cycle: stage '$name' failed with exit status $rc; cycle $cycle stopped" >&2
    exit $rc
  fi
  [ $rc -eq 1 ] && echo "run-cycle: $name: exceptions found (see $out)" >&2
  return 0
}

# reads/CYCLE/ and payments/CYCLE/ hold one cycle's files when a data
# directory carries several cycles (testdata/history); else reads/*.
readdir="$data/reads"
[ -d "$data/reads/$cycle" ] && readdir="$data/reads/$cycle"
paydir="$data/payments"
[ -d "$data/payments/$cycle" ] && paydir="$data/payments/$cycle"
set --
for f in "$readdir"/*; do [ -f "$f" ] && set -- "$@" "$f"; done
stage registry ami-import --db "$db" --registry "$data/registry" -o /dev/null
# The audit chain against the head recorded by the previous cycle (by
# cycles.csv order): its newest manifest.txt beside OUT (OUT/../PREV/ or
# one level below it).  A deleted or rewritten history is reported in
# audit.csv (exit 1: the cycle goes on, the message names it).
prev=$(tr -d '\r' <"$data/registry/cycles.csv" 2>/dev/null |
  awk -F, -v c="$cycle" 'NR > 1 { if ($1 == c) { print p; exit } p = $1 }')
if [ -n "$prev" ]; then
  pm=$(ls -t "$(dirname "$out")/$prev/manifest.txt" \
    "$(dirname "$out")/$prev"/*/manifest.txt 2>/dev/null | head -1)
  [ -n "$pm" ] && stage audit audit-verify --db "$db" --manifest "$pm" -o "$out/audit.csv"
fi
stage import ami-import --db "$db" -o "$out/import-exceptions.csv" "$@"
acct=""
[ -n "$account" ] && acct="--account $account"
# $acct unquoted: empty, or --account and an id of the registry charset.
stage validate validate-reads --db "$db" --cycle "$cycle" $acct -o "$out/exceptions.csv"
stage rate rate-apply --db "$db" --cycle "$cycle" --rates "$rates" $acct -o "$out/charges.csv"
# The review page of the cycle's warn and hold exceptions, after rating so
# held drafts carry their projected amounts (docs/review.md).  It only
# reads the store (a shard store holds its own accounts): no --shard.
billing-report review --db "$db" --cycle "$cycle" -o "$out/exceptions.html" || {
  rc=$?; echo "run-cycle: stage 'review' failed with exit status $rc; cycle $cycle stopped" >&2; exit $rc; }
# Late fees and past due as of the bill date, before the bills, so this
# bill shows the fee and the past-due line; payments dated after the bill
# date are posted by the payments stage below (docs/pay-reconcile.md).
bill_date=$(awk -F, -v c="$cycle" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "bill_date") k = i; next }
  $1 == c && k { print $k }' "$data/registry/cycles.csv" 2>/dev/null)
if [ -n "$bill_date" ]; then
  stage latefees pay-reconcile --db "$db" --late-fees --as-of "$bill_date" -o /dev/null
fi
stage alerts customer-alerts --db "$db" --cycle "$cycle" $acct -o "$out/alerts.csv"
stage render bill-render --db "$db" --cycle "$cycle" $acct --out-dir "$out/bills" -o "$out/register.csv"
set --
if [ -d "$paydir" ]; then
  for f in "$paydir"/*; do [ -f "$f" ] && set -- "$@" "$f"; done
fi
if [ $# -gt 0 ]; then
  stage payments pay-reconcile --db "$db" -o "$out/payments.csv" "$@"
fi
# The run manifest: SHA-256 of every input and output, paths relative to
# DATADIR, the rates directory and OUT, sorted, so two runs of the same
# cycle can be compared by their manifests alone.
manifest() {
  echo "# billrun cycle manifest"
  echo "cycle $cycle"
  (cd "$data" && find registry "${readdir#"$data"/}" "${paydir#"$data"/}" -type f 2>/dev/null | LC_ALL=C sort -u |
     while read -r f; do printf 'input %s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$f"; done)
  (cd "$rates" && find . -type f -name '*.yaml' | LC_ALL=C sort |
     while read -r f; do printf 'rate %s rates/%s\n' "$(sha256sum <"$f" | cut -c1-64)" "${f#./}"; done)
  printf 'audit %s\n' "$(audit-verify --db "$db" --head)"
  (cd "$out" && find . -path './run-*' -prune -o -type f ! -name 'billing.db*' ! -name manifest.txt ! -name '*.tmp' -print | LC_ALL=C sort |
     while read -r f; do printf 'output %s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "${f#./}"; done)
}
manifest >"$out/manifest.txt.tmp" && mv "$out/manifest.txt.tmp" "$out/manifest.txt" || {
  echo "run-cycle: cannot write '$out/manifest.txt'" >&2; exit 73; }
echo "run-cycle: cycle $cycle done; outputs in $out (manifest.txt)" >&2
# The summary line cron alerts on: bills issued and held (with the amount
# held, from the register: status and current_charges are counted from
# the end of the row, names may hold commas) and exceptions still open
# (warn or hold rows of exceptions.csv; severity is column 4, status the
# last).  Exit 1, "done, exceptions found", when any bill is held or any
# exception open; 0 when clean.
summary=$(awk -F, 'FILENAME ~ /register.csv$/ && FNR > 1 {
    st = $(NF - 6); if (st == "issued") iss++
    if (st == "hold") { held++; v = $(NF - 2); sub(/\./, "", v); c += v } }
  FILENAME ~ /exceptions.csv$/ && FNR > 1 && ($4 == "warn" || $4 == "hold") && $NF == "open" { open++ }
  END { printf "%d %d %s%d.%02d %d\n", iss, held, c < 0 ? "-" : "",
    (c < 0 ? -c : c) / 100, (c < 0 ? -c : c) % 100, open }' \
  "$out/register.csv" "$out/exceptions.csv")
set -- $summary
echo "run-cycle: cycle $cycle: $1 bills issued, $2 held ($3 held), $4 exceptions open" >&2
[ "$2" -eq 0 ] && [ "$4" -eq 0 ] || exit 1
exit 0
