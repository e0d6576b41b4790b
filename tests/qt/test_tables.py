"""SimpleTable: a fill with the rows already shown changes nothing (a poll that found the
same sessions rebuilds no item); new rows replace them and keep the selected key."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor

from pandadmin.qt.widgets.tables import SimpleTable


def test_the_same_rows_again_keep_their_items_and_new_rows_replace_them(qtbot: Any) -> None:
    table = SimpleTable(("PID", "State"))
    qtbot.addWidget(table)
    rows, tints = [(101, "active"), (102, "idle in transaction")], [None, QColor("orange")]
    table.fill(rows, tints=tints, keys=[101, 102])
    table.selectRow(1)
    first = table.item(1, 1)
    table.fill([tuple(r) for r in rows], tints=[None, QColor("orange")], keys=[101, 102])
    assert table.item(1, 1) is first  # not rebuilt
    table.fill([(102, "idle"), (103, "active")], keys=[102, 103])
    assert [table.item(r, 1).text() for r in range(2)] == ["idle", "active"]
    assert table.selected_key() == 102  # the selected session stays selected
    table.fill([(102, "idle"), (103, "active")], tints=[QColor("red"), None], keys=[102, 103])
    assert table.item(0, 1).background().color() == QColor("red")  # a new tint is a change
