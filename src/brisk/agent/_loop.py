"""The run loop: one async generator behind every way of running an agent.

It yields typed events and, last, the ``RunOutput``. ``Agent.arun`` filters or drains it; the sync API
wraps that. Stream vs non-stream only changes how the model is called (``ainvoke_stream`` or
``ainvoke``), never the logic, so there is exactly one loop to read and to fix.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from brisk.agent import _context
from brisk.exceptions import RunNotFoundError, StopAgentRun
from brisk.metrics import MessageMetrics, RunMetrics, SessionMetrics, ToolCallMetrics
from brisk.models.message import Message
from brisk.models.response import ToolExecution
from brisk.run import cancel
from brisk.run.agent import (
    BaseAgentRunEvent,
    ModelRequestCompletedEvent,
    ModelRequestStartedEvent,
    RunCancelledEvent,
    RunCompletedEvent,
    RunContentCompletedEvent,
    RunContentEvent,
    RunContinuedEvent,
    RunErrorEvent,
    RunInput,
    RunOutput,
    RunPausedEvent,
    RunStartedEvent,
    ToolCallCompletedEvent,
    ToolCallErrorEvent,
    ToolCallStartedEvent,
)
from brisk.run.base import RunContext, RunStatus

if TYPE_CHECKING:
    from brisk.agent.agent import Agent

log = logging.getLogger("brisk.agent")

TERMINAL_EVENTS = frozenset({"RunCompleted", "RunError", "RunCancelled", "RunPaused"})
# What a plain stream (stream_events=False) still carries besides content, as Agno: the outcomes a
# caller must not miss. RunCompleted is only sent with stream_events=True.
ALWAYS_STREAMED = frozenset({"RunError", "RunCancelled", "RunPaused"})
_DEFAULT_HISTORY_RUNS = 3
_NO_TOKENS = MessageMetrics()


@dataclass(slots=True)
class RunRequest:
    input: Any
    stream_model: bool
    session_id: str | None = None
    user_id: str | None = None
    session_state: dict[str, Any] | None = None
    dependencies: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    output_schema: Any = None
    run_id: str | None = None
    continue_from: RunOutput | None = None
    updated_tools: list[Any] | None = None
    # True for continue_run: resume ``continue_from`` or, without it, the stored run ``run_id``.
    resume: bool = False


class _Run:
    """Per-run state the loop threads through its steps."""

    __slots__ = (
        "agent",
        "out",
        "messages",
        "session_row",
        "state",
        "events",
        "skip",
        "base",
        "context",
        "warnings",
        "summary",
    )

    def __init__(
        self, agent: Agent, out: RunOutput, session_row: dict[str, Any] | None, stream: bool = True
    ) -> None:
        self.agent = agent
        self.out = out
        self.messages: list[Message] = []
        self.session_row = session_row
        self.state: dict[str, Any] = {}
        self.context: RunContext | None = None
        # Notices of degraded features (memory, MCP servers, ...): RunOutput.metadata["warnings"].
        self.warnings: list[dict[str, str]] | None = None
        # A new session summary made by this run (stored in the session row), Agno's dict shape.
        self.summary: dict[str, Any] | None = None
        # Agno stores events of streamed runs only (a non-streamed run has none, even in AgentOS).
        self.events: list[BaseAgentRunEvent] | None = [] if agent.store_events and stream else None
        self.skip = frozenset(getattr(e, "value", e) for e in agent.events_to_skip or ())
        self.base = {
            "agent_id": out.agent_id or "",
            "agent_name": out.agent_name,
            "run_id": out.run_id,
            "session_id": out.session_id,
        }

    def warn(self, source: str, message: str) -> None:
        """Record a notice for the run's metadata and log it (once per distinct message)."""
        if self.warnings is None:
            self.warnings = []
        notice = {"source": source, "message": message}
        if notice not in self.warnings:
            log.warning("Run %s: %s: %s", self.out.run_id, source, message)
            self.warnings.append(notice)

    def apply_notices(self) -> None:
        if self.warnings:
            metadata = dict(self.out.metadata or {})
            metadata["warnings"] = list(self.warnings)
            self.out.metadata = metadata

    def event(self, cls: type[BaseAgentRunEvent], **kw: Any) -> BaseAgentRunEvent:
        ev = cls(**self.base, **kw)
        if self.events is not None and ev.event not in self.skip:
            self.events.append(ev)
        return ev


