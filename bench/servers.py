"""Start and stop the benchmark's processes: the mock LLM, the AgentOS under test, the load generator.

Every process runs in its own session (process group), so stopping one also stops whatever it
spawned (uvicorn workers) and nothing else. Logs go to files in the run's work directory.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRISK_PY = ROOT / ".venv" / "bin" / "python"
BRISK_CLI = ROOT / ".venv" / "bin" / "brisk"
APP_TEMPLATE = Path(__file__).with_name("os_app.py")
SYSTEMS = ("agno", "brisk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to the process group (a draining server finishes open streams), then SIGKILL."""
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)  # leftovers of the group, if any
        except ProcessLookupError:
            pass
        if self.popen.poll() is None:
            self.popen.wait(5)


def spawn(name: str, cmd: list[str], workdir: Path, env: dict[str, str] | None = None, **kw) -> Proc:
    log = workdir / f"{name}.log"
    full_env = {**os.environ, **(env or {})}
    stdout = kw.pop("stdout", None)
    with open(log, "ab") as log_f:  # the child keeps its own copy of the descriptor
        popen = subprocess.Popen(
            cmd,
            cwd=kw.pop("cwd", workdir),
            env=full_env,
            stdout=log_f if stdout is None else stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kw,
        )
    return Proc(name, popen, log)


def wait_http(url: str, proc: Proc, timeout: float = 90.0) -> None:
    """Poll ``url`` until it answers 200; fail early when the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{proc.name} did not answer {url} within {timeout:.0f} s:\n{proc.tail()}")


def start_mock(workdir: Path, port: int, ttft: float, gap: float, chunks: int, tag: str) -> Proc:
    cmd = [str(BRISK_PY), "-m", "bench.mock_llm", "--port", str(port)]
    cmd += ["--ttft", str(ttft), "--gap", str(gap), "--chunks", str(chunks)]
    proc = spawn(f"mock-{tag}", cmd, workdir, env={"PYTHONPATH": str(ROOT)}, cwd=ROOT)
    wait_http(f"http://127.0.0.1:{port}/health", proc)
    return proc


def render_app(system: str, appdir: Path) -> Path:
    """Write ``bench_app.py`` for ``system``: the template as it is, or with ``agno.`` -> ``brisk.``."""
    appdir.mkdir(parents=True, exist_ok=True)
    text = APP_TEMPLATE.read_text()
    if system == "brisk":
        text = re.sub(r"\bagno\.", "brisk.", text)
    path = appdir / "bench_app.py"
    path.write_text(text)
    return path


def server_command(system: str, port: int, agno_python: Path | None) -> list[str]:
    host = ["--host", "127.0.0.1", "--port", str(port)]
    if system == "agno":
        # What AgentOS.serve() runs: uvicorn.run(app, lifespan="on", access_log=False), one process.
        assert agno_python is not None
        return [
            str(agno_python),
            "-m",
            "uvicorn",
            "bench_app:app",
            *host,
            "--lifespan",
            "on",
            "--no-access-log",
        ]
    cli = [str(BRISK_CLI)] if BRISK_CLI.exists() else [str(BRISK_PY), "-m", "brisk.cli"]
    return [*cli, "serve", "bench_app:app", *host, "--workers", "1"]


def start_server(
    system: str, workdir: Path, port: int, mock_url: str, agno_python: Path | None
) -> tuple[Proc, Path]:
    appdir = workdir / system
    if appdir.exists():
        shutil.rmtree(appdir)
    render_app(system, appdir)
    db_file = appdir / "bench.db"  # fresh: the directory was just created
    if not port_free(port):
        # The previous system's socket may linger a moment after its process exited.
        for _ in range(50):
            time.sleep(0.2)
            if port_free(port):
                break
        else:
            raise RuntimeError(f"port {port} is busy")
    env = {
        "BENCH_MOCK_URL": mock_url,
        "BENCH_DB_FILE": str(db_file),
        "AGNO_TELEMETRY": "false",
        "PYTHONPATH": str(appdir),
        "PYTHONUNBUFFERED": "1",
    }
    proc = spawn(f"server-{system}", server_command(system, port, agno_python), workdir, env=env, cwd=appdir)
    wait_http(f"http://127.0.0.1:{port}/health", proc)
    return proc, db_file


def start_loadgen(
    workdir: Path, url: str, users: int, duration: float, grace: float, out: Path, tag: str
) -> Proc:
    cmd = [str(BRISK_PY), "-m", "bench.loadgen", "--url", url, "--users", str(users)]
    cmd += ["--duration", str(duration), "--grace", str(grace), "--out", str(out)]
    log = workdir / f"loadgen-{tag}.log"
    proc = spawn(
        f"loadgen-{tag}",
        cmd,
        workdir,
        env={"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    proc.log = log
    return proc


def python_version(py: Path) -> str:
    out = subprocess.run(
        [str(py), "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True
    )
    return out.stdout.strip() or sys.version.split()[0]
