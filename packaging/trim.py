"""What the one-dir build leaves out: Python modules the app never imports, Qt plugins,
translations and host libraries that only those parts would need, and debug symbols.

Each rule names why. pyqtgraph 0.14 imports QtOpenGL/QtOpenGLWidgets unconditionally
(pyqtgraph/Qt/OpenGLHelpers.py), so those two stay; QtSvg and QtTest it imports inside
try/except, so they can go.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

# PyInstaller TOC entries: (destination, source, typecode).
Entry = tuple[str, str, str]

EXCLUDED_MODULES = [
    # One Qt binding only: qasync and pyqtgraph probe for the others.
    "PyQt5",
    "PyQt6",
    "PySide2",
    "shiboken2",
    # Qt modules PySide6-Essentials ships that the app does not import.
    "PySide6.QtTest",
    "PySide6.QtSvg",
    "PySide6.QtSvgWidgets",
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
    "PySide6.QtQml",
    "PySide6.QtQmlFeatures",
    "PySide6.QtQuick",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuickTest",
    "PySide6.QtQuickWidgets",
    "PySide6.QtLabsStyleKit",
    "PySide6.QtSql",
    "PySide6.QtXml",
    "PySide6.QtHelp",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtPrintSupport",
    "PySide6.QtConcurrent",
    # Add-ons (not in Essentials) that must never slip in.
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtMultimedia",
    "PySide6.Qt3DCore",
    "PySide6.QtPdf",
    # Optional pyqtgraph parts (3D, notebooks, examples) and what they would pull.
    "pyqtgraph.opengl",
    "pyqtgraph.jupyter",
    "pyqtgraph.examples",
    "OpenGL",
    "tkinter",
]

# Destination paths (inside _internal/) that are dropped from the bundle.
DROPPED = [
    # Qt's own UI translations: the app itself is English-only (7 MB).
    "PySide6/Qt/translations/*",
    # The GTK3 theme plugin drags in the build host's whole GTK/GDK/ATK/Cairo/Pango
    # stack (~20 MB), which must come from the user's system if anywhere. The XDG
    # desktop portal theme stays for native file dialogs and colour scheme.
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    # Embedded/kiosk platforms and their input plugins; xcb, wayland, offscreen and
    # minimal stay (offscreen is what `pandadmin screenshot` and the smoke test use).
    "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platforms/libqlinuxfb.so",
    "PySide6/Qt/plugins/platforms/libqminimalegl.so",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/platforms/libqvkkhrdisplay.so",
    "PySide6/Qt/plugins/egldeviceintegrations/*",
    "PySide6/Qt/plugins/generic/*",
    # Compositor-side and exotic Wayland shells; xdg-shell is what desktops speak.
    "PySide6/Qt/plugins/wayland-graphics-integration-client/*-server.so",
    "PySide6/Qt/plugins/wayland-shell-integration/libfullscreen-shell-v1.so",
    "PySide6/Qt/plugins/wayland-shell-integration/libivi-shell.so",
    "PySide6/Qt/plugins/wayland-shell-integration/libqt-shell.so",
    "PySide6/Qt/plugins/wayland-shell-integration/libwl-shell-plugin.so",
    # Image formats the app never reads (PNG is built into QtGui; SVG stays for
    # icon themes).
    "PySide6/Qt/plugins/imageformats/libqtiff.so",
    "PySide6/Qt/plugins/imageformats/libqwebp.so",
    "PySide6/Qt/plugins/imageformats/libqwbmp.so",
    "PySide6/Qt/plugins/imageformats/libqtga.so",
    "PySide6/Qt/plugins/imageformats/libqicns.so",
]


def dropped(dest: str) -> bool:
    return any(fnmatch(dest, pattern) for pattern in DROPPED)


def trim(
    binaries: list[Entry], datas: list[Entry], imports: Callable[[str], Iterable[str]]
) -> tuple[list[Entry], list[Entry]]:
    """Drop DROPPED entries and the shared libraries that only they needed.

    Analysis has already pulled in every dropped plugin's dependencies (the GTK theme
    plugin's GTK stack, say). A library goes when a dropped entry needs it and no kept
    root does; `imports(path)` names a binary's transitive link-time dependencies.
    Symbolic links to what went (in either list) go too.
    """
    kept = [entry for entry in binaries if not dropped(entry[0])]
    gone = [entry for entry in binaries if dropped(entry[0])]
    orphans = _needed_by(gone, imports) - _needed_by(filter(_is_root, kept), imports)
    pruned = {dest for dest, _src, _kind in kept if _name(dest) in orphans}
    pruned |= {dest for dest, _src, _kind in gone}

    def stays(entry: Entry) -> bool:
        dest, src, kind = entry
        return dest not in pruned and not (kind == "SYMLINK" and src in pruned)

    return [e for e in kept if stays(e)], [e for e in datas if stays(e) and not dropped(e[0])]


def _is_root(entry: Entry) -> bool:
    """Python extensions, Qt plugins and libpython: what is loaded first-hand."""
    dest, _src, kind = entry
    return (
        kind == "EXTENSION"
        or dest.startswith("PySide6/Qt/plugins/")
        or _name(dest).startswith("libpython")
    )


def _needed_by(entries: Iterable[Entry], imports: Callable[[str], Iterable[str]]) -> set[str]:
    return {_name(lib) for _dest, src, kind in entries if kind != "SYMLINK" for lib in imports(src)}


def _name(path: str) -> str:
    return PurePosixPath(path).name


def strip_symbols(folder: Path) -> int:
    """`strip --strip-unneeded` the bundle's unstripped ELF files that are safe to strip.

    PyInstaller's own strip=True strips everything, and that breaks libraries that
    auditwheel rewrote with patchelf ("ELF load command address/offset not
    page-aligned" from numpy's OpenBLAS). Those carry an $ORIGIN run path, so
    they are left alone; what remains is mostly the host's libpython and stdlib
    extensions and asyncpg's and cryptography's extensions (~35 MB of symbols).
    Returns the bytes saved (0 when binutils is missing).
    """
    if shutil.which("strip") is None or shutil.which("readelf") is None:
        print("trim: binutils (strip, readelf) not found: symbols left in")
        return 0
    saved = 0
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or not _strippable(path):
            continue
        before = path.stat().st_size
        subprocess.run(["strip", "--strip-unneeded", str(path)], check=True)
        saved += before - path.stat().st_size
    return saved


def _strippable(path: Path) -> bool:
    with path.open("rb") as handle:
        if handle.read(4) != b"\x7fELF":
            return False
    if any(part.endswith(".libs") for part in path.parts):
        return False
    sections = _readelf("-SW", path)
    dynamic = _readelf("-d", path)
    has_symbols = ".symtab" in sections or ".debug_" in sections
    return has_symbols and "$ORIGIN" not in dynamic


def _readelf(option: str, path: Path) -> str:
    done = subprocess.run(["readelf", option, str(path)], capture_output=True, text=True)
    return done.stdout
