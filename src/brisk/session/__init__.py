from brisk.session.agent import AgentSession

__all__ = ["AgentSession"]
