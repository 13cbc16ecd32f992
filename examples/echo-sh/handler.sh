#!/bin/sh
# An exec-mode function in shell: the event arrives on stdin, the response
# is what we print. Logs go to stderr.
event=$(cat)
echo "echo-sh: request $LAMBDA_REQUEST_ID" >&2
printf '{"requestId":"%s","event":%s}\n' "$LAMBDA_REQUEST_ID" "${event:-null}"
