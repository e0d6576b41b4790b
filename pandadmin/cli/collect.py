"""`pandadmin collect`: poll without a window into the history store, with notifications."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from dataclasses import replace
from typing import Any

from pandadmin.cli.errors import UsageError
from pandadmin.cli.support import load_config, require_env


def register(collect: argparse.ArgumentParser) -> None:
    """The arguments of `pandadmin collect` (main.py names the command and its one-line help)."""
    collect.add_argument("environments", nargs="*", metavar="ENV")
    collect.add_argument(
        "--no-notify", action="store_true", help="no desktop notifications, only the log"
    )
    collect.add_argument(
        "--metrics-listen",
        metavar="HOST:PORT",
        help="serve Prometheus /metrics there (default host 127.0.0.1; another host is "
        "reachable from other machines)",
    )
    collect.set_defaults(handler=run_collect)


def run_collect(args: argparse.Namespace) -> int:
    from pandadmin.core.datadir import CollectorLock, data_dir

    config = load_config(args.config)
    for name in args.environments:
        require_env(config, name)
    if args.environments:
        kept = tuple(e for e in config.environments if e.name in args.environments)
        config = replace(config, environments=kept)
    if not config.environments:
        raise UsageError("no environments configured: add one with `pandadmin env add`")
    metrics = _metrics_server(args.metrics_listen, config)
    folder = data_dir(args.data_dir)
    lock = CollectorLock(folder)
    holder = lock.acquire()
    if holder is not None:
        raise UsageError(f"another collector (pid {holder}) is already collecting into {folder}")
    try:
        say(f"collecting {len(config.environments)} environment(s) into {folder}")
        if metrics is not None:
            _start_metrics(metrics)
        import asyncio

        asyncio.run(_collect(config, folder, notify=not args.no_notify, metrics=metrics))
    finally:
        if metrics is not None:
            metrics.stop()
        lock.release()
    say("stopped")
    return 0


def _metrics_server(listen: str | None, config: Any) -> Any:
    """The /metrics server asked for (not started yet); a malformed address is bad input."""
    if listen is None:
        return None
    from pandadmin.core.metrics import LatestReports, MetricsServer, parse_listen

    try:
        host, port = parse_listen(listen)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    latest = LatestReports()
    latest.keep_only(env.name for env in config.environments)
    return MetricsServer(latest, host, port)


def _start_metrics(server: Any) -> None:
    try:
        server.start()
    except OSError as exc:
        raise UsageError(f"cannot serve /metrics on {server.address}: {exc.strerror}") from None
    say(f"serving Prometheus metrics at http://{server.address}/metrics")
    if not server.loopback_only:
        say(f"metrics: {server.address} is reachable from other machines (--metrics-listen)")


async def _collect(config: Any, folder: Any, *, notify: bool, metrics: Any = None) -> None:
    import asyncio

    from pandadmin.core.collector import Collector, desktop_notifier
    from pandadmin.core.secrets import AsyncSecrets, open_store

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    secrets = AsyncSecrets(open_store(config))
    sender = desktop_notifier() if notify else None
    collector = Collector(config, secrets, folder, notify=sender, say=say)
    if metrics is not None:
        collector.listeners.append(metrics.source.put)
    try:
        await collector.run(stop)
    finally:
        secrets.close()


def say(line: str) -> None:
    """One log line on stderr: `2026-12-02T00:01:02Z prod: ok -> critical (...)`."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(f"{stamp} {line}", file=sys.stderr, flush=True)
