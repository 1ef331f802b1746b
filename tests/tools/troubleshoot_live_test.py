#!/usr/bin/env python3
"""rcc-troubleshoot --live and --dial against a real rcc-gatewayd on its embedded simulator.

A good user passes every live step; a user the gateway refuses gets live-invite FAIL naming the
refusal; --dial sees Delivered and Established (the called phone is answered through the
simulator's control port); with the gateway stopped, live-options fails within the timeout.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

LIVE = ["live-options", "live-invite", "live-features", "live-monitor-start", "live-snapshot",
        "live-monitor-stop", "live-bye"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(tool, config, *args, timeout=60):
    t0 = time.monotonic()
    out = subprocess.run([tool, "--config", config, "--json", *args], capture_output=True,
                         text=True, timeout=timeout)
    report = json.loads(out.stdout)
    return out.returncode, {c["id"]: c for c in report["checks"]}, time.monotonic() - t0


def control(port, command):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
        c.sendall((command + "\n").encode())
        return c.makefile().readline().strip()


def main():
    tool, gatewayd, source = (os.path.abspath(a) for a in sys.argv[1:4])
    work = tempfile.mkdtemp(prefix="rcc-troubleshoot-live.")
    config = os.path.join(work, "gw.toml")
    with open(config, "w") as f:
        f.write(f'[gateway]\nlisten-tcp = "127.0.0.1:{free_port()}"\n[directory]\nfile = '
                f'"{source}/tests/data/gateway/directory.toml"\n')
    gw = subprocess.Popen([gatewayd, "-c", config, "-q"], stdout=subprocess.PIPE, text=True)
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

        code, checks, _ = run(tool, config, "--live", "alice")
        for cid in LIVE:
            if checks.get(cid, {}).get("status") != "PASS":
                failures.append(f"alice: {cid} is {checks.get(cid)}")
        if code != 0:
            failures.append(f"alice: exit {code}")

        code, checks, _ = run(tool, config, "--live", "carol")
        inv = checks.get("live-invite", {})
        if inv.get("status") != "FAIL" or "ambiguous-device" not in inv.get("reason", "") \
                or inv.get("evidence", {}).get("sip_status") != 403:
            failures.append(f"carol: live-invite is {inv}")
        if code != 1:
            failures.append(f"carol: exit {code}")

        # --dial: bob's phone (5002) is answered as soon as it rings.
        stop = threading.Event()

        def answer():
            for _ in range(200):
                if stop.is_set() or control(control_port, "answer 5002").startswith("ok"):
                    return
                time.sleep(0.02)

        t = threading.Thread(target=answer)
        t.start()
        code, checks, _ = run(tool, config, "--dial", "5002", "alice")
        stop.set()
        t.join(timeout=10)
        ev = checks.get("live-events", {})
        names = ev.get("evidence", {}).get("events", [])
        if ev.get("status") != "PASS" or "DeliveredEvent" not in names \
                or "EstablishedEvent" not in names:
            failures.append(f"--dial: live-events is {ev}")
        if checks.get("live-make-call", {}).get("status") != "PASS":
            failures.append(f"--dial: live-make-call is {checks.get('live-make-call')}")
        control(control_port, "hangup 5001")
    finally:
        gw.terminate()
        gw.wait(timeout=10)

    code, checks, elapsed = run(tool, config, "--live", "--timeout", "2", "alice")
    opt = checks.get("live-options", {})
    if opt.get("status") != "FAIL" or "is rcc-gatewayd running" not in (opt.get("fix") or ""):
        failures.append(f"stopped gateway: live-options is {opt}")
    if elapsed > 2 + 5:
        failures.append(f"stopped gateway: took {elapsed:.1f} s with --timeout 2")
    if code != 1:
        failures.append(f"stopped gateway: exit {code}")
    for f in failures:
        print("FAIL", f)
    print(f"live: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
