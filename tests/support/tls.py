"""A test certificate authority (trustme) and uvicorn servers with certificates that expire
when a test wants them to."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import trustme

from tests.support.servers import UvicornProcess


class TestCA:
    """One CA; `ca_file` is its PEM for SSL_CERT_FILE, `context()` trusts it."""

    __test__ = False  # not a pytest class

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ca = trustme.CA()
        self.ca_file = folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def serve(
        self, app: str, days: float | None, env: dict[str, str] | None = None
    ) -> UvicornProcess:
        """`app` over https on localhost with a certificate valid for `days` more days."""
        not_after = None
        if days is not None:
            not_after = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
        cert = self.ca.issue_cert("localhost", "127.0.0.1", not_after=not_after)
        stem = self.folder / f"cert-{days}"
        cert.cert_chain_pems[0].write_to_path(str(stem) + ".pem")
        cert.private_key_pem.write_to_path(str(stem) + ".key")
        server = UvicornProcess(
            app, env, tls=(str(stem) + ".pem", str(stem) + ".key"), host="localhost"
        )
        return server
