"""Health endpoints in the dialects real services speak, all answering HTTP 200, plus a
slow one, a flaky one and one behind a bearer token (its value from $DIALECT_TOKEN)."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from typing import Any

from fastapi import FastAPI, Header, Response

app = FastAPI()
attempts: Counter[str] = Counter()

IETF_WARN = {
    "status": "warn",
    "version": "1",
    "checks": {
        "db:responseTime": [
            {
                "componentType": "datastore",
                "observedValue": 1204,
                "observedUnit": "ms",
                "status": "fail",
                "output": "slow queries",
            }
        ],
        "cache:connections": [{"status": "pass", "observedValue": 3}],
    },
}
BODIES: dict[str, Any] = {
    "ok-false": {"ok": False, "error": "database unavailable"},
    "ietf-pass": {"status": "pass", "checks": {"db:connection": [{"status": "pass"}]}},
    "ietf-warn": IETF_WARN,
    "ietf-fail": {
        "status": "fail",
        "checks": {
            "db:connection": [{"status": "fail", "observedValue": 3001, "observedUnit": "ms"}]
        },
    },
    "actuator-up": {"status": "UP", "components": {"db": {"status": "UP"}}},
    "actuator-down": {
        "status": "DOWN",
        "components": {
            "db": {"status": "DOWN", "details": {"error": "Connection refused"}},
            "diskSpace": {"status": "UP", "details": {"free": 1}},
        },
    },
    "degraded": {"status": "Degraded"},
    "error": {"status": "error"},
    "unhealthy": {"status": "unhealthy"},
    "critical": {"status": "CRITICAL"},
    "healthy": {"status": "Healthy"},
    "ok": {"status": "ok"},
}


@app.get("/dialect/{name}")
async def dialect(name: str) -> Any:
    return BODIES[name]


@app.get("/slow")
async def slow(ms: int = 0) -> dict[str, str]:
    await asyncio.sleep(ms / 1000)
    return {"status": "pass"}


@app.get("/flaky/{key}")
async def flaky(key: str, response: Response, fail: int = 1) -> dict[str, str]:
    """Fails (503) the first `fail` calls for `key`, then passes."""
    attempts[key] += 1
    if attempts[key] <= fail:
        response.status_code = 503
        return {"status": "fail"}
    return {"status": "pass"}


@app.get("/protected")
async def protected(
    response: Response, authorization: str | None = Header(default=None)
) -> dict[str, str]:
    if authorization != f"Bearer {os.environ.get('DIALECT_TOKEN', '')}":
        response.status_code = 401
        return {"status": "fail", "error": "missing or wrong bearer token"}
    return {"status": "pass"}


@app.get("/basic")
async def basic(
    response: Response, authorization: str | None = Header(default=None)
) -> dict[str, str]:
    """Wants HTTP basic auth: user `monitor`, password $DIALECT_TOKEN."""
    import base64

    expected = base64.b64encode(f"monitor:{os.environ.get('DIALECT_TOKEN', '')}".encode())
    if authorization != f"Basic {expected.decode()}":
        response.status_code = 401
        return {"status": "fail"}
    return {"status": "pass"}
