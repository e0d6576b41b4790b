"""The Health tab on real servers: dialects with their sub-checks, the timing split and the
certificate's days left, as the user reads them; and the environment's status follows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit

from pandadmin.core import config as cfg
from pandadmin.core.models import Status
from tests.conftest import DIALECT_TOKEN
from tests.qt.conftest import KEYRING_SERVICE, AppHarness, environment, plain, until


def test_sub_checks_timing_and_certificate_in_the_health_tab(
    harness: AppHarness,
    run: Any,
    dialects: str,
    tls_servers: dict[str, str],
    test_ca: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca_file))  # the prober trusts the test CA
    services = (
        cfg.Service("orders", f"{dialects}/dialect/ietf-warn"),
        cfg.Service("billing", f"{dialects}/dialect/actuator-down"),
        cfg.Service("search", tls_servers["10d"] + "/dialect/ietf-pass"),
    )

    async def scenario() -> None:
        harness.write(cfg.Config((environment("prod", services=services),)))
        controller = await harness.open()
        window = controller.window
        report = await until(lambda: window.reports.get("prod"), what="first report")
        panel = window.detail.health
        window.detail.tabs.setCurrentWidget(panel)
        await until(lambda: "billing" in panel._rows, what="health rows")
        assert report.status == Status.CRITICAL

        orders = plain(panel._details["orders"])
        assert "db:responseTime: fail, 1204 ms (slow queries)" in orders
        assert "cache:connections: pass" in orders
        assert "first byte " in orders  # after DNS, connect (first poll) or "reused connection"
        assert "DNS " in orders or "reused connection" in orders
        assert plain(panel._rows["orders"][4]) == "reported warn (db:responseTime: fail)"

        assert "db: down (Connection refused)" in plain(panel._details["billing"])
        assert plain(panel._rows["billing"][4]) == "reported down (db: down)"

        search = plain(panel._details["search"])
        assert "db:connection: pass" in search and "TLS " in search
        assert "certificate: 10 days left (" in search
        assert plain(panel._rows["search"][4]).startswith("certificate expires in 10 days")

        window.resize(1100, 700)
        shot = os.environ.get("PANDADMIN_HEALTH_SHOT")  # set it to look at the tab
        window.detail.grab().save(shot or str(tmp_path / "health.png"))

    run(scenario())


def test_bearer_token_typed_in_the_dialog_goes_to_the_keyring_only(
    harness: AppHarness,
    memory_keyring: Any,
    run: Any,
    dialects: str,
    tmp_path: Path,
) -> None:
    services = (cfg.Service("api", f"{dialects}/protected"),)

    async def scenario() -> None:
        harness.write(cfg.Config((environment("prod", services=services),)))
        controller = await harness.open()
        window = controller.window
        await until(
            lambda: (r := window.reports.get("prod")) and r.services[0].http_status == 401,
            what="401 without the header",
        )
        controller.open_dialog("prod")
        dialog = await until(lambda: controller.dialog, what="dialog")
        form = dialog.services.health
        QTest.keyClicks(form.headers, f"Authorization: Bearer {DIALECT_TOKEN}")
        finished: list[int] = []
        dialog.finished.connect(finished.append)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        await until(lambda: finished, what="dialog saved")

        key = (KEYRING_SERVICE, "prod/service/api/headers")
        assert DIALECT_TOKEN in memory_keyring.values[key]
        assert DIALECT_TOKEN not in harness.path.read_text()
        await until(
            lambda: window.reports["prod"].services[0].http_status == 200,
            what="healthy with the header",
        )
        window.detail.tabs.setCurrentWidget(window.detail.health)
        shot = tmp_path / "window.png"
        window.grab().save(str(shot))
        texts = [w.text() for w in window.findChildren(QLabel) + window.findChildren(QLineEdit)]
        assert texts and not any(DIALECT_TOKEN in t for t in texts)

    run(scenario())
