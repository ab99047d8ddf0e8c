"""The load generator: N virtual users streaming runs from an AgentOS, as its own process.

``python -m bench.loadgen --url http://127.0.0.1:P --agent bench-agent --users N --duration S --out F``

Each virtual user owns one ``session_id`` (so history builds up as in a real chat) and loops
back-to-back: ``POST /agents/{id}/runs`` as ``multipart/form-data`` (what Agno's UI sends) with
``stream=true`` and a ~128-token message; one message in ten asks "What is the weather in <City>?",
which makes the mock LLM call the tool. Users start spread over ``--ramp`` seconds. No new run starts
after ``duration``; runs still open then get ``--grace`` seconds to finish, after which they are cut
(recorded as ``cut``, not as errors: the clock ended them, not the server).

Per run it records the start offset, the time to the first ``RunContent`` event with text in it
(both Agno and Brisk first send an empty one when the model's first delta is ``content: ""``; that
one's time is recorded too, as ``first_event``), the total time,
``metrics.time_to_first_token`` of the ``RunCompleted`` event (the server's own measure), and the outcome: ``ok`` (a ``RunCompleted`` arrived), ``http_<status>``, ``run_error`` (a ``RunError``
event), ``truncated`` (the stream ended with no terminal event), ``timeout``, ``exc:<type>``, ``cut``.
A user refused with 429 or 503 waits ``Retry-After`` (at most 5 s) before its next run, as a real
client would. Progress is one JSON line a second on stdout; the records go to ``--out`` at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

TERMINAL = (b"RunCompleted", b"RunError", b"RunCancelled", b"RunPaused")
CITIES = ["Berlin", "Paris", "Lisbon", "Oslo", "Madrid", "Vienna", "Prague", "Dublin", "Rome", "Warsaw"]
# ~12 tokens each; 10 of them make a ~128-token message.
SENTENCES = [
    "I am planning a long weekend trip and would like some practical advice.",
    "Please keep the answer short, friendly and focused on what matters most.",
    "My budget is moderate and I prefer public transport over renting a car.",
    "I enjoy museums, quiet parks, local food markets and old architecture.",
    "We will travel with two children who get bored easily on long walks.",
    "Tell me which neighbourhood is convenient for a first-time visitor to stay.",
    "I would also like to know what the usual opening hours of shops are.",
    "Suggest one thing that most tourists miss but locals really appreciate.",
    "Mention anything I should book in advance to avoid waiting in long lines.",
    "Finally, summarise the plan in a few sentences that I can share later.",
]
BOUNDARY = "----brisk-bench-7d1f0c"


def message_text(user: int, seq: int) -> tuple[str, bool]:
    """The ``seq``-th message of ``user``; every 10th (offset by user) asks for the weather."""
    rng = random.Random(user * 100_003 + seq)
    body = " ".join(rng.sample(SENTENCES, len(SENTENCES)))
    if (seq + user) % 10 == 0:
        city = CITIES[(user + seq) % len(CITIES)]
        return f"What is the weather in {city}? " + body, True
    return body, False


def multipart(fields: dict[str, str]) -> bytes:
    # Built by hand: aiohttp's FormData picks urlencoded for plain strings, and this is cheaper.
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def _has_text(frame: bytes, nl: int) -> bool:
    """Whether a RunContent frame carries non-empty ``content`` (parsed only until the first one does)."""
    data = frame[nl + 1 :]
    if not data.startswith(b"data: "):
        return False
    try:
        content = json.loads(data[6:]).get("content")
    except ValueError:
        return False
    return bool(content)


def _server_ttft(frame: bytes, nl: int) -> float | None:
    """``metrics.time_to_first_token`` of a RunCompleted frame: the server's own view of it."""
    data = frame[nl + 1 :]
    if not data.startswith(b"data: "):
        return None
    try:
        value = json.loads(data[6:]).get("metrics", {}).get("time_to_first_token")
    except ValueError:
        return None
    return float(value) if isinstance(value, int | float) else None


@dataclass
class Stats:
    done: int = 0
    errors: int = 0
    truncated: int = 0
    active: int = 0
    records: list[list] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)


