"""Migration badges, the environment's pending list and the revision-by-environment matrix,
in the real window, on real databases at different revisions: the demo's scripts, and a
branch + merge history whose environments run checkouts of different ages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

import pandadmin.demo
from pandadmin.core import config as cfg
from pandadmin.core.alembic_scripts import Revision
from pandadmin.core.migrations import compare
from pandadmin.qt.widgets.env_list import MIGRATIONS
from pandadmin.qt.widgets.revision_matrix import MigrationMatrixView
from pandadmin.qt.widgets.revision_matrix_model import CELL_ROLE, FIXED, REVISION_ROLE
from tests.conftest import Branchy
from tests.qt.conftest import AppHarness, environment, plain, rendered, unique, until
from tests.support.alembic_projects import BRANCHY_CELLS, BRANCHY_STATUSES

ALEMBIC = str(Path(pandadmin.demo.__file__).parent / "sample_service" / "alembic.ini")
HEAD, SECOND = "e2b6d8f0c147", "b7d2f41a9c03"
DEMO = {  # revision: (message, Create Date to the minute), newest first
    "e2b6d8f0c147": ("create order events", "2026-11-18 11:51"),
    "d91f5c6e2a78": ("add customer email", "2026-10-20 14:27"),
    "c4e8a7b3d215": ("index orders by creation time", "2026-10-02 09:05"),
    "b7d2f41a9c03": ("create orders", "2026-09-15 16:40"),
    "a3c1e0f27b94": ("create customers", "2026-09-01 10:12"),
}


def _database_at(pg: Any, revision: str) -> str:
    name = unique("migrated")
    pg.create_database(name)
    pg.sql("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)", name)
    pg.sql(f"INSERT INTO alembic_version VALUES ('{revision}')", name)
    return pg.url(name)


def cells(view: MigrationMatrixView) -> dict[str, tuple[str, ...]]:
    """Every shown revision's cells, by revision id, in column order (as the model has them)."""
    model = view.model
    columns = range(len(FIXED), model.columnCount())
    found = {}
    for row in range(model.rowCount()):
        revision = model.index(row, 0).data(REVISION_ROLE)
        if revision is not None:
            found[revision] = tuple(str(model.index(row, c).data(CELL_ROLE)) for c in columns)
    return found


def texts(view: MigrationMatrixView, column: int) -> dict[str, str]:
    model = view.model
    return {
        model.index(r, 0).data(REVISION_ROLE): model.index(r, column).data()
        for r in range(len(model.matrix.rows if model.matrix else ()))
    }


def headers(view: MigrationMatrixView) -> list[str]:
    model = view.model
    return [
        model.headerData(c, Qt.Orientation.Horizontal)
        for c in range(len(FIXED), model.columnCount())
    ]


def test_demo_like_matrix_cells_messages_dates_and_copy(
    pg: Any, harness: AppHarness, run: Any
) -> None:
    at = {"dev": HEAD, "staging": "d91f5c6e2a78", "prod": "c4e8a7b3d215"}
    urls = {env: _database_at(pg, revision) for env, revision in at.items()}
    envs = tuple(environment(name, alembic=ALEMBIC, interval=30) for name in urls)

    async def scenario() -> None:
        harness.write(cfg.Config(envs), urls)
        controller = await harness.open()
        view = controller.window.matrix
        controller.window.show_drift()  # the matrix is filled while its tab is on screen
        await until(lambda: len(view.model.matrix.columns if view.model.matrix else ()) == 3,
                    what="all three environments in the matrix")  # fmt: skip
        A, P = "applied", "pending"
        assert cells(view) == {
            "e2b6d8f0c147": (A, P, P),
            "d91f5c6e2a78": (A, A, P),
            "c4e8a7b3d215": (A, A, A),
            "b7d2f41a9c03": (A, A, A),
            "a3c1e0f27b94": (A, A, A),
        }
        assert list(cells(view)) == list(DEMO)  # newest first
        assert texts(view, 1) == {rev: message for rev, (message, _) in DEMO.items()}
        assert texts(view, 2) == {rev: created for rev, (_, created) in DEMO.items()}
        assert texts(view, 0)[HEAD] == f"{HEAD}  (head)"
        assert headers(view) == ["dev\nup to date", "staging\nbehind 1", "prod\nbehind 2"]
        assert plain(view.summary) == "dev: up to date · staging: 1 pending · prod: 2 pending"

        assert view.select("d91f5c6e2a78")
        details = plain(view.details)
        assert "add customer email" in details and "created 2026-10-20 14:27" in details
        assert "d91f5c6e2a78_add_customer_email.py" in details
        assert "Still needed by: prod" in details and "staging" not in details.split("needed")[1]
        text = view.copy_commands()
        assert QGuiApplication.clipboard().text() == text
        assert text.splitlines()[2:] == [
            f"cd {Path(ALEMBIC).parent}",
            "alembic history -r c4e8a7b3d215:d91f5c6e2a78",
            "alembic upgrade d91f5c6e2a78",
        ]
        assert view.copy_commands("staging") == "# staging: the database already has d91f5c6e2a78"

    run(scenario())


