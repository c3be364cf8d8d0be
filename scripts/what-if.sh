#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Rate what-if: bill a past cycle under proposed tariffs and report the
# revenue and per-account impact, without touching the real store.
#
# Usage: scripts/what-if.sh [--bin DIR] [--account ID] [--rates DIR] [-o FILE]
#                           [--summary FILE] DB CYCLE [RATES_DIR]
#
# RATES_DIR (or --rates DIR) holds the proposed tariffs; without either,
# ./rates, else PREFIX/share/billrun/rates of an installation.  The tools
# come from --bin DIR, else build/ of the source tree, else this script's
# own directory when they are installed beside it, else PATH.
#
# The store is copied (sqlite3 .backup, consistent even while in use),
# the cycle's bills are removed from the copy only, rate-apply re-rates
# the cycle with RATES_DIR, and bill-diff compares the real bills with the
# what-if bills: one row per changed line with the reason and a
# bill-total row per changed bill (its account's impact).  The revenue of
# both and the difference are the summary, not a row: beside -o X.csv as
# X-summary.csv, or --summary FILE (bill-diff's summary, docs/reports.md).
# Exit status: 0 no impact, 1 impact found, other = failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
bin=""; account=""; out="-"; rates=""; summary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --account) account=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    --summary) summary=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 && !/SPDX-License-Identifier/ {
      sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) echo "what-if: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || { [ $# -eq 3 ] && [ -z "$rates" ]; } || {
  echo "usage: what-if.sh [--bin DIR] [--account ID] [--rates DIR] [-o FILE] [--summary FILE] DB CYCLE [RATES_DIR]" >&2; exit 2; }
db=$1; cycle=$2
# Account and cycle ids keep the registry's charset (letters, digits and
# -_., starting with a letter or digit: they become file names,
# docs/pipeline.md section 1); anything else is refused before any work.
id_ok() { case $1 in ''|[-_.]*|*[!A-Za-z0-9._-]*) return 1 ;; esac; return 0; }
[ -z "$account" ] || id_ok "$account" || {
  echo "what-if: --account '$account' is not an account id (letters, digits and -_. only, starting with a letter or digit)" >&2; exit 2; }
id_ok "$cycle" || {
  echo "what-if: cycle '$cycle' is not a cycle id (letters, digits and -_. only, starting with a letter or digit)" >&2; exit 2; }
[ $# -eq 3 ] && rates=$3
if [ -z "$rates" ]; then
  for r in ./rates "$src/share/billrun/rates"; do
    [ -d "$r" ] && { rates=$r; break; }
  done
  [ -n "$rates" ] || { echo "what-if: no rates directory (RATES_DIR, --rates DIR, ./rates or $src/share/billrun/rates)" >&2; exit 66; }
fi
[ -n "$bin" ] || { [ -x "$src/build/rate-apply" ] && bin="$src/build"; } ||
  { [ -x "$here/rate-apply" ] && bin="$here"; }
[ -n "$bin" ] && PATH="$(cd "$bin" && pwd):$PATH"
[ -f "$db" ] || { echo "what-if: store '$db' not found" >&2; exit 66; }
[ -d "$rates" ] || { echo "what-if: rates directory '$rates' not found" >&2; exit 66; }
work=$(mktemp -d) || exit 73
trap 'rm -rf "$work"' EXIT
# No option value is ever written into SQL: the cycle and the account
# reach sqlite3 as files read by readfile() (the work directory's own
# name comes from mktemp and is checked).
case "$work" in *[\'\"\\]*) echo "what-if: unusable temporary directory '$work'" >&2; exit 73 ;; esac
sqlite3 "$db" ".backup '$work/whatif.db'" || { echo "what-if: cannot copy '$db'" >&2; exit 74; }
printf '%s' "$cycle" >"$work/cycle" && printf '%s' "$account" >"$work/account" || exit 73
# Only the copy is changed.  Audit triggers fire in the copy; it is
# thrown away.
sqlite3 "$work/whatif.db" "
  CREATE TEMP TABLE p AS SELECT
    coalesce(CAST(readfile('$work/cycle') AS TEXT), '') AS cycle,
    coalesce(CAST(readfile('$work/account') AS TEXT), '') AS account;
  CREATE TEMP TABLE gone AS SELECT bill_id FROM bill, p
    WHERE bill.cycle_id = p.cycle AND (p.account = '' OR bill.account_id = p.account);
  DELETE FROM bill_line WHERE bill_id IN (SELECT bill_id FROM gone);
  DELETE FROM bill_meter WHERE bill_id IN (SELECT bill_id FROM gone);
  DELETE FROM bill_sp WHERE bill_id IN (SELECT bill_id FROM gone);
  DELETE FROM bill WHERE bill_id IN (SELECT bill_id FROM gone);" || exit 70
set -- --db "$work/whatif.db" --cycle "$cycle" --rates "$rates" -o /dev/null
[ -n "$account" ] && set -- "$@" --account "$account"
rate-apply "$@"
rc=$?
[ $rc -le 1 ] || { echo "what-if: rate-apply failed with status $rc" >&2; exit $rc; }
set -- --cycle "$cycle" -o "$out"
[ -n "$account" ] && set -- "$@" --account "$account"
[ -n "$summary" ] && set -- "$@" --summary "$summary"
bill-diff "$@" "$db" "$work/whatif.db"
