#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ami-import --shard K/N passes over the rows of meters at home in another
# shard (lib/import/shard.c); --split N writes per-shard copies of the
# files (lib/import/split.c).  For every data set here and N = 2, 3, 4:
# the N shard stores together hold exactly the interval days, register
# reads and exceptions of one unsharded import, each row in one shard
# only, and the merged exception reports equal the unsharded report byte
# for byte.  Imports of the --split files store the same rows again.  The
# data sets: the demo month, the three history months, the golden case
# inputs, and a registry made here with moves across shards, a meter on
# no agreement, reads outside install windows, quoted and CRLF rows, and
# NEM12 and CMEP files of the same meters (whole 200 blocks and rows of
# other shards' meters passed over unread), and meter ids with a comma.  A NUL byte in a row of
# another shard's meter, and malformed NEM12 structure (no 900, a 400
# without its 300, a control byte, a NEM13 record) in a block of another
# shard's meter, fail every shard as they fail the unsharded import.
#
#   tests/shard-import.sh BUILDDIR
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$src/build}" && pwd) || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C
fail() { echo "FAIL: $*"; exit 1; }
cases=0

dump() {	# dump DB: the rows an import stores, one per line
  sqlite3 "$1" "SELECT 'D', meter_id, channel, day, interval_s, n, hex(vals),
      hex(quality), version FROM interval_day;
    SELECT 'R', meter_id, channel, read_utc, value_milli, quality, version
      FROM register_read;
    SELECT 'E', exc_id, code, account_id, meter_id, date, detail, line
      FROM exception;"
}

files() { sqlite3 "$1" "SELECT name, records FROM import_file ORDER BY 1" | tr '\n' ' '; }

# check NAME REGISTRY [--mapping FILE] FILE...: unsharded against sharded.
check() {
  name=$1 reg=$2; shift 2
  d="$tmp/$name"; mkdir -p "$d"
  "$bin/ami-import" --db "$d/one.db" --registry "$reg" -o /dev/null || fail "$name: registry"
  "$bin/ami-import" --db "$d/one.db" -o "$d/one.csv" "$@"
  want=$?
  [ $want -le 1 ] || fail "$name: unsharded import exit $want"
  dump "$d/one.db" | sort >"$d/one.dump"
  for n in 2 3 4; do
    k=1; reps=""
    while [ $k -le $n ]; do
      db="$d/s$k-$n.db"
      "$bin/ami-import" --db "$db" --shard $k/$n --registry "$reg" -o /dev/null || fail "$name: registry $k/$n"
      "$bin/ami-import" --db "$db" --shard $k/$n -o "$d/s$k-$n.csv" "$@"
      rc=$?
      [ $rc -le 1 ] || fail "$name: shard $k/$n exit $rc"
      # Rows passed over count as read: the same records per file.
      [ "$(files "$db")" = "$(files "$d/one.db")" ] ||
        fail "$name: shard $k/$n import_file records: $(files "$db") (unsharded: $(files "$d/one.db"))"
      reps="$reps $d/s$k-$n.csv"
      k=$((k + 1))
    done
    k=1; while [ $k -le $n ]; do dump "$d/s$k-$n.db"; k=$((k + 1)); done | sort >"$d/sh-$n.dump"
    cmp -s "$d/one.dump" "$d/sh-$n.dump" ||
      { diff "$d/one.dump" "$d/sh-$n.dump" | cut -c1-120 | head; fail "$name: $n shard stores differ from the unsharded store"; }
    sh "$src/scripts/merge-reports.sh" exceptions $reps | cmp -s - "$d/one.csv" ||
      fail "$name: merged report of $n shards differs"
  done
  cases=$((cases + 1))
}

