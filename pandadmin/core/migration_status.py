"""Where an environment's database stands against its Alembic scripts: the value object.

Importable without the database driver: reports, status rules, history and the Qt layer
use it; `core/migrations.py` (which talks to the database) produces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# At run time, not under TYPE_CHECKING: report_codec resolves these annotations.
from pandadmin.core.alembic_config import ScriptLocation
from pandadmin.core.alembic_scripts import Revision


class MigrationState(StrEnum):
    """`migrations.status` of `check --json` (DESIGN.md); the rules are in `revision_graph`."""

    UP_TO_DATE = "up_to_date"
    BEHIND = "behind"
    AHEAD = "ahead"  # the database is at a revision the scripts do not know
    DIVERGED = "diverged"
    NOT_INITIALIZED = "not_initialized"  # no version table
    MULTIPLE_HEADS = "multiple_heads"
    NOT_CONFIGURED = "not_configured"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    """Where one environment's database stands against its scripts."""

    status: MigrationState
    database_revisions: tuple[str, ...]
    heads: tuple[str, ...]
    pending: tuple[Revision, ...]
    error: str | None
    unreadable: tuple[str, ...] = ()  # "file.py: reason" for files that could not be read
    warnings: tuple[str, ...] = ()  # graph problems Alembic would warn about or refuse
    detail: str | None = None  # why ahead / diverged / multiple_heads
    # Every readable revision of the scripts and where they live: the matrix needs the
    # whole graph, not just what is pending (`to_json` leaves them out).
    scripts: tuple[Revision, ...] = ()
    location: ScriptLocation | None = None

    def __post_init__(self) -> None:
        # A plain string (an older caller, a stored row) becomes the enum, or ValueError.
        object.__setattr__(self, "status", MigrationState(self.status))

    def to_json(self) -> dict[str, Any]:
        """The `migrations` object of `check --json` (DESIGN.md) plus extra keys."""
        return {
            "status": self.status.value,
            "database_revisions": list(self.database_revisions),
            "heads": list(self.heads),
            "pending": [rev.revision for rev in self.pending],
            "error": self.error,
            "pending_messages": [rev.message for rev in self.pending],
            "unreadable": list(self.unreadable),
            "warnings": list(self.warnings),
            "detail": self.detail,
        }
