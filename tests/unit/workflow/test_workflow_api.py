"""Constructor keywords, what Brisk refuses, StepInput/StepOutput helpers, callable workflows, printing."""

import pytest
from wf_helpers import echo_agent, suffix, upper

from brisk.run.workflow import WorkflowRunOutput
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
    WorkflowExecutionInput,
)


def test_agno_constructor_keywords_are_accepted():
    wf = Workflow(
        id="wf-1",
        name="All",
        description="d",
        db=None,
        steps=[upper],
        agent=None,
        session_id="s",
        session_state={"a": 1},
        overwrite_db_session_state=True,
        user_id="u",
        debug_level=2,
        debug_mode=True,
        stream=False,
        stream_events=True,
        stream_executor_events=False,
        store_events=True,
        store_media=False,
        media_storage=None,
        events_to_skip=["RunContent"],
        store_executor_outputs=False,
        input_schema=None,
        metadata={"m": 1},
        dependencies={"d": 1},
        add_dependencies_to_context=None,
        add_session_state_to_context=None,
        cache_session=True,
        telemetry=False,
        add_workflow_history_to_steps=True,
        num_history_runs=5,
    )
    assert wf.id == "wf-1" and wf.num_history_runs == 5


def test_unknown_and_unimplemented_keywords_raise_type_errors():
    with pytest.raises(TypeError, match="'bogus', 'other'"):
        Workflow(name="x", bogus=1, other=2)
    with pytest.raises(TypeError, match="'agent'"):
        Workflow(name="x", agent=object())
    with pytest.raises(TypeError, match="'add_session_state_to_context'"):
        Workflow(name="x", add_session_state_to_context=True)
    with pytest.raises(TypeError, match="Workflow.run\\(\\): the 'images'"):
        Workflow(name="x", steps=[upper]).run("x", images=[object()])
    with pytest.raises(TypeError, match="add_dependencies_to_context"):
        Workflow(name="x", steps=[upper]).run("x", add_dependencies_to_context=True)


def test_unimplemented_primitives_and_options_fail_clearly():
    with pytest.raises(NotImplementedError, match="team executors"):
        Step(name="t", team=object())
    with pytest.raises(NotImplementedError, match="nested workflow"):
        Step(name="w", workflow=Workflow(name="inner"))
    with pytest.raises(NotImplementedError, match="nested workflow"):
        Workflow(name="outer", steps=[Workflow(name="inner")]).run("x")
    with pytest.raises(NotImplementedError, match="CEL"):
        Condition(evaluator="input.contains('x')", steps=[upper])
    with pytest.raises(NotImplementedError, match="CEL"):
        Loop(steps=[upper], end_condition="current_iteration >= 2")
    with pytest.raises(NotImplementedError, match="CEL"):
        Router(selector="'a'", choices=[upper])
    with pytest.raises(NotImplementedError, match="requires_confirmation"):
        Step(name="c", executor=upper, human_review=HumanReview(requires_confirmation=True))
    with pytest.raises(NotImplementedError, match="on_error='pause'"):
        Steps(name="p", steps=[upper], human_review=HumanReview(on_error="pause"))
    with pytest.raises(ValueError, match="must have one executor"):
        Step(name="none")
    with pytest.raises(ValueError, match="only have one executor"):
        Step(name="two", executor=upper, agent=echo_agent())
    with pytest.raises(ValueError, match="Invalid step type"):
        Workflow(name="bad", steps=[42]).run("x")


def test_step_defaults_follow_agno():
    s = Step(executor=upper)
    assert s.name == "upper" and s.max_retries == 3 and not s.skip_on_failure
    assert s.executor_type == "function" and s.executor_name == "upper" and len(s.step_id) == 36
    assert s.human_review.on_error == "skip"
    a = Step(name="a", agent=echo_agent(name="Talker"))
    assert a.executor_type == "agent" and a.executor_name == "Talker"
    assert a.to_dict()["type"] == "Step" and Loop(steps=[upper]).max_iterations == 3


def test_step_input_helpers():
    par = StepOutput(
        step_name="par",
        step_type="Parallel",
        content="agg",
        steps=[
            StepOutput(step_name="a", content="A"),
            StepOutput(step_name="cond", content="c", steps=[StepOutput(step_name="deep", content="D")]),
        ],
    )
    loop = StepOutput(
        step_name="lp", step_type="Loop", content="loop", steps=[StepOutput(step_name="i", content="I")]
    )
    si = StepInput(
        input={"q": 1},
        previous_step_outputs={"first": StepOutput(step_name="first", content="F"), "par": par, "lp": loop},
    )
    assert si.get_input_as_string() == '{\n  "q": 1\n}'
    assert si.get_step_output("deep").content == "D"  # found through nested outputs
    assert si.get_step_output("missing") is None
    assert si.get_step_content("first") == "F"
    assert si.get_step_content("par") == {"a": "A", "deep": "D"}
    assert si.get_step_content("lp") == "I"
    assert si.get_all_previous_content() == "=== first ===\nF\n\n=== par ===\nagg\n\n=== lp ===\nloop"
    assert si.get_last_step_content() == "I"
    assert si.get_workflow_history() == [] and si.get_workflow_history_context() is None
    assert StepInput().get_step_content("x") is None and StepInput().get_all_previous_content() == ""
    d = si.to_dict()
    assert list(d) == [
        "input",
        "previous_step_outputs",
        "previous_step_content",
        "additional_data",
        "images",
        "videos",
        "audio",
        "files",
    ]
    assert StepInput.from_dict(d).get_step_content("par") == {"a": "A", "deep": "D"}


