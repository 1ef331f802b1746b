#!/usr/bin/env python3
"""The soak: one rcc-gatewayd with two rcc-ctisim nodes and a steady population of USERS users
(ocs_load.py, one connection each) that keep cycling for SECONDS: sign in (INVITE), MonitorStart,
stay 50-70 s (the gateway grants a 90 s session timer, its least, so every stay holds at least
one UPDATE refresh at 45 s), make calls and clear them again (MakeCall, ClearConnection), take
incoming calls the test places through the simulators' control ports (the far end hangs up),
sign out (BYE, connection closed), wait a few seconds and sign in again with a new dialog. Sign-ins
are paced (SIGN_IN_RATE a second), so the population ramps up and then cycles at a steady rate.

Measured on the gateway (VmRSS from /proc/PID/status, open descriptors from /proc/PID/fd, and its
/metrics) at the start (nodes up, nobody signed in), at the warm-up point (every user through one
whole cycle) and at the end (every user signed out, the gateway settled). Asserted:
  - the cycle ran: the gateway's own counters (rcc_sign_ins_total, rcc_sign_outs_total,
    rcc_session_refreshes_total, MakeCall/ClearConnection/MonitorStart answered ok) reach a
    minimum and agree with the client's; every session ended by the client's BYE (none expired
    or dropped) and no sign-in was refused;
  - at the end: sessions, SIP dialogs and SIP connections 0; on both nodes no monitor and no
    call left (MonitorStop sent for every monitor started);
  - open descriptors back to the start count (exactly: the metrics fetch is complete and closed
    before the count is read);
  - RSS at the end at most RSS_SLACK_KB above the warm-up figure (glibc keeps freed memory, so
    the end figure is the steady state's high-water mark; what must not happen is growth with
    the number of cycles). Under ASan the quarantine holds freed blocks (256 MB by default), so
    there the bound is the quarantine's size and the leak check at exit does the work;
  - SIGTERM: the gateway and both nodes exit 0 (under ASan, a leak fails this exit).
The figures are printed; the gateway's and nodes' logs are kept with RCC_KEEP=1 or a failure.

    soak_test.py <rcc-gatewayd> <rcc-ctisim> [SECONDS] [USERS]
    (or RCC_SOAK_SECONDS, RCC_SOAK_USERS; defaults 180 s and 300 users)
"""
import asyncio
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocs_load  # noqa: E402

GATEWAYD, CTISIM = sys.argv[1:3]
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else float(
    os.environ.get("RCC_SOAK_SECONDS", "180"))
USERS = int(sys.argv[4]) if len(sys.argv) > 4 else int(os.environ.get("RCC_SOAK_USERS", "300"))
SESSION_TIMER = 90         # the gateway's least; a refresh is due at 45 s
HOLD = (50.0, 70.0)        # signed in this long: past the first refresh, short of the second
PAUSE = (2.0, 6.0)         # signed out this long
SIGN_IN_RATE = 10.0        # INVITEs a second at most: the ramp takes USERS / 10 s
DIAL_INTERVAL = 20.0       # a call every 10-30 s per user, cleared 0.5-2 s later
INCOMING_INTERVAL = 0.5    # an incoming call placed through a control port every 0.5 s
RSS_SLACK_KB = 4 * 1024
ASAN_RSS_SLACK_KB = 320 * 1024
# The warm-up point comes after the ramp and one whole cycle; give it room (sanitizer builds).
WARMUP_BOUND = USERS / SIGN_IN_RATE + HOLD[1] + PAUSE[1] + 60
work = tempfile.mkdtemp(prefix="soak-")
procs = []
failures = []


def check(name, ok):
    print(("ok - " if ok else "not ok - ") + name, flush=True)
    if not ok:
        failures.append(name)


def sanitized(path):
    """Whether a binary was built with AddressSanitizer (its runtime is linked in)."""
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
            return r.status, r.read().decode()
    except OSError as e:
        return getattr(e, "code", None), ""


