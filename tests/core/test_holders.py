"""Who holds the connections: applications against their pools' budget."""

from __future__ import annotations

from dataclasses import replace

from pandadmin.core.config import Environment, Service
from pandadmin.core.holders import NO_NAME, age_text, by_application, counted
from tests.core.test_status import SAMPLE


def test_applications_against_their_pool_budget() -> None:
    env = Environment("prod", services=(Service("api", "http://h/health", 2, 3, 2, 1),
                                        Service("worker", "http://h/w", 1, 0, 1, 1)))  # fmt: skip
    sample = replace(SAMPLE, by_application={"api": 12, "pandadmin": 1, "": 2, "psql": 1})
    rows = {r.application: r for r in by_application(sample, env)}
    assert rows["api"].expected == 10 and rows["api"].over_budget  # (2 + 3) x 2 x 1
    assert rows["worker"].actual == 0 and not rows["worker"].over_budget
    assert rows["pandadmin"].expected is None and not rows["pandadmin"].over_budget
    assert rows[NO_NAME].expected is None and rows[NO_NAME].expected_text == "—"
    assert by_application(sample, env)[0].application == "api"  # biggest first


def test_breakdowns_and_ages_read_well() -> None:
    assert counted({"idle": 3, "active": 5, "": 1}) == (("active", 5), ("idle", 3), ("(none)", 1))
    assert [age_text(s) for s in (None, 4.4, 185, 7800)] == ["—", "4 s", "3 min 5 s", "2 h 10 min"]


def test_a_fresh_transaction_is_zero_seconds_old_never_minus_zero() -> None:
    """The server's now() is the monitor's statement start: a transaction that began
    after it has a slightly negative age."""
    assert [age_text(s) for s in (-0.3, -4.0, 0.0, 59.7)] == ["0 s", "0 s", "0 s", "59 s"]
