"""The domain core never imports Qt: the CLI and `check` must run without it."""

import pkgutil
import subprocess
import sys

import pandadmin.core


def test_core_imports_no_qt() -> None:
    modules = [m.name for m in pkgutil.walk_packages(pandadmin.core.__path__, "pandadmin.core.")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'PyQt5', 'PyQt6', 'qasync', 'pyqtgraph', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(modules) >= 5
    assert done.stdout.strip() == ""
