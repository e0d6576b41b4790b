"""`pandadmin` with no command: open the desktop app (Qt is imported only here, on demand)."""

from __future__ import annotations

import argparse

from pandadmin.cli.errors import CommandError


def open_app(args: argparse.Namespace) -> int:
    try:
        from pandadmin.qt.app import run_app
    except ImportError as exc:
        raise CommandError(f"the desktop app is not available: {exc}") from None
    return int(run_app(args.config))
