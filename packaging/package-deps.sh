#!/usr/bin/env bash
# What the package targets need from the system: binutils (strip, readelf) for the
# build; the xcb libraries Qt's X11 plugin links that a bare machine lacks, so that the
# bundle carries them; appstreamcli + desktop-file-validate for checking resources/.
# As root on Debian the missing ones are installed with apt-get; otherwise this says
# what to install.
set -euo pipefail
# shellcheck source=scripts/install-missing.sh
source "$(dirname "$0")/../scripts/install-missing.sh"

missing=()
command -v strip >/dev/null 2>&1 || missing+=(binutils)
command -v ldd >/dev/null 2>&1 || missing+=(libc-bin)
command -v appstreamcli >/dev/null 2>&1 || missing+=(appstream)
command -v desktop-file-validate >/dev/null 2>&1 || missing+=(desktop-file-utils)
has_lib 'libxcb-icccm.so.4 ' || missing+=(libxcb-icccm4)
has_lib 'libxcb-keysyms.so.1 ' || missing+=(libxcb-keysyms1)

install_missing packaging "${missing[@]}"
