"""The keyring usernames an environment owns: its DATABASE_URL and any further secrets.

One entry per secret, service name = the config's keyring service. The save transaction
(`core/transaction.py`) moves all of them on rename and deletes all of them on remove,
so a feature that stores a new kind of secret adds its username here.
"""

from __future__ import annotations

from pandadmin.core.config import Environment


def database_url_key(env: str) -> str:
    """The environment's DATABASE_URL (DESIGN.md: username = environment name)."""
    return env


def pgbouncer_key(env: str) -> str:
    """The PgBouncer admin console URL (DESIGN.md "PgBouncer in front of the database")."""
    return f"{env}/pgbouncer"


def headers_key(env: str, service: str) -> str:
    """A service's request headers that carry credentials (JSON of name -> value)."""
    return f"{env}/service/{service}/headers"


def environment_keys(env: Environment) -> tuple[str, ...]:
    """Every username `env` may own; entries that were never stored are simply absent."""
    services = tuple(headers_key(env.name, s.name) for s in env.services)
    return (database_url_key(env.name), pgbouncer_key(env.name), *services)


def renamed_keys(old_name: str, env: Environment) -> dict[str, str]:
    """Old username -> new one for each entry that follows `old_name`'s rename to `env`."""
    pairs = {database_url_key(old_name): database_url_key(env.name)}
    pairs[pgbouncer_key(old_name)] = pgbouncer_key(env.name)
    for service in env.services:
        pairs[headers_key(old_name, service.name)] = headers_key(env.name, service.name)
    return pairs
