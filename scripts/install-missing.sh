# Sourced by the *-deps.sh scripts: `has_lib NAME` and `install_missing WHO PACKAGE...`,
# which apt-gets the packages as root on Debian and otherwise says what to install.

has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

install_missing() {
  local who=$1
  shift
  [ $# -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "$who needs these system packages: $*" >&2
    echo "install them (e.g. sudo apt-get install $*) and run again" >&2
    return 1
  fi
}
