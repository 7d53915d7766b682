from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Alliance(models.Model):
    """A 工会联盟: a group over tree nodes, not a node. Run by ``host_org``'s union."""

    name = models.CharField(_("联盟名称"), max_length=100, unique=True)
    host_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="hosted_alliances", verbose_name=_("牵头工会"))
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    # The "1+345" form as data: one purpose, N mechanisms, N platforms, N brands.
    purpose = models.CharField(_("宗旨"), max_length=200, blank=True)
    mechanisms = models.JSONField(_("工作机制"), default=list, blank=True)
    platforms = models.JSONField(_("服务平台"), default=list, blank=True)
    brands = models.JSONField(_("活动品牌"), default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.host_org

    @property
    def charter_form(self) -> str:
        """E.g. "1+345": one purpose, 3 mechanisms, 4 platforms, 5 brands."""
        return f"1+{len(self.mechanisms)}{len(self.platforms)}{len(self.brands)}"


class AllianceMember(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="members")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="alliance_memberships", verbose_name=_("成员工会"))
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    is_founder = models.BooleanField(_("发起单位"), default=False)
    strengths = models.CharField(_("生产经营特点"), max_length=200, blank=True)

    class Meta:
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "org"], condition=models.Q(left_on__isnull=True), name="alliance_member_once_active"),
        ]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.org}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.alliance.host_org


class CouncilSeat(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("主席")
        VICE_CHAIR = "vice_chair", _("副主席")
        SECRETARY_GENERAL = "secretary_general", _("秘书长")
        AUDIT_HEAD = "audit_head", _("经审委主任")
        WOMEN_HEAD = "women_head", _("女工委主任")
        COUNCILLOR = "councillor", _("理事")

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="seats")
    role = models.CharField(_("职务"), max_length=20, choices=Role.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="council_seats", verbose_name=_("人员"))
    member_org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在成员工会"))
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)

    class Meta:
        ordering = ["alliance", "role", "term_start"]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.get_role_display()}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.alliance.host_org


# Rotation duty (轮值): see rotation.py for the rule and services.py for the writes.


class MemberStrength(models.Model):
    """A member union's declared activity strength (生产经营特点 as data: 保安 → 技能竞赛)."""

    member = models.ForeignKey(AllianceMember, on_delete=models.CASCADE, related_name="declared_strengths")
    activity_type = models.ForeignKey("activities.ActivityType", on_delete=models.PROTECT, related_name="+", verbose_name=_("擅长活动类型"))

    class Meta:
        ordering = ["member", "activity_type__sort", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "activity_type"], name="member_strength_once")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.activity_type_id}"


class MemberBlackout(models.Model):
    """Dates a member union cannot host (inclusive)."""

    member = models.ForeignKey(AllianceMember, on_delete=models.CASCADE, related_name="blackouts")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        ordering = ["member", "starts_on", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="member_blackout_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.starts_on} – {self.ends_on}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.member.alliance.host_org


def period_label(starts_on: dt.date, ends_on: dt.date) -> str:
    """ "2026年3月" for a month, "2026年第1季度" for a calendar quarter, else the date range."""
    if starts_on.day == 1 and (ends_on + dt.timedelta(days=1)).day == 1:
        months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + 1
        if months == 1:
            return f"{starts_on.year}年{starts_on.month}月"
        if months == 3 and starts_on.month % 3 == 1:
            return f"{starts_on.year}年第{(starts_on.month - 1) // 3 + 1}季度"
    return f"{starts_on:%Y-%m-%d}至{ends_on:%Y-%m-%d}"


class RotationPlan(models.Model):
    """One generation of turns over consecutive months or quarters."""

    class PeriodKind(models.TextChoices):
        MONTH = "month", _("按月")
        QUARTER = "quarter", _("按季度")

    MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3}

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="rotation_plans")
    period_kind = models.CharField(_("周期"), max_length=8, choices=PeriodKind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["alliance", "starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.starts_on} – {self.ends_on}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.alliance.host_org


class RotationTurn(models.Model):
    """One period's host. Hosted turns (all but skipped) are the fairness ledger."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("待轮值")
        SWAPPED = "swapped", _("已调换")
        DONE = "done", _("已完成")
        SKIPPED = "skipped", _("已跳过")

    ALLOWED: dict[str, frozenset[str]] = {
        Status.PLANNED: frozenset({Status.SWAPPED, Status.DONE, Status.SKIPPED}),
        Status.SWAPPED: frozenset({Status.SWAPPED, Status.DONE, Status.SKIPPED}),
        Status.DONE: frozenset(),
        Status.SKIPPED: frozenset(),
    }
    HOSTED = (Status.PLANNED, Status.SWAPPED, Status.DONE)

    plan = models.ForeignKey(RotationPlan, on_delete=models.PROTECT, related_name="turns")
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="rotation_turns")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    wanted_type = models.ForeignKey(
        "activities.ActivityType", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("活动类型")
    )
    host = models.ForeignKey(AllianceMember, on_delete=models.PROTECT, related_name="rotation_turns", verbose_name=_("轮值单位"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    # A skipped turn's stand-in covers the same period.
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    activities = models.ManyToManyField("activities.Activity", through="RotationTurnActivity", related_name="rotation_turns", blank=True)

    class Meta:
        ordering = ["alliance", "starts_on", "id"]
        indexes = [models.Index(fields=["alliance", "status"], name="rotation_turn_ledger_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="rotation_turn_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.alliance_id} {self.starts_on}: {self.host_id} ({self.status})"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.alliance.host_org

    @property
    def period_label(self) -> str:
        return period_label(self.starts_on, self.ends_on)


class RotationTurnActivity(models.Model):
    """An activity held in a turn (by its host); an activity belongs to at most one turn."""

    turn = models.ForeignKey(RotationTurn, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey("activities.Activity", on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity"], name="rotation_activity_once")]

    def __str__(self) -> str:
        return f"{self.turn_id} ← {self.activity_id}"


class RotationEvent(models.Model):
    """One row per change of a turn (generated, swapped, skipped, done, activity linked)."""

    class Kind(models.TextChoices):
        GENERATED = "generated", _("生成")
        SWAPPED = "swapped", _("调换")
        SKIPPED = "skipped", _("跳过")
        REPLACED = "replaced", _("接替")
        DONE = "done", _("完成")
        LINKED = "linked", _("关联活动")

    turn = models.ForeignKey(RotationTurn, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_host = models.ForeignKey(AllianceMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_host = models.ForeignKey(AllianceMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.turn_id}: {self.kind}"
