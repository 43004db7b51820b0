"""Hostile peers for tests/peer_exchange.c's "hostile" mode: a peer that
pauses inside a value, one that sends a value a byte at a time, one that
nests objects 10,000 deep, and one that floods the object map.

The C program connects once per scenario and names it by the first byte it
sends; the peer answers with that scenario's bytes, each piece at its time
(seconds after the command came), then waits for the C side to hang up.
Every connection has its own thread, so a peer still dribbling to a C read
that has already given up never delays the next scenario.

The bytes come from mfc_archive.py's Writer (MFC's format, written
independently of mfcsock). Run alone (slow_peer.py [port]) it serves until
interrupted, for trying peer_exchange.exe by hand.
"""
import os
import socket
import socketserver
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mfc_archive import Writer  # noqa: E402
from run_exchange import CPoint  # noqa: E402

TIMEOUT = 60
TRAILER = b"\x7e"   # after a value C must read whole: it reads this next


def u64(v):
    w = Writer()
    w.u64(v)
    return w.bytes()


def string_a(b):
    w = Writer()
    w.string_a(b)
    return w.bytes()


class CNode:
    """tests/node_class.h's tree class (schema 0): a byte saying whether a child
    follows, then the child object."""

    def __init__(self, has_child):
        self.has_child = has_child

    def serialize(self, w):
        w.u8(1 if self.has_child else 0)


class CEmpty:
    """test_hostile.c's map-flood class (schema 0): no fields."""

    def serialize(self, w):
        pass


def chain(depth):
    """depth CNodes, each the child of the one before. A node's child comes
    right after its "has a child" byte, so writing the nodes one after the
    other gives the nested chain's bytes without recursing depth deep: the
    class record once, then per level a class reference (01 80) and the byte."""
    nodes = [CNode(i + 1 < depth) for i in range(depth)]   # alive: Writer keys objects by id()
    w = Writer()
    for n in nodes:
        w.write_object(n, "CNode", schema=0)
    return w.bytes()


def class_flood(n):
    """n new CEmpty objects: the class record, then n - 1 class references
    of two bytes, each a new object (and a new entry in the reader's map)."""
    objects = [CEmpty() for _ in range(n)]
    w = Writer()
    for o in objects:
        w.write_object(o, "CEmpty", schema=0)
    return w.bytes()


def back_reference_flood(n):
    """One CEmpty object, then n two-byte back references to it (02 00):
    MFC's reader maps nothing for a back reference."""
    o = CEmpty()
    w = Writer()
    for _ in range(n + 1):
        w.write_object(o, "CEmpty", schema=0)
    return w.bytes()


def paused(data, first, pause):
    """data[:first] at once, the rest after pause seconds."""
    return [(0, data[:first]), (pause, data[first:] + TRAILER)]


def dribbled(data, first, every):
    """data[:first] at once, then one byte every `every` seconds."""
    rest = data[first:]
    return [(0, data[:first])] + [(every * (i + 1), rest[i:i + 1]) for i in range(len(rest))]


def point_record(x, y):
    w = Writer()
    w.write_object(CPoint(x, y))
    return w.bytes()


# command byte -> (what the peer does, its schedule: [(seconds, bytes)]).
# Built on first use (the floods take a moment).
def scenarios():
    point = point_record(-7, 123456789)
    return {
        # 1. pauses inside a value, past C's 1 s timeout or its cancel
        b"u": ("u64: 01, a 1.5 s pause, 02..08", paused(u64(0x0807060504030201), 1, 1.5)),
        b"s": ("CString: 05 'ab', a 1.5 s pause, 'cde'", paused(string_a(b"abcde"), 3, 1.5)),
        b"c": ("u64: 11, a 1.5 s pause, 22..88 (C cancels)", paused(u64(0x8877665544332211), 1, 1.5)),
        # 2. a byte at a time, each byte well inside C's 1 s timeout
        b"U": ("u64 one byte per 400 ms", dribbled(u64(0x0807060504030201), 1, 0.4)),
        b"S": ("12-character CString one byte per 300 ms", dribbled(string_a(b"hello world!"), 1, 0.3)),
        # the class record and x's first byte at once, then a byte per
        # 200 ms: x is whole at 0.6 s, y at 1.4 s; each value alone
        # arrives within 0.8 s, the whole object takes 1.4 s.
        b"O": ("CPoint object, its 8 bytes one per 200 ms",
               dribbled(point + TRAILER, len(point) - 7, 0.2)),
        # 3. nesting
        b"N": ("10,000 nested CNodes", [(0, chain(10000))]),
        b"6": ("64 nested CNodes", [(0, chain(64) + TRAILER)]),
        b"7": ("65 nested CNodes", [(0, chain(65))]),
        # 4. the object map
        b"F": ("150,000 CEmpty objects: a class record, then class references", [(0, class_flood(150000))]),
        b"B": ("one CEmpty, then 150,000 back references to it",
               [(0, back_reference_flood(150000) + TRAILER)]),
    }


def play(conn, schedule):
    """Sends each piece at its time; False when C hung up first (as it does
    once its read has timed out)."""
    start = time.monotonic()
    try:
        for at, data in schedule:
            delay = start + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            conn.sendall(data)
    except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
        return False
    return True


def drain(conn):
    """Keeps the connection open until C closes it: an early end of stream
    would let a read fail for another reason than the one tested."""
    try:
        while conn.recv(4096):
            pass
    except (ConnectionResetError, ConnectionAbortedError):
        pass


class SlowPeer:
    """Serves the scenarios on 127.0.0.1 (port 0: any) until stop()."""

    def __init__(self, port=0):
        self.scenarios = scenarios()
        self.served = {cmd: 0 for cmd in self.scenarios}
        self.problems = []       # (name, detail): failed checks of the peer itself
        self.lock = threading.Lock()
        peer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                peer.serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = False   # server_close() waits for each connection's thread
            block_on_close = True

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self.port

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def problem(self, name, detail):
        with self.lock:
            self.problems.append((name, detail))

    def serve(self, conn):
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # a 1-byte piece goes at once
        conn.settimeout(TIMEOUT)
        try:
            cmd = conn.recv(1)
            if cmd not in self.scenarios:
                self.problem("command byte", "got %r" % cmd)
                return
            with self.lock:
                self.served[cmd] += 1
            play(conn, self.scenarios[cmd][1])
            drain(conn)
        except Exception as e:  # noqa: BLE001 - reported as a failed check
            self.problem("serving a connection", repr(e))
        finally:
            conn.close()


def main():
    peer = SlowPeer(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print("port %d" % peer.start(), flush=True)
    for cmd, (what, _) in sorted(peer.scenarios.items()):
        print("  %s  %s" % (cmd.decode(), what))
    try:
        peer.thread.join()
    except KeyboardInterrupt:
        peer.stop()


if __name__ == "__main__":
    main()
