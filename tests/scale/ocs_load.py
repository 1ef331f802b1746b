"""A load client that behaves like Communicator towards a gateway (or a balancer in front of
gateways), many users on one asyncio loop, one TCP connection per user. Used by the scale-out
tests and the sign-in storm test.

Each user signs in (INVITE with RequestSystemStatus, ACK), refreshes its dialog with UPDATE at
half its Session-Expires, dials (a MakeCall INFO) every `dial_interval` seconds or when poked,
answers the event INFOs and BYEs the gateway sends (with `monitor`, it first starts a monitor on
its line, again after a CSTA error), and like Communicator:
  - on 481, 408, 477, any 5xx or a transaction timeout in its dialog, or a lost connection,
    it drops the dialog and signs in again with a new INVITE (new Call-ID, new tag) after a
    short random backoff;
  - on 503 to its INVITE it waits the Retry-After the gateway gave (scaled by
    `retry_after_scale`) and tries again; a 503 without Retry-After counts as a fault.
With `hold` (lo, hi) each user signs out (BYE, then closes its connection, as Communicator does
when the user quits) after a random time in that range, waits `pause` (lo, hi) and signs in
again with a new dialog, for ever: the soak's cycle. With `clear_calls` every call made is
cleared again (ClearConnection on the calling connection of the MakeCallResponse) after
`call_hold` (lo, hi) seconds. `sign_in_rate` bounds the INVITEs per second of the whole client.
The message helpers (bodies, parsing) are sip_client.py's.
"""
import asyncio
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sipp"))
from sip_client import NS, make_call, monitor_start, rss  # noqa: E402

# Answers to a request in a dialog after which Communicator signs in again.
RESIGN_CODES = {408, 477, 481}


def header(head, name):
    m = re.search(r"^%s:\s*(.*)$" % name, head, re.M | re.I)
    return m.group(1).strip() if m else None


def headers(head, name):
    return [v.strip() for v in re.findall(r"^%s:\s*(.*)$" % name, head, re.M | re.I)]


class Stats:
    def __init__(self):
        self.sign_ins = 0          # 200 to an INVITE
        self.attempts = 0          # INVITEs sent
        self.busy = 0              # 503 with Retry-After
        self.busy_without_retry_after = 0
        self.retry_after = {}      # Retry-After value (seconds) -> how many 503s gave it
        self.other_refusals = {}   # code -> count, INVITE answers other than 200/503
        self.resigns = 0           # dialogs dropped and signed in again (after the first)
        self.resign_causes = {}    # cause -> count
        self.dials = 0
        self.refreshes = 0         # UPDATEs answered 200
        self.monitor_errors = 0    # MonitorStart answered with a CSTA error (tried again)
        self.dials_ok = 0
        self.clears = 0            # ClearConnection INFOs sent after a MakeCallResponse
        self.clears_ok = 0         # ... answered ClearConnectionResponse
        self.sign_outs = 0         # BYEs answered 200
        self.monitor_starts = 0    # MonitorStartResponses
        self.events = 0
        self.last_sign_in = 0.0    # time.time() of the latest 200 to an INVITE
        self.monitored_at = 0.0    # time.time() of the latest MonitorStartResponse
        self.first_sign_in = {}    # user -> time of its first 200
        self.recovered_at = {}     # user -> time of its 200 after a dropped dialog

    def cause(self, what):
        self.resign_causes[what] = self.resign_causes.get(what, 0) + 1


