"""Writes for alliances: members join and leave, council seats, the charter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError
from gonghui.orgs.models import Org

from .models import Alliance, AllianceMember, CouncilSeat


def _clean_list(values: list[str] | str) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    return [v.strip() for v in values if v and v.strip()]


@transaction.atomic
def alliance_create(*, actor: Any, host_org: Org, name: str, founded_on: dt.date | None = None, description: str = "") -> Alliance:
    name = name.strip()
    if not name:
        raise ServiceError("联盟名称不能为空", field="name")
    if Alliance.objects.filter(name=name).exists():
        raise ServiceError("已有同名联盟", field="name")
    if not host_org.is_open:
        raise ServiceError("牵头工会已撤销", field="host_org")
    a = Alliance.objects.create(name=name, host_org=host_org, founded_on=founded_on, description=description)
    audit.record(actor=actor, action="alliances.create", target=a)
    return a


@transaction.atomic
def alliance_set_charter(*, actor: Any, alliance: Alliance, purpose: str, mechanisms: Any, platforms: Any, brands: Any) -> Alliance:
    alliance.purpose = purpose.strip()
    alliance.mechanisms, alliance.platforms, alliance.brands = _clean_list(mechanisms), _clean_list(platforms), _clean_list(brands)
    if not alliance.purpose:
        raise ServiceError("请填写联盟宗旨", field="purpose")
    alliance.save(update_fields=["purpose", "mechanisms", "platforms", "brands"])
    audit.record(actor=actor, action="alliances.charter", target=alliance, data={"form": alliance.charter_form})
    return alliance


@transaction.atomic
def alliance_member_join(
    *, actor: Any, alliance: Alliance, org: Org, joined_on: dt.date, is_founder: bool = False, strengths: str = ""
) -> AllianceMember:
    if not org.is_open:
        raise ServiceError("该工会已撤销，不能加入联盟", field="org")
    if alliance.founded_on and joined_on < alliance.founded_on:
        raise ServiceError("加入日期不能早于联盟成立日期", field="joined_on")
    try:
        with transaction.atomic():
            m = AllianceMember.objects.create(alliance=alliance, org=org, joined_on=joined_on, is_founder=is_founder, strengths=strengths.strip())
    except IntegrityError:
        raise ServiceError("该工会已是联盟成员", field="org") from None
    audit.record(actor=actor, action="alliances.member_join", target=m, data={"org": org.pk})
    return m


@transaction.atomic
def alliance_member_leave(*, actor: Any, member: AllianceMember, left_on: dt.date) -> AllianceMember:
    m = AllianceMember.objects.select_for_update().get(pk=member.pk)
    if m.left_on is not None:
        raise ServiceError("该工会已退出联盟", field="left_on")
    if left_on < m.joined_on:
        raise ServiceError("退出日期不能早于加入日期", field="left_on")
    m.left_on = left_on
    m.save(update_fields=["left_on"])
    audit.record(actor=actor, action="alliances.member_leave", target=m, data={"org": m.org_id})
    return m


@transaction.atomic
def council_seat_add(
    *, actor: Any, alliance: Alliance, person: Any, role: str, term_start: dt.date, term_end: dt.date | None = None, member_org: Org | None = None
) -> CouncilSeat:
    if role not in CouncilSeat.Role.values:
        raise ServiceError("职务无效", field="role")
    if term_end and term_end < term_start:
        raise ServiceError("任期结束不能早于任期开始", field="term_end")
    if member_org is not None and not alliance.members.filter(org=member_org, left_on__isnull=True).exists():
        raise ServiceError("所在工会不是联盟的现有成员", field="member_org")
    seat = CouncilSeat.objects.create(alliance=alliance, person=person, role=role, term_start=term_start, term_end=term_end, member_org=member_org)
    audit.record(actor=actor, action="alliances.seat_add", target=seat, data={"role": role, "person": person.pk})
    return seat
