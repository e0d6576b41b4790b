"""Locate an Alembic project's version folders from alembic.ini, pyproject.toml or a folder.

Mirrors how Alembic reads `script_location`, `version_locations` and
`recursive_version_locations`, without importing anything from the project.
"""

from __future__ import annotations

import configparser
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Alembic's legacy version_locations split when no path_separator is configured.
_LEGACY_SPLIT = re.compile(r", *|(?: +)")
_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
_INI_KEYS = (
    "script_location",
    "version_locations",
    "path_separator",
    "version_path_separator",
    "recursive_version_locations",
)


class ScriptLocationError(Exception):
    """The configured alembic path does not lead to revision files (message is user-facing)."""


@dataclass(frozen=True, slots=True)
class ScriptLocation:
    """Where a project's revision files live, resolved from its configuration."""

    script_directory: str
    version_locations: tuple[str, ...]
    recursive: bool = False
    config_file: str | None = None


def normalise_path(text: str) -> str:
    """The one stored form of an environment's Alembic path: absolute, `~` expanded, and
    naming an existing file or a script folder holding `versions/` (else ValueError)."""
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        if not (path / "versions").is_dir():
            raise ValueError(
                f"Alembic path {path} has no versions/ folder:"
                " give alembic.ini or the script folder"
            )
    elif not path.is_file():
        raise ValueError(f"Alembic path {path} does not exist")
    return str(path)


def locate_scripts(path: str | os.PathLike[str]) -> ScriptLocation:
    """Resolve an alembic.ini, a pyproject.toml or a script directory to version folders."""
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        return _from_directory(target)
    if not target.is_file():
        raise ScriptLocationError(f"{target}: no such file or directory")
    if target.suffix == ".toml":
        return _from_config(target, None, target)
    sibling = target.parent / "pyproject.toml"
    return _from_config(target, target, sibling if sibling.is_file() else None)


def _from_directory(directory: Path) -> ScriptLocation:
    if (directory / "versions").is_dir():
        return ScriptLocation(str(directory), (str(directory / "versions"),))
    ini, toml = directory / "alembic.ini", directory / "pyproject.toml"
    if ini.is_file():
        return _from_config(ini, ini, toml if toml.is_file() else None)
    if toml.is_file():
        return _from_config(toml, None, toml)
    raise ScriptLocationError(f"{directory}: no versions/ folder, alembic.ini or pyproject.toml")


def _from_config(config: Path, ini: Path | None, toml: Path | None) -> ScriptLocation:
    """Options come from the ini first, then `[tool.alembic]`, key by key, as in Alembic."""
    options = _read_ini(ini) if ini else {}
    table = _read_toml(toml) if toml else {}
    base = config.parent
    script_location = options.get("script_location") or table.get("script_location")
    if not isinstance(script_location, str) or not script_location:
        raise ScriptLocationError(f"{config}: no script_location for Alembic")
    script_dir = _resolve(script_location, base, config)
    versions = _version_locations(options, table, config)
    dirs = tuple(str(_resolve(v, base, config)) for v in versions)
    return ScriptLocation(
        script_directory=str(script_dir),
        version_locations=dirs or (str(script_dir / "versions"),),
        recursive=_recursive(options, table, config),
        config_file=str(config),
    )


def _read_ini(path: Path) -> dict[str, str]:
    # Alembic seeds ConfigParser with `here`, the ini's folder, so `%(here)s` interpolates.
    parser = configparser.ConfigParser(defaults={"here": path.parent.as_posix()})
    try:
        parser.read(path, encoding="utf-8")
        if not parser.has_section("alembic"):
            return {}
        # Only the keys Alembic needs here: a stray `%` elsewhere must not break us.
        return {
            key: parser.get("alembic", key)
            for key in _INI_KEYS
            if parser.has_option("alembic", key)
        }
    except (configparser.Error, OSError, UnicodeDecodeError) as exc:
        raise ScriptLocationError(f"{path}: {exc}") from exc


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        raise ScriptLocationError(f"{path}: {exc}") from exc
    tool = document.get("tool", {})
    table = tool.get("alembic", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ScriptLocationError(f"{path}: [tool.alembic] is not a table")
    # Alembic's Config applies `value % {"here": ...}` to TOML strings.
    args = {"here": path.parent.as_posix()}
    try:
        return {key: _substitute(value, args) for key, value in table.items()}
    except (KeyError, ValueError, TypeError) as exc:
        raise ScriptLocationError(f"{path}: bad substitution in [tool.alembic]: {exc}") from exc


def _substitute(value: object, args: Mapping[str, str]) -> object:
    if isinstance(value, str):
        return value % args
    if isinstance(value, list):
        return [_substitute(item, args) for item in value]
    return value


def _version_locations(
    options: Mapping[str, str], table: Mapping[str, Any], config: Path
) -> list[str]:
    raw = options.get("version_locations")
    if raw:
        return _split_locations(raw, options, config)
    value = table.get("version_locations") or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScriptLocationError(f"{config}: version_locations must be a list of paths")
    return list(value)


def _split_locations(raw: str, options: Mapping[str, str], config: Path) -> list[str]:
    name = "path_separator" if "path_separator" in options else "version_path_separator"
    separator = options.get(name)
    if separator is None:
        return [part for part in _LEGACY_SPLIT.split(raw) if part]
    if separator not in _SEPARATORS:
        raise ScriptLocationError(f"{config}: {separator!r} is not a valid {name}")
    return [part.strip() for part in raw.split(_SEPARATORS[separator]) if part.strip()]


def _recursive(options: Mapping[str, str], table: Mapping[str, Any], config: Path) -> bool:
    if "recursive_version_locations" in options:
        return options["recursive_version_locations"] == "true"  # Alembic's exact test
    value = table.get("recursive_version_locations", False)
    if not isinstance(value, bool):
        raise ScriptLocationError(f"{config}: recursive_version_locations must be true/false")
    return value


def _resolve(location: str, base: Path, config: Path) -> Path:
    # Alembic would import `package:resource` locations; a static reader must not.
    if not os.path.isabs(location) and ":" in location:
        raise ScriptLocationError(
            f"{config}: package resource location {location!r} is not supported; use a path"
        )
    # Alembic resolves relative paths from its working directory, which is where
    # alembic.ini lives in practice; pandadmin runs elsewhere, so use the config's folder.
    return (base / location).absolute()
