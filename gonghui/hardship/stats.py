"""Reads behind the hardship statistics, coverage and query pages (档案查询统计).

Every read starts from the access policy: files of ``org``'s subtree that the user may view
(``queries.files_of``; the caller has checked ``view`` on ``org``), so a cadre sees exactly
their subtree. Reports over history read the rows that keep their moment:

- the dynamic-management report counts ``FileEvent`` rows by ``org_path_at`` (the file's union as
  it was when the event happened), so moving a subtree later does not rewrite a past year;
- payments are money ``Application`` rows of ``subject_kind="hardship.file"`` that are approved or
  paid (an approval reversed before payment is status ``reversed`` and drops out: approved minus
  reversed), by the applying union's path.

Lists return querysets (paged by the views, streamed by the exports); counts are one GROUP BY each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.lib import idcard
from gonghui.lib.errors import ServiceError
from gonghui.lib.money import yuan
from gonghui.lib.textrange import prefix_q
from gonghui.orgs import policy
from gonghui.orgs.models import Org

from . import dedupe
from .models import Area, CancelReason, Category, ContactAssignment, FileEvent, FileLevel, HardshipFile, HouseholdMember, Visit
from .queries import aid_applications, files_of

S = HardshipFile.Status
UNCHANGED_DAYS = 365


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# ---- the built-in queries (按身份证 / 按姓名 / 一年未改 / 未帮扶过 / 脱困库 / 注销库) ----------------------


def by_id_number(user: Any, org: Org, number: str) -> QuerySet[HardshipFile]:
    """Files (any state) with the number in their household, found by the member blind index."""
    try:
        info = idcard.parse(number or "")
    except idcard.InvalidIdNumber as e:
        raise ServiceError(str(e), field="value") from None
    key = dedupe.bidx(info.number)
    return files_of(user, org).filter(pk__in=HouseholdMember.objects.filter(id_bidx=key).values("file_id"))


def by_name(user: Any, org: Org, prefix: str) -> QuerySet[HardshipFile]:
    """Files whose holder's name starts with ``prefix`` (the indexed name, as a range)."""
    prefix = (prefix or "").strip()
    if not prefix:
        raise ServiceError(gettext("请输入姓名（可只输入姓或名字的开头）"), field="value")
    return files_of(user, org).filter(prefix_q("holder__name", prefix))


def unchanged_for_a_year(user: Any, org: Org, *, now: dt.datetime | None = None) -> QuerySet[HardshipFile]:
    """Files on record whose content and state have not changed for a year (一年未改)."""
    cutoff = _now(now) - dt.timedelta(days=UNCHANGED_DAYS)
    return files_of(user, org).filter(status__in=HardshipFile.ON_FILE, changed_at__lt=cutoff).order_by("changed_at", "id")


def helped_q() -> Exists:
    from gonghui.money.models import Application

    return Exists(aid_applications(subject_id=OuterRef("pk"), status__in=Application.GIVEN))


def never_helped(user: Any, org: Org) -> QuerySet[HardshipFile]:
    """Files on record without a single approved or paid aid payment (未帮扶过)."""
    return files_of(user, org).filter(status__in=HardshipFile.ON_FILE).filter(~helped_q())


def lifted(user: Any, org: Org) -> QuerySet[HardshipFile]:
    """脱困档案库."""
    return files_of(user, org).filter(status=S.LIFTED)


def cancelled(user: Any, org: Org) -> QuerySet[HardshipFile]:
    """注销档案库: with the reason code and the closing date."""
    return files_of(user, org).filter(status=S.CANCELLED).order_by("-closed_on", "-id")


# The list queries (the ID-number lookup is separate: a full number is posted, never put in a URL).
QUERIES: dict[str, Any] = {
    "name": _("按户主姓名"),
    "unchanged": _("一年未改的档案"),
    "never_helped": _("未帮扶过的档案"),
    "lifted": _("脱困档案库"),
    "cancelled": _("注销档案库"),
}
NEEDS_VALUE = ("name",)


