# Sourced by scripts/demo.sh: http mode, a web app as the function (the
# AWS Lambda Web Adapter drop-in), in both layouts.
# shellcheck disable=SC2154 # work, step and run come from scripts/demo.sh
step "6. http mode: a Go net/http app; faas-runtime starts it and sends it the API Gateway event"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/http-go" ./examples/http-go
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run bin/runtime-init invoke --env AWS_LWA_PORT="$port" --event examples/http-go/event.json -- "$work/http-go" 2>/dev/null

step "7. http mode where the adapter goes (/opt/extensions): the app is the entrypoint, faas-runtime an extension"
run bin/runtime-init invoke --as-extension --env AWS_LWA_PORT="$port" --event examples/http-go/event.json -- "$work/http-go" 2>"$work/ext.log"
grep -E 'role=extension|extension registered|shutdown event' "$work/ext.log" | head -3 || true
