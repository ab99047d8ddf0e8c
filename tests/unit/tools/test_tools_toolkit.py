"""``Toolkit`` and ``resolve_tools``."""

from __future__ import annotations

import json
import logging
import socket

import pytest

from brisk.exceptions import ConfigurationError
from brisk.tools import Function, Toolkit, resolve_tools, tool


class Weather(Toolkit):
    def __init__(self, **kwargs: object) -> None:
        self.unit = "C"
        super().__init__(
            name="weather tools",
            tools=[self.current, self.forecast, self.alerts],
            async_tools=[(self.acurrent, "current")],
            instructions="Prefer current over forecast.",
            **kwargs,  # type: ignore[arg-type]
        )

    def current(self, city: str) -> str:
        """Current weather.

        Args:
            city: The city.
        """
        return f"sync {city} 20{self.unit}"

    async def acurrent(self, city: str) -> str:
        """Current weather (async)."""
        return f"async {city} 20{self.unit}"

    @tool(stop_after_tool_call=True, instructions="Forecasts are estimates.")
    def forecast(self, city: str, days: int = 3) -> str:
        """Forecast.

        Args:
            city: The city.
            days: How many days.
        """
        return f"{city} {days}d {self.unit}"

    async def alerts(self) -> list[str]:
        return []


def test_functions_and_metadata() -> None:
    tk = Weather()
    assert tk.name == "weather tools" and tk.id == "weather-tools"
    assert list(tk.functions) == ["current", "forecast", "alerts"]
    # The async variant replaces the sync tool of the same name (Brisk's loop is async).
    assert tk.functions["current"].description == "Current weather (async)."
    assert set(tk.async_functions) == {"current", "alerts"}
    assert tk.get_functions() is tk.functions and tk.get_async_functions() is tk.functions
    assert tk.instructions == "Prefer current over forecast." and tk.add_instructions is False
    assert (
        repr(tk)
        == "<Weather id=weather-tools name=weather tools functions=['current', 'forecast', 'alerts']>"
    )


async def test_methods_are_bound_to_the_instance() -> None:
    tk = Weather()
    tk.unit = "F"
    assert await tk.functions["current"].acall({"city": "Oslo"}) == "async Oslo 20F"
    forecast = tk.functions["forecast"]
    assert list(forecast.parameters["properties"]) == ["city", "days"]  # no "self"
    assert await forecast.acall({"city": "Oslo", "days": "2"}) == "Oslo 2d F"


def test_decorated_method_keeps_its_flags() -> None:
    forecast = Weather().functions["forecast"]
    assert forecast.stop_after_tool_call is True and forecast.show_result is True
    assert forecast.instructions == "Forecasts are estimates."
    # Toolkit members are sent as Agno sends them: no additionalProperties added.
    assert json.dumps(forecast.to_dict()) == (
        '{"name": "forecast", "description": "Forecast.", "parameters": {"type": "object", "properties": '
        '{"city": {"type": "string", "description": "The city."}, "days": {"type": "integer", "description": '
        '"How many days."}}, "required": ["city"]}}'
    )


def test_flag_lists() -> None:
    tk = Weather(
        requires_confirmation_tools=["current"],
        external_execution_required_tools=["alerts"],
        stop_after_tool_call_tools=["alerts"],
        show_result_tools=["current"],
    )
    current, alerts = tk.functions["current"], tk.functions["alerts"]
    assert current.requires_confirmation is True and current.show_result is True
    assert current.stop_after_tool_call is False
    assert alerts.external_execution is True and alerts.stop_after_tool_call is True
    assert alerts.show_result is True  # implied by stop_after_tool_call
    assert tk.functions["forecast"].requires_confirmation is False


def test_include_and_exclude() -> None:
    assert list(Weather(include_tools=["forecast"]).functions) == ["forecast"]
    assert list(Weather(exclude_tools=["forecast"]).functions) == ["current", "alerts"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"include_tools": ["forecast", "radar"]},
            "Included tool(s) not present in the toolkit 'weather tools': radar",
        ),
        (
            {"exclude_tools": ["radar", "sonar"]},
            "Excluded tool(s) not present in the toolkit 'weather tools': radar, sonar",
        ),
    ],
)
def test_unknown_include_exclude_names(kwargs: dict[str, list[str]], message: str) -> None:
    with pytest.raises(ValueError) as info:
        Weather(**kwargs)
    assert message in str(info.value)
    assert "(available: current, forecast, alerts)" in str(info.value)


