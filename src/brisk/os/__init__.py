"""AgentOS: serve agents over HTTP, wire-compatible with Agno 3.1.10 (``from brisk.os import AgentOS``).

Importing ``brisk.os`` loads nothing else: ``AgentOS`` is imported on first access, and the web
stack only when an app is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brisk.os.app import AgentOS

__all__ = ["AgentOS"]


def __getattr__(name: str) -> Any:
    if name == "AgentOS":
        from brisk.os.app import AgentOS

        return AgentOS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
