"""The `pandadmin` command: argument parsing and dispatch.

Every command group is registered in `command_groups()` by a plain import (PyInstaller
sees it); a group's module imports only argparse-level code at the top, and its handler
imports the heavy parts (Qt, the database driver, the demo stack) when it runs.
`pandadmin --version` alone is answered before any group is imported.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pandadmin import __version__
from pandadmin.cli.errors import EXIT_FAILURE, CliError, UsageError, fail
from pandadmin.cli.gui import open_app

if TYPE_CHECKING:
    from types import ModuleType


def command_groups() -> tuple[ModuleType, ...]:
    """Each module has `register(commands)`; the order is the order of `pandadmin --help`."""
    from pandadmin.cli import (
        check,
        collect,
        demo,
        env,
        history,
        migrations,
        screenshot,
        service,
    )

    return (env, service, check, migrations, collect, history, screenshot, demo)


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (no usage dump) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> Parser:
    parser = Parser(prog="pandadmin", description="Admin console for PaaS services and PostgreSQL.")
    parser.add_argument("--version", action="version", version=f"pandadmin {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        help="settings file (default: $PANDADMIN_CONFIG or the platform config folder)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="history folder (default: $PANDADMIN_DATA_DIR or the platform data folder)",
    )
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    for group in command_groups():
        group.register(commands)
    _accept_config_everywhere(parser)
    return parser


def _accept_config_everywhere(parser: argparse.ArgumentParser) -> None:
    """`--config` and `--data-dir` work after the command too (`pandadmin check --config PATH`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                for option in ("--config", "--data-dir"):
                    sub.add_argument(
                        option, type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS
                    )
                _accept_config_everywhere(sub)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # scripts and shell prompts call it: no parser needed
        print(f"pandadmin {__version__}")
        return 0
    try:
        args = build_parser().parse_args(args_list)
        from pandadmin.core.config import default_path  # after parsing: --version needs none

        args.config = args.config or default_path()
        args.data_dir = getattr(args, "data_dir", None)
        if args.data_dir is not None:  # every part (the app, screenshot) reads it from there
            os.environ["PANDADMIN_DATA_DIR"] = str(args.data_dir)
        handler: Callable[[argparse.Namespace], int] = getattr(args, "handler", open_app)
        return handler(args)
    except CliError as exc:
        return fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