def metrics(port):
    """{name{labels}: value} of the gateway's /metrics."""
    out = {}
    for line in get(port, "/metrics")[1].splitlines():
        m = re.match(r"^([a-z_]+(?:\{[^}]*\})?) (\S+)$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def total(m, name):
    """The sum of a family's samples (every label)."""
    return sum(v for k, v in m.items() if k == name or k.startswith(name + "{"))


def answered(m, service, result="ok"):
    return m.get('rcc_requests_total{service="%s",result="%s"}' % (service, result), 0)


def control(port, command):
    """One command on a simulator's control port; its answer line."""
    import socket
    with socket.create_connection(("127.0.0.1", port), 10) as s:
        s.sendall((command + "\n").encode())
        f = s.makefile()
        return f.readline().strip()


def sim_status(port):
    """{sessions, monitors, calls, monitor-stops} of a simulator."""
    return {k: int(v) for k, v in re.findall(r"([a-z-]+)=(\d+)", control(port, "status"))}


class Sim:
    def __init__(self, name, directory):
        self.name = name
        self.log = os.path.join(work, name + ".err")
        self.p = subprocess.Popen([CTISIM, "--directory", directory, "--listen", "127.0.0.1:0",
                                   "--control", "127.0.0.1:0"], stdout=subprocess.PIPE,
                                  stderr=open(self.log, "w"), text=True)
        procs.append(self.p)
        self.cti = int(re.search(r":(\d+)$", self.p.stdout.readline().strip()).group(1))
        self.control = int(re.search(r":(\d+)$", self.p.stdout.readline().strip()).group(1))


def snapshot(gw, http, sims, what):
    m = metrics(http)
    s = {"rss": rss_kb(gw.pid), "fds": fds(gw.pid), "m": m,
         "sessions": total(m, "rcc_sessions"), "dialogs": m.get("rcc_sip_dialogs", -1),
         "connections": total(m, "rcc_sip_connections"),
         "sims": [sim_status(x.control) for x in sims]}
    print("soak_test: %s: gateway RSS %d kB, %d open fds, %d sessions, %d dialogs, %d connections;"
          " sign-ins %d, sign-outs %d, refreshes %d, MakeCall ok %d, ClearConnection ok %d, "
          "MonitorStart ok %d, events %d; nodes %s" % (
              what, s["rss"], s["fds"], s["sessions"], s["dialogs"], s["connections"],
              m.get("rcc_sign_ins_total", 0), m.get("rcc_sign_outs_total", 0),
              m.get("rcc_session_refreshes_total", 0), answered(m, "MakeCall"),
              answered(m, "ClearConnection"), answered(m, "MonitorStart"),
              m.get("rcc_events_total", 0),
              " / ".join("sessions=%(sessions)d monitors=%(monitors)d calls=%(calls)d "
                         "monitor-stops=%(monitor-stops)d" % x for x in s["sims"])), flush=True)
    return s


async def incoming_calls(client, http, sims, stats):
    """Now and then an incoming call from an external number to a monitoring user's line, on the
    node that holds the user's session; the far end hangs up 1-3 s later."""
    control_of = {"127.0.0.1:%d" % x.cti: x.control for x in sims}
    loop = asyncio.get_event_loop()
    node_of, listed = {}, 0.0
    pending = {}  # dn -> the task of its incoming call

    async def one(port, far, dn):
        reply = await loop.run_in_executor(None, control, port, "call %s %s" % (far, dn))
        if not reply.startswith("ok"):
            stats["refused"] += 1
            return
        stats["placed"] += 1
        await asyncio.sleep(random.uniform(1.0, 3.0))
        reply = await loop.run_in_executor(None, control, port, "hangup " + far)
        stats["hung_up" if reply.startswith("ok") else "hangup_failed"] += 1

    while not client.stopping:
        await asyncio.sleep(INCOMING_INTERVAL)
        if time.time() - listed > 5:
            code, body = await loop.run_in_executor(None, get, http, "/sessions")
            if code == 200:
                node_of = {s["user"]: s["node"] for s in json.loads(body)["sessions"]}
            listed = time.time()
        pending = {dn: t for dn, t in pending.items() if not t.done()}
        candidates = [u for u in client.users if u.monitoring and u.name in node_of
                      and node_of[u.name] in control_of]
        if not candidates:
            continue
        u = random.choice(candidates)
        dn = re.match(r"tel:(\d+)", u.line).group(1)
        if dn in pending:
            continue
        pending[dn] = asyncio.ensure_future(one(control_of[node_of[u.name]], "0799" + dn, dn))
    # Every call placed is hung up before the end is measured.
    if pending:
        await asyncio.wait(list(pending.values()), timeout=30)


async def soak(gw, http, sims):
    start = snapshot(gw, http, sims, "start")
    client = ocs_load.Client("127.0.0.1", SIP, USER_LIST, timeout=20.0, monitor=True,
                             dial_interval=DIAL_INTERVAL, hold=HOLD, pause=PAUSE,
                             clear_calls=True, sign_in_rate=SIGN_IN_RATE)
    st = client.stats
    incoming = {"placed": 0, "refused": 0, "hung_up": 0, "hangup_failed": 0}
    t0 = time.time()
    client.start()
    calls_task = asyncio.ensure_future(incoming_calls(client, http, sims, incoming))
    warm = None
    next_report = t0 + 60
    while time.time() < t0 + SECONDS:
        await asyncio.sleep(0.5)
        if warm is None and min(u.cycles for u in client.users) >= 1:
            warm = snapshot(gw, http, sims, "warm-up (every user through one cycle, %.0f s)"
                            % (time.time() - t0))
            warm["at"] = time.time() - t0
        if time.time() >= next_report:
            next_report += 60
            print("soak_test: %.0f s: %d signed in, %d monitoring; client: %d sign-ins, %d "
                  "sign-outs, %d refreshes, %d calls (%d cleared), %d incoming; gateway RSS %d kB,"
                  " %d fds" % (time.time() - t0, client.signed_in(), client.monitoring(),
                               st.sign_ins, st.sign_outs, st.refreshes, st.dials_ok,
                               st.clears_ok, incoming["placed"], rss_kb(gw.pid), fds(gw.pid)),
                  flush=True)
    cycled = st.sign_outs  # sign-outs of whole cycles, before the final one
    await client.stop(sign_out=True, drain=30)
    await calls_task
    ran = time.time() - t0

    # Settled: no session, dialog or connection left, and the nodes have no monitor or call.
    def settled():
        m = metrics(http)
        return (total(m, "rcc_sessions") == 0 and m.get("rcc_sip_dialogs", -1) == 0 and
                total(m, "rcc_sip_connections") == 0 and
                all(s["monitors"] == 0 and s["calls"] == 0
                    for s in (sim_status(x.control) for x in sims)))
    await client.wait(settled, 30)
    # Descriptors: the last ones to go are the closed client connections the gateway reads EOF
    # on; give them a moment, then read the count with no metrics request in flight.
    deadline = time.time() + 10
    while time.time() < deadline and fds(gw.pid) != start["fds"]:
        await asyncio.sleep(0.2)
    end = snapshot(gw, http, sims, "end (%.0f s, every user signed out)" % ran)
    m = end["m"]

    print("soak_test: %d users for %.0f s: client %d sign-ins (%d INVITEs, %d 503), %d sign-outs"
          " (%d whole cycles), %d refreshes, %d MakeCall (%d answered 200), %d cleared, %d "
          "incoming calls placed (%d hung up), %d events; %d dialogs dropped %s" % (
              USERS, ran, st.sign_ins, st.attempts, st.busy, st.sign_outs, cycled, st.refreshes,
              st.dials, st.dials_ok, st.clears_ok, incoming["placed"], incoming["hung_up"],
              st.events, st.resigns, st.resign_causes or ""), flush=True)
    check("warm-up reached: every user through one whole cycle within %.0f s (%s)"
          % (WARMUP_BOUND, "%.0f s" % warm["at"] if warm else "not reached"),
          warm is not None and warm["at"] <= WARMUP_BOUND)
    # The cycle ran, by the gateway's own counters.
    sign_ins, sign_outs = m.get("rcc_sign_ins_total", 0), m.get("rcc_sign_outs_total", 0)
    refreshes = m.get("rcc_session_refreshes_total", 0)
    check("gateway: sign-ins %d >= 2 per user, and as the client counted (%d)"
          % (sign_ins, st.sign_ins), sign_ins >= 2 * USERS and sign_ins == st.sign_ins)
    check("gateway: every session ended by the client's BYE (sign-outs %d = sign-ins %d)"
          % (sign_outs, sign_ins), sign_outs == sign_ins and st.sign_outs == sign_outs)
    check("gateway: refreshes %d, at least one per whole cycle (%d), as the client counted (%d)"
          % (refreshes, cycled, st.refreshes),
          refreshes >= cycled >= USERS and refreshes == st.refreshes)
    check("gateway: MakeCall ok %d >= 1 per user; ClearConnection ok %d as the client counted (%d)"
          % (answered(m, "MakeCall"), answered(m, "ClearConnection"), st.clears_ok),
          answered(m, "MakeCall") >= USERS and answered(m, "ClearConnection") == st.clears_ok
          and st.clears_ok >= USERS * 0.9)
    check("gateway: MonitorStart ok %d, as the client counted (%d), one per sign-in but those "
          "stopped before it (%d sign-ins)" % (answered(m, "MonitorStart"), st.monitor_starts,
                                               sign_ins),
          answered(m, "MonitorStart") == st.monitor_starts and
          sign_ins - USERS <= st.monitor_starts <= sign_ins)
    check("incoming calls: %d placed (>= %d), every one hung up (%d), none refused (%d)"
          % (incoming["placed"], int(SECONDS / 10), incoming["hung_up"], incoming["refused"]),
          incoming["placed"] >= SECONDS / 10 and incoming["hung_up"] == incoming["placed"]
          and incoming["refused"] == 0)
    check("no dialog dropped or sign-in refused (%d dropped, refusals %s, %d 503)"
          % (st.resigns, st.other_refusals or "none", st.busy),
          st.resigns == 0 and not st.other_refusals and st.busy == 0
          and total(m, "rcc_refusals_total") == 0)
    # Back to where it started.
    check("end: sessions %d, dialogs %d, connections %d" % (
        end["sessions"], end["dialogs"], end["connections"]),
        end["sessions"] == 0 and end["dialogs"] == 0 and end["connections"] == 0)
    check("end: no monitor or call left on the nodes (%s)" % end["sims"],
          all(s["monitors"] == 0 and s["calls"] == 0 for s in end["sims"]))
    stops = sum(s["monitor-stops"] - s0["monitor-stops"]
                for s, s0 in zip(end["sims"], start["sims"]))
    check("nodes: a MonitorStop for every monitor started (%d, MonitorStart ok %d)"
          % (stops, answered(m, "MonitorStart")), stops == answered(m, "MonitorStart"))
    check("end: open fds %d, as at the start (%d)" % (end["fds"], start["fds"]),
          end["fds"] == start["fds"])
    slack = ASAN_RSS_SLACK_KB if ASAN else RSS_SLACK_KB
    if warm:
        check("end: RSS %d kB, at most %d kB above the warm-up's %d kB (start %d kB)"
              % (end["rss"], slack, warm["rss"], start["rss"]), end["rss"] <= warm["rss"] + slack)
    return start, warm, end


ASAN = sanitized(GATEWAYD)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = 2 * USERS + 256
if soft != resource.RLIM_INFINITY and soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE,
                       (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))
