"""What the model is sent: the system message, the history window and the user message."""

from __future__ import annotations

import re
import string
from collections import ChainMap
from datetime import datetime
from typing import TYPE_CHECKING, Any

from brisk.models.message import Message

if TYPE_CHECKING:
    from brisk.agent.agent import Agent

# Runs in these states never feed history (as Agno's HISTORY_SKIP_STATUSES).
HISTORY_SKIP_STATUSES = frozenset({"PAUSED", "CANCELLED", "ERROR", "REGENERATED"})


def render_instructions(instructions: list[str]) -> str:
    """One instruction as it is; several as a bullet list, multi-line ones kept as blocks."""
    if len(instructions) == 1:
        return instructions[0]

    def is_block(text: str) -> bool:
        return "\n" in text.strip()

    if not any(is_block(i) for i in instructions):
        return "\n".join(f"- {i.strip()}" for i in instructions)
    return "\n\n".join(i if is_block(i) else f"- {i.strip()}" for i in instructions)


def format_with_state(text: str, variables: ChainMap[str, Any] | dict[str, Any]) -> str:
    """Replace ``{name}`` placeholders with session state / dependencies / metadata / user_id values.

    Unknown placeholders (and JSON braces) are left alone, as in Agno.
    """
    if "{" not in text and "$" not in text:
        return text
    converted = text
    for name in variables.keys():
        converted = re.sub(r"\{" + re.escape(name) + r"\}", "${" + name + "}", converted)
    try:
        return string.Template(converted).safe_substitute(variables)
    except (ValueError, KeyError):
        return text


def state_variables(
    session_state: dict[str, Any] | None,
    dependencies: dict[str, Any] | None,
    metadata: dict[str, Any] | None,
    user_id: str | None,
) -> ChainMap[str, Any]:
    return ChainMap(
        session_state or {},
        dependencies or {},
        metadata or {},
        {"user_id": user_id} if user_id is not None else {},
    )


def build_system_message(
    agent: Agent,
    variables: ChainMap[str, Any],
    session_state: dict[str, Any] | None,
    output_schema: Any,
    memory_context: str = "",
) -> Message | None:
    """The system message, assembled in Agno's order (description, role, instructions, additional
    information, tool instructions, expected output, additional context, memories and session summary
    (``memory_context``, built by ``_memory``), output format, state)."""
    role = agent.system_message_role
    if agent.system_message is not None:
        sm = agent.system_message
        if isinstance(sm, Message):
            return sm
        text = sm(agent=agent) if callable(sm) else str(sm)
        if agent.resolve_in_context:
            text = format_with_state(text, variables)
        return Message(role=role, content=text)
    if not agent.build_context:
        return None

    instructions: list[str] = []
    if agent.instructions is not None:
        ins = agent.instructions
        if callable(ins):
            ins = _call_with_optional_agent(ins, agent)
        if isinstance(ins, str):
            instructions.append(ins)
        elif isinstance(ins, list):
            instructions.extend(ins)

    extra: list[str] = []
    if agent.markdown and output_schema is None:
        extra.append("Use markdown to format your answers.")
    if agent.add_datetime_to_context:
        now = datetime.now(_tz(agent.timezone_identifier))
        extra.append(
            f"The current time is {now.strftime(agent.datetime_format) if agent.datetime_format else now}."
        )
    if agent.name is not None and agent.add_name_to_context:
        extra.append(f"Your name is: {agent.name}.")

    text = ""
    if agent.description is not None:
        text += f"{agent.description}\n"
    if agent.role is not None:
        text += f"\n<your_role>\n{agent.role}\n</your_role>\n\n"
    if instructions:
        rendered = render_instructions(instructions)
        text += (
            f"<instructions>\n{rendered}\n</instructions>\n\n"
            if agent.use_instruction_tags
            else rendered + "\n\n"
        )
    if extra:
        text += (
            "<additional_information>"
            + "".join(f"\n- {e}" for e in extra)
            + "\n</additional_information>\n\n"
        )
    for ti in agent._tool_instructions():
        text += f"{ti}\n"
    if agent.resolve_in_context:
        text = format_with_state(text, variables)
    if agent.expected_output is not None:
        text += f"<expected_output>\n{agent.expected_output.strip()}\n</expected_output>\n\n"
    if agent.additional_context is not None:
        text += f"{agent.additional_context}\n"
    if memory_context:
        text += memory_context
    if output_schema is not None:
        text += json_output_prompt(output_schema)
    if agent.add_session_state_to_context and session_state is not None:
        text += f"\n<session_state>\n{session_state}\n</session_state>\n\n"
    return Message(role=role, content=text.strip()) if text else None


def json_output_prompt(output_schema: Any) -> str:
    """Ask for JSON matching the schema (used when the model is not given a native response format)."""
    import json

    schema = output_json_schema(output_schema)
    props = schema.get("properties", {})
    return (
        "Provide your output as a JSON containing the following fields:"
        f"\n<json_fields>\n{json.dumps(list(props.keys()))}\n</json_fields>"
        f"\n\nHere are the properties for each field:\n<json_field_properties>\n{json.dumps(props, indent=2)}"
        "\n</json_field_properties>"
        "\nStart your response with `{` and end it with `}`.\nYour output will be passed to json.loads() to convert "
        "it to a Python object.\nMake sure it only contains valid JSON."
    )


def output_json_schema(output_schema: Any) -> dict[str, Any]:
    if isinstance(output_schema, dict):
        return output_schema
    schema_fn = getattr(output_schema, "model_json_schema", None)  # pydantic, imported by the user
    if schema_fn is not None:
        return schema_fn()
    import msgspec

    return msgspec.json.schema(output_schema)


def history_messages(run_rows: list[dict[str, Any]], system_role: str) -> list[Message]:
    """Messages of previous runs (oldest first), tagged ``from_history``; their system messages and
    messages that were themselves history are skipped."""
    out: list[Message] = []
    for row in run_rows:
        data = row.get("run_data") if "run_data" in row else row
        if not data or data.get("status") in HISTORY_SKIP_STATUSES:
            continue
        for m in data.get("messages") or ():
            if m.get("from_history") or m.get("role") == system_role or m.get("role") == "system":
                continue
            msg = Message.from_dict(m)
            msg.from_history = True
            out.append(msg)
    return out


def user_message(agent: Agent, input: Any, variables: ChainMap[str, Any]) -> Message:
    if isinstance(input, Message):
        return input
    if isinstance(input, dict) and "role" in input:
        return Message.from_dict(input)
    if isinstance(input, str):
        content: Any = format_with_state(input, variables) if agent.resolve_in_context else input
    elif isinstance(input, (list, dict)):
        import json

        content = json.dumps(input, ensure_ascii=False)
    elif hasattr(input, "model_dump_json"):
        content = input.model_dump_json(exclude_none=True)
    else:
        content = str(input)
    return Message(role=agent.user_message_role, content=content)


def _tz(name: str | None) -> Any:
    if not name:
        return None
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - an unknown zone falls back to local time, as Agno
        return None


def _call_with_optional_agent(fn: Any, agent: Agent) -> Any:
    import inspect

    params = inspect.signature(fn).parameters
    return fn(agent=agent) if "agent" in params else fn()
