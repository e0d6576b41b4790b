"""The README's PgBouncer screenshots: the demo's prod (its API behind a real PgBouncer).

Run under a Secret Service: `bash scripts/with-secret-service.sh .venv/bin/python
scripts/screenshot_pooler.py`. Needs the `pgbouncer` binary (Debian package pgbouncer).
Shoots prod's chart after a minute of polling (pooler client and waiting curves, server
cap) and, during a burst, the Pooler tab. Everything it starts is stopped.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CLI = [sys.executable, "-m", "pandadmin"]


def start_demo() -> tuple[subprocess.Popen[str], Path]:
    demo = subprocess.Popen([*CLI, "demo", "--no-gui"], stdout=subprocess.PIPE, text=True)
    assert demo.stdout is not None
    for line in demo.stdout:
        print(line, end="")
        if line.startswith("config: "):
            return demo, Path(line.removeprefix("config: ").strip())
    raise RuntimeError("the demo did not start")


def waiting(config: Path) -> int:
    done = subprocess.run(
        [*CLI, "--config", str(config), "check", "prod", "--json"], capture_output=True, text=True
    )
    pooler = json.loads(done.stdout)["environments"][0]["pooler"] or {}
    return int((pooler.get("clients") or {}).get("waiting", 0))


def shoot(config: Path, out: Path, after: float, tab: str) -> None:
    args = [*CLI, "--config", str(config), "screenshot", str(out), "--after", str(after)]
    subprocess.run([*args, "--env", "prod", "--tab", tab, "--size", "1280x800"], check=True)


def main() -> int:
    demo, config = start_demo()
    try:
        shoot(config, DOCS / "screenshot-pooler-chart.png", 70.0, "connections")
        # Catch a burst as it starts (between bursts nobody waits): quiet first, then busy.
        deadline = time.monotonic() + 180
        while waiting(config) > 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        while waiting(config) == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        # The first poll waits for the API's health check, itself queued in the burst.
        shoot(config, DOCS / "screenshot-pooler-tab.png", 9.0, "pooler")
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
