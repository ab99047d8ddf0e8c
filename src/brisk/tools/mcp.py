"""``MCPTools``: the tools of a Model Context Protocol server as a Toolkit (Agno's ``agno.tools.mcp``).

Over stdio (``MCPTools(command="python -m my_server")`` or ``server_params=StdioServerParameters(...)``)
or streamable HTTP (``MCPTools(url="http://host/mcp")``, transport ``"streamable-http"``; ``"sse"`` too),
with the official ``mcp`` SDK, imported only when an MCPTools is created (``pip install 'brisk[mcp]'``)::

    async with MCPTools(command="uvx mcp-server-time") as time_tools:
        agent = Agent(model=..., tools=[time_tools])
        await agent.aprint_response("What time is it in Tokyo?")

Without ``async with``/``connect()`` the agent connects the toolkit when a run needs it and closes it
when the last run using it ends (Agno connects and closes per run too); a toolkit you connected
yourself stays connected until you close it.

Failures are reported, never silent and never a hang:

* every request to the server is bounded by ``timeout_seconds``;
* a call that finds the connection broken (the server process died, the HTTP server went away)
  reconnects once and retries the call; if that fails the tool call fails with a
  ``MCPServerUnavailable`` error naming the server (a ``ToolCallError`` event; the model is told and the
  run goes on, with a notice in ``RunOutput.metadata["warnings"]``);
* a server that cannot be reached when a run starts leaves its tools out of that run, with the same
  kind of notice;
* a tool that reports an error (``isError``) fails the tool call with ``Error from MCP tool '<name>': ...``.

Deviations from Agno 3.1.10 (which goes through fastmcp): tool failures are ``ToolCallError``s
(Agno returns them as ordinary tool results); ``header_provider`` and ``protocol_mode="auto"`` are not
implemented (a ``TypeError`` says so); images and audio in results are described in the text but not
attached to the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shlex
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from brisk.exceptions import BriskError
from brisk.tools.function import Function
from brisk.tools.toolkit import Toolkit

__all__ = [
    "MCPServerUnavailable",
    "MCPToolError",
    "MCPTools",
    "SSEClientParams",
    "StreamableHTTPClientParams",
]

log = logging.getLogger("brisk.tools.mcp")

_INSTALL_HINT = "`mcp` not installed: pip install 'brisk[mcp]' (or pip install 'mcp>=2.1,<3')"
_SHELL_CHARS = frozenset("&|;`$()<>")


def _import_mcp() -> Any:
    try:
        import mcp
    except ModuleNotFoundError as e:
        raise ImportError(_INSTALL_HINT) from e
    return mcp


@dataclass
class SSEClientParams:
    """Parameters of an SSE connection (Agno's; SSE is deprecated in MCP, prefer streamable HTTP)."""

    url: str
    headers: dict[str, Any] | None = None
    timeout: float | None = 5
    sse_read_timeout: float | None = 60 * 5


@dataclass
class StreamableHTTPClientParams:
    """Parameters of a streamable HTTP connection (Agno's). Timeouts in seconds: ``timeout`` for
    connect/write, ``sse_read_timeout`` for reading a response stream."""

    url: str
    headers: dict[str, Any] | None = None
    timeout: float | None = 30
    sse_read_timeout: float | None = 60 * 5
    terminate_on_close: bool | None = None


class MCPServerUnavailable(BriskError):  # noqa: N818 - reads as what happened
    """The MCP server cannot be reached (not started, died, dropped the connection, timed out)."""

    run_warning = "mcp"

    @property
    def notice(self) -> str:
        return str(self)


class MCPToolError(BriskError):
    """The server ran the tool and the tool reported an error, or the server rejected the call."""


class _ConnectionLost(Exception):  # noqa: N818
    pass


class _MCPFunction(Function):
    """A tool served by an MCP server: the model's arguments go to the server unchanged."""

    __slots__ = ("_toolkit", "_mcp_name")

    async def acall(self, args: Any = None, injected: Any = None) -> Any:
        return await self._toolkit._call_tool(self._mcp_name, dict(args or {}))


def default_toolkit_name(
    url: str | None = None, command: str | None = None, server_params: Any = None
) -> str:
    """A stable name from the connection (as Agno derives it): ``mcp_<host_path>`` or ``mcp_<command>``;
    query strings, fragments and user info are left out of URLs so no credential leaks into it."""
    target = None
    if url:
        target = _url_for_name(url)
    elif command:
        target = command
    elif server_params is not None:
        if getattr(server_params, "url", None):
            target = _url_for_name(server_params.url)
        elif getattr(server_params, "command", None):
            target = " ".join([str(server_params.command), *(str(a) for a in server_params.args or [])])
    if not target:
        return "MCPTools"
    slug = "".join(c if c.isalnum() else "_" for c in target.lower())
    while "__" in slug:
        slug = slug.replace("__", "_")
    slug = slug.strip("_")
    return f"mcp_{slug}"[:64] if slug else "MCPTools"


def _url_for_name(url: str) -> str:
    rest = url.split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    authority, slash, path = rest.partition("/")
    return authority.rsplit("@", 1)[-1] + slash + path


def split_command(command: str) -> list[str]:
    """Split a server command line; shell syntax is refused (the command is never run by a shell)."""
    if any(c in _SHELL_CHARS for c in command):
        raise ValueError("MCP command can't contain shell metacharacters")
    parts = shlex.split(command)
    if not parts:
        raise ValueError("MCP command can't be empty")
    exe = parts[0]
    if not (os.path.isfile(exe) or shutil.which(exe)):
        raise ValueError(f"MCP command: executable '{exe}' not found")
    return parts


class MCPTools(Toolkit):
    """The tools of one MCP server (Agno's constructor keywords)."""

    _requires_connect = True

    def __init__(
        self,
        command: str | None = None,
        *,
        name: str | None = None,
        url: str | None = None,
        env: dict[str, str] | None = None,
        transport: Literal["stdio", "sse", "streamable-http"] | None = None,
        server_params: Any = None,
        session: Any = None,
        timeout_seconds: float = 10,
        client: Any = None,
        include_tools: list[str] | None = None,
        exclude_tools: list[str] | None = None,
        refresh_connection: bool = False,
        tool_name_prefix: str | None = None,
        headers: dict[str, Any] | None = None,
        header_provider: Callable[..., dict[str, Any]] | None = None,
        protocol_mode: Literal["legacy", "auto"] = "legacy",
        **kwargs: Any,
    ) -> None:
        mcp = _import_mcp()
        if header_provider is not None:
            raise TypeError("MCPTools(header_provider=...) is not implemented in Brisk yet; use headers=")
        if protocol_mode != "legacy":
            raise TypeError(
                "MCPTools(protocol_mode=...): only 'legacy' (Agno's default) is implemented in Brisk"
            )
        # Checked against the server's tools once they are listed, not now.
        requires_confirmation_tools = kwargs.pop("requires_confirmation_tools", None)
        external_execution_required_tools = kwargs.pop("external_execution_required_tools", None)
        stop_after_tool_call_tools = kwargs.pop("stop_after_tool_call_tools", None)
        show_result_tools = kwargs.pop("show_result_tools", None)
        super().__init__(name=name or default_toolkit_name(url, command, server_params), **kwargs)
        if url is not None:
            if transport is None or transport == "stdio":
                if transport == "stdio":
                    log.warning(
                        "MCPTools: transport 'stdio' cannot be used with url=; using 'streamable-http'"
                    )
                transport = "streamable-http"
        elif server_params is not None and transport is None:
            if isinstance(server_params, StreamableHTTPClientParams):
                transport = "streamable-http"
            elif isinstance(server_params, SSEClientParams):
                transport = "sse"
        transport = transport or "stdio"
        if transport == "sse":
            log.warning("MCPTools: the SSE transport is deprecated; prefer streamable-http")
        if session is None and server_params is None:
            if transport == "stdio" and command is None:
                raise ValueError("One of 'command' or 'server_params' must be given for the stdio transport")
            if transport in ("sse", "streamable-http") and url is None:
                raise ValueError(
                    f"One of 'url' or 'server_params' must be given for the {transport} transport"
                )
        if server_params is not None:
            expected = {
                "stdio": mcp.StdioServerParameters,
                "sse": SSEClientParams,
                "streamable-http": StreamableHTTPClientParams,
            }[transport]
            if not isinstance(server_params, expected):
                raise ValueError(
                    f"For the {transport} transport, server_params must be a {expected.__name__}"
                )
        if headers is not None and transport == "stdio":
            raise ValueError("headers is not supported with the 'stdio' transport")
        self.include_tools = include_tools
        self.exclude_tools = exclude_tools
        self.requires_confirmation_tools = list(requires_confirmation_tools or [])
        self.external_execution_required_tools = list(external_execution_required_tools or [])
        self.stop_after_tool_call_tools = list(stop_after_tool_call_tools or [])
        self.show_result_tools = list(show_result_tools or [])
        self.refresh_connection = refresh_connection
        self.tool_name_prefix = tool_name_prefix
        self.protocol_mode = protocol_mode
        self.transport = transport
        self.timeout_seconds = timeout_seconds
        self.url = url
        self.header_provider = None
        self._mcp_headers = headers
        self._client = client
        if command is not None and transport == "stdio":
            parts = split_command(command)
            server_params = mcp.StdioServerParameters(command=parts[0], args=parts[1:], env=env)
        elif env is not None and isinstance(server_params, mcp.StdioServerParameters):
            server_params = server_params.model_copy(update={"env": {**(server_params.env or {}), **env}})
        self.server_params = server_params
        self._given_session = session
        self._session: Any = session
        self._holder: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failure: BaseException | None = None
        self._initialized = False
        self._generation = 0
        self._lock: asyncio.Lock | None = None
        # Ownership: connected by the user (they close it) or by agent runs (the last run closes it).
        self._user_owned = False
        self._run_users = 0
        self.last_error: BaseException | None = None

    # -- state ------------------------------------------------------------------------------------
    @property
    def initialized(self) -> bool:
        return self._initialized

    @property
    def session(self) -> Any:
        """The MCP ``ClientSession`` in use (None when not connected)."""
        return self._session

    @property
    def target(self) -> str:
        """What this toolkit connects to: the URL, or the server command line."""
        if self.transport != "stdio":
            return str(self.url or getattr(self.server_params, "url", "") or "")
        sp = self.server_params
        if sp is None:
            return "a given session"
        return " ".join([str(sp.command), *(str(a) for a in sp.args or [])])

    def _usable(self) -> bool:
        if not self._initialized or self._session is None:
            return False
        if self._given_session is not None:
            return True
        if self._holder is None or self._holder.done():
            return False
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _get_lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    def _unavailable(self, reason: str, tool: str | None = None) -> MCPServerUnavailable:
        where = f"MCP server '{self.name}' ({self.target})" if self.target else f"MCP server '{self.name}'"
        text = f"{where} is unavailable: {reason}."
        if tool is not None:
            text += f" The call to its tool '{tool}' failed."
        else:
            text += " Its tools are unavailable for this run."
        return MCPServerUnavailable(text)

    # -- connecting -------------------------------------------------------------------------------
    async def connect(self, force: bool = False) -> None:
        """Connect and list the server's tools. As in Agno, a failure is logged, not raised (the
        toolkit then offers no tools; ``last_error`` holds the reason). Use ``async with`` to have
        it raised."""
        if force:
            await self._disconnect()
        if self._usable():
            self._user_owned = True
            return
        try:
            await self._connect()
            self._user_owned = True
        except Exception as e:  # noqa: BLE001 - Agno's connect() logs and goes on
            log.error("Failed to connect to %s: %s", self, e)
            self.last_error = e

    async def _connect(self) -> None:
        """Open the connection, initialise the session and list the tools; raises
        ``MCPServerUnavailable`` when the server cannot be reached in ``timeout_seconds``."""
        if self._usable():
            return
        await self._disconnect()
        if self._given_session is not None:
            try:
                await asyncio.wait_for(self._given_session.initialize(), self.timeout_seconds)
                await asyncio.wait_for(self.build_tools(), self.timeout_seconds)
            except TimeoutError as e:
                raise self._unavailable(f"no answer within {self.timeout_seconds} s") from e
            except Exception as e:  # noqa: BLE001
                raise self._unavailable(_describe(e)) from e
            self._session = self._given_session
            self._initialized = True
            return
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[Any] = loop.create_future()
        stop = asyncio.Event()
        self._failure = None
        holder = loop.create_task(self._hold(ready, stop), name=f"mcp-{self.name}")
        try:
            session = await asyncio.wait_for(asyncio.shield(ready), self.timeout_seconds)
            self._session, self._holder, self._stop, self._loop = session, holder, stop, loop
            await asyncio.wait_for(self.build_tools(), self.timeout_seconds)
        except BaseException as e:
            stop.set()
            await _finish(holder)
            self._session, self._holder, self._stop = None, None, None
            if isinstance(e, TimeoutError | asyncio.TimeoutError):
                raise self._unavailable(f"no answer within {self.timeout_seconds} s") from e
            if isinstance(e, Exception) and not isinstance(e, ValueError | MCPServerUnavailable):
                raise self._unavailable(_describe(e)) from e
            raise
        self._initialized = True
        self._generation += 1
        log.debug("Connected to %s: %s", self, list(self.functions))

    async def _hold(self, ready: asyncio.Future[Any], stop: asyncio.Event) -> None:
        """Own the transport and the session for the whole connection, in one task: the SDK's
        anyio scopes must be entered and left by the same task, and a transport failure must end
        this task, not the caller's."""
        from mcp import ClientSession

        try:
            async with contextlib.AsyncExitStack() as stack:
                read, write = await stack.enter_async_context(self._transport())
                session = await stack.enter_async_context(
                    ClientSession(read, write, read_timeout_seconds=self.timeout_seconds)
                )
                await session.initialize()
                if not ready.done():
                    ready.set_result(session)
                await stop.wait()
        except asyncio.CancelledError:
            if not ready.done():
                ready.cancel()
            raise
        except BaseException as e:  # noqa: BLE001 - recorded: the next call reconnects or reports it
            self._failure = e
            if not ready.done():
                ready.set_exception(_leaf(e))
            else:
                log.warning("Connection to MCP server '%s' lost: %s", self.name, _describe(e))

    def _transport(self) -> Any:
        if self.transport == "stdio":
            from mcp import stdio_client

            if self.server_params is None:
                raise ValueError("server_params must be provided when using the stdio transport")
            return stdio_client(self.server_params)
        params = asdict(self.server_params) if self.server_params is not None else {}
        url = params.get("url") or self.url
        headers = {**(params.get("headers") or {}), **(self._mcp_headers or {})} or None
        if self.transport == "sse":
            from mcp.client.sse import sse_client

            return sse_client(
                url,
                headers=headers,
                timeout=params.get("timeout") or 5,
                sse_read_timeout=params.get("sse_read_timeout") or 300,
            )
        # As Agno: url= alone terminates the server session on close; server_params decide otherwise
        # (their default None keeps it).
        return _streamable_http(
            url,
            headers,
            params.get("timeout") or 30,
            params.get("sse_read_timeout") or 300,
            bool(params.get("terminate_on_close", True)),
        )

    async def _disconnect(self) -> None:
        holder, stop = self._holder, self._stop
        self._holder = self._stop = None
        if self._given_session is None:
            self._session = None
        self._initialized = False
        if holder is None:
            return
        if stop is not None:
            if self._loop is not None and self._loop is not asyncio.get_running_loop():
                # Connected on another event loop: ask that loop to end it.
                with contextlib.suppress(RuntimeError):
                    self._loop.call_soon_threadsafe(stop.set)
                return
            stop.set()
        await _finish(holder)

    async def close(self) -> None:
        """Close the connection (the server process ends, for stdio)."""
        self._user_owned = False
        await self._disconnect()

    async def __aenter__(self) -> MCPTools:
        await self._connect()
        self._user_owned = True
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def is_alive(self) -> bool:
        if not self._usable():
            return False
        try:
            await asyncio.wait_for(self._session.send_ping(), self.timeout_seconds)
            return True
        except Exception:  # noqa: BLE001
            return False

    # -- what agent runs call (brisk.agent._connect) ------------------------------------------------
    async def _run_acquire(self) -> None:
        async with self._get_lock():
            if not self._usable():
                if self._initialized or self._holder is not None:
                    log.warning("MCP server '%s' dropped the connection; reconnecting", self.name)
                await self._connect()
            elif self.refresh_connection:
                if not await self.is_alive():
                    await self._disconnect()
                    await self._connect()
                else:
                    await asyncio.wait_for(self.build_tools(), self.timeout_seconds)
            self._run_users += 1

    async def _run_release(self) -> None:
        self._run_users = max(0, self._run_users - 1)
        if self._run_users == 0 and not self._user_owned:
            await self._disconnect()

    # -- tools ------------------------------------------------------------------------------------
    async def initialize(self) -> None:
        """List the server's tools (Agno's name; connecting does it)."""
        await self.build_tools()

    async def build_tools(self) -> None:
        """List the server's tools (every page) and register them as Functions."""
        session = self._session
        if session is None:
            raise ValueError("Session is not initialized")
        from mcp.types import PaginatedRequestParams

        listed = await session.list_tools()
        tools = list(listed.tools)
        pages = 1
        while listed.next_cursor is not None:
            if pages >= 250:
                raise RuntimeError("MCP tools/list reached the page limit (250)")
            listed = await session.list_tools(params=PaginatedRequestParams(cursor=listed.next_cursor))
            tools.extend(listed.tools)
            pages += 1
        self._check_filters([t.name for t in tools], self.include_tools, self.exclude_tools)
        prefix = f"{self.tool_name_prefix}_" if self.tool_name_prefix else ""
        functions: dict[str, Function] = {}
        for tool in tools:
            if self.exclude_tools and tool.name in self.exclude_tools:
                continue
            if self.include_tools is not None and tool.name not in self.include_tools:
                continue
            stop = tool.name in self.stop_after_tool_call_tools
            f = _MCPFunction(
                name=prefix + tool.name,
                description=tool.description,
                parameters=dict(tool.input_schema or {"type": "object", "properties": {}}),
                skip_entrypoint_processing=True,
                requires_confirmation=tool.name in self.requires_confirmation_tools,
                external_execution=tool.name in self.external_execution_required_tools,
                stop_after_tool_call=stop,
                show_result=stop or tool.name in self.show_result_tools,
            )
            f._toolkit = self
            f._mcp_name = tool.name
            functions[f.name] = f
        self.functions = functions

    async def _call_tool(self, tool_name: str, arguments: dict[str, Any]) -> str:
        """Call a tool on the server. A broken connection is reopened once and the call retried; past
        that, ``MCPServerUnavailable`` naming the server."""
        can_reconnect = self._given_session is None
        reconnected = False
        while True:
            generation = self._generation
            if not self._usable():
                if reconnected or not can_reconnect:
                    raise self._unavailable(self._lost_reason("not connected"), tool_name)
                await self._reconnect(generation, tool_name)
                reconnected = True
                continue
            try:
                return await self._request(tool_name, arguments)
            except _ConnectionLost as e:
                if reconnected or not can_reconnect:
                    raise self._unavailable(str(e), tool_name) from None
                log.warning(
                    "MCP server '%s' dropped the connection (%s); reconnecting once and retrying '%s'",
                    self.name,
                    e,
                    tool_name,
                )
                await self._reconnect(generation, tool_name)
                reconnected = True

    def _lost_reason(self, default: str) -> str:
        return _describe(self._failure) if self._failure is not None else default

    async def _reconnect(self, generation: int, tool_name: str) -> None:
        async with self._get_lock():
            if self._generation != generation and self._usable():
                return  # another call reconnected meanwhile
            # The old connection may still look open (a stdio server that died leaves its task
            # waiting): end it before opening a new one.
            await self._disconnect()
            try:
                await self._connect()
            except MCPServerUnavailable as e:
                raise self._unavailable(
                    str(e).split(" is unavailable: ", 1)[-1].rstrip("."), tool_name
                ) from e
            except Exception as e:  # noqa: BLE001
                raise self._unavailable(_describe(e), tool_name) from e

    async def _request(self, tool_name: str, arguments: dict[str, Any]) -> str:
        from mcp.shared.exceptions import MCPError

        session, holder = self._session, self._holder
        call = asyncio.ensure_future(session.call_tool(tool_name, arguments, self.timeout_seconds))
        waits: set[asyncio.Future[Any]] = {call} if holder is None else {call, holder}
        try:
            done, _ = await asyncio.wait(
                waits, timeout=self.timeout_seconds + 2, return_when=asyncio.FIRST_COMPLETED
            )
        except BaseException:
            call.cancel()
            raise
        if call not in done:
            call.cancel()
            with contextlib.suppress(BaseException):
                await call
            if holder is not None and holder in done:
                raise _ConnectionLost(self._lost_reason("the connection closed"))
            raise self._unavailable(f"no answer within {self.timeout_seconds} s", tool_name)
        try:
            result = call.result()
        except MCPError as e:
            if e.code == -32000:  # CONNECTION_CLOSED
                raise _ConnectionLost(self._lost_reason("the connection closed")) from None
            if e.code == -32600 and "session" in str(e).lower():
                # INVALID_REQUEST "Session not found/terminated": the server restarted and forgot us.
                raise _ConnectionLost(f"the server ended the session ({e})") from None
            if e.code == -32001:  # REQUEST_TIMEOUT
                raise self._unavailable(f"no answer within {self.timeout_seconds} s", tool_name) from None
            raise MCPToolError(
                f"MCP server '{self.name}' rejected the call to tool '{tool_name}': {e}"
            ) from None
        except (OSError, EOFError) as e:
            raise _ConnectionLost(_describe(e)) from None
        except Exception as e:
            if _is_transport_error(e):
                raise _ConnectionLost(_describe(e)) from None
            raise
        text = _result_text(result)
        if result.is_error:
            raise MCPToolError(f"Error from MCP tool '{tool_name}': {text}")
        return text

    def __repr__(self) -> str:
        return f"<MCPTools name={self.name} transport={self.transport} target={self.target!r}>"

    __str__ = __repr__


@contextlib.asynccontextmanager
async def _streamable_http(
    url: str, headers: dict[str, Any] | None, timeout: float, read_timeout: float, terminate: bool
) -> Any:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    client = httpx2.AsyncClient(
        headers=headers, timeout=httpx2.Timeout(float(timeout), read=float(read_timeout))
    )
    async with (
        client,
        streamable_http_client(url, http_client=client, terminate_on_close=terminate) as streams,
    ):
        yield streams[0], streams[1]


async def _finish(task: asyncio.Task[Any], timeout: float = 10.0) -> None:
    """Wait for a connection task to wind down (bounded), cancelling it when it does not."""
    if task.done():
        with contextlib.suppress(BaseException):
            task.result()
        return
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        task.cancel()
        await asyncio.wait({task}, timeout=timeout)
    if task.done() and not task.cancelled():
        with contextlib.suppress(BaseException):
            task.result()


def _leaf(e: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups."""
    while isinstance(e, BaseExceptionGroup) and e.exceptions:
        e = e.exceptions[0]
    return e


def _describe(e: BaseException | None) -> str:
    if e is None:
        return "unknown error"
    e = _leaf(e)
    if isinstance(e, TimeoutError | asyncio.TimeoutError):
        return "timed out"
    text = str(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _is_transport_error(e: BaseException) -> bool:
    names = {c.__name__ for c in type(e).__mro__}
    modules = {c.__module__.split(".", 1)[0] for c in type(e).__mro__}
    return bool(
        names
        & {"ClosedResourceError", "BrokenResourceError", "EndOfStream", "TransportError", "NetworkError"}
        or ("httpx2" in modules and "HTTPError" in names)
    )


def _result_text(result: Any) -> str:
    """A tool result as the text the model gets (Agno's rules)."""
    from mcp.types import AudioContent, EmbeddedResource, ImageContent, TextContent

    out = ""
    for item in result.content or ():
        if isinstance(item, TextContent):
            out += item.text + "\n"
        elif isinstance(item, ImageContent):
            out += "Image has been generated and added to the response.\n"
        elif isinstance(item, AudioContent):
            out += "Audio has been generated and added to the response.\n"
        elif isinstance(item, EmbeddedResource):
            out += f"[Embedded resource: {item.resource.model_dump_json(by_alias=True)}]\n"
        else:
            out += f"[Unsupported content type: {getattr(item, 'type', type(item).__name__)}]\n"
    if not out.strip():
        structured = getattr(result, "structured_content", None)
        if structured is not None:
            try:
                return json.dumps(structured, ensure_ascii=False, sort_keys=True, default=str)
            except (TypeError, ValueError):
                return str(structured)
        return ""
    return out.strip()
