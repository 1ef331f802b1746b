"""A small OCS-side SIP client for the gateway tests (hostile_test.py, failover_test.py): builds
uaCSTA requests, reads whole messages off a TCP connection, answers the gateway's event INFOs."""
import re
import socket

NS = 'xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3"'
LCS = 'xmlns:lcs="http://schemas.microsoft.com/Lcs/2005/04/RCCExtension"'


def request(method, call_id, cseq, body="", to_tag="", user="alice", branch=None):
    branch = branch or "z9hG4bK%s%d%s" % (method, cseq, call_id)
    head = [
        "%s sip:rcc-gw@127.0.0.1 SIP/2.0" % method,
        "Via: SIP/2.0/TCP 127.0.0.1:9;branch=%s" % branch,
        "From: <sip:%s@example.com>;tag=f-%s" % (user, call_id),
        "To: <sip:rcc-gw@127.0.0.1>" + (";tag=" + to_tag if to_tag else ""),
        "Call-ID: " + call_id,
        "CSeq: %d %s" % (cseq, method),
        "Contact: <sip:ocs@127.0.0.1:9;transport=tcp>",
        "Max-Forwards: 70",
    ]
    if method == "INVITE":
        head.append("Supported: timer")
    if body:
        head.append("Content-Type: application/csta+xml")
    data = body.encode() if isinstance(body, str) else body
    head.append("Content-Length: %d" % len(data))
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def read_message(self, timeout=10):
        """The next SIP message, or None when the gateway closed the connection."""
        self.s.settimeout(timeout)
        while True:
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end >= 0:
                head = self.buf[:head_end].decode(errors="replace")
                m = re.search(r"^Content-Length:\s*(\d+)", head, re.M | re.I)
                length = int(m.group(1)) if m else 0
                if len(self.buf) >= head_end + 4 + length:
                    body = self.buf[head_end + 4:head_end + 4 + length]
                    self.buf = self.buf[head_end + 4 + length:]
                    return head, body
            try:
                chunk = self.s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                return None
            if not chunk:
                return None
            self.buf += chunk

    def final(self, timeout=10):
        """The first final response (provisional ones skipped), or None."""
        while True:
            m = self.read_message(timeout)
            if m is None or not m[0].startswith("SIP/2.0 1"):
                return m


def status(m):
    return int(m[0].split()[1]) if m and m[0].startswith("SIP/2.0") else None


def rss(line):
    """RequestSystemStatus with Microsoft's lcs:line."""
    return "<?xml version=\"1.0\"?><RequestSystemStatus %s><extensions><privateData><private>" \
           "<lcs:line %s>%s</lcs:line></private></privateData></extensions>" \
           "</RequestSystemStatus>" % (NS, LCS, line)




def answer(conn, message):
    """200 OK to a request the gateway sent (an event INFO, a BYE)."""
    head = message[0]
    via = re.search(r"^Via: ([^\r\n]*)", head, re.M).group(1)
    rest = "".join("%s\r\n" % l for l in head.split("\r\n")
                   if re.match(r"^(From|To|Call-ID|CSeq):", l))
    conn.send(("SIP/2.0 200 OK\r\nVia: %s\r\n%sContent-Length: 0\r\n\r\n" % (via, rest)).encode())


def response(conn, timeout=10, events=None):
    """The next final response on `conn`; requests from the gateway meanwhile are answered (and
    appended to `events`). None when the connection closed."""
    while True:
        m = conn.read_message(timeout)
        if m is None:
            return None
        if m[0].startswith("SIP/2.0 1"):
            continue
        if m[0].startswith("SIP/2.0"):
            return m
        answer(conn, m)
        if events is not None:
            events.append(m)


def monitor_start(line):
    return ("<MonitorStart %s><monitorObject><deviceObject>%s</deviceObject></monitorObject>"
            "</MonitorStart>" % (NS, line))


def make_call(line, to):
    return ("<MakeCall %s><callingDevice>%s</callingDevice><calledDirectoryNumber>%s"
            "</calledDirectoryNumber><autoOriginate>doNotPrompt</autoOriginate></MakeCall>"
            % (NS, line, to))


def to_tag(message):
    return re.search(r"^To:.*;tag=([^;\s]+)", message[0], re.M).group(1)