async def run_events(agent: Agent, req: RunRequest) -> AsyncIterator[Any]:
    agent.initialize_agent()
    notices: list[dict[str, str]] = []
    model = agent.model
    assert model is not None and not isinstance(model, str)
    db = agent.db
    session_id = req.session_id or agent.session_id or str(uuid.uuid4())
    user_id = req.user_id or agent.user_id
    run_id = req.run_id or str(uuid.uuid4())

    # Reads that do not depend on each other go out together: the session row and either the history
    # window (a new run) or the paused run (continue_run by id).
    history_n = None
    if agent.add_history_to_context and not req.resume:
        history_n = agent.num_history_runs
        if history_n is None and agent.num_history_messages is None:
            history_n = _DEFAULT_HISTORY_RUNS
    session_row: dict[str, Any] | None = None
    history_rows: list[dict[str, Any]] = []
    paused_row: dict[str, Any] | None = None
    memory_context = ""
    # The user's memories for the system message are read together with the session (never raises).
    memory_read = None
    if agent.add_memories_to_context and agent.memory_manager is not None and not req.resume:
        from brisk.agent import _memory

        memory_read = _memory.context_text(agent, user_id, notices)
    if db is not None:
        reads: list[Any] = [db.get_session(session_id, session_type="agent")]
        if req.resume and req.continue_from is None:
            reads.append(db.get_run(run_id, session_id=session_id))
        elif agent.add_history_to_context and history_n != 0 and not req.resume:
            reads.append(db.get_runs(session_id, last=history_n, statuses=["COMPLETED"]))
        if memory_read is not None:
            reads.append(memory_read)
        results = await asyncio.gather(*reads)
        if memory_read is not None:
            memory_context = results.pop()
        session_row = results[0]
        if len(results) > 1:
            if req.resume:
                paused_row = results[1]
            else:
                history_rows = results[1]
    elif memory_read is not None:
        memory_context = await memory_read
    if req.resume and req.continue_from is None and paused_row is None:
        raise RunNotFoundError(f"Run {run_id} not found in session {session_id}")

    if req.continue_from is not None or paused_row is not None:
        out = req.continue_from or RunOutput.from_dict(paused_row["run_data"])  # type: ignore[index]
        run = _Run(agent, out, session_row, req.stream_model)
        run.state = out.session_state if out.session_state is not None else {}
        run.messages = list(out.messages or [])
        if run.events is not None:
            run.events = list(out.events or [])
        out.status = RunStatus.running
        continuing = True
    else:
        out = RunOutput(
            run_id=run_id,
            agent_id=agent.id,
            agent_name=agent.name,
            session_id=session_id,
            user_id=user_id,
            input=RunInput(input_content=req.input),
            model=model.id,
            model_provider=model.provider,
            metadata=req.metadata,
        )
        run = _Run(agent, out, session_row, req.stream_model)
        run.state = _merge_state(agent, session_row, req.session_state)
        out.session_state = run.state
        continuing = False

    run.context = RunContext(
        run_id=out.run_id or run_id,
        session_id=session_id,
        user_id=out.user_id,
        dependencies=req.dependencies or agent.dependencies,
        metadata=req.metadata,
        session_state=run.state,
        output_schema=req.output_schema if req.output_schema is not None else agent.output_schema,
        messages=run.messages,
    )
    out.metrics = out.metrics or RunMetrics()
    out.metrics.start()
    connected: list[Any] | None = None
    if agent._connectables:
        from brisk.agent import _connect

        # Connect MCP servers (and other connectable toolkits) before the tools are offered.
        connected = await _connect.acquire(agent, notices)
    for notice in notices:
        run.warn(notice["source"], notice["message"])
    entry = cancel.register(out.run_id or run_id)
    memory_task: asyncio.Task[Any] | None = None
    try:
        if continuing:
            yield run.event(RunContinuedEvent)
            tool_events: list[BaseAgentRunEvent] = []
            await _resume_tools(run, req.updated_tools, tool_events)
            for ev in tool_events:
                yield ev
        else:
            output_schema = req.output_schema if req.output_schema is not None else agent.output_schema
            variables = _context.state_variables(
                run.state, req.dependencies or agent.dependencies, req.metadata, user_id
            )
            if agent.add_session_summary_to_context and session_row is not None:
                from brisk.agent import _memory

                memory_context += _memory.summary_text(session_row)
            shown_state = run.state
            if agent.add_session_state_to_context:
                # Agno shows the run's ids with the state in the prompt (not in what is stored).
                shown_state = {**run.state, "current_session_id": session_id, "current_run_id": out.run_id}
            system = _context.build_system_message(
                agent, variables, shown_state, output_schema, memory_context
            )
            history = _context.history_messages(history_rows, agent.system_message_role)
            if agent.num_history_messages is not None and agent.add_history_to_context:
                history = history[-agent.num_history_messages :] if agent.num_history_messages > 0 else []
                while history and history[0].role == "tool":
                    history.pop(0)
            user = _context.user_message(agent, req.input, variables)
            run.messages = ([system] if system is not None else []) + history + [user]
            run.context.messages = run.messages
            if agent.update_memory_on_run and agent.memory_manager is not None:
                from brisk.agent import _memory

                # Runs next to the model call: never delays the first token (awaited before the store).
                memory_task = _memory.start_update(agent, user, out.user_id)
            yield run.event(RunStartedEvent, model=model.id, model_provider=model.provider)

        async for ev in _model_turns(run, req):
            yield ev
        if out.status is RunStatus.paused:
            return

        output_schema = req.output_schema if req.output_schema is not None else agent.output_schema
        if output_schema is not None and agent.parse_response and isinstance(out.content, str):
            out.content, out.content_type = _parse_structured(out.content, output_schema)
        yield run.event(RunContentCompletedEvent)
        if memory_task is not None or (agent.update_memory_on_run and agent.memory_manager is not None):
            from brisk.agent import _memory

            async for ev in _memory.finish_update(run, memory_task, out.user_id):
                yield ev
            memory_task = None
        if agent.enable_session_summaries and agent.session_summary_manager is not None:
            from brisk.agent import _memory

            async for ev in _memory.summarise(run):
                yield ev
        run.apply_notices()
        out.metrics.duration = out.metrics.elapsed()
        out.session_state = run.state
        completed = run.event(
            RunCompletedEvent,
            content=out.content,
            content_type=out.content_type,
            model_provider_data=out.model_provider_data,
            session_state=out.session_state,
            metrics=out.metrics,
            metadata=out.metadata,
        )
        out.status = RunStatus.completed
        await _store(run)
        yield completed
        yield out
    except asyncio.CancelledError:
        task = asyncio.current_task()
        out.status = RunStatus.cancelled
        if entry.requested and task is not None:
            # Our own cancel_run: swallow it and finish the run as CANCELLED.
            task.uncancel()
            ev = run.event(RunCancelledEvent, reason=entry.reason or "Run cancelled by user")
            out.content = out.content or ev.reason
            await _store(run)
            yield ev
            yield out
        else:
            # The consumer went away (client disconnect, shutdown): keep the partial run, then propagate.
            await asyncio.shield(_store(run))
            raise
    except Exception as e:  # noqa: BLE001 - every failure ends as a RunError
        out.status = RunStatus.error
        out.content = str(e)
        if out.metrics is not None:
            out.metrics.duration = out.metrics.elapsed()
        if req.stream_model and run.events is None:
            run.events = []  # Agno keeps the RunError of a failed stream with the run, whatever store_events
        error_type = getattr(e, "error_type", None) or type(e).__name__
        ev = run.event(RunErrorEvent, content=str(e), error_type=error_type)
        await _store(run)
        yield ev
        yield out
    finally:
        cancel.unregister(out.run_id or run_id)
        if memory_task is not None:
            from brisk.agent import _memory

            await _memory.cancel_update(memory_task, wait=out.status is RunStatus.paused)
        if connected:
            from brisk.agent import _connect

            await _connect.release(connected)


