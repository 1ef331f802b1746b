#!/usr/bin/env bash
# SIGHUP under traffic: SIPp keeps 100 users signed in and dialing (MakeCall every 0.4 s) while
# the test changes the ACL, swaps the TLS certificate, adds a CTI node and removes another, and
# sends SIGHUP; then sends a broken configuration. Asserted:
#   - no session drops: every SIPp call (sign-in, 16 MakeCalls, BYE) succeeds;
#   - new TLS handshakes present the new certificate; 127.0.0.2, refused before, is admitted;
#   - the added node comes up, the removed one is gone from /metrics, the sessions on it moved;
#   - the broken configuration is refused with file:line:column and the old one keeps serving;
#   - /healthz turns 503 when every node is killed; SIGTERM then exits 0.
#   reload_test.sh <rcc-gatewayd> <rcc-ctisim> <tests dir>
set -euo pipefail
gatewayd=$1 ctisim=$2 tests=$3
source "$tests/sipp/gateway_lib.sh"
gateway_lib_init reload_test sipp openssl python3 curl
fail() { echo "reload_test: $*" >&2; tail -40 gw.err >&2 2>/dev/null || true; exit 1; }

users=100 infos=16
python3 - "$users" <<'PY'
import sys
n = int(sys.argv[1])
with open("directory.toml", "w") as f, open("users.csv", "w") as u:
    u.write("SEQUENTIAL\n")
    for i in range(n):
        f.write('[[device]]\nname = "SEP%012d"\nmodel = "Cisco 7975"\nregistered = true\n'
                'lines = [{ dn = "%d" }]\n\n' % (7000 + i, 7000 + i))
        f.write('[[user]]\nid = "u%03d"\nrcc-enabled = true\n'
                'line-uri = "tel:%d;phone-context=dialstring"\ndevices = ["SEP%012d"]\n\n'
                % (i, 7000 + i, 7000 + i))
        u.write("u%03d;%d\n" % (i, 7000 + i))
    f.write('[[application-user]]\nid = "rccgateway"\npassword = "rcc-test-password"\n'
            'groups = ["Standard CTI Enabled", "Standard CTI Allow Control of All Devices"]\n')
PY
echo rcc-test-password > pw

start_sim() {  # NAME: sets sim_port
  : > "$1.out"  # exists before the loop below reads it
  "$ctisim" --directory directory.toml --listen 127.0.0.1:0 --control 127.0.0.1:0 > "$1.out" 2>/dev/null &
  pids+=($!)
  eval "${1}_pid=$!"
  local _
  for _ in $(seq 150); do
    sim_port=$(sed -n '1s/.*:\([0-9]*\)$/\1/p' "$1.out")
    [ -n "$sim_port" ] && return 0
    sleep 0.1
  done
  fail "simulator $1 did not start"
}
start_sim a; port_a=$sim_port
start_sim b; port_b=$sim_port
start_sim c; port_c=$sim_port

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rcc-test-ca" -keyout ca.key -out ca.pem 2>/dev/null
issue() {  # name cn
  openssl req -newkey rsa:2048 -nodes -subj "/O=rcc tests/CN=$2" -keyout $1.key -out $1.csr 2>/dev/null
  printf 'subjectAltName=DNS:%s,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' "$2" > $1.ext
  openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile $1.ext \
    -out $1.pem 2>/dev/null
}
issue one gw-one.example.test
issue two gw-two.example.test
issue ocs ocs.example.test  # the client certificate of the handshakes the test makes
cp one.pem gw.pem; cp one.key gw.key

