#!/usr/bin/env bash
# Builds the archive fuzz target for Linux with clang (libFuzzer + ASan +
# UBSan) from the portable core, src/core taken whole: the codec, the memory
# file, the class registry, the handle table and the errors, which include
# no Windows header. Usage: tests/fuzz/build.sh [out-dir]; then e.g.
#   out/fuzz_archive -runs=10000000 -jobs=2 -workers=2 -max_len=8192 tests/fuzz/corpus
# (-max_len: a chain of nested objects costs 3 bytes a level, so 8192 reaches
# the default depth limit of 64 levels many times over.)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$root/build/fuzz}
mkdir -p "$out"
if ! echo 'int LLVMFuzzerTestOneInput(const char*d,unsigned long n){return 0;}' |
     clang -x c - -fsanitize=fuzzer -o "$out/.probe" 2>/dev/null; then
  echo "fuzz/build.sh: clang with libFuzzer is missing (Debian: apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
version=$(sed -n 's/^project(mfcsock VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
clang -g -O1 -std=c99 -D_DEFAULT_SOURCE -DMFCS_VERSION_STRING="\"$version\"" \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Wall -Wextra -I"$root/include" -I"$root/src/core" \
  "$root"/src/core/*.c "$root/tests/fuzz/fuzz_archive.c" \
  -lpthread -o "$out/fuzz_archive"
echo "built $out/fuzz_archive"
