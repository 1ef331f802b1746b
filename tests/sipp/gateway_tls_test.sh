#!/usr/bin/env bash
# rcc-gatewayd over mutual TLS: SIPp (plain TCP) -> socat (TLS, client certificate CN
# ocs.example.test) -> the gateway's TLS listener, sign-in and click-to-dial. The OCS side there
# takes no connections (its Contact is a closed port), so the gateway sends its event INFOs back
# on the connection the OCS side opened. Then the gateway's own TLS connection: a second user
# signs in with a Contact where an OCS-like TLS listener demands a client certificate, and the
# gateway's BYE at shutdown must arrive there, from the gateway's certificate. Last, peers the
# gateway must refuse: a subject not on tls-peer-subjects, and a certificate from another CA.
# Loopback only; bounded waits.
#   gateway_tls_test.sh <rcc-gatewayd> <tests dir>
set -euo pipefail
gatewayd=$(realpath "$1")
tests=$(realpath "$2")
source "$tests/sipp/gateway_lib.sh"
gateway_lib_init gateway_tls_test sipp socat openssl python3

# A lab CA; the gateway, the OCS front end and an intruder; and a CA nobody trusts.
for ca in ca rogue; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rcc-test-$ca" \
    -keyout $ca.key -out $ca.pem 2>/dev/null
done
issue() {  # name cn ca
  openssl req -newkey rsa:2048 -nodes -subj "/O=rcc tests/CN=$2" -keyout $1.key -out $1.csr 2>/dev/null
  printf 'subjectAltName=DNS:%s,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' "$2" > $1.ext
  openssl x509 -req -in $1.csr -CA $3.pem -CAkey $3.key -CAcreateserial -days 2 -extfile $1.ext \
    -out $1.pem 2>/dev/null
}
issue gw gw.example.test ca
issue ocs ocs.example.test ca
issue intruder intruder.example.test ca
issue stranger ocs.example.test rogue

cat > gw.toml <<'TOML'
[gateway]
listen-tcp = ""
listen-tls = "127.0.0.1:0"
acl = ["127.0.0.1"]
tls-certificate = "gw.pem"
tls-key = "gw.key"
tls-trust = "ca.pem"
tls-peer-subjects = ["ocs.example.test"]
TOML
start_gateway gw gw.toml -d "$tests/data/gateway/directory.toml"

front=$(free_port)   # SIPp -> TLS -> gateway
closed=$(free_port)  # where the first OCS side "takes" requests: nothing listens
sipp_port=$(free_port)
socat TCP-LISTEN:$front,bind=127.0.0.1,reuseaddr,fork \
  OPENSSL:127.0.0.1:$tls_port,cert=ocs.pem,key=ocs.key,cafile=ca.pem,commonname=gw.example.test \
  2> socat_front.err &
pids+=($!)
wait_port $front

if ! timeout 60 sipp -sf "$tests/sipp/signin_dial.xml" -t t1 -m 1 -nostdin -timeout 20s \
    -recv_timeout 5000 -p "$sipp_port" -key contact "sip:ocs@127.0.0.1:$closed;transport=tls" \
    -key via_transport TLS -key user alice@example.com -key line "tel:5001;phone-context=dialstring" \
    -key called "tel:5002;phone-context=dialstring" -trace_err -error_file sipp.err \
    "127.0.0.1:$front" > sipp.out 2>&1; then
  echo "gateway_tls_test: the scenario failed over TLS" >&2
  tail -30 sipp.out sipp.err gw.err socat_front.err >&2 2>/dev/null || true
  exit 1
fi
grep -q "using the peer's connection" gw.err || {
  echo "gateway_tls_test: the events did not fall back to the OCS side's connection" >&2; exit 1; }

