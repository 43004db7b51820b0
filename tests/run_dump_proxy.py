"""mfcsock-dump --proxy between real peers (tools/README.md, "Watching a
protocol"):

  1. examples/file_transfer.c: the receiver listens, the proxy forwards to
     it, the sender sends a 200 KB file through the proxy. The copy must be
     byte for byte the original, and the proxy must print the request it
     decoded with tools/layouts/file-transfer.layout (name, size, chunks,
     checksum).
  2. The Python peer (tests/peers/): Python serves, the proxy forwards to
     it, tests/peer_exchange.c connects through the proxy, sends its
     request and checks Python's reply; Python checks the request. The
     proxy must print both, decoded with tests/peers/exchange.layout.

Usage: run_dump_proxy.py <runner or ""> <bin dir> <work dir> <source dir>
Prints one line per check and "N passed, N failed"."""
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time

runner, bindir, work, source = sys.argv[1:5]
sys.path.insert(0, os.path.join(source, "tests", "peers"))
import run_exchange  # noqa: E402  (the peer's own request, reply and checks)

TIMEOUT = 60
checks = []


def host_path(p):
    # Wine maps drive Z: to the Linux root.
    return ("Z:" + p) if runner else p


def cmd(exe, *args):
    return ([runner] if runner else []) + [os.path.join(bindir, exe)] + list(args)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_proxy(layout, target_port):
    """Starts the proxy and waits until it listens; returns it and its port."""
    for _ in range(5):
        port = free_port()
        proxy = subprocess.Popen(cmd("mfcsock-dump.exe" if runner or os.name == "nt" else "mfcsock-dump",
                                     "--layout", host_path(layout), "--proxy", str(port),
                                     "127.0.0.1:%d" % target_port),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8")
        first = proxy.stdout.readline()
        if "listening on port" in first:
            # Its output is read as it comes: a proxy whose output is not
            # read forwards at that pace (its decoders wait to print).
            proxy.lines = []
            proxy.reader = threading.Thread(target=lambda: proxy.lines.extend(proxy.stdout), daemon=True)
            proxy.reader.start()
            return proxy, port, first
        proxy.kill()
        proxy.communicate()
    raise RuntimeError("the proxy did not start: " + first)


def stop_proxy(proxy):
    # Give the decoders a moment to print the last message, then stop it.
    time.sleep(1.0)
    proxy.terminate()
    try:
        proxy.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proxy.kill()
        proxy.wait()
    proxy.reader.join(timeout=TIMEOUT)
    return "".join(proxy.lines)


def file_transfer():
    shutil.rmtree(os.path.join(work, "ft"), ignore_errors=True)
    os.makedirs(os.path.join(work, "ft", "out"))
    src = os.path.join(work, "ft", "payload.bin")
    data = random.Random(11).randbytes(200 * 1024 + 77)
    with open(src, "wb") as f:
        f.write(data)
    receiver = subprocess.Popen(cmd("file_transfer.exe", "receive", "0", host_path(os.path.join(work, "ft", "out"))),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = receiver.stdout.readline()
    target = int(line.split()[-1])
    proxy, port, _ = start_proxy(os.path.join(source, "tools", "layouts", "file-transfer.layout"), target)
    sender = subprocess.run(cmd("file_transfer.exe", "send", str(port), host_path(src)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
    try:
        rest = receiver.communicate(timeout=TIMEOUT)[0]
    except subprocess.TimeoutExpired:
        receiver.kill()
        rest = receiver.communicate()[0] + "\n(the receiver did not finish: killed)\n"
    out = stop_proxy(proxy)
    sys.stdout.write(line + rest + sender.stdout)
    copy = os.path.join(work, "ft", "out", "payload.bin")
    checks.append(("file_transfer: sender and receiver exited 0",
                   sender.returncode == 0 and receiver.returncode == 0))
    checks.append(("file_transfer: the copy through the proxy equals the original",
                   os.path.exists(copy) and open(copy, "rb").read() == data))
    request = [l for l in out.splitlines() if "client->server #1 " in l]
    checks.append(("file_transfer: the proxy printed the request it decoded", len(request) == 1))
    text = request[0] if request else ""
    checks.append(("file_transfer: name, size, the chunks and the checksum in it",
                   '"name":"payload.bin"' in text and '"size":%d' % len(data) in text
                   and '"n":0}' in text and '"checksum":' in text))
    if not all(ok for _, ok in checks[-4:]):
        sys.stdout.write("---- the proxy said ----\n" + out[:3000] + "\n")


def python_peer():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(TIMEOUT)
    target = srv.getsockname()[1]
    proxy, port, _ = start_proxy(os.path.join(source, "tests", "peers", "exchange.layout"), target)
    prog = subprocess.Popen(cmd("peer_exchange.exe", "client", str(port)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    results = []
    try:
        conn, _ = srv.accept()
        with conn:
            run_exchange.serve_one(conn, results, "python-server:")
            prog_out = prog.communicate(timeout=TIMEOUT)[0]
    except Exception as e:  # noqa: BLE001 - any failure is a failed check
        prog.kill()
        prog_out = prog.communicate()[0]
        results.append(("python-server: exchange", False, repr(e)))
    finally:
        srv.close()
    out = stop_proxy(proxy)
    sys.stdout.write(prog_out)
    bad = [name + ": " + why for name, ok, why in results if not ok]
    checks.append(("python peer: every field of the request through the proxy", not bad))
    checks.append(("python peer: the C side verified the reply through the proxy", prog.returncode == 0))
    lines = out.splitlines()
    request = next((l for l in lines if "client->server #1 " in l), "")
    reply = next((l for l in lines if "server->client #1 " in l), "")
    checks.append(("python peer: the proxy decoded the request",
                   '"wide":"wide \u2713"' in request and '"$ref":2' in request and '"none":null' in request
                   and '"items":["a","bc","def"]' in request))
    checks.append(("python peer: the proxy decoded the reply",
                   '"text":"sum \U0001F600"' in reply and '"$class":"CPoint"' in reply))
    if bad or not request or not reply:
        sys.stdout.write("\n".join(bad) + "\n" + out[:3000])


for part in (file_transfer, python_peer):
    try:
        part()
    except Exception as e:  # noqa: BLE001 - report, do not hide
        checks.append((part.__name__ + ": ran", False))
        print("%s: %r" % (part.__name__, e))

failed = sum(1 for _, ok in checks if not ok)
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
print("%d passed, %d failed" % (len(checks) - failed, failed))
sys.exit(1 if failed else 0)
