#!/bin/sh
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
#   register    register.csv (bill-render): by bill_id
#   payments    payments.csv (pay-reconcile): by file, then line, then the
#               shard's own order
# The header is kept once.  The register has no total row: --summary FILE
# (register only) writes its register-summary.csv, recomputed from the
# merged rows (never by adding the shards' summaries), byte for byte what
# bill-render writes.  TOTAL rows (payments) are added up
# column by column: the i-th TOTAL row of every shard is summed into the
# i-th TOTAL row of the result (numbers summed exactly, with their
# decimals; other fields must agree and are kept).
# Exit status: 0 merged; 2 usage; 65 the shard reports do not fit together
# (different headers or TOTAL labels).
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
[ -z "$summary" ] || [ "$kind" = register ] || {
  echo "merge-reports: --summary is for the register only" >&2; exit 2; }
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
FNR == 1 {
  nfile++
  if (nfile == 1) { header = $0; print $0 > (dir "/header") }
  else if ($0 != header) { print "merge-reports: " FILENAME ": header differs" > "/dev/stderr"; bad = 1 }
  ntot = 0
  next
}
{
  n = csvsplit($0, f)
  if (f[1] == "TOTAL" && kind == "payments") {
    ntot++
    print ntot "\002" $0 >> (dir "/totals")
    next
  }
  if (kind == "exceptions")
    key = f[5] "\001" f[6] "\001" f[7] "\001" f[3] "\001" f[8] "\001" pad(f[1], 20)
  else if (kind == "charges")
    key = f[2] "\001" f[1]
  else if (kind == "register")
    key = f[1]
  else
    key = f[1] "\001" pad(f[2], 20)
  printf "%s\003%s\003%s\002%s\n", key, pad(nfile, 6), pad(FNR, 12), $0
}
END { exit bad ? 65 : 0 }
' "$@" >"$tmp/rows" || exit 65
cat "$tmp/header"
# Sort on the key, then shard index and row index: stable and total.
LC_ALL=C sort -t "$(printf '\003')" -k1,1 -k2,2 -k3,3 "$tmp/rows" | sed "s/^[^$(printf '\002')]*$(printf '\002')//" |
  tee "$tmp/merged"
if [ -n "$summary" ]; then
  # bill-render's summary of the merged register: bills (issued), held,
  # and the amounts summed exactly (in cents) over the issued rows.
  LC_ALL=C awk '
'"$csvsplit"'
function cents(s,    neg) { neg = substr(s, 1, 1) == "-"; if (neg) s = substr(s, 2)
  sub(/\./, "", s); return neg ? -(s + 0) : s + 0 }
function fmt(v,    neg) { neg = v < 0; if (neg) v = -v
  return sprintf("%s%d.%02d", neg ? "-" : "", int(v / 100), v % 100) }
{ n = csvsplit($0, f)
  if (f[8] == "hold") held++
  if (f[8] != "issued") next
  bills++; for (j = 9; j <= 13; j++) t[j] += cents(f[j]) }
END { print "bills,held,previous_balance,payments,adjustments,current_charges,amount_due"
  printf "%d,%d", bills, held; for (j = 9; j <= 13; j++) printf ",%s", fmt(t[j]); print "" }
' "$tmp/merged" >"$summary" || { echo "merge-reports: cannot write '$summary'" >&2; exit 73; }
fi
[ -f "$tmp/totals" ] || exit 0
LC_ALL=C awk -F "$(printf '\002')" '
'"$csvsplit"'
# Exact decimal addition: values are scaled to integers of their decimals.
function isnum(s) { return s ~ /^-?[0-9]+(\.[0-9]+)?$/ }
function decs(s) { return index(s, ".") ? length(s) - index(s, ".") : 0 }
function scaled(s, d,    neg, v, k) {
  neg = substr(s, 1, 1) == "-"; if (neg) s = substr(s, 2)
  k = decs(s); sub(/\./, "", s); v = s + 0
  while (k < d) { v *= 10; k++ }
  return neg ? -v : v
}
function fmt(v, d,    neg, p, ip, fp, i) {
  neg = v < 0; if (neg) v = -v
  p = 1; for (i = 0; i < d; i++) p *= 10
  ip = int(v / p); fp = v - ip * p
  s = sprintf("%.0f", ip)
  if (d > 0) s = s "." sprintf("%0" d ".0f", fp)
  return (neg ? "-" : "") s
}
{
  i = $1; row = substr($0, length($1) + 2)
  n = csvsplit(row, f)
  if (!(i in cnt)) { cnt[i] = 1; nf[i] = n; if (i > ni) ni = i
    for (j = 1; j <= n; j++) { val[i, j] = f[j]; d[i, j] = decs(f[j]) }
    for (j = 1; j <= n; j++) if (isnum(f[j])) sum[i, j] = scaled(f[j], d[i, j])
    next }
  for (j = 1; j <= n; j++) {
    if (isnum(f[j]) && isnum(val[i, j])) sum[i, j] += scaled(f[j], d[i, j])
    else if (f[j] != val[i, j]) { print "merge-reports: TOTAL rows differ in column " j > "/dev/stderr"; bad = 1 }
  }
}
END {
  for (i = 1; i <= ni; i++) {
    line = ""
    for (j = 1; j <= nf[i]; j++)
      line = line (j > 1 ? "," : "") (isnum(val[i, j]) ? fmt(sum[i, j], d[i, j]) : val[i, j])
    print line
  }
  exit bad ? 65 : 0
}' "$tmp/totals"
