#!/usr/bin/env python3
"""Gateways behind a balancer, one lost: the balancer (Kamailio with
examples/kamailio/rcc-dispatcher.cfg, or HAProxy with examples/haproxy/haproxy.cfg, their
addresses rewritten to loopback free ports), two rcc-gatewayd and two rcc-ctisim nodes (each
gateway uses both), all started here. USERS users (ocs_load.py, one connection each) sign in
through the balancer and dial now and then. Asserted:
  - every user signs in, and the balancer spread them over both gateways (their /sessions);
  - one gateway is killed with SIGKILL; every user it held is signed in again, through the
    balancer, on the other gateway, by the client's own new INVITE (after a 481/408/... or a
    lost connection): the count recovered equals the count the dead gateway held, no user of
    the surviving gateway had to sign in again, and the survivor ends with every user;
  - the time from the kill to the last user signed in again is printed (and bounded).

    scaleout_test.py kamailio|haproxy <rcc-gatewayd> <rcc-ctisim> <source dir> [USERS]
"""
import asyncio
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocs_load  # noqa: E402

BALANCER, GATEWAYD, CTISIM, SOURCE = sys.argv[1:5]
USERS = int(sys.argv[5]) if len(sys.argv) > 5 else int(os.environ.get("RCC_SCALE_USERS", "1000"))
# Bounds, with room for a sanitizer build (2-3x slower).
SIGN_IN_BOUND = 30 + USERS / 20
RECOVERY_BOUND = 30 + USERS / 20
if BALANCER not in ("kamailio", "haproxy") or not shutil.which(BALANCER):
    sys.exit("scaleout_test: %s is not installed (scripts/deps.sh installs it)" % BALANCER)
work = tempfile.mkdtemp(prefix="scaleout-")
procs = []
failures = []


def check(name, ok):
    print(("ok - " if ok else "not ok - ") + name, flush=True)
    if not ok:
        failures.append(name)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def start_sim(name, directory):
    p = subprocess.Popen([CTISIM, "--directory", directory, "--listen", "127.0.0.1:0",
                          "--control", "127.0.0.1:0"], stdout=subprocess.PIPE,
                         stderr=open(os.path.join(work, name + ".err"), "w"), text=True)
    procs.append(p)
    cti = int(re.search(r":(\d+)$", p.stdout.readline().strip()).group(1))
    p.stdout.readline()
    return cti


class Gateway:
    def __init__(self, name, nodes, directory):
        self.name = name
        self.log_path = os.path.join(work, name + ".err")
        config = os.path.join(work, name + ".toml")
        with open(config, "w") as f:
            f.write('[gateway]\nlisten-tcp = "127.0.0.1:0"\nmetrics-listen = "127.0.0.1:0"\n'
                    'acl = ["127.0.0.1"]\nfailover = "reinvite"\n')
            f.write('[cti]\nnodes = [%s]\napplication-user = "rccgateway"\n'
                    'password-file = "%s"\nheartbeat-interval = 1\nconnect-timeout = 1\n'
                    % (", ".join('"127.0.0.1:%d"' % n for n in nodes), os.path.join(work, "pw")))
            f.write('[directory]\nfile = "%s"\n' % directory)
        self.p = subprocess.Popen([GATEWAYD, "-c", config], stdout=subprocess.PIPE,
                                  stderr=open(self.log_path, "w"), text=True)
        procs.append(self.p)
        self.sip = self.http = None
        for _ in range(4):
            line = self.p.stdout.readline().strip()
            if line.startswith("sip tcp "):
                self.sip = int(line.rsplit(":", 1)[1])
            elif line.startswith("http "):
                self.http = int(line.rsplit(":", 1)[1])
            if self.sip and self.http:
                break
        assert self.sip and self.http, "%s did not print its ports" % name
        deadline = time.time() + 20
        while time.time() < deadline and self.health() != 200:
            time.sleep(0.1)

    def health(self):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % self.http, timeout=5) as r:
                return r.status
        except OSError as e:
            return getattr(e, "code", None)

    def sessions(self):
        """{user: call_id} of the sessions the gateway holds."""
        with urllib.request.urlopen("http://127.0.0.1:%d/sessions" % self.http, timeout=10) as r:
            return {s["user"]: s["call_id"] for s in json.load(r)["sessions"]}