def test_step_output_round_trip_and_content_rendering():
    out = StepOutput(step_name="s", step_type="Step", content=42, steps=[StepOutput(content={"k": 1})])
    d = out.to_dict()
    assert d["content"] == "42" and d["steps"][0]["content"] == {"k": 1}
    again = StepOutput.from_dict(d)
    assert again.steps[0].content == {"k": 1} and again.success and not again.stop


def test_workflow_run_output_to_dict_order():
    out = WorkflowRunOutput(run_id="r", input="i", content="c", workflow_id="w", metadata={})
    assert list(out.to_dict()) == [
        "input",
        "content",
        "content_type",
        "workflow_id",
        "run_id",
        "created_at",
        "status",
        "metadata",
    ]
    # Agno's round trip: events read back as a list (empty here).
    assert WorkflowRunOutput.from_dict(out.to_dict()).to_dict() == {**out.to_dict(), "events": []}


async def test_callable_steps_run_the_whole_workflow():
    def whole(workflow, execution_input: WorkflowExecutionInput, session_state, extra=None):
        session_state["seen"] = execution_input.input
        return f"{workflow.name}:{execution_input.get_input_as_string()}:{extra}"

    wf = Workflow(name="fn", steps=whole)
    out = await wf.arun("in", extra="kw")
    assert out.content == "fn:in:kw" and out.step_results == []

    async def streaming(execution_input):
        agent = echo_agent()
        async for ev in agent.arun(execution_input.input, stream=True):
            yield ev

    wf = Workflow(name="fn2", steps=streaming)
    events = [e async for e in wf.arun("hi", stream=True)]
    assert [e.event for e in events] == ["WorkflowStarted", "RunContent", "RunContent", "WorkflowCompleted"]
    assert events[-1].content == "echo: hi"
    assert wf._workflow_data()["steps"][0]["type"] == "Callable"


async def test_input_schema_validation():
    pydantic = pytest.importorskip("pydantic")

    class Query(pydantic.BaseModel):
        topic: str

    def show(step_input):
        return step_input.input.topic

    wf = Workflow(name="schema", input_schema=Query, steps=[show])
    assert (await wf.arun({"topic": "a"})).content == "a"
    assert (await wf.arun('{"topic": "b"}')).content == "b"
    assert (await wf.arun(Query(topic="c"))).to_dict()["input"] == {"topic": "c"}
    with pytest.raises(ValueError):
        await wf.arun(None)


def test_print_response(capsys):
    wf = Workflow(name="p", steps=[Step(name="t", agent=echo_agent()), suffix])
    wf.print_response("hi")
    assert capsys.readouterr().out == "echo: hi!\n"
    wf.print_response("hi", stream=True)
    assert capsys.readouterr().out == "echo: hiecho: hi!\n\n"


def test_to_dict_describes_the_configuration():
    wf = Workflow(name="Desc", steps=[upper, Parallel(suffix, name="p"), Steps(name="g", steps=[])])
    d = wf.to_dict()
    assert d["name"] == "Desc" and d["stream_events"] is False
    assert [s["type"] for s in d["steps"]] == [
        "Parallel",
        "Steps",
    ]  # as Agno: plain functions have no to_dict
    wf.run("x")  # preparing the steps wraps the function in a Step
    assert [s["type"] for s in wf.to_dict()["steps"]] == ["Step", "Parallel", "Steps"]


def test_session_id_is_sticky_and_run_ids_are_fresh():
    wf = Workflow(name="sticky", steps=[upper])
    a, b = wf.run("x"), wf.run("y")
    assert a.session_id == b.session_id == wf.session_id and a.run_id != b.run_id


async def test_an_agent_pausing_for_confirmation_fails_the_run_clearly():
    from brisk.agent import Agent
    from brisk.models.function import FunctionModel, tool_call
    from brisk.models.response import ModelResponse
    from brisk.tools import tool

    @tool(requires_confirmation=True)
    def delete(path: str) -> str:
        """Delete a file."""
        return "deleted"

    agent = Agent(
        name="Careful",
        model=FunctionModel(
            function=lambda m, t: ModelResponse(tool_calls=[tool_call("delete", '{"path": "x"}')])
        ),
        tools=[delete],
    )
    wf = Workflow(name="hitl", steps=[Steps(name="g", steps=[Step(name="careful", agent=agent)])])
    with pytest.raises(NotImplementedError, match="human-in-the-loop"):
        await wf.arun("x")


def test_run_parameters():
    assert Workflow(name="a", steps=[upper]).run_parameters["message"]["required"] is True

    def whole(workflow, execution_input, topic: str, depth: int = 2):
        return topic

    params = Workflow(name="b", steps=whole).run_parameters
    assert params == {
        "topic": {"name": "topic", "default": None, "annotation": "str", "required": True},
        "depth": {"name": "depth", "default": 2, "annotation": "int", "required": False},
    }
