"""`pandadmin screenshot`: the main window rendered offscreen after some live polling."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from pandadmin.core.secrets import AsyncSecrets


def run_screenshot(
    config_path: Path,
    out: Path,
    after: float = 3.0,
    size: tuple[int, int] = (1280, 800),
    env: str | None = None,
    secrets: AsyncSecrets | None = None,
) -> int:
    """Open the app offscreen on `config_path`, poll for `after` seconds, save a PNG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from pandadmin.qt.app import application

    app = application()
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(shoot(config_path, out, after, size, env, secrets))


async def shoot(
    config_path: Path,
    out: Path,
    after: float,
    size: tuple[int, int],
    env: str | None,
    secrets: AsyncSecrets | None = None,
) -> int:
    from pandadmin.qt.app import open_controller

    controller = await open_controller(config_path, secrets)
    try:
        window = controller.window
        window.resize(*size)
        if env:
            window.environments.select(env)
        await asyncio.sleep(after)
        window.detail.chart.refresh()
        image = window.grab().toImage()
        saved = await asyncio.to_thread(image.save, str(out))
    finally:
        await controller.close()
    return 0 if saved else 1
