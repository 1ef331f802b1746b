#!/usr/bin/env bash
# rcc-gatewayd over mutual TLS: SIPp (plain TCP) -> socat (TLS, client certificate CN
# ocs.example.test) -> the gateway's TLS listener; the gateway's own requests (event INFOs) go
# to the OCS side's TLS address, a second socat that demands the gateway's client certificate.
# Then peers the gateway must refuse: a certificate whose subject is not on tls-peer-subjects,
# and one from an untrusted CA. Loopback only; bounded waits.
#   gateway_tls_test.sh <rcc-gatewayd> <tests dir>
set -euo pipefail
gatewayd=$(realpath "$1")
tests=$(realpath "$2")
for tool in sipp socat openssl python3; do
  command -v "$tool" >/dev/null || { echo "gateway_tls_test: $tool is not installed" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${RCC_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),1).close()" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

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
"$gatewayd" -c gw.toml -d "$tests/data/gateway/directory.toml" > gw.out 2> gw.err &
pids+=($!)
tls_port=
for _ in $(seq 100); do
  tls_port=$(sed -n 's/^sip tls 127\.0\.0\.1:\([0-9]*\)$/\1/p' gw.out)
  [ -n "$tls_port" ] && grep -q 'node=.* up' gw.err && break
  sleep 0.1
done
[ -n "$tls_port" ] || { echo "gateway_tls_test: the gateway did not start" >&2; cat gw.err >&2; exit 1; }

front=$(free_port)   # SIPp -> TLS -> gateway
back=$(free_port)    # gateway -> TLS -> SIPp
sipp_port=$(free_port)
socat TCP-LISTEN:$front,bind=127.0.0.1,reuseaddr,fork \
  OPENSSL:127.0.0.1:$tls_port,cert=ocs.pem,key=ocs.key,cafile=ca.pem,commonname=gw.example.test \
  2> socat_front.err &
pids+=($!)
socat OPENSSL-LISTEN:$back,bind=127.0.0.1,reuseaddr,fork,cert=ocs.pem,key=ocs.key,cafile=ca.pem,verify=1 \
  TCP:127.0.0.1:$sipp_port 2> socat_back.err &
pids+=($!)
wait_port $front
wait_port $back || true

if ! timeout 60 sipp -sf "$tests/sipp/signin_dial.xml" -t t1 -m 1 -nostdin -timeout 20s \
    -recv_timeout 5000 -p "$sipp_port" -key contact "sip:ocs@127.0.0.1:$back;transport=tls" \
    -key via_transport TLS -key user alice@example.com -key line "tel:5001;phone-context=dialstring" \
    -key called "tel:5002;phone-context=dialstring" -trace_err -error_file sipp.err \
    "127.0.0.1:$front" > sipp.out 2>&1; then
  echo "gateway_tls_test: the scenario failed over TLS" >&2
  tail -30 sipp.out sipp.err gw.err socat_front.err socat_back.err >&2 2>/dev/null || true
  exit 1
fi
grep -q 'open tls subject=CN=ocs.example.test,O=rcc tests' gw.err || {
  echo "gateway_tls_test: the gateway did not log the OCS certificate's subject" >&2; exit 1; }
grep -q "signed in user=alice" gw.err

# Refused after the handshake: a subject not on the list, and a certificate from another CA.
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
grep -q "refused: TLS subject 'CN=intruder.example.test,O=rcc tests' is not in" gw.err || {
  echo "gateway_tls_test: no log line for the wrong subject" >&2; tail -5 gw.err >&2; exit 1; }
tls_probe stranger.pem stranger.key || { echo "gateway_tls_test: an untrusted CA was answered" >&2; exit 1; }
grep -q 'tls handshake failed' gw.err || {
  echo "gateway_tls_test: no log line for the untrusted certificate" >&2; exit 1; }
echo "gateway_tls_test: passed (mutual TLS both ways; wrong subject and untrusted CA refused)"
