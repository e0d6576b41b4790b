"""Real servers for tests: the sample FastAPI service under uvicorn, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping

import httpx

from pandadmin.demo.pgserver import free_port


class UvicornProcess:
    """`uvicorn APP` on 127.0.0.1 in its own process; `url` is its base URL."""

    def __init__(
        self,
        app: str,
        env: Mapping[str, str] | None = None,
        tls: tuple[str, str] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.port = free_port()
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}"
        self.tls = tls
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        if tls:  # (certificate chain file, key file)
            args += ["--ssl-certfile", tls[0], "--ssl-keyfile", tls[1]]
        self.process = subprocess.Popen(args, env={**os.environ, **(env or {})})

    def wait_ready(self, path: str = "/health", timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}")
            try:
                httpx.get(self.url + path, timeout=1.0, verify=False)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"uvicorn did not answer on {self.url} within {timeout:.0f} s")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class HypercornProcess(UvicornProcess):
    """`hypercorn APP` over TLS on 127.0.0.1, offering HTTP/2 (ALPN) and HTTP/1.1."""

    def __init__(self, app: str, tls: tuple[str, str]) -> None:
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.tls = tls
        bind = ["--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        certificate = ["--certfile", tls[0], "--keyfile", tls[1]]
        args = [sys.executable, "-m", "hypercorn", app, *bind, *certificate]
        self.process = subprocess.Popen(args)


def sample_service(
    database_url: str,
    *,
    app_name: str = "api",
    pool_size: int = 2,
    max_overflow: int = 2,
    **extra: str,
) -> UvicornProcess:
    env = {
        "DATABASE_URL": database_url,
        "APP_NAME": app_name,
        "POOL_SIZE": str(pool_size),
        "MAX_OVERFLOW": str(max_overflow),
        **extra,
    }
    server = UvicornProcess("pandadmin.demo.sample_service.app:app", env)
    server.wait_ready()
    return server
