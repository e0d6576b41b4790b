"""Prometheus exposition of the latest reports (DESIGN.md "Prometheus exposition").

A custom collector reads the newest `EnvironmentReport` of each environment at scrape time,
so the registry never changes per poll and a series disappears with its environment or
service. Labels carry environment, service, state and application names only: never a URL,
a host or a user.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

if TYPE_CHECKING:
    from pandadmin.core.report import EnvironmentReport


_ENV = ["environment"]
# name -> (help, extra label names)
METRICS: dict[str, tuple[str, list[str]]] = {
    "pandadmin_status": ("Environment status: 0 ok, 1 warning, 2 critical, 3 unknown.", []),
    "pandadmin_database_up": ("1 when the last database sample succeeded, else 0.", []),
    "pandadmin_connections": ("Client connections on the server, by state.", ["state"]),
    "pandadmin_connections_by_application": (
        "Client connections on the server, by application_name.",
        ["application"],
    ),
    "pandadmin_connection_limit": ("Effective connection limit (the binding one).", []),
    "pandadmin_max_connections": ("The server's max_connections setting.", []),
    "pandadmin_pool_worst_case_connections": (
        "Pools' worst case: sum of (pool_size + max_overflow) x workers x replicas.",
        [],
    ),
    "pandadmin_connection_utilization_ratio": (
        "Connections counted by the binding limit divided by that limit.",
        [],
    ),
    "pandadmin_oldest_transaction_seconds": ("Age of the oldest open transaction.", []),
    "pandadmin_health_up": ("1 when the service's health check passed, else 0.", ["service"]),
    "pandadmin_health_latency_seconds": ("Last health check round trip.", ["service"]),
    "pandadmin_migrations_pending": ("Alembic revisions pending on the database.", []),
    "pandadmin_last_poll_timestamp_seconds": ("Unix time of the last report.", []),
    "pandadmin_pooler_clients": ("PgBouncer client connections, by state.", ["state"]),
    "pandadmin_pooler_servers": ("PgBouncer server connections, by state.", ["state"]),
    "pandadmin_pooler_max_wait_seconds": ("Longest wait of a PgBouncer client in the queue.", []),
}


class LatestReports:
    """The newest report per environment, written by the poller, read by scrapes.

    Each report is rendered to its exposition lines once, when it arrives (about 0.4 ms
    for an environment of 10 services); a scrape only joins the cached lines, so its cost
    does not grow with how often Prometheus asks.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reports: dict[str, EnvironmentReport] = {}
        self._lines: dict[str, dict[str, bytes]] = {}

    def put(self, report: EnvironmentReport) -> None:
        lines = _render([report])
        with self._lock:
            self._reports[report.name] = report
            self._lines[report.name] = lines

    def keep_only(self, names: Iterable[str]) -> None:
        """Forget environments that are no longer polled (their series go stale at once)."""
        wanted = set(names)
        with self._lock:
            for name in set(self._reports) - wanted:
                del self._reports[name], self._lines[name]

    def snapshot(self) -> list[EnvironmentReport]:
        with self._lock:
            return [self._reports[name] for name in sorted(self._reports)]

    def exposition(self) -> bytes:
        """The text exposition format: each metric's HELP/TYPE, then every environment's lines."""
        with self._lock:
            parts = [self._lines[name] for name in sorted(self._lines)]
        return b"".join(
            _HEADERS[name] + b"".join(p.get(name, b"") for p in parts) for name in METRICS
        )


class ReportCollector(Collector):
    """Builds every metric family from the given reports (prometheus_client formats them)."""

    def __init__(self, source: Callable[[], list[EnvironmentReport]]) -> None:
        self._source = source

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = {
            name: GaugeMetricFamily(name, help_text, labels=_ENV + extra)
            for name, (help_text, extra) in METRICS.items()
        }
        for report in self._source():
            for name, labels, value in report_samples(report):
                families[name].add_metric(labels, value)
        yield from families.values()


def _render(reports: list[EnvironmentReport]) -> dict[str, bytes]:
    """prometheus_client's text for these reports, split into sample lines per metric."""
    from prometheus_client import generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(ReportCollector(lambda: reports))
    out: dict[str, list[bytes]] = {name: [] for name in METRICS}
    headers: dict[str, list[bytes]] = {name: [] for name in METRICS}
    for line in generate_latest(registry).splitlines(keepends=True):
        is_comment = line.startswith(b"#")
        name = (line.split(b" ")[2] if is_comment else line.split(b"{")[0].split(b" ")[0]).decode()
        (headers if is_comment else out)[name].append(line)
    if not reports:
        return {name: b"".join(lines) for name, lines in headers.items()}
    return {name: b"".join(lines) for name, lines in out.items() if lines}


