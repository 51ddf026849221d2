#!/bin/sh
# discover vs check-profile of the hand-written profile, side by side, 3 rounds each, on one Ticketbooth.
U=${USHER:-./target/debug/usher}
PORT=${PORT:-18090}
$U demo serve --port $PORT > /tmp/usher-bench-serve.log 2>&1 & pid=$!
sleep 1.5
# A port someone else holds would measure their server: stop instead.
kill -0 $pid 2>/dev/null || { cat /tmp/usher-bench-serve.log; echo "port $PORT is taken: PORT=... sh $0" >&2; exit 2; }
export VICTIM_PASSWORD=alice-demo-password ATTACKER_PASSWORD=mallory-demo-password
for i in 1 2 3; do
  uptime
  s=$(date +%s.%N); $U discover http://tickets.ticketbooth.localhost:$PORT/ --account victim=alice@ticketbooth.test --account attacker=mallory@ticketbooth.test --out /tmp/usher-bench-app.yaml --force >/dev/null; r=$?; e=$(date +%s.%N)
  echo "discover rc=$r $(echo "$e - $s" | bc)"
  s=$(date +%s.%N); $U check-profile scenarios/ticketbooth/app.yaml --target http://tickets.ticketbooth.localhost:$PORT --secret TB_ALICE_PASSWORD=alice-demo-password --secret TB_MALLORY_PASSWORD=mallory-demo-password >/dev/null; r=$?; e=$(date +%s.%N)
  echo "check-profile rc=$r $(echo "$e - $s" | bc)"
done
kill $pid
