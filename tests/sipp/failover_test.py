#!/usr/bin/env python3
"""CTI node loss with real processes: rcc-gatewayd with two rcc-ctisim nodes, an OCS-side client
over TCP (sip_client.py). Each case kills a node with SIGKILL while a user is signed in:

- failover "transparent": the session moves to the other node within the heartbeat window,
  keeps its crossRefID, and an incoming call scripted on the surviving node reaches the client
  under it; the client sees no error;
- failover "reinvite": the next request gets 481, and a new INVITE signs the user in again;
- all nodes down: a request is answered at once (481 in reinvite mode; the in-process tests in
  tests/rcc cover the CSTAErrorCode of transparent mode) and a sign-in with 503 + Retry-After;
  when a node comes back, sign-ins and sessions work again.

    failover_test.py <rcc-gatewayd> <rcc-ctisim> <tests/data dir>
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sip_client import Conn, answer, make_call, monitor_start, request, response, rss, status, to_tag  # noqa

GATEWAYD, CTISIM, DATA = sys.argv[1:4]
DIRECTORY = os.path.abspath(os.path.join(DATA, "gateway/directory.toml"))
LINE = "tel:5001;phone-context=dialstring"
work = tempfile.mkdtemp()
failures = []
procs = []


def check(name, ok):
    print(("ok - " if ok else "not ok - ") + name, flush=True)
    if not ok:
        failures.append(name)


def wait_for(what, predicate, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    print("timed out waiting for " + what, file=sys.stderr)
    return False


def start_sim(port=0):
    p = subprocess.Popen([CTISIM, "--directory", DIRECTORY, "--listen", "127.0.0.1:%d" % port,
                          "--control", "127.0.0.1:0"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    procs.append(p)
    cti = int(re.search(r":(\d+)$", p.stdout.readline().strip()).group(1))
    control = int(re.search(r":(\d+)$", p.stdout.readline().strip()).group(1))
    return p, cti, control


def control(port, command):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall((command + "\n").encode())
        return s.recv(200).decode()


class Gateway:
    def __init__(self, name, nodes, failover):
        self.log_path = os.path.join(work, name + ".err")
        config = os.path.join(work, name + ".toml")
        with open(os.path.join(work, "pw"), "w") as f:
            f.write("rcc-test-password\n")
        with open(config, "w") as f:
            f.write('[gateway]\nlisten-tcp = "127.0.0.1:0"\nfailover = "%s"\n' % failover)
            f.write('[cti]\nnodes = [%s]\napplication-user = "rccgateway"\npassword-file = "pw"\n'
                    'heartbeat-interval = 1\nconnect-timeout = 1\nrequest-timeout = 2\n'
                    % ", ".join('"127.0.0.1:%d"' % n for n in nodes))
            f.write('[directory]\nfile = "%s"\n' % DIRECTORY)
        self.p = subprocess.Popen([GATEWAYD, "-c", config], stdout=subprocess.PIPE,
                                  stderr=open(self.log_path, "w"), text=True)
        procs.append(self.p)
        line = self.p.stdout.readline()
        self.port = int(re.match(r"^sip tcp 127\.0\.0\.1:(\d+)$", line.strip()).group(1))
        ups = len(nodes)
        wait_for("nodes up", lambda: self.log().count(" up\n") >= ups)

    def log(self):
        return open(self.log_path).read()

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(10)


def sign_in(gw, call_id):
    c = Conn(gw.port)
    c.send(request("INVITE", call_id, 1, rss(LINE)))
    ok = response(c)
    if status(ok) != 200:
        return c, None, ok
    tag = to_tag(ok)
    c.send(request("ACK", call_id, 1, to_tag=tag, branch="z9hG4bKack" + call_id))
    return c, tag, ok


def node_of(gw, call_id):
    m = re.findall(r"signed in user=alice .*node=127\.0\.0\.1:(\d+) call-id=%s" % call_id, gw.log())
    return int(m[-1]) if m else None


try:
    sim_a, cti_a, ctl_a = start_sim()
    sim_b, cti_b, ctl_b = start_sim()
    sims = {cti_a: (sim_a, ctl_a), cti_b: (sim_b, ctl_b)}

    # --- transparent ---
    gw = Gateway("transparent", [cti_a, cti_b], "transparent")
    c, tag, _ = sign_in(gw, "t1")
    check("alice signs in", tag is not None)
    c.send(request("INFO", "t1", 2, monitor_start(LINE), tag))
    m = response(c)
    xref = re.search(rb"<monitorCrossRefID>([^<]+)<", m[1]).group(1) if m else None
    check("MonitorStart answered with a crossRefID", xref is not None)
    first = node_of(gw, "t1")
    survivor = cti_b if first == cti_a else cti_a
    sims[first][0].kill()  # SIGKILL: no goodbye on the CTI link
    killed_at = time.time()
    moved = wait_for("the failover", lambda: "mode=transparent monitor restored" in gw.log())
    check("the session moved to the other node (%.1f s after the kill)" % (time.time() - killed_at),
          moved and "node=127.0.0.1:%d call-id=t1 mode=transparent" % survivor in gw.log())
    control(sims[survivor][1], "call 0677777 5001")
    events = []
    c.send(request("INFO", "t1", 3, monitor_start(LINE), tag))
    m = response(c, events=events)
    check("the client sees no error: MonitorStart gives the same crossRefID",
          m is not None and xref is not None and b"<monitorCrossRefID>" + xref in m[1])
    # The DeliveredEvent may come before or after that answer: read until it is there.
    deadline = time.time() + 10
    while time.time() < deadline and not any(b"DeliveredEvent" in e[1] for e in events):
        got = c.read_message(0.5)
        if got and not got[0].startswith("SIP/2.0"):
            answer(c, got)
            events.append(got)
    delivered = [e for e in events if b"DeliveredEvent" in e[1]]
    check("an incoming call on the surviving node reaches the client under its crossRefID",
          delivered and xref is not None and b"<monitorCrossRefID>" + xref in delivered[0][1])
    gw.stop()

    # --- reinvite ---
    sim_c, cti_c, ctl_c = start_sim(first)  # the killed node comes back on its port
    gw = Gateway("reinvite", [cti_c, survivor], "reinvite")
    c, tag, _ = sign_in(gw, "r1")
    c.send(request("INFO", "r1", 2, monitor_start(LINE), tag))
    response(c)
    placed = node_of(gw, "r1")
    victim = sim_c if placed == cti_c else sims[survivor][0]
    victim.kill()
    wait_for("the node loss", lambda: "mode=reinvite" in gw.log())
    c.send(request("INFO", "r1", 3, make_call(LINE, "tel:0612345;phone-context=dialstring"), tag))
    m = response(c)
    check("reinvite mode: the next request gets 481", status(m) == 481)
    c2, tag2, _ = sign_in(gw, "r2")
    check("and a new INVITE signs alice in again", tag2 is not None)
    c2.send(request("INFO", "r2", 2, monitor_start(LINE), tag2))
    m = response(c2)
    check("on the node that is left", m is not None and b"MonitorStartResponse" in m[1])

    # --- all nodes down, then one back ---
    other = survivor if placed == cti_c else cti_c
    remaining = sims[survivor][0] if other == survivor else sim_c
    remaining.kill()
    wait_for("every node down", lambda: gw.log().count(" down: ") >= 2)
    t0 = time.time()
    c2.send(request("INFO", "r2", 3, make_call(LINE, "tel:0612345;phone-context=dialstring"), tag2))
    m = response(c2)
    took = time.time() - t0
    # reinvite mode: the session lost its node, so the answer is 481 (the client signs in again).
    check("no node up: a request is answered at once (%.2f s), 481 in reinvite mode" % took,
          status(m) == 481 and took < 2)
    c3 = Conn(gw.port)
    c3.send(request("INVITE", "r3", 1, rss(LINE)))
    m = response(c3)
    check("no node up: a sign-in gets 503 with Retry-After",
          status(m) == 503 and re.search(r"^Retry-After: \d+", m[0], re.M) is not None)
    start_sim(other)
    check("a node comes back", wait_for("the node back", lambda: gw.log().count(" up\n") >= 3, 30))
    c4, tag4, _ = sign_in(gw, "r4")
    c4.send(request("INFO", "r4", 2, monitor_start(LINE), tag4))
    m = response(c4)
    check("sessions work again once a node is back", m is not None and b"MonitorStartResponse" in m[1])
    gw.stop()
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
if failures:
    print("failover_test: %d check(s) failed (logs in %s)" % (len(failures), work), file=sys.stderr)
    sys.exit(1)
print("failover_test: all checks passed")
