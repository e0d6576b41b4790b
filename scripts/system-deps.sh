#!/usr/bin/env bash
# Make sure the system parts the tests and the demo need are present: a Secret Service
# (gnome-keyring + dbus) and the shared libraries Qt loads offscreen. As root on Debian
# the missing ones are installed with apt-get; otherwise this says what to install.
set -euo pipefail

missing=()
command -v dbus-run-session >/dev/null 2>&1 || missing+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_lib 'libEGL.so.1 ' || missing+=(libegl1)
has_lib 'libGL.so.1 ' || missing+=(libgl1)
has_lib 'libxkbcommon.so.0 ' || missing+=(libxkbcommon0)
has_lib 'libfontconfig.so.1 ' || missing+=(libfontconfig1)
has_lib 'libdbus-1.so.3 ' || missing+=(libdbus-1-3)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "pandadmin needs these system packages: ${missing[*]}" >&2
  echo "install them (e.g. sudo apt-get install ${missing[*]}) and run again" >&2
  exit 1
fi