async def _model_turns(run: _Run, req: RunRequest) -> AsyncIterator[BaseAgentRunEvent]:
    """Call the model, run the tools it asks for, and repeat until it answers without tools."""
    agent, out = run.agent, run.out
    model = agent.model
    assert model is not None and not isinstance(model, str)
    functions = agent._functions or {}
    schemas = agent._tool_schemas
    tool_choice = agent.tool_choice
    calls_made = len(out.tools or ())
    provider_label = model.get_provider()
    metrics = out.metrics
    assert metrics is not None
    content_parts: list[str] = [out.content] if isinstance(out.content, str) and out.content else []
    started = time.perf_counter()

    while True:
        limit_reached = agent.tool_call_limit is not None and calls_made >= agent.tool_call_limit
        yield run.event(ModelRequestStartedEvent, model=model.id, model_provider=model.provider)
        turn_parts: list[str] = []
        tool_calls: list[dict[str, Any]] = []
        msg_metrics: MessageMetrics | None = None
        provider_data: dict[str, Any] | None = None
        reasoning: list[str] = []
        tools_arg = None if limit_reached else schemas
        if req.stream_model:
            # Agno opens the model's metrics entry when a stream starts: a failed stream still shows it.
            metrics.add_model_call(model.id, provider_label, _NO_TOKENS)
            first_at: float | None = None
            request_start = time.perf_counter()
            async for chunk in model.ainvoke_stream(
                run.messages, tools_arg, tool_choice if tools_arg else None
            ):
                if chunk.provider_data is not None:
                    provider_data = chunk.provider_data
                if chunk.content is not None:  # "" too: Agno streams the empty role chunk as content
                    if first_at is None:
                        first_at = time.perf_counter()
                        if metrics.time_to_first_token is None:
                            metrics.time_to_first_token = first_at - started
                    turn_parts.append(chunk.content)
                    yield run.event(
                        RunContentEvent,
                        content=chunk.content,
                        reasoning_content=chunk.reasoning_content or "",
                        model_provider_data=provider_data,
                    )
                elif chunk.reasoning_content:
                    reasoning.append(chunk.reasoning_content)
                if chunk.tool_calls:
                    tool_calls = chunk.tool_calls
                if chunk.metrics is not None:
                    msg_metrics = chunk.metrics
            msg_metrics = msg_metrics or MessageMetrics()
            msg_metrics.time_to_first_token = (first_at - request_start) if first_at is not None else None
            msg_metrics.duration = None  # Agno records no per-message duration on streamed turns
        else:
            resp = await model.ainvoke(run.messages, tools_arg, tool_choice if tools_arg else None)
            if resp.content is not None:
                turn_parts.append(resp.content)
                if metrics.time_to_first_token is None:
                    metrics.time_to_first_token = time.perf_counter() - started
            if resp.reasoning_content:
                reasoning.append(resp.reasoning_content)
            tool_calls = resp.tool_calls
            msg_metrics = resp.metrics
            provider_data = resp.provider_data

        text = "".join(turn_parts)
        assistant = Message(
            role="assistant",
            # "" stays "" (Ollama answers tool calls with empty content and Agno stores it); no content
            # at all stays None.
            content=text if turn_parts else None,
            tool_calls=tool_calls or None,
            reasoning_content="".join(reasoning) or None,
            # Agno keeps provider data on a streamed message only when it has text.
            provider_data=provider_data if text or not req.stream_model else None,
            metrics=msg_metrics,
        )
        run.messages.append(assistant)
        if out.tools is None and not req.stream_model:
            out.tools = []  # Agno: an answered non-streamed run lists its (possibly no) tools
        if text:
            content_parts.append(text)
            out.content = "".join(content_parts)
            out.model_provider_data = provider_data
        if reasoning:
            out.reasoning_content = (out.reasoning_content or "") + "".join(reasoning)
        metrics.add_model_call(model.id, provider_label, msg_metrics)
        yield run.event(
            ModelRequestCompletedEvent,
            model=model.id,
            model_provider=model.provider,
            input_tokens=msg_metrics.input_tokens,
            output_tokens=msg_metrics.output_tokens,
            total_tokens=msg_metrics.total_tokens,
            time_to_first_token=msg_metrics.time_to_first_token,
            reasoning_tokens=msg_metrics.reasoning_tokens,
            cache_read_tokens=msg_metrics.cache_read_tokens,
            cache_write_tokens=msg_metrics.cache_write_tokens,
        )
        if not tool_calls:
            return

        prepared = [_prepare_call(tc, functions) for tc in tool_calls]
        # As Agno, a call that cannot run (unknown tool, unparseable arguments) is answered with an error
        # tool message at once: no tool events, not recorded in the run's tools.
        executions = []
        for item in prepared:
            tool, _fn, _args, err = item
            if err is None:
                executions.append(item)
            else:
                if _fn is None:  # a tool switched off (excluded, disabled) or unknown: say so in the run
                    run.warn(
                        "tools",
                        f"the model called the tool '{tool.tool_name}', which is not available "
                        "(not configured or disabled); it was not run",
                    )
                run.messages.append(
                    Message(
                        role="tool", content=err, tool_call_id=tool.tool_call_id, tool_name=tool.tool_name
                    )
                )
        if not executions:
            continue
        pending = [x for x in executions if x[1] is not None and x[1].requires_confirmation]
        if pending:
            for tool, _fn, _args, _err in executions:
                if _fn is not None and _fn.requires_confirmation:
                    tool.requires_confirmation = True
            out.tools = [*(out.tools or []), *(x[0] for x in executions)]
            out.status = RunStatus.paused
            ev = run.event(RunPausedEvent, tools=[x[0] for x in executions])
            out.messages = run.messages
            await _store(run)
            yield ev
            yield out  # type: ignore[misc]
            return

        stop = False
        events: list[BaseAgentRunEvent] = []
        budget = None if agent.tool_call_limit is None else max(agent.tool_call_limit - calls_made, 0)
        stop = await _execute(run, executions, budget, events)
        calls_made += len(executions)
        for ev in events:
            yield ev
        if stop:
            return


