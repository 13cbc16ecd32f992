#!/bin/sh
# One second of work; says which runtime process ran it ($PPID is
# faas-runtime) and when, in Unix nanoseconds.
cat >/dev/null
start=$(date +%s%N)
sleep 1
echo "{\"pid\": $PPID, \"Start\": $start, \"End\": $(date +%s%N)}"
