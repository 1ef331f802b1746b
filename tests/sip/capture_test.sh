#!/usr/bin/env bash
# Capture test: messages written by our serializer (requests from sip_test_server --client,
# responses from the server) cross loopback while tshark captures the test's own port; every
# one must decode as SIP with no malformed-packet or expert error.
# Exit 77 (ctest SKIP) only when tshark cannot capture on lo here, saying why.
#   capture_test.sh <sip_test_server> <tests/data/sip/uacsta>
set -euo pipefail
server_bin=$(realpath "$1")
data=$(realpath "$2")
command -v tshark >/dev/null || { echo "capture_test: SKIP: tshark is not installed"; exit 77; }
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

"$server_bin" --seconds 60 > server.out 2> server.err &
server_pid=$!
pids+=($server_pid)
for _ in $(seq 50); do grep -q '^tcp=' server.out && break; sleep 0.1; done
port=$(sed -n 's/^tcp=\([0-9]*\) .*/\1/p' server.out)
[ -n "$port" ] || { echo "capture_test: the server did not start" >&2; cat server.err >&2; exit 1; }

# A closed port of our own: connecting to it shows when the capture is really running (tshark
# says "Capturing on" before dumpcap has opened lo).
probe=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tshark -i lo -f "tcp port $port or tcp port $probe" -w cap.pcapng -a duration:60 \
  > tshark.out 2> tshark.err &
tshark_pid=$!
pids+=($tshark_pid)
for _ in $(seq 100); do
  grep -q "Capturing on" tshark.err && break
  if ! kill -0 $tshark_pid 2>/dev/null; then
    echo "capture_test: SKIP: tshark cannot capture on lo: $(grep -v '^ \*\*' tshark.err | head -2 | tr '\n' ' ')"
    exit 77
  fi
  sleep 0.1
done
grep -q "Capturing on" tshark.err || { echo "capture_test: SKIP: tshark did not start capturing on lo within 10 s"; exit 77; }
seen=0
for _ in $(seq 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$probe),0.2)" 2>/dev/null || true
  if [ "$(tshark -r cap.pcapng -Y "tcp.port==$probe" 2>/dev/null | wc -l)" -gt 0 ]; then
    seen=1
    break
  fi
  sleep 0.2
done
[ "$seen" = 1 ] || { echo "capture_test: SKIP: tshark on lo captured nothing within 10 s"; exit 77; }

"$server_bin" --client "$port" "$data/invite_request_system_status.sip" "$data/ack.sip" \
  "$data/info_make_call.sip" "$data/update_refresh.sip" "$data/bye.sip" > client.out
sleep 1  # let the last segments reach the capture
kill -INT $tshark_pid
wait $tshark_pid || true

decode=(-r cap.pcapng -d "tcp.port==$port,sip")
count=$(tshark "${decode[@]}" -Y sip 2>/dev/null | wc -l)
bad=$(tshark "${decode[@]}" -Y '_ws.malformed || _ws.expert.severity >= "Error"' 2>/dev/null | wc -l)
methods=$(tshark "${decode[@]}" -Y sip -T fields -e sip.CSeq.method -e sip.Status-Code 2>/dev/null \
  | tr '\t' ' ' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
echo "capture_test: $count SIP packets on port $port: $methods"
# Negative control: the same filter must flag a malformed SIP message (an unclosed '<' in
# Contact), put in a pcap by text2pcap, or a clean result above would prove nothing.
printf 'INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContact: <sip:a@b\r\nContent-Type: application/sdp\r\nContent-Length: 12\r\n\r\nv=0\r\nm=audio x\r\n' \
  | od -Ax -tx1 -v > bad.hex
text2pcap -q -T 40000,"$port" bad.hex bad.pcap
control=$(tshark -r bad.pcap -d "tcp.port==$port,sip" -Y '_ws.malformed || _ws.expert.severity >= "Error"' 2>/dev/null | wc -l)
if [ "$control" = 0 ]; then
  echo "capture_test: the malformed-packet check did not flag a malformed message" >&2
  exit 1
fi
if [ "$bad" != 0 ]; then
  echo "capture_test: $bad packets malformed or with expert errors:" >&2
  tshark "${decode[@]}" -Y '_ws.malformed || _ws.expert.severity >= "Error"' -V 2>/dev/null | head -60 >&2
  exit 1
fi
# INVITE, ACK, INFO, UPDATE, BYE from the client; 100, 200 (x4) from the server.
if [ "$count" -lt 10 ]; then
  echo "capture_test: expected at least 10 SIP packets, tshark decoded $count" >&2
  cat client.out >&2
  exit 1
fi
echo "capture_test: ok"
