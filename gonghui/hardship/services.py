"""Writes of the hardship module: 低保 standards, files and their workflow, contacts, visits,
annual reviews and aid applications. Callers authorize first (views through
``queries.get_file_for_user``); the rules that depend on *who* acts (the 复核 and 公示 steps belong to
a 帮扶中心 at county level or above; the contact must be a cadre covering the file) live here.
Each transition writes a ``FileEvent`` and an audit row in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from gonghui.audit import services as audit
from gonghui.lib import crypto, idcard
from gonghui.lib.errors import ServiceError
from gonghui.lib.money import InvalidAmount, parse_yuan, yuan
from gonghui.orgs import policy
from gonghui.orgs.models import Org
from gonghui.people.models import Person

from . import category as cat
from . import dedupe, queries
from .models import (
    AnnualReview,
    Area,
    CancelReason,
    Cause,
    ContactAssignment,
    DedupeConflict,
    FileEvent,
    FileLevel,
    HardshipFile,
    HouseholdClaim,
    HouseholdMember,
    SubsistenceStandard,
    Visit,
)

S = HardshipFile.Status
NOTICE_MIN_DAYS = 5  # 公示 lasts at least five days, first and last included
MAX_MEMBERS = 20
CENTER_LEVELS = (Org.Level.NATIONAL, Org.Level.PROVINCE, Org.Level.PREFECTURE, Org.Level.COUNTY)
# The refusal of a transition the file's state does not allow, by action.
WRONG_STATE = {
    "submit": gettext_lazy("档案当前状态为“%(status)s”，不能提交"),
    "prelim": gettext_lazy("档案当前状态为“%(status)s”，不能初审"),
    "visit": gettext_lazy("档案当前状态为“%(status)s”，不能登记入户调查"),
    "review": gettext_lazy("档案当前状态为“%(status)s”，不能复核"),
    "publicize": gettext_lazy("档案当前状态为“%(status)s”，不能公示"),
    "approve": gettext_lazy("档案当前状态为“%(status)s”，不能批准建档"),
    "return": gettext_lazy("档案当前状态为“%(status)s”，不能退回"),
    "convert": gettext_lazy("档案当前状态为“%(status)s”，不能转正"),
    "lift": gettext_lazy("档案当前状态为“%(status)s”，不能脱困"),
    "safety_net": gettext_lazy("档案当前状态为“%(status)s”，不能转兜底保障"),
    "cancel": gettext_lazy("档案当前状态为“%(status)s”，不能注销"),
    "relapse": gettext_lazy("档案当前状态为“%(status)s”，不能返困重新申请"),
}


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


# ---- 低保 standards ---------------------------------------------------------------------------


@transaction.atomic
def standard_set(*, actor: Any, region_code: str, year: int, area: str, monthly: Any) -> SubsistenceStandard:
    """Record a region's monthly 低保 per person. A later correction is a new value, audited with the old."""
    region_code = (region_code or "").strip()
    if not (len(region_code) == 6 and region_code.isdigit()):
        raise ServiceError(gettext("行政区划代码应为6位数字"), field="region_code")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError(gettext("年度应在2000到2100之间"), field="year")
    if area not in Area.values:
        raise ServiceError(gettext("请选择城市或农村"), field="area")
    try:
        fen = parse_yuan(monthly)
    except InvalidAmount as e:
        raise ServiceError(gettext("低保月标准：%(error)s") % {"error": e}, field="monthly") from None
    row = SubsistenceStandard.objects.select_for_update().filter(region_code=region_code, year=year, area=area).first()
    old = row.monthly_fen if row else None
    if row is None:
        row = SubsistenceStandard.objects.create(region_code=region_code, year=year, area=area, monthly_fen=fen, created_by=actor, created_at=_now())
    elif row.monthly_fen != fen:
        SubsistenceStandard.objects.filter(pk=row.pk).update(monthly_fen=fen)
        row.monthly_fen = fen
    audit.record(
        actor=actor, action="hardship.standard_set", target=row, data={"region_code": region_code, "year": year, "area": area, "old": old, "new": fen}
    )
    return row


def standard_for(*, region_code: str, year: int, area: str) -> SubsistenceStandard:
    """The file region's standard, else its city's (xxxx00), else its province's (xx0000)."""
    candidates = [region_code, region_code[:4] + "00", region_code[:2] + "0000"]
    rows = {s.region_code: s for s in SubsistenceStandard.objects.filter(region_code__in=candidates, year=year, area=area)}
    for code in candidates:
        if code in rows:
            return rows[code]
    raise ServiceError(
        gettext("没有%(region)s（或其所属市、省）%(year)s年%(area)s低保标准，请先在“低保标准”中录入")
        % {"region": region_code, "year": year, "area": Area(area).label},
        field="region_code",
        code="no_standard",
    )


