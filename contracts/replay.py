"""Replay committed fixtures on Brisk and score them (used by ``tests/contract``; no Agno needed).

Each provider case runs ``contracts/program.py`` with the ``brisk`` prefix against the same mock code the
generator used (in-process here, a thread per mock kind), scripted with the fixture's own replies.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from contracts import known_deviations, program
from contracts.compare import compare_case
from contracts.mockhost import MockHost
from contracts.sanitize import cut_request, scrub
from contracts.scenarios import FAKE_KEY, PROVIDERS

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "contracts" / "fixtures"
SKIP_MARKED_ENV = "BRISK_CONTRACT_SKIP_MARKED"


def version_marks(recorded_with: dict[str, Any]) -> list[str]:
    """Marks for a fixture recorded with another Agno or SDK version than the pinned ones."""
    from contracts._agno_venv import PINNED

    return [
        f"recorded with {name} {recorded_with[name]} (pinned: {want})"
        for name, want in PINNED.items()
        if recorded_with.get(name) not in (None, want)
    ]


def mcp_server_command() -> str:
    """How both frameworks start the project's MCP test server (over stdio): Brisk's venv has ``mcp``."""
    return f"{sys.executable} {ROOT / 'tests' / 'mocks' / 'mcp_server.py'}"


def load_fixtures(root: Path = FIXTURES) -> list[dict[str, Any]]:
    out = []
    for path in sorted(root.glob("*/*.json")):
        data = json.loads(path.read_text())
        data["_path"] = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        data["marks"] = list(data.get("marks") or []) + version_marks(data.get("recorded_with") or {})
        out.append(data)
    return out


def load_manifest(root: Path = FIXTURES) -> dict[str, Any]:
    path = root / "MANIFEST.json"
    return json.loads(path.read_text()) if path.exists() else {}


class Mocks:
    """One ``MockHost`` per mock kind, started on first use, shared by all cases."""

    def __init__(self) -> None:
        self.hosts: dict[str, MockHost] = {}

    def get(self, kind: str) -> MockHost:
        if kind not in self.hosts:
            self.hosts[kind] = MockHost(kind).start_in_thread()
        return self.hosts[kind]

    def urls(self) -> dict[str, str]:
        return {**{k: h.url for k, h in self.hosts.items()}, "mcp_server": mcp_server_command()}

    def close(self) -> None:
        for h in self.hosts.values():
            h.stop_thread()
        self.hosts.clear()


def replay_provider_case(fixture: dict[str, Any], mocks: Mocks, workdir: str) -> dict[str, Any]:
    case = fixture["inputs"]
    host = mocks.get(case["mock"])
    host.script(case.get("script") or [])
    urls = mocks.urls()
    result = program.run_case("brisk", case, urls, workdir)
    requests = [cut_request(r) for r in host.recorded()]
    return scrub({"requests": requests, "result": result}, [FAKE_KEY], urls)


# Replayers by fixture kind; AgentOS kinds register themselves from ``contracts.agentos_replay``.
REPLAYERS: dict[str, Callable[[dict[str, Any], Mocks, str], dict[str, Any]]] = {
    "agent": replay_provider_case,
    "embed": replay_provider_case,
    "workflow": replay_provider_case,
    "memory": replay_provider_case,
    "mcp": replay_provider_case,
}


def replay(fixture: dict[str, Any], mocks: Mocks, workdir: str) -> dict[str, Any]:
    kind = fixture["inputs"]["kind"]
    if kind not in REPLAYERS:
        from contracts import agentos_replay  # noqa: F401 - registers the AgentOS replayers

    return REPLAYERS[kind](fixture, mocks, workdir)


def run_suite(
    fixtures: list[dict[str, Any]] | None = None,
    skip_marked: bool | None = None,
    perturb: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Replay every fixture; the report dict (``report.json``'s content)."""
    fixtures = load_fixtures() if fixtures is None else fixtures
    manifest = load_manifest()
    if skip_marked is None:
        skip_marked = os.environ.get(SKIP_MARKED_ENV, "") not in ("", "0", "false")
    mocks = Mocks()
    cases: list[dict[str, Any]] = []
    t0 = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="contract-brisk-") as workdir:
            for fx in fixtures:
                entry = {
                    "fixture": fx["_path"],
                    "group": fx["family"],
                    "case": fx["case"],
                    "scenario": fx.get("scenario", fx["case"]),
                    "provider": fx.get("provider"),
                    "marks": fx.get("marks", []),
                }
                if skip_marked and entry["marks"]:
                    entry["status"] = "skipped"
                    cases.append(entry)
                    continue
                t = time.monotonic()
                try:
                    got = replay(fx, mocks, workdir)
                    if perturb is not None:
                        perturb(fx, got)
                    diffs, entry["known_deviations"] = known_deviations.split(
                        fx["_path"], compare_case(fx, got)
                    )
                except Exception as exc:  # noqa: BLE001 - a crash is a mismatch with its reason
                    diffs = [{"path": "<replay>", "agno": "ran", "brisk": f"{type(exc).__name__}: {exc}"}]
                entry["seconds"] = round(time.monotonic() - t, 3)
                entry["status"] = "matched" if not diffs else "mismatched"
                entry["diffs"] = diffs
                cases.append(entry)
    finally:
        mocks.close()
    return build_report(cases, manifest, time.monotonic() - t0)


