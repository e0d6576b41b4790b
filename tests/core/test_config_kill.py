"""SIGKILL in the middle of saves, many times: the config always loads afterwards, and the
next save leaves no temp file behind (a killed save never gets to remove its own)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from pandadmin.core import config as cfg

KILLS = 12
CHILD = """
import sys
from pathlib import Path
from pandadmin.core import config as cfg
path = Path(sys.argv[1])
print("saving", flush=True)
n = 0
while True:  # until killed: every save a different config, several KB of TOML
    n += 1
    envs = tuple(cfg.Environment(f"env_{n}_{i}", connection_limit=10 + i) for i in range(40))
    cfg.save(cfg.Config(envs), path)
"""


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def kill_while_saving(path: Path) -> None:
    """SIGKILL the saving child the moment one of its temp files is seen (mid-save)."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True
    )
    before = set(temp_files(path.parent))  # earlier kills' leftovers, until the fix
    assert child.stdout is not None and child.stdout.readline() == "saving\n"
    deadline = time.monotonic() + 30
    while set(temp_files(path.parent)) <= before and time.monotonic() < deadline:
        pass  # busy: a save's temp file lives for well under a millisecond here
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()


def test_sigkill_during_saves_never_breaks_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    cfg.save(cfg.Config((cfg.Environment("first"),)), path)
    for _ in range(KILLS):
        kill_while_saving(path)
        loaded = cfg.load(path)  # whole and valid: the old file or a new one, never half
        assert loaded.environments
    left_by_kills = temp_files(tmp_path)
    cfg.save(cfg.Config((cfg.Environment("next_run"),)), path)  # the next run's save
    assert cfg.load(path).environments[0].name == "next_run"
    assert temp_files(tmp_path) == [], f"{len(left_by_kills)} left by the kills"
