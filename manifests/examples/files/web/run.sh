#!/bin/sh
# A tiny stand-in web server: records that it runs and what it serves, every 5 seconds.
echo "web $AUTOPILOT_MANIFEST started on $AUTOPILOT_MACHINE (pid $$)"
while true; do
  date -u +"%Y-%m-%dT%H:%M:%SZ serving $(cat "${GREETING_FILE:-conf/greeting.txt}" 2>/dev/null || echo hello)" > status
  sleep 5
done
