#!/bin/sh
# The example's deploy command: (re)starts the app's server for version
# $GAUNTLET_RELEASE_VERSION on slot $GAUNTLET_SLOT, port $GAUNTLET_PORT (set by gauntlet).
# The server is gauntlet-testapp ($WEBAPP_SERVER, set by scripts/demo). A version whose
# name contains "bad" is the deliberately broken one: it answers 500 to 30% of requests.
set -eu
dir=.gauntlet/demo-slots
mkdir -p "$dir"
pidfile="$dir/$GAUNTLET_SLOT.pid"
if [ -f "$pidfile" ]; then
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  tail --pid="$pid" -s 0.05 -f /dev/null
fi
flags=""
case "$GAUNTLET_RELEASE_VERSION" in
  *bad*) flags="--error-rate 0.3" ;;
esac
# Detached output: gauntlet waits for the command's output to close.
"$WEBAPP_SERVER" --port "$GAUNTLET_PORT" --version "$GAUNTLET_RELEASE_VERSION" $flags \
  >"$dir/$GAUNTLET_SLOT.log" 2>&1 &
echo $! >"$pidfile"
