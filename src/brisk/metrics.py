"""Token and timing metrics, serialised to Agno 3.1.10's dict shapes.

Agno drops ``None``, integer zeros and empty containers when it serialises metrics; so do we, so that
stored rows and API bodies compare equal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from typing import Any

_TOKEN_FIELDS = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "audio_input_tokens",
    "audio_output_tokens",
    "audio_total_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
)


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in d.items()
        if v is not None
        and not (isinstance(v, int) and not isinstance(v, bool) and v == 0)
        and not (isinstance(v, (dict, list)) and not v)
    }


@dataclass(slots=True)
class _Tokens:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    audio_input_tokens: int = 0
    audio_output_tokens: int = 0
    audio_total_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0

    def add_tokens(self, other: _Tokens) -> None:
        for name in _TOKEN_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def accumulate(self, other: _Tokens) -> None:
        """Add another's tokens, cost (when it has one) and provider metrics (numbers summed, as Agno)."""
        self.add_tokens(other)
        other_cost = getattr(other, "cost", None)
        if other_cost is not None and hasattr(self, "cost"):
            self.cost = (self.cost or 0) + other_cost  # type: ignore[attr-defined]
        theirs = getattr(other, "provider_metrics", None)
        if theirs and hasattr(self, "provider_metrics"):
            mine = self.provider_metrics  # type: ignore[attr-defined]
            if mine is None:
                mine = self.provider_metrics = {}  # type: ignore[attr-defined]
            for k, v in theirs.items():
                old = mine.get(k)
                if isinstance(v, (int, float)) and isinstance(old, (int, float)):
                    mine[k] = old + v
                else:
                    mine[k] = v


@dataclass(slots=True)
class MessageMetrics(_Tokens):
    """Metrics of one model message (what one provider call reported)."""

    cost: float | None = None
    duration: float | None = None
    time_to_first_token: float | None = None
    provider_metrics: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return _clean({f.name: getattr(self, f.name) for f in fields(self)})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MessageMetrics:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(slots=True)
class ModelMetrics(_Tokens):
    """Per-model entry of ``metrics.details.model``."""

    id: str = ""
    provider: str = ""
    cost: float | None = None
    provider_metrics: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {name: getattr(self, name) for name in _TOKEN_FIELDS}
        d["cost"] = self.cost
        d["id"] = self.id
        d["provider"] = self.provider
        d["provider_metrics"] = self.provider_metrics
        return _clean(d)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelMetrics:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(slots=True)
class ToolCallMetrics:
    start_time: float | None = None
    end_time: float | None = None
    duration: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _clean({"start_time": self.start_time, "end_time": self.end_time, "duration": self.duration})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolCallMetrics:
        return cls(data.get("start_time"), data.get("end_time"), data.get("duration"))


@dataclass(slots=True)
class RunMetrics(_Tokens):
    """Metrics of one run: summed tokens, time to first token, duration, per-model details."""

    cost: float | None = None
    time_to_first_token: float | None = None
    duration: float | None = None
    details: dict[str, list[ModelMetrics]] | None = None
    _started: float = field(default=0.0, repr=False)

    def start(self) -> None:
        self._started = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self._started

    def add_model_call(self, model_id: str, provider: str, m: MessageMetrics, kind: str = "model") -> None:
        """Account one provider call: totals and the ``details[kind]`` entry of (model, provider)."""
        self.add_tokens(m)
        if m.cost is not None:
            self.cost = (self.cost or 0) + m.cost
        if self.details is None:
            self.details = {}
        entries = self.details.setdefault(kind, [])
        for e in entries:
            if e.id == model_id and e.provider == provider:
                e.accumulate(m)
                return
        entry = ModelMetrics(id=model_id, provider=provider)
        entry.accumulate(m)
        entries.append(entry)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {name: getattr(self, name) for name in _TOKEN_FIELDS}
        d["cost"] = self.cost
        d["time_to_first_token"] = self.time_to_first_token
        d["duration"] = self.duration
        if self.details:
            d["details"] = {k: [e.to_dict() for e in v] for k, v in self.details.items()}
        return _clean(d)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunMetrics:
        m = cls(
            **{k: data[k] for k in (*_TOKEN_FIELDS, "cost", "time_to_first_token", "duration") if k in data}
        )
        details = data.get("details")
        if details:
            m.details = {k: [ModelMetrics.from_dict(e) for e in v] for k, v in details.items()}
        return m


@dataclass(slots=True)
class SessionMetrics(_Tokens):
    """Session totals stored in ``session_data.session_metrics``."""

    cost: float | None = None
    details: dict[str, list[ModelMetrics]] | None = None

    def add_run(self, run: RunMetrics) -> None:
        self.add_tokens(run)
        if run.cost is not None:
            self.cost = (self.cost or 0) + run.cost
        if not run.details:
            return
        if self.details is None:
            self.details = {}
        for kind, entries in run.details.items():
            mine = self.details.setdefault(kind, [])
            for e in entries:
                for m in mine:
                    if m.id == e.id and m.provider == e.provider:
                        m.accumulate(e)
                        break
                else:
                    new = ModelMetrics(id=e.id, provider=e.provider)
                    new.accumulate(e)
                    mine.append(new)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {name: getattr(self, name) for name in _TOKEN_FIELDS}
        d["cost"] = self.cost
        if self.details:
            d["details"] = {k: [e.to_dict() for e in v] for k, v in self.details.items()}
        return _clean(d)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SessionMetrics:
        data = data or {}
        m = cls(**{k: data[k] for k in (*_TOKEN_FIELDS, "cost") if k in data})
        details = data.get("details")
        if details:
            m.details = {k: [ModelMetrics.from_dict(e) for e in v] for k, v in details.items()}
        return m
