from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from gonghui.audit.services import current_ip


def client_ip(request: HttpRequest) -> str | None:
    """The peer address, or the address the trusted proxy (and only it) reports."""
    if settings.TRUSTED_PROXY_COUNT:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(chain) >= settings.TRUSTED_PROXY_COUNT:
            return chain[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


class SessionLifetimeMiddleware:
    """Absolute session lifetime (idle timeout is SESSION_COOKIE_AGE); sets the audit IP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            if request.user.is_authenticated:
                started = request.session.get("login_at")
                if started is None:
                    request.session["login_at"] = int(time.time())
                elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                    logout(request)
            return self.get_response(request)
        finally:
            current_ip.reset(token)
