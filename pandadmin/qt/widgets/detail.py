"""One environment in detail: why it has its status, connections over time and who holds
them, sessions worth a look, service health and migrations.

Only the tab on screen is filled; a hidden tab keeps nothing but a "stale" mark and is
filled from the latest report when it is shown."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from pandadmin.core.config import Config, Environment
from pandadmin.core.history import EnvironmentHistory
from pandadmin.core.models import ActivitySample, Status
from pandadmin.core.report import EnvironmentReport
from pandadmin.core.status import FindingKind
from pandadmin.core.url_keywords import ignored_note
from pandadmin.qt import present, theme
from pandadmin.qt.widgets.connections_chart import ConnectionsChart
from pandadmin.qt.widgets.health import HealthPanel
from pandadmin.qt.widgets.holders import HoldersPanel
from pandadmin.qt.widgets.migrations import MigrationsPanel
from pandadmin.qt.widgets.pooler import PoolerPanel
from pandadmin.qt.widgets.sessions import SessionsPanel

UNREACHABLE_HOLDERS = "No current breakdown: the database does not answer (see above)."
Shown = tuple[Environment, EnvironmentReport | None, EnvironmentHistory | None,
              EnvironmentReport | None]  # fmt: skip


class EnvironmentDetail(QWidget):
    """Renders the latest report and history of the selected environment."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env: Environment | None = None
        self.title = QLabel(" ", self)
        self.subtitle = QLabel(" ", self)
        self.banner = QLabel("", self)
        self.reasons = QLabel("", self)
        for label in (self.subtitle, self.banner, self.reasons):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.title, self.subtitle, self.banner, self.reasons):
            # Their text is escaped HTML: Qt guesses plain text when it sees no tag and
            # would show an escaped apostrophe as "&#x27;".
            label.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setVisible(False)
        self.chart = ConnectionsChart(self)
        self.holders = HoldersPanel(self)
        self.sessions = SessionsPanel(self)
        self.health = HealthPanel(self)
        self.migrations = MigrationsPanel(self)
        self.pooler = PoolerPanel(self)
        self.tabs = QTabWidget(self)
        self._shown: Shown | None = None
        self._stale_tabs: set[int] = set()
        self._build()
        self.tabs.currentChanged.connect(lambda _i: self._fill_current_tab())

    def _build(self) -> None:
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.chart)
        split.addWidget(self.holders)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([420, 260])
        self.tabs.addTab(split, "Connections")
        self.tabs.addTab(self.sessions, "Sessions")
        self.tabs.addTab(self.health, "Health")
        self.tabs.addTab(self.migrations, "Migrations")
        self.tabs.addTab(self.pooler, "Pooler")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.banner)
        layout.addWidget(self.reasons)
        layout.addWidget(self.tabs, 1)

    def show_environment(
        self,
        config: Config,
        env: Environment,
        report: EnvironmentReport | None,
        history: EnvironmentHistory | None,
        reference: EnvironmentReport | None = None,
    ) -> None:
        """`reference`: the environment's last report that reached its database."""
        self.env = env
        self._header(config, env, report)
        self._shown = (env, report, history, reference)
        self._stale_tabs = set(range(self.tabs.count()))
        self._fill_current_tab()

    def _fill_current_tab(self) -> None:
        index = self.tabs.currentIndex()
        if self._shown is None or index not in self._stale_tabs:
            return
        self._stale_tabs.discard(index)
        env, report, history, reference = self._shown
        sample = report.database.sample if report and report.database else None
        if index == 0:
            self._fill_connections(env, report, history, reference, sample)
        elif index == 1:
            self.sessions.show_sample(sample)
        elif index == 2:
            self.health.show_results(report.services if report else (), history)
        elif index == 3:
            self.migrations.show_status(report.migrations if report else None)
        else:
            self.pooler.show_result(
                report.pooler if report else None, env.thresholds, polled=report is not None
            )

    def _fill_connections(
        self,
        env: Environment,
        report: EnvironmentReport | None,
        history: EnvironmentHistory | None,
        reference: EnvironmentReport | None,
        sample: ActivitySample | None,
    ) -> None:
        self.chart.show_environment(history, report, env.thresholds, reference)
        unreachable = report is not None and present.unreachable_text(report) is not None
        pooled = report.pooler.sample if report and report.pooler else None
        cap = pooled.server_cap if pooled else None
        self.holders.show_sample(sample, env, UNREACHABLE_HOLDERS if unreachable else None, cap)

    def _header(self, config: Config, env: Environment, report: EnvironmentReport | None) -> None:
        status = report.status if report else Status.UNKNOWN
        colour = theme.status_colour(status).name()
        self.title.setText(
            f"<span style='font-size:16pt'><b>{html.escape(env.name)}</b></span>"
            f"&nbsp;&nbsp;<span style='color:{colour}; font-size:12pt'><b>{status.label}</b></span>"
        )
        self.subtitle.setText(_subtitle(config, env, report))
        banner = present.unreachable_text(report) if report else None
        self.banner.setVisible(banner is not None)
        if banner:
            self.banner.setText(html.escape(banner))
            self.banner.setStyleSheet(_banner_style())
        reasons = _reasons(report, skip_unreachable=banner is not None)
        self.reasons.setText(reasons)
        self.reasons.setVisible(bool(reasons))


def _banner_style() -> str:
    crit, back = theme.status_colour(Status.CRITICAL), theme.tint(Status.CRITICAL, 36)
    rgba = f"rgba({back.red()}, {back.green()}, {back.blue()}, {back.alpha()})"
    return (
        f"QLabel {{ color: {crit.name()}; background: {rgba}; padding: 8px; border-radius: 4px; }}"
    )


def _subtitle(config: Config, env: Environment, report: EnvironmentReport | None) -> str:
    plan = env.plan if env.connection_limit is None else "custom"
    parts = [f"plan {plan} ({config.plan_limit(env)} connections)"]
    database = report.database if report else None
    if database is not None:
        parts.append(html.escape(database.url))
        if database.ignored:
            parts.append(html.escape(ignored_note(database.ignored)))
        sample = database.sample
        if sample is not None:
            parts.append(f"PostgreSQL {html.escape(sample.server_version)}")
            parts.append("TLS" if sample.tls else "no TLS")
    elif report is not None:
        parts.append("no DATABASE_URL stored")
    if report is not None:
        parts.append(f"checked {present.clock(report.checked_at)}")
    return " · ".join(parts)


def _reasons(report: EnvironmentReport | None, skip_unreachable: bool) -> str:
    if report is None:
        return "Checking… the first poll is on its way."
    shown = [
        f.reason for f in report.findings
        if not (skip_unreachable and f.kind is FindingKind.DATABASE_UNREACHABLE)
    ]  # fmt: skip
    if not report.findings:
        return "All good."
    return "<br>".join(f"• {html.escape(r)}" for r in shown[:4])  # "" when only the banner