class LoadGen:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.url = f"{args.url.rstrip('/')}/agents/{args.agent}/runs"
        self.stats = Stats()
        self.t0 = 0.0
        self.deadline = 0.0

    def _sample(self, text: str) -> None:
        if len(self.stats.error_samples) < 20:
            self.stats.error_samples.append(text[:300])

    async def one_run(self, session: aiohttp.ClientSession, user: int, sid: str, seq: int) -> float:
        """One streamed run; returns how long the user should wait before the next (0 unless refused)."""
        text, tool = message_text(user, seq)
        body = multipart({"message": text, "stream": "true", "session_id": sid, "user_id": f"user-{user}"})
        headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        start = time.perf_counter()
        ttfc: float | None = None  # first RunContent with text in it: what a user sees
        ttfe: float | None = None  # first RunContent of any kind (both servers emit an empty one first)
        outcome = "truncated"
        backoff = 0.0
        srv_ttft: float | None = None
        self.stats.active += 1
        try:
            async with session.post(self.url, data=body, headers=headers) as resp:
                if resp.status != 200:
                    outcome = f"http_{resp.status}"
                    self._sample(f"{outcome}: {(await resp.text())[:200]}")
                    if resp.status in (429, 503):
                        # Back off as a real client would (Retry-After, at most 5 s), not a busy loop.
                        try:
                            backoff = min(5.0, float(resp.headers.get("Retry-After", "1")))
                        except ValueError:
                            backoff = 1.0
                else:
                    buf = b""
                    async for chunk in resp.content.iter_any():
                        buf += chunk
                        while True:
                            end = buf.find(b"\n\n")
                            if end < 0:
                                break
                            frame, buf = buf[:end], buf[end + 2 :]
                            if not frame.startswith(b"event: "):
                                continue
                            nl = frame.find(b"\n")
                            name = frame[7:nl] if nl > 0 else frame[7:]
                            if name == b"RunContent":
                                if ttfe is None:
                                    ttfe = time.perf_counter() - start
                                if ttfc is None and _has_text(frame, nl):
                                    ttfc = time.perf_counter() - start
                            elif name in TERMINAL:
                                outcome = "ok" if name == b"RunCompleted" else "run_error"
                                if outcome == "ok":
                                    srv_ttft = _server_ttft(frame, nl)
                                if outcome == "run_error":
                                    self._sample(frame.decode(errors="replace"))
                    if outcome == "truncated":
                        self._sample(f"truncated stream, tail: {buf[-200:]!r}")
        except TimeoutError:
            outcome = "timeout"
        except asyncio.CancelledError:
            outcome = "cut"
        except Exception as exc:  # a refused or reset connection is a result, not a crash
            outcome = f"exc:{type(exc).__name__}"
            self._sample(f"{outcome}: {exc}")
        finally:
            self.stats.active -= 1
        total = time.perf_counter() - start
        self.stats.done += 1
        if outcome == "truncated":
            self.stats.truncated += 1
        elif outcome not in ("ok", "cut"):
            self.stats.errors += 1
        rel = start - self.t0
        self.stats.records.append(
            [
                user,
                seq,
                int(tool),
                round(rel, 4),
                None if ttfc is None else round(ttfc, 5),
                round(total, 5),
                outcome,
                None if srv_ttft is None else round(srv_ttft, 5),
                None if ttfe is None else round(ttfe, 5),
            ]
        )
        return backoff

    async def user(self, session: aiohttp.ClientSession, user: int) -> None:
        await asyncio.sleep(self.args.ramp * user / max(1, self.args.users))
        sid = str(uuid.UUID(int=random.Random(user).getrandbits(128)))
        seq = 0
        while time.perf_counter() < self.deadline:
            backoff = await self.one_run(session, user, sid, seq)
            seq += 1
            if backoff:
                await asyncio.sleep(min(backoff, max(0.0, self.deadline - time.perf_counter())))

    async def progress(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            s = self.stats
            line = {
                "t": round(time.perf_counter() - self.t0, 2),
                "done": s.done,
                "errors": s.errors,
                "truncated": s.truncated,
                "active": s.active,
            }
            print(json.dumps(line), flush=True)

    async def main(self) -> dict:
        a = self.args
        timeout = aiohttp.ClientTimeout(total=a.timeout, sock_read=a.timeout)
        connector = aiohttp.TCPConnector(limit=0, force_close=False)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            self.t0 = time.perf_counter()
            self.deadline = self.t0 + a.duration
            print(json.dumps({"started": True}), flush=True)  # lets the sampler align its clock
            prog = asyncio.create_task(self.progress())
            users = [asyncio.create_task(self.user(session, u)) for u in range(a.users)]
            # Bounded: after the deadline the open runs get `grace` seconds, then they are cut.
            _, pending = await asyncio.wait(users, timeout=a.duration + a.grace)
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5)
            end = time.perf_counter() - self.t0
            prog.cancel()
        s = self.stats
        return {
            "users": a.users,
            "duration": a.duration,
            "elapsed": round(end, 3),
            "done": s.done,
            "errors": s.errors,
            "truncated": s.truncated,
            "fields": [
                "user",
                "seq",
                "tool",
                "start",
                "ttfc",
                "total",
                "outcome",
                "server_ttft",
                "first_event",
            ],
            "records": s.records,
            "error_samples": s.error_samples,
        }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True)
    p.add_argument("--agent", default="bench-agent")
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--duration", type=float, default=120.0)
    p.add_argument("--ramp", type=float, default=2.0, help="seconds over which the users start")
    p.add_argument("--grace", type=float, default=30.0, help="seconds open runs get after the deadline")
    p.add_argument("--timeout", type=float, default=120.0, help="per-run timeout, seconds")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    result = asyncio.run(LoadGen(args).main())
    with open(args.out, "w") as f:
        json.dump(result, f, separators=(",", ":"))
    print(json.dumps({"finished": True, "done": result["done"]}), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