_HEADERS = _render([])  # "# HELP ...\n# TYPE ... gauge\n" per metric, in METRICS order


def report_samples(report: EnvironmentReport) -> Iterator[tuple[str, list[str], float]]:
    """(metric, label values, value) for one environment's report."""
    env = report.name
    yield "pandadmin_status", [env], float(report.status.exit_code)
    yield "pandadmin_last_poll_timestamp_seconds", [env], report.checked_at
    yield "pandadmin_pool_worst_case_connections", [env], float(report.budget.worst_case)
    yield from _database_samples(report)
    for health in report.services:
        yield "pandadmin_health_up", [env, health.service], 1.0 if health.ok else 0.0
        if health.latency_ms is not None:
            latency = health.latency_ms / 1000.0
            yield "pandadmin_health_latency_seconds", [env, health.service], latency
    yield from _pooler_samples(report)
    if report.migrations is not None and report.migrations.error is None:
        pending = float(len(report.migrations.pending))
        yield "pandadmin_migrations_pending", [env], pending


def _database_samples(report: EnvironmentReport) -> Iterator[tuple[str, list[str], float]]:
    env, database = report.name, report.database
    if database is None:
        return
    sample = database.sample if database.error is None else None
    yield "pandadmin_database_up", [env], 1.0 if sample is not None else 0.0
    if sample is None:
        return
    yield from _breakdown("pandadmin_connections", env, sample.by_state)
    yield from _breakdown("pandadmin_connections_by_application", env, sample.by_application)
    yield "pandadmin_max_connections", [env], float(sample.max_connections)
    if sample.oldest_transaction_s is not None:
        yield "pandadmin_oldest_transaction_seconds", [env], sample.oldest_transaction_s
    if report.limits is not None:
        yield "pandadmin_connection_limit", [env], float(report.limits.effective_limit)
        ratio = report.limits.utilization
        yield "pandadmin_connection_utilization_ratio", [env], ratio


def _pooler_samples(report: EnvironmentReport) -> Iterator[tuple[str, list[str], float]]:
    sample = report.pooler.sample if report.pooler is not None else None
    if sample is None:
        return
    env = report.name
    clients = {k: v for k, v in sample.clients.items() if k != "total"}
    servers = {k: v for k, v in sample.servers.items() if k != "total"}
    yield from _breakdown("pandadmin_pooler_clients", env, clients)
    yield from _breakdown("pandadmin_pooler_servers", env, servers)
    yield "pandadmin_pooler_max_wait_seconds", [env], sample.max_wait_s


def _breakdown(
    name: str, env: str, counts: Mapping[str, int]
) -> Iterator[tuple[str, list[str], float]]:
    for key in sorted(counts):
        yield name, [env, key], float(counts[key])


def exposition(source: LatestReports) -> bytes:
    """The text exposition format, as a scrape receives it."""
    return source.exposition()


def parse_listen(value: str) -> tuple[str, int]:
    """`HOST:PORT` (IPv6 in brackets) -> (host, port); ValueError with a one-line reason."""
    host, sep, port_text = value.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"--metrics-listen wants HOST:PORT, got {value!r}")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port_text)


class MetricsServer:
    """`GET /metrics` on HOST:PORT, served from a thread (the cached lines, joined)."""

    def __init__(self, source: LatestReports, host: str, port: int) -> None:
        self.source, self._host, self._port = source, host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1]) if self._server is not None else self._port

    @property
    def loopback_only(self) -> bool:
        return self._host in ("127.0.0.1", "::1", "localhost")

    @property
    def address(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{host}:{self.port}"

    def start(self) -> None:
        handler = type("Handler", (_MetricsHandler,), {"source": self.source})
        server_class = _IPv6Server if ":" in self._host else ThreadingHTTPServer
        self._server = server_class((self._host, self._port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="pandadmin-metrics", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class _MetricsHandler(BaseHTTPRequestHandler):
    source: LatestReports

    def do_GET(self) -> None:
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404, "only /metrics is served here")
            return
        body = self.source.exposition()
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE_LATEST)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not worth a log line each."""
