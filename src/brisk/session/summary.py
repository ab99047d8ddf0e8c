"""Session summaries (Agno's ``agno.session.summary``): a model condenses a session's conversation into
a short summary with topics, stored in the session row's ``summary`` column.

The stored shape is Agno's ``SessionSummary.to_dict()``: ``{"summary", "topics", "updated_at"}`` with
``updated_at`` in ISO 8601 (local time) and None values left out.

Deviation: Agno asks OpenAI models for a JSON-schema ``response_format``; Brisk asks every model for
JSON in the prompt (the same JSON instructions Agno uses for models without structured outputs), so
summaries work the same way on every provider.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from brisk.metrics import MessageMetrics
from brisk.models.base import Model
from brisk.models.message import Message

__all__ = ["SessionSummary", "SessionSummaryManager", "SessionSummaryResponse"]

log = logging.getLogger("brisk.memory")

# The JSON schema of the answer asked for (Agno's SessionSummaryResponse, field descriptions in Brisk's words).
SUMMARY_SCHEMA: dict[str, Any] = {
    "title": "SessionSummaryResponse",
    "type": "object",
    "properties": {
        "summary": {
            "type": "string",
            "description": "A concise summary of the session that keeps only what matters. Invent nothing.",
        },
        "topics": {
            "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}],
            "description": "The topics the session was about.",
        },
    },
    "required": ["summary"],
}

_PROMPT = """\
Read the conversation between a user and an assistant below and extract:
- Summary (str): a short summary of the session that keeps what will be useful in later conversations.
- Topics (Optional[List[str]]): the topics the session was about.
Be brief and keep only what is relevant.
"""


@dataclass
class SessionSummary:
    summary: str
    topics: list[str] | None = None
    updated_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {
            "summary": self.summary,
            "topics": self.topics,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }
        return {k: v for k, v in d.items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionSummary:
        updated = data.get("updated_at")
        if isinstance(updated, str):
            updated = datetime.fromisoformat(updated)
        elif isinstance(updated, (int, float)):
            updated = datetime.fromtimestamp(updated)
        return cls(summary=str(data.get("summary") or ""), topics=data.get("topics"), updated_at=updated)


@dataclass
class SessionSummaryResponse:
    """What the summary model answers (a plain dataclass: no pydantic on the run path)."""

    summary: str
    topics: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("summary", self.summary), ("topics", self.topics)) if v is not None}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


@dataclass
class SessionSummaryManager:
    """Creates session summaries with a model (Agno's fields and defaults)."""

    id: str | None = None
    name: str | None = None
    owner_id: str | None = None
    owner_type: str | None = None
    model: Model | str | None = None
    session_summary_prompt: str | None = None
    summary_request_message: str = "Provide the summary of the conversation."
    summaries_updated: bool = False
    # Runs (newest first) whose messages are summarised; None = the whole session.
    last_n_runs: int | None = None
    # At most this many messages (the newest) are summarised; None = no limit.
    conversation_limit: int | None = None

    def __post_init__(self) -> None:
        if self.id is None:
            self.id = f"session_summary_manager_{uuid.uuid4().hex[:8]}"
        if self.last_n_runs is not None and self.last_n_runs <= 0:
            raise ValueError(f"last_n_runs must be a positive integer, got {self.last_n_runs}")
        if self.conversation_limit is not None and self.conversation_limit <= 0:
            raise ValueError(f"conversation_limit must be a positive integer, got {self.conversation_limit}")
        if isinstance(self.model, str):
            from brisk.models.utils import get_model

            self.model = get_model(self.model)

    def get_system_message(self, conversation: list[Message], response_format: Any = None) -> Message:
        from brisk.agent._context import json_output_prompt

        prompt = self.session_summary_prompt if self.session_summary_prompt is not None else _PROMPT
        lines: list[str] = []
        for m in conversation:
            if m.role == "user":
                if isinstance(m.content, str) and m.content.strip():
                    lines.append(f"User: {m.content}")
                elif m.content and not isinstance(m.content, str):
                    lines.append(f"User: {m.content}")
            elif m.role in ("assistant", "model") and m.content:
                lines.append(f"Assistant: {m.content}\n")
        prompt += "<conversation>" + "\n".join(lines) + "</conversation>"
        prompt += "\n" + json_output_prompt(SUMMARY_SCHEMA)
        return Message(role="system", content=prompt)

    def select_messages(self, messages: list[Message]) -> list[Message]:
        """The session messages to summarise (history copies dropped, ``conversation_limit`` applied,
        keeping the first system message as Agno does)."""
        system: Message | None = None
        others: list[Message] = []
        for m in messages:
            if m.from_history:
                continue
            if m.role == "system":
                system = system or m
            else:
                others.append(m)
        if self.conversation_limit is not None:
            if system is not None:
                others = others[-(self.conversation_limit - 1) :] if self.conversation_limit > 1 else []
            else:
                others = others[-self.conversation_limit :]
        return ([system] if system is not None else []) + others

    async def _asummarise(self, messages: list[Message]) -> tuple[SessionSummary | None, list[Any]]:
        """The summary of ``messages`` and the provider calls made (for the run's metrics)."""
        from brisk.utils.jsonparse import parse_json_object

        model = self.model
        if model is None or isinstance(model, str):
            raise ValueError("SessionSummaryManager has no model")
        conversation = self.select_messages(messages)
        if not any(m.role in ("user", "assistant") and m.content for m in conversation):
            log.debug("No messages to summarise")
            return None, []
        request = [
            self.get_system_message(conversation),
            Message(role="user", content=self.summary_request_message),
        ]
        resp = await model.ainvoke(request)
        calls: list[tuple[str, str, MessageMetrics]] = [(model.id, model.get_provider(), resp.metrics)]
        parsed = parse_json_object(resp.content or "")
        if not parsed or not isinstance(parsed.get("summary"), str):
            log.warning("Failed to parse the session summary response")
            return None, calls
        topics = parsed.get("topics")
        summary = SessionSummary(
            summary=parsed["summary"],
            topics=[str(t) for t in topics] if isinstance(topics, list) else None,
            updated_at=datetime.now(),
        )
        self.summaries_updated = True
        return summary, calls

    async def acreate_session_summary(self, session: Any, run_metrics: Any = None) -> SessionSummary | None:
        """Summarise ``session`` (an ``AgentSession`` with its runs loaded) and set ``session.summary``."""
        messages: list[Message] = []
        runs = [r for r in (session.runs or []) if getattr(r, "parent_run_id", None) is None]
        runs = [r for r in runs if str(getattr(r.status, "value", r.status)) not in _SKIP]
        if self.last_n_runs is not None:
            runs = runs[-self.last_n_runs :]
        for r in runs:
            messages.extend(r.messages or [])
        summary, calls = await self._asummarise(messages)
        if run_metrics is not None:
            for model_id, provider, m in calls:
                run_metrics.add_model_call(model_id, provider, m, kind="session_summary_model")
        if summary is not None:
            session.summary = summary
        return summary

    def create_session_summary(self, session: Any, run_metrics: Any = None) -> SessionSummary | None:
        from brisk.utils.aio import run_sync

        return run_sync(self.acreate_session_summary(session, run_metrics))


_SKIP = frozenset({"PAUSED", "CANCELLED", "ERROR", "REGENERATED"})
