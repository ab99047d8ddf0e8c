"""RSS and CPU of process trees, read from ``/proc`` (no psutil), sampled in a background thread.

A *group* is a root pid plus all its descendants (uvicorn workers, a multiprocessing resource
tracker, ...). Every ``interval`` (100 ms) the sampler records, per group, the summed RSS (bytes) and
the summed user+system CPU seconds of the processes alive at that moment. Descendants are re-listed
every second, since walking all of ``/proc`` costs more than reading a few stat files.

CPU of a process that exited is lost from the sum (``/proc`` keeps only live ones, and ``cutime`` of
the parent counts only children it has waited for); the benchmark's processes live for the whole run.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(ppid, cpu seconds, rss bytes) of ``pid``, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: split after the last ')'.
    rest = raw[raw.rfind(b")") + 2 :].split()
    ppid = int(rest[1])
    cpu = (int(rest[11]) + int(rest[12])) / _TICK  # utime, stime
    rss = int(rest[21]) * _PAGE
    return ppid, cpu, rss


def descendants(root: int) -> list[int]:
    """``root`` and every live process below it."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = _stat(int(name))
        if st is not None:
            children.setdefault(st[0], []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def tree_usage(pids: list[int]) -> tuple[float, int]:
    """(cpu seconds, rss bytes) summed over the live ones of ``pids``."""
    cpu, rss = 0.0, 0
    for pid in pids:
        st = _stat(pid)
        if st is not None:
            cpu += st[1]
            rss += st[2]
    return cpu, rss


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of ``pid``'s main thread and of all its other threads together (live ones)."""
    out = {"main_thread": 0.0, "other_threads": 0.0}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", "rb") as f:
                rest = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        cpu = (int(rest[11]) + int(rest[12])) / _TICK
        out["main_thread" if int(tid) == pid else "other_threads"] += cpu
    return out


@dataclass
class Series:
    """Samples of one group: time (s since the sampler started), RSS bytes, CPU seconds."""

    t: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def last(self) -> tuple[float, int, float]:
        if not self.t:
            return 0.0, 0, 0.0
        return self.t[-1], self.rss[-1], self.cpu[-1]


class Sampler:
    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.roots: dict[str, int] = {}
        self.series: dict[str, Series] = {}
        self.t0 = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, name: str, pid: int) -> None:
        """Start (or restart, with a fresh series) sampling the tree under ``pid`` as ``name``."""
        with self._lock:
            self.roots[name] = pid
            self.series[name] = Series()

    def unwatch(self, name: str) -> None:
        with self._lock:
            self.roots.pop(name, None)

    def now(self) -> float:
        return time.monotonic() - self.t0

    def sample_once(self, trees: dict[str, list[int]]) -> None:
        t = self.now()
        with self._lock:
            for name, pids in trees.items():
                if name not in self.roots:
                    continue
                cpu, rss = tree_usage(pids)
                s = self.series[name]
                s.t.append(round(t, 3))
                s.rss.append(rss)
                s.cpu.append(round(cpu, 3))

    def _run(self) -> None:
        trees: dict[str, list[int]] = {}
        relisted = 0.0
        while not self._stop.is_set():
            if time.monotonic() - relisted >= 1.0 or set(trees) != set(self.roots):
                with self._lock:
                    roots = dict(self.roots)
                trees = {name: descendants(pid) for name, pid in roots.items()}
                relisted = time.monotonic()
            self.sample_once(trees)
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def last(self, name: str) -> tuple[float, int, float]:
        with self._lock:
            s = self.series.get(name)
            return s.last() if s else (0.0, 0, 0.0)

    def window(self, name: str, t_from: float, t_to: float) -> Series:
        """The samples of ``name`` with ``t_from <= t <= t_to`` (a copy)."""
        with self._lock:
            s = self.series.get(name, Series())
            idx = [i for i, t in enumerate(s.t) if t_from <= t <= t_to]
            return Series([s.t[i] for i in idx], [s.rss[i] for i in idx], [s.cpu[i] for i in idx])
