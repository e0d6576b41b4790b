"""What the window remembers across restarts (a real QSettings file in the test's temp
dir), opening on a critical environment, and worst first without the selection jumping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QRect

from pandadmin.core import config as cfg
from pandadmin.core.models import Status
from pandadmin.core.secrets import AsyncSecrets, KeyringStore
from pandadmin.qt import window_state
from tests.qt.conftest import KEYRING_SERVICE, AppHarness, environment, until
from tests.support.servers import UvicornProcess


def fleet(urls: dict[str, str]) -> cfg.Config:
    return cfg.Config(
        tuple(
            environment(name, interval=3600.0, services=(cfg.Service("api", url),))
            for name, url in urls.items()
        )
    )


def test_restart_restores_geometry_splitter_selection_sort_and_range(
    faults: str, harness: AppHarness, run: Any, settings_dir: Path
) -> None:
    harness.write(fleet({n: f"{faults}/ok" for n in ("alpha", "beta", "gamma")}))

    async def scenario() -> None:
        window = (await harness.open()).window
        await until(lambda: len(window.reports) == 3, what="first reports")
        window.resize(720, 540)  # restoreGeometry keeps a window on its screen (offscreen: 800x600)
        await until(lambda: window.width() == 720, what="resized")
        window.split.setSizes([300, 400])
        sizes = window.split.sizes()
        window.environments.select("gamma")
        window.actions_by_name["worst_first"].setChecked(True)
        window.step_range(1)
        chosen = window.detail.chart.window_s
        await harness.close()
        assert (settings_dir / "pandadmin" / "window.ini").is_file()

        harness.secrets = AsyncSecrets(KeyringStore(KEYRING_SERVICE), timeout=5.0)
        window = (await harness.open()).window
        await until(lambda: (window.width(), window.height()) == (720, 540), what="geometry")
        assert window.split.sizes() == sizes
        assert window.environments.current_name() == "gamma"
        assert window.actions_by_name["worst_first"].isChecked()
        assert window.environments.worst_first()
        assert window.detail.chart.window_s == chosen != 300.0

    run(scenario())


def test_opens_on_a_critical_environment(faults: str, harness: AppHarness, run: Any) -> None:
    window_state.save(window_state.WindowState(selected="alpha"))
    urls = {"alpha": f"{faults}/ok", "beta": f"{faults}/ok", "omega": f"{faults}/error"}
    harness.write(fleet(urls))

    async def scenario() -> None:
        window = (await harness.open()).window
        await until(lambda: len(window.reports) == 3, what="first reports")
        assert window.reports["omega"].status == Status.CRITICAL
        assert window.environments.current_name() == "omega"

    run(scenario())


def test_worst_first_keeps_the_selection_where_the_user_put_it(
    faults: str, switch: UvicornProcess, harness: AppHarness, run: Any
) -> None:
    names = [f"env{n:02d}" for n in range(30)]
    urls = {n: f"{faults}/ok" for n in names} | {"zz-flaky": f"{switch.url}/health"}
    harness.write(fleet(urls))

    async def scenario() -> None:
        async with httpx.AsyncClient(base_url=switch.url) as client:
            await client.post("/recover")
            controller = await harness.open()
            window, view = controller.window, controller.window.environments
            await until(lambda: len(window.reports) == 31, what="first reports")
            window.actions_by_name["worst_first"].setChecked(True)
            view.select("env20")  # the user's choice, far down the list
            emitted: list[str] = []
            view.selected.connect(emitted.append)
            await client.post("/fail")
            await controller.poller.poll_now(["zz-flaky"])
            await until(lambda: view.model().index(0, 0).data() == "zz-flaky", what="on top")
            assert view.current_name() == "env20" and emitted == []
            row = view.visualRect(view.currentIndex())
            assert QRect(view.viewport().rect()).intersects(row)  # still on screen
            await client.post("/recover")

    run(scenario())


def test_a_chosen_environment_is_not_taken_away(faults: str, harness: AppHarness, run: Any) -> None:
    urls = {"alpha": f"{faults}/ok", "omega": f"{faults}/error"}
    harness.write(fleet(urls))

    async def scenario() -> None:
        window = (await harness.open()).window
        assert window.environments.current_name() == "alpha"
        window.choose("alpha")  # already current: no selection change, still the user's pick
        await until(lambda: len(window.reports) == 2, what="first reports")
        assert window.reports["omega"].status == Status.CRITICAL
        assert window.environments.current_name() == "alpha"

    run(scenario())
