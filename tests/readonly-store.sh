#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A store in a folder the reader may not write (issue 16 item 16): an
# auditor's account, an archived cycle.  audit-verify (and its --head and
# --manifest forms) must read it, not exit 73 because SQLite could not
# create the -shm file, and must leave the folder as it was.  A tampered
# store read that way is still reported (exit 1).
#
#   tests/readonly-store.sh SRCDIR BUILDDIR
#
# As root (CI) the reader is nobody through setpriv(1), since root may
# write any folder; as another user the folder's mode is enough.  Exit
# status: 0 passed, 1 failed, 77 skipped (root without setpriv) unless
# CI=true, where that fails.
set -u
src=$(cd "$1" && pwd) bin=$(cd "$2" && pwd)
PATH="$bin:$PATH"
skip() {
  if [ "${CI:-}" = true ]; then echo "FAIL: $* (CI=true: the test must run)"; exit 1; fi
  echo "SKIP: $*"
  exit 77
}
as_reader=
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null 2>&1 || skip "setpriv not found (util-linux)"
  as_reader="setpriv --reuid=nobody --regid=nogroup --clear-groups"
fi
work=$(mktemp -d /tmp/billrun-ro.XXXXXX) || exit 1
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
chmod 755 "$work"
cd "$work" || exit 1
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }

# The reader runs its own copy of audit-verify: the build tree may sit
# in a folder nobody cannot enter (links only system libraries).
mkdir bin store
cp "$bin/audit-verify" bin/ && chmod 755 bin bin/audit-verify || exit 1
av="$work/bin/audit-verify"
d="$src/testdata/cases/bill-diff/0001-rate-and-reads"
ami-import --db store/billing.db --registry "$d/registry" -o /dev/null ||
  err "registry load"
ami-import --db store/billing.db -o /dev/null "$d/reads-old.csv" ||
  err "reads"
rate-apply --db store/billing.db --cycle 2026-10 --rates "$d/rates-old" \
  -o /dev/null || err "rate-apply"
audit-verify --db store/billing.db --head >head.txt || err "head as owner"
printf 'audit %s\n' "$(cat head.txt)" >manifest.txt
chmod 444 store/billing.db
chmod 555 store
before=$(ls -A store)

# shellcheck disable=SC2086
$as_reader "$av" --db store/billing.db >report.txt 2>ro.err
st=$?
[ $st -eq 0 ] || err "audit-verify on a read-only folder: exit $st, want 0: $(cat ro.err)"
# shellcheck disable=SC2086
$as_reader "$av" --db store/billing.db --head >ro-head.txt 2>>ro.err ||
  err "audit-verify --head on a read-only folder: $(cat ro.err)"
cmp -s head.txt ro-head.txt || err "--head differs: $(cat head.txt) vs $(cat ro-head.txt)"
# shellcheck disable=SC2086
$as_reader "$av" --db store/billing.db --manifest manifest.txt \
  >/dev/null 2>>ro.err || err "audit-verify --manifest on a read-only folder: $(cat ro.err)"
[ "$(ls -A store)" = "$before" ] || err "the folder changed: $(ls -A store)"

# Tampered (as the owner), then read-only again: still found.
chmod 755 store
chmod 644 store/billing.db
sqlite3 store/billing.db "UPDATE bill SET total_cents = total_cents + 1" ||
  err "tamper"
chmod 444 store/billing.db
chmod 555 store
# shellcheck disable=SC2086
$as_reader "$av" --db store/billing.db >/dev/null 2>tamper.err
st=$?
[ $st -eq 1 ] || err "tampered read-only store: exit $st, want 1: $(cat tamper.err)"

[ $fail -eq 0 ] && echo "readonly-store: ok"
exit $fail
