#!/usr/bin/env python3
"""The sign-in storm (every Communicator signing in at once after an OCS restart): USERS users
(ocs_load.py, one connection each) send their INVITE at the same moment to one rcc-gatewayd
with two rcc-ctisim nodes, then a MonitorStart each, as Communicator does. Asserted:
  - the gateway does not fall over (still running, /healthz 200, SIGTERM exits 0);
  - every 503 it answers carries Retry-After, and no sign-in is refused otherwise;
  - every user is signed in and monitoring within a bound; the time to all signed in, the
    503s and the gateway's peak RSS (VmHWM in /proc) are printed;
  - with --kill-node, one CTI node is killed with SIGKILL once a third of the users are signed
    in (here, as the sign-ins land in bursts, usually during the wave of MonitorStarts):
    nothing hangs, and the node left holds every session at the end;
  - with --backlog, the nodes are paced ([cti] requests-per-second = 200 each), the gateway's
    [gateway] max-cti-backlog is 100 and the INVITEs come at 1,000 a second (not all in the same
    instant), so the MonitorStarts of the first sign-ins fill the node queues and the gateway
    refuses the sign-ins behind them end to end: 503s seen by the client,
    every one with Retry-After, the values spread (retry-after = 3: 3 or 4 s; the client waits a
    quarter of it, so the test stays short), rcc_refusals_total{reason="overloaded"} > 0 and no
    other refusal reason in /metrics, and still every user signed in and monitoring in the end.

    storm_test.py <rcc-gatewayd> <rcc-ctisim> [USERS] [--kill-node | --backlog]
"""
import asyncio
import json
import os
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

args = [a for a in sys.argv[1:] if not a.startswith("--")]
KILL_NODE = "--kill-node" in sys.argv
BACKLOG = "--backlog" in sys.argv
REQUESTS_PER_SECOND = 200  # --backlog: per node
MAX_CTI_BACKLOG = 100
# --backlog: INVITEs a second. All at once, every INVITE is answered before the first MonitorStart
# arrives (a sign-in itself sends nothing to the node), so the queues are empty whenever a
# sign-in is admitted; at 1,000 a second against 400 MonitorStarts a second the queues pass the
# bound within half a second and the sign-ins behind are refused.
SIGN_IN_RATE = 1000
GATEWAYD, CTISIM = args[:2]
USERS = int(args[2]) if len(args) > 2 else int(os.environ.get("RCC_STORM_USERS", "3000"))
# Everyone in within this (a sanitizer build is 2-3x slower; 503 retries wait 1-1.33 s).
BOUND = 30 + USERS / 50
work = tempfile.mkdtemp(prefix="storm-")
procs = []
failures = []


def check(name, ok):
    print(("ok - " if ok else "not ok - ") + name, flush=True)
    if not ok:
        failures.append(name)


