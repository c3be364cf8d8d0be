#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The 4-shard demo cycle through GNU parallel (ctest label scheduler):
# the shard tasks of scripts/scale/cycle-array.sbatch run as
# `parallel -j 2 sh cycle-array.sbatch ::: 0 1 2 3` (docs/scale-out.md),
# scripts/scale/cycle-merge.sbatch merges, and the reports and bills are
# byte for byte those of an unsharded scripts/run-cycle.sh.  Shard 2 ends
# with status 1 ("done with data exceptions", through a wrapper of
# run-cycle.sh) and is merged; a status other than 0 or 1, or none, fails
# the merge.
#
#   tests/parallel-cycle.sh BUILDDIR
#
# Exit status: 0 passed; 1 failed; 77 skipped (GNU parallel missing)
# unless CI=true, where that fails.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$src/build}" && pwd) || exit 1
started=$(date +%s)
if ! parallel --version 2>/dev/null | grep -q '^GNU parallel'; then
  if [ "${CI:-}" = true ]; then echo "FAIL: GNU parallel not found (CI=true: the test must run)"; exit 1; fi
  echo "SKIP: GNU parallel not found (apt-get install parallel)"
  exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export TZ=UTC LC_ALL=C
"$src/scripts/run-cycle.sh" --bin "$bin" --out "$tmp/one" "$src/testdata/demo" 2026-10 \
  >"$tmp/one.log" 2>&1
rc=$?
[ $rc -le 1 ] || { cat "$tmp/one.log"; fail "unsharded run-cycle failed ($rc)"; }

mkdir -p "$tmp/home/scripts" || exit 1
ln -s "$src/scripts/run-shards.sh" "$src/scripts/merge-reports.sh" "$tmp/home/scripts/"
cat >"$tmp/home/scripts/run-cycle.sh" <<WRAP
#!/bin/sh
"$src/scripts/run-cycle.sh" "\$@" || exit
case " \$* " in *" --shard 2/4 "*) exit 1 ;; esac
WRAP
chmod +x "$tmp/home/scripts/run-cycle.sh"
export BILLRUN_HOME="$tmp/home" BILLRUN_BIN="$bin" BILLRUN_DATA="$src/testdata/demo" \
  BILLRUN_CYCLE=2026-10 BILLRUN_OUT="$tmp/out" BILLRUN_SHARDS=4
# parallel's own status counts the tasks that did not end with 0: shard
# 2's 1 (and any other shard's 1 from run-cycle.sh itself).
timeout 120 parallel --will-cite -j 2 --joblog "$tmp/joblog" \
  sh "$src/scripts/scale/cycle-array.sbatch" ::: 0 1 2 3 >"$tmp/tasks.log" 2>&1
rc=$?
ex=$(awk 'NR > 1 { print $NF, $7 }' "$tmp/joblog" | sort)
ones=$(echo "$ex" | grep -c ' 1$')
[ "$(echo "$ex" | wc -l)" -eq 4 ] && [ $rc -eq "$ones" ] &&
  echo "$ex" | grep -q '^1 1$' && ! echo "$ex" | grep -qv ' [01]$' ||
  { cat "$tmp/tasks.log"; fail "parallel status $rc; task (index status): $ex"; }
for k in 1 2 3 4; do
  [ "$(cat "$tmp/out/shard-$k/status")" = "$(echo "$ex" | awk -v i=$((k - 1)) '$1 == i { print $2 }')" ] ||
    fail "shard $k status file differs from its task's exit status"
done
sh "$src/scripts/scale/cycle-merge.sbatch" 2>"$tmp/merge.log" ||
  { cat "$tmp/merge.log"; fail "merge failed"; }
for f in import-exceptions.csv exceptions.csv charges.csv register.csv payments.csv; do
  cmp "$tmp/one/$f" "$tmp/out/$f" || fail "merged $f differs from the unsharded one"
done
diff -r "$tmp/one/bills" "$tmp/out/bills" >/dev/null || fail "merged bills differ"
echo "ok: 4 tasks through GNU parallel, merged: reports and $(ls "$tmp/one/bills" | wc -l) bills identical to the unsharded run"

# The merge's status check: only 0 and 1 are a completed shard.
merge_status() {	# merge_status STATUS-OF-SHARD-3 (or "none"): exit status of the merge
  rm -f "$tmp/out/register.csv"
  if [ "$1" = none ]; then rm -f "$tmp/out/shard-3/status"; else echo "$1" >"$tmp/out/shard-3/status"; fi
  sh "$src/scripts/scale/cycle-merge.sbatch" 2>"$tmp/merge.log"
  echo $?
}
for c in "0 0" "1 0" "70 70" "74 74" "none 70" "x 70"; do
  set -- $c
  got=$(merge_status "$1")
  [ "$got" = "$2" ] || { cat "$tmp/merge.log"; fail "shard status $1: merge exit $got (want $2)"; }
  if [ "$2" = 0 ]; then
    [ -f "$tmp/out/register.csv" ] || fail "shard status $1: nothing merged"
  else
    [ ! -f "$tmp/out/register.csv" ] || fail "shard status $1: merged anyway"
    grep -q 'shard 3/4' "$tmp/merge.log" || fail "shard status $1: the merge does not name shard 3"
  fi
done
BILLRUN_SHARDS= sh "$src/scripts/scale/cycle-merge.sbatch" 2>/dev/null
[ $? -eq 2 ] || fail "merge without BILLRUN_SHARDS: not a usage error"
sh "$src/scripts/scale/cycle-array.sbatch" 4 2>"$tmp/idx.log"
[ $? -eq 2 ] && grep -q '0-based' "$tmp/idx.log" || fail "index 4 of 4 shards: not a usage error"
echo "ok: merge status check (0, 1 merged; 70, 74, none, x refused); bad index refused"
echo "ok: parallel-cycle in $(($(date +%s) - started)) s"
