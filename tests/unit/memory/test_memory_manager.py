"""MemoryManager against the OpenAI mock (real HTTP): the model's scripted tool calls create, update and
delete memories in the db; the requests carry Agno's tool names, arguments and prompt structure."""

from __future__ import annotations

import json

import pytest
from tests.mocks.openai_server import Text, ToolCalls

from brisk.db.in_memory import InMemoryDb
from brisk.memory import MemoryManager, UserMemory
from brisk.models.message import Message
from brisk.models.openai import OpenAIChat


def manager(openai_mock, db=None, **kw) -> MemoryManager:
    model = OpenAIChat(id="memory-model", base_url=openai_mock.base_url, api_key="sk-test")
    return MemoryManager(model=model, db=db if db is not None else InMemoryDb(), **kw)


def tool_names(body) -> list[str]:
    return [t["function"]["name"] for t in body.get("tools") or []]


async def test_memories_created_updated_and_deleted_by_scripted_tool_calls(openai_mock):
    mm = manager(openai_mock)

    # 1. create: two add_memory calls in one turn, then the model's closing answer
    openai_mock.script(
        ToolCalls(
            [
                ("add_memory", {"memory": "The user's name is Ada", "topics": ["name"]}),
                ("add_memory", {"memory": "The user likes tea", "topics": ["preferences", "drinks"]}),
            ]
        ),
        Text("Stored two memories."),
    )
    answer = await mm.acreate_user_memories("Hi, I'm Ada and I like tea", user_id="u1", agent_id="a1")
    assert answer == "Stored two memories."
    memories = await mm.aget_user_memories("u1")
    assert sorted(m.memory for m in memories) == ["The user likes tea", "The user's name is Ada"]
    tea = next(m for m in memories if "tea" in m.memory)
    assert tea.topics == ["preferences", "drinks"]
    assert tea.user_id == "u1" and tea.agent_id == "a1"
    assert tea.input == "Hi, I'm Ada and I like tea"
    assert mm.memories_updated

    first, second = openai_mock.bodies[-2:]
    # The automatic pass may add, update and delete, never clear (Agno's choice); tools are strict and,
    # as every Agno request's, sorted by name.
    assert tool_names(first) == ["add_memory", "delete_memory", "update_memory"]
    add = first["tools"][0]["function"]
    assert add["strict"] is True
    assert set(add["parameters"]["properties"]) == {"memory", "topics"}
    system = first["messages"][0]
    assert system["role"] in ("system", "developer")  # OpenAIChat sends system as developer, as Agno
    for section in ("<memories_to_capture>", "</memories_to_capture>", "`add_memory`", "`update_memory`"):
        assert section in system["content"]
    assert "`clear_memory`" not in system["content"]
    assert "\n<existing_memories>\n" not in system["content"]  # none yet
    assert first["messages"][1] == {"role": "user", "content": "Hi, I'm Ada and I like tea"}
    # the tool results went back to the model
    results = [m["content"] for m in second["messages"] if m["role"] == "tool"]
    assert results == ["Memory added successfully", "Memory added successfully"]

    # 2. update: the model sees the existing memories with their ids
    openai_mock.script(
        ToolCalls(
            [
                (
                    "update_memory",
                    {"memory_id": tea.memory_id, "memory": "The user likes green tea", "topics": ["drinks"]},
                )
            ]
        ),
        Text("Updated."),
    )
    await mm.acreate_user_memories("Actually, green tea is what I like", user_id="u1")
    system = openai_mock.bodies[-2]["messages"][0]["content"]
    assert f"ID: {tea.memory_id}\nMemory: The user likes tea" in system
    assert "\n<existing_memories>\n" in system
    updated = await mm.aget_user_memory(tea.memory_id, user_id="u1")
    assert (
        updated is not None and updated.memory == "The user likes green tea" and updated.topics == ["drinks"]
    )
    assert len(await mm.aget_user_memories("u1")) == 2

    # 3. delete
    openai_mock.script(ToolCalls([("delete_memory", {"memory_id": tea.memory_id})]), Text("Forgotten."))
    await mm.acreate_user_memories("Please forget what I drink", user_id="u1")
    left = await mm.aget_user_memories("u1")
    assert [m.memory for m in left] == ["The user's name is Ada"]
    # another user's memories are untouched by all of this
    assert await mm.aget_user_memories("u2") == []


