"""Benchmark: read a 500-revision Alembic script directory cold and warm.

Goals (issue 4): cold read < 0.5 s; a warm re-read with no file changed parses nothing.
Prints a table and merges its numbers into benchmarks/results.json under "migrations".

    python benchmarks/bench_migrations.py [--revisions 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pandadmin.core.alembic_scripts import RevisionReader
from pandadmin.core.revision_graph import RevisionGraph, evaluate

RESULTS = Path(__file__).with_name("results.json")
COLD_GOAL_S = 0.5

# What `alembic revision` writes with the current template, plus a realistic body.
TEMPLATE = '''"""{message}

Revision ID: {rev}
Revises: {down_doc}
Create Date: 2026-11-25 06:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {rev!r}
down_revision: Union[str, Sequence[str], None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "table_{index}",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_table_{index}_name"), "table_{index}", ["name"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_table_{index}_name"), table_name="table_{index}")
    op.drop_table("table_{index}")
'''


def generate(versions: Path, count: int) -> list[Path]:
    """A mostly linear history with a fork (47, 48 off 46) and a merge (49) every 50."""
    versions.mkdir(parents=True)
    ids = [f"{index * 2654435761 % 2**48:012x}" for index in range(count)]  # unique, hex
    paths = []
    for index, rev in enumerate(ids):
        down: str | tuple[str, ...] | None = ids[index - 1] if index else None
        if index % 50 == 48:
            down = ids[index - 2]
        elif index % 50 == 49:
            down = (ids[index - 2], ids[index - 1])
        doc = ", ".join(down) if isinstance(down, tuple) else down or ""
        path = versions / f"{rev}_step_{index}.py"
        text = TEMPLATE.format(
            message=f"step {index}", rev=rev, down=down, down_doc=doc, index=index
        )
        path.write_text(text)
        paths.append(path)
    return paths


def timed(function, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def run(count: int, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="pandadmin-bench-") as tmp:
        paths = generate(Path(tmp) / "versions", count)
        colds = [timed(RevisionReader().read, tmp)[0] for _ in range(runs)]
        reader = RevisionReader()
        cold_s, scripts = timed(reader.read, tmp)
        assert len(scripts.revisions) == count and not scripts.unreadable, scripts.unreadable
        graph_s, graph = timed(RevisionGraph.build, scripts.revisions)
        status_s, verdict = timed(evaluate, graph, (scripts.revisions[count // 2].revision,))
        parsed = reader.files_parsed
        warm_s, _ = timed(reader.read, tmp)
        warm_reparsed = reader.files_parsed - parsed
        assert warm_reparsed == 0, f"warm re-read parsed {warm_reparsed} files"
        stat = paths[7].stat()
        os.utime(paths[7], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        touched_s, _ = timed(reader.read, tmp)
        touched_reparsed = reader.files_parsed - parsed
        assert touched_reparsed == 1, f"one touched file re-parsed {touched_reparsed} files"
    return {
        "revisions": count,
        "cold_read_ms": round(statistics.median([*colds, cold_s]) * 1000, 1),
        "cold_read_max_ms": round(max([*colds, cold_s]) * 1000, 1),
        "warm_reread_ms": round(warm_s * 1000, 2),
        "warm_reparsed_files": warm_reparsed,
        "one_touched_reread_ms": round(touched_s * 1000, 2),
        "one_touched_reparsed_files": touched_reparsed,
        "graph_build_ms": round(graph_s * 1000, 2),
        "status_ms": round(status_s * 1000, 2),
        "status_pending": len(verdict.pending),
        "cold_goal_ms": COLD_GOAL_S * 1000,
        "cold_goal_met": max([*colds, cold_s]) < COLD_GOAL_S,
        "python": sys.version.split()[0],
    }


def save(numbers: dict[str, object]) -> None:
    """Read-modify-write: other benchmarks own the other keys of results.json."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["migrations"] = numbers
    temporary = RESULTS.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    temporary.replace(RESULTS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    numbers = run(options.revisions, options.runs)
    width = max(map(len, numbers))
    print(f"{'migrations benchmark':<{width}}  value")
    for key, value in numbers.items():
        print(f"{key:<{width}}  {value}")
    save(numbers)
    return 0 if numbers["cold_goal_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
