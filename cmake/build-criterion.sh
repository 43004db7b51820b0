#!/usr/bin/env bash
# Cross-builds Criterion 2.4.1 for mingw-w64 from Debian's source packages
# (no other downloads are possible here) and installs it into
#   ${XDG_CACHE_HOME:-~/.cache}/mfcsock/criterion-2.4.1-<arch>/
# as include/criterion/*, lib/libcriterion.dll.a and bin/libcriterion-3.dll.
# A stamp file (.complete) makes the second run instant.
#
# Usage: cmake/build-criterion.sh x86_64|i686
#
# What it works around (see shared BUILD-NOTES): Criterion's orig tarball has
# empty dependencies/debugbreak and dependencies/klib (filled from Debian's
# debugbreak and h2o sources); boxfort, nanomsg and nanopb go under
# subprojects/ so meson does not try to git-clone them; Debian's BoxFort 0.1.2
# lacks the debugger-fallback bits Criterion 2.4.1 uses; meson 1.0 needs the
# cross file's `pkgconfig` key and pkg_config_libdir to find our libffi.
set -euo pipefail

arch=${1:-}
case "$arch" in
  x86_64) triplet=x86_64-w64-mingw32; cpu_family=x86_64; cpu=x86_64 ;;
  i686)   triplet=i686-w64-mingw32;   cpu_family=x86;    cpu=i686 ;;
  *) echo "usage: $0 x86_64|i686" >&2; exit 2 ;;
esac

cache=${XDG_CACHE_HOME:-$HOME/.cache}/mfcsock
prefix=$cache/criterion-2.4.1-$arch
[ -f "$prefix/.complete" ] && exit 0

src=$cache/src
work=$cache/build-criterion-$arch
stage=$work/stage
log=$work/build.log

step() { echo "build-criterion ($arch): $*"; }
fail() {
  echo "build-criterion ($arch): FAILED: $1; last lines of $log:" >&2
  tail -40 "$log" >&2 || true
  exit 1
}

# ---- sources -------------------------------------------------------------
mkdir -p "$src"
packages="criterion boxfort nanomsg nanopb libffi debugbreak h2o"
for p in $packages; do
  if ! ls "$src/${p}_"*.orig.tar.* >/dev/null 2>&1; then
    step "downloading Debian source package $p"
    # Some *.debian.tar.xz parts answer 404; only the orig tarballs matter,
    # so a failed exit is judged by what arrived.
    (cd "$src" && apt-get source --download-only "$p" >"$src/download-$p.log" 2>&1) || true
    ls "$src/${p}_"*.orig.tar.* >/dev/null 2>&1 || {
      tail -5 "$src/download-$p.log" >&2
      echo "build-criterion: could not download the source of $p (is deb-src enabled? run cmake/setup-host.sh)" >&2
      exit 1
    }
  fi
done

rm -rf "$work"
mkdir -p "$work/x" "$stage"
: >"$log"
step "unpacking"
for p in $packages; do
  tar -C "$work/x" -xf "$(ls "$src/${p}_"*.orig.tar.* | head -1)"
done
x=$work/x
crit=$(ls -d "$x"/Criterion-* | head -1)
h2o=$(ls -d "$x"/h2o-* | head -1)

# ---- libffi (static, found by meson through pkg-config) -------------------
step "building libffi"
(cd "$(ls -d "$x"/libffi-* | head -1)" &&
  ./configure --host=$triplet --prefix="$stage" --disable-shared --enable-static \
    --disable-docs --disable-multi-os-directory &&
  make -j"$(nproc)" && make install) >>"$log" 2>&1 || fail "libffi"

# ---- Criterion's missing pieces -------------------------------------------
cp "$(ls -d "$x"/debugbreak-* | head -1)/debugbreak.h" "$crit/dependencies/debugbreak/"
cp "$h2o/deps/klib/khash.h" "$h2o/deps/klib/kvec.h" "$crit/dependencies/klib/"
mv "$(ls -d "$x"/BoxFort-* | head -1)" "$crit/subprojects/boxfort"
mv "$(ls -d "$x"/nanomsg-* | head -1)" "$crit/subprojects/nanomsg"
mv "$(ls -d "$x"/nanopb-* | head -1)" "$crit/subprojects/nanopb"

