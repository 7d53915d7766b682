from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from gonghui.accounts.backends import end_request
from gonghui.audit.services import current_ip


def client_ip(request: HttpRequest) -> str | None:
    """The peer address, or the address the trusted proxy (and only it) reports."""
    if settings.TRUSTED_PROXY_COUNT:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(chain) >= settings.TRUSTED_PROXY_COUNT:
            return chain[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


class SessionLifetimeMiddleware:
    """Idle timeout and absolute lifetime of a session; sets the audit IP.

    The idle timer (SESSION_COOKIE_AGE) restarts whenever the session is saved. Saving on every
    request would put a database write (an fsync on SQLite) in every page view, so the session
    is marked for saving only when its last refresh is older than SESSION_REFRESH_SECONDS.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_ip.set(client_ip(request))
        try:
            if request.user.is_authenticated:
                now = int(time.time())
                started = request.session.get("login_at")
                if started is None:
                    request.session["login_at"] = now
                elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                    logout(request)
                    return self.get_response(request)
                if now - request.session.get("seen_at", 0) >= settings.SESSION_REFRESH_SECONDS:
                    request.session["seen_at"] = now
            return self.get_response(request)
        finally:
            current_ip.reset(token)
            end_request()
