"""The keyring's daemon executor: runs calls in order and never holds up interpreter exit."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from pandadmin.core.daemon_executor import DaemonExecutor, DesktopSecrets
from pandadmin.core.secrets import MemoryStore


def test_runs_calls_in_order_and_passes_errors_on() -> None:
    executor = DaemonExecutor("test-worker")
    try:
        assert [executor.submit(pow, 2, n).result(5) for n in range(4)] == [1, 2, 4, 8]
        with pytest.raises(ZeroDivisionError):
            executor.submit(lambda: 1 / 0).result(5)
    finally:
        executor.shutdown()
    with pytest.raises(RuntimeError, match="after shutdown"):
        executor.submit(print)


def test_shutdown_without_waiting_cancels_what_is_queued() -> None:
    gate = threading.Event()
    executor = DaemonExecutor("test-worker")
    running = executor.submit(gate.wait, 5)
    while not running.running():
        time.sleep(0.001)
    queued = executor.submit(print, "never")
    executor.shutdown(wait=False, cancel_futures=True)
    assert queued.cancelled()
    gate.set()
    assert running.result(5) is True


def test_desktop_secrets_work_like_async_secrets() -> None:
    store = MemoryStore()
    secrets = DesktopSecrets(store, timeout=5)

    async def roundtrip() -> str | None:
        await secrets.set("prod", "postgresql://u@h/d")
        return await secrets.get("prod")

    try:
        assert asyncio.run(roundtrip()) == "postgresql://u@h/d"
    finally:
        secrets.close()


def test_a_stuck_keyring_call_does_not_block_exit() -> None:
    code = textwrap.dedent(
        """
        import asyncio, threading
        from pandadmin.core.daemon_executor import DesktopSecrets
        from pandadmin.core.secrets import MemoryStore

        class Stuck(MemoryStore):
            def get(self, name):
                threading.Event().wait()  # an unlock prompt nobody answers

        secrets = DesktopSecrets(Stuck(), timeout=0.2)
        try:
            asyncio.run(secrets.get("prod"))
        except Exception as exc:
            print(type(exc).__name__)
        secrets.close()
        """
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "SecretStoreError"
    assert time.monotonic() - started < 10
