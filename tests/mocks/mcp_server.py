"""A small MCP server for the tests, written with the official ``mcp`` SDK (``MCPServer``).

Run it over stdio (what ``MCPTools(command=...)`` spawns) or over streamable HTTP on loopback::

    python -m tests.mocks.mcp_server                      # stdio
    python -m tests.mocks.mcp_server http --port 8765     # http://127.0.0.1:8765/mcp

Tools: ``add(a, b)``, ``echo(text)``, ``fail(message)`` (the tool reports an error), ``slow(seconds)``,
``crash()`` (the process dies in the middle of the call) and ``whoami()`` (the server's pid).

Environment knobs for the failure tests:

* ``MCP_PID_FILE``: the server writes its pid there once it is up (the tests kill it with SIGKILL);
* ``MCP_REFUSE_FILE``: when that file exists the server exits at once, so a restart attempt fails
  (a server that is gone for good rather than just restarted).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def build_server():  # noqa: ANN201 - the SDK type is imported lazily on purpose
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("brisk-test-server")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers and return the sum."""
        return a + b

    @server.tool()
    def echo(text: str) -> str:
        """Return the text unchanged."""
        return text

    @server.tool()
    def fail(message: str) -> str:
        """Always fails with the given message."""
        from mcp.server.mcpserver.exceptions import ToolError

        raise ToolError(message)

    @server.tool()
    async def slow(seconds: float) -> str:
        """Sleep for the given number of seconds, then answer."""
        await asyncio.sleep(seconds)
        return f"slept {seconds}"

    @server.tool()
    def crash() -> str:
        """Kill the server process in the middle of the call."""
        os._exit(3)

    @server.tool()
    def whoami() -> int:
        """The server's process id."""
        return os.getpid()

    return server


# -- helpers for the tests ----------------------------------------------------------------------------


def stdio_params(**env: str) -> Any:
    """``StdioServerParameters`` that start this server (``env`` adds MCP_PID_FILE etc.)."""
    from mcp import StdioServerParameters

    return StdioServerParameters(
        command=sys.executable, args=["-m", "tests.mocks.mcp_server"], cwd=str(REPO), env=env or None
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpServer:
    """This server over streamable HTTP on loopback, in a subprocess the test can kill and restart."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    def start(self, timeout: float = 20.0) -> HttpServer:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.mocks.mcp_server", "http", "--port", str(self.port)],
            cwd=str(REPO),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the MCP test server exited with {self.proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError("the MCP test server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> HttpServer:
        self.kill()
        return self.start()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="MCP test server")
    ap.add_argument("transport", nargs="?", default="stdio", choices=["stdio", "http"])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args(argv)
    refuse = os.environ.get("MCP_REFUSE_FILE")
    if refuse and os.path.exists(refuse):
        print("mcp test server: refusing to start", file=sys.stderr)
        sys.exit(4)
    pid_file = os.environ.get("MCP_PID_FILE")
    if pid_file:
        with open(pid_file, "w") as f:
            f.write(str(os.getpid()))
    server = build_server()
    if args.transport == "stdio":
        server.run("stdio")
    else:
        server.run("streamable-http", host=args.host, port=args.port)


if __name__ == "__main__":
    main()
