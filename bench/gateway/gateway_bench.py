#!/usr/bin/env python3
"""bench/gateway: rcc-gatewayd under load, on loopback, beside Kamailio and SIPp in the same run.

For each directory size N (1,000, 10,000, 100,000 users, each with its own device and DN):
  - generates the directory (N users to sign in, plus --rtt-calls users for the INFO round trips),
  - starts the CTI node (--cti: cti_node.py by default, or rcc-ctisim on the directory, or the
    gateway's embedded simulator) and rcc-gatewayd on it, and times the gateway's start-up,
  - signs in all N users with SIPp over ONE TCP connection (signin.xml: INVITE +
    RequestSystemStatus, ACK, INFO MonitorStart; no BYE, so they stay signed in), at SIPp's
    fastest with at most --signin-window sign-ins in progress: sign-ins per second, sessions
    held, the gateway's VmRSS and heap in use before and after, bytes per session, CPU per
    sign-in,
  - with the N sessions held, runs makecall.xml at a fixed rate (--rate calls/s, --rtt-calls
    calls): each call signs in one more user, sends INFO MakeCall and INFO ClearConnection, each
    timed to its 200 (p50/p99), then MonitorStop and BYE,
  - then runs the same INFOs (peer_uac.xml) through Kamailio (kamailio.cfg: stateful,
    record-routing, t_relay) to a SIPp responder (peer_uas.xml), for the ratio under the same
    load.
Once per run: the same INFOs straight to the SIPp responder (the generator's ceiling), the CTI
leg alone (a probe to cti_node.py), and with --nodelay-preload one more gateway at the smallest N
with TCP_NODELAY forced on its sockets. Prints the table on stdout (progress on stderr when it is
a terminal) and rewrites the figures block of bench/gateway/README.md.

Every process it starts dies with it (cleanup on exit and on signals, PR_SET_PDEATHSIG), every
wait is bounded, only 127.0.0.1 is used.
"""
import argparse
import atexit
import ctypes
import datetime
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
APP_PASSWORD = "bench-password"
# Nobody listens there: the gateway falls back to SIPp's own connection for its requests.
CLOSED_CONTACT = "sip:ocs@127.0.0.1:9;transport=tcp"
CTI_NAMES = {"bench": "cti_node.py (a minimal node, O(1) a request)",
             "ctisim": "an rcc-ctisim process on the same directory",
             "embedded": "the gateway's embedded simulator"}
AIM_SESSIONS = 100_000
AIM_BYTES = 4096
AIM_RATIO = 2.0

TTY = sys.stderr.isatty()


def progress(text):
    if TTY:
        print(f"gateway_bench: {text}", file=sys.stderr, flush=True)


def die(text):
    print(f"gateway_bench: {text}", file=sys.stderr, flush=True)
    sys.exit(1)


# ---- processes -----------------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphan outlives the driver


CHILDREN = []


def spawn(args, out, err, cwd, env=None):
    p = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd, env=env,
                         preexec_fn=_die_with_parent, start_new_session=True)
    CHILDREN.append(p)
    return p


def stop(p, sig=signal.SIGTERM, grace=10.0):
    """Stops one process we started (and the group it leads); returns seconds to exit or None."""
    if p.poll() is not None:
        return 0.0
    t0 = time.monotonic()
    try:
        p.send_signal(sig)
        p.wait(timeout=grace)
        took = time.monotonic() - t0
    except subprocess.TimeoutExpired:
        took = None
    for s in (signal.SIGKILL,):
        try:
            os.killpg(p.pid, s)  # its own group (start_new_session): kamailio's children too
        except (ProcessLookupError, PermissionError):
            pass
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    return took


