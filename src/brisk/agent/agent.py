"""``Agent``: configuration plus the public run API. The run loop itself lives in ``_loop.py``.

Construction is cheap on purpose (a plain object, nothing resolved): the model string, the tools and
the id are resolved on the first run and cached.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, fields
from typing import Any

from brisk.db.base import BaseDb
from brisk.models.base import Model
from brisk.models.message import Message
from brisk.run.agent import BaseAgentRunEvent, RunContentEvent, RunEvent, RunOutput
from brisk.run.cancel import cancel_run as _cancel_run
from brisk.session.agent import AgentSession
from brisk.utils.aio import iter_sync, run_sync

# Agno keywords Brisk does not implement yet, with Agno's default. Passing the default is accepted
# (an Agno program that spells out defaults still runs); any other value raises a TypeError naming it.
_NOT_IMPLEMENTED: dict[str, Any] = {
    "fallback_config": None,
    "fallback_models": None,
    "enable_agentic_state": False,
    "search_past_sessions": False,
    "num_past_sessions_to_search": None,
    "num_past_session_runs_in_search": None,
    "filesystem": None,
    "checkpoint": None,
    "compaction": None,
    "compress_tool_results": False,
    "compression_manager": None,
    "offload_tool_results": None,
    "max_tool_calls_from_history": None,
    "media_storage": None,
    "knowledge": None,
    "knowledge_filters": None,
    "enable_agentic_knowledge_filters": None,
    "add_knowledge_to_context": False,
    "knowledge_retriever": None,
    "skills": None,
    "tool_hooks": None,
    "pre_hooks": None,
    "post_hooks": None,
    "reasoning": False,
    "reasoning_model": None,
    "reasoning_agent": None,
    "read_chat_history": False,
    "update_knowledge": False,
    "read_tool_call_history": False,
    "add_location_to_context": False,
    "learning": None,
    "additional_input": None,
    "parser_model": None,
    "parser_model_prompt": None,
    "input_schema": None,
    "output_model": None,
    "output_model_prompt": None,
    "save_response_to_file": None,
    "followups": False,
    "num_followups": None,
    "followup_model": None,
    "sandbox": None,
}
# Accepted and meaningless in Brisk (no telemetry, no callable caches): ignored whatever the value.
_IGNORED = frozenset(
    {
        "telemetry",
        "cache_callables",
        "callable_tools_cache_key",
        "callable_knowledge_cache_key",
        "debug_level",
        "store_media",
        "send_media_to_model",
        "search_knowledge",
        "add_search_knowledge_instructions",
        "references_format",
        "build_user_context",
        "add_learnings_to_context",
        "cache_session",
    }
)


@dataclass(eq=False)
class _AgentConfig:
    model: Model | str | None = None
    name: str | None = None
    id: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    session_state: dict[str, Any] | None = None
    add_session_state_to_context: bool = False
    overwrite_db_session_state: bool = False
    dependencies: dict[str, Any] | None = None
    add_dependencies_to_context: bool = False
    db: BaseDb | None = None
    add_history_to_context: bool = False
    num_history_runs: int | None = None
    memory_manager: Any = None
    enable_agentic_memory: bool = False
    update_memory_on_run: bool = False
    add_memories_to_context: bool | None = None
    enable_session_summaries: bool = False
    add_session_summary_to_context: bool | None = None
    session_summary_manager: Any = None
    num_history_messages: int | None = None
    store_tool_messages: bool = True
    store_history_messages: bool = False
    tools: list[Any] | None = None
    tool_call_limit: int | None = None
    tool_choice: str | dict[str, Any] | None = None
    system_message: str | Callable[..., str] | Message | None = None
    system_message_role: str = "system"
    introduction: str | None = None
    build_context: bool = True
    description: str | None = None
    instructions: str | list[str] | Callable[..., Any] | None = None
    use_instruction_tags: bool = False
    expected_output: str | None = None
    additional_context: str | None = None
    markdown: bool = False
    add_name_to_context: bool = False
    add_datetime_to_context: bool = False
    datetime_format: str | None = None
    timezone_identifier: str | None = None
    resolve_in_context: bool = True
    user_message_role: str = "user"
    retries: int = 0
    delay_between_retries: int = 1
    exponential_backoff: bool = False
    output_schema: Any = None
    parse_response: bool = True
    structured_outputs: bool | None = None
    use_json_mode: bool = False
    stream: bool | None = None
    stream_events: bool | None = None
    store_events: bool = False
    events_to_skip: list[RunEvent] | None = None
    role: str | None = None
    team_id: str | None = None
    workflow_id: str | None = None
    metadata: dict[str, Any] | None = None
    debug_mode: bool = False
    # Resolved lazily on first use (see _prepare); not constructor arguments.
    _functions: dict[str, Any] | None = field(default=None, init=False, repr=False)
    _tool_schemas: list[dict[str, Any]] | None = field(default=None, init=False, repr=False)
    _tool_instruction_list: list[str] = field(default_factory=list, init=False, repr=False)
    # Toolkits holding connections (MCPTools): connected around each run (see _connect.py).
    _connectables: tuple[Any, ...] = field(default=(), init=False, repr=False)
    _connect_signature: tuple[Any, ...] = field(default=(), init=False, repr=False)


_FIELD_NAMES = frozenset(f.name for f in fields(_AgentConfig) if f.init)


class Agent(_AgentConfig):
    """An LLM with instructions, tools, a session store and a run loop (Agno's ``Agent``)."""

    def __init__(self, **kwargs: Any) -> None:
        unknown = [k for k in kwargs if k not in _FIELD_NAMES]
        if unknown:
            _reject(unknown, kwargs)
            for k in unknown:
                kwargs.pop(k)
        super().__init__(**kwargs)
        if self.events_to_skip is None:
            self.events_to_skip = [RunEvent.run_content]
        if self.session_summary_manager is not None:
            self.enable_session_summaries = True  # as Agno: giving a manager turns summaries on

    # -- lazy resolution ----------------------------------------------------------------------------
    def initialize_agent(self) -> None:
        """Resolve the id, the model and the tools (done on the first run; callable to fail early)."""
        if self.id is None:
            self.id = _id_from_name(self.name)
        if not isinstance(self.model, Model):
            from brisk.models.utils import get_model

            self.model = get_model(self.model)
        if (
            self.update_memory_on_run
            or self.enable_agentic_memory
            or self.memory_manager is not None
            or self.enable_session_summaries
            or self.session_summary_manager is not None
        ):
            from brisk.agent import _memory

            _memory.setup(self)
        if self._functions is None:
            self._resolve_tools()

    def _resolve_tools(self) -> None:
        from brisk.tools import resolve_tools
        from brisk.tools.toolkit import Toolkit

        tools = list(self.tools or [])
        self._connectables = tuple(t for t in tools if isinstance(t, Toolkit) and t.requires_connect)
        if self._connectables:
            from brisk.agent import _connect

            self._connect_signature = _connect.signature(self)
        if self.enable_agentic_memory:
            from brisk.agent import _memory

            tools.append(_memory.agentic_memory_function(self))
        functions = resolve_tools(tools)
        self._functions = {f.name: f for f in functions}
        # Agno sends tools sorted by name, so that prompt caching sees a stable request prefix.
        schemas = sorted((f.to_tool_schema() for f in functions), key=lambda t: t["function"]["name"])
        self._tool_schemas = schemas or None
        # Instructions in Agno's order: for each toolkit its functions' own, then the toolkit's.
        instructions: list[str] = []
        for t in self.tools or ():
            if isinstance(t, Toolkit):
                for f in t.functions.values():
                    if f.instructions and f.add_instructions:
                        instructions.append(f.instructions)
                if t.instructions and t.add_instructions:
                    instructions.append(t.instructions)
            else:
                f = self._functions.get(getattr(t, "name", None) or getattr(t, "__name__", ""))
                if f is not None and f.instructions and f.add_instructions:
                    instructions.append(f.instructions)
        self._tool_instruction_list = instructions

    def _tool_instructions(self) -> list[str]:
        return self._tool_instruction_list

    def add_tool(self, tool: Any) -> None:
        self.tools = [*(self.tools or []), tool]
        self._functions = None

    # -- running ------------------------------------------------------------------------------------
    def arun(
        self,
        input: Any = None,
        *,
        stream: bool | None = None,
        stream_events: bool | None = None,
        session_id: str | None = None,
        user_id: str | None = None,
        session_state: dict[str, Any] | None = None,
        dependencies: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        output_schema: Any = None,
        run_id: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run the agent. ``stream=False`` (default): a coroutine giving a ``RunOutput``.
        ``stream=True``: an async iterator of events (``stream_events=True`` for all of them, else
        ``RunContent`` only)."""
        _reject_run_kwargs(kwargs)
        from brisk.agent._loop import RunRequest

        stream = self.stream if stream is None else stream
        stream_events = self.stream_events if stream_events is None else stream_events
        req = RunRequest(
            input=input,
            stream_model=bool(stream),
            session_id=session_id,
            user_id=user_id,
            session_state=session_state,
            dependencies=dependencies,
            metadata=metadata,
            output_schema=output_schema,
            run_id=run_id,
        )
        if stream:
            return self._filtered(req, bool(stream_events))
        return self._drain(req)

    def run(self, input: Any = None, *, stream: bool | None = None, **kwargs: Any) -> Any:
        """Sync ``arun``: a ``RunOutput``, or an iterator of events with ``stream=True``."""
        stream = self.stream if stream is None else stream
        result = self.arun(input, stream=stream, **kwargs)
        if stream:
            return iter_sync(result)
        return run_sync(result)

    def acontinue_run(
        self,
        run_response: RunOutput | None = None,
        *,
        run_id: str | None = None,
        updated_tools: list[Any] | None = None,
        session_id: str | None = None,
        user_id: str | None = None,
        stream: bool | None = None,
        stream_events: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """Resume a paused run (tools needing confirmation) after the caller set ``confirmed``."""
        _reject_run_kwargs(kwargs)
        from brisk.agent._loop import RunRequest

        stream = self.stream if stream is None else stream
        req = RunRequest(
            input=None,
            stream_model=bool(stream),
            session_id=session_id or (run_response.session_id if run_response else None),
            user_id=user_id,
            run_id=run_id or (run_response.run_id if run_response else None),
            continue_from=run_response,
            updated_tools=updated_tools,
            resume=True,
        )
        if stream:
            return self._filtered(req, bool(self.stream_events if stream_events is None else stream_events))
        return self._drain(req)

    def continue_run(
        self, run_response: RunOutput | None = None, *, stream: bool | None = None, **kw: Any
    ) -> Any:
        stream = self.stream if stream is None else stream
        result = self.acontinue_run(run_response, stream=stream, **kw)
        return iter_sync(result) if stream else run_sync(result)

    @staticmethod
    def cancel_run(run_id: str) -> bool:
        """Cancel a running run: the model request is interrupted and the run stored as CANCELLED."""
        return _cancel_run(run_id)

    @staticmethod
    async def acancel_run(run_id: str) -> bool:
        return _cancel_run(run_id)

    async def _drain(self, req: Any) -> RunOutput:
        from brisk.agent._loop import run_events

        output: RunOutput | None = None
        async for item in run_events(self, req):
            if isinstance(item, RunOutput):
                output = item
        assert output is not None  # the loop always ends with the RunOutput
        return output

    async def _filtered(self, req: Any, stream_events: bool) -> AsyncIterator[BaseAgentRunEvent]:
        from brisk.agent._loop import ALWAYS_STREAMED, run_events

        agen = run_events(self, req)
        try:
            async for item in agen:
                if isinstance(item, RunOutput):
                    continue
                if stream_events or isinstance(item, RunContentEvent) or item.event in ALWAYS_STREAMED:
                    yield item
        finally:
            await agen.aclose()

    # -- printing -----------------------------------------------------------------------------------
    def print_response(self, input: Any = None, *, stream: bool | None = None, **kwargs: Any) -> None:
        stream = self.stream if stream is None else stream
        out = sys.stdout
        if stream:
            for event in self.run(input, stream=True, **kwargs):
                if isinstance(event, RunContentEvent) and isinstance(event.content, str):
                    out.write(event.content)
                    out.flush()
            out.write("\n")
        else:
            result = self.run(input, stream=False, **kwargs)
            out.write(f"{result.get_content_as_string()}\n")

    async def aprint_response(self, input: Any = None, *, stream: bool | None = None, **kwargs: Any) -> None:
        stream = self.stream if stream is None else stream
        if stream:
            async for event in self.arun(input, stream=True, **kwargs):
                if isinstance(event, RunContentEvent) and isinstance(event.content, str):
                    sys.stdout.write(event.content)
            sys.stdout.write("\n")
        else:
            result = await self.arun(input, stream=False, **kwargs)
            sys.stdout.write(f"{result.get_content_as_string()}\n")

    # -- sessions -----------------------------------------------------------------------------------
    async def aget_session(self, session_id: str | None = None) -> AgentSession | None:
        """The stored session with all its runs (for inspection; the run loop never does this)."""
        sid = session_id or self.session_id
        if self.db is None or sid is None:
            return None
        row = await self.db.get_session(sid, session_type="agent")
        if row is None:
            return None
        session = AgentSession.from_row(row)
        session.runs = [RunOutput.from_dict(r["run_data"]) for r in await self.db.get_runs(sid)]
        return session

    def get_session(self, session_id: str | None = None) -> AgentSession | None:
        return run_sync(self.aget_session(session_id))

    async def aget_session_state(self, session_id: str | None = None) -> dict[str, Any]:
        sid = session_id or self.session_id
        if self.db is None or sid is None:
            return dict(self.session_state or {})
        row = await self.db.get_session(sid, session_type="agent")
        return dict(((row or {}).get("session_data") or {}).get("session_state") or {})

    def get_session_state(self, session_id: str | None = None) -> dict[str, Any]:
        return run_sync(self.aget_session_state(session_id))

    async def aget_user_memories(self, user_id: str | None = None) -> list[Any]:
        """The user's memories (``UserMemory``), oldest first; user "default" when none is given."""
        from brisk.agent import _memory

        if self.memory_manager is None:
            from brisk.memory.manager import MemoryManager

            if self.db is None:
                return []
            return await MemoryManager(db=self.db).aget_user_memories(user_id or self.user_id)
        _memory.setup(self)
        return await self.memory_manager.aget_user_memories(user_id or self.user_id)

    def get_user_memories(self, user_id: str | None = None) -> list[Any]:
        return run_sync(self.aget_user_memories(user_id))

    async def aget_session_summary(self, session_id: str | None = None) -> Any:
        """The stored ``SessionSummary`` of a session, or None."""
        from brisk.session.summary import SessionSummary

        sid = session_id or self.session_id
        if self.db is None or sid is None:
            return None
        row = await self.db.get_session(sid, session_type="agent")
        stored = (row or {}).get("summary")
        return SessionSummary.from_dict(dict(stored)) if isinstance(stored, dict) else None

    def get_session_summary(self, session_id: str | None = None) -> Any:
        return run_sync(self.aget_session_summary(session_id))

    async def aget_chat_history(
        self, session_id: str | None = None, last_n_runs: int | None = None
    ) -> list[Message]:
        from brisk.agent._context import history_messages

        sid = session_id or self.session_id
        if self.db is None or sid is None:
            return []
        rows = await self.db.get_runs(sid, last=last_n_runs)
        msgs = history_messages(rows, self.system_message_role)
        for m in msgs:
            m.from_history = False
        return msgs

    def get_chat_history(
        self, session_id: str | None = None, last_n_runs: int | None = None
    ) -> list[Message]:
        return run_sync(self.aget_chat_history(session_id, last_n_runs))

    def __repr__(self) -> str:
        return f"Agent(name={self.name!r}, id={self.id!r}, model={getattr(self.model, 'id', self.model)!r})"


def _id_from_name(name: str | None) -> str:
    if name:
        return name.lower().replace(" ", "-").replace("_", "-")
    import uuid

    return str(uuid.uuid4())


def _reject(unknown: list[str], kwargs: dict[str, Any]) -> None:
    not_impl = [k for k in unknown if k in _NOT_IMPLEMENTED and kwargs[k] != _NOT_IMPLEMENTED[k]]
    if not_impl:
        raise TypeError(
            f"Agent(): {', '.join(repr(k) for k in not_impl)} "
            f"{'is' if len(not_impl) == 1 else 'are'} Agno option(s) that Brisk does not implement yet; "
            "remove them or leave them at Agno's default"
        )
    bad = [k for k in unknown if k not in _NOT_IMPLEMENTED and k not in _IGNORED]
    if bad:
        raise TypeError(f"Agent() got unexpected keyword argument(s): {', '.join(repr(k) for k in bad)}")


# Run keywords Agno accepts that Brisk does not act on yet; None/False/empty are accepted silently.
_RUN_NOT_IMPLEMENTED = frozenset(
    {
        "images",
        "audio",
        "videos",
        "files",
        "knowledge_filters",
        "add_history_to_context",
        "retries",
        "debug_mode",
        "add_dependencies_to_context",
        "add_session_state_to_context",
        "background",
        "yield_run_output",
        "version",
    }
)


def _reject_run_kwargs(kwargs: dict[str, Any]) -> None:
    for k, v in kwargs.items():
        if k in _RUN_NOT_IMPLEMENTED:
            if v:
                raise TypeError(f"run(): the {k!r} argument is not implemented in Brisk yet")
        else:
            raise TypeError(f"run() got an unexpected keyword argument {k!r}")
