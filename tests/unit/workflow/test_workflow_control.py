"""Nesting, failures (retries, skip_on_failure, on_error), early stop and cancellation."""

import asyncio

import pytest
from wf_helpers import MODES, echo_agent, names, run_any, suffix, upper

from brisk.db.in_memory import InMemoryDb
from brisk.run.base import RunStatus
from brisk.workflow import (
    Condition,
    HumanReview,
    Loop,
    Parallel,
    Router,
    Step,
    StepInput,
    StepOutput,
    Steps,
    Workflow,
)


# -- nesting -----------------------------------------------------------------------------------------
def nested_workflow(**kw):
    counter = {"n": 0}

    def tick(step_input: StepInput) -> str:
        counter["n"] += 1
        return f"tick{counter['n']}"

    loop = Loop(name="ticks", steps=[tick], max_iterations=2)
    par = Parallel(loop, Step(name="talk", agent=echo_agent()), name="fanout")

    def summary(step_input: StepInput) -> str:
        return f"ticks={step_input.get_step_content('ticks')} talk={step_input.get_step_content('talk')}"

    return Workflow(name="nested", steps=[Steps(name="outer", steps=[upper, par, summary])], **kw)


@pytest.mark.parametrize("mode", MODES)
async def test_loop_inside_parallel_inside_steps(mode):
    events, out = await run_any(mode, nested_workflow(), "go")
    outer = out.step_results[0]
    assert outer.step_type == "Steps" and [s.step_name for s in outer.steps] == ["upper", "fanout", "summary"]
    fanout = outer.steps[1]
    assert fanout.step_type == "Parallel" and [s.step_name for s in fanout.steps] == ["ticks", "talk"]
    ticks = fanout.steps[0]
    assert ticks.step_type == "Loop" and [s.content for s in ticks.steps] == ["tick1", "tick2"]
    assert fanout.steps[1].content == "echo: GO"
    # named outputs are found at any depth; a Loop's content is its last child's
    assert outer.steps[2].content == "ticks=tick2 talk=echo: GO"
    assert out.content == "ticks=tick2 talk=echo: GO"
    assert out.metrics.steps["talk"].executor_type == "agent"
    if mode.endswith("stream"):
        seq = names(events)
        assert seq[0] == "WorkflowStarted" and seq[1] == "StepsExecutionStarted"
        assert seq[-2:] == ["StepsExecutionCompleted", "WorkflowCompleted"]
        for name in (
            "ParallelExecutionStarted",
            "LoopExecutionStarted",
            "LoopIterationStarted",
            "RunCompleted",
        ):
            assert name in seq
        # indices: Steps at 0 -> children (0, i); Parallel at (0, 1) -> branches share it; Loop extends it
        tick_started = [e for e in events if e.event == "StepStarted" and e.step_name == "tick"]
        assert [e.step_index for e in tick_started] == [(0, 1, 0), (0, 1, 0)]
        loop_started = next(e for e in events if e.event == "LoopExecutionStarted")
        par_started = next(e for e in events if e.event == "ParallelExecutionStarted")
        assert loop_started.step_index == (0, 1) and loop_started.parent_step_id == par_started.step_id


# -- failures ----------------------------------------------------------------------------------------
def flaky(fail_times: int):
    calls = {"n": 0}

    def step(step_input: StepInput) -> str:
        calls["n"] += 1
        if calls["n"] <= fail_times:
            raise ValueError(f"boom {calls['n']}")
        return "recovered"

    return step, calls


@pytest.mark.parametrize("mode", MODES)
async def test_failing_step_without_skip_on_failure_is_skipped_by_the_default_on_error(mode):
    broken, calls = flaky(99)
    wf = Workflow(name="f1", steps=[Step(name="broken", executor=broken, max_retries=2), suffix])
    _, out = await run_any(mode, wf, "x")
    assert calls["n"] == 3  # one attempt + max_retries
    failed = out.step_results[0]
    assert (failed.step_name, failed.success, failed.error) == ("broken", False, "boom 3")
    assert failed.content == "Step skipped due to error: boom 3"
    assert out.content == "Step skipped due to error: boom 3!"
    if mode.endswith("plain"):
        assert out.status == RunStatus.completed


@pytest.mark.parametrize("mode", MODES)
async def test_failing_step_with_skip_on_failure(mode):
    broken, calls = flaky(99)
    wf = Workflow(
        name="f2", steps=[Step(name="broken", executor=broken, max_retries=1, skip_on_failure=True), suffix]
    )
    _, out = await run_any(mode, wf, "x")
    assert calls["n"] == 2
    failed = out.step_results[0]
    assert failed.content == "Step broken failed but skipped" and failed.success is False
    assert failed.error == "boom 2" and failed.step_name is None  # Agno leaves it unnamed
    assert out.content == "Step broken failed but skipped!"


