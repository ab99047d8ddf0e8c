"""``from brisk.agent import Agent`` (and the run types Agno re-exports here)."""

from brisk.agent.agent import Agent
from brisk.models.message import Message
from brisk.models.response import ToolExecution
from brisk.run.agent import (
    RunCancelledEvent,
    RunCompletedEvent,
    RunContentEvent,
    RunErrorEvent,
    RunEvent,
    RunInput,
    RunOutput,
    RunOutputEvent,
    RunPausedEvent,
    RunStartedEvent,
    ToolCallCompletedEvent,
    ToolCallStartedEvent,
)
from brisk.run.base import RunStatus
from brisk.session.agent import AgentSession

__all__ = [
    "Agent",
    "AgentSession",
    "Message",
    "RunCancelledEvent",
    "RunCompletedEvent",
    "RunContentEvent",
    "RunErrorEvent",
    "RunEvent",
    "RunInput",
    "RunOutput",
    "RunOutputEvent",
    "RunPausedEvent",
    "RunStartedEvent",
    "RunStatus",
    "ToolCallCompletedEvent",
    "ToolCallStartedEvent",
    "ToolExecution",
]
