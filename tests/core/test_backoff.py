"""The monitors' shared reconnect backoff: doubling, capped, jittered, reset by a success."""

from __future__ import annotations

import time

from pandadmin.core.backoff import Backoff


def test_delays_double_up_to_the_cap_and_reset_on_success() -> None:
    backoff = Backoff(base=0.2, cap=0.8)
    assert not backoff.waiting()
    for expected in (0.2, 0.4, 0.8, 0.8):
        started = time.monotonic()
        backoff.failed()
        wait = backoff._retry_at - started
        assert expected * 0.5 - 0.01 <= wait <= expected + 0.01
        assert backoff.waiting()
    backoff.succeeded()
    assert backoff.failures == 0
    backoff.failed()
    assert backoff._retry_at - time.monotonic() <= 0.2