def _prepare_call(
    tc: dict[str, Any], functions: dict[str, Any]
) -> tuple[ToolExecution, Any, dict[str, Any], str | None]:
    """Parse one tool call into (record, function, arguments, error to send back instead of running)."""
    fn_part = tc.get("function") or {}
    name = fn_part.get("name") or ""
    raw = fn_part.get("arguments")
    args: dict[str, Any] = {}
    error: str | None = None
    if raw not in (None, ""):
        try:
            parsed = _decode_arguments(raw) if isinstance(raw, str) else raw
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as e:
            parsed = None
            error = (
                f"Error while decoding function arguments: {e}\n\n"
                "Please make sure we can json.loads() the arguments and retry."
            )
        if error is None:
            if isinstance(parsed, list) and not parsed:
                parsed = {}
            if not isinstance(parsed, dict):
                error = "Function arguments are not a valid JSON object.\n\n Please fix and retry."
            else:
                args = {k: _clean_arg(v) for k, v in parsed.items()}
    fn = functions.get(name)
    if fn is None:
        error = "Error: The requested tool does not exist or is not available."
    tool = ToolExecution(
        tool_call_id=tc.get("id"),
        tool_name=name,
        tool_args=args,
        stop_after_tool_call=bool(fn is not None and fn.stop_after_tool_call),
    )
    return tool, fn, args, error


