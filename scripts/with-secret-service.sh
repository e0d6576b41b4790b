#!/usr/bin/env bash
# Run a command inside a private D-Bus session with an unlocked gnome-keyring, so the
# `keyring` package talks to a real Secret Service (used by `make test` and the demo).
set -euo pipefail
if [ -z "${PANDADMIN_IN_SECRET_SERVICE:-}" ]; then
  export PANDADMIN_IN_SECRET_SERVICE=1
  exec dbus-run-session -- "$0" "$@"
fi
# A throwaway keyring home: never touch the user's own login keyring.
export XDG_DATA_HOME="${XDG_DATA_HOME_FOR_KEYRING:-$(mktemp -d -t pandadmin-keyring-XXXXXX)}"
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
echo -n "pandadmin-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$@"
