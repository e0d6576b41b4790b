"""A health endpoint the GUI tests steer: `/health` answers as `/fail` and `/recover` set
it, `/hang` never answers (until the client goes away)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request, Response

app = FastAPI()
state = {"healthy": True}


@app.get("/health")
async def health(response: Response) -> dict[str, object]:
    if state["healthy"]:
        return {"ok": True}
    response.status_code = 503
    return {"ok": False, "error": "failing on purpose"}


@app.post("/fail")
async def fail() -> dict[str, bool]:
    state["healthy"] = False
    return {"healthy": False}


@app.post("/recover")
async def recover() -> dict[str, bool]:
    state["healthy"] = True
    return {"healthy": True}


@app.get("/hang")
async def hang(request: Request) -> dict[str, bool]:
    # Ends when the client disconnects, so the server can shut down quickly afterwards.
    for _ in range(600):
        if await request.is_disconnected():
            break
        await asyncio.sleep(0.1)
    return {"ok": True}
