"""Migration status against real PostgreSQL databases migrated by the real `alembic upgrade`."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest

from pandadmin.core.migration_matrix import RevisionMatrix
from pandadmin.core.migrations import (
    MigrationStatus,
    RevisionReader,
    migration_status,
    read_database_revisions,
)
from pandadmin.demo.pgserver import EmbeddedPostgres
from tests.support.alembic_projects import AlembicFailed, AlembicProject, linear_project


@pytest.fixture
def db(pg: EmbeddedPostgres) -> str:
    """A fresh database on the session's server; returns its postgresql:// URL."""
    name = f"mig_{uuid.uuid4().hex[:12]}"
    pg.create_database(name)
    return pg.url(database=name)


def status_of(
    url: str,
    alembic_path: Path | str,
    version_table: str | None = None,
    reader: RevisionReader | None = None,
) -> MigrationStatus:
    async def run() -> MigrationStatus:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            return await migration_status(conn, str(alembic_path), version_table, reader)
        finally:
            await conn.close()

    return asyncio.run(run())


def test_linear_project_at_revision_2_of_4_is_behind_by_exactly_two(
    tmp_path: Path, db: str
) -> None:
    project = linear_project(tmp_path, 4)
    project.upgrade(db, "r2")
    status = status_of(db, project.ini)
    assert status.status == "behind"
    assert status.database_revisions == ("r2",) and status.heads == ("r4",)
    assert [(r.revision, r.message) for r in status.pending] == [
        ("r3", "step 3"),
        ("r4", "step 4"),
    ]
    assert status.to_json() | {"pending_messages": None, "warnings": None} == {
        "status": "behind",
        "database_revisions": ["r2"],
        "heads": ["r4"],
        "pending": ["r3", "r4"],
        "error": None,
        "pending_messages": None,
        "unreadable": [],
        "warnings": None,
        "detail": None,
    }


def test_up_to_date_with_plain_assignments(tmp_path: Path, db: str) -> None:
    project = linear_project(tmp_path, 3, annotated=False)
    assert "revision = 'r1'" in next(project.versions.glob("r1_*.py")).read_text()
    project.upgrade(db)
    status = status_of(db, project.script_dir)  # a script directory works like the ini
    assert (status.status, status.database_revisions, status.pending) == ("up_to_date", ("r3",), ())


def test_annotated_assignments_from_the_current_template(tmp_path: Path, db: str) -> None:
    project = linear_project(tmp_path, 2)
    assert "revision: str = 'r1'" in next(project.versions.glob("r1_*.py")).read_text()
    project.upgrade(db, "r1")
    status = status_of(db, project.ini)
    assert (status.status, [r.revision for r in status.pending]) == ("behind", ["r2"])


def test_pyproject_configuration(tmp_path: Path, db: str) -> None:
    project = AlembicProject(tmp_path, pyproject=True)
    project.revision("p1", "first")
    project.revision("p2", "second")
    project.upgrade(db, "p1")
    for path in (project.pyproject, project.ini, project.root):
        assert [r.revision for r in status_of(db, path).pending] == ["p2"]


def test_ahead_when_newer_code_was_deployed(tmp_path: Path, db: str) -> None:
    project = linear_project(tmp_path, 3)
    project.upgrade(db)
    next(project.versions.glob("r3_*.py")).unlink()  # our checkout predates r3
    status = status_of(db, project.ini)
    assert (status.status, status.database_revisions, status.heads) == ("ahead", ("r3",), ("r2",))
    assert status.pending == ()


def test_not_initialized_without_table_and_with_an_empty_table(tmp_path: Path, db: str) -> None:
    project = linear_project(tmp_path, 2)
    status = status_of(db, project.ini)
    assert status.status == "not_initialized" and status.database_revisions == ()
    assert [r.revision for r in status.pending] == ["r1", "r2"]
    project.upgrade(db)
    project.run(db, "downgrade", "base")  # leaves alembic_version in place, empty
    status = status_of(db, project.ini)
    assert (status.status, len(status.pending)) == ("not_initialized", 2)


