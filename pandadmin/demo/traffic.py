"""Demo traffic: requests that make pools grow and shrink in bursts, and a leaky client.

Bounded: at most `peak` requests in flight per service, each with a timeout. It runs
on the demo's background loop and ends when that loop is closed.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from pandadmin.demo.topology import Load

FIRST_BURST_S = 2.0  # the first burst comes early, so the first minute shows movement
QUIET_WORK_S = (0.05, 0.4)  # a quick request holds a pooled connection this long
BURST_WORK_S = 2.5  # a slow request during a burst
LEAK_HOLD_S = 300.0  # the leaky client's transaction stays idle this long ...
LEAK_GAP_S = 20.0  # ... then it is clean for a while, and leaks again


@dataclass(frozen=True, slots=True)
class Target:
    """Where one service's traffic goes (its router when it has replicas)."""

    url: str
    load: Load
    leaks: bool = False


def in_burst(load: Load, elapsed: float) -> bool:
    since = elapsed - FIRST_BURST_S
    return since >= 0 and since % load.period_s < load.burst_s


def wanted(load: Load, elapsed: float) -> int:
    """How many requests should be in flight `elapsed` seconds after traffic began."""
    return load.peak if in_burst(load, elapsed) else load.base


async def run_traffic(targets: Sequence[Target]) -> None:
    # No keep-alive: every request is a new connection, so a router spreads them evenly.
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=15.0, limits=limits) as client:
        started = time.monotonic()
        tasks = [
            _worker(client, target, slot, started)
            for target in targets
            for slot in range(target.load.peak)
        ]
        tasks += [_leaker(client, target) for target in targets if target.leaks]
        await asyncio.gather(*tasks)


async def _worker(client: httpx.AsyncClient, target: Target, slot: int, started: float) -> None:
    while True:
        elapsed = time.monotonic() - started
        if slot >= wanted(target.load, elapsed):
            await asyncio.sleep(0.25)
        elif in_burst(target.load, elapsed):
            await _get(client, f"{target.url}/work", seconds=BURST_WORK_S)
        else:
            await _get(client, f"{target.url}/work", seconds=random.uniform(*QUIET_WORK_S))
            await asyncio.sleep(random.uniform(0.0, 0.6))


async def _leaker(client: httpx.AsyncClient, target: Target) -> None:
    """A client that opens a transaction and walks away (`idle in transaction`)."""
    while True:
        await _get(client, f"{target.url}/leak", seconds=LEAK_HOLD_S)
        await asyncio.sleep(LEAK_HOLD_S + LEAK_GAP_S)


async def _get(client: httpx.AsyncClient, url: str, seconds: float) -> None:
    try:
        await client.get(url, params={"seconds": f"{seconds:.2f}"})
    except httpx.HTTPError:
        await asyncio.sleep(0.5)  # a dead or saturated service: do not spin
