#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every summary sums exactly to its data rows (issue 19): for each
# DIR, every X-summary.csv is recomputed from X.csv beside it (integer
# cents, no floating point) and must match field for field; the data
# file must hold no TOTAL/ALL row.  The summary's header says which
# report it sums:
#   register (bill-render), payments (pay-reconcile), unbilled
#   (billing-report), bill-diff and what-if.sh, the cash reconciliation
#   (pay-reconcile --recon), the aging (pay-reconcile --aging) and the
#   parallel run (parallel-compare).
# A DIR without any summary fails.
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
      if (s !~ /^[0-9]+\.[0-9][0-9]$/) { print "FAIL: " sum ": bad amount " s; bad = 1 }
      sub(/\./, "", s); return neg ? -(s + 0) : s + 0 }
    # want[k]: the value of summary row r, column j ("r,j") recomputed.
    function num(r, j, v) { want[r "," j] = v + 0; kindof[r "," j] = "n" }
    function amt(r, j, v) { want[r "," j] = v + 0; kindof[r "," j] = "c" }
    BEGIN {
      if ((getline h < sum) <= 0) { print "FAIL: " sum ": empty"; exit 1 }
      if (h == "bills,held,previous_balance,payments,adjustments,current_charges,amount_due") kind = "register"
      else if (h == "status,items,amount") kind = "payments"
      else if (h == "findings,estimated_revenue") kind = "unbilled"
      else if (h == "bills_compared,bills_changed,bills_added,bills_removed,old_total,new_total,delta") kind = "billdiff"
      else if (h == "files,duplicates,items,control_total,posted,suspense,returns,other,nocs,check") kind = "recon"
      else if (h == "accounts,current,days_1_30,days_31_60,days_61_90,days_over_90,credit,total") kind = "aging"
      else if (h == "result,bills,match,within_tolerance,differ,only_legacy,only_billrun,legacy_total,billrun_total,delta") kind = "parallel"
      else { print "FAIL: " sum ": no rule for header " h; exit 1 }
    }
    FNR == 1 { next }
    { csvsplit($0, f) }
    # bills: issued rows; held: hold rows; amounts over issued rows.
    kind == "register" { if (f[8] == "hold") held++
      if (f[8] == "issued") { bills++; for (j = 9; j <= 13; j++) t[j - 6] += cents(f[j]) } }
    # posted: posted, refund, chargeback rows; suspense; returned:
    # returned, return-unmatched rows; items counted, amount summed.
    kind == "payments" { st = f[6]
      g = st == "posted" || st == "refund" || st == "chargeback" ? 1 : \
          st == "suspense" ? 2 : st == "returned" || st == "return-unmatched" ? 3 : 0
      if (g) { n[g]++; a[g] += cents(f[5]) } }
    # findings: every row; estimated_revenue: summed over the rows.
    kind == "unbilled" { rows++; if (f[9] != "") rev += cents(f[9]) }
    # counts of the bill-level rows; delta summed over them (a changed
    # bill counts once, by its bill-total row).
    kind == "billdiff" { if (f[5] == "bill-total") ch++; else if (f[5] == "bill-added") ad++
      else if (f[5] == "bill-removed") rm++; else next
      dl += cents(f[10]) }
    # files: posted rows; duplicates; every other column summed.
    kind == "recon" { if (f[3] == "posted") nf++; else if (f[3] == "duplicate") nd++
      items += f[4]; nocs += f[10]; for (j = 5; j <= 9; j++) t[j] += cents(f[j]); t[11] += cents(f[11]) }
    # bill rows by outcome (how the cause column starts); their amounts
    # (empty: no bill on that side) summed.
    kind == "parallel" { if (f[1] != "bill") next
      pb++; c = f[11]
      if (c ~ /^match/) pm++; else if (c ~ /^within tolerance/) pw++
      else if (c ~ /^FAIL: differs/) pd++; else if (c ~ /^FAIL: no billrun bill/) pl++
      else if (c ~ /^FAIL: no legacy bill/) pr++
      if (f[8] != "") t[8] += cents(f[8]); if (f[9] != "") t[9] += cents(f[9]) }
    # accounts: rows; every bucket summed.
    kind == "aging" { accts++; for (j = 2; j <= 8; j++) t[j] += cents(f[j]) }
    END {
      if (kind == "register") { num(1, 1, bills); num(1, 2, held); for (j = 3; j <= 7; j++) amt(1, j, t[j]); nrows = 1 }
      else if (kind == "payments") { for (g = 1; g <= 3; g++) { num(g, 2, n[g]); amt(g, 3, a[g]) }; nrows = 3
        label[1] = "posted"; label[2] = "suspense"; label[3] = "returned" }
      else if (kind == "unbilled") { num(1, 1, rows); amt(1, 2, rev); nrows = 1 }
      else if (kind == "billdiff") { num(1, 2, ch); num(1, 3, ad); num(1, 4, rm); amt(1, 7, dl); nrows = 1 }
      else if (kind == "recon") { num(1, 1, nf); num(1, 2, nd); num(1, 3, items); num(1, 9, nocs)
        for (j = 5; j <= 9; j++) amt(1, j - 1, t[j]); amt(1, 10, t[11]); nrows = 1 }
      else if (kind == "aging") { num(1, 1, accts); for (j = 2; j <= 8; j++) amt(1, j, t[j]); nrows = 1 }
      else if (kind == "parallel") { num(1, 2, pb); num(1, 3, pm); num(1, 4, pw); num(1, 5, pd); num(1, 6, pl); num(1, 7, pr)
        amt(1, 8, t[8]); amt(1, 9, t[9]); amt(1, 10, t[9] - t[8]); nrows = 1 }
      r = 0
      while ((getline line < sum) > 0) {
        r++; m = split(line, fld, ",")
        if (r in label && fld[1] != label[r]) { print "FAIL: " sum ": row " r " is " fld[1]; bad = 1 }
        for (j = 1; j <= m; j++) {
          k = r "," j
          if (!(k in want)) continue
          v = kindof[k] == "c" ? cents(fld[j]) : fld[j] + 0
          if (v != want[k]) { print "FAIL: " sum ": row " r " column " j " is " fld[j] ", the data give " want[k]; bad = 1 }
        }
      }
      if (r != nrows) { print "FAIL: " sum ": " r " rows, want " nrows; bad = 1 }
      # bill-diff: the grand totals agree with their delta.
      if (kind == "billdiff" && r == 1 && cents(fld[6]) - cents(fld[5]) != cents(fld[7])) {
        print "FAIL: " sum ": new_total - old_total is not delta"; bad = 1 }
      if (kind == "parallel" && r == 1 && fld[1] != (pd + pl + pr == 0 ? "PASS" : "FAIL")) {
        print "FAIL: " sum ": result " fld[1] " does not fit the bill rows"; bad = 1 }
      if (kind == "recon" && r == 1 && cents(fld[4]) - cents(fld[5]) - cents(fld[6]) - cents(fld[7]) - cents(fld[8]) != cents(fld[10])) {
        print "FAIL: " sum ": check is not control_total less the rest"; bad = 1 }
      exit bad
    }' "$data" || fail=1
  done
  [ "$found" -gt 0 ] || { echo "FAIL: no summary in $d"; fail=1; }
done
[ $fail -eq 0 ] && echo "summaries: every summary in $# folders sums to its data"
exit $fail
