"""User memories and session summaries (Agno's ``agno.memory`` and ``agno.session.summary``).

``from brisk.memory import MemoryManager, UserMemory``; ``SessionSummaryManager`` lives at Agno's path,
``brisk.session.summary``, and is re-exported here.
"""

from brisk.memory._types import UserMemory
from brisk.memory.manager import MemoryManager
from brisk.session.summary import SessionSummary, SessionSummaryManager

__all__ = ["MemoryManager", "SessionSummary", "SessionSummaryManager", "UserMemory"]
