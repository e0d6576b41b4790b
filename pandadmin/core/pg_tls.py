"""The TLS side of a PostgreSQL connection, built from libpq's ssl* keywords.

asyncpg reads these keywords only from a DSN and reads their files on the event loop;
pandadmin builds the context itself in a worker thread, with libpq's defaults
(`~/.postgresql/root.crt`, `postgresql.crt`, `postgresql.key`, `root.crl`) and
`sslrootcert=system` (the system store, as libpq 16 does).
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from pathlib import Path

from pandadmin.core.pgfiles import dot_postgresql

VERIFYING = ("require", "verify-ca", "verify-full")
_FILE_KEYWORDS = ("sslcert", "sslkey", "sslrootcert", "sslcrl", "sslcrldir")


class TlsSetupError(ValueError):
    """A TLS keyword that cannot be applied; one line naming the keyword, never a secret."""


def sslmode(values: Mapping[str, str]) -> str:
    """The effective sslmode: `requiressl=1` and `sslrootcert=system` as libpq reads them."""
    mode = values.get("sslmode") or ("require" if values.get("requiressl") == "1" else None)
    if values.get("sslrootcert") == "system":
        if mode not in (None, "verify-full"):
            raise TlsSetupError(
                f"sslrootcert=system needs sslmode=verify-full (sslmode={mode} would not "
                "check the host name): change sslmode or remove it"
            )
        return "verify-full"
    return mode or "prefer"


def driver_ssl(values: Mapping[str, str]) -> bool | str | ssl.SSLContext:
    """asyncpg's `ssl=` argument: False, 'allow'/'prefer' (plaintext fallback), or a context.

    With certificate files given, `allow`/`prefer` get a context too: TLS is then required,
    which is stronger than asked, never weaker.
    """
    mode = sslmode(values)
    if mode == "disable":
        return False
    if mode in ("allow", "prefer") and not any(values.get(k) for k in _FILE_KEYWORDS):
        return mode
    return context(mode, values)


def context(mode: str, values: Mapping[str, str]) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        if mode in VERIFYING:
            _verify(ctx, mode, values)
        _client_certificate(ctx, values)
        ctx.minimum_version = _version(values.get("ssl_min_protocol_version") or "TLSv1.2")
        if values.get("ssl_max_protocol_version"):
            ctx.maximum_version = _version(values["ssl_max_protocol_version"])
    except (OSError, ssl.SSLError) as exc:
        raise TlsSetupError(f"TLS setup failed: {_reason(exc)}") from None
    if ssl.HAS_ALPN:
        ctx.set_alpn_protocols(["postgresql"])  # PostgreSQL 17's direct TLS requires it
    return ctx


def _verify(ctx: ssl.SSLContext, mode: str, values: Mapping[str, str]) -> None:
    root = values.get("sslrootcert")
    if root == "system":
        ctx.load_default_certs()
    elif root or (root := _default("root.crt")):
        _load(ctx, "sslrootcert", root)
    elif mode == "require":
        return  # libpq: require without a root certificate encrypts but does not verify
    else:
        raise TlsSetupError(
            f"sslmode={mode} needs a root certificate: set sslrootcert=PATH "
            "(or sslrootcert=system for a publicly trusted server)"
        )
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.check_hostname = mode == "verify-full"
    crl = values.get("sslcrl") or _default("root.crl")
    if crl:
        _load(ctx, "sslcrl", crl)
    if values.get("sslcrldir"):
        ctx.load_verify_locations(capath=values["sslcrldir"])
    if crl or values.get("sslcrldir"):
        ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_CHAIN


def _client_certificate(ctx: ssl.SSLContext, values: Mapping[str, str]) -> None:
    cert = values.get("sslcert") or _default("postgresql.crt")
    if not cert:
        return
    key = values.get("sslkey") or _default("postgresql.key") or None
    secret = values.get("sslpassword") or ""
    if not Path(cert).expanduser().is_file():
        raise TlsSetupError(f"sslcert file {cert} does not exist")
    try:
        ctx.load_cert_chain(
            Path(cert).expanduser(),
            Path(key).expanduser() if key else None,
            password=lambda: secret,
        )
    except ssl.SSLError as exc:
        raise TlsSetupError(f"cannot load sslcert/sslkey: {_reason(exc)}") from None


def _load(ctx: ssl.SSLContext, keyword: str, path: str) -> None:
    if not Path(path).expanduser().is_file():
        raise TlsSetupError(f"{keyword} file {path} does not exist")
    ctx.load_verify_locations(cafile=Path(path).expanduser())


def _default(name: str) -> str | None:
    """~/.postgresql/NAME when it exists (libpq's default for the keyword)."""
    path = dot_postgresql(name)
    return str(path) if path is not None and path.is_file() else None


def _version(text: str) -> ssl.TLSVersion:
    return ssl.TLSVersion[text.replace("TLSv1", "TLSv1_").replace("_.", "_").rstrip("_")]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return str(exc.reason or exc.strerror or exc).lower().replace("_", " ")
    return str(getattr(exc, "strerror", None) or exc)
