"""``/workflows``: workflow cards, runs (streamed and not), stored runs and cancel.

Built like the agents router, with its helpers: the same run form (:func:`brisk.os.forms.parse_run_form`,
``stream`` defaulting to true), the same admission (429 / 503 before the response starts), the same
SSE framing and disconnect watch (a client that leaves cancels the run, which is stored CANCELLED).
What differs is Agno's: a streamed run that fails before or outside the run loop ends with a
``WorkflowError`` frame (never a second one after the loop's own), and a failing non-streamed run is
Agno's plain 500.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from brisk.os import _shapes
from brisk.os._http import Request, Response, json
from brisk.os.errors import HTTPError
from brisk.os.forms import check_run_options, parse_run_form
from brisk.os.router import Route
from brisk.os.routers.sessions import assert_session_writable
from brisk.os.sse import frame, stream_run, unless_disconnected
from brisk.run.workflow import WorkflowErrorEvent, WorkflowRunOutput

if TYPE_CHECKING:
    from brisk.os.app import AgentOS

__all__ = ["routes", "workflow_card", "workflow_summary"]


# -- cards ------------------------------------------------------------------------------------------
def workflow_summary(wf: Any) -> dict[str, Any]:
    """``WorkflowSummaryResponse`` (``/workflows`` and ``/config``), nulls left out."""
    return _shapes.drop_none(
        {
            "id": wf.id,
            "name": wf.name,
            "description": wf.description,
            "db_id": wf.db.id if wf.db is not None else None,
            "is_factory": False,
            "is_component": False,
            "sandboxed": False,
        }
    )


def workflow_card(wf: Any) -> dict[str, Any]:
    """``WorkflowResponse`` (``/workflows/{id}``): the steps with their agents' cards, nulls left out."""
    steps = wf.to_dict_for_steps().get("steps")
    if steps:
        steps = [_prune_none(_resolve_agents(s)) for s in steps]
    return _shapes.drop_none(
        {
            "id": wf.id,
            "name": wf.name,
            "db_id": wf.db.id if wf.db is not None else None,
            "description": wf.description,
            "input_schema": _input_schema(wf),
            "steps": steps,
            "metadata": wf.metadata,
            "workflow_agent": False,
            "is_factory": False,
            "is_component": False,
            "sandboxed": False,
        }
    )


def _resolve_agents(step: dict[str, Any]) -> dict[str, Any]:
    from brisk.os.routers.agents import agent_card

    agent = step.get("agent")
    if agent is not None:
        if agent._functions is None:  # noqa: SLF001 - the card lists the tools; no run resolved them yet
            agent._resolve_tools()  # noqa: SLF001
        step["agent"] = agent_card(agent)
    for key in ("steps", "else_steps"):
        if step.get(key):
            step[key] = [_resolve_agents(s) for s in step[key]]
    return step


def _prune_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_none(v) for v in value]
    return value


_JSON_TYPES = {"str": "string", "bool": "boolean", "int": "integer", "float": "number"}


def _input_schema(wf: Any) -> dict[str, Any] | None:
    """An explicit ``input_schema`` (pydantic), else one from a callable workflow's own parameters."""
    schema = wf.input_schema
    if schema is not None:
        dump = getattr(schema, "model_json_schema", None)
        try:
            return dump() if dump is not None else None
        except Exception:  # noqa: BLE001 - Agno shows no schema when it cannot build one
            return None
    if not callable(wf.steps):
        return None
    params = wf.run_parameters
    if len(params) <= 1:
        return None
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, info in params.items():
        if name == "message":
            continue
        annotation = info.get("annotation", "str")
        prop = {"type": _JSON_TYPES.get(annotation, "string")}
        if annotation not in _JSON_TYPES and "List" in str(annotation):
            prop = {"type": "array", "items": {"type": "string"}}
        if info.get("default") is not None:
            prop["default"] = info["default"]
        properties[name] = prop
        if info.get("required") and info.get("default") is None:
            required.append(name)
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    return out


async def list_workflows(req: Request) -> Response:
    return req.os.workflow_cards_response()


async def get_workflow(req: Request) -> Response:
    return req.os.workflow_card_response(req.params["workflow_id"])


