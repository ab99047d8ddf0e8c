"""Profile a server under the benchmark's load with py-spy, and summarise where its CPU goes.

``python -m bench.run --only brisk --profile`` records the Brisk server for the whole load window
(``py-spy record --format raw``: collapsed stacks, non-blocking so the server is not paused) into
``<out>/profile-brisk-<N>u.txt``, then writes ``profile-brisk-<N>u.md``:
the functions with the most samples on top of the stack (self) and anywhere on it (inclusive), as a
share of all non-idle samples. ``python -m bench.pyspy FILE.txt`` re-summarises a recording.

py-spy is a profiling tool, not a dependency: install it into ``.venv`` by hand (``pip install py-spy``).
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY_SPY = ROOT / ".venv" / "bin" / "py-spy"


def record(pid: int, seconds: float, out_txt: Path) -> subprocess.Popen | None:
    """Start recording ``pid`` (raw collapsed stacks, per thread); None when py-spy is absent."""
    if not PY_SPY.exists():
        print("[bench] --profile: py-spy is not in .venv (pip install py-spy); not profiling", flush=True)
        return None
    base = [str(PY_SPY), "record", "--pid", str(pid), "--duration", str(max(1, int(seconds)))]
    base += ["--rate", "200", "--nonblocking", "--threads"]
    return subprocess.Popen(
        [*base, "--format", "raw", "--output", str(out_txt)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def _frame_name(frame: str) -> str:
    # "func (path/to/file.py:123)" -> "func (file.py)": per function, not per line.
    name, _, loc = frame.partition(" (")
    path = loc.rstrip(")").rsplit(":", 1)[0]
    short = "/".join(path.split("/")[-2:]) if "brisk" in path else path.split("/")[-1]
    return f"{name} ({short})"


def summarise(raw: Path, top: int = 30) -> str:
    """Markdown tables of the hottest functions (self and inclusive) in a ``--format raw`` file."""
    self_c: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_s = line.rpartition(" ")
        if not stack or not count_s.isdigit():
            continue
        n = int(count_s)
        frames = stack.split(";")
        if frames and frames[0].startswith("thread ("):
            threads[frames[0]] += n
            frames = frames[1:]
        if frames and frames[0].startswith("process "):
            frames = frames[1:]
        if not frames:
            continue
        total += n
        names = [_frame_name(f) for f in frames]
        self_c[names[-1]] += n
        for name in set(names):
            incl[name] += n
    if not total:
        return "(no samples)\n"

    def table(c: Counter[str], title: str) -> list[str]:
        rows = [f"### {title}", "", "| % of samples | function |", "|---:|---|"]
        rows += [f"| {v / total * 100:.1f} | `{k}` |" for k, v in c.most_common(top)]
        return rows + [""]

    out = [f"{total} non-idle samples.", "", "| % | thread |", "|---:|---|"]
    out += [f"| {v / total * 100:.1f} | {k} |" for k, v in threads.most_common(8)] + [""]
    out += table(self_c, "Self (top of stack)")
    out += table(incl, "Inclusive (anywhere on the stack)")
    return "\n".join(out)


def write_summary(raw: Path) -> Path | None:
    if not raw.exists():
        return None
    md = raw.with_suffix(".md")
    md.write_text(f"# py-spy profile: {raw.name}\n\n" + summarise(raw))
    return md


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(summarise(Path(arg)))
