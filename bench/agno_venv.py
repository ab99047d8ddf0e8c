"""Create (idempotently) the isolated ``.venv-agno`` that runs Agno 3.1.10 for comparisons.

Agno is never imported by Brisk: only benchmark and fixture scripts run it, in this interpreter.
Run directly (``python bench/agno_venv.py``) or call :func:`ensure_agno_venv`.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGNO_VENV = ROOT / ".venv-agno"
AGNO_VERSION = "3.1.10"
# What Agno's OpenAIChat and SqliteDb import at run time (found by importing them in a bare venv).
REQUIREMENTS = [
    f"agno=={AGNO_VERSION}",
    "openai",
    "sqlalchemy",
    "greenlet",  # agno.db.sqlite imports sqlalchemy.ext.asyncio, which needs it
]
# A quick check that every module the bench scenarios touch imports.
_PROBE = (
    "import agno.agent, agno.models.openai, agno.db.sqlite, agno.tools;"
    "from importlib.metadata import version; print(version('agno'))"
)


def agno_python() -> Path:
    return AGNO_VENV / "bin" / "python"


def _stamp_text() -> str:
    return hashlib.sha256("\n".join(REQUIREMENTS).encode()).hexdigest()


def _run(cmd: list[str]) -> None:
    # pip's output (and this machine's index warnings) only matter when it fails.
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}")


def _base_python() -> str:
    # The interpreter Brisk's .venv was made from, so both sides run the same CPython build.
    return getattr(sys, "_base_executable", None) or sys.executable


def ensure_agno_venv(quiet: bool = False) -> Path:
    """Return the path of ``.venv-agno/bin/python``, creating or updating the venv when needed."""

    def say(msg: str) -> None:
        if not quiet:
            print(f"[agno-venv] {msg}", flush=True)

    py = agno_python()
    stamp = AGNO_VENV / ".bench-installed"
    if py.exists() and stamp.exists() and stamp.read_text() == _stamp_text():
        probe = subprocess.run([str(py), "-c", _PROBE], capture_output=True, text=True)
        if probe.returncode == 0:
            say(f"up to date: agno {probe.stdout.strip()} in {AGNO_VENV}")
            return py
        say("installed venv fails its import probe; reinstalling")
    if not py.exists():
        say(f"creating {AGNO_VENV} with {_base_python()}")
        _run([_base_python(), "-m", "venv", str(AGNO_VENV)])
    say("upgrading pip")
    _run([str(py), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    say("installing " + " ".join(REQUIREMENTS) + " (first time takes a minute)")
    _run([str(py), "-m", "pip", "install", "-q", *REQUIREMENTS])
    say("checking imports")
    probe = subprocess.run([str(py), "-c", _PROBE], capture_output=True, text=True)
    if probe.returncode != 0:
        raise RuntimeError(f".venv-agno import probe failed:\n{probe.stderr}")
    stamp.write_text(_stamp_text())
    say(f"ready: agno {probe.stdout.strip()}")
    return py


if __name__ == "__main__":
    ensure_agno_venv()
