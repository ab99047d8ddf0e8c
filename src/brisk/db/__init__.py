"""Storage: the ``BaseDb`` interface and its backends.

Importing ``brisk.db`` loads only the interface; backends load on first use
(``from brisk.db.sqlite import SqliteDb``, ``from brisk.db.in_memory import InMemoryDb``, or the lazy
attributes ``brisk.db.SqliteDb`` / ``brisk.db.InMemoryDb``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from brisk.db.base import BaseDb, SessionType

if TYPE_CHECKING:
    from brisk.db.in_memory import InMemoryDb
    from brisk.db.sqlite import SqliteDb

__all__ = ["BaseDb", "InMemoryDb", "SessionType", "SqliteDb"]


def __getattr__(name: str) -> Any:
    if name == "SqliteDb":
        from brisk.db.sqlite import SqliteDb

        return SqliteDb
    if name == "InMemoryDb":
        from brisk.db.in_memory import InMemoryDb

        return InMemoryDb
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
