#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short fixed budget
# (FUZZTIME, default 100000x: a hundred thousand executions each). make test
# runs it; `make fuzz FUZZTIME=2000000x` fuzzes longer. The budget is a
# count, not a duration: with a duration, Go 1.26's fuzz coordinator can
# fail a clean run with "context deadline exceeded" as the time runs out
# (golang/go#75804, fixed in Go 1.27). A crasher is written under the
# package's testdata/fuzz and fails the run: commit it, and it becomes a
# regular test case.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-100000x}"
status=0
while IFS=: read -r file target; do
  pkg="./$(dirname "${file#./}")"
  echo "== fuzz $pkg $target ($fuzztime)"
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" || status=1
done < <(grep -rhoE --include='*_test.go' -H '^func (Fuzz[A-Za-z0-9_]+)' . \
          | grep -v '^./\(bin\|dist\)/' | sed -E 's/func (Fuzz[A-Za-z0-9_]+)/\1/' | sort -u)
exit $status
