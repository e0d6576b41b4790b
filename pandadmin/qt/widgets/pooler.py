"""The Pooler tab: PgBouncer's clients, waits and server connections, and its pools."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from pandadmin.core.config import Thresholds
from pandadmin.core.models import Status
from pandadmin.core.pooler import Pool, PoolerResult, wait_status
from pandadmin.qt import present, theme
from pandadmin.qt.widgets.tables import SimpleTable

HEADERS = ("Database", "User", "Clients", "Waiting", "Servers active", "Idle", "Max wait", "Mode")
CHECKING = "Checking… the first poll is on its way."
NO_POOLER = (
    "No PgBouncer configured for this environment. Give its admin console URL with "
    "`pandadmin env set NAME --pgbouncer-url-stdin` or in the environment dialog."
)


class PoolerPanel(QWidget):
    """A summary line and one row per (database, user) pool."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(NO_POOLER, self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pools = SimpleTable(HEADERS, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.pools, 1)

    def show_result(
        self,
        result: PoolerResult | None,
        thresholds: Thresholds | None = None,
        polled: bool = True,
    ) -> None:
        """`polled` False: no report yet, so nobody knows whether there is a pooler."""
        thresholds = thresholds or Thresholds()
        if result is None:
            self.summary.setText(html.escape(NO_POOLER if polled else CHECKING))
            self.pools.fill([])
            return
        sample = result.sample
        if sample is None:
            since = f" (last answer {present.clock(result.last_seen)})" if result.last_seen else ""
            text = f"PgBouncer {html.escape(result.url)} does not answer{since}: "
            self.summary.setText(text + html.escape(result.error or "no answer"))
            self.pools.fill([])
            return
        clients, servers = sample.clients, sample.servers
        self.summary.setText(
            f"<b>{clients['total']}</b> clients of max_client_conn "
            f"<b>{sample.max_client_conn}</b> · <b>{clients['waiting']}</b> waiting, the "
            f"longest <b>{sample.max_wait_s:.1f} s</b> · <b>{servers['total']}</b> server "
            f"connections of <b>{sample.server_cap}</b> · pool_mode "
            f"<b>{html.escape(sample.pool_mode)}</b> · {html.escape(result.url)}"
        )
        shown = [p for p in sample.pools if p.database != "pgbouncer"]
        self.pools.fill(
            [_row(p) for p in shown],
            tints=[_tint(p, thresholds) for p in shown],
            keys=[(p.database, p.user) for p in shown],
        )


def _row(pool: Pool) -> tuple[str | int, ...]:
    return (
        pool.database,
        pool.user,
        pool.clients_active,
        pool.clients_waiting,
        pool.servers.get("active", 0),
        pool.servers.get("idle", 0),
        f"{pool.max_wait_s:.1f} s",
        pool.pool_mode,
    )


def _tint(pool: Pool, thresholds: Thresholds) -> QColor | None:
    status = wait_status(pool.max_wait_s, thresholds)
    return theme.tint(status, 70) if status != Status.OK else None
