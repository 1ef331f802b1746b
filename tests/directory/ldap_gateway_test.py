#!/usr/bin/env python3
"""rcc-gatewayd with its users in LDAP: a real slapd (Debian's) started here on a loopback port,
with the test schema and users of tests/data/ldap and 5,000 generated users; the gateway's
[directory] source = "ldap", its devices and application user from tests/data/ldap/directory.toml
(the embedded simulator). The OCS side is SIPp (a sign-in of a user who exists only in LDAP) and
sip_client.py (everything else).

- each lookup path signs in: user ID, e-mail, the sign-in address (mixed case too);
- each bad record is refused with its reason: RCC off, account disabled, another gateway's user,
  no line, the E.164 + dialstring mistake, two users with one line; an unknown user;
- a From URI with `*)(uid=*` finds nobody;
- slapd killed while the gateway serves: the signed-in session stays, a cached user signs in
  again (served past its TTL, logged), anybody else is refused at once with the reason; slapd
  back: served again;
- a configuration reload (SIGHUP) replaces the source and sign-ins go on;
- a wrong bind password: sign-ins refused (503) naming the bind;
- `rcc-troubleshoot --all` over the same LDAP configuration reads every user (5,000 and more,
  paged) and reports the broken ones.

    ldap_gateway_test.py <rcc-gatewayd> <tests dir> <rcc-troubleshoot>
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

GATEWAYD, TESTS, TROUBLESHOOT = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.join(TESTS, "sipp"))
from sip_client import Conn, monitor_start, request, response, rss, status, to_tag  # noqa: E402

DATA = os.path.join(TESTS, "data", "ldap")
LINE = "tel:%d;phone-context=dialstring"
work = tempfile.mkdtemp(prefix="rcc-ldap-gw-")
failures = []
procs = []


def check(name, ok, detail=""):
    print(("ok - " if ok else "not ok - ") + name + ("" if ok or not detail else ": " + detail),
          flush=True)
    if not ok:
        failures.append(name)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(what, predicate, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    print("timed out waiting for " + what, file=sys.stderr)
    return False


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


class Slapd:
    """slapd in the foreground (-d 0) on 127.0.0.1:port, its database loaded with slapadd."""

    def __init__(self):
        self.dir = os.path.join(work, "slapd")
        os.makedirs(os.path.join(self.dir, "db"))
        self.port = free_port()
        self.p = None
        with open(os.path.join(self.dir, "slapd.conf"), "w") as f:
            f.write("include /etc/ldap/schema/core.schema\n"
                    "include /etc/ldap/schema/cosine.schema\n"
                    "include /etc/ldap/schema/inetorgperson.schema\n"
                    "include %s/msrtcsip.schema\n"
                    "pidfile %s/slapd.pid\nargsfile %s/slapd.args\n"
                    "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
                    "database mdb\nmaxsize 268435456\nsuffix \"dc=example,dc=com\"\n"
                    "rootdn \"cn=admin,dc=example,dc=com\"\nrootpw admin-secret\n"
                    "directory %s/db\nindex objectClass eq\n"
                    "index sAMAccountName,mail,msRTCSIP-PrimaryUserAddress,msRTCSIP-Line eq\n"
                    "limits users size.soft=1000 size.hard=1000 size.pr=1000 "
                    "size.prtotal=unlimited\n"
                    "access to attrs=userPassword by anonymous auth by * none\n"
                    "access to * by users read by * none\n"
                    % (DATA, self.dir, self.dir, self.dir))
        gen = os.path.join(self.dir, "generated.ldif")
        with open(gen, "w") as f:
            for i in range(1, 5001):
                f.write("dn: cn=User %05d,ou=people,dc=example,dc=com\n"
                        "objectClass: inetOrgPerson\nobjectClass: rccTestADUser\n"
                        "cn: User %05d\nsn: %05d\nsAMAccountName: user%05d\n"
                        "mail: user%05d@example.com\nuserAccountControl: 512\n"
                        "msRTCSIP-UserEnabled: TRUE\nmsRTCSIP-OptionFlags: 272\n"
                        "msRTCSIP-PrimaryUserAddress: sip:user%05d@example.com\n"
                        "msRTCSIP-Line: tel:%d;phone-context=dialstring\n"
                        "msRTCSIP-LineServer: sip:rcc-gw@gw.example.com\n\n"
                        % (i, i, i, i, i, i, 70000 + i))
        conf = os.path.join(self.dir, "slapd.conf")
        for ldif in (os.path.join(DATA, "users.ldif"), gen):
            subprocess.run(["slapadd", "-q", "-f", conf, "-l", ldif], check=True)
        self.start()

    def start(self):
        self.p = subprocess.Popen(["slapd", "-f", os.path.join(self.dir, "slapd.conf"), "-h",
                                   "ldap://127.0.0.1:%d/" % self.port, "-d", "0"],
                                  stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(self.dir, "slapd.log"), "a"))
        procs.append(self.p)
        if not wait_for("slapd", lambda: accepts(self.port), 10):
            raise SystemExit("slapd did not start; see %s/slapd.log" % self.dir)

    def kill(self):
        self.p.kill()
        self.p.wait()


class Gateway:
    def __init__(self, name, slapd_port, password="reader-secret"):
        self.log_path = os.path.join(work, name + ".err")
        pw = os.path.join(work, name + ".pw")
        with open(pw, "w") as f:
            f.write(password + "\n")
        config = self.config = os.path.join(work, name + ".toml")
        with open(config, "w") as f:
            f.write('[gateway]\nlisten-tcp = "127.0.0.1:0"\nacl = ["127.0.0.1"]\n'
                    'retry-after = 5\n'
                    '[directory]\nsource = "ldap"\nfile = "%s/directory.toml"\n'
                    '[directory.ldap]\nservers = ["ldap://127.0.0.1:%d"]\n'
                    'bind-dn = "cn=rcc-reader,ou=service,dc=example,dc=com"\n'
                    'bind-password-file = "%s"\nbase = "dc=example,dc=com"\n'
                    'line-server = "sip:rcc-gw@gw.example.com"\n'
                    'cache-ttl = 2\nnegative-ttl = 1\nreconnect-max = 1\nwarm-cache = false\n'
                    'connect-timeout = 2\nsearch-timeout = 3\n'
                    % (DATA, slapd_port, pw))
        self.p = subprocess.Popen([GATEWAYD, "-c", config], stdout=subprocess.PIPE,
                                  stderr=open(self.log_path, "w"), text=True)
        procs.append(self.p)
        self.port = None
        for _ in range(5):
            line = self.p.stdout.readline()
            m = re.match(r"^sip tcp 127\.0\.0\.1:(\d+)$", line.strip())
            if m:
                self.port = int(m.group(1))
                break
        if not self.port:
            raise SystemExit("the gateway did not start:\n" + self.log())
        wait_for("the CTI node", lambda: " up\n" in self.log())

    def log(self):
        return open(self.log_path).read()

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(10)


calls = [0]


def sign_in(gw, user, line):
    """INVITE as sip:USER@example.com with lcs:line LINE; (connection, status, response); the
    Call-ID is the connection's call_id."""
    calls[0] += 1
    call_id = "ldap%d" % calls[0]
    c = Conn(gw.port)
    c.call_id = call_id
    c.send(request("INVITE", call_id, 1, rss(line), user=user))
    m = response(c, timeout=15)
    if status(m) == 200:
        c.send(request("ACK", call_id, 1, to_tag=to_tag(m), user=user,
                       branch="z9hG4bKack" + call_id))
    return c, status(m), m