def test_two_heads_then_a_merge_revision(tmp_path: Path, db: str) -> None:
    project = AlembicProject(tmp_path)
    project.revision("a1", "base")
    project.revision("x1", "feature x", head="a1")
    project.revision("y1", "feature y", head="a1", splice=True)
    project.upgrade(db, "x1")
    status = status_of(db, project.ini)
    assert (status.status, status.heads) == ("multiple_heads", ("x1", "y1"))
    assert [r.revision for r in status.pending] == ["y1"]

    project.upgrade(db, "heads")
    status = status_of(db, project.ini)
    assert (status.status, status.database_revisions) == ("up_to_date", ("x1", "y1"))

    project.merge("m1", "merge x and y", ["x1", "y1"])
    status = status_of(db, project.ini)
    assert (status.status, status.heads, [r.message for r in status.pending]) == (
        "behind",
        ("m1",),
        ["merge x and y"],
    )
    project.upgrade(db, "heads")
    status = status_of(db, project.ini)
    assert (status.status, status.database_revisions) == ("up_to_date", ("m1",))


def test_branch_labels(tmp_path: Path, db: str) -> None:
    project = AlembicProject(tmp_path)
    project.revision("c1", "core base", head="base", branch_label="core")
    project.revision("c2", "core two", head="core@head")
    project.revision("b1", "billing base", head="base", branch_label="billing")
    project.revision("b2", "billing two", head="billing@head")
    project.upgrade(db, "core@head")
    status = status_of(db, project.ini)
    assert (status.status, status.database_revisions) == ("behind", ("c2",))
    assert [r.revision for r in status.pending] == ["b1", "b2"]
    project.upgrade(db, "heads")
    status = status_of(db, project.ini)
    assert (status.status, status.database_revisions) == ("up_to_date", ("b2", "c2"))


def test_diverged_when_each_side_has_what_the_other_lacks(tmp_path: Path, db: str) -> None:
    project = AlembicProject(tmp_path)
    project.revision("c1", "core base", head="base", branch_label="core")
    project.revision("b1", "billing base", head="base", branch_label="billing")
    newer = project.revision("b2", "billing from another checkout", head="billing@head")
    project.upgrade(db, "heads")
    newer.unlink()  # this checkout never had b2...
    project.revision("c2", "core work not deployed", head="core@head")  # ...but has c2
    status = status_of(db, project.ini)
    assert (status.status, status.database_revisions) == ("diverged", ("b2", "c1"))
    # Pending is judged from the known rows only: b1 may well be below b2, nobody here knows.
    assert [r.revision for r in status.pending] == ["b1", "c2"]
    assert status.detail == "unknown to the scripts: b2"


def test_depends_on(tmp_path: Path, db: str) -> None:
    project = AlembicProject(tmp_path)
    project.revision("a1", "auth base", head="base", branch_label="auth")
    project.revision("s1", "shop base", head="base", branch_label="shop", depends_on="a1")
    project.revision("s2", "shop two", head="shop@head")
    project.upgrade(db, "a1")
    status = status_of(db, project.ini)
    assert (status.status, [r.revision for r in status.pending]) == ("behind", ["s1", "s2"])
    project.upgrade(db, "heads")
    status = status_of(db, project.ini)
    # a1 is reachable only as s1's dependency: Alembic no longer stores it.
    assert (status.status, status.database_revisions) == ("up_to_date", ("s2",))
    assert set(status.heads) == {"a1", "s2"}


def test_custom_version_table_in_a_custom_schema(
    tmp_path: Path, db: str, pg: EmbeddedPostgres
) -> None:
    project = linear_project(tmp_path, 3)
    pg.sql('CREATE SCHEMA "Ops"', database=db.rsplit("/", 1)[1])
    project.upgrade(db, "r2", version_table='my "version" table', version_schema="Ops")
    status = status_of(db, project.ini, 'Ops.my "version" table')
    assert (status.status, status.database_revisions) == ("behind", ("r2",))
    assert status_of(db, project.ini).status == "not_initialized"  # default table absent
    hostile = status_of(db, project.ini, 'x"; DROP SCHEMA "Ops" CASCADE; --')
    assert hostile.status == "not_initialized"
    assert status_of(db, project.ini, 'Ops.my "version" table').status == "behind"


