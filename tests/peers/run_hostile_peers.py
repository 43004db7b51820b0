"""Hostile Python peers against a Wine-run mfcsock program, over loopback:
tests/peers/slow_peer.py serves, tests/peer_exchange.c's "hostile" mode
connects once per scenario and checks what its archives do:

  1. a peer pauses inside a value past the socket's 1 s timeout (or a
     thread cancels the read): the read fails, and after mfcs_archive_abort
     a new archive (on the same socket file, or a new one) reads the value
     whole, its first bytes too;
  2. a peer sends a u64, a 12-character CString or a CPoint object a byte
     at a time, each byte inside the timeout: the read still fails about
     1 s after it began (the deadline covers the whole value or object);
  3. a peer nests 10,000 objects: MFCS_E_LIMIT (default depth 64), no
     crash; 64 levels load, 65 do not;
  4. a peer floods the object map with class references: MFCS_E_LIMIT after
     100,000 - 2 objects with the map capped at 100,000; back references,
     which make no object, do not count.

Usage: run_hostile_peers.py <runner> <peer_exchange.exe>   (runner:
cmake/wine-run.sh, or "" on Windows). Prints one line per check and
"N passed, N failed"; exits 0 only when all passed.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_exchange import report  # noqa: E402
from slow_peer import SlowPeer, chain, class_flood  # noqa: E402

TIMEOUT = 120
C_CHECKS = 35   # what peer_exchange.c's hostile mode checks; fewer means a scenario was skipped


def peer_checks(peer, results):
    """The peer's own side: it served each scenario exactly once, met no
    problem, and lays its bytes out as test_hostile.c's C streams."""
    results.append(("python: C came once for every scenario", all(n == 1 for n in peer.served.values()),
                    "connections per command: %r" % peer.served))
    for name, detail in peer.problems:
        results.append(("python: " + name, False, detail))
    head = b"\xff\xff\x00\x00\x05\x00CNode"
    results.append(("python: the chain is test_hostile.c's (class record, then 01 80 01 per level)",
                     chain(3) == head + b"\x01" + b"\x01\x80\x01" + b"\x01\x80\x00", "got %s" % chain(3).hex(" ")))
    results.append(("python: the flood is one class record, then 2-byte class references",
                     class_flood(4) == b"\xff\xff\x00\x00\x06\x00CEmpty" + b"\x01\x80" * 3,
                     "got %s" % class_flood(4).hex(" ")))


def c_checks(out, returncode, results):
    """check ok <name> / check FAIL <name>: <details>, one per line."""
    count = 0
    summary = None
    for line in out.splitlines():
        words = line.split(" ", 2)
        if len(words) == 3 and words[0] == "check" and words[1] in ("ok", "FAIL"):
            name, _, why = words[2].partition(" -- ")
            results.append(("C: " + name, words[1] == "ok", why))
            count += 1
        else:
            if line.startswith("peer_exchange hostile:"):
                summary = line
            sys.stdout.write(line + "\n")
    results.append(("C: every check ran and the program ended well",
                    count == C_CHECKS and summary is not None and returncode == 0,
                    "%d checks (want %d), exit code %s, summary %r" % (count, C_CHECKS, returncode, summary)))


def main():
    runner, exe = sys.argv[1], sys.argv[2]
    results = []
    peer = SlowPeer()
    port = peer.start()
    cmd = ([runner] if runner else []) + [exe, "hostile", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out = proc.communicate()[0]
        results.append(("C finished within %d s" % TIMEOUT, False, "killed"))
    peer.stop()
    c_checks(out, proc.returncode, results)
    peer_checks(peer, results)

    return report(results)


if __name__ == "__main__":
    sys.exit(main())
