#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Post each payment file alone into a fresh store (the pay-reconcile
# golden registry) and print one line: file|exit status|its
# reconciliation row (format, items, control total, posted, suspense,
# returns, other, NOCs, check), or the error for a refused file.
#   testdata/cases/pay-reconcile/samples-summary.sh BUILDDIR FILE...
# e.g. BUILDDIR /work/shared/samples/payments/*/*.bai2 .../*.ach ...
set -u
bin=$(cd "$1" && pwd); shift
reg=$(cd "$(dirname "$0")/registry" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$@"; do
  rm -f "$work"/billing.db*
  "$bin/ami-import" --db "$work/billing.db" --registry "$reg" >/dev/null
  cp "$f" "$work/" && n=$(basename "$f")
  (cd "$work" && "$bin/pay-reconcile" --recon recon.csv -o /dev/null "$n" >/dev/null 2>err.txt)
  st=$?
  if [ $st -ge 2 ]; then echo "$n|exit $st|$(tail -1 "$work/err.txt" | sed 's/^pay-reconcile: //')"
  else echo "$n|exit $st|$(sed -n 2p "$work/recon.csv")"; fi
done
