from brisk.run.base import RunContext, RunStatus

__all__ = ["RunContext", "RunStatus"]
