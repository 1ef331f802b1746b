#!/usr/bin/env python3
"""Hostile input at rcc-gatewayd's SIP port, while a signed-in session carries on.

A client signs alice in over one TCP connection (INVITE + RequestSystemStatus, ACK, MonitorStart).
The gateway closes that connection once it is idle past idle-timeout; alice's session survives.
Then, each on connections of their own: the RFC 4475 torture messages, a CSTA body that is an
XML bomb, one with an external entity (XXE), a 1 MB body, a flood of INVITEs, and a half request
that stalls. Each must be answered with an error or dropped, the gateway must log it, and
alice's session must still work afterwards, on a new connection (MakeCall answered).

    hostile_test.py <rcc-gatewayd> <tests/data dir>
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
from sip_client import LCS, NS, Conn, request, response, rss, status, to_tag  # noqa: E402

GATEWAYD, DATA = sys.argv[1], sys.argv[2]
LINE = "tel:5001;phone-context=dialstring"
failures = []


def check(name, ok):
    print(("ok - " if ok else "not ok - ") + name, flush=True)
    if not ok:
        failures.append(name)


work = tempfile.mkdtemp()
config = os.path.join(work, "gw.toml")
with open(config, "w") as f:
    f.write('[gateway]\nlisten-tcp = "127.0.0.1:0"\nacl = ["127.0.0.1"]\nmessage-timeout = 2\nidle-timeout = 3\n')
err = open(os.path.join(work, "gw.err"), "w+")
gw = subprocess.Popen([GATEWAYD, "-c", config, "-d", os.path.join(DATA, "gateway/directory.toml")],
                      stdout=subprocess.PIPE, stderr=err, text=True)
try:
    port = None
    deadline = time.time() + 20
    while time.time() < deadline and port is None:
        line = gw.stdout.readline()
        m = re.match(r"^sip tcp 127\.0\.0\.1:(\d+)$", line.strip())
        if m:
            port = int(m.group(1))
    assert port, "the gateway did not start"
    for _ in range(100):
        err.seek(0)
        if re.search(r"node=.* up", err.read()):
            break
        time.sleep(0.1)

    # alice signs in and monitors her line.
    alice = Conn(port)
    alice.send(request("INVITE", "alice-1", 1, rss(LINE)))
    ok = alice.final()
    check("alice signs in", status(ok) == 200)
    tag = to_tag(ok)
    alice.send(request("ACK", "alice-1", 1, to_tag=tag, branch="z9hG4bKack1"))
    alice.send(request("INFO", "alice-1", 2, "<MonitorStart %s><monitorObject><deviceObject>%s"
                       "</deviceObject></monitorObject></MonitorStart>" % (NS, LINE), tag))
    m = alice.final()
    check("alice's MonitorStart is answered", m and b"MonitorStartResponse" in m[1])

    # RFC 4475: every message on its own connection; an answer or a close, never a hang.
    torture = os.path.join(DATA, "sip/rfc4475")
    answered = closed = 0
    for name in sorted(os.listdir(torture)):
        c = Conn(port)
        c.send(open(os.path.join(torture, name), "rb").read())
        c.s.shutdown(socket.SHUT_WR)
        got = c.read_message(5)
        if got is None:
            closed += 1
        else:
            answered += 1
        c.s.close()
    check("every RFC 4475 message is answered or dropped (%d answered, %d dropped)" %
          (answered, closed), answered + closed == len(os.listdir(torture)) and answered > 0)

    # Hostile CSTA bodies in a sign-in: refused with 400, nothing expanded or fetched.
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            '"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            '<RequestSystemStatus %s>&lol2;</RequestSystemStatus>' % NS)
    xxe = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<RequestSystemStatus %s><extensions><privateData><private><lcs:line %s>&x;'
           '</lcs:line></private></privateData></extensions></RequestSystemStatus>' % (NS, LCS))
    for name, body in (("an XML bomb", bomb), ("an external entity (XXE)", xxe)):
        c = Conn(port)
        c.send(request("INVITE", "hostile-" + name[:5], 1, body))
        m = c.final()
        check("a sign-in whose CSTA body is %s gets 400" % name, status(m) == 400 and
              (m is None or b"root:" not in m[1]))
        c.s.close()

    # A 1 MB body: refused from its Content-Length (413), the connection closed.
    c = Conn(port)
    big = b"<x>" + b"a" * (1024 * 1024) + b"</x>"
    head = request("INVITE", "hostile-big", 1, "")
    head = head.replace(b"Content-Length: 0", b"Content-Type: application/csta+xml\r\n"
                        b"Content-Length: %d" % len(big))
    try:
        c.send(head + big)
    except (BrokenPipeError, ConnectionResetError):
        pass
    m = c.final()
    check("a 1 MB body gets 413", status(m) == 413)
    check("and its connection is closed", c.read_message(5) is None)

    # A flood of INVITEs from one peer, pipelined on one connection: each answered (403), none lost.
    c = Conn(port)
    n = 500
    c.send(b"".join(request("INVITE", "flood-%d" % i, 1, rss(LINE), user="nobody%d" % i)
                    for i in range(n)))
    statuses = []
    for _ in range(n):
        m = c.final()
        if m is None:
            break
        statuses.append(status(m))
    check("a flood of %d INVITEs gets %d answers, all 403" % (n, len(statuses)),
          len(statuses) == n and set(statuses) == {403})
    c.s.close()

    # Half a request, then nothing: dropped after message-timeout (2 s here), not held forever.
    c = Conn(port)
    c.send(b"INVITE sip:rcc-gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKh\r\n")
    started = time.time()
    gone = c.read_message(20) is None
    check("a half request that stalls is dropped (after %.1f s)" % (time.time() - started),
          gone and time.time() - started < 15)

    # alice carries on. Her connection was idle past idle-timeout (3 s) and the gateway closed
    # it; her dialog outlived it: the next request on a new connection finds the session.
    check("alice's idle connection was closed by the gateway", alice.read_message(10) is None)
    alice = Conn(port)
    alice.send(request("INFO", "alice-1", 3, "<MakeCall %s><callingDevice>%s</callingDevice>"
                       "<calledDirectoryNumber>tel:0612345;phone-context=dialstring"
                       "</calledDirectoryNumber><autoOriginate>doNotPrompt</autoOriginate>"
                       "</MakeCall>" % (NS, LINE), tag))
    m = response(alice)
    check("alice's MakeCall is still answered after all that", m and b"MakeCallResponse" in m[1])
    check("the gateway is still running", gw.poll() is None)

    err.seek(0)
    log = err.read()
    check("the refused input was logged", "refused input" in log and "read deadline passed" in log)
finally:
    gw.send_signal(signal.SIGTERM)
    try:
        gw.wait(10)
    except subprocess.TimeoutExpired:
        gw.kill()
check("the gateway stopped cleanly (exit %s)" % gw.returncode, gw.returncode == 0)
if failures:
    print("hostile_test: %d check(s) failed" % len(failures), file=sys.stderr)
    sys.exit(1)
print("hostile_test: all checks passed")