def assessment(file: HardshipFile, *, year: int | None = None, extra_income_fen: int = 0) -> cat.Assessment:
    """The file's category by the formula; ``extra_income_fen`` counts this year's aid as income."""
    members = list(file.members.all())
    if not members:
        raise ServiceError(gettext("档案中没有家庭成员"), field="members")
    return _assess(file, members, year=year or _today().year, extra_income_fen=extra_income_fen)


def _assess(file: HardshipFile, members: Sequence[HouseholdMember], *, year: int, extra_income_fen: int = 0) -> cat.Assessment:
    standard = standard_for(region_code=file.region_code, year=year, area=file.area)
    return cat.assess(
        income_fen=sum(m.income_fen for m in members) + extra_income_fen,
        hardship_expense_fen=file.hardship_expense_fen,
        job_cost_fen=file.job_cost_fen,
        people=len(members),
        standard_fen=standard.monthly_fen,
        accident=bool(file.accident_event.strip()),
    )


def assessment_preview(*, org: Org, holder: Person, data: dict[str, Any], members: Sequence[MemberInput]) -> cat.Assessment:
    """The arithmetic of a file not yet saved (the edit page's 测算): the same checks as
    ``file_create``, then this year's standard; nothing is written."""
    draft = HardshipFile(org=org, holder=holder, **_file_fields(org, data))
    return _assess(draft, _members(holder, members), year=_today().year)


# ---- the file's content ------------------------------------------------------------------------

FILE_AMOUNTS = {
    "medical_expense": gettext_lazy("医疗支出"),
    "education_expense": gettext_lazy("教育支出"),
    "other_expense": gettext_lazy("其他因困支出"),
    "job_cost": gettext_lazy("必要就业成本"),
}
MEMBER_AMOUNTS = {
    "wage": gettext_lazy("工资收入"),
    "pension": gettext_lazy("养老金"),
    "relief": gettext_lazy("低保及救助"),
    "other_income": gettext_lazy("其他收入"),
}


@dataclass(frozen=True)
class MemberInput:
    relation: str
    name: str
    id_number: str
    work_status: str
    health: str = HouseholdMember.Health.HEALTHY
    disability_type: str = ""
    disability_grade: int | None = None
    wage: Any = "0"
    pension: Any = "0"
    relief: Any = "0"
    other_income: Any = "0"


def _amount(raw: Any, field: str, label: str) -> int:
    try:
        return parse_yuan(raw if raw not in (None, "") else "0", allow_zero=True)
    except InvalidAmount as e:
        raise ServiceError(gettext("%(label)s：%(error)s") % {"label": label, "error": e}, field=field) from None


