"""The list's words: summary counts, tooltips, screen-reader names, the row filter."""

from __future__ import annotations

from pandadmin.core import config as cfg
from pandadmin.core.models import HealthResult, Status
from pandadmin.core.service_health import overview
from pandadmin.qt import env_text
from pandadmin.qt.env_text import RowFilter


def _health() -> env_text.HealthOverview:
    env = cfg.Environment("prod", services=tuple(cfg.Service(n, "http://x") for n in "abc"))
    results = [
        HealthResult("a", "http://x", True, 0.0, 200, 12.0),
        HealthResult("b", "http://x", False, 0.0, None, None, "timed out after 5 s"),
        HealthResult("c", "http://x", True, 0.0, 200, 3.25),
    ]
    return overview(env, results)


def test_counts_tooltip_and_spoken_health() -> None:
    health = _health()
    assert env_text.health_count(health) == "2/3 up"
    assert env_text.troubled_names(health) == "b"
    assert env_text.health_tooltip("prod", health).splitlines() == [
        "prod: 2/3 up",
        "• b: critical (timed out after 5 s)",
        "• a: ok (HTTP 200 · 12 ms)",
        "• c: ok (HTTP 200 · 3.2 ms)",
    ]
    assert env_text.accessible_health("prod", health) == "prod, 2 of 3 services up, trouble: b"


def test_row_filter_words_and_statuses() -> None:
    services = ("api", "billing")
    assert RowFilter("").accepts("prod", services, Status.OK)
    assert not RowFilter("").active and RowFilter("x").active
    assert RowFilter("PROD bill").accepts("prod-eu", services, Status.OK)
    assert not RowFilter("prod search").accepts("prod-eu", services, Status.OK)
    critical = RowFilter("", (Status.CRITICAL,))
    assert critical.accepts("dev", services, Status.CRITICAL)
    assert not critical.accepts("dev", services, Status.WARNING)


def test_hidden_text() -> None:
    assert env_text.hidden_text(50, 50) == ""
    assert env_text.hidden_text(3, 50) == "47 of 50 environments hidden by the filter (Esc clears)"
