"""Migrations of one environment: revisions, heads, pending with messages. The matrix
across environments is `revision_matrix`."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from pandadmin.core.migration_status import MigrationStatus
from pandadmin.core.models import Status
from pandadmin.qt import present, theme
from pandadmin.qt.widgets.tables import SimpleTable


class MigrationsPanel(QWidget):
    """Where one environment's database stands against its Alembic scripts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(" ", self)
        self.summary.setWordWrap(True)
        self.pending = SimpleTable(("Pending revision", "Message"), self)
        self.problems = QLabel("", self)
        self.problems.setWordWrap(True)
        self.changed = QLabel("", self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.changed)
        layout.addWidget(self.pending, 1)
        layout.addWidget(self.problems)

    def show_status(self, status: MigrationStatus | None) -> None:
        if status is None or status.status == "not_configured":
            self.summary.setText(
                "No Alembic scripts configured for this environment: set the Alembic path in "
                "Edit environment (Ctrl+E) to compare the database with your migrations."
            )
            self.pending.fill([])
            self.problems.setText("")
            return
        badge = present.migration_badge(status)
        text, severity = badge if badge else ("", Status.UNKNOWN)
        colour = theme.status_colour(severity).name()
        self.summary.setText(
            f"<span style='color:{colour}'><b>{text}</b></span><br>"
            f"Database at: <tt>{_revs(status.database_revisions)}</tt><br>"
            f"Script heads: <tt>{_revs(status.heads)}</tt>"
            + (f"<br>{status.detail}" if status.detail else "")
        )
        self.pending.fill([(r.revision, r.message or "") for r in status.pending])
        self.problems.setText(_problems(status))

    def show_changed(self, changed: tuple[str, float] | None) -> None:
        """When the status last changed, as far back as the history store knows."""
        if changed is None:
            self.changed.setText("")
            return
        status, since = changed
        self.changed.setText(
            f"Status last changed {present.clock(since)} ({present.ago(since)}): "
            f"{status.replace('_', ' ')} since then"
        )


def _problems(status: MigrationStatus) -> str:
    lines = [f"Error: {status.error}"] if status.error else []
    lines += [f"Warning: {w}" for w in status.warnings]
    lines += [f"Unreadable: {u}" for u in status.unreadable]
    return "\n".join(lines)


def _revs(revisions: tuple[str, ...]) -> str:
    return ", ".join(revisions) if revisions else "(none)"
