"""The async bridge: keyed tasks, stale ones cancelled, failures reported, clean close."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from pandadmin.qt.asyncbridge import TaskBridge


def test_a_new_task_for_a_key_cancels_the_stale_one(run: Any) -> None:
    async def scenario() -> None:
        bridge = TaskBridge()
        results: list[str] = []
        stale = bridge.run("poll", asyncio.sleep(10, "stale"), results.append)
        fresh = bridge.run("poll", asyncio.sleep(0.01, "fresh"), results.append)
        assert stale is not None and fresh is not None
        await asyncio.wait([stale, fresh])
        assert stale.cancelled() and results == ["fresh"]
        assert not bridge.running("poll")

    run(scenario())


def test_failures_are_logged_and_reported_but_cancellation_is_not(
    run: Any, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[tuple[str, str]] = []

    async def boom() -> None:
        raise RuntimeError("keyring exploded")

    async def scenario() -> None:
        bridge = TaskBridge(on_error=lambda key, exc: errors.append((key, str(exc))))
        failing = bridge.run("save", boom())
        cancelled = bridge.run("slow", asyncio.sleep(10))
        assert failing is not None and cancelled is not None
        bridge.cancel("slow")
        await asyncio.wait([failing, cancelled])

    with caplog.at_level(logging.ERROR, logger="pandadmin.qt.asyncbridge"):
        run(scenario())
    assert errors == [("save", "keyring exploded")]
    assert "task save failed" in caplog.text and "slow" not in caplog.text


def test_close_cancels_everything_and_refuses_new_work(run: Any) -> None:
    async def scenario() -> None:
        bridge = TaskBridge()
        task = bridge.run("poll", asyncio.sleep(10))
        await bridge.close()
        assert task is not None and task.cancelled()
        assert bridge.run("late", asyncio.sleep(0)) is None  # closed, never awaited warning-free

    run(scenario())
