"""The app's desktop identity: one app id everywhere, icon files present and in sync."""

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pandadmin import resources
from pandadmin.resources import APP_ID, ICON_SIZES

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_icon_files_are_pngs_of_every_size() -> None:
    files = resources.icon_files()
    assert [png_size(path) for path in files] == [(size, size) for size in ICON_SIZES]


def test_svg_icon_is_packaged() -> None:
    assert resources.icon_path().read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_unknown_icon_size_is_refused() -> None:
    with pytest.raises(ValueError, match="no 17 px icon"):
        resources.icon_path(17)


def test_packaged_icons_match_the_desktop_icons() -> None:
    """packaging/render_icons.py writes both sets; a stale copy means it was not rerun."""
    assert resources.icon_path().read_bytes() == (RESOURCES / f"{APP_ID}.svg").read_bytes()
    for size in ICON_SIZES:
        themed = RESOURCES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert resources.icon_path(size).read_bytes() == themed.read_bytes(), size


def test_desktop_entry_names_the_app_id() -> None:
    entry = (RESOURCES / f"{APP_ID}.desktop").read_text(encoding="utf-8").splitlines()
    assert f"Icon={APP_ID}" in entry
    assert "Exec=pandadmin" in entry


def test_metainfo_names_the_app_id() -> None:
    root = ET.parse(RESOURCES / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("icon") == APP_ID


def test_resources_import_no_qt() -> None:
    code = "import sys, pandadmin.resources; print('PySide6' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_the_collector_unit_runs_collect_and_does_not_restart_on_bad_input(
    tmp_path: Path,
) -> None:
    import configparser
    import shutil

    unit = RESOURCES / "systemd" / "pandadmin-collect.service"
    parsed = configparser.ConfigParser(strict=False, interpolation=None)
    parsed.read(unit)
    service = parsed["Service"]
    assert service["ExecStart"].endswith("pandadmin collect")
    assert service["RestartPreventExitStatus"] == "2" and service["KillSignal"] == "SIGTERM"
    assert parsed["Install"]["WantedBy"] == "default.target"
    analyze = shutil.which("systemd-analyze")
    if analyze:  # systemd's own parser, with %h (user units only) replaced by a real path
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace("%h/.local/bin/pandadmin", "/bin/true"))
        done = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True)
        assert done.returncode == 0 and not done.stderr.strip(), done.stderr
