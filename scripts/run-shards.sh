#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run one billing cycle as N shard stores in parallel on this machine and
# merge their reports into the reports of an unsharded run (byte for
# byte).  See docs/scale-out.md (also for Slurm and Kubernetes).
#
# Usage: scripts/run-shards.sh [--bin DIR] [--out DIR] [--stores DIR] [-j JOBS]
#                              [--rates DIR] [--rerun] N DATADIR CYCLE
#        scripts/run-shards.sh --merge [--out DIR] N
#
#   N        number of shards (1..1024); shard K of N holds the accounts
#            whose hash is K (lib/store/shard.h)
#   --bin    directory holding the tools (default: build/ of the source
#            tree, else this script's own directory when the tools are
#            installed beside it, else PATH)
#   --rates  tariff directory, passed to run-cycle (default: its lookup)
#   --out    output directory (default out/CYCLE; with --merge required)
#   --stores directory of the shard stores, DIR/shard-K.db (default: a
#            store per cycle, OUT/shard-K/billing.db); keep one across
#            cycles so balances carry forward
#   -j       shards run at once (default: the number of CPUs)
#   --rerun  the shards hold a finished run (OUT/shard-K/manifest.txt):
#            pass --rerun to run-cycle (OUT/shard-K/run-N/, log
#            OUT/shard-K/run-N.log) and merge into OUT/run-N/; without
#            it such an OUT is refused (exit 73) and left as it was
#   --merge  only merge OUT/shard-1 .. OUT/shard-N (written by job-array
#            tasks running scripts/run-cycle.sh --shard K/N --out
#            OUT/shard-K) into OUT
#
# Each shard runs scripts/run-cycle.sh --shard K/N --out OUT/shard-K (its
# own store OUT/shard-K/billing.db, log OUT/shard-K/log).  OUT then holds
# the merged import-exceptions.csv, exceptions.csv, charges.csv,
# register.csv, payments.csv (when there are payments), alerts.csv and
# bills/.
# Exit status: 0 done and clean; 1 done, a shard held bills or has open
# exceptions (run-cycle.sh's 1); 2 usage; 65 shard reports do not merge;
# else the status of the first failed shard.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
# Sibling scripts: scripts/NAME.sh in the source tree, billrun-NAME when
# installed.
sibling() { if [ -f "$here/$1.sh" ]; then echo "$here/$1.sh"; else echo "$here/billrun-$1"; fi; }
bin=""
rates=""
out=""
jobs=""
stores=""
merge_only=0
rerun=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    --stores) stores=$2; shift 2 ;;
    --merge) merge_only=1; shift ;;
    --rates) rates=$2; shift 2 ;;
    --rerun) rerun=1; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 && !/SPDX-License-Identifier/ {
      sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) echo "run-shards: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
  esac
done
usage() {
  echo "usage: run-shards.sh [--bin DIR] [--out DIR] [--stores DIR] [-j JOBS] [--rerun] N DATADIR CYCLE" >&2
  echo "       run-shards.sh --merge --out DIR N" >&2
  exit 2
}
if [ $merge_only -eq 1 ]; then
  [ $# -eq 1 ] && [ -n "$out" ] || usage
else
  [ $# -eq 3 ] || usage
fi
n=$1
case "$n" in ''|*[!0-9]*) usage ;; esac
[ "$n" -ge 1 ] && [ "$n" -le 1024 ] || { echo "run-shards: N must be 1..1024" >&2; exit 2; }

# OUT/shard-K$sub are merged into $merged (a rerun: /run-N of both).
sub=""
merged=""
merge() {
  [ -n "$merged" ] || merged=$out
  for k in $(seq 1 "$n"); do
    [ -f "$out/shard-$k$sub/register.csv" ] || {
      echo "run-shards: shard $k has no register.csv in $out/shard-$k$sub (did it run?)" >&2; exit 66; }
  done
  for r in import-exceptions.csv:exceptions exceptions.csv:exceptions \
           charges.csv:charges register.csv:register payments.csv:payments \
           alerts.csv:register; do
    f=${r%%:*}
    set --
    for k in $(seq 1 "$n"); do
      [ -f "$out/shard-$k$sub/$f" ] && set -- "$@" "$out/shard-$k$sub/$f"
    done
    [ $# -gt 0 ] || continue
    # The register's and payments' summaries are recomputed from the
    # merged rows.
    sf=${f%.csv}-summary.csv
    case $f in
    register.csv|payments.csv) set -- --summary "$merged/$sf.tmp" "${r#*:}" "$@" ;;
    *) set -- "${r#*:}" "$@"; sf="" ;;
    esac
    "$(sibling merge-reports)" "$@" >"$merged/$f.tmp" &&
      { [ -z "$sf" ] || mv "$merged/$sf.tmp" "$merged/$sf"; } &&
      mv "$merged/$f.tmp" "$merged/$f" || {
      rc=$?; echo "run-shards: cannot merge $f" >&2; rm -f "$merged/$f.tmp" ${sf:+"$merged/$sf.tmp"}; exit "$rc"; }
  done
  # Bills: every bill is in exactly one shard.
  rm -rf "$merged/bills"
  mkdir -p "$merged/bills" || exit 73
  for k in $(seq 1 "$n"); do
    [ -d "$out/shard-$k$sub/bills" ] || continue
    (cd "$out/shard-$k$sub/bills" && find . -type f ! -name '*.tmp') | while read -r b; do
      [ -e "$merged/bills/$b" ] && { echo "run-shards: $b is in two shards" >&2; exit 65; }
      mkdir -p "$merged/bills/$(dirname "$b")" && cp "$out/shard-$k$sub/bills/$b" "$merged/bills/$b" || exit 73
    done || exit $?
  done
}

