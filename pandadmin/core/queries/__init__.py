"""SQL files, one per query per server-version range, loaded by name."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_VERSIONED = re.compile(r"(?P<name>\w+)_post_(?P<version>\d{6})\.sql")


@cache
def load(filename: str) -> str:
    return resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")


@cache  # once per server version: a poll asks for it every second
def for_version(name: str, server_version_num: int) -> str:
    """The `NAME_post_NNNNNN.sql` with the highest minimum version the server satisfies."""
    best: tuple[int, str] | None = None
    for entry in resources.files(__package__).iterdir():
        match = _VERSIONED.fullmatch(entry.name)
        if match and match["name"] == name and int(match["version"]) <= server_version_num:
            candidate = (int(match["version"]), entry.name)
            best = max(best, candidate) if best else candidate
    if best is None:
        raise LookupError(f"no {name} query for PostgreSQL {server_version_num // 10000}")
    return load(best[1])


@cache
def activity(server_version_num: int, *, sessions: bool = False) -> str:
    """The one-round-trip activity query, with the server's versioned limits inside and,
    when asked for, the drill-down session list (query text is fetched only then)."""
    limits = for_version("limits", server_version_num).strip()
    listing = load("sessions.sql").strip() if sessions else "SELECT NULL::json"
    return load("activity.sql").replace("/*LIMITS*/", limits).replace("/*SESSIONS*/", listing)
