"""Writes for alliances: members join and leave, council seats, the charter, rotation duty (轮值)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError
from gonghui.orgs.models import Org

from . import queries, rotation
from .models import (
    Alliance,
    AllianceMember,
    CouncilSeat,
    MemberBlackout,
    MemberStrength,
    RotationEvent,
    RotationPlan,
    RotationTurn,
    RotationTurnActivity,
    period_label,
)


def _clean_list(values: list[str] | str) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    return [v.strip() for v in values if v and v.strip()]


@transaction.atomic
def alliance_create(*, actor: Any, host_org: Org, name: str, founded_on: dt.date | None = None, description: str = "") -> Alliance:
    name = name.strip()
    if not name:
        raise ServiceError(_("联盟名称不能为空"), field="name")
    if Alliance.objects.filter(name=name).exists():
        raise ServiceError(_("已有同名联盟"), field="name")
    if not host_org.is_open:
        raise ServiceError(_("牵头工会已撤销"), field="host_org")
    a = Alliance.objects.create(name=name, host_org=host_org, founded_on=founded_on, description=description)
    audit.record(actor=actor, action="alliances.create", target=a)
    return a


@transaction.atomic
def alliance_set_charter(*, actor: Any, alliance: Alliance, purpose: str, mechanisms: Any, platforms: Any, brands: Any) -> Alliance:
    alliance.purpose = purpose.strip()
    alliance.mechanisms, alliance.platforms, alliance.brands = _clean_list(mechanisms), _clean_list(platforms), _clean_list(brands)
    if not alliance.purpose:
        raise ServiceError(_("请填写联盟宗旨"), field="purpose")
    alliance.save(update_fields=["purpose", "mechanisms", "platforms", "brands"])
    audit.record(actor=actor, action="alliances.charter", target=alliance, data={"form": alliance.charter_form})
    return alliance


@transaction.atomic
def alliance_member_join(
    *, actor: Any, alliance: Alliance, org: Org, joined_on: dt.date, is_founder: bool = False, strengths: str = ""
) -> AllianceMember:
    if not org.is_open:
        raise ServiceError(_("该工会已撤销，不能加入联盟"), field="org")
    if alliance.founded_on and joined_on < alliance.founded_on:
        raise ServiceError(_("加入日期不能早于联盟成立日期"), field="joined_on")
    try:
        with transaction.atomic():
            m = AllianceMember.objects.create(alliance=alliance, org=org, joined_on=joined_on, is_founder=is_founder, strengths=strengths.strip())
    except IntegrityError:
        raise ServiceError(_("该工会已是联盟成员"), field="org") from None
    audit.record(actor=actor, action="alliances.member_join", target=m, data={"org": org.pk})
    return m


@transaction.atomic
def alliance_member_leave(*, actor: Any, member: AllianceMember, left_on: dt.date) -> AllianceMember:
    m = AllianceMember.objects.select_for_update().get(pk=member.pk)
    if m.left_on is not None:
        raise ServiceError(_("该工会已退出联盟"), field="left_on")
    if left_on < m.joined_on:
        raise ServiceError(_("退出日期不能早于加入日期"), field="left_on")
    m.left_on = left_on
    m.save(update_fields=["left_on"])
    audit.record(actor=actor, action="alliances.member_leave", target=m, data={"org": m.org_id})
    return m


@transaction.atomic
def council_seat_add(
    *, actor: Any, alliance: Alliance, person: Any, role: str, term_start: dt.date, term_end: dt.date | None = None, member_org: Org | None = None
) -> CouncilSeat:
    if role not in CouncilSeat.Role.values:
        raise ServiceError(_("职务无效"), field="role")
    if term_end and term_end < term_start:
        raise ServiceError(_("任期结束不能早于任期开始"), field="term_end")
    if member_org is not None and not alliance.members.filter(org=member_org, left_on__isnull=True).exists():
        raise ServiceError(_("所在工会不是联盟的现有成员"), field="member_org")
    seat = CouncilSeat.objects.create(alliance=alliance, person=person, role=role, term_start=term_start, term_end=term_end, member_org=member_org)
    audit.record(actor=actor, action="alliances.seat_add", target=seat, data={"role": role, "person": person.pk})
    return seat


# Rotation duty (轮值). The rule is rotation.py; these services feed it the ledger and write the
# outcome. Each locks the alliance row first, so generations, swaps and skips of one alliance
# are serialized and every decision sees the ledger as the previous one left it.

MAX_PERIODS = 24


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写原因"), field="reason")
    return reason


def _lock(alliance_id: int) -> Alliance:
    return Alliance.objects.select_for_update().select_related("host_org").get(pk=alliance_id)


def _event(turn: RotationTurn, kind: str, actor: Any, *, from_host: Any = None, to_host: Any = None, reason: str = "") -> None:
    RotationEvent.objects.create(turn=turn, kind=kind, from_host=from_host, to_host=to_host, reason=reason, actor=_actor(actor), at=timezone.now())


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def rotation_generate(
    *, actor: Any, alliance: Alliance, start: dt.date, periods: int, period_kind: str, wanted_types: list[Any] | None = None
) -> RotationPlan:
    """Plan ``periods`` consecutive months or quarters from ``start``; the slots want the given
    activity types in turn (cycling). All or nothing: a period no member can host writes nothing."""
    if period_kind not in RotationPlan.MONTHS:
        raise ServiceError(_("轮值周期无效"), field="period_kind")
    if not 1 <= periods <= MAX_PERIODS:
        raise ServiceError(_("期数须在1到%(max)d之间") % {"max": MAX_PERIODS}, field="periods")
    if start.day != 1:
        raise ServiceError(_("开始日期须为某月1日"), field="start")
    if period_kind == RotationPlan.PeriodKind.QUARTER and start.month % 3 != 1:
        raise ServiceError(_("按季度轮值须从1、4、7、10月的1日开始"), field="start")
    alliance = _lock(alliance.pk)
    dates = rotation.periods(start, periods, RotationPlan.MONTHS[period_kind])
    clash = RotationTurn.objects.filter(alliance=alliance, starts_on__lte=dates[-1][1], ends_on__gte=start).order_by("starts_on").first()
    if clash is not None:
        raise ServiceError(_("所选期间与已有的轮值安排重叠（%(period)s），未生成任何安排") % {"period": clash.period_label}, field="start")
    units = queries.rotation_units(alliance)
    if not units:
        raise ServiceError(_("联盟没有现有成员工会，无法安排轮值"), field="start", code="no_eligible_host")
    types = list(wanted_types or [])
    slots = [rotation.Slot(a, b, types[i % len(types)].code if types else None) for i, (a, b) in enumerate(dates)]
    try:
        picks, _units = rotation.schedule(units, slots)
    except rotation.NoEligibleHost as e:
        raise ServiceError(
            _("%(period)s没有可轮值的成员工会（各成员在该期均有避开日期或尚未加入），未生成任何安排")
            % {"period": period_label(e.slot.starts_on, e.slot.ends_on)},
            field="start",
            code="no_eligible_host",
        ) from None
    plan = RotationPlan.objects.create(
        alliance=alliance, period_kind=period_kind, starts_on=start, ends_on=dates[-1][1], created_by=_actor(actor), created_at=timezone.now()
    )
    by_code = {t.code: t for t in types}
    for pick in picks:
        turn = RotationTurn.objects.create(
            plan=plan,
            alliance=alliance,
            starts_on=pick.slot.starts_on,
            ends_on=pick.slot.ends_on,
            wanted_type=by_code.get(pick.slot.wanted or ""),
            host_id=pick.key,
        )
        _event(turn, RotationEvent.Kind.GENERATED, actor, to_host=turn.host)
    audit.record(
        actor=actor,
        action="alliances.rotation_generate",
        target=plan,
        data={"period_kind": period_kind, "start": start.isoformat(), "periods": periods, "hosts": [p.key for p in picks]},
    )
    return plan


def _require_open(turn: RotationTurn, to: str, message: str, field: str | None = None) -> None:
    if to not in RotationTurn.ALLOWED[turn.status]:
        raise ServiceError(message, field=field, code="status")


def _require_free(member: AllianceMember, turn: RotationTurn, field: str) -> None:
    if member.left_on is not None:
        raise ServiceError(_("%(org)s已退出联盟，不能轮值") % {"org": member.org.name}, field=field)
    b = member.blackouts.filter(starts_on__lte=turn.ends_on, ends_on__gte=turn.starts_on).first()
    if b is not None:
        raise ServiceError(
            _("%(org)s在%(period)s有避开日期（%(reason)s），不能轮值") % {"org": member.org.name, "period": turn.period_label, "reason": b.reason},
            field=field,
        )


@transaction.atomic
def turn_swap(*, actor: Any, turn_a: RotationTurn, turn_b: RotationTurn, reason: str) -> tuple[RotationTurn, RotationTurn]:
    """Two open turns of one alliance exchange hosts; host counts do not change."""
    reason = _reason(reason)
    if turn_a.alliance_id != turn_b.alliance_id:
        raise ServiceError(_("只能调换同一联盟的轮值"), field="other")
    _lock(turn_a.alliance_id)
    rows = RotationTurn.objects.select_for_update().select_related("plan", "host__org").filter(pk__in=[turn_a.pk, turn_b.pk]).in_bulk()
    if len(rows) != 2:
        raise ServiceError(_("请选择另一期轮值"), field="other")
    a, b = rows[turn_a.pk], rows[turn_b.pk]
    for t in (a, b):
        _require_open(t, RotationTurn.Status.SWAPPED, _("%(period)s的轮值已完成或已跳过，不能调换") % {"period": t.period_label}, field="other")
    if a.host_id == b.host_id:
        raise ServiceError(_("两期的轮值单位相同，无需调换"), field="other")
    _require_free(b.host, a, "other")
    _require_free(a.host, b, "other")
    host_a, host_b = a.host, b.host
    for t, new in ((a, host_b), (b, host_a)):
        old = t.host
        t.host, t.status, t.reason = new, RotationTurn.Status.SWAPPED, reason
        t.save(update_fields=["host", "status", "reason"])
        _event(t, RotationEvent.Kind.SWAPPED, actor, from_host=old, to_host=new, reason=reason)
    audit.record(actor=actor, action="alliances.rotation_swap", target=a, data={"other": b.pk, "hosts": [a.host_id, b.host_id], "reason": reason})
    return a, b


@transaction.atomic
def turn_skip(*, actor: Any, turn: RotationTurn, reason: str, replace: bool = True) -> RotationTurn | None:
    """The host does not hold this period. Its turn stays on record as skipped and does not count
    in the ledger, so the unit stays due and comes first in the next plan. With ``replace`` the
    rule picks a stand-in for the same period among the other members (never one that already
    skipped this period); returns the stand-in's turn. No member can stand in: nothing changes."""
    reason = _reason(reason)
    _lock(turn.alliance_id)
    t = RotationTurn.objects.select_for_update().select_related("plan", "host__org").get(pk=turn.pk)
    _require_open(t, RotationTurn.Status.SKIPPED, _("%(period)s的轮值已完成或已跳过") % {"period": t.period_label}, field="reason")
    t.status, t.reason = RotationTurn.Status.SKIPPED, reason
    t.save(update_fields=["status", "reason"])
    _event(t, RotationEvent.Kind.SKIPPED, actor, from_host=t.host, reason=reason)
    stand_in = None
    if replace:
        skipped_here = set(
            RotationTurn.objects.filter(alliance_id=t.alliance_id, starts_on=t.starts_on, status=RotationTurn.Status.SKIPPED).values_list(
                "host", flat=True
            )
        )
        slot = rotation.Slot(t.starts_on, t.ends_on, t.wanted_type.code if t.wanted_type else None)
        pick = rotation.choose(queries.rotation_units(t.alliance, exclude=skipped_here), slot)
        if pick is None:
            raise ServiceError(
                _("%(period)s没有其他可接替的成员工会，未做任何更改") % {"period": t.period_label}, field="replace", code="no_eligible_host"
            )
        stand_in = RotationTurn.objects.create(
            plan=t.plan,
            alliance_id=t.alliance_id,
            starts_on=t.starts_on,
            ends_on=t.ends_on,
            wanted_type=t.wanted_type,
            host_id=pick.key,
            replaces=t,
            reason=reason,
        )
        _event(stand_in, RotationEvent.Kind.REPLACED, actor, from_host=t.host, to_host=stand_in.host, reason=reason)
    audit.record(actor=actor, action="alliances.rotation_skip", target=t, data={"reason": reason, "stand_in": stand_in.host_id if stand_in else None})
    return stand_in


