"""The activity query runs on a real server with each versioned limits part, picked per version."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from pandadmin.core import queries
from pandadmin.core.database import parse_sample
from pandadmin.demo.pgserver import EmbeddedPostgres


def test_version_selection() -> None:
    assert queries.for_version("limits", 120000) == queries.load("limits_post_120000.sql")
    assert queries.for_version("limits", 150007) == queries.load("limits_post_120000.sql")
    assert queries.for_version("limits", 160000) == queries.load("limits_post_160000.sql")
    assert queries.for_version("limits", 180001) == queries.load("limits_post_160000.sql")
    assert "reserved_connections')::int" in queries.activity(180001)
    assert "'reserved_connections', 0" in queries.activity(150000)
    with pytest.raises(LookupError):
        queries.for_version("limits", 110000)


@pytest.mark.parametrize("version", [120000, 160000])
@pytest.mark.parametrize("sessions", [False, True])
def test_activity_query_runs_and_parses(pg: EmbeddedPostgres, version: int, sessions: bool) -> None:
    async def main() -> str:
        conn = await asyncpg.connect(pg.url())
        idle_in_transaction = await asyncpg.connect(pg.url())
        await idle_in_transaction.execute("BEGIN; SELECT 42")
        try:
            return str(await conn.fetchval(queries.activity(version, sessions=sessions)))
        finally:
            await asyncio.gather(conn.close(), idle_in_transaction.close())

    sample = parse_sample(json.loads(asyncio.run(main())), 0.0)
    listed = [b for b in sample.backends if b.state == "idle in transaction"]
    assert len(listed) == (1 if sessions else 0)
    assert not sessions or listed[0].query == "BEGIN; SELECT 42"
    assert sample.total >= 1 and sample.max_connections == 30
    assert sample.superuser_reserved_connections == 3 and sample.reserved_connections == 0
    assert sample.sees_all_sessions and sample.current_user == "postgres"
    assert sum(sample.by_state.values()) == sample.total
