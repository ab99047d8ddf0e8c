"""Knowledge for agents. For now the embedders (``brisk.knowledge.embedder.<provider>``); chunking, the
vector store and ``Knowledge`` itself come later."""

__all__: list[str] = []
