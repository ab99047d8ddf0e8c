"""``AgentOS`` construction, the app object, the light import, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from brisk.agent import Agent
from brisk.db.in_memory import InMemoryDb
from brisk.models.demo import DemoModel
from brisk.os import AgentOS
from tests.unit.os.asgi import call


def agent(**kw: Any) -> Agent:
    return Agent(name=kw.pop("name", "Demo Agent"), model=DemoModel(), **kw)


def test_agents_get_the_os_db_and_store_events() -> None:
    db = InMemoryDb()
    own = InMemoryDb()
    a, b = agent(name="A"), agent(name="B", db=own)
    os = AgentOS(agents=[a, b], db=db)
    assert a.db is db and b.db is own
    assert a.store_events and b.store_events
    assert set(os.dbs) == {db.id, own.id}
    assert os.get_agent("a") is a


def test_keywords() -> None:
    with pytest.raises(TypeError, match="'no_such_option'"):
        AgentOS(agents=[agent()], no_such_option=1)
    with pytest.raises(TypeError, match="'tracing'.*does not implement"):
        AgentOS(agents=[agent()], tracing=True)
    AgentOS(agents=[agent()], tracing=False, telemetry=True, a2a_interface=False)  # Agno defaults are fine
    with pytest.raises(ValueError, match="must be provided"):
        AgentOS()
    with pytest.raises(TypeError, match="teams"):
        AgentOS(agents=[agent()], teams=[object()])
    with pytest.raises(ValueError, match="unique"):
        AgentOS(agents=[agent(), agent()])


def test_ids() -> None:
    import uuid

    # As in Agno: a name gives a deterministic uuid5, no name a random uuid4.
    assert AgentOS(name="My OS", agents=[agent()]).id == str(uuid.uuid5(uuid.NAMESPACE_DNS, "My OS"))
    assert AgentOS(id="x", agents=[agent()]).id == "x"
    assert AgentOS(agents=[agent()]).id != AgentOS(agents=[agent()]).id


def test_security_key_from_env_and_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_SECURITY_KEY", "k1")
    assert AgentOS(agents=[agent()]).security_key == "k1"

    class Settings:
        os_security_key = "k2"
        cors_origin_list = ["https://x.example"]

    os = AgentOS(agents=[agent()], settings=Settings())
    assert os.security_key == "k2" and os.cors_allowed_origins == ["https://x.example"]


async def test_get_app_is_built_once_and_extensible() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse

    os = AgentOS(agents=[agent()])
    app = os.get_app()
    assert isinstance(app, Starlette) and os.get_app() is app

    async def custom(request: Any) -> PlainTextResponse:
        return PlainTextResponse("custom")

    app.add_route("/custom", custom)
    r = await call(app, "GET", "/custom")
    assert (r.status, r.body) == (200, b"custom")
    r = await call(app, "GET", "/nothing-here")
    assert (r.status, json.loads(r.body)) == (404, {"detail": "Not Found"})
    r = await call(app, "GET", "/agents")
    assert r.status == 200 and json.loads(r.body)[0]["id"] == "demo-agent"


def _modules(code: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {"mods": json.loads(out.stdout.strip().splitlines()[-1])}


def test_import_brisk_os_is_light() -> None:
    base = set(_modules("pass")["mods"])
    mods = set(_modules("import brisk.os")["mods"]) - base
    assert {m for m in mods if m.startswith("brisk")} == {"brisk", "brisk.os"}
    assert not any(
        m.split(".")[0] in ("starlette", "uvicorn", "aiohttp", "msgspec", "pydantic") for m in mods
    )


def test_serving_one_agent_imports_a_bounded_set() -> None:
    code = (
        "from brisk.os import AgentOS\nfrom brisk.agent import Agent\nfrom brisk.models.demo import DemoModel\n"
        "AgentOS(agents=[Agent(name='a', model=DemoModel())]).get_app()\nimport brisk.os._serve"
    )
    mods = _modules(code)["mods"]
    tops = {m.split(".")[0] for m in mods}
    assert not tops & {"aiohttp", "pydantic", "openai", "fastapi", "httpx", "agno"}
    # Measured at 346 (Python 3.11, uvicorn[standard], starlette); the bound catches a heavy new import.
    assert len(mods) < 420, len(mods)


def test_cli_version_and_demo_model(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from brisk import __version__
    from brisk.cli import build_demo, demo_model, main

    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == f"brisk {__version__}"
    for var in (
        "OPENAI_API_KEY",
        "GOOGLE_API_KEY",
        "GEMINI_API_KEY",
        "GROQ_API_KEY",
        "CEREBRAS_API_KEY",
        "OPENROUTER_API_KEY",
        "SILICONFLOW_API_KEY",
        "ZHIPUAI_API_KEY",
        "MODELSCOPE_API_KEY",
        "MODELSCOPE_SDK_TOKEN",
    ):
        monkeypatch.delenv(var, raising=False)
    model, why = demo_model()
    assert isinstance(model, DemoModel) and "offline" in why
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    model, why = demo_model()
    assert type(model).__name__ == "OpenAIChat" and "OPENAI_API_KEY" in why
    os, _ = build_demo(":memory:")
    assert os.get_agent("demo-agent").tools


def test_cli_serve_rejects_bad_targets() -> None:
    from brisk.cli import _resolve_app

    with pytest.raises(SystemExit, match="module:attribute"):
        _resolve_app("no_colon")
    with pytest.raises(SystemExit, match="cannot import"):
        _resolve_app("no_such_module_xyz:app")
    with pytest.raises(SystemExit, match="no attribute"):
        _resolve_app("json:no_such_attr")
    assert _resolve_app("json:dumps") == ("json:dumps", True)
