"""Runs a short chat session with the examples, as the README's demo does:
chat_server, then alice and bob (each waits for the other, says something,
and must hear the other), then a client that sends /quit. Passes when every
program exits 0 and each heard the other.
Usage: run_chat.py <runner or ""> <bin dir>"""
import os
import subprocess
import sys

runner, bindir = sys.argv[1], sys.argv[2]


def cmd(exe, *args):
    return ([runner] if runner else []) + [os.path.join(bindir, exe)] + list(args)


server = subprocess.Popen(cmd("chat_server.exe"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
first = server.stdout.readline()
sys.stdout.write(first)
port = first.split()[-1]
alice = subprocess.Popen(cmd("chat_client.exe", port, "alice", "2", "1", "hello bob"),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
bob = subprocess.Popen(cmd("chat_client.exe", port, "bob", "2", "1", "hi alice"),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
outs = {}
for who, p in (("alice", alice), ("bob", bob)):
    outs[who] = p.communicate(timeout=60)[0]
    sys.stdout.write(outs[who])
quitter = subprocess.run(cmd("chat_client.exe", port, "admin", "0", "0", "/quit"),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
server_out = server.communicate(timeout=60)[0]
sys.stdout.write(server_out)

checks = [
    ("alice exited 0", alice.returncode == 0),
    ("bob exited 0", bob.returncode == 0),
    ("alice heard bob", "alice heard bob: hi alice" in outs["alice"]),
    ("bob heard alice", "bob heard alice: hello bob" in outs["bob"]),
    ("the server stopped on /quit", "/quit received" in server_out and server.returncode == 0),
]
failed = sum(1 for _, ok in checks if not ok)
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
print("%d passed, %d failed" % (len(checks) - failed, failed))
sys.exit(1 if failed else 0)
