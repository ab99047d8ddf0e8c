"""uvicorn with uvloop + httptools, and a drain on SIGTERM.

uvicorn stops listening as soon as it gets SIGTERM and then waits for open requests. Brisk first
drains: the server keeps answering, new runs get 503 (so a load balancer retries them elsewhere),
running streams finish, for at most ``BRISK_DRAIN_SECONDS``; then uvicorn's own shutdown runs, which
cancels whatever is still running after the same grace period (those runs are stored as cancelled).
A second SIGTERM, or SIGINT, skips the drain.

Each worker process drains on its own: ``workers > 1`` runs the workers with this server class.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from types import FrameType
from typing import Any

import uvicorn

from brisk.os import limits

__all__ = ["DrainingServer", "run_server"]

logger = logging.getLogger("uvicorn.error")


def _fast_loop_and_parser() -> dict[str, str]:
    # uvicorn[standard] brings both; fall back quietly where they cannot be installed (e.g. PyPy).
    out = {"loop": "asyncio", "http": "h11"}
    try:
        import uvloop  # noqa: F401

        out["loop"] = "uvloop"
    except ImportError:
        pass
    try:
        import httptools  # noqa: F401

        out["http"] = "httptools"
    except ImportError:
        pass
    return out


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.drain_seconds = limits.drain_seconds()
        self._draining = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: Any = None) -> None:
        self._loop = asyncio.get_running_loop()
        limits.reset_drain()
        await super().serve(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig != signal.SIGTERM or self._draining or self._loop is None or self.should_exit:
            super().handle_exit(sig, frame)
            return
        self._draining = True
        limits.start_drain()
        running = limits.active_runs()
        logger.info(
            "SIGTERM: draining %d running run(s) for up to %.0f s; new runs get 503",
            running,
            self.drain_seconds,
        )
        loop = self._loop
        loop.call_soon_threadsafe(lambda: loop.create_task(self._drain(sig, frame)))

    async def _drain(self, sig: int, frame: FrameType | None) -> None:
        idle = await limits.wait_idle(self.drain_seconds)
        if not idle:
            logger.warning(
                "drain period over with %d run(s) still running; they will be cancelled", limits.active_runs()
            )
        super().handle_exit(sig, frame)


def run_server(
    app: Any,
    *,
    host: str,
    port: int,
    reload: bool = False,
    workers: int | None = None,
    access_log: bool = False,
    **kwargs: Any,
) -> None:
    # No WebSocket routes in Brisk: "none" also spares importing the websockets package.
    options: dict[str, Any] = {**_fast_loop_and_parser(), "lifespan": "on", "ws": "none"}
    options["timeout_graceful_shutdown"] = limits.drain_seconds()
    options.update(kwargs)
    config = uvicorn.Config(
        app, host=host, port=port, reload=reload, workers=workers, access_log=access_log, **options
    )
    if (config.reload or config.workers > 1) and not isinstance(app, str):
        logger.warning("You must pass the application as an import string to enable 'reload' or 'workers'.")
        sys.exit(1)
    server = DrainingServer(config)
    if config.should_reload:
        from uvicorn.supervisors import ChangeReload

        ChangeReload(config, target=server.run, sockets=[config.bind_socket()]).run()
    elif config.workers > 1:
        # Its own module (importable by name, so the worker objects pickle for the spawned processes),
        # imported only here: uvicorn's supervisors pull in watchfiles, which one process does not need.
        from brisk.os._workers import DrainingMultiprocess

        DrainingMultiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        server.run()
        if not server.started:
            sys.exit(1)
