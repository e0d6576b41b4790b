"""Who holds the connections: per application against its pool budget, per state, per
client address, and the ages of the oldest transaction and idle-in-transaction session."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from pandadmin.core.config import Environment
from pandadmin.core.holders import age_text, by_application, counted
from pandadmin.core.models import ActivitySample, Status
from pandadmin.qt import theme
from pandadmin.qt.widgets.tables import SimpleTable


class HoldersPanel(QWidget):
    """Three breakdown tables and one line of ages; empty while there is no sample."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.applications = SimpleTable(("Application", "Now", "Budget", ""), self)
        self.states = SimpleTable(("State", "Now"), self)
        self.clients = SimpleTable(("Client", "Now"), self)
        self.ages = QLabel(" ", self)
        self.ages.setWordWrap(True)
        row = QHBoxLayout()
        for caption, table, stretch in (
            ("By application: actual vs pool budget", self.applications, 5),
            ("By state", self.states, 3),
            ("By client address", self.clients, 3),
        ):
            column = QVBoxLayout()
            column.addWidget(_caption(caption))
            column.addWidget(table, 1)
            row.addLayout(column, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ages)
        layout.addLayout(row, 1)

    def show_sample(
        self,
        sample: ActivitySample | None,
        env: Environment | None,
        why: str | None = None,
        pooler_cap: int | None = None,
    ) -> None:
        """`why`: what to say instead when there is no sample (e.g. unreachable since …)."""
        if sample is None:
            for table in (self.applications, self.states, self.clients):
                table.fill([])
            self.ages.setText(why or "No connection data yet: the first poll is on its way.")
            return
        rows = by_application(sample, env, pooler_cap)
        warn = theme.tint(Status.WARNING, 70)
        self.applications.fill(
            [(r.application, r.actual, r.expected_text, "over budget" if r.over_budget else "")
             for r in rows],
            tints=[warn if r.over_budget else None for r in rows],
        )  # fmt: skip
        self.states.fill(counted(sample.by_state))
        self.clients.fill(counted(sample.by_client_addr, empty="(local socket)"))
        self.ages.setText(_ages(sample))


def _ages(sample: ActivitySample) -> str:
    return (
        f"Oldest transaction: <b>{age_text(sample.oldest_transaction_s)}</b> · "
        f"longest idle in transaction: <b>{age_text(sample.longest_idle_in_transaction_s)}</b>"
        f" · lock waiters: <b>{sample.lock_waiters}</b> · {sample.total} client connections"
    )


def _caption(text: str) -> QLabel:
    label = QLabel(f"<b>{text}</b>")
    return label
