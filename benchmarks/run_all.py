"""Run every benchmark N times (each run its own process), then summarise.

`make bench` runs this inside a private Secret Service session with
QT_QPA_PLATFORM=offscreen. Each bench_*.py prints its own table and merges its numbers
into benchmarks/results.json; this script runs each one `--repeat` times (3 by default),
then prints one table of every goal: the median of the runs, their spread, each run's
figure, the verdict of the median against the target and the load average at the start
of each run. A full run writes that table, with the machine and the installed versions
of the packages that move the figures, between the markers in BENCHMARKS.md, and the
same as JSON under "summary" in results.json.

    python benchmarks/run_all.py [--only fanout,chart] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import support  # (puts the repo on sys.path)
from repeats import Goal, lookup, versions

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "BENCHMARKS.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
# Quick ones first; the long soaks last. New bench_*.py files run after these.
ORDER = [
    *("cli", "migrations", "matrix", "footprint", "fanout", "chart", "cold_start", "ui", "memory")
]


def scripts(only: set[str] | None) -> list[Path]:
    found = {p.stem.removeprefix("bench_"): p for p in HERE.glob("bench_*.py")}
    names = [n for n in ORDER if n in found] + sorted(set(found) - set(ORDER))
    return [found[n] for n in names if only is None or n in only]


def run_one(script: Path) -> tuple[float, int]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    print(f"\n### {script.name}", flush=True)
    started = time.monotonic()
    code = subprocess.run([sys.executable, str(script)], env=env, cwd=HERE.parent).returncode
    return time.monotonic() - started, code


# the summary ----------------------------------------------------------------------------


# (goal, section of results.json, target, path of the value); "met" comes from the section.
SUMMARY: list[tuple[str, str, str, str]] = [
    ("1/16 fan-out: cycle / slowest target", "fanout", "<= 1.5", "ratio_to_slowest"),
    ("1 fan-out: speed-up vs serial loop", "fanout", ">= 50x", "speedup_vs_serial"),
    ("16 fan-out: client CPU per health request (ms)", "fanout", "<= 0.4",
     "health_cpu_per_request_ms"),
    ("16 fan-out: client CPU per database sample (ms)", "fanout", "-",
     "database_cpu_per_sample_ms"),
    ("2 UI: event-loop lag p99 (ms)", "ui", "< 16", "lag.p99_ms"),
    ("16 UI: event-loop lag max (ms)", "ui", "< 50", "lag.max_ms"),
    ("16 UI: app CPU, reference load, window visible (% of one core)", "ui", "<= 20",
     "cpu_percent_of_one_core"),
    ("16 hidden window: app CPU, 5 env, 5 s, 5 min (% of one core)", "hidden", "<= 1",
     "cpu_percent_runs"),
    ("3 chart: tick p99, 20 x 86,400 (ms)", "chart", "< 16", "pandadmin.tick.p99_ms"),
    ("16 chart: tick p50 + a full garbage collection (ms)", "chart", "< 16",
     "tick_p50_plus_full_collection_ms"),
    ("4 memory: growth (MB/h)", "memory", "< 10", "growth_mb_per_hour"),
    ("5 footprint: connections per database", "footprint", "1", "connections_per_database_max"),
    ("5 footprint: server time / pg_activity", "footprint", "<= 1.0",
     "ratio_to_pg_activity_header"),
    ("6 cold start: median (s)", "cold_start", "< 1.5", "median_s"),
    ("11 CLI: pandadmin --version, median of 7 (s)", "cli", "<= 0.15", "version.median_s"),
    ("11 CLI: pandadmin env list, median of 7 (s)", "cli", "<= 0.3", "env_list.median_s"),
    ("11 CLI: check --json on 1 environment, median of 7 (s)", "cli", "-",
     "check_json.median_s"),
    ("migrations: cold read of 500 revisions (ms)", "migrations", "< 500", "cold_read_ms"),
    ("migrations: matrix of 500 revisions rendered (ms)", "matrix", "< 200", "render_median_ms"),
    ("metrics: GET /metrics, 20 env x 10 services (ms)", "metrics", "< 5", "scrape_ms.median"),
    ("12 one origin: healthy ok beside 10 hung (of 10)", "shared_origin", "10",
     "ten_hung_ten_healthy.healthy_ok_of_10_min"),
    ("12 one origin: 200 services / one latency", "shared_origin", "< 2",
     "two_hundred_on_one_origin.warm_over_latency"),
    ("20 health: judging + phase timing, client CPU per check (ms)", "health_judging", "< 0.5",
     "cpu_per_check_ms.overhead"),
    ("13 history: store after 90 days, 20 env x 10 services (MB)", "store", "<= 250", "file_mb"),
    ("13 history: write per poll (ms)", "store", "< 1", "write_ms_per_poll_alone"),
    ("13 history: app open paints 24 h of 20 environments, median (s)", "history_open", "< 0.5",
     "median_s"),
]  # fmt: skip
MET = {
    "ratio_to_slowest": "ratio_goal_met",
    "speedup_vs_serial": "speedup_goal_met",
    "health_cpu_per_request_ms": "health_cpu_goal_met",
    "connections_per_database_max": "one_connection_per_database",
    "ratio_to_pg_activity_header": "ratio_goal_met",
    "cold_read_ms": "cold_goal_met",
    "healthy_ok_of_10_min": "beside_hung_goal_met",
    "warm_over_latency": "one_origin_goal_met",
    "file_mb": "size_goal_met",
    "write_ms_per_poll_alone": "write_goal_met",
    "max_ms": "lag_max_goal_met",
    "cpu_percent_of_one_core": "cpu_goal_met",
    "tick_p50_plus_full_collection_ms": "gc_goal_met",
}
# Scripts that make their repeats themselves (their value is a list: one figure per run):
# bench_hidden measures its 3 app processes at once, 5 minutes instead of 15.
REPEATS_INSIDE = {"hidden"}


def goals() -> list[Goal]:
    return [Goal(goal, target) for goal, _key, target, _path in SUMMARY]


def record(found: list[Goal], script: Path, load: float) -> None:
    """After one run of `script`: add its summary values to the goals it owns."""
    results = json.loads(support.RESULTS.read_text()) if support.RESULTS.exists() else {}
    owner = script.stem.removeprefix("bench_")
    for goal, (_name, key, _target, path) in zip(found, SUMMARY, strict=True):
        if key == owner:
            section = results.get(key, {})
            flag = section.get(MET.get(path.split(".")[-1], "goal_met"))
            value = lookup(section, path)
            for one in value if isinstance(value, list) else [value]:
                goal.add(one, flag, load)


def markdown(found: list[Goal], repeat: int, machine: dict[str, Any]) -> str:
    lines = [
        f"| goal | median of {repeat} runs | spread | each run | target | | load at start |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for goal in found:
        median, spread, runs, load = goal.cells()
        met = support.verdict(goal.verdict()) if goal.values else ""
        lines.append(
            f"| {goal.name} | {median} | {spread} | {runs} | {goal.target} | {met} | {load} |"
        )
    packages = ", ".join(f"{name} {version}" for name, version in versions().items())
    lines += [
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M %Z')} on {machine['cpu']}, "
        f"{machine['cores']} cores, {machine['memory_gib']} GiB, Python {machine['python']}; "
        f"load average at the end {machine['load_average']}. Packages: {packages}.",
    ]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    if not DOC.exists():
        return
    doc = DOC.read_text()
    if START in doc and END in doc:
        head, rest = doc.split(START, 1)
        DOC.write_text(f"{head}{START}\n{text}\n{END}{rest.split(END, 1)[1]}")


def save_summary(found: list[Goal], repeat: int) -> None:
    support.save_results(
        "summary",
        {
            "repeat": repeat,
            "packages": versions(),
            "machine": support.machine(),
            "goals": {goal.name: goal.as_json() for goal in found if goal.values},
        },
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated names, e.g. fanout,chart")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each script (default 3)")
    options = parser.parse_args()
    only = set(options.only.split(",")) if options.only else None
    started, failed, found = time.monotonic(), [], goals()
    for script in scripts(only):
        repeat = 1 if script.stem.removeprefix("bench_") in REPEATS_INSIDE else options.repeat
        for run in range(1, repeat + 1):
            load = os.getloadavg()[0]
            seconds, code = run_one(script)
            print(f"### {script.name} run {run}/{repeat}: {seconds:.0f} s, exit {code}")
            if code != 0:
                failed.append(f"{script.name} run {run}")
            record(found, script, load)
    rows = [(g.name, g.cells()[0], g.target, g.verdict()) for g in found if g.values]
    support.print_table(f"all goals, median of {options.repeat} runs", rows)
    save_summary(found, options.repeat)
    if only is None:  # the table in BENCHMARKS.md always comes from a full run
        write_doc(markdown(found, options.repeat, support.machine()))
    print(f"\nwhole run: {time.monotonic() - started:.0f} s; failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