async def test_retries_recover():
    broken, calls = flaky(2)
    out = await Workflow(name="f3", steps=[Step(name="r", executor=broken, max_retries=3)]).arun("x")
    assert calls["n"] == 3 and out.content == "recovered" and out.step_results[0].success


async def test_on_error_fail_ends_the_run_with_an_error_non_stream():
    db = InMemoryDb()
    broken, _ = flaky(99)
    wf = Workflow(
        name="f4",
        db=db,
        steps=[
            upper,
            Step(name="broken", executor=broken, max_retries=0, human_review=HumanReview(on_error="fail")),
            suffix,
        ],
    )
    with pytest.raises(ValueError, match="boom 1"):
        await wf.arun("x", session_id="s")
    rows = await db.get_runs("s")
    assert rows[0]["status"] == "ERROR"
    data = rows[0]["run_data"]
    assert data["content"] == "Workflow execution failed: boom 1"
    assert [r["step_name"] for r in data["step_results"]] == ["upper", "broken"]
    assert data["step_results"][1]["success"] is False


async def test_on_error_fail_stream_yields_step_and_workflow_errors_then_raises():
    broken, _ = flaky(99)
    wf = Workflow(
        name="f5",
        steps=[
            upper,
            Step(name="broken", executor=broken, max_retries=0, human_review=HumanReview(on_error="fail")),
        ],
    )
    events = []
    with pytest.raises(ValueError, match="boom 1"):
        async for ev in wf.arun("x", stream=True, stream_events=True):
            events.append(ev)
    assert names(events) == [
        "WorkflowStarted",
        "StepStarted",
        "StepOutput",
        "StepCompleted",
        "StepStarted",
        "StepError",
        "WorkflowError",
    ]
    assert events[-2].step_name == "broken" and events[-2].step_index == 1 and events[-2].error == "boom 1"
    assert events[-1].error == "boom 1" and events[-1].to_dict()["event"] == "WorkflowError"


async def test_reported_failure_with_on_error_fail():
    def soft_fail(step_input):
        return StepOutput(content="nope", success=False, error="bad input")

    wf = Workflow(
        name="f6", steps=[Step(name="soft", executor=soft_fail, human_review=HumanReview(on_error="fail"))]
    )
    with pytest.raises(RuntimeError, match="bad input"):
        await wf.arun("x")


async def test_composite_failures():
    broken, _ = flaky(99)
    boom = Step(name="boom", executor=broken, max_retries=0)
    # Parallel: the failing branch becomes a failed output, the other branch is kept
    out = await Workflow(name="c1", steps=[Parallel(boom, upper, name="p")]).arun("x")
    par = out.step_results[0]
    assert par.success is False and [s.success for s in par.steps] == [False, True]
    assert par.steps[0].content == "Step boom failed: boom 1"
    # Steps catches and reports; the workflow goes on
    out = await Workflow(name="c2", steps=[Steps(name="s", steps=[boom]), suffix]).arun("x")
    assert out.step_results[0].content == "Steps execution failed: boom 2" and out.content.endswith("!")
    # Condition (on_error skip): a failed output, the branch stops
    out = await Workflow(name="c3", steps=[Condition(evaluator=True, steps=[boom, upper])]).arun("x")
    assert [s.content for s in out.step_results[0].steps] == ["Step boom failed: boom 3"]
    # Router: the same
    out = await Workflow(
        name="c4", steps=[Router(selector=lambda si: [boom, upper], choices=[boom, upper])]
    ).arun("x")
    assert [s.success for s in out.step_results[0].steps] == [False]
    # Loop: the failure fails the workflow
    with pytest.raises(ValueError, match="boom 5"):
        await Workflow(name="c5", steps=[Loop(steps=[boom])]).arun("x")


async def test_agent_model_error_is_a_failed_step_not_an_exception():
    from brisk.agent import Agent
    from brisk.models.function import FunctionModel

    def broken_model(messages, tools):
        raise RuntimeError("provider down")

    wf = Workflow(
        name="m",
        steps=[Step(name="a", agent=Agent(name="A", model=FunctionModel(function=broken_model))), suffix],
    )
    out = await wf.arun("x")
    assert out.step_results[0].success is False and "provider down" in out.step_results[0].error
    assert out.status == RunStatus.completed


# -- early stop --------------------------------------------------------------------------------------
def halt(step_input):
    return StepOutput(content="halted", stop=True)


