"""Find an Alembic project's revision files and read them statically, with `ast`.

Alembic itself imports (executes) every revision file; pandadmin must never run a
project's code, so identifiers come from module-level literals only.
"""

from __future__ import annotations

import ast
import os
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pandadmin.core.alembic_config import ScriptLocation, locate_scripts

FIELDS = ("revision", "down_revision", "branch_labels", "depends_on")
# Same filters as alembic.script.base: `.#` editor locks and `__init__` are never revisions.
_REVISION_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")
# Alembic 0.1 files without a `revision` variable carried the id in the file name.
_LEGACY_REVISION = re.compile(r"([a-f0-9]+)\.py$")
# The docstring line Alembic's script template writes: `Create Date: ${create_date}`.
_CREATE_DATE = re.compile(r"^\s*Create Date:\s*(\S.*?)\s*$", re.MULTILINE)


class RevisionFileError(Exception):
    """A revision file that cannot be read statically; the message says why."""


@dataclass(frozen=True, slots=True)
class Revision:
    """One revision file as declared in its source."""

    revision: str
    down_revisions: tuple[str, ...]
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]
    message: str
    path: str
    create_date: datetime | None = None  # from the docstring; None when absent or unparsable


@dataclass(frozen=True, slots=True)
class ScriptSet:
    """Every revision of a project, plus the files that could not be read (name, reason)."""

    location: ScriptLocation
    revisions: tuple[Revision, ...]
    unreadable: tuple[tuple[str, str], ...]


# --- listing and parsing ----------------------------------------------------------------


def iter_revision_files(location: ScriptLocation) -> Iterator[Path]:
    """Yield every candidate revision file once, in Alembic's order (files, then subfolders)."""
    seen: set[str] = set()
    for top in map(Path, location.version_locations):
        if top.is_dir():  # Alembic skips version locations that do not exist
            yield from _walk(top, os.path.realpath(top), location.recursive, seen)


def _walk(folder: Path, real_folder: str, recursive: bool, seen: set[str]) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return  # like os.walk in Alembic: an unreadable folder is skipped
    for entry in entries:
        if entry.is_file() and _REVISION_FILE.match(entry.name):
            # Alembic ignores a file reached twice; resolve only symlinks, it is costly.
            real = os.path.realpath(entry.path) if entry.is_symlink() else None
            key = real or os.path.join(real_folder, entry.name)
            if key not in seen:
                seen.add(key)
                yield folder / entry.name
    for entry in entries if recursive else ():
        if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
            yield from _walk(folder / entry.name, os.path.join(real_folder, entry.name), True, seen)


def read_revision_file(path: Path) -> Revision:
    """Read one revision file; raises RevisionFileError with a user-facing reason."""
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise RevisionFileError(f"cannot read: {exc.strerror or exc}") from exc
    return parse_revision_source(source, path)


def parse_revision_source(source: str | bytes, path: Path) -> Revision:
    """Build a Revision from a file's source without executing any of it."""
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise RevisionFileError(f"syntax error at line {exc.lineno}: {exc.msg}") from exc
    except (ValueError, RecursionError, MemoryError) as exc:
        raise RevisionFileError(f"cannot parse: {exc}") from exc
    values = {name: _literal(name, node) for name, node in _assignments(tree).items()}
    docstring = ast.get_docstring(tree, clean=False)
    return Revision(
        revision=_revision_id(values.get("revision"), path.name),
        down_revisions=_ids("down_revision", values.get("down_revision")),
        branch_labels=_ids("branch_labels", values.get("branch_labels")),
        depends_on=_ids("depends_on", values.get("depends_on")),
        message=_message(docstring),
        path=str(path),
        create_date=_create_date(docstring),
    )


def _assignments(tree: ast.Module) -> dict[str, ast.expr | None]:
    """Last module-level assignment of each field (None: assigned, but not statically)."""
    found: dict[str, ast.expr | None] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            _bind(node.target, node.value, found)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                _bind(target, node.value, found)
    return found


def _bind(target: ast.expr, value: ast.expr | None, found: dict[str, ast.expr | None]) -> None:
    if isinstance(target, ast.Name) and target.id in FIELDS:
        found[target.id] = value
    elif isinstance(target, ast.Tuple | ast.List):
        # `revision, down_revision = "a", None` pairs up; any other unpacking is opaque.
        pairs = isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts)
        for index, element in enumerate(target.elts):
            item = value.elts[index] if pairs and isinstance(value, ast.Tuple | ast.List) else None
            _bind(element, item, found)


