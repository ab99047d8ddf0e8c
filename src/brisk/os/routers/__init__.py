"""AgentOS routes, one module per resource; each exposes ``routes(os) -> list[Route]``."""
