#!/usr/bin/env bash
# rcc-gatewayd end to end: SIPp is the OCS side, the gateway runs its embedded simulator (the
# call manager) on the test directory. Checks sign-in + click-to-dial (signin_dial.xml), every
# sign-in refusal (refused.xml with the status and reason filled in), an incoming call and the
# refreshes (incoming_refresh.xml), a session nobody refreshes (BYE from the gateway), a peer
# outside the ACL, and no CTI node up (503 + Retry-After). Loopback only; every wait is bounded.
#   gateway_test.sh <rcc-gatewayd> <tests/sipp dir> <tests/data/gateway dir>
set -euo pipefail
gatewayd=$(realpath "$1")
scenarios=$(realpath "$2")
data=$(realpath "$3")
source "$(dirname "$(realpath "$0")")/gateway_lib.sh"
gateway_lib_init gateway_test sipp socat python3

sipp_run() {  # log-name scenario port keys...: SIPp on a free local port (tests run in parallel)
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

cat > gw.toml <<'TOML'
[gateway]
listen-tcp = "127.0.0.1:0"
acl = ["127.0.0.1"]
TOML
start_gateway gw gw.toml -d "$data/directory.toml"

check "sign-in and click-to-dial (alice calls bob)" \
  sipp_run dial "$scenarios/signin_dial.xml" "$sip_port" -key via_transport TCP \
  -key user alice@example.com -key line "tel:5001;phone-context=dialstring" \
  -key called "tel:5002;phone-context=dialstring"
check "the gateway logged the sign-in with user, line, device and node" \
  grep -q 'signed in user=alice matched-by="user ID" line=tel:5001;phone-context=dialstring device=SEP000000001111 .*node=127.0.0.1:' gw.err
check "the gateway logged the end of the session" \
  grep -q 'session ended user=alice .*why="BYE"' gw.err
control=$(sed -n 's/^control \(127\.0\.0\.1:[0-9]*\)$/\1/p' gw.out)
check "an incoming call scripted on the simulator, AnswerCall, refresh by re-INVITE and UPDATE" \
  sipp_run incoming "$scenarios/incoming_refresh.xml" "$sip_port" -key via_transport TCP \
  -key user bob@example.com -key line "tel:5002;phone-context=dialstring" -key called 5002 \
  -key control "$control"
check "the gateway logged the refresh" grep -q 'refreshed user=bob .*by=re-INVITE' gw.err

refused() {  # name status header reason user line [content-type]
  local name=$1 status=$2 header=$3 reason=$4 user=$5 line=$6 type=${7:-application/csta+xml}
  sed "s/@STATUS@/$status/; s/@HEADER@/$header/; s|@REASON@|$reason|" "$scenarios/refused.xml" \
    > "refused_$name.xml"
  sipp_run "$name" "refused_$name.xml" "$sip_port" -key user "$user" -key line "$line" \
    -key content_type "$type"
}
check "unknown user: 403" refused unknown 403 Warning: unknown-user nobody@example.com \
  "tel:5001;phone-context=dialstring"
check "RCC not enabled: 403" refused disabled 403 Warning: rcc-disabled dave@example.com \
  "tel:5004;phone-context=dialstring"
check "a line URI that does not parse: 400" refused badline 400 Warning: bad-line-uri \
  alice@example.com "tel:not a number"
check "another user's line: 403" refused mismatch 403 Warning: line-mismatch \
  alice@example.com "tel:5002;phone-context=dialstring"
check "three devices and no device=: 403" refused ambiguous 403 Warning: ambiguous-device \
  carol@example.com "tel:5003;phone-context=dialstring"
check "device= names a device without the DN: 404" refused notonline 404 Warning: \
  device-not-on-line erin@example.com "tel:5004;phone-context=dialstring;device=SEP000000001111"
check "a body that is not CSTA: 415 with Accept" refused mediatype 415 Accept: \
  'application/csta\\+xml' alice@example.com "tel:5001;phone-context=dialstring" text/plain
check "each refusal was logged with its reason" \
  grep -q 'sign-in refused reason=ambiguous-device user=carol' gw.err

# A session nobody refreshes: the gateway sends BYE before it expires (session-timer 90: at 60 s).
cat > expiry.toml <<'TOML'
[gateway]
listen-tcp = "127.0.0.1:0"
session-timer = 90
TOML
start_gateway expiry expiry.toml -d "$data/directory.toml"
started=$(date +%s)
check "a session nobody refreshes gets BYE from the gateway" \
  sipp_run expiry "$scenarios/expiry.xml" "$sip_port" -key via_transport TCP \
  -key user alice@example.com -key line "tel:5001;phone-context=dialstring" -timeout 100s
took=$(($(date +%s) - started))
check "the BYE came before the 90 s interval ran out (after ${took} s)" test "$took" -ge 55 -a "$took" -lt 90
check "the gateway logged the expiry" grep -q 'session ended user=alice .*why="session expired' expiry.err

# A peer outside the ACL: the connection is closed before anything is read or answered.
cat > acl.toml <<'TOML'
[gateway]
listen-tcp = "127.0.0.1:0"
acl = ["192.0.2.7/32"]
TOML
start_gateway acl acl.toml -d "$data/directory.toml"
acl_probe() {
  python3 - "$sip_port" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"OPTIONS sip:rcc-gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKx\r\n"
          b"From: <sip:a@b>;tag=1\r\nTo: <sip:rcc-gw@127.0.0.1>\r\nCall-ID: acl\r\nCSeq: 1 OPTIONS\r\n"
          b"Content-Length: 0\r\n\r\n")
try:
    data = s.recv(100)
except ConnectionResetError:
    data = b""
sys.exit(0 if data == b"" else 1)
PY
}
check "a peer outside the ACL gets no answer" acl_probe
check "the refused peer was logged" grep -q 'peer=127.0.0.1 refused: not in the \[gateway\] acl' acl.err

# No CTI node up: a node on a port nobody listens on.
closed_port=$(free_port)
printf 'x\n' > pw
cat > nonode.toml <<TOML
[gateway]
listen-tcp = "127.0.0.1:0"
[cti]
nodes = ["127.0.0.1:$closed_port"]
application-user = "rccgateway"
password-file = "pw"
connect-timeout = 1
TOML
start_gateway nonode nonode.toml -d "$data/directory.toml"
check "no CTI node up: 503 with Retry-After" refused nonode 503 Retry-After: '^ *[0-9]+' \
  alice@example.com "tel:5001;phone-context=dialstring"


[ "$failures" -eq 0 ] || { echo "gateway_test: $failures check(s) failed" >&2; exit 1; }
echo "gateway_test: all checks passed"
