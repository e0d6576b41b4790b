"""Benchmark: the migration matrix (issue 17) for a 500-revision history, rendered.

Goal: < 200 ms from new statuses to a painted matrix. One render is what the app does when
a migration status changes: `MigrationMatrixView.show_statuses` (the matrix built from the
statuses: joined graph, newest-first order, every cell, folding; then the Qt model reset,
the header and columns sized) and a synchronous paint of the whole widget (`grab()`).

The history is bench_migrations.py's 500 revision files (a fork and a merge every 50),
read once by the real `RevisionReader` (not timed: reading has its own benchmark), with
one Create Date per revision. Three environments: dev at the head, staging one behind,
prod at revision 250 (250 pending rows: the matrix folds nothing it could show), all
three in the same window as the app lays it out, 1200 x 800. Also the "show every
revision" mode (500 rows). Each run alternates prod between two revisions so every call
is a real change (an equal status is skipped by design).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_matrix.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import support  # (puts the repo on sys.path)
from bench_migrations import generate
from PySide6.QtWidgets import QApplication

from pandadmin.core.alembic_scripts import Revision, RevisionReader
from pandadmin.core.migration_matrix import newest_first
from pandadmin.core.migrations import MigrationStatus, compare
from pandadmin.core.revision_graph import RevisionGraph
from pandadmin.qt.widgets.revision_matrix import MigrationMatrixView

GOAL_MS = 200.0
REVISIONS = 500
SIZE = (1200, 800)


def history(folder: Path) -> tuple[tuple[Revision, ...], list[str]]:
    """The 500 files, read by the real reader, dated a day apart in file order."""
    paths = generate(folder / "versions", REVISIONS)
    scripts = RevisionReader().read(folder)
    assert len(scripts.revisions) == REVISIONS and not scripts.unreadable, scripts.unreadable
    index = {p.name.split("_")[0]: int(re.findall(r"\d+", p.stem)[-1]) for p in paths}
    start = datetime(2025, 1, 1)
    dated = tuple(
        replace(r, create_date=start + timedelta(days=index[r.revision])) for r in scripts.revisions
    )
    order = newest_first(RevisionGraph.build(dated))
    return dated, order


def statuses(
    scripts: tuple[Revision, ...], order: list[str], prod_at: int
) -> dict[str, MigrationStatus]:
    return {
        "dev": compare(scripts, (order[0],)),
        "staging": compare(scripts, (order[1],)),
        "prod": compare(scripts, (order[prod_at],)),
    }


def measure(view: MigrationMatrixView, feeds: list[dict[str, MigrationStatus]]) -> list[float]:
    seconds = []
    for feed in feeds:
        started = time.perf_counter()
        view.show_statuses(feed)
        view.grab()
        seconds.append(time.perf_counter() - started)
    return seconds


def run(runs: int) -> dict[str, object]:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="pandadmin-bench-") as tmp:
        scripts, order = history(Path(tmp))
    feeds = [statuses(scripts, order, 250 + i % 2) for i in range(runs + 1)]
    view = MigrationMatrixView()
    view.resize(*SIZE)
    view.show()
    app.processEvents()
    first = measure(view, feeds[:1])[0]  # cold: first model, first column sizing
    folded = measure(view, feeds[1:])
    shown_rows = view.model.rowCount()
    view.show_all.setChecked(True)
    everything = measure(view, feeds[1:])
    all_rows = view.model.rowCount()
    view.close()
    return _numbers(first, folded, everything, shown_rows, all_rows)


def _numbers(
    first: float, folded: list[float], everything: list[float], shown: int, total: int
) -> dict[str, object]:
    ms = [s * 1000 for s in folded]
    all_ms = [s * 1000 for s in everything]
    return {
        "revisions": REVISIONS,
        "environments": 3,
        "rows_shown": shown,
        "render_median_ms": round(statistics.median(ms), 1),
        "render_max_ms": round(max(ms), 1),
        "first_render_ms": round(first * 1000, 1),
        "show_all_rows": total,
        "show_all_median_ms": round(statistics.median(all_ms), 1),
        "show_all_max_ms": round(max(all_ms), 1),
        "runs": len(ms),
        "goal_ms": GOAL_MS,
        "goal_met": max(statistics.median(ms), statistics.median(all_ms)) < GOAL_MS,
        "versions": {name: version(name) for name in ("PySide6-Essentials", "alembic")},
        **support.machine(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    numbers = run(parser.parse_args().runs)
    support.print_table(
        f"matrix: {REVISIONS} revisions x 3 environments",
        [
            (f"render, {numbers['rows_shown']} rows (median)", numbers["render_median_ms"],
             f"< {GOAL_MS:g} ms", numbers["render_median_ms"] < GOAL_MS),  # type: ignore[operator]
            ("render, max", numbers["render_max_ms"], "", None),
            ("first render (cold)", numbers["first_render_ms"], "", None),
            (f"show all, {numbers['show_all_rows']} rows (median)", numbers["show_all_median_ms"],
             f"< {GOAL_MS:g} ms", numbers["show_all_median_ms"] < GOAL_MS),  # type: ignore[operator]
            ("load average", numbers["load_average"], "", None),
        ],
    )  # fmt: skip
    support.save_results("matrix", numbers)
    return 0 if numbers["goal_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
