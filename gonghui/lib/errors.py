from __future__ import annotations


class ServiceError(Exception):
    """A refused write: ``message`` is shown to the user (Chinese), ``field`` names the input."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
