#!/usr/bin/env bash
# Installs what building and testing mfcsock needs on a Debian 12 host: the
# mingw-w64 cross compilers, Wine (64-bit, and 32-bit when the archive lets us),
# CMake, Ninja and what the Criterion build needs. Safe to run again: it does
# nothing once every package is there.
#
# Usage: cmake/setup-host.sh        (as root, or with sudo available)
set -euo pipefail

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
need_root() {
  if [ -n "$SUDO" ] && ! command -v sudo >/dev/null; then
    echo "setup-host: packages are missing and installing them needs root: run this as root, or install sudo" >&2
    exit 1
  fi
}

# Packages the build needs on every run. Criterion's own build needs meson,
# pkg-config, make, xz and python3; dpkg-dev lets apt-get source unpack
# (Criterion's and cJSON's sources). The native Linux build of the codec and
# mfcsock-dump needs gcc and Debian's own Criterion.
PKGS="mingw-w64 cmake ninja-build meson pkg-config make xz-utils
      python3 python3-yaml dpkg-dev ca-certificates git file binutils-mingw-w64-x86-64
      gcc libc6-dev libcriterion-dev"

missing=()
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
have_wine64() { dpkg-query -W -f='${Status}' wine64 2>/dev/null | grep -q "ok installed"; }
have_wine32() { dpkg-query -W -f='${Status}' wine32:i386 2>/dev/null | grep -q "ok installed"; }

cache=${XDG_CACHE_HOME:-$HOME/.cache}/mfcsock
mkdir -p "$cache"
# Remember a failed wine32 attempt so later runs stay fast; delete the file to retry.
wine32_stamp=$cache/wine32-unavailable

need_src=1
grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && need_src=0
grep -qs '^deb-src' /etc/apt/sources.list && need_src=0

if [ ${#missing[@]} -eq 0 ] && [ $need_src = 0 ] && have_wine64 && { have_wine32 || [ -f "$wine32_stamp" ]; }; then
  exit 0
fi

need_root
if [ $need_src = 1 ]; then
  # Criterion for mingw is built from Debian's source packages.
  $SUDO tee /etc/apt/sources.list.d/mfcsock-deb-src.sources >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi

if ! dpkg --print-foreign-architectures | grep -qx i386; then
  $SUDO dpkg --add-architecture i386
fi

# The security suite's i386 index sometimes fails its size check while the
# main suite is fine; the packages we need all come from main.
$SUDO apt-get update -q || echo "setup-host: apt-get update reported an error; continuing with the indexes it got"

export DEBIAN_FRONTEND=noninteractive
APT="$SUDO apt-get install -y -q --no-install-recommends"

if [ ${#missing[@]} -gt 0 ]; then $APT "${missing[@]}"; fi

main_version() { # the version of $1 that the main suite offers
  apt-cache policy "$1" | awk '/ bookworm\/main / {print prev; exit} {prev=$1}'
}

if ! have_wine32 && [ ! -f "$wine32_stamp" ]; then
  # wine32 needs the i386 and amd64 halves of every multi-arch library at the
  # same version. Taking both from the main suite (-t bookworm) keeps them
  # equal; a library already installed from security at a newer amd64 version
  # than main's i386 twin is named at main's version for both halves.
  fix=()
  for attempt in 1 2 3 4; do
    out=$($APT -t bookworm --allow-downgrades wine wine64 wine32:i386 "${fix[@]}" 2>&1) && break
    bad=$(printf '%s\n' "$out" | sed -n 's/.*Depends: \([^ :]*\):i386.*not \(installable\|going to be installed\).*/\1/p' | sort -u)
    [ -n "$bad" ] || break
    for pkg in $bad; do
      v=$(main_version "$pkg")
      [ -n "$v" ] && fix+=("$pkg=$v" "$pkg:i386=$v")
    done
  done
  if ! have_wine32; then
    printf '%s\n' "$out" | tail -5 >&2
    echo "setup-host: wine32 could not be installed; 32-bit tests will be skipped" >&2
    touch "$wine32_stamp"
  fi
fi
have_wine64 || $APT wine wine64
