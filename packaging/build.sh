#!/usr/bin/env bash
# Build the one-dir desktop bundle dist/pandadmin/ with PyInstaller and print its size.
#
# PyInstaller runs from its own venv (build/package-venv), never the test venv: it holds
# only pandadmin's runtime dependencies (PySide6-Essentials as the one Qt binding) and
# the `package` extra, so nothing a test or the demo needs can leak into the bundle.
# The venv is reused until pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=build/package-venv
started=$SECONDS

stamp="$VENV/.pyproject-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  echo "package: creating $VENV (runtime dependencies + PyInstaller)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  mapfile -t requirements < <("$VENV/bin/python" - <<'PY'
import tomllib

with open("pyproject.toml", "rb") as handle:
    project = tomllib.load(handle)["project"]
print("\n".join(project["dependencies"] + project["optional-dependencies"]["package"]))
PY
)
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${requirements[@]}"
  touch "$stamp"
fi

echo "package: running PyInstaller (packaging/pandadmin.spec)"
"$VENV/bin/python" -m PyInstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/pandadmin.spec

bytes=$(du -sb dist/pandadmin | cut -f1)
echo "package: dist/pandadmin/ is $((bytes / 1000000)) MB ($((bytes / 1048576)) MiB," \
  "$(find dist/pandadmin -type f | wc -l) files), built in $((SECONDS - started)) s"
