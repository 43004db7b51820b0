#!/usr/bin/env bash
# Runs a Windows program under Wine in mfcsock's private prefix, quietly.
# Usage: wine-run.sh program.exe [args...] | wine-run.sh --server-only
# CMake uses it as CMAKE_CROSSCOMPILING_EMULATOR, so ctest runs every test
# executable through it. The prefix is made on first use (about 5 s).
set -euo pipefail
cache=${XDG_CACHE_HOME:-$HOME/.cache}/mfcsock
export WINEPREFIX=${MFCS_WINEPREFIX:-$cache/wineprefix}
export WINEDEBUG=${WINEDEBUG:--all}
# A test that crashes on purpose must not start Wine's debugger.
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-winedbg.exe=d}
# No display: message-only windows and Winsock need none.
unset DISPLAY WAYLAND_DISPLAY
if [ ! -f "$WINEPREFIX/.mfcsock-ready" ]; then
  mkdir -p "$cache"
  (
    flock 9
    if [ ! -f "$WINEPREFIX/.mfcsock-ready" ]; then
      wineboot -i >/dev/null 2>&1 || true
      wineserver -w || true
      # wineboot's exit code says little; a prefix it made has a registry.
      if [ ! -f "$WINEPREFIX/system.reg" ]; then
        echo "wine-run: wineboot did not make a prefix in $WINEPREFIX" >&2
        exit 1
      fi
      touch "$WINEPREFIX/.mfcsock-ready"
    fi
  ) 9>"$cache/wineprefix.lock"
fi
# Debian's Wine has no preloader, which would reserve the low addresses a
# Windows process needs before anything else is mapped. With the kernel's
# address randomization, a new process now and then finds the fixed
# address of the shared user data (0x7ffe0000) taken and dies at once:
# "failed to map the shared user data: c0000018", silent under
# WINEDEBUG=-all. A Criterion runner whose test process dies that way
# aborts the whole program without a summary (seen about once in 4,000
# process starts). Without randomization the layout is the same every
# time; only the Linux side's mappings stop moving (Wine places a Windows
# program's own images and heaps the same way either way).
norand=()
if setarch "$(uname -m)" -R true >/dev/null 2>&1; then
  norand=(setarch "$(uname -m)" -R)
fi
# Start the prefix's wineserver ourselves, with no stdout or stderr: a
# wineserver started by the program would inherit its pipes and keep them
# open after the program exits, so a caller waiting for end-of-output would
# wait for the server too. (It does nothing when one is already running.)
wineserver -p30 </dev/null >/dev/null 2>&1 || true
# cmake/run.sh calls "--server-only" once before ctest starts tests in
# parallel. It also starts Wine's own service processes (services.exe,
# explorer.exe, ...) from a program with no output attached: started by the
# first test instead, they inherit its pipes and ctest waits for them (one
# i686 run spent 47 s on a 2 s test that way).
if [ "${1:-}" = --server-only ]; then
  "${norand[@]}" wine cmd.exe /c exit 0 </dev/null >/dev/null 2>&1 || true
  exit 0
fi
# Not exec: when the program could not start, its exit code is all Wine
# leaves (see below). The program must still die with this script, as it
# did when this line was an exec (a harness that kills its runner on a
# timeout, ctest or Python's Popen.kill, kills the program with it), so it
# gets a parent-death signal.
pdeath=()
if command -v setpriv >/dev/null 2>&1; then
  pdeath=(setpriv --pdeathsig TERM --)
fi
# Wine starts its desktop process (explorer.exe /desktop) from the first
# program that needs a window, and that process inherits the program's
# output pipes. It lives until a second after the desktop's last user
# leaves, often long after this program: a harness reading our output to
# its end (ctest, Python's communicate) waits for it, and one that stops
# the desktop's other user only after that read waits for ever (seen:
# run_dump_proxy.py's receiver pipe, held by explorer while the proxy it
# was about to stop kept the desktop alive). So the program writes into
# pipes of our own, which cat copies to ours; once the program has exited,
# the copies get a moment to finish and are then stopped, leaving any
# desktop process pipes that no one reads.
fifos=$(mktemp -d "${TMPDIR:-/tmp}/wine-run.XXXXXX")
mkfifo "$fifos/out" "$fifos/err"
"${pdeath[@]}" cat <"$fifos/out" & out_copy=$!
"${pdeath[@]}" cat <"$fifos/err" >&2 & err_copy=$!
rc=0
"${pdeath[@]}" "${norand[@]}" wine "$@" >"$fifos/out" 2>"$fifos/err" || rc=$?
rm -rf "$fifos"
for _ in $(seq 100); do
  kill -0 "$out_copy" 2>/dev/null || kill -0 "$err_copy" 2>/dev/null || break
  sleep 0.02
done
kill "$out_copy" "$err_copy" 2>/dev/null || true
# A copy that ended by itself with an error (our own output is full or
# closed) lost what the program wrote: the program saw no error, so say it.
for copy in "$out_copy" "$err_copy"; do
  copy_rc=0
  wait "$copy" 2>/dev/null || copy_rc=$?
  if [ "$copy_rc" -ne 0 ] && [ "$copy_rc" -lt 128 ] && [ "$rc" = 0 ]; then
    echo "wine-run: the output of ${1##*[/\\]} could not be copied whole" >&2 || true
    rc=2
  fi
done
# A Windows program that crashes leaves only its exception code's low byte
# (5 for an access violation) and, under WINEDEBUG=-all, no word: say it,
# so a test that died without output still shows how.
if [ "$rc" -ge 3 ] && [ "$rc" != 53 ]; then
  echo "wine-run: ${1##*[/\\]} exited with status $rc" >&2
fi
# 53 is STATUS_DLL_NOT_FOUND (0xC0000135) in a byte: Wine could not find a
# DLL the program imports (the usual cause: mfcsock.dll is not beside the
# exe) and, under WINEDEBUG=-all, said nothing. Such a program never
# started, so running it once more with the loader's errors on has no side
# effects; it names the DLL. (A program that exits with 53 by itself runs
# twice; none of this project's does.)
if [ "$rc" = 53 ]; then
  missing=$(WINEDEBUG=err+module "${pdeath[@]}" "${norand[@]}" wine "$@" </dev/null 2>&1 >/dev/null |
            sed -n 's/.*err:module:import_dll Library \([^ ]*\) (which is needed by L"\(.*\)") not found.*/\1 (needed by \2)/p' |
            sed 's/\\\\/\\/g' | sort -u) || true
  if [ -n "$missing" ]; then
    {
      echo "$missing" | sed "s|^|wine-run: $1 did not start: Wine could not find |"
      echo "wine-run: put each DLL beside the exe (in CMake: a POST_BUILD copy of"
      echo "wine-run: \$<TARGET_RUNTIME_DLLS:your_app>, see the README's \"Use it from your own"
      echo "wine-run: project\"), or add its folder to WINEPATH."
    } >&2
  fi
fi
exit "$rc"
