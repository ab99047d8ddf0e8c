"""``.venv-agno`` with what the fixture generator needs on top of the benchmark's Agno install.

The benchmark's helper (``bench/agno_venv.py``) creates the venv with ``agno==3.1.10``, ``openai`` and
``sqlalchemy``; the contract scenarios also need the vendor SDKs of the other providers and ``agno[os]``
(FastAPI, uvicorn) for AgentOS and ``agno.client``. Both helpers are idempotent and keep their own stamp
file, so either can run first and neither undoes the other.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # ``bench`` is a plain folder at the repo root
    sys.path.insert(0, str(ROOT))

from bench.agno_venv import AGNO_VENV, AGNO_VERSION, ensure_agno_venv  # noqa: E402

# Pinned so that fixtures are reproducible; a fixture recorded with other versions is marked (and
# skipped under BRISK_CONTRACT_SKIP_MARKED=1).
PINNED = {
    "agno": AGNO_VERSION,
    "openai": "3.57.0",
    "google-genai": "3.6.1",
    "ollama": "0.6.3",
    "groq": "1.7.0",
    "cerebras-cloud-sdk": "1.91.0",
    "httpx": "0.28.1",
    # Agno's MCPTools (the mcp fixtures): the official SDK and fastmcp, which Agno connects with.
    "mcp": "2.3.0",
    "fastmcp": "4.1.6",
}
EXTRA_REQUIREMENTS = [f"agno[os]=={AGNO_VERSION}"] + [f"{k}=={v}" for k, v in PINNED.items() if k != "agno"]
# Modules every scenario family imports; a failing probe means a broken install.
_PROBE = (
    "import agno.agent, agno.models.openai, agno.models.openai.like, agno.db.sqlite, agno.client, agno.os;"
    "import agno.models.google, agno.models.ollama, agno.models.groq, agno.models.cerebras;"
    "import agno.models.openrouter, agno.models.siliconflow, agno.knowledge.embedder.openai;"
    "import agno.tools.mcp, fastmcp;"
    "print('ok')"
)


def _stamp() -> str:
    return hashlib.sha256("\n".join(EXTRA_REQUIREMENTS).encode()).hexdigest()


def ensure(quiet: bool = False) -> Path:
    """Path of ``.venv-agno/bin/python`` with everything the scenarios need installed.

    Holds the benchmark's lock (``.venv/agno-venv.lock``) so that a benchmark and the generator never
    run pip in the same venv at the same moment."""
    import fcntl

    lock = ROOT / ".venv" / "agno-venv.lock"
    lock.parent.mkdir(exist_ok=True)
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            return _ensure(quiet)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _ensure(quiet: bool) -> Path:
    py = ensure_agno_venv(quiet=quiet)
    stamp = AGNO_VENV / ".contracts-installed"
    if stamp.exists() and stamp.read_text() == _stamp():
        probe = subprocess.run([str(py), "-c", _PROBE], capture_output=True, text=True)
        if probe.returncode == 0:
            return py
    if not quiet:
        print("[agno-venv] installing the vendor SDKs and agno[os] for the contract scenarios", flush=True)
    proc = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", *EXTRA_REQUIREMENTS], capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise RuntimeError("pip install into .venv-agno failed")
    probe = subprocess.run([str(py), "-c", _PROBE], capture_output=True, text=True)
    if probe.returncode != 0:
        raise RuntimeError(f".venv-agno import probe failed:\n{probe.stderr}")
    stamp.write_text(_stamp())
    return py


def versions(py: Path) -> dict[str, str]:
    """Installed versions of Agno and the SDKs, recorded in every fixture."""
    code = (
        "import json\nfrom importlib.metadata import version, PackageNotFoundError\nout={}\n"
        "for n in ['agno','openai','google-genai','ollama','groq','cerebras-cloud-sdk','fastapi','httpx',"
        "'mcp','fastmcp']:\n"
        "    try: out[n]=version(n)\n    except PackageNotFoundError: out[n]=None\nprint(json.dumps(out))"
    )
    proc = subprocess.run([str(py), "-c", code], capture_output=True, text=True, check=True)
    import json

    return json.loads(proc.stdout)


if __name__ == "__main__":
    print(ensure())
