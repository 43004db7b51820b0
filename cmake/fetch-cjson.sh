#!/usr/bin/env bash
# Fetches cJSON 1.7.15 from Debian's source package (its security patches
# applied by dpkg-source: no other downloads are possible here) into
#   ${XDG_CACHE_HOME:-~/.cache}/mfcsock/cjson-1.7.15/
# as cJSON.c, cJSON.h and LICENSE. mfcsock-dump compiles cJSON.c itself, for
# mingw and for Linux alike (-DMFCS_CJSON_DIR=<that folder>). A stamp file
# (.complete) makes the second run instant.
#
# Usage: cmake/fetch-cjson.sh
set -euo pipefail

cache=${XDG_CACHE_HOME:-$HOME/.cache}/mfcsock
dest=$cache/cjson-1.7.15
[ -f "$dest/.complete" ] && exit 0

work=$cache/fetch-cjson
rm -rf "$work"
mkdir -p "$work"
echo "fetch-cjson: downloading and unpacking Debian source package cjson"
if ! (cd "$work" && apt-get source cjson >"$work/apt.log" 2>&1); then
  tail -5 "$work/apt.log" >&2
  echo "fetch-cjson: could not get the source of cjson (is deb-src enabled? run cmake/setup-host.sh)" >&2
  exit 1
fi
src=$(ls -d "$work"/cjson-*/ | head -1)
[ -f "$src/cJSON.c" ] || { echo "fetch-cjson: $src has no cJSON.c" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest"
cp "$src/cJSON.c" "$src/cJSON.h" "$src/LICENSE" "$dest/"
grep -o '^[^#].*' "$src/debian/patches/series" >"$dest/PATCHES" 2>/dev/null || true
rm -rf "$work"
touch "$dest/.complete"
echo "fetch-cjson: cJSON in $dest"
