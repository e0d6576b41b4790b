"""The app's life cycle through `main`: a corrupt config is shown, never overwritten."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox

from pandadmin.qt.app import main
from tests.qt.conftest import until


def _message_box() -> QMessageBox | None:
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    return next((b for b in boxes if b.isVisible()), None)


def test_a_corrupt_config_is_reported_with_file_and_line_and_left_untouched(
    tmp_path: Path, run: Any
) -> None:
    path = tmp_path / "config.toml"
    text = '[environments.prod]\ninterval = "often"\n'
    path.write_text(text)

    async def scenario() -> int:
        app = asyncio.ensure_future(main(path))
        box = await until(_message_box, what="the error message")
        assert f"{path}:2: environments.prod.interval" in box.text()
        assert "left untouched" in box.text()
        box.button(QMessageBox.StandardButton.Ok).click()
        return await asyncio.wait_for(app, 5)

    assert run(scenario()) == 2
    assert path.read_text() == text
