#!/usr/bin/env bash
# rcc-gatewayd over NUL-terminated CTI framing (no invoke IDs): a real rcc-ctisim process
# started with --framing nul-terminated as the call manager, the gateway with [cti] framing =
# "nul-terminated", SIPp as the OCS side. Sign-in + click-to-dial with its events, then an
# incoming call scripted on the simulator, AnswerCall and the refreshes; the gateway must say
# that it lowered max-in-flight to 1 and answer the node's SystemStatus. rcc-ctiprobe checks the
# same node with [cti] framing = "nul-terminated". Loopback only; every wait is bounded.
#   gateway_nul_test.sh <rcc-gatewayd> <rcc-ctisim> <rcc-ctiprobe> <tests/sipp dir>
#                       <tests/data/gateway dir>
set -euo pipefail
gatewayd=$(realpath "$1")
ctisim=$(realpath "$2")
ctiprobe=$(realpath "$3")
scenarios=$(realpath "$4")
data=$(realpath "$5")
source "$(dirname "$(realpath "$0")")/gateway_lib.sh"
gateway_lib_init gateway_nul_test sipp socat python3

sipp_run() {  # log-name scenario port keys...
  local name=$1 scenario=$2 port=$3 local_port
  shift 3
  local_port=$(free_port)
  if ! timeout 150 sipp -sf "$scenario" -t t1 -m 1 -nostdin -timeout 20s -recv_timeout 5000 \
      -p "$local_port" -key contact "sip:ocs@127.0.0.1:$local_port;transport=tcp" \
      -trace_err -error_file "sipp_$name.err" "$@" "127.0.0.1:$port" > "sipp_$name.out" 2>&1; then
    tail -30 "sipp_$name.out" "sipp_$name.err" >&2 2>/dev/null
    return 1
  fi
}

ctl() {  # one simulator control command, its answer on stdout
  echo "$1" | socat -t 2 - "TCP:$control"
}

"$ctisim" --directory "$data/directory.toml" --listen 127.0.0.1:0 --control 127.0.0.1:0 \
  --framing nul-terminated -v > sim.out 2> sim.err &
pids+=($!)
for _ in $(seq 100); do
  grep -q '^control ' sim.out 2>/dev/null && break
  sleep 0.1
done
cti=$(sed -n 's/^cti \(127\.0\.0\.1:[0-9]*\)$/\1/p' sim.out)
control=$(sed -n 's/^control \(127\.0\.0\.1:[0-9]*\)$/\1/p' sim.out)
[ -n "$cti" ] && [ -n "$control" ] || { echo "rcc-ctisim did not start" >&2; cat sim.err >&2; exit 1; }

echo rcc-test-password > pw
cat > gw.toml <<TOML
[gateway]
listen-tcp = "127.0.0.1:0"
acl = ["127.0.0.1"]
[cti]
nodes = ["$cti"]
application-user = "rccgateway"
password-file = "pw"
framing = "nul-terminated"
max-in-flight = 32
TOML
start_gateway gw gw.toml -d "$data/directory.toml"

check "the gateway's link to the NUL-framed node came up" grep -q "node=$cti up" gw.err
check "the gateway said it lowered max-in-flight to 1" \
  grep -q 'max-in-flight 32 lowered to 1: NUL-terminated' gw.err
check "sign-in and click-to-dial (alice calls bob), with the events in order" \
  sipp_run dial "$scenarios/signin_dial.xml" "$sip_port" -key via_transport TCP \
  -key user alice@example.com -key line "tel:5001;phone-context=dialstring" \
  -key called "tel:5002;phone-context=dialstring"
check "the gateway logged the sign-in on the NUL-framed node" \
  grep -q "signed in user=alice .*node=$cti" gw.err
check "an incoming call scripted on the simulator, AnswerCall, refresh by re-INVITE and UPDATE" \
  sipp_run incoming "$scenarios/incoming_refresh.xml" "$sip_port" -key via_transport TCP \
  -key user bob@example.com -key line "tel:5002;phone-context=dialstring" -key called 5002 \
  -key control "$control"
check "the gateway logged the refresh" grep -q 'refreshed user=bob .*by=re-INVITE' gw.err

# The node's own request: SystemStatus, answered although there is no invoke ID to echo.
check "the simulator asked the gateway's one session for its status" \
  test "$(ctl system-status)" = "ok 1"
answered=no
for _ in $(seq 50); do
  if ctl status | grep -q 'status-answers=1$'; then answered=yes; break; fi
  sleep 0.1
done
check "the gateway answered the node's SystemStatus" test "$answered" = yes
check "no response was dropped as unmatched" \
  bash -c '! grep -E "cannot answer the|while no request is outstanding|no response within" gw.err'
# The probe over the same framing: session, heartbeat round trip, stop.
sed '/^\[gateway\]/,/^acl/d' gw.toml > probe.toml
probe_ok() {
  local out rc=0
  out=$(timeout 30 "$ctiprobe" --config probe.toml -t 5) || rc=$?
  echo "$out"
  [ "$rc" -eq 0 ] && [[ $out == "CTI OK - 1/1 nodes up |"* ]]
}
check "rcc-ctiprobe reports the NUL-framed node OK" probe_ok
check "the link never went down" bash -c "! grep -q 'node=$cti down' gw.err"

[ "$failures" -eq 0 ] || { echo "gateway_nul_test: $failures check(s) failed" >&2; exit 1; }
echo "gateway_nul_test: all checks passed"
