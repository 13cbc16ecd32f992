#!/usr/bin/env bash
# Fails if anything under /usr changed since STAMP was touched: make test
# writes only into temporary directories and dist/ (rpmlint's unpacking
# once wrote packaged binaries into the machine's /usr).
set -euo pipefail
stamp=${1:?usage: host-untouched.sh STAMP}
changed=$(find /usr -xdev -newer "$stamp" -print 2>/dev/null | head -n 20)
if [ -n "$changed" ]; then
  echo "host-untouched: make test changed the machine's /usr:" >&2
  echo "$changed" >&2
  exit 1
fi
echo "host-untouched: /usr unchanged by the tests"
