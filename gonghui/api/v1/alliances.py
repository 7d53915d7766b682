from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from gonghui.alliances import queries, services
from gonghui.alliances.models import Alliance, AllianceMember
from gonghui.api.pagination import page
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.orgs.models import Org

from .common import LIST, READ, WRITE, actor
from .schemas import (
    AllianceCreateIn,
    AllianceDetailOut,
    AllianceFilters,
    AllianceMemberJoinIn,
    AllianceMemberLeaveIn,
    AllianceMemberOut,
    AlliancePage,
    AllianceUpdateIn,
    Id,
)

router = Router()


def alliance_out(a: Alliance) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "host_org_id": a.host_org_id,
        "host_org_name": a.host_org.name,
        "founded_on": a.founded_on,
        "description": a.description,
        "purpose": a.purpose,
        "mechanisms": a.mechanisms,
        "platforms": a.platforms,
        "brands": a.brands,
        "charter_form": a.charter_form,
    }


def member_out(m: AllianceMember) -> dict[str, Any]:
    return {
        "id": m.pk,
        "org_id": m.org_id,
        "org_name": m.org.name,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
        "is_founder": m.is_founder,
        "strengths": m.strengths,
    }


def alliance_detail_out(user: Any, a: Alliance) -> dict[str, Any]:
    # Member unions with aggregate figures only: a coordinator sees no personal data of them.
    rows = queries.current_members(a)
    seats = [
        {
            "role": s.role,
            "person_name": s.person.name,
            "member_org_name": s.member_org.name if s.member_org_id else None,
            "term_start": s.term_start,
            "term_end": s.term_end,
        }
        for s in queries.seats(a)
    ]
    return {
        **alliance_out(a),
        "members": [{**member_out(r["member"]), "members": r["members"]} for r in rows],
        "figures": queries.figures(a, rows),
        "seats": seats,
        "can_manage": queries.can_manage(user, a),
    }


@router.get("", response={200: AlliancePage, **LIST}, url_name="alliance_list", summary="可见的工会联盟")
def alliance_list(request: HttpRequest, filters: Query[AllianceFilters]) -> Any:
    qs = queries.alliances_visible_to(actor(request))
    if filters.q and filters.q.strip():
        qs = qs.filter(name__contains=filters.q.strip())
    rows, next_cursor = page(qs, keys=("id",), limit=filters.limit, cursor=filters.cursor)
    return {"items": [alliance_out(a) for a in rows], "next_cursor": next_cursor}


@router.post("", response={201: AllianceDetailOut, **WRITE}, url_name="alliance_create", summary="新建工会联盟（由牵头工会的管理员）")
def alliance_create(request: HttpRequest, payload: AllianceCreateIn) -> Any:
    user = actor(request)
    host = policy.get_org_for_user(user, payload.host_org_id, action="manage")
    a = services.alliance_create(actor=user, host_org=host, name=payload.name, founded_on=payload.founded_on, description=payload.description)
    return 201, alliance_detail_out(user, a)


@router.get("/{alliance_id}", response={200: AllianceDetailOut, **READ}, url_name="alliance_detail", summary="联盟详情：章程、成员工会、理事会")
def alliance_detail(request: HttpRequest, alliance_id: Id) -> Any:
    user = actor(request)
    return alliance_detail_out(user, queries.get_alliance_for_user(user, alliance_id))


@router.patch("/{alliance_id}", response={200: AllianceDetailOut, **WRITE}, url_name="alliance_update", summary="修改联盟章程（“1+N”）")
def alliance_update(request: HttpRequest, alliance_id: Id, payload: AllianceUpdateIn) -> Any:
    user = actor(request)
    a = queries.get_alliance_for_user(user, alliance_id, manage=True)
    charter = {"purpose": a.purpose, "mechanisms": a.mechanisms, "platforms": a.platforms, "brands": a.brands, **payload.changes()}
    return alliance_detail_out(user, services.alliance_set_charter(actor=user, alliance=a, **charter))


@router.post("/{alliance_id}/members", response={201: AllianceMemberOut, **WRITE}, url_name="alliance_member_join", summary="成员工会加入联盟")
def alliance_member_join(request: HttpRequest, alliance_id: Id, payload: AllianceMemberJoinIn) -> Any:
    user = actor(request)
    a = queries.get_alliance_for_user(user, alliance_id, manage=True)
    # Any union may join an alliance: looked up by code deployment-wide, as in the form.
    org = Org.objects.filter(code=payload.org_code.strip()).first()
    if org is None:
        raise ServiceError(_("没有找到该编码的工会组织"), field="org_code")
    m = services.alliance_member_join(
        actor=user, alliance=a, org=org, joined_on=payload.joined_on, is_founder=payload.is_founder, strengths=payload.strengths
    )
    return 201, member_out(m)


@router.post(
    "/{alliance_id}/members/{member_id}/leave",
    response={200: AllianceMemberOut, **WRITE},
    url_name="alliance_member_leave",
    summary="成员工会退出联盟",
)
def alliance_member_leave(request: HttpRequest, alliance_id: Id, member_id: Id, payload: AllianceMemberLeaveIn) -> Any:
    user = actor(request)
    a = queries.get_alliance_for_user(user, alliance_id, manage=True)
    member = AllianceMember.objects.filter(pk=member_id, alliance=a).select_related("org").first()
    if member is None:
        raise Http404
    return member_out(services.alliance_member_leave(actor=user, member=member, left_on=payload.left_on))
