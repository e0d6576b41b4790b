"""The `pandadmin` command: argument parsing and dispatch.

`COMMANDS` names every command group with its one-line help, so `pandadmin --help` needs
no group's module. A group's module (`group_module`, plain imports that PyInstaller sees)
is imported and its `register(parser)` adds its arguments only when argparse selects that
command: `pandadmin env list` loads the env group alone, not the poller behind `check`.
A group's handler imports the heavy parts (Qt, the database driver) when it runs.
`pandadmin --version` alone is answered before the parser is built.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

from pandadmin import __version__
from pandadmin.cli.errors import EXIT_FAILURE, CliError, UsageError, fail
from pandadmin.cli.gui import open_app

if TYPE_CHECKING:
    from types import ModuleType


# name -> one-line help, in the order of `pandadmin --help`
COMMANDS = {
    "env": "add, change, list, remove environments",
    "service": "add, change, remove services",
    "check": "poll each (or the named) environment once",
    "migrations": "which revisions each (or the named) environment still needs",
    "collect": "poll continuously without a window, into the history store",
    "history": "print what the history store holds",
    "screenshot": "render the main window offscreen after S seconds and save it",
    "demo": "start a local demo stack (PostgreSQL, services, traffic) and open the app",
}


def group_module(name: str) -> ModuleType:
    """The module whose `register(parser)` adds the arguments of command `name`: imported
    by name in the source (PyInstaller sees it) and only when that command runs."""
    match name:
        case "env":
            from pandadmin.cli import env

            return env
        case "service":
            from pandadmin.cli import service

            return service
        case "check":
            from pandadmin.cli import check

            return check
        case "migrations":
            from pandadmin.cli import migrations

            return migrations
        case "collect":
            from pandadmin.cli import collect

            return collect
        case "history":
            from pandadmin.cli import history

            return history
        case "screenshot":
            from pandadmin.cli import screenshot

            return screenshot
        case "demo":
            from pandadmin.cli import demo

            return demo
    raise ValueError(f"no command group {name!r}")


class Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (no usage dump) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


if TYPE_CHECKING:
    _SubParsers = argparse._SubParsersAction[Parser]
else:
    _SubParsers = argparse._SubParsersAction


class Commands(_SubParsers):
    """The command parsers: each gets its arguments from its group's module when argparse
    selects it (or when `fill_all` asks, for the whole tree)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filled: set[str] = set()

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        name = values[0] if isinstance(values, list | tuple) and values else None
        if name in COMMANDS:  # an unknown one is argparse's usage error
            self.fill(name)
        super().__call__(parser, namespace, values, option_string)

    def fill(self, name: str) -> None:
        if name not in self.filled:
            self.filled.add(name)
            group_module(name).register(self.choices[name])
            _accept_config(self.choices[name])

    def fill_all(self) -> None:
        for name in COMMANDS:
            self.fill(name)


def build_parser(*, every_command: bool = False) -> Parser:
    """The `pandadmin` parser; its commands' arguments are added when one is selected, or
    all at once with `every_command` (to walk every command's help)."""
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
    commands = parser.add_subparsers(
        dest="command", action=Commands, parser_class=Parser, metavar="COMMAND"
    )
    for name, help_text in COMMANDS.items():
        commands.add_parser(name, help=help_text)
    if every_command:
        cast(Commands, commands).fill_all()
    return parser


def _accept_config(parser: argparse.ArgumentParser) -> None:
    """`--config` and `--data-dir` work after the command too (`pandadmin check --config PATH`)."""
    for option in ("--config", "--data-dir"):
        parser.add_argument(option, type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _accept_config(sub)


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
