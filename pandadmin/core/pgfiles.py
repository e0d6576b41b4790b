"""libpq's connection files: `pg_service.conf` sections and `.pgpass` passwords.

Read the way libpq reads them (same locations, same environment variables, same
matching), called from a worker thread at connect time. A password found here lives
only in memory for the connection attempt: never in the config, a URL or a message.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path


class ServiceError(ValueError):
    """`service=NAME` names no section in any service file."""


WINDOWS = os.name == "nt"
PASSFILE = "pgpass.conf" if WINDOWS else ".pgpass"


def home() -> Path | None:
    """Where libpq keeps per-user files: HOME, or %APPDATA%\\postgresql on Windows."""
    if WINDOWS:
        appdata = os.environ.get("APPDATA")
        return Path(appdata) / "postgresql" if appdata else None
    try:
        return Path.home()
    except (RuntimeError, KeyError):
        return None


def dot_postgresql(name: str) -> Path | None:
    """libpq's certificate folder: ~/.postgresql/NAME (%APPDATA%\\postgresql\\NAME)."""
    where = home()
    if where is None:
        return None
    return where / name if WINDOWS else where / ".postgresql" / name


def service_files(environ: Mapping[str, str]) -> list[Path]:
    """Where libpq looks for `service=`: PGSERVICEFILE (or ~/.pg_service.conf), then
    PGSYSCONFDIR/pg_service.conf."""
    files = []
    if environ.get("PGSERVICEFILE"):
        files.append(Path(environ["PGSERVICEFILE"]))
    elif (where := home()) is not None:
        files.append(where / ".pg_service.conf")
    if environ.get("PGSYSCONFDIR"):
        files.append(Path(environ["PGSYSCONFDIR"]) / "pg_service.conf")
    return files


def read_service(name: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The keywords of service `name` from the first file that defines it."""
    for path in service_files(environ):
        section = _section(path, name)
        if section is not None:
            return section
    raise ServiceError(f'service "{name}" is not defined in {_listed(service_files(environ))}')


def passfile_path(passfile: str | None, environ: Mapping[str, str]) -> Path | None:
    """The password file: `passfile=`, else PGPASSFILE, else ~/.pgpass."""
    if passfile:
        return Path(passfile).expanduser()
    if environ.get("PGPASSFILE"):
        return Path(environ["PGPASSFILE"])
    where = home()
    return where / PASSFILE if where is not None else None


def read_password(
    path: Path, hosts: list[str], ports: list[int], database: str, user: str
) -> tuple[str | None, str | None]:
    """(password, problem): the first line matching one of the hosts, as libpq matches.

    A socket folder matches its own path or `localhost`. The file is ignored (problem set)
    when group or others may read it, as libpq does.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, f"{path} is not a plain file"
        if not WINDOWS and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            return None, f"{path} was ignored: its permissions must be u=rw (0600) or less"
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or type(exc).__name__}"
    entries = [_pgpass_fields(line) for line in lines]
    for host, port in zip(hosts, ports, strict=True):
        names = (host, "localhost") if host.startswith("/") else (host,)
        wanted = (names, str(port), database, user)
        for entry in entries:
            if entry is not None and _matches(entry, wanted):
                return entry[4], None
    return None, None


def _matches(entry: list[str], wanted: tuple[tuple[str, ...], str, str, str]) -> bool:
    names, port, database, user = wanted
    return (
        (entry[0] == "*" or entry[0] in names)
        and entry[1] in ("*", port)
        and entry[2] in ("*", database)
        and entry[3] in ("*", user)
    )


def _pgpass_fields(line: str) -> list[str] | None:
    """host:port:database:user:password with `\\:` and `\\\\` escapes; None for comments."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    fields: list[str] = []
    current: list[str] = []
    escaped = False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":" and len(fields) < 4:
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return fields if len(fields) == 5 else None


def _section(path: Path, name: str) -> dict[str, str] | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    section: dict[str, str] | None = None
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            if section is not None:
                return section
            section = {} if line.rstrip("]")[1:] == name else None
        elif section is not None:
            key, eq, value = line.partition("=")
            if eq:
                section[key.strip()] = value.strip()
    return section


def _listed(paths: list[Path]) -> str:
    return " or ".join(str(p) for p in paths) or "any service file (HOME is not set)"
