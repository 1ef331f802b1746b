#!/usr/bin/env python3
"""rcc-gatewayd as a service: the notifications systemd reads, the status endpoint, --status and
a clean stop, with real processes (an rcc-ctisim node, the OCS side from sip_client.py).

- a datagram socket of the test is NOTIFY_SOCKET: READY, STATUS, RELOADING, READY, STOPPING
  arrive in that order across start, SIGHUP and SIGTERM; WATCHDOG=1 pings arrive (WATCHDOG_USEC);
- /metrics parses with prometheus_client's text parser, and its counters move as users sign in,
  dial and are refused; /sessions and `--status` (text and --json) show the signed-in users;
  /healthz is 200; anything but GET/HEAD is 405;
- a broken configuration at SIGHUP is refused with its file:line:column and the running one
  keeps serving;
- SIGTERM with sessions up: every dialog gets a BYE, the simulator counts one MonitorStop per
  monitor, exit 0.

    lifecycle_test.py <rcc-gatewayd> <rcc-ctisim> <tests/data dir>
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:  # a Python other than Debian's runs the test: use Debian's package
    sys.path.append("/usr/lib/python3/dist-packages")
    from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sipp"))
from sip_client import Conn, answer, make_call, monitor_start, request, response, rss, status, to_tag  # noqa

GATEWAYD, CTISIM, DATA = sys.argv[1:4]
USERS = [("alice", "tel:5001;phone-context=dialstring"), ("bob", "tel:5002;phone-context=dialstring")]
work = tempfile.mkdtemp()
# The gateway tests' directory and frank, who signs in after the refused reload.
DIRECTORY = os.path.join(work, "directory.toml")
with open(os.path.join(DATA, "gateway/directory.toml")) as src, open(DIRECTORY, "w") as f:
    text = src.read()
    head, users = text.split("[[user]]", 1)
    f.write(head + '[[device]]\nname = "SEP000000005555"\nmodel = "Cisco 7975"\nregistered = true\n'
            'lines = [{ dn = "5005", partition = "Internal" }]\n\n[[user]]\nid = "frank"\n'
            'rcc-enabled = true\nline-uri = "tel:5005;phone-context=dialstring"\n'
            'devices = ["SEP000000005555"]\n\n[[user]]' + users)
failures = []
procs = []


def check(name, ok):
    print(("ok - " if ok else "not ok - ") + name, flush=True)
    if not ok:
        failures.append(name)


def wait_for(what, predicate, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    print("timed out waiting for " + what, file=sys.stderr)
    return False


def control(port, command):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall((command + "\n").encode())
        return s.recv(200).decode().strip()


def get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def metrics(port):
    """{(name, frozenset(labels)): value} of every sample; raises when the text does not parse."""
    code, text = get(port, "/metrics")
    assert code == 200, code
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(m, name, **labels):
    return m.get((name, frozenset(labels.items())), 0)


notify_path = os.path.join(work, "notify")
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(notify_path)
notify.settimeout(0.2)
received = []  # every datagram, in order


def drain_notify(seconds=0.0):
    deadline = time.time() + seconds
    while True:
        try:
            received.append(notify.recv(4096).decode())
        except socket.timeout:
            if time.time() >= deadline:
                return


def notified(prefix):
    drain_notify()
    return any(any(line.startswith(prefix) for line in d.split("\n")) for d in received)


def sign_in(port, call_id, user, line):
    c = Conn(port)
    c.send(request("INVITE", call_id, 1, rss(line), user=user))
    ok = response(c)
    if status(ok) != 200:
        return c, None, status(ok)
    tag = to_tag(ok)
    c.send(request("ACK", call_id, 1, to_tag=tag, user=user, branch="z9hG4bKack" + call_id))
    return c, tag, 200


try:
    sim = subprocess.Popen([CTISIM, "--directory", DIRECTORY, "--listen", "127.0.0.1:0",
                            "--control", "127.0.0.1:0"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    procs.append(sim)
    cti = int(re.search(r":(\d+)$", sim.stdout.readline().strip()).group(1))
    ctl = int(re.search(r":(\d+)$", sim.stdout.readline().strip()).group(1))

    with open(os.path.join(work, "pw"), "w") as f:
        f.write("rcc-test-password\n")
    config = os.path.join(work, "rcc.toml")
    good = ('[gateway]\nlisten-tcp = "127.0.0.1:0"\nmetrics-listen = "127.0.0.1:0"\n'
            '[cti]\nnodes = ["127.0.0.1:%d"]\napplication-user = "rccgateway"\n'
            'password-file = "pw"\nheartbeat-interval = 1\n[directory]\nfile = "%s"\n'
            % (cti, DIRECTORY))
    with open(config, "w") as f:
        f.write(good)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="400000")
    env.pop("WATCHDOG_PID", None)
    env.pop("JOURNAL_STREAM", None)
    log_path = os.path.join(work, "gw.err")
    gw = subprocess.Popen([GATEWAYD, "-c", config], stdout=subprocess.PIPE,
                          stderr=open(log_path, "w"), text=True, env=env)
    procs.append(gw)
    sip_port = http_port = None
    for _ in range(4):
        line = gw.stdout.readline().strip()
        if line.startswith("sip tcp "):
            sip_port = int(line.rsplit(":", 1)[1])
        if line.startswith("http "):
            http_port = int(line.rsplit(":", 1)[1])
        if sip_port and http_port:
            break

    def log():
        return open(log_path).read()

    check("the gateway prints its SIP and HTTP ports", sip_port and http_port)
    check("READY=1 once the CTI node is up", wait_for("READY", lambda: notified("READY=1")))
    check("STATUS= names the sessions and nodes",
          wait_for("STATUS", lambda: any(re.search(r"STATUS=\d+ session\(s\); 1 of 1 CTI node", d)
                                         for d in received)))
    check("WATCHDOG=1 pings arrive (at least 3 in 1.5 s with WATCHDOG_USEC=400000)",
          wait_for("watchdog", lambda: (drain_notify(), sum("WATCHDOG=1" in d for d in received))[1] >= 3, 5))
    code, body = get(http_port, "/healthz")
    check("/healthz is 200 with the node up", code == 200 and body == "ok\n")
    before = metrics(http_port)
    check("/metrics parses and reports the node up",
          value(before, "rcc_cti_node_up", node="127.0.0.1:%d" % cti) == 1)
    req = urllib.request.Request("http://127.0.0.1:%d/metrics" % http_port, method="POST", data=b"x")
    try:
        urllib.request.urlopen(req, timeout=5)
        post_code = 200
    except urllib.error.HTTPError as e:
        post_code = e.code
    check("POST is refused with 405 (nothing on the endpoint changes state)", post_code == 405)
    check("an unknown path is 404", get(http_port, "/nothing")[0] == 404)

    # --- traffic: two users sign in, monitor and dial; one unknown user is refused ---
    conns = {}
    for i, (user, line) in enumerate(USERS):
        c, tag, st = sign_in(sip_port, "life%d" % i, user, line)
        check("%s signs in" % user, tag is not None)
        c.send(request("INFO", "life%d" % i, 2, monitor_start(line), tag, user=user))
        m = response(c)
        check("%s: MonitorStart answered" % user, m and b"MonitorStartResponse" in m[1])
        conns[user] = (c, tag, "life%d" % i)
    c, tag, call_id = conns["alice"]
    c.send(request("INFO", call_id, 3, make_call(USERS[0][1], "5002"), tag, user="alice"))
    m = response(c)
    check("alice dials bob", m and b"MakeCallResponse" in m[1])
    _, _, st = sign_in(sip_port, "nobody", "nobody", "tel:5999;phone-context=dialstring")
    check("an unknown user is refused", st == 403)
    after = metrics(http_port)
    check("rcc_sign_ins_total moved by 2",
          value(after, "rcc_sign_ins_total") - value(before, "rcc_sign_ins_total") == 2)
    check("rcc_refusals_total{reason=unknown-user} moved by 1",
          value(after, "rcc_refusals_total", reason="unknown-user")
          - value(before, "rcc_refusals_total", reason="unknown-user") == 1)
    check("rcc_requests_total{service=MakeCall,result=ok} is 1",
          value(after, "rcc_requests_total", service="MakeCall", result="ok") == 1)
    check("rcc_requests_total{service=MonitorStart,result=ok} is 2",
          value(after, "rcc_requests_total", service="MonitorStart", result="ok") == 2)
    check("the INFO round-trip histogram counted 3 requests",
          value(after, "rcc_info_round_trip_seconds_count") == 3
          and value(after, "rcc_info_round_trip_seconds_bucket", le="+Inf") == 3)
    check("rcc_sessions{state=active} is 2", value(after, "rcc_sessions", state="active") == 2)
    check("rcc_sip_connections{transport=tcp} counts the open connections",
          value(after, "rcc_sip_connections", transport="tcp") >= 2)
    code, body = get(http_port, "/sessions")
    j = json.loads(body)
    check("/sessions lists alice and bob with line, device and node",
          sorted(s["user"] for s in j["sessions"]) == ["alice", "bob"]
          and all(s["node"] == "127.0.0.1:%d" % cti and s["device"] and s["line"]
                  for s in j["sessions"]))
    status_cfg = os.path.join(work, "status.toml")
    with open(status_cfg, "w") as f:
        f.write('[gateway]\nmetrics-listen = "127.0.0.1:%d"\n' % http_port)
    st = subprocess.run([GATEWAYD, "-c", status_cfg, "--status"], capture_output=True, text=True,
                        timeout=20)
    check("--status prints the sessions and exits 0 while serving",
          st.returncode == 0 and "serving" in st.stdout and re.search(r"^\s+alice\s+tel:5001", st.stdout, re.M)
          and re.search(r"127\.0\.0\.1:%d\s+up" % cti, st.stdout))
    st = subprocess.run([GATEWAYD, "-c", status_cfg, "--status", "--json"], capture_output=True,
                        text=True, timeout=20)
    check("--status --json is the endpoint's JSON",
          st.returncode == 0 and len(json.loads(st.stdout)["sessions"]) == 2)

    # --- SIGHUP: a good reload, then a broken one ---
    received.clear()
    gw.send_signal(signal.SIGHUP)
    check("SIGHUP: RELOADING=1, then READY=1",
          wait_for("reload", lambda: (drain_notify(), [d for d in received if "RELOADING=1" in d or "READY=1" in d])[1][:2]
                   and "RELOADING=1" in [d for d in received if "RELOADING=1" in d or "READY=1" in d][0]
                   and any("READY=1" in d for d in received)))
    check("the reload was applied", wait_for("applied", lambda: "reload: applied" in log()))
    with open(config, "w") as f:
        f.write(good + '[gateway.broken\n')
    gw.send_signal(signal.SIGHUP)
    check("a broken configuration is refused with file:line:column",
          wait_for("refusal", lambda: re.search(r"reload refused: %s:\d+:\d+: " % re.escape(config), log())))
    with open(config, "w") as f:
        f.write(good)
    c2, tag2, _ = sign_in(sip_port, "after-broken", "frank", "tel:5005;phone-context=dialstring")
    check("the running configuration keeps serving after the refusal", tag2 is not None)
    m = metrics(http_port)
    check("rcc_config_reloads_total counts 1 applied and 1 refused",
          value(m, "rcc_config_reloads_total", result="applied") == 1
          and value(m, "rcc_config_reloads_total", result="refused") == 1)
    check("both alice and bob are still signed in after the reloads",
          value(m, "rcc_sessions", state="active") == 3)

    # --- SIGTERM with sessions up ---
    stops_before = int(re.search(r"monitor-stops=(\d+)", control(ctl, "status")).group(1))
    gw.send_signal(signal.SIGTERM)
    byes = 0
    for c, tag, call_id in list(conns.values()) + [(c2, tag2, "after-broken")]:
        for _ in range(20):  # event INFOs of alice's call may come first: answered, skipped
            m = c.read_message(10)
            if m is None:
                break
            if m[0].startswith("BYE "):
                byes += 1
                break
            if not m[0].startswith("SIP/2.0"):
                answer(c, m)
    check("every dialog got a BYE (3; got %d)" % byes, byes == 3)
    rc = gw.wait(15)
    check("exit status 0 after SIGTERM", rc == 0)
    stops = int(re.search(r"monitor-stops=(\d+)", control(ctl, "status")).group(1))
    check("the simulator saw a MonitorStop for each of the 2 monitors", stops - stops_before == 2)
    drain_notify(0.3)
    order = [k for d in received for k in ("RELOADING=1", "READY=1", "STOPPING=1")
             if any(line == k for line in d.split("\n"))]
    check("the order was RELOADING, READY, RELOADING, READY, STOPPING: %s" % order,
          order == ["RELOADING=1", "READY=1", "RELOADING=1", "READY=1", "STOPPING=1"])
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()

if failures:
    print("lifecycle_test: %d check(s) failed; gateway log:" % len(failures), file=sys.stderr)
    try:
        print(open(os.path.join(work, "gw.err")).read()[-3000:], file=sys.stderr)
    except OSError:
        pass
    sys.exit(1)
print("lifecycle_test: all checks passed")
