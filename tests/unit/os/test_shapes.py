"""Session/run/memory shapes from stored rows, and the exchange comparison helper."""

from __future__ import annotations

from brisk.os import _shapes as S
from tests.support.http_exchange import Exchange, compare_exchange, diff, normalise


def test_session_name_fallbacks() -> None:
    run = {"messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "first question"}]}
    assert S.session_name({"session_data": {"session_name": "named"}}, run) == "named"
    assert S.session_name({"session_data": {}}, run) == "first question"
    assert S.session_name({}, {"input": {"input_content": "x"}}) == '{\n  "input_content": "x"\n}'
    assert S.session_name({}, None) == ""


def test_session_item_drops_nulls_and_reads_metrics() -> None:
    row = {
        "session_id": "s",
        "session_type": "agent",
        "agent_id": "a",
        "user_id": None,
        "session_data": {"session_state": {}, "session_metrics": {"total_tokens": 5}},
        "created_at": 0,
        "updated_at": 60,
    }
    assert S.session_item(row, "n") == {
        "session_id": "s",
        "session_name": "n",
        "session_state": {},
        "created_at": "1970-01-01T00:00:00Z",
        "updated_at": "1970-01-01T00:01:00Z",
        "session_type": "agent",
        "agent_id": "a",
        "metrics": {"total_tokens": 5},
        "total_tokens": 5,
    }


def test_chat_history_skips_system_tool_history_and_member_runs() -> None:
    runs = [
        {
            "run_data": {
                "messages": [
                    {"role": "system", "content": "s"},
                    {"role": "user", "content": "u", "from_history": False},
                    {"role": "user", "content": "old", "from_history": True},
                    {"role": "tool", "content": "t"},
                    {"role": "assistant", "content": "a"},
                ]
            }
        },
        {"run_data": {"parent_run_id": "p", "messages": [{"role": "user", "content": "member"}]}},
    ]
    assert [m["content"] for m in S.chat_history(runs)] == ["u", "a"]


def test_run_schema_defaults() -> None:
    d = S.run_schema(
        {"run_id": "r", "status": "ERROR", "input": {"input_content": {"k": 1}}, "created_at": 0}
    )
    assert d["parent_run_id"] == "" and d["user_id"] == "" and d["content"] == ""
    assert d["run_input"] == '{\n  "k": 1\n}'
    assert d["input_media"] == {"images": [], "videos": [], "audios": [], "files": []}
    assert d["tools"] is None and d["events"] is None and d["metadata"] is None
    p = S.run_preview(S.run_schema({"run_id": "r", "content": "x" * 500, "input": {"input_content": "hi"}}))
    assert len(p["content_preview"]) == 280 and p["run_input"] == "hi" and "team_id" not in p
    assert S.run_schema({"run_id": "r", "metadata": {"a": 1}}, {"sdk": "x"})["metadata"] == {
        "a": 1,
        "sdk": "x",
    }


def test_memory_shapes() -> None:
    row = {"memory_id": "m", "memory": "x", "topics": ["t"], "user_id": "u", "updated_at": 0}
    assert S.memory(row) == {
        "memory_id": "m",
        "memory": "x",
        "topics": ["t"],
        "agent_id": None,
        "team_id": None,
        "user_id": "u",
        "updated_at": "1970-01-01T00:00:00Z",
    }
    assert S.memory({**row, "memory": ""}) is None
    assert S.memory({**row, "memory": {"memory": "nested"}})["memory"] == "nested"
    assert S.paginated([], 1, 20, 41)["meta"]["total_pages"] == 3


def test_normalise_masks_ids_times_durations() -> None:
    value = {
        "run_id": "59c6e32d-f9fe-4a56-a90c-525a6669ba07",
        "created_at": 1795606510,
        "metrics": {"duration": 0.5, "input_tokens": 3},
        "model_provider_data": {"id": "chatcmpl-mock00000002"},
        "tool": {"tool_call_id": "call_00000003"},
        "content": "get_weather(city=Berlin) completed in 0.0005s. ",
        "id": "2026-11-25_daily",
    }
    assert normalise(value) == {
        "run_id": "<uuid>",
        "created_at": "<ts>",
        "metrics": {"duration": "<dur>", "input_tokens": 3},
        "model_provider_data": {"id": "<chatcmpl>"},
        "tool": {"tool_call_id": "<call>"},
        "content": "get_weather(city=Berlin) completed in <dur>s. ",
        "id": "<day>_daily",
    }


def test_diff_reports_values_keys_order_and_lengths() -> None:
    assert diff({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 2]}) == []
    problems = diff({"a": 1, "b": 2, "c": [1]}, {"b": 3, "a": 1, "d": 0, "c": [1, 2]})
    assert "$.b: expected 2, got 3" in problems
    assert any(p.startswith("$.c: list length") for p in problems)
    assert any("unexpected key" in p for p in problems)
    assert any("key order" in p for p in problems)
    assert diff(1, 1.0) == [] and diff("1", 1)


def test_compare_exchange_sse_and_json() -> None:
    sse = b'event: RunStarted\ndata: {"run_id":"59c6e32d-f9fe-4a56-a90c-525a6669ba07","n":1}\n\n'
    exp = Exchange(200, "OK", [("content-type", "text/event-stream; charset=utf-8")], sse)
    same = Exchange(
        200,
        "OK",
        [("content-type", "text/event-stream; charset=utf-8")],
        sse.replace(b"59c6e32d", b"00000000"),
    )
    assert compare_exchange(exp, same) == []
    other = Exchange(
        200, "OK", [("content-type", "text/event-stream; charset=utf-8")], sse.replace(b'"n":1', b'"n":2')
    )
    assert compare_exchange(exp, other) == ["$[0:RunStarted].n: expected 1, got 2"]
    js = Exchange(404, "", [("content-type", "application/json")], b'{"detail":"x"}')
    assert compare_exchange(js, Exchange(404, "", [("content-type", "text/plain")], b"x")) == [
        "header content-type: expected 'application/json', got 'text/plain'",
        "body is not JSON: b'x'",
    ]
