"""``/openapi.json`` and ``/docs``.

The schema is a trimmed copy of AgentOS 3.1.10's generated one for the operations Brisk implements
(``scripts/trim_openapi.py``; prose and examples removed), shipped as a file and read on first
request, so it costs nothing at start-up. ``/docs`` is a Swagger UI page that loads that schema; its
JavaScript comes from a CDN, as with FastAPI, when a browser opens the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from brisk.os._http import Request, Response
from brisk.os.router import Route

if TYPE_CHECKING:
    from brisk.os.app import AgentOS

__all__ = ["routes", "schema"]

_SPEC_FILE = Path(__file__).with_name("openapi.json")
_SWAGGER = """<!DOCTYPE html>
<html>
<head>
<link type="text/css" rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
<title>{title} - Swagger UI</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>
const ui = SwaggerUIBundle({{
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}})
</script>
</body>
</html>
"""


def schema(os: AgentOS) -> dict[str, Any]:
    spec: dict[str, Any] = msgspec.json.decode(_SPEC_FILE.read_bytes())
    info: dict[str, Any] = {"title": os.name or "Brisk AgentOS", "version": os.version or "1.0.0"}
    if os.description:
        info["description"] = os.description
    spec["info"] = info
    return spec


def routes(os: AgentOS) -> list[Route]:
    cache: dict[str, Response] = {}

    async def openapi_json(req: Request) -> Response:
        resp = cache.get("json")
        if resp is None:
            body = msgspec.json.encode(schema(req.os))
            resp = cache["json"] = Response(
                200,
                body,
                [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")],
            )
        return resp

    async def docs(req: Request) -> Response:
        body = _SWAGGER.format(title=req.os.name or "Brisk AgentOS").encode()
        return Response(
            200,
            body,
            [(b"content-length", str(len(body)).encode()), (b"content-type", b"text/html; charset=utf-8")],
        )

    return [Route("GET", "/openapi.json", openapi_json), Route("GET", "/docs", docs)]
