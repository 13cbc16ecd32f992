#!/usr/bin/env bash
# Builds the stand-in base images that carry the real installers (see
# scripts/standin/Containerfile and docs/installers.md) and tags each with
# a distinctive local name:
#   localhost/faas-standin/ubi-minimal:9.6-ARCH   microdnf 3.10.1 + rpm
#   localhost/faas-standin/ubi:9.6-ARCH           dnf 4 + rpm (+ Debian gcc, make)
#   localhost/faas-standin/ubi-micro:9.6-ARCH     no installer
#   localhost/faas-standin/alpine:apk2-ARCH       busybox + apk-tools 2.14.10
#   localhost/faas-standin/alpine:apk3-ARCH       busybox + apk-tools 3.0.6
# All are Debian bookworm underneath (debootstrap'd, as internal/scaffold/e2e
# does); the installers are compiled from ../shared/package-managers in
# this machine's Debian root (cross-compiled for a foreign ARCH) against
# the same Debian libraries, and assembled in ARCH's root. Each image is
# cached as an OCI archive in the test cache ($FAAS_TEST_CACHE, default
# $TMPDIR/faas-runtime-test-cache), keyed by the hash of its inputs: a
# second run only loads it (seconds).
# Usage: scripts/standin-bases.sh [--arch amd64|arm64] [NAME...]   (root; NAME from the list above)
# Prints "NAME REF" per image. PM_SOURCES overrides where package-managers/ is.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
arch=$(dpkg --print-architecture)
[ "${1:-}" = "--arch" ] && { arch=$2; shift 2; }
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(ubi-minimal ubi ubi-micro alpine-apk2 alpine-apk3)

pm=${PM_SOURCES:-}
if [ -z "$pm" ]; then
  d="$root/../shared/package-managers"
  [ -x "$d/build.sh" ] && pm=$(cd "$d" && pwd)
fi
if [ -z "$pm" ] || [ ! -x "$pm/build.sh" ]; then
  echo "standin-bases.sh: package-managers sources not found (../shared/package-managers; set PM_SOURCES)" >&2; exit 1
fi
[ "$(id -u)" = 0 ] || { echo "standin-bases.sh: needs root (debootstrap, podman)" >&2; exit 1; }
for t in debootstrap podman flock sha256sum; do command -v $t >/dev/null || { echo "standin-bases.sh: $t is not installed (scripts/install-deps.sh)" >&2; exit 1; }; done
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/scripts/containers.conf}

cache=${FAAS_TEST_CACHE:-${TMPDIR:-/tmp}/faas-runtime-test-cache}
mkdir -p "$cache"
log() { echo "standin-bases.sh: $*" >&2; }