def start_kamailio(gateways):
    port = free_port()
    listing = os.path.join(work, "rcc-gateways.list")
    with open(listing, "w") as f:
        for i, g in enumerate(gateways):
            f.write("1 sip:127.0.0.1:%d;transport=tcp 0 0 name=gw%d\n" % (g.sip, i + 1))
    with open(os.path.join(SOURCE, "examples/kamailio/rcc-dispatcher.cfg")) as f:
        cfg = f.read()
    # The site settings are the #!substdef lines at the top; everything else as shipped.
    for key, value in (("LISTEN_IP", "127.0.0.1"), ("LISTEN_PORT", str(port)),
                       ("GATEWAY_LIST", listing), ("PING_INTERVAL", "1")):
        cfg, n = re.subn(r'^#!substdef "!%s!.*$' % key, '#!substdef "!%s!%s!g"' % (key, value),
                         cfg, flags=re.M)
        assert n == 1, key
    # Two workers each, as this machine has two cores.
    cfg = re.sub(r"^((tcp_)?children)=\d+", r"\1=2", cfg, flags=re.M)
    path = os.path.join(work, "rcc-dispatcher.cfg")
    with open(path, "w") as f:
        f.write(cfg)
    run = os.path.join(work, "run")
    os.makedirs(run, exist_ok=True)
    p = subprocess.Popen(["kamailio", "-DD", "-E", "-f", path, "-Y", run, "-w", run],
                         stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(work, "kamailio.log"), "w"))
    procs.append(p)
    assert wait_port(port), "Kamailio did not start (%s)" % os.path.join(work, "kamailio.log")
    return port


def start_haproxy(gateways):
    port = free_port()
    with open(os.path.join(SOURCE, "examples/haproxy/haproxy.cfg")) as f:
        cfg = f.read()
    cfg, n = re.subn(r"^(\s*bind )\S+", r"\g<1>127.0.0.1:%d" % port, cfg, flags=re.M)
    assert n == 1
    # The server lines: gw1, gw2, in order, SIP address and the status endpoint's port.
    servers = iter(gateways)

    def server(m):
        g = next(servers)
        return "%s 127.0.0.1:%d check port %d" % (m.group(1), g.sip, g.http)
    cfg, n = re.subn(r"^(\s*server \S+) \S+ check port \d+", server, cfg, flags=re.M)
    assert n == len(gateways), n
    # As many connections as this machine's descriptor limit allows (HAProxy refuses to start
    # when it cannot raise its limit to twice maxconn).
    cfg, n = re.subn(r"^(\s*maxconn )\d+", r"\g<1>%d" % (USERS + 100), cfg, flags=re.M)
    assert n == 1
    # Health checks every 0.5 s here (2 s as shipped).
    cfg = re.sub(r"\binter \S+", "inter 500ms", cfg)
    path = os.path.join(work, "haproxy.cfg")
    with open(path, "w") as f:
        f.write(cfg)
    p = subprocess.Popen(["haproxy", "-db", "-f", path], stdout=subprocess.DEVNULL,
                         stderr=open(os.path.join(work, "haproxy.log"), "w"))
    procs.append(p)
    assert wait_port(port), "HAProxy did not start (%s)" % os.path.join(work, "haproxy.log")
    return port


