"""pg_activity's own SQL, read from its wheel at benchmark time (its code is not ours to ship).

`pip download pg-activity` into a temp folder, then the query files are read from the
wheel and rendered the way pg_activity renders them (its comment stripping, its default
parameters), so that the server runs exactly what pg_activity would send.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "pg-activity"
# pg_activity's defaults: no database filter, no RDS mode, durations from query_start.
TEMPLATE_VALUES = {"dbname_filter": "NULL", "duration_column": "query_start", "min_duration": "0"}


class Unavailable(Exception):
    """The wheel could not be downloaded or does not hold the expected files."""


def download() -> tuple[str, dict[str, str]]:
    """(version, {query name: SQL text}) of the newest pg-activity wheel on PyPI."""
    with tempfile.TemporaryDirectory(prefix="pandadmin-pgactivity-") as folder:
        args = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        done = subprocess.run(
            [*args, "-q", "-d", folder, PACKAGE], capture_output=True, text=True, timeout=180
        )
        wheels = sorted(Path(folder).glob("pg_activity-*.whl"))
        if done.returncode != 0 or not wheels:
            raise Unavailable(f"pip download {PACKAGE} failed: {done.stderr.strip()[-300:]}")
        version = wheels[-1].name.split("-")[1]
        with zipfile.ZipFile(wheels[-1]) as wheel:
            return version, {
                Path(name).stem: wheel.read(name).decode("utf-8")
                for name in wheel.namelist()
                if name.startswith("pgactivity/queries/") and name.endswith(".sql")
            }


def strip_comments(text: str) -> str:
    """What pgactivity.queries.get() does: drop comment lines and trailing '-- ' comments."""
    marker = "-- "
    return "\n".join(
        line.rstrip().split(marker, 1)[0]
        for line in text.splitlines()
        if line.strip() and not line.startswith(marker)
    )


def literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def render(text: str, params: dict[str, object]) -> str:
    """Fill psycopg's `{identifier}` templates and `%(name)s` parameters with literals."""
    sql = strip_comments(text)
    for key, value in TEMPLATE_VALUES.items():
        sql = sql.replace("{" + key + "}", value)
    return re.sub(r"%\((\w+)\)s", lambda m: literal(params[m.group(1)]), sql)


def pick(queries: dict[str, str], name: str, server_version_num: int) -> str:
    """The `NAME_post_NNNNNN` file pg_activity would choose for this server."""
    best = None
    for stem in queries:
        match = re.fullmatch(rf"{name}_post_(\d{{6}})", stem)
        if match and int(match.group(1)) <= server_version_num:
            best = max(best or stem, stem, key=lambda s: int(s.rsplit("_", 1)[1]))
    if best is None:
        raise Unavailable(f"no {name} query for server {server_version_num}")
    return queries[best]


def header_query(queries: dict[str, str], server_version_num: int, db_size: bool) -> str:
    """The header ("server information") query, as pg_activity's refresh loop sends it."""
    params = {
        "dbname_filter": None,
        "skip_db_size": not db_size,  # the default since 3.x: sizes only with --db-size
        "prev_total_size": 0,
        "using_rds": False,
    }
    return render(pick(queries, "get_server_info", server_version_num), params)


def activity_query(queries: dict[str, str], server_version_num: int) -> str:
    """The running-queries list that pg_activity fetches on every refresh as well."""
    params = {"dbname_filter": None, "min_duration": 0}
    return render(pick(queries, "get_pg_activity", server_version_num), params)
