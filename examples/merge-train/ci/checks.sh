#!/bin/sh
# The quick checks every push to main gets: the tuning parameters parse.
set -eu
grep -Eq '^learning_rate=[0-9.]+$' params.env
echo "checks passed"
