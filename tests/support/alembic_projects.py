"""Real Alembic projects for tests, written by Alembic's own `init`/`revision`/`merge`
commands and migrated by the real `alembic upgrade` in a subprocess.

The environment is Alembic's async template (SQLAlchemy async engine + asyncpg), reading
the database URL and the version table from environment variables so no password is
ever written to a file.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config

ENV_PY = '''\
"""Alembic environment for pandadmin's tests: the async template, configured by env vars."""

import asyncio
import os

from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import context


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=None,
        version_table=os.environ.get("TEST_ALEMBIC_VERSION_TABLE") or "alembic_version",
        version_table_schema=os.environ.get("TEST_ALEMBIC_VERSION_SCHEMA") or None,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(os.environ["TEST_ALEMBIC_URL"], poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


asyncio.run(run_async_migrations())
'''

# The script template of Alembic before 1.13: plain (not annotated) assignments.
PLAIN_SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


class AlembicProject:
    """An Alembic project in `root`: `alembic.ini` (or pyproject.toml) and `migrations/`."""

    def __init__(self, root: Path, *, pyproject: bool = False, annotated: bool = True) -> None:
        self.root = root
        self.ini = root / "alembic.ini"
        self.pyproject = root / "pyproject.toml"
        self.script_dir = root / "migrations"
        self.versions = self.script_dir / "versions"
        self._uses_toml = pyproject
        root.mkdir(parents=True, exist_ok=True)
        template = "pyproject_async" if pyproject else "async"
        command.init(self._config(), str(self.script_dir), template=template)
        (self.script_dir / "env.py").write_text(ENV_PY)
        if not annotated:
            (self.script_dir / "script.py.mako").write_text(PLAIN_SCRIPT_MAKO)

    def checkout(self, root: Path) -> AlembicProject:
        """A copy of the project as it is now, in `root`: another clone at this commit."""
        shutil.copytree(self.root, root, ignore=shutil.ignore_patterns("__pycache__"))
        ini = root / "alembic.ini"
        ini.write_text(ini.read_text().replace(str(self.script_dir), "%(here)s/migrations"))
        copy = object.__new__(AlembicProject)
        copy.__dict__.update(self.__dict__)
        copy.root, copy.ini, copy.pyproject = root, ini, root / "pyproject.toml"
        copy.script_dir = root / "migrations"
        copy.versions = copy.script_dir / "versions"
        return copy

    def _config(self) -> Config:
        toml = self.pyproject if self._uses_toml else None
        return Config(str(self.ini), toml_file=toml, stdout=io.StringIO())

    def revision(
        self,
        rev_id: str,
        message: str,
        *,
        head: str | None = None,
        branch_label: str | None = None,
        depends_on: str | Sequence[str] | None = None,
        splice: bool = False,
    ) -> Path:
        """`alembic revision` (in-process; it imports existing revision files, as always)."""
        script = command.revision(
            self._config(), message=message, rev_id=rev_id, head=head or "head", splice=splice,
            branch_label=branch_label, depends_on=depends_on,
        )  # fmt: skip
        assert script is not None and not isinstance(script, list)
        return Path(script.path)

    def merge(self, rev_id: str, message: str, revisions: Sequence[str]) -> Path:
        script = command.merge(self._config(), list(revisions), message=message, rev_id=rev_id)
        assert script is not None
        return Path(script.path)

    def upgrade(self, database_url: str, target: str = "heads", **options: str | None) -> None:
        """`alembic upgrade TARGET`; options: version_table, version_schema."""
        self.run(database_url, "upgrade", target, **options)

    def run(
        self,
        database_url: str,
        *args: str,
        version_table: str | None = None,
        version_schema: str | None = None,
    ) -> str:
        """`python -m alembic -c alembic.ini ARGS` against `database_url` (postgresql://...)."""
        env = {
            **os.environ,
            "TEST_ALEMBIC_URL": async_url(database_url),
            "TEST_ALEMBIC_VERSION_TABLE": version_table or "",
            "TEST_ALEMBIC_VERSION_SCHEMA": version_schema or "",
        }
        command_line = [sys.executable, "-m", "alembic", "-c", str(self.ini), *args]
        # cwd=root: the Alembic CLI picks up ./pyproject.toml from its working directory.
        done = subprocess.run(
            command_line, cwd=self.root, env=env, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise AlembicFailed(f"alembic {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout


class AlembicFailed(RuntimeError):
    """The real Alembic command exited non-zero; the message holds its stderr."""


def async_url(url: str) -> str:
    """postgresql://... as SQLAlchemy's asyncpg dialect wants it."""
    scheme, sep, rest = url.partition("://")
    assert sep and scheme in ("postgres", "postgresql"), "expected a postgresql:// URL"
    return f"postgresql+asyncpg://{rest}"


def linear_project(root: Path, count: int, **options: bool) -> AlembicProject:
    """A project with revisions r1..r<count>, each revising the previous one."""
    project = AlembicProject(root, **options)
    for number in range(1, count + 1):
        project.revision(f"r{number}", f"step {number}")
    return project


# Two branches off a1 (x1, y1), merged by m1, then n1; four checkouts of different ages and
# the revision each environment's database was upgraded to, with which checkout.
BRANCHY_DEPLOYS = {"dev": ("dev", "heads"), "staging": ("staging", "x1"),
                   "prod": ("prod", "x1"), "qa": ("staging", "m1")}  # fmt: skip
# What the matrix must show, newest first (columns dev, staging, prod, qa).
BRANCHY_CELLS = {
    "n1": ("applied", "not_in_scripts", "not_in_scripts", "not_in_scripts"),
    "m1": ("applied", "pending", "not_in_scripts", "applied_not_in_scripts"),
    "y1": ("applied", "pending", "pending", "applied_not_in_scripts"),
    "x1": ("applied", "applied", "applied", "applied"),
    "a1": ("applied", "applied", "applied", "applied"),
}
BRANCHY_STATUSES = {"dev": "up_to_date", "staging": "behind", "prod": "multiple_heads",
                    "qa": "ahead"}  # fmt: skip


def branch_and_merge_checkouts(root: Path) -> dict[str, AlembicProject]:
    """One project grown revision by revision, cloned into a checkout per environment."""
    project = AlembicProject(root / "dev")
    project.revision("a1", "create accounts")
    project.revision("x1", "add invoices", head="a1")
    checkouts = {"qa": project.checkout(root / "qa")}
    project.revision("y1", "add audit log", head="a1", splice=True)
    checkouts["prod"] = project.checkout(root / "prod")
    project.merge("m1", "merge invoices and audit log", ["x1", "y1"])
    checkouts["staging"] = project.checkout(root / "staging")
    project.revision("n1", "index invoices by date")
    return {"dev": project, **checkouts}


def deploy_branchy(checkouts: dict[str, AlembicProject], urls: dict[str, str]) -> None:
    """Upgrade each environment's database as BRANCHY_DEPLOYS says (real `alembic upgrade`,
    one subprocess per database, side by side: each spends most of its time importing)."""
    with ThreadPoolExecutor(len(BRANCHY_DEPLOYS)) as pool:
        done = [
            pool.submit(checkouts[checkout].upgrade, urls[env], target)
            for env, (checkout, target) in BRANCHY_DEPLOYS.items()
        ]
    for future in done:
        future.result()