def run_query(user: Any, org: Org, kind: str, value: str = "", *, migrant: bool | None = None) -> QuerySet[HardshipFile]:
    """``id_number`` or one of ``QUERIES``; ``migrant`` splits 职工 (False) from 农民工 (True) as the 库 are kept."""
    match kind:
        case "id_number":
            qs = by_id_number(user, org, value)
        case "name":
            qs = by_name(user, org, value)
        case "unchanged":
            qs = unchanged_for_a_year(user, org)
        case "never_helped":
            qs = never_helped(user, org)
        case "lifted":
            qs = lifted(user, org)
        case "cancelled":
            qs = cancelled(user, org)
        case _:
            raise ServiceError(gettext("请选择查询方式"), field="kind")
    return qs if migrant is None else qs.filter(is_migrant_worker=migrant)


# ---- counts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    code: str
    label: str
    n: int


def _grouped(qs: QuerySet[HardshipFile], field: str, labels: dict[Any, Any]) -> list[Tally]:
    rows = dict(qs.order_by().values(field).annotate(n=Count("id")).values_list(field, "n"))
    known = [Tally(str(code), str(label), rows.pop(code, 0)) for code, label in labels.items()]
    # Codes without a label (a region, a blank category) follow in code order.
    return known + [Tally(str(code), str(code) or "—", n) for code, n in sorted(rows.items(), key=lambda kv: str(kv[0]))]


def counts(user: Any, org: Org) -> dict[str, list[Tally]]:
    """档案统计: every file by state; the files on record by category, level, kind, 职工/农民工,
    urban/rural and region (GB/T 2260 code). Zero rows are kept for the fixed lists."""
    files = files_of(user, org)
    on_file = files.filter(status__in=HardshipFile.ON_FILE)
    return {
        "status": _grouped(files, "status", dict(S.choices)),
        "category": _grouped(on_file, "category", dict(Category.choices)),
        "level": _grouped(on_file, "level", dict(FileLevel.choices)),
        "kind": _grouped(on_file, "kind", dict(HardshipFile.Kind.choices)),
        "worker": _grouped(on_file, "is_migrant_worker", {False: gettext("职工"), True: gettext("农民工")}),
        "area": _grouped(on_file, "area", dict(Area.choices)),
        "region": _grouped(on_file, "region_code", {}),
    }


# ---- the yearly dynamic-management report ------------------------------------------------------

DYNAMIC_ACTIONS = ("approve", "adjust", "lift", "cancel", "safety_net", "relapse")


@dataclass(frozen=True)
class DynamicReport:
    year: int
    new: int  # 新建档 (approve events), of which …
    new_temporary: int  # … 临时救助档案
    adjusted: int  # 应调则调
    lifted: int  # 脱困
    cancelled: int
    cancelled_by_reason: list[Tally]
    safety_net: int  # 转兜底保障
    relapsed: int  # 返困

    def rows(self) -> list[tuple[str, int]]:
        out = [
            (gettext("新建档"), self.new),
            (gettext("其中：临时救助档案"), self.new_temporary),
            (gettext("调整"), self.adjusted),
            (gettext("脱困"), self.lifted),
            (gettext("注销"), self.cancelled),
        ]
        out += [(gettext("注销：%(reason)s") % {"reason": c.label}, c.n) for c in self.cancelled_by_reason]
        out += [(gettext("转兜底保障"), self.safety_net), (gettext("返困"), self.relapsed)]
        return out


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def events_of(user: Any, org: Org) -> QuerySet[FileEvent]:
    """Events that happened in ``org``'s subtree as it was then, within the user's view scope."""
    return FileEvent.objects.filter(prefix_q("org_path_at", org.path)).filter(policy.scope_q(user, "view", field="org_path_at"))