# split_check NAME REGISTRY N [--mapping FILE] FILE...: the --split files
# imported shard by shard store what the unsharded import stores (line
# numbers and file names are the split files': compared without them).
split_check() {
  name=$1 reg=$2 n=$3; shift 3
  d="$tmp/$name"
  "$bin/ami-import" --db "$d/split.db" --registry "$reg" --split "$n" --out-dir "$d/split" "$@" ||
    fail "$name: --split $n exit $?"
  k=1
  while [ $k -le $n ]; do
    db="$d/p$k.db"
    "$bin/ami-import" --db "$db" --shard $k/$n --registry "$reg" -o /dev/null || fail "$name: registry"
    map=""; [ "$1" = --mapping ] && map="--mapping $2"
    "$bin/ami-import" --db "$db" --shard $k/$n $map -o /dev/null "$d/split/shard-$k-of-$n"/*
    [ $? -le 1 ] || fail "$name: import of split shard $k/$n"
    k=$((k + 1))
  done
  strip() { sqlite3 "$1" "SELECT 'D', meter_id, channel, day, interval_s, n,
      hex(vals), hex(quality), version FROM interval_day;
    SELECT 'E', exc_id, code, account_id, meter_id, date, detail FROM exception;"; }
  strip "$d/one.db" | sort >"$d/one.strip"
  k=1; while [ $k -le $n ]; do strip "$d/p$k.db"; k=$((k + 1)); done | sort >"$d/split.strip"
  cmp -s "$d/one.strip" "$d/split.strip" ||
    { diff "$d/one.strip" "$d/split.strip" | head; fail "$name: --split $n imports differ"; }
}

# A registry with moves across shards (accounts C1..C8 on SP1..SP4 over
# time), meters without agreements, and reads outside install windows.
mk="$tmp/mk"; mkdir -p "$mk/reg"
cp "$src/testdata/cases/ami-import/registry/utility.csv" "$src/testdata/cases/ami-import/registry/cycles.csv" "$mk/reg/"
{ echo "account_id,name,mailing_address,status,cycle_id"
  for i in 1 2 3 4 5 6 7 8 9; do echo "C$i,Customer $i,$i Main St,active,R1"; done; } >"$mk/reg/accounts.csv"
{ echo "sp_id,kind,address"
  for i in 1 2 3 4 5 6 7 8 9; do echo "SP$i,electric,$i Main St"; done; } >"$mk/reg/service_points.csv"
{ echo "meter_id,kind,unit,multiplier"
  for i in 1 2 3 4 5 6 7 8 9; do echo "M$i,electric,kWh,1"; done
  echo "MX,electric,kWh,1"; } >"$mk/reg/meters.csv"
{ echo "meter_id,sp_id,install_date,remove_date"
  for i in 1 2 3 4 5 6 7; do echo "M$i,SP$i,2026-10-01,"; done
  echo "M8,SP8,2026-10-01,2026-10-05"
  echo "M9,SP9,2026-10-03,"
  echo "MX,SP1,2020-01-01,2026-09-30"; } >"$mk/reg/meter_installs.csv"
{ echo "account_id,sp_id,start_date,end_date,rate_code,customer_class,net_metering"
  echo "C1,SP1,2020-01-01,2026-10-02,RES-FLAT,residential,"
  echo "C2,SP1,2026-10-03,,RES-FLAT,residential,"
  echo "C3,SP2,2020-01-01,2026-10-02,RES-FLAT,residential,"
  echo "C4,SP2,2026-10-03,,RES-FLAT,residential,"
  for i in 3 4 5 6; do echo "C$((i + 2)),SP$i,2020-01-01,,RES-FLAT,residential,"; done
  echo "C8,SP8,2026-10-02,,RES-FLAT,residential,"; } >"$mk/reg/agreements.csv"
# SP7 and SP9 have no agreement.  Rows: every meter on 2026-09-30 .. 10-06
# (some outside installs, some without agreement), an unknown meter, a
# quoted row and CRLF rows.
awk 'BEGIN {
  print "meter_id,interval_start,value"
  n = split("M1 M2 M3 M4 M5 M6 M7 M8 M9 MX UNK", m, " ")
  for (d = 30; d <= 36; d++)
    for (i = 1; i <= n; i++)
      for (h = 0; h < 24; h += 6) {
        day = d <= 30 ? sprintf("2026-09-%02d", d) : sprintf("2026-10-%02d", d - 30)
        line = sprintf("%s,%sT%02d:00:00,%d.%d", m[i], day, h, i, h)
        if (i == 3 && h == 6) line = sprintf("\"%s\",%sT%02d:00:00,%d.5", m[i], day, h, i)
        if (i == 5 && h == 12) line = line "\r"
        print line
      }
}' >"$mk/reads.csv"
# The same rows twice over in another file (days re-sent, a replacement).
sed 's/,\([0-9]*\)\.\([0-9]\)$/,\1.\21/' "$mk/reads.csv" >"$mk/resend.csv"

check made "$mk/reg" "$mk/reads.csv" "$mk/resend.csv"
split_check made "$mk/reg" 3 "$mk/reads.csv" "$mk/resend.csv"
# Meter ids with a comma inside ("M1,X", quoted) next to rows of meter M1
# that start "M1,X," unquoted (an extra column): the row is M1's, not the
# previous row's meter (the gate and --split match the previous id as a
# prefix only when it has no comma).
cm="$tmp/cm"; mkdir -p "$cm/reg"
cp "$mk/reg/utility.csv" "$mk/reg/cycles.csv" "$cm/reg/"
{ echo "account_id,name,mailing_address,status,cycle_id"
  for i in 1 2 3 4 5 6; do echo "C$i,Customer $i,$i Main St,active,R1"; done; } >"$cm/reg/accounts.csv"
{ echo "sp_id,kind,address"
  for i in 1 2 3 4 5 6; do echo "SP$i,electric,$i Main St"; done; } >"$cm/reg/service_points.csv"
{ echo "meter_id,kind,unit,multiplier"
  for i in 1 2 3 4 5 6; do echo "M$i,electric,kWh,1"; echo "\"M$i,X\",electric,kWh,1"; done; } >"$cm/reg/meters.csv"
{ echo "meter_id,sp_id,install_date,remove_date"
  for i in 1 2 3 4 5 6; do echo "M$i,SP$i,2026-10-01,"; echo "\"M$i,X\",SP$((7 - i)),2026-10-01,"; done; } >"$cm/reg/meter_installs.csv"
{ echo "account_id,sp_id,start_date,end_date,rate_code,customer_class,net_metering"
  for i in 1 2 3 4 5 6; do echo "C$i,SP$i,2020-01-01,,RES-FLAT,residential,"; done; } >"$cm/reg/agreements.csv"
{ echo "meter_id,note,interval_start,value"
  for i in 1 2 3 4 5 6; do
    echo "\"M$i,X\",a,2026-10-01T00:00:00,1.0"
    echo "M$i,X,2026-10-01T06:00:00,2.$i"
  done; } >"$cm/reads.csv"
check comma "$cm/reg" "$cm/reads.csv"
split_check comma "$cm/reg" 2 "$cm/reads.csv"
# Over 1 MiB (read ahead in chunks) with the meter changing every three
# rows: --split queues many short runs per chunk and copy.
awk 'BEGIN {
  print "meter_id,interval_start,value"
  n = split("M1 M2 M3 M4 M5 M6 M7 M8 M9 MX UNK", m, " ")
  for (d = 1; d <= 40; d++)
    for (t = 0; t < 96; t += 3)
      for (i = 1; i <= n; i++)
        for (k = t; k < t + 3; k++)
          printf "%s,2026-%s-%02dT%02d:%02d:00,%d.%d\n", m[i], (d > 31 ? "11" : "10"),
            (d > 31 ? d - 31 : d), k / 4, k % 4 * 15, i, k
}' >"$mk/runs.csv"
[ "$(wc -c <"$mk/runs.csv")" -gt 1048576 ] || fail "runs.csv under 1 MiB"
check runs "$mk/reg" "$mk/runs.csv"
split_check runs "$mk/reg" 2 "$mk/runs.csv"
check demo "$src/testdata/demo/registry" "$src/testdata/demo/reads"/*
split_check demo "$src/testdata/demo/registry" 4 "$src/testdata/demo/reads"/*.csv*
check history "$src/testdata/history/registry" "$src/testdata/history/reads"/*/*
c="$src/testdata/cases/ami-import"
check cases "$c/registry" "$c/0001-basic/reads.csv" "$c/0002-unknown-meter/reads.csv" \
  "$c/0006-match-exceptions/reads.csv"
cp -r "$c/0014-install-exceptions/registry" "$tmp/reg14" && sed -i '$d' "$tmp/reg14/meter_installs.csv"
check installs "$tmp/reg14" "$c/0014-install-exceptions/reads.csv"
check vendor "$c/registry-vendor" --mapping "$src/testdata/mappings/badger-beacon360.yaml" \
  "$src/testdata/samples-ami/beacon360-badger-water-report.csv"
split_check vendor "$c/registry-vendor" 2 --mapping "$src/testdata/mappings/badger-beacon360.yaml" \
  "$src/testdata/samples-ami/beacon360-badger-water-report.csv"

# NEM12 and CMEP files of the same meters: the shards pass over whole 200
# blocks (NEM12) and rows (CMEP) of meters at home in another shard.  M4's
# 300 records lack UpdateDateTime (the file's FORMAT_WARNING), M5 has a V
# day with 400 records, M6 500 records, M7 an E2 stream (unknown), UNK is
# an unknown NMI; the CMEP file has register rows, a History row and
# meter ZZ8 known by its field 5 (M8).
nemblock() {	# nemblock METER [bad]: the 200 block of METER
  awk -v m="$1" -v bad="${2:-}" 'BEGIN {
    i = substr(m, 2) + 0
    printf "200,%s,E1E2,1,E1,N1,S%s,kWh,30,\n", m, m
    if (bad == "400") print "400,1,48,A,,"
    for (d = 30; d <= 36; d++) {
      day = d <= 30 ? sprintf("202609%02d", d) : sprintf("202610%02d", d - 30)
      line = "300," day
      for (k = 1; k <= 48; k++) line = line sprintf(",%d.%03d", i, k + d)
      if (bad == "value" && d == 33) line = line ",x"
      q = (m == "M5" && d == 32) ? "V" : "A"
      if (m == "M4") line = line "," q ",,"
      else line = line "," q ",,,20261010000000,"
      if (bad == "nul" && d == 33) line = line "\001"
      print line
      if (q == "V") { print "400,1,24,A,,"; print "400,25,48,E52,," }
    }
    if (m == "M6") print "500,O,,20261006000000,1234.5,"
    if (m == "M7") {
      print "200,M7,E1E2,2,E2,N2,SM7,kWh,30,"
      line = "300,20261001"
      for (k = 1; k <= 48; k++) line = line ",0.500"
      print line ",A,,,20261010000000,"
    }
  }'
}
nem="$tmp/nem"; mkdir -p "$nem"
{ echo "100,NEM12,202610100000,MDP1,RET1"
  for m in M1 M2 M3 M4 M5 M6 M7 M8 M9 MX UNK; do nemblock $m; done
  echo "900"; } >"$nem/reads.nem12"