class User:
    def __init__(self, client, index, name, line):
        self.client = client
        self.index = index
        self.name = name
        self.line = line
        self.call_id = None
        self.signed_in = False
        self.generation = 0
        self.poke = asyncio.Event()
        self.reader = self.writer = None
        self.pending = {}     # (call_id, cseq) -> future of the final answer
        self.local = None     # "127.0.0.1:port" of our end of the connection
        self.cseq = 1
        self.dropped = None   # why the last dialog ended, until the next sign-in
        self.sign_out_at = None
        self.cycles = 0       # sign-outs answered 200
        self.monitoring = False

    # --- the connection ---
    async def connect(self):
        c = self.client
        self.reader, self.writer = await asyncio.wait_for(
            asyncio.open_connection(c.host, c.port), c.timeout)
        host, port = self.writer.get_extra_info("sockname")[:2]
        self.local = "%s:%d" % (host, port)
        self.read_task = asyncio.ensure_future(self.read_loop(self.writer))

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        for f in self.pending.values():
            if not f.done():
                f.set_result(None)
        self.pending.clear()

    async def read_loop(self, writer):
        try:
            while True:
                head = await self.reader.readuntil(b"\r\n\r\n")
                head = head[:-4].decode(errors="replace")
                length = int(header(head, "Content-Length") or 0)
                body = await self.reader.readexactly(length) if length else b""
                if head.startswith("SIP/2.0 "):
                    self.on_response(head, body)
                else:
                    self.on_request(head, body, writer)
        except (asyncio.IncompleteReadError, ConnectionError, OSError, asyncio.CancelledError):
            pass
        if writer is self.writer:  # the connection was lost under us
            self.close()
            if self.signed_in:
                self.drop("connection lost")

    def on_response(self, head, body):
        code = int(head.split()[1])
        if code < 200:
            return
        cseq = header(head, "CSeq") or ""
        key = (header(head, "Call-ID"), int(cseq.split()[0]) if cseq else 0)
        f = self.pending.pop(key, None)
        if f is not None and not f.done():
            f.set_result((code, head, body))

    def on_request(self, head, body, writer):
        # RFC 3261 §8.2.6.2: the answer copies every Via, From, To, Call-ID and CSeq.
        lines = [l for l in head.split("\r\n")[1:]
                 if re.match(r"^(Via|From|To|Call-ID|CSeq):", l, re.I)]
        writer.write(("SIP/2.0 200 OK\r\n%s\r\nContent-Length: 0\r\n\r\n"
                      % "\r\n".join(lines)).encode())
        method = head.split()[0]
        if method == "INFO":
            self.client.stats.events += 1
        if method == "BYE" and header(head, "Call-ID") == self.call_id and self.signed_in:
            self.drop("BYE from the gateway")

    def send(self, data):
        if self.writer is None:
            return False
        self.writer.write(data)
        return True

    async def transaction(self, data, call_id, cseq):
        """Sends a request, returns (code, head, body), or None on timeout or a lost connection."""
        f = asyncio.get_event_loop().create_future()
        self.pending[(call_id, cseq)] = f
        if not self.send(data):
            self.pending.pop((call_id, cseq), None)
            return None
        try:
            return await asyncio.wait_for(f, self.client.timeout)
        except asyncio.TimeoutError:
            self.pending.pop((call_id, cseq), None)
            return None

    # --- messages ---
    def request(self, method, cseq, body=b"", in_dialog=True):
        c = self.client
        branch = "z9hG4bK%x" % random.getrandbits(64)
        if in_dialog:
            ruri = self.remote_target
        else:
            ruri = "sip:rcc-gw@%s:%d;transport=tcp" % (c.host, c.port)
        head = ["%s %s SIP/2.0" % (method, ruri),
                "Via: SIP/2.0/TCP %s;branch=%s;rport" % (self.local, branch),
                "From: <sip:%s@example.com>;tag=%s" % (self.name, self.tag),
                "To: <sip:rcc-gw@%s:%d>%s" % (c.host, c.port,
                                               ";tag=" + self.to_tag if in_dialog else ""),
                "Call-ID: " + self.call_id,
                "CSeq: %d %s" % (cseq, method),
                "Max-Forwards: 70"]
        if in_dialog:
            head += ["Route: " + r for r in self.route_set]
        if method in ("INVITE", "UPDATE"):
            head += ["Contact: <sip:%s@%s;transport=tcp>" % (self.name, self.local),
                     "Supported: timer"]
        if body:
            head.append("Content-Type: application/csta+xml")
        head.append("Content-Length: %d" % len(body))
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body

    # --- the user's life ---
    def drop(self, why):
        """The dialog is gone (the gateway, the balancer or the connection said so)."""
        if not self.signed_in:
            return
        self.signed_in = False
        self.monitoring = False
        self.dropped = why
        self.client.stats.cause(why)
        self.poke.set()

    async def sign_in(self):
        """Until signed in or the client stops: returns True when signed in."""
        c, st = self.client, self.client.stats
        backoff = 0.1
        while not c.stopping:
            if self.writer is None:
                try:
                    await self.connect()
                except (OSError, asyncio.TimeoutError):
                    await asyncio.sleep(backoff * (1 + random.random()))
                    backoff = min(backoff * 2, 2.0)
                    continue
            self.generation += 1
            self.call_id = "%s-%d-%x@ocs-load" % (self.name, self.generation,
                                                  random.getrandbits(32))
            self.tag = "%x" % random.getrandbits(48)
            if c.sign_in_rate:
                now = time.time()
                at = max(now, c.next_sign_in)
                c.next_sign_in = at + 1.0 / c.sign_in_rate
                await asyncio.sleep(at - now)
                if c.stopping:
                    break
            st.attempts += 1
            async with c.sign_in_slots:
                r = await self.transaction(
                    self.request("INVITE", 1, rss(self.line).encode(), in_dialog=False),
                    self.call_id, 1)
            if r is None:  # timeout or lost connection: a new connection, a new dialog
                self.close()
                await asyncio.sleep(backoff * (1 + random.random()))
                backoff = min(backoff * 2, 2.0)
                continue
            code, head, _ = r
            if code == 200:
                self.to_tag = re.search(r";tag=([^;>\s]+)", header(head, "To")).group(1)
                contact = re.search(r"<([^>]+)>", header(head, "Contact") or "")
                self.remote_target = (contact.group(1) if contact
                                      else "sip:rcc-gw@%s:%d" % (c.host, c.port))
                self.route_set = list(reversed(headers(head, "Record-Route")))
                self.cseq = 1
                ack = self.request("ACK", 1)
                self.send(ack)
                self.signed_in = True
                now = time.time()
                st.sign_ins += 1
                st.last_sign_in = now
                st.first_sign_in.setdefault(self.name, now)
                if self.dropped is not None:
                    st.resigns += 1
                    st.recovered_at[self.name] = now
                    self.dropped = None
                se = header(head, "Session-Expires")
                self.refresh_at = None
                if se and re.match(r"\d+", se):
                    self.session_interval = int(re.match(r"\d+", se).group(0))
                    self.refresh_at = time.time() + self.session_interval / 2
                return True
            # A negative answer ends the INVITE transaction: ACK it hop by hop (same branch).
            via = header(head, "Via")
            self.send(("ACK sip:rcc-gw@%s:%d;transport=tcp SIP/2.0\r\nVia: %s\r\n"
                       "From: <sip:%s@example.com>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\n"
                       "CSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
                       % (c.host, c.port, via, self.name, self.tag, header(head, "To"),
                          self.call_id)).encode())
            if code == 503:
                ra = header(head, "Retry-After")
                if ra and re.match(r"\d+", ra):
                    st.busy += 1
                    seconds = int(re.match(r"\d+", ra).group(0))
                    st.retry_after[seconds] = st.retry_after.get(seconds, 0) + 1
                    wait = seconds * c.retry_after_scale
                else:
                    st.busy_without_retry_after += 1
                    wait = backoff
                await asyncio.sleep(wait * (0.8 + 0.4 * random.random()))
                continue
            st.other_refusals[code] = st.other_refusals.get(code, 0) + 1
            await asyncio.sleep(backoff * (1 + random.random()))
            backoff = min(backoff * 2, 2.0)
        return False

    async def in_dialog(self, method, body=b""):
        r = await self.in_dialog_answer(method, body)
        return r[0] if r else None

    async def in_dialog_answer(self, method, body=b""):
        """A request in the dialog: (code, head, body) of its answer, or None."""
        self.cseq += 1
        cseq = self.cseq
        r = await self.transaction(self.request(method, cseq, body), self.call_id, cseq)
        if r is None:
            self.drop("no answer" if self.writer is not None else "connection lost")
            return None
        code = r[0]
        if code in RESIGN_CODES or code >= 500:
            self.drop("%d" % code)
        return r

    async def call_and_clear(self):
        """MakeCall; with clear_calls, the call is cleared again a moment later (the caller
        hangs up), so that calls do not pile up at the call manager."""
        c = self.client
        c.stats.dials += 1
        r = await self.in_dialog_answer("INFO", make_call(self.line, c.called).encode())
        if not r or r[0] != 200:
            return
        c.stats.dials_ok += 1
        if not c.clear_calls:
            return
        m = re.search(rb"<callingDevice>\s*<callID>([^<]+)</callID>\s*<deviceID[^>]*>([^<]+)"
                      rb"</deviceID>", r[2])
        if not m:
            return  # a CSTA error (the line busy, the node lost): no call to clear
        # Not cut short by stop(): a call left behind would stay at the call manager.
        await asyncio.sleep(random.uniform(*c.call_hold))
        if not self.signed_in:
            return
        c.stats.clears += 1
        body = ("<ClearConnection %s><connectionToBeCleared><callID>%s</callID><deviceID>%s"
                "</deviceID></connectionToBeCleared></ClearConnection>"
                % (NS, m.group(1).decode(), m.group(2).decode())).encode()
        r = await self.in_dialog_answer("INFO", body)
        if r and r[0] == 200 and b"ClearConnectionResponse" in r[2]:
            c.stats.clears_ok += 1

    async def start_monitor(self):
        """MonitorStart on the line, as Communicator does right after signing in; a CSTA error
        (the node busy or lost) is tried again after a backoff."""
        c = self.client
        backoff = 0.2
        while self.signed_in and not c.stopping:
            self.cseq += 1
            cseq = self.cseq
            body = monitor_start(self.line).encode()
            r = await self.transaction(self.request("INFO", cseq, body), self.call_id, cseq)
            if r is None:
                self.drop("no answer" if self.writer is not None else "connection lost")
                return
            if r[0] in RESIGN_CODES or r[0] >= 500:
                self.drop("%d" % r[0])
                return
            if b"MonitorStartResponse" in r[2]:
                self.monitoring = True
                c.stats.monitor_starts += 1
                c.stats.monitored_at = time.time()
                return
            c.stats.monitor_errors += 1
            await asyncio.sleep(backoff * (0.5 + random.random()))
            backoff = min(backoff * 2, 2.0)

    async def run(self):
        c = self.client
        signed_out = False  # the last dialog ended by our own sign-out (the soak's cycle)
        while not c.stopping:
            if not self.signed_in:
                if signed_out:
                    await asyncio.sleep(random.uniform(*c.pause))
                    signed_out = False
                    if c.stopping:
                        break
                # Communicator waits a moment before it signs in again (spread, so that the users
                # of a lost gateway do not return as one wave).
                elif self.generation:
                    await asyncio.sleep(c.resign_backoff * (0.5 + random.random()))
                if not await self.sign_in():
                    break
                self.sign_out_at = time.time() + random.uniform(*c.hold) if c.hold else None
                if c.monitor:
                    await self.start_monitor()
                continue
            wait = c.dial_interval * (0.5 + random.random()) if c.dial_interval else None
            for at in (self.refresh_at, self.sign_out_at):
                if at is not None:
                    left = max(0.0, at - time.time())
                    wait = left if wait is None else min(wait, left)
            try:
                await asyncio.wait_for(self.poke.wait(), wait)
            except asyncio.TimeoutError:
                pass
            if c.stopping or not self.signed_in:
                continue
            if self.sign_out_at is not None and time.time() >= self.sign_out_at:
                await self.sign_out()
                signed_out = True
                continue
            if self.refresh_at is not None and time.time() >= self.refresh_at:
                self.refresh_at = None
                code = await self.in_dialog("UPDATE")
                if code == 200:
                    c.stats.refreshes += 1
                    # The 200 carries the interval again: refresh at half of it.
                    self.refresh_at = time.time() + self.session_interval / 2
                continue
            self.poke.clear()
            await self.call_and_clear()

    async def sign_out(self):
        if self.signed_in and self.writer is not None:
            self.signed_in = False
            self.monitoring = False
            self.cseq += 1
            r = await self.transaction(self.request("BYE", self.cseq), self.call_id, self.cseq)
            if r and r[0] == 200:
                self.client.stats.sign_outs += 1
                self.cycles += 1
        self.close()


