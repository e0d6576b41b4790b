"""`pandadmin screenshot`: the main window rendered offscreen after some live polling."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from pandadmin.core.secrets import AsyncSecrets


def run_screenshot(
    config_path: Path,
    out: Path,
    after: float = 3.0,
    size: tuple[int, int] = (1280, 800),
    env: str | None = None,
    secrets: AsyncSecrets | None = None,
    tab: str | None = None,
) -> int:
    """Open the app offscreen on `config_path`, poll for `after` seconds, save a PNG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pandadmin.qt.app import application
    from pandadmin.qt.event_loop import new_loop

    app = application()
    _quiet_offscreen_noise()
    with asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner:
        return runner.run(shoot(config_path, out, after, size, env, secrets, tab))


def _quiet_offscreen_noise() -> None:
    """The offscreen platform warns for every window with size hints; nobody can act on it."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        if "propagateSizeHints" not in message:
            sys.stderr.write(f"{message}\n")

    qInstallMessageHandler(handler)


async def shoot(
    config_path: Path,
    out: Path,
    after: float,
    size: tuple[int, int],
    env: str | None,
    secrets: AsyncSecrets | None = None,
    tab: str | None = None,
) -> int:
    from pandadmin.qt.app import open_controller

    controller = await open_controller(config_path, secrets, remember=False)
    try:
        window = controller.window
        window.resize(*size)
        if env:
            window.choose(env)
        tabs = window.detail.tabs
        for index in range(tabs.count()):
            if tab and tabs.tabText(index).lower() == tab:
                tabs.setCurrentIndex(index)
        await asyncio.sleep(after)
        window.detail.chart.refresh()
        image = window.grab().toImage()
        saved = await asyncio.to_thread(image.save, str(out))
    finally:
        await controller.close()
    return 0 if saved else 1
