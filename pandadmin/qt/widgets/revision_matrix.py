"""The migrations tab: every revision against every environment (newest first), what the
selected revision is and who still needs it, and the Alembic lines to copy (never run)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pandadmin.core.migration_commands import commands_for_all, upgrade_commands
from pandadmin.core.migration_matrix import KEEP_APPLIED, MatrixRow, RevisionMatrix, date_text
from pandadmin.core.migration_status import MigrationState, MigrationStatus
from pandadmin.qt import theme
from pandadmin.qt.widgets.revision_matrix_model import (
    MARK_TEXT,
    REVISION_ROLE,
    Index,
    RevisionMatrixModel,
)
from pandadmin.qt.widgets.tables import read_only_rows


class MigrationMatrixView(QWidget):
    """Rebuilt only when a status changed: it is fed on every report."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(" ", self)
        self.summary.setWordWrap(True)
        self.show_all = QCheckBox("Show revisions applied everywhere", self)
        self.model = RevisionMatrixModel()
        self.table = _table(self.model, self)
        self.details = QLabel("", self)
        self.copy_button = QPushButton("Copy upgrade commands", self)
        self.copied = ""  # the last text put on the clipboard
        self._statuses: Mapping[str, MigrationStatus] = {}
        self._shown: list[tuple[str, MigrationStatus | None]] | None = None
        self._build()

    def _build(self) -> None:
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.details.linkActivated.connect(_open_link)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.copy_button.setToolTip(
            "alembic history / upgrade lines for every environment that needs the selected "
            "revision (text only: pandadmin runs nothing)"
        )
        self.copy_button.clicked.connect(lambda: self.copy_commands())
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_all)
        bottom = QWidget(self)
        box = QVBoxLayout(bottom)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.details, 1)
        box.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignLeft)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(bottom)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.show_all.toggled.connect(self._rebuild)
        self.table.selectionModel().currentRowChanged.connect(self._show_details)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self._show_details()

    # feeding -------------------------------------------------------------------------

    def show_statuses(self, statuses: Mapping[str, MigrationStatus]) -> None:
        # The tints follow light/dark, so the palette is part of what is shown.
        shown = [("dark" if theme.is_dark() else "light", None), *statuses.items()]
        if shown != self._shown:
            self._shown, self._statuses = shown, dict(statuses)
            self._rebuild()

    def _rebuild(self) -> None:
        selected = self.selected_revision()
        keep = None if self.show_all.isChecked() else KEEP_APPLIED
        matrix = RevisionMatrix.build(self._statuses, keep)
        self.model.set_matrix(matrix, self._statuses)
        self.summary.setText(_summary(matrix))
        if selected is not None:
            self.select(selected)
        self._show_details()

    # selection and details -----------------------------------------------------------

    def select(self, revision: str) -> bool:
        """Select a revision's row; False when it is not shown."""
        rows = self.model.matrix.rows if self.model.matrix else ()
        for number, row in enumerate(rows):
            if row.revision.revision == revision:
                self.table.selectRow(number)
                return True
        return False

    def selected_revision(self) -> str | None:
        current = self.table.currentIndex()
        value = (
            self.model.index(current.row(), 0).data(REVISION_ROLE) if current.isValid() else None
        )
        return value if isinstance(value, str) else None

    def selected_row(self) -> MatrixRow | None:
        return self.model.row_of(self.model.index(self.table.currentIndex().row(), 0))

    def _show_details(self, *_: object) -> None:
        row, matrix = self.selected_row(), self.model.matrix
        if row is None or matrix is None:
            self.details.setText("Select a revision to see what it is and where it is missing.")
            self.copy_button.setEnabled(False)
            return
        needing = matrix.needed_by(row)
        self.details.setText(_details_html(row, needing))
        self.copy_button.setEnabled(bool(needing))

    # copying -------------------------------------------------------------------------

    def copy_commands(self, environment: str | None = None) -> str:
        """Put the Alembic lines for the selected revision on the clipboard; returns them."""
        revision, matrix = self.selected_revision(), self.model.matrix
        if revision is None or matrix is None:
            return ""
        if environment is None:
            text = commands_for_all(matrix, revision)
        else:
            text = upgrade_commands(matrix, revision, environment)
        QGuiApplication.clipboard().setText(text)
        self.copied = text
        return text

    def _context_menu(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        environment = self.model.environment(index.column()) if index.isValid() else None
        if self.model.row_of(index) is None:
            return
        self.table.setCurrentIndex(index)
        menu = QMenu(self)
        if environment is not None:
            menu.addAction(f"Copy upgrade commands for {environment}",
                           lambda: self.copy_commands(environment))  # fmt: skip
        menu.addAction("Copy upgrade commands for every environment that needs it",
                       lambda: self.copy_commands())  # fmt: skip
        menu.popup(self.table.viewport().mapToGlobal(point))


def _table(model: RevisionMatrixModel, parent: QWidget) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    read_only_rows(table)
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    table.setItemDelegate(_SelectionKeepsColours(table))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setResizeContentsPrecision(0)  # measure the visible rows only: 500 stay fast
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    model.modelReset.connect(lambda: _stretch_message(header))
    return table


class _SelectionKeepsColours(QStyledItemDelegate):
    """The selected revision's cells keep their applied / pending colours under a
    translucent highlight. The style fills selected cells (and, in Fusion, the row panel
    behind them) with the opaque highlight, so the table's own highlight is made
    transparent and this delegate paints a see-through one."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        palette = table.palette()
        palette.setColor(QPalette.ColorRole.Highlight, Qt.GlobalColor.transparent)
        palette.setColor(QPalette.ColorRole.HighlightedText, palette.color(QPalette.ColorRole.Text))
        table.setPalette(palette)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if not option.state & QStyle.StateFlag.State_Selected:
            super().paint(painter, option, index)
            return
        highlight = QGuiApplication.palette().color(QPalette.ColorRole.Highlight)
        highlight.setAlpha(90)
        painter.fillRect(option.rect, highlight)
        plain = QStyleOptionViewItem(option)
        plain.state &= ~QStyle.StateFlag.State_Selected
        super().paint(painter, plain, index)


def _stretch_message(header: QHeaderView) -> None:
    if header.count() > 1:
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)


def _summary(matrix: RevisionMatrix) -> str:
    if not matrix.columns:
        return "No environment with Alembic scripts has been checked yet."
    parts = []
    for column in matrix.columns:
        state = html.escape(matrix.state_text(column, why=False))  # the header says why
        bold = column.odd or column.status == MigrationState.ERROR
        parts.append(f"{html.escape(column.environment)}: {f'<b>{state}</b>' if bold else state}")
    if matrix.folded:
        parts.append(f"{matrix.folded} older revisions applied everywhere folded")
    return " · ".join(parts)


def _details_html(row: MatrixRow, needing: tuple[str, ...]) -> str:
    rev = row.revision
    marks = ", ".join(MARK_TEXT[m] for m in row.marks)
    path = Path(rev.path)
    facts = [
        f"Revision <tt>{rev.revision}</tt>" + (f" ({marks})" if marks else ""),
        f"created {date_text(rev.create_date)}" if rev.create_date else "no Create Date",
        f"file <a href='{QUrl.fromLocalFile(str(path)).toString()}'>{html.escape(path.name)}</a>",
    ]
    graph = [
        f"revises {_ids(rev.down_revisions) or '(base)'}",
        *([f"depends on {_ids(rev.depends_on)}"] if rev.depends_on else []),
        *([f"branch labels {_ids(rev.branch_labels)}"] if rev.branch_labels else []),
    ]
    need = (f"Still needed by: <b>{html.escape(', '.join(needing))}</b>" if needing
            else "No environment needs it.")  # fmt: skip
    message = html.escape(rev.message) or "<i>(no message)</i>"
    return f"<b>{message}</b><br>{' · '.join(facts)}<br>{' · '.join(graph)}<br>{need}"


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(f"<tt>{html.escape(i)}</tt>" for i in ids)


def _open_link(url: str) -> None:
    QDesktopServices.openUrl(QUrl(url))  # the user's editor for .py files ("open in editor")
