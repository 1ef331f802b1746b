#!/usr/bin/env bash
# rcc-gatewayd's call-control and feature services end to end: SIPp is the OCS side, the gateway
# runs its embedded simulator on the test directory, the far ends answer through the simulator's
# control port. Each SIPp's Contact is a port nobody listens on, so the gateway sends its event
# INFOs back on SIPp's own connection and answers and events arrive in one order. Checks
# hold/retrieve, DTMF, consultation + transfer, single-step transfer (transfer.xml), conference
# and deflect (conference.xml), forwarding and do-not-disturb (features.xml), and that Alice's
# session cannot touch Bob's call, act for his device or stop his monitor while his call goes on
# (privilege.xml against privilege_victim.xml). Loopback only; every wait is bounded.
#   services_test.sh <rcc-gatewayd> <tests/sipp dir> <tests/data/gateway dir>
set -euo pipefail
gatewayd=$(realpath "$1")
scenarios=$(realpath "$2")
data=$(realpath "$3")
source "$(dirname "$(realpath "$0")")/gateway_lib.sh"
gateway_lib_init services_test sipp socat python3

closed=$(free_port)  # the OCS side's Contact: nothing listens there
sipp_start() {  # log-name scenario keys...: one SIPp session against the gateway, in the background
  local name=$1 scenario=$2
  shift 2
  timeout 60 sipp -sf "$scenario" -t t1 -m 1 -nostdin -timeout 30s -recv_timeout 5000 \
    -p "$(free_port)" -key contact "sip:ocs@127.0.0.1:$closed;transport=tcp" \
    -key control "$control" -trace_err -error_file "sipp_$name.err" "$@" \
    "127.0.0.1:$sip_port" > "sipp_$name.out" 2>&1 &
  sipp_pid=$!  # timeout's: it passes a signal on to SIPp
  pids+=("$sipp_pid")
}
sipp_wait() {  # log-name: waits for the SIPp in $sipp_pid; on failure shows why
  local name=$1
  if ! wait "$sipp_pid"; then
    echo "--- SIPp $name:" >&2
    tail -12 "sipp_$name.out" >&2
    head -c 4000 "sipp_$name.err" >&2 2>/dev/null || true
    echo "--- gateway stderr (last 40 lines):" >&2
    tail -40 gw.err >&2
    return 1
  fi
}
sipp_run() {  # log-name scenario keys...: one SIPp session, waited for
  sipp_start "$@"
  sipp_wait "$1"
}
alice=(-key user alice@example.com -key line "tel:5001;phone-context=dialstring")
bob=(-key user bob@example.com -key line "tel:5002;phone-context=dialstring")

cat > gw.toml <<'TOML'
[gateway]
listen-tcp = "127.0.0.1:0"
acl = ["127.0.0.1"]
TOML
start_gateway gw gw.toml -d "$data/directory.toml"
control=$(sed -n 's/^control \(127\.0\.0\.1:[0-9]*\)$/\1/p' gw.out)
[ -n "$control" ] || { echo "services_test: the gateway printed no control port" >&2; exit 1; }

check "hold/retrieve, DTMF, consultation + transfer, single-step transfer" \
  sipp_run transfer "$scenarios/transfer.xml" "${alice[@]}" \
  -key far1 0612345 -key far2 0613333 -key far3 0615555 -key far4 0616666
check "the events came back on SIPp's own connection" \
  grep -q "using the peer's connection" gw.err

check "conference, leaving it, deflect of a ringing call" \
  sipp_run conference "$scenarios/conference.xml" "${alice[@]}" -key dn 5001 \
  -key far1 0621111 -key far2 0622222 -key far3 0623333 -key far4 0624444
check "forwarding and do-not-disturb set, read back, seen as events; a call fails on DND" \
  sipp_run features "$scenarios/features.xml" "${alice[@]}" -key dn 5001 \
  -key forward_to "tel:5002;phone-context=dialstring" -key far1 0631111

# Privilege isolation: Bob's call is up (his SIPp waits for its far end), Alice's session tries to
# clear, hold, deflect and transfer it, to act for his device and to stop his monitor, then the far end answers and
# Bob, who must have seen nothing but his own events, clears the call himself.
sipp_start victim "$scenarios/privilege_victim.xml" "${bob[@]}" -key far1 0699999 \
  -key call_file "$PWD/victim_call"
victim=$sipp_pid
for _ in $(seq 100); do
  [ -s victim_call ] && break
  sleep 0.1
done
check "Bob's call is up" test -s victim_call
refusals_before=$(grep -c 'user=alice .*refused' gw.err || true)
check "Alice's session is refused every request on Bob's call and device" \
  sipp_run privilege "$scenarios/privilege.xml" "${alice[@]}" \
  -key victim_call "$(cat victim_call 2>/dev/null)" -key victim_xref "$(cat victim_call.xref 2>/dev/null)" \
  -key victim_line "tel:5002;phone-context=dialstring"
refusals=$(($(grep -c 'user=alice .*refused' gw.err || true) - refusals_before))
check "the gateway logged each of the 11 refusals (${refusals})" test "$refusals" -eq 11
echo "answer 0699999" | socat -t 2 - "TCP:$control" > /dev/null
sipp_pid=$victim
check "Bob's call went on: answered, then cleared by Bob" sipp_wait victim

[ "$failures" -eq 0 ] || { echo "services_test: $failures check(s) failed" >&2; exit 1; }
echo "services_test: all checks passed"
