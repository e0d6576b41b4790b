"""Command-line flags made from the settings table: `--name` for each field of a scope.

A flag parses and checks its value with the field's own row (`core/settings.py`), so
an out-of-range value is bad input (exit 2, one line) before anything is loaded or
written, with the same bounds the file and the dialog use.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection
from typing import Any

from pandadmin.core.settings import Field, Scope, Value, fields


def add_flags(
    parser: argparse.ArgumentParser,
    scope: Scope,
    *,
    required: Collection[str] = (),
    exclusive: Collection[str] = (),
) -> None:
    """One flag per CLI field of `scope`; the fields named in `exclusive` exclude each other."""
    group = parser.add_mutually_exclusive_group() if exclusive else None
    for f in fields(scope):
        if not f.cli:
            continue
        target = group if group is not None and f.name in exclusive else parser
        target.add_argument(
            f.flag,
            dest=f.name,
            type=_parser(f),
            metavar=f.metavar or None,
            help=f.help.replace("%", "%%"),  # argparse formats help with %
            required=f.name in required,
        )


def given(args: argparse.Namespace, scope: Scope) -> dict[str, Any]:
    """The values of `scope`'s flags that were given on the command line."""
    values = {f.name: getattr(args, f.name, None) for f in fields(scope) if f.cli}
    return {name: value for name, value in values.items() if value is not None}


def _parser(f: Field) -> Callable[[str], Value]:
    def parse(text: str) -> Value:
        try:
            return f.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = f.name  # argparse names the type in some messages
    return parse
