"""The ``brisk`` command.

    brisk serve module:app [--host H] [--port P] [--workers N] [--reload]
    brisk demo [--host H] [--port P] [--db FILE]
    brisk providers
    brisk version

``serve`` runs an AgentOS app (``app = agent_os.get_app()``, or the ``AgentOS`` object itself) with
uvicorn on uvloop + httptools, draining running streams on SIGTERM. ``demo`` starts a sample AgentOS:
one agent with a weather tool and SQLite sessions, on the first provider whose API key is set, or on
Brisk's offline ``DemoModel`` when none is; it prints which, and a ``curl`` command to try it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["main"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7777

# (API key variables, "module:Class") in the order ``brisk demo`` tries them.
_PROVIDERS: list[tuple[tuple[str, ...], str]] = [
    (("OPENAI_API_KEY",), "brisk.models.openai:OpenAIChat"),
    (("GOOGLE_API_KEY", "GEMINI_API_KEY"), "brisk.models.google:Gemini"),
    (("GROQ_API_KEY",), "brisk.models.groq:Groq"),
    (("CEREBRAS_API_KEY",), "brisk.models.cerebras:Cerebras"),
    (("OPENROUTER_API_KEY",), "brisk.models.openrouter:OpenRouter"),
    (("SILICONFLOW_API_KEY",), "brisk.models.siliconflow:Siliconflow"),
    (("ZHIPUAI_API_KEY",), "brisk.models.zhipu:GLM"),
    (("MODELSCOPE_API_KEY", "MODELSCOPE_SDK_TOKEN"), "brisk.models.modelscope:ModelScope"),
]


def _version() -> str:
    from brisk import __version__

    return __version__


# -- serve ------------------------------------------------------------------------------------------
def _resolve_app(target: str) -> tuple[Any, bool]:
    """(what to give uvicorn, whether it is an import string). An ``AgentOS`` becomes its app."""
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise SystemExit(f"brisk serve: expected 'module:attribute' (e.g. 'my_app:app'), got {target!r}")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # like uvicorn's --app-dir ".": the module is found from here
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise SystemExit(f"brisk serve: cannot import {module_name!r}: {e}") from None
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise SystemExit(f"brisk serve: {module_name!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    from brisk.os.app import AgentOS

    if isinstance(obj, AgentOS):
        return obj.get_app(), False
    return target, True


def cmd_serve(args: argparse.Namespace) -> int:
    from brisk.os._serve import run_server

    app, is_string = _resolve_app(args.app)
    if (args.workers or 1) > 1 or args.reload:
        if not is_string:
            raise SystemExit(
                "brisk serve: --workers and --reload need an app attribute (app = agent_os.get_app()), "
                "not the AgentOS object"
            )
    run_server(
        app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        log_level=args.log_level,
        access_log=args.access_log,
    )
    return 0


# -- demo -------------------------------------------------------------------------------------------
def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    return f"The weather in {city} is sunny, 21 degrees C, light wind from the west."


def demo_model() -> tuple[Any, str]:
    """The model of the first provider with a key set, else the offline model; and how it was chosen."""
    for variables, target in _PROVIDERS:
        var = next((v for v in variables if os.getenv(v, "").strip()), None)
        if var is None:
            continue
        module_name, _, cls_name = target.partition(":")
        try:
            model = getattr(importlib.import_module(module_name), cls_name)()
        except Exception as e:  # noqa: BLE001 - a broken provider setup falls through to the next one
            print(f"brisk demo: {var} is set but {cls_name} cannot be used ({e}); trying the next provider")
            continue
        return model, f"{cls_name} ({model.id}), because {var} is set"
    from brisk.models.demo import DemoModel

    return DemoModel(delay=0.02), "the offline DemoModel (no provider API key is set; see .env.example)"


def _demo_db_file(path: str | None) -> Path:
    if path:
        return Path(path)
    candidate = Path.cwd() / "brisk_demo.db"
    if os.access(Path.cwd(), os.W_OK):
        return candidate
    return Path(tempfile.gettempdir()) / "brisk_demo.db"


def build_demo(db_file: str | Path) -> tuple[Any, str]:
    """The demo AgentOS and a sentence saying which model it runs on."""
    from brisk.agent import Agent
    from brisk.db.sqlite import SqliteDb
    from brisk.os import AgentOS

    model, why = demo_model()
    agent = Agent(
        id="demo-agent",
        name="Demo Agent",
        model=model,
        tools=[get_weather],
        db=SqliteDb(db_file=str(db_file)),
        add_history_to_context=True,
        num_history_runs=3,
        instructions="You are a concise assistant. Use the get_weather tool for weather questions.",
        markdown=True,
    )
    return AgentOS(
        id="brisk-demo", name="Brisk demo", description="Brisk's sample AgentOS", agents=[agent]
    ), why


def cmd_demo(args: argparse.Namespace) -> int:
    from brisk.os._serve import run_server

    db_file = _demo_db_file(args.db)
    agent_os, why = build_demo(db_file)
    url = f"http://{args.host}:{args.port}"
    print(f"Brisk {_version()} demo AgentOS on {url}")
    print(f"  model:    {why}")
    print(f"  sessions: SQLite at {db_file}")
    print("  try it (in another shell):")
    print(
        f'    curl -N -F message="What is the weather in Berlin?" -F stream=true {url}/agents/demo-agent/runs'
    )
    print(f"  API docs: {url}/docs", flush=True)
    run_server(agent_os.get_app(), host=args.host, port=args.port, log_level=args.log_level)
    return 0


# -- entry point ------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brisk", description="Brisk: an Agno-compatible agent framework.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve an AgentOS app (module:attribute) with uvicorn")
    serve.add_argument("app", help="import path of the app, e.g. my_app:app")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default 1)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser(
        "demo", help="start the sample AgentOS (offline model unless a provider key is set)"
    )
    demo.add_argument("--host", default=DEFAULT_HOST)
    demo.add_argument("--port", type=int, default=DEFAULT_PORT)
    demo.add_argument("--db", default=None, help="SQLite file for sessions (default ./brisk_demo.db)")
    demo.add_argument("--log-level", default="info")
    demo.set_defaults(func=cmd_demo)

    providers = sub.add_parser(
        "providers", help="the nine model providers: configured or not (keys masked), what each supports"
    )
    providers.set_defaults(func=cmd_providers)

    version = sub.add_parser("version", help="print Brisk's version")
    version.set_defaults(func=lambda args: print(f"brisk {_version()}") or 0)
    return parser


def cmd_providers(args: argparse.Namespace) -> int:
    from brisk.models.catalog import format_matrix

    print(format_matrix())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
