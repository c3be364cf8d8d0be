#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every summary sums exactly to its data rows (issue 19): for each
# DIR, every X-summary.csv is recomputed from X.csv beside it (integer
# cents, no floating point) and must match field for field; the data
# file must hold no TOTAL/ALL row.  A DIR without any summary fails.
#   tests/summary-sums.sh DIR...
set -u
[ $# -ge 1 ] || { echo "usage: summary-sums.sh DIR..." >&2; exit 2; }
fail=0
for d in "$@"; do
  found=0
  for s in "$d"/*-summary.csv; do
    [ -f "$s" ] || continue
    found=$((found + 1))
    data=${s%-summary.csv}.csv
    [ -f "$data" ] || { echo "FAIL: $s has no $data"; fail=1; continue; }
    if grep -q '^"\{0,1\}\(TOTAL\|ALL\)"\{0,1\},' "$data"; then
      echo "FAIL: $data still holds a TOTAL/ALL row"; fail=1
    fi
    case $(basename "$s") in
    register-summary.csv)
      # bills: issued rows; held: hold rows; amounts over issued rows.
      LC_ALL=C awk -v sum="$s" '
      function csvsplit(s, f,    n, i, c, q, cur) {
        n = 0; cur = ""; q = 0
        for (i = 1; i <= length(s); i++) {
          c = substr(s, i, 1)
          if (q) { if (c == "\"") { if (substr(s, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0 } else cur = cur c }
          else if (c == "\"") q = 1
          else if (c == ",") { f[++n] = cur; cur = "" }
          else cur = cur c
        }
        f[++n] = cur; return n
      }
      function cents(s,    neg) { neg = substr(s, 1, 1) == "-"; if (neg) s = substr(s, 2)
        if (s !~ /^[0-9]+\.[0-9][0-9]$/) { print "FAIL: bad amount " s; bad = 1 }
        sub(/\./, "", s); return neg ? -(s + 0) : s + 0 }
      FNR == 1 { next }
      { csvsplit($0, f); if (f[8] == "hold") held++
        if (f[8] == "issued") { bills++; for (j = 9; j <= 13; j++) t[j - 6] += cents(f[j]) } }
      END {
        t[1] = bills + 0; t[2] = held + 0
        if ((getline h < sum) <= 0 || h != "bills,held,previous_balance,payments,adjustments,current_charges,amount_due") {
          print "FAIL: " sum ": unexpected header"; exit 1 }
        if ((getline r < sum) <= 0) { print "FAIL: " sum ": no row"; exit 1 }
        if ((getline x < sum) > 0) { print "FAIL: " sum ": more than one row"; exit 1 }
        n = split(r, g, ",")
        if (n != 7) { print "FAIL: " sum ": " n " fields"; exit 1 }
        for (j = 1; j <= 7; j++) {
          v = j <= 2 ? g[j] + 0 : cents(g[j])
          if (v != t[j]) { print "FAIL: " sum ": column " j " is " g[j] ", the rows sum to " t[j]; bad = 1 }
        }
        exit bad
      }' "$data" || fail=1 ;;
    payments-summary.csv)
      # posted: posted, refund, chargeback rows; suspense; returned:
      # returned, return-unmatched rows; items counted, amount summed.
      LC_ALL=C awk -v sum="$s" '
      function csvsplit(s, f,    n, i, c, q, cur) {
        n = 0; cur = ""; q = 0
        for (i = 1; i <= length(s); i++) {
          c = substr(s, i, 1)
          if (q) { if (c == "\"") { if (substr(s, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0 } else cur = cur c }
          else if (c == "\"") q = 1
          else if (c == ",") { f[++n] = cur; cur = "" }
          else cur = cur c
        }
        f[++n] = cur; return n
      }
      function cents(s,    neg) { neg = substr(s, 1, 1) == "-"; if (neg) s = substr(s, 2)
        if (s !~ /^[0-9]+\.[0-9][0-9]$/) { print "FAIL: bad amount " s; bad = 1 }
        sub(/\./, "", s); return neg ? -(s + 0) : s + 0 }
      FNR == 1 { next }
      { csvsplit($0, f); st = f[6]
        g = st == "posted" || st == "refund" || st == "chargeback" ? "posted" : \
            st == "suspense" ? "suspense" : \
            st == "returned" || st == "return-unmatched" ? "returned" : ""
        if (g != "") { n[g]++; a[g] += cents(f[5]) } }
      END {
        if ((getline h < sum) <= 0 || h != "status,items,amount") { print "FAIL: " sum ": unexpected header"; exit 1 }
        k = 0
        while ((getline r < sum) > 0) {
          k++; split(r, fld, ",")
          if (fld[1] != (k == 1 ? "posted" : k == 2 ? "suspense" : "returned")) { print "FAIL: " sum ": row " k " is " fld[1]; bad = 1; continue }
          if (fld[2] + 0 != n[fld[1]] + 0 || cents(fld[3]) != a[fld[1]] + 0) {
            print "FAIL: " sum ": " fld[1] " is " fld[2] " " fld[3] ", the rows give " n[fld[1]] + 0 " " a[fld[1]] + 0; bad = 1 }
        }
        if (k != 3) { print "FAIL: " sum ": " k " rows"; bad = 1 }
        exit bad
      }' "$data" || fail=1 ;;
    unbilled-summary.csv)
      # findings: every row; estimated_revenue: summed over the rows.
      LC_ALL=C awk -v sum="$s" '
      function csvsplit(s, f,    n, i, c, q, cur) {
        n = 0; cur = ""; q = 0
        for (i = 1; i <= length(s); i++) {
          c = substr(s, i, 1)
          if (q) { if (c == "\"") { if (substr(s, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0 } else cur = cur c }
          else if (c == "\"") q = 1
          else if (c == ",") { f[++n] = cur; cur = "" }
          else cur = cur c
        }
        f[++n] = cur; return n
      }
      function cents(s,    neg) { neg = substr(s, 1, 1) == "-"; if (neg) s = substr(s, 2)
        if (s !~ /^[0-9]+\.[0-9][0-9]$/) { print "FAIL: bad amount " s; bad = 1 }
        sub(/\./, "", s); return neg ? -(s + 0) : s + 0 }
      FNR == 1 { next }
      { csvsplit($0, f); rows++; if (f[9] != "") rev += cents(f[9]) }
      END {
        if ((getline h < sum) <= 0 || h != "findings,estimated_revenue") { print "FAIL: " sum ": unexpected header"; exit 1 }
        if ((getline r < sum) <= 0) { print "FAIL: " sum ": no row"; exit 1 }
        split(r, fld, ",")
        if (fld[1] + 0 != rows + 0 || cents(fld[2]) != rev + 0) {
          print "FAIL: " sum ": " r ", the rows give " rows + 0 " " rev + 0; bad = 1 }
        exit bad
      }' "$data" || fail=1 ;;
    *) echo "FAIL: no rule for $s"; fail=1 ;;
    esac
  done
  [ "$found" -gt 0 ] || { echo "FAIL: no summary in $d"; fail=1; }
done
[ $fail -eq 0 ] && echo "summaries: every summary in $# folders sums to its data"
exit $fail
