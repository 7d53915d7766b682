"""Every API error is JSON: {"code": machine code, "message": Chinese text, "field": input or null}.

404 and 403 carry the same meaning as in the HTML views: 404 when the object is outside the
caller's scope (its existence is not confirmed), 403 when it is visible but the action is not
allowed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gonghui.lib.errors import ServiceError

# ServiceError codes that mean "conflicts with what is on record" rather than "invalid input".
CONFLICT_CODES = frozenset({"person_exists", "dedupe_conflict"})

NOT_FOUND = {"code": "not_found", "message": "未找到该对象或无权查看", "field": None}
FORBIDDEN = {"code": "forbidden", "message": "无权执行此操作", "field": None}
UNAUTHORIZED = {"code": "unauthorized", "message": "未认证：请在 Authorization 头中提供有效的 API 令牌（Bearer）", "field": None}
BAD_REQUEST = {"code": "bad_request", "message": "请求无法解析", "field": None}
INVALID = {"code": "invalid", "message": "请求数据格式不正确"}


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, data: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, data, status=status)

    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        status = 409 if exc.code in CONFLICT_CODES else 400
        return respond(request, {"code": exc.code, "message": exc.message, "field": exc.field}, status)

    def unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
        response = respond(request, UNAUTHORIZED, 401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, BAD_REQUEST if exc.status_code == 400 else {"code": "error", "message": str(exc), "field": None}, exc.status_code)

    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, {**INVALID, "detail": exc.errors}, 422)

    api.add_exception_handler(ServiceError, service_error)
    api.add_exception_handler(Http404, lambda request, exc: respond(request, NOT_FOUND, 404))
    api.add_exception_handler(PermissionDenied, lambda request, exc: respond(request, FORBIDDEN, 403))
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(ValidationError, validation_error)
