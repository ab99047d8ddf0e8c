"""The contract suite: every committed fixture (recorded from Agno 3.1.10) replayed on Brisk.

Reads only ``contracts/fixtures``; no Agno needed. Writes ``artifacts/contract/report.{json,md}`` and
fails when the overall match rate, or that of any provider whose fixtures exist, is under 95%.
``BRISK_CONTRACT_SKIP_MARKED=1`` skips fixtures marked as recorded with another version/configuration.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from contracts import replay
from contracts.compare import compare_case
from contracts.sanitize import find_keys
from contracts.scenarios import PROVIDERS

THRESHOLD = 0.95


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    r = replay.run_suite()
    replay.write_report(r)
    return r


def test_match_rates_at_least_95_percent(report: dict[str, Any]) -> None:
    problems = replay.failures(report, THRESHOLD)
    assert not problems, (
        "contract match rate too low (details in artifacts/contract/report.md):\n  " + "\n  ".join(problems)
    )


def test_report_lists_all_nine_providers(report: dict[str, Any]) -> None:
    assert set(PROVIDERS) <= set(report["providers"])
    for name, entry in report["providers"].items():
        assert {"cases", "matched", "rate"} <= set(entry), name
        if not entry["cases"]:
            assert entry.get("reason"), f"{name} has no fixtures and no reason"
    assert (
        json.loads((replay.ROOT / "artifacts/contract/report.json").read_text())["overall"]
        == report["overall"]
    )


def test_every_recorded_provider_has_at_least_8_cases() -> None:
    counts: dict[str, int] = {}
    for fx in replay.load_fixtures():
        if fx.get("provider"):
            counts[fx["provider"]] = counts.get(fx["provider"], 0) + 1
    assert counts, "no provider fixtures committed"
    assert all(n >= 8 for n in counts.values()), counts


def test_fixtures_hold_no_key_like_strings() -> None:
    for path in sorted(replay.FIXTURES.glob("*/*.json")):
        assert not find_keys(path.read_text()), path


def test_a_perturbed_brisk_output_fails_the_comparison() -> None:
    """Proof the comparison can fail: Brisk's real replay of a case, with one field changed."""
    fx = next(f for f in replay.load_fixtures() if f["_path"].endswith("openai/plain_chat.json"))
    mocks = replay.Mocks()
    try:
        import tempfile

        with tempfile.TemporaryDirectory() as wd:
            got = replay.replay(fx, mocks, wd)
    finally:
        mocks.close()
    before = {d["path"] for d in compare_case(fx, got)}
    perturbed = copy.deepcopy(got)
    perturbed["result"]["turns"][0]["output"]["content"] += " (changed)"
    after = {d["path"] for d in compare_case(fx, perturbed)}
    assert "result.turns[0].output.content" in after - before
    # and an exact copy of Agno's side matches, so the failure is the perturbation's doing
    same = {"requests": fx["requests"], "result": copy.deepcopy(fx["result"])}
    assert compare_case(fx, same) == []
    same["result"]["turns"][0]["output"]["metrics"]["input_tokens"] += 1
    assert [d["path"] for d in compare_case(fx, same)] == ["result.turns[0].output.metrics.input_tokens"]


def _static_fixture(tmp: Path, recorded_with: dict[str, str]) -> Path:
    src = next(replay.FIXTURES.glob("agentos_client/*.json"))
    data = json.loads(src.read_text())
    data["recorded_with"] = {**data["recorded_with"], **recorded_with}
    out = tmp / "agentos_client" / src.name
    out.parent.mkdir(parents=True)
    out.write_text(json.dumps(data))
    return out


def test_fixture_of_another_version_is_marked_and_skippable(tmp_path: Path) -> None:
    _static_fixture(tmp_path, {"agno": "3.1.9"})
    fixtures = replay.load_fixtures(tmp_path)
    assert fixtures[0]["marks"] and "agno 3.1.9" in fixtures[0]["marks"][0]
    kept = replay.run_suite(fixtures, skip_marked=False)
    skipped = replay.run_suite(fixtures, skip_marked=True)
    assert kept["cases"] == 1 and skipped["cases"] == 0 and skipped["skipped"] == 1


def test_markdown_report_shows_rates_and_diffs(report: dict[str, Any]) -> None:
    md = (replay.ROOT / "artifacts/contract/report.md").read_text()
    assert "| provider | cases | matched | rate | status |" in md
    for name in PROVIDERS:
        assert f"| {name} |" in md


def test_report_lists_the_workflow_memory_and_mcp_families(report: dict[str, Any]) -> None:
    """Issue 7's families are reported like the others (scenario = family), each recorded or explained."""
    from contracts.scenarios import EXTRA_FAMILIES

    families = replay.load_manifest().get("families", {})
    for name in EXTRA_FAMILIES:
        entry = report["families"].get(name)
        if entry is None:
            assert families.get(name, {}).get("reason"), f"{name}: no fixtures and no reason in MANIFEST.json"
            continue
        assert entry["cases"] >= 1 and entry["rate"] is not None, name
    md = (replay.ROOT / "artifacts/contract/report.md").read_text()
    assert "| workflow |" in md and "| memory |" in md
