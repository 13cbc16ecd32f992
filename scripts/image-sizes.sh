#!/usr/bin/env bash
# The image size comparison: builds the same example function
# (examples/hello-go, a static binary: a script would need a shell that
# scratch and distroless lack) daemonlessly on every base it can get and prints one
# table from `runtime-init inspect --json`. Offline bases always work
# (scratch and local stand-ins, labelled as such); remote bases are used
# when their registry answers, else reported "unreachable, skipped".
# Needs bin/ from `make build` (or RUNTIME_INIT and FAAS_RUNTIME). Usage: scripts/image-sizes.sh [--arch amd64|arm64]
set -euo pipefail
cd "$(dirname "$0")/.."
arch=amd64
[ "${1:-}" = "--arch" ] && arch="$2"
ri=${RUNTIME_INIT:-bin/runtime-init}
rt=${FAAS_RUNTIME:-bin/faas-runtime}
for f in "$ri" "$rt"; do [ -x "$f" ] || { echo "image-sizes.sh: $f missing: run make build" >&2; exit 1; }; done
command -v jq >/dev/null || { echo "image-sizes.sh: needs jq" >&2; exit 1; }
if [ "$arch" != "$(go env GOARCH)" ]; then
  rt=$(mktemp -d)/faas-runtime
  CGO_ENABLED=0 GOARCH="$arch" go build -trimpath -ldflags "-s -w" -o "$rt" ./cmd/faas-runtime
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fn=$work/hello
CGO_ENABLED=0 GOARCH="$arch" go build -trimpath -ldflags "-s -w" -o "$fn" ./examples/hello-go

# Local stand-ins: no base image can be pulled here. The busybox one is
# the host's busybox-static, so only for the host's architecture.
go run ./internal/image/standin/mkstandin distroless-static "$work/distroless-static-standin" "$arch"
local_bases=("distroless static (local stand-in)|oci-layout:$work/distroless-static-standin")
local_skipped=()
if [ "$arch" = "$(go env GOARCH)" ]; then
  go run ./internal/image/standin/mkstandin busybox "$work/busybox-standin"
  local_bases+=("busybox-static (local stand-in)|oci-layout:$work/busybox-standin")
else
  local_skipped+=("busybox-static (local stand-in)|the host's busybox-static is $(go env GOARCH) only")
fi

# The stand-ins with the real installers (scripts/standin-bases.sh: built
# once, minutes cold, then loaded from the test cache). Their sizes are
# Debian's, not UBI's or Alpine's: the table labels them so.
standin_bases=()
standin_skipped=()
if [ "$(id -u)" = 0 ] && command -v podman >/dev/null && command -v skopeo >/dev/null; then
  if refs=$(bash scripts/standin-bases.sh --arch "$arch" ubi-minimal ubi-micro alpine-apk2 alpine-apk3 2>"$work/standin.err"); then
    while read -r name ref; do
      skopeo copy -q "containers-storage:$ref" "oci:$work/standin-$name" >/dev/null
      case $name in
        ubi-minimal) what="ubi-minimal stand-in (microdnf on a Debian root)" ;;
        ubi-micro) what="ubi-micro stand-in (bash + Debian glibc)" ;;
        alpine-apk*) what="alpine stand-in (apk ${name#alpine-apk}, busybox, Debian glibc)" ;;
      esac
      standin_bases+=("$what|oci-layout:$work/standin-$name")
    done <<<"$refs"
  else
    standin_skipped+=("ubi-minimal, ubi-micro, alpine apk2/apk3 stand-ins|scripts/standin-bases.sh failed: $(tail -1 "$work/standin.err")")
  fi
else
  standin_skipped+=("ubi-minimal, ubi-micro, alpine apk2/apk3 stand-ins|need root, podman and skopeo (scripts/standin-bases.sh)")
fi

bases=(
  "scratch|scratch"
  "${local_bases[@]}"
  "${standin_bases[@]}"
  "ubi-minimal|registry.access.redhat.com/ubi9/ubi-minimal:latest"
  "ubi-micro|registry.access.redhat.com/ubi9/ubi-micro:latest"
  "alpine|docker.io/library/alpine:latest"
  "distroless static|gcr.io/distroless/static-debian12:latest"
  "AWS provided:al2023|public.ecr.aws/lambda/provided:al2023"
)

reachable() { # registry host answers /v2/ (any HTTP status) within 5 s
  local host=${1%%/*}
  [ "$host" = docker.io ] && host=registry-1.docker.io
  curl -s -o /dev/null -m 5 "https://$host/v2/"
}

outs=()
names=()
skipped=("${local_skipped[@]}" "${standin_skipped[@]}")
for entry in "${bases[@]}"; do
  label=${entry%%|*}
  base=${entry#*|}
  case "$base" in
    scratch|oci-layout:*|tarball:*) ;;
    *) if ! reachable "$base"; then skipped+=("$label ($base)|unreachable, skipped"); continue; fi ;;
  esac
  out="$work/out-${#outs[@]}"
  if "$ri" build "$fn" --base "$base" --arch "$arch" --runtime "$rt" --oci-layout "$out" >/dev/null 2>"$work/err"; then
    outs+=("oci-layout:$out")
    names+=("$label")
  else
    skipped+=("$label ($base)|build failed: $(tail -1 "$work/err")")
  fi
done

"$ri" inspect --json "${outs[@]}" > "$work/report.json"
printf '\nImage sizes for %s on linux/%s (runtime + function on each base)\n\n' "examples/hello-go" "$arch"
printf '| %-52s | %12s | %14s | %20s |\n' base compressed uncompressed "beyond the function"
printf '| %-52s | %12s | %14s | %20s |\n' "$(printf -- '-%.0s' {1..52})" "------------" "--------------" "--------------------"
for i in "${!outs[@]}"; do
  jq -r --argjson i "$i" '.images[$i] | [.compressedBytes, .uncompressedBytes, .compressedBytesBeyondFunction] | @tsv' "$work/report.json" |
    while IFS=$'\t' read -r c u b; do
      printf '| %-52s | %12s | %14s | %20s |\n' "${names[$i]}" "$c" "$u" "$b"
    done
done
for s in "${skipped[@]}"; do
  printf '| %-52s | %s |\n' "${s%%|*}" "${s#*|}"
done
echo
echo "bytes; \"beyond the function\" = base + runtime, compressed: what every function on that base ships."
echo "Stand-ins are labelled: they carry the real installers (scripts/standin-bases.sh), not the real distributions, so their sizes are not UBI's or Alpine's."
