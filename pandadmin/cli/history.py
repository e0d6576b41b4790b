"""`pandadmin history ENV`: what the history store holds, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import time
from typing import Any

from pandadmin.cli.errors import CommandError, UsageError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
TABLE = ("status", "db.up", "conn.total", "limit.effective", "migrations.pending")


def register(history: argparse.ArgumentParser) -> None:
    """The arguments of `pandadmin history` (main.py names the command and its one-line help)."""
    history.add_argument("environment", metavar="ENV")
    history.add_argument(
        "--since", default="24h", type=duration, help="how far back: 90s, 30m, 24h, 7d"
    )
    form = history.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="one JSON document")
    form.add_argument("--csv", action="store_true", help="CSV with a header row")
    history.set_defaults(handler=run_history)


def duration(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 90s, 30m, 24h, 7d)")
    return float(match[1]) * UNITS[match[2]]


def run_history(args: argparse.Namespace) -> int:
    from pandadmin.core.datadir import STORE_NAME, data_dir
    from pandadmin.core.history_rows import read_rows
    from pandadmin.core.store import Store, StoreError
    from pandadmin.core.store_schema import NewerStoreError

    path = data_dir(args.data_dir) / STORE_NAME
    if not path.exists():
        raise CommandError(f"no history yet: {path} does not exist (run `pandadmin collect`)")
    try:
        store = Store(path, readonly=True)
        if args.environment not in store.environments():
            known = ", ".join(store.environments()) or "none yet"
            raise UsageError(f"no history for {args.environment!r} (known: {known})")
        table = read_rows(store, args.environment, time.time() - args.since)
    except (StoreError, NewerStoreError, OSError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    except Exception as exc:  # sqlite3.Error from a damaged file
        if type(exc).__module__ != "sqlite3":
            raise
        raise CommandError(f"cannot read {path}: {exc}") from None
    if args.json:
        json.dump(table.to_json(), sys.stdout, indent=1)
        print()
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(table.header)
        writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
    else:
        print(_render(table))
    return 0


def _csv_cell(value: object) -> object:
    return "" if isinstance(value, float) and math.isnan(value) else value


def _render(table: Any) -> str:
    wanted = [0, *(i for i, name in enumerate(table.header) if name.split(":")[0] in TABLE)]
    rows = [[table.header[i] for i in wanted]]
    rows += [[_text(row[i]) for i in wanted] for row in table.rows]
    widths = [max(len(r[c]) for r in rows) for c in range(len(wanted))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)  # fmt: skip


def _text(value: object) -> str:
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:g}"
    return str(value)
