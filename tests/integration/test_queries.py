"""Every versioned SQL file runs on a real server, and the right one is picked per version."""

from __future__ import annotations

import asyncio
import json
from importlib import resources

import asyncpg
import pytest

from pandadmin.core import queries
from pandadmin.core.database import parse_sample
from pandadmin.demo.pgserver import EmbeddedPostgres

FILES = sorted(p.name for p in resources.files(queries).iterdir() if p.name.endswith(".sql"))


def test_version_selection() -> None:
    assert queries.for_version("activity", 120000) == queries.load("activity_post_120000.sql")
    assert queries.for_version("activity", 150007) == queries.load("activity_post_120000.sql")
    assert queries.for_version("activity", 160000) == queries.load("activity_post_160000.sql")
    assert queries.for_version("activity", 180001) == queries.load("activity_post_160000.sql")
    with pytest.raises(LookupError):
        queries.for_version("activity", 110000)


@pytest.mark.parametrize("filename", [f for f in FILES if f.startswith("activity_")])
def test_activity_query_runs_and_parses(pg: EmbeddedPostgres, filename: str) -> None:
    async def main() -> str:
        conn = await asyncpg.connect(pg.url())
        try:
            return str(await conn.fetchval(queries.load(filename)))
        finally:
            await conn.close()

    sample = parse_sample(json.loads(asyncio.run(main())), 0.0)
    assert sample.total >= 1 and sample.max_connections == 30
    assert sample.sees_all_sessions and sample.current_user == "postgres"
    assert sum(sample.by_state.values()) == sample.total
