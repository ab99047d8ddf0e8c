"""``.venv-agno`` with what Agno's AgentOS needs to serve (``agno[os]``), for the load benchmark.

The base venv (agno, openai, sqlalchemy) is made by :mod:`bench.agno_venv`; this adds the ``os``
extra (fastapi, uvicorn, python-multipart, ...) on top, exactly as a user following Agno's docs would
(``pip install "agno[os]"``). Idempotent (a stamp file plus an import probe) and serialised with an
``flock`` on ``.venv/agno-venv.lock`` (inside the git-ignored ``.venv``) so two benchmark scripts never build the venv at the same moment.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
from pathlib import Path

from bench.agno_venv import AGNO_VENV, AGNO_VERSION, ROOT, agno_python, ensure_agno_venv

__all__ = ["LOCK", "ensure_agno_os"]

LOCK = ROOT / ".venv" / "agno-venv.lock"
OS_REQUIREMENTS = [f"agno[os]=={AGNO_VERSION}"]
_PROBE = (
    "import agno.os, fastapi, uvicorn, multipart;"
    "from importlib.metadata import version; print(version('agno'), version('fastapi'), version('uvicorn'))"
)


def _stamp_text() -> str:
    return hashlib.sha256("\n".join(OS_REQUIREMENTS).encode()).hexdigest()


def ensure_agno_os(quiet: bool = False) -> Path:
    """Return ``.venv-agno/bin/python`` once it can serve an AgentOS app; build what is missing."""

    def say(msg: str) -> None:
        if not quiet:
            print(f"[agno-os] {msg}", flush=True)

    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as lock:
        # Blocks while another bench script (ours or micro.py's caller) holds the lock.
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            py = ensure_agno_venv(quiet=quiet)
            stamp = AGNO_VENV / ".bench-os-installed"
            if stamp.exists() and stamp.read_text() == _stamp_text():
                probe = subprocess.run([str(py), "-c", _PROBE], capture_output=True, text=True)
                if probe.returncode == 0:
                    say(f"up to date: agno, fastapi, uvicorn = {probe.stdout.strip()}")
                    return py
            say("installing " + " ".join(OS_REQUIREMENTS) + " into .venv-agno")
            proc = subprocess.run(
                [str(py), "-m", "pip", "install", "-q", *OS_REQUIREMENTS], capture_output=True, text=True
            )
            if proc.returncode != 0:
                sys.stderr.write(proc.stdout + proc.stderr)
                raise RuntimeError("pip install agno[os] failed")
            probe = subprocess.run([str(py), "-c", _PROBE], capture_output=True, text=True)
            if probe.returncode != 0:
                raise RuntimeError(f".venv-agno AgentOS import probe failed:\n{probe.stderr}")
            stamp.write_text(_stamp_text())
            say(f"ready: agno, fastapi, uvicorn = {probe.stdout.strip()}")
            return agno_python()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


if __name__ == "__main__":
    ensure_agno_os()
