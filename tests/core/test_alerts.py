"""Notification hysteresis: N critical polls to fire, M non-critical polls to clear."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pandadmin.core.alerts import AlertTracker
from pandadmin.core.config import Notifications
from pandadmin.core.models import Status

C, W, OK = Status.CRITICAL, Status.WARNING, Status.OK


def _feed(tracker: AlertTracker, statuses: list[Status]) -> list[tuple[int, str]]:
    out = []
    for number, status in enumerate(statuses):
        alert = tracker.observe("prod", status, ("database unreachable: refused",))
        if alert is not None:
            out.append((number, alert.kind))
    return out


def test_fires_after_n_failures_and_recovers_after_m_successes() -> None:
    tracker = AlertTracker(Notifications(fail_after=3, recover_after=2))
    assert _feed(tracker, [OK, C, C, C, C, OK, C, OK, OK]) == [(3, "critical"), (8, "recovered")]


def test_a_single_success_resets_the_failure_count() -> None:
    tracker = AlertTracker(Notifications(fail_after=2, recover_after=1))
    assert _feed(tracker, [C, OK, C, W, C, C]) == [(5, "critical")]
    assert tracker.is_alerting("prod")


def test_warning_counts_as_recovered_and_texts_read_well() -> None:
    tracker = AlertTracker(Notifications(fail_after=1, recover_after=1))
    fired = tracker.observe("prod", C, ("database unreachable: refused",))
    assert fired is not None and fired.title == "prod is critical"
    assert fired.message == "database unreachable: refused"
    cleared = tracker.observe("prod", W)
    assert cleared is not None and cleared.title == "prod recovered"
    tracker.forget("prod")
    assert not tracker.is_alerting("prod")


@given(st.lists(st.sampled_from([C, W, OK, Status.UNKNOWN]), max_size=60),
       st.integers(1, 4), st.integers(1, 4))  # fmt: skip
def test_alerts_alternate_and_need_their_streak(statuses: list[Status], n: int, m: int) -> None:
    alerts = _feed(AlertTracker(Notifications(n, m)), statuses)
    kinds = [kind for _, kind in alerts]
    assert kinds == ["critical", "recovered"] * (len(kinds) // 2) + ["critical"] * (len(kinds) % 2)
    for index, kind in alerts:
        needed = n if kind == "critical" else m
        window = statuses[index - needed + 1 : index + 1]
        assert len(window) == needed
        assert all((s == C) == (kind == "critical") for s in window)
