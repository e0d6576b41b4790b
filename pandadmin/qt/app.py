"""Start the desktop app on a qasync loop and stop it cleanly.

Quitting (Ctrl+Q, closing the window, the tray, the session manager) is intercepted as
an event: the main coroutine then closes the poller, its connections and the HTTP
client while the loop still runs, and only then lets Qt's loop end. `QDialog.exec()`
is never used (qasync#59); the keyring has its own executor, so a pending unlock
prompt cannot hold up exit (qasync#115).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from pandadmin import __version__, resources
from pandadmin.core import config as cfg
from pandadmin.core.daemon_executor import DesktopSecrets
from pandadmin.core.secrets import AsyncSecrets, open_store
from pandadmin.qt import theme, window_state
from pandadmin.qt.controller import Controller
from pandadmin.qt.dialogs.confirm import inform
from pandadmin.qt.event_loop import new_loop

log = logging.getLogger("pandadmin")
APP_ID = resources.APP_ID
CLOSE_TIMEOUT_S = 6.0
_installed_hook: Callable[..., None] | None = None


class QuitGuard(QObject):
    """Turns the application's Quit event into an asyncio Event, keeping Qt's loop alive."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.app = app
        self.requested = asyncio.Event()
        app.installEventFilter(self)
        app.aboutToQuit.connect(self.requested.set)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.app and event.type() == QEvent.Type.Quit:
            self.requested.set()
            return True
        return False

    def release(self) -> None:
        self.app.removeEventFilter(self)


def application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName("pandadmin")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(theme.app_icon())
    return app


async def load_config(path: Path) -> cfg.Config:
    return await asyncio.to_thread(cfg.load, path)


async def open_controller(
    config_path: Path,
    secrets: AsyncSecrets | None = None,
    remember: bool = True,
    data_dir: Path | None = None,
) -> Controller:
    """Load the config (and, with `remember`, the window's saved state) off the UI thread
    and start a controller on it."""
    config = await load_config(config_path)
    state = await asyncio.to_thread(window_state.load) if remember else None
    # Its worker is a daemon thread: a keyring stuck on an unlock prompt cannot block exit.
    secrets = secrets or DesktopSecrets(open_store(config))
    controller = Controller(config_path, config, secrets, remember=remember, data_dir=data_dir)
    controller.start(state)
    return controller


async def main(config_path: Path, secrets: AsyncSecrets | None = None) -> int:
    """The app's whole life: open, wait for a quit request, close while the loop lives."""
    app = application()
    guard = QuitGuard(app)
    try:
        controller = await open_controller(config_path, secrets)
    except cfg.ConfigError as exc:
        return await _config_error(guard, str(exc))
    if _installed_hook is not None and sys.excepthook is _installed_hook:
        install_excepthook(controller.window.set_status_message)  # now errors can be shown
    await guard.requested.wait()
    try:
        await asyncio.wait_for(controller.close(), CLOSE_TIMEOUT_S)
    except TimeoutError:
        log.warning("closing took longer than %.0f s; exiting anyway", CLOSE_TIMEOUT_S)
    guard.release()
    return 0


async def _config_error(guard: QuitGuard, message: str) -> int:
    """A corrupt config is shown (file and line) and never overwritten."""
    box = inform(
        None, "pandadmin cannot read its settings", f"{message}\n\nThe file was left untouched."
    )
    box.finished.connect(lambda _r: guard.requested.set())
    await guard.requested.wait()
    guard.release()
    return 2


def install_excepthook(show: Callable[[str], None] | None = None) -> None:
    """Exceptions escaping Qt slots are logged (and shown by `show`, non-modally) instead
    of aborting the app."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, asyncio.CancelledError):
            return  # qasync's asyncSlot lets cancellation escape (qasync#126)
        log.error("unhandled error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if show is not None:
            show(f"Internal error: {kind.__name__}: {value} (details in the log)")

    global _installed_hook
    sys.excepthook = _installed_hook = hook


def run_app(config_path: Path) -> int:
    """`pandadmin` with no command: the desktop app until the user quits."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    install_excepthook()
    app = application()
    with asyncio.Runner(loop_factory=lambda: new_loop(app)) as runner:
        return runner.run(main(config_path))


def gui_main() -> int:
    """The `pandadmin-gui` script: windowed builds have no stderr, so log to a file."""
    if sys.stderr is None:
        import platformdirs

        folder = Path(platformdirs.user_log_dir("pandadmin"))
        folder.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(filename=folder / "pandadmin.log", level=logging.INFO)
    return run_app(cfg.default_path())
