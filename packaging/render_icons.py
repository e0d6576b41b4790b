"""Render the app icon's PNG sizes from resources/<app-id>.svg with QtSvg, and copy the
icon into the package (pandadmin/resources/) where the app loads it at run time.

Run after editing the SVG, then commit the PNGs:
    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from pandadmin.resources import APP_ID, ICON_SIZES  # noqa: E402

SOURCE = ROOT / "resources" / f"{APP_ID}.svg"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
PACKAGE = ROOT / "pandadmin" / "resources"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def save(image: QImage, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path)):  # PNG, from the suffix
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not a valid SVG")
    for size in ICON_SIZES:
        image = render(renderer, size)
        save(image, HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png")
        save(image, PACKAGE / f"pandadmin-{size}.png")
    shutil.copyfile(SOURCE, PACKAGE / "pandadmin.svg")
    print(f"wrote {(PACKAGE / 'pandadmin.svg').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
