#!/usr/bin/env python3
"""bench/scale: rcc-gatewayd scaled out behind Kamailio, and the sign-in storm, on loopback.

In one run, with rcc-load (load.cc) as the OCS pool (users multiplexed over a few connections):
  1. through Kamailio (examples/kamailio/rcc-dispatcher.cfg, addresses rewritten to loopback)
     with 1, 2 and 3 gateways, all on the same two rcc-ctisim nodes: USERS users sign in at once
     (each with its MonitorStart), the sign-ins per second, then CALLS MakeCall INFOs at RATE/s
     (each call cleared again) and their round trip p50/p99;
  2. the peer: the same Kamailio configuration in front of a SIPp responder (peer_uas.xml, a
     "gateway" that answers at once and has no CTI side), measured with the same client and
     the same numbers: what the proxy and the client alone cost on this machine;
  3. the storm: STORM users (10,000 and 50,000 by default) at once on one gateway with two
     nodes: time to all signed in and to all monitoring, the 503s (with Retry-After) it
     answered, the gateway's peak RSS and CPU.
Prints a table (Markdown) on stdout and, with --json FILE, every figure. Progress on stderr.

    scale_bench.py --gatewayd B --ctisim B --load B --source DIR [--users N] [--calls N]
                   [--rate N] [--gateways 1,2,3] [--storms 10000,50000] [--json FILE]
"""
import argparse
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

HERE = os.path.dirname(os.path.abspath(__file__))
procs = []


