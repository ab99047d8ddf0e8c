"""Brisk's exceptions, with Agno's class names so ``except`` clauses carry over.

Control-flow signals (``StopAgentRun``, ``RetryAgentRun``) are kept apart from errors.

    BriskError
      ModelProviderError            a provider answered with an error or could not be reached
        ModelRateLimitError         429
        ModelAuthenticationError    401 / 403
        ContextWindowExceededError  the prompt does not fit the model
        EmbeddingError              an embedder failed (the provider's error is its __cause__)
      EmbeddingsNotSupportedError   the provider has no embeddings API
      ConfigurationError            bad or missing configuration (missing API key, bad model id, ...)
      DbError                       the database cannot be opened or written
      RunCancelledError             a run was cancelled while it was running
      RunNotFoundError              continue_run named a run that is not stored
"""

from __future__ import annotations


class BriskError(Exception):
    """Base class of all Brisk errors."""


class ModelProviderError(BriskError):
    # Agno reports every provider failure (rate limit and auth included) as this one error_type.
    error_type = "model_provider_error"

    def __init__(
        self,
        message: str,
        status_code: int = 502,
        model_name: str | None = None,
        model_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.model_name = model_name
        self.model_id = model_id
        self.retry_after = retry_after
        # True when the provider could not be reached or did not answer (no HTTP status came back).
        self.connection_failed = False

    def __str__(self) -> str:
        return self.message


class ModelRateLimitError(ModelProviderError):
    pass


class ModelAuthenticationError(ModelProviderError):
    pass


class ContextWindowExceededError(ModelProviderError):
    pass


class EmbeddingError(ModelProviderError):
    """An embedder could not produce an embedding (Agno's name). The provider's own error is ``__cause__``
    (a ``ModelRateLimitError``, ``ModelAuthenticationError``, ...); ``provider_status_code`` is the HTTP
    status it reported, or None when there was none (``status_code`` is then 502, as in Agno)."""

    error_type = "embedding_error"

    def __init__(
        self,
        message: str,
        status_code: int | None = None,
        model_id: str | None = None,
        provider: str | None = None,
    ) -> None:
        super().__init__(message, status_code if status_code is not None else 502, model_id=model_id)
        self.provider_status_code = status_code
        self.provider = provider

    @property
    def reason(self) -> str:
        """``authentication``, ``rate_limit``, ``content_too_large`` or ``unknown`` (Agno's categories)."""
        code, msg = self.provider_status_code, self.message.lower()
        if code == 429 or isinstance(self.__cause__, ModelRateLimitError):
            return "rate_limit"
        if code in (401, 403) or isinstance(self.__cause__, ModelAuthenticationError):
            return "authentication"
        if isinstance(self.__cause__, ContextWindowExceededError):
            return "content_too_large"
        if code is not None and 500 <= code < 600:
            return "unknown"
        if any(p in msg for p in ("rate limit", "too many requests", "quota")):
            return "rate_limit"
        if any(p in msg for p in ("too long", "too large", "exceeds", "token limit")):
            return "content_too_large"
        return "unknown"


class EmbeddingsNotSupportedError(BriskError):
    def __init__(self, provider: str) -> None:
        super().__init__(f"{provider} has no embeddings API; pick another provider's embedder")
        self.provider = provider


class ConfigurationError(BriskError, ValueError):
    """Bad or missing configuration. Also a ValueError, so plain ``except ValueError`` catches it."""


class DbError(BriskError):
    """The database cannot be opened, read or written."""


class RunCancelledError(BriskError):
    def __init__(self, run_id: str | None = None, reason: str | None = None) -> None:
        super().__init__(reason or f"Run {run_id} was cancelled")
        self.run_id = run_id
        self.reason = reason


class RunNotFoundError(BriskError, LookupError):
    """``continue_run`` was asked to resume a run that the database does not hold."""


class StopAgentRun(Exception):  # noqa: N818 - Agno's name
    """Raised by a tool to end the run after the current tool call."""

    def __init__(self, message: str = "", user_message: str | None = None) -> None:
        super().__init__(message)
        self.user_message = user_message


class RetryAgentRun(Exception):  # noqa: N818 - Agno's name
    """Raised by a tool to hand a message back to the model and let it try again."""

    def __init__(self, message: str = "", user_message: str | None = None) -> None:
        super().__init__(message)
        self.user_message = user_message