config() {  # ACL NODES...
  local acl=$1
  shift
  local nodes= n
  for n in "$@"; do nodes+="${nodes:+, }\"127.0.0.1:$n\""; done
  cat > gw.toml <<TOML
[gateway]
listen-tcp = "127.0.0.1:0"
listen-tls = "127.0.0.1:0"
metrics-listen = "127.0.0.1:0"
acl = [$acl]
tls-certificate = "gw.pem"
tls-key = "gw.key"
tls-trust = "ca.pem"
[cti]
nodes = [$nodes]
application-user = "rccgateway"
password-file = "pw"
heartbeat-interval = 1
connect-timeout = 1
[directory]
file = "directory.toml"
TOML
}
config '"127.0.0.1"' "$port_a" "$port_b"
start_gateway gw gw.toml
http_port=$(sed -n 's/^http 127\.0\.0\.1:\([0-9]*\)$/\1/p' gw.out)
[ -n "$http_port" ] || fail "no http port on stdout"
for _ in $(seq 100); do [ "$(grep -c 'node=.* up$' gw.err)" -ge 2 ] && break; sleep 0.1; done

subject() {  # the subject the gateway presents to a new TLS handshake
  { openssl s_client -connect "127.0.0.1:$tls_port" -cert ocs.pem -key ocs.key -CAfile ca.pem \
      </dev/null 2>/dev/null || true; } | openssl x509 -noout -subject 2>/dev/null || true
}
options_from() {  # SOURCE-ADDRESS: prints the status line of the answer, or "none"
  python3 - "$1" "$sip_port" <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(3)
try:
    s.bind((sys.argv[1], 0))
    s.connect(("127.0.0.1", int(sys.argv[2])))
    s.sendall(b"OPTIONS sip:rcc-gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.2:9;branch=z9hG4bKopt1\r\n"
              b"From: <sip:probe@example.com>;tag=1\r\nTo: <sip:rcc-gw@127.0.0.1>\r\nCall-ID: opt1\r\n"
              b"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
    data = s.recv(4096)
    print(data.split(b"\r\n")[0].decode() if data else "none")
except OSError:
    print("none")
PY
}
metric() { curl -s "http://127.0.0.1:$http_port/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

subject | grep -q "CN = gw-one.example.test" || fail "the first certificate is not presented"
[ "$(options_from 127.0.0.2)" = none ] || fail "127.0.0.2 was admitted before the ACL named it"

# The scenario: sign in, $infos MakeCalls 0.4 s apart, sign out. Unrolled (CSeq per request).
{
  cat <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="signed in and dialing through reloads">
  <send retrans="500"><![CDATA[
      INVITE sip:rcc-gw@[remote_ip]:[remote_port];transport=tcp SIP/2.0
      Via: SIP/2.0/TCP [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@example.com>;tag=[pid]T[call_number];epid=[call_number]
      To: <sip:rcc-gw@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:ocs@[local_ip]:[local_port];transport=tcp>
      Max-Forwards: 70
      Supported: timer
      Content-Type: application/csta+xml
      Content-Length: [len]

      <?xml version="1.0"?><RequestSystemStatus xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3"><extensions><privateData><private><lcs:line xmlns:lcs="http://schemas.microsoft.com/Lcs/2005/04/RCCExtension">tel:[field1];phone-context=dialstring</lcs:line></private></privateData></extensions></RequestSystemStatus>
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="200" rrs="true"><action>
    <ereg regexp=".*" search_in="hdr" header="To:" assign_to="to"/>
  </action></recv>
  <send><![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/TCP [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@example.com>;tag=[pid]T[call_number];epid=[call_number]
      To:[$to]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
XML
  for i in $(seq 2 $((infos + 1))); do
    cat <<XML
  <pause milliseconds="400"/>
  <send><![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/TCP [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@example.com>;tag=[pid]T[call_number];epid=[call_number]
      To:[\$to]
      Call-ID: [call_id]
      CSeq: $i INFO
      Max-Forwards: 70
      Content-Type: application/csta+xml
      Content-Length: [len]

      <?xml version="1.0"?><MakeCall xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3"><callingDevice>tel:[field1];phone-context=dialstring</callingDevice><calledDirectoryNumber>tel:7099;phone-context=dialstring</calledDirectoryNumber></MakeCall>
  ]]></send>
  <recv response="200"/>
XML
  done
  cat <<XML
  <send><![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/TCP [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@example.com>;tag=[pid]T[call_number];epid=[call_number]
      To:[\$to]
      Call-ID: [call_id]
      CSeq: $((infos + 2)) BYE
      Max-Forwards: 70
      Content-Length: 0

  ]]></send>
  <recv response="200"/>
</scenario>
XML
} > traffic.xml

timeout 120 sipp -sf traffic.xml -inf users.csv -t t1 -m "$users" -r 50 -l "$users" -nostdin \
  -timeout 90s -recv_timeout 10000 -p "$(free_port)" -trace_err -error_file sipp.err \
  "127.0.0.1:$sip_port" > sipp.out 2>&1 &
sipp_pid=$!
pids+=($sipp_pid)

for _ in $(seq 100); do [ "$(metric rcc_sign_ins_total)" = "$users" ] && break; sleep 0.1; done
[ "$(metric rcc_sign_ins_total)" = "$users" ] || fail "the $users users did not all sign in"

# The reload: ACL + 127.0.0.2, the second certificate, node a out and node c in.
cp two.pem gw.pem; cp two.key gw.key
config '"127.0.0.1", "127.0.0.2"' "$port_b" "$port_c"
kill -HUP "$gateway_pid"
for _ in $(seq 100); do grep -q 'reload: applied' gw.err && break; sleep 0.1; done
grep -q 'reload: applied .* 1 CTI node(s) added, 1 removed, TLS identity reloaded' gw.err ||
  fail "the reload was not applied as expected"
subject | grep -q "CN = gw-two.example.test" || fail "new handshakes do not present the new certificate"
case $(options_from 127.0.0.2) in "SIP/2.0 200"*) ;; *) fail "127.0.0.2 is not admitted after the reload" ;; esac
for _ in $(seq 100); do
  [ "$(metric "rcc_cti_node_up{node=\"127.0.0.1:$port_c\"}")" = 1 ] && break
  sleep 0.1
done
[ "$(metric "rcc_cti_node_up{node=\"127.0.0.1:$port_c\"}")" = 1 ] || fail "the added node is not up"
[ -z "$(metric "rcc_cti_node_up{node=\"127.0.0.1:$port_a\"}")" ] || fail "the removed node is still listed"
moved=$(metric rcc_failovers_total)
[ "${moved:-0}" -gt 0 ] || fail "no session moved off the removed node"

# A broken configuration: refused with its location, the running one kept.
printf '[gateway]\nacl = ["127.0.0.1"\n' > gw.toml
kill -HUP "$gateway_pid"
for _ in $(seq 100); do grep -q 'reload refused' gw.err && break; sleep 0.1; done
grep -Eq 'reload refused: [^ ]*gw\.toml:[0-9]+:[0-9]+: ' gw.err ||
  fail "the broken configuration was not refused with file:line:column"
case $(options_from 127.0.0.2) in "SIP/2.0 200"*) ;; *) fail "the running configuration was not kept" ;; esac

wait "$sipp_pid" || { tail -30 sipp.out sipp.err >&2 2>/dev/null; fail "SIPp saw a failed call: a session dropped"; }
grep -Eq "Successful call +\| +[0-9]+ +\| +$users" sipp.out ||
  { tail -30 sipp.out >&2; fail "not every call succeeded"; }
ok=$(metric 'rcc_requests_total{service="MakeCall",result="ok"}')
echo "reload_test: $users sessions through 2 reloads; MakeCall answered ok: ${ok:-0}; failovers: $moved"
[ "$(metric 'rcc_refusals_total{reason="no-cti-node"}')" = 0 ] || fail "a sign-in was refused for want of a node"

kill -9 "$b_pid" "$c_pid"
for _ in $(seq 150); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/healthz")" = 503 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/healthz")" = 503 ] ||
  fail "/healthz did not turn 503 with every node killed"
kill -TERM "$gateway_pid"
rc=0
wait "$gateway_pid" || rc=$?
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"
echo "reload_test: passed"
