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

Usage: run_wine_runner.py <runner> <runner_outlive.exe>
Prints one line per check and "N passed, N failed"."""
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

failed = 0
for name, ok in checks:
    print("%s: %s" % ("ok" if ok else "FAILED", name))
    failed += not ok
print("%d passed, %d failed" % (len(checks) - failed, failed))
sys.exit(1 if failed else 0)
