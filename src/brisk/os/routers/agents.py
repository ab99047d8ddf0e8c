"""``/agents``: agent cards, runs (streamed and not), stored runs, cancel and continue.

The run route is the hot path. Its order of checks is Agno's (the form is validated before the
agent is looked up, as FastAPI validates parameters before calling the endpoint), then Brisk's
admission (429 / 503), all before the response starts: a client gets a status, never a stream that
stops half-way. A streamed run is sent by :func:`brisk.os.sse.stream_run`, which also cancels the
run when the client disconnects.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from brisk.os import _shapes
from brisk.os._http import Request, Response, json, parse_bool
from brisk.os.errors import Errors, HTTPError, bool_parsing
from brisk.os.forms import check_run_options, parse_form, parse_run_form
from brisk.os.router import Route
from brisk.os.routers.sessions import assert_session_writable
from brisk.os.sse import error_frame, stream_run, unless_disconnected
from brisk.run.agent import RunOutput

if TYPE_CHECKING:
    from brisk.os.app import AgentOS

__all__ = ["agent_card", "routes"]

# Defaults Agno leaves out of an agent card (``filter_meaningful_config``).
_CARD_DEFAULTS: dict[str, Any] = {
    "add_history_to_context": False,
    "num_history_runs": 3,
    "enable_session_summaries": False,
    "search_past_sessions": False,
    "cache_session": False,
    "add_references": False,
    "references_format": "json",
    "enable_agentic_knowledge_filters": False,
    "enable_agentic_memory": False,
    "update_memory_on_run": False,
    "read_chat_history": False,
    "search_knowledge": True,
    "update_knowledge": False,
    "read_tool_call_history": False,
    "system_message_role": "system",
    "build_context": True,
    "markdown": False,
    "add_name_to_context": False,
    "add_datetime_to_context": False,
    "add_location_to_context": False,
    "resolve_in_context": True,
    "user_message_role": "user",
    "build_user_context": True,
    "retries": 0,
    "delay_between_retries": 1,
    "exponential_backoff": False,
    "parse_response": True,
    "use_json_mode": False,
    "stream_events": False,
}


def _meaningful(d: dict[str, Any]) -> dict[str, Any] | None:
    out = {
        k: v for k, v in d.items() if v is not None and not (k in _CARD_DEFAULTS and v == _CARD_DEFAULTS[k])
    }
    return out or None


def _tools_of(agent: Any) -> list[dict[str, Any]] | None:
    schemas = getattr(agent, "_tool_schemas", None)
    if not schemas:
        return None
    return [s["function"] if s.get("type") == "function" and "function" in s else s for s in schemas]


def agent_card(agent: Any) -> dict[str, Any]:
    """``AgentResponse`` of Agno 3.1.10 (what ``/agents`` lists), nulls left out."""
    model = agent.model
    model_info = {
        k: v
        for k, v in (
            ("name", getattr(model, "name", None)),
            ("model", getattr(model, "id", None)),
            ("provider", getattr(model, "provider", None)),
        )
        if v
    }
    db = agent.db
    instructions = agent.instructions if agent.instructions and not callable(agent.instructions) else None
    system_message = (
        agent.system_message if agent.system_message and not callable(agent.system_message) else None
    )
    card: dict[str, Any] = {
        "id": agent.id,
        "name": agent.name,
        "db_id": db.id if db is not None else None,
        "filesystem": False,
        "description": agent.description,
        "role": agent.role,
        "is_factory": False,
        "model": model_info or None,
        "tools": _meaningful(
            {
                "tools": _tools_of(agent),
                "tool_call_limit": agent.tool_call_limit,
                "tool_choice": agent.tool_choice,
            }
        ),
        "sessions": _meaningful(
            {
                "session_table": getattr(db, "session_table_name", None) if db is not None else None,
                "add_history_to_context": agent.add_history_to_context,
                "enable_session_summaries": getattr(agent, "enable_session_summaries", False),
                "num_history_runs": agent.num_history_runs,
                "search_past_sessions": getattr(agent, "search_past_sessions", False),
                "num_past_sessions_to_search": None,
                "num_past_session_runs_in_search": None,
                "cache_session": getattr(agent, "cache_session", False),
            }
        ),
        "knowledge": None,
        "memory": None,
        "reasoning": _meaningful({"reasoning": False, "reasoning_agent_id": None}),
        "default_tools": None,
        "system_message": _meaningful(
            {
                "system_message": str(system_message) if system_message else None,
                "system_message_role": agent.system_message_role,
                "build_context": agent.build_context,
                "description": agent.description,
                "instructions": instructions,
                "expected_output": agent.expected_output,
                "additional_context": agent.additional_context,
                "markdown": agent.markdown,
                "add_name_to_context": agent.add_name_to_context,
                "add_datetime_to_context": agent.add_datetime_to_context,
                "add_location_to_context": False,
                "timezone_identifier": agent.timezone_identifier,
                "resolve_in_context": agent.resolve_in_context,
            }
        ),
        "extra_messages": _meaningful(
            {"user_message_role": agent.user_message_role, "build_user_context": True}
        ),
        "response_settings": _meaningful(
            {
                "retries": agent.retries,
                "delay_between_retries": agent.delay_between_retries,
                "exponential_backoff": agent.exponential_backoff,
                "output_schema_name": _schema_name(agent.output_schema),
                "parse_response": agent.parse_response,
                "structured_outputs": agent.structured_outputs,
                "use_json_mode": agent.use_json_mode,
            }
        ),
        "introduction": agent.introduction,
        "streaming": _meaningful({"stream": agent.stream, "stream_events": agent.stream_events}),
        "metadata": agent.metadata,
        "is_component": False,
        "sandboxed": False,
    }
    return _shapes.drop_none(card)


def _schema_name(schema: Any) -> str | None:
    if schema is None:
        return None
    if isinstance(schema, dict):
        if "json_schema" in schema:
            return schema["json_schema"].get("name", "JSONSchema")
        if isinstance(schema.get("schema"), dict):
            return schema["schema"].get("title", "JSONSchema")
        return schema.get("title", "JSONSchema")
    return getattr(schema, "__name__", None)


# -- cards ------------------------------------------------------------------------------------------
async def list_agents(req: Request) -> Response:
    return req.os.cards_response()


async def get_agent(req: Request) -> Response:
    return req.os.card_response(req.params["agent_id"])


# -- runs -------------------------------------------------------------------------------------------
async def create_run(req: Request) -> Response | None:
    """``POST /agents/{agent_id}/runs``: validate, admit, then stream (SSE) or answer the run's JSON."""
    os: AgentOS = req.os
    body = await req.body()
    form = parse_run_form(req.header(b"content-type"), body)
    agent = os.get_agent(req.params["agent_id"])
    check_run_options(form)
    user_id = form.user_id
    await assert_session_writable(agent.db, form.session_id, user_id or agent.user_id)
    session_id = form.session_id or str(uuid.uuid4())
    kwargs = form.run_kwargs
    gate = os.gate
    gate.acquire()
    try:
        if form.stream:
            events = agent.arun(
                form.message,
                stream=True,
                stream_events=form.stream_events,
                session_id=session_id,
                user_id=user_id,
                **kwargs,
            )

            def on_error(e: BaseException) -> bytes:
                return error_frame(
                    str(e),
                    agent_id=agent.id or "",
                    agent_name=agent.name or "",
                    run_id=kwargs.get("run_id"),
                    session_id=session_id,
                    error_type=getattr(e, "type", None),
                )

            await stream_run(req.send, req.receive, events, on_error)
            return None
        answered, out = await unless_disconnected(
            req.receive,
            agent.arun(form.message, stream=False, session_id=session_id, user_id=user_id, **kwargs),
        )
        return json(out.to_dict()) if answered else None
    finally:
        gate.release()


