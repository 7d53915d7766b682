from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .schemas import ErrorOut, ValidationErrorOut

READ = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
LIST = {400: ErrorOut, **READ}
WRITE = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def actor(request: HttpRequest) -> Any:
    """The token's user (set by TokenAuth)."""
    return request.auth  # type: ignore[attr-defined]
