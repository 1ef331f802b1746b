#!/usr/bin/env python3
"""bench/gateway: a minimal, fast CTI node for gateway_bench.py (the default --cti bench).

rcc-ctisim looks up an existing monitor by scanning every monitor of the application session
(common/ctisim/world.cc, World::handle, MonitorStart), and the gateway puts all its monitors on
one session per node: 100,000 sign-ins cost the simulator O(n^2), so the simulator, not the
gateway, sets the pace from about 10,000 sessions on. This node answers what the benchmark sends,
in the frames and XML rcc-ctisim sends, with O(1) work per request:

  ECMA-354 StartApplicationSession, ResetApplicationSessionTimer, StopApplicationSession;
  MonitorStart (any device; one crossRefID per device), MonitorStop;
  MakeCall (response, then ServiceInitiated, Originated, Delivered on the caller's monitor),
  ClearConnection (response, then ConnectionCleared for each party);
  anything else: CSTAErrorCode operation/serviceNotSupported.

No directory, no call model beyond that, no password check: a stand-in for a call manager that
keeps up, so that the gateway's own costs show. Framing: ECMA-323 Annex J (2 bytes 0, 2 bytes
length including the 8-byte header, 4 ASCII digits invoke ID; 9999 for events).

  cti_node.py [--listen 127.0.0.1:0]   prints "cti 127.0.0.1:PORT", runs until SIGTERM/SIGINT.
"""
import argparse
import re
import selectors
import signal
import socket
import sys

CSTA = "http://www.ecma-international.org/standards/ecma-323/csta/ed3"
ASN = "http://www.ecma-international.org/standards/ecma-354/appl_session"
EVENT = 9999
ROOT = re.compile(rb"<(\w+)[\s/>]")


def frame(invoke, xml):
    data = xml.encode()
    return (len(data) + 8).to_bytes(4, "big") + b"%04d" % invoke + data


def field(xml, name):
    m = re.search(rb"<%s>([^<]*)</%s>" % (name, name), xml)
    return m.group(1).decode() if m else ""