def _decode_arguments(raw: str) -> Any:
    # JSON first; then Python literal syntax (single quotes, True/None), which models also produce. The
    # error a model sees for unparseable arguments is the literal parser's, as in Agno.
    try:
        return json.loads(raw)
    except ValueError:
        import ast

        return ast.literal_eval(raw)


def _clean_arg(v: Any) -> Any:
    # Models often send JSON literals as strings; Agno converts them, so do we.
    if isinstance(v, str):
        low = v.strip().lower()
        if low in ("none", "null"):
            return None
        if low == "true":
            return True
        if low == "false":
            return False
    return v


async def _execute(
    run: _Run,
    executions: list[tuple[ToolExecution, Any, dict[str, Any], str | None]],
    budget: int | None,
    events: list[BaseAgentRunEvent],
) -> bool:
    """Run one turn's tool calls concurrently; append their messages; return True to stop the run."""
    agent, out = run.agent, run.out
    injected = {"agent": agent, "session_state": run.state, "run_context": run.context}
    for tool, _fn, _args, _err in executions:
        events.append(run.event(ToolCallStartedEvent, tool=_snapshot(tool)))

    async def one(
        i: int, item: tuple[ToolExecution, Any, dict[str, Any], str | None]
    ) -> tuple[str, bool, bool]:
        tool, fn, args, err = item
        if err is not None:
            return err, True, False
        if budget is not None and i >= budget:
            return (
                f"Tool call limit reached ({agent.tool_call_limit}): this call was not executed.",
                True,
                False,
            )
        try:
            result = await fn.acall(args, injected)
            return fn.format_result(result), False, False
        except StopAgentRun as e:
            return str(e) or (e.user_message or ""), False, True
        except Exception as e:  # noqa: BLE001 - a failing tool reports to the model, the run goes on
            source = getattr(e, "run_warning", None)
            if source:  # a failure of a feature (MCP server gone, memory store down): also a run notice
                run.warn(source, str(e))
            return str(e), True, False

    starts = time.time()
    t0 = time.perf_counter()
    results = await asyncio.gather(*(one(i, item) for i, item in enumerate(executions)))
    elapsed = time.perf_counter() - t0
    stop = False
    for (tool, _fn, args, _err), (content, failed, stop_now) in zip(executions, results, strict=True):
        tool.result = content
        tool.tool_call_error = failed
        tool.metrics = ToolCallMetrics(start_time=starts, end_time=starts + elapsed, duration=elapsed)
        call_str = f"{tool.tool_name}({', '.join(f'{k}={v}' for k, v in args.items())})"
        events.append(
            run.event(ToolCallCompletedEvent, tool=tool, content=f"{call_str} completed in {elapsed:.4f}s. ")
        )
        if failed:
            events.append(run.event(ToolCallErrorEvent, tool=tool, error=content))
        run.messages.append(
            Message(
                role="tool",
                content=content,
                tool_call_id=tool.tool_call_id,
                tool_name=tool.tool_name,
                tool_args=args,
                tool_call_error=failed,
                stop_after_tool_call=tool.stop_after_tool_call,
            )
        )
        out.tools = [*(out.tools or []), tool]
        if tool.stop_after_tool_call or stop_now:
            stop = True
            if not out.content:
                out.content = content
    return stop


