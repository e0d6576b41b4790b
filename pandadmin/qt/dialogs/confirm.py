"""Window-modal confirmations opened with `open()` + `finished`, never `exec()`: a nested
event loop inside a coroutine re-enters the asyncio loop (qasync#59)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget


class Confirmation(QMessageBox):
    """A question with one destructive button; `on_yes` runs only when it is clicked."""

    def __init__(
        self, parent: QWidget | None, title: str, text: str, action: str, on_yes: Callable[[], None]
    ) -> None:
        super().__init__(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel, parent
        )
        self.yes_button: QPushButton = self.addButton(
            action, QMessageBox.ButtonRole.DestructiveRole
        )
        self.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self._on_yes = on_yes
        self.finished.connect(self._done)

    def _done(self, _result: int) -> None:
        confirmed = self.clickedButton() is self.yes_button
        self.deleteLater()
        if confirmed:
            self._on_yes()


def confirm(
    parent: QWidget | None, title: str, text: str, action: str, on_yes: Callable[[], None]
) -> Confirmation:
    box = Confirmation(parent, title, text, action, on_yes)
    box.open()
    return box


def inform(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    """A non-blocking message (errors the user should read)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.finished.connect(box.deleteLater)
    box.open()
    return box
