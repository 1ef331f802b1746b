#!/usr/bin/env python3
"""rcc-troubleshoot against its examples (examples/troubleshoot/cases.txt).

Each case runs the built binary with --json in a copy of the examples directory (certificates
made by make-certs.sh) and asserts the exit code, the status of the checks the case names, and
that every other check passed or was skipped. @OCS@ cases start `openssl s_server` on a free
loopback port with the named certificate, standing in for the OCS pool.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CLEAN_IDS = [
    "config", "config-directory", "config-rules", "config-listener", "application-user-group", "ocs-pool-name",
    "user-lookup", "rcc-enabled", "line-uri", "line-uri-dialstring", "dn-exists",
    "lcs-device-limit", "device-selection", "device-registered", "device-name",
    "device-model-permission", "user-group", "caller-name",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ocs(work, cert):
    port = free_port()
    key = "ocs.key" if cert == "ocs" else "gateway.key"
    proc = subprocess.Popen(
        ["openssl", "s_server", "-quiet", "-accept", f"127.0.0.1:{port}", "-cert", f"{cert}.pem",
         "-key", key, "-naccept", "20"],
        cwd=work, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("openssl s_server did not start")


class Simulator:
    """rcc-ctisim on free loopback ports, over the examples' directory."""

    def __init__(self, sim, work):
        self.proc = subprocess.Popen(
            [sim, "--directory", "directory.toml", "--listen", "127.0.0.1:0", "--control",
             "127.0.0.1:0", "-q"], cwd=work, stdout=subprocess.PIPE, text=True)
        self.port = self.control_port = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.control_port is None:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith("cti 127.0.0.1:"):
                self.port = int(line.split(":")[1].split()[0])
            if line.startswith("control 127.0.0.1:"):
                self.control_port = int(line.split(":")[1])
        if self.port is None or self.control_port is None:
            self.stop()
            sys.exit("rcc-ctisim did not start")

    def control(self, command):
        with socket.create_connection(("127.0.0.1", self.control_port), timeout=5) as c:
            c.sendall((command + "\n").encode())
            return c.makefile().readline().strip()

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)


def with_cti(work, config, sim):
    """A copy of `config` whose @CTI@ is the simulator's address."""
    text = open(os.path.join(work, config)).read()
    if "@CTI@" not in text:
        return config
    out = "run-" + config
    with open(os.path.join(work, out), "w") as f:
        f.write(text.replace("@CTI@", f"127.0.0.1:{sim.port}"))
    return out


def run_case(tool, work, config, user, args, expected, code, sim=None, source=None):
    server = None
    label_config = config
    if sim:
        config = with_cti(work, config, sim)
    argv = []
    if args != "-":
        for a in args.split(","):
            if "@OCS@" in a:
                cert = a[a.index("[") + 1:a.index("]")]
                server, port = start_ocs(work, cert)
                a = a[:a.index("[")].replace("@OCS@", f"127.0.0.1:{port}")
            argv.append(a)
    try:
        out = subprocess.run([tool, "--config", config, "--json", *argv, user], cwd=work,
                             capture_output=True, text=True, timeout=60)
    finally:
        if server:
            server.kill()
            server.wait(timeout=10)
    label = f"{label_config} {' '.join(argv)} {user}"
    problems = []
    if out.returncode != code:
        problems.append(f"exit {out.returncode}, expected {code}: {out.stderr.strip()}")
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        return [f"{label}: not JSON: {out.stdout[:200]!r} {out.stderr.strip()}"]
    want = {}
    if expected != "-":
        for item in expected.split(","):
            cid, status = item.split("=")
            want[cid] = status
    seen = {}
    for c in report["checks"]:
        for key in ("id", "status", "reason", "fix", "evidence"):
            if key not in c:
                problems.append(f"check without '{key}': {c}")
        seen.setdefault(c["id"], []).append(c["status"])
        if c["id"] in want:
            if c["status"] != want[c["id"]]:
                problems.append(f"{c['id']} is {c['status']}, expected {want[c['id']]}: "
                                f"{c['reason']}")
            if not c["fix"]:
                problems.append(f"{c['id']} has no fix")
        elif c["status"] not in ("PASS", "SKIP"):
            problems.append(f"{c['id']} is {c['status']} ({c['reason']}), expected PASS or SKIP")
    for cid in want:
        if cid not in seen:
            problems.append(f"no check {cid}")
    if source:
        got = [c["evidence"].get("source", "") for c in report["checks"]
               if c["id"] == "device-registered"]
        if not got or source not in got[0]:
            problems.append(f"device-registered was decided by {got}, expected {source}")
    if expected == "-" and config == "clean.toml" and user == "jsmith":
        for cid in CLEAN_IDS:
            if seen.get(cid) != ["PASS"]:
                problems.append(f"clean set-up: {cid} is {seen.get(cid)}, expected PASS")
    return [f"{label}: {p}" for p in problems]


