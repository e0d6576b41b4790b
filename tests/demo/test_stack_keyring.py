"""The demo's keyring clean-up when its private Secret Service went away first.

Ctrl+C or SIGTERM reach the whole process group, so `make demo`'s own D-Bus session and
gnome-keyring often stop before the demo removes its entries. A real Secret Service is
started, given the demo's three entries, stopped, and then the stack is closed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import os, sys
from pandadmin.demo.stack import DemoStack, RunningEnvironment
if sys.argv[1] == "shared":
    os.environ.pop("PANDADMIN_IN_SECRET_SERVICE")  # as if it were the desktop's keyring
stack = DemoStack()
url = "postgresql://demo:secret-pw@127.0.0.1:5432/demo"
stack._store_secrets(RunningEnvironment(spec, url, {}) for spec in stack.topology)
print(len(stack.topology), flush=True)
sys.stdin.readline()  # meanwhile the test stops the Secret Service
stack.close()
"""


def stop_the_secret_service(session: int) -> None:
    """SIGTERM to the session's D-Bus daemon and gnome-keyring, as Ctrl+C would do."""
    names = ("dbus-daemon", "gnome-keyring-daemon", "gnome-keyring-d")
    services = [
        p
        for p in psutil.process_iter(["name"])
        if p.info["name"] in names and _session(p) == session
    ]
    assert len(services) >= 2, [p.info["name"] for p in services]
    for process in services:
        process.send_signal(signal.SIGTERM)
    psutil.wait_procs(services, timeout=15)
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in services)


def _session(process: psutil.Process) -> int | None:
    try:
        return os.getsid(process.pid)
    except OSError:
        return None


def close_after_the_service_stopped(mode: str) -> tuple[int, str]:
    script = ROOT / "scripts" / "with-secret-service.sh"
    env = {k: v for k, v in os.environ.items() if k != "PANDADMIN_IN_SECRET_SERVICE"}
    child = subprocess.Popen(
        ["bash", str(script), sys.executable, "-c", CHILD, mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "3", "the child did not store its entries"
        stop_the_secret_service(child.pid)
        child.stdin.write("\n")
        child.stdin.flush()
        _, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    return child.returncode, stderr


def test_a_private_secret_service_gone_first_is_not_reported() -> None:
    code, stderr = close_after_the_service_stopped("private")
    assert "keyring" not in stderr and "Errno" not in stderr, stderr
    assert code == 0, stderr


def test_a_shared_keyring_gone_first_is_reported_once() -> None:
    code, stderr = close_after_the_service_stopped("shared")
    lines = [line for line in stderr.splitlines() if "keyring" in line]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("pandadmin demo: could not remove 3 keyring entries of")
    assert "secret-pw" not in stderr
    assert code == 0, stderr


pytestmark = pytest.mark.timeout(180)
