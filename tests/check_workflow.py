"""Checks .github/workflows/windows.yml, which cannot run here: it must be
valid YAML and keep the shape Windows CI relies on (MSYS2 MINGW64 and
MINGW32, configure/build/ctest steps). Exit 0 when it does."""
import sys

try:
    import yaml
except ImportError:
    sys.exit("check_workflow: PyYAML is missing (Debian: python3-yaml)")

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    doc = yaml.safe_load(f)

problems = []
jobs = doc.get("jobs") if isinstance(doc, dict) else None
if not isinstance(jobs, dict) or not jobs:
    problems.append("no jobs")
else:
    job = next(iter(jobs.values()))
    systems = job.get("strategy", {}).get("matrix", {}).get("sys", [])
    for want in ("mingw64", "mingw32"):
        if want not in systems:
            problems.append("matrix lacks %s" % want)
    steps = job.get("steps", [])
    runs = " ".join(str(s.get("run", "")) for s in steps)
    uses = " ".join(str(s.get("uses", "")) for s in steps)
    for want in ("cmake -S", "cmake --build", "ctest"):
        if want not in runs:
            problems.append("no step runs %r" % want)
    if "msys2/setup-msys2" not in uses:
        problems.append("MSYS2 is not set up")
# YAML 1.1 reads a bare `on:` key as True; GitHub reads it as "on".
if isinstance(doc, dict) and "on" not in doc and True not in doc:
    problems.append("no trigger (on:)")

if problems:
    sys.exit("check_workflow: %s: %s" % (path, "; ".join(problems)))
print("workflow ok: %s (%d job(s))" % (path, len(jobs)))
