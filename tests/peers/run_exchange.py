"""A peer outside Wine exchanging MFC archives with a Wine-run mfcsock
program (tests/peer_exchange.c), over loopback TCP, both ways:

  1. Python listens; the C program connects (CSocket client), sends the
     "request" archive, and reads the "reply" archive Python sends back.
  2. The C program listens and prints its port; Python connects, sends the
     request, and reads the reply from C.
  3. Python listens; the C program connects again and again, and each time
     Python sends part of a value (3 bytes of a u64, or a string that
     announces 100 bytes and has 10) and resets the connection (SO_LINGER 0:
     a reset Wine cannot fake from the Windows side). C checks what its
     archive and its async socket report against what Winsock's own sockets
     report for the same reset, and prints a "check ok|FAIL" line for each.

The archive bytes on the Python side come from tests/peers/mfc_archive.py,
written from MFC's rules independently of mfcsock's codec.

Usage: run_exchange.py <runner> <peer_exchange.exe>   (runner: cmake/wine-run.sh,
or "" on Windows). Prints one line per check and "N passed, N failed".
"""
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mfc_archive import Reader, Writer  # noqa: E402

TIMEOUT = 60


class CPoint:
    """tests/point_class.h's class: two LONGs, schema 1."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def serialize(self, w):
        w.i32(self.x)
        w.i32(self.y)


def report(results):
    """Prints one line per (name, ok, why) and "N passed, N failed";
    returns the exit code."""
    failed = 0
    for name, ok, why in results:
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, "" if ok else ": " + why))
        failed += not ok
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


def read_point(r, schema):
    return CPoint(r.i32(), r.i32())


CLASSES = {"CPoint": (1, read_point)}


def request_bytes():
    """What both sides send as the request: every primitive, the count and
    string length escapes, a text line, objects with back references."""
    w = Writer()
    w.u8(0xAB); w.i8(-5); w.u16(0x1234); w.i16(-2)
    w.u32(0xDEADBEEF); w.i32(-2); w.u64(0x0102030405060708); w.i64(-3)
    w.f32(-2.5); w.f64(1.0); w.boolean(True)
    w.count(70000)
    w.string_a(b"hello")
    w.string_w("wide \u2713")
    w.string_a(b"x" * 300)
    w.raw(b"line one\r\n")
    p1, p2 = CPoint(1, 2), CPoint(3, 4)
    w.write_object(p1); w.write_object(p2); w.write_object(p1); w.write_object(None)
    w.count(3)
    for s in (b"a", b"bc", b"def"):
        w.string_a(s)
    return w.bytes()


def reply_bytes():
    w = Writer()
    w.u32(2)                               # distinct points seen
    w.string_w("sum \U0001F600")           # a surrogate pair
    w.write_object(CPoint(4, 6))           # the sum, as a new object
    return w.bytes()


def check_request(data, results, who):
    """Parse a request with the independent reader and compare each field."""
    r = Reader(data, CLASSES)
    want = [
        ("u8", r.u8, 0xAB), ("i8", r.i8, -5), ("u16", r.u16, 0x1234), ("i16", r.i16, -2),
        ("u32", r.u32, 0xDEADBEEF), ("i32", r.i32, -2), ("u64", r.u64, 0x0102030405060708),
        ("i64", r.i64, -3), ("f32", r.f32, -2.5), ("f64", r.f64, 1.0), ("bool", r.boolean, True),
        ("count", r.count, 70000),
        ("CStringA", r.string, (False, b"hello")),
        ("CStringW", r.string, (True, "wide \u2713")),
        ("CStringA 300", r.string, (False, b"x" * 300)),
        ("line", lambda: r.take(10), b"line one\r\n"),
    ]
    for name, fn, expect in want:
        got = fn()
        results.append((who + " " + name, got == expect, "got %r, want %r" % (got, expect)))
    p1, p2, p1b, null = (r.read_object() for _ in range(4))
    results.append((who + " objects", (p1.x, p1.y, p2.x, p2.y) == (1, 2, 3, 4),
                    "got %r" % ((p1.x, p1.y, p2.x, p2.y),)))
    results.append((who + " back reference", p1b is p1, "a second copy, not the same object"))
    results.append((who + " NULL reference", null is None, "got %r" % (null,)))
    n = r.count()
    items = [r.string()[1] for _ in range(n)]
    results.append((who + " string array", items == [b"a", b"bc", b"def"], "got %r" % (items,)))
    results.append((who + " nothing left over", r.remaining() == 0, "%d bytes left" % r.remaining()))


def recv_exactly(conn, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError("peer closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return bytes(buf)


def serve_one(conn, results, who):
    """Receive a request (its length is known: the same bytes we would send),
    check it field by field, answer with the reply."""
    conn.settimeout(TIMEOUT)
    data = recv_exactly(conn, len(request_bytes()))
    results.append((who + " request bytes equal MFC's", data == request_bytes(),
                    "first difference at %d" % next((i for i, (a, b) in enumerate(zip(data, request_bytes())) if a != b), -1)))
    check_request(data, results, who)
    conn.sendall(reply_bytes())


def partial_values():
    """What the reset peer sends for each command byte before it resets:
    'u' the first 3 of a u64's 8 bytes, 's' a CStringA's length prefix (100)
    and 10 of its bytes, 'c' nothing."""
    w = Writer()
    w.u64(0x0102030405060708)
    u64 = w.bytes()[:3]
    w = Writer()
    w.string_a(b"y" * 100)
    string = w.bytes()[:11]
    return {b"u": u64, b"s": string, b"c": b""}


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def serve_resets(srv, proc, results):
    """Answers the C program's connections until it exits: each sends one
    command byte, gets part of a value, then a reset."""
    parts = partial_values()
    served = {b"u": 0, b"s": 0, b"c": 0}
    srv.settimeout(1)
    deadline = time.monotonic() + TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        conn.settimeout(TIMEOUT)
        cmd = conn.recv(1)
        if cmd not in parts:
            results.append(("python-reset: command byte", False, "got %r" % cmd))
            conn.close()
            continue
        conn.sendall(parts[cmd])
        # Time for C to take these bytes and wait for the rest, so the reset
        # comes in the middle of the value (the outcome must not depend on it).
        time.sleep(0.3)
        reset(conn)
        served[cmd] += 1
    results.append(("python-reset: C came for every scenario", all(served.values()),
                    "connections per command: %r" % served))


def run_program(runner, exe, args):
    cmd = ([runner] if runner else []) + [exe] + args
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def main():
    runner, exe = sys.argv[1], sys.argv[2]
    results = []

    # 1. Python serves, C connects.
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(TIMEOUT)
    port = srv.getsockname()[1]
    proc = run_program(runner, exe, ["client", str(port)])
    try:
        conn, _ = srv.accept()
        with conn:
            serve_one(conn, results, "python-server:")
            out, _ = proc.communicate(timeout=TIMEOUT)
    except Exception as e:  # noqa: BLE001 - any failure is a failed check
        proc.kill()
        out = proc.communicate()[0]
        results.append(("python-server: exchange", False, repr(e)))
    finally:
        srv.close()
    sys.stdout.write(out)
    results.append(("C client verified the reply", proc.returncode == 0, "exit code %s" % proc.returncode))

    # 2. C serves, Python connects and sends the same request.
    proc = run_program(runner, exe, ["server"])
    try:
        line = proc.stdout.readline()
        sys.stdout.write(line)
        cport = int(line.split()[-1])
        with socket.create_connection(("127.0.0.1", cport), timeout=TIMEOUT) as c:
            c.sendall(request_bytes())
            got = recv_exactly(c, len(reply_bytes()))
            results.append(("C server's reply bytes equal MFC's", got == reply_bytes(),
                            "got %s" % got.hex(" ")))
        out, _ = proc.communicate(timeout=TIMEOUT)
        sys.stdout.write(out)
    except Exception as e:  # noqa: BLE001
        proc.kill()
        sys.stdout.write(proc.communicate()[0])
        results.append(("C server: exchange", False, repr(e)))
    results.append(("C server verified the request", proc.returncode == 0, "exit code %s" % proc.returncode))

    # 3. Python resets in the middle of a value.
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    proc = run_program(runner, exe, ["reset", str(srv.getsockname()[1])])
    try:
        serve_resets(srv, proc, results)
        out, _ = proc.communicate(timeout=TIMEOUT)
    except Exception as e:  # noqa: BLE001
        proc.kill()
        out = proc.communicate()[0]
        results.append(("python-reset: exchange", False, repr(e)))
    finally:
        srv.close()
    checks = 0
    for line in out.splitlines():
        words = line.split(" ", 2)
        if len(words) == 3 and words[0] == "check" and words[1] in ("ok", "FAIL"):
            name, _, why = words[2].partition(" -- ")
            results.append(("C reset " + name, words[1] == "ok", why))
            checks += 1
        else:
            sys.stdout.write(line + "\n")
    results.append(("C reset checks all ran", checks == 16 and proc.returncode == 0,
                    "%d checks, exit code %s" % (checks, proc.returncode)))

    return report(results)


if __name__ == "__main__":
    sys.exit(main())