awk 'BEGIN {
  n = split("M1 M2 M3 M4 M5 M6 M7 ZZ8 M9 MX UNK", m, " ")
  for (i = 1; i <= n; i++) {
    f5 = m[i] == "ZZ8" ? "M8" : "S" m[i]
    for (d = 30; d <= 36; d++) {
      day = d <= 30 ? sprintf("202609%02d", d) : sprintf("202610%02d", d - 30)
      line = sprintf("MEPMD01,20080501,SENDER,RECV,X%d,%s,202610100000,%s,OK,E,KWH,1.0,00000100,24", i, f5, m[i])
      for (h = 0; h < 24; h++) line = line sprintf(",%s%02d00,R0,%d.%03d", day, h, i, h + d)
      print line
    }
    printf "MEPMD01,20080501,SENDER,RECV,X%d,%s,202610100000,%s,OK,E,KWHREG,1.0,00000000,2,202610010000,R0,%d00.5,202610060000,R0,%d50.5\n", i, f5, m[i], i, i
    printf "MEPMD01,20080501,SENDER,RECV,X%d,%s,202610100000,%s,History,E,KWH,1.0,00000100,1,202610010000,R0,1\n", i, f5, m[i]
  }
}' >"$nem/reads.cmep"
check nem12 "$mk/reg" "$nem/reads.nem12"
check cmep "$mk/reg" "$nem/reads.cmep"

