"""REST API v1: ``api`` is mounted at /api/v1/ (schema at /api/v1/openapi.json, docs at /api/docs).

Every endpoint authorizes with the same helpers as the HTML views (``policy.get_org_for_user``,
``get_person_for_user``, ``get_alliance_for_user`` …), reads through the same queries and writes
through the same services. Requests authenticate with a personal token (``Authorization: Bearer``).
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from gonghui.api import errors
from gonghui.api.auth import TokenAuth

from . import activities, alliances, hardship, me, orgs, people


class Utf8JSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese text as UTF-8, not \u escapes


api = NinjaAPI(
    title="工会工作平台 API",
    version="1",
    description=(
        "组织、联盟、人员与会籍的接口。每个请求以个人 API 令牌认证（`Authorization: Bearer <令牌>`），"
        "权限与网页端完全相同：范围外的对象返回 404，范围内但无权操作返回 403。人员信息一律脱敏。"
        "列表按游标分页：`?limit=1..200&cursor=<上一页的 next_cursor>`。"
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    renderer=Utf8JSONRenderer(),
    docs_url=None,  # the human docs are served at /api/docs by gonghui.api.views (CSP-safe)
)
errors.install(api)
api.add_router("/me", me.router, tags=["me"])
api.add_router("/orgs", orgs.router, tags=["orgs"])
api.add_router("/", people.router, tags=["people"])
api.add_router("/alliances", alliances.router, tags=["alliances"])
api.add_router("/", activities.router, tags=["activities"])
api.add_router("/", hardship.router, tags=["hardship"])
