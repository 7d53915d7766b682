from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from . import services


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``. The session cookie is never looked at, so the API
    needs no CSRF protection: a browser cannot attach the token by itself."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.user_for_token(token.strip())
        if user is not None:
            request.user = user  # what the policy and the audit trail see
        return user
