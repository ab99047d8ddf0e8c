"""Runs the storage conformance suite (``conformance.py``) against every backend in its ``BACKENDS``."""

try:  # tests/unit/db as a package
    from .conformance import *  # noqa: F403 - the suite and its parametrized ``db`` fixture live there
except ImportError:  # rootdir-relative imports (pytest's default "prepend" mode without __init__.py)
    from conformance import *  # noqa: F403