def _file_fields(org: Org, data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    cause = data.get("cause_main") or ""
    if cause not in Cause.values:
        raise ServiceError(gettext("请选择主要致困原因"), field="cause_main")
    out["cause_main"] = cause
    secondary = data.get("cause_secondary") or ""
    if secondary and secondary not in Cause.values:
        raise ServiceError(gettext("次要致困原因无效"), field="cause_secondary")
    if secondary and secondary == cause:
        raise ServiceError(gettext("次要致困原因不能与主要原因相同"), field="cause_secondary")
    out["cause_secondary"] = secondary
    kind = data.get("kind") or HardshipFile.Kind.FORMAL
    if kind not in HardshipFile.Kind.values:
        raise ServiceError(gettext("档案类型无效"), field="kind")
    out["kind"] = kind
    level = data.get("level") or FileLevel.GRASSROOTS
    if level not in FileLevel.values:
        raise ServiceError(gettext("建档标准无效"), field="level")
    out["level"] = level
    area = data.get("area") or Area.URBAN
    if area not in Area.values:
        raise ServiceError(gettext("请选择城市或农村"), field="area")
    out["area"] = area
    region = (data.get("region_code") or org.region_code or "").strip()
    if not (len(region) == 6 and region.isdigit()):
        raise ServiceError(gettext("行政区划代码应为6位数字"), field="region_code")
    out["region_code"] = region
    out["is_migrant_worker"] = bool(data.get("is_migrant_worker"))
    out["accident_event"] = (data.get("accident_event") or "").strip()[:200]
    for key, label in FILE_AMOUNTS.items():
        out[f"{key}_fen"] = _amount(data.get(key), key, label)
    out["housing_type"] = (data.get("housing_type") or "").strip()[:16]
    out["housing_area"] = (data.get("housing_area") or "").strip()[:8]
    bank = "".join((data.get("bank_account") or "").split())
    if bank and not (bank.isdigit() and 8 <= len(bank) <= 30):
        raise ServiceError(gettext("银行账号应为8到30位数字"), field="bank_account")
    out["bank_cipher"] = crypto.encrypt(bank, aad=b"hardship.bank") if bank else ""
    out["bank_tail"] = bank[-4:]
    return out


def _members(holder: Person, members: Sequence[MemberInput]) -> list[HouseholdMember]:
    if len(members) > MAX_MEMBERS:
        raise ServiceError(gettext("家庭成员不能超过%(n)d人") % {"n": MAX_MEMBERS}, field="members")
    rows: list[HouseholdMember] = []
    seen: dict[str, int] = {}
    holder_number = holder.id_number()
    for i, m in enumerate(members, start=1):
        where = gettext("第%(n)s位家庭成员") % {"n": i}
        if m.relation not in HouseholdMember.Relation.values:
            raise ServiceError(gettext("%(where)s：与户主关系无效") % {"where": where}, field=f"members.{i}.relation")
        name = (m.name or "").strip()
        if not name or len(name) > 50:
            raise ServiceError(gettext("%(where)s：姓名应填写，且不超过50个字") % {"where": where}, field=f"members.{i}.name")
        try:
            info = idcard.parse(m.id_number or "")
        except idcard.InvalidIdNumber as e:
            raise ServiceError(
                gettext("%(where)s（%(name)s）：%(error)s") % {"where": where, "name": name, "error": e}, field=f"members.{i}.id_number"
            ) from None
        if info.number in seen:
            raise ServiceError(
                gettext("%(where)s（%(name)s）的身份证号与第%(other)d位重复") % {"where": where, "name": name, "other": seen[info.number]},
                field=f"members.{i}.id_number",
            )
        seen[info.number] = i
        if (m.relation == HouseholdMember.Relation.SELF) != (info.number == holder_number):
            raise ServiceError(
                gettext("%(where)s（%(name)s）：“本人”应是户主本人，且只能有一位") % {"where": where, "name": name}, field=f"members.{i}.relation"
            )
        if m.work_status not in HouseholdMember.WorkStatus.values:
            raise ServiceError(gettext("%(where)s（%(name)s）：请选择工作状态") % {"where": where, "name": name}, field=f"members.{i}.work_status")
        if m.health not in HouseholdMember.Health.values:
            raise ServiceError(gettext("%(where)s（%(name)s）：健康状况无效") % {"where": where, "name": name}, field=f"members.{i}.health")
        grade = m.disability_grade
        if m.health == HouseholdMember.Health.DISABLED:
            if not (m.disability_type or "").strip() or grade not in (1, 2, 3, 4):
                raise ServiceError(
                    gettext("%(where)s（%(name)s）：残疾成员须填写残疾类别和等级（1-4级）") % {"where": where, "name": name},
                    field=f"members.{i}.disability_grade",
                )
        else:
            grade = None
        amounts = {
            f"{k}_fen": _amount(
                getattr(m, k), f"members.{i}.{k}", gettext("%(where)s（%(name)s）%(label)s") % {"where": where, "name": name, "label": label}
            )
            for k, label in MEMBER_AMOUNTS.items()
        }
        rows.append(
            HouseholdMember(
                relation=m.relation,
                name=name,
                id_cipher=crypto.encrypt(info.number, aad=b"hardship.member.id"),
                id_bidx=dedupe.bidx(info.number),
                id_tail=info.number[-4:],
                birth_year=info.birth_date.year,
                health=m.health,
                disability_type=(m.disability_type or "").strip()[:16] if grade else "",
                disability_grade=grade,
                work_status=m.work_status,
                sort=i,
                **amounts,
            )
        )
    if holder_number not in seen:
        raise ServiceError(gettext("家庭成员中应包括户主本人（关系为“本人”）"), field="members")
    return rows


def _replace_members(file: HardshipFile, rows: list[HouseholdMember]) -> None:
    file.members.all().delete()
    for r in rows:
        r.file = file
    HouseholdMember.objects.bulk_create(rows)


@transaction.atomic
def file_create(*, actor: Any, org: Org, holder: Person, data: dict[str, Any], members: Sequence[MemberInput]) -> HardshipFile:
    """A draft file of ``holder``'s household at ``org`` (the employer's union or the 街道/社区 union)."""
    if not org.is_open:
        raise ServiceError(gettext("该工会已撤销，不能建档"), field="org")
    if not holder.org_path.startswith(org.path):
        raise ServiceError(gettext("%(holder)s不属于%(org)s，应由其所在工会建档") % {"holder": holder.name, "org": org.name}, field="holder")
    fields = _file_fields(org, data)
    rows = _members(holder, members)
    now = _now()
    file = HardshipFile.objects.create(org=org, org_path=org.path, holder=holder, created_by=actor, created_at=now, changed_at=now, **fields)
    _replace_members(file, rows)
    _event(file, action="create", from_status="", actor=actor)
    audit.record(actor=actor, action="hardship.file_create", target=file, data={"members": len(rows)})
    return file


@transaction.atomic
def file_update(*, actor: Any, file: HardshipFile, data: dict[str, Any], members: Sequence[MemberInput]) -> HardshipFile:
    file = _lock(file)
    if file.status not in HardshipFile.EDITABLE:
        raise ServiceError(
            gettext("档案当前状态为“%(status)s”，不能修改；在档档案请使用“调整”") % {"status": file.get_status_display()},
            field="status",
            code="wrong_state",
        )
    fields = _file_fields(file.org, data)
    rows = _members(file.holder, members)
    for k, v in fields.items():
        setattr(file, k, v)
    file.changed_at = _now()
    file.save(update_fields=[*fields, "changed_at"])
    _replace_members(file, rows)
    audit.record(actor=actor, action="hardship.file_update", target=file, data={"members": len(rows)})
    return file


# ---- the workflow ------------------------------------------------------------------------------


def _lock(file: HardshipFile) -> HardshipFile:
    return HardshipFile.objects.select_for_update().select_related("org", "holder").get(pk=file.pk)


def _event(file: HardshipFile, *, action: str, from_status: str, actor: Any, reason: str = "", data: dict[str, Any] | None = None) -> FileEvent:
    return FileEvent.objects.create(
        file=file,
        action=action,
        from_status=from_status,
        to_status=file.status,
        actor=actor if getattr(actor, "pk", None) else None,
        at=_now(),
        org_id_at=file.org_id,
        org_path_at=file.org_path,
        reason=reason[:200],
        data=data or {},
    )


def _move(
    file: HardshipFile, to: str, *, actor: Any, action: str, reason: str = "", data: dict[str, Any] | None = None, fields: Sequence[str] = ()
) -> None:
    src = file.status
    if to not in HardshipFile.ALLOWED[src]:
        status = S(src).label
        if action in WRONG_STATE:
            message = WRONG_STATE[action] % {"status": status}
        else:  # an action without wording of its own
            message = gettext("档案当前状态为“%(status)s”，不能%(action)s") % {"status": status, "action": action}
        raise ServiceError(message, field="status", code="wrong_state")
    file.status = to
    file.changed_at = _now()
    file.save(update_fields=["status", "changed_at", *fields])
    _event(file, action=action, from_status=src, actor=actor, reason=reason, data=data)
    audit.record(actor=actor, action=f"hardship.file_{action}", target=file, data={"from": src, "to": to, **(data or {})})


def acts_as_center(actor: Any, file: HardshipFile) -> bool:
    """Whether ``actor`` may act as the file's 帮扶中心: operate on a union at county level or above over it."""
    return any(
        g.org_id
        and g.org.is_open
        and g.org.level in CENTER_LEVELS
        and file.org_path.startswith(g.org.path)
        and "operate" in policy.ROLE_ACTIONS[g.role]
        for g in policy.active_grants(actor)
    )


def _require_center(actor: Any, file: HardshipFile, step: str) -> None:
    """复核、公示 and 建档 are decided by a 帮扶中心: a union at county level or above over the file."""
    if actor is None:
        return
    if not acts_as_center(actor, file):
        raise ServiceError(gettext("%(step)s须由县级及以上工会（帮扶中心）办理") % {"step": step}, field="actor", code="forbidden")


def _need_reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(gettext("请填写%(what)s") % {"what": what}, field="reason")
    if len(reason) > 200:
        raise ServiceError(gettext("%(what)s不能超过200个字") % {"what": what}, field="reason")
    return reason


class DedupeRefused(ServiceError):
    def __init__(self, conflicts: list[DedupeConflict]) -> None:
        names = "；".join(dict.fromkeys(dedupe.conflict_line(c) for c in conflicts))
        super().__init__(
            gettext("比对发现重复建档，暂不能提交：%(conflicts)s。请与对方工会协调后再提交") % {"conflicts": names},
            field="members",
            code="dedupe_conflict",
        )
        self.conflicts = conflicts


def file_submit(*, actor: Any, file: HardshipFile) -> HardshipFile:
    """Submit (or, from 已脱困, re-open on 返困). The household is compared across the federation
    first; a conflict is recorded (visible to both unions) in its own transaction and refuses."""
    conflicts = dedupe.raise_conflicts(actor=actor, file=file)
    if conflicts:
        raise DedupeRefused(conflicts)
    try:
        return _submit(actor=actor, file=file)
    except IntegrityError:  # another file claimed a number between the check and the claim
        conflicts = dedupe.raise_conflicts(actor=actor, file=file)
        raise DedupeRefused(conflicts) from None


@transaction.atomic
def _submit(*, actor: Any, file: HardshipFile) -> HardshipFile:
    file = _lock(file)
    relapse = file.status == S.LIFTED
    if file.status not in (*HardshipFile.EDITABLE, S.LIFTED):
        raise ServiceError(WRONG_STATE["submit"] % {"status": file.get_status_display()}, field="status", code="wrong_state")
    if not file.cause_main:
        raise ServiceError(gettext("请选择主要致困原因"), field="cause_main")
    result = assessment(file)
    if not result.category:
        raise ServiceError(
            gettext("按收入测算不符合建档条件：%(lines)s") % {"lines": "；".join(result.lines[:2])}, field="members", code="not_eligible"
        )
    file.category = result.category
    if not relapse:
        with transaction.atomic():
            HouseholdClaim.objects.bulk_create([HouseholdClaim(id_bidx=m.id_bidx, file=file, claimed_at=_now()) for m in file.members.all()])
    _move(file, S.SUBMITTED, actor=actor, action="relapse" if relapse else "submit", data={"category": result.category}, fields=["category"])
    return file


@transaction.atomic
def file_prelim(*, actor: Any, file: HardshipFile, note: str = "") -> HardshipFile:
    file = _lock(file)
    _move(file, S.PRELIM_OK, actor=actor, action="prelim", reason=note.strip())
    return file


@transaction.atomic
def file_visit(
    *, actor: Any, file: HardshipFile, visited_on: dt.date, channel: str, cause_note: str, needs_note: str, measures_note: str,
    application_signed: bool, consent_signed: bool,
) -> HardshipFile:  # fmt: skip
    """入户调查: a home visit is recorded, and both forms must have been signed in person."""
    file = _lock(file)
    if file.status != S.PRELIM_OK:
        _move(file, S.VISITED, actor=actor, action="visit")  # raises the wrong-state refusal
    if channel != Visit.Channel.HOME:
        raise ServiceError(gettext("入户调查须登门走访"), field="channel")
    if not (application_signed and consent_signed):
        raise ServiceError(gettext("入户调查时职工须当面签署《困难职工帮扶申请书》和《家庭经济状况核对授权委托书》"), field="consent_signed")
    visit = _visit(
        file=file, actor=actor, visited_on=visited_on, channel=channel, cause_note=cause_note, needs_note=needs_note, measures_note=measures_note
    )
    file.application_signed = file.consent_signed = True
    _move(file, S.VISITED, actor=actor, action="visit", data={"visit": visit.pk}, fields=["application_signed", "consent_signed"])
    return file


@transaction.atomic
def file_review(*, actor: Any, file: HardshipFile, note: str = "") -> HardshipFile:
    """复核 by the 帮扶中心, after the 民政 finance check (done offline) came back clean."""
    file = _lock(file)
    _require_center(actor, file, gettext("复核"))
    if file.status == S.VISITED:
        result = assessment(file)
        if not result.category:
            raise ServiceError(
                gettext("复核测算不符合建档条件，请退回：%(lines)s") % {"lines": "；".join(result.lines[:2])}, field="members", code="not_eligible"
            )
        file.category = result.category
    _move(file, S.REVIEWED, actor=actor, action="review", reason=note.strip(), data={"category": file.category}, fields=["category"])
    return file


@transaction.atomic
def file_publicize(*, actor: Any, file: HardshipFile, notice_from: dt.date, notice_to: dt.date) -> HardshipFile:
    file = _lock(file)
    _require_center(actor, file, gettext("公示"))
    if not isinstance(notice_from, dt.date) or not isinstance(notice_to, dt.date):
        raise ServiceError(gettext("请填写公示起止日期"), field="notice_from")
    if (notice_to - notice_from).days + 1 < NOTICE_MIN_DAYS:
        raise ServiceError(gettext("公示期不少于%(n)d天") % {"n": NOTICE_MIN_DAYS}, field="notice_to")
    if notice_from < _today() - dt.timedelta(days=1):
        raise ServiceError(gettext("公示开始日期不能早于今天"), field="notice_from")
    file.notice_from, file.notice_to = notice_from, notice_to
    _move(
        file,
        S.PUBLICIZED,
        actor=actor,
        action="publicize",
        data={"from": notice_from.isoformat(), "to": notice_to.isoformat()},
        fields=["notice_from", "notice_to"],
    )
    return file


@transaction.atomic
def file_objection(*, actor: Any, file: HardshipFile, note: str) -> FileEvent:
    """An objection raised during the notice period; the center then approves or returns the file."""
    file = _lock(file)
    if file.status != S.PUBLICIZED:
        raise ServiceError(gettext("只有公示中的档案可以登记异议"), field="status", code="wrong_state")
    ev = _event(file, action="objection", from_status=file.status, actor=actor, reason=_need_reason(note, gettext("异议内容")))
    audit.record(actor=actor, action="hardship.file_objection", target=file, data={"event": ev.pk})
    return ev


@transaction.atomic
def file_approve(*, actor: Any, file: HardshipFile) -> HardshipFile:
    """公示期满无异议（或异议已核实）: the file goes on record — 在档, or 临时救助 for a temporary file."""
    file = _lock(file)
    _require_center(actor, file, gettext("批准建档"))
    if file.status == S.PUBLICIZED and file.notice_to and _today() <= file.notice_to:
        end = file.notice_to
        raise ServiceError(
            gettext("公示期至%(year)s年%(month)s月%(day)s日，期满后才能批准建档") % {"year": f"{end:%Y}", "month": f"{end:%m}", "day": f"{end:%d}"},
            field="status",
            code="notice_open",
        )
    to = S.TEMP_ACTIVE if file.kind == HardshipFile.Kind.TEMPORARY else S.ACTIVE
    file.filed_on = _today()
    _move(file, to, actor=actor, action="approve", data={"category": file.category, "level": file.level}, fields=["filed_on"])
    return file


@transaction.atomic
def file_return(*, actor: Any, file: HardshipFile, reason: str) -> HardshipFile:
    """Any review step sends the file back to the union that built it, with reasons."""
    file = _lock(file)
    reason = _need_reason(reason, gettext("退回原因"))
    if file.status in (S.REVIEWED, S.PUBLICIZED):
        _require_center(actor, file, gettext("退回"))
    _move(file, S.RETURNED, actor=actor, action="return", reason=reason)
    HouseholdClaim.objects.filter(file=file).delete()
    return file


@transaction.atomic
def file_convert(*, actor: Any, file: HardshipFile) -> HardshipFile:
    """临时档案转正."""
    file = _lock(file)
    _require_center(actor, file, gettext("临时档案转正"))
    file.kind = HardshipFile.Kind.FORMAL
    _move(file, S.ACTIVE, actor=actor, action="convert", fields=["kind"])
    return file


@transaction.atomic
def file_adjust(*, actor: Any, file: HardshipFile, level: str, reason: str) -> HardshipFile:
    """应调则调: the category is re-computed from today's figures and the level may change; logged."""
    file = _lock(file)
    if file.status not in HardshipFile.ON_FILE:
        raise ServiceError(
            gettext("档案当前状态为“%(status)s”，不能调整") % {"status": file.get_status_display()}, field="status", code="wrong_state"
        )
    reason = _need_reason(reason, gettext("调整原因"))
    if level not in FileLevel.values:
        raise ServiceError(gettext("建档标准无效"), field="level")
    result = assessment(file)
    if not result.category:
        raise ServiceError(gettext("按现有收入测算已不符合建档条件，请办理脱困或注销"), field="members", code="not_eligible")
    change = {"from_category": file.category, "to_category": result.category, "from_level": file.level, "to_level": level}
    file.category, file.level, file.changed_at = result.category, level, _now()
    file.save(update_fields=["category", "level", "changed_at"])
    _event(file, action="adjust", from_status=file.status, actor=actor, reason=reason, data=change)
    audit.record(actor=actor, action="hardship.file_adjust", target=file, data=change)
    return file


@transaction.atomic
def file_lift(*, actor: Any, file: HardshipFile, reason: str) -> HardshipFile:
    """脱困: the file moves to the 脱困档案库 and stays under follow-up (返困 re-opens it)."""
    file = _lock(file)
    _move(file, S.LIFTED, actor=actor, action="lift", reason=_need_reason(reason, gettext("脱困说明")))
    return file


@transaction.atomic
def file_safety_net(*, actor: Any, file: HardshipFile, reason: str) -> HardshipFile:
    """兜底: government safety-net cover plus regular union help."""
    file = _lock(file)
    _move(file, S.SAFETY_NET, actor=actor, action="safety_net", reason=_need_reason(reason, gettext("兜底说明")))
    return file


@transaction.atomic
def file_cancel(*, actor: Any, file: HardshipFile, reason_code: str, note: str = "") -> HardshipFile:
    """注销 with a reason code; the household's numbers are released and the contact ends."""
    file = _lock(file)
    if reason_code not in CancelReason.values:
        raise ServiceError(gettext("请选择注销原因"), field="reason_code")
    if reason_code == CancelReason.OTHER:
        note = _need_reason(note, gettext("注销说明"))
    file.cancel_reason, file.closed_on = reason_code, _today()
    _move(file, S.CANCELLED, actor=actor, action="cancel", reason=note.strip(), data={"reason": reason_code}, fields=["cancel_reason", "closed_on"])
    HouseholdClaim.objects.filter(file=file).delete()
    ContactAssignment.objects.filter(file=file, ended_at__isnull=True).update(ended_at=_now())
    return file


def member_reveal(*, actor: Any, member: HouseholdMember) -> str:
    """A household member's full ID number; the caller has checked ``reveal`` on the file's union."""
    audit.record(actor=actor, action="hardship.member_reveal", target=member.file, data={"member": member.pk})
    return member.id_number()


# ---- 帮扶联系人 and visits ---------------------------------------------------------------------


@transaction.atomic
def contact_assign(*, actor: Any, file: HardshipFile, cadre: Any) -> ContactAssignment:
    """Name the file's contact: a cadre with a real name whose grant covers the file's union."""
    file = _lock(file)
    if file.status in (S.CANCELLED,):
        raise ServiceError(gettext("已注销的档案不能指定帮扶联系人"), field="status", code="wrong_state")
    if cadre is None or not getattr(cadre, "is_active", False):
        raise ServiceError(gettext("请选择帮扶联系人"), field="cadre")
    if not (cadre.display_name or "").strip():
        raise ServiceError(gettext("帮扶联系人须实名登记：请先为账号%(username)s填写姓名") % {"username": cadre.username}, field="cadre")
    if not policy.user_can(cadre, "operate", file.org):
        raise ServiceError(
            gettext("%(cadre)s不是%(org)s或其上级工会的干部，不能担任帮扶联系人") % {"cadre": cadre.display_name, "org": file.org.name}, field="cadre"
        )
    current = ContactAssignment.objects.filter(file=file, ended_at__isnull=True).first()
    if current and current.cadre_id == cadre.pk:
        raise ServiceError(gettext("%(cadre)s已是该户的帮扶联系人") % {"cadre": cadre.display_name}, field="cadre")
    now = _now()
    if current:
        ContactAssignment.objects.filter(pk=current.pk).update(ended_at=now)
    row = ContactAssignment.objects.create(file=file, cadre=cadre, started_at=now, assigned_by=actor if getattr(actor, "pk", None) else None)
    audit.record(
        actor=actor, action="hardship.contact_assign", target=file, data={"cadre": cadre.pk, "previous": current.cadre_id if current else None}
    )
    return row


def _visit(*, file: HardshipFile, actor: Any, visited_on: dt.date, channel: str, cause_note: str, needs_note: str, measures_note: str) -> Visit:
    if not getattr(actor, "pk", None):
        raise ServiceError(gettext("走访记录须由登录的干部填写"), field="actor")
    if channel not in Visit.Channel.values:
        raise ServiceError(gettext("请选择走访方式"), field="channel")
    if not isinstance(visited_on, dt.date) or visited_on > _today():
        raise ServiceError(gettext("走访日期不能晚于今天"), field="visited_on")
    notes = {}
    for key, label in (("cause_note", gettext("致困原因")), ("needs_note", gettext("帮扶需求")), ("measures_note", gettext("帮扶措施"))):
        text = ({"cause_note": cause_note, "needs_note": needs_note, "measures_note": measures_note}[key] or "").strip()
        if not text:
            raise ServiceError(gettext("请填写%(label)s（“三清”）") % {"label": label}, field=key)
        if len(text) > 500:
            raise ServiceError(gettext("%(label)s不能超过500个字") % {"label": label}, field=key)
        notes[key] = text
    return Visit.objects.create(file=file, visited_on=visited_on, channel=channel, visitor=actor, recorded_at=_now(), **notes)


@transaction.atomic
def visit_record(*, actor: Any, file: HardshipFile, visited_on: dt.date, channel: str, cause_note: str, needs_note: str, measures_note: str) -> Visit:
    file = _lock(file)
    if file.status not in (*HardshipFile.ON_FILE, S.LIFTED):
        raise ServiceError(gettext("只有在档或脱困跟踪中的档案可以登记走访"), field="status", code="wrong_state")
    visit = _visit(
        file=file, actor=actor, visited_on=visited_on, channel=channel, cause_note=cause_note, needs_note=needs_note, measures_note=measures_note
    )
    audit.record(actor=actor, action="hardship.visit_record", target=file, data={"visit": visit.pk, "channel": channel})
    return visit


# ---- annual review -----------------------------------------------------------------------------


def annual_review(
    *, actor: Any, file: HardshipFile, year: int, outcome: str, note: str = "", level: str = "", cancel_reason: str = ""
) -> AnnualReview:
    """年度复核: keep, adjust (re-compute, maybe a new level), lift or cancel; once per file and year."""
    if outcome not in AnnualReview.Outcome.values:
        raise ServiceError(gettext("请选择复核结论"), field="outcome")
    with transaction.atomic():
        locked = _lock(file)
        if locked.status not in HardshipFile.ON_FILE:
            raise ServiceError(gettext("只有在档档案参加年度复核"), field="status", code="wrong_state")
        if AnnualReview.objects.filter(file=locked, year=year).exists():
            raise ServiceError(gettext("%(year)s年度已复核") % {"year": year}, field="year", code="duplicate")
        Outcome = AnnualReview.Outcome
        if outcome == Outcome.ADJUST:
            file_adjust(actor=actor, file=locked, level=level or locked.level, reason=note or f"{year}年度复核调整")
        elif outcome == Outcome.LIFT:
            file_lift(actor=actor, file=locked, reason=note or f"{year}年度复核脱困")
        elif outcome == Outcome.CANCEL:
            file_cancel(actor=actor, file=locked, reason_code=cancel_reason, note=note)
        else:
            HardshipFile.objects.filter(pk=locked.pk).update(changed_at=_now())
        row = AnnualReview.objects.create(file=locked, year=year, outcome=outcome, note=note.strip()[:200], reviewed_by=actor, reviewed_at=_now())
        audit.record(actor=actor, action="hardship.annual_review", target=locked, data={"year": year, "outcome": outcome})
        return row


# ---- aid through the money engine ---------------------------------------------------------------


def aid_check_on_file(file: HardshipFile) -> None:
    """Aid is for files on record (在档, 临时救助, 兜底): the aid page asks before it shows its form."""
    if file.status not in HardshipFile.ON_FILE:
        raise ServiceError(
            gettext("档案当前状态为“%(status)s”，不能申请帮扶资金") % {"status": file.get_status_display()}, field="status", code="wrong_state"
        )


def aid_apply(
    *, actor: Any, file: HardshipFile, envelope: Any, amount: Any, self_paid: Any = None, fund_source: str = "own", campaign: Any = None
) -> Any:
    """A payment to an on-record file (``amount`` in fen): the programme's cap from the file's
    category and 低保; the file re-checked with this year's earlier aid counted as income; a 相对
    household gets one kind of aid a year; then the money engine's application (approval chain
    by cumulative amount, maker-checker, budget), with its fund source and 帮扶专项 if any."""
    from gonghui.money import services as money
    from gonghui.money.models import Application

    aid_check_on_file(file)
    year = envelope.year
    if file.category == cat.RELATIVE:
        kinds = set(
            queries.aid_applications(subject_id=file.pk, year=year, status__in=Application.COUNTED)
            .exclude(programme=envelope.programme)
            .values_list("programme__name", flat=True)
        )
        if kinds:
            raise ServiceError(
                gettext("相对困难家庭每年只能享受一类救助，该户%(year)s年已申请%(kinds)s") % {"year": year, "kinds": "、".join(sorted(kinds))},
                field="envelope",
                code="one_kind",
            )
    paid = sum(queries.aid_applications(subject_id=file.pk, year=year, status__in=Application.GIVEN).values_list("amount", flat=True))
    result = assessment(file, year=year, extra_income_fen=paid)
    if not result.category and file.category != cat.ACCIDENT:
        raise ServiceError(
            gettext("计入本年已获帮扶%(paid)s后，该户已不符合困难条件，请先复核档案") % {"paid": yuan(paid)}, field="amount", code="not_eligible"
        )
    basis: dict[str, Any] = {"category": file.category, "dibao_monthly_fen": result.standard_fen}
    if self_paid not in (None, ""):
        basis["self_paid_fen"] = _amount(self_paid, "self_paid", gettext("自付费用"))
    elif file.category == cat.ACCIDENT and file.hardship_expense_fen:
        basis["self_paid_fen"] = file.hardship_expense_fen  # 意外致困: a share of the hardship spending
    return money.application_submit(
        actor=actor, org=file.org, envelope=envelope, subject_kind=queries.AID_SUBJECT_KIND, subject_id=file.pk, amount=amount, basis=basis,
        fund_source=fund_source, campaign=campaign,
    )  # fmt: skip
