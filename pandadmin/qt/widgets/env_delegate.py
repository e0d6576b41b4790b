"""Painting of the environment list's cells: health dots (or a `9/10 up` summary once they
no longer fit), the usage figure with its bar, the migration badge.

Each cell is first laid out as a list of `Part`s inside the cell's rect, then painted
from that list, so tests can check the very rects that get painted."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from pandadmin.core.models import Status, worst
from pandadmin.core.status import usage_status
from pandadmin.qt import theme
from pandadmin.qt.widgets.env_model import CONNECTIONS, HEALTH, NAME, EnvRow, Index, RowRole

MAX_DOTS = 6  # beyond a handful, dots stop being countable at a glance
DOT, DOT_GAP = 11.0, 5.0
NAME_DOT = 12.0
PAD_X, PAD_Y = 8, 4
BAR_HEIGHT = 5.0
PILL_PAD, PILL_HEIGHT = 14, 18.0


@dataclass(frozen=True, slots=True)
class Part:
    """One painted thing: a `dot`, `text`, `track`, `fill`, `pill` or a pill's `label`."""

    kind: str
    rect: QRectF
    colour: QColor
    text: str = ""


def content_rect(cell: QRect) -> QRect:
    return cell.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)


def dots_width(count: int) -> float:
    return count * DOT + max(count - 1, 0) * DOT_GAP


def name_parts(rect: QRect, fm: QFontMetrics, row: EnvRow) -> list[Part]:
    """The environment's status dot, then its name (elided when the column is narrow)."""
    dot = QRectF(rect.left(), rect.center().y() - NAME_DOT / 2 + 1, NAME_DOT, NAME_DOT)
    text = _text(rect.adjusted(int(NAME_DOT + DOT_GAP), 0, 0, 0), fm, row.env.name, QColor())
    return [Part("dot", dot, _colour(row.status)), text]


def name_width(fm: QFontMetrics, row: EnvRow) -> int:
    return int(NAME_DOT + DOT_GAP) + fm.horizontalAdvance(row.env.name)


def health_parts(rect: QRect, fm: QFontMetrics, row: EnvRow) -> list[Part]:
    health = row.services
    if not health.total:
        return [_text(rect, fm, "no services", theme.muted_text())]
    if health.total <= MAX_DOTS and dots_width(health.total) <= rect.width():
        y = rect.center().y() - DOT / 2 + 1
        return [
            Part("dot", QRectF(rect.left() + n * (DOT + DOT_GAP), y, DOT, DOT), _colour(s.status))
            for n, s in enumerate(health.services)
        ]
    return _summary(rect, fm, row)


def _summary(rect: QRect, fm: QFontMetrics, row: EnvRow) -> list[Part]:
    """A dot of the worst service status, `9/10 up`, then the troubled names, elided."""
    health = row.services
    statuses = [s.status for s in health.services if s.status is not None]
    dot = QRectF(rect.left(), rect.center().y() - DOT / 2 + 1, DOT, DOT)
    parts = [Part("dot", dot, _colour(worst(statuses) if statuses else None))]
    text_rect = rect.adjusted(int(DOT + DOT_GAP), 0, 0, 0)
    # All up (or nothing checked yet) reads quietly, so the troubled rows stand out.
    colour = QColor() if " · " in row.summary else theme.muted_text()
    parts.append(_text(text_rect, fm, row.summary, colour))
    return [p for p in parts if p.rect.width() > 0 and p.rect.right() <= rect.right() + 1]


def health_width(fm: QFontMetrics, row: EnvRow) -> int:
    """What the health cell's content wants: its dots, or the whole summary."""
    total = row.services.total
    if not total:
        return fm.horizontalAdvance("no services")
    if total <= MAX_DOTS:
        return int(dots_width(total))
    return int(DOT + DOT_GAP) + fm.horizontalAdvance(row.summary)


def usage_parts(rect: QRect, fm: QFontMetrics, row: EnvRow, palette: QPalette) -> list[Part]:
    limits = row.report.limits if row.report else None
    colour = palette.color(QPalette.ColorRole.Text)
    if row.report is not None and row.report.database is not None and limits is None:
        colour = theme.status_colour(Status.CRITICAL)
    text = row.texts[CONNECTIONS]
    if limits is None:
        return [_text(rect, fm, text, colour)]
    text_rect = QRect(rect.left(), rect.top(), rect.width(), rect.height() - int(BAR_HEIGHT) - 2)
    parts = [_text(text_rect, fm, text, colour)]
    track = QRectF(rect.left(), rect.bottom() + 1 - BAR_HEIGHT, rect.width(), BAR_HEIGHT)
    fill = QRectF(track)
    fill.setWidth(track.width() * min(limits.utilization, 1.0))
    usage = theme.status_colour(usage_status(limits, row.env.thresholds))
    return [
        *parts,
        Part("track", track, palette.color(QPalette.ColorRole.Mid)),
        Part("fill", fill, usage),
    ]


