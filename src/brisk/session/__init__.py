from typing import TYPE_CHECKING, Any

from brisk.session.agent import AgentSession

if TYPE_CHECKING:
    from brisk.session.workflow import WorkflowSession

__all__ = ["AgentSession", "WorkflowSession"]


def __getattr__(name: str) -> Any:
    if name == "WorkflowSession":  # loaded on first use: agents alone never need it
        from brisk.session.workflow import WorkflowSession

        return WorkflowSession
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
