"""Where the Agno 3.1.10 reference captures live (a copy inside the repo, so a clean clone can test)."""

from pathlib import Path

REFERENCE = Path(__file__).resolve().parent.parent / "contracts" / "reference" / "agno-3.1.10"
EXCHANGES = REFERENCE / "exchanges"