class Client:
    """Users u0000.. on lines tel:BASE+i; `host:port` is the balancer (or one gateway)."""

    def __init__(self, host, port, users, timeout=20.0, dial_interval=0.0,
                 retry_after_scale=1.0, resign_backoff=0.3, max_concurrent_sign_ins=200,
                 called="tel:0612345678;phone-context=dialstring", monitor=False,
                 hold=None, pause=(1.0, 5.0), clear_calls=False, call_hold=(0.5, 2.0),
                 sign_in_rate=None):
        self.monitor = monitor
        self.hold, self.pause = hold, pause
        self.clear_calls, self.call_hold = clear_calls, call_hold
        self.sign_in_rate = sign_in_rate
        self.next_sign_in = 0.0  # with sign_in_rate: the earliest time of the next INVITE
        self.host, self.port = host, port
        self.timeout = timeout
        self.dial_interval = dial_interval
        self.retry_after_scale = retry_after_scale
        self.resign_backoff = resign_backoff
        self.called = called
        self.stopping = False
        self.stats = Stats()
        self.sign_in_slots = asyncio.Semaphore(max_concurrent_sign_ins)
        self.users = [User(self, i, name, line) for i, (name, line) in enumerate(users)]
        self.tasks = []

    def start(self):
        self.tasks = [asyncio.ensure_future(u.run()) for u in self.users]

    def signed_in(self):
        return sum(u.signed_in for u in self.users)

    def monitoring(self):
        return sum(u.monitoring for u in self.users)

    def poke_all(self):
        for u in self.users:
            u.poke.set()

    async def wait(self, predicate, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if predicate():
                return True
            await asyncio.sleep(0.05)
        return predicate()

    async def stop(self, sign_out=True, drain=0.0):
        """Stops every user (signing them out with `sign_out`); with `drain`, first waits up to
        that many seconds for each user to finish what it is doing (a call being cleared)."""
        self.stopping = True
        self.poke_all()
        if drain and self.tasks:
            await asyncio.wait(self.tasks, timeout=drain)
        if sign_out:
            await asyncio.gather(*(u.sign_out() for u in self.users), return_exceptions=True)
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for u in self.users:
            u.close()


def directory(path, count, base=7000, password="rcc-test-password"):
    """Writes a directory file of `count` users (one device and line each); returns their
    (name, line URI) pairs."""
    users = []
    with open(path, "w") as f:
        for i in range(count):
            dn = base + i
            f.write('[[device]]\nname = "SEP%012d"\nmodel = "Cisco 7975"\nregistered = true\n'
                    'lines = [{ dn = "%d" }]\n\n' % (dn, dn))
            f.write('[[user]]\nid = "u%05d"\nrcc-enabled = true\n'
                    'line-uri = "tel:%d;phone-context=dialstring"\ndevices = ["SEP%012d"]\n\n'
                    % (i, dn, dn))
            users.append(("u%05d" % i, "tel:%d;phone-context=dialstring" % dn))
        f.write('[[application-user]]\nid = "rccgateway"\npassword = "%s"\n'
                'groups = ["Standard CTI Enabled", "Standard CTI Allow Control of All Devices"]\n'
                % password)
    return users
