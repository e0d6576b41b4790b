"""A PostgreSQL with TLS on: a trustme CA, a server certificate for localhost only,
a client certificate for role `certuser` (logs in on a `hostssl ... cert` rule), and one
with an encrypted key."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from cryptography.hazmat.primitives import serialization

from pandadmin.demo.pgserver import EmbeddedPostgres

KEY_PASSWORD = "key-Pa55phrase"


@dataclass(frozen=True)
class Certificates:
    ca: Path
    client_cert: Path
    client_key: Path
    encrypted_key: Path


def client_files(ca: trustme.CA, folder: Path) -> Certificates:
    folder.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    client = ca.issue_cert("certuser", common_name="certuser")
    client.cert_chain_pems[0].write_to_path(str(folder / "client.pem"))
    client.private_key_pem.write_to_path(str(folder / "client.key"))
    key = serialization.load_pem_private_key(client.private_key_pem.bytes(), password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(KEY_PASSWORD.encode()),
    )
    (folder / "client-encrypted.key").write_bytes(encrypted)
    for name in ("client.key", "client-encrypted.key"):
        os.chmod(folder / name, 0o600)
    return Certificates(
        folder / "ca.pem",
        folder / "client.pem",
        folder / "client.key",
        folder / "client-encrypted.key",
    )


def system_bin() -> Path:
    """Debian's PostgreSQL programs (built with OpenSSL; the embedded wheel's are not)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: p.parts[-3])
    if not found:
        pytest.fail("TLS tests need a PostgreSQL server built with TLS: apt-get install postgresql")
    return found[-1].parent


def tls_server(folder: Path) -> tuple[EmbeddedPostgres, Certificates]:
    """A started server with ssl=on; the caller closes it."""
    ca = trustme.CA()
    server = EmbeddedPostgres(max_connections=20, bin_path=system_bin())
    leaf = ca.issue_cert("localhost")  # not 127.0.0.1: verify-full by address must fail
    files = {"server.pem": leaf.cert_chain_pems[0], "server.key": leaf.private_key_pem}
    for name, blob in {**files, "ca.pem": ca.cert_pem}.items():
        blob.write_to_path(str(server.root / name))
        os.chmod(server.root / name, 0o600)
        server._chown(server.root / name)
    server.settings = {
        "ssl": "on",
        "ssl_cert_file": str(server.root / "server.pem"),
        "ssl_key_file": str(server.root / "server.key"),
        "ssl_ca_file": str(server.root / "ca.pem"),
        "password_encryption": "scram-sha-256",
    }
    hba = server.data / "pg_hba.conf"
    rules = "hostssl all certuser 127.0.0.1/32 cert\nhostssl all certuser ::1/128 cert\n"
    hba.write_text(rules + hba.read_text())
    server.start()
    server.sql("CREATE ROLE certuser LOGIN")
    return server, client_files(ca, folder)
