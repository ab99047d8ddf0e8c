"""The scenario set: per provider the same families, each a plain-JSON case (see ``program.py``).

A case names the mock it talks to (``mock``), the replies that mock is scripted with (one per request,
in order; ``mock.script``), the agent or embedder to build (module/class/kwargs relative to the package
prefix, with ``{openai}``-style URL placeholders) and the turns to run. Scripts are explicit rather than
relying on the mocks' default behaviour, so a fixture says everything that produced it.

Secrets: every key here is a fake (``sk-test`` style); the generator also masks the configured key in
what it records and refuses to write anything that looks like a real key.
"""

from __future__ import annotations

import copy
from typing import Any

PROVIDERS = [
    "openai",
    "gemini",
    "ollama",
    "glm4",
    "openrouter",
    "siliconflow",
    "cerebras",
    "modelscope",
    "groq",
]
FAKE_KEY = "sk-test"

# -- per provider: the model, its mock (mock kind = provider name), error texts, the embedder ----------
# Error bodies are shaped by each provider's mock (OpenAI's, OpenRouter's integer codes, SiliconFlow's bare
# "Invalid token", GLM's string codes, Cerebras' unwrapped body, google.rpc.Status, Ollama's string); a
# case only chooses status, message, type and code.
_OPENAI_LIKE_ERRORS = {
    401: {
        "message": "Incorrect API key provided.",
        "type": "invalid_request_error",
        "code": "invalid_api_key",
    },
    429: {
        "message": "Rate limit reached on tokens per min (TPM). Please try again in 300ms.",
        "type": "tokens",
        "code": "rate_limit_exceeded",
    },
    500: {
        "message": "The server had an error while processing your request. Sorry about that!",
        "type": "server_error",
    },
}


def _model(module: str, cls: str, **kwargs: Any) -> dict[str, Any]:
    return {"module": module, "class": cls, "kwargs": kwargs}


def _like_embedder(model_id: str, base_url: str, **kw: Any) -> dict[str, Any]:
    return _model(
        "knowledge.embedder.openai_like",
        "OpenAILikeEmbedder",
        id=model_id,
        api_key=FAKE_KEY,
        base_url=base_url,
        **kw,
    )


