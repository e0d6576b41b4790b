"""Smoke test of the frozen build dist/pandadmin/ (`make package-test`).

Runs with the dev venv's Python inside scripts/with-secret-service.sh: an embedded
PostgreSQL from the dev venv is the real database, its DATABASE_URL goes into the real
Secret Service through the frozen app itself (under a throwaway keyring service name),
and the frozen binary must then answer `--version`, `check --json`, `screenshot`, report
a real keyring backend, and log to a file when it has no console. The bundle's contents
and the desktop metadata in resources/ are checked too. Ends with one summary line.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pandadmin import __version__  # noqa: E402
from pandadmin.resources import APP_ID  # noqa: E402

BUNDLE = ROOT / "dist" / "pandadmin"
BINARY = BUNDLE / "pandadmin"
INTERNAL = BUNDLE / "_internal"
# Qt parts the trimmed bundle must not carry (see packaging/trim.py).
FORBIDDEN = ("libQt6Quick", "libQt6Qml", "libQt6WebEngine", "libQt6Pdf", "libgtk-3", "PyQt")


class Failure(Exception):
    pass


class Smoke:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.config = work / "config.toml"
        self.env = _frozen_env(work)
        self.results: list[tuple[str, str, float]] = []

    def step(self, name: str, check: Callable[[], str]) -> None:
        started = time.monotonic()
        try:
            outcome = check()
        except Failure as exc:
            outcome = f"FAIL: {exc}"
        self.results.append((name, outcome, time.monotonic() - started))
        print(f"{name:<22} {outcome}", flush=True)

    def run(self, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BINARY), *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def failed(self) -> int:
        return sum(1 for _name, outcome, _s in self.results if outcome.startswith("FAIL"))


def _frozen_env(work: Path) -> dict[str, str]:
    """The user's environment minus Python's own variables, with throwaway folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        PANDADMIN_KEYRING_SERVICE=f"pandadmin-smoke-{os.getpid()}",
        XDG_CONFIG_HOME=str(work / "config"),
        XDG_STATE_HOME=str(work / "state"),
        XDG_CACHE_HOME=str(work / "cache"),
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def output_of(done: subprocess.CompletedProcess[str]) -> str:
    return (done.stdout + done.stderr).strip()[-600:]


# The checks ------------------------------------------------------------------------


def check_version(smoke: Smoke) -> str:
    done = smoke.run("--version")
    expect(done.returncode == 0, f"exit {done.returncode}: {output_of(done)}")
    expect(done.stdout.strip() == f"pandadmin {__version__}", f"printed {done.stdout!r}")
    return done.stdout.strip()


def check_keyring_backend(smoke: Smoke) -> str:
    done = smoke.run(PANDADMIN_DIAG="keyring")
    expect(done.returncode == 0, f"no real keyring backend: {output_of(done)}")
    expect("SecretService" in done.stdout, f"expected the Secret Service: {done.stdout.strip()}")
    return done.stdout.splitlines()[0]


def check_env_add(smoke: Smoke, database_url: str) -> str:
    args = ("--config", str(smoke.config), "env", "add", "smoke", "--plan", "free")
    url_option = ("--database-url-env", "SMOKE_DATABASE_URL")
    done = smoke.run(*args, *url_option, SMOKE_DATABASE_URL=database_url)
    expect(done.returncode == 0, f"exit {done.returncode}: {output_of(done)}")
    expect(database_url not in smoke.config.read_text(), "the DATABASE_URL reached the config")
    return "DATABASE_URL stored in the Secret Service"


def check_check_json(smoke: Smoke) -> str:
    done = smoke.run("--config", str(smoke.config), "check", "--json")
    expect(done.returncode in (0, 1), f"exit {done.returncode}: {output_of(done)}")
    report = json.loads(done.stdout)
    database = report["environments"][0]["database"]
    expect(database["error"] is None, f"database error: {database['error']}")
    expect(database["connections"]["total"] >= 1, f"connections: {database['connections']}")
    expect("***" in database["url"], f"URL not redacted: {database['url']}")
    return (
        f"exit {done.returncode}, status {report['status']}, PostgreSQL "
        f"{database['server_version']}, {database['connections']['total']} connection(s)"
    )


