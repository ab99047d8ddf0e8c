"""Workflow event names, order and dict shapes, as Agno 3.1.10 produces them (async path, read from
``agno/workflow/workflow.py`` ``_aexecute_stream`` and ``agno/workflow/step.py`` ``aexecute_stream``,
checked against Agno's own output for the same workflows)."""

from wf_helpers import echo_agent, names, suffix, upper

from brisk.run.workflow import (
    StepCompletedEvent,
    WorkflowCompletedEvent,
    WorkflowRunEvent,
    workflow_run_output_event_from_dict,
)
from brisk.workflow import Step, Workflow

BASE = ["created_at", "event", "workflow_id", "workflow_name", "session_id", "run_id"]


async def stream(wf, *args, **kw):
    return [e async for e in wf.arun(*args, stream=True, **kw)]


async def test_two_function_steps_event_sequence_and_shapes():
    events = await stream(Workflow(name="Two Steps", steps=[upper, suffix]), "x", stream_events=True)
    assert names(events) == [
        "WorkflowStarted",
        "StepStarted",
        "StepOutput",
        "StepCompleted",
        "StepStarted",
        "StepOutput",
        "StepCompleted",
        "WorkflowCompleted",
    ]
    d = [e.to_dict() for e in events]
    assert list(d[0]) == [*BASE, "nested_depth"]
    assert list(d[1]) == [*BASE, "step_id", "nested_depth", "step_name", "step_index"]
    assert list(d[2]) == [*BASE, "nested_depth", "step_name", "step_index", "step_output"]
    assert list(d[3]) == [
        *BASE,
        "step_id",
        "nested_depth",
        "step_name",
        "step_index",
        "content",
        "content_type",
        "step_response",
    ]
    assert list(d[-1]) == [*BASE, "nested_depth", "content", "content_type", "metrics", "step_results"]
    assert [x.get("step_index") for x in d] == [None, 0, 0, 0, 1, 1, 1, None]
    assert d[1]["step_id"] == d[3]["step_id"] == d[2]["step_output"]["step_id"]
    assert d[-1]["content"] == "X!" and len(d[-1]["step_results"]) == 2
    assert d[0]["workflow_id"] == "two-steps" and d[0]["workflow_name"] == "Two Steps"
    assert len({x["run_id"] for x in d}) == 1


async def test_two_agent_steps_event_sequence_with_forwarded_agent_events():
    wf = Workflow(
        name="agents", steps=[Step(name="s1", agent=echo_agent("A")), Step(name="s2", agent=echo_agent("B"))]
    )
    events = await stream(wf, "hey there", stream_events=True)
    agent_run = [
        "RunStarted",
        "ModelRequestStarted",
        *(["RunContent"] * 3),
        "ModelRequestCompleted",
        "RunContentCompleted",
        "RunCompleted",
    ]
    assert names(events) == [
        "WorkflowStarted",
        "StepStarted",
        *agent_run,
        "StepCompleted",
        "StepStarted",
        *["RunStarted", "ModelRequestStarted", *(["RunContent"] * 4), "ModelRequestCompleted"],
        "RunContentCompleted",
        "RunCompleted",
        "StepCompleted",
        "WorkflowCompleted",
    ]
    first = events[0]
    content = events[4].to_dict()
    assert list(content)[:12] == [
        "created_at",
        "event",
        "agent_id",
        "agent_name",
        "run_id",
        "session_id",
        "workflow_id",
        "workflow_run_id",
        "step_id",
        "step_name",
        "step_index",
        "nested_depth",
    ]
    assert content["workflow_id"] == "agents" and content["workflow_run_id"] == first.run_id
    assert content["session_id"] == first.session_id and content["step_name"] == "s1"
    assert content["step_index"] == 0 and content["run_id"] != first.run_id
    s2_run = [e for e in events if e.event == "RunStarted"][1]
    assert s2_run.step_name == "s2" and s2_run.step_index == 1
    completed = events[-1].to_dict()
    assert list(completed) == [
        *BASE,
        "nested_depth",
        "content",
        "content_type",
        "metrics",
        "step_results",
        "step_executor_runs",
    ]
    assert completed["content"] == "echo: echo: hey there"
    assert [r["agent_name"] for r in completed["step_executor_runs"]] == ["A", "B"]


async def test_plain_stream_sends_content_step_outputs_and_the_terminal_events_only():
    wf = Workflow(name="plain", steps=[Step(name="talk", agent=echo_agent()), suffix])
    events = await stream(wf, "a b")
    assert names(events) == [
        "WorkflowStarted",
        "RunContent",
        "RunContent",
        "RunContent",
        "StepOutput",
        "WorkflowCompleted",
    ]
    assert events[-2].step_output.content == "echo: a b!"


async def test_stream_executor_events_off_hides_agent_events():
    wf = Workflow(name="quiet", stream_executor_events=False, steps=[Step(name="talk", agent=echo_agent())])
    events = await stream(wf, "x", stream_events=True)
    assert names(events) == ["WorkflowStarted", "StepStarted", "StepCompleted", "WorkflowCompleted"]


