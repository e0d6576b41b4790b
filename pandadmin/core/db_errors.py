"""Turn asyncpg and socket failures into one readable sentence (never with the password)."""

from __future__ import annotations

import socket
import ssl

import asyncpg

from pandadmin.core.libpq_params import ConnectSetupError
from pandadmin.core.urls import DatabaseUrl

# After these the connection is gone: terminate it and reconnect.
LOST_CONNECTION: tuple[type[BaseException], ...] = (
    asyncpg.AdminShutdownError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    # A kill that lands between polls can leave the protocol mid-state ("another operation
    # is in progress") until the socket's EOF arrives; the connection is gone either way.
    asyncpg.InternalClientError,
    asyncpg.CannotConnectNowError,
    ConnectionError,
    getattr(asyncpg, "IdleSessionTimeoutError", asyncpg.AdminShutdownError),
)


class NoPassword(Exception):
    """The server wants a password and none was found; the message says where we looked."""


def describe_connect_error(
    exc: BaseException, url: DatabaseUrl, timeout: float
) -> tuple[str, bool]:
    """(message, refused_because_full) for a failed connect or query."""
    where = url.where
    if isinstance(exc, NoPassword | ConnectSetupError):
        who = (
            f"password authentication failed for user {url.user!r}: "
            if isinstance(exc, NoPassword)
            else ""
        )
        return f"{who}{exc}", False
    if isinstance(exc, asyncpg.TooManyConnectionsError):
        return f"connection limit reached: {_first_line(exc)}", True
    if isinstance(exc, asyncpg.InvalidPasswordError):
        return f"password authentication failed for user {url.user!r}", False
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"database {url.database!r} does not exist", False
    if isinstance(exc, asyncpg.CannotConnectNowError):
        return "the server is starting up or shutting down", False
    if isinstance(exc, asyncpg.QueryCanceledError):
        return f"monitoring query cancelled (statement timeout): {_first_line(exc)}", False
    if isinstance(exc, asyncpg.PostgresError):
        return f"{_first_line(exc)}", False
    return _describe_transport(exc, where, timeout, url), False


def _describe_transport(exc: BaseException, where: str, timeout: float, url: DatabaseUrl) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer from {where} within {timeout:g} s"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host {url.host!r}"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {where}"
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "verify_message", None) or exc.reason or _first_line(exc)
        return f"TLS error with {where}: {reason}"
    if isinstance(exc, FileNotFoundError | PermissionError):
        return f"no server socket to connect to at {where} ({exc.strerror})"
    if isinstance(exc, OSError) and "multiple exceptions" in str(exc).lower():
        return f"connection refused by {where}"
    text = _first_line(exc)
    if "rejected SSL upgrade" in text:
        return f"TLS required (sslmode={url.sslmode}) but {where} does not offer it"
    if isinstance(exc, asyncpg.InterfaceError | ConnectionError):
        return f"connection to {where} lost: {text}"
    return f"{type(exc).__name__}: {text}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