def test_unknown_flag_list_names_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="brisk.tools"):
        Weather(requires_confirmation_tools=["radar"])
    assert "Requires confirmation tool(s) not present in the toolkit 'weather tools': radar" in caplog.text


def test_plain_toolkit_and_manual_registration() -> None:
    def ping(host: str) -> str:
        return host

    tk = Toolkit(name="net", tools=[ping], auto_register=False, timeout=5)
    assert tk.functions == {} and tk.timeout == 5
    tk.register(ping, name="ping_host")
    assert list(tk.functions) == ["ping_host"]
    assert Toolkit(name="").id  # a random id when there is no name
    assert Toolkit().requires_connect is False
    tk.connect()
    tk.close()


def test_subclass_timeout_is_kept() -> None:
    class Slow(Toolkit):
        def __init__(self) -> None:
            self.timeout = 30
            super().__init__(name="slow")

    assert Slow().timeout == 30


def test_toolkit_errors() -> None:
    with pytest.raises(TypeError, match="cache_results"):
        Toolkit(cache_results=True)
    with pytest.raises(TypeError, match="callables or Functions"):
        Toolkit(tools=[42])  # type: ignore[list-item]

    def bad(sock: socket.socket) -> None: ...

    with pytest.raises(ConfigurationError, match="parameter 'sock'"):
        Toolkit(tools=[bad])


def test_decorated_tool_without_entrypoint_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="brisk.tools"):
        tk = Toolkit(tools=[Function(name="remote")])
    assert tk.functions == {} and "no entrypoint" in caplog.text


# -- resolve_tools -----------------------------------------------------------------------------------
def get_time(zone: str) -> str:
    """Current time.

    Args:
        zone: Time zone.
    """
    return zone


@tool(requires_confirmation=True)
def delete_file(path: str, force: bool = False) -> str:
    """Delete a file."""
    return path


def test_resolve_mixed_input() -> None:
    builtin = {"type": "web_search_preview"}
    schema_only = {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look up.",
            "parameters": {"type": "object", "properties": {}},
        },
    }
    tools = resolve_tools([get_time, delete_file, Weather(), schema_only, builtin])
    assert [f.name for f in tools] == [
        "get_time",
        "delete_file",
        "current",
        "forecast",
        "alerts",
        "lookup",
        "web_search_preview",
    ]
    by_name = {f.name: f for f in tools}
    assert by_name["get_time"].to_dict()["parameters"] == {
        "type": "object",
        "properties": {"zone": {"type": "string", "description": "Time zone."}},
        "required": ["zone"],
    }
    # A Function given directly is closed the way Agno closes it when the agent processes it.
    assert by_name["delete_file"].to_dict()["parameters"] == {
        "type": "object",
        "properties": {"path": {"type": "string"}, "force": {"type": "boolean"}},
        "required": ["path"],
        "additionalProperties": False,
    }
    assert by_name["delete_file"].requires_confirmation is True
    # Dicts go to the provider verbatim and cannot be run here.
    assert by_name["lookup"].to_tool_schema() == schema_only and by_name["lookup"].entrypoint is None
    assert by_name["lookup"].description == "Look up."
    assert by_name["web_search_preview"].to_tool_schema() == builtin


def test_resolve_direct_function_view_is_cached_and_original_unchanged() -> None:
    (first,) = resolve_tools([delete_file])
    (second,) = resolve_tools([delete_file])
    assert first is second and first is not delete_file
    assert "additionalProperties" not in delete_file.parameters


def test_resolve_keeps_the_first_of_duplicate_names(caplog: pytest.LogCaptureFixture) -> None:
    def current(city: str) -> str:
        return "module-level"

    with caplog.at_level(logging.WARNING, logger="brisk.tools"):
        tools = resolve_tools([current, Weather()])
    assert [f.name for f in tools] == ["current", "forecast", "alerts"]
    assert tools[0].entrypoint is current
    assert "Duplicate tool name 'current' from toolkit 'weather tools'" in caplog.text


def test_resolve_rejects_non_tools() -> None:
    with pytest.raises(TypeError, match=r"tools\[1\] is not a tool: int 42"):
        resolve_tools([get_time, 42])
    with pytest.raises(TypeError, match="has no name"):
        resolve_tools([{"type": "function", "function": {"description": "nameless"}}])
    assert resolve_tools(None) == [] and resolve_tools([]) == []


def test_function_from_dict_round_trip() -> None:
    fn = Function.from_callable(get_time)
    again = Function.from_dict(fn.to_dict())
    assert again.to_dict() == fn.to_dict() and again.entrypoint is None