async def cancel_run(req: Request) -> Response:
    from brisk.run.cancel import cancel_run as _cancel

    req.os.get_agent(req.params["agent_id"])
    _cancel(req.params["run_id"])
    return json({})


async def continue_run(req: Request) -> Response | None:
    """Continue a PAUSED run (tools that needed confirmation, or external results): form ``tools``
    (JSON array of tool executions), ``session_id``, ``user_id``, ``stream`` (default true).

    Agno's other continuation variants (a follow-up ``input``, ``continue_from``, ``fork``,
    ``regenerate``, ``additional_instructions``, ``background``) answer 501.
    """
    os: AgentOS = req.os
    form = {k: v for k, v in parse_form(req.header(b"content-type"), await req.body()) if isinstance(v, str)}
    errors = Errors()
    flags: dict[str, bool] = {}
    for name, default in (("stream", True), ("fork", False), ("regenerate", False), ("background", False)):
        raw = form.get(name) or None
        value = parse_bool(raw) if raw is not None else default
        if value is None:
            errors.add(bool_parsing(("body", name), raw))
        flags[name] = bool(value)
    errors.raise_if_any()
    agent = os.get_agent(req.params["agent_id"])
    unsupported = [n for n in ("input", "additional_instructions") if form.get(n)]
    unsupported += [n for n in ("fork", "regenerate", "background") if flags[n]]
    if form.get("continue_from", "end") not in ("", "end"):
        unsupported.append("continue_from")
    if unsupported:
        raise HTTPError(501, f"Continuing a run with {', '.join(unsupported)} is not supported by Brisk yet")
    updated_tools = _tools_field(form.get("tools") or "")
    session_id = form.get("session_id") or None
    user_id = form.get("user_id") or None
    run_id = req.params["run_id"]
    if agent.db is not None and session_id:
        row = await agent.db.get_run(run_id, session_id=session_id)
        if row is None or (row.get("run_data") or row).get("agent_id") != agent.id:
            raise HTTPError(404, "Run not found")
    kwargs = {"run_id": run_id, "updated_tools": updated_tools, "session_id": session_id, "user_id": user_id}
    os.gate.acquire()
    try:
        if flags["stream"]:
            events = agent.acontinue_run(stream=True, stream_events=True, **kwargs)

            def on_error(e: BaseException) -> bytes:
                return error_frame(
                    str(e),
                    agent_id=agent.id or "",
                    agent_name=agent.name or "",
                    run_id=run_id,
                    session_id=session_id,
                )

            await stream_run(req.send, req.receive, events, on_error)
            return None
        out = await agent.acontinue_run(stream=False, **kwargs)
        return json(out.to_dict())
    finally:
        os.gate.release()