# BoxFort 0.1.4's debugger fallback flag, which Criterion 2.4.1 calls.
bxf=$crit/subprojects/boxfort
python3 - "$bxf/include/boxfort.h" "$bxf/src/sandbox-windows.c" "$bxf/src/arena.c" <<'EOF' || fail "patching BoxFort"
import sys
h, w, a = sys.argv[1], sys.argv[2], sys.argv[3]
s = open(h).read()
old = "    BXF_DBG_WINDBG, /* Spawn with windbg (Windows only) */\n};\n"
assert old in s, "boxfort.h: enum bxf_debugger not as expected"
s = s.replace(old, "    BXF_DBG_WINDBG, /* Spawn with windbg (Windows only) */\n"
              "    BXF_DBG_FALLBACK = 0x20, /* fall back to no debugger */\n};\n\n"
              "#define BXF_DBG_ENABLE_FALLBACK(d) ((d) = (enum bxf_debugger) ((d) | BXF_DBG_FALLBACK))\n"
              "#define BXF_DBG_IS_FALLBACK_ENABLED(d) (((d) & BXF_DBG_FALLBACK) != 0)\n"
              "#define BXF_DBG_GET_DEBUGGER(d) ((enum bxf_debugger) ((d) & ~BXF_DBG_FALLBACK))\n")
open(h, "w").write(s)
s = open(w).read()
old = "switch (sandbox->debug.debugger) {"
assert old in s, "sandbox-windows.c: debugger switch not as expected"
s = s.replace(old, "switch (BXF_DBG_GET_DEBUGGER(sandbox->debug.debugger)) {")
open(w, "w").write(s)
# 32-bit under Wine: the arena's address window (0x40000000-0x80000000) is
# all reserved by Wine, only about 500 MiB from 0x00E90000 up are free, and a
# section as large as the whole page file does not fit a 32-bit process
# ("Could not initialize inheritable arena"). Place 32-bit arenas from
# 0x01000000, cap the section at 256 MiB, and try another random base when a
# view cannot be mapped.
s = open(a).read()
old = "static void *mmap_base = (void *) 0x40000000;"
assert old in s, "arena.c: 32-bit base not as expected"
s = s.replace(old, "static void *mmap_base = (void *) 0x01000000;")
old = "static intptr_t mmap_off_mask = 0x3fff;"
assert old in s, "arena.c: 32-bit mask not as expected"
s = s.replace(old, "static intptr_t mmap_off_mask = 0x1fff;")
old = "LARGE_INTEGER sz = { .QuadPart = mem.ullAvailPageFile };"
assert old in s, "arena.c: section size not as expected"
s = s.replace(old, "LARGE_INTEGER sz = { .QuadPart = (BXF_BITS == 32 && mem.ullAvailPageFile > ((ULONGLONG) 1 << 28))"
                   " ? ((ULONGLONG) 1 << 28) : mem.ullAvailPageFile };")
old = "        if (!a)\n            goto error;\n"
assert old in s, "arena.c: view mapping not as expected"
s = s.replace(old, "        if (!a)\n            goto retry;\n")
open(a, "w").write(s)
EOF

# ---- meson cross build ------------------------------------------------------
cat >"$work/cross.ini" <<EOF
[binaries]
c = '$triplet-gcc'
cpp = '$triplet-g++'
ar = '$triplet-ar'
strip = '$triplet-strip'
windres = '$triplet-windres'
pkgconfig = 'pkg-config'
cmake = 'cmake'

[properties]
pkg_config_libdir = '$stage/lib/pkgconfig'

[host_machine]
system = 'windows'
cpu_family = '$cpu_family'
cpu = '$cpu'
endian = 'little'
EOF

step "configuring Criterion"
(cd "$crit" && PKG_CONFIG_LIBDIR="$stage/lib/pkgconfig" meson setup "$work/build" \
  --cross-file "$work/cross.ini" --prefix "$prefix" --buildtype=release \
  --wrap-mode=nodownload \
  -Dtheories=enabled -Ddiffs=disabled -Di18n=disabled -Dtests=false -Dsamples=false \
  -Dc_link_args=-static-libgcc -Dcpp_link_args='-static-libgcc -static-libstdc++') >>"$log" 2>&1 \
  || fail "meson setup"
step "building Criterion"
ninja -C "$work/build" >>"$log" 2>&1 || fail "ninja"
rm -rf "$prefix"
meson install -C "$work/build" >>"$log" 2>&1 || fail "meson install"

dll=$(ls "$prefix"/bin/libcriterion*.dll 2>/dev/null | head -1)
[ -n "$dll" ] || fail "no libcriterion DLL was installed"
# Only system DLLs may be imported: the tests copy this one file.
extra=$($triplet-objdump -p "$dll" | sed -n 's/^\s*DLL Name: //p' |
        grep -viE '^(kernel32|msvcrt|ws2_32|mswsock|advapi32|user32|shell32|ole32|dbghelp|psapi|bcrypt|ntdll|api-ms-.*)\.dll$' || true)
[ -z "$extra" ] || fail "$(basename "$dll") needs non-system DLLs: $extra"

rm -rf "$work"   # sources stay cached in $src; the build tree is not needed
touch "$prefix/.complete"
step "installed $(basename "$dll") in $prefix"