def dynamic_report(user: Any, org: Org, year: int) -> DynamicReport:
    start, end = year_bounds(year)
    rows = (
        events_of(user, org)
        .filter(at__gte=start, at__lt=end, action__in=DYNAMIC_ACTIONS)
        .order_by()
        .values_list("action", "to_status", "data__reason")
        .annotate(n=Count("id"))
    )
    by: dict[tuple[str, str, Any], int] = {(a, t, r): n for a, t, r, n in rows}

    def total(action: str) -> int:
        return sum(n for (a, _t, _r), n in by.items() if a == action)

    reasons: dict[str, int] = {}
    for (a, _t, r), n in by.items():
        if a == "cancel":
            reasons[r or ""] = reasons.get(r or "", 0) + n
    return DynamicReport(
        year=year,
        new=total("approve"),
        new_temporary=sum(n for (a, t, _r), n in by.items() if a == "approve" and t == S.TEMP_ACTIVE),
        adjusted=total("adjust"),
        lifted=total("lift"),
        cancelled=total("cancel"),
        cancelled_by_reason=[Tally(code, str(label), reasons.pop(code, 0)) for code, label in CancelReason.choices]
        + [Tally(code, code or "—", n) for code, n in sorted(reasons.items())],
        safety_net=total("safety_net"),
        relapsed=total("relapse"),
    )


# ---- payments ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRow:
    year: int
    label: str  # the programme, fund source or campaign
    households: int  # distinct files helped
    times: int  # 人次: approved payments
    amount_fen: int

    @property
    def yuan(self) -> str:
        return yuan(self.amount_fen)


# The breakdowns of the assistance-payment report: how each groups and orders, and its title.
PAYMENT_BY: dict[str, Any] = {
    "programme": _("按帮扶项目"),
    "fund_source": _("按资金来源"),
    "campaign": _("按帮扶专项"),
}


def payments(user: Any, org: Org, *, by: str = "programme", year: int | None = None) -> list[PaymentRow]:
    """帮扶资金 by year and programme, fund source or campaign (专项; payments in none form their own
    row): approved or paid applications for files (approved minus reversed), by the applying
    union's place in the tree. Households are distinct within each row."""
    from gonghui.money.models import Application, FundSource

    qs = aid_applications(status__in=Application.GIVEN).filter(prefix_q("org_path", org.path), policy.scope_q(user, "view", field="org_path"))
    if year is not None:
        qs = qs.filter(year=year)
    keys = {
        "programme": ("programme__sort", "programme__name"),
        "fund_source": ("fund_source", "fund_source"),
        "campaign": ("campaign__starts_on", "campaign_id", "campaign__name", "campaign__org__name"),
    }[by]
    rows = qs.order_by().values_list("year", *keys).annotate(households=Count("subject_id", distinct=True), times=Count("id"), amount=Sum("amount"))
    sources = list(FundSource.values)

    def order(row: tuple[Any, ...]) -> tuple[Any, ...]:
        y, first, second = row[:3]
        if by == "fund_source":
            return (-y, sources.index(first))
        if by == "campaign":  # the untagged last; campaigns by start date, then id (names repeat across unions)
            return (-y, first is None, first or dt.date.min, second or 0)
        return (-y, first, second)

    def label(row: tuple[Any, ...]) -> str:
        if by == "fund_source":
            return str(FundSource(row[1]).label)
        if by == "campaign":
            return f"{row[3]} · {row[4]}" if row[2] is not None else gettext("未列入专项")
        return row[2]

    return [PaymentRow(r[0], label(r), *r[-3:-1], int(r[-1])) for r in sorted(rows, key=order)]


# ---- contact and visit coverage --------------------------------------------------------------------


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _has_contact() -> Exists:
    return Exists(ContactAssignment.objects.filter(file=OuterRef("pk"), ended_at__isnull=True))


def _visited_since(start: dt.date, end: dt.date) -> Exists:
    return Exists(Visit.objects.filter(file=OuterRef("pk"), visited_on__gte=start, visited_on__lte=end))


@dataclass(frozen=True)
class Coverage:
    on_file: int
    with_contact: int
    visited: int
    quarter_from: dt.date
    quarter_to: dt.date

    @property
    def without_contact(self) -> int:
        return self.on_file - self.with_contact

    @property
    def not_visited(self) -> int:
        return self.on_file - self.visited

    @staticmethod
    def _percent(n: int, of: int) -> str:
        return f"{100 * n / of:.1f}" if of else "—"

    @property
    def contact_percent(self) -> str:
        return self._percent(self.with_contact, self.on_file)

    @property
    def visited_percent(self) -> str:
        return self._percent(self.visited, self.on_file)


