"""`pandadmin env ...`: register environments; their DATABASE_URLs go to the keyring only."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pandadmin.cli.errors import CommandError, UsageError
from pandadmin.cli.fields import add_flags, given
from pandadmin.cli.support import (
    checked,
    limit_text,
    load_config,
    parse_url,
    read_database_url,
    read_pooler_url,
    require_env,
    save,
    stored_url,
)
from pandadmin.core import config as cfg
from pandadmin.core.secret_keys import database_url_key, pgbouncer_key
from pandadmin.core.secrets import SecretStoreError, open_store
from pandadmin.core.settings import Scope, check_name, check_thresholds
from pandadmin.core.transaction import put, remove, rename
from pandadmin.core.url_keywords import ignored_note
from pandadmin.core.urls import DatabaseUrl, UrlError, parse, redact


def register(env: argparse.ArgumentParser) -> None:
    """The arguments of `pandadmin env` (main.py names the command and its one-line help)."""
    sub = env.add_subparsers(dest="env_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="register an environment")
    add.add_argument("name")
    _add_options(add)
    add.set_defaults(handler=env_add)
    change = sub.add_parser("set", help="change an existing environment")
    change.add_argument("name")
    _add_options(change)
    change.set_defaults(handler=env_set)
    rename = sub.add_parser("rename", help="rename an environment (moves its keyring entry)")
    rename.add_argument("name")
    rename.add_argument("new_name")
    rename.set_defaults(handler=env_rename)
    listing = sub.add_parser("list", help="list environments (DATABASE_URLs redacted)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=env_list)
    remove = sub.add_parser("remove", help="remove an environment and its keyring entry")
    remove.add_argument("name")
    remove.set_defaults(handler=env_remove)
    dotenv = sub.add_parser("import-dotenv", help="DATABASE_URL from a .env file into the keyring")
    dotenv.add_argument("name")
    dotenv.add_argument("file", type=Path)
    dotenv.set_defaults(handler=env_import_dotenv)
    export = sub.add_parser("export", help="print the settings TOML (holds no secrets)")
    export.add_argument("--output", type=Path)
    export.set_defaults(handler=env_export)


def _add_options(parser: argparse.ArgumentParser) -> None:
    add_flags(parser, Scope.ENVIRONMENT, exclusive=("plan", "connection_limit"))
    add_flags(parser, Scope.THRESHOLDS)
    url = parser.add_mutually_exclusive_group()
    url.add_argument(
        "--database-url-stdin",
        action="store_true",
        help="read the DATABASE_URL from standard input",
    )
    url.add_argument(
        "--database-url-env",
        metavar="VAR",
        help="read the DATABASE_URL from environment variable VAR",
    )
    pooler = parser.add_mutually_exclusive_group()
    pooler.add_argument(
        "--pgbouncer-url-stdin",
        action="store_true",
        help="read the PgBouncer admin console URL (.../pgbouncer) from standard input",
    )
    pooler.add_argument(
        "--pgbouncer-url-env",
        metavar="VAR",
        help="read the PgBouncer admin console URL from environment variable VAR",
    )


def env_add(args: argparse.Namespace) -> int:
    name = checked(lambda: check_name("environment", args.name))
    config = load_config(args.config)
    if config.environment(name) is not None:
        raise UsageError(f"environment {name!r} already exists (change it with `env set`)")
    env = _apply_options(config, cfg.Environment(name), args)
    url, secrets = _secret_changes(name, args)
    save(put(config, env, secrets), args.config)
    return _saved("added", config, env, url)


def env_set(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    env = require_env(config, args.name)
    changed = _apply_options(config, env, args)
    url, secrets = _secret_changes(env.name, args)
    if not (given(args, Scope.ENVIRONMENT) or given(args, Scope.THRESHOLDS) or secrets):
        raise UsageError("nothing to change: give at least one option")
    save(put(config, changed, secrets), args.config)
    return _saved("updated", config, changed, url)


def _saved(verb: str, config: cfg.Config, env: cfg.Environment, url: Stored) -> int:
    stored = f"; DATABASE_URL stored in the keyring: {_url_cell(url)}" if url else ""
    print(f"{verb} environment {env.name!r}, limit {limit_text(config, env)}{stored}")
    return 0


def env_rename(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    env = require_env(config, args.name)
    new = checked(lambda: check_name("environment", args.new_name))
    if config.environment(new) is not None:
        raise UsageError(f"environment {new!r} already exists")
    save(rename(config, env.name, new), args.config)
    print(f"renamed environment {env.name!r} to {new!r}")
    return 0


def env_list(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    urls, problem = _stored_urls(config, pooler=args.json)
    if args.json:
        rows = [_env_json(config, env, urls) for env in config.environments]
        print(json.dumps({"environments": rows}, indent=2))
    else:
        _print_table(config, urls)
    if problem:
        print(f"pandadmin: warning: keyring: {problem}", file=sys.stderr)
    return 0


def env_remove(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    env = require_env(config, args.name)
    save(remove(config, env.name), args.config)
    print(f"removed environment {env.name!r} and its keyring entry")
    return 0


def env_import_dotenv(args: argparse.Namespace) -> int:
    name = checked(lambda: check_name("environment", args.name))
    config = load_config(args.config)
    try:
        value = _dotenv_value(args.file, "DATABASE_URL")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise UsageError(f"cannot read {args.file}: {reason}") from None
    if not value:
        raise UsageError(f"{args.file} does not set DATABASE_URL")
    url = parse_url(value, str(args.file))
    env = config.environment(name) or cfg.Environment(name)
    save(put(config, env, {name: stored_url(url)}), args.config)
    verb = "updated" if config.environment(name) else "added"
    print(f"{verb} environment {name!r}; DATABASE_URL stored in the keyring: {_url_cell(url)}")
    return 0


def _dotenv_value(path: Path, name: str) -> str | None:
    """`name` from a .env file as deploy tooling writes it (python-dotenv: `export`, quotes,
    escapes, multi-line values, `${VAR}` from the file or the environment)."""
    import io
    import logging

    from dotenv import dotenv_values

    text = path.read_text(encoding="utf-8")
    # A line it cannot parse is logged (to stderr); the missing variable is what we report.
    logging.getLogger("dotenv.main").setLevel(logging.ERROR)
    return dotenv_values(stream=io.StringIO(text), interpolate=True).get(name)


def env_export(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    text = cfg.dumps(config)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        cfg.save_text(text, args.output)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {args.output}")
    return 0


def _secret_changes(
    name: str, args: argparse.Namespace
) -> tuple[DatabaseUrl | None, dict[str, str]]:
    """The DATABASE_URL given (if any) and every keyring entry the options store."""
    url, pooler = read_database_url(args), read_pooler_url(args)
    secrets: dict[str, str] = {}
    if url is not None:
        secrets[database_url_key(name)] = stored_url(url)
    if pooler is not None:
        secrets[pgbouncer_key(name)] = stored_url(pooler)
    return url, secrets


def _apply_options(
    config: cfg.Config, env: cfg.Environment, args: argparse.Namespace
) -> cfg.Environment:
    changes: dict[str, Any] = given(args, Scope.ENVIRONMENT)
    if "plan" in changes:
        if changes["plan"] not in config.plans:
            known = ", ".join(config.plans)
            raise UsageError(f"unknown plan {changes['plan']!r} (known: {known})")
        changes["connection_limit"] = None
    elif "connection_limit" in changes:
        changes["plan"] = None
    if "alembic" in changes:
        from pandadmin.core.alembic_config import normalise_path  # configparser: not for `list`

        changes["alembic"] = checked(lambda: normalise_path(changes["alembic"]))
    thresholds = replace(env.thresholds, **given(args, Scope.THRESHOLDS))
    checked(lambda: check_thresholds(cfg.asdict(thresholds)))
    return replace(env, thresholds=thresholds, **changes)


Stored = DatabaseUrl | str | None  # a parsed URL, a problem with it, or none stored


def _stored_urls(config: cfg.Config, *, pooler: bool) -> tuple[dict[str, Stored], str | None]:
    """Each environment's DATABASE_URL (and PgBouncer URL: only the JSON shows it), read
    from the keyring in one go."""
    keys = [database_url_key(env.name) for env in config.environments]
    if pooler:
        keys += [pgbouncer_key(env.name) for env in config.environments]
    try:
        stored = open_store(config).get_many(keys) if keys else {}
    except SecretStoreError as exc:
        return {}, str(exc)
    return {key: _parse_stored(raw) for key, raw in stored.items()}, None


def _parse_stored(raw: str | None) -> Stored:
    if raw is None:
        return None
    try:
        return parse(raw)
    except UrlError:
        return "(unreadable URL in keyring)"


def _env_json(config: cfg.Config, env: cfg.Environment, urls: dict[str, Stored]) -> dict[str, Any]:
    url, pooler = urls.get(database_url_key(env.name)), urls.get(pgbouncer_key(env.name))
    parsed = url if isinstance(url, DatabaseUrl) else None
    return {
        "name": env.name,
        "plan": env.plan,
        "connection_limit": env.connection_limit,
        "plan_limit": config.plan_limit(env),
        "database_url": redact(parsed) if parsed else url,
        "database_url_ignored": list(parsed.ignored) if parsed else [],
        "pooled": parsed.pooled if parsed else False,
        "pgbouncer_url": redact(pooler) if isinstance(pooler, DatabaseUrl) else pooler,
        "alembic": env.alembic,
        "version_table": env.version_table,
        "interval": env.interval,
        "thresholds": cfg.asdict(env.thresholds),
        "services": [cfg.asdict(s) for s in env.services],
    }


def _url_cell(url: Stored) -> str:
    if not isinstance(url, DatabaseUrl):
        return url or "-"
    note = ignored_note(url.ignored)
    return redact(url) + (f"  ({note})" if note else "")


def _print_table(config: cfg.Config, urls: dict[str, Stored]) -> None:
    if not config.environments:
        print("no environments yet: add one with `pandadmin env add NAME --database-url-stdin`")
        return
    rows = [("NAME", "LIMIT", "SERVICES", "DATABASE_URL")]
    for env in config.environments:
        url = _url_cell(urls.get(env.name)) if urls else "(keyring unavailable)"
        rows.append((env.name, limit_text(config, env), str(len(env.services)), url))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True))
        print(f"{cells}  {row[3]}")