# -- runs -------------------------------------------------------------------------------------------
async def create_run(req: Request) -> Response | None:
    """``POST /workflows/{workflow_id}/runs``: validate, admit, then stream (SSE) or answer the run."""
    os: AgentOS = req.os
    body = await req.body()
    form = parse_run_form(req.header(b"content-type"), body)
    wf = os.get_workflow(req.params["workflow_id"])
    check_run_options(form)
    user_id = form.user_id
    await assert_session_writable(wf.db, form.session_id, user_id or wf.user_id, "workflow")
    session_id = form.session_id or str(uuid.uuid4())
    kwargs = form.run_kwargs
    if not form.stream and wf.input_schema is not None:
        try:
            wf._validate_input(form.message)  # noqa: SLF001 - Agno checks the schema before the run
        except Exception as e:  # noqa: BLE001 - any schema failure is the caller's input
            raise HTTPError(400, f"Input failed schema validation: {str(e)[:300]}") from None
    gate = os.gate
    gate.acquire()
    try:
        if form.stream:
            failed: list[bool] = []

            async def events() -> Any:
                # Started inside the stream, so that even a failure to start (bad input) is a frame.
                async for event in wf.arun(
                    form.message,
                    stream=True,
                    stream_events=form.stream_events,
                    session_id=session_id,
                    user_id=user_id,
                    **kwargs,
                ):
                    if isinstance(event, WorkflowErrorEvent) and event.workflow_id == wf.id:
                        failed.append(True)
                    yield event

            def on_error(e: BaseException) -> bytes:
                if failed:
                    return b""  # the run loop already reported it: one terminal event only
                return frame(
                    WorkflowErrorEvent(
                        error=str(e),
                        error_type=getattr(e, "type", None),
                        error_id=getattr(e, "error_id", None),
                        additional_data=getattr(e, "additional_data", None),
                    )
                )

            await stream_run(req.send, req.receive, events(), on_error)
            return None
        answered, out = await unless_disconnected(
            req.receive,
            wf.arun(form.message, stream=False, session_id=session_id, user_id=user_id, **kwargs),
        )
        return json(out.to_dict()) if answered and out is not None else None
    finally:
        gate.release()


async def cancel_run(req: Request) -> Response:
    from brisk.run.cancel import cancel_run as _cancel

    q = req.query
    q.str("session_id")
    q.check()
    req.os.get_workflow(req.params["workflow_id"])
    _cancel(req.params["run_id"])
    return json({})


# -- stored runs ------------------------------------------------------------------------------------
async def _session_of(req: Request, session_id: str, not_found: str) -> tuple[Any, dict[str, Any]]:
    workflow_id = req.params["workflow_id"]
    wf = req.os.get_workflow(workflow_id)
    db = wf.db
    row = await db.get_session(session_id, session_type="workflow") if db is not None else None
    if row is None or row.get("workflow_id") != workflow_id:
        raise HTTPError(404, not_found)
    return db, row


async def list_runs(req: Request) -> Response:
    q = req.query
    session_id = q.str("session_id", required=True)
    status = q.str("status")
    q.str("factory_input")
    q.check()
    db, _row = await _session_of(req, session_id, "Session not found")
    workflow_id = req.params["workflow_id"]
    out = []
    for r in await db.get_runs(session_id):
        data = r.get("run_data") or r
        if data.get("workflow_id") != workflow_id:
            continue
        run = WorkflowRunOutput.from_dict(data).to_dict()
        if status and run.get("status") != status:
            continue
        out.append(_shapes.workflow_run_schema(run))
    return json(out)


async def get_run(req: Request) -> Response:
    q = req.query
    session_id = q.str("session_id", required=True)
    q.str("factory_input")
    q.check()
    db, _row = await _session_of(req, session_id, "Run not found")
    run = await db.get_run(req.params["run_id"], session_id=session_id)
    data = (run.get("run_data") or run) if run else None
    if data is None or data.get("workflow_id") != req.params["workflow_id"]:
        raise HTTPError(404, "Run not found")
    # Agno answers with the stored run rebuilt as a WorkflowRunOutput: the same round trip here.
    return json(WorkflowRunOutput.from_dict(data).to_dict())


def routes(os: AgentOS) -> list[Route]:
    return [
        Route("GET", "/workflows", list_workflows),
        Route("GET", "/workflows/{workflow_id}", get_workflow),
        Route("GET", "/workflows/{workflow_id}/runs", list_runs),
        Route("POST", "/workflows/{workflow_id}/runs", create_run),
        Route("GET", "/workflows/{workflow_id}/runs/{run_id}", get_run),
        Route("POST", "/workflows/{workflow_id}/runs/{run_id}/cancel", cancel_run),
    ]
