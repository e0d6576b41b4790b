"""The settings file: environments, services, plans and thresholds (never a secret).

Loaded from TOML, validated into frozen dataclasses, saved atomically. A file that
does not parse or validate raises ConfigError naming the file and line, and is
never overwritten.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pandadmin.core.config_schema import ConfigError, parse_document
from pandadmin.core.settings import BUILTIN_PLANS, POOL_FIELDS, Scope, fields

SCHEMA_VERSION = 1
SERVICE_KEYS = ("health_url", *POOL_FIELDS)  # always written; other fields when not default

__all__ = [
    "BUILTIN_PLANS",
    "SCHEMA_VERSION",
    "Config",
    "ConfigError",
    "Environment",
    "Notifications",
    "Service",
    "Thresholds",
    "default_path",
    "load",
    "save",
]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Status thresholds of one environment (DESIGN.md "Status rules")."""

    warning_pct: float = 80.0
    critical_pct: float = 95.0
    idle_in_transaction_s: float = 60.0
    pooler_wait_warning_s: float = 1.0  # PgBouncer's oldest waiting client
    pooler_wait_critical_s: float = 5.0


@dataclass(frozen=True, slots=True)
class Service:
    """One deployable app: its health URL and SQLAlchemy pool sizing."""

    name: str
    health_url: str
    pool_size: int = 5
    max_overflow: int = 10
    workers: int = 1
    replicas: int = 1
    # health conditions (DESIGN.md "Health dialects and conditions")
    accepted_status: str = "200-299"
    json_key: str | None = None  # dotted path into the JSON body, e.g. "components.db.status"
    json_value: str | None = None  # what json_key must equal
    latency_warning_ms: float | None = None
    retries: int = 0  # failed attempts retried at once before the check counts as down
    cert_warning_days: float = 14.0
    cert_critical_days: float = 3.0

    @property
    def worst_case_connections(self) -> int:
        return (self.pool_size + self.max_overflow) * self.workers * self.replicas


@dataclass(frozen=True, slots=True)
class Environment:
    """One database plus the services that use it; its DATABASE_URL lives in the keyring."""

    name: str
    plan: str | None = "free"
    connection_limit: int | None = None
    alembic: str | None = None
    version_table: str | None = None
    interval: float = 5.0
    prometheus_url: str | None = None  # overrides the file's top-level prometheus_url
    thresholds: Thresholds = field(default_factory=Thresholds)
    services: tuple[Service, ...] = ()

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)


@dataclass(frozen=True, slots=True)
class Notifications:
    """Hysteresis of desktop notifications: N failures to fire, M successes to clear."""

    fail_after: int = 2
    recover_after: int = 2


@dataclass(frozen=True, slots=True)
class Config:
    """The whole settings file."""

    environments: tuple[Environment, ...] = ()
    plans: Mapping[str, int] = field(default_factory=lambda: dict(BUILTIN_PLANS))
    notifications: Notifications = field(default_factory=Notifications)
    # Keyring service holding this file's DATABASE_URLs; None means "pandadmin". The demo
    # sets its own so that `check --config DEMO` finds the demo's entries and no others.
    keyring_service: str | None = None
    # A Prometheus server scraping a pandadmin collector (history this app did not see).
    prometheus_url: str | None = None

    def environment(self, name: str) -> Environment | None:
        return next((e for e in self.environments if e.name == name), None)

    def prometheus_for(self, env: Environment) -> str | None:
        """The Prometheus server holding this environment's history, if any."""
        return env.prometheus_url or self.prometheus_url

    def plan_limit(self, env: Environment) -> int:
        """The connection limit the environment's plan (or explicit limit) grants."""
        if env.connection_limit is not None:
            return env.connection_limit
        return self.plans[env.plan or "free"]

    def with_environment(self, env: Environment, replacing: str | None = None) -> Config:
        """A copy with `env` in place of the environment named `replacing` (default: its
        own name), keeping its position, or added last."""
        envs = list(self.environments)
        name = replacing or env.name
        index = next((i for i, e in enumerate(envs) if e.name == name), None)
        if index is None:
            envs.append(env)
        else:
            envs[index] = env
        return replace(self, environments=tuple(envs))

    def without_environment(self, name: str) -> Config:
        return replace(self, environments=tuple(e for e in self.environments if e.name != name))


