"""``GeminiEmbedder``: Gemini's ``POST {root}/models/{id}:batchEmbedContents``, as google-genai sends
even a single text (one ``requests`` entry per text, each with ``taskType``, ``outputDimensionality`` and
the model name). The Gemini API reports no usage (Vertex's billable characters are not available here),
so usage is None, as in Agno. No retries, as google-genai.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import yarl

from brisk import __version__
from brisk.knowledge.embedder.base import Embedder, Usage
from brisk.models._env import first_env
from brisk.models._http import make_timeout
from brisk.models._request import NO_RETRY, post, read_body, read_json
from brisk.models._retry import MissingAPIKeyError
from brisk.models.google.gemini import KEY_ENVS, gemini_error, gemini_root

__all__ = ["GeminiEmbedder"]


@dataclass
class GeminiEmbedder(Embedder):
    id: str = "gemini-embedding-001"
    task_type: str = "RETRIEVAL_QUERY"
    title: str | None = None
    dimensions: int | None = 1536
    api_key: str | None = field(default=None, repr=False)
    request_params: dict[str, Any] | None = None
    # Brisk additions (google-genai takes these through http_options)
    base_url: str | None = None
    api_version: str | None = None
    timeout: float | None = None
    max_retries: int | None = None

    provider_label: ClassVar[str] = "Google"

    def __post_init__(self) -> None:
        self._timeout = make_timeout(self.timeout)

    @property
    def _model(self) -> str:
        return self.id.removeprefix("models/")

    def build_body(self, texts: list[str]) -> dict[str, Any]:
        requests = []
        for text in texts:
            r: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "user"}}
            if self.task_type:
                r["taskType"] = self.task_type
            if self.title:
                r["title"] = self.title
            if self.dimensions:
                r["outputDimensionality"] = self.dimensions
            r["model"] = f"models/{self._model}"
            if self.request_params:
                r.update(self.request_params)
            requests.append(r)
        return {"requests": requests}

    async def _aembed(self, texts: list[str]) -> tuple[list[list[float]], Usage]:
        if not self.api_key:
            _, self.api_key = first_env(*KEY_ENVS)
        if not self.api_key:
            raise MissingAPIKeyError("GOOGLE_API_KEY", model_name=type(self).__name__, model_id=self.id)
        url = yarl.URL(
            f"{gemini_root(self.base_url, self.api_version)}/models/{self._model}:batchEmbedContents"
        )
        headers = {
            "Content-Type": "application/json",
            "x-goog-api-key": self.api_key,
            "x-goog-api-client": f"brisk/{__version__}",
        }
        name, secrets = type(self).__name__, (self.api_key,)
        resp = await post(
            url,
            self.build_body(texts),
            headers,
            self._timeout,
            policy=NO_RETRY,
            max_retries=self.max_retries,
            model_name=name,
            model_id=self.id,
            secrets=secrets,
            to_error=gemini_error,
        )
        raw = await read_body(resp, model_name=name, model_id=self.id, secrets=secrets)
        data = read_json(raw, model_name=name, model_id=self.id, secrets=secrets)
        vectors = [
            (e.get("values") or []) if isinstance(e, dict) else [] for e in data.get("embeddings") or ()
        ]
        return vectors, None
