"""Add or edit an environment: name, masked DATABASE_URL, "Test connection", plan, Alembic
path, services with the live pool budget. The dialog only collects and validates; the
controller stores the URL in the keyring and saves the config, off the UI thread."""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pandadmin.core import settings
from pandadmin.core.config import Config, Environment
from pandadmin.core.health_secrets import encode_headers
from pandadmin.core.models import DatabaseResult, Status
from pandadmin.core.pooler import parse_admin_url
from pandadmin.core.secret_keys import headers_key, pgbouncer_key
from pandadmin.core.settings import check_name
from pandadmin.core.transaction import EnvironmentChange
from pandadmin.core.url_keywords import ignored_note
from pandadmin.core.urls import UrlError, normalise, parse, redact
from pandadmin.qt import theme
from pandadmin.qt.dialogs.fields import float_spin_box, int_spin_box
from pandadmin.qt.dialogs.services_editor import ServicesEditor

CUSTOM = "custom"


class EnvironmentDialog(QDialog):
    """Emits `save_requested(draft)` and `test_requested(url, name)`; never blocks."""

    save_requested = Signal(object)
    test_requested = Signal(str, str)  # typed URL ("" = the stored one), environment name

    def __init__(self, config: Config, env: Environment | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.config, self.original = config, env
        self.setWindowTitle(f"Edit environment {env.name}" if env else "Add environment")
        self.name = QLineEdit(self)
        self.url = QLineEdit(self)
        self.url.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_url = QToolButton(self)
        self.test_button = QPushButton("Test connection", self)
        self.url_note = QLabel("", self)  # the typed URL redacted, with what is ignored
        self.test_result = QLabel(" ", self)
        self.plan = QComboBox(self)
        self.custom_limit = int_spin_box("connection_limit", self)
        self.interval = float_spin_box("interval", self)
        self.alembic = QLineEdit(self)
        self.browse = QPushButton("Browse…", self)
        self.prometheus = QLineEdit(self)
        self.pgbouncer = QLineEdit(self)
        self.pgbouncer.setEchoMode(QLineEdit.EchoMode.Password)
        self.services = ServicesEditor(self)
        self.error = QLabel("", self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.file_dialog: QFileDialog | None = None
        self._build()
        self._load(env or Environment(""))

    # construction ---------------------------------------------------------------------

    def _build(self) -> None:
        self.show_url.setText("Show")
        self.show_url.setCheckable(True)
        self.show_url.toggled.connect(self._toggle_url)
        self.url.setPlaceholderText(
            "stored in the keyring — leave empty to keep it"
            if self.original
            else "postgresql://user:password@host:5432/database"
        )
        for name, limit in self.config.plans.items():
            self.plan.addItem(f"{name} ({limit})", name)
        self.plan.addItem("custom limit", CUSTOM)
        self.interval.setSuffix(" s")
        for widget in (self.url_note, self.test_result, self.error):
            widget.setWordWrap(True)
        self.url_note.setTextFormat(Qt.TextFormat.PlainText)
        self.setLayout(self._layout())
        self._connect()
        self.resize(760, 640)

    def _layout(self) -> QVBoxLayout:
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("DATABASE_URL", _row(self.url, self.show_url, self.test_button))
        form.addRow("", self.url_note)
        form.addRow("", self.test_result)
        form.addRow("Plan", _row(self.plan, self.custom_limit))
        form.addRow("Poll every", self.interval)
        form.addRow("Alembic", _row(self.alembic, self.browse))
        self.alembic.setPlaceholderText("alembic.ini or the script folder holding versions/")
        form.addRow("Prometheus", self.prometheus)
        form.addRow("PgBouncer", self.pgbouncer)
        self.pgbouncer.setPlaceholderText(
            "optional admin console URL: postgresql://user:password@host:6432/pgbouncer"
            " (kept in the keyring; empty keeps the stored one)"
        )
        self.prometheus.setPlaceholderText(
            "optional: http://prometheus:9090 scraping a pandadmin collector (history)"
        )
        layout = QVBoxLayout()
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Services</b>"))
        layout.addWidget(self.services, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        return layout

    def _connect(self) -> None:
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.test_button.clicked.connect(self._test)
        self.url.textChanged.connect(self._describe_url)
        self.browse.clicked.connect(self._browse)
        self.plan.currentIndexChanged.connect(self._plan_changed)
        self.custom_limit.valueChanged.connect(lambda _v: self._update_budget())
        self.services.changed.connect(self._update_budget)

    def _load(self, env: Environment) -> None:
        self.name.setText(env.name)
        key = CUSTOM if env.connection_limit is not None else (env.plan or "free")
        self.plan.setCurrentIndex(max(self.plan.findData(key), 0))
        self.custom_limit.setValue(env.connection_limit or self.config.plan_limit(env))
        self.interval.setValue(env.interval)
        self.alembic.setText(env.alembic or "")
        self.prometheus.setText(env.prometheus_url or "")
        self.services.set_services(env.services)
        self._plan_changed()

    # behaviour ----------------------------------------------------------------------------

    def limit(self) -> int:
        key = self.plan.currentData()
        return self.custom_limit.value() if key == CUSTOM else self.config.plans[key]

    def _plan_changed(self) -> None:
        custom = self.plan.currentData() == CUSTOM
        self.custom_limit.setEnabled(custom)
        if not custom:
            self.custom_limit.setValue(self.limit())
        self._update_budget()

    def _update_budget(self) -> None:
        self.services.update_budget(self.limit())

    def _toggle_url(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.url.setEchoMode(mode)
        self.show_url.setText("Hide" if shown else "Show")

    def _browse(self) -> None:
        dialog = QFileDialog(self, "Alembic configuration or script folder")
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters(["Alembic config (alembic.ini pyproject.toml)", "All files (*)"])
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.fileSelected.connect(self.alembic.setText)
        self.file_dialog = dialog
        dialog.open()

    def _describe_url(self, text: str) -> None:
        """Parsing is pure (no file, DNS or keyring), so it may run on each keystroke."""
        self.url_note.setText(url_note(text.strip()))

    def _test(self) -> None:
        text = self.url.text().strip()
        if not text and self.original is None:
            self.show_test_result(None, "Type a DATABASE_URL first.")
            return
        self.test_button.setEnabled(False)
        self.test_result.setText("Connecting…")
        self.test_requested.emit(text, self.original.name if self.original else "")

    def show_test_result(self, result: DatabaseResult | None, error: str | None = None) -> None:
        self.test_button.setEnabled(True)
        ok = result is not None and result.sample is not None
        colour = theme.status_colour(Status.OK if ok else Status.CRITICAL).name()
        text = _test_text(result) if ok and result else (error or _failure(result))
        self.test_result.setText(f"<span style='color:{colour}'>{html.escape(text)}</span>")

    def _submit(self) -> None:
        try:
            draft = self.draft()
        except (ValueError, UrlError) as exc:
            self.show_error(str(exc))
            return
        self.error.setText("Saving…")
        self.buttons.setEnabled(False)
        self.save_requested.emit(draft)

    def draft(self) -> EnvironmentChange:
        """The validated request; raises ValueError with a one-line reason."""
        name = check_name("environment", self.name.text().strip())
        previous = self.original.name if self.original else None
        if name != previous and self.config.environment(name) is not None:
            raise ValueError(f"an environment named {name!r} already exists")
        text = self.url.text().strip()
        if not text and self.original is None:
            raise ValueError("DATABASE_URL is required for a new environment")
        url = normalise(parse(text)) if text else None
        key = self.plan.currentData()
        custom = key == CUSTOM
        env = replace(
            self.original or Environment(name),
            name=name,
            plan=None if custom else key,
            connection_limit=self.custom_limit.value() if custom else None,
            alembic=self.alembic.text().strip() or None,
            prometheus_url=_optional(self.prometheus.text(), "prometheus_url"),
            interval=self.interval.value(),
            services=self.services.services(),
        )
        headers = {
            headers_key(name, service): encode_headers(values)
            for service, values in self.services.header_changes().items()
        }
        pooler = self.pgbouncer.text().strip()
        if pooler:
            headers[pgbouncer_key(name)] = normalise(parse_admin_url(pooler))
        return EnvironmentChange(env, url, previous, headers)

    def show_error(self, message: str) -> None:
        self.buttons.setEnabled(True)
        colour = theme.status_colour(Status.CRITICAL).name()
        self.error.setText(f"<span style='color:{colour}'>{html.escape(message)}</span>")


def url_note(text: str) -> str:
    """The URL redacted, then what is ignored (`ignored for monitoring: keepalives`), or why
    it is refused."""
    if not text:
        return ""
    try:
        url = parse(text)
    except UrlError as exc:
        return f"✗ {exc}"
    notes = [ignored_note(url.ignored), "pooled (PgBouncer)" if url.pooled else ""]
    return "\n".join([redact(url), " · ".join(filter(None, notes))]).strip()


def _optional(text: str, name: str) -> str | None:
    """An optional text setting checked by its field in the settings table."""
    text = text.strip()
    return str(settings.field(name).check(text)) if text else None


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for number, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if number == 0 else 0)
    return box


def _test_text(result: DatabaseResult) -> str:
    sample = result.sample
    assert sample is not None
    tls = "TLS" if sample.tls else "no TLS"
    seen = "sees all sessions" if sample.sees_all_sessions else "cannot see other sessions"
    return (
        f"✓ Connected to PostgreSQL {sample.server_version} as {sample.current_user} ({tls}):"
        f" {sample.total} of {sample.server_limit} usable connections in use; the role {seen}."
    )


def _failure(result: DatabaseResult | None) -> str:
    return f"✗ {result.error if result and result.error else 'no answer'}"
