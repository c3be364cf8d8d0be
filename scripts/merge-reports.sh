#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Merge the reports of N shard runs (--shard K/N) into the report an
# unsharded run writes, byte for byte (docs/scale-out.md).
#
#   scripts/merge-reports.sh [--summary FILE] KIND SHARD_REPORT... >MERGED
#
# KIND says how the tool sorts its rows:
#   exceptions  exceptions.csv (validate-reads) and import-exceptions.csv
#               (ami-import): by account_id, meter_id, date, code, detail,
#               exc_id
#   charges     charges.csv (rate-apply): by account_id, bill_id, then the
#               shard's own order (a bill's lines are all in one shard)
#   register    register.csv (bill-render): by bill_id; also alerts.csv
#               (customer-alerts): by account_id, an account's rows are
#               all in one shard
#   payments    payments.csv (pay-reconcile): by file, then line, then the
#               shard's own order
# The header is kept once.  The reports hold no total rows: --summary FILE
# (register, payments) writes the report's summary (register-summary.csv,
# payments-summary.csv), recomputed from the merged rows (never by adding
# the shards' summaries), byte for byte what the tool writes.
# Exit status: 0 merged; 2 usage; 65 the shard reports do not fit together
# (different headers); 73 the summary cannot be written.
set -u
summary=""
if [ "${1:-}" = "--summary" ]; then
  [ $# -ge 2 ] || { echo "merge-reports: --summary wants a FILE" >&2; exit 2; }
  summary=$2; shift 2
fi
[ $# -ge 2 ] || { echo "usage: merge-reports.sh exceptions|charges|register|payments REPORT..." >&2; exit 2; }
kind=$1; shift
case "$kind" in
  exceptions|charges|register|payments) ;;
  *) echo "merge-reports: unknown kind '$kind'" >&2; exit 2 ;;
esac
[ -z "$summary" ] || [ "$kind" = register ] || [ "$kind" = payments ] || {
  echo "merge-reports: --summary is for the register and payments" >&2; exit 2; }
for f in "$@"; do
  [ -r "$f" ] || { echo "merge-reports: cannot read '$f'" >&2; exit 66; }
done
tmp=$(mktemp -d) || exit 73
# csvsplit(s, f): RFC 4180 fields of one CSV line into f[1..n], returns n;
# shared by both awk passes below.
csvsplit='function csvsplit(s, f,    n, i, c, q, cur) {
  n = 0; cur = ""; q = 0
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q) {
      if (c == "\"") {
        if (substr(s, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0
      } else cur = cur c
    } else if (c == "\"") q = 1
    else if (c == ",") { f[++n] = cur; cur = "" }
    else cur = cur c
  }
  f[++n] = cur
  return n
}'
trap 'rm -rf "$tmp"' EXIT
# Pass 1 (awk): rows become "KEY <SOH> FILEINDEX ROWINDEX <STX> ROW" for a
# stable C-locale sort; header and TOTAL rows go to their own files.
LC_ALL=C awk -v kind="$kind" -v dir="$tmp" '
'"$csvsplit"'
function pad(s, w) { while (length(s) < w) s = "0" s; return s }
# raw(s): a cell as the store holds it, for sorting as the tools do: the
# quote the tools put before a formula-like text (= + - @ tab CR; OWASP
# CSV injection) is not part of the value.
function raw(s,    d) { d = substr(s, 2, 1)
  return substr(s, 1, 1) == "\047" && d != "" && index("=+-@\t\r", d) ? substr(s, 2) : s }
FNR == 1 {
  nfile++
  if (nfile == 1) { header = $0; print $0 > (dir "/header") }
  else if ($0 != header) { print "merge-reports: " FILENAME ": header differs" > "/dev/stderr"; bad = 1 }
  next
}
{
  n = csvsplit($0, f)
  if (kind == "exceptions")
    key = raw(f[5]) "\001" raw(f[6]) "\001" f[7] "\001" f[3] "\001" raw(f[8]) "\001" pad(f[1], 20)
  else if (kind == "charges")
    key = raw(f[2]) "\001" raw(f[1])
  else if (kind == "register")
    key = raw(f[1])
  else
    key = raw(f[1]) "\001" pad(f[2], 20)
  printf "%s\003%s\003%s\002%s\n", key, pad(nfile, 6), pad(FNR, 12), $0
}
END { exit bad ? 65 : 0 }
' "$@" >"$tmp/rows" || exit 65
cat "$tmp/header"
# Sort on the key, then shard index and row index: stable and total.
LC_ALL=C sort -t "$(printf '\003')" -k1,1 -k2,2 -k3,3 "$tmp/rows" | sed "s/^[^$(printf '\002')]*$(printf '\002')//" |
  tee "$tmp/merged"
[ -n "$summary" ] || exit 0
# The summary of the merged rows, byte for byte what the tool writes:
# register (bill-render): bills (issued rows), held (hold rows), amounts
# summed over the issued rows; payments (pay-reconcile): items and amount
# of the posted (posted, refund, chargeback), suspense and returned
# (returned, return-unmatched) rows.  Exact: integer cents.
LC_ALL=C awk -v kind="$kind" '
'"$csvsplit"'
function cents(s,    neg) { neg = substr(s, 1, 1) == "-"; if (neg) s = substr(s, 2)
  sub(/\./, "", s); return neg ? -(s + 0) : s + 0 }
function fmt(v,    neg) { neg = v < 0; if (neg) v = -v
  return sprintf("%s%d.%02d", neg ? "-" : "", int(v / 100), v % 100) }
kind == "register" { csvsplit($0, f)
  if (f[8] == "hold") held++
  if (f[8] != "issued") next
  bills++; for (j = 9; j <= 13; j++) t[j] += cents(f[j]) }
kind == "payments" { csvsplit($0, f); st = f[6]
  g = st == "posted" || st == "refund" || st == "chargeback" ? "posted" : \
      st == "suspense" ? "suspense" : \
      st == "returned" || st == "return-unmatched" ? "returned" : ""
  if (g != "") { n[g]++; a[g] += cents(f[5]) } }
END {
  if (kind == "register") {
    print "bills,held,previous_balance,payments,adjustments,current_charges,amount_due"
    printf "%d,%d", bills, held; for (j = 9; j <= 13; j++) printf ",%s", fmt(t[j]); print ""
  } else {
    print "status,items,amount"
    split("posted suspense returned", gs, " ")
    for (i = 1; i <= 3; i++) printf "%s,%d,%s\n", gs[i], n[gs[i]], fmt(a[gs[i]])
  }
}' "$tmp/merged" >"$summary" || { echo "merge-reports: cannot write '$summary'" >&2; exit 73; }
