"""Toolkits that hold connections (``Toolkit.requires_connect``, e.g. ``MCPTools``): connected before a
run, released after it.

A toolkit with ``_run_acquire``/``_run_release`` (MCPTools) manages its own connection: it connects on
the first run that needs it, stays connected while runs use it, and closes when the last one ends,
unless the user connected it (``async with MCPTools(...)`` / ``await tools.connect()``), in which case
the user closes it. Other connectable toolkits get ``connect()`` before and ``close()`` after each run,
as in Agno.

A toolkit that cannot connect does not fail the run: its tools are left out, a warning is logged and a
notice recorded for the run's metadata (``brisk.agent._notices``).
"""

from __future__ import annotations

import inspect
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brisk.agent.agent import Agent

log = logging.getLogger("brisk.agent")


def _signature(toolkits: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((id(t), tuple(id(f) for f in t.functions.values())) for t in toolkits)


async def acquire(agent: Agent, notices: list[dict[str, str]]) -> list[Any]:
    """Connect the agent's connectable toolkits for one run; returns the ones to release after it."""
    acquired: list[Any] = []
    try:
        await _acquire_all(agent, acquired, notices)
    except BaseException:
        await release(acquired)  # cancelled while connecting: leave nothing half-held
        raise
    # The tools a server offers are known only once it is connected (and may change on reconnect):
    # re-resolve the agent's tools when they differ from what was resolved last.
    if _signature(agent._connectables) != agent._connect_signature:
        agent._resolve_tools()
    return acquired


async def _acquire_all(agent: Agent, acquired: list[Any], notices: list[dict[str, str]]) -> None:
    for toolkit in agent._connectables:
        try:
            run_acquire = getattr(toolkit, "_run_acquire", None)
            if run_acquire is not None:
                await run_acquire()
            else:
                result = toolkit.connect()
                if inspect.isawaitable(result):
                    await result
            acquired.append(toolkit)
        except Exception as e:  # noqa: BLE001 - degrade: run without this toolkit's tools, and say so
            message = getattr(e, "notice", None) or (
                f"toolkit '{toolkit.name}' could not connect ({type(e).__name__}: {e}); its tools are "
                "unavailable for this run"
            )
            source = getattr(e, "run_warning", None) or "tools"
            notices.append({"source": source, "message": message})  # logged by the run (_Run.warn)


async def release(acquired: list[Any]) -> None:
    for toolkit in acquired:
        try:
            run_release = getattr(toolkit, "_run_release", None)
            if run_release is not None:
                await run_release()
            else:
                result = toolkit.close()
                if inspect.isawaitable(result):
                    await result
        except Exception as e:  # noqa: BLE001 - closing must never fail a finished run
            log.warning("Error disconnecting toolkit '%s': %s", getattr(toolkit, "name", toolkit), e)


def signature(agent: Agent) -> tuple[Any, ...]:
    return _signature(agent._connectables)