# same_failure NAME FILE: the unsharded import fails with 65 and so does
# every shard of 2 and 3, with the same error (file, line, message).
same_failure() {
  "$bin/ami-import" --db "$tmp/$1.db" --registry "$mk/reg" -o /dev/null "$2" 2>"$tmp/$1.err"
  [ $? -eq 65 ] || fail "$1: unsharded import did not fail with 65"
  for n in 2 3; do
    k=1
    while [ $k -le $n ]; do
      "$bin/ami-import" --db "$tmp/$1-$k-$n.db" --shard $k/$n --registry "$mk/reg" -o /dev/null "$2" 2>"$tmp/$1-$k.err"
      [ $? -eq 65 ] || fail "$1: shard $k/$n did not fail with 65: $(cat "$tmp/$1-$k.err")"
      cmp -s "$tmp/$1.err" "$tmp/$1-$k.err" ||
        fail "$1: shard $k/$n error differs: $(cat "$tmp/$1-$k.err") (unsharded: $(cat "$tmp/$1.err"))"
      k=$((k + 1))
    done
  done
}
hdr="100,NEM12,202610100000,MDP1,RET1"
{ echo "$hdr"; for m in M1 M2 M3 M4 M5 M6; do nemblock $m; done; } >"$nem/no900.nem12"
same_failure nem-no900 "$nem/no900.nem12"
{ echo "$hdr"; for m in M1 M2 M3; do nemblock $m; done; nemblock M4 400; nemblock M5; echo 900; } >"$nem/bad400.nem12"
same_failure nem-bad400 "$nem/bad400.nem12"
{ echo "$hdr"; for m in M1 M2 M3 M4; do nemblock $m; done; nemblock M5 nul; echo 900; } >"$nem/ctl.nem12"
same_failure nem-control "$nem/ctl.nem12"
{ echo "$hdr"; for m in M1 M2 M3 M4 M5; do nemblock $m; done; echo 250,M6; echo 900; } >"$nem/250.nem12"
same_failure nem-250 "$nem/250.nem12"
awk '/,M5,OK,E,KWH,/ && !done { $0 = $0 "\001"; done = 1 } { print }' "$nem/reads.cmep" >"$nem/ctl.cmep"
same_failure cmep-control "$nem/ctl.cmep"
# A bad value in M5's block is read, and fails, in M5's home shard only:
# the others pass over the block unread.
{ echo "$hdr"; for m in M1 M2 M3 M4; do nemblock $m; done; nemblock M5 value; nemblock M6; echo 900; } >"$nem/value.nem12"
"$bin/ami-import" --db "$tmp/v.db" --registry "$mk/reg" -o /dev/null "$nem/value.nem12" 2>/dev/null
[ $? -eq 65 ] || fail "bad NEM12 value: unsharded import did not fail with 65"
failed=0
for k in 1 2 3; do
  "$bin/ami-import" --db "$tmp/v$k.db" --shard $k/3 --registry "$mk/reg" -o /dev/null "$nem/value.nem12" 2>/dev/null
  rc=$?
  [ $rc -le 1 ] || failed=$((failed + 1))
