"""The app's own secret path: DesktopSecrets over the real Secret Service (gnome-keyring
under dbus-run-session), from start to a painted report, and with the collection locked."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from pandadmin.core import config as cfg
from pandadmin.core.daemon_executor import DesktopSecrets
from pandadmin.qt import present
from pandadmin.qt.app import open_controller
from pandadmin.qt.controller import Controller
from pandadmin.qt.widgets.env_model import CONNECTIONS
from tests.qt.conftest import Cleanup, environment, plain, rendered, unique, until
from tests.qt.test_env_list import cell_option
from tests.support.keyring_lock import locked_collection

pytestmark = pytest.mark.usefixtures("secret_service")


@pytest.fixture
def service() -> Iterator[str]:
    name = f"pandadmin-gui-real-{uuid.uuid4().hex[:8]}"
    yield name
    try:
        keyring.delete_password(name, "prod")
    except keyring.errors.PasswordDeleteError:
        pass


async def open_app(path: Path, cleanups: list[Cleanup]) -> Controller:
    """The controller exactly as `pandadmin` opens it: no secrets handed in."""
    controller = await open_controller(path, remember=False)
    cleanups.append(controller.close)
    assert isinstance(controller.secrets, DesktopSecrets)
    return controller


def write_config(path: Path, service: str) -> None:
    config = cfg.Config((environment("prod"),), keyring_service=service)
    cfg.save(config, path)


def test_the_real_keyring_path_paints_a_report(
    pg: Any, tmp_path: Path, service: str, run: Any, cleanups: list[Cleanup]
) -> None:
    database = unique("realkeyring")
    pg.create_database(database)
    path = tmp_path / "config.toml"
    write_config(path, service)
    keyring.set_password(service, "prod", pg.url(database))

    async def scenario() -> None:
        controller = await open_app(path, cleanups)
        window = controller.window
        window.show()
        report = await until(
            lambda: (r := window.reports.get("prod")) and r.limits and r, timeout=30,
            what="a report with connection counts",
        )  # fmt: skip
        await rendered(window)
        report = window.reports["prod"]  # the one on screen (a newer one may have come)
        view = window.environments
        option, index = cell_option(view, 0, CONNECTIONS)
        texts = [p.text for p in view.delegate.parts(option, index) if p.kind == "text"]
        assert texts == [present.connections_text(report)]
        assert "prod" in plain(window.detail.title) and "ok" in plain(window.detail.title)
        assert not window.grab().isNull()

    run(scenario())


def test_a_locked_collection_is_said_plainly_in_the_app(
    tmp_path: Path, service: str, run: Any, cleanups: list[Cleanup]
) -> None:
    path = tmp_path / "config.toml"
    write_config(path, service)
    keyring.set_password(service, "prod", "postgresql://app:pw-S3cret@127.0.0.1:9/app")

    async def scenario() -> None:
        with locked_collection():
            controller = await open_app(path, cleanups)
            window = controller.window
            window.show()
            await until(lambda: window.reports.get("prod"), timeout=30, what="a report")
            await rendered(window)
            banner = plain(window.detail.banner)
            assert window.detail.banner.isVisible()
            assert banner == (
                "Database not checked: keyring: the system keyring is locked: unlock it"
                " (e.g. log in to your desktop session) and retry"
            )
            assert "pw-S3cret" not in banner

    run(scenario())
