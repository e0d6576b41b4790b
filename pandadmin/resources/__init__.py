"""The app's identity on the desktop: its reverse-DNS id and its icon files (no Qt here).

The Qt layer sets `QGuiApplication.setDesktopFileName(APP_ID)` so desktops match windows
to `<APP_ID>.desktop`, and builds its window and tray icon from `icon_files()`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

APP_ID = "io.github.pandadmin.Pandadmin"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def icon_path(size: int | None = None) -> Path:
    """The SVG icon, or its PNG rendering at one of ICON_SIZES."""
    if size is not None and size not in ICON_SIZES:
        raise ValueError(f"no {size} px icon; sizes: {ICON_SIZES}")
    name = "pandadmin.svg" if size is None else f"pandadmin-{size}.png"
    return Path(str(resources.files(__name__).joinpath(name)))


def icon_files() -> list[Path]:
    """Every PNG size, smallest first: add each to one QIcon so Qt picks the sharpest.

    PNGs rather than the SVG, so the icon needs no SVG plugin in a frozen build.
    """
    return [icon_path(size) for size in ICON_SIZES]
