"""The history store's schema, its version (`PRAGMA user_version`) and its own migrations.

A migration is appended to MIGRATIONS, never edited: entry N brings a store from version N
to N + 1. A store whose version is newer than this code knows is refused (NewerStoreError),
not touched. Opening also probes every table, so a garbage or truncated file fails here
with sqlite3.DatabaseError instead of halfway through a write.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: raw samples and rollups keyed by time first (appends land on the last page,
    # pruning deletes the first ones); values packed by pandadmin.core.store_codec.
    """
    CREATE TABLE environments (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE layouts (id INTEGER PRIMARY KEY, names TEXT NOT NULL UNIQUE);
    CREATE TABLE raw (
        t INTEGER NOT NULL, env INTEGER NOT NULL, layout INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (t, env)
    ) WITHOUT ROWID;
    CREATE TABLE rollup (
        tier INTEGER NOT NULL, bucket INTEGER NOT NULL, env INTEGER NOT NULL,
        layout INTEGER NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (tier, bucket, env)
    ) WITHOUT ROWID;
    CREATE TABLE latest (env INTEGER PRIMARY KEY, t INTEGER NOT NULL, report TEXT NOT NULL);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("environments", "layouts", "raw", "rollup", "latest")


class NewerStoreError(Exception):
    """The file was written by a newer pandadmin (its schema version is higher)."""


def open_connection(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """An open, migrated, probed connection; raises NewerStoreError or sqlite3.Error."""
    if readonly:
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0, check_same_thread=False
        )
    else:
        # One thread at a time (Store is not thread-safe), but not always the same one:
        # readers run in executor threads.
        db = sqlite3.connect(path, timeout=10.0, check_same_thread=False)
    try:
        _prepare(db, readonly)
    except BaseException:
        db.close()
        raise
    return db


def _prepare(db: sqlite3.Connection, readonly: bool) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise NewerStoreError(
            f"written by a newer pandadmin (schema {version}, this one knows {SCHEMA_VERSION})"
        )
    if not readonly:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # WAL: a killed process loses nothing committed
        _migrate(db, version)
    _probe(db)


def _migrate(db: sqlite3.Connection, version: int) -> None:
    for target, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with db:
            db.execute("BEGIN IMMEDIATE")
            # Another opener (the app's history thread, a collector) may have migrated the
            # file while this one waited for the lock: the version read before it is stale.
            if int(db.execute("PRAGMA user_version").fetchone()[0]) >= target:
                continue
            # executescript would commit on its own; run the statements one by one instead.
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {target}")


def _probe(db: sqlite3.Connection) -> None:
    """Touch both ends of every table: garbage or a cut-off file fails now, not mid-write."""
    for table in TABLES:
        db.execute(f"SELECT * FROM {table} ORDER BY 1 LIMIT 1").fetchall()
        db.execute(f"SELECT * FROM {table} ORDER BY 1 DESC LIMIT 1").fetchall()
