from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from gonghui.api.pagination import page
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy, queries, services
from gonghui.orgs.models import Org

from .common import LIST, READ, WRITE, actor
from .schemas import Id, OrgCloseIn, OrgCreateIn, OrgDetailOut, OrgFilters, OrgMoveIn, OrgOut, OrgPage, OrgUpdateIn

router = Router()
FIELDS = [f for f in OrgOut.model_fields if f not in ("parent_id",)]


def org_out(org: Org, scope: list[str]) -> dict[str, Any]:
    # The parent of a scope root lies outside the caller's view: not even its id is shown.
    parent_path = org.path[: org.path.rstrip("/").rfind("/") + 1]
    parent_visible = org.parent_id is not None and any(parent_path.startswith(p) for p in scope)
    return {**{f: getattr(org, f) for f in FIELDS}, "parent_id": org.parent_id if parent_visible else None}


def org_detail_out(user: Any, org: Org) -> dict[str, Any]:
    return {
        **org_out(org, policy.scope_paths(user, "view")),
        "subtree_member_total": queries.subtree_member_total(org),
        "subtree_org_count": queries.subtree_org_count(org),
        "permissions": {
            "manage": policy.user_can(user, "manage", org),
            "move": policy.user_can(user, "move", org) and org.parent_id is not None,
            "operate": policy.user_can(user, "operate", org),
        },
    }


@router.get("", response={200: OrgPage, **LIST}, url_name="org_list", summary="可见范围内的组织")
def org_list(request: HttpRequest, filters: Query[OrgFilters]) -> Any:
    user = actor(request)
    qs = policy.orgs_user_can(user, "view")
    if filters.parent_id is not None:
        qs = qs.filter(parent=policy.get_org_for_user(user, filters.parent_id))
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.q and filters.q.strip():
        qs = qs.filter(name__contains=filters.q.strip())
    rows, next_cursor = page(qs, keys=("id",), limit=filters.limit, cursor=filters.cursor)
    scope = policy.scope_paths(user, "view")
    return {"items": [org_out(o, scope) for o in rows], "next_cursor": next_cursor}


@router.post("", response={201: OrgDetailOut, **WRITE}, url_name="org_create", summary="新建下级组织")
def org_create(request: HttpRequest, payload: OrgCreateIn) -> Any:
    user = actor(request)
    parent = policy.get_org_for_user(user, payload.parent_id, action="manage")
    data = payload.model_dump(exclude={"parent_id"})
    org = services.org_create(actor=user, parent=parent, data=data)
    return 201, org_detail_out(user, org)


@router.get("/{org_id}", response={200: OrgDetailOut, **READ}, url_name="org_detail", summary="组织详情")
def org_detail(request: HttpRequest, org_id: Id) -> Any:
    user = actor(request)
    return org_detail_out(user, policy.get_org_for_user(user, org_id))


@router.patch("/{org_id}", response={200: OrgDetailOut, **WRITE}, url_name="org_update", summary="修改组织信息（只改传入的字段）")
def org_update(request: HttpRequest, org_id: Id, payload: OrgUpdateIn) -> Any:
    user = actor(request)
    org = policy.get_org_for_user(user, org_id, action="manage")
    return org_detail_out(user, services.org_update(actor=user, org=org, data=payload.changes()))


@router.post("/{org_id}/move", response={200: OrgDetailOut, **WRITE}, url_name="org_move", summary="调整隶属关系（移动子树）")
def org_move(request: HttpRequest, org_id: Id, payload: OrgMoveIn) -> Any:
    user = actor(request)
    org = policy.get_org_for_user(user, org_id, action="move")
    # The new parent must be in the mover's own scope; the lookup itself is scoped (as in the form).
    new_parent = policy.orgs_user_can(user, "move").filter(pk=payload.new_parent_id).first()
    if new_parent is None:
        raise ServiceError(_("在您的管理范围内没有找到该组织"), field="new_parent_id")
    return org_detail_out(user, services.org_move(actor=user, org=org, new_parent=new_parent, reason=payload.reason))


@router.post("/{org_id}/close", response={200: OrgDetailOut, **WRITE}, url_name="org_close", summary="撤销组织")
def org_close(request: HttpRequest, org_id: Id, payload: OrgCloseIn) -> Any:
    user = actor(request)
    org = policy.get_org_for_user(user, org_id, action="manage")
    return org_detail_out(user, services.org_close(actor=user, org=org, on=payload.closed_on, reason=payload.reason))
