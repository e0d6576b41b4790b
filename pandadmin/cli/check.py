"""`pandadmin check`: poll once, print a table or DESIGN.md's JSON, exit with Nagios codes."""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING

from pandadmin.cli.errors import UsageError
from pandadmin.cli.support import load_config, require_env
from pandadmin.core.models import HealthResult, Status

if TYPE_CHECKING:  # the poller brings asyncpg and httpx: imported when `check` runs
    from pandadmin.core.config import Config
    from pandadmin.core.report import EnvironmentReport

UNKNOWN = Status.UNKNOWN.exit_code


def register(check: argparse.ArgumentParser) -> None:
    """The arguments of `pandadmin check` (main.py names the command and its one-line help)."""
    check.add_argument("environments", nargs="*", metavar="ENV")
    check.add_argument("--json", action="store_true", help="print DESIGN.md's JSON document")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
        for name in args.environments:
            require_env(config, name)
    except UsageError as exc:
        raise UsageError(str(exc), exit_code=UNKNOWN) from None
    names = args.environments or [e.name for e in config.environments]
    if not names:
        raise UsageError(
            "no environments configured: add one with `pandadmin env add`", exit_code=UNKNOWN
        )
    checked_at = time.time()
    import asyncio

    reports = asyncio.run(check_once(config, names))
    if args.json:
        from pandadmin.core.report import check_json

        print(json.dumps(check_json(reports, checked_at), indent=2))
    else:
        print(render_table(reports))
    return max(r.status for r in reports).exit_code


async def check_once(config: Config, names: list[str]) -> list[EnvironmentReport]:
    """One poll of the named environments; every connection is closed before returning."""
    from pandadmin.core.poller import Poller
    from pandadmin.core.secrets import AsyncSecrets, open_store

    secrets = AsyncSecrets(open_store(config))
    poller = Poller(config, secrets, on_report=lambda report: None)
    poller.show_sessions(())  # the JSON and the table show aggregates only
    try:
        return await poller.poll_now(names)
    finally:
        await poller.close()
        secrets.close()


def render_table(reports: list[EnvironmentReport]) -> str:
    rows = [("ENV", "STATUS", "CONNECTIONS", "HEALTH", "MIGRATIONS", "REASONS")]
    rows += [_row(r) for r in reports]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[5]])
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def _row(report: EnvironmentReport) -> tuple[str, str, str, str, str, str]:
    lim = report.limits
    if lim is not None:
        source = "" if lim.binding == "plan" else f", {lim.binding} limit"
        connections = f"{lim.used}/{lim.effective_limit} ({lim.utilization:.0%}{source})"
    else:
        connections = "-" if report.database is None else "unreachable"
    health = " ".join(f"{s.service}:{_health_word(s)}" for s in report.services) or "-"
    migrations = report.migrations.status if report.migrations else "-"
    if report.migrations and report.migrations.pending:
        migrations += f" ({len(report.migrations.pending)})"
    reasons = "; ".join(report.reasons)
    return report.name, report.status.label, connections, health, migrations, reasons


def _health_word(result: HealthResult) -> str:
    """ok, WARN (up, but reported warn, slow or a certificate near expiry) or FAIL."""
    if not result.ok:
        return "FAIL"
    return "WARN" if result.status != Status.OK else "ok"