def _rate(entries: list[dict[str, Any]]) -> dict[str, Any]:
    run = [e for e in entries if e["status"] != "skipped"]
    matched = sum(1 for e in run if e["status"] == "matched")
    return {
        "cases": len(run),
        "matched": matched,
        "rate": round(matched / len(run), 4) if run else None,
        "skipped": len(entries) - len(run),
    }


def build_report(cases: list[dict[str, Any]], manifest: dict[str, Any], seconds: float) -> dict[str, Any]:
    providers: dict[str, Any] = {}
    info = manifest.get("providers", {})
    for p in PROVIDERS:
        mine = [e for e in cases if e["provider"] == p and e["group"] == p]
        providers[p] = _rate(mine)
        if not mine:
            why = info.get(p, {}).get("reason", "no fixtures recorded")
            providers[p].update({"status": "configuration missing", "reason": why})
        else:
            providers[p]["status"] = "recorded"
    families: dict[str, Any] = {}
    for e in cases:
        families.setdefault(e["scenario"], []).append(e)
    groups: dict[str, Any] = {}
    for e in cases:
        groups.setdefault(e["group"], []).append(e)
    total = _rate(cases)
    return {
        "overall": total["rate"],
        "cases": total["cases"],
        "matched": total["matched"],
        "skipped": total["skipped"],
        "seconds": round(seconds, 2),
        "recorded_with": manifest.get("recorded_with", {}),
        "providers": providers,
        "families": {k: _rate(v) for k, v in sorted(families.items())},
        "groups": {k: _rate(v) for k, v in sorted(groups.items())},
        "mismatches": [
            {k: e[k] for k in ("fixture", "group", "case", "diffs")}
            for e in cases
            if e["status"] == "mismatched"
        ],
        "known_deviations": [
            {"fixture": e["fixture"], "diffs": e["known_deviations"]}
            for e in cases
            if e.get("known_deviations")
        ],
        "cases_detail": [
            {k: v for k, v in e.items() if k not in ("diffs", "known_deviations")} for e in cases
        ],
    }


def failures(report: dict[str, Any], threshold: float = 0.95) -> list[str]:
    """Why the suite fails (empty: it passes): overall or any recorded provider under ``threshold``."""
    out = []
    if report["overall"] is None or report["overall"] < threshold:
        out.append(f"overall match rate {report['overall']} < {threshold}")
    for p, r in report["providers"].items():
        if r["cases"] and r["rate"] < threshold:
            out.append(f"{p}: match rate {r['rate']} ({r['matched']}/{r['cases']}) < {threshold}")
    return out


def write_report(report: dict[str, Any], out_dir: Path | None = None) -> Path:
    out_dir = out_dir or ROOT / "artifacts" / "contract"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, indent=1, default=repr) + "\n")
    (out_dir / "report.md").write_text(render_markdown(report))
    return out_dir


def render_markdown(r: dict[str, Any]) -> str:
    pct = lambda x: "n/a" if x is None else f"{x * 100:.1f}%"  # noqa: E731
    lines = [
        "# Contract report: Brisk vs Agno 3.1.10 fixtures",
        "",
        f"Overall: **{pct(r['overall'])}** ({r['matched']}/{r['cases']} cases, {r['skipped']} skipped) "
        f"in {r['seconds']} s. Recorded with: "
        + ", ".join(f"{k} {v}" for k, v in r["recorded_with"].items() if v),
        "",
        "## Providers",
        "",
        "| provider | cases | matched | rate | status |",
        "|---|---|---|---|---|",
    ]
    for p, v in r["providers"].items():
        status = v["status"] + (f": {v['reason']}" if v.get("reason") else "")
        lines.append(f"| {p} | {v['cases']} | {v['matched']} | {pct(v['rate'])} | {status} |")
    lines += ["", "## Scenario families", "", "| family | cases | matched | rate |", "|---|---|---|---|"]
    for f, v in r["families"].items():
        lines.append(f"| {f} | {v['cases']} | {v['matched']} | {pct(v['rate'])} |")
    lines += ["", f"## Known deviations applied ({len(r['known_deviations'])} cases)", ""]
    for k in r["known_deviations"]:
        ids = sorted({d["deviation"] for d in k["diffs"]})
        lines.append(f"- `{k['fixture']}`: {', '.join(ids)} (see contracts/deviations.md)")
    lines += ["", f"## Mismatches ({len(r['mismatches'])})", ""]
    for m in r["mismatches"]:
        lines.append(f"### {m['group']}/{m['case']} (`{m['fixture']}`)")
        lines.append("")
        lines.append("| path | Agno | Brisk |")
        lines.append("|---|---|---|")
        for d in m["diffs"][:12]:
            a = json.dumps(d["agno"], default=repr).replace("|", "\\|")
            b = json.dumps(d["brisk"], default=repr).replace("|", "\\|")
            lines.append(f"| `{d['path']}` | `{a[:160]}` | `{b[:160]}` |")
        if len(m["diffs"]) > 12:
            lines.append(f"| … {len(m['diffs']) - 12} more | | |")
        lines.append("")
    return "\n".join(lines) + "\n"
