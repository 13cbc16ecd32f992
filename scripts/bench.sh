#!/usr/bin/env bash
# make bench: Go benchmarks of faas-runtime against its baselines, all in one
# run on this machine. Packages beyond ./bench come from BENCH_PKGS (Makefile).
# BENCHTIME sets the iterations of the round trips (default 2000x),
# COLDTIME those of the cold starts (default 100x; each is a dozen processes),
# LMITIME the Managed Instances rounds (default 5x; each is 200 invocations
# per contender), STREAMTIME the streamed responses (default 3x of 200 MB;
# STREAM_MB changes the size).
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/scripts/containers.conf}"
benchtime="${BENCHTIME:-2000x}"
coldtime="${COLDTIME:-100x}"
echo "== go test -run '^\$' -bench Warm -benchtime $benchtime ./bench/"
go test -run '^$' -bench Warm -benchtime "$benchtime" -timeout 30m ./bench/
echo "== go test -run '^\$' -bench ColdStart -benchtime $coldtime ./bench/"
go test -run '^$' -bench ColdStart -benchtime "$coldtime" -timeout 30m ./bench/
lmitime="${LMITIME:-5x}"
echo "== go test -run '^\$' -bench LMI -benchtime $lmitime ./bench/"
go test -run '^$' -bench LMI -benchtime "$lmitime" -timeout 30m ./bench/
streamtime="${STREAMTIME:-3x}"
streammb="${STREAM_MB:-200}"
echo "== go test -run '^\$' -bench Stream -benchtime $streamtime ./bench/ -stream.mb $streammb"
go test -run '^$' -bench Stream -benchtime "$streamtime" -timeout 30m ./bench/ -stream.mb "$streammb"
for pkg in "$@"; do
  echo "== go test -run '^\$' -bench . $pkg"
  go test -run '^$' -bench . -timeout 30m "$pkg"
done
