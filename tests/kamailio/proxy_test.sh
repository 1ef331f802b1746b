#!/usr/bin/env bash
# Sign-in and click-to-dial through a real record-routing proxy: SIPp -> Kamailio -> rcc-gatewayd
# (embedded simulator). The gateway must copy Record-Route into its 200, and send its event
# INFOs and answers back along the route set through Kamailio, over the connection it opens
# itself. Loopback only; bounded waits.
#   proxy_test.sh <rcc-gatewayd> <tests dir>
set -euo pipefail
gatewayd=$(realpath "$1")
tests=$(realpath "$2")
source "$tests/sipp/gateway_lib.sh"
gateway_lib_init proxy_test sipp kamailio python3

printf '[gateway]\nlisten-tcp = "127.0.0.1:0"\nacl = ["127.0.0.1"]\n' > gw.toml
start_gateway gw gw.toml -d "$tests/data/gateway/directory.toml"
gw_port=$sip_port
k_port=$(free_port)
sipp_port=$(free_port)
sed "s/KAMAILIO_PORT/$k_port/g; s/GATEWAY_PORT/$gw_port/g" "$tests/kamailio/proxy.cfg" > proxy.cfg
mkdir -p run
kamailio -DD -E -f proxy.cfg -Y "$work/run" -w "$work/run" > kamailio.log 2>&1 &
pids+=($!)
wait_port "$k_port"

if ! timeout 60 sipp -sf "$tests/sipp/signin_dial.xml" -t t1 -m 1 -nostdin -timeout 20s \
    -recv_timeout 5000 -p "$sipp_port" -key contact "sip:ocs@127.0.0.1:$sipp_port;transport=tcp" \
    -key via_transport TCP -key user alice@example.com \
    -key line "tel:5001;phone-context=dialstring" -key called "tel:5002;phone-context=dialstring" \
    -trace_msg -message_file sipp.msg -trace_err -error_file sipp.err "127.0.0.1:$k_port" \
    > sipp.out 2>&1; then
  echo "proxy_test: the scenario failed through Kamailio" >&2
  tail -30 sipp.out sipp.err >&2 || true
  tail -20 gw.err kamailio.log >&2 || true
  exit 1
fi

# What SIPp received came through Kamailio: the 200 to the INVITE carries its Record-Route, and
# every event INFO has Kamailio's Via on top of the gateway's.
python3 - "$k_port" "$gw_port" sipp.msg <<'PY'
import re, sys
k_port, gw_port, path = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path, errors="replace").read()
msgs = re.split(r"\n(?=-{5,} )", text)
received = [m for m in msgs if "message received" in m]
ok_invite = [m for m in received if re.search(r"^SIP/2.0 200", m, re.M) and "CSeq: 1 INVITE" in m]
assert ok_invite, "no 200 to the INVITE"
assert re.search(r"^Record-Route: <sip:127\.0\.0\.1:%s;transport=tcp;lr" % k_port, ok_invite[0], re.M), \
    "the 200 does not carry Kamailio's Record-Route"
events = [m for m in received if re.search(r"^INFO sip:", m, re.M)]
assert len(events) >= 4, "expected at least 4 event INFOs, got %d" % len(events)
for e in events:
    vias = re.findall(r"^Via: (.*)$", e, re.M)
    assert len(vias) == 2, "an event INFO did not pass through Kamailio: %s" % vias
    assert ":%s" % k_port in vias[0] and ":%s" % gw_port in vias[1], vias
print("proxy_test: %d event INFOs came through Kamailio with its Via; Record-Route copied" % len(events))
PY
grep -q "signed in user=alice" gw.err
echo "proxy_test: passed"
