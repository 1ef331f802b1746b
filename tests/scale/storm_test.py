#!/usr/bin/env python3
"""The sign-in storm (every Communicator signing in at once after an OCS restart): USERS users
(10,000 by default; rcc-load from bench/scale, as an OCS pool: the users multiplexed over 8
connections) send their INVITE at the same moment to one rcc-gatewayd with two rcc-ctisim
nodes, then a MonitorStart each, as Communicator does. Asserted:
  - the gateway does not fall over (still running, /healthz 200, SIGTERM exits 0);
  - every 503 it answers carries Retry-After, no sign-in is refused otherwise, and every INVITE
    is answered;
  - every user is signed in and monitoring within a bound (the gateway's /metrics and
    /sessions, and rcc-load's own count); the times to all signed in and all monitoring, the
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
Then rcc-load signs everyone out and the gateway holds no session.

    storm_test.py <rcc-gatewayd> <rcc-ctisim> <rcc-load> [USERS] [--kill-node | --backlog [--pace=N] [--rate=N]]
"""
import json
import os
import re
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
# --backlog: per node (--pace=N). The gateway must answer INVITEs faster than they come
# (--rate=N), or every INVITE waits in its socket ahead of the first MonitorStart and the node
# queues stay empty; a sanitizer build's test lowers both.
REQUESTS_PER_SECOND = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--pace=")),
                           200)
