"""What the settings commands share: loading, validating, committing config and secret together."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pandadmin.cli.errors import CommandError, UsageError
from pandadmin.core import config as cfg
from pandadmin.core.config_schema import ConfigError
from pandadmin.core.secrets import SecretStoreError, open_store
from pandadmin.core.transaction import Edit, commit
from pandadmin.core.urls import DatabaseUrl, UrlError, normalise, parse

T = TypeVar("T")


def checked(check: Callable[[], T]) -> T:
    """Run a validator; its ValueError becomes a usage error."""
    try:
        return check()
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def load_config(path: Path) -> cfg.Config:
    try:
        return cfg.load(path)
    except ConfigError as exc:
        raise UsageError(f"{exc} (the file was left untouched)") from None


def parse_url(text: str, source: str) -> DatabaseUrl:
    try:
        return parse(text)
    except UrlError as exc:
        raise UsageError(f"DATABASE_URL from {source}: {exc}") from None


def read_database_url(args: argparse.Namespace) -> DatabaseUrl | None:
    """DATABASE_URL from stdin or a named environment variable; never from argv."""
    return _read_url(args, "database_url", "DATABASE_URL", parse)


def read_pooler_url(args: argparse.Namespace) -> DatabaseUrl | None:
    """The PgBouncer admin console URL, like the DATABASE_URL: stdin or a variable."""
    if getattr(args, "database_url_stdin", False) and getattr(args, "pgbouncer_url_stdin", False):
        raise UsageError("only one URL can come from standard input: use --pgbouncer-url-env")
    from pandadmin.core.pooler import parse_admin_url  # the status rules: not for `env list`

    return _read_url(args, "pgbouncer_url", "PgBouncer URL", parse_admin_url)


def _read_url(
    args: argparse.Namespace, option: str, label: str, parser: Callable[[str], DatabaseUrl]
) -> DatabaseUrl | None:
    if getattr(args, f"{option}_stdin", False):
        text, source = _read_stdin(label, f"--{option.replace('_', '-')}-stdin"), "standard input"
    elif getattr(args, f"{option}_env", None):
        var = getattr(args, f"{option}_env")
        text, source = os.environ.get(var, ""), f"${var}"
        if not text:
            raise UsageError(f"environment variable {var} is not set or empty")
    else:
        return None
    try:
        return parser(text)
    except UrlError as exc:
        raise UsageError(f"{label} from {source}: {exc}") from None


def _read_stdin(label: str, flag: str) -> str:
    if sys.stdin is None or sys.stdin.closed:
        raise UsageError(f"{flag} given but there is no standard input")
    if sys.stdin.isatty():
        text = getpass.getpass(f"{label} (input hidden): ")
    else:
        text = next((line for line in sys.stdin.read().splitlines() if line.strip()), "")
    if not text.strip():
        raise UsageError(f"no {label} on standard input")
    return text


def save(edit: Edit, path: Path) -> cfg.Config:
    """Commit an edit (config and keyring together, `core/transaction.py`) or fail in one line."""
    try:
        return commit(edit, open_store(edit.after), path)
    except SecretStoreError as exc:
        raise CommandError(f"keyring: {exc}; nothing was changed") from None
    except OSError as exc:
        raise CommandError(
            f"cannot write {path}: {exc.strerror or exc}; nothing was changed"
        ) from None


def stored_url(url: DatabaseUrl) -> str:
    """What goes into the keyring: the normalised URL (driver suffix dropped)."""
    return normalise(url)


def limit_text(config: cfg.Config, env: cfg.Environment) -> str:
    label = env.plan if env.connection_limit is None else "custom"
    return f"{label} ({config.plan_limit(env)})"


def require_env(config: cfg.Config, name: str) -> cfg.Environment:
    env = config.environment(name)
    if env is None:
        raise unknown_name("environment", name, [e.name for e in config.environments])
    return env


def unknown_name(kind: str, name: str, known: list[str], where: str = "") -> UsageError:
    """`no KIND named NAME [in WHERE] (known: ...)` as a usage error."""
    place = f" in {where!r}" if where else ""
    listed = ", ".join(known) or "none yet"
    return UsageError(f"no {kind} named {name!r}{place} (known: {listed})")
