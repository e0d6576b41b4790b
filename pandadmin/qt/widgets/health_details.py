"""The second line of a service in the Health tab: its sub-checks ("db: fail, 1204 ms"),
where the round trip spent its time, and the certificate's days left; as rich text."""

from __future__ import annotations

import html
import time

from pandadmin.core.health_body import word_status
from pandadmin.core.models import HealthResult, NoteKind, Status, SubCheck, Timing
from pandadmin.qt import theme

SEPARATOR = " &nbsp;·&nbsp; "
PHASES = (
    ("dns_ms", "DNS"),
    ("connect_ms", "connect"),
    ("tls_ms", "TLS"),
    ("first_byte_ms", "first byte"),
)


def details_html(result: HealthResult) -> str:
    """Sub-checks on one line, timing and certificate on the next; empty when none."""
    lines = [
        SEPARATOR.join(sub_check_html(c) for c in result.checks),
        SEPARATOR.join(p for p in (timing_text(result.timing), certificate_html(result)) if p),
    ]
    return "<br>".join(line for line in lines if line)


def sub_check_text(check: SubCheck) -> str:
    """`db: fail, 1204 ms` (the latency only when the service reported one)."""
    text = f"{check.name}: {check.status}"
    return text + (f", {check.latency_ms:.0f} ms" if check.latency_ms is not None else "")


def sub_check_html(check: SubCheck) -> str:
    status = word_status(check.status)
    text = html.escape(sub_check_text(check))
    if status in (Status.WARNING, Status.CRITICAL):
        text = f"<span style='color:{theme.status_colour(status).name()}'>{text}</span>"
    if check.output:
        text += f" <i>({html.escape(check.output[:60])})</i>"
    return text


def timing_text(timing: Timing | None) -> str:
    """`DNS 0.4 ms · connect 0.3 ms · TLS 4.1 ms · first byte 12 ms`; says when the
    connection was reused (no DNS, connect or TLS then)."""
    if timing is None:
        return ""
    parts = [
        f"{label} {_ms(value)} ms"
        for key, label in PHASES
        if (value := getattr(timing, key)) is not None
    ]
    if timing.connect_ms is None and parts:
        parts.insert(0, "reused connection")
    return " · ".join(parts)


def certificate_html(result: HealthResult) -> str:
    days, expires = result.certificate_days_left, result.certificate_expires_at
    if days is None or expires is None:
        return ""
    date = time.strftime("%Y-%m-%d", time.gmtime(expires))
    text = f"certificate: {days} day{'s' if days != 1 else ''} left ({date})"
    note = next((n for n in result.notes if n.kind is NoteKind.CERTIFICATE), None)
    if note is None:
        return text
    return f"<span style='color:{theme.status_colour(note.status).name()}'>{text}</span>"


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"
