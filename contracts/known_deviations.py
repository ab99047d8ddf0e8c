"""Mismatches Brisk keeps ON PURPOSE (an Agno bug not reproduced), each documented in deviations.md.

A diff whose fixture matches ``fixture`` (glob on the fixture path) and whose path matches ``path``
(regex) while Agno's value matches ``agno`` (regex) is not counted against the case; the report lists it
under "known deviations". Only intentional deviations belong here: a Brisk bug stays a mismatch.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KnownDeviation:
    id: str
    fixture: str
    path: str
    agno: str
    reason: str

    def covers(self, fixture_path: str, diff: dict[str, Any]) -> bool:
        return (
            fnmatch.fnmatch(fixture_path, self.fixture)
            and re.search(self.path, diff["path"]) is not None
            and re.fullmatch(self.agno, str(diff["agno"]), re.S) is not None
        )


KNOWN: list[KnownDeviation] = [
    KnownDeviation(
        id="D-SF-ERR",
        fixture="*/siliconflow/error_*.json",
        path=r"\.content$",
        agno="Unknown model error",
        reason="Agno bug: SiliconFlow's error body is not OpenAI-shaped and Agno loses the message; "
        "Brisk reports the provider's message.",
    ),
    # Agno passes the native SDKs' exception text through: the raw JSON body (Groq, Gemini) or the
    # SDK's "Error code: N - {python dict}" (Cerebras), and the SDK class name as error_type. Brisk
    # reports the provider's message and one error_type for every provider.
    KnownDeviation(
        id="D-PROV-ERRTEXT",
        fixture="*/groq/error_*.json",
        path=r"\.content$",
        agno=r'\{"error":\{.*',
        reason="raw provider body as the error text (Groq SDK); Brisk gives the message",
    ),
    KnownDeviation(
        id="D-PROV-ERRTEXT",
        fixture="*/gemini/error_*.json",
        path=r"\.content$",
        agno=r'\{"error":\{.*',
        reason="raw google.rpc body as the error text (google-genai); Brisk gives the message",
    ),
    KnownDeviation(
        id="D-PROV-ERRTEXT",
        fixture="*/cerebras/error_*.json",
        path=r"\.content$",
        agno=r"Error code: \d{3} - \{.*",
        reason="the Cerebras SDK's exception text; Brisk gives the provider's message",
    ),
    KnownDeviation(
        id="D-PROV-ERRTYPE",
        fixture="*/*/error_*.json",
        path=r"\.error_type$",
        agno=r"RateLimitError|ResponseError|APIStatusError|AuthenticationError|InternalServerError",
        reason="Agno leaks a native SDK's exception class as error_type (unwrapped errors); Brisk "
        "reports model_provider_error for every provider failure, as Agno does for wrapped ones",
    ),
    # Agno adds a tool-call message's provider metrics twice (once when the chunk arrives, once when
    # the tool-call message is closed): the stored values are exactly double the provider's.
    KnownDeviation(
        id="D-PM-DOUBLE",
        fixture="*/groq/*.json",
        path=r"messages\[\d+\]\.metrics\.provider_metrics\.(completion_time|prompt_time|queue_time|total_time)$",
        agno=r"[0-9.e-]+",
        reason="Agno double-counts provider_metrics on tool-call messages; Brisk stores the provider's values",
    ),
    KnownDeviation(
        id="D-PM-DOUBLE",
        fixture="*/ollama/*.json",
        path=r"messages\[\d+\]\.metrics\.provider_metrics\.(eval_duration|load_duration|prompt_eval_duration|total_duration)$",
        agno=r"\d+",
        reason="Agno double-counts provider_metrics on tool-call messages; Brisk stores the provider's values",
    ),
    # A tool called with arguments that do not fit its signature: Agno (Gemini/Ollama paths) validates
    # with pydantic and sends pydantic's multi-line error to the model; Brisk validates without pydantic
    # and sends its own one-line message. The prompt tokens of the next request follow the text length.
    KnownDeviation(
        id="D-TOOL-ARGS-TEXT",
        fixture="*/*/malformed_tool_args.json",
        path=r"(\.content|\.result|\.error|functionResponse\.response\.result)$",
        agno=r"\d+ validation errors? for .*",
        reason="pydantic's validation text vs Brisk's own argument error",
    ),
    KnownDeviation(
        id="D-TOOL-ARGS-TEXT",
        fixture="*/*/malformed_tool_args.json",
        path=r"(input_tokens|total_tokens)$",
        agno=r"\d+",
        reason="token counts of the request that carries the (longer) pydantic error text",
    ),
    # SiliconFlow sends the running usage on every streamed chunk; Agno adds them all up.
    KnownDeviation(
        id="D-SF-USAGE",
        fixture="*/siliconflow/*.json",
        path=r"(input_tokens|output_tokens|total_tokens)$",
        agno=r"\d+",
        reason="Agno sums SiliconFlow's cumulative per-chunk usage; Brisk keeps the final usage",
    ),
    # -- issue 7: workflows, memories, MCP ----------------------------------------------------------
    # Agno injects its transient run keys into the live session_state dict and strips them only when
    # an agent saves its own session: an agent without a db (its RunOutput and RunCompleted), or a
    # workflow's agent step (its streamed RunCompleted and the WorkflowCompleted executor runs) shows
    # them. Never in stored rows (not covered there); Brisk keeps them out of the state (they reach the
    # prompt only, see C-STATE-CONTEXT).
    KnownDeviation(
        id="D-STATE-TRANSIENT",
        fixture="*/*/*.json",
        path=r"^result\.(turns|response)\b.*\bsession_state\.current_(run|session|user)_id$",
        agno=r".+",
        reason="Agno's transient current_* keys leak into streamed events' session_state; Brisk never "
        "puts them into the state",
    ),
    KnownDeviation(
        id="D-WF-EXEC-CANCELLED",
        fixture="*/workflow/*_stream.json",
        path=r"\.run_data\.step_executor_runs\[\d+\]\.status$",
        agno=r"CANCELLED",
        reason="Agno stores a streamed workflow's completed agent-step run as CANCELLED (its generator is "
        "closed after completion); Brisk stores COMPLETED, as the run's events say",
    ),
    KnownDeviation(
        id="D-WF-EXEC-CANCELLED",
        fixture="*/agentos/*_workflow_*.json",
        path=r"step_executor_runs\[\d+\]\.status$",
        agno=r"CANCELLED",
        reason="as above, over HTTP: the streamed run's WorkflowCompleted and the stored run",
    ),
    KnownDeviation(
        id="D-MCP-FLAGS",
        fixture="*/mcp/*.json",
        path=r"\.body\.tools\[\d+\]\.function\.(requires_confirmation|external_execution)$",
        agno=r"False",
        reason="Agno sends its internal tool flags inside MCP tool definitions to the provider; Brisk "
        "sends the standard function schema",
    ),
    # Memory prompts are written in Brisk's own words (not copied from Agno): the memory manager's
    # system message and tool descriptions, and the memories block of the agent's system message.
    # Only the prose is covered, and the token counts that follow from its length.
    KnownDeviation(
        id="D-MEM-PROMPT",
        fixture="*/memory/*.json",
        path=r"(requests\[\d+\]\.body|\.output|\.run_data)\.messages\[0\]\.content$",
        agno=r".*(Memory Manager|memories_from_previous_interactions|capability to retain memories).*",
        reason="memory prompts in Brisk's own words",
    ),
    KnownDeviation(
        id="D-MEM-PROMPT",
        fixture="*/memory/*.json",
        path=r"requests\[\d+\]\.body\.tools\[\d+\]\.function\.(description|parameters\.properties\.\w+\.description)$",
        agno=r".+",
        reason="memory tool descriptions in Brisk's own words",
    ),
    KnownDeviation(
        id="D-MEM-PROMPT",
        fixture="*/memory/*.json",
        path=r"(messages\[\d+\]\.metrics|details\.model\[0\]|events\[\d+\])\.(input|total)_tokens$",
        agno=r"\d+",
        reason="the answer's prompt tokens follow the length of the memories block",
    ),
    # Agno adds only the last model response of a memory pass to the run metrics (a pass with a tool
    # call makes two requests); Brisk adds every request it made. The totals include both effects.
    KnownDeviation(
        id="D-MEM-USAGE",
        fixture="*/memory/*.json",
        path=r"(details\.memory_model\[0\]|(output|run_data|events\[\d+\])\.metrics|session_metrics)\.(input|output|total)_tokens$",
        agno=r"\d+",
        reason="Agno counts only the memory pass's last response; Brisk counts every request",
    ),
    KnownDeviation(
        id="D-OLLAMA-EMBED",
        fixture="*/ollama/embeddings.json",
        path=r"\.usage$",
        agno=r"None",
        reason="Agno's Ollama embedder reports no usage; Brisk reports prompt_eval_count",
    ),
]


def split(
    fixture_path: str, diffs: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(real mismatches, diffs covered by a known deviation, each tagged with its id)."""
    real, known = [], []
    for d in diffs:
        dev = next((k for k in KNOWN if k.covers(fixture_path, d)), None)
        if dev is None:
            real.append(d)
        else:
            known.append({**d, "deviation": dev.id})
    return real, known
