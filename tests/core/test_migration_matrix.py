"""The revision-by-environment matrix and its command lines, from statuses built by the real
status rules (`compare`) on revisions declared in code; real projects are in integration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pandadmin.core.alembic_config import ScriptLocation
from pandadmin.core.alembic_scripts import Revision
from pandadmin.core.migration_commands import commands_for_all, upgrade_commands
from pandadmin.core.migration_matrix import Cell, Mark, RevisionMatrix, date_text, newest_first
from pandadmin.core.migrations import MigrationStatus, compare
from pandadmin.core.revision_graph import RevisionGraph

A, P, N, U = Cell.APPLIED, Cell.PENDING, Cell.NOT_IN_SCRIPTS, Cell.UNKNOWN
X = Cell.APPLIED_NOT_IN_SCRIPTS
START = datetime(2026, 11, 1, 9, 0)


def rev(rid: str, *down: str, day: int | None = None, deps: tuple[str, ...] = ()) -> Revision:
    created = START + timedelta(days=day) if day is not None else None
    return Revision(rid, down, (), deps, f"message {rid}", f"/p/versions/{rid}_x.py", created)


def linear(count: int) -> tuple[Revision, ...]:
    return tuple(
        rev(f"r{i}", *((f"r{i - 1}",) if i > 1 else ()), day=i) for i in range(1, count + 1)
    )


def table(matrix: RevisionMatrix) -> dict[str, tuple[Cell, ...]]:
    return {row.revision.revision: row.cells for row in matrix.rows}


# --- the demo-like linear case ----------------------------------------------------------


def demo_matrix(keep_applied: int | None = 3) -> RevisionMatrix:
    scripts = linear(8)
    return RevisionMatrix.build(
        {
            "dev": compare(scripts, ("r8",)),
            "staging": compare(scripts, ("r7",)),
            "prod": compare(scripts, ("r6",)),
        },
        keep_applied,
    )


def test_linear_rows_newest_first_with_the_settled_past_folded() -> None:
    matrix = demo_matrix()
    assert [c.environment for c in matrix.columns] == ["dev", "staging", "prod"]
    assert table(matrix) == {
        "r8": (A, P, P),
        "r7": (A, A, P),
        "r6": (A, A, A),
        "r5": (A, A, A),
        "r4": (A, A, A),
    }
    assert list(table(matrix)) == ["r8", "r7", "r6", "r5", "r4"]
    assert matrix.folded == 3
    assert matrix.pending("prod") == ("r7", "r8") and matrix.pending("dev") == ()
    assert matrix.needed_by(matrix.rows[0]) == ("staging", "prod")
    assert matrix.rows[0].marks == (Mark.HEAD,)


def test_nothing_folded_when_asked_for_everything() -> None:
    matrix = demo_matrix(keep_applied=None)
    assert len(matrix.rows) == 8 and matrix.folded == 0


def test_json_matches_the_rows() -> None:
    document = demo_matrix().to_json()
    assert [e["name"] for e in document["environments"]] == ["dev", "staging", "prod"]
    prod = document["environments"][2]
    assert (prod["status"], prod["pending"], prod["database_revisions"]) == (
        "behind", ["r7", "r8"], ["r6"],
    )  # fmt: skip
    first = document["revisions"][0]
    assert first["cells"] == {"dev": "applied", "staging": "pending", "prod": "pending"}
    assert (first["revision"], first["message"], first["marks"]) == ("r8", "message r8", ["head"])
    assert first["create_date"] == "2026-11-09T09:00:00" and first["needed_by"] == [
        "staging",
        "prod",
    ]
    assert document["folded"] == 3 and document["not_configured"] == []


# --- branches, a merge, and checkouts of different ages ----------------------------------

FULL = (
    rev("a1", day=1),
    rev("x1", "a1", day=2),
    rev("y1", "a1", day=3),
    rev("m1", "x1", "y1", day=4),
    rev("n1", "m1", day=5),
)
SCRIPTS = {"dev": FULL, "staging": FULL[:4], "prod": FULL[:3], "qa": FULL[:2]}
ROWS = {"dev": ("n1",), "staging": ("x1",), "prod": ("x1",), "qa": ("m1",)}


def branchy() -> RevisionMatrix:
    return RevisionMatrix.build({env: compare(SCRIPTS[env], ROWS[env]) for env in SCRIPTS})


def test_branch_and_merge_across_checkouts_of_different_ages() -> None:
    matrix = branchy()
    assert [(c.environment, c.status) for c in matrix.columns] == [
        ("dev", "up_to_date"), ("staging", "behind"), ("prod", "multiple_heads"), ("qa", "ahead"),
    ]  # fmt: skip
    assert table(matrix) == {
        "n1": (A, N, N, N),
        "m1": (A, P, N, X),
        "y1": (A, P, P, X),
        "x1": (A, A, A, A),
        "a1": (A, A, A, A),
    }
    marks = {row.revision.revision: row.marks for row in matrix.rows}
    assert marks == {
        "n1": (Mark.HEAD,), "m1": (Mark.MERGE,), "y1": (), "x1": (), "a1": (Mark.BRANCH_POINT,),
    }  # fmt: skip
    odd = {c.environment: c.detail for c in matrix.columns if c.odd}
    assert odd == {"prod": "unmerged heads: x1, y1", "qa": "unknown to the scripts: m1"}


def test_ahead_on_rows_no_checkout_knows_is_unknown_not_pending() -> None:
    matrix = RevisionMatrix.build(
        {"qa": compare(linear(2), ("zz9",)), "dev": compare(linear(2), ("r2",))}
    )
    assert table(matrix) == {"r2": (U, A), "r1": (U, A)}


def test_error_and_not_configured_environments() -> None:
    broken = MigrationStatus("error", (), ("r3",), (), "database unreachable", scripts=linear(3))
    matrix = RevisionMatrix.build(
        {
            "prod": compare(linear(3), ("r3",)),
            "ci": broken,
            "web": MigrationStatus("not_configured", (), (), (), None),
        },
        keep_applied=1,
    )
    assert [c.environment for c in matrix.columns] == ["prod", "ci"]
    assert matrix.columns[1].detail == "database unreachable"
    # An unknown state neither blocks folding nor counts as pending.
    assert table(matrix) == {"r3": (A, U)} and matrix.folded == 2
    assert matrix.not_configured == ("web",)


def test_not_initialized_needs_everything() -> None:
    matrix = RevisionMatrix.build({"new": compare(linear(2), None)})
    assert table(matrix) == {"r2": (P,), "r1": (P,)} and matrix.folded == 0


def test_newest_first_follows_dependencies_and_dates() -> None:
    graph = RevisionGraph.build(
        [rev("a", day=1), rev("b", day=5), rev("c", "a", day=2, deps=("b",)), rev("d", "c")]
    )
    # b is newer than c by date, but c depends on it: c comes first; undated d is a head.
    assert newest_first(graph) == ["d", "c", "b", "a"]


def test_date_text() -> None:
    assert date_text(datetime(2026, 10, 2, 9, 5, 17, 94412)) == "2026-10-02 09:05"
    assert date_text(datetime(2026, 10, 2, 9, 5, tzinfo=UTC)) == "2026-10-02 09:05 +0000"
    assert date_text(None) == ""


# --- command lines ----------------------------------------------------------------------


def test_upgrade_commands_for_one_environment() -> None:
    location = ScriptLocation("/srv/app/migrations", ("/srv/app/migrations/versions",),
                              config_file="/srv/my app/alembic.ini")  # fmt: skip
    scripts = linear(4)
    status = compare(scripts, ("r2",), location)
    matrix = RevisionMatrix.build({"prod": status})
    assert upgrade_commands(matrix, "r4", "prod").splitlines() == [
        "# prod: database at r2; upgrading to r4 applies 2 revisions",
        "# (with env.py pointed at prod's database)",
        "cd '/srv/my app'",
        "alembic history -r r2:r4",
        "alembic upgrade r4",
    ]
    assert upgrade_commands(matrix, "r1", "prod") == "# prod: the database already has r1"


def test_commands_name_a_non_default_config_and_start_from_base_when_empty() -> None:
    location = ScriptLocation("/a/m", ("/a/m/versions",), config_file="/a/pyproject.toml")
    matrix = RevisionMatrix.build(
        {"new": compare(linear(2), None, location), "old": compare(linear(2), ("r1",))}
    )
    text = commands_for_all(matrix, "r2")
    blocks = text.split("\n\n")
    assert len(blocks) == 2
    assert blocks[0].splitlines()[2:] == [
        "cd /a",
        "alembic -c pyproject.toml history -r :r2",
        "alembic -c pyproject.toml upgrade r2",
    ]
    assert "# (run from the folder holding the project's alembic.ini)" in blocks[1]
    assert commands_for_all(matrix, "nope") == ""
