"""A throwaway PgBouncer on 127.0.0.1 in front of a PostgreSQL (the demo and the tests).

Its config, auth file and pid file live in a temp folder owned by the user it runs as:
PgBouncer refuses to run as root, so as root it runs as the same system user as the
embedded PostgreSQL. Passwords go only into that folder's auth file (mode 0600).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pandadmin.demo.pgserver import free_port, system_ids

INSTALL_LINE = "PgBouncer is not installed: sudo apt-get install pgbouncer (Debian/Ubuntu)"
ADMIN_USER = "pooler_admin"


def binary() -> str | None:
    """The pgbouncer executable (Debian puts it in /usr/sbin, often not on PATH)."""
    found = shutil.which("pgbouncer")
    if found:
        return found
    return "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None


class PgBouncer:
    """One PgBouncer process; `start()`, then `close()` (also after a failed start)."""

    def __init__(
        self,
        databases: Mapping[str, str],
        users: Mapping[str, str],
        *,
        pool_mode: str = "transaction",
        default_pool_size: int = 5,
        max_client_conn: int = 100,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        found = binary()
        if found is None:
            raise RuntimeError(INSTALL_LINE)
        self.binary = found
        self.databases = dict(databases)  # name -> libpq connection string to the server
        self.admin_password = secrets.token_urlsafe(18)
        self.users = {**users, ADMIN_USER: self.admin_password}
        self.settings = {
            "pool_mode": pool_mode,
            "default_pool_size": str(default_pool_size),
            "max_client_conn": str(max_client_conn),
            **(settings or {}),
        }
        self.root = Path(tempfile.mkdtemp(prefix="pandadmin-pgbouncer-"))
        self.log_path = self.root / "pgbouncer.log"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._uid, self._gid = system_ids()
        self._write_files()

    # lifecycle -----------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, str(self.root / "pgbouncer.ini")],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self._as_owner(),
            )
        self._wait_listening(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Immediate shutdown (SIGTERM): every client and server connection is closed."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgBouncer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # access --------------------------------------------------------------------

    def url(self, database: str, user: str, password: str | None = None) -> str:
        secret = self.users.get(user) if password is None else password
        auth = quote(user, safe="") + (":" + quote(secret, safe="") if secret else "")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def admin_url(self, password: str | None = None) -> str:
        """The admin console URL (`dbname=pgbouncer`), what pandadmin is given."""
        return self.url("pgbouncer", ADMIN_USER, password)

    # internals -----------------------------------------------------------------

    def _write_files(self) -> None:
        auth = self.root / "userlist.txt"
        auth.write_text("".join(f'"{u}" "{_quoted(p)}"\n' for u, p in self.users.items()))
        auth.chmod(0o600)
        ini = self.root / "pgbouncer.ini"
        ini.write_text(self._ini(auth))
        self._chown(self.root, auth, ini)

    def _ini(self, auth: Path) -> str:
        settings = {
            "listen_addr": "127.0.0.1",
            "listen_port": str(self.port),
            "unix_socket_dir": "",
            "auth_type": "plain",
            "auth_file": str(auth),
            "admin_users": ADMIN_USER,
            "pidfile": str(self.root / "pgbouncer.pid"),
            # the sample services' asyncpg sends these; PgBouncer refuses unknown ones
            "ignore_startup_parameters": "extra_float_digits,options",
            **self.settings,
        }
        lines = ["[databases]", *(f"{n} = {c}" for n, c in self.databases.items())]
        lines += ["", "[pgbouncer]", *(f"{k} = {v}" for k, v in settings.items())]
        return "\n".join(lines) + "\n"

    def _wait_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-600:]
                raise RuntimeError(f"pgbouncer exited: {tail}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1.0),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"pgbouncer did not listen within {timeout:.0f} s")

    def _as_owner(self) -> dict[str, Any]:
        if self._uid is None or self._gid is None:
            return {}
        return {"user": self._uid, "group": self._gid, "extra_groups": []}

    def _chown(self, *paths: Path) -> None:
        if self._uid is None or self._gid is None:
            return
        for path in paths:
            os.chown(path, self._uid, self._gid)


def _quoted(password: str) -> str:
    return password.replace('"', '""')  # the auth file doubles quotes inside a field
