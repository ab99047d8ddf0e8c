"""The AgentOS app of the contract cases, as a plain program for either framework.

Served by ``uvicorn contracts.os_app:app`` from ``.venv-agno`` (``CONTRACT_PKG=agno``, what Agno's
``AgentOS.serve`` does) or by ``brisk serve contracts.os_app:app`` (``CONTRACT_PKG=brisk``). Configured by
the environment: ``CONTRACT_MOCK_URL`` (the OpenAI mock's host URL) and ``CONTRACT_DB_FILE``. Serves the
contract agent and two workflows (``shout-flow``: functions only; ``writer-flow``: an agent step).
"""

import importlib
import os

os.environ.setdefault("AGNO_TELEMETRY", "false")

from contracts.program import AGENT_ID, AGENT_NAME, INSTRUCTIONS, exclaim, get_weather, shout  # noqa: E402

PKG = os.environ.get("CONTRACT_PKG", "brisk")
_agent = importlib.import_module(f"{PKG}.agent")
_openai = importlib.import_module(f"{PKG}.models.openai")
_sqlite = importlib.import_module(f"{PKG}.db.sqlite")
_os = importlib.import_module(f"{PKG}.os")
_wf = importlib.import_module(f"{PKG}.workflow")

db = _sqlite.SqliteDb(db_file=os.environ["CONTRACT_DB_FILE"])
agent = _agent.Agent(
    id=AGENT_ID,
    name=AGENT_NAME,
    model=_openai.OpenAIChat(
        id="gpt-4o-mini", base_url=os.environ["CONTRACT_MOCK_URL"] + "/v1", api_key="sk-test"
    ),
    tools=[get_weather],
    instructions=INSTRUCTIONS,
    db=db,
    add_history_to_context=True,
    num_history_runs=3,
    telemetry=False,
)
# Two workflows sharing the agent's db: two function steps, and an agent step then a function step.
writer = _agent.Agent(
    name="Writer",
    model=_openai.OpenAIChat(
        id="gpt-4o-mini", base_url=os.environ["CONTRACT_MOCK_URL"] + "/v1", api_key="sk-test"
    ),
    instructions="Write one short sentence about the topic.",
    telemetry=False,
)
shout_flow = _wf.Workflow(
    id="shout-flow",
    name="Shout Flow",
    description="Capitals, then an exclamation mark.",
    steps=[shout, _wf.Step(name="exclaim", executor=exclaim)],
    db=db,
    telemetry=False,
)
writer_flow = _wf.Workflow(
    id="writer-flow",
    name="Writer Flow",
    steps=[_wf.Step(name="draft", agent=writer), _wf.Step(name="exclaim", executor=exclaim)],
    db=db,
    telemetry=False,
)
agent_os = _os.AgentOS(id="contract-os", agents=[agent], workflows=[shout_flow, writer_flow], telemetry=False)
app = agent_os.get_app()
