"""The `pandadmin` command: argument parsing and dispatch (the GUI is imported only when opened)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from pandadmin import __version__
from pandadmin.cli_support import CommandError
from pandadmin.core.config import default_path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: one line on stderr, exit code 2, nothing written."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (no usage dump) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> Parser:
    parser = Parser(prog="pandadmin", description=__doc__)
    parser.add_argument("--version", action="version", version=f"pandadmin {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        help="settings file (default: $PANDADMIN_CONFIG or the platform config folder)",
    )
    commands = parser.add_subparsers(dest="command", parser_class=Parser, metavar="COMMAND")
    from pandadmin import cli_env, cli_service

    cli_env.register(commands)
    cli_service.register(commands)
    _register_optional(commands)
    _accept_config_everywhere(parser)
    return parser


def _accept_config_everywhere(parser: argparse.ArgumentParser) -> None:
    """`--config` works after the command too (`pandadmin check --config PATH`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.add_argument(
                    "--config", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS
                )
                _accept_config_everywhere(sub)


def _register_optional(commands: argparse._SubParsersAction[Parser]) -> None:
    """Commands from later layers register themselves when their module exists."""
    import importlib

    for name in ("pandadmin.cli_check", "pandadmin.cli_gui", "pandadmin.demo.cli"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(commands)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(args_list)
        args.config = args.config or default_path()
        handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
        if handler is None:
            return _open_app(args)
        return handler(args)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except CommandError as exc:
        return _fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_FAILURE


def _open_app(args: argparse.Namespace) -> int:
    try:
        from pandadmin.qt.app import run_app
    except ImportError as exc:
        return _fail(f"the desktop app is not available: {exc}", EXIT_FAILURE)
    return int(run_app(args.config))


def _fail(message: str, code: int) -> int:
    print(f"pandadmin: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
