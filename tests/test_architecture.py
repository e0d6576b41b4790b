"""Where Qt may be imported: only in `pandadmin/qt/` and, lazily, in the GUI entry points.

The domain core and the command line must run without Qt (`check`, `env`, `service`
on a server with no display), so importing them must not load it.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pandadmin
import pandadmin.cli
import pandadmin.core

PACKAGE = Path(pandadmin.__file__).parent
QT_ROOTS = ("PySide6", "PyQt5", "PyQt6", "qasync", "pyqtgraph", "shiboken6")
# Commands that open a window: they may import Qt, inside the handler only.
GUI_ENTRY_POINTS = {"cli/gui.py", "cli/screenshot.py", "cli/demo.py"}


def _modules(package: object, prefix: str) -> list[str]:
    return [m.name for m in pkgutil.walk_packages(package.__path__, prefix)]  # type: ignore[attr-defined]


def test_core_and_cli_import_no_qt() -> None:
    modules = [
        *_modules(pandadmin.core, "pandadmin.core."),
        *_modules(pandadmin.cli, "pandadmin.cli."),
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {QT_ROOTS!r})\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(modules) >= 10 and "pandadmin.cli.env" in modules
    assert done.stdout.strip() == ""


def _qt_imports(tree: ast.Module) -> list[tuple[ast.stmt, bool]]:
    """Each import of Qt (or of pandadmin.qt) with whether it sits inside a function."""
    found: list[tuple[ast.stmt, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import | ast.ImportFrom) and _is_qt(child):
                found.append((child, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def _is_qt(node: ast.Import | ast.ImportFrom) -> bool:
    names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    return any(n.split(".")[0] in QT_ROOTS or n.startswith("pandadmin.qt") for n in names)


def test_qt_only_in_the_qt_package_and_lazily_in_gui_entry_points() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("qt/"):
            continue
        for node, in_function in _qt_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if not (relative in GUI_ENTRY_POINTS and in_function):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []


def test_the_check_finds_a_module_level_qt_import() -> None:
    tree = ast.parse("import os\nfrom PySide6.QtCore import QObject\ndef f():\n    import qasync\n")
    assert [(n.lineno, inside) for n, inside in _qt_imports(tree)] == [(2, False), (4, True)]


# What a reviewer greps for in the Qt layer: a domain rule recomputed or a reason matched
# by its text. The rules live in core (status.py, settings.py); widgets only render.
DOMAIN_IN_QT = {
    "reason or note matched by text": r"(reasons?|text)\b[^\n]*\.startswith\(",
    "reason prefix matched": r"startswith\(\s*[\"'](database|service|connection|pools|cert)",
    "status compared with a bare number": r"status\s*[<>]=?\s*\d",
    "pools' worst case recomputed": r"pool_size\s*\+|\)\s*\*\s*workers",
    "threshold compared": r"[<>]=?\s*[\w.]*(warning|critical)_pct",
    "percentage of a limit computed": r"\*\s*\w+\s*/\s*100\b|utilization\s*\*\s*100",
}


def test_no_widget_computes_a_domain_value_or_matches_reason_text() -> None:
    import re

    offenders = []
    for path in sorted((PACKAGE / "qt").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for what, pattern in DOMAIN_IN_QT.items():
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(PACKAGE)}:{line}: {what}")
    assert offenders == []


VALUE_OBJECTS = (
    "pandadmin.core.models",
    "pandadmin.core.migration_status",
    "pandadmin.core.status",
    "pandadmin.core.report",
    "pandadmin.core.settings",
    "pandadmin.core.config",
    "pandadmin.core.transaction",
)


def test_value_objects_and_rules_load_without_the_drivers() -> None:
    """Reports, status rules and settings are plain data: no asyncpg, httpx, keyring or Qt."""
    code = (
        "import importlib, sys\n"
        f"for name in {VALUE_OBJECTS!r}: importlib.import_module(name)\n"
        "roots = {m.split('.')[0] for m in sys.modules}\n"
        "print(','.join(sorted(roots & {'asyncpg', 'httpx', 'httpcore', 'keyring', 'numpy',"
        " 'PySide6', 'psycopg'})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
