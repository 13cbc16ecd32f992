#!/bin/sh
# Prints the function settings exec mode passes on.
cat >/dev/null
echo "$AWS_LAMBDA_FUNCTION_NAME $AWS_LAMBDA_FUNCTION_MEMORY_SIZE $_HANDLER $AWS_LAMBDA_LOG_GROUP_NAME"
