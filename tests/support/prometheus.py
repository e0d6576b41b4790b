"""A real Prometheus server (Debian's `prometheus` package) on a temp dir and port, and
`promtool` backfill, for the exposition and history-source tests."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from pandadmin.demo.pgserver import free_port

INSTALL = "install the Debian package prometheus (scripts/system-deps.sh does as root)"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} missing: {INSTALL}")
    return path


class PrometheusServer:
    """`prometheus` scraping `targets` every `interval`, storage in `folder`."""

    def __init__(self, folder: Path, targets: list[str], interval: str = "1s") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        self.data = folder / "data"
        config = folder / "prometheus.yml"
        config.write_text(
            "global:\n"
            f"  scrape_interval: {interval}\n"
            f"  evaluation_interval: {interval}\n"
            "scrape_configs:\n"
            "  - job_name: pandadmin\n"
            "    static_configs:\n"
            f"      - targets: [{', '.join(repr(t) for t in targets)}]\n"
        )
        self._args = [
            tool("prometheus"),
            f"--config.file={config}",
            f"--storage.tsdb.path={self.data}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
        ]
        self._log = folder / "prometheus.log"
        self.process: subprocess.Popen[bytes] | None = None

    def backfill(self, openmetrics: str) -> None:
        """Historic samples written as TSDB blocks before the server starts."""
        source = self.data.parent / "backfill.om"
        source.write_text(openmetrics)
        subprocess.run(
            [tool("promtool"), "tsdb", "create-blocks-from", "openmetrics"]
            + [str(source), str(self.data)],
            check=True,
            capture_output=True,
        )

    def start(self) -> PrometheusServer:
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(self._args, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited: {self._log.read_text()[-500:]}")
            try:
                if httpx.get(self.url + "/-/ready", timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError("prometheus did not become ready within 60 s")

    def query(self, expr: str) -> list[dict[str, object]]:
        body = httpx.get(self.url + "/api/v1/query", params={"query": expr}, timeout=5).json()
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def wait_for(self, expr: str, timeout: float = 60.0) -> list[dict[str, object]]:
        """Poll an instant query until it returns something."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self.query(expr)
            if result:
                return result
            time.sleep(0.5)
        raise AssertionError(f"no result for {expr} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
