"""The demo stack: per environment an embedded PostgreSQL, migrations and sample services.

`DemoStack.start()` brings dev, staging and prod up in parallel, writes a temp config
whose DATABASE_URLs live in the keyring under a demo-only service name, and starts the
traffic. `close()` takes everything down again, also after a failed or interrupted start.
Each environment gets its own server because pandadmin counts connections server-wide,
as a managed database plan does: one shared server would charge prod's load to dev.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pandadmin.core import config as cfg
from pandadmin.core.secret_keys import pgbouncer_key
from pandadmin.core.secrets import KeyringStore
from pandadmin.demo import pgbouncer
from pandadmin.demo.background import BackgroundLoop
from pandadmin.demo.pgserver import EmbeddedPostgres
from pandadmin.demo.processes import (
    ALEMBIC_INI,
    ServiceProcess,
    StartupError,
    alembic_upgrade,
    stop_processes,
    wait_until_answering,
)
from pandadmin.demo.topology import POLL_INTERVAL_S, TOPOLOGY, EnvironmentSpec, ServiceSpec
from pandadmin.demo.traffic import Target, run_traffic

T = TypeVar("T")
# Set by scripts/with-secret-service.sh: the Secret Service is this session's own, and its
# keyring folder is thrown away with it.
PRIVATE_SECRET_SERVICE = "PANDADMIN_IN_SECRET_SERVICE"


@dataclass(frozen=True, slots=True)
class RunningEnvironment:
    spec: EnvironmentSpec
    database_url: str
    replicas: dict[str, list[ServiceProcess]]  # service name -> its processes
    pooler_admin_url: str | None = None  # PgBouncer's admin console, when it runs one


class DemoStack:
    """Everything one `pandadmin demo` started; safe to `close()` at any point."""

    def __init__(self, topology: tuple[EnvironmentSpec, ...] = TOPOLOGY) -> None:
        self.topology = topology
        self.root = Path(tempfile.mkdtemp(prefix="pandadmin-demo-"))
        self.config_path = self.root / "config.toml"
        # Per process, so a second demo never shares (or deletes) this one's entries.
        self.keyring_service = f"pandadmin-demo-{os.getpid()}"
        self.store = KeyringStore(self.keyring_service)
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(len(topology), thread_name_prefix="pandadmin-demo-env")
        self._servers: list[EmbeddedPostgres] = []
        self._poolers: list[pgbouncer.PgBouncer] = []
        self._processes: list[ServiceProcess] = []
        self._secrets: list[str] = []
        self._background: BackgroundLoop | None = None

    # start ---------------------------------------------------------------------

    def start(self) -> Path:
        """Bring the stack up; returns the config path once every part answers."""
        self.store.get(self.topology[0].name)  # no usable keyring: fail before starting anything
        note = pooler_note(self.topology)
        if note:
            print(note, flush=True)
        try:
            running = list(self._pool.map(self._start_environment, self.topology))
        except BaseException:
            self.stopping.set()  # the other environments stop at their next step
            raise
        self._background = BackgroundLoop()
        doors = {env.spec.name: self._front_doors(env) for env in running}
        self._store_secrets(running)
        cfg.save(self._config(running, doors), self.config_path)
        targets = [
            Target(doors[env.spec.name][s.name], s.load, s.leaks)
            for env in running
            for s in env.spec.services
        ]
        self._background.spawn(run_traffic(targets))
        return self.config_path

    def _start_environment(self, spec: EnvironmentSpec) -> RunningEnvironment:
        server = EmbeddedPostgres(
            max_connections=spec.max_connections, superuser_password=secrets.token_urlsafe(18)
        )
        self._register(self._servers, server)
        self._checkpoint()
        server.start()
        password = secrets.token_urlsafe(18)
        server.create_role(spec.role, password, monitor=True)
        server.create_database(spec.name, owner=spec.role)
        url = server.url(spec.name, spec.role, password)
        self._checkpoint()
        alembic_upgrade(url, spec.alembic_target)
        self._checkpoint()
        pooler = self._start_pooler(spec, server.port, password)
        replicas = {s.name: self._start_replicas(spec, s, url, pooler) for s in spec.services}
        wait_until_answering(itertools.chain.from_iterable(replicas.values()))
        admin = pooler.admin_url() if pooler else None
        return RunningEnvironment(spec, url, replicas, admin)

    def _start_pooler(
        self, spec: EnvironmentSpec, port: int, password: str
    ) -> pgbouncer.PgBouncer | None:
        """PgBouncer in transaction mode in front of the database, when installed."""
        if spec.pooler is None or pgbouncer.binary() is None:
            return None
        bouncer = pgbouncer.PgBouncer(
            {spec.name: f"host=127.0.0.1 port={port} dbname={spec.name}"},
            {spec.role: password},
            default_pool_size=spec.pooler.default_pool_size,
            max_client_conn=spec.pooler.max_client_conn,
            # the services' named statements must not pile up on server connections
            settings={"server_reset_query": "DISCARD ALL", "server_reset_query_always": "1"},
        )
        self._register(self._poolers, bouncer)
        self._checkpoint()
        bouncer.start()
        return bouncer

    def _start_replicas(
        self,
        env: EnvironmentSpec,
        service: ServiceSpec,
        url: str,
        pooler: pgbouncer.PgBouncer | None,
    ) -> list[ServiceProcess]:
        pooled = service.pooled and pooler is not None
        variables = {
            "DATABASE_URL": pooler.url(env.name, env.role) if pooled and pooler else url,
            "PGBOUNCER": "1" if pooled else "0",
            "APP_NAME": service.name,
            "POOL_SIZE": str(service.pool_size),
            "MAX_OVERFLOW": str(service.max_overflow),
            "FLAP_EVERY": str(service.flap_every),
        }
        started = []
        for number in range(1, service.replicas + 1):
            label = f"{env.name}/{service.name}#{number}"
            log = self.root / f"{env.name}-{service.name}-{number}.log"
            started.append(self._register(self._processes, ServiceProcess(label, variables, log)))
        return started

    def _front_doors(self, env: RunningEnvironment) -> dict[str, str]:
        """Each service's base URL: its process, or a round-robin router for replicas."""
        assert self._background is not None
        doors = {}
        for name, procs in env.replicas.items():
            if len(procs) == 1:
                doors[name] = procs[0].url
            else:
                port = self._background.start_router([p.port for p in procs])
                doors[name] = f"http://127.0.0.1:{port}"
        return doors

    def _store_secrets(self, running: Iterable[RunningEnvironment]) -> None:
        for env in running:
            self._register(self._secrets, env.spec.name)
            self.store.set(env.spec.name, env.database_url)
            if env.pooler_admin_url:
                self._register(self._secrets, pgbouncer_key(env.spec.name))
                self.store.set(pgbouncer_key(env.spec.name), env.pooler_admin_url)

    def _config(
        self, running: list[RunningEnvironment], doors: dict[str, dict[str, str]]
    ) -> cfg.Config:
        return cfg.Config(
            environments=tuple(
                self._environment(env.spec, doors[env.spec.name]) for env in running
            ),
            keyring_service=self.keyring_service,
        )

    @staticmethod
    def _environment(spec: EnvironmentSpec, doors: dict[str, str]) -> cfg.Environment:
        services = tuple(
            cfg.Service(
                s.name, doors[s.name] + "/health", s.pool_size, s.max_overflow, 1, s.replicas
            )
            for s in spec.services
        )
        return cfg.Environment(
            spec.name,
            plan=spec.plan,
            connection_limit=spec.connection_limit,
            alembic=str(ALEMBIC_INI),
            interval=POLL_INTERVAL_S,
            services=services,
        )

    def _register(self, bucket: list[T], item: T) -> T:
        with self._lock:
            bucket.append(item)
        return item

    def _checkpoint(self) -> None:
        if self.stopping.is_set():
            raise StartupError("the demo is stopping")

    # stop ----------------------------------------------------------------------

    def close(self) -> None:
        """Stop traffic, services and servers; remove keyring entries and temp folders."""
        self.stopping.set()
        # Environments still starting finish their current step first, so that nothing
        # they start after this point escapes the clean-up below.
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._background is not None:
            _attempt("traffic", self._background.close)
        _attempt("services", lambda: stop_processes(p.process for p in self._processes))
        for bouncer in self._poolers:
            _attempt("pgbouncer", bouncer.close)
        for server in self._servers:
            _attempt("postgres", server.close)
        self._forget_secrets()
        shutil.rmtree(self.root, ignore_errors=True)

    def _forget_secrets(self) -> None:
        """Remove the demo's keyring entries; stop at the first failure, in one line at most.

        Ctrl+C or SIGTERM to the process group also stop a private Secret Service (the
        one `make demo` starts when there is no desktop session), often before this runs:
        its entries went with it and its keyring folder is deleted, so nothing is said.
        """
        for done, name in enumerate(self._secrets):
            try:
                self.store.delete(name)
            except Exception as exc:  # the Secret Service is gone or refuses: say it once
                left = len(self._secrets) - done
                if not (isinstance(exc, OSError) and os.environ.get(PRIVATE_SECRET_SERVICE)):
                    print(
                        f"pandadmin demo: could not remove {left} keyring entries of "
                        f"{self.keyring_service}: {exc}",
                        file=sys.stderr,
                    )
                return


def pooler_note(topology: tuple[EnvironmentSpec, ...]) -> str | None:
    """The one line the demo prints when its PgBouncer cannot run here."""
    if pgbouncer.binary() is not None or not any(e.pooler for e in topology):
        return None
    return f"pandadmin demo: {pgbouncer.INSTALL_LINE}; services connect directly"


def _attempt(what: str, step: Callable[[], object]) -> None:
    """Run one clean-up step; a failure is reported and the remaining steps still run."""
    try:
        step()
    except Exception as exc:
        print(f"pandadmin demo: could not stop {what}: {exc}", file=sys.stderr)
