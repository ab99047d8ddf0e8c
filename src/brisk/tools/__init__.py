"""Tools: ``@tool``, ``Toolkit``, ``Function`` and ``resolve_tools`` (Agno's ``agno.tools`` API)."""

from brisk.tools._resolve import resolve_tools
from brisk.tools.decorator import tool
from brisk.tools.function import Function, ToolArgumentError
from brisk.tools.toolkit import Toolkit

__all__ = ["tool", "Toolkit", "Function", "resolve_tools", "ToolArgumentError"]
