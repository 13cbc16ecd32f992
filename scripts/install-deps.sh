#!/usr/bin/env bash
# Installs what `make test` and `make demo` need on Debian: the packages in
# scripts/deps-debian.txt, a containers.conf that works as root without
# systemd, and qemu's binfmt handlers for arm64. Idempotent; run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

want=$(grep -v '^#' "$here/deps-debian.txt" | tr '\n' ' ')
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing Debian packages:$missing (run as root, or apt-get install them)" >&2
    exit 1
  fi
  echo "install-deps: installing$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# arm64 binaries run through qemu-user-static's binfmt handler.
if [ "$(id -u)" = 0 ]; then
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
fi
