"""The sample service: FastAPI + async SQLAlchemy (asyncpg) pool, `/health` runs `SELECT 1`
and answers in the IETF health+json shape.

Configured by environment variables, as on a PaaS: DATABASE_URL, POOL_SIZE,
MAX_OVERFLOW, APP_NAME (the connections' application_name), FLAP_EVERY (when
set to N > 0, every N-th health check fails, to show a flapping endpoint) and PGBOUNCER
(1: DATABASE_URL is a PgBouncer in transaction mode, so no statement survives a transaction).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine() -> AsyncEngine:
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://", 1)
    if os.environ.get("PGBOUNCER") == "1":
        url += ("&" if "?" in url else "?") + "prepared_statement_cache_size=0"
    return create_async_engine(
        url,
        pool_size=int(os.environ.get("POOL_SIZE", "5")),
        max_overflow=int(os.environ.get("MAX_OVERFLOW", "10")),
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args=_connect_args(),
    )


def _connect_args() -> dict[str, Any]:
    args: dict[str, Any] = {
        "server_settings": {"application_name": os.environ.get("APP_NAME", "api")}
    }
    if os.environ.get("PGBOUNCER") == "1":
        # SQLAlchemy's recipe for PgBouncer's transaction mode: no statement cache, and
        # unique names so a statement never meets another client's on a server connection.
        args["statement_cache_size"] = 0
        args["prepared_statement_name_func"] = lambda: f"__asyncpg_{uuid.uuid4()}__"
    return args


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.engine = make_engine()
    app.state.health_calls = itertools.count(1)
    yield
    await app.state.engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health(response: Response) -> dict[str, object]:
    flap_every = int(os.environ.get("FLAP_EVERY", "0"))
    if flap_every and next(app.state.health_calls) % flap_every == 0:
        response.status_code = 503
        return {"ok": False, "error": "flapping on purpose"}
    started = time.perf_counter()
    try:
        async with app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # a health endpoint reports, it does not crash
        response.status_code = 503
        return {"ok": False, "status": "fail", "error": type(exc).__name__}
    # The IETF health+json shape (with `ok` kept for simple readers): pandadmin shows the
    # check as a sub-check, "db:responseTime: pass, 2 ms".
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    check = {"componentType": "datastore", "observedValue": elapsed, "observedUnit": "ms"}
    return {
        "ok": True,
        "status": "pass",
        "checks": {"db:responseTime": [{**check, "status": "pass"}]},
    }


@app.get("/work")
async def work(seconds: float = 0.2) -> dict[str, object]:
    """Hold a pooled connection for a while, like a slow request; makes pools grow."""
    async with app.state.engine.connect() as conn:
        await conn.execute(text("SELECT pg_sleep(:s)"), {"s": min(seconds, 30.0)})
    return {"ok": True}


@app.get("/leak")
async def leak(seconds: float = 120.0) -> dict[str, object]:
    """Open a transaction and leave it idle, like a request that forgot to commit."""
    conn = await app.state.engine.connect()
    await conn.begin()
    await conn.execute(text("SELECT 1"))

    async def release_later() -> None:
        await asyncio.sleep(min(seconds, 3600.0))
        await conn.close()

    task = asyncio.get_running_loop().create_task(release_later())
    app.state.leaks = [*getattr(app.state, "leaks", []), task]
    return {"ok": True, "held_for_s": seconds}
