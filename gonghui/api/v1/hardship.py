"""Hardship files over the API: the same queries (scope), the same services (the workflow and its
refusals), masked people. A dedupe conflict answers 409 naming only the holding union and its
contact route; the conflicts list shows each side only what ``queries.conflict_view`` allows."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from gonghui.api.pagination import page
from gonghui.hardship import queries, services
from gonghui.hardship.models import CancelReason, FileLevel, HardshipFile
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy

from .common import LIST, READ, WRITE, actor
from .schemas import ErrorOut, Id, PageIn, Text

router = Router()

FileStatus = Literal[tuple(HardshipFile.Status.values)]  # type: ignore[valid-type]
Action = Literal[
    "submit", "prelim", "review", "publicize", "objection", "approve", "return", "convert", "adjust", "lift", "safety_net", "cancel"
]  # fmt: skip


class FileFilters(PageIn):
    org_id: Id | None = Field(None, description="建档工会（含下级）；不传为本人可见范围")
    status: FileStatus | None = None


class FileOut(Schema):
    id: int
    number: str
    org_id: int
    org_name: str
    holder_id: int
    holder_name: str
    holder_id_masked: str
    status: FileStatus
    status_label: str
    kind: Literal["formal", "temporary"]
    category: Literal["", "deep", "relative", "accident"]
    level: Literal[tuple(FileLevel.values)]  # type: ignore[valid-type]
    is_migrant_worker: bool
    changed_at: dt.datetime


class FilePage(Schema):
    items: list[FileOut]
    next_cursor: str | None


class MemberOut(Schema):
    relation: str
    name: str
    id_masked: str
    birth_year: int
    health: str
    work_status: str
    income_fen: int


class FileEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    reason: str
    at: dt.datetime


class FileDetailOut(FileOut):
    members: list[MemberOut]
    assessment: list[str] = Field(description="困难类别测算过程；无低保标准时为空")
    events: list[FileEventOut]
    contact_name: str


class TransitionIn(Schema):
    action: Action
    reason: Text(200) = Field("", description="退回、调整、脱困、兜底、异议时必填；初审、复核时为意见")
    notice_from: dt.date | None = Field(None, description="公示开始（公示时必填）")
    notice_to: dt.date | None = Field(None, description="公示截止（公示时必填）")
    level: Literal[tuple(FileLevel.values)] | None = Field(None, description="调整后的建档标准")  # type: ignore[valid-type]
    reason_code: Literal[tuple(CancelReason.values)] | None = Field(None, description="注销原因（注销时必填）")  # type: ignore[valid-type]


class ConflictOut(Schema):
    id: int
    status: Literal["open", "resolved"]
    raised_at: dt.datetime
    resolution: str
    file_id: int | None = Field(None, description="本方提交的档案（本方为发起方时）")
    member_name: str | None = Field(None, description="本方档案中重复的家庭成员")
    member_id_tail: str | None = None
    holding_org_name: str | None = Field(None, description="已建档的工会（只提供名称和联系方式）")
    holding_org_contact: str | None = None
    held_file_id: int | None = Field(None, description="本方已建的档案（本方为被比对方时）")
    raised_org_name: str | None = None
    raised_org_contact: str | None = None


def file_out(f: HardshipFile) -> dict[str, Any]:
    return {
        "id": f.pk,
        "number": f.number,
        "org_id": f.org_id,
        "org_name": f.org.name,
        "holder_id": f.holder_id,
        "holder_name": f.holder.name,
        "holder_id_masked": f.holder.id_masked,
        "status": f.status,
        "status_label": f.get_status_display(),
        "kind": f.kind,
        "category": f.category,
        "level": f.level,
        "is_migrant_worker": f.is_migrant_worker,
        "changed_at": f.changed_at,
    }


def detail_out(f: HardshipFile) -> dict[str, Any]:
    try:
        lines = services.assessment(f).lines
    except ServiceError:
        lines = []
    contact = queries.current_contact(f)
    return {
        **file_out(f),
        "members": [
            {
                "relation": m.relation,
                "name": m.name,
                "id_masked": m.id_masked,
                "birth_year": m.birth_year,
                "health": m.health,
                "work_status": m.work_status,
                "income_fen": m.income_fen,
            }
            for m in f.members.all()
        ],
        "assessment": lines,
        "events": [
            {"action": e.action, "from_status": e.from_status, "to_status": e.to_status, "reason": e.reason, "at": e.at} for e in f.events.all()
        ],
        "contact_name": str(contact.cadre) if contact else "",
    }


@router.get("/hardship/files", response={200: FilePage, **LIST}, url_name="hardship_file_list", summary="困难职工档案（本人可见范围）")
def file_list(request: HttpRequest, filters: Query[FileFilters]) -> Any:
    user = actor(request)
    qs = queries.files_of(user, policy.get_org_for_user(user, filters.org_id) if filters.org_id else None)
    if filters.status:
        qs = qs.filter(status=filters.status)
    rows, next_cursor = page(qs.order_by("id"), keys=("id",), limit=filters.limit, cursor=filters.cursor)
    return {"items": [file_out(f) for f in rows], "next_cursor": next_cursor}


@router.get(
    "/hardship/files/{file_id}",
    response={200: FileDetailOut, **READ},
    url_name="hardship_file_detail",
    summary="档案详情：家庭成员（脱敏）、测算、记录",
)
def file_detail(request: HttpRequest, file_id: Id) -> Any:
    return detail_out(queries.get_file_for_user(actor(request), file_id))


@router.post(
    "/hardship/files/{file_id}/transition",
    response={200: FileDetailOut, 409: ErrorOut, **WRITE},
    url_name="hardship_file_transition",
    summary="档案流转：提交（含比对）、初审、复核、公示、批准、退回、转正、调整、脱困、兜底、注销",
)
def file_transition(request: HttpRequest, file_id: Id, payload: TransitionIn) -> Any:
    user = actor(request)
    f = queries.get_file_for_user(user, file_id, action="operate")
    a = payload.action
    if a == "submit":
        services.file_submit(actor=user, file=f)
    elif a in ("prelim", "review"):
        getattr(services, f"file_{a}")(actor=user, file=f, note=payload.reason)
    elif a == "publicize":
        if payload.notice_from is None or payload.notice_to is None:
            raise ServiceError(_("请填写公示起止日期"), field="notice_from")
        services.file_publicize(actor=user, file=f, notice_from=payload.notice_from, notice_to=payload.notice_to)
    elif a == "objection":
        services.file_objection(actor=user, file=f, note=payload.reason)
    elif a in ("approve", "convert"):
        getattr(services, f"file_{a}")(actor=user, file=f)
    elif a == "adjust":
        services.file_adjust(actor=user, file=f, level=payload.level or f.level, reason=payload.reason)
    elif a == "cancel":
        services.file_cancel(actor=user, file=f, reason_code=payload.reason_code or "", note=payload.reason)
    else:  # return, lift, safety_net
        getattr(services, f"file_{a}")(actor=user, file=f, reason=payload.reason)
    return detail_out(queries.get_file_for_user(user, f.pk))


@router.get(
    "/hardship/conflicts", response={200: list[ConflictOut], **READ}, url_name="hardship_conflicts", summary="比对发现的重复建档（本方可见部分）"
)
def conflicts(request: HttpRequest) -> Any:
    user = actor(request)
    return [queries.conflict_view(user, c) for c in queries.conflicts_for(user)[:500]]