async def _resume_tools(run: _Run, updated_tools: list[Any] | None, events: list[BaseAgentRunEvent]) -> None:
    """Continue a paused run: run confirmed tools, tell the model about rejected ones."""
    out = run.out
    functions = run.agent._functions or {}
    if updated_tools:
        by_id = {t.tool_call_id: t for t in updated_tools}
        out.tools = [by_id.get(t.tool_call_id, t) for t in out.tools or []]
    pending = [t for t in out.tools or [] if t.result is None]
    executions = []
    for t in pending:
        fn = functions.get(t.tool_name or "")
        err = None if fn is not None else f"Function {t.tool_name} not found"
        if t.requires_confirmation and not t.confirmed:
            err = f"Function {t.tool_name} was rejected by the user."
            if t.confirmation_note:
                err += f" Note: {t.confirmation_note}"
        executions.append((t, fn, t.tool_args or {}, err))
    done = [t for t in out.tools or [] if t.result is not None]
    out.tools = done
    await _execute(run, executions, None, events)


def _snapshot(tool: ToolExecution) -> ToolExecution:
    # ToolCallStarted shows the call before it ran; the same object is completed later.
    return ToolExecution(
        tool_call_id=tool.tool_call_id,
        tool_name=tool.tool_name,
        tool_args=tool.tool_args,
        stop_after_tool_call=tool.stop_after_tool_call,
        created_at=tool.created_at,
    )