gw = None
try:
    with open(os.path.join(work, "pw"), "w") as f:
        f.write("rcc-test-password\n")
    directory = os.path.join(work, "directory.toml")
    USER_LIST = ocs_load.directory(directory, USERS)
    sims = [Sim("sim1", directory), Sim("sim2", directory)]
    config = os.path.join(work, "gw.toml")
    with open(config, "w") as f:
        f.write('[gateway]\nlisten-tcp = "127.0.0.1:0"\nmetrics-listen = "127.0.0.1:0"\n'
                'acl = ["127.0.0.1"]\nsession-timer = %d\nmax-connections = %d\n'
                % (SESSION_TIMER, USERS + 100))
        f.write('[cti]\nnodes = [%s]\napplication-user = "rccgateway"\n'
                'password-file = "%s"\nheartbeat-interval = 5\nconnect-timeout = 1\n'
                % (", ".join('"127.0.0.1:%d"' % x.cti for x in sims), os.path.join(work, "pw")))
        f.write('[directory]\nfile = "%s"\n' % directory)
    gw_log = os.path.join(work, "gw.err")
    gw = subprocess.Popen([GATEWAYD, "-c", config], stdout=subprocess.PIPE,
                          stderr=open(gw_log, "w"), text=True)
    procs.append(gw)
    SIP = HTTP = None
    for _ in range(4):
        line = gw.stdout.readline().strip()
        if line.startswith("sip tcp "):
            SIP = int(line.rsplit(":", 1)[1])
        elif line.startswith("http "):
            HTTP = int(line.rsplit(":", 1)[1])
        if SIP and HTTP:
            break
    deadline = time.time() + 20
    while time.time() < deadline and (
            len(re.findall(r"^rcc_cti_node_up\{[^}]*\} 1", get(HTTP, "/metrics")[1], re.M)) < 2):
        time.sleep(0.1)
    print("soak_test: %d users, %.0f s, %s gateway (pid %d), logs in %s" % (
        USERS, SECONDS, "ASan" if ASAN else "plain", gw.pid, work), flush=True)
    asyncio.run(soak(gw, HTTP, sims))
    gw.send_signal(signal.SIGTERM)
    try:
        rc = gw.wait(60)
    except subprocess.TimeoutExpired:
        rc = None
    with open(gw_log, errors="replace") as f:
        log = f.read()
    reports = re.findall(r"ERROR: (?:Leak|Address)Sanitizer.*|runtime error:.*", log)
    check("SIGTERM: the gateway exits 0 (%s), no sanitizer report (%s)"
          % (rc, reports[:1] or "none"), rc == 0 and not reports)
    for x in sims:
        x.p.send_signal(signal.SIGTERM)
        try:
            src = x.p.wait(30)
        except subprocess.TimeoutExpired:
            src = None
        check("SIGTERM: %s exits 0 (%s)" % (x.name, src), src == 0)
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
if failures:
    print("soak_test: %d check(s) failed (logs in %s)" % (len(failures), work), file=sys.stderr)
    sys.exit(1)
if not os.environ.get("RCC_KEEP"):
    shutil.rmtree(work, ignore_errors=True)
print("soak_test: all checks passed")
