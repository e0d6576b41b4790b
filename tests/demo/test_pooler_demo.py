"""The demo's PgBouncer story: prod's API bursts queue in the pooler; without the binary the
demo says so in one line and connects directly."""

from __future__ import annotations

import pytest

from pandadmin.demo import pgbouncer, stack
from pandadmin.demo.topology import TOPOLOGY


def test_prod_api_bursts_queue_in_the_pooler() -> None:
    prod = next(e for e in TOPOLOGY if e.name == "prod")
    assert prod.pooler is not None
    pooled = [s for s in prod.services if s.pooled]
    assert [s.name for s in pooled] == ["api"]
    # more slow requests at the peak than server connections: clients wait
    assert sum(s.load.peak for s in pooled) > prod.pooler.default_pool_size
    # the pooled services' pools fit under max_client_conn (no budget warning by design)
    worst = sum((s.pool_size + s.max_overflow) * s.replicas for s in pooled)
    assert worst <= prod.pooler.max_client_conn
    assert all(e.pooler is None for e in TOPOLOGY if e.name != "prod")


def test_without_pgbouncer_the_demo_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pgbouncer, "binary", lambda: None)
    note = stack.pooler_note(TOPOLOGY)
    assert note is not None and "\n" not in note
    assert "apt-get install pgbouncer" in note and "connect directly" in note
    monkeypatch.setattr(pgbouncer, "binary", lambda: "/usr/sbin/pgbouncer")
    assert stack.pooler_note(TOPOLOGY) is None
