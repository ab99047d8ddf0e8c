"""``SiliconflowEmbedder``: SiliconFlow's ``/v1/embeddings`` (OpenAI shape).

The default ``BAAI/bge-m3`` (1024 dimensions) rejects a ``dimensions`` parameter, so it is sent only to the
Qwen3-Embedding models, which accept it (native 4096 / 2560 / 1024 for 8B / 4B / 0.6B).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from brisk.knowledge.embedder.openai import OpenAIEmbedder

__all__ = ["SiliconflowEmbedder"]

_NATIVE = {"Qwen3-Embedding-8B": 4096, "Qwen3-Embedding-4B": 2560, "Qwen3-Embedding-0.6B": 1024}


@dataclass
class SiliconflowEmbedder(OpenAIEmbedder):
    id: str = "BAAI/bge-m3"

    provider_label: ClassVar[str] = "Siliconflow"
    api_key_env: ClassVar[str | None] = "SILICONFLOW_API_KEY"
    base_url_env: ClassVar[str | None] = "SILICONFLOW_BASE_URL"
    default_base_url: ClassVar[str] = "https://api.siliconflow.cn/v1"

    def _default_dimensions(self) -> int:
        name = self.id.rsplit("/", 1)[-1]
        return _NATIVE.get(name, 768 if "bce-embedding" in name else 1024)

    def sends_dimensions(self) -> bool:
        return "Qwen3-Embedding" in self.id
