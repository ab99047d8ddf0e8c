"""Provider configuration read from the environment (one prefix per provider, see ``.env.example``)."""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["env_default", "first_env", "mask_secret"]


def first_env(*names: str | None) -> tuple[str | None, str | None]:
    """(name, value) of the first variable that is set to a non-blank value, else (None, None)."""
    for name in names:
        if name:
            value = os.getenv(name)
            if value and value.strip():
                return name, value.strip()
    return None, None


def env_default(var: str, default: str) -> Callable[[], str]:
    """A dataclass ``default_factory``: ``$var`` when set, else Agno's default.

    Read when the model is constructed, so an explicit ``id=`` always wins and an unset variable leaves
    Agno's default untouched.
    """

    def factory() -> str:
        value = os.getenv(var)
        return value.strip() if value and value.strip() else default

    return factory


def mask_secret(value: str | None) -> str:
    """``sk-…abcd`` for a key long enough to keep a recognisable prefix and tail, else just ``set``."""
    if not value:
        return "not set"
    if len(value) < 16:
        return "set"
    head = value[:3] if value[:3].isascii() else ""
    return f"{head}…{value[-4:]}"
