#!/usr/bin/env bash
# The two commands of the README:
#   bash cmake/run.sh demo   builds everything and runs the demo
#   bash cmake/run.sh test   builds everything (x86_64 and i686) and runs all tests
# Each installs what is missing (apt packages, Criterion cross-built for
# mingw, a Wine prefix), caching outside the repository so the second run is
# fast. Build trees go to build/<arch>/ (ignored by git).
set -euo pipefail

what=${1:-}
case "$what" in demo|test) ;; *) echo "usage: $0 demo|test" >&2; exit 2 ;; esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/mfcsock
jobs=$(nproc 2>/dev/null || echo 2)

bash "$root/cmake/setup-host.sh"

bash "$root/cmake/fetch-cjson.sh"   # mfcsock-dump's JSON library, for every build
cjson=$cache/cjson-1.7.15

build() { # build <arch>: Criterion for arch, then configure and build
  local arch=$1 dir=$root/build/$1
  bash "$root/cmake/build-criterion.sh" "$arch"
  if [ ! -f "$dir/build.ninja" ] || ! grep -q "^MFCS_CJSON_DIR:PATH=$cjson$" "$dir/CMakeCache.txt"; then
    cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-$arch-w64-mingw32.cmake" \
      -DMFCS_CRITERION_DIR="$cache/criterion-2.4.1-$arch" -DMFCS_CJSON_DIR="$cjson" \
      >"$cache/configure-$arch.log" 2>&1 || { tail -30 "$cache/configure-$arch.log"; exit 1; }
  fi
  cmake --build "$dir" -j "$jobs"
}

# The portable core and mfcsock-dump, built natively: no Winsock, no Wine.
build_linux() {
  local dir=$root/build/linux
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMFCS_CJSON_DIR="$cjson" \
      >"$cache/configure-linux.log" 2>&1 || { tail -30 "$cache/configure-linux.log"; exit 1; }
  fi
  cmake --build "$dir" -j "$jobs"
}

wine32_ok() { dpkg-query -W -f='${Status}' wine32:i386 2>/dev/null | grep -q "ok installed"; }

if [ "$what" = demo ]; then
  build x86_64
  "$root/cmake/wine-run.sh" --server-only
  for exe in demo seed_sequence; do
    echo "== $exe"
    "$root/cmake/wine-run.sh" "$root/build/x86_64/bin/$exe.exe"
  done
  echo "== a short chat session: chat_server, alice and bob, then /quit"
  python3 "$root/tests/run_chat.py" "$root/cmake/wine-run.sh" "$root/build/x86_64/bin"
  exit 0
fi

# count_results <ctest -V log>: "passed failed" over every test case. A test
# program that prints its own summary (Criterion's Synthesis line, or a plain
# "N passed, N failed") counts its cases; any other ctest test (a CMake
# script, an example) counts as one. A test that ctest failed (a crash, a
# timeout, a summary that never came) counts at least one failure.
count_results() {
  awk '
    match($0, /^[0-9]+: .*Synthesis: Tested: [0-9]+ \| Passing: [0-9]+ \| Failing: [0-9]+ \| Crashing: [0-9]+/) {
      n = $1; sub(/:/, "", n)
      line = $0; sub(/.*Passing: /, "", line); p = line + 0
      line = $0; sub(/.*Failing: /, "", line); f = line + 0
      line = $0; sub(/.*Crashing: /, "", line); c = line + 0
      P[n] += p; F[n] += f + c; seen[n] = 1; next
    }
    /^[0-9]+: [0-9]+ passed, [0-9]+ failed/ {
      n = $1; sub(/:/, "", n); P[n] += $2; F[n] += $4; seen[n] = 1; next
    }
    match($0, /Test +#[0-9]+: /) {
      t = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", t)
      ok[t] = ($0 ~ / Passed /); tested[t] = 1
    }
    END {
      for (t in tested) {
        if (seen[t]) { tp += P[t]; tf += F[t]; if (!ok[t] && F[t] == 0) tf++ }
        else if (ok[t]) tp++
        else tf++
      }
      print tp + 0, tf + 0
    }' "$1"
}

# What each failed test printed, whole but for Criterion's skip lines (a
# test that died without a summary shows all it said, and wine-run's line
# on how it ended).
failing_output() {
  local n
  for n in $(sed -n 's/.*Test *#\([0-9]*\): .*\*\*\*.*/\1/p' "$1"); do
    echo "-- test #$n:"
    grep -E "^$n: " "$1" | grep -vE "^$n: (\[SKIP\]|Test command|Working Directory|Test timeout)" | tail -60 || true
  done
}

archs="x86_64 i686"
status=0
passed=0 failed=0
for arch in $archs; do
  build "$arch"
  if [ "$arch" = i686 ] && ! wine32_ok; then
    echo "== i686: built; tests SKIPPED: wine32:i386 is not installed (cmake/setup-host.sh could not install it)"
    continue
  fi
  echo "== $arch: running tests under Wine"
  log=$root/build/$arch/ctest.log
  "$root/cmake/wine-run.sh" --server-only
  # -V prefixes each test's output with its number ("7: ..."), once; the
  # summary below reads only prefixed lines, so nothing is counted twice.
  (cd "$root/build/$arch" && ctest -V -j 2 --timeout 900 --no-tests=error) >"$log" 2>&1 || status=1
  # Show each test's result and Criterion's summary lines, not the whole log.
  grep -E "Synthesis|Test +#|tests passed|tests failed|exports match|[0-9]+ passed, [0-9]+ failed|FAIL|Crash|Error|error:|SKIP" "$log" \
    | grep -v "^[0-9]*: Test command" || true
  if [ $status != 0 ]; then
    echo "---- failing output ($arch) ----"
    failing_output "$log"
  fi
  read -r p f < <(count_results "$log")
  passed=$((passed + p)); failed=$((failed + f))
done
build_linux
echo "== linux (native): running the codec's and mfcsock-dump's tests"
log=$root/build/linux/ctest.log
(cd "$root/build/linux" && ctest -V -j 2 --timeout 900 --no-tests=error) >"$log" 2>&1 || status=1
grep -E "Synthesis|Test +#|tests passed|tests failed|FAIL|Crash|error:" "$log" | grep -v "^[0-9]*: Test command" || true
if [ $status != 0 ]; then
  echo "---- failing output (linux) ----"
  failing_output "$log"
fi
read -r p f < <(count_results "$log")
passed=$((passed + p)); failed=$((failed + f))
echo "total: $passed passed, $failed failed"
exit $status