def test_branch_and_merge_across_checkouts_on_real_databases(
    branchy: Branchy, harness: AppHarness, run: Any
) -> None:
    envs = tuple(
        environment(env, alembic=str(branchy.checkouts[env].ini), interval=30)
        for env in BRANCHY_STATUSES
    )

    async def scenario() -> None:
        harness.write(cfg.Config(envs), branchy.urls)
        controller = await harness.open()
        view = controller.window.matrix
        controller.window.show_drift()  # the matrix is filled while its tab is on screen
        await until(lambda: len(view.model.matrix.columns if view.model.matrix else ()) == 4,
                    what="all four environments in the matrix")  # fmt: skip
        assert cells(view) == BRANCHY_CELLS
        assert list(cells(view)) == list(BRANCHY_CELLS)  # newest first
        assert texts(view, 0) == {
            "n1": "n1  (head)", "m1": "m1  (merge)", "y1": "y1", "x1": "x1",
            "a1": "a1  (branch point)",
        }  # fmt: skip
        assert texts(view, 1)["m1"] == "merge invoices and audit log"
        assert all(len(created) == 16 for created in texts(view, 2).values())
        assert headers(view) == [
            "dev\nup to date",
            "staging\nbehind 2",
            "prod\nmultiple heads\nunmerged heads: x1, y1",
            "qa\nahead\nunknown to the scripts: m1",
        ]
        assert view.select("y1")
        assert "Still needed by: staging, prod" in plain(view.details)
        blocks = view.copy_commands().split("\n\n")
        assert [b.splitlines()[0] for b in blocks] == [
            "# staging: database at x1; upgrading to y1 applies 1 revision",
            "# prod: database at x1; upgrading to y1 applies 1 revision",
        ]

    run(scenario())


def _linear(count: int) -> tuple[Revision, ...]:
    return tuple(
        Revision(f"r{i}", (f"r{i - 1}",) if i > 1 else (), (), (), f"step {i}", f"/v/r{i}.py")
        for i in range(1, count + 1)
    )


def test_folding_show_all_and_selection_kept(qtbot: Any) -> None:
    view = MigrationMatrixView()
    qtbot.addWidget(view)
    scripts = _linear(12)
    view.show_statuses({"dev": compare(scripts, ("r12",)), "prod": compare(scripts, ("r10",))})
    assert list(cells(view)) == ["r12", "r11", "r10", "r9", "r8"]
    fold = view.model.fold_row()
    assert (
        fold == 5 and view.model.index(fold, 1).data() == "… 7 older revisions applied everywhere"
    )
    assert view.select("r11") and view.copy_button.isEnabled()
    view.show_all.setChecked(True)
    assert len(cells(view)) == 12 and view.model.fold_row() is None
    assert view.selected_revision() == "r11"
    assert not view.select("nope")
    view.select("r3")
    assert not view.copy_button.isEnabled()  # nobody needs r3


def test_matrix_is_rebuilt_only_when_a_status_changes(qtbot: Any) -> None:
    view = MigrationMatrixView()
    qtbot.addWidget(view)
    scripts = _linear(3)
    view.show_statuses({"prod": compare(scripts, ("r3",)), "dev": compare(scripts, ("r3",))})
    first = view.model.matrix
    view.show_statuses({"prod": compare(scripts, ("r3",)), "dev": compare(scripts, ("r3",))})
    assert view.model.matrix is first  # an equal report leaves the matrix alone
    view.show_statuses({"prod": compare(scripts, ("r3",)), "dev": compare(scripts, ("r1",))})
    assert view.model.matrix is not first
    assert cells(view)["r3"] == ("applied", "pending")
    assert view.model.index(0, len(FIXED) + 1).data(Qt.ItemDataRole.BackgroundRole) is not None


def test_badges_and_pending_list_of_one_environment(pg: Any, harness: AppHarness, run: Any) -> None:
    urls = {"dev": _database_at(pg, HEAD), "prod": _database_at(pg, SECOND)}
    envs = tuple(environment(name, alembic=ALEMBIC, interval=30) for name in urls)

    async def scenario() -> None:
        harness.write(cfg.Config(envs), urls)
        controller = await harness.open()
        window = controller.window
        await until(lambda: len(window.reports) == 2, what="both environments polled")
        await rendered(window)
        model = window.environments.source
        assert [model.data(model.index(r, MIGRATIONS)) for r in (0, 1)] == [
            "up to date",
            "behind 3",
        ]
        window.environments.select("prod")
        panel = window.detail.migrations
        window.detail.tabs.setCurrentWidget(panel)  # a hidden tab is filled when shown
        assert "behind 3" in plain(panel.summary) and SECOND in plain(panel.summary)
        pending = [panel.pending.item(r, 1).text() for r in range(panel.pending.rowCount())]
        assert pending == [
            "index orders by creation time",
            "add customer email",
            "create order events",
        ]

    run(scenario())


def test_diverged_header_labels_and_dependencies_in_the_details(qtbot: Any) -> None:
    scripts = (
        Revision("c1", (), ("core",), (), "core base", "/v/c1_core_base.py"),
        Revision("b1", (), ("billing",), (), "billing base", "/v/b1_billing_base.py"),
        Revision("c2", ("c1",), (), ("billing",), "core needs billing", "/v/c2_needs.py"),
    )
    view = MigrationMatrixView()
    qtbot.addWidget(view)
    # b2 came from another checkout: the database has it, these scripts do not.
    view.show_statuses({"x": compare(scripts, ("b2", "c1"))})
    assert headers(view) == ["x\ndiverged\nunknown to the scripts: b2"]
    assert cells(view) == {"c2": ("pending",), "b1": ("pending",), "c1": ("applied",)}
    # b1 stays a head: depends_on does not make c2 its child (as in Alembic).
    assert texts(view, 0) == {"c2": "c2  (head)", "b1": "b1  (head, @billing)", "c1": "c1  (@core)"}
    view.select("c2")
    details = plain(view.details)
    assert "revises c1 · depends on billing" in details and "no Create Date" in details
    view.select("c1")
    assert "branch labels core" in plain(view.details)