# The gateway's own TLS connection to an OCS side that listens, with its client certificate.
ocs_port=$(free_port)
python3 - "$ocs_port" > ocs_listener.out 2> ocs_listener.err <<'PY' &
import socket, ssl, sys
port = int(sys.argv[1])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("ocs.pem", "ocs.key")
ctx.load_verify_locations("ca.pem")
ctx.verify_mode = ssl.CERT_REQUIRED
srv = socket.create_server(("127.0.0.1", port))
srv.settimeout(30)
print("listening", flush=True)
conn, _ = srv.accept()
s = ctx.wrap_socket(conn, server_side=True)
cert = s.getpeercert()
cn = [v for rdn in cert["subject"] for k, v in rdn if k == "commonName"]
data = b""
s.settimeout(20)
while b"\r\n\r\n" not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print("client-cn", cn[0] if cn else "-")
print("request", data.split(b"\r\n", 1)[0].decode(errors="replace"))
PY
pids+=($!)
for _ in $(seq 50); do grep -q listening ocs_listener.out && break; sleep 0.1; done
if ! timeout 60 sipp -sf "$tests/sipp/signin_only.xml" -t t1 -m 1 -nostdin -timeout 20s \
    -recv_timeout 5000 -p "$(free_port)" -key contact "sip:ocs@127.0.0.1:$ocs_port;transport=tls" \
    -key via_transport TLS -key user bob@example.com -key line "tel:5002;phone-context=dialstring" \
    "127.0.0.1:$front" > sipp_only.out 2>&1; then
  echo "gateway_tls_test: the second sign-in failed" >&2; tail -20 sipp_only.out gw.err >&2; exit 1
fi
kill "$gateway_pid"  # SIGTERM, which sends BYE to every dialog
for _ in $(seq 50); do grep -q '^request' ocs_listener.out && break; sleep 0.1; done
grep -q '^client-cn gw.example.test$' ocs_listener.out || {
  echo "gateway_tls_test: the gateway's own TLS connection did not present its certificate" >&2
  cat ocs_listener.out ocs_listener.err >&2; exit 1; }
grep -q '^request BYE sip:ocs@127.0.0.1:'"$ocs_port"';transport=tls SIP/2.0$' ocs_listener.out || {
  echo "gateway_tls_test: no BYE over the gateway's TLS connection" >&2; cat ocs_listener.out >&2; exit 1; }

grep -q 'open tls subject=CN=ocs.example.test,O=rcc tests' gw.err || {
  echo "gateway_tls_test: the gateway did not log the OCS certificate's subject" >&2; exit 1; }
grep -q "signed in user=alice" gw.err

# Refused after the handshake: a subject not on the list, and a certificate from another CA.
start_gateway gw2 gw.toml -d "$tests/data/gateway/directory.toml"
tls_probe() {  # cert key -> exit 0 when the gateway answered nothing and closed
  python3 - "$tls_port" "$1" "$2" <<'PY'
import socket, ssl, sys
port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.load_cert_chain(cert, key)
raw = socket.create_connection(("127.0.0.1", port), timeout=5)
try:
    s = ctx.wrap_socket(raw)
    s.sendall(b"OPTIONS sip:rcc-gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:1;branch=z9hG4bKt\r\n"
              b"From: <sip:a@b>;tag=1\r\nTo: <sip:rcc-gw@127.0.0.1>\r\nCall-ID: tls\r\n"
              b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
    data = s.recv(100)
except (ssl.SSLError, ConnectionResetError, BrokenPipeError, OSError):
    data = b""
sys.exit(0 if data == b"" else 1)
PY
}
tls_probe intruder.pem intruder.key || { echo "gateway_tls_test: a wrong subject was answered" >&2; exit 1; }
grep -q "refused: TLS subject 'CN=intruder.example.test,O=rcc tests' is not in" gw2.err || {
  echo "gateway_tls_test: no log line for the wrong subject" >&2; tail -5 gw2.err >&2; exit 1; }
tls_probe stranger.pem stranger.key || { echo "gateway_tls_test: an untrusted CA was answered" >&2; exit 1; }
grep -q 'tls handshake failed' gw2.err || {
  echo "gateway_tls_test: no log line for the untrusted certificate" >&2; exit 1; }
echo "gateway_tls_test: passed (mutual TLS both ways; wrong subject and untrusted CA refused)"
