#!/usr/bin/env bash
# make demo: the main job, end to end, on this machine. Each step prints what
# it runs. Needs bin/ from `make build` (make demo builds it first).
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/scripts/containers.conf}"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "1. The binaries"
run bin/faas-runtime --version
run bin/runtime-init version
ls -l bin/faas-runtime bin/runtime-init

step "2. exec mode: a shell function, invoked through the Runtime API emulator"
run bin/runtime-init invoke --event examples/echo-sh/event.json -- examples/echo-sh/handler.sh 2>/dev/null

step "3. exec mode: a compiled Go function"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/hello" ./examples/hello-go
run bin/runtime-init invoke --event examples/hello-go/event.json -- "$work/hello" 2>/dev/null

step "4. A function error comes back as Lambda's error JSON (exit 1)"
set +e
echo '{"fail":true}' | bin/runtime-init invoke --event - -- "$work/hello" 2>/dev/null
echo "exit status: $?"
set -e

step "5. serve: the AWS Runtime Interface Emulator's invoke endpoint, for curl"
bin/runtime-init serve --listen 127.0.0.1:0 -- "$work/hello" 2>"$work/serve.log" &
pids+=($!)
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://[^ ]*/invocations' "$work/serve.log" || true)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "serve did not start:"; cat "$work/serve.log"; exit 1; }
run curl -s -XPOST "$url" -d '{"name":"curl"}'
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

# Further steps (packages, scaffold, image build, run, sizes) are in scripts/demo.d/*.sh.
for f in scripts/demo.d/*.sh; do
  [ -e "$f" ] || continue
  # shellcheck source=/dev/null
  source "$f"
done
step "Done"