def test_revision_files_are_never_executed(tmp_path: Path, db: str) -> None:
    project = linear_project(tmp_path, 1)
    marker = tmp_path / "imported.marker"
    path = project.revision("r2", "writes a marker")
    path.write_text(path.read_text() + f"\nimport pathlib\npathlib.Path({str(marker)!r}).touch()\n")
    project.upgrade(db)
    assert marker.exists()  # real Alembic imports revision files...
    marker.unlink()
    status = status_of(db, project.ini)
    assert (status.status, status.database_revisions) == ("up_to_date", ("r2",))
    assert not marker.exists()  # ...pandadmin only reads them

    raising = project.versions / "r3_raises.py"
    raising.write_text(
        '"""raises on import"""\nraise RuntimeError("boom")\n'
        'revision = "r3"\ndown_revision = "r2"\n'
    )
    with pytest.raises(AlembicFailed, match="boom"):
        project.run(db, "heads")
    status = status_of(db, project.ini)
    assert (status.status, [r.message for r in status.pending]) == ("behind", ["raises on import"])


def test_a_file_with_a_syntax_error_is_reported_and_the_rest_works(tmp_path: Path, db: str) -> None:
    project = linear_project(tmp_path, 2)
    project.upgrade(db)
    (project.versions / "zz_broken.py").write_text("revision = 'zz'\ndown_revision = ('r2'\n")
    status = status_of(db, project.ini)
    assert (status.status, status.database_revisions) == ("up_to_date", ("r2",))
    assert len(status.unreadable) == 1
    assert status.unreadable[0].startswith("zz_broken.py: syntax error at line")
    assert status.to_json()["unreadable"] == list(status.unreadable)


def test_unreadable_version_table_is_an_error_with_heads(
    tmp_path: Path, db: str, pg: EmbeddedPostgres
) -> None:
    project = linear_project(tmp_path, 1)
    project.upgrade(db)
    role = f"nosee_{uuid.uuid4().hex[:8]}"
    pg.create_role(role, "pw")
    url = pg.url(database=db.rsplit("/", 1)[1], user=role, password="pw")
    status = status_of(url, project.ini)
    assert status.status == "error" and status.heads == ("r1",)
    assert status.error is not None and "InsufficientPrivilegeError" in status.error


def test_matrix_across_environments_with_one_shared_reader(
    tmp_path: Path, pg: EmbeddedPostgres
) -> None:
    project = linear_project(tmp_path, 3)
    urls = {}
    for env, target in (("dev", "heads"), ("staging", "heads"), ("prod", "r1")):
        name = f"mig_{env}_{uuid.uuid4().hex[:8]}"
        pg.create_database(name)
        urls[env] = pg.url(database=name)
        project.upgrade(urls[env], target)
    reader = RevisionReader()
    statuses = {env: status_of(url, project.ini, reader=reader) for env, url in urls.items()}
    assert (reader.files_parsed, reader.files_reused) == (3, 6)
    matrix = RevisionMatrix.build(statuses)
    assert [(c.environment, c.status) for c in matrix.columns] == [
        ("dev", "up_to_date"),
        ("staging", "up_to_date"),
        ("prod", "behind"),
    ]
    assert [(r.revision.revision, r.revision.message, tuple(r.cells)) for r in matrix.rows] == [
        ("r3", "step 3", ("applied", "applied", "pending")),
        ("r2", "step 2", ("applied", "applied", "pending")),
        ("r1", "step 1", ("applied", "applied", "applied")),
    ]
    assert all(r.revision.create_date is not None for r in matrix.rows)


def test_read_database_revisions_directly(db: str) -> None:
    async def run() -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        conn = await asyncpg.connect(db, timeout=10)
        try:
            missing = await read_database_revisions(conn, None)
            await conn.execute("CREATE TABLE alembic_version (version_num varchar(32))")
            await conn.execute("INSERT INTO alembic_version VALUES ('b'), ('a')")
            return missing, await read_database_revisions(conn, "public.alembic_version")
        finally:
            await conn.close()

    assert asyncio.run(run()) == (None, ("a", "b"))