CONFIG: dict[str, dict[str, Any]] = {
    "openai": {
        "model": _model(
            "models.openai", "OpenAIChat", id="gpt-4o-mini", api_key=FAKE_KEY, base_url="{openai}/v1"
        ),
        "errors": _OPENAI_LIKE_ERRORS,
        "embedder": _model(
            "knowledge.embedder.openai",
            "OpenAIEmbedder",
            id="text-embedding-3-small",
            api_key=FAKE_KEY,
            base_url="{openai}/v1",
        ),
    },
    "openrouter": {
        "model": _model(
            "models.openrouter",
            "OpenRouter",
            id="openai/gpt-4o-mini",
            api_key=FAKE_KEY,
            base_url="{openrouter}/api/v1",
        ),
        "errors": {
            401: {"message": "No auth credentials found"},
            429: {"message": "Rate limit exceeded: free-models-per-day"},
            500: {"message": "Internal Server Error"},
        },
        "embedder": _like_embedder("openai/text-embedding-3-small", "{openrouter}/api/v1"),
    },
    "siliconflow": {
        "model": _model(
            "models.siliconflow",
            "Siliconflow",
            id="Qwen/Qwen2.5-7B-Instruct",
            api_key=FAKE_KEY,
            base_url="{siliconflow}/v1",
        ),
        "errors": {
            401: {"message": "Invalid token"},
            429: {"message": "System is too busy now. Please try again later."},
            500: {"message": "Model service overloaded. Please try again later.", "code": "50505"},
        },
        "embedder": _like_embedder("BAAI/bge-m3", "{siliconflow}/v1", dimensions=1024),
    },
    # No Agno class: users configure OpenAILike with Zhipu's base URL.
    "glm4": {
        "model": _model(
            "models.openai.like",
            "OpenAILike",
            id="glm-4-flash",
            api_key=FAKE_KEY,
            base_url="{glm4}/api/paas/v4",
        ),
        "errors": {
            401: {"message": "Authentication failed: invalid token."},
            429: {"message": "Concurrency too high for this API; please retry later."},
            500: {"message": "Internal server error."},
        },
        "embedder": _like_embedder("embedding-3", "{glm4}/api/paas/v4", dimensions=1024),
    },
    # No Agno class either: OpenAILike with API-Inference's base URL. It serves no embeddings (404).
    "modelscope": {
        "model": _model(
            "models.openai.like",
            "OpenAILike",
            id="Qwen/Qwen2.5-72B-Instruct",
            api_key=FAKE_KEY,
            base_url="{modelscope}/v1",
        ),
        "errors": _OPENAI_LIKE_ERRORS,
        "embedder": _like_embedder("Qwen/Qwen3-Embedding-8B", "{modelscope}/v1"),
    },
    # Native groq SDK (base URL = host; the SDK adds /openai/v1). No embedding models (unknown_url).
    "groq": {
        "model": _model(
            "models.groq", "Groq", id="llama-3.3-70b-versatile", api_key=FAKE_KEY, base_url="{groq}"
        ),
        "errors": {
            401: {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"},
            429: {
                "message": "Rate limit reached for model on tokens per minute (TPM). Please try again in 7s.",
                "type": "tokens",
                "code": "rate_limit_exceeded",
            },
            500: {"message": "Internal Server Error", "type": "internal_server_error"},
        },
        "embedder": _like_embedder("nomic-embed-text-v1_5", "{groq}/openai/v1"),
    },
    # Native cerebras SDK (base URL = host; the SDK adds /v1). No embeddings.
    "cerebras": {
        "model": _model(
            "models.cerebras", "Cerebras", id="llama3.1-8b", api_key=FAKE_KEY, base_url="{cerebras}"
        ),
        "errors": {
            401: {"message": "Wrong API Key", "type": "invalid_request_error", "code": "wrong_api_key"},
            429: {
                "message": "Requests per minute limit exceeded - too many requests sent.",
                "type": "too_many_requests_error",
                "code": "request_quota_exceeded",
            },
            500: {"message": "Internal server error", "type": "server_error"},
        },
        "embedder": _like_embedder("llama3.1-8b", "{cerebras}/v1"),
    },
    # google-genai takes its endpoint from GOOGLE_GEMINI_BASE_URL (Agno has no base_url field); a bad key
    # is a 400 API_KEY_INVALID on Gemini, not a 401.
    "gemini": {
        "env": {"GOOGLE_GEMINI_BASE_URL": "{gemini}"},
        "model": _model("models.google", "Gemini", id="gemini-2.0-flash", api_key=FAKE_KEY),
        "errors": {
            401: {
                "status": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "code": "API_KEY_INVALID",
            },
            429: {"message": "You exceeded your current quota, please check your plan and billing details."},
            500: {
                "message": "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
            },
        },
        "embedder": _model("knowledge.embedder.google", "GeminiEmbedder", api_key=FAKE_KEY),
    },
    "ollama": {
        "model": _model("models.ollama", "Ollama", id="llama3.1", host="{ollama}"),
        "errors": {
            401: {"message": "unauthorized"},
            429: {"message": "too many requests: rate limit exceeded"},
            500: {"message": "llama runner process has terminated: exit status 2"},
        },
        "embedder": _model(
            "knowledge.embedder.ollama",
            "OllamaEmbedder",
            id="nomic-embed-text",
            host="{ollama}",
            dimensions=768,
        ),
    },
}

# -- the families -----------------------------------------------------------------------------------------

FAMILIES = [
    "plain_chat",
    "streamed_chat",
    "streamed_tool_call",
    "two_tools_one_turn",
    "multi_turn_history",
    "session_state",
    "error_401",
    "error_429",
    "error_500",
    "malformed_tool_args",
    "embeddings",
]
# How many times each SDK sends a request that failed with 429/5xx (1 + its retries; Agno's own are 0).
SDK_ATTEMPTS = {"gemini": 1, "ollama": 1}
OBJECT_ARGS = {"gemini", "ollama"}


def _text(text: str) -> dict[str, Any]:
    return {"reply": "Text", "text": text}


def _calls(*calls: tuple[str, Any]) -> dict[str, Any]:
    return {"reply": "ToolCalls", "calls": [list(c) for c in calls]}


def _error(provider: str, status: int) -> dict[str, Any]:
    reply: dict[str, Any] = {"reply": "Error", "status": status, **CONFIG[provider]["errors"][status]}
    if status != 401:
        reply["retry_after"] = 0.01  # retry-after-ms: keeps the SDKs' retries fast and deterministic
    return reply


def _malformed(provider: str) -> Any:
    # JSON-string protocols: arguments cut mid-string. Gemini and Ollama send arguments as objects, so
    # the malformed call there is one without the required parameter.
    return {"town": "Rome"} if provider in OBJECT_ARGS else '{"city": "Ro'


def agent_case(
    provider: str,
    family: str,
    agent: dict[str, Any],
    turns: list[dict[str, Any]],
    script: list[Any],
    **extra: Any,
) -> dict[str, Any]:
    cfg = CONFIG[provider]
    return {
        "family": provider,
        "case": family,
        "scenario": family,
        "provider": provider,
        "kind": "agent",
        "mock": provider,
        "env": cfg.get("env", {}),
        "script": script,
        "agent": {"model": copy.deepcopy(cfg["model"]), "db": True, **agent},
        "turns": turns,
        **extra,
    }


def provider_cases(provider: str) -> list[dict[str, Any]]:
    cfg = CONFIG[provider]
    attempts = SDK_ATTEMPTS.get(provider, 3)
    w = ["get_weather"]
    cases = [
        agent_case(
            provider,
            "plain_chat",
            {},
            [{"input": "Hello there, tell me something nice.", "session_id": "s-plain"}],
            [_text("Hello! The sun is out and the birds are singing.")],
            sync=True,
        ),
        agent_case(
            provider,
            "streamed_chat",
            {},
            [{"input": "Tell me a short story about a fox.", "stream": True, "session_id": "s-stream"}],
            [_text("A quick brown fox jumped over the lazy dog and ran home.")],
        ),
        agent_case(
            provider,
            "streamed_tool_call",
            {"tools": w},
            [{"input": "What is the weather in Berlin today?", "stream": True, "session_id": "s-tool"}],
            [_calls(("get_weather", {"city": "Berlin"})), _text("It is sunny in Berlin, 21 degrees.")],
        ),
        agent_case(
            provider,
            "two_tools_one_turn",
            {"tools": ["get_time", "get_weather"]},
            [{"input": "What is the weather and the time in Paris?", "session_id": "s-two"}],
            [
                _calls(("get_weather", {"city": "Paris"}), ("get_time", {"city": "Paris"})),
                _text("Paris is sunny and it is 14:05."),
            ],
        ),
        agent_case(
            provider,
            "multi_turn_history",
            {"add_history_to_context": True, "num_history_runs": 2},
            [
                {"input": "My name is Ada.", "session_id": "s-hist"},
                {"input": "What is my name?", "stream": True, "session_id": "s-hist"},
                {"input": "And what did I ask first?", "session_id": "s-hist"},
            ],
            [_text("Nice to meet you, Ada."), _text("Your name is Ada."), _text("You told me your name.")],
        ),
        agent_case(
            provider,
            "session_state",
            {"tools": ["add_item"], "session_state": {"items": []}, "add_session_state_to_context": True},
            [
                {"input": "Add milk to my list.", "session_id": "s-state"},
                {"input": "Add eggs too.", "stream": True, "session_id": "s-state"},
            ],
            [
                _calls(("add_item", {"item": "milk"})),
                _text("Added milk."),
                _calls(("add_item", {"item": "eggs"})),
                _text("Added eggs."),
            ],
        ),
        agent_case(
            provider, "error_401", {}, [{"input": "Hello?", "session_id": "s-401"}], [_error(provider, 401)]
        ),
        agent_case(
            provider,
            "error_429",
            {},
            [{"input": "Hello?", "stream": True, "session_id": "s-429"}],
            [_error(provider, 429)] * attempts,
        ),
        agent_case(
            provider,
            "error_500",
            {},
            [{"input": "Hello?", "session_id": "s-500"}],
            [_error(provider, 500)] * attempts,
        ),
        agent_case(
            provider,
            "malformed_tool_args",
            {"tools": w},
            [{"input": "What is the weather in Rome?", "stream": True, "session_id": "s-bad"}],
            [_calls(("get_weather", _malformed(provider))), _text("Sorry, I could not get the weather.")],
        ),
    ]
    if cfg.get("embedder"):
        case = {
            "family": provider,
            "case": "embeddings",
            "scenario": "embeddings",
            "provider": provider,
            "kind": "embed",
            "mock": provider,
            "env": cfg.get("env", {}),
            "script": [],
            "embedder": copy.deepcopy(cfg["embedder"]),
            "calls": [
                {"method": "get_embedding_and_usage", "text": "hello world"},
                {"method": "get_embedding", "text": "the quick brown fox"},
            ],
        }
        cases.append(case)
    return cases


def all_provider_cases(available: set[str] | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in PROVIDERS:
        if p in CONFIG and (available is None or p in available):
            out.extend(provider_cases(p))
    return out


# -- workflows, memories and MCP (issue 7) ---------------------------------------------------------------
# Python API cases against the OpenAI mock: the family is the group and the scenario.
EXTRA_FAMILIES = ["workflow", "memory", "mcp"]
MEMORY_MODEL = "memory-model"


def _extra_case(family: str, case: str, kind: str, script: list[Any], **spec: Any) -> dict[str, Any]:
    return {
        "family": family,
        "case": case,
        "scenario": family,
        "provider": None,
        "kind": kind,
        "mock": "openai",
        "env": {},
        "script": script,
        **spec,
    }


def _for_model(model: str, reply: dict[str, Any]) -> dict[str, Any]:
    """A reply served only to requests naming ``model`` (``OpenAIMock.script_for``)."""
    return {**reply, "model": model}


def workflow_cases() -> list[dict[str, Any]]:
    model = copy.deepcopy(CONFIG["openai"]["model"])
    fn, agent = {"steps": "functions"}, {"steps": "agent", "model": model}
    draft = _text("A quick fox ran home before the rain.")
    return [
        _extra_case(
            "workflow",
            "function_steps",
            "workflow",
            [],
            workflow=fn,
            turns=[{"input": "hello workflow", "session_id": "wf-fn", "user_id": "u1"}],
        ),
        _extra_case(
            "workflow",
            "function_steps_stream",
            "workflow",
            [],
            workflow=fn,
            turns=[
                {"input": "first run", "session_id": "wf-fn-s"},
                {"input": "second run", "stream": True, "session_id": "wf-fn-s"},
            ],
        ),
        _extra_case(
            "workflow",
            "agent_step",
            "workflow",
            [draft],
            workflow=agent,
            turns=[{"input": "foxes", "session_id": "wf-agent"}],
        ),
        _extra_case(
            "workflow",
            "agent_step_stream",
            "workflow",
            [draft],
            workflow=agent,
            turns=[{"input": "foxes", "stream": True, "session_id": "wf-agent-s"}],
        ),
    ]


def memory_cases() -> list[dict[str, Any]]:
    model = copy.deepcopy(CONFIG["openai"]["model"])
    memory_model = copy.deepcopy(model)
    memory_model["kwargs"]["id"] = MEMORY_MODEL
    seed = {
        "user_id": "u1",
        "memory": {"memory": "The user likes tea.", "topics": ["drinks"], "memory_id": "mem-tea"},
    }
    return [
        _extra_case(
            "memory",
            "update_memory_on_run",
            "memory",
            [
                _text("Nice to meet you, Ada. Enjoy your coffee."),
                _for_model(
                    MEMORY_MODEL,
                    _calls(
                        ("add_memory", {"memory": "The user's name is Ada.", "topics": ["name"]}),
                        (
                            "update_memory",
                            {
                                "memory_id": "mem-tea",
                                "memory": "The user drinks coffee now.",
                                "topics": ["drinks"],
                            },
                        ),
                    ),
                ),
                _for_model(MEMORY_MODEL, _text("Memories updated.")),
            ],
            agent={"model": model, "memory_model": memory_model},
            seed_memories=[seed],
            turns=[
                {
                    "input": "My name is Ada and I drink coffee now, not tea.",
                    "session_id": "s-mem",
                    "user_id": "u1",
                }
            ],
            # The answer and the memory pass run at the same time: their requests interleave.
            requests_by_model=True,
        ),
        _extra_case(
            "memory",
            "nothing_to_remember_stream",
            "memory",
            [
                _text("The capital of France is Paris."),
                _for_model(MEMORY_MODEL, _text("No memory changes needed.")),
            ],
            agent={"model": model, "memory_model": memory_model},
            turns=[
                {
                    "input": "What is the capital of France?",
                    "stream": True,
                    "session_id": "s-mem-2",
                    "user_id": "u2",
                }
            ],
            requests_by_model=True,
        ),
    ]


def mcp_cases() -> list[dict[str, Any]]:
    model = copy.deepcopy(CONFIG["openai"]["model"])
    return [
        _extra_case(
            "mcp",
            "stdio_tool_call",
            "mcp",
            [_calls(("add", {"a": 2, "b": 3})), _text("2 plus 3 is 5.")],
            agent={"model": model},
            mcp={"command": "{mcp_server}"},
            turns=[{"input": "What is 2 plus 3? Use the add tool.", "stream": True, "session_id": "s-mcp"}],
        ),
        _extra_case(
            "mcp",
            "stdio_tool_call_nonstream",
            "mcp",
            [_calls(("echo", {"text": "over MCP"})), _text("The server said: over MCP.")],
            agent={"model": model},
            mcp={"command": "{mcp_server}"},
            turns=[{"input": "Echo the words 'over MCP'.", "session_id": "s-mcp-2"}],
        ),
    ]


def extra_cases(families: set[str] | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for family, build in (("workflow", workflow_cases), ("memory", memory_cases), ("mcp", mcp_cases)):
        if families is None or family in families:
            out.extend(build())
    return out
