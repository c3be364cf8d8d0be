#!/bin/sh
# Rate what-if: bill a past cycle under proposed tariffs and report the
# revenue and per-account impact, without touching the real store.
#
# Usage: scripts/what-if.sh [--bin DIR] [--account ID] [-o FILE] DB CYCLE RATES_DIR
#
# The store is copied (sqlite3 .backup, consistent even while in use),
# the cycle's bills are removed from the copy only, rate-apply re-rates
# the cycle with RATES_DIR, and bill-diff compares the real bills with the
# what-if bills: one row per changed line with the reason, a TOTAL per
# account and an ALL row with the revenue of both and the difference.
# Exit status: 0 no impact, 1 impact found, other = failure.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
bin=""; account=""; out="-"
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --account) account=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "what-if: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -eq 3 ] || { echo "usage: what-if.sh [--bin DIR] [--account ID] [-o FILE] DB CYCLE RATES_DIR" >&2; exit 2; }
db=$1; cycle=$2; rates=$3
[ -n "$bin" ] || { [ -x "$src/build/rate-apply" ] && bin="$src/build"; }
[ -n "$bin" ] && PATH="$(cd "$bin" && pwd):$PATH"
[ -f "$db" ] || { echo "what-if: store '$db' not found" >&2; exit 66; }
[ -d "$rates" ] || { echo "what-if: rates directory '$rates' not found" >&2; exit 66; }
work=$(mktemp -d) || exit 73
trap 'rm -rf "$work"' EXIT
sqlite3 "$db" ".backup '$work/whatif.db'" || { echo "what-if: cannot copy '$db'" >&2; exit 74; }
scope="cycle_id = '$cycle'"
[ -n "$account" ] && scope="$scope AND account_id = '$account'"
# Only the copy is changed.  Audit triggers fire in the copy; it is
# thrown away.
sqlite3 "$work/whatif.db" "
  DELETE FROM bill_line WHERE bill_id IN (SELECT bill_id FROM bill WHERE $scope);
  DELETE FROM bill_meter WHERE bill_id IN (SELECT bill_id FROM bill WHERE $scope);
  DELETE FROM bill_sp WHERE bill_id IN (SELECT bill_id FROM bill WHERE $scope);
  DELETE FROM bill WHERE $scope;" || exit 70
set -- --db "$work/whatif.db" --cycle "$cycle" --rates "$rates" -o /dev/null
[ -n "$account" ] && set -- "$@" --account "$account"
rate-apply "$@"
rc=$?
[ $rc -le 1 ] || { echo "what-if: rate-apply failed with status $rc" >&2; exit $rc; }
set -- --cycle "$cycle" -o "$out"
[ -n "$account" ] && set -- "$@" --account "$account"
bill-diff "$@" "$db" "$work/whatif.db"
