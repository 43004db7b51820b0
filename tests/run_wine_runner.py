"""cmake/wine-run.sh, the runner ctest and every Python test start Windows
programs through, checked against what Wine does around a program:

  1. A process that inherits the program's output and outlives it (Wine's
     desktop process, explorer.exe, started by the first program that needs
     a window) must not hold the runner's output open: the caller reads to
     the end within seconds, with all the program wrote, and the exit code.
     Before the runner copied through pipes of its own, the reader waited as
     long as that process lived (one dump_proxy run waited for ever).
  2. A program that dies of an access violation, silent under
     WINEDEBUG=-all, gets a line that says how it ended.
  3. The program runs with the kernel's address randomization off (see
     the check below, and cmake/wine-run.sh).

Usage: run_wine_runner.py <runner> <runner_outlive.exe>
Prints one line per check and "N passed, N failed"."""
import os
import subprocess
import sys
import time

runner, exe = sys.argv[1:3]
OUTLIVE = 30   # seconds the inheriting process lives
checks = []


def run(*args, limit):
    """Runs the program through the runner; reads its output to the end,
    giving up after limit seconds (without waiting on the pipes again)."""
    start = time.monotonic()
    proc = subprocess.Popen([runner, exe] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.stdout.close()
        proc.stderr.close()
        proc.wait()
        return None, "", "", time.monotonic() - start
    return proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"), time.monotonic() - start


rc, out, err, took = run("outlive", str(OUTLIVE), limit=OUTLIVE - 10)
checks.append(("a process that outlives the program does not hold the output open (%.1f s)" % took,
               rc is not None))
checks.append(("the program's output arrives whole, stdout and stderr apart",
               "parent out" in out and "parent err" in err and "parent" not in out.replace("parent out", "")))
checks.append(("its exit code is the program's", rc == 0))

rc, out, err, took = run("crash", limit=60)
checks.append(("a crash is said, not silent (exit %s)" % rc,
               rc not in (None, 0) and "wine-run: runner_outlive.exe exited with status %d" % rc in err))

# 3. The program runs with the kernel's address randomization off. Wine
#    without its preloader reserves the shared user data's fixed address
#    (0x7ffe0000) only after start-up, and a randomized brk heap (anywhere
#    in a gigabyte above the loader at 0x7d000000) sometimes took it: the
#    process died at once ("failed to map the shared user data"), about one
#    start in 4,000, and a Criterion runner whose test process died so
#    aborted without a summary.
ADDR_NO_RANDOMIZE = 0x0040000
if os.path.isdir("/proc/self") and os.path.exists("/proc/self/personality"):
    proc = subprocess.Popen([runner, exe, "child", "8"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    flags = None
    deadline = time.monotonic() + 30
    while flags is None and time.monotonic() < deadline and proc.poll() is None:
        for pid in os.listdir("/proc"):
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    argv = f.read().split(b"\0")
                # the Windows process itself: its argv[0] is the exe (not bash, not start.exe)
                if argv[0].endswith(b"runner_outlive.exe") and argv[1:3] == [b"child", b"8"]:
                    with open("/proc/%s/personality" % pid) as f:
                        flags = int(f.read(), 16)
                    break
            except OSError:
                continue
        time.sleep(0.1)
    proc.wait()
    checks.append(("the program runs with address randomization off (personality %s)"
                   % ("not seen" if flags is None else "%08x" % flags),
                   flags is not None and bool(flags & ADDR_NO_RANDOMIZE)))

failed = 0
for name, ok in checks:
    print("%s: %s" % ("ok" if ok else "FAILED", name))
    failed += not ok
print("%d passed, %d failed" % (len(checks) - failed, failed))
sys.exit(1 if failed else 0)
