"""Migration badges, the environment's pending list and the drift matrix, on real databases
whose version tables sit at different revisions of the demo's Alembic scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

import pandadmin.demo
from pandadmin.core import config as cfg
from pandadmin.core.migrations import MigrationStatus
from pandadmin.qt.widgets.env_list import MIGRATIONS
from pandadmin.qt.widgets.migrations import MigrationMatrixView
from tests.qt.conftest import AppHarness, environment, plain, unique, until

ALEMBIC = str(Path(pandadmin.demo.__file__).parent / "sample_service" / "alembic.ini")
HEAD, SECOND = "e2b6d8f0c147", "b7d2f41a9c03"


def _database_at(pg: Any, revision: str) -> str:
    name = unique("migrated")
    pg.create_database(name)
    pg.sql("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)", name)
    pg.sql(f"INSERT INTO alembic_version VALUES ('{revision}')", name)
    return pg.url(name)


def test_badges_pending_list_and_drift_matrix(pg: Any, harness: AppHarness, run: Any) -> None:
    urls = {"dev": _database_at(pg, HEAD), "prod": _database_at(pg, SECOND)}
    envs = tuple(environment(name, alembic=ALEMBIC, interval=30) for name in urls)

    async def scenario() -> None:
        harness.write(cfg.Config(envs), urls)
        controller = await harness.open()
        window = controller.window
        await until(lambda: len(window.reports) == 2, what="both environments polled")
        model = window.environments.source
        assert [model.data(model.index(r, MIGRATIONS)) for r in (0, 1)] == [
            "up to date",
            "behind 3",
        ]
        window.environments.select("prod")
        panel = window.detail.migrations
        assert "behind 3" in plain(panel.summary) and SECOND in plain(panel.summary)
        pending = [panel.pending.item(r, 1).text() for r in range(panel.pending.rowCount())]
        assert pending == [
            "index orders by creation time",
            "add customer email",
            "create order events",
        ]
        matrix = window.matrix
        assert plain(matrix.summary).startswith("drift")
        rows = {matrix.table.item(r, 0).text(): r for r in range(matrix.table.rowCount())}
        assert matrix.table.item(rows["prod"], 4).text() == "3"
        assert matrix.table.item(rows["prod"], 0).background().style() != Qt.BrushStyle.NoBrush
        assert matrix.table.item(rows["dev"], 0).background().style() == Qt.BrushStyle.NoBrush

    run(scenario())


def test_drift_matrix_is_refilled_only_when_a_status_changes(qtbot: Any) -> None:
    view = MigrationMatrixView()
    qtbot.addWidget(view)
    at = MigrationStatus("up_to_date", (HEAD,), (HEAD,), (), None)
    behind = MigrationStatus("behind", (SECOND,), (HEAD,), (), None)
    view.show_statuses({"prod": at, "dev": at})
    first = view.table.item(0, 0)
    view.show_statuses(
        {"prod": at, "dev": MigrationStatus("up_to_date", (HEAD,), (HEAD,), (), None)}
    )
    assert view.table.item(0, 0) is first  # an equal report leaves the table alone
    view.show_statuses({"prod": at, "dev": behind})
    assert view.table.item(1, 1).text() == "behind"
    assert view.table.item(1, 0).background().style() != Qt.BrushStyle.NoBrush
