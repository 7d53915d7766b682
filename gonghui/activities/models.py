"""Activities (活动) from plan to summary: sessions (场次), registrations, check-ins (签到).

Counting follows union reports: 期 = activities, 场次 = sessions, 人次 = check-in records,
人 = distinct people. A check-in keeps the participant's union and the organizer's place in the
tree as they were at that moment, so figures survive later transfers and subtree moves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.lib.fields import BinaryCharField


class ActivityType(models.Model):
    """Configurable kinds of activity (技能竞赛, 培训/职工学堂, 讲座/宣讲 …)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """A 专项行动 (e.g. 红色电影进企业) with targets per sub-org; tagged activities count toward it."""

    class Unit(models.TextChoices):
        ACTIVITIES = "activities", _("期")
        SESSIONS = "sessions", _("场次")
        ATTENDANCE = "attendance", _("人次")

    name = models.CharField(_("专项名称"), max_length=100)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("发起工会"))
    org_path = BinaryCharField(max_length=255, db_index=True)
    activity_type = models.ForeignKey(ActivityType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("活动类型"))
    unit = models.CharField(_("计量单位"), max_length=12, choices=Unit.choices, default=Unit.SESSIONS)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_ordered")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org


class CampaignTarget(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="targets")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("下级工会"))
    target = models.PositiveIntegerField(_("目标数"))

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "org"], name="campaign_target_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.org_id} → {self.target}"


class Activity(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        REGISTERING = "registering", _("报名中")
        ONGOING = "ongoing", _("进行中")
        FINISHED = "finished", _("已结束")
        CANCELLED = "cancelled", _("已取消")

    # The lifecycle; each transition is a service writing an ActivityEvent.
    ALLOWED: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.PUBLISHED, Status.CANCELLED}),
        Status.PUBLISHED: frozenset({Status.REGISTERING, Status.ONGOING, Status.CANCELLED}),
        Status.REGISTERING: frozenset({Status.ONGOING, Status.CANCELLED}),
        Status.ONGOING: frozenset({Status.FINISHED, Status.CANCELLED}),
        Status.FINISHED: frozenset(),
        Status.CANCELLED: frozenset(),
    }
    VISIBLE_TO_AUDIENCE = (Status.PUBLISHED, Status.REGISTERING, Status.ONGOING, Status.FINISHED)

    title = models.CharField(_("活动名称"), max_length=100)
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, related_name="activities", verbose_name=_("活动类型"))
    organizer = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="organized_activities", verbose_name=_("主办单位"))
    # The organizer's path when the activity was created: statistics count its 期 and 场次 there,
    # so later subtree moves leave past figures alone. Access follows the live ``organizer.path``.
    organizer_path = BinaryCharField(max_length=255, db_index=True)
    co_organizers = models.ManyToManyField("orgs.Org", blank=True, related_name="co_organized_activities", verbose_name=_("协办单位"))
    # An alliance activity is hosted by a member union (轮值); the alliance's coordinator sees it.
    alliance = models.ForeignKey(
        "alliances.Alliance", null=True, blank=True, on_delete=models.PROTECT, related_name="activities", verbose_name=_("所属联盟")
    )
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="activities", verbose_name=_("专项行动"))
    venue = models.CharField(_("场地"), max_length=200, blank=True)
    description = models.TextField(_("活动内容"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("活动总结"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organizer_path", "status"], name="activity_orgpath_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.organizer


class ActivityAudience(models.Model):
    """Whose members may register: each row opens the activity to one org's subtree."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="audience")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("面向工会"))
    org_path = BinaryCharField(max_length=255, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "org"], name="activity_audience_once")]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.org_id}"


class Session(models.Model):
    """A 场次: one time and place of an activity, with an optional capacity."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(_("场次名称"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200)
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True, help_text=_("不填表示不限"))
    is_cancelled = models.BooleanField(_("已取消"), default=False)
    # Part of every QR code's signature; replacing it expires the printed posters.
    checkin_key = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.activity} · {self.title or f'{self.starts_at:%Y-%m-%d %H:%M}'}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.activity.organizer


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("已报名")
        WAITLISTED = "waitlisted", _("候补")
        CANCELLED = "cancelled", _("已取消")

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="registrations")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Waiting-list order: promotion takes the lowest.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], condition=~Q(status="cancelled"), name="registration_once_per_session"),
        ]
        indexes = [models.Index(fields=["session", "status", "waitlisted_at"], name="registration_queue_idx")]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.person_id} ({self.status})"


class CheckIn(models.Model):
    """签到: one per person per session (a unique constraint); a client nonce makes retries of
    the same scan idempotent. Keeps the moment's org facts for statistics."""

    class Method(models.TextChoices):
        POSTER = "poster", _("扫海报二维码")
        SCANNER = "scanner", _("扫会员码")
        MANUAL = "manual", _("手工补录")

    # No index of its own: checkin_once_per_session (session, person) leads with it, and every check-in
    # would pay for a second one (bench/checkin.py).
    session = models.ForeignKey(Session, on_delete=models.PROTECT, db_index=False, related_name="checkins")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="checkins")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="checkins")
    # The participant's union and the organizer's position, as they were at check-in. No index
    # on these four keys: no read filters by them (statistics read the paths and the rollups),
    # and every check-in wrote a page of each; only the rare delete of an org, a type or a user
    # scans for them (orgs and users are closed, never deleted, in the app).
    person_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, db_index=False, related_name="+")
    person_org_path = BinaryCharField(max_length=255)
    organizer = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, db_index=False, related_name="+")
    organizer_path = BinaryCharField(max_length=255)
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, db_index=False, related_name="+")
    checked_at = models.DateTimeField()
    method = models.CharField(max_length=8, choices=Method.choices)
    nonce = models.CharField(max_length=64, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, db_index=False, related_name="+")

    class Meta:
        ordering = ["checked_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="checkin_once_per_session")]
        indexes = [models.Index(fields=["organizer_path", "checked_at"], name="checkin_orgpath_at_idx")]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.person_id} @ {self.checked_at:%Y-%m-%d %H:%M}"


class WalkIn(models.Model):
    """A head-count of participants without identity, added to a session's 人次 (never to 人)."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="walk_ins")
    count = models.PositiveIntegerField(_("人数"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    organizer_path = BinaryCharField(max_length=255)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(count__gt=0), name="walkin_count_positive")]

    def __str__(self) -> str:
        return f"{self.session_id}: +{self.count}"


class ActivityEvent(models.Model):
    """One row per lifecycle transition (and per session change), in the same transaction."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="events")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.from_status or '—'} → {self.to_status}"
