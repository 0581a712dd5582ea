#!/bin/sh
# A tiny stand-in database: appends a row every 5 seconds.
echo "db $AUTOPILOT_MANIFEST started on $AUTOPILOT_MACHINE (pid $$)"
while true; do
  date -u +%s >> rows
  sleep 5
done
