"""The app's saves go through the same transaction as the CLI: a failed keyring write or
file write, from the dialog and from Remove, leaves config and keyring as they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from pandadmin.core import config as cfg
from pandadmin.qt.dialogs.environment import EnvironmentDialog
from tests.conftest import InMemoryKeyring
from tests.qt.conftest import KEYRING_SERVICE, AppHarness, environment, plain, until
from tests.support.keyrings import FlakyKeyring

URL = "postgresql://app:pw@127.0.0.1:9/app"
NEW_URL = "postgresql://app:new@127.0.0.1:9/app"
HEADERS = (KEYRING_SERVICE, "prod/service/api/headers")


def _disk_full(config: cfg.Config, target: Path) -> None:
    raise OSError(28, "No space left on device")


async def _failed_dialog_save(dialog: EnvironmentDialog, expected: str) -> None:
    dialog.error.setText("")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    await until(lambda: expected in plain(dialog.error), what=f"error {expected!r}")
    assert dialog.isVisible()


async def _failed_remove(harness: AppHarness, expected: str) -> None:
    controller = harness.controller
    assert controller is not None
    controller._start_remove("prod")  # what the confirmation's Remove button runs

    def error_box() -> QMessageBox | None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        return next((b for b in boxes if b.isVisible() and expected in b.text()), None)

    box = await until(error_box, what=f"message {expected!r}")
    box.accept()


def test_failed_saves_and_removes_leave_config_and_keyring_alone(
    harness: AppHarness,
    memory_keyring: InMemoryKeyring,
    run: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flaky = FlakyKeyring()
    keyring.set_keyring(flaky)  # memory_keyring's teardown restores the real one
    api = cfg.Service("api", "http://127.0.0.1:9/health")
    harness.write(cfg.Config((environment("prod", interval=60, services=(api,)),)))
    flaky.values = {(KEYRING_SERVICE, "prod"): URL, HEADERS: '{"X-Token": "t"}'}
    before, secrets = harness.path.read_bytes(), dict(flaky.values)

    def unchanged() -> None:
        assert harness.path.read_bytes() == before
        assert flaky.values == secrets

    async def scenario() -> None:
        controller = await harness.open()
        controller.open_dialog("prod")
        dialog = await until(lambda: controller.dialog, what="dialog")
        dialog.name.setText("live")
        dialog.url.setText(NEW_URL)
        for fail_at in range(3):  # new URL, moved headers, (deleted old entries)
            flaky.writes, flaky.fail_at = 0, fail_at
            await _failed_dialog_save(dialog, "keyring")
            unchanged()
        flaky.fail_at = None
        with monkeypatch.context() as patch:
            patch.setattr(cfg, "save", _disk_full)
            await _failed_dialog_save(dialog, "No space left")
            await _failed_remove(harness, "No space left")
        unchanged()
        dialog.reject()
        for fail_at in range(2):  # the deletes run after the file is saved
            flaky.writes, flaky.fail_at = 0, fail_at
            await _failed_remove(harness, "keyring")
            unchanged()
        assert controller.config.environment("prod") is not None

    run(scenario())