done
[ $failed -eq 1 ] || fail "bad NEM12 value in M5's block: $failed shards of 3 failed, expected M5's home shard only"

# A NUL byte in a row of a meter at home in one shard: every shard fails
# with the unsharded import's error (file, line, field).
printf 'M4,2026-10-04T00:00:00,1\0000\n' >"$tmp/nul.tail"
cat "$mk/reads.csv" "$tmp/nul.tail" >"$tmp/nul.csv"
"$bin/ami-import" --db "$tmp/nul.db" --registry "$mk/reg" -o /dev/null "$tmp/nul.csv" 2>"$tmp/nul.err"
[ $? -eq 65 ] || fail "NUL row: unsharded import did not fail with 65"
for k in 1 2 3; do
  "$bin/ami-import" --db "$tmp/nul$k.db" --shard $k/3 --registry "$mk/reg" -o /dev/null "$tmp/nul.csv" 2>"$tmp/nul$k.err"
  [ $? -eq 65 ] || fail "NUL row: shard $k/3 did not fail with 65"
  cmp -s "$tmp/nul.err" "$tmp/nul$k.err" || fail "NUL row: shard $k/3 error differs: $(cat "$tmp/nul$k.err")"
done
# --split refuses the block formats.
"$bin/ami-import" --db "$tmp/x.db" --registry "$c/registry" --split 2 --out-dir "$tmp/x" \
  "$src/testdata/demo/reads/registers-2026-10.cmep" 2>"$tmp/x.err"
rc=$?
[ $rc -eq 2 ] && grep -q 'split' "$tmp/x.err" || fail "--split of a CMEP file: exit $rc, $(cat "$tmp/x.err")"
echo "ok: $cases data sets as 2, 3 and 4 shards equal the unsharded import; --split; NUL rows and malformed NEM12/CMEP fail every shard alike"
