"""Exponential backoff with jitter for a monitor's reconnects (database and pooler alike)."""

from __future__ import annotations

import random
import time


class Backoff:
    """After n failures in a row, wait base * 2**(n-1) (at most `cap`), jittered to 50-100 %."""

    def __init__(self, base: float = 1.0, cap: float = 30.0) -> None:
        self.base, self.cap = base, cap
        self.failures = 0
        self._retry_at = 0.0

    def waiting(self) -> bool:
        """True while the last failure's delay has not passed."""
        return time.monotonic() < self._retry_at

    def succeeded(self) -> None:
        self.failures = 0

    def failed(self) -> None:
        self.failures += 1
        delay = min(self.cap, self.base * 2 ** (self.failures - 1))
        self._retry_at = time.monotonic() + delay * random.uniform(0.5, 1.0)