# The debootstrap'd bookworm minbase root, as internal/scaffold/e2e makes
# it (same file, same lock): the equivalent of debian:12-slim.
# The mirror is FAAS_DEBIAN_MIRROR, else the one apt here uses for bookworm
# (deb822 sources.list.d/*.sources, or one-line sources.list and *.list):
# the tree names no mirror host (internal/testutil.DebianMirror does the same).
mirror() {
  local m=${FAAS_DEBIAN_MIRROR:-}
  [ -n "$m" ] || m=$(awk 'BEGIN {RS=""} /(^|\n)Types:[^\n]*deb( |\n|$)/ && /(^|\n)Suites:[^\n]*bookworm( |\n|$)/ {
        if (match($0, /(^|\n)URIs: *[^ \n]+/)) { u=substr($0, RSTART, RLENGTH); sub(/^\n?URIs: */, "", u); if (u !~ /security/) {print u; exit} } }' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1=="deb" && $3=="bookworm" && $2 !~ /^\[/ {print $2; exit}' || true)
  [ -n "$m" ] || { echo "standin-bases.sh: no Debian bookworm mirror in /etc/apt/sources.list{,.d}: set FAAS_DEBIAN_MIRROR" >&2; return 1; }
  echo "$m"
}
# debian_root ARCH makes (once) the root for ARCH and prints its tar.
debian_root() {
  local arch=$1 tar=$cache/debian-bookworm-minbase-$1.tar
  (
    flock 9
    if [ ! -e "$tar" ]; then
      t0=$SECONDS
      r=$(mktemp -d "$cache/debootstrap-XXXXXX")
      trap 'rm -rf "$r"' EXIT
      m=$(mirror)
      log "debootstrap --variant=minbase --arch=$arch bookworm from $m (cached in $cache)"
      ok=1
      if [ "$arch" = "$native" ]; then
        debootstrap --variant=minbase --arch="$arch" bookworm "$r" "$m" >"$r.log" 2>&1 || ok=0
      else # foreign: the second stage runs under qemu-user-static
        if debootstrap --foreign --variant=minbase --arch="$arch" bookworm "$r" "$m" >"$r.log" 2>&1; then
          chroot "$r" /debootstrap/debootstrap --second-stage >>"$r.log" 2>&1 || ok=0
        else ok=0; fi
      fi
      [ $ok = 1 ] || { tail -20 "$r.log" >&2; exit 1; }
      rm -f "$r.log"
      rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb "$r"/var/log/*.log
      tar --numeric-owner --xattrs -C "$r" -cf "$tar.tmp" .
      mv "$tar.tmp" "$tar"
      log "debootstrap $arch: $((SECONDS - t0))s"
    fi
  ) 9>"$tar.lock" >&2 || exit 1
  echo "$tar"
}
# The installers are compiled on this machine's architecture (cross for a
# foreign one, scripts/standin/compile.sh), assembled in the target's root.
native=$(dpkg --print-architecture)
if [ "$arch" != "$native" ]; then # the foreign stages run under qemu-user-static
  case $arch in arm64) cpu=aarch64 ;; amd64) cpu=x86_64 ;; *) cpu=$arch ;; esac
  if [ ! -e "/proc/sys/fs/binfmt_misc/qemu-$cpu" ]; then
    [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
    update-binfmts --enable "qemu-$cpu" >/dev/null 2>&1 || true
  fi
  [ -e "/proc/sys/fs/binfmt_misc/qemu-$cpu" ] ||
    { echo "standin-bases.sh: no qemu-$cpu binfmt handler for $arch (qemu-user-static, binfmt-support: scripts/install-deps.sh)" >&2; exit 1; }
fi
debian_tar=$(debian_root "$arch")
build_tar=$(debian_root "$native")

# One key for every image: the inputs that make them.
key=$( (cat "$here/standin/Containerfile" "$here/standin/compile.sh" "$pm"/build.sh "$pm"/*.tar.gz
        sha256sum "$debian_tar" "$build_tar" | cut -c1-64) | sha256sum | cut -c1-16)
debian_ref=localhost/faas-standin/debian:bookworm-$arch-$key
build_ref=localhost/faas-standin/debian:bookworm-$native-$key

ctx=""
prepare() { # the build context and the Debian roots in podman's storage, once
  [ -n "$ctx" ] && return
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  cp "$here/standin/Containerfile" "$here/standin/compile.sh" "$ctx/"
  cp -r "$pm" "$ctx/package-managers"
  chmod -R u+w "$ctx"
  rm -rf "$ctx/package-managers/.git"
  import "$arch" "$debian_tar" "$debian_ref"
  import "$native" "$build_tar" "$build_ref"
}
import() {
  podman image exists "$3" && return
  podman import --arch "$1" \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change 'CMD ["bash"]' \
    --change "LABEL io.faas-runtime.stand-in=debootstrap-bookworm-minbase" \
    --quiet "$2" "$3" >/dev/null
}

for name in "${names[@]}"; do
  case "$name" in
    ubi-minimal|ubi|ubi-micro) ref=localhost/faas-standin/$name:9.6-$arch ;;
    alpine-apk2|alpine-apk3) ref=localhost/faas-standin/alpine:${name#alpine-}-$arch ;;
    *) echo "standin-bases.sh: unknown stand-in $name (ubi-minimal ubi ubi-micro alpine-apk2 alpine-apk3)" >&2; exit 2 ;;
  esac
  archive=$cache/standin-$name-$arch-$key.oci.tar
  (
    flock 9
    if [ "$(podman image inspect --format '{{index .Labels "io.faas-runtime.stand-in-key"}}' "$ref" 2>/dev/null)" = "$key" ]; then
      :
    elif [ -e "$archive" ]; then
      podman load -q -i "$archive" >/dev/null
      podman tag "localhost/faas-standin/cache:$name-$arch-$key" "$ref"
    else
      prepare
      t0=$SECONDS
      log "building $name for $arch (cold: the installers are compiled; cached in $archive)"
      podman build --pull=never --network host --platform "linux/$arch" --layers \
        --build-arg DEBIAN="$debian_ref" --build-arg BUILD_DEBIAN="$build_ref" \
        --build-arg PLATFORM="linux/$arch" --build-arg BUILD_PLATFORM="linux/$native" --target "$name" \
        --label "io.faas-runtime.stand-in-key=$key" \
        --tag "localhost/faas-standin/cache:$name-$arch-$key" "$ctx" >"$ctx/$name.log" 2>&1 ||
        { tail -40 "$ctx/$name.log" >&2; exit 1; }
      got=$(podman image inspect --format '{{.Architecture}}' "localhost/faas-standin/cache:$name-$arch-$key")
      [ "$got" = "$arch" ] || { log "$name was built for $got, not $arch"; exit 1; }
      podman tag "localhost/faas-standin/cache:$name-$arch-$key" "$ref"
      podman save -q --format oci-archive -o "$archive.tmp" "localhost/faas-standin/cache:$name-$arch-$key"
      mv "$archive.tmp" "$archive"
      log "built $name for $arch in $((SECONDS - t0))s"
      # What older inputs built is no longer used.
      find "$cache" -maxdepth 1 -name "standin-$name-$arch-*.oci.tar" ! -name "${archive##*/}" -delete
      podman images --format '{{.Repository}}:{{.Tag}}' | grep "^localhost/faas-standin/cache:$name-$arch-" |
        grep -v -- "-$key\$" | xargs -r podman rmi -f >/dev/null 2>&1 || true
    fi
  ) 9>"$cache/standin-$name-$arch.lock"
  echo "$name $ref"
done
