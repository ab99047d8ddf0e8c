"""``ZhipuEmbedder`` (alias ``GLMEmbedder``): Zhipu AI's ``/api/paas/v4/embeddings`` (OpenAI shape).

``embedding-3`` defaults to 2048 dimensions and accepts 256, 512, 1024 or 2048 (Agno's
``OpenAILikeEmbedder`` default of 1536 is rejected); ``embedding-2`` is 1024 and takes no ``dimensions``.
At most 64 texts per request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from brisk.knowledge.embedder.openai import OpenAIEmbedder

__all__ = ["GLMEmbedder", "ZhipuEmbedder"]


@dataclass
class ZhipuEmbedder(OpenAIEmbedder):
    id: str = "embedding-3"
    batch_size: int = 64

    provider_label: ClassVar[str] = "Zhipu"
    api_key_env: ClassVar[str | None] = "ZHIPUAI_API_KEY"
    base_url_env: ClassVar[str | None] = "ZHIPUAI_BASE_URL"
    default_base_url: ClassVar[str] = "https://open.bigmodel.cn/api/paas/v4"

    def _default_dimensions(self) -> int:
        return 2048 if self.id == "embedding-3" else 1024

    def sends_dimensions(self) -> bool:
        return self.id == "embedding-3"


GLMEmbedder = ZhipuEmbedder
