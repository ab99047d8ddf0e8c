"""Project rules that a reviewer should not have to check by hand (``make constitution-check``).

Fails when:
- ``src/brisk`` imports Agno or starts it in a subprocess (Agno is only measured against, never used);
- ``.env.example`` lacks a provider's variables;
- a module under ``src/brisk`` passes MAX_LINES lines;
- the coverage total in ``coverage.json`` (written by ``make coverage``) is under MIN_COVERAGE.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "brisk"
MAX_LINES = 1000
MIN_COVERAGE = 85.0
PROVIDER_VARS = {
    "openai": ["OPENAI_API_KEY", "OPENAI_BASE_URL"],
    "gemini": ["GOOGLE_API_KEY", "GEMINI_BASE_URL"],
    "ollama": ["OLLAMA_HOST", "OLLAMA_API_KEY"],
    "glm4": ["ZHIPUAI_API_KEY", "ZHIPUAI_BASE_URL"],
    "openrouter": ["OPENROUTER_API_KEY", "OPENROUTER_BASE_URL"],
    "siliconflow": ["SILICONFLOW_API_KEY", "SILICONFLOW_BASE_URL"],
    "cerebras": ["CEREBRAS_API_KEY", "CEREBRAS_BASE_URL"],
    "modelscope": ["MODELSCOPE_API_KEY", "MODELSCOPE_BASE_URL"],
    "groq": ["GROQ_API_KEY", "GROQ_BASE_URL"],
}
_AGNO_CMD = re.compile(r"""["'](agno|python -m agno)\b""")


def agno_use(path: Path) -> list[str]:
    problems = []
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__" and node.args:
            arg = node.args[0]
            names = [arg.value] if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else []
        else:
            continue
        for n in names:
            if n == "agno" or n.startswith("agno."):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {n}")
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if ("subprocess" in line or "Popen" in line or "os.system" in line) and "agno" in line.lower():
            problems.append(f"{path.relative_to(ROOT)}:{i}: may start Agno in a subprocess")
        elif _AGNO_CMD.search(line) and ("subprocess" in path.read_text() or "exec" in line):
            problems.append(f"{path.relative_to(ROOT)}:{i}: names an Agno command")
    return problems


def main() -> int:
    problems: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        problems += agno_use(path)
        n = sum(1 for _ in path.open())
        if n > MAX_LINES:
            problems.append(f"{path.relative_to(ROOT)}: {n} lines (limit {MAX_LINES})")
    env = (ROOT / ".env.example").read_text() if (ROOT / ".env.example").exists() else ""
    declared = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", env, flags=re.M))
    for provider, names in PROVIDER_VARS.items():
        for name in names:
            if name not in declared:
                problems.append(f".env.example: {provider} variable {name} missing")
    cov_file = ROOT / "coverage.json"
    if "--skip-coverage" not in sys.argv:
        if not cov_file.exists():
            problems.append("coverage.json missing: run `make coverage` first")
        else:
            total = json.loads(cov_file.read_text())["totals"]["percent_covered"]
            if total < MIN_COVERAGE:
                problems.append(f"coverage {total:.1f}% is under {MIN_COVERAGE}%")
            else:
                print(f"coverage {total:.1f}% (>= {MIN_COVERAGE}%)")
    for p in problems:
        print(f"constitution: {p}")
    print("constitution-check: " + ("FAILED" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
