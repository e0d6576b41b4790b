"""Render the app's 7 d range after a restart, for the README.

A history store is filled with a week of prod's polls (one a minute, written through the
store's own write path, so the rollups and pruning are the real ones): a daily traffic
pattern, a night when nothing was polling (a gap), a morning when the API's health
flapped. Then the real app opens on that data folder and a real PostgreSQL (the embedded
one), polls live for a few seconds, and the 7 d range is grabbed. Run:
`QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_history.py [OUT.png]`
(default docs/screenshot-history-7d.png; a second picture, the Health tab, goes beside it).
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DAY = 86400.0


def fill(folder: Path, now: float) -> None:
    from pandadmin.core.samples import Sample
    from pandadmin.core.store import Store

    store = Store(folder / "history.sqlite3")
    closed = (now - 3.2 * DAY, now - 2.7 * DAY)  # the laptop was shut
    flap = (now - 1.6 * DAY, now - 1.55 * DAY)
    batch = []
    for step in range(int(7 * DAY / 60)):
        t = now - 7 * DAY + step * 60
        if closed[0] <= t < closed[1]:
            continue
        hour = (t % DAY) / 3600
        busy = 0.5 + 0.5 * math.sin((hour - 8) / 24 * 2 * math.pi)
        active = round(2 + 9 * busy + (step % 7) / 4)
        idle = round(10 + 14 * busy + (step % 5) / 2)
        leak = 3 if 10 < hour < 11 else 0
        up = 0.0 if flap[0] <= t < flap[1] and step % 3 else 1.0
        batch.append(Sample("prod", t, {
            "status": 0.0, "db.up": 1.0, "conn.total": float(active + idle + leak + 1),
            "conn.state.active": float(active), "conn.state.idle": float(idle + 1),
            "conn.state.idle in transaction": float(leak), "limit.effective": 50.0,
            "health.up.api": up, "health.latency_ms.api": 40.0 + 30 * busy,
            "health.up.worker": 1.0, "health.latency_ms.worker": 12.0,
        }))  # fmt: skip
        if len(batch) == 500:
            store.write(batch)
            batch = []
    store.write(batch)
    store.close()


async def shoot(out: Path, folder: Path, url: str, health: str) -> None:
    from pandadmin.core import config as cfg
    from pandadmin.core.secrets import AsyncSecrets, MemoryStore
    from pandadmin.qt.app import open_controller

    path = folder / "config.toml"
    services = (cfg.Service("api", f"{health}/ok", pool_size=5, max_overflow=5),
                cfg.Service("worker", f"{health}/ok", pool_size=2, max_overflow=0))  # fmt: skip
    cfg.save(cfg.Config((cfg.Environment("prod", connection_limit=50, services=services),)), path)
    memory = MemoryStore()
    memory.set("prod", url)
    controller = await open_controller(path, AsyncSecrets(memory), remember=False, data_dir=folder)
    window = controller.window
    window.resize(1280, 800)
    await asyncio.sleep(4)
    window.detail.chart.set_window_index(3)  # 7 d
    await asyncio.sleep(3)
    window.grab().save(str(out))
    window.detail.tabs.setCurrentWidget(window.detail.health)
    await asyncio.sleep(1)
    window.grab().save(str(out.with_name("screenshot-history-health.png")))
    await controller.close()


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from pandadmin.demo.pgserver import EmbeddedPostgres
    from pandadmin.qt.app import application

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot-history-7d.png"
    from tests.support.servers import UvicornProcess

    health = UvicornProcess("tests.support.fault_app:app")
    try:
        health.wait_ready("/ok")
        with tempfile.TemporaryDirectory() as temp, EmbeddedPostgres(max_connections=100) as pg:
            folder = Path(temp)
            fill(folder, time.time() - 30)
            app = application()
            with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
                runner.run(shoot(out, folder, pg.url("postgres"), health.url))
    finally:
        health.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