def warning(m):
    found = re.search(r"^Warning: (.*)$", m[0], re.M) if m else None
    return found.group(1) if found else ""


def signs_in(gw, name, user, line):
    _, st, m = sign_in(gw, user, line)
    check(name, st == 200, "status %s %s" % (st, warning(m)))


def refused(gw, name, user, line, want_status, reason, detail):
    _, st, m = sign_in(gw, user, line)
    w = warning(m)
    check(name, st == want_status and reason + ": " in w and detail in w,
          "status %s, Warning: %s" % (st, w))


try:
    slapd = Slapd()
    gw = Gateway("gw", slapd.port)

    # --- a user who exists only in LDAP, signed in by SIPp ---
    if shutil.which("sipp"):
        sipp_port = free_port()
        r = subprocess.run(
            ["timeout", "60", "sipp", "-sf", os.path.join(TESTS, "sipp", "signin_only.xml"),
             "-t", "t1", "-m", "1", "-nostdin", "-timeout", "20s", "-recv_timeout", "10000",
             "-p", str(sipp_port), "-key", "contact",
             "sip:ocs@127.0.0.1:%d;transport=tcp" % sipp_port, "-key", "via_transport", "TCP",
             "-key", "user", "john.smith@example.com", "-key", "line", LINE % 6001,
             "127.0.0.1:%d" % gw.port], cwd=work, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        check("SIPp: john.smith@example.com (only in LDAP) signs in", r.returncode == 0,
              r.stdout[-2000:])
        check("the gateway logged it with the device of the line's DN",
              re.search(r"signed in user=jsmith matched-by=\"e-mail\" "
                        r"line=tel:6001;phone-context=dialstring device=SEP000000006001",
                        gw.log()) is not None)
    else:
        check("sipp is installed", False)

    # --- each lookup path ---
    signs_in(gw, "by user ID: sip:jsmith@example.com", "jsmith", LINE % 6001)
    signs_in(gw, "by the sign-in address: sip:mary@example.com (mjones)", "mary", LINE % 6002)
    check("matched by ocsPrimaryAddress",
          'signed in user=mjones matched-by="ocsPrimaryAddress"' in gw.log())
    signs_in(gw, "mixed case: sip:jack@example.com finds SIP:Jack@Example.COM", "jack", LINE % 6009)
    signs_in(gw, "mixed case: sip:JACKM@example.com by user ID", "JACKM", LINE % 6009)

    # --- the bad records, each with its reason ---
    people = ",ou=people,dc=example,dc=com: "
    refused(gw, "RCC off: 403 rcc-disabled", "roff", LINE % 6003, 403, "rcc-disabled",
            "cn=Rob Off" + people + "msRTCSIP-OptionFlags 256 lacks bit 16")
    refused(gw, "account disabled: 403 rcc-disabled", "ddisabled", LINE % 6004, 403,
            "rcc-disabled", "userAccountControl 514: the account is disabled")
    refused(gw, "another gateway's user: 403 rcc-disabled", "oother", LINE % 6005, 403,
            "rcc-disabled", "msRTCSIP-LineServer is 'sip:rcc-gw@other.example.com'")
    refused(gw, "no line: 400 bad-line-uri", "nnoline", LINE % 6006, 400, "bad-line-uri",
            "cn=Nora Noline" + people + "msRTCSIP-Line is missing")
    refused(gw, "E.164 with phone-context=dialstring: 400 bad-line-uri", "edial",
            "tel:+14255556007;phone-context=dialstring", 400, "bad-line-uri",
            "global number with phone-context")
    refused(gw, "two users with one line: 403 bad-directory-entry", "sshared", LINE % 6008, 403,
            "bad-directory-entry", "is also the line of cn=Sue Shared")
    refused(gw, "two users with one e-mail address: 403 bad-directory-entry", "p.dup", LINE % 6012,
            403, "bad-directory-entry", "mail 'p.dup@example.com' is on 2 RCC users")
    refused(gw, "an unknown user: 403 unknown-user", "nobody", LINE % 6001, 403, "unknown-user",
            "no user with user ID 'nobody'")
    refused(gw, "a From URI with *)(uid=* finds nobody", "*)(uid=*", LINE % 6011, 403,
            "unknown-user", "no user with user ID '*)(uid=*'")
    refused(gw, "and *)(sAMAccountName=ivan finds nobody", "*)(sAMAccountName=ivan", LINE % 6011,
            403, "unknown-user", "")

    # --- slapd killed while the gateway serves ---
    held, st, held_ok = sign_in(gw, "mary", LINE % 6002)
    check("mjones signed in before the kill", st == 200)
    slapd.kill()
    time.sleep(2.2)  # past cache-ttl: the cached users are stale now
    t0 = time.time()
    signs_in(gw, "slapd down: a cached user (jsmith) signs in again", "jsmith", LINE % 6001)
    check("the gateway logged that it served a cached user",
          "serving cached user jsmith" in gw.log())
    _, st, m = sign_in(gw, "user00042", LINE % 70042)
    took = time.time() - t0
    w = warning(m)
    check("slapd down: anybody else is refused with 503, the reason and Retry-After",
          st == 503 and "directory-unavailable: " in w and "Can't contact LDAP server" in w
          and re.search(r"^Retry-After: \d+", m[0], re.M) is not None,
          "status %s, Warning: %s" % (st, w))
    check("at once (%.2f s for both sign-ins)" % took, took < 2)
    held.send(request("INFO", held.call_id, 2, monitor_start(LINE % 6002), to_tag(held_ok),
                      user="mary"))
    m = response(held)
    check("the session signed in before the kill still works (MonitorStart)",
          status(m) == 200 and b"MonitorStartResponse" in m[1])
    slapd.start()
    check("slapd back: the gateway reconnects in the background",
          wait_for("the reconnect", lambda: "answers again" in gw.log(), 15))
    _, st, m = sign_in(gw, "user00042", LINE % 70042)
    # user00042 has no device in the directory file: found in LDAP, refused by device selection.
    check("slapd back: user00042 is found again (then refused for its device, not the directory)",
          st == 404 and "unknown-dn" in warning(m), "status %s %s" % (st, warning(m)))
    signs_in(gw, "slapd back: mjones signs in", "mary", LINE % 6002)

    # --- SIGHUP: a new LDAP source replaces the old one, off the event loop ---
    gw.p.send_signal(signal.SIGHUP)
    check("SIGHUP: the reload is applied",
          wait_for("the reload", lambda: "reload: applied" in gw.log(), 15))
    signs_in(gw, "after the reload: jsmith signs in through the new source", "jsmith",
             LINE % 6001)
    gw.stop()

    # --- the troubleshooter's --all, over the same LDAP configuration ---
    started = time.time()
    r = subprocess.run([TROUBLESHOOT, "--config", gw.config, "--all", "--json"], cwd=work,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    took = time.time() - started
    try:
        report = json.loads(r.stdout)
    except ValueError:
        report = {}
    users = {u.get("user"): u for u in report.get("users", [])}
    check("rcc-troubleshoot --all reads every LDAP user (%s checked in %.2f s)"
          % (report.get("users_checked"), took),
          report.get("users_checked", 0) >= 5000, r.stderr[-1000:])
    check("--all finds jsmith's set-up working and reports the users without a device (exit 1)",
          r.returncode == 1 and users.get("jsmith", {}).get("result") in ("PASS", "WARN")
          and users.get("user00042", {}).get("result") == "FAIL",
          "exit %d, jsmith %s" % (r.returncode, users.get("jsmith", {}).get("result")))

    # --- a wrong bind password ---
    bad = Gateway("badpw", slapd.port, password="wrong")
    refused(bad, "wrong bind password: 503 directory-unavailable naming the bind", "jsmith",
            LINE % 6001, 503, "directory-unavailable",
            "bind as cn=rcc-reader,ou=service,dc=example,dc=com: Invalid credentials")
    bad.stop()
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
if failures:
    print("ldap_gateway_test: %d check(s) failed (logs in %s)" % (len(failures), work),
          file=sys.stderr)
    sys.exit(1)
shutil.rmtree(work, ignore_errors=True)
print("ldap_gateway_test: all checks passed")