MAX_CTI_BACKLOG = 100
# --backlog: INVITEs a second. All at once, every INVITE is answered before the first MonitorStart
# arrives (a sign-in itself sends nothing to the node), so the queues are empty whenever a
# sign-in is admitted; at 1,000 a second against 400 MonitorStarts a second the queues pass the
# bound within half a second and the sign-ins behind are refused.
SIGN_IN_RATE = next((int(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--rate=")), 1000)
GATEWAYD, CTISIM, LOAD = args[:3]
USERS = int(args[3]) if len(args) > 3 else int(os.environ.get("RCC_STORM_USERS", "10000"))
# Everyone in within this (a sanitizer build is 2-3x slower; 503 retries wait 1-1.33 s).
BOUND = 30 + USERS / 100
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


def metric(http, name, **labels):
    """A sample of the gateway's /metrics, 0 when absent."""
    want = ",".join('%s="%s"' % kv for kv in labels.items())  # in the gateway's order
    pattern = r"^%s%s (\S+)$" % (re.escape(name), re.escape("{%s}" % want) if want else "")
    m = re.search(pattern, get(http, "/metrics")[1], re.M)
    return float(m.group(1)) if m else 0.0


def storm(gw, http, sims):
    """rcc-load signs USERS users in (with a MonitorStart each) and holds them until we have
    looked at the gateway, then signs them out and prints its figures."""
    args = [LOAD, "--target", "127.0.0.1:%d" % SIP, "--users", str(USERS), "--window",
            str(USERS), "--connections", "8", "--monitor", "--hold", str(BOUND + 60),
            "--deadline", str(BOUND + 90), "--timeout", "32"]
    if BACKLOG:
        args += ["--sign-in-rate", str(SIGN_IN_RATE), "--retry-after-scale", "0.25"]
    rss_before = proc_status(gw.pid, "VmRSS")
    cpu_before = cpu_seconds(gw.pid)
    t0 = time.time()
    load = subprocess.Popen(args, stdout=subprocess.PIPE, text=True,
                            stderr=open(os.path.join(work, "load.err"), "w"))
    procs.append(load)
    killed = None
    deadline = t0 + BOUND
    monitoring = 0
    while time.time() < deadline and load.poll() is None:
        monitoring = metric(http, "rcc_requests_total", service="MonitorStart", result="ok")
        if monitoring >= USERS:
            break
        if KILL_NODE and killed is None and metric(http, "rcc_sign_ins_total") >= USERS // 3:
            sims[0][0].send_signal(signal.SIGKILL)
            killed = time.time()
            print("storm_test: node %d killed with %d of %d users signed in"
                  % (sims[0][1], metric(http, "rcc_sign_ins_total"), USERS), flush=True)
        time.sleep(0.05)
    peak = proc_status(gw.pid, "VmHWM")
    cpu = cpu_seconds(gw.pid) - cpu_before
    check("the gateway answered a MonitorStart for every user within %.0f s (%d)"
          % (BOUND, monitoring), monitoring >= USERS)
    check("the gateway is still running", gw.poll() is None)
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
        wait_until = time.time() + 30
        while time.time() < wait_until and on_left() < USERS:
            time.sleep(0.2)
        check("the node left holds every session (%d), %.1f s after the kill"
              % (on_left(), time.time() - killed if killed else -1),
              killed is not None and on_left() == USERS)
    refusals = {r: float(v) for r, v in re.findall(
        r'^rcc_refusals_total\{reason="([^"]+)"\} (\S+)$', get(http, "/metrics")[1], re.M)}
    load.send_signal(signal.SIGTERM)  # sign out and print the figures
    try:
        out, _ = load.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        load.kill()
        out, _ = load.communicate()
    try:
        r = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        check("rcc-load printed its figures (see %s/load.err)" % work, False)
        return
    print("storm_test: %d users %s: all signed in %.2f s, all monitoring %.2f s; %d INVITEs, "
          "%d answered 503 with Retry-After (%d-%d s), %d MonitorStart retried; gateway RSS %d "
          "kB before, peak %d kB, %.2f s of CPU; rcc-load %.2f s of CPU" % (
              USERS, "at %d a second" % SIGN_IN_RATE if BACKLOG else "at once",
              r["sign_in_seconds"], r["monitor_seconds"], r["attempts"], r["busy"],
              r["retry_after_min"], r["retry_after_max"], r["monitor_errors"], rss_before, peak,
              cpu, r["cpu_seconds"]), flush=True)
    check("rcc-load: every user signed in and monitoring (%d, %d)"
          % (r["signed_in"], r["monitoring"]),
          r["signed_in"] == USERS and r["monitoring"] == USERS and r["monitor_seconds"] > 0)
    check("every 503 carried Retry-After (%d without)" % r["busy_without_retry_after"],
          r["busy_without_retry_after"] == 0)
    check("no sign-in refused otherwise (%s)" % (r["refused"] or "none"), not r["refused"])
    check("every INVITE was answered (%d without an answer)" % r["no_answer"],
          r["no_answer"] == 0)
    if BACKLOG:
        print("storm_test: paced nodes (%d requests/s each), max-cti-backlog %d: gateway "
              "refusals %s" % (REQUESTS_PER_SECOND, MAX_CTI_BACKLOG,
                               {k: int(v) for k, v in refusals.items() if v}), flush=True)
        check("the backlog bound was reached: %d sign-ins answered 503 with Retry-After"
              % r["busy"], r["busy"] > 0)
        check("the Retry-After values are spread (%d-%d s)"
              % (r["retry_after_min"], r["retry_after_max"]),
              r["retry_after_max"] > r["retry_after_min"])
        check("gateway: refusals{reason=\"overloaded\"} %d > 0, as many as the client's 503s"
              % refusals.get("overloaded", 0),
              refusals.get("overloaded", 0) > 0 and refusals.get("overloaded", 0) == r["busy"])
        check("gateway: no refusal for another reason (%s)"
              % ({k: v for k, v in refusals.items() if v and k != "overloaded"} or "none"),
              not any(v for k, v in refusals.items() if k != "overloaded"))

    def held():
        code, body = get(http, "/sessions")
        return len(json.loads(body)["sessions"]) if code == 200 else -1
    wait_until = time.time() + 30
    while time.time() < wait_until and held() != 0:
        time.sleep(0.2)
    check("every user signed out (%d sessions left)" % held(), held() == 0)


try:
    with open(os.path.join(work, "pw"), "w") as f:
        f.write("rcc-test-password\n")
    directory = os.path.join(work, "directory.toml")
    ocs_load.directory(directory, USERS)  # the users u00000.. on tel:7000.. rcc-load names
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
    storm(gw, HTTP, sims)
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
