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
  wine cmd.exe /c exit 0 </dev/null >/dev/null 2>&1 || true
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
rc=0
"${pdeath[@]}" wine "$@" || rc=$?
# 53 is STATUS_DLL_NOT_FOUND (0xC0000135) in a byte: Wine could not find a
# DLL the program imports (the usual cause: mfcsock.dll is not beside the
# exe) and, under WINEDEBUG=-all, said nothing. Such a program never
# started, so running it once more with the loader's errors on has no side
# effects; it names the DLL. (A program that exits with 53 by itself runs
# twice; none of this project's does.)
if [ "$rc" = 53 ]; then
  missing=$(WINEDEBUG=err+module "${pdeath[@]}" wine "$@" </dev/null 2>&1 >/dev/null |
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
