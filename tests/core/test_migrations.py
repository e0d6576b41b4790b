"""The migrations façade without a database: quoting, JSON, error paths."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pandadmin.core.migrations import (
    STATUSES,
    MigrationStatus,
    Revision,
    migration_status,
    qualified_table,
    quote_ident,
)

DESIGN_KEYS = {"status", "database_revisions", "heads", "pending", "error"}


def write_linear(root: Path, count: int) -> Path:
    versions = root / "versions"
    versions.mkdir(parents=True)
    for i in range(1, count + 1):
        down = repr(f"r{i - 1}") if i > 1 else "None"
        (versions / f"r{i}.py").write_text(
            f'"""step {i}"""\nrevision = "r{i}"\ndown_revision = {down}\n'
        )
    return root


def test_statuses_are_exactly_designs() -> None:
    assert set(STATUSES) == {
        "up_to_date", "behind", "ahead", "diverged", "not_initialized", "multiple_heads",
        "not_configured", "error",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("name", "quoted"),
    [("alembic_version", '"alembic_version"'), ('we"ird', '"we""ird"'), ("Mixed", '"Mixed"')],
)
def test_quote_ident(name: str, quoted: str) -> None:
    assert quote_ident(name) == quoted


@pytest.mark.parametrize("bad", ["", "a\x00b"])
def test_quote_ident_refuses_impossible_names(bad: str) -> None:
    with pytest.raises(ValueError):
        quote_ident(bad)


def test_qualified_table() -> None:
    assert qualified_table(None) == '"alembic_version"'
    assert qualified_table("versions") == '"versions"'
    assert qualified_table("ops.versions") == '"ops"."versions"'
    assert qualified_table('a.b"; drop') == '"a"."b""; drop"'
    with pytest.raises(ValueError):
        qualified_table("ops.")


def test_to_json_has_designs_keys_and_pending_ids() -> None:
    pending = (Revision("r2", ("r1",), (), (), "add email", "/v/r2.py"),)
    status = MigrationStatus("behind", ("r1",), ("r2",), pending, None)
    data = status.to_json()
    assert set(data) >= DESIGN_KEYS
    assert (data["pending"], data["pending_messages"]) == (["r2"], ["add email"])
    assert data["database_revisions"] == ["r1"] and data["heads"] == ["r2"]


def test_not_configured() -> None:
    status = asyncio.run(migration_status(None, None, None))
    assert (status.status, status.heads, status.error) == ("not_configured", (), None)
    assert set(status.to_json()) >= DESIGN_KEYS


def test_unreachable_database_still_reports_heads(tmp_path: Path) -> None:
    status = asyncio.run(migration_status(None, str(write_linear(tmp_path, 3)), None))
    assert (status.status, status.heads, status.error) == ("error", ("r3",), "database unreachable")


def test_unusable_alembic_path_is_an_error(tmp_path: Path) -> None:
    status = asyncio.run(migration_status(None, str(tmp_path / "missing.ini"), None))
    assert status.status == "error" and status.error is not None
    assert "no such file" in status.error and "database unreachable" in status.error


class _NeverCalled:
    async def fetchval(self, query: str, *args: object) -> object:
        raise AssertionError("an invalid table name must not reach the server")

    async def fetch(self, query: str, *args: object) -> list[object]:
        raise AssertionError("an invalid table name must not reach the server")


def test_invalid_version_table_is_an_error_before_any_query(tmp_path: Path) -> None:
    status = asyncio.run(
        migration_status(_NeverCalled(), str(write_linear(tmp_path, 1)), "ops.", None)
    )
    assert status.status == "error" and status.error is not None
    assert status.error.startswith("version table:")