@transaction.atomic
def turn_done(*, actor: Any, turn: RotationTurn) -> RotationTurn:
    _lock(turn.alliance_id)
    t = RotationTurn.objects.select_for_update().select_related("plan").get(pk=turn.pk)
    _require_open(t, RotationTurn.Status.DONE, _("%(period)s的轮值已完成或已跳过") % {"period": t.period_label})
    if timezone.localdate() < t.starts_on:
        raise ServiceError(_("%(period)s尚未开始，不能标记为已完成") % {"period": t.period_label}, code="status")
    t.status = RotationTurn.Status.DONE
    t.save(update_fields=["status"])
    _event(t, RotationEvent.Kind.DONE, actor, to_host=t.host)
    audit.record(actor=actor, action="alliances.rotation_done", target=t, data={"host": t.host_id})
    return t


@transaction.atomic
def turn_link_activity(*, actor: Any, turn: RotationTurn, activity: Any) -> RotationTurnActivity:
    """An activity held in the period: the alliance's own or its host union's, its sessions (if
    any are planned) inside the period, and in no other turn."""
    from gonghui.activities.models import Activity

    t = RotationTurn.objects.select_related("plan", "host__org").get(pk=turn.pk)
    if t.status == RotationTurn.Status.SKIPPED:
        raise ServiceError(_("已跳过的轮值不能关联活动"), field="activity")
    if activity.alliance_id != t.alliance_id and activity.organizer_id != t.host.org_id:
        raise ServiceError(_("只能关联本联盟的活动或轮值单位主办的活动"), field="activity")
    if activity.status == Activity.Status.CANCELLED:
        raise ServiceError(_("已取消的活动不能关联"), field="activity")
    days = [timezone.localtime(s).date() for s in activity.sessions.filter(is_cancelled=False).values_list("starts_at", flat=True)]
    if days and not any(t.starts_on <= d <= t.ends_on for d in days):
        raise ServiceError(_("活动的场次不在%(period)s内") % {"period": t.period_label}, field="activity")
    try:
        with transaction.atomic():
            link = RotationTurnActivity.objects.create(turn=t, activity=activity, linked_by=_actor(actor), linked_at=timezone.now())
    except IntegrityError:
        raise ServiceError(_("该活动已关联到某一期轮值"), field="activity") from None
    _event(t, RotationEvent.Kind.LINKED, actor, to_host=t.host, reason=activity.title[:200])
    audit.record(actor=actor, action="alliances.rotation_link", target=t, data={"activity": activity.pk})
    return link