def _literal(name: str, node: ast.expr | None) -> object:
    if node is not None:
        try:
            return ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            pass  # reported below, with the line
    line = f" (line {node.lineno})" if node is not None else ""
    raise RevisionFileError(f"{name} is not a literal{line}")


def _revision_id(value: object, filename: str) -> str:
    if value is None:
        legacy = _LEGACY_REVISION.match(filename)
        if legacy is None:
            raise RevisionFileError("no module-level 'revision' variable")
        return legacy.group(1)
    if not isinstance(value, str) or not value.strip():
        raise RevisionFileError("revision must be a non-empty string")
    return value


def _ids(name: str, value: object) -> tuple[str, ...]:
    """Normalise None / str / tuple / list / set the way Alembic's `to_tuple` does."""
    if value is None:
        return ()
    items = (value,) if isinstance(value, str) else value
    if isinstance(items, set | frozenset):
        items = sorted(items, key=str)
    if not isinstance(items, tuple | list) or not all(isinstance(i, str) and i for i in items):
        raise RevisionFileError(f"{name} must be None, a string or a sequence of strings")
    return tuple(dict.fromkeys(items))


def _message(docstring: str | None) -> str:
    # Alembic's Script.doc is the first paragraph; the template puts the message first,
    # so an empty message leaves "Revision ID: ..." in that place.
    first = (docstring or "").strip().split("\n\n")[0].strip().splitlines()
    line = first[0].strip() if first else ""
    return "" if line.startswith("Revision ID:") else line


def _create_date(docstring: str | None) -> datetime | None:
    # Alembic writes str(datetime.now(tz)): ISO with a space, microseconds, maybe an offset.
    found = _CREATE_DATE.search(docstring or "")
    if found is None:
        return None
    try:
        return datetime.fromisoformat(found.group(1))
    except ValueError:
        return None


# --- cached reading ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    signature: tuple[int, int]
    result: Revision | str  # a Revision, or the reason the file is unreadable


class RevisionReader:
    """Reads projects repeatedly, re-parsing only files whose (mtime_ns, size) changed.

    Thread-safe, so polls can run `read` in a worker thread. `files_parsed` and
    `files_reused` count work done, for benchmarks and tests.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, ...], dict[Path, _Entry]] = {}
        self._lock = threading.Lock()
        self.files_parsed = 0
        self.files_reused = 0

    def read(self, alembic_path: str | os.PathLike[str]) -> ScriptSet:
        location = locate_scripts(alembic_path)
        key = (*location.version_locations, str(location.recursive))
        with self._lock:
            previous = self._cache.get(key, {})
            current = {
                path: self._entry(path, previous.get(path))
                for path in iter_revision_files(location)
            }
            self._cache[key] = current  # replaced wholesale, so deleted files drop out
        return _script_set(location, current)

    def _entry(self, path: Path, cached: _Entry | None) -> _Entry:
        try:
            info = path.stat()
        except OSError as exc:
            return _Entry((-1, -1), f"cannot read: {exc.strerror or exc}")
        signature = (info.st_mtime_ns, info.st_size)
        if cached is not None and cached.signature == signature:
            self.files_reused += 1
            return cached
        self.files_parsed += 1
        try:
            return _Entry(signature, read_revision_file(path))
        except RevisionFileError as exc:
            return _Entry(signature, str(exc))


def _script_set(location: ScriptLocation, entries: Mapping[Path, _Entry]) -> ScriptSet:
    revisions: list[Revision] = []
    unreadable: list[tuple[str, str]] = []
    tops = [Path(v) for v in location.version_locations]
    for path, entry in entries.items():
        if isinstance(entry.result, Revision):
            revisions.append(entry.result)
        else:
            unreadable.append((_display_name(path, tops), entry.result))
    return ScriptSet(location, tuple(revisions), tuple(unreadable))


def _display_name(path: Path, tops: list[Path]) -> str:
    for top in tops:
        if path.is_relative_to(top):
            return path.relative_to(top).as_posix()
    return path.name
