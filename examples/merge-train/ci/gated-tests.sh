#!/bin/sh
# The slower tests an algo-tuning merge must pass before it ships: the learning rate
# stays within the range the model was validated for.
set -eu
rate=$(sed -n 's/^learning_rate=//p' params.env)
echo "gated tests for $1: learning_rate=$rate"
awk -v r="$rate" 'BEGIN { exit !(r > 0 && r <= 0.1) }' || { echo "learning_rate $rate is outside (0, 0.1]" >&2; exit 1; }