@transaction.atomic
def member_strengths_set(*, actor: Any, member: AllianceMember, activity_types: list[Any]) -> AllianceMember:
    """The member's declared strengths become exactly ``activity_types``."""
    m = AllianceMember.objects.select_for_update().get(pk=member.pk)
    if m.left_on is not None:
        raise ServiceError(_("该工会已退出联盟"), field="activity_types")
    wanted = {t.pk for t in activity_types}
    MemberStrength.objects.filter(member=m).exclude(activity_type_id__in=wanted).delete()
    have = set(MemberStrength.objects.filter(member=m).values_list("activity_type_id", flat=True))
    MemberStrength.objects.bulk_create([MemberStrength(member=m, activity_type_id=pk) for pk in sorted(wanted - have)])
    audit.record(actor=actor, action="alliances.member_strengths", target=m, data={"types": sorted(t.code for t in activity_types)})
    return m


@transaction.atomic
def member_blackout_add(*, actor: Any, member: AllianceMember, starts_on: dt.date, ends_on: dt.date, reason: str) -> MemberBlackout:
    reason = _reason(reason)
    if ends_on < starts_on:
        raise ServiceError(_("结束日期不能早于开始日期"), field="ends_on")
    if member.left_on is not None:
        raise ServiceError(_("该工会已退出联盟"), field="starts_on")
    b = MemberBlackout.objects.create(member=member, starts_on=starts_on, ends_on=ends_on, reason=reason)
    audit.record(
        actor=actor,
        action="alliances.blackout_add",
        target=b,
        data={"member": member.pk, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return b


@transaction.atomic
def member_blackout_delete(*, actor: Any, blackout: MemberBlackout) -> None:
    audit.record(
        actor=actor,
        action="alliances.blackout_delete",
        target=blackout,
        data={"member": blackout.member_id, "starts_on": blackout.starts_on.isoformat(), "ends_on": blackout.ends_on.isoformat()},
    )
    blackout.delete()
