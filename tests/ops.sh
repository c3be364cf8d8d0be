#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Operating billrun from a scheduler (issue 19): a busy store exits 75
# naming the holder, missing rates or registry directories exit 66.
#
#   tests/ops.sh SRCDIR BUILDDIR
set -u
src=$1 bin=$(cd "$2" && pwd)
PATH="$bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }

ami-import --db s.db --registry "$src/testdata/demo/registry" -o /dev/null ||
  err "registry load"

# Busy: sqlite3 holds a write transaction while the tool tries to write.
fifo=hold.fifo
mkfifo "$fifo"
sqlite3 s.db <"$fifo" >/dev/null &
holder=$!
exec 3>"$fifo"
printf 'BEGIN IMMEDIATE;\nSELECT 1;\n' >&3
sleep 0.5
rate-apply --db s.db --cycle 2026-10 --rates "$src/rates" --busy-timeout 1 \
  -o c.csv 2>busy.err
st=$?
[ $st -eq 75 ] || err "busy store: exit $st, want 75"
grep -q 'store is busy (held by another process' busy.err ||
  err "busy store says '$(cat busy.err)'"
[ -e c.csv ] && err "busy store: output written"
# A holder that left its note is named.
echo "pay-reconcile $holder" >s.db.lock
validate-reads --db s.db --cycle 2026-10 --busy-timeout 0 -o /dev/null 2>busy.err
st=$?
[ $st -eq 75 ] || err "busy store (noted): exit $st, want 75"
grep -q "held by pay-reconcile (pid $holder)" busy.err ||
  err "busy store (noted) says '$(cat busy.err)'"
rm -f s.db.lock
printf 'COMMIT;\n' >&3
exec 3>&-
wait $holder
# Free again: the same run succeeds.
rate-apply --db s.db --cycle 2026-10 --rates "$src/rates" -o c.csv 2>/dev/null
st=$?
[ $st -le 1 ] || err "free store: exit $st"
[ -e s.db.lock ] && err "lock note left behind"

# Missing directories say which, exit 66.
rate-apply --db s.db --cycle 2026-10 --rates no-such-rates -o /dev/null 2>miss.err
st=$?
[ $st -eq 66 ] || err "missing rates: exit $st, want 66"
grep -q 'no-such-rates: rates directory not found' miss.err ||
  err "missing rates says '$(cat miss.err)'"
ami-import --db new.db --registry no-such-registry 2>miss.err
st=$?
[ $st -eq 66 ] || err "missing registry: exit $st, want 66"
grep -q 'no-such-registry: registry directory not found' miss.err ||
  err "missing registry says '$(cat miss.err)'"
[ -e new.db ] && err "missing registry: store created"
rate-apply --busy-timeout x --cycle 1 2>/dev/null
[ $? -eq 2 ] || err "--busy-timeout x: want exit 2"

# Progress: on stderr only, forced by --progress, off by default when
# stderr is not a terminal and with --no-progress; outputs unchanged.
validate-reads --db s.db --cycle 2026-10 --progress -o v1.csv 2>p.err
grep -q '^validate-reads: meters [0-9]*/[0-9]* (100%), [0-9]*/s' p.err ||
  err "--progress says '$(cat p.err)'"
bill-render --db s.db --cycle 2026-10 --progress --out-dir b -o r1.csv 2>p.err
grep -q '^bill-render: bills [0-9]*/[0-9]* (100%)' p.err ||
  err "bill-render --progress says '$(cat p.err)'"
validate-reads --db s.db --cycle 2026-10 -o v2.csv 2>p.err
[ -s p.err ] && err "progress without a terminal: '$(cat p.err)'"
validate-reads --db s.db --cycle 2026-10 --progress --no-progress -o v3.csv 2>p.err
[ -s p.err ] && err "--no-progress: '$(cat p.err)'"
cmp -s v1.csv v2.csv && cmp -s v2.csv v3.csv || err "progress changed the output"
grep -q 'meters' v1.csv && err "progress in the data output"

# The run record: one row per writing run (the failed rate-apply with
# its exit status too), listed by billing-report runs; sealed audit
# records carry their run's number.
pay-reconcile --db s.db -o p.csv "$src/testdata/demo/payments/"* 2>/dev/null
billing-report runs --db s.db -o runs.csv || err "billing-report runs: exit $?"
cut -d, -f2,7 runs.csv | tr '\n' ' ' >runs.txt
want="tool,status ami-import,0 rate-apply,0 rate-apply,66 validate-reads,0 bill-render,0 validate-reads,0 validate-reads,0 pay-reconcile,0 "
[ "$(cat runs.txt)" = "$want" ] || err "runs listed: '$(cat runs.txt)', want '$want'"
billing-report runs --db s.db --cycle 2026-10 | cut -d, -f2 | sort -u | tr '\n' ' ' >runs.txt
[ "$(cat runs.txt)" = "bill-render rate-apply tool validate-reads " ] ||
  err "runs --cycle: '$(cat runs.txt)'"
grep -q '^8,pay-reconcile,.*files=1 payments=[1-9]' runs.csv || err "pay-reconcile counts: $(grep pay-reconcile runs.csv)"
grep -q '^2,rate-apply,.*,2026-10,.*bills=[1-9][0-9]* held=' runs.csv || err "rate-apply counts"
grep -q "^8,.*[0-9a-f]\{64\} $src/testdata/demo/payments/" runs.csv || err "pay-reconcile input hash"
# The whole inputs column, however long: the hash of every rates file,
# the last one included (the listing once cut each field at 1,023 bytes).
last=$(cd "$src/rates" && ls *.yaml | LC_ALL=C sort | tail -n 1)
grep -q "^2,rate-apply,.*[0-9a-f]\{64\} [^;]*/$last\"\?\$" runs.csv || err "rate-apply inputs cut: $(grep '^2,' runs.csv | tail -c 120)"
[ "$(sqlite3 s.db 'SELECT count(*) FROM audit_seal WHERE run_id IS NULL')" = 0 ] ||
  err "audit records without a run"
