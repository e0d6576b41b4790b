"""Workarounds for defects of the Qt binding; imported first by `pandadmin.qt`.

PySide6 6.12 on CPython 3.11 drops one reference to `None` on every call of a C++
method returning void and one to `True` on every signal emission (the binding relies on
the immortal singletons of CPython 3.12+). A GUI emits thousands of signals a minute, so
the interpreter aborts within minutes ("Fatal Python error: bool_dealloc" / "none_dealloc").
On that combination we give those singletons a reference count no session can exhaust,
which is what CPython 3.12 does for every build. Everywhere else this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

PINNED_REFERENCES = 1 << 48


def binding_drops_singleton_references() -> bool:
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    import PySide6

    return tuple(PySide6.__version_info__[:2]) >= (6, 12)


def pin_singletons() -> bool:
    """Make None, True and False effectively immortal on an affected runtime."""
    if not binding_drops_singleton_references() or getattr(sys, "_pandadmin_pinned", False):
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every object in CPython 3.11 release builds.
        ctypes.c_ssize_t.from_address(id(singleton)).value += PINNED_REFERENCES
    sys._pandadmin_pinned = True  # type: ignore[attr-defined]
    return True