class Node:
    def __init__(self):
        self.monitor_of_device = {}  # device -> crossRefID
        self.device_of_monitor = {}
        self.calls = {}  # callID -> (calling, called)
        self.next_xref = 1
        self.next_call = 1

    def handle(self, invoke, xml):
        m = ROOT.search(xml)
        root = m.group(1).decode() if m else ""
        out = []
        if root == "StartApplicationSession":
            duration = field(xml, b"requestedSessionDuration") or "180"
            out.append(frame(invoke, f'<StartApplicationSessionPosResponse xmlns="{ASN}">'
                                     '<sessionID>BENCH-1</sessionID><actualProtocolVersion>'
                                     f'{CSTA}</actualProtocolVersion><actualSessionDuration>'
                                     f'{duration}</actualSessionDuration>'
                                     '</StartApplicationSessionPosResponse>'))
        elif root == "ResetApplicationSessionTimer":
            duration = field(xml, b"requestedSessionDuration") or "180"
            out.append(frame(invoke, f'<ResetApplicationSessionTimerPosResponse xmlns="{ASN}">'
                                     f'<actualSessionDuration>{duration}</actualSessionDuration>'
                                     '</ResetApplicationSessionTimerPosResponse>'))
        elif root == "StopApplicationSession":
            out.append(frame(invoke, f'<StopApplicationSessionPosResponse xmlns="{ASN}"/>'))
        elif root == "MonitorStart":
            device = field(xml, b"deviceObject")
            xref = self.monitor_of_device.get(device)
            if xref is None:
                xref = str(self.next_xref)
                self.next_xref += 1
                self.monitor_of_device[device] = xref
                self.device_of_monitor[xref] = device
            out.append(frame(invoke, f'<MonitorStartResponse xmlns="{CSTA}"><monitorCrossRefID>'
                                     f'{xref}</monitorCrossRefID></MonitorStartResponse>'))
        elif root == "MonitorStop":
            xref = field(xml, b"monitorCrossRefID")
            device = self.device_of_monitor.pop(xref, None)
            if device is not None:
                self.monitor_of_device.pop(device, None)
            out.append(frame(invoke, f'<MonitorStopResponse xmlns="{CSTA}"/>'))
        elif root == "MakeCall":
            a, b = field(xml, b"callingDevice"), field(xml, b"calledDirectoryNumber")
            call = str(self.next_call)
            self.next_call += 1
            self.calls[call] = (a, b)
            out.append(frame(invoke, f'<MakeCallResponse xmlns="{CSTA}"><callingDevice><callID>'
                                     f'{call}</callID><deviceID>{a}</deviceID></callingDevice>'
                                     '</MakeCallResponse>'))
            x = self.monitor_of_device.get(a)
            if x:
                out.append(frame(EVENT, f'<ServiceInitiatedEvent xmlns="{CSTA}">'
                                        f'<monitorCrossRefID>{x}</monitorCrossRefID>'
                                        f'<initiatedConnection><callID>{call}'
                                        f'</callID><deviceID>{a}</deviceID></initiatedConnection>'
                                        f'<initiatingDevice><deviceIdentifier>{a}</deviceIdentifier>'
                                        '</initiatingDevice><localConnectionInfo>initiated'
                                        '</localConnectionInfo><cause>makeCall</cause>'
                                        '</ServiceInitiatedEvent>'))
                out.append(frame(EVENT, f'<OriginatedEvent xmlns="{CSTA}"><monitorCrossRefID>{x}'
                                        f'</monitorCrossRefID><originatedConnection><callID>{call}'
                                        f'</callID><deviceID>{a}</deviceID></originatedConnection>'
                                        f'<callingDevice><deviceIdentifier>{a}</deviceIdentifier>'
                                        f'</callingDevice><calledDevice><deviceIdentifier>{b}'
                                        '</deviceIdentifier></calledDevice><localConnectionInfo>'
                                        'connected</localConnectionInfo><cause>makeCall</cause>'
                                        '</OriginatedEvent>'))
                out.append(frame(EVENT, f'<DeliveredEvent xmlns="{CSTA}"><monitorCrossRefID>{x}'
                                        f'</monitorCrossRefID><connection><callID>{call}</callID>'
                                        f'<deviceID>{b}</deviceID></connection><alertingDevice>'
                                        f'<deviceIdentifier>{b}</deviceIdentifier></alertingDevice>'
                                        f'<callingDevice><deviceIdentifier>{a}</deviceIdentifier>'
                                        f'</callingDevice><calledDevice><deviceIdentifier>{b}'
                                        '</deviceIdentifier></calledDevice><lastRedirectionDevice>'
                                        '<notRequired/></lastRedirectionDevice><localConnectionInfo>'
                                        'connected</localConnectionInfo><cause>newCall</cause>'
                                        '</DeliveredEvent>'))
        elif root == "ClearConnection":
            call = field(xml, b"callID")
            parties = self.calls.pop(call, None)
            if parties is None:
                out.append(frame(invoke, f'<CSTAErrorCode xmlns="{CSTA}"><operation>invalidCallID'
                                         '</operation></CSTAErrorCode>'))
            else:
                out.append(frame(invoke, f'<ClearConnectionResponse xmlns="{CSTA}"/>'))
                x = self.monitor_of_device.get(parties[0])
                if x:
                    for d in parties:
                        out.append(frame(EVENT, f'<ConnectionClearedEvent xmlns="{CSTA}">'
                                                f'<monitorCrossRefID>{x}</monitorCrossRefID>'
                                                f'<droppedConnection><callID>{call}</callID>'
                                                f'<deviceID>{d}</deviceID></droppedConnection>'
                                                f'<releasingDevice><deviceIdentifier>{d}'
                                                '</deviceIdentifier></releasingDevice>'
                                                '<localConnectionInfo>null</localConnectionInfo>'
                                                '<cause>normalClearing</cause>'
                                                '</ConnectionClearedEvent>'))
        else:
            out.append(frame(invoke, f'<CSTAErrorCode xmlns="{CSTA}"><operation>serviceNotSupported'
                                     '</operation></CSTAErrorCode>'))
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", default="127.0.0.1:0")
    args = ap.parse_args()
    host, port = args.listen.rsplit(":", 1)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, int(port)))
    listener.listen(16)
    listener.setblocking(False)
    print(f"cti {host}:{listener.getsockname()[1]}", flush=True)

    node = Node()
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, None)
    buffers, pending = {}, {}
    running = [True]

    def stop(*_):
        running[0] = False
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def close(conn):
        sel.unregister(conn)
        conn.close()
        buffers.pop(conn, None)
        pending.pop(conn, None)

    def flush(conn):
        data = pending.get(conn)
        while data:
            try:
                sent = conn.send(data)
            except BlockingIOError:
                break
            except OSError:
                close(conn)
                return
            data = data[sent:]
        pending[conn] = data
        sel.modify(conn, selectors.EVENT_READ | (selectors.EVENT_WRITE if data else 0), "peer")

    while running[0]:
        for key, events in sel.select(timeout=0.5):
            if key.data is None:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                buffers[conn], pending[conn] = b"", b""
                sel.register(conn, selectors.EVENT_READ, "peer")
                continue
            conn = key.fileobj
            if events & selectors.EVENT_WRITE:
                flush(conn)
                if conn not in buffers:
                    continue
            if not events & selectors.EVENT_READ:
                continue
            try:
                chunk = conn.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                close(conn)
                continue
            buf = buffers[conn] + chunk
            out = []
            while len(buf) >= 8:
                length = int.from_bytes(buf[0:4], "big")
                if length < 8 or length > 65535:
                    out = None
                    break
                if len(buf) < length:
                    break
                invoke = int(buf[4:8]) if buf[4:8].isdigit() else 0
                out += node.handle(invoke, buf[8:length])
                buf = buf[length:]
            if out is None:
                close(conn)
                continue
            buffers[conn] = buf
            if out:
                pending[conn] += b"".join(out)
                flush(conn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