COVERAGE_LISTS = {"no_contact": _("无帮扶联系人"), "no_visit": _("本季度未走访")}


def coverage(user: Any, org: Org, *, today: dt.date | None = None) -> Coverage:
    """Files on record with a current contact, and with a visit this quarter (up to today)."""
    day = _today(today)
    start = quarter_start(day)
    on_file = files_of(user, org).filter(status__in=HardshipFile.ON_FILE).order_by()
    row = on_file.aggregate(
        n=Count("id"),
        contact=Count("id", filter=Q(_has_contact())),
        visited=Count("id", filter=Q(_visited_since(start, day))),
    )
    return Coverage(on_file=row["n"], with_contact=row["contact"], visited=row["visited"], quarter_from=start, quarter_to=day)


def coverage_list(user: Any, org: Org, show: str, *, today: dt.date | None = None) -> QuerySet[HardshipFile]:
    """The files on record missing a contact (``no_contact``) or this quarter's visit (``no_visit``)."""
    day = _today(today)
    on_file = files_of(user, org).filter(status__in=HardshipFile.ON_FILE)
    if show == "no_contact":
        return on_file.filter(~_has_contact())
    if show == "no_visit":
        return on_file.filter(~_visited_since(quarter_start(day), day))
    raise ServiceError(gettext("请选择名单"), field="show")


# ---- export rows ---------------------------------------------------------------------------------

FILE_HEADERS = [
    _("档案编号"),
    _("户主姓名"),
    _("身份证号"),
    _("建档工会"),
    _("状态"),
    _("困难类别"),
    _("建档标准"),
    _("档案类型"),
    _("职工/农民工"),
    _("行政区划代码"),
    _("建档日期"),
    _("最后修改"),
    _("注销原因"),
    _("撤档日期"),
]


def file_rows(qs: QuerySet[HardshipFile]) -> Iterator[list[Any]]:
    """One row per file, as the pages show it: the holder's ID number masked, codes as labels."""
    tz = timezone.get_current_timezone()
    for f in qs.iterator(chunk_size=2000):
        yield [
            f.number,
            f.holder.name,
            f.holder.id_masked,
            f.org.name,
            f.get_status_display(),
            f.get_category_display(),
            f.get_level_display(),
            f.get_kind_display(),
            gettext("农民工") if f.is_migrant_worker else gettext("职工"),
            f.region_code,
            f.filed_on,
            f.changed_at.astimezone(tz).date(),
            f.get_cancel_reason_display(),
            f.closed_on,
        ]


STATS_HEADERS = [_("类别"), _("项目"), _("数量"), _("户数"), _("金额（元）")]
COUNT_TITLES = {
    "status": _("档案状态（全部档案）"),
    "category": _("困难类别（在档）"),
    "level": _("建档标准（在档）"),
    "kind": _("档案类型（在档）"),
    "worker": _("职工/农民工（在档）"),
    "area": _("城乡（在档）"),
    "region": _("行政区划（在档）"),
}


def stats_rows(user: Any, org: Org, year: int) -> Iterator[list[Any]]:
    """The statistics page as a sheet: counts, the year's dynamic report, the payments."""
    for dim, rows in counts(user, org).items():
        for c in rows:
            yield [str(COUNT_TITLES[dim]), c.label, c.n, "", ""]
    title = gettext("%(year)s年动态管理") % {"year": year}
    for label, n in dynamic_report(user, org, year).rows():
        yield [title, label, n, "", ""]
    for by, how in PAYMENT_BY.items():
        for p in payments(user, org, by=by):
            title = gettext("%(year)s年帮扶资金（%(how)s）") % {"year": p.year, "how": how}
            yield [title, p.label, p.times, p.households, f"{p.amount_fen // 100}.{p.amount_fen % 100:02d}"]
