#!/usr/bin/env bash
# Compiles the real installers — microdnf 3.10.1, apk-tools 2.14.10 and
# 3.0.6, from the unmodified upstream sources in package-managers/ — for
# ARCH, on the machine's own architecture, into PREFIX/libexec/{microdnf,
# apk2,apk3} and PREFIX/lib/apk{2,3}/ (build.sh's layout). Then writes
# PREFIX/NAME.debs: the Debian packages each one's shared libraries come
# from, for the stand-in stages to install.
#
# Native ARCH: package-managers/build.sh, as its README says.
# Foreign ARCH: a cross build with Debian's cross gcc and multiarch -dev
# packages. Why not build.sh inside the foreign root under qemu-user, as
# the native build does: that took 40 minutes for arm64 on 2 cores (401
# build dependencies unpacked and three programs compiled, all emulated);
# cross-compiled it takes about a minute, with the same sources, the same
# Debian libraries (libdnf 0.69, rpm 4.18) and the same build options.
#
# Usage: compile.sh ARCH SOURCES PREFIX   (root, in a throwaway Debian root)
set -euo pipefail
arch=$1 src=$2 prefix=$3
native=$(dpkg --print-architecture)
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'echo "compile.sh: failed; the end of its log:" >&2; tail -40 "$log" >&2' ERR

if [ "$arch" = "$native" ]; then
  "$src/build.sh" "$prefix" >>"$log" 2>&1
  list() { LD_LIBRARY_PATH=$1 ldd "$2"; }
else
  case $arch in
    arm64) triplet=aarch64-linux-gnu cpu=aarch64 loader=/lib/ld-linux-aarch64.so.1 ;;
    amd64) triplet=x86_64-linux-gnu cpu=x86_64 loader=/lib64/ld-linux-x86-64.so.2 ;;
    *) echo "compile.sh: no cross build for $arch (arm64, amd64)" >&2; exit 2 ;;
  esac
  dpkg --add-architecture "$arch"
  apt-get update -qq
  # build.sh's dependencies, the libraries for ARCH. libpeas-dev is left
  # out: it pulls ARCH's gobject-introspection, which needs ARCH's python3
  # and cannot be co-installed; its headers and .pc (and those of
  # libgirepository1.0-dev, which they include) are unpacked instead.
  apt-get install -y -qq --no-install-recommends \
    "gcc-${triplet//_/-}" "binutils-${triplet//_/-}" "libc6-dev-$arch-cross" meson ninja-build pkgconf make help2man \
    libglib2.0-dev-bin \
    "libdnf-dev:$arch" "librepo-dev:$arch" "librpm-dev:$arch" "libsolv-dev:$arch" "libsolvext-dev:$arch" \
    "libmodulemd-dev:$arch" "libglib2.0-dev:$arch" "libsmartcols-dev:$arch" "libjson-c-dev:$arch" \
    "libgpgme-dev:$arch" "libsqlite3-dev:$arch" "libssl-dev:$arch" "zlib1g-dev:$arch" \
    "libpeas-1.0-0:$arch" "libgirepository-1.0-1:$arch" >>"$log" 2>&1
  debs=$(mktemp -d)
  (cd "$debs" && chown _apt "$debs" && apt-get download -qq "libpeas-dev:$arch" "libgirepository1.0-dev:$arch" >>"$log" 2>&1)
  for d in "$debs"/*.deb; do dpkg-deb -x "$d" /; done
  cross=$(mktemp)
  printf '%s\n' '[binaries]' "c = '$triplet-gcc'" "ar = '$triplet-ar'" "strip = '$triplet-strip'" \
    "pkgconfig = '$triplet-pkg-config'" '[host_machine]' "system = 'linux'" "cpu_family = '$cpu'" \
    "cpu = '$cpu'" "endian = 'little'" > "$cross"

  work=$(mktemp -d)
  for t in "$src"/*.tar.gz; do tar -C "$work" -xzf "$t"; done
  mkdir -p "$prefix/libexec" "$prefix/lib/apk2" "$prefix/lib/apk3"
  # microdnf: the program only; its man page is made by running it.
  (cd "$work"/microdnf-* && meson setup --cross-file "$cross" -Dbuildtype=release build >>"$log" 2>&1 &&
    ninja -C build dnf/microdnf >>"$log" 2>&1)
  install -m 0755 "$work"/microdnf-*/build/dnf/microdnf "$prefix/libexec/microdnf"
  (cd "$work"/apk-tools-2.* && make -s -j"$(nproc)" LUA=no CROSS_COMPILE="$triplet-" PKG_CONFIG="$triplet-pkg-config" >>"$log" 2>&1)
  install -m 0755 "$work"/apk-tools-2.*/src/apk "$prefix/libexec/apk2"
  cp -a "$work"/apk-tools-2.*/src/libapk.so* "$prefix/lib/apk2/"
  (cd "$work"/apk-tools-3.* && meson setup --cross-file "$cross" -Dbuildtype=release -Dlua=disabled -Ddocs=disabled \
     -Dpython=disabled -Dtests=disabled build >>"$log" 2>&1 && ninja -C build >>"$log" 2>&1)
  install -m 0755 "$work"/apk-tools-3.*/build/src/apk "$prefix/libexec/apk3"
  cp -a "$work"/apk-tools-3.*/build/src/libapk.so* "$prefix/lib/apk3/"
  rm -rf "$work" "$debs" "$cross"
  # ARCH's dynamic loader lists the libraries (through qemu-user's
  # binfmt handler, which the foreign stages need anyway).
  list() { LD_LIBRARY_PATH=$1 "$loader" --list "$2"; }
fi

# owner FILE: the package that has FILE. dpkg registers the essential
# libraries under /lib (merged /usr), the others under /usr/lib.
owner() {
  local f
  f=$(readlink -f "$1")
  { dpkg -S "$f" 2>/dev/null || dpkg -S "${f#/usr}"; } | cut -d: -f1
}
for b in microdnf apk2 apk3; do
  lib=$prefix/lib/${b#microdnf}
  for f in $(list "$lib" "$prefix/libexec/$b" | awk '$3 ~ "^/" {print $3}' | grep -v "^$prefix"); do
    owner "$f"
  done | sort -u > "$prefix/$b.debs"
  [ -s "$prefix/$b.debs" ] || { echo "compile.sh: found no libraries for $b" >&2; exit 1; }
done
echo "compile.sh: microdnf, apk2, apk3 for $arch in $prefix ($(cat "$prefix"/*.debs | sort -u | wc -l) Debian library packages)"
