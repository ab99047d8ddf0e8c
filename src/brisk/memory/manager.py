"""``MemoryManager``: what an agent remembers about its users (Agno's ``agno.memory.MemoryManager``).

A model is shown the user's existing memories and given tools to change them: ``add_memory``,
``update_memory``, ``delete_memory`` and ``clear_memory`` (same names and arguments as Agno's). Memories
are short third-person statements with topics, stored as ``agno_memories`` rows through the db.

Every method has an async form (``a...``) and a sync one; the agent's run loop uses the async ones.
A failing database is reported, never swallowed silently: the tools tell the model the change was
not stored, and the failure is recorded so the run can say so (see ``brisk.agent._memory``).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

from brisk.db.base import BaseDb
from brisk.memory._model import ModelOutcome, respond_with_tools
from brisk.memory._types import UserMemory
from brisk.metrics import MessageMetrics
from brisk.models.base import Model
from brisk.models.message import Message
from brisk.tools.function import Function
from brisk.utils.aio import run_sync

__all__ = ["MemoryManager", "UserMemory"]

log = logging.getLogger("brisk.memory")

DEFAULT_USER = "default"

_CAPTURE = """\
Capture personal information about the user that will matter in later conversations, for example:
- Facts about the user: name, age, job, where they live, hobbies and interests
- What the user likes and dislikes, prefers or finds annoying
- Notable events or experiences the user mentions
- The user's current situation: plans, projects, problems and goals
- Anything else that helps understand the user's point of view or needs
"""


@dataclass(slots=True)
class MemoryPass:
    """What one memory-manager model pass did (internal: the run loop reads the errors and metrics)."""

    response: str
    tool_calls: int = 0
    errors: list[str] = field(default_factory=list)
    calls: list[tuple[str, str, MessageMetrics]] = field(default_factory=list)


class MemoryManager:
    """Creates, updates and deletes user memories with a model (Agno's constructor keywords)."""

    def __init__(
        self,
        model: Model | str | None = None,
        system_message: str | None = None,
        memory_capture_instructions: str | None = None,
        additional_instructions: str | None = None,
        db: BaseDb | None = None,
        delete_memories: bool = False,
        update_memories: bool = True,
        add_memories: bool = True,
        clear_memories: bool = False,
        debug_mode: bool = False,
        id: str | None = None,
        name: str | None = None,
        owner_id: str | None = None,
        owner_type: str | None = None,
    ) -> None:
        self.id = id if id is not None else f"memory_manager_{uuid.uuid4().hex[:8]}"
        self.name = name
        self.owner_id = owner_id
        self.owner_type = owner_type
        if isinstance(model, str):
            from brisk.models.utils import get_model

            model = get_model(model)
        self.model: Model | None = model
        self.system_message = system_message
        self.memory_capture_instructions = memory_capture_instructions
        self.additional_instructions = additional_instructions
        self.db = db
        self.delete_memories = delete_memories
        self.update_memories = update_memories
        self.add_memories = add_memories
        self.clear_memories = clear_memories
        self.debug_mode = debug_mode
        # Whether the last model pass changed anything (Agno's flag).
        self.memories_updated = False

    def get_model(self) -> Model:
        if self.model is None:
            raise ValueError("MemoryManager has no model: pass model= (or give the agent a model)")
        return self.model

    def _require_db(self) -> BaseDb:
        if self.db is None:
            raise ValueError("MemoryManager has no db: memories cannot be stored")
        return self.db

    # -- reading ----------------------------------------------------------------------------------
    async def aget_user_memories(self, user_id: str | None = None) -> list[UserMemory]:
        """The user's memories, oldest first. Raises when the database cannot be read."""
        if self.db is None:
            log.warning("Memory db not provided: no memories to read")
            return []
        rows, _ = await self.db.get_memories(
            user_id=user_id or DEFAULT_USER, sort_by="created_at", sort_order="asc"
        )
        return [UserMemory.from_row(r) for r in rows]

    def get_user_memories(self, user_id: str | None = None) -> list[UserMemory]:
        return run_sync(self.aget_user_memories(user_id))

    async def aget_user_memory(self, memory_id: str, user_id: str | None = None) -> UserMemory | None:
        if self.db is None:
            log.warning("Memory db not provided")
            return None
        row = await self.db.get_memory(memory_id, user_id=user_id or DEFAULT_USER)
        return UserMemory.from_row(row) if row else None

    def get_user_memory(self, memory_id: str, user_id: str | None = None) -> UserMemory | None:
        return run_sync(self.aget_user_memory(memory_id, user_id))

    # -- writing ----------------------------------------------------------------------------------
    async def aadd_user_memory(self, memory: UserMemory, user_id: str | None = None) -> str | None:
        """Store ``memory`` for ``user_id`` (default "default"); returns its id."""
        if self.db is None:
            log.warning("Memory db not provided: memory not stored")
            return None
        memory.memory_id = memory.memory_id or str(uuid.uuid4())
        memory.user_id = user_id or DEFAULT_USER
        memory.updated_at = memory.updated_at or int(time.time())
        await self.db.upsert_memory(memory.to_row())
        return memory.memory_id

    def add_user_memory(self, memory: UserMemory, user_id: str | None = None) -> str | None:
        return run_sync(self.aadd_user_memory(memory, user_id))

    async def areplace_user_memory(
        self, memory_id: str, memory: UserMemory, user_id: str | None = None
    ) -> str | None:
        if self.db is None:
            log.warning("Memory db not provided: memory not stored")
            return None
        memory.memory_id = memory_id
        memory.user_id = user_id or DEFAULT_USER
        memory.updated_at = memory.updated_at or int(time.time())
        await self.db.upsert_memory(memory.to_row())
        return memory_id

    def replace_user_memory(
        self, memory_id: str, memory: UserMemory, user_id: str | None = None
    ) -> str | None:
        return run_sync(self.areplace_user_memory(memory_id, memory, user_id))

    async def adelete_user_memory(self, memory_id: str, user_id: str | None = None) -> None:
        if self.db is None:
            log.warning("Memory db not provided")
            return
        await self.db.delete_memory(memory_id, user_id=user_id or DEFAULT_USER)

    def delete_user_memory(self, memory_id: str, user_id: str | None = None) -> None:
        run_sync(self.adelete_user_memory(memory_id, user_id))

    async def aclear_user_memories(self, user_id: str | None = None) -> None:
        """Delete every memory of one user (default "default")."""
        if self.db is None:
            log.warning("Memory db not provided")
            return
        uid = user_id or DEFAULT_USER
        memories = await self.aget_user_memories(uid)
        ids = [m.memory_id for m in memories if m.memory_id]
        if ids:
            await self.db.delete_memories(ids, user_id=uid)

    def clear_user_memories(self, user_id: str | None = None) -> None:
        run_sync(self.aclear_user_memories(user_id))

    async def aclear(self) -> None:
        """Delete every memory of every user (Agno's ``clear``)."""
        db = self._require_db()
        while True:
            rows, _ = await db.get_memories(limit=500, page=1)
            if not rows:
                return
            await db.delete_memories([r["memory_id"] for r in rows])

    def clear(self) -> None:
        run_sync(self.aclear())

    # -- searching --------------------------------------------------------------------------------
    async def asearch_user_memories(
        self,
        query: str | None = None,
        limit: int | None = None,
        retrieval_method: Literal["last_n", "first_n", "agentic"] | None = None,
        user_id: str | None = None,
    ) -> list[UserMemory]:
        """``last_n`` (default): the most recently updated, oldest of them first; ``first_n``: the
        least recently updated; ``agentic``: the ones a model picks as related to ``query``."""
        memories = await self.aget_user_memories(user_id)
        if not memories:
            return []
        if retrieval_method == "agentic":
            if not query:
                raise ValueError("Query is required for agentic search")
            return await self._search_agentic(memories, query, limit)
        if retrieval_method == "first_n":
            ordered = sorted(memories, key=lambda m: m.updated_at if m.updated_at is not None else 2**63 - 1)
            return ordered[:limit] if limit and limit > 0 else ordered
        ordered = sorted(memories, key=lambda m: m.updated_at if m.updated_at is not None else 0)
        return ordered[-limit:] if limit and limit > 0 else ordered

    def search_user_memories(
        self,
        query: str | None = None,
        limit: int | None = None,
        retrieval_method: Literal["last_n", "first_n", "agentic"] | None = None,
        user_id: str | None = None,
    ) -> list[UserMemory]:
        return run_sync(self.asearch_user_memories(query, limit, retrieval_method, user_id))

    async def _search_agentic(
        self, memories: list[UserMemory], query: str, limit: int | None
    ) -> list[UserMemory]:
        from brisk.agent._context import json_output_prompt
        from brisk.utils.jsonparse import parse_json_object

        lines = ["Find the memories that relate to the query and return their IDs.", "", "<user_memories>"]
        for m in memories:
            lines.append(f"ID: {m.memory_id}")
            lines.append(f"Memory: {m.memory}")
            if m.topics:
                lines.append(f"Topics: {','.join(m.topics)}")
            lines.append("")
        system = "\n".join(lines).strip() + "\n</user_memories>\n\nReturn only the IDs of related memories."
        schema = {
            "type": "object",
            "properties": {
                "memory_ids": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "The IDs of the memories related to the query.",
                }
            },
            "required": ["memory_ids"],
        }
        system += "\n" + json_output_prompt(schema)
        resp = await self.get_model().ainvoke(
            [
                Message(role="system", content=system),
                Message(role="user", content=f"Which memories relate to this query: {query}"),
            ]
        )
        parsed = parse_json_object(resp.content or "")
        ids = parsed.get("memory_ids") if isinstance(parsed, dict) else None
        if not isinstance(ids, list):
            log.warning("Memory search: the model's answer is not a list of memory ids")
            return []
        by_id = {m.memory_id: m for m in memories}
        found = [by_id[i] for i in ids if i in by_id]
        return found[:limit] if limit else found

    def optimize_memories(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("MemoryManager.optimize_memories is not implemented in Brisk yet")

    aoptimize_memories = optimize_memories

    # -- the model passes -------------------------------------------------------------------------
    def get_system_message(
        self,
        existing_memories: list[dict[str, Any]] | None = None,
        enable_delete_memory: bool = True,
        enable_clear_memory: bool = True,
        enable_update_memory: bool = True,
        enable_add_memory: bool = True,
    ) -> Message:
        """The memory model's instructions, in the structure of Agno's (Brisk's own wording)."""
        if self.system_message is not None:
            return Message(role="system", content=self.system_message)
        capture = self.memory_capture_instructions or _CAPTURE
        lines = [
            "You manage what is remembered about the user. The <memories_to_capture> section says what is "
            "worth remembering and the <existing_memories> section lists what is remembered already.",
            "",
            "## When to add or update memories",
            "- First decide whether the user's message calls for adding, updating or deleting a memory, or "
            "for no change at all.",
            "- Capture information that matches <memories_to_capture> and is not yet in <existing_memories>.",
            "- Make no change when the message matches nothing in <memories_to_capture>.",
            "- Make no change when <existing_memories> already holds everything relevant.",
            "",
            "## How to add or update memories",
            "- A memory is a short statement about the user in the third person, keeping only the key point "
            "of what the user said and nothing made up.",
            "  - Example: from 'I cycle to work every day', a memory could be `The user cycles to work daily`.",
            "  - Example: from 'My name is Ada Lovelace', a memory could be `The user's name is Ada Lovelace`.",
            "- Keep each memory small and simple; write several memories rather than one long one.",
            "- Do not store the same fact twice: update the existing memory instead.",
            "- When the user asks to forget something, remove every trace of it; do not write "
            "'The user used to ...'.",
            "- When updating a memory, extend it with the new information instead of replacing it wholesale.",
            "- When a preference changes, record the new preference together with what it was before.",
            "",
            "## Criteria for creating memories",
            "Decide with these criteria whether something the user said should become a memory.",
            "",
            "<memories_to_capture>",
            capture,
            "</memories_to_capture>",
            "",
            "## Updating memories",
            "The <existing_memories> section lists what is already remembered. You can:",
            "  - Change nothing.",
        ]
        if enable_add_memory:
            lines.append("  - Add a new memory with the `add_memory` tool.")
        if enable_update_memory:
            lines.append("  - Update an existing memory with the `update_memory` tool.")
        if enable_delete_memory:
            lines.append("  - Delete an existing memory with the `delete_memory` tool.")
        if enable_clear_memory:
            lines.append("  - Delete all memories with the `clear_memory` tool.")
        lines += [
            "Several tools may be called in one response.",
            "Change memories only to keep key information the user gave.",
        ]
        if existing_memories:
            lines.append("\n<existing_memories>")
            for m in existing_memories:
                lines.append(f"ID: {m['memory_id']}")
                lines.append(f"Memory: {m['memory']}")
                lines.append("")
            lines.append("</existing_memories>")
        if self.additional_instructions:
            lines.append(self.additional_instructions)
        return Message(role="system", content="\n".join(lines))

    def _db_tools(
        self,
        db: BaseDb,
        user_id: str,
        input_string: str | None,
        errors: list[str],
        *,
        add: bool,
        update: bool,
        delete: bool,
        clear: bool,
        agent_id: str | None = None,
        team_id: str | None = None,
    ) -> list[Function]:
        """The memory tools bound to one user, as strict Functions (as Agno builds them)."""

        def failed(action: str, e: Exception) -> str:
            msg = f"the memory database could not {action}: {type(e).__name__}: {e}"
            log.warning("Memory manager: %s", msg)
            errors.append(msg)
            return f"Error: {msg}. The change was not stored."

        async def add_memory(memory: str, topics: Optional[list[str]] = None) -> str:  # noqa: UP045
            """Store a new memory about the user.

            Args:
                memory (str): The memory to store.
                topics (Optional[List[str]]): Topics of the memory (e.g. ["name", "hobbies", "location"]).

            Returns:
                str: Whether the memory was stored.
            """
            try:
                row = UserMemory(
                    memory=memory,
                    memory_id=str(uuid.uuid4()),
                    topics=topics,
                    user_id=user_id,
                    input=input_string,
                    agent_id=agent_id,
                    team_id=team_id,
                )
                await db.upsert_memory(row.to_row())
            except Exception as e:  # noqa: BLE001 - told to the model and recorded for the run
                return failed("store the memory", e)
            return "Memory added successfully"

        async def update_memory(memory_id: str, memory: str, topics: Optional[list[str]] = None) -> str:  # noqa: UP045
            """Change an existing memory about the user.

            Args:
                memory_id (str): The id of the memory to change.
                memory (str): The new text of the memory.
                topics (Optional[List[str]]): Topics of the memory (e.g. ["name", "hobbies", "location"]).

            Returns:
                str: Whether the memory was updated.
            """
            if memory == "":
                return "A memory cannot be updated to an empty text; delete it instead if that is allowed."
            try:
                row = UserMemory(
                    memory=memory,
                    memory_id=memory_id,
                    topics=topics,
                    user_id=user_id,
                    input=input_string,
                    agent_id=agent_id,
                    team_id=team_id,
                )
                await db.upsert_memory(row.to_row())
            except Exception as e:  # noqa: BLE001
                return failed("update the memory", e)
            return "Memory updated successfully"

        async def delete_memory(memory_id: str) -> str:
            """Delete one memory about the user.

            Args:
                memory_id (str): The id of the memory to delete.

            Returns:
                str: Whether the memory was deleted.
            """
            try:
                await db.delete_memory(memory_id, user_id=user_id)
            except Exception as e:  # noqa: BLE001
                return failed("delete the memory", e)
            return "Memory deleted successfully"

        async def clear_memory() -> str:
            """Delete all memories about the user.

            Returns:
                str: Whether the memories were deleted.
            """
            try:
                rows, _ = await db.get_memories(user_id=user_id)
                await db.delete_memories([r["memory_id"] for r in rows], user_id=user_id)
            except Exception as e:  # noqa: BLE001
                return failed("clear the memories", e)
            return "Memory cleared successfully"

        chosen: list[Callable[..., Any]] = []
        if add:
            chosen.append(add_memory)
        if update:
            chosen.append(update_memory)
        if delete:
            chosen.append(delete_memory)
        if clear:
            chosen.append(clear_memory)
        # ``Optional[...]`` above, not ``X | None``: Agno's schema for it is a plain array (strict mode
        # lists every parameter as required). The model gets the tools sorted by name, as from Agno.
        chosen.sort(key=lambda fn: fn.__name__)
        return [Function.from_callable(fn, strict=True) for fn in chosen]

    async def _existing(self, db: BaseDb, user_id: str) -> list[dict[str, Any]]:
        rows, _ = await db.get_memories(user_id=user_id, sort_by="created_at", sort_order="asc")
        return [{"memory_id": r["memory_id"], "memory": UserMemory.from_row(r).memory} for r in rows]

    async def _pass(
        self,
        messages: list[Message],
        user_id: str,
        input_string: str | None,
        *,
        add: bool,
        update: bool,
        delete: bool,
        clear: bool,
        agent_id: str | None = None,
        team_id: str | None = None,
    ) -> MemoryPass:
        db = self._require_db()
        model = self.get_model()
        existing = await self._existing(db, user_id)
        errors: list[str] = []
        tools = self._db_tools(
            db, user_id, input_string, errors, add=add, update=update, delete=delete, clear=clear,
            agent_id=agent_id, team_id=team_id,
        )  # fmt: skip
        system = self.get_system_message(
            existing,
            enable_delete_memory=delete,
            enable_clear_memory=clear,
            enable_update_memory=update,
            enable_add_memory=add,
        )
        outcome: ModelOutcome = await respond_with_tools(model, [system, *messages], tools)
        if outcome.tool_calls:
            self.memories_updated = True
        return MemoryPass(
            outcome.content or "No response from model", outcome.tool_calls, errors, outcome.calls
        )

    async def _acreate(
        self,
        message: str | None = None,
        messages: list[Message] | None = None,
        agent_id: str | None = None,
        team_id: str | None = None,
        user_id: str | None = None,
    ) -> MemoryPass:
        if not messages and not message:
            raise ValueError("You must provide either a message or a list of messages")
        if message:
            messages = [Message(role="user", content=message)]
        assert messages is not None
        if len(messages) == 1:
            input_string = _content_string(messages[0])
        else:
            input_string = ", ".join(_content_string(m) for m in messages if m.role == "user" and m.content)
        # As Agno: the automatic pass may always delete, never clear.
        return await self._pass(
            messages, user_id or DEFAULT_USER, input_string,
            add=self.add_memories, update=self.update_memories, delete=True, clear=False,
            agent_id=agent_id, team_id=team_id,
        )  # fmt: skip

    async def acreate_user_memories(
        self,
        message: str | None = None,
        messages: list[Message] | None = None,
        agent_id: str | None = None,
        team_id: str | None = None,
        user_id: str | None = None,
        run_metrics: Any = None,
    ) -> str:
        """Let the model add, update or delete memories after what the user said; returns its answer."""
        if self.db is None:
            log.warning("MemoryDb not provided.")
            return "Please provide a db to store memories"
        result = await self._acreate(message, messages, agent_id, team_id, user_id)
        _account(run_metrics, result.calls)
        return result.response

    def create_user_memories(
        self,
        message: str | None = None,
        messages: list[Message] | None = None,
        agent_id: str | None = None,
        team_id: str | None = None,
        user_id: str | None = None,
        run_metrics: Any = None,
    ) -> str:
        return run_sync(
            self.acreate_user_memories(message, messages, agent_id, team_id, user_id, run_metrics)
        )

    async def _atask(self, task: str, user_id: str | None = None) -> MemoryPass:
        return await self._pass(
            [Message(role="user", content=task)], user_id or DEFAULT_USER, task,
            add=self.add_memories, update=self.update_memories,
            delete=self.delete_memories, clear=self.clear_memories,
        )  # fmt: skip

    async def aupdate_memory_task(self, task: str, user_id: str | None = None) -> str:
        """Carry out a memory change described in words (what the agentic ``update_user_memory``
        tool calls)."""
        if self.db is None:
            log.warning("MemoryDb not provided.")
            return "Please provide a db to store memories"
        result = await self._atask(task, user_id)
        if result.errors:
            return f"{result.response}\n(Not stored: {'; '.join(result.errors)})"
        return result.response

    def update_memory_task(self, task: str, user_id: str | None = None) -> str:
        return run_sync(self.aupdate_memory_task(task, user_id))

    def __repr__(self) -> str:
        return f"MemoryManager(id={self.id!r}, model={getattr(self.model, 'id', None)!r})"


def _content_string(m: Message) -> str:
    c = m.content
    if c is None:
        return ""
    if isinstance(c, str):
        return c
    import json

    try:
        return json.dumps(c, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(c)


def _account(
    run_metrics: Any, calls: list[tuple[str, str, MessageMetrics]], kind: str = "memory_model"
) -> None:
    if run_metrics is None:
        return
    for model_id, provider, m in calls:
        run_metrics.add_model_call(model_id, provider, m, kind=kind)
