"""The run loop's memory and session-summary steps, kept out of ``_loop.py`` so a run without them
does no extra work (the loop only checks a few attributes).

Order, as Agno 3.1.10:
1. the user's memories (and the stored session summary) go into the system message;
2. the memory update (``update_memory_on_run``) starts as an asyncio task next to the model call, so it
   never delays the first token;
3. after the answer, the task is awaited (``MemoryUpdateStarted``/``MemoryUpdateCompleted`` events),
   then the session summary is made (``SessionSummaryStarted``/``SessionSummaryCompleted``), then the
   run is stored with the new summary in the session row.

Failures degrade: a memory database that cannot be read or written, a memory or summary model that
fails, or a memory module without a database never fail the run. Each is logged and recorded as a
notice in ``RunOutput.metadata["warnings"]`` (see ``brisk.agent._notices``), and when memories could
not be read the model is told so instead of being told it has never met the user.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from brisk.models.message import Message
from brisk.run.agent import (
    BaseAgentRunEvent,
    MemoryUpdateCompletedEvent,
    MemoryUpdateStartedEvent,
    SessionSummaryCompletedEvent,
    SessionSummaryStartedEvent,
)

if TYPE_CHECKING:
    from brisk.agent._loop import _Run
    from brisk.agent.agent import Agent
    from brisk.tools.function import Function

log = logging.getLogger("brisk.agent")

# Bounds so that a hung memory database or model can never hang a run (seconds).
CONTEXT_READ_TIMEOUT = 10.0
BACKGROUND_TIMEOUT = 120.0
DEFAULT_USER = "default"


# -- configuration ---------------------------------------------------------------------------------
def setup(agent: Agent) -> None:
    """Agno's ``set_memory_manager`` / ``set_session_summary_manager``: create the managers the
    agent's flags ask for and give them the agent's model and db where they have none."""
    if agent.update_memory_on_run or agent.enable_agentic_memory or agent.memory_manager is not None:
        from brisk.memory.manager import MemoryManager

        mm = agent.memory_manager
        if mm is None:
            mm = agent.memory_manager = MemoryManager(model=agent.model, db=agent.db)  # type: ignore[arg-type]
        else:
            if mm.model is None:
                mm.model = agent.model  # type: ignore[assignment]
            if mm.db is None:
                mm.db = agent.db
        if agent.add_memories_to_context is None:
            agent.add_memories_to_context = True
    if agent.session_summary_manager is not None:
        agent.enable_session_summaries = True
    if agent.enable_session_summaries:
        from brisk.session.summary import SessionSummaryManager

        sm = agent.session_summary_manager
        if sm is None:
            agent.session_summary_manager = SessionSummaryManager(model=agent.model)
        elif sm.model is None:
            sm.model = agent.model
        if agent.add_session_summary_to_context is None:
            agent.add_session_summary_to_context = True


def agentic_memory_function(agent: Agent) -> Function:
    """The ``update_user_memory`` tool of ``enable_agentic_memory=True`` (Agno's name and argument)."""
    from brisk.run.base import RunContext
    from brisk.tools.function import Function

    async def update_user_memory(task: str, run_context: RunContext) -> str:
        """Ask for a change to what is remembered about the user.
        Describe the change precisely and in detail.
        The change can add a memory, update a memory, delete a memory or clear all memories.

        Args:
            task: The change to make to the user's memories, described precisely and in detail.

        Returns:
            str: What came of the change.
        """
        mm = agent.memory_manager
        if mm is None:
            return "Memory is not configured for this agent."
        if mm.db is None:
            raise MemoryUnavailable(
                "memory is enabled but no database is configured: memories are not stored"
            )
        user_id = (run_context.user_id if run_context is not None else None) or DEFAULT_USER
        try:
            result = await mm._atask(task, user_id)
        except Exception as e:  # noqa: BLE001 - a ToolCallError and a notice; the run goes on
            raise MemoryUnavailable(f"memories could not be updated: {_describe(e)}") from e
        if result.errors:
            raise MemoryUnavailable(f"memories could not be updated: {'; '.join(result.errors)}")
        return result.response

    return Function.from_callable(update_user_memory, name="update_user_memory")


class MemoryUnavailable(Exception):  # noqa: N818 - reads as a notice
    """Raised by the agentic memory tool when the memory store fails (a ToolCallError and a notice)."""

    run_warning = "memory"


# -- system message ----------------------------------------------------------------------------------
async def context_text(agent: Agent, user_id: str | None, notices: list[dict[str, str]]) -> str:
    """The memories section of the system message (Agno's 3.3.9), never raising."""
    mm = agent.memory_manager
    text = ""
    if mm is not None:
        memories = None
        if mm.db is None:
            _notice(
                notices, "memory", "memory is enabled but no database is configured: memories are not stored"
            )
        else:
            try:
                memories = await asyncio.wait_for(
                    mm.aget_user_memories(user_id or DEFAULT_USER), CONTEXT_READ_TIMEOUT
                )
            except Exception as e:  # noqa: BLE001 - degrade: answer without memories, and say so
                _notice(notices, "memory", f"memories could not be read: {_describe(e)}")
        if memories:
            text += (
                "You know the following about the user from earlier conversations; use it to personalise "
                "your answers:\n\n<memories_from_previous_interactions>"
            )
            for m in memories:
                text += f"\n- {m.memory}"
            text += "\n</memories_from_previous_interactions>\n\n"
            text += (
                "Note: these memories come from earlier conversations and may be out of date. When this "
                "conversation says otherwise, trust this conversation.\n"
            )
        elif memories is None and mm.db is not None:
            text += (
                "Memories of earlier conversations with the user could not be loaded (the memory store is "
                "unavailable right now). Do not assume that this is your first conversation with the user.\n"
            )
        else:
            text += (
                "You can remember things about the user across conversations, but you have no memories of "
                "this user yet.\n"
            )
    if agent.enable_agentic_memory:
        text += (
            "\n<updating_user_memories>\n"
            "- The `update_user_memory` tool adds, updates or deletes memories about the user, or clears them all.\n"
            "- When the user's message holds something worth remembering, record it with the `update_user_memory` tool.\n"
            "- Remember details that will help personalise later conversations with the user.\n"
            "- Use the tool to add new memories, or to update existing ones, that come up in the conversation.\n"
            "- Use the tool when the user asks to update, delete or clear their memories.\n"
            "- After using the `update_user_memory` tool, tell the user what it answered.\n"
            "</updating_user_memories>\n\n"
        )
    return text


def summary_text(session_row: dict[str, Any] | None) -> str:
    """The stored session summary section of the system message (Agno's 3.3.10)."""
    stored = (session_row or {}).get("summary")
    if not stored:
        return ""
    summary = stored.get("summary") if isinstance(stored, dict) else str(stored)
    if summary is None:
        return ""
    return (
        "Here is a short summary of your earlier conversations with the user:\n\n"
        f"<summary_of_previous_interactions>\n{summary}\n</summary_of_previous_interactions>\n\n"
        "Note: this summary comes from earlier conversations and may be out of date. ALWAYS trust this "
        "conversation over the summary.\n\n"
    )


# -- the background memory update ----------------------------------------------------------------------
def start_update(agent: Agent, user_message: Message, user_id: str | None) -> asyncio.Task[Any] | None:
    """Start the memory update next to the model call (Agno's ``astart_memory_task``)."""
    mm = agent.memory_manager
    if mm is None or agent.enable_agentic_memory:
        return None
    content = user_message.content
    text = content if isinstance(content, str) else (None if content is None else str(content))
    if text is None or not text.strip():
        return None
    if mm.db is None:
        return None  # already reported by context_text or below
    return asyncio.get_running_loop().create_task(
        mm._acreate(message=text, agent_id=agent.id, user_id=user_id or DEFAULT_USER),
        name="brisk-memory-update",
    )


async def finish_update(
    run: _Run, task: asyncio.Task[Any] | None, user_id: str | None
) -> AsyncIterator[BaseAgentRunEvent]:
    """Await the memory update, with Agno's events, then account its model calls in the run's metrics."""
    agent = run.agent
    mm = agent.memory_manager
    if task is None:
        if (
            mm is not None
            and mm.db is None
            and agent.update_memory_on_run
            and not agent.enable_agentic_memory
        ):
            run.warn("memory", "memory is enabled but no database is configured: memories are not stored")
        return
    yield run.event(MemoryUpdateStartedEvent)
    try:
        result = await asyncio.wait_for(task, BACKGROUND_TIMEOUT)
    except Exception as e:  # noqa: BLE001 - degrade: the answer stands, the update is reported lost
        run.warn("memory", f"memories could not be updated: {_describe(e)}")
    else:
        for msg in result.errors:
            run.warn("memory", msg)
        metrics = run.out.metrics
        if metrics is not None:
            for model_id, provider, m in result.calls:
                metrics.add_model_call(model_id, provider, m, kind="memory_model")
    memories = None
    try:
        assert mm is not None
        memories = await asyncio.wait_for(
            mm.aget_user_memories(user_id or DEFAULT_USER), CONTEXT_READ_TIMEOUT
        )
    except Exception as e:  # noqa: BLE001
        log.warning("Error getting memories: %s", _describe(e))
    yield run.event(MemoryUpdateCompletedEvent, memories=memories)


async def cancel_update(task: asyncio.Task[Any] | None, wait: bool) -> None:
    """End a memory update the run no longer waits for (error, cancel) or, for a paused run, let it
    finish (Agno awaits it before pausing)."""
    if task is None or task.done():
        return
    if wait:
        try:
            await asyncio.wait_for(asyncio.shield(task), BACKGROUND_TIMEOUT)
            return
        except Exception as e:  # noqa: BLE001
            log.warning("Memory update of a paused run failed: %s", _describe(e))
    task.cancel()
    try:
        await task
    except BaseException:  # noqa: BLE001 - cancelled or failed: nothing left to report
        pass


# -- session summary ---------------------------------------------------------------------------------
async def summarise(run: _Run) -> AsyncIterator[BaseAgentRunEvent]:
    """Make the session summary after the answer (Agno's step 12): stored with the run."""
    agent, out = run.agent, run.out
    sm = agent.session_summary_manager
    if sm is None:
        return
    yield run.event(SessionSummaryStartedEvent)
    summary = None
    if agent.db is None:
        run.warn("session_summary", "session summaries are enabled but no database is configured: not stored")
    try:
        messages = await _session_messages(run, sm.last_n_runs)
        summary, calls = await asyncio.wait_for(sm._asummarise(messages), BACKGROUND_TIMEOUT)
        metrics = out.metrics
        if metrics is not None:
            for model_id, provider, m in calls:
                metrics.add_model_call(model_id, provider, m, kind="session_summary_model")
        if summary is not None:
            run.summary = summary.to_dict()
    except Exception as e:  # noqa: BLE001 - degrade: keep the previous summary, and say so
        run.warn("session_summary", f"the session summary could not be updated: {_describe(e)}")
    if summary is None and run.summary is None:
        stored = (run.session_row or {}).get("summary")
        if isinstance(stored, dict) and stored.get("summary"):
            from brisk.session.summary import SessionSummary

            summary = SessionSummary.from_dict(dict(stored))
    yield run.event(SessionSummaryCompletedEvent, session_summary=summary)


async def _session_messages(run: _Run, last_n_runs: int | None) -> list[Message]:
    """The messages to summarise: the session's earlier runs (only the last ``last_n_runs`` - 1 when
    set; read from the db) and this run's."""
    agent = run.agent
    earlier: list[Message] = []
    db = agent.db
    if db is not None and last_n_runs != 1:
        rows = await db.get_runs(
            run.out.session_id or "",
            last=None if last_n_runs is None else last_n_runs - 1,
            statuses=["COMPLETED", "RUNNING", "PENDING"],
            top_level_only=True,
        )
        for row in rows:
            data = row.get("run_data") or {}
            if data.get("run_id") == run.out.run_id:
                continue
            earlier.extend(Message.from_dict(m) for m in data.get("messages") or ())
    return earlier + list(run.messages)


# -- helpers ---------------------------------------------------------------------------------------------
def _describe(e: BaseException) -> str:
    if isinstance(e, TimeoutError | asyncio.TimeoutError):
        return "timed out"
    text = str(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _notice(notices: list[dict[str, str]], source: str, message: str) -> None:
    notices.append({"source": source, "message": message})  # logged once by the run (_Run.warn)
