"""`service add/set` flags for request headers that carry credentials (stored in the keyring).

Values never travel in argv: `--header-stdin` reads `Name: value` lines from standard
input, `--header-env NAME=VAR` takes the value of environment variable VAR. Basic auth
written into `--health-url` (`https://user:pw@host/health`) moves to the same keyring
entry and the URL is saved without it.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from pandadmin.cli.errors import UsageError
from pandadmin.core.health_secrets import check_header, parse_header_lines


def add_header_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("request headers (stored in the keyring, never in the file)")
    group.add_argument(
        "--header-stdin",
        action="store_true",
        help="read 'Name: value' lines (e.g. 'Authorization: Bearer ...') from standard input",
    )
    group.add_argument(
        "--header-env",
        action="append",
        default=[],
        metavar="NAME=VAR",
        help="header NAME with the value of environment variable VAR (repeatable)",
    )
    group.add_argument(
        "--clear-headers", action="store_true", help="forget the service's stored headers"
    )


def wants_headers(args: argparse.Namespace) -> bool:
    return bool(args.header_stdin or args.header_env or args.clear_headers)


def given_headers(args: argparse.Namespace) -> dict[str, str] | None:
    """The headers the flags give ({} for --clear-headers), None when no flag was given."""
    if args.clear_headers and (args.header_stdin or args.header_env):
        raise UsageError("--clear-headers cannot be combined with other header options")
    if not wants_headers(args):
        return None
    headers = _from_stdin() if args.header_stdin else {}
    for item in args.header_env:
        name, equals, var = item.partition("=")
        if not equals or not var:
            raise UsageError(f"--header-env expects NAME=VAR, got {item[:40]!r}")
        value = os.environ.get(var)
        if not value:
            raise UsageError(f"environment variable {var} is not set or empty")
        key, clean = _checked(name, value)
        headers[key] = clean
    return headers


def _from_stdin() -> dict[str, str]:
    if sys.stdin is None or sys.stdin.closed:
        raise UsageError("--header-stdin given but there is no standard input")
    if sys.stdin.isatty():
        text = getpass.getpass("Header (Name: value, input hidden): ")
    else:
        text = sys.stdin.read()
    try:
        headers = parse_header_lines(text)
    except ValueError as exc:
        raise UsageError(f"headers on standard input: {exc}") from None
    if not headers:
        raise UsageError("no 'Name: value' header on standard input")
    return headers


def _checked(name: str, value: str) -> tuple[str, str]:
    try:
        return check_header(name, value)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