async def test_stream_events_from_the_workflow_default():
    wf = Workflow(name="dflt", stream=True, stream_events=True, steps=[upper])
    events = [e async for e in wf.arun("x")]
    assert names(events)[:2] == ["WorkflowStarted", "StepStarted"]


async def test_composite_event_shapes():
    from brisk.workflow import Condition, Loop, Parallel, Router, Steps

    wf = Workflow(
        name="shapes",
        steps=[
            Steps(name="grp", steps=[upper]),
            Parallel(upper, suffix, name="par"),
            Condition(name="cond", evaluator=True, steps=[upper]),
            Loop(name="lp", steps=[upper], max_iterations=1),
            Router(name="rt", selector=lambda si: "upper", choices=[upper]),
        ],
    )
    events = await stream(wf, "x", stream_events=True)
    by = {}
    for e in events:
        by.setdefault(e.event, e.to_dict())
    tail = ["step_id", "nested_depth", "step_name", "step_index"]
    assert list(by["StepsExecutionStarted"]) == [*BASE, *tail, "steps_count"]
    assert list(by["StepsExecutionCompleted"]) == [
        *BASE,
        *tail,
        "steps_count",
        "executed_steps",
        "step_results",
    ]
    assert list(by["ParallelExecutionStarted"]) == [*BASE, *tail, "parallel_step_count"]
    assert list(by["ParallelExecutionCompleted"]) == [*BASE, *tail, "parallel_step_count", "step_results"]
    assert list(by["ConditionExecutionStarted"]) == [*BASE, *tail, "condition_result"]
    assert list(by["ConditionExecutionCompleted"]) == [
        *BASE,
        *tail,
        "condition_result",
        "executed_steps",
        "branch",
        "step_results",
    ]
    assert list(by["LoopExecutionStarted"]) == [*BASE, *tail, "max_iterations"]
    assert list(by["LoopIterationStarted"]) == [*BASE, *tail, "iteration", "max_iterations"]
    assert list(by["LoopIterationCompleted"]) == [
        *BASE,
        *tail,
        "iteration",
        "max_iterations",
        "should_continue",
        "iteration_results",
    ]
    assert list(by["LoopExecutionCompleted"]) == [
        *BASE,
        *tail,
        "total_iterations",
        "max_iterations",
        "all_results",
    ]
    assert list(by["RouterExecutionStarted"]) == [*BASE, *tail, "selected_steps"]
    assert list(by["RouterExecutionCompleted"]) == [
        *BASE,
        *tail,
        "selected_steps",
        "executed_steps",
        "step_results",
    ]
    # children of a composite carry its id as parent_step_id, and (index, child) indices
    inner = [e for e in events if e.event == "StepStarted"][0].to_dict()
    assert inner["parent_step_id"] == by["StepsExecutionStarted"]["step_id"] and inner["step_index"] == (0, 0)


def test_every_agno_event_name_is_known():
    assert {e.value for e in WorkflowRunEvent} >= {
        "WorkflowStarted",
        "WorkflowCompleted",
        "WorkflowError",
        "WorkflowCancelled",
        "StepStarted",
        "StepCompleted",
        "StepError",
        "ParallelExecutionStarted",
        "ParallelExecutionCompleted",
        "LoopExecutionStarted",
        "LoopIterationStarted",
        "LoopIterationCompleted",
        "LoopExecutionCompleted",
        "ConditionExecutionStarted",
        "ConditionExecutionCompleted",
        "RouterExecutionStarted",
        "RouterExecutionCompleted",
        "StepsExecutionStarted",
        "StepsExecutionCompleted",
        "StepOutput",
    }


async def test_events_round_trip_from_dict():
    events = await stream(
        Workflow(name="rt", steps=[upper, Step(name="t", agent=echo_agent())]), "x", stream_events=True
    )
    for ev in events:
        again = workflow_run_output_event_from_dict(ev.to_dict())
        assert type(again) is type(ev)
        assert again.to_dict() == ev.to_dict()
    completed = workflow_run_output_event_from_dict(events[-1].to_dict())
    assert isinstance(completed, WorkflowCompletedEvent) and completed.step_results[1].content == "echo: X"
    step_done = next(e for e in events if isinstance(e, StepCompletedEvent))
    assert workflow_run_output_event_from_dict(step_done.to_dict()).step_response.content == "X"


async def test_function_step_progress_and_forwarded_agent_events():
    from brisk.workflow import StepProgress

    agent = echo_agent()

    async def work(step_input):
        yield StepProgress(content="half", data={"pct": 50})
        async for ev in agent.arun(step_input.input, stream=True):
            yield ev  # forwarded, stamped with the step; its content becomes the step's content

    wf = Workflow(name="progress", steps=[Step(name="work", executor=work)])
    events = await stream(wf, "go", stream_events=True)
    assert names(events) == [
        "WorkflowStarted",
        "StepStarted",
        "StepProgress",
        "RunContent",
        "RunContent",
        "StepOutput",
        "StepCompleted",
        "WorkflowCompleted",
    ]
    progress = events[2].to_dict()
    assert (progress["content"], progress["data"], progress["attempt"]) == ("half", {"pct": 50}, 1)
    assert events[3].step_name == "work" and events[3].workflow_run_id == events[0].run_id
    assert events[-1].content == "echo: go"
