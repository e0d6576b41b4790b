"""Render the migration matrix tab on live data for the README (docs/screenshot-matrix.png).

A real Alembic project grown revision by revision (a linear start, two branches, their
merge, one more revision), cloned into four checkouts of different ages; four databases on
an embedded PostgreSQL upgraded by the real `alembic upgrade`; the real app polling them.
dev is up to date, staging behind, prod's checkout has two unmerged heads, qa's database
was migrated from a newer checkout than its own (ahead). Everything is temporary.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_matrix.py [OUT.png]
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LINEAR = [
    ("1c0e5a7f2b31", "create accounts"),
    ("5d2b8e1a9c47", "create invoices"),
    ("8a4f3c6d1e92", "add invoice currency"),
    ("b3e7d2a5f018", "create payments"),
    ("e91c4b7a3d65", "add payment provider reference"),
    ("2f6a9d3c8b14", "index payments by invoice"),
]
ENVIRONMENTS = ("dev", "staging", "prod", "qa")


def grow(root: Path) -> dict[str, object]:
    """The project and its checkouts (tests/support/alembic_projects.py drives Alembic)."""
    from tests.support.alembic_projects import AlembicProject

    project = AlembicProject(root / "dev")
    for rev, message in LINEAR:
        project.revision(rev, message)
    project.revision("7b1d4e8f2a63", "add invoice reminders", head=LINEAR[-1][0])
    qa = project.checkout(root / "qa")
    project.revision("c5a2f9e3d7b8", "add audit log", head=LINEAR[-1][0], splice=True)
    prod = project.checkout(root / "prod")
    project.merge("4e8c1b6a9f25", "merge reminders and audit log", ["7b1d4e8f2a63", "c5a2f9e3d7b8"])
    staging = project.checkout(root / "staging")
    project.revision("9d3f7a2c5e10", "index invoices by due date")
    return {"dev": project, "staging": staging, "prod": prod, "qa": qa}


def date_files(checkouts: dict[str, object]) -> None:
    """Create Dates weeks apart, as a real history has (Alembic wrote the same minute)."""
    order = [rev for rev, _ in LINEAR] + ["7b1d4e8f2a63", "c5a2f9e3d7b8", "4e8c1b6a9f25",
                                          "9d3f7a2c5e10"]  # fmt: skip
    start = datetime(2026, 6, 2, 9, 30)
    for checkout in checkouts.values():
        for path in checkout.versions.glob("*.py"):  # type: ignore[attr-defined]
            when = start + timedelta(
                days=12 * order.index(path.name[:12]), minutes=7 * len(path.name)
            )
            text = re.sub(r"Create Date: .*", f"Create Date: {when}", path.read_text(), count=1)
            path.write_text(text)


def deploy(checkouts: dict[str, object], urls: dict[str, str]) -> None:
    deploys = {
        "dev": ("dev", "heads"),
        "staging": ("staging", "7b1d4e8f2a63"),
        "prod": ("prod", LINEAR[-1][0]),
        "qa": ("staging", "4e8c1b6a9f25"),  # migrated from a newer checkout than qa's own
    }
    for env, (checkout, target) in deploys.items():
        checkouts[checkout].upgrade(urls[env], target)  # type: ignore[attr-defined]


async def shoot(config_path: Path, urls: dict[str, str], out: Path) -> bool:
    from pandadmin.core.secrets import AsyncSecrets, MemoryStore
    from pandadmin.qt.app import open_controller

    store = MemoryStore()
    for env, url in urls.items():
        store.set(env, url)
    controller = await open_controller(config_path, AsyncSecrets(store), remember=False)
    try:
        window = controller.window
        window.resize(1280, 800)
        window.show_drift()
        view = window.matrix
        for _ in range(600):
            if view.model.matrix and len(view.model.matrix.columns) == len(ENVIRONMENTS):
                break
            await asyncio.sleep(0.05)
        view.select("c5a2f9e3d7b8")
        window.set_status_message("Migration matrix · 4 environments")
        await asyncio.sleep(0.2)
        image = window.grab().toImage()
        return bool(await asyncio.to_thread(image.save, str(out)))
    finally:
        await controller.close()


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot-matrix.png"
    with tempfile.TemporaryDirectory(prefix="pandadmin-matrix-") as tmp:
        os.environ["PANDADMIN_DATA_DIR"] = str(Path(tmp) / "data")  # no history left behind
        return run(Path(tmp), out.absolute())


def run(tmp: Path, out: Path) -> int:
    import qasync

    from pandadmin.core import config as cfg
    from pandadmin.demo.pgserver import EmbeddedPostgres
    from pandadmin.qt.app import application

    checkouts = grow(tmp / "src")
    date_files(checkouts)
    with EmbeddedPostgres(max_connections=20) as server:
        urls = {}
        for env in ENVIRONMENTS:
            server.create_database(f"shop_{env}")
            urls[env] = server.url(f"shop_{env}")
        deploy(checkouts, urls)
        envs = tuple(
            cfg.Environment(env, alembic=str(checkouts[env].ini), interval=30.0)  # type: ignore[attr-defined]
            for env in ENVIRONMENTS
        )
        config_path = tmp / "config.toml"
        cfg.save(cfg.Config(envs), config_path)
        app = application()
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            return 0 if runner.run(shoot(config_path, urls, out)) else 1


if __name__ == "__main__":
    sys.exit(main())