def proc_status(pid, key):
    """A field of /proc/PID/status in kB, or 0 when the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            m = re.search(r"^%s:\s+(\d+) kB" % key, f.read(), re.M)
        return int(m.group(1)) if m else 0
    except OSError:
        return 0


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as r:
            return r.status, r.read().decode()
    except OSError as e:
        return getattr(e, "code", None), ""


def start_sim(name, directory):
    p = subprocess.Popen([CTISIM, "--directory", directory, "--listen", "127.0.0.1:0",
                          "--control", "127.0.0.1:0"], stdout=subprocess.PIPE,
                         stderr=open(os.path.join(work, name + ".err"), "w"), text=True)
    procs.append(p)
    cti = int(re.search(r":(\d+)$", p.stdout.readline().strip()).group(1))
    p.stdout.readline()
    return p, cti


async def storm(gw, http, sims):
    client = ocs_load.Client("127.0.0.1", SIP, USER_LIST, timeout=30.0, monitor=True,
                             max_concurrent_sign_ins=USERS,
                             retry_after_scale=0.25 if BACKLOG else 1.0,
                             sign_in_rate=SIGN_IN_RATE if BACKLOG else None)
    rss_before = proc_status(gw.pid, "VmRSS")
    cpu_before = cpu_seconds(gw.pid)
    t0 = time.time()
    client.start()
    killed = None
    deadline = t0 + BOUND
    while time.time() < deadline:
        if client.monitoring() == USERS:
            break
        if KILL_NODE and killed is None and client.signed_in() >= USERS // 3:
            sims[0][0].send_signal(signal.SIGKILL)
            killed = time.time()
            print("storm_test: node %d killed with %d of %d users signed in, %d monitoring"
                  % (sims[0][1], client.signed_in(), USERS, client.monitoring()), flush=True)
        await asyncio.sleep(0.05)
    st = client.stats
    all_in = st.last_sign_in - t0
    all_monitoring = st.monitored_at - t0
    peak = proc_status(gw.pid, "VmHWM")
    cpu = cpu_seconds(gw.pid) - cpu_before
    ok = client.monitoring() == USERS
    print("storm_test: %d users %s: %d signed in (%.2f s to the last), %d monitoring "
          "(%.2f s); %d INVITEs, %d answered 503 with Retry-After, %d MonitorStart retried; "
          "gateway RSS %d kB before, peak %d kB, %.2f s of CPU" % (
              USERS, "at %d a second" % SIGN_IN_RATE if BACKLOG else "at once",
              client.signed_in(), all_in, client.monitoring(), all_monitoring,
              st.attempts, st.busy, st.monitor_errors, rss_before, peak, cpu), flush=True)
    check("every user signed in and monitoring within %.0f s" % BOUND, ok)
    check("the gateway is still running", gw.poll() is None)
    check("every 503 carried Retry-After (%d without)" % st.busy_without_retry_after,
          st.busy_without_retry_after == 0)
    check("no sign-in refused otherwise (%s)" % (st.other_refusals or "none"),
          not st.other_refusals)
    if BACKLOG:
        m = get(http, "/metrics")[1]
        refusals = {r: float(v) for r, v in re.findall(
            r'^rcc_refusals_total\{reason="([^"]+)"\} (\S+)$', m, re.M)}
        print("storm_test: paced nodes (%d requests/s each), max-cti-backlog %d: Retry-After "
              "values %s; gateway refusals %s" % (
                  REQUESTS_PER_SECOND, MAX_CTI_BACKLOG, dict(sorted(st.retry_after.items())),
                  {r: int(v) for r, v in refusals.items() if v}), flush=True)
        check("the backlog bound was reached: %d sign-ins answered 503 with Retry-After"
              % st.busy, st.busy > 0)
        check("the Retry-After values are spread (%s)" % sorted(st.retry_after),
              len(st.retry_after) > 1)
        check("gateway: refusals{reason=\"overloaded\"} %d > 0, as many as the client's 503s"
              % refusals.get("overloaded", 0),
              refusals.get("overloaded", 0) > 0 and refusals.get("overloaded", 0) == st.busy)
        check("gateway: no refusal for another reason (%s)"
              % ({r: v for r, v in refusals.items() if v and r != "overloaded"} or "none"),
              not any(v for r, v in refusals.items() if r != "overloaded"))
    check("/healthz is 200 after the storm", get(http, "/healthz")[0] == 200)
    code, body = get(http, "/sessions")
    sessions = json.loads(body)["sessions"] if code == 200 else []
    check("the gateway holds one session per user (%d)" % len(sessions), len(sessions) == USERS)
    if KILL_NODE:
        left = "127.0.0.1:%d" % sims[1][1]

        def on_left():
            code, body = get(http, "/sessions")
            if code != 200:
                return 0
            return sum(s["node"] == left for s in json.loads(body)["sessions"])
        await client.wait(lambda: on_left() == USERS, 30)
        check("the node left holds every session (%d), %.1f s after the kill"
              % (on_left(), time.time() - killed), on_left() == USERS)
    await client.stop()

    def held():
        code, body = get(http, "/sessions")
        return len(json.loads(body)["sessions"]) if code == 200 else -1
    gone = await client.wait(lambda: held() == 0, 30)
    check("every user signed out (%d sessions left)" % held(), gone)


soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = 3 * USERS + 256
if soft != resource.RLIM_INFINITY and soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE,
                       (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))
try:
    with open(os.path.join(work, "pw"), "w") as f:
        f.write("rcc-test-password\n")
    directory = os.path.join(work, "directory.toml")
    USER_LIST = ocs_load.directory(directory, USERS)
    sims = [start_sim("sim1", directory), start_sim("sim2", directory)]
    config = os.path.join(work, "gw.toml")
    with open(config, "w") as f:
        f.write('[gateway]\nlisten-tcp = "127.0.0.1:0"\nmetrics-listen = "127.0.0.1:0"\n'
                'acl = ["127.0.0.1"]\nretry-after = %d\nmax-connections = %d\n'
                % (3 if BACKLOG else 1, USERS + 100))
        if BACKLOG:
            f.write("max-cti-backlog = %d\n" % MAX_CTI_BACKLOG)
        f.write('[cti]\nnodes = [%s]\napplication-user = "rccgateway"\n'
                'password-file = "%s"\nheartbeat-interval = 1\nconnect-timeout = 1\n'
                % (", ".join('"127.0.0.1:%d"' % s[1] for s in sims), os.path.join(work, "pw")))
        if BACKLOG:
            f.write("requests-per-second = %d\n" % REQUESTS_PER_SECOND)
        f.write('[directory]\nfile = "%s"\n' % directory)
    gw = subprocess.Popen([GATEWAYD, "-c", config], stdout=subprocess.PIPE,
                          stderr=open(os.path.join(work, "gw.err"), "w"), text=True)
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
    while time.time() < deadline and get(HTTP, "/healthz")[0] != 200:
        time.sleep(0.1)
    # Both nodes up before the storm.
    while time.time() < deadline and get(HTTP, "/metrics")[1].count("rcc_cti_node_up{") and \
            len(re.findall(r"^rcc_cti_node_up\{[^}]*\} 1", get(HTTP, "/metrics")[1], re.M)) < 2:
        time.sleep(0.1)
    asyncio.run(storm(gw, HTTP, sims))
    gw.send_signal(signal.SIGTERM)
    try:
        rc = gw.wait(30)
    except subprocess.TimeoutExpired:
        rc = None
    check("SIGTERM: the gateway exits 0 (%s)" % rc, rc == 0)
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
if failures:
    print("storm_test: %d check(s) failed (logs in %s)" % (len(failures), work), file=sys.stderr)
    sys.exit(1)
if not os.environ.get("RCC_KEEP"):
    shutil.rmtree(work, ignore_errors=True)
print("storm_test: all checks passed")