def _merge_state(
    agent: Agent, session_row: dict[str, Any] | None, run_state: dict[str, Any] | None
) -> dict[str, Any]:
    """Session state for this run: the agent's default, then the stored state, then the run's own."""
    state: dict[str, Any] = {}
    if agent.session_state:
        state.update(_copy(agent.session_state))
    stored = ((session_row or {}).get("session_data") or {}).get("session_state")
    if stored and not (agent.overwrite_db_session_state and run_state):
        state.update(stored)
    if run_state:
        state.update(run_state)
    return state


def _copy(d: dict[str, Any]) -> dict[str, Any]:
    # The agent's default state must not be mutated by a run's tools; a JSON round trip through msgspec
    # is a cheap deep copy for plain data (falls back to a shallow copy for anything else).
    import msgspec

    try:
        return msgspec.json.decode(msgspec.json.encode(d))
    except (TypeError, msgspec.EncodeError):
        return dict(d)


def _parse_structured(text: str, schema: Any) -> tuple[Any, str]:
    """Turn the model's JSON answer into the output schema's type (pydantic or msgspec/dataclass/dict)."""
    cleaned = text.strip()
    if cleaned.startswith("```"):
        cleaned = cleaned.strip("`")
        cleaned = cleaned[cleaned.find("{") :] if "{" in cleaned else cleaned
    try:
        if isinstance(schema, dict):
            return json.loads(cleaned), "dict"
        validate = getattr(schema, "model_validate_json", None)
        if validate is not None:
            return validate(cleaned), schema.__name__
        import msgspec

        return msgspec.json.decode(cleaned.encode(), type=schema), schema.__name__
    except Exception:  # noqa: BLE001 - unparseable output is returned as text, as Agno does
        return text, "str"


async def _store(run: _Run) -> None:
    """Persist the run (one appended row) and the session row. Never reads or rewrites other runs."""
    agent, out = run.agent, run.out
    db = agent.db
    run.apply_notices()
    out.messages = run.messages
    if run.events is not None:
        out.events = run.events
    if db is None:
        return
    data = out.to_dict()
    msgs = data.get("messages")
    if msgs:
        data["messages"] = [
            m
            for m in msgs
            if (agent.store_history_messages or not m.get("from_history"))
            and (agent.store_tool_messages or m.get("role") != "tool")
        ]
    now = int(time.time())
    row = run.session_row
    session_metrics = SessionMetrics.from_dict(((row or {}).get("session_data") or {}).get("session_metrics"))
    if out.metrics is not None and out.status is not RunStatus.paused:
        session_metrics.add_run(out.metrics)
    session_data = dict((row or {}).get("session_data") or {})
    session_data["session_state"] = run.state
    session_data["session_metrics"] = session_metrics.to_dict()
    model = agent.model
    session = {
        "session_id": out.session_id,
        "session_type": "agent",
        "agent_id": agent.id,
        "team_id": None,
        "workflow_id": None,
        "user_id": out.user_id if row is None else row.get("user_id") or out.user_id,
        "session_data": session_data,
        "agent_data": {
            "name": agent.name,
            "agent_id": agent.id,
            "model": model.to_dict() if model is not None and not isinstance(model, str) else None,
        },
        "team_data": None,
        "workflow_data": None,
        "metadata": (row or {}).get("metadata") if row else agent.metadata,
        "summary": run.summary if run.summary is not None else (row or {}).get("summary"),
        "created_at": (row or {}).get("created_at") or now,
        "updated_at": now,
    }
    run_row = {
        "run_id": out.run_id,
        "session_id": out.session_id,
        "run_type": "agent",
        "agent_id": agent.id,
        "team_id": agent.team_id,
        "workflow_id": agent.workflow_id,
        "user_id": out.user_id,
        "parent_run_id": out.parent_run_id,
        "status": out.status.value,
        "run_data": data,
        "created_at": out.created_at,
        "updated_at": now,
    }
    # One transaction for both rows. A paused run is stored twice (pause, then completion): the run
    # upsert keeps one row per run.
    await db.save_run(session, run_row)
    run.session_row = session
