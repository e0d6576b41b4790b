"""Desktop notifications with hysteresis, driven by a real uvicorn health endpoint."""

from __future__ import annotations

from typing import Any

import httpx

from pandadmin.core import config as cfg
from pandadmin.core.models import Status
from pandadmin.core.report import EnvironmentReport
from tests.qt.conftest import AppHarness, environment, until
from tests.support.servers import UvicornProcess


def _streak(reports: list[EnvironmentReport], critical: bool) -> int:
    count = 0
    for report in reversed(reports):
        if (report.status == Status.CRITICAL) != critical:
            break
        count += 1
    return count


def test_notification_after_n_failures_and_recovery_after_m_successes(
    switch: UvicornProcess, harness: AppHarness, run: Any
) -> None:
    service = cfg.Service("api", f"{switch.url}/health")
    config = cfg.Config(
        (environment("prod", interval=0.15, services=(service,)),),
        notifications=cfg.Notifications(fail_after=3, recover_after=2),
    )

    async def scenario() -> None:
        async with httpx.AsyncClient(base_url=switch.url) as client:
            await client.post("/recover")
            harness.write(config)
            controller = await harness.open()
            reports: list[EnvironmentReport] = []
            alerts: list[tuple[str, int]] = []  # kind, index of the report that fired it
            window = controller.window
            controller.report_shown.connect(lambda _name: reports.append(window.reports["prod"]))
            # A notification is shown while its report is being delivered (it is next in line).
            tray = controller.tray
            tray.notified.connect(lambda _e, kind, _m: alerts.append((kind, len(reports))))
            await until(lambda: _streak(reports, critical=False) >= 2, what="healthy polls")
            await client.post("/fail")
            await until(lambda: alerts and len(reports) > alerts[0][1], what="critical alert")
            kind, index = alerts[0]
            assert kind == "critical"
            assert _streak(reports[: index + 1], critical=True) == 3  # the third failure fired it
            assert "unhealthy" in controller.tray.history[-1].message
            await client.post("/recover")
            await until(lambda: len(alerts) == 2 and len(reports) > alerts[1][1], what="recovery")
            kind, index = alerts[1]
            assert kind == "recovered"
            assert _streak(reports[: index + 1], critical=False) == 2
            assert len(alerts) == 2  # exactly one notification per flip

    run(scenario())