if [ $merge_only -eq 1 ]; then
  merge
  echo "run-shards: merged $n shards into $out" >&2
  exit 0
fi
data=$2
cycle=$3
# The cycle id keeps the registry's charset (it names files and folders).
case $cycle in ''|[-_.]*|*[!A-Za-z0-9._-]*)
  echo "run-shards: cycle '$cycle' is not a cycle id (letters, digits and -_. only, starting with a letter or digit)" >&2; exit 2 ;; esac
[ -d "$data/registry" ] || { echo "run-shards: '$data/registry' not found" >&2; exit 66; }
[ -n "$out" ] || out="out/$cycle"
[ -n "$jobs" ] || jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
[ -n "$bin" ] || { [ -x "$src/build/ami-import" ] && bin="$src/build"; } ||
  { [ -x "$here/ami-import" ] && bin="$here"; }
# Absolute, for run-cycle in any directory; passed as arguments of their
# own (a path may hold blanks or quotes).
[ -z "$bin" ] || bin=$(cd "$bin" && pwd) || exit 66
[ -z "$rates" ] || rates=$(cd "$rates" && pwd) || exit 66
mkdir -p "$out" || exit 73
# A finished earlier run is refused, or rerun beside (run-cycle --rerun).
rerunopt=""
log=log
for k in $(seq 1 "$n"); do
  [ -f "$out/shard-$k/manifest.txt" ] || continue
  [ $rerun -eq 1 ] || {
    echo "run-shards: '$out/shard-$k' holds a finished run (manifest.txt); give --rerun to write run-N/ beside it" >&2; exit 73; }
  r=2
  while [ -f "$out/shard-$k/run-$r/manifest.txt" ]; do r=$((r + 1)); done
  sub="/run-$r"; merged="$out/run-$r"; rerunopt=--rerun; log="run-$r.log"
  break
done
[ -z "$merged" ] || mkdir -p "$merged" || exit 73
for k in $(seq 1 "$n"); do
  mkdir -p "$out/shard-$k" || exit 73
  rm -f "$out/shard-$k/$log.status"
done
if [ -n "$stores" ]; then
  mkdir -p "$stores" || exit 73
  stores=$(cd "$stores" && pwd)
fi
# One shard per line to xargs; each writes its log and exit status.
# xargs appends the shard number K as $9; the rates directory comes in
# BR_SHARD_RATES.  No value is ever split or evaluated.
seq 1 "$n" | BR_SHARD_RATES="$rates" xargs -n 1 -P "$jobs" sh -c '
  k=$9 cyc=$0 bn=$1 nn=$2 o=$3 d=$4 c=$5 re=$7 lg=$8
  db="$o/shard-$k/billing.db"; [ -n "$6" ] && db="$6/shard-$k.db"
  set -- --shard "$k/$nn" --db "$db" --out "$o/shard-$k" "$d" "$c"
  [ -z "$re" ] || set -- "$re" "$@"
  [ -z "$BR_SHARD_RATES" ] || set -- --rates "$BR_SHARD_RATES" "$@"
  [ -z "$bn" ] || set -- --bin "$bn" "$@"
  "$cyc" "$@" >"$o/shard-$k/$lg" 2>&1
  echo $? >"$o/shard-$k/$lg.status"' "$(sibling run-cycle)" "$bin" "$n" \
  "$out" "$data" "$cycle" "$stores" "$rerunopt" "$log"
# Status 1 is a completed shard with held bills or open exceptions
# (run-cycle.sh); anything else but 0 is a failure.
found=0
for k in $(seq 1 "$n"); do
  st=$(cat "$out/shard-$k/$log.status" 2>/dev/null || echo 70)
  [ "$st" = 1 ] && { found=1; continue; }
  if [ "$st" != 0 ]; then
    echo "run-shards: shard $k/$n failed with status $st:" >&2
    sed 's/^/  /' "$out/shard-$k/$log" >&2
    exit "$st"
  fi
done
merge
echo "run-shards: cycle $cycle done in $n shards; merged outputs in ${merged:-$out}" >&2
exit $found
