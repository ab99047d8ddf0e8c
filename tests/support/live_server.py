"""A real uvicorn server on loopback (port 0) in a background thread, and a small blocking client.

The client is ``http.client`` on purpose: it shows the bytes as sent (headers in order, the SSE
body as framed), and works from sync and async tests alike without sharing an event loop with the
server.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
import uvicorn

from tests.support.http_exchange import Exchange

__all__ = ["LiveServer", "encode_multipart", "live_server"]


class LiveServer:
    def __init__(self, app: Any, **config: Any) -> None:
        options = {"loop": "uvloop", "http": "httptools", "lifespan": "on", "log_level": "warning"}
        options.update(config)
        self.config = uvicorn.Config(app, host="127.0.0.1", port=0, **options)
        self.server = uvicorn.Server(self.config)
        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self.port = 0

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def connect(self, timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        json: Any = None,
        form: dict[str, str] | None = None,
        multipart: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Exchange:
        hdrs = dict(headers or {})
        if json is not None:
            body = msgspec.json.encode(json)
            hdrs.setdefault("Content-Type", "application/json")
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif multipart is not None:
            body, ctype = encode_multipart(multipart)
            hdrs.setdefault("Content-Type", ctype)
        if query:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(query, doseq=True)
        conn = self.connect()
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return Exchange(resp.status, resp.reason, list(resp.getheaders()), data)
        finally:
            conn.close()


def encode_multipart(fields: dict[str, Any]) -> tuple[bytes, str]:
    """``multipart/form-data`` like a browser's FormData; a (filename, bytes, type) tuple is a file."""
    boundary = uuid.uuid4().hex
    out = bytearray()
    for name, value in fields.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            out += f"--{boundary}\r\n".encode()
            if isinstance(v, tuple):
                filename, data, ctype = v
                out += f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'.encode()
                out += f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n"
            else:
                out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                out += str(v).encode() + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


@contextmanager
def live_server(app: Any, **config: Any) -> Iterator[LiveServer]:
    server = LiveServer(app, **config).start()
    try:
        yield server
    finally:
        server.stop()