def progress(text):
    if sys.stderr.isatty():
        print("scale_bench: " + text, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


def wait_for(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    sys.exit("scale_bench: " + what)


def spawn(args, log, **kw):
    p = subprocess.Popen(args, stderr=open(log, "w"), **kw)
    procs.append(p)
    return p


def stop_all():
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    procs.clear()


def proc_kib(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            return int(re.search(r"^%s:\s+(\d+) kB" % key, f.read(), re.M).group(1))
    except (OSError, AttributeError):
        return 0


def cpu_seconds(pids):
    total = 0.0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return total


def group_pids(pgid):
    """Kamailio forks its workers: every process of its group."""
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.getpgid(int(d)) == pgid:
                    found.append(int(d))
            except OSError:
                pass
    return found


def write_directory(path, count):
    """`count` users u00000.. on lines tel:7000+i, one registered phone each, and the CTI user
    (the naming rcc-load uses by default)."""
    with open(path, "w") as f:
        for i in range(count):
            f.write('[[device]]\nname = "SEP%012d"\nmodel = "Cisco 7975"\nregistered = true\n'
                    'lines = [{ dn = "%d" }]\n\n[[user]]\nid = "u%05d"\nrcc-enabled = true\n'
                    'line-uri = "tel:%d;phone-context=dialstring"\ndevices = ["SEP%012d"]\n\n'
                    % (7000 + i, 7000 + i, i, 7000 + i, 7000 + i))
        f.write('[[application-user]]\nid = "rccgateway"\npassword = "rcc-bench"\n'
                'groups = ["Standard CTI Enabled", "Standard CTI Allow Control of All Devices"]\n')


class Bench:
    def __init__(self, args, work):
        self.a, self.work = args, work
        self.password = os.path.join(work, "pw")
        with open(self.password, "w") as f:
            f.write("rcc-bench\n")
        self.directory = os.path.join(work, "directory.toml")
        write_directory(self.directory, max([args.users] + args.storms))

    def sims(self):
        ports = []
        for i in range(2):
            p = spawn([self.a.ctisim, "--directory", self.directory, "--listen", "127.0.0.1:0",
                       "--control", "127.0.0.1:0"], os.path.join(self.work, "sim%d.err" % i),
                      stdout=subprocess.PIPE, text=True)
            ports.append(int(re.search(r":(\d+)$", p.stdout.readline().strip()).group(1)))
            p.stdout.readline()
        return ports

    def gateway(self, name, nodes):
        config = os.path.join(self.work, name + ".toml")
        with open(config, "w") as f:
            f.write('[gateway]\nlisten-tcp = "127.0.0.1:0"\nmetrics-listen = "127.0.0.1:0"\n'
                    'acl = ["127.0.0.1"]\nretry-after = 1\n')
            f.write('[cti]\nnodes = [%s]\napplication-user = "rccgateway"\n'
                    'password-file = "%s"\nheartbeat-interval = 5\nconnect-timeout = 1\n'
                    % (", ".join('"127.0.0.1:%d"' % n for n in nodes), self.password))
            f.write('[directory]\nfile = "%s"\n' % self.directory)
        p = spawn([self.a.gatewayd, "-c", config], os.path.join(self.work, name + ".err"),
                  stdout=subprocess.PIPE, text=True)
        sip = http = None
        for _ in range(6):
            line = p.stdout.readline().strip()
            if line.startswith("sip tcp "):
                sip = int(line.rsplit(":", 1)[1])
            elif line.startswith("http "):
                http = int(line.rsplit(":", 1)[1])
            if sip and http:
                break
        if not (sip and http):
            sys.exit("scale_bench: %s did not start (see %s.err)" % (name, name))

        def nodes_up():
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % http, timeout=5) as r:
                    text = r.read().decode()
            except OSError:
                return False
            return len(re.findall(r"^rcc_cti_node_up\{[^}]*\} 1", text, re.M)) == len(nodes)
        wait_for(nodes_up, 20, "%s: the CTI nodes did not come up" % name)
        return p, sip

    def kamailio(self, name, destinations):
        port = free_port()
        listing = os.path.join(self.work, name + ".list")
        with open(listing, "w") as f:
            for i, d in enumerate(destinations):
                f.write("1 sip:127.0.0.1:%d;transport=tcp 0 0 name=d%d\n" % (d, i + 1))
        with open(os.path.join(self.a.source, "examples/kamailio/rcc-dispatcher.cfg")) as f:
            cfg = f.read()
        for key, value in (("LISTEN_IP", "127.0.0.1"), ("LISTEN_PORT", str(port)),
                           ("GATEWAY_LIST", listing), ("PING_INTERVAL", "1")):
            cfg, n = re.subn(r'^#!substdef "!%s!.*$' % key,
                             '#!substdef "!%s!%s!g"' % (key, value), cfg, flags=re.M)
            assert n == 1, key
        cfg = re.sub(r"^((tcp_)?children)=\d+", r"\1=2", cfg, flags=re.M)  # two cores here
        path = os.path.join(self.work, name + ".cfg")
        with open(path, "w") as f:
            f.write(cfg)
        run = os.path.join(self.work, name + "-run")
        os.makedirs(run, exist_ok=True)
        p = spawn(["kamailio", "-DD", "-E", "-f", path, "-Y", run, "-w", run],
                  os.path.join(self.work, name + ".log"), stdout=subprocess.DEVNULL,
                  start_new_session=True)
        wait_for(lambda: port_open(port), 15, "Kamailio did not start (%s.log)" % name)
        time.sleep(2.5)  # the first OPTIONS probes (every second) have found every destination
        return p, port

    def load(self, name, target, users, window, calls, deadline, extra=()):
        args = [self.a.load, "--target", "127.0.0.1:%d" % target, "--users", str(users),
                "--window", str(window), "--monitor", "--calls", str(calls), "--call-rate",
                str(self.a.rate), "--deadline", str(deadline)] + list(extra)
        out = os.path.join(self.work, name + ".json")
        with open(out, "w") as f:
            rc = subprocess.call(args, stdout=f, stderr=open(os.path.join(self.work,
                                                                         name + ".err"), "w"))
        with open(out) as f:
            text = f.read().strip()
        if not text:
            sys.exit("scale_bench: rcc-load printed nothing (%s.err)" % name)
        r = json.loads(text)
        r["exit"] = rc
        return r

    def through_kamailio(self, gateways):
        progress("%d gateway(s) behind Kamailio: %d users, %d calls" %
                 (gateways, self.a.users, self.a.calls))
        nodes = self.sims()
        gws = [self.gateway("gw%d" % i, nodes) for i in range(gateways)]
        kam, port = self.kamailio("kamailio%d" % gateways, [sip for _, sip in gws])
        pids = [p.pid for p, _ in gws]
        kam_pids = group_pids(kam.pid)
        cpu0, kcpu0 = cpu_seconds(pids), cpu_seconds(kam_pids)
        r = self.load("kamailio%d" % gateways, port, self.a.users, self.a.window, self.a.calls,
                      120 + self.a.users / 100)
        r["gateway_cpu"] = cpu_seconds(pids) - cpu0
        r["kamailio_cpu"] = cpu_seconds(kam_pids) - kcpu0
        stop_all()
        return r

    def peer(self):
        progress("peer: Kamailio -> SIPp responder")
        uas_port = free_port()
        spawn(["sipp", "-sf", os.path.join(HERE, "peer_uas.xml"), "-t", "t1", "-nostdin",
               "-i", "127.0.0.1", "-p", str(uas_port), "-max_socket", "60000"],
              os.path.join(self.work, "uas.err"), stdout=subprocess.DEVNULL)
        wait_for(lambda: port_open(uas_port), 10, "the SIPp responder did not start")
        kam, port = self.kamailio("kamailio-peer", [uas_port])
        kam_pids = group_pids(kam.pid)
        kcpu0 = cpu_seconds(kam_pids)
        r = self.load("peer", port, self.a.users, self.a.window, self.a.calls,
                      120 + self.a.users / 100)
        r["kamailio_cpu"] = cpu_seconds(kam_pids) - kcpu0
        stop_all()
        return r

    def storm(self, users):
        progress("storm: %d users at once on one gateway" % users)
        nodes = self.sims()
        gw, sip = self.gateway("storm%d" % users, nodes)
        rss0 = proc_kib(gw.pid, "VmRSS")
        cpu0 = cpu_seconds([gw.pid])
        r = self.load("storm%d" % users, sip, users, users, 0, 120 + users / 100,
                      ["--connections", "8"])
        r["gateway_rss_kib_before"] = rss0
        r["gateway_peak_rss_kib"] = proc_kib(gw.pid, "VmHWM")
        r["gateway_cpu"] = cpu_seconds([gw.pid]) - cpu0
        stop_all()
        return r


def report(runs, peer, storms, a):
    lines = ["| setup | sign-ins/s | all in (s) | MakeCall p50 (ms) | p99 (ms) | calls ok | "
             "gateway CPU (s) | Kamailio CPU (s) |", "|---|---|---|---|---|---|---|---|"]

    def row(name, r):
        c = r["calls"]
        lines.append("| %s | %.0f | %.2f | %.3f | %.3f | %d/%d | %s | %.1f |" % (
            name, r["sign_ins_per_second"], r["monitor_seconds"] or r["sign_in_seconds"],
            c["p50_ms"], c["p99_ms"], c["ok"], a.calls,
            "%.1f" % r["gateway_cpu"] if "gateway_cpu" in r else "-", r["kamailio_cpu"]))
    for g, r in runs:
        row("Kamailio + %d gateway(s)" % g, r)
    if peer:
        row("Kamailio + SIPp responder (peer)", peer)
        base = runs[0][1] if runs else None
        if base and peer["calls"]["p99_ms"] > 0 and peer["sign_ins_per_second"] > 0:
            lines.append("")
            for g, r in runs:
                lines.append("- %d gateway(s): sign-ins/s %.2fx the peer's, MakeCall p99 %.2fx "
                             "the peer's" % (g, r["sign_ins_per_second"] /
                                             peer["sign_ins_per_second"],
                                             r["calls"]["p99_ms"] / peer["calls"]["p99_ms"]))
    if storms:
        lines += ["", "| storm | all signed in (s) | all monitoring (s) | INVITEs | 503 + "
                  "Retry-After | other refusals | gateway peak RSS (MiB) | gateway CPU (s) | "
                  "client CPU (s) |", "|---|---|---|---|---|---|---|---|---|"]
        for n, r in storms:
            lines.append("| %d users | %.2f | %.2f | %d | %d | %s | %.0f | %.1f | %.1f |" % (
                n, r["sign_in_seconds"], r["monitor_seconds"], r["attempts"], r["busy"],
                sum(r["refused"].values()) + r["busy_without_retry_after"],
                r["gateway_peak_rss_kib"] / 1024.0, r["gateway_cpu"], r["cpu_seconds"]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gatewayd", required=True)
    ap.add_argument("--ctisim", required=True)
    ap.add_argument("--load", required=True, help="the rcc-load executable")
    ap.add_argument("--source", default=os.path.dirname(os.path.dirname(HERE)),
                    help="the source tree (for examples/kamailio)")
    ap.add_argument("--users", type=int, default=5000, help="users of the Kamailio runs")
    ap.add_argument("--window", type=int, default=500, help="sign-ins in flight at most")
    ap.add_argument("--calls", type=int, default=2000, help="MakeCalls of each Kamailio run")
    ap.add_argument("--rate", type=int, default=200, help="MakeCalls per second")
    ap.add_argument("--gateways", default="1,2,3")
    ap.add_argument("--storms", default="10000,50000")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--json", help="write every figure here")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    a = ap.parse_args()
    a.gateway_counts = [int(x) for x in a.gateways.split(",") if x]
    a.storms = [int(x) for x in a.storms.split(",") if x]
    for tool in ("kamailio", "sipp"):
        if not shutil.which(tool):
            sys.exit("scale_bench: %s is not installed (scripts/deps.sh installs it)" % tool)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="scale-bench-")
    try:
        b = Bench(a, work)
        runs = [(g, b.through_kamailio(g)) for g in a.gateway_counts]
        peer = None if a.no_peer else b.peer()
        storms = [(n, b.storm(n)) for n in a.storms]
    finally:
        stop_all()
    print(report(runs, peer, storms, a))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"kamailio": {str(g): r for g, r in runs}, "peer": peer,
                       "storm": {str(n): r for n, r in storms}}, f, indent=1)
    failed = [name for name, r in [("kamailio%d" % g, r) for g, r in runs] +
              [("peer", peer)] + [("storm%d" % n, r) for n, r in storms] if r and r["exit"]]
    if a.keep or failed:
        print("scale_bench: logs in %s" % work, file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)
    if failed:
        print("scale_bench: not every user signed in or not every call answered: %s"
              % ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
