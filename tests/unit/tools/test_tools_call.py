"""Running a tool: argument checks and coercion, injection, threads, generators, result text."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import enum
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal, Optional, TypedDict

import pytest

from brisk.exceptions import ConfigurationError, StopAgentRun
from brisk.tools import Function, ToolArgumentError, tool


class Unit(enum.Enum):
    C = "celsius"
    F = "fahrenheit"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Place:
    city: str
    country: str = "DE"


class Window(TypedDict):
    start: int
    end: int


def echo(
    n: int,
    x: float,
    flag: bool,
    ids: list[int],
    place: Place,
    unit: Unit,
    level: Level,
    when: dt.date,
    window: Window,
    pair: tuple[int, str],
    counts: dict[str, int],
    tags: set[str],
    mode: Literal["fast", "slow"] = "fast",
    maybe: Optional[int] = None,  # noqa: UP045
) -> dict[str, Any]:
    return dict(locals())


async def test_arguments_are_coerced_to_the_annotated_types() -> None:
    fn = Function.from_callable(echo)
    got = await fn.acall(
        {
            "n": "5",
            "x": 2,
            "flag": "yes",
            "ids": ["1", 2.0],
            "place": {"city": "Berlin"},
            "unit": "celsius",
            "level": "2",  # the schema says "string" for enums, so models send strings
            "when": "2024-05-01",
            "window": {"start": "1", "end": 2},
            "pair": [1, "a"],
            "counts": {"a": "3"},
            "tags": ["x", "x"],
            "mode": "slow",
            "maybe": None,
        }
    )
    assert got == {
        "n": 5,
        "x": 2.0,
        "flag": True,
        "ids": [1, 2],
        "place": Place("Berlin", "DE"),
        "unit": Unit.C,
        "level": Level.HIGH,
        "when": dt.date(2024, 5, 1),
        "window": {"start": 1, "end": 2},
        "pair": (1, "a"),
        "counts": {"a": 3},
        "tags": {"x"},
        "mode": "slow",
        "maybe": None,
    }
    assert type(got["x"]) is float and type(got["n"]) is int


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ({"n": "abc"}, "'n': expected an integer, got str 'abc'"),
        ({"n": 1.5}, "'n': expected an integer"),
        ({"flag": 2}, "'flag': expected a boolean"),
        ({"ids": "1,2"}, "'ids': expected an array"),
        ({"ids": [1, "x"]}, "item 1 to be an integer"),
        ({"place": {"town": "x"}}, "missing city; unknown town"),
        ({"place": {"city": 3}}, "field 'city' to be a string"),
        ({"unit": "kelvin"}, "one of 'celsius', 'fahrenheit'"),
        ({"mode": "medium"}, "one of 'fast', 'slow'"),
        ({"when": "yesterday"}, "an ISO 8601 date string"),
        ({"pair": [1, "a", 2]}, "an array of 2 items"),
        ({"counts": {"a": "x"}}, "'counts': expected an integer"),
        ({"n": None}, "'n': expected an integer, got NoneType"),
    ],
)
async def test_invalid_values_are_reported_by_name(args: dict[str, Any], fragment: str) -> None:
    base = {
        "n": 1,
        "x": 1.0,
        "flag": True,
        "ids": [],
        "place": {"city": "B"},
        "unit": "celsius",
        "level": 1,
        "when": "2024-01-01",
        "window": {"start": 1, "end": 2},
        "pair": [1, "a"],
        "counts": {},
        "tags": [],
    }
    with pytest.raises(ToolArgumentError) as info:
        await Function.from_callable(echo).acall({**base, **args})
    assert fragment in str(info.value)
    assert str(info.value).startswith("Invalid arguments for tool 'echo': ")


async def test_missing_and_unknown_arguments() -> None:
    def add(a: int, b: int = 0) -> int:
        return a + b

    fn = Function.from_callable(add)
    with pytest.raises(ToolArgumentError, match=r"missing required argument\(s\) 'a'"):
        await fn.acall({"b": 1})
    with pytest.raises(ToolArgumentError, match=r"unknown argument\(s\) 'c' \(expected: 'a', 'b'\)"):
        await fn.acall({"a": 1, "c": 2})
    assert isinstance(ToolArgumentError("t", "m"), ValueError)
    assert await fn.acall({"a": 2}) == 2
    assert await fn.acall({"a": 2, "b": "3"}) == 5


async def test_union_keeps_exact_types() -> None:
    def f(v: int | str, w: int | None = None, z: float | bool = 0.0) -> tuple[Any, Any, Any]:
        return v, w, z

    fn = Function.from_callable(f)
    assert await fn.acall({"v": "5"}) == ("5", None, 0.0)
    assert await fn.acall({"v": 5, "w": "7", "z": True}) == (5, 7, True)
    with pytest.raises(ToolArgumentError, match="an integer or a string"):
        await fn.acall({"v": [1]})


async def test_unannotated_and_any_pass_through() -> None:
    def f(a, b: Any = None) -> tuple[Any, Any]:
        return a, b

    marker = object()
    assert await Function.from_callable(f).acall({"a": marker, "b": [1]}) == (marker, [1])


async def test_injected_values_only_when_asked_and_model_values_dropped() -> None:
    seen: dict[str, Any] = {}

    def with_agent(city: str, agent: Any, session_state: dict | None = None) -> str:
        seen.update(agent=agent, session_state=session_state)
        return city

    def plain(city: str) -> str:
        return city

    injected = {"agent": "AGENT", "session_state": {"k": 1}, "run_context": "CTX"}
    fn = Function.from_callable(with_agent)
    # The model cannot choose the agent or the state: those arguments are dropped, not errors.
    assert await fn.acall({"city": "x", "agent": "spoof", "session_state": {}}, injected) == "x"
    assert seen == {"agent": "AGENT", "session_state": {"k": 1}}
    assert await Function.from_callable(plain).acall({"city": "y"}, injected) == "y"
    # Without injected values a required injected parameter gets None; one with a default keeps it.
    seen.clear()
    await fn.acall({"city": "z"})
    assert seen == {"agent": None, "session_state": None}


async def test_injection_by_annotation() -> None:
    # A framework type (by module and name) is injected whatever the parameter is called.
    agent_cls = type("Agent", (), {"__module__": "brisk.agent.agent"})
    ctx_cls = type("RunContext", (), {"__module__": "brisk.run.base"})

    def f(q: str, me, ctx=None) -> tuple[Any, Any]:
        return me, ctx

    f.__annotations__.update(me=agent_cls, ctx=ctx_cls | None)
    fn = Function.from_callable(f)
    assert list(fn.parameters["properties"]) == ["q"]
    assert await fn.acall({"q": "x"}, {"agent": "A", "run_context": "R"}) == ("A", "R")


def test_unresolvable_injected_annotation_is_still_injected() -> None:
    def f(q: str, me: Agent) -> str:  # noqa: F821 - imported only for type checking in real code
        return q

    assert list(Function.from_callable(f).parameters["properties"]) == ["q"]


async def test_sync_tool_runs_in_a_worker_thread() -> None:
    loop_thread = threading.get_ident()

    def where(x: int) -> int:
        return threading.get_ident()

    ran_on = await Function.from_callable(where).acall({"x": 1})
    assert ran_on != loop_thread


async def test_async_tool_is_awaited_on_the_loop() -> None:
    loop_thread = threading.get_ident()

    async def where(x: int) -> tuple[int, bool]:
        await asyncio.sleep(0)
        return threading.get_ident(), asyncio.get_running_loop() is not None

    assert await Function.from_callable(where).acall({"x": 1}) == (loop_thread, True)


async def test_sync_tools_run_concurrently() -> None:
    barrier = threading.Barrier(2, timeout=5)

    def wait(i: int) -> int:
        barrier.wait()  # deadlocks unless both calls run at the same time
        return i

    fn = Function.from_callable(wait)
    assert await asyncio.gather(fn.acall({"i": 1}), fn.acall({"i": 2})) == [1, 2]


async def test_generators_are_joined() -> None:
    loop_thread = threading.get_ident()
    threads: list[int] = []

    def count(n: int) -> Iterator[Any]:
        threads.append(threading.get_ident())
        yield from range(n)
        yield "!"

    async def acount(n: int) -> AsyncIterator[str]:
        for i in range(n):
            await asyncio.sleep(0)
            yield f"<{i}>"

    assert await Function.from_callable(count).acall({"n": 3}) == "012!"
    assert threads and threads[0] != loop_thread  # drained off the loop
    assert await Function.from_callable(acount).acall({"n": 2}) == "<0><1>"


async def test_framework_events_contribute_their_content() -> None:
    def make(name: str, **fields: Any) -> Any:
        return type(name, (), {"__module__": "brisk.run.agent", **fields})()

    def stream(q: str) -> Iterator[Any]:
        yield make("RunContentEvent", event="RunContent", content="Hel")
        yield make("RunStartedEvent", event="RunStarted", content="ignored")
        yield make("RunContentEvent", event="RunContent", content=None)
        yield make("RunContentEvent", event="RunContent", content="lo")
        yield "!"

    assert await Function.from_callable(stream).acall({"q": "x"}) == "Hello!"


async def test_sync_function_returning_awaitables_and_generators() -> None:
    async def inner() -> str:
        return "done"

    async def agen() -> AsyncIterator[str]:
        yield "a"
        yield "b"

    def returns_coroutine() -> Any:
        return inner()

    def returns_async_gen() -> Any:
        return agen()

    assert await Function.from_callable(returns_coroutine).acall() == "done"
    assert await Function.from_callable(returns_async_gen).acall() == "ab"


async def test_control_flow_exceptions_propagate() -> None:
    def stop() -> str:
        raise StopAgentRun("enough")

    with pytest.raises(StopAgentRun, match="enough"):
        await Function.from_callable(stop).acall({})


async def test_positional_only_parameters() -> None:
    def f(a: int, b: int = 10, /, c: int = 0) -> tuple[int, int, int]:
        return a, b, c

    fn = Function.from_callable(f)
    assert await fn.acall({"a": "1", "c": 3}) == (1, 10, 3)
    assert await fn.acall({"a": 1, "b": 2}) == (1, 2, 0)


async def test_explicit_schema_with_var_keyword_passes_arguments_through() -> None:
    async def proxy(**kwargs: Any) -> dict[str, Any]:
        return kwargs

    schema = {"type": "object", "properties": {"q": {"type": "string"}}}
    fn = Function(name="remote", parameters=schema, entrypoint=proxy, skip_entrypoint_processing=True)
    assert await fn.acall({"q": "x", "page": 2}) == {"q": "x", "page": 2}
    assert fn.description is None  # kept exactly as given


async def test_bound_methods_and_callable_objects() -> None:
    class Counter:
        """Counts things."""

        def __init__(self) -> None:
            self.total = 0

        def add(self, n: int) -> int:
            """Add n."""
            self.total += n
            return self.total

        async def __call__(self, n: int) -> int:
            return n * 2

    c = Counter()
    add = Function.from_callable(c.add)
    assert add.name == "add" and add.description == "Add n."
    assert list(add.parameters["properties"]) == ["n"]
    assert await add.acall({"n": "2"}) == 2 and c.total == 2
    obj = Function.from_callable(c)
    assert obj.name == "Counter" and obj.description == "Counts things."
    assert await obj.acall({"n": 4}) == 8


async def test_partial_and_decorated_async_functions() -> None:
    import functools

    def scale(factor: int, x: int) -> int:
        """Scale x."""
        return factor * x

    doubled = Function.from_callable(functools.partial(scale, 2))
    assert doubled.name == "scale" and doubled.description == "Scale x."
    assert await doubled.acall({"x": 4}) == 8

    async def fetch(q: str) -> str:
        return q.upper()

    @functools.wraps(fetch)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fetch(*args, **kwargs)

    assert await Function.from_callable(wrapper).acall({"q": "a"}) == "A"


class Booking:
    """Book a table."""

    guests: str  # an attribute annotation that must not leak into the tool's parameters

    def __init__(self, guests: int, name: str = "") -> None:
        self.guests_count = guests
        self.name = name


async def test_class_as_tool_uses_init_parameters() -> None:
    fn = Function.from_callable(Booking)
    assert fn.description == "Book a table."
    assert fn.parameters["properties"] == {"guests": {"type": "integer"}, "name": {"type": "string"}}
    booking = await fn.acall({"guests": "4"})
    assert isinstance(booking, Booking) and booking.guests_count == 4


def test_lambda_needs_a_name() -> None:
    with pytest.raises(ConfigurationError, match="name="):
        Function.from_callable(lambda x: x)
    assert Function.from_callable(lambda: 1, name="one").name == "one"


async def test_schema_only_function_cannot_be_called() -> None:
    fn = Function(name="web_search")
    with pytest.raises(ConfigurationError, match="no entrypoint"):
        await fn.acall({})


def test_format_result_matches_agno() -> None:
    # Agno sends str(result) to the model: Python repr for containers, "None" for None.
    assert Function.format_result("text") == "text"
    assert Function.format_result({"a": 1, "b": [1, "x"]}) == "{'a': 1, 'b': [1, 'x']}"
    assert Function.format_result(None) == "None"
    assert Function.format_result(3.5) == "3.5"
    assert Function.format_result(Place("Berlin")) == "Place(city='Berlin', country='DE')"
    tool_result = type("ToolResult", (), {"content": "from content"})()
    assert Function.format_result(tool_result) == "from content"


def test_cache_results_is_rejected() -> None:
    with pytest.raises(TypeError, match="cache_results"):
        Function.from_callable(echo, cache_results=True)


def test_entrypoint_must_be_callable() -> None:
    with pytest.raises(TypeError, match="callable"):
        Function(name="x", entrypoint=42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="callable"):
        Function.from_callable(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="already"):
        Function.from_callable(tool(echo))


def test_introspection_is_cached_per_callable() -> None:
    from brisk.tools import _introspect

    def f(a: int) -> int:
        return a

    first = Function.from_callable(f)
    second = Function.from_callable(f)
    assert first._spec is second._spec
    assert first.parameters == second.parameters and first.parameters is not second.parameters
    assert f in _introspect._PLAIN_SPECS
