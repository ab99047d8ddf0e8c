from brisk.run.base import RunStatus

__all__ = ["RunStatus"]
