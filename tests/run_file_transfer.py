"""Runs examples/file_transfer.c's selftest on a 3 MB file of random bytes
and compares the received copy byte for byte.
Usage: run_file_transfer.py <runner or ""> <file_transfer.exe> <work dir>"""
import os
import random
import shutil
import subprocess
import sys

runner, exe, work = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
src = os.path.join(work, "payload.bin")
data = random.Random(7).randbytes(3 * 1024 * 1024 + 12345)
with open(src, "wb") as f:
    f.write(data)
# Wine maps drive Z: to the Linux root.
arg = ("Z:" + src) if runner else src
proc = subprocess.run(([runner] if runner else []) + [exe, "selftest", arg],
                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=100)
sys.stdout.write(proc.stdout)
copy = os.path.join(work, "payload.bin.received", "payload.bin")
same = os.path.exists(copy) and open(copy, "rb").read() == data
checks = [("file_transfer exited 0", proc.returncode == 0),
          ("progress was shown", "100%" in proc.stdout),
          ("the copy equals the original", same)]
failed = sum(1 for _, ok in checks if not ok)
for name, ok in checks:
    print(("ok   " if ok else "FAIL ") + name)
print("%d passed, %d failed" % (len(checks) - failed, failed))
sys.exit(1 if failed else 0)