def default_path() -> Path:
    """`--config` beats `PANDADMIN_CONFIG`, which beats the platform's config dir."""
    override = os.environ.get("PANDADMIN_CONFIG")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("pandadmin")) / "config.toml"


def load(path: Path) -> Config:
    """Read the config; a missing file is an empty config, a bad one raises ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.__class__.__name__}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_document(document, text, path, _build)


def save(config: Config, path: Path) -> None:
    """Write the config atomically (see `save_text`)."""
    save_text(dumps(config), path)


def save_text(text: str, path: Path) -> None:
    """Write atomically: temp file in the same folder, fsync, rename, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    _remove_orphaned_temps(path)
    prefix = f".{path.name}.{os.getpid()}."  # the owner's pid: see _remove_orphaned_temps
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def dumps(config: Config) -> str:
    """The TOML text of a config (it holds no secrets by construction)."""
    import tomlkit  # only to write: reading uses the standard library's tomllib

    doc = tomlkit.document()
    doc.add(tomlkit.comment("pandadmin settings. DATABASE_URLs live in the OS keyring, not here."))
    doc["schema_version"] = SCHEMA_VERSION
    doc.update(_set_fields(config, Scope.CONFIG))
    custom = {k: v for k, v in config.plans.items() if BUILTIN_PLANS.get(k) != v}
    if custom:
        doc["plans"] = custom
    if config.notifications != Notifications():
        doc["notifications"] = _set_fields(config.notifications, Scope.NOTIFICATIONS)
    doc["environments"] = {e.name: _environment_table(e) for e in config.environments}
    return tomlkit.dumps(doc)


def _set_fields(obj: object, scope: Scope, always: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of `scope` that hold a value other than their default (None is "not set");
    the `always` ones whenever they hold a value."""
    return {
        f.name: value
        for f in fields(scope)
        if (value := getattr(obj, f.name)) is not None and (f.name in always or value != f.default)
    }


def _environment_table(env: Environment) -> dict[str, Any]:
    table = _set_fields(env, Scope.ENVIRONMENT, ("plan", "interval"))
    if env.connection_limit is not None:
        table.pop("plan", None)  # an explicit limit replaces the plan
    if env.thresholds != Thresholds():
        table["thresholds"] = _set_fields(env.thresholds, Scope.THRESHOLDS)
    table["services"] = {s.name: _set_fields(s, Scope.SERVICE, SERVICE_KEYS) for s in env.services}
    return table


def asdict(obj: object, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of a slotted settings dataclass as a dict (shallow)."""
    return {k: getattr(obj, k) for k in obj.__slots__ if k not in skip}  # type: ignore[attr-defined]


def _build(
    envs: list[dict[str, Any]],
    plans: dict[str, int],
    notifications: dict[str, Any],
    top: dict[str, Any],
) -> Config:
    environments = tuple(
        Environment(
            **{k: v for k, v in e.items() if k not in ("thresholds", "services")},
            thresholds=Thresholds(**e["thresholds"]),
            services=tuple(Service(**s) for s in e["services"]),
        )
        for e in envs
    )
    return Config(environments, {**BUILTIN_PLANS, **plans}, Notifications(**notifications), **top)


def _remove_orphaned_temps(path: Path) -> None:
    """Temp files of saves whose process was killed mid-write (SIGKILL, power loss): a
    killed save never removes its own. A save of a process still alive is left alone."""
    for temp in path.parent.glob(f".{path.name}.*.tmp"):
        owner = temp.name.removeprefix(f".{path.name}.").split(".", 1)[0]
        if owner.isdigit() and not _alive(int(owner)):
            temp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) would send CTRL_C_EVENT there: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
