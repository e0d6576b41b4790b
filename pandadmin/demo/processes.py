"""Child processes of the demo: sample services under uvicorn and `alembic upgrade`.

Every service runs in its own process group (its own session), so stopping it reaches
whatever it forked; secrets travel in the child's environment, never in argv.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import httpx

from pandadmin.demo.pgserver import free_port

SAMPLE_APP = "pandadmin.demo.sample_service.app:app"
ALEMBIC_INI = Path(__file__).parent / "sample_service" / "alembic.ini"


class StartupError(RuntimeError):
    """A part of the demo did not come up; the message says which and why."""


class ServiceProcess:
    """One replica of the sample service: `uvicorn` on 127.0.0.1, logging to a file."""

    def __init__(self, label: str, env: Mapping[str, str], log_path: Path) -> None:
        self.label = label
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        args = [sys.executable, "-m", "uvicorn", SAMPLE_APP, "--host", "127.0.0.1"]
        args += ["--port", str(self.port), "--log-level", "warning", "--no-access-log"]
        args += ["--timeout-graceful-shutdown", "2"]
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                args,
                env={**os.environ, **env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def answers(self) -> bool:
        """True once the service gives any HTTP answer to /health (a flapping 503 counts)."""
        if self.process.poll() is not None:
            tail = self.log_path.read_text(errors="replace")[-600:]
            raise StartupError(f"service {self.label} exited: {tail.strip()}")
        try:
            httpx.get(self.url + "/health", timeout=2.0)
        except httpx.TransportError:
            return False
        return True


def wait_until_answering(services: Iterable[ServiceProcess], timeout: float = 60.0) -> None:
    pending = list(services)
    deadline = time.monotonic() + timeout
    while pending:
        pending = [s for s in pending if not s.answers()]
        if pending and time.monotonic() > deadline:
            names = ", ".join(s.label for s in pending)
            raise StartupError(f"services did not answer within {timeout:.0f} s: {names}")
        if pending:
            time.sleep(0.1)


def stop_processes(processes: Iterable[subprocess.Popen[bytes]], timeout: float = 6.0) -> None:
    """SIGTERM every process group, wait for them together, then SIGKILL what is left."""
    procs = list(processes)
    for proc in procs:
        _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
        # The leader is gone; anything it forked that outlived it goes too.
        _signal_group(proc.pid, signal.SIGKILL)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def alembic_upgrade(database_url: str, target: str, timeout: float = 120.0) -> None:
    """The real `python -m alembic upgrade TARGET` on the sample service's migrations."""
    args = [sys.executable, "-m", "alembic", "-c", str(ALEMBIC_INI), "upgrade", target]
    done = subprocess.run(
        args,
        env={**os.environ, "DATABASE_URL": database_url},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ALEMBIC_INI.parent,
    )
    if done.returncode != 0:
        raise StartupError(f"alembic upgrade {target} failed: {done.stderr.strip()[-600:]}")
