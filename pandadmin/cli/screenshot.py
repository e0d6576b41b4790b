"""`pandadmin screenshot`: render the main window offscreen after live polling (DESIGN.md)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from pandadmin.cli.errors import UsageError
from pandadmin.cli.support import load_config, require_env

TABS = ("connections", "sessions", "health", "migrations", "pooler")


def register(shot: argparse.ArgumentParser) -> None:
    """The arguments of `pandadmin screenshot` (main.py names the command and its one-line help)."""
    shot.add_argument("out", type=Path, metavar="OUT.png")
    shot.add_argument("--after", type=float, default=3.0, metavar="S",
                      help="seconds of live polling before the picture (default 3)")  # fmt: skip
    shot.add_argument("--size", type=_size, default=(1280, 800), metavar="WxH")
    shot.add_argument("--env", metavar="NAME", help="environment shown in the detail pane")
    shot.add_argument("--tab", choices=TABS, help="tab of the detail pane (default: connections)")
    shot.set_defaults(handler=run)


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"invalid size {text[:20]!r}: expected WxH, e.g. 1280x800")
    return int(match[1]), int(match[2])


def run(args: argparse.Namespace) -> int:
    if args.after < 0:
        raise UsageError("--after must not be negative")
    config = load_config(args.config)
    if args.env:
        require_env(config, args.env)
    if args.out.suffix.lower() != ".png":
        raise UsageError("the screenshot is written as PNG: name it OUT.png")
    from pandadmin.qt.screenshot import run_screenshot

    return run_screenshot(args.config, args.out, args.after, args.size, args.env, tab=args.tab)