[ "$(sqlite3 s.db 'SELECT group_concat(DISTINCT run_id) FROM audit_seal')" = "2,5,8" ] ||
  err "audit runs: $(sqlite3 s.db 'SELECT group_concat(DISTINCT run_id) FROM audit_seal')"
# -v: one summary line with counts and the elapsed time.
pay-reconcile --db s.db -v -o /dev/null "$src/testdata/demo/payments/"* 2>v.err
grep -q '^pay-reconcile: files=1 payments=[0-9]* late_fees=0; [0-9.]* s$' v.err ||
  err "pay-reconcile -v says '$(cat v.err)'"

# Rerun safety: a cycle folder holding manifest.txt is refused without
# --rerun and left byte-identical; --rerun writes OUT/run-2/ with its
# own manifest; a folder without manifest is written over.
"$src/scripts/run-cycle.sh" --bin "$bin" --out c1 "$src/testdata/demo" 2026-10 2>/dev/null
[ $? -le 1 ] || err "run-cycle: first run failed"
(cd c1 && find . -type f ! -name 'billing.db*' | LC_ALL=C sort | xargs sha256sum) >c1.sums
"$src/scripts/run-cycle.sh" --bin "$bin" --out c1 "$src/testdata/demo" 2026-10 2>rr.err
st=$?
[ $st -eq 73 ] || err "rerun without --rerun: exit $st, want 73"
grep -q "holds a finished run" rr.err || err "rerun refusal says '$(cat rr.err)'"
"$src/scripts/run-cycle.sh" --bin "$bin" --rerun --out c1 "$src/testdata/demo" 2026-10 2>/dev/null
[ $? -le 1 ] || err "run-cycle --rerun failed"
[ -f c1/run-2/manifest.txt ] || err "--rerun: no c1/run-2/manifest.txt"
(cd c1 && sha256sum --quiet -c ../c1.sums) || err "--rerun changed run 1"
grep -q ' run-' c1/manifest.txt && err "run 1's manifest lists run-2"
mkdir -p c1/run-3 && echo partial >c1/run-3/charges.csv
"$src/scripts/run-cycle.sh" --bin "$bin" --rerun --out c1 "$src/testdata/demo" 2026-10 2>/dev/null
grep -q partial c1/run-3/charges.csv && err "unfinished run-3 not written over"
[ -f c1/run-3/manifest.txt ] || err "--rerun: no c1/run-3/manifest.txt"

# An apostrophe and a double quote in every string option and operand of
# every script: paths work, giving the same results; an account or cycle
# id outside the registry's charset is refused (exit 2) before any work
# (tests/script-quotes.sh covers every option of every script).
q="it's \"q\""
mkdir "$q" && cp -r "$src/testdata/demo" "$q/data" || err "copy demo"
"$src/scripts/run-cycle.sh" --bin "$bin" --out "$q/out" --db "$q/s.db" \
  --rates "$src/rates" "$q/data" 2026-10 2>q.err
[ $? -le 1 ] || err "run-cycle with quotes: $(tail -1 q.err)"
cmp -s "$q/out/register.csv" c1/register.csv || err "run-cycle with quotes: register differs"
"$src/scripts/run-cycle.sh" --bin "$bin" --rerun --account "A'1\"" --out "$q/out" \
  --db "$q/s.db" "$q/data" "2026-10" 2>q.err
st=$?
[ $st -eq 2 ] && grep -q "not an account id" q.err || err "run-cycle --account with quotes: exit $st: $(tail -1 q.err)"
"$src/scripts/what-if.sh" --bin "$bin" --account "$q" --rates "$src/rates" \
  -o "$q/w.csv" "$q/s.db" 2026-10 2>q.err
st=$?
[ $st -eq 2 ] && grep -q "not an account id" q.err || err "what-if --account with quotes: exit $st: $(cat q.err)"
"$src/scripts/what-if.sh" --bin "$bin" --rates "$src/rates" -o "$q/w.csv" "$q/s.db" 2026-10 2>q.err
[ $? -le 1 ] || err "what-if with quoted -o and DB: $(cat q.err)"
"$src/scripts/what-if.sh" --bin "$bin" "$q/s.db" "$q" "$src/rates" >/dev/null 2>q.err
grep -q "cycle 'it's \"q\"' is not a cycle id" q.err || err "what-if CYCLE with quotes says '$(cat q.err)'"
grep -qi 'error:\|syntax\|unrecognized token' q.err && err "what-if: SQL error '$(cat q.err)'"
cp "$q/out/register.csv" "$q/a'b\".csv"
"$src/scripts/merge-reports.sh" register "$q/a'b\".csv" >m.csv ||
  err "merge-reports with quotes: exit $?"
cmp -s m.csv "$q/out/register.csv" || err "merge-reports with quotes: differs"
"$src/scripts/run-shards.sh" --bin "$bin" -j 1 --rates "$src/rates" --out "$q/sh" 1 \
  "$q/data" 2026-10 2>q.err
[ $? -le 1 ] || err "run-shards with quotes: $(tail -1 q.err)"
cmp -s "$q/sh/register.csv" c1/register.csv || err "run-shards with quotes: register differs"

[ $fail -eq 0 ] && echo "ops: ok"
exit $fail
