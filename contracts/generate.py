"""``make gen-fixtures``: record the contract fixtures from Agno 3.1.10.

1. ``.venv-agno`` is created or checked (``contracts/_agno_venv.py``, reusing ``bench/agno_venv.py``).
2. The project's mock providers are started as loopback subprocesses (``contracts/mockhost.py``).
3. Every scenario (``contracts/scenarios.py``, ``contracts/agentos_cases.py``) runs through Agno in a
   ``.venv-agno`` interpreter; the mock records what Agno sent.
4. One JSON file per case goes to ``contracts/fixtures/<group>/<case>.json``, plus ``MANIFEST.json``
   (versions, and the reason for every provider that could not be recorded).

Usage: ``python -m contracts.generate [--only openai,agentos] [--keep-old]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from contracts import scenarios
from contracts.sanitize import cut_request, find_keys, scrub

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "contracts" / "fixtures"
SCHEMA = 1
# Brisk model modules each provider's scenarios need: a provider whose class has not landed yet is
# reported as "configuration missing" instead of being recorded (its fixtures could only fail). The
# embedders are not required here: their case is recorded anyway and fails on Brisk until they land.
BRISK_MODULES = {
    "openai": ["brisk.models.openai"],
    "openrouter": ["brisk.models.openrouter"],
    "siliconflow": ["brisk.models.siliconflow"],
    "glm4": ["brisk.models.openai.like"],
    "modelscope": ["brisk.models.openai.like"],
    "groq": ["brisk.models.groq"],
    "cerebras": ["brisk.models.cerebras"],
    "gemini": ["brisk.models.google"],
    "ollama": ["brisk.models.ollama"],
}
# Environment that must not reach Agno: real keys or URLs would send traffic off this machine.
_ENV_DROP = ("API_KEY", "BASE_URL", "OLLAMA_HOST", "GOOGLE_", "GEMINI_", "OPENAI_", "SDK_TOKEN")


def say(msg: str) -> None:
    print(f"[gen-fixtures] {msg}", flush=True)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not any(d in k for d in _ENV_DROP)}
    env["AGNO_TELEMETRY"] = "false"
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    return env


# -- mock hosts ------------------------------------------------------------------------------------------
class MockProcess:
    """``contracts.mockhost`` in a subprocess of Brisk's venv; controlled over its ``/__contract/`` API."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "contracts.mockhost", "--kind", kind],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env=clean_env(),
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            raise RuntimeError(f"mock {kind} did not start")
        self.url = json.loads(line)["url"]

    def _call(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method="POST" if data else "GET")
        req.add_header("content-type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 - loopback only
            return json.loads(r.read())

    def script(self, case: dict[str, Any]) -> None:
        self._call("/__contract/script", {"replies": case.get("script") or []})

    def requests(self) -> list[dict[str, Any]]:
        return self._call("/__contract/requests")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def mock_available(kind: str) -> str | None:
    """None when the project's mock for this provider exists, else why not."""
    from contracts.mockhost import build_mock

    try:
        build_mock(kind)
    except (ImportError, KeyError, ValueError) as exc:
        return f"no mock for {kind} in tests/mocks yet ({exc})"
    return None


def brisk_available(provider: str) -> str | None:
    for mod in BRISK_MODULES[provider]:
        try:
            if importlib.util.find_spec(mod) is None:
                return f"Brisk module {mod} does not exist yet"
        except ModuleNotFoundError:
            return f"Brisk module {mod} does not exist yet"
    return None


def agno_mcp_missing(py: Path) -> str | None:
    """None when Agno's MCPTools can run in ``.venv-agno`` (it needs ``mcp`` and ``fastmcp``)."""
    probe = subprocess.run(
        [str(py), "-c", "import agno.tools.mcp, fastmcp"], capture_output=True, text=True, env=clean_env()
    )
    if probe.returncode == 0:
        return None
    return (
        "Agno's MCPTools cannot be imported in .venv-agno: "
        + (probe.stderr.strip().splitlines() or ["?"])[-1]
    )


# -- the Agno side -----------------------------------------------------------------------------------------
class AgnoRunner:
    """``contracts._agno_runner`` in ``.venv-agno``: one JSON line in, one JSON line out per case."""

    def __init__(self, python: Path, log: Path) -> None:
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [str(python), "-m", "contracts._agno_runner"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=clean_env(),
        )

    def run(self, case: dict[str, Any], urls: dict[str, str], workdir: str) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"case": case, "urls": urls, "workdir": workdir}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the Agno runner died; see {self.log.name}")
        answer = json.loads(line)
        if not answer["ok"]:
            raise RuntimeError(
                f"case {case['family']}/{case['case']} crashed in the runner:\n{answer['error']}"
            )
        return answer["result"]

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# -- writing ---------------------------------------------------------------------------------------------
def write_fixture(fixture: dict[str, Any], secrets: list[str], urls: dict[str, str]) -> Path:
    clean = scrub(fixture, secrets, urls)
    text = json.dumps(clean, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
    leaked = find_keys(text)
    if leaked:
        raise RuntimeError(
            f"refusing to write {fixture['family']}/{fixture['case']}: key-like strings {leaked[:3]}"
        )
    path = FIXTURES / fixture["family"] / f"{fixture['case']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def record_provider_case(
    case: dict[str, Any],
    mock: MockProcess,
    runner: AgnoRunner,
    urls: dict[str, str],
    workdir: str,
    versions: dict[str, Any],
) -> Path:
    mock.script(case)
    result = runner.run(case, urls, workdir)
    fixture = {
        "schema": SCHEMA,
        "family": case["family"],
        "case": case["case"],
        "scenario": case["scenario"],
        "provider": case["provider"],
        "recorded_with": versions,
        "marks": case.get("marks", []),
        "inputs": case,
        "requests": [cut_request(r) for r in mock.requests()],
        "result": result,
    }
    return write_fixture(fixture, [scenarios.FAKE_KEY], urls)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--only",
        default="",
        help="comma-separated providers and/or agentos,agentos_client,workflow,memory,mcp",
    )
    ap.add_argument(
        "--keep-old", action="store_true", help="do not delete fixtures of groups not re-recorded"
    )
    args = ap.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    t0 = time.monotonic()

    from contracts import _agno_venv

    say("checking .venv-agno")
    py = _agno_venv.ensure()
    versions = {"agno_version": _agno_venv.AGNO_VERSION, **_agno_venv.versions(py)}
    say("versions: " + ", ".join(f"{k}={v}" for k, v in versions.items()))

    manifest_path = FIXTURES / "MANIFEST.json"
    manifest: dict[str, Any] = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest.update({"schema": SCHEMA, "recorded_with": versions})
    providers_info: dict[str, Any] = manifest.setdefault("providers", {})

    wanted = [p for p in scenarios.PROVIDERS if not only or p in only]
    ready: list[str] = []
    for p in wanted:
        cfg = scenarios.CONFIG.get(p)
        reason = "no scenario configuration yet" if cfg is None else (mock_available(p) or brisk_available(p))
        if reason:
            providers_info[p] = {"status": "configuration missing", "reason": reason, "cases": 0}
            say(f"{p}: configuration missing: {reason}")
            if not args.keep_old:
                shutil.rmtree(FIXTURES / p, ignore_errors=True)
        else:
            ready.append(p)

    with_os = not only or bool(only & {"agentos", "agentos_client"})
    extra = [f for f in scenarios.EXTRA_FAMILIES if not only or f in only]
    families_info: dict[str, Any] = manifest.setdefault("families", {})
    if "mcp" in extra and (reason := agno_mcp_missing(py)):
        families_info["mcp"] = {"status": "configuration missing", "reason": reason, "cases": 0}
        say(f"mcp: configuration missing: {reason}")
        extra.remove("mcp")
        if not args.keep_old:
            shutil.rmtree(FIXTURES / "mcp", ignore_errors=True)
    kinds = sorted(set(ready) | ({"openai"} if with_os or extra else set()))
    mocks = {k: MockProcess(k) for k in kinds}
    urls = {k: m.url for k, m in mocks.items()}
    from contracts.replay import mcp_server_command

    urls["mcp_server"] = mcp_server_command()
    log = ROOT / "artifacts" / "contract" / "agno-runner.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    runner = AgnoRunner(py, log)
    failures = 0
    try:
        with tempfile.TemporaryDirectory(prefix="contract-agno-") as workdir:
            for p in ready:
                shutil.rmtree(FIXTURES / p, ignore_errors=True)
                cases = scenarios.provider_cases(p)
                t = time.monotonic()
                for i, case in enumerate(cases, 1):
                    path = record_provider_case(case, mocks[case["mock"]], runner, urls, workdir, versions)
                    say(f"{p} [{i}/{len(cases)}] {case['case']} -> {path.relative_to(ROOT)}")
                providers_info[p] = {"status": "recorded", "cases": len(cases)}
                say(f"{p}: {len(cases)} cases in {time.monotonic() - t:.1f}s")
            for family in extra:
                shutil.rmtree(FIXTURES / family, ignore_errors=True)
                cases = scenarios.extra_cases({family})
                for i, case in enumerate(cases, 1):
                    path = record_provider_case(case, mocks[case["mock"]], runner, urls, workdir, versions)
                    say(f"{family} [{i}/{len(cases)}] {case['case']} -> {path.relative_to(ROOT)}")
                families_info[family] = {"status": "recorded", "cases": len(cases)}
            if with_os:
                from contracts import agentos_gen

                failures += agentos_gen.record_all(py, mocks["openai"], urls, versions, only, write_fixture)
    finally:
        runner.stop()
        for m in mocks.values():
            m.stop()
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    say(f"done in {time.monotonic() - t0:.1f}s; fixtures in {FIXTURES.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
