"""Run types serialise to Agno 3.1.10's dict shapes (field names and order from the reference)."""

import json

from tests.reference import REFERENCE

from brisk.metrics import MessageMetrics, RunMetrics, SessionMetrics
from brisk.models.message import Message
from brisk.models.response import ToolExecution
from brisk.run.agent import (
    ModelRequestCompletedEvent,
    RunCompletedEvent,
    RunContentEvent,
    RunOutput,
    ToolCallStartedEvent,
    run_event_from_dict,
)

REF = REFERENCE


def _ref_row():
    return json.loads((REF / "sqlite-session-row.json").read_text())


def _sse_events(name: str) -> list[dict]:
    text = (REF / "exchanges" / name).read_text()
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


def test_stored_run_round_trips_to_identical_dict():
    for row in _ref_row()["agno_runs_rows"]:
        data = row["run_data"]
        again = RunOutput.from_dict(json.loads(json.dumps(data))).to_dict()
        assert again == data
        assert list(again) == list(data)  # same key order


def test_every_reference_event_round_trips():
    for name in ("run_stream.http", "run_stream_tool.http"):
        for ev in _sse_events(name):
            again = run_event_from_dict(ev).to_dict()
            assert again == ev, name
            assert list(again) == list(ev)


def test_content_event_field_order_matches_agno():
    ev = RunContentEvent(
        created_at=1,
        agent_id="a",
        agent_name="A",
        run_id="r",
        session_id="s",
        content=" x",
        reasoning_content="",
    )
    assert list(ev.to_dict()) == [
        "created_at",
        "event",
        "agent_id",
        "agent_name",
        "run_id",
        "session_id",
        "nested_depth",
        "content",
        "workflow_agent",
        "content_type",
        "reasoning_content",
    ]


def test_completed_event_puts_metrics_after_session_state():
    ev = RunCompletedEvent(agent_id="a", content="x", session_state={}, metrics=RunMetrics(input_tokens=1))
    keys = list(ev.to_dict())
    assert keys.index("session_state") < keys.index("metrics")


def test_tool_execution_serialises_all_fields_with_nulls():
    d = ToolCallStartedEvent(agent_id="a", tool=ToolExecution(tool_call_id="c", tool_name="t")).to_dict()[
        "tool"
    ]
    assert d["result"] is None and d["approval_id"] is None and d["stop_after_tool_call"] is False
    assert len(d) == 21


def test_model_request_completed_keeps_zero_counters_drops_missing_ttft():
    d = ModelRequestCompletedEvent(
        agent_id="a", input_tokens=5, output_tokens=0, total_tokens=5, reasoning_tokens=0
    ).to_dict()
    assert d["output_tokens"] == 0 and d["reasoning_tokens"] == 0
    assert "time_to_first_token" not in d


def test_metrics_drop_zero_and_none_like_agno():
    m = MessageMetrics(input_tokens=3, output_tokens=0, total_tokens=3, time_to_first_token=0.5)
    assert m.to_dict() == {"input_tokens": 3, "total_tokens": 3, "time_to_first_token": 0.5}
    run = RunMetrics()
    run.add_model_call(
        "gpt-4o-mini", "OpenAI Chat", MessageMetrics(input_tokens=2, output_tokens=3, total_tokens=5)
    )
    run.add_model_call(
        "gpt-4o-mini", "OpenAI Chat", MessageMetrics(input_tokens=1, output_tokens=1, total_tokens=2)
    )
    assert run.to_dict() == {
        "input_tokens": 3,
        "output_tokens": 4,
        "total_tokens": 7,
        "details": {
            "model": [
                {
                    "input_tokens": 3,
                    "output_tokens": 4,
                    "total_tokens": 7,
                    "id": "gpt-4o-mini",
                    "provider": "OpenAI Chat",
                }
            ]
        },
    }
    s = SessionMetrics.from_dict(_ref_row()["agno_sessions_row"]["session_data"]["session_metrics"])
    s.add_run(run)
    assert s.to_dict()["input_tokens"] == 229 + 3
    assert s.to_dict()["details"]["model"][0]["total_tokens"] == 305 + 7


def test_message_dict_drops_empty_and_keeps_created_at_last():
    m = Message(role="assistant", content=None, tool_calls=[], created_at=7)
    d = m.to_dict()
    assert "content" not in d and "tool_calls" not in d
    assert list(d)[-1] == "created_at"
    assert Message.from_dict(d).to_dict() == d
