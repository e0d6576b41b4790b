"""Add / edit / remove an environment through the real dialogs: the URL goes to the keyring
(never the config file), "Test connection" runs a real probe, Delete asks first."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLineEdit

from pandadmin.core import config as cfg
from pandadmin.core.urls import normalise, parse
from pandadmin.qt.dialogs.environment import EnvironmentDialog
from pandadmin.qt.main_window import EMPTY_PAGE
from tests.conftest import InMemoryKeyring
from tests.qt.conftest import KEYRING_SERVICE, AppHarness, environment, plain, unique, until


async def _open_dialog(harness: AppHarness, name: str | None = None) -> EnvironmentDialog:
    controller = harness.controller
    assert controller is not None
    controller.open_dialog(name)
    dialog = await until(lambda: controller.dialog, what="dialog")
    assert dialog.isVisible()
    return dialog


async def _save(dialog: EnvironmentDialog) -> None:
    results: list[int] = []
    dialog.finished.connect(results.append)  # the dialog deletes itself once finished
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    await until(lambda: results, what="dialog closed")
    assert results == [QDialog.DialogCode.Accepted]


def test_add_stores_url_in_keyring_and_test_connection_reports_wrong_password(
    pg: Any, harness: AppHarness, memory_keyring: InMemoryKeyring, run: Any
) -> None:
    database = unique("orders")
    pg.create_database(database)
    good, bad = pg.url(database), pg.url(database, password="not-the-password")

    async def scenario() -> None:
        harness.write(cfg.Config())
        controller = await harness.open()
        dialog = await _open_dialog(harness)
        assert dialog.url.echoMode() == QLineEdit.EchoMode.Password
        dialog.name.setText("staging")
        dialog.url.setText(bad)
        dialog.test_button.click()
        await until(lambda: "✗" in plain(dialog.test_result), what="test result")
        assert "password authentication failed for user 'postgres'" in plain(dialog.test_result)
        assert "not-the-password" not in plain(dialog.test_result)

        dialog.url.setText(good)
        dialog.test_button.click()
        await until(lambda: "✓" in plain(dialog.test_result), what="successful test")
        assert "Connected to PostgreSQL" in plain(dialog.test_result)

        dialog.plan.setCurrentIndex(dialog.plan.findData("pro"))
        dialog.services.add_service(cfg.Service("api", "http://127.0.0.1:9/health", 5, 10, 2, 3))
        assert "(5 + 10) × 2 × 3 = 90" in plain(dialog.services.budget)
        assert "fits within the limit of 300" in plain(dialog.services.budget)
        await _save(dialog)

        assert memory_keyring.values[(KEYRING_SERVICE, "staging")] == normalise(parse(good))
        saved = cfg.load(harness.path)
        env = saved.environment("staging")
        assert env is not None and env.plan == "pro" and env.services[0].workers == 2
        assert pg.password not in harness.path.read_text()
        window = controller.window
        assert window.environments.current_name() == "staging"
        await until(lambda: window.reports.get("staging"), what="the new environment polled")

    run(scenario())


def test_dialog_refuses_bad_input_without_saving(harness: AppHarness, run: Any) -> None:
    async def scenario() -> None:
        harness.write(cfg.Config((environment("prod", interval=60),)))
        await harness.open()
        dialog = await _open_dialog(harness)
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        dialog.name.setText("prod")
        dialog.url.setText("postgresql://u:p@db/app")
        save.click()
        assert "already exists" in plain(dialog.error)
        dialog.name.setText("qa")
        dialog.url.setText("mysql://u:p@db/app")
        save.click()
        assert "unsupported scheme 'mysql'" in plain(dialog.error)
        dialog.plan.setCurrentIndex(dialog.plan.findData("custom"))
        dialog.custom_limit.setValue(10)
        dialog.services.add_service(cfg.Service("api", "http://h/health", 5, 10, 1, 1))
        assert "exceeds the limit of 10" in plain(dialog.services.budget)
        assert cfg.load(harness.path).environment("qa") is None
        dialog.reject()

    run(scenario())


def test_edit_keeps_the_stored_url_and_delete_removes_env_and_keyring_entry(
    pg: Any, harness: AppHarness, memory_keyring: InMemoryKeyring, run: Any
) -> None:
    url = pg.url("postgres")

    async def scenario() -> None:
        harness.write(cfg.Config((environment("prod", interval=60),)), {"prod": url})
        controller = await harness.open()
        window = controller.window
        dialog = await _open_dialog(harness, "prod")
        assert dialog.url.text() == ""  # the secret never comes back into the UI
        dialog.plan.setCurrentIndex(dialog.plan.findData("custom"))
        dialog.custom_limit.setValue(20)
        await _save(dialog)
        assert cfg.load(harness.path).environment("prod").connection_limit == 20  # type: ignore[union-attr]
        assert memory_keyring.values[(KEYRING_SERVICE, "prod")] == url

        window.activateWindow()
        await until(lambda: QApplication.activeWindow() is window, what="active window")
        QTest.keyClick(window.environments, Qt.Key.Key_Delete)
        box = await until(lambda: controller.pending, what="confirmation")
        assert "prod" in box.text() and box.isVisible()
        assert cfg.load(harness.path).environment("prod") is not None  # nothing before "Remove"
        box.yes_button.click()
        await until(lambda: window.pages.currentIndex() == EMPTY_PAGE, what="the empty state")
        assert not cfg.load(harness.path).environments
        assert (KEYRING_SERVICE, "prod") not in memory_keyring.values

    run(scenario())


def test_prometheus_url_is_checked_then_saved_with_the_environment(
    harness: AppHarness, run: Any
) -> None:
    async def scenario() -> None:
        harness.write(cfg.Config((environment("prod", interval=60),)))
        await harness.open()
        dialog = await _open_dialog(harness, "prod")
        dialog.prometheus.setText("prometheus:9090")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert "invalid Prometheus URL" in plain(dialog.error)
        assert cfg.load(harness.path).environment("prod").prometheus_url is None  # type: ignore[union-attr]
        dialog.prometheus.setText("http://prometheus.internal:9090")
        await _save(dialog)
        saved = cfg.load(harness.path).environment("prod")
        assert saved is not None and saved.prometheus_url == "http://prometheus.internal:9090"

    run(scenario())


def test_pgbouncer_url_is_checked_then_stored_in_the_keyring_only(
    harness: AppHarness, run: Any
) -> None:
    import keyring

    admin = "postgresql://pooler:d1al0g-S3cret@pool.internal:6432/pgbouncer"

    async def scenario() -> None:
        harness.write(cfg.Config((environment("prod", interval=60),)))
        await harness.open()
        dialog = await _open_dialog(harness, "prod")
        assert dialog.pgbouncer.echoMode() == QLineEdit.EchoMode.Password
        dialog.pgbouncer.setText(admin.replace("/pgbouncer", "/app"))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert "names the database 'pgbouncer'" in plain(dialog.error)
        assert "d1al0g" not in plain(dialog.error)
        dialog.pgbouncer.setText(admin)
        await _save(dialog)
        assert keyring.get_password(KEYRING_SERVICE, "prod/pgbouncer") == admin
        assert "d1al0g" not in harness.path.read_text()

    try:
        run(scenario())
    finally:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(KEYRING_SERVICE, "prod/pgbouncer")