def check_all(tool, work, users=5000):
    """--all on a generated directory: every broken user is reported, the clean ones are not."""
    broken = {}
    with open(os.path.join(work, "all-directory.toml"), "w") as f:
        f.write('[[application-user]]\nid = "rccgateway"\npassword = "x"\n'
                'groups = ["Standard CTI Enabled", "Standard CTI Allow Control of All Devices"]\n')
        for i in range(users):
            dn = str(100000 + i)
            uid = f"user{i:05d}"
            rcc, line, groups = "true", f"tel:{dn};phone-context=dialstring", '["Standard CCM End Users"]'
            registered = "true"
            if i % 100 == 7:
                rcc, broken[uid] = "false", "rcc-enabled"
            elif i % 100 == 42:
                line, broken[uid] = f"tel:+61{dn};phone-context=dialstring", "line-uri-dialstring"
            elif i % 100 == 77:
                registered, broken[uid] = "false", "device-registered"
            f.write(f'[[device]]\nname = "SEP{i:012X}"\nmodel = "Cisco 7975"\n'
                    f'registered = {registered}\nlines = [{{ dn = "{dn}" }}]\n'
                    f'[[user]]\nid = "{uid}"\nemail = "{uid}@example.com"\nrcc-enabled = {rcc}\n'
                    f'line-uri = "{line}"\ndevices = ["SEP{i:012X}"]\ngroups = {groups}\n')
    with open(os.path.join(work, "all.toml"), "w") as f:
        f.write('[gateway]\nlisten-tcp = "127.0.0.1:5060"\n[directory]\nfile = "all-directory.toml"\n')
    t0 = time.monotonic()
    out = subprocess.run([tool, "--config", "all.toml", "--all", "--json"], cwd=work,
                         capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - t0
    problems = []
    if out.returncode != 1:
        problems.append(f"--all: exit {out.returncode}, expected 1: {out.stderr.strip()}")
    report = json.loads(out.stdout)
    if report["users_checked"] != users:
        problems.append(f"--all: {report['users_checked']} users checked, expected {users}")
    if report["users_with_problems"] != len(broken):
        problems.append(f"--all: {report['users_with_problems']} users with problems, "
                        f"expected {len(broken)}")
    for u in report["users"]:
        bad = [c["id"] for c in u["checks"] if c["status"] in ("WARN", "FAIL")]
        want = [broken[u["user"]]] if u["user"] in broken else []
        if bad != want:
            problems.append(f"--all: {u['user']}: {bad}, expected {want}")
    text = subprocess.run([tool, "--config", "all.toml", "--all"], cwd=work,
                          capture_output=True, text=True, timeout=120)
    flagged = {l.split(":")[0] for l in text.stdout.splitlines() if l.startswith("user")}
    if flagged != set(broken):
        problems.append(f"--all text: {len(flagged)} users flagged, expected {len(broken)}")
    print(f"--all: {users} users in {elapsed:.2f} s (tool's own figure "
          f"{report['seconds']:.2f} s), {report['users_with_problems']} with problems")
    return problems[:20]


def main():
    tool, source = os.path.abspath(sys.argv[1]), sys.argv[2]
    sim_binary = os.path.abspath(sys.argv[3])
    examples = os.path.join(source, "examples", "troubleshoot")
    work = tempfile.mkdtemp(prefix="rcc-troubleshoot-test.")
    try:
        shutil.copytree(examples, work, dirs_exist_ok=True)
        subprocess.run(["sh", "make-certs.sh", "."], cwd=work, check=True, timeout=60)
        failures, count = [], 0
        sim = Simulator(sim_binary, work)
        try:
            with open(os.path.join(examples, "cases.txt")) as f:
                for line in f:
                    if not line.strip() or line.startswith("#"):
                        continue
                    config, user, args, expected, code = line.split()
                    failures += run_case(tool, work, config, user, args, expected, int(code),
                                         sim)
                    count += 1
            # Registration is asked over CTI: the node's answer wins over the directory's flag.
            failures += run_case(tool, work, "cti.toml", "jsmith", "-", "-", 0, sim,
                                 source="asked CTI node")
            reply = sim.control("unregister SEP0002FD3BB5C5")
            if not reply.startswith("ok"):
                failures.append(f"rcc-ctisim control: {reply}")
            failures += run_case(tool, work, "cti.toml", "jsmith", "-", "device-registered=FAIL",
                                 1, sim, source="asked CTI node")
            count += 2
        finally:
            sim.stop()
        # Usage errors: exit 2 with a message naming the problem.
        for argv, text in ((["--config", "clean.toml"], "USER or --all"),
                           (["--config", "no-such.toml", "jsmith"], "no-such.toml"),
                           (["--transport", "udp", "jsmith"], "transport")):
            out = subprocess.run([tool, *argv], cwd=work, capture_output=True, text=True,
                                 timeout=30)
            if out.returncode != 2 or text not in out.stderr:
                failures.append(f"{argv}: exit {out.returncode}, stderr {out.stderr.strip()!r}")
        # Text output: one line per check, the fix indented under it, the summary last.
        out = subprocess.run([tool, "--config", "clean.toml", "e164dial"], cwd=work,
                             capture_output=True, text=True, timeout=30)
        lines = out.stdout.splitlines()
        i = next((k for k, l in enumerate(lines) if l.startswith("FAIL line-uri-dialstring:")), None)
        if i is None or not lines[i + 1].startswith("     fix: drop ;phone-context=dialstring"):
            failures.append(f"text output: {out.stdout!r}")
        if not lines or not lines[-1].startswith("result: FAIL (") or "\033[" in out.stdout:
            failures.append(f"text output summary or colour: {lines[-1:]!r}")
        failures += check_all(tool, work)
        for f in failures:
            print("FAIL", f)
        print(f"{count} cases, {len(failures)} failures")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
