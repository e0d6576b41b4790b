#!/usr/bin/env bash
# What the package targets need from the system: binutils (strip, readelf) for the
# build; the xcb libraries Qt's X11 plugin links that a bare machine lacks, so that the
# bundle carries them; appstreamcli + desktop-file-validate for checking resources/.
# As root on Debian the missing ones are installed with apt-get; otherwise this says
# what to install.
set -euo pipefail

missing=()
command -v strip >/dev/null 2>&1 || missing+=(binutils)
command -v ldd >/dev/null 2>&1 || missing+=(libc-bin)
command -v appstreamcli >/dev/null 2>&1 || missing+=(appstream)
command -v desktop-file-validate >/dev/null 2>&1 || missing+=(desktop-file-utils)
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_lib 'libxcb-icccm.so.4 ' || missing+=(libxcb-icccm4)
has_lib 'libxcb-keysyms.so.1 ' || missing+=(libxcb-keysyms1)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "packaging needs these system packages: ${missing[*]}" >&2
  echo "install them (e.g. sudo apt-get install ${missing[*]}) and run again" >&2
  exit 1
fi
