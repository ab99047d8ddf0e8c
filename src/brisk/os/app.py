"""``AgentOS``: serves agents over Agno 3.1.10's HTTP API.

``AgentOS(...)`` takes Agno's constructor keywords. The ones Brisk implements work as in Agno; the
others are accepted at Agno's default value and refused with a ``TypeError`` naming them otherwise,
so a program never silently loses a feature; unknown keywords are a ``TypeError`` too.

``get_app()`` builds the ASGI app once: a Starlette application whose innermost app is Brisk's
dispatcher (:mod:`brisk.os.router`), wrapped in pure-ASGI middleware (auth, CORS). ``serve()`` runs
it with uvicorn on uvloop + httptools and drains running streams on SIGTERM (:mod:`brisk.os._serve`).
"""

from __future__ import annotations

import contextlib
import os as _os
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from brisk.os._http import Response, json
from brisk.os.errors import HTTPError
from brisk.os.limits import RunGate

__all__ = ["AgentOS"]

# Agno keywords Brisk does not implement, with Agno's default: the default is accepted, anything else
# raises a TypeError naming the keyword.
_NOT_IMPLEMENTED: dict[str, Any] = {
    "checkpoint": None,
    "knowledge": None,
    "interfaces": None,
    "a2a_interface": False,
    "authorization": False,
    "authorization_config": None,
    "user_isolation": False,
    "user_directory": None,
    "cors": None,
    "media_storage": None,
    "config": None,
    "mcp": None,
    "mcp_server": None,
    "mcp_auth": None,
    "base_app": None,
    "tracing": False,
    "queue": None,
    "event_stream": None,
    "registry": None,
    "scheduler": False,
    "scheduler_base_url": None,
    "internal_service_token": None,
    "public": None,
    "manager": None,
    "company": None,
}
# Accepted whatever the value: they configure things Brisk does not have (telemetry) or need.
_IGNORED = frozenset({"telemetry", "on_route_conflict", "run_hooks_in_background", "scheduler_poll_interval"})


