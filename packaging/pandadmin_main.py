"""Entry point of the frozen build: the `pandadmin` command, plus what a bundle needs.

Without a console (a windowed build, or a launcher that closes the standard streams)
Python leaves sys.stdout/sys.stderr as None: output and tracebacks would vanish and a
bare print() would fail. They then go to pandadmin.log in the platform's log folder.

PANDADMIN_DIAG=keyring prints the keyring backend the bundle resolves and exits 0 only
for a real one: a bundle that lost keyring's entry-point metadata silently falls back
to the fail backend. It lives here, not in the CLI, because a frozen app has no
interpreter to run `python -c "import keyring; print(keyring.get_keyring())"`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def log_file() -> Path:
    import platformdirs

    folder = Path(platformdirs.user_log_dir("pandadmin", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "pandadmin.log"


def redirect_missing_streams() -> None:
    """Point absent standard streams at the log file (line-buffered, appended)."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    stream = open(log_file(), "a", encoding="utf-8", errors="backslashreplace", buffering=1)  # noqa: SIM115
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


def keyring_diagnostic() -> int:
    import keyring

    backend = keyring.get_keyring()
    chained = getattr(backend, "backends", None)
    names = [_describe(b) for b in chained] if chained is not None else [_describe(backend)]
    print(f"keyring backend: {_describe(backend)}")
    for name in names if chained is not None else []:
        print(f"  chained: {name}")
    real = [n for n in names if not n.startswith("keyring.backends.fail.")]
    return 0 if real else 1


def _describe(backend: object) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__} (priority {getattr(backend, 'priority', '?')})"


def main() -> int:
    redirect_missing_streams()
    if os.environ.get("PANDADMIN_DIAG") == "keyring":
        return keyring_diagnostic()
    from pandadmin.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
