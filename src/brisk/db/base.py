"""The storage interface every Brisk database backend implements.

The run loop and the AgentOS routers talk to storage only through ``BaseDb``: plain ``dict`` rows whose
keys are the columns of Agno's v3 tables (``agno_sessions``, ``agno_runs``, ``agno_memories``) and whose
JSON columns are already decoded. Every method is a coroutine; no backend may tie itself to one event
loop, because the sync API runs the async core on private loops in other threads.

Table names follow Agno's constructor keywords and defaults, so a database written by Agno opens in
Brisk and the other way round.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import StrEnum
from typing import Any

__all__ = ["BaseDb", "SessionType"]


class SessionType(StrEnum):
    """What a session belongs to; the value is what ``agno_sessions.session_type`` stores.

    A ``StrEnum`` (Agno's is ``str, Enum``): equal to its value either way, and ``str()``/f-strings give
    the value too, not ``SessionType.AGENT``."""

    AGENT = "agent"
    TEAM = "team"
    WORKFLOW = "workflow"


# Agno's table-name keywords and their defaults. Brisk reads and writes the first five; the others are
# accepted (and shown by ``to_dict``) so an Agno program that names them keeps working, and so the
# names are at hand when Brisk grows the matching features.
TABLE_DEFAULTS: dict[str, str] = {
    "session_table": "agno_sessions",
    "runs_table": "agno_runs",
    "memory_table": "agno_memories",
    "metrics_table": "agno_metrics",
    "versions_table": "agno_schema_versions",
    "eval_table": "agno_eval_runs",
    "knowledge_table": "agno_knowledge",
    "traces_table": "agno_traces",
    "spans_table": "agno_spans",
    "components_table": "agno_components",
    "component_configs_table": "agno_component_configs",
    "component_links_table": "agno_component_links",
    "learnings_table": "agno_learnings",
    "schedules_table": "agno_schedules",
    "products_table": "agno_company_products",
    "sources_table": "agno_company_sources",
    "projects_table": "agno_company_projects",
    "tasks_table": "agno_company_tasks",
    "schedule_runs_table": "agno_schedule_runs",
    "approvals_table": "agno_approvals",
    "auth_tokens_table": "agno_auth_tokens",
    "service_accounts_table": "agno_service_accounts",
    "mcp_oauth_clients_table": "agno_mcp_oauth_clients",
    "mcp_oauth_transactions_table": "agno_mcp_oauth_transactions",
    "mcp_oauth_codes_table": "agno_mcp_oauth_codes",
    "mcp_oauth_refresh_tokens_table": "agno_mcp_oauth_refresh_tokens",
    "mcp_oauth_keys_table": "agno_mcp_oauth_keys",
}


def _attr_name(keyword: str) -> str:
    # Agno names two attributes differently from their keywords (traces_table -> trace_table_name).
    return {"traces_table": "trace_table_name", "spans_table": "span_table_name"}.get(
        keyword, keyword + "_name"
    )


class BaseDb(ABC):
    """Abstract storage backend. Rows are plain dicts; see the module docstring."""

    id: str

    def __init__(self, *, id: str, **tables: str | None) -> None:
        unknown = sorted(set(tables) - set(TABLE_DEFAULTS))
        if unknown:  # subclasses check their own keywords first; this guards direct callers
            raise TypeError(f"{type(self).__name__}: unknown keyword argument(s): {', '.join(unknown)}")
        self.id = id
        for keyword, default in TABLE_DEFAULTS.items():
            setattr(self, _attr_name(keyword), tables.get(keyword) or default)
        # As in Agno: a custom session table without an explicit runs table gets its own runs table,
        # because the runs table's foreign key names exactly one sessions table.
        session_table = tables.get("session_table")
        if not tables.get("runs_table") and session_table and session_table != "agno_sessions":
            self.runs_table_name = f"{session_table}_runs"

    # Agno keeps the names in ``*_table_name``; the short spellings are Brisk's.
    @property
    def session_table(self) -> str:
        return self.session_table_name

    @property
    def runs_table(self) -> str:
        return self.runs_table_name

    @property
    def memory_table(self) -> str:
        return self.memory_table_name

    @property
    def metrics_table(self) -> str:
        return self.metrics_table_name

    def to_dict(self) -> dict[str, Any]:
        """The configuration as AgentOS shows it: the id and every table name."""
        out: dict[str, Any] = {"id": self.id}
        for keyword in TABLE_DEFAULTS:
            out[keyword] = getattr(self, _attr_name(keyword))
        return out

    async def initialize(self) -> None:  # noqa: B027 - optional hook, a no-op for backends without setup
        """Open the database and create missing tables now instead of on first use.

        AgentOS calls this at startup so that a bad path fails the start, not the first request.
        """

    # -- sessions ---------------------------------------------------------------------------------
    @abstractmethod
    async def upsert_session(self, row: dict[str, Any]) -> bool:
        """Insert or update one ``agno_sessions`` row.

        ``created_at`` is kept on update and ``updated_at`` is set to now. As in Agno, an existing
        session owned by another user is left untouched; the result says whether the row was written.
        """

    @abstractmethod
    async def get_session(
        self, session_id: str, session_type: SessionType | str | None = None, user_id: str | None = None
    ) -> dict[str, Any] | None: ...

    @abstractmethod
    async def get_sessions(
        self,
        *,
        session_type: SessionType | str | None = None,
        component_id: str | None = None,
        user_id: str | None = None,
        session_name: str | None = None,
        limit: int | None = 20,
        page: int | None = 1,
        sort_by: str | None = "created_at",
        sort_order: str | None = "desc",
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of sessions and the total count matching the filters.

        ``component_id`` matches ``agent_id``/``team_id``/``workflow_id`` as ``session_type`` says (any of
        them when no type is given); ``session_name`` is a case-insensitive substring of
        ``session_data.session_name``. ``limit=None`` returns every match.
        """

    @abstractmethod
    async def delete_session(self, session_id: str, user_id: str | None = None) -> bool:
        """Delete a session and its runs; True when the session row existed."""

    @abstractmethod
    async def delete_sessions(self, session_ids: list[str], user_id: str | None = None) -> None: ...

    @abstractmethod
    async def rename_session(
        self, session_id: str, session_name: str, user_id: str | None = None
    ) -> dict[str, Any] | None:
        """Set ``session_data.session_name``; returns the updated row, or None when there is no session."""

    # -- runs -------------------------------------------------------------------------------------
    @abstractmethod
    async def add_run(self, row: dict[str, Any]) -> None:
        """Append one ``agno_runs`` row. ``run_index`` (when the row has none) is the session's
        largest index + 1, or 0 for the first run. The row is committed when the coroutine returns."""

    @abstractmethod
    async def upsert_run(self, row: dict[str, Any]) -> None:
        """Update an existing run's status/run_data (pause, continue, cancel) or insert a new one.
        An existing ``run_index`` is never changed."""

    async def save_run(self, session_row: dict[str, Any], run_row: dict[str, Any]) -> bool:
        """Persist a run together with its session row (what the run loop does at the end of a run).

        Backends that can should do this in one transaction: it halves the commits per run. The result
        is ``upsert_session``'s.
        """
        written = await self.upsert_session(session_row)
        await self.upsert_run(run_row)
        return written

    @abstractmethod
    async def get_runs(
        self,
        session_id: str,
        *,
        last: int | None = None,
        first: int | None = None,
        statuses: list[str] | None = None,
        top_level_only: bool = False,
    ) -> list[dict[str, Any]]:
        """A session's runs, oldest first.

        ``last=n`` returns only the newest n (after the filters), still oldest first; ``first=n`` only the
        oldest n (at most one of the two); ``statuses`` keeps
        runs whose status is in the list; ``top_level_only`` drops member runs (``parent_run_id`` set),
        as Agno's history window does.
        """

    @abstractmethod
    async def get_run(self, run_id: str, session_id: str | None = None) -> dict[str, Any] | None: ...

    # -- memories ---------------------------------------------------------------------------------
    @abstractmethod
    async def upsert_memory(self, row: dict[str, Any]) -> dict[str, Any]:
        """Insert or update one ``agno_memories`` row and return it as stored. A missing
        ``memory_id`` gets a uuid4; ``created_at`` is kept on update and ``updated_at`` set to now."""

    @abstractmethod
    async def get_memory(self, memory_id: str, user_id: str | None = None) -> dict[str, Any] | None: ...

    @abstractmethod
    async def get_memories(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        team_id: str | None = None,
        topics: list[str] | None = None,
        search_content: str | None = None,
        limit: int | None = None,
        page: int | None = None,
        sort_by: str | None = "updated_at",
        sort_order: str | None = "desc",
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of memories and the total count. Every topic in ``topics`` must be among the
        memory's topics (case-insensitive); ``search_content`` is a case-insensitive substring."""

    @abstractmethod
    async def delete_memory(self, memory_id: str, user_id: str | None = None) -> bool: ...

    @abstractmethod
    async def delete_memories(self, memory_ids: list[str], user_id: str | None = None) -> None: ...

    @abstractmethod
    async def get_all_memory_topics(self, user_id: str | None = None) -> list[str]:
        """Every distinct topic, sorted."""

    @abstractmethod
    async def get_user_memory_stats(
        self, limit: int | None = None, page: int | None = None, user_id: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """Per user: ``{user_id, total_memories, last_memory_updated_at}``, most recently updated
        first; memories without a user are not counted."""

    @abstractmethod
    async def close(self) -> None:
        """Finish pending writes and release connections and threads. The object stays usable: the
        next call opens the database again."""
