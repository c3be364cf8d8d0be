#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# ctest entry of the browser tests (label "browser"): runs review.test.js
# with node when node, the npm packages (npm ci here) and chromium are
# present.  Otherwise SKIP (exit 77), or FAIL under CI=true, where .ci/run
# installs them.
#   tests/browser/run.sh BUILDDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
chromium=${BR_CHROMIUM:-/usr/bin/chromium}
missing=""
command -v node >/dev/null 2>&1 || missing="node"
[ -d "$here/node_modules/puppeteer-core" ] || missing="$missing puppeteer-core (cd tests/browser && npm ci)"
[ -x "$chromium" ] || missing="$missing chromium ($chromium)"
if [ -n "$missing" ]; then
  if [ "${CI:-}" = true ]; then
    echo "FAIL: browser test needs:$missing" >&2
    exit 1
  fi
  echo "SKIP: browser test needs:$missing"
  exit 77
fi
exec node "$here/review.test.js" "$1" "$chromium"