def cleanup():
    for p in CHILDREN:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def on_signal(signum, _frame):
    cleanup()
    sys.exit(128 + signum)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(predicate, timeout, what, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = predicate()
        if v:
            return v
        if proc is not None and proc.poll() is not None:
            die(f"{what}: the process exited with status {proc.returncode}")
        time.sleep(0.02)
    die(f"{what}: not within {timeout:.0f} s")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total / CLK_TCK


def group_pids(pgid):
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid:
                    pids.append(int(d))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                pass
    return pids


def heap_in_use(pid, stderr_path):
    """glibc's heap bytes in use (malloc_stats, called in the process with gdb), or None.

    VmRSS alone misleads here: the directory parse frees megabytes that glibc keeps, and the
    sessions then fill those holes without the RSS growing. The heap's own count does not."""
    if not shutil.which("gdb"):
        return None
    before = os.path.getsize(stderr_path)
    try:
        subprocess.run(["gdb", "--readnever", "-nx", "-batch", "-p", str(pid), "-ex",
                        "call (void)malloc_stats()"], capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        return None
    time.sleep(0.2)
    with open(stderr_path, errors="replace") as f:
        f.seek(before)
        text = f.read()
    m = re.findall(r"Total \(incl\. mmap\):\s*system bytes\s*=\s*\d+\s*in use bytes\s*=\s*(\d+)",
                   text)
    return int(m[-1]) if m else None


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


# ---- inputs ---------------------------------------------------------------------------------

def user_id(i):
    return f"u{i:07d}"


def dn(i):
    return str(2_000_000 + i)


def write_directory(path, count):
    """`count` users, each with one registered phone carrying its own DN, and the CTI user."""
    with open(path, "w") as f:
        f.write("# bench/gateway: generated\n")
        for i in range(count):
            f.write(
                f'[[device]]\nname = "SEPB{i:011d}"\nmodel = "Cisco 7975"\nregistered = true\n'
                f'lines = [{{ dn = "{dn(i)}", partition = "Internal" }}]\n\n'
                f'[[user]]\nid = "{user_id(i)}"\nemail = "{user_id(i)}@example.com"\n'
                f'rcc-enabled = true\nline-uri = "tel:{dn(i)};phone-context=dialstring"\n'
                f'devices = ["SEPB{i:011d}"]\n\n')
        f.write(f'[[application-user]]\nid = "rccgateway"\npassword = "{APP_PASSWORD}"\n'
                'groups = ["Standard CTI Enabled", "Standard CTI Allow Control of All Devices"]\n')


def write_users(path, first, count):
    """SIPp injection file: user;DN (SIPp's separator is ';', so the DN, not the line URI)."""
    with open(path, "w") as f:
        f.write("SEQUENTIAL\n")
        for i in range(first, first + count):
            f.write(f"{user_id(i)};{dn(i)}\n")


# ---- SIPp -----------------------------------------------------------------------------------

def sipp(work, name, scenario, target, extra, timeout):
    """Runs SIPp to completion (bounded); returns (wall seconds, successful, failed, cpu s)."""
    out = open(os.path.join(work, f"{name}.out"), "w")
    args = ["sipp", "-sf", scenario, "-t", "t1", "-nostdin", "-aa", "-i", "127.0.0.1",
            "-p", str(free_port()), "-timeout", f"{int(timeout)}s", "-timeout_error",
            "-trace_err", "-error_file", os.path.join(work, f"{name}.err"),
            "-trace_screen", "-screen_file", os.path.join(work, f"{name}.screen")]
    args += extra + [target]
    t0 = time.monotonic()
    p = spawn(args, out, subprocess.STDOUT, work)
    cpu = 0.0
    try:
        while p.poll() is None and time.monotonic() - t0 < timeout + 15:
            cpu = max(cpu, cpu_seconds([p.pid]))
            time.sleep(0.05)
    finally:
        if p.poll() is None:
            stop(p, signal.SIGKILL)
    wall = time.monotonic() - t0
    out.close()
    screen = ""
    for f in (f"{name}.screen", f"{name}.out"):
        try:
            screen += open(os.path.join(work, f), errors="replace").read()
        except FileNotFoundError:
            pass
    def last(counter):
        found = re.findall(rf"{counter}\s*\|\s*\d+\s*\|\s*(\d+)", screen)
        return int(found[-1]) if found else 0
    return wall, last("Successful call"), last("Failed call"), cpu


def rtts(work, scenario_name):
    """The 'rtt NAME s0 us0 s1 us1' lines of -trace_logs: NAME -> round trips in microseconds."""
    result = {}
    for f in os.listdir(work):
        if f.startswith(scenario_name + "_") and f.endswith("_logs.log"):
            for line in open(os.path.join(work, f), errors="replace"):
                m = re.match(r"rtt (\w+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", line)
                if m:
                    s0, u0, s1, u1 = map(float, m.groups()[1:])
                    result.setdefault(m.group(1), []).append((s1 - s0) * 1e6 + (u1 - u0))
            os.rename(os.path.join(work, f), os.path.join(work, f + ".done"))
    return result


def signin_window(work):
    """(first INVITE, last MonitorStart 200) in ms from the -trace_rtt file of signin.xml."""
    starts, ends = [], []
    for f in os.listdir(work):
        if f.startswith("signin_") and f.endswith("_rtt.csv"):
            for line in open(os.path.join(work, f)):
                parts = line.strip().split(";")
                if len(parts) == 3 and parts[2] == "signin":
                    end, rtt = float(parts[0]), float(parts[1])
                    starts.append(end - rtt)
                    ends.append(end)
            os.rename(os.path.join(work, f), os.path.join(work, f + ".done"))
    return (min(starts), max(ends), statistics.median([e - s for s, e in zip(starts, ends)])) \
        if ends else (0.0, 0.0, 0.0)


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


def rtt_run(work, name, scenario, target, users_csv, args, extra=()):
    wall, ok, failed, cpu = sipp(
        work, name, scenario, target,
        ["-inf", users_csv, "-r", str(args.rate), "-m", str(args.rtt_calls), "-l", "200",
         "-recv_timeout", "5000", "-trace_logs", "-key", "contact", CLOSED_CONTACT] + list(extra),
        timeout=args.rtt_calls / args.rate + 30)
    r = rtts(work, os.path.splitext(os.path.basename(scenario))[0])
    return {"ok": ok, "failed": failed, "wall": wall, "sipp_cpu": cpu,
            "makecall": r.get("makecall", []), "clear": r.get("clearconnection", [])}


# ---- the peers --------------------------------------------------------------------------------

class Peer:
    """A SIPp responder, behind Kamailio (mode "kamailio") or alone ("direct"); kept up across
    the run, so that a Kamailio round-trip run can follow each gateway run, under the same load."""

    def __init__(self, work, mode, args):
        self.work, self.mode, self.args, self.runs = work, mode, args, 0
        self.users = os.path.join(work, "peer_users.csv")
        write_users(self.users, 0, args.rtt_calls)
        uas_port = free_port()
        self.uas = spawn(["sipp", "-sf", os.path.join(HERE, "peer_uas.xml"), "-t", "t1",
                          "-nostdin", "-i", "127.0.0.1", "-p", str(uas_port), "-trace_err",
                          "-error_file", os.path.join(work, f"uas_{mode}.err")],
                         open(os.path.join(work, f"uas_{mode}.out"), "w"), subprocess.STDOUT, work)
        self.port, self.kam = uas_port, None
        if mode == "kamailio":
            k_port = free_port()
            cfg = open(os.path.join(HERE, "kamailio.cfg")).read()
            cfg = cfg.replace("KAMAILIO_PORT", str(k_port)).replace("UAS_PORT", str(uas_port))
            with open(os.path.join(work, "kamailio.cfg"), "w") as f:
                f.write(cfg)
            rundir = os.path.join(work, "kamailio-run")
            os.makedirs(rundir, exist_ok=True)
            self.kam = spawn(["kamailio", "-DD", "-E", "-f", os.path.join(work, "kamailio.cfg"),
                              "-Y", rundir, "-w", rundir],
                             open(os.path.join(work, "kamailio.log"), "w"), subprocess.STDOUT, work)
            wait_for(lambda: port_open(k_port), 10, "kamailio did not listen", self.kam)
            self.port = k_port
        time.sleep(0.5)
        if self.uas.poll() is not None:
            die(f"the SIPp responder exited at once: see uas_{mode}.out")

    def run(self):
        progress(f"peer: SIPp -> {'Kamailio -> ' if self.kam else ''}SIPp responder")
        self.runs += 1
        cpu0 = cpu_seconds(group_pids(self.kam.pid)) if self.kam else 0.0
        uas0 = cpu_seconds([self.uas.pid])
        r = rtt_run(self.work, f"peer_{self.mode}{self.runs}", os.path.join(HERE, "peer_uac.xml"),
                    f"127.0.0.1:{self.port}", self.users, self.args)
        r["server_cpu"] = (cpu_seconds(group_pids(self.kam.pid)) - cpu0) if self.kam else None
        r["uas_cpu"] = cpu_seconds([self.uas.pid]) - uas0
        return r

    def close(self):
        if self.kam:
            stop(self.kam)
        stop(self.uas)


# ---- the CTI leg alone ----------------------------------------------------------------------

CSTA_NS = "http://www.ecma-international.org/standards/ecma-323/csta/ed3"
ASN_NS = "http://www.ecma-international.org/standards/ecma-354/appl_session"


def cti_probe(work, args):
    """MakeCall and ClearConnection straight to a cti_node.py of its own (Annex J frames from
    Python, blocking socket, TCP_NODELAY), timed to their responses: the CTI node's share of the
    gateway's INFO round trip, with the probe's own overhead."""
    out = os.path.join(work, "probe_cti.out")
    node = spawn([sys.executable, os.path.join(HERE, "cti_node.py"), "--listen", "127.0.0.1:0"],
                 open(out, "w"), subprocess.DEVNULL, work)

    def node_port():
        m = re.search(r"^cti 127\.0\.0\.1:(\d+)$", open(out).read(), re.M)
        return m and int(m.group(1))
    port = wait_for(node_port, 10, "cti_node.py did not start", node)
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(5)
    buf = [b""]

    def request(invoke, xml):
        data = xml.encode()
        s.sendall((len(data) + 8).to_bytes(4, "big") + b"%04d" % invoke + data)
        t0 = time.perf_counter()
        while True:
            while len(buf[0]) < 8 or len(buf[0]) < int.from_bytes(buf[0][:4], "big"):
                chunk = s.recv(65536)
                if not chunk:
                    raise OSError("the CTI node closed the link")
                buf[0] += chunk
            n = int.from_bytes(buf[0][:4], "big")
            got, body, buf[0] = int(buf[0][4:8]), buf[0][8:n], buf[0][n:]
            if got == invoke:
                return (time.perf_counter() - t0) * 1e6, body

    device = "2999999"
    request(1, f'<StartApplicationSession xmlns="{ASN_NS}"><applicationInfo><applicationID>probe'
               '</applicationID></applicationInfo><requestedSessionDuration>180'
               '</requestedSessionDuration></StartApplicationSession>')
    request(2, f'<MonitorStart xmlns="{CSTA_NS}"><monitorObject><deviceObject>{device}'
               '</deviceObject></monitorObject></MonitorStart>')
    makecall, clear = [], []
    invoke = 3
    for _ in range(args.rtt_calls):
        t, body = request(invoke, f'<MakeCall xmlns="{CSTA_NS}"><callingDevice>{device}'
                                  '</callingDevice><calledDirectoryNumber>0612345678'
                                  '</calledDirectoryNumber><autoOriginate>doNotPrompt'
                                  '</autoOriginate></MakeCall>')
        makecall.append(t)
        call = re.search(rb"<callID>([^<]*)<", body).group(1).decode()
        t, _ = request(invoke + 1, f'<ClearConnection xmlns="{CSTA_NS}"><connectionToBeCleared>'
                                   f'<callID>{call}</callID><deviceID>{device}</deviceID>'
                                   '</connectionToBeCleared></ClearConnection>')
        clear.append(t)
        invoke = 3 if invoke > 9000 else invoke + 2
        time.sleep(1.0 / args.rate)
    s.close()
    stop(node)
    return {"ok": len(makecall), "failed": 0, "makecall": makecall, "clear": clear}


def held(gw_err):
    """Sessions held, from the gateway's log: sign-ins minus sessions ended."""
    log = open(gw_err, errors="replace").read()
    return log.count("gateway: info: signed in ") - log.count("gateway: info: session ended")


# ---- one gateway step ---------------------------------------------------------------------------

def run_step(work, n, args, binaries, preload=None):
    """One gateway with N users; `preload`: LD_PRELOAD for the gateway (the TCP_NODELAY row)."""
    step = os.path.join(work, f"n{n}" + ("-nodelay" if preload else ""))
    os.makedirs(step)
    progress(f"N={n}: writing the directory")
    t0 = time.monotonic()
    directory = os.path.join(step, "directory.toml")
    write_directory(directory, n + args.rtt_calls)
    gen_s = time.monotonic() - t0
    signin_csv = os.path.join(step, "signin.csv")
    rtt_csv = os.path.join(step, "rtt.csv")
    write_users(signin_csv, 0, n)
    write_users(rtt_csv, n, args.rtt_calls)

    res = {"n": n, "gen_s": gen_s, "dir_bytes": os.path.getsize(directory),
           "nodelay": bool(preload)}
    sim = None
    config = ['[gateway]', 'listen-tcp = "127.0.0.1:0"', 'acl = ["127.0.0.1"]']
    if args.cti != "embedded":
        progress(f"N={n}: starting the CTI node ({args.cti})")
        sim_out = os.path.join(step, "cti.out")
        t0 = time.monotonic()
        command = [binaries["ctisim"], "-q", "--directory", directory, "--listen", "127.0.0.1:0"] \
            if args.cti == "ctisim" else [sys.executable, os.path.join(HERE, "cti_node.py"),
                                          "--listen", "127.0.0.1:0"]
        sim = spawn(command, open(sim_out, "w"), open(os.path.join(step, "cti.err"), "w"), step)

        def sim_port():
            m = re.search(r"^cti 127\.0\.0\.1:(\d+)$", open(sim_out).read(), re.M)
            return m and m.group(1)
        port = wait_for(sim_port, 120, "the CTI node did not start", sim)
        res["sim_start_s"] = time.monotonic() - t0
        with open(os.path.join(step, "cti.pass"), "w") as f:
            f.write(APP_PASSWORD + "\n")
        config += ['[cti]', f'nodes = ["127.0.0.1:{port}"]', 'application-user = "rccgateway"',
                   'password-file = "cti.pass"']
    with open(os.path.join(step, "gw.toml"), "w") as f:
        f.write("\n".join(config) + "\n")

    progress(f"N={n}: starting rcc-gatewayd")
    gw_out, gw_err = os.path.join(step, "gw.out"), os.path.join(step, "gw.err")
    t0 = time.monotonic()
    # verify_asan_link_order: a sanitizer build's gateway accepts the shim ahead of its runtime.
    env = dict(os.environ, LD_PRELOAD=preload, ASAN_OPTIONS="verify_asan_link_order=0") \
        if preload else None
    gw = spawn([binaries["gatewayd"], "-c", os.path.join(step, "gw.toml"), "-d", directory],
               open(gw_out, "w"), open(gw_err, "w"), step, env)

    def gw_ready():
        m = re.search(r"^sip tcp 127\.0\.0\.1:(\d+)$", open(gw_out).read(), re.M)
        return m and re.search(r"node=\S+ up", open(gw_err, errors="replace").read()) and m.group(1)
    sip_port = wait_for(gw_ready, 120, "rcc-gatewayd did not start", gw)
    res["gw_start_s"] = time.monotonic() - t0
    time.sleep(0.5)
    res["rss_before"] = rss_bytes(gw.pid)
    res["heap_before"] = heap_in_use(gw.pid, gw_err)
    res["rss_sim_before"] = rss_bytes(sim.pid) if sim else None
    target = f"127.0.0.1:{sip_port}"

    progress(f"N={n}: signing in {n} users over one TCP connection")
    cpu0 = cpu_seconds([gw.pid])
    sim_cpu0 = cpu_seconds([sim.pid]) if sim else 0.0
    wall, ok, failed, sipp_cpu = sipp(
        step, "signin", os.path.join(HERE, "signin.xml"), target,
        ["-inf", signin_csv, "-m", str(n), "-r", "100000", "-rp", "1000", "-l",
         str(args.signin_window), "-recv_timeout", "30000", "-trace_rtt", "-rtt_freq", "1000",
         "-key", "contact", CLOSED_CONTACT],
        timeout=args.signin_timeout)
    res["signin_cpu"] = cpu_seconds([gw.pid]) - cpu0
    res["signin_sim_cpu"] = (cpu_seconds([sim.pid]) - sim_cpu0) if sim else None
    res["signin_sipp_cpu"] = sipp_cpu
    first, last, median_ms = signin_window(step)
    res.update(signin_ok=ok, signin_failed=failed, signin_wall=wall,
               signin_span=(last - first) / 1000.0, signin_median_ms=median_ms)
    time.sleep(1.0)
    res["rss_after"] = rss_bytes(gw.pid)
    res["heap_after"] = heap_in_use(gw.pid, gw_err)
    res["rss_sim_after"] = rss_bytes(sim.pid) if sim else None
    res["held"] = held(gw_err)

    progress(f"N={n}: INFO round trips at {args.rate}/s with {res['held']} sessions held")
    cpu0 = cpu_seconds([gw.pid])
    sim_cpu0 = cpu_seconds([sim.pid]) if sim else 0.0
    r = rtt_run(step, "rtt", os.path.join(HERE, "makecall.xml"), target, rtt_csv, args)
    r["server_cpu"] = cpu_seconds([gw.pid]) - cpu0
    r["sim_cpu"] = (cpu_seconds([sim.pid]) - sim_cpu0) if sim else None
    res["rtt"] = r
    time.sleep(0.5)
    res["held_after"] = held(gw_err)
    log = open(gw_err, errors="replace").read()
    res["rss_after_rtt"] = rss_bytes(gw.pid)
    res["gw_log_warnings"] = len(re.findall(r": (warning|error): ", log))

    progress(f"N={n}: stopping")
    res["gw_stop_s"] = stop(gw, grace=15.0)
    if sim:
        stop(sim)
    if not args.keep:
        for f in ("directory.toml", "signin.csv"):
            os.remove(os.path.join(step, f))
    return res


# ---- report -------------------------------------------------------------------------------------

def us(v):
    return "-" if v != v else (f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} us")


def kib(b):
    return f"{b / 1024:,.0f} KiB".replace(",", " ")


def num(v, fmt="{:,.0f}"):
    return fmt.format(v).replace(",", " ")


def machine():
    model = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    load = open("/proc/loadavg").read().split()[:3]
    return os.cpu_count(), model, " ".join(load)


def versions(binaries):
    def first_line(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (out.stdout + out.stderr).strip().splitlines()[0].strip()
        except (OSError, subprocess.TimeoutExpired, IndexError):
            return "?"
    return {"gateway": first_line([binaries["gatewayd"], "--version"]),
            "sipp": first_line(["sipp", "-v"]), "kamailio": first_line(["kamailio", "-v"])}


def mib(b):
    return "-" if b is None else f"{b / 1048576:.1f} MiB"


def per_session(s, what):
    """Gateway bytes per held session from the VmRSS or the heap-in-use difference."""
    a, b = s.get(f"{what}_before"), s.get(f"{what}_after")
    if a is None or b is None or not s["held"]:
        return float("nan")
    return (b - a) / s["held"]


def label(s, what):
    return f"{num(s['n'])} {what}" + (", TCP_NODELAY shim" if s["nodelay"] else "")


def report(steps, peers, probe, args, info):
    lines = []
    cores, model, load = info["machine"]
    lines.append(f"Run of {info['date']} on {cores} cores ({model}); load average before the run "
                 f"{info['load_before']}, after {load}. CTI node: "
                 f"{CTI_NAMES[args.cti]}. "
                 f"{info['versions']['gateway']}, {info['versions']['sipp']}, "
                 f"{info['versions']['kamailio']}.")
    lines.append("")
    lines.append(f"Command: `{info['command']}`")
    lines.append("")
    lines.append("Sign-in and sessions held (SIPp over one TCP connection, at most "
                 f"{args.signin_window} sign-ins in progress):")
    lines.append("")
    lines.append("| directory | gateway start-up | sign-ins/s | median sign-in | sessions held "
                 "| VmRSS before -> after | bytes/session (VmRSS) | heap in use before -> after "
                 "| bytes/session (heap) | CPU/sign-in gateway + CTI node | failed |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for s in steps:
        rate = s["signin_ok"] / s["signin_span"] if s["signin_span"] > 0 else float("nan")
        cpu = s["signin_cpu"] / s["signin_ok"] * 1e6 if s["signin_ok"] else float("nan")
        sim_cpu = (f" + {s['signin_sim_cpu'] / s['signin_ok'] * 1e6:.0f}"
                   if s.get("signin_sim_cpu") is not None and s["signin_ok"] else "")
        lines.append(
            f"| {label(s, 'users')} | {s['gw_start_s']:.2f} s | {num(rate)} | "
            f"{s['signin_median_ms']:.0f} ms | {num(s['held'])} | {kib(s['rss_before'])} -> "
            f"{kib(s['rss_after'])} | {num(per_session(s, 'rss'))} | "
            f"{mib(s['heap_before'])} -> {mib(s['heap_after'])} | "
            f"{num(per_session(s, 'heap'))} | {cpu:.0f}{sim_cpu} us | {s['signin_failed']} |")
    lines.append("")
    lines.append(f"INFO round trip, from the INFO sent to its 200 received ({args.rtt_calls} calls "
                 f"at {args.rate}/s; each call signs in one more user, MonitorStart, MakeCall, "
                 "ClearConnection, MonitorStop, BYE; the gateway also sends 5 event INFOs a call):")
    lines.append("")
    lines.append("| path | MakeCall p50 | MakeCall p99 | ClearConnection p50 | "
                 "ClearConnection p99 | > 30 ms | CPU/call | MakeCall vs Kamailio p50 / p99 | "
                 "failed |")
    lines.append("|---|---|---|---|---|---|---|---|---|")

    def ratios(r, k):
        if not (k and k["makecall"] and r["makecall"]):
            return None
        return (pct(r["makecall"], 50) / pct(k["makecall"], 50),
                pct(r["makecall"], 99) / pct(k["makecall"], 99))

    def row(name, r, cpu, k=None):
        mc, cc = r["makecall"], r["clear"]
        slow = sum(1 for v in mc + cc if v > 30_000)
        q = ratios(r, k)
        ratio = f"{q[0]:.1f}x / {q[1]:.1f}x" if q else "-"
        lines.append(f"| {name} | {us(pct(mc, 50))} | {us(pct(mc, 99))} | "
                     f"{us(pct(cc, 50))} | {us(pct(cc, 99))} | {slow} of {len(mc) + len(cc)} | "
                     f"{cpu} | {ratio} | {r['failed']} |")
    for s in steps:
        r, k = s["rtt"], s["kamailio"]
        cpu = "-"
        if r["ok"]:
            cpu = f"{r['server_cpu'] / r['ok'] * 1e6:.0f} us"
            if r["sim_cpu"] is not None:
                cpu += f" + CTI node {r['sim_cpu'] / r['ok'] * 1e6:.0f} us"
        row(f"rcc-gatewayd, {label(s, 'sessions held')}", r, cpu, k)
        row("then Kamailio (stateful, record-routing) -> SIPp responder", k,
            f"{k['server_cpu'] / k['ok'] * 1e6:.0f} us" if k["ok"] else "-")
    if "direct" in peers:
        row("SIPp -> SIPp responder (the generator's ceiling)", peers["direct"], "-")
    if probe:
        row("CTI leg alone: Python probe -> cti_node.py (no SIP)", probe, "-")
    lines.append("")
    lines.append("Each Kamailio run follows the gateway run above it, so that the ratio compares "
                 "two runs under the same load of the machine.")
    lines.append("")
    plain = [s for s in steps if not s["nodelay"]]
    big = max(plain, key=lambda s: s["n"]) if plain else None
    lines.append("Aims of the issue:")
    lines.append("")
    if big:
        per = per_session(big, "heap")
        if per != per:
            per = per_session(big, "rss")
        lines.append(f"- {num(AIM_SESSIONS)} concurrent sessions on one node: "
                     f"{'met' if big['held'] >= AIM_SESSIONS else 'not met'} "
                     f"({num(big['held'])} held at N = {num(big['n'])})")
        lines.append(f"- under 4 KiB gateway memory per session: "
                     f"{'met' if per < AIM_BYTES else 'not met'} ({num(per)} bytes of heap a "
                     f"session at N = {num(big['n'])})")
        q = ratios(big["rtt"], big["kamailio"])
        if q:
            line = (f"- INFO round trip within 2x of Kamailio's forward: p50 "
                    f"{'met' if q[0] <= AIM_RATIO else 'not met'} ({q[0]:.1f}x), p99 "
                    f"{'met' if q[1] <= AIM_RATIO else 'not met'} ({q[1]:.1f}x), at "
                    f"N = {num(big['n'])}")
            for s in steps:
                qn = ratios(s["rtt"], s["kamailio"]) if s["nodelay"] else None
                if qn:
                    line += (f"; with the TCP_NODELAY shim at N = {num(s['n'])}: p50 "
                             f"{qn[0]:.1f}x, p99 {qn[1]:.1f}x")
            lines.append(line)
    lines.append("")
    lines.append("Details:")
    lines.append("")
    for s in steps:
        stop_s = "did not exit within 15 s (killed)" if s["gw_stop_s"] is None else \
            f"{s['gw_stop_s']:.1f} s"
        sim = (f"; CTI node start-up {s['sim_start_s']:.2f} s, VmRSS "
               f"{kib(s['rss_sim_before'])} -> {kib(s['rss_sim_after'])}"
               if s.get("rss_sim_before") else "")
        dir_cost = (f"; gateway VmRSS at start {kib(s['rss_before'])} "
                    f"({num(s['rss_before'] / (s['n'] + args.rtt_calls))} B a directory user)")
        lines.append(
            f"- {label(s, 'users')}: directory of {num(s['n'] + args.rtt_calls)} users "
            f"({s['dir_bytes'] / 1e6:.1f} MB) written in {s['gen_s']:.1f} s{dir_cost}{sim}; "
            f"sign-in run {s['signin_wall']:.1f} s wall, SIPp CPU/sign-in "
            f"{s['signin_sipp_cpu'] / max(1, s['signin_ok']) * 1e6:.0f} us; after the round "
            f"trips {num(s['held_after'])} sessions held, RSS {kib(s['rss_after_rtt'])}; "
            f"warning/error lines in the gateway log: {s['gw_log_warnings']}; SIGTERM to exit: "
            f"{stop_s}")
    for mode, r in peers.items():
        lines.append(f"- peer {mode}: SIPp responder CPU/call "
                     f"{r['uas_cpu'] / max(1, r['ok']) * 1e6:.0f} us")
    return "\n".join(lines)


def update_readme(path, text):
    begin, end = "<!-- figures:begin (written by gateway_bench.py) -->", "<!-- figures:end -->"
    old = open(path).read() if os.path.exists(path) else f"# bench/gateway\n\n{begin}\n{end}\n"
    if begin not in old or end not in old:
        old = old.rstrip("\n") + f"\n\n## Figures\n\n{begin}\n{end}\n"
    head, rest = old.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(f"{head}{begin}\n{text}\n{end}{tail}")


def shown_args(argv):
    """The command line without the paths the build fills in."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--gatewayd", "--ctisim", "--readme", "--nodelay-preload"):
            skip = True
        elif not a.startswith(("--gatewayd=", "--ctisim=", "--readme=", "--nodelay-preload=")):
            out.append(a)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gatewayd", required=True, help="the rcc-gatewayd executable")
    ap.add_argument("--ctisim", required=True,
                    help="the rcc-ctisim executable (used with --cti ctisim)")
    ap.add_argument("--sizes", default="1000,10000,100000",
                    help="directory sizes N, comma-separated (default %(default)s)")
    ap.add_argument("--skip-100k", action="store_true", help="leave out N = 100000")
    ap.add_argument("--cti", choices=("bench", "ctisim", "embedded"), default="bench",
                    help="the CTI node: bench (cti_node.py, O(1) a request; default), ctisim (an "
                         "rcc-ctisim process on the directory) or embedded (the gateway's "
                         "in-process simulator)")
    ap.add_argument("--rate", type=int, default=50, help="round-trip calls per second")
    ap.add_argument("--rtt-calls", type=int, default=800, help="round-trip calls per run")
    ap.add_argument("--signin-window", type=int, default=500,
                    help="sign-ins in progress at most (SIPp -l)")
    ap.add_argument("--signin-timeout", type=int, default=180, help="bound of one sign-in run, s")
    ap.add_argument("--nodelay-preload", default="",
                    help="LD_PRELOAD shim (nodelay_preload.cc) for one more gateway at the "
                         "smallest N with TCP_NODELAY on its sockets; '' for none")
    ap.add_argument("--readme", default=os.path.join(HERE, "README.md"),
                    help="README whose figures block is rewritten ('' for none)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (and say where)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.skip_100k:
        sizes = [s for s in sizes if s < 100_000]
    for tool in ("sipp", "kamailio"):
        if not shutil.which(tool):
            die(f"{tool} is not installed")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    atexit.register(cleanup)
    work = tempfile.mkdtemp(prefix="rcc-gateway-bench.")
    if not args.keep:
        atexit.register(shutil.rmtree, work, True)
    else:
        print(f"gateway_bench: work directory {work}", file=sys.stderr)
    # Copies: the build tree may be relinked while the benchmark runs.
    binaries = {}
    for key, path in (("gatewayd", args.gatewayd), ("ctisim", args.ctisim)):
        if not os.access(path, os.X_OK):
            die(f"{path}: not an executable (build it first)")
        binaries[key] = shutil.copy2(path, os.path.join(work, os.path.basename(path)))
    info = {"date": datetime.date.today().isoformat(), "load_before": machine()[2],
            "versions": versions(binaries),
            "command": " ".join(["gateway_bench"] + shown_args(sys.argv[1:]))}
    if args.nodelay_preload and not os.path.exists(args.nodelay_preload):
        die(f"{args.nodelay_preload}: no such file")
    direct = Peer(work, "direct", args)
    peers = {"direct": direct.run()}
    direct.close()
    progress("CTI leg: MakeCall and ClearConnection straight to cti_node.py")
    probe = cti_probe(work, args) if args.cti == "bench" else None
    kamailio = Peer(work, "kamailio", args)
    plan = [(n, None) for n in sizes]
    if args.nodelay_preload:
        plan.append((min(sizes), args.nodelay_preload))
    steps = []
    for n, preload in plan:
        step = run_step(work, n, args, binaries, preload)
        step["kamailio"] = kamailio.run()  # right after: the ratio compares runs under one load
        steps.append(step)
    kamailio.close()
    info["machine"] = machine()
    text = report(steps, peers, probe, args, info)
    print(text)
    if args.readme:
        update_readme(args.readme, text)
        progress(f"figures written to {args.readme}")
    bad = [s for s in steps if s["signin_failed"] or s["rtt"]["failed"]]
    bad += [s for s in steps if s["kamailio"]["failed"]]
    return 1 if bad or any(p["failed"] for p in peers.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
