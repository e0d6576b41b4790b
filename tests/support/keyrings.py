"""A keyring backend that fails on purpose: the `fail_at`-th write (set or delete) raises."""

from __future__ import annotations

import keyring.errors

from tests.conftest import InMemoryKeyring


class FlakyKeyring(InMemoryKeyring):
    """InMemoryKeyring whose write number `fail_at` (from 0) raises a KeyringError."""

    def __init__(self, fail_at: int | None = None) -> None:
        super().__init__()
        self.fail_at, self.writes = fail_at, 0

    def set_password(self, service: str, username: str, password: str) -> None:
        self._tick()
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._tick()
        super().delete_password(service, username)

    def _tick(self) -> None:
        self.writes += 1
        if self.fail_at is not None and self.writes - 1 == self.fail_at:
            raise keyring.errors.KeyringError("simulated failure")
