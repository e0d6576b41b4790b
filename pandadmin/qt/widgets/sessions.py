"""Long-running queries, idle-in-transaction sessions and lock waiters, with cancel and
terminate (after confirmation, and only for a session the monitoring role may signal:
PostgreSQL's rule, decided per row by the server)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pandadmin.core.holders import age_text
from pandadmin.core.models import ActivitySample, Backend, Status
from pandadmin.qt import theme
from pandadmin.qt.dialogs.confirm import Confirmation, confirm
from pandadmin.qt.widgets.tables import SimpleTable

HEADERS = ("PID", "Application", "User", "Database", "Client", "State", "Transaction", "In state",
           "Waiting", "Query")  # fmt: skip
NO_RIGHT = (
    "The monitoring role {user} may cancel or terminate only its own roles' sessions: "
    "GRANT pg_signal_backend TO {user} for the others (never a superuser's)."
)
SUPERUSERS_ONLY = "Only a superuser may cancel or terminate a superuser's session."


class SessionsPanel(QWidget):
    """Emits `signal_requested(pid, terminate)` once the user confirmed."""

    signal_requested = Signal(int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = SimpleTable(HEADERS, self)
        self.cancel_button = QPushButton("Cancel query", self)
        self.terminate_button = QPushButton("Terminate session", self)
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        self.pending: Confirmation | None = None
        self._backends: dict[int, Backend] = {}
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.terminate_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(lambda: self._ask(terminate=False))
        self.terminate_button.clicked.connect(lambda: self._ask(terminate=True))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def show_sample(self, sample: ActivitySample | None) -> None:
        backends = sample.backends if sample else ()
        self._backends = {b.pid: b for b in backends}
        warn, crit = theme.tint(Status.WARNING, 60), theme.tint(Status.CRITICAL, 60)
        self.table.fill(
            [_row(b) for b in backends],
            tints=[crit if b.blocked_by else warn if b.state.startswith("idle in") else None
                   for b in backends],
            keys=[b.pid for b in backends],
        )  # fmt: skip
        self.note.setText(_note(sample))
        self._update_buttons()

    def select_pid(self, pid: int) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.text() == str(pid):
                self.table.selectRow(row)

    def selected_pid(self) -> int | None:
        key = self.table.selected_key()
        return key if isinstance(key, int) else None

    def _selected_backend(self) -> Backend | None:
        pid = self.selected_pid()
        return self._backends.get(pid) if pid is not None else None

    def _update_buttons(self) -> None:
        backend = self._selected_backend()
        enabled = backend is not None and backend.signalable
        self.cancel_button.setEnabled(enabled)
        self.terminate_button.setEnabled(enabled)

    def _ask(self, terminate: bool) -> None:
        backend = self._selected_backend()
        if backend is None or not backend.signalable:
            return
        verb = "Terminate session" if terminate else "Cancel query"
        effect = (
            "closes the connection and rolls back its transaction"
            if terminate
            else "stops its running statement; the session stays connected"
        )
        who = backend.application or "unknown application"
        text = f"{verb} {backend.pid} of {who}?\n\nThis {effect}."
        self.pending = confirm(
            self, verb, text, verb, lambda: self.signal_requested.emit(backend.pid, terminate)
        )


def _row(b: Backend) -> tuple[str | int, ...]:
    waiting = b.wait_event_type or ""
    if b.blocked_by:
        waiting = "blocked by " + ", ".join(str(p) for p in b.blocked_by)
    query = b.query if b.query is not None else "<not visible to this role>"
    return (b.pid, b.application or "—", b.user or "—", b.database or "—", b.client_addr or "local",
            b.state, age_text(b.transaction_age_s), age_text(b.state_age_s), waiting,
            " ".join(query.split())[:300])  # fmt: skip


def _note(sample: ActivitySample | None) -> str:
    if sample is None:
        return "No session data: the database has not answered yet."
    if not sample.backends:
        note = "No long-running queries, idle-in-transaction sessions or lock waiters."
    else:
        note = f"{len(sample.backends)} sessions worth a look."
    if all(b.signalable for b in sample.backends):
        return note
    if sample.can_signal_backends:
        return note + " " + SUPERUSERS_ONLY
    return note + " " + NO_RIGHT.format(user=sample.current_user)
