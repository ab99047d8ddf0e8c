"""SQLite storage (``from brisk.db.sqlite import SqliteDb``), file-compatible with Agno's ``SqliteDb``."""

from brisk.db.sqlite.sqlite import SqliteDb

__all__ = ["SqliteDb"]
