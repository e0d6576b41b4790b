"""Make the README's screenshots with `pandadmin screenshot` on live data.

Run under a Secret Service: `bash scripts/with-secret-service.sh .venv/bin/python
scripts/screenshots.py`. It starts `pandadmin demo --no-gui`, adds a "billing"
environment on a PostgreSQL of its own, and shoots the main window (prod, everything
up), the same window after billing's database went down (unreachable state), and
the empty state. Everything it starts is stopped; the demo removes its keyring entries.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pandadmin.core import config as cfg
from pandadmin.core.secrets import open_store
from pandadmin.demo.pgserver import EmbeddedPostgres

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CLI = [sys.executable, "-m", "pandadmin"]
MAIN_AFTER, DOWN_AT, UNREACHABLE_AFTER = 75.0, 85.0, 110.0


def start_demo() -> tuple[subprocess.Popen[str], Path]:
    demo = subprocess.Popen([*CLI, "demo", "--no-gui"], stdout=subprocess.PIPE, text=True)
    assert demo.stdout is not None
    for line in demo.stdout:
        if line.startswith("config: "):
            return demo, Path(line.removeprefix("config: ").strip())
    raise RuntimeError("the demo did not start")


def add_billing(config_path: Path, database_url: str) -> Path:
    """The demo's config plus a `billing` environment; written beside it."""
    config = cfg.load(config_path)
    billing = cfg.Environment("billing", plan="pro", interval=2.0)
    open_store(config).set("billing", database_url)
    out = config_path.with_name("screenshots.toml")
    cfg.save(config.with_environment(billing), out)
    return out


def shoot(config: Path, out: Path, after: float, env: str | None) -> subprocess.Popen[bytes]:
    args = [*CLI, "--config", str(config), "screenshot", str(out), "--after", str(after)]
    return subprocess.Popen(args + (["--env", env] if env else []))


def hold_connections(server: EmbeddedPostgres, count: int) -> list[subprocess.Popen[bytes]]:
    """A few long-running psql sessions so billing's chart has something to show."""
    env = {**os.environ, "PGPASSWORD": server.password}
    quiet = subprocess.DEVNULL
    return [
        subprocess.Popen(_psql(server, "SELECT pg_sleep(600)"), env=env, stdout=quiet, stderr=quiet)
        for _ in range(count)
    ]


def _psql(server: EmbeddedPostgres, statement: str) -> list[str]:
    from pandadmin.demo.pgserver import bin_dir

    return [str(bin_dir() / "psql"), "-X", "-q", "-h", "127.0.0.1", "-p", str(server.port),
            "-U", "postgres", "-d", "postgres", "-c", statement]  # fmt: skip


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    demo, demo_config = start_demo()
    billing = EmbeddedPostgres(max_connections=40)
    sessions: list[subprocess.Popen[bytes]] = []
    try:
        billing.start()
        sessions = hold_connections(billing, 6)
        config = add_billing(demo_config, billing.url("postgres"))
        empty = Path(tempfile.mkdtemp()) / "empty.toml"
        shots = [
            shoot(config, DOCS / "screenshot-main.png", MAIN_AFTER, "prod"),
            shoot(config, DOCS / "screenshot-unreachable.png", UNREACHABLE_AFTER, "billing"),
        ]
        threading.Timer(DOWN_AT, billing.stop).start()
        shoot(empty, DOCS / "screenshot-empty.png", 1.0, None).wait()
        codes = [shot.wait() for shot in shots]
        open_store(cfg.load(config)).delete("billing")
        return max(codes)
    finally:
        for session in sessions:
            session.kill()
            session.wait()
        billing.close()
        demo.send_signal(signal.SIGTERM)
        demo.wait(60)
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
