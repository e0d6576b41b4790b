"""The Qt model of the revision-by-environment matrix: one row per revision (newest first)
plus a fold row, three describing columns, then one column per environment."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon

from pandadmin.core.migration_matrix import Cell, MatrixRow, RevisionMatrix, date_text
from pandadmin.core.migration_status import MigrationStatus
from pandadmin.core.models import Status
from pandadmin.qt import present, theme

FIXED = ("Revision", "Message", "Created")
REVISION_ROLE = Qt.ItemDataRole.UserRole  # the revision id of a row (None on the fold row)
CELL_ROLE = Qt.ItemDataRole.UserRole + 1  # the Cell of an environment column
CELL_TEXT = {
    Cell.APPLIED: "applied",
    Cell.PENDING: "pending",
    Cell.NOT_IN_SCRIPTS: "not in scripts",
    Cell.APPLIED_NOT_IN_SCRIPTS: "applied, not in scripts",
    Cell.UNKNOWN: "unknown",
}
CELL_SEVERITY = {
    Cell.APPLIED: (Status.OK, 35),
    Cell.PENDING: (Status.WARNING, 110),
    Cell.APPLIED_NOT_IN_SCRIPTS: (Status.CRITICAL, 80),
    Cell.UNKNOWN: (Status.UNKNOWN, 50),
}
MARK_TEXT = {"head": "head", "merge": "merge", "branch_point": "branch point"}
Index = QModelIndex | QPersistentModelIndex
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole, REVISION_ROLE, CELL_ROLE,
    }
)  # fmt: skip


class RevisionMatrixModel(QAbstractTableModel):
    """Read-only; `set_matrix` replaces everything (a reset: the matrix is small)."""

    def __init__(self) -> None:
        super().__init__()
        self.matrix: RevisionMatrix | None = None
        self.statuses: Mapping[str, MigrationStatus] = {}
        self._tints: dict[Cell, QColor] = {}
        self._icons: dict[str, QIcon] = {}
        self._row_texts: dict[int, tuple[str, str, str]] = {}  # filled as rows are painted

    def set_matrix(self, matrix: RevisionMatrix, statuses: Mapping[str, MigrationStatus]) -> None:
        self.beginResetModel()
        self.matrix, self.statuses = matrix, statuses
        self._row_texts = {}
        self._tints = {cell: theme.tint(s, alpha) for cell, (s, alpha) in CELL_SEVERITY.items()}
        self._icons = {c.environment: theme.dot_icon(self._badge(c.environment)[1])
                       for c in matrix.columns}  # fmt: skip
        self.endResetModel()

    # shape ---------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.matrix is None:
            return 0
        return len(self.matrix.rows) + (1 if self.matrix.folded else 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.matrix is None:
            return 0
        return len(FIXED) + len(self.matrix.columns)

    def environment(self, column: int) -> str | None:
        if self.matrix is None or column < len(FIXED):
            return None
        return self.matrix.columns[column - len(FIXED)].environment

    def row_of(self, index: Index) -> MatrixRow | None:
        if self.matrix is None or not index.isValid() or index.row() >= len(self.matrix.rows):
            return None
        return self.matrix.rows[index.row()]

    def fold_row(self) -> int | None:
        return len(self.matrix.rows) if self.matrix and self.matrix.folded else None

    # data ----------------------------------------------------------------------------

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # Called for every role of every visible cell on each paint: leave early.
        if role not in _ROLES or self.matrix is None:
            return None
        number, column = index.row(), index.column()
        if number >= len(self.matrix.rows):
            return self._fold_data(index, role)
        row = self.matrix.rows[number]
        if column >= len(FIXED):
            return self._cell_data(row.cells[column - len(FIXED)], column, role)
        if role == REVISION_ROLE:
            return row.revision.revision
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._texts(number, row)[column]
        return None

    def _texts(self, number: int, row: MatrixRow) -> tuple[str, str, str]:
        texts = self._row_texts.get(number)
        if texts is None:
            texts = (_revision_text(row), row.revision.message, _created(row))
            self._row_texts[number] = texts
        return texts

    def _cell_data(self, cell: Cell, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            return CELL_TEXT[cell]
        if role == CELL_ROLE:
            return cell
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._tints.get(cell)
        if role == Qt.ItemDataRole.ForegroundRole and cell is Cell.NOT_IN_SCRIPTS:
            return theme.muted_text()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.environment(column)}: {CELL_TEXT[cell]}"
        return None

    def _fold_data(self, index: Index, role: int) -> object:
        if self.matrix is None or index.column() != 1:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            count = self.matrix.folded
            return f"… {count} older revision{'s' if count != 1 else ''} applied everywhere"
        if role == Qt.ItemDataRole.ForegroundRole:
            return theme.muted_text()
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or self.matrix is None:
            return None
        env = self.environment(section)
        if env is None:
            return FIXED[section] if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.header_text(section)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(env)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._header_tip(section)
        return None

    def header_text(self, section: int) -> str:
        """Name, badge and, for an environment somewhere odd, why (wrapped)."""
        assert self.matrix is not None
        column = self.matrix.columns[section - len(FIXED)]
        lines = [column.environment, self._badge(column.environment)[0]]
        if column.odd and column.detail:
            lines += textwrap.wrap(column.detail, 30)
        return "\n".join(lines)

    def _header_tip(self, section: int) -> str:
        assert self.matrix is not None
        column = self.matrix.columns[section - len(FIXED)]
        lines = [
            f"{column.environment}: {column.status.replace('_', ' ')}",
            f"database at: {', '.join(column.database_revisions) or '(none)'}",
            f"script heads: {', '.join(column.heads) or '(none)'}",
        ]
        if column.location and column.location.config_file:
            lines.append(f"config: {column.location.config_file}")
        return "\n".join(lines + ([column.detail] if column.detail else []))

    def _badge(self, environment: str) -> tuple[str, Status]:
        badge = present.migration_badge(self.statuses.get(environment))
        return badge or ("not configured", Status.UNKNOWN)


def _revision_text(row: MatrixRow) -> str:
    extras = [MARK_TEXT[m] for m in row.marks] + [f"@{b}" for b in row.revision.branch_labels]
    return row.revision.revision + (f"  ({', '.join(extras)})" if extras else "")


def _created(row: MatrixRow) -> str:
    return date_text(row.revision.create_date)
