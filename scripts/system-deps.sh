#!/usr/bin/env bash
# Make sure the system parts the tests and the demo need are present: a Secret Service
# (gnome-keyring + dbus), the shared libraries Qt loads offscreen, PgBouncer,
# Prometheus (with promtool) and a PostgreSQL server built with TLS (the wheel's is not). As root on Debian the missing ones are installed with
# apt-get; otherwise this says what to install.
set -euo pipefail
# shellcheck source=scripts/install-missing.sh
source "$(dirname "$0")/install-missing.sh"

missing=()
command -v dbus-run-session >/dev/null 2>&1 || missing+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
has_lib 'libEGL.so.1 ' || missing+=(libegl1)
has_lib 'libGL.so.1 ' || missing+=(libgl1)
has_lib 'libxkbcommon.so.0 ' || missing+=(libxkbcommon0)
has_lib 'libfontconfig.so.1 ' || missing+=(libfontconfig1)
has_lib 'libdbus-1.so.3 ' || missing+=(libdbus-1-3)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null 2>&1 || missing+=(pgbouncer)
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || missing+=(prometheus)

install_missing pandadmin "${missing[@]}"
