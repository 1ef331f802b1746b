# Sourced by the gateway's end-to-end scripts (gateway_test.sh, gateway_tls_test.sh,
# ../kamailio/proxy_test.sh): a work directory removed at exit (kept with RCC_KEEP=1), every
# process started there killed at exit, and the helpers they share. Loopback only.
#   gateway_lib_init NAME TOOL...   checks the tools, makes and enters the work directory
#   start_gateway NAME CONFIG [ARGS...]  runs $gatewayd; sets sip_port / tls_port from its stdout
#   free_port, wait_port PORT

gateway_lib_init() {
  local name=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$name: $tool is not installed" >&2; exit 1; }
  done
  work=$(mktemp -d)
  pids=()
  trap gateway_lib_cleanup EXIT
  cd "$work"
}

# check NAME COMMAND...: runs it, prints "ok - NAME" or "not ok - NAME" and counts failures.
failures=0
check() {
  local name=$1
  shift
  if "$@"; then
    echo "ok - $name"
  else
    echo "not ok - $name" >&2
    failures=$((failures + 1))
  fi
}

gateway_lib_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${RCC_KEEP:-}" ] || rm -rf "$work"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {  # true once something accepts on 127.0.0.1:PORT (5 s at most)
  local _
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$1),1).close()" \
      2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

start_gateway() {  # NAME CONFIG [ARGS...]: waits for its listeners and a CTI node (10 s at most)
  local name=$1 config=$2 _
  shift 2
  "$gatewayd" -c "$config" "$@" > "$name.out" 2> "$name.err" &
  pids+=($!)
  gateway_pid=$!
  sip_port= tls_port=
  for _ in $(seq 100); do
    sip_port=$(sed -n 's/^sip tcp 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$name.out")
    tls_port=$(sed -n 's/^sip tls 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$name.out")
    if [ -n "$sip_port$tls_port" ]; then
      grep -q 'node=.* up' "$name.err" && return 0
      grep -q ' down: ' "$name.err" && return 0  # a test of no node up
    fi
    sleep 0.1
  done
  [ -n "$sip_port$tls_port" ] && return 0
  echo "$name did not start" >&2
  cat "$name.err" >&2
  exit 1
}