async def scenario(port, gateways):
    client = ocs_load.Client("127.0.0.1", port, USER_LIST, dial_interval=max(2.0, USERS / 50.0),
                             max_concurrent_sign_ins=100)
    t0 = time.time()
    client.start()
    ok = await client.wait(lambda: client.signed_in() == USERS, SIGN_IN_BOUND)
    took = time.time() - t0
    check("%d users signed in through %s in %.1f s (%s)"
          % (client.signed_in(), BALANCER, took, client.stats.resign_causes or "no drop"), ok)
    if not ok:
        await client.stop(sign_out=False)
        return
    held = [g.sessions() for g in gateways]
    check("spread over both gateways: %d and %d sessions" % (len(held[0]), len(held[1])),
          len(held[0]) > 0 and len(held[1]) > 0 and len(held[0]) + len(held[1]) == USERS)
    victim, survivor = (0, 1) if len(held[0]) >= len(held[1]) else (1, 0)
    affected = set(held[victim])
    before = client.stats.resigns
    causes_before = dict(client.stats.resign_causes)
    gateways[victim].p.send_signal(signal.SIGKILL)
    gateways[victim].p.wait()
    killed = time.time()
    # The users dial (Communicator's next click): those of the dead gateway learn of it then, or
    # from their connection dropping.
    client.poke_all()

    def recovered():
        return client.stats.resigns - before >= len(affected) and client.signed_in() == USERS
    ok = await client.wait(recovered, RECOVERY_BOUND)
    await asyncio.sleep(1.0)  # late, spurious sign-ins would show up here
    again = {u.name for u in client.users if u.name in client.stats.recovered_at
             and client.stats.recovered_at[u.name] >= killed}
    last = max((client.stats.recovered_at[n] for n in again), default=killed)
    causes = {k: v - causes_before.get(k, 0) for k, v in client.stats.resign_causes.items()
              if v - causes_before.get(k, 0)}
    print("scaleout_test: %s: gateway %d killed holding %d of %d users; %d signed in again in "
          "%.2f s (causes: %s)" % (BALANCER, victim + 1, len(affected), USERS, len(again),
                                   last - killed, causes), flush=True)
    check("every user of the dead gateway signed in again (%d of %d)" % (len(again & affected),
                                                                       len(affected)),
          ok and again >= affected)
    check("no user of the surviving gateway had to sign in again (%d did)" % len(again - affected),
          not (again - affected))
    if BALANCER == "kamailio":
        with open(os.path.join(work, "kamailio.log"), errors="replace") as f:
            log = f.read()
        check("Kamailio marked the dead gateway down (its event route logged it)",
              "rcc gateway down: " in log
              and "(sip:127.0.0.1:%d;transport=tcp)" % gateways[victim].sip in log)
        check("and never the surviving one",
              "(sip:127.0.0.1:%d;transport=tcp)" % gateways[survivor].sip not in log)
        check("Kamailio did not run out of shared memory",
              "could not allocate shared memory" not in log and "out of mem" not in log)
    now = gateways[survivor].sessions()
    check("the surviving gateway holds every user (%d)" % len(now),
          len(now) == USERS and set(now) >= affected)
    check("recovery within %.0f s (%.2f s)" % (RECOVERY_BOUND, last - killed),
          last - killed < RECOVERY_BOUND)
    await client.stop()
    check("every user signed out: the survivor holds no session",
          await client.wait(lambda: len(gateways[survivor].sessions()) == 0, 15))


# A connection per user here and in the balancer: raise the soft limit on descriptors (inherited
# by every process started here) as far as the hard one allows.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = 4 * USERS + 256
if soft != resource.RLIM_INFINITY and soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE,
                       (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))
try:
    with open(os.path.join(work, "pw"), "w") as f:
        f.write("rcc-test-password\n")
    directory = os.path.join(work, "directory.toml")
    USER_LIST = ocs_load.directory(directory, USERS)
    nodes = [start_sim("sim1", directory), start_sim("sim2", directory)]
    gateways = [Gateway("gw1", nodes, directory), Gateway("gw2", nodes, directory)]
    check("both gateways up with their CTI nodes", all(g.health() == 200 for g in gateways))
    port = start_kamailio(gateways) if BALANCER == "kamailio" else start_haproxy(gateways)
    asyncio.run(scenario(port, gateways))
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
if failures:
    print("scaleout_test: %d check(s) failed (logs in %s)" % (len(failures), work), file=sys.stderr)
    sys.exit(1)
if not os.environ.get("RCC_KEEP"):
    shutil.rmtree(work, ignore_errors=True)
print("scaleout_test: all checks passed")
