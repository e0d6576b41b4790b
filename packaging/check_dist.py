"""Check the Python distributions: `python -m build` makes an sdist and, from it, a wheel
that hold every data file, and each installs with pip into a fresh venv and runs.

Runs with the dev venv's Python inside scripts/with-secret-service.sh (the installed
`pandadmin` stores a DATABASE_URL in the real Secret Service and runs `check --json`
against an embedded PostgreSQL). `build` comes from the packaging venv that
packaging/build.sh made. Ends with one summary line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pandadmin import __version__  # noqa: E402

BUILD_PYTHON = ROOT / "build" / "package-venv" / "bin" / "python"
OUT = ROOT / "build" / "python-dist"
DATA_GLOBS = (
    "pandadmin/core/queries/*.sql",
    "pandadmin/resources/*",
    "pandadmin/demo/sample_service/**/*",
)


def data_files() -> list[str]:
    """Every non-Python file the package needs at run time, as paths inside the wheel."""
    found = {p for pattern in DATA_GLOBS for p in ROOT.glob(pattern) if p.is_file()}
    tracked = set(_git("ls-files", "pandadmin").splitlines())
    return sorted(str(p.relative_to(ROOT)) for p in found if str(p.relative_to(ROOT)) in tracked)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout


def build() -> tuple[Path, Path]:
    shutil.rmtree(OUT, ignore_errors=True)
    done = subprocess.run(
        [str(BUILD_PYTHON), "-m", "build", "--outdir", str(OUT), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(f"python -m build failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return next(OUT.glob("*.tar.gz")), next(OUT.glob("*.whl"))


def missing_data(sdist: Path, wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
    with tarfile.open(sdist) as archive:
        prefix = f"pandadmin-{__version__}/"
        in_sdist = {name.removeprefix(prefix) for name in archive.getnames()}
    needed = data_files()
    return [f"{n} (wheel)" for n in needed if n not in in_wheel] + [
        f"{n} (sdist)" for n in needed if n not in in_sdist
    ]


def install(artifact: Path, venv: Path) -> float:
    started = time.monotonic()
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    done = subprocess.run(
        [*pip, "--disable-pip-version-check", str(artifact)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise AssertionError(f"pip install failed:\n{done.stderr[-2000:]}")
    return time.monotonic() - started


def run_installed(venv: Path, database_url: str, work: Path) -> str:
    """`--version`, `env add` (keyring) and `check --json` with the installed command."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        PANDADMIN_KEYRING_SERVICE=f"pandadmin-dist-{os.getpid()}-{venv.name}",
        XDG_CONFIG_HOME=str(work / "config"),
        SMOKE_DATABASE_URL=database_url,
        QT_QPA_PLATFORM="offscreen",
    )
    command = str(venv / "bin" / "pandadmin")
    config = ["--config", str(work / f"{venv.name}.toml")]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [command, *args], env=env, cwd=work, capture_output=True, text=True, timeout=120
        )

    version = run("--version").stdout.strip()
    assert version == f"pandadmin {__version__}", version
    url_option = ("--database-url-env", "SMOKE_DATABASE_URL")
    added = run(*config, "env", "add", "dist", "--plan", "free", *url_option)
    assert added.returncode == 0, added.stderr
    checked = run(*config, "check", "--json")
    run(*config, "env", "remove", "dist")
    assert checked.returncode in (0, 1), checked.stderr
    database = json.loads(checked.stdout)["environments"][0]["database"]
    assert database["error"] is None, database["error"]
    assert (venv / "bin" / "pandadmin-gui").exists(), "the pandadmin-gui script is missing"
    server = database["server_version"]
    return f"{version}; check --json exit {checked.returncode}, PostgreSQL {server}"


def main() -> int:
    from pandadmin.demo.pgserver import EmbeddedPostgres

    started = time.monotonic()
    sdist, wheel = build()
    print(f"built {sdist.name} and {wheel.name} in {time.monotonic() - started:.0f} s")
    missing = missing_data(sdist, wheel)
    if missing:
        print(f"FAIL: data files missing: {missing}")
        print("0 passed, 1 failed")
        return 1
    print(f"data files: all {len(data_files())} present in the sdist and the wheel")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="pandadmin-dist-") as folder, EmbeddedPostgres() as db:
        for artifact in (wheel, sdist):
            venv = ROOT / "build" / f"{'wheel' if artifact is wheel else 'sdist'}-venv"
            try:
                took = install(artifact, venv)
                ran = run_installed(venv, db.url(), Path(folder))
                print(f"{artifact.name}: installed in {took:.0f} s; {ran}")
            except (AssertionError, subprocess.CalledProcessError) as exc:
                failures += 1
                print(f"FAIL {artifact.name}: {exc}")
    print(f"python distributions checked in {time.monotonic() - started:.0f} s")
    print(f"{3 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
