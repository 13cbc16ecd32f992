#!/usr/bin/env bash
# The last part of `make demo`: build the example function's image without a
# daemon, run it with podman against the Runtime API emulator on the host,
# invoke it, and print its inspect table. Needs bin/ (make build), podman
# and busybox-static (the base is a local busybox stand-in: nothing can be
# pulled here). Run as root (podman settings in scripts/containers.conf).
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/scripts/containers.conf}"
work=$(mktemp -d)
tag=localhost/faas-demo/echo-sh:latest
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  podman rm -f -t 0 faas-demo-echo-sh >/dev/null 2>&1 || true
  podman rmi -f "$tag" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Image: build examples/echo-sh daemonlessly on a busybox stand-in base"
go run ./internal/image/standin/mkstandin busybox "$work/busybox-standin"
run bin/runtime-init build examples/echo-sh/handler.sh --base "oci-layout:$work/busybox-standin" \
  --runtime bin/faas-runtime --tarball "$work/echo-sh.tar" --tag "$tag"
run podman load -q -i "$work/echo-sh.tar"

step "Image: run it with podman; the emulator (runtime-init serve) runs on the host"
# serve starts "the runtime" through this wrapper: the container, on the
# host network, pointed at serve's Runtime API.
cat > "$work/container-runtime.sh" <<SH
#!/bin/sh
exec podman run --rm --name faas-demo-echo-sh --network host -e AWS_LAMBDA_RUNTIME_API="\$AWS_LAMBDA_RUNTIME_API" $tag
SH
chmod +x "$work/container-runtime.sh"
bin/runtime-init serve --listen 127.0.0.1:0 --timeout 30s --runtime "$work/container-runtime.sh" -- handler.sh 2>"$work/serve.log" &
serve_pid=$!
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://[^ ]*/invocations' "$work/serve.log" || true)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { cat "$work/serve.log" >&2; exit 1; }
run curl -sS -XPOST "$url" -d @examples/echo-sh/event.json
echo

step "Image: what it costs (runtime-init inspect)"
run bin/runtime-init inspect "tarball:$work/echo-sh.tar"