async def test_memory_task_uses_the_managers_flags_and_can_clear(openai_mock):
    db = InMemoryDb()
    mm = manager(openai_mock, db, delete_memories=True, clear_memories=True)
    await mm.aadd_user_memory(UserMemory(memory="The user is called Bob"), user_id="u1")
    await mm.aadd_user_memory(UserMemory(memory="The user lives in Oslo"), user_id="u1")
    await mm.aadd_user_memory(UserMemory(memory="Someone else"), user_id="u2")
    openai_mock.script(ToolCalls([("clear_memory", {})]), Text("All cleared."))
    assert await mm.aupdate_memory_task("Forget everything about me", user_id="u1") == "All cleared."
    assert tool_names(openai_mock.bodies[0]) == [
        "add_memory",
        "clear_memory",
        "delete_memory",
        "update_memory",
    ]
    assert await mm.aget_user_memories("u1") == []
    # clear_memory clears the user's memories only (Agno's clears every user's: a deviation)
    assert [m.memory for m in await mm.aget_user_memories("u2")] == ["Someone else"]


async def test_memory_task_defaults_cannot_delete(openai_mock):
    mm = manager(openai_mock)
    openai_mock.script(Text("Nothing to do."))
    await mm.aupdate_memory_task("Remember that I like chess", user_id="u1")
    assert tool_names(openai_mock.bodies[0]) == ["add_memory", "update_memory"]


async def test_db_failure_is_told_to_the_model_and_reported(openai_mock):
    class BrokenWrites(InMemoryDb):
        async def upsert_memory(self, row):
            raise ConnectionRefusedError("memory store refused the connection")

    mm = manager(openai_mock, BrokenWrites())
    openai_mock.script(
        ToolCalls([("add_memory", {"memory": "The user is called Eve", "topics": None})]), Text("Sorry.")
    )
    result = await mm._acreate(message="I'm Eve", user_id="u1")
    assert result.errors and "memory store refused the connection" in result.errors[0]
    tool_msg = next(m for m in openai_mock.bodies[1]["messages"] if m["role"] == "tool")
    assert tool_msg["content"].startswith("Error: the memory database could not store the memory")


async def test_without_db_nothing_is_stored(openai_mock):
    mm = MemoryManager(model=OpenAIChat(id="m", base_url=openai_mock.base_url, api_key="k"))
    assert await mm.acreate_user_memories("I'm Zoe", user_id="u") == "Please provide a db to store memories"
    assert openai_mock.requests == []
    assert await mm.aget_user_memories("u") == []


async def test_search_last_first_and_agentic(openai_mock):
    mm = manager(openai_mock)
    ids = []
    for i, text in enumerate(["likes tea", "lives in Oslo", "plays chess"]):
        ids.append(await mm.aadd_user_memory(UserMemory(memory=text, updated_at=1000 + i), user_id="u"))
    assert [m.memory for m in await mm.asearch_user_memories(limit=2, user_id="u")] == [
        "lives in Oslo",
        "plays chess",
    ]
    first = await mm.asearch_user_memories(limit=1, retrieval_method="first_n", user_id="u")
    assert [m.memory for m in first] == ["likes tea"]
    openai_mock.script(Text(json.dumps({"memory_ids": [ids[2]]})))
    found = await mm.asearch_user_memories("games", retrieval_method="agentic", user_id="u")
    assert [m.memory for m in found] == ["plays chess"]
    with pytest.raises(ValueError):
        await mm.asearch_user_memories(retrieval_method="agentic", user_id="u")


def test_user_memory_dict_shape():
    m = UserMemory(
        memory="The user likes tea", memory_id="m1", topics=["drinks"], user_id="u", created_at=1700000000
    )
    d = m.to_dict()
    assert list(d) == ["memory_id", "memory", "topics", "created_at", "updated_at", "user_id"]
    assert d["updated_at"] == d["created_at"]  # falls back to created_at, as Agno
    assert UserMemory.from_dict({**d}).created_at == 1700000000
    row = m.to_row()
    assert row["created_at"] == 1700000000 and row["memory"] == "The user likes tea"
    assert UserMemory.from_row(row) == m


def test_sync_api(openai_mock):
    mm = manager(openai_mock)
    openai_mock.script(
        ToolCalls([("add_memory", {"memory": "The user is Ada", "topics": ["name"]})]), Text("ok")
    )
    assert mm.create_user_memories(messages=[Message(role="user", content="I am Ada")], user_id="u") == "ok"
    assert [m.memory for m in mm.get_user_memories("u")] == ["The user is Ada"]