def check_screenshot(smoke: Smoke) -> str:
    listed = smoke.run("--help")
    if "screenshot" not in listed.stdout:
        return "SKIPPED: this build has no screenshot command yet"
    out = smoke.work / "shot.png"
    options = ("--after", "2", "--size", "1024x640")
    done = smoke.run("--config", str(smoke.config), "screenshot", str(out), *options, timeout=90)
    expect(done.returncode == 0, f"exit {done.returncode}: {output_of(done)}")
    header = out.read_bytes()[:24]
    expect(header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    width, height = struct.unpack(">II", header[16:24])
    expect((width, height) == (1024, 640), f"PNG is {width}x{height}")
    shutil.copyfile(out, ROOT / "build" / "smoke-screenshot.png")
    return f"{width}x{height} PNG, {out.stat().st_size // 1024} KB (build/smoke-screenshot.png)"


def check_no_console_log(smoke: Smoke) -> str:
    # Closed stdout/stderr: Python sets sys.stdout/sys.stderr to None, as in windowed mode.
    command = '"$0" --version >&- 2>&-'
    done = subprocess.run(["sh", "-c", command, str(BINARY)], env=smoke.env, timeout=60)
    expect(done.returncode == 0, f"exit {done.returncode} without a console")
    logs = list((smoke.work / "state").rglob("pandadmin.log"))
    expect(len(logs) == 1, "no pandadmin.log was written")
    expect(f"pandadmin {__version__}" in logs[0].read_text(), "the log lacks the output")
    return f"output went to {logs[0].relative_to(smoke.work)}"


def check_env_remove(smoke: Smoke) -> str:
    done = smoke.run("--config", str(smoke.config), "env", "remove", "smoke")
    expect(done.returncode == 0, f"exit {done.returncode}: {output_of(done)}")
    return "keyring entry deleted"


def check_bundle() -> str:
    names = [path.name for path in INTERNAL.rglob("*")]
    for forbidden in FORBIDDEN:
        found = [name for name in names if name.startswith(forbidden)]
        expect(not found, f"the bundle carries {found[:3]}")
    data = [*ROOT.glob("pandadmin/core/queries/*.sql"), *ROOT.glob("pandadmin/resources/*.png")]
    missing = [p.name for p in data if not (INTERNAL / p.relative_to(ROOT)).is_file()]
    expect(not missing, f"the bundle lacks {missing}")
    metadata = [n for n in names if n.startswith("keyring-") and n.endswith(".dist-info")]
    expect(bool(metadata), "keyring's metadata (its backends' entry points) is missing")
    size = sum(p.stat().st_size for p in BUNDLE.rglob("*") if p.is_file() and not p.is_symlink())
    return f"{size / 1e6:.0f} MB; no Quick/Qml/WebEngine/GTK; {len(data)} data files; metadata"


def check_metadata() -> str:
    said = []
    metainfo = ROOT / "resources" / f"{APP_ID}.metainfo.xml"
    desktop = ROOT / "resources" / f"{APP_ID}.desktop"
    for tool, args in (
        ("appstreamcli", ["validate", "--no-net", str(metainfo)]),
        ("desktop-file-validate", [str(desktop)]),
    ):
        if shutil.which(tool) is None:
            said.append(f"{tool} missing (packaging/package-deps.sh installs it)")
            continue
        done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)
        expect(done.returncode == 0, f"{tool}: {output_of(done)}")
        said.append(f"{tool} ok")
    return ", ".join(said)


def main() -> int:
    if not BINARY.exists():
        print(f"{BINARY.relative_to(ROOT)} is missing: run `make package` first", file=sys.stderr)
        return 1
    from pandadmin.demo.pgserver import EmbeddedPostgres

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pandadmin-smoke-") as folder:
        smoke = Smoke(Path(folder))
        smoke.step("bundle contents", check_bundle)
        smoke.step("desktop metadata", check_metadata)
        smoke.step("--version", lambda: check_version(smoke))
        smoke.step("keyring backend", lambda: check_keyring_backend(smoke))
        smoke.step("no-console log file", lambda: check_no_console_log(smoke))
        with EmbeddedPostgres() as server:
            smoke.step("env add (keyring)", lambda: check_env_add(smoke, server.url()))
            smoke.step("check --json", lambda: check_check_json(smoke))
            smoke.step("screenshot", lambda: check_screenshot(smoke))
            smoke.step("env remove", lambda: check_env_remove(smoke))
    failed = smoke.failed()
    passed = len(smoke.results) - failed
    print(f"smoke test of dist/pandadmin/ took {time.monotonic() - started:.0f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
