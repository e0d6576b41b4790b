"""How a command fails: raise one of these; `main` prints one line and exits with its code.

`UsageError` is bad input (exit 2, nothing written), `CommandError` an operational
failure such as an unusable keyring or disk (exit 1). `check` reports its bad input
as Nagios "unknown" (exit 3) by passing `exit_code`. No command prints its own error
line and no traceback reaches the user.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A command failed; `str(exc)` is the one line shown, `exit_code` the status."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(CliError):
    """Bad input from the user: one line on stderr, exit code 2, nothing written."""

    exit_code = EXIT_USAGE


class CommandError(CliError):
    """An operational failure (keyring, disk): one line on stderr, exit code 1."""


def fail(message: str, code: int) -> int:
    """Print the one error line and return `code` (the process's exit status)."""
    print(f"pandadmin: error: {message}", file=sys.stderr)
    return code
