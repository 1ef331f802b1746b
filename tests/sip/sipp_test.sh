#!/usr/bin/env bash
# SIPp as the OCS/Lync side of a uaCSTA session against sip_test_server, over TCP, then over TLS
# through socat (Debian's SIPp is built without TLS): socat takes SIPp's TCP connection and
# opens a mutual-TLS one to the server with a client certificate. The scenario checks every
# answer; the server must report the client certificate's subject for the TLS dialog.
#   sipp_test.sh <sip_test_server> <scenario.xml>
set -euo pipefail
server_bin=$(realpath "$1")
scenario=$(realpath "$2")
for tool in sipp socat openssl python3; do
  command -v "$tool" >/dev/null || { echo "sipp_test: $tool is not installed" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

# Test certificates, made now: a CA, the server (CN rcc-test-server) and the client (the OCS
# front end in real life).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=rcc-test-ca" \
  -keyout ca.key -out ca.pem 2>/dev/null
for who in server client; do
  openssl req -newkey rsa:2048 -nodes -subj "/O=rcc tests/CN=rcc-test-$who" \
    -keyout $who.key -out $who.csr 2>/dev/null
  printf 'subjectAltName=DNS:rcc-test-%s,IP:127.0.0.1\n' "$who" > $who.ext
  openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile $who.ext -out $who.pem 2>/dev/null
done

"$server_bin" --cert server.pem --key server.key --ca ca.pem --seconds 60 > server.out 2> server.err &
pids+=($!)
for _ in $(seq 50); do grep -q '^tcp=' server.out && break; sleep 0.1; done
read -r tcp_port tls_port < <(sed -n 's/^tcp=\([0-9]*\) tls=\([0-9]*\)$/\1 \2/p' server.out)
[ -n "${tls_port:-}" ] || { echo "sipp_test: the server did not start" >&2; cat server.err >&2; exit 1; }

run_sipp() {  # port via_transport
  if ! sipp -sf "$scenario" -t t1 -m 1 -nostdin -timeout 15s -recv_timeout 5000 \
      -key via_transport "$2" -trace_err -error_file sipp_err_$2.log \
      "127.0.0.1:$1" > sipp_$2.out 2>&1; then
    echo "sipp_test: SIPp over $2 failed" >&2
    cat sipp_$2.out sipp_err_$2.log 2>/dev/null | tail -40 >&2
    cat server.err >&2
    exit 1
  fi
}

echo "== SIPp over TCP to port $tcp_port"
run_sipp "$tcp_port" TCP

socat_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
socat TCP-LISTEN:$socat_port,bind=127.0.0.1,reuseaddr,fork \
  OPENSSL:127.0.0.1:$tls_port,cert=client.pem,key=client.key,cafile=ca.pem,commonname=rcc-test-server \
  2> socat.err &
pids+=($!)
for _ in $(seq 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$socat_port),1).close()" \
    2>/dev/null && break
  sleep 0.1
done
echo "== SIPp over TLS (socat on $socat_port) to port $tls_port"
run_sipp "$socat_port" TLS

# Two dialogs, both ended by BYE; the TLS one names the client certificate.
invites=$(grep -c '^invite ' server.out || true)
byes=$(grep -c '^ended .* why=bye$' server.out || true)
if [ "$invites" != 2 ] || [ "$byes" != 2 ]; then
  echo "sipp_test: expected 2 INVITEs and 2 BYEs, server saw $invites and $byes" >&2
  cat server.out >&2
  exit 1
fi
if ! grep -q '^invite .*subject=CN=rcc-test-client,O=rcc tests ' server.out; then
  echo "sipp_test: the server did not see the client certificate subject" >&2
  cat server.out >&2
  exit 1
fi
echo "sipp_test: ok"
