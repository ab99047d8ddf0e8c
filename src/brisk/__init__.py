"""Brisk: an Agno-compatible agent framework and AgentOS server, built for speed."""

__version__ = "0.1.0"

__all__ = ["__version__"]
