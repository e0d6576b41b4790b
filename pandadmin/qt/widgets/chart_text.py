"""Words and numbers around the connections chart: its legend, the hover text, the limit
lines' values and the line of text under the plot."""

from __future__ import annotations

import numpy as np

from pandadmin.core.history import CONNECTION_SERIES
from pandadmin.core.models import Limits
from pandadmin.core.report import EnvironmentReport
from pandadmin.qt import present, theme


def legend(names: tuple[str, ...]) -> str:
    items = (
        f"<span style='color:{theme.SERIES_COLOURS[name]}'>&#9632;</span>&nbsp;{name}"
        for name in names
    )
    return "&nbsp;&nbsp;&nbsp;".join(items)


def sample_text(when: float, row: np.ndarray) -> str:
    if not np.isfinite(row).any():
        return f"{present.clock(when)}  database unreachable"
    parts = [f"{name} {row[CONNECTION_SERIES.index(name)]:.0f}" for name in CONNECTION_SERIES]
    return f"{present.clock(when)}  " + " · ".join(parts)


def line_values(report: EnvironmentReport | None) -> dict[str, float | None]:
    if report is None:
        return {}
    limits = report.limits
    sample = report.database.sample if report.database else None
    # The curves are the server's total: a role or database limit counts other connections
    # (its own), so it gets no line or bands here, only the text below the chart.
    against_total = limits is not None and limits.binding in ("plan", "server")
    return {
        "limit": float(limits.effective_limit) if limits and against_total else None,
        "max_connections": float(sample.max_connections) if sample else None,
        "budget": float(report.budget.worst_case) if report.budget.worst_case else None,
        "server_cap": _server_cap(report),
    }


def _server_cap(report: EnvironmentReport) -> float | None:
    sample = report.pooler.sample if report.pooler is not None else None
    return float(sample.server_cap) if sample is not None else None


def values_text(report: EnvironmentReport | None, stale: bool = False) -> str:
    if report is None or report.limits is None:
        return " "
    limits = report.limits
    sample = report.database.sample if report.database else None
    parts = [f"effective limit {limits.effective_limit} ({_binding_text(limits)})"]
    if sample is not None:
        parts.append(f"max_connections {sample.max_connections}")
    if report.budget.worst_case:
        parts.append(f"pools' worst case {report.budget.worst_case}")
    if stale:
        return "Last known: " + " · ".join(parts)
    parts.append(f"headroom {limits.headroom}")
    return " · ".join(parts)


def _binding_text(limits: Limits) -> str:
    if limits.binding in ("plan", "server"):
        return limits.binding
    return f"{limits.binding} limit: {limits.used} of its connections in use"