def _tools_field(raw: str) -> list[Any] | None:
    if not raw:
        return None
    import msgspec

    from brisk.models.response import ToolExecution

    try:
        decoded = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise HTTPError(400, "Invalid JSON in tools field") from None
    if not isinstance(decoded, list):
        raise HTTPError(400, "Invalid structure or content for tools: expected a JSON array")
    try:
        return [ToolExecution.from_dict(t) for t in decoded]
    except Exception as e:  # noqa: BLE001 - any malformed entry is the caller's mistake
        raise HTTPError(400, f"Invalid structure or content for tools: {e}") from None


# -- stored runs ------------------------------------------------------------------------------------
async def list_runs(req: Request) -> Response:
    q = req.query
    session_id = q.str("session_id", required=True)
    status = q.str("status")
    q.check()
    agent_id = req.params["agent_id"]
    agent = req.os.get_agent(agent_id)
    db = agent.db
    row = await db.get_session(session_id, session_type="agent") if db is not None else None
    if row is None or row.get("agent_id") != agent_id:
        raise HTTPError(404, "Session not found")
    out = []
    for r in await db.get_runs(session_id):
        data = r.get("run_data") or r
        if data.get("agent_id") != agent_id or (status and data.get("status") != status):
            continue
        out.append(_shapes.run_schema(data))
    return json(out)


async def get_run(req: Request) -> Response:
    q = req.query
    session_id = q.str("session_id", required=True)
    q.check()
    agent_id = req.params["agent_id"]
    agent = req.os.get_agent(agent_id)
    db = agent.db
    row = await db.get_session(session_id, session_type="agent") if db is not None else None
    if row is None or row.get("agent_id") != agent_id:
        raise HTTPError(404, "Run not found")
    run = await db.get_run(req.params["run_id"], session_id=session_id)
    data = (run.get("run_data") or run) if run else None
    if data is None or data.get("agent_id") != agent_id:
        raise HTTPError(404, "Run not found")
    # Agno answers with the stored run rebuilt as a RunOutput: the same round trip gives the same body
    # (events [] when none were stored, no empty tools list).
    return json(RunOutput.from_dict(data).to_dict())


def routes(os: AgentOS) -> list[Route]:
    return [
        Route("GET", "/agents", list_agents),
        Route("GET", "/agents/{agent_id}", get_agent),
        Route("GET", "/agents/{agent_id}/runs", list_runs),
        Route("POST", "/agents/{agent_id}/runs", create_run),
        Route("GET", "/agents/{agent_id}/runs/{run_id}", get_run),
        Route("POST", "/agents/{agent_id}/runs/{run_id}/cancel", cancel_run),
        Route("POST", "/agents/{agent_id}/runs/{run_id}/continue", continue_run),
    ]
