"""An HTTP app that misbehaves on purpose, for the health probe's fault tests."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse, StreamingResponse

app = FastAPI()


@app.get("/ok")
async def ok() -> dict[str, bool]:
    return {"ok": True}


@app.get("/http2-only")
async def http2_only(request: Request, response: Response) -> dict[str, object]:
    """Healthy only when asked over HTTP/2 (the client chose it where offered)."""
    version = request.scope["http_version"]
    if version != "2":
        response.status_code = 505
    return {"ok": version == "2", "error": f"asked over HTTP/{version}"}


@app.get("/hang")
async def hang() -> dict[str, bool]:
    await asyncio.sleep(3600)
    return {"ok": True}


@app.get("/plain")
async def plain() -> PlainTextResponse:
    return PlainTextResponse("OK")


@app.get("/not-ok")
async def not_ok() -> dict[str, object]:
    return {"ok": False, "error": "database unavailable"}


@app.get("/error")
async def error(response: Response) -> dict[str, object]:
    response.status_code = 503
    return {"ok": False, "detail": "maintenance"}


@app.get("/big")
async def big() -> StreamingResponse:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10 * 16):
            yield b"x" * 65536  # 10 MB in total

    return StreamingResponse(chunks(), media_type="application/json")


@app.get("/loop")
async def loop() -> RedirectResponse:
    return RedirectResponse("/loop")