class AgentOS:
    """Serve agents over HTTP, wire-compatible with Agno 3.1.10's AgentOS."""

    def __init__(
        self,
        id: str | None = None,
        name: str | None = None,
        description: str | None = None,
        version: str | None = None,
        db: Any = None,
        agents: list[Any] | None = None,
        teams: list[Any] | None = None,
        workflows: list[Any] | None = None,
        cors_allowed_origins: list[str] | None = None,
        settings: Any = None,
        lifespan: Callable[[Any], contextlib.AbstractAsyncContextManager[Any]] | None = None,
        auto_provision_dbs: bool = True,
        max_concurrent_runs: int | None = None,
        **kwargs: Any,
    ) -> None:
        _check_keywords(kwargs)
        if teams:
            raise TypeError("AgentOS(teams=...): teams are not supported by Brisk yet")
        if not agents and not workflows and db is None:
            raise ValueError(
                "Either agents, teams, workflows, knowledge bases or a database must be provided."
            )
        self.name = name
        self.id = id or (str(uuid.uuid5(uuid.NAMESPACE_DNS, name)) if name else str(uuid.uuid4()))
        self.description = description
        self.version = version
        self.db = db
        self.agents: list[Any] = list(agents or [])
        self.teams: list[Any] = []
        self.workflows: list[Any] = list(workflows or [])
        self.settings = settings
        self.lifespan = lifespan
        self.auto_provision_dbs = auto_provision_dbs
        self.security_key: str | None = (
            getattr(settings, "os_security_key", None) or _os.getenv("OS_SECURITY_KEY") or None
        )
        origins = cors_allowed_origins or getattr(settings, "cors_origin_list", None)
        from brisk.os.cors import resolve_origins

        self.cors_allowed_origins = resolve_origins(origins)
        self.instantiated_at = datetime.now(UTC)
        self.gate = RunGate(max_concurrent_runs)
        self._agents_by_id: dict[str, Any] = {}
        self._workflows_by_id: dict[str, Any] = {}
        self._cards: dict[str, Response] = {}
        self._workflow_cards: dict[str, Response] = {}
        self._app: Any = None
        self._initialize_agents()
        self._initialize_workflows()
        self.dbs = self._collect_dbs()

    # -- agents -----------------------------------------------------------------------------------
    def _initialize_agents(self) -> None:
        for agent in self.agents:
            if self.db is not None and agent.db is None:
                agent.db = self.db  # agents without a db store into the OS's, as in Agno
            agent.initialize_agent()
            agent.store_events = True  # the session/run routes show a run's events
            if agent.id in self._agents_by_id:
                raise ValueError(f"AgentOS: two agents have the id {agent.id!r}; ids must be unique")
            self._agents_by_id[agent.id] = agent

    # -- workflows --------------------------------------------------------------------------------
    def _initialize_workflows(self) -> None:
        from brisk.os.routers.workflows import workflow_card, workflow_summary
        from brisk.workflow import Workflow

        summaries = []
        for wf in self.workflows:
            if not isinstance(wf, Workflow):
                raise TypeError(f"AgentOS(workflows=...): expected Workflow objects, got {type(wf).__name__}")
            if self.db is not None and wf.db is None:
                wf.db = self.db  # workflows without a db store into the OS's, as in Agno
            wf.initialize_workflow()
            wf.store_events = True  # the session/run routes show a run's events, as in Agno
            if wf.id in self._workflows_by_id:
                raise ValueError(f"AgentOS: two workflows have the id {wf.id!r}; ids must be unique")
            self._workflows_by_id[wf.id] = wf
            # Described now, before any run prepares (wraps) its steps: Agno describes a fresh copy.
            self._workflow_cards[wf.id] = json(workflow_card(wf))
            summaries.append(workflow_summary(wf))
        self._workflow_cards[""] = json(summaries)

    def get_workflow(self, workflow_id: str) -> Any:
        wf = self._workflows_by_id.get(workflow_id)
        if wf is None:
            raise HTTPError(404, "Workflow not found")
        return wf

    def workflow_card_response(self, workflow_id: str) -> Response:
        resp = self._workflow_cards.get(workflow_id) if workflow_id else None
        if resp is None:
            raise HTTPError(404, "Workflow not found")
        return resp

    def workflow_cards_response(self) -> Response:
        return self._workflow_cards[""]

    def _collect_dbs(self) -> dict[str, list[Any]]:
        dbs: dict[str, list[Any]] = {}
        for db in [self.db, *(a.db for a in self.agents), *(w.db for w in self.workflows)]:
            if db is not None and all(d is not db for d in dbs.get(db.id, ())):
                dbs.setdefault(db.id, []).append(db)
        return dbs

    def get_agent(self, agent_id: str) -> Any:
        agent = self._agents_by_id.get(agent_id)
        if agent is None:
            raise HTTPError(404, "Agent not found")
        return agent

    def card_response(self, agent_id: str) -> Response:
        resp = self._cards.get(agent_id)
        if resp is None:
            from brisk.os.routers.agents import agent_card

            resp = self._cards[agent_id] = json(agent_card(self.get_agent(agent_id)))
        return resp

    def cards_response(self) -> Response:
        resp = self._cards.get("")
        if resp is None:
            from brisk.os.routers.agents import agent_card

            resp = self._cards[""] = json([agent_card(a) for a in self.agents])
        return resp

    # -- the app ----------------------------------------------------------------------------------
    def get_app(self) -> Any:
        """The ASGI application (a Starlette app), built on the first call and reused after."""
        if self._app is None:
            self._app = self._build_app()
        return self._app

    def get_routes(self) -> list[Any]:
        from brisk.os import openapi
        from brisk.os.routers import agents, core, memories, metrics, sessions, workflows

        out: list[Any] = []
        for module in (core, agents, workflows, sessions, memories, metrics, openapi):
            out.extend(module.routes(self))
        return out

    def _build_app(self) -> Any:
        from starlette.applications import Starlette
        from starlette.exceptions import HTTPException as StarletteHTTPException
        from starlette.middleware import Middleware
        from starlette.requests import Request as StarletteRequest

        from brisk.os.auth import AuthMiddleware
        from brisk.os.cors import CORSMiddleware
        from brisk.os.router import Router

        async def http_exception(request: StarletteRequest, exc: Exception) -> Any:
            # User routes added to the app answer errors in FastAPI's shape too.
            from starlette.responses import Response as StarletteResponse

            assert isinstance(exc, StarletteHTTPException)
            if exc.status_code in (204, 304):
                return StarletteResponse(status_code=exc.status_code, headers=exc.headers)
            body = json({"detail": exc.detail}, exc.status_code, dict(exc.headers or {}))
            return StarletteResponse(
                body.body, exc.status_code, headers=dict(exc.headers or {}), media_type="application/json"
            )

        middleware = [Middleware(CORSMiddleware, origins=self.cors_allowed_origins)]
        if self.security_key:
            # Outside CORS, as in Agno: a refusal carries its own CORS headers.
            middleware.insert(
                0, Middleware(AuthMiddleware, key=self.security_key, origins=self.cors_allowed_origins)
            )
        app = Starlette(
            middleware=middleware,
            lifespan=self._lifespan,
            exception_handlers={StarletteHTTPException: http_exception},
        )
        app.router = Router(self.get_routes(), self, fallback=app.router)
        app.state.agent_os = self
        return app

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Any) -> AsyncIterator[None]:
        if self.auto_provision_dbs:
            for members in self.dbs.values():
                for db in members:
                    await db.initialize()  # a bad path fails the start, not the first request
        try:
            if self.lifespan is not None:
                async with self.lifespan(app):
                    yield
            else:
                yield
        finally:
            await self._shutdown()

    async def _shutdown(self) -> None:
        import sys

        from brisk.os.limits import wait_idle

        # Runs cancelled by the server's shutdown are still storing themselves as CANCELLED: let them
        # finish before the databases close (each releases its admission slot once it is stored).
        await wait_idle(5.0)
        for members in self.dbs.values():
            for db in members:
                with contextlib.suppress(Exception):
                    await db.close()
        if "brisk.models._http" in sys.modules:  # only when a provider was used: never import aiohttp here
            from brisk.models._http import close_session

            with contextlib.suppress(Exception):
                await close_session()

    # -- serving ----------------------------------------------------------------------------------
    def serve(
        self,
        app: Any = None,
        *,
        host: str = "localhost",
        port: int = 7777,
        reload: bool = False,
        workers: int | None = None,
        access_log: bool = False,
        **kwargs: Any,
    ) -> None:
        """Run ``app`` (an import string ``"module:app"`` or the app object) with uvicorn.

        As in Agno, ``AGENT_OS_HOST`` / ``AGENT_OS_PORT`` override ``host`` / ``port``. ``reload`` and
        ``workers > 1`` need the import string. SIGTERM drains: new runs get 503 while running ones
        finish, for at most ``BRISK_DRAIN_SECONDS`` (default 30).
        """
        from brisk.os._serve import run_server

        host = _os.getenv("AGENT_OS_HOST", host)
        port = int(_os.getenv("AGENT_OS_PORT", port))
        run_server(
            app if app is not None else self.get_app(),
            host=host,
            port=port,
            reload=reload,
            workers=workers,
            access_log=access_log,
            **kwargs,
        )


def _check_keywords(kwargs: dict[str, Any]) -> None:
    unknown = [k for k in kwargs if k not in _NOT_IMPLEMENTED and k not in _IGNORED]
    if unknown:
        raise TypeError(
            f"AgentOS() got unexpected keyword argument(s): {', '.join(repr(k) for k in unknown)}"
        )
    not_impl = [
        k for k in kwargs if k in _NOT_IMPLEMENTED and kwargs[k] not in (_NOT_IMPLEMENTED[k], None, [], ())
    ]
    if not_impl:
        raise TypeError(
            f"AgentOS(): {', '.join(repr(k) for k in not_impl)} "
            f"{'is an Agno option' if len(not_impl) == 1 else 'are Agno options'} that Brisk does not implement yet; "
            "remove it or leave it at Agno's default"
        )
