"""The main window's actions: menus, toolbar and keys in one table, so every action is
reachable without a mouse and the shortcuts dialog lists exactly what exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from pandadmin.qt.main_window import MainWindow

DETAIL_TABS = 5  # Ctrl+1..5
# Keys handled by the widgets themselves, listed in the dialog next to the actions.
NAVIGATION = (
    ("Move through the environments", "Up / Down / Page Up / Page Down / Home / End"),
    ("Open the selected environment's detail", "Enter"),
    ("Move between the list, the filter and the detail", "Tab / Shift+Tab"),
    ("Next / previous tab where the focus is", "Ctrl+Tab / Ctrl+Shift+Tab"),
    ("Open the menus", "Alt / F10"),
)


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    menu: str
    text: str
    keys: tuple[str, ...]
    slot: Callable[[], None]
    toolbar: bool = False


def specs(w: MainWindow) -> list[Spec]:
    tab_actions = [
        Spec(f"tab{n}", "View", f"Detail tab {n}", (f"Ctrl+{n}",), partial(w.show_tab, n - 1))
        for n in range(1, DETAIL_TABS + 1)
    ]
    return [
        Spec("add", "File", "Add…", ("Ctrl+N",), w.add_requested.emit, True),
        Spec("edit", "File", "Edit…", ("Ctrl+E",), w.edit_selected, True),
        Spec("remove", "File", "Remove…", ("Del",), w.remove_selected, True),
        Spec("quit", "File", "Quit", ("Ctrl+Q",), w.quit_requested.emit),
        Spec("poll", "View", "Poll now", ("Ctrl+R", "F5"), w.poll_requested.emit, True),
        Spec("filter", "View", "Filter", ("Ctrl+F", "/"), w.filter_bar.focus),
        Spec("clear_filter", "View", "Clear filter", ("Esc",), w.filter_bar.clear),
        Spec("environments", "View", "Environments", ("Ctrl+Shift+E",), w.show_environments),
        Spec("drift", "View", "Migration matrix", ("Ctrl+Shift+M",), w.show_drift),
        *tab_actions,
        Spec(
            "chart_shorter", "View", "Chart: shorter range", ("Ctrl+-",), lambda: w.step_range(-1)
        ),
        Spec(
            "chart_longer",
            "View",
            "Chart: longer range",
            ("Ctrl+=", "Ctrl++"),
            lambda: w.step_range(1),
        ),
        Spec("shortcuts", "Help", "Keyboard shortcuts", ("F1",), w.show_shortcuts),
    ]


def build(w: MainWindow) -> dict[str, QAction]:
    """Create the actions, the menu bar and the toolbar; returns the actions by name."""
    bar = w.addToolBar("Main")
    bar.setObjectName("main-toolbar")
    bar.setMovable(False)
    menus = {name: w.menuBar().addMenu(f"&{name}") for name in ("File", "View", "Help")}
    actions: dict[str, QAction] = {}
    for spec in specs(w):
        action = QAction(spec.text, w)
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        action.setToolTip(f"{spec.text.rstrip('…')} ({', '.join(spec.keys)})")
        action.triggered.connect(spec.slot)
        menus[spec.menu].addAction(action)
        w.addAction(action)
        if spec.toolbar:
            bar.addAction(action)
        actions[spec.name] = action
    worst = QAction("Worst first", w, checkable=True)
    worst.setShortcut(QKeySequence("Ctrl+Shift+W"))
    worst.setToolTip("Troubled environments on top (Ctrl+Shift+W)")
    worst.toggled.connect(w.environments.set_worst_first)
    menus["View"].insertAction(actions["environments"], worst)
    w.addAction(worst)
    bar.addSeparator()
    bar.addAction(worst)
    actions["worst_first"] = worst
    return actions


def shortcut_rows(w: MainWindow) -> list[tuple[str, str]]:
    """(what, keys) for the dialog: the actions as they are now, then the navigation keys."""
    rows = []
    for name, action in w.actions_by_name.items():
        if name.startswith("tab") and int(name.removeprefix("tab")) > w.detail.tabs.count():
            continue  # Ctrl+5 before a fifth tab exists
        keys = ", ".join(
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
        )
        rows.append((w.describe_action(name, action.text()), keys))
    return rows + list(NAVIGATION)
