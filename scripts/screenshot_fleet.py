"""Render the main window at real size, 50 environments x 12 services, for the README.

The reports come from tests/support/fleet.py: made-up probe results judged by the real
status rules (600 live health endpoints and 50 databases are more than a laptop should
run for a picture). Run: `QT_QPA_PLATFORM=offscreen .venv/bin/python
scripts/screenshot_fleet.py [OUT.png]` (default docs/screenshot-fleet.png).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pandadmin.core.history import HistoryStore
    from pandadmin.qt.app import application
    from pandadmin.qt.main_window import MainWindow
    from tests.support.fleet import fleet_config, fleet_reports

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot-fleet.png"
    app = application()
    window = MainWindow(HistoryStore())
    config = fleet_config()
    window.show_config(config)
    for report in fleet_reports(config):
        window.show_report(report)
    window.actions_by_name["worst_first"].setChecked(True)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    window.select(window.environments.model().index(0, 0).data())
    window.set_status_message("Overall critical · 50 environments, 600 services")
    window.environments.setFocus()
    app.processEvents()
    saved = window.grab().save(str(out))
    window.allow_close = True
    window.close()
    return 0 if saved else 1


if __name__ == "__main__":
    sys.exit(main())
