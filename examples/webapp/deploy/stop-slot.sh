#!/bin/sh
# The example's stop command: stops the server of slot $GAUNTLET_SLOT.
pidfile=.gauntlet/demo-slots/$GAUNTLET_SLOT.pid
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
kill "$pid" 2>/dev/null || true
tail --pid="$pid" -s 0.05 -f /dev/null
rm -f "$pidfile"
