"""Two openers of a new history file: the second must not re-run the first one's migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pandadmin.core import store_schema


def test_a_migration_another_opener_finished_meanwhile_is_not_run_again(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    late = sqlite3.connect(path)  # read version 0, then waited for the lock
    first = store_schema.open_connection(path)  # migrated meanwhile
    try:
        store_schema._migrate(late, 0)  # was: "table environments already exists"
        version = late.execute("PRAGMA user_version").fetchone()[0]
        assert version == store_schema.SCHEMA_VERSION
        assert late.execute("SELECT count(*) FROM environments").fetchone()[0] == 0
    finally:
        late.close()
        first.close()