@pytest.mark.parametrize("mode", MODES)
async def test_early_stop(mode):
    called = []

    def never(step_input):
        called.append(1)
        return "never"

    wf = Workflow(name="stop", steps=[upper, halt, never])
    events, out = await run_any(mode, wf, "x")
    assert out.content == "halted" and not called
    assert [r.step_name for r in out.step_results] == ["upper", "halt"]
    if mode.endswith("stream"):
        # As Agno: the stopping step's output is sent, its StepCompleted is not.
        assert names(events)[-3:] == ["StepStarted", "StepOutput", "WorkflowCompleted"]


@pytest.mark.parametrize("mode", MODES)
async def test_early_stop_inside_a_composite_stops_the_workflow(mode):
    called = []

    def never(step_input):
        called.append(1)
        return "never"

    wf = Workflow(name="stop2", steps=[Steps(name="g", steps=[upper, halt, never]), never])
    _, out = await run_any(mode, wf, "x")
    assert not called and out.content == "halted" and out.step_results[0].stop
    lp = Workflow(name="stop3", steps=[Loop(steps=[halt, never], max_iterations=5)])
    _, out = await run_any(mode, lp, "x")
    assert not called and len(out.step_results[0].steps) == 1


# -- cancellation ------------------------------------------------------------------------------------
async def test_cancel_run_mid_stream_stores_a_cancelled_run():
    db = InMemoryDb()

    async def slow(step_input):
        await asyncio.sleep(5)
        return "late"

    wf = Workflow(name="cx", db=db, steps=[upper, Step(name="slow", executor=slow), suffix])
    events = []
    async for ev in wf.arun("x", session_id="s", stream=True, stream_events=True):
        events.append(ev)
        if ev.event == "StepStarted" and ev.step_name == "slow":
            assert Workflow.cancel_run(ev.run_id)
    assert names(events)[-2:] == ["WorkflowCancelled", "WorkflowCompleted"]
    assert events[-2].reason == f"Run {events[0].run_id} was cancelled"
    row = (await db.get_runs("s"))[0]
    assert row["status"] == "CANCELLED"
    assert row["run_data"]["cancellation_stage"] == "EXECUTING"
    assert [r["step_name"] for r in row["run_data"]["step_results"]] == ["upper", "slow"]
    assert row["run_data"]["step_results"][1]["error"] == "Cancelled during execution"


async def test_cancel_run_non_stream_from_another_task_interrupts_an_agent():
    from brisk.agent import Agent
    from brisk.models.function import FunctionModel

    async def slow_answer(messages, tools):
        await asyncio.sleep(5)
        return "too late"

    model = FunctionModel(function=slow_answer)
    wf = Workflow(name="cy", steps=[Step(name="a", agent=Agent(name="A", model=model))])
    task = asyncio.ensure_future(wf.arun("x", run_id="run-1", stream=False))
    await asyncio.sleep(0.05)
    assert wf.cancel_run("run-1")
    out = await asyncio.wait_for(task, 2)
    assert out.status == RunStatus.cancelled and out.content == "Run run-1 was cancelled"
    assert not wf.cancel_run("run-1")  # no longer running


def test_cancel_run_with_the_sync_stream_api():
    wf_holder = {}

    def stop_me(step_input, run_context):
        wf_holder["wf"].cancel_run(run_context.run_id)
        return "stopping"

    wf = Workflow(name="cz", steps=[upper, stop_me, suffix])
    wf_holder["wf"] = wf
    events = list(wf.run("x", stream=True, stream_events=True))
    assert names(events)[-2:] == ["WorkflowCancelled", "WorkflowCompleted"]
    assert "suffix" not in [e.step_name for e in events if e.event == "StepStarted"]


async def test_consumer_leaving_a_stream_stores_the_run_as_cancelled():
    db = InMemoryDb()

    async def slow(step_input):
        await asyncio.sleep(5)

    wf = Workflow(name="gone", db=db, steps=[upper, slow])
    agen = wf.arun("x", session_id="s", stream=True, stream_events=True)
    async for ev in agen:
        if ev.event == "StepStarted" and ev.step_name == "slow":
            break
    await agen.aclose()
    row = (await db.get_runs("s"))[0]
    assert row["status"] == "CANCELLED"
    assert row["run_data"]["content"] == "Operation cancelled by user"


async def test_consumer_leaving_after_workflow_completed_keeps_the_run_completed():
    db = InMemoryDb()
    wf = Workflow(name="done", db=db, steps=[upper])
    agen = wf.arun("x", session_id="s", stream=True)
    async for ev in agen:
        if ev.event == "WorkflowCompleted":
            break
    await agen.aclose()
    assert (await db.get_runs("s"))[0]["status"] == "COMPLETED"
