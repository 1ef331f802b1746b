#!/usr/bin/env python3
"""Shared lines over real processes: rcc-gatewayd on its embedded simulator (the CTI link, the
node queue), rcc-troubleshoot --live as the OCS side, the simulator's control port as the
call manager's state.

The registration of frank's IP Communicator is changed on the control port (the directory file
says it is not registered) and each sign-in's log line must follow the node, naming it as the
source; heidi's line (two desk phones, both ring) dials out with --dial from the first phone,
which the node accepts by name.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(tool, config, *args, timeout=60):
    out = subprocess.run([tool, "--config", config, "--json", *args], capture_output=True,
                         text=True, timeout=timeout)
    report = json.loads(out.stdout)
    return out.returncode, {c["id"]: c for c in report["checks"]}


def control(port, command):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
        c.sendall((command + "\n").encode())
        return c.makefile().readline().strip()


def signed_in(log_path, user, seen):
    """The next 'signed in user=USER' line of the gateway's log after the `seen` first ones."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(log_path) as f:
            lines = [l for l in f if f"signed in user={user} " in l]
        if len(lines) > seen:
            return lines[seen]
        time.sleep(0.05)
    return None


def main():
    tool, gatewayd, source = (os.path.abspath(a) for a in sys.argv[1:4])
    work = tempfile.mkdtemp(prefix="rcc-shared-line-live.")
    config = os.path.join(work, "gw.toml")
    log_path = os.path.join(work, "gatewayd.log")
    with open(config, "w") as f:
        f.write(f'[gateway]\nlisten-tcp = "127.0.0.1:{free_port()}"\nserver-type = "lcs"\n'
                f'[directory]\nfile = "{source}/tests/data/gateway/shared_lines.toml"\n')
    log = open(log_path, "w")
    gw = subprocess.Popen([gatewayd, "-c", config], stdout=subprocess.PIPE, stderr=log,
                          text=True)
    failures = []
    try:
        control_port = None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = gw.stdout.readline()
            if not line:
                break
            if line.startswith("control 127.0.0.1:"):
                control_port = int(line.split(":")[1])
            if line.startswith("sip tcp"):
                break
        if control_port is None:
            sys.exit("rcc-gatewayd did not start")

        # The node says registered, the file says not: the node decides.
        if control(control_port, "register CIPCFRANK") != "ok":
            failures.append("register CIPCFRANK refused")
        code, checks = run(tool, config, "--live", "frank")
        if checks.get("live-invite", {}).get("status") != "PASS":
            failures.append(f"frank (registered): live-invite is {checks.get('live-invite')}")
        line = signed_in(log_path, "frank", 0) or ""
        if "device=CIPCFRANK " not in line or \
                not re.search(r"CIPCFRANK registered per CTI node 127\.0\.0\.1:\d+", line):
            failures.append(f"frank (registered): signed-in line is {line!r}")

        # And back: unregistered at the node, the desk phone.
        control(control_port, "unregister CIPCFRANK")
        run(tool, config, "--live", "frank")
        line = signed_in(log_path, "frank", 1) or ""
        if "device=SEP000000005101 " not in line or "CIPCFRANK not registered per CTI node" \
                not in line:
            failures.append(f"frank (unregistered): signed-in line is {line!r}")

        # heidi: both phones ring; click-to-dial before any answer goes out from the first. With
        # the first unregistered it must fail (the line's other phone could have taken it: the
        # node was asked for that phone, not for the line).
        control(control_port, "unregister SEP00000000B001")
        code, checks = run(tool, config, "--dial", "5104", "heidi")
        made = checks.get("live-make-call", {})
        if made.get("status") != "FAIL" or "resourceOutOfService" not in json.dumps(made):
            failures.append(f"heidi --dial, first phone unregistered: live-make-call is {made}")
        control(control_port, "register SEP00000000B001")
        stop = threading.Event()

        def answer():
            for _ in range(200):
                if stop.is_set() or control(control_port, "answer 5104").startswith("ok"):
                    return
                time.sleep(0.02)

        t = threading.Thread(target=answer)
        t.start()
        code, checks = run(tool, config, "--dial", "5104", "heidi")
        stop.set()
        t.join(timeout=10)
        if checks.get("live-make-call", {}).get("status") != "PASS":
            failures.append(f"heidi --dial: live-make-call is {checks.get('live-make-call')}")
        names = checks.get("live-events", {}).get("evidence", {}).get("events", [])
        if "EstablishedEvent" not in names:
            failures.append(f"heidi --dial: live-events is {checks.get('live-events')}")
        line = signed_in(log_path, "heidi", 1) or ""
        if "device=SEP00000000B001,SEP00000000B002 " not in line:
            failures.append(f"heidi: signed-in line is {line!r}")
    finally:
        gw.terminate()
        gw.wait(timeout=10)
        log.close()
    for f in failures:
        print("FAIL", f)
    print(f"shared-line live: {len(failures)} failures")
    if failures:
        with open(log_path) as f:
            sys.stdout.write(f.read()[-4000:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
