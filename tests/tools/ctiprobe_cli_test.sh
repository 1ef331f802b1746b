#!/usr/bin/env bash
# rcc-ctiprobe as cron runs it, against real rcc-ctisim processes on 127.0.0.1 (ports picked by
# the kernel): status line, perfdata, exit codes, JSON, the Prometheus file, concurrency.
# usage: ctiprobe_cli_test.sh PROBE SIM
set -u
probe=$1 sim=$2
src=${RCC_SOURCE_DIR:?}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# start_sim NAME: starts a simulator, sets port_NAME and control_NAME.
start_sim() {
  "$sim" --directory "$src/examples/directory.toml" --listen 127.0.0.1:0 --control 127.0.0.1:0 \
    -q > "$work/$1.out" &
  pids+=($!)
  for _ in $(seq 100); do
    grep -q '^control ' "$work/$1.out" 2>/dev/null && break
    sleep 0.05
  done
  local p c
  p=$(sed -n 's/^cti 127\.0\.0\.1://p' "$work/$1.out")
  c=$(sed -n 's/^control 127\.0\.0\.1://p' "$work/$1.out")
  [[ -n $p && -n $c ]] || fail "simulator $1 did not start"
  printf -v "port_$1" %s "$p"
  printf -v "control_$1" %s "$c"
}
control() {  # control NAME COMMAND...
  local var="control_$1"
  shift
  python3 - "${!var}" "$*" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall((sys.argv[2] + "\n").encode())
print(s.makefile().readline().strip())
PY
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
now_ms() { date +%s%3N; }

cfg="$src/examples/rcc.toml"

# --- 8 nodes: 6 fine, 1 stopped, 1 slow -----------------------------------------------------
nodes=()
for n in 1 2 3 4 5 6 7; do
  start_sim "n$n"
  v="port_n$n"
  nodes+=("127.0.0.1:${!v}")
done
[[ $(control n7 delay 700) == ok ]] || fail "delay command"
stopped=127.0.0.1:$(free_port)
nodes=("${nodes[@]:0:3}" "$stopped" "${nodes[@]:3}")  # node4 is the stopped one, node8 slow
t0=$(now_ms)
out=$("$probe" --config "$cfg" -w 500 -c 2000 --prometheus "$work/cti.prom" "${nodes[@]}")
rc=$?
elapsed=$(( $(now_ms) - t0 ))
echo "$out"
echo "elapsed ${elapsed} ms"
[[ $rc == 2 ]] || fail "expected exit 2 (CRITICAL), got $rc"
[[ $out == "CTI CRITICAL - 7/8 nodes up; $stopped: connection refused"*"; ${nodes[7]}: rtt "*" ms warning |"* ]] ||
  fail "status line: $out"
for i in 1 2 3 4 5 6 7 8; do
  [[ $out == *"'node${i}_rtt'="* ]] || fail "no perfdata for node$i"
done
[[ $out == *"'node4_rtt'=U;500;2000;0"* ]] || fail "stopped node's rtt should be U"
[[ $out =~ \'node8_rtt\'=([7-9][0-9][0-9]|[0-9]{4,})\.[0-9]ms\;500\;2000\;0 ]] || fail "slow node's rtt: $out"
[[ $out =~ \'node1_rtt\'=[0-9]+\.[0-9]ms\;500\;2000\;0 ]] || fail "node1 perfdata: $out"
# The slow node answers the session start and the heartbeat 700 ms late each: ~1.4 s. Probed
# one after the other the run would take that plus the rest; concurrently, about that.
(( elapsed < 4000 )) || fail "took ${elapsed} ms: not concurrent?"
grep -q "^rcc_ctiprobe_up{node=\"$stopped\"} 0$" "$work/cti.prom" || fail "prometheus: stopped node"
grep -q "^rcc_ctiprobe_up{node=\"${nodes[0]}\"} 1$" "$work/cti.prom" || fail "prometheus: node1"
grep -q '^rcc_ctiprobe_status 2$' "$work/cti.prom" || fail "prometheus: status"
ls "$work" | grep -q '\.tmp\.' && fail "prometheus temporary file left behind"

# --- 8 slow nodes take about as long as one -------------------------------------------------
for n in 1 2 3 4 5 6 7; do control "n$n" delay 300 > /dev/null; done
start_sim n8
control n8 delay 300 > /dev/null
all=()
for n in 1 2 3 4 5 6 7 8; do v="port_n$n"; all+=("127.0.0.1:${!v}"); done
t0=$(now_ms)
out=$("$probe" --config "$cfg" -w 5000 -c 9000 "${all[@]}")
rc=$?
elapsed=$(( $(now_ms) - t0 ))
echo "$out"
echo "8 nodes x 0.6 s each: elapsed ${elapsed} ms (the sum would be 4800 ms)"
[[ $rc == 0 ]] || fail "expected OK, got $rc: $out"
[[ $out == "CTI OK - 8/8 nodes up |"* ]] || fail "status line: $out"
# Bounded well below the 4.8 s a sequential probe needs, with slack for a loaded CI machine.
(( elapsed < 3600 )) || fail "took ${elapsed} ms for 8 nodes of 0.6 s"
for n in 1 2 3 4 5 6 7 8; do control "n$n" delay 0 > /dev/null; done

# --- thresholds ---------------------------------------------------------------------------------
"$probe" --config "$cfg" -w 500 -c @0:100000 "${all[0]}" > /dev/null
[[ $? == 2 ]] || fail "-c @0:100000 should make any rtt CRITICAL"
"$probe" --config "$cfg" -w @0:100000 -c 100000 "${all[0]}" > /dev/null
[[ $? == 1 ]] || fail "-w @0:100000 should make any rtt WARNING"

# --- each failure has its own message ----------------------------------------------------------
printf 'not-the-password\n' > "$work/wrong"
out=$("$probe" --config "$cfg" --password-file "$work/wrong" "${all[0]}")
[[ $? == 2 && $out == *"wrong application user or password"* ]] || fail "wrong password: $out"
out=$("$probe" --config "$cfg" -u nocti "${all[0]}")
[[ $? == 2 && $out == *"application user has no CTI permission"* ]] || fail "no permission: $out"
control n1 silent on > /dev/null
out=$("$probe" --config "$cfg" -t 1 "${all[0]}")
[[ $? == 2 && $out == *"timed out waiting for an answer"* ]] || fail "silent node: $out"
control n1 silent off > /dev/null
# A node that speaks HTTP instead of CSTA.
python3 - "$work/garbage.port" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(10)
c, _ = s.accept(); c.recv(4096); c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"); c.close()
PY
pids+=($!)
for _ in $(seq 100); do [[ -f $work/garbage.port ]] && break; sleep 0.05; done
out=$("$probe" --config "$cfg" "127.0.0.1:$(cat "$work/garbage.port")")
[[ $? == 2 && $out == *"garbage: not CSTA XML over TCP"* ]] || fail "garbage node: $out"

# --- JSON and UNKNOWN -----------------------------------------------------------------------------
out=$("$probe" --config "$cfg" --json "${all[0]}" "$stopped")
[[ $? == 2 ]] || fail "json exit code"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["status"]=="CRITICAL" and d["nodes"][0]["up"] and not d["nodes"][1]["up"] and "refused" in d["nodes"][1]["problem"], d' "$out" ||
  fail "json: $out"
out=$("$probe" --config "$cfg" -w nonsense "${all[0]}")
[[ $? == 3 && $out == "CTI UNKNOWN - "* ]] || fail "bad range: $out"
out=$("$probe" --config "$cfg" not-an-address)
[[ $? == 3 && $out == "CTI UNKNOWN - "* ]] || fail "bad node: $out"
"$probe" --no-such-option > /dev/null 2>&1
[[ $? == 3 ]] || fail "usage error should be UNKNOWN"
echo PASS
