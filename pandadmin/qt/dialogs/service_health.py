"""Health conditions and request headers of the service selected in the services table:
accepted codes, a JSON key condition, latency warning, retries, certificate thresholds, and
headers that go to the keyring (typed masked, never shown back)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from pandadmin.core.config import Service
from pandadmin.core.health_secrets import parse_header_lines
from pandadmin.core.settings import check_health_conditions, field
from pandadmin.qt.dialogs.fields import float_spin_box, int_spin_box

HEADER_HINT = "Authorization: Bearer …   (stored in the keyring; ' | ' between several)"
Values = dict[str, Any]
TITLE = "Health checks of the selected service"


class ServiceHealthForm(QGroupBox):
    """Edits a raw `Values` dict per service; `apply()` validates it into the Service."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.accepted = QLineEdit(self)
        self.json_key, self.json_value = QLineEdit(self), QLineEdit(self)
        self.latency_on = QCheckBox("warn above", self)
        self.latency = float_spin_box("latency_warning_ms", self)
        self.retries = int_spin_box("retries", self)
        self.cert_warning = float_spin_box("cert_warning_days", self)
        self.cert_critical = float_spin_box("cert_critical_days", self)
        self.headers = QLineEdit(self)
        self.clear_headers = QCheckBox("forget stored headers", self)
        self._build()
        self.setEnabled(False)

    def _build(self) -> None:
        self.accepted.setPlaceholderText(str(field("accepted_status").default))
        self.json_key.setPlaceholderText("e.g. components.db.status")
        self.json_value.setPlaceholderText("e.g. UP")
        self.latency.setSuffix(" ms")
        self.cert_warning.setSuffix(" days")
        self.cert_critical.setSuffix(" days")
        self.headers.setEchoMode(QLineEdit.EchoMode.Password)
        self.headers.setPlaceholderText(HEADER_HINT)
        form = QFormLayout(self)
        form.addRow("Accepted HTTP codes", self.accepted)
        form.addRow("JSON key", _row(self.json_key, QLabel("must equal"), self.json_value))
        form.addRow("Latency", _row(self.latency_on, self.latency))
        form.addRow("Retries before down", _row(self.retries))
        form.addRow("Certificate", _row(QLabel("warning under"), self.cert_warning,
                                        QLabel("critical under"), self.cert_critical))  # fmt: skip
        form.addRow("Request headers", _row(self.headers, self.clear_headers))
        for line in (self.accepted, self.json_key, self.json_value, self.headers):
            line.textEdited.connect(lambda _t: self.changed.emit())
        for check in (self.latency_on, self.clear_headers):
            check.toggled.connect(lambda _b: self.changed.emit())
        for spin in (self.latency, self.cert_warning, self.cert_critical):
            spin.valueChanged.connect(lambda _v: self.changed.emit())
        self.retries.valueChanged.connect(lambda _v: self.changed.emit())
        self.latency_on.toggled.connect(self.latency.setEnabled)

    def load(self, values: Values | None, name: str = "") -> None:
        """Show a service's values (None: nothing selected)."""
        self.setEnabled(values is not None)
        self.setTitle(f"Health checks of {name}" if name else TITLE)
        values = values or values_of(Service("", "http://x"))
        self.blockSignals(True)
        self.accepted.setText(values["accepted_status"])
        self.json_key.setText(values["json_key"])
        self.json_value.setText(values["json_value"])
        self.latency_on.setChecked(values["latency_warning_ms"] is not None)
        self.latency.setValue(values["latency_warning_ms"] or 1000.0)
        self.latency.setEnabled(values["latency_warning_ms"] is not None)
        self.retries.setValue(values["retries"])
        self.cert_warning.setValue(values["cert_warning_days"])
        self.cert_critical.setValue(values["cert_critical_days"])
        self.headers.setText(values["headers"])
        self.clear_headers.setChecked(values["clear_headers"])
        self.blockSignals(False)

    def values(self) -> Values:
        """What is typed, unvalidated."""
        return {
            "accepted_status": self.accepted.text().strip(),
            "json_key": self.json_key.text().strip(),
            "json_value": self.json_value.text().strip(),
            "latency_warning_ms": self.latency.value() if self.latency_on.isChecked() else None,
            "retries": self.retries.value(),
            "cert_warning_days": self.cert_warning.value(),
            "cert_critical_days": self.cert_critical.value(),
            "headers": self.headers.text(),
            "clear_headers": self.clear_headers.isChecked(),
        }


def values_of(service: Service) -> Values:
    """A stored service's values for the form (headers are never read back)."""
    return {
        "accepted_status": service.accepted_status,
        "json_key": service.json_key or "",
        "json_value": service.json_value or "",
        "latency_warning_ms": service.latency_warning_ms,
        "retries": service.retries,
        "cert_warning_days": service.cert_warning_days,
        "cert_critical_days": service.cert_critical_days,
        "headers": "",
        "clear_headers": False,
    }


def apply(service: Service, values: Values) -> Service:
    """The service with the form's values; ValueError names the service and the field."""
    try:
        return _apply(service, values)
    except ValueError as exc:
        raise ValueError(f"service {service.name}: {exc}") from None


def typed_headers(values: Values) -> dict[str, str] | None:
    """Headers typed in the form ({} to forget the stored ones), None to keep them."""
    if values["clear_headers"]:
        return {}
    text = values["headers"].strip()
    if not text:
        return None
    return parse_header_lines("\n".join(text.split(" | ")))


def _apply(service: Service, values: Values) -> Service:
    accepted = values["accepted_status"] or str(field("accepted_status").default)
    checked: dict[str, Any] = {"accepted_status": field("accepted_status").check(accepted)}
    for name in ("json_key", "json_value"):
        checked[name] = field(name).check(values[name]) if values[name] else None
    numbers = ("latency_warning_ms", "retries", "cert_warning_days", "cert_critical_days")
    for name in numbers:
        checked[name] = None if values[name] is None else field(name).check(values[name])
    check_health_conditions(checked)
    return replace(service, **checked)


def _row(*widgets: QWidget) -> QHBoxLayout:
    """Widgets side by side; a row of spin boxes keeps them at their natural width."""
    line = QHBoxLayout()
    for widget in widgets:
        line.addWidget(widget)
    if not any(isinstance(w, QLineEdit) for w in widgets):
        line.addStretch(1)
    return line
