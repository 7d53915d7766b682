"""Activities over the API: the same queries (visibility), the same services (lifecycle,
sessions, registration with capacity and waiting list), the same refusals as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.activities import queries, services
from gonghui.activities.models import Activity, ActivityType, Registration
from gonghui.api.pagination import page
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.orgs.models import Org
from gonghui.people.queries import get_person_for_user

from .common import LIST, READ, WRITE, actor
from .schemas import Id, PageIn, Text

router = Router()

Status = Literal["draft", "published", "registering", "ongoing", "finished", "cancelled"]


class ActivityFilters(PageIn):
    org_id: Id | None = Field(None, description="主办单位（含下级）")
    status: Status | None = None
    type_id: Id | None = Field(None, description="活动类型")


class ActivityOut(Schema):
    id: int
    title: str
    status: Status
    status_label: str
    activity_type_id: int
    activity_type_name: str
    organizer_id: int
    organizer_name: str
    alliance_id: int | None
    campaign_id: int | None
    venue: str
    created_at: dt.datetime


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class SessionOut(Schema):
    id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    capacity: int | None
    is_cancelled: bool
    registered: int
    waitlisted: int


class EventOut(Schema):
    from_status: str
    to_status: str
    note: str
    session_id: int | None
    at: dt.datetime


class ActivityDetailOut(ActivityOut):
    description: str
    summary: str
    co_organizer_ids: list[int]
    audience_org_ids: list[int]
    sessions: list[SessionOut]
    events: list[EventOut]
    can_manage: bool


class ActivityCreateIn(Schema):
    organizer_id: Id
    activity_type_id: Id
    title: Text(100, min_length=1)
    venue: Text(200) = ""
    description: Text(5000) = ""
    co_organizer_ids: list[Id] = Field(default_factory=list, max_length=50)
    audience_org_ids: list[Id] = Field(default_factory=list, max_length=200, description="面向工会；不传为主办单位本身（联盟活动为成员工会）")
    alliance_id: Id | None = None
    campaign_id: Id | None = None


class TransitionIn(Schema):
    to_status: Status
    note: Text(500) = ""
    summary: Text(5000) = Field("", description="结束活动时必填")


class SessionIn(Schema):
    title: Text(100) = ""
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: Text(200, min_length=1)
    capacity: int | None = Field(None, ge=1, le=1_000_000, description="不传表示不限")


class RegistrationIn(Schema):
    person_ids: list[Id] = Field(default_factory=list, max_length=500, description="不传为本人报名；传入为干部为本单位会员批量报名")


class RegistrationOut(Schema):
    id: int
    session_id: int
    person_id: int
    status: Literal["registered", "waitlisted", "cancelled"]
    created_at: dt.datetime


def activity_out(a: Activity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "status": a.status,
        "status_label": a.get_status_display(),
        "activity_type_id": a.activity_type_id,
        "activity_type_name": a.activity_type.name,
        "organizer_id": a.organizer_id,
        "organizer_name": a.organizer.name,
        "alliance_id": a.alliance_id,
        "campaign_id": a.campaign_id,
        "venue": a.venue,
        "created_at": a.created_at,
    }


def detail_out(user: Any, a: Activity) -> dict[str, Any]:
    sessions = [
        {
            "id": s.pk,
            "title": s.title,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "place": s.place,
            "capacity": s.capacity,
            "is_cancelled": s.is_cancelled,
            "registered": s.n_registered,
            "waitlisted": s.n_waitlisted,
        }
        for s in queries.sessions_with_counts(a)
    ]
    return {
        **activity_out(a),
        "description": a.description,
        "summary": a.summary,
        "co_organizer_ids": sorted(a.co_organizers.values_list("pk", flat=True)),
        "audience_org_ids": sorted(a.audience.values_list("org_id", flat=True)),
        "sessions": sessions,
        "events": [
            {"from_status": e.from_status, "to_status": e.to_status, "note": e.note, "session_id": e.session_id, "at": e.at}
            for e in queries.events(a)
        ],
        "can_manage": queries.can_manage(user, a),
    }


def registration_out(r: Registration) -> dict[str, Any]:
    return {"id": r.pk, "session_id": r.session_id, "person_id": r.person_id, "status": r.status, "created_at": r.created_at}


def _orgs(ids: list[int], field: str) -> list[Org]:
    found = {o.pk: o for o in Org.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ServiceError(_("没有找到这些工会组织：%(ids)s") % {"ids": "、".join(map(str, missing))}, field=field)
    return [found[i] for i in dict.fromkeys(ids)]


@router.get("/activities", response={200: ActivityPage, **LIST}, url_name="activity_list", summary="可见的活动")
def activity_list(request: HttpRequest, filters: Query[ActivityFilters]) -> Any:
    user = actor(request)
    org = policy.get_org_for_user(user, filters.org_id) if filters.org_id else None
    qs = queries.filtered(user, status=filters.status or "", type_id=filters.type_id, org=org)
    rows, next_cursor = page(qs, keys=("id",), limit=filters.limit, cursor=filters.cursor)
    return {"items": [activity_out(a) for a in rows], "next_cursor": next_cursor}


@router.post("/activities", response={201: ActivityDetailOut, **WRITE}, url_name="activity_create", summary="新建活动（草稿）")
def activity_create(request: HttpRequest, payload: ActivityCreateIn) -> Any:
    user = actor(request)
    organizer = policy.get_org_for_user(user, payload.organizer_id, action="operate")
    activity_type = ActivityType.objects.filter(pk=payload.activity_type_id).first()
    if activity_type is None:
        raise ServiceError(_("活动类型不存在"), field="activity_type_id")
    alliance = None
    if payload.alliance_id:
        from gonghui.alliances.models import Alliance

        alliance = Alliance.objects.filter(pk=payload.alliance_id).first()
        if alliance is None:
            raise ServiceError(_("联盟不存在"), field="alliance_id")
    campaign = None
    if payload.campaign_id:
        from gonghui.activities.models import Campaign

        campaign = Campaign.objects.filter(pk=payload.campaign_id).first()
        if campaign is None:
            raise ServiceError(_("专项行动不存在"), field="campaign_id")
    a = services.activity_create(
        actor=user,
        organizer=organizer,
        activity_type=activity_type,
        title=payload.title,
        venue=payload.venue,
        description=payload.description,
        co_organizers=_orgs(payload.co_organizer_ids, "co_organizer_ids"),
        audience=_orgs(payload.audience_org_ids, "audience_org_ids"),
        alliance=alliance,
        campaign=campaign,
    )
    return 201, detail_out(user, queries.get_activity_for_user(user, a.pk))


@router.get(
    "/activities/{activity_id}", response={200: ActivityDetailOut, **READ}, url_name="activity_detail", summary="活动详情：场次、报名人数、记录"
)
def activity_detail(request: HttpRequest, activity_id: Id) -> Any:
    user = actor(request)
    return detail_out(user, queries.get_activity_for_user(user, activity_id))


@router.post(
    "/activities/{activity_id}/transition", response={200: ActivityDetailOut, **WRITE}, url_name="activity_transition", summary="变更活动状态"
)
def activity_transition(request: HttpRequest, activity_id: Id, payload: TransitionIn) -> Any:
    user = actor(request)
    a = queries.get_activity_for_user(user, activity_id, action="operate")
    services.activity_transition(actor=user, activity=a, to_status=payload.to_status, note=payload.note, summary=payload.summary)
    return detail_out(user, queries.get_activity_for_user(user, a.pk))


@router.post("/activities/{activity_id}/sessions", response={201: SessionOut, **WRITE}, url_name="session_add", summary="添加场次")
def session_add(request: HttpRequest, activity_id: Id, payload: SessionIn) -> Any:
    user = actor(request)
    a = queries.get_activity_for_user(user, activity_id, action="operate")
    s = services.session_add(actor=user, activity=a, **payload.model_dump())
    return 201, {
        **{k: getattr(s, k) for k in ("id", "title", "starts_at", "ends_at", "place", "capacity", "is_cancelled")},
        "registered": 0,
        "waitlisted": 0,
    }


@router.post(
    "/sessions/{session_id}/registrations",
    response={201: list[RegistrationOut], **WRITE},
    url_name="registration_create",
    summary="报名：本人，或干部为本单位会员批量报名",
)
def registration_create(request: HttpRequest, session_id: Id, payload: RegistrationIn) -> Any:
    user = actor(request)
    s = queries.get_session_for_user(user, session_id)
    if not payload.person_ids:
        if user.person is None:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return 201, [registration_out(services.registration_create(actor=user, session=s, person=user.person))]
    people = [get_person_for_user(user, pid, action="operate") for pid in dict.fromkeys(payload.person_ids)]
    return 201, [registration_out(r) for r in services.registration_bulk(actor=user, session=s, people=people)]


@router.post(
    "/registrations/{registration_id}/cancel",
    response={200: RegistrationOut, **WRITE},
    url_name="registration_cancel",
    summary="取消报名（候补自动递补）",
)
def registration_cancel(request: HttpRequest, registration_id: Id) -> Any:
    user = actor(request)
    r = queries.get_registration_for_user(user, registration_id)
    return registration_out(services.registration_cancel(actor=user, registration=r))