def badge_parts(rect: QRect, fm: QFontMetrics, row: EnvRow) -> list[Part]:
    badge = row.badge()
    if badge is None:
        return [_text(rect, fm, "—", theme.muted_text())]
    text, status = badge
    width = min(fm.horizontalAdvance(text) + PILL_PAD, rect.width())
    pill = QRectF(rect.left(), rect.center().y() - PILL_HEIGHT / 2 + 1, width, PILL_HEIGHT)
    colour = theme.status_colour(status)
    inside = pill.toAlignedRect().adjusted(PILL_PAD // 2, 0, -PILL_PAD // 2, 0)
    label = _text(inside, fm, text, colour)
    return [Part("pill", pill, colour, text), Part("label", label.rect, colour, label.text)]


def badge_width(fm: QFontMetrics, row: EnvRow) -> int:
    badge = row.badge()
    return fm.horizontalAdvance(badge[0]) + PILL_PAD if badge else fm.horizontalAdvance("—")


def _text(rect: QRect, fm: QFontMetrics, text: str, colour: QColor) -> Part:
    """Text elided to the rect; the part's rect is exactly where the glyphs go."""
    shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, max(rect.width(), 0))
    width = min(fm.horizontalAdvance(shown), rect.width())
    height = min(fm.height(), rect.height())
    top = rect.top() + (rect.height() - height) / 2
    return Part("text", QRectF(rect.left(), top, width, height), colour, shown)


def _colour(status: Status | None) -> QColor:
    return theme.status_colour(status)


class EnvironmentDelegate(QStyledItemDelegate):
    """Paints every cell from its parts, clipped to the cell (the default item painting
    asked the model for a dozen roles per cell: most of a repaint at 50 rows)."""

    def parts(self, option: QStyleOptionViewItem, index: Index) -> list[Part]:
        row: EnvRow | None = index.data(RowRole)
        column = index.column()
        if row is None:
            return []
        rect, fm = content_rect(option.rect), option.fontMetrics
        if column == NAME:
            return name_parts(rect, fm, row)
        if column == HEALTH:
            return health_parts(rect, fm, row)
        if column == CONNECTIONS:
            return usage_parts(rect, fm, row, option.palette)
        return badge_parts(rect, fm, row)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if index.data(RowRole) is None:
            super().paint(painter, option, index)
            return
        self._background(painter, option, index)
        painter.save()
        painter.setClipRect(option.rect)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        for part in self.parts(option, index):
            _paint_part(painter, part, option.palette, selected)
        painter.restore()

    def _background(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """The row tint and the selection only: the full item (initStyleOption, every role)
        cost most of a repaint at 50 rows."""
        opt = QStyleOptionViewItem(option)
        tint = index.data(Qt.ItemDataRole.BackgroundRole)
        if tint is not None:
            opt.backgroundBrush = QBrush(tint)
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)


def _paint_part(painter: QPainter, part: Part, palette: QPalette, selected: bool) -> None:
    if part.kind in ("text", "label"):
        painter.setPen(_text_colour(part, palette, selected))
        painter.drawText(part.rect, Qt.AlignmentFlag.AlignVCenter, part.text)
        return
    painter.setPen(Qt.PenStyle.NoPen)
    if part.kind == "dot":
        painter.setBrush(part.colour)
        painter.drawEllipse(part.rect)
    elif part.kind == "pill":
        # An opaque base under the tint keeps the pill legible on a selected (blue) row.
        for brush in (palette.color(QPalette.ColorRole.Base), _alpha(part.colour, 60)):
            painter.setBrush(brush)
            painter.drawRoundedRect(part.rect, 9, 9)
    else:
        painter.setBrush(part.colour)
        painter.drawRoundedRect(part.rect, 2, 2)


def _text_colour(part: Part, palette: QPalette, selected: bool) -> QColor:
    """Plain text follows the selection's colours; a pill's label sits on its own base."""
    if selected and part.kind == "text":
        return palette.color(QPalette.ColorRole.HighlightedText)
    return part.colour if part.colour.isValid() else palette.color(QPalette.ColorRole.Text)


def _alpha(colour: QColor, alpha: int) -> QColor:
    tinted = QColor(colour)
    tinted.setAlpha(alpha)
    return tinted
