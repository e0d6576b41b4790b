"""Read one variable from a .env file (KEY=VALUE, optional `export`, quotes, comments)."""

from __future__ import annotations

import re
from pathlib import Path

LINE_RE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)")


def read_variable(path: Path, name: str) -> str | None:
    """The value of `name` in the .env file at `path`, or None when it is not set there."""
    value = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = LINE_RE.fullmatch(line)
        if match and match.group(1) == name:
            value = _unquote(match.group(2))
    return value


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        end = raw.find(quote, 1)
        if end > 0:
            inner = raw[1:end]
            return inner.replace('\\"', '"') if quote == '"' else inner
    # Unquoted: an inline comment starts at ' #'.
    return re.split(r"\s+#", raw, maxsplit=1)[0].strip()
